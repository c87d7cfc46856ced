#!/usr/bin/env bash
# Decisions do not drift: the 4,753-referral corpus and every spec example
# decide exactly as the committed baseline says (every field but the rule set
# hash). A deliberate policy change regenerates the baseline with
#   tests/decisions_baseline.sh TRIAGE_EXE --update
# in its own commit, and the commit says why.
set -euo pipefail
triage=${1:?usage: decisions_baseline.sh TRIAGE_EXE [--update]}
root=$(cd "$(dirname "$0")/.." && pwd)
base=$root/tests/data/baseline
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$triage" corpus --out "$tmp/corpus" >/dev/null
"$triage" check --format json --rules "$root/rules" "$tmp/corpus/referrals.jsonl" \
  | jq -c 'del(.ruleset)' > "$tmp/corpus.jsonl"
"$triage" check --format json --rules "$root/rules" "$root"/tests/spec/examples/*.referral.json \
  | jq -c 'del(.ruleset)' > "$tmp/examples.jsonl"

if [ "${2:-}" = --update ]; then
  cp "$tmp/corpus.jsonl" "$base/corpus-2020.decisions.jsonl"
  cp "$tmp/examples.jsonl" "$base/examples.decisions.jsonl"
  echo "baseline updated"; exit 0
fi
. "$root/tests/lib/baseline.sh"
status=0
for f in corpus examples; do
  want=$base/$f; [ $f = corpus ] && want=$want-2020
  same_decisions "$want.decisions.jsonl" "$tmp/$f.jsonl" "$f" || status=1
done
[ $status -eq 0 ] && echo "decisions_baseline: $(wc -l < "$tmp/corpus.jsonl") corpus and $(wc -l < "$tmp/examples.jsonl") example decisions identical to the baseline"
exit $status

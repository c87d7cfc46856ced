#!/usr/bin/env bash
# `triage run` decides the 4,753-referral corpus exactly as the committed
# baseline says (tests/data/baseline, what `check` decides), on 1, 2 and 3
# threads: the workers claim parts of each chunk as they are free
# (engine/workshare.c), and a child's referrals must still be decided in
# order, each seeing the decisions of the ones before.
# usage: tests/run_threads.sh TRIAGE_EXE [THREADS...]   (default 1 2 3)
set -euo pipefail
triage=${1:?usage: run_threads.sh TRIAGE_EXE [THREADS...]}
shift
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(1 2 3)
root=$(cd "$(dirname "$0")/.." && pwd)
want=$root/tests/data/baseline/corpus-2020.decisions.jsonl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$triage" corpus --out "$tmp/corpus" >/dev/null
"$triage" import --db "$tmp/in.db" "$tmp/corpus/referrals.jsonl" >/dev/null
. "$root/tests/lib/baseline.sh"
status=0
for t in "${threads[@]}"; do
  cp "$tmp/in.db" "$tmp/t$t.db"
  "$triage" run --db "$tmp/t$t.db" --rules "$root/rules" --threads "$t" >/dev/null
  "$triage" export --db "$tmp/t$t.db" 2>/dev/null | jq -c 'del(.ruleset, .decided_at)' > "$tmp/t$t.jsonl"
  same_decisions "$want" "$tmp/t$t.jsonl" "run --threads $t:" || status=1
done
[ $status -eq 0 ] && echo "run_threads: $(wc -l < "$want") decisions on ${threads[*]} thread(s), identical to the baseline"
exit $status

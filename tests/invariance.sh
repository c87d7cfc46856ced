#!/usr/bin/env bash
# invariance.sh — letters decide as they mean, not as they are typed: the
# 4,753 corpus referrals, their letters rewritten as issue 20 says letters
# arrive (tests/lib/rewrite.sh: ae/oe/aa for æ/ø/å, upper case, sentence
# breaks as line breaks with doubled spaces, no-break spaces), decide as the
# originals do. Per rewrite: at least 99.9% of decisions identical in outcome,
# target, unit, priority, deadline and missing, and every acute referral
# still acute. Prints the figures per rewrite.
# Usage: tests/invariance.sh path/to/triage [RULES_DIR]
set -euo pipefail
triage=$(realpath "$1")
src=$(cd "$(dirname "$0")/.." && pwd)
rules=${2:-$src/rules}
. "$src/tests/lib/rewrite.sh"
tmp=$(mktemp -d /tmp/triage-invariance-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

"$triage" corpus --out "$tmp/c" > /dev/null
# What must not change, one line per referral in corpus order.
fields='[.id, .outcome, .target, .unit, .priority, .deadline, (.missing // [] | join(","))] | @tsv'
decide() { "$triage" check --rules "$rules" --format json "$1" | jq -r "$fields"; }
decide "$tmp/c/referrals.jsonl" > "$tmp/orig.tsv"
n=$(wc -l < "$tmp/orig.tsv")
acute=$(awk -F'\t' '$5 == "acute"' "$tmp/orig.tsv" | wc -l)

fail=0
for v in $REWRITES; do
  rewrite "$v" < "$tmp/c/referrals.jsonl" > "$tmp/$v.jsonl"
  decide "$tmp/$v.jsonl" > "$tmp/$v.tsv"
  read -r same lost < <(paste "$tmp/orig.tsv" "$tmp/$v.tsv" | awk -F'\t' '
    { a = $1; for (i = 2; i <= 7; i++) a = a "\t" $i
      b = $8; for (i = 9; i <= 14; i++) b = b "\t" $i
      if (a == b) same++
      if ($5 == "acute" && $12 != "acute") lost++ }
    END { print same + 0, lost + 0 }')
  pct=$(awk -v s="$same" -v n="$n" 'BEGIN { printf "%.2f", 100 * s / n }')
  echo "rewritten ($v): $same of $n decisions identical ($pct%), $lost of $acute acute no longer acute"
  if [ "$lost" -gt 0 ] || [ $((same * 1000)) -lt $((n * 999)) ]; then
    paste "$tmp/orig.tsv" "$tmp/$v.tsv" | awk -F'\t' '{ a = $2 FS $3 FS $4 FS $5 FS $6 FS $7
      b = $9 FS $10 FS $11 FS $12 FS $13 FS $14; if (a != b) print $1 ": " a " -> " b }' | head -10
    fail=1
  fi
done
exit $fail

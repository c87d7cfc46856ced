#!/usr/bin/env bash
# The regression gate on the 4,753-referral corpus: the shipped rules hold
# the committed baseline (missed_acute 0, wrongly_rejected not above it);
# a copy of the rules made stricter fails the gate; the reports are written
# 0600 and the HTML report is one self-contained page.
set -euo pipefail
triage=${1:?usage: regress.sh TRIAGE_EXE}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$triage" corpus --out "$tmp/corpus" >/dev/null
"$triage" import --db "$tmp/c.db" "$tmp/corpus/referrals.jsonl" >/dev/null

# 1. The shipped rules against the committed baseline.
"$triage" regress --db "$tmp/c.db" --gold "$tmp/corpus/gold.jsonl" --rules "$root/rules" \
  --baseline "$root/corpus/baseline-2020.json" --save "$tmp/now.json" > "$tmp/out.txt" \
  || { cat "$tmp/out.txt"; fail "the shipped rules fail the gate"; }
grep -q "missed_acute            0" "$tmp/out.txt" || fail "missed_acute is not 0"
[ "$(stat -c %a "$tmp/now.json")" = 600 ] || fail "metrics file is not 0600"

# 2. A stricter copy (mild cases redirected up to GAPD 4: one number in the
# policy's data) fails the gate.
cp -r "$root/rules" "$tmp/stricter"
sed -i 's/mild_gapd = 2,/mild_gapd = 4,/' "$tmp/stricter/data/policy.lua"
grep -q "mild_gapd = 4," "$tmp/stricter/data/policy.lua" || fail "could not make the copy stricter"
set +e
"$triage" regress --db "$tmp/c.db" --gold "$tmp/corpus/gold.jsonl" --rules "$tmp/stricter" \
  --baseline "$root/corpus/baseline-2020.json" > "$tmp/strict.txt"
rc=$?
set -e
[ $rc -eq 2 ] || { cat "$tmp/strict.txt"; fail "a stricter rule set passed the gate (exit $rc)"; }
grep -q "GATE: wrongly_rejected rose" "$tmp/strict.txt" || fail "the gate does not say why"

# 2b. diff names what the stricter copy changes, grouped, with the deciding rules.
set +e
"$triage" diff --db "$tmp/c.db" --rules "$root/rules" --rules "$tmp/stricter" > "$tmp/diff.txt"
rc=$?
set -e
[ $rc -eq 2 ] || { cat "$tmp/diff.txt"; fail "diff found no difference (exit $rc)"; }
grep -q "^accept buc -> redirect municipality: [0-9]" "$tmp/diff.txt" || { cat "$tmp/diff.txt"; fail "diff lacks the group"; }
grep -q "\[ACC-02 -> TG-02\]" "$tmp/diff.txt" || fail "diff does not name the deciding rules"
"$triage" diff --db "$tmp/c.db" --rules "$root/rules" --rules "$root/rules" | grep -q ": 0 of 4753 decisions differ" \
  || fail "a rule set differs from itself"

# 3. The structured-only rule set rejects far more wrongly than the shipped one.
"$root/corpus/make-strict" "$tmp/strict-2020"
set +e
"$triage" regress --db "$tmp/c.db" --gold "$tmp/corpus/gold.jsonl" --rules "$tmp/strict-2020" \
  --format json > "$tmp/strict.json"
set -e
shipped=$(grep -A1 '"wrongly_rejected"' "$tmp/now.json" | grep -o '"count": [0-9]*' | grep -o '[0-9]*')
strict=$(grep -A1 '"wrongly_rejected"' "$tmp/strict.json" | grep -o '"count": [0-9]*' | grep -o '[0-9]*')
[ "$strict" -gt $((shipped * 10)) ] || fail "strict-2020 ($strict) is not far worse than shipped ($shipped)"

# 4. The HTML report: self-contained, with the chart, 0600.
"$triage" regress --db "$tmp/c.db" --gold "$tmp/corpus/gold.jsonl" --rules "$root/rules" \
  --format html --out "$tmp/report.html"
grep -q "<svg" "$tmp/report.html" || fail "no chart in the HTML report"
grep -q "wrongly_rejected" "$tmp/report.html" || fail "no measures in the HTML report"
! grep -Eq 'src="http|href="http' "$tmp/report.html" || fail "the report loads from the network"
[ "$(stat -c %a "$tmp/report.html")" = 600 ] || fail "report is not 0600"
echo "regress: shipped wrongly_rejected $shipped, strict-2020 $strict; gate holds and catches a stricter copy"

#!/usr/bin/env bash
# FHIR through the real command line (docs/fhir.md): every fail_* file gives
# its exact error line and exit 3 with the others decided; every hand-written
# case decides as its .expected.json says, mixed with native records; the
# corpus as FHIR imported and run gives exactly the native corpus's decisions
# (all 4,753); a message's life through import, run and export (update
# decided again, cancel never decided, a message sent again changes nothing,
# an unknown id quarantined; watch's set); and no CPR number in any message.
set -euo pipefail
triage=$(realpath "${1:?usage: fhir.sh TRIAGE_EXE}")
root=$(cd "$(dirname "$0")/.." && pwd)
data=$root/tests/data/fhir
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
rules=(--rules "$root/rules")

# 1. Each kind of bad FHIR: its exact line, exit 3, the good record after it decided.
n=0
for f in "$data"/fail_*.json; do
  name=$(basename "$f")
  set +e
  (cd "$data" && "$triage" check "${rules[@]}" --format json "$name" \
     04-ppr-anxiety-contained.fhir.json) > "$tmp/out" 2> "$tmp/err"
  rc=$?
  set -e
  [ $rc -eq 3 ] || fail "$name: exit $rc, not 3"
  diff -u "$data/${name%.json}.error" "$tmp/err" || fail "$name: not the expected error line"
  [ "$(jq -r .id "$tmp/out")" = PPR-2020-118 ] || fail "$name: the good record was not decided"
  if grep -Eq '[0-9]{6}-?[0-9]{4}' "$tmp/err"; then fail "$name: a CPR-like number in the message"; fi
  n=$((n + 1))
done
[ $n -ge 20 ] || fail "only $n fail_ files"

# 2. The hand-written cases decide as expected, FHIR and native mixed in one input
#    (one at a time: 01 and 02 are one referral's new and update messages).
cases=0
for f in "$data"/[0-9][0-9]-*.fhir.json; do
  base=${f%.fhir.json}
  exp=$base.expected.json
  if jq -e 'has("outcome")' "$exp" >/dev/null; then
    "$triage" check "${rules[@]}" --format json "$root/tests/spec/examples/01-adhd-gp-missing-docs.referral.json" "$f" \
      | tail -1 | jq -S -c '{id,outcome,target,unit,priority,deadline,missing,request_from}
                           | with_entries(select(.value != null))' > "$tmp/got"
    jq -S -c '{id,outcome,target,unit,priority,deadline,missing,request_from}
             | with_entries(select(.value != null))' "$exp" > "$tmp/want"
    diff -u "$tmp/want" "$tmp/got" || fail "$(basename "$f") decided otherwise"
    cases=$((cases + 1))
  fi
done
[ $cases -ge 12 ] || fail "only $cases cases"

# 3. The corpus as FHIR: imported and decided exactly as the native corpus.
"$triage" corpus --out "$tmp/native" >/dev/null
"$triage" corpus --format fhir --out "$tmp/fhir" >/dev/null
[ "$(wc -l < "$tmp/fhir/referrals.fhir.ndjson")" -eq 4753 ] || fail "not 4,753 Bundles"
cmp -s "$tmp/native/gold.jsonl" "$tmp/fhir/gold.jsonl" || fail "the gold decisions differ"
for form in native fhir; do
  in=$tmp/$form/referrals.jsonl; [ $form = fhir ] && in=$tmp/fhir/referrals.fhir.ndjson
  "$triage" import --db "$tmp/$form.db" "$in" >/dev/null
  "$triage" run --db "$tmp/$form.db" "${rules[@]}" >/dev/null
  "$triage" export --db "$tmp/$form.db" 2>/dev/null \
    | jq -c '{id,outcome,target,unit,priority,deadline,missing}' > "$tmp/$form.decisions"
done
same=$(paste -d'\n' "$tmp/native.decisions" "$tmp/fhir.decisions" | paste - - \
       | awk -F'\t' '$1 == $2' | wc -l)
[ "$same" -eq 4753 ] || fail "$same of 4,753 decisions identical"
[ "$(wc -l < "$tmp/native.decisions")" -eq 4753 ] || fail "not 4,753 native decisions"

# 4. A referral's life through the commands.
db=$tmp/life.db
msg() { "$triage" import --db "$db" "$@"; }
msg "$data/01-gp-adhd-autism-message-new.fhir.json" > /dev/null
"$triage" run --db "$db" "${rules[@]}" > /dev/null
[ "$("$triage" export --db "$db" 2>/dev/null | jq -r .outcome)" = request_info ] || fail "new: not request_info"
out=$(msg "$data/02-gp-adhd-autism-message-update.fhir.json")
echo "$out" | grep -q "1 updated" || fail "update not counted: $out"
[ "$("$triage" export --db "$db" 2>/dev/null | wc -l)" -eq 0 ] || fail "the update is still decided"
"$triage" run --db "$db" "${rules[@]}" > /dev/null
[ "$("$triage" export --db "$db" 2>/dev/null | jq -r .outcome)" = accept ] || fail "update: not decided again as accept"
# the same update again: recognised, nothing changes, not an error
set +e; out=$(msg "$data/02-gp-adhd-autism-message-update.fhir.json" 2>&1); rc=$?; set -e
[ $rc -eq 0 ] || fail "a repeated message exits $rc"
echo "$out" | grep -q "received before" || fail "a repeated message is not recognised: $out"
msg "$data/03-gp-message-cancel.fhir.json" > /dev/null
"$triage" run --db "$db" "${rules[@]}" > "$tmp/run.txt"
grep -q "undecided left: 0" "$tmp/run.txt" || fail "run after a cancel: $(cat "$tmp/run.txt")"
# counted, not taken from the run: the withdrawn referral is not undecided
"$triage" status --db "$db" "${rules[@]}" 2>/dev/null | grep -q "^undecided:  0 " \
  || fail "status after a cancel: $("$triage" status --db "$db" "${rules[@]}" 2>&1)"
[ "$("$triage" export --db "$db" 2>/dev/null | jq -r .withdrawn_at)" != null ] || fail "no withdrawn_at"
"$triage" export --db "$db" --format fhir "${rules[@]}" 2>/dev/null \
  | jq -e '.entry[0].resource | .resourceType == "Task" and .status == "cancelled"' >/dev/null \
  || fail "export --format fhir: the withdrawn referral's Task is not cancelled"
# an update of a withdrawn referral, and a cancel of an unknown one: errors, quarantined
set +e
msg "$data/02-gp-adhd-autism-message-update.fhir.json" > /dev/null 2>&1
jq -c '.entry[0].resource.id = "another-message" | .entry[1].resource.identifier[0].value = "UNKNOWN-1"' \
  "$data/03-gp-message-cancel.fhir.json" > "$tmp/unknown.json"
(cd "$tmp" && "$triage" import --db "$db" unknown.json) > /dev/null 2> "$tmp/err"; rc=$?
set -e
[ $rc -eq 3 ] || fail "a cancel of an unknown id exits $rc"
grep -q "^unknown.json:1: UNKNOWN-1: cancel-referral: no referral with this id is stored$" "$tmp/err" \
  || fail "unknown cancel: $(cat "$tmp/err")"
[ "$(sqlite3 "$db" 'SELECT count(*) FROM quarantine' 2>/dev/null || echo 1)" -ge 1 ] || fail "not quarantined"

# watch: the update replaces the new-referral in the watched set, the cancel takes it out
w=$("$triage" watch "${rules[@]}" --max-reloads 0 "$data"/01-*.fhir.json "$data"/02-*.fhir.json \
    "$data"/04-*.fhir.json | head -2)
echo "$w" | grep -q ": 2 referrals" || fail "watch, new + update + another: $w"
echo "$w" | grep -q "accept 1 request_info 0" || fail "watch did not decide the update: $w"
w=$("$triage" watch "${rules[@]}" --max-reloads 0 "$data"/0[1-4]-*.fhir.json | head -1)
echo "$w" | grep -q ": 1 referrals" || fail "watch after a cancel: $w"

# 5. check --format fhir: one Bundle a record, native and FHIR, a response message for a message.
"$triage" check "${rules[@]}" --format fhir "$root"/tests/spec/examples/*.referral.json \
  "$data"/[0-9][0-9]-*.fhir.json > "$tmp/answers.ndjson"
records=$(( $(ls "$root"/tests/spec/examples/*.referral.json | wc -l) + $(ls "$data"/[0-9][0-9]-*.fhir.json | wc -l) ))
[ "$(wc -l < "$tmp/answers.ndjson")" -eq "$records" ] || fail "not one Bundle per record"
jq -e -s 'all(.[]; .resourceType == "Bundle")' "$tmp/answers.ndjson" > /dev/null || fail "not all Bundles"
[ "$(jq -r 'select(.type == "message") | .entry[0].resource.response.code' "$tmp/answers.ndjson" | sort -u)" = ok ] \
  || fail "a message without its response"
echo "fhir.sh: $n fail_ files, $cases cases, 4753 of 4753 corpus decisions identical, the message lifecycle"

#!/usr/bin/env bash
# CDS Hooks over the whole corpus (docs/cds.md): each of the 4,753 corpus
# referrals, as a sender's FHIR Bundle, sent to `triage serve` as an
# order-sign call (draftOrders = the Bundle) and its cards compared with the
# decision `triage check` gives the same referral: request_info gets exactly
# one warning card per missing item, naming it, and no other warning; every
# acute referral one critical card; every redirect one warning whose
# suggestion updates the ServiceRequest's performer to where the child
# belongs; an accept no warning and an info card with its unit. Prints the
# figures. The server's store holds the corpus (imported and run), so that a
# draft sees the child's earlier referrals exactly as `check` does; no draft
# is stored: the store's referrals are as many after as before.
set -euo pipefail
triage=$(realpath "${1:?usage: cds.sh TRIAGE_EXE}")
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v curl >/dev/null || fail "curl is needed (.ci/setup installs it)"

"$triage" corpus --format fhir --out "$tmp/c" >/dev/null
in=$tmp/c/referrals.fhir.ndjson
[ "$(wc -l < "$in")" -eq 4753 ] || fail "not 4,753 Bundles"
"$triage" check --rules "$root/rules" --format json "$in" > "$tmp/want.jsonl"
"$triage" import --db "$tmp/db" "$in" >/dev/null
"$triage" run --db "$tmp/db" --rules "$root/rules" >/dev/null
count() { "$triage" status --rules "$root/rules" --db "$tmp/db" | sed -n 's/^referrals: *\([0-9]*\).*/\1/p'; }
before=$(count)

"$triage" serve --db "$tmp/db" --rules "$root/rules" --listen 127.0.0.1:0 --threads 2 \
  2> "$tmp/serve.log" &
pid=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$tmp/serve.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "the server did not start: $(cat "$tmp/serve.log")"
url=http://127.0.0.1:$port/cds-services/buc-henvisning

# One order-sign request per referral, one curl for them all (keep-alive).
mkdir "$tmp/req"
jq -c '{hook: "order-sign", hookInstance: ("corpus-" + (input_line_number | tostring)),
        context: {userId: "PractitionerRole/henviser",
                  patientId: (.entry[] | select(.resource.resourceType == "Patient")
                              | .resource.id),
                  draftOrders: .}}' "$in" \
  | split -l 1 -a 5 -d - "$tmp/req/r"
for f in "$tmp"/req/r*; do
  printf 'url = "%s"\nheader = "Content-Type: application/json"\ndata-binary = "@%s"\nwrite-out = "\\n"\nnext\n' \
    "$url" "$f"
done | sed '$d' > "$tmp/curl.cfg"     # no "next" after the last
curl -s --config "$tmp/curl.cfg" > "$tmp/got.jsonl"
[ "$(wc -l < "$tmp/got.jsonl")" -eq 4753 ] || fail "not 4,753 answers"

# Each referral's decision beside its cards, judged.
jq -c -n --slurpfile fx "$root/rules/data/fhir.json" '
  def kind: .extension["dk.triage.kind"];
  def item: .extension["dk.triage.item"];
  [inputs] as $all | ($all | length / 2) as $n
  | range(0; $n) as $i | $all[$i] as $w | $all[$n + $i] as $g
  | ($g.cards // []) as $c
  | [$c[] | select(.indicator == "warning")] as $warn
  | [$c[] | select(.indicator == "critical")] as $crit
  | {id: $w.id, outcome: $w.outcome, acute: ($w.priority == "acute"),
     ok_missing: (if $w.outcome == "request_info" then
                    ([$warn[] | select(kind == "missing") | item] | sort) == ($w.missing | sort)
                    and ($warn | length) == ($w.missing | length)
                    and all($warn[]; (item) as $m | .summary | contains($fx[0].missing[$m]))
                  else true end),
     ok_acute: (if $w.priority == "acute" then ($crit | length) == 1 and
                  ($crit[0].links[0].url | startswith("tel:")) else ($crit | length) == 0 end),
     ok_redirect: (if $w.outcome == "redirect" then
                     ($warn | length) == 1 and ($warn[0] | kind) == "redirect"
                     and ($warn[0] | item) == $w.target
                     and $warn[0].selectionBehavior == "at-most-one"
                     and $warn[0].suggestions[0].actions[0].type == "update"
                     and $warn[0].suggestions[0].actions[0].resource.resourceType == "ServiceRequest"
                     and ($warn[0].suggestions[0].actions[0].resource.performer[0].display
                          | startswith($fx[0].target[$w.target] | split("{")[0]))
                   else true end),
     ok_accept: (if $w.outcome == "accept" then ($warn | length) == 0 and
                   ([$c[] | select(.indicator == "info" and kind == "accept" and item == $w.unit)]
                    | length) == 1
                 else true end),
     ok_card: all($c[]; (.uuid | test("^[0-9a-f-]{36}$")) and (.summary | length) < 140
                  and (.indicator | IN("info", "warning", "critical"))
                  and (.source.label | contains($w.ruleset))
                  and (if .indicator == "warning" then (.overrideReasons | length) > 0 else true end))}
  ' "$tmp/want.jsonl" "$tmp/got.jsonl" > "$tmp/judged.jsonl"

jq -s -r '
  def n(f): map(select(f)) | length;
  "cds corpus: \(length) referrals sent as order-sign calls",
  "  request_info \(n(.outcome == "request_info")): one warning per missing item, no more: \(n(.outcome == "request_info" and .ok_missing))",
  "  acute \(n(.acute)): a critical card: \(n(.acute and .ok_acute)); non-acute with no critical card: \(n((.acute | not) and .ok_acute))",
  "  redirect \(n(.outcome == "redirect")): a warning whose suggestion sets the right performer: \(n(.outcome == "redirect" and .ok_redirect))",
  "  accept \(n(.outcome == "accept")): no warning, an info card with the unit: \(n(.outcome == "accept" and .ok_accept))",
  "  reject \(n(.outcome == "reject")), manual_review \(n(.outcome == "manual_review"))",
  "  every card: uuid, summary under 140, indicator, source naming the rule set: \(n(.ok_card))"
' "$tmp/judged.jsonl"

# The suggestions' resources (each redirect's ServiceRequest with its new
# performer), for FHIR.js: tests/fhir/run.sh sets CDS_ACTIONS_OUT and validates them.
jq -c '.cards[]?.suggestions[]?.actions[]?.resource' "$tmp/got.jsonl" \
  > "${CDS_ACTIONS_OUT:-$tmp/actions.ndjson}"
[ "$(wc -l < "${CDS_ACTIONS_OUT:-$tmp/actions.ndjson}")" -eq "$(jq -s 'map(select(.outcome == "redirect")) | length' "$tmp/want.jsonl")" ] \
  || fail "not one suggested ServiceRequest per redirect"

bad=$(jq -c 'select((.ok_missing and .ok_acute and .ok_redirect and .ok_accept and .ok_card) | not)' \
      "$tmp/judged.jsonl" | head -5)
[ -z "$bad" ] || fail "cards not as the decisions say, e.g.: $bad"
after=$(count)
[ "$before" = 4753 ] && [ "$after" = 4753 ] || fail "drafts were stored: $before referrals before, $after after"
if grep -Eq '[0-9]{6}-?[0-9]{4}' "$tmp/serve.log"; then fail "a CPR-like number in the server log"; fi
echo "cds corpus: all 4,753 as the decisions say"

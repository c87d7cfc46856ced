#!/usr/bin/env bash
# run.sh — validate every FHIR resource the engine writes with FHIR.js (npm
# `fhir` 4.12.0, FHIR R4, offline), for all examples and the whole 4,753
# corpus: what test_fhir writes (every tests/data/fhir case, native answers,
# exported examples, the corpus in each Bundle form); `triage check --format
# fhir` over the spec examples, the FHIR cases and the corpus both native and
# as FHIR; `triage export --format fhir` of the corpus imported as FHIR and
# decided, and of a message's life (update, cancel); and what `triage serve`
# answers over FHIR (POST /fhir for every example, case, bad file and corpus
# Bundle, GET of each Task and ServiceRequest answered, the
# CapabilityStatement); and the ServiceRequests the CDS Hooks service
# suggests (tests/cds.sh). validate.js checks each resource.
# Usage: tests/fhir/run.sh [BUILD_DIR]   (default build; needs BUILD/triage, BUILD/test_fhir)
# CTest runs it (fhir_validate) where node and npm were found; else .ci/run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
triage=$build/triage
data=$root/tests/data/fhir
rules=(--rules "$root/rules")
command -v npm >/dev/null || "$root/.ci/setup" nodejs npm
(cd "$here" && npm ci --no-audit --no-fund --silent)
t0=$SECONDS; phase() { echo "run.sh: $* ($((SECONDS - t0)) s)"; }
out=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$out"; }
trap cleanup EXIT

# 1. The engine's own writers, through test_fhir.
(cd "$build" && TRIAGE_FHIR_NDJSON="$out/test_fhir.ndjson" ./test_fhir > "$out/test.log" 2>&1) || {
    cat "$out/test.log" >&2
    exit 1
}

phase "test_fhir"
# 2. check --format fhir.
"$triage" corpus --out "$out/native" > /dev/null
"$triage" corpus --format fhir --out "$out/fhir" > /dev/null
"$triage" check "${rules[@]}" --format fhir "$root"/tests/spec/examples/*.referral.json \
  "$data"/[0-9][0-9]-*.fhir.json > "$out/check-cases.ndjson"
"$triage" check "${rules[@]}" --format fhir "$out/native/referrals.jsonl" > "$out/check-native.ndjson"
"$triage" check "${rules[@]}" --format fhir "$out/fhir/referrals.fhir.ndjson" > "$out/check-fhir.ndjson"

phase "check --format fhir"
# 3. export --format fhir.
"$triage" import --db "$out/corpus.db" "$out/fhir/referrals.fhir.ndjson" > /dev/null
"$triage" run --db "$out/corpus.db" "${rules[@]}" > /dev/null
"$triage" export --db "$out/corpus.db" --format fhir "${rules[@]}" > "$out/export-corpus.ndjson" 2>/dev/null
for m in 01 02 03; do
  "$triage" import --db "$out/life.db" "$data"/$m-*.fhir.json > /dev/null
  "$triage" run --db "$out/life.db" "${rules[@]}" > /dev/null
  "$triage" export --db "$out/life.db" --format fhir "${rules[@]}" >> "$out/export-life.ndjson" 2>/dev/null
done
"$triage" import --db "$out/life.db" "$data"/0[4-9]-*.fhir.json "$data"/1[0-9]-*.fhir.json > /dev/null
"$triage" run --db "$out/life.db" "${rules[@]}" > /dev/null
"$triage" export --db "$out/life.db" --format fhir "${rules[@]}" >> "$out/export-life.ndjson" 2>/dev/null

phase "export --format fhir"
# 4. triage serve over FHIR.
"$triage" serve --db "$out/serve.db" "${rules[@]}" --listen 127.0.0.1:0 2> "$out/serve.log" &
pid=$!
for _ in $(seq 1 300); do
  grep -q '(port [0-9]*)' "$out/serve.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$out/serve.log" >&2; exit 1; }
  sleep 0.1
done
port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$out/serve.log" | head -1)
[ -n "$port" ] || { echo "run.sh: triage serve did not start" >&2; cat "$out/serve.log" >&2; exit 1; }
node "$here/post.js" "http://127.0.0.1:$port" "$out/serve.ndjson" \
  "$root"/tests/spec/examples/*.referral.json "$data"/[0-9][0-9]-*.fhir.json "$data"/fail_*.json \
  "$out/fhir/referrals.fhir.ndjson"

phase "POST /fhir"
# 5. The CDS Hooks service's suggested ServiceRequests (a redirect's new performer),
#    for every corpus referral sent as an order-sign call (tests/cds.sh).
CDS_ACTIONS_OUT="$out/cds-actions.ndjson" bash "$root/tests/cds.sh" "$triage" > /dev/null
phase "CDS Hooks suggestions"
node "$here/validate.js" "$out"/*.ndjson
phase "FHIR.js"

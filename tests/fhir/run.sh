#!/usr/bin/env bash
# run.sh — validate every FHIR Bundle the engine writes with FHIR.js (npm
# `fhir` 4.12.0, FHIR R4, offline): test_fhir writes the answers to every
# tests/data/fhir case (as sent and as native records), the exported examples
# and pass files, and a sample of the corpus in each Bundle form; validate.js
# checks each Bundle and every resource in it.
# Usage: tests/fhir/run.sh [BUILD_DIR]   (default build; needs BUILD/test_fhir)
# Not part of ctest (it installs from npm): CI calls it from .ci/run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
command -v npm >/dev/null || "$root/.ci/setup" nodejs npm
(cd "$here" && npm ci --no-audit --no-fund --silent)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd "$build" && TRIAGE_FHIR_NDJSON="$out/bundles.ndjson" ./test_fhir > "$out/test.log" 2>&1) || {
    cat "$out/test.log" >&2
    exit 1
}
node "$here/validate.js" "$out/bundles.ndjson"

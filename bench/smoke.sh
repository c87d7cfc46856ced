#!/usr/bin/env bash
# bench/smoke.sh — the `bench` ctest: bench/run on a tiny corpus must end with
# one JSON object holding the keys tools rely on. It asserts no time.
# usage: bench/smoke.sh PATH/TO/triage   (triage-bench is found beside it)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export TRIAGE=${1:?usage: bench/smoke.sh TRIAGE}
out=$("$here/run" --sizes 200 --reps 1 --json --work "$(dirname "$TRIAGE")/bench-smoke")
last=$(printf '%s\n' "$out" | tail -n 1)
keys="referrals threads decide_per_s run_seconds run_loop_seconds run_read_seconds run_store_seconds run_commit_seconds import_seconds p50_us p99_us peak_rss_mb reload_ms empty_decide_per_s fhir_e2e_per_s fhir_parse_us native_e2e_per_s"
if command -v jq >/dev/null; then
    printf '%s' "$last" | jq -e . >/dev/null || { echo "FAIL: last line is not JSON: $last"; exit 1; }
    for k in $keys; do
        printf '%s' "$last" | jq -e --arg k "$k" 'has($k) and (.[$k] | type == "number")' >/dev/null ||
            { echo "FAIL: no number '$k' in: $last"; exit 1; }
    done
    [ "$(printf '%s' "$last" | jq '.referrals')" = 200 ] || { echo "FAIL: referrals is not 200"; exit 1; }
    [ "$(printf '%s' "$last" | jq '.decide_per_s > 0 and .run_seconds > 0')" = true ] ||
        { echo "FAIL: a figure is not positive: $last"; exit 1; }
    # with more than one core: each core's one-thread rate, and each thread
    # count against the cores' rates
    if [ "$(nproc)" -gt 1 ] && command -v taskset >/dev/null; then
        [ "$(printf '%s' "$last" | jq '(.per_cpu | length) == ('"$(nproc)"') and
             ([.per_cpu[]] | all(. > 0)) and (.scaling["2"].of_cores > 0)')" = true ] ||
            { echo "FAIL: no per_cpu rates or of_cores: $last"; exit 1; }
    fi
else
    python3 - "$last" $keys <<'PY'
import json, sys
o = json.loads(sys.argv[1])
for k in sys.argv[2:]:
    assert isinstance(o.get(k), (int, float)), "no number %r" % k
assert o["referrals"] == 200 and o["decide_per_s"] > 0 and o["run_seconds"] > 0
import os, shutil
if len(os.sched_getaffinity(0)) > 1 and shutil.which("taskset"):
    assert len(o["per_cpu"]) == len(os.sched_getaffinity(0)) and all(v > 0 for v in o["per_cpu"].values())
    assert o["scaling"]["2"]["of_cores"] > 0
PY
fi
echo "ok: bench/run --json has $keys"

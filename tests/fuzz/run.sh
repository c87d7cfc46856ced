#!/usr/bin/env bash
# run.sh — build the libFuzzer targets (clang, ASan+UBSan) in build-fuzz and
# run each for SECONDS (default 60), or with --long until it has run RUNS
# inputs (default 10,000,000; not for CI: hours, best at `nice -n 19`). Fails
# if any target finds a crash, a hang (-timeout) or a leak; the input is left
# in build-fuzz/artifacts/. One line per target (executions, artifacts) in
# build-fuzz/fuzz-summary.txt.
# --long runs each process in slices of FUZZ_SLICE inputs (default 300,000):
# a libFuzzer process under ASan slows as it ages (fuzz_fhir from ~2,700 to
# ~1,100 inputs/s in 20 minutes), a fresh one on the same corpus does not.
# usage: tests/fuzz/run.sh [SECONDS] [TARGET...]     (targets: referral parse rules text fhir)
#        tests/fuzz/run.sh --long [RUNS] [TARGET...]   (FUZZ_JOBS=N: N processes a target)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
limit=(-max_total_time="${1:-60}")
if [ "${1:-}" = --long ]; then
  shift
  runs=10000000
  case "${1:-}" in ''|*[!0-9]*) ;; *) runs=$1; shift ;; esac
else
  shift || true
fi
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(referral parse rules text fhir)
bld=${TRIAGE_FUZZ_BUILD:-$src/build-fuzz}
slice=${FUZZ_SLICE:-300000}

CC=${CC:-clang} cmake -S "$src" -B "$bld" -DCMAKE_C_COMPILER="${CC:-clang}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRIAGE_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$bld" -j"${JOBS:-2}" --target $(printf 'fuzz_%s ' "${targets[@]}") >/dev/null

declare -A seeds=(
  [referral]="$src/tests/data/referral $src/tests/spec/examples $src/tests/data/fuzz/referral"
  [parse]="$here/seeds/parse $src/tests/data/fuzz/parse"
  [rules]="$here/seeds/rules $src/rules $src/tests/data/fuzz/rules"
  [text]="$here/seeds/text $src/tests/data/fuzz/text"
  [fhir]="$src/tests/data/fhir $src/tests/data/fuzz/fhir"
)
declare -A opts=(
  [referral]="-max_len=65536 -dict=$here/json.dict"
  [parse]="-max_len=64"
  [rules]="-max_len=4096 -dict=$here/lua.dict"
  [text]="-max_len=2048"
  [fhir]="-max_len=65536 -dict=$here/json.dict"
)

# One process's share: the whole time limit (a short run), or SHARE inputs in
# fresh processes of at most FUZZ_SLICE each. Its executions go to COUNT; its
# status is the first failing process's.
fuzz_job() {
  local share=$1 jlog=$2 count=$3 ran=0 n step lim rc=0
  : >"$jlog"
  echo 0 >"$count"
  while :; do
    if [ "$share" -gt 0 ]; then
      [ "$ran" -ge "$share" ] && break
      step=$(( share - ran ))
      [ "$step" -gt "$slice" ] && step=$slice
      lim=(-runs="$step")
    else
      lim=("${limit[@]}")
    fi
    # shellcheck disable=SC2086
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$bld/fuzz_$t" ${opts[$t]} "${lim[@]}" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$art/" "$corpus" "${existing[@]}" \
        >"$jlog.slice" 2>&1 || rc=$?
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$jlog.slice" | tail -1)
    cat "$jlog.slice" >>"$jlog"
    rm -f "$jlog.slice"
    ran=$(( ran + ${n:-0} ))
    echo "$ran" >"$count"
    if [ "$rc" -ne 0 ] || [ "$share" -eq 0 ] || [ "${n:-0}" -eq 0 ]; then break; fi
  done
  return "$rc"
}

status=0
summary="$bld/fuzz-summary.txt"
: >"$summary"
for t in "${targets[@]}"; do
  corpus="$bld/corpus/$t"
  art="$bld/artifacts/$t"
  mkdir -p "$corpus" "$art"
  log="$bld/fuzz-$t.log"
  existing=()
  for d in ${seeds[$t]}; do [ -d "$d" ] && existing+=("$d"); done
  # --long with FUZZ_JOBS=N: N processes share the target's runs and corpus
  jobs=1 share=0
  if [ -n "${runs:-}" ]; then
    jobs=${FUZZ_JOBS:-1}
    share=$(( (runs + jobs - 1) / jobs ))
    echo "fuzz_$t: $share inputs x $jobs, in slices of $slice"
  else
    echo "fuzz_$t: ${limit[*]}"
  fi
  rc=0 execs=0
  for j in $(seq 1 "$jobs"); do
    jlog=$log; [ "$jobs" -gt 1 ] && jlog="$bld/fuzz-$t.$j.log"
    fuzz_job "$share" "$jlog" "$bld/fuzz-$t.$j.count" &
  done
  for j in $(seq 1 "$jobs"); do
    wait -n || rc=$?
  done
  for j in $(seq 1 "$jobs"); do
    n=$(cat "$bld/fuzz-$t.$j.count" 2>/dev/null || echo 0)
    execs=$(( execs + n ))
  done
  [ "$jobs" -gt 1 ] && cat "$bld"/fuzz-"$t".*.log >"$log"
  found=$(find "$art" -type f | wc -l)
  printf '%-10s rc=%d executions=%s artifacts=%d\n' "$t" "$rc" "${execs:-?}" "$found" | tee -a "$summary"
  if [ $rc -ne 0 ] || [ "$found" -ne 0 ]; then
    status=1
    echo "fuzz_$t found a problem; the input is in $art/ and the log in $log:" >&2
    grep -E 'ERROR|SUMMARY|fuzz invariant|Test unit written' "$log" | head -20 >&2 || true
  fi
done
exit $status

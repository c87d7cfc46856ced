#!/usr/bin/env bash
# run.sh — build the libFuzzer targets (clang, ASan+UBSan) in build-fuzz and
# run each for SECONDS (default 60). Fails if any target finds a crash, a
# hang (-timeout) or a leak; the input is left in build-fuzz/artifacts/.
# usage: tests/fuzz/run.sh [SECONDS] [TARGET...]     (targets: referral parse rules text fhir)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(referral parse rules text fhir)
bld=${TRIAGE_FUZZ_BUILD:-$src/build-fuzz}

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
  echo "fuzz_$t: ${secs}s"
  set +e
  # shellcheck disable=SC2086
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bld/fuzz_$t" ${opts[$t]} -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$art/" "$corpus" "${existing[@]}" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  found=$(find "$art" -type f | wc -l)
  printf '%-10s rc=%d executions=%s artifacts=%d\n' "$t" "$rc" "${execs:-?}" "$found" | tee -a "$summary"
  if [ $rc -ne 0 ] || [ "$found" -ne 0 ]; then
    status=1
    echo "fuzz_$t found a problem; the input is in $art/ and the log in $log:" >&2
    grep -E 'ERROR|SUMMARY|fuzz invariant|Test unit written' "$log" | head -20 >&2 || true
  fi
done
exit $status

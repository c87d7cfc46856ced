# tests/lib/baseline.sh — comparing decisions with a committed baseline
# (sourced by tests/decisions_baseline.sh and tests/run_threads.sh).
# same_decisions WANT GOT WHAT: 0 when the JSON Lines files are identical;
# else says how many of WHAT's decisions differ, shows the first, returns 1.
same_decisions() {
  diff -q "$1" "$2" >/dev/null && return 0
  local n
  n=$(diff "$1" "$2" | grep -c '^>' || true)
  echo "FAIL: $n $3 decisions differ from the baseline; the first ones:" >&2
  diff "$1" "$2" | head -20 >&2
  return 1
}

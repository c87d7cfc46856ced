#!/usr/bin/env bash
# run.sh — the crash-safety check at length: ROUNDS (default 100) kill -9
# rounds of `triage run` and as many of `triage serve` under load, then each
# run to the end: 0 decisions lost or duplicated, every acknowledged referral
# kept, SQLite's integrity check after every round (tests/test_crash.c; CI
# runs it under CTest with a few rounds). Kills land where the store says
# (a chunk decided and waiting for the write lock the test holds, a chunk
# committed, decisions stored under load), never after a guessed delay.
# usage: tests/crash/run.sh [ROUNDS] [BUILD_DIR]      (build first: .ci/build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-100}
bld=${2:-${BUILD_DIR:-$root/build}}
case "$rounds" in ''|*[!0-9]*|0) echo "run.sh: ROUNDS must be a positive number" >&2; exit 1 ;; esac
[ -x "$bld/test_crash" ] || { echo "run.sh: no $bld/test_crash; build first (.ci/build)" >&2; exit 1; }
cd "$bld"
TRIAGE_CRASH_ROUNDS=$rounds ./test_crash

#!/usr/bin/env bash
# Runs one test case of a Catch2 test binary again and again, several at a time, beside a busy
# CPU, to catch a failure too rare for one run (by hand; never from scripts/test.sh).
#
#   scripts/stress_test.sh BINARY 'TEST CASE NAME' [ROUNDS] [AT_ONCE]
#
# e.g. scripts/stress_test.sh build/tests/property/pgt/property_live \
#        'WAL capture: writes to several sources and refreshes of each in turn leave every stream table exact' 100 3
# The output of each failed run is kept in a folder this prints; the last line counts the runs.
# Uses the installed extension, as the suites do (PGT_PG_BIN picks another installation).
set -uo pipefail
[ $# -ge 2 ] || { sed -n 2,10p "$0" >&2; exit 2; }
binary="$(realpath "$1")" test_case="$2" rounds="${3:-50}" at_once="${4:-3}"
# (Catch2 exits with the number of test cases it lists.)
names="$("$binary" --list-test-names-only || true)"
grep -qxF "$test_case" <<<"$names" || { echo "$1 has no test case named: $test_case" >&2; exit 2; }
kept="$(mktemp -d /tmp/pgt_stress.XXXXXX)"
echo "failed runs' output: $kept"
( while :; do :; done ) &
busy=$!
trap 'kill $busy 2>/dev/null' EXIT
passed=0 failed=0
for round in $(seq 1 "$rounds"); do
    pids=()
    for run in $(seq 1 "$at_once"); do
        ( timeout 600 "$binary" "$test_case" > "$kept/$round.$run.log" 2>&1 ) &
        pids+=($!)
    done
    for run in $(seq 1 "$at_once"); do
        if wait "${pids[$((run - 1))]}"; then
            passed=$((passed + 1))
            rm -f "$kept/$round.$run.log"
        else
            failed=$((failed + 1))
            echo "round $round, run $run failed: $kept/$round.$run.log"
        fi
    done
done
echo "$passed passed, $failed failed"

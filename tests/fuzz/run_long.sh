#!/usr/bin/env bash
# The long fuzz run, by hand: about 900 kept queries in AUTO, DIFFERENTIAL and IMMEDIATE, on a
# held-out schema and seeds (not those of the short run in the test suite). Prints the report;
# repro files of findings go to build/tests/fuzz/long-repro. Takes about an hour on 2 cores.
# Arguments are passed on (e.g. --seed 7 --schema-seed 9 to hold out other ones).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${PGT_BUILD_DIR:-$here/build}"
cmake --build "$build" --target pgt_fuzz -j "$(nproc)" >/dev/null
# The fuzzer loads the installed extension.
cmake --install "$build" --component extension >/dev/null
out="$build/tests/fuzz"
exec "$out/pgt_fuzz" --seed 1001 --schema-seed 1002 --queries 900 --rounds 3 --jobs "$(nproc)" \
    --report "$out/long-report.txt" --repro-dir "$out/long-repro" "$@"

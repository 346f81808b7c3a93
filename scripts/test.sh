#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs every test suite.
# The last line it prints is the summary `N passed, M failed`.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source scripts/lib/deps.sh
pgt_install_deps || { echo "0 passed, 1 failed"; exit 1; }

build="${PGT_BUILD_DIR:-$here/build}"
jobs="$(nproc)"
if ! cmake -S . -B "$build" -DCMAKE_BUILD_TYPE="${PGT_BUILD_TYPE:-Release}" >"$build.configure.log" 2>&1; then
    cat "$build.configure.log"; echo "0 passed, 1 failed"; exit 1
fi
if ! cmake --build "$build" -j "$jobs"; then
    echo "0 passed, 1 failed"; exit 1
fi
# Suites that need a server use the installed extension.
if [ -f "$build/src/pg_trickle.so" ] && ! cmake --install "$build" --component extension >/dev/null; then
    echo "0 passed, 1 failed"; exit 1
fi

log="$build/ctest.log"
ctest --test-dir "$build" --output-on-failure -j "$jobs" ${PGT_CTEST_ARGS:-} 2>&1 | tee "$log"
summary="$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)"
if [ -z "$summary" ]; then
    echo "0 passed, 1 failed"; exit 1
fi
failed="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")"
total="$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$summary")"
echo "$((total - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]

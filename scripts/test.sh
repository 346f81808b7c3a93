#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs every test suite.
#   scripts/test.sh             with the PostgreSQL that PG_CONFIG names, else the newest
#                               installed, else Debian's default
#   scripts/test.sh --pg 15|17|18
#                               the same inside the Debian root file system of that major
#                               (scripts/lib/pg_root.sh), built in build-pg<major>
# The last line it prints is the summary `N passed, M failed`.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
if [ "${1:-}" = --pg ]; then
    source scripts/lib/pg_root.sh
    major="${2:-}"
    pgt_root_make "$major" || { echo "0 passed, 1 failed"; exit 1; }
    # PostgreSQL 18 runs the Citus test too (tests/citus): Citus built from the vendored source,
    # once. Without its source the rest runs, and says so.
    if [ "$major" = 18 ]; then
        source scripts/lib/citus.sh
        pgt_citus_make || echo "==> Citus not built: the Citus test is left out" >&2
    fi
    PGT_BUILD_DIR="${PGT_BUILD_DIR:-$here/build-pg$major}" PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" \
        pgt_root_run "$major" bash scripts/test.sh
    exit
fi
source scripts/lib/deps.sh
pgt_install_deps || { echo "0 passed, 1 failed"; exit 1; }

build="${PGT_BUILD_DIR:-$here/build}"
jobs="$(nproc)"
if ! cmake -S . -B "$build" -DCMAKE_BUILD_TYPE="${PGT_BUILD_TYPE:-Release}" -DPG_CONFIG="$PG_CONFIG" \
    >"$build.configure.log" 2>&1; then
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

#!/usr/bin/env bash
# Runs pg_regress suites against a temporary PostgreSQL instance with pg_trickle preloaded.
#   tests/regress/run.sh NAME...   run sql/NAME.sql against expected/NAME.out
# With PGT_SUITE=isolation, runs tests/isolation's specs/NAME.spec with pg_isolation_regress
# (concurrent sessions) the same way.
# The installed extension is used (cmake --install), with the PostgreSQL of PGT_PG_BIN (CTest
# sets the one the build is for), else of pg_config on the PATH. As root, pg_regress runs as the
# postgres user (initdb refuses root) in a scratch copy of this folder; results/ and
# regression.diffs are copied back here on failure.
set -euo pipefail
config="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/regression.conf"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../${PGT_SUITE:-regress}" && pwd)"
bindir="${PGT_PG_BIN:-$(pg_config --bindir)}"
tool=pg_regress
[ "${PGT_SUITE:-regress}" = isolation ] && tool=pg_isolation_regress
regress="$(dirname "$("$bindir/pg_config" --pgxs)")/../test/${PGT_SUITE:-regress}/$tool"

work="$(mktemp -d /tmp/pgt_regress_XXXXXX)"
trap 'rm -rf "$work"' EXIT
cp -r "$here/expected" "$config" "$work/"
for d in sql specs input include; do if [ -d "$here/$d" ]; then cp -r "$here/$d" "$work/"; fi; done
run_as=()
if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres: "$work"
    run_as=(runuser -u postgres --)
fi
port=$(( 20000 + (RANDOM % 20000) ))
status=0
(cd "$work" && "${run_as[@]}" "$regress" --temp-instance="$work/instance" --temp-config="$work/regression.conf" \
    --port="$port" --bindir="$bindir" --inputdir="$work" --outputdir="$work" --dbname=regression \
    --load-extension=pg_trickle "$@") || status=$?
if [ "$status" -ne 0 ]; then
    rm -rf "$here/results"; cp -r "$work/results" "$here/results" 2>/dev/null || true
    cp "$work/regression.diffs" "$here/regression.diffs" 2>/dev/null || true
    cat "$work/regression.diffs" 2>/dev/null | head -200 || true
fi
exit "$status"

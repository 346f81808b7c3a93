#!/usr/bin/env bash
# Runs a benchmark against another PostgreSQL major, inside that major's Debian root file system
# (scripts/lib/pg_root.sh, the one `scripts/test.sh --pg` uses):
#   bench/on_pg.sh 15|17|18 bench/sql/immediate.sh [arguments]
# Builds pg_trickle there (Release, in build-pg<major>, as scripts/test.sh --pg does), installs
# the extension into that PostgreSQL and runs the command with PG_CONFIG naming it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source scripts/lib/pg_root.sh
major="${1:?usage: bench/on_pg.sh 15|17|18 COMMAND [ARGUMENTS]}"
shift
pgt_root_make "$major"
PGT_BUILD_DIR="$here/build-pg$major" PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" pgt_root_run "$major" bash -euc '
    cmake -S . -B "$PGT_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DPG_CONFIG="$PG_CONFIG" >/dev/null
    cmake --build "$PGT_BUILD_DIR" -j "$(nproc)" --target pg_trickle >/dev/null
    cmake --install "$PGT_BUILD_DIR" --component extension >/dev/null
    exec "$@"' _ "$@"

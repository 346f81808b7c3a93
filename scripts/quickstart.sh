#!/usr/bin/env bash
# The README's first command: installs dependencies, builds and installs pg_trickle, starts a
# local PostgreSQL with pg_trickle preloaded (data in ./.pgdata), runs chapter 1 of
# docs/GETTING_STARTED.md, and prints how to connect. Safe to re-run. The PostgreSQL is the one
# PG_CONFIG names, else the newest installed, else Debian's default.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source scripts/lib/deps.sh
pgt_install_deps
major="$(pgt_pg_major)"
bin="$("$PG_CONFIG" --bindir)"
data="$here/.pgdata"
if [ -f "$data/db/PG_VERSION" ] && [ "$(cat "$data/db/PG_VERSION")" != "$major" ]; then
    echo "$data holds a PostgreSQL $(cat "$data/db/PG_VERSION") cluster, not $major: remove it, or set PG_CONFIG" >&2
    exit 1
fi
build="${PGT_BUILD_DIR:-$here/build}"

echo "==> building pg_trickle"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DPG_CONFIG="$PG_CONFIG" >/dev/null
cmake --build "$build" -j "$(nproc)" --target pg_trickle >/dev/null
echo "==> installing the extension into $("$bin/pg_config" --pkglibdir)"
cmake --install "$build" --component extension >/dev/null

as_owner=()
if [ "$(id -u)" -eq 0 ]; then as_owner=(runuser -u postgres --); fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ -f "$data/port" ] && "${as_owner[@]}" "$bin/pg_ctl" -D "$data/db" status >/dev/null 2>&1; then
    port="$(cat "$data/port")"
    echo "==> PostgreSQL already running on port $port"
else
    if [ ! -d "$data/db" ]; then
        echo "==> creating a cluster in $data"
        mkdir -p "$data"
        [ "$(id -u)" -eq 0 ] && chown postgres: "$data"
        "${as_owner[@]}" "$bin/initdb" -D "$data/db" -U postgres -A trust --locale=C.UTF-8 --encoding=UTF8 >/dev/null
        cat >>"$data/db/postgresql.conf" <<CONF
shared_preload_libraries = 'pg_trickle'
listen_addresses = 'localhost'
unix_socket_directories = '$data'
CONF
    fi
    port="$(cat "$data/port" 2>/dev/null || echo 5433)"
    while port_in_use "$port"; do port=$((port + 1)); done
    echo "$port" > "$data/port"
    echo "==> starting PostgreSQL $major on port $port"
    "${as_owner[@]}" "$bin/pg_ctl" -D "$data/db" -l "$data/server.log" -o "-p $port" -w start >/dev/null
fi

psql_cmd=(psql -X -q -h "$data" -p "$port" -U postgres -d postgres)
echo "==> chapter 1 of docs/GETTING_STARTED.md: a stream table before and after a change"
"${psql_cmd[@]}" -v ON_ERROR_STOP=1 -f docs/getting_started/chapter1.sql

cat <<MSG

pg_trickle is running. Connect with:
    psql -h localhost -p $port -U postgres
Continue with chapter 2 of docs/GETTING_STARTED.md. Stop the server with:
    ${as_owner[*]} $bin/pg_ctl -D $data/db stop
MSG

#!/usr/bin/env bash
# A local Citus cluster with pg_trickle, in one command (docs/SCALE_OUT.md §3):
#   scripts/citus_cluster.sh start    builds Citus (once) and pg_trickle into the PostgreSQL 18
#                                      root (scripts/lib/pg_root.sh), then starts a coordinator
#                                      and two workers on localhost, pg_trickle preloaded on all
#                                      three, and makes the cluster on first start
#   scripts/citus_cluster.sh stop     stops the three servers
#   scripts/citus_cluster.sh status   which servers run, and the coordinator's nodes
#   scripts/citus_cluster.sh destroy  stops them and deletes their data
# Ports: PGT_CITUS_PORT (default 9700) for the coordinator, the next ones for the workers;
# PGT_CITUS_WORKERS workers (default 2); the data in the root, under PGT_CITUS_DATA (default
# /var/lib/pgt-citus), with the postgresql.conf lines PGT_CITUS_SETTINGS besides. Needs root
# (debootstrap, chroot).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/citus.sh

port="${PGT_CITUS_PORT:-9700}"
bin=/usr/lib/postgresql/18/bin
data="${PGT_CITUS_DATA:-/var/lib/pgt-citus}"
nodes=(coordinator)
for ((w = 1; w <= ${PGT_CITUS_WORKERS:-2}; w++)); do nodes+=("worker$w"); done

# in_root COMMAND…: COMMAND as the postgres user inside the PostgreSQL 18 root.
in_root() { pgt_root_run 18 runuser -u postgres -- "$@"; }
node_port() { echo $((port + $1)); }

build() {
    pgt_citus_make
    echo "==> building and installing pg_trickle for PostgreSQL 18 (build-pg18)"
    pgt_root_run 18 bash -c 'cmake -S . -B build-pg18 -DCMAKE_BUILD_TYPE=Release -DPG_CONFIG=/usr/lib/postgresql/18/bin/pg_config >build-pg18.configure.log &&
        cmake --build build-pg18 -j"$(nproc)" --target pg_trickle >/dev/null &&
        cmake --install build-pg18 --component extension >/dev/null'
}

start() {
    build
    local root fresh=0
    root="$(pgt_root_dir 18)"
    mkdir -p "$root$data" && pgt_root_run 18 chown postgres: "$data"
    for i in "${!nodes[@]}"; do
        local dir="$data/${nodes[$i]}"
        if [ ! -f "$root$dir/PG_VERSION" ]; then
            fresh=1
            in_root "$bin/initdb" -D "$dir" -U postgres -A trust --locale=C.UTF-8 >/dev/null
            # Citus first; logical replication for shard moves; prepared transactions for its
            # two-phase commits; the connections a parallel query opened to each worker kept
            # for the session's next statements (Citus keeps one by default: the others' backends
            # would exit on the workers while the next statement runs, e.g. a refresh).
            cat >>"$root$dir/postgresql.conf" <<CONF
port = $(node_port "$i")
listen_addresses = 'localhost'
unix_socket_directories = '/tmp'
shared_preload_libraries = 'citus, pg_trickle'
wal_level = logical
max_prepared_transactions = 100
max_connections = 200
citus.max_cached_conns_per_worker = 16
${PGT_CITUS_SETTINGS:-}
CONF
        fi
        if ! in_root "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
            in_root "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w start >/dev/null
        fi
    done
    if [ "$fresh" = 1 ]; then
        for i in "${!nodes[@]}"; do psql_node "$i" -c "CREATE EXTENSION citus" >/dev/null; done
        psql_node 0 -c "SELECT citus_set_coordinator_host('localhost', $(node_port 0))" >/dev/null
        for ((i = 1; i < ${#nodes[@]}; i++)); do psql_node 0 -c "SELECT citus_add_node('localhost', $(node_port "$i"))" >/dev/null; done
        psql_node 0 -c "CREATE EXTENSION pg_trickle" >/dev/null
    fi
    echo "coordinator: psql -h localhost -p $(node_port 0) -U postgres"
    for ((i = 1; i < ${#nodes[@]}; i++)); do echo "${nodes[$i]}:     psql -h localhost -p $(node_port "$i") -U postgres"; done
}

psql_node() { local i="$1"; shift; psql -X -q -v ON_ERROR_STOP=1 -h localhost -p "$(node_port "$i")" -U postgres -d postgres "$@"; }

stop() {
    for i in "${!nodes[@]}"; do
        in_root "$bin/pg_ctl" -D "$data/${nodes[$i]}" -m fast stop >/dev/null 2>&1 || true
    done
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status)
    for i in "${!nodes[@]}"; do
        echo "${nodes[$i]} (port $(node_port "$i")): $(in_root "$bin/pg_ctl" -D "$data/${nodes[$i]}" status >/dev/null 2>&1 && echo running || echo stopped)"
    done
    psql_node 0 -c "SELECT nodename, nodeport, noderole, isactive FROM pg_dist_node ORDER BY nodeid" 2>/dev/null || true
    ;;
destroy)
    stop
    rm -rf --one-file-system "$(pgt_root_dir 18)$data"
    ;;
*) echo "usage: $0 start|stop|status|destroy" >&2; exit 2 ;;
esac

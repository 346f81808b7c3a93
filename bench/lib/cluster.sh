# Sourced by the benchmark scripts: a throwaway PostgreSQL with pg_trickle (installed) preloaded,
# and the statistics they report. The PostgreSQL is PGT_PG_BIN's, else as scripts/lib/deps.sh
# chooses it (PG_CONFIG's, else the newest installed).
#
#   pgt_start_cluster PREFIX SETTINGS [CPUS]
#                                       initdb + start in a new /tmp/PREFIX_XXXXXX with these
#                                       postgresql.conf lines; sets $bin, $dir and psql=(…);
#                                       the cluster is stopped and removed when the script exits;
#                                       with CPUS (taskset's list), the server's processes run
#                                       on those CPUs only
#   median                              the median of the numbers on standard input
#   pgt_ms_until CONDITION              SQL of a DO block that waits until CONDITION holds
#                                       (polled every 2 ms) and raises a NOTICE with the ms waited

source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/deps.sh"

pgt_start_cluster() {
    bin="${PGT_PG_BIN:-$(pgt_pg_bindir)}"
    dir="$(mktemp -d "/tmp/$1_XXXXXX")"
    as_owner=()
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; as_owner=(runuser -u postgres --); fi
    trap '"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --locale=C >/dev/null
    {
        echo "shared_preload_libraries = 'pg_trickle'"
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$dir'"
        echo "$2"
    } >>"$dir/data/postgresql.conf"
    local pin=()
    if [ -n "${3:-}" ] && command -v taskset >/dev/null; then pin=(taskset -c "$3"); fi
    "${pin[@]}" "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null
    psql=(psql -X -q -At -h "$dir" -U postgres -d postgres -v ON_ERROR_STOP=1)
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

pgt_ms_until() {
    cat <<SQL
DO \$\$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
    LOOP
        EXIT WHEN $1;
        PERFORM pg_sleep(0.002);
    END LOOP;
    RAISE NOTICE '%', round(extract(epoch FROM clock_timestamp() - t0) * 1000);
END
\$\$;
SQL
}

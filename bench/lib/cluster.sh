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
#   $pgt_bulk_settings                  postgresql.conf lines of a bulk benchmark (1GB shared
#                                       buffers); $pgt_wal_settings, those that let pg_trickle
#                                       capture changes from the WAL
#   pgt_start_orders PREFIX [SETTINGS]  pgt_start_cluster with $pgt_bulk_settings (and these
#                                       lines), then pg_trickle and `orders`:
#                                       1,000,000 rows over 1,000 regions; sets $region_totals,
#                                       their aggregate
#   pgt_await_wal_capture N WHAT        waits up to 30 s until N sources are captured from the
#                                       WAL; else fails, naming WHAT
#   pgt_labelled LABEL STATEMENT        psql script lines timing STATEMENT under LABEL
#   pgt_label_times                     psql's output of such a script → "LABEL ms" lines
#   pgt_label_median LABEL              the median ms of LABEL among such lines on standard input
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

pgt_bulk_settings="shared_buffers = 1GB
work_mem = 64MB
max_wal_size = 8GB"
pgt_wal_settings="wal_level = logical
output_plugin_libraries = 'pgoutput, test_decoding, pg_trickle'
max_replication_slots = 4"

pgt_start_orders() {
    pgt_start_cluster "$1" "$pgt_bulk_settings${2:+
$2}"
    region_totals="SELECT region, count(*) AS orders, sum(amount) AS revenue FROM orders GROUP BY region"
    "${psql[@]}" >/dev/null <<SQL
CREATE EXTENSION pg_trickle;
CREATE TABLE orders (id bigint PRIMARY KEY, region text, amount numeric(10,2));
INSERT INTO orders SELECT i, 'r' || (i % 1000), (i % 10000) / 100.0 FROM generate_series(1, 1000000) i;
SQL
}

pgt_await_wal_capture() {
    local captured="SELECT pg_catalog.count(*) FROM pgtrickle.pgt_change_tracking WHERE cdc_mode = 'WAL'"
    for _ in $(seq 1 300); do
        [ "$("${psql[@]}" -c "$captured")" = "$1" ] && return 0
        sleep 0.1
    done
    echo "$2 did not switch to WAL capture" >&2
    return 1
}

pgt_labelled() { printf '\\echo @%s\n\\timing on\n%s;\n\\timing off\n' "$1" "$2"; }
pgt_label_times() { awk '/^@/ {label = substr($1, 2)} /^Time:/ {print label, $2}'; }
pgt_label_median() { awk -v l="$1" '$1 == l {print $2}' | median; }

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

# SQL: a DO block that changes one row of `table` (ids 1..`rows`) ten times a second for
# `seconds`, each change committed on its own.
pgt_writer_sql() {
    cat <<SQL
DO \$\$
BEGIN
    FOR i IN 1 .. $3 * 10 LOOP
        UPDATE $1 SET v = v + 1 WHERE id = 1 + (i * 7919) % $2;
        COMMIT;
        PERFORM pg_sleep(0.1);
    END LOOP;
END
\$\$;
SQL
}

# SQL: how late the scheduled refreshes of the stream tables named LIKE `pattern` began between
# `from` and `to`, each due every second: the gap between two of one stream table's refreshes
# less 1 s, the window's start and end counting as refreshes (one starved for the whole window
# is late by the whole window). One row: p50, p95 and max (ms), and how many refreshes.
pgt_lateness_sql() {
    cat <<SQL
WITH s AS (SELECT pgt_id FROM pgtrickle.pgt_stream_tables WHERE pgt_name LIKE '$1'),
r AS (
    SELECT h.pgt_id, h.start_time FROM pgtrickle.pgt_refresh_history h JOIN s USING (pgt_id)
    WHERE h.initiated_by = 'SCHEDULER' AND h.start_time BETWEEN '$2' AND '$3'
    UNION ALL SELECT pgt_id, '$2' FROM s
    UNION ALL SELECT pgt_id, '$3' FROM s
), g AS (
    SELECT start_time - lag(start_time) OVER (PARTITION BY pgt_id ORDER BY start_time) - interval '1 second' AS late FROM r
), l AS (SELECT greatest(extract(epoch FROM late), 0) * 1000 AS ms FROM g WHERE late IS NOT NULL)
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)), round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)),
       round(max(ms)), count(*) - (SELECT count(*) FROM s) FROM l
SQL
}

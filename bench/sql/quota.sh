#!/usr/bin/env bash
# Two databases sharing the cluster's refresh workers: bench/sql/quota.sh [seconds]
# Starts a throwaway PostgreSQL with pg_trickle, max_dynamic_refresh_workers = 4 and
# max_concurrent_refreshes = 4, and two databases: `busy`, 12 stream tables due every second
# whose refreshes take 1 s each (FULL, sleeping), enough to keep every worker of the cluster
# busy; and `quiet`, 10 aggregates due every second over a table a writer changes ten times a
# second. Runs `seconds` (default 60) with pg_trickle.per_database_worker_quota = 0 (no quota)
# and then = 2, and reports, side by side, how late the quiet database's refreshes began past
# their schedule (p50, p95, max, in ms; as slow_neighbour.sh measures it) and how many there were.
set -euo pipefail
seconds="${1:-60}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_cluster pgt_bench_quota "pg_trickle.scheduler_interval_ms = 100
max_worker_processes = 24
pg_trickle.max_dynamic_refresh_workers = 4
pg_trickle.max_concurrent_refreshes = 4"
busy=("${psql[@]}" -d busy)
quiet=("${psql[@]}" -d quiet)

"${psql[@]}" -c "CREATE DATABASE busy" -c "CREATE DATABASE quiet" >/dev/null
"${busy[@]}" >/dev/null <<'SQL'
CREATE EXTENSION pg_trickle;
CREATE TABLE src (v int);
INSERT INTO src VALUES (1);
SELECT pgtrickle.create_stream_table('slow_' || i, 'SELECT sum(v) + ' || i || ' AS total, pg_sleep(1) IS NOT NULL AS slept FROM src',
                                     schedule => '1s', refresh_mode => 'FULL', initialize => false)
FROM generate_series(1, 12) i;
SQL
"${quiet[@]}" >/dev/null <<'SQL'
CREATE EXTENSION pg_trickle;
CREATE TABLE src (id int PRIMARY KEY, g int, v int);
INSERT INTO src SELECT i, i % 50, i FROM generate_series(1, 10000) i;
SELECT pgtrickle.create_stream_table('fast_' || i, 'SELECT g, count(*) AS n, sum(v) + ' || i || ' AS total FROM src GROUP BY g',
                                     schedule => '1s', refresh_mode => 'DIFFERENTIAL')
FROM generate_series(1, 10) i;
SQL

# One run with quota $1: the busy database's stream tables are due all along (their source
# changes every half second), the quiet one's writer runs `seconds`; prints p50, p95 and max
# lateness and the number of the quiet database's refreshes.
one_run() {
    "${psql[@]}" -c "ALTER SYSTEM SET pg_trickle.per_database_worker_quota = $1" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 3
    local from to
    from=$("${quiet[@]}" -c "SELECT clock_timestamp()")
    "${busy[@]}" >/dev/null <<SQL &
DO \$\$
BEGIN
    FOR i IN 1 .. $seconds * 2 LOOP
        UPDATE src SET v = v + 1;
        COMMIT;
        PERFORM pg_sleep(0.5);
    END LOOP;
END
\$\$;
SQL
    pgt_writer_sql src 10000 "$seconds" | "${quiet[@]}" >/dev/null
    wait
    to=$("${quiet[@]}" -c "SELECT clock_timestamp()")
    pgt_lateness_sql 'fast_%' "$from" "$to" | "${quiet[@]}" -F ' '
}
read -r p50_0 p95_0 max_0 n_0 <<<"$(one_run 0)"
read -r p50_2 p95_2 max_2 n_2 <<<"$(one_run 2)"
echo "| quiet database beside a saturating one, ${seconds} s | refreshes | lateness p50 (ms) | p95 (ms) | max (ms) |"
echo "|---|---:|---:|---:|---:|"
echo "| per_database_worker_quota = 0 (none) | $n_0 | $p50_0 | $p95_0 | $max_0 |"
echo "| per_database_worker_quota = 2 | $n_2 | $p50_2 | $p95_2 | $max_2 |"

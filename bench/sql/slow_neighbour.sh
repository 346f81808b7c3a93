#!/usr/bin/env bash
# A slow refresh beside fast ones: bench/sql/slow_neighbour.sh [seconds] [slow_seconds]
# Starts a throwaway PostgreSQL with pg_trickle, 20 stream tables due every second (aggregates
# over one source that a writer changes ten times a second) and one whose refresh takes
# `slow_seconds` (default 30: a FULL refresh that sleeps). Runs `seconds` (default 75) with
# pg_trickle.max_concurrent_refreshes = 1 (the scheduler refreshes one unit at a time, as every
# tick did before it stopped waiting for its refreshes) and then = 4, and reports, side by side,
# how late the 20 fast stream tables' refreshes began past their schedule: the time between two
# refreshes of one stream table less its 1 s schedule, the run's start and end counting as
# refreshes (p50, p95, max, in ms).
set -euo pipefail
seconds="${1:-75}"
slow="${2:-30}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_cluster pgt_bench_slow_neighbour "pg_trickle.scheduler_interval_ms = 100
max_worker_processes = 16"

"${psql[@]}" >/dev/null <<SQL
CREATE EXTENSION pg_trickle;
CREATE TABLE src (id int PRIMARY KEY, g int, v int);
INSERT INTO src SELECT i, i % 50, i FROM generate_series(1, 10000) i;
SELECT pgtrickle.create_stream_table('fast_' || i, 'SELECT g, count(*) AS n, sum(v) + ' || i || ' AS total FROM src GROUP BY g',
                                     schedule => '1s', refresh_mode => 'DIFFERENTIAL')
FROM generate_series(1, 20) i;
SELECT pgtrickle.create_stream_table('slow', 'SELECT count(*) AS n, pg_sleep($slow) IS NOT NULL AS slept FROM src',
                                     schedule => '1s', refresh_mode => 'FULL', initialize => false);
SQL

# One run: the writer changes src for `seconds`; prints p50, p95 and max lateness and the
# number of refreshes of the fast stream tables in it.
one_run() {
    "${psql[@]}" -c "ALTER SYSTEM SET pg_trickle.max_concurrent_refreshes = $1" -c "SELECT pg_reload_conf()" >/dev/null
    # The runs start alike: no refresh of the run before still going.
    "${psql[@]}" >/dev/null <<'SQL'
DO $$
BEGIN
    WHILE EXISTS (SELECT FROM pgtrickle.pgt_refresh_history WHERE status = 'RUNNING') LOOP
        COMMIT;
        PERFORM pg_sleep(0.2);
    END LOOP;
END
$$;
SQL
    sleep 2
    local from
    from=$("${psql[@]}" -c "SELECT clock_timestamp()")
    pgt_writer_sql src 10000 "$seconds" | "${psql[@]}" >/dev/null
    local to
    to=$("${psql[@]}" -c "SELECT clock_timestamp()")
    pgt_lateness_sql 'fast_%' "$from" "$to" | "${psql[@]}" -F ' '
}
read -r p50_1 p95_1 max_1 n_1 <<<"$(one_run 1)"
read -r p50_4 p95_4 max_4 n_4 <<<"$(one_run 4)"
echo "| 20 stream tables due every 1 s, one refresh of ${slow} s beside them, ${seconds} s | refreshes | lateness p50 (ms) | p95 (ms) | max (ms) |"
echo "|---|---:|---:|---:|---:|"
echo "| max_concurrent_refreshes = 1 | $n_1 | $p50_1 | $p95_1 | $max_1 |"
echo "| max_concurrent_refreshes = 4 | $n_4 | $p50_4 | $p95_4 | $max_4 |"

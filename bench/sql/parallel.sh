#!/usr/bin/env bash
# Parallel refresh: bench/sql/parallel.sh [rounds]
# Starts a throwaway PostgreSQL with pg_trickle and 16 independent stream tables whose
# refresh takes 50 ms each (a FULL refresh of a one-row query that sleeps 50 ms), schedule
# '1s'. Each round changes their common source once, so that all 16 are due at the same tick,
# and measures the time from that commit until the last of them is refreshed, left to the
# scheduler: with pg_trickle.max_concurrent_refreshes = 1 (one at a time, in the scheduler) and
# = 4 (the scheduler and three refresh workers, which stay between rounds), alternating, side by
# side (median of `rounds`, default 5, and the first round with 4, which starts the workers). Prints a Markdown table (the figures recorded in docs/PERFORMANCE.md).
set -euo pipefail
rounds="${1:-5}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_cluster pgt_bench_parallel "pg_trickle.scheduler_interval_ms = 100
max_worker_processes = 16"

"${psql[@]}" >/dev/null <<'SQL'
CREATE EXTENSION pg_trickle;
CREATE TABLE ticker (id int PRIMARY KEY, v int);
INSERT INTO ticker VALUES (1, 0);
SELECT pgtrickle.create_stream_table('slow_' || i, 'SELECT id, v, pg_sleep(0.05) IS NOT NULL AS slept FROM ticker',
                                     schedule => '1s', refresh_mode => 'FULL')
FROM generate_series(1, 16) i;
SQL

# Milliseconds from one change of `ticker` until the last of the 16 refreshes it causes ends
# (read from the refresh history afterwards, so that polling costs the refreshes no CPU).
one_round() {
    "${psql[@]}" -c "ALTER SYSTEM SET pg_trickle.max_concurrent_refreshes = $1" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 1.5 # the setting reaches the scheduler; every stream table is due again
    "${psql[@]}" <<'SQL'
CREATE TEMP TABLE round AS SELECT clock_timestamp() AS changed_at;
UPDATE ticker SET v = v + 1;
DO $$
BEGIN
    WHILE (SELECT count(*) FROM pgtrickle.pgt_refresh_history
           WHERE status = 'COMPLETED' AND start_time > (SELECT changed_at FROM round)) < 16 LOOP
        COMMIT;
        PERFORM pg_sleep(0.1);
    END LOOP;
END
$$;
SELECT round(extract(epoch FROM max(end_time) - (SELECT changed_at FROM round)) * 1000)
FROM pgtrickle.pgt_refresh_history WHERE start_time > (SELECT changed_at FROM round);
SQL
}
one=(); four=()
for _ in $(seq 1 "$rounds"); do
    one+=("$(one_round 1)")
    four+=("$(one_round 4)")
done
m1=$(printf '%s\n' "${one[@]}" | median); m4=$(printf '%s\n' "${four[@]}" | median)
echo "| 16 stream tables × 50 ms, due at once | wall time (ms, median of $rounds) |"
echo "|---|---:|"
echo "| max_concurrent_refreshes = 1 | $m1 |"
echo "| max_concurrent_refreshes = 4 | $m4 |"
echo "| max_concurrent_refreshes = 4, first round (its workers start) | ${four[0]} |"
echo
awk -v a="$m1" -v b="$m4" 'BEGIN {printf "Speed-up with 4: %.2f×\n", a / b}'

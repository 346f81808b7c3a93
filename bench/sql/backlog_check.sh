#!/usr/bin/env bash
# What a backlog held for a slower reader costs the scheduler: bench/sql/backlog_check.sh [updates]
# Starts a throwaway PostgreSQL with pg_trickle (installed), loads 1,000,000 orders, and creates a
# FULL stream table due every second (an aggregate of 1,000 groups) beside a DIFFERENTIAL one
# refreshed daily, which holds back the trims of the orders' change buffer. Updates 500,000
# orders (1,000,000 records left in the buffer for the daily one), then `updates` (default 40)
# times 10 orders, one every half second, and reports the CPU time of pg_trickle's background
# processes (scheduler, refresh workers) over those updates and the FULL stream table's
# scheduled refreshes among them: before each refresh, and after each change, the scheduler
# asks whether the stream table has changes pending.
set -euo pipefail
updates="${1:-40}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_orders pgt_backlog_check
"${psql[@]}" >/dev/null <<SQL
SELECT pgtrickle.create_stream_table('every_second', \$q\$$region_totals\$q\$, refresh_mode => 'FULL', schedule => '1s');
SELECT pgtrickle.create_stream_table('daily', \$q\$$region_totals\$q\$, refresh_mode => 'DIFFERENTIAL', schedule => '24h');
VACUUM ANALYZE;
UPDATE orders SET amount = amount + 0.01 WHERE id <= 500000;
SQL
sleep 5
background_ticks() {
    local total=0 pid
    for pid in $(pgrep -P "$(head -1 "$dir/data/postmaster.pid")" -f 'pg_trickle (scheduler|refresh)'); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    done
    echo "$total"
}
refreshes() { "${psql[@]}" -c "SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = 'every_second' AND h.initiated_by = 'SCHEDULER'"; }
before_ticks=$(background_ticks)
before_refreshes=$(refreshes)
for k in $(seq 1 "$updates"); do
    "${psql[@]}" -c "UPDATE orders SET amount = amount + 0.01 WHERE id > $((k * 1000)) AND id <= $((k * 1000 + 10))"
    sleep 0.5
done
ticks=$(($(background_ticks) - before_ticks))
n=$(($(refreshes) - before_refreshes))
hz=$(getconf CLK_TCK)
echo "background CPU: $((ticks * 1000 / hz)) ms over $updates updates; scheduled refreshes of the FULL stream table: $n; per refresh: $((n > 0 ? ticks * 1000 / hz / n : 0)) ms"

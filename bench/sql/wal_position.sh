#!/usr/bin/env bash
# What a WAL-captured refresh pays for the WAL a FULL refresh wrote before it:
#   bench/sql/wal_position.sh [rounds]
# Starts a throwaway PostgreSQL (wal_level = logical) with pg_trickle (installed), loads
# 1,000,000 orders captured from the WAL, and creates a materialized view, a FULL and a
# DIFFERENTIAL stream table of one aggregate (1,000 groups). Each round updates 10 orders,
# refreshes the view and the FULL stream table (about 100 kB of WAL, which no source's change is
# in), then one of three statements, then sleeps 20 ms and times the DIFFERENTIAL refresh
# (psql's \timing), which reads the WAL written since the decoder's last published position:
#   nothing   the refresh reads the FULL refresh's WAL itself
#   read      a read-only statement (as warm as the next)
#   write     a one-row write to another table, whose commit wakes the decoder: its pass
#             publishes a position past that WAL before the refresh starts
# The three alternate round by round; prints the median of `rounds` (default 25) of each.
set -euo pipefail
rounds="${1:-25}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_orders pgt_wal_position "$pgt_wal_settings"
"${psql[@]}" >/dev/null <<SQL
CREATE TABLE other (i int);
INSERT INTO other VALUES (1);
CREATE MATERIALIZED VIEW mv AS $region_totals;
SELECT pgtrickle.create_stream_table('full_st', \$q\$$region_totals\$q\$, refresh_mode => 'FULL', schedule => '24h', cdc_mode => 'wal');
SELECT pgtrickle.create_stream_table('diff_st', \$q\$$region_totals\$q\$, refresh_mode => 'DIFFERENTIAL', schedule => '24h', cdc_mode => 'wal');
VACUUM ANALYZE;
SQL
pgt_await_wal_capture 1 orders
declare -A between=([nothing]="" [read]="SELECT i FROM other WHERE i > 0;" [write]="UPDATE other SET i = i + 1;")
script=$(
    echo "SELECT pgtrickle.refresh_stream_table('diff_st');"
    for k in $(seq 1 "$rounds"); do
        n=0
        for v in nothing read write; do
            first=$((k * 3000 + n * 1000)); n=$((n + 1))
            echo "UPDATE orders SET amount = amount + 0.01 WHERE id > $first AND id <= $((first + 10));"
            echo "REFRESH MATERIALIZED VIEW mv;"
            echo "SELECT pgtrickle.refresh_stream_table('full_st');"
            echo "${between[$v]}"
            echo "SELECT pg_sleep(0.02);"
            pgt_labelled "$v" "SELECT pgtrickle.refresh_stream_table('diff_st')"
        done
    done
)
times=$("${psql[@]}" <<< "$script" | pgt_label_times)
for v in nothing read write; do
    echo "$v between: $(pgt_label_median "$v" <<< "$times") ms (median of $rounds)"
done

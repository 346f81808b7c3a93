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
pgt_start_cluster pgt_wal_position "$pgt_bulk_settings
$pgt_wal_settings"
q="SELECT region, count(*) AS orders, sum(amount) AS revenue FROM orders GROUP BY region"
"${psql[@]}" >/dev/null <<SQL
CREATE EXTENSION pg_trickle;
CREATE TABLE orders (id bigint PRIMARY KEY, region text, amount numeric(10,2));
INSERT INTO orders SELECT i, 'r' || (i % 1000), (i % 10000) / 100.0 FROM generate_series(1, 1000000) i;
CREATE TABLE other (i int);
INSERT INTO other VALUES (1);
CREATE MATERIALIZED VIEW mv AS $q;
SELECT pgtrickle.create_stream_table('full_st', \$x\$$q\$x\$, refresh_mode => 'FULL', schedule => '24h', cdc_mode => 'wal');
SELECT pgtrickle.create_stream_table('diff_st', \$x\$$q\$x\$, refresh_mode => 'DIFFERENTIAL', schedule => '24h', cdc_mode => 'wal');
VACUUM ANALYZE;
SQL
captured="SELECT pg_catalog.count(*) FROM pgtrickle.pgt_change_tracking WHERE cdc_mode = 'WAL'"
for _ in $(seq 1 300); do [ "$("${psql[@]}" -c "$captured")" = 1 ] && break; sleep 0.1; done
[ "$("${psql[@]}" -c "$captured")" = 1 ] || { echo "orders did not switch to WAL capture" >&2; exit 1; }
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
            printf '\\echo @%s\n\\timing on\nSELECT pgtrickle.refresh_stream_table(%s);\n\\timing off\n' "$v" "'diff_st'"
        done
    done
)
times=$("${psql[@]}" <<< "$script" | awk '/^@/ {l = substr($1, 2)} /^Time:/ {print l, $2}')
for v in nothing read write; do
    echo "$v between: $(awk -v v="$v" '$1 == v {print $2}' <<< "$times" | median) ms (median of $rounds)"
done

#!/usr/bin/env bash
# Refreshes under a write load that never stops: bench/sql/steady_load.sh [seconds]
# Starts a throwaway PostgreSQL with pg_trickle (scheduler on), loads 1,000,000 orders and two
# stream tables of the same 1,000-group aggregate (DIFFERENTIAL and AUTO, refreshed by hand),
# leaves a large applied backlog in the change buffer (20,000 records, then both refreshed), and
# runs pgbench for `seconds` (default 30) in one session: UPDATE of 10 orders, then each stream
# table's refresh, each its own transaction. Prints pgbench's latency every 5 seconds and per
# statement, then the buffer's rows and pages and the catalog's pages: a refresh's cost must
# not grow with time, nor the buffer with the changes applied.
set -euo pipefail
seconds="${1:-30}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_cluster pgt_steady_load "shared_buffers = 1GB
work_mem = 64MB
max_wal_size = 8GB"

echo "loading 1,000,000 orders ..." >&2
"${psql[@]}" >/dev/null <<'SQL'
CREATE EXTENSION pg_trickle;
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, region text, amount numeric(10,2), created date);
INSERT INTO orders SELECT i, 1 + ((i::bigint * 7919) % 100000)::int, 'r' || (i % 1000), (i % 10000) / 100.0,
  DATE '2024-01-01' + (i % 365) FROM generate_series(1, 1000000) i;
SELECT pgtrickle.create_stream_table('diff_agg', $q$SELECT region, count(*) AS orders, sum(amount) AS revenue FROM orders GROUP BY region$q$,
                                     refresh_mode => 'DIFFERENTIAL', schedule => '24h', cdc_mode => 'trigger');
SELECT pgtrickle.create_stream_table('auto_agg', $q$SELECT region, count(*) AS orders, sum(amount) AS revenue FROM orders GROUP BY region$q$,
                                     refresh_mode => 'AUTO', schedule => '24h', cdc_mode => 'trigger');
VACUUM ANALYZE;
UPDATE orders SET amount = amount + 0.01 WHERE id <= 10000;
SELECT pgtrickle.refresh_stream_table('diff_agg');
SELECT pgtrickle.refresh_stream_table('auto_agg');
SQL

script="$dir/steady.pgb" # (removed with the cluster)
cat > "$script" <<'PGB'
\set s random(1, 999990)
UPDATE orders SET amount = amount + 0.01 WHERE id > :s AND id <= :s + 10;
SELECT pgtrickle.refresh_stream_table('diff_agg');
SELECT pgtrickle.refresh_stream_table('auto_agg');
PGB
echo "running pgbench for $seconds s ..." >&2
"$bin/pgbench" -n -h "$dir" -U postgres -f "$script" -T "$seconds" -P 5 -r postgres 2>&1 |
    grep -E '^progress|latency average|refresh_stream_table|UPDATE orders'
buffer="pgtrickle_changes.changes_$("${psql[@]}" -c "SELECT 'orders'::regclass::oid")"
"${psql[@]}" -c "SELECT 'buffer rows ' || count(*) || ', pages ' || pg_relation_size('$buffer') / 8192 FROM $buffer"
"${psql[@]}" -c "SELECT 'catalog pages ' || pg_relation_size('pgtrickle.pgt_stream_tables') / 8192"
for st in diff_agg auto_agg; do
    "${psql[@]}" -c "SELECT '$st exact: ' || NOT EXISTS ((SELECT region, orders, revenue FROM $st
        EXCEPT ALL SELECT region, count(*), sum(amount) FROM orders GROUP BY region)
        UNION ALL (SELECT region, count(*), sum(amount) FROM orders GROUP BY region EXCEPT ALL SELECT region, orders, revenue FROM $st))"
done

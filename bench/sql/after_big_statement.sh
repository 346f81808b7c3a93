#!/usr/bin/env bash
# What a large statement just before it costs a small refresh: bench/sql/after_big_statement.sh [rounds]
# Starts a throwaway PostgreSQL with pg_trickle (installed), loads 1,000,000 orders, and times a
# DIFFERENTIAL stream table's refresh (an aggregate of 1,000 groups) after 10 orders were
# updated, in one session: alone, right after REFRESH MATERIALIZED VIEW of the same query, right
# after a FULL stream table's refresh of it, and right after a plain scan of the orders that
# changes nothing (which invalidates no cache entry, only sweeps the CPU caches). `rounds` of
# each (default 10), interleaved; prints the median of each.
set -euo pipefail
rounds="${1:-10}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_cluster pgt_after "shared_buffers = 1GB
work_mem = 64MB
max_wal_size = 8GB"
query="SELECT region, count(*) AS orders, sum(amount) AS revenue, avg(amount) AS avg_amount FROM orders GROUP BY region"
"${psql[@]}" >/dev/null <<SQL
CREATE EXTENSION pg_trickle;
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, region text, amount numeric(10,2));
INSERT INTO orders SELECT i, 1 + ((i::bigint * 7919) % 100000)::int, 'r' || (i % 1000), (i % 10000) / 100.0 FROM generate_series(1, 1000000) i;
CREATE MATERIALIZED VIEW mv AS $query;
SELECT pgtrickle.create_stream_table('full_agg', \$q\$$query\$q\$, refresh_mode => 'FULL', schedule => '24h');
SELECT pgtrickle.create_stream_table('diff_agg', \$q\$$query\$q\$, refresh_mode => 'DIFFERENTIAL', schedule => '24h');
VACUUM ANALYZE;
SQL
kinds=(alone mv full scan)
script=$(mktemp)
labels=$(mktemp)
trap 'rm -f "$script" "$labels"' RETURN
# (The first refresh in a session compiles the query.)
echo "SELECT pgtrickle.refresh_stream_table('diff_agg'); SELECT pgtrickle.refresh_stream_table('full_agg');" >> "$script"
start=0
for _ in $(seq 1 "$rounds"); do
    for kind in "${kinds[@]}"; do
        echo "UPDATE orders SET amount = amount + 0.01 WHERE id > $start AND id <= $((start + 10));" >> "$script"
        start=$((start + 10))
        case $kind in
        mv) echo "REFRESH MATERIALIZED VIEW mv;" >> "$script" ;;
        full) echo "SELECT pgtrickle.refresh_stream_table('full_agg');" >> "$script" ;;
        scan) echo "SELECT count(*) FROM orders WHERE amount < 0;" >> "$script" ;;
        esac
        printf '\\timing on\nSELECT pgtrickle.refresh_stream_table(%s);\n\\timing off\n' "'diff_agg'" >> "$script"
        echo "$kind" >> "$labels"
    done
done
times=$("${psql[@]}" -f "$script" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
echo "| 10-row DIFFERENTIAL refresh | median (ms) |"
echo "|---|---:|"
for kind in "${kinds[@]}"; do
    printf '| %s | %s |\n' "$kind" "$(paste -d' ' "$labels" <(echo "$times") | awk -v k="$kind" '$1 == k {print $2}' | median)"
done

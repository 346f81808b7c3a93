#!/usr/bin/env bash
# Stream tables over Citus against REFRESH MATERIALIZED VIEW, side by side in one run:
#   bench/citus/bench.sh [rows] [workers] [rounds]
# Starts a throwaway Citus cluster (scripts/citus_cluster.sh: a coordinator and `workers` workers,
# default 2, on ports 9800…), distributes `rows` orders (default 10,000,000) by customer over
# 100,000 customers (co-located), and for an aggregate (also of a plain numeric, whose inputs'
# scales are counted: amount / 4), a join + aggregate and a per-customer
# aggregate (100,000 rows; its stream table once on the coordinator, once distributed by
# customer: output_distribution_column) times, after the same 10 orders of one customer were
# updated, REFRESH MATERIALIZED VIEW of the query on the coordinator and a DIFFERENTIAL stream
# table's refresh (median of `rounds`, default 7; results checked equal); DIFFERENTIAL also in
# rounds of its own (change, refresh: as the scheduler runs it). Prints a Markdown table
# (docs/PERFORMANCE.md). PGT_CITUS_SETTINGS adds postgresql.conf lines on every node.
set -euo pipefail
rows="${1:-10000000}"
workers="${2:-2}"
rounds="${3:-7}"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export PGT_CITUS_PORT=9800 PGT_CITUS_WORKERS="$workers" PGT_CITUS_DATA="/var/lib/pgt-citus-bench"
export PGT_CITUS_SETTINGS="shared_buffers = 1GB
work_mem = 64MB
max_wal_size = 8GB
${PGT_CITUS_SETTINGS:-}"
[ -n "${PGT_CITUS_KEEP:-}" ] || trap 'scripts/citus_cluster.sh destroy >/dev/null 2>&1 || true' EXIT
scripts/citus_cluster.sh destroy >/dev/null 2>&1 || true
scripts/citus_cluster.sh start >/dev/null
psql=(psql -X -q -At -h localhost -p 9800 -U postgres -d postgres -v ON_ERROR_STOP=1)
median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

agg="SELECT region, count(*) AS orders, sum(amount) AS revenue FROM orders GROUP BY region"
join="SELECT c.segment, count(*) AS orders, sum(o.amount) AS revenue FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.segment"
agg_plain="SELECT region, count(*) AS orders, sum(amount / 4) AS revenue FROM orders GROUP BY region"
cust="SELECT customer_id, count(*) AS orders, sum(amount) AS revenue FROM orders GROUP BY customer_id"
# Stream table → its view, and its columns.
queries=(agg agg_plain join cust cust_dist)
declare -A view=([agg]=agg [agg_plain]=agg_plain [join]=join [cust]=cust [cust_dist]=cust)
declare -A cols=([agg]="region, orders, revenue" [agg_plain]="region, orders, revenue" [join]="segment, orders, revenue" [cust]="customer_id, orders, revenue"
                 [cust_dist]="customer_id, orders, revenue")
echo "loading $rows orders on $workers workers ..." >&2
"${psql[@]}" <<SQL
CREATE TABLE customers (id int PRIMARY KEY, segment text);
SELECT create_distributed_table('customers', 'id');
CREATE TABLE orders (id bigint, customer_id int, region text, amount numeric(10,2), PRIMARY KEY (customer_id, id));
SELECT create_distributed_table('orders', 'customer_id', colocate_with => 'customers');
INSERT INTO customers SELECT i, 'seg' || (i % 20) FROM generate_series(1, 100000) i;
INSERT INTO orders SELECT i, 1 + (i % 100000), 'r' || (i % 1000), (i % 10000) / 100.0 FROM generate_series(1, $rows) i;
VACUUM ANALYZE customers;
VACUUM ANALYZE orders;
CREATE MATERIALIZED VIEW mv_agg AS $agg;
CREATE MATERIALIZED VIEW mv_agg_plain AS $agg_plain;
CREATE MATERIALIZED VIEW mv_join AS $join;
CREATE MATERIALIZED VIEW mv_cust AS $cust;
SELECT pgtrickle.create_stream_table('st_agg', \$q\$$agg\$q\$, schedule => '24h', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('st_agg_plain', \$q\$$agg_plain\$q\$, schedule => '24h', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('st_join', \$q\$$join\$q\$, schedule => '24h', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('st_cust', \$q\$$cust\$q\$, schedule => '24h', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('st_cust_dist', \$q\$$cust\$q\$, schedule => '24h', refresh_mode => 'DIFFERENTIAL',
                                     output_distribution_column => 'customer_id');
SQL

script=$(mktemp)
{
    # (The first refresh in a session plans its statements.)
    for q in "${queries[@]}"; do echo "SELECT pgtrickle.refresh_stream_table('st_$q');"; done
    for r in $(seq 1 "$rounds"); do
        customer=$((1 + r * 7919 % 100000))
        echo "UPDATE orders SET amount = amount + 0.01 WHERE customer_id = $customer AND id IN (SELECT id FROM orders WHERE customer_id = $customer ORDER BY id LIMIT 10);"
        for q in "${queries[@]}"; do
            echo '\timing on'
            echo "REFRESH MATERIALIZED VIEW mv_${view[$q]};"
            echo "SELECT pgtrickle.refresh_stream_table('st_$q');"
            echo '\timing off'
        done
    done
    # Rounds of its own.
    for q in "${queries[@]}"; do
        for r in $(seq 1 "$rounds"); do
            customer=$((50000 + r * 7919 % 50000))
            echo "UPDATE orders SET amount = amount + 0.01 WHERE customer_id = $customer AND id IN (SELECT id FROM orders WHERE customer_id = $customer ORDER BY id LIMIT 10);"
            echo "SELECT pg_sleep(0.2);" # (not timed: what the scheduler's interval gives)
            echo '\timing on'
            echo "SELECT pgtrickle.refresh_stream_table('st_$q');"
            echo '\timing off'
            echo "REFRESH MATERIALIZED VIEW mv_${view[$q]};"
        done
    done
    # (Every stream table and view brought to the same point first: cust_dist's rounds changed
    # orders after cust's last refresh.)
    for q in "${queries[@]}"; do echo "SELECT pgtrickle.refresh_stream_table('st_$q'); REFRESH MATERIALIZED VIEW mv_${view[$q]};"; done
    for q in "${queries[@]}"; do
        c=${cols[$q]} v=mv_${view[$q]}
        echo "SELECT 'differ $q', count(*) FROM ((SELECT $c FROM $v EXCEPT ALL SELECT $c FROM st_$q) UNION ALL (SELECT $c FROM st_$q EXCEPT ALL SELECT $c FROM $v)) x HAVING count(*) > 0;"
    done
} > "$script"
out=$("${psql[@]}" -f "$script")
rm -f "$script"
if grep -q '^differ' <<<"$out"; then grep '^differ' <<<"$out" >&2; echo "stream tables differ from the views" >&2; exit 1; fi
times=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out")
n=${#queries[@]}
# Side by side: per round, each query's view then its stream table; then each query's own rounds.
side=$(head -n $((2 * n * rounds)) <<<"$times")
own=$(tail -n $((n * rounds)) <<<"$times")
echo "| query | rows | workers | REFRESH MATERIALIZED VIEW (ms) | DIFFERENTIAL right after it (ms) | ratio | DIFFERENTIAL in rounds of its own (ms) | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for i in "${!queries[@]}"; do
    q=${queries[$i]}
    mv=$(awk -v i=$i -v n=$n 'NR % (2 * n) == (2 * i + 1) % (2 * n)' <<<"$side" | median)
    diff=$(awk -v i=$i -v n=$n 'NR % (2 * n) == (2 * i + 2) % (2 * n)' <<<"$side" | median)
    alone=$(awk -v i=$i -v n="$rounds" 'NR > i * n && NR <= (i + 1) * n' <<<"$own" | median)
    awk -v q=$q -v r="$rows" -v w="$workers" -v mv="$mv" -v d="$diff" -v a="$alone" \
        'BEGIN {printf "| %s | %d | %d | %.1f | %.1f | %.0f× | %.1f | %.0f× |\n", q, r, w, mv, d, mv / d, a, mv / a}'
done

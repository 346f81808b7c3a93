#!/usr/bin/env bash
# Query shapes whose deltas over Citus were refused in their local form (a bag's delete by ctid,
# subqueries per row over a distributed table), against REFRESH MATERIALIZED VIEW, side by side:
#   PGT_CITUS_KEEP=1 bench/citus/bench.sh 1000000 2 3   # a cluster with orders and customers
#   bench/citus/shapes.sh [rounds]                        # once per cluster
# On that cluster (port 9800), adds a reference table of regions and a table of returns
# co-located with the orders, creates each shape as a DIFFERENTIAL stream table and as a
# materialized view, and times, per shape, the refresh after 10 orders of one customer were
# updated and one return inserted (median of `rounds`, default 5) and the view's refresh (median
# of 3). Fails when a refresh fell back to a full recomputation, or a stream table differs from
# its view. Prints a Markdown table (docs/PERFORMANCE.md).
set -euo pipefail
rounds="${1:-5}"
psql=(psql -X -q -At -h localhost -p 9800 -U postgres -d postgres -v ON_ERROR_STOP=1)
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A shape=(
    [union_all]="SELECT customer_id, amount FROM orders WHERE amount > 99 UNION ALL SELECT customer_id, 0 FROM returns WHERE reason = 'why1'"
    [except]="SELECT customer_id FROM orders WHERE amount > 98 EXCEPT SELECT customer_id FROM returns"
    [except_all]="SELECT customer_id FROM orders WHERE amount > 98 EXCEPT ALL SELECT customer_id FROM returns"
    [intersect]="SELECT customer_id FROM orders WHERE amount > 90 INTERSECT SELECT customer_id FROM returns WHERE reason = 'why2'"
    [left_join]="SELECT o.id, o.customer_id, r.reason FROM orders o LEFT JOIN returns r ON r.customer_id = o.customer_id AND r.order_id = o.id WHERE o.amount > 99"
    [exists]="SELECT c.id, c.segment FROM customers c WHERE EXISTS (SELECT 1 FROM returns r WHERE r.customer_id = c.id AND r.reason = 'why3')"
    [not_exists]="SELECT c.id FROM customers c WHERE c.id < 5000 AND NOT EXISTS (SELECT 1 FROM returns r WHERE r.customer_id = c.id)"
    [keyed_join]="SELECT o.id, o.customer_id, c.segment, o.amount FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.amount > 99.5"
)
names=(union_all except except_all intersect left_join exists not_exists keyed_join)

"${psql[@]}" <<'SQL'
CREATE TABLE IF NOT EXISTS regions (region text PRIMARY KEY, zone text);
SELECT create_reference_table('regions') WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'regions'::regclass);
INSERT INTO regions SELECT 'r' || i, 'z' || (i % 7) FROM generate_series(0, 999) i ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS returns (order_id bigint, customer_id int, reason text, PRIMARY KEY (customer_id, order_id));
SELECT create_distributed_table('returns', 'customer_id', colocate_with => 'orders')
  WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'returns'::regclass);
INSERT INTO returns SELECT id, customer_id, 'why' || (id % 5) FROM orders WHERE id % 50 = 0 ON CONFLICT DO NOTHING;
SQL
for n in "${names[@]}"; do
    "${psql[@]}" -c "SELECT pgtrickle.create_stream_table('shape_$n', \$q\$${shape[$n]}\$q\$, schedule => '24h', refresh_mode => 'DIFFERENTIAL')" \
        -c "CREATE MATERIALIZED VIEW mv_shape_$n AS ${shape[$n]}" >/dev/null
done

echo "| shape | DIFFERENTIAL (ms) | REFRESH MATERIALIZED VIEW (ms) | ratio |"
echo "|---|---:|---:|---:|"
for n in "${names[@]}"; do
    cols=$("${psql[@]}" -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'shape_$n'::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT LIKE '\_\_pgt%'")
    out=$({
        for r in $(seq 1 "$rounds"); do
            c=$((2000 + r * 53 + RANDOM % 500))
            echo "UPDATE orders SET amount = amount + 0.01 WHERE customer_id = $c AND id IN (SELECT id FROM orders WHERE customer_id = $c ORDER BY id LIMIT 10);"
            echo "INSERT INTO returns SELECT id, customer_id, 'why2' FROM orders WHERE customer_id = $c ORDER BY id LIMIT 1 ON CONFLICT DO NOTHING;"
            echo "SELECT pg_sleep(0.2);" # (not timed: what the scheduler's interval gives)
            echo '\timing on'
            echo "SELECT pgtrickle.refresh_stream_table('shape_$n');"
            echo '\timing off'
        done
        for r in 1 2 3; do echo '\timing on'; echo "REFRESH MATERIALIZED VIEW mv_shape_$n;"; echo '\timing off'; done
        echo "SELECT 'fallback', count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = 'shape_$n' AND h.was_full_fallback HAVING count(*) > 0;"
        echo "SELECT 'differ', count(*) FROM ((SELECT * FROM (${shape[$n]}) q EXCEPT ALL SELECT $cols FROM shape_$n) UNION ALL (SELECT $cols FROM shape_$n EXCEPT ALL SELECT * FROM (${shape[$n]}) q)) x HAVING count(*) > 0;"
    } | "${psql[@]}" 2>&1)
    if grep -q '^fallback\|^differ' <<<"$out"; then grep '^fallback\|^differ' <<<"$out" >&2; echo "shape $n: recomputed or differs" >&2; exit 1; fi
    times=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out")
    diff=$(head -n "$rounds" <<<"$times" | median)
    mv=$(tail -n 3 <<<"$times" | median)
    awk -v n="$n" -v d="$diff" -v m="$mv" 'BEGIN {printf "| %s | %.1f | %.1f | %.1f× |\n", n, d, m, m / d}'
done

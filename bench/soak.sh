#!/usr/bin/env bash
# Soak: bench/soak.sh DURATION (seconds, or with a unit: 90s, 30m, 2h; default 10m)
# Starts a throwaway PostgreSQL with pg_trickle and 20 stream tables over a small shop
# (aggregates, joins, a left join, an anti-join, DISTINCT, a window, TopK, UNION ALL, chains of
# stream tables over stream tables, one FULL and one IMMEDIATE), left to the scheduler with
# pg_trickle.max_concurrent_refreshes = 4. Four sessions run random INSERT / UPDATE / DELETE
# statements (single rows and ranges) for DURATION. Every minute the writers pause; once every
# stream table has caught up (at most 300 s), each is compared with its defining query run
# afresh (EXCEPT ALL both ways: NULLs and duplicates count), and the scheduler's memory is
# sampled (RssAnon, its private memory, and VmRSS, which also counts the shared buffers it
# touched). Prints one line per check and a summary; exits 1 if any stream table was ever wrong
# or did not catch up. Not part of scripts/test.sh.
set -euo pipefail
duration="${1:-10m}"
case "$duration" in
*h) seconds=$((${duration%h} * 3600)) ;;
*m) seconds=$((${duration%m} * 60)) ;;
*s) seconds=${duration%s} ;;
*) seconds=$duration ;;
esac
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"
pgt_start_cluster pgt_soak "pg_trickle.scheduler_interval_ms = 200
pg_trickle.max_concurrent_refreshes = 4
max_worker_processes = 16
log_lock_waits = on
max_wal_size = 4GB"

echo "setting up: 2,000 customers, 500 products, 50,000 orders, 150,000 items, 20 stream tables" >&2
"${psql[@]}" >/dev/null <<'SQL'
CREATE EXTENSION pg_trickle;
CREATE TABLE customers (id int PRIMARY KEY, region text, tier text);
CREATE TABLE products (sku int PRIMARY KEY, category text, price numeric(10, 2));
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int, amount numeric(10, 2), status text, created_day int);
CREATE TABLE items (id bigserial PRIMARY KEY, order_id bigint, sku int, qty int);
CREATE INDEX ON items (order_id);
INSERT INTO customers SELECT i, 'region_' || (i % 7), CASE WHEN i % 10 = 0 THEN NULL ELSE 'tier_' || (i % 3) END
FROM generate_series(1, 2000) i;
INSERT INTO products SELECT i, 'category_' || (i % 12), (i % 97) + 0.99 FROM generate_series(1, 500) i;
INSERT INTO orders (customer_id, amount, status, created_day)
SELECT 1 + (i * 7919) % 2000, ((i * 31) % 100000) / 100.0, (ARRAY['new', 'paid', 'shipped', NULL])[1 + i % 4], i % 365
FROM generate_series(1, 50000) i;
INSERT INTO items (order_id, sku, qty) SELECT 1 + i % 50000, 1 + (i * 13) % 500, 1 + i % 5 FROM generate_series(1, 150000) i;

CREATE TABLE soak_control (paused bool NOT NULL);
INSERT INTO soak_control VALUES (false);
CREATE TABLE soak_writers (id int PRIMARY KEY, waiting bool NOT NULL DEFAULT false,
                           statements bigint NOT NULL DEFAULT 0, errors bigint NOT NULL DEFAULT 0, last_error text);
INSERT INTO soak_writers (id) SELECT generate_series(1, 4);

CREATE FUNCTION st(name text, query text, schedule text DEFAULT '1s', mode text DEFAULT 'AUTO') RETURNS void
LANGUAGE sql AS $$ SELECT pgtrickle.create_stream_table(name, query, schedule => schedule, refresh_mode => mode) $$;
SELECT st('customer_totals', 'SELECT customer_id, count(*) AS orders, sum(amount) AS total FROM orders GROUP BY customer_id', 'calculated');
SELECT st('region_revenue', 'SELECT c.region, count(*) AS orders, sum(o.amount) AS revenue FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.region');
SELECT st('top_customers', 'SELECT customer_id, total FROM customer_totals ORDER BY total DESC, customer_id LIMIT 10');
SELECT st('tier_totals', 'SELECT c.tier, sum(t.total) AS total, max(t.orders) AS most_orders FROM customer_totals t JOIN customers c ON c.id = t.customer_id GROUP BY c.tier', '2s');
SELECT st('order_lines', 'SELECT o.id, o.status, i.sku, i.qty FROM orders o JOIN items i ON i.order_id = o.id WHERE o.amount > 900');
SELECT st('category_sales', 'SELECT p.category, sum(i.qty) AS qty, sum(i.qty * p.price) AS sales FROM items i JOIN products p ON p.sku = i.sku GROUP BY p.category');
SELECT st('big_orders', 'SELECT id, customer_id, amount FROM orders WHERE amount >= 990', 'calculated');
SELECT st('big_order_count', 'SELECT count(*) AS n, sum(amount) AS total FROM big_orders', '1s');
SELECT st('status_counts', 'SELECT status, count(*) AS n FROM orders GROUP BY status');
SELECT st('shipping_customers', 'SELECT DISTINCT customer_id FROM orders WHERE status = ''shipped''');
SELECT st('unsold_products', 'SELECT p.sku, p.category FROM products p WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.sku = p.sku)');
SELECT st('best_orders', 'SELECT customer_id, id, amount FROM (SELECT customer_id, id, amount, row_number() OVER (PARTITION BY customer_id ORDER BY amount DESC, id) AS rn FROM orders) r WHERE rn <= 3', '2s');
SELECT st('flagged', 'SELECT id, ''big'' AS reason FROM orders WHERE amount > 995 UNION ALL SELECT order_id, ''bulk'' FROM items WHERE qty >= 5 AND sku < 20');
SELECT st('customer_extremes', 'SELECT customer_id, min(amount) AS smallest, max(amount) AS largest FROM orders GROUP BY customer_id');
SELECT st('amount_percentiles', 'SELECT status, percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) AS median FROM orders GROUP BY status', '5s', 'FULL');
SELECT st('tier_counts', 'SELECT tier, count(*) AS customers FROM customers GROUP BY tier', 'calculated', 'IMMEDIATE');
SELECT st('region_ranks', 'SELECT region, revenue, rank() OVER (ORDER BY revenue DESC) AS rnk FROM region_revenue', '2s');
SELECT st('customer_activity', 'SELECT c.id, c.region, count(o.id) AS orders FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.region');
SELECT st('order_skus', 'SELECT order_id, count(DISTINCT sku) AS skus FROM items GROUP BY order_id');
SELECT st('daily_revenue', 'SELECT created_day, sum(amount) AS revenue, count(*) AS n FROM orders WHERE status IS NOT NULL GROUP BY created_day', '5s');

-- Rows in the stream table and not in its query run afresh, and the other way round.
CREATE FUNCTION soak_diff(st regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE cols text; q text; n bigint;
BEGIN
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols FROM pg_attribute
    WHERE attrelid = st AND attnum > 0 AND NOT attisdropped AND attname NOT LIKE '\_\_pgt\_%';
    SELECT defining_query INTO q FROM pgtrickle.pgt_stream_tables WHERE pgt_relid = st;
    EXECUTE format('SELECT count(*) FROM ((SELECT %s FROM %s EXCEPT ALL SELECT * FROM (%s) q) '
                   'UNION ALL (SELECT * FROM (%s) q EXCEPT ALL SELECT %s FROM %s)) d', cols, st, q, q, cols, st) INTO n;
    RETURN n;
END $$;

CREATE PROCEDURE soak_writer(w int, n int) LANGUAGE plpgsql AS $$
DECLARE
    r float8;
    max_order bigint;
    lo bigint;
    max_item bigint;
    done int := 0;
    failed int := 0;
    message text;
BEGIN
    FOR k IN 1 .. n LOOP
        IF (SELECT paused FROM soak_control) THEN
            UPDATE soak_writers SET waiting = true WHERE id = w;
            COMMIT;
            WHILE (SELECT paused FROM soak_control) LOOP
                PERFORM pg_sleep(0.1);
                COMMIT;
            END LOOP;
            UPDATE soak_writers SET waiting = false WHERE id = w;
            COMMIT;
        END IF;
        r := random();
        max_order := (SELECT last_value FROM orders_id_seq);
        lo := floor(random() * max_order);  -- picked once: random() in a WHERE is drawn per row
        max_item := (SELECT last_value FROM items_id_seq);
        BEGIN
            IF r < 0.25 THEN
                INSERT INTO orders (customer_id, amount, status, created_day)
                VALUES (1 + floor(random() * 2000), round((random() * 1000)::numeric, 2),
                        (ARRAY['new', 'paid', 'shipped', NULL])[1 + floor(random() * 4)], floor(random() * 365));
            ELSIF r < 0.40 THEN
                INSERT INTO items (order_id, sku, qty)
                SELECT 1 + floor(random() * max_order), 1 + floor(random() * 500), 1 + floor(random() * 5)
                FROM generate_series(1, 1 + floor(random() * 4)::int);
            ELSIF r < 0.58 THEN
                UPDATE orders SET amount = round((random() * 1000)::numeric, 2),
                                  status = (ARRAY['new', 'paid', 'shipped', NULL])[1 + floor(random() * 4)]
                WHERE id = lo + 1;
            ELSIF r < 0.68 THEN
                DELETE FROM items WHERE order_id = lo + 1;
                DELETE FROM orders WHERE id = lo + 1;
            ELSIF r < 0.75 THEN
                UPDATE customers SET region = 'region_' || floor(random() * 8),
                                     tier = CASE WHEN random() < 0.1 THEN NULL ELSE 'tier_' || floor(random() * 3) END
                WHERE id = (SELECT 1 + floor(random() * 2000)::int);
            ELSIF r < 0.83 THEN
                UPDATE items SET qty = 1 + floor(random() * 5) WHERE id = (SELECT 1 + floor(random() * max_item)::bigint);
            ELSIF r < 0.89 THEN
                DELETE FROM items WHERE id = (SELECT 1 + floor(random() * max_item)::bigint);
            ELSIF r < 0.93 THEN
                UPDATE products SET price = round((random() * 100)::numeric, 2), category = 'category_' || floor(random() * 13)
                WHERE sku = (SELECT 1 + floor(random() * 500)::int);
            ELSIF r < 0.97 THEN
                -- a range: up to 50 orders at once
                UPDATE orders SET status = (ARRAY['new', 'paid', 'shipped', NULL])[1 + floor(random() * 4)],
                                  amount = amount + 1
                WHERE id BETWEEN lo AND lo + 50 AND amount < 999;
            ELSE
                INSERT INTO customers VALUES (2000 + w * 1000000 + floor(random() * 1000000), 'region_' || floor(random() * 8), NULL)
                ON CONFLICT (id) DO UPDATE SET tier = 'tier_0';
            END IF;
            done := done + 1;
        EXCEPTION WHEN OTHERS THEN
            failed := failed + 1;
            GET STACKED DIAGNOSTICS message = MESSAGE_TEXT;
        END;
        COMMIT;
    END LOOP;
    UPDATE soak_writers SET statements = statements + done, errors = errors + failed,
                            last_error = COALESCE(message, last_error) WHERE id = w;
    COMMIT;
END $$;
SQL

scheduler_memory() { # "RssAnon_kB VmRSS_kB" of the scheduler (its pid may change: it is looked up)
    local pid
    pid=$("${psql[@]}" -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_trickle scheduler' AND datname = 'postgres'")
    [ -n "$pid" ] || { echo "- -"; return; }
    awk '/^RssAnon:/ {a = $2} /^VmRSS:/ {v = $2} END {print a, v}' "/proc/$pid/status"
}

end=$(($(date +%s) + seconds))
writers=()
for w in 1 2 3 4; do
    (while [ "$(date +%s)" -lt "$end" ]; do "${psql[@]}" -c "CALL soak_writer($w, 200)" >/dev/null 2>&1 || sleep 1; done) &
    writers+=($!)
done

wrong_total=0
checks=0
first_anon=""
max_anon=0
last_anon=0
check() { # $1: whether the writers are running (they are paused first)
    if [ "$1" = running ]; then
        "${psql[@]}" -c "UPDATE soak_control SET paused = true"
        for _ in $(seq 1 300); do
            [ "$("${psql[@]}" -c "SELECT count(*) FROM soak_writers WHERE waiting")" = 4 ] && break
            sleep 0.1
        done
    fi
    local t0 caught_up=no wrong=""
    t0=$(date +%s.%N)
    # Caught up: no change pending for any stream table, no refresh running (at most 300 s; a
    # 30-minute run needed up to 127 s).
    for _ in $(seq 1 1500); do
        [ "$("${psql[@]}" -c "SELECT (SELECT coalesce(sum(pending_rows), 0) FROM pgtrickle.change_buffer_sizes()) +
            (SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE status = 'RUNNING')")" = 0 ] && break
        sleep 0.2
    done
    local diffs="SELECT string_agg(pgt_name || '(' || d || ' rows)', ' ') FROM (SELECT pgt_name, soak_diff(pgt_relid) AS d
        FROM pgtrickle.pgt_stream_tables) s WHERE d > 0"
    wrong=$("${psql[@]}" -c "$diffs")
    if [ -n "$wrong" ]; then # not caught up after all? a second look, a little later
        sleep 5
        wrong=$("${psql[@]}" -c "$diffs")
    fi
    [ -z "$wrong" ] && caught_up=yes
    local took mem anon
    took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
    mem=$(scheduler_memory)
    anon=${mem%% *}
    checks=$((checks + 1))
    if [ "$caught_up" = no ]; then wrong_total=$((wrong_total + 1)); fi
    if [ "$anon" != "-" ]; then
        [ -n "$first_anon" ] || first_anon=$anon
        last_anon=$anon
        [ "$anon" -gt "$max_anon" ] && max_anon=$anon
    fi
    local stats
    stats=$("${psql[@]}" -c "SELECT (SELECT sum(statements) FROM soak_writers) || ' statements, ' ||
        (SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE status = 'COMPLETED') || ' refreshes, ' ||
        (SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE status = 'FAILED') || ' failed'")
    printf '%s  check %d: %s (%s s to catch up)  scheduler RssAnon %s kB VmRSS %s kB  %s\n' "$(date +%T)" "$checks" \
        "$([ "$caught_up" = yes ] && echo exact || echo "WRONG: $wrong")" "$took" "$anon" "${mem##* }" "$stats"
    [ "$1" = running ] && "${psql[@]}" -c "UPDATE soak_control SET paused = false"
    return 0
}

while [ "$(date +%s)" -lt "$end" ]; do
    sleep "$(( end - $(date +%s) < 60 ? end - $(date +%s) : 60 ))"
    [ "$(date +%s)" -lt "$end" ] && check running
done
for p in "${writers[@]}"; do wait "$p" || true; done
check stopped

"${psql[@]}" -c "SELECT 'writer ' || id || ': ' || statements || ' statements, ' || errors || ' failed' ||
    COALESCE(' (last: ' || last_error || ')', '') FROM soak_writers ORDER BY id"
"${psql[@]}" -c "SELECT 'modes: ' || string_agg(refresh_mode || ' ' || n, ', ') FROM (SELECT refresh_mode, count(*) AS n
    FROM pgtrickle.pgt_stream_tables GROUP BY 1 ORDER BY 1) m"
echo "refreshes per stream table (scheduled, completed): count, mean and max ms"
"${psql[@]}" -F ' ' -c "SELECT rpad(s.pgt_name, 20), count(*), round(avg(extract(epoch FROM h.end_time - h.start_time)) * 1000),
    round(max(extract(epoch FROM h.end_time - h.start_time)) * 1000), h.action
    FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)
    WHERE h.initiated_by = 'SCHEDULER' AND h.status = 'COMPLETED' GROUP BY s.pgt_name, h.action ORDER BY 3 DESC"
grep -A3 'deadlock detected' "$dir/log" | head -24 || true
echo "lock waits over 1 s (log_lock_waits), by what waited:"
grep -A2 'still waiting for' "$dir/log" | sed -n 's/.*STATEMENT: *//p' | cut -c1-100 | sort | uniq -c | sort -rn | head -8 || true
echo "summary: $checks checks over $duration, $wrong_total wrong; scheduler RssAnon first $first_anon kB, max $max_anon kB, last $last_anon kB"
[ "$wrong_total" -eq 0 ]

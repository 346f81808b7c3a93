-- Wave-2 SQL maintained DIFFERENTIAL: subqueries, set operations, every aggregate, grouping
-- sets, LATERAL and set-returning functions, TopK. After each round of DML every stream table
-- must equal its query run afresh (st_check() counts the rows that differ, as a multiset).
-- (Notices are off: a TopK's notice names its state table, whose name holds an OID.)
SET client_min_messages = warning;
\i include/rounds.sql

CREATE TABLE customers (id int PRIMARY KEY, name text, segment text);
CREATE TABLE orders (id int PRIMARY KEY, customer int, amount numeric(10,2), tags text[]);
CREATE TABLE returns (order_id int, reason text);
INSERT INTO customers SELECT i, 'c' || i, (ARRAY['retail', 'corp', NULL])[1 + i % 3] FROM generate_series(1, 20) i;
INSERT INTO orders SELECT i, 1 + i % 25, (i * 7 % 100) + 0.5, ARRAY['t' || i % 3, 't' || i % 5]
  FROM generate_series(1, 200) i;
INSERT INTO returns SELECT i * 3, CASE WHEN i % 2 = 0 THEN 'damaged' END FROM generate_series(1, 30) i;

SELECT pgtrickle.create_stream_table('with_orders',
  'SELECT c.id, c.name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer = c.id)',
  refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('no_orders',
  'SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer = c.id)',
  refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('not_returned',
  'SELECT o.id FROM orders o WHERE o.id NOT IN (SELECT r.order_id FROM returns r)', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('above_average',
  'SELECT o.id, o.amount FROM orders o WHERE o.amount > (SELECT avg(o2.amount) FROM orders o2 WHERE o2.customer = o.customer)',
  refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('customer_order_count',
  'SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer = c.id) AS n FROM customers c', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('both_sets',
  'SELECT customer FROM orders INTERSECT ALL SELECT id FROM customers WHERE segment = ''corp''', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('only_orders',
  'SELECT customer FROM orders EXCEPT SELECT id FROM customers', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('segment_stats',
  'SELECT c.segment, count(*) AS n, stddev_samp(o.amount) AS sd, string_agg(DISTINCT o.id::text, '','' ORDER BY o.id::text) AS ids,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY o.amount) AS median, count(DISTINCT o.customer) AS customers
     FROM orders o JOIN customers c ON c.id = o.customer GROUP BY c.segment', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('rollup',
  'SELECT c.segment, o.customer, sum(o.amount) AS total, GROUPING(c.segment, o.customer) AS level
     FROM orders o JOIN customers c ON c.id = o.customer GROUP BY ROLLUP (c.segment, o.customer)', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('latest_order',
  'SELECT c.id, l.amount, l.n FROM customers c LEFT JOIN LATERAL
     (SELECT max(o.amount) AS amount, count(*) AS n FROM orders o WHERE o.customer = c.id) l ON true',
  refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('tag_counts',
  'SELECT t.tag, count(*) AS n FROM orders o, unnest(o.tags) WITH ORDINALITY AS t(tag, pos) WHERE t.pos = 1 GROUP BY t.tag',
  refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('top_orders',
  'SELECT id, amount FROM orders ORDER BY amount DESC, id LIMIT 5', refresh_mode => 'DIFFERENTIAL');

-- Nested COUNT/SUM (old values derived from new ones, NULL group key and NULL amounts), and
-- subqueries over an aggregate read for the changed rows' keys only.
SELECT pgtrickle.create_stream_table('order_count_histogram',
  'SELECT n, count(*) AS customers, sum(total) AS total FROM
     (SELECT customer, count(amount) AS n, sum(amount) AS total FROM orders GROUP BY customer) t GROUP BY n',
  refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('customer_total',
  'SELECT c.id, (SELECT t.total FROM (SELECT customer, sum(amount) AS total FROM orders GROUP BY customer) t
                  WHERE t.customer = c.id) AS total FROM customers c', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('big_customers',
  'SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer = c.id
     GROUP BY o.customer HAVING sum(o.amount) > 400)', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('orders_of_big_customers',
  'SELECT o.id FROM orders o WHERE o.id IN (SELECT o2.id FROM orders o2 JOIN customers c ON c.id = o2.customer
     GROUP BY o2.id HAVING count(*) = 1)', refresh_mode => 'DIFFERENTIAL');

-- A subquery's value keeps IS NOT DISTINCT FROM (FALSE, not NULL, against a NULL), even where
-- its correlation condition may use = for a NOT NULL column.
SELECT pgtrickle.create_stream_table('same_customer',
  'SELECT o.id, (SELECT c.id IS NOT DISTINCT FROM o.customer FROM customers c WHERE c.id = o.id % 20 + 1) AS same FROM orders o',
  refresh_mode => 'DIFFERENTIAL');

-- Window functions: the partitions a change touches are recomputed (ties broken by id, so
-- that the query has one answer).
SELECT pgtrickle.create_stream_table('order_ranks',
  'SELECT id, customer, row_number() OVER (PARTITION BY customer ORDER BY amount DESC NULLS LAST, id) AS rn,
          rank() OVER (PARTITION BY customer ORDER BY amount) AS rk,
          sum(amount) OVER (PARTITION BY customer ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS pair_sum,
          lag(amount, 1, 0) OVER (PARTITION BY customer ORDER BY id) AS previous
     FROM orders', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('top_two_per_customer',
  'SELECT customer, id, amount FROM (SELECT customer, id, amount, row_number() OVER (PARTITION BY customer ORDER BY amount DESC NULLS LAST, id) AS rn FROM orders) t
     WHERE rn <= 2', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('largest_order_per_customer',
  'SELECT DISTINCT ON (customer) customer, id, amount FROM orders ORDER BY customer, amount DESC NULLS LAST, id',
  refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('named_windows',
  'SELECT id, dense_rank() OVER w AS r, avg(amount) OVER (w ORDER BY id GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW) AS around
     FROM orders WINDOW w AS (PARTITION BY customer)', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('order_quartiles',
  'SELECT id, ntile(4) OVER (ORDER BY amount, id) AS quartile, count(*) OVER () AS orders FROM orders', refresh_mode => 'DIFFERENTIAL');

SELECT pgt_name, refresh_mode FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
SELECT segment, customer, total, level FROM rollup WHERE level = 3;
SELECT id, amount FROM top_orders ORDER BY amount DESC, id;

-- Round 1: inserts, deletes, updates of keys and of values, NULLs.
INSERT INTO orders VALUES (201, 21, 99.99, '{x}'), (202, NULL, 1.00, NULL), (203, 3, NULL, '{}');
INSERT INTO returns VALUES (NULL, 'unknown');
DELETE FROM orders WHERE id % 10 = 0;
UPDATE orders SET customer = customer + 1, amount = amount + 1 WHERE id % 7 = 0;
UPDATE customers SET segment = 'corp' WHERE id % 4 = 0;
SELECT pgtrickle.refresh_stream_table(pgt_name) FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
SELECT st_check(pgt_name) FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
-- Round 2: the NULL in returns goes away; a customer loses all its orders.
DELETE FROM returns WHERE order_id IS NULL;
DELETE FROM orders WHERE customer = 5;
UPDATE orders SET amount = 500 WHERE id = 11;
SELECT pgtrickle.refresh_stream_table(pgt_name) FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
SELECT st_check(pgt_name) FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
SELECT id, amount FROM top_orders ORDER BY amount DESC, id;

-- A scalar subquery that returns two rows fails the refresh as it fails the query (21000).
SELECT pgtrickle.create_stream_table('customer_name_of_order',
  'SELECT o.id, (SELECT c.name FROM customers c WHERE c.segment = ''corp'' AND c.id % 25 = o.customer % 25) AS name FROM orders o',
  refresh_mode => 'DIFFERENTIAL');
UPDATE customers SET id = id + 25 WHERE id = 1;
INSERT INTO customers VALUES (1, 'dup', 'corp');
SELECT try($q$SELECT pgtrickle.refresh_stream_table('customer_name_of_order')$q$);

-- What DIFFERENTIAL still refuses names the construct (0A000); AUTO uses FULL.
SELECT try($q$SELECT pgtrickle.create_stream_table('r1', 'SELECT DISTINCT ON (customer) customer, count(*) FROM orders GROUP BY customer ORDER BY customer', refresh_mode => 'DIFFERENTIAL')$q$);
-- A window over groups: ranks of customers by their totals.
SELECT pgtrickle.create_stream_table('customer_rank',
  'SELECT customer, sum(amount) AS total, rank() OVER (ORDER BY sum(amount) DESC NULLS LAST, customer) AS r FROM orders GROUP BY customer',
  refresh_mode => 'DIFFERENTIAL');
UPDATE orders SET amount = amount + 50 WHERE id % 6 = 0;
SELECT pgtrickle.refresh_stream_table('customer_rank');
SELECT st_check('customer_rank');
SELECT try($q$SELECT pgtrickle.create_stream_table('r2', 'SELECT x FROM generate_series(1, 3) x', refresh_mode => 'DIFFERENTIAL')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('r3', 'SELECT id, unnest(tags) FROM orders', refresh_mode => 'DIFFERENTIAL')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('r4', 'SELECT id, ARRAY(SELECT 1) FROM orders', refresh_mode => 'DIFFERENTIAL')$q$);
SELECT pgtrickle.create_stream_table('r5', 'SELECT o.id, (SELECT max(c.id) FROM customers c JOIN (orders o2 JOIN customers c2 ON c2.id = o2.customer AND o2.id = o.customer) ON c.id = c2.id) AS m FROM orders o');
SELECT configured_mode, effective_mode, downgrade_reason FROM pgtrickle.explain_refresh_mode('r5');

-- explain_st shows the new operators.
SELECT value FROM pgtrickle.explain_st('tag_counts') WHERE property = 'operator_tree';
SELECT value FROM pgtrickle.explain_st('not_returned') WHERE property = 'circuit';
SELECT value FROM pgtrickle.explain_st('order_ranks') WHERE property = 'circuit';

-- An aggregate below the top keeps its groups and running state in a state table of its own,
-- updated by each refresh (its visible columns are the subquery's rows), dropped with the
-- stream table.
CREATE FUNCTION state_table_of(st text) RETURNS text LANGUAGE sql AS $$
  SELECT split_part(value, ': ', 2) FROM pgtrickle.explain_st(st) WHERE property = 'aggregate_state_tables' $$;
SELECT regexp_replace(state_table_of('order_count_histogram'), '_[0-9]+$', '_<oid>') AS state_table;
SELECT pg_catalog.pg_get_userbyid(relowner) = current_user AS owned_by_creator FROM pg_class
  WHERE oid = state_table_of('order_count_histogram')::regclass;
CREATE FUNCTION state_differs(st text, q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint; BEGIN
  EXECUTE format('SELECT count(*) FROM ((SELECT customer, count, sum FROM %s EXCEPT ALL %s) UNION ALL (%s EXCEPT ALL SELECT customer, count, sum FROM %s)) x',
                 state_table_of(st), q, q, state_table_of(st)) INTO n;
  RETURN n;
END $$;
UPDATE orders SET amount = amount * 2 WHERE id % 3 = 0;
DELETE FROM orders WHERE id % 5 = 1;
SELECT pgtrickle.refresh_stream_table('order_count_histogram');
SELECT state_differs('order_count_histogram',
  'SELECT customer, count(amount) AS n, sum(amount) AS total FROM orders GROUP BY customer') AS state_rows_wrong;
SELECT st_check('order_count_histogram');
SELECT state_table_of('order_count_histogram') AS state \gset
SELECT pgtrickle.drop_stream_table('order_count_histogram');
SELECT to_regclass(:'state') IS NULL AS state_dropped;

-- WITH RECURSIVE: UNION ALL counted (paths in a hierarchy), UNION by delete-and-rederive
-- (reachability over a graph with cycles); both DIFFERENTIAL in AUTO, exact after changes.
CREATE TABLE links (src int, dst int);
INSERT INTO links VALUES (1, 2), (2, 3), (3, 4), (2, 5);
SELECT pgtrickle.create_stream_table('reachable', $$
  WITH RECURSIVE r(a, b) AS (SELECT src, dst FROM links UNION SELECT r.a, l.dst FROM r JOIN links l ON l.src = r.b)
  SELECT a, b FROM r $$, schedule => '1h');
SELECT pgtrickle.create_stream_table('link_paths', $$
  WITH RECURSIVE p(a, b, hops) AS (SELECT src, dst, 1 FROM links UNION ALL SELECT p.a, l.dst, p.hops + 1 FROM p JOIN links l ON l.src = p.b)
  SELECT a, b, hops FROM p $$, schedule => '1h');
SELECT effective_mode FROM pgtrickle.explain_refresh_mode('reachable');
SELECT effective_mode FROM pgtrickle.explain_refresh_mode('link_paths');
SELECT value FROM pgtrickle.explain_st('reachable') WHERE property = 'circuit';
INSERT INTO links VALUES (5, 6), (6, 7);
DELETE FROM links WHERE src = 3;
SELECT pgtrickle.refresh_stream_table('reachable');
SELECT pgtrickle.refresh_stream_table('link_paths');
SELECT st_check('reachable'), st_check('link_paths');
-- A cycle: UNION still ends (so does its stream table) ...
INSERT INTO links VALUES (7, 1);
SELECT pgtrickle.refresh_stream_table('reachable');
SELECT st_check('reachable');
SELECT count(*) AS pairs FROM reachable;
-- ... UNION ALL would not: the refresh fails after pg_trickle.ivm_recursive_max_depth rounds.
SET pg_trickle.ivm_recursive_max_depth = 20;
SELECT pgtrickle.refresh_stream_table('link_paths');
RESET pg_trickle.ivm_recursive_max_depth;
-- Breaking the cycle again: the rows reached only through it go.
DELETE FROM links WHERE src = 7;
SELECT pgtrickle.refresh_stream_table('reachable');
SELECT st_check('reachable');
SELECT pgtrickle.drop_stream_table('link_paths');
SELECT pgtrickle.create_stream_table('link_paths', $$
  WITH RECURSIVE p(a, b, hops) AS (SELECT src, dst, 1 FROM links UNION ALL SELECT p.a, l.dst, p.hops + 1 FROM p JOIN links l ON l.src = p.b)
  SELECT a, b, hops FROM p $$, schedule => '1h');
DELETE FROM links WHERE src = 2 AND dst = 5;
SELECT pgtrickle.refresh_stream_table('link_paths');
SELECT st_check('link_paths');
SELECT a, b, hops FROM link_paths ORDER BY 1, 2, 3;

-- TopK over rows keeps only the first rows of the result in its state (LIMIT + OFFSET plus
-- max(LIMIT + OFFSET, 100)): a change beyond them is dropped; deletions that leave fewer than
-- the stream table shows refill it from the source; insertions that double it are trimmed.
CREATE TABLE scores (id int PRIMARY KEY, player text, score int);
INSERT INTO scores SELECT i, 'p' || i % 7, i FROM generate_series(1, 1000) i;
SELECT pgtrickle.create_stream_table('leaders', 'SELECT id, player, score FROM scores ORDER BY score DESC, id LIMIT 3',
  schedule => '1h');
SELECT pgtrickle.create_stream_table('runners_up', 'SELECT player, score FROM scores ORDER BY score DESC NULLS FIRST, player LIMIT 3 OFFSET 2',
  schedule => '1h');
CREATE FUNCTION topk_state_rows(st text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint; BEGIN
  EXECUTE format('SELECT count(*) FROM pgtrickle_state.%I', 'topk_' || st::regclass::oid) INTO n;
  RETURN n;
END $$;
CREATE FUNCTION refresh_topk() RETURNS TABLE (leaders text, runners_up text, leaders_state bigint, runners_up_state bigint)
LANGUAGE plpgsql AS $$ BEGIN
  PERFORM pgtrickle.refresh_stream_table('leaders');
  PERFORM pgtrickle.refresh_stream_table('runners_up');
  RETURN QUERY SELECT st_check('leaders'), st_check('runners_up'), topk_state_rows('leaders'), topk_state_rows('runners_up');
END $$;
SELECT topk_state_rows('leaders') AS leaders_state, topk_state_rows('runners_up') AS runners_up_state;
-- Changes beyond the kept rows: nothing kept changes.
INSERT INTO scores SELECT i, 'low', i - 2000 FROM generate_series(2001, 2100) i;
UPDATE scores SET score = score - 1 WHERE id BETWEEN 100 AND 200;
SELECT * FROM refresh_topk();
-- The leaders lose 50 rows, then 52 more: the second time fewer than 3 (5) are left, refilled.
DELETE FROM scores WHERE score > 950;
SELECT * FROM refresh_topk();
DELETE FROM scores WHERE score > 898;
SELECT * FROM refresh_topk();
-- 300 new leaders and a NULL score (first for runners_up): the state grows past twice its size, trimmed.
INSERT INTO scores SELECT i, 'new' || i % 3, 5000 + i % 40 FROM generate_series(3001, 3300) i;
INSERT INTO scores VALUES (4000, 'nobody', NULL);
SELECT * FROM refresh_topk();
-- Rows moving from the bottom to the top and back.
UPDATE scores SET score = CASE WHEN score > 5000 THEN score - 5000 ELSE score + 6000 END WHERE id % 11 = 0;
SELECT * FROM refresh_topk();
SELECT id, player, score FROM leaders ORDER BY score DESC, id;
-- A result smaller than the stream table: the state is all of it, and takes every change.
DELETE FROM scores WHERE id > 2;
SELECT * FROM refresh_topk();
INSERT INTO scores VALUES (10, 'last', -5);
SELECT * FROM refresh_topk();
SELECT player, score FROM runners_up ORDER BY score DESC NULLS FIRST, player;

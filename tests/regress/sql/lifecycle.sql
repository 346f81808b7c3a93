-- The stream-table lifecycle: create in each mode, inspect, alter, refresh, drop.
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, region text);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int, amount numeric(10,2), status text);
INSERT INTO customers VALUES (1, 'Ann', 'north'), (2, 'Bob', 'south'), (3, 'Cy', NULL);
INSERT INTO orders VALUES (10, 1, 25.00, 'paid'), (11, 1, 5.50, 'open'), (12, 2, 100.00, 'paid'),
    (13, NULL, 1.00, 'paid');

-- refresh history of one stream table, oldest first
CREATE FUNCTION pgt_refresh_history_view(st text) RETURNS TABLE (action text, status text, initiated_by text)
LANGUAGE sql AS $$
    SELECT h.action, h.status, h.initiated_by FROM pgtrickle.pgt_refresh_history h
    JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = st ORDER BY h.refresh_id
$$;

-- AUTO resolves to DIFFERENTIAL when the query is maintainable
SELECT pgtrickle.create_stream_table('revenue',
    $$SELECT c.region, count(*) AS orders, sum(o.amount) AS revenue, avg(o.amount) AS avg_amount
      FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.region$$);
SELECT region, orders, revenue, avg_amount FROM revenue ORDER BY region;
SELECT * FROM pgtrickle.explain_refresh_mode('revenue');
SELECT name, status, refresh_mode, is_populated, consecutive_errors, schedule FROM pgtrickle.pgt_status();
SELECT source_table, source_type, cdc_mode FROM pgtrickle.list_sources('revenue');
SELECT column_name, data_type, purpose FROM pgtrickle.list_auxiliary_columns('revenue');
SELECT property FROM pgtrickle.explain_st('revenue');
SELECT value FROM pgtrickle.explain_st('revenue') WHERE property IN ('maintenance', 'dvm_supported');

-- changes reach it on refresh, differentially
INSERT INTO orders VALUES (14, 3, 7.25, 'open');
UPDATE customers SET region = 'south' WHERE id = 1;
DELETE FROM orders WHERE id = 12;
-- with_analyze: EXPLAIN ANALYZE of the delta statement, rolled back (nothing applied or consumed)
SELECT property, value LIKE '%actual time=%' AS analyzed, value LIKE '%Update on revenue%' AS updates
FROM pgtrickle.explain_st('revenue', with_analyze => true) WHERE property LIKE '%plan';
SELECT region, orders, revenue, avg_amount FROM revenue ORDER BY region;
SELECT pgtrickle._pending_changes(pgt_id) AS pending FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'revenue';
SELECT pgtrickle.refresh_stream_table('revenue');
SELECT region, orders, revenue, avg_amount FROM revenue ORDER BY region;
SELECT action, status, initiated_by FROM pgt_refresh_history_view('revenue');

-- a refresh with nothing to do
SELECT pgtrickle.refresh_stream_table('revenue');
SELECT action FROM pgt_refresh_history_view('revenue');

-- FULL mode, and AUTO falling back to FULL (the reason is visible)
SELECT pgtrickle.create_stream_table('paid_full', 'SELECT id, amount FROM orders WHERE status = ''paid''',
    refresh_mode => 'FULL');
SELECT pgtrickle.create_stream_table('ranked',
    'SELECT id, rank() OVER (ORDER BY amount DESC) AS r FROM orders WHERE random() >= 0');
SELECT * FROM pgtrickle.explain_refresh_mode('ranked');
SELECT property, value LIKE '%actual time=%' AS analyzed
FROM pgtrickle.explain_st('paid_full', with_analyze => true) WHERE property LIKE '%plan';
-- (a column name that looks like the end of the storage's column list)
SELECT pgtrickle.create_stream_table('odd_names', 'SELECT id AS "a) b", amount FROM orders', refresh_mode => 'FULL');
SELECT property, value LIKE '%actual time=%' AS analyzed
FROM pgtrickle.explain_st('odd_names', with_analyze => true) WHERE property LIKE '%plan';
SELECT pgtrickle.drop_stream_table('odd_names');
-- row ids: a bag's (FULL, or a result without a key) hashes whole rows and is not unique
SELECT column_name, purpose FROM pgtrickle.list_auxiliary_columns('paid_full');
SELECT pgtrickle.create_stream_table('order_customers', 'SELECT customer_id FROM orders');
SELECT value FROM pgtrickle.explain_st('order_customers') WHERE property = 'maintenance';
SELECT column_name, purpose FROM pgtrickle.list_auxiliary_columns('order_customers');
SELECT pgtrickle.drop_stream_table('order_customers');
UPDATE orders SET amount = 500 WHERE id = 11;
SELECT pgtrickle.refresh_stream_table('paid_full');
SELECT pgtrickle.refresh_stream_table('ranked');
SELECT id, amount FROM paid_full ORDER BY id;
SELECT id, r FROM ranked ORDER BY r, id;

-- initialize => false leaves it empty until the first refresh
SELECT pgtrickle.create_stream_table('later', 'SELECT id FROM customers', initialize => false);
SELECT count(*) FROM later;
SELECT is_populated FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'later';
SELECT pgtrickle.refresh_stream_table('later');
SELECT id FROM later ORDER BY id;

-- if_not_exists and or_replace
SELECT pgtrickle.create_stream_table_if_not_exists('later', 'SELECT 1 AS x');
SELECT pgtrickle.create_or_replace_stream_table('later', 'SELECT id FROM customers', schedule => 'calculated', initialize => false);
SELECT pgtrickle.create_or_replace_stream_table('later', 'SELECT id, name FROM customers WHERE id > 1');
SELECT id, name FROM later ORDER BY id;
-- only the diamond settings differ: they are applied
SELECT pgtrickle.create_or_replace_stream_table('later', 'SELECT id, name FROM customers WHERE id > 1',
    diamond_consistency => 'none');
SELECT diamond_consistency, diamond_schedule_policy FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'later';
SELECT pgtrickle.create_or_replace_stream_table('later', 'SELECT id, name FROM customers WHERE id > 1',
    diamond_consistency => 'none');

-- alter: schedule, status, mode and query
SELECT pgtrickle.alter_stream_table('revenue', schedule => '5m');
SELECT pgtrickle.alter_stream_table('revenue', status => 'SUSPENDED');
SELECT status FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'revenue';
SELECT pgtrickle.refresh_stream_table('revenue');
SELECT pgtrickle.resume_stream_table('revenue');
SELECT status, schedule FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'revenue';
SELECT pgtrickle.alter_stream_table('revenue', refresh_mode => 'FULL');
SELECT refresh_mode FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'revenue';
SELECT pgtrickle.alter_stream_table('revenue', query => 'SELECT region, count(*) AS customers FROM customers GROUP BY region', refresh_mode => 'DIFFERENTIAL');
SELECT region, customers FROM revenue ORDER BY region;
SELECT pgtrickle.repair_stream_table('revenue');

-- validate_query
SELECT * FROM pgtrickle.validate_query('SELECT region, count(*) FROM customers GROUP BY region');
SELECT * FROM pgtrickle.validate_query('SELECT id, (SELECT max(c2.id) FROM customers c2 JOIN (customers c3 JOIN customers c4 ON c4.id = c3.id AND c3.id = c.id) ON c2.id = c3.id) FROM customers c');
SELECT * FROM pgtrickle.validate_query('SELEKT 1');
-- volatile functions make a query unsupported (no volatility row); stable ones warn
SELECT * FROM pgtrickle.validate_query('SELECT id, random() AS r FROM customers');
SELECT * FROM pgtrickle.validate_query('SELECT id, now() AS t FROM customers');
-- ORDER BY is reported as ignored, except where it chooses DISTINCT ON's rows
SELECT * FROM pgtrickle.validate_query('SELECT id FROM customers ORDER BY name');
SELECT * FROM pgtrickle.validate_query('SELECT DISTINCT ON (region) region, id FROM customers ORDER BY region, name');

-- capture leaves the session's lastval() to the user's own sequences
CREATE TABLE tickets (id serial PRIMARY KEY, note text);
SELECT pgtrickle.create_stream_table('ticket_count', 'SELECT count(*) AS n FROM tickets');
INSERT INTO tickets (note) VALUES ('a'), ('b');
SELECT lastval() AS last_ticket_id;
SELECT pgtrickle.refresh_stream_table('ticket_count');
SELECT n FROM ticket_count;
SELECT pgtrickle.drop_stream_table('ticket_count');
DROP TABLE tickets;

-- A stream table's query means what it meant under its creator's settings, in any session: a
-- writer's, a DDL check's and a refresh's whose search_path does not list the schema, and whose
-- time zone and date style differ (a day of a timestamptz, and the text the row ids hash).
CREATE SCHEMA app;
CREATE TABLE app.items (id int PRIMARY KEY, g int, v int);
INSERT INTO app.items VALUES (1, 1, 10), (2, 2, 20);
CREATE TABLE app.events (id int PRIMARY KEY, at timestamptz, v int);
INSERT INTO app.events VALUES (1, '2026-01-02 03:30+00', 1);
SET search_path = app, public;
SET TimeZone = 'UTC';
SELECT pgtrickle.create_stream_table('app.items_now', 'SELECT g, sum(v) AS total FROM items GROUP BY g',
  refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('app.items_per_group', 'SELECT g, count(*) AS n FROM items GROUP BY g',
  schedule => '1h', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('app.events_per_day',
  'SELECT at::date AS day, at, count(*) AS n, sum(v) AS total FROM events GROUP BY at::date, at', refresh_mode => 'IMMEDIATE');
SELECT s FROM pgtrickle.pgt_stream_tables, unnest(settings) s
WHERE pgt_name = 'events_per_day' AND s ~ '^(search_path|TimeZone)=' ORDER BY s;
\c -
SHOW search_path;
SET TimeZone = 'America/New_York';
SET DateStyle = 'SQL, DMY';
INSERT INTO app.events VALUES (2, '2026-01-02 03:30+00', 2), (3, '2026-01-02 04:00+00', 3);
UPDATE app.events SET v = v + 10 WHERE id = 1;
INSERT INTO app.events VALUES (4, '2026-01-02 03:30+00', 4);
DELETE FROM app.events WHERE id = 3;
RESET DateStyle;
SET TimeZone = 'UTC';
INSERT INTO app.events VALUES (5, '2026-01-02 03:30+00', 5);
SET TimeZone = 'Asia/Tokyo';
UPDATE app.events SET v = v + 100 WHERE id = 5;
SET TimeZone = 'UTC';
SELECT day, at, n, total FROM app.events_per_day ORDER BY at;
SELECT count(*) AS differences FROM ((SELECT day, at, n, total FROM app.events_per_day
  EXCEPT ALL SELECT at::date, at, count(*), sum(v) FROM app.events GROUP BY at::date, at)
  UNION ALL (SELECT at::date, at, count(*), sum(v) FROM app.events GROUP BY at::date, at
  EXCEPT ALL SELECT day, at, n, total FROM app.events_per_day)) d;
RESET TimeZone;
INSERT INTO app.items VALUES (3, 1, 5);
ALTER TABLE app.items ADD COLUMN note text;
UPDATE app.items SET v = v + 1 WHERE id = 2;
SELECT pgtrickle.refresh_stream_table('app.items_per_group');
ALTER TABLE app.items_now ALTER COLUMN total SET STATISTICS 200;
SELECT value FROM pgtrickle.explain_st('app.items_now') WHERE property = 'dvm_supported';
SELECT pgtrickle.alter_stream_table('app.items_per_group', refresh_mode => 'FULL');
INSERT INTO app.items VALUES (4, 3, 1);
SELECT pgtrickle.refresh_stream_table('app.items_per_group');
SELECT pgt_name, refresh_mode, status FROM pgtrickle.pgt_stream_tables WHERE pgt_schema = 'app' ORDER BY pgt_name;
SELECT g, total FROM app.items_now ORDER BY g;
SELECT g, n FROM app.items_per_group ORDER BY g;
SELECT pgtrickle.drop_stream_table('app.items_now');
SELECT pgtrickle.drop_stream_table('app.items_per_group');
SELECT pgtrickle.drop_stream_table('app.events_per_day');
DROP SCHEMA app CASCADE;

-- drop leaves nothing behind
SELECT pgtrickle.drop_stream_table('revenue');
SELECT pgtrickle.drop_stream_table('paid_full');
SELECT pgtrickle.drop_stream_table('ranked');
SELECT pgtrickle.drop_stream_table('later');
SELECT count(*) AS stream_tables FROM pgtrickle.pgt_stream_tables;
SELECT count(*) AS buffers FROM pg_tables WHERE schemaname = 'pgtrickle_changes';
SELECT count(*) AS capture_triggers FROM pg_trigger WHERE tgname LIKE 'pg_trickle%';
SELECT count(*) AS history FROM pgtrickle.pgt_refresh_history;

-- JSON_TABLE in defining queries (PostgreSQL 17 and later): a LATERAL table function over the
-- rows to its left, maintained as set-returning functions in FROM are (each changed row with
-- the rows JSON_TABLE makes of it). Each round, every stream table equals its query.
-- Before PostgreSQL 17 there is no JSON_TABLE: the test stops here (json_table_1.out).
SELECT current_setting('server_version_num')::int < 170000 AS before_17 \gset
\if :before_17
\quit
\endif
SET client_min_messages = warning;
\i include/rounds.sql

CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, doc jsonb);
CREATE TABLE events (payload json); -- keyless, and json has no equality
INSERT INTO orders VALUES
  (1, 'ann', '{"items": [{"sku": "a", "qty": 2, "tags": ["x", "y"]}, {"sku": "b", "qty": 3}]}'),
  (2, 'bob', '{"items": []}'),
  (3, 'bob', NULL),
  (4, 'cid', '{"items": [{"sku": "a", "qty": "many"}, {"qty": 1}]}');
INSERT INTO events VALUES ('{"kind": "click"}'), ('{"kind": "click"}'), ('{"kind": "view", "n": [1, 2]}');

-- Ordinality, a default ON EMPTY, NULL ON ERROR, a NESTED path (its columns come last).
SELECT pgtrickle.create_stream_table('lines_differential', $$
  SELECT o.id, j.* FROM orders o,
         JSON_TABLE(o.doc, '$.items[*]' AS items COLUMNS (
           n FOR ORDINALITY, sku text PATH '$.sku' DEFAULT 'none' ON EMPTY,
           NESTED PATH '$.tags[*]' AS tags COLUMNS (tag text PATH '$'),
           qty int PATH '$.qty' NULL ON ERROR)) AS j $$, refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('lines_immediate', $$
  SELECT o.id, j.* FROM orders o,
         JSON_TABLE(o.doc, '$.items[*]' AS items COLUMNS (
           n FOR ORDINALITY, sku text PATH '$.sku' DEFAULT 'none' ON EMPTY,
           NESTED PATH '$.tags[*]' AS tags COLUMNS (tag text PATH '$'),
           qty int PATH '$.qty' NULL ON ERROR)) AS j $$, schedule => NULL, refresh_mode => 'IMMEDIATE');
-- PASSING values (one read from the row) in the path, a DEFAULT computed ON ERROR, aggregated.
SELECT pgtrickle.create_stream_table('sku_totals', $$
  SELECT j.sku, count(*) AS lines, sum(j.qty) AS qty
    FROM orders o, JSON_TABLE(o.doc, '$.items[*] ? (@.qty >= $min && @.sku != $who)' PASSING 1 AS min, o.customer AS who
                              COLUMNS (sku text PATH '$.sku', qty int PATH '$.qty' DEFAULT 10 * 10 ON ERROR)) AS j
   GROUP BY j.sku $$, refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('sku_totals_immediate', $$
  SELECT j.sku, count(*) AS lines, sum(j.qty) AS qty
    FROM orders o, JSON_TABLE(o.doc, '$.items[*]' COLUMNS (sku text PATH '$.sku', qty int PATH '$.qty' DEFAULT -1 ON ERROR)) AS j
   GROUP BY j.sku $$, schedule => NULL, refresh_mode => 'IMMEDIATE');
-- LEFT JOIN LATERAL … ON true keeps the orders without items; column aliases; FORMAT JSON,
-- a wrapper, EXISTS, and an ON ERROR of the whole table.
SELECT pgtrickle.create_stream_table('orders_items', $$
  SELECT o.id, o.customer, j.* FROM orders o LEFT JOIN LATERAL
         JSON_TABLE(o.doc, '$.items[*]' COLUMNS (sku text, item jsonb FORMAT JSON PATH '$' WITH CONDITIONAL WRAPPER,
                                                 tagged bool EXISTS PATH '$.tags', first_tag text FORMAT JSON PATH '$.tags[0]' OMIT QUOTES)
                    EMPTY ON ERROR) AS j(item_sku, item) ON true $$, refresh_mode => 'AUTO');
-- A keyless source of json documents, and a context item cast in the query.
SELECT pgtrickle.create_stream_table('event_kinds', $$
  SELECT e.kind, count(*) AS events FROM events, JSON_TABLE(payload::jsonb, '$' COLUMNS (kind text PATH '$.kind')) AS e
   GROUP BY e.kind $$, schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgt_name, refresh_mode FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
SELECT effective_mode FROM pgtrickle.explain_refresh_mode('orders_items');
SELECT id, n, sku, qty, tag FROM lines_differential ORDER BY id, n, tag;
SELECT * FROM round_done();

-- Multi-row INSERT, one-row INSERT, an UPDATE of the documents, an UPDATE of another column
-- (the rows JSON_TABLE makes of it are deleted and inserted again), DELETE, TRUNCATE.
INSERT INTO orders VALUES
  (5, 'dan', '{"items": [{"sku": "c", "qty": 1, "tags": ["z"]}, {"sku": "a", "qty": 5, "tags": []}]}'),
  (6, 'eve', '{"items": [{"sku": "dan", "qty": 2}]}');
INSERT INTO orders VALUES (7, 'fay', '{"items": {"sku": "lax", "qty": 4}}');
INSERT INTO events VALUES ('{"kind": "view"}'), ('[1, 2]');
SELECT * FROM round_done();
UPDATE orders SET doc = jsonb_set(doc, '{items,0,qty}', '7') WHERE id IN (1, 5);
UPDATE orders SET doc = '{"items": [{"sku": "b", "qty": 1}]}' WHERE id = 3;
UPDATE events SET payload = '{"kind": "buy"}' WHERE payload::text LIKE '%view%';
SELECT * FROM round_done();
UPDATE orders SET customer = 'dan' WHERE id = 6;
SELECT * FROM round_done();
DELETE FROM orders WHERE id IN (1, 7);
DELETE FROM events WHERE payload::text = '[1, 2]';
SELECT * FROM round_done();
SELECT sku, lines, qty FROM sku_totals ORDER BY sku;
TRUNCATE orders;
SELECT * FROM round_done();

-- Refused: no table before JSON_TABLE (nothing to maintain), JSON_TABLE on the left of a
-- JOIN; duplicate names are PostgreSQL's error.
SELECT try($q$SELECT pgtrickle.create_stream_table('bad1', $$SELECT * FROM JSON_TABLE('[1, 2]'::jsonb, '$[*]' COLUMNS (v int PATH '$')) j$$,
                                                  refresh_mode => 'DIFFERENTIAL')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('bad2', $$SELECT * FROM orders o, JSON_TABLE(o.doc, '$' COLUMNS (v int PATH '$.v')) j
  JOIN events e ON true$$, refresh_mode => 'DIFFERENTIAL')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('bad3', $$SELECT * FROM orders o, JSON_TABLE(o.doc, '$' AS a COLUMNS (a int))$$,
                                                  refresh_mode => 'DIFFERENTIAL')$q$);

-- Sources with virtual generated columns (PostgreSQL 18): their values are computed when read,
-- and the rows capture gets (transition tables, the WAL) hold NULL in their place; capture
-- computes them, so that stream tables reading them stay exact in every mode. A new generation
-- expression (SET EXPRESSION) changes the values without a write: readers are recomputed.
-- Before PostgreSQL 18 there are no virtual generated columns: the test stops here
-- (virtual_columns_1.out).
SELECT current_setting('server_version_num')::int < 180000 AS before_18 \gset
\if :before_18
\quit
\endif
SET client_min_messages = warning;
\i include/rounds.sql
CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(10,2), qty int,
  total numeric GENERATED ALWAYS AS (price * qty) VIRTUAL,
  label text GENERATED ALWAYS AS (upper(name) || '#' || id) VIRTUAL,
  big boolean GENERATED ALWAYS AS (qty > 10), -- VIRTUAL is the default
  stored_total numeric GENERATED ALWAYS AS (price * qty) STORED);
CREATE TABLE readings (sensor text, celsius numeric, fahrenheit numeric GENERATED ALWAYS AS (celsius * 9 / 5 + 32)); -- keyless
CREATE TABLE sales (region text, amount int, tax int GENERATED ALWAYS AS (amount / 10)) PARTITION BY LIST (region);
CREATE TABLE sales_n PARTITION OF sales FOR VALUES IN ('n');
CREATE TABLE sales_s PARTITION OF sales FOR VALUES IN ('s');
INSERT INTO items (id, name, price, qty) VALUES (1, 'ax', 2.50, 4), (2, 'bo', 1.00, 12), (3, NULL, NULL, 1);
INSERT INTO readings (sensor, celsius) VALUES ('a', 10), ('a', 20), ('b', 30);
INSERT INTO sales (region, amount) VALUES ('n', 100), ('s', 55), ('s', 9);
SELECT attname, attgenerated FROM pg_attribute WHERE attrelid = 'items'::regclass AND attgenerated <> '' ORDER BY attnum;

SELECT pgtrickle.create_stream_table('items_differential', 'SELECT id, total, label, big, stored_total FROM items',
                                     refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('items_immediate', 'SELECT id, total, label, big, stored_total FROM items',
                                     schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('by_size_differential', 'SELECT big, count(*) AS n, sum(total) AS total FROM items GROUP BY big',
                                     refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('by_size_immediate', 'SELECT big, count(*) AS n, sum(total) AS total FROM items GROUP BY big',
                                     schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('warm_differential',
                                     'SELECT sensor, max(fahrenheit) AS hottest FROM readings WHERE fahrenheit > 50 GROUP BY sensor',
                                     refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('warm_immediate', 'SELECT sensor, fahrenheit FROM readings WHERE fahrenheit > 50',
                                     schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('tax_differential', 'SELECT region, sum(tax) AS tax FROM sales GROUP BY region',
                                     refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('tax_immediate', 'SELECT region, sum(tax) AS tax FROM sales GROUP BY region',
                                     schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT * FROM round_done();

-- One-row and multi-row writes of every kind; the generated values follow the stored ones.
UPDATE items SET price = 3.00 WHERE id = 1;
UPDATE readings SET celsius = 5 WHERE celsius = 30;
UPDATE sales SET amount = 500 WHERE amount = 9;
SELECT * FROM round_done();
SELECT id, total, label, big, stored_total FROM items_immediate ORDER BY id;
INSERT INTO items (id, name, price, qty) VALUES (4, 'cy', 0.10, 100), (5, 'dz', 7.00, 2);
INSERT INTO readings (sensor, celsius) VALUES ('b', 40), ('c', -40);
INSERT INTO sales (region, amount) VALUES ('n', 1), ('s', 1000);
SELECT * FROM round_done();
UPDATE items SET qty = qty + 10, name = name || '!';
UPDATE readings SET celsius = celsius + 15;
UPDATE sales SET region = 'n' WHERE amount = 1000; -- to another partition
SELECT * FROM round_done();
DELETE FROM items WHERE id IN (2, 4);
DELETE FROM readings WHERE sensor = 'a';
DELETE FROM sales WHERE amount = 1;
SELECT * FROM round_done();

-- New generation expressions: every reader is recomputed (IMMEDIATE ones at once).
SET client_min_messages = notice;
ALTER TABLE items ALTER COLUMN total SET EXPRESSION AS (price * qty * 2);
ALTER TABLE readings ALTER COLUMN fahrenheit SET EXPRESSION AS (celsius * 2 + 30);
ALTER TABLE items ALTER COLUMN stored_total SET EXPRESSION AS (price + qty);
ALTER TABLE items ADD COLUMN note text; -- no generation expression: nothing to recompute
SET client_min_messages = warning;
SELECT * FROM round_done();
UPDATE items SET qty = 1 WHERE id = 1;
INSERT INTO readings (sensor, celsius) VALUES ('d', 12);
SELECT * FROM round_done();
SELECT big, n, total FROM by_size_immediate ORDER BY big;
TRUNCATE items, readings, sales;
SELECT * FROM round_done();

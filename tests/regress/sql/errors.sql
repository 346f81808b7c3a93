-- Every rejected input gets a clear error with a proper SQLSTATE (never XX000), and leaves
-- nothing behind.
-- try(sql): runs sql and shows its SQLSTATE and message instead of failing.
\i include/rounds.sql
CREATE TABLE orders (id int PRIMARY KEY, customer int, amount numeric(10,2), note text);
INSERT INTO orders VALUES (1, 1, 10.00, 'a'), (2, 1, 20.00, NULL), (3, 2, 5.50, 'b');
CREATE TEMP TABLE scratch (x int);

-- syntax errors carry their position (psql shows it)
SELECT pgtrickle.create_stream_table('e1', 'SELEC id FROM orders');
SELECT pgtrickle.create_stream_table('e1', 'SELECT id FROM orders WHERE');
-- unknown objects
SELECT try($q$SELECT pgtrickle.create_stream_table('e2', 'SELECT id FROM no_such_table')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e3', 'SELECT no_such_column FROM orders')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e3', 'SELECT no_such_function(id) FROM orders')$q$);
-- several statements, not a SELECT, empty, NULL
SELECT try($q$SELECT pgtrickle.create_stream_table('e4', 'SELECT 1; SELECT 2')$q$);
-- (one statement ended by a semicolon, or by a line comment, is a query as psql users write it)
SELECT try($q$SELECT pgtrickle.create_stream_table('ends_in_semicolon', E'SELECT id FROM orders; -- done\n', refresh_mode => 'DIFFERENTIAL')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('ends_in_comment', 'SELECT id, note FROM orders -- notes', refresh_mode => 'DIFFERENTIAL')$q$);
SELECT try($q$SELECT pgtrickle.alter_stream_table('ends_in_semicolon', query => 'SELECT id, amount FROM orders ;')$q$);
SELECT pgt_name, defining_query FROM pgtrickle.pgt_stream_tables WHERE pgt_name LIKE 'ends_in%' ORDER BY 1;
INSERT INTO orders VALUES (9, 3, 1.00, 'z');
SELECT * FROM round_done();
DELETE FROM orders WHERE id = 9;
SELECT pgtrickle.drop_stream_table('ends_in_semicolon'), pgtrickle.drop_stream_table('ends_in_comment');
SELECT try($q$SELECT pgtrickle.create_stream_table('e5', 'DELETE FROM orders')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e6', '')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e6', NULL)$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table(NULL, 'SELECT 1')$q$);
-- LIMIT without ORDER BY, OFFSET, TABLESAMPLE, FOR UPDATE, parameters, temporary tables
SELECT try($q$SELECT pgtrickle.create_stream_table('e7', 'SELECT id FROM orders LIMIT 5')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e8', 'SELECT id FROM orders OFFSET 1')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e9', 'SELECT id FROM orders TABLESAMPLE BERNOULLI (50)')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e10', 'SELECT id FROM orders FOR UPDATE')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e11', 'SELECT id FROM orders WHERE id = $1')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e12', 'SELECT x FROM scratch')$q$);
-- volatile functions: refused in DIFFERENTIAL; AUTO falls back to FULL, with a warning
SELECT try($q$SELECT pgtrickle.create_stream_table('e13', 'SELECT id, random() AS r FROM orders', refresh_mode => 'DIFFERENTIAL')$q$);
SELECT pgtrickle.create_stream_table('auto_volatile', 'SELECT id, random() < 2 AS always FROM orders');
SELECT * FROM pgtrickle.explain_refresh_mode('auto_volatile');
SELECT pgtrickle.create_stream_table('volatile_full', 'SELECT id, random() > 2 AS never FROM orders', refresh_mode => 'FULL');
SELECT id, never FROM volatile_full ORDER BY id;
-- a query PostgreSQL itself refuses gets its error (mutual recursion between WITH items)
SELECT try($q$SELECT pgtrickle.create_stream_table('e15', 'WITH RECURSIVE a(n) AS (SELECT 1 FROM pg_class UNION ALL SELECT n + 1 FROM b WHERE n < 3), b AS (SELECT n FROM a) SELECT n FROM a', refresh_mode => 'DIFFERENTIAL')$q$);
-- ORDER BY without LIMIT is ignored, with a warning; with DISTINCT ON it picks the rows kept
SELECT pgtrickle.create_stream_table('ordered', 'SELECT id, customer FROM orders ORDER BY amount');
SELECT pgtrickle.create_stream_table('biggest_order', 'SELECT DISTINCT ON (customer) customer, id FROM orders ORDER BY customer, amount DESC');
SELECT customer, id FROM biggest_order ORDER BY customer;
-- sources whose changes cannot all be captured are refused in every mode: materialized views,
-- foreign tables, inheritance parents and children, partitions (partitioned tables are
-- captured on every partition: see partitions.sql)
CREATE MATERIALIZED VIEW order_mv AS SELECT id FROM orders;
CREATE FOREIGN DATA WRAPPER no_fdw;
CREATE SERVER nowhere FOREIGN DATA WRAPPER no_fdw;
CREATE FOREIGN TABLE remote_orders (id int) SERVER nowhere;
CREATE TABLE parent_t (id int, v int);
CREATE TABLE child_t () INHERITS (parent_t);
CREATE TABLE part_t (id int, v int) PARTITION BY RANGE (id);
CREATE TABLE part_t1 PARTITION OF part_t FOR VALUES FROM (0) TO (100);
SELECT r AS source, m AS mode, try(format('SELECT pgtrickle.create_stream_table(''e31'', %L, refresh_mode => %L)',
                                          'SELECT id FROM ' || r, m))
FROM unnest(ARRAY['order_mv', 'remote_orders', 'parent_t', 'child_t', 'part_t1']) r,
     unnest(ARRAY['AUTO', 'FULL', 'DIFFERENTIAL']) m;
SELECT pgtrickle.create_stream_table('e32', 'SELECT id FROM order_mv');
SELECT pgtrickle.create_stream_table('e32', 'SELECT id FROM parent_t');
-- FROM ONLY reads the parent's own rows: FULL refresh (the parent's capture also sees its
-- children's rows changed through it, so no delta of the parent alone can be computed)
SELECT try($q$SELECT pgtrickle.create_stream_table('e33', 'SELECT id, v FROM ONLY parent_t', refresh_mode => 'DIFFERENTIAL')$q$);
SELECT pgtrickle.create_stream_table('parent_only', 'SELECT id, v FROM ONLY parent_t');
SELECT * FROM pgtrickle.explain_refresh_mode('parent_only');
INSERT INTO parent_t VALUES (1, 1);
INSERT INTO child_t VALUES (2, 2);
UPDATE parent_t SET v = v + 10;
SELECT pgtrickle.refresh_stream_table('parent_only');
SELECT id, v FROM parent_only ORDER BY id;
-- bad modes, schedules and parameters
SELECT try($q$SELECT pgtrickle.create_stream_table('e16', 'SELECT id FROM orders', refresh_mode => 'SOMETIMES')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e17', 'SELECT id FROM orders', schedule => NULL)$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e18', 'SELECT id FROM orders', schedule => '')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e19', 'SELECT id FROM orders', schedule => '5x')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e20', 'SELECT id FROM orders', schedule => '-5s')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e21', 'SELECT id FROM orders', schedule => '0s')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e22', 'SELECT id FROM orders', schedule => '* * *')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e23', 'SELECT id FROM orders', schedule => '61 * * * *')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e24', 'SELECT id, random() AS r FROM orders', refresh_mode => 'IMMEDIATE')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e25', 'SELECT id FROM orders', cdc_mode => 'wal')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e25', 'SELECT id FROM orders', cdc_mode => 'logical')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e25', 'SELECT id FROM orders', refresh_mode => 'IMMEDIATE', cdc_mode => 'wal')$q$);
-- reserved and duplicate output column names
SELECT try($q$SELECT pgtrickle.create_stream_table('e26', 'SELECT id AS __pgt_x FROM orders')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e27', 'SELECT id, id FROM orders')$q$);
-- names already taken
SELECT try($q$SELECT pgtrickle.create_stream_table('orders', 'SELECT id FROM orders')$q$);
SELECT pgtrickle.create_stream_table('dup', 'SELECT id, customer FROM orders');
SELECT try($q$SELECT pgtrickle.create_stream_table('dup', 'SELECT id FROM orders')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('no_such_schema.t', 'SELECT id FROM orders')$q$);
-- unknown stream tables
SELECT try($q$SELECT pgtrickle.refresh_stream_table('nope')$q$);
SELECT try($q$SELECT pgtrickle.drop_stream_table('nope')$q$);
SELECT try($q$SELECT pgtrickle.alter_stream_table('nope', schedule => '5m')$q$);
SELECT try($q$SELECT * FROM pgtrickle.explain_refresh_mode('nope')$q$);
-- bad alter arguments
SELECT try($q$SELECT pgtrickle.alter_stream_table('dup', status => 'PAUSED')$q$);
SELECT try($q$SELECT pgtrickle.alter_stream_table('dup', refresh_mode => 'NEVER')$q$);
SELECT try($q$SELECT pgtrickle.resume_stream_table('dup')$q$);
-- diamond settings are checked together, as at creation; cdc_mode 'trigger' is accepted
SELECT try($q$SELECT pgtrickle.alter_stream_table('dup', diamond_consistency => 'none', diamond_schedule_policy => 'slowest')$q$);
SELECT try($q$SELECT pgtrickle.alter_stream_table('dup', diamond_schedule_policy => 'slowest')$q$);
SELECT try($q$SELECT pgtrickle.alter_stream_table('dup', diamond_consistency => 'none')$q$);
SELECT try($q$SELECT pgtrickle.alter_stream_table('dup', cdc_mode => 'trigger')$q$);
SELECT try($q$SELECT pgtrickle.alter_stream_table('dup', cdc_mode => 'wal')$q$);
SELECT diamond_consistency, diamond_schedule_policy FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'dup';
-- stream tables are read-only to users
SELECT try($q$INSERT INTO dup (id, customer) VALUES (1, 1)$q$);
SELECT try($q$UPDATE dup SET id = 5$q$);
SELECT try($q$DELETE FROM dup$q$);
SELECT try($q$TRUNCATE dup$q$);
-- read-only transactions
BEGIN READ ONLY;
SELECT try($q$SELECT pgtrickle.create_stream_table('e28', 'SELECT id FROM orders')$q$);
SELECT try($q$SELECT pgtrickle.refresh_stream_table('dup')$q$);
ROLLBACK;
-- absurdly deep queries
SELECT try($q$SELECT pgtrickle.create_stream_table('e29', 'SELECT ' || repeat('1 + (', 200) || '1' || repeat(')', 200) || ' AS x FROM orders')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e30', 'SELECT x FROM ' || repeat('(SELECT 1 AS x FROM ', 80) || 'orders' || repeat(') s', 80))$q$);
-- a column with a nondeterministic collation: 'Apple' and 'APPLE' form one group, but their
-- texts (which row ids hash) differ; AUTO recomputes, DIFFERENTIAL and IMMEDIATE are refused
CREATE COLLATION case_blind (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE fruit (id int PRIMARY KEY, name text COLLATE case_blind);
INSERT INTO fruit VALUES (1, 'Apple'), (2, 'apple'), (3, 'Pear');
SELECT try($q$SELECT pgtrickle.create_stream_table('e31', 'SELECT name, count(*) AS n FROM fruit GROUP BY name', refresh_mode => 'DIFFERENTIAL')$q$);
SELECT try($q$SELECT pgtrickle.create_stream_table('e32', 'SELECT name, count(*) AS n FROM fruit GROUP BY name', refresh_mode => 'IMMEDIATE')$q$);
SELECT pgtrickle.create_stream_table('fruit_names', 'SELECT name, count(*) AS n FROM fruit GROUP BY name');
SELECT refresh_mode, downgrade_reason FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'fruit_names';
INSERT INTO fruit VALUES (4, 'APPLE');
SELECT pgtrickle.refresh_stream_table('fruit_names');
SELECT lower(name) AS name, n FROM fruit_names ORDER BY 1;
SELECT pgtrickle.drop_stream_table('fruit_names');
DROP TABLE fruit;
-- A stream table defined before such a column came keeps its mode: the column may be added.
CREATE TABLE plants (id int PRIMARY KEY, kind text);
INSERT INTO plants VALUES (1, 'fern');
SELECT pgtrickle.create_stream_table('plant_kinds', 'SELECT kind, count(*) AS n FROM plants GROUP BY kind', refresh_mode => 'DIFFERENTIAL');
ALTER TABLE plants ADD COLUMN note text COLLATE case_blind;
INSERT INTO plants VALUES (2, 'fern', 'Tall');
SELECT pgtrickle.refresh_stream_table('plant_kinds');
SELECT kind, n FROM plant_kinds;
SELECT pgtrickle.drop_stream_table('plant_kinds');
DROP TABLE plants;
DROP COLLATION case_blind;
-- a column of a pseudo-type cannot be stored, in any mode
SELECT pgtrickle.create_stream_table('pseudo', 'SELECT id, cast(NULL AS record) AS r FROM orders', refresh_mode => 'FULL');
-- nor one of a type without an array type (pg_node_tree)
SELECT pgtrickle.create_stream_table('node_tree', 'SELECT id, pg_catalog.pg_node_tree_in(NULL::cstring) AS t FROM orders');
-- A state kept between refreshes of a pseudo-type (an aggregate of record values; PostgreSQL
-- 18's min() of a composite returns record) cannot be stored: DIFFERENTIAL is refused, AUTO
-- recomputes in full, and is exact.
CREATE FUNCTION pair(int, text) RETURNS record LANGUAGE sql IMMUTABLE AS 'SELECT ROW($1, $2)';
CREATE FUNCTION first_of(anyelement, anyelement) RETURNS anyelement LANGUAGE sql IMMUTABLE AS 'SELECT coalesce($1, $2)';
CREATE AGGREGATE first_record(anyelement) (sfunc = first_of, stype = anyelement);
SELECT pgtrickle.create_stream_table('record_state', 'SELECT customer, first_record(pair(id, note)) IS NULL AS none FROM orders GROUP BY customer',
    refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('record_state', 'SELECT id FROM orders WHERE (SELECT first_record(pair(id, note)) FROM orders) IS NOT NULL');
SELECT effective_refresh_mode, downgrade_reason FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'record_state';
INSERT INTO orders VALUES (90, 9, 1, 'late');
SELECT pgtrickle.refresh_stream_table('record_state');
SELECT (SELECT count(*) FROM record_state) = (SELECT count(*) FROM orders) AS exact;
SELECT pgtrickle.drop_stream_table('record_state');
DELETE FROM orders WHERE id = 90;
DROP AGGREGATE first_record(anyelement);
DROP FUNCTION first_of(anyelement, anyelement), pair(int, text);
-- 40 correlated subqueries, each lifted over the rows below it, which its own input reads too:
-- the refresh statements and the loads of the counts' state tables, spelled out, would double
-- at each level. AUTO refreshes the query FULL, and explain_st prints each shared subtree once.
SELECT pgtrickle.create_stream_table('nested_counts', 'SELECT o.id' || (SELECT string_agg(format(
    ', (SELECT count(*) FROM orders p WHERE p.customer = o.customer AND p.id > %s) AS n%s', i, i), '' ORDER BY i)
    FROM generate_series(1, 40) i) || ' FROM orders o');
SELECT effective_refresh_mode, downgrade_reason FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'nested_counts';
SELECT count(*) FILTER (WHERE line LIKE '%Shared #%') AS shared_subtrees_named, count(*) AS lines
FROM pgtrickle.explain_st('nested_counts') e, regexp_split_to_table(e.value, E'\n') line WHERE property = 'operator_tree';
SELECT pgtrickle.drop_stream_table('nested_counts');
-- a distributed stream table needs Citus
SELECT pgtrickle.create_stream_table('distributed', 'SELECT id FROM orders', output_distribution_column => 'id');
-- the failures created nothing
SELECT pgt_name FROM pgtrickle.pgt_stream_tables ORDER BY 1;
SELECT pgtrickle.drop_stream_table('dup');
SELECT pgtrickle.drop_stream_table('volatile_full');
SELECT pgtrickle.drop_stream_table('auto_volatile');
SELECT pgtrickle.drop_stream_table('ordered');
SELECT pgtrickle.drop_stream_table('biggest_order');
SELECT pgtrickle.drop_stream_table('parent_only');
SELECT count(*) AS leftover_buffers FROM pg_tables WHERE schemaname = 'pgtrickle_changes';
SELECT count(*) AS leftover_triggers FROM pg_trigger WHERE tgname LIKE 'pg_trickle%';

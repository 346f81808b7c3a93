-- Issue 25: the compiler reads queries as PostgreSQL does, and a stream table never breaks its
-- sources. Each section failed before its fix; st_check() compares a stream table with its
-- query run afresh, as a multiset of rows rendered as text (json has no equality).
SET client_min_messages = warning;
SET check_function_bodies = off;
\i include/rounds.sql
CREATE FUNCTION refresh_all() RETURNS void LANGUAGE plpgsql AS $$
DECLARE s record;
BEGIN
    FOR s IN SELECT pgt_name FROM pgtrickle.pgt_stream_tables WHERE refresh_mode <> 'IMMEDIATE' ORDER BY pgt_id LOOP
        PERFORM pgtrickle.refresh_stream_table(s.pgt_name);
    END LOOP;
END $$;
-- (Stream tables over rows their query leaves tied are checked on their own, below.)
CREATE FUNCTION check_all() RETURNS SETOF text LANGUAGE sql AS $$
    SELECT st_check(pgt_name) FROM pgtrickle.pgt_stream_tables
     WHERE pgt_name NOT IN ('first_of_key', 'first_of_key_now', 'moving_avg', 'numbered') ORDER BY pgt_name $$;
CREATE FUNCTION check_ties() RETURNS TABLE (one_per_key bool, rows_of_source bool, moving_avg_differing bigint,
  numbered_differing bigint) LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM first_of_key) = (SELECT count(DISTINCT i) FROM mv_base_a)
             AND (SELECT count(*) FROM first_of_key_now) = (SELECT count(DISTINCT i) FROM mv_base_a),
           NOT EXISTS (SELECT i, j FROM first_of_key EXCEPT SELECT i, j FROM mv_base_a)
             AND NOT EXISTS (SELECT i, j FROM first_of_key_now EXCEPT SELECT i, j FROM mv_base_a),
           (SELECT count(*) FROM ((SELECT id, ts, val, avg FROM moving_avg EXCEPT ALL SELECT id, ts, val,
              AVG(val) OVER (ORDER BY ts, id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM win_frame_src)
              UNION ALL (SELECT id, ts, val, AVG(val) OVER (ORDER BY ts, id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)
              FROM win_frame_src EXCEPT ALL SELECT id, ts, val, avg FROM moving_avg)) d),
           (SELECT count(*) FROM ((SELECT id, row_number FROM numbered EXCEPT ALL SELECT id, row_number() OVER (ORDER BY ts, id)
              FROM win_frame_src) UNION ALL (SELECT id, row_number() OVER (ORDER BY ts, id) FROM win_frame_src
              EXCEPT ALL SELECT id, row_number FROM numbered)) d) $$;

-- A column reference resolves to the table PostgreSQL's analyzer picks: r2 (a LATERAL item's
-- left) inside a subquery of an EXISTS, beside r1 two levels up. It read r1's column before.
CREATE TABLE t_orders (id bigint PRIMARY KEY, amount numeric, note text);
CREATE TABLE t_cust (id bigint PRIMARY KEY, created_at timestamp, name text);
CREATE TABLE t_misc (id int, v int);
INSERT INTO t_orders SELECT g, g * 1.5, 'n' || g FROM generate_series(1, 10) g;
INSERT INTO t_cust SELECT g, '2024-01-01'::timestamp + g * interval '1 day', 'c' || g FROM generate_series(1, 5) g;
INSERT INTO t_misc SELECT g, g FROM generate_series(1, 3) g;
SELECT pgtrickle.create_stream_table('nested_scopes', $$SELECT 1 AS x FROM t_orders r1 WHERE EXISTS (SELECT FROM t_cust r2,
  LATERAL (SELECT FROM t_misc s1 WHERE r1.id = 1 AND r2.created_at > cast(null as timestamp)) sq)$$, refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('lateral_in_exists', $$SELECT r1.id FROM t_orders r1 WHERE EXISTS (SELECT FROM t_cust r2,
  LATERAL (SELECT FROM t_misc s1 WHERE r1.id = s1.v AND r2.created_at > '2024-01-02' AND r2.id > s1.id) sq)$$,
  refresh_mode => 'DIFFERENTIAL');

-- Operators and functions PostgreSQL resolves, maintained DIFFERENTIAL: regular expressions,
-- containment and overlap, geometric operators, types spelled two ways, "char", an aggregate
-- used as a window function, a set-returning function's OUT column.
CREATE TABLE shapes (id int PRIMARY KEY, label text, tags int[], p point, c "char", lat jsonb);
INSERT INTO shapes VALUES (1, 'alpha', '{1,2}', '(0,0)', 'a', '{"children": [1, {"x": 2}]}'),
  (2, 'beta', '{2,3}', '(1,1)', 'b', '{"children": []}'), (3, 'Gamma', NULL, '(2,5)', 'a', '{}');
SELECT pgtrickle.create_stream_table('regex', $$SELECT id FROM shapes WHERE label ~ '^[ab]' OR label !~* 'MM'$$, refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('containment', $$SELECT id, tags @> '{2}'::integer[] AS has2, tags && '{3}'::_int4 AS overlaps FROM shapes$$,
  refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('geometry', $$SELECT id, p <-> point '(0,0)' AS dist FROM shapes WHERE p <@ box '((0,0),(3,3))'$$,
  refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('spellings', $$SELECT id, label::name = 'beta'::text AS is_beta, c = 'a'::"char" AS is_a,
  pg_catalog.hashchar(c) AS h, '12:00'::time = '12:00'::time without time zone AS noon FROM shapes$$, refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('window_agg', $$SELECT id, variance(id) OVER (ORDER BY id) AS var, bool_and(id > 1) OVER () AS all_big,
  bit_and(id) OVER (PARTITION BY c) AS bits FROM shapes$$, refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('children', $$SELECT p.id, child.value FROM shapes p, jsonb_array_elements(p.lat->'children') AS child$$,
  refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('no_columns', 'SELECT FROM shapes', refresh_mode => 'AUTO');
SELECT pgt_name, refresh_mode FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;

-- Subqueries in an outer join's ON clause, reading one side or neither.
SELECT pgtrickle.create_stream_table('outer_on', $$SELECT o.id, c.id AS cid FROM t_orders o LEFT JOIN t_cust c ON c.id = o.id % 5
  AND c.id > (SELECT min(v) FROM t_misc) AND o.note IN (SELECT 'n' || v FROM t_misc WHERE v > 1)$$, refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('outer_on_now', $$SELECT o.id, c.id AS cid FROM t_orders o FULL JOIN t_cust c ON c.id = o.id
  AND EXISTS (SELECT 1 FROM t_misc m WHERE m.v = c.id)$$, schedule => NULL, refresh_mode => 'IMMEDIATE');

-- A CTE or a view read twice and joined to itself: the join's two inputs are one node, whose
-- sides the refresh must still tell apart (the right one was read as the left).
CREATE VIEW t_misc_view AS SELECT * FROM t_misc;
SELECT pgtrickle.create_stream_table('cte_self_join', $$WITH t AS (SELECT * FROM t_misc) SELECT t1.v AS v1, t2.v AS v2
  FROM t t1 JOIN t t2 ON t1.id = t2.id$$, schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('view_self_join', $$SELECT a.v AS v1, b.v AS v2 FROM t_misc_view a
  LEFT JOIN t_misc_view b ON b.id = a.id AND b.v > a.v$$, refresh_mode => 'DIFFERENTIAL');

-- Columns of types without equality (json, point), in every mode: writes and refreshes work.
CREATE TABLE docs (id int PRIMARY KEY, p point, j json, v int);
INSERT INTO docs SELECT g, point(g, g), json_build_object('a', g), g % 3 FROM generate_series(1, 5) g;
SELECT pgtrickle.create_stream_table('docs_rows', 'SELECT id, p, j FROM docs', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('docs_now', 'SELECT id, p, j FROM docs', schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('docs_agg', 'SELECT v, count(*) AS n, json_agg(j ORDER BY id) AS js FROM docs GROUP BY v',
  refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('docs_empty', 'SELECT id, json_build_array() AS j FROM docs', refresh_mode => 'DIFFERENTIAL');
-- Subqueries reading an outer row's json or point: run once per distinct value, whose
-- copies are grouped and matched by their text (a MIN/MAX's stored groups too).
SELECT pgtrickle.create_stream_table('docs_peers', $$SELECT d.id, (SELECT sum(e.v) FROM docs e WHERE e.j::text = d.j::text) AS s,
  (SELECT max(e.id) FROM docs e WHERE e.p ~= d.p) AS m FROM docs d$$, refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('docs_peers_now', $$SELECT d.id, (SELECT max(e.v) FROM docs e WHERE e.j::text = d.j::text) AS m
  FROM docs d$$, schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('docs_common', $$SELECT d.id FROM docs d WHERE EXISTS (SELECT e.v FROM docs e
  WHERE e.j::text = d.j::text INTERSECT SELECT e.v FROM docs e WHERE e.p ~= d.p)$$, refresh_mode => 'DIFFERENTIAL');

-- DISTINCT ON without ORDER BY: one row of each key, whichever rows move between keys.
CREATE TABLE mv_base_a (i int, j int);
INSERT INTO mv_base_a VALUES (1, 10), (2, 20), (3, 30), (4, 40), (5, 50);
SELECT pgtrickle.create_stream_table('first_of_key', 'SELECT DISTINCT ON (i) i, j FROM mv_base_a', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('first_of_key_now', 'SELECT DISTINCT ON (i) i, j FROM mv_base_a', schedule => NULL,
  refresh_mode => 'IMMEDIATE');

-- A ROWS frame over rows tied on the ORDER BY key: the stream table is the query under one
-- order of the ties, the same at every refresh (here the key's, which the check spells out).
CREATE TABLE win_frame_src (id int PRIMARY KEY, ts int, val numeric);
INSERT INTO win_frame_src VALUES (1, 1, 10), (2, 2, 20), (3, 2, 30), (4, 3, 40), (5, 4, 50);
SELECT pgtrickle.create_stream_table('moving_avg', $$SELECT id, ts, val, AVG(val) OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)
  FROM win_frame_src$$, refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('numbered', 'SELECT id, row_number() OVER (ORDER BY ts) FROM win_frame_src', schedule => NULL,
  refresh_mode => 'IMMEDIATE');
-- first_value over a RANGE frame of peers is not maintained where ties could pick its row
SELECT pgtrickle.create_stream_table('first_tied', 'SELECT id, first_value(val) OVER (ORDER BY ts) FROM win_frame_src',
  refresh_mode => 'DIFFERENTIAL');

-- A function the query calls, redefined: the stream table is recomputed and says so.
CREATE FUNCTION ec16_calc(x numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2 $$;
SELECT pgtrickle.create_stream_table('calc', 'SELECT id, ec16_calc(val) AS c FROM win_frame_src', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('calc_now', 'SELECT id, ec16_calc(val) AS c FROM win_frame_src', schedule => NULL,
  refresh_mode => 'IMMEDIATE');

SELECT * FROM check_all();
SELECT * FROM check_ties();

-- Rounds of writes, one-row and multi-row, each followed by the checks.
SET client_min_messages = notice;
INSERT INTO mv_base_a VALUES (8, 51);
UPDATE mv_base_a SET i = 4, j = 8 WHERE i = 8;
SELECT refresh_all();
UPDATE mv_base_a SET i = 2, j = 8 WHERE i = 4 AND j = 8;
INSERT INTO win_frame_src VALUES (6, 2, 60);
INSERT INTO t_misc VALUES (0, 2), (1, 5);
DELETE FROM t_cust WHERE id = 2;
INSERT INTO shapes VALUES (4, 'delta', '{3}', '(3,3)', 'b', '{"children": [4]}');
UPDATE shapes SET label = 'Beta', tags = '{2}' WHERE id = 2;
INSERT INTO docs VALUES (10, point(1, 2), '{"x":1}', 1), (11, point(1, 2), '[]', 2), (13, point(1, 2), '[]', 5);
UPDATE docs SET j = '{"y": 2}', p = point(9, 9) WHERE id = 1;
DELETE FROM docs WHERE id = 3;
INSERT INTO docs VALUES (12, NULL, NULL, NULL);
CREATE OR REPLACE FUNCTION ec16_calc(x numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT x * 3 $$;
SET client_min_messages = warning;
SELECT refresh_all();
SELECT * FROM check_all();
-- DISTINCT ON: one row per key, each a row of the source; the windows: the tied rows ordered
-- by their key, as the refreshes order them
SELECT * FROM check_ties();
SELECT id, c FROM calc ORDER BY id;
SELECT id, c FROM calc_now ORDER BY id;
-- a function a stream table calls is not dropped under it
DROP FUNCTION ec16_calc(numeric);

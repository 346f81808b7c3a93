-- SUM and AVG of a plain numeric, whose inputs may have any scale. PostgreSQL's sum prints with
-- the largest scale among its inputs (1.5 + 2.25 is 3.75; after 2.25 goes, 1.5, not 1.50), so a
-- running sum keeps its inputs counted by scale, in one number per call, and rounds to the
-- largest one present. NaN and the infinities have no scale (they are counted apart: numeric_nan).
-- Scales from 1000 up are not told apart: a refresh whose change meets a group with such an input
-- recomputes the stream table in full; IMMEDIATE maintenance recomputes the group.
-- Every stream table is compared with its query as text, so a scale off shows.
SET client_min_messages = warning;
\i include/rounds.sql
CREATE TABLE amounts (id int PRIMARY KEY, g int, x numeric, ok bool);
INSERT INTO amounts VALUES (1, 1, 1.5, true), (2, 1, 2.25, true), (3, 2, 7, false), (4, 2, 'Infinity', true),
    (5, 3, NULL, true), (6, 3, 'NaN', true), (7, 4, 1.000, true), (8, 5, 0.1, false);
SELECT pgtrickle.create_stream_table('scale_sums', 'SELECT g, sum(x) AS s, avg(x) AS a, count(x) AS n,
    sum(x) FILTER (WHERE ok) AS s_ok FROM amounts GROUP BY g', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('scale_sums_now', 'SELECT g, sum(x) AS s, avg(x) AS a FROM amounts GROUP BY g',
    schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('scale_spread', 'SELECT g, var_pop(x) AS vp, stddev_samp(x) AS ss FROM amounts GROUP BY g',
    refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('scale_total', 'SELECT sum(x) AS s, avg(x * 2) AS a FROM amounts', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('scale_having', 'SELECT g, sum(x) AS s FROM amounts GROUP BY g HAVING count(*) > 1',
    refresh_mode => 'DIFFERENTIAL');
-- Rows whose numbers only change scale: equal values, printed differently.
SELECT pgtrickle.create_stream_table('scale_rows', 'SELECT id, x FROM amounts WHERE id < 100', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('scale_bag', 'SELECT g, x FROM amounts', refresh_mode => 'DIFFERENTIAL');
-- The argument is evaluated only where the FILTER holds, as PostgreSQL does (no division by zero).
CREATE TABLE ratios (id int PRIMARY KEY, g int, x numeric, y numeric);
INSERT INTO ratios VALUES (1, 1, 1, 0), (2, 1, 3, 2), (3, 2, NULL, 1);
SELECT pgtrickle.create_stream_table('scale_ratio', 'SELECT g, sum(x / y) FILTER (WHERE y <> 0) AS s,
    avg(x * y) FILTER (WHERE y <> 0 AND x / y > 1) AS a FROM ratios GROUP BY g', refresh_mode => 'DIFFERENTIAL');
SELECT pgt_name, refresh_mode FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
-- The running sums and their counts are hidden state columns.
SELECT attname FROM pg_attribute WHERE attrelid = 'scale_sums'::regclass AND attname LIKE '\_\_pgt\_a%' ORDER BY attnum;
SELECT * FROM round_done();
-- NULL, NaN and infinite inputs have no scale: the counts of groups 2 and 3 are of their numbers
-- alone (a slot past 1000 would take a thousand digits and recompute the group at each change).
SELECT g, __pgt_a0_scales FROM scale_sums ORDER BY g;
-- the largest scale of group 1 leaves; the infinity of group 2 leaves; a scale grows and shrinks
DELETE FROM amounts WHERE id IN (2, 4);
UPDATE amounts SET x = 5.12345 WHERE id = 7;
INSERT INTO amounts VALUES (9, 5, 0.10, true), (10, 5, 3, true);
INSERT INTO ratios VALUES (4, 1, 5, 0), (5, 2, 2.5, 4), (6, 3, 1, 0);
DELETE FROM ratios WHERE id = 2;
SELECT * FROM round_done();
SELECT g, s, a, s_ok FROM scale_sums ORDER BY g;
-- infinities of both signs in one group; the NaN leaves group 3
UPDATE amounts SET x = 'Infinity' WHERE id = 1;
INSERT INTO amounts VALUES (11, 1, '-Infinity', true), (12, 1, 4.5, true);
DELETE FROM amounts WHERE id = 6;
UPDATE amounts SET x = 0.10 WHERE id = 8;
SELECT * FROM round_done();
-- one infinity leaves, then the other
DELETE FROM amounts WHERE id = 11;
SELECT * FROM round_done();
UPDATE amounts SET x = 0.5 WHERE id = 1;
SELECT * FROM round_done();
-- every number to two decimals, then back to the scale it had; DISTINCT keeps one of equal
-- values, the one it stored: equal to the query's, not printed alike (SQL_REFERENCE.md)
SELECT pgtrickle.create_stream_table('scale_distinct', 'SELECT DISTINCT x FROM amounts', refresh_mode => 'DIFFERENTIAL');
UPDATE amounts SET x = round(x, 2);
SELECT pgtrickle.refresh_stream_table('scale_distinct');
SELECT count(*) AS distinct_values_apart FROM ((SELECT x FROM scale_distinct EXCEPT SELECT DISTINCT x FROM amounts)
    UNION ALL (SELECT DISTINCT x FROM amounts EXCEPT SELECT x FROM scale_distinct)) d;
SELECT pgtrickle.drop_stream_table('scale_distinct');
SELECT * FROM round_done();
SELECT id, x FROM scale_rows ORDER BY id;
UPDATE amounts SET x = trim_scale(x);
SELECT * FROM round_done();
-- the same with an interval ('24 hours' = '1 day') and a float zero (-0 = 0)
CREATE TABLE spans (id int PRIMARY KEY, d interval, f float8);
INSERT INTO spans VALUES (1, '24 hours', 0), (2, '1 mon', 1);
SELECT pgtrickle.create_stream_table('span_rows', 'SELECT id, d, f FROM spans', refresh_mode => 'DIFFERENTIAL');
UPDATE spans SET d = '1 day', f = '-0' WHERE id = 1;
UPDATE spans SET d = '30 days' WHERE id = 2;
SELECT * FROM round_done();
SELECT id, d, f FROM span_rows ORDER BY id;
-- a scale past the counted slots: recomputed in full while it is there, its group changing
INSERT INTO amounts VALUES (13, 4, round(1.5, 1200), true);
SELECT * FROM round_done();
SELECT g, scale(s) FROM scale_sums WHERE g = 4;
DELETE FROM amounts WHERE id = 13;
SELECT * FROM round_done();
SELECT g, s, a FROM scale_sums ORDER BY g;
-- the groups were maintained, not recomputed in full, but where a scale past the slots came
SELECT s.pgt_name, h.action, count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)
 WHERE h.initiated_by = 'MANUAL' GROUP BY 1, 2 ORDER BY 1, 2;

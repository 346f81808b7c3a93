-- NaN among the inputs of a running SUM, AVG or variance of numeric: PostgreSQL's result is NaN
-- while one is present, and the finite result again once it is gone. A running sum that took a
-- NaN stays NaN whatever is subtracted, so each keeps a count of its NaN inputs and a group
-- whose last NaN leaves is recomputed. Every stream table stays equal to its query.
SET client_min_messages = warning;
\i include/rounds.sql
CREATE TABLE readings (id int PRIMARY KEY, g int, v numeric(10,2), w int);
INSERT INTO readings VALUES (1, 1, 1.50, 1), (2, 1, 'NaN', 2), (3, 2, 2.00, 3), (4, 2, 3.25, 4), (5, 3, NULL, 5);
SELECT pgtrickle.create_stream_table('nan_sums', 'SELECT g, sum(v) AS s, avg(v) AS a, count(v) AS n, sum(w) AS sw
    FROM readings GROUP BY g', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('nan_sums_now', 'SELECT g, sum(v) AS s, avg(v) AS a FROM readings GROUP BY g',
    schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('nan_spread', 'SELECT g, var_samp(v) AS vs, stddev_pop(v) AS sp FROM readings GROUP BY g',
    refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('nan_total', 'SELECT sum(v * 2) AS s, avg(v) AS a FROM readings', refresh_mode => 'DIFFERENTIAL');
SELECT pgt_name, refresh_mode FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
SELECT * FROM round_done();
-- the NaN leaves group 1; another arrives in group 2
DELETE FROM readings WHERE id = 2;
INSERT INTO readings VALUES (6, 2, 'NaN', 6);
SELECT * FROM round_done();
-- two NaNs in group 2, then one leaves: still NaN; a NaN in and out within one refresh
INSERT INTO readings VALUES (7, 2, 'NaN', 7), (8, 3, 'NaN', 8);
UPDATE readings SET v = 4.00 WHERE id = 6;
DELETE FROM readings WHERE id = 8;
SELECT * FROM round_done();
-- the last NaN becomes a number
UPDATE readings SET v = 0.75 WHERE id = 7;
SELECT * FROM round_done();
SELECT g, s, a FROM nan_sums ORDER BY g;
-- A standard deviation rounded once, at the variance's scale, as PostgreSQL rounds it: the square
-- root of 24200 is 155.56349186104045…, 155.563491861040 to twelve places (rounding it first to
-- thirteen, then to twelve, gives …041): group 0. The other groups hold three values each, of
-- scales 0 to 6.
CREATE TABLE spread (id int PRIMARY KEY, g int, x numeric, i int);
INSERT INTO spread VALUES (1, 0, 280, 280);
INSERT INTO spread SELECT k, 1 + k % 1000, ((k * 7919) % 100003) / power(10, k % 7)::numeric, (k * 7919) % 100003
  FROM generate_series(2, 2001) k;
SELECT pgtrickle.create_stream_table('spread_dev', 'SELECT g, stddev(x) AS sx, stddev_pop(x) AS px, stddev_samp(i) AS si
    FROM spread GROUP BY g', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('spread_dev_now', 'SELECT g, stddev(x) AS sx, stddev_pop(i) AS pi FROM spread GROUP BY g',
    schedule => NULL, refresh_mode => 'IMMEDIATE');
INSERT INTO spread VALUES (3001, 0, 60, 60);
INSERT INTO spread SELECT k, 1 + k % 1000, ((k * 104729) % 99991) / power(10, k % 5)::numeric, (k * 104729) % 99991
  FROM generate_series(3002, 4001) k;
SELECT * FROM round_done();
SELECT g, sx FROM spread_dev WHERE g = 0;
-- Groups the stored state cannot answer (a NaN gone, a group HAVING hid, a float sum) are
-- recomputed together, in one pass over their rows; those with a NULL key in a pass of their own.
CREATE TABLE pairs (id int PRIMARY KEY, a int, b text, v numeric, f float8);
INSERT INTO pairs SELECT k, NULLIF(k % 4, 0), NULLIF((k % 3)::text, '0'), k / 8.0, k / 3.0 FROM generate_series(1, 60) k;
INSERT INTO pairs VALUES (61, NULL, NULL, 'NaN', 1), (62, 1, NULL, 'NaN', 2);
SELECT pgtrickle.create_stream_table('pair_sums', 'SELECT a, b, sum(v) AS s, avg(v) AS m, sum(f) AS fs, count(*) AS n
    FROM pairs GROUP BY a, b', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('pair_big', 'SELECT a, b, sum(v) AS s, count(*) AS n FROM pairs GROUP BY a, b
    HAVING count(*) > 5', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('pair_total', 'SELECT sum(v) AS s, sum(f) AS fs FROM pairs', refresh_mode => 'DIFFERENTIAL');
-- the NaNs leave (groups with NULL keys), groups grow past HAVING's bound, floats change
DELETE FROM pairs WHERE id IN (61, 62);
INSERT INTO pairs SELECT k, NULLIF(k % 4, 0), NULLIF((k % 3)::text, '0'), k / 8.0, k / 7.0 FROM generate_series(61, 90) k;
UPDATE pairs SET f = f * 2 WHERE id % 5 = 0;
SELECT * FROM round_done();
SELECT a, b, s, n FROM pair_sums WHERE a IS NULL OR b IS NULL ORDER BY a, b;
-- The infinities are counted as the NaNs are (PostgreSQL's numeric state keeps NaNcount,
-- pInfcount and nInfcount), and the running sums take the finite inputs alone: a group whose
-- last NaN or infinity leaves has its finite result back. Opposite infinities give NaN; a
-- variance with any of them is NaN. (numeric(p,s) holds no infinity: x is a plain numeric.)
CREATE TABLE flows (id int PRIMARY KEY, g int, v numeric(12,3), x numeric);
INSERT INTO flows SELECT k, k % 4, k / 8.0, k / 3.0 FROM generate_series(1, 40) k;
INSERT INTO flows VALUES (41, 0, 'NaN', 'Infinity'), (42, 1, 4, 'NaN'), (43, 2, 'NaN', '-Infinity'), (44, 2, 5, 'Infinity'),
    (45, 5, 6, 'Infinity');
SELECT pgtrickle.create_stream_table('inf_sums', 'SELECT g, sum(v) AS s, avg(v) AS a, sum(x) AS sx, avg(x) AS ax,
    var_pop(x) AS vp, stddev_samp(x) AS sd, count(*) AS n FROM flows GROUP BY g', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('inf_sums_now', 'SELECT g, sum(v) AS s, sum(x) AS sx, avg(x) AS ax, var_samp(x) AS vs
    FROM flows GROUP BY g', schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('inf_total', 'SELECT sum(v) AS s, avg(v) AS a, var_samp(v) AS vs, sum(v * 2) AS s2
    FROM flows', refresh_mode => 'DIFFERENTIAL');
-- A refresh's delta of a running sum of numeric recomputes no group: it reads no source table.
-- (A plain numeric's input of a scale past its counts makes it raise a data exception instead,
-- and the refresh recomputes in full: numeric_scales.)
SELECT pgt_name, value LIKE '%rescanned%' AS may_recompute FROM pgtrickle.pgt_stream_tables,
    pgtrickle.explain_st(pgt_name) WHERE pgt_name IN ('inf_sums', 'inf_total') AND property = 'delta_query' ORDER BY 1;
SELECT * FROM round_done();
-- the infinities leave groups 0 and 2 but one; group 1's NaN leaves; group 3 gets an infinity
DELETE FROM flows WHERE id IN (41, 42, 44);
INSERT INTO flows VALUES (46, 3, 7, '-Infinity');
SELECT * FROM round_done();
-- an infinity becomes a number; one in and out within a refresh; group 5 loses its only row;
-- a NaN where an infinity was
UPDATE flows SET v = 2.5, x = 2.5 WHERE id = 43;
INSERT INTO flows VALUES (47, 1, 8, 'Infinity'), (48, 1, 9, '-Infinity');
DELETE FROM flows WHERE id IN (47, 45);
UPDATE flows SET x = 'NaN' WHERE id = 46;
SELECT * FROM round_done();
SELECT g, sx, ax, vp FROM inf_sums ORDER BY g;
UPDATE flows SET x = 1 WHERE id IN (46, 48);
SELECT * FROM round_done();
SELECT g, s, a, sx, ax FROM inf_sums ORDER BY g;
-- Storage made before the infinity counts keeps its layout: its running sums take every input,
-- and a group whose last NaN or infinity leaves is recomputed.
SELECT pgtrickle.create_stream_table('inf_before', 'SELECT g, sum(x) AS sx, avg(x) AS ax, var_pop(x) AS vp FROM flows GROUP BY g',
    refresh_mode => 'DIFFERENTIAL');
ALTER TABLE inf_before DROP COLUMN __pgt_a0_pinf, DROP COLUMN __pgt_a0_ninf, DROP COLUMN __pgt_a0_finite,
    DROP COLUMN __pgt_a1_pinf, DROP COLUMN __pgt_a1_ninf, DROP COLUMN __pgt_a2_pinf, DROP COLUMN __pgt_a2_ninf;
\c
SET client_min_messages = warning;
INSERT INTO flows VALUES (49, 0, 1, 'Infinity'), (50, 1, 1, 'NaN'), (51, 2, 1, '-Infinity');
SELECT * FROM round_done() WHERE round_done LIKE 'inf_before%';
DELETE FROM flows WHERE id IN (49, 50, 51);
SELECT * FROM round_done() WHERE round_done LIKE 'inf_before%';
SELECT g, sx, ax FROM inf_before ORDER BY g;

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

-- MIN and MAX under deletions. A group's stored extreme stays while every deleted value lies
-- strictly inside it (for types whose order has no collation): only a group whose extreme may
-- have left is recomputed from the source. Ties, NaN, NULLs, a value inserted and deleted within
-- one refresh, and collatable types (always recomputed on a deletion) stay exact; BOOL_OR and
-- BOOL_AND are the MAX and MIN of booleans.
SET client_min_messages = warning;
\i include/rounds.sql
CREATE TABLE marks (id int PRIMARY KEY, g int, n numeric, f float8, t timestamptz, i interval, s text);
INSERT INTO marks
  SELECT k, k % 4, k * 1.5, k / 3.0, timestamptz '2026-01-01 00:00+00' + k * interval '1 hour', k * interval '1 minute', 'v' || k
  FROM generate_series(1, 40) k;
ANALYZE marks;
SELECT pgtrickle.create_stream_table('extremes', 'SELECT g, min(n) AS lo_n, max(n) AS hi_n, min(f) AS lo_f, max(f) AS hi_f,
    min(t) AS lo_t, max(t) AS hi_t, min(i) AS lo_i, max(i) AS hi_i, bool_or(n > 50) AS any_big, bool_and(f < 10) AS all_small,
    count(*) AS c FROM marks GROUP BY g',
    refresh_mode => 'DIFFERENTIAL', schedule => '24h');
SELECT pgtrickle.create_stream_table('extremes_text', 'SELECT g, min(s) AS lo, max(s) AS hi FROM marks GROUP BY g',
    refresh_mode => 'DIFFERENTIAL', schedule => '24h');
SELECT pgtrickle.create_stream_table('extremes_total', 'SELECT max(n) AS hi, min(f) AS lo FROM marks',
    refresh_mode => 'DIFFERENTIAL', schedule => '24h');
SELECT pgtrickle.create_stream_table('extremes_now', 'SELECT g, max(n) AS hi, min(t) AS lo FROM marks GROUP BY g',
    schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT * FROM round_done();

-- The source's sequential scans so far (marks has no index on g: a group recomputed scans it).
CREATE FUNCTION seq_scans() RETURNS bigint LANGUAGE sql AS $$ SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'marks' $$;

-- Rows inside every extreme of group 1 leave (ids 13 and 21 are neither its first nor its last):
-- no group is recomputed.
DELETE FROM marks WHERE id IN (13, 21);
SELECT pg_stat_force_next_flush();
SELECT seq_scans() AS before \gset
SELECT pg_stat_force_next_flush(), pgtrickle.refresh_stream_table('extremes');
SELECT seq_scans() = :before AS not_recomputed;
SELECT * FROM round_done();

-- Group 1's maxima leave (id 37), then its minima (id 1): recomputed.
DELETE FROM marks WHERE id = 37;
SELECT pg_stat_force_next_flush();
SELECT seq_scans() AS before \gset
SELECT pg_stat_force_next_flush(), pgtrickle.refresh_stream_table('extremes');
SELECT seq_scans() > :before AS recomputed;
DELETE FROM marks WHERE id = 1;
SELECT * FROM round_done();

-- A tie: two rows share group 2's maximum; one leaves, the other stays the maximum.
INSERT INTO marks VALUES (41, 2, 57.0, 12.0, '2026-01-03 00:00+00', '38 minutes', 'v9');
DELETE FROM marks WHERE id = 38;
SELECT * FROM round_done();
UPDATE marks SET n = 57.00 WHERE id = 41;
SELECT * FROM round_done();

-- NaN is the largest float and numeric: it arrives, then leaves.
INSERT INTO marks VALUES (42, 3, 'NaN', 'NaN', '2027-01-01 00:00+00', '1 year', 'zz');
SELECT * FROM round_done();
DELETE FROM marks WHERE id = 42;
SELECT * FROM round_done();

-- A value inserted and deleted within one refresh, beyond and inside the extremes; NULLs come
-- and go; the maximum moves down by an update.
INSERT INTO marks VALUES (43, 0, 1000, -5, '2025-01-01 00:00+00', '-1 day', 'a'), (44, 0, 30, 3, NULL, NULL, NULL);
DELETE FROM marks WHERE id IN (43, 44);
INSERT INTO marks VALUES (45, 0, NULL, NULL, NULL, NULL, NULL);
UPDATE marks SET n = 0, f = 100 WHERE id = 36;
SELECT * FROM round_done();
DELETE FROM marks WHERE id = 45;
UPDATE marks SET n = n - 1 WHERE g = 2;
SELECT * FROM round_done();

-- A group emptied, and the whole table.
DELETE FROM marks WHERE g = 3;
SELECT * FROM round_done();
DELETE FROM marks;
SELECT * FROM round_done();
SELECT count(*) AS groups FROM extremes;

-- How refreshes spend their time. AUTO chooses, refresh by refresh, between applying the changes
-- and recomputing (pgt/auto_choice.hpp: the deterministic rules here; the cost model itself is
-- covered by unit tests). A full refresh of a table nothing watches loads a fresh heap and swaps
-- it in, as REFRESH MATERIALIZED VIEW does; one that other stream tables read, publish or
-- trigger on is applied as rows.
SET client_min_messages = error;
CREATE TABLE t (id int PRIMARY KEY, g int, v int);
INSERT INTO t SELECT i, i % 10, i FROM generate_series(1, 10000) i;
ANALYZE t;
CREATE VIEW last_refresh AS
  SELECT s.pgt_name, h.action, h.was_full_fallback, h.delta_row_count, h.refresh_reason
  FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)
  WHERE h.refresh_id = (SELECT max(refresh_id) FROM pgtrickle.pgt_refresh_history x WHERE x.pgt_id = h.pgt_id);
SELECT pgtrickle.create_stream_table('sums', 'SELECT g, count(*) AS n, sum(v) AS s FROM t GROUP BY g', schedule => '24h');
SELECT pgtrickle.create_stream_table('sums_d', 'SELECT g, count(*) AS n, sum(v) AS s FROM t GROUP BY g',
                                     refresh_mode => 'DIFFERENTIAL', schedule => '24h');
SELECT pgt_name, requested_mode, refresh_mode, auto_costs IS NOT NULL AS measured
FROM pgtrickle.pgt_stream_tables ORDER BY 1;
CREATE FUNCTION exact(st text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE differ bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM ((SELECT g, n, s FROM %I EXCEPT ALL SELECT g, count(*), sum(v) FROM t GROUP BY g)
                  UNION ALL (SELECT g, count(*), sum(v) FROM t GROUP BY g EXCEPT ALL SELECT g, n, s FROM %I)) x', st, st)
    INTO differ;
  RETURN differ = 0;
END $$;

-- 5 rows updated (10 change records, 0.1 % of t): applied.
UPDATE t SET v = v + 1 WHERE id <= 5;
SELECT pgtrickle.refresh_stream_table('sums'), pgtrickle.refresh_stream_table('sums_d');
SELECT * FROM last_refresh ORDER BY 1;
-- 3,000 rows updated (6,000 change records, 60 %): recomputed. Counting stopped at 1,001: past
-- 1,000 (always applied), FULL is estimated cheaper (its full load measured, a change record
-- priced as 20 source rows of it), and counting further would tell nothing.
UPDATE t SET v = v + 1 WHERE id <= 3000;
SELECT pgtrickle.refresh_stream_table('sums'), pgtrickle.refresh_stream_table('sums_d');
SELECT pgt_name, action, was_full_fallback, delta_row_count,
       refresh_reason ~ '^AUTO: at least 1001 change records \(10 % of its sources'' rows changed\): DIFFERENTIAL estimated at [0-9.]+ ms \(prior\)(, planning its statement \([0-9.]+ ms\) included)?, FULL at [0-9.]+ ms \(measured\)$' AS reasoned
FROM last_refresh ORDER BY 1;
-- The cap decides first where it is lower.
SET pg_trickle.differential_max_change_ratio = 0.05;
UPDATE t SET v = v + 1 WHERE id <= 3000;
SELECT pgtrickle.refresh_stream_table('sums'), pgtrickle.refresh_stream_table('sums_d');
SELECT * FROM last_refresh ORDER BY 1;
RESET pg_trickle.differential_max_change_ratio;
SELECT exact('sums'), exact('sums_d');
-- Without the cap, the measured costs decide (which way depends on this machine's timings).
SET pg_trickle.differential_max_change_ratio = 0;
UPDATE t SET v = v + 1 WHERE id <= 3000;
SELECT pgtrickle.refresh_stream_table('sums');
SELECT action IN ('FULL', 'DIFFERENTIAL') AS chosen, delta_row_count > 1000 AS counted,
       refresh_reason ~ '^AUTO: (6000|at least [0-9]+) change records \([0-9.]+ % of its sources'' rows changed\): DIFFERENTIAL estimated at [0-9.]+ ms \((prior|fitted to its differential refreshes|its differential refreshes per change record)\)(, planning its statement \([0-9.]+ ms\) included)?, FULL at [0-9.]+ ms \(measured\)$' AS reasoned
FROM last_refresh WHERE pgt_name = 'sums';
SELECT exact('sums');
RESET pg_trickle.differential_max_change_ratio;
SELECT (SELECT x FROM pgtrickle.explain_st('sums') x WHERE x::text LIKE '(last_auto_choice,%') IS NOT NULL AS explained;
-- Two AUTO stream tables that both recompute (refresh_mode DIFFERENTIAL in the catalog) still
-- trim their source's change buffer: neither leaves it to the other.
CREATE TABLE t2 (id int PRIMARY KEY, v int);
INSERT INTO t2 SELECT i, i FROM generate_series(1, 3000) i;
ANALYZE t2;
SELECT pgtrickle.create_stream_table('t2_sum', 'SELECT sum(v) AS s FROM t2', schedule => '24h');
SELECT pgtrickle.create_stream_table('t2_max', 'SELECT max(v) AS m FROM t2', schedule => '24h');
UPDATE t2 SET v = v + 1;
SELECT pgtrickle.refresh_stream_table('t2_sum');
SELECT pgtrickle.refresh_stream_table('t2_max');
SELECT pgt_name, action FROM last_refresh WHERE pgt_name LIKE 't2%' ORDER BY 1;
CREATE FUNCTION buffered(source regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM pgtrickle_changes.%I', 'changes_' || source::oid) INTO n;
  RETURN n;
END $$;
SELECT buffered('t2');
SELECT pgtrickle.drop_stream_table(n) FROM unnest(ARRAY['t2_sum', 't2_max']) n;
DROP TABLE t2;
-- An AUTO stream table that recomputes next to one created DIFFERENTIAL leaves the trim to it:
-- the buffer keeps the 6,000 records until the DIFFERENTIAL one's next refresh trims them.
CREATE TABLE t4 (id int PRIMARY KEY, v int);
INSERT INTO t4 SELECT i, i FROM generate_series(1, 3000) i;
ANALYZE t4;
SELECT pgtrickle.create_stream_table('t4_auto', 'SELECT sum(v) AS s FROM t4', schedule => '24h');
SELECT pgtrickle.create_stream_table('t4_diff', 'SELECT count(*) AS n, max(v) AS m FROM t4',
                                     refresh_mode => 'DIFFERENTIAL', schedule => '24h');
UPDATE t4 SET v = v + 1;
SELECT pgtrickle.refresh_stream_table('t4_diff');
SELECT pgtrickle.refresh_stream_table('t4_auto');
SELECT pgt_name, action FROM last_refresh WHERE pgt_name LIKE 't4%' ORDER BY 1;
SELECT buffered('t4') AS left_to_the_differential_one;
UPDATE t4 SET v = v + 1 WHERE id = 1;
SELECT pgtrickle.refresh_stream_table('t4_diff');
SELECT buffered('t4') AS after_its_refresh;
SELECT (SELECT s FROM t4_auto) = (SELECT sum(v) FROM t4) - 1 AND (SELECT m FROM t4_diff) = (SELECT max(v) FROM t4) AS exact;
SELECT pgtrickle.drop_stream_table(n) FROM unnest(ARRAY['t4_auto', 't4_diff']) n;
DROP TABLE t4;
-- An AUTO stream table whose storage takes at least a tenth of its sources' space leaves its
-- row-id index out when it recomputes (building it would cost the recomputation as much again);
-- the next differential refresh rebuilds it first (unique, the replica identity). A small result
-- keeps its index.
CREATE TABLE t5 (id int PRIMARY KEY, v int);
INSERT INTO t5 SELECT i, i FROM generate_series(1, 10000) i;
ANALYZE t5;
CREATE FUNCTION row_id_indexes(st regclass) RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
  WHERE i.indrelid = st AND a.attname = '__pgt_row_id' AND i.indisunique AND i.indisreplident $$;
SELECT pgtrickle.create_stream_table('t5_big', 'SELECT id, v FROM t5 WHERE v % 2 = 0', schedule => '24h');
SELECT pgtrickle.create_stream_table('t5_small', 'SELECT v % 10 AS k, count(*) AS n FROM t5 GROUP BY 1', schedule => '24h');
SET pg_trickle.differential_max_change_ratio = 0.05;
UPDATE t5 SET v = v + 1 WHERE id <= 6000;
SELECT pgtrickle.refresh_stream_table('t5_big'), pgtrickle.refresh_stream_table('t5_small');
SELECT pgt_name, action, row_id_indexes(pgt_name::regclass) FROM last_refresh WHERE pgt_name LIKE 't5%' ORDER BY 1;
RESET pg_trickle.differential_max_change_ratio;
UPDATE t5 SET v = v + 1 WHERE id <= 5;
SELECT pgtrickle.refresh_stream_table('t5_big'), pgtrickle.refresh_stream_table('t5_small');
SELECT pgt_name, action, row_id_indexes(pgt_name::regclass) FROM last_refresh WHERE pgt_name LIKE 't5%' ORDER BY 1;
SELECT (SELECT count(*) FROM ((SELECT id, v FROM t5_big EXCEPT ALL SELECT id, v FROM t5 WHERE v % 2 = 0)
                              UNION ALL (SELECT id, v FROM t5 WHERE v % 2 = 0 EXCEPT ALL SELECT id, v FROM t5_big)) x) AS differ;
SELECT pgtrickle.drop_stream_table(n) FROM unnest(ARRAY['t5_big', 't5_small']) n;
DROP TABLE t5;
-- With the index left out, a change that applying costs far less than recomputing (its costs set
-- here: a full load of 1,000 ms, 5 ms + 10 µs a change record applied) is recomputed once, the
-- rebuild priced as a full load; what that forwent (983 ms) pays for the rebuild the next time.
CREATE TABLE t6 (id int PRIMARY KEY, v int);
INSERT INTO t6 SELECT i, i FROM generate_series(1, 10000) i;
ANALYZE t6;
SELECT pgtrickle.create_stream_table('t6_big', 'SELECT id, v FROM t6 WHERE v % 2 = 0', schedule => '24h');
SET pg_trickle.differential_max_change_ratio = 0.05;
UPDATE t6 SET v = v + 1 WHERE id <= 6000;
SELECT pgtrickle.refresh_stream_table('t6_big');
RESET pg_trickle.differential_max_change_ratio;
UPDATE pgtrickle.pgt_stream_tables SET auto_costs = '{1000,2,2000,30,4000000,50000,1,2000,0,0}' WHERE pgt_name = 't6_big';
UPDATE t6 SET v = v + 1 WHERE id <= 600;
SELECT pgtrickle.refresh_stream_table('t6_big');
-- (The share of rows changed is against the planner's row count, which autovacuum may move.)
SELECT action, row_id_indexes('t6_big'), substring(refresh_reason FROM ': (DIFF.*)$') AS reason FROM last_refresh WHERE pgt_name = 't6_big';
SELECT auto_costs[10] AS forgone_ms FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 't6_big';
UPDATE t6 SET v = v + 1 WHERE id <= 600;
SELECT pgtrickle.refresh_stream_table('t6_big');
SELECT action, row_id_indexes('t6_big'), refresh_reason LIKE '%with its row-id index rebuilt (0.0 ms)%' AS rebuild_paid
  FROM last_refresh WHERE pgt_name = 't6_big';
SELECT auto_costs[10] AS forgone_ms FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 't6_big';
SELECT (SELECT count(*) FROM ((SELECT id, v FROM t6_big EXCEPT ALL SELECT id, v FROM t6 WHERE v % 2 = 0)
                              UNION ALL (SELECT id, v FROM t6 WHERE v % 2 = 0 EXCEPT ALL SELECT id, v FROM t6_big)) x) AS differ;
SELECT pgtrickle.drop_stream_table('t6_big');
DROP TABLE t6;
DROP FUNCTION row_id_indexes(regclass);
-- A stream table refreshed often next to one refreshed rarely: the frequent refreshes leave the
-- rows the other has not applied (without scanning the buffer for rows to delete: the rare
-- one holds the horizon back), and the rare one's refresh then trims them all.
CREATE TABLE t3 (id int PRIMARY KEY, v int);
INSERT INTO t3 SELECT i, i FROM generate_series(1, 100) i;
SELECT pgtrickle.create_stream_table('t3_often', 'SELECT sum(v) AS s FROM t3', refresh_mode => 'DIFFERENTIAL', schedule => '24h');
SELECT pgtrickle.create_stream_table('t3_rarely', 'SELECT count(*) AS n, max(v) AS m FROM t3',
                                     refresh_mode => 'DIFFERENTIAL', schedule => '24h');
UPDATE t3 SET v = v + 1 WHERE id <= 10;
SELECT pgtrickle.refresh_stream_table('t3_often');
UPDATE t3 SET v = v + 1 WHERE id <= 10;
SELECT pgtrickle.refresh_stream_table('t3_often');
SELECT buffered('t3') AS kept_for_the_rare_one;
SELECT pgtrickle.refresh_stream_table('t3_rarely');
SELECT buffered('t3') AS after_both;
SELECT (SELECT s FROM t3_often) = (SELECT sum(v) FROM t3) AND (SELECT m FROM t3_rarely) = (SELECT max(v) FROM t3) AS exact;
-- Refreshed in turn with changes between them, each deletes the rows both have applied and
-- keeps the others' (a refresh skips the trim's scan only where its buffer holds no row older
-- than the horizon).
UPDATE t3 SET v = v + 1 WHERE id <= 10;
SELECT pgtrickle.refresh_stream_table('t3_often');
UPDATE t3 SET v = v + 1 WHERE id <= 5;
SELECT pgtrickle.refresh_stream_table('t3_rarely');
SELECT buffered('t3') AS the_second_change_left;
SELECT pgtrickle.refresh_stream_table('t3_often');
SELECT buffered('t3') AS none_left;
SELECT pgtrickle.refresh_stream_table('t3_rarely');
SELECT buffered('t3') AS still_none;
SELECT (SELECT s FROM t3_often) = (SELECT sum(v) FROM t3) AND (SELECT m FROM t3_rarely) = (SELECT max(v) FROM t3) AS exact;
SELECT pgtrickle.drop_stream_table(n) FROM unnest(ARRAY['t3_often', 't3_rarely']) n;
DROP FUNCTION buffered(regclass);
DROP TABLE t3;
-- A change of at most 1,000 change records in each changed source is applied by a plan made
-- for small changes (its change relation capped at 1,000 rows, which the planner takes as its
-- estimate), a larger one by a plan made for large changes: every record is applied either way.
CREATE TABLE d (g int PRIMARY KEY, label text);
INSERT INTO d SELECT g, 'g' || g FROM generate_series(0, 9) g;
SELECT pgtrickle.create_stream_table('labelled', 'SELECT d.label, count(*) AS n, sum(t.v) AS s FROM t JOIN d USING (g) GROUP BY d.label',
                                     refresh_mode => 'DIFFERENTIAL', schedule => '24h');
CREATE FUNCTION labelled_exact() RETURNS bool LANGUAGE sql AS $$
  SELECT NOT EXISTS ((SELECT label, n, s FROM labelled EXCEPT ALL SELECT d.label, count(*), sum(t.v) FROM t JOIN d USING (g) GROUP BY d.label)
                     UNION ALL (SELECT d.label, count(*), sum(t.v) FROM t JOIN d USING (g) GROUP BY d.label EXCEPT ALL SELECT label, n, s FROM labelled)) $$;
UPDATE t SET v = v + 1 WHERE id <= 500; -- 1,000 records
SELECT pgtrickle.refresh_stream_table('sums_d'), pgtrickle.refresh_stream_table('labelled');
SELECT exact('sums_d'), labelled_exact();
UPDATE t SET v = v + 1 WHERE id <= 501; -- 1,002 records
SELECT pgtrickle.refresh_stream_table('sums_d'), pgtrickle.refresh_stream_table('labelled');
SELECT exact('sums_d'), labelled_exact();
UPDATE t SET v = v + 1 WHERE id <= 3;
UPDATE d SET label = label || '!' WHERE g = 1;
SELECT pgtrickle.refresh_stream_table('labelled');
SELECT labelled_exact();
UPDATE t SET v = v + 1 WHERE id > 9000;
UPDATE d SET label = label || '?' WHERE g = 2;
SELECT pgtrickle.refresh_stream_table('labelled');
SELECT labelled_exact();
SELECT pgtrickle.drop_stream_table('labelled');
DROP FUNCTION labelled_exact();
DROP TABLE d;
SET pg_trickle.differential_max_change_ratio = 2;
SET pg_trickle.differential_max_change_ratio = -0.1;

-- How a refresh wrote: rows inserted into the table itself, or (none) a fresh heap swapped in.
-- (The "xact" count includes earlier transactions' inserts until the backend reports its
-- statistics, at most once a second: the refresh's own are the difference.)
CREATE FUNCTION refresh_writes(st text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  before bigint := pg_stat_get_xact_tuples_inserted(st::regclass);
BEGIN
  PERFORM pgtrickle.refresh_stream_table(st);
  RETURN CASE WHEN pg_stat_get_xact_tuples_inserted(st::regclass) > before THEN 'rows' ELSE 'fresh heap' END;
END $$;
-- A FULL stream table has no index on its row ids, and a refresh swaps in a fresh heap (whose
-- rows carry no row id: nothing matches them by it).
SELECT pgtrickle.create_stream_table('big', 'SELECT id, g, v FROM t WHERE v % 2 = 0', refresh_mode => 'FULL', schedule => '24h');
SELECT count(*) AS indexes FROM pg_index WHERE indrelid = 'big'::regclass;
UPDATE t SET v = v + 1 WHERE id <= 10;
SELECT refresh_writes('big');
SELECT count(DISTINCT __pgt_row_id) AS row_ids FROM big;
SELECT count(*) = (SELECT count(*) FROM t WHERE v % 2 = 0) AS exact_rows FROM big;
-- Read by another stream table: refreshed as rows (the reader's capture sees them), through an
-- index on the row ids made for it.
SELECT pgtrickle.create_stream_table('big_counts', 'SELECT g, count(*) AS n FROM big GROUP BY g',
                                     refresh_mode => 'DIFFERENTIAL', schedule => '24h');
UPDATE t SET v = v + 1 WHERE id <= 10;
SELECT refresh_writes('big'), pgtrickle.refresh_stream_table('big_counts');
SELECT count(*) AS indexes FROM pg_index WHERE indrelid = 'big'::regclass;
SELECT NOT EXISTS ((SELECT g, n FROM big_counts EXCEPT SELECT g, count(*) FROM big GROUP BY g)
                   UNION ALL (SELECT g, count(*) FROM big GROUP BY g EXCEPT SELECT g, n FROM big_counts)) AS exact_counts;
SELECT pgtrickle.drop_stream_table('big_counts');
SELECT refresh_writes('big');
-- Published: refreshed as rows, which subscribers apply. So with a trigger of a user's.
CREATE PUBLICATION big_pub FOR TABLE big;
SELECT refresh_writes('big');
DROP PUBLICATION big_pub;
CREATE FUNCTION noted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER big_noted AFTER INSERT ON big FOR EACH STATEMENT EXECUTE FUNCTION noted();
SELECT refresh_writes('big');
DROP TRIGGER big_noted ON big;
DROP FUNCTION noted();
-- A DIFFERENTIAL stream table's full load swaps too, its unique row-id index rebuilt.
TRUNCATE t;
INSERT INTO t SELECT i, i % 10, i FROM generate_series(1, 100) i;
SELECT refresh_writes('sums_d');
SELECT exact('sums_d');
-- A differential statement the planner prices at more than 100 times recomputing is not run
-- (nested correlated subqueries, decorrelated, join a change with whole tables many times over):
-- the refresh recomputes, the reason recorded; IMMEDIATE maintenance recomputes in the writer's
-- statement. The stream tables stay exact.
CREATE TABLE a (id int PRIMARY KEY, x int, y int);
INSERT INTO a SELECT i, i % 3, i % 4 FROM generate_series(1, 12) i;
CREATE TABLE b (id int PRIMARY KEY, x int, y int);
INSERT INTO b SELECT i, i % 3, i % 5 FROM generate_series(1, 12) i;
CREATE VIEW nested AS SELECT a1.id, b1.id AS bid FROM a a1 JOIN b b1 ON b1.x = a1.x
  WHERE EXISTS (SELECT 1 FROM b b2, LATERAL (SELECT a2.y FROM a a2 WHERE a2.x <> b2.x AND a2.y <> a1.y) s
                WHERE b2.y <> b1.y AND EXISTS (SELECT 1 FROM a a3 WHERE a3.y = s.y AND a3.x <> b1.x));
SELECT pgtrickle.create_stream_table('nested_d', 'SELECT * FROM nested', refresh_mode => 'DIFFERENTIAL', schedule => '24h');
SELECT pgtrickle.create_stream_table('nested_i', 'SELECT * FROM nested', refresh_mode => 'IMMEDIATE', schedule => NULL);
UPDATE a SET y = y + 1 WHERE id <= 3;
DELETE FROM b WHERE id = 4;
SELECT pgtrickle.refresh_stream_table('nested_d');
SELECT pgt_name, action, was_full_fallback,
       refresh_reason ~ '^recomputed: its differential statement is estimated at [0-9.e+]+ times the cost of recomputing it$' AS reasoned
FROM last_refresh WHERE pgt_name = 'nested_d';
SELECT n, NOT EXISTS ((SELECT * FROM nested EXCEPT ALL SELECT id, bid FROM nested_d) UNION ALL (SELECT id, bid FROM nested_d EXCEPT ALL SELECT * FROM nested)) AS exact
FROM (VALUES ('nested_d')) v (n)
UNION ALL
SELECT n, NOT EXISTS ((SELECT * FROM nested EXCEPT ALL SELECT id, bid FROM nested_i) UNION ALL (SELECT id, bid FROM nested_i EXCEPT ALL SELECT * FROM nested))
FROM (VALUES ('nested_i')) v (n);
SELECT pgtrickle.drop_stream_table(n) FROM unnest(ARRAY['nested_d', 'nested_i']) n;
DROP VIEW nested;
DROP TABLE a, b;
SELECT pgtrickle.drop_stream_table(n) FROM unnest(ARRAY['sums', 'sums_d', 'big']) n;
DROP FUNCTION exact(text), refresh_writes(text);
DROP VIEW last_refresh;
DROP TABLE t;
-- A buffer whose rows every reader has applied is left by the refresh to the scheduler, which
-- empties it after the refresh commits, in place (the same file: the readers' plans stay). A FULL
-- reader that has not seen the rows (w_rows) does not hold it back: the trim is recorded for it,
-- and it has changes pending until its next refresh. (Without a scheduler a refresh truncates
-- the buffer itself where that pays: tests/property, "refresh: without a scheduler".)
CREATE TABLE w (id int PRIMARY KEY, v int);
SELECT pgtrickle.create_stream_table('w_total', 'SELECT count(*) AS n, sum(v) AS s FROM w',
                                     refresh_mode => 'DIFFERENTIAL', schedule => '24h', cdc_mode => 'trigger');
SELECT pgtrickle.create_stream_table('w_max', 'SELECT max(v) AS m FROM w', refresh_mode => 'AUTO', schedule => '24h', cdc_mode => 'trigger');
SELECT pgtrickle.create_stream_table('w_rows', 'SELECT count(*) AS n FROM w', refresh_mode => 'FULL', schedule => '24h', cdc_mode => 'trigger');
CREATE FUNCTION w_buffer() RETURNS regclass LANGUAGE sql
  AS $$ SELECT format('pgtrickle_changes.%I', 'changes_' || 'w'::regclass::oid)::regclass $$;
CREATE FUNCTION w_exact() RETURNS bool LANGUAGE sql
  AS $$ SELECT (SELECT (n, s) FROM w_total) IS NOT DISTINCT FROM (SELECT (count(*), sum(v)) FROM w)
           AND (SELECT m FROM w_max) IS NOT DISTINCT FROM (SELECT max(v) FROM w) $$;
CREATE TEMP TABLE w_file AS SELECT relfilenode FROM pg_class WHERE oid = w_buffer();
INSERT INTO w SELECT i, i FROM generate_series(1, 30000) i;
DO $$ BEGIN -- (the insertion's commit wakes the scheduler, or starts it if it was idle)
  FOR i IN 1 .. 200 LOOP
    EXIT WHEN EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'pg_trickle scheduler' AND datname = current_database());
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT pgtrickle.refresh_stream_table('w_max'), pgtrickle.refresh_stream_table('w_total');
DO $$ BEGIN
  FOR i IN 1 .. 200 LOOP EXIT WHEN pg_relation_size(w_buffer()) = 0; PERFORM pg_sleep(0.05); END LOOP;
END $$;
SELECT pg_relation_size(w_buffer()) = 0 AS emptied, (SELECT relfilenode FROM pg_class WHERE oid = w_buffer()) = f.relfilenode AS same_file,
       w_exact()
FROM w_file f;
SELECT t.trimmed_below > pg_snapshot_xmin(s.frontier_snapshot) AS trim_recorded, (SELECT n FROM w_rows) AS w_rows_before
FROM pgtrickle.pgt_change_tracking t, pgtrickle.pgt_stream_tables s WHERE t.source_relid = 'w'::regclass AND s.pgt_name = 'w_rows';
SELECT pgtrickle.refresh_stream_table('w_rows');
SELECT n AS w_rows_after FROM w_rows;
SELECT pgtrickle.drop_stream_table(n) FROM unnest(ARRAY['w_total', 'w_max', 'w_rows']) n;
DROP FUNCTION w_buffer(), w_exact();
DROP TABLE w;
-- A change far past where AUTO stops counting is seen from a sample of the buffer's pages (twice
-- the limit there): 100,000 rows updated, 200,000 records, against the cap's limit (15 % of the
-- rows as records, plus one: 30,001, or 60,001 while the statistics still count the update's
-- new rows beside the old). A change below the limit is counted, and applied.
CREATE TABLE u (id int PRIMARY KEY, v int);
INSERT INTO u SELECT i, i FROM generate_series(1, 100000) i;
ANALYZE u;
SELECT pgtrickle.create_stream_table('u_sums', 'SELECT v % 7 AS k, count(*) AS n, sum(v) AS s FROM u GROUP BY 1',
                                     schedule => '24h', cdc_mode => 'trigger');
CREATE FUNCTION u_last() RETURNS TABLE (action text, delta_row_count bigint, refresh_reason text, exact bool) LANGUAGE sql
  AS $$ SELECT h.action, h.delta_row_count, h.refresh_reason,
               NOT EXISTS ((SELECT k, n, s FROM u_sums EXCEPT ALL SELECT v % 7, count(*), sum(v) FROM u GROUP BY 1)
                           UNION ALL (SELECT v % 7, count(*), sum(v) FROM u GROUP BY 1 EXCEPT ALL SELECT k, n, s FROM u_sums))
        FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)
        WHERE s.pgt_name = 'u_sums' ORDER BY h.refresh_id DESC LIMIT 1 $$;
UPDATE u SET v = v + 1;
SELECT pgtrickle.refresh_stream_table('u_sums');
SELECT action, delta_row_count IN (30001, 60001) AS stopped_at_the_limit,
       refresh_reason ~ '^AUTO: at least [0-9]+ change records \([0-9.]+ % of its sources'' rows changed\): above pg_trickle.differential_max_change_ratio \(0.15\)$' AS reasoned, exact
FROM u_last();
UPDATE u SET v = v + 1 WHERE id <= 10000;
SELECT pgtrickle.refresh_stream_table('u_sums');
SELECT action, delta_row_count, exact FROM u_last();
SELECT pgtrickle.drop_stream_table('u_sums');
DROP FUNCTION u_last();
DROP TABLE u;
-- An aggregate's groups are rewritten in place by its refreshes: its storage's pages are filled
-- half way, so that a group's new version stays on its page (a HOT update: no new entry in the
-- row-id index, the old version pruned from the page). A FULL stream table's pages are filled.
CREATE TABLE h (id int PRIMARY KEY, g int, v int);
INSERT INTO h SELECT i, i % 2000, i FROM generate_series(1, 20000) i;
SELECT pgtrickle.create_stream_table('h_sums', 'SELECT g, count(*) AS n, sum(v) AS s, avg(v) AS a FROM h GROUP BY g',
                                     refresh_mode => 'DIFFERENTIAL', schedule => '24h');
SELECT pgtrickle.create_stream_table('h_full', 'SELECT g, count(*) AS n, sum(v) AS s, avg(v) AS a FROM h GROUP BY g',
                                     refresh_mode => 'FULL', schedule => '24h');
SELECT relname, reloptions FROM pg_class WHERE relname IN ('h_sums', 'h_full') ORDER BY 1;
-- Every group changed, twice: all but a few of the second refresh's updates HOT.
UPDATE h SET v = v + 1;
SELECT pgtrickle.refresh_stream_table('h_sums');
BEGIN;
-- (The "xact" counts include earlier transactions' until the backend reports its statistics, at
-- most once a second: this refresh's are the differences.)
SELECT pg_stat_get_xact_tuples_updated('h_sums'::regclass) AS updated_before,
       pg_stat_get_xact_tuples_hot_updated('h_sums'::regclass) AS hot_before \gset
UPDATE h SET v = v + 1;
SELECT pgtrickle.refresh_stream_table('h_sums');
SELECT pg_stat_get_xact_tuples_updated('h_sums'::regclass) - :updated_before >= 2000 AS updated,
       pg_stat_get_xact_tuples_hot_updated('h_sums'::regclass) - :hot_before
         >= 0.95 * (pg_stat_get_xact_tuples_updated('h_sums'::regclass) - :updated_before) AS hot;
COMMIT;
SELECT count(*) AS differ FROM ((SELECT g, n, s, a FROM h_sums EXCEPT ALL SELECT g, count(*), sum(v), avg(v) FROM h GROUP BY g)
                                UNION ALL (SELECT g, count(*), sum(v), avg(v) FROM h GROUP BY g EXCEPT ALL SELECT g, n, s, a FROM h_sums)) x;
SELECT pgtrickle.drop_stream_table('h_sums'), pgtrickle.drop_stream_table('h_full');
DROP TABLE h;
-- Each refresh rewrites its stream table's catalog row: the row's page keeps room for the next
-- version (pgt_stream_tables' fillfactor), so that 300 refreshes, each its own transaction,
-- update the row on its page (HOT) and leave the table at its size. (Two rows of 1.8 and 1.3 kB
-- alone in the table, compacted: at the default fillfactor, every third update left the page.)
-- A concurrent snapshot (the scheduler's, autovacuum's) can keep a version from being pruned for
-- a moment and send one update to a new page: the table may grow by that one page, no more.
CREATE TABLE f (id int PRIMARY KEY, region text, amount numeric(10,2));
SELECT pgtrickle.create_stream_table('f_sum', 'SELECT region, count(*) AS orders, sum(amount) AS revenue, avg(amount) AS avg_amount FROM f GROUP BY region',
                                     refresh_mode => 'DIFFERENTIAL', schedule => '24h');
SELECT pgtrickle.create_stream_table('f_count', 'SELECT region, count(*) AS orders, sum(amount) AS revenue FROM f GROUP BY region',
                                     refresh_mode => 'DIFFERENTIAL', schedule => '24h');
SELECT pgt_name, pg_column_size(s.*) > 1200 AS wide FROM pgtrickle.pgt_stream_tables s ORDER BY 1;
VACUUM FULL pgtrickle.pgt_stream_tables;
SELECT pgtrickle.refresh_stream_table('f_sum');
SELECT pg_relation_size('pgtrickle.pgt_stream_tables') AS catalog_bytes,
       pg_stat_get_tuples_updated('pgtrickle.pgt_stream_tables'::regclass) AS updated_before,
       pg_stat_get_tuples_hot_updated('pgtrickle.pgt_stream_tables'::regclass) AS hot_before \gset
CREATE PROCEDURE refresh_each_alone(st text, times int) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1 .. times LOOP
    PERFORM pgtrickle.refresh_stream_table(st);
    COMMIT;
  END LOOP;
END $$;
CALL refresh_each_alone('f_sum', 300);
SELECT pg_stat_force_next_flush();
SELECT pg_relation_size('pgtrickle.pgt_stream_tables') <= :catalog_bytes + current_setting('block_size')::int AS same_size,
       pg_stat_get_tuples_updated('pgtrickle.pgt_stream_tables'::regclass) - :updated_before >= 300 AS updated,
       pg_stat_get_tuples_hot_updated('pgtrickle.pgt_stream_tables'::regclass) - :hot_before
         >= 0.98 * (pg_stat_get_tuples_updated('pgtrickle.pgt_stream_tables'::regclass) - :updated_before) AS hot;
SELECT pgtrickle.drop_stream_table('f_sum'), pgtrickle.drop_stream_table('f_count');
DROP TABLE f;
DROP PROCEDURE refresh_each_alone;

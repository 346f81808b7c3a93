-- Constant rows beside tables: a VALUES list, a SELECT without FROM (a scalar subquery, the
-- seed of a recursive CTE) and a set-returning function with no table before it (a calendar of
-- days joined to the facts). They never change, so a refresh reads them only where a change of
-- the tables meets them; every stream table stays equal to its query. A query that reads no
-- table at all has nothing to maintain: FULL. Parts that can hold no row (under a condition
-- that is never true: NULL by a NULL constant, an EXISTS over such rows) change by nothing:
-- their change is not computed, nor the joins above it.
SET client_min_messages = warning;
\i include/rounds.sql
CREATE TABLE sales (id int PRIMARY KEY, day int, region text, amount numeric(8,2), parent int);
INSERT INTO sales SELECT k, 1 + k % 7, CASE k % 3 WHEN 0 THEN 'n' WHEN 1 THEN 's' END, k * 1.25, NULLIF(k / 2, 0)
  FROM generate_series(1, 40) k;
SELECT pgtrickle.create_stream_table('named_regions', 'SELECT s.id, r.label, s.amount FROM sales s
    JOIN (VALUES (''n'', ''North''), (''s'', ''South''), (NULL, ''nowhere'')) r (code, label) ON r.code = s.region',
    refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('named_regions_now', 'SELECT s.id, r.label FROM sales s
    LEFT JOIN (VALUES (''n'', ''North''), (''s'', ''South'')) r (code, label) ON r.code = s.region',
    schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('big_sales', 'SELECT id, amount FROM sales WHERE amount > (SELECT 20.00) AND region IN (VALUES (''n''), (''s''))',
    refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('calendar', 'SELECT d, count(s.id) AS sales, sum(s.amount) AS total
    FROM generate_series(0, 8) d LEFT JOIN sales s ON s.day = d GROUP BY d', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('one_group', 'SELECT s.id, v.x FROM sales s JOIN (SELECT 2 AS x WHERE false GROUP BY ()) v
    ON v.x = s.day', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('chain', 'WITH RECURSIVE up (id, depth) AS (SELECT 1, 0 UNION ALL
    SELECT s.id, u.depth + 1 FROM up u JOIN sales s ON s.parent = u.id) SELECT id, depth FROM up', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('never', 'SELECT a.id, b.id AS other FROM sales a, sales b, sales c
    WHERE EXISTS (SELECT 1 FROM sales d WHERE d.parent = a.id AND CAST(NULL AS int) <> d.day)',
    schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('null_max', 'SELECT s.id, s.region, (SELECT max(t.amount) FROM sales t
    WHERE t.parent = s.id AND t.region > NULL) AS m FROM sales s', refresh_mode => 'DIFFERENTIAL');
SELECT pgt_name, refresh_mode FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
SELECT * FROM round_done();
-- rows move between regions and days, leave, arrive with no region; the tree is rewired
UPDATE sales SET region = 'n' WHERE id % 5 = 0;
UPDATE sales SET day = 8 WHERE id % 4 = 0;
DELETE FROM sales WHERE id % 6 = 1;
INSERT INTO sales VALUES (41, 0, NULL, 99.00, 1), (42, 3, 's', 1.00, 41);
UPDATE sales SET parent = 41 WHERE id IN (4, 5);
SELECT * FROM round_done();
TRUNCATE sales;
INSERT INTO sales VALUES (1, 2, 'n', 30.00, NULL), (2, 2, 'n', 5.00, 1);
SELECT * FROM round_done();
SELECT d, sales, total FROM calendar ORDER BY d;
-- the writes were applied as changes (the TRUNCATE recomputes)
SELECT s.pgt_name, h.action, count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)
 WHERE h.initiated_by = 'MANUAL' GROUP BY 1, 2 ORDER BY 1, 2;
-- a query that reads no table
SELECT try($q$SELECT pgtrickle.create_stream_table('no_table', 'SELECT * FROM (VALUES (1), (2)) v (x)', refresh_mode => 'DIFFERENTIAL')$q$);
SELECT pgtrickle.create_stream_table('no_table', 'SELECT x FROM generate_series(1, 3) x');
SELECT pgt_name, refresh_mode FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'no_table';

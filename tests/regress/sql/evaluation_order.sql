-- Maintenance that evaluates an expression on rows the query's own plan never reaches.
-- PostgreSQL's planner reduces `b RIGHT JOIN c ON false` to an inner join (the correlated
-- EXISTS below makes b's columns non-null) and so proves the whole join empty: the query never
-- computes line(p, p), which raises 22023 for equal points. A differential refresh or an
-- IMMEDIATE write may compute it on the changed rows (whether it does depends on the plan each
-- major makes, so the notices saying so are not shown here); that raises, is rolled back, and
-- the stream table is recomputed in full. Without the fallback a refresh fails and every write
-- to a, b or c fails.
SET client_min_messages = warning;
\i include/rounds.sql

CREATE TABLE a (id int PRIMARY KEY, p point);
CREATE TABLE b (id int PRIMARY KEY, u int);
CREATE TABLE c (id int PRIMARY KEY);
SELECT pgtrickle.create_stream_table('skipped_' || lower(m), $$
  SELECT a.id, c.id AS cid FROM a JOIN (b RIGHT JOIN c ON false) ON (pg_catalog.line(a.p, a.p) IS NOT NULL)
  WHERE EXISTS (SELECT 1 FROM c c2 WHERE b.u IS NOT NULL) $$, refresh_mode => m)
  FROM unnest(ARRAY['DIFFERENTIAL', 'IMMEDIATE']) m;

-- The query runs; so do the writes.
INSERT INTO a VALUES (1, '(1,1)'), (2, '(2,2)');
INSERT INTO b VALUES (1, 1), (2, NULL);
INSERT INTO c VALUES (1), (2);
SELECT a.id, c.id FROM a JOIN (b RIGHT JOIN c ON false) ON (pg_catalog.line(a.p, a.p) IS NOT NULL)
WHERE EXISTS (SELECT 1 FROM c c2 WHERE b.u IS NOT NULL);
SELECT * FROM round_done();
UPDATE b SET u = u + 1;
DELETE FROM a WHERE id = 1;
SELECT * FROM round_done();
-- Created over such rows: the first load falls back the same way.
SELECT pgtrickle.create_stream_table('skipped_at_creation', $$
  SELECT a.id, c.id AS cid FROM a JOIN (b RIGHT JOIN c ON false) ON (pg_catalog.line(a.p, a.p) IS NOT NULL)
  WHERE EXISTS (SELECT 1 FROM c c2 WHERE b.u IS NOT NULL) $$, refresh_mode => 'DIFFERENTIAL');
SELECT st_check('skipped_at_creation');
-- So does one with an aggregate kept in a state table of its own (a scalar subquery's max): the
-- rows load from the query as written, the aggregate's state from its own statement.
SELECT pgtrickle.create_stream_table('skipped_with_state', $$
  SELECT a.id, c.id AS cid, (SELECT max(u) FROM b) AS top FROM a JOIN (b RIGHT JOIN c ON false) ON (pg_catalog.line(a.p, a.p) IS NOT NULL)
  WHERE EXISTS (SELECT 1 FROM c c2 WHERE b.u IS NOT NULL) $$, refresh_mode => 'DIFFERENTIAL');
SELECT st_check('skipped_with_state');
UPDATE b SET u = u + 1;
INSERT INTO a VALUES (3, '(3,3)');
SELECT * FROM round_done();

-- A query whose maintenance cannot fail on data pays for no subtransaction; one that can but
-- does not, keeps DIFFERENTIAL refreshes.
CREATE TABLE d (id int PRIMARY KEY, n int);
SELECT pgtrickle.create_stream_table('divided', 'SELECT id, 100 / n AS q FROM d WHERE n <> 0', refresh_mode => 'DIFFERENTIAL');
INSERT INTO d VALUES (1, 4), (2, 0), (3, 5);
SELECT * FROM round_done();
SELECT action, was_full_fallback FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)
 WHERE s.pgt_name = 'divided' ORDER BY refresh_id DESC LIMIT 1;

-- A subquery's column nothing reads is left out of PostgreSQL's plan, never evaluated; the
-- maintenance of the subquery's change computes it: a NaN cast to smallint raises 0A000 there,
-- and the stream table is recomputed instead of the write failing.
CREATE TABLE f (id int PRIMARY KEY, v int);
CREATE TABLE amounts (a numeric);
INSERT INTO f VALUES (1, 1), (2, 2);
INSERT INTO amounts VALUES (1.5);
SELECT pgtrickle.create_stream_table('unread_' || lower(m), $$
  SELECT s.id, sum(s.v) OVER (PARTITION BY s.id) AS w
  FROM (SELECT f.id, f.v, pg_catalog.int2((SELECT max(a) FROM amounts)) AS unread FROM f) s $$, refresh_mode => m)
  FROM unnest(ARRAY['DIFFERENTIAL', 'IMMEDIATE']) m;
INSERT INTO amounts VALUES ('NaN');
UPDATE f SET v = v + 1;
SELECT * FROM round_done();

-- An error the query afresh raises as well is the query's own: the refresh fails with it (each
-- step's notice shown: every plan computes 100 / n on the one changed row).
SET client_min_messages = notice;
CREATE TABLE e (id int PRIMARY KEY, n int);
SELECT pgtrickle.create_stream_table('failing', 'SELECT id, 100 / n AS q FROM e', refresh_mode => 'DIFFERENTIAL');
INSERT INTO e VALUES (1, 0);
SELECT try($$SELECT pgtrickle.refresh_stream_table('failing')$$);

SELECT pgtrickle.drop_stream_table(pgt_name) FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;

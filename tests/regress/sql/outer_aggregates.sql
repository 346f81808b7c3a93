-- An aggregate inside a subquery whose arguments read only an enclosing query's columns is that
-- enclosing query's aggregate (PostgreSQL's rule): `(SELECT sum(t.v) FROM u)` in a query of t
-- is one value per group of t. Such queries are valid: they are maintained by full refresh (AUTO
-- and FULL), refused with 0A000 in DIFFERENTIAL; invalid ones get PostgreSQL's own error.
SET client_min_messages = warning;
\i include/rounds.sql
CREATE TABLE gt (id int PRIMARY KEY, g int, v int);
INSERT INTO gt SELECT i, i % 3, i FROM generate_series(1, 10) i;
CREATE TABLE gu (k int);
INSERT INTO gu VALUES (1), (2);
-- In the select list of a grouped query, beside the subquery's own count(*).
SELECT pgtrickle.create_stream_table('per_group', 'SELECT g, (SELECT sum(gt.v) + count(*) FROM gu) AS s FROM gt GROUP BY g');
-- In a subquery's WHERE, under the enclosing query's HAVING.
SELECT pgtrickle.create_stream_table('having_sub', 'SELECT g FROM gt GROUP BY g HAVING EXISTS (SELECT 1 FROM gu WHERE gu.k * 20 < sum(gt.v))');
-- Making the enclosing query an aggregate of one group.
SELECT pgtrickle.create_stream_table('one_group', 'SELECT (SELECT max(gt.v) - min(gu.k) FROM gu) AS m FROM gt', refresh_mode => 'FULL');
SELECT pgt_name, refresh_mode, downgrade_reason FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
SELECT try($$SELECT pgtrickle.create_stream_table('refused', 'SELECT g, (SELECT sum(gt.v) FROM gu) AS s FROM gt GROUP BY g',
                                                   refresh_mode => 'DIFFERENTIAL')$$);
-- Invalid: an ungrouped column beside the aggregate; an aggregate of the enclosing query in its WHERE.
SELECT try($$SELECT pgtrickle.create_stream_table('ungrouped', 'SELECT g, (SELECT sum(gt.v) + gt.id FROM gu) AS s FROM gt GROUP BY g')$$);
SELECT try($$SELECT pgtrickle.create_stream_table('in_where', 'SELECT * FROM gt WHERE EXISTS (SELECT 1 FROM gu WHERE sum(gt.v) > 0)')$$);
SELECT * FROM round_done();
INSERT INTO gt VALUES (11, 0, 100);
DELETE FROM gu WHERE k = 2;
UPDATE gt SET v = v * 3 WHERE id <= 4;
SELECT * FROM round_done();
SELECT g, s FROM per_group ORDER BY g;
SELECT g FROM having_sub ORDER BY g;
SELECT m FROM one_group;

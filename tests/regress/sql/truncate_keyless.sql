-- TRUNCATE of a source is maintained; keyless sources keep exact duplicates; a self-join is
-- maintained by the bilinear rule; outer joins keep their NULL-padded rows right.
CREATE TABLE events (kind text, amount int);   -- no primary key
INSERT INTO events VALUES ('a', 1), ('a', 1), ('a', 1), ('b', 2), (NULL, NULL), (NULL, NULL);
SELECT pgtrickle.create_stream_table('copies', 'SELECT kind, amount FROM events WHERE amount IS DISTINCT FROM 2');
SELECT pgtrickle.create_stream_table('per_kind', 'SELECT kind, count(*) AS n, sum(amount) AS total FROM events GROUP BY kind');
SELECT pgtrickle.create_stream_table('kinds', 'SELECT DISTINCT kind FROM events');
SELECT kind, amount FROM copies ORDER BY kind, amount;
-- deleting one duplicate deletes exactly one copy
DELETE FROM events WHERE ctid = (SELECT min(ctid) FROM events WHERE kind = 'a');
INSERT INTO events VALUES (NULL, NULL), ('c', 3);
SELECT pgtrickle.refresh_stream_table('copies');
SELECT pgtrickle.refresh_stream_table('per_kind');
SELECT pgtrickle.refresh_stream_table('kinds');
SELECT kind, amount FROM copies ORDER BY kind, amount;
SELECT kind, n, total FROM per_kind ORDER BY kind;
SELECT kind FROM kinds ORDER BY kind;
-- TRUNCATE, then new rows in the same transaction
BEGIN;
TRUNCATE events;
INSERT INTO events VALUES ('z', 26);
COMMIT;
SELECT pgtrickle.refresh_stream_table('copies');
SELECT pgtrickle.refresh_stream_table('per_kind');
SELECT pgtrickle.refresh_stream_table('kinds');
SELECT kind, amount FROM copies ORDER BY kind, amount;
SELECT kind, n, total FROM per_kind ORDER BY kind;
SELECT kind FROM kinds ORDER BY kind;
SELECT action FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)
WHERE pgt_name = 'copies' ORDER BY refresh_id;
-- a TRUNCATE behind more changes than a small change has (1,000: its marker past those counted; a
-- new table, so that its buffer's rows lie in the order written)
CREATE TABLE batches (kind text, amount int);
SELECT pgtrickle.create_stream_table('per_batch_kind', 'SELECT kind, count(*) AS n FROM batches GROUP BY kind',
    refresh_mode => 'DIFFERENTIAL');
INSERT INTO batches SELECT 'y', i FROM generate_series(1, 1500) i;
TRUNCATE batches;
INSERT INTO batches VALUES ('x', 24);
SELECT pgtrickle.refresh_stream_table('per_batch_kind');
SELECT kind, n FROM per_batch_kind ORDER BY kind;
SELECT action FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)
WHERE pgt_name = 'per_batch_kind' ORDER BY refresh_id DESC LIMIT 1;
SELECT pgtrickle.drop_stream_table('per_batch_kind');
DROP TABLE batches;

-- self-join: pairs of employees in the same team
CREATE TABLE staff (id int PRIMARY KEY, team int, name text);
INSERT INTO staff VALUES (1, 1, 'ann'), (2, 1, 'bo'), (3, 2, 'cy');
SELECT pgtrickle.create_stream_table('pairs',
    'SELECT a.name AS left_name, b.name AS right_name FROM staff a JOIN staff b ON a.team = b.team AND a.id < b.id');
INSERT INTO staff VALUES (4, 1, 'di'), (5, 2, 'ed');
UPDATE staff SET team = 2 WHERE id = 1;
DELETE FROM staff WHERE id = 2;
SELECT pgtrickle.refresh_stream_table('pairs');
SELECT left_name, right_name FROM pairs ORDER BY 1, 2;
SELECT a.name, b.name FROM staff a JOIN staff b ON a.team = b.team AND a.id < b.id ORDER BY 1, 2;

-- full outer join with NULL keys on both sides
CREATE TABLE l (k int, lv text);
CREATE TABLE r (k int, rv text);
INSERT INTO l VALUES (1, 'l1'), (2, 'l2'), (NULL, 'lnull');
INSERT INTO r VALUES (2, 'r2'), (3, 'r3'), (NULL, 'rnull');
SELECT pgtrickle.create_stream_table('both_sides', 'SELECT l.lv, r.rv FROM l FULL JOIN r ON l.k = r.k');
INSERT INTO r VALUES (1, 'r1');
DELETE FROM l WHERE k = 2;
INSERT INTO l VALUES (3, 'l3'), (3, 'l3bis');
SELECT pgtrickle.refresh_stream_table('both_sides');
SELECT lv, rv FROM both_sides ORDER BY lv NULLS LAST, rv NULLS LAST;
SELECT count(*) AS mismatches FROM ((SELECT lv, rv FROM both_sides EXCEPT ALL SELECT l.lv, r.rv FROM l FULL JOIN r ON l.k = r.k)
    UNION ALL (SELECT l.lv, r.rv FROM l FULL JOIN r ON l.k = r.k EXCEPT ALL SELECT lv, rv FROM both_sides)) x;

-- A schema owned by another role, first on every search_path, holds an operator for every
-- operator name and pair of common types that pg_catalog has no exact match for (numeric <>
-- integer, bigint + numeric, …), and functions of the names generated SQL calls. PostgreSQL
-- prefers an exact match wherever it is on the path, so any bare operator of the SQL pg_trickle
-- generates, applied to such a pair, would call hs_mallory's function as the stream table's owner.
-- Each raises, naming itself. The defining queries use only exact pg_catalog operators.
-- Maintaining many shapes, in every mode, through rounds of writes, calls none of them.
\i include/rounds.sql
CREATE ROLE hs_mallory;
CREATE ROLE hs_alice;
GRANT CREATE ON SCHEMA public TO hs_alice;
CREATE SCHEMA evil AUTHORIZATION hs_mallory;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
SET ROLE hs_mallory;
SET search_path = pg_catalog;
DO $$
DECLARE
    ops text[] := ARRAY['=', '<>', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '||'];
    types text[] := ARRAY['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision', 'text', 'boolean',
                          'date', 'timestamp', 'timestamptz', 'interval', '"char"', 'oid', 'bytea', 'xid8', 'tid',
                          'regclass', 'regtype', 'regproc', 'regnamespace', 'name'];
    funcs text[] := ARRAY['sum', 'min', 'max', 'abs', 'round', 'sqrt', 'scale', 'trim_scale', 'generate_series',
                          'array_dims', 'justify_interval', 'lower', 'hash_array_extended', 'hashtextextended',
                          'current_setting', 'bool_or', 'bool_and', 'array_agg', 'coalesce', 'greatest', 'least', 'now',
                          'bit_xor', 'rank', 'row_number', 'pg_current_xact_id_if_assigned', 'mod', 'div', 'left', 'length'];
    o text; l text; r text; f text; n int := 0;
BEGIN
    FOREACH o IN ARRAY ops LOOP
        FOREACH l IN ARRAY types LOOP
            FOREACH r IN ARRAY types LOOP
                CONTINUE WHEN EXISTS (SELECT 1 FROM pg_operator p WHERE p.oprname = o AND p.oprleft = l::regtype
                                      AND p.oprright = r::regtype AND p.oprnamespace = 'pg_catalog'::regnamespace);
                n := n + 1;
                EXECUTE format('CREATE FUNCTION evil.op%s(%s, %s) RETURNS %s LANGUAGE plpgsql AS '
                               '$f$ BEGIN RAISE EXCEPTION ''hijacked: %s %s %s as %%'', current_user; END $f$',
                               n, l, r, CASE WHEN o IN ('=', '<>', '<', '>', '<=', '>=') THEN 'boolean' ELSE l END,
                               l, replace(o, '%', '%%'), r);
                EXECUTE format('CREATE OPERATOR evil.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = evil.op%s)', o, l, r, n);
            END LOOP;
        END LOOP;
    END LOOP;
    FOREACH f IN ARRAY funcs LOOP
        FOREACH l IN ARRAY ARRAY['integer', 'bigint', 'numeric', 'text'] LOOP
            EXECUTE format('CREATE FUNCTION evil.%I(%s) RETURNS %s LANGUAGE plpgsql AS '
                           '$f$ BEGIN RAISE EXCEPTION ''hijacked: %s(%s) as %%'', current_user; END $f$', f, l, l, f, l);
            EXECUTE format('CREATE FUNCTION evil.%I(%s, integer) RETURNS %s LANGUAGE plpgsql AS '
                           '$f$ BEGIN RAISE EXCEPTION ''hijacked: %s(%s, integer) as %%'', current_user; END $f$', f, l, l, f, l);
        END LOOP;
    END LOOP;
    RAISE NOTICE 'hs_mallory''s operators: %', n > 3000;
END $$;
RESET ROLE;
ALTER ROLE hs_alice SET search_path = evil, public;
SET search_path = evil, public;
CREATE TABLE public.o (id int PRIMARY KEY, c int, amt numeric(10,2), f float8, q bigint, s text);
CREATE TABLE public.cu (id int PRIMARY KEY, name text, region text);
CREATE TABLE public.e (src int, dst int);
GRANT SELECT ON o, cu, e TO hs_alice;
INSERT INTO o SELECT i, i % 7, i::numeric * 1.5, i::float8 / 3.0::float8, i * 10, 's' || (i % 5)::text
  FROM generate_series(1, 60) i;
INSERT INTO cu SELECT i, 'n' || i::text, 'r' || (i % 3)::text FROM generate_series(0, 8) i;
INSERT INTO e SELECT i, i + 1 FROM generate_series(1, 10) i;
CREATE TABLE public.shapes (n int, q text);
INSERT INTO shapes VALUES
 (1, 'SELECT c, count(*) AS n, sum(amt) AS t, avg(f) AS a, min(q) AS lo, max(s) AS hi FROM o GROUP BY c'),
 (2, 'SELECT c, variance(amt) AS v, stddev(f) AS sd, sum(q) AS sq, bool_and(amt > 3.0) AS b FROM o GROUP BY c HAVING count(*) > 1'),
 (3, 'SELECT o.id, cu.name, o.amt FROM o JOIN cu ON o.c = cu.id'),
 (4, 'SELECT o.id, cu.name FROM o LEFT JOIN cu ON o.c = cu.id + 1'),
 (5, 'SELECT cu.id, o.amt FROM cu FULL JOIN o ON o.c = cu.id AND o.amt > 10.0'),
 (6, 'SELECT DISTINCT c, s FROM o'),
 (7, 'SELECT c FROM o UNION SELECT id FROM cu'),
 (8, 'SELECT c FROM o INTERSECT SELECT id FROM cu'),
 (9, 'SELECT c FROM o EXCEPT ALL SELECT id FROM cu'),
 (10, 'SELECT id FROM cu WHERE NOT EXISTS (SELECT 1 FROM o WHERE o.c = cu.id)'),
 (11, 'SELECT id FROM cu WHERE EXISTS (SELECT 1 FROM o WHERE o.c = cu.id AND o.amt > 20.0)'),
 (12, 'SELECT id, c, amt, sum(amt) OVER (PARTITION BY c) AS total, rank() OVER (PARTITION BY c ORDER BY amt, id) AS r FROM o'),
 (13, 'SELECT id, amt FROM o ORDER BY amt DESC, id LIMIT 5'),
 (14, 'WITH RECURSIVE r(n, d) AS (SELECT src, 0 FROM e WHERE src = 1 UNION ALL SELECT e.dst, r.d + 1 FROM r JOIN e ON e.src = r.n) SELECT n, d FROM r'),
 (15, 'WITH RECURSIVE r(n) AS (SELECT src FROM e WHERE src = 1 UNION SELECT e.dst FROM r JOIN e ON e.src = r.n) SELECT n FROM r'),
 (16, 'SELECT n, count(*) AS k FROM (SELECT c, count(*) AS n FROM o GROUP BY c) s GROUP BY n'),
 (17, 'SELECT id, (SELECT count(*) FROM o WHERE o.c = cu.id) AS k, (SELECT max(amt) FROM o WHERE o.c = cu.id) AS mx FROM cu'),
 (18, 'SELECT region, count(DISTINCT name) AS k, sum(id) AS s FROM cu GROUP BY region'),
 (19, 'SELECT c, sum(amt) FILTER (WHERE f > 2.0::float8) AS fs, count(*) FILTER (WHERE s = ''s1'') AS k FROM o GROUP BY c'),
 (20, 'SELECT id, amt FROM o WHERE amt > (SELECT avg(amt) FROM o)'),
 (21, 'SELECT DISTINCT ON (c) c, id, amt FROM o ORDER BY c, amt DESC, id'),
 (22, 'SELECT cu.region, sum(o.amt) AS t, count(*) AS n FROM o JOIN cu ON o.c = cu.id GROUP BY cu.region'),
 (23, 'SELECT c, sum(q) AS sq, count(*) AS n FROM o GROUP BY c ORDER BY sq DESC, c LIMIT 3'),
 (24, 'SELECT sum(amt) AS t, count(*) AS n, avg(q) AS a FROM o');
GRANT SELECT ON shapes TO hs_alice;
SET ROLE hs_alice;
SET client_min_messages = warning; -- TopK notices name state tables by oid
WITH made AS MATERIALIZED (
    SELECT s.n, m, try(format('SELECT pgtrickle.create_stream_table(%L, %L, refresh_mode => %L, schedule => %s)',
                              'public.h' || s.n::text || '_' || lower(m), s.q, m,
                              CASE m WHEN 'IMMEDIATE' THEN 'NULL' ELSE '''1h''' END)) AS created
      FROM shapes s, (VALUES ('DIFFERENTIAL'), ('IMMEDIATE'), ('FULL')) v(m))
SELECT * FROM made WHERE created <> 'ok' ORDER BY 1, 2;
RESET client_min_messages;
SELECT count(*) AS stream_tables FROM pgtrickle.pgt_stream_tables;
RESET ROLE;
-- Writes, under the same search_path, then refreshes as hs_alice. The checks (the test's
-- own SQL, comparing each stream table with its query run afresh) run under public alone.
INSERT INTO o SELECT i, i % 7, i::numeric * 1.5, i::float8 / 3.0::float8, i * 10, 's' || (i % 5)::text
  FROM generate_series(61, 70) i;
UPDATE o SET amt = amt + 1.0, c = (c + 1) % 7 WHERE id % 4 = 0;
DELETE FROM o WHERE id % 9 = 0;
INSERT INTO cu VALUES (9, 'n9', 'r0');
UPDATE cu SET region = 'r1' WHERE id = 2;
DELETE FROM cu WHERE id = 5;
INSERT INTO e VALUES (11, 12), (3, 7);
DELETE FROM e WHERE src = 5;
SET ROLE hs_alice;
SET search_path = public;
SELECT r FROM round_done() r WHERE r NOT LIKE '% exact';
SET search_path = evil, public;
RESET ROLE;
UPDATE o SET q = q + 5::bigint, amt = amt * 2.0 WHERE c = 3;
DELETE FROM o WHERE c = 2;
INSERT INTO o VALUES (100, NULL, NULL, NULL, NULL, NULL);
DELETE FROM e WHERE src = 3 AND dst = 7;
SET ROLE hs_alice;
SET search_path = public;
SELECT r FROM round_done() r WHERE r NOT LIKE '% exact';
SELECT count(*) AS exact FROM round_done() r WHERE r LIKE '% exact';
SELECT pgt_name, status FROM pgtrickle.pgt_stream_tables WHERE status <> 'ACTIVE' ORDER BY 1;
RESET ROLE;
SELECT count(*) AS failed_refreshes FROM pgtrickle.pgt_refresh_history WHERE status <> 'COMPLETED';
-- Cleanup
SELECT count(pgtrickle.drop_stream_table(pgt_schema || '.' || pgt_name)) AS dropped FROM pgtrickle.pgt_stream_tables;
RESET search_path;
DROP TABLE public.shapes, public.o, public.cu, public.e;
SET client_min_messages = warning;
DROP SCHEMA evil CASCADE;
RESET client_min_messages;
REVOKE CREATE ON SCHEMA public FROM hs_alice;
DROP ROLE hs_alice;
DROP ROLE hs_mallory;

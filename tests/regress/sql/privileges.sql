-- The defining query runs with its creator's rights; stream tables need GRANTs like any table;
-- only owners alter, refresh or drop them.
CREATE ROLE alice LOGIN;
CREATE ROLE bob LOGIN;
CREATE TABLE secrets (id int PRIMARY KEY, payload text);
CREATE TABLE public_data (id int PRIMARY KEY, v int);
INSERT INTO secrets VALUES (1, 'classified');
INSERT INTO public_data VALUES (1, 10), (2, 20);
GRANT SELECT ON public_data TO alice, bob;
GRANT CREATE ON SCHEMA public TO alice, bob;

SET ROLE alice;
-- alice cannot read secrets, so she cannot define a stream table over them
SELECT pgtrickle.create_stream_table('steal', 'SELECT payload FROM secrets');
-- nor through a view she may read
RESET ROLE;
CREATE VIEW secret_view AS SELECT payload FROM secrets;
GRANT SELECT ON secret_view TO alice;
SET ROLE alice;
SELECT pgtrickle.create_stream_table('steal2', 'SELECT payload FROM secret_view');
-- what she may read, she may maintain
SELECT pgtrickle.create_stream_table('alice_sum', 'SELECT sum(v) AS total FROM public_data');
SELECT total FROM alice_sum;

SET ROLE bob;
-- bob reads it only with a grant, and may not refresh, alter or drop it
SELECT total FROM alice_sum;
SELECT pgtrickle.refresh_stream_table('alice_sum');
SELECT pgtrickle.alter_stream_table('alice_sum', schedule => '1m');
SELECT pgtrickle.drop_stream_table('alice_sum');
-- nor write buffers or the catalog directly
SELECT count(*) FROM pgtrickle_changes.changes_1;
UPDATE pgtrickle.pgt_stream_tables SET defining_query = 'SELECT payload FROM secrets';
SET ROLE alice;
GRANT SELECT ON alice_sum TO bob;
SET ROLE bob;
SELECT total FROM alice_sum;
-- bob's writes to the source are captured even though he cannot read the buffer
RESET ROLE;
GRANT INSERT ON public_data TO bob;
SET ROLE bob;
INSERT INTO public_data VALUES (3, 30);
SET ROLE alice;
SELECT pgtrickle.refresh_stream_table('alice_sum');
SELECT total FROM alice_sum;

-- monitoring works for roles that cannot read the change buffers
SET ROLE bob;
SELECT name, status, staleness IS NOT NULL AS has_staleness FROM pgtrickle.pgt_status();
SELECT stream_table, source_table, pending_rows FROM pgtrickle.change_buffer_sizes();
SELECT check_name, severity FROM pgtrickle.health_check() WHERE severity <> 'OK';
SELECT total_stream_tables, error_count FROM pgtrickle.health_summary();
SELECT count(*) FROM pgtrickle.stream_tables_info;

-- revoking alice's access makes her refresh fail, without exposing anything: she loses the
-- change buffer with the source
RESET ROLE;
REVOKE SELECT ON public_data FROM alice;
INSERT INTO public_data VALUES (4, 40);
SET ROLE alice;
SELECT pgtrickle.refresh_stream_table('alice_sum');
SELECT total FROM alice_sum;
SELECT count(*) FROM pgtrickle_changes.changes_1;
SELECT has_table_privilege('alice', buffer_relid, 'SELECT') FROM pgtrickle.pgt_change_tracking;
RESET ROLE;
GRANT SELECT ON public_data TO alice;
SELECT has_table_privilege('alice', buffer_relid, 'SELECT') FROM pgtrickle.pgt_change_tracking;
SET ROLE alice;
SELECT pgtrickle.refresh_stream_table('alice_sum');
SELECT total FROM alice_sum;

-- a new owner takes over the buffer access with the stream table
RESET ROLE;
ALTER TABLE alice_sum OWNER TO bob;
SELECT has_table_privilege('alice', buffer_relid, 'SELECT') AS alice_reads,
       has_table_privilege('bob', buffer_relid, 'SELECT') AS bob_reads FROM pgtrickle.pgt_change_tracking;
INSERT INTO public_data VALUES (5, 50);
SET ROLE bob;
SELECT pgtrickle.refresh_stream_table('alice_sum');
SELECT total FROM alice_sum;
RESET ROLE;
SELECT pgtrickle.drop_stream_table('alice_sum');

-- role names that need quoting
CREATE ROLE "Carol Reader";
GRANT SELECT ON public_data TO "Carol Reader";
GRANT CREATE ON SCHEMA public TO "Carol Reader";
SET ROLE "Carol Reader";
SELECT pgtrickle.create_stream_table('carol_sum', 'SELECT sum(v) AS total FROM public_data');
RESET ROLE;
INSERT INTO public_data VALUES (6, 60);
SET ROLE "Carol Reader";
SELECT pgtrickle.refresh_stream_table('carol_sum');
SELECT total FROM carol_sum;
RESET ROLE;
SELECT pgtrickle.drop_stream_table('carol_sum');
REVOKE ALL ON public_data FROM "Carol Reader";
REVOKE CREATE ON SCHEMA public FROM "Carol Reader";
DROP ROLE "Carol Reader";

-- row-level security: a change buffer holds every changed row, so a role that row-level
-- security applies to cannot own a stream table over the table, and a later policy stops its
-- refreshes
CREATE TABLE notes (id int PRIMARY KEY, owner_name text, body text);
INSERT INTO notes VALUES (1, 'alice', 'mine'), (2, 'bob', 'not hers');
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_notes ON notes USING (owner_name = current_user);
GRANT SELECT ON notes TO alice;
SET ROLE alice;
SELECT count(*) FROM notes;
SELECT pgtrickle.create_stream_table('alice_notes', 'SELECT id, body FROM notes');
RESET ROLE;
ALTER TABLE notes DISABLE ROW LEVEL SECURITY;
SET ROLE alice;
SELECT pgtrickle.create_stream_table('alice_notes', 'SELECT id, body FROM notes');
RESET ROLE;
SELECT has_table_privilege('alice', t.buffer_relid, 'SELECT') AS alice_reads_buffer
FROM pgtrickle.pgt_change_tracking t WHERE t.source_relid = 'notes'::regclass;
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
SELECT has_table_privilege('alice', t.buffer_relid, 'SELECT') AS alice_reads_buffer
FROM pgtrickle.pgt_change_tracking t WHERE t.source_relid = 'notes'::regclass;
INSERT INTO notes VALUES (3, 'bob', 'also not hers');
SET ROLE alice;
SELECT pgtrickle.refresh_stream_table('alice_notes');
RESET ROLE;
SELECT pgtrickle.drop_stream_table('alice_notes');
DROP TABLE notes;
-- A writer's search_path does not choose the operators of a stream table's SQL, which runs
-- with its owner's rights: bob's own + for bigint, put before pg_catalog, is not called by the
-- maintenance of alice's IMMEDIATE stream table (a notice would name the role it ran as).
CREATE TABLE tallies (id int PRIMARY KEY, g int, v bigint);
INSERT INTO tallies VALUES (1, 1, 10);
GRANT SELECT ON tallies TO alice;
GRANT INSERT ON tallies TO bob;
GRANT CREATE ON DATABASE regression TO bob;
SET ROLE alice;
SELECT pgtrickle.create_stream_table('alice_tallies', 'SELECT g, count(*) AS n, sum(v) AS total FROM tallies GROUP BY g',
  refresh_mode => 'IMMEDIATE');
SET ROLE bob;
CREATE SCHEMA bobs;
CREATE FUNCTION bobs.plus(a bigint, b bigint) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN RAISE NOTICE 'bob''s + ran as %', current_user; RETURN a OPERATOR(pg_catalog.+) b; END $$;
CREATE OPERATOR bobs.+ (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = bobs.plus);
GRANT USAGE ON SCHEMA bobs TO PUBLIC;
SET search_path = bobs, public, pg_catalog;
INSERT INTO tallies VALUES (2, 1, 5);
INSERT INTO tallies VALUES (3, 2, 7);
RESET search_path;
RESET ROLE;
SELECT g, n, total FROM alice_tallies ORDER BY g;
-- Nor its tables: the query's names mean what they meant under alice's search_path at its
-- creation. In a session of his own (nothing compiled yet), bob puts a table of the same name
-- first; his writes and his TRUNCATE (which makes maintenance read the source afresh) still
-- maintain alice_tallies from public.tallies, never from bobs.tallies.
GRANT TRUNCATE ON tallies TO bob;
\c - bob
CREATE TABLE bobs.tallies (id int, g int, v bigint);
INSERT INTO bobs.tallies VALUES (99, 1, 1000000);
SET search_path = bobs, public;
INSERT INTO public.tallies VALUES (4, 2, 1);
TRUNCATE public.tallies;
INSERT INTO public.tallies VALUES (5, 3, 2);
\c - postgres
SELECT g, n, total FROM alice_tallies ORDER BY g;
-- Nor a schema named after a writer, made after his first write, which his default search_path
-- ("$user", public) then searches first: when his next write compiles the stream table again
-- (after DDL on the source), its table of the source's name is not read.
SET ROLE bob;
INSERT INTO public.tallies VALUES (6, 1, 3);
RESET ROLE;
CREATE SCHEMA bob AUTHORIZATION bob;
CREATE TABLE bob.tallies (id int, g int, v bigint);
INSERT INTO bob.tallies VALUES (97, 1, 3000000);
GRANT USAGE ON SCHEMA bob TO alice;
GRANT SELECT ON bob.tallies TO alice;
ALTER TABLE tallies ADD COLUMN note text;
SET ROLE bob;
INSERT INTO public.tallies VALUES (7, 2, 4);
RESET ROLE;
SELECT g, n, total FROM alice_tallies ORDER BY g;
SELECT g, count(*) AS n, sum(v) AS total FROM public.tallies GROUP BY g ORDER BY g;
DROP SCHEMA bob CASCADE;
-- Nor what a schema named after the owner holds: a writer's default search_path ("$user",
-- public) searches it first for the owner, whose rights the maintenance runs with, though not
-- for the writer. alice's stream table calls public.scaled(), whose body calls scale() by an
-- unqualified name: bob's alice.scale() is never called.
CREATE FUNCTION public.scale() RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN 1; END $$;
CREATE FUNCTION public.scaled(v bigint) RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN v * scale(); END $$;
SET ROLE alice;
SELECT pgtrickle.create_stream_table('alice_scaled', 'SELECT g, sum(public.scaled(v)) AS total FROM tallies GROUP BY g',
  refresh_mode => 'IMMEDIATE');
SET ROLE bob;
CREATE SCHEMA alice;
CREATE FUNCTION alice.scale() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN RAISE NOTICE 'bob''s scale ran as %', current_user; RETURN 1000; END $$;
GRANT USAGE ON SCHEMA alice TO alice;
INSERT INTO public.tallies VALUES (8, 1, 5);
INSERT INTO public.tallies VALUES (9, 2, 7);
RESET ROLE;
SELECT g, total FROM alice_scaled ORDER BY g;
SELECT g, sum(scaled(v)) AS total FROM tallies GROUP BY g ORDER BY g;
SELECT pgtrickle.drop_stream_table('alice_scaled');
DROP SCHEMA alice CASCADE;
DROP FUNCTION public.scaled(bigint), public.scale();
SELECT pgtrickle.drop_stream_table('alice_tallies');
DROP SCHEMA bobs CASCADE;
DROP TABLE tallies;
REVOKE CREATE ON DATABASE regression FROM bob;
DROP VIEW secret_view;
DROP TABLE secrets, public_data;
REVOKE CREATE ON SCHEMA public FROM alice, bob;
-- nothing of pg_trickle keeps the roles alive
DROP ROLE alice;
DROP ROLE bob;

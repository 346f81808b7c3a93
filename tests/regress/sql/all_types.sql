-- Every storable built-in type (and an enum, a domain, a composite and arrays) as a column of a
-- source and of stream tables in every mode: no write to the source fails because of a stream
-- table, and each stays equal to its query (rows compared as text: several types have no
-- equality). A type without a sample value here holds NULLs only.
SET client_min_messages = warning;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE DOMAIN doc AS json;
CREATE TYPE pair AS (a int, b text);
CREATE TABLE samples (type text PRIMARY KEY, value text NOT NULL);
INSERT INTO samples VALUES
  ('bool', 't'), ('int2', '2'), ('int4', '4'), ('int8', '8'), ('numeric', '1.50'), ('float4', '1.5'),
  ('float8', '2.25'), ('money', '3.10'), ('"char"', 'a'), ('bpchar', 'ab'), ('varchar', 'vc'), ('text', 'txt'),
  ('name', 'nm'), ('bytea', '\x0102'), ('bit', '1'), ('varbit', '101'), ('date', '2024-02-29'),
  ('time', '12:34:56'), ('timetz', '12:34:56+02'), ('timestamp', '2024-01-01 10:00'),
  ('timestamptz', '2024-01-01 10:00+00'), ('interval', '1 day 02:00'), ('uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
  ('json', '{"a": [1, 2]}'), ('jsonb', '{"a": [1, 2]}'), ('jsonpath', '$.a[*]'), ('xml', '<a>x</a>'),
  ('inet', '10.0.0.1/24'), ('cidr', '10.0.0.0/24'), ('macaddr', '08:00:2b:01:02:03'),
  ('macaddr8', '08:00:2b:01:02:03:04:05'), ('point', '(1,2)'), ('line', '{1,2,3}'), ('lseg', '[(0,0),(1,1)]'),
  ('box', '(1,1),(0,0)'), ('path', '[(0,0),(1,1)]'), ('polygon', '((0,0),(1,1),(1,0))'), ('circle', '<(0,0),1>'),
  ('int4range', '[1,5)'), ('int8range', '[1,5)'), ('numrange', '[1.5,2.5]'), ('daterange', '[2024-01-01,2024-02-01)'),
  ('tsrange', '[2024-01-01,2024-01-02)'), ('tstzrange', '[2024-01-01 00:00+00,2024-01-02 00:00+00)'),
  ('int4multirange', '{[1,3),[5,7)}'), ('int8multirange', '{[1,3)}'), ('nummultirange', '{[1.5,2)}'),
  ('datemultirange', '{[2024-01-01,2024-01-05)}'), ('tsmultirange', '{[2024-01-01,2024-01-02)}'),
  ('tstzmultirange', '{[2024-01-01 00:00+00,2024-01-02 00:00+00)}'), ('tsvector', 'a:1 b:2'), ('tsquery', 'a & b'),
  ('pg_lsn', '0/16B3748'), ('txid_snapshot', '10:20:10,14,15'), ('pg_snapshot', '10:20:10,14,15'), ('oid', '42'),
  ('regclass', 'pg_class'), ('regtype', 'integer'), ('regproc', 'now'), ('regprocedure', 'now()'),
  ('regoperator', '+(integer,integer)'), ('regnamespace', 'pg_catalog'), ('regconfig', 'english'),
  ('regdictionary', 'simple'), ('regcollation', '"C"'), ('tid', '(0,1)'), ('xid', '10'), ('xid8', '10'),
  ('cid', '1'), ('refcursor', 'c'), ('mood', 'ok'), ('posint', '7'), ('doc', '[1]'), ('pair', '(1,x)'),
  ('int4[]', '{1,2}'), ('text[]', '{a,NULL}'), ('numeric[]', '{1.0,2.50}'), ('json[]', '{"{}","[1]"}'),
  ('point[]', '{"(1,2)"}'), ('mood[]', '{sad,happy}');
-- Every base, range and multirange type of pg_catalog that is not internal to it, and ours.
CREATE VIEW column_types AS
  SELECT format_type(t.oid, NULL) AS type, s.value FROM pg_type t LEFT JOIN samples s ON s.type IN (t.typname, format_type(t.oid, NULL))
   WHERE t.typnamespace = 'pg_catalog'::regnamespace AND t.typtype IN ('b', 'r', 'm') AND t.typcategory <> 'A'
     AND t.typisdefined AND t.typname NOT IN ('unknown', 'gtsvector') AND t.typname NOT LIKE 'pg\_%'
  UNION ALL SELECT s.type, s.value FROM samples s WHERE s.type LIKE '%[]' OR s.type IN ('mood', 'posint', 'doc', 'pair');
SELECT count(*) > 70 AS many_types, count(*) FILTER (WHERE value IS NULL) AS without_sample FROM column_types;
DO $$
DECLARE cols text;
BEGIN
    SELECT string_agg(format('c%s %s', row_number, type), ', ') INTO cols
      FROM (SELECT type, row_number() OVER (ORDER BY type) FROM column_types) t;
    EXECUTE 'CREATE TABLE every_type (id int PRIMARY KEY, ' || cols || ')';
END $$;
-- A row of samples (`id`), or of NULLs.
CREATE FUNCTION sample_row(id int, nulls bool) RETURNS text LANGUAGE sql AS $$
    SELECT format('(%s, %s)', id, string_agg(CASE WHEN nulls OR value IS NULL THEN 'NULL' ELSE quote_literal(value) || '::' || type END,
                                             ', ' ORDER BY type))
      FROM column_types $$;
\i include/rounds.sql
DO $$ BEGIN EXECUTE 'INSERT INTO every_type VALUES ' || sample_row(1, false); END $$;

SELECT pgtrickle.create_stream_table('rows_differential', 'SELECT * FROM every_type', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('rows_immediate', 'SELECT * FROM every_type', schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('rows_auto', 'SELECT * FROM every_type');
SELECT pgtrickle.create_stream_table('rows_full', 'SELECT * FROM every_type', refresh_mode => 'FULL');
-- keyless: the rows without their key
DO $$
DECLARE cols text;
BEGIN
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols FROM pg_attribute
     WHERE attrelid = 'every_type'::regclass AND attnum > 1 AND NOT attisdropped;
    PERFORM pgtrickle.create_stream_table('bag_differential', 'SELECT ' || cols || ' FROM every_type', refresh_mode => 'DIFFERENTIAL');
    PERFORM pgtrickle.create_stream_table('bag_immediate', 'SELECT ' || cols || ' FROM every_type', schedule => NULL,
                                          refresh_mode => 'IMMEDIATE');
END $$;
SELECT pgt_name, refresh_mode FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
SELECT * FROM round_done();

-- multi-row INSERT, one-row UPDATE to NULLs, multi-row UPDATE, one-row DELETE, one-row INSERT,
-- multi-row DELETE
DO $$ BEGIN EXECUTE 'INSERT INTO every_type VALUES ' || sample_row(2, true) || ', ' || sample_row(3, false) || ', ' || sample_row(4, false); END $$;
SELECT * FROM round_done();
DO $$ BEGIN EXECUTE 'UPDATE every_type t SET (' || (SELECT string_agg('c' || g, ', ') FROM generate_series(1, (SELECT count(*) FROM column_types)) g)
  || ') = (SELECT ' || (SELECT string_agg('n.c' || g, ', ') FROM generate_series(1, (SELECT count(*) FROM column_types)) g)
  || ' FROM every_type n WHERE n.id = 2) WHERE t.id = 1'; END $$;
SELECT * FROM round_done();
DO $$ BEGIN EXECUTE 'UPDATE every_type t SET (' || (SELECT string_agg('c' || g, ', ') FROM generate_series(1, (SELECT count(*) FROM column_types)) g)
  || ') = (SELECT ' || (SELECT string_agg('n.c' || g, ', ') FROM generate_series(1, (SELECT count(*) FROM column_types)) g)
  || ' FROM every_type n WHERE n.id = 4) WHERE t.id IN (1, 2)'; END $$;
SELECT * FROM round_done();
DELETE FROM every_type WHERE id = 3;
DO $$ BEGIN EXECUTE 'INSERT INTO every_type VALUES ' || sample_row(5, false); END $$;
SELECT * FROM round_done();
DELETE FROM every_type WHERE id IN (1, 4);
SELECT * FROM round_done();
SELECT count(*) AS rows_left FROM every_type;

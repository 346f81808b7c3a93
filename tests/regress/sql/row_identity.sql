-- A stream table's rows are told apart by a 128-bit row identity (pg_trickle_row_id, a uuid):
-- two keys whose 64-bit pg_trickle_hash_multi is the same stay two rows in every strategy.
-- (The two strings below were found by a cycle search over xxh3-64 with pg_trickle's seed.)
SELECT pgtrickle.pg_trickle_hash_multi(ARRAY['a0c7461a9a143774'])
     = pgtrickle.pg_trickle_hash_multi(ARRAY['c181786084ec0ee9']) AS same_64_bit_hash,
       pgtrickle.pg_trickle_row_id(ARRAY['a0c7461a9a143774'])
     = pgtrickle.pg_trickle_row_id(ARRAY['c181786084ec0ee9']) AS same_row_id;
SELECT pgtrickle.pg_trickle_row_id(ARRAY['1']) AS one_element,
       pgtrickle.pg_trickle_row_id(ARRAY[]::text[]) AS empty,
       pgtrickle.pg_trickle_row_id(ARRAY[NULL]) AS null_element;
-- A one-column key's row id without the array is the same value.
SELECT pgtrickle.pg_trickle_row_id('1') = pgtrickle.pg_trickle_row_id(ARRAY['1'])
   AND pgtrickle.pg_trickle_row_id(NULL::text) = pgtrickle.pg_trickle_row_id(ARRAY[NULL])
   AND pgtrickle.pg_trickle_row_id('') = pgtrickle.pg_trickle_row_id(ARRAY[''])
   AND pgtrickle.pg_trickle_row_id('c181786084ec0ee9') = pgtrickle.pg_trickle_row_id(ARRAY['c181786084ec0ee9']) AS one_column_same;
-- pg_trickle_row_id_of hashes values as their text images: the same row id, whichever of the two
-- computed it (storage keeps the ids an earlier version computed from the images). Every int2,
-- int4 and int8 bound, NULLs, a varchar's trailing space, a uuid's image.
SELECT count(*) FILTER (WHERE pgtrickle.pg_trickle_row_id_of(a, b, c, t, u::text)
                              IS DISTINCT FROM pgtrickle.pg_trickle_row_id(ARRAY[a::text, b::text, c::text, t::text, u::text])) AS differ,
       count(*) FILTER (WHERE pgtrickle.pg_trickle_row_id_of(c) IS DISTINCT FROM pgtrickle.pg_trickle_row_id(c::text)) AS differ_alone,
       count(*) AS compared
FROM (VALUES (0::int2, 0, 0::int8, ''::varchar, NULL::uuid), ((-32768)::int2, (-2147483648)::int4, (-9223372036854775808)::int8, 'a '::varchar, gen_random_uuid()),
             (32767::int2, 2147483647, 9223372036854775807::int8, NULL, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid), (NULL, NULL, NULL, 'é', NULL)) v(a, b, c, t, u),
     generate_series(1, 3) g;
SELECT pgtrickle.pg_trickle_row_id_of(1.5);
SELECT pgtrickle.pg_trickle_row_id_of(gen_random_uuid());
SELECT pgtrickle.pg_trickle_row_id_of(VARIADIC ARRAY[1, 2]);

CREATE TABLE colliding (id int PRIMARY KEY, k text, v int);
INSERT INTO colliding VALUES (1, 'a0c7461a9a143774', 10);
SELECT pgtrickle.create_stream_table('by_key', 'SELECT k, count(*) AS n, sum(v) AS total FROM colliding GROUP BY k');
SELECT pgtrickle.create_stream_table('keys', 'SELECT DISTINCT k FROM colliding');
SELECT pgtrickle.create_stream_table('rows_by_k', 'SELECT k, v FROM colliding');
SELECT pgtrickle.create_stream_table('keyed', 'SELECT id, k FROM colliding');
SELECT pgtrickle.create_stream_table('by_key_now', 'SELECT k, count(*) AS n FROM colliding GROUP BY k',
                                     schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('by_key_full', 'SELECT k, count(*) AS n FROM colliding GROUP BY k',
                                     refresh_mode => 'FULL');
SELECT pgtrickle.create_stream_table('reads_full', 'SELECT k, n FROM by_key_full');
SELECT column_name, data_type FROM pgtrickle.list_auxiliary_columns('by_key') WHERE column_name = '__pgt_row_id';
-- Every stream table's rows, one row each.
CREATE VIEW contents AS
          SELECT 'by_key' AS st, k, format('n=%s total=%s', n, total) AS val FROM by_key
UNION ALL SELECT 'keys', k, '' FROM keys
UNION ALL SELECT 'rows_by_k', k, format('v=%s', v) FROM rows_by_k
UNION ALL SELECT 'keyed', k, format('id=%s', id) FROM keyed
UNION ALL SELECT 'by_key_now', k, format('n=%s', n) FROM by_key_now
UNION ALL SELECT 'reads_full', k, format('n=%s', n) FROM reads_full;
-- The colliding key arrives, and later the first one leaves.
INSERT INTO colliding VALUES (2, 'c181786084ec0ee9', 20), (3, 'c181786084ec0ee9', 30);
SELECT pgtrickle.refresh_stream_table(t) FROM unnest(ARRAY['by_key', 'keys', 'rows_by_k', 'keyed', 'by_key_full', 'reads_full']) t;
SELECT * FROM contents ORDER BY 1, 2, 3;
UPDATE colliding SET k = 'c181786084ec0ee9' WHERE id = 1;
DELETE FROM colliding WHERE id = 3;
SELECT pgtrickle.refresh_stream_table(t) FROM unnest(ARRAY['by_key', 'keys', 'rows_by_k', 'keyed', 'by_key_full', 'reads_full']) t;
SELECT * FROM contents ORDER BY 1, 2, 3;

-- Values of a collation other than their type's default — a source column declared with ICU's
-- "en-x-icu" (where 'a' sorts before 'B', unlike in "C"), or COLLATE in the query — keep it
-- wherever a refresh compares them: the change buffer's copy of the column, the hidden MIN/MAX
-- state, a TopK's sort keys, the stored output column. Each stream table stays equal to its
-- query through rounds of writes.
SET client_min_messages = warning;
\i include/rounds.sql
CREATE TABLE words (id int PRIMARY KEY, g int, w text COLLATE "en-x-icu");
INSERT INTO words VALUES (1, 1, 'a'), (2, 1, 'B'), (3, 2, 'b'), (4, 2, 'Z'), (5, 3, 'x');
CREATE TABLE plain_words (id int PRIMARY KEY, w text);
INSERT INTO plain_words VALUES (1, 'a'), (2, 'B'), (3, 'b'), (4, 'c'), (5, 'D');
SELECT 'a' < 'B' COLLATE "en-x-icu" AS icu_a_first, 'a' < 'B' COLLATE "C" AS c_a_first;
SELECT pgtrickle.create_stream_table('word_extremes', 'SELECT g, ascii(min(w)) AS lo, ascii(max(w)) AS hi, count(*) AS n
    FROM words GROUP BY g', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('word_extremes_now', 'SELECT g, ascii(min(w)) AS lo, ascii(max(w)) AS hi
    FROM words GROUP BY g', schedule => NULL, refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('first_words', 'SELECT id FROM words ORDER BY w, id LIMIT 2', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('word_ranks', 'SELECT id, rank() OVER (PARTITION BY g ORDER BY w) AS r FROM words',
    refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('overall_extreme', 'SELECT ascii(max(lo)) AS top FROM (SELECT g, min(w) AS lo FROM words GROUP BY g) s',
    refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('word_list', 'SELECT id, w FROM words', refresh_mode => 'AUTO');
SELECT pgtrickle.create_stream_table('word_groups', 'SELECT w, count(*) AS n, min(id) AS first FROM words GROUP BY w',
    refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('plain_first', 'SELECT id FROM plain_words ORDER BY w COLLATE "en-x-icu", id LIMIT 2',
    refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('plain_extremes', 'SELECT ascii(min(w COLLATE "en-x-icu")) AS lo,
    ascii(max(w COLLATE "en-x-icu")) AS hi, max(w) COLLATE "en-x-icu" AS top FROM plain_words', refresh_mode => 'DIFFERENTIAL');
SELECT pgtrickle.create_stream_table('plain_sorted', 'SELECT id, w COLLATE "en-x-icu" AS w FROM plain_words ORDER BY 2 DESC LIMIT 3',
    refresh_mode => 'DIFFERENTIAL');
SELECT pgt_name, refresh_mode, downgrade_reason FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
SELECT a.attname, a.attcollation::regcollation FROM pg_attribute a JOIN pgtrickle.pgt_change_tracking t
    ON a.attrelid = t.buffer_relid WHERE t.source_relid = 'words'::regclass AND a.attname = 'w';
SELECT attrelid::regclass, attname, attcollation::regcollation FROM pg_attribute
 WHERE attrelid IN ('word_list'::regclass, 'word_groups'::regclass, 'plain_sorted'::regclass) AND attname = 'w' ORDER BY 1;
SELECT * FROM round_done();
INSERT INTO words VALUES (6, 1, 'A'), (7, 2, 'c'), (8, 3, 'X');
INSERT INTO plain_words VALUES (6, 'A'), (7, 'z'), (8, 'C');
SELECT * FROM round_done();
UPDATE words SET w = upper(w) WHERE id IN (1, 3);
DELETE FROM words WHERE id = 4;
DELETE FROM plain_words WHERE id IN (1, 7);
UPDATE plain_words SET w = 'Zz' WHERE id = 5;
SELECT * FROM round_done();
UPDATE words SET w = lower(w) WHERE g = 3;
SELECT * FROM round_done();

-- DDL on sources: harmless changes pass (and capture follows the new columns); changes that
-- would break a stream table are refused with the reason; dropping a source puts its stream
-- tables in ERROR. Stream tables and change buffers are protected from direct DDL.
CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(8,2), note text);
INSERT INTO items VALUES (1, 'a', 1.00, 'x'), (2, 'b', 2.50, NULL);
SELECT pgtrickle.create_stream_table('priced', 'SELECT id, name, price FROM items WHERE price > 1');
SELECT id, name, price FROM priced ORDER BY id;

-- harmless: add a column, drop an unused one, add an index
ALTER TABLE items ADD COLUMN stock int DEFAULT 0;
ALTER TABLE items DROP COLUMN note;
CREATE INDEX ON items (name);
INSERT INTO items (id, name, price, stock) VALUES (3, 'c', 9.99, 5);
UPDATE items SET price = 0.50 WHERE id = 2;
SELECT pgtrickle.refresh_stream_table('priced');
SELECT id, name, price FROM priced ORDER BY id;
SELECT defining_query FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'priced';

-- breaking: drop, retype or rename a column the stream table reads, rename the table
-- (the defining query names it)
ALTER TABLE items DROP COLUMN price;
ALTER TABLE items ALTER COLUMN name TYPE int USING length(name);
ALTER TABLE items RENAME COLUMN name TO title;
ALTER TABLE items RENAME TO goods;
-- still intact
INSERT INTO items (id, name, price) VALUES (4, 'd', 4.00);
SELECT pgtrickle.refresh_stream_table('priced');
SELECT id, name, price FROM priced ORDER BY id;

-- a stream table's storage refuses DDL that changes its columns; a rename is followed
ALTER TABLE priced ADD COLUMN extra int;
ALTER TABLE priced RENAME TO priced_renamed;
SELECT pgt_name FROM pgtrickle.pgt_stream_tables;
ALTER TABLE priced_renamed RENAME TO priced;
-- change buffers cannot be altered or given triggers or indexes (their oid-based names stay out
-- of the output)
\set SHOW_CONTEXT never
DO $$ BEGIN EXECUTE 'ALTER TABLE pgtrickle_changes.changes_' || 'items'::regclass::oid || ' ADD COLUMN x int'; END $$;
DO $$ BEGIN EXECUTE 'CREATE TRIGGER t BEFORE INSERT ON pgtrickle_changes.changes_' || 'items'::regclass::oid ||
    ' FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()'; END $$;
DO $$ BEGIN EXECUTE 'CREATE INDEX ON pgtrickle_changes.changes_' || 'items'::regclass::oid || ' (__pgt_xid)'; END $$;

\set SHOW_CONTEXT errors
-- a source may not gain an inheritance child or parent, nor become a partition: its capture
-- would miss the writes that name the other table
CREATE TABLE parent_src (id int PRIMARY KEY, v int);
CREATE TABLE other_parent (id int NOT NULL, v int);
CREATE TABLE orphan (id int NOT NULL, v int);
CREATE TABLE ranges (id int NOT NULL, v int) PARTITION BY RANGE (id);
SELECT pgtrickle.create_stream_table('parent_st', 'SELECT id, v FROM parent_src');
CREATE TABLE child_src () INHERITS (parent_src);
ALTER TABLE orphan INHERIT parent_src;
ALTER TABLE parent_src INHERIT other_parent;
ALTER TABLE ranges ATTACH PARTITION parent_src FOR VALUES FROM (0) TO (100);
SELECT pgtrickle.drop_stream_table('parent_st');
CREATE TABLE child_src () INHERITS (parent_src);
DROP TABLE child_src, orphan, other_parent, ranges, parent_src;
-- dropping the source: the stream table shows ERROR and why
DROP TABLE items;
SELECT pgt_name, status, last_error_message FROM pgtrickle.pgt_stream_tables;
SELECT name, status FROM pgtrickle.pgt_status();
SELECT pgtrickle.refresh_stream_table('priced');
SELECT pgtrickle.drop_stream_table('priced');

-- dropping a stream table's storage with DROP TABLE removes the stream table
CREATE TABLE base (id int PRIMARY KEY, v int);
SELECT pgtrickle.create_stream_table('doomed', 'SELECT id, v FROM base');
DROP TABLE doomed;
SELECT count(*) AS stream_tables FROM pgtrickle.pgt_stream_tables;
SELECT count(*) AS buffers FROM pg_tables WHERE schemaname = 'pgtrickle_changes';
DROP TABLE base;

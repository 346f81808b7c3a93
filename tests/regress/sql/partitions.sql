-- A partitioned source is captured on every partition: statements that name a partition are
-- seen as well as those that name the partitioned table. Partitions created later are
-- captured; attaching, detaching or dropping one makes the readers recompute.
CREATE TABLE sales (id int, region text, amount int) PARTITION BY LIST (region);
CREATE TABLE sales_north PARTITION OF sales FOR VALUES IN ('north');
CREATE TABLE sales_south PARTITION OF sales FOR VALUES IN ('south') PARTITION BY RANGE (id);
CREATE TABLE sales_south_low PARTITION OF sales_south FOR VALUES FROM (0) TO (100);
CREATE TABLE sales_south_high PARTITION OF sales_south FOR VALUES FROM (100) TO (MAXVALUE);
INSERT INTO sales VALUES (1, 'north', 10), (2, 'south', 20), (150, 'south', 30);
SELECT pgtrickle.create_stream_table('per_region',
    'SELECT region, count(*) AS n, sum(amount) AS total FROM sales GROUP BY region', refresh_mode => 'DIFFERENTIAL');
CREATE VIEW per_region_now AS SELECT region, count(*) AS n, sum(amount) AS total FROM sales GROUP BY region;
CREATE FUNCTION check_per_region() RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN count(*) = 0 THEN 'equal' ELSE 'DIFFERENT' END FROM (
        (SELECT region, n, total FROM per_region EXCEPT ALL SELECT * FROM per_region_now)
        UNION ALL (SELECT * FROM per_region_now EXCEPT ALL SELECT region, n, total FROM per_region)) d
$$;
SELECT tgrelid::regclass AS captured_table, count(*) AS triggers FROM pg_trigger
WHERE tgname LIKE 'pg_trickle_cdc%' GROUP BY 1 ORDER BY 1;
-- writes naming partitions at every level, and one moving rows between partitions
INSERT INTO sales_north VALUES (3, 'north', 5);
INSERT INTO sales_south_high VALUES (200, 'south', 7);
UPDATE sales_south SET amount = amount * 2 WHERE id < 100;
UPDATE sales SET region = 'north' WHERE id = 150;
DELETE FROM sales_south_low WHERE id = 2;
COPY sales_north FROM stdin;
4	north	1
\.
SELECT pgtrickle.refresh_stream_table('per_region');
SELECT region, n, total FROM per_region ORDER BY region;
SELECT check_per_region();
SELECT action FROM pgtrickle.get_refresh_history('per_region', 1);
-- a new partition is captured from its creation on
CREATE TABLE sales_east PARTITION OF sales FOR VALUES IN ('east');
INSERT INTO sales_east VALUES (5, 'east', 100);
SELECT pgtrickle.refresh_stream_table('per_region');
SELECT check_per_region(), (SELECT action FROM pgtrickle.get_refresh_history('per_region', 1));
-- TRUNCATE of one partition
TRUNCATE sales_north;
SELECT pgtrickle.refresh_stream_table('per_region');
SELECT check_per_region(), (SELECT action FROM pgtrickle.get_refresh_history('per_region', 1));
-- attaching a table with rows, detaching one, dropping one: recomputed, not missed
CREATE TABLE sales_west (id int, region text, amount int);
INSERT INTO sales_west VALUES (6, 'west', 1000), (7, 'west', 2000);
ALTER TABLE sales ATTACH PARTITION sales_west FOR VALUES IN ('west');
SELECT pgtrickle.refresh_stream_table('per_region');
SELECT check_per_region(), (SELECT action FROM pgtrickle.get_refresh_history('per_region', 1));
ALTER TABLE sales DETACH PARTITION sales_east;
SELECT pgtrickle.refresh_stream_table('per_region');
SELECT check_per_region(), (SELECT action FROM pgtrickle.get_refresh_history('per_region', 1));
-- the detached table is no longer captured
SELECT count(*) AS triggers_on_detached FROM pg_trigger WHERE tgrelid = 'sales_east'::regclass;
INSERT INTO sales_east VALUES (8, 'east', 1);
SELECT pending_rows FROM pgtrickle.change_buffer_sizes();
DROP TABLE sales_south_high;
SELECT pgtrickle.refresh_stream_table('per_region');
SELECT check_per_region(), (SELECT action FROM pgtrickle.get_refresh_history('per_region', 1));
SELECT region, n, total FROM per_region ORDER BY region;
-- repair puts back a trigger missing on a partition
DROP TRIGGER pg_trickle_cdc_ins ON sales_north;
SELECT pgtrickle.repair_stream_table('per_region');
-- partitions themselves cannot be sources (rows written through the partitioned table would
-- be missed)
SELECT pgtrickle.create_stream_table('north_only', 'SELECT id FROM sales_north');
-- a foreign table cannot join a captured partition tree (its writes cannot be captured)
CREATE FOREIGN DATA WRAPPER no_fdw;
CREATE SERVER nowhere FOREIGN DATA WRAPPER no_fdw;
CREATE FOREIGN TABLE sales_remote PARTITION OF sales FOR VALUES IN ('remote') SERVER nowhere;
CREATE FOREIGN TABLE sales_remote (id int, region text, amount int) SERVER nowhere;
ALTER TABLE sales ATTACH PARTITION sales_remote FOR VALUES IN ('remote');
-- DDL elsewhere does not touch the partition trees (nor lock their partitions)
BEGIN;
CREATE TEMP TABLE scratch (x int);
SELECT count(*) AS locked_partitions FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
WHERE l.pid = pg_backend_pid() AND c.relname LIKE 'sales%';
COMMIT;
-- dropping the stream table takes the triggers off every partition
SELECT pgtrickle.drop_stream_table('per_region');
SELECT count(*) AS capture_triggers FROM pg_trigger WHERE tgname LIKE 'pg_trickle_cdc%';
DROP VIEW per_region_now;
DROP FUNCTION check_per_region();
DROP TABLE sales, sales_east, scratch;
DROP FOREIGN TABLE sales_remote;
DROP SERVER nowhere;
DROP FOREIGN DATA WRAPPER no_fdw;

-- A stream table can read another: its changes are captured from the upstream refresh.
CREATE TABLE sales (id int PRIMARY KEY, region text, amount int);
INSERT INTO sales VALUES (1, 'n', 10), (2, 'n', 20), (3, 's', 5);
SELECT pgtrickle.create_stream_table('by_region', 'SELECT region, sum(amount) AS total FROM sales GROUP BY region');
SELECT pgtrickle.create_stream_table('big_regions', 'SELECT region FROM by_region WHERE total > 10');
SELECT pgtrickle.create_stream_table('region_count', 'SELECT count(*) AS regions FROM big_regions');
SELECT source_table, source_type FROM pgtrickle.list_sources('big_regions');
INSERT INTO sales VALUES (4, 's', 50), (5, 'w', 1);
-- in dependency order
SELECT pgtrickle.refresh_stream_table('by_region');
SELECT pgtrickle.refresh_stream_table('big_regions');
SELECT pgtrickle.refresh_stream_table('region_count');
SELECT region FROM big_regions ORDER BY 1;
SELECT regions FROM region_count;
DELETE FROM sales WHERE region = 'n';
SELECT pgtrickle.refresh_stream_table('by_region');
SELECT pgtrickle.refresh_stream_table('big_regions');
SELECT pgtrickle.refresh_stream_table('region_count');
SELECT region FROM big_regions ORDER BY 1;
SELECT regions FROM region_count;
-- cycles are refused, with the cycle named
SELECT pgtrickle.alter_stream_table('by_region', query => 'SELECT region, count(*) AS total FROM big_regions GROUP BY region');
-- pg_trickle.allow_circular admits monotone cycles only: the aggregate is named
SET pg_trickle.allow_circular = on;
SELECT pgtrickle.alter_stream_table('by_region', query => 'SELECT region, count(*) AS total FROM big_regions GROUP BY region');
RESET pg_trickle.allow_circular;
-- tiers: how closely the scheduler watches a stream table; 'auto' classifies it again
SELECT pgtrickle.alter_stream_table('big_regions', tier => 'Cold');
SELECT pgt_name, refresh_tier FROM pgtrickle.st_refresh_stats() ORDER BY 1;
-- the dependency tree and the DAG show a cycle (once round it), refresh groups and tiers
CREATE TABLE edges (src int NOT NULL, dst int NOT NULL);
INSERT INTO edges VALUES (1, 2), (2, 3), (3, 1);
SELECT pgtrickle.create_stream_table('reach', 'SELECT src, dst FROM edges', schedule => '1h');
SELECT pgtrickle.create_stream_table('reach_step', 'SELECT DISTINCT r.src, e.dst FROM reach r JOIN edges e ON e.src = r.dst', schedule => '1h');
SET pg_trickle.allow_circular = on;
SELECT pgtrickle.alter_stream_table('reach', query => 'SELECT src, dst FROM edges UNION SELECT src, dst FROM reach_step');
RESET pg_trickle.allow_circular;
SELECT pgtrickle.create_refresh_group('pair', ARRAY['by_region', 'big_regions']);
SELECT tree_line FROM pgtrickle.dependency_tree();
SELECT pgtrickle.explain_dag();
SELECT pgtrickle.drop_refresh_group('pair');
SELECT pgtrickle.drop_stream_table('reach', cascade => true);
SELECT pgtrickle.alter_stream_table('big_regions', tier => 'auto');
SELECT refresh_tier FROM pgtrickle.st_refresh_stats() WHERE pgt_name = 'big_regions';
SELECT pgtrickle.alter_stream_table('big_regions', tier => 'tepid');
-- an upstream stream table cannot be dropped while others read it, unless cascading
SELECT pgtrickle.drop_stream_table('by_region');
SELECT pgtrickle.drop_stream_table('by_region', cascade => true);
SELECT count(*) AS stream_tables FROM pgtrickle.pgt_stream_tables;
SELECT count(*) AS buffers FROM pg_tables WHERE schemaname = 'pgtrickle_changes';

-- The SQL block of upstream pg_trickle's README, verbatim: our API runs the seed's own example.
-- (Outputs that hold times or sizes are not pinned: \o sends them nowhere.)
SET client_min_messages = warning;
-- Create base tables
CREATE TABLE orders (
id INT PRIMARY KEY,
region TEXT,
amount NUMERIC
);
INSERT INTO orders VALUES
(1, 'US', 100), (2, 'EU', 200),
(3, 'US', 300), (4, 'APAC', 50);
-- Create a stream table — AUTO mode (default): DIFFERENTIAL when possible, FULL fallback.
-- Schedule defaults to 'calculated' (derived from consumer refresh cycles).
SELECT pgtrickle.create_stream_table(
'regional_totals',
'SELECT region, SUM(amount) AS total, COUNT(*) AS cnt
FROM orders GROUP BY region'
);
-- Explicit IMMEDIATE mode: updated within the same transaction as DML
SELECT pgtrickle.create_stream_table(
'regional_totals_live',
'SELECT region, SUM(amount) AS total, COUNT(*) AS cnt
FROM orders GROUP BY region',
schedule => NULL,
refresh_mode => 'IMMEDIATE'
);
-- Explicit schedule and mode
SELECT pgtrickle.create_stream_table(
'hourly_totals',
'SELECT region, SUM(amount) AS total FROM orders GROUP BY region',
schedule => '@hourly',
refresh_mode => 'FULL'
);
-- Query the stream table like any regular table
SELECT * FROM regional_totals;
-- Manual refresh (scheduler also refreshes automatically)
SELECT pgtrickle.refresh_stream_table('regional_totals');
-- Change the defining query online (ALTER QUERY)
SELECT pgtrickle.alter_stream_table(
'regional_totals',
query => 'SELECT region, SUM(amount) AS total, COUNT(*) AS cnt
FROM orders WHERE active GROUP BY region'
);
\o /dev/null
-- Check status and overall health
SELECT * FROM pgtrickle.pgt_status();
SELECT * FROM pgtrickle.health_check(); -- OK/WARN/ERROR triage
-- View monitoring stats
SELECT * FROM pgtrickle.pg_stat_stream_tables;
SELECT * FROM pgtrickle.dependency_tree(); -- ASCII DAG view
SELECT * FROM pgtrickle.change_buffer_sizes(); -- CDC buffer health
\o
-- Drop when no longer needed
SELECT pgtrickle.drop_stream_table('regional_totals');
-- What the block left: the IMMEDIATE stream table follows a write in its transaction.
INSERT INTO orders VALUES (5, 'EU', 25);
SELECT region, total, cnt FROM regional_totals_live ORDER BY region;
SELECT pgt_name, refresh_mode, schedule FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;

-- Schedules and the monitoring surface (the scheduler is off in these suites: refreshes are
-- explicit, so every figure below is deterministic).
CREATE TABLE src (id int PRIMARY KEY, g int, v int);
INSERT INTO src SELECT i, i % 3, i FROM generate_series(1, 30) i;

-- schedule grammar: durations, bare seconds, cron (5 and 6 fields, aliases), calculated
SELECT pgtrickle.create_stream_table('s_dur', 'SELECT g, sum(v) AS s FROM src GROUP BY g', schedule => '1h30m');
SELECT pgtrickle.create_stream_table('s_bare', 'SELECT id FROM src WHERE v > 10', schedule => '90');
SELECT pgtrickle.create_stream_table('s_cron', 'SELECT count(*) AS n FROM src', schedule => '*/5 * * * *');
SELECT pgtrickle.create_stream_table('s_cron6', 'SELECT max(v) AS m FROM src', schedule => '30 0 12 * * mon-fri');
SELECT pgtrickle.create_stream_table('s_alias', 'SELECT min(v) AS m FROM src', schedule => '@hourly');
SELECT pgtrickle.create_stream_table('s_calc', 'SELECT g, s FROM s_dur WHERE s > 100', schedule => 'CALCULATED');
SELECT pgt_name, schedule FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
-- a calculated schedule takes the tightest of its readers, or the default without any
SELECT pgt_name, pgtrickle._effective_interval(pgt_id) FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
SELECT pgtrickle.alter_stream_table('s_dur', schedule => '2w');
SELECT pgtrickle.alter_stream_table('s_dur', schedule => '5m30s');
SELECT schedule FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 's_dur';
-- and its errors
SELECT pgtrickle.alter_stream_table('s_dur', schedule => '5m30');
SELECT pgtrickle.alter_stream_table('s_dur', schedule => '1y');
SELECT pgtrickle.alter_stream_table('s_dur', schedule => '@sometimes');
SELECT pgtrickle.alter_stream_table('s_dur', schedule => '0 0 32 * *');
SELECT pgtrickle.alter_stream_table('s_dur', schedule => '1 2 3 4 5 6 7');
SET pg_trickle.min_schedule_seconds = 60;
SELECT pgtrickle.alter_stream_table('s_dur', schedule => '30s');
RESET pg_trickle.min_schedule_seconds;

-- status, staleness and health after changes that are not yet applied
INSERT INTO src VALUES (100, 1, 100);
SELECT name, status, refresh_mode, is_populated, consecutive_errors, schedule, staleness > interval '0' AS behind
FROM pgtrickle.pgt_status();
SELECT stream_table, source_table, pending_rows FROM pgtrickle.change_buffer_sizes() ORDER BY 1;
SELECT pgtrickle.get_staleness('s_bare') > 0 AS behind;
SELECT pgtrickle.refresh_stream_table('s_dur');
SELECT pgtrickle.refresh_stream_table('s_calc');
SELECT pgtrickle.get_staleness('s_dur') AS staleness;
SELECT stream_table, pending_rows FROM pgtrickle.change_buffer_sizes() WHERE stream_table LIKE '%s_dur%';
SELECT check_name, severity, detail FROM pgtrickle.health_check() WHERE check_name <> 'scheduler_running';
SELECT total_stream_tables, active_count, error_count, suspended_count, stale_count, reinit_pending
FROM pgtrickle.health_summary();
SELECT total_stream_tables, error_tables, stale_tables FROM pgtrickle.quick_health;
-- pg_trickle.enabled = off (regression.conf): a scheduler may run, but it refreshes nothing
SELECT check_name, severity, detail FROM pgtrickle.health_check() WHERE check_name = 'scheduler_running';
SELECT scheduler_status FROM pgtrickle.health_summary();
SELECT scheduler_running, status FROM pgtrickle.quick_health;

-- history
SELECT stream_table, action, status FROM pgtrickle.refresh_timeline(3) ORDER BY stream_table;
SELECT action, status, rows_inserted, rows_deleted, error_message FROM pgtrickle.get_refresh_history('s_dur', 5);
SELECT pgt_name, total_refreshes, successful_refreshes, failed_refreshes, last_refresh_action, stale
FROM pgtrickle.st_refresh_stats() ORDER BY pgt_name;
SELECT pgt_name, total_refreshes, last_refresh_status, cdc_modes FROM pgtrickle.pg_stat_stream_tables ORDER BY 1;
SELECT pgt_name, stale FROM pgtrickle.stream_tables_info ORDER BY 1;

-- capture triggers, and their repair
SELECT source_table, trigger_name, trigger_type, present, enabled FROM pgtrickle.trigger_inventory();
ALTER TABLE src DISABLE TRIGGER pg_trickle_cdc_upd;
SELECT check_name, severity, detail FROM pgtrickle.health_check() WHERE check_name = 'capture_triggers';
SELECT trigger_name, enabled FROM pgtrickle.trigger_inventory() WHERE NOT enabled;
SELECT pgtrickle.repair_stream_table('s_bare');
SELECT count(*) AS disabled FROM pgtrickle.trigger_inventory() WHERE NOT enabled;
SELECT check_name, severity FROM pgtrickle.health_check() WHERE check_name = 'capture_triggers';

-- the dependency graph
SELECT pgtrickle.create_stream_table('d_left', 'SELECT g, s FROM s_dur', schedule => 'calculated');
SELECT pgtrickle.create_stream_table('d_right', 'SELECT g, s * 2 AS s FROM s_dur', schedule => 'calculated');
SELECT pgtrickle.create_stream_table('d_join', 'SELECT l.g, l.s + r.s AS t FROM d_left l JOIN d_right r USING (g)', schedule => '1m');
SELECT tree_line FROM pgtrickle.dependency_tree();
SELECT node, node_type, depth, status, refresh_mode FROM pgtrickle.dependency_tree() WHERE node_type = 'stream_table';
SELECT group_id, member_name, is_convergence, schedule_policy FROM pgtrickle.diamond_groups();
SELECT pgtrickle.explain_dag();
SELECT pgt_name, pgtrickle._effective_interval(pgt_id) FROM pgtrickle.pgt_stream_tables
WHERE pgt_name IN ('s_dur', 'd_left', 'd_right', 'd_join') ORDER BY 1;

SELECT pgtrickle.drop_stream_table('s_dur', cascade => true);
SELECT pgt_name FROM pgtrickle.pgt_stream_tables ORDER BY 1;

-- Whether logical decoding may load pg_trickle: output_plugin_libraries read as the server
-- splits it, a quoted name holding a comma being one library.
SET output_plugin_libraries = 'pgoutput', 'pg_trickle';
SELECT pgtrickle._wal_plugin_allowed();
SET output_plugin_libraries = 'pg_trickle,x', 'pgoutput';
SHOW output_plugin_libraries;
SELECT pgtrickle._wal_plugin_allowed();
RESET output_plugin_libraries;

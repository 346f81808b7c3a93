-- pg_trickle 0.1.0 → 0.2.0: stream tables survive pg_dump / pg_restore.
\echo Use "ALTER EXTENSION pg_trickle UPDATE TO '0.2.0'" to load this file. \quit

-- ---- definitions, for pg_dump ------------------------------------------------------------------
-- pgt_stream_tables refers to tables by oid, which a restore changes: pg_dump leaves its rows
-- out. This table holds what a stream table is, by name, and is dumped: after a restore,
-- pgtrickle.restore_stream_tables() makes the stream tables again from it (adopting the
-- storage tables pg_dump restored, with their indexes and grants).
CREATE TABLE pgtrickle.pgt_definitions (
    pgt_id                  bigint PRIMARY KEY,
    pgt_schema              text NOT NULL,
    pgt_name                text NOT NULL,
    defining_query          text NOT NULL,
    schedule                text,
    requested_mode          text NOT NULL,
    requested_cdc_mode      text,
    diamond_consistency     text NOT NULL,
    diamond_schedule_policy text NOT NULL,
    suspended               bool NOT NULL DEFAULT false,
    UNIQUE (pgt_schema, pgt_name)
);
GRANT SELECT ON pgtrickle.pgt_definitions TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('pgtrickle.pgt_definitions', '');
-- Restored stream tables keep their ids; new ones continue after them.
SELECT pg_catalog.pg_extension_config_dump('pgtrickle.pgt_stream_tables_pgt_id_seq', '');

INSERT INTO pgtrickle.pgt_definitions
SELECT pgt_id, pgt_schema, pgt_name, defining_query, schedule, requested_mode, requested_cdc_mode,
       diamond_consistency, diamond_schedule_policy, status = 'SUSPENDED'
FROM pgtrickle.pgt_stream_tables;

CREATE FUNCTION pgtrickle._mirror_definition() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM pgtrickle.pgt_definitions WHERE pgt_id = OLD.pgt_id;
        RETURN NULL;
    END IF;
    INSERT INTO pgtrickle.pgt_definitions AS d
    VALUES (NEW.pgt_id, NEW.pgt_schema, NEW.pgt_name, NEW.defining_query, NEW.schedule, NEW.requested_mode,
            NEW.requested_cdc_mode, NEW.diamond_consistency, NEW.diamond_schedule_policy, NEW.status = 'SUSPENDED')
    ON CONFLICT (pgt_id) DO UPDATE SET pgt_schema = EXCLUDED.pgt_schema, pgt_name = EXCLUDED.pgt_name,
        defining_query = EXCLUDED.defining_query, schedule = EXCLUDED.schedule,
        requested_mode = EXCLUDED.requested_mode, requested_cdc_mode = EXCLUDED.requested_cdc_mode,
        diamond_consistency = EXCLUDED.diamond_consistency, diamond_schedule_policy = EXCLUDED.diamond_schedule_policy,
        suspended = EXCLUDED.suspended;
    RETURN NULL;
END $$;

-- Only when a definitional column changes (a refresh updates the row, and must not pay for this).
CREATE TRIGGER pgt_mirror_insert_delete AFTER INSERT OR DELETE ON pgtrickle.pgt_stream_tables
    FOR EACH ROW EXECUTE FUNCTION pgtrickle._mirror_definition();
CREATE TRIGGER pgt_mirror_update AFTER UPDATE ON pgtrickle.pgt_stream_tables FOR EACH ROW
    WHEN ((OLD.pgt_schema, OLD.pgt_name, OLD.defining_query, OLD.schedule, OLD.requested_mode, OLD.requested_cdc_mode,
           OLD.diamond_consistency, OLD.diamond_schedule_policy, OLD.status = 'SUSPENDED')
          IS DISTINCT FROM
          (NEW.pgt_schema, NEW.pgt_name, NEW.defining_query, NEW.schedule, NEW.requested_mode, NEW.requested_cdc_mode,
           NEW.diamond_consistency, NEW.diamond_schedule_policy, NEW.status = 'SUSPENDED'))
    EXECUTE FUNCTION pgtrickle._mirror_definition();

-- After pg_restore (or psql of a plain dump): the stream tables whose definitions were restored
-- but which are not stream tables here yet, made again in creation order.
CREATE FUNCTION pgtrickle._restore_stream_tables() RETURNS text[]
LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_restore_stream_tables';
CREATE FUNCTION pgtrickle.restore_stream_tables()
RETURNS TABLE (stream_table text, action text, detail text) LANGUAGE sql AS $$
    SELECT a[i], a[i + 1], a[i + 2]
    FROM (SELECT pgtrickle._restore_stream_tables() AS a) s,
         generate_series(1, coalesce(array_length(a, 1), 0), 3) AS i
$$;

-- The versions of the loaded library and of the installed SQL objects.
CREATE FUNCTION pgtrickle.version() RETURNS TABLE (library text, extension text)
LANGUAGE sql STABLE AS $$
    SELECT pgtrickle._library_version(), extversion FROM pg_extension WHERE extname = 'pg_trickle'
$$;
CREATE FUNCTION pgtrickle._library_version() RETURNS text
LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_library_version';

-- health_check() gains restore_pending.
CREATE OR REPLACE FUNCTION pgtrickle.health_check()
RETURNS TABLE (check_name text, severity text, detail text)
LANGUAGE sql STABLE AS $$
    -- A scheduler runs on with pg_trickle.enabled = off, but refreshes nothing.
    SELECT 'scheduler_running',
           CASE WHEN NOT pgtrickle._scheduler_loaded() THEN 'ERROR'
                WHEN NOT current_setting('pg_trickle.enabled')::bool THEN 'WARN'
                WHEN pgtrickle._scheduler_running() THEN 'OK'
                ELSE 'ERROR' END,
           CASE WHEN NOT pgtrickle._scheduler_loaded() THEN 'pg_trickle is not in shared_preload_libraries: no scheduler'
                WHEN NOT current_setting('pg_trickle.enabled')::bool
                    THEN 'scheduler disabled (pg_trickle.enabled = off): stream tables are refreshed only by hand'
                WHEN pgtrickle._scheduler_running() THEN 'last tick ' || pgtrickle._scheduler_last_tick()::text
                ELSE 'no scheduler is running for this database' END
    UNION ALL
    SELECT 'error_tables', CASE WHEN count(*) = 0 THEN 'OK' ELSE 'ERROR' END,
           coalesce(string_agg(format('%I.%I: %s', pgt_schema, pgt_name, coalesce(last_error_message, 'error')), '; '),
                    'none')
    FROM pgtrickle.pgt_stream_tables WHERE status = 'ERROR'
    UNION ALL
    SELECT 'consecutive_errors', CASE WHEN count(*) = 0 THEN 'OK' ELSE 'WARN' END,
           coalesce(string_agg(format('%I.%I: %s failures (%s)%s', pgt_schema, pgt_name, consecutive_errors,
                                      status, coalesce(': ' || last_error_message, '')), '; '), 'none')
    FROM pgtrickle.pgt_stream_tables WHERE consecutive_errors > 0 OR status = 'SUSPENDED'
    UNION ALL
    SELECT 'stale_tables', CASE WHEN count(*) = 0 THEN 'OK' ELSE 'WARN' END,
           coalesce(string_agg(format('%I.%I', pgt_schema, pgt_name), ', '), 'none')
    FROM pgtrickle.pgt_stream_tables st WHERE pgtrickle._is_stale(st)
    UNION ALL
    SELECT 'needs_reinit', CASE WHEN count(*) = 0 THEN 'OK' ELSE 'WARN' END,
           coalesce(string_agg(format('%I.%I', pgt_schema, pgt_name), ', '), 'none')
    FROM pgtrickle.pgt_stream_tables WHERE needs_reinit
    UNION ALL
    SELECT 'capture_triggers', CASE WHEN count(*) = 0 THEN 'OK' ELSE 'ERROR' END,
           coalesce(string_agg(format('%s: %s %s', source_table, trigger_name,
                                      CASE WHEN present THEN 'disabled' ELSE 'missing' END), '; ')
                    || ' (changes are not captured; run pgtrickle.repair_stream_table())', 'none')
    FROM pgtrickle.trigger_inventory() WHERE NOT (present AND enabled)
    UNION ALL
    SELECT 'buffer_growth', CASE WHEN count(*) = 0 THEN 'OK' ELSE 'WARN' END,
           coalesce(string_agg(format('%s: %s pending for %s', source_table, pending_rows, stream_table), '; '), 'none')
    FROM pgtrickle.change_buffer_sizes() WHERE pending_rows > 10000
    UNION ALL
    -- WAL capture: the slot must exist, and hold back less than pg_trickle.wal_max_lag_mb (a
    -- warning at half of it; past it the scheduler puts the sources back on triggers).
    SELECT 'slot_lag',
           CASE WHEN count(*) = 0 THEN 'OK'
                WHEN bool_or(h.alert NOT IN ('slot_lag_warning', 'slot_not_created', 'wal_unavailable')) THEN 'ERROR'
                WHEN bool_or(h.alert IS NOT NULL) THEN 'WARN' ELSE 'OK' END,
           CASE WHEN count(*) = 0 THEN 'no WAL capture'
                WHEN pg_is_in_recovery() THEN 'standby: the primary captures from the WAL'
                ELSE string_agg(DISTINCT CASE WHEN h.cdc_mode = 'TRIGGER' THEN format('%s: %s', h.source_table, h.alert)
                                              ELSE format('%s: %s%s', h.slot_name,
                                                          coalesce(h.lag_bytes || ' bytes behind', 'no slot yet'),
                                                          coalesce(' (' || h.alert || ')', '')) END, '; ') END
    FROM pgtrickle.check_cdc_health() h WHERE h.cdc_mode <> 'TRIGGER' OR h.alert IS NOT NULL
    UNION ALL
    -- pg_restore brought stream tables' definitions back: restore_stream_tables() makes them.
    SELECT 'restore_pending', CASE WHEN count(*) = 0 THEN 'OK' ELSE 'WARN' END,
           CASE WHEN count(*) = 0 THEN 'none'
                ELSE count(*) || ' restored definitions wait for SELECT * FROM pgtrickle.restore_stream_tables(): '
                     || string_agg(format('%I.%I', d.pgt_schema, d.pgt_name), ', ' ORDER BY d.pgt_id) END
    FROM pgtrickle.pgt_definitions d
    WHERE NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_stream_tables s WHERE s.pgt_id = d.pgt_id)
$$;

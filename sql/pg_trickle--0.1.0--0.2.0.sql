-- pg_trickle 0.1.0 → 0.2.0: stream tables survive pg_dump / pg_restore.
\echo Use "ALTER EXTENSION pg_trickle UPDATE TO '0.2.0'" to load this file. \quit

-- The settings a stream table's query was defined under ('name=value': search_path, TimeZone,
-- DateStyle and the others that decide what a query means or returns): in force whichever
-- session maintains it later (a writer, the scheduler, a restore). NULL for stream tables made
-- before: the maintaining session's own, as in 0.1.0.
ALTER TABLE pgtrickle.pgt_stream_tables ADD COLUMN settings text[];
-- What an AUTO stream table's refreshes measured, from which each refresh chooses between
-- DIFFERENTIAL and FULL: {full refresh ms, then the decayed sums of a line fitted through its
-- differential refreshes' ms against change records: weight, Σx, Σy, Σx², Σxy, then 1 when the
-- last refresh was FULL}.
ALTER TABLE pgtrickle.pgt_stream_tables ADD COLUMN auto_costs float8[];
-- A FULL stream table holds no buffer trim back: a trim deleting rows it had not seen records
-- here that every row below this transaction id is gone (it then has changes pending).
ALTER TABLE pgtrickle.pgt_change_tracking ADD COLUMN trimmed_below xid8;
-- The SQLSTATE of a failed refresh beside its message (the scheduler records failures).
ALTER TABLE pgtrickle.pgt_refresh_history ADD COLUMN error_sqlstate text;
-- Why an AUTO stream table's refresh applied its changes or recomputed (its delta_row_count: the
-- change records it counted).
ALTER TABLE pgtrickle.pgt_refresh_history ADD COLUMN refresh_reason text;
-- Cycles of stream tables (pg_trickle.allow_circular): the strongly connected component a stream
-- table belongs to (NULL: none), and the rounds and time of the cycle's last fixed point.
ALTER TABLE pgtrickle.pgt_stream_tables ADD COLUMN scc_id int, ADD COLUMN last_fixpoint_iterations int,
    ADD COLUMN last_converged_at timestamptz;
-- How closely the scheduler watches a stream table for changes (alter_stream_table(tier => …));
-- NULL: by how long it has not changed (pgtrickle._tier).
ALTER TABLE pgtrickle.pgt_stream_tables ADD COLUMN refresh_tier text
    CHECK (refresh_tier IN ('hot', 'warm', 'cold', 'frozen'));
-- A stream table's tier: as set, else hot while it changed in the last 10 minutes (or was made
-- then), warm within the hour, cold within the day, frozen after. The scheduler looks for changes
-- of a warm one every 5 of its intervals, a cold one every 30, a frozen one every 60.
CREATE FUNCTION pgtrickle._tier(st pgtrickle.pgt_stream_tables) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(st.refresh_tier,
                    CASE WHEN now() - coalesce(st.data_timestamp, st.created_at) < interval '10 minutes' THEN 'hot'
                         WHEN now() - coalesce(st.data_timestamp, st.created_at) < interval '1 hour' THEN 'warm'
                         WHEN now() - coalesce(st.data_timestamp, st.created_at) < interval '1 day' THEN 'cold'
                         ELSE 'frozen' END)
$$;
CREATE OR REPLACE FUNCTION pgtrickle.st_refresh_stats()
RETURNS TABLE (pgt_name text, pgt_schema text, status text, refresh_mode text, is_populated bool,
               total_refreshes bigint, successful_refreshes bigint, failed_refreshes bigint,
               total_rows_inserted bigint, total_rows_deleted bigint, avg_duration_ms float8,
               last_refresh_action text, last_refresh_status text, last_refresh_at timestamptz,
               staleness_secs float8, stale bool, consecutive_errors int, schedule text, refresh_tier text,
               last_error_message text, downstream_publication text)
LANGUAGE sql STABLE AS $$
    SELECT st.pgt_name, st.pgt_schema, st.status, st.refresh_mode, st.is_populated,
           count(h.refresh_id), count(h.refresh_id) FILTER (WHERE h.status = 'COMPLETED'),
           count(h.refresh_id) FILTER (WHERE h.status = 'FAILED'),
           coalesce(sum(h.rows_inserted), 0)::bigint, coalesce(sum(h.rows_deleted), 0)::bigint,
           avg(extract(epoch FROM h.end_time - h.start_time) * 1000) FILTER (WHERE h.status = 'COMPLETED'),
           (array_agg(h.action ORDER BY h.refresh_id DESC))[1], (array_agg(h.status ORDER BY h.refresh_id DESC))[1],
           st.last_refresh_at, extract(epoch FROM pgtrickle._staleness(st))::float8, pgtrickle._is_stale(st),
           st.consecutive_errors, st.schedule, pgtrickle._tier(st), st.last_error_message, NULL::text
    FROM pgtrickle.pgt_stream_tables st LEFT JOIN pgtrickle.pgt_refresh_history h USING (pgt_id)
    GROUP BY st.pgt_id ORDER BY st.pgt_schema, st.pgt_name
$$;
-- The views of every column of pgt_stream_tables show it too.
DROP VIEW pgtrickle.stream_tables_info, pgtrickle.pg_stat_stream_tables;
CREATE VIEW pgtrickle.stream_tables_info AS
    SELECT st.*, pgtrickle._staleness(st) AS staleness, pgtrickle._is_stale(st) AS stale
    FROM pgtrickle.pgt_stream_tables st;
CREATE VIEW pgtrickle.pg_stat_stream_tables AS
    SELECT st.*, s.total_refreshes, s.successful_refreshes, s.failed_refreshes, s.total_rows_inserted,
           s.total_rows_deleted, s.avg_duration_ms, s.last_refresh_action, s.last_refresh_status,
           s.staleness_secs, s.stale,
           ARRAY(SELECT DISTINCT t.cdc_mode FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_change_tracking t
                 USING (source_relid) WHERE d.pgt_id = st.pgt_id ORDER BY 1) AS cdc_modes
    FROM pgtrickle.pgt_stream_tables st
    JOIN pgtrickle.st_refresh_stats() s ON s.pgt_name = st.pgt_name AND s.pgt_schema = st.pgt_schema;
GRANT SELECT ON pgtrickle.stream_tables_info, pgtrickle.pg_stat_stream_tables TO PUBLIC;

-- Each cycle of stream tables, its members, and the rounds its last refresh took to converge.
CREATE FUNCTION pgtrickle.pgt_scc_status()
RETURNS TABLE (scc_id int, member_count int, members text[], last_iterations int, last_converged_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT s.scc_id, count(*)::int, array_agg(format('%I.%I', s.pgt_schema, s.pgt_name) ORDER BY s.pgt_schema, s.pgt_name),
           max(s.last_fixpoint_iterations), max(s.last_converged_at)
    FROM pgtrickle.pgt_stream_tables s WHERE s.scc_id IS NOT NULL GROUP BY s.scc_id ORDER BY s.scc_id
$$;

-- Capture triggers fire ALWAYS: also for changes made with session_replication_role = replica
-- (which bulk loads and replication tools set to skip user triggers), which 0.1.0's did not
-- capture. A trigger is enabled for trigger_inventory() and health_check only so.
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT tgrelid::regclass::text AS tbl, tgname FROM pg_catalog.pg_trigger
             WHERE tgname IN ('pg_trickle_cdc_ins', 'pg_trickle_cdc_upd', 'pg_trickle_cdc_del', 'pg_trickle_cdc_trunc')
               AND tgenabled = 'O'
    LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', r.tbl, r.tgname);
    END LOOP;
END $$;
CREATE OR REPLACE FUNCTION pgtrickle.trigger_inventory()
RETURNS TABLE (source_table text, source_oid bigint, trigger_name text, trigger_type text, present bool,
               enabled bool)
LANGUAGE sql STABLE AS $$
    -- A source captured from the WAL has no capture triggers.
    SELECT t.source_relid::regclass::text, t.source_relid::bigint, e.name, e.kind, tg.oid IS NOT NULL,
           coalesce(tg.tgenabled = 'A', false)
    FROM pgtrickle.pgt_change_tracking t
    CROSS JOIN (VALUES ('pg_trickle_cdc_ins', 'DML'), ('pg_trickle_cdc_upd', 'DML'), ('pg_trickle_cdc_del', 'DML'),
                       ('pg_trickle_cdc_trunc', 'TRUNCATE')) e(name, kind)
    LEFT JOIN pg_trigger tg ON tg.tgrelid = t.source_relid AND tg.tgname = e.name
    WHERE t.cdc_mode <> 'WAL'
    ORDER BY 1, 3
$$;

-- Row ids hash some types differently from 0.2.0 on, so that equal values share one: intervals,
-- money, citext, arrays and ranges of numerics, floats or intervals. A DIFFERENTIAL stream table
-- storing such a column (a group's key, say) recomputes at its next refresh.
UPDATE pgtrickle.pgt_stream_tables st SET needs_reinit = true
WHERE st.refresh_mode = 'DIFFERENTIAL' AND EXISTS (
    SELECT 1 FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
    WHERE a.attrelid = st.pgt_relid AND a.attnum > 0 AND NOT a.attisdropped
      AND (t.typname IN ('interval', 'money', 'citext', 'numrange', 'nummultirange')
           OR e.typname IN ('numeric', 'float4', 'float8', 'interval')));

-- The row identity of storage made from 0.2.0 on: xxh3-128 of the row key's text images, as a
-- uuid (two rows sharing a 64-bit pg_trickle_hash_multi by chance would be merged into one).
-- Storage made before keeps its bigint identity.
CREATE FUNCTION pgtrickle.pg_trickle_row_id(inputs text[]) RETURNS uuid
LANGUAGE C IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'pg_trickle_row_id';
-- The same of a one-column key, without building an array: equal to the above of ARRAY[input]
-- (NULL included).
CREATE FUNCTION pgtrickle.pg_trickle_row_id(input text) RETURNS uuid
LANGUAGE C IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'pg_trickle_row_id_of_one';

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
    settings                text[],
    UNIQUE (pgt_schema, pgt_name)
);
GRANT SELECT ON pgtrickle.pgt_definitions TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('pgtrickle.pgt_definitions', '');
-- Restored stream tables keep their ids; new ones continue after them.
SELECT pg_catalog.pg_extension_config_dump('pgtrickle.pgt_stream_tables_pgt_id_seq', '');

INSERT INTO pgtrickle.pgt_definitions
SELECT pgt_id, pgt_schema, pgt_name, defining_query, schedule, requested_mode, requested_cdc_mode,
       diamond_consistency, diamond_schedule_policy, status = 'SUSPENDED', settings
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
            NEW.requested_cdc_mode, NEW.diamond_consistency, NEW.diamond_schedule_policy, NEW.status = 'SUSPENDED',
            NEW.settings)
    ON CONFLICT (pgt_id) DO UPDATE SET pgt_schema = EXCLUDED.pgt_schema, pgt_name = EXCLUDED.pgt_name,
        defining_query = EXCLUDED.defining_query, schedule = EXCLUDED.schedule,
        requested_mode = EXCLUDED.requested_mode, requested_cdc_mode = EXCLUDED.requested_cdc_mode,
        diamond_consistency = EXCLUDED.diamond_consistency, diamond_schedule_policy = EXCLUDED.diamond_schedule_policy,
        suspended = EXCLUDED.suspended, settings = EXCLUDED.settings;
    RETURN NULL;
END $$;

-- Only when a definitional column changes (a refresh updates the row, and must not pay for this:
-- the column list skips the trigger, WHEN clause unread, for an UPDATE that sets none of them).
CREATE TRIGGER pgt_mirror_insert_delete AFTER INSERT OR DELETE ON pgtrickle.pgt_stream_tables
    FOR EACH ROW EXECUTE FUNCTION pgtrickle._mirror_definition();
CREATE TRIGGER pgt_mirror_update
    AFTER UPDATE OF pgt_schema, pgt_name, defining_query, schedule, requested_mode, requested_cdc_mode,
                    diamond_consistency, diamond_schedule_policy, status, settings
    ON pgtrickle.pgt_stream_tables FOR EACH ROW
    WHEN ((OLD.pgt_schema, OLD.pgt_name, OLD.defining_query, OLD.schedule, OLD.requested_mode, OLD.requested_cdc_mode,
           OLD.diamond_consistency, OLD.diamond_schedule_policy, OLD.status = 'SUSPENDED', OLD.settings)
          IS DISTINCT FROM
          (NEW.pgt_schema, NEW.pgt_name, NEW.defining_query, NEW.schedule, NEW.requested_mode, NEW.requested_cdc_mode,
           NEW.diamond_consistency, NEW.diamond_schedule_policy, NEW.status = 'SUSPENDED', NEW.settings))
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

-- Definitions restored by pg_restore wake the database's scheduler, which restores them itself
-- once the restore is over (pg_trickle.auto_restore). ALWAYS: also under
-- session_replication_role = replica.
CREATE FUNCTION pgtrickle._definitions_arrived() RETURNS trigger
LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_definitions_arrived';
CREATE TRIGGER pgt_definitions_arrived AFTER INSERT ON pgtrickle.pgt_definitions
    FOR EACH STATEMENT EXECUTE FUNCTION pgtrickle._definitions_arrived();
ALTER TABLE pgtrickle.pgt_definitions ENABLE ALWAYS TRIGGER pgt_definitions_arrived;

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
    UNION ALL
    -- A logical replication apply worker fires no statement triggers: a source a subscription
    -- writes into is captured from the WAL or not at all.
    SELECT 'subscribed_sources', CASE WHEN count(*) = 0 THEN 'OK' ELSE 'WARN' END,
           CASE WHEN count(*) = 0 THEN 'none'
                ELSE string_agg(format('%s: written by subscription %I, whose changes triggers do not capture',
                                       t.source_relid::regclass, sub.subname), '; ' ORDER BY t.source_relid)
                     || ' (use cdc_mode => ''wal'')' END
    FROM pgtrickle.pgt_change_tracking t
    JOIN pg_catalog.pg_subscription_rel r ON r.srrelid = t.source_relid
    JOIN pg_catalog.pg_subscription sub ON sub.oid = r.srsubid
    WHERE t.cdc_mode <> 'WAL'
$$;

-- ---- metrics ------------------------------------------------------------------------------------
-- What pruned refresh history counted (pg_trickle.history_retention_days), so that the metrics'
-- counters never go down. Duration buckets: the upper bounds of pgtrickle.metrics()'s histogram.
CREATE TABLE pgtrickle.pgt_refresh_totals (
    pgt_id          bigint PRIMARY KEY REFERENCES pgtrickle.pgt_stream_tables ON DELETE CASCADE,
    completed       bigint NOT NULL DEFAULT 0,
    failed          bigint NOT NULL DEFAULT 0,
    rows_inserted   bigint NOT NULL DEFAULT 0,
    rows_deleted    bigint NOT NULL DEFAULT 0,
    seconds         numeric NOT NULL DEFAULT 0,
    buckets         bigint[] NOT NULL   -- completed refreshes per bucket of _duration_bounds()
);
GRANT SELECT ON pgtrickle.pgt_refresh_totals TO PUBLIC;

CREATE FUNCTION pgtrickle._duration_bounds() RETURNS float8[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60]::float8[] $$;

-- The bucket (1-based; one past the last bound for longer) of a duration in seconds.
CREATE FUNCTION pgtrickle._duration_bucket(seconds float8) RETURNS int LANGUAGE sql IMMUTABLE
AS $$ SELECT coalesce((SELECT min(i) FROM generate_subscripts(pgtrickle._duration_bounds(), 1) i
                       WHERE seconds <= (pgtrickle._duration_bounds())[i]),
                      array_length(pgtrickle._duration_bounds(), 1) + 1) $$;

CREATE FUNCTION pgtrickle._fold_pruned_history() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- (Rows deleted with their stream table are not kept: it is gone.)
    INSERT INTO pgtrickle.pgt_refresh_totals AS t (pgt_id, completed, failed, rows_inserted, rows_deleted, seconds, buckets)
    SELECT o.pgt_id, count(*) FILTER (WHERE o.status = 'COMPLETED'), count(*) FILTER (WHERE o.status = 'FAILED'),
           -- rows as metrics() counts them: those of finished refreshes
           coalesce(sum(o.rows_inserted) FILTER (WHERE o.status IN ('COMPLETED', 'FAILED')), 0),
           coalesce(sum(o.rows_deleted) FILTER (WHERE o.status IN ('COMPLETED', 'FAILED')), 0),
           coalesce(sum(extract(epoch FROM o.end_time - o.start_time)) FILTER (WHERE o.status = 'COMPLETED'), 0),
           ARRAY(SELECT count(*) FILTER (WHERE o2.status = 'COMPLETED'
                                          AND pgtrickle._duration_bucket(extract(epoch FROM o2.end_time - o2.start_time)) = b)
                 FROM generate_series(1, array_length(pgtrickle._duration_bounds(), 1) + 1) b
                 LEFT JOIN pruned o2 ON o2.pgt_id = o.pgt_id GROUP BY b ORDER BY b)
    FROM pruned o
    WHERE EXISTS (SELECT 1 FROM pgtrickle.pgt_stream_tables s WHERE s.pgt_id = o.pgt_id)
    GROUP BY o.pgt_id
    ON CONFLICT (pgt_id) DO UPDATE SET completed = t.completed + EXCLUDED.completed, failed = t.failed + EXCLUDED.failed,
        rows_inserted = t.rows_inserted + EXCLUDED.rows_inserted, rows_deleted = t.rows_deleted + EXCLUDED.rows_deleted,
        seconds = t.seconds + EXCLUDED.seconds,
        buckets = ARRAY(SELECT a + b FROM unnest(t.buckets, EXCLUDED.buckets) u(a, b));
    RETURN NULL;
END $$;
CREATE TRIGGER pgt_fold_pruned_history AFTER DELETE ON pgtrickle.pgt_refresh_history
    REFERENCING OLD TABLE AS pruned FOR EACH STATEMENT EXECUTE FUNCTION pgtrickle._fold_pruned_history();

-- A Prometheus label value: backslash, double quote and newline escaped.
CREATE FUNCTION pgtrickle._prom_label(v text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT replace(replace(replace(coalesce(v, ''), E'\\', E'\\\\'), '"', E'\\"'), E'\n', E'\\n') $$;

-- Every stream table's refresh counts, durations, rows, errors, status, staleness and pending
-- changes, the WAL capture slot's lag and the scheduler, in Prometheus' text exposition format.
CREATE FUNCTION pgtrickle.metrics() RETURNS text LANGUAGE sql STABLE AS $$
WITH st AS (
    SELECT s.*, format('stream_table="%s"', pgtrickle._prom_label(format('%I.%I', s.pgt_schema, s.pgt_name))) AS l,
           extract(epoch FROM pgtrickle._staleness(s)) AS staleness
    FROM pgtrickle.pgt_stream_tables s
), done AS (   -- finished refreshes, in the history and folded into the totals
    SELECT st.pgt_id, st.l,
           coalesce(t.completed, 0) + count(h.*) FILTER (WHERE h.status = 'COMPLETED') AS completed,
           coalesce(t.failed, 0) + count(h.*) FILTER (WHERE h.status = 'FAILED') AS failed,
           coalesce(t.rows_inserted, 0) + coalesce(sum(h.rows_inserted), 0) AS ins,
           coalesce(t.rows_deleted, 0) + coalesce(sum(h.rows_deleted), 0) AS del,
           coalesce(t.seconds, 0)
             + coalesce(sum(extract(epoch FROM h.end_time - h.start_time)) FILTER (WHERE h.status = 'COMPLETED'), 0) AS seconds
    FROM st LEFT JOIN pgtrickle.pgt_refresh_totals t ON t.pgt_id = st.pgt_id
    LEFT JOIN pgtrickle.pgt_refresh_history h ON h.pgt_id = st.pgt_id AND h.status IN ('COMPLETED', 'FAILED')
    GROUP BY st.pgt_id, st.l, t.completed, t.failed, t.rows_inserted, t.rows_deleted, t.seconds
), buckets AS (   -- cumulative counts per upper bound, as a histogram wants
    SELECT st.pgt_id, st.l, b.i, b.bound,
           sum(coalesce(t.buckets[b.i], 0) + (SELECT count(*) FROM pgtrickle.pgt_refresh_history h
                                              WHERE h.pgt_id = st.pgt_id AND h.status = 'COMPLETED'
                                                AND pgtrickle._duration_bucket(extract(epoch FROM h.end_time - h.start_time)) = b.i))
               OVER (PARTITION BY st.pgt_id ORDER BY b.i) AS n
    FROM st LEFT JOIN pgtrickle.pgt_refresh_totals t ON t.pgt_id = st.pgt_id
    CROSS JOIN LATERAL (SELECT i, (pgtrickle._duration_bounds())[i] AS bound
                        FROM generate_series(1, array_length(pgtrickle._duration_bounds(), 1) + 1) i) b
), lines(family, ord, line) AS (   -- ord: headers first, then samples in order
    SELECT 'a', '0', E'# HELP pgtrickle_refreshes_total Refreshes finished, by result.\n# TYPE pgtrickle_refreshes_total counter'
    UNION ALL SELECT 'a', '1', format('pgtrickle_refreshes_total{%s,result="completed"} %s', l, completed) FROM done
    UNION ALL SELECT 'a', '1', format('pgtrickle_refreshes_total{%s,result="failed"} %s', l, failed) FROM done
    UNION ALL SELECT 'b', '0', E'# HELP pgtrickle_refresh_duration_seconds Duration of completed refreshes.\n# TYPE pgtrickle_refresh_duration_seconds histogram'
    UNION ALL SELECT 'b', '1' || l || to_char(i, '000'), format('pgtrickle_refresh_duration_seconds_bucket{%s,le="%s"} %s', l,
                                    coalesce(bound::text, '+Inf'), n) FROM buckets
    UNION ALL SELECT 'b', '2', format('pgtrickle_refresh_duration_seconds_sum{%s} %s', l, seconds) FROM done
    UNION ALL SELECT 'b', '2', format('pgtrickle_refresh_duration_seconds_count{%s} %s', l, completed) FROM done
    UNION ALL SELECT 'c', '0', E'# HELP pgtrickle_refresh_rows_total Rows refreshes inserted into and deleted from stream tables.\n# TYPE pgtrickle_refresh_rows_total counter'
    UNION ALL SELECT 'c', '1', format('pgtrickle_refresh_rows_total{%s,op="inserted"} %s', l, ins) FROM done
    UNION ALL SELECT 'c', '1', format('pgtrickle_refresh_rows_total{%s,op="deleted"} %s', l, del) FROM done
    UNION ALL SELECT 'd', '0', E'# HELP pgtrickle_stream_table_info A stream table, its status and modes (value 1).\n# TYPE pgtrickle_stream_table_info gauge'
    UNION ALL SELECT 'd', '1', format('pgtrickle_stream_table_info{%s,status="%s",refresh_mode="%s"} 1', l, status, refresh_mode)
              FROM st
    UNION ALL SELECT 'e', '0', E'# HELP pgtrickle_consecutive_errors Refreshes failed in a row (suspended at pg_trickle.max_consecutive_errors).\n# TYPE pgtrickle_consecutive_errors gauge'
    UNION ALL SELECT 'e', '1', format('pgtrickle_consecutive_errors{%s} %s', l, consecutive_errors) FROM st
    UNION ALL SELECT 'f', '0', E'# HELP pgtrickle_staleness_seconds Age of the data of a stream table with pending changes (0 when none; absent before its first refresh).\n# TYPE pgtrickle_staleness_seconds gauge'
    UNION ALL SELECT 'f', '1', format('pgtrickle_staleness_seconds{%s} %s', l, staleness) FROM st WHERE staleness IS NOT NULL
    UNION ALL SELECT 'g', '0', E'# HELP pgtrickle_pending_changes Captured changes a stream table has not applied yet, per source.\n# TYPE pgtrickle_pending_changes gauge'
    UNION ALL SELECT 'g', '1', format('pgtrickle_pending_changes{stream_table="%s",source_table="%s"} %s',
                                    pgtrickle._prom_label(stream_table), pgtrickle._prom_label(source_table), pending_rows)
              FROM (SELECT b.stream_table, b.pending_rows,   -- schema-qualified, whatever the search_path
                           (SELECT format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c
                            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.source_oid) AS source_table
                    FROM pgtrickle.change_buffer_sizes() b) b
    UNION ALL SELECT 'h', '0', E'# HELP pgtrickle_wal_slot_lag_bytes WAL the capture slot holds back.\n# TYPE pgtrickle_wal_slot_lag_bytes gauge'
    UNION ALL SELECT DISTINCT 'h', '1', format('pgtrickle_wal_slot_lag_bytes{slot="%s"} %s', pgtrickle._prom_label(slot_name),
                                             retained_wal_bytes)
              FROM pgtrickle.slot_health() WHERE retained_wal_bytes IS NOT NULL
    UNION ALL SELECT 'i', '0', E'# HELP pgtrickle_scheduler_running Whether a scheduler serves this database.\n# TYPE pgtrickle_scheduler_running gauge'
    UNION ALL SELECT 'i', '1', format('pgtrickle_scheduler_running %s', CASE WHEN pgtrickle._scheduler_running() THEN 1 ELSE 0 END)
)
SELECT string_agg(line, E'\n' ORDER BY family, ord, line) || E'\n' FROM lines
$$;

-- IMMEDIATE maintenance remembers each stream table's catalog row per backend: a change of an
-- IMMEDIATE row (its mode, status, query, settings…) invalidates pgt_stream_tables' relcache
-- entry, which every backend hears before it next maintains (the stream table's lock takes in
-- invalidations), instead of every writing statement looking the row up. ALWAYS: also under
-- session_replication_role = replica. The column list names what it remembers (the columns
-- catalog/stream_table.cpp reads but AUTO's figures): a refresh that only moves the frontier
-- skips the trigger.
CREATE FUNCTION pgtrickle._immediate_row_changed() RETURNS trigger
LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_immediate_row_changed';
CREATE TRIGGER pgt_immediate_row_insert_delete AFTER INSERT OR DELETE ON pgtrickle.pgt_stream_tables
    FOR EACH ROW EXECUTE FUNCTION pgtrickle._immediate_row_changed();
CREATE TRIGGER pgt_immediate_row_update
    AFTER UPDATE OF pgt_relid, pgt_schema, pgt_name, defining_query, schedule, refresh_mode, requested_mode, status,
                    maintenance, is_populated, needs_reinit, consecutive_errors, generation, settings
    ON pgtrickle.pgt_stream_tables FOR EACH ROW
    WHEN (OLD.refresh_mode = 'IMMEDIATE' OR NEW.refresh_mode = 'IMMEDIATE')
    EXECUTE FUNCTION pgtrickle._immediate_row_changed();
ALTER TABLE pgtrickle.pgt_stream_tables ENABLE ALWAYS TRIGGER pgt_immediate_row_insert_delete;
ALTER TABLE pgtrickle.pgt_stream_tables ENABLE ALWAYS TRIGGER pgt_immediate_row_update;

-- Diamonds over any relation: a stream table reading one table (or stream table) through two
-- of its inputs. `epoch`: the oldest transaction of the group's frontier (the convergence
-- point's), which an atomic group's members share.
CREATE OR REPLACE FUNCTION pgtrickle.diamond_groups()
RETURNS TABLE (group_id int, member_name text, member_schema text, is_convergence bool, epoch bigint,
               schedule_policy text)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE reach(start_id, via, node) AS (   -- relation `node` is read by `start_id`, first through input `via`
        SELECT d.pgt_id, d.source_relid, d.source_relid FROM pgtrickle.pgt_dependencies d
        UNION
        SELECT r.start_id, r.via, d.source_relid
        FROM reach r JOIN pgtrickle.pgt_stream_tables u ON u.pgt_relid = r.node
        JOIN pgtrickle.pgt_dependencies d ON d.pgt_id = u.pgt_id
    ), convergence AS (   -- (not a member of a cycle, which reads everything through the others)
        SELECT DISTINCT a.start_id AS id FROM reach a JOIN reach b
        ON a.start_id = b.start_id AND a.node = b.node AND a.via < b.via
        JOIN pgtrickle.pgt_stream_tables c ON c.pgt_id = a.start_id AND c.scc_id IS NULL
    ), members AS (
        SELECT c.id AS grp, c.id AS member, true AS is_conv FROM convergence c
        UNION
        SELECT c.id, u.pgt_id, false FROM convergence c JOIN reach r ON r.start_id = c.id
        JOIN pgtrickle.pgt_stream_tables u ON u.pgt_relid = r.node
    )
    SELECT dense_rank() OVER (ORDER BY m.grp)::int, st.pgt_name, st.pgt_schema, m.is_conv,
           (SELECT pg_snapshot_xmin(c.frontier_snapshot)::text::bigint FROM pgtrickle.pgt_stream_tables c WHERE c.pgt_id = m.grp),
           (SELECT c.diamond_schedule_policy FROM pgtrickle.pgt_stream_tables c WHERE c.pgt_id = m.grp)
    FROM members m JOIN pgtrickle.pgt_stream_tables st ON st.pgt_id = m.member
    ORDER BY 1, 4 DESC, 3, 2
$$;

-- ---- refresh groups ------------------------------------------------------------------------------
-- Stream tables that always refresh together, in one transaction to one snapshot (as an atomic
-- diamond's members do). Members by id, which a restore keeps: the table is dumped, and members
-- dropped since are left out when it is read.
CREATE TABLE pgtrickle.pgt_refresh_groups (
    group_name text PRIMARY KEY,
    members    bigint[] NOT NULL,
    isolation  text NOT NULL DEFAULT 'read_committed' CHECK (isolation IN ('read_committed', 'repeatable_read')),
    created_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT ON pgtrickle.pgt_refresh_groups TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('pgtrickle.pgt_refresh_groups', '');

CREATE FUNCTION pgtrickle.create_refresh_group(group_name text, members text[], isolation text DEFAULT 'read_committed')
RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_create_refresh_group';
CREATE FUNCTION pgtrickle.drop_refresh_group(group_name text)
RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_drop_refresh_group';

CREATE FUNCTION pgtrickle.refresh_groups()
RETURNS TABLE (group_name text, members text[], isolation text, created_at timestamptz, last_frontier_xmin bigint)
LANGUAGE sql STABLE AS $$
    SELECT g.group_name,
           ARRAY(SELECT s.pgt_schema || '.' || s.pgt_name FROM pgtrickle.pgt_stream_tables s
                 WHERE s.pgt_id = ANY (g.members) ORDER BY 1),
           g.isolation, g.created_at,
           (SELECT min(pg_snapshot_xmin(s.frontier_snapshot)::text::bigint) FROM pgtrickle.pgt_stream_tables s
            WHERE s.pgt_id = ANY (g.members))
    FROM pgtrickle.pgt_refresh_groups g ORDER BY 1
$$;

-- The dependency graph as Mermaid text (a flowchart, sources on top): each stream table with
-- its refresh mode, status and schedule (a class per status), its tier when not hot and its
-- refresh groups, each other source, an edge per dependency, and a subgraph per diamond group
-- (atomic or not) and per cycle.
CREATE FUNCTION pgtrickle.explain_dag() RETURNS text
LANGUAGE sql STABLE AS $$
    WITH sts AS (
        SELECT s.pgt_id, s.pgt_relid, s.pgt_schema, s.pgt_name, s.refresh_mode, s.status,
               CASE WHEN s.refresh_mode = 'IMMEDIATE' THEN 'no schedule' ELSE coalesce(s.schedule, 'calculated') END AS schedule,
               s.diamond_consistency,
               concat(CASE WHEN s.refresh_mode <> 'IMMEDIATE' AND pgtrickle._tier(s) <> 'hot' THEN ' · ' || pgtrickle._tier(s) END,
                      (SELECT ' · group ' || string_agg(g.group_name, ', ' ORDER BY g.group_name)
                       FROM pgtrickle.pgt_refresh_groups g WHERE s.pgt_id = ANY (g.members))) AS notes
        FROM pgtrickle.pgt_stream_tables s
    ), other AS (
        SELECT DISTINCT d.source_relid AS relid FROM pgtrickle.pgt_dependencies d
        WHERE NOT EXISTS (SELECT FROM sts WHERE sts.pgt_relid = d.source_relid)
    ), node AS (   -- a Mermaid id for every relation in the graph (others numbered by name)
        SELECT pgt_relid AS relid, 'st' || pgt_id AS id FROM sts
        UNION ALL
        SELECT relid, 'rel' || row_number() OVER (ORDER BY relid::regclass::text) FROM other
    ), groups AS (
        SELECT g.group_id, g.member_schema, g.member_name, g.is_convergence, g.schedule_policy
        FROM pgtrickle.diamond_groups() g
    ), lines(section, sort_key, line) AS (
        SELECT 0, '', 'flowchart TD'
        UNION ALL
        SELECT 1, n.relid::regclass::text, format('    %s[("%s")]', n.id, n.relid::regclass) FROM node n WHERE n.id LIKE 'rel%'
        UNION ALL
        SELECT 2, format('%s.%s', s.pgt_schema, s.pgt_name),
               format('    st%s["%s.%s<br/>%s · %s · %s%s"]:::%s', s.pgt_id, s.pgt_schema, s.pgt_name, s.refresh_mode, s.schedule,
                      s.status, s.notes, lower(s.status))
        FROM sts s
        UNION ALL
        SELECT 3, format('%s %s', r.id, lpad(d.pgt_id::text, 12)), format('    %s --> st%s', r.id, d.pgt_id)
        FROM pgtrickle.pgt_dependencies d JOIN node r ON r.relid = d.source_relid
        UNION ALL
        SELECT 4, format('%s', g.group_id),
               format('    subgraph diamond_%s ["diamond %s: %s, %s"]', g.group_id, g.group_id,
                      CASE WHEN c.diamond_consistency = 'atomic' THEN 'atomic' ELSE 'not atomic' END, g.schedule_policy)
               || E'\n' || string_agg('        st' || m.pgt_id, E'\n' ORDER BY m.pgt_id) || E'\n    end'
        FROM groups g JOIN sts m ON m.pgt_schema = g.member_schema AND m.pgt_name = g.member_name
        JOIN groups gc ON gc.group_id = g.group_id AND gc.is_convergence
        JOIN sts c ON c.pgt_schema = gc.member_schema AND c.pgt_name = gc.member_name
        GROUP BY g.group_id, g.schedule_policy, c.diamond_consistency
        UNION ALL
        SELECT 4, format('cycle %s', c.scc_id),
               format('    subgraph cycle_%s ["cycle %s: fixed point in %s rounds"]', c.scc_id, c.scc_id,
                      coalesce(max(c.last_fixpoint_iterations)::text, 'no'))
               || E'\n' || string_agg('        st' || c.pgt_id, E'\n' ORDER BY c.pgt_id) || E'\n    end'
        FROM pgtrickle.pgt_stream_tables c WHERE c.scc_id IS NOT NULL GROUP BY c.scc_id
        UNION ALL
        SELECT 5, '', '    classDef active fill:#e6f4ea,stroke:#2e7d32;' || E'\n' ||
                      '    classDef error fill:#fdecea,stroke:#c62828;' || E'\n' ||
                      '    classDef suspended fill:#fff4e5,stroke:#ef6c00;' || E'\n' ||
                      '    classDef initializing fill:#e8eaf6,stroke:#3949ab;'
    )
    SELECT string_agg(line, E'\n' ORDER BY section, sort_key) FROM lines
$$;

-- ---- the dependency tree, with cycles, groups and tiers -----------------------------------------
-- Each stream table nobody outside its cycle reads is a root (one member, the first made, for a
-- cycle nobody else reads), below it what it reads. Tags after a stream table: its cycle, its
-- diamond and refresh groups, its tier when not hot; a member met again on the way down is
-- printed once more, tagged [cycle back], and not expanded.
DROP FUNCTION pgtrickle._tree_below(oid, text, text, int, bool);
CREATE FUNCTION pgtrickle._tree_below(relid oid, prefix text, child_prefix text, level int, path oid[], diamonds jsonb)
RETURNS TABLE (tree_line text, node text, node_type text, depth int, status text, refresh_mode text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    st pgtrickle.pgt_stream_tables;
    child record;
    name text;
    tags text;
    n int;
    i int := 0;
BEGIN
    SELECT * INTO st FROM pgtrickle.pgt_stream_tables s WHERE s.pgt_relid = relid;
    IF st.pgt_id IS NULL THEN
        RETURN QUERY SELECT prefix || relid::regclass::text || ' [src]', relid::regclass::text, 'source_table'::text,
                            level, NULL::text, NULL::text;
        RETURN;
    END IF;
    name := format('%I.%I', st.pgt_schema, st.pgt_name);
    IF relid = ANY (path) THEN
        RETURN QUERY SELECT prefix || name || ' [cycle back]', name, 'stream_table'::text, level, st.status, st.refresh_mode;
        RETURN;
    END IF;
    tags := concat_ws(' ',
        CASE WHEN st.scc_id IS NOT NULL THEN format('[cycle %s]', st.scc_id) END,
        (SELECT string_agg(format('[diamond %s]', d), ' ' ORDER BY d::int) FROM jsonb_array_elements_text(diamonds -> st.pgt_id::text) d),
        (SELECT string_agg(format('[group %s]', g.group_name), ' ' ORDER BY g.group_name)
         FROM pgtrickle.pgt_refresh_groups g WHERE st.pgt_id = ANY (g.members)),
        CASE WHEN st.refresh_mode <> 'IMMEDIATE' AND pgtrickle._tier(st) <> 'hot' THEN format('[%s]', pgtrickle._tier(st)) END);
    RETURN QUERY SELECT prefix || name || CASE WHEN tags = '' THEN '' ELSE ' ' || tags END, name,
                        'stream_table'::text, level, st.status, st.refresh_mode;
    SELECT count(*) INTO n FROM pgtrickle.pgt_dependencies d WHERE d.pgt_id = st.pgt_id;
    FOR child IN SELECT d.source_relid FROM pgtrickle.pgt_dependencies d WHERE d.pgt_id = st.pgt_id
                 ORDER BY d.source_relid::regclass::text
    LOOP
        i := i + 1;
        RETURN QUERY SELECT * FROM pgtrickle._tree_below(
            child.source_relid,
            child_prefix || CASE WHEN i = n THEN '└── ' ELSE '├── ' END,
            child_prefix || CASE WHEN i = n THEN '    ' ELSE '│   ' END,
            level + 1, path || relid, diamonds);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION pgtrickle.dependency_tree()
RETURNS TABLE (tree_line text, node text, node_type text, depth int, status text, refresh_mode text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    root record;
    diamonds jsonb;   -- the diamond groups of each stream table, by pgt_id
BEGIN
    SELECT coalesce(jsonb_object_agg(id, groups), '{}') INTO diamonds
    FROM (SELECT s.pgt_id::text AS id, jsonb_agg(DISTINCT g.group_id) AS groups
          FROM pgtrickle.diamond_groups() g
          JOIN pgtrickle.pgt_stream_tables s ON s.pgt_schema = g.member_schema AND s.pgt_name = g.member_name
          GROUP BY s.pgt_id) x;
    FOR root IN
        SELECT st.pgt_relid FROM pgtrickle.pgt_stream_tables st
        WHERE NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables r ON r.pgt_id = d.pgt_id
                          WHERE d.source_relid = st.pgt_relid AND (st.scc_id IS NULL OR r.scc_id IS DISTINCT FROM st.scc_id))
          AND (st.scc_id IS NULL OR st.pgt_id = (SELECT min(m.pgt_id) FROM pgtrickle.pgt_stream_tables m WHERE m.scc_id = st.scc_id))
        ORDER BY st.pgt_schema, st.pgt_name
    LOOP
        RETURN QUERY SELECT * FROM pgtrickle._tree_below(root.pgt_relid, '', '', 0, ARRAY[]::oid[], diamonds);
    END LOOP;
END
$$;

-- ---- watermarks ----------------------------------------------------------------------------------
-- How far loaders say each source is loaded (advance_watermark: never back), and groups of
-- sources that must be loaded to within a tolerance of each other before a stream table reading
-- two or more of them refreshes. By oid: not dumped (a restore changes oids; loaders advance
-- again, and groups are made again).
CREATE TABLE pgtrickle.pgt_watermarks (
    source_relid oid PRIMARY KEY,
    watermark    timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE pgtrickle.pgt_watermark_groups (
    group_name text PRIMARY KEY,
    sources    oid[] NOT NULL,
    tolerance  interval NOT NULL DEFAULT '0',
    created_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT ON pgtrickle.pgt_watermarks, pgtrickle.pgt_watermark_groups TO PUBLIC;

CREATE FUNCTION pgtrickle._advance_watermark(source text, watermark text)
RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_advance_watermark';
CREATE FUNCTION pgtrickle.advance_watermark(source text, watermark timestamptz)
RETURNS void LANGUAGE sql AS $$ SELECT pgtrickle._advance_watermark(source, watermark::text) $$;
CREATE FUNCTION pgtrickle._create_watermark_group(group_name text, sources text[], tolerance text)
RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_create_watermark_group';
CREATE FUNCTION pgtrickle.create_watermark_group(group_name text, sources text[], tolerance interval DEFAULT '0')
RETURNS void LANGUAGE sql AS $$ SELECT pgtrickle._create_watermark_group(group_name, sources, tolerance::text) $$;
CREATE FUNCTION pgtrickle.drop_watermark_group(group_name text)
RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_drop_watermark_group';

CREATE FUNCTION pgtrickle.watermarks()
RETURNS TABLE (source text, watermark timestamptz, updated_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT w.source_relid::regclass::text, w.watermark, w.updated_at FROM pgtrickle.pgt_watermarks w
    WHERE EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = w.source_relid) ORDER BY 1
$$;

CREATE FUNCTION pgtrickle.watermark_groups()
RETURNS TABLE (group_name text, sources text[], tolerance interval, created_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT g.group_name, ARRAY(SELECT s::regclass::text FROM unnest(g.sources) s
                               WHERE EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = s) ORDER BY 1),
           g.tolerance, g.created_at
    FROM pgtrickle.pgt_watermark_groups g ORDER BY 1
$$;

-- Each group: its sources' oldest and newest watermarks, whether they are aligned (all set, and
-- within the tolerance), and the stream tables it holds back while they are not.
CREATE FUNCTION pgtrickle._watermark_alignment()
RETURNS TABLE (group_name text, min_watermark timestamptz, max_watermark timestamptz, missing int, aligned bool)
LANGUAGE sql STABLE AS $$
    SELECT g.group_name, min(w.watermark), max(w.watermark), count(*) FILTER (WHERE w.watermark IS NULL)::int,
           count(*) FILTER (WHERE w.watermark IS NULL) = 0 AND max(w.watermark) - min(w.watermark) <= g.tolerance
    FROM pgtrickle.pgt_watermark_groups g CROSS JOIN LATERAL unnest(g.sources) s
    LEFT JOIN pgtrickle.pgt_watermarks w ON w.source_relid = s
    WHERE EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = s)
    GROUP BY g.group_name, g.tolerance
$$;

-- The stream tables a misaligned group holds back: those reading two or more of its sources,
-- directly or through stream tables.
CREATE FUNCTION pgtrickle._watermark_gated()
RETURNS TABLE (pgt_id bigint, group_name text)
LANGUAGE sql STABLE SET jit = off AS $$
    -- (From the sources of groups not aligned downstream: the scheduler asks at every tick, and
    -- a database without watermark groups must not pay for its whole graph. The recursion's
    -- estimates are high enough to start JIT compilation, which took half a second a tick.)
    WITH RECURSIVE unaligned AS (
        SELECT g.group_name, g.sources
        FROM pgtrickle.pgt_watermark_groups g JOIN pgtrickle._watermark_alignment() a USING (group_name)
        WHERE NOT a.aligned
    ), reads(pgt_id, relid) AS (   -- stream table pgt_id reads relid, directly or through others
        SELECT d.pgt_id, d.source_relid FROM pgtrickle.pgt_dependencies d
        WHERE d.source_relid IN (SELECT unnest(sources) FROM unaligned)
        UNION
        SELECT d.pgt_id, r.relid FROM reads r
        JOIN pgtrickle.pgt_stream_tables u ON u.pgt_id = r.pgt_id
        JOIN pgtrickle.pgt_dependencies d ON d.source_relid = u.pgt_relid
    )
    SELECT r.pgt_id, g.group_name FROM unaligned g JOIN reads r ON r.relid = ANY (g.sources)
    GROUP BY r.pgt_id, g.group_name HAVING count(DISTINCT r.relid) >= 2
$$;

CREATE FUNCTION pgtrickle.watermark_status()
RETURNS TABLE (group_name text, min_watermark timestamptz, max_watermark timestamptz, skew interval, tolerance interval,
               sources_without_watermark int, aligned bool, held_back text[])
LANGUAGE sql STABLE AS $$
    SELECT a.group_name, a.min_watermark, a.max_watermark, a.max_watermark - a.min_watermark, g.tolerance, a.missing, a.aligned,
           ARRAY(SELECT s.pgt_schema || '.' || s.pgt_name FROM pgtrickle._watermark_gated() x
                 JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE x.group_name = a.group_name ORDER BY 1)
    FROM pgtrickle._watermark_alignment() a JOIN pgtrickle.pgt_watermark_groups g USING (group_name) ORDER BY 1
$$;

-- auto_backoff: how many times a stream table's interval is stretched; pgt_status shows it.
CREATE FUNCTION pgtrickle._backoff_factor(pgt_id bigint) RETURNS bigint
LANGUAGE C STABLE STRICT AS 'MODULE_PATHNAME', 'pgt_backoff_factor';
CREATE OR REPLACE FUNCTION pgtrickle.pgt_status()
RETURNS TABLE (name text, status text, refresh_mode text, is_populated bool, consecutive_errors int,
               schedule text, data_timestamp timestamptz, staleness interval, scc_id int)
LANGUAGE sql STABLE AS $$
    SELECT format('%I.%I', pgt_schema, pgt_name), status, refresh_mode, is_populated, consecutive_errors,
           schedule || CASE WHEN b.factor > 1
                            THEN format(' (backed off ×%s: every %ss)', b.factor, pgtrickle._effective_interval(st.pgt_id))
                            ELSE '' END,
           data_timestamp, pgtrickle._staleness(st), st.scc_id
    FROM pgtrickle.pgt_stream_tables st CROSS JOIN LATERAL (SELECT pgtrickle._backoff_factor(st.pgt_id) AS factor) b
    ORDER BY pgt_schema, pgt_name
$$;

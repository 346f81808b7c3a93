-- pg_trickle 0.2.0 → 0.3.0: sources distributed by Citus.
\echo Use "ALTER EXTENSION pg_trickle UPDATE TO '0.3.0'" to load this file. \quit

-- A source that Citus distributes (hash-distributed or a reference table) is captured where
-- its shards are: statement triggers on every shard placement write its changes into a buffer
-- distributed like it (pgtrickle_dist.changes_<oid>, co-located, so that a shard and its
-- changes live, and move, together). Buffer rows carry no transaction id, which would mean
-- nothing off the node that wrote it: a refresh claims the unclaimed ones with the next batch
-- number (last_batch), and each reader applies the batches after its own (pgt_citus_frontiers).
CREATE TABLE pgtrickle.pgt_citus_sources (
    source_relid   oid PRIMARY KEY,
    buffer_relid   oid NOT NULL,
    placement      text NOT NULL CHECK (placement IN ('distributed', 'reference')),
    last_batch     bigint NOT NULL DEFAULT 0,
    trimmed_batch  bigint NOT NULL DEFAULT 0   -- rows of batches up to this one are deleted
);

-- The last batch of each Citus source a stream table has applied.
CREATE TABLE pgtrickle.pgt_citus_frontiers (
    pgt_id         bigint NOT NULL REFERENCES pgtrickle.pgt_stream_tables ON DELETE CASCADE,
    source_relid   oid NOT NULL,
    applied_batch  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (pgt_id, source_relid)
);

GRANT SELECT ON pgtrickle.pgt_citus_sources, pgtrickle.pgt_citus_frontiers TO PUBLIC;

-- Per Citus source and node holding its shards: the changes captured there that some reader has
-- not applied yet (claimed or not), and when the oldest of them was captured; a node that does
-- not answer is reported with its error. Nothing without Citus sources.
CREATE FUNCTION pgtrickle.citus_capture()
RETURNS TABLE (source regclass, node text, shards int, pending_rows bigint, oldest_pending timestamptz, reachable bool,
               error text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_citus_sources) THEN
        RETURN;
    END IF;
    -- (Run through EXECUTE: run_command_on_placements exists only where Citus is installed.)
    RETURN QUERY EXECUTE $q$
        SELECT s.source_relid::regclass, p.nodename || ':' || p.nodeport, count(*)::int,
               (sum(split_part(p.result, ',', 1)::bigint) FILTER (WHERE p.success))::bigint,
               min(nullif(split_part(p.result, ',', 2), '')::timestamptz) FILTER (WHERE p.success),
               bool_and(p.success), string_agg(DISTINCT p.result, '; ') FILTER (WHERE NOT p.success)
        FROM pgtrickle.pgt_citus_sources s
        CROSS JOIN LATERAL run_command_on_placements(s.buffer_relid::regclass,
            $c$SELECT count(*) || ',' || coalesce(min(__pgt_at)::text, '') FROM %s$c$) p
        GROUP BY 1, 2 ORDER BY 1::text, 2
    $q$;
END
$$;

-- pgt_status: per stream table reading Citus sources, each node's changes not yet applied
-- (how many, how old the oldest), or that it does not answer.
DROP FUNCTION pgtrickle.pgt_status();
CREATE FUNCTION pgtrickle.pgt_status()
RETURNS TABLE (name text, status text, refresh_mode text, is_populated bool, consecutive_errors int,
               schedule text, data_timestamp timestamptz, staleness interval, scc_id int, citus_capture text)
LANGUAGE sql STABLE AS $$
    WITH capture AS (SELECT * FROM pgtrickle.citus_capture())
    SELECT format('%I.%I', pgt_schema, pgt_name), status, refresh_mode, is_populated, consecutive_errors,
           schedule || CASE WHEN b.factor > 1
                            THEN format(' (backed off ×%s: every %ss)', b.factor, pgtrickle._effective_interval(st.pgt_id))
                            ELSE '' END,
           data_timestamp, pgtrickle._staleness(st), st.scc_id,
           (SELECT string_agg(format('%s: %s', c.node,
                                     CASE WHEN NOT c.reachable THEN 'unreachable'
                                          WHEN c.pending_rows = 0 THEN 'up to date'
                                          ELSE format('%s pending, %s behind', c.pending_rows,
                                                      date_trunc('second', now() - c.oldest_pending)) END),
                              ', ' ORDER BY c.node)
            FROM (SELECT c.node, sum(c.pending_rows) AS pending_rows, min(c.oldest_pending) AS oldest_pending,
                         bool_and(c.reachable) AS reachable
                  FROM capture c JOIN pgtrickle.pgt_dependencies d ON d.source_relid = c.source::oid
                  WHERE d.pgt_id = st.pgt_id GROUP BY c.node) c)
    FROM pgtrickle.pgt_stream_tables st CROSS JOIN LATERAL (SELECT pgtrickle._backoff_factor(st.pgt_id) AS factor) b
    ORDER BY pgt_schema, pgt_name
$$;

-- explain_st: each Citus source's capture on each node.
CREATE OR REPLACE FUNCTION pgtrickle.explain_st(name text, with_analyze bool DEFAULT false)
RETURNS TABLE (property text, value text) LANGUAGE sql AS $$
    SELECT a[i], a[i + 1]
    FROM (SELECT pgtrickle._explain_st(name, with_analyze) AS a) s,
         generate_series(1, coalesce(array_length(a, 1), 0), 2) AS i
    UNION ALL
    SELECT 'citus_capture', format('%s on %s (%s shards): %s', c.source, c.node, c.shards,
                                   CASE WHEN NOT c.reachable THEN 'unreachable: ' || c.error
                                        ELSE c.pending_rows || ' changes pending'
                                             || coalesce(', the oldest captured at ' || c.oldest_pending, '') END)
    FROM pgtrickle.citus_capture() c JOIN pgtrickle.pgt_dependencies d ON d.source_relid = c.source::oid
    WHERE d.pgt_id = (SELECT st.pgt_id FROM pgtrickle._find(name) st)
$$;

-- health_check: the capture of sources distributed by Citus (citus_capture).
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
    UNION ALL
    -- Sources distributed by Citus: every node holding their shards answers, and none keeps
    -- changes older than 5 minutes that some reader has not applied.
    SELECT 'citus_capture',
           CASE WHEN bool_or(NOT c.reachable) THEN 'ERROR'
                WHEN bool_or(c.oldest_pending < now() - interval '5 minutes') THEN 'WARN' ELSE 'OK' END,
           string_agg(format('%s on %s: %s', c.source, c.node,
                             CASE WHEN c.reachable THEN c.pending_rows || ' changes pending'
                                       || coalesce(' since ' || c.oldest_pending::text, '')
                                  ELSE 'unreachable (' || c.error || ')' END), '; ' ORDER BY c.source::text, c.node)
    FROM pgtrickle.citus_capture() c
    HAVING count(*) > 0
$$;

-- The two tables every refresh writes (its stream table's row, a history row) keep no CHECK
-- constraints: PostgreSQL parses and plans each CHECK expression of a table from its stored
-- text at every statement that writes the table, a fifth of a refresh that finds nothing to do.
-- Their values come from the extension's code alone, as in PostgreSQL's own catalogs, which
-- carry no CHECK constraints either; the rarely written tables keep theirs.
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conrelid::regclass AS tab, conname FROM pg_catalog.pg_constraint
             WHERE contype = 'c' AND conrelid IN ('pgtrickle.pgt_stream_tables'::regclass, 'pgtrickle.pgt_refresh_history'::regclass)
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.tab, c.conname);
    END LOOP;
END
$$;

-- Whether logical decoding may load pg_trickle, now read in C as the refresh path reads it:
-- output_plugin_libraries split as the server splits it (a quoted name may hold a comma).
-- (Reading the setting there needs no definer's rights.)
CREATE OR REPLACE FUNCTION pgtrickle._wal_plugin_allowed() RETURNS bool LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'pgt_wal_plugin_allowed';

-- Every refresh rewrites its stream table's catalog row (its frontier), a row of 1–2 kB. At the
-- default fillfactor a page is pruned only once less than a tenth of it is free, too little for
-- the next version: a quarter to a third of the updates left the page (a third with two rows on
-- a freshly compacted page; new index entries, a new page each while the free space map was
-- empty), and a stream table refreshed a thousand times a second grew the table by 60 MB a
-- minute until autovacuum came, its seq scans slower at each refresh. At 50, a page is pruned
-- while it still holds room for the next version: the updates stay on it (HOT), and the table
-- at its size.
ALTER TABLE pgtrickle.pgt_stream_tables SET (fillfactor = 50);

-- The row identity of values given as arguments: pg_trickle_row_id of their text images (an
-- integer's digits, a text's bytes), without making the images or an array of them. Loads
-- and refreshes use it where the catalog has it: a two-column key's text array cost 310 ns a
-- row.
CREATE FUNCTION pgtrickle.pg_trickle_row_id_of(VARIADIC "any") RETURNS uuid
LANGUAGE C IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'pg_trickle_row_id_of';

-- A refresh's history row no longer checks its stream table's row (the foreign key's check was
-- a statement of its own, and locked the catalog row the refresh had just updated: another WAL
-- record, at every refresh). The history is written only by refreshes of a stream table they
-- hold locked, so the row exists; a deleted stream table's history still goes with it, as the
-- key's ON DELETE CASCADE did (and, as it, not under session_replication_role = replica).
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conname FROM pg_catalog.pg_constraint
             WHERE contype = 'f' AND conrelid = 'pgtrickle.pgt_refresh_history'::regclass
               AND confrelid = 'pgtrickle.pgt_stream_tables'::regclass
    LOOP
        EXECUTE format('ALTER TABLE pgtrickle.pgt_refresh_history DROP CONSTRAINT %I', c.conname);
    END LOOP;
END
$$;
CREATE FUNCTION pgtrickle._drop_history() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM pgtrickle.pgt_refresh_history h USING dropped d WHERE h.pgt_id OPERATOR(pg_catalog.=) d.pgt_id;
    RETURN NULL;
END $$;
CREATE TRIGGER pgt_drop_history AFTER DELETE ON pgtrickle.pgt_stream_tables
    REFERENCING OLD TABLE AS dropped FOR EACH STATEMENT EXECUTE FUNCTION pgtrickle._drop_history();

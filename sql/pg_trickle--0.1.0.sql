-- pg_trickle 0.1.0: stream tables maintained incrementally.
\echo Use "CREATE EXTENSION pg_trickle" to load this file. \quit

-- Change buffers live in their own schema, closed to everyone but the extension owner.
CREATE SCHEMA pgtrickle_changes;
REVOKE ALL ON SCHEMA pgtrickle_changes FROM PUBLIC;
-- State a stream table keeps besides its storage (the whole ordered result behind a TopK),
-- in tables its owner owns: owners reach them, nobody else creates anything here.
CREATE SCHEMA pgtrickle_state;
REVOKE ALL ON SCHEMA pgtrickle_state FROM PUBLIC;
GRANT USAGE ON SCHEMA pgtrickle_state TO PUBLIC;

-- ---- catalog -----------------------------------------------------------------------------------

CREATE TABLE pgtrickle.pgt_stream_tables (
    pgt_id                  bigserial PRIMARY KEY,
    pgt_relid               oid NOT NULL UNIQUE,
    pgt_name                text NOT NULL,
    pgt_schema              text NOT NULL,
    defining_query          text NOT NULL,
    original_query          text,
    schedule                text,
    refresh_mode            text NOT NULL DEFAULT 'DIFFERENTIAL'
                            CHECK (refresh_mode IN ('FULL', 'DIFFERENTIAL', 'IMMEDIATE')),
    requested_mode          text NOT NULL DEFAULT 'AUTO'
                            CHECK (requested_mode IN ('AUTO', 'FULL', 'DIFFERENTIAL', 'IMMEDIATE')),
    effective_refresh_mode  text,
    downgrade_reason        text,
    maintenance             text CHECK (maintenance IN ('keyed', 'bag', 'aggregate', 'distinct')),
    status                  text NOT NULL DEFAULT 'INITIALIZING'
                            CHECK (status IN ('INITIALIZING', 'ACTIVE', 'SUSPENDED', 'ERROR')),
    is_populated            bool NOT NULL DEFAULT false,
    data_timestamp          timestamptz,
    last_refresh_at         timestamptz,
    -- The frontier: every change visible in this snapshot has been applied, and so have this
    -- transaction's own changes from statements numbered below frontier_stmt.
    frontier_snapshot       pg_snapshot,
    frontier_xid            xid8,
    frontier_stmt           bigint,
    consecutive_errors      int NOT NULL DEFAULT 0,
    needs_reinit            bool NOT NULL DEFAULT false,
    last_error_message      text,
    last_error_at           timestamptz,
    has_keyless_source      bool NOT NULL DEFAULT false,
    diamond_consistency     text NOT NULL DEFAULT 'atomic' CHECK (diamond_consistency IN ('none', 'atomic')),
    diamond_schedule_policy text NOT NULL DEFAULT 'fastest' CHECK (diamond_schedule_policy IN ('fastest', 'slowest')),
    auxiliary_columns       jsonb NOT NULL DEFAULT '[]',
    -- TopK (ORDER BY … LIMIT n OFFSET m): the rows kept, and their order.
    topk_limit              bigint,
    topk_offset             bigint,
    topk_order_by           text,
    requested_cdc_mode      text CHECK (requested_cdc_mode IN ('auto', 'trigger', 'wal')),
    generation              bigint NOT NULL DEFAULT 0,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (pgt_schema, pgt_name)
);

CREATE TABLE pgtrickle.pgt_dependencies (
    pgt_id        bigint NOT NULL REFERENCES pgtrickle.pgt_stream_tables ON DELETE CASCADE,
    source_relid  oid NOT NULL,
    source_type   text NOT NULL CHECK (source_type IN ('TABLE', 'STREAM_TABLE', 'VIEW', 'MATVIEW', 'FOREIGN_TABLE')),
    columns_used  text[],
    cdc_mode      text NOT NULL DEFAULT 'TRIGGER' CHECK (cdc_mode IN ('TRIGGER', 'TRANSITIONING', 'WAL')),
    PRIMARY KEY (pgt_id, source_relid)
);
CREATE INDEX ON pgtrickle.pgt_dependencies (source_relid);

-- One change buffer per captured source, shared by every stream table reading it. Changes
-- arrive from capture triggers or, for a source in WAL mode, from the database's logical
-- replication slot: transactions that commit after wal_from_lsn (and, after going back to
-- triggers, before wal_until_lsn).
CREATE TABLE pgtrickle.pgt_change_tracking (
    source_relid       oid PRIMARY KEY,
    buffer_relid       oid NOT NULL,
    captured_columns   text[] NOT NULL,
    cdc_mode           text NOT NULL DEFAULT 'TRIGGER' CHECK (cdc_mode IN ('TRIGGER', 'TRANSITIONING', 'WAL')),
    wal_from_lsn       pg_lsn,
    wal_until_lsn      pg_lsn,
    cdc_changed_at     timestamptz
);

-- The database's logical replication slot for WAL capture (at most one row): every change of
-- a transaction that committed before decoded_lsn is in the change buffers.
CREATE TABLE pgtrickle.pgt_wal_capture (
    slot_name          text PRIMARY KEY,
    decoded_lsn        pg_lsn NOT NULL,
    decoder_xid        xid8,          -- the transaction that decoded up to decoded_lsn
    decoded_next_xid   xid8,          -- the next transaction id then: later ones wrote after decoded_lsn
    decoded_at         timestamptz NOT NULL DEFAULT now(),
    created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pgtrickle.pgt_refresh_history (
    refresh_id        bigserial PRIMARY KEY,
    pgt_id            bigint NOT NULL REFERENCES pgtrickle.pgt_stream_tables ON DELETE CASCADE,
    data_timestamp    timestamptz NOT NULL,
    start_time        timestamptz NOT NULL,
    end_time          timestamptz,
    action            text NOT NULL CHECK (action IN ('NO_DATA', 'FULL', 'DIFFERENTIAL', 'REINITIALIZE', 'SKIP')),
    rows_inserted     bigint,
    rows_deleted      bigint,
    delta_row_count   bigint,
    was_full_fallback bool NOT NULL DEFAULT false,
    error_message     text,
    status            text NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED', 'SKIPPED')),
    initiated_by      text NOT NULL CHECK (initiated_by IN ('SCHEDULER', 'MANUAL', 'INITIAL', 'SELF_MONITOR'))
);
CREATE INDEX ON pgtrickle.pgt_refresh_history (pgt_id, start_time);

GRANT USAGE ON SCHEMA pgtrickle TO PUBLIC;
GRANT SELECT ON pgtrickle.pgt_stream_tables, pgtrickle.pgt_dependencies,
                pgtrickle.pgt_change_tracking, pgtrickle.pgt_refresh_history, pgtrickle.pgt_wal_capture TO PUBLIC;

-- ---- lifecycle (C) --------------------------------------------------------------------------------

CREATE FUNCTION pgtrickle.create_stream_table(
    name text, query text, schedule text DEFAULT 'calculated', refresh_mode text DEFAULT 'AUTO',
    initialize bool DEFAULT true, diamond_consistency text DEFAULT NULL, diamond_schedule_policy text DEFAULT NULL,
    cdc_mode text DEFAULT NULL, append_only bool DEFAULT false, pooler_compatibility_mode bool DEFAULT false,
    partition_by text DEFAULT NULL, max_differential_joins int DEFAULT NULL, max_delta_fraction float8 DEFAULT NULL,
    output_distribution_column text DEFAULT NULL, temporal bool DEFAULT false, storage_backend text DEFAULT NULL,
    sink text DEFAULT NULL, ducklake_sink_path text DEFAULT NULL, ducklake_sink_table_id bigint DEFAULT NULL)
RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_create_stream_table';

CREATE FUNCTION pgtrickle.create_stream_table_if_not_exists(
    name text, query text, schedule text DEFAULT 'calculated', refresh_mode text DEFAULT 'AUTO',
    initialize bool DEFAULT true, diamond_consistency text DEFAULT NULL, diamond_schedule_policy text DEFAULT NULL,
    cdc_mode text DEFAULT NULL, append_only bool DEFAULT false, pooler_compatibility_mode bool DEFAULT false,
    partition_by text DEFAULT NULL, max_differential_joins int DEFAULT NULL, max_delta_fraction float8 DEFAULT NULL,
    output_distribution_column text DEFAULT NULL, temporal bool DEFAULT false, storage_backend text DEFAULT NULL,
    sink text DEFAULT NULL, ducklake_sink_path text DEFAULT NULL, ducklake_sink_table_id bigint DEFAULT NULL)
RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_create_stream_table_if_not_exists';

CREATE FUNCTION pgtrickle.create_or_replace_stream_table(
    name text, query text, schedule text DEFAULT 'calculated', refresh_mode text DEFAULT 'AUTO',
    initialize bool DEFAULT true, diamond_consistency text DEFAULT NULL, diamond_schedule_policy text DEFAULT NULL,
    cdc_mode text DEFAULT NULL, append_only bool DEFAULT false, pooler_compatibility_mode bool DEFAULT false,
    partition_by text DEFAULT NULL, max_differential_joins int DEFAULT NULL, max_delta_fraction float8 DEFAULT NULL,
    output_distribution_column text DEFAULT NULL, temporal bool DEFAULT false, storage_backend text DEFAULT NULL)
RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_create_or_replace_stream_table';

CREATE FUNCTION pgtrickle.alter_stream_table(
    name text, query text DEFAULT NULL, schedule text DEFAULT NULL, refresh_mode text DEFAULT NULL,
    status text DEFAULT NULL, diamond_consistency text DEFAULT NULL, diamond_schedule_policy text DEFAULT NULL,
    cdc_mode text DEFAULT NULL, append_only bool DEFAULT NULL, pooler_compatibility_mode bool DEFAULT NULL,
    tier text DEFAULT NULL, fuse text DEFAULT NULL, fuse_ceiling bigint DEFAULT NULL, fuse_sensitivity int DEFAULT NULL,
    partition_by text DEFAULT NULL, max_differential_joins int DEFAULT NULL, max_delta_fraction float8 DEFAULT NULL,
    post_refresh_action text DEFAULT NULL, reindex_drift_threshold float8 DEFAULT NULL,
    sink text DEFAULT NULL, ducklake_sink_path text DEFAULT NULL, ducklake_sink_table_id bigint DEFAULT NULL)
RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_alter_stream_table';

CREATE FUNCTION pgtrickle.drop_stream_table(name text, cascade bool DEFAULT false)
RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_drop_stream_table';

CREATE FUNCTION pgtrickle.refresh_stream_table(name text)
RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_refresh_stream_table';

CREATE FUNCTION pgtrickle.resume_stream_table(name text)
RETURNS void LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_resume_stream_table';

CREATE FUNCTION pgtrickle.repair_stream_table(name text)
RETURNS text LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_repair_stream_table';

-- ---- inspection ---------------------------------------------------------------------------------

CREATE FUNCTION pgtrickle._explain_st(name text, with_analyze bool) RETURNS text[]
LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_explain_st';

CREATE FUNCTION pgtrickle.explain_st(name text, with_analyze bool DEFAULT false)
RETURNS TABLE (property text, value text) LANGUAGE sql AS $$
    SELECT a[i], a[i + 1]
    FROM (SELECT pgtrickle._explain_st(name, with_analyze) AS a) s,
         generate_series(1, coalesce(array_length(a, 1), 0), 2) AS i
$$;

CREATE FUNCTION pgtrickle._validate_query(query text) RETURNS text[]
LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_validate_query';

CREATE FUNCTION pgtrickle.validate_query(query text)
RETURNS TABLE (check_name text, result text, severity text) LANGUAGE sql AS $$
    SELECT a[i], a[i + 1], a[i + 2]
    FROM (SELECT pgtrickle._validate_query(query) AS a) s,
         generate_series(1, coalesce(array_length(a, 1), 0), 3) AS i
$$;

-- The stream table named `name`: 'schema.table' (split at the first dot) or a bare name in
-- the current schema, case-sensitive, as create_stream_table() was given it.
CREATE FUNCTION pgtrickle._find(name text) RETURNS pgtrickle.pgt_stream_tables
LANGUAGE plpgsql STABLE AS $$
DECLARE
    st pgtrickle.pgt_stream_tables;
    dot int := pg_catalog.strpos(name, '.');
BEGIN
    -- No SET search_path: a bare name means the caller's current schema.
    SELECT * INTO st FROM pgtrickle.pgt_stream_tables
    WHERE pgt_schema = CASE WHEN dot > 0 THEN pg_catalog.left(name, dot - 1) ELSE pg_catalog.current_schema() END
      AND pgt_name = CASE WHEN dot > 0 THEN pg_catalog.substr(name, dot + 1) ELSE name END;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'stream table not found: %', name USING ERRCODE = '42P01';
    END IF;
    RETURN st;
END
$$;

CREATE FUNCTION pgtrickle.explain_refresh_mode(name text)
RETURNS TABLE (configured_mode text, effective_mode text, downgrade_reason text) LANGUAGE sql STABLE AS $$
    SELECT st.requested_mode,
           CASE WHEN st.refresh_mode = 'IMMEDIATE' THEN NULL ELSE st.refresh_mode END,
           st.downgrade_reason
    FROM pgtrickle._find(name) st
$$;

CREATE FUNCTION pgtrickle.list_sources(name text)
RETURNS TABLE (source_table text, source_oid bigint, source_type text, cdc_mode text, columns_used text)
LANGUAGE sql STABLE AS $$
    SELECT d.source_relid::regclass::text, d.source_relid::bigint, d.source_type, coalesce(t.cdc_mode, d.cdc_mode),
           array_to_string(d.columns_used, ', ')
    FROM pgtrickle._find(name) st JOIN pgtrickle.pgt_dependencies d USING (pgt_id)
    LEFT JOIN pgtrickle.pgt_change_tracking t USING (source_relid)
    ORDER BY 1
$$;

CREATE FUNCTION pgtrickle.list_auxiliary_columns(name text)
RETURNS TABLE (column_name text, data_type text, purpose text) LANGUAGE sql STABLE AS $$
    SELECT c->>'name', c->>'type', c->>'purpose'
    FROM pgtrickle._find(name) st, jsonb_array_elements(st.auxiliary_columns) c
$$;

-- ---- status and monitoring --------------------------------------------------------------------

CREATE FUNCTION pgtrickle._pending_changes(pgt_id bigint) RETURNS bigint
LANGUAGE C STABLE STRICT AS 'MODULE_PATHNAME', 'pgt_pending_changes';
CREATE FUNCTION pgtrickle._buffer_pending_rows(pgt_id bigint, source_relid oid) RETURNS bigint
LANGUAGE C STABLE STRICT AS 'MODULE_PATHNAME', 'pgt_buffer_pending_rows';
CREATE FUNCTION pgtrickle._effective_interval(pgt_id bigint) RETURNS bigint
LANGUAGE C STABLE STRICT AS 'MODULE_PATHNAME', 'pgt_effective_interval';
CREATE FUNCTION pgtrickle._scheduler_running() RETURNS bool
LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'pgt_scheduler_running';
CREATE FUNCTION pgtrickle._scheduler_last_tick() RETURNS timestamptz
LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'pgt_scheduler_last_tick';
CREATE FUNCTION pgtrickle._scheduler_loaded() RETURNS bool
LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'pgt_scheduler_loaded';
CREATE FUNCTION pgtrickle._signal_launcher_rescan() RETURNS void
LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_signal_launcher_rescan';

-- Staleness: how far behind its sources a stream table is. A stream table with no pending
-- change is current (staleness 0), however long ago it last refreshed.
CREATE FUNCTION pgtrickle._staleness(st pgtrickle.pgt_stream_tables) RETURNS interval
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN st.data_timestamp IS NULL THEN NULL
                WHEN pgtrickle._pending_changes(st.pgt_id) = 0 THEN interval '0'
                ELSE now() - st.data_timestamp END
$$;

-- Stale: behind by more than twice its effective interval (NULL for cron schedules).
CREATE FUNCTION pgtrickle._is_stale(st pgtrickle.pgt_stream_tables) RETURNS bool
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN st.schedule IS NOT NULL AND (st.schedule LIKE '% %' OR st.schedule LIKE '@%') THEN NULL
                ELSE coalesce(extract(epoch FROM pgtrickle._staleness(st))
                              > 2 * pgtrickle._effective_interval(st.pgt_id), false) END
$$;

CREATE FUNCTION pgtrickle.pgt_status()
RETURNS TABLE (name text, status text, refresh_mode text, is_populated bool, consecutive_errors int,
               schedule text, data_timestamp timestamptz, staleness interval, scc_id int)
LANGUAGE sql STABLE AS $$
    SELECT format('%I.%I', pgt_schema, pgt_name), status, refresh_mode, is_populated, consecutive_errors,
           schedule, data_timestamp, pgtrickle._staleness(st), NULL::int
    FROM pgtrickle.pgt_stream_tables st ORDER BY pgt_schema, pgt_name
$$;

CREATE FUNCTION pgtrickle.get_staleness(name text) RETURNS float8
LANGUAGE sql STABLE AS $$
    SELECT extract(epoch FROM pgtrickle._staleness(st))::float8 FROM pgtrickle._find(name) st
$$;

CREATE FUNCTION pgtrickle.refresh_timeline(max_rows int DEFAULT 50)
RETURNS TABLE (start_time timestamptz, stream_table text, action text, status text, rows_inserted bigint,
               rows_deleted bigint, duration_ms float8, error_message text)
LANGUAGE sql STABLE AS $$
    SELECT h.start_time, format('%I.%I', st.pgt_schema, st.pgt_name), h.action, h.status, h.rows_inserted,
           h.rows_deleted, extract(epoch FROM h.end_time - h.start_time) * 1000, h.error_message
    FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables st USING (pgt_id)
    ORDER BY h.start_time DESC, h.refresh_id DESC LIMIT max_rows
$$;

CREATE FUNCTION pgtrickle.get_refresh_history(name text, max_rows int DEFAULT 20)
RETURNS TABLE (refresh_id bigint, data_timestamp timestamptz, start_time timestamptz, end_time timestamptz,
               action text, status text, rows_inserted bigint, rows_deleted bigint, duration_ms float8,
               error_message text)
LANGUAGE sql STABLE AS $$
    SELECT h.refresh_id, h.data_timestamp, h.start_time, h.end_time, h.action, h.status, h.rows_inserted,
           h.rows_deleted, extract(epoch FROM h.end_time - h.start_time) * 1000, h.error_message
    FROM pgtrickle._find(name) st JOIN pgtrickle.pgt_refresh_history h USING (pgt_id)
    ORDER BY h.start_time DESC, h.refresh_id DESC LIMIT max_rows
$$;

CREATE FUNCTION pgtrickle.st_refresh_stats()
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
           st.consecutive_errors, st.schedule, 'hot'::text, st.last_error_message, NULL::text
    FROM pgtrickle.pgt_stream_tables st LEFT JOIN pgtrickle.pgt_refresh_history h USING (pgt_id)
    GROUP BY st.pgt_id ORDER BY st.pgt_schema, st.pgt_name
$$;

-- Pending rows per (stream table, source) in the source's change buffer.
CREATE FUNCTION pgtrickle.change_buffer_sizes()
RETURNS TABLE (stream_table text, source_table text, source_oid bigint, cdc_mode text, pending_rows bigint,
               buffer_bytes bigint)
LANGUAGE sql STABLE AS $$
    SELECT format('%I.%I', st.pgt_schema, st.pgt_name), d.source_relid::regclass::text, d.source_relid::bigint,
           lower(t.cdc_mode), pgtrickle._buffer_pending_rows(st.pgt_id, d.source_relid),
           pg_total_relation_size(t.buffer_relid)
    FROM pgtrickle.pgt_stream_tables st
    JOIN pgtrickle.pgt_dependencies d USING (pgt_id)
    JOIN pgtrickle.pgt_change_tracking t USING (source_relid)
    ORDER BY st.pgt_schema, st.pgt_name, d.source_relid
$$;

CREATE FUNCTION pgtrickle.trigger_inventory()
RETURNS TABLE (source_table text, source_oid bigint, trigger_name text, trigger_type text, present bool,
               enabled bool)
LANGUAGE sql STABLE AS $$
    -- A source captured from the WAL has no capture triggers.
    SELECT t.source_relid::regclass::text, t.source_relid::bigint, e.name, e.kind, tg.oid IS NOT NULL,
           coalesce(tg.tgenabled <> 'D', false)
    FROM pgtrickle.pgt_change_tracking t
    CROSS JOIN (VALUES ('pg_trickle_cdc_ins', 'DML'), ('pg_trickle_cdc_upd', 'DML'), ('pg_trickle_cdc_del', 'DML'),
                       ('pg_trickle_cdc_trunc', 'TRUNCATE')) e(name, kind)
    LEFT JOIN pg_trigger tg ON tg.tgrelid = t.source_relid AND tg.tgname = e.name
    WHERE t.cdc_mode <> 'WAL'
    ORDER BY 1, 3
$$;

-- The dependency graph drawn as a tree: each stream table nobody reads is a root, below it what
-- it reads (stream tables expanded, base tables tagged [src]).
CREATE FUNCTION pgtrickle.dependency_tree()
RETURNS TABLE (tree_line text, node text, node_type text, depth int, status text, refresh_mode text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    root record;
BEGIN
    FOR root IN
        SELECT st.* FROM pgtrickle.pgt_stream_tables st
        WHERE NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d WHERE d.source_relid = st.pgt_relid)
        ORDER BY st.pgt_schema, st.pgt_name
    LOOP
        RETURN QUERY SELECT * FROM pgtrickle._tree_below(root.pgt_relid, '', '', 0, true);
    END LOOP;
END
$$;

CREATE FUNCTION pgtrickle._tree_below(relid oid, prefix text, child_prefix text, level int, is_root bool)
RETURNS TABLE (tree_line text, node text, node_type text, depth int, status text, refresh_mode text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    st pgtrickle.pgt_stream_tables;
    child record;
    n int;
    i int := 0;
BEGIN
    SELECT * INTO st FROM pgtrickle.pgt_stream_tables s WHERE s.pgt_relid = relid;
    IF st.pgt_id IS NULL THEN
        RETURN QUERY SELECT prefix || relid::regclass::text || ' [src]', relid::regclass::text, 'source_table'::text,
                            level, NULL::text, NULL::text;
        RETURN;
    END IF;
    RETURN QUERY SELECT prefix || format('%I.%I', st.pgt_schema, st.pgt_name), format('%I.%I', st.pgt_schema, st.pgt_name),
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
            level + 1, false);
    END LOOP;
END
$$;

-- Diamonds: a stream table reading two stream tables that share an upstream stream table. Each
-- group is the convergence point and the stream tables between it and the shared ancestor; the
-- scheduler refreshes a group's members before its convergence point in the same tick.
CREATE FUNCTION pgtrickle.diamond_groups()
RETURNS TABLE (group_id int, member_name text, member_schema text, is_convergence bool, epoch bigint,
               schedule_policy text)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE edges AS (
        SELECT d.pgt_id AS reader, u.pgt_id AS upstream
        FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables u ON u.pgt_relid = d.source_relid
    ), reach(start_id, via, node) AS (   -- node is upstream of `start_id`, first reached through `via`
        SELECT reader, upstream, upstream FROM edges
        UNION
        SELECT r.start_id, r.via, e.upstream FROM reach r JOIN edges e ON e.reader = r.node
    ), convergence AS (
        SELECT DISTINCT a.start_id AS id FROM reach a JOIN reach b
        ON a.start_id = b.start_id AND a.node = b.node AND a.via < b.via
    ), members AS (
        SELECT c.id AS grp, c.id AS member, true AS is_conv FROM convergence c
        UNION
        SELECT c.id, r.node, false FROM convergence c JOIN reach r ON r.start_id = c.id
    )
    SELECT dense_rank() OVER (ORDER BY m.grp)::int, st.pgt_name, st.pgt_schema, m.is_conv, 0::bigint,
           (SELECT c.diamond_schedule_policy FROM pgtrickle.pgt_stream_tables c WHERE c.pgt_id = m.grp)
    FROM members m JOIN pgtrickle.pgt_stream_tables st ON st.pgt_id = m.member
    ORDER BY 1, 4 DESC, 3, 2
$$;

CREATE FUNCTION pgtrickle._wal_slot_name() RETURNS text LANGUAGE sql STABLE
AS $$ SELECT 'pgtrickle_' || oid FROM pg_database WHERE datname = current_database() $$;

-- The WAL position now: written on a primary, replayed on a standby (where monitoring works too).
CREATE FUNCTION pgtrickle._wal_position() RETURNS pg_lsn LANGUAGE sql VOLATILE
AS $$ SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END $$;

-- Whether this server lets logical decoding load pg_trickle as an output plugin: minors since
-- 15.19 load only the libraries output_plugin_libraries names (older ones have no such check).
-- (Definer's rights: only superusers may read that setting.)
CREATE FUNCTION pgtrickle._wal_plugin_allowed() RETURNS bool LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT current_setting('output_plugin_libraries', true) IS NULL
          OR 'pg_trickle' = ANY (SELECT btrim(p, ' "')
                                 FROM unnest(string_to_array(current_setting('output_plugin_libraries', true), ',')) p) $$;

-- Whether changes can be captured from the WAL here.
CREATE FUNCTION pgtrickle._wal_available() RETURNS bool LANGUAGE sql STABLE
AS $$ SELECT current_setting('wal_level') = 'logical' AND pgtrickle._wal_plugin_allowed() $$;

CREATE FUNCTION pgtrickle._wal_max_lag_mb() RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT setting::bigint FROM pg_settings WHERE name = 'pg_trickle.wal_max_lag_mb' $$;

-- Sources and how their changes are captured; for WAL capture, the slot and how far behind it is.
CREATE FUNCTION pgtrickle.check_cdc_health()
RETURNS TABLE (source_relid bigint, source_table text, cdc_mode text, slot_name text, lag_bytes bigint,
               confirmed_lsn text, alert text, selective_capture bool)
LANGUAGE sql STABLE AS $$
    -- (On a standby the primary's slot is not there: no slot, no alert.)
    SELECT t.source_relid::bigint, t.source_relid::regclass::text, t.cdc_mode,
           CASE WHEN t.cdc_mode <> 'TRIGGER' THEN pgtrickle._wal_slot_name() END,
           CASE WHEN t.cdc_mode <> 'TRIGGER' THEN pg_wal_lsn_diff(pgtrickle._wal_position(), r.restart_lsn)::bigint END,
           CASE WHEN t.cdc_mode <> 'TRIGGER' THEN w.decoded_lsn::text END,
           CASE WHEN pg_is_in_recovery() THEN NULL
                WHEN t.cdc_mode = 'TRANSITIONING' AND t.cdc_changed_at < now() - interval '1 minute'
                    THEN 'slot_not_created'
                WHEN t.cdc_mode = 'TRIGGER' AND NOT pgtrickle._wal_available() AND EXISTS (
                         SELECT 1 FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)
                         WHERE d.source_relid = t.source_relid AND s.requested_cdc_mode = 'wal')
                    THEN 'wal_unavailable'
                WHEN t.cdc_mode = 'TRIGGER' THEN NULL
                WHEN t.cdc_mode = 'WAL' AND r.slot_name IS NULL THEN 'replication_slot_missing'
                WHEN r.wal_status = 'lost' THEN 'replication_slot_lost'
                WHEN pgtrickle._wal_max_lag_mb() > 0 AND pg_wal_lsn_diff(pgtrickle._wal_position(), r.restart_lsn)
                     > pgtrickle._wal_max_lag_mb() * 1048576 THEN 'slot_lag_exceeds_threshold'
                WHEN pgtrickle._wal_max_lag_mb() > 0 AND pg_wal_lsn_diff(pgtrickle._wal_position(), r.restart_lsn)
                     > pgtrickle._wal_max_lag_mb() * 524288 THEN 'slot_lag_warning' END,
           false
    FROM pgtrickle.pgt_change_tracking t
    LEFT JOIN pgtrickle.pgt_wal_capture w ON true
    LEFT JOIN pg_replication_slots r ON r.slot_name = pgtrickle._wal_slot_name()
    ORDER BY 2
$$;

-- The WAL capture slot, per source it serves.
CREATE FUNCTION pgtrickle.slot_health()
RETURNS TABLE (slot_name text, source_relid bigint, active bool, retained_wal_bytes bigint, wal_status text)
LANGUAGE sql STABLE AS $$
    SELECT r.slot_name::text, t.source_relid::bigint, r.active,
           pg_wal_lsn_diff(pgtrickle._wal_position(), r.restart_lsn)::bigint, r.wal_status
    FROM pg_replication_slots r
    LEFT JOIN pgtrickle.pgt_change_tracking t ON t.cdc_mode <> 'TRIGGER'
    WHERE r.slot_name = pgtrickle._wal_slot_name()
    ORDER BY 2
$$;

CREATE FUNCTION pgtrickle.health_check()
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
$$;

CREATE FUNCTION pgtrickle.health_summary()
RETURNS TABLE (total_stream_tables int, active_count int, error_count int, suspended_count int, stale_count int,
               reinit_pending int, max_staleness_seconds float8, scheduler_status text, cache_hit_rate float8)
LANGUAGE sql STABLE AS $$
    SELECT count(*)::int, count(*) FILTER (WHERE status = 'ACTIVE')::int, count(*) FILTER (WHERE status = 'ERROR')::int,
           count(*) FILTER (WHERE status = 'SUSPENDED')::int,
           count(*) FILTER (WHERE pgtrickle._is_stale(st))::int, count(*) FILTER (WHERE needs_reinit)::int,
           max(extract(epoch FROM pgtrickle._staleness(st)))::float8,
           CASE WHEN NOT pgtrickle._scheduler_loaded() THEN 'NOT_LOADED'
                WHEN NOT current_setting('pg_trickle.enabled')::bool THEN 'DISABLED'
                WHEN pgtrickle._scheduler_running() THEN 'ACTIVE' ELSE 'STOPPED' END,
           NULL::float8
    FROM pgtrickle.pgt_stream_tables st
$$;

CREATE VIEW pgtrickle.stream_tables_info AS
    SELECT st.*, pgtrickle._staleness(st) AS staleness, pgtrickle._is_stale(st) AS stale
    FROM pgtrickle.pgt_stream_tables st;

CREATE VIEW pgtrickle.pg_stat_stream_tables AS
    SELECT st.*, s.total_refreshes, s.successful_refreshes, s.failed_refreshes, s.total_rows_inserted,
           s.total_rows_deleted, s.avg_duration_ms, s.last_refresh_action, s.last_refresh_status,
           s.staleness_secs, s.stale,
           ARRAY(SELECT DISTINCT t.cdc_mode FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_change_tracking t
                 USING (source_relid) WHERE d.pgt_id = st.pgt_id ORDER BY 1) AS cdc_modes, NULL::int AS scc_id,
           NULL::int AS last_fixpoint_iterations
    FROM pgtrickle.pgt_stream_tables st
    JOIN pgtrickle.st_refresh_stats() s ON s.pgt_name = st.pgt_name AND s.pgt_schema = st.pgt_schema;

CREATE VIEW pgtrickle.quick_health AS
    SELECT h.total_stream_tables, h.error_count AS error_tables, h.stale_count AS stale_tables,
           h.scheduler_status = 'ACTIVE' AS scheduler_running,
           CASE WHEN h.total_stream_tables = 0 THEN 'EMPTY'
                WHEN h.error_count > 0 OR h.suspended_count > 0 THEN 'CRITICAL'
                WHEN h.stale_count > 0 OR h.scheduler_status <> 'ACTIVE' THEN 'WARNING'
                ELSE 'OK' END AS status
    FROM pgtrickle.health_summary() h;

GRANT SELECT ON pgtrickle.stream_tables_info, pgtrickle.pg_stat_stream_tables, pgtrickle.quick_health TO PUBLIC;

-- ---- hashing -------------------------------------------------------------------------------------

CREATE FUNCTION pgtrickle.pg_trickle_hash(input text) RETURNS bigint
LANGUAGE C IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'pg_trickle_hash';

CREATE FUNCTION pgtrickle.pg_trickle_hash_multi(inputs text[]) RETURNS bigint
LANGUAGE C IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'pg_trickle_hash_multi';

-- ---- triggers ------------------------------------------------------------------------------------

-- Change capture: one statement-level trigger function shared by every captured source; it
-- copies the transition tables into the source's buffer (with direct heap inserts, which no
-- privilege of the writer's governs: the user's DML writes buffers it cannot read) and hands
-- them to IMMEDIATE maintenance. Its catalog lookups switch to the extension's owner in C, so
-- it is not SECURITY DEFINER (which would cost every writing statement a role and
-- search_path switch).
CREATE FUNCTION pgtrickle._cdc_capture() RETURNS trigger
LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_cdc_capture';

-- Stream tables are written by refreshes only.
CREATE FUNCTION pgtrickle._dml_guard() RETURNS trigger LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_dml_guard';

CREATE FUNCTION pgtrickle._on_ddl_end() RETURNS event_trigger
LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_on_ddl_end';
CREATE FUNCTION pgtrickle._on_sql_drop() RETURNS event_trigger
LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_on_sql_drop';

CREATE EVENT TRIGGER pg_trickle_ddl_tracker ON ddl_command_end EXECUTE FUNCTION pgtrickle._on_ddl_end();
CREATE EVENT TRIGGER pg_trickle_drop_tracker ON sql_drop EXECUTE FUNCTION pgtrickle._on_sql_drop();

-- Start this database's scheduler now rather than at the launcher's next scan.
SELECT pgtrickle._signal_launcher_rescan();

-- Raised by a refresh whose WITH RECURSIVE would go past pg_trickle.ivm_recursive_max_depth
-- rounds (UNION ALL over data with a cycle never ends). VOLATILE: never folded at plan time.
CREATE FUNCTION pgtrickle.recursion_too_deep(query_name text, max_depth int) RETURNS int
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION 'WITH RECURSIVE query "%" went past % rounds', query_name, max_depth
        USING ERRCODE = '54001',
              DETAIL = 'A stream table''s recursion stops after pg_trickle.ivm_recursive_max_depth rounds.',
              HINT = 'The data may contain a cycle, which UNION ALL follows forever; for a deeper hierarchy raise pg_trickle.ivm_recursive_max_depth (0 = unlimited).';
END
$$;

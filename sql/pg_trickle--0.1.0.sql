-- pg_trickle 0.1.0: stream tables maintained incrementally.
\echo Use "CREATE EXTENSION pg_trickle" to load this file. \quit

-- Change buffers live in their own schema, closed to everyone but the extension owner.
CREATE SCHEMA pgtrickle_changes;
REVOKE ALL ON SCHEMA pgtrickle_changes FROM PUBLIC;

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

-- One change buffer per captured source, shared by every stream table reading it.
CREATE TABLE pgtrickle.pgt_change_tracking (
    source_relid       oid PRIMARY KEY,
    buffer_relid       oid NOT NULL,
    captured_columns   text[] NOT NULL
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

-- Statement numbers of captured changes: orders a transaction's own changes around a refresh
-- that runs inside that same transaction.
CREATE SEQUENCE pgtrickle.change_statement_seq;

GRANT USAGE ON SCHEMA pgtrickle TO PUBLIC;
GRANT SELECT ON pgtrickle.pgt_stream_tables, pgtrickle.pgt_dependencies,
                pgtrickle.pgt_change_tracking, pgtrickle.pgt_refresh_history TO PUBLIC;

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
    SELECT d.source_relid::regclass::text, d.source_relid::bigint, d.source_type, d.cdc_mode,
           array_to_string(d.columns_used, ', ')
    FROM pgtrickle._find(name) st JOIN pgtrickle.pgt_dependencies d USING (pgt_id)
    ORDER BY 1
$$;

CREATE FUNCTION pgtrickle.list_auxiliary_columns(name text)
RETURNS TABLE (column_name text, data_type text, purpose text) LANGUAGE sql STABLE AS $$
    SELECT c->>'name', c->>'type', c->>'purpose'
    FROM pgtrickle._find(name) st, jsonb_array_elements(st.auxiliary_columns) c
$$;

-- ---- status --------------------------------------------------------------------------------------

CREATE FUNCTION pgtrickle.pgt_status()
RETURNS TABLE (name text, status text, refresh_mode text, is_populated bool, consecutive_errors int,
               schedule text, data_timestamp timestamptz, staleness interval, scc_id int)
LANGUAGE sql STABLE AS $$
    SELECT format('%I.%I', pgt_schema, pgt_name), status, refresh_mode, is_populated, consecutive_errors,
           schedule, data_timestamp, now() - data_timestamp, NULL::int
    FROM pgtrickle.pgt_stream_tables ORDER BY pgt_schema, pgt_name
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

-- ---- hashing -------------------------------------------------------------------------------------

CREATE FUNCTION pgtrickle.pg_trickle_hash(input text) RETURNS bigint
LANGUAGE C IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'pg_trickle_hash';

CREATE FUNCTION pgtrickle.pg_trickle_hash_multi(inputs text[]) RETURNS bigint
LANGUAGE C IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'pg_trickle_hash_multi';

-- ---- triggers ------------------------------------------------------------------------------------

-- Change capture: one statement-level trigger function shared by every captured source; it
-- copies the transition tables into the source's buffer. SECURITY DEFINER: the user's DML
-- writes buffers it cannot read.
CREATE FUNCTION pgtrickle._cdc_capture() RETURNS trigger
LANGUAGE C SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS 'MODULE_PATHNAME', 'pgt_cdc_capture';

-- Stream tables are written by refreshes only.
CREATE FUNCTION pgtrickle._dml_guard() RETURNS trigger LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_dml_guard';

CREATE FUNCTION pgtrickle._on_ddl_end() RETURNS event_trigger
LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_on_ddl_end';
CREATE FUNCTION pgtrickle._on_sql_drop() RETURNS event_trigger
LANGUAGE C AS 'MODULE_PATHNAME', 'pgt_on_sql_drop';

CREATE EVENT TRIGGER pg_trickle_ddl_tracker ON ddl_command_end EXECUTE FUNCTION pgtrickle._on_ddl_end();
CREATE EVENT TRIGGER pg_trickle_drop_tracker ON sql_drop EXECUTE FUNCTION pgtrickle._on_sql_drop();

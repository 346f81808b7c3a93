-- Helpers of the suites that write in rounds (\i include/rounds.sql):
--   st_check(st)   whether stream table `st` equals its defining query run afresh (rows compared
--                  as text: some types have no equality)
--   round_done()   refreshes every stream table that is not IMMEDIATE, then st_check of each
--   try(sql)       'ok', or the error's SQLSTATE and message
CREATE FUNCTION st_check(st text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE q text; cols text; n bigint; mode text;
BEGIN
    SELECT defining_query, refresh_mode INTO q, mode FROM pgtrickle.pgt_stream_tables WHERE pgt_name = st;
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols FROM pg_attribute
     WHERE attrelid = st::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT LIKE '\_\_pgt%';
    EXECUTE format('SELECT count(*) FROM ((SELECT r::text FROM (%s) r EXCEPT ALL SELECT r::text FROM (SELECT %s FROM %s) r) '
                   'UNION ALL (SELECT r::text FROM (SELECT %s FROM %s) r EXCEPT ALL SELECT r::text FROM (%s) r)) d',
                   q, cols, st, cols, st, q) INTO n;
    RETURN st || ' ' || mode || CASE WHEN n = 0 THEN ' exact' ELSE ' WRONG by ' || n::text END;
END $$;
CREATE FUNCTION round_done() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE s record;
BEGIN
    FOR s IN SELECT pgt_name FROM pgtrickle.pgt_stream_tables WHERE refresh_mode <> 'IMMEDIATE' ORDER BY pgt_name LOOP
        PERFORM pgtrickle.refresh_stream_table(s.pgt_name);
    END LOOP;
    RETURN QUERY SELECT st_check(pgt_name) FROM pgtrickle.pgt_stream_tables ORDER BY pgt_name;
END $$;
CREATE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- The schema bench/sql/immediate.sh and bench/sql/immediate_instructions.sh measure: copies of a
-- 100,000-row orders table — plain, with an IMMEDIATE aggregate (agg), with an IMMEDIATE
-- join + aggregate (join), with the per-customer summary kept by a hand-written PL/pgSQL row
-- trigger (trigger) and, when the server preloads pg_ivm, with the same summary as a pg_ivm
-- incrementally maintained materialized view (ivm) — and statements(t, kind, n), a procedure
-- running n one-row statements of one kind on table t, each committed.
CREATE EXTENSION pg_trickle;
SELECT current_setting('shared_preload_libraries') LIKE '%pg_ivm%' AS have_ivm \gset
CREATE TABLE customers (id int PRIMARY KEY, segment text);
INSERT INTO customers SELECT i, 'seg' || i % 10 FROM generate_series(1, 1000) i;
CREATE SEQUENCE ids START 1000000;
DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['plain', 'agg', 'join', 'trigger', 'ivm'] LOOP
    EXECUTE format('CREATE TABLE %I (id bigint PRIMARY KEY, customer int, amount numeric(10,2))', t || '_orders');
    EXECUTE format('INSERT INTO %I SELECT i, 1 + i %% 1000, i %% 100 FROM generate_series(1, 100000) i', t || '_orders');
  END LOOP;
END $$;
SELECT pgtrickle.create_stream_table('agg_summary',
  'SELECT customer, count(*) AS n, sum(amount) AS total FROM agg_orders GROUP BY customer', refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('join_summary',
  'SELECT c.segment, count(*) AS n, sum(o.amount) AS total FROM join_orders o JOIN customers c ON c.id = o.customer GROUP BY c.segment',
  refresh_mode => 'IMMEDIATE');
\if :have_ivm
CREATE EXTENSION pg_ivm;
SELECT pgivm.create_immv('ivm_summary', 'SELECT customer, count(*) AS n, sum(amount) AS total FROM ivm_orders GROUP BY customer');
\endif
CREATE TABLE trigger_summary (customer int PRIMARY KEY, n bigint NOT NULL, total numeric NOT NULL);
INSERT INTO trigger_summary SELECT customer, count(*), sum(amount) FROM trigger_orders GROUP BY customer;
CREATE FUNCTION trigger_summary_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE trigger_summary SET n = n - 1, total = total - OLD.amount WHERE customer = OLD.customer;
    DELETE FROM trigger_summary WHERE customer = OLD.customer AND n = 0;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO trigger_summary VALUES (NEW.customer, 1, NEW.amount)
      ON CONFLICT (customer) DO UPDATE SET n = trigger_summary.n + 1, total = trigger_summary.total + EXCLUDED.total;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER maintain AFTER INSERT OR UPDATE OR DELETE ON trigger_orders FOR EACH ROW EXECUTE FUNCTION trigger_summary_maintain();
-- The server-side loop: n single-row statements of one kind on table t, each committed.
CREATE PROCEDURE statements(t text, kind text, n int) LANGUAGE plpgsql AS $$
DECLARE
  orders text := quote_ident(t || '_orders');
  stmt text := CASE kind
    WHEN 'insert' THEN format('INSERT INTO %s VALUES (nextval(''ids''), 1 + (random() * 999)::int, 10)', orders)
    WHEN 'update' THEN format('UPDATE %s SET amount = amount + 1 WHERE id = $1', orders)
    ELSE format('DELETE FROM %s WHERE id = (SELECT id FROM %s WHERE id >= $1 ORDER BY id LIMIT 1)', orders, orders)
  END;
BEGIN
  FOR i IN 1..n LOOP
    EXECUTE stmt USING 1 + (random() * 99999)::int;
    COMMIT;
  END LOOP;
END $$;
VACUUM ANALYZE;

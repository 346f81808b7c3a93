#!/usr/bin/env bash
# IMMEDIATE mode's cost to writers, one command: bench/sql/immediate.sh [statements]
# Starts a throwaway PostgreSQL 15 with pg_trickle (installed) and measures, side by side in one
# run, the latency of single-row INSERT / UPDATE / DELETE statements (pgbench, one client,
# `statements` of each, default 2000; the four tables take turns, three rounds, median) and of a
# 10,000-row INSERT … SELECT (median of 5) on four copies of one 100,000-row orders table:
#   plain      no stream table
#   agg        an IMMEDIATE stream table: count and sum per customer
#   join       an IMMEDIATE stream table: count and sum per customer segment (orders ⋈ customers)
#   trigger    the per-customer summary kept by a hand-written PL/pgSQL row trigger (what users
#              write today instead)
# Single-row statements are timed twice: with synchronous_commit = off (what maintenance costs the
# writer in CPU) and on (each commit also waits for its WAL flush, whose time on a virtual disk
# varies by more than the maintenance costs). Prints Markdown tables of latencies and the cost
# added over `plain` (recorded in docs/PERFORMANCE.md).
set -euo pipefail
n="${1:-2000}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_cluster pgt_immediate "shared_buffers = 512MB"

"${psql[@]}" >/dev/null <<'SQL'
CREATE EXTENSION pg_trickle;
CREATE TABLE customers (id int PRIMARY KEY, segment text);
INSERT INTO customers SELECT i, 'seg' || i % 10 FROM generate_series(1, 1000) i;
CREATE SEQUENCE ids START 1000000;
DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['plain', 'agg', 'join', 'trigger'] LOOP
    EXECUTE format('CREATE TABLE %I (id bigint PRIMARY KEY, customer int, amount numeric(10,2))', t || '_orders');
    EXECUTE format('INSERT INTO %I SELECT i, 1 + i %% 1000, i %% 100 FROM generate_series(1, 100000) i', t || '_orders');
  END LOOP;
END $$;
SELECT pgtrickle.create_stream_table('agg_summary',
  'SELECT customer, count(*) AS n, sum(amount) AS total FROM agg_orders GROUP BY customer', refresh_mode => 'IMMEDIATE');
SELECT pgtrickle.create_stream_table('join_summary',
  'SELECT c.segment, count(*) AS n, sum(o.amount) AS total FROM join_orders o JOIN customers c ON c.id = o.customer GROUP BY c.segment',
  refresh_mode => 'IMMEDIATE');
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
VACUUM ANALYZE;
SQL

pgbench_ms() { # latency average (ms) of `n` runs of the script on standard input, with $commit
    cat > "$dir/script.sql"
    PGOPTIONS="-c synchronous_commit=$commit" "${as_owner[@]}" "$bin/pgbench" -n -h "$dir" -U postgres -c 1 -t "$n" \
        -f "$dir/script.sql" postgres 2>/dev/null | sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p'
}
bulk_ms() { # median of 5 INSERT … SELECT of 10,000 rows
    local t=$1 times=()
    for i in 1 2 3 4 5; do
        times+=("$(printf '\\timing on\nINSERT INTO %s SELECT nextval(%s), 1 + g %% 1000, 5 FROM generate_series(1, 10000) g;\n' \
            "${t}_orders" "'ids'" | "${psql[@]}" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')")
    done
    printf '%s\n' "${times[@]}" | median
}

declare -A runs ms
for commit in off on; do
    for round in 1 2 3; do
        for t in plain agg join trigger; do
            runs[$commit,$t,insert]+="$(printf 'INSERT INTO %s VALUES (nextval(%s), 1 + (random() * 999)::int, 10);\n' "${t}_orders" "'ids'" | pgbench_ms) "
            runs[$commit,$t,update]+="$(printf '\\set id random(1, 100000)\nUPDATE %s SET amount = amount + 1 WHERE id = :id;\n' "${t}_orders" | pgbench_ms) "
            runs[$commit,$t,delete]+="$(printf 'DELETE FROM %s WHERE id = (SELECT max(id) FROM %s);\n' "${t}_orders" "${t}_orders" | pgbench_ms) "
        done
    done
    for t in plain agg join trigger; do
        for s in insert update delete; do ms[$commit,$t,$s]=$(printf '%s\n' ${runs[$commit,$t,$s]} | median); done
    done
done
for t in plain agg join trigger; do ms[bulk,$t]=$(bulk_ms "$t"); done

differ=$("${psql[@]}" -c "SELECT (SELECT count(*) FROM ((SELECT customer, n, total FROM agg_summary EXCEPT ALL
    SELECT customer, count(*), sum(amount) FROM agg_orders GROUP BY customer) UNION ALL (SELECT customer, count(*), sum(amount)
    FROM agg_orders GROUP BY customer EXCEPT ALL SELECT customer, n, total FROM agg_summary)) x)
  + (SELECT count(*) FROM ((SELECT customer, n, total FROM trigger_summary EXCEPT ALL
    SELECT customer, count(*), sum(amount) FROM trigger_orders GROUP BY customer) UNION ALL (SELECT customer, count(*), sum(amount)
    FROM trigger_orders GROUP BY customer EXCEPT ALL SELECT customer, n, total FROM trigger_summary)) y)")
[ "$differ" = 0 ] || { echo "summaries differ from their queries ($differ rows)" >&2; exit 1; }

added() { awk -v a="$1" -v b="$2" -v k="$3" 'BEGIN {printf "%.0f µs", (a - b) * 1000 / k}'; }
for commit in off on; do
    echo
    echo "synchronous_commit = $commit:"
    echo
    echo "| statement | plain (ms) | IMMEDIATE aggregate (ms) | IMMEDIATE join + aggregate (ms) | PL/pgSQL trigger (ms) | added: aggregate / join / trigger |"
    echo "|---|---:|---:|---:|---:|---|"
    for s in insert update delete; do
        p=${ms[$commit,plain,$s]} a=${ms[$commit,agg,$s]} j=${ms[$commit,join,$s]} g=${ms[$commit,trigger,$s]}
        printf '| one-row %s | %s | %s | %s | %s | %s / %s / %s |\n' "$(echo "$s" | tr a-z A-Z)" "$p" "$a" "$j" "$g" \
            "$(added "$a" "$p" 1)" "$(added "$j" "$p" 1)" "$(added "$g" "$p" 1)"
    done
done
p=${ms[bulk,plain]} a=${ms[bulk,agg]} j=${ms[bulk,join]} g=${ms[bulk,trigger]}
echo
printf '| INSERT … SELECT of 10,000 rows (per row) | %s | %s | %s | %s | %s / %s / %s |\n' "$p" "$a" "$j" "$g" \
    "$(added "$a" "$p" 10000)" "$(added "$j" "$p" 10000)" "$(added "$g" "$p" 10000)"

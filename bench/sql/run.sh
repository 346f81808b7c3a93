#!/usr/bin/env bash
# pg_trickle SQL benchmark, one command: bench/sql/run.sh [rows]
# Starts a throwaway PostgreSQL 15 with pg_trickle (installed), loads `rows` orders (default
# 1,000,000) and 100,000 customers, and measures side by side, in one run:
#   - refreshing after 10 changed rows: REFRESH MATERIALIZED VIEW vs pg_trickle FULL vs
#     DIFFERENTIAL, for an aggregate and a join + aggregate (median of 10 rounds);
#   - a refresh with nothing to do (median of 20);
#   - change-capture cost per row: INSERT … SELECT of 100,000 rows, and 1,000 single-row
#     INSERT statements, into a table with and without capture (median of 5).
# Prints a Markdown report (the figures recorded in docs/PERFORMANCE.md).
set -euo pipefail
rows="${1:-1000000}"
bin="${PGT_PG_BIN:-/usr/lib/postgresql/15/bin}"
dir="$(mktemp -d /tmp/pgt_bench_XXXXXX)"
as_owner=()
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; as_owner=(runuser -u postgres --); fi
cleanup() { "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --locale=C >/dev/null
cat >>"$dir/data/postgresql.conf" <<CONF
shared_preload_libraries = 'pg_trickle'
listen_addresses = ''
unix_socket_directories = '$dir'
shared_buffers = 1GB
work_mem = 64MB
max_wal_size = 4GB
CONF
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null
psql=(psql -X -q -At -h "$dir" -U postgres -d postgres -v ON_ERROR_STOP=1)

ms_of() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
run_timed() { printf '\\timing on\n%s;\n' "$1" | "${psql[@]}" | ms_of; }

echo "loading $rows orders ..." >&2
"${psql[@]}" <<SQL
CREATE EXTENSION pg_trickle;
CREATE TABLE customers (id int PRIMARY KEY, name text, segment text);
INSERT INTO customers SELECT i, 'c' || i, 'seg' || (i % 20) FROM generate_series(1, 100000) i;
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, region text, amount numeric(10,2), created date);
INSERT INTO orders SELECT i, 1 + ((i::bigint * 7919) % 100000)::int, 'r' || (i % 50), (i % 10000) / 100.0, DATE '2024-01-01' + (i % 365)
FROM generate_series(1, $rows) i;
CREATE INDEX ON orders (region);
CREATE INDEX ON orders (customer_id);
VACUUM ANALYZE;
SQL

cols_agg="region, orders, revenue, avg_amount"
cols_join="segment, orders, revenue"
q_agg="SELECT region, count(*) AS orders, sum(amount) AS revenue, avg(amount) AS avg_amount FROM orders GROUP BY region"
q_join="SELECT c.segment, count(*) AS orders, sum(o.amount) AS revenue FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.segment"

report() { printf '| %s | %s | %s | %s | %s |\n' "$@"; }
echo "| query | REFRESH MATERIALIZED VIEW (ms) | pg_trickle FULL (ms) | pg_trickle DIFFERENTIAL (ms) | speed-up vs matview |"
echo "|---|---:|---:|---:|---:|"
for name in agg join; do
    q_var="q_$name"; cols_var="cols_$name"
    q="${!q_var}"; cols="${!cols_var}"
    "${psql[@]}" <<SQL
CREATE MATERIALIZED VIEW mv_$name AS $q;
SELECT pgtrickle.create_stream_table('full_$name', \$q\$$q\$q\$, refresh_mode => 'FULL', schedule => '24h');
SELECT pgtrickle.create_stream_table('diff_$name', \$q\$$q\$q\$, refresh_mode => 'DIFFERENTIAL', schedule => '24h');
SQL
    mv=(); full=(); diff=()
    for round in $(seq 1 10); do
        # 10 changed rows: 6 updates, 2 inserts, 2 deletes
        "${psql[@]}" -c "UPDATE orders SET amount = amount + 1 WHERE id IN (SELECT (random() * $rows)::bigint + 1 FROM generate_series(1, 6))" \
            -c "INSERT INTO orders SELECT $rows + $round * 10 + i, 1 + i, 'r' || i, 1.00, DATE '2024-06-01' FROM generate_series(1, 2) i" \
            -c "DELETE FROM orders WHERE id IN ($round * 97, $round * 89)"
        mv+=("$(run_timed "REFRESH MATERIALIZED VIEW mv_$name")")
        full+=("$(run_timed "SELECT pgtrickle.refresh_stream_table('full_$name')")")
        diff+=("$(run_timed "SELECT pgtrickle.refresh_stream_table('diff_$name')")")
    done
    m_mv=$(printf '%s\n' "${mv[@]}" | median); m_full=$(printf '%s\n' "${full[@]}" | median); m_diff=$(printf '%s\n' "${diff[@]}" | median)
    # The three must agree, or the timing means nothing.
    differ=$("${psql[@]}" -c "SELECT count(*) FROM ((SELECT $cols FROM mv_$name EXCEPT ALL SELECT $cols FROM diff_$name)
        UNION ALL (SELECT $cols FROM diff_$name EXCEPT ALL SELECT $cols FROM mv_$name)
        UNION ALL (SELECT $cols FROM full_$name EXCEPT ALL SELECT $cols FROM mv_$name)) x")
    [ "$differ" = 0 ] || { echo "results differ from the materialized view ($differ rows)" >&2; exit 1; }
    report "$name ($rows rows, 10 changed)" "$m_mv" "$m_full" "$m_diff" "$(awk -v a="$m_mv" -v b="$m_diff" 'BEGIN {printf "%.0f×", a / b}')"
done

noop=()
for i in $(seq 1 20); do noop+=("$(run_timed "SELECT pgtrickle.refresh_stream_table('diff_agg')")"); done
echo
echo "No-op DIFFERENTIAL refresh (nothing changed): median $(printf '%s\n' "${noop[@]}" | median) ms over 20."

"${psql[@]}" <<SQL
CREATE TABLE plain (id bigint, k int, v numeric(10,2), note text);
CREATE TABLE tracked (id bigint, k int, v numeric(10,2), note text);
SELECT pgtrickle.create_stream_table('tracked_sum', 'SELECT k, sum(v) AS s FROM tracked GROUP BY k', schedule => '24h');
SQL
bulk_plain=(); bulk_tracked=(); single_plain=(); single_tracked=()
for i in $(seq 1 5); do
    for t in plain tracked; do
        "${psql[@]}" -c "TRUNCATE $t" -c "CHECKPOINT"
        v=$(run_timed "INSERT INTO $t SELECT g, g % 100, g / 7.0, 'note' FROM generate_series(1, 100000) g")
        if [ "$t" = plain ]; then bulk_plain+=("$v"); else bulk_tracked+=("$v"); fi
        v=$(run_timed "DO \$\$ BEGIN FOR g IN 1..1000 LOOP INSERT INTO $t VALUES (g, g % 100, 1, 'x'); END LOOP; END \$\$")
        if [ "$t" = plain ]; then single_plain+=("$v"); else single_tracked+=("$v"); fi
    done
    "${psql[@]}" -c "SELECT pgtrickle.refresh_stream_table('tracked_sum')" >/dev/null
done
bp=$(printf '%s\n' "${bulk_plain[@]}" | median); bt=$(printf '%s\n' "${bulk_tracked[@]}" | median)
sp=$(printf '%s\n' "${single_plain[@]}" | median); stt=$(printf '%s\n' "${single_tracked[@]}" | median)
echo
echo "| change capture | without (ms) | with (ms) | added per row |"
echo "|---|---:|---:|---:|"
printf '| INSERT … SELECT of 100,000 rows | %s | %s | %s |\n' "$bp" "$bt" \
    "$(awk -v a="$bt" -v b="$bp" 'BEGIN {printf "%.2f µs", (a - b) * 1000 / 100000}')"
printf '| 1,000 single-row INSERT statements | %s | %s | %s |\n' "$sp" "$stt" \
    "$(awk -v a="$stt" -v b="$sp" 'BEGIN {printf "%.2f µs", (a - b) * 1000 / 1000}')"

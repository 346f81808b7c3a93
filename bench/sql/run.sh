#!/usr/bin/env bash
# pg_trickle SQL benchmark, one command: bench/sql/run.sh [rows]
# Starts a throwaway PostgreSQL with pg_trickle (installed), loads `rows` orders (default
# 1,000,000) and 100,000 customers, and measures side by side, in one run:
#   - refreshing after 10 changed rows: REFRESH MATERIALIZED VIEW vs pg_trickle FULL vs
#     DIFFERENTIAL, for an aggregate, a join + aggregate, a leaderboard (ORDER BY amount DESC
#     LIMIT 10, a TopK) and a ranking (ROW_NUMBER() over 10,000 partitions of 100 rows)
#     (median of 10 rounds). DIFFERENTIAL is timed twice: in rounds of its own (change, refresh)
#     and right after the two recomputations of the same round, which sweep the CPU caches and
#     leave the disk writing back (its "after a recomputation" column);
#   - a refresh with nothing to do (median of 20);
#   - change-capture cost per row: INSERT … SELECT of 100,000 rows, and 1,000 single-row
#     INSERT statements, into a table with and without capture (median of 5);
#   - propagation through a chain of 10 stream tables (9 calculated, the last '1s') left to
#     the background scheduler: from the commit of one base-table change until the last
#     stream table shows it (median of 10).
# Refreshes are timed in one long-lived session, as the scheduler runs them; the first refresh
# in a fresh session (which compiles the query) is reported apart. Prints a Markdown report
# (the figures recorded in docs/PERFORMANCE.md).
set -euo pipefail
rows="${1:-1000000}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_cluster pgt_bench "shared_buffers = 1GB
work_mem = 64MB
max_wal_size = 4GB"

ms_all() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; }
ms_of() { ms_all | tail -1; }
run_timed() { printf '\\timing on\n%s;\n' "$1" | "${psql[@]}" | ms_of; }

echo "loading $rows orders ..." >&2
"${psql[@]}" >/dev/null <<SQL
CREATE EXTENSION pg_trickle;
CREATE TABLE customers (id int PRIMARY KEY, name text, segment text);
INSERT INTO customers SELECT i, 'c' || i, 'seg' || (i % 20) FROM generate_series(1, 100000) i;
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, region text, amount numeric(10,2), created date, store int);
INSERT INTO orders SELECT i, 1 + ((i::bigint * 7919) % 100000)::int, 'r' || (i % 50), (i % 10000) / 100.0, DATE '2024-01-01' + (i % 365),
  (i::bigint * 31) % 10000
FROM generate_series(1, $rows) i;
CREATE INDEX ON orders (region);
CREATE INDEX ON orders (customer_id);
CREATE INDEX ON orders (store);
VACUUM ANALYZE;
SQL

cols_agg="region, orders, revenue, avg_amount"
cols_join="segment, orders, revenue"
q_agg="SELECT region, count(*) AS orders, sum(amount) AS revenue, avg(amount) AS avg_amount FROM orders GROUP BY region"
q_join="SELECT c.segment, count(*) AS orders, sum(o.amount) AS revenue FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.segment"
cols_top="id, customer_id, amount"
q_top="SELECT id, customer_id, amount FROM orders ORDER BY amount DESC, id LIMIT 10"
cols_rank="id, store, rn"
q_rank="SELECT id, store, row_number() OVER (PARTITION BY store ORDER BY amount DESC, id) AS rn FROM orders"

next_id=0
cold=()
report() { printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f×", a / b}'; }
echo "| query | REFRESH MATERIALIZED VIEW (ms) | pg_trickle FULL (ms) | pg_trickle DIFFERENTIAL (ms) | speed-up vs matview | DIFFERENTIAL right after a recomputation (ms) | speed-up |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for name in agg join top rank; do
    q_var="q_$name"; cols_var="cols_$name"
    q="${!q_var}"; cols="${!cols_var}"
    "${psql[@]}" >/dev/null <<SQL
CREATE MATERIALIZED VIEW mv_$name AS $q;
SELECT pgtrickle.create_stream_table('full_$name', \$q\$$q\$q\$, refresh_mode => 'FULL', schedule => '24h');
SELECT pgtrickle.create_stream_table('diff_$name', \$q\$$q\$q\$, refresh_mode => 'DIFFERENTIAL', schedule => '24h');
SQL
    # As autovacuum would after a bulk load: the first reader of a freshly written row otherwise
    # pays for setting its hint bits, in whichever refresh touches it first.
    "${psql[@]}" -c "VACUUM ANALYZE" >/dev/null
    # All rounds in one session, as the scheduler refreshes (its compiled plans stay warm);
    # the first round, in a fresh session, is reported apart as the cold cost. 10 changed rows
    # a round: 6 updates, 2 inserts, 2 deletes.
    change() {
        next_id=$((next_id + 10))
        cat <<SQL
UPDATE orders SET amount = amount + 1 WHERE id IN (SELECT (random() * $rows)::bigint + 1 FROM generate_series(1, 6));
INSERT INTO orders SELECT $rows + $next_id + i, 1 + i, 'r' || i, 1.00, DATE '2024-06-01', ($next_id * 7 + i) % 10000 FROM generate_series(1, 2) i;
DELETE FROM orders WHERE id IN ($1 * 97 + $next_id, $1 * 89 + $next_id);
SQL
    }
    apart="$dir/apart_$name.sql" side="$dir/side_$name.sql"
    : > "$apart"; : > "$side"
    for round in $(seq 1 11); do
        { change "$round"; printf '\\timing on\nSELECT pgtrickle.refresh_stream_table(%s);\n\\timing off\n' "'diff_$name'"; } >> "$apart"
        { change "$round"; printf '\\timing on\nREFRESH MATERIALIZED VIEW mv_%s;\nSELECT pgtrickle.refresh_stream_table(%s);\nSELECT pgtrickle.refresh_stream_table(%s);\n\\timing off\n' \
            "$name" "'full_$name'" "'diff_$name'"; } >> "$side"
    done
    mapfile -t alone < <("${psql[@]}" -f "$apart" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
    mapfile -t times < <("${psql[@]}" -f "$side" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
    mv=(); full=(); diff_after=()
    for ((k = 3; k < ${#times[@]}; k += 3)); do # round 1 (cold) is reported apart
        mv+=("${times[k]}"); full+=("${times[k+1]}"); diff_after+=("${times[k+2]}")
    done
    cold_diff="${alone[0]}"
    m_mv=$(printf '%s\n' "${mv[@]}" | median); m_full=$(printf '%s\n' "${full[@]}" | median)
    m_diff=$(printf '%s\n' "${alone[@]:1}" | median); m_after=$(printf '%s\n' "${diff_after[@]}" | median)
    # The three must agree, or the timing means nothing.
    differ=$("${psql[@]}" -c "SELECT count(*) FROM ((SELECT $cols FROM mv_$name EXCEPT ALL SELECT $cols FROM diff_$name)
        UNION ALL (SELECT $cols FROM diff_$name EXCEPT ALL SELECT $cols FROM mv_$name)
        UNION ALL (SELECT $cols FROM full_$name EXCEPT ALL SELECT $cols FROM mv_$name)) x")
    [ "$differ" = 0 ] || { echo "results differ from the materialized view ($differ rows)" >&2; exit 1; }
    report "$name ($rows rows, 10 changed)" "$m_mv" "$m_full" "$m_diff" "$(ratio "$m_mv" "$m_diff")" "$m_after" "$(ratio "$m_mv" "$m_after")"
    cold+=("$name: $cold_diff ms")
done

echo
echo "First DIFFERENTIAL refresh in a new session (compiles the query and plans the delta statement): ${cold[*]}."
noop_script="$dir/noop.sql"
{ echo "SELECT pgtrickle.refresh_stream_table('diff_agg');"; echo '\timing on'
  for i in $(seq 1 20); do echo "SELECT pgtrickle.refresh_stream_table('diff_agg');"; done; } > "$noop_script"
echo "No-op DIFFERENTIAL refresh (nothing changed): median $("${psql[@]}" -f "$noop_script" | ms_all | median) ms over 20."

"${psql[@]}" >/dev/null <<SQL
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

# Propagation through a chain of 10 stream tables, refreshed by the scheduler alone.
"${psql[@]}" >/dev/null <<SQL
CREATE TABLE chain_base (id int PRIMARY KEY, v int);
INSERT INTO chain_base SELECT i, i FROM generate_series(1, 1000) i;
SELECT pgtrickle.create_stream_table('chain_0', 'SELECT id, v FROM chain_base', schedule => 'calculated');
SQL
for i in $(seq 1 9); do
    sched=calculated; [ "$i" = 9 ] && sched=1s
    "${psql[@]}" -c "SELECT pgtrickle.create_stream_table('chain_$i', 'SELECT id, v + 1 AS v FROM chain_$((i - 1))', schedule => '$sched')" >/dev/null
done
sleep 3
latency=()
for round in $(seq 1 10); do
    latency+=("$("${psql[@]}" 2>&1 <<SQL | grep NOTICE | tail -1
UPDATE chain_base SET v = v + 1000 WHERE id = 1;
$(pgt_ms_until "(SELECT v FROM chain_9 WHERE id = 1) = (SELECT v + 9 FROM chain_base WHERE id = 1)")
SQL
)")
    sleep 1.2
done
printf '%s\n' "${latency[@]}" | sed 's/.*NOTICE: *//' > "$dir/latency"
echo
echo "Propagation through a chain of 10 stream tables (scheduler, schedule 1s at the end): median $(median < "$dir/latency") ms over 10 changes (from the change's commit until the last stream table shows it)."

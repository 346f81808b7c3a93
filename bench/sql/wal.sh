#!/usr/bin/env bash
# What change capture costs writers, by triggers and from the WAL, and how soon a change shows:
# bench/sql/wal.sh [rounds]
# Starts a throwaway PostgreSQL (wal_level = logical, pg_trickle allowed as an output
# plugin) with three alike tables: `plain` read by no stream table, `trig` read by one that
# captures with triggers, `walt` by one that captures from the WAL. Measured side by side, in
# one run, each round timing the three in a rotating order (median of `rounds`, default 7):
#   - INSERT … SELECT of 100,000 rows;
#   - 1,000 single-row INSERT statements, and 1,000 single-row UPDATE statements (by key), in
#     one DO block;
# the stream tables are refreshed after each round (outside the timing), so the decoding of one
# round does not run during the next. "noise" is half the spread of the `plain` runs.
# Then a refresh after one changed row (one session, median of 20) in both capture modes, and
# the latency from a change's commit until a stream table with schedule '1s' shows it, left to
# the scheduler (median and highest of 20 changes made at random moments), for both capture
# modes. Prints a Markdown report (the figures recorded in docs/PERFORMANCE.md).
set -euo pipefail
rounds="${1:-7}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_cluster pgt_bench_wal "wal_level = logical
output_plugin_libraries = 'pgoutput, test_decoding, pg_trickle'
shared_buffers = 512MB
max_wal_size = 4GB
synchronous_commit = off
pg_trickle.scheduler_interval_ms = 100"

ms_of() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1; }
run_timed() { printf '\\timing on\n%s;\n' "$1" | "${psql[@]}" | ms_of; }

"${psql[@]}" >/dev/null <<SQL
CREATE EXTENSION pg_trickle;
CREATE TABLE plain (id bigint PRIMARY KEY, k int, v numeric(10,2), note text);
CREATE TABLE trig (LIKE plain INCLUDING ALL);
CREATE TABLE walt (LIKE plain INCLUDING ALL);
SELECT pgtrickle.create_stream_table('trig_sum', 'SELECT k, count(*) AS n, sum(v) AS s FROM trig GROUP BY k',
                                     schedule => '1s', cdc_mode => 'trigger');
SELECT pgtrickle.create_stream_table('walt_sum', 'SELECT k, count(*) AS n, sum(v) AS s FROM walt GROUP BY k',
                                     schedule => '1s', cdc_mode => 'wal');
SQL
for _ in $(seq 1 100); do
    [ "$("${psql[@]}" -c "SELECT cdc_mode FROM pgtrickle.pgt_change_tracking WHERE source_relid = 'walt'::regclass")" = WAL ] && break
    sleep 0.1
done
[ "$("${psql[@]}" -c "SELECT cdc_mode FROM pgtrickle.pgt_change_tracking WHERE source_relid = 'walt'::regclass")" = WAL ] ||
    { echo "walt did not switch to WAL capture" >&2; exit 1; }

declare -A bulk single update
tables=(plain trig walt)
for round in $(seq 1 "$rounds"); do
    for j in 0 1 2; do
        t=${tables[$(( (round + j) % 3 ))]}
        "${psql[@]}" -c "TRUNCATE $t" >/dev/null
        "${psql[@]}" -c "SELECT pgtrickle.refresh_stream_table('trig_sum'), pgtrickle.refresh_stream_table('walt_sum')" -c "CHECKPOINT" >/dev/null
        bulk[$t]+="$(run_timed "INSERT INTO $t SELECT g, g % 100, g / 7.0, 'note' FROM generate_series(1, 100000) g") "
        "${psql[@]}" -c "SELECT pgtrickle.refresh_stream_table('trig_sum'), pgtrickle.refresh_stream_table('walt_sum')" >/dev/null
        single[$t]+="$(run_timed "DO \$\$ BEGIN FOR g IN 100001..101000 LOOP INSERT INTO $t VALUES (g, g % 100, 1, 'x'); END LOOP; END \$\$") "
        update[$t]+="$(run_timed "DO \$\$ BEGIN FOR g IN 1..1000 LOOP UPDATE $t SET v = v + 1 WHERE id = g * 37; END LOOP; END \$\$") "
    done
done
med() { printf '%s\n' $1 | median; }
noise() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {printf "%.3f", (a[NR]-a[1])/2}'; }
per_row() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {printf "%+.2f µs", (a - b) * 1000 / n}'; }
line() {
    local name=$1 n=$2; local -n m=$3
    local p w r
    p=$(med "${m[plain]}"); w=$(med "${m[trig]}"); r=$(med "${m[walt]}")
    printf '| %s | %s | %s | %s | %s | %s | ±%s µs |\n' "$name" "$p" "$w" "$r" "$(per_row "$w" "$p" "$n")" "$(per_row "$r" "$p" "$n")" \
        "$(awk -v x="$(noise "${m[plain]}")" -v n="$n" 'BEGIN {printf "%.2f", x * 1000 / n}')"
}
echo "| writes ($rounds rounds, median) | no stream table (ms) | triggers (ms) | WAL (ms) | triggers add per row | WAL adds per row | noise per row |"
echo "|---|---:|---:|---:|---:|---:|---:|"
line "INSERT … SELECT of 100,000 rows" 100000 bulk
line "1,000 single-row INSERT statements" 1000 single
line "1,000 single-row UPDATE statements" 1000 update

# A refresh after one changed row, in one session (median of 20): a refresh reading a WAL
# source first decodes what committed before its snapshot.
refresh_ms() {
    { echo '\timing on'; for _ in $(seq 1 21); do
        echo "UPDATE $1 SET v = v + 1 WHERE id = 74;"; echo "SELECT pgtrickle.refresh_stream_table('${1}_sum');"; done; } |
        "${psql[@]}" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | awk 'NR % 2 == 0 && NR > 2' | median
}
set_schedule() {
    "${psql[@]}" -c "SELECT pgtrickle.alter_stream_table('trig_sum', schedule => '$1'), pgtrickle.alter_stream_table('walt_sum', schedule => '$1')" >/dev/null
}
set_schedule 24h # the scheduler leaves them alone meanwhile (it still decodes)
# The buffers held the rounds' rows (now trimmed): autovacuum would clear them in a minute.
"${psql[@]}" -c "VACUUM" >/dev/null
echo
echo "| refresh after 1 changed row (one session, median of 20) | triggers (ms) | WAL (ms) |"
echo "|---|---:|---:|"
printf '| aggregate over 101,000 rows | %s | %s |\n' "$(refresh_ms trig)" "$(refresh_ms walt)"
set_schedule 1s

# Latency at schedule '1s': one change committed at a random moment, then polled every 2 ms.
latency() {
    local t=$1 out=()
    for _ in $(seq 1 20); do
        sleep "0.$(( RANDOM % 1000 ))"
        out+=("$("${psql[@]}" 2>&1 <<SQL | sed -n 's/.*NOTICE: *//p' | tail -1
UPDATE $t SET v = v + 1 WHERE id = 74;
$(pgt_ms_until "(SELECT s FROM ${t}_sum WHERE k = 74) = (SELECT sum(v) FROM $t WHERE k = 74)")
SQL
)")
    done
    printf '%s\n' "${out[@]}" > "$dir/latency_$t"
    printf '| %s | %s | %s |\n' "$2" "$(median < "$dir/latency_$t")" "$(sort -g "$dir/latency_$t" | tail -1)"
}
echo
echo "| commit → stream table shows it, schedule '1s' (20 changes) | median (ms) | highest (ms) |"
echo "|---|---:|---:|"
latency trig "triggers"
latency walt "WAL"

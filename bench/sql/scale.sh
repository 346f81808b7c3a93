#!/usr/bin/env bash
# Many stream tables in one database: bench/sql/scale.sh [count] [busy] [seconds]
# Starts a throwaway PostgreSQL with pg_trickle and `count` stream tables (default 1000):
# `busy` of them (default 100) in chains of two over a table a writer changes ten times a
# second (schedule 1s, the second of each chain 'calculated'), the rest idle, in diamonds of
# three (two sides over one table that never changes, a third joining them; schedules 1s to 1m).
# Reports how long creating them took, the CPU the server used while only the idle ones existed
# to be watched (no write: `seconds`, default 60), and while the writer ran (`seconds` again):
# CPU as a share of one core (the postmaster's children, background workers included), and the
# busy stream tables' lateness past their schedule (p50, p95, max).
set -euo pipefail
count="${1:-1000}"
busy="${2:-100}"
seconds="${3:-60}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_cluster pgt_bench_scale "pg_trickle.scheduler_interval_ms = 100
max_worker_processes = 16
max_locks_per_transaction = 256"

"${psql[@]}" >/dev/null <<'SQL'
CREATE EXTENSION pg_trickle;
CREATE TABLE hot (id int PRIMARY KEY, g int, v int);
INSERT INTO hot SELECT i, i % 20, i FROM generate_series(1, 2000) i;
CREATE TABLE cold (id int PRIMARY KEY, g int, v int);
INSERT INTO cold SELECT i, i % 20, i FROM generate_series(1, 2000) i;
SQL

# Created 100 to a transaction, as a migration would (one transaction creating thousands of
# relations spends most of its time processing its own catalog invalidations).
batched() { # $1: how many, $2: statement with :lo and :hi for generate_series(:lo, :hi) i
    local lo
    for ((lo = 1; lo <= $1; lo += 100)); do
        local hi=$((lo + 99 < $1 ? lo + 99 : $1))
        echo "${2//:lo/$lo}" | sed "s/:hi/$hi/g"
    done
}
start=$(date +%s.%N)
{
    batched $((busy / 2)) "SELECT pgtrickle.create_stream_table('busy_a_' || i, 'SELECT id, g, v FROM hot WHERE id % $busy = ' || (i % $busy), schedule => '1s') FROM generate_series(:lo, :hi) i;"
    batched $((busy / 2)) "SELECT pgtrickle.create_stream_table('busy_b_' || i, 'SELECT g, count(*) AS n, sum(v) AS total FROM busy_a_' || i || ' GROUP BY g', schedule => 'calculated') FROM generate_series(:lo, :hi) i;"
    batched $(((count - busy) / 3)) "SELECT pgtrickle.create_stream_table('idle_l_' || i, 'SELECT id, g, v FROM cold WHERE id % 7 = ' || (i % 7), schedule => (ARRAY['1s', '5s', '30s', '1m'])[1 + i % 4]) FROM generate_series(:lo, :hi) i;"
    batched $(((count - busy) / 3)) "SELECT pgtrickle.create_stream_table('idle_r_' || i, 'SELECT g, count(*) AS n FROM cold GROUP BY g', schedule => (ARRAY['1s', '5s', '30s', '1m'])[1 + i % 4]) FROM generate_series(:lo, :hi) i;"
    batched $(((count - busy) / 3)) "SELECT pgtrickle.create_stream_table('idle_j_' || i, 'SELECT l.g, count(*) AS listed, min(r.n) AS n FROM idle_l_' || i || ' l JOIN idle_r_' || i || ' r USING (g) GROUP BY l.g', schedule => 'calculated') FROM generate_series(:lo, :hi) i;"
} | "${psql[@]}" >/dev/null
created=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
made=$("${psql[@]}" -c "SELECT count(*) FROM pgtrickle.pgt_stream_tables")

# CPU seconds the postmaster's children used so far: those alive, and those that ended.
postmaster=$(head -1 "$dir/data/postmaster.pid")
cpu_seconds() {
    local tick total=0
    tick=$(getconf CLK_TCK)
    for pid in $(pgrep -P "$postmaster"); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    total=$((total + $(awk '{print $16 + $17}' "/proc/$postmaster/stat")))
    awk -v t="$total" -v k="$tick" 'BEGIN {printf "%.2f", t / k}'
}

sleep 10 # the first refreshes after creation settle
c0=$(cpu_seconds)
sleep "$seconds"
c1=$(cpu_seconds)
idle_share=$(awk -v a="$c0" -v b="$c1" -v s="$seconds" 'BEGIN {printf "%.1f", 100 * (b - a) / s}')

from=$("${psql[@]}" -c "SELECT clock_timestamp()")
c0=$(cpu_seconds)
pgt_writer_sql hot 2000 "$seconds" | "${psql[@]}" >/dev/null
c1=$(cpu_seconds)
to=$("${psql[@]}" -c "SELECT clock_timestamp()")
busy_share=$(awk -v a="$c0" -v b="$c1" -v s="$seconds" 'BEGIN {printf "%.1f", 100 * (b - a) / s}')
read -r p50 p95 worst refreshes <<<"$(pgt_lateness_sql 'busy_a_%' "$from" "$to" | "${psql[@]}" -F ' ')"
echo "| stream tables | created in (s) | CPU, idle ones only (% of a core) | CPU with $busy busy (% of a core) | busy refreshes | lateness p50 / p95 / max (ms) |"
echo "|---:|---:|---:|---:|---:|---|"
echo "| $made | $created | $idle_share | $busy_share | $refreshes | $p50 / $p95 / $worst |"

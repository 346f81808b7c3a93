#!/usr/bin/env bash
# Refresh cost against change size, one command: bench/sql/sweep.sh [rows] [out-dir]
# Starts a throwaway PostgreSQL (wal_level = logical) with pg_trickle, loads `rows` orders
# (default 1,000,000) and 100,000 customers twice — one copy captured by triggers, one from the
# WAL — and for three queries (an aggregate of 1,000 groups, a join + aggregate, a filter keeping
# 43 % of the rows) and five change sizes (10 rows, 0.1 %, 1 %, 10 %, 50 % of the orders
# updated) times, after the same change, side by side in one long-lived session:
# REFRESH MATERIALIZED VIEW, and a FULL, a DIFFERENTIAL and an AUTO stream table's refresh
# (median of 3 rounds; sizes in increasing order, as AUTO learns its costs from its own
# refreshes). Checks that all four agree after every round. Writes sweep.tsv, auto_choices (each
# AUTO refresh's action, ms and reason) and, with gnuplot, sweep.png (milliseconds against the
# changed share) to out-dir (default: a temporary folder),
# and prints a Markdown table (docs/PERFORMANCE.md).
# SWEEP_SIZES (orders updated, e.g. "10") and SWEEP_ROUNDS (default 3) narrow or lengthen it:
# SWEEP_SIZES=10 SWEEP_ROUNDS=15 times the 10-row cells alone, as medians of 15.
set -euo pipefail
rows="${1:-1000000}"
out="${2:-$(mktemp -d /tmp/pgt_sweep_XXXXXX)}"
mkdir -p "$out"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_cluster pgt_sweep "$pgt_bulk_settings
$pgt_wal_settings"

load() { # $1: table suffix, $2: cdc mode
    cat <<SQL
CREATE TABLE customers$1 (id int PRIMARY KEY, name text, segment text);
INSERT INTO customers$1 SELECT i, 'c' || i, 'seg' || (i % 20) FROM generate_series(1, 100000) i;
CREATE TABLE orders$1 (id bigint PRIMARY KEY, customer_id int, region text, amount numeric(10,2), created date);
INSERT INTO orders$1 SELECT i, 1 + ((i::bigint * 7919) % 100000)::int, 'r' || (i % 1000), (i % 10000) / 100.0,
  DATE '2024-01-01' + (i % 365) FROM generate_series(1, $rows) i;
SQL
    for shape in agg join filter; do
        local q
        q=$(query "$shape" "$1")
        echo "CREATE MATERIALIZED VIEW mv_$shape$1 AS $q;"
        for mode in full diff auto; do
            local m=${mode^^}
            [ "$m" = DIFF ] && m=DIFFERENTIAL
            echo "SELECT pgtrickle.create_stream_table('${mode}_$shape$1', \$q\$$q\$q\$, refresh_mode => '$m', schedule => '24h', cdc_mode => '$2');"
        done
    done
}
query() { # $1: shape, $2: table suffix
    case "$1" in
    agg) echo "SELECT region, count(*) AS orders, sum(amount) AS revenue, avg(amount) AS avg_amount FROM orders$2 GROUP BY region" ;;
    join) echo "SELECT c.segment, count(*) AS orders, sum(o.amount) AS revenue FROM orders$2 o JOIN customers$2 c ON c.id = o.customer_id GROUP BY c.segment" ;;
    filter) echo "SELECT id, customer_id, region, amount, created FROM orders$2 WHERE amount >= 57" ;;
    esac
}
columns() { case "$1" in agg) echo "region, orders, revenue, avg_amount" ;; join) echo "segment, orders, revenue" ;; *) echo "id, customer_id, region, amount, created" ;; esac; }

echo "loading twice $rows orders ..." >&2
{ echo "CREATE EXTENSION pg_trickle;"; load "" trigger; load _w wal; echo "VACUUM ANALYZE;"; } | "${psql[@]}" >/dev/null
pgt_await_wal_capture 2 "the _w sources"

read -r -a sizes <<< "${SWEEP_SIZES:-10 $((rows / 1000)) $((rows / 100)) $((rows / 10)) $((rows / 2))}"
script="$out/sweep.sql"
labels="$out/labels"
: > "$script"; : > "$labels"
timed() { printf '\\timing on\n%s;\n\\timing off\n' "$2" >> "$script"; echo "$1" >> "$labels"; }
# The first refresh in a session compiles the query: once for each before the sweep.
for s in "" _w; do for shape in agg join filter; do for mode in full diff auto; do
    echo "SELECT pgtrickle.refresh_stream_table('${mode}_$shape$s');" >> "$script"
done; done; done
start=0
for size in "${sizes[@]}"; do
    for _ in $(seq 1 "${SWEEP_ROUNDS:-3}"); do
        for s in "" _w; do
            capture=$([ -z "$s" ] && echo trigger || echo wal)
            # `size` orders updated: a deletion and an insertion each in the change buffers.
            echo "UPDATE orders$s SET amount = amount + 0.01 WHERE id > $start AND id <= $((start + size));" >> "$script"
            for shape in agg join filter; do
                timed "$capture $shape $size mv" "REFRESH MATERIALIZED VIEW mv_$shape$s"
                for mode in full diff auto; do
                    timed "$capture $shape $size $mode" "SELECT pgtrickle.refresh_stream_table('${mode}_$shape$s')"
                done
                cols=$(columns "$shape")
                echo "SELECT 'differ $capture $shape', count(*) FROM ((SELECT $cols FROM mv_$shape$s EXCEPT ALL SELECT $cols FROM diff_$shape$s) UNION ALL (SELECT $cols FROM diff_$shape$s EXCEPT ALL SELECT $cols FROM mv_$shape$s) UNION ALL (SELECT $cols FROM full_$shape$s EXCEPT ALL SELECT $cols FROM mv_$shape$s) UNION ALL (SELECT $cols FROM auto_$shape$s EXCEPT ALL SELECT $cols FROM mv_$shape$s) UNION ALL (SELECT $cols FROM mv_$shape$s EXCEPT ALL SELECT $cols FROM auto_$shape$s)) x HAVING count(*) > 0;" >> "$script"
            done
        done
        start=$(((start + size) % (rows - size + 1)))
    done
done
echo "running the sweep ..." >&2
result="$out/result"
"${psql[@]}" -f "$script" > "$result"
if grep -q '^differ' "$result"; then grep '^differ' "$result" >&2; echo "results differ from the materialized view" >&2; exit 1; fi
paste -d' ' "$labels" <(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$result") > "$out/times"
# What each AUTO refresh chose and why, in order (auto_choices): the cells' medians hide it.
"${psql[@]}" -F $'\t' -c "SELECT s.pgt_name, h.action, round(extract(epoch FROM h.end_time - h.start_time) * 1000, 1), h.delta_row_count, h.refresh_reason
    FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name LIKE 'auto%' ORDER BY h.refresh_id" > "$out/auto_choices"

# capture shape size kind → median ms
tsv="$out/sweep.tsv"
printf 'capture\tshape\tchanged\tshare\tmv\tfull\tdiff\tauto\n' > "$tsv"
for capture in trigger wal; do for shape in agg join filter; do for size in "${sizes[@]}"; do
    row=("$capture" "$shape" "$size" "$(awk -v n="$size" -v r="$rows" 'BEGIN {printf "%g", n / r}')")
    for kind in mv full diff auto; do
        row+=("$(awk -v c="$capture" -v s="$shape" -v z="$size" -v k="$kind" '$1 == c && $2 == s && $3 == z && $4 == k {print $5}' "$out/times" | median)")
    done
    (IFS=$'\t'; echo "${row[*]}") >> "$tsv"
done; done; done

echo "| capture | query | orders updated | REFRESH MV (ms) | FULL (ms) | DIFFERENTIAL (ms) | AUTO (ms) | FULL / MV | AUTO / best |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
awk -F'\t' 'NR > 1 {best = $6 < $7 ? $6 : $7
    printf "| %s | %s | %s | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f |\n", $1, $2, $3, $5, $6, $7, $8, $6 / $5, $8 / best}' "$tsv"

if command -v gnuplot >/dev/null && [ "${#sizes[@]}" -gt 1 ]; then
    gnuplot <<PLOT
set terminal pngcairo size 1500,900 font ",11"
set output "$out/sweep.png"
set datafile separator "\t"
set logscale xy
set format x "%g"
set xlabel "share of the 1,000,000 orders updated"
set ylabel "refresh (ms)"
set key top left
set multiplot layout 2,3 title "Refresh cost against change size (bench/sql/sweep.sh, median of 3)"
do for [c in "trigger wal"] { do for [s in "agg join filter"] {
    set title sprintf("%s, %s capture", s, c)
    plot "$tsv" using (strcol(1) eq c && strcol(2) eq s ? \$4 : NaN):5 with linespoints title "REFRESH MV", \
         "" using (strcol(1) eq c && strcol(2) eq s ? \$4 : NaN):6 with linespoints title "FULL", \
         "" using (strcol(1) eq c && strcol(2) eq s ? \$4 : NaN):7 with linespoints title "DIFFERENTIAL", \
         "" using (strcol(1) eq c && strcol(2) eq s ? \$4 : NaN):8 with linespoints dashtype 2 title "AUTO"
} }
unset multiplot
PLOT
    echo >&2 "chart: $out/sweep.png"
fi
echo >&2 "figures: $tsv"

#!/usr/bin/env bash
# TPC-H benchmark, one command: bench/tpch/bench.sh [scale factor, default 1]
# Starts a throwaway PostgreSQL with pg_trickle (installed; the background scheduler off),
# loads TPC-H with bench/tpch's generator (tpchgen, built with everything else) and, for each of
# the 22 queries, keeps three copies: a stream table in AUTO mode (DIFFERENTIAL), one in FULL
# mode and a materialized view. After a warm-up round, each of three rounds applies one batch of
# refresh functions (RF1: SF × 1500 new orders with their line items; RF2: SF × 1500 orders
# deleted) and then times, side by side in one session, the DIFFERENTIAL refresh, the FULL
# refresh and REFRESH MATERIALIZED VIEW of every query. Prints a Markdown report with the
# medians of the three rounds and, per query, the rows the differential refresh changed.
set -euo pipefail
sf="${1:-1}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
gen="${PGT_TPCHGEN:-$here/../../build/bench/tpch/tpchgen}"
[ -x "$gen" ] || { echo "tpchgen not found at $gen (build the project first)" >&2; exit 1; }
source "$here/../lib/cluster.sh"
pgt_start_cluster pgt_tpch "pg_trickle.enabled = off
shared_buffers = 4GB
work_mem = 64MB
maintenance_work_mem = 1GB
effective_cache_size = 16GB
max_wal_size = 16GB"

echo "loading TPC-H at SF $sf ..." >&2
start=$(date +%s)
{ echo "CREATE EXTENSION pg_trickle;"; "$gen" --sf "$sf" load; echo "VACUUM ANALYZE;"; } | "${psql[@]}" >/dev/null
echo "loaded in $(( $(date +%s) - start )) s" >&2

queries=()
for f in "$here"/queries/q*.sql; do queries+=("$(basename "${f%.sql}")"); done
query_text() { sed '/^--/d' "$here/queries/$1.sql"; }

echo "creating stream tables and materialized views ..." >&2
{
    echo "SET client_min_messages = warning;"
    for q in "${queries[@]}"; do
        echo "SELECT pgtrickle.create_stream_table('${q}_diff', \$q\$$(query_text "$q")\$q\$, schedule => '24h');"
        echo "SELECT pgtrickle.create_stream_table('${q}_full', \$q\$$(query_text "$q")\$q\$, schedule => '24h', refresh_mode => 'FULL');"
        echo "CREATE MATERIALIZED VIEW ${q}_mv AS $(query_text "$q");"
    done
} | "${psql[@]}" >/dev/null
"${psql[@]}" -c "SELECT pgt_name || ': ' || refresh_mode || coalesce(' (' || downgrade_reason || ')', '')
                 FROM pgtrickle.pgt_stream_tables WHERE pgt_name LIKE '%\_diff' AND refresh_mode <> 'DIFFERENTIAL'" >&2

# One session: a refresh batch, then every query's three refreshes, each line of output
# tagged so that psql's timings can be told apart.
session() {
    for round in "$@"; do
        echo "\\timing off"
        "$gen" --sf "$sf" refresh "$round" | grep -v '^UPDATE\|^ANALYZE'
        echo "\\timing on"
        for q in "${queries[@]}"; do
            echo "\\echo ROUND $round $q diff"
            echo "SELECT pgtrickle.refresh_stream_table('${q}_diff');"
            echo "\\echo ROUND $round $q full"
            echo "SELECT pgtrickle.refresh_stream_table('${q}_full');"
            echo "\\echo ROUND $round $q mv"
            echo "REFRESH MATERIALIZED VIEW ${q}_mv;"
        done
    done
}
echo "refreshing: a warm-up round and three timed rounds ..." >&2
session 1 2 3 4 | "${psql[@]}" 2>&1 | awk '
    /^ROUND/ { key = $2 " " $3 " " $4; next }
    /^Time:/ { if (key != "") print key, $2; key = "" }' >"$dir/times"

rows_changed() {
    "${psql[@]}" -c "SELECT rows_inserted + rows_deleted FROM pgtrickle.pgt_refresh_history h
                     JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = '$1_diff'
                     AND action = 'DIFFERENTIAL' ORDER BY refresh_id DESC LIMIT 1"
}

echo "## TPC-H SF $sf: refresh after one RF1 + RF2 batch (median of 3 rounds)"
echo
echo "| query | DIFFERENTIAL | FULL | REFRESH MATERIALIZED VIEW | FULL / DIFF | MV / DIFF | rows changed |"
echo "|---|---|---|---|---|---|---|"
faster=0
ratios=()
for q in "${queries[@]}"; do
    d=$(awk -v q="$q" '$1 > 1 && $2 == q && $3 == "diff" {print $4}' "$dir/times" | median)
    f=$(awk -v q="$q" '$1 > 1 && $2 == q && $3 == "full" {print $4}' "$dir/times" | median)
    m=$(awk -v q="$q" '$1 > 1 && $2 == q && $3 == "mv" {print $4}' "$dir/times" | median)
    rf=$(awk -v a="$f" -v b="$d" 'BEGIN {printf "%.1f", a / b}')
    rm=$(awk -v a="$m" -v b="$d" 'BEGIN {printf "%.1f", a / b}')
    ratios+=("$rf")
    awk -v a="$f" -v b="$d" 'BEGIN {exit !(b < a)}' && faster=$((faster + 1))
    printf '| %s | %.1f ms | %.1f ms | %.1f ms | %s× | %s× | %s |\n' "$q" "$d" "$f" "$m" "$rf" "$rm" "$(rows_changed "$q")"
done
echo
echo "DIFFERENTIAL faster than FULL on $faster of ${#queries[@]} queries; median FULL / DIFFERENTIAL ratio" \
     "$(printf '%s\n' "${ratios[@]}" | median)×."
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)," \
     "PostgreSQL $("$bin/postgres" --version | awk '{print $3}')."

#!/usr/bin/env bash
# The aggregate's 10-row refresh in five arrangements of one session, on the cluster that
#   PGT_CITUS_KEEP=1 bench/citus/bench.sh [rows] [workers] [rounds]
# left running (port 9800): right after REFRESH MATERIALIZED VIEW (view), after it and 0.2 s
# (view,sleep), after 0.2 s alone (sleep), right after the change (nothing), and with 0.2 s on
# both sides of the view (sleep,view,sleep). Prints the median and range of `rounds` refreshes
# each (default 10, in two passes over the arrangements). Tells what a refresh right after the
# view pays: the view's own work, or the cluster settling after it.
set -euo pipefail
rounds="${1:-10}"
psql=(psql -X -q -At -h localhost -p 9800 -U postgres -d postgres -v ON_ERROR_STOP=1)
declare -A before=(
    [view]="REFRESH MATERIALIZED VIEW mv_agg;"
    [view,sleep]="REFRESH MATERIALIZED VIEW mv_agg; SELECT pg_sleep(0.2);"
    [sleep]="SELECT pg_sleep(0.2);"
    [nothing]=""
    [sleep,view,sleep]="SELECT pg_sleep(0.2); REFRESH MATERIALIZED VIEW mv_agg; SELECT pg_sleep(0.2);"
)
arrangements=(view view,sleep sleep nothing sleep,view,sleep)
script=$(mktemp)
trap 'rm -f "$script"' EXIT
{
    echo "SELECT pgtrickle.refresh_stream_table('st_agg');"
    r=0
    for _ in 1 2; do
        for a in "${arrangements[@]}"; do
            for _ in $(seq 1 $(( (rounds + 1) / 2 ))); do
                r=$((r + 1))
                c=$((1 + r * 7919 % 100000))
                echo "UPDATE orders SET amount = amount + 0.01 WHERE customer_id = $c AND id IN (SELECT id FROM orders WHERE customer_id = $c ORDER BY id LIMIT 10);"
                echo "${before[$a]}"
                echo "\\echo $a"
                echo '\timing on'
                echo "SELECT pgtrickle.refresh_stream_table('st_agg');"
                echo '\timing off'
            done
        done
    done
} >"$script"
times=$("${psql[@]}" -f "$script" | awk '
    /^Time:/ { if (key != "") print key, $2; key = ""; next }
    /^[a-z,]+$/ { key = $1 }')
echo "| before the refresh | refresh (ms): median | range |"
echo "|---|---:|---|"
for a in "${arrangements[@]}"; do
    awk -v a="$a" '$1 == a {print $2}' <<<"$times" | sort -g | awk -v a="$a" '
        { v[NR] = $1 }
        END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "| %s | %.1f | %.1f–%.1f |\n", a, m, v[1], v[NR] }'
done

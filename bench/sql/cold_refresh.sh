#!/usr/bin/env bash
# A small refresh when its session was busy with something else first: bench/sql/cold_refresh.sh [rounds]
# Starts a throwaway PostgreSQL with pg_trickle (installed), loads 1,000,000 orders, and creates
# a materialized view, a FULL and a DIFFERENTIAL stream table of one aggregate (1,000 groups).
# Times, in one session, the DIFFERENTIAL refresh after a 10-order update (median of `rounds`,
# default 25, psql's \timing) in four settings:
#   back to back      each round's refresh right after its update, round after round
#   after 200 ms idle the session sleeps 200 ms between the update and the refresh
#   after the view    REFRESH MATERIALIZED VIEW and the FULL refresh between them, as
#                     bench/sql/sweep.sh times its cells
#   nothing pending   a refresh with no change, back to back and after 200 ms idle
# and, as a control, a plain 10-row UPDATE of a table no stream table reads, back to back and
# after 200 ms idle; and prints them with the view's refresh. The refresh does the same work in each; what differs
# is what the machine kept of it (caches) since the last one.
set -euo pipefail
rounds="${1:-25}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_orders pgt_cold_refresh
"${psql[@]}" >/dev/null <<SQL
CREATE MATERIALIZED VIEW mv AS $region_totals;
SELECT pgtrickle.create_stream_table('full_st', \$q\$$region_totals\$q\$, refresh_mode => 'FULL', schedule => '24h');
SELECT pgtrickle.create_stream_table('diff_st', \$q\$$region_totals\$q\$, refresh_mode => 'DIFFERENTIAL', schedule => '24h');
CREATE TABLE plain (id int PRIMARY KEY, v int);
INSERT INTO plain SELECT i, 0 FROM generate_series(1, 10000) i;
VACUUM ANALYZE;
SQL
refresh="SELECT pgtrickle.refresh_stream_table('diff_st')"
update() { echo "UPDATE orders SET amount = amount + 0.01 WHERE id > $1 AND id <= $(($1 + 10));"; }
script=$(
    # (The first refresh in a session plans its statements: once before the rounds.)
    echo "$refresh;"
    for k in $(seq 1 "$rounds"); do update $((k * 1000)); pgt_labelled back_to_back "$refresh"; done
    for k in $(seq 1 "$rounds"); do update $((300000 + k * 1000)); echo "SELECT pg_sleep(0.2);"; pgt_labelled after_idle "$refresh"; done
    for k in $(seq 1 "$rounds"); do
        update $((600000 + k * 1000))
        pgt_labelled view "REFRESH MATERIALIZED VIEW mv"
        echo "SELECT pgtrickle.refresh_stream_table('full_st');"
        pgt_labelled after_view "$refresh"
    done
    for k in $(seq 1 "$rounds"); do pgt_labelled nothing_back_to_back "$refresh"; done
    for k in $(seq 1 "$rounds"); do echo "SELECT pg_sleep(0.2);"; pgt_labelled nothing_after_idle "$refresh"; done
    plain() { echo "UPDATE plain SET v = v + 1 WHERE id > $1 AND id <= $(($1 + 10))"; }
    for k in $(seq 1 "$rounds"); do pgt_labelled plain_update_back_to_back "$(plain $((k * 20)))"; done
    for k in $(seq 1 "$rounds"); do echo "SELECT pg_sleep(0.2);"; pgt_labelled plain_update_after_idle "$(plain $((k * 20)))"; done
)
times=$("${psql[@]}" <<< "$script" | pgt_label_times)
echo "| refresh | ms (median of $rounds) |"
echo "|---|---:|"
for label in view back_to_back after_idle after_view nothing_back_to_back nothing_after_idle plain_update_back_to_back plain_update_after_idle; do
    echo "| $label | $(pgt_label_median "$label" <<< "$times") |"
done

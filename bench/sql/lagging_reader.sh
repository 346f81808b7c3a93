#!/usr/bin/env bash
# A small refresh beside a reader that lags: bench/sql/lagging_reader.sh [held-orders] [rounds]
# Starts a throwaway PostgreSQL with pg_trickle (installed), loads 1,000,000 orders, and creates
# two DIFFERENTIAL stream tables of one aggregate (1,000 groups): `fast`, refreshed after every
# change, and `daily`, which lags. Updates `held-orders` orders (default 250,000: twice as many
# records stay in the buffer for `daily`), refreshes `fast` once, then times `rounds` (default
# 15) 10-order updates each followed by a refresh of `fast`; then refreshes `daily` (the buffer
# is emptied) and times as many rounds again. Prints the medians (psql's \timing) of both.
set -euo pipefail
held="${1:-250000}"
rounds="${2:-15}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_orders pgt_lagging_reader
"${psql[@]}" >/dev/null <<SQL
SELECT pgtrickle.create_stream_table('fast', \$q\$$region_totals\$q\$, refresh_mode => 'DIFFERENTIAL', schedule => '24h');
SELECT pgtrickle.create_stream_table('daily', \$q\$$region_totals\$q\$, refresh_mode => 'DIFFERENTIAL', schedule => '24h');
VACUUM ANALYZE;
UPDATE orders SET amount = amount + 0.01 WHERE id <= $held;
SELECT pgtrickle.refresh_stream_table('fast');
SQL
# `rounds` 10-order updates from order `first` on, each followed by a timed refresh of `fast`:
# the median in ms.
timed_rounds() {
    local script
    script=$(for k in $(seq 1 "$rounds"); do
        echo "UPDATE orders SET amount = amount + 0.01 WHERE id > $(($1 + k * 1000)) AND id <= $(($1 + k * 1000 + 10));"
        printf '\\timing on\nSELECT pgtrickle.refresh_stream_table(%s);\n\\timing off\n' "'fast'"
    done)
    "${psql[@]}" <<< "$script" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | median
}
records=$("${psql[@]}" -c "SELECT pg_catalog.count(*) FROM pgtrickle_changes.changes_$("${psql[@]}" -c "SELECT 'orders'::regclass::oid")")
behind=$(timed_rounds 500000)
"${psql[@]}" -c "SELECT pgtrickle.refresh_stream_table('daily')" >/dev/null
sleep 2 # (the scheduler empties the buffer every reader has applied)
caught_up=$(timed_rounds 700000)
echo "10-order refresh of fast, median of $rounds: $behind ms with $records records held for daily; $caught_up ms once daily caught up"

#!/usr/bin/env bash
# What the WAL decoder spends following other tables' bulk writes: bench/sql/decoder_cpu.sh [rounds]
# Starts a throwaway PostgreSQL (wal_level = logical) with one source captured from the WAL
# (`w`, read by a stream table) and one table no stream table reads (`bulk`). Each round
# inserts 200,000 rows into `bulk`, writes 10 rows of `w`, updates a quarter of `bulk`, and
# refreshes the stream table. Prints the CPU time the database's decoder used over the rounds
# (default 8; from /proc/<pid>/stat) and whether the stream table is exact. Run it with each
# library installed to compare them (the figures in docs/PERFORMANCE.md).
set -euo pipefail
rounds="${1:-8}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_cluster pgt_bench_decoder "wal_level = logical
output_plugin_libraries = 'pgoutput, test_decoding, pg_trickle'
shared_buffers = 512MB
max_wal_size = 4GB"

"${psql[@]}" >/dev/null <<SQL
CREATE EXTENSION pg_trickle;
CREATE TABLE w (id int PRIMARY KEY, g int, v int);
CREATE TABLE bulk (id int, pad text);
SELECT pgtrickle.create_stream_table('w_sums', 'SELECT g, count(*) AS n, sum(v) AS s FROM w GROUP BY g',
                                     schedule => '24h', cdc_mode => 'wal');
SQL
decoder="SELECT pid FROM pg_catalog.pg_stat_activity WHERE backend_type = 'pg_trickle WAL decoder'"
for _ in $(seq 1 300); do [ -n "$("${psql[@]}" -c "$decoder")" ] && break; sleep 0.1; done
pid="$("${psql[@]}" -c "$decoder")"
[ -n "$pid" ] || { echo "no WAL decoder started" >&2; exit 1; }
"${psql[@]}" -c "SELECT pgtrickle.refresh_stream_table('w_sums')" >/dev/null
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before="$(ticks)"
for r in $(seq 1 "$rounds"); do
    "${psql[@]}" >/dev/null <<SQL
INSERT INTO bulk SELECT i, repeat('x', 40) FROM generate_series(1, 200000) i;
INSERT INTO w SELECT $r * 100 + i, i % 7, i FROM generate_series(1, 10) i;
UPDATE bulk SET pad = 'y' WHERE id % 4 = $((r % 4));
SELECT pgtrickle.refresh_stream_table('w_sums');
SQL
done
sleep 1 # (the decoder's pass after the last refresh)
after="$(ticks)"
exact="$("${psql[@]}" -c "SELECT count(*) = 0 FROM ((SELECT g, count(*) AS n, sum(v) AS s FROM w GROUP BY g) EXCEPT ALL (SELECT g, n, s FROM w_sums)) x")"
echo "decoder CPU over $rounds rounds: $(echo "scale=2; ($after - $before) / $(getconf CLK_TCK)" | bc) s; stream table exact: $exact"

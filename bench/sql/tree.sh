#!/usr/bin/env bash
# WITH RECURSIVE benchmark, one command: bench/sql/tree.sh
# Starts a throwaway PostgreSQL with pg_trickle (installed) and a tree of 100,001 nodes: a
# root, 1,000 branches under it, each the top of a subtree of 100 nodes (9 children with 10
# children each; depth 3). The stream table is every node's path from the root and its depth
# (WITH RECURSIVE … UNION ALL, as in the tutorial). Measured side by side, median of 7 rounds:
#   - insert one leaf, then refresh;
#   - delete one subtree of 100 nodes (a branch and its descendants), then refresh;
# each with REFRESH MATERIALIZED VIEW, pg_trickle FULL and DIFFERENTIAL, whose results are
# checked equal. DIFFERENTIAL is timed twice: in rounds of its own (change, refresh) and right
# after the two recomputations of the same change, which sweep the CPU caches and leave the
# disk writing back. Prints a Markdown table (recorded in docs/PERFORMANCE.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pgt_start_cluster pgt_tree "shared_buffers = 1GB
work_mem = 64MB"

echo "loading the tree ..." >&2
"${psql[@]}" >/dev/null <<'SQL'
CREATE EXTENSION pg_trickle;
CREATE TABLE nodes (id int PRIMARY KEY, parent_id int, name text NOT NULL, branch int);
INSERT INTO nodes VALUES (0, NULL, 'root', NULL);
INSERT INTO nodes SELECT b, 0, 'b' || b, b FROM generate_series(1, 1000) b;
INSERT INTO nodes SELECT 1000 + (b - 1) * 9 + j, b, 'm' || j, b FROM generate_series(1, 1000) b, generate_series(1, 9) j;
INSERT INTO nodes SELECT 10000 + (m - 1001) * 10 + k, m, 'l' || k, n.branch
FROM generate_series(1001, 10000) m JOIN nodes n ON n.id = m, generate_series(1, 10) k;
CREATE INDEX ON nodes (parent_id);
CREATE INDEX ON nodes (branch);
VACUUM ANALYZE;
SQL

q="WITH RECURSIVE tree AS (
  SELECT id, parent_id, name::text AS path, 0 AS depth FROM nodes WHERE parent_id IS NULL
  UNION ALL
  SELECT n.id, n.parent_id, tree.path || '/' || n.name, tree.depth + 1 FROM nodes n JOIN tree ON n.parent_id = tree.id)
SELECT id, parent_id, path, depth FROM tree"
cols="id, parent_id, path, depth"
"${psql[@]}" >/dev/null <<SQL
CREATE MATERIALIZED VIEW mv_tree AS $q;
SELECT pgtrickle.create_stream_table('full_tree', \$q\$$q\$q\$, refresh_mode => 'FULL', schedule => '24h');
SELECT pgtrickle.create_stream_table('diff_tree', \$q\$$q\$q\$, refresh_mode => 'DIFFERENTIAL', schedule => '24h');
SQL
# As autovacuum would after a bulk load: the first reader of a freshly written row otherwise
# pays for setting its hint bits (about 30 µs a row here), in whichever refresh touches it first.
"${psql[@]}" -c "VACUUM ANALYZE" >/dev/null

# Round 0 warms each session up and is not counted. The rounds of DIFFERENTIAL alone change
# other branches than the rounds side by side.
rounds() { # $1: offset of the branches and node ids, $2: the refreshes after each change
    for round in $(seq 0 7); do
        printf 'INSERT INTO nodes VALUES (%s, %s, %s, NULL);\n%s\n' "$((200000 + $1 + round))" "$((10001 + ($1 + round) * 37))" "'new'" "$2"
        printf 'DELETE FROM nodes WHERE branch = %s;\n%s\n' "$((round * 100 + 7 + $1))" "$2"
    done
}
timed() { printf '\\timing on\n%s\n\\timing off' "$1"; }
diff_refresh="SELECT pgtrickle.refresh_stream_table('diff_tree');"
rounds 50 "$(timed "$diff_refresh")" > "$dir/apart.sql"
rounds 0 "$(timed "REFRESH MATERIALIZED VIEW mv_tree;
SELECT pgtrickle.refresh_stream_table('full_tree');
$diff_refresh")" > "$dir/side.sql"
mapfile -t alone < <("${psql[@]}" -f "$dir/apart.sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
mapfile -t times < <("${psql[@]}" -f "$dir/side.sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
[ -z "${PGT_TREE_RAW:-}" ] || echo "alone: ${alone[*]}; side by side: ${times[*]}" >&2
declare -A col
for ((k = 2; k < ${#alone[@]}; k += 2)); do
    col[insert_diff]+="${alone[k]} "; col[delete_diff]+="${alone[k+1]} "
done
for ((k = 6; k < ${#times[@]}; k += 6)); do
    col[insert_mv]+="${times[k]} "; col[insert_full]+="${times[k+1]} "; col[insert_after]+="${times[k+2]} "
    col[delete_mv]+="${times[k+3]} "; col[delete_full]+="${times[k+4]} "; col[delete_after]+="${times[k+5]} "
done
m() { printf '%s\n' ${col[$1]} | median; }
differ=$("${psql[@]}" -c "SELECT count(*) FROM ((SELECT $cols FROM mv_tree EXCEPT ALL SELECT $cols FROM diff_tree)
    UNION ALL (SELECT $cols FROM diff_tree EXCEPT ALL SELECT $cols FROM mv_tree)
    UNION ALL (SELECT $cols FROM full_tree EXCEPT ALL SELECT $cols FROM mv_tree)) x")
[ "$differ" = 0 ] || { echo "results differ from the materialized view ($differ rows)" >&2; exit 1; }
rows=$("${psql[@]}" -c "SELECT count(*) FROM diff_tree")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f×", a / b}'; }
echo "| change ($rows paths) | REFRESH MATERIALIZED VIEW (ms) | pg_trickle FULL (ms) | pg_trickle DIFFERENTIAL (ms) | speed-up vs matview | DIFFERENTIAL right after a recomputation (ms) | speed-up |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for c in insert delete; do
    label="insert one leaf"; [ "$c" = delete ] && label="delete a subtree of 100 nodes"
    a=$(m "${c}_mv"); f=$(m "${c}_full"); d=$(m "${c}_diff"); x=$(m "${c}_after")
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$a" "$f" "$d" "$(ratio "$a" "$d")" "$x" "$(ratio "$a" "$x")"
done

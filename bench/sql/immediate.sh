#!/usr/bin/env bash
# IMMEDIATE mode's cost to writers, one command: bench/sql/immediate.sh [statements]
# Starts a throwaway PostgreSQL with pg_trickle (installed) and measures, side by side in one
# run, the latency of single-row INSERT / UPDATE / DELETE statements (pgbench, one client,
# `statements` of each, default 10,000; the four tables take turns, three rounds, median) and of a
# 10,000-row INSERT … SELECT (median of 5) on four copies of one 100,000-row orders table:
#   plain      no stream table
#   agg        an IMMEDIATE stream table: count and sum per customer
#   join       an IMMEDIATE stream table: count and sum per customer segment (orders ⋈ customers)
#   trigger    the per-customer summary kept by a hand-written PL/pgSQL row trigger (what users
#              write today instead)
#   ivm        the per-customer summary as a pg_ivm IMMV (pgivm.create_immv), when the server has
#              pg_ivm: installed from Debian (postgresql-<major>-pg-ivm, sid has it for 18) where
#              apt can, else left out
# Single-row statements are timed twice: with synchronous_commit = off (what maintenance costs the
# writer in CPU) and on (each commit also waits for its WAL flush, whose time on a virtual disk
# varies by more than the maintenance costs). They are timed a third way without the client: a
# procedure runs `statements` of each in a PL/pgSQL loop, committing each (synchronous_commit =
# off; five rounds, the tables taking turns, median), which leaves out the round trip to pgbench
# and the scheduling noise that comes with it (each session runs 20 statements first, untimed).
# A new connection's first statement also prepares what maintenance needs (catalog lookups, the
# statements' plans): timed apart, in a fresh session each (median of 5), it is why pgbench runs
# of few statements show a higher cost per statement. The server runs on CPU 0 (PGT_BENCH_CPUS, a
# taskset list; empty: anywhere), pgbench where the kernel puts it: on a 2-core virtual machine,
# a backend and the WAL writer its commits wake on different CPUs made each measurement land on
# one of two levels 50% apart. Autovacuum is off and each table and its summary are vacuumed
# before their runs: an autovacuum, on the same CPU, would slow whichever run it overlapped.
# Prints Markdown tables of latencies and the cost added over `plain` (recorded in
# docs/PERFORMANCE.md). bench/sql/immediate_instructions.sh counts the same statements'
# instructions instead.
set -euo pipefail
n="${1:-10000}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
pg_config_bin="${PGT_PG_BIN:-$(pgt_pg_bindir)}/pg_config"
ivm_lib="$("$pg_config_bin" --pkglibdir)/pg_ivm.so"
if [ ! -f "$ivm_lib" ] && command -v apt-get >/dev/null; then
    major="$("$pg_config_bin" --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')"
    apt-get install -y -qq -o Acquire::Check-Valid-Until=false "postgresql-$major-pg-ivm" >/dev/null 2>&1 || true
fi
tables=(plain agg join trigger)
preload="shared_preload_libraries = 'pg_trickle'"
if [ -f "$ivm_lib" ]; then
    tables+=(ivm)
    preload="shared_preload_libraries = 'pg_trickle, pg_ivm'"
else
    echo "pg_ivm is not installed for this PostgreSQL: measured without it" >&2
fi
pgt_start_cluster pgt_immediate "shared_buffers = 512MB
autovacuum = off
$preload" "${PGT_BENCH_CPUS-0}"

"${psql[@]}" >/dev/null -f "$(dirname "${BASH_SOURCE[0]}")/immediate_schema.sql"

pgbench_ms() { # latency average (ms) of `n` runs of the script on standard input, with $commit
    cat > "$dir/script.sql"
    PGOPTIONS="-c synchronous_commit=$commit" "${as_owner[@]}" "$bin/pgbench" -n -h "$dir" -U postgres -c 1 -t "$n" \
        -f "$dir/script.sql" postgres 2>/dev/null | sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p'
}
bulk_ms() { # median of 5 INSERT … SELECT of 10,000 rows
    local t=$1 times=()
    for i in 1 2 3 4 5; do
        times+=("$(printf '\\timing on\nINSERT INTO %s SELECT nextval(%s), 1 + g %% 1000, 5 FROM generate_series(1, 10000) g;\n' \
            "${t}_orders" "'ids'" | "${psql[@]}" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')")
    done
    printf '%s\n' "${times[@]}" | median
}

settle() { # before each table's runs: its dead rows and its summary's vacuumed, not left to autovacuum
    local summary=(); case $1 in agg | join | trigger | ivm) summary=(", $1_summary") ;; esac
    "${psql[@]}" -c "VACUUM $1_orders${summary[*]}" >/dev/null
}
declare -A runs ms
for commit in off on; do
    for round in 1 2 3; do
        for t in "${tables[@]}"; do
            settle "$t"
            runs[$commit,$t,insert]+="$(printf 'INSERT INTO %s VALUES (nextval(%s), 1 + (random() * 999)::int, 10);\n' "${t}_orders" "'ids'" | pgbench_ms) "
            runs[$commit,$t,update]+="$(printf '\\set id random(1, 100000)\nUPDATE %s SET amount = amount + 1 WHERE id = :id;\n' "${t}_orders" | pgbench_ms) "
            runs[$commit,$t,delete]+="$(printf 'DELETE FROM %s WHERE id = (SELECT max(id) FROM %s);\n' "${t}_orders" "${t}_orders" | pgbench_ms) "
        done
    done
    for t in "${tables[@]}"; do
        for s in insert update delete; do ms[$commit,$t,$s]=$(printf '%s\n' ${runs[$commit,$t,$s]} | median); done
    done
done
for t in "${tables[@]}"; do ms[bulk,$t]=$(bulk_ms "$t"); done
loop_ms() { # ms per statement of `n` run by the server-side loop
    printf 'SET synchronous_commit = off;\nCALL statements(%s, %s, 20);\n\\timing on\nCALL statements(%s, %s, %s);\n' \
        "'$1'" "'$2'" "'$1'" "'$2'" "$n" | "${psql[@]}" |
        sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | awk -v n="$n" '{printf "%.4f", $1 / n}'
}
for round in 1 2 3 4 5; do
    for t in "${tables[@]}"; do
        settle "$t"
        for s in insert update delete; do runs[loop,$t,$s]+="$(loop_ms "$t" "$s") "; done
    done
done
for t in "${tables[@]}"; do
    for s in insert update delete; do ms[loop,$t,$s]=$(printf '%s\n' ${runs[loop,$t,$s]} | median); done
done
first_ms() { # the first statement of a new session: an UPDATE of one row (one the loops left)
    printf '\\timing on\nUPDATE %s SET amount = amount + 1 WHERE id = (SELECT min(id) FROM %s);\n' "$1_orders" "$1_orders" |
        "${psql[@]}" |
        sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
for round in 1 2 3 4 5; do
    for t in "${tables[@]}"; do runs[first,$t]+="$(first_ms "$t") "; done
done
for t in "${tables[@]}"; do ms[first,$t]=$(printf '%s\n' ${runs[first,$t]} | median); done

# Rows of each summary that differ from its query, as a multiset (pg_ivm's only when measured).
mismatch() {
    echo "(SELECT count(*) FROM ((SELECT customer, n, total FROM $1_summary EXCEPT ALL SELECT customer, count(*), sum(amount)
      FROM $1_orders GROUP BY customer) UNION ALL (SELECT customer, count(*), sum(amount) FROM $1_orders GROUP BY customer
      EXCEPT ALL SELECT customer, n, total FROM $1_summary)) d)"
}
checks="$(mismatch agg) + $(mismatch trigger)"
[[ " ${tables[*]} " == *" ivm "* ]] && checks+=" + $(mismatch ivm)"
differ=$("${psql[@]}" -c "SELECT $checks")
[ "$differ" = 0 ] || { echo "summaries differ from their queries ($differ rows)" >&2; exit 1; }

added() { awk -v a="$1" -v b="$2" -v k="$3" 'BEGIN {printf "%.0f µs", (a - b) * 1000 / k}'; }
header() {
    echo
    echo "$1"
    echo
    if [ ${#tables[@]} -eq 5 ]; then
        echo "| statement | plain (ms) | IMMEDIATE aggregate (ms) | IMMEDIATE join + aggregate (ms) | PL/pgSQL trigger (ms) | pg_ivm aggregate (ms) | added: aggregate / join / trigger / pg_ivm |"
        echo "|---|---:|---:|---:|---:|---:|---|"
    else
        echo "| statement | plain (ms) | IMMEDIATE aggregate (ms) | IMMEDIATE join + aggregate (ms) | PL/pgSQL trigger (ms) | added: aggregate / join / trigger |"
        echo "|---|---:|---:|---:|---:|---|"
    fi
}
row() { # label, the key of ms[] before the table's name, rows per statement
    local p=${ms[$2plain]} a=${ms[$2agg]} j=${ms[$2join]} g=${ms[$2trigger]}
    if [ ${#tables[@]} -eq 5 ]; then
        local v=${ms[$2ivm]}
        printf '| %s | %s | %s | %s | %s | %s | %s / %s / %s / %s |\n' "$1" "$p" "$a" "$j" "$g" "$v" \
            "$(added "$a" "$p" "$3")" "$(added "$j" "$p" "$3")" "$(added "$g" "$p" "$3")" "$(added "$v" "$p" "$3")"
    else
        printf '| %s | %s | %s | %s | %s | %s / %s / %s |\n' "$1" "$p" "$a" "$j" "$g" \
            "$(added "$a" "$p" "$3")" "$(added "$j" "$p" "$3")" "$(added "$g" "$p" "$3")"
    fi
}
for commit in off on loop; do
    case $commit in
    loop) header "server-side loop, synchronous_commit = off:" ;;
    *) header "synchronous_commit = $commit:" ;;
    esac
    for s in insert update delete; do
        ms[$commit,plain]=${ms[$commit,plain,$s]} ms[$commit,agg]=${ms[$commit,agg,$s]}
        ms[$commit,join]=${ms[$commit,join,$s]} ms[$commit,trigger]=${ms[$commit,trigger,$s]} ms[$commit,ivm]=${ms[$commit,ivm,$s]:-}
        row "one-row $(echo "$s" | tr a-z A-Z)" "$commit," 1
    done
done
header "once per session, and in bulk:"
row "first UPDATE of a new session" "first," 1
row "INSERT … SELECT of 10,000 rows (per row)" "bulk," 10000

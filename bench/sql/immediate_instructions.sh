#!/usr/bin/env bash
# IMMEDIATE mode's cost to writers in CPU instructions: bench/sql/immediate_instructions.sh [statements]
# The schema of bench/sql/immediate.sh (bench/sql/immediate_schema.sql: plain, IMMEDIATE aggregate,
# IMMEDIATE join + aggregate, hand-written PL/pgSQL trigger), measured by counting the instructions
# a single-user backend (postgres --single) executes under valgrind's callgrind: the same count on
# every run of the same build, whatever else the machine does, where wall-clock latencies on a
# virtual machine move by more than the maintenance costs. Each figure is the instructions of a
# run of `statements` one-row statements (statements(t, kind, n): each one committed, 20 untimed
# first) minus those of a run of none, per statement; every run starts from the same copy of the
# data directory. It leaves out what the CPU does outside the backend (the WAL writer woken by
# each commit) and cache misses: the wall-clock figures stay bench/sql/immediate.sh's.
# Prints a Markdown table (recorded in docs/PERFORMANCE.md). About 5 minutes.
set -euo pipefail
n="${1:-1000}"
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
here="$(dirname "${BASH_SOURCE[0]}")"
source "$here/../lib/cluster.sh"
pgt_start_cluster pgt_instructions "shared_buffers = 128MB"
"${psql[@]}" >/dev/null -f "$here/immediate_schema.sql"
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -w stop >/dev/null
"${as_owner[@]}" cp -a "$dir/data" "$dir/pristine"

instructions() { # table kind count: the instructions of a single-user backend running them
    rm -rf "$dir/data"
    "${as_owner[@]}" cp -a "$dir/pristine" "$dir/data"
    printf "SET synchronous_commit = off\nCALL statements('%s', '%s', 20)\nCALL statements('%s', '%s', %s)\n" "$1" "$2" "$1" "$2" "$3" |
        "${as_owner[@]}" valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out" \
            "$bin/postgres" --single -D "$dir/data" -c shared_buffers=128MB postgres >/dev/null 2>"$dir/valgrind.log"
    awk '/^(summary|totals):/ {print $2; exit}' "$dir/callgrind.out"
}

declare -A per
for t in plain agg join trigger; do
    for s in insert update delete; do
        none=$(instructions "$t" "$s" 0)
        all=$(instructions "$t" "$s" "$n")
        per[$t,$s]=$(( (all - none) / n ))
    done
done

echo
echo "instructions per one-row statement (callgrind, single-user backend, $n statements):"
echo
echo "| statement | plain | IMMEDIATE aggregate | IMMEDIATE join + aggregate | PL/pgSQL trigger | added: aggregate / join / trigger |"
echo "|---|---:|---:|---:|---:|---|"
for s in insert update delete; do
    p=${per[plain,$s]} a=${per[agg,$s]} j=${per[join,$s]} g=${per[trigger,$s]}
    printf '| one-row %s | %s | %s | %s | %s | %dk / %dk / %dk |\n' "$(echo "$s" | tr a-z A-Z)" "$p" "$a" "$j" "$g" \
        $(( (a - p) / 1000 )) $(( (j - p) / 1000 )) $(( (g - p) / 1000 ))
done

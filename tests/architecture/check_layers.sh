#!/usr/bin/env bash
# The extension's subsystems depend on each other downward only (docs/ARCHITECTURE.md): a file
# in src/pgext/<layer>/ may include headers of its own layer and of the layers listed before it.
# And only pg/ talks to the server: no other file includes a PostgreSQL server header (or
# pg/postgres.hpp, which gathers them); they reach it through pg/'s plain C++ interfaces.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)/src/pgext}
layers=(pg catalog capture refresh immediate lifecycle scheduler api)
rank() { # a directory's place in the order; the module's own files (src/pgext/*.cpp) are on top
    local i
    for i in "${!layers[@]}"; do [[ ${layers[$i]} == "$1" ]] && { echo "$i"; return; }; done
    [[ $1 == . ]] && { echo "${#layers[@]}"; return; }
    echo -1
}
failures=0
while IFS= read -r file; do
    dir=$(dirname "${file#"$root"/}")
    own=$(rank "$dir")
    if ((own < 0)); then
        echo "$file: directory $dir/ has no place in the layering"; failures=$((failures + 1)); continue
    fi
    while IFS= read -r target; do
        theirs=$(rank "$target")
        if ((theirs > own)); then
            echo "$file: includes $target/, a layer above $dir/"; failures=$((failures + 1))
        fi
    done < <(sed -n 's|^#include "\([a-z_]*\)/.*"|\1|p' "$file")
done < <(find "$root" -name '*.[ch]pp' | sort)
# PostgreSQL's server headers: the top-level ones, and those of its include directories (in
# angle brackets: "catalog/…" in quotes is pg_trickle's own catalog/ layer).
server_header='^[[:space:]]*#[[:space:]]*include[[:space:]]*(<(postgres|postgres_ext|c|fmgr|funcapi|miscadmin|pgstat|pg_config|port|windowapi)\.h>|"(postgres|fmgr|funcapi|miscadmin|pgstat)\.h"|<(access|archive|backup|bootstrap|catalog|commands|common|datatype|executor|foreign|jit|lib|libpq|mb|nodes|optimizer|parser|partitioning|port|postmaster|regex|replication|rewrite|statistics|storage|tcop|tsearch|utils)/|"pg/postgres\.hpp")'
# pg/ headers that bring the server's headers with them (pg/guard.hpp, pg/function.hpp, …),
# found by following pg/'s own includes: only api/'s SQL-callable functions may include them
# (PG_FUNCTION_ARGS, PG_RETURN_*), the others use pg/'s plain C++ headers.
server_bearing=()
bears() { local h; for h in "${server_bearing[@]}"; do [[ $h == "$1" ]] && return 0; done; return 1; }
grown=1
while ((grown)); do
    grown=0
    for header in "$root"/pg/*.hpp; do
        name=pg/$(basename "$header")
        bears "$name" && continue
        bearing=0
        grep -Eq "$server_header" "$header" && bearing=1
        while IFS= read -r included; do bears "$included" && bearing=1; done < <(sed -n 's|^#include "\(pg/[a-z_]*\.hpp\)"|\1|p' "$header")
        if ((bearing)); then server_bearing+=("$name"); grown=1; fi
    done
done
while IFS= read -r file; do
    relative=${file#"$root"/}
    [[ $relative == pg/* ]] && continue
    while IFS= read -r line; do
        echo "$file: $line: PostgreSQL headers are pg/'s alone"; failures=$((failures + 1))
    done < <(grep -En "$server_header" "$file" | cut -d: -f1,2)
    [[ $relative == api/* ]] && continue
    while IFS= read -r included; do
        bears "$included" && { echo "$file: includes $included, which brings PostgreSQL's headers (api/ only)"; failures=$((failures + 1)); }
    done < <(sed -n 's|^#include "\(pg/[a-z_]*\.hpp\)"|\1|p' "$file")
done < <(find "$root" -name '*.[ch]pp' | sort)
if ((failures)); then echo "$failures violations"; exit 1; fi
echo "layers: every include in $root points downward, and only pg/ includes PostgreSQL's headers"

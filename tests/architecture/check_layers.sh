#!/usr/bin/env bash
# The extension's subsystems depend on each other downward only (docs/ARCHITECTURE.md): a file
# in src/pgext/<layer>/ may include headers of its own layer and of the layers listed before it.
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
if ((failures)); then echo "$failures upward includes"; exit 1; fi
echo "layers: every include in $root points downward"

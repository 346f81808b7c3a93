#!/usr/bin/env bash
# run_cases.sh PGTC SCHEMA CASES: runs `pgtc explain` on every case of the CASES file.
# A case starts with a line `-- expect N [text]`: pgtc must exit with N and, when given, print
# `text` (on stderr for failures, stdout otherwise); the query is the lines that follow.
set -uo pipefail
pgtc="$1"; schema="$2"; cases="$3"
failed=0; count=0
run_case() {
    local code="$1" text="$2" query="$3"
    [ -n "${query//[[:space:]]/}" ] || return 0
    count=$((count + 1))
    out="$("$pgtc" explain --schema "$schema" --query "$query" 2>&1)"
    got=$?
    if [ "$got" -ne "$code" ] || { [ -n "$text" ] && ! grep -qF -- "$text" <<<"$out"; }; then
        echo "FAILED (exit $got, expected $code${text:+ with \"$text\"}):"
        echo "$query"
        echo "$out" | head -5
        failed=$((failed + 1))
    fi
}
code=""; text=""; query=""
while IFS= read -r line || [ -n "$line" ]; do
    if [[ "$line" =~ ^--\ expect\ ([0-9]+)\ ?(.*)$ ]]; then
        [ -n "$code" ] && run_case "$code" "$text" "$query"
        code="${BASH_REMATCH[1]}"; text="${BASH_REMATCH[2]}"; query=""
    elif [[ ! "$line" =~ ^-- ]]; then
        query+="$line"$'\n'
    fi
done <"$cases"
[ -n "$code" ] && run_case "$code" "$text" "$query"
echo "$count cases, $failed failed"
[ "$count" -gt 0 ] && [ "$failed" -eq 0 ]

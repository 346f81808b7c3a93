#!/usr/bin/env bash
# Fails when a regress .sql file is missing from `schedule`, or `schedule` names a missing file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
status=0
listed="$(sed -n 's/^test: *//p' "$here/schedule" | tr ' ' '\n' | sed '/^$/d' | sort)"
present="$(cd "$here/sql" && ls *.sql 2>/dev/null | sed 's/\.sql$//' | sort)"
missing="$(comm -13 <(echo "$listed") <(echo "$present"))"
stale="$(comm -23 <(echo "$listed") <(echo "$present"))"
[ -z "$missing" ] || { echo "not in schedule: $missing"; status=1; }
[ -z "$stale" ] || { echo "in schedule but missing: $stale"; status=1; }
exit "$status"

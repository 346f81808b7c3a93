#!/usr/bin/env bash
# scripts/pg_root.sh MAJOR [COMMAND...]: makes (or reuses) the Debian root file system of
# PostgreSQL MAJOR (15: Debian 12, 17: Debian 13, 18: sid; see scripts/lib/pg_root.sh) with
# pg_trickle's build and test dependencies, and runs COMMAND there (default: a shell) in this
# clone's folder.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/pg_root.sh"
[ $# -ge 1 ] || { echo "usage: $0 15|17|18 [COMMAND...]" >&2; exit 2; }
major="$1"
shift
pgt_root_make "$major"
[ $# -gt 0 ] || set -- bash
pgt_root_run "$major" "$@"

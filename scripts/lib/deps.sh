# Sourced by the scripts: which PostgreSQL pg_trickle builds against, and the Debian packages it
# builds and tests with.

# pgt_pg_major: the major of the PostgreSQL to use: the one PG_CONFIG names, else the newest
# installed under /usr/lib/postgresql, else the distribution's default (empty when apt does not
# know it yet).
pgt_pg_major() {
    if [ -n "${PG_CONFIG:-}" ]; then
        "$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/'
        return
    fi
    local newest
    newest="$(ls -v /usr/lib/postgresql/*/bin/pg_config 2>/dev/null | tail -n1)"
    if [ -n "$newest" ]; then
        basename "$(dirname "$(dirname "$newest")")"
        return
    fi
    apt-cache depends postgresql 2>/dev/null | sed -nE 's/^ *Depends: postgresql-([0-9]+)$/\1/p' | head -n1
}

# pgt_pg_bindir: the bin folder of that PostgreSQL.
pgt_pg_bindir() {
    if [ -n "${PG_CONFIG:-}" ]; then
        "$PG_CONFIG" --bindir
    else
        echo "/usr/lib/postgresql/$(pgt_pg_major)/bin"
    fi
}

# pgt_install_deps [MAJOR]: installs the packages for PostgreSQL MAJOR (default pgt_pg_major) if
# missing, and exports PG_CONFIG for it. The server packages are left out when PG_CONFIG names a
# PostgreSQL that is not Debian's.
pgt_install_deps() {
    local major="${1:-$(pgt_pg_major)}"
    if [ -z "$major" ] && [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && major="$(pgt_pg_major)"
    fi
    if [ -z "$major" ]; then
        echo "no PostgreSQL found: install postgresql-server-dev-NN or set PG_CONFIG" >&2
        return 1
    fi
    local debian_pg_config="/usr/lib/postgresql/$major/bin/pg_config"
    # file: cpack's DEB generator needs it to find the libraries the package depends on;
    # sqlsmith: the fuzzer's query generator (tests/fuzz).
    local deps=(libpg-query-dev librange-v3-dev libboost-dev libxxhash-dev libpq-dev catch2
                libbenchmark-dev cmake g++ dpkg-dev file sqlsmith)
    if [ "${PG_CONFIG:-$debian_pg_config}" = "$debian_pg_config" ]; then
        deps+=("postgresql-$major" "postgresql-server-dev-$major")
    fi
    local missing=()
    for p in "${deps[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
            return 1
        fi
        echo "installing: ${missing[*]}"
        # -o DPkg::Lock::Timeout: another install at the same time is waited for, not failed.
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            -o DPkg::Lock::Timeout=900 "${missing[@]}" >/dev/null || return 1
    fi
    export PG_CONFIG="${PG_CONFIG:-$debian_pg_config}"
}

# pgt_install_deps: installs the Debian 12 packages pg_trickle builds and tests with, if missing.
pgt_deps=(postgresql-15 postgresql-server-dev-15 libpg-query-dev librange-v3-dev libboost-dev
          libxxhash-dev libpq-dev catch2 libbenchmark-dev cmake g++ dpkg-dev)

pgt_install_deps() {
    local missing=()
    for p in "${pgt_deps[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
        return 1
    fi
    echo "installing: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

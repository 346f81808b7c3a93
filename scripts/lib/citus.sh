# Sourced by the scripts: Citus, which Debian does not package, built from the vendored source
# (../shared/vendor from the clone, see its README.md) and installed in the PostgreSQL 18 root
# (scripts/lib/pg_root.sh), for the tests and benchmarks that run pg_trickle next to Citus.
# Built once and reused; built again when the root was made again. Needs root, as pg_root.sh.

source "$(dirname "${BASH_SOURCE[0]}")/pg_root.sh"

pgt_citus_version=14.0.1

# pgt_citus_make: makes the PostgreSQL 18 root (pgt_root_make 18) and builds and installs Citus in
# it if it is not there yet. The source is $PGT_CITUS_TARBALL, by default the vendored tarball.
# The build's output goes to <root>.citus.log; its tail is printed when the build fails.
pgt_citus_make() {
    local major=18 root lock
    root="$(pgt_root_dir "$major")" || return 1
    pgt_root_make "$major" || return 1
    # Two runs at once take turns, as pgt_root_make's do.
    exec {lock}>"$root.citus.lock" && flock "$lock" || return 1
    pgt_citus_make_locked "$major" "$root"
    local status=$?
    exec {lock}>&-
    return $status
}

pgt_citus_make_locked() {
    local major="$1" root="$2" version="$pgt_citus_version"
    local marker="$root/.pgt-citus-$version" pkglibdir
    pkglibdir="$(pgt_root_run "$major" "/usr/lib/postgresql/$major/bin/pg_config" --pkglibdir)" || return 1
    # The marker alone is not enough: reinstalling postgresql-18 in the root would leave it behind.
    if [ -f "$marker" ] && [ -f "$root$pkglibdir/citus.so" ]; then
        return 0
    fi
    # Beside the project (../shared/vendor), else where the workplace keeps it for a clone made
    # elsewhere (CI's).
    local tarball="${PGT_CITUS_TARBALL:-}" candidate
    if [ -z "$tarball" ]; then
        for candidate in "$pgt_clone/../shared/vendor" /work/shared/vendor; do
            [ -f "$candidate/citus-$version.tar.gz" ] && tarball="$candidate/citus-$version.tar.gz" && break
        done
    fi
    if [ ! -f "$tarball" ]; then
        echo "no Citus $version source (citus-$version.tar.gz in ../shared/vendor or /work/shared/vendor; or set PGT_CITUS_TARBALL)" >&2
        return 1
    fi
    # The headers of Debian's PostgreSQL 18 define HAVE_LIBCURL, so Citus must link libcurl (it is
    # not built --without-libcurl): otherwise citus.so fails to load (undefined curl_easy_perform).
    # libselinux1-dev, which PostgreSQL's build dependencies name, is not installable in sid, and
    # Citus does not need it.
    local deps=(build-essential libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libssl-dev
                libxslt1-dev libpam0g-dev libreadline-dev zlib1g-dev libicu-dev)
    echo "==> building Citus $version in $root"
    pgt_root_run "$major" bash -c 'apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=900 --no-install-recommends "$@" >/dev/null' _ "${deps[@]}" ||
        return 1
    # Built inside the root, outside the clone: the chroot sees only the root and the clone, so the
    # tarball (which may be anywhere on the host) is copied in first.
    local build=/var/cache/pgt-citus-build log="$root.citus.log"
    rm -rf --one-file-system "$root$build" && mkdir -p "$root$build" &&
        cp "$tarball" "$root$build/citus.tar.gz" || return 1
    rm -f "$marker"
    if ! pgt_root_run "$major" bash -euxc 'cd "$0" && tar xzf citus.tar.gz --strip-components=1 &&
            ./configure PG_CONFIG="/usr/lib/postgresql/$1/bin/pg_config" && make -j"$(nproc)" && make install' \
            "$build" "$major" >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "Citus build failed; log: $log" >&2
        return 1
    fi
    if [ ! -f "$root$pkglibdir/citus.so" ]; then
        echo "Citus installed no citus.so in $root$pkglibdir; log: $log" >&2
        return 1
    fi
    touch "$marker"
}

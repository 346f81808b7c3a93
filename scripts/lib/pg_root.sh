# Sourced by the scripts: Debian root file systems in which pg_trickle builds and runs its tests
# against a PostgreSQL major of its own: 15 in Debian 12 (bookworm; a host's 15 is then left
# alone), 17 in Debian 13 (trixie), 18 in sid.
# A root lives outside the clone, in $PGT_ROOTS/<suite> (default /var/cache/pgt-roots), is
# made once with debootstrap and reused, and is made again when missing or unfinished.
# Needs root (debootstrap, mount, chroot).

pgt_clone="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

pgt_root_suite() {
    case "$1" in
        15) echo bookworm ;;
        17) echo trixie ;;
        18) echo sid ;;
        *) echo "no Debian root for PostgreSQL $1 (15, 17 or 18)" >&2; return 1 ;;
    esac
}

pgt_root_dir() {
    local suite
    suite="$(pgt_root_suite "$1")" || return 1
    echo "${PGT_ROOTS:-/var/cache/pgt-roots}/$suite"
}

# pgt_root_run MAJOR COMMAND...: runs COMMAND in the root of MAJOR as a chroot, in the clone's
# folder, with /proc, /dev (and /dev/shm, /dev/pts), /sys and the clone bind-mounted (the clone at
# the same path). The mounts live in a private mount namespace, so they go when the command ends,
# however it ends, and nothing outside sees them. The environment is the root's own, plus
# PG_CONFIG and the PGT_* variables.
pgt_root_run() {
    local root
    root="$(pgt_root_dir "$1")" || return 1
    shift
    local env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8)
    local v
    for v in $(compgen -e); do
        case "$v" in PG_CONFIG | PGT_*) env+=("$v=${!v}") ;; esac
    done
    unshare --mount --propagation private -- bash -euc '
        root="$1" clone="$2"; shift 2
        mount --rbind /dev "$root/dev"
        mount --rbind /sys "$root/sys"
        mount -t proc proc "$root/proc"
        mkdir -p "$root$clone"
        mount --bind "$clone" "$root$clone"
        exec chroot "$root" /usr/bin/env -i "$@"' \
        _ "$root" "$pgt_clone" "${env[@]}" /bin/bash -c 'cd "$0" && exec "$@"' "$pgt_clone" "$@"
}

# pgt_root_make MAJOR: makes the root of MAJOR if it is missing or unfinished, and installs in it
# the packages pg_trickle builds and tests with (scripts/lib/deps.sh). Two runs at once (two
# clones) take turns: the root is shared, and a root made or upgraded by both would be broken.
pgt_root_make() {
    local major="$1" root suite lock
    root="$(pgt_root_dir "$major")" && suite="$(pgt_root_suite "$major")" || return 1
    mkdir -p "$(dirname "$root")" && exec {lock}>"$root.lock" && flock "$lock" || return 1
    pgt_root_make_locked "$major" "$root" "$suite"
    local status=$?
    exec {lock}>&-
    return $status
}

pgt_root_make_locked() {
    local major="$1" root="$2" suite="$3"
    if [ ! -f "$root/.pgt-bootstrapped" ]; then
        command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; } || return 1
        echo "==> making a Debian $suite root in $root"
        rm -rf --one-file-system "$root" && mkdir -p "$root" || return 1
        debootstrap --variant=minbase "$suite" "$root" "${PGT_DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
            >"$root.debootstrap.log" 2>&1 || { tail -n 20 "$root.debootstrap.log" >&2; return 1; }
        # sid's Release file may be past its validity date; services never start in the root, and
        # installing postgresql makes no cluster (the tests make their own).
        echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99pgt"
        printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod +x "$root/usr/sbin/policy-rc.d"
        mkdir -p "$root/etc/postgresql-common/createcluster.d"
        echo 'create_main_cluster = false' >"$root/etc/postgresql-common/createcluster.d/pgt.conf"
        touch "$root/.pgt-bootstrapped"
    fi
    # A release's point updates and security fixes, as an installed Debian has them (bookworm's
    # first PostgreSQL 15 is 15.18; Debian 12 systems run 15.20): upgraded when the sources change.
    local mirror="${PGT_DEBIAN_MIRROR:-http://deb.debian.org/debian}" sources
    sources="deb $mirror $suite main"
    [ "$suite" = sid ] || sources+=$'
'"deb $mirror $suite-updates main"$'
'"deb http://deb.debian.org/debian-security $suite-security main"
    if [ "$(cat "$root/etc/apt/sources.list" 2>/dev/null)" != "$sources" ]; then
        echo "$sources" >"$root/etc/apt/sources.list"
        pgt_root_run "$major" bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -qq >/dev/null' ||
            return 1
    fi
    # An install cut short (a run stopped mid-way) leaves dpkg refusing every later one until its
    # packages are configured.
    pgt_root_run "$major" dpkg --configure -a >/dev/null || return 1
    pgt_root_run "$major" bash -c 'source scripts/lib/deps.sh && pgt_install_deps "$0"' "$major"
}

#!/bin/bash
# build-packages.sh - build leapfrog's Debian packages for Debian 12 (on
# this machine) and Debian 13 (in the chroot of chroot-trixie.sh), check
# them with lintian, install each in a clean chroot of its release and
# there run ocf-tester on the installed agents and the live test
# tests/cluster/leapfrogd-3node.test against the installed binaries
# (scripts/pkg-installed-test.sh). Run as root on Debian 12.
#
#   scripts/build-packages.sh [--nocheck] [--no-live] [bookworm|trixie]...
#
#   (default: both releases)
#   --nocheck   the package build skips make check (DEB_BUILD_OPTIONS=
#               nocheck; .ci/run has run it on both releases already)
#   --no-live   no live-cluster test in the clean chroot
#
# The packages end up in LF_PKG_DIR (default /var/tmp/leapfrog-pkg)/SUITE/.
# Each build runs in a fresh copy of the source tree (see lf-chroot.sh), so
# the work tree and its build are left alone; LF_SRC_REV=HEAD builds what
# the commit holds instead of the work tree. The Debian 12 build installs
# the build dependencies and lintian on this machine (apt-get build-dep);
# with LF_PKG_BOOKWORM_CHROOT set to a directory it builds in a Debian 12
# chroot made there instead (like the Debian 13 one), and this machine
# gets nothing installed.
#
# The clean systems: for each release a tarball made once with mmdebstrap
# (LF_PKG_CLEAN, default /var/tmp/leapfrog-clean; SUITE.tar, the apt
# variant and mount, nothing else; made while the packages build), made
# again only when its package list changes, and unpacked afresh for every
# install. apt-get installs the
# .deb there with its dependencies from the mirror, then the test tools.
# The live test runs on LF_CLUSTER_SLOT (default 1) and keeps its logs,
# when it fails, in LF_PKG_DIR/SUITE/cluster-logs.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/lf-chroot.sh"
out=${LF_PKG_DIR:-/var/tmp/leapfrog-pkg}
trixie_root=${LF_CHROOT:-/var/tmp/leapfrog-trixie}
clean=${LF_PKG_CLEAN:-/var/tmp/leapfrog-clean}
clean_packages=(mount)
deb_build_options=

# The build, then lintian; run in the tree's copy DIR (bash -c) with
# DEB_BUILD_OPTIONS as given.
build_script='
set -eu
cd "$1"
export DEB_BUILD_OPTIONS="$2"
echo "=== dpkg-buildpackage on $(. /etc/os-release; echo "$PRETTY_NAME")" \
    "${DEB_BUILD_OPTIONS:+(DEB_BUILD_OPTIONS=$DEB_BUILD_OPTIONS)}"
dpkg-buildpackage -us -uc -b
echo "=== lintian $(lintian --version | sed "s/^lintian v*//")"
lintian --fail-on error ../leapfrog_*.changes
'

# clean_old DIR: the previous build's results in DIR.
clean_old() {
    rm -f "$1/"*.deb "$1/"*.ddeb "$1/"*.changes "$1/"*.buildinfo
}

# keep SUITE SRCDIR: the .deb and the build's tests/ (the harness, and
# the fence device's programs the build made) for the install test.
keep() {
    local dir=$out/$1 src=$2
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$src/"leapfrog_*.deb "$dir/"
    cp -a "$src/leapfrog/tests" "$dir/tests"
}

build_bookworm() {
    local src=$out/src/bookworm
    if [ -n "${LF_PKG_BOOKWORM_CHROOT:-}" ]; then
        build_in_chroot bookworm "$LF_PKG_BOOKWORM_CHROOT"
        return
    fi
    echo "=== bookworm: build dependencies and lintian on this machine" >&2
    lfch_copy_tree "$here" "$src/leapfrog"
    DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q \
        "$src/leapfrog" >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q lintian >/dev/null
    clean_old "$src"
    bash -c "$build_script" build "$src/leapfrog" "$deb_build_options"
    keep bookworm "$src"
}

# build_in_chroot SUITE ROOT: the build chroot of chroot-trixie.sh (its
# package list holds the build dependencies and lintian).
build_in_chroot() {
    local suite=$1 root=$2
    lfch_make "$root" "$suite" "${lfch_trixie_packages[@]}"
    lfch_copy_tree "$here" "$root/build/pkg/leapfrog"
    clean_old "$root/build/pkg"
    lfch_run "$root" bash -c "$build_script" build /build/pkg/leapfrog \
        "$deb_build_options"
    keep "$suite" "$root/build/pkg"
}

build_trixie() { build_in_chroot trixie "$trixie_root"; }

# make_clean SUITE: the clean tarball (made while the packages build;
# its output in SUITE.tar.log).
make_clean() {
    lfch_make_tar "$clean/$1.tar" "$1" "${clean_packages[@]}" \
        >"$clean/$1.tar.log" 2>&1
}

install_test() {
    local suite=$1 tmp status=0
    tmp=$(mktemp -d /var/tmp/leapfrog-install.XXXXXX)
    tar -C "$tmp" -xf "$clean/$suite.tar"
    mkdir -p "$tmp/tmp/debs"
    cp "$out/$suite/"leapfrog_*.deb "$tmp/tmp/debs/"
    cp -a "$out/$suite/tests" "$tmp/tmp/tests"
    cp "$here/scripts/pkg-installed-test.sh" "$tmp/tmp/"
    # The packages apt-get downloaded the last time, kept for repeated
    # runs (hard links; a fresh machine has none).
    mkdir -p "$clean/$suite.debs"
    cp -lr "$clean/$suite.debs/." "$tmp/var/cache/apt/archives/"
    echo "=== $suite: install and test in a clean chroot" >&2
    lfch_run "$tmp" bash /tmp/pkg-installed-test.sh /tmp/debs /tmp/tests ||
        status=$?
    cp -lnr "$tmp/var/cache/apt/archives/." "$clean/$suite.debs/"
    rm -rf "$clean/$suite.debs/lock" "$clean/$suite.debs/partial" \
        "$clean/$suite.debs/"leapfrog_*.deb
    rm -rf "$out/$suite/cluster-logs"
    if [ -n "$(ls -A "$tmp/tmp/pkg-logs" 2>/dev/null)" ]; then
        cp -a "$tmp/tmp/pkg-logs" "$out/$suite/cluster-logs"
        cp "$tmp/tmp/live.err" "$out/$suite/cluster-logs/" 2>/dev/null || :
        echo "=== $suite: the live test's logs are in" \
            "$out/$suite/cluster-logs" >&2
    fi
    # No mount is left behind (see lf-chroot.sh): the copy can go.
    if lfch_mounted_below "$tmp"; then
        lfch_die "$tmp still has mounts; not removing it"
    fi
    rm -rf "$tmp"
    return $status
}

main() {
    local suites=() pids=() s i t0 status=0
    [ "$(id -u)" = 0 ] || lfch_die "run as root (apt-get, chroots)"
    while [ $# -gt 0 ]; do
        case "$1" in
        --nocheck) deb_build_options=nocheck ;;
        --no-live) export LF_PKG_LIVE=0 ;;
        bookworm | trixie) suites+=("$1") ;;
        *) lfch_die "unknown argument '$1' (see the top of the script)" ;;
        esac
        shift
    done
    [ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie)
    mkdir -p "$out" "$clean"
    lfch_need_mmdebstrap
    for s in "${suites[@]}"; do
        make_clean "$s" &
        pids+=($!)
    done
    for s in "${suites[@]}"; do
        t0=$SECONDS
        "build_$s"
        echo "=== $s: package built and checked in $((SECONDS - t0)) s" >&2
    done
    t0=$SECONDS
    for i in "${!suites[@]}"; do
        if ! wait "${pids[$i]}"; then
            cat "$clean/${suites[$i]}.tar.log" >&2
            lfch_die "cannot make the clean ${suites[$i]} tarball"
        fi
    done
    echo "=== clean tarballs ready after another $((SECONDS - t0)) s" >&2
    for s in "${suites[@]}"; do
        t0=$SECONDS
        install_test "$s" || status=1
        echo "=== $s: install test done in $((SECONDS - t0)) s" >&2
    done
    echo "=== packages:"
    ls -l "$out"/*/*.deb
    return $status
}

main "$@"

#!/bin/bash
# chroot-trixie.sh - build and test leapfrog on Debian 13 ("trixie",
# Pacemaker 3.0) from a Debian 12 machine, in a chroot made with
# mmdebstrap. Run as root.
#
#   scripts/chroot-trixie.sh               build, then make check
#   scripts/chroot-trixie.sh --run CMD     ... then CMD (bash -c) in the tree
#   scripts/chroot-trixie.sh --no-check    build only (and --run's CMD)
#   scripts/chroot-trixie.sh --no-build    copy only (and --run's CMD)
#   scripts/chroot-trixie.sh --exec CMD... CMD in the chroot; no copy
#   scripts/chroot-trixie.sh --shell       a shell in the chroot
#
# The chroot is made once (LF_CHROOT, default /var/tmp/leapfrog-trixie) and
# made again only when its package list changes. Every run copies the
# source tree afresh to /build/leapfrog in it (the files git knows, as they
# are in the work tree, and new files it does not ignore) and builds it
# from scratch there: autoreconf, configure --enable-fatal-warnings, make,
# make check (unit, server, agent, scheduler tests; not the live-cluster
# tests, which --run can start). How the chroot is entered (its own mount
# namespace, which it is the root of) is described in lf-chroot.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/lf-chroot.sh"
root=${LF_CHROOT:-/var/tmp/leapfrog-trixie}

build_script='
set -eu
cd /build/leapfrog
echo "=== $(. /etc/os-release; echo "$PRETTY_NAME"),"\
 "Pacemaker $(pkg-config --modversion pacemaker)"
if [ "$1" != none ]; then
    autoreconf -fi
    ./configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
        --enable-fatal-warnings
    make -j"$(nproc)"
fi
if [ "$1" = check ] && ! make check; then
    # The log of every test that failed, then the failure.
    for f in tests/*/*.trs; do
        grep -q "^:test-result: \(FAIL\|ERROR\)" "$f" || continue
        echo "=== ${f%.trs}.log"
        cat "${f%.trs}.log"
    done
    exit 1
fi
shift
if [ $# -gt 0 ]; then
    echo "=== $1"
    bash -c "$1"
fi
'

main() {
    local steps=check run=()
    [ "$(id -u)" = 0 ] || lfch_die "run as root (mmdebstrap, mounts, chroot)"
    while [ $# -gt 0 ]; do
        case "$1" in
        --no-check) steps=build ;;
        --no-build) steps=none ;;
        --run)
            [ $# -ge 2 ] || lfch_die "--run needs a command"
            run=("$2")
            shift ;;
        --exec)
            shift
            [ $# -gt 0 ] || lfch_die "--exec needs a command"
            lfch_make "$root" trixie "${lfch_trixie_packages[@]}"
            lfch_run "$root" "$@"
            return ;;
        --shell)
            lfch_make "$root" trixie "${lfch_trixie_packages[@]}"
            lfch_run "$root" bash -c 'cd /build/leapfrog 2>/dev/null
                exec bash -i'
            return ;;
        *) lfch_die "unknown argument '$1' (see the top of the script)" ;;
        esac
        shift
    done
    lfch_make "$root" trixie "${lfch_trixie_packages[@]}"
    lfch_copy_tree "$here" "$root/build/leapfrog"
    lfch_run "$root" bash -c "$build_script" build "$steps" "${run[@]}"
}

main "$@"

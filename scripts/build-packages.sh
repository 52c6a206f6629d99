#!/bin/bash
# build-packages.sh - build leapfrog's Debian packages for Debian 12 (on
# this machine) and Debian 13 (in the chroot of chroot-trixie.sh), check
# them with lintian, install each in a clean chroot of its release and run
# ocf-tester on the installed agents. Run as root on Debian 12.
#
#   scripts/build-packages.sh [bookworm|trixie]...   (default: both)
#
# The packages end up in LF_PKG_DIR (default /var/tmp/leapfrog-pkg)/SUITE/.
# Each build runs in a fresh copy of the source tree (see lf-chroot.sh), so
# the work tree and its build are left alone; LF_SRC_REV=HEAD builds what
# the commit holds instead of the work tree. The clean chroots
# (/var/tmp/leapfrog-clean-SUITE: the apt variant and what ocf-tester
# needs) are made once and copied for every install, which apt-get does
# from the .deb, with the dependencies from the mirror.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/lf-chroot.sh"
out=${LF_PKG_DIR:-/var/tmp/leapfrog-pkg}
trixie_root=${LF_CHROOT:-/var/tmp/leapfrog-trixie}
clean_packages=(mount resource-agents libxml2-utils)

# The build, then lintian; run in the tree's copy DIR (bash -c).
build_script='
set -eu
cd "$1"
echo "=== dpkg-buildpackage on $(. /etc/os-release; echo "$PRETTY_NAME")"
dpkg-buildpackage -us -uc -b
echo "=== lintian"
lintian --fail-on error ../leapfrog_*.changes
'

build_bookworm() {
    local dir=$out/bookworm
    echo "=== bookworm: build dependencies" >&2
    lfch_copy_tree "$here" "$dir/src/leapfrog"
    DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q \
        "$dir/src/leapfrog" >/dev/null
    rm -f "$dir/src/"*.deb "$dir/src/"*.changes "$dir/src/"*.buildinfo
    bash -c "$build_script" build "$dir/src/leapfrog"
    cp "$dir/src/"*.deb "$dir/"
}

build_trixie() {
    local dir=$out/trixie
    lfch_make "$trixie_root" trixie "${lfch_trixie_packages[@]}"
    lfch_copy_tree "$here" "$trixie_root/build/pkg/leapfrog"
    rm -f "$trixie_root/build/pkg/"*.deb "$trixie_root/build/pkg/"*.changes \
        "$trixie_root/build/pkg/"*.buildinfo
    lfch_run "$trixie_root" bash -c "$build_script" build /build/pkg/leapfrog
    mkdir -p "$dir"
    cp "$trixie_root/build/pkg/"*.deb "$dir/"
}

# In the clean chroot, as root: install the package, check the user, run
# ocf-tester on the installed agents (as tests/agents/ocf-tester.test does
# on the build tree's), purge, and check that the user stayed.
install_script='
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q /tmp/debs/leapfrog_*.deb >/tmp/install.log 2>&1 ||
    { cat /tmp/install.log; exit 1; }
echo "=== installed: $(dpkg-query -W leapfrog)"
getent passwd leapfrog
ra=/usr/lib/ocf/resource.d/leapfrog
ls -l "$ra"
work=$(mktemp -d)
chmod 755 "$work"
mkdir -p "$work/run" "$work/state"
common="-o instance=pk$$ -o port=$((45000 + $$ % 10000)) -o rundir=$work/run"
failed=0
# shellcheck disable=SC2086
ocf-tester -n pk-e $common -o address=127.0.0.1 -o statedir=$work/state \
    "$ra/enqueue" || failed=1
# shellcheck disable=SC2086
ocf-tester -n pk-r $common -o enqueue_address=127.0.0.1 \
    "$ra/replication" || failed=1
cibadmin --empty >"$work/cib.xml"
CIB_file="$work/cib.xml" ocf-tester -n pk-h -o rundir=$work/run \
    "$ra/leapfrogd" || failed=1
for m in lf-enq.1 lf-enqueued.8 lf-replicad.8 leapfrogd.8 \
    ocf_leapfrog_enqueue.7 ocf_leapfrog_replication.7 \
    ocf_leapfrog_leapfrogd.7; do
    s=${m##*.}
    [ -f "/usr/share/man/man$s/$m.gz" ] || { echo "no man page $m"; failed=1; }
done
ls /usr/share/doc/leapfrog /usr/share/doc/leapfrog/examples
apt-get purge -y -q leapfrog >/dev/null
getent passwd leapfrog >/dev/null ||
    { echo "purge removed the user leapfrog"; failed=1; }
echo "=== user leapfrog kept after purge"
exit $failed
'

install_test() {
    local suite=$1 base=/var/tmp/leapfrog-clean-$1 tmp status=0
    lfch_make "$base" "$suite" "${clean_packages[@]}"
    tmp=$(mktemp -d /var/tmp/leapfrog-install.XXXXXX)
    cp -a "$base/." "$tmp/"
    mkdir -p "$tmp/tmp/debs"
    cp "$out/$suite/"leapfrog_*.deb "$tmp/tmp/debs/"
    echo "=== $suite: install and ocf-tester in a clean chroot" >&2
    lfch_run "$tmp" bash -c "$install_script" || status=$?
    # No mount is left behind (see lf-chroot.sh): the copy can go.
    if lfch_mounted_below "$tmp"; then
        lfch_die "$tmp still has mounts; not removing it"
    fi
    rm -rf "$tmp"
    return $status
}

main() {
    local suites=("$@") s
    [ "$(id -u)" = 0 ] || lfch_die "run as root (apt-get, chroots)"
    [ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie)
    for s in "${suites[@]}"; do
        case "$s" in
        bookworm | trixie) ;;
        *) lfch_die "unknown release '$s' (bookworm or trixie)" ;;
        esac
    done
    mkdir -p "$out"
    for s in "${suites[@]}"; do
        "build_$s"
        install_test "$s"
    done
    echo "=== packages:"
    ls -l "$out"/*/*.deb
}

main "$@"

# lf-chroot.sh - Debian chroots for building and testing leapfrog on other
# Debian releases than the host's. Sourced (bash) by chroot-trixie.sh and
# build-packages.sh; run as root.
#
#   lfch_make DIR SUITE PACKAGE...  make DIR with mmdebstrap (--variant=apt)
#                                   unless it was made with these packages
#                                   (lfch_run needs "mount" among them)
#   lfch_make_tar TAR SUITE PACKAGE...  the same as a tarball TAR (its
#                                   package list in TAR.stamp), to be
#                                   unpacked afresh for each use
#   lfch_need_mmdebstrap            install mmdebstrap unless it is there
#   lfch_run DIR CMD...             run CMD as root in the chroot DIR
#   lfch_copy_tree SRC DEST         the files git knows in SRC (as they are
#                                   in the work tree) and new files it does
#                                   not ignore, copied to DEST afresh; with
#                                   LF_SRC_REV set, what that commit holds
#                                   (git archive) instead
#
# lfch_run gives the chroot a private mount namespace whose root it is
# (pivot_root, not only chroot(2)): /proc, /sys, /dev (with /dev/pts and
# /dev/shm), a fresh /run and /etc/resolv.conf are mounted or copied there
# and nothing of it reaches the host's mount table; the run's trap unmounts
# them, and the kernel drops the namespace with its last process anyway.
# Being the root of its mount namespace matters to the live-cluster
# harness: nsenter into a node enters the node's mount namespace at that
# namespace's root, which must be the chroot, not the host. Variables
# named LF_* or LFC_* (LF_CLUSTER_SLOT, say) are passed through.

# The Debian 13 chroot for building and testing: what scripts/deps.sh
# installs on Debian 12 (libclang-rt-dev for libclang-rt-14-dev), mount
# (not in the apt variant), and what building the packages needs. Every
# name exists in Debian 12 too (build-packages.sh's Debian 12 chroot).
lfch_trixie_packages=(
    build-essential autoconf automake libtool pkg-config
    pacemaker pacemaker-dev pacemaker-cli-utils corosync pcs crmsh
    resource-agents libqb-dev libxml2-dev libxml2-utils libglib2.0-dev
    libcmocka-dev iproute2 util-linux mount tini procps psmisc
    cppcheck valgrind clang libclang-rt-dev clang-format
    debhelper devscripts lintian fakeroot git
)

lfch_die() {
    echo "${0##*/}: $*" >&2
    exit 1
}

# The Debian mirror apt uses already (the first URIs: line that is not the
# security archive's).
lfch_mirror() {
    local uri
    uri=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources \
        2>/dev/null | grep -v security | head -n 1)
    echo "${uri:-http://deb.debian.org/debian}"
}

# Is anything mounted at or below DIR? Never delete through a mount.
lfch_mounted_below() {
    findmnt -rn -o TARGET | grep -q "^$1\(/\|$\)"
}

lfch_need_mmdebstrap() {
    if ! command -v mmdebstrap >/dev/null; then
        echo "installing mmdebstrap" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdebstrap ||
            lfch_die "cannot install mmdebstrap"
    fi
}

lfch_make() {
    local dir=$1 suite=$2 stamp mirror d
    shift 2
    stamp="$suite $*"
    if [ -f "$dir/.leapfrog-chroot" ] &&
        [ "$(cat "$dir/.leapfrog-chroot")" = "$stamp" ]; then
        return 0
    fi
    lfch_need_mmdebstrap
    for d in "$dir" "$dir.new"; do
        if lfch_mounted_below "$d"; then
            lfch_die "$d has file systems mounted below it; unmount them"
        fi
    done
    mirror=$(lfch_mirror)
    rm -rf "$dir.new"
    echo "making the $suite chroot $dir (mirror $mirror)" >&2
    mmdebstrap --variant=apt --include="$(IFS=,; echo "$*")" \
        "$suite" "$dir.new" "$mirror" || lfch_die "mmdebstrap failed"
    echo "$stamp" >"$dir.new/.leapfrog-chroot"
    rm -rf "$dir"
    mv "$dir.new" "$dir"
}

lfch_make_tar() {
    local tar=$1 suite=$2 stamp mirror
    shift 2
    stamp="$suite unsafe-io $*"
    if [ -f "$tar" ] && [ -f "$tar.stamp" ] &&
        [ "$(cat "$tar.stamp")" = "$stamp" ]; then
        return 0
    fi
    lfch_need_mmdebstrap
    mirror=$(lfch_mirror)
    rm -f "$tar.stamp" "$tar.new.tar"
    echo "making the $suite tarball $tar (mirror $mirror)" >&2
    # dpkg without fsync (the setting stays in the tarball): the tarball
    # is unpacked for one install test and thrown away.
    mmdebstrap --variant=apt --dpkgopt=force-unsafe-io \
        --include="$(IFS=,; echo "$*")" \
        "$suite" "$tar.new.tar" "$mirror" || lfch_die "mmdebstrap failed"
    mv "$tar.new.tar" "$tar"
    echo "$stamp" >"$tar.stamp"
}

lfch_copy_tree() {
    local src=$1 dest=$2
    git -C "$src" rev-parse --git-dir >/dev/null 2>&1 ||
        lfch_die "$src is not a git checkout: cannot tell sources from output"
    rm -rf "$dest"
    mkdir -p "$dest"
    if [ -n "${LF_SRC_REV:-}" ]; then
        git -C "$src" archive "$LF_SRC_REV" | tar -C "$dest" -xf -
        return
    fi
    (cd "$src" &&
        git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do
            # Deleted in the work tree but still in the index: skip.
            if [ -e "$f" ] || [ -L "$f" ]; then
                printf '%s\0' "$f"
            fi
        done | tar --null -T - -cf -) | tar -C "$dest" -xf -
}

lfch_run() {
    local dir=$1 envs=() v
    shift
    # Inside, the chroot's own umount takes the host's root away.
    [ -x "$dir/usr/bin/umount" ] ||
        lfch_die "$dir has no umount: make it with the package mount"
    for v in $(compgen -e); do
        case "$v" in
        LF_* | LFC_*) envs+=("$v=${!v}") ;;
        esac
    done
    unshare --mount --propagation private -- bash -c '
        set -eu
        r=$1
        shift
        cleanup() {
            cd /
            for m in /run /dev /sys /proc; do
                umount -R -l "$m" 2>/dev/null || true
            done
        }
        mount --bind "$r" "$r"
        mount -t proc proc "$r/proc"
        mount -t sysfs sysfs "$r/sys"
        mount --rbind /dev "$r/dev"
        mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$r/run"
        mkdir -p "$r/run/lock" "$r/.oldroot"
        cp -L /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
        cd "$r"
        pivot_root . .oldroot
        cd /
        umount -l /.oldroot
        trap cleanup EXIT
        status=0
        chroot / "$@" || status=$?
        exit $status
    ' lf-chroot "$dir" /usr/bin/env -i \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" "${envs[@]}" "$@"
}

#!/bin/bash
# pkg-installed-test.sh - run by build-packages.sh as root in a clean
# chroot of one Debian release (the apt variant and mount, nothing else):
# install leapfrog's .deb with what it depends on (not what it recommends:
# pacemaker's recommended fence-agents alone brings hundreds of packages),
# check that every installed program finds its libraries, then, with the
# cluster stack and the test tools added, run ocf-tester on the installed
# agents and the live test tests/cluster/leapfrogd-3node.test against the
# installed agents, servers and leapfrogd; purge, and check that the
# system user stays.
#
#   pkg-installed-test.sh DEBDIR TESTDIR
#
# DEBDIR holds leapfrog_*.deb. TESTDIR is a copy of the package build's
# tests/ (the harness, and the fence device's two programs it built);
# nothing else of the build is there, so lf-enq, the agents and the
# servers are the package's. LF_PKG_LIVE=0 skips the live test;
# LF_CLUSTER_SLOT picks its subnet. The live test's logs, when it fails,
# are left in /tmp/pkg-logs (and its stderr in /tmp/live.err).
set -euo pipefail
debs=$1
tests=$2
export DEBIAN_FRONTEND=noninteractive
failed=0
fail() {
    echo "FAILED: $*"
    failed=1
}

echo "=== $(. /etc/os-release; echo "$PRETTY_NAME"): install leapfrog"
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "$debs"/leapfrog_*.deb \
    >/tmp/install.log 2>&1 ||
    { cat /tmp/install.log; exit 1; }
echo "installed: $(dpkg-query -W leapfrog | tr '\t' ' ') with" \
    "$(dpkg-query -W pacemaker-cli-utils | tr '\t' ' ')" \
    "($(grep -c "^Setting up" /tmp/install.log) packages, $SECONDS s)"

# Before any test tool is installed: the package's own dependencies
# must be enough for every program it installs to load.
for f in $(dpkg -L leapfrog); do
    if [ ! -f "$f" ] || [ ! -x "$f" ] || ! head -c 4 "$f" | grep -q ELF; then
        continue
    fi
    if ldd "$f" | grep -q "not found"; then
        fail "$f: $(ldd "$f" | grep "not found" | tr '\n' ' ')"
    fi
done
getent passwd leapfrog || fail "no user leapfrog after the install"

# The cluster stack (what leapfrog recommends, without fence-agents: the
# harness brings its own fence device) and the test tools: ocf-tester
# (resource-agents, also IPaddr2 for the pair's virtual IP) and what the
# cluster harness runs.
echo "=== cluster stack and test tools"
apt-get install -y -q --no-install-recommends pacemaker corosync pcs \
    resource-agents libxml2-utils tini iproute2 procps \
    >/tmp/tools.log 2>&1 || { cat /tmp/tools.log; exit 1; }
echo "$(grep -c "^Setting up" /tmp/tools.log) packages ($SECONDS s)"

echo "=== ocf-tester on the installed agents"
ra=/usr/lib/ocf/resource.d/leapfrog
ls -l "$ra"
work=$(mktemp -d)
chmod 755 "$work"
mkdir -p "$work/run" "$work/state"
# As tests/agents/ocf-tester.test: a secret, and the servers as the user
# the package created.
printf 'a-secret-of-enough-length\n' >"$work/secret"
chmod 600 "$work/secret"
common=(-o "instance=pk$$" -o "port=$((45000 + $$ % 10000))"
    -o "rundir=$work/run" -o "secret_file=$work/secret" -o user=leapfrog)
ocf-tester -n pk-e "${common[@]}" -o address=127.0.0.1 \
    -o "statedir=$work/state" "$ra/enqueue" || fail "ocf-tester enqueue"
ocf-tester -n pk-r "${common[@]}" -o enqueue_address=127.0.0.1 \
    "$ra/replication" || fail "ocf-tester replication"
cibadmin --empty >"$work/cib.xml"
CIB_file="$work/cib.xml" ocf-tester -n pk-h -o "rundir=$work/run" \
    "$ra/leapfrogd" || fail "ocf-tester leapfrogd"
for m in lf-enq.1 lf-enqueued.8 lf-replicad.8 leapfrogd.8 \
    ocf_leapfrog_enqueue.7 ocf_leapfrog_replication.7 \
    ocf_leapfrog_leapfrogd.7; do
    s=${m##*.}
    [ -f "/usr/share/man/man$s/$m.gz" ] || fail "no man page $m"
done
ls /usr/share/doc/leapfrog /usr/share/doc/leapfrog/examples
echo "($SECONDS s)"

if [ "${LF_PKG_LIVE:-1}" != 0 ]; then
    echo "=== tests/cluster/leapfrogd-3node.test on the installed package" \
        "(lf-enq: $(command -v lf-enq))"
    mkdir -p /tmp/pkg-logs
    # The harness takes the fence device's programs from
    # $LF_BUILDDIR/tests/fence, and lf-enq from $LF_BUILDDIR/server
    # when it is there (it is not: the installed one runs).
    mkdir -p /tmp/pkg-tree
    ln -sfn "$tests" /tmp/pkg-tree/tests
    if (cd /tmp/pkg-logs && LF_BUILDDIR=/tmp/pkg-tree \
        LF_CLUSTER_LOGDIR=/tmp/pkg-logs \
        bash "$tests/cluster/leapfrogd-3node.test") >/tmp/live.tap \
        2>/tmp/live.err; then
        cat /tmp/live.tap
        plan=$(sed -n 's/^1\.\.//p' /tmp/live.tap)
        oks=$(grep -c '^ok ' /tmp/live.tap || true)
        [ "$oks" = "$plan" ] ||
            fail "leapfrogd-3node: $oks of $plan test points passed"
    else
        cat /tmp/live.tap
        tail -n 150 /tmp/live.err
        fail "leapfrogd-3node (its logs are kept)"
    fi
fi

echo "=== purge"
apt-get purge -y -q leapfrog >/dev/null
getent passwd leapfrog >/dev/null || fail "purge removed the user leapfrog"
echo "user leapfrog kept after the purge ($SECONDS s)"
exit $failed

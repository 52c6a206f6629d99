#!/bin/bash
# make-upgrade-fixtures.sh - how tests/sim/upgrade-written-2.1.xml and
# tests/sim/upgrade-upgraded-4.0.xml were made (not run by make check).
#
#   tests/sim/make-upgrade-fixtures.sh OLD_LEAPFROGD
#
# Step 1, on Debian 12 (Pacemaker 2.1.5): a settled 3-node CIB (crm_simulate)
# with two pairs whose -avoid locations leapfrogd 0.1 (commit d90e420, the
# binary given) wrote with two top-level rules: T1, survivor F with an
# ocf:leapfrog:enqueue server (F's node, or its marker), and T2,
# survivor=none with P banned from node3 (two eligible nodes: +5000
# everywhere, -5000 where F's marker is). Step 2, in the Debian 13 chroot
# (Pacemaker 3.0.0, scripts/chroot-trixie.sh): `cibadmin --upgrade` of a
# copy, which splits both locations into pcmk__3_10_upgrade-<id>-1, -2.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/harness/lf-pcs.sh
. "$here/tests/harness/lf-pcs.sh"
old=${1:?usage: $0 OLD_LEAPFROGD}
work=$(mktemp -d /tmp/lf-fixture.XXXXXX)
trap 'rm -rf "$work"' EXIT
export PCMK_logfile=/dev/null
f=$work/cib.xml

where() { # RSC: the node where RSC is active
    CIB_file=$f crm_resource --locate --resource "$1" --quiet 2>/dev/null |
        head -n 1
}

# The enqueue agent's node attribute where its server runs.
mark() {
    local inst at x
    for inst in T1 T2; do
        at=$(where "enq-$inst")
        for x in node1 node2 node3; do
            if [ "$x" = "$at" ]; then
                CIB_file=$f crm_attribute -N "$x" -l reboot \
                    -n "leapfrog-$inst-locks" -v 0
            else
                CIB_file=$f crm_attribute -N "$x" -l reboot \
                    -n "leapfrog-$inst-locks" -D
            fi >/dev/null 2>&1
        done
    done
}

pair() { # INSTANCE SURVIVOR
    lf_pcs_in_group "g-$1" pcs -f "$f" resource create "vip-$1" \
        ocf:pacemaker:Dummy op monitor interval=10s
    CIB_file=$f cibadmin -M -o resources -X "<group id=\"g-$1\"><primitive
        id=\"enq-$1\" class=\"ocf\" provider=\"leapfrog\" type=\"enqueue\">
        <instance_attributes id=\"enq-$1-ia\"><nvpair id=\"enq-$1-ia-i\"
        name=\"instance\" value=\"$1\"/></instance_attributes><operations>
        <op id=\"enq-$1-mon\" name=\"monitor\" interval=\"10s\"/>
        </operations></primitive></group>"
    pcs -f "$f" resource create "rep-$1" ocf:pacemaker:Dummy \
        op monitor interval=10s
    pcs -f "$f" resource meta "g-$1" "leapfrog-follows=rep-$1" \
        ${2:+"leapfrog-survivor=$2"}
}

if [ "$(pkg-config --modversion pacemaker)" = "${PCMK_FIXTURE_VERSION:-2.1.5}" ]
then
    cibadmin --empty >"$f" 2>/dev/null
    pcs -f "$f" property set stonith-enabled=false
    pair T1 ""
    pair T2 none
    CIB_file=$f cibadmin -C -o constraints -X '<rsc_location
        id="ban-rep-T2-node3" rsc="rep-T2" node="node3" score="-INFINITY"/>'
    crm_simulate -x "$f" -S -q true --node-up node1 --node-up node2 \
        --node-up node3 -O "$f.next" >/dev/null 2>&1
    mv "$f.next" "$f"
    for _ in 1 2 3 4 5 6; do
        sed -i -E 's/<cib (dc-uuid="[^"]*" )?/<cib dc-uuid="node1" /' "$f"
        CIB_file=$f "$old" --apply >/dev/null
        crm_simulate -x "$f" -S -q true -O "$f.next" >"$work/out" 2>&1
        mv "$f.next" "$f"
        mark
        grep -q "Resource action" "$work/out" || break
    done
    CIB_file=$f "$old" --apply >/dev/null
    # Exit status 6: warnings (fencing is off here).
    CIB_file=$f "$old" --status >"$work/status" || true
    [ "$(grep -c "constraints: current" "$work/status")" = 2 ]
    xmllint --format "$f" >"$here/tests/sim/upgrade-written-2.1.xml"
    echo "wrote tests/sim/upgrade-written-2.1.xml; now run step 2:"
    echo "  scripts/chroot-trixie.sh --no-check --run" \
        "'tests/sim/make-upgrade-fixtures.sh none'"
    echo "  cp /var/tmp/leapfrog-trixie/build/leapfrog/tests/sim/upgrade-\
upgraded-4.0.xml tests/sim/"
else
    cp "$here/tests/sim/upgrade-written-2.1.xml" "$f"
    CIB_file=$f cibadmin --upgrade --force
    xmllint --format "$f" >"$here/tests/sim/upgrade-upgraded-4.0.xml"
    echo "wrote tests/sim/upgrade-upgraded-4.0.xml"
fi

# sim-lib.sh - sourced by the tests of tests/sim: CIB files of a pair with
# leapfrogd's constraints, settled by Pacemaker's scheduler (crm_simulate).
# The caller sets $work (a scratch directory) and $helper (leapfrogd).

# shellcheck source=tests/harness/lf-pcs.sh
. "$(dirname "${BASH_SOURCE[0]}")/../harness/lf-pcs.sh"

# The DC must be a live node for leapfrogd's guard.
set_dc() {
    sed -i -E 's/<cib (dc-uuid="[^"]*" )?/<cib dc-uuid="'"$2"'" /' "$1"
}

# sim IN OUT [crm_simulate options]: run one transition, keep the output.
sim() {
    local in=$1 out=$2
    shift 2
    crm_simulate -x "$in" -S -q true -O "$out" "$@" >"$work/last.out" 2>&1
}

where() { # FILE RSC: the node where RSC is active, or nothing
    CIB_file="$1" crm_resource --locate --resource "$2" --quiet 2>/dev/null |
        sort | tr '\n' ' ' | sed 's/ $//'
}

# What the enqueue agent does (ENQ=1): its node attribute
# leapfrog-T1-locks is set where its server runs (by the start) and gone
# everywhere else (by the stop, or with the node).
mark() { # FILE
    local f=$1 at x
    grep -q 'type="enqueue"' "$f" || return 0
    at=$(where "$f" enq-T1)
    for x in node1 node2 node3; do
        if [ "$x" = "$at" ]; then
            CIB_file="$f" crm_attribute -N "$x" -l reboot \
                -n leapfrog-T1-locks -v 0
        else
            CIB_file="$f" crm_attribute -N "$x" -l reboot \
                -n leapfrog-T1-locks -D
        fi >/dev/null 2>&1
    done
}

# Let the cluster (and leapfrogd, when HELPER=1) settle: transitions until
# the scheduler has nothing left to do.
settle() { # FILE DC
    local f=$1 i
    for i in 1 2 3 4 5 6; do
        set_dc "$f" "$2"
        if [ "${HELPER:-1}" = 1 ]; then
            CIB_file="$f" "$helper" --apply >/dev/null 2>&1
        fi
        sim "$f" "$f.next" || return 1
        mv "$f.next" "$f"
        mark "$f"
        if ! grep -q "Resource action" "$work/last.out"; then
            return 0
        fi
    done
    return 1
}

# build FILE NODES [SURVIVOR] [P_GROUP]: a pair of Dummy resources, up and
# settled with leapfrogd's constraints in place.
build() {
    local f=$1 nodes=$2 survivor=${3:-} i up=()
    cibadmin --empty >"$f" 2>/dev/null
    export CIB_file=$f
    if [ "${FENCE:-0}" = 1 ]; then
        # Fencing on, with a device, as production has it; two nodes need
        # priority-fencing-delay.
        pcs -f "$f" property set priority-fencing-delay=15s
        cibadmin -C -o resources -X \
            '<primitive id="fence-1" class="stonith" type="fence_dummy"/>'
    else
        pcs -f "$f" property set stonith-enabled=false
    fi
    lf_pcs_in_group g-T1 pcs -f "$f" resource create vip-T1 \
        ocf:pacemaker:Dummy op monitor interval=10s
    if [ "${ENQ:-0}" = 1 ]; then
        # F's server as ocf:leapfrog:enqueue (crm_simulate runs no agent;
        # mark stands in for the node attribute it publishes).
        cibadmin -M -o resources -X '<group id="g-T1"><primitive
            id="enq-T1" class="ocf" provider="leapfrog" type="enqueue">
            <instance_attributes id="enq-T1-ia"><nvpair id="enq-T1-ia-i"
            name="instance" value="T1"/></instance_attributes><operations>
            <op id="enq-T1-mon" name="monitor" interval="10s"/></operations>
            </primitive></group>'
    else
        lf_pcs_in_group g-T1 pcs -f "$f" resource create enq-T1 \
            ocf:pacemaker:Dummy op monitor interval=10s
    fi
    if [ "${PGROUP:-0}" = 1 ]; then
        # P as a group too: an address, then the replication server.
        lf_pcs_in_group g-R pcs -f "$f" resource create rip-T1 \
            ocf:pacemaker:Dummy op monitor interval=10s
        lf_pcs_in_group g-R pcs -f "$f" resource create rep-T1 \
            ocf:pacemaker:Dummy op monitor interval=10s
        pcs -f "$f" resource meta g-T1 leapfrog-follows=g-R
    else
        pcs -f "$f" resource create rep-T1 ocf:pacemaker:Dummy \
            op monitor interval=10s
        pcs -f "$f" resource meta g-T1 leapfrog-follows=rep-T1
    fi
    if [ -n "$survivor" ]; then
        pcs -f "$f" resource meta g-T1 "leapfrog-survivor=$survivor"
    fi
    unset CIB_file
    for i in $(seq 1 "$nodes"); do up+=(--node-up "node$i"); done
    sim "$f" "$f.up" "${up[@]}" && mv "$f.up" "$f"
    settle "$f" node1
}

current() {
    CIB_file="$1" "$helper" --status 2>&1 | grep -q "constraints: current"
}

# avoid_has FILE SCORE ATTRIBUTE OPERATION: the avoid location of pair T1
# has one top-level rule (all pacemaker-4.0 allows), of SCORE, and an
# expression on ATTRIBUTE with OPERATION in it (or in a rule nested in it).
avoid_has() {
    local l="//rsc_location[@id='leapfrog-g-T1-avoid']"
    [ "$(xmllint --xpath "count($l/rule)" "$1")" = 1 ] &&
        [ "$(xmllint --xpath "count($l/rule[@score='$2']//expression\
[@attribute='$3'][@operation='$4'])" "$1")" = 1 ]
}

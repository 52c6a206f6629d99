# dummy-failover.sh - the harness's own proof, shared by the 3-node and
# 2-node tests: two Dummy resources, the node running one of them is
# powered off, and the resource must come back on a surviving node.
#
# Usage (from a .test file): lfc_dummy_failover NAME NODES

lfc_dummy_failover() {
    local name=$1 nodes=$2 victim survivor other i

    tap_plan 9
    lfc_init "$name" "$nodes" || tap_bail "cannot set up the harness"
    lfc_trap
    tap_check "$nodes-node cluster boots: DC elected, all nodes online" \
        lfc_boot || tap_bail "cluster did not boot"

    tap_check "resources created with pcs" lfc_create_dummies ||
        tap_bail "pcs failed"
    tap_check "cluster settles" lfc_settle
    victim=$(lfc_where d1)
    other=$(lfc_where d2)
    tap_check "d1 runs on exactly one node ($victim)" \
        test "$(echo "$victim" | grep -c node)" = 1 || tap_bail "d1 not placed"
    tap_check "d2 runs on exactly one node ($other)" \
        test "$(echo "$other" | grep -c node)" = 1

    i=${victim#node}
    lfc_poweroff "$i"
    tap_check "the others see $victim offline" lfc_wait_offline "$i"
    # Pacemaker cannot know the node is off: it fences it before
    # recovering d1 (the harness's switch confirms the power-off).
    tap_check "the cluster fenced $victim" \
        lfc_wait_for 60 "$victim fenced" eval '[ "$(lfc_fence_count '"$i"')" -ge 1 ]'

    lfc_wait_for 60 "d1 recovered" lfc_runs_elsewhere d1 "$victim"
    lfc_settle
    survivor=$(lfc_where d1)
    tap_check "d1 recovered on another node ($survivor)" \
        lfc_runs_elsewhere d1 "$victim"
    tap_check "$victim boots again and rejoins" lfc_poweron "$i"
}

lfc_create_dummies() {
    lfc_exec 1 pcs resource create d1 ocf:pacemaker:Dummy \
        op monitor interval=5s &&
        lfc_exec 1 pcs resource create d2 ocf:pacemaker:Dummy \
            op monitor interval=5s
}

# lfc_runs_elsewhere RSC NODE: RSC is active on one node, and not on NODE.
lfc_runs_elsewhere() {
    local where
    where=$(lfc_where "$1")
    [ "$(echo "$where" | grep -c node)" = 1 ] && [ "$where" != "$2" ]
}

#!/bin/bash
# The leapfrog demo: a 3-node corosync + Pacemaker cluster in network
# namespaces on this machine, running the pair.
#
#   demo.sh start         boot the cluster, configure the pair, take locks
#   demo.sh status        crm_mon -1 -A on a running node
#   demo.sh failover      kill the enqueue server and show where
#                         everything went, with the locks still held
#   demo.sh exec N CMD..  run CMD inside node N (e.g. pcs status)
#   demo.sh stop          stop every node and remove what start made
#
# The demo uses its own slot (subnet 10.213.9.0/24), so it can run beside
# the tests. Fencing is on: the harness's fence device powers a fenced
# node off and boots it again.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export LF_CLUSTER_SLOT=${LF_DEMO_SLOT:-9}
# Fencing is on, as in every real cluster: a fenced node of the demo is
# powered off and booted again, as stonith-action=reboot does.
export LFC_STONITH_ACTION=${LFC_STONITH_ACTION:-reboot}
export LF_CLUSTER_STATE=${LF_DEMO_STATE:-/var/tmp/leapfrog-demo}
. "$here/../tests/harness/lf-cluster.sh"
. "$here/../tests/harness/lf-pair.sh"

demo_load() {
    LFC_NAME=demo
    LFC_NODES=3
    LFC_DIR="$LF_CLUSTER_STATE/slot$LF_CLUSTER_SLOT"
}

# The pair, configured by crm-snippets/pcs-pair.sh: a virtual IP grouped
# with the enqueue server, the replication server, their declaration and
# leapfrogd, which writes and keeps their constraints.
demo_configure() {
    local r
    lfp_require_installed
    lfc_exec 1 env SECRET_FILE="$(lfp_secret)" \
        INSTANCE=DEMO VIP="$(lfp_vip)" \
        sh "$here/../crm-snippets/pcs-pair.sh" || return 1
    lfp_settle || return 1
    r=$(lfc_where rep-DEMO)
    lfc_wait_for 60 "replica in sync" lfp_attr_is "$r" leapfrog-DEMO-replica \
        in-sync
    lfp_enq lock ORDER-4711 alice >/dev/null &&
        lfp_enq lock ORDER-4712 bob >/dev/null &&
        lfp_enq lock CUSTOMER-17 alice S >/dev/null &&
        lfp_enq lock CUSTOMER-17 bob S >/dev/null
}

demo_locks() {
    echo "Locks held, through the virtual IP $(lfp_vip):"
    lfp_enq list | sed 's/^/    /'
}

case "${1:-}" in
start)
    lfc_init demo 3 || exit 1
    lfc_boot || { lfc_collect_logs; lfc_teardown; exit 1; }
    demo_configure || { lfc_collect_logs; exit 1; }
    lfc_settle
    # crm_mon -A shows the lock count once a depth-10 monitor has run.
    lfc_wait_for 30 "lock count published" lfp_attr_is "$(lfc_where \
        enq-DEMO)" leapfrog-DEMO-locks 4
    lfc_exec 1 crm_mon -1 -A
    demo_locks
    echo
    lfc_exec 1 leapfrogd --status
    echo
    echo "The demo cluster runs. See it again with: $0 status"
    echo "Watch a failover with: $0 failover"
    echo "Stop it with: $0 stop"
    ;;
status)
    demo_load
    i=$(lfc_any_up_node) || { echo "the demo is not running" >&2; exit 1; }
    lfc_exec "$i" crm_mon -1 -A
    demo_locks
    ;;
failover)
    demo_load
    i=$(lfc_any_up_node) || { echo "the demo is not running" >&2; exit 1; }
    f=$(lfc_where enq-DEMO)
    p=$(lfc_where rep-DEMO)
    echo "Before: enqueue server on $f, replication server on $p."
    demo_locks
    echo
    echo "Killing the enqueue server's process on $f (kill -9)..."
    lfp_kill_server "$f" enq-DEMO
    lfc_wait_for 120 "the enqueue server on $p" \
        eval '[ "$(lfc_where enq-DEMO)" = "$p" ]' || exit 1
    lfp_settle
    echo "After: enqueue server on $(lfc_where enq-DEMO) (it took over the" \
        "replica's copy there), replication server moved on to" \
        "$(lfc_where rep-DEMO)."
    lfc_exec "$i" crm_mon -1 -A
    demo_locks
    lfc_exec "$i" pcs resource cleanup >/dev/null 2>&1
    ;;
exec)
    demo_load
    node=${2:?usage: demo.sh exec N CMD...}
    shift 2
    lfc_exec "$node" "$@"
    ;;
stop)
    demo_load
    lfc_teardown
    echo "demo stopped"
    ;;
*)
    echo "usage: $0 start|status|failover|exec N CMD...|stop" >&2
    exit 2
    ;;
esac

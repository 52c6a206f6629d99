#!/bin/bash
# The leapfrog demo: a 3-node corosync + Pacemaker cluster in network
# namespaces on this machine, running the pair.
#
#   demo.sh start         boot the cluster and configure the pair
#   demo.sh status        crm_mon -1 -A on a running node
#   demo.sh exec N CMD..  run CMD inside node N (e.g. pcs status)
#   demo.sh stop          stop every node and remove what start made
#
# The demo uses its own slot (subnet 10.213.9.0/24), so it can run beside
# the tests.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export LF_CLUSTER_SLOT=${LF_DEMO_SLOT:-9}
export LF_CLUSTER_STATE=${LF_DEMO_STATE:-/var/tmp/leapfrog-demo}
. "$here/../tests/cluster/lf-cluster.sh"

demo_load() {
    LFC_NAME=demo
    LFC_NODES=3
    LFC_DIR="$LF_CLUSTER_STATE/slot$LF_CLUSTER_SLOT"
    local i
    for i in 1 2 3; do
        if lfc_node_pid "$i" >/dev/null; then
            LFC_UP[$i]=1
        fi
    done
}

demo_configure() {
    # Until the leapfrog agents exist the pair is shown with Dummy
    # resources standing in for the enqueue and replication servers.
    lfc_exec 1 pcs property set stonith-enabled=false &&
        lfc_exec 1 pcs resource create enqueue ocf:pacemaker:Dummy \
            op monitor interval=10s &&
        lfc_exec 1 pcs resource create replication ocf:pacemaker:Dummy \
            op monitor interval=10s &&
        lfc_exec 1 pcs constraint colocation add replication with enqueue \
            -5000
}

case "${1:-}" in
start)
    lfc_init demo 3 || exit 1
    lfc_boot || { lfc_collect_logs; lfc_teardown; exit 1; }
    demo_configure || { lfc_collect_logs; exit 1; }
    lfc_settle
    lfc_exec 1 crm_mon -1 -A
    echo
    echo "The demo cluster runs. See it again with: $0 status"
    echo "Stop it with: $0 stop"
    ;;
status)
    demo_load
    i=$(lfc_any_up_node) || { echo "the demo is not running" >&2; exit 1; }
    lfc_exec "$i" crm_mon -1 -A
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
    echo "usage: $0 start|status|exec N CMD...|stop" >&2
    exit 2
    ;;
esac

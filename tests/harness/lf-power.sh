#!/bin/bash
# lf-power.sh - what the harness's power switch (lf-fence-switch) runs for
# a fence agent's request: lf-power.sh CLUSTERDIR ACTION PLUG.
#
#   off      power the node off silently (link down, then every process
#            killed), like a fence device cutting power; already off: ok
#   on       boot it (without waiting for it to join)
#   reboot   off, then on
#   status   exit 0 when it is on, 2 when off
#   list     the nodes of the cluster, one "node,alias" line each
#   monitor  the switch is there: exit 0
#
# It holds the cluster's power lock, so it never races the test's own
# power-offs and boots.
here=$(cd "$(dirname "$0")" && pwd)
dir=$1 action=$2 plug=$3
[ -f "$dir/cluster.env" ] || { echo "no cluster in $dir" >&2; exit 1; }
# shellcheck disable=SC1091
. "$dir/cluster.env"
. "$here/lf-cluster.sh"
LFC_DIR=$dir
i=${plug#node}

case "$action" in
list)
    for n in $(seq 1 "$LFC_NODES"); do echo "node$n,node$n"; done
    exit 0 ;;
monitor) exit 0 ;;
esac
case "$i" in
'' | *[!0-9]*) echo "not a node: $plug" >&2; exit 1 ;;
esac
[ "$i" -ge 1 ] && [ "$i" -le "$LFC_NODES" ] ||
    { echo "no $plug in this cluster" >&2; exit 1; }

case "$action" in
off) lfc_power_locked lfc_power_off_unlocked "$i" silent ;;
on) lfc_power_locked lfc_power_on_unlocked "$i" ;;
reboot)
    lfc_power_locked lfc_power_off_unlocked "$i" silent &&
        lfc_power_locked lfc_power_on_unlocked "$i" ;;
status) lfc_is_up "$i" && exit 0; exit 2 ;;
*) echo "unknown action $action" >&2; exit 1 ;;
esac

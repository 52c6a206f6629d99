# lf-cluster.sh - boot real corosync + Pacemaker clusters in namespaces.
#
# Source this file from bash. Each node is a network namespace with its own
# mount, pid and uts namespaces; tini is PID 1 of the node (so killed
# daemons are reaped) and runs corosync and pacemakerd. Nothing is mocked.
#
#   lfc_init NAME NODES     set up names; tears down leftovers of NAME first
#   lfc_boot                create the network, start the power switch and
#                           every node, wait ready, turn fencing on
#   lfc_exec I CMD...       run CMD inside node I
#   lfc_poweroff I [silent] pull node I's plug (SIGKILL to its PID 1);
#                           "silent": its link goes down first, so peers
#                           see nothing (no FIN, no RST)
#   lfc_poweron I           boot node I again and wait until it is online
#   lfc_is_up I             node I is powered on
#   lfc_add_host J          a client host cJ on the cluster's network
#   lfc_host_exec J CMD...  run CMD in client host J's network namespace
#   lfc_wait_ready          wait for a DC and every powered node online
#   lfc_wait_offline I      wait until the others see node I offline
#   lfc_settle              wait until the scheduler has nothing left to do
#   lfc_where RSC           print the nodes where RSC is active
#   lfc_wait_for SECS DESC CMD...  poll CMD until it succeeds
#   lfc_collect_logs        copy and summarise every node's logs
#   lfc_teardown            stop what we started, remove what we made
#
# Settings (environment):
#   LF_CLUSTER_SLOT   1-200: picks the subnet 10.213.SLOT.0/24, the bridge
#                     lfbrSLOT and the namespaces lfSLOT-nI (default 1)
#   LF_CLUSTER_STATE  parent of the per-cluster state directories
#                     (default /var/tmp/leapfrog-cluster)
#   LF_CLUSTER_LOGDIR where logs are kept on failure
#                     (default ./cluster-logs)
#   LFC_FENCING       1 (default): lfc_boot turns fencing on with the
#                     harness's fence device; 0 is refused unless the
#                     test's file name says "unfenced"
#   LFC_STONITH_ACTION  off (default: a fenced node stays off until the
#                     test boots it) or reboot
#   LFC_FENCE_DELAY   priority-fencing-delay on two nodes (default 5s)
#   LFC_TOKEN         corosync's totem token, ms (default 1000; corosync's
#                     own default is 3000)
#
# Fencing: a virtual power switch (lf-fence-switch) runs on the host with
# each cluster, on the UNIX socket $LFC_DIR/fence.sock; the fence agent
# fence_lfharnessSLOT, installed in /usr/sbin for the cluster's lifetime,
# asks it to power a node off (silently) or on. pcs knows the device as
# "lf-fence".
#
# Only processes inside our own namespaces are ever signalled, and only
# the namespaces, veths and bridge named after our slot are deleted.

LF_CLUSTER_SLOT=${LF_CLUSTER_SLOT:-1}
LF_CLUSTER_STATE=${LF_CLUSTER_STATE:-/var/tmp/leapfrog-cluster}
LF_CLUSTER_LOGDIR=${LF_CLUSTER_LOGDIR:-$PWD/cluster-logs}
LFC_MAX_NODES=5
LFC_MAX_HOSTS=4
LFC_BOOT_TIMEOUT=${LFC_BOOT_TIMEOUT:-180}
LFC_FENCING=${LFC_FENCING:-1}
LFC_STONITH_ACTION=${LFC_STONITH_ACTION:-off}
LFC_FENCE_DELAY=${LFC_FENCE_DELAY:-5s}
LFC_TOKEN=${LFC_TOKEN:-1000}
LFC_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/harness/lf-pcs.sh
. "$LFC_HERE/lf-pcs.sh"
# Tests report with tap_plan, tap_check, tap_is and tap_bail.
# shellcheck source=tests/harness/lf-tap.sh
. "$LFC_HERE/lf-tap.sh"
# The fence device's programs: the build tree's (noinst programs).
LFC_FENCE_BIN=${LF_BUILDDIR:-$LFC_HERE/../..}/tests/fence

lfc_log() {
    printf '# %s %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

lfc_die() {
    lfc_log "harness error: $*"
    return 1
}

lfc_ns() { echo "lf${LF_CLUSTER_SLOT}-n$1"; }
lfc_veth() { echo "lf${LF_CLUSTER_SLOT}v$1"; }
lfc_bridge() { echo "lfbr${LF_CLUSTER_SLOT}"; }
lfc_addr() { echo "10.213.${LF_CLUSTER_SLOT}.$1"; }
lfc_nodedir() { echo "$LFC_DIR/node$1"; }
# Client hosts: namespace lfSLOT-cJ, address .20J, veth lfSLOTcJ.
lfc_host_ns() { echo "lf${LF_CLUSTER_SLOT}-c$1"; }
lfc_host_veth() { echo "lf${LF_CLUSTER_SLOT}c$1"; }
lfc_host_addr() { lfc_addr "$((200 + $1))"; }
lfc_fence_agent() { echo "fence_lfharness${LF_CLUSTER_SLOT}"; }
lfc_fence_socket() { echo "$LFC_DIR/fence.sock"; }

# lfc_init NAME NODES
lfc_init() {
    LFC_NAME=$1
    LFC_NODES=$2
    case "$LFC_NODES" in
    [2-5]) ;;
    *) lfc_die "a cluster has 2 to $LFC_MAX_NODES nodes, not '$LFC_NODES'"
       return 1 ;;
    esac
    case "$LF_CLUSTER_SLOT" in
    '' | *[!0-9]*) lfc_die "LF_CLUSTER_SLOT must be a number"; return 1 ;;
    esac
    if [ "$LF_CLUSTER_SLOT" -lt 1 ] || [ "$LF_CLUSTER_SLOT" -gt 200 ]; then
        lfc_die "LF_CLUSTER_SLOT must be 1-200"
        return 1
    fi
    if [ "$(id -u)" != 0 ]; then
        lfc_die "live-cluster tests need root (namespaces, corosync)"
        return 1
    fi
    if [ "$LFC_FENCING" != 1 ]; then
        case "$(basename "$0")" in
        *unfenced*) ;;
        *) lfc_die "only a test named 'unfenced' may turn fencing off"
           return 1 ;;
        esac
    fi
    LFC_DIR="$LF_CLUSTER_STATE/slot$LF_CLUSTER_SLOT"
    lfc_teardown
}

# Kill every process of node I: all of them live in its network namespace
# (nsenter'ed commands too), and PID 1 takes its pid namespace along.
lfc_kill_node_procs() {
    local ns pids tries=0
    ns=$(lfc_ns "$1")
    ip netns list 2>/dev/null | grep -qw "^$ns" || return 0
    while :; do
        pids=$(ip netns pids "$ns" 2>/dev/null)
        [ -n "$pids" ] || return 0
        # shellcheck disable=SC2086
        kill -9 $pids 2>/dev/null
        tries=$((tries + 1))
        if [ "$tries" -gt 250 ]; then
            lfc_log "processes still in $ns: $pids"
            return 1
        fi
        sleep 0.02
    done
}

lfc_teardown() {
    local i ns
    [ -n "${LFC_DIR:-}" ] || return 0
    for i in $(seq 1 $LFC_MAX_NODES); do
        ns=$(lfc_ns "$i")
        lfc_kill_node_procs "$i"
        # Reap the unshare launchers that were our own children.
        if [ -f "$(lfc_nodedir "$i")/launcher.pid" ]; then
            wait "$(cat "$(lfc_nodedir "$i")/launcher.pid")" 2>/dev/null
        fi
        ip link del "$(lfc_veth "$i")" 2>/dev/null
        ip netns del "$ns" 2>/dev/null
        if mountpoint -q "$(lfc_nodedir "$i")/lib-leapfrog" 2>/dev/null; then
            umount -l "$(lfc_nodedir "$i")/lib-leapfrog"
        fi
    done
    for i in $(seq 1 $LFC_MAX_HOSTS); do
        ns=$(lfc_host_ns "$i")
        ip netns list 2>/dev/null | grep -qw "^$ns" || continue
        # shellcheck disable=SC2046
        kill -9 $(ip netns pids "$ns") 2>/dev/null
        ip link del "$(lfc_host_veth "$i")" 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
    lfc_stop_switch
    rm -f "/usr/sbin/$(lfc_fence_agent)"
    ip link del "$(lfc_bridge)" 2>/dev/null
    rm -rf "$LFC_DIR"
    return 0
}

lfc_write_corosync_conf() {
    local conf=$1 i
    case $LFC_TOKEN in
    '' | *[!0-9]*)
        lfc_log "LFC_TOKEN must be a number of milliseconds, not '$LFC_TOKEN'"
        return 1
        ;;
    esac
    {
        echo "totem {"
        echo "    version: 2"
        echo "    cluster_name: lf${LF_CLUSTER_SLOT}"
        echo "    transport: knet"
        echo "    token: $LFC_TOKEN"
        echo "    crypto_cipher: none"
        echo "    crypto_hash: none"
        echo "}"
        echo "nodelist {"
        for i in $(seq 1 "$LFC_NODES"); do
            echo "    node {"
            echo "        ring0_addr: $(lfc_addr "$i")"
            echo "        name: node$i"
            echo "        nodeid: $i"
            echo "    }"
        done
        echo "}"
        echo "quorum {"
        echo "    provider: corosync_votequorum"
        if [ "$LFC_NODES" = 2 ]; then
            echo "    two_node: 1"
        fi
        echo "}"
        echo "logging {"
        echo "    to_logfile: yes"
        echo "    logfile: /var/log/corosync/corosync.log"
        echo "    to_syslog: no"
        echo "    to_stderr: no"
        echo "    timestamp: on"
        echo "}"
    } >"$conf"
}

# The script that node I's PID 1 (tini) runs: private mounts, then
# corosync, then pacemakerd in its place.
lfc_write_boot_script() {
    local i=$1 d
    d=$(lfc_nodedir "$i")
    cat >"$d/boot.sh" <<EOF
set -e
hostname node$i
mount --bind $d/lib-pcmk /var/lib/pacemaker
mount --bind $d/lib-coro /var/lib/corosync
mount -t tmpfs tmpfs /run
mkdir -p /run/crm /run/resource-agents
chown hacluster:haclient /run/crm
mount -t tmpfs -o size=${LFC_SHM_SIZE:-256m} tmpfs /dev/shm
mount --bind $d/log /var/log/pacemaker
mount --bind $d/log-coro /var/log/corosync
mount --bind $d/etc-coro /etc/corosync
mount --bind $d/lib-leapfrog /var/lib/leapfrog
ip link set lo up
corosync -f >>$d/corosync.out 2>&1 &
echo \$! >$d/corosync.pid
n=0
until corosync-cfgtool -s >/dev/null 2>&1; do
    n=\$((n + 1))
    if [ \$n -gt 300 ]; then echo "corosync did not come up" >&2; exit 1; fi
    sleep 0.1
done
/usr/sbin/pacemakerd >>$d/pacemakerd.out 2>&1 &
echo \$! >$d/pacemakerd.pid
# The node stays powered on when its cluster daemons die (as a machine
# does): only a power-off ends it.
exec sleep infinity
EOF
}

lfc_create_network() {
    local br i ns
    br=$(lfc_bridge)
    ip link add "$br" type bridge || return 1
    ip addr add "$(lfc_addr 254)/24" dev "$br" || return 1
    ip link set "$br" up || return 1
    for i in $(seq 1 "$LFC_NODES"); do
        ns=$(lfc_ns "$i")
        ip netns add "$ns" || return 1
        ip link add "$(lfc_veth "$i")" type veth peer name eth0 netns "$ns" \
            || return 1
        ip link set "$(lfc_veth "$i")" master "$br" up || return 1
        ip -n "$ns" addr add "$(lfc_addr "$i")/24" dev eth0 || return 1
        ip -n "$ns" link set eth0 up || return 1
        ip -n "$ns" link set lo up || return 1
    done
}

lfc_prepare_node_dirs() {
    local i=$1 d
    d=$(lfc_nodedir "$i")
    # Node-local state of leapfrog's servers, like Pacemaker's own.
    mkdir -p /var/lib/leapfrog || return 1
    mkdir -p "$d"/lib-pcmk/{cib,pengine,blackbox,cores} "$d"/lib-coro \
        "$d"/log "$d"/log-coro "$d"/etc-coro "$d"/lib-leapfrog || return 1
    # A small file system of its own, so that a test can fill it (a full
    # disk on one node) without filling the host's; it outlives the
    # node's power-offs, like a disk.
    mount -t tmpfs -o "size=${LFC_STATE_SIZE:-16m},mode=0755" tmpfs \
        "$d/lib-leapfrog" || return 1
    chown -R hacluster:haclient "$d/lib-pcmk" "$d/log"
    lfc_write_corosync_conf "$d/etc-coro/corosync.conf" || return 1
    lfc_write_boot_script "$i"
}

# Host pid of node I's PID 1, or nothing when the node is off.
lfc_node_pid() {
    local d pid
    d=$(lfc_nodedir "$1")
    [ -f "$d/init.pid" ] || return 1
    pid=$(cat "$d/init.pid")
    [ -d "/proc/$pid" ] || return 1
    # Make sure the pid was not reused by something that is not ours.
    [ "$(ip netns identify "$pid" 2>/dev/null)" = "$(lfc_ns "$1")" ] \
        || return 1
    echo "$pid"
}

# The host pid of the process that is PID 1 in node I's pid namespace.
lfc_find_init() {
    local p nspid
    for p in $(ip netns pids "$(lfc_ns "$1")" 2>/dev/null); do
        nspid=$(sed -n 's/^NSpid:[[:space:]]*//p' "/proc/$p/status" \
            2>/dev/null)
        if [ "${nspid##*[[:space:]]}" = 1 ]; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

lfc_start_node() {
    local i=$1 d ns init n=0
    d=$(lfc_nodedir "$i")
    ns=$(lfc_ns "$i")
    rm -f "$d/init.pid"
    # After a silent power-off the link is down: the machine comes back
    # with its own address only.
    ip -n "$ns" addr flush dev eth0
    ip -n "$ns" addr add "$(lfc_addr "$i")/24" dev eth0 || return 1
    ip -n "$ns" link set eth0 up || return 1
    # The wrapping shell stays in the root namespaces, so it outlives the
    # node, notes in boot.out how the node ended and exits normally.
    bash -c '"$@" >>"$0" 2>&1 </dev/null; exit 0' "$d/boot.out" \
        ip netns exec "$ns" unshare --mount --pid --fork --mount-proc --uts \
        tini -s -- bash "$d/boot.sh" >/dev/null 2>>"$d/boot.out" </dev/null \
        9>&- &
    echo $! >"$d/launcher.pid"
    until init=$(lfc_find_init "$i"); do
        n=$((n + 1))
        if [ $n -gt 500 ]; then
            lfc_die "node$i did not start (see $d/boot.out)"
            return 1
        fi
        sleep 0.01
    done
    echo "$init" >"$d/init.pid"
}

lfc_exec() {
    local i=$1 pid
    shift
    pid=$(lfc_node_pid "$i") || { lfc_die "node$i is not running"; return 1; }
    nsenter -t "$pid" -a -- "$@"
}

# A node that is powered on, for cluster-wide queries.
lfc_any_up_node() {
    local i
    for i in $(seq 1 "$LFC_NODES"); do
        if lfc_is_up "$i"; then
            echo "$i"
            return 0
        fi
    done
    return 1
}

lfc_crm_mon_xml() {
    local i=${1:-$(lfc_any_up_node)}
    lfc_exec "$i" crm_mon -1 --output-as=xml 2>/dev/null
}

lfc_xpath() {
    xmllint --xpath "$1" - 2>/dev/null
}

# Is the cluster, as node I sees it, ready: a DC with quorum, and exactly
# the powered-on nodes online?
lfc_is_ready() {
    local xml want=0 j online
    xml=$(lfc_crm_mon_xml "$1") || return 1
    [ "$(echo "$xml" | lfc_xpath 'string(//current_dc/@present)')" = true ] \
        || return 1
    [ "$(echo "$xml" | lfc_xpath 'string(//current_dc/@with_quorum)')" = \
      true ] || return 1
    for j in $(seq 1 "$LFC_NODES"); do
        online=$(echo "$xml" |
            lfc_xpath "string(//nodes/node[@name='node$j']/@online)")
        if lfc_is_up "$j"; then
            [ "$online" = true ] || return 1
            want=$((want + 1))
        else
            [ "$online" != true ] || return 1
        fi
    done
    [ "$want" -gt 0 ]
}

# lfc_wait_for SECONDS DESCRIPTION CMD... : poll CMD until it succeeds.
lfc_wait_for() {
    local secs=$1 what=$2 deadline
    shift 2
    deadline=$(($(date +%s) + secs))
    until "$@"; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            lfc_log "timed out after ${secs}s waiting for: $what"
            return 1
        fi
        sleep 0.2
    done
}

lfc_all_up_ready() {
    local i
    for i in $(seq 1 "$LFC_NODES"); do
        if lfc_is_up "$i"; then
            lfc_is_ready "$i" || return 1
        fi
    done
}

lfc_wait_ready() {
    lfc_wait_for "${1:-$LFC_BOOT_TIMEOUT}" "DC elected and nodes online" \
        lfc_all_up_ready
}

lfc_boot() {
    local i t0
    t0=$(date +%s)
    mkdir -p "$LFC_DIR" || return 1
    printf 'LF_CLUSTER_SLOT=%s\nLFC_NAME=%s\nLFC_NODES=%s\n' \
        "$LF_CLUSTER_SLOT" "$LFC_NAME" "$LFC_NODES" >"$LFC_DIR/cluster.env"
    lfc_create_network || { lfc_die "could not create the network"; return 1; }
    for i in $(seq 1 "$LFC_NODES"); do
        lfc_prepare_node_dirs "$i" || return 1
    done
    lfc_start_switch || return 1
    for i in $(seq 1 "$LFC_NODES"); do
        lfc_start_node "$i" || return 1
    done
    lfc_wait_ready || return 1
    if [ "$LFC_FENCING" = 1 ]; then
        lfc_enable_fencing || { lfc_die "could not turn fencing on"; return 1; }
    else
        lfc_log "fencing OFF (an unfenced test)"
        lfc_exec 1 pcs property set stonith-enabled=false || return 1
    fi
    lfc_log "cluster $LFC_NAME: $LFC_NODES nodes ready in" \
        "$(($(date +%s) - t0))s"
}

# Is node I powered on?
lfc_is_up() {
    lfc_node_pid "$1" >/dev/null
}

# lfc_power_locked CMD...: run CMD holding the cluster's power lock, so the
# test and the power switch (fencing) never power one node at once.
lfc_power_locked() {
    {
        flock 9 || return 1
        "$@"
    } 9>"$LFC_DIR/power.lock"
}

# Power node I off; "silent" takes its link down first. Already off: 0.
lfc_power_off_unlocked() {
    local i=$1 how=${2:-} pid ns
    ns=$(lfc_ns "$i")
    pid=$(lfc_node_pid "$i") || return 0
    lfc_log "powering off node$i (pid $pid${how:+, $how})"
    if [ "$how" = silent ]; then
        ip -n "$ns" link set eth0 down
    fi
    kill -9 "$pid"
    # Everything left in the node's network namespace goes with it, the
    # launcher too (it may be stopped, in a hung node, and then would
    # never reap PID 1).
    lfc_kill_node_procs "$i" || return 1
    # The network namespace outlives its processes; a machine that lost
    # power does not keep the addresses its services had added (a virtual
    # IP, say). Back to the node's own address only (and, silent, no link
    # until it boots).
    ip -n "$ns" addr flush dev eth0
    ip -n "$ns" addr add "$(lfc_addr "$i")/24" dev eth0
    return 0
}

lfc_power_on_unlocked() {
    lfc_is_up "$1" && return 0
    lfc_log "booting node$1"
    lfc_start_node "$1"
}

lfc_poweroff() {
    lfc_is_up "$1" || { lfc_die "node$1 is already off"; return 1; }
    lfc_power_locked lfc_power_off_unlocked "$@" || return 1
    wait "$(cat "$(lfc_nodedir "$1")/launcher.pid")" 2>/dev/null
    return 0
}

lfc_node_procs_gone() {
    [ -z "$(ip netns pids "$(lfc_ns "$1")" 2>/dev/null)" ]
}

lfc_poweron() {
    lfc_power_locked lfc_power_on_unlocked "$1" || return 1
    lfc_wait_ready
}

# --- the fence device --------------------------------------------------------

lfc_start_switch() {
    local sw=$LFC_FENCE_BIN/lf-fence-switch agent=$LFC_FENCE_BIN/fence_lfharness
    [ -x "$sw" ] && [ -x "$agent" ] ||
        { lfc_die "$sw or $agent is not built (run make)"; return 1; }
    install -m 0755 "$agent" "/usr/sbin/$(lfc_fence_agent)" || return 1
    "$sw" -s "$(lfc_fence_socket)" -- bash "$LFC_HERE/lf-power.sh" \
        "$LFC_DIR" </dev/null 9>&- >>"$LFC_DIR/fence-switch.log" 2>&1 &
    echo $! >"$LFC_DIR/fence-switch.pid"
    lfc_wait_for 10 "the power switch" test -S "$(lfc_fence_socket)"
}

# Stop the switch this cluster started (by its pid, when it is ours).
lfc_stop_switch() {
    local f=$LFC_DIR/fence-switch.pid pid
    [ -f "$f" ] || return 0
    pid=$(cat "$f")
    case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in
    */lf-fence-switch)
        kill "$pid"
        wait "$pid" 2>/dev/null ;;
    esac
    rm -f "$f"
}

# Fencing as a production cluster has it: the device, stonith-enabled,
# no-quorum-policy=stop, and on two nodes priority-fencing-delay.
lfc_enable_fencing() {
    local hosts="" i
    for i in $(seq 1 "$LFC_NODES"); do hosts="$hosts node$i"; done
    lfc_exec 1 pcs stonith create lf-fence "$(lfc_fence_agent)" \
        socket="$(lfc_fence_socket)" pcmk_host_list="${hosts# }" \
        pcmk_host_check=static-list op monitor interval=60s >/dev/null ||
        return 1
    lfc_exec 1 pcs property set stonith-enabled=true no-quorum-policy=stop \
        stonith-action="$LFC_STONITH_ACTION" || return 1
    if [ "$LFC_NODES" = 2 ]; then
        lfc_exec 1 pcs property set priority-fencing-delay="$LFC_FENCE_DELAY" \
            || return 1
    fi
    lfc_settle
}

# Times node I was fenced, from the switch's log.
lfc_fence_count() {
    grep -cE "lf-fence-switch: (off|reboot) node$1: rc 0" \
        "$LFC_DIR/fence-switch.log" 2>/dev/null
}

# --- client hosts ------------------------------------------------------------

# lfc_add_host J: a host cJ (not a cluster node) on the cluster's network,
# for clients: address 10.213.SLOT.(200+J).
lfc_add_host() {
    local j=$1 ns
    ns=$(lfc_host_ns "$j")
    ip netns add "$ns" || return 1
    ip link add "$(lfc_host_veth "$j")" type veth peer name eth0 netns "$ns" \
        || return 1
    ip link set "$(lfc_host_veth "$j")" master "$(lfc_bridge)" up || return 1
    ip -n "$ns" addr add "$(lfc_host_addr "$j")/24" dev eth0 || return 1
    ip -n "$ns" link set eth0 up || return 1
    ip -n "$ns" link set lo up
}

lfc_host_exec() {
    local j=$1
    shift
    ip netns exec "$(lfc_host_ns "$j")" "$@"
}

lfc_sees_offline() {
    local observer=$1 node=$2 online
    online=$(lfc_crm_mon_xml "$observer" |
        lfc_xpath "string(//nodes/node[@name='node$node']/@online)")
    [ "$online" = false ]
}

lfc_all_see_offline() {
    local j
    for j in $(seq 1 "$LFC_NODES"); do
        if lfc_is_up "$j"; then
            lfc_sees_offline "$j" "$1" || return 1
        fi
    done
}

lfc_wait_offline() {
    lfc_wait_for 60 "node$1 seen offline" lfc_all_see_offline "$1"
}

# Wait until the DC has no transition left to run.
lfc_settle() {
    local i
    i=$(lfc_any_up_node) || return 1
    lfc_exec "$i" crm_resource --wait --timeout="${1:-120}s" >/dev/null
}

# Print the nodes where RSC is active, one per line, sorted.
lfc_where() {
    local i
    i=$(lfc_any_up_node) || return 1
    lfc_exec "$i" crm_resource --locate --resource "$1" --quiet 2>/dev/null |
        sort
}

lfc_collect_logs() {
    local dest i d f
    dest="$LF_CLUSTER_LOGDIR/$LFC_NAME"
    rm -rf "$dest"
    mkdir -p "$dest" || return 1
    for i in $(seq 1 "$LFC_NODES"); do
        d=$(lfc_nodedir "$i")
        [ -d "$d" ] || continue
        mkdir -p "$dest/node$i"
        for f in "$d"/log/*.log "$d"/log-coro/corosync.log "$d"/*.out; do
            [ -f "$f" ] && cp "$f" "$dest/node$i/"
        done
        if lfc_is_up "$i"; then
            lfc_exec "$i" crm_mon -1 -A -f >"$dest/node$i/crm_mon.txt" 2>&1
            lfc_exec "$i" cibadmin -Q >"$dest/node$i/cib.xml" 2>&1
        fi
    done
    lfc_log "logs of every node kept in $dest"
    i=$(lfc_any_up_node) && [ -f "$dest/node$i/crm_mon.txt" ] &&
        tap_quote <"$dest/node$i/crm_mon.txt" >&2
    for i in $(seq 1 "$LFC_NODES"); do
        f="$dest/node$i/pacemaker.log"
        [ -f "$f" ] || continue
        lfc_log "last lines of node$i's pacemaker.log:"
        grep -E 'error|warning|notice' "$f" | tail -n 15 | tap_quote >&2
    done
}

# Install the exit trap: logs on failure, teardown always.
lfc_trap() {
    trap 'lfc_on_exit' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

lfc_on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    if [ "$rc" != 0 ] || [ "$TAP_FAILED" != 0 ]; then
        lfc_collect_logs
    fi
    lfc_teardown
    [ "$TAP_FAILED" = 0 ] || rc=1
    exit "$rc"
}

# shellcheck shell=bash
# Namespace "nodes" for the benchmarks that need the servers on separate
# machines without a cluster (bench/run-takeover.sh,
# bench/run-unavailability.sh); sourced, not run.
#
# Each node is a network namespace lfbt-NAME with one veth, eth0, on a
# bridge that lives in a namespace of its own (lfbt-sw), so nothing is
# added to the host's own network: nodes n1 n2 n3 at 10.214.0.1-3, the
# client c at 10.214.0.10, a floating address at 10.214.0.100. A server
# runs in its node's namespace and in a mount namespace of its own with a
# private /dev/shm (lfbt_run), so a replica's segment is seen on no other
# node, as on separate machines. One run at a time (a lock file);
# lfbt_clear removes what an aborted run left: the processes in these
# namespaces (by pid, from `ip netns pids`) and the namespaces.

LFBT_NET=10.214.0
LFBT_VIP=$LFBT_NET.100
LFBT_LOCK=/run/lock/lfbt-bench.lock
LFBT_NAMESPACES="lfbt-n1 lfbt-n2 lfbt-n3 lfbt-c lfbt-sw"

lfbt_addr() {
    case $1 in
    n1) echo "$LFBT_NET.1" ;;
    n2) echo "$LFBT_NET.2" ;;
    n3) echo "$LFBT_NET.3" ;;
    c) echo "$LFBT_NET.10" ;;
    esac
}

lfbt_lock() {
    exec 9>"$LFBT_LOCK"
    flock -n 9 || {
        echo "another benchmark holds $LFBT_LOCK (lfbt-* namespaces)" >&2
        return 1
    }
}

lfbt_ns_exists() {
    [ -e "/run/netns/$1" ]
}

# Stop every process in our namespaces (by pid), then remove them.
lfbt_clear() {
    local ns pids tries
    for ns in $LFBT_NAMESPACES; do
        lfbt_ns_exists "$ns" || continue
        pids=$(ip netns pids "$ns" 2>/dev/null)
        # shellcheck disable=SC2086 # one pid a word
        [ -n "$pids" ] && kill $pids 2>/dev/null
    done
    for ns in $LFBT_NAMESPACES; do
        lfbt_ns_exists "$ns" || continue
        tries=0
        while pids=$(ip netns pids "$ns" 2>/dev/null) && [ -n "$pids" ] &&
            [ $tries -lt 40 ]; do
            sleep 0.05
            tries=$((tries + 1))
        done
        # shellcheck disable=SC2086 # one pid a word
        [ -n "$pids" ] && kill -9 $pids 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
    return 0
}

# lfbt_up NODE...: the switch and the named nodes.
lfbt_up() {
    local node ns
    ip netns add lfbt-sw || return 1
    ip -n lfbt-sw link add br0 type bridge || return 1
    ip -n lfbt-sw link set br0 up || return 1
    for node in "$@"; do
        ns=lfbt-$node
        ip netns add "$ns" || return 1
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
        ip -n lfbt-sw link add "$node" type veth peer name eth0 netns "$ns" ||
            return 1
        ip -n lfbt-sw link set "$node" master br0 up || return 1
        ip -n "$ns" addr add "$(lfbt_addr "$node")/24" dev eth0 || return 1
        ip -n "$ns" link set eth0 up || return 1
        ip -n "$ns" link set lo up || return 1
    done
}

# lfbt_run NODE COMMAND [ARG...]: run it on NODE with a private /dev/shm.
lfbt_run() {
    local node=$1
    shift
    ip netns exec "lfbt-$node" unshare -m sh -c \
        'mount -t tmpfs -o mode=1777 tmpfs /dev/shm && exec "$@"' sh "$@"
}

# lfbt_run_argv NODE: the words lfbt_run puts before the command, for a
# program that runs the command itself.
lfbt_run_argv() {
    printf '%s\n' ip netns exec "lfbt-$1" unshare -m sh -c \
        'mount -t tmpfs -o mode=1777 tmpfs /dev/shm && exec "$@"' sh
}

# Forget every node's neighbours (between runs: the floating address moved).
lfbt_flush_neigh() {
    local node
    for node in "$@"; do
        ip -n "lfbt-$node" neigh flush all 2>/dev/null
    done
    return 0
}

# Announce the floating address from NODE as IPaddr2 does (send_arp of
# resource-agents, its defaults: 5 pairs 200 ms apart), in the background;
# the sender's pid is left in LFBT_ANNOUNCER.
lfbt_announce() {
    ip netns exec "lfbt-$1" "$LFBT_SEND_ARP" -i 200 -r 5 eth0 "$LFBT_VIP" \
        auto not_used not_used >/dev/null 2>&1 &
    # shellcheck disable=SC2034 # read by the caller
    LFBT_ANNOUNCER=$!
}
LFBT_SEND_ARP=${LFBT_SEND_ARP:-/usr/libexec/heartbeat/send_arp}

# Wait (up to 10 s) until STATS on NODE's view of ADDRESS shows every
# name=value given.
lfbt_wait_stats() {
    local node=$1 addr=$2 tries=0 s want ok
    shift 2
    while [ $tries -lt 500 ]; do
        s=$(ip netns exec "lfbt-$node" "$LFBT_ENQ" -a "$addr" -t 1000 stats \
            2>/dev/null)
        ok=1
        for want in "$@"; do
            case " $s " in
            *" $want "*) ;;
            *) ok=0 ;;
            esac
        done
        [ $ok = 1 ] && return 0
        sleep 0.02
        tries=$((tries + 1))
    done
    echo "timed out waiting for $* at $addr: $s" >&2
    return 1
}

# Is PID a process in one of our namespaces (not a reused pid)?
lfbt_ours() {
    case $(ip netns identify "$1" 2>/dev/null) in
    lfbt-*) return 0 ;;
    esac
    return 1
}

# Stop the daemon whose pid file is given (SIGTERM, then SIGKILL after 5 s).
lfbt_stop_pidfile() {
    local pid tries=0
    [ -s "$1" ] || return 0
    pid=$(cat "$1")
    lfbt_ours "$pid" || return 0
    kill "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null && [ $tries -lt 100 ]; do
        sleep 0.05
        tries=$((tries + 1))
    done
    kill -9 "$pid" 2>/dev/null
    return 0
}

lfbt_median() {
    sort -n | awk '{ v[NR] = $1 }
        END {
            if (NR == 0) { print "-"; exit }
            if (NR % 2) { print v[(NR + 1) / 2] }
            else { printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }
        }'
}

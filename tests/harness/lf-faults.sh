# lf-faults.sh - fault injection for harness clusters (source after
# lf-cluster.sh). Every fault is a function a test calls; each undoes
# itself or has its healing function.
#
#   lff_partition "A..." "B..."   cut every link between the two sides;
#                                 a side lists nodes (1, 2) and client
#                                 hosts (c1, c2)
#   lff_partition_node I          node I from every other node and host
#   lff_partition_pair I J        only between nodes I and J
#   lff_heal                      remove every cut
#   lff_poweroff_silent I         link down first, then power off
#   lff_hang_node I SECS          SIGSTOP every process of node I for
#                                 SECS, then SIGCONT (in the background:
#                                 lff_wait_hang waits for its end)
#   lff_hang_process I PID SECS   the same for one process (PID as node I
#                                 sees it)
#   lff_kill_daemon I NAME        kill -9 node I's corosync or one of
#                                 Pacemaker's daemons (pacemaker-controld)
#   lff_cold_start                every node off at once, then all booted
#   lff_fill_state I / lff_unfill_state I
#                                 a full /var/lib/leapfrog on node I
#   lff_fill_shm I / lff_unfill_shm I
#                                 a full /dev/shm on node I
#
# Cuts are blackhole routes inside the namespaces: corosync sees the peer
# lost after token + consensus, TCP gets no answer; the host's bridge
# address still reaches every node.

# The address of a partition member: a node number or a host "cJ".
lff_member_addr() {
    case "$1" in
    c*) lfc_host_addr "${1#c}" ;;
    *) lfc_addr "$1" ;;
    esac
}

lff_member_ns() {
    case "$1" in
    c*) lfc_host_ns "${1#c}" ;;
    *) lfc_ns "$1" ;;
    esac
}

# lff_cut A B: A sends nothing to B (one direction).
lff_cut() {
    ip -n "$(lff_member_ns "$1")" route replace blackhole \
        "$(lff_member_addr "$2")/32"
}

lff_partition() {
    local a b
    lfc_log "partition: {$1} | {$2}"
    for a in $1; do
        for b in $2; do
            lff_cut "$a" "$b" || return 1
            lff_cut "$b" "$a" || return 1
        done
    done
}

lff_partition_node() {
    local i=$1 j others=""
    for j in $(seq 1 "$LFC_NODES"); do
        [ "$j" = "$i" ] || others="$others $j"
    done
    for j in $(seq 1 "$LFC_MAX_HOSTS"); do
        ip netns list 2>/dev/null | grep -qw "^$(lfc_host_ns "$j")" &&
            others="$others c$j"
    done
    lff_partition "$i" "${others# }"
}

lff_partition_pair() {
    lff_partition "$1" "$2"
}

# Remove every cut in every namespace of the cluster.
lff_heal() {
    local i ns
    lfc_log "partition healed"
    for i in $(seq 1 "$LFC_NODES"); do
        ip -n "$(lfc_ns "$i")" route flush type blackhole 2>/dev/null
    done
    for i in $(seq 1 "$LFC_MAX_HOSTS"); do
        ns=$(lfc_host_ns "$i")
        ip netns list 2>/dev/null | grep -qw "^$ns" || continue
        ip -n "$ns" route flush type blackhole 2>/dev/null
    done
    return 0
}

lff_poweroff_silent() {
    lfc_poweroff "$1" silent
}

# Send SIG to every process of node I until no new one appears (a process
# may fork while we stop the others).
lff_signal_node() {
    local i=$1 sig=$2 pids seen="" p new
    while :; do
        pids=$(ip netns pids "$(lfc_ns "$i")" 2>/dev/null)
        new=0
        for p in $pids; do
            case " $seen " in
            *" $p "*) ;;
            *) kill "-$sig" "$p" 2>/dev/null
               seen="$seen $p"
               new=1 ;;
            esac
        done
        [ "$new" = 1 ] || break
        [ "$sig" = STOP ] || break
    done
}

# lff_hang_node I SECS: the node freezes (every process stopped, its
# network and kernel state intact) and resumes SECS later, in the
# background; LFF_HANG_PID is that background job.
lff_hang_node() {
    local i=$1 secs=$2
    lfc_log "hang of node$i for ${secs}s"
    lff_signal_node "$i" STOP
    (
        sleep "$secs"
        lff_signal_node "$i" CONT
        lfc_log "node$i resumes"
    ) &
    LFF_HANG_PID=$!
}

lff_wait_hang() {
    [ -n "${LFF_HANG_PID:-}" ] || return 0
    wait "$LFF_HANG_PID"
    LFF_HANG_PID=
}

# lff_hang_process I PID SECS: one process of node I (PID in the node's
# own pid namespace) stops and resumes SECS later, in the background.
lff_hang_process() {
    local i=$1 pid=$2 secs=$3
    lfc_log "hang of process $pid on node$i for ${secs}s"
    lfc_exec "$i" kill -STOP "$pid" || return 1
    (
        sleep "$secs"
        lfc_exec "$i" kill -CONT "$pid" 2>/dev/null
        lfc_log "process $pid on node$i resumes"
    ) &
    LFF_HANG_PID=$!
}

# The pid (in node I's namespace) of one of the cluster daemons the
# harness started there: corosync from its pid file, a Pacemaker daemon
# as the child of that node's pacemakerd running that program.
lff_daemon_pid() {
    local i=$1 name=$2 d ppid p
    d=$(lfc_nodedir "$i")
    if [ "$name" = corosync ]; then
        cat "$d/corosync.pid"
        return
    fi
    ppid=$(cat "$d/pacemakerd.pid") || return 1
    for p in $(lfc_exec "$i" pgrep -P "$ppid"); do
        case "$(lfc_exec "$i" readlink "/proc/$p/exe")" in
        */"$name")
            echo "$p"
            return 0 ;;
        esac
    done
    return 1
}

lff_kill_daemon() {
    local i=$1 name=$2 pid
    pid=$(lff_daemon_pid "$i" "$name") ||
        { lfc_die "no $name on node$i"; return 1; }
    lfc_log "kill -9 of $name (pid $pid) on node$i"
    lfc_exec "$i" kill -9 "$pid"
}

# Every node loses power at once (silently), then all boot together.
lff_cold_start() {
    local i
    lfc_log "cold start of the whole cluster"
    for i in $(seq 1 "$LFC_NODES"); do
        if lfc_is_up "$i"; then
            ip -n "$(lfc_ns "$i")" link set eth0 down
        fi
    done
    for i in $(seq 1 "$LFC_NODES"); do
        lfc_power_locked lfc_power_off_unlocked "$i" || return 1
    done
    for i in $(seq 1 "$LFC_NODES"); do
        lfc_power_locked lfc_power_on_unlocked "$i" || return 1
    done
    lfc_wait_ready
}

# A full /var/lib/leapfrog on node I: its own small file system (the
# harness gives every node one), filled up from the host.
lff_fill_state() {
    local f
    f="$(lfc_nodedir "$1")/lib-leapfrog/filler"
    lfc_log "filling node$1's /var/lib/leapfrog"
    dd if=/dev/zero of="$f" bs=64k >/dev/null 2>&1
    df -h "$(lfc_nodedir "$1")/lib-leapfrog" | tail -1 | sed 's/^/#   /' >&2
    return 0
}

lff_unfill_state() {
    rm -f "$(lfc_nodedir "$1")/lib-leapfrog/filler"
}

# A full /dev/shm on node I (a tmpfs of LFC_SHM_SIZE inside the node).
lff_fill_shm() {
    lfc_log "filling node$1's /dev/shm"
    lfc_exec "$1" dd if=/dev/zero of=/dev/shm/lf-filler bs=64k \
        >/dev/null 2>&1
    lfc_exec "$1" df -h /dev/shm | tail -1 | sed 's/^/#   /' >&2
    return 0
}

lff_unfill_shm() {
    lfc_exec "$1" rm -f /dev/shm/lf-filler
}

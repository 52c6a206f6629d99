# fault-suite.sh - the fault suite's cases, shared by faults-3node.test,
# faults-2node.test and the unfenced tests (source after lf-cluster.sh,
# lf-pair.sh, lf-faults.sh and lf-history.sh).
#
# One cluster runs the pcs snippet's pair (instance FT; the enqueue server
# listens on every address, so clients also use node addresses) with a
# client host next to every node. Each case starts from a whole, settled
# cluster with a replica in sync, takes baseline locks, starts the
# clients, injects its fault, brings the cluster back (heals, boots fenced
# nodes, cleans up), lets the clients work against the recovered pair,
# stops them and checks the history. A case the servers do not survive
# yet is run all the same and reported as TAP TODO with the issue it
# waits on.
#
#   fs_setup NODES NAME          boot and configure (bails out on failure)
#   fs_case NAME DESC TODO FAULT-FUNCTION [ARGS]
#                                run one case; TODO "" or "issue N: why"
#   FS_E, FS_R                   E's and R's node numbers when the fault
#                                starts (for the fault functions)
#
#   LF_FAULTS_ROUNDS             repeat every case this many times (long
#                                mode; default 1) ...
#   LF_FAULTS_RANDOM             ... with random timing when 1 (the fault
#                                after 0-5 s of client work, hangs and
#                                cuts of random length)
#   LF_FAULTS_ONLY               run only the cases whose names are listed
#   LF_FAULTS_TABLE              append one line per run to this file
#   FS_LOSS_POLICY               the enqueue server's replica_loss_policy
#                                (default: the agent's, hold)

FS_INST=FT
FS_BASELINE=${FS_BASELINE:-20}
FS_ROUNDS=${LF_FAULTS_ROUNDS:-1}
FS_RANDOM=${LF_FAULTS_RANDOM:-0}
FS_TOP=$(cd "$LFC_HERE/../.." && pwd)

fs_setup() {
    local nodes=$1 name=$2
    lfc_init "$name" "$nodes" || tap_bail "cannot set up the harness"
    lfc_trap
    lfp_require_installed
    [ -x "$LFH_BIN/lf-hist-client" ] && [ -x "$LFH_BIN/lf-hist-check" ] ||
        tap_bail "the history tools are not built (make check)"
    tap_check "$nodes-node cluster boots" lfc_boot ||
        tap_bail "cluster did not boot"
    lfh_hosts || tap_bail "cannot add the client hosts"
    tap_check "the pcs snippet sets the pair up" fs_configure ||
        tap_bail "setup failed"
}

fs_configure() {
    lfc_exec 1 env SECRET_FILE="$(lfp_secret)" \
        INSTANCE=$FS_INST VIP="$(lfp_vip)" ADDRESS= \
        SERVER_LOG=/var/log/pacemaker/leapfrog-$FS_INST.log \
        sh "$FS_TOP/crm-snippets/pcs-pair.sh" >/dev/null || return 1
    # The snippet turns fencing on, as every real cluster needs; an
    # unfenced test turns it off again.
    if [ "$LFC_FENCING" != 1 ]; then
        lfc_exec 1 pcs property set stonith-enabled=false || return 1
    fi
    if [ -n "${FS_LOSS_POLICY:-}" ]; then
        lfc_exec 1 pcs resource update "enq-$FS_INST" \
            replica_loss_policy="$FS_LOSS_POLICY" || return 1
    fi
    lfp_settle && fs_wait_sync
}

fs_where() { lfc_where "$1" | head -1; }

fs_in_sync() {
    local r
    r=$(fs_where "rep-$FS_INST")
    [ -n "$r" ] && lfp_attr_is "$r" "leapfrog-$FS_INST-replica" in-sync
}

fs_wait_sync() {
    lfc_wait_for 90 "replica in sync" fs_in_sync
}

# Back to a whole cluster: cuts healed, hung processes resumed, disks
# emptied, every node on, no fault or move left behind, settled, in sync.
fs_recover() {
    local i
    lff_wait_hang
    lff_heal
    for i in $(seq 1 "$LFC_NODES"); do
        lff_unfill_state "$i"
        lfc_is_up "$i" && lff_unfill_shm "$i" 2>/dev/null
    done
    # A node booted again quickly may still be fenced by the cluster
    # (it was lost): until every node is up and the cluster is idle.
    for _ in 1 2 3; do
        for i in $(seq 1 "$LFC_NODES"); do
            lfc_is_up "$i" || lfc_poweron "$i" || return 1
        done
        lfc_wait_ready || return 1
        lfc_exec "$(lfc_any_up_node)" pcs resource clear "g-$FS_INST" \
            >/dev/null 2>&1
        lfp_cleanup
        lfp_settle || return 1
        fs_all_up && break
    done
    fs_all_up && fs_wait_sync
}

fs_all_up() {
    local i
    for i in $(seq 1 "$LFC_NODES"); do
        lfc_is_up "$i" || return 1
    done
}

# A random number in [0, $1) when random timing is on, else $2.
fs_pick() {
    if [ "$FS_RANDOM" = 1 ]; then
        echo $((RANDOM % $1))
    else
        echo "$2"
    fi
}

fs_wanted() {
    [ -z "${LF_FAULTS_ONLY:-}" ] && return 0
    case " $LF_FAULTS_ONLY " in
    *" $1 "*) return 0 ;;
    esac
    return 1
}

# fs_run NAME FAULT [ARGS]: one run of a case; 0 when the history is clean.
fs_run() {
    local name=$1 e r
    shift
    fs_recover || { lfc_log "$name: the cluster did not recover before"
                    return 1; }
    FS_NAME=$name
    e=$(fs_where "enq-$FS_INST")
    r=$(fs_where "rep-$FS_INST")
    FS_E=${e#node}
    FS_R=${r#node}
    lfh_begin "$name"
    lfh_baseline "$FS_BASELINE" ||
        { lfc_log "$name: baseline locks not acknowledged"; return 1; }
    lfh_start
    lfh_wait_progress 50 || { lfh_stop; return 1; }
    sleep "$(fs_pick 6 0)" # long mode: the fault at a random moment
    lfc_log "$name: fault with E on node$FS_E, R on node$FS_R"
    "$@"
    fs_recover || { lfc_log "$name: the cluster did not recover"; lfh_stop
                    return 1; }
    # The recovered pair serves the clients again.
    lfh_wait_progress 50 || { lfh_stop; return 1; }
    lfh_stop
    lfc_wait_for 10 "the clients to stop" lfh_stopped ||
        { lfc_log "$name: a client did not stop"; return 1; }
    lfh_check
}

# Every node's logs and the history of a failed run, in a directory of
# their own beside the test's.
fs_keep_logs() {
    local saved=$LFC_NAME
    LFC_NAME="$saved-$1"
    lfc_collect_logs 2>/dev/null
    cp -r "$LFH_DIR" "$LF_CLUSTER_LOGDIR/$LFC_NAME/history" 2>/dev/null
    lfc_log "the history is in $LF_CLUSTER_LOGDIR/$LFC_NAME/history"
    LFC_NAME=$saved
}

# fs_case NAME DESCRIPTION TODO FAULT [ARGS]
fs_case() {
    local name=$1 desc=$2 todo=$3 round rc fails=0
    shift 3
    fs_wanted "$name" || return 0
    for round in $(seq 1 "$FS_ROUNDS"); do
        fs_run "$name" "$@"
        rc=$?
        if [ -n "${LF_FAULTS_TABLE:-}" ]; then
            echo "$name $round rc=$rc ${LFH_SUMMARY:-history: none}" \
                >>"$LF_FAULTS_TABLE"
        fi
        if [ "$rc" != 0 ]; then
            fails=$((fails + 1))
            fs_keep_logs "$name-$round"
        fi
        LFH_SUMMARY=
    done
    if [ "$fails" = 0 ]; then
        tap_ok "$desc" "$todo"
    else
        tap_not_ok "$desc ($fails of $FS_ROUNDS runs failed)" "$todo"
    fi
}

# --- the faults ----------------------------------------------------------

# Wait (bounded) until node I has been fenced, as the switch saw it.
fs_fenced_since() { # I COUNT-BEFORE
    [ "$(lfc_fence_count "$1")" -gt "$2" ]
}

fs_wait_fenced() { # I COUNT-BEFORE SECS
    lfc_wait_for "${3:-60}" "node$1 fenced" fs_fenced_since "$1" "$2"
}

# A cut that holds until the cluster has fenced a node of it (or a while),
# then heals.
f_partition_node() {
    local i=$1 before
    before=$(lfc_fence_count "$i")
    lff_partition_node "$i"
    fs_wait_fenced "$i" "$before" 60
    sleep "$(fs_pick 5 0)"
    lff_heal
}

f_partition_e() { f_partition_node "$FS_E"; }
f_partition_r() { f_partition_node "$FS_R"; }

# E's node and R's node lose each other; the third node sees both.
f_partition_er() {
    local b1 b2
    b1=$(lfc_fence_count "$FS_E")
    b2=$(lfc_fence_count "$FS_R")
    lff_partition_pair "$FS_E" "$FS_R"
    lfc_wait_for 60 "E's or R's node fenced" eval \
        'fs_fenced_since $FS_E $b1 || fs_fenced_since $FS_R $b2'
    lff_heal
}

f_poweroff_e() { lff_poweroff_silent "$FS_E"; }
f_poweroff_r() { lff_poweroff_silent "$FS_R"; }

f_hang_node_e() {
    lff_hang_node "$FS_E" "$(fs_pick 20 15)"
    lff_wait_hang
}

# One server process frozen past the replica timeout and the monitor.
f_hang_server() { # RSC NODE
    local pid
    pid=$(lfp_server_pid "node$2" "$1") || return 1
    lff_hang_process "$2" "$pid" "$(fs_pick 20 15)"
    lff_wait_hang
}

f_hang_enqueue() { f_hang_server "enq-$FS_INST" "$FS_E"; }
f_hang_replication() { f_hang_server "rep-$FS_INST" "$FS_R"; }

f_kill_corosync_e() {
    local before
    before=$(lfc_fence_count "$FS_E")
    lff_kill_daemon "$FS_E" corosync
    fs_wait_fenced "$FS_E" "$before" 60
}

f_kill_controld_e() {
    local old
    old=$(lff_daemon_pid "$FS_E" pacemaker-controld)
    lff_kill_daemon "$FS_E" pacemaker-controld || return 1
    # pacemakerd starts a new controller, which joins again.
    lfc_wait_for 60 "node$FS_E's new controller" eval \
        '[ -n "$(lff_daemon_pid $FS_E pacemaker-controld)" ] &&
         [ "$(lff_daemon_pid $FS_E pacemaker-controld)" != "$old" ]'
}

f_kill_enqueue() {
    lfp_kill_server "node$FS_E" "enq-$FS_INST"
    lfc_wait_for 60 "the enqueue server on node$FS_R" \
        eval '[ "$(fs_where enq-$FS_INST)" = node$FS_R ]'
}

# The cluster loses power; after the cold start the pair begins with an
# empty table (memory is gone: not a loss), so this history starts after
# it, and the enqueue server's next failure is checked: it must take over
# the copy on a node whose state directory records other generations.
f_cold_start() {
    lfh_stop
    lff_cold_start || return 1
    fs_recover || return 1
    fs_restart_history "$FS_NAME"
    FS_E=$(fs_where "enq-$FS_INST"); FS_E=${FS_E#node}
    FS_R=$(fs_where "rep-$FS_INST"); FS_R=${FS_R#node}
    f_kill_enqueue
}

# A history begun again (after a cold start): baseline, clients, progress.
fs_restart_history() {
    lfh_begin "$1-after"
    lfh_baseline "$FS_BASELINE" || return 1
    lfh_start
    lfh_wait_progress 50
}

# R's node has a full state directory when E must start there.
f_full_state_r() {
    lff_fill_state "$FS_R"
    f_kill_enqueue
}

# R's node runs out of /dev/shm while R keeps its copy there.
f_full_shm_r() {
    lff_fill_shm "$FS_R"
    lfh_wait_progress 100 30
    lff_unfill_shm "$FS_R"
}

# fs_expect_violations NAME DESCRIPTION FAULT [ARGS]: an unfenced test's
# case: the checker must find double grants or lost locks (so it can
# fail); the figures go to the TAP comment and the table.
fs_expect_violations() {
    local name=$1 desc=$2 rc
    shift 2
    fs_run "$name" "$@"
    rc=$?
    if [ -n "${LF_FAULTS_TABLE:-}" ]; then
        echo "$name 1 rc=$rc ${LFH_SUMMARY:-history: none}" \
            >>"$LF_FAULTS_TABLE"
    fi
    tap_check "$desc: the checker finds violations" eval \
        '[ "$rc" = 1 ] && fs_summary_has_violations'
}

fs_summary_field() { # NAME
    echo "$LFH_SUMMARY" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

fs_summary_has_violations() {
    [ "$(fs_summary_field double_granted)" -gt 0 ] 2>/dev/null ||
        [ "$(fs_summary_field lost)" -gt 0 ] 2>/dev/null ||
        [ "$(fs_summary_field baseline_lost)" -gt 0 ] 2>/dev/null
}

# Two nodes, the fence race: both sides try to fence each other; the
# survivor's node (F's, survivor=F) must be the one left running.
f_partition_2node() {
    local b_e b_r
    b_e=$(lfc_fence_count "$FS_E")
    b_r=$(lfc_fence_count "$FS_R")
    lff_partition_node "$FS_E"
    lfc_wait_for 60 "a node fenced" eval \
        'fs_fenced_since $FS_E $b_e || fs_fenced_since $FS_R $b_r'
    FS_FENCED_E=0
    fs_fenced_since "$FS_E" "$b_e" && FS_FENCED_E=1
    lff_heal
}

# Without fencing nothing ends a split: hold it for a while, then heal.
f_partition_unfenced() {
    lff_partition_node "$FS_E"
    lfh_wait_progress 200 30
    sleep 10 # the split's length: both sides serve meanwhile
    lff_heal
}

# The replica hangs past the enqueue server's replica timeout (the server
# gives it up and holds changes back), and then the enqueue server dies:
# the frozen replica's copy is still the current one.
f_hang_r_then_kill_e() {
    local pid
    pid=$(lfp_server_pid "node$FS_R" "rep-$FS_INST") || return 1
    lfc_exec "$FS_R" kill -STOP "$pid" || return 1
    lfc_wait_for 30 "the enqueue server to give up the replica" \
        eval 'lfp_enq stats | grep -q " replica=none "'
    lfp_kill_server "node$FS_E" "enq-$FS_INST"
    lfc_exec "$FS_R" kill -CONT "$pid"
    lfc_wait_for 90 "the enqueue server on node$FS_R" \
        eval '[ "$(fs_where enq-$FS_INST)" = node$FS_R ]'
}

# Requests wait for the replica (it is frozen), and then its process is
# killed: the waiting requests are not acknowledged as replicated until a
# new replica holds them.
f_kill_r_while_parked() {
    local pid
    pid=$(lfp_server_pid "node$FS_R" "rep-$FS_INST") || return 1
    lfc_exec "$FS_R" kill -STOP "$pid" || return 1
    lfc_wait_for 10 "requests waiting for the replica" fs_requests_parked
    lfc_exec "$FS_R" kill -9 "$pid"
    lfc_wait_for 90 "a replica in sync elsewhere" eval \
        '[ "$(fs_where rep-$FS_INST)" != node$FS_R ] && fs_in_sync'
}

# The enqueue server has sent changes the replica has not acknowledged.
fs_requests_parked() {
    local st seq acked
    st=$(lfp_enq stats 2>/dev/null) || return 1
    seq=$(echo "$st" | tr ' ' '\n' | sed -n 's/^seq=//p')
    acked=$(echo "$st" | tr ' ' '\n' | sed -n 's/^acked=//p')
    [ -n "$seq" ] && [ -n "$acked" ] && [ "$seq" -gt "$acked" ]
}

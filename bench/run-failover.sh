#!/bin/bash
# Failover timing on a live 3-node namespace cluster, leapfrog against the
# static constraint set SUSE and Red Hat document for ENSA1.
#
# For each mode, a fresh cluster runs one pair with the real servers (F =
# virtual IP + enqueue server, P = replication server), LOCKS locks are
# taken, and at each monitor interval (LF_BENCH_INTERVALS, seconds,
# default "10 30") each fault is injected TRIALS times:
#   kill    kill -9 of the enqueue server process
#   killr   kill -9 of the replication server process
#   poweroff  power-off of the enqueue server's node
# lf-bench-failover polls the virtual IP every 2 ms and records when a new
# enqueue server answers with every lock adopted and when its replica is
# in sync again; the cluster's logs give the break-down:
#   mon       the monitor interval of the pair's resources (s)
#   detect    fault -> failure known (the fail-count set: lf-watch's
#             report or a failed monitor / the node lost)
#   sched     -> the scheduler's first transition after it
#   stop      -> F's first start initiated (F stopped on the failed node)
#   start     -> E's start confirmed on P's node (IP and E, with adoption)
#   adopt     the enqueue server's own take-over (its log: first line to
#             "serving")
#   answer    fault -> E answers on the new node with every lock
#   follow    failure known -> E answers with every lock: the goal is
#             under 1 s, and never slower than the static set
#   resync    E answers -> the replication server in sync on another node
#             (killr: the fault -> a replica in sync again)
#   order     "ok" when P's stop was initiated only after E's start
#             completed (the copy stays until E has adopted it)
#   aborts    transitions aborted while under way, from the fault until
#             the cluster settled: all of them / those by leapfrog's own
#             writes (its node attributes, leapfrogd's constraints)
#   hcpu      leapfrogd's CPU time (user + system, ms) from the fault
#             until the cluster settled ("-" without it, or when it moved)
#
#   bench/run-failover.sh [TRIALS] [LOCKS]        (default 3, 200)
#
# LF_BENCH_MODES and LF_BENCH_FAULTS pick a subset (default "leapfrog
# static" and "kill killr"); the mode "unaided" is leapfrog's set with
# leapfrogd stopped just before each fault (it is started again to bring
# the constraints up to date between trials).
#
# Modes: leapfrog (the pair declared, leapfrogd running) and static (no
# helper; P grouped with an ocf:pacemaker:attribute resource that sets
# runs_ers_<instance> to 1 where P runs and 0 where it stopped, as
# SAPInstance does for its ERS; location F rule 2000 on runs_ers = 1,
# colocation P with F -5000, order start F then stop P Optional and
# non-symmetrical, F resource-stickiness 5000 and migration-threshold 1).
#
# LFC_TOKEN sets corosync's token (ms; the harness's default 1000): it
# decides how soon a power-off is noticed.
#
# Needs root and the installed agents; uses cluster slot 6 (10.213.6.0/24).
set -u
# shellcheck source=bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
trials=${1:-3}
nlocks=${2:-200}
bench_count "$trials" "$nlocks"
modes=${LF_BENCH_MODES:-leapfrog static}
faults=${LF_BENCH_FAULTS:-kill killr}
intervals=${LF_BENCH_INTERVALS:-10 30}
bench_cluster 6 failover
watcher=$LF_BUILDDIR/bench/lf-bench-failover

[ -x "$watcher" ] || { echo "build first: $watcher is missing" >&2; exit 1; }
results=$(mktemp /tmp/lf-bench-failover.XXXXXX)

fail() {
    lfc_log "benchmark failed: $*"
    TAP_FAILED=1
    exit 1
}

# --- the two configurations ------------------------------------------------

setup_leapfrog() { # INST
    lfp_create_pair "$1" && lfp_start_helper "$1" && lfp_settle
}

setup_static() { # INST
    local inst=$1
    lfp_create_pair "$inst" &&
    lfc_exec 1 pcs resource group add "g-rep-$inst" "rep-$inst" &&
    lf_pcs_in_group "g-rep-$inst" lfc_exec 1 pcs resource create \
        "ers-$inst" ocf:pacemaker:attribute \
        name="runs_ers_$inst" active_value=1 inactive_value=0 &&
    lfc_exec 1 pcs resource meta "g-$inst" resource-stickiness=5000 \
        migration-threshold=1 &&
    lf_pcs_with_rule "runs_ers_$inst eq 1" \
        lfc_exec 1 pcs constraint location "g-$inst" rule score=2000 &&
    lfc_exec 1 pcs constraint colocation add "g-rep-$inst" with "g-$inst" \
        score=-5000 &&
    lfc_exec 1 pcs constraint order start "g-$inst" then stop \
        "g-rep-$inst" kind=Optional symmetrical=false &&
    lfc_settle
}

# unaided: leapfrog's set, with leapfrogd stopped once it is current, so
# the fault meets the pre-armed constraints alone (and no helper at work).
setup_unaided() { setup_leapfrog "$@"; }

settle() { # MODE [before]
    case "$1" in
    leapfrog) lfp_settle ;;
    unaided)
        if [ "${2:-}" = before ]; then
            lfc_exec 1 pcs resource enable leapfrogd && lfp_settle &&
                lfc_exec 1 pcs resource disable leapfrogd && lfc_settle
        else
            lfc_settle
        fi
        ;;
    *) lfc_settle ;;
    esac
}

# --- timestamps from the logs -----------------------------------------------

# Logs carry the local time of day to the millisecond ("Nov 22 02:23:50.566
# ..."); the epoch of today's local midnight turns them into epoch ms.
day_base_ms() { date -d 'today 00:00:00' +%s%3N; }

# first_log SINCE_MS FILE_PATTERN REGEX: epoch ms of the first line matching
# REGEX at or after SINCE_MS in the nodes' FILE_PATTERN logs, or nothing.
first_log() {
    local since=$1 file=$2 regex=$3 i files=()
    for i in $(seq 1 "$LFC_NODES"); do
        [ -f "$(lfc_nodedir "$i")/log/$file" ] &&
            files+=("$(lfc_nodedir "$i")/log/$file")
    done
    [ ${#files[@]} -gt 0 ] || return 0
    grep -hE "$regex" "${files[@]}" | awk -v base="$day_base" -v since="$since" '
        {
            split($3, t, "[:.]")
            ms = base + ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4]
            if (ms < since - 43200000) ms += 86400000   # past midnight
            if (ms >= since && (best == "" || ms < best)) best = ms
        }
        END { if (best != "") printf "%d\n", best }'
}

# count_aborts SINCE_MS UNTIL_MS: "all/ours", the transitions aborted while
# under way (complete=false) in that span, and those of them leapfrog's own
# writes caused (an attribute or an element named leapfrog-...).
count_aborts() {
    local since=$1 until=$2 i files=()
    for i in $(seq 1 "$LFC_NODES"); do
        [ -f "$(lfc_nodedir "$i")/log/pacemaker.log" ] &&
            files+=("$(lfc_nodedir "$i")/log/pacemaker.log")
    done
    [ ${#files[@]} -gt 0 ] || { echo -; return 0; }
    grep -hE "Transition -?[0-9]+ aborted.*complete=false" "${files[@]}" |
        awk -v base="$day_base" -v since="$since" -v until="$until" '
        {
            split($3, t, "[:.]")
            ms = base + ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4]
            if (ms < since - 43200000) ms += 86400000   # past midnight
            if (ms < since || ms > until) next
            all++
            if ($0 ~ /aborted by [^:]*leapfrog-/) ours++
        }
        END { printf "%d/%d\n", all, ours }'
}

# set_interval INST SECONDS: every monitor of the pair at that interval.
set_interval() {
    local inst=$1 iv=$2
    lfc_exec 1 pcs resource update "vip-$inst" op monitor \
        interval="${iv}s" >/dev/null &&
        lfc_exec 1 pcs resource update "enq-$inst" op monitor \
            interval="${iv}s" OCF_CHECK_LEVEL=10 >/dev/null &&
        lfc_exec 1 pcs resource update "rep-$inst" op monitor \
            interval="${iv}s" OCF_CHECK_LEVEL=10 >/dev/null
}

# --- one trial ----------------------------------------------------------------

stat_of() { # FIELD: from the enqueue server's STATS
    lfp_enq stats | sed -n "s/.* $1=\([^ ]*\).*/\1/p"
}

replica_in_sync() { [ "$(stat_of replica)" = in-sync ]; }

# helper_cpu: "NODE PID MS", where leapfrogd runs and its CPU time so far
# (user + system), or nothing without it.
helper_cpu() {
    local node i pid
    node=$(lfc_where leapfrogd)
    [ -n "$node" ] || return 0
    i=${node#node}
    pid=$(lfc_exec "$i" cat /run/leapfrog/leapfrogd.pid 2>/dev/null) || return 0
    lfc_exec "$i" awk -v node="$i" -v pid="$pid" -v hz="$(getconf CLK_TCK)" \
        '{ printf "%s %s %d\n", node, pid, ($14 + $15) * 1000 / hz }' \
        "/proc/$pid/stat" 2>/dev/null
}

# cpu_span BEFORE AFTER: the CPU ms between two helper_cpu readings of the
# same process, or "-".
cpu_span() {
    local a=($1) b=($2)
    if [ ${#a[@]} = 3 ] && [ ${#b[@]} = 3 ] && [ "${a[0]}" = "${b[0]}" ] &&
        [ "${a[1]}" = "${b[1]}" ]; then
        echo $((b[2] - a[2]))
    else
        echo -
    fi
}

span() { # FROM TO: TO - FROM in ms, or "-" when either is unknown
    if [ -n "$1" ] && [ -n "$2" ]; then echo $(($2 - $1)); else echo -; fi
}

trial() { # MODE INST FAULT N INTERVAL
    local mode=$1 inst=$2 fault=$3 n=$4 iv=$5 e r e_i pid gen out wpid rc t0
    local r_i rpid wflag= t_end aborts
    local t_det t_calc t_fstart t_enq_ok t_adopt0 t_adopt1 t_rstop t_answer
    local t_sync e2 r2 order dc E=enq-$inst R=rep-$inst V=vip-$inst
    local cpu0= cpu1=
    settle "$mode" before ||
        fail "the cluster did not settle before the trial"
    lfc_wait_for 60 "replica in sync" replica_in_sync ||
        fail "no replica in sync before the trial"
    e=$(lfc_where "$E")
    r=$(lfc_where "$R")
    [ -n "$e" ] && [ -n "$r" ] && [ "$e" != "$r" ] ||
        fail "E ($e) and R ($r) not on two nodes before the trial"
    e_i=${e#node}
    dc=no
    [ "$(lfc_crm_mon_xml | lfc_xpath 'string(//current_dc/@name)')" = "$e" ] &&
        dc=yes
    gen=$(stat_of generation)
    pid=$(lfc_exec "$e_i" cat "/run/leapfrog/$E.pid") ||
        fail "no pid file of $E on $e"
    r_i=${r#node}
    rpid=$(lfc_exec "$r_i" cat "/run/leapfrog/$R.pid") ||
        fail "no pid file of $R on $r"
    [ "$fault" = killr ] && wflag=-R
    out="$LFC_DIR/watch-$mode-$fault-$iv-$n"
    : >"$out"
    "$watcher" -a "$(lfp_vip)" -k "$(lfp_secret)" -g "$gen" -n "$nlocks" \
        -w 240 $wflag >"$out" &
    wpid=$!
    lfc_wait_for 10 "the watcher to see generation $gen" \
        grep -q '^ready' "$out" || fail "the watcher did not start"
    day_base=$(day_base_ms)
    [ "$mode" = leapfrog ] && cpu0=$(helper_cpu)
    t0=$(date +%s%3N)
    case "$fault" in
    kill) lfc_exec "$e_i" kill -9 "$pid" ;;
    killr) lfc_exec "$r_i" kill -9 "$rpid" ;;
    poweroff) lfc_poweroff "$e_i" >/dev/null 2>&1 ;;
    esac
    wait "$wpid"
    rc=$?
    [ "$rc" = 0 ] || fail "$mode/$fault: $(tail -1 "$out")"
    t_answer=$(sed -n 's/.*answer_ms=\([0-9]*\).*/\1/p' "$out")
    t_sync=$(sed -n 's/.*sync_ms=\([0-9]*\).*/\1/p' "$out")
    settle "$mode" || fail "the cluster did not settle after the fault"
    t_end=$(date +%s%3N)
    [ "$mode" = leapfrog ] && cpu1=$(helper_cpu)
    lfp_locks_intact "$inst" "$nlocks" || fail "locks lost ($mode/$fault)"
    e2=$(lfc_where "$E")
    r2=$(lfc_where "$R")

    # Result texts: "not running", "error", "ok" before Pacemaker 3.0;
    # "Not running", "Error occurred (...)", "OK" from 3.0 on.
    # The failure is known when its fail-count is set (attrd's "Setting
    # fail-count-<rsc>#<op>[<node>]"), whoever reported it: lf-watch's
    # fail request or a failed monitor.
    if [ "$fault" = kill ]; then
        t_det=$(first_log "$t0" pacemaker.log "Setting fail-count-$E#")
    elif [ "$fault" = killr ]; then
        t_det=$(first_log "$t0" pacemaker.log "Setting fail-count-$R#")
    else
        t_det=$(first_log "$t0" pacemaker.log \
            "pacemaker-controld.*Node $e state is now lost")
    fi
    t_calc=$(first_log "${t_det:-$t0}" pacemaker.log \
        "pacemaker-schedulerd.*Calculated transition")
    t_fstart=$(first_log "$t0" pacemaker.log \
        "Initiating start operation ${V}_start_0")
    t_enq_ok=$(first_log "$t0" pacemaker.log \
        "Result of start operation for $E on $e2: (ok|OK)")
    t_adopt0=$(first_log "$t0" "leapfrog-$inst.log" \
        "lf-enqueued.*(taking over|no in-sync copy)")
    t_adopt1=$(first_log "$t0" "leapfrog-$inst.log" "lf-enqueued.*serving [0-9]")
    t_rstop=$(first_log "$t0" pacemaker.log \
        "Initiating stop operation ${R}_stop_0")
    order=late
    if [ -n "$t_rstop" ] && [ -n "$t_enq_ok" ] &&
        [ "$t_rstop" -ge "$t_enq_ok" ]; then
        order=ok
    fi
    aborts=$(count_aborts "$t0" "$t_end")
    if [ "$fault" = killr ]; then
        # E stays; the figure is the fault -> a replica in sync again.
        t_fstart= t_enq_ok= t_adopt0= t_adopt1= order=- t_answer=$t0
    fi
    printf '%-9s %-9s %3s %3s %6s %6s %6s %6s %6s %7s %7s %7s %6s %6s %5s  %s,%s -> %s,%s\n' \
        "$mode" "$fault" "$iv" "$dc" "$(span "$t0" "$t_det")" \
        "$(span "$t_det" "$t_calc")" "$(span "$t_calc" "$t_fstart")" \
        "$(span "$t_fstart" "$t_enq_ok")" "$(span "$t_adopt0" "$t_adopt1")" \
        "$(if [ "$fault" = killr ]; then echo -; else span "$t0" "$t_answer"; fi)" \
        "$(if [ "$fault" = killr ]; then echo -; else span "$t_det" "$t_answer"; fi)" \
        "$(span "$t_answer" "$t_sync")" "$order" "$aborts" \
        "$(cpu_span "$cpu0" "$cpu1")" \
        "${e#node}" "${r#node}" "${e2#node}" "${r2#node}" | tee -a "$results"

    # Back to a whole cluster: the node booted again, or the failure
    # cleaned up.
    if [ "$fault" = poweroff ]; then
        lfc_poweron "$e_i" >/dev/null || fail "node$e_i did not come back"
    fi
    lfp_cleanup
}

run_mode() { # MODE INST
    local mode=$1 inst=$2 fault n
    lfc_init "bench-failover-$mode" 3 || exit 1
    lfc_boot || fail "the cluster did not boot"
    "setup_$mode" "$inst" || fail "cannot configure the $mode pair"
    lfc_wait_for 60 "replica in sync" replica_in_sync ||
        fail "no replica in sync"
    lfp_take_locks "$inst" "$nlocks" || fail "cannot take $nlocks locks"
    for iv in $intervals; do
        set_interval "$inst" "$iv" || fail "cannot set the monitors to ${iv}s"
        for fault in $faults; do
            for n in $(seq 1 "$trials"); do
                trial "$mode" "$inst" "$fault" "$n" "$iv"
            done
        done
    done
    # Keep every node's logs for a closer look at the break-down.
    lfc_collect_logs 2>/dev/null
}

median() { sort -n | awk '{ v[NR] = $1 } END {
    if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
    else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

lfc_trap
lfp_require_installed
echo "== failover timing: $trials trials per fault, $nlocks locks," \
    "corosync token ${LFC_TOKEN:-1000} ms; times in ms"
printf '%-9s %-9s %3s %3s %6s %6s %6s %6s %6s %7s %7s %7s %6s %6s %5s  %s\n' \
    mode fault mon dc detect sched stop start adopt answer follow resync \
    order aborts hcpu "E,R -> E,R"
for mode in $modes; do
    case "$mode" in
    leapfrog) run_mode leapfrog LF ;;
    unaided) run_mode unaided UN ;;
    static) run_mode static ST ;;
    *) echo "unknown mode $mode" >&2; exit 2 ;;
    esac
done

# col MODE FAULT INTERVAL COLUMN: the median of a column of the trials'
# table ("acted": follow - sched; "aborts" and "ours": the two counts).
col() {
    awk -v m="$1" -v f="$2" -v iv="$3" -v c="$4" '
        $1 == m && $2 == f && $3 == iv {
            split($14, a, "/")
            if (c == "acted") {
                if ($11 != "-" && $6 != "-") print $11 - $6
            } else if (c == "aborts") {
                if ($14 != "-") print a[1]
            } else if (c == "ours") {
                if ($14 != "-") print a[2]
            } else if ($c != "-") print $c
        }' "$results" | median
}

echo "== medians (ms); answer = fault -> every lock served by the new E;"
echo "   follow = failure known -> E answers; acted = follow - sched;"
echo "   resync (killr) = fault -> a replica in sync on another node"
printf '%-9s %3s %-9s %7s %7s %7s %7s %7s %7s %6s %5s %5s\n' fault mon mode \
    detect sched follow acted resync answer aborts ours hcpu
for fault in $faults; do
    for iv in $intervals; do
        for mode in $modes; do
            printf '%-9s %3s %-9s %7s %7s %7s %7s %7s %7s %6s %5s %5s\n' \
                "$fault" "$iv" "$mode" \
                "$(col "$mode" "$fault" "$iv" 5)" \
                "$(col "$mode" "$fault" "$iv" 6)" \
                "$(col "$mode" "$fault" "$iv" 11)" \
                "$(col "$mode" "$fault" "$iv" acted)" \
                "$(col "$mode" "$fault" "$iv" 12)" \
                "$(col "$mode" "$fault" "$iv" 10)" \
                "$(col "$mode" "$fault" "$iv" aborts)" \
                "$(col "$mode" "$fault" "$iv" ours)" \
                "$(col "$mode" "$fault" "$iv" 15)"
        done
        # The goals: served again (kill) or in sync again (killr) within
        # 0.5 s of the fault, median; and never slower than the static set.
        case "$fault" in
        killr) c=12 ;;
        *) c=10 ;;
        esac
        awk -v f="$fault" -v iv="$iv" -v l="$(col leapfrog "$fault" "$iv" $c)" \
            -v s="$(col static "$fault" "$iv" $c)" 'BEGIN {
                if (l == "-" || s == "-") exit
                printf "%-9s %3s static / leapfrog: %.2f; leapfrog under 0.5 s: %s\n",
                    f, iv, s / (l > 0 ? l : 1), (l < 500 ? "yes" : "no") }'
    done
done
cat <<'EOT'
(dc: E's node was the DC. A sched of about 1000 ms after a power-off, with
 either set, is Pacemaker's controller pausing: when it asks the scheduler
 while its own CIB updates about the lost node are still pending, it sleeps
 one second and asks again.)
EOT
rm -f "$results"

#!/bin/bash
# Failover timing on a live 3-node namespace cluster, leapfrog against the
# static constraint set SUSE and Red Hat document for ENSA1.
#
# For each mode, a fresh cluster runs one pair with the real servers (F =
# virtual IP + enqueue server, P = replication server), LOCKS locks are
# taken, and each fault is injected TRIALS times:
#   kill    kill -9 of the enqueue server process
#   poweroff  power-off of the enqueue server's node
# lf-bench-failover polls the virtual IP every 2 ms and records when a new
# enqueue server answers with every lock adopted and when its replica is
# in sync again; the cluster's logs give the break-down:
#   detect    fault -> failure known (E's failed monitor / node lost)
#   sched     -> the scheduler's first transition after it
#   stop      -> F's first start initiated (F stopped on the failed node)
#   start     -> E's start confirmed on P's node (IP and E, with adoption)
#   adopt     the enqueue server's own take-over (its log: first line to
#             "serving")
#   answer    fault -> E answers on the new node with every lock
#   follow    failure known -> E answers with every lock: the goal is
#             under 1 s, and never slower than the static set
#   resync    E answers -> the replication server in sync on another node
#   order     "ok" when P's stop was initiated only after E's start
#             completed (the copy stays until E has adopted it)
#
#   bench/run-failover.sh [TRIALS] [LOCKS]        (default 3, 200)
#
# LF_BENCH_MODES and LF_BENCH_FAULTS pick a subset (default "leapfrog
# static" and "kill poweroff"); the mode "unaided" is leapfrog's set with
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
# Needs root and the installed agents; uses cluster slot 6 (10.213.6.0/24).
set -u
# shellcheck source=bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
trials=${1:-3}
nlocks=${2:-200}
bench_count "$trials" "$nlocks"
modes=${LF_BENCH_MODES:-leapfrog static}
faults=${LF_BENCH_FAULTS:-kill poweroff}
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

# --- one trial ----------------------------------------------------------------

stat_of() { # FIELD: from the enqueue server's STATS
    lfp_enq stats | sed -n "s/.* $1=\([^ ]*\).*/\1/p"
}

replica_in_sync() { [ "$(stat_of replica)" = in-sync ]; }

span() { # FROM TO: TO - FROM in ms, or "-" when either is unknown
    if [ -n "$1" ] && [ -n "$2" ]; then echo $(($2 - $1)); else echo -; fi
}

trial() { # MODE INST FAULT N
    local mode=$1 inst=$2 fault=$3 n=$4 e r e_i pid gen out wpid rc t0
    local t_det t_calc t_fstart t_enq_ok t_adopt0 t_adopt1 t_rstop t_answer
    local t_sync e2 r2 order dc E=enq-$inst R=rep-$inst V=vip-$inst
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
    out="$LFC_DIR/watch-$mode-$fault-$n"
    "$watcher" -a "$(lfp_vip)" -k "$(lfp_secret)" -g "$gen" -n "$nlocks" \
        -w 240 >"$out" &
    wpid=$!
    lfc_wait_for 10 "the watcher to see generation $gen" \
        grep -q '^ready' "$out" || fail "the watcher did not start"
    day_base=$(day_base_ms)
    t0=$(date +%s%3N)
    case "$fault" in
    kill) lfc_exec "$e_i" kill -9 "$pid" ;;
    poweroff) lfc_poweroff "$e_i" >/dev/null 2>&1 ;;
    esac
    wait "$wpid"
    rc=$?
    [ "$rc" = 0 ] || fail "$mode/$fault: $(tail -1 "$out")"
    t_answer=$(sed -n 's/.*answer_ms=\([0-9]*\).*/\1/p' "$out")
    t_sync=$(sed -n 's/.*sync_ms=\([0-9]*\).*/\1/p' "$out")
    settle "$mode" || fail "the cluster did not settle after the fault"
    lfp_locks_intact "$inst" "$nlocks" || fail "locks lost ($mode/$fault)"
    e2=$(lfc_where "$E")
    r2=$(lfc_where "$R")

    # Result texts: "not running", "error", "ok" before Pacemaker 3.0;
    # "Not running", "Error occurred (...)", "OK" from 3.0 on.
    if [ "$fault" = kill ]; then
        t_det=$(first_log "$t0" pacemaker.log \
            "Result of monitor operation for $E on $e: \
([Nn]ot running|[Ee]rror)")
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
        "lf-enqueued.*(adopted|starting with)")
    t_adopt1=$(first_log "$t0" "leapfrog-$inst.log" "lf-enqueued.*serving [0-9]")
    t_rstop=$(first_log "$t0" pacemaker.log \
        "Initiating stop operation ${R}_stop_0")
    order=late
    if [ -n "$t_rstop" ] && [ -n "$t_enq_ok" ] &&
        [ "$t_rstop" -ge "$t_enq_ok" ]; then
        order=ok
    fi
    printf '%-9s %-9s %3s %6s %6s %6s %6s %6s %7s %7s %7s %6s  %s,%s -> %s,%s\n' \
        "$mode" "$fault" "$dc" "$(span "$t0" "$t_det")" \
        "$(span "$t_det" "$t_calc")" "$(span "$t_calc" "$t_fstart")" \
        "$(span "$t_fstart" "$t_enq_ok")" "$(span "$t_adopt0" "$t_adopt1")" \
        "$(span "$t0" "$t_answer")" "$(span "$t_det" "$t_answer")" \
        "$(span "$t_answer" "$t_sync")" "$order" \
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
    for fault in $faults; do
        for n in $(seq 1 "$trials"); do
            trial "$mode" "$inst" "$fault" "$n"
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
echo "== failover timing: $trials trials per fault, $nlocks locks; times in ms"
printf '%-9s %-9s %3s %6s %6s %6s %6s %6s %7s %7s %7s %6s  %s\n' mode fault \
    dc detect sched stop start adopt answer follow resync order "E,R -> E,R"
for mode in $modes; do
    case "$mode" in
    leapfrog) run_mode leapfrog LF ;;
    unaided) run_mode unaided UN ;;
    static) run_mode static ST ;;
    *) echo "unknown mode $mode" >&2; exit 2 ;;
    esac
done

# col MODE FAULT COLUMN [DC]: the median of a column of the trials' table
# ("acted": follow - sched), over the trials where the enqueue server's
# node was (yes) or was not (no) the DC, or over all of them.
col() {
    awk -v m="$1" -v f="$2" -v c="$3" -v dc="${4:-}" '
        $1 == m && $2 == f && (dc == "" || $3 == dc) {
            if (c == "acted") {
                if ($10 != "-" && $5 != "-") print $10 - $5
            } else if ($c != "-") print $c
        }' "$results" | median
}

echo "== medians (ms); follow = failure known -> E answers with every lock;"
echo "   acted = the scheduler's transition -> E answers (follow - sched)"
printf '%-9s %-9s %8s %8s %8s %8s %8s %8s\n' fault mode detect sched follow \
    acted resync answer
for fault in $faults; do
    for mode in $modes; do
        printf '%-9s %-9s %8s %8s %8s %8s %8s %8s\n' "$fault" "$mode" \
            "$(col "$mode" "$fault" 4)" "$(col "$mode" "$fault" 5)" \
            "$(col "$mode" "$fault" 10)" "$(col "$mode" "$fault" acted)" \
            "$(col "$mode" "$fault" 11)" "$(col "$mode" "$fault" 9)"
    done
    awk -v f="$fault" -v l="$(col leapfrog "$fault" 10)" \
        -v s="$(col static "$fault" 10)" 'BEGIN {
            printf "%-9s follow static / leapfrog: %.2f; leapfrog under 1 s: %s\n",
                f, s / (l > 0 ? l : 1), (l < 1000 ? "yes" : "no") }'
done
cat <<'EOT'
(dc: E's node was the DC. A sched of about 1000 ms after a power-off, with
 either set, is Pacemaker's controller pausing: when it asks the scheduler
 while its own CIB updates about the lost node are still pending, it sleeps
 one second and asks again.)
EOT
rm -f "$results"

#!/bin/bash
# Lock-write unavailability after the replication server's process dies,
# with the safe default (hold changes back) and with availability first
# (-S), without a cluster: the servers alone, killed and restarted by the
# benchmark.
#
#   bench/run-unavailability.sh [RUNS]          (default 5)
#
# E on n1 (-N node1, -H HOLD), R on n2 (-N node2), namespace nodes on a
# bridge (bench/lfbt-nodes.sh), each server with a private /dev/shm. A
# client on its own node (lf-bench-unavail) takes and releases locks on
# one connection, one request every LF_BENCH_INTERVAL_US (default 1000
# us; a refused change is asked again at the next turn), gives up a
# request after LF_BENCH_TIMEOUT_MS (default 2000 ms: a timeout, then it
# reconnects), and after 1 s of replicated "OK"s kills R (kill -9). With
# no cluster nothing restarts R; to stand in for the cluster restarting
# it, a new R is started on n2 (fresh mount namespace: no copy) RESTART
# ms after the kill (LF_BENCH_RESTART_MS, default 3000). Cases:
#   hold+restart    default policy, R restarted after RESTART ms
#   hold-expiry     default policy, no restart: the hold ends after HOLD
#   serve+restart   -S, R restarted after RESTART ms
#   serve           -S, no restart
# HOLD is LF_BENCH_HOLD_MS, default 10000 ms here (the server's default
# is 60000). Columns (ms after the kill; "-": never):
#   ack      the first acknowledgement of any kind ("OK" or "UNREPLICATED
#            OK") to a request sent after the kill, and its kind
#   ok       the first plain "OK" (in two nodes' memory) again: the
#            write-unavailable window
#   inflight how a request in flight at the kill was answered, and when
#   ok# unrepl# norepl# tmo# other#  replies to requests sent after the
#            kill, until the first plain "OK" (or the end of the
#            observation: HOLD + 2 s, or 5 s with -S, when none comes)
#   maxwait  the longest wait for one reply
# then the medians per case.
#
# Needs root and a built tree (make; the build tree's server/ binaries
# are used). Uses the namespaces lfbt-* and 10.214.0.0/24; removes them
# at the end.
set -u
# shellcheck source=bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
runs=${1:-5}
bench_count "$runs"
restart_ms=${LF_BENCH_RESTART_MS:-3000}
hold_ms=${LF_BENCH_HOLD_MS:-10000}
interval_us=${LF_BENCH_INTERVAL_US:-1000}
timeout_ms=${LF_BENCH_TIMEOUT_MS:-2000}
cases=${LF_BENCH_CASES:-hold+restart hold-expiry serve+restart serve}
enqueued=$builddir/server/lf-enqueued
replicad=$builddir/server/lf-replicad
bench=$builddir/bench/lf-bench-unavail
LFBT_ENQ=$builddir/server/lf-enq
# shellcheck source=bench/lfbt-nodes.sh
. "$BENCH_TOP/bench/lfbt-nodes.sh"

for exe in "$enqueued" "$replicad" "$bench" "$LFBT_ENQ"; do
    [ -x "$exe" ] || { echo "build first: $exe is missing" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "needs root (namespaces)" >&2; exit 1; }
lfbt_lock || exit 1

bench_workdir lfbt-unavail
bench_at_exit lfbt_clear
results=$work/results

# A time in ms, "-" for never (-1).
ms() {
    case $1 in
    -1.0 | -1 | "") echo - ;;
    *) printf '%.0f' "$1" ;;
    esac
}

# "none", or how and when the request in flight at the kill was answered.
inflight() {
    local kind
    kind=$(echo "$1" | bench_value inflight)
    if [ "$kind" = none ]; then
        echo none
    else
        echo "$kind@$(ms "$(echo "$1" | bench_value inflight_ms)")"
    fi
}

one_run() {
    local c=$1 i=$2 d=$work/$1-$2 e_addr out policy=() restart=() dur
    local -a node2
    BENCH_ERR_LOG=$d/start.err
    e_addr=$(lfbt_addr n1)
    mkdir -p "$d/n1"
    case $c in
    serve*) policy=(-S) ;;
    esac
    case $c in
    *+restart)
        mapfile -t node2 < <(lfbt_run_argv n2)
        restart=(-r "$restart_ms" -- "${node2[@]}" "$replicad" -i lfbt
            -a "$e_addr" -P "$d/r2.pid" -L "$d/r2.log" -N node2)
        dur=$((restart_ms + 5000))
        ;;
    hold*) dur=$((hold_ms + 2000)) ;;
    *) dur=5000 ;;
    esac
    lfbt_run n1 "$enqueued" -i lfbt -a "$e_addr" -s "$d/n1" -P "$d/e.pid" \
        -L "$d/e.log" -N node1 -H "$hold_ms" "${policy[@]}" \
        2>>"$d/start.err" || bench_fail "E's start"
    lfbt_run n2 "$replicad" -i lfbt -a "$e_addr" -P "$d/r1.pid" \
        -L "$d/r1.log" -N node2 2>>"$d/start.err" ||
        bench_fail "R's start"
    lfbt_wait_stats c "$e_addr" replica=in-sync ||
        bench_fail "R not in sync"
    out=$(ip netns exec lfbt-c "$bench" -a "$e_addr" -k "$(cat "$d/r1.pid")" \
        -b 1000 -i "$interval_us" -t "$timeout_ms" -d "$dur" \
        "${restart[@]}" 2>>"$d/start.err") || bench_fail "$c ($out)"
    printf '%-14s %3s %7s %-12s %7s %-13s %6s %7s %7s %4s %6s %8s\n' "$c" "$i" \
        "$(ms "$(echo "$out" | bench_value first_ack_ms)")" \
        "$(echo "$out" | bench_value first_ack)" \
        "$(ms "$(echo "$out" | bench_value first_ok_ms)")" \
        "$(inflight "$out")" \
        "$(echo "$out" | bench_value ok)" \
        "$(echo "$out" | bench_value unreplicated)" \
        "$(echo "$out" | bench_value noreplica)" \
        "$(echo "$out" | bench_value timeout)" \
        "$(echo "$out" | bench_value other)" \
        "$(ms "$(echo "$out" | bench_value max_wait_ms)")" | tee -a "$results"
    lfbt_stop_pidfile "$d/e.pid"
    lfbt_stop_pidfile "$d/r2.pid"
    [ -n "${LF_BENCH_KEEP:-}" ] || rm -rf "$d"
}

lfbt_clear
lfbt_up n1 n2 c || bench_fail "cannot set up the namespace nodes"
echo "lock-write unavailability after kill -9 of R: restart after" \
    "${restart_ms} ms, hold ${hold_ms} ms (-H), a request every" \
    "${interval_us} us, timeout ${timeout_ms} ms; $runs runs per case;" \
    "ms after the kill"
printf '%-14s %3s %7s %-12s %7s %-13s %6s %7s %7s %4s %6s %8s\n' case run \
    ack kind ok inflight ok# unrepl# norepl# tmo# other# maxwait
for c in $cases; do
    for i in $(seq 1 "$runs"); do
        one_run "$c" "$i"
    done
done

echo "== medians (ms after the kill; counts: replies until the first plain OK)"
printf '%-14s %7s %7s %6s %7s %7s %4s %6s\n' case ack ok ok# unrepl# \
    norepl# tmo# other#
col() {
    awk -v c="$1" -v k="$2" '$1 == c && $k != "-" { print $k }' "$results" |
        lfbt_median
}
for c in $cases; do
    printf '%-14s %7s %7s %6s %7s %7s %4s %6s\n' "$c" "$(col "$c" 3)" \
        "$(col "$c" 5)" "$(col "$c" 7)" "$(col "$c" 8)" "$(col "$c" 9)" \
        "$(col "$c" 10)" "$(col "$c" 11)"
done

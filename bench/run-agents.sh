#!/bin/bash
# Agent cost benchmark: one monitor action (OCF_CHECK_LEVEL 0 and 10) and
# one start+stop of ocf:leapfrog:enqueue, side by side with the shell agent
# ocf:heartbeat:anything managing the same server binary (level 10 through
# its monitor_hook running lf-enq ping) and with a trivial C program that
# only exits (the floor: the cost of one exec). Prints wall and CPU time per
# call and the ratios.
#
#   bench/run-agents.sh [RUNS]      (default 500 monitors, 20 start+stop)
set -u
# shellcheck source=bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
runs=${1:-500}
bench_count "$runs"
# The agents' servers leave their pid files in $work: killed at exit.
bench_workdir lf-bench-agents
port=$((36000 + $$ % 3000))
anything=/usr/lib/ocf/resource.d/heartbeat/anything
exec_bench="$builddir/bench/lf-bench-exec"
inst="ba$$"

[ -x "$anything" ] || { echo "needs resource-agents ($anything)" >&2; exit 1; }

export OCF_ROOT=/usr/lib/ocf OCF_RESKEY_CRM_meta_timeout=20000
export OCF_RESKEY_CRM_meta_interval=10000
lf_env=(OCF_RESOURCE_INSTANCE=lfbench OCF_RESKEY_instance="$inst"
    OCF_RESKEY_port=$port OCF_RESKEY_address=127.0.0.1
    OCF_RESKEY_binary="$builddir/server/lf-enqueued" OCF_RESKEY_user=
    OCF_RESKEY_rundir="$work" OCF_RESKEY_statedir="$work"
    OCF_RESKEY_allow_no_secret=true) # as anything's server: no secret
any_env=(OCF_RESOURCE_INSTANCE=anybench
    OCF_RESKEY_binfile="$builddir/server/lf-enqueued"
    OCF_RESKEY_cmdline_options="-f -i ${inst}a -p $((port + 1)) -a 127.0.0.1 -s $work"
    OCF_RESKEY_pidfile="$work/any.pid" OCF_RESKEY_user=root
    OCF_RESKEY_logfile=/dev/null)
hook="$builddir/server/lf-enq -p $((port + 1)) ping >/dev/null"

# measure NAME RUNS EXPECTED ENV-ARRAY-NAME CMD...: the environment is set
# for lf-bench-exec itself, so each measured call is exactly one exec.
measure() {
    local name=$1 n=$2 want=$3 envname=$4[@]
    shift 4
    printf '%-34s ' "$name"
    env "${!envname}" "$exec_bench" -n "$n" -e "$want" -- "$@" || exit 1
}

env "${lf_env[@]}" "$builddir/agents/enqueue" start >/dev/null 2>&1 ||
    { echo "leapfrog agent failed to start" >&2; exit 1; }
env "${any_env[@]}" "$anything" start >/dev/null 2>&1 ||
    { echo "anything agent failed to start" >&2; exit 1; }

# In a cluster the agent runs attrd_updater only when the lock count
# changed; here (no cluster) it would fail and be retried on every call.
# Record the current value as published, as after the first monitor.
printf '0\n' >"$work/lfbench.locks-attr"
no_env=(LF_BENCH=1)
lf10_env=("${lf_env[@]}" OCF_CHECK_LEVEL=10)
any10_env=("${any_env[@]}" "OCF_RESKEY_monitor_hook=$hook")
{
    measure floor "$runs" 0 no_env "$builddir/bench/lf-bench-noop"
    measure leapfrog-monitor-0 "$runs" 0 lf_env \
        "$builddir/agents/enqueue" monitor
    measure leapfrog-monitor-10 "$runs" 0 lf10_env \
        "$builddir/agents/enqueue" monitor
    measure anything-monitor-0 "$runs" 0 any_env "$anything" monitor
    measure anything-monitor-10 "$runs" 0 any10_env "$anything" monitor
    measure lf-enq-ping "$runs" 0 no_env "$builddir/server/lf-enq" \
        -p $port ping
} | tee "$work/results"

env "${lf_env[@]}" "$builddir/agents/enqueue" stop >/dev/null 2>&1
env "${any_env[@]}" "$anything" stop >/dev/null 2>&1
startstop_runs=$(( runs / 25 > 2 ? runs / 25 : 2 ))
cat >"$work/lf-startstop" <<EOS
#!/bin/sh
env $(printf '%q ' "${lf_env[@]}") "$builddir/agents/enqueue" start >/dev/null 2>&1 &&
env $(printf '%q ' "${lf_env[@]}") "$builddir/agents/enqueue" stop >/dev/null 2>&1
EOS
cat >"$work/any-startstop" <<EOS
#!/bin/sh
env $(printf '%q ' "${any_env[@]}") "$anything" start >/dev/null 2>&1 &&
env $(printf '%q ' "${any_env[@]}") "$anything" stop >/dev/null 2>&1
EOS
chmod +x "$work/lf-startstop" "$work/any-startstop"
{
    measure leapfrog-start+stop "$startstop_runs" 0 no_env \
        "$work/lf-startstop"
    measure anything-start+stop 3 0 no_env "$work/any-startstop"
} | tee -a "$work/results"

get() { grep "^$1 " "$work/results" | bench_field "$2"; }
echo
echo "ratio leapfrog monitor-0 / floor (wall):       $(bench_ratio "$(get leapfrog-monitor-0 wall_mean_us)" "$(get floor wall_mean_us)")"
echo "ratio anything monitor-0 / leapfrog monitor-0: $(bench_ratio "$(get anything-monitor-0 wall_mean_us)" "$(get leapfrog-monitor-0 wall_mean_us)")"
echo "ratio anything monitor-10 / leapfrog monitor-10: $(bench_ratio "$(get anything-monitor-10 wall_mean_us)" "$(get leapfrog-monitor-10 wall_mean_us)")"
echo "leapfrog monitor-10 - monitor-0: $(awk -v a="$(get leapfrog-monitor-10 wall_mean_us)" -v b="$(get leapfrog-monitor-0 wall_mean_us)" 'BEGIN { printf "%.0f", a - b }') us (one connect + STATS round trip on loopback)"
echo "ratio anything start+stop / leapfrog start+stop: $(bench_ratio "$(get anything-start+stop wall_mean_us)" "$(get leapfrog-start+stop wall_mean_us)")"

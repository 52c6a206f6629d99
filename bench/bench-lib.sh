# shellcheck shell=bash
# bench-lib.sh - what the benchmark scripts (bench/run-*.sh) share; sourced,
# not run.
#
#   BENCH_TOP, builddir       the source tree, and the build tree whose
#                             programs run (LF_BUILDDIR, else the source tree)
#   bench_count VALUE...      every VALUE is a whole number; else the
#                             script's usage (the "#   bench/..." lines of
#                             its header) and exit 2
#   bench_workdir PREFIX      $work, a new /tmp/PREFIX.XXXXXX, and the traps:
#                             at exit (an interrupt too) the command given to
#                             bench_at_exit, then every server and program
#                             started here stopped (by pid), any daemon left
#                             with a pid file in $work killed, the replicas'
#                             copies in /dev/shm removed, and $work removed;
#                             kept, and said so, after bench_fail or an
#                             interrupt, or when LF_BENCH_KEEP is set
#   bench_at_exit CMD...      CMD first at exit (one command)
#   bench_fail TEXT...        "run failed: TEXT" and the end of the file
#                             BENCH_ERR_LOG names, then exit 1
#   bench_enqueued NAME INST PORT [OPTION...]
#                             lf-enqueued -i INST on 127.0.0.1 port PORT,
#                             its state in $work, its pid in $work/NAME.pid
#   bench_replicad NAME INST PORT [OPTION...]
#                             lf-replicad -i INST of the enqueue server on
#                             127.0.0.1 port PORT, its pid in $work/NAME.pid
#   bench_spawn CMD...        CMD in the background, stopped at exit
#   bench_in_sync PORT [SECRET]  the enqueue server on PORT has its replica
#                             in sync
#   bench_wait_until CMD...   poll CMD until it succeeds (10 s at most, else
#                             exit 1)
#   bench_field NAME          the number after " NAME=" in the line on stdin
#   bench_value NAME          the value after NAME= (a whole word) on stdin
#   bench_ratio A B           A / B with two decimals
#   bench_cluster SLOT NAME   the live-cluster harness (tests/harness/) for
#                             a benchmark on namespace clusters: on
#                             LF_CLUSTER_SLOT, else SLOT; the logs of a
#                             failed run in LF_CLUSTER_LOGDIR, else
#                             /tmp/lf-bench-NAME-logs

BENCH_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${LF_BUILDDIR:-$BENCH_TOP}
# shellcheck source=tests/harness/lf-pidfiles.sh
. "$BENCH_TOP/tests/harness/lf-pidfiles.sh"
BENCH_PIDS=()
BENCH_SHM=()
BENCH_AT_EXIT=()
BENCH_FAILED=0
BENCH_ERR_LOG=

bench_count() {
    local v
    for v in "$@"; do
        case "$v" in
        '' | *[!0-9]*)
            echo "$(basename "$0"): not a whole number: '$v'" >&2
            sed -n 's|^#   \(bench/.*\)|usage: \1|p' "$0" >&2
            exit 2 ;;
        esac
    done
}

bench_workdir() {
    work=$(mktemp -d "/tmp/$1.XXXXXX") || exit 1
    trap bench_cleanup EXIT
    trap 'BENCH_FAILED=1; exit 130' INT TERM
}

bench_at_exit() {
    BENCH_AT_EXIT=("$@")
}

bench_cleanup() {
    local p
    [ ${#BENCH_AT_EXIT[@]} = 0 ] || "${BENCH_AT_EXIT[@]}"
    for p in "${BENCH_PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${BENCH_PIDS[@]}"; do
        while kill -0 "$p" 2>/dev/null; do sleep 0.05; done
    done
    lf_kill_pidfiles "$work"
    for p in "${BENCH_SHM[@]}"; do
        rm -f "/dev/shm/leapfrog-$p"
    done
    if [ "$BENCH_FAILED" = 0 ] && [ -z "${LF_BENCH_KEEP:-}" ]; then
        rm -rf "$work"
    else
        echo "logs kept in $work" >&2
    fi
}

bench_fail() {
    echo "run failed: $*" >&2
    [ -s "$BENCH_ERR_LOG" ] && tail -n 20 "$BENCH_ERR_LOG" >&2
    BENCH_FAILED=1
    exit 1
}

bench_enqueued() {
    local name=$1 inst=$2 port=$3
    shift 3
    "$builddir/server/lf-enqueued" -i "$inst" -a 127.0.0.1 -p "$port" \
        -s "$work" -P "$work/$name.pid" "$@" || return 1
    BENCH_PIDS+=("$(cat "$work/$name.pid")")
}

bench_replicad() {
    local name=$1 inst=$2 port=$3
    shift 3
    "$builddir/server/lf-replicad" -i "$inst" -a 127.0.0.1 -p "$port" \
        -P "$work/$name.pid" "$@" || return 1
    BENCH_PIDS+=("$(cat "$work/$name.pid")")
    BENCH_SHM+=("$inst")
}

bench_spawn() {
    "$@" &
    BENCH_PIDS+=($!)
}

bench_in_sync() {
    "$builddir/server/lf-enq" -p "$1" ${2:+-k "$2"} stats |
        grep -q replica=in-sync
}

bench_wait_until() {
    local tries=0
    until "$@"; do
        tries=$((tries + 1))
        [ $tries -lt 500 ] || { echo "timed out: $*" >&2; exit 1; }
        sleep 0.02
    done
}

bench_field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }

bench_value() { sed -n "s/.*\<$1=\([^ ]*\).*/\1/p"; }

bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

bench_cluster() {
    export LF_BUILDDIR=$builddir
    export LF_CLUSTER_SLOT=${LF_CLUSTER_SLOT:-$1}
    export LF_CLUSTER_LOGDIR=${LF_CLUSTER_LOGDIR:-/tmp/lf-bench-$2-logs}
    # shellcheck source=tests/harness/lf-cluster.sh
    . "$BENCH_TOP/tests/harness/lf-cluster.sh"
    # shellcheck source=tests/harness/lf-pair.sh
    . "$BENCH_TOP/tests/harness/lf-pair.sh"
}

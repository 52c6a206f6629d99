#!/bin/bash
# Connection-load benchmark: lock latency of an enqueue server with a
# replica in sync, first unloaded, then with IDLE connections that only
# connect and a slow client sending one byte a second, while 16 clients
# take and release locks. Prints the latencies, their ratio, the server's
# CPU use (in cores) in each phase, and whether the replica dropped.
# Goals: the replica never drops, lock p99 loaded within 2x unloaded, the
# server below one core.
#
#   bench/run-load.sh [PAIRS_PER_CLIENT [IDLE]]   (default 2000, 10000)
#
# Needs a built tree (make) and a descriptor limit it can raise (root, or
# a hard limit of IDLE + 1000); all on loopback.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
builddir=${LF_BUILDDIR:-$top}
pairs=${1:-2000}
idle=${2:-10000}
work=$(mktemp -d /tmp/lf-bench-load.XXXXXX)
pids=()
port=$((35000 + $$ % 5000))
inst="load$$"

cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${pids[@]}"; do
        while kill -0 "$p" 2>/dev/null; do sleep 0.05; done
    done
    rm -f "/dev/shm/leapfrog-$inst"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_until() {
    local tries=0
    until "$@"; do
        tries=$((tries + 1))
        [ $tries -lt 500 ] || { echo "timed out: $*" >&2; exit 1; }
        sleep 0.02
    done
}

# Descriptors for every idle connection, in the server and the client.
ulimit -n $((idle + 1000)) ||
    { echo "cannot raise the descriptor limit to $((idle + 1000))" >&2; exit 1; }

"$builddir/server/lf-enqueued" -i "$inst" -a 127.0.0.1 -p $port -s "$work" \
    -P "$work/e.pid" -L "$work/e.log" -N load-e -c $((idle + 100)) || exit 1
pids+=("$(cat "$work/e.pid")")
"$builddir/server/lf-replicad" -i "$inst" -a 127.0.0.1 -p $port \
    -P "$work/r.pid" -L "$work/r.log" -N load-r || exit 1
pids+=("$(cat "$work/r.pid")")
in_sync() {
    "$builddir/server/lf-enq" -p $port stats | grep -q replica=in-sync
}
wait_until in_sync

out=$("$builddir/bench/lf-bench-load" -p $port -P "$(cat "$work/e.pid")" \
    -n "$pairs" -i "$idle") || { echo "benchmark run failed" >&2; exit 1; }
echo "$out"
stats=$("$builddir/server/lf-enq" -p $port stats)
lost=$(grep -c "replica lost" "$work/e.log")
echo "replica: $(echo "$stats" | sed -n 's/.* replica=\([^ ]*\).*/\1/p')," \
    "dropped $lost times; server refused=$(echo "$stats" |
        sed -n 's/.* refused=\([^ ]*\).*/\1/p')" \
    "timeouts=$(echo "$stats" | sed -n 's/.* timeouts=\([^ ]*\).*/\1/p')"

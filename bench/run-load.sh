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
# shellcheck source=bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
pairs=${1:-2000}
idle=${2:-10000}
bench_count "$pairs" "$idle"
bench_workdir lf-bench-load
port=$((35000 + $$ % 5000))
inst="load$$"

# Descriptors for every idle connection, in the server and the client.
ulimit -n $((idle + 1000)) ||
    { echo "cannot raise the descriptor limit to $((idle + 1000))" >&2; exit 1; }

bench_enqueued e "$inst" $port -L "$work/e.log" -N load-e \
    -c $((idle + 100)) || exit 1
bench_replicad r "$inst" $port -L "$work/r.log" -N load-r || exit 1
bench_wait_until bench_in_sync $port

out=$("$builddir/bench/lf-bench-load" -p $port -P "$(cat "$work/e.pid")" \
    -n "$pairs" -i "$idle") || { echo "benchmark run failed" >&2; exit 1; }
echo "$out"
stats=$("$builddir/server/lf-enq" -p $port stats)
stat_of() { echo "$stats" | bench_value "$1"; }
lost=$(grep -c "replica lost" "$work/e.log")
echo "replica: $(stat_of replica), dropped $lost times;" \
    "server refused=$(stat_of refused) timeouts=$(stat_of timeouts)"

#!/bin/bash
# Lock-table benchmark: leapfrog's enqueue server against Redis used as a
# lock table (SET key owner NX / DEL), with replication off and on (leapfrog:
# a replication server in sync; Redis: a replica and WAIT 1 0 after every
# write), at 1, 16 and 64 concurrent clients, all on loopback, side by side
# in one run. Prints a table and the leapfrog/Redis ratios.
#
#   bench/run-locks.sh [PAIRS_PER_CLIENT]     (default 2000)
#   bench/run-locks.sh --auth [PAIRS_PER_CLIENT]
#
# Needs a built tree (make) and redis-server (apt-get install redis-server).
# --auth compares leapfrog with itself instead, without and with a shared
# secret (mutual authentication, then a MAC on every line both ways), and
# prints the ratio; it needs no Redis.
set -u
# shellcheck source=bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
auth=0
if [ "${1:-}" = --auth ]; then
    auth=1
    shift
fi
pairs=${1:-2000}
bench_count "$pairs"
[ $auth = 1 ] || command -v redis-server >/dev/null ||
    { echo "redis-server is not installed" >&2; exit 1; }
bench_workdir lf-bench-locks
base=$((30000 + $$ % 5000))
inst="bench$$"

# leapfrog without and with a replica.
bench_enqueued eu "${inst}u" $base || exit 1
# Both on this host: their node names (as the agents pass Pacemaker's)
# make the replica count as the second copy.
bench_enqueued er "${inst}r" $((base + 1)) -N bench-e || exit 1
bench_replicad r "${inst}r" $((base + 1)) -N bench-r || exit 1
bench_wait_until bench_in_sync $((base + 1))

run() {
    "$builddir/bench/lf-bench-locks" -s "$1" -p "$2" -c "$3" -n "$pairs" \
        "${@:4}" || { echo "benchmark run failed: $*" >&2; exit 1; }
}

if [ $auth = 1 ]; then
    # The same two servers again, with a secret: ports base+5 and +6.
    secret="$work/secret"
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' \
        >"$secret")
    bench_enqueued ea "${inst}a" $((base + 5)) -k "$secret" || exit 1
    bench_enqueued eb "${inst}b" $((base + 6)) -N bench-e -k "$secret" ||
        exit 1
    bench_replicad rb "${inst}b" $((base + 6)) -N bench-r -k "$secret" ||
        exit 1
    bench_wait_until bench_in_sync $((base + 6)) "$secret"
    echo "lock+unlock pairs, $pairs per client; latencies in microseconds"
    printf '%-11s %-6s %7s %12s %9s %9s %11s %11s\n' replication secret \
        clients pairs/s lock_p50 lock_p99 unlock_p50 unlock_p99
    for repl in off on; do
        for c in 1 16 64; do
            if [ $repl = off ]; then
                plain=$(run leapfrog $base "$c" -e "UNREPLICATED OK")
                keyed=$(run leapfrog $((base + 5)) "$c" -e "UNREPLICATED OK" \
                    -k "$secret")
            else
                plain=$(run leapfrog $((base + 1)) "$c")
                keyed=$(run leapfrog $((base + 6)) "$c" -k "$secret")
            fi
            for line in "$plain" "$keyed"; do
                printf '%-11s %-6s %7s %12s %9s %9s %11s %11s\n' $repl \
                    "$([ "$line" = "$plain" ] && echo no || echo yes)" "$c" \
                    "$(echo "$line" | bench_field pairs_per_s)" \
                    "$(echo "$line" | bench_field lock_p50_us)" \
                    "$(echo "$line" | bench_field lock_p99_us)" \
                    "$(echo "$line" | bench_field unlock_p50_us)" \
                    "$(echo "$line" | bench_field unlock_p99_us)"
            done
            ratio=$(bench_ratio "$(echo "$keyed" | bench_field pairs_per_s)" \
                "$(echo "$plain" | bench_field pairs_per_s)")
            echo "ratio replication=$repl clients=$c with/without secret" \
                "throughput: $ratio"
        done
    done
    exit 0
fi

# Redis alone, and Redis with a replica.
redis() {
    bench_spawn redis-server --port "$1" --bind 127.0.0.1 --save '' \
        --appendonly no --protected-mode no --dir "$work" \
        --logfile "$work/redis-$1.log" "${@:2}"
}
redis $((base + 2))
redis $((base + 3))
redis $((base + 4)) --replicaof 127.0.0.1 $((base + 3))
redis_ready() { redis-cli -p "$1" ping 2>/dev/null | grep -q PONG; }
bench_wait_until redis_ready $((base + 2))
bench_wait_until redis_ready $((base + 3))
replica_online() {
    redis-cli -p $((base + 3)) info replication | grep -q 'state=online'
}
bench_wait_until replica_online

echo "lock+unlock pairs, $pairs per client; latencies in microseconds"
printf '%-11s %-8s %7s %12s %9s %9s %11s %11s\n' replication server clients \
    pairs/s lock_p50 lock_p99 unlock_p50 unlock_p99
for repl in off on; do
    for c in 1 16 64; do
        if [ $repl = off ]; then
            # No replica: every change says it is unreplicated.
            lf=$(run leapfrog $base "$c" -e "UNREPLICATED OK")
            rd=$(run redis $((base + 2)) "$c")
        else
            lf=$(run leapfrog $((base + 1)) "$c")
            rd=$(run redis-wait $((base + 3)) "$c")
        fi
        for line in "$lf" "$rd"; do
            printf '%-11s %-8s %7s %12s %9s %9s %11s %11s\n' $repl \
                "$(echo "$line" | cut -d' ' -f1)" "$c" \
                "$(echo "$line" | bench_field pairs_per_s)" \
                "$(echo "$line" | bench_field lock_p50_us)" \
                "$(echo "$line" | bench_field lock_p99_us)" \
                "$(echo "$line" | bench_field unlock_p50_us)" \
                "$(echo "$line" | bench_field unlock_p99_us)"
        done
        ratio=$(bench_ratio "$(echo "$lf" | bench_field pairs_per_s)" \
            "$(echo "$rd" | bench_field pairs_per_s)")
        echo "ratio replication=$repl clients=$c leapfrog/redis throughput: $ratio"
    done
done

#!/bin/bash
# leapfrogd benchmark on a live 3-node namespace cluster (Dummy resources):
#  1. reaction: P moved to a new node; the time from the CIB showing P's
#     start there to the CIB showing leapfrogd's rewritten follow location,
#     compared with the node-attribute approach (SAPInstance's runs_ers
#     attribute, refreshed by P's recurring monitor: stale for up to one
#     monitor interval, half of it on average);
#  2. cost: leapfrogd's CPU time, memory and writes while node attributes
#     change at a high rate, with 1, 50 and 200 declared pairs.
#
#   bench/run-helper.sh [MOVES] [CHURN_UPDATES] [PAIRS...]
#                                  (default 15, 1000, pairs 1 50 200)
#
# Needs root; uses cluster slot 5 (10.213.5.0/24) and the installed agents.
set -u
# shellcheck source=bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
moves=${1:-15}
churn=${2:-1000}
shift $(($# < 2 ? $# : 2))
pair_counts=${*:-1 50 200}
# shellcheck disable=SC2086 # one count a word
bench_count "$moves" "$churn" $pair_counts
MONITOR_S=10
bench_cluster 5 helper

lfc_init bench-helper 3 || exit 1
lfc_trap
lfp_require_installed
lfc_boot || exit 1
lfc_exec 1 pcs resource create leapfrogd ocf:leapfrog:leapfrogd \
    op monitor interval=10s meta resource-stickiness=100

# pairs_xml FIRST LAST: Dummy pairs bF<i> (a group of two) follows bP<i>.
pairs_xml() {
    local i
    echo "<resources>"
    for i in $(seq "$1" "$2"); do
        cat <<EOX
<group id="bF$i"><primitive id="bF${i}a" class="ocf" provider="pacemaker"
 type="Dummy"><operations><op id="bF${i}a-m" name="monitor"
 interval="${MONITOR_S}s"/></operations></primitive><primitive id="bF${i}b"
 class="ocf" provider="pacemaker" type="Dummy"><operations><op id="bF${i}b-m"
 name="monitor" interval="${MONITOR_S}s"/></operations></primitive>
<meta_attributes id="bF$i-m"><nvpair id="bF$i-m-f" name="leapfrog-follows"
 value="bP$i"/></meta_attributes></group>
<primitive id="bP$i" class="ocf" provider="pacemaker" type="Dummy">
<operations><op id="bP$i-m" name="monitor" interval="${MONITOR_S}s"/>
</operations></primitive>
EOX
    done
    echo "</resources>"
}

add_pairs() {
    pairs_xml "$1" "$2" >"$LFC_DIR/pairs.xml"
    lfc_exec 1 cibadmin --modify --scope resources \
        --xml-file "$LFC_DIR/pairs.xml" || return 1
    # Hundreds of resources to probe and start on two cores: be patient.
    lfc_settle 1200 && lfp_settle
}

helper_pid() {
    local i pid
    for i in 1 2 3; do
        pid=$(lfc_exec "$i" cat /run/leapfrog/leapfrogd.pid 2>/dev/null) &&
            { echo "$i $pid"; return 0; }
    done
    return 1
}

# CPU ticks (utime + stime) and RSS (kB) of leapfrogd, seen from its node.
helper_usage() {
    local node pid
    read -r node pid < <(helper_pid)
    lfc_exec "$node" sh -c "awk '{print \$14 + \$15}' /proc/$pid/stat; \
        awk '/VmRSS/ {print \$2}' /proc/$pid/status" | tr '\n' ' '
}

stats_field() { # NAME: from the newest stats line of the running helper
    local node pid f before
    read -r node pid < <(helper_pid)
    f="$(lfc_nodedir "$node")/log/pacemaker.log"
    before=$(grep -c "leapfrogd *\[$pid\].*stats:" "$f")
    lfc_exec "$node" kill -USR1 "$pid"
    lfc_wait_for 10 "stats logged" eval \
        '[ "$(grep -c "leapfrogd *\[$pid\].*stats:" "$f")" -gt "$before" ]'
    grep "leapfrogd *\[$pid\].*stats:" "$f" | tail -1 |
        sed -n "s/.* $1=\([0-9]*\).*/\1/p"
}

add_pairs 1 1 || exit 1
echo "== reaction: P moved $moves times, leapfrogd's rewrite of the follow location"
lfc_exec 1 "$LF_BUILDDIR/bench/lf-bench-helper" -f bF1 -p bP1 -n "$moves" |
    tee "$LFC_DIR/reaction"
median=$(sed -n 's/.*reaction_median_ms=\([0-9.]*\).*/\1/p' "$LFC_DIR/reaction")
echo "node-attribute approach: refreshed by P's ${MONITOR_S}s monitor:" \
    "stale up to $((MONITOR_S * 1000)) ms, $((MONITOR_S * 500)) ms on average"
awk -v m="$median" -v a=$((MONITOR_S * 500)) \
    'BEGIN { printf "ratio average staleness / leapfrogd median: %.0f\n", a / (m > 0 ? m : 0.1) }'

echo "== cost under attribute churn: $churn node-attribute updates"
printf '%-6s %10s %10s %8s %8s %8s\n' pairs cpu_ms rss_kB writes evals skipped
total=1
for n in $pair_counts; do
    if [ "$n" -gt "$total" ]; then
        add_pairs $((total + 1)) "$n" || exit 1
        total=$n
    fi
    w0=$(stats_field writes)
    e0=$(stats_field evaluations)
    s0=$(stats_field skipped)
    read -r cpu0 _ < <(helper_usage)
    for i in $(seq 1 "$churn"); do
        lfc_exec $((i % 3 + 1)) attrd_updater -n bench-churn -U "$i" \
            >/dev/null 2>&1
    done
    lfc_settle
    read -r cpu1 rss < <(helper_usage)
    w1=$(stats_field writes)
    e1=$(stats_field evaluations)
    s1=$(stats_field skipped)
    printf '%-6s %10s %10s %8s %8s %8s\n' "$n" \
        $(((cpu1 - cpu0) * 1000 / $(getconf CLK_TCK))) "$rss" \
        $((w1 - w0)) $((e1 - e0)) $((s1 - s0))
done

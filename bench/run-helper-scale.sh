#!/bin/bash
# leapfrogd's cost per evaluation as pairs grow, offline: CIB files with 1,
# 50 and 200 running pairs of Dummy resources on three nodes, made with
# pcs and crm_simulate; "leapfrogd --once" timed (wall and CPU, over RUNS
# runs, by lf-bench-exec) and its peak memory (getrusage) reported. This
# is what one evaluation costs the daemon at each size.
#
#   bench/run-helper-scale.sh [RUNS]     (default 20)
set -u
# shellcheck source=bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
runs=${1:-20}
bench_count "$runs"
bench_workdir lf-helper-scale
export PCMK_logfile=/dev/null

make_cib() { # FILE PAIRS
    local f=$1 n=$2 i
    cibadmin --empty >"$f" 2>/dev/null
    pcs -f "$f" property set stonith-enabled=false >/dev/null 2>&1
    {
        echo "<resources>"
        for i in $(seq 1 "$n"); do
            cat <<EOX
<primitive id="f$i" class="ocf" provider="pacemaker" type="Dummy">
<operations><op id="f$i-m" name="monitor" interval="10s"/></operations>
<meta_attributes id="f$i-meta"><nvpair id="f$i-lf" name="leapfrog-follows"
 value="p$i"/></meta_attributes></primitive>
<primitive id="p$i" class="ocf" provider="pacemaker" type="Dummy">
<operations><op id="p$i-m" name="monitor" interval="10s"/></operations>
</primitive>
EOX
        done
        echo "</resources>"
    } >"$work/rsc.xml"
    CIB_file=$f cibadmin --modify --scope resources \
        --xml-file "$work/rsc.xml" >/dev/null 2>&1
    crm_simulate -x "$f" -S -q true --node-up node1 --node-up node2 \
        --node-up node3 -O "$f.1" >/dev/null 2>&1
    for _ in 1 2 3; do
        crm_simulate -x "$f.1" -S -q true -O "$f" >/dev/null 2>&1
        cp "$f" "$f.1"
    done
    sed -i 's/<cib /<cib dc-uuid="node1" /' "$f"
}

printf '%-6s %10s %14s %14s %12s %10s\n' pairs cib_kB wall_ms/eval \
    cpu_ms/eval changes maxrss_kB
for n in 1 50 200; do
    f="$work/cib-$n.xml"
    make_cib "$f" "$n"
    changes=$(CIB_file="$f" "$builddir/helper/leapfrogd" --once 2>/dev/null |
        grep -c '^create')
    res=$(CIB_file="$f" "$builddir/bench/lf-bench-exec" -n "$runs" -e 0 -- \
        "$builddir/helper/leapfrogd" --once)
    rss=$(echo "$res" | sed -n 's/.*maxrss_kB=\([0-9]*\).*/\1/p')
    printf '%-6s %10s %14s %14s %12s %10s\n' "$n" \
        $(($(stat -c %s "$f") / 1024)) \
        "$(echo "$res" | sed -n 's/.*wall_mean_us=\([0-9]*\).*/\1/p' |
            awk '{ printf "%.1f", $1 / 1000 }')" \
        "$(echo "$res" | sed -n 's/.*cpu_mean_us=\([0-9]*\).*/\1/p' |
            awk '{ printf "%.1f", $1 / 1000 }')" \
        "$changes" "$rss"
done

#!/bin/sh
# fault-table.sh FILE...: the fault suite's long-mode table
# (LF_FAULTS_TABLE lines "CASE ROUND rc=N history: key=value ...") as a
# Markdown table, one row per case: runs, failed runs, and the sums over
# the runs of the history's counts.
awk '
{
    c = $1
    if (!(c in runs)) order[n++] = c
    runs[c]++
    if ($3 != "rc=0") failed[c]++
    for (i = 5; i <= NF; i++) {
        split($i, kv, "=")
        sum[c, kv[1]] += kv[2]
    }
}
END {
    print "| case | runs | failed | ops | acked | refused | unknown | double granted | lost | lost unreplicated | released back | baseline lost |"
    print "|---|---|---|---|---|---|---|---|---|---|---|---|"
    for (k = 0; k < n; k++) {
        c = order[k]
        printf "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d of %d |\n",
            c, runs[c], failed[c], sum[c, "ops"], sum[c, "acked"],
            sum[c, "refused"], sum[c, "unknown"], sum[c, "double_granted"],
            sum[c, "lost"], sum[c, "lost_unreplicated"],
            sum[c, "resurrected"], sum[c, "baseline_lost"],
            sum[c, "baseline"]
    }
}' "$@"

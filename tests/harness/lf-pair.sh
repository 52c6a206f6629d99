# lf-pair.sh - a leapfrog pair on a harness cluster (source after
# lf-cluster.sh): a virtual IP grouped with ocf:leapfrog:enqueue, and
# ocf:leapfrog:replication, plus helpers to take and check locks through
# the virtual IP from the host.
#
#   lfp_require_installed      bail out unless the agents are installed
#   lfp_secret                 the pairs' secret file (made by lfp_create_pair
#                              or the snippet; lfp_enq uses it)
#   lfp_create_pair INST       pcs resource create ... (group g-INST)
#   lfp_vip                    the virtual IP of this cluster
#   lfp_enq ARGS...            lf-enq against the virtual IP
#   lfp_take_locks INST N      take N locks (every fifth one shared)
#   lfp_locks_intact INST N    exactly those locks are held
#   lfp_node_attr NODE NAME    a transient node attribute, from crm_mon
#   lfp_kill_server NODE RSC   kill -9 the server of resource RSC
#   lfp_server_user_is NODE RSC USER  RSC's server runs as USER

LFP_OCF_DIR=${LFP_OCF_DIR:-/usr/lib/ocf/resource.d/leapfrog}

lfp_require_installed() {
    local a
    for a in enqueue replication; do
        [ -x "$LFP_OCF_DIR/$a" ] ||
            tap_bail "$LFP_OCF_DIR/$a is not installed (run make install)"
    done
}

# The virtual IP of the pair being handled: LFP_VIP_HOST picks it (100 by
# default), so a test can run several pairs.
lfp_vip() { lfc_addr "${LFP_VIP_HOST:-100}"; }

lfp_lf_enq() {
    if [ -n "${LF_BUILDDIR:-}" ] && [ -x "$LF_BUILDDIR/server/lf-enq" ]; then
        echo "$LF_BUILDDIR/server/lf-enq"
    else
        echo lf-enq
    fi
}

# The pairs' secret: one file per test cluster, in its state directory,
# removed with it. Every node of a harness cluster shares the host's file
# system, so the file is on every node at once; a real cluster copies it to
# each node (the guide's Security chapter).
lfp_secret() { echo "$LFC_DIR/leapfrog.secret"; }

lfp_make_secret() {
    local f
    f=$(lfp_secret)
    [ -e "$f" ] ||
        (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' \
            >"$f") || return 1
    chown leapfrog "$f"
}

lfp_enq() {
    "$(lfp_lf_enq)" -a "$(lfp_vip)" -t 3000 -k "$(lfp_secret)" "$@"
}

# lfp_create_pair INST: F is the group g-INST (vip-INST, enq-INST), P is
# rep-INST. Monitors at depth 10 so the node attributes are published.
lfp_create_pair() {
    local inst=$1 log=/var/log/pacemaker/leapfrog-$1.log
    lfp_make_secret &&
    lf_pcs_in_group "g-$inst" lfc_exec 1 pcs resource create "vip-$inst" \
        ocf:heartbeat:IPaddr2 ip="$(lfp_vip)" cidr_netmask=24 nic=eth0 \
        op monitor interval=5s &&
    lf_pcs_in_group "g-$inst" lfc_exec 1 pcs resource create "enq-$inst" \
        ocf:leapfrog:enqueue instance="$inst" address="$(lfp_vip)" \
        log_file="$log" secret_file="$(lfp_secret)" \
        op monitor interval=5s OCF_CHECK_LEVEL=10 &&
    lfc_exec 1 pcs resource create "rep-$inst" ocf:leapfrog:replication \
        instance="$inst" enqueue_address="$(lfp_vip)" log_file="$log" \
        secret_file="$(lfp_secret)" \
        op monitor interval=5s OCF_CHECK_LEVEL=10
}

lfp_lock_line() {
    local inst=$1 i=$2
    if [ $((i % 5)) = 0 ]; then
        echo "$inst-key-$i owner-$((i % 7)) S"
    else
        echo "$inst-key-$i owner-$((i % 7)) X"
    fi
}

lfp_take_locks() {
    local inst=$1 n=$2 i
    for i in $(seq 1 "$n"); do
        # shellcheck disable=SC2046
        lfp_enq lock $(lfp_lock_line "$inst" "$i") >/dev/null || return 1
    done
}

lfp_locks_intact() {
    local inst=$1 n=$2 i want got
    want=$(for i in $(seq 1 "$n"); do lfp_lock_line "$inst" "$i"; done |
        sort)
    got=$(lfp_enq list | grep "^$inst-key-" | sort) || return 1
    if [ "$want" != "$got" ]; then
        lfc_log "lock table differs from what was acknowledged:"
        diff <(echo "$want") <(echo "$got") | head -20 | sed 's/^/#   /' >&2
        return 1
    fi
}

lfp_node_attr() {
    lfc_crm_mon_xml | lfc_xpath "string(//node_attributes/node[@name='$1']\
/attribute[@name='$2']/@value)"
}

lfp_attr_is() {
    [ "$(lfp_node_attr "$1" "$2")" = "$3" ]
}

# lfp_kill_server NODE RSC: the pid file the agent keeps in /run/leapfrog.
lfp_kill_server() {
    local i=${1#node} pid
    pid=$(lfc_exec "$i" cat "/run/leapfrog/$2.pid") || return 1
    lfc_log "kill -9 of $2's server (pid $pid in $1)"
    lfc_exec "$i" kill -9 "$pid"
}

# lfp_start_helper: leapfrogd as a cluster resource, and the pair declared.
lfp_start_helper() {
    local inst=$1 survivor=${2:-}
    lfc_exec 1 pcs resource create leapfrogd ocf:leapfrog:leapfrogd \
        op monitor interval=10s meta resource-stickiness=100 || return 1
    lfc_exec 1 pcs resource meta "g-$inst" "leapfrog-follows=rep-$inst" ||
        return 1
    if [ -n "$survivor" ]; then
        lfc_exec 1 pcs resource meta "g-$inst" \
            "leapfrog-survivor=$survivor" || return 1
    fi
}

# The helper's own view: every pair's constraints are current.
lfp_constraints_current() {
    local i out rc
    i=$(lfc_any_up_node) || return 1
    out=$(lfc_exec "$i" leapfrogd --status 2>&1)
    rc=$?
    # 6: current, with warnings only (no fencing delay, say).
    [ "$rc" = 0 ] || [ "$rc" = 6 ] || return 1
    echo "$out" | grep -q "constraints: current" &&
        ! echo "$out" | grep -q "out of date\|error:\|unknown:"
}

# Wait until the cluster is idle and leapfrogd has nothing left to write.
lfp_settle() {
    local n=0
    while [ $n -lt 5 ]; do
        lfc_settle || return 1
        if lfp_constraints_current; then
            lfc_settle
            lfp_constraints_current && return 0
        fi
        n=$((n + 1))
        lfc_wait_for 30 "leapfrogd to catch up" lfp_constraints_current
    done
    return 1
}

# The pid of RSC's server on NODE (to tell a restart from no change).
lfp_server_pid() {
    lfc_exec "${1#node}" cat "/run/leapfrog/$2.pid" 2>/dev/null
}

# lfp_server_user_is NODE RSC USER: RSC's server on NODE runs as USER
# (real and effective uid, as ps sees them inside the node; by number, as
# ps shortens names longer than 8 characters).
lfp_server_user_is() {
    local pid uid ids ruid euid
    pid=$(lfp_server_pid "$1" "$2") || return 1
    uid=$(id -u "$3") || return 1
    ids=$(lfc_exec "${1#node}" ps -o ruid=,euid=,ruser= -p "$pid") || return 1
    lfc_log "$2's server (pid $pid on $1) runs as uid, euid, user: $ids"
    read -r ruid euid _ <<<"$ids"
    [ "$ruid" = "$uid" ] && [ "$euid" = "$uid" ]
}

lfp_cleanup() {
    lfc_exec "$(lfc_any_up_node)" pcs resource cleanup >/dev/null 2>&1
}

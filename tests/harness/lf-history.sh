# lf-history.sh - the lock-history checker on a harness cluster (source
# after lf-cluster.sh and lf-pair.sh).
#
#   lfh_hosts                    a client host next to every node (cJ sits
#                                with node J in a partition)
#   lfh_begin NAME               a new history: its journals, its keys
#   lfh_baseline N               N locks taken before the fault (all must
#                                be acknowledged)
#   lfh_start                    the clients: on every host one through
#                                the virtual IP and one through its node's
#                                own address
#   lfh_acked                    acknowledged operations so far
#   lfh_wait_progress N [SECS]   until N more operations are acknowledged
#   lfh_stop                     stop the clients (SIGTERM, by pid)
#   lfh_check                    read the final table, check the history;
#                                prints the checker's summary line (in
#                                LFH_SUMMARY) and fails on any violation
#
# The clients and the checker are tests/history/lf-hist-client and
# lf-hist-check; they work against any cluster the harness boots.

LFH_BIN=${LF_BUILDDIR:-$LFC_HERE/../..}/tests/history
LFH_PORT=${LFH_PORT:-3200}
LFH_TIMEOUT_MS=${LFH_TIMEOUT_MS:-2000}
LFH_KEYS=${LFH_KEYS:-40}
# A pause between requests keeps the clients from starving the cluster's
# own daemons (token 1000 ms) on a small machine.
LFH_PAUSE_MS=${LFH_PAUSE_MS:-5}

lfh_hosts() {
    local j
    for j in $(seq 1 "$LFC_NODES"); do
        lfc_add_host "$j" || return 1
    done
}

lfh_begin() {
    LFH_NAME=$1
    LFH_DIR="$LFC_DIR/history/$1"
    LFH_PIDS=()
    rm -rf "$LFH_DIR"
    mkdir -p "$LFH_DIR"
}

# Keys of this history start with its name, so histories never mix.
lfh_prefix() { echo "$LFH_NAME-"; }

lfh_baseline() {
    lfc_host_exec 1 "$LFH_BIN/lf-hist-client" --baseline "$1" -n base \
        -o "$LFH_DIR/baseline.journal" -a "$(lfp_vip)" -p "$LFH_PORT" \
        -k "$(lfp_secret)" -x "$(lfh_prefix)" -t "$LFH_TIMEOUT_MS" 2>>"$LFH_DIR/clients.err"
}

# lfh_client HOST NAME ADDRESS: one client in the background.
lfh_client() {
    # ip netns exec becomes the client (no shell in between), so $! is the
    # client's own pid and lfh_stop reaches it.
    ip netns exec "$(lfc_host_ns "$1")" "$LFH_BIN/lf-hist-client" -n "$2" \
        -o "$LFH_DIR/$2.journal" -a "$3" -p "$LFH_PORT" -k "$(lfp_secret)" \
        -x "$(lfh_prefix)" \
        -K "$LFH_KEYS" -t "$LFH_TIMEOUT_MS" -i "$LFH_PAUSE_MS" -s "$RANDOM" \
        2>>"$LFH_DIR/clients.err" &
    LFH_PIDS+=($!)
}

lfh_start() {
    local j
    for j in $(seq 1 "$LFC_NODES"); do
        lfh_client "$j" "c$j-vip" "$(lfp_vip)"
        lfh_client "$j" "c$j-node$j" "$(lfc_addr "$j")"
    done
}

lfh_acked() {
    cat "$LFH_DIR"/c*.journal 2>/dev/null |
        awk '$1 != "#" && ($9 == "OK" || $9 == "OKU" || $9 == "HELD") { n++ }
             END { print n + 0 }'
}

lfh_progressed() {
    [ "$(lfh_acked)" -ge "$1" ]
}

lfh_wait_progress() {
    local want=$(($(lfh_acked) + $1))
    lfc_wait_for "${2:-60}" "$1 more acknowledged lock operations" \
        lfh_progressed "$want"
}

lfh_stop() {
    local p
    for p in "${LFH_PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in "${LFH_PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    LFH_PIDS=()
}

# Are all of this history's clients gone (none left behind)?
lfh_stopped() {
    ! pgrep -f "$LFH_BIN/lf-hist-client .*-o $LFH_DIR/" >/dev/null
}

# The server's count of changes, seen through the virtual IP.
lfh_server_seq() {
    "$(lfp_lf_enq)" -a "$(lfp_vip)" -p "$LFH_PORT" -t 2000 \
        -k "$(lfp_secret)" stats 2>/dev/null |
        tr ' ' '\n' | sed -n 's/^seq=//p'
}

# Requests still on their way when the clients stopped (their outcome is
# unknown to the client) may change the table for a moment yet: read it
# once the server has made no change for half a second.
lfh_quiet() {
    local a b
    a=$(lfh_server_seq)
    sleep 0.5
    b=$(lfh_server_seq)
    [ -n "$a" ] && [ "$a" = "$b" ]
}

lfh_check() {
    local args=() j out rc
    lfc_wait_for 30 "the enqueue server to be quiet" lfh_quiet
    [ -f "$LFH_DIR/baseline.journal" ] &&
        args+=(-b "$LFH_DIR/baseline.journal")
    for j in $(seq 1 "$LFC_NODES"); do
        args+=(-A "$(lfc_addr "$j")")
    done
    "$(lfp_lf_enq)" -a "$(lfp_vip)" -p "$LFH_PORT" -k "$(lfp_secret)" list \
        >"$LFH_DIR/final.list" 2>&1
    out=$(lfc_host_exec 1 "$LFH_BIN/lf-hist-check" -a "$(lfp_vip)" \
        -p "$LFH_PORT" -k "$(lfp_secret)" "${args[@]}" "$LFH_DIR"/c*.journal 2>&1)
    rc=$?
    echo "$out" >"$LFH_DIR/check.out"
    LFH_SUMMARY=$(echo "$out" | grep '^history:')
    lfc_log "$LFH_NAME: ${LFH_SUMMARY:-no summary}"
    echo "$out" | grep -v '^history:' | head -20 | sed 's/^/#   /' >&2
    return $rc
}

#!/bin/sh
# A leapfrog pair with pcs: the enqueue server behind a virtual IP (group
# F), the replication server (P), their declaration, and leapfrogd.
# Set the values below (or pass them in the environment) and run it on one
# cluster node, as root.
set -eu

INSTANCE=${INSTANCE:-ERS10}      # names the lock table and replica segment
VIP=${VIP:-192.0.2.100}          # clients and the replica connect here
CIDR=${CIDR:-24}                 # netmask length of the virtual IP
PORT=${PORT:-3200}               # the enqueue server's TCP port
ADDRESS=${ADDRESS-$VIP}          # where it listens; empty: every address
SURVIVOR=${SURVIVOR:-g-$INSTANCE} # one node left: g-$INSTANCE, rep-$INSTANCE
                                 # or none
FENCE_DELAY=${FENCE_DELAY:-5s}   # priority-fencing-delay (two nodes)
SERVER_LOG=${SERVER_LOG:-}       # an extra log file of both servers
PCS=${PCS:-pcs}                  # e.g. "pcs -f cib.xml" to prepare a file
SECRET_FILE=${SECRET_FILE:-/etc/leapfrog/$INSTANCE.secret} # the pair's
                                 # secret: on every node, never in the CIB
SERVER_USER=${SERVER_USER:-leapfrog}  # the servers' user, who owns it
COPY_TO=${COPY_TO:-}             # the other nodes, to copy it to with scp;
                                 # empty: it is there already (or you copy it)

# Fencing first: leapfrog's lock guarantees do not hold without it (a hung
# node that comes back, or a split of two nodes, would serve the lock table
# twice). Create a fence device for your hardware before this, e.g.
#   pcs stonith create fence-ipmi fence_ipmilan ip=192.0.2.11 \
#       username=admin password=secret pcmk_host_list=node1
# or sbd with a watchdog (pcs stonith sbd enable), or your cloud's agent
# (fence_aws, fence_azure_arm, fence_gce). With two nodes,
# priority-fencing-delay lets the node running the survivor win a split
# (leapfrogd sets the resources' priority); it is harmless on more nodes.
$PCS property set stonith-enabled=true no-quorum-policy=stop \
    priority-fencing-delay="$FENCE_DELAY"

# The pair's secret: clients and the replication server prove it to the
# enqueue server and it to them, and it keys a MAC on every message. A file
# on every node (mode 600, owned by the servers' user), the same everywhere;
# the CIB holds only its path. Created here when missing; it must be on
# every node before the servers start there: COPY_TO copies it with scp
# (crmsh: "crm cluster copy FILE"; or your configuration management).
if [ ! -e "$SECRET_FILE" ]; then
    mkdir -p "$(dirname "$SECRET_FILE")"
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' \
        >"$SECRET_FILE")
fi
chmod 600 "$SECRET_FILE"
chown "$SERVER_USER" "$SECRET_FILE"
# shellcheck disable=SC2029 # the paths are ours, expanded here
for node in $COPY_TO; do
    ssh "$node" mkdir -p "$(dirname "$SECRET_FILE")"
    scp -p "$SECRET_FILE" "$node:$SECRET_FILE"
    ssh "$node" chown "$SERVER_USER" "$SECRET_FILE"
done

# create_in GROUP ID AGENT ...: pcs resource create, in GROUP. pcs 0.12
# (Debian 13) deprecates "--group GROUP" for "group GROUP" after --future;
# pcs 0.11 (Debian 12) knows only --group.
case "$($PCS --version)" in
0.[0-9].* | 0.1[01].*)
    create_in() { g=$1; shift; $PCS resource create "$@" --group "$g"; } ;;
*)
    create_in() {
        g=$1
        shift
        $PCS resource create --future "$@" group "$g"
    } ;;
esac

# F: the virtual IP, then the enqueue server, in one group. The server
# listens on the virtual IP only (by default), so several pairs can share
# nodes and a port. Depth-10 monitors make crm_mon -A show the lock count.
create_in "g-$INSTANCE" "vip-$INSTANCE" ocf:heartbeat:IPaddr2 \
    ip="$VIP" cidr_netmask="$CIDR" \
    op monitor interval=10s timeout=20s
create_in "g-$INSTANCE" "enq-$INSTANCE" ocf:leapfrog:enqueue \
    instance="$INSTANCE" ${ADDRESS:+address="$ADDRESS"} port="$PORT" \
    secret_file="$SECRET_FILE" \
    ${SERVER_LOG:+log_file="$SERVER_LOG"} \
    op start timeout=60s op stop timeout=60s \
    op monitor interval=10s timeout=20s OCF_CHECK_LEVEL=10

# P: the replication server, following the enqueue server's virtual IP.
$PCS resource create "rep-$INSTANCE" ocf:leapfrog:replication \
    instance="$INSTANCE" enqueue_address="$VIP" port="$PORT" \
    secret_file="$SECRET_FILE" \
    ${SERVER_LOG:+log_file="$SERVER_LOG"} \
    op start timeout=30s op stop timeout=30s \
    op monitor interval=10s timeout=20s OCF_CHECK_LEVEL=10

# The pair. leapfrogd derives every constraint (and the stickiness and
# migration-threshold they need) from these two meta attributes.
$PCS resource meta "g-$INSTANCE" "leapfrog-follows=rep-$INSTANCE" \
    "leapfrog-survivor=$SURVIVOR"

# The helper, once per cluster (skipped when it exists already). Its
# stickiness keeps it where it is: without one, Pacemaker's balancing moves
# it (and back) in the middle of every failover transition, which delays
# the failover itself.
if ! $PCS resource config leapfrogd >/dev/null 2>&1; then
    $PCS resource create leapfrogd ocf:leapfrog:leapfrogd \
        op monitor interval=10s timeout=20s \
        meta resource-stickiness=100
fi

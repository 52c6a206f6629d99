/*
 * The replica: a full snapshot when it attaches, then every change as
 * "C <seq> ..."; it acknowledges with "ACK <seq>" once the change is in
 * its segment. While it is in sync a client's reply to a change waits for
 * that acknowledgement, so a plain "OK" always means two nodes.
 *
 * Losing an in-sync replica starts a hold (policy "hold", the default):
 * replies already parked stay parked and new changes are refused, because
 * the replica's copy may still be taken over by an enqueue server that
 * the cluster starts elsewhere, and the cluster needs time to fence a lost
 * node. The hold ends when a replica is in sync again (the parked replies
 * are then answered "OK": their changes are in its snapshot), when the
 * replica said it stops (BYE) or the cluster confirms it gone (SIGUSR1
 * from the agent's monitor), or when the hold time passes; from then on
 * changes are answered "UNREPLICATED OK".
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "enqueued.h"
#include "lf_log.h"
#include "lf_proc.h"

#define HEARTBEAT_MS 1000
/* How long a lost copy stays adoptable, below the hold: the replica may
 * notice the loss up to its own timeout later than we do. */
#define VALID_MARGIN_MS 5000

const char *
enq_repl_state_str(enum enq_replica_state state)
{
    switch (state) {
    case ENQ_REPLICA_SYNCING:
        return "syncing";
    case ENQ_REPLICA_IN_SYNC:
        return "in-sync";
    default:
        return "none";
    }
}

static bool
hold_active(const struct enq_server *srv)
{
    return srv->hold_until_ms != 0;
}

long long
enq_repl_hold_left_s(const struct enq_server *srv)
{
    long long left;

    if (!hold_active(srv)) {
        return 0;
    }
    left = srv->hold_until_ms - lf_now_ms();
    return left > 0 ? (left + 999) / 1000 : 0;
}

static bool
counts_as_in_sync(const struct enq_server *srv)
{
    return srv->replica_state == ENQ_REPLICA_IN_SYNC && !srv->replica_local;
}

enum enq_write_mode
enq_repl_write_mode(const struct enq_server *srv)
{
    if (counts_as_in_sync(srv)) {
        return ENQ_WRITE_REPLICATED;
    }
    if (hold_active(srv)) {
        return ENQ_WRITE_HELD_BACK;
    }
    return ENQ_WRITE_UNREPLICATED;
}

static void
unpark(struct enq_server *srv, struct enq_conn *conn, bool replicated)
{
    conn->wait_seq = 0;
    conn->next_waiting = NULL;
    if (replicated) {
        enq_conn_reply(srv, conn, "%s", conn->parked);
    } else {
        srv->stats.unreplicated++;
        enq_conn_reply(srv, conn, "UNREPLICATED %s", conn->parked);
    }
    /* Its next requests run in the loop's next pass, not from here. */
    enq_conn_wake(srv, conn);
}

/* Answer every parked reply up to seq (all: every one). */
static void
release_parked(struct enq_server *srv, uint64_t seq, bool all, bool replicated)
{
    while (srv->wait_head != NULL && (all || srv->wait_head->wait_seq <= seq)) {
        struct enq_conn *conn = srv->wait_head;

        srv->wait_head = conn->next_waiting;
        if (srv->wait_head == NULL) {
            srv->wait_tail = NULL;
        }
        unpark(srv, conn, replicated);
    }
}

static void
park(struct enq_server *srv, struct enq_conn *client, uint64_t seq,
     const char *reply)
{
    client->wait_seq = seq;
    snprintf(client->parked, sizeof(client->parked), "%s", reply);
    client->next_waiting = NULL;
    if (srv->wait_tail != NULL) {
        srv->wait_tail->next_waiting = client;
    } else {
        srv->wait_head = client;
    }
    srv->wait_tail = client;
}

static void
forget_parked(struct enq_server *srv, struct enq_conn *conn)
{
    struct enq_conn **link = &srv->wait_head;
    struct enq_conn *prev = NULL;

    while (*link != NULL) {
        if (*link == conn) {
            *link = conn->next_waiting;
            if (srv->wait_tail == conn) {
                srv->wait_tail = prev;
            }
            conn->next_waiting = NULL;
            conn->wait_seq = 0;
            return;
        }
        prev = *link;
        link = &(*link)->next_waiting;
    }
}

void
enq_repl_hold(struct enq_server *srv, const char *why)
{
    if (srv->cfg.loss_policy == ENQ_LOSS_SERVE || srv->cfg.hold_ms <= 0) {
        return;
    }
    srv->hold_until_ms = lf_now_ms() + srv->cfg.hold_ms;
    lf_warn("holding changes back for up to %d ms (%s): no replica in sync "
            "yet",
            srv->cfg.hold_ms, why);
}

static void
end_hold(struct enq_server *srv, bool replicated, const char *why)
{
    if (!hold_active(srv)) {
        return;
    }
    srv->hold_until_ms = 0;
    if (replicated) {
        lf_notice("hold ended: %s", why);
    } else {
        lf_warn("hold ended: %s; serving without replication", why);
    }
    release_parked(srv, 0, true, replicated);
}

void
enq_repl_release_hold(struct enq_server *srv, const char *why)
{
    end_hold(srv, false, why);
}

/* Close the replica's connection; its parked replies stay parked. */
static void
detach(struct enq_server *srv, bool tell_stale)
{
    struct enq_conn *replica = srv->replica;

    srv->replica = NULL;
    srv->replica_state = ENQ_REPLICA_NONE;
    srv->replica_local = false;
    if (replica == NULL) {
        return;
    }
    if (tell_stale) {
        /* It may still read this and stop offering its copy. */
        enq_conn_reply(srv, replica, "DROP");
        enq_conn_write_now(srv, replica);
    }
    enq_conn_kill(srv, replica);
}

/* Will changes be served without the copy from now on? Then it must not
 * be taken over any more. Holding changes back keeps it current until
 * the hold ends, which its valid time covers. */
static bool
copy_goes_stale(const struct enq_server *srv)
{
    return srv->cfg.loss_policy == ENQ_LOSS_SERVE || srv->cfg.hold_ms <= 0;
}

void
enq_repl_lost(struct enq_server *srv, const char *why, bool confirmed)
{
    bool was_in_sync = counts_as_in_sync(srv);

    if (srv->replica == NULL) {
        return;
    }
    lf_warn("replica lost (%s) in state %s", why,
            enq_repl_state_str(srv->replica_state));
    detach(srv, !confirmed && copy_goes_stale(srv));
    if (confirmed) {
        end_hold(srv, false, "the replica stopped");
    } else if (was_in_sync && !hold_active(srv)) {
        enq_repl_hold(srv, "the in-sync replica was lost");
    }
    if (!hold_active(srv)) {
        /* Nobody will acknowledge them now: answer as unreplicated. */
        release_parked(srv, 0, true, false);
    }
}

void
enq_repl_conn_gone(struct enq_server *srv, struct enq_conn *conn)
{
    if (conn == srv->replica) {
        enq_repl_lost(srv, "its connection closed", false);
        return;
    }
    forget_parked(srv, conn);
}

static void
send_heartbeat(struct enq_server *srv)
{
    if (srv->replica == NULL) {
        return;
    }
    if (lf_buf_append(&srv->replica->out, "HB\n", 3) != 0) {
        enq_repl_lost(srv, "its output buffer is full", false);
        return;
    }
    srv->replica_sent_ms = lf_now_ms();
    enq_conn_want_write(srv, srv->replica);
}

struct snapshot_ctx {
    struct lf_buf *out;
    int rc;
};

static void
snapshot_one(const char *key, const char *owner, enum lf_lock_mode mode,
             uint32_t tag, void *arg)
{
    struct snapshot_ctx *ctx = arg;

    (void)tag;
    if (ctx->rc == 0) {
        ctx->rc =
            lf_buf_printf(ctx->out, "S %c %s %s\n", (char)mode, key, owner);
    }
}

static uint64_t
copy_valid_ms(const struct enq_server *srv)
{
    long long valid = (long long)srv->cfg.hold_ms - srv->cfg.replica_timeout_ms
                      - VALID_MARGIN_MS;

    return valid > 1000 ? (uint64_t)valid : 1000;
}

/* Attached, not closing, and heard from within its timeout: a second
 * replica cannot take its place (two would push each other out forever,
 * and a client must not knock the real one off). */
static bool
replica_healthy(const struct enq_server *srv, long long now)
{
    const struct enq_conn *r = srv->replica;

    return r != NULL && !r->dead && !r->closing
           && now - srv->replica_heard_ms <= srv->cfg.replica_timeout_ms;
}

static void
refuse_second(struct enq_server *srv, struct enq_conn *conn, const char *node)
{
    if (!srv->refusal_logged) {
        lf_warn("refusing a second replica (on %s, connection %d): the "
                "replica on %s is attached and healthy (connection %d)",
                node, conn->fd, srv->replica_node, srv->replica->fd);
        srv->refusal_logged = true;
    } else {
        lf_debug("refusing a second replica (on %s, connection %d)", node,
                 conn->fd);
    }
    enq_conn_reply(srv, conn,
                   "ERR BUSY a replica on %s is attached and healthy; only "
                   "one replica at a time",
                   srv->replica_node);
    conn->closing = true;
}

void
enq_repl_attach(struct enq_server *srv, struct enq_conn *conn, const char *node)
{
    struct snapshot_ctx ctx = {&conn->out, 0};

    if (srv->replica != NULL && srv->replica != conn) {
        if (replica_healthy(srv, lf_now_ms())) {
            refuse_second(srv, conn, node);
            return;
        }
        enq_repl_lost(srv, "a new replica connected", false);
    }
    conn->out.max = ENQ_REPLICA_OUT_MAX;
    conn->role = ENQ_CONN_REPLICA;
    srv->replica = conn;
    snprintf(srv->replica_node, sizeof(srv->replica_node), "%s", node);
    srv->refusal_logged = false;
    srv->replica_state = ENQ_REPLICA_SYNCING;
    srv->replica_local = strcmp(node, srv->node) == 0;
    srv->sync_seq = srv->seq;
    srv->acked_seq = 0;
    srv->replica_heard_ms = lf_now_ms();

    ctx.rc = lf_buf_printf(&conn->out, "SNAPSHOT %llu %zu %llu\n",
                           (unsigned long long)srv->generation,
                           lf_table_count(srv->table),
                           (unsigned long long)copy_valid_ms(srv));
    lf_table_foreach(srv->table, snapshot_one, &ctx);
    if (ctx.rc == 0) {
        ctx.rc = lf_buf_printf(&conn->out, "SYNC %llu\n",
                               (unsigned long long)srv->sync_seq);
    }
    if (ctx.rc != 0) {
        enq_repl_lost(srv, "the snapshot does not fit its output buffer",
                      false);
        return;
    }
    lf_notice("replica on %s attached on connection %d%s; sending a "
              "snapshot of %zu locks",
              node, conn->fd,
              srv->replica_local ? " (on this node: it does not count as a "
                                   "second copy)"
                                 : "",
              lf_table_count(srv->table));
    srv->replica_sent_ms = lf_now_ms();
    enq_conn_want_write(srv, conn);
}

void
enq_repl_line(struct enq_server *srv, const struct enq_conn *conn,
              const struct lf_msg *msg)
{
    if (conn != srv->replica) {
        return;
    }
    srv->replica_heard_ms = lf_now_ms();
    switch (msg->type) {
    case LF_MSG_HEARTBEAT:
        return; /* it is alive while it takes in a large snapshot */
    case LF_MSG_BYE:
        enq_repl_lost(srv, "it stopped", true);
        return;
    case LF_MSG_ACK:
        break;
    default:
        enq_repl_lost(srv, "it sent something other than ACK", false);
        return;
    }
    if (msg->num > srv->seq || msg->num < srv->acked_seq) {
        enq_repl_lost(srv, "it acknowledged a change never sent", false);
        return;
    }
    srv->acked_seq = msg->num;
    if (srv->replica_state == ENQ_REPLICA_SYNCING
        && msg->num >= srv->sync_seq) {
        srv->replica_state = ENQ_REPLICA_IN_SYNC;
        lf_notice("replica in sync at change %llu (generation %llu)",
                  (unsigned long long)msg->num,
                  (unsigned long long)srv->generation);
        /* A replica on this node is no second copy, but the cluster put
         * it here (one node left with survivor=none, or the moment
         * before it moves on): nothing better will come to end the hold. */
        end_hold(srv, !srv->replica_local,
                 srv->replica_local ? "the only replica runs on this node"
                                    : "a replica is in sync");
    }
    if (counts_as_in_sync(srv)) {
        release_parked(srv, msg->num, false, true);
    }
}

bool
enq_repl_change(struct enq_server *srv, struct enq_conn *client,
                const char *change, const char *reply)
{
    bool replicated = counts_as_in_sync(srv);

    srv->seq++;
    if (srv->replica != NULL
        && lf_buf_printf(&srv->replica->out, "C %llu %s\n",
                         (unsigned long long)srv->seq, change)
               != 0) {
        enq_repl_lost(srv, "its output buffer is full", false);
        replicated = false;
    }
    if (srv->replica != NULL) {
        srv->replica_sent_ms = lf_now_ms();
        enq_conn_want_write(srv, srv->replica);
    }
    if (!replicated || client == NULL) {
        /* A hold begun just now (the buffer was full) parks it too. */
        if (client != NULL && hold_active(srv)) {
            park(srv, client, srv->seq, reply);
            return true;
        }
        srv->stats.unreplicated++;
        return false;
    }
    park(srv, client, srv->seq, reply);
    return true;
}

bool
enq_repl_park_current(struct enq_server *srv, struct enq_conn *client,
                      const char *reply)
{
    if (!counts_as_in_sync(srv) || srv->acked_seq >= srv->seq) {
        return false;
    }
    park(srv, client, srv->seq, reply);
    return true;
}

void
enq_repl_tick(struct enq_server *srv, long long now)
{
    if (hold_active(srv) && now >= srv->hold_until_ms) {
        end_hold(srv, false, "the hold time passed");
    }
    if (srv->replica == NULL) {
        return;
    }
    if (now - srv->replica_heard_ms > srv->cfg.replica_timeout_ms) {
        enq_repl_lost(srv, "it has been silent too long", false);
        return;
    }
    if (now - srv->replica_sent_ms >= HEARTBEAT_MS) {
        send_heartbeat(srv);
    }
}

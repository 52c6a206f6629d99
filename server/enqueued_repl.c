/*
 * The replica: a full snapshot when it attaches, then every change as
 * "C <seq> ..."; it acknowledges with "ACK <seq>" once the change is in
 * its segment. While it is in sync a client's reply to a change waits for
 * that acknowledgement, so an acknowledged lock is always on two nodes.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "enqueued.h"
#include "lf_log.h"
#include "lf_proc.h"

#define HEARTBEAT_MS 1000

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

static void
send_heartbeat(struct enq_server *srv)
{
    static const char hb[] = "HB\n";

    if (srv->replica == NULL) {
        return;
    }
    if (lf_buf_append(&srv->replica->out, hb, sizeof(hb) - 1) != 0) {
        enq_repl_lost(srv, "its output buffer is full");
        return;
    }
    srv->replica_sent_ms = lf_now_ms();
    enq_conn_want_write(srv, srv->replica);
}

/* Hand every parked reply up to seq to its client and let the client's
 * next requests run. */
static void
release_parked(struct enq_server *srv, uint64_t seq, bool all)
{
    while (srv->wait_head != NULL && (all || srv->wait_head->wait_seq <= seq)) {
        struct enq_conn *conn = srv->wait_head;

        srv->wait_head = conn->next_waiting;
        if (srv->wait_head == NULL) {
            srv->wait_tail = NULL;
        }
        conn->next_waiting = NULL;
        conn->wait_seq = 0;
        enq_reply(srv, conn, "%s", conn->parked);
        enq_conn_process(srv, conn);
    }
}

void
enq_repl_forget_conn(struct enq_server *srv, struct enq_conn *conn)
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
enq_repl_lost(struct enq_server *srv, const char *why)
{
    struct enq_conn *replica = srv->replica;

    if (replica == NULL) {
        return;
    }
    lf_warn("replica lost (%s) in state %s; serving without replication", why,
            enq_repl_state_str(srv->replica_state));
    srv->replica = NULL;
    srv->replica_state = ENQ_REPLICA_NONE;
    replica->is_replica = false;
    enq_conn_close(srv, replica);
    /* Nobody will acknowledge them now: answer as unreplicated. */
    release_parked(srv, 0, true);
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

void
enq_repl_attach(struct enq_server *srv, struct enq_conn *conn)
{
    struct snapshot_ctx ctx = {&conn->out, 0};

    if (srv->replica != NULL) {
        enq_repl_lost(srv, "a new replica connected");
    }
    /* A replica may keep much more output queued than a client. */
    conn->out.max = ENQ_REPLICA_OUT_MAX;
    conn->is_replica = true;
    srv->replica = conn;
    srv->replica_state = ENQ_REPLICA_SYNCING;
    srv->sync_seq = srv->seq;
    srv->acked_seq = 0;
    srv->replica_heard_ms = lf_now_ms();

    ctx.rc = lf_buf_printf(&conn->out, "SNAPSHOT %llu %zu\n",
                           (unsigned long long)srv->generation,
                           lf_table_count(srv->table));
    lf_table_foreach(srv->table, snapshot_one, &ctx);
    if (ctx.rc == 0) {
        ctx.rc = lf_buf_printf(&conn->out, "SYNC %llu\n",
                               (unsigned long long)srv->sync_seq);
    }
    if (ctx.rc != 0) {
        enq_repl_lost(srv, "the snapshot does not fit its output buffer");
        return;
    }
    lf_notice("replica attached on connection %d; sending a snapshot of %zu "
              "locks",
              conn->fd, lf_table_count(srv->table));
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
    if (msg->type != LF_MSG_ACK) {
        enq_repl_lost(srv, "it sent something other than ACK");
        return;
    }
    if (msg->num > srv->seq || msg->num < srv->acked_seq) {
        enq_repl_lost(srv, "it acknowledged a change never sent");
        return;
    }
    srv->acked_seq = msg->num;
    if (srv->replica_state == ENQ_REPLICA_SYNCING
        && msg->num >= srv->sync_seq) {
        srv->replica_state = ENQ_REPLICA_IN_SYNC;
        lf_notice("replica in sync at change %llu (generation %llu)",
                  (unsigned long long)msg->num,
                  (unsigned long long)srv->generation);
    }
    release_parked(srv, msg->num, false);
}

bool
enq_repl_change(struct enq_server *srv, struct enq_conn *client,
                const char *change, const char *reply)
{
    char seqbuf[24];

    srv->seq++;
    if (srv->replica == NULL) {
        srv->stats.unreplicated++;
        return false;
    }
    snprintf(seqbuf, sizeof(seqbuf), "%llu", (unsigned long long)srv->seq);
    if (lf_buf_printf(&srv->replica->out, "C %s %s\n", seqbuf, change) != 0) {
        enq_repl_lost(srv, "its output buffer is full");
        srv->stats.unreplicated++;
        return false;
    }
    srv->replica_sent_ms = lf_now_ms();
    enq_conn_want_write(srv, srv->replica);
    if (srv->replica_state != ENQ_REPLICA_IN_SYNC || client == NULL) {
        srv->stats.unreplicated++;
        return false;
    }
    client->wait_seq = srv->seq;
    snprintf(client->parked, sizeof(client->parked), "%s", reply);
    if (srv->wait_tail != NULL) {
        srv->wait_tail->next_waiting = client;
    } else {
        srv->wait_head = client;
    }
    srv->wait_tail = client;
    return true;
}

void
enq_repl_tick(struct enq_server *srv, long long now)
{
    if (srv->replica == NULL) {
        return;
    }
    if (now - srv->replica_heard_ms > srv->cfg.replica_timeout_ms) {
        enq_repl_lost(srv, "it has been silent too long");
        return;
    }
    if (now - srv->replica_sent_ms >= HEARTBEAT_MS) {
        send_heartbeat(srv);
    }
}

/*
 * Client requests: one line in, one reply (LIST: several lines) out.
 * A change (LOCK, UNLOCK, UNLOCKALL) is answered as the replication code
 * says: parked until the replica acknowledges it ("OK"), at once as
 * "UNREPLICATED OK", or refused untouched while changes are held back.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "enqueued.h"
#include "lf_log.h"
#include "lf_proc.h"

struct list_ctx {
    struct lf_buf *out;
    int rc;
};

static void
list_one(const char *key, const char *owner, enum lf_lock_mode mode,
         uint32_t tag, void *arg)
{
    struct list_ctx *ctx = arg;

    (void)tag;
    if (ctx->rc == 0) {
        ctx->rc = lf_buf_printf(ctx->out, "%s %s %c\n", key, owner, (char)mode);
    }
}

static void
do_list(struct enq_server *srv, struct enq_conn *conn)
{
    struct list_ctx ctx = {&conn->out, 0};

    /* Each reply may hold the whole table's text until its reader takes
     * it: a few at once, not one per connection. */
    if (srv->lists >= ENQ_LISTS_MAX) {
        enq_conn_reply(srv, conn,
                       "ERR BUSY %d LIST replies are being written; try "
                       "again",
                       srv->lists);
        return;
    }
    conn->listing = true;
    srv->lists++;
    enq_conn_reply(srv, conn, "OK %zu", lf_table_count(srv->table));
    lf_table_foreach(srv->table, list_one, &ctx);
    if (ctx.rc != 0) {
        lf_warn("LIST reply does not fit the output buffer; closing the "
                "connection");
        conn->closing = true;
    }
    enq_conn_want_write(srv, conn);
}

static void
do_stats(struct enq_server *srv, struct enq_conn *conn)
{
    char too_small[LF_OWNER_MAX + 24] = "-";

    /* A replica refused for its capacity: where, and what it takes. */
    if (srv->refused_capacity != 0) {
        snprintf(too_small, sizeof(too_small), "%s:%llu", srv->refused_node,
                 (unsigned long long)srv->refused_capacity);
    }
    enq_conn_reply(
        srv, conn,
        "OK instance=%s locks=%zu clients=%d replica=%s generation=%llu"
        " seq=%llu acked=%llu adopted=%llu ops=%llu unreplicated=%llu"
        " uptime=%lld origin=%s hold=%lld heldback=%llu phase=%s"
        " maxconns=%d refused=%llu timeouts=%llu pauses=%llu"
        " too_small=%s",
        srv->cfg.instance, lf_table_count(srv->table),
        srv->conns.count - (srv->replica != NULL ? 1 : 0),
        srv->replica_local && srv->replica_state == ENQ_REPLICA_IN_SYNC
            ? "local"
            : enq_repl_state_str(srv->replica_state),
        (unsigned long long)srv->generation, (unsigned long long)srv->seq,
        (unsigned long long)srv->acked_seq,
        (unsigned long long)srv->stats.adopted,
        (unsigned long long)srv->stats.ops,
        (unsigned long long)srv->stats.unreplicated,
        (lf_now_ms() - srv->started_ms) / 1000, enq_origin_str(srv->origin),
        enq_repl_hold_left_s(srv), (unsigned long long)srv->stats.held_back,
        srv->phase == ENQ_PHASE_SERVING ? "serving" : "takeover",
        srv->max_conns, (unsigned long long)srv->stats.refused,
        (unsigned long long)srv->stats.timeouts,
        (unsigned long long)srv->stats.pauses, too_small);
}

/* The reply to a change that was not parked. */
static void
answer_change(struct enq_server *srv, struct enq_conn *conn, const char *reply)
{
    if (enq_repl_write_mode(srv) == ENQ_WRITE_REPLICATED) {
        enq_conn_reply(srv, conn, "%s", reply);
    } else {
        enq_conn_reply(srv, conn, "UNREPLICATED %s", reply);
    }
}

/* While changes are held back nothing is changed: the refusal is exact. */
static bool
refuse_held_back(struct enq_server *srv, struct enq_conn *conn)
{
    if (enq_repl_write_mode(srv) != ENQ_WRITE_HELD_BACK) {
        return false;
    }
    srv->stats.held_back++;
    enq_conn_reply(srv, conn,
                   "ERR NOREPLICA no replica in sync; changes are held back "
                   "for up to %lld s more (nothing was changed)",
                   enq_repl_hold_left_s(srv));
    return true;
}

static void
do_lock(struct enq_server *srv, struct enq_conn *conn, const struct lf_msg *msg)
{
    enum lf_table_outcome outcome = LF_TABLE_GRANTED;
    const char *holder = NULL;
    char change[LF_LINE_MAX + 1];

    if (refuse_held_back(srv, conn)) {
        return;
    }
    if (lf_table_lock(srv->table, msg->key, msg->owner, msg->mode, 0, &outcome,
                      &holder)
        != 0) {
        enq_conn_reply(srv, conn, "ERR NOMEM out of memory");
        return;
    }
    switch (outcome) {
    case LF_TABLE_GRANTED:
        snprintf(change, sizeof(change), "L %c %s %s", (char)msg->mode,
                 msg->key, msg->owner);
        if (!enq_repl_change(srv, conn, change, "OK")) {
            answer_change(srv, conn, "OK");
        }
        break;
    case LF_TABLE_HELD:
        /* The grant it repeats may still be on its way to the replica. */
        if (!enq_repl_park_current(srv, conn, "OK already held")) {
            answer_change(srv, conn, "OK already held");
        }
        break;
    case LF_TABLE_CONFLICT:
        enq_conn_reply(srv, conn, "ERR LOCKED %s", holder);
        break;
    case LF_TABLE_FULL:
        enq_conn_reply(srv, conn, "ERR FULL the lock table holds %llu locks",
                       (unsigned long long)srv->cfg.capacity);
        break;
    case LF_TABLE_NOT_HELD:
    case LF_TABLE_RELEASED:
        break; /* outcomes of an unlock */
    }
}

static void
do_unlock(struct enq_server *srv, struct enq_conn *conn,
          const struct lf_msg *msg)
{
    char change[LF_LINE_MAX + 1];

    if (refuse_held_back(srv, conn)) {
        return;
    }
    if (lf_table_unlock(srv->table, msg->key, msg->owner, NULL)
        != LF_TABLE_RELEASED) {
        enq_conn_reply(srv, conn, "ERR NOTHELD %s does not hold %s", msg->owner,
                       msg->key);
        return;
    }
    snprintf(change, sizeof(change), "U %s %s", msg->key, msg->owner);
    if (!enq_repl_change(srv, conn, change, "OK")) {
        answer_change(srv, conn, "OK");
    }
}

static void
do_unlockall(struct enq_server *srv, struct enq_conn *conn,
             const struct lf_msg *msg)
{
    char change[LF_LINE_MAX + 1];
    char reply[32];
    size_t n;

    if (refuse_held_back(srv, conn)) {
        return;
    }
    n = lf_table_unlock_owner(srv->table, msg->owner, NULL, NULL);
    snprintf(reply, sizeof(reply), "OK %zu", n);
    if (n == 0) {
        enq_conn_reply(srv, conn, "%s", reply);
        return;
    }
    snprintf(change, sizeof(change), "A %s", msg->owner);
    if (!enq_repl_change(srv, conn, change, reply)) {
        answer_change(srv, conn, reply);
    }
}

/* AUTH <role> <client nonce> <proof>: the proof of the role's key, then
 * ours, and from then on every line carries its MAC. */
static void
do_auth(struct enq_server *srv, struct enq_conn *conn, const struct lf_msg *msg)
{
    enum lf_auth_role role = LF_AUTH_CLIENT;
    uint8_t key[LF_SHA256_LEN];
    char proof[LF_AUTH_PROOF_HEX + 1];

    if (srv->secret.len == 0) {
        enq_conn_reply(srv, conn, "ERR AUTH this server has no shared secret");
        return;
    }
    if (conn->session.on) {
        enq_conn_reply(srv, conn, "ERR AUTH already authenticated");
        return;
    }
    if (!lf_auth_role_parse(msg->arg, &role)
        || strlen(msg->nonce) != LF_AUTH_NONCE_HEX
        || lf_auth_role_key(&srv->secret, role, key) != 0) {
        enq_conn_reply(srv, conn, "ERR AUTH unknown role or bad nonce");
        conn->closing = true;
        return;
    }
    lf_auth_proof(key, false, role, conn->nonce, msg->nonce, proof);
    if (!lf_auth_equal(proof, msg->proof)) {
        lf_warn("authentication as %s failed on connection %d; closing it",
                lf_auth_role_str(role), conn->fd);
        enq_conn_reply(srv, conn, "ERR AUTH bad response");
        conn->closing = true;
        return;
    }
    conn->authed = true;
    conn->auth_role = role;
    lf_auth_proof(key, true, role, conn->nonce, msg->nonce, proof);
    enq_conn_reply(srv, conn, "OK %s", proof);
    enq_conn_begin_session(srv, conn, key, role, msg->nonce);
}

static void
do_replica(struct enq_server *srv, struct enq_conn *conn,
           const struct lf_msg *msg)
{
    /* With a secret, only the replication role's key makes a replica: a
     * client could otherwise acknowledge changes no replica holds. */
    if (srv->secret.len > 0 && conn->auth_role != LF_AUTH_REPLICA) {
        lf_warn("connection %d authenticated as a client asked to be the "
                "replica (node %s); refused",
                conn->fd, msg->node);
        enq_conn_reply(srv, conn,
                       "ERR AUTH only the replication credential may act as "
                       "the replica");
        conn->closing = true;
        return;
    }
    if (strcmp(msg->arg, srv->cfg.instance) != 0) {
        enq_conn_reply(srv, conn, "ERR INSTANCE this is instance %s",
                       srv->cfg.instance);
        conn->closing = true;
        return;
    }
    conn->capacity = msg->capacity;
    if (srv->phase == ENQ_PHASE_TAKEOVER) {
        (void)enq_takeover_offer(srv, conn, msg);
        return;
    }
    enq_repl_attach(srv, conn, msg->node);
}

/* Before the table is taken over only these are served. */
static bool
served_in_takeover(enum lf_msg_type type)
{
    return type == LF_MSG_PING || type == LF_MSG_QUIT || type == LF_MSG_AUTH
           || type == LF_MSG_STATS || type == LF_MSG_REPLICA;
}

void
enq_request_line(struct enq_server *srv, struct enq_conn *conn,
                 const char *line, size_t len)
{
    struct lf_msg msg;
    enum lf_proto_err err = lf_proto_parse(line, len, &msg);

    if (err != LF_PROTO_OK) {
        srv->stats.protocol_errors++;
        enq_conn_reply(srv, conn, "ERR %s %s", lf_proto_err_code(err),
                       lf_proto_err_str(err));
        return;
    }
    if (!conn->authed && msg.type != LF_MSG_AUTH && msg.type != LF_MSG_QUIT
        && msg.type != LF_MSG_PING) {
        enq_conn_reply(srv, conn, "ERR AUTH authentication required");
        return;
    }
    if (srv->phase == ENQ_PHASE_TAKEOVER && !served_in_takeover(msg.type)) {
        enq_conn_reply(srv, conn,
                       "ERR STARTING the server is taking over the lock "
                       "table");
        return;
    }
    srv->stats.ops++;
    switch (msg.type) {
    case LF_MSG_LOCK:
        do_lock(srv, conn, &msg);
        break;
    case LF_MSG_UNLOCK:
        do_unlock(srv, conn, &msg);
        break;
    case LF_MSG_UNLOCKALL:
        do_unlockall(srv, conn, &msg);
        break;
    case LF_MSG_LIST:
        do_list(srv, conn);
        break;
    case LF_MSG_COUNT:
        enq_conn_reply(srv, conn, "OK %zu", lf_table_count(srv->table));
        break;
    case LF_MSG_STATS:
        do_stats(srv, conn);
        break;
    case LF_MSG_PING:
        enq_conn_reply(srv, conn, "OK PONG");
        break;
    case LF_MSG_AUTH:
        do_auth(srv, conn, &msg);
        break;
    case LF_MSG_QUIT:
        enq_conn_reply(srv, conn, "OK bye");
        conn->closing = true;
        break;
    case LF_MSG_REPLICA:
        do_replica(srv, conn, &msg);
        break;
    default:
        srv->stats.protocol_errors++;
        enq_conn_reply(srv, conn, "ERR UNKNOWN not a client request");
        break;
    }
}

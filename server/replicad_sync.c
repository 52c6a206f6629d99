/*
 * Following the enqueue server. Every batch of lines read from the stream
 * is applied under one segment lock and then acknowledged, so an ACK is
 * only ever sent for changes that are in shared memory.
 *
 * The copy stays adoptable through everything that does not make it
 * wrong: a snapshot is received into memory and replaces the copy only
 * once complete; a snapshot older than the copy is refused; the enqueue
 * server's DROP marks the copy stale; and once the enqueue server is lost
 * the copy counts as current only for as long as that server holds its
 * changes back (the valid time it sent), which an adopter checks against
 * the time the copy last heard from it.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lf_client.h"
#include "lf_log.h"
#include "lf_net.h"
#include "lf_proc.h"
#include "lf_rc.h"
#include "lf_server.h"
#include "replicad.h"

#define CONNECT_TIMEOUT_MS 2000
#define BACKOFF_MIN_MS 100
/* Short: after a failover the new enqueue server waits for us. */
#define BACKOFF_MAX_MS 500
#define HEARTBEAT_MS 1000
/* Refused as too small: nothing changes until the enqueue server
 * restarts, so ask seldom. */
#define REFUSED_BACKOFF_MS 5000
/* Until the enqueue server says, a lost copy stays valid this long. */
#define DEFAULT_VALID_MS 50000

static void
remove_slot(const char *key, const char *owner, enum lf_lock_mode mode,
            uint32_t tag, void *arg)
{
    (void)key;
    (void)owner;
    (void)mode;
    lf_seg_remove(arg, tag);
}

/* Record a hold in a table: true when it is a new one (not held already,
 * the table not full, memory for it). */
static bool
granted(struct lf_table *table, const char *key, const char *owner,
        enum lf_lock_mode mode, uint32_t tag)
{
    enum lf_table_outcome outcome = LF_TABLE_FULL;

    return lf_table_lock(table, key, owner, mode, tag, &outcome, NULL) == 0
           && outcome == LF_TABLE_GRANTED;
}

/* Apply one change; false when it does not fit what we hold (we then
 * diverged from the enqueue server and must resynchronise). */
static bool
apply_change(struct rep_server *rep, const struct lf_msg *msg)
{
    uint32_t slot = 0;

    switch (msg->op) {
    case LF_CHANGE_LOCK:
        if (lf_seg_insert(rep->seg, msg->key, msg->owner, msg->mode, &slot)
            != 0) {
            lf_err("the segment is full (%llu locks); start with a larger "
                   "-m",
                   (unsigned long long)rep->cfg.capacity);
            return false;
        }
        if (!granted(rep->index, msg->key, msg->owner, msg->mode, slot)) {
            lf_seg_remove(rep->seg, slot);
            return false;
        }
        return true;
    case LF_CHANGE_UNLOCK:
        if (lf_table_unlock(rep->index, msg->key, msg->owner, &slot)
            != LF_TABLE_RELEASED) {
            return false;
        }
        lf_seg_remove(rep->seg, slot);
        return true;
    case LF_CHANGE_UNLOCKALL:
        (void)lf_table_unlock_owner(rep->index, msg->owner, remove_slot,
                                    rep->seg);
        return true;
    }
    return false;
}

struct fill_ctx {
    struct rep_server *rep;
    int rc;
};

static void
fill_one(const char *key, const char *owner, enum lf_lock_mode mode,
         uint32_t tag, void *arg)
{
    struct fill_ctx *ctx = arg;
    uint32_t slot = 0;

    (void)tag;
    if (ctx->rc != 0) {
        return;
    }
    if (lf_seg_insert(ctx->rep->seg, key, owner, mode, &slot) != 0
        || !granted(ctx->rep->index, key, owner, mode, slot)) {
        ctx->rc = ENOSPC;
    }
}

/* The received snapshot becomes the copy, in one step under the lock. */
static int
install_snapshot(struct rep_server *rep, uint64_t seq)
{
    struct fill_ctx ctx = {rep, 0};

    lf_seg_set_state(rep->seg, LF_SEG_SYNCING);
    lf_seg_clear(rep->seg);
    lf_table_clear(rep->index);
    lf_table_foreach(rep->stage, fill_one, &ctx);
    lf_table_free(rep->stage);
    rep->stage = NULL;
    if (ctx.rc != 0) {
        lf_err("the snapshot does not fit the segment (%llu locks); start "
               "with a larger -m",
               (unsigned long long)rep->cfg.capacity);
        return LF_ERR_PROTO;
    }
    rep->generation = rep->stage_generation;
    rep->last_seq = seq;
    rep->synced = true;
    lf_seg_set_position(rep->seg, rep->generation, seq);
    lf_seg_set_state(rep->seg, LF_SEG_IN_SYNC);
    return 0;
}

static int
begin_snapshot(struct rep_server *rep, const struct lf_msg *msg)
{
    struct lf_seg_info info;

    lf_seg_info(rep->seg, &info);
    if (msg->num < info.generation) {
        lf_err("refusing a snapshot of generation %llu: our copy is of "
               "generation %llu (an enqueue server that is out of date)",
               (unsigned long long)msg->num,
               (unsigned long long)info.generation);
        return LF_ERR_PROTO;
    }
    if (msg->count > rep->cfg.capacity) {
        lf_err("the enqueue server holds %llu locks, more than this "
               "replica's capacity of %llu (-m)",
               (unsigned long long)msg->count,
               (unsigned long long)rep->cfg.capacity);
        return LF_ERR_PROTO;
    }
    lf_table_free(rep->stage);
    rep->stage = lf_table_new(0);
    if (rep->stage == NULL) {
        return ENOMEM;
    }
    if (rep->refused_need != 0) {
        lf_notice("the enqueue server accepts this replica now");
        rep->refused_need = 0;
        lf_seg_set_refused(rep->seg, 0);
    }
    rep->synced = false;
    rep->in_snapshot = true;
    rep->stage_generation = msg->num;
    rep->snap_expected = msg->count;
    rep->valid_ms = msg->valid_ms > 0 ? msg->valid_ms : DEFAULT_VALID_MS;
    lf_info("receiving a snapshot of %llu locks (generation %llu); the "
            "current copy stays until it is complete",
            (unsigned long long)msg->count, (unsigned long long)msg->num);
    return 0;
}

/* A refusal (wrong secret, a replica already attached, ...) comes back
 * at every retry: logged when it is new, at debug level while it lasts. */
static void
note_refusal(struct rep_server *rep, const char *why)
{
    if (strcmp(rep->last_refusal, why) == 0) {
        lf_debug("%s", why);
        return;
    }
    lf_err("%s", why);
    snprintf(rep->last_refusal, sizeof(rep->last_refusal), "%s", why);
}

/* The enqueue server refused us (an ERR line instead of the stream):
 * too small for its table, or older than the capacity field. */
static void
refused(struct rep_server *rep, const char *line, size_t len)
{
    unsigned long long need = 0;
    char text[LF_LINE_MAX + 1];

    snprintf(text, sizeof(text), "%.*s", (int)len, line);
    if (sscanf(text, "ERR CAPACITY this server may hold %llu", &need) == 1
        && need > 0) {
        if (need != rep->refused_need) {
            lf_err("the enqueue server refuses this replica: it may hold "
                   "%llu locks, this copy takes %llu (-m); restart the "
                   "replica with -m %llu or more (asking again every %d s)",
                   need, (unsigned long long)rep->cfg.capacity, need,
                   REFUSED_BACKOFF_MS / 1000);
        }
        rep->refused_need = need;
        lf_seg_set_refused(rep->seg, need);
        return;
    }
    if (strncmp(text, "ERR SYNTAX", 10) == 0 && !rep->legacy_replica
        && !rep->synced && !rep->in_snapshot) {
        lf_notice("the enqueue server does not take a capacity in REPLICA "
                  "(an older version): asking again without it; it cannot "
                  "check that our %llu locks are enough",
                  (unsigned long long)rep->cfg.capacity);
        rep->legacy_replica = true;
        return;
    }
    {
        char why[LF_LINE_MAX + 64];

        snprintf(why, sizeof(why), "the enqueue server refused us: %s", text);
        note_refusal(rep, why);
    }
}

/* One line of the stream; sets *ack when an ACK is due. */
static int
apply_line(struct rep_server *rep, const char *line, size_t len, bool *ack)
{
    struct lf_msg msg;

    if (lf_proto_parse(line, len, &msg) != LF_PROTO_OK) {
        if (len >= 4 && strncmp(line, "ERR ", 4) == 0) {
            refused(rep, line, len);
        } else {
            lf_err("malformed line from the enqueue server");
        }
        return LF_ERR_PROTO;
    }
    switch (msg.type) {
    case LF_MSG_SNAPSHOT:
        return begin_snapshot(rep, &msg);
    case LF_MSG_SNAPENTRY:
        if (!rep->in_snapshot
            || !granted(rep->stage, msg.key, msg.owner, msg.mode, 0)) {
            lf_err("cannot store snapshot entry %zu",
                   rep->stage != NULL ? lf_table_count(rep->stage) : 0);
            return LF_ERR_PROTO;
        }
        return 0;
    case LF_MSG_SYNC:
        if (!rep->in_snapshot
            || lf_table_count(rep->stage) != rep->snap_expected) {
            lf_err("snapshot ended after %zu of %llu locks",
                   rep->stage != NULL ? lf_table_count(rep->stage) : 0,
                   (unsigned long long)rep->snap_expected);
            return LF_ERR_PROTO;
        }
        rep->in_snapshot = false;
        if (install_snapshot(rep, msg.num) != 0) {
            return LF_ERR_PROTO;
        }
        lf_notice("in sync with the enqueue server: %zu locks, "
                  "generation %llu, change %llu",
                  lf_table_count(rep->index),
                  (unsigned long long)rep->generation,
                  (unsigned long long)msg.num);
        *ack = true;
        return 0;
    case LF_MSG_CHANGE:
        if (!rep->synced || msg.num != rep->last_seq + 1) {
            lf_err("change %llu out of order (expected %llu)",
                   (unsigned long long)msg.num,
                   (unsigned long long)rep->last_seq + 1);
            return EILSEQ;
        }
        if (!apply_change(rep, &msg)) {
            lf_err("change %llu does not match our copy",
                   (unsigned long long)msg.num);
            return EILSEQ;
        }
        rep->last_seq = msg.num;
        lf_seg_set_position(rep->seg, rep->generation, msg.num);
        *ack = true;
        return 0;
    case LF_MSG_HEARTBEAT:
        *ack = rep->synced;
        return 0;
    case LF_MSG_UPLOAD:
        rep->upload_requested = true;
        return 0;
    case LF_MSG_DROP:
        lf_warn("the enqueue server no longer replicates to us: our copy is "
                "stale");
        lf_seg_set_state(rep->seg, LF_SEG_STALE);
        rep->synced = false;
        return LF_ERR_PROTO;
    default:
        lf_err("unexpected message from the enqueue server");
        return LF_ERR_PROTO;
    }
}

/* Apply every complete line in the buffer under one segment lock. */
static int
apply_batch(struct rep_server *rep, struct lf_client *client, bool *ack)
{
    const char *line = NULL;
    size_t len = 0;
    /* Whatever arrived (and passed its check), the enqueue server was
     * alive just now. */
    bool heard = !(rep->synced || rep->in_snapshot);
    int rc = lf_seg_begin(rep->seg);

    if (rc != 0) {
        lf_err("cannot lock the segment: %s", strerror(rc));
        return rc;
    }

    for (;;) {
        rc = lf_client_next_line(client, &line, &len);
        if (rc == 0 && line != NULL && !heard) {
            lf_seg_set_heard(rep->seg, lf_now_ms(), rep->valid_ms);
            heard = true;
        }
        if (rc == LF_ERR_AUTH) {
            lf_err("a line from the enqueue server failed its integrity "
                   "check (forged or altered on the way); reconnecting");
        } else if (rc == 0 && line == NULL) {
            break;
        } else if (rc == 0) {
            rc = apply_line(rep, line, len, ack);
        }
        if (rc == EILSEQ) {
            /* We diverged from the enqueue server: never adoptable. */
            lf_seg_set_state(rep->seg, LF_SEG_SYNCING);
        }
        if (rc != 0) {
            /* Otherwise the copy is as good as the last change applied
             * (later ones were never acknowledged), unless dropped. */
            rep->synced = false;
            rep->in_snapshot = false;
            break;
        }
    }
    if (rep->synced) {
        lf_seg_set_heard(rep->seg, lf_now_ms(), rep->valid_ms);
    }
    lf_seg_end(rep->seg);
    return rc;
}

static bool
check_signals(struct rep_server *rep)
{
    struct lf_server_signal got = lf_server_read_signals(rep->signal_fd);

    if (got.stop != 0) {
        lf_notice("received signal %u; stopping", got.stop);
        rep->stopping = true;
    }
    return rep->stopping;
}

void
rep_sync_describe(const struct lf_seg_info *info, bool ours, long long now_ms,
                  uint64_t *generation, uint64_t *seq, uint64_t *count)
{
    const char *why = "";

    *generation = *seq = *count = 0;
    if (!ours || lf_seg_current(info, 0, now_ms, &why) != LF_SEG_OK) {
        return;
    }
    *generation = info->generation;
    *seq = info->seq;
    *count = info->nlocks;
}

struct upload_ctx {
    struct lf_buf *out;
    int rc;
};

static void
upload_one(const char *key, const char *owner, enum lf_lock_mode mode,
           uint32_t tag, void *arg)
{
    struct upload_ctx *ctx = arg;

    (void)tag;
    if (ctx->rc == 0) {
        ctx->rc =
            lf_buf_printf(ctx->out, "S %c %s %s\n", (char)mode, key, owner);
    }
}

/* A takeover: hand our copy to the enqueue server, as it streams to us,
 * in one buffer (one write per socket buffer, not per lock). */
static int
upload(struct rep_server *rep, struct lf_client *client)
{
    struct lf_buf out;
    struct upload_ctx ctx = {&out, 0};
    struct lf_seg_info info;
    size_t n;

    if (lf_seg_begin(rep->seg) != 0) {
        return EIO;
    }
    lf_buf_init(&out, (size_t)-1);
    lf_seg_info(rep->seg, &info);
    n = lf_table_count(rep->index);
    ctx.rc = lf_buf_printf(&out, "SNAPSHOT %llu %zu\n",
                           (unsigned long long)info.generation, n);
    lf_table_foreach(rep->index, upload_one, &ctx);
    if (ctx.rc == 0) {
        ctx.rc =
            lf_buf_printf(&out, "SYNC %llu\n", (unsigned long long)info.seq);
    }
    lf_seg_end(rep->seg);
    if (ctx.rc == 0) {
        ctx.rc = lf_client_send_buf(client, &out);
    }
    lf_buf_free(&out);
    if (ctx.rc == 0) {
        lf_notice("handed our copy of %zu locks (generation %llu) to the "
                  "new enqueue server",
                  n, (unsigned long long)info.generation);
    }
    return ctx.rc;
}

static int
send_replica_line(struct rep_server *rep, struct lf_client *client)
{
    struct lf_seg_info info;
    char request[LF_LINE_MAX + 1];
    uint64_t generation = 0;
    uint64_t seq = 0;
    uint64_t count = 0;

    if (lf_seg_begin(rep->seg) == 0) {
        lf_seg_info(rep->seg, &info);
        lf_seg_end(rep->seg);
        rep_sync_describe(&info, true, lf_now_ms(), &generation, &seq, &count);
    }
    /* Our capacity last: an enqueue server too large for it refuses us. */
    snprintf(request, sizeof(request), "REPLICA %s %s %llu %llu %llu",
             rep->cfg.instance, rep->node, (unsigned long long)generation,
             (unsigned long long)seq, (unsigned long long)count);
    if (!rep->legacy_replica) {
        size_t used = strlen(request);

        snprintf(request + used, sizeof(request) - used, " %llu",
                 (unsigned long long)rep->cfg.capacity);
    }
    return lf_client_send(client, request);
}

/* While a large snapshot comes in, tell the enqueue server we live. */
static int
heartbeat_up(struct rep_server *rep, struct lf_client *client)
{
    long long now = lf_now_ms();

    if (!rep->in_snapshot || now - rep->hb_sent_ms < HEARTBEAT_MS) {
        return 0;
    }
    rep->hb_sent_ms = now;
    return lf_client_send(client, "HB");
}

/* One connection, from greeting to its end. */
static void
follow_once(struct rep_server *rep, bool *was_synced)
{
    struct lf_client client;
    const char *why = "";
    char request[LF_LINE_MAX + 1];
    int rc = lf_client_open_as(&client, rep->cfg.enqueue_address, rep->cfg.port,
                               CONNECT_TIMEOUT_MS, &rep->secret,
                               LF_AUTH_REPLICA, &why);

    *was_synced = false;
    if (rc != 0) {
        lf_debug("%s %s port %u: %s", why, rep->cfg.enqueue_address,
                 rep->cfg.port, lf_rc_str(rc));
        if (rc == EACCES) {
            note_refusal(rep, why);
        }
        return;
    }
    if (send_replica_line(rep, &client) != 0) {
        lf_client_close(&client);
        return;
    }
    lf_info("connected to the enqueue server at %s port %u",
            rep->cfg.enqueue_address, rep->cfg.port);

    while (!rep->stopping) {
        struct pollfd pfd[2] = {
            {.fd = client.fd, .events = POLLIN},
            {.fd = rep->signal_fd, .events = POLLIN},
        };
        bool ack = false;
        size_t n = 0;
        int ready = poll(pfd, 2, rep->cfg.timeout_ms);

        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready == 0) {
            lf_warn("the enqueue server has been silent for %d ms",
                    rep->cfg.timeout_ms);
            break;
        }
        if ((pfd[1].revents & POLLIN) != 0 && check_signals(rep)) {
            (void)lf_client_send(&client, "BYE");
            break;
        }
        if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
            continue;
        }
        rc = lf_buf_read_fd(&client.in, client.fd, &n);
        if (rc == EAGAIN || rc == EINTR) {
            continue;
        }
        if (rc != 0 || n == 0) {
            lf_warn("connection to the enqueue server ended: %s",
                    rc == 0 ? "closed" : strerror(rc));
            break;
        }
        if (apply_batch(rep, &client, &ack) != 0) {
            break;
        }
        if (rep->upload_requested) {
            rep->upload_requested = false;
            if (upload(rep, &client) != 0) {
                lf_warn("could not hand our copy to the enqueue server");
                break;
            }
        }
        if (rep->synced) {
            *was_synced = true;
            rep->last_refusal[0] = '\0';
        }
        if (heartbeat_up(rep, &client) != 0) {
            break;
        }
        if (ack) {
            snprintf(request, sizeof(request), "ACK %llu",
                     (unsigned long long)rep->last_seq);
            if (lf_client_send(&client, request) != 0) {
                lf_warn("cannot acknowledge to the enqueue server");
                break;
            }
        }
    }
    lf_client_close(&client);
}

/* The stream ended: a copy that was in sync stays a valid copy of what
 * the enqueue server had acknowledged (for as long as it stays valid),
 * marked as such; a snapshot not yet complete is dropped. */
static void
mark_disconnected(struct rep_server *rep)
{
    lf_table_free(rep->stage);
    rep->stage = NULL;
    if (lf_seg_begin(rep->seg) != 0) {
        return;
    }
    if (lf_seg_state(rep->seg) == LF_SEG_IN_SYNC) {
        lf_seg_set_state(rep->seg, LF_SEG_DISCONNECTED);
        lf_notice("copy of %zu locks kept (change %llu), marked "
                  "disconnected",
                  lf_table_count(rep->index),
                  (unsigned long long)rep->last_seq);
    }
    rep->synced = false;
    rep->in_snapshot = false;
    lf_seg_end(rep->seg);
}

void
rep_sync_stop(struct rep_server *rep)
{
    enum lf_seg_state state;

    if (rep->seg == NULL || lf_seg_begin(rep->seg) != 0) {
        return;
    }
    state = lf_seg_state(rep->seg);
    if (state == LF_SEG_IN_SYNC || state == LF_SEG_DISCONNECTED) {
        lf_seg_set_state(rep->seg, LF_SEG_STOPPED);
    }
    lf_seg_end(rep->seg);
}

int
rep_sync_run(struct rep_server *rep)
{
    int backoff = BACKOFF_MIN_MS;

    rep->valid_ms = DEFAULT_VALID_MS;
    while (!rep->stopping) {
        struct pollfd pfd = {.fd = rep->signal_fd, .events = POLLIN};
        bool was_synced = false;

        follow_once(rep, &was_synced);
        mark_disconnected(rep);
        if (rep->stopping) {
            break;
        }
        backoff = was_synced ? BACKOFF_MIN_MS
                             : (backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
                                                             : backoff * 2);
        if (rep->refused_need != 0) {
            backoff = REFUSED_BACKOFF_MS;
        }
        /* Wait before reconnecting, but wake at once for a signal. */
        if (poll(&pfd, 1, backoff) > 0) {
            (void)check_signals(rep);
        }
    }
    lf_table_free(rep->stage);
    rep->stage = NULL;
    return 0;
}

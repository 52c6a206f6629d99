/*
 * Following the enqueue server. Every batch of lines read from the stream
 * is applied under one segment lock and then acknowledged, so an ACK is
 * only ever sent for changes that are in shared memory.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lf_client.h"
#include "lf_log.h"
#include "lf_proc.h"
#include "lf_rc.h"
#include "replicad.h"

#define CONNECT_TIMEOUT_MS 2000
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 2000

static void
remove_slot(const char *key, const char *owner, enum lf_lock_mode mode,
            uint32_t tag, void *arg)
{
    (void)key;
    (void)owner;
    (void)mode;
    lf_seg_remove(arg, tag);
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
        if (lf_table_lock(rep->index, msg->key, msg->owner, msg->mode, slot,
                          NULL)
            != LF_TABLE_GRANTED) {
            lf_seg_remove(rep->seg, slot);
            return false;
        }
        return true;
    case LF_CHANGE_UNLOCK:
        if (lf_table_unlock(rep->index, msg->key, msg->owner, &slot)
            != LF_TABLE_GRANTED) {
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

/* One line of the stream; sets *ack when an ACK is due. */
static int
apply_line(struct rep_server *rep, const char *line, size_t len, bool *ack)
{
    struct lf_msg msg;
    uint32_t slot = 0;

    if (lf_proto_parse(line, len, &msg) != LF_PROTO_OK) {
        if (len >= 4 && strncmp(line, "ERR ", 4) == 0) {
            lf_err("the enqueue server refused us: %.*s", (int)len, line);
        } else {
            lf_err("malformed line from the enqueue server");
        }
        return LF_ERR_PROTO;
    }
    switch (msg.type) {
    case LF_MSG_SNAPSHOT:
        lf_seg_set_state(rep->seg, LF_SEG_SYNCING);
        lf_seg_clear(rep->seg);
        lf_table_clear(rep->index);
        rep->synced = false;
        rep->in_snapshot = true;
        rep->generation = msg.num;
        rep->snap_expected = msg.count;
        rep->snap_received = 0;
        lf_info("receiving a snapshot of %llu locks (generation %llu)",
                (unsigned long long)msg.count, (unsigned long long)msg.num);
        return 0;
    case LF_MSG_SNAPENTRY:
        if (!rep->in_snapshot
            || lf_seg_insert(rep->seg, msg.key, msg.owner, msg.mode, &slot) != 0
            || lf_table_lock(rep->index, msg.key, msg.owner, msg.mode, slot,
                             NULL)
                   != LF_TABLE_GRANTED) {
            lf_err("cannot store snapshot entry %llu",
                   (unsigned long long)rep->snap_received);
            return LF_ERR_PROTO;
        }
        rep->snap_received++;
        return 0;
    case LF_MSG_SYNC:
        if (!rep->in_snapshot || rep->snap_received != rep->snap_expected) {
            lf_err("snapshot ended after %llu of %llu locks",
                   (unsigned long long)rep->snap_received,
                   (unsigned long long)rep->snap_expected);
            return LF_ERR_PROTO;
        }
        rep->in_snapshot = false;
        rep->synced = true;
        rep->last_seq = msg.num;
        lf_seg_set_position(rep->seg, rep->generation, msg.num);
        lf_seg_set_state(rep->seg, LF_SEG_IN_SYNC);
        lf_notice("in sync with the enqueue server: %llu locks, "
                  "generation %llu, change %llu",
                  (unsigned long long)rep->snap_received,
                  (unsigned long long)rep->generation,
                  (unsigned long long)msg.num);
        *ack = true;
        return 0;
    case LF_MSG_CHANGE:
        if (!rep->synced || msg.num != rep->last_seq + 1) {
            lf_err("change %llu out of order (expected %llu)",
                   (unsigned long long)msg.num,
                   (unsigned long long)rep->last_seq + 1);
            return LF_ERR_PROTO;
        }
        if (!apply_change(rep, &msg)) {
            lf_err("change %llu does not match our copy",
                   (unsigned long long)msg.num);
            return LF_ERR_PROTO;
        }
        rep->last_seq = msg.num;
        lf_seg_set_position(rep->seg, rep->generation, msg.num);
        *ack = true;
        return 0;
    case LF_MSG_HEARTBEAT:
        *ack = true;
        return 0;
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
    enum lf_line_rc lrc;
    int rc = lf_seg_begin(rep->seg);

    if (rc != 0) {
        lf_err("cannot lock the segment: %s", strerror(rc));
        return rc;
    }
    while ((lrc = lf_buf_next_line(&client->in, LF_LINE_MAX, &line, &len))
           != LF_LINE_NONE) {
        if (lrc == LF_LINE_OVERSIZED) {
            rc = LF_ERR_PROTO;
        } else {
            rc = apply_line(rep, line, len, ack);
        }
        if (rc != 0) {
            /* Whatever we hold now may be incomplete: never adoptable. */
            lf_seg_set_state(rep->seg, LF_SEG_SYNCING);
            rep->synced = false;
            break;
        }
    }
    lf_seg_end(rep->seg);
    return rc;
}

static bool
check_signals(struct rep_server *rep)
{
    struct signalfd_siginfo si;

    while (read(rep->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
            lf_notice("received signal %u; stopping", si.ssi_signo);
            rep->stopping = true;
        }
    }
    return rep->stopping;
}

/* One connection, from greeting to its end. */
static void
follow_once(struct rep_server *rep, bool *was_synced)
{
    struct lf_client client;
    const char *why = "";
    char request[LF_LINE_MAX + 1];
    int rc = lf_client_open(&client, rep->cfg.enqueue_address, rep->cfg.port,
                            CONNECT_TIMEOUT_MS, &rep->secret, &why);

    *was_synced = false;
    if (rc != 0) {
        lf_debug("%s %s port %u: %s", why, rep->cfg.enqueue_address,
                 rep->cfg.port, lf_rc_str(rc));
        if (rc == EACCES) {
            lf_err("%s", why);
        }
        return;
    }
    snprintf(request, sizeof(request), "REPLICA %s", rep->cfg.instance);
    if (lf_client_send(&client, request) != 0) {
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
        long n;
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
            break;
        }
        if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
            continue;
        }
        n = lf_buf_read_fd(&client.in, client.fd);
        if (n == -EAGAIN || n == -EINTR) {
            continue;
        }
        if (n <= 0) {
            lf_warn("connection to the enqueue server ended: %s",
                    n == 0 ? "closed" : strerror((int)-n));
            break;
        }
        if (apply_batch(rep, &client, &ack) != 0) {
            break;
        }
        if (rep->synced) {
            *was_synced = true;
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
 * the enqueue server had acknowledged, marked as such. */
static void
mark_disconnected(struct rep_server *rep)
{
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
        /* Wait before reconnecting, but wake at once for a signal. */
        if (poll(&pfd, 1, backoff) > 0) {
            (void)check_signals(rep);
        }
    }
    return 0;
}

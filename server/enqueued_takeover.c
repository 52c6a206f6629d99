/*
 * Where the table comes from at start. The fast path is the follow: this
 * node's replica segment, a current copy, loaded before anything else.
 * Otherwise, when the agent says an in-sync replica runs elsewhere, the
 * server listens without serving and waits (bounded) for that replica to
 * connect and offer its copy: a current one is uploaded ("UPLOAD", then
 * SNAPSHOT/S/SYNC as a replica receives them) and becomes the table. Only
 * when no current copy exists anywhere does the server start empty, and
 * it says so. A copy is marked adopted only just before the server
 * serves; the generation it serves is above every one this node recorded,
 * the copy's own and the newest the cluster has served.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enqueued.h"
#include "lf_file.h"
#include "lf_log.h"
#include "lf_parse.h"
#include "lf_proc.h"
#include "lf_segment.h"

/* The local copy that was loaded, to be marked adopted at the end. */
static struct lf_seg_info local_copy;

const char *
enq_origin_str(enum enq_origin origin)
{
    switch (origin) {
    case ENQ_ORIGIN_LOCAL:
        return "local";
    case ENQ_ORIGIN_NETWORK:
        return "network";
    default:
        return "empty";
    }
}

static void
generation_path(const struct enq_server *srv, char *out, size_t size)
{
    snprintf(out, size, "%s/%s.generation", srv->cfg.statedir,
             srv->cfg.instance);
}

/* The highest generation served on this node; 0 when none is recorded. */
static uint64_t
read_generation(const char *path)
{
    char buf[32];
    long long value = 0;
    int rc = lf_file_read_small(path, buf, sizeof(buf));

    if (rc == ENOENT) {
        return 0;
    }
    if (rc != 0 || lf_parse_long(buf, 0, LLONG_MAX, &value) != 0) {
        lf_warn("ignoring unreadable generation record %s", path);
        return 0;
    }
    return (uint64_t)value;
}

static int
write_generation(const char *path, uint64_t generation)
{
    char buf[32];
    int len =
        snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)generation);

    return lf_file_write_atomic(path, buf, (size_t)len, 0644);
}

void
enq_takeover_local(struct enq_server *srv)
{
    const char *why = "";
    enum lf_seg_verdict verdict =
        lf_seg_adopt(srv->cfg.instance, srv->cfg.min_generation, srv->table,
                     &local_copy, &why);

    if (verdict == LF_SEG_OK) {
        srv->origin = ENQ_ORIGIN_LOCAL;
        srv->stats.adopted = lf_table_count(srv->table);
        lf_notice("taking over %llu locks from this node's replica segment "
                  "(generation %llu, change %llu, replica state %s)",
                  (unsigned long long)srv->stats.adopted,
                  (unsigned long long)local_copy.generation,
                  (unsigned long long)local_copy.seq,
                  lf_seg_state_str(local_copy.state));
        return;
    }
    if (verdict == LF_SEG_ABSENT) {
        lf_info("no replica segment on this node");
    } else {
        lf_warn("not taking over this node's replica segment: %s (%s)",
                lf_seg_verdict_str(verdict), why);
    }
}

static void
fail_takeover(struct enq_server *srv, const char *why)
{
    if (!srv->takeover_failed) {
        srv->takeover_failed = true;
        snprintf(srv->takeover_why, sizeof(srv->takeover_why), "%s", why);
    }
}

bool
enq_takeover_offer(struct enq_server *srv, struct enq_conn *conn,
                   const struct lf_msg *msg)
{
    if (srv->uploader != NULL && srv->uploader != conn) {
        enq_conn_reply(srv, conn, "ERR BUSY another replica is uploading");
        conn->closing = true;
        return false;
    }
    srv->uploader = conn;
    conn->role = ENQ_CONN_REPLICA;
    snprintf(srv->uploader_node, sizeof(srv->uploader_node), "%s", msg->node);
    if (msg->num == 0) {
        lf_notice("the replica on %s holds no current copy: there is no "
                  "in-sync copy anywhere; starting with an empty lock table",
                  msg->node);
        srv->upload_done = true;
        return false;
    }
    if (msg->num < srv->cfg.min_generation) {
        lf_warn("the replica on %s holds a copy of generation %llu, older "
                "than generation %llu the cluster has served; starting with "
                "an empty lock table",
                msg->node, (unsigned long long)msg->num,
                (unsigned long long)srv->cfg.min_generation);
        srv->upload_done = true;
        return false;
    }
    conn->in.max = ENQ_REPLICA_IN_MAX;
    srv->upload_generation = msg->num;
    lf_notice("taking over the copy of the replica on %s over the network: "
              "%llu locks, generation %llu, change %llu",
              msg->node, (unsigned long long)msg->count,
              (unsigned long long)msg->num, (unsigned long long)msg->seq);
    enq_conn_reply(srv, conn, "UPLOAD");
    return true;
}

void
enq_takeover_line(struct enq_server *srv, const struct enq_conn *conn,
                  const struct lf_msg *msg)
{
    enum lf_table_outcome outcome = LF_TABLE_GRANTED;

    if (conn != srv->uploader || srv->upload_done) {
        return;
    }
    switch (msg->type) {
    case LF_MSG_HEARTBEAT:
        return;
    case LF_MSG_SNAPSHOT:
        if (msg->num != srv->upload_generation) {
            fail_takeover(srv, "the replica uploaded another generation than "
                               "it offered");
            return;
        }
        lf_table_clear(srv->table);
        srv->upload_expected = msg->count;
        return;
    case LF_MSG_SNAPENTRY:
        if (lf_table_lock(srv->table, msg->key, msg->owner, msg->mode, 0,
                          &outcome, NULL)
            != 0) {
            fail_takeover(srv, "no memory for the replica's copy");
        } else if (outcome != LF_TABLE_GRANTED) {
            fail_takeover(srv, outcome == LF_TABLE_FULL
                                   ? "the replica's copy holds more locks "
                                     "than max_locks"
                                   : "the replica's copy holds a lock twice");
        }
        return;
    case LF_MSG_SYNC:
        if (lf_table_count(srv->table) != srv->upload_expected) {
            fail_takeover(srv, "the replica's upload ended early");
            return;
        }
        srv->upload_done = true;
        srv->origin = ENQ_ORIGIN_NETWORK;
        srv->stats.adopted = lf_table_count(srv->table);
        lf_notice("took over %llu locks from the replica on %s",
                  (unsigned long long)srv->stats.adopted, srv->uploader_node);
        return;
    default:
        fail_takeover(srv, "the replica sent something unexpected during its "
                           "upload");
        return;
    }
}

void
enq_takeover_conn_gone(struct enq_server *srv, const struct enq_conn *conn)
{
    if (conn != srv->uploader) {
        return;
    }
    srv->uploader = NULL;
    if (!srv->upload_done) {
        /* It may connect again and start over. */
        lf_warn("the replica on %s went away during its upload",
                srv->uploader_node);
        lf_table_clear(srv->table);
        srv->stats.adopted = 0;
    } else if (srv->origin == ENQ_ORIGIN_EMPTY) {
        srv->upload_done = true; /* nothing to attach */
    }
}

void
enq_takeover_tick(struct enq_server *srv, long long now)
{
    char why[160];

    if (srv->phase != ENQ_PHASE_TAKEOVER || srv->upload_done
        || now < srv->takeover_deadline_ms) {
        return;
    }
    snprintf(why, sizeof(why),
             "an in-sync replica runs elsewhere but did not hand over its "
             "copy within %d ms",
             srv->cfg.takeover_wait_ms);
    fail_takeover(srv, why);
}

int
enq_takeover_finish(struct enq_server *srv)
{
    char path[PATH_MAX];
    uint64_t local;
    uint64_t base;
    int rc;

    generation_path(srv, path, sizeof(path));
    local = read_generation(path);
    base = local > srv->cfg.min_generation ? local : srv->cfg.min_generation;
    if (srv->origin == ENQ_ORIGIN_LOCAL && local_copy.generation > base) {
        base = local_copy.generation;
    }
    if (srv->origin == ENQ_ORIGIN_NETWORK && srv->upload_generation > base) {
        base = srv->upload_generation;
    }
    srv->generation = base + 1;
    rc = write_generation(path, srv->generation);
    if (rc != 0) {
        lf_err("cannot record generation %llu in %s: %s",
               (unsigned long long)srv->generation, path, strerror(rc));
        return rc;
    }
    if (srv->origin == ENQ_ORIGIN_LOCAL) {
        enum lf_seg_verdict verdict =
            lf_seg_mark_adopted(srv->cfg.instance, &local_copy);

        if (verdict != LF_SEG_OK) {
            lf_err("cannot take over this node's replica segment: %s",
                   lf_seg_verdict_str(verdict));
            /* The start fails: with the error nearest the verdict. */
            return (verdict == LF_SEG_IO)        ? EIO
                   : (verdict == LF_SEG_FOREIGN) ? EPERM
                                                 : ESTALE;
        }
    }
    if (srv->origin == ENQ_ORIGIN_EMPTY) {
        lf_notice("no in-sync copy of the lock table anywhere: starting "
                  "empty");
    } else {
        /* No acknowledgement that is not on two nodes until a replica is
         * in sync with this generation. */
        enq_repl_hold(srv, "a copy was taken over");
    }
    srv->phase = ENQ_PHASE_SERVING;
    lf_info("serving generation %llu", (unsigned long long)srv->generation);
    return 0;
}

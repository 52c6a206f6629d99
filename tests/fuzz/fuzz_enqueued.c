/*
 * libFuzzer target: the enqueue server's state machine in one process.
 * The input is a script of steps: clients connect, send requests (locks,
 * LIST, STATS, AUTH with a right or wrong response, REPLICA with or
 * without a capacity), go away; a replica reads what the server sent it,
 * applies it to its own model copy and acknowledges, or sends bogus
 * acknowledgements, heartbeats, BYE; time passes; the cluster confirms
 * the replica gone. It may start in a network takeover, with the replica
 * uploading a copy. server/enqueued_request.c, enqueued_repl.c and
 * enqueued_takeover.c run as they are; the connection layer is the fake
 * one of tests/server/fake_conn.c (replies land in buffers), time is the
 * script's, and no file or segment is touched.
 *
 * After every step: the replica's model copy, once it has read all the
 * server sent it after a complete snapshot, equals the server's table;
 * the parked replies are exactly the connections waiting; the table stays
 * within its capacity. ASan/LSan find the rest.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enqueued.h"
#include "fake_conn.h"
#include "lf_auth.h"
#include "lf_file.h"
#include "lf_log.h"
#include "lf_segment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONNS 6
#define CAPACITY 12

static long long fuzz_now = 1000000;

/* --- what the server calls outside the three files ------------------- */

long long
lf_now_ms(void)
{
    return fuzz_now;
}

int
lf_file_read_small(const char *path, char *buf, size_t size)
{
    (void)path;
    (void)buf;
    (void)size;
    return ENOENT;
}

int
lf_file_open_owned(const char *path, int flags, mode_t mode, uid_t uid,
                   gid_t gid, uid_t also, int *fd, const char **why)
{
    (void)path;
    (void)flags;
    (void)mode;
    (void)uid;
    (void)gid;
    (void)also;
    *fd = -1;
    *why = "no files while fuzzing";
    return EACCES;
}

int
lf_file_write_atomic(const char *path, const void *data, size_t len,
                     mode_t mode)
{
    (void)path;
    (void)data;
    (void)len;
    (void)mode;
    return 0;
}

enum lf_seg_verdict
lf_seg_adopt(const char *instance, uint64_t min_generation,
             struct lf_table *table, struct lf_seg_info *info, const char **why)
{
    (void)instance;
    (void)min_generation;
    (void)table;
    memset(info, 0, sizeof(*info));
    *why = "";
    return LF_SEG_ABSENT;
}

enum lf_seg_verdict
lf_seg_mark_adopted(const char *instance, const struct lf_seg_info *loaded)
{
    (void)instance;
    (void)loaded;
    return LF_SEG_OK;
}

const char *
lf_seg_verdict_str(enum lf_seg_verdict verdict)
{
    (void)verdict;
    return "verdict";
}

const char *
lf_seg_state_str(uint32_t state)
{
    (void)state;
    return "state";
}

/* --- the world ----------------------------------------------------------- */

struct world {
    struct enq_server srv;
    struct enq_conn *conns[CONNS];
    /* the replica's model copy, built from what the server sent it */
    struct lf_table *copy;
    struct enq_conn *copy_of; /* the connection it follows */
    bool synced;              /* it received a complete snapshot */
    bool in_snapshot;
    uint64_t last_seq;
    bool broken; /* it saw something it cannot apply: no more checks */
    int next_fd;
};

struct reader {
    const uint8_t *data;
    size_t size;
    size_t off;
};

static unsigned
next(struct reader *r)
{
    return (r->off < r->size) ? r->data[r->off++] : 0;
}

static bool
more(const struct reader *r)
{
    return r->off < r->size;
}

static void
quiet(int priority, const char *msg)
{
    (void)priority;
    (void)msg;
}

/* What the loop does with a line (enqueued_loop.c: serve()). */
static void
deliver(struct world *w, struct enq_conn *conn, const char *line)
{
    struct enq_server *srv = &w->srv;
    struct lf_msg msg;

    if (conn->dead || conn->closing || conn->wait_seq != 0) {
        return;
    }
    if (conn->role != ENQ_CONN_REPLICA) {
        enq_request_line(srv, conn, line, strlen(line));
        return;
    }
    if (lf_proto_parse(line, strlen(line), &msg) != LF_PROTO_OK) {
        if (conn == srv->uploader) {
            enq_conn_kill(srv, conn);
        } else {
            enq_repl_lost(srv, "it sent a malformed line", false);
        }
        return;
    }
    if (conn == srv->uploader && srv->phase == ENQ_PHASE_TAKEOVER) {
        enq_takeover_line(srv, conn, &msg);
    } else {
        enq_repl_line(srv, conn, &msg);
    }
}

/* Record msg's hold in the copy: true when it is a new one. */
static bool
granted(struct lf_table *copy, const struct lf_msg *msg)
{
    enum lf_table_outcome outcome;

    return lf_table_lock(copy, msg->key, msg->owner, msg->mode, 0, &outcome,
                         NULL)
               == 0
           && outcome == LF_TABLE_GRANTED;
}

static void
forget_copy(struct world *w)
{
    lf_table_clear(w->copy);
    w->copy_of = NULL;
    w->synced = w->in_snapshot = false;
    w->broken = false;
}

/* The replica reads every line the server sent it. */
static void
replica_reads(struct world *w, struct enq_conn *r)
{
    const char *line = NULL;
    size_t len = 0;

    if (r != w->copy_of) {
        forget_copy(w);
        w->copy_of = r;
    }
    while (lf_buf_next_line(&r->out, LF_LINE_MAX, &line, &len)
           == LF_LINE_READY) {
        struct lf_msg msg;

        if (lf_proto_parse(line, len, &msg) != LF_PROTO_OK) {
            continue; /* an ERR line, or the greeting */
        }
        switch (msg.type) {
        case LF_MSG_SNAPSHOT:
            lf_table_clear(w->copy);
            w->in_snapshot = true;
            w->synced = false;
            break;
        case LF_MSG_SNAPENTRY:
            if (w->in_snapshot && !granted(w->copy, &msg)) {
                w->broken = true;
            }
            break;
        case LF_MSG_SYNC:
            w->in_snapshot = false;
            w->synced = true;
            w->last_seq = msg.num;
            break;
        case LF_MSG_CHANGE:
            if (!w->synced || msg.num != w->last_seq + 1) {
                w->broken = true;
                break;
            }
            w->last_seq = msg.num;
            if (msg.op == LF_CHANGE_LOCK) {
                if (!granted(w->copy, &msg)) {
                    w->broken = true;
                }
            } else if (msg.op == LF_CHANGE_UNLOCK) {
                if (lf_table_unlock(w->copy, msg.key, msg.owner, NULL)
                    != LF_TABLE_RELEASED) {
                    w->broken = true;
                }
            } else {
                (void)lf_table_unlock_owner(w->copy, msg.owner, NULL, NULL);
            }
            break;
        default:
            break;
        }
    }
}

struct cmp_ctx {
    struct lf_table *other;
    bool differ;
};

static void
find_in_other(const char *key, const char *owner, enum lf_lock_mode mode,
              uint32_t tag, void *arg)
{
    struct cmp_ctx *ctx = arg;
    enum lf_table_outcome outcome;

    (void)tag;
    /* Taking it again must say it is held, in that mode. */
    if (lf_table_lock(ctx->other, key, owner, mode, 0, &outcome, NULL) != 0
        || outcome != LF_TABLE_HELD) {
        ctx->differ = true;
    }
}

static bool
tables_equal(struct lf_table *a, struct lf_table *b)
{
    struct cmp_ctx ctx = {b, false};

    if (lf_table_count(a) != lf_table_count(b)) {
        return false;
    }
    lf_table_foreach(a, find_in_other, &ctx);
    return !ctx.differ && lf_table_count(a) == lf_table_count(b);
}

static void
check(struct world *w)
{
    struct enq_server *srv = &w->srv;
    size_t parked = 0;
    size_t waiting = 0;

    if (lf_table_count(srv->table) > CAPACITY) {
        __builtin_trap();
    }
    for (const struct enq_conn *c = srv->wait_head; c != NULL;
         c = c->next_waiting) {
        if (c->wait_seq == 0 || c->wait_seq > srv->seq || ++parked > CONNS) {
            __builtin_trap();
        }
    }
    for (int i = 0; i < CONNS; i++) {
        if (w->conns[i] != NULL && w->conns[i]->wait_seq != 0) {
            waiting++;
        }
    }
    if (parked != waiting) {
        __builtin_trap();
    }
    /* A replica that has read everything after a complete snapshot holds
     * what the server holds. */
    if (srv->replica != NULL && srv->replica == w->copy_of && w->synced
        && !w->broken && srv->phase == ENQ_PHASE_SERVING
        && lf_buf_pending(&srv->replica->out) == 0 && w->last_seq == srv->seq
        && !tables_equal(srv->table, w->copy)) {
        __builtin_trap();
    }
}

/* Free the connections closed in this step, as the loop's turn does. */
static void
release(struct world *w)
{
    struct enq_server *srv = &w->srv;

    for (int i = 0; i < CONNS; i++) {
        struct enq_conn *c = w->conns[i];

        if (c == NULL) {
            continue;
        }
        if (c->closing && c->wait_seq == 0) {
            c->dead = true;
        }
        if (!c->dead) {
            continue;
        }
        enq_takeover_conn_gone(srv, c);
        enq_repl_conn_gone(srv, c);
        if (c->listing) {
            srv->lists--;
        }
        if (c == w->copy_of) {
            forget_copy(w);
        }
        fake_conn_free(c);
        srv->conns.count--;
        w->conns[i] = NULL;
    }
}

/* A client's output is read (and a LIST reply with it). */
static void
drain(struct world *w, struct enq_conn *c)
{
    const char *line = NULL;
    size_t len = 0;

    if (c == w->copy_of || c == w->srv.replica) {
        return;
    }
    while (lf_buf_next_line(&c->out, LF_LINE_MAX, &line, &len)
           == LF_LINE_READY) {
    }
    if (c->listing) {
        c->listing = false;
        w->srv.lists--;
    }
}

static const char *const keys[] = {"a", "b", "c", "k.1", "k-2", "zz"};
static const char *const owners[] = {"o1", "o2", "o3", "x"};

static void
request(struct world *w, struct enq_conn *c, struct reader *r)
{
    char line[LF_LINE_MAX + 1];
    char response[LF_AUTH_PROOF_HEX + 1];
    unsigned op = next(r) % 16;
    const char *key = keys[next(r) % 6];
    const char *owner = owners[next(r) % 4];
    const char *mode = (next(r) & 1) ? " S" : "";

    switch (op) {
    case 0:
    case 1:
    case 2:
        snprintf(line, sizeof(line), "LOCK %s %s%s", key, owner, mode);
        break;
    case 3:
    case 4:
        snprintf(line, sizeof(line), "UNLOCK %s %s", key, owner);
        break;
    case 5:
        snprintf(line, sizeof(line), "UNLOCKALL %s", owner);
        break;
    case 6:
        snprintf(line, sizeof(line), "LIST");
        break;
    case 7:
        snprintf(line, sizeof(line), "%s", (next(r) & 1) ? "STATS" : "COUNT");
        break;
    case 8: {
        /* The role's proof over both nonces, right or with one digit
         * wrong; with a master secret either role can be proved. */
        enum lf_auth_role role =
            (next(r) & 1) ? LF_AUTH_REPLICA : LF_AUTH_CLIENT;
        uint8_t rkey[LF_SHA256_LEN];
        const char *cnonce = "0123456789abcdef0123456789abcdef";

        if (lf_auth_role_key(&w->srv.secret, role, rkey) != 0) {
            memset(rkey, 0, sizeof(rkey));
        }
        lf_auth_proof(rkey, false, role, c->nonce, cnonce, response);
        if (next(r) & 1) {
            response[0] = (response[0] == '0') ? '1' : '0';
        }
        snprintf(line, sizeof(line), "AUTH %s %s %s", lf_auth_role_str(role),
                 cnonce, response);
        break;
    }
    case 9:
        snprintf(line, sizeof(line), "REPLICA %s node%u %u %u %u%s",
                 (next(r) & 7) == 0 ? "other" : "FZ", next(r) % 3, next(r) % 4,
                 next(r) % 8, next(r) % 8,
                 (next(r) & 1)   ? " 4"
                 : (next(r) & 1) ? " 100"
                                 : "");
        break;
    case 10:
        snprintf(line, sizeof(line), "%s", (next(r) & 1) ? "QUIT" : "PING");
        break;
    default: {
        /* Raw bytes from the input, up to a newline. */
        size_t n = 0;
        unsigned len = next(r) % 48;

        while (n < len && more(r)) {
            char ch = (char)next(r);

            if (ch == '\n' || ch == '\0') {
                break;
            }
            line[n++] = ch;
        }
        line[n] = '\0';
        break;
    }
    }
    deliver(w, c, line);
}

/* The replica acknowledges, or misbehaves. */
static void
replica_speaks(struct world *w, struct enq_conn *c, struct reader *r)
{
    char line[64];
    unsigned op = next(r) % 8;

    switch (op) {
    case 0:
    case 1:
    case 2:
    case 3:
        replica_reads(w, c);
        if (!w->synced) {
            return;
        }
        snprintf(line, sizeof(line), "ACK %llu",
                 (unsigned long long)w->last_seq);
        break;
    case 4:
        snprintf(line, sizeof(line), "ACK %u", next(r) % 32);
        break;
    case 5:
        snprintf(line, sizeof(line), "HB");
        break;
    case 6:
        snprintf(line, sizeof(line), "%s", (next(r) & 1) ? "BYE" : "NONSENSE");
        break;
    default:
        /* An upload of the copy it holds, in a takeover. */
        if (next(r) & 1) {
            snprintf(line, sizeof(line), "SNAPSHOT %u %u", next(r) % 4,
                     next(r) % 4);
        } else if (next(r) & 1) {
            snprintf(line, sizeof(line), "S %c %s %s",
                     (next(r) & 1) ? 'S' : 'X', keys[next(r) % 6],
                     owners[next(r) % 4]);
        } else {
            snprintf(line, sizeof(line), "SYNC %u", next(r) % 8);
        }
        break;
    }
    deliver(w, c, line);
}

/* The server's own steps: the end of a takeover (enqueued_main.c). */
static void
server_steps(struct world *w)
{
    struct enq_server *srv = &w->srv;

    if (srv->phase == ENQ_PHASE_TAKEOVER && srv->upload_done) {
        if (enq_takeover_finish(srv) != 0) {
            abort();
        }
        if (srv->uploader != NULL && !srv->uploader->dead) {
            enq_repl_attach(srv, srv->uploader, srv->uploader_node);
        }
        srv->uploader = NULL;
    } else if (srv->phase == ENQ_PHASE_TAKEOVER && srv->takeover_failed) {
        /* The start fails; the script goes on as a server that serves
         * empty, which a real one never does, so just stop checking. */
        srv->takeover_failed = false;
        srv->upload_done = true;
        lf_table_clear(srv->table);
        srv->origin = ENQ_ORIGIN_EMPTY;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct world w;
    struct reader r = {data, size, 0};
    unsigned setup = next(&r);
    struct enq_server *srv = &w.srv;

    lf_log_set_sink(quiet);
    memset(&w, 0, sizeof(w));
    fuzz_now = 1000000;
    srv->cfg.instance = "FZ";
    srv->cfg.statedir = "/nonexistent";
    srv->cfg.capacity = CAPACITY;
    srv->cfg.replica_timeout_ms = 2000;
    srv->cfg.hold_ms = (setup & 2) ? 0 : 8000;
    srv->cfg.loss_policy = (setup & 4) ? ENQ_LOSS_SERVE : ENQ_LOSS_HOLD;
    srv->cfg.takeover_wait_ms = 5000;
    srv->table = lf_table_new(CAPACITY);
    w.copy = lf_table_new(0);
    if (srv->table == NULL || w.copy == NULL) {
        abort();
    }
    srv->max_conns = CONNS;
    snprintf(srv->node, sizeof(srv->node), "node0");
    if (setup & 1) {
        memcpy(srv->secret.data, "a fuzzing secret", 16);
        srv->secret.len = 16;
    }
    if (setup & 8) {
        srv->phase = ENQ_PHASE_TAKEOVER;
        srv->takeover_deadline_ms = fuzz_now + srv->cfg.takeover_wait_ms;
    } else {
        srv->phase = ENQ_PHASE_SERVING;
        srv->generation = 1;
    }

    while (more(&r)) {
        unsigned op = next(&r);
        int i = (int)(next(&r) % CONNS);
        struct enq_conn *c = w.conns[i];

        switch (op % 8) {
        case 0:
            if (c == NULL) {
                w.conns[i] = enq_conn_add(srv, ++w.next_fd);
            }
            break;
        case 1:
        case 2:
        case 3:
            if (c != NULL) {
                if (c->role == ENQ_CONN_REPLICA) {
                    replica_speaks(&w, c, &r);
                } else {
                    request(&w, c, &r);
                }
            }
            break;
        case 4:
            if (c != NULL) {
                enq_conn_kill(srv, c);
            }
            break;
        case 5:
            fuzz_now += (long long)(next(&r) % 64) * 100;
            enq_takeover_tick(srv, fuzz_now);
            enq_repl_tick(srv, fuzz_now);
            break;
        case 6:
            enq_repl_release_hold(srv, "the cluster has no replica left");
            break;
        default:
            if (c != NULL) {
                drain(&w, c);
            }
            break;
        }
        server_steps(&w);
        release(&w);
        check(&w);
    }

    for (int i = 0; i < CONNS; i++) {
        if (w.conns[i] != NULL) {
            enq_conn_kill(srv, w.conns[i]);
        }
    }
    release(&w);
    lf_table_free(srv->table);
    lf_table_free(w.copy);
    return 0;
}

/*
 * The enqueue server's event loop: one epoll set, no thread per client.
 * Each turn reads what arrived, serves the connections that have work
 * (new input, or a reply the replica released), runs the timers, writes
 * every queued reply, and releases the connections closed on the way.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "enqueued.h"
#include "lf_log.h"
#include "lf_net.h"
#include "lf_proc.h"
#include "lf_server.h"
#include "lf_sha256.h"

#define TICK_MS 200
#define ACCEPT_BACKOFF_MIN_MS 100
#define ACCEPT_BACKOFF_MAX_MS 2000

/* The peer's address, and whether it is this node: loopback, or the
 * address it connected to (the server's own). */
static void
peer_of(int fd, struct enq_addr *addr, bool *local)
{
    struct sockaddr_storage ss;
    struct sockaddr_storage me;
    socklen_t len = sizeof(ss);
    socklen_t mlen = sizeof(me);
    struct enq_addr mine;

    memset(addr, 0, sizeof(*addr));
    memset(&mine, 0, sizeof(mine));
    *local = false;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0
        || getsockname(fd, (struct sockaddr *)&me, &mlen) != 0) {
        return;
    }
    for (int i = 0; i < 2; i++) {
        const struct sockaddr_storage *sa = (i == 0) ? &ss : &me;
        struct enq_addr *out = (i == 0) ? addr : &mine;

        if (sa->ss_family == AF_INET) {
            out->b[10] = out->b[11] = 0xff;
            memcpy(out->b + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        } else if (sa->ss_family == AF_INET6) {
            memcpy(out->b, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        }
    }
    *local = enq_addr_loopback(addr) || memcmp(addr, &mine, sizeof(mine)) == 0;
}

/* Out of descriptors (or kernel memory): stop polling the listener for a
 * while instead of spinning on it; the kernel keeps the backlog. Said
 * once per episode. */
static void
pause_accepts(struct enq_server *srv, int err)
{
    struct epoll_event ev = {.events = 0, .data.ptr = &srv->listen_fd};

    srv->stats.pauses++;
    if (srv->accept_backoff_ms == 0) {
        lf_warn("cannot accept connections: %s; pausing accepts (said once "
                "until they succeed again)",
                strerror(err));
        srv->accept_backoff_ms = ACCEPT_BACKOFF_MIN_MS;
    } else if (srv->accept_backoff_ms < ACCEPT_BACKOFF_MAX_MS) {
        srv->accept_backoff_ms *= 2;
    }
    (void)epoll_ctl(srv->epoll_fd, EPOLL_CTL_MOD, srv->listen_fd, &ev);
    srv->accept_resume_ms = lf_now_ms() + srv->accept_backoff_ms;
}

static void
resume_accepts(struct enq_server *srv, long long now)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &srv->listen_fd};

    if (srv->accept_resume_ms == 0 || now < srv->accept_resume_ms) {
        return;
    }
    srv->accept_resume_ms = 0;
    (void)epoll_ctl(srv->epoll_fd, EPOLL_CTL_MOD, srv->listen_fd, &ev);
}

/* No slot for it: say so (one try, never blocking) and close. */
static void
refuse(struct enq_server *srv, int fd, const struct enq_addr *addr,
       const char *why)
{
    char line[160];
    char text[64];
    int n;

    enq_addr_str(addr, text, sizeof(text));
    n = snprintf(line, sizeof(line), "ERR BUSY %s (%s)\n", why, text);
    (void)!write(fd, line, (size_t)n);
    close(fd);
    if (srv->stats.refused++ == 0) {
        lf_warn("refusing a connection from %s: %s (counted in STATS "
                "refused= from now on)",
                text, why);
    }
}

static void
accept_clients(struct enq_server *srv)
{
    for (;;) {
        uint8_t nonce[LF_NONCE_HEX / 2];
        struct enq_conn *conn;
        struct enq_addr addr;
        enum enq_slot slot;
        const char *why = "";
        bool local = false;
        int fd =
            accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS
                || errno == ENOMEM) {
                pause_accepts(srv, errno);
            } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
                       && errno != ECONNABORTED) {
                lf_warn("accept failed: %s", strerror(errno));
            }
            return;
        }
        if (srv->accept_backoff_ms != 0) {
            lf_notice("accepting connections again");
            srv->accept_backoff_ms = 0;
        }
        peer_of(fd, &addr, &local);
        slot = enq_limits_admit(srv, &addr, local, &why);
        if (slot == ENQ_SLOT_NONE) {
            refuse(srv, fd, &addr, why);
            continue;
        }
        if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce)) {
            /* Without randomness no challenge is safe: refuse. */
            lf_err("getrandom failed: %s", strerror(errno));
            close(fd);
            continue;
        }
        lf_net_tune(fd);
        conn = enq_conn_add(srv, fd);
        if (conn == NULL) {
            close(fd);
            continue;
        }
        conn->peer = addr;
        conn->slot = slot;
        if (enq_limits_take(srv, conn) != 0) {
            conn->slot = ENQ_SLOT_NONE;
            enq_conn_kill(srv, conn);
            continue;
        }
        conn->authed = (srv->secret.len == 0);
        lf_hex(nonce, sizeof(nonce), conn->nonce);
        srv->stats.connections++;
        enq_conn_reply(srv, conn, "LEAPFROG %d %s %s", LF_PROTO_VERSION,
                       conn->nonce, srv->secret.len > 0 ? "AUTH" : "NOAUTH");
    }
}

/* A line from the replica (or the one uploading its copy). */
static void
replica_line(struct enq_server *srv, struct enq_conn *conn, const char *line,
             size_t len)
{
    struct lf_msg msg;

    if (lf_proto_parse(line, len, &msg) != LF_PROTO_OK) {
        srv->stats.protocol_errors++;
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

/* A line whose MAC is wrong: forged, altered, replayed or out of order.
 * Nothing more from this connection can be trusted. */
static void
integrity_failed(struct enq_server *srv, struct enq_conn *conn, const char *why)
{
    srv->stats.protocol_errors++;
    lf_warn("connection %d: %s; closing it", conn->fd, why);
    if (conn == srv->replica) {
        enq_repl_lost(srv, why, false);
    } else {
        enq_conn_kill(srv, conn);
    }
}

/* In a replica's reserved slot only the way to REPLICA is served. */
static bool
probation_allows(const char *line, size_t len)
{
    struct lf_msg msg;

    if (lf_proto_parse(line, len, &msg) != LF_PROTO_OK) {
        return false;
    }
    return msg.type == LF_MSG_AUTH || msg.type == LF_MSG_PING
           || msg.type == LF_MSG_QUIT || msg.type == LF_MSG_REPLICA;
}

/* Serve the complete lines a connection has, until it has to wait. */
static void
serve(struct enq_server *srv, struct enq_conn *conn)
{
    while (!conn->dead && conn->wait_seq == 0 && !conn->closing) {
        const char *line = NULL;
        size_t len = 0;
        enum lf_line_rc rc = lf_buf_next_line(
            &conn->in, lf_session_line_max(&conn->session, LF_LINE_MAX), &line,
            &len);

        if (rc == LF_LINE_NONE) {
            break;
        }
        if (rc == LF_LINE_OVERSIZED && conn->session.on) {
            integrity_failed(srv, conn, "a line too long to check its MAC");
            break;
        }
        if (rc == LF_LINE_READY && conn->session.on
            && !lf_session_open(&conn->session, line, &len)) {
            integrity_failed(srv, conn, "a line failed its integrity check");
            break;
        }
        if (rc == LF_LINE_OVERSIZED) {
            srv->stats.protocol_errors++;
            if (conn->role == ENQ_CONN_REPLICA) {
                enq_conn_kill(srv, conn);
                break;
            }
            enq_conn_reply(srv, conn,
                           "ERR TOOLONG request longer than %d "
                           "bytes",
                           LF_LINE_MAX);
            continue;
        }
        conn->active_ms = lf_now_ms();
        if (conn->role == ENQ_CONN_REPLICA) {
            replica_line(srv, conn, line, len);
            continue;
        }
        if (conn->slot == ENQ_SLOT_PROBATION && !probation_allows(line, len)) {
            enq_conn_reply(srv, conn,
                           "ERR BUSY the server is full; only a "
                           "replica is admitted");
            conn->closing = true;
            break;
        }
        enq_request_line(srv, conn, line, len);
        if (conn->role == ENQ_CONN_REPLICA) {
            enq_limits_move(srv, conn, ENQ_SLOT_REPLICA);
        }
    }
    enq_conn_update_events(srv, conn);
}

static void
handle_conn(struct enq_server *srv, struct enq_conn *conn, uint32_t events)
{
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
        size_t n = 0;
        int rc = lf_buf_read_fd(&conn->in, conn->fd, &n);

        if ((rc == 0 && n == 0)
            || (rc != 0 && rc != EAGAIN && rc != EINTR && rc != ENOBUFS)) {
            enq_conn_kill(srv, conn);
            return;
        }
        enq_conn_wake(srv, conn);
    }
    if ((events & EPOLLOUT) != 0) {
        enq_conn_write_now(srv, conn);
    }
}

static void
handle_signal(struct enq_server *srv)
{
    struct lf_server_signal got = lf_server_read_signals(srv->signal_fd);

    if (got.usr1) {
        /* The agent's monitor found no replica left in the cluster. */
        enq_repl_release_hold(srv, "the cluster has no replica left");
    }
    if (got.stop != 0) {
        lf_notice("received signal %u; shutting down", got.stop);
        srv->stopping = true;
    }
}

static void
run_ready(struct enq_server *srv)
{
    struct enq_conn *conn;

    while ((conn = enq_conn_next_runnable(srv)) != NULL) {
        serve(srv, conn);
    }
}

static void
release_dead(struct enq_server *srv)
{
    struct enq_conn *conn;

    while ((conn = enq_conn_next_dead(srv)) != NULL) {
        enq_takeover_conn_gone(srv, conn);
        enq_repl_conn_gone(srv, conn);
        enq_conn_release(srv, conn);
    }
}

int
enq_loop_init(struct enq_server *srv)
{
    struct epoll_event ev = {.events = EPOLLIN};
    int rc = lf_server_signalfd(&srv->signal_fd);

    if (rc != 0) {
        return rc;
    }
    srv->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (srv->epoll_fd < 0) {
        return errno;
    }
    ev.data.ptr = &srv->listen_fd;
    if (epoll_ctl(srv->epoll_fd, EPOLL_CTL_ADD, srv->listen_fd, &ev) != 0) {
        return errno;
    }
    ev.data.ptr = &srv->signal_fd;
    if (epoll_ctl(srv->epoll_fd, EPOLL_CTL_ADD, srv->signal_fd, &ev) != 0) {
        return errno;
    }
    return 0;
}

static bool
takeover_over(const struct enq_server *srv)
{
    return srv->phase == ENQ_PHASE_TAKEOVER
           && (srv->upload_done || srv->takeover_failed);
}

int
enq_loop_run(struct enq_server *srv)
{
    struct epoll_event events[128];

    while (!srv->stopping && !takeover_over(srv)) {
        int n = epoll_wait(srv->epoll_fd, events, 128,
                           enq_conn_has_work(srv) ? 0 : TICK_MS);
        long long now;

        if (n < 0 && errno != EINTR) {
            lf_err("epoll_wait failed: %s", strerror(errno));
            return errno;
        }
        for (int i = 0; i < n; i++) {
            void *ptr = events[i].data.ptr;

            if (ptr == &srv->listen_fd) {
                accept_clients(srv);
            } else if (ptr == &srv->signal_fd) {
                handle_signal(srv);
            } else {
                struct enq_conn *conn = ptr;

                if (!conn->dead) {
                    handle_conn(srv, conn, events[i].events);
                }
            }
        }
        now = lf_now_ms();
        resume_accepts(srv, now);
        enq_limits_tick(srv, now);
        enq_takeover_tick(srv, now);
        enq_repl_tick(srv, now);
        /* Closing a connection may release parked replies, and serving
         * them may close more: until nothing is left to do. */
        do {
            run_ready(srv);
            release_dead(srv);
        } while (enq_conn_has_work(srv));
        enq_conn_flush(srv);
        release_dead(srv); /* failed writes; what they release waits */
        enq_conn_bury(srv);
    }
    return 0;
}

void
enq_loop_fini(struct enq_server *srv)
{
    if (srv->epoll_fd >= 0) {
        enq_conn_fini(srv);
    }
    if (srv->listen_fd >= 0) {
        close(srv->listen_fd);
        srv->listen_fd = -1;
    }
    if (srv->epoll_fd >= 0) {
        close(srv->epoll_fd);
    }
    if (srv->signal_fd >= 0) {
        close(srv->signal_fd);
    }
}

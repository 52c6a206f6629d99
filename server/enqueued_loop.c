/* The enqueue server's event loop: one epoll set, no thread per client. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "enqueued.h"
#include "lf_log.h"
#include "lf_net.h"
#include "lf_proc.h"
#include "lf_server.h"
#include "lf_sha256.h"

#define TICK_MS 200

/* Closed connections are freed only at the end of a loop turn, so that a
 * pointer held further up the stack stays valid (its fd is then -1). */
static struct enq_conn *graveyard;

static void
set_events(struct enq_server *srv, struct enq_conn *conn)
{
    struct epoll_event ev = {.data.ptr = conn};

    if (conn->fd < 0) {
        return;
    }
    if (conn->wait_seq == 0 && !conn->closing) {
        ev.events |= EPOLLIN;
    }
    if (lf_buf_pending(&conn->out) > 0) {
        ev.events |= EPOLLOUT;
    }
    /* One system call saved per request when nothing changes. */
    if (ev.events != conn->events) {
        (void)epoll_ctl(srv->epoll_fd, EPOLL_CTL_MOD, conn->fd, &ev);
        conn->events = ev.events;
    }
}

/* Replies are written when the loop turn ends (flush_pending), so a burst
 * of requests costs one write; only what the socket refuses waits for
 * EPOLLOUT. */
static struct enq_conn **pending;
static size_t npending;
static size_t pending_cap;

void
enq_conn_want_write(struct enq_server *srv, struct enq_conn *conn)
{
    (void)srv;
    if (conn->queued_write || conn->fd < 0) {
        return;
    }
    if (npending == pending_cap) {
        size_t cap = (pending_cap == 0) ? 64 : pending_cap * 2;
        struct enq_conn **grown = realloc(pending, cap * sizeof(*grown));

        if (grown == NULL) {
            set_events(srv, conn); /* fall back to EPOLLOUT */
            return;
        }
        pending = grown;
        pending_cap = cap;
    }
    conn->queued_write = true;
    pending[npending++] = conn;
}

static void
flush_pending(struct enq_server *srv)
{
    /* Flushing may queue more (a released reply): index, not pointer. */
    for (size_t i = 0; i < npending; i++) {
        struct enq_conn *conn = pending[i];

        conn->queued_write = false;
        if (conn->fd < 0) {
            continue;
        }
        if (lf_buf_write_fd(&conn->out, conn->fd) != 0) {
            enq_conn_close(srv, conn);
            continue;
        }
        if (conn->closing && lf_buf_pending(&conn->out) == 0) {
            enq_conn_close(srv, conn);
            continue;
        }
        set_events(srv, conn);
    }
    npending = 0;
}

void
enq_conn_close(struct enq_server *srv, struct enq_conn *conn)
{
    if (conn->fd < 0) {
        return;
    }
    if (conn == srv->replica) {
        enq_repl_lost(srv, "its connection closed");
        /* enq_repl_lost() closes the replica's connection itself. */
        // cppcheck-suppress knownConditionTrueFalse
        if (conn->fd < 0) {
            return; /* enq_repl_lost() closed it */
        }
    }
    enq_repl_forget_conn(srv, conn);
    (void)epoll_ctl(srv->epoll_fd, EPOLL_CTL_DEL, conn->fd, NULL);
    close(conn->fd);
    conn->fd = -1;
    if (conn->prev != NULL) {
        conn->prev->next = conn->next;
    } else {
        srv->conns = conn->next;
    }
    if (conn->next != NULL) {
        conn->next->prev = conn->prev;
    }
    srv->nconns--;
    conn->next = graveyard;
    graveyard = conn;
}

static void
bury_dead(void)
{
    while (graveyard != NULL) {
        struct enq_conn *conn = graveyard;

        graveyard = conn->next;
        lf_buf_free(&conn->in);
        lf_buf_free(&conn->out);
        free(conn);
    }
}

void
enq_conn_process(struct enq_server *srv, struct enq_conn *conn)
{
    while (conn->fd >= 0 && conn->wait_seq == 0 && !conn->closing) {
        const char *line = NULL;
        size_t len = 0;
        enum lf_line_rc rc =
            lf_buf_next_line(&conn->in, LF_LINE_MAX, &line, &len);

        if (rc == LF_LINE_NONE) {
            break;
        }
        if (rc == LF_LINE_OVERSIZED) {
            srv->stats.protocol_errors++;
            if (conn->is_replica) {
                enq_repl_lost(srv, "it sent an oversized line");
                return;
            }
            enq_reply(srv, conn, "ERR TOOLONG request longer than %d bytes",
                      LF_LINE_MAX);
            continue;
        }
        if (conn->is_replica) {
            struct lf_msg msg;

            if (lf_proto_parse(line, len, &msg) != LF_PROTO_OK) {
                enq_repl_lost(srv, "it sent a malformed line");
                return;
            }
            enq_repl_line(srv, conn, &msg);
        } else {
            enq_request_line(srv, conn, line, len);
        }
    }
    set_events(srv, conn);
}

static void
accept_clients(struct enq_server *srv)
{
    for (;;) {
        uint8_t nonce[LF_NONCE_HEX / 2];
        struct epoll_event ev;
        struct enq_conn *conn;
        char greeting[80];
        int fd =
            accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
                && errno != ECONNABORTED) {
                lf_warn("accept failed: %s", strerror(errno));
            }
            return;
        }
        if (srv->nconns >= srv->cfg.max_clients) {
            static const char busy[] = "ERR BUSY too many connections\n";

            (void)!write(fd, busy, sizeof(busy) - 1);
            close(fd);
            continue;
        }
        conn = calloc(1, sizeof(*conn));
        if (conn == NULL) {
            close(fd);
            continue;
        }
        lf_net_tune(fd);
        conn->fd = fd;
        lf_buf_init(&conn->in, ENQ_IN_MAX);
        lf_buf_init(&conn->out, ENQ_CLIENT_OUT_MAX);
        conn->authed = (srv->secret.len == 0);
        if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce)) {
            /* Without randomness no challenge is safe: refuse. */
            lf_err("getrandom failed: %s", strerror(errno));
            close(fd);
            free(conn);
            continue;
        }
        lf_hex(nonce, sizeof(nonce), conn->nonce);
        conn->next = srv->conns;
        if (srv->conns != NULL) {
            srv->conns->prev = conn;
        }
        srv->conns = conn;
        srv->nconns++;
        srv->stats.connections++;
        ev.events = EPOLLIN;
        ev.data.ptr = conn;
        conn->events = EPOLLIN;
        if (epoll_ctl(srv->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            enq_conn_close(srv, conn);
            continue;
        }
        snprintf(greeting, sizeof(greeting), "LEAPFROG %d %s %s",
                 LF_PROTO_VERSION, conn->nonce,
                 srv->secret.len > 0 ? "AUTH" : "NOAUTH");
        enq_reply(srv, conn, "%s", greeting);
    }
}

static void
handle_conn(struct enq_server *srv, struct enq_conn *conn, uint32_t events)
{
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
        long n = lf_buf_read_fd(&conn->in, conn->fd);

        if (n == 0 || (n < 0 && n != -EAGAIN && n != -EINTR && n != -ENOBUFS)) {
            enq_conn_close(srv, conn);
            return;
        }
        enq_conn_process(srv, conn);
    }
    if (conn->fd >= 0 && (events & EPOLLOUT) != 0) {
        if (lf_buf_write_fd(&conn->out, conn->fd) != 0) {
            enq_conn_close(srv, conn);
            return;
        }
    }
    if (conn->fd >= 0 && conn->closing && lf_buf_pending(&conn->out) == 0) {
        enq_conn_close(srv, conn);
        return;
    }
    set_events(srv, conn);
}

static void
handle_signal(struct enq_server *srv)
{
    struct signalfd_siginfo si;

    while (read(srv->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
            lf_notice("received signal %u; shutting down", si.ssi_signo);
            srv->stopping = true;
        }
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

int
enq_loop_run(struct enq_server *srv)
{
    struct epoll_event events[128];

    while (!srv->stopping) {
        int n = epoll_wait(srv->epoll_fd, events, 128, TICK_MS);

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

                if (conn->fd >= 0) {
                    handle_conn(srv, conn, events[i].events);
                }
            }
        }
        enq_repl_tick(srv, lf_now_ms());
        flush_pending(srv);
        bury_dead();
    }
    return 0;
}

void
enq_loop_fini(struct enq_server *srv)
{
    while (srv->conns != NULL) {
        enq_conn_close(srv, srv->conns);
    }
    bury_dead();
    free(pending);
    pending = NULL;
    npending = pending_cap = 0;
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

/*
 * Connections: the one owner of their sockets and buffers. Replies are
 * queued and written when the loop turn ends (one write per burst); a
 * connection with work is put on the run list for the loop to serve; a
 * closed one is put on the dead list for the loop to release, and freed
 * only after the turn, so a pointer held further up the stack stays valid.
 * Nothing here calls back into the replication or request code.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "enqueued.h"
#include "lf_log.h"
#include "lf_net.h"

struct enq_conn *
enq_conn_add(struct enq_server *srv, int fd)
{
    struct enq_conns *c = &srv->conns;
    struct epoll_event ev = {.events = EPOLLIN};
    struct enq_conn *conn = calloc(1, sizeof(*conn));

    if (conn == NULL) {
        return NULL;
    }
    conn->fd = fd;
    lf_buf_init(&conn->in, ENQ_IN_MAX);
    lf_buf_init(&conn->out, ENQ_CLIENT_OUT_MAX);
    lf_buf_init(&conn->wire, ENQ_CLIENT_OUT_MAX);
    ev.data.ptr = conn;
    if (epoll_ctl(srv->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        free(conn);
        return NULL;
    }
    conn->events = EPOLLIN;
    conn->next = c->all;
    if (c->all != NULL) {
        c->all->prev = conn;
    }
    c->all = conn;
    c->count++;
    return conn;
}

/* Sealed a little at a time, as the socket drains: the queue's limit
 * stays the one of out. */
#define WIRE_LOW (64u * 1024)

static size_t
pending(const struct enq_conn *conn)
{
    return lf_buf_pending(&conn->out) + lf_buf_pending(&conn->wire);
}

void
enq_conn_begin_session(struct enq_server *srv, struct enq_conn *conn,
                       const uint8_t key[LF_SHA256_LEN], enum lf_auth_role role,
                       const char *cnonce)
{
    /* What is queued so far (the reply to AUTH) goes out as it is. */
    if (lf_buf_append(&conn->wire, conn->out.data + conn->out.start,
                      lf_buf_pending(&conn->out))
        != 0) {
        enq_conn_kill(srv, conn);
        return;
    }
    conn->out.start = conn->out.len = 0;
    lf_session_start(&conn->session, key, role, conn->nonce, cnonce, true);
}

void
enq_conn_want_write(struct enq_server *srv, struct enq_conn *conn)
{
    struct enq_conns *c = &srv->conns;

    if (conn->queued_write || conn->dead) {
        return;
    }
    if (c->npending == c->pending_cap) {
        size_t cap = (c->pending_cap == 0) ? 64 : c->pending_cap * 2;
        struct enq_conn **grown = realloc(c->pending, cap * sizeof(*grown));

        if (grown == NULL) {
            enq_conn_update_events(srv, conn); /* fall back to EPOLLOUT */
            return;
        }
        c->pending = grown;
        c->pending_cap = cap;
    }
    conn->queued_write = true;
    c->pending[c->npending++] = conn;
}

void
enq_conn_reply(struct enq_server *srv, struct enq_conn *conn, const char *fmt,
               ...)
{
    char line[LF_LINE_MAX + 2];
    va_list ap;
    int n;

    if (conn->dead) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if ((size_t)n > sizeof(line) - 2) {
        n = (int)sizeof(line) - 2;
    }
    line[n++] = '\n';
    if (lf_buf_append(&conn->out, line, (size_t)n) != 0) {
        lf_warn("output buffer of connection %d full; closing it", conn->fd);
        enq_conn_kill(srv, conn);
        return;
    }
    enq_conn_want_write(srv, conn);
}

void
enq_conn_wake(struct enq_server *srv, struct enq_conn *conn)
{
    struct enq_conns *c = &srv->conns;

    if (conn->runnable || conn->dead) {
        return;
    }
    conn->runnable = true;
    conn->next_run = NULL;
    if (c->run_tail != NULL) {
        c->run_tail->next_run = conn;
    } else {
        c->run_head = conn;
    }
    c->run_tail = conn;
}

struct enq_conn *
enq_conn_next_runnable(struct enq_server *srv)
{
    struct enq_conns *c = &srv->conns;
    struct enq_conn *conn = c->run_head;

    if (conn == NULL) {
        return NULL;
    }
    c->run_head = conn->next_run;
    if (c->run_head == NULL) {
        c->run_tail = NULL;
    }
    conn->next_run = NULL;
    conn->runnable = false;
    return conn;
}

bool
enq_conn_has_work(const struct enq_server *srv)
{
    return srv->conns.run_head != NULL || srv->conns.dead != NULL;
}

void
enq_conn_kill(struct enq_server *srv, struct enq_conn *conn)
{
    if (conn->dead) {
        return;
    }
    conn->dead = true;
    conn->next_dead = srv->conns.dead;
    srv->conns.dead = conn;
}

struct enq_conn *
enq_conn_next_dead(struct enq_server *srv)
{
    struct enq_conn *conn = srv->conns.dead;

    if (conn != NULL) {
        srv->conns.dead = conn->next_dead;
        conn->next_dead = NULL;
    }
    return conn;
}

void
enq_conn_release(struct enq_server *srv, struct enq_conn *conn)
{
    struct enq_conns *c = &srv->conns;

    if (conn->fd < 0) {
        return;
    }
    (void)epoll_ctl(srv->epoll_fd, EPOLL_CTL_DEL, conn->fd, NULL);
    close(conn->fd);
    conn->fd = -1;
    if (conn->prev != NULL) {
        conn->prev->next = conn->next;
    } else {
        c->all = conn->next;
    }
    if (conn->next != NULL) {
        conn->next->prev = conn->prev;
    }
    c->count--;
    conn->next = c->graveyard;
    c->graveyard = conn;
}

void
enq_conn_update_events(struct enq_server *srv, struct enq_conn *conn)
{
    struct epoll_event ev = {.data.ptr = conn};

    if (conn->dead || conn->fd < 0) {
        return;
    }
    if (conn->wait_seq == 0 && !conn->closing) {
        ev.events |= EPOLLIN;
    }
    if (pending(conn) > 0) {
        ev.events |= EPOLLOUT;
    }
    /* One system call saved per request when nothing changes. */
    if (ev.events != conn->events) {
        (void)epoll_ctl(srv->epoll_fd, EPOLL_CTL_MOD, conn->fd, &ev);
        conn->events = ev.events;
    }
}

/* Write what the socket takes: what is on the wire first, then (sealed
 * when the session is on) what is queued. */
static int
write_out(struct enq_conn *conn)
{
    int rc;

    if (!conn->session.on) {
        rc = lf_buf_write_fd(&conn->wire, conn->fd);
        return (rc != 0 || lf_buf_pending(&conn->wire) > 0)
                   ? rc
                   : lf_buf_write_fd(&conn->out, conn->fd);
    }
    do {
        rc = lf_session_seal_buf(&conn->session, &conn->out, &conn->wire,
                                 WIRE_LOW);
        if (rc != 0 || lf_buf_pending(&conn->wire) == 0) {
            break;
        }
        rc = lf_buf_write_fd(&conn->wire, conn->fd);
    } while (rc == 0 && lf_buf_pending(&conn->wire) == 0
             && lf_buf_pending(&conn->out) > 0);
    return rc;
}

void
enq_conn_write_now(struct enq_server *srv, struct enq_conn *conn)
{
    if (conn->dead) {
        return;
    }
    if (write_out(conn) != 0) {
        enq_conn_kill(srv, conn);
        return;
    }
    if (conn->closing && pending(conn) == 0) {
        enq_conn_kill(srv, conn);
        return;
    }
    enq_conn_update_events(srv, conn);
}

void
enq_conn_flush(struct enq_server *srv)
{
    struct enq_conns *c = &srv->conns;

    for (size_t i = 0; i < c->npending; i++) {
        struct enq_conn *conn = c->pending[i];

        conn->queued_write = false;
        enq_conn_write_now(srv, conn);
    }
    c->npending = 0;
}

void
enq_conn_bury(struct enq_server *srv)
{
    struct enq_conns *c = &srv->conns;

    while (c->graveyard != NULL) {
        struct enq_conn *conn = c->graveyard;

        c->graveyard = conn->next;
        lf_buf_free(&conn->in);
        lf_buf_free(&conn->out);
        lf_buf_free(&conn->wire);
        free(conn);
    }
}

void
enq_conn_fini(struct enq_server *srv)
{
    struct enq_conns *c = &srv->conns;

    while (c->all != NULL) {
        enq_conn_release(srv, c->all);
    }
    c->dead = NULL;
    c->run_head = c->run_tail = NULL;
    enq_conn_bury(srv);
    free(c->pending);
    c->pending = NULL;
    c->npending = c->pending_cap = 0;
}

#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "fake_conn.h"

struct enq_conn *
enq_conn_add(struct enq_server *srv, int fd)
{
    struct enq_conn *conn = calloc(1, sizeof(*conn));

    if (conn == NULL) {
        abort();
    }
    conn->fd = fd;
    lf_buf_init(&conn->in, ENQ_IN_MAX);
    lf_buf_init(&conn->out, ENQ_CLIENT_OUT_MAX);
    snprintf(conn->nonce, sizeof(conn->nonce), "%032x", fd);
    conn->authed = (srv->secret.len == 0);
    srv->conns.count++;
    return conn;
}

void
fake_conn_free(struct enq_conn *conn)
{
    lf_buf_free(&conn->in);
    lf_buf_free(&conn->out);
    free(conn);
}

/* Sealing is enqueued_conn.c's, not part of the state machine under
 * test: the session's lines stay as they are. */
void
enq_conn_begin_session(struct enq_server *srv, struct enq_conn *conn,
                       const uint8_t key[LF_SHA256_LEN], enum lf_auth_role role,
                       const char *cnonce)
{
    (void)srv;
    (void)key;
    (void)role;
    (void)cnonce;
    conn->session.on = true;
}

/* A line too long is cut, as the real layer's; a full output buffer
 * kills the connection, as the real layer's. */
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
        enq_conn_kill(srv, conn);
    }
}

void
enq_conn_want_write(struct enq_server *srv, struct enq_conn *conn)
{
    (void)srv;
    (void)conn;
}

void
enq_conn_write_now(struct enq_server *srv, struct enq_conn *conn)
{
    (void)srv;
    (void)conn;
}

void
enq_conn_wake(struct enq_server *srv, struct enq_conn *conn)
{
    (void)srv;
    conn->runnable = true;
}

void
enq_conn_kill(struct enq_server *srv, struct enq_conn *conn)
{
    (void)srv;
    conn->dead = true;
}

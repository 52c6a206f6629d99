/*
 * fake_conn.h - a fake of server/enqueued_conn.c for the in-process tests
 * of the enqueue server (tests/unit/test_enqueued_repl.c and
 * tests/fuzz/fuzz_enqueued.c), which link enqueued_request.c,
 * enqueued_repl.c and enqueued_takeover.c as they are.
 *
 * fake_conn.c defines what those files call of the connection layer
 * (enq_conn_add, enq_conn_reply, enq_conn_begin_session,
 * enq_conn_want_write, enq_conn_write_now, enq_conn_wake, enq_conn_kill,
 * declared in enqueued.h): a reply lands in the connection's output
 * buffer, where the test reads it; no socket, no sealing (a session's
 * lines stay as they are); a killed connection is only marked dead, and
 * the test frees it.
 */
#ifndef FAKE_CONN_H
#define FAKE_CONN_H

#include "enqueued.h"

/*!
 * \brief Free a connection enq_conn_add() made (its buffers too); the
 *        server's count of connections is the caller's.
 */
void fake_conn_free(struct enq_conn *conn);

#endif

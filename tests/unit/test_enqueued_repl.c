/*
 * Unit tests of the enqueue server's requests and replication
 * (server/enqueued_request.c, enqueued_repl.c, enqueued_takeover.c) with
 * the fake connection layer of tests/server/fake_conn.c: replies land in
 * each connection's output buffer, nothing touches a socket, and time is
 * whatever the test says.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "enqueued.h"
#include "fake_conn.h"
#include "lf_proc.h"

/* --- helpers ----------------------------------------------------------- */

static struct enq_server *
new_server(void)
{
    struct enq_server *srv = calloc(1, sizeof(*srv));

    assert_non_null(srv);
    srv->cfg.instance = "UT";
    srv->cfg.capacity = 1000;
    srv->cfg.replica_timeout_ms = 5000;
    srv->cfg.hold_ms = 60000;
    srv->table = lf_table_new(1000);
    srv->phase = ENQ_PHASE_SERVING;
    srv->generation = 7;
    snprintf(srv->node, sizeof(srv->node), "node1");
    assert_non_null(srv->table);
    return srv;
}

static void
free_server(struct enq_server *srv)
{
    lf_table_free(srv->table);
    free(srv);
}

/* The next line a connection was sent (without its newline), or "". */
static const char *
next_out(struct enq_conn *conn)
{
    static char line[LF_LINE_MAX + 1];
    const char *at = NULL;
    size_t len = 0;

    /* The output buffer is read like an input one. */
    if (lf_buf_next_line(&conn->out, LF_LINE_MAX, &at, &len) != LF_LINE_READY) {
        return "";
    }
    snprintf(line, sizeof(line), "%.*s", (int)len, at);
    return line;
}

/* Drain a connection's output up to the line starting with prefix. */
static void
skip_to(struct enq_conn *conn, const char *prefix)
{
    for (;;) {
        const char *line = next_out(conn);

        if (strncmp(line, prefix, strlen(prefix)) == 0) {
            return;
        }
        assert_string_not_equal(line, "");
    }
}

static void
request(struct enq_server *srv, struct enq_conn *conn, const char *line)
{
    enq_request_line(srv, conn, line, strlen(line));
}

static void
replica_says(struct enq_server *srv, struct enq_conn *replica, const char *line)
{
    struct lf_msg msg;

    assert_int_equal(lf_proto_parse(line, strlen(line), &msg), LF_PROTO_OK);
    enq_repl_line(srv, replica, &msg);
}

/* A replica on node2 attached and in sync at the current change. */
static struct enq_conn *
attach_in_sync(struct enq_server *srv, const char *node)
{
    struct enq_conn *r = enq_conn_add(srv, 99);
    char ack[32];

    enq_repl_attach(srv, r, node);
    skip_to(r, "SYNC ");
    snprintf(ack, sizeof(ack), "ACK %llu", (unsigned long long)srv->seq);
    replica_says(srv, r, ack);
    return r;
}

/* --- the tests ----------------------------------------------------------- */

/* Without a replica a change is served and says it is unreplicated. */
static void
no_replica_is_unreplicated(void **state)
{
    struct enq_server *srv = new_server();
    struct enq_conn *c = enq_conn_add(srv, 1);

    request(srv, c, "LOCK k a");
    assert_string_equal(next_out(c), "UNREPLICATED OK");
    request(srv, c, "LOCK k a");
    assert_string_equal(next_out(c), "UNREPLICATED OK already held");
    request(srv, c, "UNLOCKALL a");
    assert_string_equal(next_out(c), "UNREPLICATED OK 1");
    assert_int_equal(srv->stats.unreplicated, 2); /* "held" changes nothing */
    fake_conn_free(c);
    free_server(srv);
}

/* With a replica in sync the reply waits for its acknowledgement. */
static void
in_sync_parks_until_acked(void **state)
{
    struct enq_server *srv = new_server();
    struct enq_conn *c = enq_conn_add(srv, 1);
    struct enq_conn *r = attach_in_sync(srv, "node2");

    request(srv, c, "LOCK k a");
    assert_string_equal(next_out(c), "");
    assert_string_equal(next_out(r), "C 1 L X k a");
    replica_says(srv, r, "ACK 1");
    assert_string_equal(next_out(c), "OK");
    assert_true(c->runnable);
    fake_conn_free(r);
    fake_conn_free(c);
    free_server(srv);
}

/* "already held" waits for the changes in flight, its grant among them. */
static void
already_held_waits(void **state)
{
    struct enq_server *srv = new_server();
    struct enq_conn *a = enq_conn_add(srv, 1);
    struct enq_conn *b = enq_conn_add(srv, 2);
    struct enq_conn *r = attach_in_sync(srv, "node2");

    request(srv, a, "LOCK k o");
    request(srv, b, "LOCK k o");
    assert_string_equal(next_out(b), "");
    replica_says(srv, r, "ACK 1");
    assert_string_equal(next_out(a), "OK");
    assert_string_equal(next_out(b), "OK already held");
    fake_conn_free(r);
    fake_conn_free(a);
    fake_conn_free(b);
    free_server(srv);
}

/* Losing the in-sync replica: parked replies stay parked, new changes are
 * refused untouched, and the hold's end answers them unreplicated. */
static void
loss_holds_changes_back(void **state)
{
    struct enq_server *srv = new_server();
    struct enq_conn *c = enq_conn_add(srv, 1);
    struct enq_conn *d = enq_conn_add(srv, 2);
    struct enq_conn *r = attach_in_sync(srv, "node2");

    request(srv, c, "LOCK k a");
    enq_repl_lost(srv, "a test", false);
    assert_string_equal(next_out(c), "");
    request(srv, d, "LOCK j b");
    assert_int_equal(strncmp(next_out(d), "ERR NOREPLICA", 13), 0);
    assert_int_equal(lf_table_count(srv->table), 1);
    assert_int_equal(srv->stats.held_back, 1);
    /* The hold has not passed yet... */
    enq_repl_tick(srv, lf_now_ms());
    assert_string_equal(next_out(c), "");
    /* ...now it has. */
    enq_repl_tick(srv, lf_now_ms() + 61000);
    assert_string_equal(next_out(c), "UNREPLICATED OK");
    request(srv, d, "LOCK j b");
    assert_string_equal(next_out(d), "UNREPLICATED OK");
    fake_conn_free(r);
    fake_conn_free(c);
    fake_conn_free(d);
    free_server(srv);
}

/* A new replica in sync ends the hold: the parked change is in its
 * snapshot, so its reply is a plain OK. */
static void
new_replica_ends_the_hold(void **state)
{
    struct enq_server *srv = new_server();
    struct enq_conn *c = enq_conn_add(srv, 1);
    struct enq_conn *r = attach_in_sync(srv, "node2");
    struct enq_conn *r2;

    request(srv, c, "LOCK k a");
    enq_repl_lost(srv, "a test", false);
    r2 = enq_conn_add(srv, 98);
    enq_repl_attach(srv, r2, "node3");
    skip_to(r2, "SNAPSHOT 7 1 ");
    assert_string_equal(next_out(r2), "S X k a");
    assert_string_equal(next_out(r2), "SYNC 1");
    assert_string_equal(next_out(c), "");
    replica_says(srv, r2, "ACK 1");
    assert_string_equal(next_out(c), "OK");
    fake_conn_free(r);
    fake_conn_free(r2);
    fake_conn_free(c);
    free_server(srv);
}

/* A replica that says it stops ends the hold at once; the server's own
 * monitor can end it too (no replica left in the cluster). */
static void
bye_and_release_end_the_hold(void **state)
{
    struct enq_server *srv = new_server();
    struct enq_conn *c = enq_conn_add(srv, 1);
    struct enq_conn *r = attach_in_sync(srv, "node2");

    request(srv, c, "LOCK k a");
    replica_says(srv, r, "BYE");
    assert_string_equal(next_out(c), "UNREPLICATED OK");
    assert_true(r->dead);
    fake_conn_free(r);
    r = attach_in_sync(srv, "node2");
    request(srv, c, "LOCK j a");
    enq_repl_lost(srv, "a test", false);
    assert_string_equal(next_out(c), "");
    enq_repl_release_hold(srv, "no replica left");
    assert_string_equal(next_out(c), "UNREPLICATED OK");
    fake_conn_free(r);
    fake_conn_free(c);
    free_server(srv);
}

/* A replica on the server's own node is no second copy. */
static void
local_replica_does_not_count(void **state)
{
    struct enq_server *srv = new_server();
    struct enq_conn *c = enq_conn_add(srv, 1);
    struct enq_conn *r = attach_in_sync(srv, "node1");

    request(srv, c, "LOCK k a");
    assert_string_equal(next_out(c), "UNREPLICATED OK");
    assert_string_equal(next_out(r), "C 1 L X k a");
    fake_conn_free(r);
    fake_conn_free(c);
    free_server(srv);
}

/* Policy serve: no hold, unreplicated at once, and the dropped replica is
 * told its copy is stale. */
static void
serve_policy_drops_the_copy(void **state)
{
    struct enq_server *srv = new_server();
    struct enq_conn *c = enq_conn_add(srv, 1);
    struct enq_conn *r;

    srv->cfg.loss_policy = ENQ_LOSS_SERVE;
    r = attach_in_sync(srv, "node2");
    request(srv, c, "LOCK k a");
    enq_repl_lost(srv, "a test", false);
    assert_string_equal(next_out(c), "UNREPLICATED OK");
    skip_to(r, "DROP");
    fake_conn_free(r);
    fake_conn_free(c);
    free_server(srv);
}

/* During a takeover only a few requests are served; a replica with no
 * copy ends the wait with an empty table; one with a copy is asked to
 * upload it, and the upload becomes the table. */
static void
takeover_requests(void **state)
{
    struct enq_server *srv = new_server();
    struct enq_conn *c = enq_conn_add(srv, 1);
    struct enq_conn *r = enq_conn_add(srv, 2);
    struct lf_msg msg;

    srv->phase = ENQ_PHASE_TAKEOVER;
    request(srv, c, "LOCK k a");
    assert_int_equal(strncmp(next_out(c), "ERR STARTING", 12), 0);
    request(srv, c, "PING");
    assert_string_equal(next_out(c), "OK PONG");
    request(srv, r, "REPLICA UT node2 5 40 2");
    assert_string_equal(next_out(r), "UPLOAD");
    assert_ptr_equal(srv->uploader, r);
    assert_int_equal(lf_proto_parse("SNAPSHOT 5 2", 12, &msg), LF_PROTO_OK);
    enq_takeover_line(srv, r, &msg);
    assert_int_equal(lf_proto_parse("S X k a", 7, &msg), LF_PROTO_OK);
    enq_takeover_line(srv, r, &msg);
    assert_int_equal(lf_proto_parse("S S j b", 7, &msg), LF_PROTO_OK);
    enq_takeover_line(srv, r, &msg);
    assert_false(srv->upload_done);
    assert_int_equal(lf_proto_parse("SYNC 40", 7, &msg), LF_PROTO_OK);
    enq_takeover_line(srv, r, &msg);
    assert_true(srv->upload_done);
    assert_int_equal(srv->origin, ENQ_ORIGIN_NETWORK);
    assert_int_equal(lf_table_count(srv->table), 2);
    fake_conn_free(r);
    fake_conn_free(c);
    free_server(srv);
}

static void
takeover_without_a_copy(void **state)
{
    struct enq_server *srv = new_server();
    struct enq_conn *r = enq_conn_add(srv, 2);

    srv->phase = ENQ_PHASE_TAKEOVER;
    request(srv, r, "REPLICA UT node2 0 0 0");
    assert_true(srv->upload_done);
    assert_int_equal(srv->origin, ENQ_ORIGIN_EMPTY);
    assert_string_equal(next_out(r), "");
    fake_conn_free(r);
    free_server(srv);
}

/* A copy older than the cluster has served is not taken over. */
static void
takeover_refuses_an_old_copy(void **state)
{
    struct enq_server *srv = new_server();
    struct enq_conn *r = enq_conn_add(srv, 2);

    srv->phase = ENQ_PHASE_TAKEOVER;
    srv->cfg.min_generation = 9;
    request(srv, r, "REPLICA UT node2 5 40 2");
    assert_true(srv->upload_done);
    assert_int_equal(srv->origin, ENQ_ORIGIN_EMPTY);
    fake_conn_free(r);
    free_server(srv);
}

/* No replica hands its copy over in time: the start gives up. */
static void
takeover_deadline(void **state)
{
    struct enq_server *srv = new_server();

    srv->phase = ENQ_PHASE_TAKEOVER;
    srv->cfg.takeover_wait_ms = 1000;
    srv->takeover_deadline_ms = 5000;
    enq_takeover_tick(srv, 4999);
    assert_false(srv->takeover_failed);
    enq_takeover_tick(srv, 5000);
    assert_true(srv->takeover_failed);
    assert_non_null(strstr(srv->takeover_why, "within 1000 ms"));
    free_server(srv);
}

/* With a secret, a connection authenticated as a client cannot be the
 * replica: it could acknowledge changes no replica holds. */
static void
client_credential_cannot_replicate(void **state)
{
    struct enq_server *srv = new_server();
    struct enq_conn *c = enq_conn_add(srv, 1);

    memcpy(srv->secret.data, "a-secret-of-enough-length", 25);
    srv->secret.len = 25;
    c->auth_role = LF_AUTH_CLIENT;
    request(srv, c, "REPLICA UT node2 0 0 0");
    assert_int_equal(strncmp(next_out(c), "ERR AUTH only the replication", 29),
                     0);
    assert_true(c->closing);
    assert_null(srv->replica);
    /* The replication role's credential may. */
    c->closing = false;
    c->auth_role = LF_AUTH_REPLICA;
    request(srv, c, "REPLICA UT node2 0 0 0");
    assert_ptr_equal(srv->replica, c);
    fake_conn_free(c);
    free_server(srv);
}

/* A replica that announces fewer locks than the table may hold is refused
 * before it attaches: the one in sync stays, STATS names the refused. */
static void
too_small_replica_is_refused(void **state)
{
    struct enq_server *srv = new_server();
    struct enq_conn *r = attach_in_sync(srv, "node2");
    struct enq_conn *small = enq_conn_add(srv, 98);
    struct enq_conn *c = enq_conn_add(srv, 1);

    (void)state;
    request(srv, small, "REPLICA UT node3 0 0 0 999");
    assert_string_equal(next_out(small), "ERR CAPACITY this server may hold "
                                         "1000 locks; the replica takes 999");
    assert_true(small->closing);
    assert_ptr_equal(srv->replica, r);
    assert_int_equal(srv->replica_state, ENQ_REPLICA_IN_SYNC);
    request(srv, c, "STATS");
    assert_non_null(strstr(next_out(c), " too_small=node3:999"));
    /* Large enough (or not said, by an older replica): taken, once the
     * one attached has gone silent. */
    fake_conn_free(small);
    srv->replica_heard_ms -= srv->cfg.replica_timeout_ms + 1;
    small = enq_conn_add(srv, 97);
    request(srv, small, "REPLICA UT node3 0 0 0 1000");
    skip_to(small, "SNAPSHOT ");
    assert_ptr_equal(srv->replica, small);
    request(srv, c, "STATS");
    assert_non_null(strstr(next_out(c), " too_small=-"));
    fake_conn_free(r);
    fake_conn_free(small);
    fake_conn_free(c);
    free_server(srv);
}

/* A second replica while a healthy one is attached is refused; the one
 * attached stays, and once it has gone silent a new one gets in. */
static void
second_replica_refused_while_healthy(void **state)
{
    struct enq_server *srv = new_server();
    struct enq_conn *r = attach_in_sync(srv, "node2");
    struct enq_conn *r2 = enq_conn_add(srv, 98);

    request(srv, r2, "REPLICA UT node3 0 0 0");
    assert_int_equal(strncmp(next_out(r2), "ERR BUSY a replica on node2", 27),
                     0);
    assert_true(r2->closing);
    assert_ptr_equal(srv->replica, r);
    assert_int_equal(srv->replica_state, ENQ_REPLICA_IN_SYNC);
    assert_false(r->dead);
    /* Silent past its timeout: no longer healthy, the new one replaces
     * it. */
    r2->closing = false;
    srv->replica_heard_ms -= srv->cfg.replica_timeout_ms + 1;
    request(srv, r2, "REPLICA UT node3 0 0 0");
    assert_ptr_equal(srv->replica, r2);
    assert_true(r->dead);
    fake_conn_free(r);
    fake_conn_free(r2);
    free_server(srv);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_replica_is_unreplicated),
        cmocka_unit_test(too_small_replica_is_refused),
        cmocka_unit_test(in_sync_parks_until_acked),
        cmocka_unit_test(already_held_waits),
        cmocka_unit_test(loss_holds_changes_back),
        cmocka_unit_test(new_replica_ends_the_hold),
        cmocka_unit_test(bye_and_release_end_the_hold),
        cmocka_unit_test(local_replica_does_not_count),
        cmocka_unit_test(serve_policy_drops_the_copy),
        cmocka_unit_test(takeover_requests),
        cmocka_unit_test(takeover_without_a_copy),
        cmocka_unit_test(takeover_refuses_an_old_copy),
        cmocka_unit_test(takeover_deadline),
        cmocka_unit_test(client_credential_cannot_replicate),
        cmocka_unit_test(second_replica_refused_while_healthy),
    };

    return cmocka_run_group_tests_name("enqueued_repl", tests, NULL, NULL);
}

/*
 * Limits of lf-enqueued and lf-replicad, on real servers on loopback: the
 * timeouts, the slots (a cap per address, the reserves for this node's
 * monitor and a replica), the descriptor limit and what happens when
 * descriptors run out, the replica's capacity, the segment's memory and
 * the LIST replies. Every wait is for a state the servers reach, with a
 * deadline.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_client.h"
#include "lf_file.h"
#include "lf_net.h"
#include "lf_proc.h"
#include "lf_segment.h"
#include "server_fixture.h"

/* --- the tests ----------------------------------------------------------- */

/* A segment larger than /dev/shm is refused at the start, with the reason,
 * instead of a SIGBUS at the first lock that does not fit. */
static void
replica_without_room_in_dev_shm_refuses_to_start(void **state)
{
    struct fx_pair *s = fx_new(state);

    if (geteuid() != 0) {
        skip(); /* a private /dev/shm needs a mount namespace */
    }
    s->ropt[s->nropt++] = "-m";
    s->ropt[s->nropt++] = "100000"; /* 40 MB */
    assert_int_equal(fx_run_replica(s, s->use_secret, "1m"), 1);
    assert_true(fx_log_contains(s->rlog, "do not fit in /dev/shm"));
    /* With room it starts. */
    assert_int_equal(fx_run_replica(s, s->use_secret, "64m"), 0);
}

/* A replica too small for the enqueue server's table is refused, on both
 * sides and in STATS (the agents' monitors), and taken once it is large
 * enough. */
static void
small_replica_is_refused(void **state)
{
    struct fx_pair *s = fx_new(state);
    struct lf_seg_info info;
    bool running = false;
    char value[64];
    int fd;

    s->eopt[s->neopt++] = "-m";
    s->eopt[s->neopt++] = "1000";
    fx_start_enqueue(s);
    fd = fx_stats_conn(s);
    s->ropt[s->nropt++] = "-m";
    s->ropt[s->nropt++] = "100";
    assert_int_equal(fx_run_replica(s, s->use_secret, NULL), 0);
    fx_wait_log(s->rlog, "the enqueue server refuses this replica: it may hold "
                         "1000 locks, this copy takes 100");
    fx_wait_log(s->elog, "refusing the replica on r-node: it takes 100 locks");
    fx_raw_stat(fd, "too_small", value, sizeof(value));
    assert_string_equal(value, "r-node:100");
    fx_raw_stat(fd, "replica", value, sizeof(value));
    assert_string_equal(value, "none");
    assert_int_equal(lf_seg_peek(s->instance, &info, &running), LF_SEG_OK);
    assert_int_equal(info.refused_need, 1000);
    /* Said once, however often it asks. */
    fx_wait_log(s->elog, "refusing the replica");
    assert_int_equal(fx_log_count(s->rlog, "refuses this replica"), 1);

    kill(s->r, SIGTERM);
    assert_int_equal(lf_proc_wait_gone(s->r, NULL, 10000), 0);
    s->r = 0;
    s->ropt[1] = "1000";
    assert_int_equal(fx_run_replica(s, s->use_secret, NULL), 0);
    fx_wait_stat(fd, "replica", "in-sync");
    fx_raw_stat(fd, "too_small", value, sizeof(value));
    assert_string_equal(value, "-");
    assert_int_equal(lf_seg_peek(s->instance, &info, &running), LF_SEG_OK);
    assert_int_equal(info.refused_need, 0);
}

/* With a secret, a connection that does not authenticate in time is
 * closed with the reason; one that did stays. */
static void
unauthenticated_connection_times_out(void **state)
{
    struct fx_pair *s = fx_new(state);
    struct lf_client c;
    struct lf_secret secret;
    const char *why = "";
    int fd;

    s->use_secret = true;
    fx_write_secret(s, "a shared secret for the limits tests\n");
    s->eopt[s->neopt++] = "-A";
    s->eopt[s->neopt++] = "300";
    fx_start_enqueue(s);
    assert_int_equal(lf_secret_load(s->secret, &secret, &why), 0);
    assert_int_equal(
        lf_client_open(&c, "127.0.0.1", s->port, 10000, &secret, &why), 0);
    fd = fx_raw_connect(s, NULL);
    fx_expect_prefix(fx_raw_line(fd), "LEAPFROG ");
    assert_string_equal(fx_raw_line(fd),
                        "ERR TIMEOUT no authentication within 300 ms");
    assert_string_equal(fx_raw_line(fd), "");
    /* The authenticated one was not touched. */
    {
        char reply[LF_LINE_MAX + 1];

        assert_int_equal(lf_client_call(&c, "PING", reply, sizeof(reply)), 0);
        assert_string_equal(reply, "OK PONG");
    }
    lf_client_close(&c);
}

/* A connection without a complete request for the idle time is closed:
 * also one that trickles a byte at a time and never ends its line. */
static void
idle_connection_times_out(void **state)
{
    struct fx_pair *s = fx_new(state);
    int idle;
    int slow;
    const char *line;

    s->eopt[s->neopt++] = "-I";
    s->eopt[s->neopt++] = "800";
    fx_start_enqueue(s);
    idle = fx_stats_conn(s);
    fx_send_text(idle, "PING\n");
    assert_string_equal(fx_raw_line(idle), "OK PONG");
    slow = fx_stats_conn(s);
    /* The server's reply ends the trickle (paced, not a wait). */
    for (int i = 0; i < 100; i++) {
        if (write(slow, "P", 1) != 1) {
            break;
        }
        struct timeval tv = {0, 50000};
        fd_set rd;

        FD_ZERO(&rd);
        FD_SET(slow, &rd);
        if (select(slow + 1, &rd, NULL, NULL, &tv) > 0) {
            break;
        }
    }
    line = fx_raw_line(slow);
    assert_string_equal(line, "ERR TIMEOUT no request for 800 ms");
    assert_string_equal(fx_raw_line(idle), "ERR TIMEOUT no request for 800 ms");
    assert_string_equal(fx_raw_line(idle), "");
}

/* One address gets its share of the slots, not the server's. */
static void
per_address_cap(void **state)
{
    struct fx_pair *s = fx_new(state);
    int fd;

    s->eopt[s->neopt++] = "-C";
    s->eopt[s->neopt++] = "3";
    fx_start_enqueue(s);
    /* 3 in the clients' share, then the 4 slots kept for this node
     * (loopback is this node), then no more from 127.0.0.7. */
    for (int i = 0; i < 7; i++) {
        fd = fx_raw_connect(s, "127.0.0.7");
        fx_expect_prefix(fx_raw_line(fd), "LEAPFROG ");
    }
    fd = fx_raw_connect(s, "127.0.0.7");
    fx_expect_prefix(fx_raw_line(fd), "ERR BUSY too many connections from this "
                                      "address (127.0.0.7)");
    assert_string_equal(fx_raw_line(fd), "");
    /* Another address is served. */
    fd = fx_raw_connect(s, "127.0.0.8");
    fx_expect_prefix(fx_raw_line(fd), "LEAPFROG ");
    fx_send_text(fd, "LOCK a b\n");
    assert_string_equal(fx_raw_line(fd), "UNREPLICATED OK");
}

/* A full server still admits the agent's monitor (from this node) and a
 * replica; anyone else in a replica's slot is refused. */
static void
full_server_admits_monitor_and_replica(void **state)
{
    struct fx_pair *s = fx_new(state);
    char from[32];
    int monitor;
    int fd;

    s->eopt[s->neopt++] = "-c";
    s->eopt[s->neopt++] = "14"; /* 8 for clients, 4 local, 2 replica */
    fx_start_enqueue(s);
    for (int i = 0; i < 8 + 3; i++) {
        snprintf(from, sizeof(from), "127.0.1.%d", i + 1);
        fd = fx_raw_connect(s, from);
        fx_expect_prefix(fx_raw_line(fd), "LEAPFROG ");
    }
    /* The monitor's connection takes the last slot kept for this node. */
    monitor = fx_stats_conn(s);
    /* Beyond: only a replica. */
    fd = fx_raw_connect(s, "127.0.2.1");
    fx_expect_prefix(fx_raw_line(fd), "LEAPFROG ");
    fx_send_text(fd, "LOCK a b\n");
    assert_string_equal(fx_raw_line(fd), "ERR BUSY the server is full; only a "
                                         "replica is admitted");
    assert_string_equal(fx_raw_line(fd), "");
    assert_int_equal(fx_run_replica(s, s->use_secret, NULL), 0);
    fx_wait_stat(monitor, "replica", "in-sync");
}

/* The connection limit fits the descriptor limit: with 64 descriptors
 * every connection is answered at once, greeted or told ERR BUSY; none
 * waits unanswered in the backlog while accept() fails. */
static void
connection_limit_fits_the_descriptor_limit(void **state)
{
    struct fx_pair *s = fx_new(state);
    char from[32];
    char value[32];
    int fd;

    s->nofile = 64;
    fx_start_enqueue(s);
    assert_true(fx_log_contains(s->elog, "at most 32 connections: the "
                                         "descriptor limit is 64"));
    fd = fx_stats_conn(s);
    fx_raw_stat(fd, "maxconns", value, sizeof(value));
    assert_string_equal(value, "32");
    for (int i = 0; i < 60; i++) {
        const char *line;

        snprintf(from, sizeof(from), "127.0.3.%d", i + 1);
        line = fx_raw_line(fx_raw_connect(s, from));
        if (strncmp(line, "ERR BUSY", 8) != 0) {
            fx_expect_prefix(line, "LEAPFROG ");
        }
    }
    /* Beyond the clients' and this node's slots the newest takes a
     * replica's slot, and the one before it is told ERR BUSY. */
    fx_raw_stat(fd, "refused", value, sizeof(value));
    assert_true(atoi(value) > 0);
    assert_false(fx_log_contains(s->elog, "Too many open files"));
}

/* Out of descriptors: accepts pause (said once per episode, no spinning)
 * and resume when descriptors are free again; waiting connections are
 * then served. */
static void
out_of_descriptors_pauses_accepts(void **state)
{
    struct fx_pair *s = fx_new(state);
    char path[64];
    struct rlimit rl;
    struct rlimit low;
    int open_fds = 0;
    int monitor;
    int waiting[3];

    fx_start_enqueue(s);
    monitor = fx_stats_conn(s);
    assert_int_equal(prlimit(s->e, RLIMIT_NOFILE, NULL, &rl), 0);
    snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)s->e, 0);
    for (int i = 0; i < 1024; i++) {
        snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)s->e, i);
        if (access(path, F_OK) == 0) {
            open_fds = i + 1;
        }
    }
    low = rl;
    low.rlim_cur = (rlim_t)open_fds;
    assert_int_equal(prlimit(s->e, RLIMIT_NOFILE, &low, NULL), 0);
    for (int i = 0; i < 3; i++) {
        waiting[i] = fx_raw_connect(s, NULL);
    }
    /* Several back-offs, one message. */
    {
        long long deadline = lf_now_ms() + 15000;
        char value[32];

        for (;;) {
            fx_raw_stat(monitor, "pauses", value, sizeof(value));
            if (atoi(value) >= 3) {
                break;
            }
            assert_true(lf_now_ms() < deadline);
            usleep(50000);
        }
    }
    assert_int_equal(fx_log_count(s->elog, "pausing accepts"), 1);
    assert_false(fx_log_contains(s->elog, "accept failed"));
    assert_int_equal(prlimit(s->e, RLIMIT_NOFILE, &rl, NULL), 0);
    for (int i = 0; i < 3; i++) {
        fx_expect_prefix(fx_raw_line(waiting[i]), "LEAPFROG ");
    }
    fx_wait_log(s->elog, "accepting connections again");
}

/* A LIST reply may hold the whole table's text until its reader takes it:
 * only a few are written at once, the next is told to try again. */
static void
list_replies_are_bounded(void **state)
{
    enum { LOCKS = 40000, BATCH = 500 };
    struct fx_pair *s = fx_new(state);
    char key[300];
    char buf[BATCH * 300];
    int readers[4];
    int fd;

    fx_start_enqueue(s);
    fd = fx_stats_conn(s);
    memset(key, 'k', 240);
    for (int i = 0; i < LOCKS; i += BATCH) {
        size_t used = 0;

        for (int j = i; j < i + BATCH; j++) {
            used += (size_t)snprintf(buf + used, sizeof(buf) - used,
                                     "LOCK %.240s%06d o\n", key, j);
        }
        fx_send_text(fd, buf);
        for (int j = i; j < i + BATCH; j++) {
            assert_string_equal(fx_raw_line(fd), "UNREPLICATED OK");
        }
    }
    /* Four readers that take nothing: 10 MB each, more than the socket
     * buffers hold (4 MB for sending, 128 kB for receiving). */
    for (int i = 0; i < 4; i++) {
        readers[i] = fx_stats_conn(s);
        fx_send_text(readers[i], "LIST\n");
        assert_string_equal(fx_raw_line(readers[i]), "OK 40000");
    }
    fx_send_text(fd, "LIST\n");
    assert_string_equal(fx_raw_line(fd), "ERR BUSY 4 LIST replies are being "
                                         "written; try again");
    /* One reader takes its reply, another goes away: a LIST is served
     * again. */
    {
        long lines = 0;

        while (lines < LOCKS) {
            ssize_t n = read(readers[0], buf, sizeof(buf));

            assert_true(n > 0);
            for (ssize_t i = 0; i < n; i++) {
                lines += (buf[i] == '\n');
            }
        }
        for (int i = 0; i < s->nfds; i++) {
            if (s->fds[i] == readers[1]) {
                s->fds[i] = -1; /* not closed twice */
            }
        }
        close(readers[1]);
    }
    {
        long long deadline = lf_now_ms() + 15000;

        for (;;) {
            const char *line;

            fx_send_text(fd, "LIST\n");
            line = fx_raw_line(fd);
            if (strcmp(line, "OK 40000") == 0) {
                break;
            }
            assert_string_equal(line, "ERR BUSY 4 LIST replies are being "
                                      "written; try again");
            assert_true(lf_now_ms() < deadline);
            usleep(20000);
        }
    }
}

/* An enqueue server before the capacity field (played by the test) takes
 * six fields in REPLICA and answers seven with ERR SYNTAX: the replica
 * asks again without its capacity. */
static void
replica_speaks_to_an_older_enqueue_server(void **state)
{
    struct fx_pair *s = fx_new(state);
    struct timeval tv = {.tv_sec = 10};
    const char *greeting = "LEAPFROG 3 0123456789abcdef0123456789abcdef "
                           "NOAUTH\n";
    int fields[2];
    int lfd;

    assert_int_equal(lf_net_listen("127.0.0.1", s->port, &lfd), 0);
    assert_int_equal(fx_run_replica(s, s->use_secret, NULL), 0);
    for (int i = 0; i < 2; i++) {
        struct pollfd pfd = {.fd = lfd, .events = POLLIN};
        const char *line;
        int fd;

        assert_int_equal(poll(&pfd, 1, 10000), 1);
        fd = accept(lfd, NULL, NULL);
        assert_true(fd >= 0);
        s->fds[s->nfds++] = fd;
        assert_int_equal(
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
        fx_send_text(fd, greeting);
        line = fx_raw_line(fd);
        fx_expect_prefix(line, "REPLICA ");
        fields[i] = 1;
        for (const char *at = line; *at != '\0'; at++) {
            fields[i] += (*at == ' ');
        }
        if (i == 0) {
            fx_send_text(fd, "ERR SYNTAX wrong number of arguments\n");
        }
    }
    close(lfd);
    assert_int_equal(fields[0], 7);
    assert_int_equal(fields[1], 6);
    assert_true(
        fx_log_contains(s->rlog, "does not take a capacity in REPLICA"));
}

static int
setup(void **state)
{
    static const struct fx_config config = {
        .name = "limits",
        .prefix = "sl",
        .pid_factor = 11,
        .test_factor = 17,
    };

    (void)state;
    return fx_setup(&config);
}

static int
teardown(void **state)
{
    (void)state;
    return fx_teardown();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(
            replica_without_room_in_dev_shm_refuses_to_start, fx_teardown_pair),
        cmocka_unit_test_teardown(small_replica_is_refused, fx_teardown_pair),
        cmocka_unit_test_teardown(replica_speaks_to_an_older_enqueue_server,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(unauthenticated_connection_times_out,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(idle_connection_times_out, fx_teardown_pair),
        cmocka_unit_test_teardown(per_address_cap, fx_teardown_pair),
        cmocka_unit_test_teardown(full_server_admits_monitor_and_replica,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(connection_limit_fits_the_descriptor_limit,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(out_of_descriptors_pauses_accepts,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(list_replies_are_bounded, fx_teardown_pair),
    };

    return cmocka_run_group_tests_name("limits", tests, setup, teardown);
}

/*
 * Integration tests of lf-enqueued and lf-replicad: real server processes
 * on loopback, real shared memory, the lf_client library as the client.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_auth.h"
#include "lf_client.h"
#include "lf_file.h"
#include "lf_net.h"
#include "lf_proc.h"
#include "lf_segment.h"
#include "server_fixture.h"

/* The timeouts of both servers are the smallest they take. */
static struct fx_pair *
new_pair(void **state)
{
    struct fx_pair *p = fx_new(state);

    p->timeout_ms = "2000";
    return p;
}

static void
start_replica_with(struct fx_pair *p, bool secret)
{
    assert_int_equal(fx_run_replica(p, secret, NULL), p->expect_replica_exit);
}

/* Poll a condition with a deadline: what the test waits for is a state
 * the servers reach, never a fixed delay. */
static bool
replica_in_sync(struct fx_pair *p)
{
    char value[32];

    fx_stat_value(p, "replica", value, sizeof(value));
    return strcmp(value, "in-sync") == 0;
}

static void
wait_in_sync(struct fx_pair *p)
{
    long long deadline = lf_now_ms() + 10000;

    while (!replica_in_sync(p)) {
        if (lf_now_ms() > deadline) {
            fail_msg("replica of %s never got in sync", p->instance);
        }
        usleep(20000);
    }
}

static void
wait_segment_state(struct fx_pair *p, enum lf_seg_state state)
{
    long long deadline = lf_now_ms() + 10000;
    struct lf_seg_info info;
    bool running = false;

    for (;;) {
        if (lf_seg_peek(p->instance, &info, &running) == LF_SEG_OK
            && info.state == state) {
            return;
        }
        if (lf_now_ms() > deadline) {
            fail_msg("segment of %s never reached state %s", p->instance,
                     lf_seg_state_str(state));
        }
        usleep(20000);
    }
}

static size_t
count_locks(struct fx_pair *p)
{
    char value[32];

    fx_stat_value(p, "locks", value, sizeof(value));
    return (size_t)strtoul(value, NULL, 10);
}

/* Lock i of a table of n: every tenth key shared by two owners. */
static void
take_locks(struct fx_pair *p, int n, const char *prefix)
{
    struct lf_client c;
    char request[128];

    fx_connect_client(p, &c);
    for (int i = 0; i < n; i++) {
        if (i % 10 == 0) {
            snprintf(request, sizeof(request), "LOCK %s-%05d own%d S", prefix,
                     i, i % 97);
            fx_call(&c, request, "OK");
            snprintf(request, sizeof(request), "LOCK %s-%05d other%d S", prefix,
                     i, i % 89);
            fx_call(&c, request, "OK");
        } else {
            snprintf(request, sizeof(request), "LOCK %s-%05d own%d", prefix, i,
                     i % 97);
            fx_call(&c, request, "OK");
        }
    }
    lf_client_close(&c);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* LIST, sorted: an array of "key owner mode" lines (free with
 * free_lines()). */
static char **
list_locks(struct fx_pair *p, size_t *count)
{
    struct lf_client c;
    char reply[LF_LINE_MAX + 1];
    char **lines;
    size_t n;

    fx_connect_client(p, &c);
    assert_int_equal(lf_client_call(&c, "LIST", reply, sizeof(reply)), 0);
    assert_int_equal(strncmp(reply, "OK ", 3), 0);
    n = strtoul(reply + 3, NULL, 10);
    lines = calloc(n + 1, sizeof(*lines));
    assert_non_null(lines);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(lf_client_read_line(&c, reply, sizeof(reply)), 0);
        lines[i] = strdup(reply);
    }
    lf_client_close(&c);
    qsort(lines, n, sizeof(*lines), cmp_str);
    *count = n;
    return lines;
}

static void
free_lines(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(lines[i]);
    }
    free(lines);
}

/* Every lock take_locks() took is there with its owner and mode, and
 * nothing else is. */
static size_t
expected_lines(char **want, size_t want_n, int n, const char *prefix)
{
    char line[128];

    for (int i = 0; i < n; i++) {
        if (i % 10 == 0) {
            snprintf(line, sizeof(line), "%s-%05d own%d S", prefix, i, i % 97);
            want[want_n++] = strdup(line);
            snprintf(line, sizeof(line), "%s-%05d other%d S", prefix, i,
                     i % 89);
            want[want_n++] = strdup(line);
        } else {
            snprintf(line, sizeof(line), "%s-%05d own%d X", prefix, i, i % 97);
            want[want_n++] = strdup(line);
        }
    }
    return want_n;
}

static void
verify_locks2(struct fx_pair *p, int n, const char *prefix, int n2,
              const char *prefix2)
{
    size_t want_n = 0;
    size_t got_n = 0;
    char **want = calloc((size_t)(n + n2) * 2 + 1, sizeof(*want));
    char **got = list_locks(p, &got_n);

    assert_non_null(want);
    want_n = expected_lines(want, want_n, n, prefix);
    if (prefix2 != NULL) {
        want_n = expected_lines(want, want_n, n2, prefix2);
    }
    qsort(want, want_n, sizeof(*want), cmp_str);
    assert_int_equal(got_n, want_n);
    for (size_t i = 0; i < want_n; i++) {
        if (strcmp(got[i], want[i]) != 0) {
            fail_msg("lock %zu: expected '%s', got '%s'", i, want[i], got[i]);
        }
    }
    free_lines(want, want_n);
    free_lines(got, got_n);
}

static void
verify_locks(struct fx_pair *p, int n, const char *prefix)
{
    verify_locks2(p, n, prefix, 0, NULL);
}

static void
takeover_of_10000_locks(void **state)
{
    struct fx_pair *p = new_pair(state);
    char value[32];

    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 10000, "key");
    assert_int_equal(count_locks(p), 11000);
    /* The enqueue server dies; a new one starts beside the replica. */
    fx_stop_pid(&p->e, SIGKILL);
    fx_start_enqueue(p);
    fx_stat_value(p, "adopted", value, sizeof(value));
    assert_string_equal(value, "11000");
    verify_locks(p, 10000, "key");
    assert_true(fx_log_contains(p->elog, "taking over 11000 locks"));
}

static void
refuses_copy_of_replica_killed_while_disconnected(void **state)
{
    struct fx_pair *p = new_pair(state);

    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 50, "k");
    fx_stop_pid(&p->e, SIGTERM);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    fx_stop_pid(&p->r, SIGKILL);
    fx_start_enqueue(p);
    assert_int_equal(count_locks(p), 0);
    assert_true(fx_log_contains(p->elog, "no longer runs"));
}

static void
refuses_copy_of_stopped_replica(void **state)
{
    struct fx_pair *p = new_pair(state);

    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 50, "k");
    fx_stop_pid(&p->r, SIGTERM);
    wait_segment_state(p, LF_SEG_STOPPED);
    fx_stop_pid(&p->e, SIGKILL);
    fx_start_enqueue(p);
    assert_int_equal(count_locks(p), 0);
    assert_true(fx_log_contains(p->elog, "not an in-sync copy"));
}

static void
refuses_copy_of_older_generation(void **state)
{
    struct fx_pair *p = new_pair(state);

    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 50, "k");
    fx_stop_pid(&p->e, SIGKILL);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    /* The cluster has served a later generation (the agent says so). */
    p->eopt[p->neopt++] = "-G";
    p->eopt[p->neopt++] = "1000";
    fx_start_enqueue(p);
    assert_int_equal(count_locks(p), 0);
    assert_true(fx_log_contains(p->elog, "older than what the cluster"));
}

/* Generations are the cluster's, not a node's: after a cold start a
 * node that once served a higher generation takes over a sound copy of a
 * lower one, and serves above both. */
static void
adopts_copy_below_this_nodes_record(void **state)
{
    struct fx_pair *p = new_pair(state);
    char path[PATH_MAX + 64];
    char value[32];

    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 50, "k");
    fx_stop_pid(&p->e, SIGKILL);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    snprintf(path, sizeof(path), "%s/%s.generation", p->statedir, p->instance);
    assert_int_equal(lf_file_write_atomic(path, "1000\n", 5, 0644), 0);
    fx_start_enqueue(p);
    verify_locks(p, 50, "k");
    fx_stat_value(p, "generation", value, sizeof(value));
    assert_string_equal(value, "1001");
}

static void
refuses_corrupted_copy(void **state)
{
    struct fx_pair *p = new_pair(state);
    char name[64];
    unsigned char *mem;
    size_t size = lf_seg_size(100000);
    int fd;

    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 50, "k");
    fx_stop_pid(&p->e, SIGKILL);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    lf_seg_name(p->instance, name, sizeof(name));
    fd = shm_open(name, O_RDWR, 0);
    assert_true(fd >= 0);
    mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(mem != MAP_FAILED);
    mem[sizeof(struct lf_seg_header) + 7 * sizeof(struct lf_seg_slot)
        + offsetof(struct lf_seg_slot, owner)] ^= 0x02;
    munmap(mem, size);
    close(fd);
    fx_start_enqueue(p);
    assert_int_equal(count_locks(p), 0);
    assert_true(fx_log_contains(p->elog, "segment is corrupt"));
}

static void
replica_resyncs_after_reconnect(void **state)
{
    struct fx_pair *p = new_pair(state);

    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 200, "a");
    /* A new enqueue server adopts, the replica reconnects to it and is
     * brought up to date with a full snapshot... (each start once the
     * replica has seen its server go: a copy that changes while it is
     * taken over is refused, rightly) */
    fx_stop_pid(&p->e, SIGKILL);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    fx_start_enqueue(p);
    wait_in_sync(p);
    take_locks(p, 100, "b");
    /* ...so the next takeover has both old and new locks. */
    fx_stop_pid(&p->e, SIGKILL);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    fx_start_enqueue(p);
    verify_locks2(p, 200, "a", 100, "b");
}

/* Losing the replica holds changes back (the safe default): new ones are
 * refused untouched, and a new replica in sync ends the hold. */
static void
restarted_replica_gets_full_copy(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct lf_seg_info info;
    struct lf_client c;
    bool running = false;
    long long deadline;
    char reply[LF_LINE_MAX + 1];

    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 100, "a");
    fx_stop_pid(&p->r, SIGKILL);
    /* The enqueue server sees it go and refuses changes... */
    deadline = lf_now_ms() + 10000;
    fx_connect_client(p, &c);
    for (;;) {
        assert_int_equal(lf_client_call(&c, "LOCK b-x o", reply, sizeof(reply)),
                         0);
        if (strncmp(reply, "ERR NOREPLICA", 13) == 0) {
            break;
        }
        assert_true(lf_now_ms() < deadline);
        fx_call(&c, "UNLOCK b-x o", reply);
        usleep(20000);
    }
    lf_client_close(&c);
    assert_int_equal(count_locks(p), 110);
    /* ...until a new replica caught up with all of it. */
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 100, "b");
    deadline = lf_now_ms() + 10000;
    while (lf_seg_peek(p->instance, &info, &running) != LF_SEG_OK
           || info.state != LF_SEG_IN_SYNC || info.nlocks != 220) {
        assert_true(lf_now_ms() < deadline);
        usleep(20000);
    }
    assert_true(running);
    fx_stop_pid(&p->e, SIGKILL);
    fx_start_enqueue(p);
    verify_locks2(p, 100, "a", 100, "b");
}

/* A client whose reads give up after timeout_ms. */
static void
connect_with_timeout(struct fx_pair *p, struct lf_client *c, int timeout_ms)
{
    const char *why = "";

    assert_int_equal(
        lf_client_open(c, "127.0.0.1", p->port, timeout_ms, NULL, &why), 0);
}

static void
wait_stat(struct fx_pair *p, const char *name, const char *want)
{
    long long deadline = lf_now_ms() + 15000;
    char value[64];

    for (;;) {
        fx_stat_value(p, name, value, sizeof(value));
        if (strcmp(value, want) == 0) {
            return;
        }
        if (lf_now_ms() > deadline) {
            fail_msg("STATS %s never became %s (is %s)", name, want, value);
        }
        usleep(20000);
    }
}

/* A reply parked for a replica that is then lost is not a plain "OK":
 * it waits out the hold, then says it is unreplicated. */
static void
parked_reply_is_not_ok_when_the_replica_is_lost(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct lf_client c;
    char reply[LF_LINE_MAX + 1];

    p->eopt[p->neopt++] = "-H";
    p->eopt[p->neopt++] = "4000";
    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    kill(p->r, SIGSTOP);
    connect_with_timeout(p, &c, 1000);
    assert_int_equal(lf_client_send(&c, "LOCK pk o"), 0);
    /* Not answered while the replica is silent... */
    assert_int_equal(lf_client_read_line(&c, reply, sizeof(reply)), ETIMEDOUT);
    /* ...nor when the server gives it up (2 s), until the hold ends. */
    c.timeout_ms = 10000;
    assert_int_equal(lf_client_read_line(&c, reply, sizeof(reply)), 0);
    assert_string_equal(reply, "UNREPLICATED OK");
    lf_client_close(&c);
    kill(p->r, SIGCONT);
}

/* "OK already held" repeats a grant: it waits for that grant's
 * acknowledgement, and is unreplicated when the grant is. */
static void
already_held_waits_for_its_grant(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct lf_client a;
    struct lf_client b;
    char reply[LF_LINE_MAX + 1];

    p->eopt[p->neopt++] = "-H";
    p->eopt[p->neopt++] = "4000";
    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    kill(p->r, SIGSTOP);
    connect_with_timeout(p, &a, 10000);
    connect_with_timeout(p, &b, 1000);
    assert_int_equal(lf_client_send(&a, "LOCK ah o"), 0);
    /* The same owner retries on another connection (a client after a
     * timeout): no "held" before the grant is on two nodes. */
    assert_int_equal(lf_client_send(&b, "LOCK ah o"), 0);
    assert_int_equal(lf_client_read_line(&b, reply, sizeof(reply)), ETIMEDOUT);
    b.timeout_ms = 10000;
    assert_int_equal(lf_client_read_line(&a, reply, sizeof(reply)), 0);
    assert_string_equal(reply, "UNREPLICATED OK");
    assert_int_equal(lf_client_read_line(&b, reply, sizeof(reply)), 0);
    assert_string_equal(reply, "UNREPLICATED OK already held");
    lf_client_close(&a);
    lf_client_close(&b);
    kill(p->r, SIGCONT);
}

/* The cluster confirms the replica gone (the agent's monitor signals
 * SIGUSR1): the hold ends at once. */
static void
confirmed_loss_ends_the_hold(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct lf_client c;

    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    fx_stop_pid(&p->r, SIGKILL);
    wait_stat(p, "replica", "none");
    fx_connect_client(p, &c);
    fx_call(&c, "LOCK h1 o",
            "ERR NOREPLICA no replica in sync; changes are held back for up to "
            "60 s more (nothing was changed)");
    kill(p->e, SIGUSR1);
    wait_stat(p, "hold", "0");
    fx_call(&c, "LOCK h1 o", "UNREPLICATED OK");
    lf_client_close(&c);
}

/* A replica that says it runs on the enqueue server's node (-N) is no
 * second copy: its acknowledgements do not make a plain OK. */
static void
replica_on_the_same_node_does_not_count(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct lf_client c;

    p->replica_node = "e-node";
    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_stat(p, "replica", "local");
    fx_connect_client(p, &c);
    fx_call(&c, "LOCK l1 o", "UNREPLICATED OK");
    lf_client_close(&c);
}

/* Availability first (-S): unreplicated at once, and said so. */
static void
serve_policy_answers_unreplicated(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct lf_client c;

    p->eopt[p->neopt++] = "-S";
    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    fx_stop_pid(&p->r, SIGKILL);
    wait_stat(p, "replica", "none");
    fx_connect_client(p, &c);
    fx_call(&c, "LOCK s1 o", "UNREPLICATED OK");
    fx_call(&c, "UNLOCK s1 o", "UNREPLICATED OK");
    lf_client_close(&c);
}

/* A copy the enqueue server stopped replicating to, to serve without it
 * (availability first), is never taken over. */
static void
dropped_copy_is_not_adopted(void **state)
{
    struct fx_pair *p = new_pair(state);

    p->eopt[p->neopt++] = "-S";
    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 50, "k");
    kill(p->r, SIGSTOP);
    wait_stat(p, "replica", "none");
    fx_stop_pid(&p->e, SIGKILL);
    kill(p->r, SIGCONT);
    wait_segment_state(p, LF_SEG_STALE);
    fx_start_enqueue(p);
    assert_int_equal(count_locks(p), 0);
    assert_true(fx_log_contains(p->elog, "not an in-sync copy (stale)"));
}

/* The replica hangs past the server's timeout, and the server dies while
 * it holds changes back: the copy is still current and is taken over. */
static void
held_back_copy_survives_the_servers_death(void **state)
{
    struct fx_pair *p = new_pair(state);

    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 50, "k");
    kill(p->r, SIGSTOP);
    wait_stat(p, "replica", "none");
    fx_stop_pid(&p->e, SIGKILL);
    kill(p->r, SIGCONT);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    fx_start_enqueue(p);
    verify_locks(p, 50, "k");
}

static bool
copy_expired(struct fx_pair *p)
{
    struct lf_seg_info info;
    bool running = false;

    return lf_seg_peek(p->instance, &info, &running) == LF_SEG_OK
           && lf_now_ms() - info.heard_ms > (long long)info.valid_ms;
}

/* A lost copy stays current only while its enqueue server holds changes
 * back; after that it is not taken over. */
static void
expired_copy_is_not_adopted(void **state)
{
    struct fx_pair *p = new_pair(state);
    long long deadline;

    /* Valid for 1 s after the hold of 8 s less the margins. */
    p->eopt[p->neopt++] = "-H";
    p->eopt[p->neopt++] = "8000";
    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 50, "k");
    fx_stop_pid(&p->e, SIGKILL);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    deadline = lf_now_ms() + 10000;
    while (!copy_expired(p)) {
        assert_true(lf_now_ms() < deadline);
        usleep(50000);
    }
    fx_start_enqueue(p);
    assert_int_equal(count_locks(p), 0);
    assert_true(fx_log_contains(p->elog, "longer ago than a copy stays valid"));
}

/* A replica refuses a snapshot older than its copy (an enqueue server
 * that is out of date) and keeps the copy. */
static void
replica_refuses_an_older_snapshot(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct lf_seg_info info;
    bool running = false;
    char other[sizeof(p->statedir) + 8];

    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 50, "k");
    fx_stop_pid(&p->e, SIGKILL);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    fx_start_enqueue(p); /* takes over: generation 2 */
    wait_in_sync(p);
    fx_stop_pid(&p->e, SIGKILL);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    /* A server with no record and no room for the copy: generation 1. */
    snprintf(other, sizeof(other), "%s/other", p->statedir);
    assert_int_equal(mkdir(other, 0755), 0);
    snprintf(p->statedir + strlen(p->statedir),
             sizeof(p->statedir) - strlen(p->statedir), "/other");
    p->eopt[p->neopt++] = "-m";
    p->eopt[p->neopt++] = "1";
    fx_start_enqueue(p);
    fx_wait_log(p->rlog, "refusing a snapshot of generation 1");
    assert_int_equal(lf_seg_peek(p->instance, &info, &running), LF_SEG_OK);
    assert_int_equal(info.generation, 2);
    assert_int_equal(info.nlocks, 55);
    assert_int_not_equal(info.state, LF_SEG_SYNCING);
}

/* A start that fails after loading the copy leaves it adoptable: it is
 * marked adopted only just before the server serves. */
static void
failed_start_keeps_the_copy(void **state)
{
    struct fx_pair *p = new_pair(state);
    char path[PATH_MAX + 64];

    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 50, "k");
    fx_stop_pid(&p->e, SIGKILL);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    /* The generation record cannot be written: the start fails. */
    snprintf(path, sizeof(path), "%s/%s.generation", p->statedir, p->instance);
    unlink(path);
    assert_int_equal(mkdir(path, 0755), 0);
    p->expect_exit = 1;
    fx_start_enqueue(p);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    assert_int_equal(rmdir(path), 0);
    p->expect_exit = 0;
    fx_start_enqueue(p);
    verify_locks(p, 50, "k");
}

/* The segment an adopter looks at never shows a copy half re-filled: a
 * replica re-syncing keeps the old copy until the new one is complete. */
static void
resync_never_shows_a_partial_copy(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct lf_seg_info info;
    bool running = false;
    bool partial = false;
    long long deadline;

    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 20000, "k");
    fx_stop_pid(&p->e, SIGKILL);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    fx_start_enqueue(p); /* adopts; the replica re-syncs from it */
    deadline = lf_now_ms() + 15000;
    for (;;) {
        enum lf_seg_verdict v = lf_seg_peek(p->instance, &info, &running);

        if (v == LF_SEG_OK && info.state == LF_SEG_SYNCING) {
            partial = true;
        }
        if (v == LF_SEG_OK && info.state == LF_SEG_IN_SYNC
            && info.generation == 2) {
            break;
        }
        assert_true(lf_now_ms() < deadline);
    }
    assert_false(partial);
    assert_int_equal(info.nlocks, 22000);
}

/* Start the replica with a /dev/shm of its own, as on another node. */
static void
start_remote_replica(struct fx_pair *p)
{
    char exe[PATH_MAX + 32];
    char port[8];
    char script[PATH_MAX * 4];

    snprintf(exe, sizeof(exe), "%s/lf-replicad", fx_bindir);
    snprintf(port, sizeof(port), "%u", p->port);
    snprintf(script, sizeof(script),
             "mount -t tmpfs tmpfs /dev/shm && exec '%s' -i %s -a 127.0.0.1 "
             "-p %s -P '%s' -L '%s' -t 2000 -N r-node",
             exe, p->instance, port, p->rpid, p->rlog);
    {
        char *argv[] = {
            "/usr/bin/unshare", "-m", "/bin/sh", "-c", script, NULL};

        assert_int_equal(fx_run_wait(argv, 0), 0);
    }
    p->r = fx_read_pid(p->rpid);
}

/* An enqueue server that starts where no local copy is takes the table
 * over the network from the in-sync replica elsewhere. */
static void
network_takeover(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct lf_client c;
    char value[32];

    if (geteuid() != 0) {
        skip(); /* a private /dev/shm needs a mount namespace */
    }
    fx_start_enqueue(p);
    start_remote_replica(p);
    wait_in_sync(p);
    take_locks(p, 500, "n");
    fx_stop_pid(&p->e, SIGKILL);
    p->eopt[p->neopt++] = "-W";
    p->eopt[p->neopt++] = "10000";
    fx_start_enqueue(p);
    fx_stat_value(p, "origin", value, sizeof(value));
    assert_string_equal(value, "network");
    fx_stat_value(p, "adopted", value, sizeof(value));
    assert_string_equal(value, "550");
    verify_locks(p, 500, "n");
    /* Held back until the replica has this generation's snapshot. */
    wait_in_sync(p);
    fx_connect_client(p, &c);
    fx_call(&c, "LOCK after o", "OK");
    lf_client_close(&c);
}

/* Told a replica runs elsewhere, a server that hears from none gives up
 * the start (it never starts empty then) and says why. */
static void
takeover_gives_up_without_a_replica(void **state)
{
    struct fx_pair *p = new_pair(state);

    p->eopt[p->neopt++] = "-W";
    p->eopt[p->neopt++] = "1000";
    p->expect_exit = 1;
    fx_start_enqueue(p);
    assert_true(fx_log_contains(p->elog, "did not hand over its copy within "
                                         "1000 ms"));
}

/* A replica with no current copy settles it: nothing to take over. */
static void
takeover_from_a_replica_without_a_copy(void **state)
{
    struct fx_pair *p = new_pair(state);
    char value[32];

    fx_start_replica(p);
    p->eopt[p->neopt++] = "-W";
    p->eopt[p->neopt++] = "10000";
    fx_start_enqueue(p);
    fx_stat_value(p, "origin", value, sizeof(value));
    assert_string_equal(value, "empty");
    assert_true(fx_log_contains(p->elog, "holds no current copy"));
    wait_in_sync(p);
}

/* Many clients at once: each takes its own locks, and all of them fight
 * over one hot key; a shared word records who believes it holds the hot
 * key, so two holders at once would be seen. */
static void
concurrent_clients(void **state)
{
    enum { CLIENTS = 16, OWN = 200, ROUNDS = 300 };
    struct fx_pair *p = new_pair(state);
    int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t kids[CLIENTS];

    assert_true(shared != MAP_FAILED);
    shared[0] = 0; /* current hot-key holder, 0 = none */
    shared[1] = 0; /* violations */
    shared[2] = 0; /* times the hot key was won */
    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    for (int k = 0; k < CLIENTS; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            struct lf_client c;
            char req[128];
            char reply[LF_LINE_MAX + 1];
            const char *why = "";
            int bad = 0;

            if (lf_client_open(&c, "127.0.0.1", p->port, 10000, NULL, &why)
                != 0) {
                _exit(2);
            }
            for (int i = 0; i < OWN; i++) {
                snprintf(req, sizeof(req), "LOCK c%d-%d c%d", k, i, k);
                if (lf_client_call(&c, req, reply, sizeof(reply)) != 0
                    || strcmp(reply, "OK") != 0) {
                    bad = 1;
                }
            }
            for (int i = 0; i < ROUNDS; i++) {
                snprintf(req, sizeof(req), "LOCK hot c%d", k);
                if (lf_client_call(&c, req, reply, sizeof(reply)) != 0) {
                    _exit(3);
                }
                if (strcmp(reply, "OK") != 0) {
                    continue;
                }
                if (__atomic_exchange_n(&shared[0], k + 1, __ATOMIC_SEQ_CST)
                    != 0) {
                    __atomic_add_fetch(&shared[1], 1, __ATOMIC_SEQ_CST);
                }
                __atomic_add_fetch(&shared[2], 1, __ATOMIC_SEQ_CST);
                __atomic_store_n(&shared[0], 0, __ATOMIC_SEQ_CST);
                snprintf(req, sizeof(req), "UNLOCK hot c%d", k);
                if (lf_client_call(&c, req, reply, sizeof(reply)) != 0
                    || strcmp(reply, "OK") != 0) {
                    bad = 1;
                }
            }
            lf_client_close(&c);
            _exit(bad);
        }
    }
    for (int k = 0; k < CLIENTS; k++) {
        int status = 0;

        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(shared[1], 0);
    assert_true(shared[2] > 0);
    assert_int_equal(count_locks(p), CLIENTS * OWN);
    munmap(shared, 4096);
}

static void
protocol_errors(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct lf_client c;
    char reply[LF_LINE_MAX + 1];
    char *big = malloc(100000);
    const char binary[] = "\x00\x01\xff\xfeLOCK\x00 a b\n";

    fx_start_enqueue(p);
    fx_connect_client(p, &c);
    fx_call(&c, "lock a b", "ERR UNKNOWN unknown command");
    fx_call(&c, "LOCK a", "ERR SYNTAX wrong number of arguments");
    fx_call(&c, "LOCK a b Z",
            "ERR SYNTAX mode must be X (exclusive) or "
            "S (shared)");
    fx_send(c.fd, binary, sizeof(binary) - 1);
    assert_int_equal(lf_client_read_line(&c, reply, sizeof(reply)), 0);
    assert_int_equal(strncmp(reply, "ERR SYNTAX", 10), 0);
    /* 100 kB without a newline, then one: one TOOLONG, then in step. */
    memset(big, 'x', 100000);
    fx_send(c.fd, big, 100000);
    fx_send(c.fd, "\nPING\n", 6);
    assert_int_equal(lf_client_read_line(&c, reply, sizeof(reply)), 0);
    assert_int_equal(strncmp(reply, "ERR TOOLONG", 11), 0);
    assert_int_equal(lf_client_read_line(&c, reply, sizeof(reply)), 0);
    assert_string_equal(reply, "OK PONG");
    /* Others were served all along, and still are. */
    /* No replica ever: served, and said to be unreplicated. */
    fx_call(&c, "LOCK a b", "UNREPLICATED OK");
    fx_call(&c, "UNLOCK a c", "ERR NOTHELD c does not hold a");
    fx_call(&c, "COUNT", "OK 1");
    lf_client_close(&c);
    free(big);
}

static void
shared_secret(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct lf_client c;
    struct lf_secret wrong;
    const char *why = "";
    char value[32];

    p->use_secret = true;
    fx_write_secret(p, "correct horse battery staple\n");
    fx_start_enqueue(p);
    /* Without the secret: only AUTH, PING and QUIT. */
    assert_int_equal(lf_client_open(&c, "127.0.0.1", p->port, 5000, NULL, &why),
                     EACCES);
    memset(&wrong, 0, sizeof(wrong));
    memcpy(wrong.data, "incorrect horse battery", 23);
    wrong.len = 23;
    assert_int_equal(
        lf_client_open(&c, "127.0.0.1", p->port, 5000, &wrong, &why), EACCES);
    fx_connect_client(p, &c);
    fx_call(&c, "LOCK k o", "UNREPLICATED OK");
    lf_client_close(&c);
    /* A replica without the secret is kept out... */
    start_replica_with(p, false);
    fx_wait_log(p->rlog, "requires a shared secret");
    fx_stat_value(p, "replica", value, sizeof(value));
    assert_string_equal(value, "none");
    fx_stop_pid(&p->r, SIGTERM);
    /* ...one with it gets in. */
    fx_start_replica(p);
    wait_in_sync(p);
}

/* The pair's secret as a credential of one role, for raw exchanges. */
static void
load_secret(struct fx_pair *p, struct lf_secret *secret)
{
    const char *why = "";

    assert_int_equal(lf_secret_load(p->secret, secret, &why), 0);
}

/* A client credential cannot act as the replica: it is refused, and the
 * replica that is attached stays in sync. */
static void
client_credential_cannot_become_the_replica(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct lf_secret secret;
    struct lf_client c;
    char reply[LF_LINE_MAX + 1];
    char request[128];

    p->use_secret = true;
    fx_write_secret(p, "correct horse battery staple\n");
    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    fx_connect_client(p, &c);
    snprintf(request, sizeof(request), "REPLICA %s evil-node 0 0 0",
             p->instance);
    assert_int_equal(lf_client_call(&c, request, reply, sizeof(reply)), 0);
    assert_string_equal(reply, "ERR AUTH only the replication credential may "
                               "act as the replica");
    lf_client_close(&c);
    assert_true(fx_log_contains(p->elog,
                                "authenticated as a client asked to be "
                                "the replica (node evil-node)"));
    assert_true(replica_in_sync(p));
    /* A client credential file lets a client in, never a replica. */
    {
        struct lf_secret cred;
        char text[LF_AUTH_CREDENTIAL_LEN + 2];
        char path[PATH_MAX + 8];
        const char *why = "";

        load_secret(p, &secret);
        assert_int_equal(lf_auth_client_credential(&secret, text), 0);
        strcat(text, "\n");
        snprintf(path, sizeof(path), "%s.client", p->secret);
        assert_int_equal(lf_file_write_atomic(path, text, strlen(text), 0600),
                         0);
        assert_int_equal(lf_secret_load(path, &cred, &why), 0);
        assert_true(cred.client_only);
        assert_int_equal(
            lf_client_open(&c, "127.0.0.1", p->port, 5000, &cred, &why), 0);
        fx_call(&c, "PING", "OK PONG");
        lf_client_close(&c);
        assert_int_equal(lf_client_open_as(&c, "127.0.0.1", p->port, 5000,
                                           &cred, LF_AUTH_REPLICA, &why),
                         EACCES);
        /* ...and a server will not start with one. */
        snprintf(p->secret + strlen(p->secret),
                 sizeof(p->secret) - strlen(p->secret), ".client");
        fx_stop_pid(&p->r, SIGTERM);
        {
            char exe[PATH_MAX + 32];
            char port[8];

            snprintf(exe, sizeof(exe), "%s/lf-replicad", fx_bindir);
            snprintf(port, sizeof(port), "%u", p->port);
            char *argv[] = {exe,  "-i", p->instance, "-a", "127.0.0.1", "-p",
                            port, "-k", p->secret,   "-f", NULL};

            assert_int_equal(fx_run_wait(argv, 0), 1);
        }
    }
}

/* A second replica while a healthy one is attached is refused and logged
 * (before, each knocked the other off, forever). */
static void
second_replica_is_refused(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct lf_secret secret;
    struct lf_client c;
    char reply[LF_LINE_MAX + 1];
    char request[128];
    const char *why = "";

    p->use_secret = true;
    fx_write_secret(p, "correct horse battery staple\n");
    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 20, "k");
    load_secret(p, &secret);
    assert_int_equal(lf_client_open_as(&c, "127.0.0.1", p->port, 5000, &secret,
                                       LF_AUTH_REPLICA, &why),
                     0);
    snprintf(request, sizeof(request), "REPLICA %s other-node 0 0 0",
             p->instance);
    assert_int_equal(lf_client_call(&c, request, reply, sizeof(reply)), 0);
    assert_string_equal(reply, "ERR BUSY a replica on r-node is attached and "
                               "healthy; only one replica at a time");
    lf_client_close(&c);
    assert_true(fx_log_contains(p->elog, "refusing a second replica (on "
                                         "other-node"));
    assert_true(replica_in_sync(p));
    /* The attached replica is the one still followed: it has every lock. */
    take_locks(p, 10, "m");
    fx_stop_pid(&p->e, SIGKILL);
    fx_start_enqueue(p);
    verify_locks2(p, 20, "k", 10, "m");
}

/* A fake enqueue server: it greets, reads one line and answers with reply
 * (NULL: nothing), then reports whether the peer sent anything more before
 * it closed. */
struct fake_server {
    int listen_fd;
    const char *greeting_mode; /* "AUTH" or "NOAUTH" */
    const char *reply;
    bool got_more;
    char more[LF_LINE_MAX + 1];
};

static void
fake_serve_once(struct fake_server *f)
{
    struct lf_buf in;
    char greeting[128];
    const char *line = NULL;
    size_t len = 0;
    int lines = 0;
    int fd;

    assert_int_equal(lf_net_wait(f->listen_fd, POLLIN, 10000), 0);
    fd = accept(f->listen_fd, NULL, NULL);
    assert_true(fd >= 0);
    snprintf(greeting, sizeof(greeting),
             "LEAPFROG 3 00112233445566778899aabbccddeeff %s\n",
             f->greeting_mode);
    fx_send(fd, greeting, strlen(greeting));
    lf_buf_init(&in, 64 * 1024);
    f->got_more = false;
    for (;;) {
        enum lf_line_rc got = lf_buf_next_line(&in, 4096, &line, &len);
        size_t n = 0;
        int rc;

        if (got == LF_LINE_READY) {
            lines++;
            if (lines == 1 && f->reply != NULL) {
                fx_send(fd, f->reply, strlen(f->reply));
                continue;
            }
            if (lines > 1 || f->reply == NULL) {
                f->got_more = true;
                snprintf(f->more, sizeof(f->more), "%.*s", (int)len, line);
                break;
            }
            continue;
        }
        if (lf_net_wait(fd, POLLIN, 10000) != 0) {
            break;
        }
        rc = lf_buf_read_fd(&in, fd, &n);
        if ((rc == 0 && n == 0) || (rc != 0 && rc != EAGAIN)) {
            break; /* the peer closed */
        }
    }
    lf_buf_free(&in);
    close(fd);
}

/* Clients and the replica check the server too: a server that does not
 * ask for the secret, or answers AUTH without knowing it, is refused
 * (before, a client with a secret took any server's word). */
static void
fake_server_is_refused(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct fake_server f = {.listen_fd = -1};
    struct lf_secret secret;
    struct lf_client c;
    const char *why = "";
    pid_t child;
    int status = 0;

    fx_write_secret(p, "correct horse battery staple\n");
    load_secret(p, &secret);
    assert_int_equal(lf_net_listen("127.0.0.1", p->port, &f.listen_fd), 0);
    /* A server that asks for nothing. */
    child = fork();
    if (child == 0) {
        f.greeting_mode = "NOAUTH";
        f.reply = NULL;
        fake_serve_once(&f);
        _exit(f.got_more ? 1 : 0);
    }
    assert_int_equal(
        lf_client_open(&c, "127.0.0.1", p->port, 5000, &secret, &why), EACCES);
    assert_non_null(strstr(why, "does not ask for the shared secret"));
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_int_equal(WEXITSTATUS(status), 0);
    /* A server that says OK without the proof of the secret. */
    child = fork();
    if (child == 0) {
        f.greeting_mode = "AUTH";
        f.reply = "OK 00000000000000000000000000000000000000000000000000000"
                  "00000000000\n";
        fake_serve_once(&f);
        _exit(f.got_more ? 1 : 0);
    }
    assert_int_equal(
        lf_client_open(&c, "127.0.0.1", p->port, 5000, &secret, &why), EACCES);
    assert_non_null(strstr(why, "could not prove it knows the shared secret"));
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_int_equal(WEXITSTATUS(status), 0);
    /* The replica never introduces itself to such a server. */
    child = fork();
    if (child == 0) {
        f.greeting_mode = "AUTH";
        f.reply = "OK 00000000000000000000000000000000000000000000000000000"
                  "00000000000\n";
        fake_serve_once(&f);
        if (f.got_more) {
            fprintf(stderr, "the replica sent: %s\n", f.more);
        }
        _exit(f.got_more ? 1 : 0);
    }
    p->use_secret = true;
    fx_start_replica(p);
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_int_equal(WEXITSTATUS(status), 0);
    fx_wait_log(p->rlog, "could not prove it knows the shared secret");
    close(f.listen_fd);
}

/* After AUTH every line carries its MAC: a line altered on the way, or a
 * recorded one sent again, ends the connection unserved. */
static void
altered_or_replayed_line_is_refused(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct lf_client c;
    char wire[LF_LINE_MAX + LF_AUTH_TAG_WIRE + 2];
    char reply[LF_LINE_MAX + 1];
    struct lf_session copy;
    size_t n;

    p->use_secret = true;
    fx_write_secret(p, "correct horse battery staple\n");
    fx_start_enqueue(p);
    fx_connect_client(p, &c);
    fx_call(&c, "LOCK a o", "UNREPLICATED OK");
    /* Altered: the tag of "LOCK b o" on "LOCK c o". */
    copy = c.session;
    n = lf_session_seal_line(&copy, "LOCK b o", 8, wire);
    wire[5] = 'c';
    fx_send(c.fd, wire, n);
    assert_int_not_equal(lf_client_read_line(&c, reply, sizeof(reply)), 0);
    lf_client_close(&c);
    /* Replayed: the same sealed line twice. */
    fx_connect_client(p, &c);
    n = lf_session_seal_line(&c.session, "UNLOCK a o", 10, wire);
    fx_send(c.fd, wire, n);
    assert_int_equal(lf_client_read_line(&c, reply, sizeof(reply)), 0);
    assert_string_equal(reply, "UNREPLICATED OK");
    fx_send(c.fd, wire, n);
    assert_int_not_equal(lf_client_read_line(&c, reply, sizeof(reply)), 0);
    lf_client_close(&c);
    /* A line without a tag, after AUTH. */
    fx_connect_client(p, &c);
    fx_send(c.fd, "LOCK d o\n", 9);
    assert_int_not_equal(lf_client_read_line(&c, reply, sizeof(reply)), 0);
    lf_client_close(&c);
    fx_connect_client(p, &c);
    fx_call(&c, "COUNT", "OK 0"); /* neither c nor d, and a released */
    lf_client_close(&c);
    assert_true(fx_log_contains(p->elog, "failed its integrity check"));
}

static void
bad_secret_file_refused(void **state)
{
    struct fx_pair *p = new_pair(state);
    char exe[PATH_MAX + 32];
    char port[8];

    fx_write_secret(p, "short");
    snprintf(exe, sizeof(exe), "%s/lf-enqueued", fx_bindir);
    snprintf(port, sizeof(port), "%u", p->port);
    {
        char *argv[] = {exe,  "-i",        p->instance, "-p",      port,
                        "-s", p->statedir, "-k",        p->secret, NULL};

        assert_int_equal(fx_run_wait(argv, 0), 1);
    }
    chmod(p->secret, 0644);
    fx_write_secret(p, "long enough secret text");
    chmod(p->secret, 0644);
    {
        char *argv[] = {exe,  "-i",        p->instance, "-p",      port,
                        "-s", p->statedir, "-k",        p->secret, NULL};

        assert_int_equal(fx_run_wait(argv, 0), 1);
    }
    {
        char *argv[] = {exe, "-i", "bad/name", NULL};

        assert_int_equal(fx_run_wait(argv, 0), 2);
    }
}

/* How a test forges the copy a new enqueue server finds. */
enum forgery {
    FORGED_OWNER,   /* another user's file */
    FORGED_MODE,    /* readable by others */
    FORGED_LINK,    /* a second hard link */
    FORGED_SYMLINK, /* a symbolic link to the copy */
};

/* A sound, current copy of a live replica, that is not the service
 * user's own: refused, the server starts empty, the file stays. */
static void
forged_copy_is_refused(void **state, enum forgery how)
{
    struct fx_pair *p = new_pair(state);
    char name[64];
    char path[128];
    struct stat st;

    if (how == FORGED_OWNER && geteuid() != 0) {
        skip();
    }
    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 50, "k");
    fx_stop_pid(&p->e, SIGKILL);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    lf_seg_name(p->instance, name, sizeof(name));
    snprintf(path, sizeof(path), "%s%s", LF_SEG_DIR, name);
    snprintf(p->planted, sizeof(p->planted), "%s/lfst-%s", LF_SEG_DIR,
             p->instance);
    switch (how) {
    case FORGED_OWNER:
        assert_int_equal(chown(path, 65534, 65534), 0);
        break;
    case FORGED_MODE:
        assert_int_equal(chmod(path, 0644), 0);
        break;
    case FORGED_LINK:
        assert_int_equal(link(path, p->planted), 0);
        break;
    case FORGED_SYMLINK:
        assert_int_equal(rename(path, p->planted), 0);
        assert_int_equal(symlink(p->planted, path), 0);
        break;
    }
    fx_start_enqueue(p);
    assert_int_equal(count_locks(p), 0);
    assert_true(fx_log_contains(p->elog, "not the service user's own"));
    /* Left for the administrator: neither deleted nor changed hands. */
    assert_int_equal(lstat(path, &st), 0);
    if (how == FORGED_OWNER) {
        assert_int_equal(st.st_uid, 65534);
    } else if (how == FORGED_SYMLINK) {
        assert_true(S_ISLNK(st.st_mode));
    }
}

static void
refuses_copy_of_another_user(void **state)
{
    forged_copy_is_refused(state, FORGED_OWNER);
}

static void
refuses_copy_readable_by_others(void **state)
{
    forged_copy_is_refused(state, FORGED_MODE);
}

static void
refuses_copy_with_a_hard_link(void **state)
{
    forged_copy_is_refused(state, FORGED_LINK);
}

static void
refuses_copy_behind_a_symbolic_link(void **state)
{
    forged_copy_is_refused(state, FORGED_SYMLINK);
}

/* The servers open their log file as root: a link planted there (say to
 * a file of /etc) stops the start, and its target is not written. */
static void
log_file_link_is_refused(void **state)
{
    struct fx_pair *p = new_pair(state);
    char target[PATH_MAX + 16];
    char text[16];

    snprintf(target, sizeof(target), "%s/passwd", p->statedir);
    assert_int_equal(lf_file_write_atomic(target, "keep\n", 5, 0644), 0);
    assert_int_equal(symlink(target, p->elog), 0);
    assert_int_equal(symlink(target, p->rlog), 0);
    p->expect_exit = 1;
    fx_start_enqueue(p);
    p->expect_replica_exit = 1;
    fx_start_replica(p);
    assert_int_equal(lf_file_read_small(target, text, sizeof(text)), 0);
    assert_string_equal(text, "keep");
}

/* The state directory is prepared as root: never through a link. */
static void
state_directory_link_is_refused(void **state)
{
    struct fx_pair *p = new_pair(state);
    char real[PATH_MAX + 16];
    char record[PATH_MAX + 64];

    snprintf(real, sizeof(real), "%s/real", p->statedir);
    assert_int_equal(mkdir(real, 0755), 0);
    assert_true(strlen(p->statedir) + 6 < sizeof(p->statedir));
    strcat(p->statedir, "/link");
    assert_int_equal(symlink(real, p->statedir), 0);
    p->expect_exit = 1;
    fx_start_enqueue(p);
    snprintf(record, sizeof(record), "%s/%s.generation", real, p->instance);
    assert_int_equal(access(record, F_OK), -1);
}

/* A segment name another user made first (anyone may create names in
 * /dev/shm; after an upgrade, the servers' former user's): the replica
 * moves it aside, whole, and writes a segment of its own. */
static void
replica_moves_a_foreign_segment_aside(void **state)
{
    struct fx_pair *p = new_pair(state);
    char name[64];
    char path[128];
    char pattern[160];
    char text[16];
    struct stat st;
    glob_t g;
    int fd;

    if (geteuid() != 0) {
        skip();
    }
    lf_seg_name(p->instance, name, sizeof(name));
    snprintf(path, sizeof(path), "%s%s", LF_SEG_DIR, name);
    fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0666);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "forged\n", 7), 7);
    assert_int_equal(fchown(fd, 65534, 65534), 0);
    close(fd);
    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    assert_true(fx_log_contains(p->rlog, "moved aside to"));
    snprintf(pattern, sizeof(pattern), "%s@aside-65534-*", path);
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    assert_int_equal(g.gl_pathc, 1);
    assert_int_equal(lf_file_read_small(g.gl_pathv[0], text, sizeof(text)), 0);
    assert_string_equal(text, "forged");
    globfree(&g);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_uid, 0);
    assert_int_equal(st.st_mode & 07777, 0600);
}

/* Both servers as an unprivileged service user (nobody here), as the
 * agents run them: the follow still adopts the copy, which that user
 * wrote; a copy root wrote is not that user's own. */
static void
service_user_adopts_its_own_copy_only(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct stat st;
    char value[32];

    if (geteuid() != 0) {
        skip();
    }
    p->eopt[p->neopt++] = "-u";
    p->eopt[p->neopt++] = "nobody";
    p->replica_user = "nobody";
    fx_start_enqueue(p);
    fx_start_replica(p);
    wait_in_sync(p);
    take_locks(p, 50, "k");
    assert_int_equal(stat(p->statedir, &st), 0);
    assert_int_equal(st.st_uid, 65534);
    assert_int_equal(stat(p->elog, &st), 0);
    assert_int_equal(st.st_uid, 65534);
    fx_stop_pid(&p->e, SIGKILL);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    fx_start_enqueue(p);
    fx_stat_value(p, "adopted", value, sizeof(value));
    assert_int_not_equal(atoi(value), 0);
    verify_locks(p, 50, "k");
    /* A replica running as root writes a copy nobody does not own. */
    fx_stop_pid(&p->r, SIGTERM);
    p->replica_user = NULL;
    /* (Its log, nobody's, is not root's to append to: refused.) */
    snprintf(p->rlog, sizeof(p->rlog), "%s/r-root.log", p->statedir);
    fx_start_replica(p);
    wait_in_sync(p);
    fx_stop_pid(&p->e, SIGKILL);
    wait_segment_state(p, LF_SEG_DISCONNECTED);
    fx_start_enqueue(p);
    assert_int_equal(count_locks(p), 0);
    assert_true(fx_log_contains(p->elog,
                                "not the service user's own: left "
                                "untouched for the administrator (this "
                                "user may not open it)"));
}

/* After an upgrade from servers that ran as hacluster, the state
 * directory is taken over; one of any other user is refused. */
static void
state_directory_of_former_user_is_taken_over(void **state)
{
    struct fx_pair *p = new_pair(state);
    uid_t uid = 0;
    gid_t gid = 0;
    struct stat st;

    if (geteuid() != 0 || lf_proc_lookup_user("hacluster", &uid, &gid) != 0) {
        skip();
    }
    p->eopt[p->neopt++] = "-u";
    p->eopt[p->neopt++] = "nobody";
    assert_int_equal(chown(p->statedir, 12345, 12345), 0);
    p->expect_exit = 1;
    fx_start_enqueue(p);
    assert_int_equal(stat(p->statedir, &st), 0);
    assert_int_equal(st.st_uid, 12345);
    assert_true(fx_log_contains(p->elog, "belongs to another user"));
    assert_int_equal(chown(p->statedir, uid, gid), 0);
    p->expect_exit = 0;
    fx_start_enqueue(p);
    assert_int_equal(stat(p->statedir, &st), 0);
    assert_int_equal(st.st_uid, 65534);
    assert_true(fx_log_contains(p->elog, "belonged to hacluster"));
}

/* A large snapshot outlasts the silence timeout on both sides: the
 * replica says HB while it takes the snapshot in (the enqueue server
 * keeps it), and the enqueue server's lines keep the replica waiting.
 * Slowness is the fault injected here: the test's peer reads or writes
 * in small steps with pauses, several timeouts long (the timeouts are
 * the smallest the servers take, 2000 ms). */
#define SLOW_LOCKS 3000
#define SLOW_STEP_US 250000
#define SLOW_STEPS 20 /* of 250 ms: two and a half timeouts */
#define SLOW_STEP_BYTES 2048

/* Locks with long keys: a snapshot of some 700 kB. */
static void
take_long_locks(struct fx_pair *p, int n)
{
    struct lf_client c;
    char request[LF_LINE_MAX + 1];
    char pad[201];

    memset(pad, 'x', 200);
    pad[200] = '\0';
    fx_connect_client(p, &c);
    for (int i = 0; i < n; i++) {
        snprintf(request, sizeof(request), "LOCK big-%05d-%s own%d", i, pad,
                 i % 97);
        fx_call(&c, request, "UNREPLICATED OK");
    }
    lf_client_close(&c);
}

/* A replica played by the test on a plain client connection. */
struct fake_replica {
    struct lf_client c;
    struct lf_buf in;
    size_t entries;  /* S lines read */
    size_t expected; /* as SNAPSHOT said */
    bool synced;     /* SYNC read */
    unsigned long long sync_seq;
    bool closed; /* the enqueue server closed the connection */
};

static void
fake_replica_attach(struct fx_pair *p, struct fake_replica *f)
{
    char request[128];

    memset(f, 0, sizeof(*f));
    fx_connect_client(p, &f->c);
    lf_buf_init(&f->in, 1 << 20);
    snprintf(request, sizeof(request), "REPLICA %s f-node 0 0 0\n",
             p->instance);
    fx_send(f->c.fd, request, strlen(request));
}

/* Read at most max bytes of the stream (waiting for the first) and take
 * in every complete line. */
static void
fake_replica_read(struct fake_replica *f, size_t max)
{
    char chunk[SLOW_STEP_BYTES];
    const char *line = NULL;
    size_t len = 0;
    ssize_t n;

    if (f->closed || lf_net_wait(f->c.fd, POLLIN, 10000) != 0) {
        return;
    }
    n = read(f->c.fd, chunk, max < sizeof(chunk) ? max : sizeof(chunk));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        f->closed = true;
        return;
    }
    assert_int_equal(lf_buf_append(&f->in, chunk, (size_t)n), 0);
    while (lf_buf_next_line(&f->in, LF_LINE_MAX, &line, &len)
           == LF_LINE_READY) {
        char text[LF_LINE_MAX + 1];
        unsigned long long a = 0;
        unsigned long long b = 0;

        snprintf(text, sizeof(text), "%.*s", (int)len, line);
        if (strncmp(text, "S ", 2) == 0) {
            f->entries++;
        } else if (sscanf(text, "SNAPSHOT %llu %llu", &a, &b) == 2) {
            f->expected = (size_t)b;
        } else if (sscanf(text, "SYNC %llu", &a) == 1) {
            f->synced = true;
            f->sync_seq = a;
        } else if (strcmp(text, "HB") != 0) {
            fail_msg("the enqueue server sent '%s'", text);
        }
    }
}

/* A line to the enqueue server, unless it closed the connection. */
static void
fake_replica_say(struct fake_replica *f, const char *line)
{
    size_t len = strlen(line);

    if (!f->closed && send(f->c.fd, line, len, MSG_NOSIGNAL) != (ssize_t)len) {
        assert_true(errno == EPIPE || errno == ECONNRESET);
        f->closed = true;
    }
}

static void
fake_replica_close(struct fake_replica *f)
{
    lf_buf_free(&f->in);
    lf_client_close(&f->c);
}

static void
slow_replica_is_kept_through_its_snapshot(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct fake_replica f;
    char value[32];
    char ack[64];
    long long deadline;

    fx_start_enqueue(p);
    take_long_locks(p, SLOW_LOCKS);
    fake_replica_attach(p, &f);
    /* 40 kB of the snapshot in 5 s, saying HB every 500 ms (the real
     * replica: every second). */
    for (int i = 0; i < SLOW_STEPS; i++) {
        usleep(SLOW_STEP_US);
        if (i % 2 == 1) {
            fake_replica_say(&f, "HB\n");
        }
        fake_replica_read(&f, SLOW_STEP_BYTES);
        if (f.closed) {
            fail_msg("the enqueue server closed the replica's connection "
                     "after %d steps of its snapshot",
                     i + 1);
        }
    }
    assert_false(f.synced);
    assert_int_equal(f.expected, SLOW_LOCKS);
    fx_stat_value(p, "replica", value, sizeof(value));
    assert_string_equal(value, "syncing");
    assert_false(fx_log_contains(p->elog, "replica lost"));
    /* The rest at full speed: all of it, then the acknowledgement. */
    deadline = lf_now_ms() + 10000;
    while (!f.synced && !f.closed && lf_now_ms() < deadline) {
        fake_replica_read(&f, SLOW_STEP_BYTES);
    }
    assert_false(f.closed);
    assert_true(f.synced);
    assert_int_equal(f.entries, SLOW_LOCKS);
    snprintf(ack, sizeof(ack), "ACK %llu\n", f.sync_seq);
    fake_replica_say(&f, ack);
    assert_false(f.closed);
    wait_stat(p, "replica", "in-sync");
    assert_false(fx_log_contains(p->elog, "replica lost"));
    fake_replica_close(&f);
}

/* The same slow reader, silent: dropped once its timeout passes (the
 * test above would fail so if the server did not take HB as a sign of
 * life). */
static void
silent_replica_is_dropped_during_its_snapshot(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct fake_replica f;
    long long deadline;

    fx_start_enqueue(p);
    take_long_locks(p, SLOW_LOCKS);
    fake_replica_attach(p, &f);
    deadline = lf_now_ms() + 10000;
    while (!fx_log_contains(p->elog, "replica lost (it has been silent too "
                                     "long) in state syncing")) {
        if (lf_now_ms() > deadline) {
            fail_msg("a silent replica was never dropped");
        }
        usleep(SLOW_STEP_US);
        fake_replica_read(&f, SLOW_STEP_BYTES);
    }
    wait_stat(p, "replica", "none");
    /* Its connection ends (what the kernel held still comes first). */
    deadline = lf_now_ms() + 10000;
    while (!f.closed && lf_now_ms() < deadline) {
        fake_replica_read(&f, SLOW_STEP_BYTES);
    }
    assert_true(f.closed);
    fake_replica_close(&f);
}

/* The replica's side: the test plays the enqueue server and trickles a
 * snapshot, ten lines every 100 ms against the replica's 2000 ms silence
 * timeout, until the replica has said HB six times (over five seconds,
 * two and a half timeouts). The real enqueue server sends nothing else
 * in the middle of a snapshot: its own HB queue up behind it. */
#define TRICKLE_LOCKS 1000
#define TRICKLE_LINES 10
#define TRICKLE_STEP_US 100000
#define TRICKLE_HB 6

static void
trickle_line(int fd, int i)
{
    char line[64];

    snprintf(line, sizeof(line), "S X key-%05d own%d\n", i, i % 13);
    fx_send(fd, line, strlen(line));
}

/* Lines from the replica: the number of HB; *acked when "ACK want" came. */
static int
replica_lines(struct lf_buf *in, int fd, int wait_ms, const char *want,
              bool *acked)
{
    const char *line = NULL;
    size_t len = 0;
    int hb = 0;
    size_t n = 0;
    int rc;

    if (lf_net_wait(fd, POLLIN, wait_ms) != 0) {
        return 0;
    }
    rc = lf_buf_read_fd(in, fd, &n);
    if ((rc == 0 && n == 0) || (rc != 0 && rc != EAGAIN && rc != EINTR)) {
        fail_msg("the replica closed the connection");
    }
    while (lf_buf_next_line(in, LF_LINE_MAX, &line, &len) == LF_LINE_READY) {
        if (len == 2 && strncmp(line, "HB", 2) == 0) {
            hb++;
        } else if (want != NULL && len == strlen(want)
                   && strncmp(line, want, len) == 0) {
            *acked = true;
        } else {
            fail_msg("the replica sent '%.*s'", (int)len, line);
        }
    }
    return hb;
}

static void
replica_takes_a_slow_snapshot(void **state)
{
    struct fx_pair *p = new_pair(state);
    const char greeting[] =
        "LEAPFROG 3 00112233445566778899aabbccddeeff NOAUTH\n";
    char expect[128];
    char snapshot[64];
    struct lf_buf in;
    struct lf_seg_info info;
    const char *line = NULL;
    size_t len = 0;
    size_t n = 0;
    bool running = false;
    bool acked = false;
    long long deadline;
    int listen_fd = -1;
    int fd;
    int sent = 0;
    int hb = 0;

    assert_int_equal(lf_net_listen("127.0.0.1", p->port, &listen_fd), 0);
    fx_start_replica(p);
    assert_int_equal(lf_net_wait(listen_fd, POLLIN, 10000), 0);
    fd = accept(listen_fd, NULL, NULL);
    assert_true(fd >= 0);
    fx_send(fd, greeting, sizeof(greeting) - 1);
    lf_buf_init(&in, 64 * 1024);
    deadline = lf_now_ms() + 10000;
    while (lf_buf_next_line(&in, LF_LINE_MAX, &line, &len) != LF_LINE_READY) {
        assert_true(lf_now_ms() < deadline);
        assert_int_equal(lf_net_wait(fd, POLLIN, 10000), 0);
        assert_int_equal(lf_buf_read_fd(&in, fd, &n), 0);
        assert_true(n > 0);
    }
    snprintf(expect, sizeof(expect), "REPLICA %s r-node 0 0 0 ", p->instance);
    assert_int_equal(strncmp(line, expect, strlen(expect)), 0);
    snprintf(snapshot, sizeof(snapshot), "SNAPSHOT 7 %d 60000\n",
             TRICKLE_LOCKS);
    fx_send(fd, snapshot, strlen(snapshot));
    while (hb < TRICKLE_HB) {
        if (sent + TRICKLE_LINES > TRICKLE_LOCKS) {
            fail_msg("the replica said HB %d times in %d lines of a snapshot",
                     hb, sent);
        }
        for (int i = 0; i < TRICKLE_LINES; i++) {
            trickle_line(fd, sent++);
        }
        usleep(TRICKLE_STEP_US);
        hb += replica_lines(&in, fd, 0, NULL, NULL);
    }
    assert_false(fx_log_contains(p->rlog, "silent"));
    /* The rest at once, then the acknowledgement of the SYNC. */
    while (sent < TRICKLE_LOCKS) {
        trickle_line(fd, sent++);
    }
    fx_send(fd, "SYNC 0\n", 7);
    deadline = lf_now_ms() + 10000;
    while (!acked) {
        if (lf_now_ms() > deadline) {
            fail_msg("the replica never acknowledged the snapshot");
        }
        (void)replica_lines(&in, fd, 1000, "ACK 0", &acked);
    }
    assert_int_equal(lf_seg_peek(p->instance, &info, &running), LF_SEG_OK);
    assert_int_equal(info.state, LF_SEG_IN_SYNC);
    assert_int_equal(info.nlocks, TRICKLE_LOCKS);
    assert_int_equal(info.generation, 7);
    /* One connection all along: it never gave up and came back. */
    assert_false(fx_log_contains(p->rlog, "silent"));
    assert_false(fx_log_contains(p->rlog, "connection to the enqueue server "
                                          "ended"));
    lf_buf_free(&in);
    close(fd);
    close(listen_fd);
}

/* A silence timeout below twice the other side's 1 s heartbeat is
 * refused (before, -t 500 made an idle pair in good health drop each
 * other every second, the enqueue server holding changes back each
 * time). */
static void
timeout_below_the_heartbeat_is_refused(void **state)
{
    struct fx_pair *p = new_pair(state);
    char exe[PATH_MAX + 32];
    char port[8];

    p->eopt[p->neopt++] = "-t";
    p->eopt[p->neopt++] = "1999";
    p->expect_exit = 2;
    fx_start_enqueue(p);
    snprintf(exe, sizeof(exe), "%s/lf-replicad", fx_bindir);
    snprintf(port, sizeof(port), "%u", p->port);
    {
        char *argv[] = {exe,     "-i", p->instance, "-a",    "127.0.0.1",
                        "-p",    port, "-P",        p->rpid, "-L",
                        p->rlog, "-t", "1999",      NULL};
        int rc = fx_run_wait(argv, 0);

        if (rc == 0) {
            p->r = fx_read_pid(p->rpid); /* for the teardown */
        }
        assert_int_equal(rc, 2);
    }
}

static int
setup(void **state)
{
    static const struct fx_config config = {
        .name = "servers",
        .prefix = "st",
        .pid_factor = 7,
        .test_factor = 13,
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

/* A replica waiting for an enqueue server that does not answer (a
 * virtual IP that is moving, a node that died) serves a stop request at
 * once instead of after its connect deadline: Pacemaker waits for that
 * stop before it starts P elsewhere. The listener here accepts (the
 * kernel does) but never greets. */
static void
replica_stops_while_waiting_for_the_server(void **state)
{
    struct fx_pair *p = new_pair(state);
    struct pollfd pfd = {.events = POLLIN};
    int conn;

    assert_int_equal(lf_net_listen("127.0.0.1", p->port, &pfd.fd), 0);
    p->verbose = true;
    fx_start_replica(p);
    assert_int_equal(poll(&pfd, 1, 10000), 1);
    conn = accept(pfd.fd, NULL, NULL);
    assert_true(conn >= 0);
    fx_stop_pid(&p->r, SIGTERM);
    /* The wait (for the connection or the greeting: the kernel accepts
     * before the replica's connect returns) was cancelled, not timed
     * out. */
    assert_true(fx_log_contains(p->rlog, strerror(ECANCELED)));
    assert_false(fx_log_contains(p->rlog, strerror(ETIMEDOUT)));
    assert_true(fx_log_contains(p->rlog, "stopped"));
    close(conn);
    close(pfd.fd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(takeover_of_10000_locks, fx_teardown_pair),
        cmocka_unit_test_teardown(
            refuses_copy_of_replica_killed_while_disconnected,
            fx_teardown_pair),
        cmocka_unit_test_teardown(refuses_copy_of_stopped_replica,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(refuses_copy_of_older_generation,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(adopts_copy_below_this_nodes_record,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(refuses_corrupted_copy, fx_teardown_pair),
        cmocka_unit_test_teardown(replica_resyncs_after_reconnect,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(restarted_replica_gets_full_copy,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(
            parked_reply_is_not_ok_when_the_replica_is_lost, fx_teardown_pair),
        cmocka_unit_test_teardown(already_held_waits_for_its_grant,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(confirmed_loss_ends_the_hold,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(serve_policy_answers_unreplicated,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(replica_on_the_same_node_does_not_count,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(dropped_copy_is_not_adopted,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(held_back_copy_survives_the_servers_death,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(expired_copy_is_not_adopted,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(replica_refuses_an_older_snapshot,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(failed_start_keeps_the_copy,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(resync_never_shows_a_partial_copy,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(network_takeover, fx_teardown_pair),
        cmocka_unit_test_teardown(takeover_gives_up_without_a_replica,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(takeover_from_a_replica_without_a_copy,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(concurrent_clients, fx_teardown_pair),
        cmocka_unit_test_teardown(protocol_errors, fx_teardown_pair),
        cmocka_unit_test_teardown(shared_secret, fx_teardown_pair),
        cmocka_unit_test_teardown(bad_secret_file_refused, fx_teardown_pair),
        cmocka_unit_test_teardown(client_credential_cannot_become_the_replica,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(second_replica_is_refused, fx_teardown_pair),
        cmocka_unit_test_teardown(fake_server_is_refused, fx_teardown_pair),
        cmocka_unit_test_teardown(altered_or_replayed_line_is_refused,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(replica_stops_while_waiting_for_the_server,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(refuses_copy_of_another_user,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(refuses_copy_readable_by_others,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(refuses_copy_with_a_hard_link,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(refuses_copy_behind_a_symbolic_link,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(log_file_link_is_refused, fx_teardown_pair),
        cmocka_unit_test_teardown(state_directory_link_is_refused,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(replica_moves_a_foreign_segment_aside,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(service_user_adopts_its_own_copy_only,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(state_directory_of_former_user_is_taken_over,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(slow_replica_is_kept_through_its_snapshot,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(silent_replica_is_dropped_during_its_snapshot,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(replica_takes_a_slow_snapshot,
                                  fx_teardown_pair),
        cmocka_unit_test_teardown(timeout_below_the_heartbeat_is_refused,
                                  fx_teardown_pair),
    };

    return cmocka_run_group_tests_name("servers", tests, setup, teardown);
}

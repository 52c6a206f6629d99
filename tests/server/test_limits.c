/*
 * Limits of lf-enqueued and lf-replicad, on real servers on loopback: the
 * timeouts, the slots (a cap per address, the reserves for this node's
 * monitor and a replica), the descriptor limit and what happens when
 * descriptors run out, the replica's capacity, the segment's memory and
 * the LIST replies. Every wait is for a state the servers reach, with a
 * deadline.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_client.h"
#include "lf_file.h"
#include "lf_net.h"
#include "lf_proc.h"
#include "lf_segment.h"

static char bindir[PATH_MAX];
static char workdir[256];
static int test_no;

struct srv {
    char instance[32];
    uint16_t port;
    char dir[320];
    char epid[PATH_MAX];
    char rpid[PATH_MAX];
    char elog[PATH_MAX];
    char rlog[PATH_MAX];
    char secret[PATH_MAX];
    const char *eopt[12]; /* more options for lf-enqueued */
    int neopt;
    const char *ropt[6]; /* more options for lf-replicad */
    int nropt;
    rlim_t nofile; /* lf-enqueued's descriptor limit (0: inherited) */
    bool use_secret;
    pid_t e;
    pid_t r;
    int fds[128]; /* raw connections, closed by the teardown */
    int nfds;
};

static int
run_wait(char *const argv[], rlim_t nofile)
{
    pid_t pid = fork();
    int status = 0;

    if (pid == 0) {
        if (nofile != 0) {
            struct rlimit rl = {nofile, nofile};

            if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
                _exit(126);
            }
        }
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
        return -1;
    }
    return WEXITSTATUS(status);
}

static pid_t
read_pid(const char *path)
{
    pid_t pid = 0;

    assert_int_equal(lf_pidfile_read(path, &pid), 0);
    return pid;
}

static struct srv *
new_srv(void **state)
{
    struct srv *s = calloc(1, sizeof(*s));

    assert_non_null(s);
    *state = s;
    test_no++;
    snprintf(s->instance, sizeof(s->instance), "sl%ld-%d", (long)getpid(),
             test_no);
    s->port = (uint16_t)(20000 + (getpid() * 11 + test_no * 17) % 12000);
    snprintf(s->dir, sizeof(s->dir), "%s/%s", workdir, s->instance);
    assert_int_equal(mkdir(s->dir, 0755), 0);
    snprintf(s->epid, sizeof(s->epid), "%s/e.pid", s->dir);
    snprintf(s->rpid, sizeof(s->rpid), "%s/r.pid", s->dir);
    snprintf(s->elog, sizeof(s->elog), "%s/e.log", s->dir);
    snprintf(s->rlog, sizeof(s->rlog), "%s/r.log", s->dir);
    snprintf(s->secret, sizeof(s->secret), "%s/secret", s->dir);
    return s;
}

static int
srv_teardown(void **state)
{
    struct srv *s = *state;
    char name[64];

    if (s == NULL) {
        return 0;
    }
    for (int i = 0; i < s->nfds; i++) {
        if (s->fds[i] >= 0) {
            close(s->fds[i]);
        }
    }
    if (s->e > 0) {
        kill(s->e, SIGKILL);
        (void)lf_proc_wait_gone(s->e, NULL, 10000);
    }
    if (s->r > 0) {
        kill(s->r, SIGKILL);
        (void)lf_proc_wait_gone(s->r, NULL, 10000);
    }
    lf_seg_name(s->instance, name, sizeof(name));
    shm_unlink(name);
    free(s);
    *state = NULL;
    return 0;
}

static void
start_enqueue(struct srv *s)
{
    char exe[PATH_MAX + 32];
    char port[8];
    char *argv[40];
    int n = 0;

    snprintf(exe, sizeof(exe), "%s/lf-enqueued", bindir);
    snprintf(port, sizeof(port), "%u", s->port);
    argv[n++] = exe;
    argv[n++] = "-i";
    argv[n++] = s->instance;
    argv[n++] = "-a";
    argv[n++] = "127.0.0.1";
    argv[n++] = "-p";
    argv[n++] = port;
    argv[n++] = "-s";
    argv[n++] = s->dir;
    argv[n++] = "-P";
    argv[n++] = s->epid;
    argv[n++] = "-L";
    argv[n++] = s->elog;
    argv[n++] = "-N";
    argv[n++] = "e-node";
    if (s->use_secret) {
        argv[n++] = "-k";
        argv[n++] = s->secret;
    }
    for (int i = 0; i < s->neopt; i++) {
        argv[n++] = (char *)s->eopt[i];
    }
    argv[n] = NULL;
    assert_int_equal(run_wait(argv, s->nofile), 0);
    s->e = read_pid(s->epid);
}

/* The replica, through script (a shell line run in a private mount
 * namespace, for a /dev/shm of its own) or directly. */
static int
start_replica(struct srv *s, const char *tmpfs_size)
{
    char exe[PATH_MAX + 32];
    char port[8];
    char *argv[24];
    int n = 0;
    int rc;

    snprintf(exe, sizeof(exe), "%s/lf-replicad", bindir);
    snprintf(port, sizeof(port), "%u", s->port);
    argv[n++] = exe;
    argv[n++] = "-i";
    argv[n++] = s->instance;
    argv[n++] = "-a";
    argv[n++] = "127.0.0.1";
    argv[n++] = "-p";
    argv[n++] = port;
    argv[n++] = "-P";
    argv[n++] = s->rpid;
    argv[n++] = "-L";
    argv[n++] = s->rlog;
    argv[n++] = "-N";
    argv[n++] = "r-node";
    if (s->use_secret) {
        argv[n++] = "-k";
        argv[n++] = s->secret;
    }
    for (int i = 0; i < s->nropt; i++) {
        argv[n++] = (char *)s->ropt[i];
    }
    argv[n] = NULL;
    if (tmpfs_size == NULL) {
        rc = run_wait(argv, 0);
    } else {
        char cmd[PATH_MAX * 4];
        int used = snprintf(cmd, sizeof(cmd),
                            "mount -t tmpfs -o size=%s tmpfs /dev/shm && exec",
                            tmpfs_size);

        for (int i = 0; i < n; i++) {
            used += snprintf(cmd + used, sizeof(cmd) - (size_t)used, " '%s'",
                             argv[i]);
        }
        {
            char *sh[] = {"/usr/bin/unshare", "-m", "/bin/sh", "-c", cmd, NULL};

            rc = run_wait(sh, 0);
        }
    }
    if (rc == 0) {
        s->r = read_pid(s->rpid);
    }
    return rc;
}

static bool
log_contains(const char *path, const char *text)
{
    static char buf[1 << 20];
    ssize_t n;
    int fd = open(path, O_RDONLY);

    if (fd < 0) {
        return false;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return strstr(buf, text) != NULL;
}

static int
log_count(const char *path, const char *text)
{
    static char buf[1 << 20];
    ssize_t n;
    int count = 0;
    int fd = open(path, O_RDONLY);

    if (fd < 0) {
        return 0;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    for (const char *at = strstr(buf, text); at != NULL;
         at = strstr(at + 1, text)) {
        count++;
    }
    return count;
}

static void
wait_log(const char *path, const char *text)
{
    long long deadline = lf_now_ms() + 15000;

    while (!log_contains(path, text)) {
        if (lf_now_ms() > deadline) {
            fail_msg("'%s' never appeared in %s", text, path);
        }
        usleep(20000);
    }
}

/* A raw connection from source address from (NULL: any), reads giving
 * up after 10 s; closed by the teardown. */
static int
raw_connect(struct srv *s, const char *from)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(s->port)};
    struct timeval tv = {.tv_sec = 10};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    assert_true(s->nfds < (int)(sizeof(s->fds) / sizeof(s->fds[0])));
    s->fds[s->nfds++] = fd;
    if (from != NULL) {
        struct sockaddr_in me = {.sin_family = AF_INET};

        assert_int_equal(inet_pton(AF_INET, from, &me.sin_addr), 1);
        assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0);
    }
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
                     0);
    assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
    return fd;
}

/* One line (without its newline); "" at the end of the stream, "?" when
 * nothing came within the read timeout. */
static const char *
raw_line(int fd)
{
    static char line[LF_LINE_MAX + 1];
    size_t n = 0;

    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            return "?";
        }
        if (r == 0 || c == '\n') {
            line[n] = '\0';
            return (r == 0 && n == 0) ? "" : line;
        }
        if (n < sizeof(line) - 1) {
            line[n++] = c;
        }
    }
}

static void
raw_send(int fd, const char *text)
{
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

static void
expect_prefix(const char *got, const char *want)
{
    if (strncmp(got, want, strlen(want)) != 0) {
        fail_msg("expected '%s...', got '%s'", want, got);
    }
}

/* The value of NAME= in the STATS reply read on fd. */
static void
raw_stat(int fd, const char *name, char *out, size_t size)
{
    char pattern[64];
    const char *reply;
    const char *at;

    raw_send(fd, "STATS\n");
    reply = raw_line(fd);
    expect_prefix(reply, "OK ");
    snprintf(pattern, sizeof(pattern), " %s=", name);
    at = strstr(reply, pattern);
    if (at == NULL) {
        fail_msg("no %s= in '%s'", name, reply);
    }
    at += strlen(pattern);
    snprintf(out, size, "%.*s", (int)strcspn(at, " "), at);
}

/* A greeted connection that STATS can be asked on. */
static int
stats_conn(struct srv *s)
{
    int fd = raw_connect(s, NULL);

    expect_prefix(raw_line(fd), "LEAPFROG ");
    return fd;
}

static void
wait_stat(int fd, const char *name, const char *want)
{
    long long deadline = lf_now_ms() + 15000;
    char value[128];

    for (;;) {
        raw_stat(fd, name, value, sizeof(value));
        if (strcmp(value, want) == 0) {
            return;
        }
        if (lf_now_ms() > deadline) {
            fail_msg("STATS %s never became %s (is %s)", name, want, value);
        }
        usleep(20000);
    }
}

static void
write_secret(struct srv *s)
{
    const char *text = "a shared secret for the limits tests\n";

    assert_int_equal(lf_file_write_atomic(s->secret, text, strlen(text), 0600),
                     0);
}

/* --- the tests ----------------------------------------------------------- */

/* A segment larger than /dev/shm is refused at the start, with the reason,
 * instead of a SIGBUS at the first lock that does not fit. */
static void
replica_without_room_in_dev_shm_refuses_to_start(void **state)
{
    struct srv *s = new_srv(state);

    if (geteuid() != 0) {
        skip(); /* a private /dev/shm needs a mount namespace */
    }
    s->ropt[s->nropt++] = "-m";
    s->ropt[s->nropt++] = "100000"; /* 40 MB */
    assert_int_equal(start_replica(s, "1m"), 1);
    assert_true(log_contains(s->rlog, "do not fit in /dev/shm"));
    /* With room it starts. */
    assert_int_equal(start_replica(s, "64m"), 0);
}

/* A replica too small for the enqueue server's table is refused, on both
 * sides and in STATS (the agents' monitors), and taken once it is large
 * enough. */
static void
small_replica_is_refused(void **state)
{
    struct srv *s = new_srv(state);
    struct lf_seg_info info;
    bool running = false;
    char value[64];
    int fd;

    s->eopt[s->neopt++] = "-m";
    s->eopt[s->neopt++] = "1000";
    start_enqueue(s);
    fd = stats_conn(s);
    s->ropt[s->nropt++] = "-m";
    s->ropt[s->nropt++] = "100";
    assert_int_equal(start_replica(s, NULL), 0);
    wait_log(s->rlog, "the enqueue server refuses this replica: it may hold "
                      "1000 locks, this copy takes 100");
    wait_log(s->elog, "refusing the replica on r-node: it takes 100 locks");
    raw_stat(fd, "too_small", value, sizeof(value));
    assert_string_equal(value, "r-node:100");
    raw_stat(fd, "replica", value, sizeof(value));
    assert_string_equal(value, "none");
    assert_int_equal(lf_seg_peek(s->instance, &info, &running), LF_SEG_OK);
    assert_int_equal(info.refused_need, 1000);
    /* Said once, however often it asks. */
    wait_log(s->elog, "refusing the replica");
    assert_int_equal(log_count(s->rlog, "refuses this replica"), 1);

    kill(s->r, SIGTERM);
    assert_int_equal(lf_proc_wait_gone(s->r, NULL, 10000), 0);
    s->r = 0;
    s->ropt[1] = "1000";
    assert_int_equal(start_replica(s, NULL), 0);
    wait_stat(fd, "replica", "in-sync");
    raw_stat(fd, "too_small", value, sizeof(value));
    assert_string_equal(value, "-");
    assert_int_equal(lf_seg_peek(s->instance, &info, &running), LF_SEG_OK);
    assert_int_equal(info.refused_need, 0);
}

/* With a secret, a connection that does not authenticate in time is
 * closed with the reason; one that did stays. */
static void
unauthenticated_connection_times_out(void **state)
{
    struct srv *s = new_srv(state);
    struct lf_client c;
    struct lf_secret secret;
    const char *why = "";
    int fd;

    s->use_secret = true;
    write_secret(s);
    s->eopt[s->neopt++] = "-A";
    s->eopt[s->neopt++] = "300";
    start_enqueue(s);
    assert_int_equal(lf_secret_load(s->secret, &secret, &why), 0);
    assert_int_equal(
        lf_client_open(&c, "127.0.0.1", s->port, 10000, &secret, &why), 0);
    fd = raw_connect(s, NULL);
    expect_prefix(raw_line(fd), "LEAPFROG ");
    assert_string_equal(raw_line(fd),
                        "ERR TIMEOUT no authentication within 300 ms");
    assert_string_equal(raw_line(fd), "");
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
    struct srv *s = new_srv(state);
    int idle;
    int slow;
    const char *line;

    s->eopt[s->neopt++] = "-I";
    s->eopt[s->neopt++] = "800";
    start_enqueue(s);
    idle = stats_conn(s);
    raw_send(idle, "PING\n");
    assert_string_equal(raw_line(idle), "OK PONG");
    slow = stats_conn(s);
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
    line = raw_line(slow);
    assert_string_equal(line, "ERR TIMEOUT no request for 800 ms");
    assert_string_equal(raw_line(idle), "ERR TIMEOUT no request for 800 ms");
    assert_string_equal(raw_line(idle), "");
}

/* One address gets its share of the slots, not the server's. */
static void
per_address_cap(void **state)
{
    struct srv *s = new_srv(state);
    int fd;

    s->eopt[s->neopt++] = "-C";
    s->eopt[s->neopt++] = "3";
    start_enqueue(s);
    /* 3 in the clients' share, then the 4 slots kept for this node
     * (loopback is this node), then no more from 127.0.0.7. */
    for (int i = 0; i < 7; i++) {
        fd = raw_connect(s, "127.0.0.7");
        expect_prefix(raw_line(fd), "LEAPFROG ");
    }
    fd = raw_connect(s, "127.0.0.7");
    expect_prefix(raw_line(fd), "ERR BUSY too many connections from this "
                                "address (127.0.0.7)");
    assert_string_equal(raw_line(fd), "");
    /* Another address is served. */
    fd = raw_connect(s, "127.0.0.8");
    expect_prefix(raw_line(fd), "LEAPFROG ");
    raw_send(fd, "LOCK a b\n");
    assert_string_equal(raw_line(fd), "UNREPLICATED OK");
}

/* A full server still admits the agent's monitor (from this node) and a
 * replica; anyone else in a replica's slot is refused. */
static void
full_server_admits_monitor_and_replica(void **state)
{
    struct srv *s = new_srv(state);
    char from[32];
    int monitor;
    int fd;

    s->eopt[s->neopt++] = "-c";
    s->eopt[s->neopt++] = "14"; /* 8 for clients, 4 local, 2 replica */
    start_enqueue(s);
    for (int i = 0; i < 8 + 3; i++) {
        snprintf(from, sizeof(from), "127.0.1.%d", i + 1);
        fd = raw_connect(s, from);
        expect_prefix(raw_line(fd), "LEAPFROG ");
    }
    /* The monitor's connection takes the last slot kept for this node. */
    monitor = stats_conn(s);
    /* Beyond: only a replica. */
    fd = raw_connect(s, "127.0.2.1");
    expect_prefix(raw_line(fd), "LEAPFROG ");
    raw_send(fd, "LOCK a b\n");
    assert_string_equal(raw_line(fd), "ERR BUSY the server is full; only a "
                                      "replica is admitted");
    assert_string_equal(raw_line(fd), "");
    assert_int_equal(start_replica(s, NULL), 0);
    wait_stat(monitor, "replica", "in-sync");
}

/* The connection limit fits the descriptor limit: with 64 descriptors
 * every connection is answered at once, greeted or told ERR BUSY; none
 * waits unanswered in the backlog while accept() fails. */
static void
connection_limit_fits_the_descriptor_limit(void **state)
{
    struct srv *s = new_srv(state);
    char from[32];
    char value[32];
    int fd;

    s->nofile = 64;
    start_enqueue(s);
    assert_true(log_contains(s->elog, "at most 32 connections: the "
                                      "descriptor limit is 64"));
    fd = stats_conn(s);
    raw_stat(fd, "maxconns", value, sizeof(value));
    assert_string_equal(value, "32");
    for (int i = 0; i < 60; i++) {
        const char *line;

        snprintf(from, sizeof(from), "127.0.3.%d", i + 1);
        line = raw_line(raw_connect(s, from));
        if (strncmp(line, "ERR BUSY", 8) != 0) {
            expect_prefix(line, "LEAPFROG ");
        }
    }
    /* Beyond the clients' and this node's slots the newest takes a
     * replica's slot, and the one before it is told ERR BUSY. */
    raw_stat(fd, "refused", value, sizeof(value));
    assert_true(atoi(value) > 0);
    assert_false(log_contains(s->elog, "Too many open files"));
}

/* Out of descriptors: accepts pause (said once per episode, no spinning)
 * and resume when descriptors are free again; waiting connections are
 * then served. */
static void
out_of_descriptors_pauses_accepts(void **state)
{
    struct srv *s = new_srv(state);
    char path[64];
    struct rlimit rl;
    struct rlimit low;
    int open_fds = 0;
    int monitor;
    int waiting[3];

    start_enqueue(s);
    monitor = stats_conn(s);
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
        waiting[i] = raw_connect(s, NULL);
    }
    /* Several back-offs, one message. */
    {
        long long deadline = lf_now_ms() + 15000;
        char value[32];

        for (;;) {
            raw_stat(monitor, "pauses", value, sizeof(value));
            if (atoi(value) >= 3) {
                break;
            }
            assert_true(lf_now_ms() < deadline);
            usleep(50000);
        }
    }
    assert_int_equal(log_count(s->elog, "pausing accepts"), 1);
    assert_false(log_contains(s->elog, "accept failed"));
    assert_int_equal(prlimit(s->e, RLIMIT_NOFILE, &rl, NULL), 0);
    for (int i = 0; i < 3; i++) {
        expect_prefix(raw_line(waiting[i]), "LEAPFROG ");
    }
    wait_log(s->elog, "accepting connections again");
}

/* A LIST reply may hold the whole table's text until its reader takes it:
 * only a few are written at once, the next is told to try again. */
static void
list_replies_are_bounded(void **state)
{
    enum { LOCKS = 40000, BATCH = 500 };
    struct srv *s = new_srv(state);
    char key[300];
    char buf[BATCH * 300];
    int readers[4];
    int fd;

    start_enqueue(s);
    fd = stats_conn(s);
    memset(key, 'k', 240);
    for (int i = 0; i < LOCKS; i += BATCH) {
        size_t used = 0;

        for (int j = i; j < i + BATCH; j++) {
            used += (size_t)snprintf(buf + used, sizeof(buf) - used,
                                     "LOCK %.240s%06d o\n", key, j);
        }
        raw_send(fd, buf);
        for (int j = i; j < i + BATCH; j++) {
            assert_string_equal(raw_line(fd), "UNREPLICATED OK");
        }
    }
    /* Four readers that take nothing: 10 MB each, more than the socket
     * buffers hold (4 MB for sending, 128 kB for receiving). */
    for (int i = 0; i < 4; i++) {
        readers[i] = stats_conn(s);
        raw_send(readers[i], "LIST\n");
        assert_string_equal(raw_line(readers[i]), "OK 40000");
    }
    raw_send(fd, "LIST\n");
    assert_string_equal(raw_line(fd), "ERR BUSY 4 LIST replies are being "
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

            raw_send(fd, "LIST\n");
            line = raw_line(fd);
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
    struct srv *s = new_srv(state);
    struct timeval tv = {.tv_sec = 10};
    const char *greeting = "LEAPFROG 3 0123456789abcdef0123456789abcdef "
                           "NOAUTH\n";
    int fields[2];
    int lfd;

    assert_int_equal(lf_net_listen("127.0.0.1", s->port, &lfd), 0);
    assert_int_equal(start_replica(s, NULL), 0);
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
        raw_send(fd, greeting);
        line = raw_line(fd);
        expect_prefix(line, "REPLICA ");
        fields[i] = 1;
        for (const char *at = line; *at != '\0'; at++) {
            fields[i] += (*at == ' ');
        }
        if (i == 0) {
            raw_send(fd, "ERR SYNTAX wrong number of arguments\n");
        }
    }
    close(lfd);
    assert_int_equal(fields[0], 7);
    assert_int_equal(fields[1], 6);
    assert_true(log_contains(s->rlog, "does not take a capacity in REPLICA"));
}

static int
setup(void **state)
{
    const char *builddir = getenv("LF_BUILDDIR");

    (void)state;
    snprintf(bindir, sizeof(bindir), "%s/server",
             builddir != NULL ? builddir : ".");
    snprintf(workdir, sizeof(workdir), "/tmp/lf-limits.XXXXXX");
    return (mkdtemp(workdir) == NULL) ? -1 : 0;
}

static int
teardown(void **state)
{
    char cmd[PATH_MAX + 16];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
    return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(
            replica_without_room_in_dev_shm_refuses_to_start, srv_teardown),
        cmocka_unit_test_teardown(small_replica_is_refused, srv_teardown),
        cmocka_unit_test_teardown(replica_speaks_to_an_older_enqueue_server,
                                  srv_teardown),
        cmocka_unit_test_teardown(unauthenticated_connection_times_out,
                                  srv_teardown),
        cmocka_unit_test_teardown(idle_connection_times_out, srv_teardown),
        cmocka_unit_test_teardown(per_address_cap, srv_teardown),
        cmocka_unit_test_teardown(full_server_admits_monitor_and_replica,
                                  srv_teardown),
        cmocka_unit_test_teardown(connection_limit_fits_the_descriptor_limit,
                                  srv_teardown),
        cmocka_unit_test_teardown(out_of_descriptors_pauses_accepts,
                                  srv_teardown),
        cmocka_unit_test_teardown(list_replies_are_bounded, srv_teardown),
    };

    return cmocka_run_group_tests_name("limits", tests, setup, teardown);
}

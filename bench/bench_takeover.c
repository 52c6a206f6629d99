/*
 * lf-bench-takeover: the client side of bench/run-takeover.sh, the
 * network takeover of a lock table by an enqueue server on another node.
 *
 *   lf-bench-takeover fill -a ADDRESS [-p PORT] -n LOCKS [-c CONNECTIONS]
 *   lf-bench-takeover start -a ADDRESS [-p PORT] -n LOCKS [-w SECONDS]
 *                     -- COMMAND [ARG...]
 *
 * fill takes LOCKS exclusive locks, spread over CONNECTIONS connections
 * (default 16), each pipelining a window of requests; every reply must be
 * a plain "OK" (replicated), so each lock is an acknowledged one. Prints
 * "filled locks=N ms=..".
 *
 * start runs COMMAND (the daemonizing start of the new enqueue server,
 * which returns once it serves) and meanwhile polls STATS on ADDRESS
 * every millisecond. It prints, in ms from just before COMMAND was run:
 *   serve_ms    COMMAND returned with status 0 (the server serves),
 *   adopted_ms  the first STATS with phase=serving origin=network and
 *               adopted=LOCKS,
 *   sync_ms     the first STATS after that with replica=in-sync,
 * then "locks=.. adopted=.. generation=.. start_epoch_ms=..", and checks
 * that a new lock is answered "OK" (the hold after the takeover ended).
 * Exits 0 when every figure was seen with LOCKS locks kept, 1 otherwise.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lf_client.h"
#include "lf_net.h"
#include "lf_parse.h"
#include "lf_proto.h"

enum {
    POLL_US = 1000,
    CONNECT_DEADLINE_MS = 50,
    FILL_WINDOW = 64,
    FILL_TIMEOUT_MS = 30000,
};

struct target {
    const char *address;
    uint16_t port;
    long long locks;
};

struct fill_thread {
    const struct target *to;
    int id;
    long long first; /* this connection's share: [first, first + count) */
    long long count;
    const char *why; /* NULL: every lock was granted replicated */
    pthread_t thread;
};

/* What start saw, in ms since just before COMMAND ran (0: not yet). */
struct takeover_seen {
    double start_epoch_ms;
    double serve_ms;
    double adopted_ms;
    double sync_ms;
    int status; /* COMMAND's wait status */
    long long locks;
    long long adopted;
    long long generation;
};

static double
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double
wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long long
field_ll(const char *reply, const char *name)
{
    char value[32];
    long long out;

    if (!lf_proto_stat_field(reply, name, value, sizeof(value))
        || lf_parse_long(value, 0, INT64_MAX, &out) != 0) {
        return -1;
    }
    return out;
}

static bool
field_is(const char *reply, const char *name, const char *want)
{
    char value[32];

    return lf_proto_stat_field(reply, name, value, sizeof(value))
           && strcmp(value, want) == 0;
}

/* Write all of buf; the socket is non-blocking. */
static int
send_all(struct lf_client *c, const char *buf, size_t len)
{
    size_t off = 0;

    while (off < len) {
        ssize_t n = write(c->fd, buf + off, len - off);

        if (n < 0) {
            int rc;

            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                return errno;
            }
            rc = lf_net_wait(c->fd, POLLOUT, c->timeout_ms);
            if (rc != 0) {
                return rc;
            }
            continue;
        }
        off += (size_t)n;
    }
    return 0;
}

/* One connection's share of the fill, FILL_WINDOW requests at a time. */
static void *
fill_one(void *arg)
{
    struct fill_thread *t = arg;
    char batch[FILL_WINDOW * 64];
    char reply[LF_LINE_MAX + 1];
    struct lf_client c;
    const char *why = "";
    long long done = 0;

    if (lf_client_open(&c, t->to->address, t->to->port, FILL_TIMEOUT_MS, NULL,
                       &why)
        != 0) {
        t->why = why;
        return NULL;
    }
    while (done < t->count && t->why == NULL) {
        long long n = t->count - done;
        size_t len = 0;

        if (n > FILL_WINDOW) {
            n = FILL_WINDOW;
        }
        for (long long i = 0; i < n; i++) {
            len += (size_t)snprintf(batch + len, sizeof(batch) - len,
                                    "LOCK t%lld o%d X\n", t->first + done + i,
                                    t->id);
        }
        if (send_all(&c, batch, len) != 0) {
            t->why = "cannot send requests";
            break;
        }
        for (long long i = 0; i < n; i++) {
            if (lf_client_read_line(&c, reply, sizeof(reply)) != 0) {
                t->why = "no reply";
                break;
            }
            if (strcmp(reply, "OK") != 0) {
                fprintf(stderr, "lf-bench-takeover: LOCK answered: %s\n",
                        reply);
                t->why = "a lock was not granted replicated";
                break;
            }
        }
        done += n;
    }
    lf_client_close(&c);
    return NULL;
}

static int
fill(const struct target *to, int connections)
{
    struct fill_thread *threads = calloc((size_t)connections, sizeof(*threads));
    long long share = to->locks / connections;
    double t0 = mono_ms();
    int rc = 0;

    if (threads == NULL) {
        return 1;
    }
    for (int i = 0; i < connections; i++) {
        threads[i].to = to;
        threads[i].id = i;
        threads[i].first = share * i;
        threads[i].count =
            (i == connections - 1) ? to->locks - share * i : share;
        if (pthread_create(&threads[i].thread, NULL, fill_one, &threads[i])
            != 0) {
            threads[i].why = "cannot start a thread";
            connections = i;
            rc = 1;
            break;
        }
    }
    for (int i = 0; i < connections; i++) {
        pthread_join(threads[i].thread, NULL);
        if (threads[i].why != NULL) {
            fprintf(stderr, "lf-bench-takeover: connection %d: %s\n", i,
                    threads[i].why);
            rc = 1;
        }
    }
    if (rc == 0) {
        printf("filled locks=%lld ms=%.1f\n", to->locks, mono_ms() - t0);
    }
    free(threads);
    return rc;
}

/* One STATS round trip over a kept connection; false: no answer. */
static bool
poll_stats(const struct target *to, struct lf_client *c, bool *connected,
           char *reply, size_t size)
{
    const char *why = "";

    if (!*connected) {
        if (lf_client_open(c, to->address, to->port, CONNECT_DEADLINE_MS, NULL,
                           &why)
            != 0) {
            return false;
        }
        *connected = true;
    }
    if (lf_client_call(c, "STATS", reply, size) == 0
        && strncmp(reply, "OK ", 3) == 0) {
        return true;
    }
    lf_client_close(c);
    *connected = false;
    return false;
}

/* A lock taken and released after the takeover: both plain "OK". */
static bool
check_writes(const struct target *to)
{
    static const char *const requests[] = {"LOCK after-takeover bench X",
                                           "UNLOCK after-takeover bench"};
    char reply[LF_LINE_MAX + 1];
    struct lf_client c;
    const char *why = "";
    bool ok = true;

    if (lf_client_open(&c, to->address, to->port, FILL_TIMEOUT_MS, NULL, &why)
        != 0) {
        fprintf(stderr, "lf-bench-takeover: %s\n", why);
        return false;
    }
    for (size_t i = 0; ok && i < sizeof(requests) / sizeof(requests[0]); i++) {
        if (lf_client_call(&c, requests[i], reply, sizeof(reply)) != 0) {
            snprintf(reply, sizeof(reply), "(no reply)");
        }
        if (strcmp(reply, "OK") != 0) {
            fprintf(stderr,
                    "lf-bench-takeover: %s after the takeover was "
                    "answered: %s\n",
                    requests[i], reply);
            ok = false;
        }
    }
    lf_client_close(&c);
    return ok;
}

/* Its output goes to stderr: stdout carries only the result line. */
static pid_t
spawn(char **argv)
{
    pid_t pid = fork();

    if (pid == 0) {
        (void)dup2(STDERR_FILENO, STDOUT_FILENO);
        execvp(argv[0], argv);
        fprintf(stderr, "lf-bench-takeover: cannot run %s: %s\n", argv[0],
                strerror(errno));
        _exit(127);
    }
    return pid;
}

/* Note what this STATS reply shows, in ms since t0. */
static void
observe(const char *reply, const struct target *to, double t,
        struct takeover_seen *seen)
{
    if (seen->adopted_ms == 0 && field_is(reply, "phase", "serving")
        && field_is(reply, "origin", "network")
        && field_ll(reply, "adopted") == to->locks) {
        seen->adopted_ms = t;
    }
    if (seen->adopted_ms != 0 && seen->sync_ms == 0
        && field_is(reply, "replica", "in-sync")) {
        seen->sync_ms = t;
        seen->locks = field_ll(reply, "locks");
        seen->adopted = field_ll(reply, "adopted");
        seen->generation = field_ll(reply, "generation");
    }
}

static int
start(const struct target *to, long long wait_s, char **argv)
{
    struct takeover_seen seen = {0};
    struct lf_client c;
    char reply[LF_LINE_MAX + 1];
    bool connected = false;
    bool reaped = false;
    double t0;
    double deadline;
    pid_t pid;
    int rc = 1;

    seen.start_epoch_ms = wall_ms();
    t0 = mono_ms();
    deadline = t0 + (double)wait_s * 1e3;
    pid = spawn(argv);
    if (pid < 0) {
        perror("lf-bench-takeover: fork");
        return 1;
    }
    while (mono_ms() < deadline) {
        if (!reaped && waitpid(pid, &seen.status, WNOHANG) == pid) {
            reaped = true;
            seen.serve_ms = mono_ms() - t0;
            if (!WIFEXITED(seen.status) || WEXITSTATUS(seen.status) != 0) {
                fprintf(stderr, "lf-bench-takeover: the start failed\n");
                break;
            }
        }
        if (poll_stats(to, &c, &connected, reply, sizeof(reply))) {
            observe(reply, to, mono_ms() - t0, &seen);
        }
        if (reaped && seen.sync_ms != 0) {
            rc = 0;
            break;
        }
        usleep(POLL_US);
    }
    if (!reaped) {
        fprintf(stderr,
                "lf-bench-takeover: the start did not return within "
                "%lld s\n",
                wait_s);
        kill(pid, SIGKILL);
        (void)waitpid(pid, NULL, 0);
    }
    if (rc == 0 && (seen.locks != to->locks || seen.adopted != to->locks)) {
        fprintf(stderr,
                "lf-bench-takeover: %lld locks kept (%lld adopted) "
                "of %lld\n",
                seen.locks, seen.adopted, to->locks);
        rc = 1;
    }
    if (connected) {
        lf_client_close(&c);
    }
    if (rc == 0 && !check_writes(to)) {
        rc = 1;
    }
    printf("serve_ms=%.1f adopted_ms=%.1f sync_ms=%.1f locks=%lld "
           "adopted=%lld generation=%lld start_epoch_ms=%.0f\n",
           seen.serve_ms, seen.adopted_ms, seen.sync_ms, seen.locks,
           seen.adopted, seen.generation, seen.start_epoch_ms);
    return rc;
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: lf-bench-takeover fill -a ADDRESS [-p PORT] -n LOCKS "
            "[-c CONNECTIONS]\n"
            "       lf-bench-takeover start -a ADDRESS [-p PORT] -n LOCKS "
            "[-w SECONDS] -- COMMAND [ARG...]\n");
}

int
main(int argc, char **argv)
{
    struct target to = {NULL, 3200, -1};
    long long connections = 16;
    long long wait_s = 60;
    const char *mode;
    int opt;

    if (argc < 2) {
        usage();
        return 2;
    }
    mode = argv[1];
    optind = 2;
    while ((opt = getopt(argc, argv, "a:p:n:c:w:h")) != -1) {
        switch (opt) {
        case 'a':
            to.address = optarg;
            break;
        case 'p':
            if (lf_parse_option_port("lf-bench-takeover", 'p', optarg, &to.port)
                != 0) {
                return 2;
            }
            break;
        case 'n':
        case 'c':
        case 'w':
            if (lf_parse_option("lf-bench-takeover", (char)opt, optarg, 1,
                                opt == 'n'   ? 10000000
                                : opt == 'c' ? 256
                                             : 3600,
                                opt == 'n'   ? &to.locks
                                : opt == 'c' ? &connections
                                             : &wait_s)
                != 0) {
                return 2;
            }
            break;
        default:
            usage();
            return opt == 'h' ? 0 : 2;
        }
    }
    if (to.address == NULL || to.locks < 0) {
        usage();
        return 2;
    }
    if (strcmp(mode, "fill") == 0 && optind == argc) {
        if (connections > to.locks) {
            connections = to.locks;
        }
        return fill(&to, (int)connections);
    }
    if (strcmp(mode, "start") == 0 && optind < argc) {
        return start(&to, wait_s, argv + optind);
    }
    usage();
    return 2;
}

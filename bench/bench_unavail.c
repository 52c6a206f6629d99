/*
 * lf-bench-unavail: the client side of bench/run-unavailability.sh. It
 * takes and releases locks on one connection at a steady pace, kills the
 * replication server (kill -9 of PID) after a warm-up, optionally runs a
 * restart command a fixed delay after the kill, and records how the
 * enqueue server answered meanwhile.
 *
 *   lf-bench-unavail -a ADDRESS [-p PORT] -k PID [-b BEFORE_MS]
 *                    [-i INTERVAL_US] [-t TIMEOUT_MS] [-d DURATION_MS]
 *                    [-r DELAY_MS -- COMMAND [ARG...]]
 *
 * Each request is "LOCK uN bench" then "UNLOCK uN bench", one every
 * INTERVAL_US (default 1000) or at once when the last reply was later; a
 * change refused with "ERR NOREPLICA" is asked again at the next turn. A
 * reply not there after TIMEOUT_MS (default 2000) counts as a timeout:
 * the client reconnects and goes on with a new key, as an application
 * giving up on a request would. Every reply before the kill must be a
 * plain "OK". The run ends at the first plain "OK" to a request sent
 * after the kill, or DURATION_MS (default 15000) after the kill.
 *
 * Prints one line, times in ms after the kill (-1: never):
 *   first_ack_ms / first_ack  the first acknowledgement of any kind
 *                             ("OK" or "UNREPLICATED OK") to a request
 *                             sent after the kill, and its kind,
 *   first_ok_ms               the first plain "OK" to such a request,
 *   inflight / inflight_ms    a request in flight at the kill: how and
 *                             when it was answered (none: none was),
 *   restart_ms / restarted_ms COMMAND run and returned,
 *   ok unreplicated noreplica timeout other  replies to requests sent
 *                             after the kill, up to the end of the run,
 *   max_wait_ms               the longest wait for one reply after the
 *                             kill, and kill_epoch_ms.
 * Exits 0 when the run was clean (replicated before the kill, the restart
 * succeeded), 1 otherwise.
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lf_client.h"
#include "lf_parse.h"
#include "lf_proto.h"

enum {
    SLICE_MS = 1, /* how often the kill and restart clocks are checked */
    CONNECT_TIMEOUT_MS = 2000,
};

enum reply_kind {
    KIND_OK = 0,
    KIND_UNREPLICATED,
    KIND_NOREPLICA,
    KIND_TIMEOUT,
    KIND_OTHER,
    KIND_COUNT,
};

static const char *const kind_names[KIND_COUNT] = {
    "ok", "unreplicated", "noreplica", "timeout", "other"};

struct unavail_cfg {
    const char *address;
    uint16_t port;
    long long victim;
    long long before_ms;
    long long interval_us;
    long long timeout_ms;
    long long duration_ms;
    long long delay_ms; /* -1: no restart */
    char **restart;
};

/* The run, times in ms of CLOCK_MONOTONIC (0: not yet). */
struct unavail_run {
    double started;
    double killed;
    double kill_epoch_ms;
    double restart_at;
    double restarted_at;
    pid_t restart_pid;
    bool restart_failed;
    long long before_ok;
    long long before_other;
    long long counts[KIND_COUNT];
    double first_ack;
    enum reply_kind first_ack_kind;
    double first_ok;
    bool inflight;
    enum reply_kind inflight_kind;
    double inflight_at;
    double max_wait;
};

/* The pair of requests in progress. */
struct unavail_op {
    long long key;
    bool unlocking;
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

static void
sleep_ms(double ms)
{
    struct timespec ts;

    if (ms <= 0) {
        return;
    }
    ts.tv_sec = (time_t)(ms / 1e3);
    ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1e3) * 1e6);
    nanosleep(&ts, NULL);
}

/* Its output goes to stderr: stdout carries only the result line. */
static pid_t
spawn(char **argv)
{
    pid_t pid = fork();

    if (pid == 0) {
        (void)dup2(STDERR_FILENO, STDOUT_FILENO);
        execvp(argv[0], argv);
        fprintf(stderr, "lf-bench-unavail: cannot run %s: %s\n", argv[0],
                strerror(errno));
        _exit(127);
    }
    return pid;
}

/* The kill and the restart, when their time has come. */
static void
tick(const struct unavail_cfg *cfg, struct unavail_run *run)
{
    double now = mono_ms();
    int status;

    if (run->killed == 0 && now >= run->started + (double)cfg->before_ms) {
        run->kill_epoch_ms = wall_ms();
        run->killed = mono_ms();
        if (kill((pid_t)cfg->victim, SIGKILL) != 0) {
            fprintf(stderr, "lf-bench-unavail: cannot kill %lld: %s\n",
                    cfg->victim, strerror(errno));
        }
        return;
    }
    if (run->killed != 0 && cfg->delay_ms >= 0 && run->restart_at == 0
        && now >= run->killed + (double)cfg->delay_ms) {
        run->restart_at = now;
        run->restart_pid = spawn(cfg->restart);
        if (run->restart_pid < 0) {
            run->restart_failed = true;
        }
    }
    if (run->restart_pid > 0
        && waitpid(run->restart_pid, &status, WNOHANG) == run->restart_pid) {
        run->restart_pid = 0;
        run->restarted_at = now;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "lf-bench-unavail: the restart failed\n");
            run->restart_failed = true;
        }
    }
}

static enum reply_kind
classify(const char *reply)
{
    if (strcmp(reply, "OK") == 0 || strcmp(reply, "OK already held") == 0) {
        return KIND_OK;
    }
    if (strncmp(reply, "UNREPLICATED OK", 15) == 0) {
        return KIND_UNREPLICATED;
    }
    if (strncmp(reply, "ERR NOREPLICA", 13) == 0) {
        return KIND_NOREPLICA;
    }
    return KIND_OTHER;
}

/*
 * Wait for the reply to a request sent at sent, checking the clocks every
 * slice. \return its kind (KIND_TIMEOUT also when the connection failed).
 */
static enum reply_kind
await_reply(const struct unavail_cfg *cfg, struct unavail_run *run,
            struct lf_client *c, double sent)
{
    char reply[LF_LINE_MAX + 1];

    c->timeout_ms = SLICE_MS;
    for (;;) {
        int rc = lf_client_read_line(c, reply, sizeof(reply));

        if (rc == 0) {
            enum reply_kind kind = classify(reply);

            if (kind == KIND_OTHER) {
                fprintf(stderr, "lf-bench-unavail: answered: %s\n", reply);
            }
            return kind;
        }
        if (rc != ETIMEDOUT) {
            fprintf(stderr, "lf-bench-unavail: connection failed: %s\n",
                    strerror(rc));
            return KIND_TIMEOUT;
        }
        tick(cfg, run);
        if (mono_ms() - sent >= (double)cfg->timeout_ms) {
            return KIND_TIMEOUT;
        }
    }
}

/* Book one reply; the request was sent at sent. */
static void
record(struct unavail_run *run, enum reply_kind kind, double sent)
{
    double now = mono_ms();
    bool acked = (kind == KIND_OK || kind == KIND_UNREPLICATED);

    if (run->killed == 0) {
        if (kind == KIND_OK) {
            run->before_ok++;
        } else {
            run->before_other++;
        }
        return;
    }
    if (now - sent > run->max_wait) {
        run->max_wait = now - sent;
    }
    if (sent < run->killed) {
        run->inflight = true;
        run->inflight_kind = kind;
        run->inflight_at = now - run->killed;
        return;
    }
    run->counts[kind]++;
    if (acked && run->first_ack < 0) {
        run->first_ack = now - run->killed;
        run->first_ack_kind = kind;
    }
    if (kind == KIND_OK && run->first_ok < 0) {
        run->first_ok = now - run->killed;
    }
}

static bool
run_over(const struct unavail_cfg *cfg, const struct unavail_run *run)
{
    return run->killed != 0
           && (run->first_ok >= 0
               || mono_ms() >= run->killed + (double)cfg->duration_ms);
}

static void
next_op(struct unavail_op *op, enum reply_kind kind)
{
    switch (kind) {
    case KIND_NOREPLICA:
        return; /* nothing changed: ask again */
    case KIND_OK:
    case KIND_UNREPLICATED:
        if (!op->unlocking) {
            op->unlocking = true;
            return;
        }
        break;
    default:
        break; /* its outcome is unknown: leave that key */
    }
    op->key++;
    op->unlocking = false;
}

static int
connect_to(const struct unavail_cfg *cfg, struct lf_client *c)
{
    const char *why = "";
    int rc = lf_client_open(c, cfg->address, cfg->port, CONNECT_TIMEOUT_MS,
                            NULL, &why);

    if (rc != 0) {
        fprintf(stderr, "lf-bench-unavail: %s\n", why);
    }
    return rc;
}

static int
unavail_loop(const struct unavail_cfg *cfg, struct unavail_run *run)
{
    struct unavail_op op = {0, false};
    struct lf_client c;
    bool connected;
    double next = mono_ms();

    connected = (connect_to(cfg, &c) == 0);
    if (!connected) {
        return 1;
    }
    run->started = mono_ms();
    while (!run_over(cfg, run)) {
        char request[64];
        enum reply_kind kind;
        double sent;

        while (mono_ms() < next) {
            tick(cfg, run);
            sleep_ms(next - mono_ms() < SLICE_MS ? next - mono_ms() : SLICE_MS);
        }
        tick(cfg, run);
        if (!connected) {
            connected = (connect_to(cfg, &c) == 0);
            if (!connected) {
                next = mono_ms() + (double)cfg->interval_us / 1e3;
                continue;
            }
        }
        snprintf(request, sizeof(request), "%s u%lld bench",
                 op.unlocking ? "UNLOCK" : "LOCK", op.key);
        sent = mono_ms();
        if (lf_client_send(&c, request) != 0) {
            kind = KIND_TIMEOUT;
        } else {
            kind = await_reply(cfg, run, &c, sent);
        }
        record(run, kind, sent);
        if (kind == KIND_TIMEOUT) {
            lf_client_close(&c);
            connected = false;
        }
        next_op(&op, kind);
        next = sent + (double)cfg->interval_us / 1e3;
    }
    if (connected) {
        lf_client_close(&c);
    }
    /* The restart command may still be on its way. */
    while (run->restart_pid > 0) {
        tick(cfg, run);
        sleep_ms(SLICE_MS);
    }
    return 0;
}

static double
since_kill(const struct unavail_run *run, double t)
{
    return t != 0 ? t - run->killed : -1;
}

static void
report(const struct unavail_run *run)
{
    printf(
        "first_ack_ms=%.1f first_ack=%s first_ok_ms=%.1f inflight=%s "
        "inflight_ms=%.1f restart_ms=%.1f restarted_ms=%.1f",
        run->first_ack,
        run->first_ack < 0 ? "-" : kind_names[run->first_ack_kind],
        run->first_ok, run->inflight ? kind_names[run->inflight_kind] : "none",
        run->inflight ? run->inflight_at : -1, since_kill(run, run->restart_at),
        since_kill(run, run->restarted_at));
    for (int k = 0; k < KIND_COUNT; k++) {
        printf(" %s=%lld", kind_names[k], run->counts[k]);
    }
    printf(" max_wait_ms=%.1f before_ok=%lld before_other=%lld "
           "kill_epoch_ms=%.0f\n",
           run->max_wait, run->before_ok, run->before_other,
           run->kill_epoch_ms);
}

static void
usage(void)
{
    fprintf(stderr, "usage: lf-bench-unavail -a ADDRESS [-p PORT] -k PID "
                    "[-b BEFORE_MS] [-i INTERVAL_US] [-t TIMEOUT_MS] "
                    "[-d DURATION_MS] [-r DELAY_MS -- COMMAND [ARG...]]\n");
}

int
main(int argc, char **argv)
{
    struct unavail_cfg cfg = {NULL, 3200,  -1, 1000, 1000,
                              2000, 15000, -1, NULL};
    struct unavail_run run;
    int opt;
    int rc;

    while ((opt = getopt(argc, argv, "a:p:k:b:i:t:d:r:h")) != -1) {
        long long *out = NULL;
        long long min = 1;
        long long max = 3600000;

        switch (opt) {
        case 'a':
            cfg.address = optarg;
            continue;
        case 'p':
            if (lf_parse_option_port("lf-bench-unavail", 'p', optarg, &cfg.port)
                != 0) {
                return 2;
            }
            continue;
        case 'k':
            out = &cfg.victim;
            max = INT32_MAX;
            break;
        case 'b':
            out = &cfg.before_ms;
            break;
        case 'i':
            out = &cfg.interval_us;
            max = 1000000;
            break;
        case 't':
            out = &cfg.timeout_ms;
            break;
        case 'd':
            out = &cfg.duration_ms;
            break;
        case 'r':
            out = &cfg.delay_ms;
            min = 0;
            break;
        default:
            usage();
            return opt == 'h' ? 0 : 2;
        }
        if (lf_parse_option("lf-bench-unavail", (char)opt, optarg, min, max,
                            out)
            != 0) {
            return 2;
        }
    }
    if (cfg.address == NULL || cfg.victim < 0
        || (cfg.delay_ms >= 0) != (optind < argc)) {
        usage();
        return 2;
    }
    cfg.restart = argv + optind;
    memset(&run, 0, sizeof(run));
    run.first_ack = -1;
    run.first_ok = -1;
    rc = unavail_loop(&cfg, &run);
    report(&run);
    if (rc == 0 && run.before_other > 0) {
        fprintf(stderr,
                "lf-bench-unavail: %lld replies before the kill were "
                "not a plain OK\n",
                run.before_other);
        rc = 1;
    }
    return (rc != 0 || run.restart_failed || run.killed == 0) ? 1 : 0;
}

/*
 * lf-hist-client: a client of the enqueue server that journals every
 * request it makes, for the fault tests' history checker, lf-hist-check.
 *
 * usage: lf-hist-client -n NAME -o JOURNAL -a ADDRESS [-p PORT]
 *            [-k SECRETFILE] [-O OWNER] [-K NKEYS] [-x KEYPREFIX]
 *            [-t TIMEOUT_MS] [-i PAUSE_MS] [-s SEED] [-d SECONDS]
 *            [-S SHAREDPCT]
 *        lf-hist-client --baseline N -n NAME -o JOURNAL -a ADDRESS [...]
 *
 * Normal mode: one owner (default NAME) works on the keys PREFIXk0 ..
 * PREFIXk<NKEYS-1>, which every client shares, until SIGTERM or SIGINT
 * (or -d SECONDS): it picks a key at random and releases it when it holds
 * it, takes it (exclusive, or shared with SHAREDPCT percent) when it does
 * not, and when the outcome of its last request on that key is unknown it
 * sends that request again to find out. Baseline mode takes the exclusive
 * locks PREFIXbase-0 .. PREFIXbase-<N-1> for OWNER (default "base").
 *
 * Every request is one line of the journal, written and flushed when its
 * reply came (see tests/history/lf_history.h); a "# send" line written
 * before it is sent covers a client killed while it waits. After a
 * failure the connection is reset (not closed gracefully), so that a
 * request the client gave up on is not delivered to the server later.
 *
 * Exit status: 0 done; 1 the journal cannot be written or, in baseline
 * mode, a lock was not acknowledged; 2 usage error.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lf_client.h"
#include "lf_history.h"
#include "lf_parse.h"
#include "lf_rc.h"

#define PROG "lf-hist-client"
#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define CONNECT_PAUSE_MS 20 /* least pause after a failed connect */
#define BASELINE_TRIES 3    /* per lock, while nothing or no reply came */

/* What the client believes about one key. */
enum key_state {
    KEY_FREE = 0,  /* not held */
    KEY_HELD,      /* held */
    KEY_LOCKING,   /* a LOCK's outcome is unknown */
    KEY_UNLOCKING, /* an UNLOCK's outcome is unknown */
};

struct hist_client {
    const char *name;
    const char *journal_path;
    const char *address;
    const char *owner;
    const char *prefix;
    const char *secretfile;
    uint16_t port;
    long long nkeys;
    long long timeout_ms;
    long long pause_ms;
    long long seed;
    long long duration_s;
    long long shared_pct;
    long long baseline; /* 0: normal mode */
    struct lf_secret secret;
    FILE *journal;
    struct lf_client conn;
    bool connected;
    uint64_t seq;
    uint64_t rng;
    enum key_state *keys;
    char *modes; /* of the hold, or of the LOCK whose outcome is unknown */
    size_t counts[LF_HIST_NOCONN + 1];
    char text[LF_HIST_TEXT_MAX + 1]; /* the last reply, or why none came */
};

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: " PROG " -n NAME -o JOURNAL -a ADDRESS [-p PORT] "
            "[-k SECRETFILE]\n"
            "           [-O OWNER] [-K NKEYS] [-x KEYPREFIX] [-t TIMEOUT_MS] "
            "[-i PAUSE_MS]\n"
            "           [-s SEED] [-d SECONDS] [-S SHAREDPCT]\n"
            "       " PROG " --baseline N -n NAME -o JOURNAL -a ADDRESS "
            "[...]\n"
            "  -n  client name (in every journal line)\n"
            "  -o  journal file (overwritten)\n"
            "  -a  address of the enqueue server (or its virtual IP)\n"
            "  -p  TCP port (default %d)\n"
            "  -k  shared-secret file\n"
            "  -O  owner (default NAME; \"base\" with --baseline)\n"
            "  -K  number of keys PREFIXk0.. shared by the clients "
            "(default 40)\n"
            "  -x  key prefix (default none)\n"
            "  -t  timeout of a connect or request, ms (default 2000)\n"
            "  -i  pause between requests, ms (default 0); after a failed\n"
            "      connect the pause is at least %d ms\n"
            "  -s  random seed (default from the clock)\n"
            "  -d  stop after this many seconds (default: at SIGTERM or "
            "SIGINT)\n"
            "  -S  percent of LOCKs that ask for a shared lock (default 0)\n"
            "  --baseline N  take the exclusive locks PREFIXbase-0..N-1 and "
            "exit:\n"
            "      0 when every one was acknowledged (OK or OK already "
            "held)\n",
            LF_DEFAULT_PORT, CONNECT_PAUSE_MS);
}

static int
parse_args(int argc, char **argv, struct hist_client *cl)
{
    static const struct option longopts[] = {
        {"baseline", required_argument, NULL, 'B'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int rc = 0;

    for (;;) {
        int opt = getopt_long(argc, argv, "n:o:a:p:k:O:K:x:t:i:s:d:S:h",
                              longopts, NULL);

        if (opt == -1) {
            break;
        }
        switch (opt) {
        case 'n':
            cl->name = optarg;
            break;
        case 'o':
            cl->journal_path = optarg;
            break;
        case 'a':
            cl->address = optarg;
            break;
        case 'p':
            rc = lf_parse_option_port(PROG, 'p', optarg, &cl->port);
            break;
        case 'k':
            cl->secretfile = optarg;
            break;
        case 'O':
            cl->owner = optarg;
            break;
        case 'K':
            rc = lf_parse_option(PROG, 'K', optarg, 1, 1000000, &cl->nkeys);
            break;
        case 'x':
            cl->prefix = optarg;
            break;
        case 't':
            rc =
                lf_parse_option(PROG, 't', optarg, 1, 3600000, &cl->timeout_ms);
            break;
        case 'i':
            rc = lf_parse_option(PROG, 'i', optarg, 0, 3600000, &cl->pause_ms);
            break;
        case 's':
            rc = lf_parse_option(PROG, 's', optarg, 0, INT64_MAX, &cl->seed);
            break;
        case 'd':
            rc = lf_parse_option(PROG, 'd', optarg, 0, 86400 * 365,
                                 &cl->duration_s);
            break;
        case 'S':
            rc = lf_parse_option(PROG, 'S', optarg, 0, 100, &cl->shared_pct);
            break;
        case 'B':
            rc = lf_parse_long(optarg, 1, 1000000, &cl->baseline);
            if (rc != 0) {
                fprintf(stderr,
                        PROG ": --baseline: '%s' is not a number from 1 to "
                             "1000000\n",
                        optarg);
            }
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
        if (rc != 0) {
            return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (cl->name == NULL || cl->journal_path == NULL || cl->address == NULL) {
        fprintf(stderr, PROG ": -n NAME, -o JOURNAL and -a ADDRESS are "
                             "required (-h for help)\n");
        return EXIT_USAGE;
    }
    return 0;
}

/* Defaults that depend on other options, and what must be checked. */
static int
check_args(struct hist_client *cl)
{
    char key[LF_KEY_MAX + 32];

    if (!lf_hist_valid_name(cl->name)) {
        fprintf(stderr,
                PROG ": name '%s' must be 1-%d printable characters "
                     "without spaces\n",
                cl->name, LF_HIST_NAME_MAX);
        return EXIT_USAGE;
    }
    if (cl->owner == NULL) {
        cl->owner = (cl->baseline > 0) ? "base" : cl->name;
    }
    if (!lf_lock_valid_owner(cl->owner)) {
        fprintf(stderr,
                PROG ": owner '%s' must be 1-%d printable characters "
                     "without spaces\n",
                cl->owner, LF_OWNER_MAX);
        return EXIT_USAGE;
    }
    /* The longest key this run uses must be a valid key. */
    snprintf(key, sizeof(key), "%s%s%lld", cl->prefix,
             (cl->baseline > 0) ? "base-" : "k",
             ((cl->baseline > 0) ? cl->baseline : cl->nkeys) - 1);
    if (!lf_lock_valid_key(key)) {
        fprintf(stderr,
                PROG ": key prefix '%s' makes keys that are not 1-%d "
                     "printable characters without spaces\n",
                cl->prefix, LF_KEY_MAX);
        return EXIT_USAGE;
    }
    if (cl->seed < 0) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        cl->seed = (long long)(((uint64_t)ts.tv_sec * 1000000000u
                                + (uint64_t)ts.tv_nsec)
                               ^ ((uint64_t)getpid() << 32))
                   & INT64_MAX;
    }
    cl->rng = (uint64_t)cl->seed;
    return 0;
}

static int64_t
now_ns(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* splitmix64: small, and the same sequence for the same seed. */
static uint64_t
next_random(struct hist_client *cl)
{
    uint64_t z = 0;

    cl->rng += 0x9e3779b97f4a7c15ULL;
    z = cl->rng;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void
pause_ms(long long ms)
{
    struct timespec ts = {
        .tv_sec = (time_t)(ms / 1000),
        .tv_nsec = (long)(ms % 1000) * 1000000,
    };

    /* A signal cuts the pause short: the loop then sees the flag. */
    (void)nanosleep(&ts, NULL);
}

/* One journal line, flushed so that it survives the client's death. */
static int
journal_write(struct hist_client *cl, const char *line)
{
    errno = 0;
    if (fputs(line, cl->journal) == EOF || fputc('\n', cl->journal) == EOF
        || fflush(cl->journal) != 0) {
        return (errno != 0) ? errno : EIO;
    }
    return 0;
}

/*
 * Drop the connection with a reset: whatever request is still queued in
 * our socket is discarded rather than delivered once the network heals.
 */
static void
reset_connection(struct hist_client *cl)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};

    if (cl->connected) {
        (void)setsockopt(cl->conn.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        lf_client_close(&cl->conn);
        cl->connected = false;
    }
}

/* Between requests nothing may arrive: anything (or EOF) means it broke. */
static bool
connection_idle(const struct hist_client *cl)
{
    struct pollfd pfd = {.fd = cl->conn.fd, .events = POLLIN};

    return lf_buf_pending(&cl->conn.in) == 0 && poll(&pfd, 1, 0) == 0;
}

/* Connect unless connected; on failure cl->text says why. */
static int
ensure_connected(struct hist_client *cl)
{
    const char *why = "";
    int rc = 0;

    if (cl->connected && !connection_idle(cl)) {
        reset_connection(cl);
    }
    if (cl->connected) {
        return 0;
    }
    rc = lf_client_open(&cl->conn, cl->address, cl->port, (int)cl->timeout_ms,
                        &cl->secret, &why);
    if (rc != 0) {
        snprintf(cl->text, sizeof(cl->text), "(no connection: %s: %s)", why,
                 lf_rc_str(rc));
        return rc;
    }
    cl->connected = true;
    return 0;
}

/*
 * Make one request and journal it. Returns 0, or the error that keeps
 * the journal from being written; *outcome is what came of the request.
 */
static int
do_request(struct hist_client *cl, enum lf_hist_op op, const char *key,
           char mode, enum lf_hist_outcome *outcome)
{
    struct lf_hist_rec rec;
    char request[LF_LINE_MAX + 1];
    char reply[LF_LINE_MAX + 1];
    char line[LF_HIST_LINE_MAX + 1];
    int rc = 0;

    memset(&rec, 0, sizeof(rec));
    rec.client = cl->name;
    rec.seq = ++cl->seq;
    rec.op = op;
    rec.key = key;
    rec.owner = cl->owner;
    rec.mode = (op == LF_HIST_LOCK) ? mode : '-';
    if (op == LF_HIST_LOCK) {
        snprintf(request, sizeof(request), "LOCK %s %s %c", key, cl->owner,
                 mode);
    } else {
        snprintf(request, sizeof(request), "UNLOCK %s %s", key, cl->owner);
    }
    rec.t_send = now_ns(CLOCK_MONOTONIC);
    if (ensure_connected(cl) != 0) {
        rec.outcome = LF_HIST_NOCONN;
        rec.t_recv = now_ns(CLOCK_MONOTONIC);
        goto journal;
    }
    rec.t_send = now_ns(CLOCK_MONOTONIC);
    rc = lf_hist_format_send(&rec, line, sizeof(line));
    if (rc == 0) {
        rc = journal_write(cl, line);
    }
    if (rc != 0) {
        return rc;
    }
    rc = lf_client_call(&cl->conn, request, reply, sizeof(reply));
    rec.t_recv = now_ns(CLOCK_MONOTONIC);
    if (rc != 0) {
        rec.outcome = LF_HIST_UNKNOWN;
        snprintf(cl->text, sizeof(cl->text), "(no reply: %s)", lf_rc_str(rc));
        reset_connection(cl);
        goto journal;
    }
    rec.outcome = lf_hist_classify(op, reply);
    lf_strlcpy(cl->text, reply, sizeof(cl->text));
    if (rec.outcome == LF_HIST_UNKNOWN) {
        reset_connection(cl);
    }

journal:
    *outcome = rec.outcome;
    cl->counts[rec.outcome]++;
    rc = lf_hist_format_record(&rec, cl->text, line, sizeof(line));
    if (rc == 0) {
        rc = journal_write(cl, line);
    }
    return rc;
}

static void
after_request(const struct hist_client *cl, enum lf_hist_outcome outcome)
{
    if (outcome == LF_HIST_NOCONN) {
        pause_ms(cl->pause_ms > CONNECT_PAUSE_MS ? cl->pause_ms
                                                 : CONNECT_PAUSE_MS);
    } else if (cl->pause_ms > 0) {
        pause_ms(cl->pause_ms);
    }
}

/* What a reply makes of the client's belief about the key. */
static enum key_state
next_state(enum key_state st, enum lf_hist_op op, enum lf_hist_outcome outcome)
{
    switch (outcome) {
    case LF_HIST_OK:
    case LF_HIST_OKU:
        return (op == LF_HIST_LOCK) ? KEY_HELD : KEY_FREE;
    case LF_HIST_HELD:
    case LF_HIST_HELDU:
        return KEY_HELD;
    case LF_HIST_LOCKED:
    case LF_HIST_NOTHELD:
        return KEY_FREE;
    case LF_HIST_UNKNOWN:
        return (op == LF_HIST_LOCK) ? KEY_LOCKING : KEY_UNLOCKING;
    case LF_HIST_REFUSED:
    case LF_HIST_NOCONN:
        break;
    }
    return st;
}

static int
run_random(struct hist_client *cl)
{
    int64_t deadline =
        (cl->duration_s > 0)
            ? now_ns(CLOCK_MONOTONIC) + (int64_t)cl->duration_s * 1000000000
            : 0;
    char key[LF_KEY_MAX + 1];
    int rc = 0;

    cl->keys = calloc((size_t)cl->nkeys, sizeof(*cl->keys));
    cl->modes = calloc((size_t)cl->nkeys, sizeof(*cl->modes));
    if (cl->keys == NULL || cl->modes == NULL) {
        fprintf(stderr, PROG ": out of memory\n");
        return ENOMEM;
    }
    while (stop_requested == 0
           && (deadline == 0 || now_ns(CLOCK_MONOTONIC) < deadline)) {
        size_t i = (size_t)(next_random(cl) % (uint64_t)cl->nkeys);
        enum key_state st = cl->keys[i];
        enum lf_hist_op op = LF_HIST_LOCK;
        enum lf_hist_outcome outcome = LF_HIST_NOCONN;
        char mode = cl->modes[i];

        if (st == KEY_HELD || st == KEY_UNLOCKING) {
            op = LF_HIST_UNLOCK;
        } else if (st == KEY_FREE) {
            mode = ((long long)(next_random(cl) % 100) < cl->shared_pct) ? 'S'
                                                                         : 'X';
        }
        snprintf(key, sizeof(key), "%sk%zu", cl->prefix, i);
        rc = do_request(cl, op, key, mode, &outcome);
        if (rc != 0) {
            break;
        }
        cl->keys[i] = next_state(st, op, outcome);
        if (op == LF_HIST_LOCK) {
            cl->modes[i] = mode;
        }
        after_request(cl, outcome);
    }
    return rc;
}

/* Baseline: every lock once; sent again only while no reply proves it. */
static int
run_baseline(struct hist_client *cl, long long *acked)
{
    char key[LF_KEY_MAX + 1];

    *acked = 0;
    for (long long i = 0; i < cl->baseline && stop_requested == 0; i++) {
        enum lf_hist_outcome outcome = LF_HIST_NOCONN;

        snprintf(key, sizeof(key), "%sbase-%lld", cl->prefix, i);
        for (int tries = 0; tries < BASELINE_TRIES && stop_requested == 0;
             tries++) {
            int rc = do_request(cl, LF_HIST_LOCK, key, 'X', &outcome);

            if (rc != 0) {
                return rc;
            }
            if (outcome != LF_HIST_NOCONN && outcome != LF_HIST_UNKNOWN) {
                break;
            }
            after_request(cl, outcome);
        }
        if (outcome == LF_HIST_OK || outcome == LF_HIST_HELD) {
            (*acked)++;
        } else {
            fprintf(stderr, PROG " %s: baseline lock %s not acknowledged: %s\n",
                    cl->name, key, cl->text);
        }
    }
    return 0;
}

static void
print_summary(const struct hist_client *cl)
{
    size_t total = 0;

    for (int o = LF_HIST_OK; o <= LF_HIST_NOCONN; o++) {
        total += cl->counts[o];
    }
    fprintf(stderr, PROG " %s: requests=%zu", cl->name, total);
    for (int o = LF_HIST_OK; o <= LF_HIST_NOCONN; o++) {
        fprintf(stderr, " %s=%zu", lf_hist_outcome_str(o), cl->counts[o]);
    }
    fprintf(stderr, "\n");
}

static int
write_header(struct hist_client *cl)
{
    struct lf_hist_header h = {
        .name = cl->name,
        .owner = cl->owner,
        .address = cl->address,
        .start_realtime = now_ns(CLOCK_REALTIME),
    };
    char line[LF_HIST_LINE_MAX + 1];
    int rc = lf_hist_format_header(&h, line, sizeof(line));

    if (rc == 0) {
        rc = journal_write(cl, line);
    }
    if (rc == 0) {
        snprintf(line, sizeof(line),
                 "# options: mode=%s keys=%lld prefix=%s port=%u "
                 "timeout_ms=%lld pause_ms=%lld seed=%lld shared_pct=%lld",
                 (cl->baseline > 0) ? "baseline" : "random",
                 (cl->baseline > 0) ? cl->baseline : cl->nkeys, cl->prefix,
                 cl->port, cl->timeout_ms, cl->pause_ms, cl->seed,
                 cl->shared_pct);
        rc = journal_write(cl, line);
    }
    return rc;
}

int
main(int argc, char **argv)
{
    struct hist_client cl;
    struct sigaction sa;
    const char *why = "";
    long long acked = 0;
    int status = EXIT_FAILED;
    int rc = 0;

    memset(&cl, 0, sizeof(cl));
    cl.port = LF_DEFAULT_PORT;
    cl.prefix = "";
    cl.nkeys = 40;
    cl.timeout_ms = 2000;
    cl.seed = -1;
    rc = parse_args(argc, argv, &cl);
    if (rc == 0) {
        rc = check_args(&cl);
    }
    if (rc != 0) {
        return EXIT_USAGE;
    }
    if (cl.secretfile != NULL) {
        rc = lf_secret_load(cl.secretfile, &cl.secret, &why);
        if (rc != 0) {
            fprintf(stderr, PROG ": %s %s: %s\n", why, cl.secretfile,
                    lf_rc_str(rc));
            return EXIT_USAGE;
        }
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    cl.journal = fopen(cl.journal_path, "w");
    if (cl.journal == NULL) {
        fprintf(stderr, PROG ": cannot write the journal %s: %s\n",
                cl.journal_path, strerror(errno));
        return EXIT_FAILED;
    }
    rc = write_header(&cl);
    if (rc == 0) {
        rc = (cl.baseline > 0) ? run_baseline(&cl, &acked) : run_random(&cl);
    }
    if (rc != 0 && rc != ENOMEM) {
        fprintf(stderr, PROG ": cannot write the journal %s: %s\n",
                cl.journal_path, lf_rc_str(rc));
    }
    if (cl.connected) {
        lf_client_close(&cl.conn);
    }
    if (fclose(cl.journal) != 0 && rc == 0) {
        rc = errno;
        fprintf(stderr, PROG ": cannot write the journal %s: %s\n",
                cl.journal_path, strerror(rc));
    }
    print_summary(&cl);
    if (rc == 0 && cl.baseline > 0 && acked != cl.baseline) {
        fprintf(stderr,
                PROG " %s: baseline: only %lld of %lld locks acknowledged\n",
                cl.name, acked, cl.baseline);
    } else if (rc == 0) {
        status = 0;
    }
    free(cl.keys);
    free(cl.modes);
    return status;
}

#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lf_log.h"
#include "lf_parse.h"
#include "lf_proc.h"
#include "lf_server.h"

/* The shared flags, in the order of the usage texts. */
static const struct {
    char flag;
    const char *name;
    unsigned bit; /* enum lf_server_shared */
    bool argument;
} shared_flags[] = {
    {'P', "pidfile", LF_SERVER_PIDFILE, true},
    {'L', "logfile", LF_SERVER_LOGFILE, true},
    {'u', "user", LF_SERVER_USER, true},
    {'f', "foreground", LF_SERVER_FOREGROUND, false},
    {'v', "verbose", LF_SERVER_VERBOSE, false},
};
#define SHARED_N (sizeof(shared_flags) / sizeof(shared_flags[0]))
/* Room for this many options of the program's own. */
#define PROGRAM_OPTIONS_MAX 64
/* getopt_long()'s value for the program's option i that has no flag. */
#define LONG_ONLY(i) (256 + (int)(i))

/* The program's option that getopt_long() returned as opt, or NULL. */
static const struct lf_server_option *
find_option(const struct lf_server_option *options, size_t n, int opt)
{
    if (opt >= LONG_ONLY(0) && opt < LONG_ONLY(n)) {
        return &options[opt - LONG_ONLY(0)];
    }
    for (size_t i = 0; i < n; i++) {
        if (options[i].flag != 0 && options[i].flag == opt) {
            return &options[i];
        }
    }
    return NULL;
}

static bool
takes_argument(const struct lf_server_option *o)
{
    return o->set == NULL && (o->choice == NULL || o->text != NULL);
}

/* Store one option's argument where it goes: OK, or USAGE after the
 * message of lf_parse_option(). */
static enum lf_exit
store_option(const struct lf_server *srv, const struct lf_server_option *o,
             const char *arg)
{
    long long n = 0;

    if (o->choice != NULL) {
        if (*o->choice != 0 && *o->choice != o->value) {
            fprintf(stderr, "%s: --%s excludes the option given before it\n",
                    srv->ident, o->name != NULL ? o->name : "?");
            return LF_EXIT_USAGE;
        }
        *o->choice = o->value;
        if (o->text == NULL) {
            return LF_EXIT_OK;
        }
    }
    if (o->text != NULL) {
        *o->text = arg;
        return LF_EXIT_OK;
    }
    if (o->set != NULL) {
        *o->set = true;
        return LF_EXIT_OK;
    }
    if (o->port != NULL) {
        return (lf_parse_option_port(srv->ident, o->flag, arg, o->port) == 0)
                   ? LF_EXIT_OK
                   : LF_EXIT_USAGE;
    }
    if (lf_parse_option(srv->ident, o->flag, arg, o->min, o->max, &n) != 0) {
        return LF_EXIT_USAGE;
    }
    if (o->number != NULL) {
        *o->number = (int)n;
    } else if (o->wide != NULL) {
        *o->wide = n;
    } else if (o->count != NULL) {
        *o->count = (uint64_t)n;
    }
    return LF_EXIT_OK;
}

/* Store a shared flag's argument: false if opt is none of those taken. */
static bool
store_shared(struct lf_server *srv, int opt, const char *arg)
{
    bool taken = false;

    for (size_t i = 0; i < SHARED_N; i++) {
        if (shared_flags[i].flag == opt) {
            taken = (srv->shared & shared_flags[i].bit) != 0;
        }
    }
    if (!taken) {
        return false;
    }
    switch (opt) {
    case 'P':
        srv->pidfile = arg;
        break;
    case 'L':
        srv->logfile = arg;
        break;
    case 'u':
        srv->user = arg;
        break;
    case 'f':
        srv->foreground = true;
        break;
    case 'v':
        srv->verbose = true;
        break;
    default:
        return false;
    }
    return true;
}

/* getopt_long()'s two tables, built from the shared flags and the
 * program's options. */
struct getopt_tables {
    char optstring[2 * (SHARED_N + 1 + PROGRAM_OPTIONS_MAX) + 1];
    struct option longopts[SHARED_N + 1 + PROGRAM_OPTIONS_MAX + 1];
    size_t len;
    size_t nlong;
};

/* One option into both tables: its flag (none when 0) and its long name
 * (none when NULL), either of them returned by getopt_long() as val. */
static void
add_option(struct getopt_tables *g, char flag, const char *name, bool argument,
           int val)
{
    if (flag != 0) {
        g->optstring[g->len++] = flag;
        if (argument) {
            g->optstring[g->len++] = ':';
        }
    }
    if (name != NULL) {
        g->longopts[g->nlong++] = (struct option){
            name, argument ? required_argument : no_argument, NULL, val};
    }
}

void
lf_server_init(struct lf_server *srv, const char *ident)
{
    memset(srv, 0, sizeof(*srv));
    srv->ident = ident;
    srv->shared = LF_SERVER_SHARED_ALL;
    srv->notify_fd = -1;
    srv->signal_fd = -1;
}

enum lf_exit
lf_server_parse(struct lf_server *srv, int argc, char **argv,
                const struct lf_server_option *options, size_t n,
                void (*usage)(FILE *out))
{
    struct getopt_tables g = {.len = 0, .nlong = 0};
    int opt;

    if (n > PROGRAM_OPTIONS_MAX) {
        n = PROGRAM_OPTIONS_MAX;
    }
    for (size_t i = 0; i < SHARED_N; i++) {
        if ((srv->shared & shared_flags[i].bit) != 0) {
            add_option(&g, shared_flags[i].flag, shared_flags[i].name,
                       shared_flags[i].argument, shared_flags[i].flag);
        }
    }
    add_option(&g, 'h', "help", false, 'h');
    for (size_t i = 0; i < n; i++) {
        add_option(&g, options[i].flag, options[i].name,
                   takes_argument(&options[i]),
                   options[i].flag != 0 ? options[i].flag : LONG_ONLY(i));
    }
    g.optstring[g.len] = '\0';
    g.longopts[g.nlong] = (struct option){NULL, 0, NULL, 0};
    while ((opt = getopt_long(argc, argv, g.optstring, g.longopts, NULL))
           != -1) {
        const struct lf_server_option *o = NULL;

        if (opt == 'h') {
            usage(stdout);
            exit(0);
        }
        if (store_shared(srv, opt, optarg)) {
            continue;
        }
        o = find_option(options, n, opt);
        if (o == NULL) {
            usage(stderr);
            return LF_EXIT_USAGE;
        }
        if (store_option(srv, o, optarg) != LF_EXIT_OK) {
            return LF_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", srv->ident,
                argv[optind]);
        return LF_EXIT_USAGE;
    }
    return LF_EXIT_OK;
}

enum lf_exit
lf_server_check_instance(const struct lf_server *srv, int max)
{
    if (lf_parse_name(srv->instance, (size_t)max) != 0) {
        fprintf(stderr,
                "%s: instance '%s' must be 1 to %d characters of A-Z a-z "
                "0-9 _ . -\n",
                srv->ident, srv->instance, max);
        return LF_EXIT_USAGE;
    }
    return LF_EXIT_OK;
}

int
lf_server_start(struct lf_server *srv, struct lf_secret *secret)
{
    char context[128];
    int rc;

    srv->notify_fd = -1;
    secret->len = 0;
    /* Until readiness, errors also reach whoever started us. */
    lf_log_init(srv->ident, LF_LOG_STDERR, LOG_DAEMON);
    if (srv->verbose) {
        lf_log_set_level(LOG_DEBUG);
    }
    lf_log_level_from_env();
    snprintf(context, sizeof(context), "%s: ", srv->instance);
    lf_log_set_context(context);
    if (srv->secretfile != NULL) {
        const char *why = "";

        rc = lf_secret_load(srv->secretfile, secret, &why);
        if (rc != 0) {
            lf_err("%s %s: %s", why, srv->secretfile, strerror(rc));
            return 1;
        }
        if (secret->client_only) {
            lf_err("%s holds a client credential: the servers need the "
                   "pair's secret itself",
                   srv->secretfile);
            secret->len = 0;
            return 1;
        }
    }
    /* Detach first: it closes every descriptor that logging could use. */
    if (lf_server_detach(srv) != 0) {
        return 1;
    }
    lf_log_init(srv->ident, LF_LOG_SYSLOG | LF_LOG_STDERR, LOG_DAEMON);
    if (srv->logfile != NULL) {
        /* Opened as root (start-up errors belong in it too), so only a
         * file of root's or the service user's, never through a link. */
        uid_t uid = geteuid();
        gid_t gid = getegid();
        uid_t former = (uid_t)-1;
        gid_t former_gid = 0;
        const char *why = "";

        if (srv->user != NULL
            && (rc = lf_proc_lookup_user(srv->user, &uid, &gid)) != 0) {
            lf_err("cannot run as user %s: %s", srv->user,
                   rc == ENOENT ? "no such user" : strerror(rc));
            return 1;
        }
        /* One the servers wrote as their former user is fine too. */
        if (lf_proc_lookup_user(LF_FORMER_USER, &former, &former_gid) != 0) {
            former = (uid_t)-1;
        }
        rc = lf_log_open_file(srv->logfile, uid, gid, former, &why);
        if (rc != 0) {
            lf_err("cannot open log file %s: %s", srv->logfile, why);
            return 1;
        }
    }
    return 0;
}

int
lf_server_detach(struct lf_server *srv)
{
    int rc;

    if (srv->foreground) {
        return 0;
    }
    rc = lf_daemonize(&srv->notify_fd);
    if (rc != 0) {
        lf_err("cannot detach: %s", strerror(rc));
    }
    return rc;
}

int
lf_server_signalfd(int *fd)
{
    sigset_t mask;

    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0) {
        return errno;
    }
    *fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    return (*fd < 0) ? errno : 0;
}

int
lf_server_write_pidfile(struct lf_server *srv)
{
    int rc;

    if (srv->pidfile == NULL) {
        return 0;
    }
    rc = lf_pidfile_write(srv->pidfile, getpid());
    if (rc != 0) {
        lf_err("cannot write pid file %s: %s", srv->pidfile, strerror(rc));
        return rc;
    }
    srv->wrote_pidfile = true;
    return 0;
}

int
lf_server_drop(struct lf_server *srv)
{
    int rc;

    if (srv->user == NULL) {
        return 0;
    }
    rc = lf_proc_drop_to(srv->user);
    if (rc != 0) {
        lf_err("cannot run as user %s: %s", srv->user,
               rc == ENOENT ? "no such user" : strerror(rc));
    }
    return rc;
}

int
lf_server_signals(struct lf_server *srv)
{
    int rc = lf_server_signalfd(&srv->signal_fd);

    if (rc != 0) {
        lf_err("cannot set up signal handling: %s", strerror(rc));
    }
    return rc;
}

struct lf_server_signal
lf_server_read_signals(int fd)
{
    struct lf_server_signal got = {0, false};
    struct signalfd_siginfo si;

    while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
            got.stop = si.ssi_signo;
        } else if (si.ssi_signo == SIGUSR1) {
            got.usr1 = true;
        }
    }
    return got;
}

void
lf_server_ready(struct lf_server *srv)
{
    lf_daemon_ready(srv->notify_fd, 0);
    srv->notify_fd = -1;
    if (!srv->foreground && !srv->own_log) {
        lf_log_init(srv->ident, LF_LOG_SYSLOG, LOG_DAEMON);
    }
}

/* Remove the pid file, unless another process has written it since. */
static void
remove_pidfile_if_ours(const char *path)
{
    pid_t pid = 0;

    if (lf_pidfile_read(path, &pid) == 0 && pid == getpid()) {
        (void)unlink(path);
    }
}

int
lf_server_finish(struct lf_server *srv, enum lf_exit end)
{
    int status = lf_exit_status(LF_EXIT_DAEMON, end);

    if (srv->signal_fd >= 0) {
        close(srv->signal_fd);
        srv->signal_fd = -1;
    }
    if (srv->wrote_pidfile) {
        if (srv->pidfile_end == LF_SERVER_PIDFILE_IF_OURS) {
            remove_pidfile_if_ours(srv->pidfile);
        } else if (end == LF_EXIT_OK) {
            (void)unlink(srv->pidfile);
        }
        srv->wrote_pidfile = false;
    }
    /* Start-up failed before readiness: the starter exits with it. */
    lf_daemon_ready(srv->notify_fd, status);
    srv->notify_fd = -1;
    return status;
}

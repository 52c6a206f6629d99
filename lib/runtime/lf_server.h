/*
 * lf_server.h - the daemon skeleton that lf-enqueued, lf-replicad, lf-watch
 * and leapfrogd share: their command line, start-up, signals, readiness
 * and teardown. Each main() calls these steps in its own order, with its
 * own steps between them:
 *
 *   lf_server_init()           the skeleton, before anything else
 *   lf_server_parse()          the shared flags and the program's own
 *   lf_server_start()          logging, the secret, detaching (leapfrogd,
 *                              which logs through Pacemaker: only
 *                              lf_server_detach())
 *   lf_server_write_pidfile()  -P, early: an agent giving up on the
 *                              start can stop the daemon
 *   lf_server_drop()           becoming -u's user for good
 *   lf_server_signals()        stop requests through a signalfd
 *   lf_server_ready()          readiness: the agent's start returns
 *   lf_server_finish()         teardown, and the exit status (lf_exit.h)
 */
#ifndef LF_SERVER_H
#define LF_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lf_exit.h"
#include "lf_secret.h"

/* The shared flags, for struct lf_server's shared: the ones a program
 * takes (-h, --help always). */
enum lf_server_shared {
    LF_SERVER_PIDFILE = 1 << 0,    /* -P, --pidfile FILE */
    LF_SERVER_LOGFILE = 1 << 1,    /* -L, --logfile FILE */
    LF_SERVER_USER = 1 << 2,       /* -u, --user USER */
    LF_SERVER_FOREGROUND = 1 << 3, /* -f, --foreground */
    LF_SERVER_VERBOSE = 1 << 4,    /* -v, --verbose */
    LF_SERVER_SHARED_ALL = (1 << 5) - 1,
};

/* What becomes of the pid file at the end. */
enum lf_server_pidfile_end {
    /* Removed after a clean stop only: after a failure it stays, and the
     * agent's monitor finds the server dead, not stopped. */
    LF_SERVER_PIDFILE_CLEAN_STOP = 0,
    /* Removed at every end, unless another process has written it since
     * (a watcher replaced by the next one). */
    LF_SERVER_PIDFILE_IF_OURS,
};

struct lf_server {
    /* Settings: the shared flags set those marked so, the program the
     * others, before lf_server_start(). */
    const char *ident;      /* program name, in the log and messages */
    const char *instance;   /* prefixes every message */
    const char *secretfile; /* or NULL */
    const char *pidfile;    /* -P, or NULL */
    const char *logfile;    /* -L: an additional log file, or NULL */
    const char *user;       /* -u: the service user, or NULL */
    bool foreground;        /* -f */
    bool verbose;           /* -v */
    enum lf_server_pidfile_end pidfile_end;
    unsigned shared; /* the shared flags taken: LF_SERVER_SHARED_ALL, or
                        some (enum lf_server_shared) */
    bool own_log;    /* the program logs its own way (leapfrogd through
                        Pacemaker): lf_server_ready() leaves it alone */
    /* State. */
    int notify_fd;      /* readiness still owed to the starter, or -1 */
    int signal_fd;      /* from lf_server_signals(), or -1 */
    bool wrote_pidfile; /* ours to remove */
};

/*
 * A program's own command-line option: its flag (not one of the shared
 * ones; 0 for a long option only), its long name (or NULL) and where its
 * value goes. Exactly one destination is set, but choice may come with
 * text; a number is checked against [min, max] with the message of
 * lf_parse_option(), and must fit its destination.
 */
struct lf_server_option {
    char flag;
    const char *name;  /* --name, or NULL */
    const char **text; /* the argument as it is */
    bool *set;         /* no argument: set to true */
    uint16_t *port;    /* a TCP port */
    int *number;       /* an integer in [min, max] */
    long long *wide;   /* the same, in a long long */
    uint64_t *count;   /* the same, in a uint64_t */
    long long min, max;
    int *choice; /* no argument (unless text): set to value, one of a
                    set of options that exclude each other (a mode); a
                    different value already set is a usage error */
    int value;
};

/*! \brief Set up the skeleton of the program ident: no settings yet. */
void lf_server_init(struct lf_server *srv, const char *ident);

/*!
 * \brief Parse the command line: the shared flags srv->shared names (-P
 *        PIDFILE, -L LOGFILE, -u USER, -f, -v, each with its long name;
 *        -h, --help prints the usage and exits 0) and the program's
 *        options; no operand is allowed.
 *
 * \param[in] options   the program's options, n of them (at most 64)
 * \param[in] usage     prints the program's usage on out (stdout for -h,
 *                      stderr after an unknown flag or a missing argument)
 *
 * \return OK, or USAGE after a message on stderr
 */
enum lf_exit lf_server_parse(struct lf_server *srv, int argc, char **argv,
                             const struct lf_server_option *options, size_t n,
                             void (*usage)(FILE *out));

/*!
 * \brief The servers' check of the instance name: 1 to max characters of
 *        A-Z a-z 0-9 _ . - (it names files and the replica segment).
 *
 * \return OK, or USAGE after a message on stderr
 */
enum lf_exit lf_server_check_instance(const struct lf_server *srv, int max);

/*!
 * \brief Set up logging (stderr until readiness, then syslog), load the
 *        secret and detach unless in the foreground; then open the log
 *        file.
 *
 * \param[out] secret  the secret (len 0 without a secret file)
 *
 * \return 0, or 1 when start-up failed, the reason logged
 */
int lf_server_start(struct lf_server *srv, struct lf_secret *secret);

/*!
 * \brief Detach, unless in the foreground (-f): the parent exits when
 *        lf_server_ready() or lf_server_finish() tells it how start-up
 *        ended. lf_server_start() does it; a program that sets up its own
 *        logging (own_log) calls it instead.
 *
 * \return 0, or an errno value, the reason logged
 */
int lf_server_detach(struct lf_server *srv);

/*!
 * \brief Write the pid file, if there is one (-P).
 *
 * \return 0, or an errno value, the reason logged
 */
int lf_server_write_pidfile(struct lf_server *srv);

/*!
 * \brief Become the service user for good, if there is one (-u).
 *
 * \return 0, or an errno value, the reason logged
 */
int lf_server_drop(struct lf_server *srv);

/*!
 * \brief Ignore SIGPIPE, and deliver SIGTERM, SIGINT, SIGHUP and SIGUSR1
 *        through srv->signal_fd (lf_server_signalfd()).
 *
 * \return 0, or an errno value, the reason logged
 */
int lf_server_signals(struct lf_server *srv);

/*!
 * \brief Ignore SIGPIPE, and deliver SIGTERM, SIGINT, SIGHUP and SIGUSR1
 *        (a request from the agent) through a non-blocking signalfd
 *        instead of handlers.
 *
 * \param[out] fd  the signalfd; the caller closes it
 *
 * \return 0 or an errno value
 */
int lf_server_signalfd(int *fd);

/* What lf_server_read_signals() found. */
struct lf_server_signal {
    unsigned stop; /* SIGTERM or SIGINT came (the last one), or 0 */
    bool usr1;     /* SIGUSR1 came: a request from the agent */
};

/*! \brief Drain a signalfd: what came since the last call (SIGHUP is
 *         ignored). */
struct lf_server_signal lf_server_read_signals(int fd);

/*! \brief Report readiness; from now on log to syslog (and the file),
 *         unless the program logs its own way (own_log). */
void lf_server_ready(struct lf_server *srv);

/*!
 * \brief The teardown, after the program's own: close the signalfd,
 *        remove the pid file as srv->pidfile_end says, and, when start-up
 *        failed before readiness, pass the exit status on to the starter.
 *
 * \return the daemon's exit status for end (lf_exit_status())
 */
int lf_server_finish(struct lf_server *srv, enum lf_exit end);

#endif

#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lf_log.h"
#include "lf_proc.h"
#include "lf_server.h"

int
lf_server_start(const struct lf_server_opts *opts, struct lf_secret *secret,
                int *notify_fd)
{
    char context[128];
    int rc;

    *notify_fd = -1;
    secret->len = 0;
    /* Until readiness, errors also reach whoever started us. */
    lf_log_init(opts->ident, LF_LOG_STDERR, LOG_DAEMON);
    if (opts->verbose) {
        lf_log_set_level(LOG_DEBUG);
    }
    lf_log_level_from_env();
    snprintf(context, sizeof(context), "%s: ", opts->instance);
    lf_log_set_context(context);
    if (opts->secretfile != NULL) {
        const char *why = "";

        rc = lf_secret_load(opts->secretfile, secret, &why);
        if (rc != 0) {
            lf_err("%s %s: %s", why, opts->secretfile, strerror(rc));
            return 1;
        }
        if (secret->client_only) {
            lf_err("%s holds a client credential: the servers need the "
                   "pair's secret itself",
                   opts->secretfile);
            secret->len = 0;
            return 1;
        }
    }
    /* Detach first: it closes every descriptor that logging could use. */
    if (!opts->foreground && (rc = lf_daemonize(notify_fd)) != 0) {
        lf_err("cannot detach: %s", strerror(rc));
        return 1;
    }
    lf_log_init(opts->ident, LF_LOG_SYSLOG | LF_LOG_STDERR, LOG_DAEMON);
    if (opts->logfile != NULL) {
        /* Opened as root (start-up errors belong in it too), so only a
         * file of root's or the service user's, never through a link. */
        uid_t uid = geteuid();
        gid_t gid = getegid();
        uid_t former = (uid_t)-1;
        gid_t former_gid = 0;
        const char *why = "";

        if (opts->user != NULL
            && (rc = lf_proc_lookup_user(opts->user, &uid, &gid)) != 0) {
            lf_err("cannot run as user %s: %s", opts->user,
                   rc == ENOENT ? "no such user" : strerror(rc));
            return 1;
        }
        /* One the servers wrote as their former user is fine too. */
        if (lf_proc_lookup_user(LF_FORMER_USER, &former, &former_gid) != 0) {
            former = (uid_t)-1;
        }
        rc = lf_log_open_file(opts->logfile, uid, gid, former, &why);
        if (rc != 0) {
            lf_err("cannot open log file %s: %s", opts->logfile, why);
            return 1;
        }
    }
    return 0;
}

void
lf_server_ready(const struct lf_server_opts *opts, int *notify_fd)
{
    lf_daemon_ready(*notify_fd, 0);
    *notify_fd = -1;
    if (!opts->foreground) {
        lf_log_init(opts->ident, LF_LOG_SYSLOG, LOG_DAEMON);
    }
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

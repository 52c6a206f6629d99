/*
 * lf_server.h - the start-up that the enqueue and replication servers
 * share: logging, the shared secret, detaching, signals.
 */
#ifndef LF_SERVER_H
#define LF_SERVER_H

#include <stdbool.h>

#include "lf_secret.h"

struct lf_server_opts {
    const char *ident;      /* program name in the log */
    const char *instance;   /* prefixes every message */
    const char *secretfile; /* or NULL */
    const char *logfile;    /* an additional log file, or NULL */
    const char *user;       /* the service user it will run as, or NULL */
    bool foreground;
    bool verbose;
};

/*!
 * \brief Set up logging (stderr until readiness, then syslog), load the
 *        secret and detach unless in the foreground.
 *
 * \param[out] secret     the secret (len 0 without a secret file)
 * \param[out] notify_fd  for lf_server_ready() (-1 in the foreground)
 *
 * \return 0; 1 when start-up failed, the reason logged (and, once
 *         detached, the caller still owes lf_daemon_ready(*notify_fd, 1))
 */
int lf_server_start(const struct lf_server_opts *opts, struct lf_secret *secret,
                    int *notify_fd);

/*! \brief Report readiness; from now on log to syslog (and the file). */
void lf_server_ready(const struct lf_server_opts *opts, int *notify_fd);

/*!
 * \brief Ignore SIGPIPE, and deliver SIGTERM, SIGINT, SIGHUP and SIGUSR1
 *        (a request from the agent) through a non-blocking signalfd
 *        instead of handlers.
 *
 * \return 0 or an errno value
 */
int lf_server_signalfd(int *fd);

#endif

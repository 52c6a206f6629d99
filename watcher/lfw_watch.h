/*
 * lfw_watch.h - what lf-watch does once detached: wait for the server
 * named by the arm record to exit, then, unless the agent has disarmed it,
 * report the failure to the cluster (lfw_pcmk.h) at once.
 */
#ifndef LFW_WATCH_H
#define LFW_WATCH_H

#include <stdbool.h>

#include "lfw_pcmk.h"

/* Exit statuses of lf-watch (also what its readiness reports). */
enum lfw_exit {
    LFW_EXIT_OK = 0,
    LFW_EXIT_FAILED = 1,  /* start-up failed */
    LFW_EXIT_USAGE = 2,   /* bad command line */
    LFW_EXIT_NOTHING = 3, /* no armed record, or its server is gone */
};

struct lfw_config {
    const char *arm_path; /* the arm record the agent wrote */
    const char *pidfile;  /* lf-watch's own pid file, or NULL */
    const char *logfile;  /* an additional log file, or NULL */
    const char *user;     /* the servers' user, who may own it, or NULL */
    struct lfw_pcmk_target target;
    long long report_ms; /* how long to keep trying to report */
    bool foreground;
    bool verbose;
};

/*!
 * \brief Detach (unless in the foreground), open a pidfd on the armed
 *        server, report readiness, and watch it until it exits or a
 *        signal (SIGTERM, SIGINT) ends the watch.
 *
 * \return an enum lfw_exit, the process's exit status
 */
int lfw_watch_run(const struct lfw_config *cfg);

#endif

/*
 * lfw_watch.h - what lf-watch does once detached: wait for the server
 * named by the arm record to exit, then, unless the agent has disarmed it,
 * report the failure to the cluster (lfw_pcmk.h) at once. Its start-up is
 * the daemon skeleton's (lf_server.h), in lfw_main.c.
 */
#ifndef LFW_WATCH_H
#define LFW_WATCH_H

#include "lf_exit.h"
#include "lf_watch.h"
#include "lfw_pcmk.h"

/* lf-watch's own settings (the shared ones are the skeleton's). */
struct lfw_config {
    const char *arm_path; /* the arm record the agent wrote */
    struct lfw_pcmk_target target;
    long long report_ms; /* how long to keep trying to report */
};

/* The server watched: the arm record's, by a pidfd on it. */
struct lfw_watch {
    struct lf_watch_arm watched; /* the server, as armed */
    int pidfd;                   /* on it, or -1: poll /proc */
};

/*!
 * \brief Open the watch: read the arm record and open a pidfd on the
 *        server it names (or, without pidfd_open(2), poll /proc).
 *
 * \param[out] w  the watch; lfw_watch_close() it whatever the end
 *
 * \return OK, NOTHING (no armed record, or its server is gone) or FAILED,
 *         the reason logged
 */
enum lf_exit lfw_watch_open(const struct lfw_config *cfg, struct lfw_watch *w);

/*!
 * \brief Watch the server until it exits or a stop request (SIGTERM,
 *        SIGINT on sigfd) ends the watch; report an exit without a stop
 *        (lfw_pcmk.h), unless the agent has disarmed it meanwhile.
 *
 * \return OK after a report, a disarm or a stop request; FAILED when the
 *         report could not be made, or the wait failed
 */
enum lf_exit lfw_watch_run(const struct lfw_config *cfg,
                           const struct lfw_watch *w, int sigfd);

/*! \brief Close the watch's pidfd. */
void lfw_watch_close(struct lfw_watch *w);

#endif

/*
 * leapfrogd's daemon mode: the CIB watched, every change evaluated (a
 * burst folded into one evaluation), what changed written, the warnings
 * logged when their set changes, the signals served.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <glib.h>

#include "lf_log.h"
#include "lf_server.h"
#include "lfd_cib.h"
#include "lfd_derive.h"
#include "lfd_run.h"
#include "lfd_write.h"

static void
log_pair_errors(struct lfd *lfd, const struct lfd_result *r)
{
    for (size_t i = 0; i < r->npairs; i++) {
        if (r->pairs[i].error != NULL) {
            /* Logged at every evaluation would flood; debug after the
             * first time is enough, and the status shows it. */
            lf_log(lfd->evaluations <= 1 ? LOG_ERR : LOG_DEBUG,
                   "pair %s left as it is: %s", r->pairs[i].follower,
                   r->pairs[i].error);
        }
    }
}

static bool
was_warned(const struct lfd *lfd, const char *text)
{
    for (size_t i = 0; i < lfd->nwarned; i++) {
        if (strcmp(lfd->warned[i], text) == 0) {
            return true;
        }
    }
    return false;
}

static void
forget_warnings(struct lfd *lfd)
{
    for (size_t i = 0; i < lfd->nwarned; i++) {
        free(lfd->warned[i]);
    }
    free(lfd->warned);
    lfd->warned = NULL;
    lfd->nwarned = 0;
}

/* The warnings are logged when their set changes (the first evaluation
 * counts as one): new ones as warnings, those gone as notices. The same
 * set again logs nothing. */
static void
log_warnings(struct lfd *lfd, const struct lfd_result *r)
{
    bool changed = (r->nwarnings != lfd->nwarned);
    char **now;

    for (size_t i = 0; i < r->nwarnings; i++) {
        if (!was_warned(lfd, r->warnings[i].text)) {
            lf_warn("%s", r->warnings[i].text);
            changed = true;
        }
    }
    for (size_t i = 0; i < lfd->nwarned; i++) {
        if (!lfd_result_warns(r, lfd->warned[i])) {
            lf_notice("no longer applies: %s", lfd->warned[i]);
            changed = true;
        }
    }
    if (!changed) {
        return;
    }
    now = calloc(r->nwarnings + 1, sizeof(*now));
    if (now == NULL) {
        return; /* logged again next time: better than not at all */
    }
    for (size_t i = 0; i < r->nwarnings; i++) {
        now[i] = strdup(r->warnings[i].text);
        if (now[i] == NULL) {
            for (size_t k = 0; k < i; k++) {
                free(now[k]);
            }
            free(now);
            return;
        }
    }
    forget_warnings(lfd);
    lfd->warned = now;
    lfd->nwarned = r->nwarnings;
}

/* The daemon logs each write and counts them. */
static void
report_logged(void *arg, const struct lfd_change *c, enum lfd_write how, int rc)
{
    struct lfd *lfd = arg;

    switch (how) {
    case LFD_WRITTEN:
        lfd->writes++;
        lf_notice("%sd %s (write %lu)", lfd_op_str(c->op), c->id, lfd->writes);
        break;
    case LFD_WRITE_FAILED:
        lfd->write_errors++;
        lf_err("cannot %s %s: %s; the pair keeps its previous "
               "constraints",
               lfd_op_str(c->op), c->id, lfd_cib_strerror(rc));
        break;
    case LFD_WRITE_SKIPPED:
        break;
    }
}

/* Derive and write what changed. */
static void
evaluate(struct lfd *lfd)
{
    struct lfd_result r;
    int rc;

    lfd->evaluations++;
    rc = lfd_run_derive(lfd, &r);
    if (rc == EIO) {
        return; /* logged; the next notification or reconnect retries */
    }
    if (rc != 0) {
        lf_err("cannot derive the constraints: %s", strerror(rc));
        return;
    }
    log_warnings(lfd, &r);
    if (!r.settled) {
        if (lfd->last_unsettled == NULL
            || strcmp(lfd->last_unsettled, r.unsettled) != 0) {
            lf_info("waiting for the cluster to settle: %s", r.unsettled);
            free(lfd->last_unsettled);
            lfd->last_unsettled = strdup(r.unsettled);
        }
        lfd_result_free(&r);
        return;
    }
    free(lfd->last_unsettled);
    lfd->last_unsettled = NULL;
    log_pair_errors(lfd, &r);
    if (lfd->dry_run) {
        for (size_t i = 0; i < r.nchanges; i++) {
            lf_notice("would %s %s", lfd_op_str(r.changes[i].op),
                      r.changes[i].id);
        }
    } else {
        (void)lfd_write_changes(&r, lfd_run_write, report_logged, lfd);
    }
    lfd_result_free(&r);
}

static gboolean
debounced(gpointer data)
{
    struct lfd *lfd = data;

    if (lfd->dirty) {
        /* More changes came during the quiet period: one evaluation for
         * all of them, and another quiet period. */
        lfd->dirty = false;
        evaluate(lfd);
        return G_SOURCE_CONTINUE;
    }
    lfd->timer = 0;
    return G_SOURCE_REMOVE;
}

/* A change after a quiet period is evaluated at once (no added latency);
 * the changes that follow within the debounce period are folded into one
 * evaluation at its end. */
static void
cib_changed(void *arg)
{
    struct lfd *lfd = arg;

    if (lfd->timer != 0) {
        lfd->dirty = true;
        return;
    }
    evaluate(lfd);
    if (lfd->debounce_ms > 0) {
        lfd->timer = g_timeout_add((guint)lfd->debounce_ms, debounced, lfd);
    }
}

static void
cib_reconnected(void *arg)
{
    cib_changed(arg);
}

/* SIGTERM, SIGINT: stop. SIGUSR1: the counters, for operators and the
 * benchmark. SIGHUP: nothing. */
static gboolean
on_signals(gint fd, GIOCondition condition, gpointer data)
{
    struct lfd *lfd = data;
    struct lf_server_signal got = lf_server_read_signals(fd);

    (void)condition;
    if (got.usr1) {
        lf_notice("stats: evaluations=%lu writes=%lu write_errors=%lu "
                  "skipped=%lu",
                  lfd->evaluations, lfd->writes, lfd->write_errors,
                  lfd_cib_skipped(lfd->cib));
    }
    if (got.stop != 0) {
        lf_notice("stopping after %lu evaluations, %lu writes and %lu "
                  "notifications that needed no evaluation",
                  lfd->evaluations, lfd->writes, lfd_cib_skipped(lfd->cib));
        g_main_loop_quit(lfd->loop);
    }
    return G_SOURCE_CONTINUE;
}

/* The daemon: detached (unless -f), its signals, Pacemaker's logging, the
 * pid file, the main loop, the CIB watched. */
int
lfd_daemon_setup(struct lfd *lfd, int argc, char **argv)
{
    int rc;

    /* Pacemaker's logging set-up changes the working directory: a relative
     * CIB_file would then name another file. */
    if (getenv("CIB_file") != NULL) {
        char *abs = realpath(getenv("CIB_file"), NULL);

        if (abs != NULL) {
            setenv("CIB_file", abs, 1);
            free(abs);
        }
    }
    lf_log_init("leapfrogd", LF_LOG_STDERR, LOG_DAEMON);
    /* Signals blocked before any library can start a thread, which would
     * otherwise take them. */
    if (lf_server_detach(&lfd->srv) != 0 || lf_server_signals(&lfd->srv) != 0) {
        return 1;
    }
    lfd_cib_log_init(argc, argv, lfd->srv.foreground || lfd->srv.notify_fd >= 0,
                     lfd->srv.verbose);
    lf_log_set_level(lfd->srv.verbose ? LOG_DEBUG : LOG_INFO);
    if (lf_server_write_pidfile(&lfd->srv) != 0) {
        return 1;
    }
    lfd->loop = g_main_loop_new(NULL, FALSE);
    lfd->signals = g_unix_fd_add(lfd->srv.signal_fd, G_IO_IN, on_signals, lfd);
    rc = lfd_cib_connect(true, cib_changed, cib_reconnected, lfd, &lfd->cib);
    if (rc != 0) {
        lf_err("cannot connect to the CIB: %s", lfd_cib_strerror(rc));
        return 1;
    }
    return 0;
}

/* Evaluate once, then on every change until a signal stops the loop. */
int
lfd_daemon_run(struct lfd *lfd)
{
    lf_notice("watching the CIB%s",
              lfd->dry_run ? " (dry run: no writes)" : "");
    lf_server_ready(&lfd->srv);
    evaluate(lfd);
    g_main_loop_run(lfd->loop);
    return 0;
}

void
lfd_daemon_free(struct lfd *lfd)
{
    if (lfd->timer != 0) {
        g_source_remove(lfd->timer);
        lfd->timer = 0;
    }
    if (lfd->signals != 0) {
        g_source_remove(lfd->signals);
        lfd->signals = 0;
    }
    if (lfd->loop != NULL) {
        g_main_loop_unref(lfd->loop);
        lfd->loop = NULL;
    }
    free(lfd->last_unsettled);
    lfd->last_unsettled = NULL;
    forget_warnings(lfd);
}

#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lf_log.h"
#include "lf_proc.h"
#include "lf_rc.h"
#include "lf_server.h"
#include "lf_watch.h"
#include "lfw_watch.h"

/* Without pidfd_open(2): how often /proc is checked for the server. */
#define POLL_MS 100

/* Drain the signalfd: true when SIGTERM or SIGINT (the agent's disarm)
 * came; SIGHUP and SIGUSR1 are ignored. */
static bool
stop_requested(int sigfd)
{
    return lf_server_read_signals(sigfd).stop != 0;
}

/* Sleep ms, or less when a stop request comes: true for a stop. */
static bool
pause_or_stop(int sigfd, long long ms)
{
    struct pollfd pfd = {.fd = sigfd, .events = POLLIN};

    if (poll(&pfd, 1, (int)ms) > 0) {
        return stop_requested(sigfd);
    }
    return false;
}

/* Mark the record reported, if it still names the server as armed (the
 * agent's stop may have deleted it meanwhile: then leave it deleted). */
static void
mark_reported(const struct lfw_config *cfg, const struct lf_watch_arm *watched)
{
    struct lf_watch_arm now;
    int rc = lf_watch_read(cfg->arm_path, &now);

    if (!lf_watch_should_report(watched, rc, &now)) {
        return;
    }
    now.state = LF_WATCH_REPORTED;
    rc = lf_watch_write(cfg->arm_path, &now);
    if (rc != 0) {
        lf_warn("cannot mark %s reported: %s (the next monitor reports the "
                "failure too)",
                cfg->arm_path, lf_rc_str(rc));
    }
}

/* The server has exited: report it, unless disarmed, until report_ms
 * after the exit. */
static enum lf_exit
report(const struct lfw_config *cfg, const struct lf_watch_arm *watched,
       int sigfd, long long exited_ms)
{
    const struct lfw_pcmk_target *t = &cfg->target;
    long long deadline = exited_ms + cfg->report_ms;
    long long pause_ms = 50;
    bool warned = false;
    char why[256];

    for (;;) {
        struct lf_watch_arm now;
        int rc = lf_watch_read(cfg->arm_path, &now);
        long long left;

        if (!lf_watch_should_report(watched, rc, &now)) {
            lf_info("the server (pid %ld) exited after the agent disarmed "
                    "the watch: not a failure",
                    (long)watched->pid);
            return LF_EXIT_OK;
        }
        left = deadline - lf_now_ms();
        rc = lfw_pcmk_fail(t, left > 500 ? left : 500, why, sizeof(why));
        if (rc == 0) {
            mark_reported(cfg, watched);
            lf_notice("the server (pid %ld) exited without a stop: reported "
                      "the failure of %s on %s to the cluster %lld ms after "
                      "its exit",
                      (long)watched->pid, t->rsc, t->node,
                      lf_now_ms() - exited_ms);
            return LF_EXIT_OK;
        }
        left = deadline - lf_now_ms();
        if (left <= 0) {
            lf_err("the server (pid %ld) exited without a stop, but its "
                   "failure could not be reported within %lld ms (%s): the "
                   "next monitor will find it",
                   (long)watched->pid, cfg->report_ms, why);
            return LF_EXIT_FAILED;
        }
        if (!warned) {
            lf_warn("the server (pid %ld) exited without a stop; cannot "
                    "report the failure yet (%s): trying again for %lld ms",
                    (long)watched->pid, why, left);
            warned = true;
        } else {
            lf_debug("report of %s failed again: %s", t->rsc, why);
        }
        if (pause_or_stop(sigfd, pause_ms < left ? pause_ms : left)) {
            lf_info("disarmed while reporting: not reporting");
            return LF_EXIT_OK;
        }
        pause_ms = pause_ms * 2 < 1000 ? pause_ms * 2 : 1000;
    }
}

/* Without a pidfd: has the process {pid, start} exited (a zombie, gone,
 * or its pid taken by another)? */
static bool
server_gone(const struct lf_watch_arm *watched)
{
    unsigned long long start = 0;

    return lf_proc_start_time(watched->pid, &start) != 0
           || start != watched->start
           || lf_proc_state(watched->pid, NULL) != LF_PROC_RUNNING;
}

/* Wait for the server's exit or a stop request; pidfd -1: poll /proc. */
static enum lf_exit
watch(const struct lfw_config *cfg, const struct lf_watch_arm *watched,
      int pidfd, int sigfd)
{
    struct pollfd pfd[2] = {{.fd = sigfd, .events = POLLIN},
                            {.fd = pidfd, .events = POLLIN}};
    int nfds = (pidfd >= 0) ? 2 : 1;

    for (;;) {
        int n = poll(pfd, (nfds_t)nfds, (pidfd >= 0) ? -1 : POLL_MS);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            lf_err("cannot wait for the server: %s", strerror(errno));
            return LF_EXIT_FAILED;
        }
        if ((pfd[0].revents & POLLIN) != 0 && stop_requested(sigfd)) {
            lf_debug("disarmed: the watch ends");
            return LF_EXIT_OK;
        }
        if ((pidfd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0)
            || (pidfd < 0 && server_gone(watched))) {
            return report(cfg, watched, sigfd, lf_now_ms());
        }
    }
}

enum lf_exit
lfw_watch_open(const struct lfw_config *cfg, struct lfw_watch *w)
{
    int rc = lf_watch_read(cfg->arm_path, &w->watched);

    w->pidfd = -1;
    if (rc != 0 || w->watched.state != LF_WATCH_ARMED) {
        lf_err("nothing to watch: %s %s", cfg->arm_path,
               rc == 0 ? "is no longer armed" : "cannot be read");
        return LF_EXIT_NOTHING;
    }
    rc = lf_proc_pidfd_open(w->watched.pid, w->watched.start, &w->pidfd);
    if (rc == ENOSYS && !server_gone(&w->watched)) {
        /* An old kernel, a seccomp filter, or valgrind. */
        lf_notice("no pidfd_open(2) here: checking the server every %d ms",
                  POLL_MS);
        rc = 0;
    }
    if (rc == ESRCH || rc == ENOSYS) {
        lf_err("nothing to watch: the server (pid %ld) is gone (or its "
               "pid names another process now)",
               (long)w->watched.pid);
        return LF_EXIT_NOTHING;
    }
    if (rc != 0) {
        lf_err("cannot open a pidfd on the server (pid %ld): %s",
               (long)w->watched.pid, strerror(rc));
        return LF_EXIT_FAILED;
    }
    return LF_EXIT_OK;
}

enum lf_exit
lfw_watch_run(const struct lfw_config *cfg, const struct lfw_watch *w,
              int sigfd)
{
    lf_info("watching the server (pid %ld) of %s on %s", (long)w->watched.pid,
            cfg->target.rsc, cfg->target.node);
    return watch(cfg, &w->watched, w->pidfd, sigfd);
}

void
lfw_watch_close(struct lfw_watch *w)
{
    if (w->pidfd >= 0) {
        close(w->pidfd);
        w->pidfd = -1;
    }
}

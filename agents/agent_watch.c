#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_watch.h"
#include "lf_file.h"
#include "lf_log.h"
#include "lf_proc.h"
#include "lf_rc.h"
#include "lf_watch.h"

/* The files of the watch, under the run directory. */
struct watch_files {
    char arm[AGENT_PATH_MAX];
    char pidfile[AGENT_PATH_MAX];
    char failed[AGENT_PATH_MAX];
};

static void
watch_files(const struct lf_ocf_ctx *ctx, struct watch_files *f)
{
    agent_path(ctx, "watch", f->arm, sizeof(f->arm));
    agent_path(ctx, "watch.pid", f->pidfile, sizeof(f->pidfile));
    agent_path(ctx, "watch.failed", f->failed, sizeof(f->failed));
}

/* The watcher binary and the node, when a watch is wanted at all. */
static bool
watch_wanted(const struct lf_ocf_ctx *ctx, const char **watcher,
             const char **node)
{
    *watcher = lf_ocf_get(ctx, "watcher");
    *node = getenv("OCF_RESKEY_CRM_meta_on_node");
    return *watcher != NULL && **watcher != '\0' && *node != NULL
           && **node != '\0';
}

static void
stop_watcher(const struct lf_ocf_ctx *ctx, const struct watch_files *f)
{
    const char *watcher = lf_ocf_get(ctx, "watcher");

    if (watcher == NULL || *watcher == '\0') {
        return;
    }
    if (lf_svc_stop(f->pidfile, watcher, 1000, 2000) != 0) {
        lf_warn("the watcher (%s) did not stop", f->pidfile);
    }
}

void
agent_watch_disarm(const struct lf_ocf_ctx *ctx)
{
    struct watch_files f;

    watch_files(ctx, &f);
    /* The record first: from now on no exit of the server is reported,
     * whatever the watcher is doing. */
    (void)unlink(f.arm);
    stop_watcher(ctx, &f);
    /* A watcher that was reporting as we came may have rewritten it. */
    (void)unlink(f.arm);
    (void)unlink(f.failed);
}

/* Could not start a watcher: say so once, until one runs again. */
static void note_failure(const struct watch_files *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note_failure(const struct watch_files *f, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (access(f->failed, F_OK) == 0) {
        lf_debug("%s", msg);
        return;
    }
    lf_warn("%s; until a watcher runs, only the monitor finds this "
            "server's failure",
            msg);
    (void)lf_file_write_atomic(f->failed, msg, strlen(msg), 0644);
}

/* Start a watcher for the server {pid, start}. */
static void
arm(const struct lf_ocf_ctx *ctx, const struct watch_files *f,
    const char *watcher, const char *node, const struct lf_watch_arm *want)
{
    const char *log_file = lf_ocf_get(ctx, "log_file");
    const char *user = lf_ocf_get(ctx, "user");
    char *argv[18];
    char last[512];
    long long left = lf_ocf_time_left(ctx) - 1000;
    int argc = 0;
    int status = -1;
    int rc;

    if (access(watcher, X_OK) != 0) {
        note_failure(f, "cannot run the watcher %s: %s", watcher,
                     strerror(errno));
        return;
    }
    stop_watcher(ctx, f);
    rc = lf_watch_write(f->arm, want);
    if (rc != 0) {
        note_failure(f, "cannot write %s: %s", f->arm, lf_rc_str(rc));
        return;
    }
    argv[argc++] = (char *)watcher;
    argv[argc++] = "-a";
    argv[argc++] = (char *)f->arm;
    argv[argc++] = "-P";
    argv[argc++] = (char *)f->pidfile;
    argv[argc++] = "-r";
    argv[argc++] = (char *)ctx->rsc;
    argv[argc++] = "-t";
    argv[argc++] = (char *)ctx->agent->name;
    argv[argc++] = "-N";
    argv[argc++] = (char *)node;
    if (log_file != NULL && *log_file != '\0') {
        argv[argc++] = "-L";
        argv[argc++] = (char *)log_file;
    }
    /* The log file it shares with the server is the server's user's. */
    if (user != NULL && *user != '\0') {
        argv[argc++] = "-u";
        argv[argc++] = (char *)user;
    }
    argv[argc] = NULL;
    rc = lf_svc_start(argv, left < 500 ? 500 : (left > 5000 ? 5000 : left),
                      last, sizeof(last), &status);
    if (rc != 0 || status != 0) {
        (void)unlink(f->arm);
        stop_watcher(ctx, f);
        note_failure(f, "the watcher %s did not start: %s", watcher,
                     rc != 0 ? strerror(rc)
                             : (last[0] != '\0' ? last : "no message"));
        return;
    }
    if (unlink(f->failed) == 0) {
        lf_notice("a watcher runs again for the server (pid %ld)",
                  (long)want->pid);
    }
}

/* Make sure a watcher is armed for the running server; the monitor says
 * why it arms a new one (the start arms one every time). */
static void
ensure_armed(const struct lf_ocf_ctx *ctx, bool from_monitor)
{
    struct watch_files f;
    struct lf_watch_arm want = {0, 0, LF_WATCH_ARMED};
    struct lf_watch_arm have;
    const char *watcher = NULL;
    const char *node = NULL;
    char server_pidfile[AGENT_PATH_MAX];
    int rc;

    if (!watch_wanted(ctx, &watcher, &node)) {
        lf_debug("no watcher (%s): failures are found by the monitor",
                 (watcher == NULL || *watcher == '\0') ? "parameter watcher "
                                                         "is empty"
                                                       : "no node name");
        return;
    }
    agent_path(ctx, "pid", server_pidfile, sizeof(server_pidfile));
    if (lf_svc_state(server_pidfile, lf_ocf_get(ctx, "binary"), &want.pid)
            != LF_SVC_RUNNING
        || lf_proc_start_time(want.pid, &want.start) != 0) {
        return;
    }
    watch_files(ctx, &f);
    rc = lf_watch_read(f.arm, &have);
    if (rc == 0 && lf_watch_same_server(&have, &want)
        && lf_svc_state(f.pidfile, watcher, NULL) == LF_SVC_RUNNING) {
        return;
    }
    if (from_monitor) {
        const char *gone;

        if (rc != 0) {
            gone = "is not armed";
        } else if (!lf_watch_same_server(&have, &want)) {
            gone = "was armed for another process";
        } else {
            gone = "is gone";
        }
        lf_notice("the watcher of the server (pid %ld) %s: starting a new "
                  "one",
                  (long)want.pid, gone);
    }
    arm(ctx, &f, watcher, node, &want);
}

int
agent_watch_start(struct lf_ocf_ctx *ctx, struct agent_cmd *cmd,
                  int (*validate)(struct lf_ocf_ctx *),
                  int (*check)(struct lf_ocf_ctx *))
{
    char pidfile[AGENT_PATH_MAX];
    int rc;

    agent_path(ctx, "pid", pidfile, sizeof(pidfile));
    if (lf_svc_state(pidfile, lf_ocf_get(ctx, "binary"), NULL)
        != LF_SVC_RUNNING) {
        agent_watch_disarm(ctx);
    }
    rc = agent_start(ctx, cmd, validate, check);
    if (rc == PCMK_OCF_OK) {
        ensure_armed(ctx, false);
    }
    return rc;
}

int
agent_watch_stop(struct lf_ocf_ctx *ctx, const char *attr)
{
    agent_watch_disarm(ctx);
    return agent_stop(ctx, attr);
}

/* The server is dead. When the watcher has reported that already, the
 * cluster's recovery is on its way and cancels this monitor (killing it)
 * before the stop: wait for that rather than count the failure twice.
 * While the watcher is still reporting, wait for it too. */
static void
await_recovery(const struct lf_ocf_ctx *ctx)
{
    struct watch_files f;
    const char *watcher = NULL;
    const char *node = NULL;
    char server_pidfile[AGENT_PATH_MAX];
    pid_t pid = 0;
    long long budget = lf_ocf_time_left(ctx) / 2;
    long long deadline;

    if (!watch_wanted(ctx, &watcher, &node)) {
        return;
    }
    agent_path(ctx, "pid", server_pidfile, sizeof(server_pidfile));
    if (lf_pidfile_read(server_pidfile, &pid) != 0) {
        return;
    }
    watch_files(ctx, &f);
    budget = budget > 10000 ? 10000 : budget;
    deadline = lf_now_ms() + budget;
    for (;;) {
        struct lf_watch_arm rec;
        long long left = deadline - lf_now_ms();

        if (lf_watch_read(f.arm, &rec) != 0 || rec.pid != pid) {
            return;
        }
        if (rec.state == LF_WATCH_REPORTED) {
            lf_notice("the watcher has reported this failure already: "
                      "waiting up to %lld ms for the cluster's recovery",
                      left > 0 ? left : 0);
            if (left > 0) {
                (void)poll(NULL, 0, (int)left);
            }
            lf_warn("no recovery within %lld ms of the watcher's report: "
                    "the monitor reports the failure too",
                    budget);
            return;
        }
        if (left <= 0
            || lf_svc_state(f.pidfile, watcher, NULL) != LF_SVC_RUNNING) {
            return;
        }
        (void)poll(NULL, 0, 20);
    }
}

int
agent_watch_monitor(struct lf_ocf_ctx *ctx)
{
    int rc = agent_check_process(ctx);

    if (ctx->probe) {
        return rc;
    }
    if (rc == PCMK_OCF_OK) {
        ensure_armed(ctx, true);
    } else if (rc == PCMK_OCF_UNKNOWN_ERROR) {
        await_recovery(ctx);
    }
    return rc;
}

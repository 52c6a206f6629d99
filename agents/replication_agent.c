/*
 * ocf:leapfrog:replication - OCF 1.1 agent for the replication server
 * lf-replicad.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_util.h"
#include "agent_watch.h"
#include "lf_attr.h"
#include "lf_log.h"
#include "lf_proc.h"
#include "lf_segment.h"

static const struct lf_ocf_param params[] = {
    {"instance", LF_OCF_STRING, NULL, true, true, 0, 0, "Instance name",
     "The same instance as the enqueue resource's."},
    {"enqueue_address", LF_OCF_STRING, NULL, true, false, 0, 0,
     "Enqueue server address",
     "Host or address where the enqueue server listens: its virtual IP."},
    {"port", LF_OCF_INTEGER, "3200", false, false, 1, 65535, "TCP port",
     "The enqueue server's TCP port."},
    {"binary", LF_OCF_STRING, SBINDIR "/lf-replicad", false, false, 0, 0,
     "Server binary", "Full path of the replication server."},
    {"user", LF_OCF_STRING, "leapfrog", false, false, 0, 0, "Service user",
     "The server runs as this user, who alone can read and write the "
     "replica segment: the same user as the enqueue resource's. A system "
     "user of its own (make install and the package create leapfrog), not "
     "hacluster, which can rewrite the CIB."},
    {"rundir", LF_OCF_STRING, "/run/leapfrog", false, false, 0, 0,
     "Run directory",
     "Where the agent keeps the pid file (an absolute path of at most 255 "
     "characters)."},
    {"secret_file", LF_OCF_STRING, "", false, false, 0, 0, "Shared-secret file",
     "The pair's secret, the same file as the enqueue resource's (on every "
     "node): the replication server proves the replication role's key "
     "derived from it and checks the enqueue server's proof. Required "
     "unless allow_no_secret is true."},
    {"allow_no_secret", LF_OCF_BOOLEAN, "false", false, false, 0, 0,
     "Run without a secret",
     "true: start without secret_file, following an enqueue server that "
     "lets everyone in (logged as a warning, and shown by leapfrogd "
     "--status). Only for tests."},
    {"max_locks", LF_OCF_INTEGER, "100000", false, false, 1, 4294967295LL,
     "Most locks", "Capacity of the copy; at least the enqueue server's."},
    {"timeout", LF_OCF_INTEGER, "5000", false, false, 2000, 600000,
     "Silence timeout (ms)",
     "Reconnect after the enqueue server has been silent this long."},
    {"log_file", LF_OCF_STRING, "", false, false, 0, 0, "Log file",
     "An additional log file; the server always uses syslog."},
    {"watcher", LF_OCF_STRING, SBINDIR "/lf-watch", false, false, 0, 0,
     "Failure watcher",
     "lf-watch, started once the server is ready: it reports the server's "
     "exit without a stop to the cluster at once, instead of at the next "
     "monitor. Empty: only the monitor finds a failure."},
    {"options", LF_OCF_STRING, "", false, false, 0, 0, "Extra options",
     "More command-line options for the server, separated by spaces."},
};

static const struct lf_ocf_action actions[] = {
    {"start", "30s", NULL, NULL},        {"stop", "30s", NULL, NULL},
    {"monitor", "20s", "10s", "0"},      {"monitor", "20s", "30s", "10"},
    {"validate-all", "10s", NULL, NULL}, {"meta-data", "5s", NULL, NULL},
};

static int
validate(struct lf_ocf_ctx *ctx)
{
    int rc = agent_validate_common(ctx);

    return rc != PCMK_OCF_OK ? rc : agent_require_secret(ctx);
}

/* What the node attribute says of the copy: its state, or "stalled" when
 * the server stopped following while in sync (frozen), "expired" when it
 * lost its enqueue server longer ago than a copy stays valid. */
static const char *
copy_word(const struct lf_seg_info *info, long long timeout_ms, long long now)
{
    long long silent = now - info->heard_ms;

    if (info->state == LF_SEG_IN_SYNC && silent > 3 * timeout_ms) {
        return "stalled";
    }
    if (info->state == LF_SEG_DISCONNECTED
        && silent > (long long)info->valid_ms) {
        return "expired";
    }
    return lf_seg_state_str(info->state);
}

static int
monitor(struct lf_ocf_ctx *ctx)
{
    struct lf_seg_info info;
    char pidfile[AGENT_PATH_MAX];
    char name[128];
    char cache[AGENT_PATH_MAX];
    bool writer_running = false;
    pid_t pid = 0;
    enum lf_seg_verdict verdict;
    const char *word;
    int rc = agent_watch_monitor(ctx);

    if (rc != PCMK_OCF_OK) {
        return rc;
    }
    if (ctx->check_level < 10 && !ctx->probe) {
        return PCMK_OCF_OK;
    }
    /* The replica's own state is in its segment: it must be ours. */
    agent_path(ctx, "pid", pidfile, sizeof(pidfile));
    (void)lf_pidfile_read(pidfile, &pid);
    verdict = lf_seg_peek(lf_ocf_get(ctx, "instance"), &info, &writer_running);
    if (verdict != LF_SEG_OK || info.writer_pid != pid) {
        lf_ocf_reason("the replica segment is not this server's (%s)",
                      verdict != LF_SEG_OK ? lf_seg_verdict_str(verdict)
                                           : "another writer");
        return PCMK_OCF_UNKNOWN_ERROR;
    }
    if (info.refused_need != 0) {
        /* Nothing but a larger max_locks makes it a replica. */
        lf_ocf_reason("the enqueue server refuses this replica as too "
                      "small: it may hold %llu locks, max_locks is %llu",
                      (unsigned long long)info.refused_need,
                      (unsigned long long)info.capacity);
        return PCMK_OCF_NOT_CONFIGURED;
    }
    word = copy_word(&info, lf_ocf_get_int(ctx, "timeout"), lf_now_ms());
    agent_attr(ctx, "replica", name, sizeof(name), cache, sizeof(cache));
    (void)lf_attr_set_dampened(name, word, cache, ctx->probe,
                               AGENT_ATTR_DAMPEN_S);
    if (strcmp(word, "stalled") == 0) {
        /* A replica that does not follow cannot hand over a current
         * copy, and the enqueue server holds changes back for it. */
        lf_ocf_reason("the replication server makes no progress (its copy "
                      "last heard from the enqueue server %lld ms ago)",
                      lf_now_ms() - info.heard_ms);
        return PCMK_OCF_UNKNOWN_ERROR;
    }
    if (ctx->check_level >= 20 && info.state != LF_SEG_IN_SYNC) {
        lf_ocf_reason("the copy is %s, not in sync", word);
        return PCMK_OCF_DEGRADED;
    }
    return PCMK_OCF_OK;
}

/* Started means following: wait (a little) for the copy to be in sync, so
 * the attribute an enqueue server's start reads is current at once. */
static int
wait_then_monitor(struct lf_ocf_ctx *ctx)
{
    long long left = lf_ocf_time_left(ctx) - 2000;
    long long deadline = lf_now_ms() + (left < 5000 ? left : 5000);
    struct lf_seg_info info;
    bool running = false;

    while (lf_now_ms() < deadline) {
        if (lf_seg_peek(lf_ocf_get(ctx, "instance"), &info, &running)
                == LF_SEG_OK
            && info.state == LF_SEG_IN_SYNC) {
            break;
        }
        usleep(20000);
    }
    return monitor(ctx);
}

static int
start(struct lf_ocf_ctx *ctx)
{
    struct agent_cmd cmd;
    const char *node = getenv("OCF_RESKEY_CRM_meta_on_node");

    agent_cmd_init(&cmd, ctx);
    agent_cmd_param(&cmd, ctx, "-i", "instance");
    agent_cmd_param(&cmd, ctx, "-a", "enqueue_address");
    agent_cmd_int(&cmd, ctx, "-p", "port");
    agent_cmd_int(&cmd, ctx, "-m", "max_locks");
    agent_cmd_int(&cmd, ctx, "-t", "timeout");
    agent_cmd_param(&cmd, ctx, "-u", "user");
    agent_cmd_param(&cmd, ctx, "-k", "secret_file");
    agent_cmd_param(&cmd, ctx, "-L", "log_file");
    if (node != NULL && *node != '\0') {
        agent_cmd_value(&cmd, "-N", node);
    }
    return agent_watch_start(ctx, &cmd, validate, wait_then_monitor);
}

static int
stop(struct lf_ocf_ctx *ctx)
{
    return agent_watch_stop(ctx, "replica");
}

static const struct lf_ocf_agent agent = {
    .name = "replication",
    .shortdesc = "leapfrog replication server",
    .longdesc =
        "Runs lf-replicad, the leapfrog replication server: it keeps a "
        "synchronous copy of the enqueue server's lock table in this node's "
        "shared memory, from which an enqueue server started on this node "
        "takes over. A watcher (lf-watch) reports the server's exit "
        "without a stop to the cluster at once. OCF_CHECK_LEVEL 0 checks "
        "the process, 10 the state of "
        "its copy, published as the node attribute leapfrog-INSTANCE-replica "
        "(syncing, in-sync, disconnected), 20 also reports degraded while "
        "the copy is not in sync.",
    .params = params,
    .nparams = sizeof(params) / sizeof(params[0]),
    .actions = actions,
    .nactions = sizeof(actions) / sizeof(actions[0]),
    .validate = validate,
    .start = start,
    .stop = stop,
    .monitor = monitor,
};

int
main(int argc, char **argv)
{
    return lf_ocf_main(&agent, argc, argv);
}

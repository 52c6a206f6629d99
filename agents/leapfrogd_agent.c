/*
 * ocf:leapfrog:leapfrogd - OCF 1.1 agent that runs leapfrogd, the helper
 * that keeps the constraints of every declared pair current. One instance
 * in the cluster; Pacemaker restarts or moves it like any resource.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "agent_util.h"
#include "lf_log.h"
#include "lf_parse.h"

static const struct lf_ocf_param params[] = {
    {"binary", LF_OCF_STRING, SBINDIR "/leapfrogd", false, false, 0, 0,
     "Helper binary", "Full path of leapfrogd."},
    {"rundir", LF_OCF_STRING, "/run/leapfrog", false, false, 0, 0,
     "Run directory",
     "Where the agent keeps the pid file (an absolute path of at most 255 "
     "characters)."},
    {"dry_run", LF_OCF_BOOLEAN, "false", false, false, 0, 0, "Dry run",
     "Watch and log what would change, but write nothing."},
    {"debounce", LF_OCF_INTEGER, "5", false, false, 0, 60000, "Debounce (ms)",
     "How long to wait for a burst of CIB changes to end before deriving "
     "the constraints again."},
    {"options", LF_OCF_STRING, "", false, false, 0, 0, "Extra options",
     "More command-line options for leapfrogd, separated by spaces."},
};

static const struct lf_ocf_action actions[] = {
    {"start", "30s", NULL, NULL},    {"stop", "30s", NULL, NULL},
    {"monitor", "20s", "10s", "0"},  {"validate-all", "10s", NULL, NULL},
    {"meta-data", "5s", NULL, NULL},
};

static int
validate(struct lf_ocf_ctx *ctx)
{
    return agent_validate_common(ctx);
}

static int
monitor(struct lf_ocf_ctx *ctx)
{
    return agent_check_process(ctx);
}

static int
start(struct lf_ocf_ctx *ctx)
{
    struct agent_cmd cmd;
    bool dry_run = false;

    agent_cmd_init(&cmd, ctx);
    agent_cmd_int(&cmd, ctx, "-D", "debounce");
    (void)lf_parse_bool(lf_ocf_get(ctx, "dry_run"), &dry_run);
    if (dry_run) {
        agent_cmd_flag(&cmd, "-n");
    }
    return agent_start(ctx, &cmd, validate, NULL);
}

static int
stop(struct lf_ocf_ctx *ctx)
{
    return agent_stop(ctx, NULL);
}

static const struct lf_ocf_agent agent = {
    .name = "leapfrogd",
    .shortdesc = "leapfrog constraint helper",
    .longdesc =
        "Runs leapfrogd, which watches the CIB and keeps the location, "
        "colocation and order constraints of every pair declared with the "
        "meta attributes leapfrog-follows and leapfrog-survivor current, so "
        "that Pacemaker's scheduler restarts a failed enqueue server on its "
        "replication server's node and only then moves the replication "
        "server away. Run one instance in the cluster. The constraints "
        "already in the CIB keep handling the next failure while the helper "
        "is down.",
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

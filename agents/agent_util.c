#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_util.h"
#include "lf_attr.h"
#include "lf_log.h"
#include "lf_parse.h"
#include "lf_proc.h"
#include "lf_rc.h"
#include "lf_segment.h"

_Static_assert(AGENT_RUNDIR_MAX + 1 + LF_OCF_RSC_MAX + 1 + AGENT_SUFFIX_MAX
                   < AGENT_PATH_MAX,
               "a path of a valid rundir must fit agent_path()'s buffers");

void
agent_path(const struct lf_ocf_ctx *ctx, const char *suffix, char *out,
           size_t size)
{
    snprintf(out, size, "%s/%s.%s", lf_ocf_get(ctx, "rundir"), ctx->rsc,
             suffix);
}

int
agent_load_secret(const struct lf_ocf_ctx *ctx, struct lf_secret *secret)
{
    const char *path = lf_ocf_get(ctx, "secret_file");
    const char *why = "";
    int rc;

    secret->len = 0;
    if (path == NULL || *path == '\0') {
        return PCMK_OCF_OK;
    }
    rc = lf_secret_load(path, secret, &why);
    if (rc == ENOENT) {
        lf_ocf_reason("secret file %s does not exist on this node", path);
    } else if (rc != 0) {
        lf_ocf_reason("%s: %s", why, path);
    }
    return lf_ocf_exit(lf_exit_of_file_rc(rc));
}

int
agent_require_secret(const struct lf_ocf_ctx *ctx)
{
    const char *path = lf_ocf_get(ctx, "secret_file");
    bool allow = false;

    if (path != NULL && *path != '\0') {
        return PCMK_OCF_OK;
    }
    (void)lf_parse_bool(lf_ocf_get(ctx, "allow_no_secret"), &allow);
    if (!allow) {
        lf_ocf_reason("no secret_file: without one every client and every "
                      "replication server gets in unchallenged; set "
                      "secret_file (the same file on every node), or "
                      "allow_no_secret=true to run without authentication");
        return PCMK_OCF_NOT_CONFIGURED;
    }
    lf_warn("running without a secret (allow_no_secret=true): every client "
            "and every replication server gets in unchallenged, and nothing "
            "protects the messages");
    return PCMK_OCF_OK;
}

int
agent_validate_common(const struct lf_ocf_ctx *ctx)
{
    struct lf_secret secret;
    const char *instance = lf_ocf_get(ctx, "instance");
    const char *binary = lf_ocf_get(ctx, "binary");
    const char *rundir = lf_ocf_get(ctx, "rundir");
    const char *user = lf_ocf_get(ctx, "user");
    const char *watcher = lf_ocf_get(ctx, "watcher");
    uid_t uid = 0;
    gid_t gid = 0;
    int rc = lf_ocf_check_params(ctx);

    if (rc != PCMK_OCF_OK) {
        return rc;
    }
    if (instance != NULL && lf_parse_name(instance, LF_SEG_INSTANCE_MAX) != 0) {
        lf_ocf_reason("instance '%s' must be 1 to %d characters of A-Z a-z "
                      "0-9 _ . -",
                      instance, LF_SEG_INSTANCE_MAX);
        return PCMK_OCF_NOT_CONFIGURED;
    }
    if (rundir == NULL || rundir[0] != '/'
        || strlen(rundir) > AGENT_RUNDIR_MAX) {
        lf_ocf_reason("rundir must be an absolute path of at most %d "
                      "characters",
                      AGENT_RUNDIR_MAX);
        return PCMK_OCF_NOT_CONFIGURED;
    }
    if (binary == NULL || binary[0] != '/') {
        lf_ocf_reason("binary must be an absolute path");
        return PCMK_OCF_NOT_CONFIGURED;
    }
    if (watcher != NULL && *watcher != '\0' && watcher[0] != '/') {
        lf_ocf_reason("watcher must be an absolute path (or empty)");
        return PCMK_OCF_NOT_CONFIGURED;
    }
    if (access(binary, X_OK) != 0) {
        lf_ocf_reason("%s is not installed or not executable: %s", binary,
                      strerror(errno));
        return PCMK_OCF_NOT_INSTALLED;
    }
    if (user != NULL && *user != '\0'
        && lf_proc_lookup_user(user, &uid, &gid) != 0) {
        lf_ocf_reason("user '%s' does not exist on this node", user);
        return PCMK_OCF_NOT_INSTALLED;
    }
    return agent_load_secret(ctx, &secret);
}

static int
agent_prepare_rundir(const struct lf_ocf_ctx *ctx)
{
    const char *rundir = lf_ocf_get(ctx, "rundir");

    struct stat st;

    if (mkdir(rundir, 0755) != 0 && errno != EEXIST) {
        lf_ocf_reason("cannot create %s: %s", rundir, strerror(errno));
        return PCMK_OCF_UNKNOWN_ERROR;
    }
    /* The server writes its pid file there as root, and this agent (root)
     * acts on what it finds there: nobody else may change it. */
    if (lstat(rundir, &st) != 0 || !S_ISDIR(st.st_mode)
        || st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
        lf_ocf_reason("%s must be a directory (not a symbolic link) that "
                      "only its owner, this agent's user, may write",
                      rundir);
        return PCMK_OCF_INSUFFICIENT_PRIV;
    }
    return PCMK_OCF_OK;
}

static int agent_stop_daemon(const struct lf_ocf_ctx *ctx);

static int
agent_start_daemon(const struct lf_ocf_ctx *ctx, char *const argv[])
{
    char last[512];
    int status = -1;
    /* Keep time to stop the daemon when it does not get ready. */
    long long left = lf_ocf_time_left(ctx) - 3000;
    int rc = lf_svc_start(argv, left > 1000 ? left : 1000, last, sizeof(last),
                          &status);

    if (rc != 0) {
        lf_ocf_reason("cannot run %s: %s", argv[0], strerror(rc));
        return PCMK_OCF_UNKNOWN_ERROR;
    }
    if (status == 0) {
        return PCMK_OCF_OK;
    }
    if (status == -1) {
        /* Stop what we started: a daemon that carries on after a failed
         * start would take the table over behind the cluster's back. */
        (void)agent_stop_daemon(ctx);
        lf_ocf_reason("%s did not get ready within the start timeout", argv[0]);
        return PCMK_OCF_UNKNOWN_ERROR;
    }
    lf_ocf_reason("%s failed to start: %s", argv[0],
                  last[0] != '\0' ? last : "no message");
    /* A usage error of the daemon is a bad parameter of ours. */
    return lf_ocf_exit(lf_exit_of_status(LF_EXIT_DAEMON, status));
}

static int
agent_stop_daemon(const struct lf_ocf_ctx *ctx)
{
    char pidfile[AGENT_PATH_MAX];
    long long left = lf_ocf_time_left(ctx) - 500;
    long long term = left * 2 / 3;

    agent_path(ctx, "pid", pidfile, sizeof(pidfile));
    if (lf_svc_stop(pidfile, lf_ocf_get(ctx, "binary"), term > 100 ? term : 100,
                    left > 200 ? left : 200)
        != 0) {
        lf_ocf_reason("the server did not stop, not even after SIGKILL");
        return PCMK_OCF_UNKNOWN_ERROR;
    }
    return PCMK_OCF_OK;
}

int
agent_check_process(const struct lf_ocf_ctx *ctx)
{
    char pidfile[AGENT_PATH_MAX];

    agent_path(ctx, "pid", pidfile, sizeof(pidfile));
    switch (lf_svc_state(pidfile, lf_ocf_get(ctx, "binary"), NULL)) {
    case LF_SVC_RUNNING:
        return PCMK_OCF_OK;
    case LF_SVC_STOPPED:
        return PCMK_OCF_NOT_RUNNING;
    case LF_SVC_DEAD:
        break;
    }
    if (ctx->probe) {
        return PCMK_OCF_NOT_RUNNING;
    }
    lf_ocf_reason("the server process is gone (stale pid file %s)", pidfile);
    return PCMK_OCF_UNKNOWN_ERROR;
}

/* Room for n more arguments and the terminating NULL? When not, the
 * command records that flag as the first left out, and takes no more. */
static bool
agent_cmd_room(struct agent_cmd *cmd, int n, const char *flag)
{
    int max = (int)(sizeof(cmd->argv) / sizeof(cmd->argv[0]));

    if (cmd->rc == 0 && cmd->argc + n < max) {
        return true;
    }
    if (cmd->rc == 0) {
        cmd->rc = LF_ERR_TOOLONG;
        cmd->dropped = flag;
    }
    return false;
}

int
agent_cmd_options(struct agent_cmd *cmd, const char *options)
{
    int max = (int)(sizeof(cmd->argv) / sizeof(cmd->argv[0]));
    int argc = cmd->argc;
    char *save = NULL;

    if (options == NULL || *options == '\0') {
        return 0;
    }
    if (lf_strlcpy(cmd->optbuf, options, sizeof(cmd->optbuf)) != 0) {
        return LF_ERR_TOOLONG;
    }
    for (char *word = strtok_r(cmd->optbuf, " \t", &save); word != NULL;
         word = strtok_r(NULL, " \t", &save)) {
        if (argc >= max - 1) {
            cmd->argv[cmd->argc] = NULL;
            return LF_ERR_TOOLONG;
        }
        cmd->argv[argc++] = word;
    }
    cmd->argc = argc;
    cmd->argv[cmd->argc] = NULL;
    return 0;
}

void
agent_cmd_init(struct agent_cmd *cmd, const struct lf_ocf_ctx *ctx)
{
    memset(cmd, 0, sizeof(*cmd));
    agent_path(ctx, "pid", cmd->pidfile, sizeof(cmd->pidfile));
    cmd->argv[cmd->argc++] = (char *)lf_ocf_get(ctx, "binary");
    cmd->argv[cmd->argc++] = "-P";
    cmd->argv[cmd->argc++] = cmd->pidfile;
}

void
agent_cmd_flag(struct agent_cmd *cmd, const char *flag)
{
    if (agent_cmd_room(cmd, 1, flag)) {
        cmd->argv[cmd->argc++] = (char *)flag;
    }
}

void
agent_cmd_value(struct agent_cmd *cmd, const char *flag, const char *value)
{
    if (agent_cmd_room(cmd, 2, flag)) {
        cmd->argv[cmd->argc++] = (char *)flag;
        cmd->argv[cmd->argc++] = (char *)value;
    }
}

void
agent_cmd_param(struct agent_cmd *cmd, const struct lf_ocf_ctx *ctx,
                const char *flag, const char *param)
{
    const char *value = lf_ocf_get(ctx, param);

    if (value != NULL && *value != '\0') {
        agent_cmd_value(cmd, flag, value);
    }
}

void
agent_cmd_number(struct agent_cmd *cmd, const char *flag, long long n)
{
    int max = (int)(sizeof(cmd->numbers) / sizeof(cmd->numbers[0]));
    char *buf;

    if (cmd->nnumbers >= max && cmd->rc == 0) {
        cmd->rc = LF_ERR_TOOLONG;
        cmd->dropped = flag;
    }
    if (!agent_cmd_room(cmd, 2, flag)) {
        return;
    }
    buf = cmd->numbers[cmd->nnumbers++];
    snprintf(buf, sizeof(cmd->numbers[0]), "%lld", n);
    cmd->argv[cmd->argc++] = (char *)flag;
    cmd->argv[cmd->argc++] = buf;
}

void
agent_cmd_int(struct agent_cmd *cmd, const struct lf_ocf_ctx *ctx,
              const char *flag, const char *param)
{
    agent_cmd_number(cmd, flag, lf_ocf_get_int(ctx, param));
}

int
agent_start(struct lf_ocf_ctx *ctx, struct agent_cmd *cmd,
            int (*validate)(struct lf_ocf_ctx *),
            int (*check)(struct lf_ocf_ctx *))
{
    int rc = validate(ctx);

    if (rc != PCMK_OCF_OK) {
        return rc;
    }
    /* Run nothing rather than a server without some of its flags. */
    if (cmd->rc != 0) {
        lf_ocf_reason("the command line of %s does not fit: %s and what "
                      "follows would be left out (%s)",
                      cmd->argv[0], cmd->dropped, lf_rc_str(cmd->rc));
        return PCMK_OCF_UNKNOWN_ERROR;
    }
    if (agent_check_process(ctx) == PCMK_OCF_OK) {
        lf_info("already running");
        return PCMK_OCF_OK;
    }
    rc = agent_prepare_rundir(ctx);
    if (rc != PCMK_OCF_OK) {
        return rc;
    }
    cmd->argv[cmd->argc] = NULL;
    if (agent_cmd_options(cmd, lf_ocf_get(ctx, "options")) != 0) {
        lf_ocf_reason("too many extra options: the options parameter takes "
                      "at most %d words and %zu characters here",
                      (int)(sizeof(cmd->argv) / sizeof(cmd->argv[0])) - 1
                          - cmd->argc,
                      sizeof(cmd->optbuf) - 1);
        return PCMK_OCF_NOT_CONFIGURED;
    }
    (void)unlink(cmd->pidfile);
    rc = agent_start_daemon(ctx, cmd->argv);
    if (rc != PCMK_OCF_OK) {
        return rc;
    }
    if (check == NULL) {
        return agent_check_process(ctx);
    }
    /* Ready means serving: prove it, as a probe would (which also
     * publishes the node attribute). */
    ctx->probe = true;
    return check(ctx);
}

void
agent_attr(const struct lf_ocf_ctx *ctx, const char *attr, char *name,
           size_t name_size, char *cache, size_t cache_size)
{
    char suffix[AGENT_SUFFIX_MAX + 1];

    snprintf(name, name_size, "leapfrog-%s-%s", lf_ocf_get(ctx, "instance"),
             attr);
    snprintf(suffix, sizeof(suffix), "%s-attr", attr);
    agent_path(ctx, suffix, cache, cache_size);
}

int
agent_stop(struct lf_ocf_ctx *ctx, const char *attr)
{
    int rc = agent_stop_daemon(ctx);

    if (rc == PCMK_OCF_OK && attr != NULL) {
        char name[128];
        char cache[AGENT_PATH_MAX];

        agent_attr(ctx, attr, name, sizeof(name), cache, sizeof(cache));
        (void)lf_attr_delete(name, cache);
    }
    return rc;
}

/*
 * agent_util.h - what the enqueue and replication agents share beyond the
 * OCF plumbing: file names under the run directory, the service user, the
 * shared secret and the status of the daemon.
 */
#ifndef AGENT_UTIL_H
#define AGENT_UTIL_H

#include <stddef.h>

#include "lf_ocf.h"
#include "lf_secret.h"
#include "lf_svc.h"

/* The buffers agent_path() fills, and the longest rundir and suffix: a
 * rundir that agent_validate_common() accepts always fits. */
#define AGENT_PATH_MAX 512
#define AGENT_RUNDIR_MAX 255
#define AGENT_SUFFIX_MAX 32

/*! \brief "<rundir>/<resource>.<suffix>" into out (AGENT_PATH_MAX bytes;
 *         suffix at most AGENT_SUFFIX_MAX characters). */
void agent_path(const struct lf_ocf_ctx *ctx, const char *suffix, char *out,
                size_t size);

/*!
 * \brief Checks every agent makes: parameters, the instance name, the
 *        binary, the service user and the secret file.
 *
 * \return an OCF exit code, with a reason when not OCF_OK
 */
int agent_validate_common(const struct lf_ocf_ctx *ctx);

/*!
 * \brief The servers' rule: a secret_file, or allow_no_secret=true (then
 *        a warning in the log).
 *
 * \return OCF_OK, or OCF_ERR_CONFIGURED with a reason
 */
int agent_require_secret(const struct lf_ocf_ctx *ctx);

/*! \brief Load the secret_file parameter, if any (secret->len 0 if not). */
int agent_load_secret(const struct lf_ocf_ctx *ctx, struct lf_secret *secret);

/*!
 * \brief Level-0 monitor: OCF_OK (running), OCF_NOT_RUNNING (stopped, or
 *        dead when probing) or OCF_ERR_GENERIC (died).
 */
int agent_check_process(const struct lf_ocf_ctx *ctx);

/*
 * A daemon's command line, with room for the values it points to.
 *
 * The agent_cmd_*() calls that add to it never fail on their own: the
 * first argument that does not fit (argv or numbers full) sets rc to
 * LF_ERR_TOOLONG and dropped to its flag, nothing more is added, and
 * agent_start() then refuses to run the command. A command is never run
 * with arguments left out.
 */
struct agent_cmd {
    char *argv[64]; /* NULL-terminated */
    int argc;
    char pidfile[AGENT_PATH_MAX];
    char numbers[8][24];
    int nnumbers;
    char optbuf[1024];
    int rc;              /* 0, or LF_ERR_TOOLONG once one did not fit */
    const char *dropped; /* then: the flag of the first left out */
};

/*! \brief Start a command line with the binary and the pid file (-P). */
void agent_cmd_init(struct agent_cmd *cmd, const struct lf_ocf_ctx *ctx);

/*! \brief Add "flag value" when the parameter is set (not empty). */
void agent_cmd_param(struct agent_cmd *cmd, const struct lf_ocf_ctx *ctx,
                     const char *flag, const char *param);

/*! \brief Add "flag number" for an integer parameter. */
void agent_cmd_int(struct agent_cmd *cmd, const struct lf_ocf_ctx *ctx,
                   const char *flag, const char *param);

/*! \brief Add a bare flag. */
void agent_cmd_flag(struct agent_cmd *cmd, const char *flag);

/*! \brief Add "flag value" (value must outlive the command). */
void agent_cmd_value(struct agent_cmd *cmd, const char *flag,
                     const char *value);

/*! \brief Add "flag number". */
void agent_cmd_number(struct agent_cmd *cmd, const char *flag, long long n);

/*!
 * \brief Add the words of the "options" parameter (split at blanks), if
 *        any.
 *
 * \return 0, or LF_ERR_TOOLONG when they do not fit (too long for optbuf,
 *         or too many for argv): none is added then
 */
int agent_cmd_options(struct agent_cmd *cmd, const char *options);

/*!
 * \brief The start action every agent shares: validate, refuse a command
 *        line that did not fit (OCF_ERR_GENERIC: the agent's own
 *        arguments), succeed at once when already running, prepare the
 *        run directory, add the "options" parameter (OCF_ERR_CONFIGURED
 *        when they do not fit), run the daemon and wait for its readiness,
 *        then let check() (may be NULL) confirm it serves.
 *
 * \return an OCF exit code, with a reason when not OCF_OK
 */
int agent_start(struct lf_ocf_ctx *ctx, struct agent_cmd *cmd,
                int (*validate)(struct lf_ocf_ctx *),
                int (*check)(struct lf_ocf_ctx *));

/*!
 * \brief The stop action: stop the daemon, then delete the node attribute
 *        "leapfrog-INSTANCE-<attr>" it published (attr may be NULL).
 */
int agent_stop(struct lf_ocf_ctx *ctx, const char *attr);

/* The dampening of the node attributes no constraint reads (the replica's
 * state, the enqueue server's generation): attrd and the agents' queries
 * know a change at once, the CIB (and crm_mon) this many seconds after it
 * has settled, so that a failover's transition is not aborted by each of
 * them. The lock count stays undamped: leapfrogd's avoid rule keeps the
 * replication server off the node where it is defined. */
#define AGENT_ATTR_DAMPEN_S 5

/*! \brief The node attribute name "leapfrog-INSTANCE-<attr>" and its cache
 *         file. */
void agent_attr(const struct lf_ocf_ctx *ctx, const char *attr, char *name,
                size_t name_size, char *cache, size_t cache_size);

#endif

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

/*! \brief "<rundir>/<resource>.<suffix>" into out. */
void agent_path(const struct lf_ocf_ctx *ctx, const char *suffix, char *out,
                size_t size);

/*!
 * \brief Checks every agent makes: parameters, the instance name, the
 *        binary, the service user and the secret file.
 *
 * \return an OCF exit code, with a reason when not OCF_OK
 */
int agent_validate_common(const struct lf_ocf_ctx *ctx);

/*! \brief Load the secret_file parameter, if any (secret->len 0 if not). */
int agent_load_secret(const struct lf_ocf_ctx *ctx, struct lf_secret *secret);

/*! \brief Create the run directory. */
int agent_prepare_rundir(const struct lf_ocf_ctx *ctx);

/*!
 * \brief Start the daemon with argv and translate the outcome into an OCF
 *        exit code: 0 ready, 2 (usage) OCF_ERR_CONFIGURED, else
 *        OCF_ERR_GENERIC with the daemon's last message as the reason.
 */
int agent_start_daemon(const struct lf_ocf_ctx *ctx, char *const argv[]);

/*! \brief Stop the daemon within the action's timeout. */
int agent_stop_daemon(const struct lf_ocf_ctx *ctx);

/*!
 * \brief Level-0 monitor: OCF_OK (running), OCF_NOT_RUNNING (stopped, or
 *        dead when probing) or OCF_ERR_GENERIC (died).
 */
int agent_check_process(const struct lf_ocf_ctx *ctx);

/*! \brief Append a list of words (the "options" parameter) to argv. */
int agent_append_options(const char *options, char *copy, size_t copy_size,
                         char **argv, int *argc, int max);

#endif

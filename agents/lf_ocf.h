/*
 * lf_ocf.h - OCF 1.1 resource-agent plumbing shared by the agents: action
 * dispatch, parameters from the environment and their validation, exit
 * codes, exit reasons, logging and meta-data.
 *
 * Agents run for every monitor of every resource, so this module and what
 * it uses stay small: Pacemaker headers for constants only, no Pacemaker
 * or glib library linked.
 */
#ifndef LF_OCF_H
#define LF_OCF_H

#include <stdbool.h>
#include <stddef.h>

#include <crm/common/results.h> /* enum ocf_exitcode, header only */

#include "lf_exit.h"

#define LF_OCF_MAX_PARAMS 24 /* lf_ocf_main() refuses an agent with more */

enum lf_ocf_type {
    LF_OCF_STRING,
    LF_OCF_INTEGER,
    LF_OCF_BOOLEAN,
};

struct lf_ocf_param {
    const char *name;
    enum lf_ocf_type type;
    const char *def; /* default, or NULL */
    bool required;
    bool unique;
    long long min, max; /* range of an integer */
    const char *shortdesc;
    const char *longdesc;
};

struct lf_ocf_action {
    const char *name;
    const char *timeout;
    const char *interval; /* or NULL */
    const char *depth;    /* or NULL */
};

struct lf_ocf_ctx;

struct lf_ocf_agent {
    const char *name; /* "enqueue" */
    const char *shortdesc;
    const char *longdesc;
    const struct lf_ocf_param *params;
    size_t nparams;
    const struct lf_ocf_action *actions;
    size_t nactions;
    /* Each returns an enum ocf_exitcode. */
    int (*validate)(struct lf_ocf_ctx *ctx);
    int (*start)(struct lf_ocf_ctx *ctx);
    int (*stop)(struct lf_ocf_ctx *ctx);
    int (*monitor)(struct lf_ocf_ctx *ctx);
};

/* The longest OCF_RESOURCE_INSTANCE taken as ctx->rsc. */
#define LF_OCF_RSC_MAX 200

struct lf_ocf_ctx {
    const struct lf_ocf_agent *agent;
    const char *action;
    const char *rsc; /* OCF_RESOURCE_INSTANCE (at most LF_OCF_RSC_MAX
                        characters of A-Z a-z 0-9 _ . -), or the agent */
    const char *values[LF_OCF_MAX_PARAMS];
    long long timeout_ms;  /* OCF_RESKEY_CRM_meta_timeout */
    long long interval_ms; /* OCF_RESKEY_CRM_meta_interval */
    long long started_ms;  /* when the action began */
    int check_level;       /* OCF_CHECK_LEVEL */
    bool probe;            /* monitor with interval 0 */
};

/*!
 * \brief Run the agent: read the environment, dispatch the action named by
 *        argv[1], and return its OCF exit code.
 */
int lf_ocf_main(const struct lf_ocf_agent *agent, int argc, char **argv);

/*! \brief A parameter's value (its default when unset), or NULL. */
const char *lf_ocf_get(const struct lf_ocf_ctx *ctx, const char *name);

/*! \brief An integer parameter, already validated by lf_ocf_main(). */
long long lf_ocf_get_int(const struct lf_ocf_ctx *ctx, const char *name);

/*!
 * \brief Say why the action failed: "ocf-exit-reason:..." on stderr, which
 *        Pacemaker shows in crm_mon, and the same in the log.
 */
void lf_ocf_reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*! \brief Milliseconds left before the action's timeout. */
long long lf_ocf_time_left(const struct lf_ocf_ctx *ctx);

/*!
 * \brief The OCF exit code of an end: lf_exit.h's agent column, for what a
 *        return code or the exit status of a daemon the agent ran says
 *        (an enum ocf_exitcode).
 */
int lf_ocf_exit(enum lf_exit end);

/*!
 * \brief Check every parameter against its declaration (required, integer
 *        range, boolean syntax).
 *
 * \return OCF_OK or OCF_ERR_CONFIGURED (with a reason)
 */
int lf_ocf_check_params(const struct lf_ocf_ctx *ctx);

#endif

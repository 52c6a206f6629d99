/*
 * lfw_pcmk.h - lf-watch's one connection to Pacemaker: the controller's
 * fail request (what crm_resource --fail sends), through libcrmcommon's
 * controller IPC API. lfw_pcmk.c is the only file that includes
 * Pacemaker's headers.
 */
#ifndef LFW_PCMK_H
#define LFW_PCMK_H

#include <stddef.h>

/* The failed resource, as the controller knows it. */
struct lfw_pcmk_target {
    const char *node; /* where it failed (OCF_RESKEY_CRM_meta_on_node) */
    const char *rsc;  /* its id (OCF_RESOURCE_INSTANCE) */
    const char *type; /* ocf:leapfrog:<type>: "enqueue", "replication" */
};

/*!
 * \brief Set Pacemaker's library up for a client named ident (its IPC
 *        client name; libcrmcommon's own logging stays off).
 */
void lfw_pcmk_init(const char *ident);

/*!
 * \brief Ask this node's controller to record a failure of the resource,
 *        and wait for its answer.
 *
 * The controller records a failed "asyncmon" operation (interval 0) of the
 * resource on the node, which raises its fail-count and starts recovery at
 * once, as a failed monitor would.
 *
 * \param[in]  target      the resource and node
 * \param[in]  timeout_ms  how long to wait for the answer at most
 * \param[out] why         what went wrong, when not 0
 *
 * \return 0 once the controller has recorded the failure; otherwise an
 *         errno value (ECONNREFUSED and the like: no controller to talk
 *         to; ETIMEDOUT: no answer in time; EPROTO: it did not record it)
 */
int lfw_pcmk_fail(const struct lfw_pcmk_target *target, long long timeout_ms,
                  char *why, size_t size);

#endif

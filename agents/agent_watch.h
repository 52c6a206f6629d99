/*
 * agent_watch.h - the enqueue and replication agents' side of lf-watch,
 * which reports a server's death to the cluster at once: armed once the
 * server is ready, disarmed before any stop, re-armed by the monitor.
 *
 * Files under the run directory: <rsc>.watch, the arm record (see
 * lf_watch.h); <rsc>.watch.pid, the watcher's pid file;
 * <rsc>.watch.failed, present while no watcher could be started (so that
 * is logged once). Nothing is armed without the parameter "watcher" or
 * without a node name from the cluster (OCF_RESKEY_CRM_meta_on_node):
 * the monitor alone finds failures then.
 */
#ifndef AGENT_WATCH_H
#define AGENT_WATCH_H

#include "agent_util.h"

/*!
 * \brief agent_start(), with nothing armed before the server is ready and
 *        a watcher armed once it is (a failed start leaves none).
 */
int agent_watch_start(struct lf_ocf_ctx *ctx, struct agent_cmd *cmd,
                      int (*validate)(struct lf_ocf_ctx *),
                      int (*check)(struct lf_ocf_ctx *));

/*! \brief agent_stop(), after the watcher has been disarmed. */
int agent_watch_stop(struct lf_ocf_ctx *ctx, const char *attr);

/*!
 * \brief agent_check_process() for a monitor. A recurring monitor that
 *        finds the server running starts a new watcher when there is none
 *        for it (logged once); one that finds it dead after the watcher
 *        reported that death waits (a bounded time) for the recovery,
 *        which cancels it, before it reports the failure again. A probe
 *        does neither.
 */
int agent_watch_monitor(struct lf_ocf_ctx *ctx);

/*! \brief Delete the arm record and stop the watcher (by its pid file). */
void agent_watch_disarm(const struct lf_ocf_ctx *ctx);

#endif

/*
 * lfd_cib.h - leapfrogd's connection to the CIB: the only file that talks
 * to libcib. Tells the caller when the CIB changed in a way a pair can
 * depend on, reads it for an evaluation, and writes the derived changes.
 */
#ifndef LFD_CIB_H
#define LFD_CIB_H

#include <stdbool.h>

#include <libxml/tree.h>

#include "lfd_derive.h"

struct lfd_cib;

/* Called (debounced by the caller) whenever the CIB changed. */
typedef void (*lfd_cib_changed_fn)(void *arg);

/* Called after the connection was lost and has been re-established. */
typedef void (*lfd_cib_reconnected_fn)(void *arg);

/*!
 * \brief Set up Pacemaker's logging for this process (entity "leapfrogd")
 *        and route liblf's log messages through it.
 */
void lfd_cib_log_init(int argc, char **argv, bool to_stderr, bool verbose);

/*!
 * \brief Connect to the CIB (honours CIB_file for tests) and read it.
 *
 * \param[in] watch  subscribe to diff notifications and reconnect when the
 *                   connection drops (a daemon); false for one-shot use
 *
 * \return 0 or a code of this module (below); *cib on success
 */
int lfd_cib_connect(bool watch, lfd_cib_changed_fn changed,
                    lfd_cib_reconnected_fn reconnected, void *arg,
                    struct lfd_cib **cib);

/*!
 * \brief The whole CIB, as of now (owned by cib): read when it changed
 *        since the last call, else the same copy. NULL when it cannot be
 *        read (logged).
 */
xmlNode *lfd_cib_xml(struct lfd_cib *cib);

/*!
 * \brief Done with the copy lfd_cib_xml() returned: it is freed (and the
 *        memory given back), unless lfd_cib_keep_copy() was called.
 */
void lfd_cib_release(struct lfd_cib *cib);

/*!
 * \brief Keep a local copy current from the notifications instead (for an
 *        observer that looks at the CIB on every change).
 */
void lfd_cib_keep_copy(struct lfd_cib *cib);

/*! \brief How many notifications changed nothing a pair depends on. */
unsigned long lfd_cib_skipped(const struct lfd_cib *cib);

/*!
 * \brief Write one change.
 *
 * \return 0 or a code of this module (below; logged by the caller)
 */
int lfd_cib_apply(struct lfd_cib *cib, const struct lfd_change *change);

/*!
 * \brief Describe a code returned by this module.
 *
 * The codes are Pacemaker's standard return codes (libcib's legacy ones
 * converted once, as they arrive): 0, a positive errno value, or a
 * negative pcmk_rc_* code. Those overlap the project's own negative codes
 * (lf_rc.h: pcmk_rc_error is -1001, LF_ERR_RANGE too), so they are told
 * only by this function, never by lf_rc_str(), and never passed on as an
 * lf_rc.
 */
const char *lfd_cib_strerror(int rc);

void lfd_cib_disconnect(struct lfd_cib *cib);

#endif

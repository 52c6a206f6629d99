/*
 * lf_svc.h - controlling a daemon through its pid file, for the agents:
 * start it and wait for its readiness, tell whether it runs, stop it.
 */
#ifndef LF_SVC_H
#define LF_SVC_H

#include <stddef.h>
#include <sys/types.h>

enum lf_svc_state {
    LF_SVC_STOPPED = 0, /* no pid file */
    LF_SVC_RUNNING,     /* pid file names a live process of the binary */
    LF_SVC_DEAD,        /* pid file left by a process that is gone */
};

/*!
 * \brief State of the daemon whose pid file is pidfile.
 *
 * \param[out] pid  its pid when RUNNING (may be NULL)
 */
enum lf_svc_state lf_svc_state(const char *pidfile, const char *binary,
                               pid_t *pid);

/*!
 * \brief Run a daemon's start command (it detaches itself and exits once
 *        ready), relaying each line it writes on stderr to the log, and
 *        wait for it at most timeout_ms.
 *
 * \param[out] last_error  the last line it wrote (for an exit reason)
 * \param[out] status      its exit status (-1 when killed for the timeout)
 *
 * \return 0 when the command ran to its end (see *status), or an errno
 */
int lf_svc_start(char *const argv[], long long timeout_ms, char *last_error,
                 size_t size, int *status);

/*!
 * \brief Stop the daemon: SIGTERM, then SIGKILL when it is still there
 *        after term_ms, then wait up to timeout_ms in all; removes the pid
 *        file once it is gone.
 *
 * \return 0 when it is gone (or was not running), LF_ERR_TIMEOUT otherwise
 */
int lf_svc_stop(const char *pidfile, const char *binary, long long term_ms,
                long long timeout_ms);

#endif

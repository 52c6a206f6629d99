/*
 * lf_proc.h - pid files, process liveness and daemon start-up.
 *
 * Liveness is checked through /proc, not kill(pid, 0): a zombie counts as
 * dead (in a pid namespace whose PID 1 does not reap, killed daemons stay
 * zombies) and a pid reused by another program does not count at all.
 */
#ifndef LF_PROC_H
#define LF_PROC_H

#include <stdbool.h>
#include <sys/types.h>

enum lf_proc_state {
    LF_PROC_GONE = 0, /* no such process, or it runs another program */
    LF_PROC_RUNNING,  /* alive and (if asked) running the given binary */
    LF_PROC_ZOMBIE,   /* exited but not reaped */
};

/*!
 * \brief Write a pid file atomically (temporary file, fsync, rename), so
 *        that a reader never sees a partial file.
 *
 * \return 0 or an errno value
 */
int lf_pidfile_write(const char *path, pid_t pid);

/*!
 * \brief Read a pid file.
 *
 * \return 0, ENOENT when there is none, LF_ERR_SYNTAX when its content is
 *         not a pid, or another errno value
 */
int lf_pidfile_read(const char *path, pid_t *pid);

/*!
 * \brief Tell whether pid is alive and, when exe is not NULL, whether it
 *        runs that binary (compared through /proc/PID/exe, so a replaced or
 *        deleted binary still matches).
 *
 * \param[in] pid  process to look at
 * \param[in] exe  absolute path of the expected binary, or NULL
 */
enum lf_proc_state lf_proc_state(pid_t pid, const char *exe);

/*!
 * \brief Wait until lf_proc_state(pid, exe) is no longer RUNNING.
 *
 * \param[in] timeout_ms  how long to wait; 0 checks once
 *
 * \return 0 when gone (or zombie), LF_ERR_TIMEOUT otherwise
 */
int lf_proc_wait_gone(pid_t pid, const char *exe, long long timeout_ms);

/*!
 * \brief Close every file descriptor >= lowfd.
 */
void lf_proc_close_from(int lowfd);

/*!
 * \brief Detach into the background, keeping the caller's exit status
 *        tied to the daemon's readiness.
 *
 * The calling process forks; the parent stays until the child calls
 * lf_daemon_ready() and then exits with the status the child reported
 * (or 1 if the child died first). The child becomes a session leader with
 * stdin and stdout on /dev/null and no other descriptors open.
 * A start script thus returns only when the daemon can serve. stderr
 * stays open until lf_daemon_ready(), so start-up errors reach the
 * caller.
 *
 * \param[out] notify_fd  descriptor to pass to lf_daemon_ready()
 *
 * \return 0 in the child, an errno value if forking failed (in the caller);
 *         the parent never returns
 */
int lf_daemonize(int *notify_fd);

/*!
 * \brief Report readiness (status 0) or failure to the waiting parent of
 *        lf_daemonize(); closes notify_fd and points stderr at /dev/null.
 *        A negative fd is ignored.
 */
void lf_daemon_ready(int notify_fd, int status);

/*!
 * \brief The start time of a process (clock ticks since boot, field 22 of
 *        /proc/PID/stat): with the pid it names one process for good.
 *
 * \return 0, ESRCH when there is no such process, or EIO
 */
int lf_proc_start_time(pid_t pid, unsigned long long *start);

/*!
 * \brief Open a pidfd (pidfd_open(2)) on the process that pid and start
 *        (its lf_proc_start_time()) name: readable once it has exited.
 *        The start time is checked after the open, so a pid reused by
 *        another process is never taken for it.
 *
 * \param[out] fd  the pidfd (close-on-exec), when 0 is returned
 *
 * \return 0; ESRCH when that process is gone (or the pid names another);
 *         ENOSYS without pidfd_open (Linux before 5.3); or an errno value
 */
int lf_proc_pidfd_open(pid_t pid, unsigned long long start, int *fd);

/*!
 * \brief Look up a user's uid and primary gid.
 *
 * \return 0, ENOENT for an unknown user, or an errno value
 */
int lf_proc_lookup_user(const char *user, uid_t *uid, gid_t *gid);

/*!
 * \brief Become user for good (supplementary groups, gid, uid). Does
 *        nothing when we already are that user.
 *
 * \return 0, ENOENT for an unknown user, or an errno value
 */
int lf_proc_drop_to(const char *user);

/*!
 * \brief Change only the effective gid and uid (root can change back):
 *        files opened meanwhile are opened with that user's rights. From
 *        root to a user, and back with lf_proc_act_as(0, 0).
 *
 * \return 0 or an errno value
 */
int lf_proc_act_as(uid_t uid, gid_t gid);

/* The servers ran as this user by default before they had their own: what
 * it owns of their files is taken over after such an upgrade. */
#define LF_FORMER_USER "hacluster"

/*! \brief Monotonic clock in milliseconds. */
long long lf_now_ms(void);

#endif

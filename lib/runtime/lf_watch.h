/*
 * lf_watch.h - the arm record an agent and its watcher (lf-watch) share:
 * which server process the watcher reports the death of, and whether it
 * has reported it.
 *
 * The agent writes the record (state "armed") before it starts a watcher
 * and deletes it first thing in a stop, before the server is asked to
 * stop. A watcher reports a server's exit only while the record still
 * names that very process as armed, so a stop never turns into a failure,
 * however late the watcher sees the exit; after a report it sets the
 * state "reported", which tells the next monitor that the cluster already
 * knows.
 */
#ifndef LF_WATCH_H
#define LF_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum lf_watch_state {
    LF_WATCH_ARMED = 0, /* report the server's exit */
    LF_WATCH_REPORTED,  /* its exit has been reported to the cluster */
};

/* One server process for good: its pid and its start time (clock ticks
 * since boot, see lf_proc_start_time()). */
struct lf_watch_arm {
    pid_t pid;
    unsigned long long start;
    enum lf_watch_state state;
};

/*!
 * \brief The record as one line of text, "<pid> <start> armed|reported\n".
 *
 * \param[out] len  the line's length, without the terminating NUL
 *
 * \return 0, or LF_ERR_TOOLONG when it does not fit size (buf is then no
 *         record)
 */
int lf_watch_format(const struct lf_watch_arm *arm, char *buf, size_t size,
                    size_t *len);

/*!
 * \brief Parse one record (a trailing newline is allowed).
 *
 * \return 0 or LF_ERR_SYNTAX
 */
int lf_watch_parse(const char *text, struct lf_watch_arm *arm);

/*! \brief Write the record atomically. \return 0, an errno value, or
 *         LF_ERR_TOOLONG (lf_watch_format()) */
int lf_watch_write(const char *path, const struct lf_watch_arm *arm);

/*!
 * \brief Read the record.
 *
 * \return 0, ENOENT when there is none (disarmed), LF_ERR_SYNTAX, or
 *         another errno value
 */
int lf_watch_read(const char *path, struct lf_watch_arm *arm);

/*! \brief Do both name the same server process? */
bool lf_watch_same_server(const struct lf_watch_arm *a,
                          const struct lf_watch_arm *b);

/*!
 * \brief The watcher's decision once its server has exited: report the
 *        failure only when the record, read now (read_rc its result),
 *        still names the watched process as armed.
 */
bool lf_watch_should_report(const struct lf_watch_arm *watched, int read_rc,
                            const struct lf_watch_arm *now);

/*! \brief "armed" or "reported". */
const char *lf_watch_state_str(enum lf_watch_state state);

#endif

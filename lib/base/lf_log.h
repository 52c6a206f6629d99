/*
 * lf_log.h - logging to syslog and/or stderr, the way Pacemaker's daemons
 * and agents do: "ident[pid]: LEVEL: message".
 */
#ifndef LF_LOG_H
#define LF_LOG_H

#include <stdarg.h>
#include <sys/types.h>
#include <syslog.h>

enum lf_log_dest {
    LF_LOG_STDERR = 1 << 0,
    LF_LOG_SYSLOG = 1 << 1,
    LF_LOG_FILE = 1 << 2, /* the file given to lf_log_open_file() */
};

/*!
 * \brief Set up logging; may be called again to change the settings.
 *
 * \param[in] ident     program name shown in every line (copied)
 * \param[in] dest      bitwise OR of enum lf_log_dest
 * \param[in] facility  syslog facility, e.g. LOG_DAEMON
 */
void lf_log_init(const char *ident, unsigned dest, int facility);

/*!
 * \brief Change where messages go (enum lf_log_dest bits), keeping the
 *        rest of the set-up.
 */
void lf_log_set_dest(unsigned dest);

/*! \brief Where messages go now. */
unsigned lf_log_dest(void);

/*!
 * \brief Also append every message, with a timestamp, to a file. Opened
 *        as lf_file_open_owned() does: never through a symbolic link, and
 *        only a regular file of root's, uid's or also's (one it creates
 *        is uid's and gid's, mode 0640).
 *
 * \param[out] why  on failure, what was wrong with the file
 *
 * \return 0 or an errno value (logging to the file stays off then)
 */
int lf_log_open_file(const char *path, uid_t uid, gid_t gid, uid_t also,
                     const char **why);

/*!
 * \brief Set the most verbose priority that is still logged.
 *
 * \param[in] priority  LOG_ERR ... LOG_DEBUG
 */
void lf_log_set_level(int priority);

/*! \brief The current threshold set by lf_log_set_level(). */
int lf_log_level(void);

/*!
 * \brief Raise the level to LOG_DEBUG when the environment asks for it
 *        (HA_debug or PCMK_debug set to a true value, as Pacemaker does).
 */
void lf_log_level_from_env(void);

/*!
 * \brief Set a context prefix ("instance ERS10: ") put before every message.
 *
 * \param[in] context  text to copy, or NULL to clear it
 */
void lf_log_set_context(const char *context);

/*!
 * \brief Send every message to fn instead of the destinations above (the
 *        helper routes them into Pacemaker's own logging this way).
 *
 * \param[in] fn  receives the priority and the finished text; NULL undoes
 */
void lf_log_set_sink(void (*fn)(int priority, const char *msg));

/*! \brief Log one message at a syslog priority. */
void lf_log(int priority, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*! \brief As lf_log() with a va_list. */
void lf_vlog(int priority, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#define lf_err(...) lf_log(LOG_ERR, __VA_ARGS__)
#define lf_warn(...) lf_log(LOG_WARNING, __VA_ARGS__)
#define lf_notice(...) lf_log(LOG_NOTICE, __VA_ARGS__)
#define lf_info(...) lf_log(LOG_INFO, __VA_ARGS__)
#define lf_debug(...) lf_log(LOG_DEBUG, __VA_ARGS__)

#endif

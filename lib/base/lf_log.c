#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lf_file.h"
#include "lf_log.h"
#include "lf_parse.h"

/* Logging is process-wide by nature, like syslog's own state. */
static struct {
    char ident[64];
    char context[128];
    unsigned dest;
    int level;
    bool syslog_open;
    FILE *file;
    void (*sink)(int priority, const char *msg);
} lf_log_cfg = {"leapfrog", "", LF_LOG_STDERR, LOG_INFO, false, NULL, NULL};

void
lf_log_set_sink(void (*fn)(int priority, const char *msg))
{
    lf_log_cfg.sink = fn;
}

static const char *
level_name(int priority)
{
    switch (priority) {
    case LOG_EMERG:
    case LOG_ALERT:
    case LOG_CRIT:
        return "CRIT";
    case LOG_ERR:
        return "ERROR";
    case LOG_WARNING:
        return "WARNING";
    case LOG_NOTICE:
        return "notice";
    case LOG_INFO:
        return "info";
    default:
        return "debug";
    }
}

void
lf_log_init(const char *ident, unsigned dest, int facility)
{
    if (ident != NULL) {
        (void)lf_strlcpy(lf_log_cfg.ident, ident, sizeof(lf_log_cfg.ident));
    }
    lf_log_cfg.dest = dest | (lf_log_cfg.dest & LF_LOG_FILE);
    if (lf_log_cfg.syslog_open) {
        closelog();
        lf_log_cfg.syslog_open = false;
    }
    if ((dest & LF_LOG_SYSLOG) != 0) {
        openlog(lf_log_cfg.ident, LOG_PID | LOG_NDELAY, facility);
        lf_log_cfg.syslog_open = true;
    }
}

void
lf_log_set_dest(unsigned dest)
{
    if ((dest & LF_LOG_SYSLOG) != 0 && !lf_log_cfg.syslog_open) {
        openlog(lf_log_cfg.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
        lf_log_cfg.syslog_open = true;
    }
    lf_log_cfg.dest = dest;
}

unsigned
lf_log_dest(void)
{
    return lf_log_cfg.dest;
}

int
lf_log_open_file(const char *path, uid_t uid, gid_t gid, uid_t also,
                 const char **why)
{
    FILE *file;
    int fd = -1;
    int rc = lf_file_open_owned(path, O_WRONLY | O_APPEND, 0640, uid, gid, also,
                                &fd, why);

    if (rc != 0) {
        return rc;
    }
    file = fdopen(fd, "a");
    if (file == NULL) {
        rc = errno;
        *why = strerror(rc);
        close(fd);
        return rc;
    }
    setvbuf(file, NULL, _IOLBF, 0);
    if (lf_log_cfg.file != NULL) {
        fclose(lf_log_cfg.file);
    }
    lf_log_cfg.file = file;
    lf_log_cfg.dest |= LF_LOG_FILE;
    return 0;
}

void
lf_log_set_level(int priority)
{
    lf_log_cfg.level = priority;
}

int
lf_log_level(void)
{
    return lf_log_cfg.level;
}

void
lf_log_level_from_env(void)
{
    static const char *const vars[] = {"HA_debug", "PCMK_debug"};

    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        const char *value = getenv(vars[i]);
        bool on = false;

        if (value != NULL && lf_parse_bool(value, &on) == 0 && on) {
            lf_log_cfg.level = LOG_DEBUG;
        }
    }
}

void
lf_log_set_context(const char *context)
{
    if (context == NULL) {
        lf_log_cfg.context[0] = '\0';
    } else {
        (void)lf_strlcpy(lf_log_cfg.context, context,
                         sizeof(lf_log_cfg.context));
    }
}

void
lf_vlog(int priority, const char *fmt, va_list ap)
{
    char msg[1024];
    int saved_errno = errno;

    if (priority > lf_log_cfg.level) {
        return;
    }
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    if (lf_log_cfg.sink != NULL) {
        char full[sizeof(msg) + sizeof(lf_log_cfg.context)];

        snprintf(full, sizeof(full), "%s%s", lf_log_cfg.context, msg);
        lf_log_cfg.sink(priority, full);
        errno = saved_errno;
        return;
    }

    if ((lf_log_cfg.dest & LF_LOG_STDERR) != 0) {
        fprintf(stderr, "%s[%ld]: %s: %s%s\n", lf_log_cfg.ident, (long)getpid(),
                level_name(priority), lf_log_cfg.context, msg);
    }
    if ((lf_log_cfg.dest & LF_LOG_FILE) != 0 && lf_log_cfg.file != NULL) {
        struct timespec ts;
        struct tm tm;
        char stamp[32];

        clock_gettime(CLOCK_REALTIME, &ts);
        localtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof(stamp), "%b %d %H:%M:%S", &tm);
        fprintf(lf_log_cfg.file, "%s.%03ld %s[%ld]: %s: %s%s\n", stamp,
                ts.tv_nsec / 1000000, lf_log_cfg.ident, (long)getpid(),
                level_name(priority), lf_log_cfg.context, msg);
    }
    if ((lf_log_cfg.dest & LF_LOG_SYSLOG) != 0) {
        syslog(priority, "%s: %s%s", level_name(priority), lf_log_cfg.context,
               msg);
    }
    errno = saved_errno;
}

void
lf_log(int priority, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    lf_vlog(priority, fmt, ap);
    va_end(ap);
}

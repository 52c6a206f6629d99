#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lf_file.h"
#include "lf_parse.h"
#include "lf_rc.h"
#include "lf_watch.h"

const char *
lf_watch_state_str(enum lf_watch_state state)
{
    return (state == LF_WATCH_REPORTED) ? "reported" : "armed";
}

int
lf_watch_format(const struct lf_watch_arm *arm, char *buf, size_t size,
                size_t *len)
{
    int n = snprintf(buf, size, "%ld %llu %s\n", (long)arm->pid, arm->start,
                     lf_watch_state_str(arm->state));

    if (n < 0 || (size_t)n >= size) {
        return LF_ERR_TOOLONG;
    }
    *len = (size_t)n;
    return 0;
}

int
lf_watch_parse(const char *text, struct lf_watch_arm *arm)
{
    char copy[96];
    char *save = NULL;
    char *pid;
    char *start;
    char *state;
    long long n = 0;
    size_t len;

    if (lf_strlcpy(copy, text, sizeof(copy)) != 0) {
        return LF_ERR_SYNTAX;
    }
    len = strlen(copy);
    if (len > 0 && copy[len - 1] == '\n') {
        copy[len - 1] = '\0';
    }
    pid = strtok_r(copy, " ", &save);
    start = strtok_r(NULL, " ", &save);
    state = strtok_r(NULL, " ", &save);
    if (state == NULL || strtok_r(NULL, " ", &save) != NULL) {
        return LF_ERR_SYNTAX;
    }
    if (lf_parse_long(pid, 1, INT_MAX, &n) != 0) {
        return LF_ERR_SYNTAX;
    }
    arm->pid = (pid_t)n;
    /* Start times are clock ticks since boot: never near LLONG_MAX. */
    if (lf_parse_long(start, 0, LLONG_MAX, &n) != 0) {
        return LF_ERR_SYNTAX;
    }
    arm->start = (unsigned long long)n;
    if (strcmp(state, "armed") == 0) {
        arm->state = LF_WATCH_ARMED;
    } else if (strcmp(state, "reported") == 0) {
        arm->state = LF_WATCH_REPORTED;
    } else {
        return LF_ERR_SYNTAX;
    }
    return 0;
}

int
lf_watch_write(const char *path, const struct lf_watch_arm *arm)
{
    char buf[96];
    size_t len = 0;
    int rc = lf_watch_format(arm, buf, sizeof(buf), &len);

    if (rc != 0) {
        return rc;
    }
    return lf_file_write_atomic(path, buf, len, 0644);
}

int
lf_watch_read(const char *path, struct lf_watch_arm *arm)
{
    char buf[96];
    int rc = lf_file_read_small(path, buf, sizeof(buf));

    if (rc == EFBIG) {
        return LF_ERR_SYNTAX;
    }
    if (rc != 0) {
        return rc;
    }
    return lf_watch_parse(buf, arm);
}

bool
lf_watch_same_server(const struct lf_watch_arm *a, const struct lf_watch_arm *b)
{
    return a->pid == b->pid && a->start == b->start;
}

bool
lf_watch_should_report(const struct lf_watch_arm *watched, int read_rc,
                       const struct lf_watch_arm *now)
{
    /* Gone or unreadable: the agent's stop deleted it (or something else
     * did); never report what may have been a stop. */
    if (read_rc != 0) {
        return false;
    }
    return lf_watch_same_server(watched, now) && now->state == LF_WATCH_ARMED;
}

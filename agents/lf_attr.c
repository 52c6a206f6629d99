#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lf_attr.h"
#include "lf_file.h"
#include "lf_log.h"

#define ATTRD_UPDATER "/usr/sbin/attrd_updater"

static int
run_attrd_updater(char *const argv[])
{
    int status = 0;
    pid_t child = fork();

    if (child < 0) {
        return errno;
    }
    if (child == 0) {
        int devnull = open("/dev/null", O_RDWR);

        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            return errno;
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
}

int
lf_attr_set(const char *name, const char *value, const char *cache, bool force)
{
    return lf_attr_set_dampened(name, value, cache, force, 0);
}

int
lf_attr_set_dampened(const char *name, const char *value, const char *cache,
                     bool force, unsigned dampen_s)
{
    char delay[16];
    char *argv[] = {ATTRD_UPDATER, "-n", (char *)name, "-U",
                    (char *)value, NULL, NULL,         NULL};
    char old[256];
    int rc;

    if (!force && cache != NULL
        && lf_file_read_small(cache, old, sizeof(old)) == 0
        && strcmp(old, value) == 0) {
        return 0;
    }
    if (dampen_s > 0) {
        /* -B sets the value and the dampening together (-U alone would
         * keep the dampening an earlier version of the agent gave it). */
        snprintf(delay, sizeof(delay), "%us", dampen_s);
        argv[3] = "-B";
        argv[5] = "-d";
        argv[6] = delay;
    }
    rc = run_attrd_updater(argv);
    if (rc != 0) {
        lf_debug("attrd_updater -n %s -U %s failed (%d)", name, value, rc);
        return rc;
    }
    if (cache != NULL) {
        (void)lf_file_write_atomic(cache, value, strlen(value), 0644);
    }
    return 0;
}

int
lf_attr_delete(const char *name, const char *cache)
{
    char *argv[] = {ATTRD_UPDATER, "-n", (char *)name, "-D", NULL};
    int rc = run_attrd_updater(argv);

    if (cache != NULL) {
        (void)unlink(cache);
    }
    if (rc != 0) {
        lf_debug("attrd_updater -n %s -D failed (%d)", name, rc);
    }
    return rc;
}

/* The value of field="..." in line, copied into out. */
static bool
quoted_field(const char *line, const char *field, char *out, size_t size)
{
    char pattern[32];
    const char *at;
    const char *end;

    snprintf(pattern, sizeof(pattern), "%s=\"", field);
    at = strstr(line, pattern);
    if (at == NULL || (at != line && at[-1] != ' ')) {
        return false;
    }
    at += strlen(pattern);
    end = strchr(at, '"');
    if (end == NULL || (size_t)(end - at) >= size) {
        return false;
    }
    memcpy(out, at, (size_t)(end - at));
    out[end - at] = '\0';
    return true;
}

bool
lf_attr_parse_line(const char *line, char *host, size_t host_size, char *value,
                   size_t value_size)
{
    return quoted_field(line, "host", host, host_size)
           && quoted_field(line, "value", value, value_size);
}

int
lf_attr_query_all(const char *name, lf_attr_cb cb, void *arg)
{
    int status = 0;
    int out[2];
    FILE *in;
    pid_t child;

    if (pipe2(out, O_CLOEXEC) != 0) {
        return errno;
    }
    child = fork();
    if (child < 0) {
        int rc = errno;

        close(out[0]);
        close(out[1]);
        return rc;
    }
    if (child == 0) {
        char *argv[] = {ATTRD_UPDATER, "-Q", "-A", "-n", (char *)name, NULL};
        int devnull = open("/dev/null", O_RDWR);

        dup2(devnull, STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
        /* Pacemaker 2.1 restricts even an -A query to the node this names
         * (an agent has it in its environment): all nodes, please. */
        unsetenv("OCF_RESKEY_CRM_meta_on_node");
        unsetenv("OCF_RESKEY_CRM_meta_on_node_uuid");
        execv(argv[0], argv);
        _exit(127);
    }
    close(out[1]);
    in = fdopen(out[0], "r");
    if (in == NULL) {
        close(out[0]);
    } else {
        char line[512];

        while (fgets(line, sizeof(line), in) != NULL) {
            char host[128];
            char value[256];

            if (lf_attr_parse_line(line, host, sizeof(host), value,
                                   sizeof(value))
                && value[0] != '\0') {
                cb(host, value, arg);
            }
        }
        fclose(in);
    }
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            return errno;
        }
    }
    /* An attribute no node has is not an error. */
    return WIFEXITED(status)
                   && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 105)
               ? 0
               : EIO;
}

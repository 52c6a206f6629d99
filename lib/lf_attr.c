#include <config.h>

#include <errno.h>
#include <fcntl.h>
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
    char *argv[] = {ATTRD_UPDATER, "-n",          (char *)name,
                    "-U",          (char *)value, NULL};
    char old[256];
    int rc;

    if (!force && cache != NULL
        && lf_file_read_small(cache, old, sizeof(old)) == 0
        && strcmp(old, value) == 0) {
        return 0;
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

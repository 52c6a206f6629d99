#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lf_file.h"

int
lf_file_write_atomic(const char *path, const void *data, size_t len,
                     mode_t mode)
{
    char tmp[PATH_MAX];
    int rc = 0;
    int fd;

    if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
        return ENAMETOOLONG;
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        return errno;
    }
    if (write(fd, data, len) != (ssize_t)len || fchmod(fd, mode) != 0
        || fsync(fd) != 0) {
        rc = (errno != 0) ? errno : EIO;
    }
    if (close(fd) != 0 && rc == 0) {
        rc = errno;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = errno;
    }
    if (rc != 0) {
        (void)unlink(tmp);
    }
    return rc;
}

int
lf_file_read_small(const char *path, char *buf, size_t size)
{
    ssize_t n;
    int rc = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        return errno;
    }
    n = read(fd, buf, size);
    if (n < 0) {
        rc = errno;
    } else if ((size_t)n == size) {
        rc = EFBIG;
    } else {
        if (n > 0 && buf[n - 1] == '\n') {
            n--;
        }
        buf[n] = '\0';
    }
    close(fd);
    return rc;
}

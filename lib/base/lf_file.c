#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);

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

int
lf_file_open_owned(const char *path, int flags, mode_t mode, uid_t uid,
                   gid_t gid, uid_t also, int *fd_out, const char **why)
{
    /* O_NONBLOCK: a FIFO planted there must not block the open. */
    int base = flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    bool created = true;
    struct stat st;
    int rc = 0;
    int fd = -1;

    *why = "";
    if ((flags & O_TRUNC) != 0) {
        /* The checks are made on the open descriptor (no race): a
         * truncation would already have emptied a file they refuse. */
        *why = "O_TRUNC is not allowed";
        return EINVAL;
    }
    fd = open(path, base | O_CREAT | O_EXCL, mode);
    if (fd < 0 && errno == EEXIST) {
        created = false;
        fd = open(path, base);
    }
    if (fd < 0 && errno == ENXIO) {
        /* A FIFO (or socket) without a reader. */
        *why = "it is not a regular file";
        return EINVAL;
    }
    if (fd < 0) {
        rc = errno;
        *why = (rc == ELOOP) ? "it is a symbolic link" : strerror(rc);
        return rc;
    }
    if (fstat(fd, &st) != 0) {
        rc = errno;
        *why = strerror(rc);
    } else if (!S_ISREG(st.st_mode)) {
        rc = EINVAL;
        *why = "it is not a regular file";
    } else if (st.st_nlink != 1) {
        rc = EMLINK;
        *why = "it has another hard link";
    } else if (st.st_uid != 0 && st.st_uid != uid && st.st_uid != also) {
        rc = EPERM;
        *why = "it belongs to another user than root or the service user (or "
               "its former user)";
    } else if (created && geteuid() == 0 && uid != 0
               && fchown(fd, uid, gid) != 0) {
        rc = errno;
        *why = strerror(rc);
    } else if (fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        rc = errno;
        *why = strerror(rc);
    }
    if (rc != 0) {
        close(fd);
        return rc;
    }
    *fd_out = fd;
    return 0;
}

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lf_secret.h"

int
lf_secret_load(const char *path, struct lf_secret *secret, const char **why)
{
    unsigned char buf[LF_SECRET_MAX + 2];
    struct stat st;
    ssize_t n;
    int rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        rc = errno;
        *why = "cannot open the secret file";
        return rc;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        *why = "the secret file is not a regular file";
        return EINVAL;
    }
    if ((st.st_mode & 0007) != 0) {
        close(fd);
        *why = "the secret file must not be accessible to others "
               "(chmod 600 or 640)";
        return EPERM;
    }
    n = read(fd, buf, sizeof(buf));
    rc = errno;
    close(fd);
    if (n < 0) {
        *why = "cannot read the secret file";
        return rc;
    }
    if (n > 0 && buf[n - 1] == '\n') {
        n--;
    }
    if (n < 16 || n > LF_SECRET_MAX) {
        *why = "the secret must be 16 to 1024 bytes long";
        return EINVAL;
    }
    memcpy(secret->data, buf, (size_t)n);
    secret->len = (size_t)n;
    return 0;
}

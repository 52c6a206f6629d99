#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lf_secret.h"

static int
hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* The 32-byte client key of a client credential, from 64 hex digits. */
static int
client_key(const unsigned char *hex, struct lf_secret *secret, const char **why)
{
    for (size_t i = 0; i < 32; i++) {
        int hi = hex_digit(hex[2 * i]);
        int lo = hex_digit(hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            *why = "the client credential is not 64 lower-case hex digits";
            return EINVAL;
        }
        secret->data[i] = (unsigned char)(hi * 16 + lo);
    }
    secret->len = 32;
    secret->client_only = true;
    return 0;
}

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
    secret->client_only = false;
    if ((size_t)n == sizeof(LF_SECRET_CLIENT_WORD) + 64
        && memcmp(buf, LF_SECRET_CLIENT_WORD " ", sizeof(LF_SECRET_CLIENT_WORD))
               == 0) {
        return client_key(buf + sizeof(LF_SECRET_CLIENT_WORD), secret, why);
    }
    if (n < 16 || n > LF_SECRET_MAX) {
        *why = "the secret must be 16 to 1024 bytes long";
        return EINVAL;
    }
    memcpy(secret->data, buf, (size_t)n);
    secret->len = (size_t)n;
    return 0;
}

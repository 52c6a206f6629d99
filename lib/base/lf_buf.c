#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lf_buf.h"

void
lf_buf_init(struct lf_buf *buf, size_t max)
{
    memset(buf, 0, sizeof(*buf));
    buf->max = max;
}

void
lf_buf_free(struct lf_buf *buf)
{
    free(buf->data);
    lf_buf_init(buf, buf->max);
}

size_t
lf_buf_pending(const struct lf_buf *buf)
{
    return buf->len - buf->start;
}

/* Make room for need more bytes at the end. */
static int
reserve(struct lf_buf *buf, size_t need)
{
    size_t pending = lf_buf_pending(buf);
    size_t cap;
    char *data;

    if (pending + need > buf->max) {
        return ENOBUFS;
    }
    if (buf->start > 0 && buf->len + need > buf->cap) {
        memmove(buf->data, buf->data + buf->start, pending);
        buf->start = 0;
        buf->len = pending;
    }
    if (buf->len + need <= buf->cap) {
        return 0;
    }
    cap = (buf->cap == 0) ? 4096 : buf->cap;
    while (cap < buf->len + need) {
        cap *= 2;
    }
    data = realloc(buf->data, cap);
    if (data == NULL) {
        return ENOMEM;
    }
    buf->data = data;
    buf->cap = cap;
    return 0;
}

int
lf_buf_append(struct lf_buf *buf, const void *data, size_t len)
{
    int rc = reserve(buf, len);

    if (rc != 0) {
        return rc;
    }
    memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    return 0;
}

int
lf_buf_printf(struct lf_buf *buf, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return EINVAL;
    }
    if ((size_t)n < sizeof(small)) {
        return lf_buf_append(buf, small, (size_t)n);
    }
    if (reserve(buf, (size_t)n + 1) != 0) {
        return ENOBUFS;
    }
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return 0;
}

int
lf_buf_read_fd(struct lf_buf *buf, int fd, size_t *nread)
{
    ssize_t n;
    int rc = reserve(buf, 4096);

    *nread = 0;
    if (rc != 0) {
        return rc;
    }
    n = read(fd, buf->data + buf->len, buf->cap - buf->len);
    if (n < 0) {
        return errno;
    }
    buf->len += (size_t)n;
    *nread = (size_t)n;
    return 0;
}

int
lf_buf_write_fd(struct lf_buf *buf, int fd)
{
    while (lf_buf_pending(buf) > 0) {
        ssize_t n = write(fd, buf->data + buf->start, lf_buf_pending(buf));

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : errno;
        }
        buf->start += (size_t)n;
    }
    buf->start = 0;
    buf->len = 0;
    return 0;
}

enum lf_line_rc
lf_buf_next_line(struct lf_buf *buf, size_t max_line, const char **line,
                 size_t *len)
{
    if (buf->data == NULL) {
        return LF_LINE_NONE; /* nothing ever arrived */
    }
    for (;;) {
        char *begin = buf->data + buf->start;
        size_t pending = lf_buf_pending(buf);
        char *nl = (pending > 0) ? memchr(begin, '\n', pending) : NULL;

        if (buf->discarding) {
            if (nl == NULL) {
                buf->start = buf->len = 0;
                return LF_LINE_NONE;
            }
            buf->start += (size_t)(nl - begin) + 1;
            buf->discarding = false;
            continue;
        }
        if (nl == NULL) {
            if (pending > max_line) {
                buf->start = buf->len = 0;
                buf->discarding = true;
                return LF_LINE_OVERSIZED;
            }
            return LF_LINE_NONE;
        }
        *line = begin;
        *len = (size_t)(nl - begin);
        buf->start += *len + 1;
        return (*len > max_line) ? LF_LINE_OVERSIZED : LF_LINE_READY;
    }
}

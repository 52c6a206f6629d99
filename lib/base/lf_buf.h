/*
 * lf_buf.h - byte buffers for non-blocking connections: an input buffer
 * that yields complete lines, and an output buffer that queues replies.
 */
#ifndef LF_BUF_H
#define LF_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct lf_buf {
    char *data;
    size_t start; /* first unconsumed byte */
    size_t len;   /* end of valid data */
    size_t cap;
    size_t max;      /* never grow beyond this */
    bool discarding; /* inside an oversized line, dropping to its end */
};

enum lf_line_rc {
    LF_LINE_NONE = 0,  /* no complete line yet */
    LF_LINE_READY,     /* *line / *len hold one line, newline stripped */
    LF_LINE_OVERSIZED, /* a line exceeded the limit; it was discarded */
};

/*! \brief Initialise an empty buffer that never holds more than max. */
void lf_buf_init(struct lf_buf *buf, size_t max);

void lf_buf_free(struct lf_buf *buf);

/*! \brief Bytes waiting in the buffer. */
size_t lf_buf_pending(const struct lf_buf *buf);

/*!
 * \brief Append bytes.
 *
 * \return 0, or ENOBUFS when that would pass the buffer's maximum (nothing
 *         is appended then), or ENOMEM
 */
int lf_buf_append(struct lf_buf *buf, const void *data, size_t len);

/*! \brief Append formatted text; same returns as lf_buf_append(). */
int lf_buf_printf(struct lf_buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*!
 * \brief Read from fd into the buffer (one read(2) call).
 *
 * \param[out] nread  on 0, the bytes read: 0 at end of file
 *
 * \return 0, or an errno value: EAGAIN when nothing is there, EINTR,
 *         ENOBUFS when the buffer is at its maximum, ENOMEM, or the
 *         error of read(2); nothing is read then
 */
int lf_buf_read_fd(struct lf_buf *buf, int fd, size_t *nread);

/*!
 * \brief Write as much of the buffer to fd as it takes.
 *
 * \return 0 (all or part written, or EAGAIN), or an errno value
 */
int lf_buf_write_fd(struct lf_buf *buf, int fd);

/*!
 * \brief Take the next line from an input buffer.
 *
 * A line longer than max_line is reported once as LF_LINE_OVERSIZED and
 * dropped up to its newline, however long, so the stream resynchronises
 * on the next line and no tail of it is ever taken for a line.
 * The returned pointer is valid until the next call that changes buf.
 */
enum lf_line_rc lf_buf_next_line(struct lf_buf *buf, size_t max_line,
                                 const char **line, size_t *len);

#endif

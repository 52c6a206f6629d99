/*
 * lf_file.h - small files written atomically and read whole.
 */
#ifndef LF_FILE_H
#define LF_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*!
 * \brief Replace path with data: a temporary file beside it, fsync, then
 *        rename, so readers see the old or the new content, never a part.
 *
 * \return 0 or an errno value (path is unchanged then)
 */
int lf_file_write_atomic(const char *path, const void *data, size_t len,
                         mode_t mode);

/*!
 * \brief Read a small file whole into buf, NUL-terminated, with one
 *        trailing newline removed.
 *
 * \return 0, EFBIG when it does not fit, or an errno value
 */
int lf_file_read_small(const char *path, char *buf, size_t size);

#endif

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
 *        trailing newline removed; a symbolic link is refused (ELOOP).
 *
 * \return 0, EFBIG when it does not fit, or an errno value
 */
int lf_file_read_small(const char *path, char *buf, size_t size);

/*!
 * \brief Open (creating it when missing) a file that root may open for a
 *        service user: never through a symbolic link (O_NOFOLLOW), and
 *        only a regular file with one link owned by root, by uid or by
 *        also. A file it creates as root is given to uid and gid.
 *
 * \param[in]  flags  O_WRONLY, O_APPEND ... (O_CLOEXEC is added); not
 *                    O_TRUNC, which would act before the checks (EINVAL)
 * \param[in]  also   another owner accepted, or (uid_t)-1
 * \param[out] fd     the descriptor, when 0 is returned
 * \param[out] why    on failure, what was wrong (static string)
 *
 * \return 0, ELOOP (a symbolic link), EINVAL (not a regular file),
 *         EMLINK (another hard link), EPERM (another owner), or an errno
 */
int lf_file_open_owned(const char *path, int flags, mode_t mode, uid_t uid,
                       gid_t gid, uid_t also, int *fd, const char **why);

#endif

/*
 * lf_secret.h - the optional shared-secret file.
 */
#ifndef LF_SECRET_H
#define LF_SECRET_H

#include <stddef.h>

#define LF_SECRET_MAX 1024

struct lf_secret {
    unsigned char data[LF_SECRET_MAX];
    size_t len; /* 0: no secret configured */
};

/*!
 * \brief Load the secret from path: its whole content less one trailing
 *        newline, 16 to LF_SECRET_MAX bytes. The file must not be
 *        readable or writable by others.
 *
 * \param[out] why  on error, a static explanation
 *
 * \return 0 or an errno value (EINVAL for a bad content, EPERM for a file
 *         open to others)
 */
int lf_secret_load(const char *path, struct lf_secret *secret,
                   const char **why);

#endif

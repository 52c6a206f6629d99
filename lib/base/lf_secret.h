/*
 * lf_secret.h - the shared-secret file: the pair's master secret, or a
 * client credential derived from it (lf-enq client-key), which lets a
 * client in but can never act as the replication server.
 */
#ifndef LF_SECRET_H
#define LF_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define LF_SECRET_MAX 1024

struct lf_secret {
    unsigned char data[LF_SECRET_MAX];
    size_t len;       /* 0: no secret configured */
    bool client_only; /* a client credential: data is the client key */
};

/* A client credential file: this word, a space, 64 hex digits. */
#define LF_SECRET_CLIENT_WORD "leapfrog-client-key"

/*!
 * \brief Load the secret from path: its whole content less one trailing
 *        newline, 16 to LF_SECRET_MAX bytes, or a client credential
 *        ("leapfrog-client-key <64 hex digits>"). The file must not be
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

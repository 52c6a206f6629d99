/*
 * lf_client.h - a blocking client of the enqueue server, with a deadline
 * on every exchange: used by lf-enq, the agents' monitors, the tests and
 * the benchmarks.
 */
#ifndef LF_CLIENT_H
#define LF_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf_buf.h"
#include "lf_proto.h"
#include "lf_secret.h"

struct lf_client {
    int fd;
    int timeout_ms;
    bool auth_required;
    char nonce[LF_NONCE_HEX + 1];
    struct lf_buf in;
};

/*!
 * \brief Connect, read the greeting and authenticate when the server asks
 *        for it (secret may be NULL or empty when none is configured).
 *
 * \param[out] why  on error, a static explanation
 *
 * \return 0 or an errno value / LF_ERR_PROTO; the client is closed on error
 */
int lf_client_open(struct lf_client *client, const char *host, uint16_t port,
                   int timeout_ms, const struct lf_secret *secret,
                   const char **why);

/*!
 * \brief Send one request line (without newline).
 *
 * \return 0 or an errno value
 */
int lf_client_send(struct lf_client *client, const char *request);

/*!
 * \brief Read one reply line into out (NUL-terminated, newline stripped).
 *
 * \return 0, ETIMEDOUT, ECONNRESET at end of stream, LF_ERR_PROTO for an
 *         oversized line, or another errno value
 */
int lf_client_read_line(struct lf_client *client, char *out, size_t size);

/*!
 * \brief Send a request and read its first reply line.
 */
int lf_client_call(struct lf_client *client, const char *request, char *reply,
                   size_t size);

void lf_client_close(struct lf_client *client);

#endif

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

#include "lf_auth.h"
#include "lf_buf.h"
#include "lf_proto.h"
#include "lf_secret.h"

struct lf_client {
    int fd;
    int timeout_ms;
    bool auth_required;
    char nonce[LF_NONCE_HEX + 1];
    struct lf_buf in;
    struct lf_session session; /* on once both sides proved the secret */
};

/*!
 * \brief Connect, read the greeting and authenticate as a client (see
 *        lf_client_open_as()).
 */
int lf_client_open(struct lf_client *client, const char *host, uint16_t port,
                   int timeout_ms, const struct lf_secret *secret,
                   const char **why);

/*!
 * \brief Connect, read the greeting and, with a secret, authenticate in
 *        role and check the server's proof: a server that does not ask for
 *        the secret, or cannot prove it knows it, is refused. Every line
 *        after that carries its MAC, both ways. Without a secret (NULL or
 *        empty) only a server that asks for none is accepted.
 *
 * \param[out] why  on error, a static explanation
 *
 * \return 0 or an errno value (EACCES: authentication failed either way)
 *         / LF_ERR_PROTO; the client is closed on error
 */
int lf_client_open_as(struct lf_client *client, const char *host, uint16_t port,
                      int timeout_ms, const struct lf_secret *secret,
                      enum lf_auth_role role, const char **why);

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
 * \brief The next complete line already read (no read(2)), its MAC checked
 *        and stripped: *line is NULL when there is none yet.
 *
 * \return 0, LF_ERR_PROTO for an oversized line, LF_ERR_AUTH for a line
 *         whose MAC is wrong (the stream cannot be trusted any more)
 */
int lf_client_next_line(struct lf_client *client, const char **line,
                        size_t *len);

/*!
 * \brief Send every line of buf (each ends with a newline), sealed when
 *        the session is on, within the client's deadline; buf is emptied.
 *
 * \return 0 or an errno value
 */
int lf_client_send_buf(struct lf_client *client, struct lf_buf *buf);

/*!
 * \brief Send a request and read its first reply line.
 */
int lf_client_call(struct lf_client *client, const char *request, char *reply,
                   size_t size);

void lf_client_close(struct lf_client *client);

#endif

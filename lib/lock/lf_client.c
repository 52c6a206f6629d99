#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lf_client.h"
#include "lf_net.h"
#include "lf_parse.h"
#include "lf_rc.h"

/* Replies are short lines, except LIST's: one line per lock. */
#define CLIENT_BUF_MAX (64 * 1024)

void
lf_client_close(struct lf_client *client)
{
    if (client->fd >= 0) {
        close(client->fd);
        client->fd = -1;
    }
    lf_buf_free(&client->in);
}

/* Write all of data within the deadline. */
static int
write_all(struct lf_client *client, const char *line, size_t len)
{
    size_t off = 0;

    while (off < len) {
        ssize_t n = write(client->fd, line + off, len - off);

        if (n < 0) {
            int rc = 0;

            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                return errno;
            }
            rc = lf_net_wait(client->fd, POLLOUT, client->timeout_ms);
            if (rc != 0) {
                return rc;
            }
            continue;
        }
        off += (size_t)n;
    }
    return 0;
}

int
lf_client_send(struct lf_client *client, const char *request)
{
    size_t len = strlen(request);
    char line[LF_LINE_MAX + LF_AUTH_TAG_WIRE + 2];

    if (len > LF_LINE_MAX) {
        return EMSGSIZE;
    }
    if (client->session.on) {
        return write_all(
            client, line,
            lf_session_seal_line(&client->session, request, len, line));
    }
    memcpy(line, request, len);
    line[len++] = '\n';
    return write_all(client, line, len);
}

int
lf_client_send_buf(struct lf_client *client, struct lf_buf *buf)
{
    struct lf_buf sealed;
    int rc = 0;

    if (!client->session.on) {
        rc = write_all(client, buf->data + buf->start, lf_buf_pending(buf));
        buf->start = buf->len = 0;
        return rc;
    }
    lf_buf_init(&sealed, (size_t)-1);
    while (rc == 0 && lf_buf_pending(buf) > 0) {
        rc = lf_session_seal_buf(&client->session, buf, &sealed, 1 << 20);
        if (rc == 0 && lf_buf_pending(&sealed) == 0) {
            break; /* only an unterminated tail is left */
        }
        if (rc == 0) {
            rc = write_all(client, sealed.data + sealed.start,
                           lf_buf_pending(&sealed));
            sealed.start = sealed.len = 0;
        }
    }
    lf_buf_free(&sealed);
    buf->start = buf->len = 0;
    return rc;
}

int
lf_client_next_line(struct lf_client *client, const char **line, size_t *len)
{
    *line = NULL;
    switch (lf_buf_next_line(&client->in,
                             lf_session_line_max(&client->session, LF_LINE_MAX),
                             line, len)) {
    case LF_LINE_READY:
        if (client->session.on
            && !lf_session_open(&client->session, *line, len)) {
            *line = NULL;
            return LF_ERR_AUTH;
        }
        return 0;
    case LF_LINE_OVERSIZED:
        *line = NULL;
        return LF_ERR_PROTO;
    case LF_LINE_NONE:
        break;
    }
    *line = NULL;
    return 0;
}

int
lf_client_read_line(struct lf_client *client, char *out, size_t size)
{
    for (;;) {
        const char *line = NULL;
        size_t len = 0;
        size_t n = 0;
        int rc = lf_client_next_line(client, &line, &len);

        if (rc != 0) {
            return rc;
        }
        if (line != NULL) {
            if (len > 0 && line[len - 1] == '\r') {
                len--;
            }
            if (len >= size) {
                return LF_ERR_PROTO;
            }
            memcpy(out, line, len);
            out[len] = '\0';
            return 0;
        }
        rc = lf_buf_read_fd(&client->in, client->fd, &n);
        if (rc == 0 && n == 0) {
            return ECONNRESET;
        }
        if (rc == EAGAIN || rc == EWOULDBLOCK) {
            rc = lf_net_wait(client->fd, POLLIN, client->timeout_ms);
            if (rc != 0) {
                return rc;
            }
        } else if (rc != 0 && rc != EINTR) {
            return rc;
        }
    }
}

int
lf_client_call(struct lf_client *client, const char *request, char *reply,
               size_t size)
{
    int rc = lf_client_send(client, request);

    return (rc != 0) ? rc : lf_client_read_line(client, reply, size);
}

/* Greeting: "LEAPFROG <version> <nonce> AUTH|NOAUTH". */
static int
read_greeting(struct lf_client *client, const char **why)
{
    char line[LF_LINE_MAX + 1];
    char version[16];
    char nonce[LF_NONCE_HEX + 2];
    char mode[16];
    int rc = lf_client_read_line(client, line, sizeof(line));

    if (rc != 0) {
        *why = "no greeting from the server";
        return rc;
    }
    if (sscanf(line, "LEAPFROG %15s %33s %15s", version, nonce, mode) != 3
        || strlen(nonce) != LF_NONCE_HEX) {
        *why = "the server's greeting is not leapfrog's";
        return LF_ERR_PROTO;
    }
    if (strtol(version, NULL, 10) != LF_PROTO_VERSION) {
        *why = "the server speaks another protocol version";
        return LF_ERR_PROTO;
    }
    memcpy(client->nonce, nonce, sizeof(client->nonce));
    client->auth_required = (strcmp(mode, "AUTH") == 0);
    return 0;
}

/* AUTH in role, and the server's proof that it knows the secret too. */
static int
authenticate(struct lf_client *client, const struct lf_secret *secret,
             enum lf_auth_role role, const char **why)
{
    uint8_t key[LF_SHA256_LEN];
    char cnonce[LF_AUTH_NONCE_HEX + 1];
    char proof[LF_AUTH_PROOF_HEX + 1];
    char request[LF_LINE_MAX + 1];
    char reply[LF_LINE_MAX + 1];
    int rc;

    if (!client->auth_required) {
        *why = "the server does not ask for the shared secret, so it cannot "
               "prove it is the real enqueue server (is it running without "
               "one?)";
        return EACCES;
    }
    if (lf_auth_role_key(secret, role, key) != 0) {
        *why = "a client credential cannot act as a replication server";
        return EACCES;
    }
    rc = lf_auth_nonce(cnonce);
    if (rc != 0) {
        *why = "no randomness for a challenge";
        return rc;
    }
    lf_auth_proof(key, false, role, client->nonce, cnonce, proof);
    snprintf(request, sizeof(request), "AUTH %s %s %s", lf_auth_role_str(role),
             cnonce, proof);
    rc = lf_client_call(client, request, reply, sizeof(reply));
    if (rc != 0) {
        *why = "no answer to AUTH";
        return rc;
    }
    if (strncmp(reply, "OK ", 3) != 0) {
        *why = strncmp(reply, "ERR AUTH", 8) == 0
                   ? "the server refused our shared secret"
                   : "the server does not speak this authentication";
        return EACCES;
    }
    lf_auth_proof(key, true, role, client->nonce, cnonce, proof);
    if (!lf_auth_equal(reply + 3, proof)) {
        *why = "the server could not prove it knows the shared secret: it is "
               "not the real enqueue server";
        return EACCES;
    }
    lf_session_start(&client->session, key, role, client->nonce, cnonce, false);
    return 0;
}

int
lf_client_open(struct lf_client *client, const char *host, uint16_t port,
               int timeout_ms, const struct lf_secret *secret, const char **why)
{
    return lf_client_open_as(client, host, port, timeout_ms, secret,
                             LF_AUTH_CLIENT, why);
}

int
lf_client_open_as(struct lf_client *client, const char *host, uint16_t port,
                  int timeout_ms, const struct lf_secret *secret,
                  enum lf_auth_role role, const char **why)
{
    int rc;

    memset(client, 0, sizeof(*client));
    client->fd = -1;
    client->timeout_ms = timeout_ms;
    lf_buf_init(&client->in, CLIENT_BUF_MAX);
    rc = lf_net_connect(host, port, timeout_ms, &client->fd);
    if (rc != 0) {
        *why = "cannot connect to the enqueue server";
        goto fail;
    }
    rc = read_greeting(client, why);
    if (rc != 0) {
        goto fail;
    }
    if (secret == NULL || secret->len == 0) {
        if (client->auth_required) {
            *why = "the server requires a shared secret (use -k FILE)";
            rc = EACCES;
            goto fail;
        }
        return 0;
    }
    rc = authenticate(client, secret, role, why);
    if (rc != 0) {
        goto fail;
    }
    return 0;

fail:
    lf_client_close(client);
    return rc;
}

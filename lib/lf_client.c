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

int
lf_client_send(struct lf_client *client, const char *request)
{
    size_t len = strlen(request);
    char line[LF_LINE_MAX + 2];
    size_t off = 0;

    if (len > LF_LINE_MAX) {
        return EMSGSIZE;
    }
    memcpy(line, request, len);
    line[len++] = '\n';
    while (off < len) {
        ssize_t n = write(client->fd, line + off, len - off);

        if (n < 0) {
            int rc;

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
lf_client_read_line(struct lf_client *client, char *out, size_t size)
{
    for (;;) {
        const char *line = NULL;
        size_t len = 0;
        long n;

        switch (lf_buf_next_line(&client->in, LF_LINE_MAX, &line, &len)) {
        case LF_LINE_READY:
            if (len > 0 && line[len - 1] == '\r') {
                len--;
            }
            if (len >= size) {
                return LF_ERR_PROTO;
            }
            memcpy(out, line, len);
            out[len] = '\0';
            return 0;
        case LF_LINE_OVERSIZED:
            return LF_ERR_PROTO;
        case LF_LINE_NONE:
            break;
        }
        n = lf_buf_read_fd(&client->in, client->fd);
        if (n == 0) {
            return ECONNRESET;
        }
        if (n == -EAGAIN || n == -EWOULDBLOCK) {
            int rc = lf_net_wait(client->fd, POLLIN, client->timeout_ms);
            if (rc != 0) {
                return rc;
            }
        } else if (n < 0 && n != -EINTR) {
            return (int)-n;
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

int
lf_client_open(struct lf_client *client, const char *host, uint16_t port,
               int timeout_ms, const struct lf_secret *secret, const char **why)
{
    char request[8 + 2 * 32 + 1];
    char response[2 * 32 + 1];
    char reply[LF_LINE_MAX + 1];
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
    lf_proto_auth_response(secret->data, secret->len, client->nonce, response);
    snprintf(request, sizeof(request), "AUTH %s", response);
    rc = lf_client_call(client, request, reply, sizeof(reply));
    if (rc != 0) {
        *why = "no answer to AUTH";
        goto fail;
    }
    if (strncmp(reply, "OK", 2) != 0) {
        *why = "the server refused our shared secret";
        rc = EACCES;
        goto fail;
    }
    return 0;

fail:
    lf_client_close(client);
    return rc;
}

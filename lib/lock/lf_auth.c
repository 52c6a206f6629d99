#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "lf_auth.h"
#include "lf_proto.h"

static const char *const role_words[] = {"client", "replica"};

const char *
lf_auth_role_str(enum lf_auth_role role)
{
    return role == LF_AUTH_REPLICA ? role_words[1] : role_words[0];
}

bool
lf_auth_role_parse(const char *word, enum lf_auth_role *role)
{
    if (strcmp(word, role_words[0]) == 0) {
        *role = LF_AUTH_CLIENT;
        return true;
    }
    if (strcmp(word, role_words[1]) == 0) {
        *role = LF_AUTH_REPLICA;
        return true;
    }
    return false;
}

int
lf_auth_role_key(const struct lf_secret *secret, enum lf_auth_role role,
                 uint8_t key[LF_SHA256_LEN])
{
    char label[64];
    int n;

    if (secret->client_only) {
        if (role != LF_AUTH_CLIENT) {
            return EPERM;
        }
        memcpy(key, secret->data, LF_SHA256_LEN);
        return 0;
    }
    n = snprintf(label, sizeof(label), "leapfrog-3 role %s",
                 lf_auth_role_str(role));
    lf_hmac_sha256(secret->data, secret->len, label, (size_t)n, key);
    return 0;
}

int
lf_auth_client_credential(const struct lf_secret *secret, char *out)
{
    uint8_t key[LF_SHA256_LEN];

    if (secret->client_only) {
        return EPERM;
    }
    (void)lf_auth_role_key(secret, LF_AUTH_CLIENT, key);
    memcpy(out, LF_SECRET_CLIENT_WORD " ", sizeof(LF_SECRET_CLIENT_WORD));
    lf_hex(key, sizeof(key), out + sizeof(LF_SECRET_CLIENT_WORD));
    return 0;
}

static void
keyed_label(const uint8_t key[LF_SHA256_LEN], const char *what,
            enum lf_auth_role role, const char *snonce, const char *cnonce,
            uint8_t out[LF_SHA256_LEN])
{
    char msg[160];
    int n = snprintf(msg, sizeof(msg), "leapfrog-3 %s %s %.*s %.*s", what,
                     lf_auth_role_str(role), LF_AUTH_NONCE_HEX, snonce,
                     LF_AUTH_NONCE_HEX, cnonce);

    lf_hmac_sha256(key, LF_SHA256_LEN, msg, (size_t)n, out);
}

void
lf_auth_proof(const uint8_t key[LF_SHA256_LEN], bool server,
              enum lf_auth_role role, const char *snonce, const char *cnonce,
              char *out)
{
    uint8_t mac[LF_SHA256_LEN];

    keyed_label(key, server ? "server-proof" : "client-proof", role, snonce,
                cnonce, mac);
    lf_hex(mac, sizeof(mac), out);
}

bool
lf_auth_equal(const char *a, const char *b)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    unsigned char diff = (la != lb);

    for (size_t i = 0; i < la && i < lb; i++) {
        diff |= (unsigned char)(a[i] ^ b[i]);
    }
    return diff == 0;
}

int
lf_auth_nonce(char *out)
{
    uint8_t bytes[LF_AUTH_NONCE_HEX / 2];

    if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes)) {
        return errno != 0 ? errno : EIO;
    }
    lf_hex(bytes, sizeof(bytes), out);
    return 0;
}

void
lf_hmac_key_init(struct lf_hmac_key *k, const void *key, size_t len)
{
    uint8_t block[64] = {0};
    uint8_t pad[64];

    if (len > sizeof(block)) {
        struct lf_sha256 ctx;

        lf_sha256_init(&ctx);
        lf_sha256_update(&ctx, key, len);
        lf_sha256_final(&ctx, block);
    } else {
        memcpy(block, key, len);
    }
    for (int i = 0; i < 64; i++) {
        pad[i] = block[i] ^ 0x36;
    }
    lf_sha256_init(&k->inner);
    lf_sha256_update(&k->inner, pad, sizeof(pad));
    for (int i = 0; i < 64; i++) {
        pad[i] = block[i] ^ 0x5c;
    }
    lf_sha256_init(&k->outer);
    lf_sha256_update(&k->outer, pad, sizeof(pad));
}

void
lf_hmac_key_mac(const struct lf_hmac_key *k, const void *msg1, size_t len1,
                const void *msg2, size_t len2, uint8_t out[LF_SHA256_LEN])
{
    struct lf_sha256 ctx = k->inner;
    uint8_t inner[LF_SHA256_LEN];

    lf_sha256_update(&ctx, msg1, len1);
    lf_sha256_update(&ctx, msg2, len2);
    lf_sha256_final(&ctx, inner);
    ctx = k->outer;
    lf_sha256_update(&ctx, inner, sizeof(inner));
    lf_sha256_final(&ctx, out);
}

void
lf_session_start(struct lf_session *s, const uint8_t key[LF_SHA256_LEN],
                 enum lf_auth_role role, const char *snonce, const char *cnonce,
                 bool server)
{
    uint8_t session[LF_SHA256_LEN];

    keyed_label(key, "session", role, snonce, cnonce, session);
    lf_hmac_key_init(&s->key, session, sizeof(session));
    s->send_dir = server ? 's' : 'c';
    s->recv_dir = server ? 'c' : 's';
    s->sent = s->received = 0;
    s->on = true;
}

/* The tag of a line: direction, number, text. */
static void
tag(const struct lf_session *s, char dir, uint64_t n, const char *line,
    size_t len, char *out)
{
    uint8_t head[9];
    uint8_t mac[LF_SHA256_LEN];

    head[0] = (uint8_t)dir;
    for (int i = 0; i < 8; i++) {
        head[1 + i] = (uint8_t)(n >> (56 - 8 * i));
    }
    lf_hmac_key_mac(&s->key, head, sizeof(head), line, len, mac);
    lf_hex(mac, LF_AUTH_TAG_HEX / 2, out);
}

size_t
lf_session_seal_line(struct lf_session *s, const char *line, size_t len,
                     char *out)
{
    memmove(out, line, len);
    out[len] = ' ';
    tag(s, s->send_dir, s->sent, out, len, out + len + 1);
    out[len + LF_AUTH_TAG_WIRE] = '\n';
    s->sent++;
    return len + LF_AUTH_TAG_WIRE + 1;
}

int
lf_session_seal(struct lf_session *s, const char *line, size_t len,
                struct lf_buf *out)
{
    char wire[LF_LINE_MAX + LF_AUTH_TAG_WIRE + 1];
    uint64_t sent = s->sent;
    size_t n;
    int rc;

    if (len > LF_LINE_MAX) {
        return EMSGSIZE;
    }
    n = lf_session_seal_line(s, line, len, wire);
    rc = lf_buf_append(out, wire, n);
    if (rc != 0) {
        s->sent = sent;
    }
    return rc;
}

bool
lf_session_open(struct lf_session *s, const char *line, size_t *len)
{
    char want[LF_AUTH_TAG_HEX + 1];
    char got[LF_AUTH_TAG_HEX + 1];
    size_t n = *len;

    if (n > 0 && line[n - 1] == '\r') {
        n--;
    }
    if (n < LF_AUTH_TAG_WIRE || line[n - LF_AUTH_TAG_WIRE] != ' ') {
        return false;
    }
    n -= LF_AUTH_TAG_WIRE;
    memcpy(got, line + n + 1, LF_AUTH_TAG_HEX);
    got[LF_AUTH_TAG_HEX] = '\0';
    tag(s, s->recv_dir, s->received, line, n, want);
    if (!lf_auth_equal(want, got)) {
        return false;
    }
    s->received++;
    *len = n;
    return true;
}

int
lf_session_seal_buf(struct lf_session *s, struct lf_buf *plain,
                    struct lf_buf *sealed, size_t low)
{
    while (lf_buf_pending(sealed) < low) {
        const char *line = NULL;
        size_t len = 0;
        size_t start = plain->start;
        int rc;

        enum lf_line_rc lrc = lf_buf_next_line(plain, LF_LINE_MAX, &line, &len);

        if (lrc == LF_LINE_NONE) {
            return 0;
        }
        if (lrc == LF_LINE_OVERSIZED) {
            continue; /* never ours: every line we write fits */
        }
        rc = lf_session_seal(s, line, len, sealed);
        if (rc != 0) {
            plain->start = start; /* still to send */
            return rc;
        }
    }
    return 0;
}

size_t
lf_session_line_max(const struct lf_session *s, size_t text_max)
{
    return s->on ? text_max + LF_AUTH_TAG_WIRE : text_max;
}

/*
 * lf_sha256.h - SHA-256 and HMAC-SHA-256 (FIPS 180-4, RFC 2104), for the
 * shared-secret challenge-response. Small and dependency-free, so that the
 * agents can authenticate without linking a crypto library.
 */
#ifndef LF_SHA256_H
#define LF_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define LF_SHA256_LEN 32

struct lf_sha256 {
    uint32_t h[8];
    uint64_t total;
    uint8_t buf[64];
    size_t used;
};

void lf_sha256_init(struct lf_sha256 *ctx);
void lf_sha256_update(struct lf_sha256 *ctx, const void *data, size_t len);
void lf_sha256_final(struct lf_sha256 *ctx, uint8_t out[LF_SHA256_LEN]);

/*!
 * \brief HMAC-SHA-256 of msg under key.
 */
void lf_hmac_sha256(const void *key, size_t key_len, const void *msg,
                    size_t msg_len, uint8_t out[LF_SHA256_LEN]);

/*!
 * \brief Write len bytes as lower-case hex plus a NUL into out
 *        (2 * len + 1 bytes).
 */
void lf_hex(const uint8_t *bytes, size_t len, char *out);

#endif

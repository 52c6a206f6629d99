/*
 * lf_auth.h - mutual authentication and message integrity (protocol 3,
 * doc/protocol.md "Authentication and integrity").
 *
 * The pair's secret is a master key. Each role has its own key derived
 * from it with a label: "client" (clients, monitors) and "replica" (the
 * replication server, which may also do what a client does). A client
 * credential file holds only the client key, so a client that has it can
 * never become a replica.
 *
 * AUTH proves the peer's key and the server's reply proves the server's
 * (fresh nonces from both sides), and both derive a session key: from then
 * on every line in either direction carries a MAC over its direction, its
 * number in that direction and its text, so a line cannot be forged,
 * altered, replayed, reordered or dropped without the receiver noticing.
 */
#ifndef LF_AUTH_H
#define LF_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf_buf.h"
#include "lf_secret.h"
#include "lf_sha256.h"

#define LF_AUTH_NONCE_HEX 32 /* both nonces: 128 random bits */
#define LF_AUTH_PROOF_HEX 64 /* AUTH's and OK's proofs */
#define LF_AUTH_TAG_HEX 32   /* each line's MAC: 128 bits */
/* What a sealed line adds to its text: a space and the tag. */
#define LF_AUTH_TAG_WIRE (1 + LF_AUTH_TAG_HEX)

enum lf_auth_role {
    LF_AUTH_CLIENT = 0,
    LF_AUTH_REPLICA,
};

/* HMAC-SHA-256 with its key's pads hashed once: two compressions less per
 * message. */
struct lf_hmac_key {
    struct lf_sha256 inner;
    struct lf_sha256 outer;
};

/* One connection's integrity: the session key and each direction's count
 * of lines. */
struct lf_session {
    bool on;
    struct lf_hmac_key key;
    char send_dir; /* 'c': client to server, 's': server to client */
    char recv_dir;
    uint64_t sent;
    uint64_t received;
};

/*! \brief "client" or "replica". */
const char *lf_auth_role_str(enum lf_auth_role role);

/*! \brief The role a word names; false when it names none. */
bool lf_auth_role_parse(const char *word, enum lf_auth_role *role);

/*!
 * \brief The role's key: derived from a master secret, or the client key a
 *        client credential holds.
 *
 * \return 0, or EPERM when the secret cannot act in that role (a client
 *         credential asked for the replica key)
 */
int lf_auth_role_key(const struct lf_secret *secret, enum lf_auth_role role,
                     uint8_t key[LF_SHA256_LEN]);

/*!
 * \brief The proof of one side: hex HMAC over
 *        "leapfrog-3 <side>-proof <role> <server nonce> <client nonce>".
 *
 * \param[in]  server  the server's proof (OK), else the client's (AUTH)
 * \param[out] out     LF_AUTH_PROOF_HEX + 1 bytes
 */
void lf_auth_proof(const uint8_t key[LF_SHA256_LEN], bool server,
                   enum lf_auth_role role, const char *snonce,
                   const char *cnonce, char *out);

/*!
 * \brief The client credential of a master secret: "leapfrog-client-key
 *        <64 hex digits>" and a NUL into out.
 *
 * \param[out] out  LF_AUTH_CREDENTIAL_LEN + 1 bytes
 *
 * \return 0, or EPERM for a secret that is a client credential already
 */
#define LF_AUTH_CREDENTIAL_LEN (sizeof(LF_SECRET_CLIENT_WORD) + 64)
int lf_auth_client_credential(const struct lf_secret *secret, char *out);

/*! \brief Compare two strings in time independent of where they differ. */
bool lf_auth_equal(const char *a, const char *b);

/*!
 * \brief Fill out with LF_AUTH_NONCE_HEX random hex digits and a NUL.
 *
 * \return 0 or an errno value (no randomness: no safe challenge)
 */
int lf_auth_nonce(char *out);

/*!
 * \brief Begin a connection's integrity once AUTH succeeded.
 *
 * \param[in] server  the server's end, else the client's
 */
void lf_session_start(struct lf_session *s, const uint8_t key[LF_SHA256_LEN],
                      enum lf_auth_role role, const char *snonce,
                      const char *cnonce, bool server);

/*! \brief HMAC-SHA-256 with a prepared key. */
void lf_hmac_key_init(struct lf_hmac_key *k, const void *key, size_t len);
void lf_hmac_key_mac(const struct lf_hmac_key *k, const void *msg1, size_t len1,
                     const void *msg2, size_t len2, uint8_t out[LF_SHA256_LEN]);

/*!
 * \brief Seal one line (no newline, at most LF_LINE_MAX bytes) into out
 *        (len + LF_AUTH_TAG_WIRE + 2 bytes; out may be line itself): the
 *        text, its tag and a newline, counted as sent.
 *
 * \return the bytes written to out
 */
size_t lf_session_seal_line(struct lf_session *s, const char *line, size_t len,
                            char *out);

/*!
 * \brief Append line (no newline), its tag and a newline to out, and count
 *        it as sent.
 *
 * \return 0 or lf_buf_append()'s error (nothing appended, nothing counted)
 */
int lf_session_seal(struct lf_session *s, const char *line, size_t len,
                    struct lf_buf *out);

/*!
 * \brief Check a received line's tag (a CR after it is ignored) and count
 *        it; on success *len is the length of its text alone.
 *
 * \return true when the tag is right
 */
bool lf_session_open(struct lf_session *s, const char *line, size_t *len);

/*!
 * \brief Move complete lines from plain to sealed, sealing each, while
 *        sealed holds less than low bytes.
 *
 * \return 0 or an error of lf_buf_append()
 */
int lf_session_seal_buf(struct lf_session *s, struct lf_buf *plain,
                        struct lf_buf *sealed, size_t low);

/*! \brief The longest line on the wire: the text's limit and its tag. */
size_t lf_session_line_max(const struct lf_session *s, size_t text_max);

#endif

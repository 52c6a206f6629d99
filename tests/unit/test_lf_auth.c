/*
 * Unit tests of lib/lf_auth.c: role keys, the proofs of both sides, and
 * the MAC every line carries after AUTH.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_auth.h"
#include "lf_file.h"
#include "lf_proto.h"

static const char snonce[] = "00112233445566778899aabbccddeeff";
static const char cnonce[] = "ffeeddccbbaa99887766554433221100";

static void
master(struct lf_secret *s, const char *text)
{
    memset(s, 0, sizeof(*s));
    memcpy(s->data, text, strlen(text));
    s->len = strlen(text);
}

/* Each role has its own key; a client credential holds only the client
 * key, and gives the same proofs as the secret it was derived from. */
static void
role_keys_and_credentials(void **state)
{
    struct lf_secret s;
    struct lf_secret cred;
    uint8_t kc[LF_SHA256_LEN];
    uint8_t kr[LF_SHA256_LEN];
    uint8_t kcred[LF_SHA256_LEN];
    char text[LF_AUTH_CREDENTIAL_LEN + 2];
    char path[] = "/tmp/lf-auth-test.XXXXXX";
    const char *why = "";
    int fd;

    (void)state;
    master(&s, "correct horse battery staple");
    assert_int_equal(lf_auth_role_key(&s, LF_AUTH_CLIENT, kc), 0);
    assert_int_equal(lf_auth_role_key(&s, LF_AUTH_REPLICA, kr), 0);
    assert_memory_not_equal(kc, kr, sizeof(kc));
    assert_int_equal(lf_auth_client_credential(&s, text), 0);
    assert_int_equal(strlen(text), LF_AUTH_CREDENTIAL_LEN);
    assert_int_equal(strncmp(text, "leapfrog-client-key ", 20), 0);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    strcat(text, "\n");
    assert_int_equal(lf_file_write_atomic(path, text, strlen(text), 0600), 0);
    assert_int_equal(lf_secret_load(path, &cred, &why), 0);
    assert_true(cred.client_only);
    assert_int_equal(lf_auth_role_key(&cred, LF_AUTH_CLIENT, kcred), 0);
    assert_memory_equal(kc, kcred, sizeof(kc));
    assert_int_equal(lf_auth_role_key(&cred, LF_AUTH_REPLICA, kcred), EPERM);
    assert_int_equal(lf_auth_client_credential(&cred, text), EPERM);
    /* A credential with a bad digit is refused, not taken as a secret. */
    text[30] = 'X';
    assert_int_equal(lf_file_write_atomic(path, text, strlen(text), 0600), 0);
    assert_int_equal(lf_secret_load(path, &cred, &why), EINVAL);
    unlink(path);
}

/* The client's and the server's proofs differ (one cannot be reflected
 * as the other) and depend on the key, the role and both nonces. */
static void
proofs(void **state)
{
    struct lf_secret s;
    uint8_t k[LF_SHA256_LEN];
    char a[LF_AUTH_PROOF_HEX + 1];
    char b[LF_AUTH_PROOF_HEX + 1];

    (void)state;
    master(&s, "correct horse battery staple");
    (void)lf_auth_role_key(&s, LF_AUTH_CLIENT, k);
    lf_auth_proof(k, false, LF_AUTH_CLIENT, snonce, cnonce, a);
    assert_int_equal(strlen(a), LF_AUTH_PROOF_HEX);
    lf_auth_proof(k, true, LF_AUTH_CLIENT, snonce, cnonce, b);
    assert_false(lf_auth_equal(a, b));
    lf_auth_proof(k, false, LF_AUTH_REPLICA, snonce, cnonce, b);
    assert_false(lf_auth_equal(a, b));
    lf_auth_proof(k, false, LF_AUTH_CLIENT, cnonce, snonce, b);
    assert_false(lf_auth_equal(a, b));
    lf_auth_proof(k, false, LF_AUTH_CLIENT, snonce, cnonce, b);
    assert_true(lf_auth_equal(a, b));
    assert_false(lf_auth_equal(a, "short"));
}

static void
sessions(struct lf_session *client, struct lf_session *server)
{
    struct lf_secret s;
    uint8_t k[LF_SHA256_LEN];

    master(&s, "correct horse battery staple");
    (void)lf_auth_role_key(&s, LF_AUTH_CLIENT, k);
    memset(client, 0, sizeof(*client));
    memset(server, 0, sizeof(*server));
    lf_session_start(client, k, LF_AUTH_CLIENT, snonce, cnonce, false);
    lf_session_start(server, k, LF_AUTH_CLIENT, snonce, cnonce, true);
}

/* A line the other side sealed opens once, in order; altered, replayed,
 * reflected or reordered it does not. */
static void
sealed_lines(void **state)
{
    struct lf_session c;
    struct lf_session sv;
    struct lf_buf out;
    char wire[LF_LINE_MAX + LF_AUTH_TAG_WIRE + 2];
    char first[sizeof(wire)];
    size_t n;
    size_t len;

    (void)state;
    sessions(&c, &sv);
    n = lf_session_seal_line(&c, "LOCK k o", 8, wire);
    assert_int_equal(n, 8 + LF_AUTH_TAG_WIRE + 1);
    assert_int_equal(wire[n - 1], '\n');
    memcpy(first, wire, n);
    len = n - 1;
    assert_true(lf_session_open(&sv, wire, &len));
    assert_int_equal(len, 8);
    assert_memory_equal(wire, "LOCK k o", 8);
    /* Replayed: its number is behind. */
    len = n - 1;
    assert_false(lf_session_open(&sv, first, &len));
    /* Altered. */
    n = lf_session_seal_line(&c, "UNLOCK k o", 10, wire);
    wire[7] = 'j';
    len = n - 1;
    assert_false(lf_session_open(&sv, wire, &len));
    /* Reflected: the server's own line sent back to it. */
    sessions(&c, &sv);
    n = lf_session_seal_line(&sv, "OK", 2, wire);
    len = n - 1;
    assert_false(lf_session_open(&sv, wire, &len));
    len = n - 1;
    assert_true(lf_session_open(&c, wire, &len));
    /* Reordered: the second line before the first. */
    sessions(&c, &sv);
    (void)lf_session_seal_line(&c, "PING", 4, first);
    n = lf_session_seal_line(&c, "COUNT", 5, wire);
    len = n - 1;
    assert_false(lf_session_open(&sv, wire, &len));
    /* A CR after the tag is ignored; no tag at all is refused. */
    sessions(&c, &sv);
    n = lf_session_seal_line(&c, "PING", 4, wire);
    wire[n - 1] = '\r';
    len = n;
    assert_true(lf_session_open(&sv, wire, &len));
    assert_int_equal(len, 4);
    len = 4;
    assert_false(lf_session_open(&sv, "PING", &len));
    /* A buffer of lines seals line by line, up to its low mark. */
    sessions(&c, &sv);
    lf_buf_init(&out, 1 << 20);
    {
        struct lf_buf plain;
        const char *line = NULL;
        size_t l = 0;

        lf_buf_init(&plain, 1 << 20);
        assert_int_equal(lf_buf_printf(&plain, "S X a o\nS S b p\nSYNC 3\n"),
                         0);
        assert_int_equal(lf_session_seal_buf(&c, &plain, &out, 1 << 20), 0);
        assert_int_equal(lf_buf_pending(&plain), 0);
        for (int i = 0; i < 3; i++) {
            assert_int_equal(lf_buf_next_line(&out, 4096, &line, &l),
                             LF_LINE_READY);
            assert_true(lf_session_open(&sv, line, &l));
        }
        assert_memory_equal(line, "SYNC 3", 6);
        lf_buf_free(&plain);
    }
    lf_buf_free(&out);
}

/* The prepared key gives RFC 4231's HMAC-SHA-256. */
static void
prepared_key_is_hmac(void **state)
{
    struct lf_hmac_key k;
    uint8_t out[LF_SHA256_LEN];
    uint8_t ref[LF_SHA256_LEN];

    (void)state;
    lf_hmac_key_init(&k, "Jefe", 4);
    lf_hmac_key_mac(&k, "what do ya ", 11, "want for nothing?", 17, out);
    lf_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, ref);
    assert_memory_equal(out, ref, sizeof(out));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(role_keys_and_credentials),
        cmocka_unit_test(proofs),
        cmocka_unit_test(sealed_lines),
        cmocka_unit_test(prepared_key_is_hmac),
    };

    return cmocka_run_group_tests_name("lf_auth", tests, NULL, NULL);
}

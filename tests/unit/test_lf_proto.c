/* Unit tests for lib/lf_proto.c and lib/lf_sha256.c. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lf_proto.h"
#include "lf_sha256.h"

static enum lf_proto_err
parse(const char *line, struct lf_msg *msg)
{
    return lf_proto_parse(line, strlen(line), msg);
}

static void
client_requests(void **state)
{
    struct lf_msg m;

    assert_int_equal(parse("LOCK k1 alice", &m), LF_PROTO_OK);
    assert_int_equal(m.type, LF_MSG_LOCK);
    assert_string_equal(m.key, "k1");
    assert_string_equal(m.owner, "alice");
    assert_int_equal(m.mode, LF_MODE_EXCLUSIVE);
    assert_int_equal(parse("LOCK k1 alice S\r", &m), LF_PROTO_OK);
    assert_int_equal(m.mode, LF_MODE_SHARED);
    assert_int_equal(parse("UNLOCK k1 alice", &m), LF_PROTO_OK);
    assert_int_equal(m.type, LF_MSG_UNLOCK);
    assert_int_equal(parse("UNLOCKALL alice", &m), LF_PROTO_OK);
    assert_string_equal(m.owner, "alice");
    assert_int_equal(parse("LIST", &m), LF_PROTO_OK);
    assert_int_equal(m.type, LF_MSG_LIST);
    assert_int_equal(parse("STATS", &m), LF_PROTO_OK);
    assert_int_equal(parse("AUTH client n0 p0", &m), LF_PROTO_OK);
    assert_string_equal(m.arg, "client");
    assert_string_equal(m.nonce, "n0");
    assert_string_equal(m.proof, "p0");
    assert_int_equal(parse("AUTH abc", &m), LF_PROTO_ARGS);
}

static void
replication_messages(void **state)
{
    struct lf_msg m;

    assert_int_equal(parse("SNAPSHOT 7 10000", &m), LF_PROTO_OK);
    assert_int_equal(m.num, 7);
    assert_int_equal(m.count, 10000);
    assert_int_equal(m.valid_ms, 0);
    assert_int_equal(parse("SNAPSHOT 7 10000 50000", &m), LF_PROTO_OK);
    assert_int_equal(m.valid_ms, 50000);
    assert_int_equal(parse("SNAPSHOT 7 10000 x", &m), LF_PROTO_BADNUM);
    /* A replica says where it runs and what copy it holds. */
    assert_int_equal(parse("REPLICA ERS10 node2 4 812 200", &m), LF_PROTO_OK);
    assert_int_equal(m.type, LF_MSG_REPLICA);
    assert_string_equal(m.arg, "ERS10");
    assert_string_equal(m.node, "node2");
    assert_int_equal(m.num, 4);
    assert_int_equal(m.seq, 812);
    assert_int_equal(m.count, 200);
    assert_int_equal(parse("REPLICA ERS10", &m), LF_PROTO_ARGS);
    assert_int_equal(parse("REPLICA ERS10 node2 4 x 200", &m), LF_PROTO_BADNUM);
    assert_int_equal(parse("UPLOAD", &m), LF_PROTO_OK);
    assert_int_equal(m.type, LF_MSG_UPLOAD);
    assert_int_equal(parse("DROP", &m), LF_PROTO_OK);
    assert_int_equal(m.type, LF_MSG_DROP);
    assert_int_equal(parse("BYE", &m), LF_PROTO_OK);
    assert_int_equal(m.type, LF_MSG_BYE);
    assert_int_equal(parse("BYE now", &m), LF_PROTO_ARGS);
    assert_int_equal(parse("S X key owner", &m), LF_PROTO_OK);
    assert_int_equal(m.type, LF_MSG_SNAPENTRY);
    assert_int_equal(parse("C 12 L S key owner", &m), LF_PROTO_OK);
    assert_int_equal(m.op, LF_CHANGE_LOCK);
    assert_int_equal(m.num, 12);
    assert_int_equal(m.mode, LF_MODE_SHARED);
    assert_int_equal(parse("C 13 U key owner", &m), LF_PROTO_OK);
    assert_int_equal(m.op, LF_CHANGE_UNLOCK);
    assert_int_equal(parse("C 14 A owner", &m), LF_PROTO_OK);
    assert_int_equal(m.op, LF_CHANGE_UNLOCKALL);
    assert_int_equal(parse("ACK 18446744073709551615", &m), LF_PROTO_OK);
    assert_int_equal(parse("ACK 18446744073709551616", &m), LF_PROTO_BADNUM);
    assert_int_equal(parse("C x U key owner", &m), LF_PROTO_BADNUM);
    assert_int_equal(parse("C 1 Z key owner", &m), LF_PROTO_ARGS);
}

static void
malformed_lines(void **state)
{
    struct lf_msg m;
    char big[LF_LINE_MAX + 2];
    char key[LF_KEY_MAX + 2];
    char line[600];
    const char nul[] = "LOCK a\0b c";

    assert_int_equal(parse("", &m), LF_PROTO_EMPTY);
    assert_int_equal(parse("lock a b", &m), LF_PROTO_UNKNOWN);
    assert_int_equal(parse("LOCK a", &m), LF_PROTO_ARGS);
    assert_int_equal(parse("LOCK a b X extra", &m), LF_PROTO_ARGS);
    assert_int_equal(parse("LOCK  a b", &m), LF_PROTO_BADCHAR);
    assert_int_equal(parse(" LOCK a b", &m), LF_PROTO_BADCHAR);
    assert_int_equal(parse("LOCK a b ", &m), LF_PROTO_BADCHAR);
    assert_int_equal(parse("LOCK a\tb c", &m), LF_PROTO_BADCHAR);
    assert_int_equal(parse("LOCK a b Q", &m), LF_PROTO_BADMODE);
    assert_int_equal(parse("LOCK \xc3\xa9 b", &m), LF_PROTO_BADCHAR);
    assert_int_equal(lf_proto_parse(nul, sizeof(nul) - 1, &m),
                     LF_PROTO_BADCHAR);
    assert_int_equal(parse("A B C D E F G H", &m), LF_PROTO_ARGS);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(parse(big, &m), LF_PROTO_TOOLONG);
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    snprintf(line, sizeof(line), "LOCK %s owner", key);
    assert_int_equal(parse(line, &m), LF_PROTO_BADKEY);
    key[LF_KEY_MAX] = '\0';
    snprintf(line, sizeof(line), "LOCK %s owner", key);
    assert_int_equal(parse(line, &m), LF_PROTO_OK);
    assert_string_equal(lf_proto_err_code(LF_PROTO_TOOLONG), "TOOLONG");
    assert_string_equal(lf_proto_err_code(LF_PROTO_BADKEY), "SYNTAX");
}

/* FIPS 180-2 and RFC 4231 test vectors. */
static void
sha256_vectors(void **state)
{
    struct lf_sha256 ctx;
    uint8_t out[LF_SHA256_LEN];
    char hex[2 * LF_SHA256_LEN + 1];
    uint8_t key[20];

    lf_sha256_init(&ctx);
    lf_sha256_update(&ctx, "abc", 3);
    lf_sha256_final(&ctx, out);
    lf_hex(out, sizeof(out), hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
                             "b00361a396177a9cb410ff61f20015ad");
    lf_sha256_init(&ctx);
    lf_sha256_update(
        &ctx, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56);
    lf_sha256_final(&ctx, out);
    lf_hex(out, sizeof(out), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039"
                             "a33ce45964ff2167f6ecedd419db06c1");
    memset(key, 0x0b, sizeof(key));
    lf_hmac_sha256(key, sizeof(key), "Hi There", 8, out);
    lf_hex(out, sizeof(out), hex);
    assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b"
                             "881dc200c9833da726e9376c2e32cff7");
    lf_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, out);
    lf_hex(out, sizeof(out), hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c7"
                             "5a003f089d2739839dec58b964ec3843");
}

static void
stat_fields(void **state)
{
    const char *reply = "OK instance=ERS10 locks=12 replica=in-sync "
                        "generation=3 adopted=12";
    char out[16];

    (void)state;
    assert_true(lf_proto_stat_field(reply, "locks", out, sizeof(out)));
    assert_string_equal(out, "12");
    assert_true(lf_proto_stat_field(reply, "replica", out, sizeof(out)));
    assert_string_equal(out, "in-sync");
    assert_true(lf_proto_stat_field(reply, "adopted", out, sizeof(out)));
    assert_string_equal(out, "12");
    /* "locks" must not match inside another name, nor the first word. */
    assert_false(lf_proto_stat_field("OK xlocks=1", "locks", out, 16));
    assert_string_equal(out, "?");
    assert_false(lf_proto_stat_field(reply, "OK", out, sizeof(out)));
    /* A value longer than the buffer is cut, never overruns it. */
    assert_true(lf_proto_stat_field(reply, "instance", out, 4));
    assert_string_equal(out, "ERS");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(client_requests),
        cmocka_unit_test(replication_messages),
        cmocka_unit_test(malformed_lines),
        cmocka_unit_test(sha256_vectors),
        cmocka_unit_test(stat_fields),
    };

    return cmocka_run_group_tests_name("lf_proto", tests, NULL, NULL);
}

/* Unit tests for lib/lf_secret.c, on real files in a temporary directory. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_secret.h"
#include "unit_tmpdir.h"

static char tmpdir[] = "/tmp/lf_secret_test.XXXXXX";

static int
setup(void **state)
{
    (void)state;
    return unit_tmpdir_make(tmpdir);
}

static int
teardown(void **state)
{
    (void)state;
    return unit_tmpdir_remove(tmpdir);
}

/* Write len bytes of data to tmpdir/name with mode; the path in path. */
static void
put(const char *name, const void *data, size_t len, mode_t mode, char *path,
    size_t size)
{
    int fd;

    snprintf(path, size, "%s/%s", tmpdir, name);
    (void)unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, mode), 0);
    assert_int_equal(close(fd), 0);
}

static int
load(const char *path, struct lf_secret *secret, const char **why)
{
    memset(secret, 0xa5, sizeof(*secret));
    *why = NULL;
    return lf_secret_load(path, secret, why);
}

static void
master_secret_loses_one_trailing_newline(void **state)
{
    struct lf_secret s;
    const char *why;
    char path[PATH_MAX];

    (void)state;
    put("plain", "0123456789abcdef", 16, 0600, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), 0);
    assert_int_equal(s.len, 16);
    assert_false(s.client_only);
    assert_memory_equal(s.data, "0123456789abcdef", 16);

    put("newline", "0123456789abcdef\n", 17, 0640, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), 0);
    assert_int_equal(s.len, 16);
    assert_memory_equal(s.data, "0123456789abcdef", 16);

    /* Only one: the second newline is part of the secret. */
    put("two", "0123456789abcdef\n\n", 18, 0600, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), 0);
    assert_int_equal(s.len, 17);
    assert_memory_equal(s.data, "0123456789abcdef\n", 17);

    /* Any byte goes, NUL included. */
    put("binary", "\0\1\2\3\4\5\6\7\10\11\12\13\14\15\16\17\377", 17, 0600,
        path, sizeof(path));
    assert_int_equal(load(path, &s, &why), 0);
    assert_int_equal(s.len, 17);
    assert_memory_equal(s.data, "\0\1\2\3\4\5\6\7\10\11\12\13\14\15\16\17\377",
                        17);
}

static void
length_is_16_to_1024_bytes(void **state)
{
    static char big[LF_SECRET_MAX + 2];
    struct lf_secret s;
    const char *why;
    char path[PATH_MAX];

    (void)state;
    memset(big, 'x', sizeof(big));
    put("short", big, 15, 0600, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), EINVAL);
    assert_non_null(strstr(why, "16 to 1024"));

    /* 15 bytes and the newline are still 15. */
    big[15] = '\n';
    put("short-nl", big, 16, 0600, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), EINVAL);
    big[15] = 'x';

    put("empty", big, 0, 0600, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), EINVAL);

    put("max", big, LF_SECRET_MAX, 0600, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), 0);
    assert_int_equal(s.len, LF_SECRET_MAX);

    big[LF_SECRET_MAX] = '\n';
    put("max-nl", big, LF_SECRET_MAX + 1, 0600, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), 0);
    assert_int_equal(s.len, LF_SECRET_MAX);
    big[LF_SECRET_MAX] = 'x';

    put("over", big, LF_SECRET_MAX + 1, 0600, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), EINVAL);
    assert_non_null(strstr(why, "16 to 1024"));

    /* Far too long: not cut down to a valid length. */
    {
        static char huge[8192];

        memset(huge, 'y', sizeof(huge));
        put("huge", huge, sizeof(huge), 0600, path, sizeof(path));
        assert_int_equal(load(path, &s, &why), EINVAL);
    }
}

static void
client_credential_gives_the_client_key(void **state)
{
    const char *text = LF_SECRET_CLIENT_WORD
        " 00010203040506070809a0b0c0d0e0f0ff112233445566778899aabbccddeeff\n";
    const unsigned char key[32] = {
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0xa0,
        0xb0, 0xc0, 0xd0, 0xe0, 0xf0, 0xff, 0x11, 0x22, 0x33, 0x44, 0x55,
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    struct lf_secret s;
    const char *why;
    char path[PATH_MAX];

    (void)state;
    put("client", text, strlen(text), 0600, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), 0);
    assert_true(s.client_only);
    assert_int_equal(s.len, 32);
    assert_memory_equal(s.data, key, 32);

    /* Without the newline too. */
    put("client-nonl", text, strlen(text) - 1, 0600, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), 0);
    assert_true(s.client_only);
    assert_memory_equal(s.data, key, 32);
}

static void
bad_client_credential_is_refused(void **state)
{
    struct lf_secret s;
    const char *why;
    char path[PATH_MAX];
    char text[128];

    (void)state;
    /* Upper-case and non-hex digits. */
    snprintf(
        text, sizeof(text), "%s %s", LF_SECRET_CLIENT_WORD,
        "00010203040506070809A0B0C0D0E0F0ff112233445566778899aabbccddeeff");
    put("upper", text, strlen(text), 0600, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), EINVAL);
    assert_non_null(strstr(why, "64 lower-case hex digits"));

    snprintf(
        text, sizeof(text), "%s %s", LF_SECRET_CLIENT_WORD,
        "000102030405060708090a0b0c0d0e0fff112233445566778899aabbccddeefg");
    put("nonhex", text, strlen(text), 0600, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), EINVAL);

    /* Another length is no credential: the whole text is a master
     * secret then, which a server's own secret does not match. */
    snprintf(text, sizeof(text), "%s %s", LF_SECRET_CLIENT_WORD,
             "000102030405060708090a0b0c0d0e0fff112233445566778899aabbccddeef");
    put("short", text, strlen(text), 0600, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), 0);
    assert_false(s.client_only);
    assert_int_equal(s.len, strlen(text));
}

static void
file_open_to_others_is_refused(void **state)
{
    static const mode_t refused[] = {0604, 0602, 0601, 0644, 0666};
    struct lf_secret s;
    const char *why;
    char path[PATH_MAX];

    (void)state;
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        put("open", "0123456789abcdef", 16, refused[i], path, sizeof(path));
        assert_int_equal(load(path, &s, &why), EPERM);
        assert_non_null(strstr(why, "must not be accessible to others"));
    }
    /* The group may read it. */
    put("group", "0123456789abcdef", 16, 0640, path, sizeof(path));
    assert_int_equal(load(path, &s, &why), 0);
}

static void
missing_or_odd_file_is_refused(void **state)
{
    struct lf_secret s;
    const char *why;
    char path[PATH_MAX];

    (void)state;
    snprintf(path, sizeof(path), "%s/none", tmpdir);
    assert_int_equal(load(path, &s, &why), ENOENT);
    assert_string_equal(why, "cannot open the secret file");

    snprintf(path, sizeof(path), "%s/dir", tmpdir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(load(path, &s, &why), EINVAL);
    assert_string_equal(why, "the secret file is not a regular file");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(master_secret_loses_one_trailing_newline),
        cmocka_unit_test(length_is_16_to_1024_bytes),
        cmocka_unit_test(client_credential_gives_the_client_key),
        cmocka_unit_test(bad_client_credential_is_refused),
        cmocka_unit_test(file_open_to_others_is_refused),
        cmocka_unit_test(missing_or_odd_file_is_refused),
    };

    return cmocka_run_group_tests_name("lf_secret", tests, setup, teardown);
}

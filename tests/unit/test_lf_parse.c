/* Unit tests for lib/lf_parse.c and lib/lf_rc.c. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lf_parse.h"
#include "lf_rc.h"

static void
long_accepts_in_range(void **state)
{
    long long v = 0;

    assert_int_equal(lf_parse_long("42", 0, 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(lf_parse_long("-5", -10, 10, &v), 0);
    assert_int_equal(v, -5);
    assert_int_equal(lf_parse_long("100", 0, 100, &v), 0);
    assert_int_equal(v, 100);
}

static void
long_rejects_garbage_and_range(void **state)
{
    long long v = 7;

    assert_int_equal(lf_parse_long("", 0, 10, &v), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_long(NULL, 0, 10, &v), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_long(" 1", 0, 10, &v), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_long("1 ", 0, 10, &v), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_long("1x", 0, 10, &v), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_long("0x10", 0, 100, &v), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_long("11", 0, 10, &v), LF_ERR_RANGE);
    assert_int_equal(lf_parse_long("-1", 0, 10, &v), LF_ERR_RANGE);
    assert_int_equal(lf_parse_long("99999999999999999999", 0, 10, &v),
                     LF_ERR_RANGE);
    assert_int_equal(v, 7); /* untouched on error */
}

static void
port_range(void **state)
{
    uint16_t p = 0;

    assert_int_equal(lf_parse_port("3200", &p), 0);
    assert_int_equal(p, 3200);
    assert_int_equal(lf_parse_port("65535", &p), 0);
    assert_int_equal(lf_parse_port("0", &p), LF_ERR_RANGE);
    assert_int_equal(lf_parse_port("65536", &p), LF_ERR_RANGE);
    assert_int_equal(lf_parse_port("http", &p), LF_ERR_SYNTAX);
}

static void
bool_pacemaker_words(void **state)
{
    bool b = false;

    assert_int_equal(lf_parse_bool("YES", &b), 0);
    assert_true(b);
    assert_int_equal(lf_parse_bool("on", &b), 0);
    assert_true(b);
    assert_int_equal(lf_parse_bool("0", &b), 0);
    assert_false(b);
    assert_int_equal(lf_parse_bool("False", &b), 0);
    assert_false(b);
    assert_int_equal(lf_parse_bool("maybe", &b), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_bool("", &b), LF_ERR_SYNTAX);
}

static void
duration_units(void **state)
{
    long long ms = 0;

    assert_int_equal(lf_parse_duration_ms("20", &ms), 0);
    assert_int_equal(ms, 20000);
    assert_int_equal(lf_parse_duration_ms("20s", &ms), 0);
    assert_int_equal(ms, 20000);
    assert_int_equal(lf_parse_duration_ms("500ms", &ms), 0);
    assert_int_equal(ms, 500);
    assert_int_equal(lf_parse_duration_ms("2min", &ms), 0);
    assert_int_equal(ms, 120000);
    assert_int_equal(lf_parse_duration_ms("1h", &ms), 0);
    assert_int_equal(ms, 3600000);
    assert_int_equal(lf_parse_duration_ms("1500us", &ms), 0);
    assert_int_equal(ms, 1);
    assert_int_equal(lf_parse_duration_ms("-1s", &ms), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_duration_ms("5 s", &ms), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_duration_ms("5days", &ms), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_duration_ms("99999999999999999999", &ms),
                     LF_ERR_RANGE);
}

static void
names(void **state)
{
    assert_int_equal(lf_parse_name("ERS10", 32), 0);
    assert_int_equal(lf_parse_name("a.b_c-d", 32), 0);
    assert_int_equal(lf_parse_name("", 32), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_name(".hidden", 32), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_name("-opt", 32), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_name("a/b", 32), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_name("a b", 32), LF_ERR_SYNTAX);
    assert_int_equal(lf_parse_name("abcdef", 5), LF_ERR_TOOLONG);
}

static void
strlcpy_truncation(void **state)
{
    char buf[4];

    assert_int_equal(lf_strlcpy(buf, "abc", sizeof(buf)), 0);
    assert_string_equal(buf, "abc");
    assert_int_equal(lf_strlcpy(buf, "abcd", sizeof(buf)), LF_ERR_TOOLONG);
    assert_string_equal(buf, "abc");
    assert_int_equal(lf_strlcpy(buf, "x", 0), LF_ERR_TOOLONG);
}

static void
rc_strings(void **state)
{
    assert_string_equal(lf_rc_str(0), "OK");
    assert_string_equal(lf_rc_str(LF_ERR_TIMEOUT), "timed out");
    assert_string_equal(lf_rc_str(ENOENT), strerror(ENOENT));
    assert_string_equal(lf_rc_str(-99999), "unknown error");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(long_accepts_in_range),
        cmocka_unit_test(long_rejects_garbage_and_range),
        cmocka_unit_test(port_range),
        cmocka_unit_test(bool_pacemaker_words),
        cmocka_unit_test(duration_units),
        cmocka_unit_test(names),
        cmocka_unit_test(strlcpy_truncation),
        cmocka_unit_test(rc_strings),
    };

    return cmocka_run_group_tests_name("lf_parse", tests, NULL, NULL);
}

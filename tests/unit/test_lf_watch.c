/* Unit tests for lib/lf_watch.c: the arm record and the watcher's
 * decision. */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_rc.h"
#include "lf_watch.h"
#include "unit_tmpdir.h"

static char tmpdir[] = "/tmp/lf_watch_test.XXXXXX";

static int
setup(void **state)
{
    return unit_tmpdir_make(tmpdir);
}

static int
teardown(void **state)
{
    return unit_tmpdir_remove(tmpdir);
}

static void
format_and_parse(void **state)
{
    struct lf_watch_arm arm = {4242, 123456789ULL, LF_WATCH_ARMED};
    struct lf_watch_arm back;
    char buf[96];
    size_t len = 0;

    assert_int_equal(lf_watch_format(&arm, buf, sizeof(buf), &len), 0);
    assert_int_equal(len, strlen("4242 123456789 armed\n"));
    assert_string_equal(buf, "4242 123456789 armed\n");
    assert_int_equal(lf_watch_parse(buf, &back), 0);
    assert_true(lf_watch_same_server(&arm, &back));
    assert_int_equal(back.state, LF_WATCH_ARMED);

    arm.state = LF_WATCH_REPORTED;
    assert_int_equal(lf_watch_format(&arm, buf, sizeof(buf), &len), 0);
    assert_string_equal(buf, "4242 123456789 reported\n");
    assert_int_equal(lf_watch_parse("4242 123456789 reported", &back), 0);
    assert_int_equal(back.state, LF_WATCH_REPORTED);
    /* Too small a buffer is refused, not truncated. */
    assert_int_equal(lf_watch_format(&arm, buf, 10, &len), LF_ERR_TOOLONG);
}

static void
parse_rejects_garbage(void **state)
{
    static const char *const bad[] = {
        "",
        "armed",
        "4242 armed",
        "4242 12",
        "0 12 armed",
        "-1 12 armed",
        "4242 -12 armed",
        "4242 12 disarmed",
        "4242 12 armed extra",
        "4242x 12 armed",
        "4242 12x armed",
        "99999999999 12 armed",
    };
    struct lf_watch_arm arm;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(lf_watch_parse(bad[i], &arm), LF_ERR_SYNTAX);
    }
}

static void
write_and_read(void **state)
{
    struct lf_watch_arm arm = {77, 5, LF_WATCH_ARMED};
    struct lf_watch_arm back;
    char path[PATH_MAX];
    FILE *f;

    snprintf(path, sizeof(path), "%s/rsc.watch", tmpdir);
    assert_int_equal(lf_watch_read(path, &back), ENOENT);
    assert_int_equal(lf_watch_write(path, &arm), 0);
    assert_int_equal(lf_watch_read(path, &back), 0);
    assert_true(lf_watch_same_server(&arm, &back));
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("not a record\n", f);
    fclose(f);
    assert_int_equal(lf_watch_read(path, &back), LF_ERR_SYNTAX);
    unlink(path);
}

/* Report only while the record names the very process as armed. */
static void
decision(void **state)
{
    const struct lf_watch_arm watched = {100, 900, LF_WATCH_ARMED};
    struct lf_watch_arm now = watched;

    assert_true(lf_watch_should_report(&watched, 0, &now));
    /* The agent's stop deleted it (or it cannot be read). */
    assert_false(lf_watch_should_report(&watched, ENOENT, &now));
    assert_false(lf_watch_should_report(&watched, LF_ERR_SYNTAX, &now));
    /* Reported already (by another watcher of the same server). */
    now.state = LF_WATCH_REPORTED;
    assert_false(lf_watch_should_report(&watched, 0, &now));
    /* Re-armed for another server: a new start, or the pid reused. */
    now.state = LF_WATCH_ARMED;
    now.pid = 101;
    assert_false(lf_watch_should_report(&watched, 0, &now));
    now.pid = 100;
    now.start = 901;
    assert_false(lf_watch_should_report(&watched, 0, &now));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_and_parse),
        cmocka_unit_test(parse_rejects_garbage),
        cmocka_unit_test(write_and_read),
        cmocka_unit_test(decision),
    };

    return cmocka_run_group_tests_name("lf_watch", tests, setup, teardown);
}

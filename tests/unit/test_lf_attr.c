/*
 * Unit tests for lib/lf_attr.c: reading attrd_updater's query output, and
 * the cache file that spares a run of attrd_updater. The tests that run
 * attrd_updater do so in a network namespace of their own, where no attrd
 * can be reached: what they check is what happens when it fails.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_attr.h"
#include "lf_file.h"
#include "unit_tmpdir.h"

#define NAME "lf-unit-test-attribute"

static char tmpdir[] = "/tmp/lf_attr_test.XXXXXX";
static char cache[PATH_MAX];
static bool no_attrd; /* attrd_updater cannot reach any attrd */

static int
setup(void **state)
{
    (void)state;
    if (mkdtemp(tmpdir) == NULL) {
        return -1;
    }
    snprintf(cache, sizeof(cache), "%s/cache", tmpdir);
    /* Pacemaker's IPC uses abstract sockets, which belong to a network
     * namespace: none is reachable from a new one. */
    no_attrd = (geteuid() == 0 && unshare(CLONE_NEWNET) == 0);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    return unit_tmpdir_remove(tmpdir);
}

static void
put_cache(const char *text)
{
    assert_int_equal(lf_file_write_atomic(cache, text, strlen(text), 0644), 0);
}

static void
cache_content(char *buf, size_t size)
{
    assert_int_equal(lf_file_read_small(cache, buf, size), 0);
}

/* The cache says the value is set: attrd_updater is not run (it would
 * fail here). */
static void
cached_value_is_not_set_again(void **state)
{
    char buf[64];

    (void)state;
    if (!no_attrd) {
        skip();
    }
    put_cache("in-sync");
    assert_int_equal(lf_attr_set(NAME, "in-sync", cache, false), 0);
    /* Written with a newline by hand: the same value. */
    put_cache("in-sync\n");
    assert_int_equal(lf_attr_set(NAME, "in-sync", cache, false), 0);
    cache_content(buf, sizeof(buf));
    assert_string_equal(buf, "in-sync");
}

/* Another value, force, no cache: attrd_updater runs; when it fails, the
 * failure is returned and the cache keeps the value attrd still has. */
static void
failed_update_keeps_the_cache(void **state)
{
    char buf[64];

    (void)state;
    if (!no_attrd) {
        skip();
    }
    put_cache("in-sync");
    assert_int_not_equal(lf_attr_set(NAME, "lost", cache, false), 0);
    cache_content(buf, sizeof(buf));
    assert_string_equal(buf, "in-sync");
    assert_int_not_equal(lf_attr_set(NAME, "in-sync", cache, true), 0);
    assert_int_not_equal(lf_attr_set(NAME, "in-sync", NULL, false), 0);
    /* A prefix is not the value. */
    assert_int_not_equal(lf_attr_set(NAME, "in-syn", cache, false), 0);
}

/* The cache goes with the attribute, even when attrd_updater fails: a
 * stale cache would keep a later set from reaching attrd. */
static void
delete_removes_the_cache(void **state)
{
    struct stat st;

    (void)state;
    if (!no_attrd) {
        skip();
    }
    put_cache("in-sync");
    assert_int_not_equal(lf_attr_delete(NAME, cache), 0);
    assert_int_equal(stat(cache, &st), -1);
    assert_int_equal(errno, ENOENT);
}

static void
count_hosts(const char *host, const char *value, void *arg)
{
    (void)host;
    (void)value;
    (*(int *)arg)++;
}

static void
failed_query_is_an_error(void **state)
{
    int calls = 0;

    (void)state;
    if (!no_attrd) {
        skip();
    }
    assert_int_equal(lf_attr_query_all(NAME, count_hosts, &calls), EIO);
    assert_int_equal(calls, 0);
}

static void
parses_query_lines(void **state)
{
    char host[32];
    char value[32];

    assert_true(lf_attr_parse_line(
        "name=\"leapfrog-T1-replica\" host=\"node2\" value=\"in-sync\"\n", host,
        sizeof(host), value, sizeof(value)));
    assert_string_equal(host, "node2");
    assert_string_equal(value, "in-sync");
    /* A deleted attribute reads as an empty value. */
    assert_true(lf_attr_parse_line("name=\"a\" host=\"node1\" value=\"\"", host,
                                   sizeof(host), value, sizeof(value)));
    assert_string_equal(value, "");
}

static void
refuses_other_lines(void **state)
{
    char host[8];
    char value[32];

    assert_false(lf_attr_parse_line("Could not connect to attrd", host,
                                    sizeof(host), value, sizeof(value)));
    assert_false(lf_attr_parse_line("name=\"a\" host=\"node1\"", host,
                                    sizeof(host), value, sizeof(value)));
    /* An unterminated or oversized field is not taken. */
    assert_false(lf_attr_parse_line("host=\"node1 value=\"x\"", host,
                                    sizeof(host), value, sizeof(value)));
    assert_false(lf_attr_parse_line("host=\"a-very-long-node-name\" "
                                    "value=\"x\"",
                                    host, sizeof(host), value, sizeof(value)));
    /* "xhost=" is not "host=". */
    assert_false(lf_attr_parse_line("xhost=\"n\" value=\"x\"", host,
                                    sizeof(host), value, sizeof(value)));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_query_lines),
        cmocka_unit_test(refuses_other_lines),
        cmocka_unit_test(cached_value_is_not_set_again),
        cmocka_unit_test(failed_update_keeps_the_cache),
        cmocka_unit_test(delete_removes_the_cache),
        cmocka_unit_test(failed_query_is_an_error),
    };

    return cmocka_run_group_tests_name("lf_attr", tests, setup, teardown);
}

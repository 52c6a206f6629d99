/* Unit tests for lib/lf_attr.c: reading attrd_updater's query output. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lf_attr.h"

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
    };

    return cmocka_run_group_tests_name("lf_attr", tests, NULL, NULL);
}

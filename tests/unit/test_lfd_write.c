/* Unit tests for helper/lfd_write.c: the changes are written in order,
 * and after a pair's first failed write none of its later changes is. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lfd_write.h"

/* The fake CIB: refuses the writes of one id, and records what it was
 * asked to write and what was reported, one letter per outcome. */
struct fake {
    const char *refuse;
    char written[256];
    char reported[256];
};

static int
fake_write(void *arg, const struct lfd_change *c)
{
    struct fake *f = arg;

    strcat(f->written, c->id);
    strcat(f->written, " ");
    return (f->refuse != NULL && strcmp(c->id, f->refuse) == 0) ? EIO : 0;
}

static void
fake_report(void *arg, const struct lfd_change *c, enum lfd_write how, int rc)
{
    static const char *const letter[] = {
        [LFD_WRITTEN] = "w",
        [LFD_WRITE_FAILED] = "f",
        [LFD_WRITE_SKIPPED] = "s",
    };
    struct fake *f = arg;

    assert_int_equal(rc, how == LFD_WRITE_FAILED ? EIO : 0);
    strcat(f->reported, c->id);
    strcat(f->reported, letter[how]);
    strcat(f->reported, " ");
}

/* Two pairs' changes, interleaved as the order of kinds puts them. */
static struct lfd_change changes[] = {
    {.op = LFD_REPLACE, .pair = (char *)"A", .id = (char *)"a-meta"},
    {.op = LFD_REPLACE, .pair = (char *)"B", .id = (char *)"b-meta"},
    {.op = LFD_CREATE, .pair = (char *)"A", .id = (char *)"a-follow"},
    {.op = LFD_CREATE, .pair = (char *)"B", .id = (char *)"b-follow"},
    {.op = LFD_DELETE, .pair = (char *)"A", .id = (char *)"a-yield"},
};

static size_t
run(struct fake *f)
{
    struct lfd_result r;

    memset(&r, 0, sizeof(r));
    r.settled = true;
    r.changes = changes;
    r.nchanges = sizeof(changes) / sizeof(changes[0]);
    for (size_t i = 0; i < r.nchanges; i++) {
        changes[i].failed = false;
    }
    return lfd_write_changes(&r, fake_write, fake_report, f);
}

static void
all_written_in_order(void **state)
{
    struct fake f = {0};

    (void)state;
    assert_int_equal(run(&f), 0);
    assert_string_equal(f.written, "a-meta b-meta a-follow b-follow a-yield ");
    assert_string_equal(f.reported,
                        "a-metaw b-metaw a-followw b-followw a-yieldw ");
}

static void
a_failed_write_stops_its_pair_only(void **state)
{
    struct fake f = {.refuse = "a-meta"};

    (void)state;
    assert_int_equal(run(&f), 3);
    /* A's follow location is not written without its stickiness. */
    assert_string_equal(f.written, "a-meta b-meta b-follow ");
    assert_string_equal(f.reported,
                        "a-metaf b-metaw a-follows b-followw a-yields ");
    assert_true(changes[0].failed);
    assert_false(changes[1].failed);
    assert_false(changes[2].failed);
}

static void
a_later_failure_leaves_what_came_before(void **state)
{
    struct fake f = {.refuse = "a-follow"};

    (void)state;
    assert_int_equal(run(&f), 2);
    assert_string_equal(f.written, "a-meta b-meta a-follow b-follow ");
    assert_string_equal(f.reported,
                        "a-metaw b-metaw a-followf b-followw a-yields ");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_written_in_order),
        cmocka_unit_test(a_failed_write_stops_its_pair_only),
        cmocka_unit_test(a_later_failure_leaves_what_came_before),
    };

    return cmocka_run_group_tests_name("lfd_write", tests, NULL, NULL);
}

/* Unit tests for lib/lf_table.c. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lf_table.h"

/* calloc() fails while fail_calloc is set (the test links with
 * -Wl,--wrap=calloc). */
static bool fail_calloc;
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);

void *
__wrap_calloc(size_t n, size_t size)
{
    if (fail_calloc) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_calloc(n, size);
}

/* lf_table_lock() that must not fail: its outcome. */
static enum lf_table_outcome
lock(struct lf_table *t, const char *key, const char *owner,
     enum lf_lock_mode mode, uint32_t tag, const char **holder)
{
    enum lf_table_outcome outcome = LF_TABLE_NOT_HELD;

    assert_int_equal(lf_table_lock(t, key, owner, mode, tag, &outcome, holder),
                     0);
    return outcome;
}

static void
exclusive_conflicts(void **state)
{
    struct lf_table *t = lf_table_new(0);
    const char *holder = NULL;

    assert_int_equal(lock(t, "k", "alice", LF_MODE_EXCLUSIVE, 0, &holder),
                     LF_TABLE_GRANTED);
    assert_int_equal(lock(t, "k", "alice", LF_MODE_EXCLUSIVE, 0, &holder),
                     LF_TABLE_HELD);
    assert_int_equal(lock(t, "k", "bob", LF_MODE_EXCLUSIVE, 0, &holder),
                     LF_TABLE_CONFLICT);
    assert_string_equal(holder, "alice");
    assert_int_equal(lock(t, "k", "bob", LF_MODE_SHARED, 0, &holder),
                     LF_TABLE_CONFLICT);
    assert_int_equal(lf_table_count(t), 1);
    lf_table_free(t);
}

static void
shared_holders(void **state)
{
    struct lf_table *t = lf_table_new(0);
    const char *holder = NULL;

    assert_int_equal(lock(t, "k", "a", LF_MODE_SHARED, 0, NULL),
                     LF_TABLE_GRANTED);
    assert_int_equal(lock(t, "k", "b", LF_MODE_SHARED, 0, NULL),
                     LF_TABLE_GRANTED);
    assert_int_equal(lock(t, "k", "c", LF_MODE_EXCLUSIVE, 0, &holder),
                     LF_TABLE_CONFLICT);
    /* A shared holder cannot turn its hold exclusive while others share. */
    assert_int_equal(lock(t, "k", "a", LF_MODE_EXCLUSIVE, 0, &holder),
                     LF_TABLE_CONFLICT);
    assert_string_equal(holder, "b");
    assert_int_equal(lf_table_count(t), 2);
    assert_int_equal(lf_table_unlock(t, "k", "a", NULL), LF_TABLE_RELEASED);
    assert_int_equal(lf_table_unlock(t, "k", "a", NULL), LF_TABLE_NOT_HELD);
    assert_int_equal(lf_table_unlock(t, "k", "b", NULL), LF_TABLE_RELEASED);
    assert_int_equal(lf_table_count(t), 0);
    /* The key is free again. */
    assert_int_equal(lock(t, "k", "c", LF_MODE_EXCLUSIVE, 0, NULL),
                     LF_TABLE_GRANTED);
    lf_table_free(t);
}

static void
tags_come_back(void **state)
{
    struct lf_table *t = lf_table_new(0);
    uint32_t tag = 0;

    assert_int_equal(lock(t, "k", "a", LF_MODE_SHARED, 41, NULL),
                     LF_TABLE_GRANTED);
    assert_int_equal(lock(t, "k", "b", LF_MODE_SHARED, 42, NULL),
                     LF_TABLE_GRANTED);
    assert_int_equal(lf_table_unlock(t, "k", "b", &tag), LF_TABLE_RELEASED);
    assert_int_equal(tag, 42);
    assert_int_equal(lf_table_unlock(t, "k", "a", &tag), LF_TABLE_RELEASED);
    assert_int_equal(tag, 41);
    lf_table_free(t);
}

static void
capacity_limit(void **state)
{
    struct lf_table *t = lf_table_new(2);

    assert_int_equal(lock(t, "a", "o", LF_MODE_EXCLUSIVE, 0, NULL),
                     LF_TABLE_GRANTED);
    assert_int_equal(lock(t, "b", "o", LF_MODE_SHARED, 0, NULL),
                     LF_TABLE_GRANTED);
    assert_int_equal(lock(t, "c", "o", LF_MODE_EXCLUSIVE, 0, NULL),
                     LF_TABLE_FULL);
    assert_int_equal(lock(t, "b", "p", LF_MODE_SHARED, 0, NULL), LF_TABLE_FULL);
    /* Re-taking a held lock is not a new hold. */
    assert_int_equal(lock(t, "a", "o", LF_MODE_EXCLUSIVE, 0, NULL),
                     LF_TABLE_HELD);
    lf_table_free(t);
}

static size_t seen;

static void
count_cb(const char *key, const char *owner, enum lf_lock_mode mode,
         uint32_t tag, void *arg)
{
    (void)key;
    (void)mode;
    (void)tag;
    if (arg == NULL || strcmp(owner, arg) == 0) {
        seen++;
    }
}

static void
many_keys_and_unlock_owner(void **state)
{
    struct lf_table *t = lf_table_new(0);
    char key[32];

    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof(key), "key%d", i);
        assert_int_equal(lock(t, key, (i % 3 == 0) ? "x" : "y",
                              LF_MODE_EXCLUSIVE, (uint32_t)i, NULL),
                         LF_TABLE_GRANTED);
    }
    assert_int_equal(lf_table_count(t), 20000);
    seen = 0;
    lf_table_foreach(t, count_cb, NULL);
    assert_int_equal(seen, 20000);
    seen = 0;
    assert_int_equal(lf_table_unlock_owner(t, "x", count_cb, "x"), 6667);
    assert_int_equal(seen, 6667);
    assert_int_equal(lf_table_count(t), 20000 - 6667);
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof(key), "key%d", i);
        assert_int_equal(lf_table_unlock(t, key, "x", NULL), LF_TABLE_NOT_HELD);
    }
    lf_table_clear(t);
    assert_int_equal(lf_table_count(t), 0);
    lf_table_free(t);
}

/* FNV-1a, the table's old unkeyed hash: keys chosen to share its low bits
 * all went to one bucket. */
static uint64_t
fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The keys a peer would send to flood one bucket of an unkeyed table, the
 * holders of one hot shared key, and an owner's UNLOCKALL in a large
 * table: each request looks at a few records, not at the table. */
static void
requests_cost_the_same_in_a_large_table(void **state)
{
    enum { KEYS = 2000, SHARERS = 5000, FILL = 20000 };
    struct lf_table *t = lf_table_new(0);
    char key[32];
    char owner[32];
    uint64_t before;
    int found = 0;

    (void)state;
    for (unsigned i = 0; found < KEYS; i++) {
        snprintf(key, sizeof(key), "flood%u", i);
        if ((fnv1a(key) & 0xfff) == 0) {
            assert_int_equal(lock(t, key, "o", LF_MODE_EXCLUSIVE, 0, NULL),
                             LF_TABLE_GRANTED);
            found++;
        }
    }
    before = lf_table_probes(t);
    assert_int_equal(lock(t, key, "p", LF_MODE_EXCLUSIVE, 0, NULL),
                     LF_TABLE_CONFLICT);
    assert_true(lf_table_probes(t) - before < 50);

    for (int i = 0; i < SHARERS; i++) {
        snprintf(owner, sizeof(owner), "sharer%d", i);
        assert_int_equal(lock(t, "hot", owner, LF_MODE_SHARED, 0, NULL),
                         LF_TABLE_GRANTED);
    }
    before = lf_table_probes(t);
    assert_int_equal(lock(t, "hot", "sharer1", LF_MODE_SHARED, 0, NULL),
                     LF_TABLE_HELD);
    assert_int_equal(lf_table_unlock(t, "hot", "sharer2", NULL),
                     LF_TABLE_RELEASED);
    assert_true(lf_table_probes(t) - before < 50);

    for (int i = 0; i < FILL; i++) {
        snprintf(key, sizeof(key), "fill%d", i);
        assert_int_equal(lock(t, key, "filler", LF_MODE_EXCLUSIVE, 0, NULL),
                         LF_TABLE_GRANTED);
    }
    assert_int_equal(lock(t, "mine", "lonely", LF_MODE_EXCLUSIVE, 0, NULL),
                     LF_TABLE_GRANTED);
    before = lf_table_probes(t);
    assert_int_equal(lf_table_unlock_owner(t, "lonely", NULL, NULL), 1);
    assert_int_equal(lf_table_unlock_owner(t, "nobody", NULL, NULL), 0);
    assert_true(lf_table_probes(t) - before < 50);
    assert_int_equal(lf_table_count(t), KEYS + SHARERS - 1 + FILL);
    lf_table_free(t);
}

/* Without memory a lock fails with ENOMEM, not as an outcome, and leaves
 * the table as it was: no half-made key or owner stays behind. */
static void
no_memory_is_a_failure(void **state)
{
    struct lf_table *t = lf_table_new(0);
    enum lf_table_outcome outcome = LF_TABLE_NOT_HELD;

    (void)state;
    assert_int_equal(lock(t, "k", "a", LF_MODE_SHARED, 0, NULL),
                     LF_TABLE_GRANTED);
    fail_calloc = true;
    assert_int_equal(
        lf_table_lock(t, "new", "a", LF_MODE_EXCLUSIVE, 0, &outcome, NULL),
        ENOMEM);
    assert_int_equal(
        lf_table_lock(t, "k", "b", LF_MODE_SHARED, 0, &outcome, NULL), ENOMEM);
    assert_int_equal(outcome, LF_TABLE_NOT_HELD);
    /* Outcomes that need no memory still come. */
    assert_int_equal(lock(t, "k", "a", LF_MODE_SHARED, 0, NULL), LF_TABLE_HELD);
    assert_int_equal(lock(t, "k", "b", LF_MODE_EXCLUSIVE, 0, NULL),
                     LF_TABLE_CONFLICT);
    fail_calloc = false;
    assert_int_equal(lf_table_count(t), 1);
    assert_int_equal(lf_table_unlock(t, "new", "a", NULL), LF_TABLE_NOT_HELD);
    assert_int_equal(lock(t, "new", "b", LF_MODE_EXCLUSIVE, 0, NULL),
                     LF_TABLE_GRANTED);
    assert_int_equal(lock(t, "k", "b", LF_MODE_SHARED, 0, NULL),
                     LF_TABLE_GRANTED);
    assert_int_equal(lf_table_count(t), 3);
    lf_table_free(t);
}

static void
outcomes_have_names(void **state)
{
    (void)state;
    assert_string_equal(lf_table_outcome_str(LF_TABLE_GRANTED), "granted");
    assert_string_equal(lf_table_outcome_str(LF_TABLE_CONFLICT),
                        "held by another owner");
    assert_string_equal(lf_table_outcome_str(LF_TABLE_RELEASED), "released");
    assert_string_equal(lf_table_outcome_str((enum lf_table_outcome)99),
                        "unknown outcome");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exclusive_conflicts),
        cmocka_unit_test(shared_holders),
        cmocka_unit_test(tags_come_back),
        cmocka_unit_test(capacity_limit),
        cmocka_unit_test(many_keys_and_unlock_owner),
        cmocka_unit_test(requests_cost_the_same_in_a_large_table),
        cmocka_unit_test(no_memory_is_a_failure),
        cmocka_unit_test(outcomes_have_names),
    };

    return cmocka_run_group_tests_name("lf_table", tests, NULL, NULL);
}

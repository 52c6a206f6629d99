/* Unit tests for lib/lf_log.c: format, threshold and context. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_log.h"

/* Run fn with stderr sent to a temporary file and return what it wrote. */
static char *
capture_stderr(void (*fn)(void))
{
    char path[] = "/tmp/lf_log_test.XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(STDERR_FILENO);
    char *text = calloc(1, 4096);
    FILE *f;

    assert_true(fd >= 0 && saved >= 0 && text != NULL);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    fn();
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    f = fopen(path, "r");
    assert_non_null(f);
    (void)!fread(text, 1, 4095, f);
    fclose(f);
    unlink(path);
    return text;
}

static void
log_levels(void)
{
    lf_log_init("lftest", LF_LOG_STDERR, LOG_DAEMON);
    lf_log_set_level(LOG_INFO);
    lf_err("disk %s failed", "sda");
    lf_info("info line");
    lf_debug("hidden debug line");
}

static void
format_and_threshold(void **state)
{
    char *out = capture_stderr(log_levels);
    char expect[128];

    snprintf(expect, sizeof(expect), "lftest[%ld]: ERROR: disk sda failed\n",
             (long)getpid());
    assert_non_null(strstr(out, expect));
    assert_non_null(strstr(out, ": info: info line\n"));
    assert_null(strstr(out, "hidden"));
    free(out);
}

static void
log_with_context(void)
{
    lf_log_init("lftest", LF_LOG_STDERR, LOG_DAEMON);
    lf_log_set_context("instance ERS10: ");
    lf_warn("replica lost");
    lf_log_set_context(NULL);
    lf_warn("plain");
}

static void
context_prefix(void **state)
{
    char *out = capture_stderr(log_with_context);

    assert_non_null(strstr(out, "WARNING: instance ERS10: replica lost\n"));
    assert_non_null(strstr(out, "WARNING: plain\n"));
    free(out);
}

static void
debug_from_env(void **state)
{
    lf_log_set_level(LOG_INFO);
    setenv("HA_debug", "0", 1);
    lf_log_level_from_env();
    assert_int_equal(lf_log_level(), LOG_INFO);
    setenv("HA_debug", "1", 1);
    lf_log_level_from_env();
    assert_int_equal(lf_log_level(), LOG_DEBUG);
    unsetenv("HA_debug");
}

static void
log_nothing_when_no_dest(void)
{
    lf_log_init("lftest", 0, LOG_DAEMON);
    lf_err("must not appear");
}

static void
no_destination(void **state)
{
    char *out = capture_stderr(log_nothing_when_no_dest);

    assert_string_equal(out, "");
    free(out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_and_threshold),
        cmocka_unit_test(context_prefix),
        cmocka_unit_test(debug_from_env),
        cmocka_unit_test(no_destination),
    };

    return cmocka_run_group_tests_name("lf_log", tests, NULL, NULL);
}

/* Unit tests for agents/agent_util.c: the server's command line that an
 * agent builds never loses an argument silently. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent_util.h"
#include "lf_proc.h"
#include "lf_rc.h"

enum { P_BINARY, P_RUNDIR, P_OPTIONS, NPARAMS };

static const struct lf_ocf_param params[NPARAMS] = {
    [P_BINARY] = {.name = "binary", .type = LF_OCF_STRING},
    [P_RUNDIR] = {.name = "rundir", .type = LF_OCF_STRING},
    [P_OPTIONS] = {.name = "options", .type = LF_OCF_STRING},
};

static const struct lf_ocf_agent agent = {
    .name = "test",
    .params = params,
    .nparams = NPARAMS,
};

struct fixture {
    char dir[64];
    char rundir[96];
    struct lf_ocf_ctx ctx;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL) {
        return -1;
    }
    snprintf(f->dir, sizeof(f->dir), "/tmp/lfut-cmd-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    /* Not made yet: agent_start() makes it only once it gets that far. */
    snprintf(f->rundir, sizeof(f->rundir), "%s/run", f->dir);
    f->ctx.agent = &agent;
    f->ctx.action = "start";
    f->ctx.rsc = "t1";
    f->ctx.timeout_ms = 20000;
    f->ctx.started_ms = lf_now_ms();
    /* Nothing may ever run it: a start that got that far fails otherwise. */
    f->ctx.values[P_BINARY] = "/nonexistent/lf-test-server";
    f->ctx.values[P_RUNDIR] = f->rundir;
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    (void)rmdir(f->rundir);
    (void)rmdir(f->dir);
    free(f);
    return 0;
}

static int
validate_ok(struct lf_ocf_ctx *ctx)
{
    (void)ctx;
    return PCMK_OCF_OK;
}

static bool
exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

/* agent_start() with stderr (where the exit reason goes) in reason. */
static int
start_capturing(struct fixture *f, struct agent_cmd *cmd, char *reason,
                size_t size)
{
    FILE *out = tmpfile();
    int saved = dup(STDERR_FILENO);
    size_t n;
    int rc;

    assert_non_null(out);
    assert_true(saved >= 0);
    fflush(stderr);
    assert_true(dup2(fileno(out), STDERR_FILENO) >= 0);
    rc = agent_start(&f->ctx, cmd, validate_ok, NULL);
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    rewind(out);
    n = fread(reason, 1, size - 1, out);
    reason[n] = '\0';
    fclose(out);
    return rc;
}

static void
arguments_fit_up_to_the_last_slot(void **state)
{
    struct fixture *f = *state;
    struct agent_cmd cmd;
    char pidfile[128];

    agent_cmd_init(&cmd, &f->ctx);
    snprintf(pidfile, sizeof(pidfile), "%s/t1.pid", f->rundir);
    assert_int_equal(cmd.argc, 3);
    assert_string_equal(cmd.argv[0], "/nonexistent/lf-test-server");
    assert_string_equal(cmd.argv[1], "-P");
    assert_string_equal(cmd.argv[2], pidfile);
    /* 64 slots: 63 arguments and the NULL after them. */
    for (int i = 0; i < 29; i++) {
        agent_cmd_value(&cmd, "-v", "value");
    }
    agent_cmd_param(&cmd, &f->ctx, "-o", "options"); /* unset: not added */
    agent_cmd_flag(&cmd, "-f");
    agent_cmd_flag(&cmd, "-g");
    assert_int_equal(cmd.rc, 0);
    assert_null(cmd.dropped);
    assert_int_equal(cmd.argc, 63);
    assert_string_equal(cmd.argv[62], "-g");
}

static void
an_argument_too_many_is_reported(void **state)
{
    struct fixture *f = *state;
    struct agent_cmd cmd;

    agent_cmd_init(&cmd, &f->ctx);
    for (int i = 0; i < 30; i++) {
        agent_cmd_value(&cmd, "-v", "value");
    }
    assert_int_equal(cmd.argc, 63);
    assert_int_equal(cmd.rc, 0);
    agent_cmd_value(&cmd, "-N", "node1");
    assert_int_equal(cmd.rc, LF_ERR_TOOLONG);
    assert_string_equal(cmd.dropped, "-N");
    assert_int_equal(cmd.argc, 63);
    /* The first one left out stays the one named; none is added after. */
    agent_cmd_flag(&cmd, "-S");
    assert_string_equal(cmd.dropped, "-N");
    assert_int_equal(cmd.argc, 63);
}

static void
a_pair_that_does_not_fit_is_left_out_whole(void **state)
{
    struct fixture *f = *state;
    struct agent_cmd cmd;

    agent_cmd_init(&cmd, &f->ctx);
    for (int i = 0; i < 29; i++) {
        agent_cmd_value(&cmd, "-v", "value");
    }
    agent_cmd_flag(&cmd, "-f");
    assert_int_equal(cmd.argc, 62);
    /* Room for one more argument, not for a flag and its value. */
    agent_cmd_number(&cmd, "-G", 7);
    assert_int_equal(cmd.rc, LF_ERR_TOOLONG);
    assert_string_equal(cmd.dropped, "-G");
    assert_int_equal(cmd.argc, 62);
    assert_int_equal(cmd.nnumbers, 0);
}

static void
numbers_beyond_their_buffers_are_reported(void **state)
{
    struct fixture *f = *state;
    struct agent_cmd cmd;
    int max = (int)(sizeof(cmd.numbers) / sizeof(cmd.numbers[0]));

    agent_cmd_init(&cmd, &f->ctx);
    for (int i = 0; i < max; i++) {
        agent_cmd_number(&cmd, "-n", i);
    }
    assert_int_equal(cmd.rc, 0);
    assert_string_equal(cmd.argv[cmd.argc - 1], "7");
    agent_cmd_number(&cmd, "-W", 1000);
    assert_int_equal(cmd.rc, LF_ERR_TOOLONG);
    assert_string_equal(cmd.dropped, "-W");
    assert_int_equal(cmd.argc, 3 + 2 * max);
}

static void
options_fit_or_are_refused_whole(void **state)
{
    struct fixture *f = *state;
    struct agent_cmd cmd;
    char words[64 * 3 + 1] = "";
    char huge[1100];

    agent_cmd_init(&cmd, &f->ctx);
    assert_int_equal(agent_cmd_options(&cmd, NULL), 0);
    assert_int_equal(agent_cmd_options(&cmd, "-d  -x\t-y"), 0);
    assert_int_equal(cmd.argc, 6);
    assert_string_equal(cmd.argv[5], "-y");
    assert_null(cmd.argv[6]);

    agent_cmd_init(&cmd, &f->ctx);
    /* 60 words fill argv (3 taken, one NULL); 61 do not. */
    for (int i = 0; i < 61; i++) {
        strcat(words, "-o ");
    }
    assert_int_equal(agent_cmd_options(&cmd, words), LF_ERR_TOOLONG);
    assert_int_equal(cmd.argc, 3);
    assert_null(cmd.argv[3]);
    words[60 * 3] = '\0';
    assert_int_equal(agent_cmd_options(&cmd, words), 0);
    assert_int_equal(cmd.argc, 63);
    assert_null(cmd.argv[63]);

    agent_cmd_init(&cmd, &f->ctx);
    memset(huge, 'x', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    assert_int_equal(agent_cmd_options(&cmd, huge), LF_ERR_TOOLONG);
    assert_int_equal(cmd.argc, 3);
}

/* A command that lost an argument is never run: the start fails before
 * it prepares anything, and says which argument. */
static void
start_refuses_a_command_that_did_not_fit(void **state)
{
    struct fixture *f = *state;
    struct agent_cmd cmd;
    char reason[1024];

    agent_cmd_init(&cmd, &f->ctx);
    for (int i = 0; i < 31; i++) {
        agent_cmd_value(&cmd, i < 30 ? "-v" : "-k", "value");
    }
    assert_int_equal(start_capturing(f, &cmd, reason, sizeof(reason)),
                     PCMK_OCF_UNKNOWN_ERROR);
    assert_non_null(strstr(reason, "ocf-exit-reason:"));
    assert_non_null(strstr(reason, "-k and what follows would be left out"));
    assert_false(exists(f->rundir));
}

static void
start_refuses_options_that_do_not_fit(void **state)
{
    struct fixture *f = *state;
    struct agent_cmd cmd;
    char words[64 * 3 + 1] = "";
    char reason[1024];

    for (int i = 0; i < 61; i++) {
        strcat(words, "-o ");
    }
    f->ctx.values[P_OPTIONS] = words;
    agent_cmd_init(&cmd, &f->ctx);
    assert_int_equal(start_capturing(f, &cmd, reason, sizeof(reason)),
                     PCMK_OCF_NOT_CONFIGURED);
    assert_non_null(strstr(reason, "too many extra options"));
    assert_non_null(strstr(reason, "at most 60 words"));
    f->ctx.values[P_OPTIONS] = NULL;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(arguments_fit_up_to_the_last_slot,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(an_argument_too_many_is_reported, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            a_pair_that_does_not_fit_is_left_out_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(
            numbers_beyond_their_buffers_are_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(options_fit_or_are_refused_whole, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            start_refuses_a_command_that_did_not_fit, setup, teardown),
        cmocka_unit_test_setup_teardown(start_refuses_options_that_do_not_fit,
                                        setup, teardown),
    };

    return cmocka_run_group_tests_name("agent_cmd", tests, NULL, NULL);
}

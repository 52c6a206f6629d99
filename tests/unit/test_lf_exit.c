/* Unit tests for lib/runtime/lf_exit.c: the table of exit statuses, each
 * column against what its programs promise (the man pages' EXIT STATUS
 * sections; Pacemaker's OCF exit codes), and the converters. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <crm/common/results.h>

#include "lf_exit.h"
#include "lf_rc.h"

/* lf-enqueued(8), lf-replicad(8), lf-watch(8). */
static void
daemon_column(void **state)
{
    (void)state;
    assert_int_equal(lf_exit_status(LF_EXIT_DAEMON, LF_EXIT_OK), 0);
    assert_int_equal(lf_exit_status(LF_EXIT_DAEMON, LF_EXIT_FAILED), 1);
    assert_int_equal(lf_exit_status(LF_EXIT_DAEMON, LF_EXIT_USAGE), 2);
    assert_int_equal(lf_exit_status(LF_EXIT_DAEMON, LF_EXIT_NOTHING), 3);
    /* An end a daemon never comes to is a failure. */
    assert_int_equal(lf_exit_status(LF_EXIT_DAEMON, LF_EXIT_DEGRADED), 1);
}

/* lf-enq(1). */
static void
client_column(void **state)
{
    (void)state;
    assert_int_equal(lf_exit_status(LF_EXIT_CLIENT, LF_EXIT_OK), 0);
    assert_int_equal(lf_exit_status(LF_EXIT_CLIENT, LF_EXIT_REFUSED), 1);
    assert_int_equal(lf_exit_status(LF_EXIT_CLIENT, LF_EXIT_USAGE), 2);
    assert_int_equal(lf_exit_status(LF_EXIT_CLIENT, LF_EXIT_NOT_INSTALLED), 2);
    assert_int_equal(lf_exit_status(LF_EXIT_CLIENT, LF_EXIT_UNREACHABLE), 3);
    assert_int_equal(lf_exit_status(LF_EXIT_CLIENT, LF_EXIT_FAILED), 3);
}

/* The agents' codes are Pacemaker's enum ocf_exitcode. */
static void
agent_column(void **state)
{
    static const struct {
        enum lf_exit end;
        int ocf;
    } want[] = {
        {LF_EXIT_OK, PCMK_OCF_OK},
        {LF_EXIT_FAILED, PCMK_OCF_UNKNOWN_ERROR},
        {LF_EXIT_USAGE, PCMK_OCF_NOT_CONFIGURED},
        {LF_EXIT_UNREACHABLE, PCMK_OCF_UNKNOWN_ERROR},
        {LF_EXIT_NOT_INSTALLED, PCMK_OCF_NOT_INSTALLED},
        {LF_EXIT_NO_PRIV, PCMK_OCF_INSUFFICIENT_PRIV},
        {LF_EXIT_NOT_RUNNING, PCMK_OCF_NOT_RUNNING},
        {LF_EXIT_DEGRADED, PCMK_OCF_DEGRADED},
        {LF_EXIT_ARGS, PCMK_OCF_INVALID_PARAM},
        {LF_EXIT_UNIMPLEMENTED, PCMK_OCF_UNIMPLEMENT_FEATURE},
        {LF_EXIT_NOTHING, PCMK_OCF_UNKNOWN_ERROR},
        {LF_EXIT_REFUSED, PCMK_OCF_UNKNOWN_ERROR},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_int_equal(lf_exit_status(LF_EXIT_AGENT, want[i].end),
                         want[i].ocf);
    }
}

/* What an agent makes of its daemon's exit status. */
static void
status_back_to_end(void **state)
{
    (void)state;
    assert_int_equal(lf_exit_of_status(LF_EXIT_DAEMON, 0), LF_EXIT_OK);
    assert_int_equal(lf_exit_of_status(LF_EXIT_DAEMON, 1), LF_EXIT_FAILED);
    assert_int_equal(lf_exit_of_status(LF_EXIT_DAEMON, 2), LF_EXIT_USAGE);
    assert_int_equal(lf_exit_of_status(LF_EXIT_DAEMON, 3), LF_EXIT_NOTHING);
    /* Unknown statuses (a failed exec: 127), and -1 (no status: killed)
     * never match an end the kind lacks. */
    assert_int_equal(lf_exit_of_status(LF_EXIT_DAEMON, 127), LF_EXIT_FAILED);
    assert_int_equal(lf_exit_of_status(LF_EXIT_DAEMON, -1), LF_EXIT_FAILED);
    /* Of the client's two ends with status 3, FAILED comes first. */
    assert_int_equal(lf_exit_of_status(LF_EXIT_CLIENT, 3), LF_EXIT_FAILED);
    assert_int_equal(lf_exit_of_status(LF_EXIT_CLIENT, 1), LF_EXIT_REFUSED);
    assert_int_equal(lf_exit_of_status(LF_EXIT_AGENT, 190), LF_EXIT_DEGRADED);
    /* The agents' conversion of a daemon's start: its usage error is a
     * bad parameter; anything else but success is a generic error. */
    assert_int_equal(
        lf_exit_status(LF_EXIT_AGENT, lf_exit_of_status(LF_EXIT_DAEMON, 2)),
        PCMK_OCF_NOT_CONFIGURED);
    assert_int_equal(
        lf_exit_status(LF_EXIT_AGENT, lf_exit_of_status(LF_EXIT_DAEMON, 3)),
        PCMK_OCF_UNKNOWN_ERROR);
    assert_int_equal(
        lf_exit_status(LF_EXIT_AGENT, lf_exit_of_status(LF_EXIT_DAEMON, 0)),
        PCMK_OCF_OK);
}

static void
rc_converters(void **state)
{
    (void)state;
    assert_int_equal(lf_exit_of_file_rc(0), LF_EXIT_OK);
    assert_int_equal(lf_exit_of_file_rc(ENOENT), LF_EXIT_NOT_INSTALLED);
    assert_int_equal(lf_exit_of_file_rc(EACCES), LF_EXIT_USAGE);
    assert_int_equal(lf_exit_of_file_rc(LF_ERR_SYNTAX), LF_EXIT_USAGE);
    assert_int_equal(lf_exit_of_call_rc(0), LF_EXIT_OK);
    assert_int_equal(lf_exit_of_call_rc(ECONNREFUSED), LF_EXIT_UNREACHABLE);
    assert_int_equal(lf_exit_of_call_rc(LF_ERR_PROTO), LF_EXIT_UNREACHABLE);
    assert_int_equal(lf_exit_of_call_rc(LF_ERR_AUTH), LF_EXIT_UNREACHABLE);
}

/* Out-of-range arguments do not read outside the table. */
static void
out_of_range(void **state)
{
    (void)state;
    assert_int_equal(lf_exit_status(LF_EXIT_CLIENT, LF_EXIT_ENDS), 3);
    assert_int_equal(lf_exit_status(LF_EXIT_KINDS, LF_EXIT_USAGE), 2);
    assert_int_equal(lf_exit_of_status(LF_EXIT_KINDS, 0), LF_EXIT_FAILED);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(daemon_column), cmocka_unit_test(client_column),
        cmocka_unit_test(agent_column),  cmocka_unit_test(status_back_to_end),
        cmocka_unit_test(rc_converters), cmocka_unit_test(out_of_range),
    };

    return cmocka_run_group_tests_name("lf_exit", tests, NULL, NULL);
}

/*
 * Unit tests for lib/lf_svc.c on real processes: /bin/sh plays the start
 * command, /bin/sleep the daemon, pid files live in a temporary directory.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_log.h"
#include "lf_proc.h"
#include "lf_rc.h"
#include "lf_svc.h"
#include "unit_tmpdir.h"

#define SLEEP "/bin/sleep"

static char tmpdir[] = "/tmp/lf_svc_test.XXXXXX";
static char pidfile[PATH_MAX];

/* What the module logged, one line each. */
static char logged[4096];

static void
sink(int priority, const char *msg)
{
    size_t used = strlen(logged);

    (void)priority;
    snprintf(logged + used, sizeof(logged) - used, "%s\n", msg);
}

static int
setup(void **state)
{
    (void)state;
    if (mkdtemp(tmpdir) == NULL) {
        return -1;
    }
    snprintf(pidfile, sizeof(pidfile), "%s/daemon.pid", tmpdir);
    lf_log_set_sink(sink);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    return unit_tmpdir_remove(tmpdir);
}

static int
before_each(void **state)
{
    (void)state;
    (void)unlink(pidfile);
    logged[0] = '\0';
    return 0;
}

/* A /bin/sleep child, once it runs that binary; SIGTERM ignored on ask. */
static pid_t
spawn_sleep(bool ignore_term)
{
    long long deadline = lf_now_ms() + 5000;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        if (ignore_term) {
            signal(SIGTERM, SIG_IGN);
        }
        execl(SLEEP, "sleep", "30", (char *)NULL);
        _exit(127);
    }
    while (lf_proc_state(pid, SLEEP) != LF_PROC_RUNNING) {
        if (lf_now_ms() > deadline) {
            kill(pid, SIGKILL);
            fail_msg("%s never ran", SLEEP);
        }
        usleep(5000);
    }
    return pid;
}

/* Reap a child; its wait status. */
static int
reap(pid_t pid)
{
    int status = 0;

    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static bool
exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

static void
state_from_the_pid_file(void **state)
{
    pid_t pid = 0;
    pid_t child;
    pid_t gone;

    (void)state;
    assert_int_equal(lf_svc_state(pidfile, SLEEP, &pid), LF_SVC_STOPPED);

    child = spawn_sleep(false);
    assert_int_equal(lf_pidfile_write(pidfile, child), 0);
    assert_int_equal(lf_svc_state(pidfile, SLEEP, &pid), LF_SVC_RUNNING);
    assert_int_equal(pid, child);
    assert_int_equal(lf_svc_state(pidfile, SLEEP, NULL), LF_SVC_RUNNING);
    /* A live process of another binary is not the daemon. */
    pid = 0;
    assert_int_equal(lf_svc_state(pidfile, "/bin/true", &pid), LF_SVC_DEAD);
    assert_int_equal(pid, 0);
    kill(child, SIGKILL);
    assert_true(WIFSIGNALED(reap(child)));

    /* The pid of a process that has exited. */
    gone = fork();
    assert_true(gone >= 0);
    if (gone == 0) {
        _exit(0);
    }
    reap(gone);
    assert_int_equal(lf_pidfile_write(pidfile, gone), 0);
    assert_int_equal(lf_svc_state(pidfile, SLEEP, &pid), LF_SVC_DEAD);

    /* A pid file that names no pid. */
    {
        FILE *f = fopen(pidfile, "w");

        assert_non_null(f);
        fputs("not a pid\n", f);
        fclose(f);
    }
    assert_int_equal(lf_svc_state(pidfile, SLEEP, &pid), LF_SVC_DEAD);
}

static void
stop_terminates_and_removes_the_pid_file(void **state)
{
    pid_t child;
    int status;

    (void)state;
    child = spawn_sleep(false);
    assert_int_equal(lf_pidfile_write(pidfile, child), 0);
    assert_int_equal(lf_svc_stop(pidfile, SLEEP, 5000, 10000), 0);
    assert_false(exists(pidfile));
    status = reap(child);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
    assert_null(strstr(logged, "SIGKILL"));
}

static void
stop_kills_what_ignores_sigterm(void **state)
{
    long long began;
    pid_t child;
    int status;

    (void)state;
    child = spawn_sleep(true);
    assert_int_equal(lf_pidfile_write(pidfile, child), 0);
    began = lf_now_ms();
    assert_int_equal(lf_svc_stop(pidfile, SLEEP, 300, 10000), 0);
    assert_true(lf_now_ms() - began >= 300);
    assert_false(exists(pidfile));
    status = reap(child);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    assert_non_null(strstr(logged, "ignored SIGTERM for 300 ms"));
}

/* Nothing to stop: success, and a stale pid file goes; a process of
 * another binary under that pid is left alone. */
static void
stop_without_the_daemon(void **state)
{
    pid_t child;

    (void)state;
    assert_int_equal(lf_svc_stop(pidfile, SLEEP, 100, 200), 0);

    child = spawn_sleep(false);
    assert_int_equal(lf_pidfile_write(pidfile, child), 0);
    assert_int_equal(lf_svc_stop(pidfile, "/bin/true", 100, 200), 0);
    assert_false(exists(pidfile));
    assert_int_equal(lf_proc_state(child, SLEEP), LF_PROC_RUNNING);
    kill(child, SIGKILL);
    reap(child);
}

static int
start_sh(const char *script, long long timeout_ms, char *last, size_t size,
         int *status)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};

    return lf_svc_start(argv, timeout_ms, last, size, status);
}

static void
start_relays_stderr_and_keeps_the_last_line(void **state)
{
    char last[128];
    int status = 0;

    (void)state;
    assert_int_equal(start_sh("echo one >&2; echo >&2; echo two >&2; "
                              "echo 'the last line' >&2; echo out; exit 3",
                              10000, last, sizeof(last), &status),
                     0);
    assert_int_equal(status, 3);
    assert_string_equal(last, "the last line");
    /* Every non-empty line reaches the log, stdout does not. */
    assert_string_equal(logged, "one\ntwo\nthe last line\n");

    /* A last line without its newline; a short buffer cuts it. */
    logged[0] = '\0';
    assert_int_equal(
        start_sh("printf 'no newline' >&2", 10000, last, 6, &status), 0);
    assert_int_equal(status, 0);
    assert_string_equal(last, "no ne");
    assert_string_equal(logged, "no newline\n");

    /* Silent and successful. */
    assert_int_equal(start_sh("exit 0", 10000, last, sizeof(last), &status), 0);
    assert_int_equal(status, 0);
    assert_string_equal(last, "");
}

/* The start is over only when stderr closes: a daemon reports its
 * readiness by letting go of it, after the starter has exited. */
static void
start_waits_for_stderr_to_close(void **state)
{
    char last[128];
    int status = 0;

    (void)state;
    assert_int_equal(start_sh("(sleep 0.3; echo ready >&2) & exit 0", 10000,
                              last, sizeof(last), &status),
                     0);
    assert_int_equal(status, 0);
    assert_string_equal(last, "ready");
}

static void
start_of_a_missing_program(void **state)
{
    char *argv[] = {"/nonexistent/lf-daemon", NULL};
    char last[128];
    int status = 0;

    (void)state;
    assert_int_equal(lf_svc_start(argv, 10000, last, sizeof(last), &status), 0);
    assert_int_equal(status, 127);
    assert_string_equal(last, "cannot run /nonexistent/lf-daemon: No such "
                              "file or directory");
}

static void
start_past_its_timeout_is_killed(void **state)
{
    char last[128];
    long long began = lf_now_ms();
    long long took;
    int status = 0;

    (void)state;
    assert_int_equal(start_sh("echo starting >&2; exec " SLEEP " 30", 300, last,
                              sizeof(last), &status),
                     0);
    took = lf_now_ms() - began;
    assert_int_equal(status, -1);
    assert_string_equal(last, "starting");
    assert_true(took >= 300);
    assert_true(took < 10000);
    assert_non_null(strstr(logged, "did not get ready in time"));
}

/* A starter that lets go of stderr but does not exit is not waited for
 * past the timeout either. */
static void
start_that_closes_stderr_but_stays_is_killed(void **state)
{
    char last[128];
    int status = 0;

    (void)state;
    assert_int_equal(start_sh("echo closing >&2; exec 2>&-; exec " SLEEP " 30",
                              300, last, sizeof(last), &status),
                     0);
    assert_int_equal(status, -1);
    assert_string_equal(last, "closing");
    assert_non_null(strstr(logged, "closed its stderr but did not exit"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(state_from_the_pid_file, before_each),
        cmocka_unit_test_setup(stop_terminates_and_removes_the_pid_file,
                               before_each),
        cmocka_unit_test_setup(stop_kills_what_ignores_sigterm, before_each),
        cmocka_unit_test_setup(stop_without_the_daemon, before_each),
        cmocka_unit_test_setup(start_relays_stderr_and_keeps_the_last_line,
                               before_each),
        cmocka_unit_test_setup(start_waits_for_stderr_to_close, before_each),
        cmocka_unit_test_setup(start_of_a_missing_program, before_each),
        cmocka_unit_test_setup(start_that_closes_stderr_but_stays_is_killed,
                               before_each),
        cmocka_unit_test_setup(start_past_its_timeout_is_killed, before_each),
    };

    return cmocka_run_group_tests_name("lf_svc", tests, setup, teardown);
}

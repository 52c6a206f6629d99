/* Unit tests for lib/lf_proc.c, on real processes. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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

#include "lf_proc.h"
#include "lf_rc.h"
#include "unit_tmpdir.h"

static char tmpdir[] = "/tmp/lf_proc_test.XXXXXX";

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
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
pidfile_roundtrip(void **state)
{
    char path[PATH_MAX];
    pid_t pid = 0;
    struct stat st;

    snprintf(path, sizeof(path), "%s/a.pid", tmpdir);
    assert_int_equal(lf_pidfile_read(path, &pid), ENOENT);
    assert_int_equal(lf_pidfile_write(path, 12345), 0);
    assert_int_equal(lf_pidfile_read(path, &pid), 0);
    assert_int_equal(pid, 12345);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
}

static void
pidfile_rejects_garbage(void **state)
{
    char path[PATH_MAX];
    pid_t pid = 99;

    snprintf(path, sizeof(path), "%s/bad.pid", tmpdir);
    write_file(path, "");
    assert_int_equal(lf_pidfile_read(path, &pid), LF_ERR_SYNTAX);
    write_file(path, "12abc\n");
    assert_int_equal(lf_pidfile_read(path, &pid), LF_ERR_SYNTAX);
    write_file(path, "-4\n");
    assert_int_equal(lf_pidfile_read(path, &pid), LF_ERR_SYNTAX);
    write_file(path, "0\n");
    assert_int_equal(lf_pidfile_read(path, &pid), LF_ERR_SYNTAX);
    assert_int_equal(pid, 99);
}

static void
pidfile_write_fails_cleanly(void **state)
{
    assert_int_equal(lf_pidfile_write("/nonexistent-dir/x.pid", 1), ENOENT);
}

static void
state_of_self_and_binary_check(void **state)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

    assert_true(n > 0);
    self[n] = '\0';
    assert_int_equal(lf_proc_state(getpid(), NULL), LF_PROC_RUNNING);
    assert_int_equal(lf_proc_state(getpid(), self), LF_PROC_RUNNING);
    /* Same pid, another program: pid reuse must not count as running. */
    assert_int_equal(lf_proc_state(getpid(), "/bin/true"), LF_PROC_GONE);
    assert_int_equal(lf_proc_state(0, NULL), LF_PROC_GONE);
    assert_int_equal(lf_proc_state(-1, NULL), LF_PROC_GONE);
}

static void
zombie_counts_as_dead(void **state)
{
    pid_t child = fork();
    int status;

    assert_true(child >= 0);
    if (child == 0) {
        _exit(0);
    }
    /* Until the child has exited it may still be running: wait for the
     * zombie state itself, which is the condition under test. */
    assert_int_equal(lf_proc_wait_gone(child, NULL, 5000), 0);
    assert_int_equal(lf_proc_state(child, NULL), LF_PROC_ZOMBIE);
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_int_equal(lf_proc_state(child, NULL), LF_PROC_GONE);
}

static void
wait_gone_times_out_on_live_process(void **state)
{
    pid_t child = fork();
    int status;

    assert_true(child >= 0);
    if (child == 0) {
        pause();
        _exit(0);
    }
    assert_int_equal(lf_proc_wait_gone(child, NULL, 50), LF_ERR_TIMEOUT);
    kill(child, SIGKILL);
    assert_int_equal(lf_proc_wait_gone(child, NULL, 5000), 0);
    waitpid(child, &status, 0);
}

/* The intermediate process exits with the status the daemon reports, and
 * only once it reported; the daemon runs on in its own session. */
static void
daemonize_reports_readiness(void **state)
{
    char path[PATH_MAX];
    pid_t starter;
    pid_t daemon_pid = 0;
    int status = 0;

    snprintf(path, sizeof(path), "%s/daemon.pid", tmpdir);
    starter = fork();
    assert_true(starter >= 0);
    if (starter == 0) {
        int fd = -1;

        if (lf_daemonize(&fd) != 0) {
            _exit(99);
        }
        if (getsid(0) != getpid() || fcntl(4, F_GETFD) != -1) {
            lf_daemon_ready(fd, 98);
            _exit(0);
        }
        lf_pidfile_write(path, getpid());
        lf_daemon_ready(fd, 42);
        pause();
        _exit(0);
    }
    assert_int_equal(waitpid(starter, &status, 0), starter);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 42);
    assert_int_equal(lf_pidfile_read(path, &daemon_pid), 0);
    assert_int_not_equal(daemon_pid, starter);
    assert_int_equal(lf_proc_state(daemon_pid, NULL), LF_PROC_RUNNING);
    kill(daemon_pid, SIGKILL);
    assert_int_equal(lf_proc_wait_gone(daemon_pid, NULL, 5000), 0);
}

static void
daemonize_child_dies_before_ready(void **state)
{
    pid_t starter = fork();
    int status = 0;

    assert_true(starter >= 0);
    if (starter == 0) {
        int fd = -1;

        if (lf_daemonize(&fd) != 0) {
            _exit(99);
        }
        _exit(0); /* never reports: the starter must see a failure */
    }
    assert_int_equal(waitpid(starter, &status, 0), starter);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
}

/* A pidfd names one process for good: the right start time opens it, a
 * wrong one (a pid reused by another process) does not, and it becomes
 * readable when that process exits. */
static void
pidfd_follows_one_process(void **state)
{
    unsigned long long start = 0;
    struct pollfd pfd = {.events = POLLIN};
    int fd = -1;
    int status = 0;
    pid_t child = fork();

    assert_true(child >= 0);
    if (child == 0) {
        pause();
        _exit(0);
    }
    assert_int_equal(lf_proc_start_time(child, &start), 0);
    assert_int_equal(lf_proc_pidfd_open(child, start + 1, &fd), ESRCH);
    assert_int_equal(lf_proc_pidfd_open(child, start, &fd), 0);
    assert_true((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    pfd.fd = fd;
    assert_int_equal(poll(&pfd, 1, 0), 0);
    kill(child, SIGKILL);
    assert_int_equal(poll(&pfd, 1, 5000), 1);
    assert_true((pfd.revents & POLLIN) != 0);
    /* Readable as a zombie already; once reaped, the pid names nobody. */
    assert_int_equal(waitpid(child, &status, 0), child);
    close(fd);
    assert_int_equal(lf_proc_pidfd_open(child, start, &fd), ESRCH);
    assert_int_equal(lf_proc_pidfd_open(0, 0, &fd), ESRCH);
}

static void
clock_is_monotonic(void **state)
{
    long long a = lf_now_ms();
    long long b = lf_now_ms();

    assert_true(a > 0);
    assert_true(b >= a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pidfile_roundtrip),
        cmocka_unit_test(pidfile_rejects_garbage),
        cmocka_unit_test(pidfile_write_fails_cleanly),
        cmocka_unit_test(state_of_self_and_binary_check),
        cmocka_unit_test(zombie_counts_as_dead),
        cmocka_unit_test(wait_gone_times_out_on_live_process),
        cmocka_unit_test(daemonize_reports_readiness),
        cmocka_unit_test(daemonize_child_dies_before_ready),
        cmocka_unit_test(pidfd_follows_one_process),
        cmocka_unit_test(clock_is_monotonic),
    };

    return cmocka_run_group_tests_name("lf_proc", tests, setup, teardown);
}

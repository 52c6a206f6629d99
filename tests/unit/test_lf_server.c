/* Unit tests for lib/runtime/lf_server.c: the daemons' command line, the
 * instance check, the signals, and what the teardown does with the pid
 * file and the readiness owed. */
#include <config.h>

#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_proc.h"
#include "lf_server.h"
#include "unit_tmpdir.h"

static char tmpdir[] = "/tmp/lf_server_test.XXXXXX";
static int usage_calls;
static FILE *usage_out;

static void
count_usage(FILE *out)
{
    usage_calls++;
    usage_out = out;
}

/* A program's own options, one of every kind. */
struct prog {
    const char *name;
    bool loud;
    uint16_t port;
    int ms;
    long long wide;
    uint64_t count;
};

static enum lf_exit
parse(struct lf_server *srv, struct prog *p, char **argv)
{
    const struct lf_server_option options[] = {
        {'n', .text = &p->name},
        {'x', .set = &p->loud},
        {'p', .port = &p->port},
        {'t', .number = &p->ms, .min = 2000, .max = 600000},
        {'T', .wide = &p->wide, .min = 0, .max = 600000},
        {'m', .count = &p->count, .min = 1, .max = UINT32_MAX},
    };
    int argc = 0;

    while (argv[argc] != NULL) {
        argc++;
    }
    memset(p, 0, sizeof(*p));
    p->ms = 5000; /* a default, kept when -t is not given */
    lf_server_init(srv, "lf-test");
    usage_calls = 0;
    usage_out = NULL;
    optind = 0; /* a fresh getopt for every command line */
    return lf_server_parse(srv, argc, argv, options,
                           sizeof(options) / sizeof(options[0]), count_usage);
}

static void
shared_and_own_flags(void **state)
{
    char *argv[] = {"lf-test", "-P",  "/run/x.pid", "-L",   "/tmp/x.log",
                    "-u",      "svc", "-f",         "-v",   "-n",
                    "name",    "-x",  "-p",         "7001", "-T",
                    "250",     "-m",  "4294967295", NULL};
    struct lf_server srv;
    struct prog p;

    (void)state;
    assert_int_equal(parse(&srv, &p, argv), LF_EXIT_OK);
    assert_string_equal(srv.pidfile, "/run/x.pid");
    assert_string_equal(srv.logfile, "/tmp/x.log");
    assert_string_equal(srv.user, "svc");
    assert_true(srv.foreground);
    assert_true(srv.verbose);
    assert_string_equal(p.name, "name");
    assert_true(p.loud);
    assert_int_equal(p.port, 7001);
    assert_int_equal(p.ms, 5000);
    assert_int_equal(p.wide, 250);
    assert_int_equal(p.count, 4294967295ULL);
    assert_int_equal(usage_calls, 0);
    /* Settings start empty, descriptors closed. */
    assert_null(srv.secretfile);
    assert_int_equal(srv.notify_fd, -1);
    assert_int_equal(srv.signal_fd, -1);
}

/* Options as leapfrogd has them: long names, a mode chosen by long-only
 * options (one with an argument), and only some shared flags. */
struct modal {
    int mode;
    const char *target;
    bool dry;
    long long ms;
};

enum { MODE_DAEMON = 0, MODE_ONCE, MODE_STATUS, MODE_REMOVE };

static enum lf_exit
parse_modal(struct lf_server *srv, struct modal *m, unsigned shared,
            char **argv)
{
    const struct lf_server_option options[] = {
        {'n', "dry-run", .set = &m->dry},
        {'D', "debounce", .wide = &m->ms, .min = 0, .max = 60000},
        {0, "once", .choice = &m->mode, .value = MODE_ONCE},
        {0, "status", .choice = &m->mode, .value = MODE_STATUS},
        {0, "remove", .text = &m->target, .choice = &m->mode,
         .value = MODE_REMOVE},
    };
    int argc = 0;

    while (argv[argc] != NULL) {
        argc++;
    }
    memset(m, 0, sizeof(*m));
    lf_server_init(srv, "lf-test");
    srv->shared = shared;
    usage_calls = 0;
    optind = 0;
    return lf_server_parse(srv, argc, argv, options,
                           sizeof(options) / sizeof(options[0]), count_usage);
}

static void
long_names_and_modes(void **state)
{
    char *longs[] = {"lf-test",      "--pidfile", "/run/l.pid",
                     "--foreground", "--verbose", "--dry-run",
                     "--debounce",   "40",        "--logfile=/tmp/l.log",
                     "--user",       "svc",       NULL};
    char *once[] = {"lf-test", "--once", NULL};
    char *again[] = {"lf-test", "--status", "--status", NULL};
    char *remove[] = {"lf-test", "--remove", "F1", NULL};
    char *two[] = {"lf-test", "--once", "--remove", "F1", NULL};
    char *no_arg[] = {"lf-test", "--remove", NULL};
    struct lf_server srv;
    struct modal m;

    (void)state;
    assert_int_equal(parse_modal(&srv, &m, LF_SERVER_SHARED_ALL, longs),
                     LF_EXIT_OK);
    assert_string_equal(srv.pidfile, "/run/l.pid");
    assert_string_equal(srv.logfile, "/tmp/l.log");
    assert_string_equal(srv.user, "svc");
    assert_true(srv.foreground);
    assert_true(srv.verbose);
    assert_true(m.dry);
    assert_int_equal(m.ms, 40);
    assert_int_equal(m.mode, MODE_DAEMON);

    assert_int_equal(parse_modal(&srv, &m, LF_SERVER_SHARED_ALL, once),
                     LF_EXIT_OK);
    assert_int_equal(m.mode, MODE_ONCE);
    /* The same mode twice is the same mode. */
    assert_int_equal(parse_modal(&srv, &m, LF_SERVER_SHARED_ALL, again),
                     LF_EXIT_OK);
    assert_int_equal(m.mode, MODE_STATUS);
    /* A mode with an argument takes both. */
    assert_int_equal(parse_modal(&srv, &m, LF_SERVER_SHARED_ALL, remove),
                     LF_EXIT_OK);
    assert_int_equal(m.mode, MODE_REMOVE);
    assert_string_equal(m.target, "F1");
    /* Two modes: refused, with a message and no usage. */
    assert_int_equal(parse_modal(&srv, &m, LF_SERVER_SHARED_ALL, two),
                     LF_EXIT_USAGE);
    assert_int_equal(usage_calls, 0);
    assert_int_equal(parse_modal(&srv, &m, LF_SERVER_SHARED_ALL, no_arg),
                     LF_EXIT_USAGE);
    assert_int_equal(usage_calls, 1);
}

static void
only_the_shared_flags_taken(void **state)
{
    unsigned some = LF_SERVER_PIDFILE | LF_SERVER_FOREGROUND;
    char *taken[] = {"lf-test", "-P", "/run/s.pid", "-f", NULL};
    char *user[] = {"lf-test", "-u", "svc", NULL};
    char *logfile[] = {"lf-test", "--logfile", "/tmp/s.log", NULL};
    char *verbose[] = {"lf-test", "-v", NULL};
    struct lf_server srv;
    struct modal m;
    pid_t pid;
    int status = 0;

    (void)state;
    assert_int_equal(parse_modal(&srv, &m, some, taken), LF_EXIT_OK);
    assert_string_equal(srv.pidfile, "/run/s.pid");
    assert_true(srv.foreground);
    /* A shared flag the program does not take is unknown to it. */
    assert_int_equal(parse_modal(&srv, &m, some, user), LF_EXIT_USAGE);
    assert_null(srv.user);
    assert_int_equal(usage_calls, 1);
    assert_int_equal(parse_modal(&srv, &m, some, logfile), LF_EXIT_USAGE);
    assert_null(srv.logfile);
    assert_int_equal(parse_modal(&srv, &m, some, verbose), LF_EXIT_USAGE);
    assert_false(srv.verbose);
    /* --help, whatever the program takes: the usage on stdout, exit 0. */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *help[] = {"lf-test", "--help", NULL};
        FILE *devnull = freopen("/dev/null", "w", stdout);

        (void)devnull;
        (void)parse_modal(&srv, &m, some, help);
        _exit(usage_calls == 1 ? 9 : 8); /* not reached: -h exits */
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void
numbers_in_range(void **state)
{
    char *low[] = {"lf-test", "-t", "1999", NULL};
    char *high[] = {"lf-test", "-t", "600001", NULL};
    char *edge[] = {"lf-test", "-t", "2000", NULL};
    char *junk[] = {"lf-test", "-m", "12x", NULL};
    char *zero[] = {"lf-test", "-m", "0", NULL};
    char *port[] = {"lf-test", "-p", "70000", NULL};
    struct lf_server srv;
    struct prog p;

    (void)state;
    assert_int_equal(parse(&srv, &p, low), LF_EXIT_USAGE);
    assert_int_equal(parse(&srv, &p, high), LF_EXIT_USAGE);
    assert_int_equal(parse(&srv, &p, junk), LF_EXIT_USAGE);
    assert_int_equal(parse(&srv, &p, zero), LF_EXIT_USAGE);
    assert_int_equal(parse(&srv, &p, port), LF_EXIT_USAGE);
    /* A bad value says why itself: no usage. */
    assert_int_equal(usage_calls, 0);
    assert_int_equal(parse(&srv, &p, edge), LF_EXIT_OK);
    assert_int_equal(p.ms, 2000);
}

static void
bad_command_lines(void **state)
{
    char *unknown[] = {"lf-test", "-q", NULL};
    char *missing[] = {"lf-test", "-n", NULL};
    char *operand[] = {"lf-test", "-x", "extra", NULL};
    /* A flag's argument is never taken for another option's. */
    char *no_flag_arg[] = {"lf-test", "-x", "-f", NULL};
    struct lf_server srv;
    struct prog p;

    (void)state;
    assert_int_equal(parse(&srv, &p, unknown), LF_EXIT_USAGE);
    assert_int_equal(usage_calls, 1);
    assert_ptr_equal(usage_out, stderr);
    assert_int_equal(parse(&srv, &p, missing), LF_EXIT_USAGE);
    assert_int_equal(usage_calls, 1);
    assert_int_equal(parse(&srv, &p, operand), LF_EXIT_USAGE);
    assert_int_equal(usage_calls, 0);
    assert_int_equal(parse(&srv, &p, no_flag_arg), LF_EXIT_OK);
    assert_true(p.loud);
    assert_true(srv.foreground);
}

/* -h: the usage on stdout, exit 0 (in a child: it exits). */
static void
help_exits_zero(void **state)
{
    int status = 0;
    pid_t child;

    (void)state;
    fflush(NULL);
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        char *argv[] = {"lf-test", "-h", NULL};
        struct lf_server srv;
        struct prog p;

        (void)freopen("/dev/null", "w", stdout);
        (void)parse(&srv, &p, argv);
        _exit(99);
    }
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void
instance_names(void **state)
{
    struct lf_server srv;

    (void)state;
    lf_server_init(&srv, "lf-test");
    srv.instance = "EN1.a_b-c";
    assert_int_equal(lf_server_check_instance(&srv, 16), LF_EXIT_OK);
    srv.instance = "a/b";
    assert_int_equal(lf_server_check_instance(&srv, 16), LF_EXIT_USAGE);
    srv.instance = "0123456789abcdefg";
    assert_int_equal(lf_server_check_instance(&srv, 16), LF_EXIT_USAGE);
    srv.instance = "";
    assert_int_equal(lf_server_check_instance(&srv, 16), LF_EXIT_USAGE);
}

static void
signals_through_the_signalfd(void **state)
{
    struct lf_server srv;
    struct lf_server_signal got;

    (void)state;
    lf_server_init(&srv, "lf-test");
    assert_int_equal(lf_server_signals(&srv), 0);
    assert_true(srv.signal_fd >= 0);
    got = lf_server_read_signals(srv.signal_fd);
    assert_int_equal(got.stop, 0);
    assert_false(got.usr1);
    /* Blocked, so they wait in the signalfd instead of ending us. */
    assert_int_equal(raise(SIGHUP), 0);
    got = lf_server_read_signals(srv.signal_fd);
    assert_int_equal(got.stop, 0);
    assert_false(got.usr1);
    assert_int_equal(raise(SIGUSR1), 0);
    assert_int_equal(raise(SIGTERM), 0);
    got = lf_server_read_signals(srv.signal_fd);
    assert_int_equal(got.stop, SIGTERM);
    assert_true(got.usr1);
    assert_int_equal(raise(SIGINT), 0);
    got = lf_server_read_signals(srv.signal_fd);
    assert_int_equal(got.stop, SIGINT);
    assert_false(got.usr1);
    assert_int_equal(lf_server_finish(&srv, LF_EXIT_OK), 0);
    assert_int_equal(srv.signal_fd, -1);
}

/* Write the pid file of srv to path, then end with end. */
static int
write_then_finish(struct lf_server *srv, const char *path,
                  enum lf_server_pidfile_end policy, enum lf_exit end)
{
    lf_server_init(srv, "lf-test");
    srv->pidfile = path;
    srv->pidfile_end = policy;
    assert_int_equal(lf_server_write_pidfile(srv), 0);
    assert_int_equal(access(path, F_OK), 0);
    return lf_server_finish(srv, end);
}

static void
pidfile_at_the_end(void **state)
{
    struct lf_server srv;
    char path[PATH_MAX];

    (void)state;
    snprintf(path, sizeof(path), "%s/d.pid", tmpdir);
    /* A server: removed after a clean stop only. */
    assert_int_equal(
        write_then_finish(&srv, path, LF_SERVER_PIDFILE_CLEAN_STOP, LF_EXIT_OK),
        0);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_equal(write_then_finish(&srv, path, LF_SERVER_PIDFILE_CLEAN_STOP,
                                       LF_EXIT_FAILED),
                     1);
    assert_int_equal(access(path, F_OK), 0);
    /* The watcher: removed at any end while it is ours. */
    assert_int_equal(write_then_finish(&srv, path, LF_SERVER_PIDFILE_IF_OURS,
                                       LF_EXIT_NOTHING),
                     3);
    assert_int_not_equal(access(path, F_OK), 0);
    lf_server_init(&srv, "lf-test");
    srv.pidfile = path;
    srv.pidfile_end = LF_SERVER_PIDFILE_IF_OURS;
    assert_int_equal(lf_server_write_pidfile(&srv), 0);
    assert_int_equal(lf_pidfile_write(path, getppid()), 0);
    assert_int_equal(lf_server_finish(&srv, LF_EXIT_OK), 0);
    assert_int_equal(access(path, F_OK), 0);
    (void)unlink(path);
    /* Without -P nothing is written, nothing removed. */
    lf_server_init(&srv, "lf-test");
    assert_int_equal(lf_server_write_pidfile(&srv), 0);
    assert_int_equal(lf_server_finish(&srv, LF_EXIT_USAGE), 2);
}

/* A start-up that fails before readiness passes its exit status on to
 * the starter (in a child: the readiness points stderr at /dev/null). */
static void
failed_start_reports_its_status(void **state)
{
    int pipefd[2];
    unsigned char byte = 0;
    int status = 0;
    pid_t child;

    (void)state;
    assert_int_equal(pipe(pipefd), 0);
    fflush(NULL);
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        struct lf_server srv;

        close(pipefd[0]);
        lf_server_init(&srv, "lf-test");
        srv.notify_fd = pipefd[1];
        _exit(lf_server_finish(&srv, LF_EXIT_NOTHING) == 3
                      && srv.notify_fd == -1
                  ? 0
                  : 1);
    }
    close(pipefd[1]);
    assert_int_equal(read(pipefd[0], &byte, 1), 1);
    assert_int_equal(byte, 3);
    close(pipefd[0]);
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static int
setup(void **state)
{
    (void)state;
    return unit_tmpdir_make(tmpdir);
}

static int
teardown(void **state)
{
    (void)state;
    return unit_tmpdir_remove(tmpdir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_and_own_flags),
        cmocka_unit_test(long_names_and_modes),
        cmocka_unit_test(only_the_shared_flags_taken),
        cmocka_unit_test(numbers_in_range),
        cmocka_unit_test(bad_command_lines),
        cmocka_unit_test(help_exits_zero),
        cmocka_unit_test(instance_names),
        cmocka_unit_test(signals_through_the_signalfd),
        cmocka_unit_test(pidfile_at_the_end),
        cmocka_unit_test(failed_start_reports_its_status),
    };

    return cmocka_run_group_tests_name("lf_server", tests, setup, teardown);
}

/* Unit tests for lib/lf_log.c: format, threshold and context. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_log.h"
#include "unit_tmpdir.h"

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

/* A directory of the test's own for the log-file cases. */
static char logdir[64];

static int
make_logdir(void **state)
{
    snprintf(logdir, sizeof(logdir), "/tmp/lf-log.XXXXXX");
    return unit_tmpdir_make(logdir);
}

static int
remove_logdir(void **state)
{
    return unit_tmpdir_remove(logdir);
}

static void
read_text(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n;

    assert_non_null(f);
    n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* The servers open their log as root: a link planted in its place (say
 * to a file of /etc) must not be followed nor its target written. */
static void
log_file_refuses_symbolic_link(void **state)
{
    char target[128];
    char path[128];
    char text[64];
    const char *why = "";

    snprintf(target, sizeof(target), "%s/passwd", logdir);
    snprintf(path, sizeof(path), "%s/server.log", logdir);
    {
        FILE *f = fopen(target, "w");

        assert_non_null(f);
        fputs("root:x:0:0\n", f);
        fclose(f);
    }
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(
        lf_log_open_file(path, geteuid(), getegid(), (uid_t)-1, &why), ELOOP);
    assert_string_equal(why, "it is a symbolic link");
    lf_log_init("lftest", 0, LOG_DAEMON);
    lf_err("must not reach the link's target");
    read_text(target, text, sizeof(text));
    assert_string_equal(text, "root:x:0:0\n");
}

static void
log_file_refuses_other_owner_links_and_fifos(void **state)
{
    char path[128];
    char other[128];
    const char *why = "";
    int fd;

    snprintf(path, sizeof(path), "%s/hard.log", logdir);
    snprintf(other, sizeof(other), "%s/other", logdir);
    fd = open(other, O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(link(other, path), 0);
    assert_int_equal(
        lf_log_open_file(path, geteuid(), getegid(), (uid_t)-1, &why), EMLINK);
    snprintf(path, sizeof(path), "%s/fifo.log", logdir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(
        lf_log_open_file(path, geteuid(), getegid(), (uid_t)-1, &why), EINVAL);
    if (geteuid() == 0) {
        snprintf(path, sizeof(path), "%s/nobody.log", logdir);
        fd = open(path, O_WRONLY | O_CREAT, 0644);
        assert_true(fd >= 0);
        assert_int_equal(fchown(fd, 65534, 65534), 0);
        close(fd);
        /* Neither root's nor the service user's (uid 1 here). */
        assert_int_equal(lf_log_open_file(path, 1, 1, (uid_t)-1, &why), EPERM);
        /* The service user's own is fine. */
        assert_int_equal(lf_log_open_file(path, 65534, 65534, (uid_t)-1, &why),
                         0);
        /* So is the former service user's (after an upgrade). */
        assert_int_equal(lf_log_open_file(path, 1, 1, 65534, &why), 0);
    }
}

/* A log file root creates belongs to the service user, mode 0640. */
static void
log_file_created_for_the_service_user(void **state)
{
    char path[128];
    char text[256];
    const char *why = "";
    struct stat st;
    uid_t uid = geteuid() == 0 ? 65534 : geteuid();
    gid_t gid = geteuid() == 0 ? 65534 : getegid();

    snprintf(path, sizeof(path), "%s/new.log", logdir);
    assert_int_equal(lf_log_open_file(path, uid, gid, (uid_t)-1, &why), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_uid, uid);
    assert_int_equal(st.st_gid, gid);
    assert_int_equal(st.st_mode & 07777, 0640);
    lf_log_init("lftest", 0, LOG_DAEMON);
    lf_err("into the file");
    read_text(path, text, sizeof(text));
    assert_non_null(strstr(text, "ERROR: into the file"));
    /* Opened again (a restart), it is appended to. */
    assert_int_equal(lf_log_open_file(path, uid, gid, (uid_t)-1, &why), 0);
    lf_err("once more");
    read_text(path, text, sizeof(text));
    assert_non_null(strstr(text, "into the file"));
    assert_non_null(strstr(text, "once more"));
    lf_log_init("lftest", LF_LOG_STDERR, LOG_DAEMON);
    lf_log_set_dest(LF_LOG_STDERR);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_and_threshold),
        cmocka_unit_test(context_prefix),
        cmocka_unit_test(debug_from_env),
        cmocka_unit_test(no_destination),
        cmocka_unit_test_setup_teardown(log_file_refuses_symbolic_link,
                                        make_logdir, remove_logdir),
        cmocka_unit_test_setup_teardown(
            log_file_refuses_other_owner_links_and_fifos, make_logdir,
            remove_logdir),
        cmocka_unit_test_setup_teardown(log_file_created_for_the_service_user,
                                        make_logdir, remove_logdir),
    };

    return cmocka_run_group_tests_name("lf_log", tests, NULL, NULL);
}

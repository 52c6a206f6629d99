/* Unit tests for lib/lf_file.c, on real files in a temporary directory. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_file.h"
#include "unit_tmpdir.h"

static char tmpdir[] = "/tmp/lf_file_test.XXXXXX";

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

/* A fresh directory for one test. */
static void
subdir(const char *name, char *dir, size_t size)
{
    snprintf(dir, size, "%s/%s", tmpdir, name);
    assert_int_equal(mkdir(dir, 0755), 0);
}

static size_t
entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            n++;
        }
    }
    closedir(d);
    return n;
}

static void
slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    ssize_t n;

    assert_true(fd >= 0);
    n = read(fd, buf, size - 1);
    assert_true(n >= 0);
    buf[n] = '\0';
    close(fd);
}

static void
write_atomic_creates_and_replaces(void **state)
{
    char dir[256];
    char path[PATH_MAX + 8];
    char buf[64];
    struct stat st;

    (void)state;
    subdir("atomic", dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/f", dir);
    assert_int_equal(lf_file_write_atomic(path, "first\n", 6, 0640), 0);
    slurp(path, buf, sizeof(buf));
    assert_string_equal(buf, "first\n");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);

    /* Replaced whole, with the new mode; no temporary file stays. */
    assert_int_equal(lf_file_write_atomic(path, "2", 1, 0600), 0);
    slurp(path, buf, sizeof(buf));
    assert_string_equal(buf, "2");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(entries(dir), 1);

    /* The mode is the one asked, whatever the umask. */
    {
        mode_t old = umask(077);

        assert_int_equal(lf_file_write_atomic(path, "", 0, 0644), 0);
        umask(old);
    }
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_int_equal(st.st_size, 0);
}

static void
write_atomic_failure_leaves_nothing(void **state)
{
    char dir[256];
    char path[PATH_MAX + 16];
    char buf[64];
    char longpath[PATH_MAX + 1];

    (void)state;
    subdir("atomic-fail", dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/missing/f", dir);
    assert_int_equal(lf_file_write_atomic(path, "x", 1, 0644), ENOENT);

    /* A directory in the way: the rename fails, the temporary file goes,
     * the directory stays. */
    snprintf(path, sizeof(path), "%s/d", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(lf_file_write_atomic(path, "x", 1, 0644), EISDIR);
    assert_int_equal(entries(dir), 1);

    /* An existing file is unchanged after a failure. */
    snprintf(path, sizeof(path), "%s/keep", dir);
    assert_int_equal(lf_file_write_atomic(path, "old", 3, 0644), 0);
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[0] = '/';
    longpath[sizeof(longpath) - 1] = '\0';
    assert_int_equal(lf_file_write_atomic(longpath, "x", 1, 0644),
                     ENAMETOOLONG);
    slurp(path, buf, sizeof(buf));
    assert_string_equal(buf, "old");
    assert_int_equal(entries(dir), 2);
}

static void
read_small_strips_one_newline(void **state)
{
    char dir[256];
    char path[PATH_MAX + 8];
    char buf[16];

    (void)state;
    subdir("read", dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/f", dir);
    assert_int_equal(lf_file_write_atomic(path, "value\n", 6, 0644), 0);
    assert_int_equal(lf_file_read_small(path, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "value");

    assert_int_equal(lf_file_write_atomic(path, "two\n\n", 5, 0644), 0);
    assert_int_equal(lf_file_read_small(path, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "two\n");

    assert_int_equal(lf_file_write_atomic(path, "", 0, 0644), 0);
    memset(buf, 'z', sizeof(buf));
    assert_int_equal(lf_file_read_small(path, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "");
}

static void
read_small_refuses_what_does_not_fit(void **state)
{
    char dir[256];
    char path[PATH_MAX + 8];
    char buf[8];

    (void)state;
    subdir("read-size", dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/f", dir);
    /* size - 1 bytes fit with their NUL, size bytes do not. */
    assert_int_equal(lf_file_write_atomic(path, "1234567", 7, 0644), 0);
    assert_int_equal(lf_file_read_small(path, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "1234567");
    assert_int_equal(lf_file_write_atomic(path, "12345678", 8, 0644), 0);
    assert_int_equal(lf_file_read_small(path, buf, sizeof(buf)), EFBIG);
    /* Even when the last byte is the newline that would go. */
    assert_int_equal(lf_file_write_atomic(path, "1234567\n", 8, 0644), 0);
    assert_int_equal(lf_file_read_small(path, buf, sizeof(buf)), EFBIG);
}

static void
read_small_refuses_links_and_missing(void **state)
{
    char dir[256];
    char path[PATH_MAX + 8];
    char link[PATH_MAX + 8];
    char buf[16];

    (void)state;
    subdir("read-link", dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/f", dir);
    snprintf(link, sizeof(link), "%s/l", dir);
    assert_int_equal(lf_file_read_small(path, buf, sizeof(buf)), ENOENT);
    assert_int_equal(lf_file_write_atomic(path, "secret", 6, 0644), 0);
    assert_int_equal(symlink(path, link), 0);
    assert_int_equal(lf_file_read_small(link, buf, sizeof(buf)), ELOOP);
}

static int
open_owned(const char *path, int flags, uid_t uid, gid_t gid, uid_t also,
           int *fd, const char **why)
{
    *fd = -1;
    *why = NULL;
    return lf_file_open_owned(path, flags, 0640, uid, gid, also, fd, why);
}

static void
open_owned_creates_and_reopens(void **state)
{
    char dir[256];
    char path[PATH_MAX + 8];
    char buf[32];
    const char *why;
    struct stat st;
    int fd;

    (void)state;
    subdir("owned", dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/log", dir);
    {
        mode_t old = umask(022);

        assert_int_equal(open_owned(path, O_WRONLY | O_APPEND, getuid(),
                                    getgid(), (uid_t)-1, &fd, &why),
                         0);
        umask(old);
    }
    assert_true(fd >= 0);
    assert_string_equal(why, "");
    /* Blocking again, close-on-exec, appending. */
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    assert_true((fcntl(fd, F_GETFL) & O_APPEND) != 0);
    assert_true((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    assert_int_equal(write(fd, "a\n", 2), 2);
    close(fd);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);

    assert_int_equal(open_owned(path, O_WRONLY | O_APPEND, getuid(), getgid(),
                                (uid_t)-1, &fd, &why),
                     0);
    assert_int_equal(write(fd, "b\n", 2), 2);
    close(fd);
    slurp(path, buf, sizeof(buf));
    assert_string_equal(buf, "a\nb\n");
}

static void
open_owned_refuses_odd_files(void **state)
{
    char dir[256];
    char path[PATH_MAX + 8];
    char other[PATH_MAX + 8];
    const char *why;
    int fd;

    (void)state;
    subdir("odd", dir, sizeof(dir));
    snprintf(other, sizeof(other), "%s/target", dir);
    assert_int_equal(lf_file_write_atomic(other, "keep", 4, 0644), 0);

    snprintf(path, sizeof(path), "%s/symlink", dir);
    assert_int_equal(symlink(other, path), 0);
    assert_int_equal(open_owned(path, O_WRONLY | O_APPEND, getuid(), getgid(),
                                (uid_t)-1, &fd, &why),
                     ELOOP);
    assert_string_equal(why, "it is a symbolic link");
    assert_int_equal(fd, -1);

    /* A dangling link is not followed to create its target either. */
    snprintf(path, sizeof(path), "%s/dangling", dir);
    assert_int_equal(symlink("/nonexistent/lf-file-test", path), 0);
    assert_int_equal(
        open_owned(path, O_WRONLY, getuid(), getgid(), (uid_t)-1, &fd, &why),
        ELOOP);

    snprintf(path, sizeof(path), "%s/hardlink", dir);
    assert_int_equal(link(other, path), 0);
    assert_int_equal(open_owned(path, O_WRONLY | O_APPEND, getuid(), getgid(),
                                (uid_t)-1, &fd, &why),
                     EMLINK);
    assert_string_equal(why, "it has another hard link");
    assert_int_equal(fd, -1);
    /* O_TRUNC would empty it before the checks refuse it: not allowed. */
    assert_int_equal(open_owned(path, O_WRONLY | O_TRUNC, getuid(), getgid(),
                                (uid_t)-1, &fd, &why),
                     EINVAL);
    assert_string_equal(why, "O_TRUNC is not allowed");
    assert_int_equal(fd, -1);
    {
        char kept[8] = "";

        assert_int_equal(lf_file_read_small(other, kept, sizeof(kept)), 0);
        assert_string_equal(kept, "keep");
    }

    /* A FIFO without a reader must not block the open for writing; one
     * opened for reading is no regular file either. */
    snprintf(path, sizeof(path), "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(open_owned(path, O_WRONLY | O_APPEND, getuid(), getgid(),
                                (uid_t)-1, &fd, &why),
                     EINVAL);
    assert_string_equal(why, "it is not a regular file");
    assert_int_equal(
        open_owned(path, O_RDONLY, getuid(), getgid(), (uid_t)-1, &fd, &why),
        EINVAL);
    assert_string_equal(why, "it is not a regular file");
    assert_int_equal(fd, -1);

    snprintf(path, sizeof(path), "%s/dir", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(
        open_owned(path, O_RDONLY, getuid(), getgid(), (uid_t)-1, &fd, &why),
        EINVAL);
    assert_int_equal(
        open_owned(path, O_WRONLY, getuid(), getgid(), (uid_t)-1, &fd, &why),
        EISDIR);
}

/* Owners: root, the service user and the one also named; as root the
 * file created is given to the service user. */
static void
open_owned_checks_the_owner(void **state)
{
    const uid_t user = 64123;
    const gid_t group = 64124;
    const uid_t former = 64125;
    char dir[256];
    char path[PATH_MAX + 8];
    const char *why;
    struct stat st;
    int fd;

    (void)state;
    if (geteuid() != 0) {
        skip();
    }
    subdir("owner", dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/created", dir);
    assert_int_equal(
        open_owned(path, O_WRONLY, user, group, (uid_t)-1, &fd, &why), 0);
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_uid, user);
    assert_int_equal(st.st_gid, group);
    close(fd);

    /* The service user's own file, reopened. */
    assert_int_equal(
        open_owned(path, O_WRONLY, user, group, (uid_t)-1, &fd, &why), 0);
    close(fd);

    /* Another user's file: refused, unless it is the one also named. */
    assert_int_equal(chown(path, former, group), 0);
    assert_int_equal(
        open_owned(path, O_WRONLY, user, group, (uid_t)-1, &fd, &why), EPERM);
    assert_non_null(strstr(why, "belongs to another user"));
    assert_int_equal(fd, -1);
    assert_int_equal(open_owned(path, O_WRONLY, user, group, former, &fd, &why),
                     0);
    close(fd);
    /* An existing file is not given away. */
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_uid, former);

    /* Root's file is accepted and stays root's. */
    snprintf(path, sizeof(path), "%s/roots", dir);
    assert_int_equal(lf_file_write_atomic(path, "", 0, 0640), 0);
    assert_int_equal(
        open_owned(path, O_WRONLY, user, group, (uid_t)-1, &fd, &why), 0);
    close(fd);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_uid, 0);

    /* Created for root itself: root's. */
    snprintf(path, sizeof(path), "%s/for-root", dir);
    assert_int_equal(open_owned(path, O_WRONLY, 0, 0, (uid_t)-1, &fd, &why), 0);
    close(fd);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_uid, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(write_atomic_creates_and_replaces),
        cmocka_unit_test(write_atomic_failure_leaves_nothing),
        cmocka_unit_test(read_small_strips_one_newline),
        cmocka_unit_test(read_small_refuses_what_does_not_fit),
        cmocka_unit_test(read_small_refuses_links_and_missing),
        cmocka_unit_test(open_owned_creates_and_reopens),
        cmocka_unit_test(open_owned_refuses_odd_files),
        cmocka_unit_test(open_owned_checks_the_owner),
    };

    return cmocka_run_group_tests_name("lf_file", tests, setup, teardown);
}

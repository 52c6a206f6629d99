/* Unit tests for lib/lf_buf.c and lib/lf_file.c. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_buf.h"
#include "lf_file.h"

static void
lines_in_pieces(void **state)
{
    struct lf_buf b;
    const char *line = NULL;
    size_t len = 0;

    lf_buf_init(&b, 4096);
    assert_int_equal(lf_buf_append(&b, "PI", 2), 0);
    assert_int_equal(lf_buf_next_line(&b, 100, &line, &len), LF_LINE_NONE);
    assert_int_equal(lf_buf_append(&b, "NG\nLIST\nCO", 10), 0);
    assert_int_equal(lf_buf_next_line(&b, 100, &line, &len), LF_LINE_READY);
    assert_int_equal(len, 4);
    assert_memory_equal(line, "PING", 4);
    assert_int_equal(lf_buf_next_line(&b, 100, &line, &len), LF_LINE_READY);
    assert_memory_equal(line, "LIST", 4);
    assert_int_equal(lf_buf_next_line(&b, 100, &line, &len), LF_LINE_NONE);
    assert_int_equal(lf_buf_pending(&b), 2);
    lf_buf_free(&b);
}

/* An oversized line is reported once and none of its tail becomes a
 * request of its own, however it is split. */
static void
oversized_line_resyncs(void **state)
{
    struct lf_buf b;
    const char *line = NULL;
    size_t len = 0;
    char chunk[50];

    lf_buf_init(&b, 4096);
    memset(chunk, 'A', sizeof(chunk));
    assert_int_equal(lf_buf_append(&b, chunk, sizeof(chunk)), 0);
    assert_int_equal(lf_buf_next_line(&b, 20, &line, &len), LF_LINE_OVERSIZED);
    assert_int_equal(lf_buf_append(&b, "LOCK x y", 8), 0);
    assert_int_equal(lf_buf_next_line(&b, 20, &line, &len), LF_LINE_NONE);
    assert_int_equal(lf_buf_append(&b, "\nPING\n", 6), 0);
    assert_int_equal(lf_buf_next_line(&b, 20, &line, &len), LF_LINE_READY);
    assert_int_equal(len, 4);
    assert_memory_equal(line, "PING", 4);
    /* Oversized but complete in one piece. */
    memset(chunk, 'B', sizeof(chunk));
    chunk[sizeof(chunk) - 1] = '\n';
    assert_int_equal(lf_buf_append(&b, chunk, sizeof(chunk)), 0);
    assert_int_equal(lf_buf_next_line(&b, 20, &line, &len), LF_LINE_OVERSIZED);
    assert_int_equal(lf_buf_next_line(&b, 20, &line, &len), LF_LINE_NONE);
    lf_buf_free(&b);
}

static void
limit_and_printf(void **state)
{
    struct lf_buf b;
    char big[600];

    lf_buf_init(&b, 1000);
    memset(big, 'z', sizeof(big));
    assert_int_equal(lf_buf_append(&b, big, sizeof(big)), 0);
    assert_int_equal(lf_buf_append(&b, big, sizeof(big)), ENOBUFS);
    assert_int_equal(lf_buf_pending(&b), 600);
    assert_int_equal(lf_buf_printf(&b, "%s %d", "n", 42), 0);
    assert_int_equal(lf_buf_pending(&b), 604);
    assert_int_equal(lf_buf_printf(&b, "%.*s", 500, big), ENOBUFS);
    lf_buf_free(&b);
}

static void
fd_roundtrip(void **state)
{
    struct lf_buf out;
    struct lf_buf in;
    size_t n = 99;
    int p[2];

    assert_int_equal(pipe(p), 0);
    lf_buf_init(&out, 1 << 20);
    lf_buf_init(&in, 1 << 20);
    assert_int_equal(lf_buf_printf(&out, "hello\n"), 0);
    assert_int_equal(lf_buf_write_fd(&out, p[1]), 0);
    assert_int_equal(lf_buf_pending(&out), 0);
    close(p[1]);
    assert_int_equal(lf_buf_read_fd(&in, p[0], &n), 0);
    assert_int_equal(n, 6);
    assert_int_equal(lf_buf_read_fd(&in, p[0], &n), 0);
    assert_int_equal(n, 0); /* end of file */
    close(p[0]);
    lf_buf_free(&out);
    lf_buf_free(&in);
}

static void
atomic_file(void **state)
{
    char dir[] = "/tmp/lf_file_test.XXXXXX";
    char path[256];
    char link_path[256];
    char buf[8];

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/f", dir);
    assert_int_equal(lf_file_write_atomic(path, "12\n", 3, 0600), 0);
    assert_int_equal(lf_file_read_small(path, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "12");
    assert_int_equal(lf_file_write_atomic(path, "12345678", 8, 0600), 0);
    assert_int_equal(lf_file_read_small(path, buf, sizeof(buf)), EFBIG);
    unlink(path);
    assert_int_equal(lf_file_read_small(path, buf, sizeof(buf)), ENOENT);
    /* A pid or generation file is never read through a planted link. */
    snprintf(link_path, sizeof(link_path), "%s/link", dir);
    assert_int_equal(lf_file_write_atomic(path, "12\n", 3, 0600), 0);
    assert_int_equal(symlink(path, link_path), 0);
    assert_int_equal(lf_file_read_small(link_path, buf, sizeof(buf)), ELOOP);
    /* Writing one replaces the link, never its target. */
    assert_int_equal(lf_file_write_atomic(link_path, "34\n", 3, 0600), 0);
    assert_int_equal(lf_file_read_small(path, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "12");
    unlink(link_path);
    unlink(path);
    rmdir(dir);
}

/* Errors come back as positive errno values, with nothing read. */
static void
read_fd_errors(void **state)
{
    struct lf_buf in;
    size_t n = 99;
    int p[2];

    (void)state;
    assert_int_equal(pipe2(p, O_NONBLOCK), 0);
    lf_buf_init(&in, 4096);
    assert_int_equal(lf_buf_read_fd(&in, p[0], &n), EAGAIN);
    assert_int_equal(n, 0);
    assert_int_equal(write(p[1], "x\n", 2), 2);
    assert_int_equal(lf_buf_read_fd(&in, p[0], &n), 0);
    assert_int_equal(n, 2);
    /* A full buffer reads nothing more. */
    assert_int_equal(lf_buf_read_fd(&in, p[0], &n), ENOBUFS);
    assert_int_equal(n, 0);
    assert_int_equal(lf_buf_pending(&in), 2);
    lf_buf_free(&in);
    lf_buf_init(&in, 4096);
    assert_int_equal(lf_buf_read_fd(&in, -1, &n), EBADF);
    assert_int_equal(n, 0);
    close(p[0]);
    close(p[1]);
    lf_buf_free(&in);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_in_pieces),
        cmocka_unit_test(oversized_line_resyncs),
        cmocka_unit_test(limit_and_printf),
        cmocka_unit_test(fd_roundtrip),
        cmocka_unit_test(read_fd_errors),
        cmocka_unit_test(atomic_file),
    };

    return cmocka_run_group_tests_name("lf_buf", tests, NULL, NULL);
}

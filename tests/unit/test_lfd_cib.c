/* Unit tests for helper/lfd_cib.c: a write takes no id that could close
 * the XPath it is quoted into (on a CIB file). */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lfd_cib.h"

#define SMALL_CIB                                                              \
    "<cib validate-with=\"pacemaker-3.0\" epoch=\"1\" num_updates=\"0\" "      \
    "admin_epoch=\"0\"><configuration><crm_config/><nodes/><resources>"        \
    "<primitive id=\"p1\" class=\"ocf\" provider=\"pacemaker\" "               \
    "type=\"Dummy\"/></resources><constraints><rsc_location id=\"l1\" "        \
    "rsc=\"p1\" node=\"n1\" score=\"1\"/></constraints></configuration>"       \
    "<status/></cib>"

/* A CIB file for one test, removed whether the test passes or not. */
struct cib_file {
    char path[64];
    struct lfd_cib *cib;
};

static int
cib_file_setup(void **state)
{
    static struct cib_file file;
    int fd;

    snprintf(file.path, sizeof(file.path), "/tmp/lfd-cib-test.XXXXXX");
    file.cib = NULL;
    fd = mkstemp(file.path);
    if (fd < 0) {
        return -1;
    }
    if (write(fd, SMALL_CIB, strlen(SMALL_CIB)) != (ssize_t)strlen(SMALL_CIB)) {
        close(fd);
        unlink(file.path);
        return -1;
    }
    close(fd);
    setenv("CIB_file", file.path, 1);
    setenv("PCMK_logfile", "/dev/null", 1);
    *state = &file;
    return 0;
}

static int
cib_file_teardown(void **state)
{
    struct cib_file *file = *state;

    lfd_cib_disconnect(file->cib);
    unsetenv("CIB_file");
    unlink(file->path);
    return 0;
}

/* An id that is not one by the CIB's rules is refused before anything is
 * sent: "x' or @id!='" quoted into the deletion's XPath matched every
 * element with an id. A valid one goes through. */
static void
apply_takes_only_ids(void **state)
{
    static const char *const hostile[] = {
        "x' or @id!='", "l1'] | //*[@id='p1", "a\"]", "a b", "", "a[1]",
    };
    struct cib_file *file = *state;
    char text[4096];
    struct lfd_change c;
    FILE *f;
    size_t n;

    assert_int_equal(lfd_cib_connect(false, NULL, NULL, NULL, &file->cib), 0);
    memset(&c, 0, sizeof(c));
    c.op = LFD_DELETE;
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        c.id = (char *)hostile[i];
        assert_int_equal(lfd_cib_apply(file->cib, &c), EINVAL);
    }
    /* A set of meta attributes: its resource is quoted too. */
    c.id = (char *)"leapfrog-p1-meta";
    c.parent = (char *)"p1'] | //*[@id='l1";
    assert_int_equal(lfd_cib_apply(file->cib, &c), EINVAL);
    c.parent = NULL;
    c.id = (char *)"not-there";
    assert_int_equal(lfd_cib_apply(file->cib, &c), 0);
    /* The file backend writes the file when it signs off. */
    lfd_cib_disconnect(file->cib);
    file->cib = NULL;
    f = fopen(file->path, "r");
    assert_non_null(f);
    n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    assert_non_null(strstr(text, "id=\"p1\""));
    assert_non_null(strstr(text, "id=\"l1\""));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(apply_takes_only_ids, cib_file_setup,
                                        cib_file_teardown),
    };

    return cmocka_run_group_tests_name("lfd_cib", tests, NULL, NULL);
}

/* Unit tests for helper/lfd_cib.c: which diff notifications can change
 * what a pair needs (format-2 patchsets as pacemaker-based sends them),
 * and that a write takes no id that could close the XPath it is quoted
 * into (on a CIB file). */
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
#include <libxml/parser.h>

#include "lfd_cib.h"

#define LRM "/cib/status/node_state[@id='1']/lrm[@id='1']/lrm_resources"
#define NUM_UPDATES                                                            \
    "<change operation=\"modify\" path=\"/cib\"><change-list>"                 \
    "<change-attr name=\"num_updates\" operation=\"set\" value=\"9\"/>"        \
    "</change-list></change>"

/* Is the diff <diff format="2">BODY</diff> relevant? */
static bool
relevant(const char *body)
{
    char buf[4096];
    xmlDoc *doc;
    bool out;

    snprintf(buf, sizeof(buf), "<diff format=\"2\">%s</diff>", body);
    doc = xmlReadMemory(buf, (int)strlen(buf), "diff.xml", NULL,
                        XML_PARSE_NOBLANKS);
    assert_non_null(doc);
    out = lfd_cib_diff_relevant(xmlDocGetRootElement(doc));
    xmlFreeDoc(doc);
    return out;
}

static void
version_counters_are_not(void **state)
{
    (void)state;
    assert_false(relevant(NUM_UPDATES));
}

static void
operations_recorded_as_started_are_not(void **state)
{
    (void)state;
    /* A first operation on a node: the resource's history is created. */
    assert_false(
        relevant(NUM_UPDATES
                 "<change operation=\"create\" path=\"" LRM "\" position=\"2\">"
                 "<lrm_resource id=\"enq\"><lrm_rsc_op id=\"enq_last_0\" "
                 "operation=\"start\" op-status=\"-1\" rc-code=\"193\"/>"
                 "</lrm_resource></change>"));
    /* The record of an earlier operation, rewritten as started. */
    assert_false(relevant("<change operation=\"modify\" path=\"" LRM
                          "/lrm_resource[@id='enq']/lrm_rsc_op[@id='enq_last_"
                          "0']\"><change-list><change-attr name=\"op-status\" "
                          "operation=\"set\" value=\"-1\"/><change-attr "
                          "name=\"operation\" operation=\"set\" "
                          "value=\"stop\"/></change-list></change>"));
}

static void
finished_operations_are(void **state)
{
    (void)state;
    assert_true(relevant("<change operation=\"modify\" path=\"" LRM
                         "/lrm_resource[@id='enq']/lrm_rsc_op[@id='enq_last_"
                         "0']\"><change-list><change-attr name=\"op-status\" "
                         "operation=\"set\" value=\"0\"/><change-attr "
                         "name=\"rc-code\" operation=\"set\" value=\"0\"/>"
                         "</change-list></change>"));
    /* A result that changes no op-status (a new rc-code) counts. */
    assert_true(relevant("<change operation=\"modify\" path=\"" LRM
                         "/lrm_resource[@id='enq']/lrm_rsc_op[@id='enq_"
                         "monitor_5000']\"><change-list><change-attr "
                         "name=\"rc-code\" operation=\"set\" value=\"7\"/>"
                         "</change-list></change>"));
    /* One finished operation among started ones. */
    assert_true(relevant(
        "<change operation=\"create\" path=\"" LRM "\" position=\"2\">"
        "<lrm_resource id=\"enq\"><lrm_rsc_op id=\"enq_last_0\" "
        "operation=\"start\" op-status=\"0\" rc-code=\"0\"/><lrm_rsc_op "
        "id=\"enq_monitor_5000\" op-status=\"-1\"/></lrm_resource>"
        "</change>"));
    /* History deleted (a cleanup). */
    assert_true(relevant("<change operation=\"delete\" path=\"" LRM
                         "/lrm_resource[@id='enq']\"/>"));
}

static void
attributes_by_name(void **state)
{
    (void)state;
    assert_false(relevant(
        "<change operation=\"create\" path=\"/cib/status/node_state[@id='1']"
        "/transient_attributes[@id='1']/instance_attributes[@id='status-1']\" "
        "position=\"1\"><nvpair id=\"status-1-leapfrog-T1-locks\" "
        "name=\"leapfrog-T1-locks\" value=\"200\"/></change>"));
    assert_true(relevant(
        "<change operation=\"create\" path=\"/cib/status/node_state[@id='1']"
        "/transient_attributes[@id='1']/instance_attributes[@id='status-1']\" "
        "position=\"1\"><nvpair id=\"status-1-fail-count-enq.monitor_5000\" "
        "name=\"fail-count-enq#monitor_5000\" value=\"1\"/></change>"));
}

static void
configuration_and_membership_are(void **state)
{
    (void)state;
    assert_true(relevant("<change operation=\"create\" path=\"/cib/"
                         "configuration/constraints\" position=\"0\">"
                         "<rsc_location id=\"x\" rsc=\"a\" node=\"n\" "
                         "score=\"1\"/></change>"));
    assert_true(relevant("<change operation=\"modify\" path=\"/cib/status/"
                         "node_state[@id='2']\"><change-list><change-attr "
                         "name=\"in_ccm\" operation=\"set\" value=\"false\"/>"
                         "</change-list></change>"));
}

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
        cmocka_unit_test(version_counters_are_not),
        cmocka_unit_test(operations_recorded_as_started_are_not),
        cmocka_unit_test(finished_operations_are),
        cmocka_unit_test(attributes_by_name),
        cmocka_unit_test(configuration_and_membership_are),
        cmocka_unit_test_setup_teardown(apply_takes_only_ids, cib_file_setup,
                                        cib_file_teardown),
    };

    return cmocka_run_group_tests_name("lfd_cib", tests, NULL, NULL);
}

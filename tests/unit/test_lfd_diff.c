/* Unit tests for helper/lfd_diff.c: which diff notifications can change
 * what a pair needs (format-2 patchsets as pacemaker-based sends them),
 * and which a copy of the CIB already holds. Pure: no libcib. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>

#include "lfd_diff.h"

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
    out = lfd_diff_relevant(xmlDocGetRootElement(doc));
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

static xmlDoc *
parse(const char *text)
{
    xmlDoc *doc = xmlReadMemory(text, (int)strlen(text), "x.xml", NULL,
                                XML_PARSE_NOBLANKS);

    assert_non_null(doc);
    return doc;
}

/* Does a copy at epoch 5, num_updates 3 hold the diff to TARGET? */
static bool
in_copy(const char *target)
{
    char buf[512];
    xmlDoc *copy = parse("<cib admin_epoch=\"0\" epoch=\"5\" "
                         "num_updates=\"3\"/>");
    xmlDoc *diff;
    bool out;

    snprintf(buf, sizeof(buf),
             "<diff format=\"2\"><version><source admin_epoch=\"0\" "
             "epoch=\"5\" num_updates=\"2\"/>%s</version></diff>",
             target);
    diff = parse(buf);
    out = lfd_diff_in_copy(xmlDocGetRootElement(copy),
                           xmlDocGetRootElement(diff));
    xmlFreeDoc(diff);
    xmlFreeDoc(copy);
    return out;
}

static void
copy_holds_targets_up_to_its_version(void **state)
{
    (void)state;
    assert_true(in_copy("<target admin_epoch=\"0\" epoch=\"5\" "
                        "num_updates=\"3\"/>"));
    assert_true(in_copy("<target admin_epoch=\"0\" epoch=\"4\" "
                        "num_updates=\"9\"/>"));
    assert_false(in_copy("<target admin_epoch=\"0\" epoch=\"5\" "
                         "num_updates=\"4\"/>"));
    assert_false(in_copy("<target admin_epoch=\"1\" epoch=\"0\" "
                         "num_updates=\"0\"/>"));
    /* No target, or one it cannot read: not held, the patch decides. */
    assert_false(in_copy(""));
    assert_false(in_copy("<target admin_epoch=\"0\" epoch=\"x\" "
                         "num_updates=\"3\"/>"));
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
        cmocka_unit_test(copy_holds_targets_up_to_its_version),
    };

    return cmocka_run_group_tests_name("lfd_diff", tests, NULL, NULL);
}

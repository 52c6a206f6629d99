/*
 * The diff notifications of the CIB, sorted without libcib: most of a
 * busy cluster's updates (lock counts, operations being started, version
 * counters) cost no evaluation.
 */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <libxml/tree.h>

#include "lf_parse.h"
#include "lfd_diff.h"
#include "lfd_xml.h"

/* Does any nvpair in xml carry a name that matters to a pair? */
static bool
names_relevant_attribute(xmlNode *xml)
{
    for (xmlNode *n = xml; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (strcmp((const char *)n->name, "nvpair") == 0) {
            const char *name = lfd_xml_attr(n, "name");

            if (name != NULL
                && (strstr(name, "fail-count") != NULL
                    || strcmp(name, "standby") == 0)) {
                return true;
            }
        }
        if (names_relevant_attribute(n->children)) {
            return true;
        }
    }
    return false;
}

/* A change of the <cib> element's own attributes that only counts
 * versions (every update bumps num_updates) tells nothing new. */
static bool
only_version_attributes(xmlNode *change)
{
    static const char *const counters[] = {
        "num_updates",   "epoch",         "admin_epoch", "cib-last-written",
        "update-origin", "update-client", "update-user",
    };
    xmlNode *list = lfd_xml_child(change, "change-list");

    if (list == NULL) {
        return false;
    }
    for (xmlNode *a = list->children; a != NULL; a = a->next) {
        const char *name;
        bool counter = false;

        if (a->type != XML_ELEMENT_NODE) {
            continue;
        }
        name = lfd_xml_attr(a, "name");
        for (size_t i = 0; name != NULL && i < G_N_ELEMENTS(counters); i++) {
            if (strcmp(name, counters[i]) == 0) {
                counter = true;
            }
        }
        if (!counter) {
            return false;
        }
    }
    return true;
}

/* Count the operation records in xml and its descendants, and those of
 * them that only say an operation has started (op-status -1). */
static void
count_op_records(xmlNode *xml, int *ops, int *pending)
{
    for (xmlNode *n = xml; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (strcmp((const char *)n->name, "lrm_rsc_op") == 0) {
            const char *status = lfd_xml_attr(n, "op-status");

            (*ops)++;
            if (status != NULL && strcmp(status, "-1") == 0) {
                (*pending)++;
            }
        }
        count_op_records(n->children, ops, pending);
    }
}

/* Does this change only record operations as started? An operation in
 * flight holds every decision anyway, and a recurring monitor being set up
 * changes no placement: the evaluation waits for the result. */
static bool
records_pending_only(xmlNode *change)
{
    const char *operation = lfd_xml_attr(change, "operation");
    const char *path = lfd_xml_attr(change, "path");
    bool pending = false;
    int ops = 0;
    int pend = 0;

    if (operation == NULL || path == NULL || strstr(path, "/lrm") == NULL) {
        return false;
    }
    if (strcmp(operation, "create") == 0) {
        count_op_records(change->children, &ops, &pend);
        return ops > 0 && pend == ops;
    }
    if (strcmp(operation, "modify") != 0
        || strstr(path, "/lrm_rsc_op[") == NULL) {
        return false;
    }
    for (xmlNode *a =
             lfd_xml_child(lfd_xml_child(change, "change-list"), "change-attr");
         a != NULL; a = a->next) {
        const char *name = lfd_xml_attr(a, "name");
        const char *value = lfd_xml_attr(a, "value");

        if (a->type == XML_ELEMENT_NODE && name != NULL
            && strcmp(name, "op-status") == 0) {
            pending = (value != NULL && strcmp(value, "-1") == 0);
        }
    }
    return pending;
}

/* Could this patchset change what a pair needs? Configuration changes,
 * membership, finished operations, fail-counts and standby can; operations
 * only recorded as started and the rest of the transient attributes (lock
 * counts, pingd values, ...) cannot, and cost no evaluation. */
bool
lfd_diff_relevant(xmlNode *diff)
{
    for (xmlNode *c = diff->children; c != NULL; c = c->next) {
        const char *path;

        if (c->type != XML_ELEMENT_NODE
            || strcmp((const char *)c->name, "change") != 0) {
            continue;
        }
        path = lfd_xml_attr(c, "path");
        if (path != NULL && strcmp(path, "/cib") == 0
            && only_version_attributes(c)) {
            continue;
        }
        if (records_pending_only(c)) {
            continue;
        }
        if (path == NULL || strncmp(path, "/cib/status", 11) != 0
            || strstr(path, "transient_attributes") == NULL) {
            return true;
        }
        if (strstr(path, "fail-count") != NULL
            || strstr(path, "standby") != NULL
            || names_relevant_attribute(c->children)) {
            return true;
        }
    }
    return false;
}

bool
lfd_diff_in_copy(xmlNode *copy, xmlNode *diff)
{
    static const char *const fields[] = {"admin_epoch", "epoch", "num_updates"};
    xmlNode *target = lfd_xml_child(lfd_xml_child(diff, "version"), "target");

    if (target == NULL) {
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        long long have = 0;
        long long want = 0;
        const char *h = lfd_xml_attr(copy, fields[i]);
        const char *w = lfd_xml_attr(target, fields[i]);

        if (h == NULL || w == NULL || lf_parse_long(h, 0, INT64_MAX, &have) != 0
            || lf_parse_long(w, 0, INT64_MAX, &want) != 0) {
            return false;
        }
        if (have != want) {
            return have > want;
        }
    }
    return true;
}

/*
 * The CIB connection, on the model of sbd's sbd-pacemaker.c: signon with
 * retry, a dnotify that arms a reconnect timer, diff notifications sorted
 * into those a pair can depend on and the rest. The copy of the CIB is
 * read when an evaluation needs it and then kept current from the
 * notifications' patches while the cluster is busy, so the evaluations of
 * one transition cost no reads; after a quiet period without evaluations
 * it is freed, so at rest the daemon's memory does not grow with the CIB.
 * An observer (the benchmark) can keep the copy for good.
 *
 * Pacemaker's C API shrinks from release to release (3.0.0 removed
 * create_xml_node() and add_node_copy() and declares crm_element_value()
 * and crm_xml_add() in no public header), so XML is read and built here
 * with libxml2 alone: libcib copies what it is given. What Pacemaker
 * offers no replacement for (free_xml()) is probed by configure.
 */
#include <config.h>

#include <errno.h>
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crm/cib.h>
#include <crm/common/logging.h>
#include <crm/common/results.h>
#include <crm/common/util.h>
#include <crm/common/xml.h>
#include <crm/crm.h>
#include <glib.h>
#include <libxml/tree.h>
#include <qb/qblog.h>

#include "lf_log.h"
#include "lf_parse.h"
#include "lfd_cib.h"

#define RECONNECT_MS 1000
#define COLD_AFTER_MS 5000 /* free the copy after this long without use */

/* The notification type of CIB diffs, as the CIB daemon spells it on the
 * wire (2.1's T_CIB_DIFF_NOTIFY, deprecated in 3.0). */
#define DIFF_NOTIFY "cib_diff_notify"

struct lfd_cib {
    cib_t *conn;
    xmlNode *copy;    /* NULL when cold */
    bool keep;        /* keep the copy for good */
    guint cold_timer; /* frees the copy after a quiet period */
    bool watch;
    bool connected;
    guint reconnect_timer;
    lfd_cib_changed_fn changed;
    lfd_cib_reconnected_fn reconnected;
    void *arg;
    unsigned long skipped; /* notifications that needed no evaluation */
};

/* libcib calls back without user data: the daemon has one connection. */
static struct lfd_cib *the_cib;

static void
pcmk_sink(int priority, const char *msg)
{
    qb_log_from_external_source(__func__, __FILE__, "%s", priority, __LINE__, 0,
                                msg);
}

void
lfd_cib_log_init(int argc, char **argv, bool to_stderr, bool verbose)
{
    crm_log_init("leapfrogd", verbose ? LOG_DEBUG : LOG_INFO, TRUE, to_stderr,
                 argc, argv, FALSE);
    lf_log_set_sink(pcmk_sink);
}

/* An attribute's value, "" when empty, NULL when absent. */
static const char *
attr_value(const xmlNode *node, const char *name)
{
    const xmlAttr *a = xmlHasProp(node, (const xmlChar *)name);

    if (a == NULL || a->type != XML_ATTRIBUTE_NODE) {
        return NULL;
    }
    if (a->children == NULL || a->children->content == NULL) {
        return "";
    }
    return (const char *)a->children->content;
}

/* Free XML that libcib returned. Pacemaker 3 hangs private data on every
 * node that only its free_xml() releases (deprecated, with no public
 * replacement); without it the document goes, and that data leaks. */
static void
free_cib_xml(xmlNode *xml)
{
#if HAVE_DECL_FREE_XML
    free_xml(xml);
#else
    if (xml->doc != NULL && xmlDocGetRootElement(xml->doc) == xml) {
        xmlFreeDoc(xml->doc);
    } else {
        xmlUnlinkNode(xml);
        xmlFreeNode(xml);
    }
#endif
}

static int
legacy_rc(int rc)
{
    return pcmk_legacy2rc(rc);
}

const char *
lfd_cib_strerror(int rc)
{
    return pcmk_rc_str(rc);
}

static int
full_query(struct lfd_cib *cib)
{
    xmlNode *xml = NULL;
    /* Served by the local CIB daemon (2.1's cib_scope_local is implied
     * for queries, and deprecated in 3.0). */
    int rc = cib->conn->cmds->query(cib->conn, NULL, &xml, cib_sync_call);

    if (rc != pcmk_ok) {
        return legacy_rc(rc);
    }
    if (cib->copy != NULL) {
        free_cib_xml(cib->copy);
    }
    cib->copy = xml;
    return 0;
}

int
lfd_cib_refresh(struct lfd_cib *cib)
{
    return full_query(cib);
}

unsigned long
lfd_cib_skipped(const struct lfd_cib *cib)
{
    return cib->skipped;
}

xmlNode *
lfd_cib_xml(struct lfd_cib *cib)
{
    if (cib->copy == NULL) {
        int rc = full_query(cib);

        if (rc != 0) {
            lf_warn("cannot read the CIB: %s", pcmk_rc_str(rc));
        }
    }
    return cib->copy;
}

static void
drop_copy(struct lfd_cib *cib)
{
    if (cib->copy == NULL) {
        return;
    }
    free_cib_xml(cib->copy);
    cib->copy = NULL;
#ifdef HAVE_MALLOC_TRIM
    /* A CIB is many small allocations: give the pages back. */
    (void)malloc_trim(0);
#endif
}

static gboolean
go_cold(gpointer data)
{
    struct lfd_cib *cib = data;

    cib->cold_timer = 0;
    drop_copy(cib);
    return G_SOURCE_REMOVE;
}

void
lfd_cib_release(struct lfd_cib *cib)
{
    if (cib->keep || cib->copy == NULL) {
        return;
    }
    if (!cib->watch) {
        drop_copy(cib);
        return;
    }
    if (cib->cold_timer != 0) {
        g_source_remove(cib->cold_timer);
    }
    cib->cold_timer = g_timeout_add(COLD_AFTER_MS, go_cold, cib);
}

void
lfd_cib_keep_copy(struct lfd_cib *cib)
{
    cib->keep = true;
    if (cib->copy == NULL) {
        (void)lfd_cib_xml(cib);
    }
}

static xmlNode *
first_child_named(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent != NULL ? parent->children : NULL; c != NULL;
         c = c->next) {
        if (c->type == XML_ELEMENT_NODE
            && strcmp((const char *)c->name, name) == 0) {
            return c;
        }
    }
    return NULL;
}

/* Does any nvpair in xml carry a name that matters to a pair? */
static bool
names_relevant_attribute(xmlNode *xml)
{
    for (xmlNode *n = xml; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (strcmp((const char *)n->name, "nvpair") == 0) {
            const char *name = attr_value(n, "name");

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
    xmlNode *list = first_child_named(change, "change-list");

    if (list == NULL) {
        return false;
    }
    for (xmlNode *a = list->children; a != NULL; a = a->next) {
        const char *name;
        bool counter = false;

        if (a->type != XML_ELEMENT_NODE) {
            continue;
        }
        name = attr_value(a, "name");
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
            const char *status = attr_value(n, "op-status");

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
    const char *operation = attr_value(change, "operation");
    const char *path = attr_value(change, "path");
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
    for (xmlNode *a = first_child_named(
             first_child_named(change, "change-list"), "change-attr");
         a != NULL; a = a->next) {
        const char *name = attr_value(a, "name");
        const char *value = attr_value(a, "value");

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
lfd_cib_diff_relevant(xmlNode *diff)
{
    for (xmlNode *c = diff->children; c != NULL; c = c->next) {
        const char *path;

        if (c->type != XML_ELEMENT_NODE
            || strcmp((const char *)c->name, "change") != 0) {
            continue;
        }
        path = attr_value(c, "path");
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

/* Does the copy already hold what this patchset leads to? A patchset sent
 * before the copy was read arrives after it. */
static bool
copy_has(xmlNode *copy, xmlNode *diff)
{
    static const char *const fields[] = {"admin_epoch", "epoch", "num_updates"};
    xmlNode *target =
        first_child_named(first_child_named(diff, "version"), "target");

    if (target == NULL) {
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        long long have = 0;
        long long want = 0;
        const char *h = attr_value(copy, fields[i]);
        const char *w = attr_value(target, fields[i]);

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

/* A diff notification: is it one a pair can depend on? A copy (while
 * warm, or kept) is patched, or dropped when the patch does not apply. */
static void
diff_notify(const char *event, xmlNode *msg)
{
    struct lfd_cib *cib = the_cib;
    xmlNode *result;
    xmlNode *diff;
    int rc = -1;

    (void)event;
    if (cib == NULL) {
        return;
    }
    result = first_child_named(msg, "cib_update_result");
    diff = first_child_named(result, "diff");
    if (cib->copy == NULL) {
        /* Cold: nothing to patch; the next evaluation reads the CIB. */
        if (diff != NULL && !lfd_cib_diff_relevant(diff)) {
            cib->skipped++;
            return;
        }
        cib->changed(cib->arg);
        return;
    }
    if (diff != NULL) {
        rc = copy_has(cib->copy, diff)
                 ? pcmk_ok
                 : xml_apply_patchset(cib->copy, diff, TRUE);
        if (rc == pcmk_ok && !lfd_cib_diff_relevant(diff)) {
            cib->skipped++;
            return;
        }
    }
    if (rc != pcmk_ok) {
        /* The next evaluation reads the CIB whole, as when cold. */
        lf_debug("patch did not apply (%d); dropping the copy", rc);
        drop_copy(cib);
    }
    cib->changed(cib->arg);
}

static int
signon(struct lfd_cib *cib)
{
    int rc = cib->conn->cmds->signon(cib->conn, "leapfrogd", cib_command);

    if (rc != pcmk_ok) {
        return legacy_rc(rc);
    }
    cib->connected = true;
    return 0;
}

static void connection_lost(gpointer user_data);

static int
subscribe(struct lfd_cib *cib)
{
    int rc =
        cib->conn->cmds->set_connection_dnotify(cib->conn, connection_lost);

    if (rc == pcmk_ok) {
        rc = cib->conn->cmds->add_notify_callback(cib->conn, DIFF_NOTIFY,
                                                  diff_notify);
    }
    return (rc == pcmk_ok) ? 0 : legacy_rc(rc);
}

static gboolean
reconnect(gpointer data)
{
    struct lfd_cib *cib = data;
    int rc;

    cib->reconnect_timer = 0;
    (void)cib->conn->cmds->signoff(cib->conn);
    rc = signon(cib);
    if (rc == 0) {
        rc = subscribe(cib);
    }
    if (rc == 0) {
        rc = full_query(cib);
    }
    if (rc != 0) {
        lf_debug("CIB not reachable yet: %s", pcmk_rc_str(rc));
        cib->connected = false;
        cib->reconnect_timer = g_timeout_add(RECONNECT_MS, reconnect, cib);
        return G_SOURCE_REMOVE;
    }
    lf_notice("reconnected to the CIB");
    cib->reconnected(cib->arg);
    return G_SOURCE_REMOVE;
}

static void
connection_lost(gpointer user_data)
{
    struct lfd_cib *cib = the_cib;

    (void)user_data;
    if (cib == NULL || !cib->watch || cib->reconnect_timer != 0) {
        return;
    }
    cib->connected = false;
    lf_warn("lost the CIB connection; reconnecting");
    cib->reconnect_timer = g_timeout_add(RECONNECT_MS, reconnect, cib);
}

int
lfd_cib_connect(bool watch, lfd_cib_changed_fn changed,
                lfd_cib_reconnected_fn reconnected, void *arg,
                struct lfd_cib **out)
{
    struct lfd_cib *cib = calloc(1, sizeof(*cib));
    int rc;

    if (cib == NULL) {
        return ENOMEM;
    }
    /* Pacemaker's XML set-up, before a CIB_file signon, or it fails (a
     * no-op after lfd_cib_log_init(); 2.1's crm_xml_init() is deprecated
     * in 3.0). */
    crm_log_preinit("leapfrogd", 0, NULL);
    cib->conn = cib_new();
    if (cib->conn == NULL) {
        free(cib);
        return ENOMEM;
    }
    cib->watch = watch;
    cib->changed = changed;
    cib->reconnected = reconnected;
    cib->arg = arg;
    the_cib = cib;
    rc = signon(cib);
    if (rc == 0 && watch) {
        rc = subscribe(cib);
        if (rc != 0 && getenv("CIB_file") != NULL) {
            /* A CIB file sends no notifications: evaluate once, then
             * idle. Tests use this. */
            lf_notice("CIB_file: no change notifications");
            rc = 0;
        }
    }
    if (rc == 0) {
        rc = full_query(cib);
    }
    if (rc != 0) {
        lfd_cib_disconnect(cib);
        return rc;
    }
    *out = cib;
    return 0;
}

void
lfd_cib_disconnect(struct lfd_cib *cib)
{
    if (cib == NULL) {
        return;
    }
    if (cib->reconnect_timer != 0) {
        g_source_remove(cib->reconnect_timer);
    }
    if (cib->cold_timer != 0) {
        g_source_remove(cib->cold_timer);
    }
    /* signoff() fires the dnotify: clear it first. */
    cib->watch = false;
    if (cib->conn != NULL) {
        cib->conn->cmds->set_connection_dnotify(cib->conn, NULL);
        cib->conn->cmds->signoff(cib->conn);
        cib_delete(cib->conn);
    }
    if (cib->copy != NULL) {
        free_cib_xml(cib->copy);
    }
    if (the_cib == cib) {
        the_cib = NULL;
    }
    free(cib);
}

/* A set of meta attributes is written as a modification of its resource:
 * the CIB merges it in by id, adding it when it is new. The resource
 * exists, so the modification creates nothing outside it. */
static int
modify_meta(struct lfd_cib *cib, const struct lfd_change *c)
{
    xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *wrapper = NULL;
    xmlNode *copy = NULL;
    int rc = -ENOMEM;

    if (doc != NULL) {
        wrapper =
            xmlNewDocNode(doc, NULL, (const xmlChar *)c->parent_tag, NULL);
    }
    if (wrapper != NULL) {
        xmlDocSetRootElement(doc, wrapper);
        if (xmlSetProp(wrapper, (const xmlChar *)"id",
                       (const xmlChar *)c->parent)
            != NULL) {
            copy = xmlDocCopyNode(c->xml, doc, 1);
        }
    }
    if (copy != NULL && xmlAddChild(wrapper, copy) != NULL) {
        rc = cib->conn->cmds->modify(cib->conn, "resources", wrapper,
                                     cib_sync_call);
    } else if (copy != NULL) {
        xmlFreeNode(copy);
    }
    if (doc != NULL) {
        xmlFreeDoc(doc);
    }
    return rc;
}

/* The XPath expressions below quote ids: safe only because an id by the
 * CIB's rules (lfd_id_valid()) holds no quote, bracket or space. An id
 * that is not one is refused here, whoever built the change. */
int
lfd_cib_apply(struct lfd_cib *cib, const struct lfd_change *c)
{
    const int opts = cib_sync_call;
    char xpath[512 + LFD_ID_MAX];
    bool meta = (c->parent != NULL);
    int rc;

    if (!cib->connected) {
        return ENOTCONN;
    }
    if (!lfd_id_valid(c->id) || (meta && !lfd_id_valid(c->parent))) {
        return EINVAL;
    }
    if (meta) {
        snprintf(xpath, sizeof(xpath),
                 "/cib/configuration/resources//meta_attributes[@id='%s']",
                 c->id);
    } else {
        snprintf(xpath, sizeof(xpath),
                 "/cib/configuration/constraints/*[@id='%s']", c->id);
    }
    switch (c->op) {
    case LFD_DELETE:
        /* Ids are unique in the CIB: wherever it hangs, it goes. */
        snprintf(xpath, sizeof(xpath), "/cib/configuration//*[@id='%s']",
                 c->id);
        rc = cib->conn->cmds->remove(cib->conn, xpath, NULL, opts | cib_xpath);
        break;
    case LFD_REPLACE:
        if (meta) {
            rc = modify_meta(cib, c);
            break;
        }
        rc = cib->conn->cmds->replace(cib->conn, xpath, c->xml,
                                      opts | cib_xpath);
        if (rc != -ENXIO) {
            break;
        }
        /* Gone meanwhile: create it. */
        /* fall through */
    case LFD_CREATE:
    default:
        /* An element that appeared with this id meanwhile is not
         * overwritten: the create fails, and the next evaluation sees
         * whose it is. */
        if (meta) {
            rc = modify_meta(cib, c);
        } else {
            rc =
                cib->conn->cmds->create(cib->conn, "constraints", c->xml, opts);
        }
        break;
    }
    return (rc == pcmk_ok) ? 0 : legacy_rc(rc);
}

/*
 * The CIB connection, on the model of sbd's sbd-pacemaker.c: signon with
 * retry, a dnotify that arms a reconnect timer, diff notifications sorted
 * (by lfd_diff.c) into those a pair can depend on and the rest. The copy
 * of the CIB is read when an evaluation needs it and then kept current
 * from the notifications' patches while the cluster is busy, so the
 * evaluations of one transition cost no reads; after a quiet period
 * without evaluations it is freed, so at rest the daemon's memory does not
 * grow with the CIB.
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
#include "lfd_cib.h"
#include "lfd_diff.h"
#include "lfd_xml.h"

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

/* The one conversion of libcib's legacy codes (see lfd_cib_strerror()). */
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
    result = lfd_xml_child(msg, "cib_update_result");
    diff = lfd_xml_child(result, "diff");
    if (cib->copy == NULL) {
        /* Cold: nothing to patch; the next evaluation reads the CIB. */
        if (diff != NULL && !lfd_diff_relevant(diff)) {
            cib->skipped++;
            return;
        }
        cib->changed(cib->arg);
        return;
    }
    if (diff != NULL) {
        rc = lfd_diff_in_copy(cib->copy, diff)
                 ? pcmk_ok
                 : xml_apply_patchset(cib->copy, diff, TRUE);
        if (rc == pcmk_ok && !lfd_diff_relevant(diff)) {
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

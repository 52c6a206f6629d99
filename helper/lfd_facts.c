/*
 * The facts about the cluster, read from the CIB once per derivation: pure
 * code over libxml2 and GLib, no I/O.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <libxml/xpath.h>

#include "lf_parse.h"
#include "lfd_derive.h"
#include "lfd_facts.h"
#include "lfd_ours.h"
#include "lfd_xml.h"

xmlXPathObject *
lfd_facts_query(const struct lfd_facts *facts, const char *expr)
{
    xmlXPathObject *obj =
        xmlXPathEvalExpression((const xmlChar *)expr, facts->xpath);

    if (obj != NULL && obj->nodesetval == NULL) {
        xmlXPathFreeObject(obj);
        return NULL;
    }
    return obj;
}

xmlNode *
lfd_facts_resource(const struct lfd_facts *facts, const char *id)
{
    return (id != NULL) ? g_hash_table_lookup(facts->resources, id) : NULL;
}

xmlNode *
lfd_facts_owned(const struct lfd_facts *facts, const char *id,
                const char **parent)
{
    xmlNode *found = g_hash_table_lookup(facts->owned, id);

    *parent = NULL;
    if (found != NULL && lfd_xml_is(found, "meta_attributes")) {
        *parent = lfd_xml_attr(found->parent, "id");
    }
    return found;
}

const char *
lfd_facts_user_meta(xmlNode *rsc, const char *name)
{
    for (xmlNode *m = rsc->children; m != NULL; m = m->next) {
        if (!lfd_xml_is(m, "meta_attributes")) {
            continue;
        }
        for (xmlNode *nv = m->children; nv != NULL; nv = nv->next) {
            if (lfd_xml_is(nv, "nvpair") && lfd_xml_attr_is(nv, "name", name)
                && !lfd_ours_nvpair(nv)) {
                return lfd_xml_attr(nv, "value");
            }
        }
    }
    return NULL;
}

bool
lfd_facts_declares(xmlNode *rsc)
{
    for (xmlNode *m = rsc->children; m != NULL; m = m->next) {
        if (!lfd_xml_is(m, "meta_attributes")) {
            continue;
        }
        for (xmlNode *nv = m->children; nv != NULL; nv = nv->next) {
            if (lfd_xml_is(nv, "nvpair")
                && lfd_xml_attr_is(nv, "name", "leapfrog-follows")
                && !lfd_ours_nvpair(nv)) {
                return true;
            }
        }
    }
    return false;
}

size_t
lfd_facts_primitives(xmlNode *rsc, xmlNode **out, size_t max)
{
    size_t n = 0;

    if (lfd_xml_is(rsc, "primitive")) {
        out[n++] = rsc;
        return n;
    }
    for (xmlNode *c = rsc->children; c != NULL && n < max; c = c->next) {
        if (lfd_xml_is(c, "primitive")) {
            out[n++] = c;
        }
    }
    return n;
}

bool
lfd_facts_enqueue_marker(xmlNode *rsc, char *out, size_t size)
{
    xmlNode *prims[64];
    size_t n = lfd_facts_primitives(rsc, prims, 64);

    for (size_t i = 0; i < n; i++) {
        if (!lfd_xml_attr_is(prims[i], "provider", "leapfrog")
            || !lfd_xml_attr_is(prims[i], "type", "enqueue")) {
            continue;
        }
        for (xmlNode *ia = prims[i]->children; ia != NULL; ia = ia->next) {
            if (!lfd_xml_is(ia, "instance_attributes")) {
                continue;
            }
            for (xmlNode *nv = ia->children; nv != NULL; nv = nv->next) {
                if (lfd_xml_is(nv, "nvpair")
                    && lfd_xml_attr_is(nv, "name", "instance")
                    && lfd_xml_attr(nv, "value") != NULL) {
                    snprintf(out, size, "leapfrog-%s-locks",
                             lfd_xml_attr(nv, "value"));
                    return true;
                }
            }
        }
    }
    return false;
}

static bool
node_online(const xmlNode *ns)
{
    const char *ccm = lfd_xml_attr(ns, "in_ccm");
    const char *crmd = lfd_xml_attr(ns, "crmd");
    const char *join = lfd_xml_attr(ns, "join");

    /* 2.1.5 writes "true"/"online"; later versions write timestamps. */
    return ccm != NULL && strcmp(ccm, "false") != 0 && strcmp(ccm, "0") != 0
           && crmd != NULL && strcmp(crmd, "offline") != 0
           && strcmp(crmd, "0") != 0 && join != NULL
           && strcmp(join, "member") == 0;
}

static long long
num_attr(const xmlNode *n, const char *name, long long def)
{
    const char *v = lfd_xml_attr(n, name);
    long long x = def;

    if (v == NULL
        || lf_parse_long(v, -1000000000LL, 1000000000000LL, &x) != 0) {
        return def;
    }
    return x;
}

/* Is the primitive active according to one node's operation history? The
 * newest non-recurring operation decides; a newer recurring monitor that
 * found it stopped overrides. A failure reported without a monitor (the
 * fail request's "asyncmon", from lf-watch or crm_resource --fail) leaves
 * it active, as a failed monitor does: Pacemaker stops it there first. */
static bool
history_active(xmlNode *lrm_rsc)
{
    xmlNode *last = NULL;
    long long last_call = -1;
    long long stopped_call = -1;
    bool active = false;

    for (xmlNode *op = lrm_rsc->children; op != NULL; op = op->next) {
        long long call;
        long long interval;

        if (!lfd_xml_is(op, "lrm_rsc_op")) {
            continue;
        }
        call = num_attr(op, "call-id", -1);
        interval = num_attr(op, "interval", 0);
        if (interval != 0) {
            if (num_attr(op, "rc-code", 0) == 7 && call > stopped_call) {
                stopped_call = call;
            }
            continue;
        }
        if (call > last_call) {
            last_call = call;
            last = op;
        }
    }
    if (last != NULL) {
        const char *operation = lfd_xml_attr(last, "operation");
        long long rc = num_attr(last, "rc-code", 1);

        if (operation == NULL) {
            active = false;
        } else if (strcmp(operation, "stop") == 0) {
            active = (rc != 0);
        } else if (strcmp(operation, "monitor") == 0) {
            active = (rc == 0 || rc == 8);
        } else if (strcmp(operation, "asyncmon") == 0) {
            active = true;
        } else if (strcmp(operation, "start") == 0
                   || strcmp(operation, "promote") == 0
                   || strcmp(operation, "demote") == 0
                   || strcmp(operation, "migrate_from") == 0) {
            active = (rc == 0 || rc == 8);
        }
    }
    if (active && stopped_call > last_call) {
        active = false;
    }
    return active;
}

/* Where the primitive is active; NULL when nowhere. *several is set when
 * it is active on more than one node (the scheduler will sort that out
 * first: no decision is to be taken on such a state). */
static const char *
primitive_node(const struct lfd_facts *facts, xmlNode *prim, bool *several)
{
    const char *id = lfd_xml_attr(prim, "id");
    GPtrArray *list =
        (id != NULL) ? g_hash_table_lookup(facts->history, id) : NULL;
    const char *node = NULL;

    for (guint i = 0; list != NULL && i < list->len; i++) {
        xmlNode *r = g_ptr_array_index(list, i);
        xmlNode *ns = r->parent->parent->parent;

        if (node_online(ns) && history_active(r)) {
            if (node != NULL) {
                *several = true;
                break;
            }
            node = lfd_xml_attr(ns, "uname");
        }
    }
    return node;
}

/* Is the primitive disabled by its own target-role? */
static bool
disabled(xmlNode *prim)
{
    const char *role = lfd_facts_user_meta(prim, "target-role");

    return role != NULL && g_ascii_strcasecmp(role, "Stopped") == 0;
}

/* A group runs where its last member runs, else where any member does.
 * *partial is set when the group is still on its way there: a member it
 * starts (up to the first disabled one) is not active there yet. */
static const char *
resource_node(const struct lfd_facts *facts, xmlNode *rsc, bool *several,
              bool *partial)
{
    xmlNode *prims[64];
    size_t n = lfd_facts_primitives(rsc, prims, 64);
    const char *nodes[64];
    const char *found = NULL;

    for (size_t i = n; i > 0; i--) {
        nodes[i - 1] = primitive_node(facts, prims[i - 1], several);
        if (nodes[i - 1] != NULL && found == NULL) {
            found = nodes[i - 1];
        }
    }
    *partial = false;
    for (size_t i = 0; found != NULL && i < n && !disabled(prims[i]); i++) {
        if (nodes[i] == NULL || strcmp(nodes[i], found) != 0) {
            *partial = true;
        }
    }
    return found;
}

/* The guard against acting on a half-built status section (read once by
 * lfd_facts_read_status()). */
const char *
lfd_facts_unsettled(const struct lfd_facts *facts)
{
    const char *dc = lfd_xml_attr(facts->cib, "dc-uuid");

    if (dc == NULL || *dc == '\0') {
        return "no DC elected";
    }
    if (facts->lrm_missing) {
        return "an online node has no resource history yet";
    }
    if (!facts->dc_online) {
        return "the DC is not an online member";
    }
    if (facts->in_flight) {
        return "an operation is in flight";
    }
    return NULL;
}

/* A start, stop or probe not finished yet (op-status -1). A recurring
 * monitor being set up does not move anything and does not count. */
static bool
op_in_flight(const xmlNode *op)
{
    const char *interval = lfd_xml_attr(op, "interval");

    return lfd_xml_is(op, "lrm_rsc_op")
           && lfd_xml_attr_is(op, "op-status", "-1")
           && (interval == NULL || strcmp(interval, "0") == 0);
}

/* Has every online node probed this primitive? */
static bool
probed_everywhere(const struct lfd_facts *facts, xmlNode *prim)
{
    const char *id = lfd_xml_attr(prim, "id");
    GPtrArray *list =
        (id != NULL) ? g_hash_table_lookup(facts->history, id) : NULL;
    int probed = 0;

    for (guint i = 0; list != NULL && i < list->len; i++) {
        xmlNode *r = g_ptr_array_index(list, i);

        if (node_online(r->parent->parent->parent)) {
            probed++;
        }
    }
    return probed >= facts->online;
}

static bool
node_standby(const struct lfd_facts *facts, const xmlNode *ns)
{
    char expr[512];
    xmlXPathObject *obj;
    bool standby = false;
    const char *id = lfd_xml_attr(ns, "id");

    if (id == NULL || strchr(id, '\'') != NULL) {
        return false;
    }
    snprintf(expr, sizeof(expr),
             "/cib/configuration/nodes/node[@id='%s']//nvpair[@name="
             "'standby'] | /cib/status/node_state[@id='%s']"
             "/transient_attributes//nvpair[@name='standby']",
             id, id);
    obj = lfd_facts_query(facts, expr);
    for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++) {
        bool on = false;
        const char *v = lfd_xml_attr(obj->nodesetval->nodeTab[i], "value");

        if (v != NULL && lf_parse_bool(v, &on) == 0 && on) {
            standby = true;
        }
    }
    xmlXPathFreeObject(obj);
    return standby;
}

static bool
score_is_minus_infinity(const char *score)
{
    return score != NULL
           && (strcmp(score, "-INFINITY") == 0 || strcmp(score, "-inf") == 0
               || strcmp(score, "-infinity") == 0);
}

int
lfd_facts_eligible_nodes(const struct lfd_facts *facts, const char *rsc)
{
    int count = 0;

    for (guint i = 0; i < facts->nodes->len; i++) {
        const char *uname =
            lfd_xml_attr(g_ptr_array_index(facts->nodes, i), "uname");
        bool banned = false;

        for (guint j = 0; j < facts->bans->len && !banned; j++) {
            xmlNode *c = g_ptr_array_index(facts->bans, j);

            banned = lfd_xml_attr_is(c, "rsc", rsc)
                     && lfd_xml_attr_is(c, "node", uname);
        }
        if (!banned) {
            count++;
        }
    }
    return count;
}

static char *
tie_key(const char *a, const char *b)
{
    return g_strconcat(a, "\n", b, NULL);
}

const char *
lfd_facts_tie(const struct lfd_facts *facts, const char *f, const char *p)
{
    char *k1 = tie_key(f, p);
    char *k2 = tie_key(p, f);
    const char *found = g_hash_table_lookup(facts->ties, k1);

    if (found == NULL) {
        found = g_hash_table_lookup(facts->ties, k2);
    }
    g_free(k1);
    g_free(k2);
    return found;
}

const char *
lfd_facts_cluster_property(const struct lfd_facts *facts, const char *name)
{
    char exprs[2][256];
    const char *value = NULL;

    snprintf(exprs[0], sizeof(exprs[0]),
             "/cib/configuration/crm_config/cluster_property_set"
             "[@id='cib-bootstrap-options']/nvpair[@name='%s']",
             name);
    snprintf(exprs[1], sizeof(exprs[1]),
             "/cib/configuration/crm_config/cluster_property_set"
             "/nvpair[@name='%s']",
             name);
    for (size_t i = 0; i < 2 && value == NULL; i++) {
        xmlXPathObject *obj = lfd_facts_query(facts, exprs[i]);

        if (obj != NULL && obj->nodesetval->nodeNr > 0) {
            value = lfd_xml_attr(obj->nodesetval->nodeTab[0], "value");
        }
        xmlXPathFreeObject(obj);
    }
    return value;
}

static void
free_array(gpointer list)
{
    g_ptr_array_free(list, TRUE);
}

/* `cibadmin --upgrade` to the pacemaker-4.0 schema (upgrade-3.10-2.xsl)
 * splits a location with several top-level rules, as earlier versions of
 * leapfrogd wrote them, into locations "pcmk__3_10_upgrade-<id>-<n>", one
 * rule each. Those of an id of ours, of our shape (lfd_ours_upgrade_piece()),
 * are ours: indexed under that id, they are deleted when the element is
 * written. Is c such a piece? */
static bool
upgrade_leftover(struct lfd_facts *facts, xmlNode *c, const char *id)
{
    char *orig = NULL;
    GPtrArray *pieces;

    if (!lfd_ours_upgrade_piece(c, id, &orig)) {
        return false;
    }
    pieces = g_hash_table_lookup(facts->leftovers, orig);
    if (pieces == NULL) {
        pieces = g_ptr_array_new();
        g_hash_table_insert(facts->leftovers, orig, pieces);
    } else {
        g_free(orig);
    }
    g_ptr_array_add(pieces, (gpointer)id);
    return true;
}

/* Is n inside an element of ours (or one itself)? */
static bool
within_ours(const struct lfd_facts *facts, const xmlNode *n)
{
    for (; n != NULL && n->type == XML_ELEMENT_NODE; n = n->parent) {
        const char *id = lfd_xml_attr(n, "id");

        if (id != NULL && g_hash_table_lookup(facts->owned, id) == n) {
            return true;
        }
    }
    return false;
}

/* Every element of the configuration whose id is in our namespace but
 * that is not ours (nor inside one of ours): somebody else's. Ids are
 * unique in the whole CIB, so any element can hold one a pair needs. */
static void
index_foreign(struct lfd_facts *facts)
{
    xmlXPathObject *obj = lfd_facts_query(
        facts, "/cib/configuration//*[starts-with(@id, 'leapfrog-')]");

    for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++) {
        xmlNode *n = obj->nodesetval->nodeTab[i];

        if (!within_ours(facts, n)) {
            g_hash_table_insert(facts->foreign, (gpointer)lfd_xml_attr(n, "id"),
                                n);
        }
    }
    xmlXPathFreeObject(obj);
}

static void
index_configuration(struct lfd_facts *facts)
{
    xmlXPathObject *obj =
        lfd_facts_query(facts, "/cib/configuration/resources/*");

    for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++) {
        xmlNode *r = obj->nodesetval->nodeTab[i];
        const char *id = lfd_xml_attr(r, "id");

        if (id != NULL) {
            g_hash_table_insert(facts->resources, (gpointer)id, r);
        }
    }
    xmlXPathFreeObject(obj);
    obj = lfd_facts_query(facts, "/cib/configuration/resources//meta_attributes"
                                 "[starts-with(@id, 'leapfrog-')]");
    for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++) {
        xmlNode *m = obj->nodesetval->nodeTab[i];

        if (lfd_element_ours(m)) {
            g_hash_table_insert(facts->owned, (gpointer)lfd_xml_attr(m, "id"),
                                m);
        }
    }
    xmlXPathFreeObject(obj);
    obj = lfd_facts_query(facts, "/cib/configuration/constraints/*");
    for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++) {
        xmlNode *c = obj->nodesetval->nodeTab[i];
        const char *id = lfd_xml_attr(c, "id");
        const char *a = NULL;
        const char *b = NULL;

        if (id == NULL) {
            continue;
        }
        if (lfd_element_ours(c)) {
            g_hash_table_insert(facts->owned, (gpointer)id, c);
            continue;
        }
        /* Somebody else's (an id like ours included): a constraint like
         * any other. */
        if (upgrade_leftover(facts, c, id)) {
            continue;
        }
        if (lfd_xml_is(c, "rsc_location")
            && (strncmp(id, "cli-prefer-", 11) == 0
                || strncmp(id, "cli-ban-", 8) == 0)) {
            g_ptr_array_add(facts->moves, c);
        }
        if (lfd_xml_is(c, "rsc_location") && lfd_xml_attr(c, "node") != NULL
            && score_is_minus_infinity(lfd_xml_attr(c, "score"))) {
            g_ptr_array_add(facts->bans, c);
        } else if (lfd_xml_is(c, "rsc_colocation")) {
            a = lfd_xml_attr(c, "rsc");
            b = lfd_xml_attr(c, "with-rsc");
        } else if (lfd_xml_is(c, "rsc_order")) {
            a = lfd_xml_attr(c, "first");
            b = lfd_xml_attr(c, "then");
        }
        if (a != NULL && b != NULL) {
            g_hash_table_insert(facts->ties, tie_key(a, b), (gpointer)id);
        }
    }
    xmlXPathFreeObject(obj);
}

void
lfd_facts_read_status(struct lfd_facts *facts)
{
    xmlXPathObject *obj = lfd_facts_query(facts, "/cib/status/node_state");
    const char *dc = lfd_xml_attr(facts->cib, "dc-uuid");

    for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++) {
        xmlNode *ns = obj->nodesetval->nodeTab[i];
        xmlNode *rscs =
            lfd_xml_child(lfd_xml_child(ns, "lrm"), "lrm_resources");

        if (node_online(ns)) {
            facts->online++;
            if (dc != NULL && lfd_xml_attr_is(ns, "id", dc)) {
                facts->dc_online = true;
            }
            if (lfd_xml_child(ns, "lrm") == NULL) {
                facts->lrm_missing = true;
            }
            if (!node_standby(facts, ns) && lfd_xml_attr(ns, "uname") != NULL) {
                g_ptr_array_add(facts->nodes, ns);
            }
        }
        for (xmlNode *r = rscs != NULL ? rscs->children : NULL; r != NULL;
             r = r->next) {
            const char *id = lfd_xml_attr(r, "id");
            GPtrArray *list;

            if (!lfd_xml_is(r, "lrm_resource") || id == NULL) {
                continue;
            }
            for (xmlNode *op = r->children; op != NULL && !facts->in_flight;
                 op = op->next) {
                facts->in_flight = op_in_flight(op);
            }
            list = g_hash_table_lookup(facts->history, id);
            if (list == NULL) {
                list = g_ptr_array_new();
                g_hash_table_insert(facts->history, (gpointer)id, list);
            }
            g_ptr_array_add(list, r);
        }
    }
    xmlXPathFreeObject(obj);
}

const char *
lfd_facts_placement(const struct lfd_facts *facts, xmlNode *f_rsc,
                    xmlNode *p_rsc, struct lfd_placement *at)
{
    xmlNode *prims[64];
    size_t n = lfd_facts_primitives(f_rsc, prims, 64);
    bool several = false;

    /* Every node must have probed both, or placement is unknown. */
    n += lfd_facts_primitives(p_rsc, prims + n, 64 - n);
    for (size_t k = 0; k < n; k++) {
        if (!probed_everywhere(facts, prims[k])) {
            return "a node has not probed the pair's resources yet";
        }
    }
    memset(at, 0, sizeof(*at));
    at->f = resource_node(facts, f_rsc, &several, &at->f_partial);
    at->p = resource_node(facts, p_rsc, &several, &at->p_partial);
    if (several) {
        return "a resource of a pair is active on several nodes";
    }
    return NULL;
}

bool
lfd_facts_init(struct lfd_facts *facts, xmlNode *cib)
{
    memset(facts, 0, sizeof(*facts));
    facts->cib = cib;
    facts->xpath = xmlXPathNewContext(cib->doc);
    if (facts->xpath == NULL) {
        return false;
    }
    facts->resources = g_hash_table_new(g_str_hash, g_str_equal);
    facts->history =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, free_array);
    facts->owned = g_hash_table_new(g_str_hash, g_str_equal);
    facts->foreign = g_hash_table_new(g_str_hash, g_str_equal);
    facts->leftovers =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_array);
    facts->ties = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    facts->nodes = g_ptr_array_new();
    facts->bans = g_ptr_array_new();
    facts->moves = g_ptr_array_new();
    index_configuration(facts);
    index_foreign(facts);
    return true;
}

void
lfd_facts_free(struct lfd_facts *facts)
{
    xmlXPathFreeContext(facts->xpath);
    g_hash_table_destroy(facts->resources);
    g_hash_table_destroy(facts->history);
    g_hash_table_destroy(facts->owned);
    g_hash_table_destroy(facts->foreign);
    g_hash_table_destroy(facts->leftovers);
    g_hash_table_destroy(facts->ties);
    g_ptr_array_free(facts->nodes, TRUE);
    g_ptr_array_free(facts->bans, TRUE);
    g_ptr_array_free(facts->moves, TRUE);
}

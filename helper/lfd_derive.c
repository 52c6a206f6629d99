/*
 * The derivation of each pair's constraints: pure code over libxml2, no
 * Pacemaker library and no I/O.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libxml/xpath.h>

#include "lf_parse.h"
#include "lfd_derive.h"

#define FOLLOW_SCORE "2000"
#define PUSH_SCORE "-5000"
#define FRESH_SCORE "100"
#define SHARE_SCORE "5000"
#define F_STICKINESS "5000"
#define META_SCORE "1000"
/* The fence race: see side_priority(). */
#define SURVIVOR_PRIORITY "10"
#define LOSER_PRIORITY "0"

const char *const lfd_kinds[] = {
    "meta", "pmeta", "order", "push", "fresh", "follow", "avoid", "yield",
};
const size_t lfd_nkinds = sizeof(lfd_kinds) / sizeof(lfd_kinds[0]);

/* Indexes built once per derivation, so that the cost grows with the size
 * of the CIB and not with pairs times the size of the CIB. */
struct derive {
    xmlNode *cib;
    xmlDoc *doc;
    xmlXPathContext *xpath;
    struct lfd_result *out;
    size_t pairs_cap;
    size_t changes_cap;
    size_t warnings_cap;
    bool nomem;
    GHashTable *resources; /* id -> top-level resource element */
    GHashTable *history;   /* primitive id -> GPtrArray of lrm_resource */
    GHashTable *owned;     /* id -> element of ours (constraint or meta) */
    GHashTable *foreign;   /* id -> somebody else's element with an id in
                            * our namespace */
    GHashTable *leftovers; /* id of ours -> GPtrArray of the ids of the
                            * pieces an upgrade split it into */
    GHashTable *ties;      /* "A\nB" -> id of a colocation/order of A, B */
    GPtrArray *nodes;      /* online, not standby node_state elements */
    GPtrArray *bans;       /* others' -INFINITY node locations */
    GPtrArray *moves;      /* cli-prefer-/cli-ban- locations (pcs, crm) */
    int online;            /* online node_states */
    bool dc_online;        /* the DC is among them */
    bool lrm_missing;      /* one of them has no resource history yet */
    bool in_flight;        /* a start, stop or probe has not finished */
};

/* ---- small XML helpers ------------------------------------------------ */

static const char *
attr(const xmlNode *node, const char *name)
{
    for (const xmlAttr *a = node->properties; a != NULL; a = a->next) {
        if (strcmp((const char *)a->name, name) == 0) {
            return (a->children != NULL && a->children->content != NULL)
                       ? (const char *)a->children->content
                       : "";
        }
    }
    return NULL;
}

static bool
is(const xmlNode *node, const char *name)
{
    return node != NULL && node->type == XML_ELEMENT_NODE
           && strcmp((const char *)node->name, name) == 0;
}

static bool
attr_is(const xmlNode *node, const char *name, const char *value)
{
    const char *v = attr(node, name);

    return v != NULL && value != NULL && strcmp(v, value) == 0;
}

/* In our namespace: a candidate, not yet ours (lfd_element_ours()). */
static bool
prefixed_id(const char *id)
{
    return id != NULL && strncmp(id, LFD_ID_PREFIX, strlen(LFD_ID_PREFIX)) == 0;
}

static xmlNode *
child(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent != NULL ? parent->children : NULL; c != NULL;
         c = c->next) {
        if (is(c, name)) {
            return c;
        }
    }
    return NULL;
}

/* The kind of an owned id "leapfrog-<F>-<kind>" (its index in lfd_kinds)
 * and the length of F; -1 when it is not one of ours. */
static int
id_kind(const char *id, size_t *f_len)
{
    const char *body;
    size_t len;

    if (!prefixed_id(id)) {
        return -1;
    }
    body = id + strlen(LFD_ID_PREFIX);
    len = strlen(body);
    for (size_t k = 0; k < lfd_nkinds; k++) {
        size_t klen = strlen(lfd_kinds[k]);

        if (len > klen + 1 && body[len - klen - 1] == '-'
            && strcmp(body + len - klen, lfd_kinds[k]) == 0) {
            *f_len = len - klen - 1;
            return (int)k;
        }
    }
    return -1;
}

/* Which pair does an owned id belong to: "leapfrog-<F>-<kind>" -> F. */
static bool
id_pair(const char *id, char *f, size_t size)
{
    size_t f_len = 0;

    if (id_kind(id, &f_len) < 0 || f_len >= size) {
        return false;
    }
    memcpy(f, id + strlen(LFD_ID_PREFIX), f_len);
    f[f_len] = '\0';
    return true;
}

/* ---- what is ours ------------------------------------------------------ */

/*
 * leapfrogd knows its elements by a mark it writes itself, not by their id
 * alone: anyone may name an element "leapfrog-...". Neither schema leaves
 * room for an attribute of free text on what it writes: pacemaker-3.9
 * (Pacemaker 2.1.5) and pacemaker-4.0 (3.0) allow no description (nor any
 * other attribute outside their grammar, in any namespace) on
 * rsc_location, rsc_colocation, rsc_order, rule, expression or
 * meta_attributes, and a meta attribute or a rule added as a flag would
 * change what Pacemaker does. So the mark is the element's shape, all of
 * which leapfrogd writes: an id "leapfrog-<F>-<kind>", the element of that
 * kind with its attributes and no other, leapfrogd's fixed values (the
 * scores, the order's actions and kind), F where the kind names it, and
 * inside a location only rules and expressions whose ids extend the
 * location's ("<id>-..."). Every form any version of leapfrogd wrote has
 * it (the first versions' -avoid on P's node, 0.1's with two rules, the
 * -fresh without asyncmon, the pieces an upgrade split them into), so
 * CIBs of earlier versions need no
 * migration; an element an administrator wrote, or edited out of that
 * shape, is not leapfrogd's: it is never rewritten or deleted, and when
 * it holds an id a declared pair needs, the pair is reported and left
 * alone (lfd_result's warnings). What is written validates on both
 * schemas as before: nothing is added to it.
 */

/* Has n exactly these attributes (a NULL-terminated list), no others? */
static bool
has_exactly(const xmlNode *n, const char *const *names)
{
    size_t want = 0;
    size_t have = 0;

    for (; names[want] != NULL; want++) {
        if (attr(n, names[want]) == NULL) {
            return false;
        }
    }
    for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
        have++;
    }
    return have == want;
}

/* Are all of n's attributes among these, with an id? */
static bool
has_only(const xmlNode *n, const char *const *names)
{
    if (attr(n, "id") == NULL) {
        return false;
    }
    for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
        bool known = false;

        for (size_t i = 0; names[i] != NULL && !known; i++) {
            known = strcmp((const char *)a->name, names[i]) == 0;
        }
        if (!known) {
            return false;
        }
    }
    return true;
}

static bool
no_element_child(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            return false;
        }
    }
    return true;
}

/* Does n's id extend prefix ("<prefix>-...")? */
static bool
id_extends(const xmlNode *n, const char *prefix)
{
    const char *id = attr(n, "id");
    size_t len = strlen(prefix);

    return id != NULL && strncmp(id, prefix, len) == 0 && id[len] == '-'
           && id[len + 1] != '\0';
}

/* A rule as leapfrogd writes them, with what it holds: rules and
 * expressions only, every id extending prefix. */
static bool
rule_ours(const xmlNode *r, const char *prefix)
{
    static const char *const rule_attrs[] = {"id", "score", "boolean-op", NULL};
    static const char *const expr_attrs[] = {"id", "attribute", "operation",
                                             "value", NULL};
    bool any = false;

    if (!is(r, "rule") || !has_only(r, rule_attrs) || !id_extends(r, prefix)) {
        return false;
    }
    for (const xmlNode *c = r->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        any = true;
        if (is(c, "rule")) {
            if (!rule_ours(c, prefix)) {
                return false;
            }
        } else if (!is(c, "expression") || !has_only(c, expr_attrs)
                   || attr(c, "attribute") == NULL
                   || attr(c, "operation") == NULL || !id_extends(c, prefix)
                   || !no_element_child(c)) {
            return false;
        }
    }
    return any;
}

/* A location of rules (-avoid, -fresh, or a piece an upgrade split one
 * into): rsc and nothing else, one or more rules of ours under prefix. */
static bool
rule_location_ours(const xmlNode *n, const char *prefix)
{
    static const char *const names[] = {"id", "rsc", NULL};
    bool any = false;

    if (!is(n, "rsc_location") || !has_exactly(n, names)) {
        return false;
    }
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (!rule_ours(c, prefix)) {
            return false;
        }
        any = true;
    }
    return any;
}

/* Is this a meta attribute leapfrogd sets in -meta (follower) or
 * -pmeta? */
static bool
meta_name_ours(bool follower, const char *name)
{
    static const char *const f_names[] = {
        "resource-stickiness", "migration-threshold", "priority", NULL};
    static const char *const p_names[] = {"resource-stickiness", "priority",
                                          NULL};
    const char *const *names = follower ? f_names : p_names;

    for (size_t i = 0; name != NULL && names[i] != NULL; i++) {
        if (strcmp(name, names[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* -meta (in F) and -pmeta (in P): score 1000 and the nvpairs
 * "<id>-<name>" of the names leapfrogd sets. A value may differ (pcs
 * resource meta may write one into the set; leapfrogd writes its own
 * back). An nvpair of another name is somebody's, written into the set
 * by pcs (which writes into a resource's first set: `pcs resource disable
 * P` puts target-role there when P has no set of its own): the set stays
 * leapfrogd's, that nvpair is not (nvpair_ours()) and is never rewritten
 * or deleted. */
static bool
meta_ours(const xmlNode *m, const char *id, bool follower, const char *f)
{
    static const char *const set_attrs[] = {"id", "score", NULL};
    static const char *const nv_attrs[] = {"id", "name", "value", NULL};
    const xmlNode *parent = m->parent;

    if (!is(m, "meta_attributes") || !has_only(m, set_attrs)
        || (attr(m, "score") != NULL && !attr_is(m, "score", META_SCORE))
        || !(is(parent, "primitive") || is(parent, "group"))
        || (follower && !attr_is(parent, "id", f))) {
        return false;
    }
    for (const xmlNode *nv = m->children; nv != NULL; nv = nv->next) {
        const char *name;

        if (nv->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (!is(nv, "nvpair") || !has_exactly(nv, nv_attrs)
            || !no_element_child(nv)) {
            return false;
        }
        name = attr(nv, "name");
        if (meta_name_ours(follower, name)
            && (!id_extends(nv, id)
                || strcmp(attr(nv, "id") + strlen(id) + 1, name) != 0)) {
            return false;
        }
    }
    return true;
}

/* Is nv leapfrogd's: in a set of ours, of a name it sets there? */
static bool
nvpair_ours(const xmlNode *nv)
{
    const xmlNode *m = nv->parent;
    size_t f_len = 0;
    int kind;

    if (!is(nv, "nvpair") || !is(m, "meta_attributes")
        || !lfd_element_ours(m)) {
        return false;
    }
    kind = id_kind(attr(m, "id"), &f_len);
    return meta_name_ours(strcmp(lfd_kinds[kind], "meta") == 0,
                          attr(nv, "name"));
}

/* Does a set of ours hold somebody else's meta attributes too? */
static bool
set_has_others(const xmlNode *m)
{
    for (const xmlNode *nv = m->children; nv != NULL; nv = nv->next) {
        if (nv->type == XML_ELEMENT_NODE && !nvpair_ours(nv)) {
            return true;
        }
    }
    return false;
}

/* A location on a node: -follow (2000) and -yield (-INFINITY) on F
 * (rsc NULL: the -avoid of the first versions, -INFINITY on P). */
static bool
node_location_ours(const xmlNode *n, const char *rsc, const char *score)
{
    static const char *const names[] = {"id", "rsc", "node", "score", NULL};

    return is(n, "rsc_location") && has_exactly(n, names)
           && (rsc == NULL || attr_is(n, "rsc", rsc))
           && attr_is(n, "score", score) && no_element_child(n);
}

static bool
push_ours(const xmlNode *n, const char *f)
{
    static const char *const names[] = {"id",    "rsc",       "with-rsc",
                                        "score", "influence", NULL};

    return is(n, "rsc_colocation") && has_exactly(n, names)
           && attr_is(n, "with-rsc", f) && attr_is(n, "score", PUSH_SCORE)
           && attr_is(n, "influence", "false") && no_element_child(n);
}

static bool
order_ours(const xmlNode *n, const char *f)
{
    static const char *const names[] = {
        "id",          "first", "first-action", "then",
        "then-action", "kind",  "symmetrical",  NULL};

    return is(n, "rsc_order") && has_exactly(n, names) && attr_is(n, "first", f)
           && attr_is(n, "first-action", "start")
           && attr_is(n, "then-action", "stop")
           && attr_is(n, "kind", "Optional")
           && attr_is(n, "symmetrical", "false") && no_element_child(n);
}

bool
lfd_element_ours(const xmlNode *n)
{
    const char *id =
        (n != NULL && n->type == XML_ELEMENT_NODE) ? attr(n, "id") : NULL;
    char f[LFD_RSC_MAX + 1];
    size_t f_len = 0;
    int kind = (id != NULL) ? id_kind(id, &f_len) : -1;
    const char *name;

    if (kind < 0 || !id_pair(id, f, sizeof(f))) {
        return false;
    }
    name = lfd_kinds[kind];
    if (strcmp(name, "meta") == 0 || strcmp(name, "pmeta") == 0) {
        return meta_ours(n, id, strcmp(name, "meta") == 0, f);
    }
    if (strcmp(name, "follow") == 0) {
        return node_location_ours(n, f, FOLLOW_SCORE);
    }
    if (strcmp(name, "yield") == 0) {
        return node_location_ours(n, f, "-INFINITY");
    }
    if (strcmp(name, "push") == 0) {
        return push_ours(n, f);
    }
    if (strcmp(name, "order") == 0) {
        return order_ours(n, f);
    }
    if (strcmp(name, "avoid") == 0 && node_location_ours(n, NULL, "-INFINITY")
        && !attr_is(n, "rsc", f)) {
        return true;
    }
    return rule_location_ours(n, id); /* avoid, fresh */
}

/* A piece `cibadmin --upgrade` split a location of rules of ours into:
 * "pcmk__3_10_upgrade-<id>-<n>", its rules those of <id> (see
 * upgrade_leftover()); *orig is set to <id> (the caller frees it with
 * g_free()). */
static bool
piece_ours(const xmlNode *c, const char *id, char **orig)
{
    const size_t plen = strlen(LFD_UPGRADE_PREFIX);
    const char *dash = strrchr(id, '-');
    size_t f_len = 0;
    int kind;

    *orig = NULL;
    if (strncmp(id, LFD_UPGRADE_PREFIX, plen) != 0 || dash == NULL
        || dash < id + plen || dash[1] == '\0'
        || strspn(dash + 1, "0123456789") != strlen(dash + 1)) {
        return false;
    }
    *orig = g_strndup(id + plen, (gsize)(dash - (id + plen)));
    kind = id_kind(*orig, &f_len);
    if (kind < 0
        || !(strcmp(lfd_kinds[kind], "avoid") == 0
             || strcmp(lfd_kinds[kind], "fresh") == 0)
        || !rule_location_ours(c, *orig)) {
        g_free(*orig);
        *orig = NULL;
        return false;
    }
    return true;
}

bool
lfd_id_valid(const char *id)
{
    return id != NULL && *id != '\0' && strlen(id) <= LFD_ID_MAX
           && xmlValidateNCName((const xmlChar *)id, 0) == 0;
}

/* Evaluate an XPath expression; the caller frees the result. */
static xmlXPathObject *
query(struct derive *d, const char *expr)
{
    xmlXPathObject *obj =
        xmlXPathEvalExpression((const xmlChar *)expr, d->xpath);

    if (obj != NULL && obj->nodesetval == NULL) {
        xmlXPathFreeObject(obj);
        return NULL;
    }
    return obj;
}

static char *
xstrdup(struct derive *d, const char *s)
{
    char *copy = (s != NULL) ? strdup(s) : NULL;

    if (s != NULL && copy == NULL) {
        d->nomem = true;
    }
    return copy;
}

static bool
xml_equal(const xmlNode *a, const xmlNode *b)
{
    const xmlNode *ca;
    const xmlNode *cb;
    int na = 0;
    int nb = 0;

    if (strcmp((const char *)a->name, (const char *)b->name) != 0) {
        return false;
    }
    for (const xmlAttr *x = a->properties; x != NULL; x = x->next) {
        const char *v = attr(b, (const char *)x->name);

        na++;
        if (v == NULL || strcmp(v, attr(a, (const char *)x->name)) != 0) {
            return false;
        }
    }
    for (const xmlAttr *x = b->properties; x != NULL; x = x->next) {
        nb++;
    }
    if (na != nb) {
        return false;
    }
    ca = a->children;
    cb = b->children;
    for (;;) {
        while (ca != NULL && ca->type != XML_ELEMENT_NODE) {
            ca = ca->next;
        }
        while (cb != NULL && cb->type != XML_ELEMENT_NODE) {
            cb = cb->next;
        }
        if (ca == NULL || cb == NULL) {
            return ca == cb;
        }
        if (!xml_equal(ca, cb)) {
            return false;
        }
        ca = ca->next;
        cb = cb->next;
    }
}

/* ---- the configuration ------------------------------------------------ */

static xmlNode *
find_resource(struct derive *d, const char *id)
{
    return (id != NULL) ? g_hash_table_lookup(d->resources, id) : NULL;
}

/* A meta attribute set by the administrator (leapfrogd's are skipped). */
static const char *
user_meta(xmlNode *rsc, const char *name)
{
    for (xmlNode *m = rsc->children; m != NULL; m = m->next) {
        if (!is(m, "meta_attributes")) {
            continue;
        }
        for (xmlNode *nv = m->children; nv != NULL; nv = nv->next) {
            if (is(nv, "nvpair") && attr_is(nv, "name", name)
                && !nvpair_ours(nv)) {
                return attr(nv, "value");
            }
        }
    }
    return NULL;
}

/* The primitives of a resource: itself, or a group's members. */
static size_t
primitives(xmlNode *rsc, xmlNode **out, size_t max)
{
    size_t n = 0;

    if (is(rsc, "primitive")) {
        out[n++] = rsc;
        return n;
    }
    for (xmlNode *c = rsc->children; c != NULL && n < max; c = c->next) {
        if (is(c, "primitive")) {
            out[n++] = c;
        }
    }
    return n;
}

/* ---- the status section ----------------------------------------------- */

static bool
node_online(const xmlNode *ns)
{
    const char *ccm = attr(ns, "in_ccm");
    const char *crmd = attr(ns, "crmd");
    const char *join = attr(ns, "join");

    /* 2.1.5 writes "true"/"online"; later versions write timestamps. */
    return ccm != NULL && strcmp(ccm, "false") != 0 && strcmp(ccm, "0") != 0
           && crmd != NULL && strcmp(crmd, "offline") != 0
           && strcmp(crmd, "0") != 0 && join != NULL
           && strcmp(join, "member") == 0;
}

static long long
num_attr(const xmlNode *n, const char *name, long long def)
{
    const char *v = attr(n, name);
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

        if (!is(op, "lrm_rsc_op")) {
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
        const char *operation = attr(last, "operation");
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
primitive_node(struct derive *d, xmlNode *prim, bool *several)
{
    const char *id = attr(prim, "id");
    GPtrArray *list = (id != NULL) ? g_hash_table_lookup(d->history, id) : NULL;
    const char *node = NULL;

    for (guint i = 0; list != NULL && i < list->len; i++) {
        xmlNode *r = g_ptr_array_index(list, i);
        xmlNode *ns = r->parent->parent->parent;

        if (node_online(ns) && history_active(r)) {
            if (node != NULL) {
                *several = true;
                break;
            }
            node = attr(ns, "uname");
        }
    }
    return node;
}

/* Is the primitive disabled by its own target-role? */
static bool
disabled(xmlNode *prim)
{
    const char *role = user_meta(prim, "target-role");

    return role != NULL && g_ascii_strcasecmp(role, "Stopped") == 0;
}

/* A group runs where its last member runs, else where any member does.
 * *partial is set when the group is still on its way there: a member it
 * starts (up to the first disabled one) is not active there yet. */
static const char *
resource_node(struct derive *d, xmlNode *rsc, bool *several, bool *partial)
{
    xmlNode *prims[64];
    size_t n = primitives(rsc, prims, 64);
    const char *nodes[64];
    const char *found = NULL;

    for (size_t i = n; i > 0; i--) {
        nodes[i - 1] = primitive_node(d, prims[i - 1], several);
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

/* The guard against acting on a half-built status section. */
/* The facts come from index_status(), which reads the status section once. */
static const char *
status_unsettled(const struct derive *d)
{
    const char *dc = attr(d->cib, "dc-uuid");

    if (dc == NULL || *dc == '\0') {
        return "no DC elected";
    }
    if (d->lrm_missing) {
        return "an online node has no resource history yet";
    }
    if (!d->dc_online) {
        return "the DC is not an online member";
    }
    if (d->in_flight) {
        return "an operation is in flight";
    }
    return NULL;
}

/* A start, stop or probe not finished yet (op-status -1). A recurring
 * monitor being set up does not move anything and does not count. */
static bool
op_in_flight(const xmlNode *op)
{
    const char *interval = attr(op, "interval");

    return is(op, "lrm_rsc_op") && attr_is(op, "op-status", "-1")
           && (interval == NULL || strcmp(interval, "0") == 0);
}

/* Has every online node probed this primitive? */
static bool
probed_everywhere(struct derive *d, xmlNode *prim)
{
    const char *id = attr(prim, "id");
    GPtrArray *list = (id != NULL) ? g_hash_table_lookup(d->history, id) : NULL;
    int probed = 0;

    for (guint i = 0; list != NULL && i < list->len; i++) {
        xmlNode *r = g_ptr_array_index(list, i);

        if (node_online(r->parent->parent->parent)) {
            probed++;
        }
    }
    return probed >= d->online;
}

static bool
node_standby(struct derive *d, const xmlNode *ns)
{
    char expr[512];
    xmlXPathObject *obj;
    bool standby = false;
    const char *id = attr(ns, "id");

    if (id == NULL || strchr(id, '\'') != NULL) {
        return false;
    }
    snprintf(expr, sizeof(expr),
             "/cib/configuration/nodes/node[@id='%s']//nvpair[@name="
             "'standby'] | /cib/status/node_state[@id='%s']"
             "/transient_attributes//nvpair[@name='standby']",
             id, id);
    obj = query(d, expr);
    for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++) {
        bool on = false;
        const char *v = attr(obj->nodesetval->nodeTab[i], "value");

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

/* Nodes where rsc could run: online, not in standby, not banned by a
 * constraint of somebody else's. */
static int
eligible_nodes(struct derive *d, const char *rsc)
{
    int count = 0;

    for (guint i = 0; i < d->nodes->len; i++) {
        const char *uname = attr(g_ptr_array_index(d->nodes, i), "uname");
        bool banned = false;

        for (guint j = 0; j < d->bans->len && !banned; j++) {
            xmlNode *c = g_ptr_array_index(d->bans, j);

            banned = attr_is(c, "rsc", rsc) && attr_is(c, "node", uname);
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

/* A constraint of somebody else's that ties F and P together. */
static const char *
conflicting_constraint(struct derive *d, const char *f, const char *p)
{
    char *k1 = tie_key(f, p);
    char *k2 = tie_key(p, f);
    const char *found = g_hash_table_lookup(d->ties, k1);

    if (found == NULL) {
        found = g_hash_table_lookup(d->ties, k2);
    }
    g_free(k1);
    g_free(k2);
    return found;
}

/* ---- building the desired elements ------------------------------------ */

static xmlNode *
element(const char *name, const char *id)
{
    xmlNode *n = xmlNewNode(NULL, (const xmlChar *)name);

    if (n != NULL && id != NULL) {
        xmlNewProp(n, (const xmlChar *)"id", (const xmlChar *)id);
    }
    return n;
}

static void
set(xmlNode *n, const char *name, const char *value)
{
    xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)value);
}

static void
make_id(char *out, size_t size, const char *f, const char *kind)
{
    snprintf(out, size, LFD_ID_PREFIX "%s-%s", f, kind);
}

static xmlNode *
meta_set(const char *id, const char *const *nv, size_t n)
{
    xmlNode *m = element("meta_attributes", id);
    char nid[700];

    set(m, "score", META_SCORE);
    for (size_t i = 0; i + 1 < n; i += 2) {
        xmlNode *p = element("nvpair", NULL);

        snprintf(nid, sizeof(nid), "%s-%s", id, nv[i]);
        set(p, "id", nid);
        set(p, "name", nv[i]);
        set(p, "value", nv[i + 1]);
        xmlAddChild(m, p);
    }
    return m;
}

static xmlNode *
location(const char *id, const char *rsc, const char *node, const char *score)
{
    xmlNode *l = element("rsc_location", id);

    set(l, "rsc", rsc);
    set(l, "node", node);
    set(l, "score", score);
    return l;
}

static int
add_failcount_expression(xmlNode *rule, const char *prefix, int k,
                         const char *prim, const char *op, long long ms,
                         const char *operation)
{
    char name[600];
    char eid[600];
    xmlNode *e;

    snprintf(name, sizeof(name), "fail-count-%s#%s_%lld", prim, op, ms);
    snprintf(eid, sizeof(eid), "%s-expr-%d", prefix, ++k);
    e = element("expression", eid);
    set(e, "attribute", name);
    set(e, "operation", operation);
    xmlAddChild(rule, e);
    return k;
}

/* Add to rule one expression per recurring monitor of rsc's primitives,
 * on its fail-count attribute with operation ("not_defined": F has not
 * failed; "defined": it has), ids "<prefix>-expr-<k+1>", ...; and for a
 * primitive with a recurring monitor also one on the fail-count of
 * "asyncmon" (interval 0): a failure reported without a monitor, by
 * lf-watch (the leapfrog agents' watcher) or crm_resource --fail.
 * Returns the last k. */
static int
add_failcount_expressions(xmlNode *rule, const char *prefix, xmlNode *rsc,
                          int k, const char *operation)
{
    xmlNode *prims[64];
    size_t n = primitives(rsc, prims, 64);

    for (size_t i = 0; i < n; i++) {
        xmlNode *ops = child(prims[i], "operations");
        int first = k;

        for (xmlNode *op = ops != NULL ? ops->children : NULL; op != NULL;
             op = op->next) {
            long long ms = 0;
            const char *interval = attr(op, "interval");

            if (!is(op, "op") || !attr_is(op, "name", "monitor")
                || interval == NULL || lf_parse_duration_ms(interval, &ms) != 0
                || ms == 0) {
                continue;
            }
            k = add_failcount_expression(rule, prefix, k, attr(prims[i], "id"),
                                         "monitor", ms, operation);
        }
        if (k > first) {
            k = add_failcount_expression(rule, prefix, k, attr(prims[i], "id"),
                                         "asyncmon", 0, operation);
        }
    }
    return k;
}

/* A rule (score NULL: a nested one, which has none) with its id. */
static xmlNode *
rule(const char *id, const char *score, const char *boolean_op)
{
    xmlNode *r = element("rule", id);

    if (score != NULL) {
        set(r, "score", score);
    }
    set(r, "boolean-op", boolean_op);
    return r;
}

/* An expression "attribute operation [value]" with its id. */
static xmlNode *
expression(const char *id, const char *attribute, const char *operation,
           const char *value)
{
    xmlNode *e = element("expression", id);

    set(e, "attribute", attribute);
    set(e, "operation", operation);
    if (value != NULL) {
        set(e, "value", value);
    }
    return e;
}

static xmlNode *
rule_location(const char *id, const char *rsc, const char *score,
              xmlNode **rule_out)
{
    xmlNode *l = element("rsc_location", id);
    char rid[600];

    set(l, "rsc", rsc);
    snprintf(rid, sizeof(rid), "%s-rule", id);
    *rule_out = rule(rid, score, "and");
    xmlAddChild(l, *rule_out);
    return l;
}

/* +100 on every node where P has no fail-count for a recurring monitor. */
static xmlNode *
fresh_rule(const char *id, xmlNode *p_rsc)
{
    xmlNode *r = NULL;
    xmlNode *l = rule_location(id, attr(p_rsc, "id"), FRESH_SCORE, &r);

    if (add_failcount_expressions(r, id, p_rsc, 0, "not_defined") == 0) {
        xmlFreeNode(l);
        return NULL; /* no recurring monitor, no fail-count to look at */
    }
    return l;
}

/*
 * The avoid location holds exactly one top-level rule: the pacemaker-4.0
 * schema (Pacemaker 3.0) allows no more, and `cibadmin --upgrade` splits a
 * location with several into constraints of other ids (see
 * upgrade_leftover()). The ids inside differ from those of the two-rule
 * forms that earlier versions of leapfrogd wrote (<id>-rule, -expr-<n>,
 * -marker, -marker-expr, -all, -all-expr), so that the location can be
 * created while the pieces of such a split still hold them; the pieces
 * are deleted after it.
 */

/* -INFINITY for P on F's node, unless F has failed there: then F cannot
 * come back (migration-threshold 1), and P may take the node at once, in
 * the same transition that moves F onto P's node. With a marker also
 * wherever F's enqueue agent has published it: one rule, "or" of the
 * two. */
static xmlNode *
avoid_rule(const char *id, const char *p, const char *node_f, xmlNode *f_rsc,
           const char *marker)
{
    xmlNode *l = element("rsc_location", id);
    xmlNode *on = NULL;
    xmlNode *locks = NULL;
    char rid[600];
    char eid[600];

    set(l, "rsc", p);
    if (node_f != NULL) {
        snprintf(rid, sizeof(rid), "%s-on", id);
        snprintf(eid, sizeof(eid), "%s-on-expr-0", id);
        on = rule(rid, marker == NULL ? "-INFINITY" : NULL, "and");
        xmlAddChild(on, expression(eid, "#uname", "eq", node_f));
        (void)add_failcount_expressions(on, rid, f_rsc, 0, "not_defined");
    }
    if (marker != NULL) {
        /* Wherever F's enqueue server runs, its agent has published this
         * node attribute; it goes with the agent's stop and with the
         * node. Pacemaker keeps P off that node by itself, with no
         * rewrite by leapfrogd: the last node after F's node failed, too. */
        snprintf(rid, sizeof(rid), "%s-locks", id);
        snprintf(eid, sizeof(eid), "%s-locks-expr", id);
        locks = rule(rid, on == NULL ? "-INFINITY" : NULL, "and");
        xmlAddChild(locks, expression(eid, marker, "defined", NULL));
    }
    if (on != NULL && locks != NULL) {
        xmlNode *any;

        snprintf(rid, sizeof(rid), "%s-any", id);
        any = rule(rid, "-INFINITY", "or");
        xmlAddChild(any, on);
        xmlAddChild(any, locks);
        xmlAddChild(l, any);
    } else if (on != NULL) {
        xmlAddChild(l, on);
    } else if (locks != NULL) {
        xmlAddChild(l, locks);
    }
    return l;
}

/* survivor=none with two nodes or fewer left for P: the next loss may
 * leave one node, where both must run, and a -INFINITY on F's node would
 * keep P off it there. So P gets +5000 on every node but where F runs
 * (where its enqueue agent has published the marker, or else on F's node
 * by name), and there too once F has failed there: F's node scores 0 plus
 * the fresh rule's 100, which stays eligible (only a negative final score
 * excludes a node), and the -5000 colocation with F keeps P off it while
 * another node is left (Pacemaker rolls a finite colocation back when no
 * node would remain). The +5000 elsewhere outweighs P's stickiness (0) and
 * preferences of the administrator's below it. The price: no finite score
 * refuses a move of P onto F's node (the move's +INFINITY wins), so on
 * three eligible nodes or more, where no single loss leaves one node, the
 * -INFINITY form stays. One rule, an "or": the marker is not there (or the
 * node is not F's), or a fail-count of F is. */
static xmlNode *
share_rule(const char *id, const char *p, const char *node_f, xmlNode *f_rsc,
           const char *marker)
{
    xmlNode *l = element("rsc_location", id);
    xmlNode *away;
    char rid[600];
    char eid[600];

    set(l, "rsc", p);
    snprintf(rid, sizeof(rid), "%s-away", id);
    snprintf(eid, sizeof(eid), "%s-away-expr-0", id);
    away = rule(rid, SHARE_SCORE, "or");
    if (marker != NULL) {
        xmlAddChild(away, expression(eid, marker, "not_defined", NULL));
    } else {
        xmlAddChild(away, expression(eid, "#uname", "ne", node_f));
    }
    (void)add_failcount_expressions(away, rid, f_rsc, 0, "defined");
    xmlAddChild(l, away);
    return l;
}

/* The node attribute an ocf:leapfrog:enqueue primitive of rsc publishes
 * where it runs ("leapfrog-<instance>-locks"), or NULL. */
static bool
enqueue_marker(xmlNode *rsc, char *out, size_t size)
{
    xmlNode *prims[64];
    size_t n = primitives(rsc, prims, 64);

    for (size_t i = 0; i < n; i++) {
        if (!attr_is(prims[i], "provider", "leapfrog")
            || !attr_is(prims[i], "type", "enqueue")) {
            continue;
        }
        for (xmlNode *ia = prims[i]->children; ia != NULL; ia = ia->next) {
            if (!is(ia, "instance_attributes")) {
                continue;
            }
            for (xmlNode *nv = ia->children; nv != NULL; nv = nv->next) {
                if (is(nv, "nvpair") && attr_is(nv, "name", "instance")
                    && attr(nv, "value") != NULL) {
                    snprintf(out, size, "leapfrog-%s-locks", attr(nv, "value"));
                    return true;
                }
            }
        }
    }
    return false;
}

/* ---- the result -------------------------------------------------------- */

static void
add_change(struct derive *d, enum lfd_op op, const char *pair, const char *id,
           const char *parent, xmlNode *xml)
{
    struct lfd_result *r = d->out;

    if (r->nchanges == d->changes_cap) {
        size_t cap = d->changes_cap == 0 ? 16 : d->changes_cap * 2;
        struct lfd_change *c = realloc(r->changes, cap * sizeof(*c));

        if (c == NULL) {
            d->nomem = true;
            xmlFreeNode(xml);
            return;
        }
        r->changes = c;
        d->changes_cap = cap;
    }
    r->changes[r->nchanges].op = op;
    r->changes[r->nchanges].pair = xstrdup(d, pair);
    r->changes[r->nchanges].id = xstrdup(d, id);
    r->changes[r->nchanges].parent = xstrdup(d, parent);
    r->changes[r->nchanges].parent_tag = NULL;
    r->changes[r->nchanges].makes_room = false;
    r->changes[r->nchanges].failed = false;
    if (parent != NULL) {
        xmlNode *rsc = find_resource(d, parent);

        r->changes[r->nchanges].parent_tag =
            xstrdup(d, rsc != NULL ? (const char *)rsc->name : "primitive");
    }
    r->changes[r->nchanges].xml = xml;
    r->nchanges++;
}

static struct lfd_pair *
add_pair(struct derive *d, const char *f, const char *p, const char *survivor)
{
    struct lfd_result *r = d->out;
    struct lfd_pair *pair;

    if (r->npairs == d->pairs_cap) {
        size_t cap = d->pairs_cap == 0 ? 8 : d->pairs_cap * 2;
        struct lfd_pair *grown = realloc(r->pairs, cap * sizeof(*grown));

        if (grown == NULL) {
            d->nomem = true;
            return NULL;
        }
        r->pairs = grown;
        d->pairs_cap = cap;
    }
    pair = &r->pairs[r->npairs++];
    memset(pair, 0, sizeof(*pair));
    pair->follower = xstrdup(d, f);
    pair->partner = xstrdup(d, p);
    pair->survivor = xstrdup(d, survivor);
    return pair;
}

static void pair_error(struct derive *d, struct lfd_pair *pair, const char *fmt,
                       ...) __attribute__((format(printf, 3, 4)));

static void
pair_error(struct derive *d, struct lfd_pair *pair, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pair->error = xstrdup(d, msg);
}

/* The element of ours with this id in the CIB, and its parent resource. */
static xmlNode *
current_element(struct derive *d, const char *id, const char **parent)
{
    xmlNode *found = g_hash_table_lookup(d->owned, id);

    *parent = NULL;
    if (found != NULL && is(found, "meta_attributes")) {
        *parent = attr(found->parent, "id");
    }
    return found;
}

/* Delete an element of ours; of a set that holds somebody else's meta
 * attributes too, only leapfrogd's nvpairs go. */
static void
delete_ours(struct derive *d, const char *pair, const char *id, xmlNode *n,
            const char *parent)
{
    if (!is(n, "meta_attributes") || !set_has_others(n)) {
        add_change(d, LFD_DELETE, pair, id, parent, NULL);
        return;
    }
    for (xmlNode *nv = n->children; nv != NULL; nv = nv->next) {
        if (nvpair_ours(nv)) {
            add_change(d, LFD_DELETE, pair, attr(nv, "id"), parent, NULL);
        }
    }
}

/* Delete the pieces an upgrade split the element of this id into; true
 * when there were any. */
static bool
delete_leftovers(struct derive *d, const char *pair, const char *id)
{
    GPtrArray *pieces = g_hash_table_lookup(d->leftovers, id);

    for (guint i = 0; pieces != NULL && i < pieces->len; i++) {
        add_change(d, LFD_DELETE, pair, g_ptr_array_index(pieces, i), NULL,
                   NULL);
    }
    return pieces != NULL && pieces->len > 0;
}

/* Is the set of ours as wanted, leapfrogd's nvpairs alone considered
 * (somebody else's in it stay as they are)? */
static bool
meta_equal(const xmlNode *have, const xmlNode *want)
{
    xmlNode *mine = xmlCopyNode((xmlNode *)have, 1);
    size_t f_len = 0;
    bool follower =
        strcmp(lfd_kinds[id_kind(attr(want, "id"), &f_len)], "meta") == 0;
    xmlNode *next;
    bool same;

    if (mine == NULL) {
        return false;
    }
    for (xmlNode *nv = mine->children; nv != NULL; nv = next) {
        next = nv->next;
        if (nv->type == XML_ELEMENT_NODE
            && !meta_name_ours(follower, attr(nv, "name"))) {
            xmlUnlinkNode(nv);
            xmlFreeNode(nv);
        }
    }
    same = xml_equal(mine, want);
    xmlFreeNode(mine);
    return same;
}

/* Compare one desired element (or its absence) with the CIB. What an
 * upgrade split an earlier form of it into goes once it is written (or
 * once it is not wanted at all). */
static void
reconcile(struct derive *d, struct lfd_pair *pair, const char *kind,
          const char *parent, xmlNode *want)
{
    char id[512];
    const char *have_parent = NULL;
    xmlNode *have;

    make_id(id, sizeof(id), pair->follower, kind);
    have = current_element(d, id, &have_parent);
    if (delete_leftovers(d, pair->follower, id)) {
        pair->current = false;
    }
    if (want == NULL) {
        if (have != NULL) {
            delete_ours(d, pair->follower, id, have, have_parent);
            pair->current = false;
        }
        return;
    }
    if (have == NULL) {
        add_change(d, LFD_CREATE, pair->follower, id, parent, want);
        pair->current = false;
    } else if (parent != NULL && have_parent != NULL
               && strcmp(parent, have_parent) != 0) {
        /* The set hangs off another resource now (the pair has a new
         * partner): move it, the old one out of the way first. Only a set
         * that is wholly ours gets here (check_move()). */
        add_change(d, LFD_DELETE, pair->follower, id, have_parent, NULL);
        if (!d->nomem) {
            d->out->changes[d->out->nchanges - 1].makes_room = true;
        }
        add_change(d, LFD_CREATE, pair->follower, id, parent, want);
        pair->current = false;
    } else if (is(have, "meta_attributes") ? !meta_equal(have, want)
                                           : !xml_equal(have, want)) {
        add_change(d, LFD_REPLACE, pair->follower, id, parent, want);
        pair->current = false;
    } else {
        xmlFreeNode(want);
    }
}

/* The priority meta attribute of F and of P, so that with
 * priority-fencing-delay the node running the survivor wins the fence race
 * of a two-node split (survivor=none: F's node, where the lock table is
 * served). Pacemaker 2.1.5 adds a primitive's priority to the total of the
 * node it runs on, once per primitive (a failed one not at all), and a
 * group's members inherit the group's priority, so a group of n members
 * weighs n times its priority. The other side therefore gets 0, not a
 * smaller positive value: whatever its member count it adds nothing, and
 * any positive priority on the survivor's side outweighs it. */
static const char *
side_priority(const struct lfd_pair *pair, bool partner_side)
{
    bool survivor_p = strcmp(pair->survivor, pair->partner) == 0;

    return (survivor_p == partner_side) ? SURVIVOR_PRIORITY : LOSER_PRIORITY;
}

/* Where F and P run; a group still starting there is "partial". */
struct placement {
    const char *f;
    const char *p;
    bool f_partial;
    bool p_partial;
};

static void
derive_pair(struct derive *d, struct lfd_pair *pair, xmlNode *f_rsc,
            xmlNode *p_rsc, const struct placement *at)
{
    const char *const f_meta[] = {"resource-stickiness",
                                  F_STICKINESS,
                                  "migration-threshold",
                                  "1",
                                  "priority",
                                  side_priority(pair, false)};
    const char *const p_meta[] = {"resource-stickiness", "0", "priority",
                                  side_priority(pair, true)};
    const char *f = pair->follower;
    const char *p = pair->partner;
    bool survivor_p = strcmp(pair->survivor, p) == 0;
    bool survivor_none = strcmp(pair->survivor, "none") == 0;
    bool survivor_f = !survivor_p && !survivor_none;
    char marker[300];
    bool has_marker = enqueue_marker(f_rsc, marker, sizeof(marker));
    xmlNode *order;
    xmlNode *push;
    char id[512];
    bool one_node;
    /* Where F and P have come to rest: a group still starting members on
     * a node is between nodes, like a stopped resource. Rewriting when
     * its first member has started would only make the scheduler drop the
     * transition that is starting the rest (and P's stop after it). */
    const char *rest_f = at->f_partial ? NULL : at->f;
    const char *rest_p = at->p_partial ? NULL : at->p;

    pair->node_f = xstrdup(d, at->f);
    pair->node_p = xstrdup(d, at->p);
    pair->eligible = eligible_nodes(d, p);
    one_node = (pair->eligible <= 1);
    pair->current = true;

    make_id(id, sizeof(id), f, "meta");
    reconcile(d, pair, "meta", f, meta_set(id, f_meta, 6));
    make_id(id, sizeof(id), f, "pmeta");
    reconcile(d, pair, "pmeta", p, meta_set(id, p_meta, 4));

    make_id(id, sizeof(id), f, "order");
    order = element("rsc_order", id);
    set(order, "first", f);
    set(order, "first-action", "start");
    set(order, "then", p);
    set(order, "then-action", "stop");
    set(order, "kind", "Optional");
    set(order, "symmetrical", "false");
    reconcile(d, pair, "order", NULL, order);

    make_id(id, sizeof(id), f, "push");
    push = element("rsc_colocation", id);
    set(push, "rsc", p);
    set(push, "with-rsc", f);
    set(push, "score", PUSH_SCORE);
    set(push, "influence", "false");
    reconcile(d, pair, "push", NULL, push);

    make_id(id, sizeof(id), f, "fresh");
    reconcile(d, pair, "fresh", NULL, fresh_rule(id, p_rsc));

    /* F follows P, wherever P runs now. While P is stopped (between its
     * stop and its start elsewhere, say) the last node stays: rewriting in
     * the middle of a transition would only make the scheduler start
     * over. */
    make_id(id, sizeof(id), f, "follow");
    if (rest_p != NULL) {
        reconcile(d, pair, "follow", NULL,
                  location(id, f, rest_p, FOLLOW_SCORE));
    }

    /* P never runs beside F, except with survivor=P on the last node and
     * survivor=none there (pre-armed from two nodes on: share_rule());
     * kept as it is while F is stopped, for the same reason. */
    make_id(id, sizeof(id), f, "avoid");
    if (one_node && survivor_p) {
        reconcile(d, pair, "avoid", NULL, NULL);
    } else if (survivor_none && pair->eligible <= 2) {
        if (has_marker || rest_f != NULL) {
            reconcile(
                d, pair, "avoid", NULL,
                share_rule(id, p, rest_f, f_rsc, has_marker ? marker : NULL));
        }
    } else if (rest_f != NULL) {
        reconcile(d, pair, "avoid", NULL,
                  avoid_rule(id, p, rest_f, f_rsc,
                             (survivor_f && has_marker) ? marker : NULL));
    }

    /* survivor=P on the last node: F stays away from P. */
    make_id(id, sizeof(id), f, "yield");
    reconcile(d, pair, "yield", NULL,
              (survivor_p && one_node && rest_p != NULL)
                  ? location(id, f, rest_p, "-INFINITY")
                  : NULL);
}

/* A new partner: -pmeta moves from the old one, and as its id is unique
 * the old set goes first. A set that holds somebody else's meta
 * attributes too cannot go (they are not leapfrogd's to delete) and a
 * second set of that id cannot be created: the pair is left as it is,
 * with the reason. */
static bool
check_move(struct derive *d, struct lfd_pair *pair)
{
    char id[512];
    const char *parent = NULL;
    xmlNode *have;

    make_id(id, sizeof(id), pair->follower, "pmeta");
    have = current_element(d, id, &parent);
    if (have == NULL || parent == NULL || strcmp(parent, pair->partner) == 0
        || !set_has_others(have)) {
        return true;
    }
    pair_error(d, pair,
               "%s now follows %s, but leapfrogd's meta attributes %s on %s, "
               "its former partner, hold meta attributes that are not "
               "leapfrogd's: move those to a set of %s's own, and leapfrogd "
               "moves its set to %s",
               pair->follower, pair->partner, id, parent, parent,
               pair->partner);
    return false;
}

/* Check a declaration; NULL when it is sound. */
static void
check_pair(struct derive *d, struct lfd_pair *pair, xmlNode *f_rsc,
           xmlNode **p_out)
{
    const char *f = pair->follower;
    const char *p = pair->partner;
    xmlNode *p_rsc;
    const char *conflict;

    *p_out = NULL;
    if (strlen(f) > LFD_RSC_MAX) {
        pair_error(d, pair, "the id of %.40s... is longer than %d characters",
                   f, LFD_RSC_MAX);
        return;
    }
    if (p == NULL || *p == '\0') {
        pair_error(d, pair, "leapfrog-follows on %s names no resource", f);
        return;
    }
    if (strcmp(p, f) == 0) {
        pair_error(d, pair, "%s cannot follow itself", f);
        return;
    }
    p_rsc = find_resource(d, p);
    if (p_rsc == NULL || !(is(p_rsc, "primitive") || is(p_rsc, "group"))) {
        pair_error(d, pair,
                   "%s follows %s, which is not a primitive or group "
                   "of the configuration",
                   f, p);
        return;
    }
    if (!(is(f_rsc, "primitive") || is(f_rsc, "group"))) {
        pair_error(d, pair, "%s must be a primitive or a group", f);
        return;
    }
    if (user_meta(p_rsc, "leapfrog-follows") != NULL) {
        pair_error(d, pair,
                   "%s follows %s, which follows another resource itself "
                   "(pairs cannot chain or loop)",
                   f, p);
        return;
    }
    if (strcmp(pair->survivor, f) != 0 && strcmp(pair->survivor, p) != 0
        && strcmp(pair->survivor, "none") != 0) {
        pair_error(d, pair,
                   "leapfrog-survivor of %s must be %s, its partner or "
                   "none",
                   f, f);
        return;
    }
    conflict = conflicting_constraint(d, f, p);
    if (conflict != NULL) {
        pair_error(d, pair,
                   "constraint %s already ties %s to its partner; remove it "
                   "to let leapfrog manage the pair",
                   conflict, f);
        return;
    }
    if (!check_move(d, pair)) {
        return;
    }
    *p_out = p_rsc;
}

/* ---- warnings ---------------------------------------------------------- */

static void add_warning(struct derive *d, enum lfd_warning_kind kind,
                        const char *pair, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* One warning; the same text twice (two pairs sharing a server) once. */
static void
add_warning(struct derive *d, enum lfd_warning_kind kind, const char *pair,
            const char *fmt, ...)
{
    struct lfd_result *r = d->out;
    char text[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (lfd_result_warns(r, text)) {
        return;
    }
    if (r->nwarnings == d->warnings_cap) {
        size_t cap = d->warnings_cap == 0 ? 4 : d->warnings_cap * 2;
        struct lfd_warning *w = realloc(r->warnings, cap * sizeof(*w));

        if (w == NULL) {
            d->nomem = true;
            return;
        }
        r->warnings = w;
        d->warnings_cap = cap;
    }
    r->warnings[r->nwarnings].kind = kind;
    r->warnings[r->nwarnings].pair = xstrdup(d, pair);
    r->warnings[r->nwarnings].text = xstrdup(d, text);
    r->nwarnings++;
}

/* A cluster property, as Pacemaker reads it: the set
 * cib-bootstrap-options first, then the others in order (rules on a set
 * are not evaluated). NULL when not set. */
static const char *
cluster_property(struct derive *d, const char *name)
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
        xmlXPathObject *obj = query(d, exprs[i]);

        if (obj != NULL && obj->nodesetval->nodeNr > 0) {
            value = attr(obj->nodesetval->nodeTab[0], "value");
        }
        xmlXPathFreeObject(obj);
    }
    return value;
}

/* Fencing off: Pacemaker 3.0.2 names it fencing-enabled (which wins),
 * earlier versions stonith-enabled; absent means true. A value that is
 * not a boolean counts as true, as Pacemaker takes the default then. */
static void
warn_fencing(struct derive *d)
{
    const char *name = "fencing-enabled";
    const char *value = cluster_property(d, name);
    bool on = true;

    if (value == NULL) {
        name = "stonith-enabled";
        value = cluster_property(d, name);
    }
    if (value == NULL || lf_parse_bool(value, &on) != 0 || on) {
        return;
    }
    add_warning(d, LFD_WARN_NO_FENCING, NULL,
                "fencing is disabled (%s=%s): leapfrog's lock guarantees do "
                "not hold without fencing (a node that hangs and comes "
                "back, or a split, can grant a lock twice or lose an "
                "acknowledged one); configure a fence device and turn "
                "fencing on",
                name, value);
}

/* Two cluster nodes and no priority-fencing-delay. Pacemaker keeps the
 * delay in whole seconds, so less than one is none; a value this code
 * cannot read (an ISO 8601 duration) counts as set. */
static void
warn_fence_delay(struct derive *d)
{
    xmlXPathObject *obj =
        query(d, "/cib/configuration/nodes/node[not(@type) or "
                 "@type='member' or @type='normal']");
    int nodes = (obj != NULL) ? obj->nodesetval->nodeNr : 0;
    const char *delay = cluster_property(d, "priority-fencing-delay");
    long long ms = 0;

    xmlXPathFreeObject(obj);
    if (nodes != 2
        || (delay != NULL
            && (lf_parse_duration_ms(delay, &ms) != 0 || ms >= 1000))) {
        return;
    }
    add_warning(d, LFD_WARN_NO_FENCE_DELAY, NULL,
                "two-node cluster without priority-fencing-delay (%s%s): "
                "in a split both nodes may fence each other at once, and "
                "the survivor policy cannot decide which one keeps "
                "running; set it, e.g. pcs property set "
                "priority-fencing-delay=15s",
                delay != NULL ? "it is " : "not set",
                delay != NULL ? delay : "");
}

/* Is id F, P, or a primitive of one of them? */
static bool
pair_resource(xmlNode *f_rsc, xmlNode *p_rsc, const char *id)
{
    xmlNode *rscs[2] = {f_rsc, p_rsc};

    for (size_t i = 0; i < 2 && id != NULL; i++) {
        xmlNode *prims[64];
        size_t n = (rscs[i] != NULL) ? primitives(rscs[i], prims, 64) : 0;

        if (rscs[i] != NULL && attr_is(rscs[i], "id", id)) {
            return true;
        }
        for (size_t k = 0; k < n; k++) {
            if (attr_is(prims[k], "id", id)) {
                return true;
            }
        }
    }
    return false;
}

/* A location that pcs resource move/ban (crm_resource --move/--ban) left
 * on one of the pair's resources: it pins or bans it, against what the
 * pair's own constraints are there for. */
static void
warn_left_over_moves(struct derive *d, const struct lfd_pair *pair,
                     xmlNode *f_rsc, xmlNode *p_rsc)
{
    for (guint i = 0; i < d->moves->len; i++) {
        xmlNode *c = g_ptr_array_index(d->moves, i);
        const char *id = attr(c, "id");
        const char *rsc = attr(c, "rsc");
        const char *node = attr(c, "node");
        bool ban = strncmp(id, "cli-ban-", 8) == 0;

        if (!pair_resource(f_rsc, p_rsc, rsc)) {
            continue;
        }
        if (node == NULL) {
            add_warning(d, LFD_WARN_LEFT_OVER_MOVE, pair->follower,
                        "constraint %s is left over from a move or ban of "
                        "%s; 'pcs resource clear %s' removes it",
                        id, rsc, rsc);
        } else {
            add_warning(d, LFD_WARN_LEFT_OVER_MOVE, pair->follower,
                        "constraint %s, left over from a %s of %s, %s %s %s "
                        "%s against the pair's own constraints; 'pcs "
                        "resource clear %s' removes it",
                        id, ban ? "ban" : "move", rsc, ban ? "keeps" : "pins",
                        rsc, ban ? "off" : "to", node, rsc);
        }
    }
}

/* A non-empty instance attribute of the primitive, or NULL. */
static const char *
instance_param(xmlNode *prim, const char *name)
{
    for (xmlNode *ia = prim->children; ia != NULL; ia = ia->next) {
        if (!is(ia, "instance_attributes")) {
            continue;
        }
        for (xmlNode *nv = ia->children; nv != NULL; nv = nv->next) {
            const char *v = attr(nv, "value");

            if (is(nv, "nvpair") && attr_is(nv, "name", name) && v != NULL
                && *v != '\0') {
                return v;
            }
        }
    }
    return NULL;
}

/* A leapfrog server of the pair configured without a secret: it runs
 * without one only when allow_no_secret says so, else it does not start. */
static void
warn_secrets(struct derive *d, const struct lfd_pair *pair, xmlNode *f_rsc,
             xmlNode *p_rsc)
{
    xmlNode *prims[128];
    size_t n = (f_rsc != NULL) ? primitives(f_rsc, prims, 64) : 0;

    n += (p_rsc != NULL) ? primitives(p_rsc, prims + n, 64) : 0;
    for (size_t i = 0; i < n; i++) {
        bool enqueue = attr_is(prims[i], "type", "enqueue");
        const char *allow = instance_param(prims[i], "allow_no_secret");
        bool allowed = false;

        if (!attr_is(prims[i], "class", "ocf")
            || !attr_is(prims[i], "provider", "leapfrog")
            || !(enqueue || attr_is(prims[i], "type", "replication"))
            || instance_param(prims[i], "secret_file") != NULL) {
            continue;
        }
        (void)lf_parse_bool(allow != NULL ? allow : "false", &allowed);
        if (!allowed) {
            add_warning(d, LFD_WARN_NO_SECRET, pair->follower,
                        "%s (ocf:leapfrog:%s) has no secret_file: it does not "
                        "start (allow_no_secret is not true); give both "
                        "servers of the pair the same secret_file, on every "
                        "node",
                        attr(prims[i], "id"), attr(prims[i], "type"));
            continue;
        }
        add_warning(d, LFD_WARN_NO_SECRET, pair->follower,
                    "%s (ocf:leapfrog:%s) runs without a secret "
                    "(allow_no_secret=true): %s; give both servers of the "
                    "pair the same secret_file, on every node",
                    attr(prims[i], "id"), attr(prims[i], "type"),
                    enqueue ? "it lets every client and replication server "
                              "in without a challenge"
                            : "it can follow only an enqueue server that "
                              "lets everyone in");
    }
}

/* The warnings, from the configuration alone: the cluster's first, then
 * each pair's. None while no pair is declared: there is no guarantee to
 * weaken. */
static void
find_warnings(struct derive *d)
{
    if (d->out->npairs == 0) {
        return;
    }
    warn_fencing(d);
    warn_fence_delay(d);
    for (size_t i = 0; i < d->out->npairs && !d->nomem; i++) {
        const struct lfd_pair *pair = &d->out->pairs[i];
        xmlNode *f_rsc = find_resource(d, pair->follower);
        xmlNode *p_rsc = find_resource(d, pair->partner);

        warn_left_over_moves(d, pair, f_rsc, p_rsc);
        warn_secrets(d, pair, f_rsc, p_rsc);
    }
}

/* An element of somebody else's holds an id a declared pair needs (any
 * of its kinds: what is not written today may be tomorrow): the pair is
 * left as it is, nothing of it written, and reported. */
static void
find_conflicts(struct derive *d)
{
    for (size_t i = 0; i < d->out->npairs && !d->nomem; i++) {
        struct lfd_pair *pair = &d->out->pairs[i];

        for (size_t k = 0; k < lfd_nkinds; k++) {
            char id[512];
            xmlNode *n;

            make_id(id, sizeof(id), pair->follower, lfd_kinds[k]);
            n = g_hash_table_lookup(d->foreign, id);
            if (n == NULL) {
                continue;
            }
            if (pair->conflict == NULL) {
                pair->conflict = xstrdup(d, id);
            }
            add_warning(d, LFD_WARN_ID_CONFLICT, pair->follower,
                        "%s %s is not leapfrogd's (not of its shape) but "
                        "has an id pair %s needs: leapfrogd writes none of "
                        "the pair's constraints and leaves them as they "
                        "are; rename or delete that element (leapfrogd "
                        "then writes its own)",
                        (const char *)n->name, id, pair->follower);
        }
    }
}

/* Is some other declared pair's F also following this P? */
static bool
partner_taken(struct derive *d, size_t upto, const char *p)
{
    for (size_t i = 0; i < upto; i++) {
        const struct lfd_pair *other = &d->out->pairs[i];

        if (other->partner != NULL && strcmp(other->partner, p) == 0) {
            return true;
        }
    }
    return false;
}

static bool
pair_declared(const struct derive *d, const char *f)
{
    for (size_t j = 0; j < d->out->npairs; j++) {
        if (strcmp(d->out->pairs[j].follower, f) == 0) {
            return true;
        }
    }
    return false;
}

/* Elements of pairs that are no longer declared go, and what an upgrade
 * split them into. */
static void
remove_undeclared(struct derive *d)
{
    GHashTableIter iter;
    gpointer key;
    gpointer value;

    /* d->owned indexes every element of ours. */
    g_hash_table_iter_init(&iter, d->owned);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        xmlNode *n = value;
        const char *id = key;
        char f[LFD_RSC_MAX + 1];

        if (!id_pair(id, f, sizeof(f))) {
            continue; /* not one of our kinds: leave it alone */
        }
        if (!pair_declared(d, f)) {
            delete_ours(d, f, id, n,
                        is(n, "meta_attributes") ? attr(n->parent, "id")
                                                 : NULL);
        }
    }
    g_hash_table_iter_init(&iter, d->leftovers);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        char f[LFD_RSC_MAX + 1];

        if (id_pair(key, f, sizeof(f)) && !pair_declared(d, f)) {
            (void)delete_leftovers(d, f, key);
        }
    }
}

static int
kind_rank(const char *id)
{
    size_t f_len = 0;
    int k = id_kind(id, &f_len);

    return (k < 0) ? 99 : k;
}

/* Deletions that make room for a create of their id first; then writes,
 * in the order of kinds; then the other deletions. */
static int
change_rank(const struct lfd_change *c)
{
    if (c->op != LFD_DELETE) {
        return 1;
    }
    return c->makes_room ? 0 : 2;
}

static int
cmp_change(const void *a, const void *b)
{
    const struct lfd_change *x = a;
    const struct lfd_change *y = b;
    int dx = change_rank(x);
    int dy = change_rank(y);

    if (dx != dy) {
        return dx - dy;
    }
    if (kind_rank(x->id) != kind_rank(y->id)) {
        return kind_rank(x->id) - kind_rank(y->id);
    }
    return strcmp(x->id, y->id);
}

static void
free_array(gpointer list)
{
    g_ptr_array_free(list, TRUE);
}

/* `cibadmin --upgrade` to the pacemaker-4.0 schema (upgrade-3.10-2.xsl)
 * splits a location with several top-level rules, as earlier versions of
 * leapfrogd wrote them, into locations "pcmk__3_10_upgrade-<id>-<n>", one
 * rule each. Those of an id of ours, of our shape (piece_ours()), are
 * ours: indexed under that id, they are deleted when the element is
 * written. Is c such a piece? */
static bool
upgrade_leftover(struct derive *d, xmlNode *c, const char *id)
{
    char *orig = NULL;
    GPtrArray *pieces;

    if (!piece_ours(c, id, &orig)) {
        return false;
    }
    pieces = g_hash_table_lookup(d->leftovers, orig);
    if (pieces == NULL) {
        pieces = g_ptr_array_new();
        g_hash_table_insert(d->leftovers, orig, pieces);
    } else {
        g_free(orig);
    }
    g_ptr_array_add(pieces, (gpointer)id);
    return true;
}

/* Is n inside an element of ours (or one itself)? */
static bool
within_ours(struct derive *d, const xmlNode *n)
{
    for (; n != NULL && n->type == XML_ELEMENT_NODE; n = n->parent) {
        const char *id = attr(n, "id");

        if (id != NULL && g_hash_table_lookup(d->owned, id) == n) {
            return true;
        }
    }
    return false;
}

/* Every element of the configuration whose id is in our namespace but
 * that is not ours (nor inside one of ours): somebody else's. Ids are
 * unique in the whole CIB, so any element can hold one a pair needs. */
static void
index_foreign(struct derive *d)
{
    xmlXPathObject *obj =
        query(d, "/cib/configuration//*[starts-with(@id, 'leapfrog-')]");

    for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++) {
        xmlNode *n = obj->nodesetval->nodeTab[i];

        if (!within_ours(d, n)) {
            g_hash_table_insert(d->foreign, (gpointer)attr(n, "id"), n);
        }
    }
    xmlXPathFreeObject(obj);
}

static void
index_configuration(struct derive *d)
{
    xmlXPathObject *obj = query(d, "/cib/configuration/resources/*");

    for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++) {
        xmlNode *r = obj->nodesetval->nodeTab[i];
        const char *id = attr(r, "id");

        if (id != NULL) {
            g_hash_table_insert(d->resources, (gpointer)id, r);
        }
    }
    xmlXPathFreeObject(obj);
    obj = query(d, "/cib/configuration/resources//meta_attributes"
                   "[starts-with(@id, 'leapfrog-')]");
    for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++) {
        xmlNode *m = obj->nodesetval->nodeTab[i];

        if (lfd_element_ours(m)) {
            g_hash_table_insert(d->owned, (gpointer)attr(m, "id"), m);
        }
    }
    xmlXPathFreeObject(obj);
    obj = query(d, "/cib/configuration/constraints/*");
    for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++) {
        xmlNode *c = obj->nodesetval->nodeTab[i];
        const char *id = attr(c, "id");
        const char *a = NULL;
        const char *b = NULL;

        if (id == NULL) {
            continue;
        }
        if (lfd_element_ours(c)) {
            g_hash_table_insert(d->owned, (gpointer)id, c);
            continue;
        }
        /* Somebody else's (an id like ours included): a constraint like
         * any other. */
        if (upgrade_leftover(d, c, id)) {
            continue;
        }
        if (is(c, "rsc_location")
            && (strncmp(id, "cli-prefer-", 11) == 0
                || strncmp(id, "cli-ban-", 8) == 0)) {
            g_ptr_array_add(d->moves, c);
        }
        if (is(c, "rsc_location") && attr(c, "node") != NULL
            && score_is_minus_infinity(attr(c, "score"))) {
            g_ptr_array_add(d->bans, c);
        } else if (is(c, "rsc_colocation")) {
            a = attr(c, "rsc");
            b = attr(c, "with-rsc");
        } else if (is(c, "rsc_order")) {
            a = attr(c, "first");
            b = attr(c, "then");
        }
        if (a != NULL && b != NULL) {
            g_hash_table_insert(d->ties, tie_key(a, b), (gpointer)id);
        }
    }
    xmlXPathFreeObject(obj);
}

static void
index_status(struct derive *d)
{
    xmlXPathObject *obj = query(d, "/cib/status/node_state");
    const char *dc = attr(d->cib, "dc-uuid");

    for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++) {
        xmlNode *ns = obj->nodesetval->nodeTab[i];
        xmlNode *rscs = child(child(ns, "lrm"), "lrm_resources");

        if (node_online(ns)) {
            d->online++;
            if (dc != NULL && attr_is(ns, "id", dc)) {
                d->dc_online = true;
            }
            if (child(ns, "lrm") == NULL) {
                d->lrm_missing = true;
            }
            if (!node_standby(d, ns) && attr(ns, "uname") != NULL) {
                g_ptr_array_add(d->nodes, ns);
            }
        }
        for (xmlNode *r = rscs != NULL ? rscs->children : NULL; r != NULL;
             r = r->next) {
            const char *id = attr(r, "id");
            GPtrArray *list;

            if (!is(r, "lrm_resource") || id == NULL) {
                continue;
            }
            for (xmlNode *op = r->children; op != NULL && !d->in_flight;
                 op = op->next) {
                d->in_flight = op_in_flight(op);
            }
            list = g_hash_table_lookup(d->history, id);
            if (list == NULL) {
                list = g_ptr_array_new();
                g_hash_table_insert(d->history, (gpointer)id, list);
            }
            g_ptr_array_add(list, r);
        }
    }
    xmlXPathFreeObject(obj);
}

static void
free_indexes(struct derive *d)
{
    g_hash_table_destroy(d->resources);
    g_hash_table_destroy(d->history);
    g_hash_table_destroy(d->owned);
    g_hash_table_destroy(d->foreign);
    g_hash_table_destroy(d->leftovers);
    g_hash_table_destroy(d->ties);
    g_ptr_array_free(d->nodes, TRUE);
    g_ptr_array_free(d->bans, TRUE);
    g_ptr_array_free(d->moves, TRUE);
}

/* Set up a derivation and index the CIB; false: out of memory. */
static bool
derive_begin(struct derive *d, xmlNode *cib, struct lfd_result *out)
{
    memset(out, 0, sizeof(*out));
    memset(d, 0, sizeof(*d));
    d->cib = cib;
    d->out = out;
    d->doc = cib->doc;
    d->xpath = xmlXPathNewContext(cib->doc);
    if (d->xpath == NULL) {
        return false;
    }
    d->resources = g_hash_table_new(g_str_hash, g_str_equal);
    d->history =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, free_array);
    d->owned = g_hash_table_new(g_str_hash, g_str_equal);
    d->foreign = g_hash_table_new(g_str_hash, g_str_equal);
    d->leftovers =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_array);
    d->ties = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    d->nodes = g_ptr_array_new();
    d->bans = g_ptr_array_new();
    d->moves = g_ptr_array_new();
    index_configuration(d);
    index_foreign(d);
    return true;
}

/* Done: 0, or ENOMEM (out is then released). */
static int
derive_end(struct derive *d)
{
    xmlXPathFreeContext(d->xpath);
    free_indexes(d);
    if (d->nomem) {
        lfd_result_free(d->out);
        return ENOMEM;
    }
    return 0;
}

/* Does a meta attribute of the administrator's declare rsc a follower? */
static bool
declares(xmlNode *rsc)
{
    for (xmlNode *m = rsc->children; m != NULL; m = m->next) {
        if (!is(m, "meta_attributes")) {
            continue;
        }
        for (xmlNode *nv = m->children; nv != NULL; nv = nv->next) {
            if (is(nv, "nvpair") && attr_is(nv, "name", "leapfrog-follows")
                && !nvpair_ours(nv)) {
                return true;
            }
        }
    }
    return false;
}

int
lfd_derive(xmlNode *cib, struct lfd_result *out)
{
    struct derive d;
    xmlXPathObject *decl;
    const char *why;

    if (!derive_begin(&d, cib, out)) {
        return ENOMEM;
    }
    index_status(&d);
    out->settled = true;

    /* Every declaration: a top-level resource with leapfrog-follows. */
    decl = query(&d, "/cib/configuration/resources/*[meta_attributes"
                     "/nvpair[@name='leapfrog-follows']]");
    for (int i = 0; decl != NULL && i < decl->nodesetval->nodeNr; i++) {
        xmlNode *f_rsc = decl->nodesetval->nodeTab[i];
        const char *f = attr(f_rsc, "id");
        const char *p = user_meta(f_rsc, "leapfrog-follows");
        const char *survivor = user_meta(f_rsc, "leapfrog-survivor");

        if (f == NULL || !declares(f_rsc)) {
            continue;
        }
        if (add_pair(&d, f, p, survivor != NULL ? survivor : f) == NULL) {
            break;
        }
    }
    xmlXPathFreeObject(decl);
    find_warnings(&d);
    find_conflicts(&d);

    why = status_unsettled(&d);
    for (size_t i = 0; i < out->npairs && !d.nomem; i++) {
        struct lfd_pair *pair = &out->pairs[i];
        xmlNode *f_rsc = find_resource(&d, pair->follower);
        xmlNode *p_rsc = NULL;
        xmlNode *prims[64];
        size_t n;

        check_pair(&d, pair, f_rsc, &p_rsc);
        if (pair->error == NULL && partner_taken(&d, i, pair->partner)) {
            pair_error(&d, pair,
                       "%s follows %s, which another pair "
                       "already follows",
                       pair->follower, pair->partner);
        }
        if (pair->error != NULL || pair->conflict != NULL) {
            continue;
        }
        /* Every node must have probed both, or placement is unknown. */
        n = primitives(f_rsc, prims, 64);
        n += primitives(p_rsc, prims + n, 64 - n);
        for (size_t k = 0; k < n && why == NULL; k++) {
            if (!probed_everywhere(&d, prims[k])) {
                why = "a node has not probed the pair's resources yet";
            }
        }
        if (why == NULL) {
            bool several = false;
            struct placement at = {0};

            at.f = resource_node(&d, f_rsc, &several, &at.f_partial);
            at.p = resource_node(&d, p_rsc, &several, &at.p_partial);
            if (several) {
                why = "a resource of a pair is active on several nodes";
            } else {
                derive_pair(&d, pair, f_rsc, p_rsc, &at);
            }
        }
        if (why != NULL) {
            break;
        }
    }
    if (why != NULL) {
        out->settled = false;
        out->unsettled = xstrdup(&d, why);
        for (size_t i = 0; i < out->nchanges; i++) {
            free(out->changes[i].pair);
            free(out->changes[i].id);
            free(out->changes[i].parent);
            free(out->changes[i].parent_tag);
            xmlFreeNode(out->changes[i].xml);
        }
        out->nchanges = 0;
    } else {
        remove_undeclared(&d);
        qsort(out->changes, out->nchanges, sizeof(*out->changes), cmp_change);
    }
    return derive_end(&d);
}

int
lfd_derive_removal(xmlNode *cib, const char *f, struct lfd_result *out)
{
    struct derive d;

    if (!derive_begin(&d, cib, out)) {
        return ENOMEM;
    }
    out->settled = true;
    for (size_t k = 0; k < lfd_nkinds && !d.nomem; k++) {
        char id[512];
        const char *parent = NULL;
        xmlNode *n;

        make_id(id, sizeof(id), f, lfd_kinds[k]);
        n = current_element(&d, id, &parent);
        if (n != NULL) {
            delete_ours(&d, f, id, n, parent);
        }
        (void)delete_leftovers(&d, f, id);
        n = g_hash_table_lookup(d.foreign, id);
        if (n != NULL) {
            add_warning(&d, LFD_WARN_ID_CONFLICT, f,
                        "%s %s is not leapfrogd's (not of its shape): left "
                        "as it is",
                        (const char *)n->name, id);
        }
    }
    return derive_end(&d);
}

void
lfd_result_free(struct lfd_result *r)
{
    for (size_t i = 0; i < r->npairs; i++) {
        free(r->pairs[i].follower);
        free(r->pairs[i].partner);
        free(r->pairs[i].survivor);
        free(r->pairs[i].node_f);
        free(r->pairs[i].node_p);
        free(r->pairs[i].error);
        free(r->pairs[i].conflict);
    }
    for (size_t i = 0; i < r->nchanges; i++) {
        free(r->changes[i].pair);
        free(r->changes[i].id);
        free(r->changes[i].parent);
        free(r->changes[i].parent_tag);
        xmlFreeNode(r->changes[i].xml);
    }
    for (size_t i = 0; i < r->nwarnings; i++) {
        free(r->warnings[i].pair);
        free(r->warnings[i].text);
    }
    free(r->pairs);
    free(r->changes);
    free(r->warnings);
    free(r->unsettled);
    memset(r, 0, sizeof(*r));
}

bool
lfd_result_warns(const struct lfd_result *r, const char *text)
{
    for (size_t i = 0; i < r->nwarnings; i++) {
        if (r->warnings[i].text != NULL
            && strcmp(r->warnings[i].text, text) == 0) {
            return true;
        }
    }
    return false;
}

const char *
lfd_op_str(enum lfd_op op)
{
    switch (op) {
    case LFD_CREATE:
        return "create";
    case LFD_REPLACE:
        return "replace";
    default:
        return "delete";
    }
}

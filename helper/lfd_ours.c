/*
 * What is leapfrogd's, by id and shape. The derivation writes only
 * elements of this shape, and rewrites or deletes no other.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <libxml/tree.h>

#include "lfd_derive.h"
#include "lfd_ours.h"
#include "lfd_xml.h"

const char *const lfd_kinds[] = {
    "meta", "pmeta", "order", "push", "fresh", "follow", "avoid", "yield",
};
const size_t lfd_nkinds = sizeof(lfd_kinds) / sizeof(lfd_kinds[0]);

/* In our namespace: a candidate, not yet ours (lfd_element_ours()). */
static bool
prefixed_id(const char *id)
{
    return id != NULL && strncmp(id, LFD_ID_PREFIX, strlen(LFD_ID_PREFIX)) == 0;
}

int
lfd_ours_id_kind(const char *id, size_t *f_len)
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

bool
lfd_ours_id_pair(const char *id, char *f, size_t size)
{
    size_t f_len = 0;

    if (lfd_ours_id_kind(id, &f_len) < 0 || f_len >= size) {
        return false;
    }
    memcpy(f, id + strlen(LFD_ID_PREFIX), f_len);
    f[f_len] = '\0';
    return true;
}

void
lfd_ours_make_id(char *out, size_t size, const char *f, const char *kind)
{
    snprintf(out, size, LFD_ID_PREFIX "%s-%s", f, kind);
}

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

/* Does n's id extend prefix ("<prefix>-...")? */
static bool
id_extends(const xmlNode *n, const char *prefix)
{
    const char *id = lfd_xml_attr(n, "id");
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

    if (!lfd_xml_is(r, "rule") || !lfd_xml_has_only(r, rule_attrs)
        || !id_extends(r, prefix)) {
        return false;
    }
    for (const xmlNode *c = r->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        any = true;
        if (lfd_xml_is(c, "rule")) {
            if (!rule_ours(c, prefix)) {
                return false;
            }
        } else if (!lfd_xml_is(c, "expression")
                   || !lfd_xml_has_only(c, expr_attrs)
                   || lfd_xml_attr(c, "attribute") == NULL
                   || lfd_xml_attr(c, "operation") == NULL
                   || !id_extends(c, prefix) || !lfd_xml_no_element_child(c)) {
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

    if (!lfd_xml_is(n, "rsc_location") || !lfd_xml_has_exactly(n, names)) {
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

bool
lfd_ours_meta_name(bool follower, const char *name)
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
 * leapfrogd's, that nvpair is not (lfd_ours_nvpair()) and is never rewritten
 * or deleted. */
static bool
meta_ours(const xmlNode *m, const char *id, bool follower, const char *f)
{
    static const char *const set_attrs[] = {"id", "score", NULL};
    static const char *const nv_attrs[] = {"id", "name", "value", NULL};
    const xmlNode *parent = m->parent;

    if (!lfd_xml_is(m, "meta_attributes") || !lfd_xml_has_only(m, set_attrs)
        || (lfd_xml_attr(m, "score") != NULL
            && !lfd_xml_attr_is(m, "score", LFD_SCORE_META))
        || !(lfd_xml_is(parent, "primitive") || lfd_xml_is(parent, "group"))
        || (follower && !lfd_xml_attr_is(parent, "id", f))) {
        return false;
    }
    for (const xmlNode *nv = m->children; nv != NULL; nv = nv->next) {
        const char *name;

        if (nv->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (!lfd_xml_is(nv, "nvpair") || !lfd_xml_has_exactly(nv, nv_attrs)
            || !lfd_xml_no_element_child(nv)) {
            return false;
        }
        name = lfd_xml_attr(nv, "name");
        if (lfd_ours_meta_name(follower, name)
            && (!id_extends(nv, id)
                || strcmp(lfd_xml_attr(nv, "id") + strlen(id) + 1, name)
                       != 0)) {
            return false;
        }
    }
    return true;
}

bool
lfd_ours_nvpair(const xmlNode *nv)
{
    const xmlNode *m = nv->parent;
    size_t f_len = 0;
    int kind;

    if (!lfd_xml_is(nv, "nvpair") || !lfd_xml_is(m, "meta_attributes")
        || !lfd_element_ours(m)) {
        return false;
    }
    kind = lfd_ours_id_kind(lfd_xml_attr(m, "id"), &f_len);
    return lfd_ours_meta_name(strcmp(lfd_kinds[kind], "meta") == 0,
                              lfd_xml_attr(nv, "name"));
}

bool
lfd_ours_set_has_others(const xmlNode *m)
{
    for (const xmlNode *nv = m->children; nv != NULL; nv = nv->next) {
        if (nv->type == XML_ELEMENT_NODE && !lfd_ours_nvpair(nv)) {
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

    return lfd_xml_is(n, "rsc_location") && lfd_xml_has_exactly(n, names)
           && (rsc == NULL || lfd_xml_attr_is(n, "rsc", rsc))
           && lfd_xml_attr_is(n, "score", score) && lfd_xml_no_element_child(n);
}

static bool
push_ours(const xmlNode *n, const char *f)
{
    static const char *const names[] = {"id",    "rsc",       "with-rsc",
                                        "score", "influence", NULL};

    return lfd_xml_is(n, "rsc_colocation") && lfd_xml_has_exactly(n, names)
           && lfd_xml_attr_is(n, "with-rsc", f)
           && lfd_xml_attr_is(n, "score", LFD_SCORE_PUSH)
           && lfd_xml_attr_is(n, "influence", "false")
           && lfd_xml_no_element_child(n);
}

static bool
order_ours(const xmlNode *n, const char *f)
{
    static const char *const names[] = {
        "id",          "first", "first-action", "then",
        "then-action", "kind",  "symmetrical",  NULL};

    return lfd_xml_is(n, "rsc_order") && lfd_xml_has_exactly(n, names)
           && lfd_xml_attr_is(n, "first", f)
           && lfd_xml_attr_is(n, "first-action", "start")
           && lfd_xml_attr_is(n, "then-action", "stop")
           && lfd_xml_attr_is(n, "kind", "Optional")
           && lfd_xml_attr_is(n, "symmetrical", "false")
           && lfd_xml_no_element_child(n);
}

bool
lfd_element_ours(const xmlNode *n)
{
    const char *id = (n != NULL && n->type == XML_ELEMENT_NODE)
                         ? lfd_xml_attr(n, "id")
                         : NULL;
    char f[LFD_RSC_MAX + 1];
    size_t f_len = 0;
    int kind = (id != NULL) ? lfd_ours_id_kind(id, &f_len) : -1;
    const char *name;

    if (kind < 0 || !lfd_ours_id_pair(id, f, sizeof(f))) {
        return false;
    }
    name = lfd_kinds[kind];
    if (strcmp(name, "meta") == 0 || strcmp(name, "pmeta") == 0) {
        return meta_ours(n, id, strcmp(name, "meta") == 0, f);
    }
    if (strcmp(name, "follow") == 0) {
        return node_location_ours(n, f, LFD_SCORE_FOLLOW);
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
        && !lfd_xml_attr_is(n, "rsc", f)) {
        return true;
    }
    return rule_location_ours(n, id); /* avoid, fresh */
}

/* Indexed by upgrade_leftover() in lfd_facts.c. */
bool
lfd_ours_upgrade_piece(const xmlNode *c, const char *id, char **orig)
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
    kind = lfd_ours_id_kind(*orig, &f_len);
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

/*
 * Reconciling the desired elements with those in the CIB.
 */
#include <config.h>

#include <string.h>

#include <glib.h>
#include <libxml/tree.h>

#include "lfd_derive.h"
#include "lfd_facts.h"
#include "lfd_ours.h"
#include "lfd_reconcile.h"
#include "lfd_result.h"
#include "lfd_xml.h"

/* A change; a set of meta attributes is written under its resource, of
 * the element its resource has in the CIB. */
static struct lfd_change *
change(const struct lfd_facts *facts, struct lfd_result_builder *out,
       enum lfd_op op, const char *pair, const char *id, const char *parent,
       xmlNode *xml)
{
    const char *tag = NULL;

    if (parent != NULL) {
        xmlNode *rsc = lfd_facts_resource(facts, parent);

        tag = (rsc != NULL) ? (const char *)rsc->name : "primitive";
    }
    return lfd_result_add_change(out, op, pair, id, parent, tag, xml);
}

void
lfd_reconcile_delete(const struct lfd_facts *facts,
                     struct lfd_result_builder *out, const char *pair,
                     const char *id, xmlNode *n, const char *parent)
{
    if (!lfd_xml_is(n, "meta_attributes") || !lfd_ours_set_has_others(n)) {
        change(facts, out, LFD_DELETE, pair, id, parent, NULL);
        return;
    }
    for (xmlNode *nv = n->children; nv != NULL; nv = nv->next) {
        if (lfd_ours_nvpair(nv)) {
            change(facts, out, LFD_DELETE, pair, lfd_xml_attr(nv, "id"), parent,
                   NULL);
        }
    }
}

bool
lfd_reconcile_leftovers(const struct lfd_facts *facts,
                        struct lfd_result_builder *out, const char *pair,
                        const char *id)
{
    GPtrArray *pieces = g_hash_table_lookup(facts->leftovers, id);

    for (guint i = 0; pieces != NULL && i < pieces->len; i++) {
        change(facts, out, LFD_DELETE, pair, g_ptr_array_index(pieces, i), NULL,
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
        strcmp(lfd_kinds[lfd_ours_id_kind(lfd_xml_attr(want, "id"), &f_len)],
               "meta")
        == 0;
    xmlNode *next;
    bool same;

    if (mine == NULL) {
        return false;
    }
    for (xmlNode *nv = mine->children; nv != NULL; nv = next) {
        next = nv->next;
        if (nv->type == XML_ELEMENT_NODE
            && !lfd_ours_meta_name(follower, lfd_xml_attr(nv, "name"))) {
            xmlUnlinkNode(nv);
            xmlFreeNode(nv);
        }
    }
    same = lfd_xml_equal(mine, want);
    xmlFreeNode(mine);
    return same;
}

void
lfd_reconcile(const struct lfd_facts *facts, struct lfd_result_builder *out,
              struct lfd_pair *pair, const char *kind, const char *parent,
              xmlNode *want)
{
    char id[512];
    const char *have_parent = NULL;
    xmlNode *have;

    lfd_ours_make_id(id, sizeof(id), pair->follower, kind);
    have = lfd_facts_owned(facts, id, &have_parent);
    if (lfd_reconcile_leftovers(facts, out, pair->follower, id)) {
        pair->current = false;
    }
    if (want == NULL) {
        if (have != NULL) {
            lfd_reconcile_delete(facts, out, pair->follower, id, have,
                                 have_parent);
            pair->current = false;
        }
        return;
    }
    if (have == NULL) {
        change(facts, out, LFD_CREATE, pair->follower, id, parent, want);
        pair->current = false;
    } else if (parent != NULL && have_parent != NULL
               && strcmp(parent, have_parent) != 0) {
        /* The set hangs off another resource now (the pair has a new
         * partner): move it, the old one out of the way first. Only a set
         * that is wholly ours gets here (lfd_policy.c's check_move()). */
        struct lfd_change *room = change(facts, out, LFD_DELETE, pair->follower,
                                         id, have_parent, NULL);

        if (room != NULL && !out->nomem) {
            room->makes_room = true;
        }
        change(facts, out, LFD_CREATE, pair->follower, id, parent, want);
        pair->current = false;
    } else if (lfd_xml_is(have, "meta_attributes")
                   ? !meta_equal(have, want)
                   : !lfd_xml_equal(have, want)) {
        change(facts, out, LFD_REPLACE, pair->follower, id, parent, want);
        pair->current = false;
    } else {
        xmlFreeNode(want);
    }
}

static bool
pair_declared(const struct lfd_result *result, const char *f)
{
    for (size_t j = 0; j < result->npairs; j++) {
        if (strcmp(result->pairs[j].follower, f) == 0) {
            return true;
        }
    }
    return false;
}

void
lfd_reconcile_undeclared(const struct lfd_facts *facts,
                         struct lfd_result_builder *out)
{
    GHashTableIter iter;
    gpointer key;
    gpointer value;

    /* facts->owned indexes every element of ours. */
    g_hash_table_iter_init(&iter, facts->owned);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        xmlNode *n = value;
        const char *id = key;
        char f[LFD_RSC_MAX + 1];

        if (!lfd_ours_id_pair(id, f, sizeof(f))) {
            continue; /* not one of our kinds: leave it alone */
        }
        if (!pair_declared(out->result, f)) {
            lfd_reconcile_delete(facts, out, f, id, n,
                                 lfd_xml_is(n, "meta_attributes")
                                     ? lfd_xml_attr(n->parent, "id")
                                     : NULL);
        }
    }
    g_hash_table_iter_init(&iter, facts->leftovers);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        char f[LFD_RSC_MAX + 1];

        if (lfd_ours_id_pair(key, f, sizeof(f))
            && !pair_declared(out->result, f)) {
            (void)lfd_reconcile_leftovers(facts, out, f, key);
        }
    }
}

/*
 * The derivation of each pair's constraints: pure code over libxml2, no
 * Pacemaker library and no I/O. lfd_derive() runs the stages in order:
 *
 *   lfd_facts.c      the facts about the cluster, read once
 *   lfd_warn.c       what weakens the pairs' guarantees
 *   lfd_policy.c     the declaration checks, and what each pair needs
 *   lfd_build.c      the elements that says to write
 *   lfd_reconcile.c  their difference from the CIB, as changes
 *   lfd_result.c     the result, its changes in the order they are written
 *
 * with lfd_ours.c (what is leapfrogd's) and lfd_xml.c under them all.
 */
#include <config.h>

#include <errno.h>
#include <stddef.h>

#include <libxml/xpath.h>

#include "lfd_derive.h"
#include "lfd_facts.h"
#include "lfd_ours.h"
#include "lfd_policy.h"
#include "lfd_reconcile.h"
#include "lfd_result.h"
#include "lfd_warn.h"
#include "lfd_xml.h"

/* Every declaration: a top-level resource with leapfrog-follows. */
static void
find_pairs(const struct lfd_facts *facts, struct lfd_result_builder *out)
{
    xmlXPathObject *decl =
        lfd_facts_query(facts, "/cib/configuration/resources/*[meta_attributes"
                               "/nvpair[@name='leapfrog-follows']]");

    for (int i = 0; decl != NULL && i < decl->nodesetval->nodeNr; i++) {
        xmlNode *f_rsc = decl->nodesetval->nodeTab[i];
        const char *f = lfd_xml_attr(f_rsc, "id");
        const char *p = lfd_facts_user_meta(f_rsc, "leapfrog-follows");
        const char *survivor = lfd_facts_user_meta(f_rsc, "leapfrog-survivor");

        if (f == NULL || !lfd_facts_declares(f_rsc)) {
            continue;
        }
        if (lfd_result_add_pair(out, f, p, survivor != NULL ? survivor : f)
            == NULL) {
            break;
        }
    }
    xmlXPathFreeObject(decl);
}

/* Check each pair and derive its changes, in order, while the cluster is
 * settled: the first sound pair whose placement is not known stops it.
 * NULL, or why the cluster is not settled. */
static const char *
derive_pairs(const struct lfd_facts *facts, struct lfd_result_builder *out)
{
    const char *why = lfd_facts_unsettled(facts);

    for (size_t i = 0; i < out->result->npairs && !out->nomem; i++) {
        struct lfd_pair *pair = &out->result->pairs[i];
        xmlNode *f_rsc = lfd_facts_resource(facts, pair->follower);
        xmlNode *p_rsc = lfd_policy_check(facts, out, i, f_rsc);
        struct lfd_placement at;

        if (p_rsc == NULL) {
            continue; /* left alone */
        }
        if (why == NULL) {
            why = lfd_facts_placement(facts, f_rsc, p_rsc, &at);
        }
        if (why != NULL) {
            break;
        }
        lfd_policy_pair(facts, out, pair, f_rsc, p_rsc, &at);
    }
    return why;
}

int
lfd_derive(xmlNode *cib, struct lfd_result *result)
{
    struct lfd_result_builder out;
    struct lfd_facts facts;
    const char *why;

    lfd_result_begin(&out, result);
    if (!lfd_facts_init(&facts, cib)) {
        return ENOMEM;
    }
    lfd_facts_read_status(&facts);
    result->settled = true;

    find_pairs(&facts, &out);
    lfd_warn_configuration(&facts, &out);
    lfd_warn_conflicts(&facts, &out);
    why = derive_pairs(&facts, &out);
    if (why != NULL) {
        result->settled = false;
        result->unsettled = lfd_result_strdup(&out, why);
        lfd_result_drop_changes(&out);
    } else {
        lfd_reconcile_undeclared(&facts, &out);
        lfd_result_sort_changes(&out);
    }
    lfd_facts_free(&facts);
    return lfd_result_end(&out);
}

int
lfd_derive_removal(xmlNode *cib, const char *f, struct lfd_result *result)
{
    struct lfd_result_builder out;
    struct lfd_facts facts;

    lfd_result_begin(&out, result);
    if (!lfd_facts_init(&facts, cib)) {
        return ENOMEM;
    }
    result->settled = true;
    for (size_t k = 0; k < lfd_nkinds && !out.nomem; k++) {
        char id[512];
        const char *parent = NULL;
        xmlNode *n;

        lfd_ours_make_id(id, sizeof(id), f, lfd_kinds[k]);
        n = lfd_facts_owned(&facts, id, &parent);
        if (n != NULL) {
            lfd_reconcile_delete(&facts, &out, f, id, n, parent);
        }
        (void)lfd_reconcile_leftovers(&facts, &out, f, id);
        n = g_hash_table_lookup(facts.foreign, id);
        if (n != NULL) {
            lfd_result_add_warning(&out, LFD_WARN_ID_CONFLICT, f,
                                   "%s %s is not leapfrogd's (not of its "
                                   "shape): left as it is",
                                   (const char *)n->name, id);
        }
    }
    lfd_facts_free(&facts);
    return lfd_result_end(&out);
}

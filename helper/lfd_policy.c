/*
 * The pair policy: the declaration checks, and which element of each kind
 * a pair gets where F and P run.
 */
#include <config.h>

#include <string.h>

#include <libxml/tree.h>

#include "lfd_build.h"
#include "lfd_derive.h"
#include "lfd_facts.h"
#include "lfd_ours.h"
#include "lfd_policy.h"
#include "lfd_reconcile.h"
#include "lfd_result.h"
#include "lfd_xml.h"

#define F_STICKINESS "5000"
/* The fence race: see side_priority(). */
#define SURVIVOR_PRIORITY "10"
#define LOSER_PRIORITY "0"

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

void
lfd_policy_pair(const struct lfd_facts *facts, struct lfd_result_builder *out,
                struct lfd_pair *pair, xmlNode *f_rsc, xmlNode *p_rsc,
                const struct lfd_placement *at)
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
    bool has_marker = lfd_facts_enqueue_marker(f_rsc, marker, sizeof(marker));
    char id[512];
    bool one_node;
    /* Where F and P have come to rest: a group still starting members on
     * a node is between nodes, like a stopped resource. Rewriting when
     * its first member has started would only make the scheduler drop the
     * transition that is starting the rest (and P's stop after it). */
    const char *rest_f = at->f_partial ? NULL : at->f;
    const char *rest_p = at->p_partial ? NULL : at->p;

    pair->node_f = lfd_result_strdup(out, at->f);
    pair->node_p = lfd_result_strdup(out, at->p);
    pair->eligible = lfd_facts_eligible_nodes(facts, p);
    one_node = (pair->eligible <= 1);
    pair->current = true;

    lfd_ours_make_id(id, sizeof(id), f, "meta");
    lfd_reconcile(facts, out, pair, "meta", f, lfd_build_meta(id, f_meta, 6));
    lfd_ours_make_id(id, sizeof(id), f, "pmeta");
    lfd_reconcile(facts, out, pair, "pmeta", p, lfd_build_meta(id, p_meta, 4));

    lfd_ours_make_id(id, sizeof(id), f, "order");
    lfd_reconcile(facts, out, pair, "order", NULL, lfd_build_order(id, f, p));
    lfd_ours_make_id(id, sizeof(id), f, "push");
    lfd_reconcile(facts, out, pair, "push", NULL, lfd_build_push(id, p, f));

    lfd_ours_make_id(id, sizeof(id), f, "fresh");
    lfd_reconcile(facts, out, pair, "fresh", NULL, lfd_build_fresh(id, p_rsc));

    /* F follows P, wherever P runs now. While P is stopped (between its
     * stop and its start elsewhere, say) the last node stays: rewriting in
     * the middle of a transition would only make the scheduler start
     * over. */
    lfd_ours_make_id(id, sizeof(id), f, "follow");
    if (rest_p != NULL) {
        lfd_reconcile(facts, out, pair, "follow", NULL,
                      lfd_build_location(id, f, rest_p, LFD_SCORE_FOLLOW));
    }

    /* P never runs beside F, except with survivor=P on the last node and
     * survivor=none there (pre-armed from two nodes on: lfd_build_share());
     * kept as it is while F is stopped, for the same reason. */
    lfd_ours_make_id(id, sizeof(id), f, "avoid");
    if (one_node && survivor_p) {
        lfd_reconcile(facts, out, pair, "avoid", NULL, NULL);
    } else if (survivor_none && pair->eligible <= 2) {
        if (has_marker || rest_f != NULL) {
            lfd_reconcile(facts, out, pair, "avoid", NULL,
                          lfd_build_share(id, p, rest_f, f_rsc,
                                          has_marker ? marker : NULL));
        }
    } else if (rest_f != NULL) {
        lfd_reconcile(
            facts, out, pair, "avoid", NULL,
            lfd_build_avoid(id, p, rest_f, f_rsc,
                            (survivor_f && has_marker) ? marker : NULL));
    }

    /* survivor=P on the last node: F stays away from P. */
    lfd_ours_make_id(id, sizeof(id), f, "yield");
    lfd_reconcile(facts, out, pair, "yield", NULL,
                  (survivor_p && one_node && rest_p != NULL)
                      ? lfd_build_location(id, f, rest_p, "-INFINITY")
                      : NULL);
}

/* A new partner: -pmeta moves from the old one, and as its id is unique
 * the old set goes first. A set that holds somebody else's meta
 * attributes too cannot go (they are not leapfrogd's to delete) and a
 * second set of that id cannot be created: the pair is left as it is,
 * with the reason. */
static bool
check_move(const struct lfd_facts *facts, struct lfd_result_builder *out,
           struct lfd_pair *pair)
{
    char id[512];
    const char *parent = NULL;
    xmlNode *have;

    lfd_ours_make_id(id, sizeof(id), pair->follower, "pmeta");
    have = lfd_facts_owned(facts, id, &parent);
    if (have == NULL || parent == NULL || strcmp(parent, pair->partner) == 0
        || !lfd_ours_set_has_others(have)) {
        return true;
    }
    lfd_result_pair_error(
        out, pair,
        "%s now follows %s, but leapfrogd's meta attributes %s on %s, "
        "its former partner, hold meta attributes that are not "
        "leapfrogd's: move those to a set of %s's own, and leapfrogd "
        "moves its set to %s",
        pair->follower, pair->partner, id, parent, parent, pair->partner);
    return false;
}

/* Check a declaration; *p_out is P when it is sound. */
static void
check_pair(const struct lfd_facts *facts, struct lfd_result_builder *out,
           struct lfd_pair *pair, xmlNode *f_rsc, xmlNode **p_out)
{
    const char *f = pair->follower;
    const char *p = pair->partner;
    xmlNode *p_rsc;
    const char *conflict;

    *p_out = NULL;
    if (strlen(f) > LFD_RSC_MAX) {
        lfd_result_pair_error(out, pair,
                              "the id of %.40s... is longer than %d characters",
                              f, LFD_RSC_MAX);
        return;
    }
    if (p == NULL || *p == '\0') {
        lfd_result_pair_error(out, pair,
                              "leapfrog-follows on %s names no resource", f);
        return;
    }
    if (strcmp(p, f) == 0) {
        lfd_result_pair_error(out, pair, "%s cannot follow itself", f);
        return;
    }
    p_rsc = lfd_facts_resource(facts, p);
    if (p_rsc == NULL
        || !(lfd_xml_is(p_rsc, "primitive") || lfd_xml_is(p_rsc, "group"))) {
        lfd_result_pair_error(
            out, pair,
            "%s follows %s, which is not a primitive or group "
            "of the configuration",
            f, p);
        return;
    }
    if (!(lfd_xml_is(f_rsc, "primitive") || lfd_xml_is(f_rsc, "group"))) {
        lfd_result_pair_error(out, pair, "%s must be a primitive or a group",
                              f);
        return;
    }
    if (lfd_facts_user_meta(p_rsc, "leapfrog-follows") != NULL) {
        lfd_result_pair_error(
            out, pair,
            "%s follows %s, which follows another resource itself "
            "(pairs cannot chain or loop)",
            f, p);
        return;
    }
    if (strcmp(pair->survivor, f) != 0 && strcmp(pair->survivor, p) != 0
        && strcmp(pair->survivor, "none") != 0) {
        lfd_result_pair_error(
            out, pair,
            "leapfrog-survivor of %s must be %s, its partner or "
            "none",
            f, f);
        return;
    }
    conflict = lfd_facts_tie(facts, f, p);
    if (conflict != NULL) {
        lfd_result_pair_error(
            out, pair,
            "constraint %s already ties %s to its partner; remove it "
            "to let leapfrog manage the pair",
            conflict, f);
        return;
    }
    if (!check_move(facts, out, pair)) {
        return;
    }
    *p_out = p_rsc;
}

/* Is some other declared pair's F also following this P? */
static bool
partner_taken(const struct lfd_result *result, size_t upto, const char *p)
{
    for (size_t i = 0; i < upto; i++) {
        const struct lfd_pair *other = &result->pairs[i];

        if (other->partner != NULL && strcmp(other->partner, p) == 0) {
            return true;
        }
    }
    return false;
}

xmlNode *
lfd_policy_check(const struct lfd_facts *facts, struct lfd_result_builder *out,
                 size_t i, xmlNode *f_rsc)
{
    struct lfd_pair *pair = &out->result->pairs[i];
    xmlNode *p_rsc = NULL;

    check_pair(facts, out, pair, f_rsc, &p_rsc);
    if (pair->error == NULL && partner_taken(out->result, i, pair->partner)) {
        lfd_result_pair_error(out, pair,
                              "%s follows %s, which another pair "
                              "already follows",
                              pair->follower, pair->partner);
    }
    if (pair->error != NULL || pair->conflict != NULL) {
        return NULL;
    }
    return p_rsc;
}

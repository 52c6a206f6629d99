/*
 * Building the elements of a pair, with the ids and shape lfd_ours.c
 * recognises as leapfrogd's.
 */
#include <config.h>

#include <stdio.h>

#include <libxml/tree.h>

#include "lf_parse.h"
#include "lfd_build.h"
#include "lfd_facts.h"
#include "lfd_ours.h"
#include "lfd_xml.h"

#define FRESH_SCORE "100"
#define SHARE_SCORE "5000"

xmlNode *
lfd_build_meta(const char *id, const char *const *nv, size_t n)
{
    xmlNode *m = lfd_xml_element("meta_attributes", id);
    char nid[700];

    lfd_xml_set(m, "score", LFD_SCORE_META);
    for (size_t i = 0; i + 1 < n; i += 2) {
        xmlNode *p = lfd_xml_element("nvpair", NULL);

        snprintf(nid, sizeof(nid), "%s-%s", id, nv[i]);
        lfd_xml_set(p, "id", nid);
        lfd_xml_set(p, "name", nv[i]);
        lfd_xml_set(p, "value", nv[i + 1]);
        xmlAddChild(m, p);
    }
    return m;
}

xmlNode *
lfd_build_location(const char *id, const char *rsc, const char *node,
                   const char *score)
{
    xmlNode *l = lfd_xml_element("rsc_location", id);

    lfd_xml_set(l, "rsc", rsc);
    lfd_xml_set(l, "node", node);
    lfd_xml_set(l, "score", score);
    return l;
}

xmlNode *
lfd_build_order(const char *id, const char *f, const char *p)
{
    xmlNode *o = lfd_xml_element("rsc_order", id);

    lfd_xml_set(o, "first", f);
    lfd_xml_set(o, "first-action", "start");
    lfd_xml_set(o, "then", p);
    lfd_xml_set(o, "then-action", "stop");
    lfd_xml_set(o, "kind", "Optional");
    lfd_xml_set(o, "symmetrical", "false");
    return o;
}

xmlNode *
lfd_build_push(const char *id, const char *p, const char *f)
{
    xmlNode *c = lfd_xml_element("rsc_colocation", id);

    lfd_xml_set(c, "rsc", p);
    lfd_xml_set(c, "with-rsc", f);
    lfd_xml_set(c, "score", LFD_SCORE_PUSH);
    lfd_xml_set(c, "influence", "false");
    return c;
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
    e = lfd_xml_element("expression", eid);
    lfd_xml_set(e, "attribute", name);
    lfd_xml_set(e, "operation", operation);
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
    size_t n = lfd_facts_primitives(rsc, prims, 64);

    for (size_t i = 0; i < n; i++) {
        xmlNode *ops = lfd_xml_child(prims[i], "operations");
        int first = k;

        for (xmlNode *op = ops != NULL ? ops->children : NULL; op != NULL;
             op = op->next) {
            long long ms = 0;
            const char *interval = lfd_xml_attr(op, "interval");

            if (!lfd_xml_is(op, "op") || !lfd_xml_attr_is(op, "name", "monitor")
                || interval == NULL || lf_parse_duration_ms(interval, &ms) != 0
                || ms == 0) {
                continue;
            }
            k = add_failcount_expression(rule, prefix, k,
                                         lfd_xml_attr(prims[i], "id"),
                                         "monitor", ms, operation);
        }
        if (k > first) {
            k = add_failcount_expression(rule, prefix, k,
                                         lfd_xml_attr(prims[i], "id"),
                                         "asyncmon", 0, operation);
        }
    }
    return k;
}

/* A rule (score NULL: a nested one, which has none) with its id. */
static xmlNode *
rule(const char *id, const char *score, const char *boolean_op)
{
    xmlNode *r = lfd_xml_element("rule", id);

    if (score != NULL) {
        lfd_xml_set(r, "score", score);
    }
    lfd_xml_set(r, "boolean-op", boolean_op);
    return r;
}

/* An expression "attribute operation [value]" with its id. */
static xmlNode *
expression(const char *id, const char *attribute, const char *operation,
           const char *value)
{
    xmlNode *e = lfd_xml_element("expression", id);

    lfd_xml_set(e, "attribute", attribute);
    lfd_xml_set(e, "operation", operation);
    if (value != NULL) {
        lfd_xml_set(e, "value", value);
    }
    return e;
}

static xmlNode *
rule_location(const char *id, const char *rsc, const char *score,
              xmlNode **rule_out)
{
    xmlNode *l = lfd_xml_element("rsc_location", id);
    char rid[600];

    lfd_xml_set(l, "rsc", rsc);
    snprintf(rid, sizeof(rid), "%s-rule", id);
    *rule_out = rule(rid, score, "and");
    xmlAddChild(l, *rule_out);
    return l;
}

/* +100 on every node where P has no fail-count for a recurring monitor. */
xmlNode *
lfd_build_fresh(const char *id, xmlNode *p_rsc)
{
    xmlNode *r = NULL;
    xmlNode *l = rule_location(id, lfd_xml_attr(p_rsc, "id"), FRESH_SCORE, &r);

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
 * upgrade_leftover() in lfd_facts.c). The ids inside differ from those of
 * the two-rule forms that earlier versions of leapfrogd wrote (<id>-rule,
 * -expr-<n>, -marker, -marker-expr, -all, -all-expr), so that the location
 * can be created while the pieces of such a split still hold them; the
 * pieces are deleted after it.
 */

/* -INFINITY for P on F's node, unless F has failed there: then F cannot
 * come back (migration-threshold 1), and P may take the node at once, in
 * the same transition that moves F onto P's node. With a marker also
 * wherever F's enqueue agent has published it: one rule, "or" of the
 * two. */
xmlNode *
lfd_build_avoid(const char *id, const char *p, const char *node_f,
                xmlNode *f_rsc, const char *marker)
{
    xmlNode *l = lfd_xml_element("rsc_location", id);
    xmlNode *on = NULL;
    xmlNode *locks = NULL;
    char rid[600];
    char eid[600];

    lfd_xml_set(l, "rsc", p);
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
xmlNode *
lfd_build_share(const char *id, const char *p, const char *node_f,
                xmlNode *f_rsc, const char *marker)
{
    xmlNode *l = lfd_xml_element("rsc_location", id);
    xmlNode *away;
    char rid[600];
    char eid[600];

    lfd_xml_set(l, "rsc", p);
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

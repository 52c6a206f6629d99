/*
 * Unit tests of the derivation (helper/lfd_derive.c and its stages): CIBs
 * built for each case (F, P and the nodes in a given state), the derived
 * changes checked, and applied to the CIB to check that a second
 * derivation has nothing left to do.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "lfd_derive.h"

#define NODES 3

struct fixture {
    const char *survivor; /* NULL: not declared (default F) */
    const char *follows;  /* NULL: "rep-T1"; "" no declaration */
    int f_node;           /* 0: stopped, else node number */
    int p_node;
    bool offline[NODES + 1];
    bool p_group;             /* P is a group of two primitives */
    const char *constraints;  /* extra constraint XML */
    const char *extra_rsc;    /* extra resources XML */
    bool pending;             /* an operation in flight */
    bool unprobed;            /* node 3 has not probed P */
    bool f_twice;             /* F active on node 3 as well */
    int f_partial;            /* node where only F's first member is active */
    bool enq_disabled;        /* F's second member has target-role=Stopped */
    bool no_marker;           /* F's server is a Dummy, not ocf:leapfrog */
    bool secrets;             /* both servers have a secret_file */
    bool f_failed;            /* F's server failed, reported by lf-watch */
    const char *properties;   /* XML inside crm_config */
    int config_nodes;         /* node entries in <nodes>; 0: NODES */
    const char *extra_probed; /* a resource of extra_rsc, probed (not
                               * running) on every node */
};

static char buf[65536];

static void
append(const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
    va_end(ap);
}

static void
history(const char *rsc, bool active, int call, bool pending)
{
    append("<lrm_resource id=\"%s\" class=\"ocf\" type=\"Dummy\">"
           "<lrm_rsc_op id=\"%s_last_0\" operation=\"%s\" call-id=\"%d\" "
           "rc-code=\"%d\" op-status=\"%d\" interval=\"0\"/>"
           "</lrm_resource>",
           rsc, rsc, active ? "start" : "monitor", call, active ? 0 : 7,
           pending ? -1 : 0);
}

/* The history the controller writes for a fail request (lf-watch's
 * report): the failed "asyncmon" is the newest non-recurring operation,
 * under both _last_0 and _last_failure_0; the recurring monitor still
 * says it ran. */
static void
history_failed_async(const char *rsc, int call)
{
    append("<lrm_resource id=\"%s\" class=\"ocf\" type=\"enqueue\">"
           "<lrm_rsc_op id=\"%s_last_0\" operation=\"asyncmon\" "
           "call-id=\"%d\" rc-code=\"1\" op-status=\"0\" interval=\"0\"/>"
           "<lrm_rsc_op id=\"%s_last_failure_0\" operation=\"asyncmon\" "
           "call-id=\"%d\" rc-code=\"1\" op-status=\"0\" interval=\"0\"/>"
           "<lrm_rsc_op id=\"%s_monitor_10000\" operation=\"monitor\" "
           "call-id=\"%d\" rc-code=\"0\" op-status=\"0\" "
           "interval=\"10000\"/></lrm_resource>",
           rsc, rsc, call + 2, rsc, call + 2, rsc, call + 1);
}

static xmlDoc *
build(const struct fixture *fx)
{
    const char *p_members[] = {"rep-T1"};
    const char *pg_members[] = {"ip-R", "rep-T1"};

    buf[0] = '\0';
    append("<cib dc-uuid=\"%d\" epoch=\"1\" num_updates=\"1\" "
           "admin_epoch=\"0\"><configuration><crm_config>%s</crm_config>"
           "<nodes>",
           fx->offline[1] ? 2 : 1,
           fx->properties != NULL ? fx->properties : "");
    for (int i = 1; i <= (fx->config_nodes > 0 ? fx->config_nodes : NODES);
         i++) {
        append("<node id=\"%d\" uname=\"node%d\"/>", i, i);
    }
    append("</nodes><resources>"
           "<group id=\"g-T1\">"
           "<primitive id=\"vip-T1\" class=\"ocf\" provider=\"heartbeat\" "
           "type=\"IPaddr2\"/>"
           "<primitive id=\"enq-T1\" class=\"ocf\" provider=\"%s\" "
           "type=\"%s\"><instance_attributes id=\"e-ia\"><nvpair "
           "id=\"e-i\" name=\"instance\" value=\"T1\"/>%s"
           "</instance_attributes>%s<operations><op id=\"e-mon\" "
           "name=\"monitor\" interval=\"10s\"/></operations></primitive>",
           fx->no_marker ? "pacemaker" : "leapfrog",
           fx->no_marker ? "Dummy" : "enqueue",
           fx->secrets ? "<nvpair id=\"e-s\" name=\"secret_file\" "
                         "value=\"/etc/leapfrog/T1.secret\"/>"
                       : "",
           fx->enq_disabled ? "<meta_attributes id=\"e-ma\"><nvpair "
                              "id=\"e-tr\" name=\"target-role\" "
                              "value=\"Stopped\"/></meta_attributes>"
                            : "");
    if (fx->follows == NULL || fx->follows[0] != '\0') {
        append("<meta_attributes id=\"g-T1-meta\"><nvpair id=\"g-f\" "
               "name=\"leapfrog-follows\" value=\"%s\"/>",
               fx->follows != NULL ? fx->follows
                                   : (fx->p_group ? "g-R" : "rep-T1"));
        if (fx->survivor != NULL) {
            append("<nvpair id=\"g-s\" name=\"leapfrog-survivor\" "
                   "value=\"%s\"/>",
                   fx->survivor);
        }
        append("</meta_attributes>");
    }
    append("</group>");
    if (fx->p_group) {
        append("<group id=\"g-R\"><primitive id=\"ip-R\" class=\"ocf\" "
               "provider=\"heartbeat\" type=\"IPaddr2\"><operations>"
               "<op id=\"i-mon\" name=\"monitor\" interval=\"5s\"/>"
               "</operations></primitive>");
    }
    append("<primitive id=\"rep-T1\" class=\"ocf\" provider=\"leapfrog\" "
           "type=\"replication\">%s<operations><op id=\"r-mon\" "
           "name=\"monitor\" interval=\"10s\"/><op id=\"r-mon20\" "
           "name=\"monitor\" interval=\"1min\" role=\"Started\"/>"
           "<op id=\"r-start\" name=\"start\" interval=\"0\"/>"
           "</operations></primitive>",
           fx->secrets ? "<instance_attributes id=\"r-ia\"><nvpair "
                         "id=\"r-s\" name=\"secret_file\" "
                         "value=\"/etc/leapfrog/T1.secret\"/>"
                         "</instance_attributes>"
                       : "");
    if (fx->p_group) {
        append("</group>");
    }
    append("%s</resources><constraints>%s</constraints></configuration>"
           "<status>",
           fx->extra_rsc != NULL ? fx->extra_rsc : "",
           fx->constraints != NULL ? fx->constraints : "");
    for (int i = 1; i <= NODES; i++) {
        const char **pm = fx->p_group ? pg_members : p_members;
        size_t npm = fx->p_group ? 2 : 1;

        if (fx->offline[i]) {
            append("<node_state id=\"%d\" uname=\"node%d\" in_ccm=\"false\" "
                   "crmd=\"offline\" join=\"down\"/>",
                   i, i);
            continue;
        }
        append("<node_state id=\"%d\" uname=\"node%d\" in_ccm=\"true\" "
               "crmd=\"online\" join=\"member\"><lrm id=\"%d\">"
               "<lrm_resources>",
               i, i, i);
        history("vip-T1",
                fx->f_node == i || (fx->f_twice && i == 3)
                    || fx->f_partial == i,
                2, false);
        if (fx->f_failed && fx->f_node == i) {
            history_failed_async("enq-T1", 3);
        } else {
            history("enq-T1", fx->f_node == i || (fx->f_twice && i == 3), 3,
                    false);
        }
        if (!(fx->unprobed && i == 3)) {
            for (size_t k = 0; k < npm; k++) {
                history(pm[k], fx->p_node == i, 4,
                        fx->pending && i == fx->p_node);
            }
        }
        if (fx->extra_probed != NULL) {
            history(fx->extra_probed, false, 5, false);
        }
        append("</lrm_resources></lrm></node_state>");
    }
    append("</status></cib>");
    return xmlReadMemory(buf, (int)strlen(buf), "cib.xml", NULL,
                         XML_PARSE_NOBLANKS);
}

static const struct lfd_change *
find_change(const struct lfd_result *r, const char *id)
{
    for (size_t i = 0; i < r->nchanges; i++) {
        if (strcmp(r->changes[i].id, id) == 0) {
            return &r->changes[i];
        }
    }
    return NULL;
}

static const char *
xattr(const struct lfd_change *c, const char *name)
{
    static char value[256];
    xmlChar *v = xmlGetProp(c->xml, (const xmlChar *)name);

    if (v == NULL) {
        return NULL;
    }
    snprintf(value, sizeof(value), "%s", (const char *)v);
    xmlFree(v);
    return value;
}

static xmlNode *
by_id(xmlDoc *doc, const char *id)
{
    char expr[256];
    xmlXPathContext *ctx = xmlXPathNewContext(doc);
    xmlXPathObject *obj;
    xmlNode *n = NULL;

    snprintf(expr, sizeof(expr), "//*[@id='%s']", id);
    obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (obj != NULL && obj->nodesetval != NULL && obj->nodesetval->nodeNr > 0) {
        n = obj->nodesetval->nodeTab[0];
    }
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    return n;
}

static bool
prop_is(xmlNode *n, const char *name, const char *value)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    bool same = (v == NULL)
                    ? value == NULL
                    : value != NULL && strcmp((const char *)v, value) == 0;

    xmlFree(v);
    return same;
}

/* The location's one rule: pacemaker-4.0 allows no second top-level rule
 * in a location (earlier schemas did). */
static xmlNode *
only_rule(const struct lfd_change *c)
{
    xmlNode *r = xmlFirstElementChild(c->xml);

    assert_non_null(r);
    assert_string_equal((const char *)r->name, "rule");
    assert_null(xmlNextElementSibling(r));
    return r;
}

/* The expression on attribute (with operation, unless NULL) in rule or a
 * rule nested in it; *holder is set to the rule that holds it. */
static xmlNode *
find_expression(xmlNode *rule, const char *attribute, const char *operation,
                xmlNode **holder)
{
    for (xmlNode *e = xmlFirstElementChild(rule); e != NULL;
         e = xmlNextElementSibling(e)) {
        if (strcmp((const char *)e->name, "rule") == 0) {
            xmlNode *found = find_expression(e, attribute, operation, holder);

            if (found != NULL) {
                return found;
            }
        } else if (prop_is(e, "attribute", attribute)
                   && (operation == NULL
                       || prop_is(e, "operation", operation))) {
            if (holder != NULL) {
                *holder = rule;
            }
            return e;
        }
    }
    return NULL;
}

/* The node an avoid location names (its #uname expression), or NULL; its
 * one rule is -INFINITY. */
static const char *
avoid_node(const struct lfd_change *c)
{
    static char value[64];
    xmlNode *rule = only_rule(c);
    xmlNode *e = find_expression(rule, "#uname", "eq", NULL);
    xmlChar *v;

    assert_true(prop_is(rule, "score", "-INFINITY"));
    if (e == NULL) {
        return NULL;
    }
    v = xmlGetProp(e, (const xmlChar *)"value");
    snprintf(value, sizeof(value), "%s", (const char *)v);
    xmlFree(v);
    return value;
}

/* Does the avoid location let P onto F's node once F failed there: does
 * the rule that names F's node also require that F has no fail-count? */
static bool
avoid_yields_to_failed_f(const struct lfd_change *c)
{
    xmlNode *holder = NULL;

    return find_expression(only_rule(c), "#uname", "eq", &holder) != NULL
           && find_expression(holder, "fail-count-enq-T1#monitor_10000",
                              "not_defined", NULL)
                  != NULL;
}

/* Does the avoid location also keep P off wherever the enqueue agent has
 * published its lock count (the marker)? Then its one rule is an "or" of
 * two nested rules: F's node, and the marker. */
static bool
has_marker(const struct lfd_change *c)
{
    xmlNode *rule = only_rule(c);
    xmlNode *first = xmlFirstElementChild(rule);
    xmlNode *second = xmlNextElementSibling(first);

    if (find_expression(rule, "leapfrog-T1-locks", "defined", NULL) == NULL) {
        return false;
    }
    assert_true(prop_is(rule, "boolean-op", "or"));
    assert_string_equal((const char *)first->name, "rule");
    assert_non_null(second);
    assert_string_equal((const char *)second->name, "rule");
    assert_null(xmlNextElementSibling(second));
    /* Nested rules carry no score of their own. */
    assert_true(prop_is(first, "score", NULL));
    assert_true(prop_is(second, "score", NULL));
    return true;
}

/* Is the avoid location the finite form of survivor=none: +5000 on every
 * node but where F runs, and there too once F failed there (one rule, an
 * "or")? *where is set to the node it names, or to "marker" when it goes
 * by F's marker. */
static bool
share_form(const struct lfd_change *c, const char **where)
{
    static char value[64];
    xmlNode *rule = only_rule(c);
    xmlNode *e;

    *where = NULL;
    if (!prop_is(rule, "score", "5000") || !prop_is(rule, "boolean-op", "or")) {
        return false;
    }
    e = find_expression(rule, "#uname", "ne", NULL);
    if (e != NULL) {
        xmlChar *v = xmlGetProp(e, (const xmlChar *)"value");

        snprintf(value, sizeof(value), "%s", (const char *)v);
        xmlFree(v);
        *where = value;
    } else if (find_expression(rule, "leapfrog-T1-locks", "not_defined", NULL)
               != NULL) {
        *where = "marker";
    }
    return *where != NULL;
}

/* Does the finite form give F's node back to P once F failed there? */
static bool
share_yields_to_failed_f(const struct lfd_change *c)
{
    return find_expression(only_rule(c), "fail-count-enq-T1#monitor_10000",
                           "defined", NULL)
           != NULL;
}

/* What the CIB does with each change, in memory. */
static void
apply(xmlDoc *doc, const struct lfd_result *r)
{
    for (size_t i = 0; i < r->nchanges; i++) {
        const struct lfd_change *c = &r->changes[i];
        xmlNode *old = by_id(doc, c->id);
        xmlNode *parent;

        switch (c->op) {
        case LFD_DELETE:
            assert_non_null(old);
            xmlUnlinkNode(old);
            xmlFreeNode(old);
            break;
        case LFD_REPLACE:
            assert_non_null(old);
            xmlReplaceNode(old, xmlDocCopyNode(c->xml, doc, 1));
            xmlFreeNode(old);
            break;
        case LFD_CREATE:
            assert_null(old);
            if (c->parent != NULL) {
                parent = by_id(doc, c->parent);
            } else {
                xmlXPathContext *ctx = xmlXPathNewContext(doc);
                xmlXPathObject *o = xmlXPathEvalExpression(
                    (const xmlChar *)"//constraints", ctx);

                parent = o->nodesetval->nodeTab[0];
                xmlXPathFreeObject(o);
                xmlXPathFreeContext(ctx);
            }
            assert_non_null(parent);
            xmlAddChild(parent, xmlDocCopyNode(c->xml, doc, 1));
            break;
        }
    }
}

static void
derive(xmlDoc *doc, struct lfd_result *r)
{
    assert_int_equal(lfd_derive(xmlDocGetRootElement(doc), r), 0);
}

/* Derive, apply, derive again: nothing left to do. */
static void
converges(xmlDoc *doc)
{
    struct lfd_result r;

    derive(doc, &r);
    apply(doc, &r);
    lfd_result_free(&r);
    derive(doc, &r);
    assert_true(r.settled);
    assert_int_equal(r.nchanges, 0);
    for (size_t i = 0; i < r.npairs; i++) {
        assert_true(r.pairs[i].error != NULL || r.pairs[i].current);
    }
    lfd_result_free(&r);
}

static void
full_set_for_a_new_pair(void **state)
{
    struct fixture fx = {.f_node = 1, .p_node = 2};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;
    const struct lfd_change *c;

    derive(doc, &r);
    assert_true(r.settled);
    assert_int_equal(r.npairs, 1);
    assert_null(r.pairs[0].error);
    assert_string_equal(r.pairs[0].node_f, "node1");
    assert_string_equal(r.pairs[0].node_p, "node2");
    assert_int_equal(r.pairs[0].eligible, 3);
    assert_int_equal(r.nchanges, 7);
    /* Stickiness goes in before anything that could move F. */
    assert_string_equal(r.changes[0].id, "leapfrog-g-T1-meta");
    assert_string_equal(r.changes[0].parent, "g-T1");
    assert_string_equal(r.changes[0].parent_tag, "group");
    c = find_change(&r, "leapfrog-g-T1-follow");
    assert_non_null(c);
    assert_int_equal(c->op, LFD_CREATE);
    assert_string_equal(xattr(c, "rsc"), "g-T1");
    assert_string_equal(xattr(c, "node"), "node2");
    assert_string_equal(xattr(c, "score"), "2000");
    c = find_change(&r, "leapfrog-g-T1-avoid");
    assert_non_null(c);
    assert_string_equal(xattr(c, "rsc"), "rep-T1");
    assert_string_equal(avoid_node(c), "node1");
    assert_true(avoid_yields_to_failed_f(c));
    assert_true(has_marker(c));
    c = find_change(&r, "leapfrog-g-T1-push");
    assert_string_equal(xattr(c, "score"), "-5000");
    assert_string_equal(xattr(c, "influence"), "false");
    assert_string_equal(xattr(c, "with-rsc"), "g-T1");
    c = find_change(&r, "leapfrog-g-T1-order");
    assert_string_equal(xattr(c, "first"), "g-T1");
    assert_string_equal(xattr(c, "then-action"), "stop");
    assert_string_equal(xattr(c, "kind"), "Optional");
    assert_string_equal(xattr(c, "symmetrical"), "false");
    assert_null(find_change(&r, "leapfrog-g-T1-yield"));
    /* The follow location comes after the meta attributes and before the
     * deletions; the changes are sorted. */
    assert_true(find_change(&r, "leapfrog-g-T1-follow")
                > find_change(&r, "leapfrog-g-T1-pmeta"));
    lfd_result_free(&r);
    converges(doc);
    xmlFreeDoc(doc);
}

static void
fresh_rule_lists_every_recurring_monitor(void **state)
{
    struct fixture fx = {.f_node = 1, .p_node = 2};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;
    const struct lfd_change *c;
    xmlNode *rule;
    int n = 0;

    derive(doc, &r);
    c = find_change(&r, "leapfrog-g-T1-fresh");
    assert_non_null(c);
    rule = xmlFirstElementChild(c->xml);
    assert_string_equal((const char *)rule->name, "rule");
    for (xmlNode *e = xmlFirstElementChild(rule); e != NULL;
         e = xmlNextElementSibling(e)) {
        xmlChar *a = xmlGetProp(e, (const xmlChar *)"attribute");
        xmlChar *op = xmlGetProp(e, (const xmlChar *)"operation");

        assert_string_equal((const char *)op, "not_defined");
        assert_true(
            strcmp((const char *)a, "fail-count-rep-T1#monitor_10000") == 0
            || strcmp((const char *)a, "fail-count-rep-T1#monitor_60000") == 0
            || strcmp((const char *)a, "fail-count-rep-T1#asyncmon_0") == 0);
        xmlFree(a);
        xmlFree(op);
        n++;
    }
    /* Both monitors, and a failure that lf-watch reported. */
    assert_int_equal(n, 3);
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

static void
partner_group(void **state)
{
    struct fixture fx = {.f_node = 1, .p_node = 2, .p_group = true};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;
    const struct lfd_change *c;

    derive(doc, &r);
    assert_null(r.pairs[0].error);
    assert_string_equal(r.pairs[0].node_p, "node2");
    c = find_change(&r, "leapfrog-g-T1-fresh");
    assert_non_null(c);
    assert_non_null(strstr(buf, "ip-R"));
    c = find_change(&r, "leapfrog-g-T1-pmeta");
    assert_string_equal(c->parent, "g-R");
    assert_string_equal(c->parent_tag, "group");
    lfd_result_free(&r);
    converges(doc);
    xmlFreeDoc(doc);
}

/* After P moved, only the follow location changes; after F moved, only
 * the avoid location does. */
/* Copy what leapfrogd wrote into doc (constraints, meta sets) into to, a
 * CIB built with another status section. */
static void
carry_config(xmlDoc *doc, xmlDoc *to)
{
    xmlNode *constraints = by_id(doc, "leapfrog-g-T1-follow")->parent;
    xmlXPathContext *ctx = xmlXPathNewContext(to);
    xmlXPathObject *o =
        xmlXPathEvalExpression((const xmlChar *)"//constraints", ctx);
    xmlNode *target = o->nodesetval->nodeTab[0];

    for (xmlNode *c = constraints->children; c != NULL; c = c->next) {
        xmlAddChild(target, xmlDocCopyNode(c, to, 1));
    }
    xmlAddChild(by_id(to, "g-T1"),
                xmlDocCopyNode(by_id(doc, "leapfrog-g-T1-meta"), to, 1));
    xmlAddChild(by_id(to, "rep-T1"),
                xmlDocCopyNode(by_id(doc, "leapfrog-g-T1-pmeta"), to, 1));
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
}

/* Derive on the status fx describes, under the configuration doc has
 * converged to. */
static void
derive_after(xmlDoc *doc, const struct fixture *fx, struct lfd_result *r)
{
    xmlDoc *next = build(fx);

    carry_config(doc, next);
    derive(next, r);
    xmlFreeDoc(next);
}

/* A failure lf-watch reported (a failed "asyncmon") counts as one of F:
 * the avoid location yields to it as to a failed monitor, and F counts as
 * where it failed until Pacemaker has stopped it there, so the armed
 * constraints stay as they are in the middle of the recovery. */
static void
failure_reported_by_the_watcher(void **state)
{
    struct fixture fx = {.f_node = 1, .p_node = 2};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;
    const struct lfd_change *c;
    xmlNode *rule;
    xmlNode *holder = NULL;

    derive(doc, &r);
    c = find_change(&r, "leapfrog-g-T1-avoid");
    assert_non_null(c);
    rule = only_rule(c);
    assert_non_null(find_expression(rule, "#uname", "eq", &holder));
    assert_non_null(find_expression(holder, "fail-count-enq-T1#asyncmon_0",
                                    "not_defined", NULL));
    lfd_result_free(&r);
    converges(doc);

    fx.f_failed = true;
    derive_after(doc, &fx, &r);
    assert_true(r.settled);
    assert_string_equal(r.pairs[0].node_f, "node1");
    assert_int_equal(r.nchanges, 0);
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

/* F's follow under way: its IP has started on P's node and its server not
 * yet. The group is between nodes until the server has started too, so
 * the avoid location is not rewritten in the middle of that transition;
 * a member the administrator disabled is not waited for. */
static void
partly_started_group_is_between_nodes(void **state)
{
    struct fixture fx = {.f_node = 1, .p_node = 2};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;
    const struct lfd_change *c;

    (void)state;
    converges(doc);
    fx.f_node = 0;
    fx.f_partial = 2;
    derive_after(doc, &fx, &r);
    assert_true(r.settled);
    assert_string_equal(r.pairs[0].node_f, "node2");
    assert_null(find_change(&r, "leapfrog-g-T1-avoid"));
    assert_int_equal(r.nchanges, 0);
    lfd_result_free(&r);

    fx.enq_disabled = true;
    derive_after(doc, &fx, &r);
    c = find_change(&r, "leapfrog-g-T1-avoid");
    assert_non_null(c);
    assert_string_equal(avoid_node(c), "node2");
    lfd_result_free(&r);

    /* Fully started there: at rest, the avoid location follows. */
    fx.enq_disabled = false;
    fx.f_partial = 0;
    fx.f_node = 2;
    fx.p_node = 3;
    derive_after(doc, &fx, &r);
    c = find_change(&r, "leapfrog-g-T1-avoid");
    assert_non_null(c);
    assert_string_equal(avoid_node(c), "node2");
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

static void
rewrites_only_what_moved(void **state)
{
    struct fixture fx = {.f_node = 1, .p_node = 2};
    xmlDoc *doc = build(&fx);
    xmlDoc *moved;
    struct lfd_result r;

    converges(doc);
    /* Carry the converged configuration over to a status where P runs on
     * node 3. */
    fx.p_node = 3;
    moved = build(&fx);
    carry_config(doc, moved);

    derive(moved, &r);
    assert_int_equal(r.nchanges, 1);
    assert_string_equal(r.changes[0].id, "leapfrog-g-T1-follow");
    assert_int_equal(r.changes[0].op, LFD_REPLACE);
    assert_string_equal(xattr(&r.changes[0], "node"), "node3");
    lfd_result_free(&r);
    converges(moved);
    xmlFreeDoc(moved);
    xmlFreeDoc(doc);
}

static void
stopped_partner_keeps_the_follow_location(void **state)
{
    struct fixture fx = {.f_node = 1, .p_node = 2};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;

    converges(doc);
    /* P stops (between two nodes): nothing is rewritten. */
    xmlNode *op = by_id(doc, "rep-T1_last_0");
    for (; op != NULL; op = by_id(doc, "rep-T1_last_0")) {
        /* every node's history of P now says stopped */
        xmlSetProp(op, (const xmlChar *)"id", (const xmlChar *)"x");
        xmlSetProp(op, (const xmlChar *)"rc-code", (const xmlChar *)"7");
        xmlSetProp(op, (const xmlChar *)"operation",
                   (const xmlChar *)"monitor");
    }
    derive(doc, &r);
    assert_true(r.settled);
    assert_null(r.pairs[0].node_p);
    assert_int_equal(r.nchanges, 0);
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

static void
survivor_variants_on_the_last_node(void **state)
{
    struct lfd_result r;
    xmlDoc *doc;
    const struct lfd_change *c;
    const char *where;
    struct fixture fx = {
        .f_node = 2, .p_node = 0, .offline = {false, true, false, true}};

    /* survivor=F: F runs, P is kept away from F's node. */
    doc = build(&fx);
    derive(doc, &r);
    assert_int_equal(r.pairs[0].eligible, 1);
    c = find_change(&r, "leapfrog-g-T1-avoid");
    assert_non_null(c);
    assert_string_equal(avoid_node(c), "node2");
    assert_null(find_change(&r, "leapfrog-g-T1-yield"));
    lfd_result_free(&r);
    converges(doc);
    xmlFreeDoc(doc);

    /* survivor=P: P runs on the last node, F is kept away from it. */
    fx.survivor = "rep-T1";
    fx.f_node = 0;
    fx.p_node = 2;
    doc = build(&fx);
    derive(doc, &r);
    assert_null(r.pairs[0].error);
    c = find_change(&r, "leapfrog-g-T1-yield");
    assert_non_null(c);
    assert_string_equal(xattr(c, "rsc"), "g-T1");
    assert_string_equal(xattr(c, "node"), "node2");
    assert_string_equal(xattr(c, "score"), "-INFINITY");
    assert_null(find_change(&r, "leapfrog-g-T1-avoid"));
    lfd_result_free(&r);
    converges(doc);
    xmlFreeDoc(doc);

    /* survivor=none: both may share the last node; the avoid location is
     * the finite form, which lets P beside F there. */
    fx.survivor = "none";
    fx.f_node = 2;
    fx.p_node = 2;
    doc = build(&fx);
    derive(doc, &r);
    assert_null(r.pairs[0].error);
    c = find_change(&r, "leapfrog-g-T1-avoid");
    assert_non_null(c);
    assert_true(share_form(c, &where));
    assert_string_equal(where, "marker");
    assert_true(share_yields_to_failed_f(c));
    assert_null(find_change(&r, "leapfrog-g-T1-yield"));
    lfd_result_free(&r);
    converges(doc);
    xmlFreeDoc(doc);
}

/* survivor=P with two nodes: the usual set; the yield only once one node
 * is left, and it goes again when a second node is back. */
static void
survivor_partner_with_two_nodes(void **state)
{
    struct fixture fx = {.survivor = "rep-T1",
                         .f_node = 1,
                         .p_node = 2,
                         .offline = {false, false, false, true}};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;

    derive(doc, &r);
    assert_int_equal(r.pairs[0].eligible, 2);
    assert_non_null(find_change(&r, "leapfrog-g-T1-avoid"));
    /* survivor=P must be able to keep P where F arrives: no marker. */
    assert_false(has_marker(find_change(&r, "leapfrog-g-T1-avoid")));
    assert_null(find_change(&r, "leapfrog-g-T1-yield"));
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

/* The value of one nvpair in a meta_attributes change, or NULL. */
static const char *
meta_value(const struct lfd_change *c, const char *name)
{
    static char value[64];

    for (xmlNode *nv = xmlFirstElementChild(c->xml); nv != NULL;
         nv = xmlNextElementSibling(nv)) {
        xmlChar *n = xmlGetProp(nv, (const xmlChar *)"name");
        xmlChar *v = xmlGetProp(nv, (const xmlChar *)"value");
        bool match =
            n != NULL && v != NULL && strcmp((const char *)n, name) == 0;

        if (match) {
            snprintf(value, sizeof(value), "%s", (const char *)v);
        }
        xmlFree(n);
        xmlFree(v);
        if (match) {
            return value;
        }
    }
    return NULL;
}

/* The fence race: the node running the survivor has the higher total
 * priority, counted as Pacemaker does (each primitive once, a group's
 * members inheriting the group's value): F is a group of 2 here, P a
 * primitive or a group of 2. */
static void
survivor_wins_the_fence_race(void **state)
{
    static const struct {
        const char *survivor;
        bool p_group;
        const char *f_priority;
        const char *p_priority;
        bool p_wins;
    } cases[] = {
        {NULL, false, "10", "0", false},    {"g-T1", false, "10", "0", false},
        {"rep-T1", false, "0", "10", true}, {"g-R", true, "0", "10", true},
        {"none", false, "10", "0", false},  {"none", true, "10", "0", false},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fixture fx = {.survivor = cases[i].survivor,
                             .p_group = cases[i].p_group,
                             .f_node = 1,
                             .p_node = 2};
        xmlDoc *doc = build(&fx);
        struct lfd_result r;
        const struct lfd_change *fm;
        const char *f_prio;
        const char *p_prio;
        long f_total;
        long p_total;

        derive(doc, &r);
        assert_null(r.pairs[0].error);
        fm = find_change(&r, "leapfrog-g-T1-meta");
        assert_non_null(fm);
        f_prio = meta_value(fm, "priority");
        assert_non_null(f_prio);
        assert_string_equal(f_prio, cases[i].f_priority);
        f_total = 2 * strtol(f_prio, NULL, 10);
        /* The rest of F's set is as before. */
        assert_string_equal(meta_value(fm, "resource-stickiness"), "5000");
        assert_string_equal(meta_value(fm, "migration-threshold"), "1");
        p_prio = meta_value(find_change(&r, "leapfrog-g-T1-pmeta"), "priority");
        assert_non_null(p_prio);
        assert_string_equal(p_prio, cases[i].p_priority);
        p_total = (cases[i].p_group ? 2 : 1) * strtol(p_prio, NULL, 10);
        assert_true(cases[i].p_wins ? p_total > f_total : f_total > p_total);
        lfd_result_free(&r);
        converges(doc);
        xmlFreeDoc(doc);
    }
}

/* survivor=none: the -INFINITY avoid on three eligible nodes (no single
 * loss leaves one node, and a move of P onto F's node is refused); the
 * finite form from two nodes on, written when the third goes and taken
 * back when it returns; nothing to rewrite at the last node. */
static void
survivor_none_pre_armed_from_two_nodes(void **state)
{
    struct fixture three = {.survivor = "none", .f_node = 1, .p_node = 2};
    struct fixture two = three;
    struct fixture last = three;
    xmlDoc *doc = build(&three);
    xmlDoc *doc2;
    struct lfd_result r;
    const struct lfd_change *c;
    const char *where;

    (void)state;
    two.offline[3] = true;
    last.offline[2] = true;
    last.offline[3] = true;
    last.p_node = 0;

    derive(doc, &r);
    c = find_change(&r, "leapfrog-g-T1-avoid");
    assert_non_null(c);
    assert_string_equal(avoid_node(c), "node1");
    assert_false(has_marker(c));
    lfd_result_free(&r);
    converges(doc);

    /* node3 goes: only the avoid location changes. */
    derive_after(doc, &two, &r);
    assert_int_equal(r.pairs[0].eligible, 2);
    assert_int_equal(r.nchanges, 1);
    c = find_change(&r, "leapfrog-g-T1-avoid");
    assert_non_null(c);
    assert_int_equal(c->op, LFD_REPLACE);
    assert_true(share_form(c, &where));
    assert_string_equal(where, "marker");
    lfd_result_free(&r);

    /* node3 back: the -INFINITY form again. */
    doc2 = build(&two);
    converges(doc2);
    derive_after(doc2, &three, &r);
    assert_int_equal(r.nchanges, 1);
    c = find_change(&r, "leapfrog-g-T1-avoid");
    assert_non_null(c);
    assert_string_equal(avoid_node(c), "node1");
    lfd_result_free(&r);

    /* P's node goes too: nothing to rewrite, P may join F. */
    derive_after(doc2, &last, &r);
    assert_true(r.settled);
    assert_int_equal(r.pairs[0].eligible, 1);
    assert_int_equal(r.nchanges, 0);
    lfd_result_free(&r);
    xmlFreeDoc(doc2);
    xmlFreeDoc(doc);
}

/* Without an enqueue server's marker, the finite form names F's node, and
 * follows F like the -INFINITY form; it waits while F is stopped. */
static void
survivor_none_without_a_marker(void **state)
{
    struct fixture fx = {.survivor = "none",
                         .no_marker = true,
                         .f_node = 1,
                         .p_node = 2,
                         .offline = {false, false, false, true}};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;
    const struct lfd_change *c;
    const char *where;

    (void)state;
    derive(doc, &r);
    c = find_change(&r, "leapfrog-g-T1-avoid");
    assert_non_null(c);
    assert_true(share_form(c, &where));
    assert_string_equal(where, "node1");
    assert_true(share_yields_to_failed_f(c));
    lfd_result_free(&r);
    converges(doc);

    fx.f_node = 0;
    derive_after(doc, &fx, &r);
    assert_null(find_change(&r, "leapfrog-g-T1-avoid"));
    lfd_result_free(&r);
    fx.f_node = 2;
    fx.p_node = 1;
    derive_after(doc, &fx, &r);
    c = find_change(&r, "leapfrog-g-T1-avoid");
    assert_non_null(c);
    assert_true(share_form(c, &where));
    assert_string_equal(where, "node2");
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

/* ---- CIBs of earlier versions ------------------------------------------ */

/* A saved CIB of tests/sim (see tests/sim/make-upgrade-fixtures.sh). */
static xmlDoc *
load_fixture(const char *name)
{
    char path[4096];
    const char *srcdir = getenv("LF_SRCDIR");
    xmlDoc *doc;

    snprintf(path, sizeof(path), "%s/tests/sim/%s",
             srcdir != NULL ? srcdir : ".", name);
    doc = xmlReadFile(path, NULL, XML_PARSE_NOBLANKS);
    assert_non_null(doc);
    return doc;
}

/* Do none of the ids inside a change's element exist in the CIB yet (a
 * create that reuses one would not conform to the schema)? */
static bool
ids_are_new(xmlDoc *doc, xmlNode *xml)
{
    xmlChar *id = xmlGetProp(xml, (const xmlChar *)"id");
    bool fresh = (id == NULL || by_id(doc, (const char *)id) == NULL);

    xmlFree(id);
    for (xmlNode *c = xmlFirstElementChild(xml); c != NULL && fresh;
         c = xmlNextElementSibling(c)) {
        fresh = ids_are_new(doc, c);
    }
    return fresh;
}

/* The two -avoid forms: T1, survivor F with an enqueue marker (F's node
 * "or" the marker: nested rules), T2, survivor=none on two eligible nodes
 * (the finite form: one rule). */
static void
check_one_rule_avoids(const struct lfd_result *r)
{
    const struct lfd_change *c = find_change(r, "leapfrog-g-T1-avoid");
    xmlNode *rule;

    assert_non_null(c);
    assert_string_equal(avoid_node(c), "node1");
    assert_true(has_marker(c));
    c = find_change(r, "leapfrog-g-T2-avoid");
    assert_non_null(c);
    rule = only_rule(c);
    assert_true(prop_is(rule, "score", "5000"));
    assert_true(prop_is(rule, "boolean-op", "or"));
    assert_non_null(
        find_expression(rule, "leapfrog-T2-locks", "not_defined", NULL));
    assert_non_null(find_expression(rule, "fail-count-enq-T2#monitor_10000",
                                    "defined", NULL));
    assert_non_null(
        find_expression(rule, "fail-count-enq-T2#asyncmon_0", "defined", NULL));
}

/* The -fresh locations of leapfrogd 0.1 knew only failed monitors: each is
 * rewritten in place to count a failure lf-watch reported too. */
static void
check_fresh_rewritten(const struct lfd_result *r)
{
    static const char *const ids[] = {"leapfrog-g-T1-fresh",
                                      "leapfrog-g-T2-fresh"};

    for (size_t i = 0; i < 2; i++) {
        const struct lfd_change *c = find_change(r, ids[i]);

        assert_non_null(c);
        assert_int_equal(c->op, LFD_REPLACE);
        assert_non_null(find_expression(xmlFirstElementChild(c->xml),
                                        i == 0 ? "fail-count-rep-T1#asyncmon_0"
                                               : "fail-count-rep-T2#asyncmon_0",
                                        "not_defined", NULL));
    }
}

/* A CIB that leapfrogd 0.1 wrote on Pacemaker 2.1 (two top-level rules in
 * both -avoid locations, validate-with pacemaker-3.9): those two are
 * rewritten, in place, to one rule each, and the -fresh locations to count
 * lf-watch's reports. */
static void
two_rule_locations_of_2_1_rewritten(void **state)
{
    xmlDoc *doc = load_fixture("upgrade-written-2.1.xml");
    struct lfd_result r;

    (void)state;
    derive(doc, &r);
    assert_true(r.settled);
    assert_int_equal(r.npairs, 2);
    assert_int_equal(r.nchanges, 4);
    for (size_t i = 0; i < r.nchanges; i++) {
        assert_int_equal(r.changes[i].op, LFD_REPLACE);
    }
    check_one_rule_avoids(&r);
    check_fresh_rewritten(&r);
    lfd_result_free(&r);
    converges(doc);
    xmlFreeDoc(doc);
}

/* The same CIB after `cibadmin --upgrade` on Pacemaker 3.0 (pacemaker-4.0):
 * each -avoid location was split into pcmk__3_10_upgrade-<id>-1 and -2.
 * They are ours: the one-rule location is created (none of its ids in use
 * by the pieces), then the pieces are deleted; the -fresh locations are
 * rewritten to count lf-watch's reports; nothing else changes, and nothing
 * is left to do afterwards. */
static void
upgrade_pieces_replaced(void **state)
{
    static const char *const pieces[] = {
        "pcmk__3_10_upgrade-leapfrog-g-T1-avoid-1",
        "pcmk__3_10_upgrade-leapfrog-g-T1-avoid-2",
        "pcmk__3_10_upgrade-leapfrog-g-T2-avoid-1",
        "pcmk__3_10_upgrade-leapfrog-g-T2-avoid-2",
    };
    const size_t npieces = sizeof(pieces) / sizeof(pieces[0]);
    xmlDoc *doc = load_fixture("upgrade-upgraded-4.0.xml");
    struct lfd_result r;
    size_t creates = 0;
    size_t deletes = 0;

    (void)state;
    for (size_t i = 0; i < npieces; i++) {
        assert_non_null(by_id(doc, pieces[i]));
    }
    derive(doc, &r);
    assert_true(r.settled);
    assert_int_equal(r.npairs, 2);
    assert_false(r.pairs[0].current);
    assert_int_equal(r.nchanges, 2 + npieces + 2);
    for (size_t i = 0; i < r.nchanges; i++) {
        const struct lfd_change *c = &r.changes[i];

        if (c->op == LFD_CREATE) {
            /* Creates come before the deletes: the pair is never without
             * it. */
            assert_int_equal(deletes, 0);
            creates++;
            assert_true(ids_are_new(doc, c->xml));
        } else if (c->op == LFD_DELETE) {
            deletes++;
        } else {
            assert_int_equal(c->op, LFD_REPLACE);
        }
    }
    assert_int_equal(creates, 2);
    assert_int_equal(deletes, npieces);
    check_fresh_rewritten(&r);
    for (size_t i = 0; i < npieces; i++) {
        const struct lfd_change *c = find_change(&r, pieces[i]);

        assert_non_null(c);
        assert_int_equal(c->op, LFD_DELETE);
        assert_null(c->parent);
    }
    check_one_rule_avoids(&r);
    apply(doc, &r);
    lfd_result_free(&r);
    for (size_t i = 0; i < npieces; i++) {
        assert_null(by_id(doc, pieces[i]));
    }
    derive(doc, &r);
    assert_true(r.settled);
    assert_int_equal(r.nchanges, 0);
    assert_true(r.pairs[0].current && r.pairs[1].current);
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

/* Pieces of an undeclared pair go with the pair's other elements; pieces
 * of ids that are not ours stay. */
static void
upgrade_pieces_of_undeclared_pairs_removed(void **state)
{
    xmlDoc *doc = load_fixture("upgrade-upgraded-4.0.xml");
    xmlNode *decl = by_id(doc, "g-T2-meta_attributes-leapfrog-follows");
    xmlNode *constraints;
    xmlNode *other;
    struct lfd_result r;
    const struct lfd_change *c;

    (void)state;
    assert_non_null(decl);
    xmlUnlinkNode(decl);
    xmlFreeNode(decl);
    constraints = by_id(doc, "ban-rep-T2-node3")->parent;
    other =
        xmlNewChild(constraints, NULL, (const xmlChar *)"rsc_location", NULL);
    xmlNewProp(other, (const xmlChar *)"id",
               (const xmlChar *)"pcmk__3_10_upgrade-mine-1");
    xmlNewProp(other, (const xmlChar *)"rsc", (const xmlChar *)"rep-T2");
    xmlNewProp(other, (const xmlChar *)"node", (const xmlChar *)"node2");
    xmlNewProp(other, (const xmlChar *)"score", (const xmlChar *)"10");
    derive(doc, &r);
    assert_int_equal(r.npairs, 1);
    c = find_change(&r, "pcmk__3_10_upgrade-leapfrog-g-T2-avoid-1");
    assert_non_null(c);
    assert_int_equal(c->op, LFD_DELETE);
    assert_non_null(
        find_change(&r, "pcmk__3_10_upgrade-leapfrog-g-T2-avoid-2"));
    assert_non_null(find_change(&r, "leapfrog-g-T2-push"));
    assert_null(find_change(&r, "leapfrog-g-T2-avoid"));
    assert_null(find_change(&r, "pcmk__3_10_upgrade-mine-1"));
    lfd_result_free(&r);
    converges(doc);
    assert_non_null(by_id(doc, "pcmk__3_10_upgrade-mine-1"));
    xmlFreeDoc(doc);
}

/* ---- warnings ---------------------------------------------------------- */

/* How many warnings of this kind, and the first one's text. */
static size_t
warnings_of(const struct lfd_result *r, enum lfd_warning_kind kind,
            const char **text)
{
    size_t n = 0;

    *text = NULL;
    for (size_t i = 0; i < r->nwarnings; i++) {
        /* The health check's readers look for these words. */
        assert_null(strstr(r->warnings[i].text, "error:"));
        assert_null(strstr(r->warnings[i].text, "unknown:"));
        if (r->warnings[i].kind == kind && n++ == 0) {
            *text = r->warnings[i].text;
        }
    }
    return n;
}

static void
no_warning_when_all_is_well(void **state)
{
    struct fixture fx = {.f_node = 1, .p_node = 2, .secrets = true};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;

    (void)state;
    derive(doc, &r);
    assert_int_equal(r.nwarnings, 0);
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

#define PROPS(nv)                                                              \
    "<cluster_property_set id=\"cib-bootstrap-options\">" nv                   \
    "</cluster_property_set>"
#define NV(name, value)                                                        \
    "<nvpair id=\"" name "\" name=\"" name "\" value=\"" value "\"/>"

static void
warns_without_fencing(void **state)
{
    static const struct {
        const char *properties;
        bool warns;
    } cases[] = {
        {NULL, false},
        {PROPS(NV("stonith-enabled", "true")), false},
        {PROPS(NV("stonith-enabled", "false")), true},
        {PROPS(NV("stonith-enabled", "0")), true},
        {PROPS(NV("stonith-enabled", "off")), true},
        /* Pacemaker 3.0.2's name, which wins over the old one. */
        {PROPS(NV("fencing-enabled", "false")), true},
        {PROPS(NV("fencing-enabled", "true") NV("stonith-enabled", "false")),
         false},
        /* In a set of properties of its own. */
        {"<cluster_property_set id=\"mine\">" NV(
             "stonith-enabled", "no") "</cluster_property_set>",
         true},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fixture fx = {.f_node = 1,
                             .p_node = 2,
                             .secrets = true,
                             .properties = cases[i].properties};
        xmlDoc *doc = build(&fx);
        struct lfd_result r;
        const char *text;
        size_t n;

        derive(doc, &r);
        n = warnings_of(&r, LFD_WARN_NO_FENCING, &text);
        if (n != (cases[i].warns ? 1 : 0) || r.nwarnings != n) {
            fail_msg("case %zu: %zu fencing warnings of %zu", i, n,
                     r.nwarnings);
        }
        if (n > 0) {
            assert_non_null(strstr(text, "leapfrog's lock guarantees do not "
                                         "hold without fencing"));
            assert_null(r.warnings[0].pair);
        }
        lfd_result_free(&r);
        xmlFreeDoc(doc);
    }
}

static void
warns_two_nodes_without_fence_delay(void **state)
{
    static const struct {
        int nodes;
        const char *properties;
        bool warns;
    } cases[] = {
        {2, NULL, true},
        {2, PROPS(NV("priority-fencing-delay", "0")), true},
        {2, PROPS(NV("priority-fencing-delay", "0s")), true},
        /* Pacemaker keeps whole seconds. */
        {2, PROPS(NV("priority-fencing-delay", "500ms")), true},
        {2, PROPS(NV("priority-fencing-delay", "15s")), false},
        {2, PROPS(NV("priority-fencing-delay", "15")), false},
        {2, PROPS(NV("priority-fencing-delay", "1min")), false},
        {3, NULL, false},
        {3, PROPS(NV("priority-fencing-delay", "0")), false},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fixture fx = {.f_node = 1,
                             .p_node = 2,
                             .secrets = true,
                             .config_nodes = cases[i].nodes,
                             .offline = {false, false, false, true},
                             .properties = cases[i].properties};
        xmlDoc *doc = build(&fx);
        struct lfd_result r;
        const char *text;
        size_t n;

        derive(doc, &r);
        n = warnings_of(&r, LFD_WARN_NO_FENCE_DELAY, &text);
        if (n != (cases[i].warns ? 1 : 0) || r.nwarnings != n) {
            fail_msg("case %zu: %zu fence-delay warnings of %zu", i, n,
                     r.nwarnings);
        }
        if (n > 0) {
            assert_non_null(strstr(text, "both nodes may fence each other"));
            assert_non_null(strstr(text, "survivor policy cannot decide"));
        }
        lfd_result_free(&r);
        xmlFreeDoc(doc);
    }
}

/* The value of the first id="..." in some XML text. */
static const char *
first_id(const char *xml)
{
    static char id[128];
    const char *start = strstr(xml, "id=\"");

    assert_non_null(start);
    start += 4;
    snprintf(id, sizeof(id), "%.*s", (int)strcspn(start, "\""), start);
    return id;
}

static void
warns_of_left_over_moves(void **state)
{
    static const struct {
        const char *constraint;
        bool p_group;
        const char *rsc; /* named in the warning; NULL: no warning */
    } cases[] = {
        {"<rsc_location id=\"cli-ban-rep-T1-on-node3\" rsc=\"rep-T1\" "
         "role=\"Started\" node=\"node3\" score=\"-INFINITY\"/>",
         false, "rep-T1"},
        {"<rsc_location id=\"cli-prefer-g-T1\" rsc=\"g-T1\" "
         "role=\"Started\" node=\"node3\" score=\"INFINITY\"/>",
         false, "g-T1"},
        /* A member of F's group, of P's group. */
        {"<rsc_location id=\"cli-prefer-vip-T1\" rsc=\"vip-T1\" "
         "node=\"node2\" score=\"INFINITY\"/>",
         false, "vip-T1"},
        {"<rsc_location id=\"cli-ban-ip-R-on-node1\" rsc=\"ip-R\" "
         "node=\"node1\" score=\"-INFINITY\"/>",
         true, "ip-R"},
        /* With a rule (a move with a lifetime): no node to name. */
        {"<rsc_location id=\"cli-prefer-rep-T1\" rsc=\"rep-T1\"><rule "
         "id=\"cli-prefer-rule-rep-T1\" score=\"INFINITY\"><expression "
         "id=\"x\" attribute=\"#uname\" operation=\"eq\" "
         "value=\"node3\"/></rule></rsc_location>",
         false, "rep-T1"},
        /* Not the pair's; not a move's. */
        {"<rsc_location id=\"cli-ban-other-on-node1\" rsc=\"other\" "
         "node=\"node1\" score=\"-INFINITY\"/>",
         false, NULL},
        {"<rsc_location id=\"ban-rep-T1\" rsc=\"rep-T1\" node=\"node3\" "
         "score=\"-INFINITY\"/>",
         false, NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fixture fx = {.f_node = 1,
                             .p_node = 2,
                             .secrets = true,
                             .p_group = cases[i].p_group,
                             .constraints = cases[i].constraint,
                             .extra_rsc = "<primitive id=\"other\" "
                                          "class=\"ocf\" "
                                          "provider=\"pacemaker\" "
                                          "type=\"Dummy\"/>"};
        xmlDoc *doc = build(&fx);
        struct lfd_result r;
        const char *text;
        size_t n;

        derive(doc, &r);
        n = warnings_of(&r, LFD_WARN_LEFT_OVER_MOVE, &text);
        if (n != (cases[i].rsc != NULL ? 1 : 0) || r.nwarnings != n) {
            fail_msg("case %zu: %zu left-over warnings of %zu", i, n,
                     r.nwarnings);
        }
        if (n > 0) {
            char clear[64];

            assert_non_null(strstr(text, first_id(cases[i].constraint)));
            snprintf(clear, sizeof(clear), "'pcs resource clear %s'",
                     cases[i].rsc);
            assert_non_null(strstr(text, clear));
            assert_string_equal(r.warnings[0].pair, "g-T1");
        }
        lfd_result_free(&r);
        xmlFreeDoc(doc);
    }
}

/* A converged pair (F on node 1, P rep-T1 on node 2) and a second
 * replication server rep-T2, probed everywhere and stopped. */
static xmlDoc *
converged_with_second_partner(void)
{
    static const struct fixture fx = {
        .f_node = 1,
        .p_node = 2,
        .extra_rsc = "<primitive id=\"rep-T2\" class=\"ocf\" "
                     "provider=\"leapfrog\" type=\"replication\"/>",
        .extra_probed = "rep-T2"};
    xmlDoc *doc = build(&fx);

    converges(doc);
    return doc;
}

/* The pair is declared anew with another partner (leapfrog-follows
 * changed from rep-T1 to rep-T2): -pmeta moves from the old partner to the
 * new one. Its id is unique in the CIB, so the old set goes before the
 * new one is created, in the order the writer applies the changes; and
 * the result converges. */
static void
partner_changed(void **state)
{
    xmlDoc *doc = converged_with_second_partner();
    xmlNode *follows;
    struct lfd_result r;
    size_t del = (size_t)-1;
    size_t create = (size_t)-1;

    follows = by_id(doc, "g-f");
    xmlSetProp(follows, (const xmlChar *)"value", (const xmlChar *)"rep-T2");
    derive(doc, &r);
    assert_true(r.settled);
    assert_null(r.pairs[0].error);
    for (size_t i = 0; i < r.nchanges; i++) {
        if (strcmp(r.changes[i].id, "leapfrog-g-T1-pmeta") != 0) {
            continue;
        }
        if (r.changes[i].op == LFD_DELETE) {
            del = i;
        } else if (r.changes[i].op == LFD_CREATE) {
            create = i;
            assert_string_equal(r.changes[i].parent, "rep-T2");
        }
    }
    assert_true(del != (size_t)-1);
    assert_true(create != (size_t)-1);
    assert_true(del < create);
    lfd_result_free(&r);
    converges(doc);
    assert_string_equal(
        (const char *)by_id(doc, "leapfrog-g-T1-pmeta")->parent->name,
        "primitive");
    assert_non_null(by_id(doc, "rep-T2"));
    xmlFreeDoc(doc);
    (void)state;
}

/* The same, but the old partner's set of ours also holds somebody else's
 * meta attribute (pcs resource disable wrote target-role into it): that
 * set cannot go and a second one of its id cannot be created, so the pair
 * is left as it is, with the reason, and nothing is written. */
static void
partner_changed_set_not_wholly_ours(void **state)
{
    xmlDoc *doc = converged_with_second_partner();
    xmlNode *nv;
    struct lfd_result r;

    nv = xmlNewChild(by_id(doc, "leapfrog-g-T1-pmeta"), NULL,
                     (const xmlChar *)"nvpair", NULL);
    xmlSetProp(nv, (const xmlChar *)"id", (const xmlChar *)"rep-tr");
    xmlSetProp(nv, (const xmlChar *)"name", (const xmlChar *)"target-role");
    xmlSetProp(nv, (const xmlChar *)"value", (const xmlChar *)"Started");
    xmlSetProp(by_id(doc, "g-f"), (const xmlChar *)"value",
               (const xmlChar *)"rep-T2");
    derive(doc, &r);
    assert_true(r.settled);
    assert_non_null(r.pairs[0].error);
    assert_non_null(strstr(r.pairs[0].error, "former partner"));
    assert_non_null(strstr(r.pairs[0].error, "rep-T1"));
    assert_int_equal(r.nchanges, 0);
    lfd_result_free(&r);
    xmlFreeDoc(doc);
    (void)state;
}

static void
warns_of_servers_without_a_secret(void **state)
{
    struct fixture fx = {.f_node = 1, .p_node = 2};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;
    const char *text;

    (void)state;
    derive(doc, &r);
    assert_int_equal(warnings_of(&r, LFD_WARN_NO_SECRET, &text), 2);
    assert_int_equal(r.nwarnings, 2);
    assert_non_null(
        strstr(r.warnings[0].text, "enq-T1 (ocf:leapfrog:enqueue)"));
    assert_non_null(
        strstr(r.warnings[1].text, "rep-T1 (ocf:leapfrog:replication)"));
    /* Without allow_no_secret such a server does not even start. */
    assert_non_null(strstr(text, "has no secret_file: it does not start"));
    assert_string_equal(r.warnings[0].pair, "g-T1");
    lfd_result_free(&r);
    xmlFreeDoc(doc);

    /* An empty secret_file is none; a Dummy server needs none. */
    fx.secrets = true;
    fx.no_marker = true;
    doc = build(&fx);
    xmlSetProp(by_id(doc, "r-s"), (const xmlChar *)"value",
               (const xmlChar *)"");
    derive(doc, &r);
    assert_int_equal(warnings_of(&r, LFD_WARN_NO_SECRET, &text), 1);
    assert_int_equal(r.nwarnings, 1);
    assert_non_null(strstr(text, "rep-T1"));
    lfd_result_free(&r);
    xmlFreeDoc(doc);

    /* allow_no_secret=true: it runs, and the warning says so. */
    doc = build(&fx);
    xmlSetProp(by_id(doc, "r-s"), (const xmlChar *)"name",
               (const xmlChar *)"allow_no_secret");
    xmlSetProp(by_id(doc, "r-s"), (const xmlChar *)"value",
               (const xmlChar *)"true");
    derive(doc, &r);
    assert_int_equal(warnings_of(&r, LFD_WARN_NO_SECRET, &text), 1);
    assert_non_null(strstr(text, "rep-T1 (ocf:leapfrog:replication) runs "
                                 "without a secret (allow_no_secret=true)"));
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

/* Warnings come from the configuration: reported while the cluster is not
 * settled too; none without a pair. */
static void
warnings_while_unsettled_none_without_pairs(void **state)
{
    struct fixture fx = {.f_node = 1,
                         .p_node = 2,
                         .pending = true,
                         .properties = PROPS(NV("stonith-enabled", "false"))};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;
    const char *text;

    (void)state;
    derive(doc, &r);
    assert_false(r.settled);
    assert_int_equal(warnings_of(&r, LFD_WARN_NO_FENCING, &text), 1);
    assert_int_equal(warnings_of(&r, LFD_WARN_NO_SECRET, &text), 2);
    assert_true(lfd_result_warns(&r, r.warnings[1].text));
    assert_false(lfd_result_warns(&r, "something else"));
    lfd_result_free(&r);
    xmlFreeDoc(doc);

    fx.pending = false;
    fx.follows = "";
    doc = build(&fx);
    derive(doc, &r);
    assert_int_equal(r.npairs, 0);
    assert_int_equal(r.nwarnings, 0);
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

static void
banned_nodes_are_not_eligible(void **state)
{
    struct fixture fx = {
        .f_node = 1,
        .p_node = 2,
        .constraints = "<rsc_location id=\"cli-ban-rep-T1-on-node3\" "
                       "rsc=\"rep-T1\" node=\"node3\" score=\"-INFINITY\"/>"};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;

    derive(doc, &r);
    assert_int_equal(r.pairs[0].eligible, 2);
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

static void
unsettled_status_writes_nothing(void **state)
{
    struct fixture pending = {.f_node = 1, .p_node = 2, .pending = true};
    struct fixture unprobed = {.f_node = 1, .p_node = 2, .unprobed = true};
    struct fixture twice = {.f_node = 1, .p_node = 2, .f_twice = true};
    const struct fixture *cases[] = {&pending, &unprobed, &twice};

    for (size_t i = 0; i < 3; i++) {
        xmlDoc *doc = build(cases[i]);
        struct lfd_result r;

        derive(doc, &r);
        assert_false(r.settled);
        assert_non_null(r.unsettled);
        assert_int_equal(r.nchanges, 0);
        lfd_result_free(&r);
        xmlFreeDoc(doc);
    }
}

static void
no_dc_is_unsettled(void **state)
{
    struct fixture fx = {.f_node = 1, .p_node = 2};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;

    xmlUnsetProp(xmlDocGetRootElement(doc), (const xmlChar *)"dc-uuid");
    derive(doc, &r);
    assert_false(r.settled);
    assert_string_equal(r.unsettled, "no DC elected");
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

static void
bad_declarations_are_left_alone(void **state)
{
    struct {
        struct fixture fx;
        const char *error_part;
    } cases[] = {
        {{.f_node = 1, .p_node = 2, .follows = "no-such-resource"},
         "not a primitive or group"},
        {{.f_node = 1, .p_node = 2, .follows = "g-T1"}, "cannot follow itself"},
        {{.f_node = 1, .p_node = 2, .survivor = "somebody"},
         "must be g-T1, its partner or none"},
        {{.f_node = 1, .p_node = 2, .follows = "vip-T1"},
         "not a primitive or group"},
        {{.f_node = 1,
          .p_node = 2,
          .constraints = "<rsc_colocation id=\"mine\" rsc=\"rep-T1\" "
                         "with-rsc=\"g-T1\" score=\"-INFINITY\"/>"
                         "<rsc_location id=\"leapfrog-g-T1-follow\" "
                         "rsc=\"g-T1\" node=\"node3\" score=\"2000\"/>"},
         "constraint mine already ties"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        xmlDoc *doc = build(&cases[i].fx);
        struct lfd_result r;

        derive(doc, &r);
        assert_true(r.settled);
        assert_int_equal(r.npairs, 1);
        assert_non_null(r.pairs[0].error);
        if (strstr(r.pairs[0].error, cases[i].error_part) == NULL) {
            fail_msg("case %zu: '%s' lacks '%s'", i, r.pairs[0].error,
                     cases[i].error_part);
        }
        /* Its constraints stay exactly as they were. */
        assert_int_equal(r.nchanges, 0);
        lfd_result_free(&r);
        xmlFreeDoc(doc);
    }
}

/* A follows B follows A: both refused; other pairs go on. */
static void
loops_refused_others_served(void **state)
{
    struct fixture fx = {
        .f_node = 1,
        .p_node = 2,
        .extra_rsc =
            "<primitive id=\"A\" class=\"ocf\" provider=\"pacemaker\" "
            "type=\"Dummy\"><meta_attributes id=\"A-m\"><nvpair id=\"A-f\" "
            "name=\"leapfrog-follows\" value=\"B\"/></meta_attributes>"
            "</primitive><primitive id=\"B\" class=\"ocf\" "
            "provider=\"pacemaker\" type=\"Dummy\"><meta_attributes "
            "id=\"B-m\"><nvpair id=\"B-f\" name=\"leapfrog-follows\" "
            "value=\"A\"/></meta_attributes></primitive>"};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;
    int errors = 0;

    derive(doc, &r);
    assert_int_equal(r.npairs, 3);
    for (size_t i = 0; i < r.npairs; i++) {
        if (r.pairs[i].error != NULL) {
            assert_non_null(strstr(r.pairs[i].error, "cannot chain"));
            errors++;
        } else {
            assert_string_equal(r.pairs[i].follower, "g-T1");
        }
    }
    assert_int_equal(errors, 2);
    assert_non_null(find_change(&r, "leapfrog-g-T1-follow"));
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

static void
removed_declaration_removes_its_elements(void **state)
{
    struct fixture fx = {.f_node = 1, .p_node = 2};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;
    xmlNode *decl;

    converges(doc);
    decl = by_id(doc, "g-T1-meta");
    xmlUnlinkNode(decl);
    xmlFreeNode(decl);
    derive(doc, &r);
    assert_int_equal(r.npairs, 0);
    assert_int_equal(r.nchanges, 7);
    for (size_t i = 0; i < r.nchanges; i++) {
        assert_int_equal(r.changes[i].op, LFD_DELETE);
    }
    /* Elements that are not ours stay. */
    assert_null(find_change(&r, "g-T1-meta"));
    apply(doc, &r);
    lfd_result_free(&r);
    assert_null(by_id(doc, "leapfrog-g-T1-push"));
    assert_non_null(by_id(doc, "rep-T1"));
    converges(doc);
    xmlFreeDoc(doc);
}

static void
others_elements_untouched(void **state)
{
    struct fixture fx = {.f_node = 1,
                         .p_node = 2,
                         .constraints =
                             "<rsc_location id=\"leapfrog-but-not-ours\" "
                             "rsc=\"rep-T1\" node=\"node3\" score=\"10\"/>"
                             "<rsc_location id=\"admin-pref\" rsc=\"rep-T1\" "
                             "node=\"node3\" score=\"10\"/>"};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;

    derive(doc, &r);
    assert_null(find_change(&r, "leapfrog-but-not-ours"));
    assert_null(find_change(&r, "admin-pref"));
    lfd_result_free(&r);
    converges(doc);
    assert_non_null(by_id(doc, "leapfrog-but-not-ours"));
    xmlFreeDoc(doc);
}

/* ---- what is ours ------------------------------------------------------ */

/* Every element in the namespace leapfrog- of the configuration that is
 * not inside another such (nor inside a piece of an upgrade's split): the
 * elements leapfrogd writes, and lookalikes. */
static size_t
top_prefixed(xmlDoc *doc, xmlNode **out, size_t max)
{
    xmlXPathContext *ctx = xmlXPathNewContext(doc);
    xmlXPathObject *o = xmlXPathEvalExpression(
        (const xmlChar *)"/cib/configuration//*[starts-with(@id, "
                         "'leapfrog-')][not(ancestor::*[starts-with(@id, "
                         "'leapfrog-') or starts-with(@id, 'pcmk__')])]",
        ctx);
    size_t n = 0;

    for (int i = 0; o != NULL && o->nodesetval != NULL
                    && i < o->nodesetval->nodeNr && n < max;
         i++) {
        out[n++] = o->nodesetval->nodeTab[i];
    }
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return n;
}

/* Everything leapfrogd writes, of every form, and everything that earlier
 * versions wrote (the saved CIBs of 0.1), carries its mark. */
static void
every_form_written_is_ours(void **state)
{
    static const char *const survivors[] = {NULL, "rep-T1", "none"};
    xmlNode *found[64];

    (void)state;
    for (size_t s = 0; s < 3; s++) {
        for (int down = 0; down <= 2; down++) {
            struct fixture fx = {
                .f_node = 1, .p_node = 2, .survivor = survivors[s]};
            xmlDoc *doc;
            size_t n;

            fx.offline[3] = (down >= 1);
            if (down == 2) {
                fx.no_marker = true;
            }
            doc = build(&fx);
            converges(doc);
            n = top_prefixed(doc, found, 64);
            assert_true(n >= 6);
            for (size_t i = 0; i < n; i++) {
                assert_true(lfd_element_ours(found[i]));
            }
            xmlFreeDoc(doc);
        }
    }
    for (size_t f = 0; f < 2; f++) {
        xmlDoc *doc = load_fixture(f == 0 ? "upgrade-written-2.1.xml"
                                          : "upgrade-upgraded-4.0.xml");
        size_t n = top_prefixed(doc, found, 64);

        assert_int_equal(n, f == 0 ? 14 : 12);
        for (size_t i = 0; i < n; i++) {
            assert_true(lfd_element_ours(found[i]));
        }
        xmlFreeDoc(doc);
    }
}

/* Parse one element in a CIB of its own (a -meta set inside F). */
static xmlDoc *
one_element(const char *xml)
{
    buf[0] = '\0';
    append("<cib><configuration><resources><group id=\"g-T1\">%s</group>"
           "<primitive id=\"rep-T1\"/></resources><constraints>%s"
           "</constraints></configuration></cib>",
           strstr(xml, "<meta_attributes") == xml ? xml : "",
           strstr(xml, "<meta_attributes") == xml ? "" : xml);
    return xmlReadMemory(buf, (int)strlen(buf), "one.xml", NULL,
                         XML_PARSE_NOBLANKS);
}

static bool
ours(const char *xml)
{
    xmlDoc *doc = one_element(xml);
    xmlNode *found[4];
    bool mine;

    assert_non_null(doc);
    assert_int_equal(top_prefixed(doc, found, 4), 1);
    mine = lfd_element_ours(found[0]);
    xmlFreeDoc(doc);
    return mine;
}

/* An id in leapfrogd's namespace is not enough: an element of another
 * shape is somebody else's. */
static void
lookalikes_are_not_ours(void **state)
{
    static const char *const mine[] = {
        "<rsc_location id=\"leapfrog-g-T1-follow\" rsc=\"g-T1\" "
        "node=\"node2\" score=\"2000\"/>",
        "<rsc_location id=\"leapfrog-g-T1-yield\" rsc=\"g-T1\" "
        "node=\"node2\" score=\"-INFINITY\"/>",
        "<rsc_colocation id=\"leapfrog-g-T1-push\" rsc=\"rep-T1\" "
        "with-rsc=\"g-T1\" score=\"-5000\" influence=\"false\"/>",
        "<rsc_order id=\"leapfrog-g-T1-order\" first=\"g-T1\" "
        "first-action=\"start\" then=\"rep-T1\" then-action=\"stop\" "
        "kind=\"Optional\" symmetrical=\"false\"/>",
        "<rsc_location id=\"leapfrog-g-T1-fresh\" rsc=\"rep-T1\"><rule "
        "id=\"leapfrog-g-T1-fresh-rule\" score=\"100\" boolean-op=\"and\">"
        "<expression id=\"leapfrog-g-T1-fresh-expr-1\" attribute=\"a\" "
        "operation=\"not_defined\"/></rule></rsc_location>",
        "<meta_attributes id=\"leapfrog-g-T1-meta\" score=\"1000\"><nvpair "
        "id=\"leapfrog-g-T1-meta-priority\" name=\"priority\" "
        "value=\"7\"/></meta_attributes>",
        /* a meta attribute pcs wrote into the set: the set stays ours,
         * that nvpair is somebody else's */
        "<meta_attributes id=\"leapfrog-g-T1-meta\" score=\"1000\"><nvpair "
        "id=\"leapfrog-g-T1-meta-target-role\" name=\"target-role\" "
        "value=\"Stopped\"/></meta_attributes>",
        /* the -avoid of the first versions: P off F's node by name */
        "<rsc_location id=\"leapfrog-g-T1-avoid\" rsc=\"rep-T1\" "
        "node=\"node1\" score=\"-INFINITY\"/>",
    };
    static const char *const theirs[] = {
        /* a score of its own */
        "<rsc_location id=\"leapfrog-g-T1-follow\" rsc=\"g-T1\" "
        "node=\"node2\" score=\"100\"/>",
        /* on another resource than the id's F */
        "<rsc_location id=\"leapfrog-g-T1-follow\" rsc=\"rep-T1\" "
        "node=\"node2\" score=\"2000\"/>",
        /* another element for the kind */
        "<rsc_colocation id=\"leapfrog-g-T1-follow\" rsc=\"rep-T1\" "
        "with-rsc=\"g-T1\" score=\"2000\"/>",
        /* an attribute leapfrogd does not write */
        "<rsc_colocation id=\"leapfrog-g-T1-push\" rsc=\"rep-T1\" "
        "with-rsc=\"g-T1\" score=\"-5000\" influence=\"false\" "
        "rsc-role=\"Started\"/>",
        "<rsc_order id=\"leapfrog-g-T1-order\" first=\"g-T1\" "
        "first-action=\"start\" then=\"rep-T1\" then-action=\"stop\" "
        "kind=\"Mandatory\" symmetrical=\"false\"/>",
        /* rules of ids that are not the location's */
        "<rsc_location id=\"leapfrog-g-T1-avoid\" rsc=\"rep-T1\"><rule "
        "id=\"mine\" score=\"-INFINITY\"><expression id=\"mine-e\" "
        "attribute=\"#uname\" operation=\"eq\" value=\"n1\"/></rule>"
        "</rsc_location>",
        /* something else than rules and expressions */
        "<rsc_location id=\"leapfrog-g-T1-avoid\" rsc=\"rep-T1\"><rule "
        "id=\"leapfrog-g-T1-avoid-r\" score=\"-INFINITY\"><date_expression "
        "id=\"leapfrog-g-T1-avoid-d\" operation=\"gt\" start=\"2020\"/>"
        "</rule></rsc_location>",
        "<rsc_location id=\"leapfrog-g-T1-fresh\" rsc=\"rep-T1\" "
        "node=\"node1\" score=\"100\"/>",
        "<rsc_location id=\"leapfrog-g-T1-avoid\" rsc=\"rep-T1\" "
        "node=\"node1\" score=\"-100\"/>",
        /* one of its names under another id */
        "<meta_attributes id=\"leapfrog-g-T1-meta\" score=\"1000\"><nvpair "
        "id=\"my-priority\" name=\"priority\" value=\"7\"/>"
        "</meta_attributes>",
        /* a rule in a set */
        "<meta_attributes id=\"leapfrog-g-T1-meta\" score=\"1000\"><rule "
        "id=\"leapfrog-g-T1-meta-r\" score=\"1\"><expression "
        "id=\"leapfrog-g-T1-meta-e\" attribute=\"a\" operation=\"defined\"/>"
        "</rule></meta_attributes>",
        "<meta_attributes id=\"leapfrog-g-T1-meta\" score=\"10\"><nvpair "
        "id=\"leapfrog-g-T1-meta-priority\" name=\"priority\" "
        "value=\"10\"/></meta_attributes>",
        /* not a kind of leapfrogd's */
        "<rsc_location id=\"leapfrog-g-T1-mine\" rsc=\"g-T1\" "
        "node=\"node2\" score=\"2000\"/>",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++) {
        assert_true(ours(mine[i]));
    }
    for (size_t i = 0; i < sizeof(theirs) / sizeof(theirs[0]); i++) {
        assert_false(ours(theirs[i]));
    }
}

/* `pcs resource disable P` on a P without a set of its own writes
 * target-role into leapfrogd's -pmeta (pcs writes into the first set):
 * the pair stays current, and that nvpair is never rewritten nor deleted,
 * not even when the pair goes (only leapfrogd's nvpairs of the set do). */
static void
meta_attribute_written_into_our_set(void **state)
{
    struct fixture fx = {.f_node = 1, .p_node = 2};
    xmlDoc *doc = build(&fx);
    xmlNode *pmeta;
    xmlNode *nv;
    xmlNode *decl;
    struct lfd_result r;

    (void)state;
    converges(doc);
    pmeta = by_id(doc, "leapfrog-g-T1-pmeta");
    nv = xmlNewChild(pmeta, NULL, (const xmlChar *)"nvpair", NULL);
    xmlNewProp(nv, (const xmlChar *)"id",
               (const xmlChar *)"leapfrog-g-T1-pmeta-target-role");
    xmlNewProp(nv, (const xmlChar *)"name", (const xmlChar *)"target-role");
    xmlNewProp(nv, (const xmlChar *)"value", (const xmlChar *)"Stopped");
    /* pcs resource meta rep-T1 priority=3 writes one of leapfrogd's. */
    xmlSetProp(by_id(doc, "leapfrog-g-T1-pmeta-priority"),
               (const xmlChar *)"value", (const xmlChar *)"3");
    derive(doc, &r);
    assert_null(r.pairs[0].conflict);
    assert_int_equal(r.nchanges, 1);
    assert_string_equal(r.changes[0].id, "leapfrog-g-T1-pmeta");
    assert_int_equal(r.changes[0].op, LFD_REPLACE);
    /* The test's apply() replaces the set whole; the CIB merges a
     * modification by id and keeps the other nvpair: put it back. */
    nv = xmlCopyNode(nv, 1);
    apply(doc, &r);
    lfd_result_free(&r);
    xmlAddChild(by_id(doc, "leapfrog-g-T1-pmeta"), nv);
    derive(doc, &r);
    assert_int_equal(r.nchanges, 0);
    assert_true(r.pairs[0].current);
    lfd_result_free(&r);

    decl = by_id(doc, "g-T1-meta");
    xmlUnlinkNode(decl);
    xmlFreeNode(decl);
    derive(doc, &r);
    assert_null(find_change(&r, "leapfrog-g-T1-pmeta"));
    assert_non_null(find_change(&r, "leapfrog-g-T1-pmeta-priority"));
    assert_non_null(find_change(&r, "leapfrog-g-T1-pmeta-resource-stickiness"));
    assert_null(find_change(&r, "leapfrog-g-T1-pmeta-target-role"));
    assert_non_null(find_change(&r, "leapfrog-g-T1-meta"));
    apply(doc, &r);
    lfd_result_free(&r);
    assert_non_null(by_id(doc, "leapfrog-g-T1-pmeta-target-role"));
    derive(doc, &r);
    assert_int_equal(r.nchanges, 0);
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

/* Elements with the ids of a pair that is not declared, that leapfrogd
 * did not write: none deleted (before, every one was). Its own elements
 * of that pair go as before. */
static void
lookalikes_of_undeclared_pairs_stay(void **state)
{
    struct fixture fx = {
        .f_node = 1,
        .p_node = 2,
        .extra_rsc = "<primitive id=\"web\" class=\"ocf\" "
                     "provider=\"pacemaker\" type=\"Dummy\"><meta_attributes "
                     "id=\"leapfrog-web-meta\"><nvpair "
                     "id=\"leapfrog-web-meta-target-role\" "
                     "name=\"target-role\" value=\"Stopped\"/>"
                     "</meta_attributes></primitive>",
        .constraints =
            "<rsc_location id=\"leapfrog-web-follow\" rsc=\"web\" "
            "node=\"node3\" score=\"100\"/>"
            "<rsc_colocation id=\"leapfrog-web-push\" rsc=\"web\" "
            "with-rsc=\"rep-T1\" score=\"-100\"/>"
            "<rsc_location id=\"leapfrog-web-avoid\" rsc=\"web\">"
            "<rule id=\"web-rule\" score=\"-INFINITY\"><expression "
            "id=\"web-rule-e\" attribute=\"#uname\" operation=\"eq\" "
            "value=\"node1\"/></rule></rsc_location>"
            "<rsc_order id=\"leapfrog-web-order\" first=\"web\" "
            "first-action=\"start\" then=\"rep-T1\" then-action=\"stop\" "
            "kind=\"Optional\" symmetrical=\"false\"/>"};
    xmlDoc *doc = build(&fx);
    struct lfd_result r;

    (void)state;
    derive(doc, &r);
    assert_true(r.settled);
    assert_null(find_change(&r, "leapfrog-web-follow"));
    assert_null(find_change(&r, "leapfrog-web-push"));
    assert_null(find_change(&r, "leapfrog-web-avoid"));
    assert_null(find_change(&r, "leapfrog-web-meta"));
    /* The order is of leapfrogd's shape: its own, left over. */
    assert_non_null(find_change(&r, "leapfrog-web-order"));
    assert_int_equal(find_change(&r, "leapfrog-web-order")->op, LFD_DELETE);
    for (size_t i = 0; i < r.nwarnings; i++) {
        assert_int_not_equal(r.warnings[i].kind, LFD_WARN_ID_CONFLICT);
    }
    lfd_result_free(&r);
    converges(doc);
    assert_non_null(by_id(doc, "leapfrog-web-follow"));
    assert_non_null(by_id(doc, "leapfrog-web-meta"));
    xmlFreeDoc(doc);
}

/* The pair's conflict warning, if any. */
static const struct lfd_warning *
conflict_warning(const struct lfd_result *r, const char *id)
{
    for (size_t i = 0; i < r->nwarnings; i++) {
        if (r->warnings[i].kind == LFD_WARN_ID_CONFLICT
            && strstr(r->warnings[i].text, id) != NULL) {
            return &r->warnings[i];
        }
    }
    return NULL;
}

/* Somebody else's element holds an id a declared pair needs: nothing of
 * the pair is written (before, the element was overwritten), the pair is
 * reported, the other pairs go on; settled or not. */
static void
collision_leaves_the_pair_alone(void **state)
{
    static const char *const collisions[] = {
        "<rsc_location id=\"leapfrog-g-T1-follow\" rsc=\"g-T1\" "
        "node=\"node3\" score=\"100\"/>",
        /* any element: ids are unique in the whole CIB */
        "<rsc_location id=\"mine\" rsc=\"g-T1\"><rule "
        "id=\"leapfrog-g-T1-yield\" score=\"10\"><expression id=\"mine-e\" "
        "attribute=\"#uname\" operation=\"eq\" value=\"node3\"/></rule>"
        "</rsc_location>",
    };

    (void)state;
    for (size_t k = 0; k < 2; k++) {
        struct fixture fx = {
            .f_node = 1, .p_node = 2, .constraints = collisions[k]};
        const char *id =
            k == 0 ? "leapfrog-g-T1-follow" : "leapfrog-g-T1-yield";
        xmlDoc *doc = build(&fx);
        const struct lfd_warning *w;
        struct lfd_result r;

        derive(doc, &r);
        assert_true(r.settled);
        assert_int_equal(r.npairs, 1);
        assert_null(r.pairs[0].error);
        assert_non_null(r.pairs[0].conflict);
        assert_string_equal(r.pairs[0].conflict, id);
        assert_int_equal(r.nchanges, 0);
        w = conflict_warning(&r, id);
        assert_non_null(w);
        assert_string_equal(w->pair, "g-T1");
        assert_null(strstr(w->text, "error:"));
        lfd_result_free(&r);

        /* Unsettled: still reported. */
        fx.pending = true;
        xmlFreeDoc(doc);
        doc = build(&fx);
        derive(doc, &r);
        assert_false(r.settled);
        assert_non_null(conflict_warning(&r, id));
        lfd_result_free(&r);
        xmlFreeDoc(doc);
    }
}

/* An element of leapfrogd's that an administrator edited out of its shape
 * (saved CIB of 0.1, the push's score changed) is theirs now: that pair
 * is left alone and reported, the other pair is brought up to date as
 * before. A value pcs wrote into leapfrogd's set is put back, as before. */
static void
edited_elements_of_saved_cibs(void **state)
{
    xmlDoc *doc = load_fixture("upgrade-written-2.1.xml");
    xmlNode *push = by_id(doc, "leapfrog-g-T1-push");
    xmlNode *prio = by_id(doc, "leapfrog-g-T2-meta-priority");
    struct lfd_result r;

    (void)state;
    xmlSetProp(push, (const xmlChar *)"score", (const xmlChar *)"-100");
    xmlSetProp(prio, (const xmlChar *)"value", (const xmlChar *)"3");
    derive(doc, &r);
    assert_true(r.settled);
    assert_int_equal(r.npairs, 2);
    assert_string_equal(r.pairs[0].conflict, "leapfrog-g-T1-push");
    assert_null(r.pairs[1].conflict);
    for (size_t i = 0; i < r.nchanges; i++) {
        assert_string_equal(r.changes[i].pair, "g-T2");
    }
    assert_non_null(find_change(&r, "leapfrog-g-T2-avoid"));
    assert_non_null(find_change(&r, "leapfrog-g-T2-fresh"));
    assert_int_equal(find_change(&r, "leapfrog-g-T2-meta")->op, LFD_REPLACE);
    assert_int_equal(r.nchanges, 3);
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

/* A piece of an upgrade's split that is not of leapfrogd's shape stays;
 * the others go as before. */
static void
edited_piece_stays(void **state)
{
    xmlDoc *doc = load_fixture("upgrade-upgraded-4.0.xml");
    xmlNode *piece = by_id(doc, "pcmk__3_10_upgrade-leapfrog-g-T1-avoid-2");
    struct lfd_result r;

    (void)state;
    xmlSetProp(piece, (const xmlChar *)"role", (const xmlChar *)"Started");
    derive(doc, &r);
    assert_null(find_change(&r, "pcmk__3_10_upgrade-leapfrog-g-T1-avoid-2"));
    assert_non_null(
        find_change(&r, "pcmk__3_10_upgrade-leapfrog-g-T1-avoid-1"));
    assert_non_null(
        find_change(&r, "pcmk__3_10_upgrade-leapfrog-g-T2-avoid-2"));
    assert_null(r.pairs[0].conflict);
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

/* --remove's list: leapfrogd's elements of the pair and the pieces of an
 * upgrade, nothing of somebody else's (reported), nothing of another
 * pair. */
static void
removal_takes_only_ours(void **state)
{
    struct fixture fx = {.f_node = 1, .p_node = 2};
    xmlDoc *doc = build(&fx);
    xmlNode *yield;
    struct lfd_result r;

    (void)state;
    converges(doc);
    yield = xmlNewChild(by_id(doc, "leapfrog-g-T1-push")->parent, NULL,
                        (const xmlChar *)"rsc_location", NULL);
    xmlNewProp(yield, (const xmlChar *)"id",
               (const xmlChar *)"leapfrog-g-T1-yield");
    xmlNewProp(yield, (const xmlChar *)"rsc", (const xmlChar *)"g-T1");
    xmlNewProp(yield, (const xmlChar *)"node", (const xmlChar *)"node3");
    xmlNewProp(yield, (const xmlChar *)"score", (const xmlChar *)"-100");
    assert_int_equal(lfd_derive_removal(xmlDocGetRootElement(doc), "g-T1", &r),
                     0);
    assert_int_equal(r.nchanges, 7);
    for (size_t i = 0; i < r.nchanges; i++) {
        assert_int_equal(r.changes[i].op, LFD_DELETE);
    }
    assert_string_equal(find_change(&r, "leapfrog-g-T1-meta")->parent, "g-T1");
    assert_null(find_change(&r, "leapfrog-g-T1-yield"));
    assert_non_null(conflict_warning(&r, "leapfrog-g-T1-yield"));
    lfd_result_free(&r);
    assert_int_equal(lfd_derive_removal(xmlDocGetRootElement(doc), "g", &r), 0);
    assert_int_equal(r.nchanges, 0);
    lfd_result_free(&r);
    xmlFreeDoc(doc);

    doc = load_fixture("upgrade-upgraded-4.0.xml");
    assert_int_equal(lfd_derive_removal(xmlDocGetRootElement(doc), "g-T1", &r),
                     0);
    assert_int_equal(r.nchanges, 6 + 2);
    assert_non_null(
        find_change(&r, "pcmk__3_10_upgrade-leapfrog-g-T1-avoid-2"));
    assert_null(find_change(&r, "leapfrog-g-T2-push"));
    lfd_result_free(&r);
    xmlFreeDoc(doc);
}

/* What --remove accepts, and what lfd_cib_apply() quotes into an XPath:
 * ids by the CIB's rules, nothing that could end the quoted string. */
static void
ids_by_the_cibs_rules(void **state)
{
    static const char *const good[] = {"g-T1", "rep_T1.a", "_x", "F"};
    static const char *const bad[] = {
        "",      "x' or @id!='", "f1'] | //*[@id='p2",
        "f1\"]", "a b",          "a[1]",
        "1abc",  "-a",           "a:b",
        "a/b",   "x\n",          "a or 1=1",
        "'",     "f1)",
    };
    char longest[LFD_ID_MAX + 2];

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_true(lfd_id_valid(good[i]));
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(lfd_id_valid(bad[i]));
    }
    memset(longest, 'a', sizeof(longest) - 1);
    longest[LFD_ID_MAX] = '\0';
    assert_true(lfd_id_valid(longest));
    longest[LFD_ID_MAX] = 'a';
    longest[LFD_ID_MAX + 1] = '\0';
    assert_false(lfd_id_valid(longest));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_set_for_a_new_pair),
        cmocka_unit_test(fresh_rule_lists_every_recurring_monitor),
        cmocka_unit_test(failure_reported_by_the_watcher),
        cmocka_unit_test(partner_group),
        cmocka_unit_test(partner_changed),
        cmocka_unit_test(partner_changed_set_not_wholly_ours),
        cmocka_unit_test(partly_started_group_is_between_nodes),
        cmocka_unit_test(rewrites_only_what_moved),
        cmocka_unit_test(stopped_partner_keeps_the_follow_location),
        cmocka_unit_test(survivor_variants_on_the_last_node),
        cmocka_unit_test(survivor_partner_with_two_nodes),
        cmocka_unit_test(survivor_wins_the_fence_race),
        cmocka_unit_test(survivor_none_pre_armed_from_two_nodes),
        cmocka_unit_test(survivor_none_without_a_marker),
        cmocka_unit_test(two_rule_locations_of_2_1_rewritten),
        cmocka_unit_test(upgrade_pieces_replaced),
        cmocka_unit_test(upgrade_pieces_of_undeclared_pairs_removed),
        cmocka_unit_test(no_warning_when_all_is_well),
        cmocka_unit_test(warns_without_fencing),
        cmocka_unit_test(warns_two_nodes_without_fence_delay),
        cmocka_unit_test(warns_of_left_over_moves),
        cmocka_unit_test(warns_of_servers_without_a_secret),
        cmocka_unit_test(warnings_while_unsettled_none_without_pairs),
        cmocka_unit_test(banned_nodes_are_not_eligible),
        cmocka_unit_test(unsettled_status_writes_nothing),
        cmocka_unit_test(no_dc_is_unsettled),
        cmocka_unit_test(bad_declarations_are_left_alone),
        cmocka_unit_test(loops_refused_others_served),
        cmocka_unit_test(removed_declaration_removes_its_elements),
        cmocka_unit_test(others_elements_untouched),
        cmocka_unit_test(every_form_written_is_ours),
        cmocka_unit_test(lookalikes_are_not_ours),
        cmocka_unit_test(meta_attribute_written_into_our_set),
        cmocka_unit_test(lookalikes_of_undeclared_pairs_stay),
        cmocka_unit_test(collision_leaves_the_pair_alone),
        cmocka_unit_test(edited_elements_of_saved_cibs),
        cmocka_unit_test(edited_piece_stays),
        cmocka_unit_test(removal_takes_only_ours),
        cmocka_unit_test(ids_by_the_cibs_rules),
    };

    return cmocka_run_group_tests_name("lfd_derive", tests, NULL, NULL);
}

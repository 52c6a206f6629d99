/*
 * The warnings: what makes a pair's guarantees weaker than the contract
 * says, for leapfrogd --status and the daemon's log.
 */
#include <config.h>

#include <string.h>

#include <libxml/xpath.h>

#include "lf_parse.h"
#include "lfd_derive.h"
#include "lfd_facts.h"
#include "lfd_ours.h"
#include "lfd_result.h"
#include "lfd_warn.h"
#include "lfd_xml.h"

/* Fencing off: Pacemaker 3.0.2 names it fencing-enabled (which wins),
 * earlier versions stonith-enabled; absent means true. A value that is
 * not a boolean counts as true, as Pacemaker takes the default then. */
static void
warn_fencing(const struct lfd_facts *facts, struct lfd_result_builder *out)
{
    const char *name = "fencing-enabled";
    const char *value = lfd_facts_cluster_property(facts, name);
    bool on = true;

    if (value == NULL) {
        name = "stonith-enabled";
        value = lfd_facts_cluster_property(facts, name);
    }
    if (value == NULL || lf_parse_bool(value, &on) != 0 || on) {
        return;
    }
    lfd_result_add_warning(
        out, LFD_WARN_NO_FENCING, NULL,
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
warn_fence_delay(const struct lfd_facts *facts, struct lfd_result_builder *out)
{
    xmlXPathObject *obj =
        lfd_facts_query(facts, "/cib/configuration/nodes/node[not(@type) or "
                               "@type='member' or @type='normal']");
    int nodes = (obj != NULL) ? obj->nodesetval->nodeNr : 0;
    const char *delay =
        lfd_facts_cluster_property(facts, "priority-fencing-delay");
    long long ms = 0;

    xmlXPathFreeObject(obj);
    if (nodes != 2
        || (delay != NULL
            && (lf_parse_duration_ms(delay, &ms) != 0 || ms >= 1000))) {
        return;
    }
    lfd_result_add_warning(
        out, LFD_WARN_NO_FENCE_DELAY, NULL,
        "two-node cluster without priority-fencing-delay (%s%s): "
        "in a split both nodes may fence each other at once, and "
        "the survivor policy cannot decide which one keeps "
        "running; set it, e.g. pcs property set "
        "priority-fencing-delay=15s",
        delay != NULL ? "it is " : "not set", delay != NULL ? delay : "");
}

/* Is id F, P, or a primitive of one of them? */
static bool
pair_resource(xmlNode *f_rsc, xmlNode *p_rsc, const char *id)
{
    xmlNode *rscs[2] = {f_rsc, p_rsc};

    for (size_t i = 0; i < 2 && id != NULL; i++) {
        xmlNode *prims[64];
        size_t n =
            (rscs[i] != NULL) ? lfd_facts_primitives(rscs[i], prims, 64) : 0;

        if (rscs[i] != NULL && lfd_xml_attr_is(rscs[i], "id", id)) {
            return true;
        }
        for (size_t k = 0; k < n; k++) {
            if (lfd_xml_attr_is(prims[k], "id", id)) {
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
warn_left_over_moves(const struct lfd_facts *facts,
                     struct lfd_result_builder *out,
                     const struct lfd_pair *pair, xmlNode *f_rsc,
                     xmlNode *p_rsc)
{
    for (guint i = 0; i < facts->moves->len; i++) {
        xmlNode *c = g_ptr_array_index(facts->moves, i);
        const char *id = lfd_xml_attr(c, "id");
        const char *rsc = lfd_xml_attr(c, "rsc");
        const char *node = lfd_xml_attr(c, "node");
        bool ban = strncmp(id, "cli-ban-", 8) == 0;

        if (!pair_resource(f_rsc, p_rsc, rsc)) {
            continue;
        }
        if (node == NULL) {
            lfd_result_add_warning(
                out, LFD_WARN_LEFT_OVER_MOVE, pair->follower,
                "constraint %s is left over from a move or ban of "
                "%s; 'pcs resource clear %s' removes it",
                id, rsc, rsc);
        } else {
            lfd_result_add_warning(
                out, LFD_WARN_LEFT_OVER_MOVE, pair->follower,
                "constraint %s, left over from a %s of %s, %s %s %s "
                "%s against the pair's own constraints; 'pcs "
                "resource clear %s' removes it",
                id, ban ? "ban" : "move", rsc, ban ? "keeps" : "pins", rsc,
                ban ? "off" : "to", node, rsc);
        }
    }
}

/* A non-empty instance attribute of the primitive, or NULL. */
static const char *
instance_param(xmlNode *prim, const char *name)
{
    for (xmlNode *ia = prim->children; ia != NULL; ia = ia->next) {
        if (!lfd_xml_is(ia, "instance_attributes")) {
            continue;
        }
        for (xmlNode *nv = ia->children; nv != NULL; nv = nv->next) {
            const char *v = lfd_xml_attr(nv, "value");

            if (lfd_xml_is(nv, "nvpair") && lfd_xml_attr_is(nv, "name", name)
                && v != NULL && *v != '\0') {
                return v;
            }
        }
    }
    return NULL;
}

/* A leapfrog server of the pair configured without a secret: it runs
 * without one only when allow_no_secret says so, else it does not start. */
static void
warn_secrets(const struct lfd_facts *facts, struct lfd_result_builder *out,
             const struct lfd_pair *pair, xmlNode *f_rsc, xmlNode *p_rsc)
{
    xmlNode *prims[128];
    size_t n = (f_rsc != NULL) ? lfd_facts_primitives(f_rsc, prims, 64) : 0;

    n += (p_rsc != NULL) ? lfd_facts_primitives(p_rsc, prims + n, 64) : 0;
    for (size_t i = 0; i < n; i++) {
        bool enqueue = lfd_xml_attr_is(prims[i], "type", "enqueue");
        const char *allow = instance_param(prims[i], "allow_no_secret");
        bool allowed = false;

        if (!lfd_xml_attr_is(prims[i], "class", "ocf")
            || !lfd_xml_attr_is(prims[i], "provider", "leapfrog")
            || !(enqueue || lfd_xml_attr_is(prims[i], "type", "replication"))
            || instance_param(prims[i], "secret_file") != NULL) {
            continue;
        }
        (void)lf_parse_bool(allow != NULL ? allow : "false", &allowed);
        if (!allowed) {
            lfd_result_add_warning(
                out, LFD_WARN_NO_SECRET, pair->follower,
                "%s (ocf:leapfrog:%s) has no secret_file: it does not "
                "start (allow_no_secret is not true); give both "
                "servers of the pair the same secret_file, on every "
                "node",
                lfd_xml_attr(prims[i], "id"), lfd_xml_attr(prims[i], "type"));
            continue;
        }
        lfd_result_add_warning(
            out, LFD_WARN_NO_SECRET, pair->follower,
            "%s (ocf:leapfrog:%s) runs without a secret "
            "(allow_no_secret=true): %s; give both servers of the "
            "pair the same secret_file, on every node",
            lfd_xml_attr(prims[i], "id"), lfd_xml_attr(prims[i], "type"),
            enqueue ? "it lets every client and replication server "
                      "in without a challenge"
                    : "it can follow only an enqueue server that "
                      "lets everyone in");
    }
}

void
lfd_warn_configuration(const struct lfd_facts *facts,
                       struct lfd_result_builder *out)
{
    if (out->result->npairs == 0) {
        return;
    }
    warn_fencing(facts, out);
    warn_fence_delay(facts, out);
    for (size_t i = 0; i < out->result->npairs && !out->nomem; i++) {
        const struct lfd_pair *pair = &out->result->pairs[i];
        xmlNode *f_rsc = lfd_facts_resource(facts, pair->follower);
        xmlNode *p_rsc = lfd_facts_resource(facts, pair->partner);

        warn_left_over_moves(facts, out, pair, f_rsc, p_rsc);
        warn_secrets(facts, out, pair, f_rsc, p_rsc);
    }
}

void
lfd_warn_conflicts(const struct lfd_facts *facts,
                   struct lfd_result_builder *out)
{
    for (size_t i = 0; i < out->result->npairs && !out->nomem; i++) {
        struct lfd_pair *pair = &out->result->pairs[i];

        for (size_t k = 0; k < lfd_nkinds; k++) {
            char id[512];
            xmlNode *n;

            lfd_ours_make_id(id, sizeof(id), pair->follower, lfd_kinds[k]);
            n = g_hash_table_lookup(facts->foreign, id);
            if (n == NULL) {
                continue;
            }
            if (pair->conflict == NULL) {
                pair->conflict = lfd_result_strdup(out, id);
            }
            lfd_result_add_warning(
                out, LFD_WARN_ID_CONFLICT, pair->follower,
                "%s %s is not leapfrogd's (not of its shape) but "
                "has an id pair %s needs: leapfrogd writes none of "
                "the pair's constraints and leaves them as they "
                "are; rename or delete that element (leapfrogd "
                "then writes its own)",
                (const char *)n->name, id, pair->follower);
        }
    }
}

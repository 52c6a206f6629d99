/*
 * lfd_facts.h - the facts about the cluster a derivation decides on, read
 * from the CIB once: its resources and leapfrogd's elements among the
 * constraints (indexed, so that the cost grows with the size of the CIB
 * and not with pairs times the size of the CIB), where each resource runs,
 * whether the status is settled, which nodes are eligible, the cluster
 * properties.
 */
#ifndef LFD_FACTS_H
#define LFD_FACTS_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

struct lfd_facts {
    xmlNode *cib;
    xmlXPathContext *xpath;
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
    /* From the status section (lfd_facts_read_status()): */
    int online;       /* online node_states */
    bool dc_online;   /* the DC is among them */
    bool lrm_missing; /* one of them has no resource history yet */
    bool in_flight;   /* a start, stop or probe has not finished */
};

/* Where F and P run; a group still starting there is "partial". */
struct lfd_placement {
    const char *f;
    const char *p;
    bool f_partial;
    bool p_partial;
};

/*!
 * \brief Index the configuration of a CIB.
 *
 * \param[out] facts  release with lfd_facts_free() (unless false)
 * \param[in]  cib    a whole CIB (the <cib> element), which must outlive
 *                    facts: the indexes point into it
 *
 * \return false when out of memory
 */
bool lfd_facts_init(struct lfd_facts *facts, xmlNode *cib);

/*! \brief Read the status section too (what placement decisions need). */
void lfd_facts_read_status(struct lfd_facts *facts);

void lfd_facts_free(struct lfd_facts *facts);

/*!
 * \brief Evaluate an XPath expression on the CIB.
 *
 * \return the result, with a node set (the caller frees it with
 *         xmlXPathFreeObject()), or NULL
 */
xmlXPathObject *lfd_facts_query(const struct lfd_facts *facts,
                                const char *expr);

/*! \brief The top-level resource of this id (NULL for NULL), or NULL. */
xmlNode *lfd_facts_resource(const struct lfd_facts *facts, const char *id);

/*!
 * \brief The element of ours with this id in the CIB, or NULL.
 *
 * \param[out] parent  its resource's id when it is a set of meta
 *                     attributes, else NULL
 */
xmlNode *lfd_facts_owned(const struct lfd_facts *facts, const char *id,
                         const char **parent);

/*! \brief A meta attribute of rsc set by the administrator (leapfrogd's
 *         are skipped), or NULL. */
const char *lfd_facts_user_meta(xmlNode *rsc, const char *name);

/*! \brief Does a meta attribute of the administrator's declare rsc a
 *         follower (leapfrog-follows)? */
bool lfd_facts_declares(xmlNode *rsc);

/*!
 * \brief The primitives of a resource: itself, or a group's members.
 *
 * \param[out] out  up to max of them
 *
 * \return how many
 */
size_t lfd_facts_primitives(xmlNode *rsc, xmlNode **out, size_t max);

/*!
 * \brief The node attribute an ocf:leapfrog:enqueue primitive of rsc
 *        publishes where it runs ("leapfrog-<instance>-locks").
 *
 * \return false when rsc has no such primitive
 */
bool lfd_facts_enqueue_marker(xmlNode *rsc, char *out, size_t size);

/*! \brief Why the status section is not settled enough to act on (no DC,
 *         an operation in flight, ...), or NULL. */
const char *lfd_facts_unsettled(const struct lfd_facts *facts);

/*!
 * \brief Where a pair's F and P run, once that is known: every online
 *        node has probed their primitives, and none is active on several
 *        nodes (the scheduler sorts that out first).
 *
 * \param[out] at  where they run (NULL: stopped)
 *
 * \return NULL, or why it is not known
 */
const char *lfd_facts_placement(const struct lfd_facts *facts, xmlNode *f_rsc,
                                xmlNode *p_rsc, struct lfd_placement *at);

/*! \brief How many nodes rsc could run on: online, not in standby, not
 *         banned by a constraint of somebody else's. */
int lfd_facts_eligible_nodes(const struct lfd_facts *facts, const char *rsc);

/*! \brief The id of a constraint of somebody else's that ties F and P
 *         together (a colocation or order of the two), or NULL. */
const char *lfd_facts_tie(const struct lfd_facts *facts, const char *f,
                          const char *p);

/*!
 * \brief A cluster property, as Pacemaker reads it: the set
 *        cib-bootstrap-options first, then the others in order (rules on
 *        a set are not evaluated).
 *
 * \return its value, or NULL when not set
 */
const char *lfd_facts_cluster_property(const struct lfd_facts *facts,
                                       const char *name);

#endif

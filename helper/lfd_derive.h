/*
 * lfd_derive.h - what the constraints of every declared pair should be,
 * from the CIB alone: XML in, a list of changes out, no I/O, so it can be
 * tested on saved CIBs.
 *
 * A pair is declared by the meta attributes leapfrog-follows (on F, the
 * id of P) and leapfrog-survivor (F's id, P's id or "none"; default F).
 * For each pair leapfrogd owns these elements, all with ids starting
 * "leapfrog-<F>-":
 *
 *   -meta    meta_attributes of F: resource-stickiness 5000,
 *            migration-threshold 1 (score 1000: they take precedence);
 *            priority 10 when F survives (survivor F or none), else 0
 *   -pmeta   meta_attributes of P: resource-stickiness 0; priority 10
 *            when P survives, else 0 (the fence race of a two-node split)
 *   -follow  location F on node(P), 2000: F follows P
 *   -push    colocation P with F, -5000, influence false: F pushes P away
 *   -order   order start F then stop P, Optional, not symmetrical
 *   -avoid   location P on node(F), -INFINITY: P never joins F;
 *            survivor=none on two nodes or fewer: +5000 everywhere but
 *            on node(F), so P may join F on the last node; one top-level
 *            rule (nested ones for an "or"), as pacemaker-4.0 requires
 *   -yield   location F on node(P), -INFINITY: survivor=P, one node left
 *   -fresh   location rule on P, +100 where P has no fail-count
 *
 * An element is leapfrogd's when it has one of these ids and the shape
 * leapfrogd gives it (lfd_element_ours()); another element with such an id
 * is somebody else's and never rewritten or deleted.
 */
#ifndef LFD_DERIVE_H
#define LFD_DERIVE_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#define LFD_ID_PREFIX "leapfrog-"

/* The longest follower id of a pair, and the longest id leapfrogd
 * handles: its own for such a follower and the pieces of an upgrade. */
#define LFD_RSC_MAX 255
#define LFD_ID_MAX 400

/* `cibadmin --upgrade` to the pacemaker-4.0 schema splits a location with
 * several top-level rules into locations "pcmk__3_10_upgrade-<id>-<n>";
 * earlier versions of leapfrogd wrote -avoid with two. */
#define LFD_UPGRADE_PREFIX "pcmk__3_10_upgrade-"
#define LFD_UPGRADE_PIECES 2

/* The kinds of element a pair owns, in the order they are written; their
 * ids are "leapfrog-<F>-<kind>". */
extern const char *const lfd_kinds[];
extern const size_t lfd_nkinds;

enum lfd_op {
    LFD_CREATE,
    LFD_REPLACE,
    LFD_DELETE,
};

struct lfd_change {
    enum lfd_op op;
    char *pair;       /* the pair's follower F */
    char *id;         /* the element's id */
    char *parent;     /* resource id for meta_attributes; NULL: constraint */
    char *parent_tag; /* "primitive" or "group", with parent */
    xmlNode *xml;     /* desired element (CREATE, REPLACE); owned */
    bool makes_room;  /* a DELETE that frees its id for the CREATE of the
                       * same id (a set moving to the pair's new partner):
                       * ordered before every write, as ids are unique */
    bool failed;      /* set by the writer when the write failed */
};

struct lfd_pair {
    char *follower; /* F */
    char *partner;  /* P (may be NULL in an invalid declaration) */
    char *survivor; /* "F id", "P id" or "none" */
    char *node_f;   /* where F runs, or NULL */
    char *node_p;   /* where P runs, or NULL */
    int eligible;   /* nodes where P could run */
    char *error;    /* why the pair is left alone, or NULL */
    char *conflict; /* an id of the pair's held by an element that is not
                     * leapfrogd's: nothing of the pair is written */
    bool current;   /* its constraints are already as derived */
};

/* What makes the pair's guarantees weaker than the contract says: its
 * health check (leapfrogd --status) and the daemon's log report these. */
enum lfd_warning_kind {
    LFD_WARN_NO_FENCING,     /* stonith-enabled (fencing-enabled) false */
    LFD_WARN_NO_FENCE_DELAY, /* two nodes, no priority-fencing-delay */
    LFD_WARN_LEFT_OVER_MOVE, /* a cli-prefer-/cli-ban- location on the pair */
    LFD_WARN_NO_SECRET,      /* a leapfrog server without secret_file */
    LFD_WARN_ID_CONFLICT,    /* somebody else's element has an id of ours */
};

struct lfd_warning {
    enum lfd_warning_kind kind;
    char *pair; /* the pair's F, or NULL for the whole cluster */
    char *text; /* one line, without a "warning: " prefix */
};

struct lfd_result {
    bool settled;    /* false: status incomplete, changes empty */
    char *unsettled; /* why not settled */
    struct lfd_pair *pairs;
    size_t npairs;
    struct lfd_change *changes;
    size_t nchanges;
    struct lfd_warning *warnings; /* from the configuration alone: present
                                   * whether settled or not; none while no
                                   * pair is declared */
    size_t nwarnings;
};

/*!
 * \brief Derive the changes that make the CIB's leapfrog elements what
 *        the declared pairs need.
 *
 * \param[in]  cib  a whole CIB (the <cib> element)
 * \param[out] out  the result; release with lfd_result_free()
 *
 * \return 0, or ENOMEM
 */
int lfd_derive(xmlNode *cib, struct lfd_result *out);

/*!
 * \brief The changes that delete every element of pair F (leapfrogd
 *        --remove): its elements and the pieces an upgrade split one
 *        into, found in the CIB; an element with one of its ids that is
 *        not leapfrogd's is left out and gets a warning.
 *
 * \param[in]  cib  a whole CIB
 * \param[in]  f    the pair's follower, a valid id (lfd_id_valid())
 * \param[out] out  changes (all LFD_DELETE) and warnings; release with
 *                  lfd_result_free()
 *
 * \return 0, or ENOMEM
 */
int lfd_derive_removal(xmlNode *cib, const char *f, struct lfd_result *out);

/*!
 * \brief Is this element leapfrogd's: an id "leapfrog-<F>-<kind>" and the
 *        shape leapfrogd writes for that kind (in any of its versions)?
 *
 * \param[in] node  an element of the CIB, in its document (the shape of
 *                  -meta includes its parent)
 */
bool lfd_element_ours(const xmlNode *node);

/*!
 * \brief Is this a valid id by the CIB's rules (an XML NCName, the type
 *        ID of the schema: no quote, bracket, space or colon), at most
 *        LFD_ID_MAX characters?
 */
bool lfd_id_valid(const char *id);

/*!
 * \brief Is this text among the result's warnings?
 *
 * \param[in] result  a result of lfd_derive()
 * \param[in] text    a warning's text
 */
bool lfd_result_warns(const struct lfd_result *result, const char *text);

void lfd_result_free(struct lfd_result *result);

/*! \brief "create", "replace" or "delete". */
const char *lfd_op_str(enum lfd_op op);

#endif

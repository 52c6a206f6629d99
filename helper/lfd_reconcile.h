/*
 * lfd_reconcile.h - comparing what a pair needs with what the CIB holds,
 * and turning the difference into changes: only real changes are
 * written, and only leapfrogd's own elements (and nvpairs) are rewritten
 * or deleted.
 */
#ifndef LFD_RECONCILE_H
#define LFD_RECONCILE_H

#include <libxml/tree.h>

#include "lfd_derive.h"
#include "lfd_facts.h"
#include "lfd_result.h"

/*!
 * \brief Compare one desired element of the pair (or its absence) with
 *        the CIB, and add the changes that make it so; what an upgrade
 *        split an earlier form of it into goes once it is written (or
 *        once it is not wanted at all). Clears pair->current on a change.
 *
 * \param[in] kind    one of lfd_kinds
 * \param[in] parent  the resource of a set of meta attributes, or NULL
 * \param[in] want    the desired element (owned from now on), or NULL
 */
void lfd_reconcile(const struct lfd_facts *facts,
                   struct lfd_result_builder *out, struct lfd_pair *pair,
                   const char *kind, const char *parent, xmlNode *want);

/*!
 * \brief Delete element n of ours (of pair F, id id); of a set that holds
 *        somebody else's meta attributes too, only leapfrogd's nvpairs.
 */
void lfd_reconcile_delete(const struct lfd_facts *facts,
                          struct lfd_result_builder *out, const char *pair,
                          const char *id, xmlNode *n, const char *parent);

/*!
 * \brief Delete the pieces an upgrade split the element of this id into.
 *
 * \return true when there were any
 */
bool lfd_reconcile_leftovers(const struct lfd_facts *facts,
                             struct lfd_result_builder *out, const char *pair,
                             const char *id);

/*! \brief Delete the elements of pairs that are no longer declared (the
 *         result's pairs), and what an upgrade split them into. */
void lfd_reconcile_undeclared(const struct lfd_facts *facts,
                              struct lfd_result_builder *out);

#endif

/*
 * lfd_policy.h - the pair policy: whether a declaration is sound, and
 * which elements a sound pair needs where F and P run now.
 */
#ifndef LFD_POLICY_H
#define LFD_POLICY_H

#include <stddef.h>

#include <libxml/tree.h>

#include "lfd_derive.h"
#include "lfd_facts.h"
#include "lfd_result.h"

/*!
 * \brief Check the declaration of the result's pair i (F is f_rsc): F
 *        and P exist and are primitives or groups, P is nobody else's
 *        partner and follows nothing, the survivor is F, P or none, no
 *        constraint of somebody else's ties them, a set of ours can move
 *        to a new partner. Sets the pair's error when not.
 *
 * \return P's resource, or NULL when the pair is left alone (refused, or
 *         an element of somebody else's holds one of its ids)
 */
xmlNode *lfd_policy_check(const struct lfd_facts *facts,
                          struct lfd_result_builder *out, size_t i,
                          xmlNode *f_rsc);

/*!
 * \brief Add the changes that make the elements of a sound pair what it
 *        needs, F and P placed as at says; fills in the pair's nodes,
 *        eligible count and whether it is current.
 */
void lfd_policy_pair(const struct lfd_facts *facts,
                     struct lfd_result_builder *out, struct lfd_pair *pair,
                     xmlNode *f_rsc, xmlNode *p_rsc,
                     const struct lfd_placement *at);

#endif

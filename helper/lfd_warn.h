/*
 * lfd_warn.h - what weakens the guarantees of the declared pairs
 * (lfd_warning_kind in lfd_derive.h), found in the configuration alone.
 */
#ifndef LFD_WARN_H
#define LFD_WARN_H

#include "lfd_facts.h"
#include "lfd_result.h"

/*!
 * \brief The warnings about the result's pairs: the cluster's first
 *        (fencing, the fence delay of two nodes), then each pair's (moves
 *        left over, servers without a secret). None while no pair is
 *        declared: there is no guarantee to weaken.
 */
void lfd_warn_configuration(const struct lfd_facts *facts,
                            struct lfd_result_builder *out);

/*!
 * \brief An element of somebody else's holds an id a declared pair needs
 *        (any of its kinds: what is not written today may be tomorrow):
 *        the pair gets its conflict set (nothing of it is written) and a
 *        warning.
 */
void lfd_warn_conflicts(const struct lfd_facts *facts,
                        struct lfd_result_builder *out);

#endif

/*
 * lfd_build.h - the elements leapfrogd writes for a pair, built as the
 * pair needs them (see lfd_derive.h for what each is for). Each returns a
 * new element outside any document, which the caller owns (NULL when out
 * of memory, or for lfd_build_fresh() when there is nothing to build).
 */
#ifndef LFD_BUILD_H
#define LFD_BUILD_H

#include <stddef.h>

#include <libxml/tree.h>

/*!
 * \brief -meta or -pmeta: a set of meta attributes, score 1000, with the
 *        nvpairs "<id>-<name>".
 *
 * \param[in] nv  name, value, name, value, ...: n strings
 */
xmlNode *lfd_build_meta(const char *id, const char *const *nv, size_t n);

/*! \brief A location of rsc on a node (-follow, -yield). */
xmlNode *lfd_build_location(const char *id, const char *rsc, const char *node,
                            const char *score);

/*! \brief -order: start F then stop P, Optional, not symmetrical. */
xmlNode *lfd_build_order(const char *id, const char *f, const char *p);

/*! \brief -push: P with F, -5000, influence false. */
xmlNode *lfd_build_push(const char *id, const char *p, const char *f);

/*!
 * \brief -fresh: +100 for P on every node where P has no fail-count for a
 *        recurring monitor.
 *
 * \return NULL when P has no recurring monitor
 */
xmlNode *lfd_build_fresh(const char *id, xmlNode *p_rsc);

/*!
 * \brief -avoid: -INFINITY for P on F's node (node_f, unless NULL), unless
 *        F has failed there; with a marker also wherever F's enqueue agent
 *        has published it.
 */
xmlNode *lfd_build_avoid(const char *id, const char *p, const char *node_f,
                         xmlNode *f_rsc, const char *marker);

/*!
 * \brief -avoid of survivor=none on two nodes or fewer: +5000 for P on
 *        every node but where F runs (where marker is defined, or else on
 *        node_f), and there too once F has failed there.
 */
xmlNode *lfd_build_share(const char *id, const char *p, const char *node_f,
                         xmlNode *f_rsc, const char *marker);

#endif

/*
 * lfd_diff.h - sorting the CIB's diff notifications (format-2 patchsets)
 * without libcib: which can change what a pair needs, and which a copy of
 * the CIB already holds.
 */
#ifndef LFD_DIFF_H
#define LFD_DIFF_H

#include <stdbool.h>

#include <libxml/tree.h>

/*!
 * \brief Could this patchset change what a pair needs? Configuration,
 *        membership, finished operations, fail-counts and standby can;
 *        version counters, operations only recorded as started and other
 *        transient attributes cannot.
 *
 * \param[in] diff  the <diff> element of a notification
 */
bool lfd_diff_relevant(xmlNode *diff);

/*!
 * \brief Does the copy already hold what this patchset leads to (by the
 *        version counters of the copy and of the diff's target)? A
 *        patchset sent before the copy was read arrives after it.
 *
 * \param[in] copy  a whole CIB (the <cib> element)
 * \param[in] diff  the <diff> element of a notification
 */
bool lfd_diff_in_copy(xmlNode *copy, xmlNode *diff);

#endif

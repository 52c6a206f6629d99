/*
 * lfd_result.h - building a struct lfd_result (lfd_derive.h): the pairs,
 * changes and warnings of a derivation, and the one out-of-memory flag
 * every stage sets instead of returning a code.
 */
#ifndef LFD_RESULT_H
#define LFD_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "lfd_derive.h"

struct lfd_result_builder {
    struct lfd_result *result;
    size_t pairs_cap;
    size_t changes_cap;
    size_t warnings_cap;
    bool nomem; /* something was lost: lfd_result_end() fails */
};

/*! \brief Start building into result, which is emptied. */
void lfd_result_begin(struct lfd_result_builder *out,
                      struct lfd_result *result);

/*!
 * \brief Done: 0, or ENOMEM when anything was lost on the way (the result
 *        is then released).
 */
int lfd_result_end(struct lfd_result_builder *out);

/*! \brief A copy of s (NULL for NULL), for the result. */
char *lfd_result_strdup(struct lfd_result_builder *out, const char *s);

/*!
 * \brief Add a change.
 *
 * \param[in] parent      the resource of a set of meta attributes, or NULL
 * \param[in] parent_tag  its element's name, with parent
 * \param[in] xml         the desired element (owned from now on), or NULL
 *
 * \return the change, or NULL when out of memory
 */
struct lfd_change *lfd_result_add_change(struct lfd_result_builder *out,
                                         enum lfd_op op, const char *pair,
                                         const char *id, const char *parent,
                                         const char *parent_tag, xmlNode *xml);

/*! \brief Add a declared pair; NULL when out of memory. */
struct lfd_pair *lfd_result_add_pair(struct lfd_result_builder *out,
                                     const char *f, const char *p,
                                     const char *survivor);

/*! \brief Why the pair is left alone (printf-style). */
void lfd_result_pair_error(struct lfd_result_builder *out,
                           struct lfd_pair *pair, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*!
 * \brief Add a warning (printf-style); the same text twice (two pairs
 *        sharing a server) once.
 *
 * \param[in] pair  the pair's F, or NULL for the whole cluster
 */
void lfd_result_add_warning(struct lfd_result_builder *out,
                            enum lfd_warning_kind kind, const char *pair,
                            const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*! \brief Drop every change (the cluster is not settled). */
void lfd_result_drop_changes(struct lfd_result_builder *out);

/*!
 * \brief Put the changes in the order they are written: deletions that
 *        make room for a create of their id first; then the writes, in
 *        the order of kinds (lfd_kinds); then the other deletions.
 */
void lfd_result_sort_changes(struct lfd_result_builder *out);

#endif

/*
 * lfd_ours.h - what is leapfrogd's: its ids ("leapfrog-<F>-<kind>") and
 * the shape it gives each kind of element (lfd_element_ours() in
 * lfd_derive.h is the public question; these are the pieces the
 * derivation asks about).
 */
#ifndef LFD_OURS_H
#define LFD_OURS_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

/* The fixed values of leapfrogd's elements: part of their shape. */
#define LFD_SCORE_FOLLOW "2000"
#define LFD_SCORE_PUSH "-5000"
#define LFD_SCORE_META "1000"

/*!
 * \brief The kind of an owned id "leapfrog-<F>-<kind>" (its index in
 *        lfd_kinds) and the length of F.
 *
 * \param[in]  id     an id, or NULL
 * \param[out] f_len  the length of F, when it is one of ours
 *
 * \return the kind, or -1 when it is not one of ours
 */
int lfd_ours_id_kind(const char *id, size_t *f_len);

/*!
 * \brief Which pair an owned id belongs to: "leapfrog-<F>-<kind>" -> F.
 *
 * \param[in]  id    an id, or NULL
 * \param[out] f     F, when it fits in size
 *
 * \return false when id is not one of ours or F does not fit
 */
bool lfd_ours_id_pair(const char *id, char *f, size_t size);

/*! \brief The id "leapfrog-<F>-<kind>", truncated to size. */
void lfd_ours_make_id(char *out, size_t size, const char *f, const char *kind);

/*! \brief Is this a meta attribute leapfrogd sets in -meta (follower) or
 *         in -pmeta? */
bool lfd_ours_meta_name(bool follower, const char *name);

/*! \brief Is nv leapfrogd's: in a set of ours, of a name it sets there? */
bool lfd_ours_nvpair(const xmlNode *nv);

/*! \brief Does a set of ours hold somebody else's meta attributes too? */
bool lfd_ours_set_has_others(const xmlNode *m);

/*!
 * \brief Is c a piece `cibadmin --upgrade` split a location of rules of
 *        ours into: "pcmk__3_10_upgrade-<id>-<n>", its rules those of
 *        <id>?
 *
 * \param[in]  c     a constraint
 * \param[in]  id    its id
 * \param[out] orig  <id> when it is one (the caller frees it with
 *                   g_free()), else NULL
 */
bool lfd_ours_upgrade_piece(const xmlNode *c, const char *id, char **orig);

#endif

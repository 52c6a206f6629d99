/*
 * lf_attr.h - transient node attributes through attrd, with the
 * attrd_updater command as ocf:pacemaker:attribute does. A small cache
 * file per attribute avoids running attrd_updater when nothing changed.
 */
#ifndef LF_ATTR_H
#define LF_ATTR_H

#include <stdbool.h>

/*!
 * \brief Set a transient (reboot-lifetime) attribute of this node.
 *
 * \param[in] cache  file remembering the last value set, or NULL
 * \param[in] force  update even when the cache says it is current
 *
 * \return 0, or an errno / attrd_updater exit status (logged, harmless)
 */
int lf_attr_set(const char *name, const char *value, const char *cache,
                bool force);

/*! \brief Delete the attribute and its cache file. */
int lf_attr_delete(const char *name, const char *cache);

#endif

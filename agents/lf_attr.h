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

/*!
 * \brief The same, with attrd's dampening: attrd knows the value at once
 *        (attrd_updater -Q, the other agents' queries, see it) but writes
 *        it to the CIB only once it has stayed the same for dampen_s
 *        seconds. For an attribute no constraint rule reads, that keeps
 *        its changes from aborting the transition under way (a failover)
 *        at the cost of crm_mon showing it that much later.
 *
 * \param[in] dampen_s  0: as lf_attr_set()
 */
int lf_attr_set_dampened(const char *name, const char *value, const char *cache,
                         bool force, unsigned dampen_s);

/*! \brief Delete the attribute and its cache file (with the dampening the
 *         attribute was given). */
int lf_attr_delete(const char *name, const char *cache);

/* Called for every node with a non-empty value: host, value, arg. */
typedef void (*lf_attr_cb)(const char *host, const char *value, void *arg);

/*!
 * \brief The attribute's value on every node (attrd_updater -Q -A).
 *
 * \return 0 (cb called for each node that has a value), or an errno /
 *         attrd_updater exit status
 */
int lf_attr_query_all(const char *name, lf_attr_cb cb, void *arg);

/*!
 * \brief Parse one line of attrd_updater's query output
 *        ('name="N" host="H" value="V"'), pure.
 *
 * \return true with host and value filled
 */
bool lf_attr_parse_line(const char *line, char *host, size_t host_size,
                        char *value, size_t value_size);

#endif

/*
 * lf_table.h - the lock table: named locks held by owners, exclusive or
 * shared. Used by the enqueue server (its table) and the replication
 * server (an index of its shared-memory copy; the tag of each hold is the
 * slot it occupies there).
 */
#ifndef LF_TABLE_H
#define LF_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "lf_lock.h"

/* What a lock or unlock request came to: outcomes, not failures (those
 * are the return codes of lf_rc.h). */
enum lf_table_outcome {
    LF_TABLE_GRANTED = 0,  /* lock: new hold recorded */
    LF_TABLE_HELD = 1,     /* lock: the owner already held it in that mode */
    LF_TABLE_CONFLICT = 2, /* lock: another owner holds it incompatibly */
    LF_TABLE_FULL = 3,     /* lock: the table is at its capacity */
    LF_TABLE_NOT_HELD = 4, /* unlock: the owner does not hold the lock */
    LF_TABLE_RELEASED = 5, /* unlock: the owner's hold is gone */
};

struct lf_table;

/* Called for every hold: key, owner, mode, tag, arg. */
typedef void (*lf_table_cb)(const char *key, const char *owner,
                            enum lf_lock_mode mode, uint32_t tag, void *arg);

/*!
 * \brief Create an empty table.
 *
 * \param[in] capacity  most holds it will accept (0: unlimited)
 *
 * \return the table (free with lf_table_free()), or NULL without memory
 */
struct lf_table *lf_table_new(size_t capacity);

void lf_table_free(struct lf_table *table);

/*! \brief Name an outcome ("granted", "conflict", ...). */
const char *lf_table_outcome_str(enum lf_table_outcome outcome);

/*!
 * \brief Take a lock. Keys and owners must already be valid
 *        (lf_lock_valid_key(), lf_lock_valid_owner()).
 *
 * \param[in]  tag      stored with a new hold
 * \param[out] outcome  when 0 is returned: LF_TABLE_GRANTED, LF_TABLE_HELD,
 *                      LF_TABLE_CONFLICT or LF_TABLE_FULL
 * \param[out] holder   on LF_TABLE_CONFLICT, an owner that holds the key
 *                      (points into the table); may be NULL
 *
 * \return 0, or ENOMEM (the table is unchanged, *outcome not set)
 */
int lf_table_lock(struct lf_table *table, const char *key, const char *owner,
                  enum lf_lock_mode mode, uint32_t tag,
                  enum lf_table_outcome *outcome, const char **holder);

/*!
 * \brief Release the owner's hold on key (this cannot fail).
 *
 * \param[out] tag  the released hold's tag; may be NULL
 *
 * \return LF_TABLE_RELEASED or LF_TABLE_NOT_HELD
 */
enum lf_table_outcome lf_table_unlock(struct lf_table *table, const char *key,
                                      const char *owner, uint32_t *tag);

/*!
 * \brief Release every hold of owner, calling cb (may be NULL) for each
 *        before it is freed.
 *
 * \return how many holds were released
 */
size_t lf_table_unlock_owner(struct lf_table *table, const char *owner,
                             lf_table_cb cb, void *arg);

/*!
 * \brief How many records the table's lookups have looked at since it was
 *        made (for tests and benchmarks: a request costs a few, whatever
 *        the table holds; growing the buckets is not counted).
 */
uint64_t lf_table_probes(const struct lf_table *table);

/*! \brief Number of holds (key, owner pairs). */
size_t lf_table_count(const struct lf_table *table);

/*! \brief Call cb for every hold, in no particular order. */
void lf_table_foreach(const struct lf_table *table, lf_table_cb cb, void *arg);

/*! \brief Release everything. */
void lf_table_clear(struct lf_table *table);

#endif

/*
 * lf_segment.h - the replica's shared-memory segment.
 *
 * The replication server (the writer) keeps a copy of the enqueue server's
 * lock table in the POSIX shared-memory segment "/leapfrog-<instance>",
 * mode 0600. An enqueue server starting on the same node adopts it when,
 * and only when, it is a complete, current copy: valid header and
 * checksums, this instance, state IN_SYNC or DISCONNECTED (in sync until
 * the enqueue server went away), its writer still running, heard from its
 * enqueue server no longer ago than the copy stays valid (after that the
 * enqueue server, if it still lives, may have served without it), and a
 * generation no older than the cluster has served. Every access holds
 * flock() on the segment, so an adopter never sees a half-applied change.
 *
 * Before its content is trusted at all, the opened segment must be the
 * adopter's own (it runs as the service user): a regular file owned by the
 * adopter's effective uid, mode 0600, with no other link, and its header
 * must name that same uid as its writer's. Anyone may create names in
 * /dev/shm, so a segment that fails this is refused as LF_SEG_FOREIGN and
 * left untouched for the administrator.
 */
#ifndef LF_SEGMENT_H
#define LF_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "lf_table.h"

#define LF_SEG_MAGIC 0x313047455346464cULL /* "LFFSEG01" little-endian */
#define LF_SEG_LAYOUT 2
#define LF_SEG_INSTANCE_MAX 63
#define LF_SEG_DIR "/dev/shm" /* where Linux keeps POSIX shared memory */

enum lf_seg_state {
    LF_SEG_SYNCING = 1,      /* being (re)filled: never adoptable */
    LF_SEG_IN_SYNC = 2,      /* connected and in sync */
    LF_SEG_DISCONNECTED = 3, /* was in sync when the stream ended */
    LF_SEG_STOPPED = 4,      /* the writer stopped while in sync */
    LF_SEG_ADOPTED = 5,      /* an enqueue server took it over */
    LF_SEG_STALE = 6,        /* its enqueue server stopped replicating to it */
};

struct lf_seg_header {
    uint64_t magic;
    uint32_t layout;
    uint32_t header_size;
    uint32_t slot_size;
    uint32_t state;    /* enum lf_seg_state */
    uint64_t capacity; /* slots after the header */
    uint64_t hwm;      /* slots [hwm, capacity) were never used */
    char instance[LF_SEG_INSTANCE_MAX + 1];
    uint64_t generation; /* of the enqueue server it was synced with */
    uint64_t seq;        /* last change applied */
    uint64_t nlocks;     /* used slots */
    uint64_t slots_sum;  /* sum of the used slots' hashes */
    int64_t writer_pid;
    uint64_t writer_start; /* start time of writer_pid, clock ticks */
    uint64_t header_sum;   /* hash of this header with this field 0 */
    int64_t heard_ms;      /* CLOCK_MONOTONIC: last word from the enqueue
                              server */
    uint64_t valid_ms;     /* a copy stays adoptable this long after it */
    /* The writer's effective uid. Layout 2 kept these bytes zero before
     * the field existed, so an older writer reads as uid 0: adoptable only
     * by an adopter running as root, as that writer did then. */
    uint32_t writer_uid;
    uint32_t reserved_pad;
    uint64_t refused_need; /* the enqueue server refused this replica as
                              too small: the locks it may hold (0: not) */
    uint8_t reserved[320];
};

struct lf_seg_slot {
    uint8_t used;
    uint8_t mode; /* enum lf_lock_mode */
    uint16_t key_len;
    uint16_t owner_len;
    uint16_t reserved;
    uint32_t reserved2;
    char key[LF_KEY_MAX + 1];
    char owner[LF_OWNER_MAX + 1];
    uint8_t pad[4];
};

/* Why a segment was not adopted. */
enum lf_seg_verdict {
    LF_SEG_OK = 0,
    LF_SEG_ABSENT,       /* no segment for this instance */
    LF_SEG_CORRUPT,      /* bad magic, sizes, checksum or entries */
    LF_SEG_WRONG_LAYOUT, /* written by another layout version */
    LF_SEG_WRONG_INSTANCE,
    LF_SEG_NOT_IN_SYNC,    /* syncing, stopped, stale or already adopted */
    LF_SEG_WRITER_GONE,    /* its replication server no longer runs */
    LF_SEG_OLD_GENERATION, /* older than the cluster has served */
    LF_SEG_NO_ROOM,        /* more locks than the table takes */
    LF_SEG_IO,             /* could not open, lock or map it */
    LF_SEG_EXPIRED,        /* lost its enqueue server too long ago */
    LF_SEG_CHANGED,        /* changed between loading and marking it */
    LF_SEG_FOREIGN,        /* not the adopter's own file, or written by
                              another user */
};

struct lf_seg_info {
    enum lf_seg_state state;
    uint64_t generation;
    uint64_t seq;
    uint64_t nlocks;
    pid_t writer_pid;
    uint64_t writer_start;
    int64_t heard_ms;
    uint64_t valid_ms;
    uint32_t writer_uid;   /* as its header says */
    uint64_t capacity;     /* slots */
    uint64_t refused_need; /* see struct lf_seg_header */
};

/*! \brief Explain a verdict in words. */
const char *lf_seg_verdict_str(enum lf_seg_verdict verdict);

/*! \brief Name of a state ("in-sync", ...). */
const char *lf_seg_state_str(uint32_t state);

/*!
 * \brief Check a segment image in memory (pure: no I/O). Checks the header,
 *        both checksums and every used slot; not the state or the writer.
 *
 * \param[in]  mem       the mapped segment
 * \param[in]  size      its size in bytes
 * \param[in]  instance  the instance it must belong to
 * \param[out] info      header fields, filled when the header is sound
 * \param[out] why       on failure, the detail (static string)
 */
enum lf_seg_verdict lf_seg_check(const void *mem, size_t size,
                                 const char *instance, struct lf_seg_info *info,
                                 const char **why);

/*!
 * \brief Load every used slot of a checked image into table (pure: no
 *        I/O). A table left without memory for the copy cannot take it,
 *        as one at its capacity cannot: both are LF_SEG_NO_ROOM.
 *
 * \param[out] why  on failure, the detail (static string)
 *
 * \return LF_SEG_OK, LF_SEG_CORRUPT (a duplicate hold) or LF_SEG_NO_ROOM
 *         (the table is full, or no memory); the table may hold part of
 *         the copy then
 */
enum lf_seg_verdict lf_seg_load(const void *mem, size_t size,
                                struct lf_table *table, const char **why);

/*! \brief The POSIX shm name of an instance's segment ("/leapfrog-X"). */
void lf_seg_name(const char *instance, char *out, size_t size);

/*!
 * \brief Is a copy described by info adoptable now (pure)? Its state is
 *        IN_SYNC or DISCONNECTED, it heard from its enqueue server no
 *        longer ago than valid_ms before now_ms, and its generation is at
 *        least min_generation. The writer's liveness is not checked here.
 *
 * \param[out] why  detail of a refusal
 */
enum lf_seg_verdict lf_seg_current(const struct lf_seg_info *info,
                                   uint64_t min_generation, int64_t now_ms,
                                   const char **why);

/*!
 * \brief Load the instance's segment into table (which must be empty) if
 *        it is a current copy (lf_seg_current()) whose writer still runs.
 *        The segment is not changed: lf_seg_mark_adopted() does that just
 *        before the enqueue server serves.
 *
 * \param[out] info  what the segment said (when it had a sound header)
 * \param[out] why   detail of a refusal
 */
enum lf_seg_verdict lf_seg_adopt(const char *instance, uint64_t min_generation,
                                 struct lf_table *table,
                                 struct lf_seg_info *info, const char **why);

/*!
 * \brief Mark the copy that lf_seg_adopt() loaded as ADOPTED, so it is
 *        never taken over twice; refused (LF_SEG_CHANGED) when the segment
 *        is no longer the copy that was loaded.
 */
enum lf_seg_verdict lf_seg_mark_adopted(const char *instance,
                                        const struct lf_seg_info *loaded);

/*!
 * \brief Read the header of the instance's segment without changing it
 *        (for monitors and tests), and tell whether its writer runs.
 *
 * \return LF_SEG_OK with info filled, or why it could not be read
 */
enum lf_seg_verdict lf_seg_peek(const char *instance, struct lf_seg_info *info,
                                bool *writer_running);

/* The writer's side (the replication server). */
struct lf_seg;

/*!
 * \brief Create or take over the instance's segment for writing, sized for
 *        capacity locks, and mark it SYNCING.
 *
 * All of its memory is allocated at once (posix_fallocate), so a
 * /dev/shm too small for it fails here, not later with SIGBUS.
 *
 * \return 0, EBUSY when another live writer owns it, ENOSPC when /dev/shm
 *         has no room for it, or another errno value
 */
int lf_seg_open_writer(const char *instance, uint64_t capacity,
                       struct lf_seg **seg);

/*! \brief Unmap and close; the segment itself stays. */
void lf_seg_close(struct lf_seg *seg);

/*! \brief Take / release the segment's lock around a set of changes. */
int lf_seg_begin(struct lf_seg *seg);
void lf_seg_end(struct lf_seg *seg);

/*! \brief Current state (call between begin and end). */
enum lf_seg_state lf_seg_state(const struct lf_seg *seg);

/*! \brief Set the state, and the generation and seq it refers to. */
void lf_seg_set_state(struct lf_seg *seg, enum lf_seg_state state);
void lf_seg_set_position(struct lf_seg *seg, uint64_t generation, uint64_t seq);

/*!
 * \brief Record when the enqueue server was last heard (CLOCK_MONOTONIC
 *        ms) and how long the copy stays adoptable after that.
 */
void lf_seg_set_heard(struct lf_seg *seg, int64_t heard_ms, uint64_t valid_ms);

/*!
 * \brief Record that the enqueue server refuses this replica as too small
 *        (need: the locks it may hold), or 0 once it is accepted.
 */
void lf_seg_set_refused(struct lf_seg *seg, uint64_t need);

/*! \brief The header as lf_seg_peek() would report it (between begin and
 *         end). */
void lf_seg_info(const struct lf_seg *seg, struct lf_seg_info *info);

/*! \brief Empty every slot (SYNCING first). */
void lf_seg_clear(struct lf_seg *seg);

/*!
 * \brief Store a hold in a free slot.
 *
 * \param[out] slot  the slot used, for lf_seg_remove()
 *
 * \return 0, ENOSPC when every slot is used, or EINVAL for a key or owner
 *         longer than a slot takes
 */
int lf_seg_insert(struct lf_seg *seg, const char *key, const char *owner,
                  enum lf_lock_mode mode, uint32_t *slot);

/*! \brief Free a slot that lf_seg_insert() returned. */
void lf_seg_remove(struct lf_seg *seg, uint32_t slot);

/*!
 * \brief Recompute both checksums of a segment image (for tests and the
 *        fuzzer, which build images by hand). Checks nothing.
 */
void lf_seg_reseal(void *mem, size_t size);

/*!
 * \brief Is the opened file st a segment its owner alone wrote: a regular
 *        file owned by uid, mode 0600, with one link (pure)?
 *
 * \param[out] why  detail of a refusal (static string)
 */
bool lf_seg_file_ok(const struct stat *st, uid_t uid, const char **why);

/*!
 * \brief Before a writer running as uid opens the instance's segment: move
 *        a segment that is not uid's own (lf_seg_file_ok(), or a symbolic
 *        link) aside to "/dev/shm/leapfrog-INSTANCE@aside-<owner>-<time>-<n>"
 *        (never deleted; left for the administrator). Run as root.
 *
 * \param[out] aside  the new name when one was moved ("" otherwise)
 * \param[out] why    why it was moved
 *
 * \return 0 (nothing to do, or moved), or an errno value
 */
int lf_seg_move_foreign(const char *instance, uid_t uid, char *aside,
                        size_t size, const char **why);

/*! \brief Size in bytes of a segment for capacity slots. */
size_t lf_seg_size(uint64_t capacity);

#endif

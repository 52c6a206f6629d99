/*
 * replicad.h - the replication server lf-replicad: keeps a synchronous copy
 * of an enqueue server's lock table in this node's shared memory.
 *
 *   replicad_main.c   options, start-up, privileges, daemon
 *   replicad_sync.c   connect, apply the snapshot and the change stream
 */
#ifndef REPLICAD_H
#define REPLICAD_H

#include <stdbool.h>
#include <stdint.h>

#include "lf_secret.h"
#include "lf_segment.h"
#include "lf_table.h"

struct rep_config {
    const char *instance;
    const char *enqueue_address;
    uint16_t port;
    const char *user;
    uint64_t capacity;
    int timeout_ms;   /* silence after which E counts as gone */
    const char *node; /* NULL: the host name */
};

struct rep_server {
    struct rep_config cfg;
    struct lf_secret secret;
    struct lf_seg *seg;
    struct lf_table *index; /* the holds in seg; tag = slot */
    char node[LF_OWNER_MAX + 1];
    int signal_fd;
    bool stopping;
    /* the stream being applied */
    uint64_t generation;
    uint64_t last_seq;
    uint64_t valid_ms; /* from the enqueue server's SNAPSHOT */
    /* a snapshot being received: it replaces the copy only once complete,
     * so the old copy stays adoptable until then */
    struct lf_table *stage;
    uint64_t stage_generation;
    uint64_t snap_expected;
    bool in_snapshot;
    bool synced;
    bool upload_requested; /* UPLOAD: a takeover wants our copy */
    uint64_t refused_need; /* refused as too small: it may hold this many */
    bool legacy_replica;   /* the enqueue server takes no capacity field */
    long long hb_sent_ms;
    char last_refusal[256]; /* the last refusal logged */
};

/*!
 * \brief Follow the enqueue server until asked to stop: connect, apply,
 *        reconnect with back-off.
 *
 * \return 0 after a clean stop
 */
int rep_sync_run(struct rep_server *rep);

/*! \brief Mark the segment for a clean stop (STOPPED when it was a copy). */
void rep_sync_stop(struct rep_server *rep);

/*!
 * \brief What the REPLICA line says about our copy: its generation, last
 *        change and lock count when it is current, else all 0 (pure).
 */
void rep_sync_describe(const struct lf_seg_info *info, bool ours,
                       long long now_ms, uint64_t *generation, uint64_t *seq,
                       uint64_t *count);

#endif

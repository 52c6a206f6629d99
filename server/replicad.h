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
    const char *pidfile;
    const char *logfile;
    const char *secretfile;
    bool foreground;
    uint64_t capacity;
    int timeout_ms; /* silence after which E counts as gone */
};

struct rep_server {
    struct rep_config cfg;
    struct lf_secret secret;
    struct lf_seg *seg;
    struct lf_table *index; /* the holds in seg; tag = slot */
    int signal_fd;
    bool stopping;
    /* the stream being applied */
    uint64_t generation;
    uint64_t last_seq;
    uint64_t snap_expected;
    uint64_t snap_received;
    bool in_snapshot;
    bool synced;
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

#endif

/*
 * Who may connect, and for how long. The slots are shared out so that a
 * full server still admits what keeps the cluster informed: the clients'
 * share (capped per address), a few slots reserved for connections from
 * this node (the agent's monitor: loopback or the server's own address),
 * and a few for a replica (a connection there must say REPLICA at once or
 * is closed; a new one takes the place of the oldest). The connection
 * limit stays below the descriptor limit, so accept() does not run out.
 * Timeouts close a connection that does not authenticate in time, or
 * sends no request for too long.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "enqueued.h"
#include "lf_log.h"
#include "lf_siphash.h"

#define PEER_BUCKETS 4096
#define CHECK_EVERY_MS 250
/* A connection closed by a timeout gets this long to take its error. */
#define KILL_GRACE_MS 1000

struct enq_peer {
    struct enq_peer *next;
    struct enq_addr addr;
    int count;
};

struct enq_peers {
    struct enq_peer *buckets[PEER_BUCKETS];
};

static struct enq_peer **
peer_slot(const struct enq_peers *peers, const struct enq_addr *addr)
{
    uint64_t h =
        lf_siphash13(lf_siphash_process_key(), addr->b, sizeof(addr->b));
    struct enq_peer **at =
        (struct enq_peer **)&peers->buckets[h % PEER_BUCKETS];

    while (*at != NULL
           && memcmp((*at)->addr.b, addr->b, sizeof(addr->b)) != 0) {
        at = &(*at)->next;
    }
    return at;
}

static int
peer_count(const struct enq_server *srv, const struct enq_addr *addr)
{
    const struct enq_peer *peer;

    if (srv->peers == NULL) {
        return 0;
    }
    peer = *peer_slot(srv->peers, addr);
    return peer != NULL ? peer->count : 0;
}

bool
enq_addr_loopback(const struct enq_addr *addr)
{
    static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0,    0,
                                         0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t one[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 0, 1};

    if (memcmp(addr->b, v4mapped, sizeof(v4mapped)) == 0) {
        return addr->b[12] == 127;
    }
    return memcmp(addr->b, one, sizeof(one)) == 0;
}

void
enq_addr_str(const struct enq_addr *addr, char *out, size_t size)
{
    static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0,    0,
                                         0, 0, 0, 0, 0xff, 0xff};
    char text[INET6_ADDRSTRLEN];

    if (memcmp(addr->b, v4mapped, sizeof(v4mapped)) == 0) {
        (void)inet_ntop(AF_INET, addr->b + 12, text, sizeof(text));
    } else {
        (void)inet_ntop(AF_INET6, addr->b, text, sizeof(text));
    }
    snprintf(out, size, "%s", text);
}

static int
clients_share(const struct enq_server *srv)
{
    return srv->max_conns - ENQ_RESERVE_LOCAL - ENQ_RESERVE_REPLICA;
}

enum enq_slot
enq_limits_admit(const struct enq_server *srv, const struct enq_addr *addr,
                 bool local, const char **why)
{
    bool room = srv->slots[ENQ_SLOT_GENERAL] < clients_share(srv);
    bool capped = peer_count(srv, addr) >= srv->cfg.per_address_max;

    if (room && !capped) {
        return ENQ_SLOT_GENERAL;
    }
    if (local && srv->slots[ENQ_SLOT_LOCAL] < ENQ_RESERVE_LOCAL) {
        return ENQ_SLOT_LOCAL;
    }
    /* A replica's slot, taking the oldest one's place when all are on
     * probation; one per address. */
    if (srv->slots[ENQ_SLOT_REPLICA] < ENQ_RESERVE_REPLICA && !capped) {
        bool mine = false;

        for (int i = 0; i < ENQ_RESERVE_REPLICA; i++) {
            const struct enq_conn *p = srv->probation[i];

            if (p != NULL && memcmp(p->peer.b, addr->b, sizeof(addr->b)) == 0) {
                mine = true;
            }
        }
        if (!mine) {
            return ENQ_SLOT_PROBATION;
        }
    }
    *why = capped ? "too many connections from this address"
                  : "too many connections";
    return ENQ_SLOT_NONE;
}

/* A place in the replica's reserve: a free one, or the oldest one on
 * probation, closed for it. */
static int
probation_index(struct enq_server *srv)
{
    int oldest = -1;

    if (srv->slots[ENQ_SLOT_PROBATION] + srv->slots[ENQ_SLOT_REPLICA]
        < ENQ_RESERVE_REPLICA) {
        for (int i = 0; i < ENQ_RESERVE_REPLICA; i++) {
            if (srv->probation[i] == NULL) {
                return i;
            }
        }
    }
    for (int i = 0; i < ENQ_RESERVE_REPLICA; i++) {
        if (srv->probation[i] != NULL
            && (oldest < 0
                || srv->probation[i]->accepted_ms
                       < srv->probation[oldest]->accepted_ms)) {
            oldest = i;
        }
    }
    if (oldest >= 0) {
        struct enq_conn *old = srv->probation[oldest];

        enq_conn_reply(srv, old,
                       "ERR BUSY the server is full; only a "
                       "replica is admitted");
        enq_conn_write_now(srv, old);
        enq_conn_kill(srv, old);
        srv->stats.refused++;
        enq_limits_release(srv, old);
    }
    return oldest;
}

static void
leave_probation(struct enq_server *srv, const struct enq_conn *conn)
{
    for (int i = 0; i < ENQ_RESERVE_REPLICA; i++) {
        if (srv->probation[i] == conn) {
            srv->probation[i] = NULL;
        }
    }
}

int
enq_limits_take(struct enq_server *srv, struct enq_conn *conn)
{
    struct enq_peer **at;

    if (conn->slot == ENQ_SLOT_PROBATION) {
        int i = probation_index(srv);

        if (i < 0) {
            return EBUSY;
        }
        srv->probation[i] = conn;
    }
    at = peer_slot(srv->peers, &conn->peer);
    if (*at == NULL) {
        *at = calloc(1, sizeof(**at));
        if (*at == NULL) {
            leave_probation(srv, conn);
            return ENOMEM;
        }
        (*at)->addr = conn->peer;
    }
    (*at)->count++;
    srv->slots[conn->slot]++;
    return 0;
}

void
enq_limits_move(struct enq_server *srv, struct enq_conn *conn,
                enum enq_slot slot)
{
    if (conn->slot == ENQ_SLOT_NONE || conn->slot == slot) {
        return;
    }
    leave_probation(srv, conn);
    srv->slots[conn->slot]--;
    conn->slot = slot;
    srv->slots[slot]++;
}

void
enq_limits_release(struct enq_server *srv, struct enq_conn *conn)
{
    struct enq_peer **at;

    if (conn->slot == ENQ_SLOT_NONE || srv->peers == NULL) {
        return;
    }
    leave_probation(srv, conn);
    srv->slots[conn->slot]--;
    conn->slot = ENQ_SLOT_NONE;
    if (conn->listing) {
        conn->listing = false;
        srv->lists--;
    }
    at = peer_slot(srv->peers, &conn->peer);
    if (*at != NULL && --(*at)->count == 0) {
        struct enq_peer *gone = *at;

        *at = gone->next;
        free(gone);
    }
}

/* Tell it why, and close it once that is written (or soon anyway). */
static void
time_out(struct enq_server *srv, struct enq_conn *conn, long long now,
         const char *why)
{
    char addr[64];

    enq_addr_str(&conn->peer, addr, sizeof(addr));
    lf_debug("closing connection %d from %s: %s", conn->fd, addr, why);
    enq_conn_reply(srv, conn, "ERR TIMEOUT %s", why);
    conn->closing = true;
    conn->kill_ms = now + KILL_GRACE_MS;
    srv->stats.timeouts++;
    enq_conn_update_events(srv, conn);
}

void
enq_limits_tick(struct enq_server *srv, long long now)
{
    char why[96];

    if (now - srv->limits_checked_ms < CHECK_EVERY_MS) {
        return;
    }
    srv->limits_checked_ms = now;
    for (struct enq_conn *c = srv->conns.all; c != NULL; c = c->next) {
        if (c->dead) {
            continue;
        }
        if (c->kill_ms != 0) {
            if (now >= c->kill_ms) {
                enq_conn_kill(srv, c);
            }
            continue;
        }
        if (c->slot == ENQ_SLOT_PROBATION
            && now - c->accepted_ms > ENQ_PROBATION_MS) {
            enq_conn_reply(srv, c,
                           "ERR BUSY the server is full; only a "
                           "replica is admitted");
            c->closing = true;
            c->kill_ms = now + KILL_GRACE_MS;
            enq_conn_update_events(srv, c);
        } else if (!c->authed && srv->cfg.auth_timeout_ms > 0
                   && now - c->accepted_ms > srv->cfg.auth_timeout_ms) {
            snprintf(why, sizeof(why), "no authentication within %d ms",
                     srv->cfg.auth_timeout_ms);
            time_out(srv, c, now, why);
        } else if (c->role == ENQ_CONN_CLIENT && c->wait_seq == 0
                   && srv->cfg.idle_timeout_ms > 0
                   && now - c->active_ms > srv->cfg.idle_timeout_ms) {
            snprintf(why, sizeof(why), "no request for %d ms",
                     srv->cfg.idle_timeout_ms);
            time_out(srv, c, now, why);
        }
    }
}

int
enq_limits_init(struct enq_server *srv)
{
    struct rlimit rl;
    long long want = (long long)srv->cfg.max_clients + ENQ_FD_SPARE;
    long long fit;

    srv->peers = calloc(1, sizeof(*srv->peers));
    if (srv->peers == NULL) {
        return ENOMEM;
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return errno;
    }
    if ((long long)rl.rlim_cur < want && rl.rlim_cur != RLIM_INFINITY) {
        struct rlimit raised = rl;

        raised.rlim_cur =
            (rl.rlim_max == RLIM_INFINITY || (long long)rl.rlim_max > want)
                ? (rlim_t)want
                : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
            rl = raised;
        }
    }
    fit = (rl.rlim_cur == RLIM_INFINITY)
              ? want
              : (long long)rl.rlim_cur - ENQ_FD_SPARE;
    srv->max_conns = srv->cfg.max_clients;
    if (fit < srv->max_conns) {
        srv->max_conns = (int)(fit > 0 ? fit : 0);
        lf_notice("at most %d connections: the descriptor limit is %llu "
                  "(raise it, e.g. LimitNOFILE, for the %d of -c)",
                  srv->max_conns, (unsigned long long)rl.rlim_cur,
                  srv->cfg.max_clients);
    }
    if (srv->max_conns <= ENQ_RESERVE_LOCAL + ENQ_RESERVE_REPLICA) {
        lf_err("%d connections leave no slot for clients beside the %d "
               "reserved for this node's monitor and a replica (-c, or the "
               "descriptor limit %llu)",
               srv->max_conns, ENQ_RESERVE_LOCAL + ENQ_RESERVE_REPLICA,
               (unsigned long long)rl.rlim_cur);
        return EMFILE;
    }
    return 0;
}

void
enq_limits_fini(struct enq_server *srv)
{
    if (srv->peers == NULL) {
        return;
    }
    for (size_t b = 0; b < PEER_BUCKETS; b++) {
        while (srv->peers->buckets[b] != NULL) {
            struct enq_peer *gone = srv->peers->buckets[b];

            srv->peers->buckets[b] = gone->next;
            free(gone);
        }
    }
    free(srv->peers);
    srv->peers = NULL;
}

/*
 * enqueued.h - the enqueue server lf-enqueued: a lock table served over
 * TCP, replicated synchronously to one replication server.
 *
 * Calls run one way, top to bottom:
 *
 *   enqueued_main.c      options, start-up order, privileges, daemon
 *   enqueued_loop.c      the epoll loop: accepts, reads, signals, timers;
 *                        runs the connections that have work, releases
 *                        the closed ones
 *   enqueued_takeover.c  where the table comes from at start: this node's
 *                        replica segment, or an in-sync replica over the
 *                        network; the generation record
 *   enqueued_request.c   client requests (LOCK, UNLOCK, LIST, ...)
 *   enqueued_repl.c      the replica: snapshot, change stream, acks,
 *                        replies parked until acknowledged, the hold
 *                        after losing it
 *   enqueued_conn.c      connections: output, flushing, waking, closing
 *                        (freed only at the end of a loop turn)
 *   enqueued_limits.c    who may connect (slots, reserves, a cap per
 *                        address), the descriptor budget, the timeouts
 *
 * The lock table contract (doc/protocol.md): a plain "OK" to a change
 * means the change is in the memory of two nodes; anything else says so
 * ("UNREPLICATED OK", or "ERR NOREPLICA" while changes are held back).
 */
#ifndef ENQUEUED_H
#define ENQUEUED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lf_auth.h"
#include "lf_buf.h"
#include "lf_proto.h"
#include "lf_secret.h"
#include "lf_table.h"

struct enq_peers;

#define ENQ_CLIENT_OUT_MAX (64u * 1024 * 1024)
#define ENQ_REPLICA_OUT_MAX (512u * 1024 * 1024)
#define ENQ_IN_MAX (16u * 1024)
#define ENQ_REPLICA_IN_MAX (64u * 1024 * 1024) /* an uploaded copy */
#define ENQ_PARKED_MAX 64
/* Slots beyond the clients' share: a full server still admits the agent's
 * monitor from this node and a replica. */
#define ENQ_RESERVE_LOCAL 4
#define ENQ_RESERVE_REPLICA 2
/* A connection in a replica's slot must say REPLICA within this time. */
#define ENQ_PROBATION_MS 2000
/* Descriptors kept for everything but connections. */
#define ENQ_FD_SPARE 32
/* LIST replies being written at once, server-wide (each may hold the
 * whole table's text). */
#define ENQ_LISTS_MAX 4

/* What the server does when it loses its in-sync replica. */
enum enq_loss_policy {
    ENQ_LOSS_HOLD = 0, /* hold changes back until a replica is in sync,
                          the cluster confirms the replica gone, or the
                          hold time (longer than fencing takes) passed */
    ENQ_LOSS_SERVE,    /* availability first: serve unreplicated at once */
};

struct enq_config {
    const char *instance;
    const char *address; /* NULL: every address */
    uint16_t port;
    const char *user; /* NULL: stay who we are */
    const char *statedir;
    uint64_t capacity;      /* most locks held at once */
    int replica_timeout_ms; /* silence after which the replica is lost */
    int max_clients;        /* most connections, reserves included */
    int per_address_max;    /* most connections from one address */
    int auth_timeout_ms;    /* to complete AUTH (with a secret); 0: none */
    int idle_timeout_ms;    /* without a complete request; 0: none */
    enum enq_loss_policy loss_policy;
    int hold_ms;             /* the hold after losing the replica */
    int takeover_wait_ms;    /* 0: no network takeover expected */
    uint64_t min_generation; /* the cluster has served this one */
    const char *node;        /* NULL: the host name */
};

enum enq_replica_state {
    ENQ_REPLICA_NONE = 0,
    ENQ_REPLICA_SYNCING,
    ENQ_REPLICA_IN_SYNC,
};

/* How a change is answered right now. */
enum enq_write_mode {
    ENQ_WRITE_REPLICATED,   /* parked until the replica acknowledges */
    ENQ_WRITE_UNREPLICATED, /* "UNREPLICATED OK" */
    ENQ_WRITE_HELD_BACK,    /* refused: "ERR NOREPLICA" */
};

enum enq_conn_role {
    ENQ_CONN_CLIENT = 0,
    ENQ_CONN_REPLICA, /* the replica, or a former one being closed */
};

/* Which share of the connection slots a connection holds. */
enum enq_slot {
    ENQ_SLOT_NONE = 0,  /* refused */
    ENQ_SLOT_GENERAL,   /* the clients' share */
    ENQ_SLOT_LOCAL,     /* reserved: from this node (loopback, own address) */
    ENQ_SLOT_PROBATION, /* reserved for a replica: REPLICA, or out */
    ENQ_SLOT_REPLICA,   /* said REPLICA */
    ENQ_SLOT_COUNT,
};

/* A peer address as 16 bytes (IPv4 mapped into IPv6). */
struct enq_addr {
    uint8_t b[16];
};

struct enq_conn {
    int fd;
    struct lf_buf in;
    struct lf_buf out;  /* lines queued, not yet sealed */
    struct lf_buf wire; /* sealed, or sent as they are, being written */
    bool authed;
    enum lf_auth_role auth_role;
    struct lf_session session; /* on after AUTH: every line has its MAC */
    enum enq_conn_role role;
    bool closing;      /* close once out is flushed */
    bool dead;         /* closed: released at the end of the loop turn */
    bool runnable;     /* in the run list: has input or a released reply */
    uint32_t events;   /* what epoll watches for now */
    bool queued_write; /* in the list of replies to flush */
    char nonce[LF_NONCE_HEX + 1];
    enum enq_slot slot;
    struct enq_addr peer;
    long long accepted_ms;
    long long active_ms; /* last complete request */
    long long kill_ms;   /* closing after a timeout: gone by then */
    uint64_t capacity;   /* REPLICA: the locks it takes (0: not said) */
    bool listing;        /* a LIST reply is being written */
    /* a reply held back until the replica acknowledges change wait_seq */
    uint64_t wait_seq;
    char parked[ENQ_PARKED_MAX];
    struct enq_conn *next_waiting;
    struct enq_conn *next_run, *next_dead;
    struct enq_conn *prev, *next; /* all connections */
};

/* The connections' bookkeeping, owned by enqueued_conn.c. */
struct enq_conns {
    struct enq_conn *all;
    int count;
    struct enq_conn *run_head, *run_tail;
    struct enq_conn *dead;
    struct enq_conn *graveyard;
    struct enq_conn **pending; /* replies to flush at the end of a turn */
    size_t npending;
    size_t pending_cap;
};

struct enq_stats {
    uint64_t ops;          /* requests served */
    uint64_t refused;      /* connections refused: no slot for them */
    uint64_t timeouts;     /* connections closed by a timeout */
    uint64_t pauses;       /* accepts paused for want of descriptors */
    uint64_t adopted;      /* locks taken over at start */
    uint64_t unreplicated; /* changes acknowledged with no replica in sync */
    uint64_t held_back;    /* changes refused while held back */
    uint64_t connections;
    uint64_t protocol_errors;
};

/* Where the table came from at start. */
enum enq_origin {
    ENQ_ORIGIN_EMPTY = 0, /* no current copy anywhere */
    ENQ_ORIGIN_LOCAL,     /* this node's replica segment */
    ENQ_ORIGIN_NETWORK,   /* an in-sync replica on another node */
};

enum enq_phase {
    ENQ_PHASE_TAKEOVER = 0, /* waiting for a replica's copy; not serving */
    ENQ_PHASE_SERVING,
};

struct enq_server {
    struct enq_config cfg;
    struct lf_secret secret;
    struct lf_table *table;
    char node[LF_OWNER_MAX + 1]; /* this node's name (uname) */
    int listen_fd;
    int epoll_fd;
    int signal_fd;
    bool stopping;
    enum enq_phase phase;
    enum enq_origin origin;
    uint64_t generation;
    uint64_t seq; /* last change numbered */
    long long started_ms;
    struct enq_conns conns;
    /* admission (enqueued_limits.c) */
    int max_conns; /* -c, within the descriptor limit */
    int slots[ENQ_SLOT_COUNT];
    struct enq_peers *peers;
    struct enq_conn *probation[ENQ_RESERVE_REPLICA];
    int lists;                  /* LIST replies being written */
    long long accept_resume_ms; /* accepts paused until then (0: not) */
    int accept_backoff_ms;
    long long limits_checked_ms;
    char refused_node[LF_OWNER_MAX + 1]; /* a replica refused, too small */
    uint64_t refused_capacity;
    /* the replica */
    struct enq_conn *replica;
    char replica_node[LF_OWNER_MAX + 1];
    bool refusal_logged; /* of a second replica, while this one lasts */
    enum enq_replica_state replica_state;
    bool replica_local; /* on this node: its copy does not count */
    uint64_t sync_seq;  /* seq whose ACK completes the snapshot */
    uint64_t acked_seq;
    long long replica_heard_ms;
    long long replica_sent_ms;
    long long hold_until_ms;                /* 0: no hold */
    struct enq_conn *wait_head, *wait_tail; /* parked, in seq order */
    /* a network takeover in progress */
    long long takeover_deadline_ms;
    struct enq_conn *uploader; /* or the replica without a copy, to attach */
    char uploader_node[LF_OWNER_MAX + 1];
    uint64_t upload_generation;
    uint64_t upload_expected;
    bool upload_done;
    bool takeover_failed;
    char takeover_why[160];
    struct enq_stats stats;
};

/* enqueued_loop.c */
/*!
 * \brief Make the event loop's signalfd and epoll set (with the listening
 *        socket).
 *
 * \return 0 or an errno value
 */
int enq_loop_init(struct enq_server *srv);
/*!
 * \brief Run until the takeover ends (phase SERVING, or takeover_failed)
 *        or a stop request, then return; with phase SERVING already set,
 *        run until a stop request.
 *
 * \return 0, or the errno value of a failed epoll_wait() (logged)
 */
int enq_loop_run(struct enq_server *srv);
void enq_loop_fini(struct enq_server *srv);

/* enqueued_takeover.c */
/*!
 * \brief Try this node's replica segment (the follow): on success the
 *        table holds the copy and srv->origin is ENQ_ORIGIN_LOCAL.
 */
void enq_takeover_local(struct enq_server *srv);
/*!
 * \brief A replica connected during the takeover with a copy described by
 *        msg (REPLICA ...): ask it to upload when the copy is current.
 *
 * \return true when the connection became the uploader
 */
bool enq_takeover_offer(struct enq_server *srv, struct enq_conn *conn,
                        const struct lf_msg *msg);
/*! \brief One line of an upload (SNAPSHOT, S, SYNC). */
void enq_takeover_line(struct enq_server *srv, const struct enq_conn *conn,
                       const struct lf_msg *msg);
/*! \brief A connection closed: an upload in progress starts over. */
void enq_takeover_conn_gone(struct enq_server *srv,
                            const struct enq_conn *conn);
/*! \brief The deadline of a network takeover; sets takeover_failed. */
void enq_takeover_tick(struct enq_server *srv, long long now);
/*!
 * \brief Choose this run's generation, record it, and mark a local copy
 *        adopted: the last steps before serving.
 *
 * \return 0 or an errno value (logged; the start fails): that of writing
 *         the generation file, or EIO, EPERM or ESTALE when the local copy
 *         cannot be marked adopted (unreadable, not ours, or no longer
 *         the copy that was loaded)
 */
int enq_takeover_finish(struct enq_server *srv);
const char *enq_origin_str(enum enq_origin origin);

/* enqueued_request.c */
void enq_request_line(struct enq_server *srv, struct enq_conn *conn,
                      const char *line, size_t len);

/* enqueued_repl.c */
/*! \brief Make conn the replica (node: where it runs) and send it a
 *         snapshot. */
void enq_repl_attach(struct enq_server *srv, struct enq_conn *conn,
                     const char *node);
void enq_repl_line(struct enq_server *srv, const struct enq_conn *conn,
                   const struct lf_msg *msg);
/*! \brief The replica is gone: hold changes back unless confirmed. */
void enq_repl_lost(struct enq_server *srv, const char *why, bool confirmed);
/*! \brief A connection was closed: forget it (the replica is lost). */
void enq_repl_conn_gone(struct enq_server *srv, struct enq_conn *conn);
void enq_repl_tick(struct enq_server *srv, long long now);
/*! \brief How a change is answered now. */
enum enq_write_mode enq_repl_write_mode(const struct enq_server *srv);
/*!
 * \brief Ship one change to the replica. When the replica is in sync, the
 *        client's reply is parked until the replica acknowledges it.
 *
 * \return true when the reply was parked
 */
bool enq_repl_change(struct enq_server *srv, struct enq_conn *client,
                     const char *change, const char *reply);
/*!
 * \brief Park reply until everything changed so far is acknowledged (an
 *        "already held" repeats a grant that may still be in flight).
 *
 * \return true when parked
 */
bool enq_repl_park_current(struct enq_server *srv, struct enq_conn *client,
                           const char *reply);
/*! \brief Begin a hold (after a takeover, until a replica is in sync). */
void enq_repl_hold(struct enq_server *srv, const char *why);
/*! \brief End the hold: the cluster confirms the replica is gone. */
void enq_repl_release_hold(struct enq_server *srv, const char *why);
const char *enq_repl_state_str(enum enq_replica_state state);
/*! \brief Seconds left of the hold (0: none). */
long long enq_repl_hold_left_s(const struct enq_server *srv);

/* enqueued_limits.c */
/*!
 * \brief Fit the connection limit into the descriptor limit (raising the
 *        soft limit towards the hard one when -c asks for more).
 *
 * \return 0, or EMFILE when too few descriptors are left (logged)
 */
int enq_limits_init(struct enq_server *srv);
void enq_limits_fini(struct enq_server *srv);
/*!
 * \brief Which slot a new connection from addr gets (ENQ_SLOT_NONE:
 *        refused, *why says so); pure but for the peer table's lookup.
 *
 * \param[in] local  from this node (loopback or the server's address)
 */
enum enq_slot enq_limits_admit(const struct enq_server *srv,
                               const struct enq_addr *addr, bool local,
                               const char **why);
/*!
 * \brief Count a connection in its slot and its address.
 *
 * \return 0, EBUSY when the probation slots are all taken, or ENOMEM
 *         (nothing is counted then)
 */
int enq_limits_take(struct enq_server *srv, struct enq_conn *conn);
/*! \brief Move a connection to another slot (a replica's). */
void enq_limits_move(struct enq_server *srv, struct enq_conn *conn,
                     enum enq_slot slot);
/*! \brief Its slot and address are free again. */
void enq_limits_release(struct enq_server *srv, struct enq_conn *conn);
/*! \brief Close connections past their deadlines (about twice a second). */
void enq_limits_tick(struct enq_server *srv, long long now);
/*! \brief Is addr a loopback address (127/8, ::1, ::ffff:127/104)? */
bool enq_addr_loopback(const struct enq_addr *addr);
/*! \brief addr as text. */
void enq_addr_str(const struct enq_addr *addr, char *out, size_t size);

/* enqueued_conn.c */
struct enq_conn *enq_conn_add(struct enq_server *srv, int fd);
/*! \brief Queue one reply line (a newline is added). */
void enq_conn_reply(struct enq_server *srv, struct enq_conn *conn,
                    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*!
 * \brief AUTH succeeded (its reply is queued): from the next line on,
 *        every line both ways carries its MAC.
 */
void enq_conn_begin_session(struct enq_server *srv, struct enq_conn *conn,
                            const uint8_t key[LF_SHA256_LEN],
                            enum lf_auth_role role, const char *cnonce);
/*! \brief Queue raw output already appended to conn->out. */
void enq_conn_want_write(struct enq_server *srv, struct enq_conn *conn);
/*! \brief The connection has work (input, or a released reply). */
void enq_conn_wake(struct enq_server *srv, struct enq_conn *conn);
/*! \brief Next connection with work, or NULL. */
struct enq_conn *enq_conn_next_runnable(struct enq_server *srv);
/*! \brief Is a connection waiting to be served or released? */
bool enq_conn_has_work(const struct enq_server *srv);
/*! \brief Close it at the end of this loop turn. */
void enq_conn_kill(struct enq_server *srv, struct enq_conn *conn);
/*! \brief Next closed connection to release, or NULL. */
struct enq_conn *enq_conn_next_dead(struct enq_server *srv);
/*! \brief Close its socket and free it once the loop turn ends. */
void enq_conn_release(struct enq_server *srv, struct enq_conn *conn);
/*! \brief Write every queued reply; a failed write kills the connection. */
void enq_conn_flush(struct enq_server *srv);
/*! \brief Write what the socket takes now (EPOLLOUT). */
void enq_conn_write_now(struct enq_server *srv, struct enq_conn *conn);
/*! \brief Watch for input unless parked or closing, output when queued. */
void enq_conn_update_events(struct enq_server *srv, struct enq_conn *conn);
/*! \brief Free the connections released in this loop turn. */
void enq_conn_bury(struct enq_server *srv);
/*! \brief Release and free every connection. */
void enq_conn_fini(struct enq_server *srv);

#endif

/*
 * enqueued.h - the enqueue server lf-enqueued: a lock table served over
 * TCP, replicated synchronously to one replication server.
 *
 *   enqueued_main.c     options, start-up order, privileges, daemon
 *   enqueued_loop.c     the epoll loop: accept, read, write, timers
 *   enqueued_request.c  client requests (LOCK, UNLOCK, LIST, ...)
 *   enqueued_repl.c     the replica: snapshot, change stream, acks
 *   enqueued_state.c    takeover of the replica segment, generation file
 */
#ifndef ENQUEUED_H
#define ENQUEUED_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lf_buf.h"
#include "lf_proto.h"
#include "lf_secret.h"
#include "lf_table.h"

#define ENQ_CLIENT_OUT_MAX (64u * 1024 * 1024)
#define ENQ_REPLICA_OUT_MAX (512u * 1024 * 1024)
#define ENQ_IN_MAX (16u * 1024)

struct enq_config {
    const char *instance;
    const char *address; /* NULL: every address */
    uint16_t port;
    const char *user; /* NULL: stay who we are */
    const char *statedir;
    const char *pidfile;
    const char *logfile;
    const char *secretfile;
    bool foreground;
    uint64_t capacity;      /* most locks held at once */
    int replica_timeout_ms; /* silence after which the replica is lost */
    int max_clients;
};

enum enq_replica_state {
    ENQ_REPLICA_NONE = 0,
    ENQ_REPLICA_SYNCING,
    ENQ_REPLICA_IN_SYNC,
};

struct enq_conn {
    int fd;
    struct lf_buf in;
    struct lf_buf out;
    bool authed;
    bool is_replica;
    bool closing;      /* close once out is flushed */
    uint32_t events;   /* what epoll watches for now */
    bool queued_write; /* in the loop's list of replies to flush */
    char nonce[LF_NONCE_HEX + 1];
    /* a reply held back until the replica acknowledges change wait_seq */
    uint64_t wait_seq;
    char parked[64];
    struct enq_conn *next_waiting;
    struct enq_conn *prev, *next; /* all connections */
};

struct enq_stats {
    uint64_t ops;          /* requests served */
    uint64_t adopted;      /* locks taken over at start */
    uint64_t unreplicated; /* changes made with no replica in sync */
    uint64_t connections;
    uint64_t protocol_errors;
};

struct enq_server {
    struct enq_config cfg;
    struct lf_secret secret;
    struct lf_table *table;
    int listen_fd;
    int epoll_fd;
    int signal_fd;
    bool stopping;
    uint64_t generation;
    uint64_t seq; /* last change numbered */
    long long started_ms;
    struct enq_conn *conns;
    int nconns;
    /* the replica */
    struct enq_conn *replica;
    enum enq_replica_state replica_state;
    uint64_t sync_seq; /* seq whose ACK completes the snapshot */
    uint64_t acked_seq;
    long long replica_heard_ms;
    long long replica_sent_ms;
    struct enq_conn *wait_head, *wait_tail; /* parked, in seq order */
    struct enq_stats stats;
};

/* enqueued_loop.c */
int enq_loop_init(struct enq_server *srv);
int enq_loop_run(struct enq_server *srv);
void enq_loop_fini(struct enq_server *srv);
void enq_conn_close(struct enq_server *srv, struct enq_conn *conn);
void enq_conn_want_write(struct enq_server *srv, struct enq_conn *conn);
void enq_conn_process(struct enq_server *srv, struct enq_conn *conn);

/* enqueued_request.c */
void enq_request_line(struct enq_server *srv, struct enq_conn *conn,
                      const char *line, size_t len);
void enq_reply(struct enq_server *srv, struct enq_conn *conn, const char *fmt,
               ...) __attribute__((format(printf, 3, 4)));

/* enqueued_repl.c */
void enq_repl_attach(struct enq_server *srv, struct enq_conn *conn);
void enq_repl_line(struct enq_server *srv, const struct enq_conn *conn,
                   const struct lf_msg *msg);
void enq_repl_lost(struct enq_server *srv, const char *why);
void enq_repl_tick(struct enq_server *srv, long long now);
/*!
 * \brief Ship one change to the replica. When the replica is in sync, the
 *        caller's reply is parked until the replica acknowledges it.
 *
 * \return true when the reply was parked
 */
bool enq_repl_change(struct enq_server *srv, struct enq_conn *client,
                     const char *change, const char *reply);
void enq_repl_forget_conn(struct enq_server *srv, struct enq_conn *conn);
const char *enq_repl_state_str(enum enq_replica_state state);

/* enqueued_state.c */
/*!
 * \brief Take over this node's replica segment if it is an in-sync copy,
 *        and choose this run's generation (recorded in the state
 *        directory).
 *
 * \return 0 or an errno value (the state directory is unusable)
 */
int enq_state_takeover(struct enq_server *srv);

#endif

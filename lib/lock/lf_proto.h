/*
 * lf_proto.h - the leapfrog wire protocol: one request or message per
 * line, fields separated by one space, documented in doc/protocol.md.
 * Parsing is pure (no I/O) so it can be unit-tested and fuzzed.
 */
#ifndef LF_PROTO_H
#define LF_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf_lock.h"

#define LF_PROTO_VERSION 3
#define LF_LINE_MAX 1024 /* longest line, without its newline */
#define LF_NONCE_HEX 32  /* hex digits of the greeting's nonce */
#define LF_DEFAULT_PORT 3200

enum lf_msg_type {
    /* client requests */
    LF_MSG_LOCK = 1,  /* LOCK key owner [X|S] */
    LF_MSG_UNLOCK,    /* UNLOCK key owner */
    LF_MSG_UNLOCKALL, /* UNLOCKALL owner */
    LF_MSG_LIST,      /* LIST */
    LF_MSG_COUNT,     /* COUNT */
    LF_MSG_STATS,     /* STATS */
    LF_MSG_PING,      /* PING */
    LF_MSG_AUTH,      /* AUTH role nonce proof */
    LF_MSG_REPLICA,   /* REPLICA instance node generation seq count
                         [capacity] */
    LF_MSG_QUIT,      /* QUIT */
    /* replication stream (both ways: a snapshot also goes up in a
     * takeover) */
    LF_MSG_SNAPSHOT,  /* SNAPSHOT generation count [valid_ms] */
    LF_MSG_SNAPENTRY, /* S mode key owner */
    LF_MSG_SYNC,      /* SYNC seq */
    LF_MSG_CHANGE,    /* C seq L mode key owner | U key owner | A owner */
    LF_MSG_HEARTBEAT, /* HB */
    LF_MSG_UPLOAD,    /* UPLOAD: send your copy up (a takeover) */
    LF_MSG_DROP,      /* DROP: your copy is no longer current */
    /* replication stream, replica to enqueue server */
    LF_MSG_ACK, /* ACK seq */
    LF_MSG_BYE, /* BYE: the replica stops; its copy is gone */
};

enum lf_change_op {
    LF_CHANGE_LOCK = 'L',
    LF_CHANGE_UNLOCK = 'U',
    LF_CHANGE_UNLOCKALL = 'A',
};

/* Why a line was refused; the reply code is lf_proto_err_code(). */
enum lf_proto_err {
    LF_PROTO_OK = 0,
    LF_PROTO_EMPTY,    /* empty line */
    LF_PROTO_TOOLONG,  /* longer than LF_LINE_MAX */
    LF_PROTO_BADCHAR,  /* control, non-ASCII or doubled space */
    LF_PROTO_UNKNOWN,  /* unknown command */
    LF_PROTO_ARGS,     /* wrong number of arguments */
    LF_PROTO_BADKEY,   /* key empty or too long */
    LF_PROTO_BADOWNER, /* owner empty or too long */
    LF_PROTO_BADMODE,  /* mode is not X or S */
    LF_PROTO_BADNUM,   /* a number does not parse */
};

struct lf_msg {
    enum lf_msg_type type;
    enum lf_change_op op;   /* LF_MSG_CHANGE */
    enum lf_lock_mode mode; /* LOCK, S, C L */
    const char *key;        /* points into buf */
    const char *owner;      /* points into buf */
    const char *arg;        /* AUTH role, REPLICA instance */
    const char *nonce;      /* AUTH: the client's nonce */
    const char *proof;      /* AUTH: the client's proof */
    const char *node;       /* REPLICA: the replica's node name */
    uint64_t num;           /* SNAPSHOT, REPLICA generation; SYNC/C/ACK seq */
    uint64_t count;         /* SNAPSHOT, REPLICA count */
    uint64_t seq;           /* REPLICA: the last change in its copy */
    uint64_t valid_ms;      /* SNAPSHOT: how long a lost copy stays valid */
    uint64_t capacity;      /* REPLICA: the locks its copy takes (0: not
                               said, a replica before 0.2) */
    char buf[LF_LINE_MAX + 1];
};

/*!
 * \brief Parse one line (without its newline; a trailing CR is ignored).
 *
 * \param[in]  line  the bytes, not necessarily NUL-terminated
 * \param[in]  len   their number
 * \param[out] msg   the parsed message; its pointers point into msg->buf
 *
 * \return enum lf_proto_err
 */
enum lf_proto_err lf_proto_parse(const char *line, size_t len,
                                 struct lf_msg *msg);

/*! \brief Short error code for an ERR reply ("SYNTAX", "TOOLONG", ...). */
const char *lf_proto_err_code(enum lf_proto_err err);

/*! \brief Human-readable description of a parse error. */
const char *lf_proto_err_str(enum lf_proto_err err);

/*!
 * \brief The value of field NAME in a STATS reply ("OK instance=x locks=3
 *        ..."), copied into out; "?" when the reply has no such field.
 *
 * \return true when the field was found
 */
bool lf_proto_stat_field(const char *reply, const char *name, char *out,
                         size_t size);

#endif

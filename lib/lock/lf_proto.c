#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_proto.h"
#include "lf_rc.h"

#define MAX_FIELDS 7

static const struct {
    const char *word;
    enum lf_msg_type type;
} commands[] = {
    {"LOCK", LF_MSG_LOCK},
    {"UNLOCK", LF_MSG_UNLOCK},
    {"UNLOCKALL", LF_MSG_UNLOCKALL},
    {"LIST", LF_MSG_LIST},
    {"COUNT", LF_MSG_COUNT},
    {"STATS", LF_MSG_STATS},
    {"PING", LF_MSG_PING},
    {"AUTH", LF_MSG_AUTH},
    {"REPLICA", LF_MSG_REPLICA},
    {"QUIT", LF_MSG_QUIT},
    {"SNAPSHOT", LF_MSG_SNAPSHOT},
    {"S", LF_MSG_SNAPENTRY},
    {"SYNC", LF_MSG_SYNC},
    {"C", LF_MSG_CHANGE},
    {"HB", LF_MSG_HEARTBEAT},
    {"ACK", LF_MSG_ACK},
    {"UPLOAD", LF_MSG_UPLOAD},
    {"DROP", LF_MSG_DROP},
    {"BYE", LF_MSG_BYE},
};

/* 0, LF_ERR_SYNTAX or LF_ERR_RANGE (more than 64 bits). */
static int
parse_u64(const char *s, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    if (*s < '0' || *s > '9') {
        return LF_ERR_SYNTAX;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0') {
        return (errno == ERANGE) ? LF_ERR_RANGE : LF_ERR_SYNTAX;
    }
    *out = v;
    return 0;
}

static enum lf_proto_err
parse_mode(const char *s, enum lf_lock_mode *mode)
{
    if (strcmp(s, "X") == 0) {
        *mode = LF_MODE_EXCLUSIVE;
    } else if (strcmp(s, "S") == 0) {
        *mode = LF_MODE_SHARED;
    } else {
        return LF_PROTO_BADMODE;
    }
    return LF_PROTO_OK;
}

static enum lf_proto_err
key_owner(struct lf_msg *msg, char *key, char *owner)
{
    if (!lf_lock_valid_key(key)) {
        return LF_PROTO_BADKEY;
    }
    if (!lf_lock_valid_owner(owner)) {
        return LF_PROTO_BADOWNER;
    }
    msg->key = key;
    msg->owner = owner;
    return LF_PROTO_OK;
}

static enum lf_proto_err
parse_change(struct lf_msg *msg, char **f, int n)
{
    if (n < 4 || parse_u64(f[1], &msg->num) != 0) {
        return (n < 4) ? LF_PROTO_ARGS : LF_PROTO_BADNUM;
    }
    if (strcmp(f[2], "L") == 0) {
        if (n != 6) {
            return LF_PROTO_ARGS;
        }
        enum lf_proto_err err;

        msg->op = LF_CHANGE_LOCK;
        err = parse_mode(f[3], &msg->mode);
        return (err != LF_PROTO_OK) ? err : key_owner(msg, f[4], f[5]);
    }
    if (strcmp(f[2], "U") == 0) {
        if (n != 5) {
            return LF_PROTO_ARGS;
        }
        msg->op = LF_CHANGE_UNLOCK;
        return key_owner(msg, f[3], f[4]);
    }
    if (strcmp(f[2], "A") == 0) {
        if (n != 4) {
            return LF_PROTO_ARGS;
        }
        msg->op = LF_CHANGE_UNLOCKALL;
        if (!lf_lock_valid_owner(f[3])) {
            return LF_PROTO_BADOWNER;
        }
        msg->owner = f[3];
        return LF_PROTO_OK;
    }
    return LF_PROTO_ARGS;
}

/* Argument checks per message type, after the fields are split. */
static enum lf_proto_err
parse_fields(struct lf_msg *msg, char **f, int n)
{
    enum lf_proto_err err;

    switch (msg->type) {
    case LF_MSG_LOCK:
        if (n != 3 && n != 4) {
            return LF_PROTO_ARGS;
        }
        msg->mode = LF_MODE_EXCLUSIVE;
        if (n == 4 && (err = parse_mode(f[3], &msg->mode)) != LF_PROTO_OK) {
            return err;
        }
        return key_owner(msg, f[1], f[2]);
    case LF_MSG_UNLOCK:
        return (n != 3) ? LF_PROTO_ARGS : key_owner(msg, f[1], f[2]);
    case LF_MSG_UNLOCKALL:
        if (n != 2) {
            return LF_PROTO_ARGS;
        }
        if (!lf_lock_valid_owner(f[1])) {
            return LF_PROTO_BADOWNER;
        }
        msg->owner = f[1];
        return LF_PROTO_OK;
    case LF_MSG_AUTH:
        if (n != 4) {
            return LF_PROTO_ARGS;
        }
        msg->arg = f[1];
        msg->nonce = f[2];
        msg->proof = f[3];
        return LF_PROTO_OK;
    case LF_MSG_REPLICA:
        if (n != 6 && n != 7) {
            return LF_PROTO_ARGS;
        }
        if (!lf_lock_valid_owner(f[2])) {
            return LF_PROTO_ARGS;
        }
        msg->arg = f[1];
        msg->node = f[2];
        if (parse_u64(f[3], &msg->num) != 0 || parse_u64(f[4], &msg->seq) != 0
            || parse_u64(f[5], &msg->count) != 0
            || (n == 7 && parse_u64(f[6], &msg->capacity) != 0)) {
            return LF_PROTO_BADNUM;
        }
        return LF_PROTO_OK;
    case LF_MSG_SNAPSHOT:
        if (n != 3 && n != 4) {
            return LF_PROTO_ARGS;
        }
        if (parse_u64(f[1], &msg->num) != 0 || parse_u64(f[2], &msg->count) != 0
            || (n == 4 && parse_u64(f[3], &msg->valid_ms) != 0)) {
            return LF_PROTO_BADNUM;
        }
        return LF_PROTO_OK;
    case LF_MSG_SNAPENTRY:
        if (n != 4) {
            return LF_PROTO_ARGS;
        }
        if ((err = parse_mode(f[1], &msg->mode)) != LF_PROTO_OK) {
            return err;
        }
        return key_owner(msg, f[2], f[3]);
    case LF_MSG_SYNC:
    case LF_MSG_ACK:
        if (n != 2) {
            return LF_PROTO_ARGS;
        }
        return (parse_u64(f[1], &msg->num) != 0) ? LF_PROTO_BADNUM
                                                 : LF_PROTO_OK;
    case LF_MSG_CHANGE:
        return parse_change(msg, f, n);
    default:
        return (n != 1) ? LF_PROTO_ARGS : LF_PROTO_OK;
    }
}

enum lf_proto_err
lf_proto_parse(const char *line, size_t len, struct lf_msg *msg)
{
    char *fields[MAX_FIELDS];
    int n = 0;
    char *p;

    memset(msg, 0, offsetof(struct lf_msg, buf));
    if (len > 0 && line[len - 1] == '\r') {
        len--;
    }
    if (len == 0) {
        return LF_PROTO_EMPTY;
    }
    if (len > LF_LINE_MAX) {
        return LF_PROTO_TOOLONG;
    }
    memcpy(msg->buf, line, len);
    msg->buf[len] = '\0';

    /* Printable ASCII only, fields separated by exactly one space. */
    p = msg->buf;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c < ' ' || c > '~') {
            return LF_PROTO_BADCHAR;
        }
        if (c == ' ' && (i == 0 || i == len - 1 || p[i - 1] == '\0')) {
            return LF_PROTO_BADCHAR;
        }
        if (c == ' ') {
            p[i] = '\0';
        }
    }
    for (size_t i = 0; i < len; i += strlen(p + i) + 1) {
        if (n == MAX_FIELDS) {
            return LF_PROTO_ARGS;
        }
        fields[n++] = p + i;
    }

    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(fields[0], commands[i].word) == 0) {
            msg->type = commands[i].type;
            return parse_fields(msg, fields, n);
        }
    }
    return LF_PROTO_UNKNOWN;
}

const char *
lf_proto_err_code(enum lf_proto_err err)
{
    switch (err) {
    case LF_PROTO_TOOLONG:
        return "TOOLONG";
    case LF_PROTO_UNKNOWN:
        return "UNKNOWN";
    case LF_PROTO_OK:
        return "OK";
    default:
        return "SYNTAX";
    }
}

const char *
lf_proto_err_str(enum lf_proto_err err)
{
    switch (err) {
    case LF_PROTO_OK:
        return "no error";
    case LF_PROTO_EMPTY:
        return "empty request";
    case LF_PROTO_TOOLONG:
        return "request longer than 1024 bytes";
    case LF_PROTO_BADCHAR:
        return "request must be printable ASCII words separated by one "
               "space";
    case LF_PROTO_UNKNOWN:
        return "unknown command";
    case LF_PROTO_ARGS:
        return "wrong number of arguments";
    case LF_PROTO_BADKEY:
        return "key must be 1 to 255 printable characters";
    case LF_PROTO_BADOWNER:
        return "owner must be 1 to 127 printable characters";
    case LF_PROTO_BADMODE:
        return "mode must be X (exclusive) or S (shared)";
    case LF_PROTO_BADNUM:
        return "bad number";
    }
    return "unknown error";
}

bool
lf_proto_stat_field(const char *reply, const char *name, char *out, size_t size)
{
    char pattern[64];
    const char *at;

    snprintf(pattern, sizeof(pattern), " %s=", name);
    at = strstr(reply, pattern);
    if (at == NULL) {
        snprintf(out, size, "?");
        return false;
    }
    at += strlen(pattern);
    snprintf(out, size, "%.*s", (int)strcspn(at, " "), at);
    return true;
}

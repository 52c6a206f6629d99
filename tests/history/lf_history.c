/*
 * lf_history.c - journal lines and the history checker (pure: no I/O).
 *
 * The checker is conservative: it reports a violation only when replies
 * prove it, so that an honest server never fails it. A request whose
 * reply never came (UNKNOWN) may or may not have happened: it never starts
 * a hold, and it makes its owner's state for that key uncertain until a
 * later reply settles it. Holds are bounded by what the client saw: from
 * the reply to LOCK until the UNLOCK was sent, which lies inside the time
 * the server really granted the lock.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lf_history.h"
#include "lf_rc.h"

#define HEADER_PREFIX "# lf-hist-client "
#define SEND_PREFIX "# send "
#define UNREPLICATED "unreplicated"

static const char *const outcome_names[] = {
    [LF_HIST_OK] = "OK",           [LF_HIST_OKU] = "OKU",
    [LF_HIST_HELD] = "HELD",       [LF_HIST_HELDU] = "HELDU",
    [LF_HIST_LOCKED] = "LOCKED",   [LF_HIST_NOTHELD] = "NOTHELD",
    [LF_HIST_REFUSED] = "REFUSED", [LF_HIST_UNKNOWN] = "UNKNOWN",
    [LF_HIST_NOCONN] = "NOCONN",
};

#define N_OUTCOMES (sizeof(outcome_names) / sizeof(outcome_names[0]))

/* 1 to max printable characters, no space. */
static bool
valid_token(const char *s, size_t max)
{
    size_t len = 0;

    for (; s[len] != '\0'; len++) {
        if (s[len] <= ' ' || s[len] > '~' || len >= max) {
            return false;
        }
    }
    return len > 0;
}

bool
lf_hist_valid_name(const char *s)
{
    return valid_token(s, LF_HIST_NAME_MAX);
}

const char *
lf_hist_op_str(enum lf_hist_op op)
{
    switch (op) {
    case LF_HIST_LOCK:
        return "LOCK";
    case LF_HIST_UNLOCK:
        return "UNLOCK";
    }
    return "?";
}

const char *
lf_hist_outcome_str(enum lf_hist_outcome outcome)
{
    if ((size_t)outcome >= N_OUTCOMES || outcome_names[outcome] == NULL) {
        return "?";
    }
    return outcome_names[outcome];
}

static bool
is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9');
}

/* Does s start with word, not followed by a letter or digit? */
static bool
starts_word(const char *s, const char *word)
{
    size_t len = strlen(word);

    return strncmp(s, word, len) == 0 && !is_alnum(s[len]);
}

/* Does s contain word as a whole word (any case)? */
static bool
has_word(const char *s, const char *word)
{
    size_t len = strlen(word);

    for (const char *p = s; *p != '\0'; p++) {
        if (strncasecmp(p, word, len) == 0 && (p == s || !is_alnum(p[-1]))
            && !is_alnum(p[len])) {
            return true;
        }
    }
    return false;
}

/* The holder in "ERR LOCKED <holder> ...", copied into out (or false). */
static bool
locked_holder(const char *text, char *out, size_t size)
{
    const char *p = NULL;
    size_t len = 0;

    if (strncmp(text, "ERR LOCKED ", strlen("ERR LOCKED ")) != 0) {
        return false;
    }
    p = text + strlen("ERR LOCKED ");
    while (p[len] != '\0' && p[len] != ' ') {
        len++;
    }
    if (len == 0 || len > LF_OWNER_MAX || len >= size) {
        return false;
    }
    memcpy(out, p, len);
    out[len] = '\0';
    return valid_token(out, LF_OWNER_MAX);
}

enum lf_hist_outcome
lf_hist_classify(enum lf_hist_op op, const char *reply)
{
    char holder[LF_OWNER_MAX + 1];
    bool unreplicated = has_word(reply, UNREPLICATED);

    /* Protocol 2: "UNREPLICATED <the reply it would have had>". */
    if (starts_word(reply, "UNREPLICATED")) {
        reply += strlen("UNREPLICATED");
        reply += strspn(reply, " ");
    }
    if (starts_word(reply, "OK")) {
        if (op == LF_HIST_LOCK && starts_word(reply, "OK already held")) {
            return unreplicated ? LF_HIST_HELDU : LF_HIST_HELD;
        }
        return unreplicated ? LF_HIST_OKU : LF_HIST_OK;
    }
    if (!starts_word(reply, "ERR")) {
        return LF_HIST_UNKNOWN;
    }
    if (op == LF_HIST_LOCK && locked_holder(reply, holder, sizeof(holder))) {
        return LF_HIST_LOCKED;
    }
    if (op == LF_HIST_UNLOCK && starts_word(reply, "ERR NOTHELD")) {
        return LF_HIST_NOTHELD;
    }
    return LF_HIST_REFUSED;
}

/* snprintf into out; 0 or LF_ERR_TOOLONG. */
static int
fits(int n, size_t size)
{
    return (n < 0 || (size_t)n >= size) ? LF_ERR_TOOLONG : 0;
}

int
lf_hist_format_record(const struct lf_hist_rec *rec, const char *text,
                      char *out, size_t size)
{
    size_t len = 0;
    int n = snprintf(out, size,
                     "%s %" PRIu64 " %" PRId64 " %" PRId64 " %s %s %s %c %s",
                     rec->client, rec->seq, rec->t_send, rec->t_recv,
                     lf_hist_op_str(rec->op), rec->key, rec->owner, rec->mode,
                     lf_hist_outcome_str(rec->outcome));
    int rc = fits(n, size);

    if (rc != 0 || text == NULL || text[0] == '\0') {
        return rc;
    }
    len = (size_t)n;
    if (len + 1 >= size) {
        return LF_ERR_TOOLONG;
    }
    out[len++] = ' ';
    for (size_t i = 0; i < LF_HIST_TEXT_MAX && text[i] != '\0'; i++) {
        if (len + 1 >= size) {
            return LF_ERR_TOOLONG;
        }
        out[len++] = (text[i] >= ' ' && text[i] <= '~') ? text[i] : '?';
    }
    out[len] = '\0';
    return 0;
}

int
lf_hist_format_send(const struct lf_hist_rec *rec, char *out, size_t size)
{
    int n = snprintf(out, size,
                     SEND_PREFIX "%s %" PRIu64 " %" PRId64 " %s %s %s %c",
                     rec->client, rec->seq, rec->t_send,
                     lf_hist_op_str(rec->op), rec->key, rec->owner, rec->mode);

    return fits(n, size);
}

int
lf_hist_format_header(const struct lf_hist_header *header, char *out,
                      size_t size)
{
    int n = snprintf(
        out, size,
        HEADER_PREFIX "%s owner=%s address=%s start_realtime=%" PRId64,
        header->name, header->owner, header->address, header->start_realtime);

    return fits(n, size);
}

/* Split the next field off *cursor; fields are separated by one space. */
static char *
next_field(char **cursor)
{
    char *start = *cursor;
    char *space = NULL;

    if (start == NULL || *start == '\0' || *start == ' ') {
        return NULL;
    }
    space = strchr(start, ' ');
    if (space == NULL) {
        *cursor = NULL;
    } else {
        *space = '\0';
        *cursor = space + 1;
    }
    return start;
}

/* A decimal number without sign, at most max. */
static bool
parse_num(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (*s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        unsigned d = (unsigned)(*s - '0');

        if (*s < '0' || *s > '9' || v > (max - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static bool
parse_time(const char *s, int64_t *out)
{
    uint64_t v = 0;

    if (!parse_num(s, INT64_MAX, &v)) {
        return false;
    }
    *out = (int64_t)v;
    return true;
}

static bool
parse_op(const char *s, enum lf_hist_op *out)
{
    if (strcmp(s, "LOCK") == 0) {
        *out = LF_HIST_LOCK;
    } else if (strcmp(s, "UNLOCK") == 0) {
        *out = LF_HIST_UNLOCK;
    } else {
        return false;
    }
    return true;
}

static bool
parse_outcome(const char *s, enum lf_hist_outcome *out)
{
    for (size_t i = 0; i < N_OUTCOMES; i++) {
        if (outcome_names[i] != NULL && strcmp(s, outcome_names[i]) == 0) {
            *out = (enum lf_hist_outcome)i;
            return true;
        }
    }
    return false;
}

/*
 * The request fields shared by records and "# send" lines: CLIENT SEQ
 * T_SEND [T_RECV] OP KEY OWNER MODE, in f[0..n-1].
 */
static int
parse_request(char *const *f, bool with_recv, struct lf_hist_rec *rec,
              const char **why)
{
    size_t i = 3;

    rec->client = f[0];
    if (!lf_hist_valid_name(f[0])) {
        *why = "the client name is not 1-63 printable characters";
        return LF_ERR_SYNTAX;
    }
    if (!parse_num(f[1], UINT64_MAX, &rec->seq)) {
        *why = "the sequence number is not a number";
        return LF_ERR_SYNTAX;
    }
    if (!parse_time(f[2], &rec->t_send)) {
        *why = "t_send is not a time in ns";
        return LF_ERR_SYNTAX;
    }
    rec->t_recv = rec->t_send;
    if (with_recv) {
        if (!parse_time(f[3], &rec->t_recv)) {
            *why = "t_recv is not a time in ns";
            return LF_ERR_SYNTAX;
        }
        i = 4;
    }
    if (rec->t_recv < rec->t_send) {
        *why = "t_recv is before t_send";
        return LF_ERR_SYNTAX;
    }
    if (!parse_op(f[i], &rec->op)) {
        *why = "the operation is not LOCK or UNLOCK";
        return LF_ERR_SYNTAX;
    }
    rec->key = f[i + 1];
    rec->owner = f[i + 2];
    if (!valid_token(rec->key, LF_KEY_MAX)) {
        *why = "the key is not 1-255 printable characters";
        return LF_ERR_SYNTAX;
    }
    if (!valid_token(rec->owner, LF_OWNER_MAX)) {
        *why = "the owner is not 1-127 printable characters";
        return LF_ERR_SYNTAX;
    }
    if (strlen(f[i + 3]) != 1
        || (rec->op == LF_HIST_LOCK && f[i + 3][0] != 'X' && f[i + 3][0] != 'S')
        || (rec->op == LF_HIST_UNLOCK && f[i + 3][0] != '-')) {
        *why = "the mode is not X or S (LOCK) or - (UNLOCK)";
        return LF_ERR_SYNTAX;
    }
    rec->mode = f[i + 3][0];
    return 0;
}

/* Can op have this outcome? */
static bool
outcome_fits(enum lf_hist_op op, enum lf_hist_outcome outcome)
{
    switch (outcome) {
    case LF_HIST_HELD:
    case LF_HIST_HELDU:
    case LF_HIST_LOCKED:
        return op == LF_HIST_LOCK;
    case LF_HIST_NOTHELD:
        return op == LF_HIST_UNLOCK;
    default:
        return true;
    }
}

/* Split p into exactly n fields; rest gets what follows (may be NULL). */
static bool
split_fields(char *p, char **f, size_t n, char **rest)
{
    for (size_t i = 0; i < n; i++) {
        f[i] = next_field(&p);
        if (f[i] == NULL) {
            return false;
        }
    }
    *rest = p;
    return true;
}

static int
parse_record(char *p, struct lf_hist_line *out, const char **why)
{
    struct lf_hist_rec *rec = &out->rec;
    char *f[9];
    char *rest = NULL;
    int rc;

    if (!split_fields(p, f, 9, &rest)) {
        *why = "a record needs CLIENT SEQ T_SEND T_RECV OP KEY OWNER MODE "
               "OUTCOME, separated by one space";
        return LF_ERR_SYNTAX;
    }
    rc = parse_request(f, true, rec, why);
    if (rc != 0) {
        return rc;
    }
    if (!parse_outcome(f[8], &rec->outcome)) {
        *why = "the outcome is not OK, OKU, HELD, HELDU, LOCKED, NOTHELD, "
               "REFUSED, UNKNOWN or NOCONN";
        return LF_ERR_SYNTAX;
    }
    if (!outcome_fits(rec->op, rec->outcome)) {
        *why = "this outcome is impossible for this operation";
        return LF_ERR_SYNTAX;
    }
    out->text = (rest != NULL) ? rest : "";
    if (rec->outcome == LF_HIST_LOCKED) {
        if (!locked_holder(out->text, out->holder, sizeof(out->holder))) {
            *why = "a LOCKED record's text must be ERR LOCKED <holder>";
            return LF_ERR_SYNTAX;
        }
        rec->holder = out->holder;
    }
    return 0;
}

static int
parse_send(char *p, struct lf_hist_line *out, const char **why)
{
    char *f[7];
    char *rest = NULL;
    int rc;

    if (!split_fields(p, f, 7, &rest) || rest != NULL) {
        *why = "a send line is # send CLIENT SEQ T_SEND OP KEY OWNER MODE";
        return LF_ERR_SYNTAX;
    }
    rc = parse_request(f, false, &out->rec, why);
    out->rec.outcome = LF_HIST_UNKNOWN;
    return rc;
}

/* "name=value": the value, or NULL when the name is not there. */
static const char *
field_value(const char *field, const char *name)
{
    size_t len = strlen(name);

    if (strncmp(field, name, len) != 0 || field[len] != '=') {
        return NULL;
    }
    return field + len + 1;
}

static int
parse_header(char *p, struct lf_hist_line *out, const char **why)
{
    struct lf_hist_header *h = &out->header;
    char *f[4];
    char *rest = NULL;
    const char *realtime = NULL;

    *why = "a header is # lf-hist-client NAME owner=OWNER address=ADDRESS "
           "start_realtime=NS";
    if (!split_fields(p, f, 4, &rest) || rest != NULL) {
        return LF_ERR_SYNTAX;
    }
    h->name = f[0];
    h->owner = field_value(f[1], "owner");
    h->address = field_value(f[2], "address");
    realtime = field_value(f[3], "start_realtime");
    if (!lf_hist_valid_name(h->name) || h->owner == NULL
        || !valid_token(h->owner, LF_OWNER_MAX) || h->address == NULL
        || h->address[0] == '\0' || realtime == NULL
        || !parse_time(realtime, &h->start_realtime)) {
        return LF_ERR_SYNTAX;
    }
    return 0;
}

int
lf_hist_parse_line(const char *line, size_t len, struct lf_hist_line *out,
                   const char **why)
{
    memset(out, 0, sizeof(*out));
    out->text = "";
    if (len > LF_HIST_LINE_MAX) {
        *why = "the line is too long";
        return LF_ERR_TOOLONG;
    }
    for (size_t i = 0; i < len; i++) {
        if (line[i] < ' ' || line[i] > '~') {
            *why = "the line has a control or non-ASCII character";
            return LF_ERR_SYNTAX;
        }
    }
    if (len == 0) {
        *why = "the line is empty";
        return LF_ERR_SYNTAX;
    }
    memcpy(out->buf, line, len);
    out->buf[len] = '\0';
    if (strncmp(out->buf, HEADER_PREFIX, strlen(HEADER_PREFIX)) == 0) {
        out->kind = LF_HIST_LINE_HEADER;
        return parse_header(out->buf + strlen(HEADER_PREFIX), out, why);
    }
    if (strncmp(out->buf, SEND_PREFIX, strlen(SEND_PREFIX)) == 0) {
        out->kind = LF_HIST_LINE_SEND;
        return parse_send(out->buf + strlen(SEND_PREFIX), out, why);
    }
    if (out->buf[0] == '#') {
        out->kind = LF_HIST_LINE_COMMENT;
        return 0;
    }
    out->kind = LF_HIST_LINE_RECORD;
    return parse_record(out->buf, out, why);
}

int
lf_hist_parse_lock(char *line, struct lf_hist_lock *out, const char **why)
{
    char *p = line;
    char *f[3];
    char *rest = NULL;

    if (!split_fields(p, f, 3, &rest) || rest != NULL) {
        *why = "a lock line is KEY OWNER MODE, separated by one space";
        return LF_ERR_SYNTAX;
    }
    if (!valid_token(f[0], LF_KEY_MAX) || !valid_token(f[1], LF_OWNER_MAX)) {
        *why = "the key or owner is not printable or too long";
        return LF_ERR_SYNTAX;
    }
    if (strcmp(f[2], "X") != 0 && strcmp(f[2], "S") != 0) {
        *why = "the mode is not X or S";
        return LF_ERR_SYNTAX;
    }
    out->key = f[0];
    out->owner = f[1];
    out->mode = f[2][0];
    return 0;
}

/* What an owner's replies say about its hold on one key. */
enum hold_state {
    ST_NONE = 0,  /* nothing yet */
    ST_HELD,      /* an acknowledged LOCK */
    ST_HELDU,     /* an acknowledged, unreplicated LOCK */
    ST_RELEASED,  /* an acknowledged UNLOCK */
    ST_RELEASEDU, /* an acknowledged, unreplicated UNLOCK */
    ST_NOTHELD,   /* the server said it is not held */
    ST_UNCERTAIN, /* the last request's outcome is unknown */
};

/* A definite hold: from the LOCK's reply until the next UNLOCK's send. */
struct hold {
    const char *owner;
    char mode;
    int64_t start;
    int64_t end;
    const struct lf_hist_rec *ack;
};

struct check {
    const struct lf_hist_input *in;
    struct lf_hist_report *rep;
    const struct lf_hist_rec **sorted; /* by key, owner, t_send */
    bool *reported; /* per record of in->recs: its ack is in a finding */
    const struct lf_hist_lock **final; /* by key, owner */
    struct hold *holds;                /* of the key being checked */
    size_t n_holds;
    size_t cap_holds;
    size_t *active; /* holds not over yet, during the sweep */
    size_t cap_findings;
    char *err;
    size_t errsize;
};

static bool
is_lock_ack(const struct lf_hist_rec *r)
{
    return r->op == LF_HIST_LOCK
           && (r->outcome == LF_HIST_OK || r->outcome == LF_HIST_OKU
               || r->outcome == LF_HIST_HELD || r->outcome == LF_HIST_HELDU);
}

static bool
is_unreplicated(const struct lf_hist_rec *r)
{
    return r->outcome == LF_HIST_OKU || r->outcome == LF_HIST_HELDU;
}

static int
cmp_rec(const void *a, const void *b)
{
    const struct lf_hist_rec *x = *(const struct lf_hist_rec *const *)a;
    const struct lf_hist_rec *y = *(const struct lf_hist_rec *const *)b;
    int c = strcmp(x->key, y->key);

    if (c == 0) {
        c = strcmp(x->owner, y->owner);
    }
    if (c == 0) {
        c = (x->t_send > y->t_send) - (x->t_send < y->t_send);
    }
    if (c == 0) {
        c = (x->t_recv > y->t_recv) - (x->t_recv < y->t_recv);
    }
    if (c == 0) {
        c = (x->seq > y->seq) - (x->seq < y->seq);
    }
    return c;
}

static int
cmp_lock(const void *a, const void *b)
{
    const struct lf_hist_lock *x = *(const struct lf_hist_lock *const *)a;
    const struct lf_hist_lock *y = *(const struct lf_hist_lock *const *)b;
    int c = strcmp(x->key, y->key);

    if (c == 0) {
        c = strcmp(x->owner, y->owner);
    }
    if (c == 0) {
        c = (x->mode > y->mode) - (x->mode < y->mode);
    }
    return c;
}

static int
cmp_hold(const void *a, const void *b)
{
    const struct hold *x = a;
    const struct hold *y = b;
    int c = (x->start > y->start) - (x->start < y->start);

    return (c != 0) ? c : strcmp(x->owner, y->owner);
}

static int
cmp_finding(const void *a, const void *b)
{
    const struct lf_hist_finding *x = a;
    const struct lf_hist_finding *y = b;
    int c = (int)x->kind - (int)y->kind;

    if (c == 0) {
        c = (x->when > y->when) - (x->when < y->when);
    }
    if (c == 0 && x->key != NULL && y->key != NULL) {
        c = strcmp(x->key, y->key);
    }
    return c;
}

/* Pointers to n records, sorted by key, owner and time; NULL: no memory. */
static const struct lf_hist_rec **
sort_records(const struct lf_hist_rec *recs, size_t n)
{
    const struct lf_hist_rec **sorted = calloc(n + 1, sizeof(*sorted));

    if (sorted == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        sorted[i] = &recs[i];
    }
    qsort(sorted, n, sizeof(*sorted), cmp_rec);
    return sorted;
}

/* Pointers to a table's holds, sorted; NULL: no memory. */
static const struct lf_hist_lock **
sort_table(const struct lf_hist_table *table)
{
    const struct lf_hist_lock **sorted = calloc(table->n + 1, sizeof(*sorted));

    if (sorted == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < table->n; i++) {
        sorted[i] = &table->locks[i];
    }
    qsort(sorted, table->n, sizeof(*sorted), cmp_lock);
    return sorted;
}

/* Does the final table hold key for owner (in any mode)? */
static bool
final_holds(const struct check *chk, const char *key, const char *owner)
{
    size_t lo = 0;
    size_t hi = chk->in->final->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct lf_hist_lock *l = chk->final[mid];
        int c = strcmp(l->key, key);

        if (c == 0) {
            c = strcmp(l->owner, owner);
        }
        if (c == 0) {
            return true;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

/* First index of chk->sorted at or after (key, owner, t_send >= t). */
static size_t
lower_bound(const struct check *chk, const char *key, const char *owner,
            int64_t t)
{
    size_t lo = 0;
    size_t hi = chk->in->n_recs;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct lf_hist_rec *r = chk->sorted[mid];
        int c = strcmp(r->key, key);

        if (c == 0) {
            c = strcmp(r->owner, owner);
        }
        if (c == 0) {
            c = (r->t_send < t) ? -1 : 1;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static int
add_finding(struct check *chk, const struct lf_hist_finding *f)
{
    struct lf_hist_report *rep = chk->rep;

    if (rep->n_findings == chk->cap_findings) {
        size_t cap = (chk->cap_findings == 0) ? 16 : 2 * chk->cap_findings;
        struct lf_hist_finding *grown =
            realloc(rep->findings, cap * sizeof(*grown));

        if (grown == NULL) {
            return ENOMEM;
        }
        rep->findings = grown;
        chk->cap_findings = cap;
    }
    rep->findings[rep->n_findings++] = *f;
    switch (f->kind) {
    case LF_HIST_DOUBLE_GRANT:
        rep->double_granted++;
        break;
    case LF_HIST_LOST:
        rep->lost++;
        break;
    case LF_HIST_RESURRECTED:
        rep->resurrected++;
        break;
    case LF_HIST_BASELINE_LOST:
        rep->baseline_lost++;
        break;
    case LF_HIST_TABLES_DIFFER:
        rep->tables_differ++;
        break;
    case LF_HIST_LOST_UNREPLICATED:
        rep->lost_unreplicated++;
        break;
    }
    return 0;
}

/*
 * A finding about the acknowledgement ack of one of the clients' records,
 * shown by evidence (NULL: by the final table). Each acknowledgement is
 * reported once.
 */
static int
report_ack(struct check *chk, enum lf_hist_kind kind,
           const struct lf_hist_rec *ack, const struct lf_hist_rec *evidence)
{
    struct lf_hist_finding f;
    size_t i = (size_t)(ack - chk->in->recs);

    if (chk->reported[i]) {
        return 0;
    }
    chk->reported[i] = true;
    memset(&f, 0, sizeof(f));
    f.kind = kind;
    f.key = ack->key;
    f.owner = ack->owner;
    f.ack = ack;
    f.evidence = evidence;
    f.when = (evidence != NULL) ? evidence->t_recv : ack->t_recv;
    return add_finding(chk, &f);
}

static void
count_ops(struct lf_hist_report *rep, const struct lf_hist_input *in)
{
    for (size_t i = 0; i < in->n_recs; i++) {
        const struct lf_hist_rec *r = &in->recs[i];

        if (r->outcome == LF_HIST_NOCONN) {
            rep->noconn++;
            continue;
        }
        rep->ops++;
        if (is_lock_ack(r)) {
            rep->acked++;
        } else if (r->outcome == LF_HIST_REFUSED) {
            rep->refused++;
        } else if (r->outcome == LF_HIST_UNKNOWN) {
            rep->unknown++;
        }
    }
}

/* Distinct client names; records usually come a journal at a time. */
static int
count_clients(struct lf_hist_report *rep, const struct lf_hist_input *in)
{
    const char **names = NULL;
    size_t cap = 0;
    const char *last = NULL;

    for (size_t i = 0; i < in->n_recs; i++) {
        const char *c = in->recs[i].client;
        bool seen = (last != NULL && strcmp(c, last) == 0);

        for (size_t j = 0; !seen && j < rep->clients; j++) {
            seen = (strcmp(c, names[j]) == 0);
        }
        last = c;
        if (seen) {
            continue;
        }
        if (rep->clients == cap) {
            size_t grown_cap = (cap == 0) ? 8 : 2 * cap;
            const char **grown = realloc(names, grown_cap * sizeof(*grown));

            if (grown == NULL) {
                free(names);
                return ENOMEM;
            }
            names = grown;
            cap = grown_cap;
        }
        names[rep->clients++] = c;
    }
    free(names);
    return 0;
}

static void
earliest_time(struct lf_hist_report *rep, const struct lf_hist_input *in)
{
    bool any = false;

    for (size_t i = 0; i < in->n_recs + in->n_base; i++) {
        const struct lf_hist_rec *r =
            (i < in->n_recs) ? &in->recs[i] : &in->base[i - in->n_recs];

        if (!any || r->t_send < rep->t0) {
            rep->t0 = r->t_send;
            any = true;
        }
    }
}

static int
push_hold(struct check *chk, const struct hold *h)
{
    if (chk->n_holds == chk->cap_holds) {
        size_t cap = (chk->cap_holds == 0) ? 64 : 2 * chk->cap_holds;
        struct hold *grown = realloc(chk->holds, cap * sizeof(*grown));
        size_t *active = NULL;

        if (grown == NULL) {
            return ENOMEM;
        }
        chk->holds = grown;
        active = realloc(chk->active, cap * sizeof(*active));
        if (active == NULL) {
            return ENOMEM;
        }
        chk->active = active;
        chk->cap_holds = cap;
    }
    chk->holds[chk->n_holds++] = *h;
    return 0;
}

/* Double grants among one key's holds: pairs of overlapping holds. */
static int
sweep_holds(struct check *chk)
{
    size_t n_active = 0;
    int rc = 0;

    qsort(chk->holds, chk->n_holds, sizeof(*chk->holds), cmp_hold);
    for (size_t i = 0; i < chk->n_holds; i++) {
        const struct hold *h = &chk->holds[i];
        size_t kept = 0;

        for (size_t j = 0; j < n_active; j++) {
            const struct hold *a = &chk->holds[chk->active[j]];
            struct lf_hist_finding f;

            if (a->end <= h->start) {
                continue;
            }
            chk->active[kept++] = chk->active[j];
            if (strcmp(a->owner, h->owner) == 0
                || (a->mode != 'X' && h->mode != 'X') || !(a->start < h->end)
                || !(h->start < a->end)) {
                continue;
            }
            memset(&f, 0, sizeof(f));
            f.kind = LF_HIST_DOUBLE_GRANT;
            f.key = a->ack->key;
            f.owner = a->owner;
            f.ack = a->ack;
            f.start = a->start;
            f.end = a->end;
            f.other = h->owner;
            f.other_ack = h->ack;
            f.other_start = h->start;
            f.other_end = h->end;
            f.when = h->start;
            rc = add_finding(chk, &f);
            if (rc != 0) {
                return rc;
            }
        }
        n_active = kept;
        if (h->end > h->start) {
            chk->active[n_active++] = i;
        }
    }
    chk->n_holds = 0;
    return 0;
}

/* Follow one reply of an owner on a key; report what it proves. */
static int
step(struct check *chk, const struct lf_hist_rec *r, enum hold_state *st,
     const struct lf_hist_rec **ack)
{
    int rc = 0;
    bool lock = (r->op == LF_HIST_LOCK);

    switch (r->outcome) {
    case LF_HIST_UNKNOWN:
        *st = ST_UNCERTAIN;
        break;
    case LF_HIST_REFUSED:
    case LF_HIST_NOCONN:
        break;
    case LF_HIST_OK:
    case LF_HIST_OKU:
        if (lock) {
            *st = (r->outcome == LF_HIST_OK) ? ST_HELD : ST_HELDU;
        } else {
            *st = (r->outcome == LF_HIST_OK) ? ST_RELEASED : ST_RELEASEDU;
        }
        *ack = r;
        break;
    case LF_HIST_HELD:
    case LF_HIST_HELDU:
        if (*st == ST_RELEASED) {
            rc = report_ack(chk, LF_HIST_RESURRECTED, *ack, r);
        } else if (*st == ST_RELEASEDU) {
            rc = report_ack(chk, LF_HIST_LOST_UNREPLICATED, *ack, r);
        }
        *st = (r->outcome == LF_HIST_HELD) ? ST_HELD : ST_HELDU;
        *ack = r;
        break;
    case LF_HIST_LOCKED:
        /* Held in the other mode is refused too: the end of the run
         * tells whether a held lock is still there. */
        if (*st != ST_HELD && *st != ST_HELDU) {
            *st = ST_NOTHELD;
        }
        break;
    case LF_HIST_NOTHELD:
        if (*st == ST_HELD) {
            rc = report_ack(chk, LF_HIST_LOST, *ack, r);
        } else if (*st == ST_HELDU) {
            rc = report_ack(chk, LF_HIST_LOST_UNREPLICATED, *ack, r);
        }
        *st = ST_NOTHELD;
        break;
    }
    return rc;
}

/* What the final table must show after an owner's last reply. */
static int
end_of_run(struct check *chk, const struct lf_hist_rec *r, enum hold_state st,
           const struct lf_hist_rec *ack)
{
    bool held = false;

    if (chk->in->final == NULL || ack == NULL) {
        return 0;
    }
    held = final_holds(chk, r->key, r->owner);
    switch (st) {
    case ST_HELD:
        return held ? 0 : report_ack(chk, LF_HIST_LOST, ack, NULL);
    case ST_HELDU:
        return held ? 0 : report_ack(chk, LF_HIST_LOST_UNREPLICATED, ack, NULL);
    case ST_RELEASED:
        return held ? report_ack(chk, LF_HIST_RESURRECTED, ack, NULL) : 0;
    case ST_RELEASEDU:
        return held ? report_ack(chk, LF_HIST_LOST_UNREPLICATED, ack, NULL) : 0;
    default:
        return 0;
    }
}

/* One owner's requests on one key, sorted[lo..hi-1], in time order. */
static int
check_group(struct check *chk, size_t lo, size_t hi)
{
    const struct lf_hist_rec *first = chk->sorted[lo];
    const struct lf_hist_rec *ack = NULL;
    enum hold_state st = ST_NONE;
    struct hold hold;
    bool open = false;
    int rc = 0;

    memset(&hold, 0, sizeof(hold));
    for (size_t i = lo; i < hi && rc == 0; i++) {
        const struct lf_hist_rec *r = chk->sorted[i];

        if (strcmp(r->client, first->client) != 0) {
            snprintf(chk->err, chk->errsize,
                     "owner %s is used on key %s by clients %s and %s: "
                     "give every client its own owner",
                     r->owner, r->key, first->client, r->client);
            return LF_ERR_SYNTAX;
        }
        if (r->outcome == LF_HIST_NOCONN) {
            continue;
        }
        if (is_lock_ack(r) && !open) {
            open = true;
            hold.owner = r->owner;
            hold.mode = r->mode;
            hold.start = r->t_recv;
            hold.end = LF_HIST_FOREVER;
            hold.ack = r;
        } else if (r->op == LF_HIST_UNLOCK && open) {
            open = false;
            hold.end = r->t_send;
            rc = push_hold(chk, &hold);
        }
        if (rc == 0) {
            rc = step(chk, r, &st, &ack);
        }
    }
    if (rc == 0 && open) {
        rc = push_hold(chk, &hold);
    }
    if (rc == 0) {
        rc = end_of_run(chk, first, st, ack);
    }
    return rc;
}

static int
check_groups(struct check *chk)
{
    size_t n = chk->in->n_recs;
    size_t hi = 0;
    int rc = 0;

    for (size_t lo = 0; lo < n && rc == 0; lo = hi) {
        const struct lf_hist_rec *r = chk->sorted[lo];

        for (hi = lo + 1; hi < n; hi++) {
            const struct lf_hist_rec *next = chk->sorted[hi];

            if (strcmp(next->key, r->key) != 0
                || strcmp(next->owner, r->owner) != 0) {
                break;
            }
        }
        rc = check_group(chk, lo, hi);
        if (rc == 0 && (hi == n || strcmp(chk->sorted[hi]->key, r->key) != 0)) {
            rc = sweep_holds(chk);
        }
    }
    return rc;
}

/*
 * "ERR LOCKED <o>" sent after o's acknowledged UNLOCK was answered, with
 * no LOCK of o sent before the refusal came back: o's release was undone.
 */
static int
check_locked(struct check *chk, const struct lf_hist_rec *r)
{
    size_t lo = lower_bound(chk, r->key, r->holder, INT64_MIN);
    size_t j = lower_bound(chk, r->key, r->holder, r->t_recv);

    while (j > lo) {
        const struct lf_hist_rec *o = chk->sorted[--j];

        if (o->outcome == LF_HIST_NOCONN) {
            continue;
        }
        if (o->op == LF_HIST_LOCK) {
            return 0;
        }
        if (o->outcome == LF_HIST_OK || o->outcome == LF_HIST_OKU) {
            if (o->t_recv >= r->t_send) {
                return 0;
            }
            return report_ack(chk,
                              (o->outcome == LF_HIST_OK)
                                  ? LF_HIST_RESURRECTED
                                  : LF_HIST_LOST_UNREPLICATED,
                              o, r);
        }
    }
    return 0;
}

static int
check_locked_replies(struct check *chk)
{
    int rc = 0;

    for (size_t i = 0; i < chk->in->n_recs && rc == 0; i++) {
        const struct lf_hist_rec *r = chk->sorted[i];

        if (r->outcome == LF_HIST_LOCKED && r->holder != NULL
            && strcmp(r->holder, r->owner) != 0) {
            rc = check_locked(chk, r);
        }
    }
    return rc;
}

/* Every baseline lock (the last reply for its key and owner) is kept. */
static int
check_baseline(struct check *chk)
{
    const struct lf_hist_input *in = chk->in;
    const struct lf_hist_rec **sorted = NULL;
    const struct lf_hist_rec *last = NULL;
    int rc = 0;

    if (in->n_base == 0) {
        return 0;
    }
    sorted = sort_records(in->base, in->n_base);
    if (sorted == NULL) {
        return ENOMEM;
    }
    for (size_t i = 0; i < in->n_base && rc == 0; i++) {
        const struct lf_hist_rec *r = sorted[i];
        const struct lf_hist_rec *next = sorted[i + 1];
        struct lf_hist_finding f;

        if (r->outcome != LF_HIST_NOCONN) {
            last = r;
        }
        if (next != NULL && strcmp(next->key, r->key) == 0
            && strcmp(next->owner, r->owner) == 0) {
            continue;
        }
        if (last == NULL || !is_lock_ack(last)) {
            last = NULL;
            continue;
        }
        if (!is_unreplicated(last)) {
            chk->rep->baseline++;
        }
        if (in->final != NULL && !final_holds(chk, last->key, last->owner)) {
            memset(&f, 0, sizeof(f));
            f.kind = is_unreplicated(last) ? LF_HIST_LOST_UNREPLICATED
                                           : LF_HIST_BASELINE_LOST;
            f.key = last->key;
            f.owner = last->owner;
            f.ack = last;
            f.when = last->t_recv;
            rc = add_finding(chk, &f);
        }
        last = NULL;
    }
    free(sorted);
    return rc;
}

/* Every other table that answered equals the final one. */
static int
check_tables(struct check *chk)
{
    const struct lf_hist_input *in = chk->in;
    const struct lf_hist_table *ref = in->final;
    const struct lf_hist_lock **a = chk->final;
    const struct lf_hist_lock **own = NULL;
    int rc = 0;

    if (ref == NULL && in->n_others > 0) {
        ref = &in->others[0];
        own = sort_table(ref);
        a = own;
        if (a == NULL) {
            return ENOMEM;
        }
    }
    for (size_t t = 0; t < in->n_others && rc == 0; t++) {
        const struct lf_hist_table *other = &in->others[t];
        const struct lf_hist_lock **b = sort_table(other);
        struct lf_hist_finding f;
        size_t i = 0;
        size_t j = 0;

        if (b == NULL) {
            rc = ENOMEM;
            break;
        }
        memset(&f, 0, sizeof(f));
        while (i < ref->n || j < other->n) {
            int c = (i == ref->n)     ? 1
                    : (j == other->n) ? -1
                                      : cmp_lock(&a[i], &b[j]);

            if (c < 0) {
                f.only_in_table++;
                i++;
            } else if (c > 0) {
                f.only_in_other++;
                j++;
            } else {
                i++;
                j++;
            }
        }
        free(b);
        if (f.only_in_table + f.only_in_other > 0) {
            f.kind = LF_HIST_TABLES_DIFFER;
            f.table = ref->name;
            f.other_table = other->name;
            rc = add_finding(chk, &f);
        }
    }
    free(own);
    return rc;
}

int
lf_hist_check(const struct lf_hist_input *in, struct lf_hist_report *report,
              char *err, size_t errsize)
{
    struct check chk;
    char no_err[1];
    int rc = 0;

    memset(report, 0, sizeof(*report));
    memset(&chk, 0, sizeof(chk));
    chk.in = in;
    chk.rep = report;
    chk.err = (err != NULL && errsize > 0) ? err : no_err;
    chk.errsize = (err != NULL && errsize > 0) ? errsize : sizeof(no_err);
    chk.err[0] = '\0';
    count_ops(report, in);
    earliest_time(report, in);
    report->final_locks = (in->final != NULL) ? in->final->n : 0;
    rc = count_clients(report, in);
    if (rc != 0) {
        goto done;
    }
    chk.sorted = sort_records(in->recs, in->n_recs);
    chk.reported = calloc(in->n_recs + 1, sizeof(*chk.reported));
    if (chk.sorted == NULL || chk.reported == NULL) {
        rc = ENOMEM;
        goto done;
    }
    if (in->final != NULL) {
        chk.final = sort_table(in->final);
        if (chk.final == NULL) {
            rc = ENOMEM;
            goto done;
        }
    }
    rc = check_groups(&chk);
    if (rc == 0) {
        rc = check_locked_replies(&chk);
    }
    if (rc == 0) {
        rc = check_baseline(&chk);
    }
    if (rc == 0) {
        rc = check_tables(&chk);
    }
    if (rc == 0 && report->n_findings > 1) {
        qsort(report->findings, report->n_findings, sizeof(*report->findings),
              cmp_finding);
    }

done:
    if (rc == ENOMEM) {
        snprintf(chk.err, chk.errsize, "out of memory");
    }
    free(chk.sorted);
    free(chk.reported);
    free(chk.final);
    free(chk.holds);
    free(chk.active);
    return rc;
}

size_t
lf_hist_violations(const struct lf_hist_report *report)
{
    return report->double_granted + report->lost + report->resurrected
           + report->baseline_lost + report->tables_differ;
}

void
lf_hist_report_free(struct lf_hist_report *report)
{
    free(report->findings);
    report->findings = NULL;
    report->n_findings = 0;
}

int
lf_hist_format_summary(const struct lf_hist_report *r, char *out, size_t size)
{
    int n = snprintf(out, size,
                     "history: clients=%zu ops=%zu acked=%zu refused=%zu "
                     "unknown=%zu noconn=%zu double_granted=%zu lost=%zu "
                     "lost_unreplicated=%zu resurrected=%zu baseline=%zu "
                     "baseline_lost=%zu tables_differ=%zu final_locks=%zu",
                     r->clients, r->ops, r->acked, r->refused, r->unknown,
                     r->noconn, r->double_granted, r->lost,
                     r->lost_unreplicated, r->resurrected, r->baseline,
                     r->baseline_lost, r->tables_differ, r->final_locks);

    return fits(n, size);
}

/* A time in ms after t0 ("12.345"), or "inf". */
static void
format_time(const struct lf_hist_report *rep, int64_t t, char *out, size_t size)
{
    int64_t d = 0;

    if (t == LF_HIST_FOREVER) {
        snprintf(out, size, "inf");
        return;
    }
    d = t - rep->t0;
    snprintf(out, size, "%s%" PRId64 ".%03" PRId64, (d < 0) ? "-" : "",
             (d < 0 ? -d : d) / 1000000, ((d < 0 ? -d : d) / 1000) % 1000);
}

/* "LOCK OK by c1 #12 at 3.456" for a record. */
static void
format_reply(const struct lf_hist_report *rep, const struct lf_hist_rec *r,
             char *out, size_t size)
{
    char t[32];

    format_time(rep, r->t_recv, t, sizeof(t));
    snprintf(out, size, "%s %s by %s #%" PRIu64 " at %s", lf_hist_op_str(r->op),
             lf_hist_outcome_str(r->outcome), r->client, r->seq, t);
}

static int
format_double_grant(const struct lf_hist_report *rep,
                    const struct lf_hist_finding *f, char *out, size_t size)
{
    char t[4][32];
    int n = 0;

    format_time(rep, f->start, t[0], sizeof(t[0]));
    format_time(rep, f->end, t[1], sizeof(t[1]));
    format_time(rep, f->other_start, t[2], sizeof(t[2]));
    format_time(rep, f->other_end, t[3], sizeof(t[3]));
    n = snprintf(out, size,
                 "violation: double-grant key=%s owner=%s [%s..%s] "
                 "owner=%s [%s..%s] modes=%c,%c%s",
                 f->key, f->owner, t[0], t[1], f->other, t[2], t[3],
                 f->ack->mode, f->other_ack->mode,
                 (is_unreplicated(f->ack) || is_unreplicated(f->other_ack))
                     ? " (an unreplicated hold)"
                     : "");
    return fits(n, size);
}

int
lf_hist_format_finding(const struct lf_hist_report *report,
                       const struct lf_hist_finding *f, char *out, size_t size)
{
    char ack[LF_HIST_NAME_MAX + 96];
    char evidence[2 * LF_OWNER_MAX + LF_HIST_NAME_MAX + 128];
    const char *what = "lost";
    int n = 0;

    switch (f->kind) {
    case LF_HIST_DOUBLE_GRANT:
        return format_double_grant(report, f, out, size);
    case LF_HIST_TABLES_DIFFER:
        n = snprintf(out, size,
                     "violation: tables differ between %s and %s (two enqueue "
                     "servers?): %zu holds only in the first, %zu only in the "
                     "second",
                     f->table, f->other_table, f->only_in_table,
                     f->only_in_other);
        return fits(n, size);
    case LF_HIST_LOST:
        break;
    case LF_HIST_RESURRECTED:
        what = "resurrected";
        break;
    case LF_HIST_BASELINE_LOST:
        what = "baseline-lost";
        break;
    case LF_HIST_LOST_UNREPLICATED:
        what = "lost-unreplicated";
        break;
    }
    format_reply(report, f->ack, ack, sizeof(ack));
    if (f->evidence == NULL) {
        snprintf(evidence, sizeof(evidence), "%s the final table",
                 (f->ack->op == LF_HIST_LOCK) ? "not in" : "back in");
    } else if (f->evidence->outcome == LF_HIST_LOCKED) {
        char t[32];

        format_time(report, f->evidence->t_recv, t, sizeof(t));
        snprintf(evidence, sizeof(evidence),
                 "ERR LOCKED %s to %s (%s #%" PRIu64 ") at %s",
                 f->evidence->holder, f->evidence->owner, f->evidence->client,
                 f->evidence->seq, t);
    } else {
        format_reply(report, f->evidence, evidence, sizeof(evidence));
    }
    n = snprintf(out, size, "%s: %s key=%s owner=%s acked: %s; then %s",
                 (f->kind == LF_HIST_LOST_UNREPLICATED) ? "note" : "violation",
                 what, f->key, f->owner, ack, evidence);
    return fits(n, size);
}

/*
 * lf-hist-check: judge the journals of lf-hist-client runs against the
 * lock table the enqueue server ended with.
 *
 * usage: lf-hist-check [-b BASELINE_JOURNAL]...
 *            [-f FINAL_LIST_FILE | -a ADDRESS [-p PORT] [-k SECRETFILE]]
 *            [-A OTHER_ADDRESS]... [-t TIMEOUT_MS] [-v] JOURNAL...
 *
 * The final table is either a file with the output of "lf-enq list" or
 * fetched with LIST from ADDRESS. Every OTHER_ADDRESS that answers must
 * serve the same table (two enqueue servers otherwise); one that does not
 * answer is fine. The checks (see tests/history/lf_history.c): double
 * grants, acknowledged locks lost, released locks back, baseline locks
 * gone. Requests whose outcome is unknown never count against the server.
 *
 * Output: one summary line "history: clients=N ops=N ...", then one line
 * per violation (the first 10 of each kind; -v: all, and notes about
 * unreplicated changes lost).
 *
 * Exit status: 0 no violation, 1 at least one violation, 2 usage or input
 * error (a journal unreadable or malformed, the final table unavailable).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lf_client.h"
#include "lf_history.h"
#include "lf_parse.h"
#include "lf_rc.h"

#define PROG "lf-hist-check"
#define EXIT_VIOLATION 1
#define EXIT_INPUT 2
#define LIST_SHOWN 10 /* findings of a kind listed without -v */

/* Every string of the input, stored once. */
struct strpool {
    char **slots;
    size_t cap; /* a power of two */
    size_t n;
};

struct recvec {
    struct lf_hist_rec *v;
    size_t n;
    size_t cap;
};

struct lockvec {
    struct lf_hist_lock *v;
    size_t n;
    size_t cap;
};

/* A journal already read: client names must not repeat. */
struct journal_name {
    const char *client;
    const char *path;
};

struct hist_check {
    const char *final_file;
    const char *address;
    const char *secretfile;
    uint16_t port;
    long long timeout_ms;
    bool verbose;
    const char **baselines;
    size_t n_baselines;
    const char **others;
    size_t n_others;
    struct lf_secret secret;
    struct strpool pool;
    struct recvec recs;
    struct recvec base;
    struct journal_name *names;
    size_t n_names;
    struct lockvec final;
    struct lockvec *other_locks;  /* n_others of them */
    struct lf_hist_table *tables; /* the others that answered */
    size_t n_tables;
};

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: " PROG " [-b BASELINE_JOURNAL]...\n"
            "           [-f FINAL_LIST_FILE | -a ADDRESS [-p PORT] "
            "[-k SECRETFILE]]\n"
            "           [-A OTHER_ADDRESS]... [-t TIMEOUT_MS] [-v] "
            "JOURNAL...\n"
            "  -b  a baseline journal (lf-hist-client --baseline): its locks "
            "must all\n"
            "      be in the final table\n"
            "  -f  the final table: a file with the output of lf-enq list\n"
            "  -a  the final table: fetched with LIST from this address\n"
            "  -p  TCP port of -a and -A (default %d)\n"
            "  -k  shared-secret file for -a and -A\n"
            "  -A  another address: if it answers, it must serve the same "
            "table\n"
            "  -t  timeout of a connect or reply, ms (default 5000)\n"
            "  -v  list every finding, and notes about unreplicated changes "
            "lost\n"
            "exit status: 0 no violation, 1 violations, 2 usage or input "
            "error\n",
            LF_DEFAULT_PORT);
}

/* FNV-1a. */
static size_t
hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (; *s != '\0'; s++) {
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    }
    return (size_t)h;
}

static int
pool_grow(struct strpool *pool)
{
    size_t cap = (pool->cap == 0) ? 256 : 2 * pool->cap;
    char **slots = calloc(cap, sizeof(*slots));

    if (slots == NULL) {
        return ENOMEM;
    }
    for (size_t i = 0; i < pool->cap; i++) {
        if (pool->slots[i] != NULL) {
            size_t j = hash_str(pool->slots[i]) & (cap - 1);

            while (slots[j] != NULL) {
                j = (j + 1) & (cap - 1);
            }
            slots[j] = pool->slots[i];
        }
    }
    free(pool->slots);
    pool->slots = slots;
    pool->cap = cap;
    return 0;
}

/* The pool's copy of s; NULL without memory. */
static const char *
pool_intern(struct strpool *pool, const char *s)
{
    size_t i = 0;

    if (2 * (pool->n + 1) > pool->cap && pool_grow(pool) != 0) {
        return NULL;
    }
    i = hash_str(s) & (pool->cap - 1);
    while (pool->slots[i] != NULL) {
        if (strcmp(pool->slots[i], s) == 0) {
            return pool->slots[i];
        }
        i = (i + 1) & (pool->cap - 1);
    }
    pool->slots[i] = strdup(s);
    if (pool->slots[i] == NULL) {
        return NULL;
    }
    pool->n++;
    return pool->slots[i];
}

static void
pool_free(struct strpool *pool)
{
    for (size_t i = 0; i < pool->cap; i++) {
        free(pool->slots[i]);
    }
    free(pool->slots);
}

/* Intern a record's strings and append it. */
static int
push_rec(struct hist_check *hc, struct recvec *vec,
         const struct lf_hist_rec *rec)
{
    struct lf_hist_rec copy = *rec;

    if (vec->n == vec->cap) {
        size_t cap = (vec->cap == 0) ? 1024 : 2 * vec->cap;
        struct lf_hist_rec *grown = realloc(vec->v, cap * sizeof(*grown));

        if (grown == NULL) {
            return ENOMEM;
        }
        vec->v = grown;
        vec->cap = cap;
    }
    copy.client = pool_intern(&hc->pool, rec->client);
    copy.key = pool_intern(&hc->pool, rec->key);
    copy.owner = pool_intern(&hc->pool, rec->owner);
    if (rec->holder != NULL) {
        copy.holder = pool_intern(&hc->pool, rec->holder);
    }
    if (copy.client == NULL || copy.key == NULL || copy.owner == NULL
        || (rec->holder != NULL && copy.holder == NULL)) {
        return ENOMEM;
    }
    vec->v[vec->n++] = copy;
    return 0;
}

static int
push_lock(struct hist_check *hc, struct lockvec *vec,
          const struct lf_hist_lock *lock)
{
    struct lf_hist_lock copy = *lock;

    if (vec->n == vec->cap) {
        size_t cap = (vec->cap == 0) ? 256 : 2 * vec->cap;
        struct lf_hist_lock *grown = realloc(vec->v, cap * sizeof(*grown));

        if (grown == NULL) {
            return ENOMEM;
        }
        vec->v = grown;
        vec->cap = cap;
    }
    copy.key = pool_intern(&hc->pool, lock->key);
    copy.owner = pool_intern(&hc->pool, lock->owner);
    if (copy.key == NULL || copy.owner == NULL) {
        return ENOMEM;
    }
    vec->v[vec->n++] = copy;
    return 0;
}

/* A journal's client name, unless another journal already has it. */
static int
claim_name(struct hist_check *hc, const char *client, const char *path)
{
    struct journal_name *grown = NULL;

    for (size_t i = 0; i < hc->n_names; i++) {
        if (strcmp(hc->names[i].client, client) == 0) {
            fprintf(stderr,
                    PROG ": client name %s is in both %s and %s: every "
                         "client needs its own name\n",
                    client, hc->names[i].path, path);
            return LF_ERR_SYNTAX;
        }
    }
    grown = realloc(hc->names, (hc->n_names + 1) * sizeof(*grown));
    if (grown == NULL) {
        return ENOMEM;
    }
    hc->names = grown;
    hc->names[hc->n_names].client = pool_intern(&hc->pool, client);
    hc->names[hc->n_names].path = path;
    if (hc->names[hc->n_names].client == NULL) {
        return ENOMEM;
    }
    hc->n_names++;
    return 0;
}

/* A request sent whose record never came: its outcome is unknown. */
static int
push_unanswered(struct hist_check *hc, struct recvec *vec,
                const struct lf_hist_rec *sent, const char *path)
{
    fprintf(stderr,
            PROG ": %s: request %llu (%s %s) was sent but has no record "
                 "(the client was killed?): its outcome is unknown\n",
            path, (unsigned long long)sent->seq, lf_hist_op_str(sent->op),
            sent->key);
    return push_rec(hc, vec, sent);
}

static bool
same_request(const struct lf_hist_rec *a, const struct lf_hist_rec *b)
{
    return a->seq == b->seq && a->op == b->op && a->t_send == b->t_send
           && a->mode == b->mode && strcmp(a->key, b->key) == 0
           && strcmp(a->owner, b->owner) == 0;
}

/* State while one journal is read. */
struct journal_reader {
    const char *path;
    size_t lineno;
    const char *client; /* from the header, interned */
    uint64_t last_seq;
    bool any_seq;
    bool pending;             /* a "# send" line without its record yet */
    struct lf_hist_rec sent;  /* its request, strings interned */
    struct lf_hist_line line; /* the line being parsed */
};

static int
input_error(const struct journal_reader *jr, const char *why)
{
    fprintf(stderr, PROG ": %s:%zu: %s\n", jr->path, jr->lineno, why);
    return LF_ERR_SYNTAX;
}

/* Intern a "# send" line's strings into jr->sent. */
static int
remember_sent(struct hist_check *hc, struct journal_reader *jr)
{
    jr->sent = jr->line.rec;
    jr->sent.client = pool_intern(&hc->pool, jr->line.rec.client);
    jr->sent.key = pool_intern(&hc->pool, jr->line.rec.key);
    jr->sent.owner = pool_intern(&hc->pool, jr->line.rec.owner);
    if (jr->sent.client == NULL || jr->sent.key == NULL
        || jr->sent.owner == NULL) {
        return ENOMEM;
    }
    jr->pending = true;
    return 0;
}

/* One parsed line of a journal. */
static int
take_line(struct hist_check *hc, struct journal_reader *jr, struct recvec *vec)
{
    const struct lf_hist_rec *rec = &jr->line.rec;

    if (jr->lineno == 1 && jr->line.kind != LF_HIST_LINE_HEADER) {
        return input_error(jr, "not an lf-hist-client journal (the first "
                               "line is not # lf-hist-client ...)");
    }
    switch (jr->line.kind) {
    case LF_HIST_LINE_HEADER:
        if (jr->lineno != 1) {
            return input_error(jr, "a second header");
        }
        jr->client = pool_intern(&hc->pool, jr->line.header.name);
        if (jr->client == NULL) {
            return ENOMEM;
        }
        return claim_name(hc, jr->client, jr->path);
    case LF_HIST_LINE_COMMENT:
        return 0;
    case LF_HIST_LINE_SEND:
    case LF_HIST_LINE_RECORD:
        break;
    }
    if (strcmp(rec->client, jr->client) != 0) {
        return input_error(jr, "the client name is not the header's");
    }
    if (jr->pending && jr->line.kind == LF_HIST_LINE_RECORD
        && rec->seq == jr->sent.seq) {
        if (!same_request(rec, &jr->sent)) {
            return input_error(jr, "the record does not match its send line");
        }
        jr->pending = false;
        return push_rec(hc, vec, rec);
    }
    if (jr->pending) {
        int rc = push_unanswered(hc, vec, &jr->sent, jr->path);

        jr->pending = false;
        if (rc != 0) {
            return rc;
        }
    }
    if (jr->any_seq && rec->seq <= jr->last_seq) {
        return input_error(jr, "the sequence number does not increase");
    }
    jr->any_seq = true;
    jr->last_seq = rec->seq;
    if (jr->line.kind == LF_HIST_LINE_SEND) {
        return remember_sent(hc, jr);
    }
    return push_rec(hc, vec, rec);
}

/* Read one journal into vec; 0, or an error already explained. */
static int
load_journal(struct hist_check *hc, const char *path, struct recvec *vec)
{
    struct journal_reader *jr = calloc(1, sizeof(*jr));
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t cap = 0;
    int rc = 0;

    if (f == NULL || jr == NULL) {
        fprintf(stderr, PROG ": cannot read %s: %s\n", path,
                strerror((f == NULL) ? errno : ENOMEM));
        rc = (f == NULL) ? EIO : ENOMEM;
        goto done;
    }
    jr->path = path;
    while (rc == 0) {
        const char *why = "";
        ssize_t n = getline(&buf, &cap, f);

        if (n < 0) {
            break;
        }
        jr->lineno++;
        if (buf[n - 1] != '\n') {
            fprintf(stderr,
                    PROG ": %s:%zu: ignoring a last line cut short (the "
                         "client was killed while writing it?)\n",
                    path, jr->lineno);
            break;
        }
        buf[--n] = '\0';
        rc = lf_hist_parse_line(buf, (size_t)n, &jr->line, &why);
        if (rc != 0) {
            rc = input_error(jr, why);
            break;
        }
        rc = take_line(hc, jr, vec);
    }
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, PROG ": cannot read %s: %s\n", path, strerror(errno));
        rc = EIO;
    }
    if (rc == 0 && jr->client == NULL) {
        fprintf(stderr, PROG ": %s: empty, not an lf-hist-client journal\n",
                path);
        rc = LF_ERR_SYNTAX;
    }
    if (rc == 0 && jr->pending) {
        rc = push_unanswered(hc, vec, &jr->sent, path);
    }

done:
    if (rc == ENOMEM) {
        fprintf(stderr, PROG ": out of memory reading %s\n", path);
    }
    if (f != NULL) {
        fclose(f);
    }
    free(buf);
    free(jr);
    return rc;
}

/* One "KEY OWNER MODE" line of a table from where. */
static int
take_lock_line(struct hist_check *hc, struct lockvec *vec, char *line,
               const char *where, size_t lineno)
{
    struct lf_hist_lock lock;
    const char *why = "";
    int rc = lf_hist_parse_lock(line, &lock, &why);

    if (rc != 0) {
        fprintf(stderr, PROG ": %s:%zu: %s\n", where, lineno, why);
        return rc;
    }
    rc = push_lock(hc, vec, &lock);
    if (rc != 0) {
        fprintf(stderr, PROG ": out of memory\n");
    }
    return rc;
}

static int
load_table_file(struct hist_check *hc, const char *path, struct lockvec *vec)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t cap = 0;
    size_t lineno = 0;
    int rc = 0;

    if (f == NULL) {
        fprintf(stderr, PROG ": cannot read %s: %s\n", path, strerror(errno));
        return EIO;
    }
    while (rc == 0) {
        ssize_t n = getline(&buf, &cap, f);

        if (n < 0) {
            break;
        }
        lineno++;
        if (buf[n - 1] == '\n') {
            buf[--n] = '\0';
        }
        rc = take_lock_line(hc, vec, buf, path, lineno);
    }
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, PROG ": cannot read %s: %s\n", path, strerror(errno));
        rc = EIO;
    }
    fclose(f);
    free(buf);
    return rc;
}

/*
 * LIST from address into vec. *answered tells whether the server
 * answered at all (connected and greeted us).
 */
static int
fetch_table(struct hist_check *hc, const char *address, struct lockvec *vec,
            bool *answered)
{
    struct lf_client client;
    char reply[LF_LINE_MAX + 1];
    const char *why = "";
    long long n = 0;
    int rc = lf_client_open(&client, address, hc->port, (int)hc->timeout_ms,
                            &hc->secret, &why);

    *answered = (rc == 0);
    if (rc != 0) {
        fprintf(stderr, PROG ": %s port %u does not answer: %s: %s\n", address,
                hc->port, why, lf_rc_str(rc));
        return rc;
    }
    rc = lf_client_call(&client, "LIST", reply, sizeof(reply));
    if (rc != 0) {
        fprintf(stderr, PROG ": no reply to LIST from %s port %u: %s\n",
                address, hc->port, lf_rc_str(rc));
        goto done;
    }
    if (strncmp(reply, "OK ", 3) != 0
        || lf_parse_long(reply + 3, 0, 1LL << 40, &n) != 0) {
        fprintf(stderr, PROG ": unexpected reply to LIST from %s: %s\n",
                address, reply);
        rc = LF_ERR_PROTO;
        goto done;
    }
    for (long long i = 0; i < n && rc == 0; i++) {
        rc = lf_client_read_line(&client, reply, sizeof(reply));
        if (rc != 0) {
            fprintf(stderr,
                    PROG ": LIST from %s cut short after %lld of "
                         "%lld: %s\n",
                    address, i, n, lf_rc_str(rc));
            break;
        }
        rc = take_lock_line(hc, vec, reply, address, (size_t)i + 1);
    }

done:
    lf_client_close(&client);
    return rc;
}

/* The other servers' tables; those that do not answer are left out. */
static int
fetch_others(struct hist_check *hc)
{
    hc->other_locks = calloc(hc->n_others + 1, sizeof(*hc->other_locks));
    hc->tables = calloc(hc->n_others + 1, sizeof(*hc->tables));
    if (hc->other_locks == NULL || hc->tables == NULL) {
        fprintf(stderr, PROG ": out of memory\n");
        return ENOMEM;
    }
    for (size_t i = 0; i < hc->n_others; i++) {
        struct lockvec *locks = &hc->other_locks[i];
        bool answered = false;
        int rc = fetch_table(hc, hc->others[i], locks, &answered);

        if (rc == ENOMEM) {
            return rc;
        }
        if (rc != 0) {
            fprintf(stderr, PROG ": %s left out of the comparison\n",
                    hc->others[i]);
            continue;
        }
        hc->tables[hc->n_tables].name = hc->others[i];
        hc->tables[hc->n_tables].locks = locks->v;
        hc->tables[hc->n_tables].n = locks->n;
        hc->n_tables++;
    }
    return 0;
}

static int
parse_args(int argc, char **argv, struct hist_check *hc)
{
    int rc = 0;

    hc->baselines = calloc((size_t)argc + 1, sizeof(*hc->baselines));
    hc->others = calloc((size_t)argc + 1, sizeof(*hc->others));
    if (hc->baselines == NULL || hc->others == NULL) {
        fprintf(stderr, PROG ": out of memory\n");
        return EXIT_INPUT;
    }
    for (;;) {
        int opt = getopt(argc, argv, "b:f:a:p:k:A:t:vh");

        if (opt == -1) {
            break;
        }
        switch (opt) {
        case 'b':
            hc->baselines[hc->n_baselines++] = optarg;
            break;
        case 'f':
            hc->final_file = optarg;
            break;
        case 'a':
            hc->address = optarg;
            break;
        case 'p':
            rc = lf_parse_option_port(PROG, 'p', optarg, &hc->port);
            break;
        case 'k':
            hc->secretfile = optarg;
            break;
        case 'A':
            hc->others[hc->n_others++] = optarg;
            break;
        case 't':
            rc =
                lf_parse_option(PROG, 't', optarg, 1, 3600000, &hc->timeout_ms);
            break;
        case 'v':
            hc->verbose = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return EXIT_INPUT;
        }
        if (rc != 0) {
            return EXIT_INPUT;
        }
    }
    if (hc->final_file != NULL && hc->address != NULL) {
        fprintf(stderr, PROG ": -f and -a both name the final table\n");
        return EXIT_INPUT;
    }
    if (hc->n_baselines > 0 && hc->final_file == NULL && hc->address == NULL) {
        fprintf(stderr, PROG ": -b needs the final table (-f or -a)\n");
        return EXIT_INPUT;
    }
    if (optind == argc && hc->n_baselines == 0) {
        fprintf(stderr, PROG ": no journal to check (-h for help)\n");
        return EXIT_INPUT;
    }
    return 0;
}

/* Every input, or an error already explained. */
static int
load_inputs(struct hist_check *hc, int argc, char **argv)
{
    const char *why = "";
    bool answered = false;
    int rc = 0;

    if (hc->secretfile != NULL) {
        rc = lf_secret_load(hc->secretfile, &hc->secret, &why);
        if (rc != 0) {
            fprintf(stderr, PROG ": %s %s: %s\n", why, hc->secretfile,
                    lf_rc_str(rc));
            return rc;
        }
    }
    for (size_t i = 0; i < hc->n_baselines && rc == 0; i++) {
        rc = load_journal(hc, hc->baselines[i], &hc->base);
    }
    for (int i = optind; i < argc && rc == 0; i++) {
        rc = load_journal(hc, argv[i], &hc->recs);
    }
    if (rc == 0 && hc->final_file != NULL) {
        rc = load_table_file(hc, hc->final_file, &hc->final);
    }
    if (rc == 0 && hc->address != NULL) {
        rc = fetch_table(hc, hc->address, &hc->final, &answered);
        if (rc != 0) {
            fprintf(stderr, PROG ": cannot fetch the final table from %s\n",
                    hc->address);
        }
    }
    if (rc == 0) {
        rc = fetch_others(hc);
    }
    return rc;
}

/* The summary, then the findings: the first LIST_SHOWN of each kind. */
static void
print_report(const struct hist_check *hc, const struct lf_hist_report *rep)
{
    char line[4 * LF_HIST_LINE_MAX];
    size_t shown = 0;
    size_t left = 0;

    lf_hist_format_summary(rep, line, sizeof(line));
    puts(line);
    for (size_t i = 0; i < rep->n_findings; i++) {
        const struct lf_hist_finding *f = &rep->findings[i];
        bool note = (f->kind == LF_HIST_LOST_UNREPLICATED);

        if (i > 0 && f->kind != rep->findings[i - 1].kind) {
            shown = 0;
        }
        if ((note && !hc->verbose) || (!hc->verbose && shown >= LIST_SHOWN)) {
            left += note ? 0 : 1;
            continue;
        }
        shown++;
        if (lf_hist_format_finding(rep, f, line, sizeof(line)) != 0) {
            snprintf(line, sizeof(line), "violation: (too long to show)");
        }
        puts(line);
    }
    if (left > 0) {
        printf("note: %zu more violations not listed (-v lists them)\n", left);
    }
}

int
main(int argc, char **argv)
{
    struct hist_check hc;
    struct lf_hist_input in;
    struct lf_hist_report rep;
    struct lf_hist_table final;
    char err[512];
    int status = EXIT_INPUT;
    int rc = 0;

    memset(&hc, 0, sizeof(hc));
    memset(&in, 0, sizeof(in));
    memset(&rep, 0, sizeof(rep));
    memset(&final, 0, sizeof(final));
    hc.port = LF_DEFAULT_PORT;
    hc.timeout_ms = 5000;
    if (parse_args(argc, argv, &hc) != 0 || load_inputs(&hc, argc, argv) != 0) {
        goto done;
    }
    final.name = (hc.final_file != NULL) ? hc.final_file : hc.address;
    final.locks = hc.final.v;
    final.n = hc.final.n;
    in.recs = hc.recs.v;
    in.n_recs = hc.recs.n;
    in.base = hc.base.v;
    in.n_base = hc.base.n;
    in.final = (final.name != NULL) ? &final : NULL;
    in.others = hc.tables;
    in.n_others = hc.n_tables;
    if (in.final == NULL) {
        fprintf(stderr, PROG ": no final table (-f or -a): the end-of-run "
                             "checks are skipped\n");
    }
    rc = lf_hist_check(&in, &rep, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, PROG ": %s\n", err);
        goto done;
    }
    print_report(&hc, &rep);
    status = (lf_hist_violations(&rep) > 0) ? EXIT_VIOLATION : 0;

done:
    if (fflush(stdout) != 0) {
        status = EXIT_INPUT;
    }
    lf_hist_report_free(&rep);
    for (size_t i = 0; hc.other_locks != NULL && i < hc.n_others; i++) {
        free(hc.other_locks[i].v);
    }
    free(hc.other_locks);
    free(hc.tables);
    free(hc.final.v);
    free(hc.recs.v);
    free(hc.base.v);
    free(hc.names);
    free(hc.baselines);
    free(hc.others);
    pool_free(&hc.pool);
    return status;
}

/* Unit tests for tests/history/lf_history.c, on synthetic histories. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lf_history.h"
#include "lf_rc.h"

#define MS 1000000LL /* journal times are in ns; the tests think in ms */
#define MAX_RECS 64

/* A history under construction: records, final table, baseline. */
struct hist {
    struct lf_hist_rec recs[MAX_RECS];
    size_t n;
    struct lf_hist_rec base[MAX_RECS];
    size_t n_base;
    struct lf_hist_lock locks[MAX_RECS];
    struct lf_hist_table final;
    bool has_final;
    struct lf_hist_report rep;
};

static void
add(struct hist *h, const char *client, long long ts, long long tr,
    enum lf_hist_op op, const char *key, char mode,
    enum lf_hist_outcome outcome, const char *holder)
{
    struct lf_hist_rec *r = &h->recs[h->n];

    assert_true(h->n < MAX_RECS);
    memset(r, 0, sizeof(*r));
    r->client = client;
    r->seq = h->n + 1;
    r->t_send = ts * MS;
    r->t_recv = tr * MS;
    r->op = op;
    r->key = key;
    r->owner = client; /* one owner per client, named like it */
    r->mode = (op == LF_HIST_LOCK) ? mode : '-';
    r->outcome = outcome;
    r->holder = holder;
    h->n++;
}

/* LOCK key X by client over [ts, tr] ms. */
static void
lock(struct hist *h, const char *client, long long ts, long long tr,
     const char *key, enum lf_hist_outcome outcome)
{
    add(h, client, ts, tr, LF_HIST_LOCK, key, 'X', outcome, NULL);
}

static void
lock_shared(struct hist *h, const char *client, long long ts, long long tr,
            const char *key, enum lf_hist_outcome outcome)
{
    add(h, client, ts, tr, LF_HIST_LOCK, key, 'S', outcome, NULL);
}

/* LOCK refused with ERR LOCKED holder. */
static void
locked(struct hist *h, const char *client, long long ts, long long tr,
       const char *key, const char *holder)
{
    add(h, client, ts, tr, LF_HIST_LOCK, key, 'X', LF_HIST_LOCKED, holder);
}

static void
unlock(struct hist *h, const char *client, long long ts, long long tr,
       const char *key, enum lf_hist_outcome outcome)
{
    add(h, client, ts, tr, LF_HIST_UNLOCK, key, '-', outcome, NULL);
}

/* The final table holds key for owner. */
static void
final_lock(struct hist *h, const char *key, const char *owner, char mode)
{
    struct lf_hist_lock *l = &h->locks[h->final.n];

    assert_true(h->final.n < MAX_RECS);
    l->key = key;
    l->owner = owner;
    l->mode = mode;
    h->final.name = "final";
    h->final.locks = h->locks;
    h->final.n++;
    h->has_final = true;
}

/* An empty final table: the end-of-run checks run. */
static void
final_empty(struct hist *h)
{
    h->final.name = "final";
    h->final.locks = h->locks;
    h->has_final = true;
}

/* Run the checker; returns the number of violations. */
static size_t
check_with(struct hist *h, const struct lf_hist_table *others, size_t n_others)
{
    struct lf_hist_input in = {
        .recs = h->recs,
        .n_recs = h->n,
        .base = h->base,
        .n_base = h->n_base,
        .final = h->has_final ? &h->final : NULL,
        .others = others,
        .n_others = n_others,
    };
    char err[256];

    lf_hist_report_free(&h->rep);
    assert_int_equal(lf_hist_check(&in, &h->rep, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    return lf_hist_violations(&h->rep);
}

static size_t
check(struct hist *h)
{
    return check_with(h, NULL, 0);
}

static struct hist *
new_hist(void)
{
    struct hist *h = test_calloc(1, sizeof(*h));

    assert_non_null(h);
    return h;
}

static void
free_hist(struct hist *h)
{
    lf_hist_report_free(&h->rep);
    test_free(h);
}

/* Two owners take turns on one key: nothing to report. */
static void
clean_history_passes(void **state)
{
    struct hist *h = new_hist();
    char line[512];

    lock(h, "a", 0, 1, "k", LF_HIST_OK);
    locked(h, "b", 2, 3, "k", "a");
    unlock(h, "a", 4, 5, "k", LF_HIST_OK);
    lock(h, "b", 6, 7, "k", LF_HIST_OK);
    locked(h, "a", 8, 9, "k", "b");
    unlock(h, "b", 10, 11, "k", LF_HIST_OK);
    lock(h, "a", 12, 13, "k", LF_HIST_OK);
    unlock(h, "b", 14, 15, "k2", LF_HIST_NOTHELD);
    lock(h, "b", 16, 17, "k2", LF_HIST_REFUSED);
    lock(h, "b", 18, 18, "k2", LF_HIST_NOCONN);
    final_lock(h, "k", "a", 'X');
    final_lock(h, "other", "someone", 'X');
    assert_int_equal(check(h), 0);
    assert_int_equal(h->rep.clients, 2);
    assert_int_equal(h->rep.ops, 9);
    assert_int_equal(h->rep.acked, 3);
    assert_int_equal(h->rep.refused, 1);
    assert_int_equal(h->rep.unknown, 0);
    assert_int_equal(h->rep.noconn, 1);
    assert_int_equal(h->rep.final_locks, 2);
    assert_int_equal(h->rep.n_findings, 0);
    assert_int_equal(lf_hist_format_summary(&h->rep, line, sizeof(line)), 0);
    assert_string_equal(line, "history: clients=2 ops=9 acked=3 refused=1 "
                              "unknown=0 noconn=1 double_granted=0 lost=0 "
                              "lost_unreplicated=0 resurrected=0 baseline=0 "
                              "baseline_lost=0 tables_differ=0 "
                              "final_locks=2");
    free_hist(h);
}

/* Each overlapping pair of holds counts once. */
static void
double_grants_counted(void **state)
{
    struct hist *h = new_hist();
    char line[512];

    lock(h, "a", 0, 1, "k", LF_HIST_OK); /* never released */
    lock(h, "b", 2, 3, "k", LF_HIST_OK);
    unlock(h, "b", 4, 5, "k", LF_HIST_OK);
    lock(h, "c", 6, 7, "k", LF_HIST_OK);
    unlock(h, "c", 8, 9, "k", LF_HIST_OK);
    lock(h, "a", 0, 1, "other", LF_HIST_OK); /* another key: no conflict */
    final_lock(h, "k", "a", 'X');
    final_lock(h, "other", "a", 'X');
    assert_int_equal(check(h), 2);
    assert_int_equal(h->rep.double_granted, 2);
    assert_int_equal(h->rep.lost, 0);
    assert_int_equal(h->rep.n_findings, 2);
    assert_int_equal(h->rep.findings[0].kind, LF_HIST_DOUBLE_GRANT);
    assert_string_equal(h->rep.findings[0].owner, "a");
    assert_string_equal(h->rep.findings[0].other, "b");
    assert_string_equal(h->rep.findings[1].other, "c");
    assert_int_equal(lf_hist_format_finding(&h->rep, &h->rep.findings[0], line,
                                            sizeof(line)),
                     0);
    assert_string_equal(line, "violation: double-grant key=k owner=a "
                              "[1.000..inf] owner=b [3.000..4.000] "
                              "modes=X,X");
    free_hist(h);
}

/* Shared holds may overlap; shared and exclusive may not. */
static void
shared_holds_overlap(void **state)
{
    struct hist *h = new_hist();

    lock_shared(h, "a", 0, 1, "k", LF_HIST_OK);
    lock_shared(h, "b", 2, 3, "k", LF_HIST_OK);
    unlock(h, "a", 4, 5, "k", LF_HIST_OK);
    unlock(h, "b", 6, 7, "k", LF_HIST_OK);
    final_empty(h);
    assert_int_equal(check(h), 0);
    lock(h, "c", 4, 5, "k", LF_HIST_OK); /* while b still shares it */
    unlock(h, "c", 8, 9, "k", LF_HIST_OK);
    assert_int_equal(check(h), 1);
    assert_int_equal(h->rep.double_granted, 1);
    assert_string_equal(h->rep.findings[0].owner, "b");
    assert_string_equal(h->rep.findings[0].other, "c");
    free_hist(h);
}

/* A hold ends when its UNLOCK is sent: overlapping requests are fine. */
static void
concurrent_handover_is_no_double_grant(void **state)
{
    struct hist *h = new_hist();

    lock(h, "a", 0, 1, "k", LF_HIST_OK);
    /* b's LOCK is answered while a's UNLOCK is still under way. */
    unlock(h, "a", 4, 6, "k", LF_HIST_OK);
    lock(h, "b", 3, 5, "k", LF_HIST_OK);
    /* b's hold starting exactly when c's UNLOCK was sent is no overlap. */
    lock(h, "c", 0, 1, "k3", LF_HIST_OK);
    unlock(h, "c", 4, 5, "k3", LF_HIST_OK);
    lock(h, "b", 2, 4, "k3", LF_HIST_OK);
    final_lock(h, "k", "b", 'X');
    final_lock(h, "k3", "b", 'X');
    assert_int_equal(check(h), 0);
    free_hist(h);
}

static void
lost_locks_detected(void **state)
{
    struct hist *h = new_hist();
    char line[512];

    /* During the run: the UNLOCK finds the lock gone. */
    lock(h, "a", 0, 1, "k1", LF_HIST_OK);
    unlock(h, "a", 2, 3, "k1", LF_HIST_NOTHELD);
    /* At the end: the last acknowledged LOCK is not in the table. */
    lock(h, "a", 4, 5, "k2", LF_HIST_OK);
    lock(h, "b", 4, 5, "k3", LF_HIST_HELD);
    /* A refused UNLOCK is not performed: still held, still lost. */
    lock(h, "b", 6, 7, "k4", LF_HIST_OK);
    unlock(h, "b", 8, 9, "k4", LF_HIST_REFUSED);
    /* Nothing sent (NOCONN) changes nothing either. */
    lock(h, "b", 10, 11, "k5", LF_HIST_OK);
    unlock(h, "b", 12, 12, "k5", LF_HIST_NOCONN);
    /* Kept: no violation. */
    lock(h, "c", 4, 5, "k6", LF_HIST_OK);
    final_lock(h, "k6", "c", 'X');
    assert_int_equal(check(h), 5);
    assert_int_equal(h->rep.lost, 5);
    assert_int_equal(h->rep.lost_unreplicated, 0);
    assert_int_equal(h->rep.findings[0].kind, LF_HIST_LOST);
    assert_int_equal(lf_hist_format_finding(&h->rep, &h->rep.findings[0], line,
                                            sizeof(line)),
                     0);
    assert_string_equal(line, "violation: lost key=k1 owner=a acked: LOCK OK "
                              "by a #1 at 1.000; then UNLOCK NOTHELD by a #2 "
                              "at 3.000");
    free_hist(h);
}

/* Unreplicated acknowledgements lost are counted apart, not violations. */
static void
lost_unreplicated_is_no_violation(void **state)
{
    struct hist *h = new_hist();
    char line[512];

    lock(h, "a", 0, 1, "k1", LF_HIST_OKU);
    unlock(h, "a", 2, 3, "k1", LF_HIST_NOTHELD);
    lock(h, "a", 4, 5, "k2", LF_HIST_HELDU);
    lock(h, "b", 4, 5, "k3", LF_HIST_OK);
    unlock(h, "b", 6, 7, "k3", LF_HIST_OKU); /* the release is lost */
    final_lock(h, "k3", "b", 'X');
    assert_int_equal(check(h), 0);
    assert_int_equal(h->rep.lost_unreplicated, 3);
    assert_int_equal(h->rep.lost, 0);
    assert_int_equal(h->rep.resurrected, 0);
    assert_int_equal(h->rep.acked, 3);
    assert_int_equal(lf_hist_format_finding(&h->rep, &h->rep.findings[0], line,
                                            sizeof(line)),
                     0);
    assert_string_equal(line, "note: lost-unreplicated key=k1 owner=a acked: "
                              "LOCK OKU by a #1 at 1.000; then UNLOCK NOTHELD "
                              "by a #2 at 3.000");
    free_hist(h);
}

static void
resurrections_detected(void **state)
{
    struct hist *h = new_hist();

    /* (a) released, but in the final table. */
    lock(h, "a", 0, 1, "k1", LF_HIST_OK);
    unlock(h, "a", 2, 3, "k1", LF_HIST_OK);
    /* (b) released, then "already held". */
    lock(h, "a", 0, 1, "k2", LF_HIST_OK);
    unlock(h, "a", 2, 3, "k2", LF_HIST_OK);
    lock(h, "a", 4, 5, "k2", LF_HIST_HELD);
    unlock(h, "a", 6, 7, "k2", LF_HIST_OK);
    /* (c) released, then another owner is refused: held by a. */
    lock(h, "a", 0, 1, "k3", LF_HIST_OK);
    unlock(h, "a", 2, 3, "k3", LF_HIST_OK);
    locked(h, "b", 4, 5, "k3", "a");
    /* the same release shown three ways counts once */
    lock(h, "a", 0, 1, "k4", LF_HIST_OK);
    unlock(h, "a", 2, 3, "k4", LF_HIST_OK);
    locked(h, "b", 4, 5, "k4", "a");
    locked(h, "c", 6, 7, "k4", "a");
    final_lock(h, "k1", "a", 'X');
    final_lock(h, "k4", "a", 'X');
    assert_int_equal(check(h), 4);
    assert_int_equal(h->rep.resurrected, 4);
    assert_int_equal(h->rep.lost, 0);
    free_hist(h);
}

/* ERR LOCKED naming an owner whose release may not have happened yet. */
static void
locked_reply_without_proof(void **state)
{
    struct hist *h = new_hist();

    /* b's LOCK was sent before a's UNLOCK was answered. */
    lock(h, "a", 0, 1, "k1", LF_HIST_OK);
    unlock(h, "a", 2, 5, "k1", LF_HIST_OK);
    locked(h, "b", 4, 6, "k1", "a");
    /* a sent a LOCK again before b's refusal came back. */
    lock(h, "a", 0, 1, "k2", LF_HIST_OK);
    unlock(h, "a", 2, 3, "k2", LF_HIST_OK);
    lock(h, "a", 8, 20, "k2", LF_HIST_UNKNOWN);
    locked(h, "b", 6, 9, "k2", "a");
    /* An owner we know nothing of. */
    locked(h, "b", 10, 11, "k3", "stranger");
    final_empty(h);
    assert_int_equal(check(h), 0);
    free_hist(h);
}

static void
baseline_checked(void **state)
{
    struct hist *h = new_hist();
    static const char *const keys[] = {"base-0", "base-1", "base-2", "base-3"};

    for (size_t i = 0; i < 4; i++) {
        struct lf_hist_rec *r = &h->base[h->n_base++];

        memset(r, 0, sizeof(*r));
        r->client = "baseline";
        r->seq = i + 1;
        r->t_send = (long long)i * MS;
        r->t_recv = r->t_send + MS / 2;
        r->op = LF_HIST_LOCK;
        r->key = keys[i];
        r->owner = "base";
        r->mode = 'X';
        r->outcome = (i == 3) ? LF_HIST_LOCKED : LF_HIST_OK;
        r->holder = (i == 3) ? "x" : NULL;
    }
    final_lock(h, "base-0", "base", 'X');
    final_lock(h, "base-2", "base", 'X');
    assert_int_equal(check(h), 1);
    assert_int_equal(h->rep.baseline, 3);
    assert_int_equal(h->rep.baseline_lost, 1);
    assert_string_equal(h->rep.findings[0].key, "base-1");
    /* The baseline's requests are not the clients'. */
    assert_int_equal(h->rep.ops, 0);
    assert_int_equal(h->rep.clients, 0);
    free_hist(h);
}

static void
tables_compared(void **state)
{
    struct hist *h = new_hist();
    static const struct lf_hist_lock same[] = {
        {"k2", "b", 'S'},
        {"k1", "a", 'X'},
    };
    static const struct lf_hist_lock differs[] = {
        {"k1", "a", 'X'},
        {"k2", "b", 'X'},
        {"k3", "c", 'X'},
    };
    struct lf_hist_table others[] = {
        {"10.0.0.2", same, 2},
        {"10.0.0.3", differs, 3},
    };
    char line[512];

    final_lock(h, "k1", "a", 'X');
    final_lock(h, "k2", "b", 'S');
    assert_int_equal(check_with(h, others, 1), 0);
    assert_int_equal(check_with(h, others, 2), 1);
    assert_int_equal(h->rep.tables_differ, 1);
    assert_int_equal(lf_hist_format_finding(&h->rep, &h->rep.findings[0], line,
                                            sizeof(line)),
                     0);
    assert_string_equal(line, "violation: tables differ between final and "
                              "10.0.0.3 (two enqueue servers?): 1 holds only "
                              "in the first, 2 only in the second");
    free_hist(h);
}

/* Unknown outcomes never count against the server. */
static void
unknown_outcomes_are_no_violation(void **state)
{
    struct hist *h = new_hist();

    /* An unknown LOCK starts no hold: b's grant is no double grant. */
    lock(h, "a", 0, 10, "k1", LF_HIST_UNKNOWN);
    lock(h, "b", 2, 3, "k1", LF_HIST_OK);
    /* An unknown UNLOCK ends the hold and may have released it. */
    lock(h, "a", 0, 1, "k2", LF_HIST_OK);
    unlock(h, "a", 4, 20, "k2", LF_HIST_UNKNOWN);
    lock(h, "b", 5, 6, "k2", LF_HIST_OK);
    unlock(h, "b", 7, 8, "k2", LF_HIST_OK);
    unlock(h, "a", 21, 22, "k2", LF_HIST_NOTHELD);
    /* The last request unknown: no end-of-run check either way. */
    lock(h, "a", 0, 1, "k3", LF_HIST_OK);
    unlock(h, "a", 2, 3, "k3", LF_HIST_UNKNOWN);
    lock(h, "a", 0, 1, "k4", LF_HIST_OK);
    unlock(h, "a", 2, 3, "k4", LF_HIST_UNKNOWN);
    unlock(h, "a", 4, 4, "k4", LF_HIST_NOCONN);
    lock(h, "a", 0, 1, "k5", LF_HIST_OK);
    unlock(h, "a", 2, 3, "k5", LF_HIST_OK);
    lock(h, "a", 4, 5, "k5", LF_HIST_UNKNOWN);
    final_lock(h, "k1", "b", 'X');
    final_lock(h, "k3", "a", 'X');
    final_lock(h, "k5", "a", 'X');
    assert_int_equal(check(h), 0);
    assert_int_equal(h->rep.unknown, 5);
    assert_int_equal(h->rep.lost_unreplicated, 0);
    free_hist(h);
}

/* NOCONN sent nothing: the hold goes on, so a grant to b is double. */
static void
noconn_is_a_no_op(void **state)
{
    struct hist *h = new_hist();

    lock(h, "a", 0, 1, "k", LF_HIST_OK);
    unlock(h, "a", 2, 2, "k", LF_HIST_NOCONN);
    lock(h, "b", 3, 4, "k", LF_HIST_OK);
    final_lock(h, "k", "a", 'X');
    final_lock(h, "k", "b", 'X');
    assert_int_equal(check(h), 1);
    assert_int_equal(h->rep.double_granted, 1);
    assert_int_equal(h->rep.noconn, 1);
    assert_int_equal(h->rep.ops, 2);
    free_hist(h);
}

/* The client's resolution of an unknown outcome: send it again. */
static void
resolution_sequences(void **state)
{
    struct hist *h = new_hist();

    /* LOCK unknown, LOCK again: already held -> held from that reply. */
    lock(h, "a", 0, 10, "k1", LF_HIST_UNKNOWN);
    lock(h, "b", 1, 2, "k1", LF_HIST_OK);
    unlock(h, "b", 3, 4, "k1", LF_HIST_OK);
    lock(h, "a", 11, 12, "k1", LF_HIST_HELD);
    /* LOCK unknown, LOCK again: locked by another -> not held. */
    lock(h, "a", 0, 10, "k2", LF_HIST_UNKNOWN);
    lock(h, "b", 1, 2, "k2", LF_HIST_OK);
    locked(h, "a", 11, 12, "k2", "b");
    /* UNLOCK unknown, UNLOCK again: not held -> fine. */
    lock(h, "a", 0, 1, "k3", LF_HIST_OK);
    unlock(h, "a", 2, 10, "k3", LF_HIST_UNKNOWN);
    unlock(h, "a", 11, 12, "k3", LF_HIST_NOTHELD);
    /* UNLOCK unknown, UNLOCK again: OK -> released for sure. */
    lock(h, "a", 0, 1, "k4", LF_HIST_OK);
    unlock(h, "a", 2, 10, "k4", LF_HIST_UNKNOWN);
    unlock(h, "a", 11, 12, "k4", LF_HIST_OK);
    final_lock(h, "k1", "a", 'X');
    final_lock(h, "k2", "b", 'X');
    assert_int_equal(check(h), 0);
    /* Settled states are checked: k1 must be there, k4 must not. */
    h->final.n = 0;
    final_lock(h, "k2", "b", 'X');
    final_lock(h, "k4", "a", 'X');
    assert_int_equal(check(h), 2);
    assert_int_equal(h->rep.lost, 1);
    assert_string_equal(h->rep.findings[0].key, "k1");
    assert_int_equal(h->rep.resurrected, 1);
    assert_string_equal(h->rep.findings[1].key, "k4");
    free_hist(h);
}

/* Without a final table only what the replies prove is checked. */
static void
no_final_table(void **state)
{
    struct hist *h = new_hist();

    lock(h, "a", 0, 1, "k", LF_HIST_OK);
    unlock(h, "a", 2, 3, "k", LF_HIST_OK);
    lock(h, "b", 0, 1, "k2", LF_HIST_OK);
    assert_int_equal(check(h), 0);
    unlock(h, "b", 2, 3, "k2", LF_HIST_NOTHELD);
    assert_int_equal(check(h), 1);
    assert_int_equal(h->rep.final_locks, 0);
    free_hist(h);
}

static void
one_owner_two_clients_refused(void **state)
{
    struct hist *h = new_hist();
    struct lf_hist_input in;
    char err[256];

    lock(h, "a", 0, 1, "k", LF_HIST_OK);
    lock(h, "b", 2, 3, "k", LF_HIST_OK);
    h->recs[1].owner = "a";
    memset(&in, 0, sizeof(in));
    in.recs = h->recs;
    in.n_recs = h->n;
    assert_int_equal(lf_hist_check(&in, &h->rep, err, sizeof(err)),
                     LF_ERR_SYNTAX);
    assert_non_null(strstr(err, "owner a is used on key k by clients a and b"));
    free_hist(h);
}

static void
classify_replies(void **state)
{
    assert_int_equal(lf_hist_classify(LF_HIST_LOCK, "OK"), LF_HIST_OK);
    assert_int_equal(lf_hist_classify(LF_HIST_UNLOCK, "OK"), LF_HIST_OK);
    assert_int_equal(lf_hist_classify(LF_HIST_LOCK, "OK unreplicated"),
                     LF_HIST_OKU);
    assert_int_equal(lf_hist_classify(LF_HIST_UNLOCK, "OK (unreplicated)"),
                     LF_HIST_OKU);
    assert_int_equal(lf_hist_classify(LF_HIST_LOCK, "OK already held"),
                     LF_HIST_HELD);
    assert_int_equal(
        lf_hist_classify(LF_HIST_LOCK, "OK already held, unreplicated"),
        LF_HIST_HELDU);
    assert_int_equal(lf_hist_classify(LF_HIST_LOCK, "OK replicated"),
                     LF_HIST_OK);
    /* The server's own form (protocol 2). */
    assert_int_equal(lf_hist_classify(LF_HIST_LOCK, "UNREPLICATED OK"),
                     LF_HIST_OKU);
    assert_int_equal(lf_hist_classify(LF_HIST_UNLOCK, "UNREPLICATED OK"),
                     LF_HIST_OKU);
    assert_int_equal(
        lf_hist_classify(LF_HIST_LOCK, "UNREPLICATED OK already held"),
        LF_HIST_HELDU);
    assert_int_equal(
        lf_hist_classify(LF_HIST_LOCK, "ERR NOREPLICA no replica in sync"),
        LF_HIST_REFUSED);
    assert_int_equal(lf_hist_classify(LF_HIST_LOCK, "OK notunreplicated"),
                     LF_HIST_OK);
    assert_int_equal(lf_hist_classify(LF_HIST_LOCK, "ERR LOCKED bob"),
                     LF_HIST_LOCKED);
    assert_int_equal(lf_hist_classify(LF_HIST_LOCK, "ERR LOCKED"),
                     LF_HIST_REFUSED);
    assert_int_equal(
        lf_hist_classify(LF_HIST_UNLOCK, "ERR NOTHELD a does not hold k"),
        LF_HIST_NOTHELD);
    assert_int_equal(lf_hist_classify(LF_HIST_LOCK, "ERR NOTHELD x"),
                     LF_HIST_REFUSED);
    assert_int_equal(lf_hist_classify(LF_HIST_LOCK, "ERR FULL the table"),
                     LF_HIST_REFUSED);
    assert_int_equal(
        lf_hist_classify(LF_HIST_UNLOCK, "ERR AUTH authentication required"),
        LF_HIST_REFUSED);
    assert_int_equal(lf_hist_classify(LF_HIST_LOCK, "OKAY"), LF_HIST_UNKNOWN);
    assert_int_equal(lf_hist_classify(LF_HIST_LOCK, "LEAPFROG 1 x NOAUTH"),
                     LF_HIST_UNKNOWN);
    assert_int_equal(lf_hist_classify(LF_HIST_LOCK, ""), LF_HIST_UNKNOWN);
}

/* Format a record, parse it back: the same record, the same line. */
static void
round_trip(const struct lf_hist_rec *rec, const char *text)
{
    struct lf_hist_line parsed;
    char line[LF_HIST_LINE_MAX + 1];
    char again[LF_HIST_LINE_MAX + 1];
    const char *why = NULL;

    assert_int_equal(lf_hist_format_record(rec, text, line, sizeof(line)), 0);
    assert_int_equal(lf_hist_parse_line(line, strlen(line), &parsed, &why), 0);
    assert_int_equal(parsed.kind, LF_HIST_LINE_RECORD);
    assert_string_equal(parsed.rec.client, rec->client);
    assert_true(parsed.rec.seq == rec->seq);
    assert_true(parsed.rec.t_send == rec->t_send);
    assert_true(parsed.rec.t_recv == rec->t_recv);
    assert_int_equal(parsed.rec.op, rec->op);
    assert_string_equal(parsed.rec.key, rec->key);
    assert_string_equal(parsed.rec.owner, rec->owner);
    assert_int_equal(parsed.rec.mode, rec->mode);
    assert_int_equal(parsed.rec.outcome, rec->outcome);
    assert_string_equal(parsed.text, (text != NULL) ? text : "");
    assert_int_equal(
        lf_hist_format_record(&parsed.rec, parsed.text, again, sizeof(again)),
        0);
    assert_string_equal(again, line);
}

static void
journal_lines_round_trip(void **state)
{
    struct lf_hist_rec rec = {
        .client = "c1",
        .seq = 18446744073709551615ULL,
        .t_send = 9223372036854775806LL,
        .t_recv = 9223372036854775807LL,
        .op = LF_HIST_LOCK,
        .key = "pre-k7",
        .owner = "c1",
        .mode = 'S',
        .outcome = LF_HIST_OK,
    };
    struct lf_hist_header header = {
        .name = "c1",
        .owner = "own",
        .address = "10.213.1.100",
        .start_realtime = 1700000000123456789LL,
    };
    struct lf_hist_line parsed;
    char line[LF_HIST_LINE_MAX + 1];
    const char *why = NULL;

    round_trip(&rec, "OK");
    round_trip(&rec, NULL);
    rec.outcome = LF_HIST_LOCKED;
    round_trip(&rec, "ERR LOCKED c2");
    assert_int_equal(
        lf_hist_format_record(&rec, "ERR LOCKED c2", line, sizeof(line)), 0);
    assert_int_equal(lf_hist_parse_line(line, strlen(line), &parsed, &why), 0);
    assert_string_equal(parsed.rec.holder, "c2");
    rec.op = LF_HIST_UNLOCK;
    rec.mode = '-';
    rec.seq = 0;
    rec.t_send = rec.t_recv = 0;
    rec.outcome = LF_HIST_UNKNOWN;
    round_trip(&rec, "(no reply: Connection timed out)");
    rec.outcome = LF_HIST_NOTHELD;
    round_trip(&rec, "ERR NOTHELD c1 does not hold pre-k7");

    /* Exactly what the brief's format says. */
    rec.outcome = LF_HIST_OKU;
    rec.t_send = 5;
    rec.t_recv = 7;
    rec.seq = 3;
    assert_int_equal(
        lf_hist_format_record(&rec, "OK unreplicated", line, sizeof(line)), 0);
    assert_string_equal(line, "c1 3 5 7 UNLOCK pre-k7 c1 - OKU OK "
                              "unreplicated");

    /* A reply's control characters are not carried into the journal. */
    assert_int_equal(lf_hist_format_record(&rec, "OK\tx\n", line, sizeof(line)),
                     0);
    assert_string_equal(line, "c1 3 5 7 UNLOCK pre-k7 c1 - OKU OK?x?");

    /* The send line and the header. */
    rec.op = LF_HIST_LOCK;
    rec.mode = 'X';
    assert_int_equal(lf_hist_format_send(&rec, line, sizeof(line)), 0);
    assert_string_equal(line, "# send c1 3 5 LOCK pre-k7 c1 X");
    assert_int_equal(lf_hist_parse_line(line, strlen(line), &parsed, &why), 0);
    assert_int_equal(parsed.kind, LF_HIST_LINE_SEND);
    assert_int_equal(parsed.rec.outcome, LF_HIST_UNKNOWN);
    assert_true(parsed.rec.t_recv == 5);
    assert_string_equal(parsed.rec.key, "pre-k7");
    assert_int_equal(lf_hist_format_header(&header, line, sizeof(line)), 0);
    assert_string_equal(line, "# lf-hist-client c1 owner=own "
                              "address=10.213.1.100 "
                              "start_realtime=1700000000123456789");
    assert_int_equal(lf_hist_parse_line(line, strlen(line), &parsed, &why), 0);
    assert_int_equal(parsed.kind, LF_HIST_LINE_HEADER);
    assert_string_equal(parsed.header.name, "c1");
    assert_string_equal(parsed.header.owner, "own");
    assert_string_equal(parsed.header.address, "10.213.1.100");
    assert_true(parsed.header.start_realtime == 1700000000123456789LL);
    assert_int_equal(lf_hist_parse_line("# options: x", 12, &parsed, &why), 0);
    assert_int_equal(parsed.kind, LF_HIST_LINE_COMMENT);

    /* The line need not be NUL-terminated. */
    assert_int_equal(
        lf_hist_parse_line("a 1 2 3 LOCK k a X OKtrailing", 21, &parsed, &why),
        0);
    assert_string_equal(parsed.text, "");
    assert_int_equal(parsed.rec.outcome, LF_HIST_OK);

    /* Too small an output buffer is refused. */
    assert_int_equal(lf_hist_format_record(&rec, "OK", line, 10),
                     LF_ERR_TOOLONG);
}

static void
bad_lines_rejected(void **state)
{
    static const struct {
        const char *line;
        const char *why; /* part of the explanation */
    } bad[] = {
        {"", "empty"},
        {"c1 1 2 3 LOCK k o X", "OUTCOME"},
        {"c1 1 2 3 LOCK k o X  OK", "OUTCOME"},
        {"c1  1 2 3 LOCK k o X OK", "OUTCOME"},
        {"c1 x 2 3 LOCK k o X OK", "sequence"},
        {"c1 1 -2 3 LOCK k o X OK", "t_send"},
        {"c1 1 2 3x LOCK k o X OK", "t_recv"},
        {"c1 1 2 9223372036854775808 LOCK k o X OK", "t_recv"},
        {"c1 1 5 3 LOCK k o X OK", "before"},
        {"c1 1 2 3 GRAB k o X OK", "LOCK or UNLOCK"},
        {"c1 1 2 3 LOCK k o Z OK", "mode"},
        {"c1 1 2 3 LOCK k o - OK", "mode"},
        {"c1 1 2 3 UNLOCK k o X OK", "mode"},
        {"c1 1 2 3 LOCK k o X FINE", "outcome"},
        {"c1 1 2 3 UNLOCK k o - HELD", "impossible"},
        {"c1 1 2 3 UNLOCK k o - LOCKED ERR LOCKED x", "impossible"},
        {"c1 1 2 3 LOCK k o X NOTHELD", "impossible"},
        {"c1 1 2 3 LOCK k o X LOCKED", "holder"},
        {"c1 1 2 3 LOCK k o X LOCKED ERR FULL", "holder"},
        {"c1 1 2 3 LOCK k o X OK\ttab", "control"},
        {"# send c1 1 2 LOCK k o", "send"},
        {"# send c1 1 2 3 LOCK k o X", "send"},
        {"# lf-hist-client c1 owner=o address=a", "header"},
        {"# lf-hist-client c1 owner=o address=a start_realtime=x", "header"},
        {"# lf-hist-client c1 user=o address=a start_realtime=1", "header"},
    };
    char longline[LF_HIST_LINE_MAX + 2];
    char longkey[LF_KEY_MAX + 64];
    struct lf_hist_line parsed;
    const char *why = NULL;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        if (lf_hist_parse_line(bad[i].line, strlen(bad[i].line), &parsed, &why)
            == 0) {
            fail_msg("accepted: '%s'", bad[i].line);
        }
        assert_non_null(why);
        if (strstr(why, bad[i].why) == NULL) {
            fail_msg("'%s': '%s' does not say '%s'", bad[i].line, why,
                     bad[i].why);
        }
    }
    memset(longkey, 'k', LF_KEY_MAX + 1);
    longkey[LF_KEY_MAX + 1] = '\0';
    snprintf(longline, sizeof(longline), "c1 1 2 3 LOCK %s o X OK", longkey);
    assert_int_equal(
        lf_hist_parse_line(longline, strlen(longline), &parsed, &why),
        LF_ERR_SYNTAX);
    assert_non_null(strstr(why, "key"));
    memset(longline, 'x', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = '\0';
    assert_int_equal(
        lf_hist_parse_line(longline, strlen(longline), &parsed, &why),
        LF_ERR_TOOLONG);
}

static void
lock_lines(void **state)
{
    char ok[] = "k1 alice S";
    char bad1[] = "k1 alice";
    char bad2[] = "k1 alice Q";
    char bad3[] = "k1 alice X extra";
    struct lf_hist_lock hold;
    const char *why = NULL;

    assert_int_equal(lf_hist_parse_lock(ok, &hold, &why), 0);
    assert_string_equal(hold.key, "k1");
    assert_string_equal(hold.owner, "alice");
    assert_int_equal(hold.mode, 'S');
    assert_int_equal(lf_hist_parse_lock(bad1, &hold, &why), LF_ERR_SYNTAX);
    assert_int_equal(lf_hist_parse_lock(bad2, &hold, &why), LF_ERR_SYNTAX);
    assert_non_null(strstr(why, "mode"));
    assert_int_equal(lf_hist_parse_lock(bad3, &hold, &why), LF_ERR_SYNTAX);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_history_passes),
        cmocka_unit_test(double_grants_counted),
        cmocka_unit_test(shared_holds_overlap),
        cmocka_unit_test(concurrent_handover_is_no_double_grant),
        cmocka_unit_test(lost_locks_detected),
        cmocka_unit_test(lost_unreplicated_is_no_violation),
        cmocka_unit_test(resurrections_detected),
        cmocka_unit_test(locked_reply_without_proof),
        cmocka_unit_test(baseline_checked),
        cmocka_unit_test(tables_compared),
        cmocka_unit_test(unknown_outcomes_are_no_violation),
        cmocka_unit_test(noconn_is_a_no_op),
        cmocka_unit_test(resolution_sequences),
        cmocka_unit_test(no_final_table),
        cmocka_unit_test(one_owner_two_clients_refused),
        cmocka_unit_test(classify_replies),
        cmocka_unit_test(journal_lines_round_trip),
        cmocka_unit_test(bad_lines_rejected),
        cmocka_unit_test(lock_lines),
    };

    return cmocka_run_group_tests_name("lf_history", tests, NULL, NULL);
}

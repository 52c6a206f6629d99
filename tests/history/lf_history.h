/*
 * lf_history.h - the lock-history instrument of the fault tests: the
 * journal that lf-hist-client writes (one line per request) and the
 * checker that lf-hist-check runs on every client's journal and the final
 * lock table. Everything here is pure (no I/O): the programs read and
 * write the files, this module only parses, formats and judges, so it is
 * unit-tested on synthetic histories.
 *
 * Journal lines (times from CLOCK_MONOTONIC, in ns):
 *
 *   # lf-hist-client NAME owner=OWNER address=ADDR start_realtime=NS
 *   # send NAME SEQ T_SEND OP KEY OWNER MODE     (written before sending)
 *   NAME SEQ T_SEND T_RECV OP KEY OWNER MODE OUTCOME [REPLY TEXT...]
 *
 * A "# send" line without its record (the client was killed while it
 * waited) stands for a request whose outcome is unknown.
 */
#ifndef LF_HISTORY_H
#define LF_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf_table.h"

#define LF_HIST_NAME_MAX 63       /* bytes in a client name */
#define LF_HIST_TEXT_MAX 1024     /* reply text kept in a record */
#define LF_HIST_LINE_MAX 2048     /* longest journal line, without newline */
#define LF_HIST_FOREVER INT64_MAX /* end of a hold never released */

enum lf_hist_op {
    LF_HIST_LOCK = 1,
    LF_HIST_UNLOCK,
};

enum lf_hist_outcome {
    LF_HIST_OK = 1,  /* acknowledged: a plain OK */
    LF_HIST_OKU,     /* acknowledged, the reply says "unreplicated" */
    LF_HIST_HELD,    /* LOCK: OK already held */
    LF_HIST_HELDU,   /* LOCK: OK already held ... unreplicated */
    LF_HIST_LOCKED,  /* LOCK: ERR LOCKED <holder> */
    LF_HIST_NOTHELD, /* UNLOCK: ERR NOTHELD ... */
    LF_HIST_REFUSED, /* any other ERR: not performed */
    LF_HIST_UNKNOWN, /* sent (or maybe sent), no reply: may have happened */
    LF_HIST_NOCONN,  /* no connection: nothing was sent */
};

/* One request of one client. Strings belong to the caller. */
struct lf_hist_rec {
    const char *client;
    uint64_t seq;
    int64_t t_send; /* before the request was written */
    int64_t t_recv; /* after its reply was read (or the failure seen) */
    enum lf_hist_op op;
    const char *key;
    const char *owner;
    char mode; /* LOCK: 'X' or 'S'; UNLOCK: '-' */
    enum lf_hist_outcome outcome;
    const char *holder; /* LOCKED: the holder the server named; else NULL */
};

struct lf_hist_header {
    const char *name;
    const char *owner;
    const char *address;
    int64_t start_realtime; /* CLOCK_REALTIME at start, ns */
};

enum lf_hist_line_kind {
    LF_HIST_LINE_RECORD = 1, /* a request and its outcome */
    LF_HIST_LINE_SEND,       /* "# send": a request about to be sent */
    LF_HIST_LINE_HEADER,     /* "# lf-hist-client ..." */
    LF_HIST_LINE_COMMENT,    /* any other line starting with '#' */
};

/* A parsed journal line; its pointers point into its own buffers. */
struct lf_hist_line {
    enum lf_hist_line_kind kind;
    struct lf_hist_rec rec; /* RECORD; SEND (outcome UNKNOWN, t_recv=t_send) */
    const char *text;       /* RECORD: the reply text, "" when none */
    struct lf_hist_header header; /* HEADER */
    char buf[LF_HIST_LINE_MAX + 1];
    char holder[LF_OWNER_MAX + 1];
};

/* One hold of a lock table: a line of LIST (or of "lf-enq list"). */
struct lf_hist_lock {
    const char *key;
    const char *owner;
    char mode; /* 'X' or 'S' */
};

/* A lock table and where it came from (a file name or an address). */
struct lf_hist_table {
    const char *name;
    const struct lf_hist_lock *locks;
    size_t n;
};

struct lf_hist_input {
    const struct lf_hist_rec *recs; /* every client's requests, any order */
    size_t n_recs;
    const struct lf_hist_rec *base; /* the baseline journals' requests */
    size_t n_base;
    /* The table after the run; NULL skips the end-of-run checks. */
    const struct lf_hist_table *final;
    /* Tables of other servers that answered: each must equal final. */
    const struct lf_hist_table *others;
    size_t n_others;
};

enum lf_hist_kind {
    LF_HIST_DOUBLE_GRANT = 1,  /* two owners held a key, one exclusively */
    LF_HIST_LOST,              /* an acknowledged lock disappeared */
    LF_HIST_RESURRECTED,       /* an acknowledged release was undone */
    LF_HIST_BASELINE_LOST,     /* a baseline lock is not in the final table */
    LF_HIST_TABLES_DIFFER,     /* two servers answer with different tables */
    LF_HIST_LOST_UNREPLICATED, /* an unreplicated change lost: no violation */
};

/* One finding of the checker; the pointers point into the input. */
struct lf_hist_finding {
    enum lf_hist_kind kind;
    const char *key;
    const char *owner;
    /* The acknowledgement at stake (the LOCK or UNLOCK reply); for a
     * double grant, the first owner's LOCK. */
    const struct lf_hist_rec *ack;
    /* The reply that showed it; NULL when the final table did. */
    const struct lf_hist_rec *evidence;
    /* DOUBLE_GRANT: both holds; ack starts the first, other_ack the
     * second; ends are LF_HIST_FOREVER when never released. */
    const char *other;
    const struct lf_hist_rec *other_ack;
    int64_t start;
    int64_t end;
    int64_t other_start;
    int64_t other_end;
    /* TABLES_DIFFER: the two tables and how many holds only each has. */
    const char *table;
    const char *other_table;
    size_t only_in_table;
    size_t only_in_other;
    int64_t when; /* when it showed, for the order of the list */
};

struct lf_hist_report {
    size_t clients;
    size_t ops; /* every request except NOCONN */
    size_t acked;
    size_t refused;
    size_t unknown;
    size_t noconn;
    size_t double_granted;
    size_t lost;
    size_t lost_unreplicated;
    size_t resurrected;
    size_t baseline;
    size_t baseline_lost;
    size_t tables_differ;
    size_t final_locks;
    int64_t t0; /* earliest t_send: times are shown relative to it */
    struct lf_hist_finding *findings; /* by kind, then time */
    size_t n_findings;
};

/*!
 * \brief Is s a valid client name: 1 to LF_HIST_NAME_MAX printable
 *        characters without spaces?
 */
bool lf_hist_valid_name(const char *s);

/*! \brief The journal's name of an operation ("LOCK", "UNLOCK"). */
const char *lf_hist_op_str(enum lf_hist_op op);

/*! \brief The journal's name of an outcome ("OK", "UNKNOWN", ...). */
const char *lf_hist_outcome_str(enum lf_hist_outcome outcome);

/*!
 * \brief Classify the server's reply to a LOCK or UNLOCK.
 *
 * \param[in] op     the request
 * \param[in] reply  its reply line, without newline
 *
 * \return the outcome: never LF_HIST_NOCONN; LF_HIST_UNKNOWN for a line
 *         that is neither OK nor ERR
 */
enum lf_hist_outcome lf_hist_classify(enum lf_hist_op op, const char *reply);

/*!
 * \brief Format a record line (without newline). Characters of text that
 *        are not printable ASCII become '?'; text is cut at
 *        LF_HIST_TEXT_MAX bytes.
 *
 * \param[in]  rec   the request (holder is not used: it is in text)
 * \param[in]  text  the reply text or a diagnostic; may be NULL or ""
 * \param[out] out   the line
 *
 * \return 0, or LF_ERR_TOOLONG when it does not fit size
 */
int lf_hist_format_record(const struct lf_hist_rec *rec, const char *text,
                          char *out, size_t size);

/*!
 * \brief Format the "# send" line written before a request is sent.
 *
 * \return 0, or LF_ERR_TOOLONG when it does not fit size
 */
int lf_hist_format_send(const struct lf_hist_rec *rec, char *out, size_t size);

/*!
 * \brief Format a journal's header line (without newline).
 *
 * \return 0, or LF_ERR_TOOLONG when it does not fit size
 */
int lf_hist_format_header(const struct lf_hist_header *header, char *out,
                          size_t size);

/*!
 * \brief Parse one journal line (without its newline).
 *
 * \param[in]  line  the bytes, not necessarily NUL-terminated
 * \param[in]  len   their number
 * \param[out] out   the parsed line; its pointers point into out
 * \param[out] why   on error, a static explanation
 *
 * \return 0 or LF_ERR_SYNTAX (LF_ERR_TOOLONG for a line over
 *         LF_HIST_LINE_MAX)
 */
int lf_hist_parse_line(const char *line, size_t len, struct lf_hist_line *out,
                       const char **why);

/*!
 * \brief Parse a lock-table line "KEY OWNER MODE" in place: the spaces of
 *        line become NULs and out points into it.
 *
 * \param[in,out] line  NUL-terminated, without newline
 * \param[out]    out   the hold
 * \param[out]    why   on error, a static explanation
 *
 * \return 0 or LF_ERR_SYNTAX
 */
int lf_hist_parse_lock(char *line, struct lf_hist_lock *out, const char **why);

/*!
 * \brief Check a history: double grants, acknowledged locks lost,
 *        released locks back, baseline locks gone, tables that differ.
 *
 * \param[in]  in       the records and tables; nothing is changed
 * \param[out] report   the counts and findings; free it with
 *                      lf_hist_report_free() (also after an error)
 * \param[out] err      on error, what is wrong with the input
 * \param[in]  errsize  size of err
 *
 * \return 0, LF_ERR_SYNTAX for an input that cannot be judged (one owner
 *         used by two clients on one key) or ENOMEM
 */
int lf_hist_check(const struct lf_hist_input *in, struct lf_hist_report *report,
                  char *err, size_t errsize);

/*! \brief Number of violations in a report (lost_unreplicated is none). */
size_t lf_hist_violations(const struct lf_hist_report *report);

/*! \brief Free what lf_hist_check() allocated in report. */
void lf_hist_report_free(struct lf_hist_report *report);

/*!
 * \brief The summary line "history: clients=N ops=N ...".
 *
 * \return 0, or LF_ERR_TOOLONG when it does not fit size
 */
int lf_hist_format_summary(const struct lf_hist_report *report, char *out,
                           size_t size);

/*!
 * \brief One line for a finding: "violation: ..." or, for
 *        LF_HIST_LOST_UNREPLICATED, "note: ...", times in ms after
 *        report->t0.
 *
 * \return 0, or LF_ERR_TOOLONG when it does not fit size
 */
int lf_hist_format_finding(const struct lf_hist_report *report,
                           const struct lf_hist_finding *finding, char *out,
                           size_t size);

#endif

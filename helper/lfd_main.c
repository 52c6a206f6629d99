/*
 * leapfrogd: keeps the follow-then-push-away constraints of every declared
 * pair current in the CIB, so that Pacemaker's own scheduler carries out
 * the leapfrog sequence. This file holds main(), the options, the five
 * modes (the table modes[]: the daemon and four one-shot commands) and
 * the daemon's evaluation loop; lfd_derive.c decides (with the stages it
 * runs), lfd_cib.c reads and writes, lfd_write.c keeps the safety rule of
 * every write.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib.h>
#include <libxml/tree.h>

#include "lf_log.h"
#include "lf_parse.h"
#include "lf_server.h"
#include "lfd_cib.h"
#include "lfd_derive.h"
#include "lfd_write.h"

#define DEBOUNCE_MS_DEFAULT 5

/* Exit status of --status, for monitoring: when several apply, the lowest
 * non-zero one. 1 (the CIB cannot be read) and 2 (usage) are every
 * mode's. */
enum lfd_status_exit {
    LFD_STATUS_OK = 0,          /* every pair current, no warning */
    LFD_STATUS_UNSETTLED = 3,   /* the cluster is not settled: unknown */
    LFD_STATUS_REFUSED = 4,     /* a declaration is refused */
    LFD_STATUS_OUT_OF_DATE = 5, /* constraints to be written */
    LFD_STATUS_WARNINGS = 6,    /* all current, but a warning applies */
};

enum lfd_mode {
    LFD_DAEMON, /* watch the CIB and keep every pair current */
    LFD_ONCE,   /* derive, print the changes it would write, exit */
    LFD_APPLY,  /* derive, write, exit (tests, CIB_file) */
    LFD_STATUS, /* print every pair and whether it is current */
    LFD_REMOVE, /* delete one pair's elements, exit */
};

struct lfd {
    struct lf_server srv; /* -f, -v, -P; detaching, signals, the pid file */
    int mode;             /* enum lfd_mode */
    bool dry_run;
    const char *remove_pair;
    long long debounce_ms;
    struct lfd_cib *cib;
    GMainLoop *loop;
    guint signals; /* the source of srv.signal_fd */
    guint timer;
    bool dirty; /* changes arrived since the last evaluation */
    char *last_unsettled;
    char **warned; /* the warnings last logged */
    size_t nwarned;
    unsigned long evaluations;
    unsigned long writes;
    unsigned long write_errors;
};

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: leapfrogd [-f] [-n] [-v] [-P PIDFILE] [-D DEBOUNCE_MS]\n"
            "       leapfrogd --once | --apply | --status | --remove F\n"
            "  -f, --foreground   do not detach; log to stderr too\n"
            "  -n, --dry-run      watch and log what would change, write "
            "nothing\n"
            "  -P, -p, --pidfile F  write the daemon's pid to F\n"
            "  -D, --debounce MS  wait this long for a burst of changes to "
            "end (5)\n"
            "  -v, --verbose      debug logging\n"
            "      --once         print the changes it would write, and "
            "exit\n"
            "      --apply        write the changes once, and exit\n"
            "      --status       print every pair, whether its "
            "constraints are current,\n"
            "                     and what weakens its guarantees; exit "
            "status 0: all\n"
            "                     well, 3 not settled, 4 a declaration "
            "refused, 5 out of\n"
            "                     date, 6 warnings\n"
            "      --remove F     delete the constraints of the pair whose "
            "follower is F\n"
            "  -h, --help         print this and exit\n"
            "The CIB is Pacemaker's, or the file named by CIB_file.\n");
}

static void
print_change(const struct lfd_change *c)
{
    printf("%s %s", lfd_op_str(c->op), c->id);
    if (c->parent != NULL) {
        printf(" (meta attributes of %s)", c->parent);
    }
    printf("\n");
    if (c->xml != NULL) {
        xmlBuffer *buf = xmlBufferCreate();

        if (buf != NULL) {
            xmlNodeDump(buf, NULL, c->xml, 1, 1);
            printf("  %s\n", (const char *)xmlBufferContent(buf));
            xmlBufferFree(buf);
        }
    }
}

static void
log_pair_errors(struct lfd *lfd, const struct lfd_result *r)
{
    for (size_t i = 0; i < r->npairs; i++) {
        if (r->pairs[i].error != NULL) {
            /* Logged at every evaluation would flood; debug after the
             * first time is enough, and the status shows it. */
            lf_log(lfd->evaluations <= 1 ? LOG_ERR : LOG_DEBUG,
                   "pair %s left as it is: %s", r->pairs[i].follower,
                   r->pairs[i].error);
        }
    }
}

static bool
was_warned(const struct lfd *lfd, const char *text)
{
    for (size_t i = 0; i < lfd->nwarned; i++) {
        if (strcmp(lfd->warned[i], text) == 0) {
            return true;
        }
    }
    return false;
}

static void
forget_warnings(struct lfd *lfd)
{
    for (size_t i = 0; i < lfd->nwarned; i++) {
        free(lfd->warned[i]);
    }
    free(lfd->warned);
    lfd->warned = NULL;
    lfd->nwarned = 0;
}

/* The warnings are logged when their set changes (the first evaluation
 * counts as one): new ones as warnings, those gone as notices. The same
 * set again logs nothing. */
static void
log_warnings(struct lfd *lfd, const struct lfd_result *r)
{
    bool changed = (r->nwarnings != lfd->nwarned);
    char **now;

    for (size_t i = 0; i < r->nwarnings; i++) {
        if (!was_warned(lfd, r->warnings[i].text)) {
            lf_warn("%s", r->warnings[i].text);
            changed = true;
        }
    }
    for (size_t i = 0; i < lfd->nwarned; i++) {
        if (!lfd_result_warns(r, lfd->warned[i])) {
            lf_notice("no longer applies: %s", lfd->warned[i]);
            changed = true;
        }
    }
    if (!changed) {
        return;
    }
    now = calloc(r->nwarnings + 1, sizeof(*now));
    if (now == NULL) {
        return; /* logged again next time: better than not at all */
    }
    for (size_t i = 0; i < r->nwarnings; i++) {
        now[i] = strdup(r->warnings[i].text);
        if (now[i] == NULL) {
            for (size_t k = 0; k < i; k++) {
                free(now[k]);
            }
            free(now);
            return;
        }
    }
    forget_warnings(lfd);
    lfd->warned = now;
    lfd->nwarned = r->nwarnings;
}

/* The writer of every mode that writes (lfd_write_changes()). */
static int
write_to_cib(void *arg, const struct lfd_change *c)
{
    struct lfd *lfd = arg;

    return lfd_cib_apply(lfd->cib, c);
}

/* Derive from the CIB as it is now; EIO when it cannot be read (logged).
 * The result holds copies: the CIB is released at once. */
static int
derive_now(struct lfd *lfd, struct lfd_result *r)
{
    xmlNode *xml = lfd_cib_xml(lfd->cib);
    int rc;

    if (xml == NULL) {
        return EIO;
    }
    rc = lfd_derive(xml, r);
    lfd_cib_release(lfd->cib);
    return rc;
}

/* The daemon logs each write and counts them. */
static void
report_logged(void *arg, const struct lfd_change *c, enum lfd_write how, int rc)
{
    struct lfd *lfd = arg;

    switch (how) {
    case LFD_WRITTEN:
        lfd->writes++;
        lf_notice("%sd %s (write %lu)", lfd_op_str(c->op), c->id, lfd->writes);
        break;
    case LFD_WRITE_FAILED:
        lfd->write_errors++;
        lf_err("cannot %s %s: %s; the pair keeps its previous "
               "constraints",
               lfd_op_str(c->op), c->id, lfd_cib_strerror(rc));
        break;
    case LFD_WRITE_SKIPPED:
        break;
    }
}

/* Derive and write what changed. */
static void
evaluate(struct lfd *lfd)
{
    struct lfd_result r;
    int rc;

    lfd->evaluations++;
    rc = derive_now(lfd, &r);
    if (rc == EIO) {
        return; /* logged; the next notification or reconnect retries */
    }
    if (rc != 0) {
        lf_err("cannot derive the constraints: %s", strerror(rc));
        return;
    }
    log_warnings(lfd, &r);
    if (!r.settled) {
        if (lfd->last_unsettled == NULL
            || strcmp(lfd->last_unsettled, r.unsettled) != 0) {
            lf_info("waiting for the cluster to settle: %s", r.unsettled);
            free(lfd->last_unsettled);
            lfd->last_unsettled = strdup(r.unsettled);
        }
        lfd_result_free(&r);
        return;
    }
    free(lfd->last_unsettled);
    lfd->last_unsettled = NULL;
    log_pair_errors(lfd, &r);
    if (lfd->dry_run) {
        for (size_t i = 0; i < r.nchanges; i++) {
            lf_notice("would %s %s", lfd_op_str(r.changes[i].op),
                      r.changes[i].id);
        }
    } else {
        (void)lfd_write_changes(&r, write_to_cib, report_logged, lfd);
    }
    lfd_result_free(&r);
}

static gboolean
debounced(gpointer data)
{
    struct lfd *lfd = data;

    if (lfd->dirty) {
        /* More changes came during the quiet period: one evaluation for
         * all of them, and another quiet period. */
        lfd->dirty = false;
        evaluate(lfd);
        return G_SOURCE_CONTINUE;
    }
    lfd->timer = 0;
    return G_SOURCE_REMOVE;
}

/* A change after a quiet period is evaluated at once (no added latency);
 * the changes that follow within the debounce period are folded into one
 * evaluation at its end. */
static void
cib_changed(void *arg)
{
    struct lfd *lfd = arg;

    if (lfd->timer != 0) {
        lfd->dirty = true;
        return;
    }
    evaluate(lfd);
    if (lfd->debounce_ms > 0) {
        lfd->timer = g_timeout_add((guint)lfd->debounce_ms, debounced, lfd);
    }
}

static void
cib_reconnected(void *arg)
{
    cib_changed(arg);
}

/* SIGTERM, SIGINT: stop. SIGUSR1: the counters, for operators and the
 * benchmark. SIGHUP: nothing. */
static gboolean
on_signals(gint fd, GIOCondition condition, gpointer data)
{
    struct lfd *lfd = data;
    struct lf_server_signal got = lf_server_read_signals(fd);

    (void)condition;
    if (got.usr1) {
        lf_notice("stats: evaluations=%lu writes=%lu write_errors=%lu "
                  "skipped=%lu",
                  lfd->evaluations, lfd->writes, lfd->write_errors,
                  lfd_cib_skipped(lfd->cib));
    }
    if (got.stop != 0) {
        lf_notice("stopping after %lu evaluations, %lu writes and %lu "
                  "notifications that needed no evaluation",
                  lfd->evaluations, lfd->writes, lfd_cib_skipped(lfd->cib));
        g_main_loop_quit(lfd->loop);
    }
    return G_SOURCE_CONTINUE;
}

static void
print_warnings(const struct lfd_result *r, const char *pair, const char *indent)
{
    for (size_t i = 0; i < r->nwarnings; i++) {
        const struct lfd_warning *w = &r->warnings[i];

        if ((pair == NULL) == (w->pair == NULL)
            && (pair == NULL || strcmp(pair, w->pair) == 0)) {
            printf("%swarning: %s\n", indent, w->text);
        }
    }
}

/* Fold one finding into the --status exit code: the lowest non-zero code
 * found wins. */
static int
fold_status(int status, int code)
{
    return (status == LFD_STATUS_OK || code < status) ? code : status;
}

static int
print_status(struct lfd *lfd)
{
    struct lfd_result r;
    int status = LFD_STATUS_OK;
    int rc = derive_now(lfd, &r);

    if (rc != 0) {
        fprintf(stderr, "leapfrogd: cannot derive: %s\n", strerror(rc));
        return 1;
    }
    print_warnings(&r, NULL, "");
    if (r.npairs == 0) {
        printf("no pair declared (meta attribute leapfrog-follows)\n");
    }
    for (size_t i = 0; i < r.npairs; i++) {
        const struct lfd_pair *p = &r.pairs[i];

        printf("pair %s follows %s (survivor %s)\n", p->follower,
               p->partner != NULL ? p->partner : "?",
               p->survivor != NULL ? p->survivor : "?");
        if (p->error != NULL) {
            printf("  error: %s\n", p->error);
            status = fold_status(status, LFD_STATUS_REFUSED);
        } else if (p->conflict != NULL) {
            /* Warned about below: the exit status says warnings. */
            printf("  constraints: not written (%s is not leapfrogd's)\n",
                   p->conflict);
        } else if (!r.settled) {
            printf("  unknown: %s\n", r.unsettled);
            status = fold_status(status, LFD_STATUS_UNSETTLED);
        } else {
            printf("  %s on %s, %s on %s, %d eligible node(s) for %s\n",
                   p->follower, p->node_f != NULL ? p->node_f : "(stopped)",
                   p->partner, p->node_p != NULL ? p->node_p : "(stopped)",
                   p->eligible, p->partner);
            printf("  constraints: %s\n",
                   p->current ? "current"
                              : "out of date (leapfrogd will update them)");
            if (!p->current) {
                status = fold_status(status, LFD_STATUS_OUT_OF_DATE);
            }
        }
        print_warnings(&r, p->follower, "  ");
    }
    if (r.nwarnings > 0) {
        status = fold_status(status, LFD_STATUS_WARNINGS);
    }
    lfd_result_free(&r);
    return status;
}

/* Derive for a one-shot command, with the pairs refused and an unsettled
 * cluster reported on stderr: 0, or the exit status (r is then
 * released). */
static int
derive_command(struct lfd *lfd, struct lfd_result *r)
{
    int rc = derive_now(lfd, r);

    if (rc != 0) {
        fprintf(stderr, "leapfrogd: cannot derive: %s\n", strerror(rc));
        return 1;
    }
    for (size_t i = 0; i < r->npairs; i++) {
        if (r->pairs[i].error != NULL) {
            fprintf(stderr, "leapfrogd: pair %s: %s\n", r->pairs[i].follower,
                    r->pairs[i].error);
        }
    }
    if (!r->settled) {
        fprintf(stderr, "leapfrogd: not settled: %s\n", r->unsettled);
        lfd_result_free(r);
        return 3;
    }
    return 0;
}

/* --once: print what would be written. */
static int
run_once(struct lfd *lfd)
{
    struct lfd_result r;
    int status = derive_command(lfd, &r);

    if (status != 0) {
        return status;
    }
    for (size_t i = 0; i < r.nchanges; i++) {
        print_change(&r.changes[i]);
    }
    if (r.nchanges == 0) {
        printf("nothing to change\n");
    }
    lfd_result_free(&r);
    return 0;
}

/* --apply prints each write's outcome. */
static void
report_printed(void *arg, const struct lfd_change *c, enum lfd_write how,
               int rc)
{
    (void)arg;
    if (how == LFD_WRITE_SKIPPED) {
        printf("%s %s: skipped after an earlier failure of its pair\n",
               lfd_op_str(c->op), c->id);
        return;
    }
    printf("%s %s: %s\n", lfd_op_str(c->op), c->id,
           how == LFD_WRITTEN ? "done" : lfd_cib_strerror(rc));
}

/* --apply: write once; 1 when a change was not written. */
static int
run_apply(struct lfd *lfd)
{
    struct lfd_result r;
    int status = derive_command(lfd, &r);

    if (status != 0) {
        return status;
    }
    status =
        (lfd_write_changes(&r, write_to_cib, report_printed, lfd) > 0) ? 1 : 0;
    if (r.nchanges == 0) {
        printf("nothing to change\n");
    }
    lfd_result_free(&r);
    return status;
}

/* Delete every element of one pair, declared or not: those the CIB holds
 * that are leapfrogd's, found by walking it (lfd_derive_removal()), never
 * by an expression built from the argument. */
static int
remove_pair(struct lfd *lfd)
{
    struct lfd_result r;
    xmlNode *xml = lfd_cib_xml(lfd->cib);
    int status = 0;
    int rc;

    if (xml == NULL) {
        return 1;
    }
    rc = lfd_derive_removal(xml, lfd->remove_pair, &r);
    lfd_cib_release(lfd->cib);
    if (rc != 0) {
        fprintf(stderr, "leapfrogd: cannot derive: %s\n", strerror(rc));
        return 1;
    }
    print_warnings(&r, lfd->remove_pair, "");
    /* Each deletion is tried, whatever became of the others. */
    for (size_t i = 0; i < r.nchanges; i++) {
        rc = lfd_cib_apply(lfd->cib, &r.changes[i]);
        if (rc != 0) {
            fprintf(stderr, "leapfrogd: cannot delete %s: %s\n",
                    r.changes[i].id, lfd_cib_strerror(rc));
            status = 1;
        }
    }
    if (status == 0) {
        printf("removed the constraints of pair %s (%zu elements)\n",
               lfd->remove_pair, r.nchanges);
    }
    lfd_result_free(&r);
    return status;
}

/* --remove F, --status and the like: messages on stderr, the CIB read
 * once. */
static int
setup_command(struct lfd *lfd)
{
    int rc;

    lf_log_init("leapfrogd", LF_LOG_STDERR, LOG_DAEMON);
    lf_log_set_level(lfd->srv.verbose ? LOG_DEBUG : LOG_WARNING);
    rc = lfd_cib_connect(false, NULL, NULL, NULL, &lfd->cib);
    if (rc != 0) {
        fprintf(stderr, "leapfrogd: cannot read the CIB: %s\n",
                lfd_cib_strerror(rc));
        return 1;
    }
    return 0;
}

/* The daemon: detached (unless -f), its signals, Pacemaker's logging, the
 * pid file, the main loop, the CIB watched. */
static int
setup_daemon(struct lfd *lfd, int argc, char **argv)
{
    int rc;

    /* Pacemaker's logging set-up changes the working directory: a relative
     * CIB_file would then name another file. */
    if (getenv("CIB_file") != NULL) {
        char *abs = realpath(getenv("CIB_file"), NULL);

        if (abs != NULL) {
            setenv("CIB_file", abs, 1);
            free(abs);
        }
    }
    lf_log_init("leapfrogd", LF_LOG_STDERR, LOG_DAEMON);
    /* Signals blocked before any library can start a thread, which would
     * otherwise take them. */
    if (lf_server_detach(&lfd->srv) != 0 || lf_server_signals(&lfd->srv) != 0) {
        return 1;
    }
    lfd_cib_log_init(argc, argv, lfd->srv.foreground || lfd->srv.notify_fd >= 0,
                     lfd->srv.verbose);
    lf_log_set_level(lfd->srv.verbose ? LOG_DEBUG : LOG_INFO);
    if (lf_server_write_pidfile(&lfd->srv) != 0) {
        return 1;
    }
    lfd->loop = g_main_loop_new(NULL, FALSE);
    lfd->signals = g_unix_fd_add(lfd->srv.signal_fd, G_IO_IN, on_signals, lfd);
    rc = lfd_cib_connect(true, cib_changed, cib_reconnected, lfd, &lfd->cib);
    if (rc != 0) {
        lf_err("cannot connect to the CIB: %s", lfd_cib_strerror(rc));
        return 1;
    }
    return 0;
}

/* Evaluate once, then on every change until a signal stops the loop. */
static int
run_daemon(struct lfd *lfd)
{
    lf_notice("watching the CIB%s",
              lfd->dry_run ? " (dry run: no writes)" : "");
    lf_server_ready(&lfd->srv);
    evaluate(lfd);
    g_main_loop_run(lfd->loop);
    return 0;
}

/* What a mode needs before it runs. */
enum lfd_setup {
    LFD_SETUP_COMMAND, /* setup_command() */
    LFD_SETUP_DAEMON,  /* setup_daemon() */
};

/* The modes, by enum lfd_mode; a mode's option is "--<name>". */
static const struct {
    const char *name;
    enum lfd_setup setup;
    int (*run)(struct lfd *lfd);
} modes[] = {
    [LFD_DAEMON] = {"daemon", LFD_SETUP_DAEMON, run_daemon},
    [LFD_ONCE] = {"once", LFD_SETUP_COMMAND, run_once},
    [LFD_APPLY] = {"apply", LFD_SETUP_COMMAND, run_apply},
    [LFD_STATUS] = {"status", LFD_SETUP_COMMAND, print_status},
    [LFD_REMOVE] = {"remove", LFD_SETUP_COMMAND, remove_pair},
};

/* The command line: 0, or the exit status. */
static int
parse_args(int argc, char **argv, struct lfd *lfd)
{
    const struct lf_server_option options[] = {
        {'n', "dry-run", .set = &lfd->dry_run},
        {'p', .text = &lfd->srv.pidfile}, /* -P, as the servers spell it */
        {'D', "debounce", .wide = &lfd->debounce_ms, .min = 0, .max = 60000},
        {0, modes[LFD_ONCE].name, .choice = &lfd->mode, .value = LFD_ONCE},
        {0, modes[LFD_APPLY].name, .choice = &lfd->mode, .value = LFD_APPLY},
        {0, modes[LFD_STATUS].name, .choice = &lfd->mode, .value = LFD_STATUS},
        {0, modes[LFD_REMOVE].name, .text = &lfd->remove_pair,
         .choice = &lfd->mode, .value = LFD_REMOVE},
    };
    enum lf_exit end;

    lfd->srv.shared =
        LF_SERVER_PIDFILE | LF_SERVER_FOREGROUND | LF_SERVER_VERBOSE;
    lfd->srv.own_log = true;
    lfd->debounce_ms = DEBOUNCE_MS_DEFAULT;
    end = lf_server_parse(&lfd->srv, argc, argv, options,
                          sizeof(options) / sizeof(options[0]), usage);
    if (end != LF_EXIT_OK) {
        return lf_exit_status(LF_EXIT_DAEMON, end);
    }
    /* A resource id by the CIB's rules, or nothing is looked up. */
    if (lfd->remove_pair != NULL
        && (!lfd_id_valid(lfd->remove_pair)
            || strlen(lfd->remove_pair) > LFD_RSC_MAX)) {
        fprintf(stderr,
                "leapfrogd: --remove takes a resource id (letters, digits, "
                "'.', '-', '_', not starting with a digit, '.' or '-'; at "
                "most %d characters)\n",
                LFD_RSC_MAX);
        return lf_exit_status(LF_EXIT_DAEMON, LF_EXIT_USAGE);
    }
    return 0;
}

/* Whatever a mode set up goes, in one place; the skeleton's last (the pid
 * file removed after a clean stop, a failed start-up passed on to the
 * starter). */
static int
teardown(struct lfd *lfd, int status)
{
    if (lfd->timer != 0) {
        g_source_remove(lfd->timer);
    }
    if (lfd->signals != 0) {
        g_source_remove(lfd->signals);
    }
    lfd_cib_disconnect(lfd->cib);
    if (lfd->loop != NULL) {
        g_main_loop_unref(lfd->loop);
    }
    free(lfd->last_unsettled);
    forget_warnings(lfd);
    (void)lf_server_finish(&lfd->srv,
                           status == 0 ? LF_EXIT_OK : LF_EXIT_FAILED);
    return status;
}

int
main(int argc, char **argv)
{
    struct lfd lfd;
    int status;

    memset(&lfd, 0, sizeof(lfd));
    lf_server_init(&lfd.srv, "leapfrogd");
    status = parse_args(argc, argv, &lfd);
    if (status != 0) {
        return status;
    }
    if (modes[lfd.mode].setup == LFD_SETUP_DAEMON) {
        status = setup_daemon(&lfd, argc, argv);
    } else {
        status = setup_command(&lfd);
    }
    if (status == 0) {
        status = modes[lfd.mode].run(&lfd);
    }
    return teardown(&lfd, status);
}

/*
 * lfd_run.h - leapfrogd's own state and its modes, private to the program:
 * lfd_main.c parses the command line and runs a mode from its table;
 * lfd_daemon.c is the daemon (the CIB watched, every pair kept current);
 * lfd_commands.c the one-shot commands (--once, --apply, --status,
 * --remove).
 */
#ifndef LFD_RUN_H
#define LFD_RUN_H

#include <stdbool.h>

#include <glib.h>

#include "lf_server.h"
#include "lfd_cib.h"
#include "lfd_derive.h"

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

/* Derive from the CIB as it is now; EIO when it cannot be read (logged).
 * The result holds copies: the CIB is released at once. */
int lfd_run_derive(struct lfd *lfd, struct lfd_result *r);

/* The writer of every mode that writes (lfd_write_changes()). */
int lfd_run_write(void *arg, const struct lfd_change *c);

/* The daemon: detached (unless -f), its signals, Pacemaker's logging, the
 * pid file, the main loop, the CIB watched: 0, or the exit status. */
int lfd_daemon_setup(struct lfd *lfd, int argc, char **argv);

/* Evaluate once, then on every change until a signal stops the loop. */
int lfd_daemon_run(struct lfd *lfd);

/* What the daemon set up goes (before the CIB connection). */
void lfd_daemon_free(struct lfd *lfd);

/* The one-shot commands: messages on stderr, the CIB read once. */
int lfd_command_setup(struct lfd *lfd);
int lfd_command_once(struct lfd *lfd);   /* --once */
int lfd_command_apply(struct lfd *lfd);  /* --apply */
int lfd_command_status(struct lfd *lfd); /* --status */
int lfd_command_remove(struct lfd *lfd); /* --remove F */

#endif

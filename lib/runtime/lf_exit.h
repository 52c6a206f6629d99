/*
 * lf_exit.h - the exit statuses of every leapfrog program, in one table.
 *
 * A program says how its run ended (enum lf_exit) and converts that to its
 * exit status with lf_exit_status() once, at its end. The table, in
 * lf_exit.c, gives the status of each end for each kind of program:
 *
 *   end            daemon  client  agent (OCF 1.1)
 *   OK               0       0     0  OCF_SUCCESS
 *   FAILED           1       3     1  OCF_ERR_GENERIC
 *   USAGE            2       2     6  OCF_ERR_CONFIGURED
 *   NOTHING          3       -     -
 *   REFUSED          -       1     -
 *   UNREACHABLE      -       3     1  OCF_ERR_GENERIC
 *   NOT_INSTALLED    -       2     5  OCF_ERR_INSTALLED
 *   NO_PRIV          -       -     4  OCF_ERR_PERM
 *   NOT_RUNNING      -       -     7  OCF_NOT_RUNNING
 *   DEGRADED         -       -   190  OCF_DEGRADED
 *   ARGS             -       -     2  OCF_ERR_ARGS
 *   UNIMPLEMENTED    -       -     3  OCF_ERR_UNIMPLEMENTED
 *
 * A "-" is an end that kind of program never comes to: it exits with the
 * status of FAILED. The daemons' and the client's columns are their man
 * pages' EXIT STATUS sections; the agents' is OCF's, the values of
 * Pacemaker's enum ocf_exitcode (tests/unit/test_lf_exit.c checks both).
 */
#ifndef LF_EXIT_H
#define LF_EXIT_H

/* The kinds of program: the table's columns. */
enum lf_exit_kind {
    LF_EXIT_DAEMON = 0, /* lf-enqueued, lf-replicad, lf-watch */
    LF_EXIT_CLIENT,     /* lf-enq */
    LF_EXIT_AGENT,      /* the OCF agents */
    LF_EXIT_KINDS,
};

/* How a run ended: the table's rows. */
enum lf_exit {
    LF_EXIT_OK = 0,        /* done: a clean stop, a request answered */
    LF_EXIT_FAILED,        /* it could not do its job (a start-up, an
                              action) */
    LF_EXIT_USAGE,         /* a bad command line, or bad parameters */
    LF_EXIT_NOTHING,       /* lf-watch: nothing to watch */
    LF_EXIT_REFUSED,       /* the server refused the request */
    LF_EXIT_UNREACHABLE,   /* no server, or it broke the protocol */
    LF_EXIT_NOT_INSTALLED, /* something it needs is missing on this node */
    LF_EXIT_NO_PRIV,       /* not allowed to do it */
    LF_EXIT_NOT_RUNNING,   /* the resource is stopped (a monitor) */
    LF_EXIT_DEGRADED,      /* running, but degraded (a monitor) */
    LF_EXIT_ARGS,          /* an agent called with the wrong arguments */
    LF_EXIT_UNIMPLEMENTED, /* an agent asked for an action it lacks */
    LF_EXIT_ENDS,
};

/*!
 * \brief The exit status of a program of this kind for this end.
 *
 * \return the table's value; FAILED's for an end this kind never comes to
 */
int lf_exit_status(enum lf_exit_kind kind, enum lf_exit end);

/*!
 * \brief How the run of a program of this kind ended, by its exit status
 *        (what an agent learns from the daemon it started).
 *
 * \return the first end in the table's order with this status (FAILED
 *         before the others with the same), FAILED for an unknown one
 */
enum lf_exit lf_exit_of_status(enum lf_exit_kind kind, int status);

/*!
 * \brief The end of a failure to load a file that the command line or the
 *        parameters name (the secret file).
 *
 * \param[in] rc  0, a positive errno value or an enum lf_rc code
 *
 * \return OK for 0; NOT_INSTALLED when it does not exist (ENOENT): it is
 *         missing on this node; USAGE when it exists but cannot be used
 */
enum lf_exit lf_exit_of_file_rc(int rc);

/*!
 * \brief The end of a request to a server that returned rc (connecting,
 *        authenticating, the call and its reply).
 *
 * \return OK for 0, else UNREACHABLE
 */
enum lf_exit lf_exit_of_call_rc(int rc);

#endif

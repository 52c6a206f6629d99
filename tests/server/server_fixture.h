/*
 * server_fixture.h - what the tests of real server processes share
 * (tests/server/test_servers.c, test_limits.c): an lf-enqueued and an
 * lf-replicad started from the build tree on loopback, each test with a
 * state directory of its own in a temporary directory; waiting for them
 * (a start returns once the daemon serves); clients on them, through
 * lf_client or a raw socket; their logs; and their end, by pid, in the
 * test's teardown even when an assertion ended the test early.
 *
 * What goes wrong fails the running cmocka test (its assertions).
 */
#ifndef SERVER_FIXTURE_H
#define SERVER_FIXTURE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "lf_client.h"

/* Where the servers are: the build tree's server/ (LF_BUILDDIR). */
extern char fx_bindir[PATH_MAX];
/* The test program's temporary directory, the tests' directories in it. */
extern char fx_workdir[256];

/* One test's servers, kept in the test's state. */
struct fx_pair {
    char instance[32];
    uint16_t port;
    char statedir[320]; /* lf-enqueued's -s; the test's own files too */
    char epid[PATH_MAX];
    char rpid[PATH_MAX];
    char elog[PATH_MAX];
    char rlog[PATH_MAX];
    char secret[PATH_MAX]; /* -k of both, when use_secret */
    bool use_secret;
    const char *timeout_ms;   /* -t of both servers, or NULL */
    bool verbose;             /* -v of lf-replicad */
    const char *replica_node; /* -N of lf-replicad (default r-node) */
    const char *replica_user; /* -u of lf-replicad (default: none) */
    const char *eopt[12];     /* more options for lf-enqueued */
    int neopt;
    const char *ropt[6]; /* more options for lf-replicad */
    int nropt;
    rlim_t nofile;           /* lf-enqueued's descriptor limit (0: ours) */
    int expect_exit;         /* of fx_start_enqueue()'s lf-enqueued */
    int expect_replica_exit; /* of fx_start_replica()'s lf-replicad */
    char planted[PATH_MAX];  /* a name a test planted in /dev/shm */
    pid_t e;
    pid_t r;
    int fds[128]; /* raw connections, closed by the teardown */
    int nfds;
};

struct fx_config {
    const char *name;   /* the temporary directory: /tmp/lf-NAME.XXXXXX */
    const char *prefix; /* of the instances' names */
    /* The port: 20000 + (pid * pid_factor + test * test_factor) % 12000,
     * below the ephemeral ports (a client may hold one as its end of a
     * connection); factors of their own keep test programs running side
     * by side apart. */
    unsigned pid_factor;
    unsigned test_factor;
};

/*! \brief The group setup: the temporary directory and where the servers
 *         are. \return 0 or -1 */
int fx_setup(const struct fx_config *config);

/*! \brief The group teardown: removes the temporary directory. */
int fx_teardown(void);

/*!
 * \brief A new test's servers (none started), kept in *state for
 *        fx_teardown_pair(); its state directory is made.
 */
struct fx_pair *fx_new(void **state);

/*!
 * \brief A test's teardown: closes its raw connections, kills its servers
 *        (SIGKILL, by pid), removes its segment, what it planted in
 *        /dev/shm and what a replica moved aside there.
 */
int fx_teardown_pair(void **state);

/*!
 * \brief Run argv and wait for it, with a descriptor limit of nofile (0:
 *        ours).
 *
 * \return its exit status, or -1 when it did not exit
 */
int fx_run_wait(char *const argv[], rlim_t nofile);

/*! \brief The pid in a pid file (asserted to be there). */
pid_t fx_read_pid(const char *path);

/*!
 * \brief Start lf-enqueued (it returns once it serves, or failed) and
 *        assert its exit status is p->expect_exit; p->e is its pid when
 *        it started.
 */
void fx_start_enqueue(struct fx_pair *p);

/*!
 * \brief Start lf-replicad, with the secret file or without, directly or
 *        (tmpfs_size not NULL) in a private mount namespace with a
 *        /dev/shm of that size; p->r is its pid when it started.
 *
 * \return the start's exit status
 */
int fx_run_replica(struct fx_pair *p, bool secret, const char *tmpfs_size);

/*! \brief fx_run_replica() with p->use_secret, asserting the exit status
 *         is p->expect_replica_exit. */
void fx_start_replica(struct fx_pair *p);

/*! \brief Send sig to *pid, wait until it is gone, and forget it. */
void fx_stop_pid(pid_t *pid, int sig);

/*! \brief Write the secret file (mode 0600). */
void fx_write_secret(struct fx_pair *p, const char *text);

/* Clients through lf_client (with the secret when use_secret). */
void fx_connect_client(struct fx_pair *p, struct lf_client *c);
/*! \brief A request whose reply must be expect. */
void fx_call(struct lf_client *c, const char *request, const char *expect);
/*! \brief The value of NAME= in a STATS reply, on a connection of its
 *         own. */
void fx_stat_value(struct fx_pair *p, const char *name, char *out, size_t size);

/* The servers' log files (or any file). */
bool fx_log_contains(const char *path, const char *text);
int fx_log_count(const char *path, const char *text);
/*! \brief Wait (15 s at most) until text appears in the file. */
void fx_wait_log(const char *path, const char *text);

/*!
 * \brief A raw connection to lf-enqueued from source address from (NULL:
 *        any), its reads giving up after 10 s; closed by the teardown.
 */
int fx_raw_connect(struct fx_pair *p, const char *from);

/*!
 * \brief One line (without its newline, in a static buffer); "" at the
 *        end of the stream, "?" when nothing came within the read
 *        timeout.
 */
const char *fx_raw_line(int fd);

/*! \brief Write all of data (waiting when the socket is full). */
void fx_send(int fd, const void *data, size_t len);
/*! \brief fx_send() of a string. */
void fx_send_text(int fd, const char *text);

/*! \brief Fail unless got starts with want. */
void fx_expect_prefix(const char *got, const char *want);

/*! \brief A raw connection, greeted, that STATS can be asked on. */
int fx_stats_conn(struct fx_pair *p);
/*! \brief The value of NAME= in the STATS reply on the raw fd. */
void fx_raw_stat(int fd, const char *name, char *out, size_t size);
/*! \brief Wait (15 s at most) until STATS on fd says NAME=want. */
void fx_wait_stat(int fd, const char *name, const char *want);

#endif

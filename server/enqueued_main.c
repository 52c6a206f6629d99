/*
 * lf-enqueued: the enqueue server. Start-up order matters: this node's
 * replica segment is loaded before the port is opened; otherwise, when an
 * in-sync replica runs elsewhere, the server listens but serves nothing
 * until that replica has handed over its copy. The copy is marked adopted
 * only just before the server serves, and readiness is reported only once
 * it does.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "enqueued.h"
#include "lf_exit.h"
#include "lf_log.h"
#include "lf_net.h"
#include "lf_proc.h"
#include "lf_segment.h"
#include "lf_server.h"

static void
usage(FILE *out)
{
    fprintf(
        out,
        "usage: lf-enqueued -i INSTANCE [-a ADDRESS] [-p PORT] [-u USER]\n"
        "                   [-s STATEDIR] [-k SECRETFILE] [-P PIDFILE]\n"
        "                   [-L LOGFILE] [-m MAXLOCKS] [-t TIMEOUT_MS]\n"
        "                   [-c MAXCLIENTS] [-H HOLD_MS] [-S] [-W WAIT_MS]\n"
        "                   [-G GENERATION] [-N NODE] [-C PER_ADDRESS]\n"
        "                   [-A AUTH_MS] [-I IDLE_MS] [-f] [-v]\n"
        "  -i  instance name (names the lock table and replica segment)\n"
        "  -a  address to listen on (default: all)\n"
        "  -p  TCP port (default %d)\n"
        "  -u  run as this user after binding\n"
        "  -s  state directory (default %s)\n"
        "  -k  shared-secret file; clients and replicas must prove it\n"
        "  -P  pid file\n"
        "  -L  also log to this file\n"
        "  -m  most locks held at once (default 100000)\n"
        "  -t  replica silence, in ms, before it is dropped (default "
        "5000)\n"
        "  -c  most connections at once (default 4096; at most the "
        "descriptor\n"
        "      limit less %d, %d of them kept for this node's monitor and a\n"
        "      replica)\n"
        "  -C  most connections from one address (default 256)\n"
        "  -A  with -k: close a connection not authenticated within this "
        "time,\n"
        "      in ms (default 10000; 0: never)\n"
        "  -I  close a connection without a request for this long, in ms\n"
        "      (default 600000; 0: never)\n"
        "  -H  after losing the in-sync replica, hold changes back this "
        "long\n"
        "      at most, in ms (default 60000; longer than fencing "
        "takes)\n"
        "  -S  availability first: serve unreplicated at once instead\n"
        "  -W  an in-sync replica runs elsewhere: wait this long, in ms,"
        " for\n"
        "      it to hand over its copy\n"
        "  -G  the newest generation the cluster has served\n"
        "  -N  this node's name in the cluster (default: the host "
        "name)\n"
        "  -f  stay in the foreground, log to stderr\n"
        "  -v  verbose (debug) logging\n",
        LF_DEFAULT_PORT, LOCALSTATEDIR "/lib/leapfrog", ENQ_FD_SPARE,
        ENQ_RESERVE_LOCAL + ENQ_RESERVE_REPLICA);
}

static enum lf_exit
parse_args(int argc, char **argv, struct lf_server *d, struct enq_config *cfg)
{
    bool serve = false;
    /* -t: at least twice the replica's 1 s heartbeat: below that an idle
     * replica in good health is dropped again and again. */
    const struct lf_server_option options[] = {
        {'i', .text = &cfg->instance},
        {'a', .text = &cfg->address},
        {'p', .port = &cfg->port},
        {'s', .text = &cfg->statedir},
        {'k', .text = &d->secretfile},
        {'m', .count = &cfg->capacity, .min = 1, .max = UINT32_MAX},
        {'t', .number = &cfg->replica_timeout_ms, .min = 2000, .max = 600000},
        {'c', .number = &cfg->max_clients, .min = 1, .max = 1000000},
        {'C', .number = &cfg->per_address_max, .min = 1, .max = 1000000},
        {'A', .number = &cfg->auth_timeout_ms, .min = 0, .max = 3600000},
        {'I', .number = &cfg->idle_timeout_ms, .min = 0, .max = 86400000},
        {'H', .number = &cfg->hold_ms, .min = 0, .max = 3600000},
        {'S', .set = &serve},
        {'W', .number = &cfg->takeover_wait_ms, .min = 0, .max = 3600000},
        {'G', .count = &cfg->min_generation, .min = 0, .max = LLONG_MAX},
        {'N', .text = &cfg->node},
    };
    enum lf_exit end;

    cfg->port = LF_DEFAULT_PORT;
    cfg->statedir = LOCALSTATEDIR "/lib/leapfrog";
    cfg->capacity = 100000;
    cfg->replica_timeout_ms = 5000;
    cfg->max_clients = 4096;
    cfg->per_address_max = 256;
    cfg->auth_timeout_ms = 10000;
    cfg->idle_timeout_ms = 600000;
    cfg->hold_ms = 60000;
    end = lf_server_parse(d, argc, argv, options,
                          sizeof(options) / sizeof(options[0]), usage);
    if (end != LF_EXIT_OK) {
        return end;
    }
    cfg->loss_policy = serve ? ENQ_LOSS_SERVE : ENQ_LOSS_HOLD;
    if (cfg->instance == NULL) {
        fprintf(stderr, "lf-enqueued: -i INSTANCE is required\n");
        return LF_EXIT_USAGE;
    }
    d->instance = cfg->instance;
    cfg->user = d->user;
    return lf_server_check_instance(d, LF_SEG_INSTANCE_MAX);
}

/* The state directory belongs to the service user. Root prepares it
 * through a descriptor, never through a symbolic link, and gives it to
 * the service user only when root, that user or LF_FORMER_USER owns it. */
static int
prepare_statedir(const struct enq_config *cfg, const char **why)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    uid_t former = 0;
    gid_t former_gid = 0;
    struct stat st;
    int rc = 0;
    int fd;

    *why = "";
    if (cfg->user != NULL && geteuid() == 0
        && (rc = lf_proc_lookup_user(cfg->user, &uid, &gid)) != 0) {
        *why = (rc == ENOENT) ? "no such service user" : strerror(rc);
        return rc;
    }
    if (mkdir(cfg->statedir, 0755) != 0 && errno != EEXIST) {
        rc = errno;
        *why = strerror(rc);
        return rc;
    }
    fd = open(cfg->statedir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        rc = errno;
        *why = strerror(rc);
        if (rc == ELOOP
            || (lstat(cfg->statedir, &st) == 0 && S_ISLNK(st.st_mode))) {
            *why = "it is a symbolic link";
        } else if (rc == ENOTDIR) {
            *why = "it is not a directory";
        }
        return rc;
    }
    if (fstat(fd, &st) != 0) {
        rc = errno;
        *why = strerror(rc);
    } else if (geteuid() != 0 || st.st_uid == uid) {
        /* Nothing to change (or nothing we could). */
    } else if (st.st_uid != 0
               && (lf_proc_lookup_user(LF_FORMER_USER, &former, &former_gid)
                       != 0
                   || st.st_uid != former)) {
        rc = EPERM;
        *why = "it belongs to another user than root, the service user "
               "or " LF_FORMER_USER " (chown it to the service user)";
    } else if (fchown(fd, uid, gid) != 0) {
        rc = errno;
        *why = strerror(rc);
    } else if (st.st_uid != 0) {
        lf_notice("state directory %s belonged to " LF_FORMER_USER
                  ": now the service user's",
                  cfg->statedir);
    }
    close(fd);
    return rc;
}

/* This node's name, as a replica reports its own. */
static void
node_name(struct enq_server *srv)
{
    struct utsname u;

    if (srv->cfg.node != NULL) {
        snprintf(srv->node, sizeof(srv->node), "%s", srv->cfg.node);
        return;
    }
    if (uname(&u) != 0) {
        snprintf(srv->node, sizeof(srv->node), "?");
        return;
    }
    snprintf(srv->node, sizeof(srv->node), "%s", u.nodename);
}

/* Wait, not serving, for an in-sync replica elsewhere to hand over. */
static int
network_takeover(struct enq_server *srv)
{
    int rc;

    if (srv->origin != ENQ_ORIGIN_EMPTY || srv->cfg.takeover_wait_ms <= 0) {
        return 0;
    }
    lf_notice("an in-sync replica runs elsewhere: waiting up to %d ms for "
              "it to hand over its copy",
              srv->cfg.takeover_wait_ms);
    srv->phase = ENQ_PHASE_TAKEOVER;
    srv->takeover_deadline_ms = lf_now_ms() + srv->cfg.takeover_wait_ms;
    rc = enq_loop_run(srv);
    if (rc != 0 || srv->stopping) {
        return rc != 0 ? rc : -1;
    }
    if (srv->takeover_failed) {
        lf_err("giving up the takeover: %s", srv->takeover_why);
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    struct enq_server srv;
    struct lf_server d;
    const char *why = "";
    enum lf_exit end;
    bool acting = false;
    uid_t uid = 0;
    gid_t gid = 0;
    int rc;

    memset(&srv, 0, sizeof(srv));
    srv.listen_fd = srv.epoll_fd = srv.signal_fd = -1;
    lf_server_init(&d, "lf-enqueued");
    end = parse_args(argc, argv, &d, &srv.cfg);
    if (end != LF_EXIT_OK) {
        return lf_exit_status(LF_EXIT_DAEMON, end);
    }
    end = LF_EXIT_FAILED;
    if (lf_server_start(&d, &srv.secret) != 0) {
        goto done;
    }
    srv.started_ms = lf_now_ms();
    node_name(&srv);
    srv.table = lf_table_new(srv.cfg.capacity);
    if (srv.table == NULL) {
        lf_err("out of memory");
        goto done;
    }
    rc = prepare_statedir(&srv.cfg, &why);
    if (rc != 0) {
        lf_err("cannot prepare state directory %s: %s", srv.cfg.statedir, why);
        goto done;
    }
    /* The segment is opened and read with the service user's rights, so
     * that only that user's own copy can be adopted. */
    acting = srv.cfg.user != NULL && geteuid() == 0;
    if (acting
        && ((rc = lf_proc_lookup_user(srv.cfg.user, &uid, &gid)) != 0
            || (rc = lf_proc_act_as(uid, gid)) != 0)) {
        lf_err("cannot act as user %s: %s", srv.cfg.user,
               rc == ENOENT ? "no such user" : strerror(rc));
        goto done;
    }
    enq_takeover_local(&srv);
    if (acting && (rc = lf_proc_act_as(0, 0)) != 0) {
        lf_err("cannot become root again: %s", strerror(rc));
        goto done;
    }
    rc = lf_net_listen(srv.cfg.address, srv.cfg.port, &srv.listen_fd);
    if (rc != 0) {
        lf_err("cannot listen on %s port %u: %s",
               srv.cfg.address != NULL ? srv.cfg.address : "all addresses",
               srv.cfg.port, strerror(rc));
        goto done;
    }
    /* Early, so that an agent giving up on the start can stop us. */
    if (lf_server_write_pidfile(&d) != 0 || lf_server_drop(&d) != 0) {
        goto done;
    }
    rc = enq_limits_init(&srv);
    if (rc != 0) {
        goto done;
    }
    /* The signalfd is the event loop's. */
    rc = enq_loop_init(&srv);
    if (rc != 0) {
        lf_err("cannot set up the event loop: %s", strerror(rc));
        goto done;
    }
    if (network_takeover(&srv) != 0 || enq_takeover_finish(&srv) != 0) {
        goto done;
    }
    lf_notice("serving %zu locks on %s port %u (generation %llu, table %s, "
              "%s)",
              lf_table_count(srv.table),
              srv.cfg.address != NULL ? srv.cfg.address : "all addresses",
              srv.cfg.port, (unsigned long long)srv.generation,
              srv.origin == ENQ_ORIGIN_EMPTY ? "empty: no in-sync copy"
              : srv.origin == ENQ_ORIGIN_LOCAL
                  ? "taken over from this node's replica"
                  : "taken over from a replica over the network",
              srv.secret.len > 0 ? "shared secret required"
                                 : "no authentication");
    lf_server_ready(&d);
    if (srv.uploader != NULL && !srv.uploader->dead) {
        enq_repl_attach(&srv, srv.uploader, srv.uploader_node);
    }
    srv.uploader = NULL;
    end = (enq_loop_run(&srv) == 0) ? LF_EXIT_OK : LF_EXIT_FAILED;
    lf_notice("stopped with %zu locks held", lf_table_count(srv.table));

done:
    enq_loop_fini(&srv);
    enq_limits_fini(&srv);
    lf_table_free(srv.table);
    return lf_server_finish(&d, end);
}

/*
 * lf-replicad: the replication server. It becomes the service user before
 * it creates the segment, so the copy belongs to that user alone (0600).
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lf_log.h"
#include "lf_net.h"
#include "lf_parse.h"
#include "lf_proc.h"
#include "lf_proto.h"
#include "lf_segment.h"
#include "lf_server.h"
#include "replicad.h"

#define EXIT_USAGE 2

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: lf-replicad -i INSTANCE -a ENQUEUE_ADDRESS [-p PORT]\n"
            "                   [-u USER] [-k SECRETFILE] [-P PIDFILE]\n"
            "                   [-L LOGFILE] [-m MAXLOCKS] [-t TIMEOUT_MS]\n"
            "                   [-N NODE] [-f] [-v]\n"
            "  -i  instance name (the same as the enqueue server's)\n"
            "  -a  host or address where the enqueue server listens\n"
            "  -p  its TCP port (default %d)\n"
            "  -u  run as this user\n"
            "  -k  shared-secret file\n"
            "  -P  pid file\n"
            "  -L  also log to this file\n"
            "  -m  most locks the copy holds (default 100000)\n"
            "  -t  enqueue server silence, in ms, before reconnecting "
            "(default 5000)\n"
            "  -N  this node's name in the cluster (default: the host "
            "name)\n"
            "  -f  stay in the foreground, log to stderr\n"
            "  -v  verbose (debug) logging\n",
            LF_DEFAULT_PORT);
}

static int
parse_args(int argc, char **argv, struct rep_config *cfg, bool *verbose)
{
    long long n = 0;
    int opt;

    cfg->port = LF_DEFAULT_PORT;
    cfg->capacity = 100000;
    cfg->timeout_ms = 5000;
    while ((opt = getopt(argc, argv, "i:a:p:u:k:P:L:m:t:N:fvh")) != -1) {
        switch (opt) {
        case 'i':
            cfg->instance = optarg;
            break;
        case 'a':
            cfg->enqueue_address = optarg;
            break;
        case 'p':
            if (lf_parse_option_port("lf-replicad", 'p', optarg, &cfg->port)
                != 0) {
                return EXIT_USAGE;
            }
            break;
        case 'u':
            cfg->user = optarg;
            break;
        case 'k':
            cfg->secretfile = optarg;
            break;
        case 'P':
            cfg->pidfile = optarg;
            break;
        case 'L':
            cfg->logfile = optarg;
            break;
        case 'm':
            if (lf_parse_option("lf-replicad", 'm', optarg, 1, UINT32_MAX, &n)
                != 0) {
                return EXIT_USAGE;
            }
            cfg->capacity = (uint64_t)n;
            break;
        case 't':
            /* At least twice the enqueue server's 1 s heartbeat: below
             * that an idle server in good health is left again and again. */
            if (lf_parse_option("lf-replicad", 't', optarg, 2000, 600000, &n)
                != 0) {
                return EXIT_USAGE;
            }
            cfg->timeout_ms = (int)n;
            break;
        case 'N':
            cfg->node = optarg;
            break;
        case 'f':
            cfg->foreground = true;
            break;
        case 'v':
            *verbose = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "lf-replicad: unexpected argument '%s'\n",
                argv[optind]);
        return EXIT_USAGE;
    }
    if (cfg->instance == NULL || cfg->enqueue_address == NULL) {
        fprintf(stderr, "lf-replicad: -i INSTANCE and -a ENQUEUE_ADDRESS "
                        "are required\n");
        return EXIT_USAGE;
    }
    if (lf_parse_name(cfg->instance, LF_SEG_INSTANCE_MAX) != 0) {
        fprintf(stderr,
                "lf-replicad: instance '%s' must be 1 to %d "
                "characters of A-Z a-z 0-9 _ . -\n",
                cfg->instance, LF_SEG_INSTANCE_MAX);
        return EXIT_USAGE;
    }
    return 0;
}

/* This node's name, as the enqueue server compares it with its own. */
static void
node_name(struct rep_server *rep)
{
    struct utsname u;

    if (rep->cfg.node != NULL) {
        snprintf(rep->node, sizeof(rep->node), "%s", rep->cfg.node);
    } else {
        snprintf(rep->node, sizeof(rep->node), "%s",
                 uname(&u) == 0 ? u.nodename : "?");
    }
}

/* A segment of this instance that is not the service user's own (left by
 * the servers' former user, or planted: anyone may create names in
 * /dev/shm) cannot be written; it is moved aside, never deleted. */
static int
move_foreign_segment(const struct rep_config *cfg)
{
    char aside[256];
    const char *why = "";
    uid_t uid = geteuid();
    gid_t gid = getegid();
    int rc = 0;

    if (cfg->user != NULL
        && (rc = lf_proc_lookup_user(cfg->user, &uid, &gid)) != 0) {
        lf_err("cannot run as user %s: %s", cfg->user,
               rc == ENOENT ? "no such user" : strerror(rc));
        return rc;
    }
    rc = lf_seg_move_foreign(cfg->instance, uid, aside, sizeof(aside), &why);
    if (rc != 0) {
        lf_err("the replica segment is not the service user's own and cannot "
               "be moved aside: %s",
               strerror(rc));
        return rc;
    }
    if (aside[0] != '\0') {
        lf_warn("the replica segment was not the service user's own (%s): "
                "moved aside to %s for the administrator to look at",
                why, aside);
    }
    return 0;
}

int
main(int argc, char **argv)
{
    struct rep_server rep;
    struct lf_server_opts opts;
    bool verbose = false;
    int notify_fd = -1;
    int status = 1;
    int rc;

    memset(&rep, 0, sizeof(rep));
    rep.signal_fd = -1;
    rc = parse_args(argc, argv, &rep.cfg, &verbose);
    if (rc != 0) {
        return rc;
    }
    node_name(&rep);
    opts.ident = "lf-replicad";
    opts.instance = rep.cfg.instance;
    opts.secretfile = rep.cfg.secretfile;
    opts.logfile = rep.cfg.logfile;
    opts.user = rep.cfg.user;
    opts.foreground = rep.cfg.foreground;
    opts.verbose = verbose;
    if (lf_server_start(&opts, &rep.secret, &notify_fd) != 0) {
        goto done;
    }
    if (rep.cfg.pidfile != NULL
        && (rc = lf_pidfile_write(rep.cfg.pidfile, getpid())) != 0) {
        lf_err("cannot write pid file %s: %s", rep.cfg.pidfile, strerror(rc));
        goto done;
    }
    if (move_foreign_segment(&rep.cfg) != 0) {
        goto done;
    }
    if (rep.cfg.user != NULL && (rc = lf_proc_drop_to(rep.cfg.user)) != 0) {
        lf_err("cannot run as user %s: %s", rep.cfg.user,
               rc == ENOENT ? "no such user" : strerror(rc));
        goto done;
    }
    if ((rc = lf_server_signalfd(&rep.signal_fd)) != 0) {
        lf_err("cannot set up signal handling: %s", strerror(rc));
        goto done;
    }
    /* A stop request ends a connect or read to an unreachable enqueue
     * server at once: Pacemaker waits for this stop before P restarts
     * elsewhere. */
    lf_net_cancel_on(rep.signal_fd);
    rep.index = lf_table_new(0);
    if (rep.index == NULL) {
        lf_err("out of memory");
        goto done;
    }
    rc = lf_seg_open_writer(rep.cfg.instance, rep.cfg.capacity, &rep.seg);
    if (rc != 0) {
        if (rc == ENOSPC) {
            lf_err("cannot allocate the replica segment: %zu bytes for %llu "
                   "locks (-m) do not fit in /dev/shm (%s); make /dev/shm "
                   "larger or lower -m",
                   lf_seg_size(rep.cfg.capacity),
                   (unsigned long long)rep.cfg.capacity, strerror(rc));
            goto done;
        }
        lf_err("cannot open the replica segment: %s",
               rc == EBUSY   ? "another replication server runs for this "
                               "instance"
               : rc == EPERM ? "it is not this user's own file"
                             : strerror(rc));
        goto done;
    }
    lf_notice("replicating the enqueue server at %s port %u into shared "
              "memory (up to %llu locks)",
              rep.cfg.enqueue_address, rep.cfg.port,
              (unsigned long long)rep.cfg.capacity);
    lf_server_ready(&opts, &notify_fd);
    status = rep_sync_run(&rep);
    rep_sync_stop(&rep);
    lf_notice("stopped");

done:
    lf_seg_close(rep.seg);
    lf_table_free(rep.index);
    if (rep.signal_fd >= 0) {
        close(rep.signal_fd);
    }
    if (rep.cfg.pidfile != NULL && status == 0) {
        (void)unlink(rep.cfg.pidfile);
    }
    lf_daemon_ready(notify_fd, 1);
    return status;
}

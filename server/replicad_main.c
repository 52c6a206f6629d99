/*
 * lf-replicad: the replication server. It becomes the service user before
 * it creates the segment, so the copy belongs to that user alone (0600).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lf_exit.h"
#include "lf_log.h"
#include "lf_net.h"
#include "lf_proc.h"
#include "lf_proto.h"
#include "lf_segment.h"
#include "lf_server.h"
#include "replicad.h"

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

static enum lf_exit
parse_args(int argc, char **argv, struct lf_server *d, struct rep_config *cfg)
{
    /* -t: at least twice the enqueue server's 1 s heartbeat: below that
     * an idle server in good health is left again and again. */
    const struct lf_server_option options[] = {
        {'i', .text = &cfg->instance},
        {'a', .text = &cfg->enqueue_address},
        {'p', .port = &cfg->port},
        {'k', .text = &d->secretfile},
        {'m', .count = &cfg->capacity, .min = 1, .max = UINT32_MAX},
        {'t', .number = &cfg->timeout_ms, .min = 2000, .max = 600000},
        {'N', .text = &cfg->node},
    };
    enum lf_exit end;

    cfg->port = LF_DEFAULT_PORT;
    cfg->capacity = 100000;
    cfg->timeout_ms = 5000;
    end = lf_server_parse(d, argc, argv, options,
                          sizeof(options) / sizeof(options[0]), usage);
    if (end != LF_EXIT_OK) {
        return end;
    }
    if (cfg->instance == NULL || cfg->enqueue_address == NULL) {
        fprintf(stderr, "lf-replicad: -i INSTANCE and -a ENQUEUE_ADDRESS "
                        "are required\n");
        return LF_EXIT_USAGE;
    }
    d->instance = cfg->instance;
    cfg->user = d->user;
    return lf_server_check_instance(d, LF_SEG_INSTANCE_MAX);
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
    struct lf_server d;
    enum lf_exit end;
    int rc;

    memset(&rep, 0, sizeof(rep));
    rep.signal_fd = -1;
    lf_server_init(&d, "lf-replicad");
    end = parse_args(argc, argv, &d, &rep.cfg);
    if (end != LF_EXIT_OK) {
        return lf_exit_status(LF_EXIT_DAEMON, end);
    }
    end = LF_EXIT_FAILED;
    node_name(&rep);
    if (lf_server_start(&d, &rep.secret) != 0
        || lf_server_write_pidfile(&d) != 0) {
        goto done;
    }
    if (move_foreign_segment(&rep.cfg) != 0) {
        goto done;
    }
    if (lf_server_drop(&d) != 0 || lf_server_signals(&d) != 0) {
        goto done;
    }
    rep.signal_fd = d.signal_fd;
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
    lf_server_ready(&d);
    end = (rep_sync_run(&rep) == 0) ? LF_EXIT_OK : LF_EXIT_FAILED;
    rep_sync_stop(&rep);
    lf_notice("stopped");

done:
    lf_seg_close(rep.seg);
    lf_table_free(rep.index);
    return lf_server_finish(&d, end);
}

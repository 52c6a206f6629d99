/*
 * lf-watch: started by the leapfrog agents once their server is ready, it
 * waits for that server process to exit and, unless the agent's stop has
 * disarmed it, tells the cluster at once, without waiting for the next
 * monitor.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lf_exit.h"
#include "lf_log.h"
#include "lf_parse.h"
#include "lf_server.h"
#include "lfw_watch.h"

static void
usage(FILE *out)
{
    fprintf(
        out,
        "usage: lf-watch -a ARMFILE -r RESOURCE -t TYPE -N NODE\n"
        "                [-P PIDFILE] [-L LOGFILE] [-u USER] [-T REPORT_MS]\n"
        "                [-f] [-v]\n"
        "  -a  the arm record the agent wrote (server pid and start "
        "time)\n"
        "  -r  the resource's id in the cluster\n"
        "  -t  its agent: enqueue or replication "
        "(ocf:leapfrog:TYPE)\n"
        "  -N  the node it runs on, as the cluster names it\n"
        "  -P  pid file\n"
        "  -L  also log to this file\n"
        "  -u  the server's user, who may own that file (lf-watch "
        "stays root)\n"
        "  -T  how long to keep trying to report, in ms (default "
        "5000)\n"
        "  -f  stay in the foreground, log to stderr\n"
        "  -v  verbose (debug) logging\n");
}

static enum lf_exit
parse_args(int argc, char **argv, struct lf_server *d, struct lfw_config *cfg)
{
    const struct lf_server_option options[] = {
        {'a', .text = &cfg->arm_path},
        {'r', .text = &cfg->target.rsc},
        {'t', .text = &cfg->target.type},
        {'N', .text = &cfg->target.node},
        {'T', .wide = &cfg->report_ms, .min = 0, .max = 600000},
    };
    enum lf_exit end;

    cfg->report_ms = 5000;
    end = lf_server_parse(d, argc, argv, options,
                          sizeof(options) / sizeof(options[0]), usage);
    if (end != LF_EXIT_OK) {
        return end;
    }
    if (cfg->arm_path == NULL || cfg->target.rsc == NULL
        || cfg->target.type == NULL || cfg->target.node == NULL) {
        fprintf(stderr, "lf-watch: -a ARMFILE, -r RESOURCE, -t TYPE and -N "
                        "NODE are required\n");
        return LF_EXIT_USAGE;
    }
    /* It runs in / (no mount kept busy): paths must not depend on where
     * it was started. */
    if (cfg->arm_path[0] != '/'
        || (d->pidfile != NULL && d->pidfile[0] != '/')) {
        fprintf(stderr, "lf-watch: -a and -P need absolute paths\n");
        return LF_EXIT_USAGE;
    }
    if (strcmp(cfg->target.type, "enqueue") != 0
        && strcmp(cfg->target.type, "replication") != 0) {
        fprintf(stderr,
                "lf-watch: -t must be enqueue or replication, not '%s'\n",
                cfg->target.type);
        return LF_EXIT_USAGE;
    }
    if (lf_parse_name(cfg->target.rsc, 200) != 0) {
        fprintf(stderr, "lf-watch: the resource name must be A-Z a-z 0-9 "
                        "_ . -\n");
        return LF_EXIT_USAGE;
    }
    if (cfg->target.node[0] == '\0') {
        fprintf(stderr, "lf-watch: the node name is empty\n");
        return LF_EXIT_USAGE;
    }
    d->instance = cfg->target.rsc;
    return LF_EXIT_OK;
}

int
main(int argc, char **argv)
{
    struct lfw_config cfg;
    struct lfw_watch w = {.pidfd = -1};
    struct lf_server d;
    struct lf_secret secret;
    enum lf_exit end;

    memset(&cfg, 0, sizeof(cfg));
    lf_server_init(&d, "lf-watch");
    end = parse_args(argc, argv, &d, &cfg);
    if (end != LF_EXIT_OK) {
        return lf_exit_status(LF_EXIT_DAEMON, end);
    }
    /* -u names the server's user, who may own the log file: lf-watch
     * stays root. A newer watcher may have taken the pid file over. */
    d.pidfile_end = LF_SERVER_PIDFILE_IF_OURS;
    end = LF_EXIT_FAILED;
    if (lf_server_start(&d, &secret) != 0) {
        goto done;
    }
    if (chdir("/") != 0) {
        lf_warn("cannot change to /: %s", strerror(errno));
    }
    lfw_pcmk_init("lf-watch");
    end = lfw_watch_open(&cfg, &w);
    if (end != LF_EXIT_OK) {
        goto done;
    }
    end = LF_EXIT_FAILED;
    if (lf_server_signals(&d) != 0 || lf_server_write_pidfile(&d) != 0) {
        goto done;
    }
    lf_server_ready(&d);
    end = lfw_watch_run(&cfg, &w, d.signal_fd);

done:
    lfw_watch_close(&w);
    return lf_server_finish(&d, end);
}

/*
 * lf-watch: started by the leapfrog agents once their server is ready, it
 * waits for that server process to exit and, unless the agent's stop has
 * disarmed it, tells the cluster at once, without waiting for the next
 * monitor.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_parse.h"
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

static int
parse_args(int argc, char **argv, struct lfw_config *cfg)
{
    long long n = 0;
    int opt;

    cfg->report_ms = 5000;
    while ((opt = getopt(argc, argv, "a:r:t:N:P:L:u:T:fvh")) != -1) {
        switch (opt) {
        case 'a':
            cfg->arm_path = optarg;
            break;
        case 'r':
            cfg->target.rsc = optarg;
            break;
        case 't':
            cfg->target.type = optarg;
            break;
        case 'N':
            cfg->target.node = optarg;
            break;
        case 'P':
            cfg->pidfile = optarg;
            break;
        case 'L':
            cfg->logfile = optarg;
            break;
        case 'u':
            cfg->user = optarg;
            break;
        case 'T':
            if (lf_parse_option("lf-watch", 'T', optarg, 0, 600000, &n) != 0) {
                return LFW_EXIT_USAGE;
            }
            cfg->report_ms = n;
            break;
        case 'f':
            cfg->foreground = true;
            break;
        case 'v':
            cfg->verbose = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return LFW_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "lf-watch: unexpected argument '%s'\n", argv[optind]);
        return LFW_EXIT_USAGE;
    }
    if (cfg->arm_path == NULL || cfg->target.rsc == NULL
        || cfg->target.type == NULL || cfg->target.node == NULL) {
        fprintf(stderr, "lf-watch: -a ARMFILE, -r RESOURCE, -t TYPE and -N "
                        "NODE are required\n");
        return LFW_EXIT_USAGE;
    }
    /* It runs in / (no mount kept busy): paths must not depend on where
     * it was started. */
    if (cfg->arm_path[0] != '/'
        || (cfg->pidfile != NULL && cfg->pidfile[0] != '/')) {
        fprintf(stderr, "lf-watch: -a and -P need absolute paths\n");
        return LFW_EXIT_USAGE;
    }
    if (strcmp(cfg->target.type, "enqueue") != 0
        && strcmp(cfg->target.type, "replication") != 0) {
        fprintf(stderr,
                "lf-watch: -t must be enqueue or replication, not '%s'\n",
                cfg->target.type);
        return LFW_EXIT_USAGE;
    }
    if (lf_parse_name(cfg->target.rsc, 200) != 0) {
        fprintf(stderr, "lf-watch: the resource name must be A-Z a-z 0-9 "
                        "_ . -\n");
        return LFW_EXIT_USAGE;
    }
    if (cfg->target.node[0] == '\0') {
        fprintf(stderr, "lf-watch: the node name is empty\n");
        return LFW_EXIT_USAGE;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    struct lfw_config cfg;
    int rc;

    memset(&cfg, 0, sizeof(cfg));
    rc = parse_args(argc, argv, &cfg);
    if (rc != 0) {
        return rc;
    }
    return lfw_watch_run(&cfg);
}

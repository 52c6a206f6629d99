/*
 * fence_lfharness: the fence agent of leapfrog's namespace test harness.
 *
 * pacemaker-fenced runs it inside a node with its options as key=value
 * lines on stdin (action, plug or port, nodename, and this device's own
 * "socket"); `fence_lfharness -o ACTION [-n PLUG] [-s SOCKET]` does the
 * same from the command line (pcs asks for `-o metadata`). Every action
 * but metadata is passed to the harness's power switch (lf-fence-switch)
 * through its UNIX socket, which powers the node off or on.
 *
 * Exit status, as fence agents use it: 0 success (status: the plug is
 * on), 1 failure, 2 status: the plug is off.
 *
 * Installed by the harness for a test cluster's lifetime only.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lf_fence.h"

enum {
    FENCE_OK = 0,
    FENCE_FAILED = 1,
    FENCE_STATUS_OFF = 2,
};

/* How long to wait for the switch: a power-off waits for every process
 * of the node to be gone. */
#define SWITCH_TIMEOUT_MS 150000

struct options {
    char action[32];
    char plug[64];
    char socket[108];
};

static void
copy_opt(char *dst, size_t size, const char *value)
{
    snprintf(dst, size, "%s", value);
}

static void
print_metadata(const char *name)
{
    printf("<?xml version=\"1.0\" ?>\n"
           "<resource-agent name=\"%s\" shortdesc=\"Power switch of "
           "leapfrog's namespace test harness\">\n"
           "<longdesc>Fences a node of a test cluster that leapfrog's "
           "harness runs in network namespaces on one host, by asking the "
           "harness's power switch (lf-fence-switch) to power the node off "
           "(its link goes down, then every process of the node is killed) "
           "or on. For tests only.</longdesc>\n"
           "<vendor-url>https://github.com/leapfrog</vendor-url>\n"
           "<parameters>\n"
           "<parameter name=\"action\" unique=\"0\" required=\"0\">\n"
           "<getopt mixed=\"-o, --action=[action]\"/>\n"
           "<content type=\"string\" default=\"reboot\"/>\n"
           "<shortdesc lang=\"en\">Fencing action</shortdesc>\n"
           "</parameter>\n"
           "<parameter name=\"plug\" unique=\"0\" required=\"0\" "
           "obsoletes=\"port\">\n"
           "<getopt mixed=\"-n, --plug=[node]\"/>\n"
           "<content type=\"string\"/>\n"
           "<shortdesc lang=\"en\">The node to fence (nodeN)</shortdesc>\n"
           "</parameter>\n"
           "<parameter name=\"port\" unique=\"0\" required=\"0\" "
           "deprecated=\"1\">\n"
           "<getopt mixed=\"--port=[node]\"/>\n"
           "<content type=\"string\"/>\n"
           "<shortdesc lang=\"en\">The node to fence (old name of "
           "plug)</shortdesc>\n"
           "</parameter>\n"
           "<parameter name=\"socket\" unique=\"0\" required=\"1\">\n"
           "<getopt mixed=\"-s, --socket=[path]\"/>\n"
           "<content type=\"string\"/>\n"
           "<shortdesc lang=\"en\">The power switch's UNIX "
           "socket</shortdesc>\n"
           "</parameter>\n"
           "</parameters>\n"
           "<actions>\n"
           "<action name=\"on\" automatic=\"0\"/>\n"
           "<action name=\"off\"/>\n"
           "<action name=\"reboot\"/>\n"
           "<action name=\"status\"/>\n"
           "<action name=\"list\"/>\n"
           "<action name=\"monitor\"/>\n"
           "<action name=\"metadata\"/>\n"
           "<action name=\"validate-all\"/>\n"
           "</actions>\n"
           "</resource-agent>\n",
           name);
}

/* Options from stdin, as pacemaker-fenced gives them. */
static void
read_stdin_options(struct options *opt)
{
    char line[512];
    char nodename[64] = "";

    while (fgets(line, sizeof(line), stdin) != NULL) {
        char *eq;

        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || (eq = strchr(line, '=')) == NULL) {
            continue;
        }
        *eq = '\0';
        if (strcmp(line, "action") == 0 || strcmp(line, "option") == 0) {
            copy_opt(opt->action, sizeof(opt->action), eq + 1);
        } else if (strcmp(line, "plug") == 0 || strcmp(line, "port") == 0) {
            copy_opt(opt->plug, sizeof(opt->plug), eq + 1);
        } else if (strcmp(line, "nodename") == 0) {
            copy_opt(nodename, sizeof(nodename), eq + 1);
        } else if (strcmp(line, "socket") == 0) {
            copy_opt(opt->socket, sizeof(opt->socket), eq + 1);
        }
    }
    if (opt->plug[0] == '\0') {
        copy_opt(opt->plug, sizeof(opt->plug), nodename);
    }
}

static int
parse_args(int argc, char **argv, struct options *opt)
{
    static const struct option longopts[] = {
        {"action", required_argument, NULL, 'o'},
        {"plug", required_argument, NULL, 'n'},
        {"port", required_argument, NULL, 'n'},
        {"socket", required_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    int c;

    while ((c = getopt_long(argc, argv, "o:n:s:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            copy_opt(opt->action, sizeof(opt->action), optarg);
            break;
        case 'n':
            copy_opt(opt->plug, sizeof(opt->plug), optarg);
            break;
        case 's':
            copy_opt(opt->socket, sizeof(opt->socket), optarg);
            break;
        default:
            return -1;
        }
    }
    return optind == argc ? 0 : -1;
}

static int
connect_switch(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        return -1;
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * The switch's answer ends with "rc N"; print the lines before it and
 * return N, or -1 when the answer is cut short.
 */
static int
split_answer(char *buf, size_t len)
{
    char *last;
    char *rcline;
    char *end = NULL;
    long rc;

    while (len > 0 && buf[len - 1] == '\n') {
        buf[--len] = '\0';
    }
    last = strrchr(buf, '\n');
    rcline = last != NULL ? last + 1 : buf;
    if (strncmp(rcline, "rc ", 3) != 0) {
        fprintf(stderr, "fence_lfharness: no answer from the power switch\n");
        return -1;
    }
    rc = strtol(rcline + 3, &end, 10);
    if (end == rcline + 3 || *end != '\0') {
        return -1;
    }
    if (last != NULL) {
        *last = '\0';
        puts(buf);
    }
    return (int)rc;
}

/*
 * Send the request and copy the switch's output lines to stdout; the last
 * line "rc N" is the result. -1 when the switch did not answer.
 */
static int
ask_switch(const struct options *opt, const char *plug)
{
    char req[LF_FENCE_LINE_MAX];
    char buf[4096];
    size_t len = 0;
    int fd;
    int n;

    fd = connect_switch(opt->socket);
    if (fd < 0) {
        fprintf(stderr,
                "fence_lfharness: cannot reach the power switch at "
                "%s: %s\n",
                opt->socket, strerror(errno));
        return -1;
    }
    n = snprintf(req, sizeof(req), "%s %s\n", opt->action, plug);
    if (n < 0 || (size_t)n >= sizeof(req) || write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t got;

        if (len + 1 >= sizeof(buf) || poll(&p, 1, SWITCH_TIMEOUT_MS) <= 0) {
            break;
        }
        got = read(fd, buf + len, sizeof(buf) - 1 - len);
        if (got <= 0) {
            break;
        }
        len += (size_t)got;
    }
    close(fd);
    buf[len] = '\0';
    return split_answer(buf, len);
}

int
main(int argc, char **argv)
{
    struct options opt = {.action = "reboot"};
    const char *plug;
    int rc;

    if (argc > 1) {
        if (parse_args(argc, argv, &opt) != 0) {
            fprintf(stderr, "usage: %s -o ACTION [-n PLUG] [-s SOCKET]\n",
                    argv[0]);
            return FENCE_FAILED;
        }
    } else {
        read_stdin_options(&opt);
    }
    if (strcmp(opt.action, "metadata") == 0) {
        print_metadata(basename(argv[0]));
        return FENCE_OK;
    }
    if (opt.socket[0] == '\0') {
        fprintf(stderr, "fence_lfharness: the parameter 'socket' (the "
                        "power switch's UNIX socket) is required\n");
        return FENCE_FAILED;
    }
    if (strcmp(opt.action, "validate-all") == 0) {
        return FENCE_OK;
    }
    if (!lf_fence_action_known(opt.action)) {
        fprintf(stderr, "fence_lfharness: unknown action '%s'\n", opt.action);
        return FENCE_FAILED;
    }
    plug = "-";
    if (strcmp(opt.action, "list") != 0 && strcmp(opt.action, "monitor") != 0) {
        if (!lf_fence_plug_valid(opt.plug)) {
            fprintf(stderr,
                    "fence_lfharness: '%s' is not a node of the "
                    "harness (nodeN)\n",
                    opt.plug);
            return FENCE_FAILED;
        }
        plug = opt.plug;
    }
    rc = ask_switch(&opt, plug);
    if (rc < 0) {
        return FENCE_FAILED;
    }
    if (strcmp(opt.action, "status") == 0) {
        return rc == 0 ? FENCE_OK : rc == 2 ? FENCE_STATUS_OFF : FENCE_FAILED;
    }
    return rc == 0 ? FENCE_OK : FENCE_FAILED;
}

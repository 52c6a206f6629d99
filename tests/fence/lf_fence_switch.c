/*
 * lf-fence-switch: the namespace harness's virtual power switch.
 *
 *   lf-fence-switch -s SOCKET [-T SECONDS] -- POWER-COMMAND [ARG...]
 *
 * Runs on the host, started and stopped with a test cluster. The fence
 * agent inside a node (which cannot signal other nodes' processes) asks
 * it over the UNIX socket SOCKET for "<action> <plug>"; the switch runs
 * POWER-COMMAND ARG... <action> <plug>, passes its output back and ends
 * with "rc <exit status>". Requests are served one at a time, so two
 * fencing requests never power the same node at once. Each request and
 * its result is logged on stderr. SIGTERM or SIGINT stops it and removes
 * the socket.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lf_fence.h"

#define REQUEST_TIMEOUT_MS 5000

static volatile sig_atomic_t stop_requested;

static void
on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void
say(const char *fmt, ...)
{
    char stamp[32];
    struct timespec now;
    struct tm tm;
    va_list ap;

    clock_gettime(CLOCK_REALTIME, &now);
    localtime_r(&now.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ld lf-fence-switch: ", stamp, now.tv_nsec / 1000000);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

static int
listen_unix(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        say("socket path %s is too long", path);
        return -1;
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        say("socket: %s", strerror(errno));
        return -1;
    }
    (void)unlink(path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0
        || chmod(path, 0600) != 0 || listen(fd, 16) != 0) {
        say("cannot listen on %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* Read one request line within the deadline; 0 or -1. */
static int
read_request(int fd, char *line, size_t size)
{
    size_t len = 0;

    while (len + 1 < size) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n;

        if (poll(&p, 1, REQUEST_TIMEOUT_MS) <= 0) {
            return -1;
        }
        n = read(fd, line + len, 1);
        if (n <= 0) {
            return -1;
        }
        if (line[len] == '\n') {
            line[len] = '\0';
            return 0;
        }
        len++;
    }
    return -1;
}

static void
write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return; /* the agent went away: nothing to tell it */
        }
        buf += n;
        len -= (size_t)n;
    }
}

/*
 * Run the power command with action and plug appended, copy its output to
 * the client, and return its exit status (124 when it ran out of time,
 * 125 when it could not run).
 */
static int
run_power(char **cmd, int ncmd, const char *action, const char *plug,
          int client, int timeout_s)
{
    char *argv[64];
    int out[2];
    pid_t pid;
    int status = 0;
    time_t deadline = time(NULL) + timeout_s;
    int timed_out = 0;

    if (ncmd + 3 > (int)(sizeof(argv) / sizeof(argv[0]))) {
        return 125;
    }
    for (int i = 0; i < ncmd; i++) {
        argv[i] = cmd[i];
    }
    argv[ncmd] = (char *)action;
    argv[ncmd + 1] = (char *)plug;
    argv[ncmd + 2] = NULL;
    if (pipe2(out, O_CLOEXEC) != 0) {
        return 125;
    }
    pid = fork();
    if (pid < 0) {
        close(out[0]);
        close(out[1]);
        return 125;
    }
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        dup2(out[1], STDOUT_FILENO);
        execvp(argv[0], argv);
        _exit(125);
    }
    close(out[1]);
    for (;;) {
        char buf[512];
        struct pollfd p = {.fd = out[0], .events = POLLIN};
        int left = (int)(deadline - time(NULL));
        ssize_t n;

        if (left <= 0) {
            kill(pid, SIGKILL);
            timed_out = 1;
            break;
        }
        if (poll(&p, 1, left * 1000) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        n = read(out[0], buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        write_all(client, buf, (size_t)n);
    }
    close(out[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        return 124;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 125;
}

static void
serve(int client, char **cmd, int ncmd, int timeout_s)
{
    char line[LF_FENCE_LINE_MAX];
    char answer[64];
    char *action;
    char *plug;
    char *save = NULL;
    int rc;

    if (read_request(client, line, sizeof(line)) != 0) {
        say("a request that did not arrive within %d ms, or too long",
            REQUEST_TIMEOUT_MS);
        return;
    }
    action = strtok_r(line, " ", &save);
    plug = strtok_r(NULL, " ", &save);
    if (action == NULL || plug == NULL || strtok_r(NULL, " ", &save) != NULL
        || !lf_fence_action_known(action)
        || (strcmp(plug, "-") != 0 && !lf_fence_plug_valid(plug))) {
        say("malformed request refused");
        write_all(client, "rc 1\n", 5);
        return;
    }
    say("%s %s", action, plug);
    rc = run_power(cmd, ncmd, action, plug, client, timeout_s);
    say("%s %s: rc %d", action, plug, rc);
    snprintf(answer, sizeof(answer), "rc %d\n", rc);
    write_all(client, answer, strlen(answer));
}

static void
usage(FILE *out)
{
    fprintf(out, "usage: lf-fence-switch -s SOCKET [-T SECONDS] -- "
                 "POWER-COMMAND [ARG...]\n");
}

int
main(int argc, char **argv)
{
    const char *path = NULL;
    struct sigaction sa = {.sa_handler = on_stop_signal};
    long timeout_s = 120;
    int opt;
    int fd;

    while ((opt = getopt(argc, argv, "s:T:h")) != -1) {
        switch (opt) {
        case 's':
            path = optarg;
            break;
        case 'T':
            timeout_s = strtol(optarg, NULL, 10);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (path == NULL || optind >= argc || timeout_s < 1 || timeout_s > 3600) {
        usage(stderr);
        return 2;
    }
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fd = listen_unix(path);
    if (fd < 0) {
        return 1;
    }
    say("listening on %s", path);
    while (!stop_requested) {
        int client = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

        if (client < 0) {
            if (errno != EINTR) {
                say("accept: %s", strerror(errno));
            }
            continue;
        }
        serve(client, argv + optind, argc - optind, (int)timeout_s);
        close(client);
    }
    close(fd);
    (void)unlink(path);
    say("stopped");
    return 0;
}

#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_file.h"
#include "lf_net.h"
#include "lf_proc.h"
#include "lf_segment.h"
#include "server_fixture.h"
#include "unit_tmpdir.h"

char fx_bindir[PATH_MAX];
char fx_workdir[256];

/* The test program's configuration, and how many tests it has begun. */
static struct fx_config fx_cfg;
static int fx_test_no;

int
fx_setup(const struct fx_config *config)
{
    const char *builddir = getenv("LF_BUILDDIR");

    fx_cfg = *config;
    snprintf(fx_bindir, sizeof(fx_bindir), "%s/server",
             builddir != NULL ? builddir : ".");
    snprintf(fx_workdir, sizeof(fx_workdir), "/tmp/lf-%s.XXXXXX", config->name);
    /* A service user (nobody) reaches its state directory under it. */
    return (mkdtemp(fx_workdir) == NULL || chmod(fx_workdir, 0711) != 0) ? -1
                                                                         : 0;
}

int
fx_teardown(void)
{
    return unit_tmpdir_remove(fx_workdir);
}

struct fx_pair *
fx_new(void **state)
{
    struct fx_pair *p = calloc(1, sizeof(*p));
    unsigned long pid = (unsigned long)getpid();

    assert_non_null(p);
    *state = p;
    fx_test_no++;
    snprintf(p->instance, sizeof(p->instance), "%s%lu-%d", fx_cfg.prefix, pid,
             fx_test_no);
    p->port = (uint16_t)(20000
                         + (pid * fx_cfg.pid_factor
                            + (unsigned long)fx_test_no * fx_cfg.test_factor)
                               % 12000);
    snprintf(p->statedir, sizeof(p->statedir), "%s/%s", fx_workdir,
             p->instance);
    assert_int_equal(mkdir(p->statedir, 0755), 0);
    snprintf(p->epid, sizeof(p->epid), "%s/e.pid", p->statedir);
    snprintf(p->rpid, sizeof(p->rpid), "%s/r.pid", p->statedir);
    snprintf(p->elog, sizeof(p->elog), "%s/e.log", p->statedir);
    snprintf(p->rlog, sizeof(p->rlog), "%s/r.log", p->statedir);
    snprintf(p->secret, sizeof(p->secret), "%s/secret", p->statedir);
    return p;
}

int
fx_teardown_pair(void **state)
{
    struct fx_pair *p = *state;
    char name[64];
    char pattern[128];
    glob_t g;

    if (p == NULL) {
        return 0;
    }
    for (int i = 0; i < p->nfds; i++) {
        if (p->fds[i] >= 0) {
            close(p->fds[i]);
        }
    }
    if (p->e > 0) {
        kill(p->e, SIGKILL);
        (void)lf_proc_wait_gone(p->e, NULL, 10000);
    }
    if (p->r > 0) {
        kill(p->r, SIGKILL);
        (void)lf_proc_wait_gone(p->r, NULL, 10000);
    }
    lf_seg_name(p->instance, name, sizeof(name));
    shm_unlink(name);
    if (p->planted[0] != '\0') {
        (void)unlink(p->planted);
    }
    /* What a replica moved aside. */
    snprintf(pattern, sizeof(pattern), "%s%s@aside-*", LF_SEG_DIR, name);
    if (glob(pattern, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            (void)unlink(g.gl_pathv[i]);
        }
        globfree(&g);
    }
    free(p);
    *state = NULL;
    return 0;
}

int
fx_run_wait(char *const argv[], rlim_t nofile)
{
    pid_t pid = fork();
    int status = 0;

    if (pid == 0) {
        if (nofile != 0) {
            struct rlimit rl = {nofile, nofile};

            if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
                _exit(126);
            }
        }
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
        return -1;
    }
    return WEXITSTATUS(status);
}

pid_t
fx_read_pid(const char *path)
{
    pid_t pid = 0;

    assert_int_equal(lf_pidfile_read(path, &pid), 0);
    return pid;
}

/* What both servers are started with: the instance, on loopback at the
 * pair's port, the pid and log file, the timeout if set, the node name.
 * port is the caller's buffer for the port's text. Returns the count. */
static int
common_args(const struct fx_pair *p, char **argv, char *exe, char port[8],
            char *pidfile, char *logfile, const char *node)
{
    int n = 0;

    snprintf(port, 8, "%u", p->port);
    argv[n++] = exe;
    argv[n++] = "-i";
    argv[n++] = (char *)p->instance;
    argv[n++] = "-a";
    argv[n++] = "127.0.0.1";
    argv[n++] = "-p";
    argv[n++] = port;
    argv[n++] = "-P";
    argv[n++] = pidfile;
    argv[n++] = "-L";
    argv[n++] = logfile;
    if (p->timeout_ms != NULL) {
        argv[n++] = "-t";
        argv[n++] = (char *)p->timeout_ms;
    }
    argv[n++] = "-N";
    argv[n++] = (char *)node;
    return n;
}

void
fx_start_enqueue(struct fx_pair *p)
{
    char exe[PATH_MAX + 32];
    char port[8];
    char *argv[40];
    int n;
    int rc;

    snprintf(exe, sizeof(exe), "%s/lf-enqueued", fx_bindir);
    n = common_args(p, argv, exe, port, p->epid, p->elog, "e-node");
    argv[n++] = "-s";
    argv[n++] = p->statedir;
    if (p->use_secret) {
        argv[n++] = "-k";
        argv[n++] = p->secret;
    }
    for (int i = 0; i < p->neopt; i++) {
        argv[n++] = (char *)p->eopt[i];
    }
    argv[n] = NULL;
    rc = fx_run_wait(argv, p->nofile);
    if (rc == 0) {
        p->e = fx_read_pid(p->epid); /* also when unexpected: the teardown */
    }
    assert_int_equal(rc, p->expect_exit);
}

int
fx_run_replica(struct fx_pair *p, bool secret, const char *tmpfs_size)
{
    char exe[PATH_MAX + 32];
    char port[8];
    char *argv[32];
    int n;
    int rc;

    snprintf(exe, sizeof(exe), "%s/lf-replicad", fx_bindir);
    n = common_args(p, argv, exe, port, p->rpid, p->rlog,
                    p->replica_node != NULL ? p->replica_node : "r-node");
    if (p->verbose) {
        argv[n++] = "-v";
    }
    if (p->replica_user != NULL) {
        argv[n++] = "-u";
        argv[n++] = (char *)p->replica_user;
    }
    if (secret) {
        argv[n++] = "-k";
        argv[n++] = p->secret;
    }
    for (int i = 0; i < p->nropt; i++) {
        argv[n++] = (char *)p->ropt[i];
    }
    argv[n] = NULL;
    if (tmpfs_size == NULL) {
        rc = fx_run_wait(argv, 0);
    } else {
        char cmd[PATH_MAX * 4];
        int used = snprintf(cmd, sizeof(cmd),
                            "mount -t tmpfs -o size=%s tmpfs /dev/shm && exec",
                            tmpfs_size);
        char *sh[] = {"/usr/bin/unshare", "-m", "/bin/sh", "-c", cmd, NULL};

        for (int i = 0; i < n; i++) {
            used += snprintf(cmd + used, sizeof(cmd) - (size_t)used, " '%s'",
                             argv[i]);
        }
        rc = fx_run_wait(sh, 0);
    }
    if (rc == 0) {
        p->r = fx_read_pid(p->rpid);
    }
    return rc;
}

void
fx_start_replica(struct fx_pair *p)
{
    assert_int_equal(fx_run_replica(p, p->use_secret, NULL),
                     p->expect_replica_exit);
}

void
fx_stop_pid(pid_t *pid, int sig)
{
    if (*pid > 0) {
        kill(*pid, sig);
        assert_int_equal(lf_proc_wait_gone(*pid, NULL, 10000), 0);
        *pid = 0;
    }
}

void
fx_write_secret(struct fx_pair *p, const char *text)
{
    assert_int_equal(lf_file_write_atomic(p->secret, text, strlen(text), 0600),
                     0);
}

void
fx_connect_client(struct fx_pair *p, struct lf_client *c)
{
    struct lf_secret secret = {.len = 0};
    const char *why = "";

    if (p->use_secret) {
        assert_int_equal(lf_secret_load(p->secret, &secret, &why), 0);
    }
    assert_int_equal(
        lf_client_open(c, "127.0.0.1", p->port, 5000, &secret, &why), 0);
}

void
fx_call(struct lf_client *c, const char *request, const char *expect)
{
    char reply[LF_LINE_MAX + 1];

    assert_int_equal(lf_client_call(c, request, reply, sizeof(reply)), 0);
    if (strcmp(reply, expect) != 0) {
        fail_msg("%s: expected '%s', got '%s'", request, expect, reply);
    }
}

void
fx_stat_value(struct fx_pair *p, const char *name, char *out, size_t size)
{
    struct lf_client c;
    char reply[LF_LINE_MAX + 1];
    char pattern[64];
    const char *at;

    fx_connect_client(p, &c);
    assert_int_equal(lf_client_call(&c, "STATS", reply, sizeof(reply)), 0);
    lf_client_close(&c);
    snprintf(pattern, sizeof(pattern), " %s=", name);
    at = strstr(reply, pattern);
    assert_non_null(at);
    at += strlen(pattern);
    snprintf(out, size, "%.*s", (int)strcspn(at, " "), at);
}

/* The file's first MiB, NUL-terminated, in a static buffer ("" when it
 * cannot be read). */
static const char *
read_log(const char *path)
{
    static char buf[1 << 20];
    ssize_t n;
    int fd = open(path, O_RDONLY);

    buf[0] = '\0';
    if (fd < 0) {
        return buf;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

bool
fx_log_contains(const char *path, const char *text)
{
    return strstr(read_log(path), text) != NULL;
}

int
fx_log_count(const char *path, const char *text)
{
    int count = 0;

    for (const char *at = strstr(read_log(path), text); at != NULL;
         at = strstr(at + 1, text)) {
        count++;
    }
    return count;
}

void
fx_wait_log(const char *path, const char *text)
{
    long long deadline = lf_now_ms() + 15000;

    while (!fx_log_contains(path, text)) {
        if (lf_now_ms() > deadline) {
            fail_msg("'%s' never appeared in %s", text, path);
        }
        usleep(20000);
    }
}

int
fx_raw_connect(struct fx_pair *p, const char *from)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(p->port)};
    struct timeval tv = {.tv_sec = 10};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    assert_true(p->nfds < (int)(sizeof(p->fds) / sizeof(p->fds[0])));
    p->fds[p->nfds++] = fd;
    if (from != NULL) {
        struct sockaddr_in me = {.sin_family = AF_INET};

        assert_int_equal(inet_pton(AF_INET, from, &me.sin_addr), 1);
        assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0);
    }
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
                     0);
    assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
    return fd;
}

const char *
fx_raw_line(int fd)
{
    static char line[LF_LINE_MAX + 1];
    size_t n = 0;

    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            return "?";
        }
        if (r == 0 || c == '\n') {
            line[n] = '\0';
            return (r == 0 && n == 0) ? "" : line;
        }
        if (n < sizeof(line) - 1) {
            line[n++] = c;
        }
    }
}

void
fx_send(int fd, const void *data, size_t len)
{
    const char *at = data;

    while (len > 0) {
        ssize_t n = write(fd, at, len);

        if (n < 0 && errno == EAGAIN) {
            assert_int_equal(lf_net_wait(fd, POLLOUT, 5000), 0);
            continue;
        }
        assert_true(n > 0);
        at += n;
        len -= (size_t)n;
    }
}

void
fx_send_text(int fd, const char *text)
{
    fx_send(fd, text, strlen(text));
}

void
fx_expect_prefix(const char *got, const char *want)
{
    if (strncmp(got, want, strlen(want)) != 0) {
        fail_msg("expected '%s...', got '%s'", want, got);
    }
}

int
fx_stats_conn(struct fx_pair *p)
{
    int fd = fx_raw_connect(p, NULL);

    fx_expect_prefix(fx_raw_line(fd), "LEAPFROG ");
    return fd;
}

void
fx_raw_stat(int fd, const char *name, char *out, size_t size)
{
    char pattern[64];
    const char *reply;
    const char *at;

    fx_send_text(fd, "STATS\n");
    reply = fx_raw_line(fd);
    fx_expect_prefix(reply, "OK ");
    snprintf(pattern, sizeof(pattern), " %s=", name);
    at = strstr(reply, pattern);
    if (at == NULL) {
        fail_msg("no %s= in '%s'", name, reply);
    }
    at += strlen(pattern);
    snprintf(out, size, "%.*s", (int)strcspn(at, " "), at);
}

void
fx_wait_stat(int fd, const char *name, const char *want)
{
    long long deadline = lf_now_ms() + 15000;
    char value[128];

    for (;;) {
        fx_raw_stat(fd, name, value, sizeof(value));
        if (strcmp(value, want) == 0) {
            return;
        }
        if (lf_now_ms() > deadline) {
            fail_msg("STATS %s never became %s (is %s)", name, want, value);
        }
        usleep(20000);
    }
}

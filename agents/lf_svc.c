#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lf_buf.h"
#include "lf_log.h"
#include "lf_proc.h"
#include "lf_rc.h"
#include "lf_svc.h"

enum lf_svc_state
lf_svc_state(const char *pidfile, const char *binary, pid_t *pid_out)
{
    pid_t pid = 0;
    int rc = lf_pidfile_read(pidfile, &pid);

    if (rc == ENOENT) {
        return LF_SVC_STOPPED;
    }
    if (rc != 0 || lf_proc_state(pid, binary) != LF_PROC_RUNNING) {
        return LF_SVC_DEAD;
    }
    if (pid_out != NULL) {
        *pid_out = pid;
    }
    return LF_SVC_RUNNING;
}

/* Log every complete line in buf and keep the last one. */
static void
relay_lines(struct lf_buf *buf, char *last, size_t size)
{
    const char *line = NULL;
    size_t len = 0;
    enum lf_line_rc rc;

    while ((rc = lf_buf_next_line(buf, 1024, &line, &len)) != LF_LINE_NONE) {
        if (rc != LF_LINE_READY || len == 0) {
            continue;
        }
        lf_notice("%.*s", (int)len, line);
        snprintf(last, size, "%.*s", (int)len, line);
    }
}

/* Has child exited by the deadline? Checked every 10 ms: the starter
 * exits right after the daemon let go of stderr, so this is short. */
static bool
reaped_by(pid_t child, long long deadline, int *wstatus)
{
    for (;;) {
        pid_t got = waitpid(child, wstatus, WNOHANG);

        if (got == child) {
            return true;
        }
        if (got < 0 && errno != EINTR) {
            /* Reaped elsewhere (SIGCHLD ignored): *wstatus stays as the
             * caller set it, as with the blocking wait before. */
            return true;
        }
        if (lf_now_ms() >= deadline) {
            return false;
        }
        (void)poll(NULL, 0, 10);
    }
}

int
lf_svc_start(char *const argv[], long long timeout_ms, char *last_error,
             size_t size, int *status)
{
    struct lf_buf buf;
    long long deadline = lf_now_ms() + timeout_ms;
    int pipefd[2];
    int wstatus = 0;
    bool open_pipe = true;
    bool reaped = false;
    pid_t child;

    last_error[0] = '\0';
    *status = -1;
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        return errno;
    }
    child = fork();
    if (child < 0) {
        int rc = errno;

        close(pipefd[0]);
        close(pipefd[1]);
        return rc;
    }
    if (child == 0) {
        int devnull = open("/dev/null", O_RDWR);

        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        dup2(pipefd[1], STDERR_FILENO);
        execv(argv[0], argv);
        dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);
    lf_buf_init(&buf, 64 * 1024);
    /* The pipe closes when the starter has exited and the daemon has
     * reported readiness (it then lets go of stderr). */
    while (open_pipe) {
        struct pollfd pfd = {.fd = pipefd[0], .events = POLLIN};
        long long left = deadline - lf_now_ms();
        size_t n = 0;
        int rc;

        if (left <= 0) {
            lf_warn("%s did not get ready in time; killing it", argv[0]);
            kill(child, SIGKILL);
            break;
        }
        if (poll(&pfd, 1, (int)left) <= 0) {
            continue;
        }
        rc = lf_buf_read_fd(&buf, pipefd[0], &n);
        if ((rc == 0 && n == 0) || (rc != 0 && rc != EINTR && rc != EAGAIN)) {
            open_pipe = false;
            (void)lf_buf_append(&buf, "\n", 1);
        }
        relay_lines(&buf, last_error, size);
    }
    close(pipefd[0]);
    lf_buf_free(&buf);
    if (!open_pipe) {
        reaped = reaped_by(child, deadline, &wstatus);
        if (!reaped) {
            /* It let go of stderr but did not exit: a starter must exit
             * once its daemon is ready. */
            lf_warn("%s closed its stderr but did not exit in time; "
                    "killing it",
                    argv[0]);
            kill(child, SIGKILL);
            open_pipe = true; /* killed: no status of its own */
        }
    }
    while (!reaped && waitpid(child, &wstatus, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(wstatus) && open_pipe == false) {
        *status = WEXITSTATUS(wstatus);
    }
    return 0;
}

int
lf_svc_stop(const char *pidfile, const char *binary, long long term_ms,
            long long timeout_ms)
{
    pid_t pid = 0;

    if (lf_svc_state(pidfile, binary, &pid) != LF_SVC_RUNNING) {
        (void)unlink(pidfile);
        return 0;
    }
    if (kill(pid, SIGTERM) == 0
        && lf_proc_wait_gone(pid, binary, term_ms) != 0) {
        lf_warn("process %ld ignored SIGTERM for %lld ms; sending SIGKILL",
                (long)pid, term_ms);
        kill(pid, SIGKILL);
        if (lf_proc_wait_gone(pid, binary, timeout_ms - term_ms) != 0) {
            return LF_ERR_TIMEOUT;
        }
    }
    (void)unlink(pidfile);
    return 0;
}

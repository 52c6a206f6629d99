#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lf_file.h"
#include "lf_parse.h"
#include "lf_proc.h"
#include "lf_rc.h"

long long
lf_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
lf_pidfile_write(const char *path, pid_t pid)
{
    char buf[32];
    int len = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);

    return lf_file_write_atomic(path, buf, (size_t)len, 0644);
}

int
lf_pidfile_read(const char *path, pid_t *pid)
{
    char buf[32];
    long long value = 0;
    int rc = lf_file_read_small(path, buf, sizeof(buf));

    if (rc == EFBIG) {
        return LF_ERR_SYNTAX;
    }
    if (rc != 0) {
        return rc;
    }
    if (lf_parse_long(buf, 1, INT_MAX, &value) != 0) {
        return LF_ERR_SYNTAX;
    }
    *pid = (pid_t)value;
    return 0;
}

/* The fields after the command name of /proc/PID/stat, starting with the
 * state letter (field 3). The name may itself hold spaces and parentheses,
 * so they start after the last ')'. */
static const char *
read_stat_tail(pid_t pid, char *buf, size_t size)
{
    char path[64];
    char *paren;
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }
    n = read(fd, buf, size - 1);
    close(fd);
    if (n <= 0) {
        return NULL;
    }
    buf[n] = '\0';
    paren = strrchr(buf, ')');
    if (paren == NULL || paren[1] != ' ' || paren[2] == '\0') {
        return NULL;
    }
    return paren + 2;
}

static char
read_state_letter(pid_t pid)
{
    char buf[1024];
    const char *tail = read_stat_tail(pid, buf, sizeof(buf));

    return (tail == NULL) ? '\0' : tail[0];
}

int
lf_proc_start_time(pid_t pid, unsigned long long *start)
{
    char buf[1024];
    const char *tail = read_stat_tail(pid, buf, sizeof(buf));
    int field = 3;

    if (tail == NULL) {
        return ESRCH;
    }
    /* starttime is field 22. */
    while (field < 22) {
        tail = strchr(tail, ' ');
        if (tail == NULL) {
            return EIO;
        }
        tail++;
        field++;
    }
    return (sscanf(tail, "%llu", start) == 1) ? 0 : EIO;
}

/* glibc's pidfd_open() wrapper is newer (2.36) than the system call. */
static long
pidfd_open_syscall(pid_t pid)
{
#ifdef SYS_pidfd_open
    return syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int
lf_proc_pidfd_open(pid_t pid, unsigned long long start, int *fd)
{
    unsigned long long now = 0;
    int rc;
    long n;

    if (pid <= 0) {
        return ESRCH;
    }
    n = pidfd_open_syscall(pid);
    if (n < 0) {
        return errno;
    }
    /* The pidfd holds the process that had the pid at the open: if that
     * is still the one started at 'start', it is the one we were given. */
    rc = lf_proc_start_time(pid, &now);
    if (rc != 0 || now != start) {
        close((int)n);
        return ESRCH;
    }
    *fd = (int)n;
    return 0;
}

static bool
runs_binary(pid_t pid, const char *exe)
{
    static const char deleted[] = " (deleted)";
    char link[64];
    char target[PATH_MAX];
    char wanted[PATH_MAX];
    ssize_t n;
    size_t len;

    snprintf(link, sizeof(link), "/proc/%ld/exe", (long)pid);
    n = readlink(link, target, sizeof(target) - 1);
    if (n < 0) {
        return false;
    }
    target[n] = '\0';
    len = (size_t)n;
    if (len > sizeof(deleted) - 1
        && strcmp(target + len - (sizeof(deleted) - 1), deleted) == 0) {
        target[len - (sizeof(deleted) - 1)] = '\0';
    }
    if (realpath(exe, wanted) == NULL) {
        /* The binary itself may be gone (package removed or upgraded). */
        if (lf_strlcpy(wanted, exe, sizeof(wanted)) != 0) {
            return false;
        }
    }
    return strcmp(target, wanted) == 0;
}

enum lf_proc_state
lf_proc_state(pid_t pid, const char *exe)
{
    char state;

    if (pid <= 0) {
        return LF_PROC_GONE;
    }
    state = read_state_letter(pid);
    if (state == '\0' || state == 'X') {
        return LF_PROC_GONE;
    }
    if (state == 'Z') {
        return LF_PROC_ZOMBIE;
    }
    if (exe != NULL && !runs_binary(pid, exe)) {
        return LF_PROC_GONE;
    }
    return LF_PROC_RUNNING;
}

int
lf_proc_wait_gone(pid_t pid, const char *exe, long long timeout_ms)
{
    long long deadline = lf_now_ms() + timeout_ms;
    int pause_ms = 1;

    for (;;) {
        if (lf_proc_state(pid, exe) != LF_PROC_RUNNING) {
            return 0;
        }
        if (lf_now_ms() >= deadline) {
            return LF_ERR_TIMEOUT;
        }
        /* Polling /proc is the only portable way to wait for a process
         * that is not our child: often at first, then every 20 ms. */
        (void)poll(NULL, 0, pause_ms);
        if (pause_ms < 20) {
            pause_ms *= 2;
        }
    }
}

void
lf_proc_close_from(int lowfd)
{
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *entry;

    if (dir == NULL) {
        long max = sysconf(_SC_OPEN_MAX);

        for (int fd = lowfd; fd < (max > 0 ? max : 1024); fd++) {
            (void)close(fd);
        }
        return;
    }
    while ((entry = readdir(dir)) != NULL) {
        long long fd = 0;

        if (lf_parse_long(entry->d_name, 0, INT_MAX, &fd) == 0 && fd >= lowfd
            && fd != dirfd(dir)) {
            (void)close((int)fd);
        }
    }
    closedir(dir);
}

int
lf_daemonize(int *notify_fd)
{
    int pipefd[2];
    pid_t pid;
    int devnull;

    if (pipe(pipefd) != 0) {
        return errno;
    }
    pid = fork();
    if (pid < 0) {
        int rc = errno;

        close(pipefd[0]);
        close(pipefd[1]);
        return rc;
    }
    if (pid > 0) {
        unsigned char byte = 1;
        ssize_t n;

        close(pipefd[1]);
        do {
            n = read(pipefd[0], &byte, 1);
        } while (n < 0 && errno == EINTR);
        _exit((n == 1) ? byte : 1);
    }

    close(pipefd[0]);
    (void)setsid();
    devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        (void)dup2(devnull, STDIN_FILENO);
        (void)dup2(devnull, STDOUT_FILENO);
        if (devnull > STDERR_FILENO) {
            close(devnull);
        }
    }
    /* Keep the notify pipe: move it to fd 3 and close everything above. */
    if (pipefd[1] != 3) {
        if (dup2(pipefd[1], 3) < 0) {
            _exit(1);
        }
        close(pipefd[1]);
    }
    lf_proc_close_from(4);
    (void)fcntl(3, F_SETFD, FD_CLOEXEC);
    *notify_fd = 3;
    return 0;
}

void
lf_daemon_ready(int notify_fd, int status)
{
    unsigned char byte = (unsigned char)status;
    int devnull;

    if (notify_fd < 0) {
        return;
    }
    while (write(notify_fd, &byte, 1) < 0 && errno == EINTR) {
    }
    close(notify_fd);
    /* From now on nobody waits on our stderr. */
    devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
        (void)dup2(devnull, STDERR_FILENO);
        if (devnull != STDERR_FILENO) {
            close(devnull);
        }
    }
}

int
lf_proc_lookup_user(const char *user, uid_t *uid, gid_t *gid)
{
    struct passwd pw;
    struct passwd *found = NULL;
    char buf[4096];
    int rc = getpwnam_r(user, &pw, buf, sizeof(buf), &found);

    if (rc != 0) {
        return rc;
    }
    if (found == NULL) {
        return ENOENT;
    }
    *uid = pw.pw_uid;
    *gid = pw.pw_gid;
    return 0;
}

int
lf_proc_drop_to(const char *user)
{
    uid_t uid = 0;
    gid_t gid = 0;
    int rc = lf_proc_lookup_user(user, &uid, &gid);

    if (rc != 0) {
        return rc;
    }
    if (getuid() == uid && geteuid() == uid) {
        return 0;
    }
    if (initgroups(user, gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
        return errno;
    }
    /* Make sure there is no way back. */
    if (setuid(0) == 0 && uid != 0) {
        return EPERM;
    }
    return 0;
}

int
lf_proc_act_as(uid_t uid, gid_t gid)
{
    if (geteuid() == uid && getegid() == gid) {
        return 0;
    }
    /* Only root may change the gid: become root again first. */
    if (geteuid() != 0 && seteuid(0) != 0) {
        return errno;
    }
    if (setegid(gid) != 0 || seteuid(uid) != 0) {
        return errno;
    }
    return 0;
}

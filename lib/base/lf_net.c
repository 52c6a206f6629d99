#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lf_net.h"
#include "lf_proc.h"

int
lf_net_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        return errno;
    }
    return 0;
}

void
lf_net_tune(int fd)
{
    int one = 1;

    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    (void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
}

static int
listen_on(const struct addrinfo *ai, int *fd_out)
{
    int one = 1;
    int zero = 0;
    int fd =
        socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
               ai->ai_protocol);

    if (fd < 0) {
        return errno;
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (ai->ai_family == AF_INET6) {
        /* Dual stack when listening on every address. */
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
    }
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 512) != 0) {
        int rc = errno;

        close(fd);
        return rc;
    }
    *fd_out = fd;
    return 0;
}

int
lf_net_listen(const char *address, uint16_t port, int *fd)
{
    struct addrinfo hints;
    struct addrinfo *list = NULL;
    char service[8];
    int rc = EADDRNOTAVAIL;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if (address == NULL || *address == '\0') {
        /* "::" takes IPv4 too; fall back to IPv4 alone without IPv6. */
        hints.ai_family = AF_INET6;
        snprintf(service, sizeof(service), "%u", port);
        if (getaddrinfo(NULL, service, &hints, &list) == 0) {
            rc = listen_on(list, fd);
            freeaddrinfo(list);
            if (rc == 0) {
                return 0;
            }
        }
        hints.ai_family = AF_INET;
    } else {
        hints.ai_family = AF_UNSPEC;
    }
    snprintf(service, sizeof(service), "%u", port);
    if (getaddrinfo(address, service, &hints, &list) != 0) {
        return EADDRNOTAVAIL;
    }
    for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        rc = listen_on(ai, fd);
        if (rc == 0) {
            break;
        }
    }
    freeaddrinfo(list);
    return rc;
}

static int net_cancel_fd = -1;

void
lf_net_cancel_on(int fd)
{
    net_cancel_fd = fd;
}

int
lf_net_wait(int fd, short events, int timeout_ms)
{
    struct pollfd pfd[2] = {
        {.fd = fd, .events = events},
        {.fd = net_cancel_fd, .events = POLLIN},
    };
    long long deadline = lf_now_ms() + timeout_ms;

    for (;;) {
        long long left = deadline - lf_now_ms();
        int n;

        if (left < 0) {
            left = 0;
        }
        n = poll(pfd, net_cancel_fd >= 0 ? 2 : 1, (int)left);
        if (n > 0 && net_cancel_fd >= 0 && pfd[1].revents != 0) {
            return ECANCELED;
        }
        if (n > 0) {
            return 0;
        }
        if (n == 0) {
            return ETIMEDOUT;
        }
        if (errno != EINTR) {
            return errno;
        }
    }
}

static int
connect_one(const struct addrinfo *ai, int timeout_ms, int *fd_out)
{
    int err = 0;
    socklen_t len = sizeof(err);
    int fd =
        socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
               ai->ai_protocol);

    if (fd < 0) {
        return errno;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        int rc = errno;

        if (rc != EINPROGRESS) {
            close(fd);
            return rc;
        }
        rc = lf_net_wait(fd, POLLOUT, timeout_ms);
        if (rc == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
            rc = errno;
        }
        if (rc == 0) {
            rc = err;
        }
        if (rc != 0) {
            close(fd);
            return rc;
        }
    }
    lf_net_tune(fd);
    *fd_out = fd;
    return 0;
}

int
lf_net_connect(const char *host, uint16_t port, int timeout_ms, int *fd)
{
    struct addrinfo hints;
    struct addrinfo *list = NULL;
    char service[8];
    int rc = EHOSTUNREACH;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(service, sizeof(service), "%u", port);
    if (getaddrinfo(host, service, &hints, &list) != 0) {
        return EHOSTUNREACH;
    }
    for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        rc = connect_one(ai, timeout_ms, fd);
        if (rc == 0) {
            break;
        }
    }
    freeaddrinfo(list);
    return rc;
}

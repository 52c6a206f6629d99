/*
 * lf_net.h - TCP sockets: listening, connecting with a deadline.
 */
#ifndef LF_NET_H
#define LF_NET_H

#include <stdint.h>

/*!
 * \brief Listen on address:port (address NULL or "" = every address, IPv6
 *        and IPv4). The socket is non-blocking and close-on-exec.
 *
 * \param[out] fd  the listening socket
 *
 * \return 0 or an errno value (EAI errors become EADDRNOTAVAIL)
 */
int lf_net_listen(const char *address, uint16_t port, int *fd);

/*!
 * \brief Connect to host:port within timeout_ms. The socket is returned
 *        non-blocking, close-on-exec, with TCP_NODELAY.
 *
 * \return 0, ETIMEDOUT, EHOSTUNREACH (name not resolved) or another errno
 */
int lf_net_connect(const char *host, uint16_t port, int timeout_ms, int *fd);

/*! \brief Make fd non-blocking; 0 or an errno value. */
int lf_net_nonblock(int fd);

/*! \brief Disable Nagle's algorithm and turn on TCP keepalive. */
void lf_net_tune(int fd);

/*!
 * \brief Wait until fd is readable (events POLLIN) or writable (POLLOUT).
 *
 * \return 0, ETIMEDOUT, ECANCELED when the cancel fd became readable, or
 *         another errno value
 */
int lf_net_wait(int fd, short events, int timeout_ms);

/*!
 * \brief Make every wait of this process (connects, client reads and
 *        writes) give up with ECANCELED as soon as fd is readable: a
 *        daemon passes its signalfd, so a stop request is served at once
 *        even while it waits for an unreachable peer. -1 turns this off.
 *        The fd is only polled, never read.
 */
void lf_net_cancel_on(int fd);

#endif

/* Unit tests for lib/lf_net.c and lib/lf_client.c: waits and their cancel
 * fd, on socket pairs and a loopback listener. */
#include <config.h>

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_client.h"
#include "lf_net.h"

/* Long enough that a test which waits it out has failed anyway. */
#define NEVER_MS 60000

static void
wait_sees_data_and_timeout(void **state)
{
    int sv[2];

    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(lf_net_wait(sv[0], POLLIN, 0), ETIMEDOUT);
    assert_int_equal(write(sv[1], "x", 1), 1);
    assert_int_equal(lf_net_wait(sv[0], POLLIN, NEVER_MS), 0);
    close(sv[0]);
    close(sv[1]);
}

static void
cancel_fd_ends_a_wait(void **state)
{
    int sv[2];
    int stop[2];

    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(pipe(stop), 0);
    lf_net_cancel_on(stop[0]);
    /* Nothing to cancel yet: the wait still times out normally. */
    assert_int_equal(lf_net_wait(sv[0], POLLIN, 0), ETIMEDOUT);
    assert_int_equal(write(stop[1], "s", 1), 1);
    assert_int_equal(lf_net_wait(sv[0], POLLIN, NEVER_MS), ECANCELED);
    /* Only polled, never read: it stays pending for its owner. */
    assert_int_equal(lf_net_wait(sv[0], POLLIN, NEVER_MS), ECANCELED);
    lf_net_cancel_on(-1);
    assert_int_equal(lf_net_wait(sv[0], POLLIN, 0), ETIMEDOUT);
    close(stop[0]);
    close(stop[1]);
    close(sv[0]);
    close(sv[1]);
}

/* A server that accepts connections (the kernel does) but never greets:
 * the client waits for the greeting until it is cancelled. */
static void
cancel_fd_ends_a_client_open(void **state)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    struct lf_client client;
    const char *why = "";
    int lfd;
    int stop[2];

    (void)state;
    assert_int_equal(lf_net_listen("127.0.0.1", 0, &lfd), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
    assert_int_equal(pipe(stop), 0);
    assert_int_equal(write(stop[1], "s", 1), 1);
    lf_net_cancel_on(stop[0]);
    assert_int_equal(lf_client_open(&client, "127.0.0.1", ntohs(sin.sin_port),
                                    NEVER_MS, NULL, &why),
                     ECANCELED);
    /* Cancelled in the connect (loopback may still be in progress) or in
     * the wait for the greeting; either way it says which. */
    assert_true(strcmp(why, "cannot connect to the enqueue server") == 0
                || strcmp(why, "no greeting from the server") == 0);
    lf_net_cancel_on(-1);
    close(stop[0]);
    close(stop[1]);
    close(lfd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wait_sees_data_and_timeout),
        cmocka_unit_test(cancel_fd_ends_a_wait),
        cmocka_unit_test(cancel_fd_ends_a_client_open),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * lf-bench-locks: lock+unlock throughput and latency against one server,
 * leapfrog's enqueue server or Redis used as a lock table the way people
 * do it (SET key owner NX / DEL, plus WAIT 1 0 after each write when a
 * replica must have it). One thread per client, each with its own
 * connection and its own keys, a fixed number of lock+unlock pairs.
 *
 *   lf-bench-locks -s leapfrog|redis|redis-wait -p PORT -c CLIENTS -n PAIRS
 *                  [-e REPLY] [-k SECRETFILE]
 *
 * Prints one line: "<server> clients=C pairs=N pairs_per_s=X lock_p50_us=..
 * lock_p99_us=.. unlock_p50_us=.. unlock_p99_us=..".
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_stats.h"
#include "lf_client.h"
#include "lf_net.h"
#include "lf_parse.h"
#include "lf_rc.h"

enum bench_server {
    BENCH_LEAPFROG,
    BENCH_REDIS,
    BENCH_REDIS_WAIT,
};

struct bench_cfg {
    enum bench_server server;
    uint16_t port;
    int clients;
    int pairs;
    const char *expect;      /* leapfrog's reply to every change */
    struct lf_secret secret; /* leapfrog: len 0 for none */
};

struct bench_thread {
    const struct bench_cfg *cfg;
    int id;
    double *lock_us;
    double *unlock_us;
    int failed;
    pthread_t thread;
};

/* Redis: send a command, read one reply line. */
static int
redis_call(struct lf_client *c, const char *cmd, char *reply, size_t size)
{
    int rc = lf_client_send(c, cmd);

    return (rc != 0) ? rc : lf_client_read_line(c, reply, size);
}

static int
redis_open(struct lf_client *c, uint16_t port)
{
    memset(c, 0, sizeof(*c));
    c->timeout_ms = 10000;
    lf_buf_init(&c->in, 64 * 1024);
    return lf_net_connect("127.0.0.1", port, 5000, &c->fd);
}

/* One write plus, when asked, the WAIT that makes it synchronous. */
static int
redis_write(struct lf_client *c, bool wait, const char *cmd, const char *expect)
{
    char reply[256];

    if (redis_call(c, cmd, reply, sizeof(reply)) != 0
        || strcmp(reply, expect) != 0) {
        return -1;
    }
    if (wait
        && (redis_call(c, "WAIT 1 0", reply, sizeof(reply)) != 0
            || strcmp(reply, ":1") != 0)) {
        return -1;
    }
    return 0;
}

static void *
run_client(void *arg)
{
    struct bench_thread *t = arg;
    const struct bench_cfg *cfg = t->cfg;
    struct lf_client c;
    char lock[128];
    char unlock[128];
    char reply[LF_LINE_MAX + 1];
    const char *why = "";
    bool wait = (cfg->server == BENCH_REDIS_WAIT);
    int rc;

    if (cfg->server == BENCH_LEAPFROG) {
        rc = lf_client_open(&c, "127.0.0.1", cfg->port, 10000, &cfg->secret,
                            &why);
    } else {
        rc = redis_open(&c, cfg->port);
    }
    if (rc != 0) {
        t->failed = 1;
        return NULL;
    }
    for (int i = 0; i < cfg->pairs && !t->failed; i++) {
        double t0;
        double t1;

        if (cfg->server == BENCH_LEAPFROG) {
            snprintf(lock, sizeof(lock), "LOCK b%d-%d owner%d", t->id, i,
                     t->id);
            snprintf(unlock, sizeof(unlock), "UNLOCK b%d-%d owner%d", t->id, i,
                     t->id);
            t0 = bench_now_us();
            if (lf_client_call(&c, lock, reply, sizeof(reply)) != 0
                || strcmp(reply, cfg->expect) != 0) {
                t->failed = 1;
            }
            t1 = bench_now_us();
            if (lf_client_call(&c, unlock, reply, sizeof(reply)) != 0
                || strcmp(reply, cfg->expect) != 0) {
                t->failed = 1;
            }
        } else {
            snprintf(lock, sizeof(lock), "SET b%d-%d owner%d NX", t->id, i,
                     t->id);
            snprintf(unlock, sizeof(unlock), "DEL b%d-%d", t->id, i);
            t0 = bench_now_us();
            if (redis_write(&c, wait, lock, "+OK") != 0) {
                t->failed = 1;
            }
            t1 = bench_now_us();
            if (redis_write(&c, wait, unlock, ":1") != 0) {
                t->failed = 1;
            }
        }
        t->lock_us[i] = t1 - t0;
        t->unlock_us[i] = bench_now_us() - t1;
    }
    lf_client_close(&c);
    return NULL;
}

static double
percentile(const double *v, size_t n, double p)
{
    size_t i = (size_t)(p * (double)(n - 1));

    return v[i];
}

static const char *
server_name(enum bench_server s)
{
    switch (s) {
    case BENCH_LEAPFROG:
        return "leapfrog";
    case BENCH_REDIS:
        return "redis";
    default:
        return "redis-wait";
    }
}

int
main(int argc, char **argv)
{
    struct bench_cfg cfg = {BENCH_LEAPFROG, LF_DEFAULT_PORT, 1, 1000,
                            "OK",           {.len = 0}};
    const char *why = "";
    struct bench_thread *threads;
    double *lock_all;
    double *unlock_all;
    long long n = 0;
    size_t total;
    double t0;
    double elapsed;
    int opt;

    while ((opt = getopt(argc, argv, "s:p:c:n:e:k:")) != -1) {
        switch (opt) {
        case 's':
            if (strcmp(optarg, "leapfrog") == 0) {
                cfg.server = BENCH_LEAPFROG;
            } else if (strcmp(optarg, "redis") == 0) {
                cfg.server = BENCH_REDIS;
            } else if (strcmp(optarg, "redis-wait") == 0) {
                cfg.server = BENCH_REDIS_WAIT;
            } else {
                fprintf(stderr, "unknown server %s\n", optarg);
                return 2;
            }
            break;
        case 'p':
            if (lf_parse_port(optarg, &cfg.port) != 0) {
                return 2;
            }
            break;
        case 'c':
            if (lf_parse_long(optarg, 1, 1024, &n) != 0) {
                return 2;
            }
            cfg.clients = (int)n;
            break;
        case 'n':
            if (lf_parse_long(optarg, 1, 10000000, &n) != 0) {
                return 2;
            }
            cfg.pairs = (int)n;
            break;
        case 'e':
            /* Without a replica: "UNREPLICATED OK". */
            cfg.expect = optarg;
            break;
        case 'k':
            /* Authenticated: every line then carries its MAC. */
            if (lf_secret_load(optarg, &cfg.secret, &why) != 0) {
                fprintf(stderr, "%s %s\n", why, optarg);
                return 2;
            }
            break;
        default:
            fprintf(stderr, "usage: lf-bench-locks -s leapfrog|redis|"
                            "redis-wait -p PORT -c CLIENTS -n PAIRS "
                            "[-e REPLY] [-k SECRETFILE]\n");
            return 2;
        }
    }
    total = (size_t)cfg.clients * (size_t)cfg.pairs;
    threads = calloc((size_t)cfg.clients, sizeof(*threads));
    lock_all = calloc(total, sizeof(double));
    unlock_all = calloc(total, sizeof(double));
    if (threads == NULL || lock_all == NULL || unlock_all == NULL) {
        return 1;
    }
    t0 = bench_now_us();
    for (int i = 0; i < cfg.clients; i++) {
        threads[i].cfg = &cfg;
        threads[i].id = i;
        threads[i].lock_us = lock_all + (size_t)i * (size_t)cfg.pairs;
        threads[i].unlock_us = unlock_all + (size_t)i * (size_t)cfg.pairs;
        pthread_create(&threads[i].thread, NULL, run_client, &threads[i]);
    }
    for (int i = 0; i < cfg.clients; i++) {
        pthread_join(threads[i].thread, NULL);
        if (threads[i].failed) {
            fprintf(stderr, "client %d failed\n", i);
            return 1;
        }
    }
    elapsed = (bench_now_us() - t0) / 1e6;
    bench_sort(lock_all, total);
    bench_sort(unlock_all, total);
    printf("%s clients=%d pairs=%zu pairs_per_s=%.0f lock_p50_us=%.1f "
           "lock_p99_us=%.1f unlock_p50_us=%.1f unlock_p99_us=%.1f\n",
           server_name(cfg.server), cfg.clients, total, (double)total / elapsed,
           percentile(lock_all, total, 0.50), percentile(lock_all, total, 0.99),
           percentile(unlock_all, total, 0.50),
           percentile(unlock_all, total, 0.99));
    free(threads);
    free(lock_all);
    free(unlock_all);
    return 0;
}

/*
 * lf-bench-load: lock latency of an enqueue server under connection load.
 * First unloaded: CLIENTS threads take and release their own locks. Then
 * loaded: IDLE connections that only connect (from ADDRESSES loopback
 * addresses 127.0.x.y, so no one address passes the server's cap) and a
 * slow client that sends one byte a second, while the same threads run
 * again. The server's CPU use is read from /proc for each phase.
 *
 *   lf-bench-load -p PORT -P SERVER_PID [-c CLIENTS] [-n PAIRS]
 *                 [-i IDLE] [-a ADDRESSES]
 *
 * Prints "unloaded ..." and "loaded ..." lines (lock_p50_us, lock_p99_us,
 * cpu_cores, and for the loaded phase idle= admitted of those asked) and
 * "ratio p99=...".
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "bench_stats.h"
#include "lf_client.h"
#include "lf_parse.h"

struct load_cfg {
    uint16_t port;
    int clients;
    int pairs;
    int phase;
};

struct load_thread {
    const struct load_cfg *cfg;
    int id;
    double *lock_us;
    int failed;
    pthread_t thread;
};

static volatile int slow_stop;

/* utime + stime of pid, in seconds. */
static double
cpu_seconds(int pid)
{
    char path[64];
    char buf[1024];
    unsigned long long ut = 0;
    unsigned long long st = 0;
    FILE *f;
    char *p;

    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    f = fopen(path, "r");
    if (f == NULL || fgets(buf, sizeof(buf), f) == NULL) {
        if (f != NULL) {
            fclose(f);
        }
        return 0;
    }
    fclose(f);
    p = strrchr(buf, ')');
    if (p == NULL
        || sscanf(p + 2,
                  "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
                  &st)
               != 2) {
        return 0;
    }
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void *
locker(void *arg)
{
    struct load_thread *t = arg;
    char req[128];
    char reply[LF_LINE_MAX + 1];
    struct lf_client c;
    const char *why = "";

    if (lf_client_open(&c, "127.0.0.1", t->cfg->port, 10000, NULL, &why) != 0) {
        t->failed = 1;
        return NULL;
    }
    for (int i = 0; i < t->cfg->pairs; i++) {
        double start = bench_now_us();

        snprintf(req, sizeof(req), "LOCK load%d-%d-%d c%d", t->cfg->phase,
                 t->id, i, t->id);
        if (lf_client_call(&c, req, reply, sizeof(reply)) != 0
            || strcmp(reply, "OK") != 0) {
            t->failed = 1;
            break;
        }
        t->lock_us[i] = bench_now_us() - start;
        snprintf(req, sizeof(req), "UNLOCK load%d-%d-%d c%d", t->cfg->phase,
                 t->id, i, t->id);
        if (lf_client_call(&c, req, reply, sizeof(reply)) != 0
            || strcmp(reply, "OK") != 0) {
            t->failed = 1;
            break;
        }
    }
    lf_client_close(&c);
    return NULL;
}

static double
percentile(const double *v, size_t n, double p)
{
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);

    return n == 0 ? 0 : v[i];
}

/* One phase: every thread's lock latencies, sorted, and the CPU used. */
static int
run_phase(struct load_cfg *cfg, int pid, double *p50, double *p99,
          double *cores)
{
    struct load_thread *t = calloc((size_t)cfg->clients, sizeof(*t));
    size_t n = (size_t)cfg->clients * (size_t)cfg->pairs;
    double *all = calloc(n, sizeof(*all));
    double wall = bench_now_us();
    double cpu = cpu_seconds(pid);
    int failed = 0;

    if (t == NULL || all == NULL) {
        return ENOMEM;
    }
    for (int i = 0; i < cfg->clients; i++) {
        t[i].cfg = cfg;
        t[i].id = i;
        t[i].lock_us = all + (size_t)i * (size_t)cfg->pairs;
        pthread_create(&t[i].thread, NULL, locker, &t[i]);
    }
    for (int i = 0; i < cfg->clients; i++) {
        pthread_join(t[i].thread, NULL);
        failed |= t[i].failed;
    }
    *cores = (cpu_seconds(pid) - cpu) / ((bench_now_us() - wall) / 1e6);
    bench_sort(all, n);
    *p50 = percentile(all, n, 0.50);
    *p99 = percentile(all, n, 0.99);
    free(all);
    free(t);
    return failed ? EPROTO : 0;
}

/* A connection from 127.0.(1 + k / 250).(1 + k % 250) that says nothing;
 * true when the server greeted it. */
static bool
idle_connect(uint16_t port, int k, int *fd_out)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    struct sockaddr_in me = {.sin_family = AF_INET};
    struct timeval tv = {.tv_sec = 10};
    char from[32];
    char line[16];
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    *fd_out = fd;
    if (fd < 0) {
        return false;
    }
    snprintf(from, sizeof(from), "127.0.%d.%d", 1 + k / 250, 1 + k % 250);
    inet_pton(AF_INET, from, &me.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (bind(fd, (struct sockaddr *)&me, sizeof(me)) != 0
        || connect(fd, (struct sockaddr *)&to, sizeof(to)) != 0) {
        return false;
    }
    return read(fd, line, 8) == 8 && memcmp(line, "LEAPFROG", 8) == 0;
}

/* One byte a second of a request that ends only after many seconds. */
static void *
slow_client(void *arg)
{
    const char *text = "PINGPINGPINGPINGPINGPINGPINGPINGPING\n";
    int fd = -1;

    (void)idle_connect(*(uint16_t *)arg, 249, &fd);
    for (size_t i = 0; !slow_stop && fd >= 0; i = (i + 1) % strlen(text)) {
        if (write(fd, text + i, 1) != 1) {
            break;
        }
        for (int w = 0; w < 10 && !slow_stop; w++) {
            usleep(100000);
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    return NULL;
}

int
main(int argc, char **argv)
{
    struct load_cfg cfg = {.clients = 16, .pairs = 2000};
    long long n = 0;
    int idle = 10000;
    int pid = 0;
    int admitted = 0;
    int *fds;
    int opt;
    double p50u, p99u, cpuu, p50l, p99l, cpul;
    pthread_t slow;

    while ((opt = getopt(argc, argv, "p:P:c:n:i:")) != -1) {
        if (lf_parse_option("lf-bench-load", (char)opt, optarg, 0, 1000000, &n)
            != 0) {
            return 2;
        }
        switch (opt) {
        case 'p':
            cfg.port = (uint16_t)n;
            break;
        case 'P':
            pid = (int)n;
            break;
        case 'c':
            cfg.clients = (int)n;
            break;
        case 'n':
            cfg.pairs = (int)n;
            break;
        case 'i':
            idle = (int)n;
            break;
        default:
            return 2;
        }
    }
    if (cfg.port == 0 || pid == 0 || cfg.clients < 1 || cfg.pairs < 1) {
        fprintf(stderr, "usage: lf-bench-load -p PORT -P SERVER_PID [-c "
                        "CLIENTS] [-n PAIRS] [-i IDLE]\n");
        return 2;
    }
    cfg.phase = 0;
    if (run_phase(&cfg, pid, &p50u, &p99u, &cpuu) != 0) {
        fprintf(stderr, "lf-bench-load: the unloaded run failed\n");
        return 1;
    }
    printf("unloaded clients=%d pairs=%d lock_p50_us=%.0f lock_p99_us=%.0f "
           "cpu_cores=%.2f\n",
           cfg.clients, cfg.pairs, p50u, p99u, cpuu);
    fflush(stdout);
    fds = calloc((size_t)idle + 1, sizeof(*fds));
    if (fds == NULL) {
        return 1;
    }
    for (int k = 0; k < idle; k++) {
        admitted += idle_connect(cfg.port, k, &fds[k]) ? 1 : 0;
    }
    pthread_create(&slow, NULL, slow_client, &cfg.port);
    cfg.phase = 1;
    if (run_phase(&cfg, pid, &p50l, &p99l, &cpul) != 0) {
        fprintf(stderr, "lf-bench-load: the loaded run failed\n");
        return 1;
    }
    slow_stop = 1;
    pthread_join(slow, NULL);
    printf("loaded clients=%d pairs=%d idle=%d/%d slow=1 lock_p50_us=%.0f "
           "lock_p99_us=%.0f cpu_cores=%.2f\n",
           cfg.clients, cfg.pairs, admitted, idle, p50l, p99l, cpul);
    printf("ratio p50=%.2f p99=%.2f\n", p50l / p50u, p99l / p99u);
    for (int k = 0; k < idle; k++) {
        if (fds[k] >= 0) {
            close(fds[k]);
        }
    }
    free(fds);
    return 0;
}

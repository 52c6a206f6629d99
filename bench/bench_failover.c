/*
 * lf-bench-failover: watches an enqueue server through its (virtual)
 * address while a fault is injected elsewhere, and reports, as wall-clock
 * times in ms since the epoch (comparable with the cluster's logs):
 *   lost    the first poll the old server did not answer,
 *   answer  the first answer of a new server generation, with its lock
 *           count and how many locks it adopted,
 *   sync    the first time that new server had a replica in sync.
 * It polls STATS every 2 ms over one connection, reconnecting (50 ms
 * deadline) whenever the connection fails.
 *
 *   lf-bench-failover -a ADDRESS [-p PORT] -g GENERATION -n LOCKS [-w SECS]
 *                     [-k SECRETFILE] [-R]
 *
 * GENERATION is the serving generation before the fault. Prints "ready"
 * once it sees that generation answer, then one result line:
 * "lost_ms=.. answer_ms=.. locks=.. adopted=.. sync_ms=..". Exits 0 when a
 * new generation answered with LOCKS locks and got a replica in sync, 2
 * when it answered with another number of locks, 1 on timeout.
 *
 * With -R the fault is the replica's (the replication server killed): the
 * same server generation keeps answering; lost is the first poll that
 * finds its replica no longer in sync, sync the first one after that finds
 * a replica in sync again (answer stays 0). Exits 0 then, 2 when the
 * server's generation or lock count changed meanwhile, 1 on timeout.
 */
#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lf_client.h"
#include "lf_parse.h"
#include "lf_proto.h"

#define POLL_US 2000
#define DEADLINE_MS 50

struct watch {
    const char *address;
    uint16_t port;
    long long old_generation;
    long long locks;
    long long wait_s;
    bool replica_fault; /* -R */
    struct lf_client client;
    bool connected;
    struct lf_secret secret; /* len 0: none */
};

struct observed {
    double lost_ms;
    double answer_ms;
    double sync_ms;
    long long locks;
    long long adopted;
};

static double
wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long long
field_ll(const char *reply, const char *name)
{
    char value[32];
    long long out;

    if (!lf_proto_stat_field(reply, name, value, sizeof(value))
        || lf_parse_long(value, 0, INT64_MAX, &out) != 0) {
        return -1;
    }
    return out;
}

/* One STATS round trip; false when the server did not answer. */
static bool
poll_stats(struct watch *w, char *reply, size_t size)
{
    const char *why = "";

    if (!w->connected) {
        if (lf_client_open(&w->client, w->address, w->port, DEADLINE_MS,
                           &w->secret, &why)
            != 0) {
            return false;
        }
        w->connected = true;
    }
    if (lf_client_call(&w->client, "STATS", reply, size) == 0
        && strncmp(reply, "OK ", 3) == 0) {
        return true;
    }
    lf_client_close(&w->client);
    w->connected = false;
    return false;
}

static int
watch(struct watch *w, struct observed *seen)
{
    char reply[LF_LINE_MAX + 1];
    char replica[32];
    double deadline = wall_ms() + (double)w->wait_s * 1e3;
    bool ready = false;

    while (wall_ms() < deadline) {
        long long generation;

        if (!poll_stats(w, reply, sizeof(reply))) {
            if (ready && seen->lost_ms == 0) {
                seen->lost_ms = wall_ms();
            }
            usleep(POLL_US);
            continue;
        }
        generation = field_ll(reply, "generation");
        if (generation == w->old_generation) {
            if (!ready) {
                ready = true;
                printf("ready\n");
                fflush(stdout);
            }
        } else if (ready && generation > 0) {
            if (seen->answer_ms == 0) {
                seen->answer_ms = wall_ms();
                seen->locks = field_ll(reply, "locks");
                seen->adopted = field_ll(reply, "adopted");
                if (seen->lost_ms == 0) {
                    seen->lost_ms = seen->answer_ms;
                }
                if (seen->locks != w->locks) {
                    return 2;
                }
            }
            (void)lf_proto_stat_field(reply, "replica", replica,
                                      sizeof(replica));
            if (strcmp(replica, "in-sync") == 0) {
                seen->sync_ms = wall_ms();
                return 0;
            }
        }
        usleep(POLL_US);
    }
    return 1;
}

/* -R: the same generation throughout; its replica goes and comes back. */
static int
watch_replica(struct watch *w, struct observed *seen)
{
    char reply[LF_LINE_MAX + 1];
    char replica[32];
    double deadline = wall_ms() + (double)w->wait_s * 1e3;
    bool ready = false;

    while (wall_ms() < deadline) {
        bool in_sync;

        if (!poll_stats(w, reply, sizeof(reply))) {
            usleep(POLL_US);
            continue;
        }
        if (field_ll(reply, "generation") != w->old_generation
            || field_ll(reply, "locks") != w->locks) {
            return ready ? 2 : 1;
        }
        (void)lf_proto_stat_field(reply, "replica", replica, sizeof(replica));
        in_sync = strcmp(replica, "in-sync") == 0;
        if (!ready && in_sync) {
            ready = true;
            printf("ready\n");
            fflush(stdout);
        } else if (ready && !in_sync && seen->lost_ms == 0) {
            seen->lost_ms = wall_ms();
        } else if (ready && in_sync && seen->lost_ms != 0) {
            seen->sync_ms = wall_ms();
            seen->locks = w->locks;
            return 0;
        }
        usleep(POLL_US);
    }
    return 1;
}

static void
usage(void)
{
    fprintf(stderr, "usage: lf-bench-failover -a ADDRESS [-p PORT] "
                    "-g GENERATION -n LOCKS [-w SECONDS] [-k SECRETFILE] "
                    "[-R]\n");
}

int
main(int argc, char **argv)
{
    struct watch w = {
        .port = 3200, .old_generation = -1, .locks = -1, .wait_s = 300};
    struct observed seen = {0};
    const char *why = "";
    int opt;
    int rc;

    while ((opt = getopt(argc, argv, "a:p:g:n:w:k:Rh")) != -1) {
        switch (opt) {
        case 'a':
            w.address = optarg;
            break;
        case 'p':
            if (lf_parse_option_port("lf-bench-failover", 'p', optarg, &w.port)
                != 0) {
                return 2;
            }
            break;
        case 'R':
            w.replica_fault = true;
            break;
        case 'k':
            if (lf_secret_load(optarg, &w.secret, &why) != 0) {
                fprintf(stderr, "lf-bench-failover: %s %s\n", why, optarg);
                return 2;
            }
            break;
        case 'g':
        case 'n':
        case 'w':
            if (lf_parse_option("lf-bench-failover", (char)opt, optarg,
                                opt == 'w' ? 1 : 0, INT32_MAX,
                                opt == 'g'   ? &w.old_generation
                                : opt == 'n' ? &w.locks
                                             : &w.wait_s)
                != 0) {
                return 2;
            }
            break;
        default:
            usage();
            return opt == 'h' ? 0 : 2;
        }
    }
    if (w.address == NULL || w.old_generation < 0 || w.locks < 0) {
        usage();
        return 2;
    }
    rc = w.replica_fault ? watch_replica(&w, &seen) : watch(&w, &seen);
    if (w.connected) {
        lf_client_close(&w.client);
    }
    printf("lost_ms=%.1f answer_ms=%.1f locks=%lld adopted=%lld "
           "sync_ms=%.1f\n",
           seen.lost_ms, seen.answer_ms, seen.locks, seen.adopted,
           seen.sync_ms);
    if (rc == 2 && w.replica_fault) {
        fprintf(stderr, "lf-bench-failover: the enqueue server changed "
                        "(generation or lock count) while its replica "
                        "was away\n");
    } else if (rc == 2) {
        fprintf(stderr,
                "lf-bench-failover: the new server answered with %lld "
                "locks, not %lld\n",
                seen.locks, w.locks);
    } else if (rc == 1) {
        fprintf(stderr,
                "lf-bench-failover: no new server in sync within "
                "%lld s\n",
                w.wait_s);
    }
    return rc;
}

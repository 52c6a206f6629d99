/*
 * ocf:leapfrog:enqueue - OCF 1.1 agent for the enqueue server lf-enqueued.
 */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_util.h"
#include "agent_watch.h"
#include "lf_attr.h"
#include "lf_client.h"
#include "lf_log.h"
#include "lf_proc.h"
#include "lf_rc.h"

static const struct lf_ocf_param params[] = {
    {"instance", LF_OCF_STRING, NULL, true, true, 0, 0, "Instance name",
     "Names the lock table and the replica segment; the replication "
     "resource of the pair uses the same instance."},
    {"port", LF_OCF_INTEGER, "3200", false, false, 1, 65535, "TCP port",
     "TCP port the enqueue server listens on."},
    {"address", LF_OCF_STRING, "", false, false, 0, 0, "Listen address",
     "Address to listen on; empty for every address. With a virtual IP "
     "grouped before this resource, its address."},
    {"binary", LF_OCF_STRING, SBINDIR "/lf-enqueued", false, false, 0, 0,
     "Server binary", "Full path of the enqueue server."},
    {"user", LF_OCF_STRING, "leapfrog", false, false, 0, 0, "Service user",
     "The server binds its port as root and then runs as this user, who "
     "owns its state directory and alone may have written a replica "
     "segment it takes over: the same user as the replication resource's. "
     "A system user of its own (make install and the package create "
     "leapfrog), not hacluster, which can rewrite the CIB."},
    {"statedir", LF_OCF_STRING, LOCALSTATEDIR "/lib/leapfrog", false, false, 0,
     0, "State directory",
     "Where the server records the generation it serves on this node."},
    {"rundir", LF_OCF_STRING, "/run/leapfrog", false, false, 0, 0,
     "Run directory",
     "Where the agent keeps the pid file (an absolute path of at most 255 "
     "characters)."},
    {"secret_file", LF_OCF_STRING, "", false, false, 0, 0, "Shared-secret file",
     "The pair's secret (16 to 1024 bytes; mode 600 or 640; the same file "
     "on every node, kept out of the CIB): clients and the replication "
     "server must prove they know it (each role with its own key derived "
     "from it), the server proves it too, and every message after that "
     "carries a MAC. Required unless allow_no_secret is true."},
    {"allow_no_secret", LF_OCF_BOOLEAN, "false", false, false, 0, 0,
     "Run without a secret",
     "true: start without secret_file, letting every client and "
     "replication server in unchallenged (logged as a warning, and shown "
     "by leapfrogd --status). Only for tests."},
    {"max_locks", LF_OCF_INTEGER, "100000", false, false, 1, 4294967295LL,
     "Most locks", "Most locks held at once."},
    {"replica_timeout", LF_OCF_INTEGER, "5000", false, false, 2000, 600000,
     "Replica timeout (ms)",
     "A replication server silent this long is dropped (see "
     "replica_loss_policy)."},
    {"replica_loss_policy", LF_OCF_STRING, "hold", false, false, 0, 0,
     "After losing the replica",
     "hold (the default, safe): after losing an in-sync replica, refuse "
     "changes (ERR NOREPLICA; replies already waiting keep waiting) until a "
     "replica is in sync again, the cluster confirms the replica gone, or "
     "replica_loss_hold passes, then answer them UNREPLICATED OK. serve "
     "(availability first): answer UNREPLICATED OK at once; a later "
     "failover may then lose those changes."},
    {"replica_loss_hold", LF_OCF_INTEGER, "60000", false, false, 0, 3600000,
     "Hold after losing the replica (ms)",
     "How long changes are held back at most; it must be longer than the "
     "cluster takes to detect and fence a lost node (token timeout, "
     "consensus and the fence device's time), or a partitioned enqueue "
     "server could acknowledge changes its successor will not have."},
    {"takeover_timeout", LF_OCF_INTEGER, "0", false, false, 0, 3600000,
     "Network takeover wait (ms)",
     "When an in-sync replication server runs on another node, how long a "
     "start waits for it to hand over its copy; 0: the start timeout less "
     "10 seconds. A start that gets no copy in time fails (it never starts "
     "empty while a copy exists)."},
    {"log_file", LF_OCF_STRING, "", false, false, 0, 0, "Log file",
     "An additional log file; the server always uses syslog."},
    {"watcher", LF_OCF_STRING, SBINDIR "/lf-watch", false, false, 0, 0,
     "Failure watcher",
     "lf-watch, started once the server is ready: it reports the server's "
     "exit without a stop to the cluster at once, instead of at the next "
     "monitor. Empty: only the monitor finds a failure."},
    {"options", LF_OCF_STRING, "", false, false, 0, 0, "Extra options",
     "More command-line options for the server, separated by spaces."},
};

static const struct lf_ocf_action actions[] = {
    {"start", "60s", NULL, NULL},        {"stop", "60s", NULL, NULL},
    {"monitor", "20s", "10s", "0"},      {"monitor", "20s", "30s", "10"},
    {"validate-all", "10s", NULL, NULL}, {"meta-data", "5s", NULL, NULL},
};

static int
validate(struct lf_ocf_ctx *ctx)
{
    const char *policy = lf_ocf_get(ctx, "replica_loss_policy");
    int rc;

    if (strcmp(policy, "hold") != 0 && strcmp(policy, "serve") != 0) {
        lf_ocf_reason("replica_loss_policy must be hold or serve, not '%s'",
                      policy);
        return PCMK_OCF_NOT_CONFIGURED;
    }
    rc = agent_validate_common(ctx);
    return rc != PCMK_OCF_OK ? rc : agent_require_secret(ctx);
}

/* What the cluster knows before a start: whether a replica with a copy
 * runs anywhere, and the newest generation served. */
struct cluster_facts {
    bool copy_somewhere;
    bool any_replica;
    unsigned long long generation;
    char copy_node[64]; /* where the copy is, and its state */
    char copy_state[32];
    int query_rc; /* of the replica attribute's query */
};

static void
note_replica(const char *host, const char *value, void *arg)
{
    struct cluster_facts *facts = arg;

    facts->any_replica = true;
    if (strcmp(value, "in-sync") == 0 || strcmp(value, "disconnected") == 0) {
        facts->copy_somewhere = true;
        snprintf(facts->copy_node, sizeof(facts->copy_node), "%s", host);
        snprintf(facts->copy_state, sizeof(facts->copy_state), "%s", value);
    }
}

static void
note_generation(const char *host, const char *value, void *arg)
{
    struct cluster_facts *facts = arg;
    unsigned long long g = strtoull(value, NULL, 10);

    (void)host;
    if (g > facts->generation) {
        facts->generation = g;
    }
}

static void
cluster_facts(const struct lf_ocf_ctx *ctx, struct cluster_facts *facts)
{
    char name[128];
    char cache[AGENT_PATH_MAX];

    memset(facts, 0, sizeof(*facts));
    agent_attr(ctx, "replica", name, sizeof(name), cache, sizeof(cache));
    facts->query_rc = lf_attr_query_all(name, note_replica, facts);
    agent_attr(ctx, "generation", name, sizeof(name), cache, sizeof(cache));
    (void)lf_attr_query_all(name, note_generation, facts);
}

/* A protocol round trip: STATS, whose lock count and replica state we
 * report. */
static int
query_stats(const struct lf_ocf_ctx *ctx, char *reply, size_t size)
{
    struct lf_secret secret;
    struct lf_client client;
    const char *address = lf_ocf_get(ctx, "address");
    const char *why = "";
    long long left = lf_ocf_time_left(ctx) - 500;
    int rc;

    if (address == NULL || *address == '\0' || strcmp(address, "0.0.0.0") == 0
        || strcmp(address, "::") == 0) {
        address = "127.0.0.1";
    }
    if (agent_load_secret(ctx, &secret) != PCMK_OCF_OK) {
        return LF_ERR_PROTO;
    }
    rc = lf_client_open(&client, address, (uint16_t)lf_ocf_get_int(ctx, "port"),
                        (int)(left > 5000 ? 5000 : (left > 100 ? left : 100)),
                        &secret, &why);
    if (rc != 0) {
        lf_ocf_reason("%s at %s port %lld: %s", why, address,
                      lf_ocf_get_int(ctx, "port"), lf_rc_str(rc));
        return rc;
    }
    rc = lf_client_call(&client, "STATS", reply, size);
    lf_client_close(&client);
    if (rc != 0 || strncmp(reply, "OK ", 3) != 0) {
        lf_ocf_reason("the enqueue server does not answer STATS: %s",
                      rc != 0 ? lf_rc_str(rc) : reply);
        return rc != 0 ? rc : LF_ERR_PROTO;
    }
    return 0;
}

/* Holding changes back while the cluster has no replica left at all (its
 * node was fenced, or it stopped): nothing will end the hold but time, so
 * tell the server the cluster has confirmed the replica gone. */
static void
release_hold_if_no_replica(const struct lf_ocf_ctx *ctx, const char *reply)
{
    struct cluster_facts facts;
    char hold[32];
    char pidfile[AGENT_PATH_MAX];
    pid_t pid = 0;

    if (!lf_proto_stat_field(reply, "hold", hold, sizeof(hold))
        || strcmp(hold, "0") == 0) {
        return;
    }
    cluster_facts(ctx, &facts);
    agent_path(ctx, "pid", pidfile, sizeof(pidfile));
    if (!facts.any_replica && lf_pidfile_read(pidfile, &pid) == 0) {
        lf_notice("no replication server left in the cluster: ending the "
                  "server's hold on changes");
        kill(pid, SIGUSR1);
    }
}

static int
monitor(struct lf_ocf_ctx *ctx)
{
    char reply[LF_LINE_MAX + 1];
    char locks[32];
    char replica[32];
    char generation[32];
    char name[128];
    char cache[AGENT_PATH_MAX];
    int rc = agent_watch_monitor(ctx);

    if (rc != PCMK_OCF_OK) {
        return rc;
    }
    if (ctx->check_level < 10 && !ctx->probe) {
        return PCMK_OCF_OK;
    }
    rc = query_stats(ctx, reply, sizeof(reply));
    if (rc != 0) {
        return lf_ocf_exit(lf_exit_of_call_rc(rc));
    }
    (void)lf_proto_stat_field(reply, "locks", locks, sizeof(locks));
    (void)lf_proto_stat_field(reply, "replica", replica, sizeof(replica));
    agent_attr(ctx, "locks", name, sizeof(name), cache, sizeof(cache));
    (void)lf_attr_set(name, locks, cache, ctx->probe);
    if (lf_proto_stat_field(reply, "generation", generation,
                            sizeof(generation))) {
        agent_attr(ctx, "generation", name, sizeof(name), cache, sizeof(cache));
        (void)lf_attr_set_dampened(name, generation, cache, false,
                                   AGENT_ATTR_DAMPEN_S);
    }
    release_hold_if_no_replica(ctx, reply);
    if (lf_proto_stat_field(reply, "too_small", name, sizeof(name))
        && strcmp(name, "-") != 0) {
        lf_ocf_reason("a replica is refused as too small for max_locks "
                      "(node:its max_locks %s)",
                      name);
        return PCMK_OCF_DEGRADED;
    }
    if (ctx->check_level >= 20 && strcmp(replica, "in-sync") != 0) {
        lf_ocf_reason("serving %s locks without a replica in sync "
                      "(replica %s)",
                      locks, replica);
        return PCMK_OCF_DEGRADED;
    }
    return PCMK_OCF_OK;
}

static int
start(struct lf_ocf_ctx *ctx)
{
    struct agent_cmd cmd;
    struct cluster_facts facts;
    const char *node = getenv("OCF_RESKEY_CRM_meta_on_node");
    long long wait = lf_ocf_get_int(ctx, "takeover_timeout");
    long long left = lf_ocf_time_left(ctx) - 10000;

    agent_cmd_init(&cmd, ctx);
    agent_cmd_param(&cmd, ctx, "-i", "instance");
    agent_cmd_int(&cmd, ctx, "-p", "port");
    agent_cmd_param(&cmd, ctx, "-s", "statedir");
    agent_cmd_int(&cmd, ctx, "-m", "max_locks");
    agent_cmd_int(&cmd, ctx, "-t", "replica_timeout");
    agent_cmd_int(&cmd, ctx, "-H", "replica_loss_hold");
    agent_cmd_param(&cmd, ctx, "-a", "address");
    agent_cmd_param(&cmd, ctx, "-u", "user");
    agent_cmd_param(&cmd, ctx, "-k", "secret_file");
    agent_cmd_param(&cmd, ctx, "-L", "log_file");
    if (strcmp(lf_ocf_get(ctx, "replica_loss_policy"), "serve") == 0) {
        agent_cmd_flag(&cmd, "-S");
    }
    if (node != NULL && *node != '\0') {
        agent_cmd_value(&cmd, "-N", node);
    }
    cluster_facts(ctx, &facts);
    if (facts.copy_somewhere) {
        lf_notice("a replication server with a copy runs on %s (%s); newest "
                  "generation served: %llu",
                  facts.copy_node, facts.copy_state, facts.generation);
    } else {
        lf_notice("no replication server holds a copy (%s); newest "
                  "generation served: %llu",
                  facts.query_rc == 0 ? "none in the cluster's attributes"
                                      : "the attributes cannot be read",
                  facts.generation);
    }
    if (facts.generation > 0) {
        agent_cmd_number(&cmd, "-G", (long long)facts.generation);
    }
    if (facts.copy_somewhere) {
        /* Not from this node's segment (tried first): over the network. */
        if (wait <= 0 || wait > left) {
            wait = left > 5000 ? left : 5000;
        }
        agent_cmd_number(&cmd, "-W", wait);
    }
    return agent_watch_start(ctx, &cmd, validate, monitor);
}

static int
stop(struct lf_ocf_ctx *ctx)
{
    return agent_watch_stop(ctx, "locks");
}

static const struct lf_ocf_agent agent = {
    .name = "enqueue",
    .shortdesc = "leapfrog enqueue (lock) server",
    .longdesc =
        "Runs lf-enqueued, the leapfrog enqueue server: a lock table served "
        "over TCP and replicated synchronously to a replication server "
        "(ocf:leapfrog:replication) on another node. Started on the node "
        "where the replication server runs, it takes over the replica's "
        "copy before it serves, so no acknowledged lock is lost. Declare "
        "the pair with the meta attributes leapfrog-follows and "
        "leapfrog-survivor; leapfrogd keeps the constraints. A watcher "
        "(lf-watch) reports the server's exit without a stop to the cluster "
        "at once, so recovery does not wait for the monitor. "
        "OCF_CHECK_LEVEL 0 checks the process, 10 a protocol round trip "
        "and publishes the lock count as the node attribute "
        "leapfrog-INSTANCE-locks, 20 also reports degraded while no replica "
        "is in sync.",
    .params = params,
    .nparams = sizeof(params) / sizeof(params[0]),
    .actions = actions,
    .nactions = sizeof(actions) / sizeof(actions[0]),
    .validate = validate,
    .start = start,
    .stop = stop,
    .monitor = monitor,
};

int
main(int argc, char **argv)
{
    return lf_ocf_main(&agent, argc, argv);
}

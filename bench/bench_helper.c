/*
 * lf-bench-helper: how long leapfrogd takes to rewrite a pair's follow
 * location after the partner P started on a new node. It watches the CIB
 * like leapfrogd does (the same CIB module), moves P from node to node with
 * crm_resource, and for each move records when the CIB first shows P's
 * successful start on the new node and when it first shows the follow
 * location naming that node. Run it on a cluster node.
 *
 *   lf-bench-helper -f F -p P -n MOVES
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <libxml/xpath.h>

#include "bench_stats.h"
#include "lf_log.h"
#include "lf_parse.h"
#include "lfd_cib.h"

struct bench {
    const char *f;
    const char *p;
    const char *target;   /* node P is being moved to */
    long long start_call; /* P's last start call-id on target before */
    double t_started;     /* when P's start on target showed up, or 0 */
    double t_followed;    /* when the follow location named target */
    struct lfd_cib *cib;
    GMainLoop *loop;
};

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The string value of an XPath expression on the local copy. */
static char *
xpath_string(struct bench *b, const char *expr)
{
    xmlNode *root = lfd_cib_xml(b->cib);
    xmlXPathContext *ctx = xmlXPathNewContext(root->doc);
    xmlXPathObject *obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    char *out = NULL;

    if (obj != NULL) {
        xmlChar *s = xmlXPathCastToString(obj);

        out = strdup((const char *)s);
        xmlFree(s);
    }
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    return out;
}

/* The call-id of P's newest successful start on node, or -1. */
static long long
start_call(struct bench *b, const char *node)
{
    char expr[512];
    char *s;
    long long call = -1;

    snprintf(expr, sizeof(expr),
             "string(/cib/status/node_state[@uname='%s']//lrm_resource"
             "[@id='%s']/lrm_rsc_op[@operation='start' and @rc-code='0' "
             "and @op-status='0']/@call-id)",
             node, b->p);
    s = xpath_string(b, expr);
    if (s != NULL && *s != '\0') {
        (void)lf_parse_long(s, -1, 1LL << 40, &call);
    }
    free(s);
    return call;
}

static void
changed(void *arg)
{
    struct bench *b = arg;
    char expr[256];
    char *node;

    if (b->target == NULL) {
        return;
    }
    if (b->t_started == 0 && start_call(b, b->target) > b->start_call) {
        b->t_started = now_ms();
    }
    snprintf(expr, sizeof(expr),
             "string(//rsc_location[@id='leapfrog-%s-follow']/@node)", b->f);
    node = xpath_string(b, expr);
    if (b->t_followed == 0 && node != NULL && strcmp(node, b->target) == 0) {
        b->t_followed = now_ms();
    }
    free(node);
    if (b->t_started != 0 && b->t_followed != 0) {
        g_main_loop_quit(b->loop);
    }
}

static void
reconnected(void *arg)
{
    changed(arg);
}

static gboolean
timeout(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

static char *
where(const char *rsc)
{
    char cmd[256];
    char line[128] = "";
    FILE *f;

    snprintf(cmd, sizeof(cmd),
             "crm_resource --locate --resource %s --quiet 2>/dev/null", rsc);
    f = popen(cmd, "r");
    if (f == NULL) {
        return NULL;
    }
    if (fgets(line, sizeof(line), f) == NULL) {
        line[0] = '\0';
    }
    pclose(f);
    line[strcspn(line, "\n")] = '\0';
    return strdup(line);
}

int
main(int argc, char **argv)
{
    struct bench b;
    long long moves = 10;
    double *reaction;
    int done = 0;
    int opt;

    memset(&b, 0, sizeof(b));
    while ((opt = getopt(argc, argv, "f:p:n:")) != -1) {
        switch (opt) {
        case 'f':
            b.f = optarg;
            break;
        case 'p':
            b.p = optarg;
            break;
        case 'n':
            if (lf_parse_long(optarg, 1, 1000, &moves) != 0) {
                return 2;
            }
            break;
        default:
            fprintf(stderr, "usage: lf-bench-helper -f F -p P -n MOVES\n");
            return 2;
        }
    }
    if (b.f == NULL || b.p == NULL) {
        fprintf(stderr, "usage: lf-bench-helper -f F -p P -n MOVES\n");
        return 2;
    }
    lf_log_init("lf-bench-helper", LF_LOG_STDERR, LOG_DAEMON);
    if (lfd_cib_connect(true, changed, reconnected, &b, &b.cib) != 0) {
        fprintf(stderr, "cannot connect to the CIB\n");
        return 1;
    }
    /* It looks at the CIB on every notification: keep a patched copy. */
    lfd_cib_keep_copy(b.cib);
    b.loop = g_main_loop_new(NULL, FALSE);
    reaction = calloc((size_t)moves, sizeof(*reaction));
    for (long long i = 0; i < moves && reaction != NULL; i++) {
        char *fnode = where(b.f);
        char *pnode = where(b.p);
        char target[64] = "";
        char cmd[256];
        guint t;

        /* The node that runs neither F nor P. */
        for (int n = 1; n <= 9 && target[0] == '\0'; n++) {
            char name[16];

            snprintf(name, sizeof(name), "node%d", n);
            if ((fnode == NULL || strcmp(name, fnode) != 0)
                && (pnode == NULL || strcmp(name, pnode) != 0)) {
                snprintf(target, sizeof(target), "%s", name);
            }
        }
        free(fnode);
        free(pnode);
        b.target = target;
        b.start_call = start_call(&b, target);
        b.t_started = b.t_followed = 0;
        snprintf(cmd, sizeof(cmd),
                 "crm_resource --move --resource %s --node %s >/dev/null "
                 "2>&1",
                 b.p, target);
        if (system(cmd) != 0) {
            fprintf(stderr, "crm_resource --move failed\n");
            break;
        }
        t = g_timeout_add(60000, timeout, b.loop);
        g_main_loop_run(b.loop);
        g_source_remove(t);
        b.target = NULL;
        snprintf(cmd, sizeof(cmd),
                 "crm_resource --clear --resource %s >/dev/null 2>&1; "
                 "crm_resource --wait --timeout=60s >/dev/null 2>&1",
                 b.p);
        if (system(cmd) != 0) {
            fprintf(stderr, "cluster did not settle\n");
        }
        if (b.t_started == 0 || b.t_followed == 0) {
            fprintf(stderr, "move %lld: no reaction seen\n", i + 1);
            continue;
        }
        /* The follow location may be rewritten in the same notification
         * burst: never negative. */
        reaction[done++] =
            b.t_followed > b.t_started ? b.t_followed - b.t_started : 0;
    }
    if (done > 0) {
        bench_sort(reaction, (size_t)done);
        printf("moves=%d reaction_median_ms=%.1f reaction_p90_ms=%.1f "
               "reaction_max_ms=%.1f\n",
               done, reaction[done / 2], reaction[(done * 9) / 10],
               reaction[done - 1]);
    }
    free(reaction);
    lfd_cib_disconnect(b.cib);
    g_main_loop_unref(b.loop);
    return done > 0 ? 0 : 1;
}

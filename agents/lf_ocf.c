#include <config.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_log.h"
#include "lf_ocf.h"
#include "lf_parse.h"
#include "lf_proc.h"

static const struct lf_ocf_param *
find_param(const struct lf_ocf_agent *agent, const char *name, size_t *index)
{
    for (size_t i = 0; i < agent->nparams; i++) {
        if (strcmp(agent->params[i].name, name) == 0) {
            *index = i;
            return &agent->params[i];
        }
    }
    return NULL;
}

const char *
lf_ocf_get(const struct lf_ocf_ctx *ctx, const char *name)
{
    size_t i = 0;
    const struct lf_ocf_param *param = find_param(ctx->agent, name, &i);

    if (param == NULL) {
        return NULL;
    }
    return (ctx->values[i] != NULL) ? ctx->values[i] : param->def;
}

long long
lf_ocf_get_int(const struct lf_ocf_ctx *ctx, const char *name)
{
    const char *value = lf_ocf_get(ctx, name);
    long long n = 0;

    if (value == NULL || lf_parse_long(value, LLONG_MIN, LLONG_MAX, &n) != 0) {
        return 0;
    }
    return n;
}

void
lf_ocf_reason(const char *fmt, ...)
{
    const char *prefix = getenv("OCF_EXIT_REASON_PREFIX");
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s%s\n",
            prefix != NULL ? prefix : "ocf-exit-reason:", msg);
    /* The log gets it too, without going to stderr twice. */
    {
        unsigned dest = lf_log_dest();

        lf_log_set_dest(dest & ~(unsigned)LF_LOG_STDERR);
        lf_err("%s", msg);
        lf_log_set_dest(dest);
    }
}

int
lf_ocf_exit(enum lf_exit end)
{
    return lf_exit_status(LF_EXIT_AGENT, end);
}

long long
lf_ocf_time_left(const struct lf_ocf_ctx *ctx)
{
    return ctx->timeout_ms - (lf_now_ms() - ctx->started_ms);
}

int
lf_ocf_check_params(const struct lf_ocf_ctx *ctx)
{
    for (size_t i = 0; i < ctx->agent->nparams; i++) {
        const struct lf_ocf_param *p = &ctx->agent->params[i];
        const char *v = ctx->values[i];
        long long n = 0;
        bool b = false;

        if (v == NULL || *v == '\0') {
            if (p->required) {
                lf_ocf_reason("parameter '%s' is required", p->name);
                return PCMK_OCF_NOT_CONFIGURED;
            }
            continue;
        }
        if (p->type == LF_OCF_INTEGER
            && lf_parse_long(v, p->min, p->max, &n) != 0) {
            lf_ocf_reason("parameter '%s' must be an integer from %lld to "
                          "%lld, not '%s'",
                          p->name, p->min, p->max, v);
            return PCMK_OCF_NOT_CONFIGURED;
        }
        if (p->type == LF_OCF_BOOLEAN && lf_parse_bool(v, &b) != 0) {
            lf_ocf_reason("parameter '%s' must be true or false, not '%s'",
                          p->name, v);
            return PCMK_OCF_NOT_CONFIGURED;
        }
    }
    return PCMK_OCF_OK;
}

/* Text for XML: the descriptions are ours, but escape anyway. */
static void
xml_text(const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", stdout);
            break;
        case '>':
            fputs("&gt;", stdout);
            break;
        case '&':
            fputs("&amp;", stdout);
            break;
        case '"':
            fputs("&quot;", stdout);
            break;
        default:
            putchar(*s);
        }
    }
}

static const char *
type_name(enum lf_ocf_type type)
{
    switch (type) {
    case LF_OCF_INTEGER:
        return "integer";
    case LF_OCF_BOOLEAN:
        return "boolean";
    default:
        return "string";
    }
}

static int
print_metadata(const struct lf_ocf_agent *agent)
{
    printf("<?xml version=\"1.0\"?>\n"
           "<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">\n"
           "<resource-agent name=\"%s\" version=\"%s\">\n"
           "  <version>1.1</version>\n  <longdesc lang=\"en\">",
           agent->name, PACKAGE_VERSION);
    xml_text(agent->longdesc);
    printf("</longdesc>\n  <shortdesc lang=\"en\">");
    xml_text(agent->shortdesc);
    printf("</shortdesc>\n  <parameters>\n");
    for (size_t i = 0; i < agent->nparams; i++) {
        const struct lf_ocf_param *p = &agent->params[i];

        printf("    <parameter name=\"%s\" unique=\"%d\" required=\"%d\">\n"
               "      <longdesc lang=\"en\">",
               p->name, p->unique ? 1 : 0, p->required ? 1 : 0);
        xml_text(p->longdesc);
        printf("</longdesc>\n      <shortdesc lang=\"en\">");
        xml_text(p->shortdesc);
        printf("</shortdesc>\n      <content type=\"%s\"", type_name(p->type));
        if (p->def != NULL) {
            printf(" default=\"");
            xml_text(p->def);
            printf("\"");
        }
        printf("/>\n    </parameter>\n");
    }
    printf("  </parameters>\n  <actions>\n");
    for (size_t i = 0; i < agent->nactions; i++) {
        const struct lf_ocf_action *a = &agent->actions[i];

        printf("    <action name=\"%s\" timeout=\"%s\"", a->name, a->timeout);
        if (a->interval != NULL) {
            printf(" interval=\"%s\"", a->interval);
        }
        if (a->depth != NULL) {
            printf(" depth=\"%s\"", a->depth);
        }
        printf("/>\n");
    }
    printf("  </actions>\n</resource-agent>\n");
    return PCMK_OCF_OK;
}

static void
usage(const struct lf_ocf_agent *agent, FILE *out)
{
    fprintf(out,
            "usage: %s {start|stop|monitor|validate-all|meta-data|usage}\n"
            "An OCF resource agent: Pacemaker runs it with its parameters "
            "in OCF_RESKEY_<name>.\n",
            agent->name);
}

/* OCF_RESKEY_CRM_meta_* values are milliseconds. */
static long long
env_ms(const char *name, long long def)
{
    const char *value = getenv(name);
    long long n = 0;

    if (value == NULL || lf_parse_long(value, 0, LLONG_MAX, &n) != 0) {
        return def;
    }
    return n;
}

static void
read_environment(struct lf_ocf_ctx *ctx)
{
    const char *level = getenv("OCF_CHECK_LEVEL");
    long long n = 0;

    for (size_t i = 0; i < ctx->agent->nparams && i < LF_OCF_MAX_PARAMS; i++) {
        char var[128];

        snprintf(var, sizeof(var), "OCF_RESKEY_%s", ctx->agent->params[i].name);
        ctx->values[i] = getenv(var);
    }
    ctx->rsc = getenv("OCF_RESOURCE_INSTANCE");
    if (ctx->rsc == NULL || lf_parse_name(ctx->rsc, LF_OCF_RSC_MAX) != 0) {
        ctx->rsc = ctx->agent->name;
    }
    ctx->timeout_ms = env_ms("OCF_RESKEY_CRM_meta_timeout", 20000);
    ctx->interval_ms = env_ms("OCF_RESKEY_CRM_meta_interval", 0);
    if (level != NULL && lf_parse_long(level, 0, 1000, &n) == 0) {
        ctx->check_level = (int)n;
    }
}

int
lf_ocf_main(const struct lf_ocf_agent *agent, int argc, char **argv)
{
    struct lf_ocf_ctx ctx;
    char ident[96];
    int rc;

    memset(&ctx, 0, sizeof(ctx));
    ctx.agent = agent;
    ctx.started_ms = lf_now_ms();
    if (agent->nparams > LF_OCF_MAX_PARAMS) {
        /* The context holds the values of LF_OCF_MAX_PARAMS at most. */
        lf_ocf_reason("the agent %s declares %zu parameters, more than the "
                      "%d it can hold",
                      agent->name, agent->nparams, LF_OCF_MAX_PARAMS);
        return PCMK_OCF_UNKNOWN_ERROR;
    }
    if (argc != 2) {
        usage(agent, stderr);
        return PCMK_OCF_INVALID_PARAM; /* OCF_ERR_ARGS */
    }
    ctx.action = argv[1];
    if (strcmp(ctx.action, "meta-data") == 0) {
        return print_metadata(agent);
    }
    if (strcmp(ctx.action, "usage") == 0 || strcmp(ctx.action, "help") == 0) {
        usage(agent, stdout);
        return PCMK_OCF_OK;
    }
    read_environment(&ctx);
    snprintf(ident, sizeof(ident), "%s(%s)", agent->name, ctx.rsc);
    lf_log_init(ident, LF_LOG_SYSLOG | LF_LOG_STDERR, LOG_DAEMON);
    lf_log_set_level(LOG_NOTICE);
    lf_log_level_from_env();

    if (strcmp(ctx.action, "start") == 0) {
        rc = agent->start(&ctx);
    } else if (strcmp(ctx.action, "stop") == 0) {
        rc = agent->stop(&ctx);
    } else if (strcmp(ctx.action, "monitor") == 0
               || strcmp(ctx.action, "status") == 0) {
        ctx.probe = (ctx.interval_ms == 0);
        rc = agent->monitor(&ctx);
    } else if (strcmp(ctx.action, "validate-all") == 0) {
        rc = agent->validate(&ctx);
    } else {
        usage(agent, stderr);
        return PCMK_OCF_UNIMPLEMENT_FEATURE;
    }
    lf_debug("%s returned %d in %lld ms", ctx.action, rc,
             lf_now_ms() - ctx.started_ms);
    return rc;
}

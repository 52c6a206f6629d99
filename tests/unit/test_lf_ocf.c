/*
 * Unit tests for lib/lf_ocf.c: the meta-data an agent prints, the checks
 * of its parameters and the dispatch of its actions from argv and the
 * environment. What it writes on stdout and stderr goes to files in a
 * temporary directory and is read back.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_log.h"
#include "lf_ocf.h"
#include "unit_tmpdir.h"

static char tmpdir[] = "/tmp/lf_ocf_test.XXXXXX";

/* What the module logged, one line each. */
static char logged[4096];

static void
sink(int priority, const char *msg)
{
    size_t used = strlen(logged);

    (void)priority;
    snprintf(logged + used, sizeof(logged) - used, "%s\n", msg);
}

/* --- the agent under test ------------------------------------------------ */

static const struct lf_ocf_param params[] = {
    {.name = "instance",
     .type = LF_OCF_STRING,
     .required = true,
     .unique = true,
     .shortdesc = "Instance <name>",
     .longdesc = "Names the \"instance\" & its segment."},
    {.name = "port",
     .type = LF_OCF_INTEGER,
     .def = "3600",
     .min = 1,
     .max = 65535,
     .shortdesc = "Port",
     .longdesc = "TCP port."},
    {.name = "verbose",
     .type = LF_OCF_BOOLEAN,
     .def = "false",
     .shortdesc = "Verbose",
     .longdesc = "More logging."},
    {.name = "note",
     .type = LF_OCF_STRING,
     .def = "a<b>&\"c\"",
     .shortdesc = "Note",
     .longdesc = "Free text."},
};

static const struct lf_ocf_action actions[] = {
    {.name = "start", .timeout = "20s"},
    {.name = "monitor", .timeout = "10s", .interval = "10s", .depth = "0"},
    {.name = "meta-data", .timeout = "5s"},
};

/* What the last action saw. */
static struct {
    const char *action;
    int calls;
    char instance[64];
    char note[64];
    long long port;
    bool has_verbose;
    char rsc[64];
    long long timeout_ms;
    long long interval_ms;
    long long time_left;
    int check_level;
    bool probe;
    bool unknown_is_null;
} seen;

static int
record(struct lf_ocf_ctx *ctx, const char *action)
{
    const char *instance = lf_ocf_get(ctx, "instance");

    seen.action = action;
    seen.calls++;
    snprintf(seen.instance, sizeof(seen.instance), "%s",
             instance != NULL ? instance : "(null)");
    snprintf(seen.note, sizeof(seen.note), "%s", lf_ocf_get(ctx, "note"));
    seen.port = lf_ocf_get_int(ctx, "port");
    seen.has_verbose = lf_ocf_get(ctx, "verbose") != NULL;
    snprintf(seen.rsc, sizeof(seen.rsc), "%s", ctx->rsc);
    seen.timeout_ms = ctx->timeout_ms;
    seen.interval_ms = ctx->interval_ms;
    seen.time_left = lf_ocf_time_left(ctx);
    seen.check_level = ctx->check_level;
    seen.probe = ctx->probe;
    seen.unknown_is_null = lf_ocf_get(ctx, "no-such-parameter") == NULL;
    return PCMK_OCF_RUNNING_PROMOTED; /* any code: it is passed through */
}

static int
do_validate(struct lf_ocf_ctx *ctx)
{
    return record(ctx, "validate");
}

static int
do_start(struct lf_ocf_ctx *ctx)
{
    return record(ctx, "start");
}

static int
do_stop(struct lf_ocf_ctx *ctx)
{
    return record(ctx, "stop");
}

static int
do_monitor(struct lf_ocf_ctx *ctx)
{
    return record(ctx, "monitor");
}

static const struct lf_ocf_agent agent = {
    .name = "testagent",
    .shortdesc = "A test <agent>",
    .longdesc = "Tests & more.",
    .params = params,
    .nparams = sizeof(params) / sizeof(params[0]),
    .actions = actions,
    .nactions = sizeof(actions) / sizeof(actions[0]),
    .validate = do_validate,
    .start = do_start,
    .stop = do_stop,
    .monitor = do_monitor,
};

/* --- capturing stdout and stderr ----------------------------------------- */

struct capture {
    int fd;    /* 1 or 2 */
    int saved; /* the original */
    char path[PATH_MAX];
};

static void
capture_begin(struct capture *c, int fd)
{
    static int n;
    int file;

    c->fd = fd;
    snprintf(c->path, sizeof(c->path), "%s/out%d", tmpdir, ++n);
    fflush(fd == 1 ? stdout : stderr);
    c->saved = dup(fd);
    assert_true(c->saved >= 0);
    file = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(file >= 0);
    assert_int_equal(dup2(file, fd), fd);
    close(file);
}

/* What was written meanwhile, in buf. */
static void
capture_end(struct capture *c, char *buf, size_t size)
{
    ssize_t n;
    int file;

    fflush(c->fd == 1 ? stdout : stderr);
    assert_int_equal(dup2(c->saved, c->fd), c->fd);
    close(c->saved);
    file = open(c->path, O_RDONLY);
    assert_true(file >= 0);
    n = read(file, buf, size - 1);
    assert_true(n >= 0);
    buf[n] = '\0';
    close(file);
}

static int
run(int argc, char **argv, char *out, size_t out_size, char *err,
    size_t err_size)
{
    struct capture o;
    struct capture e;
    int rc;

    capture_begin(&o, 1);
    capture_begin(&e, 2);
    rc = lf_ocf_main(&agent, argc, argv);
    capture_end(&e, err, err_size);
    capture_end(&o, out, out_size);
    return rc;
}

static void
clear_environment(void)
{
    static const char *const vars[] = {
        "OCF_RESKEY_instance",          "OCF_RESKEY_port",
        "OCF_RESKEY_verbose",           "OCF_RESKEY_note",
        "OCF_RESOURCE_INSTANCE",        "OCF_RESKEY_CRM_meta_timeout",
        "OCF_RESKEY_CRM_meta_interval", "OCF_CHECK_LEVEL",
        "OCF_EXIT_REASON_PREFIX",
    };

    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        unsetenv(vars[i]);
    }
}

static int
setup(void **state)
{
    (void)state;
    /* lf_ocf_main() sends the log to syslog too: the sink keeps it. */
    lf_log_set_sink(sink);
    return unit_tmpdir_make(tmpdir);
}

static int
teardown(void **state)
{
    (void)state;
    return unit_tmpdir_remove(tmpdir);
}

static int
before_each(void **state)
{
    (void)state;
    clear_environment();
    memset(&seen, 0, sizeof(seen));
    logged[0] = '\0';
    return 0;
}

/* --- the tests ----------------------------------------------------------- */

/* Valid against resource-agents' DTD (LF_RA_API_DTD, from make check),
 * when it and xmllint are there. */
static void
validate_meta_data(const char *xml)
{
    const char *dtd = getenv("LF_RA_API_DTD");
    char path[PATH_MAX];
    char cmd[3 * PATH_MAX];
    FILE *f;

    if (dtd == NULL || access(dtd, R_OK) != 0
        || access("/usr/bin/xmllint", X_OK) != 0) {
        print_message("# meta-data not validated: no DTD or no xmllint\n");
        return;
    }
    snprintf(path, sizeof(path), "%s/meta-data.xml", tmpdir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(xml, f);
    assert_int_equal(fclose(f), 0);
    /* The DOCTYPE's relative system id cannot load: say nothing of it. */
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/xmllint --noout --dtdvalid '%s' '%s' 2>/dev/null", dtd,
             path);
    if (system(cmd) != 0) {
        fail_msg("the meta-data is not valid: %s", cmd);
    }
}

static void
meta_data_describes_the_agent(void **state)
{
    static const char expected[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">\n"
        "<resource-agent name=\"testagent\" version=\"" PACKAGE_VERSION "\">\n"
        "  <version>1.1</version>\n"
        "  <longdesc lang=\"en\">Tests &amp; more.</longdesc>\n"
        "  <shortdesc lang=\"en\">A test &lt;agent&gt;</shortdesc>\n"
        "  <parameters>\n"
        "    <parameter name=\"instance\" unique=\"1\" required=\"1\">\n"
        "      <longdesc lang=\"en\">Names the &quot;instance&quot; &amp; its "
        "segment.</longdesc>\n"
        "      <shortdesc lang=\"en\">Instance &lt;name&gt;</shortdesc>\n"
        "      <content type=\"string\"/>\n"
        "    </parameter>\n"
        "    <parameter name=\"port\" unique=\"0\" required=\"0\">\n"
        "      <longdesc lang=\"en\">TCP port.</longdesc>\n"
        "      <shortdesc lang=\"en\">Port</shortdesc>\n"
        "      <content type=\"integer\" default=\"3600\"/>\n"
        "    </parameter>\n"
        "    <parameter name=\"verbose\" unique=\"0\" required=\"0\">\n"
        "      <longdesc lang=\"en\">More logging.</longdesc>\n"
        "      <shortdesc lang=\"en\">Verbose</shortdesc>\n"
        "      <content type=\"boolean\" default=\"false\"/>\n"
        "    </parameter>\n"
        "    <parameter name=\"note\" unique=\"0\" required=\"0\">\n"
        "      <longdesc lang=\"en\">Free text.</longdesc>\n"
        "      <shortdesc lang=\"en\">Note</shortdesc>\n"
        "      <content type=\"string\" "
        "default=\"a&lt;b&gt;&amp;&quot;c&quot;\"/>\n"
        "    </parameter>\n"
        "  </parameters>\n"
        "  <actions>\n"
        "    <action name=\"start\" timeout=\"20s\"/>\n"
        "    <action name=\"monitor\" timeout=\"10s\" interval=\"10s\" "
        "depth=\"0\"/>\n"
        "    <action name=\"meta-data\" timeout=\"5s\"/>\n"
        "  </actions>\n"
        "</resource-agent>\n";
    char *argv[] = {"testagent", "meta-data", NULL};
    char out[8192];
    char err[1024];

    (void)state;
    /* Parameters in the environment change nothing in it. */
    setenv("OCF_RESKEY_port", "99999", 1);
    assert_int_equal(run(2, argv, out, sizeof(out), err, sizeof(err)),
                     PCMK_OCF_OK);
    assert_string_equal(out, expected);
    assert_string_equal(err, "");
    assert_int_equal(seen.calls, 0);
    validate_meta_data(out);
}

static void
usage_and_bad_invocations(void **state)
{
    char *usage[] = {"testagent", "usage", NULL};
    char *help[] = {"testagent", "help", NULL};
    char *none[] = {"testagent", NULL};
    char *two[] = {"testagent", "start", "stop", NULL};
    char *bogus[] = {"testagent", "promote", NULL};
    char out[1024];
    char err[1024];

    (void)state;
    assert_int_equal(run(2, usage, out, sizeof(out), err, sizeof(err)),
                     PCMK_OCF_OK);
    assert_int_equal(strncmp(out, "usage: testagent {start|stop|monitor|", 37),
                     0);
    assert_string_equal(err, "");
    assert_int_equal(run(2, help, out, sizeof(out), err, sizeof(err)),
                     PCMK_OCF_OK);
    assert_int_equal(strncmp(out, "usage: testagent ", 17), 0);

    /* OCF_ERR_ARGS: the usage goes to stderr. */
    assert_int_equal(run(1, none, out, sizeof(out), err, sizeof(err)),
                     PCMK_OCF_INVALID_PARAM);
    assert_string_equal(out, "");
    assert_int_equal(strncmp(err, "usage: testagent ", 17), 0);
    assert_int_equal(run(3, two, out, sizeof(out), err, sizeof(err)),
                     PCMK_OCF_INVALID_PARAM);

    assert_int_equal(run(2, bogus, out, sizeof(out), err, sizeof(err)),
                     PCMK_OCF_UNIMPLEMENT_FEATURE);
    assert_int_equal(strncmp(err, "usage: testagent ", 17), 0);
    assert_int_equal(seen.calls, 0);
}

/* An agent that declares more parameters than the context holds is
 * refused before any action, instead of reading past its values. */
static void
too_many_parameters_refused(void **state)
{
    static struct lf_ocf_param many[LF_OCF_MAX_PARAMS + 1];
    struct lf_ocf_agent big = agent;
    char *start[] = {"testagent", "start", NULL};
    struct capture o;
    struct capture e;
    char out[1024];
    char err[1024];
    int rc;

    (void)state;
    for (size_t i = 0; i < LF_OCF_MAX_PARAMS + 1; i++) {
        many[i] = params[0];
    }
    big.params = many;
    big.nparams = LF_OCF_MAX_PARAMS + 1;
    capture_begin(&o, 1);
    capture_begin(&e, 2);
    rc = lf_ocf_main(&big, 2, start);
    capture_end(&e, err, sizeof(err));
    capture_end(&o, out, sizeof(out));
    assert_int_equal(rc, PCMK_OCF_UNKNOWN_ERROR);
    assert_non_null(strstr(err, "declares 25 parameters"));
    assert_int_equal(seen.calls, 0);
}

static void
action_gets_its_parameters_from_the_environment(void **state)
{
    char *argv[] = {"testagent", "start", NULL};
    char out[1024];
    char err[1024];

    (void)state;
    setenv("OCF_RESKEY_instance", "T1", 1);
    setenv("OCF_RESKEY_port", "4711", 1);
    setenv("OCF_RESOURCE_INSTANCE", "enq-T1", 1);
    setenv("OCF_RESKEY_CRM_meta_timeout", "30000", 1);
    setenv("OCF_CHECK_LEVEL", "10", 1);
    assert_int_equal(run(2, argv, out, sizeof(out), err, sizeof(err)),
                     PCMK_OCF_RUNNING_PROMOTED);
    assert_int_equal(seen.calls, 1);
    assert_string_equal(seen.action, "start");
    assert_string_equal(seen.instance, "T1");
    assert_int_equal(seen.port, 4711);
    /* Unset: the default. */
    assert_true(seen.has_verbose);
    assert_string_equal(seen.note, "a<b>&\"c\"");
    assert_true(seen.unknown_is_null);
    assert_string_equal(seen.rsc, "enq-T1");
    assert_int_equal(seen.timeout_ms, 30000);
    assert_true(seen.time_left > 25000 && seen.time_left <= 30000);
    assert_int_equal(seen.check_level, 10);
    assert_int_equal(seen.interval_ms, 0);

    /* stop and validate-all reach their own functions. */
    argv[1] = "stop";
    assert_int_equal(run(2, argv, out, sizeof(out), err, sizeof(err)),
                     PCMK_OCF_RUNNING_PROMOTED);
    assert_string_equal(seen.action, "stop");
    argv[1] = "validate-all";
    assert_int_equal(run(2, argv, out, sizeof(out), err, sizeof(err)),
                     PCMK_OCF_RUNNING_PROMOTED);
    assert_string_equal(seen.action, "validate");
    assert_int_equal(seen.calls, 3);
}

static void
bad_environment_falls_back_to_defaults(void **state)
{
    char *argv[] = {"testagent", "start", NULL};
    char out[1024];
    char err[1024];

    (void)state;
    /* Not a resource name (a path, a space): the agent's name instead. */
    setenv("OCF_RESOURCE_INSTANCE", "../etc", 1);
    setenv("OCF_RESKEY_CRM_meta_timeout", "soon", 1);
    setenv("OCF_CHECK_LEVEL", "-1", 1);
    assert_int_equal(run(2, argv, out, sizeof(out), err, sizeof(err)),
                     PCMK_OCF_RUNNING_PROMOTED);
    assert_string_equal(seen.rsc, "testagent");
    assert_string_equal(seen.instance, "(null)");
    assert_int_equal(seen.timeout_ms, 20000);
    assert_int_equal(seen.check_level, 0);
    assert_int_equal(seen.port, 3600);

    setenv("OCF_RESOURCE_INSTANCE", "a b", 1);
    setenv("OCF_RESKEY_CRM_meta_timeout", "-5", 1);
    assert_int_equal(run(2, argv, out, sizeof(out), err, sizeof(err)),
                     PCMK_OCF_RUNNING_PROMOTED);
    assert_string_equal(seen.rsc, "testagent");
    assert_int_equal(seen.timeout_ms, 20000);
}

/* A monitor with interval 0 is a probe; "status" is a monitor. */
static void
monitor_knows_a_probe(void **state)
{
    char *argv[] = {"testagent", "monitor", NULL};
    char out[1024];
    char err[1024];

    (void)state;
    assert_int_equal(run(2, argv, out, sizeof(out), err, sizeof(err)),
                     PCMK_OCF_RUNNING_PROMOTED);
    assert_string_equal(seen.action, "monitor");
    assert_true(seen.probe);

    setenv("OCF_RESKEY_CRM_meta_interval", "10000", 1);
    assert_int_equal(run(2, argv, out, sizeof(out), err, sizeof(err)),
                     PCMK_OCF_RUNNING_PROMOTED);
    assert_false(seen.probe);
    assert_int_equal(seen.interval_ms, 10000);

    argv[1] = "status";
    setenv("OCF_RESKEY_CRM_meta_interval", "0", 1);
    assert_int_equal(run(2, argv, out, sizeof(out), err, sizeof(err)),
                     PCMK_OCF_RUNNING_PROMOTED);
    assert_string_equal(seen.action, "monitor");
    assert_true(seen.probe);
    assert_int_equal(seen.calls, 3);
}

/* lf_ocf_check_params() on a context with these values, in the order of
 * params[]; the exit reason it wrote in reason. */
static int
check(const char *instance, const char *port, const char *verbose, char *reason,
      size_t size)
{
    struct lf_ocf_ctx ctx;
    struct capture e;
    int rc;

    memset(&ctx, 0, sizeof(ctx));
    ctx.agent = &agent;
    ctx.values[0] = instance;
    ctx.values[1] = port;
    ctx.values[2] = verbose;
    logged[0] = '\0';
    capture_begin(&e, 2);
    rc = lf_ocf_check_params(&ctx);
    capture_end(&e, reason, size);
    return rc;
}

static void
check_params_accepts_good_values(void **state)
{
    char reason[512];

    (void)state;
    assert_int_equal(check("T1", NULL, NULL, reason, sizeof(reason)),
                     PCMK_OCF_OK);
    assert_string_equal(reason, "");
    assert_int_equal(check("T1", "1", "true", reason, sizeof(reason)),
                     PCMK_OCF_OK);
    assert_int_equal(check("T1", "65535", "no", reason, sizeof(reason)),
                     PCMK_OCF_OK);
    /* Empty is unset: fine for an optional parameter. */
    assert_int_equal(check("T1", "", "", reason, sizeof(reason)), PCMK_OCF_OK);
    assert_string_equal(reason, "");
    assert_string_equal(logged, "");
}

static void
check_params_refuses_bad_values(void **state)
{
    char reason[512];

    (void)state;
    assert_int_equal(check(NULL, "80", "true", reason, sizeof(reason)),
                     PCMK_OCF_NOT_CONFIGURED);
    assert_string_equal(reason,
                        "ocf-exit-reason:parameter 'instance' is required\n");
    /* The log has the reason too, without the prefix. */
    assert_string_equal(logged, "parameter 'instance' is required\n");
    assert_int_equal(check("", "80", "true", reason, sizeof(reason)),
                     PCMK_OCF_NOT_CONFIGURED);
    assert_string_equal(reason,
                        "ocf-exit-reason:parameter 'instance' is required\n");

    assert_int_equal(check("T1", "0", NULL, reason, sizeof(reason)),
                     PCMK_OCF_NOT_CONFIGURED);
    assert_string_equal(reason, "ocf-exit-reason:parameter 'port' must be an "
                                "integer from 1 to 65535, not '0'\n");
    assert_int_equal(check("T1", "65536", NULL, reason, sizeof(reason)),
                     PCMK_OCF_NOT_CONFIGURED);
    assert_int_equal(check("T1", "80x", NULL, reason, sizeof(reason)),
                     PCMK_OCF_NOT_CONFIGURED);
    assert_string_equal(reason, "ocf-exit-reason:parameter 'port' must be an "
                                "integer from 1 to 65535, not '80x'\n");

    assert_int_equal(check("T1", NULL, "maybe", reason, sizeof(reason)),
                     PCMK_OCF_NOT_CONFIGURED);
    assert_string_equal(reason, "ocf-exit-reason:parameter 'verbose' must be "
                                "true or false, not 'maybe'\n");

    /* Pacemaker may ask for another prefix. */
    setenv("OCF_EXIT_REASON_PREFIX", "why:", 1);
    assert_int_equal(check(NULL, NULL, NULL, reason, sizeof(reason)),
                     PCMK_OCF_NOT_CONFIGURED);
    assert_string_equal(reason, "why:parameter 'instance' is required\n");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(meta_data_describes_the_agent, before_each),
        cmocka_unit_test_setup(usage_and_bad_invocations, before_each),
        cmocka_unit_test_setup(too_many_parameters_refused, before_each),
        cmocka_unit_test_setup(action_gets_its_parameters_from_the_environment,
                               before_each),
        cmocka_unit_test_setup(bad_environment_falls_back_to_defaults,
                               before_each),
        cmocka_unit_test_setup(monitor_knows_a_probe, before_each),
        cmocka_unit_test_setup(check_params_accepts_good_values, before_each),
        cmocka_unit_test_setup(check_params_refuses_bad_values, before_each),
    };

    return cmocka_run_group_tests_name("lf_ocf", tests, setup, teardown);
}

/*
 * leapfrogd: keeps the follow-then-push-away constraints of every declared
 * pair current in the CIB, so that Pacemaker's own scheduler carries out
 * the leapfrog sequence. This file holds main(), the options and the five
 * modes (the table modes[]): the daemon (lfd_daemon.c) and four one-shot
 * commands (lfd_commands.c). lfd_derive.c decides (with the stages it
 * runs), lfd_cib.c reads and writes, lfd_write.c keeps the safety rule of
 * every write.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

#include "lf_server.h"
#include "lfd_cib.h"
#include "lfd_derive.h"
#include "lfd_run.h"

#define DEBOUNCE_MS_DEFAULT 5

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: leapfrogd [-f] [-n] [-v] [-P PIDFILE] [-D DEBOUNCE_MS]\n"
            "       leapfrogd --once | --apply | --status | --remove F\n"
            "  -f, --foreground   do not detach; log to stderr too\n"
            "  -n, --dry-run      watch and log what would change, write "
            "nothing\n"
            "  -P, -p, --pidfile F  write the daemon's pid to F\n"
            "  -D, --debounce MS  wait this long for a burst of changes to "
            "end (5)\n"
            "  -v, --verbose      debug logging\n"
            "      --once         print the changes it would write, and "
            "exit\n"
            "      --apply        write the changes once, and exit\n"
            "      --status       print every pair, whether its "
            "constraints are current,\n"
            "                     and what weakens its guarantees; exit "
            "status 0: all\n"
            "                     well, 3 not settled, 4 a declaration "
            "refused, 5 out of\n"
            "                     date, 6 warnings\n"
            "      --remove F     delete the constraints of the pair whose "
            "follower is F\n"
            "  -h, --help         print this and exit\n"
            "The CIB is Pacemaker's, or the file named by CIB_file.\n");
}

/* The writer of every mode that writes (lfd_write_changes()). */
int
lfd_run_write(void *arg, const struct lfd_change *c)
{
    struct lfd *lfd = arg;

    return lfd_cib_apply(lfd->cib, c);
}

/* Derive from the CIB as it is now; EIO when it cannot be read (logged).
 * The result holds copies: the CIB is released at once. */
int
lfd_run_derive(struct lfd *lfd, struct lfd_result *r)
{
    xmlNode *xml = lfd_cib_xml(lfd->cib);
    int rc;

    if (xml == NULL) {
        return EIO;
    }
    rc = lfd_derive(xml, r);
    lfd_cib_release(lfd->cib);
    return rc;
}

/* What a mode needs before it runs. */
enum lfd_setup {
    LFD_SETUP_COMMAND, /* lfd_command_setup() */
    LFD_SETUP_DAEMON,  /* lfd_daemon_setup() */
};

/* The modes, by enum lfd_mode; a mode's option is "--<name>". */
static const struct {
    const char *name;
    enum lfd_setup setup;
    int (*run)(struct lfd *lfd);
} modes[] = {
    [LFD_DAEMON] = {"daemon", LFD_SETUP_DAEMON, lfd_daemon_run},
    [LFD_ONCE] = {"once", LFD_SETUP_COMMAND, lfd_command_once},
    [LFD_APPLY] = {"apply", LFD_SETUP_COMMAND, lfd_command_apply},
    [LFD_STATUS] = {"status", LFD_SETUP_COMMAND, lfd_command_status},
    [LFD_REMOVE] = {"remove", LFD_SETUP_COMMAND, lfd_command_remove},
};

/* The command line: 0, or the exit status. */
static int
parse_args(int argc, char **argv, struct lfd *lfd)
{
    const struct lf_server_option options[] = {
        {'n', "dry-run", .set = &lfd->dry_run},
        {'p', .text = &lfd->srv.pidfile}, /* -P, as the servers spell it */
        {'D', "debounce", .wide = &lfd->debounce_ms, .min = 0, .max = 60000},
        {0, modes[LFD_ONCE].name, .choice = &lfd->mode, .value = LFD_ONCE},
        {0, modes[LFD_APPLY].name, .choice = &lfd->mode, .value = LFD_APPLY},
        {0, modes[LFD_STATUS].name, .choice = &lfd->mode, .value = LFD_STATUS},
        {0, modes[LFD_REMOVE].name, .text = &lfd->remove_pair,
         .choice = &lfd->mode, .value = LFD_REMOVE},
    };
    enum lf_exit end;

    lfd->srv.shared =
        LF_SERVER_PIDFILE | LF_SERVER_FOREGROUND | LF_SERVER_VERBOSE;
    lfd->srv.own_log = true;
    lfd->debounce_ms = DEBOUNCE_MS_DEFAULT;
    end = lf_server_parse(&lfd->srv, argc, argv, options,
                          sizeof(options) / sizeof(options[0]), usage);
    if (end != LF_EXIT_OK) {
        return lf_exit_status(LF_EXIT_DAEMON, end);
    }
    /* A resource id by the CIB's rules, or nothing is looked up. */
    if (lfd->remove_pair != NULL
        && (!lfd_id_valid(lfd->remove_pair)
            || strlen(lfd->remove_pair) > LFD_RSC_MAX)) {
        fprintf(stderr,
                "leapfrogd: --remove takes a resource id (letters, digits, "
                "'.', '-', '_', not starting with a digit, '.' or '-'; at "
                "most %d characters)\n",
                LFD_RSC_MAX);
        return lf_exit_status(LF_EXIT_DAEMON, LF_EXIT_USAGE);
    }
    return 0;
}

/* Whatever a mode set up goes, in one place; the skeleton's last (the pid
 * file removed after a clean stop, a failed start-up passed on to the
 * starter). */
static int
teardown(struct lfd *lfd, int status)
{
    lfd_cib_disconnect(lfd->cib);
    lfd_daemon_free(lfd);
    (void)lf_server_finish(&lfd->srv,
                           status == 0 ? LF_EXIT_OK : LF_EXIT_FAILED);
    return status;
}

int
main(int argc, char **argv)
{
    struct lfd lfd;
    int status;

    memset(&lfd, 0, sizeof(lfd));
    lf_server_init(&lfd.srv, "leapfrogd");
    status = parse_args(argc, argv, &lfd);
    if (status != 0) {
        return status;
    }
    if (modes[lfd.mode].setup == LFD_SETUP_DAEMON) {
        status = lfd_daemon_setup(&lfd, argc, argv);
    } else {
        status = lfd_command_setup(&lfd);
    }
    if (status == 0) {
        status = modes[lfd.mode].run(&lfd);
    }
    return teardown(&lfd, status);
}

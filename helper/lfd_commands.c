/*
 * leapfrogd's one-shot commands: --once prints what would be written,
 * --apply writes it, --status prints every pair and says with its exit
 * status whether all is well, --remove F deletes one pair's elements.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

#include "lf_log.h"
#include "lfd_cib.h"
#include "lfd_derive.h"
#include "lfd_run.h"
#include "lfd_write.h"

static void
print_change(const struct lfd_change *c)
{
    printf("%s %s", lfd_op_str(c->op), c->id);
    if (c->parent != NULL) {
        printf(" (meta attributes of %s)", c->parent);
    }
    printf("\n");
    if (c->xml != NULL) {
        xmlBuffer *buf = xmlBufferCreate();

        if (buf != NULL) {
            xmlNodeDump(buf, NULL, c->xml, 1, 1);
            printf("  %s\n", (const char *)xmlBufferContent(buf));
            xmlBufferFree(buf);
        }
    }
}

static void
print_warnings(const struct lfd_result *r, const char *pair, const char *indent)
{
    for (size_t i = 0; i < r->nwarnings; i++) {
        const struct lfd_warning *w = &r->warnings[i];

        if ((pair == NULL) == (w->pair == NULL)
            && (pair == NULL || strcmp(pair, w->pair) == 0)) {
            printf("%swarning: %s\n", indent, w->text);
        }
    }
}

/* Fold one finding into the --status exit code: the lowest non-zero code
 * found wins. */
static int
fold_status(int status, int code)
{
    return (status == LFD_STATUS_OK || code < status) ? code : status;
}

int
lfd_command_status(struct lfd *lfd)
{
    struct lfd_result r;
    int status = LFD_STATUS_OK;
    int rc = lfd_run_derive(lfd, &r);

    if (rc != 0) {
        fprintf(stderr, "leapfrogd: cannot derive: %s\n", strerror(rc));
        return 1;
    }
    print_warnings(&r, NULL, "");
    if (r.npairs == 0) {
        printf("no pair declared (meta attribute leapfrog-follows)\n");
    }
    for (size_t i = 0; i < r.npairs; i++) {
        const struct lfd_pair *p = &r.pairs[i];

        printf("pair %s follows %s (survivor %s)\n", p->follower,
               p->partner != NULL ? p->partner : "?",
               p->survivor != NULL ? p->survivor : "?");
        if (p->error != NULL) {
            printf("  error: %s\n", p->error);
            status = fold_status(status, LFD_STATUS_REFUSED);
        } else if (p->conflict != NULL) {
            /* Warned about below: the exit status says warnings. */
            printf("  constraints: not written (%s is not leapfrogd's)\n",
                   p->conflict);
        } else if (!r.settled) {
            printf("  unknown: %s\n", r.unsettled);
            status = fold_status(status, LFD_STATUS_UNSETTLED);
        } else {
            printf("  %s on %s, %s on %s, %d eligible node(s) for %s\n",
                   p->follower, p->node_f != NULL ? p->node_f : "(stopped)",
                   p->partner, p->node_p != NULL ? p->node_p : "(stopped)",
                   p->eligible, p->partner);
            printf("  constraints: %s\n",
                   p->current ? "current"
                              : "out of date (leapfrogd will update them)");
            if (!p->current) {
                status = fold_status(status, LFD_STATUS_OUT_OF_DATE);
            }
        }
        print_warnings(&r, p->follower, "  ");
    }
    if (r.nwarnings > 0) {
        status = fold_status(status, LFD_STATUS_WARNINGS);
    }
    lfd_result_free(&r);
    return status;
}

/* Derive for a one-shot command, with the pairs refused and an unsettled
 * cluster reported on stderr: 0, or the exit status (r is then
 * released). */
static int
derive_command(struct lfd *lfd, struct lfd_result *r)
{
    int rc = lfd_run_derive(lfd, r);

    if (rc != 0) {
        fprintf(stderr, "leapfrogd: cannot derive: %s\n", strerror(rc));
        return 1;
    }
    for (size_t i = 0; i < r->npairs; i++) {
        if (r->pairs[i].error != NULL) {
            fprintf(stderr, "leapfrogd: pair %s: %s\n", r->pairs[i].follower,
                    r->pairs[i].error);
        }
    }
    if (!r->settled) {
        fprintf(stderr, "leapfrogd: not settled: %s\n", r->unsettled);
        lfd_result_free(r);
        return 3;
    }
    return 0;
}

/* --once: print what would be written. */
int
lfd_command_once(struct lfd *lfd)
{
    struct lfd_result r;
    int status = derive_command(lfd, &r);

    if (status != 0) {
        return status;
    }
    for (size_t i = 0; i < r.nchanges; i++) {
        print_change(&r.changes[i]);
    }
    if (r.nchanges == 0) {
        printf("nothing to change\n");
    }
    lfd_result_free(&r);
    return 0;
}

/* --apply prints each write's outcome. */
static void
report_printed(void *arg, const struct lfd_change *c, enum lfd_write how,
               int rc)
{
    (void)arg;
    if (how == LFD_WRITE_SKIPPED) {
        printf("%s %s: skipped after an earlier failure of its pair\n",
               lfd_op_str(c->op), c->id);
        return;
    }
    printf("%s %s: %s\n", lfd_op_str(c->op), c->id,
           how == LFD_WRITTEN ? "done" : lfd_cib_strerror(rc));
}

/* --apply: write once; 1 when a change was not written. */
int
lfd_command_apply(struct lfd *lfd)
{
    struct lfd_result r;
    int status = derive_command(lfd, &r);

    if (status != 0) {
        return status;
    }
    status =
        (lfd_write_changes(&r, lfd_run_write, report_printed, lfd) > 0) ? 1 : 0;
    if (r.nchanges == 0) {
        printf("nothing to change\n");
    }
    lfd_result_free(&r);
    return status;
}

/* Delete every element of one pair, declared or not: those the CIB holds
 * that are leapfrogd's, found by walking it (lfd_derive_removal()), never
 * by an expression built from the argument. */
int
lfd_command_remove(struct lfd *lfd)
{
    struct lfd_result r;
    xmlNode *xml = lfd_cib_xml(lfd->cib);
    int status = 0;
    int rc;

    if (xml == NULL) {
        return 1;
    }
    rc = lfd_derive_removal(xml, lfd->remove_pair, &r);
    lfd_cib_release(lfd->cib);
    if (rc != 0) {
        fprintf(stderr, "leapfrogd: cannot derive: %s\n", strerror(rc));
        return 1;
    }
    print_warnings(&r, lfd->remove_pair, "");
    /* Each deletion is tried, whatever became of the others. */
    for (size_t i = 0; i < r.nchanges; i++) {
        rc = lfd_cib_apply(lfd->cib, &r.changes[i]);
        if (rc != 0) {
            fprintf(stderr, "leapfrogd: cannot delete %s: %s\n",
                    r.changes[i].id, lfd_cib_strerror(rc));
            status = 1;
        }
    }
    if (status == 0) {
        printf("removed the constraints of pair %s (%zu elements)\n",
               lfd->remove_pair, r.nchanges);
    }
    lfd_result_free(&r);
    return status;
}

/* --remove F, --status and the like: messages on stderr, the CIB read
 * once. */
int
lfd_command_setup(struct lfd *lfd)
{
    int rc;

    lf_log_init("leapfrogd", LF_LOG_STDERR, LOG_DAEMON);
    lf_log_set_level(lfd->srv.verbose ? LOG_DEBUG : LOG_WARNING);
    rc = lfd_cib_connect(false, NULL, NULL, NULL, &lfd->cib);
    if (rc != 0) {
        fprintf(stderr, "leapfrogd: cannot read the CIB: %s\n",
                lfd_cib_strerror(rc));
        return 1;
    }
    return 0;
}

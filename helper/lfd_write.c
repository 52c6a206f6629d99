/*
 * Writing the changes of a derivation, a pair at a time safe.
 */
#include <config.h>

#include <string.h>

#include "lfd_derive.h"
#include "lfd_write.h"

/* Has an earlier write of change upto's pair failed? */
static bool
pair_failed(const struct lfd_result *r, size_t upto)
{
    for (size_t i = 0; i < upto; i++) {
        if (r->changes[i].failed && r->changes[i].pair != NULL
            && r->changes[upto].pair != NULL
            && strcmp(r->changes[i].pair, r->changes[upto].pair) == 0) {
            return true;
        }
    }
    return false;
}

size_t
lfd_write_changes(struct lfd_result *r, lfd_write_fn write,
                  lfd_report_fn report, void *arg)
{
    size_t not_written = 0;

    for (size_t i = 0; i < r->nchanges; i++) {
        struct lfd_change *c = &r->changes[i];
        int rc;

        if (pair_failed(r, i)) {
            report(arg, c, LFD_WRITE_SKIPPED, 0);
            not_written++;
            continue;
        }
        rc = write(arg, c);
        c->failed = (rc != 0);
        report(arg, c, c->failed ? LFD_WRITE_FAILED : LFD_WRITTEN, rc);
        if (c->failed) {
            not_written++;
        }
    }
    return not_written;
}

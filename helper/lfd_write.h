/*
 * lfd_write.h - writing a derivation's changes, in their order, with the
 * one safety rule every mode that writes keeps: after a pair's first
 * failed write, none of its later changes is written this round. A
 * pair's elements go in a safe order (stickiness before the follow
 * location), and a later one written without an earlier one could move a
 * healthy resource. The writing itself is the caller's (lfd_cib_apply()),
 * so the rule is tested without a CIB.
 */
#ifndef LFD_WRITE_H
#define LFD_WRITE_H

#include <stddef.h>

#include "lfd_derive.h"

/* How the write of one change went. */
enum lfd_write {
    LFD_WRITTEN,
    LFD_WRITE_FAILED,
    LFD_WRITE_SKIPPED, /* an earlier write of its pair failed */
};

/* Write one change: 0, or a positive errno-style code. */
typedef int (*lfd_write_fn)(void *arg, const struct lfd_change *c);

/* Told how each change went (rc: write's code when it failed). */
typedef void (*lfd_report_fn)(void *arg, const struct lfd_change *c,
                              enum lfd_write how, int rc);

/*!
 * \brief Write the changes of r in their order, each reported as it goes,
 *        each failed one marked (lfd_change.failed).
 *
 * \param[in,out] r       a settled result of lfd_derive()
 * \param[in]     write   writes one change
 * \param[in]     report  told how each went
 * \param[in]     arg     passed to both
 *
 * \return how many changes were not written (failed or skipped)
 */
size_t lfd_write_changes(struct lfd_result *r, lfd_write_fn write,
                         lfd_report_fn report, void *arg);

#endif

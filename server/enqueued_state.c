/* Takeover of the replica segment and the per-node generation record. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enqueued.h"
#include "lf_file.h"
#include "lf_log.h"
#include "lf_parse.h"
#include "lf_segment.h"

static void
generation_path(const struct enq_server *srv, char *out, size_t size)
{
    snprintf(out, size, "%s/%s.generation", srv->cfg.statedir,
             srv->cfg.instance);
}

/* The highest generation served on this node; 0 when none is recorded. */
static uint64_t
read_generation(const char *path)
{
    char buf[32];
    long long value = 0;
    int rc = lf_file_read_small(path, buf, sizeof(buf));

    if (rc == ENOENT) {
        return 0;
    }
    if (rc != 0 || lf_parse_long(buf, 0, LLONG_MAX, &value) != 0) {
        lf_warn("ignoring unreadable generation record %s", path);
        return 0;
    }
    return (uint64_t)value;
}

static int
write_generation(const char *path, uint64_t generation)
{
    char buf[32];
    int len =
        snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)generation);

    return lf_file_write_atomic(path, buf, (size_t)len, 0644);
}

int
enq_state_takeover(struct enq_server *srv)
{
    char path[PATH_MAX];
    struct lf_seg_info info;
    const char *why = "";
    uint64_t local;
    enum lf_seg_verdict verdict;
    int rc;

    generation_path(srv, path, sizeof(path));
    local = read_generation(path);
    verdict = lf_seg_adopt(srv->cfg.instance, local, srv->table, &info, &why);
    if (verdict == LF_SEG_OK) {
        srv->stats.adopted = lf_table_count(srv->table);
        srv->generation =
            ((info.generation > local) ? info.generation : local) + 1;
        lf_notice("adopted %llu locks from the replica segment (generation "
                  "%llu, change %llu, replica state %s)",
                  (unsigned long long)srv->stats.adopted,
                  (unsigned long long)info.generation,
                  (unsigned long long)info.seq, lf_seg_state_str(info.state));
    } else {
        srv->generation = local + 1;
        if (verdict == LF_SEG_ABSENT) {
            lf_notice("starting with an empty lock table: %s",
                      lf_seg_verdict_str(verdict));
        } else {
            lf_warn("starting with an empty lock table: not adopting the "
                    "replica segment: %s (%s)",
                    lf_seg_verdict_str(verdict), why);
        }
    }
    rc = write_generation(path, srv->generation);
    if (rc != 0) {
        lf_err("cannot record generation in %s: %s", path, strerror(rc));
        return rc;
    }
    lf_info("serving generation %llu", (unsigned long long)srv->generation);
    return 0;
}

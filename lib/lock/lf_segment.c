#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lf_proc.h"
#include "lf_proto.h"
#include "lf_segment.h"

_Static_assert(sizeof(struct lf_seg_header) == 512, "header layout");
_Static_assert(sizeof(struct lf_seg_slot) == 400, "slot layout");

struct lf_seg {
    int fd;
    size_t size;
    struct lf_seg_header *hdr;
    struct lf_seg_slot *slots;
    uint32_t *free_slots; /* stack of free slot numbers below hwm */
    size_t nfree;
};

static uint64_t
fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;

    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t
slot_hash(const struct lf_seg_slot *slot)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    h = fnv1a(h, &slot->mode, 1);
    h = fnv1a(h, slot->key, slot->key_len);
    h = fnv1a(h, "\0", 1);
    h = fnv1a(h, slot->owner, slot->owner_len);
    /* A final mix so that sums of similar slots do not cancel out. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static uint64_t
header_hash(const struct lf_seg_header *hdr)
{
    struct lf_seg_header copy = *hdr;

    copy.header_sum = 0;
    return fnv1a(0xcbf29ce484222325ULL, &copy, sizeof(copy));
}

void
lf_seg_reseal(void *mem, size_t size)
{
    struct lf_seg_header *hdr = mem;
    const struct lf_seg_slot *slots = (const struct lf_seg_slot *)(hdr + 1);
    uint64_t limit;
    uint64_t sum = 0;

    if (size < sizeof(*hdr)) {
        return;
    }
    limit = (size - sizeof(*hdr)) / sizeof(*slots);
    for (uint64_t i = 0; i < hdr->hwm && i < limit; i++) {
        if (slots[i].used != 0 && slots[i].key_len <= LF_KEY_MAX
            && slots[i].owner_len <= LF_OWNER_MAX) {
            sum += slot_hash(&slots[i]);
        }
    }
    hdr->slots_sum = sum;
    hdr->header_sum = header_hash(hdr);
}

size_t
lf_seg_size(uint64_t capacity)
{
    return sizeof(struct lf_seg_header)
           + (size_t)capacity * sizeof(struct lf_seg_slot);
}

const char *
lf_seg_verdict_str(enum lf_seg_verdict verdict)
{
    switch (verdict) {
    case LF_SEG_OK:
        return "in-sync copy";
    case LF_SEG_ABSENT:
        return "no replica segment on this node";
    case LF_SEG_CORRUPT:
        return "segment is corrupt";
    case LF_SEG_WRONG_LAYOUT:
        return "segment has another layout version";
    case LF_SEG_WRONG_INSTANCE:
        return "segment belongs to another instance";
    case LF_SEG_NOT_IN_SYNC:
        return "segment is not an in-sync copy";
    case LF_SEG_WRITER_GONE:
        return "the replication server that wrote it no longer runs";
    case LF_SEG_OLD_GENERATION:
        return "segment is older than what the cluster has already served";
    case LF_SEG_NO_ROOM:
        return "segment holds more locks than the table takes";
    case LF_SEG_IO:
        return "segment cannot be read";
    case LF_SEG_EXPIRED:
        return "segment lost its enqueue server longer ago than a copy "
               "stays valid";
    case LF_SEG_CHANGED:
        return "segment changed while it was taken over";
    case LF_SEG_FOREIGN:
        return "segment is not the service user's own: left untouched for the "
               "administrator";
    }
    return "unknown verdict";
}

const char *
lf_seg_state_str(uint32_t state)
{
    switch (state) {
    case LF_SEG_SYNCING:
        return "syncing";
    case LF_SEG_IN_SYNC:
        return "in-sync";
    case LF_SEG_DISCONNECTED:
        return "disconnected";
    case LF_SEG_STOPPED:
        return "stopped";
    case LF_SEG_ADOPTED:
        return "adopted";
    case LF_SEG_STALE:
        return "stale";
    default:
        return "invalid";
    }
}

void
lf_seg_name(const char *instance, char *out, size_t size)
{
    snprintf(out, size, "/leapfrog-%s", instance);
}

static bool
slot_valid(const struct lf_seg_slot *slot)
{
    if (slot->used != 1
        || (slot->mode != LF_MODE_EXCLUSIVE && slot->mode != LF_MODE_SHARED)
        || slot->key_len > LF_KEY_MAX || slot->owner_len > LF_OWNER_MAX
        || slot->key[slot->key_len] != '\0'
        || slot->owner[slot->owner_len] != '\0'
        || strlen(slot->key) != slot->key_len
        || strlen(slot->owner) != slot->owner_len) {
        return false;
    }
    return lf_lock_valid_key(slot->key) && lf_lock_valid_owner(slot->owner);
}

/* The header alone; size is what the mapping holds, header included. */
static enum lf_seg_verdict
check_header(const struct lf_seg_header *hdr, size_t size, const char *instance,
             struct lf_seg_info *info, const char **why)
{
    if (size < sizeof(*hdr) || hdr->magic != LF_SEG_MAGIC) {
        *why = "no leapfrog segment header";
        return LF_SEG_CORRUPT;
    }
    if (hdr->layout != LF_SEG_LAYOUT
        || hdr->header_size != sizeof(struct lf_seg_header)
        || hdr->slot_size != sizeof(struct lf_seg_slot)) {
        *why = "layout version or record sizes differ from ours";
        return LF_SEG_WRONG_LAYOUT;
    }
    if (header_hash(hdr) != hdr->header_sum) {
        *why = "header checksum mismatch";
        return LF_SEG_CORRUPT;
    }
    if (hdr->capacity > (size - sizeof(*hdr)) / sizeof(struct lf_seg_slot)
        || hdr->hwm > hdr->capacity || hdr->nlocks > hdr->hwm
        || hdr->writer_pid <= 0 || hdr->writer_pid > INT32_MAX) {
        *why = "header fields out of range";
        return LF_SEG_CORRUPT;
    }
    if (memchr(hdr->instance, '\0', sizeof(hdr->instance)) == NULL
        || strcmp(hdr->instance, instance) != 0) {
        *why = "instance name differs";
        return LF_SEG_WRONG_INSTANCE;
    }
    info->state = (enum lf_seg_state)hdr->state;
    info->generation = hdr->generation;
    info->seq = hdr->seq;
    info->nlocks = hdr->nlocks;
    info->writer_pid = (pid_t)hdr->writer_pid;
    info->writer_start = hdr->writer_start;
    info->heard_ms = hdr->heard_ms;
    info->valid_ms = hdr->valid_ms;
    info->writer_uid = hdr->writer_uid;
    info->capacity = hdr->capacity;
    info->refused_need = hdr->refused_need;
    return LF_SEG_OK;
}

enum lf_seg_verdict
lf_seg_check(const void *mem, size_t size, const char *instance,
             struct lf_seg_info *info, const char **why)
{
    const struct lf_seg_header *hdr = mem;
    const struct lf_seg_slot *slots;
    uint64_t used = 0;
    uint64_t sum = 0;
    enum lf_seg_verdict verdict = check_header(hdr, size, instance, info, why);

    if (verdict != LF_SEG_OK) {
        return verdict;
    }
    slots = (const struct lf_seg_slot *)(hdr + 1);
    for (uint64_t i = 0; i < hdr->hwm; i++) {
        if (slots[i].used == 0) {
            continue;
        }
        if (!slot_valid(&slots[i])) {
            *why = "a lock record is malformed";
            return LF_SEG_CORRUPT;
        }
        used++;
        sum += slot_hash(&slots[i]);
    }
    if (used != hdr->nlocks || sum != hdr->slots_sum) {
        *why = "lock records do not match the header's count or checksum";
        return LF_SEG_CORRUPT;
    }
    return LF_SEG_OK;
}

enum lf_seg_verdict
lf_seg_load(const void *mem, size_t size, struct lf_table *table,
            const char **why)
{
    const struct lf_seg_header *hdr = mem;
    const struct lf_seg_slot *slots = (const struct lf_seg_slot *)(hdr + 1);

    (void)size; /* lf_seg_check() has bounded hwm by size */
    for (uint64_t i = 0; i < hdr->hwm; i++) {
        enum lf_table_outcome outcome = LF_TABLE_GRANTED;

        if (slots[i].used == 0) {
            continue;
        }
        if (lf_table_lock(table, slots[i].key, slots[i].owner,
                          (enum lf_lock_mode)slots[i].mode, 0, &outcome, NULL)
            != 0) {
            *why = "no memory for the lock records";
            return LF_SEG_NO_ROOM;
        }
        if (outcome == LF_TABLE_FULL) {
            *why = "more lock records than the table takes";
            return LF_SEG_NO_ROOM;
        }
        if (outcome != LF_TABLE_GRANTED) {
            *why = "a lock record is there twice";
            return LF_SEG_CORRUPT;
        }
    }
    return LF_SEG_OK;
}

static bool
writer_alive(const struct lf_seg_info *info)
{
    unsigned long long start = 0;

    if (lf_proc_state(info->writer_pid, NULL) != LF_PROC_RUNNING) {
        return false;
    }
    return lf_proc_start_time(info->writer_pid, &start) == 0
           && start == info->writer_start;
}

enum lf_seg_verdict
lf_seg_current(const struct lf_seg_info *info, uint64_t min_generation,
               int64_t now_ms, const char **why)
{
    if (info->state != LF_SEG_IN_SYNC && info->state != LF_SEG_DISCONNECTED) {
        *why = lf_seg_state_str(info->state);
        return LF_SEG_NOT_IN_SYNC;
    }
    if (now_ms - info->heard_ms > (int64_t)info->valid_ms) {
        *why = "its enqueue server may have served without it since";
        return LF_SEG_EXPIRED;
    }
    if (info->generation < min_generation) {
        *why = "a newer generation has been served";
        return LF_SEG_OLD_GENERATION;
    }
    return LF_SEG_OK;
}

bool
lf_seg_file_ok(const struct stat *st, uid_t uid, const char **why)
{
    if (!S_ISREG(st->st_mode)) {
        *why = "not a regular file";
    } else if (st->st_uid != uid) {
        *why = "owned by another user";
    } else if ((st->st_mode & 07777) != 0600) {
        *why = "its mode is not 0600";
    } else if (st->st_nlink != 1) {
        *why = "it has another hard link";
    } else {
        return true;
    }
    return false;
}

/* The header's writer must be the user the file belongs to: us. */
static enum lf_seg_verdict
check_writer_uid(const struct lf_seg_info *info, const char **why)
{
    if (info->writer_uid != (uint32_t)geteuid()) {
        *why = "its header names another user as its writer";
        return LF_SEG_FOREIGN;
    }
    return LF_SEG_OK;
}

/* Open, lock and map the instance's segment read-write, once fstat() on
 * the descriptor shows it is our own. */
static enum lf_seg_verdict
map_locked(const char *instance, int *fd_out, void **mem_out, size_t *size_out,
           const char **why)
{
    char name[LF_SEG_INSTANCE_MAX + 16];
    struct stat st;
    void *mem;
    int fd;

    lf_seg_name(instance, name, sizeof(name));
    fd = shm_open(name, O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0);
    if (fd < 0 && (errno == ELOOP || errno == EACCES)) {
        *why = (errno == ELOOP) ? "it is a symbolic link"
                                : "this user may not open it";
        return LF_SEG_FOREIGN;
    }
    if (fd < 0) {
        *why = strerror(errno);
        return (errno == ENOENT) ? LF_SEG_ABSENT : LF_SEG_IO;
    }
    if (fstat(fd, &st) != 0) {
        *why = strerror(errno);
        close(fd);
        return LF_SEG_IO;
    }
    if (!lf_seg_file_ok(&st, geteuid(), why)) {
        close(fd);
        return LF_SEG_FOREIGN;
    }
    if (flock(fd, LOCK_EX) != 0 || fstat(fd, &st) != 0) {
        *why = strerror(errno);
        close(fd);
        return LF_SEG_IO;
    }
    if (st.st_size < (off_t)sizeof(struct lf_seg_header)) {
        *why = "segment is shorter than its header";
        close(fd);
        return LF_SEG_CORRUPT;
    }
    mem = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
               0);
    if (mem == MAP_FAILED) {
        *why = strerror(errno);
        close(fd);
        return LF_SEG_IO;
    }
    *fd_out = fd;
    *mem_out = mem;
    *size_out = (size_t)st.st_size;
    return LF_SEG_OK;
}

enum lf_seg_verdict
lf_seg_adopt(const char *instance, uint64_t min_generation,
             struct lf_table *table, struct lf_seg_info *info, const char **why)
{
    enum lf_seg_verdict verdict;
    void *mem = NULL;
    size_t size = 0;
    int fd = -1;

    memset(info, 0, sizeof(*info));
    *why = "";
    verdict = map_locked(instance, &fd, &mem, &size, why);
    if (verdict != LF_SEG_OK) {
        return verdict;
    }
    verdict = lf_seg_check(mem, size, instance, info, why);
    if (verdict == LF_SEG_OK) {
        verdict = check_writer_uid(info, why);
    }
    if (verdict == LF_SEG_OK) {
        verdict = lf_seg_current(info, min_generation, lf_now_ms(), why);
    }
    if (verdict == LF_SEG_OK && !writer_alive(info)) {
        *why = "its writer is not running";
        verdict = LF_SEG_WRITER_GONE;
    }
    if (verdict == LF_SEG_OK) {
        verdict = lf_seg_load(mem, size, table, why);
        if (verdict != LF_SEG_OK) {
            lf_table_clear(table);
        }
    }
    munmap(mem, size);
    close(fd); /* releases the flock */
    return verdict;
}

enum lf_seg_verdict
lf_seg_mark_adopted(const char *instance, const struct lf_seg_info *loaded)
{
    struct lf_seg_header *hdr;
    struct lf_seg_info now;
    enum lf_seg_verdict verdict;
    const char *why = "";
    void *mem = NULL;
    size_t size = 0;
    int fd = -1;

    verdict = map_locked(instance, &fd, &mem, &size, &why);
    if (verdict != LF_SEG_OK) {
        return verdict;
    }
    hdr = mem;
    verdict = check_header(hdr, size, instance, &now, &why);
    if (verdict == LF_SEG_OK) {
        verdict = check_writer_uid(&now, &why);
    }
    if (verdict == LF_SEG_OK
        && (now.state != loaded->state || now.generation != loaded->generation
            || now.seq != loaded->seq || now.nlocks != loaded->nlocks
            || now.writer_pid != loaded->writer_pid
            || now.writer_start != loaded->writer_start)) {
        verdict = LF_SEG_CHANGED;
    }
    if (verdict == LF_SEG_OK) {
        hdr->state = LF_SEG_ADOPTED;
        hdr->header_sum = header_hash(hdr);
    }
    munmap(mem, size);
    close(fd);
    return verdict;
}

enum lf_seg_verdict
lf_seg_peek(const char *instance, struct lf_seg_info *info,
            bool *writer_running)
{
    char name[LF_SEG_INSTANCE_MAX + 16];
    struct lf_seg_header hdr;
    const char *why = "";
    enum lf_seg_verdict verdict;
    struct stat st;
    ssize_t n;
    int fd;

    memset(info, 0, sizeof(*info));
    *writer_running = false;
    lf_seg_name(instance, name, sizeof(name));
    fd = shm_open(name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
    if (fd < 0) {
        return (errno == ENOENT) ? LF_SEG_ABSENT : LF_SEG_IO;
    }
    (void)flock(fd, LOCK_SH);
    n = pread(fd, &hdr, sizeof(hdr), 0);
    if (fstat(fd, &st) != 0) {
        st.st_size = 0;
    }
    close(fd);
    if (n != (ssize_t)sizeof(hdr)) {
        return LF_SEG_CORRUPT;
    }
    verdict = check_header(&hdr, (size_t)st.st_size, instance, info, &why);
    if (verdict == LF_SEG_OK) {
        *writer_running = writer_alive(info);
    }
    return verdict;
}

/* ---- the writer ---------------------------------------------------- */

static void
update_header_sum(struct lf_seg *seg)
{
    seg->hdr->header_sum = header_hash(seg->hdr);
}

int
lf_seg_begin(struct lf_seg *seg)
{
    while (flock(seg->fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            return errno;
        }
    }
    return 0;
}

void
lf_seg_end(struct lf_seg *seg)
{
    update_header_sum(seg);
    (void)flock(seg->fd, LOCK_UN);
}

enum lf_seg_state
lf_seg_state(const struct lf_seg *seg)
{
    return (enum lf_seg_state)seg->hdr->state;
}

void
lf_seg_set_state(struct lf_seg *seg, enum lf_seg_state state)
{
    seg->hdr->state = state;
}

void
lf_seg_set_position(struct lf_seg *seg, uint64_t generation, uint64_t seq)
{
    seg->hdr->generation = generation;
    seg->hdr->seq = seq;
}

void
lf_seg_set_heard(struct lf_seg *seg, int64_t heard_ms, uint64_t valid_ms)
{
    seg->hdr->heard_ms = heard_ms;
    seg->hdr->valid_ms = valid_ms;
}

void
lf_seg_set_refused(struct lf_seg *seg, uint64_t need)
{
    seg->hdr->refused_need = need;
}

void
lf_seg_info(const struct lf_seg *seg, struct lf_seg_info *info)
{
    const struct lf_seg_header *hdr = seg->hdr;

    info->state = (enum lf_seg_state)hdr->state;
    info->generation = hdr->generation;
    info->seq = hdr->seq;
    info->nlocks = hdr->nlocks;
    info->writer_pid = (pid_t)hdr->writer_pid;
    info->writer_start = hdr->writer_start;
    info->heard_ms = hdr->heard_ms;
    info->valid_ms = hdr->valid_ms;
    info->writer_uid = hdr->writer_uid;
    info->capacity = hdr->capacity;
    info->refused_need = hdr->refused_need;
}

void
lf_seg_clear(struct lf_seg *seg)
{
    /* Only slots below the high-water mark were ever written. */
    memset(seg->slots, 0, (size_t)seg->hdr->hwm * sizeof(*seg->slots));
    seg->hdr->hwm = 0;
    seg->hdr->nlocks = 0;
    seg->hdr->slots_sum = 0;
    seg->nfree = 0;
}

int
lf_seg_insert(struct lf_seg *seg, const char *key, const char *owner,
              enum lf_lock_mode mode, uint32_t *slot_out)
{
    struct lf_seg_slot *slot;
    uint32_t n;
    size_t key_len = strlen(key);
    size_t owner_len = strlen(owner);

    if (key_len > LF_KEY_MAX || owner_len > LF_OWNER_MAX) {
        return EINVAL;
    }
    if (seg->nfree > 0) {
        n = seg->free_slots[--seg->nfree];
    } else if (seg->hdr->hwm < seg->hdr->capacity) {
        n = (uint32_t)seg->hdr->hwm++;
    } else {
        return ENOSPC;
    }
    slot = &seg->slots[n];
    memset(slot, 0, sizeof(*slot));
    slot->used = 1;
    slot->mode = (uint8_t)mode;
    slot->key_len = (uint16_t)key_len;
    slot->owner_len = (uint16_t)owner_len;
    memcpy(slot->key, key, key_len);
    memcpy(slot->owner, owner, owner_len);
    seg->hdr->nlocks++;
    seg->hdr->slots_sum += slot_hash(slot);
    *slot_out = n;
    return 0;
}

void
lf_seg_remove(struct lf_seg *seg, uint32_t n)
{
    struct lf_seg_slot *slot = &seg->slots[n];

    if (n >= seg->hdr->hwm || slot->used == 0) {
        return;
    }
    seg->hdr->slots_sum -= slot_hash(slot);
    seg->hdr->nlocks--;
    memset(slot, 0, sizeof(*slot));
    seg->free_slots[seg->nfree++] = n;
}

/* Is the segment's recorded writer a live process other than us? */
static bool
other_writer_alive(const struct lf_seg_header *hdr)
{
    struct lf_seg_info info = {
        .writer_pid = (pid_t)hdr->writer_pid,
        .writer_start = hdr->writer_start,
    };

    if (hdr->magic != LF_SEG_MAGIC || hdr->writer_pid <= 0
        || hdr->writer_pid > INT32_MAX || info.writer_pid == getpid()) {
        return false;
    }
    return writer_alive(&info);
}

/* A segment someone else made (any user may create names in /dev/shm) is
 * never written: its maker may hold it open and change it under us. */
static bool
own_file(int fd)
{
    struct stat st;

    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid()
           && st.st_nlink == 1;
}

int
lf_seg_move_foreign(const char *instance, uid_t uid, char *aside, size_t size,
                    const char **why)
{
    char name[LF_SEG_INSTANCE_MAX + 16];
    char path[LF_SEG_INSTANCE_MAX + 32];
    struct stat st;

    aside[0] = '\0';
    *why = "";
    if (strlen(instance) > LF_SEG_INSTANCE_MAX) {
        return EINVAL;
    }
    lf_seg_name(instance, name, sizeof(name));
    snprintf(path, sizeof(path), "%s%s", LF_SEG_DIR, name);
    if (lstat(path, &st) != 0) {
        return (errno == ENOENT) ? 0 : errno;
    }
    if (S_ISLNK(st.st_mode)) {
        *why = "a symbolic link";
    } else if (lf_seg_file_ok(&st, uid, why)) {
        return 0;
    }
    /* '@' is not allowed in instance names: the new name is no segment;
     * an older one moved aside is never replaced. */
    for (int n = 0; n < 100; n++) {
        snprintf(aside, size, "%s@aside-%ld-%lld-%d", path, (long)st.st_uid,
                 (long long)time(NULL), n);
        if (renameat2(AT_FDCWD, path, AT_FDCWD, aside, RENAME_NOREPLACE) == 0) {
            return 0;
        }
        if (errno != EEXIST) {
            break;
        }
    }
    aside[0] = '\0';
    return (errno != 0) ? errno : EEXIST;
}

int
lf_seg_open_writer(const char *instance, uint64_t capacity,
                   struct lf_seg **seg_out)
{
    char name[LF_SEG_INSTANCE_MAX + 16];
    struct lf_seg *seg = NULL;
    unsigned long long start = 0;
    void *mem = MAP_FAILED;
    size_t size = lf_seg_size(capacity);
    int rc;
    int fd;

    if (strlen(instance) > LF_SEG_INSTANCE_MAX || capacity == 0
        || capacity > UINT32_MAX) {
        return EINVAL;
    }
    lf_seg_name(instance, name, sizeof(name));
    fd = shm_open(name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return errno;
    }
    if (!own_file(fd)) {
        rc = EPERM;
        goto fail;
    }
    if (fchmod(fd, 0600) != 0 || flock(fd, LOCK_EX) != 0) {
        rc = errno;
        goto fail;
    }
    {
        struct lf_seg_header old;
        struct stat st;

        if (fstat(fd, &st) == 0 && st.st_size >= (off_t)sizeof(old)
            && pread(fd, &old, sizeof(old), 0) == (ssize_t)sizeof(old)
            && other_writer_alive(&old)) {
            rc = EBUSY;
            goto fail;
        }
    }
    /* Truncating first drops every page of an older, larger copy. */
    if (ftruncate(fd, 0) != 0) {
        rc = errno;
        goto fail;
    }
    /* Every page now: a sparse segment would fault (SIGBUS) on the first
     * write that finds /dev/shm full, long after the start. */
    rc = posix_fallocate(fd, 0, (off_t)size);
    if (rc != 0) {
        (void)ftruncate(fd, 0);
        goto fail;
    }
    mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    seg = calloc(1, sizeof(*seg));
    if (mem == MAP_FAILED || seg == NULL) {
        rc = (mem == MAP_FAILED) ? errno : ENOMEM;
        goto fail;
    }
    seg->free_slots = calloc((size_t)capacity, sizeof(uint32_t));
    if (seg->free_slots == NULL) {
        rc = ENOMEM;
        goto fail;
    }
    seg->fd = fd;
    seg->size = size;
    seg->hdr = mem;
    seg->slots = (struct lf_seg_slot *)(seg->hdr + 1);
    seg->hdr->magic = LF_SEG_MAGIC;
    seg->hdr->layout = LF_SEG_LAYOUT;
    seg->hdr->header_size = sizeof(struct lf_seg_header);
    seg->hdr->slot_size = sizeof(struct lf_seg_slot);
    seg->hdr->state = LF_SEG_SYNCING;
    seg->hdr->capacity = capacity;
    snprintf(seg->hdr->instance, sizeof(seg->hdr->instance), "%s", instance);
    seg->hdr->writer_pid = getpid();
    (void)lf_proc_start_time(getpid(), &start);
    seg->hdr->writer_start = start;
    seg->hdr->writer_uid = (uint32_t)geteuid();
    lf_seg_end(seg);
    *seg_out = seg;
    return 0;

fail:
    if (mem != MAP_FAILED) {
        munmap(mem, size);
    }
    if (seg != NULL) {
        free(seg->free_slots);
        free(seg);
    }
    close(fd);
    return rc;
}

void
lf_seg_close(struct lf_seg *seg)
{
    if (seg == NULL) {
        return;
    }
    munmap(seg->hdr, seg->size);
    close(seg->fd);
    free(seg->free_slots);
    free(seg);
}

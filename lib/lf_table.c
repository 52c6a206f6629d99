#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lf_table.h"

struct lf_hold {
    char *owner;
    uint32_t tag;
};

struct lf_entry {
    struct lf_entry *next;
    uint64_t hash;
    enum lf_lock_mode mode;
    size_t nholds;
    size_t cap;
    struct lf_hold *holds;
    char key[];
};

struct lf_table {
    struct lf_entry **buckets;
    size_t nbuckets; /* a power of two */
    size_t nentries;
    size_t nholds;
    size_t capacity;
};

static uint64_t
hash_key(const char *key)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

    for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

struct lf_table *
lf_table_new(size_t capacity)
{
    struct lf_table *table = calloc(1, sizeof(*table));

    if (table == NULL) {
        return NULL;
    }
    table->nbuckets = 1024;
    table->buckets = calloc(table->nbuckets, sizeof(*table->buckets));
    if (table->buckets == NULL) {
        free(table);
        return NULL;
    }
    table->capacity = capacity;
    return table;
}

static void
free_entry(struct lf_entry *entry)
{
    for (size_t i = 0; i < entry->nholds; i++) {
        free(entry->holds[i].owner);
    }
    free(entry->holds);
    free(entry);
}

void
lf_table_clear(struct lf_table *table)
{
    for (size_t b = 0; b < table->nbuckets; b++) {
        struct lf_entry *entry = table->buckets[b];

        while (entry != NULL) {
            struct lf_entry *next = entry->next;

            free_entry(entry);
            entry = next;
        }
        table->buckets[b] = NULL;
    }
    table->nentries = 0;
    table->nholds = 0;
}

void
lf_table_free(struct lf_table *table)
{
    if (table == NULL) {
        return;
    }
    lf_table_clear(table);
    free(table->buckets);
    free(table);
}

/* Double the bucket array when the load factor passes 1; on allocation
 * failure keep the old one (lookups stay correct, only slower). */
static void
maybe_grow(struct lf_table *table)
{
    size_t n = table->nbuckets * 2;
    struct lf_entry **buckets;

    if (table->nentries < table->nbuckets) {
        return;
    }
    buckets = calloc(n, sizeof(*buckets));
    if (buckets == NULL) {
        return;
    }
    for (size_t b = 0; b < table->nbuckets; b++) {
        struct lf_entry *entry = table->buckets[b];

        while (entry != NULL) {
            struct lf_entry *next = entry->next;
            size_t nb = entry->hash & (n - 1);

            entry->next = buckets[nb];
            buckets[nb] = entry;
            entry = next;
        }
    }
    free(table->buckets);
    table->buckets = buckets;
    table->nbuckets = n;
}

static struct lf_entry **
find_slot(const struct lf_table *table, const char *key, uint64_t hash)
{
    struct lf_entry **slot = &table->buckets[hash & (table->nbuckets - 1)];

    while (*slot != NULL) {
        if ((*slot)->hash == hash && strcmp((*slot)->key, key) == 0) {
            break;
        }
        slot = &(*slot)->next;
    }
    return slot;
}

static long
find_hold(const struct lf_entry *entry, const char *owner)
{
    for (size_t i = 0; i < entry->nholds; i++) {
        if (strcmp(entry->holds[i].owner, owner) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static int
add_hold(struct lf_table *table, struct lf_entry *entry, const char *owner,
         uint32_t tag)
{
    char *copy;

    if (entry->nholds == entry->cap) {
        size_t cap = (entry->cap == 0) ? 1 : entry->cap * 2;
        struct lf_hold *holds = realloc(entry->holds, cap * sizeof(*holds));

        if (holds == NULL) {
            return ENOMEM;
        }
        entry->holds = holds;
        entry->cap = cap;
    }
    copy = strdup(owner);
    if (copy == NULL) {
        return ENOMEM;
    }
    entry->holds[entry->nholds].owner = copy;
    entry->holds[entry->nholds].tag = tag;
    entry->nholds++;
    table->nholds++;
    return LF_TABLE_GRANTED;
}

int
lf_table_lock(struct lf_table *table, const char *key, const char *owner,
              enum lf_lock_mode mode, uint32_t tag, const char **holder)
{
    uint64_t hash = hash_key(key);
    struct lf_entry **slot = find_slot(table, key, hash);
    struct lf_entry *entry = *slot;
    size_t keylen;
    int rc;

    if (entry != NULL) {
        long i = find_hold(entry, owner);

        if (i >= 0 && entry->mode == mode) {
            return LF_TABLE_HELD;
        }
        if (i < 0 && mode == LF_MODE_SHARED && entry->mode == LF_MODE_SHARED) {
            if (table->capacity != 0 && table->nholds >= table->capacity) {
                return LF_TABLE_FULL;
            }
            return add_hold(table, entry, owner, tag);
        }
        if (holder != NULL) {
            *holder = entry->holds[(i == 0 && entry->nholds > 1) ? 1 : 0].owner;
        }
        return LF_TABLE_CONFLICT;
    }

    if (table->capacity != 0 && table->nholds >= table->capacity) {
        return LF_TABLE_FULL;
    }
    keylen = strlen(key);
    entry = calloc(1, sizeof(*entry) + keylen + 1);
    if (entry == NULL) {
        return ENOMEM;
    }
    memcpy(entry->key, key, keylen + 1);
    entry->hash = hash;
    entry->mode = mode;
    rc = add_hold(table, entry, owner, tag);
    if (rc != LF_TABLE_GRANTED) {
        free_entry(entry);
        return rc;
    }
    *slot = entry;
    table->nentries++;
    maybe_grow(table);
    return LF_TABLE_GRANTED;
}

static void
remove_hold(struct lf_table *table, struct lf_entry **slot, size_t i)
{
    struct lf_entry *entry = *slot;

    free(entry->holds[i].owner);
    entry->holds[i] = entry->holds[entry->nholds - 1];
    entry->nholds--;
    table->nholds--;
    if (entry->nholds == 0) {
        *slot = entry->next;
        free_entry(entry);
        table->nentries--;
    }
}

int
lf_table_unlock(struct lf_table *table, const char *key, const char *owner,
                uint32_t *tag)
{
    struct lf_entry **slot = find_slot(table, key, hash_key(key));
    long i;

    if (*slot == NULL) {
        return LF_TABLE_NOT_HELD;
    }
    i = find_hold(*slot, owner);
    if (i < 0) {
        return LF_TABLE_NOT_HELD;
    }
    if (tag != NULL) {
        *tag = (*slot)->holds[i].tag;
    }
    remove_hold(table, slot, (size_t)i);
    return LF_TABLE_GRANTED;
}

size_t
lf_table_unlock_owner(struct lf_table *table, const char *owner, lf_table_cb cb,
                      void *arg)
{
    size_t released = 0;

    for (size_t b = 0; b < table->nbuckets; b++) {
        struct lf_entry **slot = &table->buckets[b];

        while (*slot != NULL) {
            struct lf_entry *entry = *slot;
            long i = find_hold(entry, owner);
            bool last = (entry->nholds == 1);

            if (i < 0) {
                slot = &entry->next;
                continue;
            }
            if (cb != NULL) {
                cb(entry->key, owner, entry->mode, entry->holds[i].tag, arg);
            }
            remove_hold(table, slot, (size_t)i);
            released++;
            if (!last) {
                slot = &entry->next;
            }
        }
    }
    return released;
}

size_t
lf_table_count(const struct lf_table *table)
{
    return table->nholds;
}

void
lf_table_foreach(const struct lf_table *table, lf_table_cb cb, void *arg)
{
    for (size_t b = 0; b < table->nbuckets; b++) {
        for (const struct lf_entry *entry = table->buckets[b]; entry != NULL;
             entry = entry->next) {
            for (size_t i = 0; i < entry->nholds; i++) {
                cb(entry->key, entry->holds[i].owner, entry->mode,
                   entry->holds[i].tag, arg);
            }
        }
    }
}

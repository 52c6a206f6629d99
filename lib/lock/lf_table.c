/*
 * The lock table: three hash maps under one keyed hash (SipHash-1-3, a
 * key drawn at start, so no peer can choose keys or owners that share a
 * bucket): keys to their entries, owners to their holds, and (entry,
 * owner) pairs to the one hold they name. Every request is then O(1)
 * whatever the number of holders of a shared key, and UNLOCKALL walks
 * only its owner's holds, never the whole table.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lf_siphash.h"
#include "lf_table.h"

/* The head of every record kept in a map. */
struct lf_link {
    struct lf_link *next;
    uint64_t hash;
};

struct lf_map {
    struct lf_link **buckets;
    size_t nbuckets; /* a power of two */
    size_t n;
};

struct lf_hold;

struct lf_owner {
    struct lf_link link;
    struct lf_hold *holds; /* this owner's, through onext */
    size_t nholds;
    char name[];
};

struct lf_entry {
    struct lf_link link;
    enum lf_lock_mode mode;
    size_t nholds;
    struct lf_hold *holds; /* this key's, through enext */
    char key[];
};

struct lf_hold {
    struct lf_link link; /* keyed by (entry, owner) */
    struct lf_entry *entry;
    struct lf_owner *owner;
    struct lf_hold *eprev, *enext;
    struct lf_hold *oprev, *onext;
    uint32_t tag;
};

struct lf_table {
    struct lf_map entries;
    struct lf_map owners;
    struct lf_map holds;
    size_t capacity;
    uint64_t probes; /* records looked at by lookups, for lf_table_probes() */
    uint8_t key[LF_SIPHASH_KEY_LEN];
};

#define MAP_INITIAL 64

static int
map_init(struct lf_map *map)
{
    map->nbuckets = MAP_INITIAL;
    map->n = 0;
    map->buckets = calloc(map->nbuckets, sizeof(*map->buckets));
    return map->buckets == NULL ? ENOMEM : 0;
}

static struct lf_link **
map_bucket(const struct lf_map *map, uint64_t hash)
{
    return &map->buckets[hash & (map->nbuckets - 1)];
}

/* Double the buckets when the load factor passes 1; without memory keep
 * the old ones (lookups stay correct, only slower). */
static void
map_grow(struct lf_map *map)
{
    size_t n = map->nbuckets * 2;
    struct lf_link **buckets;

    if (map->n < map->nbuckets) {
        return;
    }
    buckets = calloc(n, sizeof(*buckets));
    if (buckets == NULL) {
        return;
    }
    for (size_t b = 0; b < map->nbuckets; b++) {
        struct lf_link *link = map->buckets[b];

        while (link != NULL) {
            struct lf_link *next = link->next;
            size_t nb = link->hash & (n - 1);

            link->next = buckets[nb];
            buckets[nb] = link;
            link = next;
        }
    }
    free(map->buckets);
    map->buckets = buckets;
    map->nbuckets = n;
}

static void
map_insert(struct lf_map *map, struct lf_link *link)
{
    struct lf_link **bucket = map_bucket(map, link->hash);

    link->next = *bucket;
    *bucket = link;
    map->n++;
    map_grow(map);
}

static void
map_remove(struct lf_map *map, struct lf_link *link)
{
    struct lf_link **at = map_bucket(map, link->hash);

    while (*at != NULL && *at != link) {
        at = &(*at)->next;
    }
    if (*at == link) {
        *at = link->next;
        map->n--;
    }
}

static uint64_t
hash_str(const struct lf_table *table, const char *s)
{
    return lf_siphash13(table->key, s, strlen(s));
}

static uint64_t
hash_pair(const struct lf_table *table, const struct lf_entry *entry,
          const struct lf_owner *owner)
{
    const void *pair[2] = {entry, owner};

    return lf_siphash13(table->key, pair, sizeof(pair));
}

static struct lf_entry *
find_entry(struct lf_table *table, const char *key, uint64_t hash)
{
    for (struct lf_link *l = *map_bucket(&table->entries, hash); l != NULL;
         l = l->next) {
        struct lf_entry *entry = (struct lf_entry *)l;

        table->probes++;
        if (l->hash == hash && strcmp(entry->key, key) == 0) {
            return entry;
        }
    }
    return NULL;
}

static struct lf_owner *
find_owner(struct lf_table *table, const char *name, uint64_t hash)
{
    for (struct lf_link *l = *map_bucket(&table->owners, hash); l != NULL;
         l = l->next) {
        struct lf_owner *owner = (struct lf_owner *)l;

        table->probes++;
        if (l->hash == hash && strcmp(owner->name, name) == 0) {
            return owner;
        }
    }
    return NULL;
}

static struct lf_hold *
find_hold(struct lf_table *table, const struct lf_entry *entry,
          const struct lf_owner *owner)
{
    uint64_t hash;

    if (entry == NULL || owner == NULL) {
        return NULL;
    }
    hash = hash_pair(table, entry, owner);
    for (struct lf_link *l = *map_bucket(&table->holds, hash); l != NULL;
         l = l->next) {
        struct lf_hold *hold = (struct lf_hold *)l;

        table->probes++;
        if (hold->entry == entry && hold->owner == owner) {
            return hold;
        }
    }
    return NULL;
}

struct lf_table *
lf_table_new(size_t capacity)
{
    struct lf_table *table = calloc(1, sizeof(*table));

    if (table == NULL) {
        return NULL;
    }
    if (map_init(&table->entries) != 0 || map_init(&table->owners) != 0
        || map_init(&table->holds) != 0) {
        lf_table_free(table);
        return NULL;
    }
    table->capacity = capacity;
    memcpy(table->key, lf_siphash_process_key(), sizeof(table->key));
    return table;
}

/* Unlink and free one hold, then its entry and owner when it was their
 * last. */
static void
drop_hold(struct lf_table *table, struct lf_hold *hold)
{
    struct lf_entry *entry = hold->entry;
    struct lf_owner *owner = hold->owner;

    map_remove(&table->holds, &hold->link);
    if (hold->eprev != NULL) {
        hold->eprev->enext = hold->enext;
    } else {
        entry->holds = hold->enext;
    }
    if (hold->enext != NULL) {
        hold->enext->eprev = hold->eprev;
    }
    if (hold->oprev != NULL) {
        hold->oprev->onext = hold->onext;
    } else {
        owner->holds = hold->onext;
    }
    if (hold->onext != NULL) {
        hold->onext->oprev = hold->oprev;
    }
    free(hold);
    if (--entry->nholds == 0) {
        map_remove(&table->entries, &entry->link);
        free(entry);
    }
    if (--owner->nholds == 0) {
        map_remove(&table->owners, &owner->link);
        free(owner);
    }
}

void
lf_table_clear(struct lf_table *table)
{
    /* Every hold is in the holds map: freeing them frees the rest. */
    for (size_t b = 0; b < table->holds.nbuckets; b++) {
        while (table->holds.buckets[b] != NULL) {
            drop_hold(table, (struct lf_hold *)table->holds.buckets[b]);
        }
    }
}

void
lf_table_free(struct lf_table *table)
{
    if (table == NULL) {
        return;
    }
    if (table->holds.buckets != NULL) {
        lf_table_clear(table);
    }
    free(table->entries.buckets);
    free(table->owners.buckets);
    free(table->holds.buckets);
    free(table);
}

static struct lf_owner *
get_owner(struct lf_table *table, const char *name)
{
    uint64_t hash = hash_str(table, name);
    struct lf_owner *owner = find_owner(table, name, hash);
    size_t len;

    if (owner != NULL) {
        return owner;
    }
    len = strlen(name);
    owner = calloc(1, sizeof(*owner) + len + 1);
    if (owner == NULL) {
        return NULL;
    }
    memcpy(owner->name, name, len + 1);
    owner->link.hash = hash;
    map_insert(&table->owners, &owner->link);
    return owner;
}

static struct lf_entry *
new_entry(struct lf_table *table, const char *key, uint64_t hash,
          enum lf_lock_mode mode)
{
    size_t len = strlen(key);
    struct lf_entry *entry = calloc(1, sizeof(*entry) + len + 1);

    if (entry == NULL) {
        return NULL;
    }
    memcpy(entry->key, key, len + 1);
    entry->link.hash = hash;
    entry->mode = mode;
    map_insert(&table->entries, &entry->link);
    return entry;
}

/* Record a hold of owner on entry (LF_TABLE_GRANTED); an entry or owner
 * left without holds (ENOMEM) is released again. */
static int
add_hold(struct lf_table *table, struct lf_entry *entry, const char *name,
         uint32_t tag, enum lf_table_outcome *outcome)
{
    struct lf_owner *owner = get_owner(table, name);
    struct lf_hold *hold = (owner != NULL) ? calloc(1, sizeof(*hold)) : NULL;

    if (hold == NULL) {
        if (owner != NULL && owner->nholds == 0) {
            map_remove(&table->owners, &owner->link);
            free(owner);
        }
        if (entry->nholds == 0) {
            map_remove(&table->entries, &entry->link);
            free(entry);
        }
        return ENOMEM;
    }
    hold->entry = entry;
    hold->owner = owner;
    hold->tag = tag;
    hold->link.hash = hash_pair(table, entry, owner);
    hold->enext = entry->holds;
    if (entry->holds != NULL) {
        entry->holds->eprev = hold;
    }
    entry->holds = hold;
    entry->nholds++;
    hold->onext = owner->holds;
    if (owner->holds != NULL) {
        owner->holds->oprev = hold;
    }
    owner->holds = hold;
    owner->nholds++;
    map_insert(&table->holds, &hold->link);
    *outcome = LF_TABLE_GRANTED;
    return 0;
}

static bool
full(const struct lf_table *table)
{
    return table->capacity != 0 && table->holds.n >= table->capacity;
}

const char *
lf_table_outcome_str(enum lf_table_outcome outcome)
{
    switch (outcome) {
    case LF_TABLE_GRANTED:
        return "granted";
    case LF_TABLE_HELD:
        return "already held";
    case LF_TABLE_CONFLICT:
        return "held by another owner";
    case LF_TABLE_FULL:
        return "the table is full";
    case LF_TABLE_NOT_HELD:
        return "not held";
    case LF_TABLE_RELEASED:
        return "released";
    }
    return "unknown outcome";
}

/* An outcome decided without a change: nothing can fail. */
static int
decided(enum lf_table_outcome *outcome, enum lf_table_outcome value)
{
    *outcome = value;
    return 0;
}

int
lf_table_lock(struct lf_table *table, const char *key, const char *owner,
              enum lf_lock_mode mode, uint32_t tag,
              enum lf_table_outcome *outcome, const char **holder)
{
    uint64_t hash = hash_str(table, key);
    struct lf_entry *entry = find_entry(table, key, hash);
    struct lf_hold *mine;

    if (entry == NULL) {
        if (full(table)) {
            return decided(outcome, LF_TABLE_FULL);
        }
        entry = new_entry(table, key, hash, mode);
        return (entry == NULL) ? ENOMEM
                               : add_hold(table, entry, owner, tag, outcome);
    }
    mine = find_hold(table, entry,
                     find_owner(table, owner, hash_str(table, owner)));
    if (mine != NULL && entry->mode == mode) {
        return decided(outcome, LF_TABLE_HELD);
    }
    if (mine == NULL && mode == LF_MODE_SHARED
        && entry->mode == LF_MODE_SHARED) {
        return full(table) ? decided(outcome, LF_TABLE_FULL)
                           : add_hold(table, entry, owner, tag, outcome);
    }
    if (holder != NULL) {
        const struct lf_hold *other = entry->holds;

        if (other == mine && other->enext != NULL) {
            other = other->enext;
        }
        *holder = other->owner->name;
    }
    return decided(outcome, LF_TABLE_CONFLICT);
}

enum lf_table_outcome
lf_table_unlock(struct lf_table *table, const char *key, const char *owner,
                uint32_t *tag)
{
    struct lf_hold *hold =
        find_hold(table, find_entry(table, key, hash_str(table, key)),
                  find_owner(table, owner, hash_str(table, owner)));

    if (hold == NULL) {
        return LF_TABLE_NOT_HELD;
    }
    if (tag != NULL) {
        *tag = hold->tag;
    }
    drop_hold(table, hold);
    return LF_TABLE_RELEASED;
}

size_t
lf_table_unlock_owner(struct lf_table *table, const char *name, lf_table_cb cb,
                      void *arg)
{
    struct lf_owner *owner = find_owner(table, name, hash_str(table, name));
    size_t released = 0;

    /* The owner record goes with its last hold. */
    while (owner != NULL) {
        struct lf_hold *hold = owner->holds;
        bool last = (owner->nholds == 1);

        table->probes++;
        if (cb != NULL) {
            cb(hold->entry->key, owner->name, hold->entry->mode, hold->tag,
               arg);
        }
        drop_hold(table, hold);
        released++;
        if (last) {
            break;
        }
    }
    return released;
}

uint64_t
lf_table_probes(const struct lf_table *table)
{
    return table->probes;
}

size_t
lf_table_count(const struct lf_table *table)
{
    return table->holds.n;
}

void
lf_table_foreach(const struct lf_table *table, lf_table_cb cb, void *arg)
{
    for (size_t b = 0; b < table->entries.nbuckets; b++) {
        for (const struct lf_link *l = table->entries.buckets[b]; l != NULL;
             l = l->next) {
            const struct lf_entry *entry = (const struct lf_entry *)l;

            for (const struct lf_hold *h = entry->holds; h != NULL;
                 h = h->enext) {
                cb(entry->key, h->owner->name, entry->mode, h->tag, arg);
            }
        }
    }
}

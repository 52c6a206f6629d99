/*
 * The result of a derivation: its pairs, changes and warnings, and the
 * order the changes are written in.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "lfd_derive.h"
#include "lfd_ours.h"
#include "lfd_result.h"

void
lfd_result_begin(struct lfd_result_builder *out, struct lfd_result *result)
{
    memset(result, 0, sizeof(*result));
    memset(out, 0, sizeof(*out));
    out->result = result;
}

int
lfd_result_end(struct lfd_result_builder *out)
{
    if (out->nomem) {
        lfd_result_free(out->result);
        return ENOMEM;
    }
    return 0;
}

char *
lfd_result_strdup(struct lfd_result_builder *out, const char *s)
{
    char *copy = (s != NULL) ? strdup(s) : NULL;

    if (s != NULL && copy == NULL) {
        out->nomem = true;
    }
    return copy;
}

struct lfd_change *
lfd_result_add_change(struct lfd_result_builder *out, enum lfd_op op,
                      const char *pair, const char *id, const char *parent,
                      const char *parent_tag, xmlNode *xml)
{
    struct lfd_result *r = out->result;
    struct lfd_change *c;

    if (r->nchanges == out->changes_cap) {
        size_t cap = out->changes_cap == 0 ? 16 : out->changes_cap * 2;
        struct lfd_change *grown = realloc(r->changes, cap * sizeof(*grown));

        if (grown == NULL) {
            out->nomem = true;
            xmlFreeNode(xml);
            return NULL;
        }
        r->changes = grown;
        out->changes_cap = cap;
    }
    c = &r->changes[r->nchanges++];
    c->op = op;
    c->pair = lfd_result_strdup(out, pair);
    c->id = lfd_result_strdup(out, id);
    c->parent = lfd_result_strdup(out, parent);
    c->parent_tag = lfd_result_strdup(out, parent_tag);
    c->makes_room = false;
    c->failed = false;
    c->xml = xml;
    return c;
}

struct lfd_pair *
lfd_result_add_pair(struct lfd_result_builder *out, const char *f,
                    const char *p, const char *survivor)
{
    struct lfd_result *r = out->result;
    struct lfd_pair *pair;

    if (r->npairs == out->pairs_cap) {
        size_t cap = out->pairs_cap == 0 ? 8 : out->pairs_cap * 2;
        struct lfd_pair *grown = realloc(r->pairs, cap * sizeof(*grown));

        if (grown == NULL) {
            out->nomem = true;
            return NULL;
        }
        r->pairs = grown;
        out->pairs_cap = cap;
    }
    pair = &r->pairs[r->npairs++];
    memset(pair, 0, sizeof(*pair));
    pair->follower = lfd_result_strdup(out, f);
    pair->partner = lfd_result_strdup(out, p);
    pair->survivor = lfd_result_strdup(out, survivor);
    return pair;
}

void
lfd_result_pair_error(struct lfd_result_builder *out, struct lfd_pair *pair,
                      const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pair->error = lfd_result_strdup(out, msg);
}

void
lfd_result_add_warning(struct lfd_result_builder *out,
                       enum lfd_warning_kind kind, const char *pair,
                       const char *fmt, ...)
{
    struct lfd_result *r = out->result;
    char text[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (lfd_result_warns(r, text)) {
        return;
    }
    if (r->nwarnings == out->warnings_cap) {
        size_t cap = out->warnings_cap == 0 ? 4 : out->warnings_cap * 2;
        struct lfd_warning *w = realloc(r->warnings, cap * sizeof(*w));

        if (w == NULL) {
            out->nomem = true;
            return;
        }
        r->warnings = w;
        out->warnings_cap = cap;
    }
    r->warnings[r->nwarnings].kind = kind;
    r->warnings[r->nwarnings].pair = lfd_result_strdup(out, pair);
    r->warnings[r->nwarnings].text = lfd_result_strdup(out, text);
    r->nwarnings++;
}

static void
free_change(struct lfd_change *c)
{
    free(c->pair);
    free(c->id);
    free(c->parent);
    free(c->parent_tag);
    xmlFreeNode(c->xml);
}

void
lfd_result_drop_changes(struct lfd_result_builder *out)
{
    struct lfd_result *r = out->result;

    for (size_t i = 0; i < r->nchanges; i++) {
        free_change(&r->changes[i]);
    }
    r->nchanges = 0;
}

static int
kind_rank(const char *id)
{
    size_t f_len = 0;
    int k = lfd_ours_id_kind(id, &f_len);

    return (k < 0) ? 99 : k;
}

/* Deletions that make room for a create of their id first; then writes,
 * in the order of kinds; then the other deletions. */
static int
change_rank(const struct lfd_change *c)
{
    if (c->op != LFD_DELETE) {
        return 1;
    }
    return c->makes_room ? 0 : 2;
}

static int
cmp_change(const void *a, const void *b)
{
    const struct lfd_change *x = a;
    const struct lfd_change *y = b;
    int dx = change_rank(x);
    int dy = change_rank(y);

    if (dx != dy) {
        return dx - dy;
    }
    if (kind_rank(x->id) != kind_rank(y->id)) {
        return kind_rank(x->id) - kind_rank(y->id);
    }
    return strcmp(x->id, y->id);
}

void
lfd_result_sort_changes(struct lfd_result_builder *out)
{
    struct lfd_result *r = out->result;

    qsort(r->changes, r->nchanges, sizeof(*r->changes), cmp_change);
}

void
lfd_result_free(struct lfd_result *r)
{
    for (size_t i = 0; i < r->npairs; i++) {
        free(r->pairs[i].follower);
        free(r->pairs[i].partner);
        free(r->pairs[i].survivor);
        free(r->pairs[i].node_f);
        free(r->pairs[i].node_p);
        free(r->pairs[i].error);
        free(r->pairs[i].conflict);
    }
    for (size_t i = 0; i < r->nchanges; i++) {
        free_change(&r->changes[i]);
    }
    for (size_t i = 0; i < r->nwarnings; i++) {
        free(r->warnings[i].pair);
        free(r->warnings[i].text);
    }
    free(r->pairs);
    free(r->changes);
    free(r->warnings);
    free(r->unsettled);
    memset(r, 0, sizeof(*r));
}

bool
lfd_result_warns(const struct lfd_result *r, const char *text)
{
    for (size_t i = 0; i < r->nwarnings; i++) {
        if (r->warnings[i].text != NULL
            && strcmp(r->warnings[i].text, text) == 0) {
            return true;
        }
    }
    return false;
}

const char *
lfd_op_str(enum lfd_op op)
{
    switch (op) {
    case LFD_CREATE:
        return "create";
    case LFD_REPLACE:
        return "replace";
    default:
        return "delete";
    }
}

/*
 * Reading and building XML with libxml2 alone, for the derivation and the
 * CIB connection.
 */
#include <config.h>

#include <string.h>

#include "lfd_xml.h"

const char *
lfd_xml_attr(const xmlNode *node, const char *name)
{
    for (const xmlAttr *a = node->properties; a != NULL; a = a->next) {
        if (strcmp((const char *)a->name, name) == 0) {
            return (a->children != NULL && a->children->content != NULL)
                       ? (const char *)a->children->content
                       : "";
        }
    }
    return NULL;
}

bool
lfd_xml_is(const xmlNode *node, const char *name)
{
    return node != NULL && node->type == XML_ELEMENT_NODE
           && strcmp((const char *)node->name, name) == 0;
}

bool
lfd_xml_attr_is(const xmlNode *node, const char *name, const char *value)
{
    const char *v = lfd_xml_attr(node, name);

    return v != NULL && value != NULL && strcmp(v, value) == 0;
}

xmlNode *
lfd_xml_child(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent != NULL ? parent->children : NULL; c != NULL;
         c = c->next) {
        if (lfd_xml_is(c, name)) {
            return c;
        }
    }
    return NULL;
}

bool
lfd_xml_has_exactly(const xmlNode *n, const char *const *names)
{
    size_t want = 0;
    size_t have = 0;

    for (; names[want] != NULL; want++) {
        if (lfd_xml_attr(n, names[want]) == NULL) {
            return false;
        }
    }
    for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
        have++;
    }
    return have == want;
}

bool
lfd_xml_has_only(const xmlNode *n, const char *const *names)
{
    if (lfd_xml_attr(n, "id") == NULL) {
        return false;
    }
    for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
        bool known = false;

        for (size_t i = 0; names[i] != NULL && !known; i++) {
            known = strcmp((const char *)a->name, names[i]) == 0;
        }
        if (!known) {
            return false;
        }
    }
    return true;
}

bool
lfd_xml_no_element_child(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            return false;
        }
    }
    return true;
}

bool
lfd_xml_equal(const xmlNode *a, const xmlNode *b)
{
    const xmlNode *ca;
    const xmlNode *cb;
    int na = 0;
    int nb = 0;

    if (strcmp((const char *)a->name, (const char *)b->name) != 0) {
        return false;
    }
    for (const xmlAttr *x = a->properties; x != NULL; x = x->next) {
        const char *v = lfd_xml_attr(b, (const char *)x->name);

        na++;
        if (v == NULL
            || strcmp(v, lfd_xml_attr(a, (const char *)x->name)) != 0) {
            return false;
        }
    }
    for (const xmlAttr *x = b->properties; x != NULL; x = x->next) {
        nb++;
    }
    if (na != nb) {
        return false;
    }
    ca = a->children;
    cb = b->children;
    for (;;) {
        while (ca != NULL && ca->type != XML_ELEMENT_NODE) {
            ca = ca->next;
        }
        while (cb != NULL && cb->type != XML_ELEMENT_NODE) {
            cb = cb->next;
        }
        if (ca == NULL || cb == NULL) {
            return ca == cb;
        }
        if (!lfd_xml_equal(ca, cb)) {
            return false;
        }
        ca = ca->next;
        cb = cb->next;
    }
}

xmlNode *
lfd_xml_element(const char *name, const char *id)
{
    xmlNode *n = xmlNewNode(NULL, (const xmlChar *)name);

    if (n != NULL && id != NULL) {
        xmlNewProp(n, (const xmlChar *)"id", (const xmlChar *)id);
    }
    return n;
}

void
lfd_xml_set(xmlNode *n, const char *name, const char *value)
{
    xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)value);
}

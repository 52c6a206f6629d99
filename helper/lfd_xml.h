/*
 * lfd_xml.h - the few libxml2 helpers leapfrogd reads and builds the CIB
 * with (Pacemaker's own XML API shrinks from release to release): what an
 * element is called, its attributes and children, and whether two
 * elements are the same.
 */
#ifndef LFD_XML_H
#define LFD_XML_H

#include <stdbool.h>

#include <libxml/tree.h>

/*! \brief An attribute's value, "" when empty, NULL when absent. */
const char *lfd_xml_attr(const xmlNode *node, const char *name);

/*! \brief Is node an element of this name (false for NULL)? */
bool lfd_xml_is(const xmlNode *node, const char *name);

/*! \brief Has node this attribute with this value? */
bool lfd_xml_attr_is(const xmlNode *node, const char *name, const char *value);

/*! \brief The first child element of this name, or NULL (also when parent
 *         is NULL, so that lookups chain). */
xmlNode *lfd_xml_child(xmlNode *parent, const char *name);

/*! \brief Has n exactly these attributes (a NULL-terminated list), no
 *         others? */
bool lfd_xml_has_exactly(const xmlNode *n, const char *const *names);

/*! \brief Are all of n's attributes among these (a NULL-terminated list),
 *         with an id? */
bool lfd_xml_has_only(const xmlNode *n, const char *const *names);

/*! \brief Has n no child element? */
bool lfd_xml_no_element_child(const xmlNode *n);

/*!
 * \brief Are a and b the same element: name, attributes (in any order)
 *        and child elements (in order), text and comments aside?
 */
bool lfd_xml_equal(const xmlNode *a, const xmlNode *b);

/*!
 * \brief A new element outside any document, with this id unless it is
 *        NULL; the caller frees it with xmlFreeNode() (or adds it to a
 *        tree). NULL when out of memory.
 */
xmlNode *lfd_xml_element(const char *name, const char *id);

/*! \brief Set an attribute of n. */
void lfd_xml_set(xmlNode *n, const char *name, const char *value);

#endif

/*
 * lf_lock.h - what a lock is, for every part of the lock service: a key
 * held by an owner, exclusively or shared, and the limits of both names.
 * The lock table, the protocol, the replica's segment and the clients
 * share these; nothing here depends on any of them.
 */
#ifndef LF_LOCK_H
#define LF_LOCK_H

#include <stdbool.h>

#define LF_KEY_MAX 255   /* bytes in a lock key */
#define LF_OWNER_MAX 127 /* bytes in an owner name */

enum lf_lock_mode {
    LF_MODE_EXCLUSIVE = 'X',
    LF_MODE_SHARED = 'S',
};

/*! \brief Is s a valid key (1..LF_KEY_MAX printable, no space)? */
bool lf_lock_valid_key(const char *s);

/*! \brief Is s a valid owner (1..LF_OWNER_MAX printable, no space)? */
bool lf_lock_valid_owner(const char *s);

#endif

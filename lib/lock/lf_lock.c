#include <config.h>

#include <string.h>

#include "lf_lock.h"

/* 1..max bytes, each printable ASCII other than space. */
static bool
valid_name(const char *s, size_t max)
{
    size_t len;

    if (s == NULL) {
        return false;
    }
    len = strlen(s);
    if (len == 0 || len > max) {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (*s <= ' ' || *s > '~') {
            return false;
        }
    }
    return true;
}

bool
lf_lock_valid_key(const char *s)
{
    return valid_name(s, LF_KEY_MAX);
}

bool
lf_lock_valid_owner(const char *s)
{
    return valid_name(s, LF_OWNER_MAX);
}

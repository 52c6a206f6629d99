#include <config.h>

#include <string.h>

#include "lf_rc.h"

const char *
lf_rc_str(int rc)
{
    switch (rc) {
    case LF_OK:
        return "OK";
    case LF_ERR_SYNTAX:
        return "syntax error";
    case LF_ERR_RANGE:
        return "value out of range";
    case LF_ERR_TOOLONG:
        return "value too long";
    case LF_ERR_STALE:
        return "stale pid file";
    case LF_ERR_TIMEOUT:
        return "timed out";
    case LF_ERR_PROTO:
        return "protocol error";
    case LF_ERR_AUTH:
        return "message integrity check failed";
    default:
        break;
    }
    if (rc > 0) {
        return strerror(rc);
    }
    return "unknown error";
}

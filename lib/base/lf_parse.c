#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lf_parse.h"
#include "lf_rc.h"

int
lf_parse_long(const char *s, long long min, long long max, long long *out)
{
    char *end = NULL;
    long long value;

    if (s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
        return LF_ERR_SYNTAX;
    }
    errno = 0;
    value = strtoll(s, &end, 10);
    if (end == s || *end != '\0') {
        return LF_ERR_SYNTAX;
    }
    if (errno == ERANGE || value < min || value > max) {
        return LF_ERR_RANGE;
    }
    *out = value;
    return 0;
}

int
lf_parse_port(const char *s, uint16_t *out)
{
    long long value = 0;
    int rc = lf_parse_long(s, 1, 65535, &value);

    if (rc == 0) {
        *out = (uint16_t)value;
    }
    return rc;
}

int
lf_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"yes", "y", "true", "on", "1"};
    static const char *const no[] = {"no", "n", "false", "off", "0"};

    if (s == NULL) {
        return LF_ERR_SYNTAX;
    }
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return LF_ERR_SYNTAX;
}

int
lf_parse_duration_ms(const char *s, long long *out_ms)
{
    static const struct {
        const char *unit;
        long long num; /* milliseconds = value * num / den */
        long long den;
    } units[] = {
        {"", 1000, 1},     {"s", 1000, 1},     {"sec", 1000, 1},
        {"ms", 1, 1},      {"msec", 1, 1},     {"us", 1, 1000},
        {"usec", 1, 1000}, {"m", 60000, 1},    {"min", 60000, 1},
        {"h", 3600000, 1}, {"hr", 3600000, 1},
    };
    const long long limit = 1000LL * 1000 * 1000 * 1000; /* ~31 years */
    char *end = NULL;
    long long value;

    if (s == NULL || !isdigit((unsigned char)*s)) {
        return LF_ERR_SYNTAX;
    }
    errno = 0;
    value = strtoll(s, &end, 10);
    if (errno == ERANGE || value > limit) {
        return LF_ERR_RANGE;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(end, units[i].unit) == 0) {
            *out_ms = value * units[i].num / units[i].den;
            return 0;
        }
    }
    return LF_ERR_SYNTAX;
}

int
lf_parse_name(const char *s, size_t max_len)
{
    size_t len;

    if (s == NULL || *s == '\0' || *s == '.' || *s == '-') {
        return LF_ERR_SYNTAX;
    }
    len = strlen(s);
    if (len > max_len) {
        return LF_ERR_TOOLONG;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (!isalnum(c) && c != '_' && c != '.' && c != '-') {
            return LF_ERR_SYNTAX;
        }
    }
    return 0;
}

int
lf_strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size == 0) {
        return LF_ERR_TOOLONG;
    }
    if (len >= size) {
        memcpy(dst, src, size - 1);
        dst[size - 1] = '\0';
        return LF_ERR_TOOLONG;
    }
    memcpy(dst, src, len + 1);
    return 0;
}

int
lf_parse_option(const char *prog, char flag, const char *arg, long long min,
                long long max, long long *out)
{
    int rc = lf_parse_long(arg, min, max, out);

    if (rc != 0) {
        fprintf(stderr, "%s: -%c: '%s' is not a number from %lld to %lld\n",
                prog, flag, arg, min, max);
    }
    return rc;
}

int
lf_parse_option_port(const char *prog, char flag, const char *arg,
                     uint16_t *out)
{
    int rc = lf_parse_port(arg, out);

    if (rc != 0) {
        fprintf(stderr, "%s: -%c: '%s' is not a port (1-65535)\n", prog, flag,
                arg);
    }
    return rc;
}

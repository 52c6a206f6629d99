/*
 * lf_parse.h - strict parsing of numbers, booleans, durations and names.
 *
 * Every parser rejects empty input, leading or trailing garbage and values
 * outside the caller's range, and leaves *out untouched on error.
 */
#ifndef LF_PARSE_H
#define LF_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*!
 * \brief Parse a decimal integer within [min, max].
 *
 * \param[in]  s    text, optionally signed; no spaces
 * \param[in]  min  smallest accepted value
 * \param[in]  max  largest accepted value
 * \param[out] out  the value, on success only
 *
 * \return 0, LF_ERR_SYNTAX or LF_ERR_RANGE
 */
int lf_parse_long(const char *s, long long min, long long max, long long *out);

/*!
 * \brief Parse a TCP/UDP port number (1-65535).
 *
 * \return 0, LF_ERR_SYNTAX or LF_ERR_RANGE
 */
int lf_parse_port(const char *s, uint16_t *out);

/*!
 * \brief Parse a boolean the way Pacemaker does: yes/y/true/on/1 and
 *        no/n/false/off/0, case-insensitive.
 *
 * \return 0 or LF_ERR_SYNTAX
 */
int lf_parse_bool(const char *s, bool *out);

/*!
 * \brief Parse a duration in Pacemaker's interval syntax: a number with an
 *        optional unit (ms, msec, us, usec, s, sec, m, min, h, hr); no unit
 *        means seconds.
 *
 * \param[in]  s       text such as "20s", "500ms" or "2min"
 * \param[out] out_ms  the duration in milliseconds, on success only
 *
 * \return 0, LF_ERR_SYNTAX or LF_ERR_RANGE
 */
int lf_parse_duration_ms(const char *s, long long *out_ms);

/*!
 * \brief Check a name used in file, segment and resource names: 1 to
 *        max_len characters of [A-Za-z0-9_.-], not starting with '.' or '-'.
 *
 * \return 0, LF_ERR_SYNTAX or LF_ERR_TOOLONG
 */
int lf_parse_name(const char *s, size_t max_len);

/*!
 * \brief Parse a command-line option's number within [min, max]; when it
 *        does not parse, say so on stderr ("PROG: -F: 'ARG' is not a
 *        number from MIN to MAX").
 *
 * \return 0, LF_ERR_SYNTAX or LF_ERR_RANGE
 */
int lf_parse_option(const char *prog, char flag, const char *arg, long long min,
                    long long max, long long *out);

/*! \brief As lf_parse_option() for a port ("... is not a port (1-65535)"). */
int lf_parse_option_port(const char *prog, char flag, const char *arg,
                         uint16_t *out);

/*!
 * \brief Copy a string into a fixed buffer, always NUL-terminated.
 *
 * \return 0, or LF_ERR_TOOLONG when src was truncated
 */
int lf_strlcpy(char *dst, const char *src, size_t size);

#endif

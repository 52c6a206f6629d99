/*
 * lf_rc.h - return codes shared by every leapfrog module.
 *
 * Functions return an int: 0 on success, a positive errno value for system
 * errors, or one of the negative project codes below.
 */
#ifndef LF_RC_H
#define LF_RC_H

enum lf_rc {
    LF_OK = 0,
    LF_ERR_SYNTAX = -1000,  /* input does not parse */
    LF_ERR_RANGE = -1001,   /* value parses but is out of range */
    LF_ERR_TOOLONG = -1002, /* value does not fit its destination */
    LF_ERR_STALE = -1003,   /* pid file names a process that is gone */
    LF_ERR_TIMEOUT = -1004, /* condition not reached in time */
    LF_ERR_PROTO = -1005,   /* peer broke the protocol */
    LF_ERR_AUTH = -1006,    /* a line's MAC is wrong: forged or altered */
};

/*!
 * \brief Describe a return code.
 *
 * \param[in] rc  0, a positive errno value or an enum lf_rc code
 *
 * \return a static string, never NULL
 */
const char *lf_rc_str(int rc);

#endif

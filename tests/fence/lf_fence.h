/*
 * lf_fence.h - the test harness's virtual power switch and its fence
 * agent share this: the request they exchange over the switch's UNIX
 * socket.
 *
 * The agent connects, sends one line "<action> <plug>\n" (plug "-" when
 * the action has none) and reads the switch's answer: any number of
 * output lines, then "rc <n>\n" with the exit status of the power
 * command (for status: 0 on, 2 off).
 */
#ifndef LF_FENCE_H
#define LF_FENCE_H

/* Longest request or answer line, newline included. */
#define LF_FENCE_LINE_MAX 256

/* The actions the switch serves, as the fence-agent API names them. */
extern const char *const lf_fence_actions[];

/*!
 * \brief Is action one the switch serves (off, on, reboot, status, list,
 *        monitor)?
 */
int lf_fence_action_known(const char *action);

/*!
 * \brief Is plug a node name of the harness ("node" and 1-2 digits)?
 */
int lf_fence_plug_valid(const char *plug);

#endif

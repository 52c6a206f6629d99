#include <config.h>

#include <errno.h>

#include "lf_exit.h"

/* Not an end this kind of program comes to. */
#define NEVER (-1)

/* The table of lf_exit.h: rows are ends, columns kinds. */
static const int exit_table[LF_EXIT_ENDS][LF_EXIT_KINDS] = {
    /*                       daemon client agent */
    [LF_EXIT_OK] = {0, 0, 0},
    [LF_EXIT_FAILED] = {1, 3, 1},
    [LF_EXIT_USAGE] = {2, 2, 6},
    [LF_EXIT_NOTHING] = {3, NEVER, NEVER},
    [LF_EXIT_REFUSED] = {NEVER, 1, NEVER},
    [LF_EXIT_UNREACHABLE] = {NEVER, 3, 1},
    [LF_EXIT_NOT_INSTALLED] = {NEVER, 2, 5},
    [LF_EXIT_NO_PRIV] = {NEVER, NEVER, 4},
    [LF_EXIT_NOT_RUNNING] = {NEVER, NEVER, 7},
    [LF_EXIT_DEGRADED] = {NEVER, NEVER, 190},
    [LF_EXIT_ARGS] = {NEVER, NEVER, 2},
    [LF_EXIT_UNIMPLEMENTED] = {NEVER, NEVER, 3},
};

int
lf_exit_status(enum lf_exit_kind kind, enum lf_exit end)
{
    int status;

    if ((unsigned)kind >= LF_EXIT_KINDS) {
        kind = LF_EXIT_DAEMON;
    }
    if ((unsigned)end >= LF_EXIT_ENDS) {
        end = LF_EXIT_FAILED;
    }
    status = exit_table[end][kind];
    return (status != NEVER) ? status : exit_table[LF_EXIT_FAILED][kind];
}

enum lf_exit
lf_exit_of_status(enum lf_exit_kind kind, int status)
{
    if ((unsigned)kind >= LF_EXIT_KINDS) {
        return LF_EXIT_FAILED;
    }
    /* FAILED, right after OK, comes first among the ends that share its
     * status. */
    for (int end = 0; end < LF_EXIT_ENDS; end++) {
        if (exit_table[end][kind] != NEVER && exit_table[end][kind] == status) {
            return (enum lf_exit)end;
        }
    }
    return LF_EXIT_FAILED;
}

enum lf_exit
lf_exit_of_file_rc(int rc)
{
    if (rc == 0) {
        return LF_EXIT_OK;
    }
    return (rc == ENOENT) ? LF_EXIT_NOT_INSTALLED : LF_EXIT_USAGE;
}

enum lf_exit
lf_exit_of_call_rc(int rc)
{
    return (rc == 0) ? LF_EXIT_OK : LF_EXIT_UNREACHABLE;
}

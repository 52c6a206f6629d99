/*
 * lf_fence.c - what the power switch and the fence agent agree on.
 */
#include <config.h>

#include <ctype.h>
#include <string.h>

#include "lf_fence.h"

const char *const lf_fence_actions[] = {
    "off", "on", "reboot", "status", "list", "monitor", NULL,
};

int
lf_fence_action_known(const char *action)
{
    for (size_t i = 0; lf_fence_actions[i] != NULL; i++) {
        if (strcmp(action, lf_fence_actions[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

int
lf_fence_plug_valid(const char *plug)
{
    size_t len = strlen(plug);

    if (len < 5 || len > 6 || strncmp(plug, "node", 4) != 0) {
        return 0;
    }
    for (size_t i = 4; i < len; i++) {
        if (!isdigit((unsigned char)plug[i])) {
            return 0;
        }
    }
    return plug[4] != '0';
}

#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

#include <crm/crm.h>
#include <crm/common/ipc.h>
#include <crm/common/ipc_controld.h>
#include <crm/common/logging.h>
#include <crm/common/results.h>

#include "lf_proc.h"
#include "lfw_pcmk.h"

/* What the event callback learnt of the request. */
struct fail_answer {
    bool done;
    int rc;
    char why[160];
};

/* Pacemaker's return codes are errno values or its own negative ones: the
 * latter become EPROTO, with Pacemaker's text kept in why. */
static int
from_pcmk_rc(int rc)
{
    return (rc > 0) ? rc : EPROTO;
}

static xmlNode *
find_element(xmlNode *node, const char *name)
{
    for (xmlNode *n = node; n != NULL; n = n->next) {
        xmlNode *found;

        if (n->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (strcmp((const char *)n->name, name) == 0) {
            return n;
        }
        found = find_element(n->children, name);
        if (found != NULL) {
            return found;
        }
    }
    return NULL;
}

/* The controller answers a fail request with the operation it recorded
 * (the resource's history entry): rc-code 0 there means the failure was
 * recorded; an unprivileged client or an unknown resource gets another
 * code. */
static void
read_answer(const pcmk_controld_api_reply_t *reply, struct fail_answer *a)
{
    xmlNode *op = NULL;
    xmlChar *code = NULL;

    if (reply->reply_type != pcmk_controld_reply_resource) {
        a->rc = EPROTO;
        snprintf(a->why, sizeof(a->why), "unexpected answer (type %d)",
                 (int)reply->reply_type);
        return;
    }
    op = find_element(reply->data.resource.node_state, "lrm_rsc_op");
    if (op != NULL) {
        code = xmlGetProp(op, (const xmlChar *)"rc-code");
    }
    if (code != NULL && strcmp((const char *)code, "0") != 0) {
        a->rc = EPROTO;
        snprintf(a->why, sizeof(a->why),
                 "the controller did not record the failure (rc-code %s)",
                 (const char *)code);
    } else {
        a->rc = 0;
    }
    xmlFree(code);
}

static void
on_event(pcmk_ipc_api_t *api, enum pcmk_ipc_event event, crm_exit_t status,
         void *event_data, void *user_data)
{
    struct fail_answer *a = user_data;

    (void)api;
    if (a->done) {
        return;
    }
    switch (event) {
    case pcmk_ipc_event_disconnect:
        a->done = true;
        a->rc = ENOTCONN;
        snprintf(a->why, sizeof(a->why),
                 "the controller closed the connection before answering");
        break;
    case pcmk_ipc_event_reply:
        a->done = true;
        if (status != CRM_EX_OK) {
            a->rc = EPROTO;
            snprintf(a->why, sizeof(a->why), "the controller answered: %s",
                     crm_exit_str(status));
        } else {
            read_answer(event_data, a);
        }
        break;
    default:
        break;
    }
}

void
lfw_pcmk_init(const char *ident)
{
    crm_log_preinit(ident, 0, NULL);
}

int
lfw_pcmk_fail(const struct lfw_pcmk_target *target, long long timeout_ms,
              char *why, size_t size)
{
    pcmk_ipc_api_t *api = NULL;
    struct fail_answer answer;
    long long deadline = lf_now_ms() + timeout_ms;
    int rc;

    memset(&answer, 0, sizeof(answer));
    why[0] = '\0';
    rc = pcmk_new_ipc_api(&api, pcmk_ipc_controld);
    if (rc != pcmk_rc_ok) {
        snprintf(why, size, "cannot set up a controller connection: %s",
                 pcmk_rc_str(rc));
        rc = from_pcmk_rc(rc);
        goto done;
    }
    pcmk_register_ipc_callback(api, on_event, &answer);
    rc = pcmk_connect_ipc(api, pcmk_ipc_dispatch_poll);
    if (rc != pcmk_rc_ok) {
        snprintf(why, size, "cannot connect to the controller: %s",
                 pcmk_rc_str(rc));
        rc = from_pcmk_rc(rc);
        goto done;
    }
    /* As crm_resource --fail: routed through this node's controller to
     * the node itself; not a clone instance, so no long id. */
    rc = pcmk_controld_api_fail(api, target->node, target->node, target->rsc,
                                NULL, "ocf", "leapfrog", target->type);
    if (rc != pcmk_rc_ok) {
        snprintf(why, size, "cannot send the fail request: %s",
                 pcmk_rc_str(rc));
        rc = from_pcmk_rc(rc);
        goto done;
    }
    while (!answer.done) {
        long long left = deadline - lf_now_ms();

        if (left <= 0) {
            rc = ETIMEDOUT;
            snprintf(why, size, "no answer from the controller in %lld ms",
                     timeout_ms);
            goto done;
        }
        rc = pcmk_poll_ipc(api, (int)left);
        if (rc == pcmk_rc_ok) {
            pcmk_dispatch_ipc(api);
        } else if (rc != EAGAIN && rc != EINTR) {
            snprintf(why, size, "lost the controller connection: %s",
                     pcmk_rc_str(rc));
            rc = from_pcmk_rc(rc);
            goto done;
        }
        if (!answer.done && !pcmk_ipc_is_connected(api)) {
            rc = ENOTCONN;
            snprintf(why, size, "the controller closed the connection");
            goto done;
        }
    }
    rc = answer.rc;
    if (rc != 0) {
        snprintf(why, size, "%s", answer.why);
    }

done:
    /* Disconnects first; the callback ignores that once answered. */
    answer.done = true;
    pcmk_free_ipc_api(api);
    return rc;
}

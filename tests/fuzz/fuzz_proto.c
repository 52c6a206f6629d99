/*
 * libFuzzer target: a byte stream as a connection would deliver it, cut
 * into lines by lf_buf and parsed by lf_proto_parse(); parsed lock
 * requests are applied to a small table, and replication changes too.
 */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lf_buf.h"
#include "lf_proto.h"
#include "lf_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
apply(struct lf_table *table, const struct lf_msg *msg)
{
    enum lf_table_outcome outcome;

    switch (msg->type) {
    case LF_MSG_LOCK:
    case LF_MSG_SNAPENTRY:
        (void)lf_table_lock(table, msg->key, msg->owner, msg->mode, 0, &outcome,
                            NULL);
        break;
    case LF_MSG_UNLOCK:
        (void)lf_table_unlock(table, msg->key, msg->owner, NULL);
        break;
    case LF_MSG_UNLOCKALL:
        (void)lf_table_unlock_owner(table, msg->owner, NULL, NULL);
        break;
    case LF_MSG_CHANGE:
        if (msg->op == LF_CHANGE_LOCK) {
            (void)lf_table_lock(table, msg->key, msg->owner, msg->mode, 0,
                                &outcome, NULL);
        } else if (msg->op == LF_CHANGE_UNLOCK) {
            (void)lf_table_unlock(table, msg->key, msg->owner, NULL);
        } else {
            (void)lf_table_unlock_owner(table, msg->owner, NULL, NULL);
        }
        break;
    default:
        break;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lf_table *table = lf_table_new(64);
    struct lf_buf buf;
    size_t off = 0;

    lf_buf_init(&buf, 16 * 1024);
    /* Deliver the input in uneven pieces, as reads would. */
    while (off < size) {
        size_t piece = 1 + (data[off] % 97);
        const char *line = NULL;
        size_t len = 0;
        enum lf_line_rc rc;

        if (piece > size - off) {
            piece = size - off;
        }
        if (lf_buf_append(&buf, data + off, piece) != 0) {
            break;
        }
        off += piece;
        while ((rc = lf_buf_next_line(&buf, LF_LINE_MAX, &line, &len))
               != LF_LINE_NONE) {
            struct lf_msg msg;

            if (rc == LF_LINE_READY
                && lf_proto_parse(line, len, &msg) == LF_PROTO_OK) {
                /* Everything parsed must be valid by the rules. */
                if (msg.key != NULL && !lf_lock_valid_key(msg.key)) {
                    __builtin_trap();
                }
                if (msg.owner != NULL && !lf_lock_valid_owner(msg.owner)) {
                    __builtin_trap();
                }
                apply(table, &msg);
            }
        }
    }
    lf_buf_free(&buf);
    lf_table_free(table);
    return 0;
}

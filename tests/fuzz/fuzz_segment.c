/*
 * libFuzzer target: the replica segment loader. The input is a segment
 * image; when its first byte is odd the checksums are recomputed first, so
 * that the fuzzer also reaches the record checks and the loading behind
 * them instead of stopping at the checksum.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lf_segment.h"
#include "lf_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lf_seg_info info;
    struct lf_table *table;
    const char *why = "";
    uint8_t *image;

    if (size < 1) {
        return 0;
    }
    /* The loader reads a mapping: give it exactly the bytes, aligned. */
    image = malloc(size - 1 > 0 ? size - 1 : 1);
    if (image == NULL) {
        return 0;
    }
    memcpy(image, data + 1, size - 1);
    if ((data[0] & 1) != 0) {
        lf_seg_reseal(image, size - 1);
    }
    if (lf_seg_check(image, size - 1, "fuzz", &info, &why) == LF_SEG_OK) {
        table = lf_table_new(1000);
        (void)lf_seg_load(image, size - 1, table, &why);
        if (lf_table_count(table) > info.nlocks) {
            __builtin_trap();
        }
        lf_table_free(table);
    }
    free(image);
    return 0;
}

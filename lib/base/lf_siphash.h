/*
 * lf_siphash.h - SipHash (Aumasson and Bernstein), a keyed hash: without
 * the key nobody can choose inputs that collide, so a peer cannot pile
 * its keys into one bucket of a hash table. The lock table uses
 * SipHash-1-3 under a key drawn from getrandom(2) at start.
 */
#ifndef LF_SIPHASH_H
#define LF_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define LF_SIPHASH_KEY_LEN 16

/*!
 * \brief SipHash-c-d of data under a 16-byte key.
 *
 * \param[in] crounds  compression rounds per 8-byte word (2 for the
 *                     standard SipHash-2-4, 1 for SipHash-1-3)
 * \param[in] drounds  finalization rounds (4, or 3)
 *
 * \return the 64-bit hash
 */
uint64_t lf_siphash(const uint8_t key[LF_SIPHASH_KEY_LEN], int crounds,
                    int drounds, const void *data, size_t len);

/*! \brief SipHash-1-3, the variant for hash tables. */
uint64_t lf_siphash13(const uint8_t key[LF_SIPHASH_KEY_LEN], const void *data,
                      size_t len);

/*!
 * \brief The process's hash-table key: drawn from getrandom(2) on the
 *        first call, the same afterwards. Without randomness (an early
 *        boot) it falls back to a mix of the time and the pid, logged by
 *        nobody: a table still works, only less hardened.
 */
const uint8_t *lf_siphash_process_key(void);

#endif

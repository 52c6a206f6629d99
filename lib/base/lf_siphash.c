#include <config.h>

#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lf_siphash.h"

static uint64_t
load_le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

static uint64_t
rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

struct sip_state {
    uint64_t v0, v1, v2, v3;
};

static void
sip_round(struct sip_state *s)
{
    s->v0 += s->v1;
    s->v1 = rotl(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = rotl(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = rotl(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = rotl(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = rotl(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = rotl(s->v2, 32);
}

static void
absorb(struct sip_state *s, uint64_t m, int crounds)
{
    s->v3 ^= m;
    for (int i = 0; i < crounds; i++) {
        sip_round(s);
    }
    s->v0 ^= m;
}

uint64_t
lf_siphash(const uint8_t key[LF_SIPHASH_KEY_LEN], int crounds, int drounds,
           const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t k0 = load_le64(key);
    uint64_t k1 = load_le64(key + 8);
    /* The constants spell "somepseudorandomlygeneratedbytes". */
    struct sip_state s = {
        .v0 = k0 ^ 0x736f6d6570736575ULL,
        .v1 = k1 ^ 0x646f72616e646f6dULL,
        .v2 = k0 ^ 0x6c7967656e657261ULL,
        .v3 = k1 ^ 0x7465646279746573ULL,
    };
    size_t whole = len - (len % 8);
    uint64_t last = (uint64_t)(len & 0xff) << 56;

    for (size_t off = 0; off < whole; off += 8) {
        absorb(&s, load_le64(p + off), crounds);
    }
    /* The tail bytes, little-endian, under the length byte. */
    for (size_t i = 0; i < len % 8; i++) {
        last |= (uint64_t)p[whole + i] << (8 * i);
    }
    absorb(&s, last, crounds);
    s.v2 ^= 0xff;
    for (int i = 0; i < drounds; i++) {
        sip_round(&s);
    }
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t
lf_siphash13(const uint8_t key[LF_SIPHASH_KEY_LEN], const void *data,
             size_t len)
{
    return lf_siphash(key, 1, 3, data, len);
}

const uint8_t *
lf_siphash_process_key(void)
{
    static uint8_t key[LF_SIPHASH_KEY_LEN];
    static int ready;

    if (!ready) {
        if (getrandom(key, sizeof(key), GRND_NONBLOCK)
            != (ssize_t)sizeof(key)) {
            struct timespec ts;
            uint64_t mix[2];

            clock_gettime(CLOCK_MONOTONIC, &ts);
            mix[0] = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30);
            mix[1] = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL;
            memcpy(key, mix, sizeof(key));
        }
        ready = 1;
    }
    return key;
}

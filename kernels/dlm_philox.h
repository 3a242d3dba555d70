/* dlm_philox.h — Philox4x32-10 (Salmon et al., SC'11), written once for every backend,
 * with cuRAND's counter/key layout so that CUDA's curand_init(seed, subsequence, offset)
 * followed by curand()/curand4() yields exactly these numbers (DESIGN.md §3):
 *
 *   key     = (seed low 32, seed high 32)
 *   counter = (block low 32, block high 32, subsequence low 32, subsequence high 32)
 *             where block = offset / 4 and the first word returned is word offset % 4.
 *
 * Streams are keyed by meaning. A stream id (the 64-bit subsequence) names what the
 * numbers are for; the 64-bit offset names which number within it:
 *
 *   subsequence = purpose (4 bits) << 60 | population (20 bits) << 40 | generation (40 bits)
 *   offset      = index (32 bits: agent or pair) << 32 | word (32 bits)
 *
 * so every agent or pair owns a window of 2^32 words (2^30 blocks) in each
 * (purpose, population, generation) stream. Nothing depends on a thread id or a launch
 * shape. In tournaments "generation" carries the repetition number.
 */
#ifndef DLM_PHILOX_H
#define DLM_PHILOX_H

#include "dlm_portable.h"

typedef struct dlm_u32x4 { uint32_t v[4]; } dlm_u32x4;

/* Purposes: the top 4 bits of a stream id. Append only: renumbering changes every result. */
#define DLM_PURPOSE_MATCH_PLAY   1u  /* strategy, execution and perception draws of a match */
#define DLM_PURPOSE_MATCH_LENGTH 2u  /* continuation draws of a geometric-length match */
#define DLM_PURPOSE_MATCHING     3u  /* partner choice (evolution) */
#define DLM_PURPOSE_SELECTION    4u  /* update-rule draws (evolution) */
#define DLM_PURPOSE_MUTATION     5u  /* mutation draws (evolution) */
#define DLM_PURPOSE_INIT         6u  /* initial population draws */
#define DLM_PURPOSE_REPUTATION   7u  /* assessment and reputation draws */
#define DLM_PURPOSE_BENCH        8u  /* random strategies of the standard benchmark workloads */
#define DLM_PURPOSE_ESTIMATE    14u  /* matches that estimate a type pair's payoff once per run
                                       (14, not 9: 9 is DLM_PURPOSE_CENSUS_PLAY, dlm_evolve.h) */

#define DLM_PHILOX_M0 0xD2511F53u
#define DLM_PHILOX_M1 0xCD9E8D57u
#define DLM_PHILOX_W0 0x9E3779B9u
#define DLM_PHILOX_W1 0xBB67AE85u

/* One Philox4x32 round on counter c with key (k0, k1). */
DLM_FN void dlm_philox_round(uint32_t *c0, uint32_t *c1, uint32_t *c2, uint32_t *c3,
                             uint32_t k0, uint32_t k1)
{
    uint32_t hi0 = DLM_MULHI32(DLM_PHILOX_M0, *c0);
    uint32_t lo0 = DLM_PHILOX_M0 * *c0;
    uint32_t hi1 = DLM_MULHI32(DLM_PHILOX_M1, *c2);
    uint32_t lo1 = DLM_PHILOX_M1 * *c2;
    uint32_t n0 = hi1 ^ *c1 ^ k0;
    uint32_t n2 = hi0 ^ *c3 ^ k1;
    *c0 = n0;
    *c1 = lo1;
    *c2 = n2;
    *c3 = lo0;
}

/* Philox4x32-10 of counter (c0..c3) under key (k0, k1): the raw bijection. */
DLM_FN dlm_u32x4 dlm_philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                   uint32_t k0, uint32_t k1)
{
    int r;
    dlm_u32x4 out;
    for (r = 0; r < 9; ++r) {
        dlm_philox_round(&c0, &c1, &c2, &c3, k0, k1);
        k0 += DLM_PHILOX_W0;
        k1 += DLM_PHILOX_W1;
    }
    dlm_philox_round(&c0, &c1, &c2, &c3, k0, k1);
    out.v[0] = c0;
    out.v[1] = c1;
    out.v[2] = c2;
    out.v[3] = c3;
    return out;
}

/* Stream id for (purpose < 16, population < 2^20, generation < 2^40). */
DLM_FN uint64_t dlm_stream_id(uint32_t purpose, uint32_t population, uint64_t generation)
{
    return ((uint64_t)(purpose & 0xFu) << 60) | ((uint64_t)(population & 0xFFFFFu) << 40) |
           (generation & 0xFFFFFFFFFFull);
}

/* The 4-word block number `block` (offset / 4) of stream `stream` under `seed`. */
DLM_FN dlm_u32x4 dlm_philox_block(uint64_t seed, uint64_t stream, uint64_t block)
{
    return dlm_philox4x32_10((uint32_t)block, (uint32_t)(block >> 32), (uint32_t)stream,
                             (uint32_t)(stream >> 32), (uint32_t)seed, (uint32_t)(seed >> 32));
}

/* Block `block` of the window that agent/pair `index` owns in a stream. */
DLM_FN dlm_u32x4 dlm_philox_window_block(uint64_t seed, uint64_t stream, uint32_t index,
                                         uint32_t block)
{
    return dlm_philox_block(seed, stream, ((uint64_t)index << 30) | (uint64_t)(block & 0x3FFFFFFFu));
}

/* Word `offset` of a stream: what curand() returns after curand_init(seed, stream, offset). */
DLM_FN uint32_t dlm_philox_word(uint64_t seed, uint64_t stream, uint64_t offset)
{
    dlm_u32x4 b = dlm_philox_block(seed, stream, offset >> 2);
    return b.v[offset & 3u];
}

/* curand_uniform's conversion: x * 2^-32 + 2^-33 in float, in (0, 1]. */
DLM_FN float dlm_uniform_float(uint32_t x)
{
    return (float)x * 2.3283064e-10f + (2.3283064e-10f / 2.0f);
}

/* A decision that fires with probability p, as a 64-bit threshold t = round(p * 2^32)
 * computed once on the host: the event fires iff draw < t. t = 2^32 always fires,
 * t = 0 never does. */
DLM_FN uint32_t dlm_fires(uint32_t draw, uint64_t threshold)
{
    return (uint64_t)draw < threshold ? 1u : 0u;
}

#endif /* DLM_PHILOX_H */

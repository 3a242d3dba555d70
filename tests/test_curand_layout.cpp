// test_curand_layout.cpp — cuRAND's own Philox4x32-10 code, compiled for the host, against
// the portable Philox of kernels/dlm_philox.h (DESIGN.md §3). No GPU is needed: cuRAND's
// device API is header-only and its Philox path has host branches (NV_IF_ELSE_TARGET),
// so defining its qualifier macro as plain `static inline` before including
// curand_kernel.h gives the real curand_init / curand / curand4 / curand_uniform as host
// functions. cuRAND promises source compatibility across versions, not identical
// streams: this test pins the layout the CUDA backend relies on for the toolkit it is
// built with.
//
// Compares, for many (seed, subsequence, offset):
//   curand_init(seed, subsequence, offset) then curand() x n   == dlm_philox_word(offset + i)
//   curand4() at every phase (offset mod 4 = 0..3)              == the next 4 words
//   curand4() after curand_init(seed, sub, 4 * block)           == dlm_philox_block(block)
//   curand_uniform()                                            == dlm_uniform_float(word)
//   curand_Philox4x32_10(counter, key)                          == dlm_philox4x32_10
//   a pair's window as the CUDA backend would draw it           == dlm_philox_window_block
// Exit status 0 on success, 1 with the first mismatches printed otherwise.
#define QUALIFIERS static inline
#include <curand_kernel.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "dlm_philox.h"

namespace {

int failures = 0;

// Records a mismatch; prints the first 20.
void mismatch(const char *what, uint64_t seed, uint64_t sub, uint64_t offset, uint64_t got,
              uint64_t want)
{
    if (++failures <= 20)
        std::printf("MISMATCH %s: seed %016llx subsequence %016llx offset %016llx: cuRAND %llx, "
                    "dlm %llx\n",
                    what, (unsigned long long)seed, (unsigned long long)sub,
                    (unsigned long long)offset, (unsigned long long)got, (unsigned long long)want);
}

// splitmix64: a fixed, portable source of test triples.
uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Bit pattern of a float, so that comparisons are exact (and -0/NaN cannot hide).
uint32_t float_bits(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

// One triple: sequential words, curand4 at the triple's phase, curand_uniform.
void check_triple(uint64_t seed, uint64_t sub, uint64_t offset, int words)
{
    curandStatePhilox4_32_10_t st;
    curand_init(seed, sub, offset, &st);
    for (int i = 0; i < words; ++i) {
        uint32_t got = curand(&st), want = dlm_philox_word(seed, sub, offset + (uint64_t)i);
        if (got != want)
            mismatch("curand()", seed, sub, offset + (uint64_t)i, got, want);
    }
    // curand4 from wherever the sequence now stands: returns the next four words in
    // order whatever the phase (its four switch cases).
    uint64_t pos = offset + (uint64_t)words;
    uint4 q = curand4(&st);
    uint32_t qv[4] = {q.x, q.y, q.z, q.w};
    for (int k = 0; k < 4; ++k)
        if (qv[k] != dlm_philox_word(seed, sub, pos + (uint64_t)k))
            mismatch("curand4()", seed, sub, pos + (uint64_t)k, qv[k],
                     dlm_philox_word(seed, sub, pos + (uint64_t)k));
    pos += 4;
    float u = curand_uniform(&st);
    float v = dlm_uniform_float(dlm_philox_word(seed, sub, pos));
    if (float_bits(u) != float_bits(v))
        mismatch("curand_uniform()", seed, sub, pos, float_bits(u), float_bits(v));
}

// curand4 right after curand_init at a block boundary is exactly dlm_philox_block.
void check_block(uint64_t seed, uint64_t sub, uint64_t block)
{
    curandStatePhilox4_32_10_t st;
    curand_init(seed, sub, 4u * block, &st);
    uint4 q = curand4(&st);
    dlm_u32x4 b = dlm_philox_block(seed, sub, block);
    uint32_t qv[4] = {q.x, q.y, q.z, q.w};
    for (int k = 0; k < 4; ++k)
        if (qv[k] != b.v[k])
            mismatch("curand4() block", seed, sub, 4u * block + (uint64_t)k, qv[k], b.v[k]);
}

}  // namespace

int main()
{
    static const uint64_t seeds[] = {0u, 1u, 42u, 0xFFFFFFFFu, 0x100000000ull,
                                     0x243F6A8885A308D3ull, 0xFFFFFFFFFFFFFFFFull};
    // Subsequences with the top bits set: our purpose field is bits 60-63.
    static const uint64_t subs[] = {
        0u, 1u, 0xFFFFFFFFu, 0x100000000ull, 0x1000000000000000ull,
        dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 5u, 123u),
        dlm_stream_id(DLM_PURPOSE_BENCH, 0xFFFFFu, 0xFFFFFFFFFFull), 0xF000000000000001ull,
        0xFFFFFFFFFFFFFFFFull};
    // Offsets of every phase mod 4, across the 2^32-word and 2^32-block (2^34-word)
    // boundaries where the block number carries into the counter's second word, and far.
    static const uint64_t offsets[] = {0u, 1u, 2u, 3u, 5u, 4095u, 0xFFFFFFFCull, 0xFFFFFFFFull,
                                       0x100000001ull, ((uint64_t)1 << 34) - 9u,
                                       ((uint64_t)1 << 34) - 2u, ((uint64_t)1 << 34) + 3u,
                                       ((uint64_t)1 << 40) + 6u, 0x7FFFFFFFFFFFFFF5ull,
                                       0xFFFFFFFFFFFFFF00ull};
    long triples = 0;

    // 1. The raw bijection: random counters and keys, and the Random123 vectors.
    {
        uint64_t s = 1;
        for (int i = 0; i < 100000; ++i) {
            uint64_t a = next_u64(&s), b = next_u64(&s), c = next_u64(&s);
            uint4 ctr = make_uint4((unsigned)a, (unsigned)(a >> 32), (unsigned)b,
                                   (unsigned)(b >> 32));
            uint2 key = make_uint2((unsigned)c, (unsigned)(c >> 32));
            uint4 got = curand_Philox4x32_10(ctr, key);
            dlm_u32x4 want = dlm_philox4x32_10(ctr.x, ctr.y, ctr.z, ctr.w, key.x, key.y);
            uint32_t gv[4] = {got.x, got.y, got.z, got.w};
            for (int k = 0; k < 4; ++k)
                if (gv[k] != want.v[k])
                    mismatch("curand_Philox4x32_10", c, b, a, gv[k], want.v[k]);
        }
        // Random123's all-zero vector through cuRAND's full state machinery.
        curandStatePhilox4_32_10_t st;
        curand_init(0u, 0u, 0u, &st);
        uint4 q = curand4(&st);
        if (q.x != 0x6627e8d5u || q.y != 0xe169c58du || q.z != 0xbc57ac4cu || q.w != 0x9b00dbd8u)
            mismatch("known answer (0, 0, 0)", 0, 0, 0, q.x, 0x6627e8d5u);
    }

    // 2. The grid of edge values, 40 sequential words each.
    for (uint64_t seed : seeds)
        for (uint64_t sub : subs)
            for (uint64_t off : offsets) {
                check_triple(seed, sub, off, 40);
                ++triples;
            }

    // 3. Random triples: offsets of every size (a random bit length), any phase.
    {
        uint64_t s = 2;
        for (int i = 0; i < 20000; ++i) {
            uint64_t seed = next_u64(&s), sub = next_u64(&s);
            // below 2^63, so offset + words never wraps past 2^64 (where cuRAND carries
            // into the subsequence and a 64-bit offset cannot follow)
            uint64_t off = next_u64(&s) >> (1u + next_u64(&s) % 63u);
            check_triple(seed, sub, off, 1 + (int)(next_u64(&s) % 13u));
            check_block(seed, sub, off >> 2);
            ++triples;
        }
    }

    // 4. A pair's window as the CUDA backend draws it: curand_init(seed, stream,
    //    index << 32 | 4 * block), then curand4() per block.
    {
        uint64_t stream = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 7u, 99u);
        static const uint32_t indices[] = {0u, 1u, 12345u, 0xFFFFFFFFu};
        for (uint32_t index : indices) {
            uint32_t start = (index * 7u) & 0x3FFFFF00u;
            curandStatePhilox4_32_10_t st;
            curand_init(3u, stream, ((uint64_t)index << 32) | (4ull * start), &st);
            for (uint32_t blk = start; blk < start + 64u; ++blk) {
                uint4 q = curand4(&st);
                dlm_u32x4 w = dlm_philox_window_block(3u, stream, index, blk);
                uint32_t qv[4] = {q.x, q.y, q.z, q.w};
                for (int k = 0; k < 4; ++k)
                    if (qv[k] != w.v[k])
                        mismatch("window block", 3u, stream,
                                 ((uint64_t)index << 32) | (4ull * blk + (uint64_t)k), qv[k],
                                 w.v[k]);
            }
        }
    }

    // 5. The uniform conversion on its own: cuRAND's _curand_uniform over the bottom and
    //    top 2^20 inputs (the top 128 give exactly 1.0f) and a spread in between.
    {
        long ones = 0;
        for (uint32_t i = 0; i < (1u << 20); ++i) {
            uint32_t xs[3] = {i, 0xFFFFFFFFu - i, i * 4099u + 0x5A5A5A5Au};
            for (uint32_t x : xs) {
                float got = _curand_uniform(x), want = dlm_uniform_float(x);
                if (float_bits(got) != float_bits(want))
                    mismatch("_curand_uniform", 0, 0, x, float_bits(got), float_bits(want));
            }
            ones += _curand_uniform(0xFFFFFFFFu - i) == 1.0f;
        }
        if (ones != 128) {
            std::printf("MISMATCH: %ld of the top 2^20 inputs give 1.0f, expected 128\n", ones);
            ++failures;
        }
    }

    if (failures) {
        std::printf("test_curand_layout: %d mismatches\n", failures);
        return 1;
    }
    std::printf("test_curand_layout: cuRAND %d.%d.%d (headers, host build) and dlm_philox "
                "agree on %ld (seed, subsequence, offset) triples, 100000 raw blocks, 3 x 2^20 "
                "uniform conversions\n",
                CURAND_VER_MAJOR, CURAND_VER_MINOR, CURAND_VER_PATCH, triples);
    return 0;
}

/* test_rng.c — the portable Philox4x32-10 (kernels/dlm_philox.h): known answers, the
 * cuRAND counter/key layout, stream ids, the uniform conversion, threshold decisions
 * and a statistical sanity check (DESIGN.md §3, §9). The comparison with cuRAND's own
 * code is test_curand_layout.cpp. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dilemma.h"
#include "dlm_philox.h"
#include "dlm_evolve.h"
#include "dlm_referee.h"

/* Every vector of the known-answer file matches; the file must hold at least 3, so a
 * missing or truncated file cannot pass by checking nothing. */
static void test_known_answers(void **state)
{
    const char *path = DLM_TEST_DATA "/philox4x32_10_kat.txt";
    char line[512];
    int vectors = 0, lineno = 0;
    FILE *f = fopen(path, "r");
    (void)state;
    if (!f)
        fail_msg("cannot open %s", path);
    while (fgets(line, sizeof line, f)) {
        char name[32];
        unsigned rounds, c[4], k[2], want[4];
        const char *p = line;
        dlm_u32x4 got;
        int i;
        ++lineno;
        while (*p == ' ' || *p == '\t')
            ++p;
        if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
            continue;
        /* A line that does not parse fails the test rather than being skipped. */
        if (sscanf(p, "%31s %u %x %x %x %x %x %x %x %x %x %x", name, &rounds, &c[0], &c[1],
                   &c[2], &c[3], &k[0], &k[1], &want[0], &want[1], &want[2], &want[3]) != 12 ||
            strcmp(name, "philox4x32") != 0 || rounds != 10u) {
            fclose(f);
            fail_msg("%s:%d: not a philox4x32 10-round vector: %s", path, lineno, line);
        }
        got = dlm_philox4x32_10(c[0], c[1], c[2], c[3], k[0], k[1]);
        for (i = 0; i < 4; ++i)
            if (got.v[i] != want[i]) {
                fclose(f);
                fail_msg("%s:%d: word %d is %08x, expected %08x", path, lineno, i, got.v[i],
                         want[i]);
            }
        ++vectors;
    }
    fclose(f);
    if (vectors < 3)
        fail_msg("%s holds %d vectors; at least 3 expected", path, vectors);
}

/* dlm_philox_word(seed, stream, offset) is word offset % 4 of the block at counter
 * (offset/4 low, offset/4 high, stream low, stream high) under key (seed low, seed high):
 * cuRAND's layout. Offsets cross the 2^32-block boundary, where the block number
 * carries into the counter's second word, and reach past 2^34. */
static void test_word_layout(void **state)
{
    static const uint64_t seeds[] = {0u, 1u, 0x243F6A8885A308D3ull, 0xFFFFFFFFFFFFFFFFull};
    static const uint64_t streams[] = {0u, 1u, 0x9000000000000005ull, 0xFFFFFFFFFFFFFFFFull};
    static const uint64_t bases[] = {0u, ((uint64_t)1 << 34) - 8u, ((uint64_t)1 << 34) + 12345u,
                                     ((uint64_t)1 << 40) + 3u, 0xFFFFFFFFFFFFFF00ull};
    size_t si, ti, bi;
    uint64_t d;
    (void)state;
    for (si = 0; si < sizeof seeds / sizeof *seeds; ++si)
        for (ti = 0; ti < sizeof streams / sizeof *streams; ++ti)
            for (bi = 0; bi < sizeof bases / sizeof *bases; ++bi)
                for (d = 0; d < 16u; ++d) {
                    uint64_t seed = seeds[si], stream = streams[ti], off = bases[bi] + d;
                    uint64_t block = off / 4u;
                    dlm_u32x4 ref = dlm_philox4x32_10((uint32_t)block, (uint32_t)(block >> 32),
                                                      (uint32_t)stream, (uint32_t)(stream >> 32),
                                                      (uint32_t)seed, (uint32_t)(seed >> 32));
                    dlm_u32x4 blk = dlm_philox_block(seed, stream, block);
                    uint32_t w = dlm_philox_word(seed, stream, off);
                    assert_int_equal(w, ref.v[off % 4u]);
                    assert_memory_equal(&blk, &ref, sizeof ref);
                }
    /* The boundary itself: blocks 2^32 - 1 and 2^32 differ only in counter words 0 and 1. */
    {
        uint64_t b0 = ((uint64_t)1 << 32) - 1u;
        dlm_u32x4 x = dlm_philox_block(7u, 9u, b0), y = dlm_philox_block(7u, 9u, b0 + 1u);
        dlm_u32x4 rx = dlm_philox4x32_10(0xFFFFFFFFu, 0u, 9u, 0u, 7u, 0u);
        dlm_u32x4 ry = dlm_philox4x32_10(0u, 1u, 9u, 0u, 7u, 0u);
        assert_memory_equal(&x, &rx, sizeof x);
        assert_memory_equal(&y, &ry, sizeof y);
    }
}

/* dlm_stream_id packs purpose (4 bits) << 60 | population (20 bits) << 40 | generation
 * (40 bits); distinct in-range meanings give distinct streams. */
static void test_stream_id(void **state)
{
    static const uint32_t purposes[] = {0u, 1u, 2u, 7u, 15u};
    static const uint32_t pops[] = {0u, 1u, 2u, 0x80000u, 0xFFFFFu};
    static const uint64_t gens[] = {0u, 1u, 2u, (uint64_t)1 << 32, 0xFFFFFFFFFFull};
    uint64_t ids[5 * 5 * 5];
    size_t n = 0, i, j, a, b, c;
    (void)state;
    assert_true(dlm_stream_id(0u, 0u, 0u) == 0u);
    assert_true(dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 0u, 0u) == (uint64_t)1 << 60);
    assert_true(dlm_stream_id(15u, 0u, 0u) == 0xF000000000000000ull);
    assert_true(dlm_stream_id(0u, 0xFFFFFu, 0u) == 0x0FFFFF0000000000ull);
    assert_true(dlm_stream_id(0u, 0u, 0xFFFFFFFFFFull) == 0x000000FFFFFFFFFFull);
    assert_true(dlm_stream_id(3u, 0x12345u, 0x6789ABCDEFull) == 0x3123456789ABCDEFull);
    /* Out-of-range fields are masked, never spilled into a neighbouring field. */
    assert_true(dlm_stream_id(0x13u, 0u, 0u) == dlm_stream_id(3u, 0u, 0u));
    assert_true(dlm_stream_id(0u, 0x100001u, 0u) == dlm_stream_id(0u, 1u, 0u));
    assert_true(dlm_stream_id(0u, 0u, 0x10000000001ull) == dlm_stream_id(0u, 0u, 1u));
    for (a = 0; a < 5; ++a)
        for (b = 0; b < 5; ++b)
            for (c = 0; c < 5; ++c)
                ids[n++] = dlm_stream_id(purposes[a], pops[b], gens[c]);
    for (i = 0; i < n; ++i)
        for (j = i + 1; j < n; ++j)
            assert_true(ids[i] != ids[j]);
}

/* A pair's window: block `block` of window `index` is block index << 30 | block. */
static void test_window_block(void **state)
{
    static const uint32_t indices[] = {0u, 1u, 2u, 1000u, 0x7FFFFFFFu, 0xFFFFFFFFu};
    static const uint32_t blocks[] = {0u, 1u, 2u, 3u, 12345u, 0x3FFFFFFEu, 0x3FFFFFFFu};
    uint64_t stream = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 3u, 17u);
    size_t i, j;
    (void)state;
    for (i = 0; i < sizeof indices / sizeof *indices; ++i)
        for (j = 0; j < sizeof blocks / sizeof *blocks; ++j) {
            dlm_u32x4 w = dlm_philox_window_block(42u, stream, indices[i], blocks[j]);
            dlm_u32x4 b = dlm_philox_block(42u, stream, ((uint64_t)indices[i] << 30) | blocks[j]);
            assert_memory_equal(&w, &b, sizeof w);
            /* ...and in words: offset index << 32 | 4 * block (what curand_init takes). */
            assert_int_equal(w.v[1], dlm_philox_word(42u, stream, ((uint64_t)indices[i] << 32) |
                                                                      (4u * (uint64_t)blocks[j] + 1u)));
        }
}

/* The reference conversion: x * 2^-32 + 2^-33, each step in float as curand_uniform
 * does it ((float)x rounds to nearest; the product is exact; the sum rounds once). */
static float uniform_ref(uint32_t x)
{
    float f = (float)x * 0x1p-32f;
    return f + 0x1p-33f;
}

/* dlm_uniform_float is curand_uniform's formula, bit for bit, with its edges. */
static void test_uniform_float(void **state)
{
    uint32_t x, i;
    (void)state;
    assert_true(dlm_uniform_float(0u) == 0x1p-33f); /* never 0 */
    assert_true(dlm_uniform_float(1u) == 0x1p-32f + 0x1p-33f);
    assert_true(dlm_uniform_float(0xFFFFFFFFu) == 1.0f);
    /* (float)x rounds to 2^32 for the 128 inputs x >= 2^32 - 128 (the tie at 2^32 - 128
     * goes to even, i.e. up), so exactly those give 1.0f; 0xFFFFFF7F gives 1 - 2^-24. */
    assert_true(dlm_uniform_float(0xFFFFFF80u) == 1.0f);
    assert_true(dlm_uniform_float(0xFFFFFF7Fu) == 1.0f - 0x1p-24f);
    for (i = 0; i < (1u << 16); ++i) {
        uint32_t lo = i, hi = 0xFFFFFFFFu - i, mid = 0x9E3779B9u * i;
        uint32_t xs[3];
        int k;
        xs[0] = lo;
        xs[1] = hi;
        xs[2] = mid;
        for (k = 0; k < 3; ++k) {
            float u = dlm_uniform_float(xs[k]), r = uniform_ref(xs[k]);
            assert_memory_equal(&u, &r, sizeof u);
            assert_true(u > 0.0f && u <= 1.0f);
            assert_true((u == 1.0f) == (xs[k] >= 0xFFFFFF80u));
        }
    }
    /* Monotone in x (so the 1.0f set is exactly the top 128 inputs). */
    for (x = 0xFFFF0000u; x != 0xFFFFFFFFu; ++x)
        assert_true(dlm_uniform_float(x) <= dlm_uniform_float(x + 1u));
}

/* Thresholds: 0 never fires, 2^32 always does; round(p * 2^32) is exact for dyadic p. */
static void test_fires_threshold(void **state)
{
    static const uint32_t draws[] = {0u, 1u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu};
    const uint64_t always = (uint64_t)1 << 32;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof draws / sizeof *draws; ++i) {
        assert_int_equal(dlm_fires(draws[i], 0u), 0u);
        assert_int_equal(dlm_fires(draws[i], always), 1u);
    }
    assert_true(dlm_probability_threshold(0.0) == 0u);
    assert_true(dlm_probability_threshold(1.0) == always);
    assert_true(dlm_probability_threshold(0.5) == (uint64_t)1 << 31);
    assert_true(dlm_probability_threshold(0.25) == (uint64_t)1 << 30);
    /* threshold t fires for exactly the draws 0 .. t-1 */
    assert_int_equal(dlm_fires(0x7FFFFFFFu, (uint64_t)1 << 31), 1u);
    assert_int_equal(dlm_fires(0x80000000u, (uint64_t)1 << 31), 0u);
}

/* 10^6 words of one stream: the fraction below threshold(0.3) and the mean top bit lie
 * within 4 standard errors (binomial: sqrt(p (1 - p) / n)) of 0.3 and 0.5. */
/* Every purpose names one kind of numbers (DESIGN.md §3): no two share an id, wherever
 * their headers define them (ESTIMATE once shared 9 with CENSUS_PLAY). */
static void test_purposes_distinct(void **state)
{
    static const uint32_t ids[] = {
        DLM_PURPOSE_MATCH_PLAY,  DLM_PURPOSE_MATCH_LENGTH,   DLM_PURPOSE_MATCHING,
        DLM_PURPOSE_SELECTION,   DLM_PURPOSE_MUTATION,       DLM_PURPOSE_INIT,
        DLM_PURPOSE_REPUTATION,  DLM_PURPOSE_BENCH,          DLM_PURPOSE_ESTIMATE,
        DLM_PURPOSE_CENSUS_PLAY, DLM_PURPOSE_CENSUS_LENGTH,  DLM_PURPOSE_CENSUS_MATCHING,
        DLM_PURPOSE_INSTITUTION, DLM_PURPOSE_CENSUS_INSTITUTION};
    size_t i, j, n = sizeof ids / sizeof ids[0];
    (void)state;
    for (i = 0; i < n; ++i)
        for (j = i + 1; j < n; ++j)
            if (ids[i] == ids[j])
                fail_msg("purposes %zu and %zu share the id %u", i, j, ids[i]);
}

static void test_statistics(void **state)
{
    const uint32_t n = 1000000u;
    const uint64_t seed = 0x5EED0001u, stream = dlm_stream_id(DLM_PURPOSE_BENCH, 1u, 2u);
    const uint64_t t = dlm_probability_threshold(0.3);
    const double p = (double)t / 4294967296.0; /* the probability the threshold encodes */
    uint64_t below = 0, top = 0;
    uint32_t i;
    double frac, mean_top, se_frac, se_top;
    (void)state;
    for (i = 0; i < n / 4u; ++i) {
        dlm_u32x4 b = dlm_philox_block(seed, stream, i);
        int k;
        for (k = 0; k < 4; ++k) {
            below += dlm_fires(b.v[k], t);
            top += b.v[k] >> 31;
        }
    }
    frac = (double)below / n;
    mean_top = (double)top / n;
    se_frac = sqrt(p * (1.0 - p) / n);
    se_top = sqrt(0.25 / n);
    if (fabs(frac - p) > 4.0 * se_frac)
        fail_msg("fraction below threshold(0.3) = %.6f, expected %.6f +- 4 x %.2e", frac, p, se_frac);
    if (fabs(mean_top - 0.5) > 4.0 * se_top)
        fail_msg("mean top bit = %.6f, expected 0.5 +- 4 x %.2e", mean_top, se_top);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),  cmocka_unit_test(test_word_layout),
        cmocka_unit_test(test_stream_id),      cmocka_unit_test(test_window_block),
        cmocka_unit_test(test_uniform_float),  cmocka_unit_test(test_fires_threshold),
        cmocka_unit_test(test_statistics),     cmocka_unit_test(test_purposes_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* cpu_lanes.c — the CPU backend's fast path: eight memory-one matches in lockstep in
 * AVX2 registers, for the common case the benchmark `match` workload and most sweeps
 * hit (both players memory-one, reaction period 1, no observation delay).
 *
 * Why it exists: a scalar Philox4x32-10 block costs ~16 ns on one core and a memory-one
 * round needs one, which caps the scalar engine near 6e7 rounds/s; eight blocks at once
 * in AVX2 cost about a sixth per block. Why it is safe: it computes exactly what
 * dlm_play_match (kernels/dlm_match.h) computes — the same blocks at the same counters,
 * the same threshold comparisons — and tests/test_match.c and `dilemma bench` check the
 * bytes against the model. Anything it does not cover goes to the model code.
 */
#include <string.h>

#include "backends/cpu_lanes.h"
#include "dlm_match.h"

/* 1 if job j can run in lanes: both players memory-one, k = 1, d = 0. */
int dlm_cpu_lanes_eligible(const dlm_match_batch *b, size_t j)
{
    const dlm_match_job *job = &b->jobs[j];
    const dlm_player_params *pa = &b->params[job->params[0]], *pb = &b->params[job->params[1]];
    return b->strategies[job->strategy[0]].kind == DLM_STRAT_MEMORY_ONE &&
           b->strategies[job->strategy[1]].kind == DLM_STRAT_MEMORY_ONE &&
           pa->reaction_period == 1 && pb->reaction_period == 1 &&
           pa->observation_delay == 0 && pb->observation_delay == 0;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define LANES_AVAILABLE 1

int dlm_cpu_lanes_supported(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

/* A probability threshold in [0, 2^32] as the pair (min(t, 2^32 - 1) biased for
 * signed comparison, always-fires mask). */
typedef struct lane_threshold {
    __m256i biased; /* (t32 ^ 0x80000000) */
    __m256i always; /* all ones where t = 2^32 */
} lane_threshold;

__attribute__((target("avx2"))) static lane_threshold load_thresholds(const uint64_t t[8])
{
    lane_threshold r;
    uint32_t v[8], a[8];
    int l;
    for (l = 0; l < 8; ++l) {
        a[l] = t[l] >> 32 ? 0xFFFFFFFFu : 0u;
        v[l] = (t[l] >> 32 ? 0xFFFFFFFFu : (uint32_t)t[l]) ^ 0x80000000u;
    }
    r.biased = _mm256_loadu_si256((const __m256i *)v);
    r.always = _mm256_loadu_si256((const __m256i *)a);
    return r;
}

/* All ones where draw < threshold (unsigned), i.e. where the event fires. */
__attribute__((target("avx2"))) static inline __m256i fires(__m256i draw, lane_threshold t)
{
    __m256i d = _mm256_xor_si256(draw, _mm256_set1_epi32((int)0x80000000u));
    return _mm256_or_si256(_mm256_cmpgt_epi32(t.biased, d), t.always);
}

/* Eight Philox4x32-10 blocks (counters c0..c3 per lane) under key (k0, k1). */
__attribute__((target("avx2"))) static inline void philox8(__m256i *c0, __m256i *c1, __m256i *c2,
                                                           __m256i *c3, uint32_t k0, uint32_t k1)
{
    const __m256i m0 = _mm256_set1_epi64x(DLM_PHILOX_M0), m1 = _mm256_set1_epi64x(DLM_PHILOX_M1);
    int r;
    for (r = 0; r < 10; ++r) {
        __m256i pe0 = _mm256_mul_epu32(*c0, m0), po0 = _mm256_mul_epu32(_mm256_srli_epi64(*c0, 32), m0);
        __m256i pe1 = _mm256_mul_epu32(*c2, m1), po1 = _mm256_mul_epu32(_mm256_srli_epi64(*c2, 32), m1);
        __m256i lo0 = _mm256_blend_epi32(pe0, _mm256_slli_epi64(po0, 32), 0xAA);
        __m256i hi0 = _mm256_blend_epi32(_mm256_srli_epi64(pe0, 32), po0, 0xAA);
        __m256i lo1 = _mm256_blend_epi32(pe1, _mm256_slli_epi64(po1, 32), 0xAA);
        __m256i hi1 = _mm256_blend_epi32(_mm256_srli_epi64(pe1, 32), po1, 0xAA);
        *c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, *c1), _mm256_set1_epi32((int)k0));
        *c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, *c3), _mm256_set1_epi32((int)k1));
        *c1 = lo1;
        *c3 = lo0;
        k0 += DLM_PHILOX_W0;
        k1 += DLM_PHILOX_W1;
    }
}

/* dlm_cpu_blocks_ahead uses AVX2 (set by dlm_cpu_lanes_ahead). Process-wide, read by the
 * OpenMP threads; atomic (relaxed), since two library handles may open a CPU backend at
 * once (either path draws the same numbers). */
static int ahead_lanes;

void dlm_cpu_lanes_ahead(int on)
{
    __atomic_store_n(&ahead_lanes, on && dlm_cpu_lanes_supported(), __ATOMIC_RELAXED);
}

static int lanes_on(void)
{
    return __atomic_load_n(&ahead_lanes, __ATOMIC_RELAXED);
}

/* Blocks first, first + stride, ..., first + 7 stride of `stream` in the eight lanes. */
__attribute__((target("avx2"))) static void blocks8(uint64_t seed, uint64_t stream,
                                                    uint64_t first, uint64_t stride,
                                                    uint32_t w[4][8])
{
    uint32_t lo[8], hi[8];
    __m256i c0, c1, c2, c3;
    int l;
    for (l = 0; l < 8; ++l) {
        uint64_t block = first + stride * (uint64_t)l;
        lo[l] = (uint32_t)block;
        hi[l] = (uint32_t)(block >> 32);
    }
    c0 = _mm256_loadu_si256((const __m256i *)lo);
    c1 = _mm256_loadu_si256((const __m256i *)hi);
    c2 = _mm256_set1_epi32((int)(uint32_t)stream);
    c3 = _mm256_set1_epi32((int)(uint32_t)(stream >> 32));
    philox8(&c0, &c1, &c2, &c3, (uint32_t)seed, (uint32_t)(seed >> 32));
    _mm256_storeu_si256((__m256i *)w[0], c0);
    _mm256_storeu_si256((__m256i *)w[1], c1);
    _mm256_storeu_si256((__m256i *)w[2], c2);
    _mm256_storeu_si256((__m256i *)w[3], c3);
}

void dlm_cpu_blocks_ahead(uint64_t seed, uint64_t stream, uint64_t first, uint32_t n,
                          dlm_u32x4 *out)
{
    uint32_t w[4][8], l, k;
    if (!lanes_on()) {
        for (l = 0; l < n; ++l)
            out[l] = dlm_philox_block(seed, stream, first + 2u * (uint64_t)l);
        return;
    }
    blocks8(seed, stream, first, 2u, w);
    for (l = 0; l < n; ++l)
        for (k = 0; k < 4u; ++k)
            out[l].v[k] = w[k][l];
}

void dlm_cpu_windows_ahead(uint64_t seed, uint64_t stream, uint32_t first, uint32_t n,
                           dlm_u32x4 *out)
{
    uint32_t w[4][8], l, k;
    if (!lanes_on()) {
        for (l = 0; l < n; ++l)
            out[l] = dlm_philox_block(seed, stream, ((uint64_t)first + l) << 30);
        return;
    }
    blocks8(seed, stream, (uint64_t)first << 30, (uint64_t)1 << 30, w);
    for (l = 0; l < n; ++l)
        for (k = 0; k < 4u; ++k)
            out[l].v[k] = w[k][l];
}

/* One qualifying job alone (a long match, or what is left over from groups of eight):
 * the blocks of eight upcoming rounds in the lanes, the rounds themselves in scalar code
 * specialised to memory-one, k = 1, d = 0 — what dlm_play_match computes for such a pair
 * (slot = own << 1 | seen, C when the draw fires the slot's threshold). */
__attribute__((target("avx2"))) dlm_match_result dlm_cpu_lanes_play1(const dlm_match_batch *b,
                                                                     size_t j)
{
    const dlm_match_job *job = &b->jobs[j];
    const dlm_strategy *a = &b->strategies[job->strategy[0]], *o = &b->strategies[job->strategy[1]];
    const dlm_player_params *pa = &b->params[job->params[0]], *pb = &b->params[job->params[1]];
    uint64_t play = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, job->population, job->generation);
    uint64_t block0 = (uint64_t)job->index << 30;
    uint32_t need_play = dlm_strategy_is_stochastic(a) | dlm_strategy_is_stochastic(o) |
                         (pa->execution_error != 0u) | (pb->execution_error != 0u);
    uint32_t need_perception = (pa->perception_error != 0u) | (pb->perception_error != 0u);
    uint32_t w[2][4][8], t, l, k, slot_a = 0, slot_b = 0, count[4] = {0, 0, 0, 0};
    dlm_match_result res;
    res.rounds = dlm_match_length(&b->rules, b->seed,
                                  dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, job->population,
                                                job->generation),
                                  job->index);
    memset(w, 0, sizeof w);
    for (t = 0; t < res.rounds; t += 8u) {
        uint32_t n = res.rounds - t < 8u ? res.rounds - t : 8u;
        if (need_play)
            blocks8(b->seed, play, block0 + 2u * (uint64_t)t, 2u, w[0]);
        if (need_perception)
            blocks8(b->seed, play, block0 + 2u * (uint64_t)t + 1u, 2u, w[1]);
        for (l = 0; l < n; ++l) {
            uint32_t ra = !dlm_fires(w[0][0][l], a->threshold[slot_a]);
            uint32_t rb = !dlm_fires(w[0][1][l], o->threshold[slot_b]);
            ra ^= dlm_fires(w[0][2][l], pa->execution_error);
            rb ^= dlm_fires(w[0][3][l], pb->execution_error);
            slot_a = 1u + ((ra << 1) | (rb ^ dlm_fires(w[1][0][l], pa->perception_error)));
            slot_b = 1u + ((rb << 1) | (ra ^ dlm_fires(w[1][1][l], pb->perception_error)));
            count[(ra << 1) | rb] += 1u;
        }
    }
    for (k = 0; k < 4u; ++k)
        res.outcome[k] = count[k];
    return res;
}

/* The threshold for memory-one slot `state` (0..3 = CC, CD, DC, DD) per lane. */
__attribute__((target("avx2"))) static inline lane_threshold pick(const lane_threshold t[5],
                                                                  __m256i state)
{
    __m256i is1 = _mm256_cmpeq_epi32(state, _mm256_set1_epi32(1));
    __m256i is2 = _mm256_cmpeq_epi32(state, _mm256_set1_epi32(2));
    __m256i is3 = _mm256_cmpeq_epi32(state, _mm256_set1_epi32(3));
    lane_threshold r = t[1];
    r.biased = _mm256_blendv_epi8(r.biased, t[2].biased, is1);
    r.always = _mm256_blendv_epi8(r.always, t[2].always, is1);
    r.biased = _mm256_blendv_epi8(r.biased, t[3].biased, is2);
    r.always = _mm256_blendv_epi8(r.always, t[3].always, is2);
    r.biased = _mm256_blendv_epi8(r.biased, t[4].biased, is3);
    r.always = _mm256_blendv_epi8(r.always, t[4].always, is3);
    return r;
}

__attribute__((target("avx2"))) void dlm_cpu_lanes_play8(const dlm_match_batch *b,
                                                         const size_t jobs[8],
                                                         dlm_match_result *results)
{
    const __m256i one = _mm256_set1_epi32(1);
    lane_threshold ta[5], tb[5], ea, eb, pa, pb;
    uint64_t tmp[8];
    uint32_t lo[8], hi[8], len[8], max_len = 0, k0, k1;
    uint32_t need_perception = 0;
    __m256i count[4], sa, sb, length;
    int l, i;
    const dlm_match_job *job[8];
    const dlm_strategy *strat_a[8], *strat_b[8];
    const dlm_player_params *par_a[8], *par_b[8];
    for (l = 0; l < 8; ++l) {
        job[l] = &b->jobs[jobs[l]];
        strat_a[l] = &b->strategies[job[l]->strategy[0]];
        strat_b[l] = &b->strategies[job[l]->strategy[1]];
        par_a[l] = &b->params[job[l]->params[0]];
        par_b[l] = &b->params[job[l]->params[1]];
        need_perception |= (par_a[l]->perception_error != 0) | (par_b[l]->perception_error != 0);
        len[l] = dlm_match_length(&b->rules, b->seed,
                                  dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, job[l]->population,
                                                job[l]->generation),
                                  job[l]->index);
        max_len = len[l] > max_len ? len[l] : max_len;
        /* Block 2t of the pair's window: (index << 30 | 2t) split into two words. */
        lo[l] = (uint32_t)((uint64_t)job[l]->index << 30);
        hi[l] = job[l]->index >> 2;
    }
    for (i = 0; i < 5; ++i) {
        for (l = 0; l < 8; ++l)
            tmp[l] = strat_a[l]->threshold[i];
        ta[i] = load_thresholds(tmp);
        for (l = 0; l < 8; ++l)
            tmp[l] = strat_b[l]->threshold[i];
        tb[i] = load_thresholds(tmp);
    }
#define LOAD_PARAM(dst, arr, field)         \
    do {                                    \
        for (l = 0; l < 8; ++l)             \
            tmp[l] = arr[l]->field;         \
        dst = load_thresholds(tmp);         \
    } while (0)
    LOAD_PARAM(ea, par_a, execution_error);
    LOAD_PARAM(eb, par_b, execution_error);
    LOAD_PARAM(pa, par_a, perception_error);
    LOAD_PARAM(pb, par_b, perception_error);
#undef LOAD_PARAM
    /* Each lane has its own stream (population, generation) and window (index). */
    {
        uint32_t s_lo[8], s_hi[8];
        __m256i vlo = _mm256_loadu_si256((const __m256i *)lo);
        __m256i vhi = _mm256_loadu_si256((const __m256i *)hi);
        __m256i vslo, vshi;
        uint32_t t;
        for (l = 0; l < 8; ++l) {
            uint64_t play = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, job[l]->population,
                                          job[l]->generation);
            s_lo[l] = (uint32_t)play;
            s_hi[l] = (uint32_t)(play >> 32);
        }
        vslo = _mm256_loadu_si256((const __m256i *)s_lo);
        vshi = _mm256_loadu_si256((const __m256i *)s_hi);
        k0 = (uint32_t)b->seed;
        k1 = (uint32_t)(b->seed >> 32);
        length = _mm256_loadu_si256((const __m256i *)len);
        for (i = 0; i < 4; ++i)
            count[i] = _mm256_setzero_si256();
        sa = sb = _mm256_setzero_si256();
        for (t = 0; t < max_len; ++t) {
            __m256i c0 = _mm256_or_si256(vlo, _mm256_set1_epi32((int)(2u * t))), c1 = vhi,
                    c2 = vslo, c3 = vshi;
            __m256i coop_a, coop_b, ra, rb, seen_a, seen_b, active, outcome;
            lane_threshold th_a, th_b;
            philox8(&c0, &c1, &c2, &c3, k0, k1);
            if (t == 0) {
                th_a = ta[0];
                th_b = tb[0];
            } else {
                th_a = pick(ta, sa);
                th_b = pick(tb, sb);
            }
            coop_a = fires(c0, th_a);
            coop_b = fires(c1, th_b);
            /* realised = intended (1 = D) xor execution error */
            ra = _mm256_and_si256(_mm256_xor_si256(_mm256_andnot_si256(coop_a, one),
                                                   _mm256_and_si256(fires(c2, ea), one)), one);
            rb = _mm256_and_si256(_mm256_xor_si256(_mm256_andnot_si256(coop_b, one),
                                                   _mm256_and_si256(fires(c3, eb), one)), one);
            seen_a = rb;
            seen_b = ra;
            if (need_perception) {
                __m256i d0 = _mm256_or_si256(vlo, _mm256_set1_epi32((int)(2u * t + 1u))),
                        d1 = vhi, d2 = vslo, d3 = vshi;
                philox8(&d0, &d1, &d2, &d3, k0, k1);
                seen_a = _mm256_xor_si256(rb, _mm256_and_si256(fires(d0, pa), one));
                seen_b = _mm256_xor_si256(ra, _mm256_and_si256(fires(d1, pb), one));
            }
            sa = _mm256_or_si256(_mm256_slli_epi32(ra, 1), seen_a);
            sb = _mm256_or_si256(_mm256_slli_epi32(rb, 1), seen_b);
            /* count the outcome in lanes still playing (t < length) */
            active = _mm256_cmpgt_epi32(length, _mm256_set1_epi32((int)t));
            outcome = _mm256_or_si256(_mm256_slli_epi32(ra, 1), rb);
            for (i = 0; i < 4; ++i)
                count[i] = _mm256_sub_epi32(
                    count[i], _mm256_and_si256(active, _mm256_cmpeq_epi32(outcome, _mm256_set1_epi32(i))));
        }
    }
    {
        uint32_t out[4][8];
        for (i = 0; i < 4; ++i)
            _mm256_storeu_si256((__m256i *)out[i], count[i]);
        for (l = 0; l < 8; ++l) {
            dlm_match_result *r = &results[jobs[l]];
            r->rounds = len[l];
            for (i = 0; i < 4; ++i)
                r->outcome[i] = out[i][l];
        }
    }
}

#else
int dlm_cpu_lanes_supported(void)
{
    return 0;
}

void dlm_cpu_lanes_ahead(int on)
{
    (void)on;
}

void dlm_cpu_blocks_ahead(uint64_t seed, uint64_t stream, uint64_t first, uint32_t n,
                          dlm_u32x4 *out)
{
    uint32_t l;
    for (l = 0; l < n; ++l)
        out[l] = dlm_philox_block(seed, stream, first + 2u * (uint64_t)l);
}

void dlm_cpu_windows_ahead(uint64_t seed, uint64_t stream, uint32_t first, uint32_t n,
                           dlm_u32x4 *out)
{
    uint32_t l;
    for (l = 0; l < n; ++l)
        out[l] = dlm_philox_block(seed, stream, ((uint64_t)first + l) << 30);
}

dlm_match_result dlm_cpu_lanes_play1(const dlm_match_batch *b, size_t j)
{
    (void)b;
    (void)j;
    return (dlm_match_result){0, {0, 0, 0, 0}};
}

void dlm_cpu_lanes_play8(const dlm_match_batch *b, const size_t jobs[8], dlm_match_result *results)
{
    (void)b;
    (void)jobs;
    (void)results;
}
#endif

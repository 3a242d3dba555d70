/* test_cuda.c — the CUDA backend against the CPU reference (DESIGN.md §4, §9); the
 * structure and the checks of tests/test_opencl.c (parts 1-4 are its code with the backend
 * changed), so both device backends are held to the same bytes:
 *
 *   1. known answers on the device: Philox4x32-10 (tests/data/philox4x32_10_kat.txt),
 *      cuRAND's own device API (curand_init/curand4/curand) against the model's stream, and
 *      the pinned bits of kernels/dlm_math.h (tests/test_math.c), then the device against
 *      the host on many random inputs, bit for bit (nvcc -fmad=false);
 *   2. batches of matches covering every strategy representation, both noise channels,
 *      reaction periods, observation delays, fixed and geometric lengths: results
 *      memcmp-equal to the CPU backend;
 *   3. tournaments through dlm_play_scenario_tournament: every number of the report equal;
 *   4. evolution through dlm_evolve for every rule, structure, mutation kind, agent classes,
 *      exact payoffs, census chunks, an asynchronous generation cut over launches: the
 *      jsonl records and snapshots byte-identical; and the resident interface with inactive
 *      populations;
 *   5. the backend itself: error messages, device selection, the memory refusal.
 * Exits 77 (skipped) where the CUDA backend cannot run (no driver, no device), saying why.
 * Also built as test_cuda_emu against the CUDA emulator (tests/cuda_emu/README.md), where
 * every part but the cuRAND self-test runs on the host.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, setenv */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend_cuda.h"
#include "dlm_math.h"
#include "dlm_philox.h"
#include "evolve.h"
#include "play.h"
#include "strategies.h"

#define SET(dst, text) snprintf((dst), sizeof(dst), "%s", (text))

static const dlm_backend_ops *cpu_ops;
static dlm_backend *cpu_be, *cu_be;
static char cache_dir[512]; /* a scratch folder for the evolution records */

/* For parts 1 and 5: host/backend_cuda.c's test entry points. */
dlm_status dlm_cuda_run_check(dlm_backend *be, const char *name, const void *in, size_t in_bytes,
                              void *out, size_t out_bytes, uint64_t n, dlm_error *err);
dlm_status dlm_cuda_fail_for_test(dlm_error *err, const char *call, const char *what, int rc);

/* --- 1. known answers ------------------------------------------------------------------ */

static void test_philox_known_answers_on_the_device(void **state)
{
    const char *path = DLM_TEST_DATA "/philox4x32_10_kat.txt";
    uint32_t in[6 * 4096], want[4 * 4096], got[4 * 4096];
    char line[512];
    size_t n = 0, kat = 0, i;
    dlm_error err;
    FILE *f = fopen(path, "r");
    (void)state;
    if (!f)
        fail_msg("cannot open %s", path);
    while (fgets(line, sizeof line, f) && n < 64) {
        char name[32];
        unsigned rounds, c[4], k[2], w[4];
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%31s %u %x %x %x %x %x %x %x %x %x %x", name, &rounds, &c[0], &c[1],
                   &c[2], &c[3], &k[0], &k[1], &w[0], &w[1], &w[2], &w[3]) != 12)
            fail_msg("%s: bad line %s", path, line);
        for (i = 0; i < 4; ++i) {
            in[6 * n + i] = c[i];
            want[4 * n + i] = w[i];
        }
        in[6 * n + 4] = k[0];
        in[6 * n + 5] = k[1];
        ++n;
    }
    fclose(f);
    kat = n;
    assert_true(kat >= 3);
    /* then random counters and keys, against the host's Philox */
    for (; n < 4096; ++n) {
        dlm_u32x4 a = dlm_philox_block(99, 1, 2 * n), b = dlm_philox_block(99, 1, 2 * n + 1);
        dlm_u32x4 w;
        for (i = 0; i < 4; ++i)
            in[6 * n + i] = a.v[i];
        in[6 * n + 4] = b.v[0];
        in[6 * n + 5] = b.v[1];
        w = dlm_philox4x32_10(a.v[0], a.v[1], a.v[2], a.v[3], b.v[0], b.v[1]);
        for (i = 0; i < 4; ++i)
            want[4 * n + i] = w.v[i];
    }
    if (dlm_cuda_run_check(cu_be, "dlmk_check_philox", in, sizeof in, got, sizeof got, n, &err) !=
        DLM_OK)
        fail_msg("%s", err.message);
    for (i = 0; i < 4 * n; ++i)
        if (got[i] != want[i])
            fail_msg("vector %zu word %zu: device %08x, expected %08x (%s)", i / 4, i % 4, got[i],
                     want[i], i / 4 < kat ? "known answer" : "host Philox");
    printf("    %zu known answers and %zu random blocks equal on the device\n", kat, n - kat);
}

/* cuRAND's own device API gives the model's stream (the known-answer self-test of cuRAND's
 * stream, DESIGN.md §3): curand_init(seed, subsequence, offset) on the device, then curand4
 * and curand, equal to dlm_philox_word at offset .. offset+7, for the subsequences the
 * model uses (purpose, population, generation) and offsets (index, word) at every phase. */
static void test_curand_stream_on_the_device(void **state)
{
    enum { N = 4096 };
    static uint64_t in[3 * N];
    static uint32_t got[8 * N];
    dlm_error err;
    size_t i, k;
    (void)state;
#ifdef DLM_CUDA_EMULATOR
    skip(); /* the emulator has no cuRAND: tests/test_curand_layout.cpp pins it on the host */
#endif
    for (i = 0; i < N; ++i) {
        dlm_u32x4 r = dlm_philox_block(2024, 5, i);
        uint64_t seed = i % 3 == 0 ? 1u : ((uint64_t)r.v[0] << 32 | r.v[1]);
        uint32_t purpose = 1u + (uint32_t)(i % 11u);
        in[3 * i] = seed;
        in[3 * i + 1] = dlm_stream_id(purpose, r.v[2] % 1000u, (uint64_t)r.v[3] % 100000u);
        in[3 * i + 2] =
            ((uint64_t)(r.v[2] >> 8) << 32) | (i % 4u) | ((uint64_t)(r.v[3] & 0xffu) << 2);
    }
    if (dlm_cuda_run_check(cu_be, "dlmk_check_curand", in, sizeof in, got, sizeof got, N, &err) !=
        DLM_OK)
        fail_msg("%s", err.message);
    for (i = 0; i < N; ++i)
        for (k = 0; k < 8; ++k) {
            uint32_t want = dlm_philox_word(in[3 * i], in[3 * i + 1], in[3 * i + 2] + k);
            if (got[8 * i + k] != want)
                fail_msg("seed %llx subsequence %llx offset %llx + %zu: cuRAND on the device %08x, "
                         "the model %08x",
                         (unsigned long long)in[3 * i], (unsigned long long)in[3 * i + 1],
                         (unsigned long long)in[3 * i + 2], k, got[8 * i + k], want);
        }
    printf("    %d (seed, subsequence, offset): cuRAND's device stream is the model's\n", N);
}

static uint64_t bits(double x)
{
    return DLM_DOUBLE_BITS(x);
}

/* One item of dlmk_check_math. */
typedef struct math_item {
    uint64_t x, beta, delta, p, w01, w23;
} math_item;

static math_item item(double x, double beta, double delta, double p, const uint32_t w[4])
{
    math_item it;
    it.x = bits(x);
    it.beta = bits(beta);
    it.delta = bits(delta);
    it.p = bits(p);
    it.w01 = w ? (uint64_t)w[0] | (uint64_t)w[1] << 32 : 0;
    it.w23 = w ? (uint64_t)w[2] | (uint64_t)w[3] << 32 : 0;
    return it;
}

/* What the device must compute for an item: the same functions on the host. */
static void host_math(const math_item *it, uint64_t out[8])
{
    double x = DLM_BITS_DOUBLE(it->x),
           f = dlm_fermi(DLM_BITS_DOUBLE(it->beta), DLM_BITS_DOUBLE(it->delta));
    uint32_t w0 = (uint32_t)it->w01, w1 = (uint32_t)(it->w01 >> 32), w2 = (uint32_t)it->w23,
             w3 = (uint32_t)(it->w23 >> 32);
    dlm_f64x2 g = dlm_gaussian_pair(w0, w1, w2, w3);
    out[0] = bits(dlm_exp(x));
    out[1] = bits(dlm_log(x));
    out[2] = bits(f);
    out[3] = dlm_probability_threshold_from_double(f);
    out[4] = bits(g.v[0]);
    out[5] = bits(g.v[1]);
    out[6] = bits(dlm_uniform_double(w0, w1));
    out[7] = dlm_probability_threshold_from_double(DLM_BITS_DOUBLE(it->p));
}

#define MATH_ITEMS 20000

static void test_math_bits_on_the_device(void **state)
{
    /* the pinned values of tests/test_math.c */
    static const struct {
        double x;
        uint64_t exp_bits, log_bits;
    } xs[] = {
        {1, 0x4005bf0a8b14576aull, 0x0000000000000000ull},
        {0.5, 0x3ffa61298e1e069cull, 0xbfe62e42fefa39efull},
        {1.0000000000000001e-05, 0x3ff0000a7c5e340eull, 0xc027069e2aa2aa5bull},
        {2.5, 0x40285d6fd931e0bbull, 0x3fed5240f0e0e078ull},
        {-2.5, 0x3fb50385c094f425ull, 0x3fed5240f0e0e078ull},
        {10, 0x40d5829dcf950560ull, 0x40026bb1bbb55516ull},
        {-10, 0x3f07cd79b5647c9aull, 0x40026bb1bbb55516ull},
        {100, 0x48f3494a9b171bf5ull, 0x40126bb1bbb55516ull},
        {-100, 0x36ea8c1f14e2af5dull, 0x40126bb1bbb55516ull},
        {700, 0x7f0d945df4f8ec8eull, 0x401a344e6741ebabull},
        {-707, 0x003029ade2342558ull, 0x401a3e7ed2a850c7ull},
        {-740, 0x0000000000000055ull, 0x401a6d35b4d755a7ull},
        {709.5, 0x7fe81e9b4b52d0c9ull, 0x401a421c25960b33ull},
        {0.10000000000000001, 0x3ff1aec7b35a00d4ull, 0xc0026bb1bbb55515ull},
        {3e-09, 0x3ff0000000ce288full, 0xc0339fe94b812f88ull},
        {9.9999999999999694e-311, 0x3ff0000000000000ull, 0xc0864e69394d9508ull},
    };
    static const struct {
        double beta, delta;
        uint64_t bits, threshold;
    } fs[] = {
        {1, 0, 0x3fe0000000000000ull, 2147483648u},
        {1, 1, 0x3fe764d4f5d5a2bdull, 3139872687u},
        {1, -1, 0x3fd136561454ba86ull, 1155094609u},
        {0.10000000000000001, 2, 0x3fe1983d7795f414ull, 2361519037u},
        {0.10000000000000001, -2, 0x3fdccf8510d417d9ull, 1933448259u},
        {10, 3.5, 0x3feffffffffffffaull, 4294967296u},
        {10, -3.5, 0x3cc6b7719a59f0dcull, 0u},
        {2, -20, 0x3c539792499b1a24ull, 0u},
        {1, -1000, 0x0000000000000000ull, 0u},
        {0.01, 0.5, 0x3fe00a3d6f3ded4dull, 2152852346u},
    };
    static const struct {
        uint32_t w[4];
        uint64_t z0, z1;
    } gs[] = {
        {{0xE58D23F8u, 0xF9565182u, 0xD5428198u, 0x05CA6478u},
         0x3fcdcb9d11d92bccull,
         0xbfd9e95481d5591cull},
        {{0x1C38C5EAu, 0xC4822CD9u, 0x62F5C215u, 0xCD4049BFu},
         0xbff96bcfb2018b1aull,
         0x3ff5f8d4c1d596b1ull},
        {{0x9BEC1500u, 0x4822B9A2u, 0x0D301946u, 0x1DACB8F3u},
         0x3fee36127bf4d35full,
         0x3fd445386ab437c9ull},
        {{0xA6C02A33u, 0xBE418B05u, 0xDFDD7688u, 0x27EE53E4u},
         0x3fe4e1ccb9569f6aull,
         0xbfe50551c65ed38eull},
        {{0x94AF2498u, 0x8097EA36u, 0xC636080Fu, 0x125E4B98u},
         0x3fc44324c188dce9ull,
         0xbff07c5dd5f5b494ull},
        {{0x0B4D260Bu, 0x1A01A9C3u, 0xEB08545Bu, 0x09D80E6Eu},
         0x4001657947a9eb75ull,
         0xbff3ac552244e598ull},
    };
    static math_item in[MATH_ITEMS];
    static uint64_t out[8 * MATH_ITEMS];
    size_t n = 0, i, k, pinned;
    dlm_error err;
    (void)state;
    for (i = 0; i < sizeof xs / sizeof *xs; ++i) {
        in[n++] = item(xs[i].x, 1, 0, 0.5, NULL);
        in[n++] = item(fabs(xs[i].x), 1, 0, 0.5, NULL);
    }
    for (i = 0; i < sizeof fs / sizeof *fs; ++i)
        in[n++] = item(1, fs[i].beta, fs[i].delta, 0.5, NULL);
    for (i = 0; i < sizeof gs / sizeof *gs; ++i)
        in[n++] = item(1, 1, 0, 0.5, gs[i].w);
    pinned = n;
    for (; n < MATH_ITEMS; ++n) { /* random inputs over every range the functions handle */
        dlm_u32x4 a = dlm_philox_block(2024, 5, 2 * n), b = dlm_philox_block(2024, 5, 2 * n + 1);
        double u = dlm_uniform_double(a.v[0], a.v[1]), x;
        if (n % 3 == 0) /* exp's whole range and beyond */
            x = -750.0 + 1465.0 * u;
        else if (n % 3 == 1) /* any positive finite double, subnormals included */
            x = DLM_BITS_DOUBLE(((uint64_t)a.v[2] << 32 | a.v[3]) % 0x7FF0000000000000ull);
        else
            x = -2.0 + 40.0 * u;
        in[n] = item(x, 20.0 * dlm_uniform_double(a.v[2], a.v[3]),
                     -30.0 + 60.0 * dlm_uniform_double(b.v[0], b.v[1]),
                     -0.1 + 1.2 * dlm_uniform_double(b.v[2], b.v[3]), b.v);
    }
    if (dlm_cuda_run_check(cu_be, "dlmk_check_math", in, sizeof in, out, sizeof out, n, &err) !=
        DLM_OK)
        fail_msg("%s", err.message);
    for (i = 0, k = 0; i < sizeof xs / sizeof *xs; ++i, k += 2) {
        if (out[8 * k] != xs[i].exp_bits)
            fail_msg("device exp(%.17g) = 0x%016llx, expected 0x%016llx", xs[i].x,
                     (unsigned long long)out[8 * k], (unsigned long long)xs[i].exp_bits);
        if (out[8 * (k + 1) + 1] != xs[i].log_bits)
            fail_msg("device log(%.17g) = 0x%016llx, expected 0x%016llx", fabs(xs[i].x),
                     (unsigned long long)out[8 * (k + 1) + 1], (unsigned long long)xs[i].log_bits);
    }
    for (i = 0; i < sizeof fs / sizeof *fs; ++i, ++k)
        if (out[8 * k + 2] != fs[i].bits || out[8 * k + 3] != fs[i].threshold)
            fail_msg("device fermi(%g, %g) = 0x%016llx, threshold %llu", fs[i].beta, fs[i].delta,
                     (unsigned long long)out[8 * k + 2], (unsigned long long)out[8 * k + 3]);
    for (i = 0; i < sizeof gs / sizeof *gs; ++i, ++k)
        if (out[8 * k + 4] != gs[i].z0 || out[8 * k + 5] != gs[i].z1)
            fail_msg("device gaussian #%zu = 0x%016llx, 0x%016llx", i,
                     (unsigned long long)out[8 * k + 4], (unsigned long long)out[8 * k + 5]);
    for (i = 0; i < n; ++i) {
        static const char *what[8] = {
            "exp",         "log",         "fermi",          "fermi threshold",
            "gaussian z0", "gaussian z1", "uniform double", "threshold"};
        uint64_t want[8];
        host_math(&in[i], want);
        for (k = 0; k < 8; ++k)
            if (out[8 * i + k] != want[k])
                fail_msg("item %zu: device %s = 0x%016llx, host 0x%016llx (x = %a)", i, what[k],
                         (unsigned long long)out[8 * i + k], (unsigned long long)want[k],
                         DLM_BITS_DOUBLE(in[i].x));
    }
    printf("    %zu pinned and %zu random inputs: exp, log, fermi, thresholds, gaussians equal "
           "bit for bit\n",
           pinned, n - pinned);
}

/* --- 2. matches --------------------------------------------------------------------------- */

#define MAX_STRATS 256

/* Strategies of every representation: the library, then random ones. */
static size_t make_strategies(dlm_strategy *s)
{
    dlm_game game;
    dlm_error err;
    size_t n = 0, i;
    uint64_t stream = dlm_stream_id(DLM_PURPOSE_BENCH, 7, 7);
    assert_int_equal(dlm_game_preset("pd", NAN, NAN, &game, &err), DLM_OK);
    for (i = 0; i < dlm_strategy_library_count() && n < 100; ++i) {
        dlm_strategy_def def;
        if (dlm_strategy_parse(dlm_strategy_library_entry(i)->name, &game, &def, &err) == DLM_OK)
            s[n++] = def.model;
    }
    for (i = 0; n < MAX_STRATS; ++i) {
        dlm_u32x4 a = dlm_philox_window_block(5, stream, (uint32_t)i, 0);
        dlm_u32x4 b = dlm_philox_window_block(5, stream, (uint32_t)i, 1);
        dlm_strategy *t = &s[n++];
        memset(t, 0, sizeof *t);
        if (i % 3 == 0) { /* memory-one, some entries exactly 0 or 1 */
            int k;
            t->kind = DLM_STRAT_MEMORY_ONE;
            for (k = 0; k < 5; ++k) {
                uint32_t w = k < 4 ? a.v[k] : b.v[0];
                t->threshold[k] = (w & 7u) == 0 ? 0u : (w & 7u) == 1 ? (uint64_t)1 << 32 : w;
            }
        } else if (i % 3 == 1) { /* lookup, depth 1..3 */
            uint32_t depth = 1u + a.v[0] % 3u, entries = 1u << (2u * depth); /* 4, 16, 64 */
            t->kind = DLM_STRAT_LOOKUP;
            t->depth = depth;
            t->table = (uint64_t)a.v[1] << 32 | a.v[2];
            if (entries < 64)
                t->table &= ((uint64_t)1 << entries) - 1u;
            t->opening = a.v[3] & ((1u << depth) - 1u);
        } else { /* Moore machine, 1..16 states */
            uint32_t states = 1u + a.v[0] % 16u, k;
            t->kind = DLM_STRAT_FSM;
            t->depth = states;
            t->opening = a.v[1] % states;
            t->fsm_output = a.v[2] & ((1u << states) - 1u);
            for (k = 0; k < states; ++k) {
                dlm_u32x4 c = dlm_philox_window_block(5, stream, (uint32_t)i, 2 + k);
                t->fsm_next_c |= (uint64_t)(c.v[0] % states) << (4u * k);
                t->fsm_next_d |= (uint64_t)(c.v[1] % states) << (4u * k);
            }
            (void)b;
        }
    }
    return n;
}

static void play_both(const dlm_match_batch *b, const char *what)
{
    dlm_match_result *ref = calloc(b->n_jobs, sizeof *ref), *got = calloc(b->n_jobs, sizeof *got);
    dlm_error err;
    size_t i;
    assert_non_null(ref);
    assert_non_null(got);
    if (cpu_ops->play_matches(cpu_be, b, ref, &err) != DLM_OK)
        fail_msg("cpu: %s", err.message);
    if (dlm_backend_cuda.play_matches(cu_be, b, got, &err) != DLM_OK)
        fail_msg("cuda: %s", err.message);
    for (i = 0; i < b->n_jobs; ++i)
        if (memcmp(&ref[i], &got[i], sizeof ref[i]) != 0)
            fail_msg("%s: job %zu (strategies %u, %u; params %u, %u): cpu %u rounds "
                     "%u/%u/%u/%u, cuda %u rounds %u/%u/%u/%u",
                     what, i, b->jobs[i].strategy[0], b->jobs[i].strategy[1], b->jobs[i].params[0],
                     b->jobs[i].params[1], ref[i].rounds, ref[i].outcome[0], ref[i].outcome[1],
                     ref[i].outcome[2], ref[i].outcome[3], got[i].rounds, got[i].outcome[0],
                     got[i].outcome[1], got[i].outcome[2], got[i].outcome[3]);
    free(ref);
    free(got);
}

static void test_matches_identical_to_cpu(void **state)
{
    static dlm_strategy strategies[MAX_STRATS];
    static const struct {
        double e, p;
        uint32_t k, d;
    } settings[] = {{0, 0, 1, 0},    {0.05, 0, 1, 0}, {0, 0.03, 1, 0},   {0.02, 0.02, 3, 0},
                    {0.01, 0, 1, 5}, {0, 0.05, 2, 2}, {0.1, 0.1, 7, 60}, {1, 0, 1, 0},
                    {0, 1, 1, 0},    {0.5, 0.5, 4, 1}};
    enum { N_PARAMS = sizeof settings / sizeof settings[0], N_JOBS = 6000 };
    dlm_player_params params[N_PARAMS];
    static dlm_match_job jobs[N_JOBS];
    dlm_match_batch b;
    size_t n = make_strategies(strategies), i;
    int geometric;
    (void)state;
    for (i = 0; i < N_PARAMS; ++i) {
        params[i].execution_error = dlm_probability_threshold(settings[i].e);
        params[i].perception_error = dlm_probability_threshold(settings[i].p);
        params[i].reaction_period = settings[i].k;
        params[i].observation_delay = settings[i].d;
    }
    for (i = 0; i < N_JOBS; ++i) {
        dlm_u32x4 r = dlm_philox_block(77, 3, i);
        jobs[i].strategy[0] = r.v[0] % n;
        jobs[i].strategy[1] = r.v[1] % n;
        jobs[i].params[0] = r.v[2] % N_PARAMS;
        jobs[i].params[1] = (r.v[2] >> 16) % N_PARAMS;
        jobs[i].population = r.v[3] & 0xFFFFFu;
        jobs[i].index = (uint32_t)i * 2654435761u;
        jobs[i].generation = ((uint64_t)r.v[3] << 8) & 0xFFFFFFFFFFull;
    }
    memset(&b, 0, sizeof b);
    b.seed = 0x0123456789ABCDEFull;
    b.strategies = strategies;
    b.n_strategies = n;
    b.params = params;
    b.n_params = N_PARAMS;
    b.jobs = jobs;
    b.n_jobs = N_JOBS;
    for (geometric = 0; geometric < 2; ++geometric) {
        b.rules.geometric = (uint32_t)geometric;
        b.rules.rounds = geometric ? 400 : 157;
        b.rules.continuation = geometric ? dlm_probability_threshold(0.97) : 0;
        play_both(&b, geometric ? "geometric length" : "fixed length");
    }
    b.rules.geometric = 1; /* w = 1: every match runs to its cap */
    b.rules.rounds = 33;
    b.rules.continuation = (uint64_t)1 << 32;
    play_both(&b, "geometric, w = 1");
    b.n_jobs = 1; /* a single job */
    play_both(&b, "one job");
    printf("    %d jobs x 3 rule sets over %zu strategies (memory-one, lookup, fsm) and %d "
           "noise/timescale settings: identical\n",
           N_JOBS, n, (int)N_PARAMS);
}

static void test_bad_job_is_refused_like_cpu(void **state)
{
    dlm_strategy s[2];
    dlm_player_params p;
    dlm_match_job jobs[9];
    dlm_match_result out[9];
    dlm_match_batch b;
    dlm_error err;
    (void)state;
    memset(s, 0, sizeof s);
    memset(&p, 0, sizeof p);
    memset(jobs, 0, sizeof jobs);
    s[0].kind = s[1].kind = DLM_STRAT_MEMORY_ONE;
    p.reaction_period = 1;
    jobs[7].strategy[1] = 2;
    memset(&b, 0, sizeof b);
    b.strategies = s;
    b.n_strategies = 2;
    b.params = &p;
    b.n_params = 1;
    b.rules.rounds = 5;
    b.jobs = jobs;
    b.n_jobs = 9;
    assert_int_equal(dlm_backend_cuda.play_matches(cu_be, &b, out, &err), DLM_ERR_RUNTIME);
    assert_non_null(strstr(err.message, "job 7"));
}

/* --- 3. tournaments ------------------------------------------------------------------------- */

static void test_tournament_identical_to_cpu(void **state)
{
    static const char *names[] = {"tft",
                                  "wsls",
                                  "gtft",
                                  "grim",
                                  "tf2t",
                                  "prober",
                                  "random",
                                  "alld",
                                  "m1(0.9,0.8,0.1,0.7,0.2)",
                                  "lookup(2,CD,CCDDCCDDCDCDCDCD)",
                                  "fsm(C:0:1,D:2:1,D:0:1)",
                                  "extort"};
    enum { N = sizeof names / sizeof names[0] };
    dlm_player_spec entrants[N];
    dlm_scenario sc;
    dlm_tournament_report a, b;
    dlm_error err;
    size_t i;
    int geometric;
    (void)state;
    for (geometric = 0; geometric < 2; ++geometric) {
        memset(&sc, 0, sizeof sc);
        assert_int_equal(dlm_game_preset("pd", NAN, NAN, &sc.game, &err), DLM_OK);
        sc.mode = DLM_MODE_TOURNAMENT;
        sc.seed = 1234 + (uint64_t)geometric;
        sc.rounds = geometric ? 300 : 120;
        sc.geometric = geometric;
        sc.continuation = 0.95;
        sc.repetitions = 3;
        sc.self_play = 1;
        for (i = 0; i < N; ++i) {
            memset(&entrants[i], 0, sizeof entrants[i]);
            SET(entrants[i].strategy, names[i]);
            entrants[i].execution_error = (double)(i % 3) * 0.01;
            entrants[i].perception_error = (double)(i % 4) * 0.01;
            entrants[i].reaction_period = 1u + (uint32_t)(i % 5 == 4 ? 3 : 0);
            entrants[i].observation_delay = (uint32_t)(i % 6 == 5 ? 2 : 0);
        }
        sc.entrants = entrants;
        sc.n_entrants = N;
        if (dlm_play_scenario_tournament(&sc, cpu_ops, cpu_be, &a, &err) != DLM_OK)
            fail_msg("cpu: %s", err.message);
        if (dlm_play_scenario_tournament(&sc, &dlm_backend_cuda, cu_be, &b, &err) != DLM_OK)
            fail_msg("cuda: %s", err.message);
        assert_int_equal(a.n, b.n);
        assert_memory_equal(a.matrix, b.matrix, N * N * sizeof *a.matrix);
        assert_memory_equal(a.mean_payoff, b.mean_payoff, N * sizeof *a.mean_payoff);
        assert_memory_equal(a.wins, b.wins, N * sizeof *a.wins);
        assert_memory_equal(a.matches, b.matches, N * sizeof *a.matches);
        assert_memory_equal(a.cooperation, b.cooperation, N * sizeof *a.cooperation);
        assert_memory_equal(a.rank, b.rank, N * sizeof *a.rank);
        assert_true(a.total_matches == b.total_matches && a.total_rounds == b.total_rounds);
        dlm_tournament_report_free(&a);
        dlm_tournament_report_free(&b);
    }
    printf("    %d entrants with mixed noise and timescales, fixed and geometric: identical\n",
           (int)N);
}

/* --- 4. evolution ----------------------------------------------------------------------- */

/* The whole of a file (malloc'd) and its length. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        fail_msg("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_true(fread(buf, 1, (size_t)n, f) == (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Runs the scenario with dlm_evolve on a backend: records (jsonl) to records_path, the
 * snapshot to snapshot_path. */
static void evolve_on(dlm_scenario *sc, const dlm_evo_plan *plan, const dlm_backend_ops *ops,
                      dlm_backend *be, const char *records_path, const char *snapshot_path,
                      dlm_evo_outcome *out)
{
    FILE *records = fopen(records_path, "w");
    dlm_error err;
    assert_non_null(records);
    SET(sc->evolution.snapshot_file, snapshot_path);
    if (dlm_evolve(sc, plan, ops, be, records, DLM_FMT_JSONL, out, &err) != DLM_OK)
        fail_msg("%s: dlm_evolve: %s", ops->name, err.message);
    fclose(records);
}

static void scenario_base(dlm_scenario *sc, const char *rule, uint32_t n, uint32_t pops)
{
    dlm_evolution_spec *ev = &sc->evolution;
    dlm_error err;
    memset(sc, 0, sizeof *sc);
    assert_int_equal(dlm_game_preset("pd", NAN, NAN, &sc->game, &err), DLM_OK);
    sc->mode = DLM_MODE_EVOLVE;
    sc->seed = 31337;
    sc->rounds = 8;
    sc->match_defaults.reaction_period = 1;
    sc->match_defaults.execution_error = 0.02;
    sc->match_defaults.perception_error = 0.01;
    ev->population = n;
    ev->populations = pops;
    ev->generations = 12;
    ev->record_every = 3;
    ev->snapshot_every = 6;
    SET(ev->rule, rule);
    ev->selection = 0.5;
    SET(ev->fitness, "linear");
    SET(ev->structure.type, "well-mixed");
    ev->replacement = ev->structure;
    SET(ev->mutation_kind, "none");
    SET(ev->initial, "random");
    ev->tolerance = 0.1;
}

static void test_evolution_identical_to_cpu(void **state)
{
    static dlm_share m1_set[4], lookup_shares[3], fsm_shares[4], two[2], lookup_set[2];
    static dlm_class_spec classes[2];
    char dir[600], rec_cpu[700], rec_cu[700], snap_cpu[700], snap_cu[700];
    int c;
    (void)state;
    SET(m1_set[0].strategy, "tft");
    SET(m1_set[1].strategy, "alld");
    SET(m1_set[2].strategy, "wsls");
    SET(m1_set[3].strategy, "gtft");
    SET(lookup_shares[0].strategy, "tf2t");
    SET(lookup_shares[1].strategy, "lookup(1,C,CDCD)");
    SET(lookup_shares[2].strategy,
        "lookup(3,CDC,CDCDCDCDDDCDCDCCCDCDCCCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCD)");
    lookup_shares[0].share = lookup_shares[1].share = 0.4;
    lookup_shares[2].share = 0.2;
    SET(lookup_set[0].strategy, "tf2t");
    SET(lookup_set[1].strategy, "lookup(2,DD,CCCCDDDDCDCDDCDC)");
    SET(fsm_shares[0].strategy, "grim");
    SET(fsm_shares[1].strategy, "2tft");
    SET(fsm_shares[2].strategy, "prober");
    SET(fsm_shares[3].strategy, "cycler");
    fsm_shares[0].share = fsm_shares[1].share = fsm_shares[2].share = fsm_shares[3].share = 0.25;
    SET(two[0].strategy, "allc");
    SET(two[1].strategy, "alld");
    two[0].share = 0.7;
    two[1].share = 0.3;
    memset(classes, 0, sizeof classes);
    SET(classes[0].name, "fast");
    classes[0].share = 0.5;
    classes[0].player.execution_error = 0.01;
    classes[0].player.reaction_period = 1;
    SET(classes[1].name, "slow");
    classes[1].share = 0.5;
    classes[1].player.execution_error = 0.05;
    classes[1].player.perception_error = 0.05;
    classes[1].player.reaction_period = 4;
    classes[1].player.observation_delay = 2;
    snprintf(dir, sizeof dir, "%s/evo", cache_dir);
    mkdir(dir, 0755);
    snprintf(rec_cpu, sizeof rec_cpu, "%s/cpu.jsonl", dir);
    snprintf(rec_cu, sizeof rec_cu, "%s/cuda.jsonl", dir);
    snprintf(snap_cpu, sizeof snap_cpu, "%s/cpu.snapshot", dir);
    snprintf(snap_cu, sizeof snap_cu, "%s/cuda.snapshot", dir);
    for (c = 0; c < 14; ++c) {
        dlm_scenario sc;
        dlm_evolution_spec *ev = &sc.evolution;
        dlm_evo_plan plan;
        dlm_evo_outcome *oa, *ob;
        dlm_error err;
        const char *what = "";
        char *a, *b;
        size_t la, lb, sa, sb;
        if (c == 0) {
            what = "moran-bd, complete, classes (k=1 / k=4,d=2), fixation";
            scenario_base(&sc, "moran-bd", 10, 6);
            SET(ev->initial, "shares");
            ev->shares = m1_set;
            m1_set[0].share = m1_set[1].share = m1_set[2].share = m1_set[3].share = 0.25;
            ev->n_shares = 4;
            ev->classes = classes;
            ev->n_classes = 2;
            ev->stop_at_fixation = 1;
            ev->generations = 60;
            ev->record_every = 2;
        } else if (c == 12 || c == 13) {
            /* stop at fixation inside a step: found where the populations live, each at
               its own generation, the census of that generation reported */
            what = c == 12 ? "moran-bd, complete, fixation inside a 40-generation step"
                           : "wright-fisher, complete, fixation inside a 40-generation step";
            scenario_base(&sc, c == 12 ? "moran-bd" : "wright-fisher", 10, 12);
            SET(ev->initial, "shares");
            ev->shares = m1_set;
            m1_set[0].share = m1_set[1].share = m1_set[2].share = m1_set[3].share = 0.25;
            ev->n_shares = 4;
            ev->selection = 1.0;
            ev->stop_at_fixation = 1;
            ev->generations = 400;
            ev->record_every = 40;
        } else if (c == 1) {
            what = "moran-db, sampled (3), exponential, random-memory-one";
            scenario_base(&sc, "moran-db", 16, 4);
            ev->structure.partners = 3;
            ev->replacement = ev->structure;
            SET(ev->fitness, "exponential");
            SET(ev->mutation_kind, "random-memory-one");
            ev->mutation_rate = 0.1;
            ev->classes = classes;
            ev->n_classes = 2;
        } else if (c == 2) {
            what = "fermi, ring (k=2), gaussian, geometric matches";
            scenario_base(&sc, "fermi", 20, 3);
            SET(ev->structure.type, "ring");
            ev->structure.k = 2;
            ev->replacement = ev->structure;
            SET(ev->mutation_kind, "gaussian");
            ev->mutation_rate = 0.2;
            ev->sigma = 0.1;
            ev->selection = 2.0;
            sc.geometric = 1;
            sc.continuation = 0.8;
            sc.rounds = 30;
        } else if (c == 3) {
            what = "fermi, complete, set mutation, classes";
            scenario_base(&sc, "fermi", 12, 5);
            SET(ev->mutation_kind, "set");
            ev->mutation_rate = 0.1;
            ev->mutation_set = m1_set;
            ev->n_mutation_set = 4;
            ev->classes = classes;
            ev->n_classes = 2;
        } else if (c == 4) {
            what = "fermi-sync, 5x5 von Neumann lattice, lookup-flip";
            scenario_base(&sc, "fermi-sync", 25, 2);
            SET(ev->structure.type, "lattice");
            ev->structure.width = ev->structure.height = 5;
            SET(ev->structure.neighbourhood, "von-neumann");
            ev->replacement = ev->structure;
            SET(ev->initial, "shares");
            ev->shares = lookup_shares;
            ev->n_shares = 3;
            SET(ev->mutation_kind, "lookup-flip");
            ev->mutation_rate = 0.1;
        } else if (c == 5) {
            what = "wright-fisher, complete, fsm-edit, exponential";
            scenario_base(&sc, "wright-fisher", 24, 3);
            SET(ev->initial, "shares");
            ev->shares = fsm_shares;
            ev->n_shares = 4;
            SET(ev->mutation_kind, "fsm-edit");
            ev->mutation_rate = 0.1;
            SET(ev->fitness, "exponential");
        } else if (c == 6) {
            what = "wright-fisher, 4x6 Moore lattice, set mutation, classes";
            scenario_base(&sc, "wright-fisher", 24, 1);
            SET(ev->structure.type, "lattice");
            ev->structure.width = 4;
            ev->structure.height = 6;
            SET(ev->structure.neighbourhood, "moore");
            ev->replacement = ev->structure;
            SET(ev->initial, "shares");
            ev->shares = lookup_set;
            lookup_set[0].share = lookup_set[1].share = 0.5;
            ev->n_shares = 2;
            SET(ev->mutation_kind, "set");
            ev->mutation_rate = 0.1;
            ev->mutation_set = lookup_set;
            ev->n_mutation_set = 2;
            ev->classes = classes;
            ev->n_classes = 2;
        } else if (c == 7) {
            what = "imitate-best, 8x8 Moore lattice + self, accumulate total";
            scenario_base(&sc, "imitate-best", 64, 2);
            sc.rounds = 1;
            sc.match_defaults.execution_error = sc.match_defaults.perception_error = 0;
            sc.game.R = 1;
            sc.game.S = 0;
            sc.game.T = 1.85;
            sc.game.P = 0;
            SET(sc.game.name, "custom");
            SET(ev->structure.type, "lattice");
            ev->structure.width = ev->structure.height = 8;
            SET(ev->structure.neighbourhood, "moore");
            ev->structure.self_loops = 1;
            ev->replacement = ev->structure;
            ev->replacement.self_loops = 0;
            ev->accumulate_total = 1;
            SET(ev->initial, "shares");
            ev->shares = two;
            ev->n_shares = 2;
        } else if (c == 8) {
            what = "moran-bd, exact payoffs, sampled (4), random-memory-one";
            scenario_base(&sc, "moran-bd", 20, 3);
            sc.rounds = 50;
            ev->payoff_exact = 1;
            ev->structure.partners = 4;
            ev->replacement = ev->structure;
            SET(ev->mutation_kind, "random-memory-one");
            ev->mutation_rate = 0.05;
            ev->selection = 1.0;
            SET(ev->fitness, "exponential");
        } else if (c == 9) {
            what = "moran-db, 6x6 lattice, exact payoffs, gaussian";
            scenario_base(&sc, "moran-db", 36, 2);
            sc.rounds = 20;
            ev->payoff_exact = 1;
            SET(ev->structure.type, "lattice");
            ev->structure.width = ev->structure.height = 6;
            SET(ev->structure.neighbourhood, "von-neumann");
            ev->replacement = ev->structure;
            SET(ev->mutation_kind, "gaussian");
            ev->mutation_rate = 0.1;
            ev->sigma = 0.05;
        } else if (c == 10) {
            /* more events than one launch runs: a generation cut into slices */
            what = "moran-db, 20000 agents (a generation in two launches)";
            scenario_base(&sc, "moran-db", 20000, 1);
            sc.rounds = 2;
            ev->structure.partners = 1;
            ev->replacement = ev->structure;
            ev->generations = 2;
            ev->record_every = 1;
            ev->snapshot_every = 2;
            SET(ev->mutation_kind, "random-memory-one");
            ev->mutation_rate = 0.01;
        } else {
            /* three chunks: merging two is commutative, three shows the association */
            what = "fermi-sync, 9000 agents (three census chunks), sampled (1)";
            scenario_base(&sc, "fermi-sync", 9000, 1);
            sc.rounds = 3;
            ev->structure.partners = 1;
            ev->replacement = ev->structure;
            ev->generations = 2;
            ev->record_every = 1;
            ev->snapshot_every = 2;
            SET(ev->mutation_kind, "random-memory-one");
            ev->mutation_rate = 0.01;
        }
        if (dlm_evo_plan_build(&sc, &plan, &err) != DLM_OK)
            fail_msg("%s: plan: %s", what, err.message);
        oa = calloc(plan.n_populations, sizeof *oa);
        ob = calloc(plan.n_populations, sizeof *ob);
        assert_non_null(oa);
        assert_non_null(ob);
        remove(snap_cpu);
        remove(snap_cu);
        evolve_on(&sc, &plan, cpu_ops, cpu_be, rec_cpu, snap_cpu, oa);
        evolve_on(&sc, &plan, &dlm_backend_cuda, cu_be, rec_cu, snap_cu, ob);
        a = slurp(rec_cpu, &la);
        b = slurp(rec_cu, &lb);
        if (la != lb || memcmp(a, b, la) != 0) {
            size_t i;
            for (i = 0; i < la && i < lb && a[i] == b[i]; ++i)
                ;
            fail_msg("%s: records differ at byte %zu of %zu/%zu:\ncpu:    %.200s\ncuda:   %.200s",
                     what, i, la, lb, a + (i > 80 ? i - 80 : 0), b + (i > 80 ? i - 80 : 0));
        }
        if (memcmp(oa, ob, plan.n_populations * sizeof *oa) != 0)
            fail_msg("%s: final outcomes differ", what);
        if (c >= 12) { /* the case must exercise it: some fixed between two censuses */
            size_t q, inside = 0;
            for (q = 0; q < plan.n_populations; ++q)
                inside += oa[q].fixed && oa[q].fixation_generation % ev->record_every != 0;
            if (inside == 0)
                fail_msg("%s: no population fixed between two censuses", what);
        }
        free(a);
        free(b);
        if (access(snap_cpu, F_OK) != 0 || access(snap_cu, F_OK) != 0) {
            /* a run that stopped (fixation) before its first snapshot writes none */
            assert_int_equal(access(snap_cpu, F_OK), access(snap_cu, F_OK));
            printf("    %-58s %6zu bytes of records identical (no snapshot)\n", what, la);
        } else {
            a = slurp(snap_cpu, &sa);
            b = slurp(snap_cu, &sb);
            if (sa != sb || memcmp(a, b, sa) != 0)
                fail_msg("%s: snapshots differ", what);
            printf("    %-58s %6zu bytes of records, snapshot identical\n", what, la);
            free(a);
            free(b);
        }
        free(oa);
        free(ob);
        dlm_evo_plan_free(&plan);
    }
}

/* The resident interface directly: runs with some populations inactive, censuses in
 * between, counts added into what the caller holds. */
static void test_resident_populations_identical(void **state)
{
    dlm_scenario sc;
    dlm_evo_plan plan;
    dlm_evo_setup setup;
    dlm_evo_state *sa = NULL, *sb = NULL;
    dlm_evo_counts ca[4], cb[4];
    dlm_evo_census ea[4], eb[4];
    dlm_strategy *xa, *xb;
    uint8_t active[4] = {1, 0, 1, 1};
    dlm_error err;
    int rule;
    (void)state;
    for (rule = 0; rule < 2; ++rule) {
        scenario_base(&sc, rule ? "wright-fisher" : "moran-db", 30, 4);
        SET(sc.evolution.mutation_kind, "random-memory-one");
        sc.evolution.mutation_rate = 0.05;
        if (dlm_evo_plan_build(&sc, &plan, &err) != DLM_OK)
            fail_msg("plan: %s", err.message);
        dlm_evo_plan_setup(&plan, sc.seed, &setup);
        assert_int_equal(cpu_ops->evo_create(cpu_be, &setup, &sa, &err), DLM_OK);
        if (dlm_backend_cuda.evo_create(cu_be, &setup, &sb, &err) != DLM_OK)
            fail_msg("cuda evo_create: %s", err.message);
        memset(ca, 0, sizeof ca);
        memset(cb, 0, sizeof cb);
        ca[2].moves = cb[2].moves = 1000; /* counts are added, not overwritten */
        assert_int_equal(cpu_ops->evo_run(cpu_be, sa, 0, 3, active, ca, &err), DLM_OK);
        assert_int_equal(dlm_backend_cuda.evo_run(cu_be, sb, 0, 3, active, cb, &err), DLM_OK);
        assert_memory_equal(ca, cb, sizeof ca);
        assert_true(ca[1].matches == 0 && ca[0].matches > 0);
        assert_int_equal(cpu_ops->evo_census(cpu_be, sa, 3, ea, &err), DLM_OK);
        assert_int_equal(dlm_backend_cuda.evo_census(cu_be, sb, 3, eb, &err), DLM_OK);
        assert_memory_equal(ea, eb, sizeof ea);
        active[1] = 1;
        active[3] = 0;
        assert_int_equal(cpu_ops->evo_run(cpu_be, sa, 3, 2, active, ca, &err), DLM_OK);
        assert_int_equal(dlm_backend_cuda.evo_run(cu_be, sb, 3, 2, active, cb, &err), DLM_OK);
        assert_memory_equal(ca, cb, sizeof ca);
        /* submit/collect = run + census; nothing else on the state in between */
        assert_int_equal(cpu_ops->evo_run(cpu_be, sa, 5, 4, active, ca, &err), DLM_OK);
        assert_int_equal(cpu_ops->evo_census(cpu_be, sa, 9, ea, &err), DLM_OK);
        assert_int_equal(dlm_backend_cuda.evo_submit(cu_be, sb, 5, 4, active, &err), DLM_OK);
        active[0] = 0; /* the submission copied the flags: changing them now changes nothing */
        assert_int_equal(dlm_backend_cuda.evo_run(cu_be, sb, 9, 1, active, cb, &err),
                         DLM_ERR_RUNTIME);
        assert_non_null(strstr(err.message, "not collected"));
        assert_int_equal(dlm_backend_cuda.evo_submit(cu_be, sb, 9, 1, active, &err),
                         DLM_ERR_RUNTIME);
        assert_int_equal(dlm_backend_cuda.evo_collect(cu_be, sb, cb, eb, &err), DLM_OK);
        active[0] = 1;
        assert_memory_equal(ca, cb, sizeof ca);
        assert_memory_equal(ea, eb, sizeof ea);
        assert_int_equal(dlm_backend_cuda.evo_collect(cu_be, sb, cb, eb, &err), DLM_ERR_RUNTIME);
        assert_non_null(strstr(err.message, "without a submission"));
        xa = malloc(plan.n_agents * sizeof *xa);
        xb = malloc(plan.n_agents * sizeof *xb);
        assert_int_equal(cpu_ops->evo_snapshot(cpu_be, sa, xa, &err), DLM_OK);
        assert_int_equal(dlm_backend_cuda.evo_snapshot(cu_be, sb, xb, &err), DLM_OK);
        assert_memory_equal(xa, xb, plan.n_agents * sizeof *xa);
        free(xa);
        free(xb);
        cpu_ops->evo_destroy(cpu_be, sa);
        dlm_backend_cuda.evo_destroy(cu_be, sb);
        dlm_evo_plan_free(&plan);
        active[1] = 0;
        active[3] = 1;
    }
}

/* --- 5. the backend ------------------------------------------------------------------------ */

/* --- 5. the backend itself ----------------------------------------------------------------- */

static void test_errors_name_call_and_code(void **state)
{
    dlm_error err;
    (void)state;
    assert_int_equal(
        dlm_cuda_fail_for_test(&err, "cudaMemcpy", "match results", (int)cudaErrorLaunchFailure),
        DLM_ERR_RUNTIME);
    assert_string_equal(err.message, "cuda: cudaMemcpy (match results) failed: "
                                     "cudaErrorLaunchFailure (unspecified launch failure)");
    assert_int_equal(
        dlm_cuda_fail_for_test(&err, "cudaSetDevice", NULL, (int)cudaErrorInvalidDevice),
        DLM_ERR_RUNTIME);
    assert_non_null(strstr(err.message, "cuda: cudaSetDevice failed: cudaErrorInvalidDevice"));
}

static void test_device_selection(void **state)
{
    dlm_backend_options opt = {1, -1, 999};
    dlm_backend *be = NULL;
    dlm_error err;
    FILE *devices = tmpfile();
    char text[4096];
    size_t n;
    (void)state;
    assert_int_equal(dlm_backend_cuda.create(&opt, &be, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "--device 999"));
    opt.device = 0;
    assert_int_equal(dlm_backend_cuda.create(&opt, &be, &err), DLM_OK);
    assert_non_null(strstr(dlm_backend_cuda.describe(be), "cuda 0"));
    dlm_backend_cuda.destroy(be);
    assert_non_null(devices);
    assert_int_equal(dlm_backend_cuda.list_devices(devices, &err), DLM_OK);
    rewind(devices);
    n = fread(text, 1, sizeof text - 1, devices);
    text[n] = '\0';
    fclose(devices);
    assert_non_null(strstr(text, "cuda 0: "));
    assert_non_null(strstr(text, "compute capability"));
}

/* A batch that cannot fit is refused with the numbers before anything is allocated. */
static void test_memory_refusal(void **state)
{
    dlm_strategy s[2];
    dlm_player_params p;
    dlm_match_job job;
    dlm_match_result out;
    dlm_match_batch b;
    dlm_error err;
    size_t free_b = 0, total_b = 0;
    (void)state;
    assert_int_equal(cudaMemGetInfo(&free_b, &total_b), cudaSuccess);
    memset(s, 0, sizeof s);
    memset(&p, 0, sizeof p);
    memset(&job, 0, sizeof job);
    memset(&b, 0, sizeof b);
    s[0].kind = s[1].kind = DLM_STRAT_MEMORY_ONE;
    p.reaction_period = 1;
    b.strategies = s;
    b.n_strategies = total_b / sizeof(dlm_strategy) + 1; /* never read */
    b.params = &p;
    b.n_params = 1;
    b.rules.rounds = 5;
    b.jobs = &job;
    b.n_jobs = 1;
    assert_int_equal(dlm_backend_cuda.play_matches(cu_be, &b, &out, &err), DLM_ERR_USAGE);
    if (!strstr(err.message, "bytes) of device memory") || !strstr(err.message, "for strategies") ||
        !strstr(err.message, "free of"))
        fail_msg("the refusal lacks the numbers: %s", err.message);
}

static int rm_rf(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    if (!d)
        return remove(path);
    while ((e = readdir(d)) != NULL) {
        char sub[1024];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        rm_rf(sub);
    }
    closedir(d);
    return rmdir(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox_known_answers_on_the_device),
        cmocka_unit_test(test_curand_stream_on_the_device),
        cmocka_unit_test(test_math_bits_on_the_device),
        cmocka_unit_test(test_matches_identical_to_cpu),
        cmocka_unit_test(test_bad_job_is_refused_like_cpu),
        cmocka_unit_test(test_tournament_identical_to_cpu),
        cmocka_unit_test(test_evolution_identical_to_cpu),
        cmocka_unit_test(test_resident_populations_identical),
        cmocka_unit_test(test_errors_name_call_and_code),
        cmocka_unit_test(test_device_selection),
        cmocka_unit_test(test_memory_refusal),
    };
    char why[512] = "";
    dlm_backend_options opt = {2, -1, -1};
    dlm_error err;
    const char *tmp = getenv("TMPDIR");
    int rc;
    if (!dlm_backend_cuda.available(why, sizeof why)) {
        printf("test_cuda: skipped: %s\n", why);
        return 77;
    }
    snprintf(cache_dir, sizeof cache_dir, "%s/dlm_test_cuda_XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(cache_dir)) {
        perror("mkdtemp");
        return 1;
    }
    if (dlm_backend_open("cpu", &opt, NULL, &cpu_ops, &cpu_be, &err) != DLM_OK) {
        fprintf(stderr, "test_cuda: cpu backend: %s\n", err.message);
        return 1;
    }
    {
        dlm_backend_options copt = {1, -1, -1};
        if (dlm_backend_cuda.create(&copt, &cu_be, &err) != DLM_OK) {
            fprintf(stderr, "test_cuda: cuda backend: %s\n", err.message);
            return 1;
        }
    }
    printf("test_cuda: %s against %s\n", dlm_backend_cuda.describe(cu_be),
           cpu_ops->describe(cpu_be));
    if (getenv("DLM_TEST_FILTER")) /* e.g. DLM_TEST_FILTER='*evolution*' runs only those */
        cmocka_set_test_filter(getenv("DLM_TEST_FILTER"));
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    dlm_backend_cuda.destroy(cu_be);
    cpu_ops->destroy(cpu_be);
    rm_rf(cache_dir);
    return rc;
}

/* dilemma.cu — the CUDA backend's entry points: thin __global__ loops over the model
 * functions of the kernels/ headers (DESIGN.md §2), and the extern "C" wrappers that launch
 * them (host/backend_cuda.h). No model logic lives here: each thread copies what it needs
 * and calls the same function the CPU backend calls (host/backend_cpu.c, host/cpu_evolve.c),
 * so the bytes are the same (§4). Compiled with -fmad=false (no FMA contraction; the model
 * code decides with integers, and where doubles enter they must round as on the CPU).
 *
 * Random numbers: the model's own Philox4x32-10 (kernels/dlm_philox.h), whose layout is
 * cuRAND's curand_init(seed, subsequence, offset) (tests/test_curand_layout.cpp pins it),
 * so the model stays written once and no cuRAND state lives on the device.
 *
 * Work decomposition (the same order of model calls as host/cpu_evolve.c, and as the
 * OpenCL backend's kernels/opencl/dilemma.cl):
 *   dlmk_play_matches    one thread per match job;
 *   dlmk_evo_async       one thread per population: its events one after another;
 *   dlmk_evo_evaluate    synchronous rules, step 1: one thread per (agent, population),
 *                        the block's integer counts summed in shared memory;
 *   dlmk_evo_counts_add  those partial counts added into each population's counts;
 *   dlmk_evo_cumulate    Wright-Fisher, step 2: one thread per population, in agent order;
 *   dlmk_evo_update      synchronous rules, step 3: one thread per (agent, population);
 *   dlmk_evo_commit      the next generation copied over the current one;
 *   dlmk_census_chunks   one thread per (chunk of DLM_CENSUS_CHUNK agents, population);
 *   dlmk_census_merge    one thread per population: its chunks merged in chunk order.
 * Per-agent kernels run a one-dimensional grid of groups * n_pops blocks (block b: population
 * b / groups, agents (b % groups) * width + threadIdx.x), so no grid dimension's limit
 * (65535 in y) bounds the number of populations.
 */
#include <cuda_runtime.h>

#include "dlm_portable.h"
#include "dlm_philox.h"
#include "dlm_math.h"
#include "dlm_model.h"
#include "dlm_match.h"
#include "dlm_census.h"

#include "backend_cuda.h"

#ifndef DLM_CUDA_EMULATOR
#include <curand_kernel.h> /* the device API, header-only: only dlmk_check_curand uses it */
#endif

/* A launch and a block's dynamic shared memory, as nvcc spells them; the CUDA emulator
 * (tests/cuda_emu/cuda_runtime.h), which compiles this file as C++ on the host, spells
 * them its own way first. */
#ifndef DLM_CU_LAUNCH
#define DLM_CU_LAUNCH(kernel, grid, block, shared, stream)                                         \
    kernel<<<(grid), (block), (shared), (stream)>>>
#define DLM_CU_DYNAMIC_SHARED(type, name) extern __shared__ type name[]
#endif

/* The layouts the host shares (kernels/dlm_model.h, dlm_evolve.h, dlm_census.h document
 * them; host/backend_opencl.c and host/backend_cuda.c assert the same on the C side). */
static_assert(sizeof(dlm_strategy) == 80, "dlm_strategy is 80 bytes");
static_assert(offsetof(dlm_strategy, table) == 40, "dlm_strategy.table at 40");
static_assert(offsetof(dlm_strategy, kind) == 64, "dlm_strategy.kind at 64");
static_assert(offsetof(dlm_strategy, fsm_output) == 76, "dlm_strategy.fsm_output at 76");
static_assert(sizeof(dlm_player_params) == 24, "dlm_player_params is 24 bytes");
static_assert(offsetof(dlm_player_params, reaction_period) == 16, "reaction_period at 16");
static_assert(sizeof(dlm_match_rules) == 16, "dlm_match_rules is 16 bytes");
static_assert(offsetof(dlm_match_rules, geometric) == 12, "geometric at 12");
static_assert(sizeof(dlm_match_result) == 20, "dlm_match_result is 20 bytes");
static_assert(offsetof(dlm_match_result, outcome) == 4, "outcome at 4");
static_assert(sizeof(dlm_cuda_job) == 32, "dlm_cuda_job is 32 bytes");
static_assert(offsetof(dlm_cuda_job, generation) == 24, "generation at 24");
static_assert(sizeof(dlm_evo_params) == 128, "dlm_evo_params is 128 bytes");
static_assert(offsetof(dlm_evo_params, mutation) == 64, "mutation at 64");
static_assert(offsetof(dlm_evo_params, payoff_mode) == 124, "payoff_mode at 124");
static_assert(sizeof(dlm_evo_population) == 24, "dlm_evo_population is 24 bytes");
static_assert(sizeof(dlm_evo_counts) == 32, "dlm_evo_counts is 32 bytes");
static_assert(sizeof(dlm_evo_census) == 872, "dlm_evo_census is 872 bytes");
static_assert(offsetof(dlm_evo_census, monomorphic) == 856, "monomorphic at 856");

/* Threads per block of the one-thread-per-item kernels. */
#define DLM_CU_BLOCK 128u
/* Largest grid x dimension. */
#define DLM_CU_MAX_GRID 2147483647ull

/* Blocks for n items of DLM_CU_BLOCK threads (callers keep n below 2^31 * 128). */
static unsigned blocks_for(uint64_t n)
{
    return (unsigned)((n + DLM_CU_BLOCK - 1u) / DLM_CU_BLOCK);
}

/* --- matches ------------------------------------------------------------------------------ */

__global__ void dlmk_play_matches(uint64_t seed, const dlm_strategy *strategies,
                                  const dlm_player_params *params, dlm_match_rules rules,
                                  const dlm_cuda_job *jobs, uint64_t first, uint64_t n,
                                  dlm_match_result *results)
{
    uint64_t t = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x, i = first + t;
    dlm_cuda_job job;
    dlm_strategy a, b;
    dlm_player_params pa, pb;
    uint64_t play, length;
    if (t >= n)
        return;
    job = jobs[i];
    a = strategies[job.strategy[0]];
    b = strategies[job.strategy[1]];
    pa = params[job.params[0]];
    pb = params[job.params[1]];
    play = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, job.population, job.generation);
    length = dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, job.population, job.generation);
    results[i] =
        dlm_play_match(&a, &b, &pa, &pb, &rules, seed, play, length, job.index, (uint8_t *)0);
}

extern "C" cudaError_t dlm_cuda_launch_play_matches(cudaStream_t stream, uint64_t seed,
                                                    const dlm_strategy *strategies,
                                                    const dlm_player_params *params,
                                                    dlm_match_rules rules, const dlm_cuda_job *jobs,
                                                    uint64_t first, uint64_t n,
                                                    dlm_match_result *results)
{
    if (n == 0)
        return cudaSuccess;
    DLM_CU_LAUNCH(dlmk_play_matches, blocks_for(n), DLM_CU_BLOCK, 0, stream)
    (seed, strategies, params, rules, jobs, first, n, results);
    return cudaGetLastError();
}

/* --- evolution ---------------------------------------------------------------------------- */

__global__ void dlmk_evo_async(dlm_evo_world w, const dlm_evo_population *pops,
                               const uint8_t *active, uint32_t n_pops, uint64_t first,
                               uint64_t count, uint32_t begin, uint32_t end, dlm_evo_counts *counts)
{
    uint32_t p = blockIdx.x * blockDim.x + threadIdx.x, e;
    dlm_evo_population pop;
    dlm_evo_counts c;
    uint64_t g;
    if (p >= n_pops || !active[p] || w.fixed[p])
        return;
    pop = pops[p];
    c = counts[p];
    for (g = first; g < first + count; ++g) {
        for (e = begin; e < end && e < pop.n; ++e)
            dlm_evo_event(&w, &pop, g, e, &c);
        if (end >= pop.n && dlm_evo_check_fixation(&w, &pop, p, g))
            break;
    }
    counts[p] = c;
}

extern "C" cudaError_t dlm_cuda_launch_evo_async(cudaStream_t stream, dlm_evo_world w,
                                                 const dlm_evo_population *pops,
                                                 const uint8_t *active, uint32_t n_pops,
                                                 uint64_t first, uint64_t count, uint32_t begin,
                                                 uint32_t end, dlm_evo_counts *counts)
{
    if (n_pops == 0 || count == 0)
        return cudaSuccess;
    DLM_CU_LAUNCH(dlmk_evo_async, blocks_for(n_pops), DLM_CU_BLOCK, 0, stream)
    (w, pops, active, n_pops, first, count, begin, end, counts);
    return cudaGetLastError();
}

/* Block b of a per-agent grid: its population and first agent. */
#define DLM_CU_AGENT_BLOCK(groups, width, p, x)                                                    \
    uint32_t p = blockIdx.x / (groups);                                                            \
    uint32_t x = (blockIdx.x % (groups)) * (width) + threadIdx.x

__global__ void dlmk_evo_evaluate(dlm_evo_world w, const dlm_evo_population *pops,
                                  const uint8_t *active, uint32_t n_pops, uint64_t g,
                                  uint32_t groups, uint64_t *partial)
{
    DLM_CU_DYNAMIC_SHARED(uint64_t, scratch); /* 3 * blockDim.x */
    DLM_CU_AGENT_BLOCK(groups, blockDim.x, p, x);
    uint32_t l = threadIdx.x, size = blockDim.x, s;
    dlm_evo_counts c;
    c.cooperations = c.moves = c.matches = c.failed_events = 0u;
    if (p < n_pops && active[p]) {
        dlm_evo_population pop = pops[p];
        if (x < pop.n)
            dlm_evo_sync_evaluate(&w, &pop, g, x, &c);
    }
    scratch[l] = c.cooperations;
    scratch[size + l] = c.moves;
    scratch[2u * size + l] = c.matches;
    __syncthreads();
    for (s = size / 2u; s > 0u; s >>= 1) {
        if (l < s) {
            scratch[l] += scratch[l + s];
            scratch[size + l] += scratch[size + l + s];
            scratch[2u * size + l] += scratch[2u * size + l + s];
        }
        __syncthreads();
    }
    if (l == 0u && p < n_pops) {
        uint64_t at = (uint64_t)blockIdx.x * 3u; /* = (p * groups + group) * 3 */
        partial[at] = scratch[0];
        partial[at + 1u] = scratch[size];
        partial[at + 2u] = scratch[2u * size];
    }
}

extern "C" cudaError_t dlm_cuda_launch_evo_evaluate(cudaStream_t stream, dlm_evo_world w,
                                                    const dlm_evo_population *pops,
                                                    const uint8_t *active, uint32_t n_pops,
                                                    uint64_t g, uint32_t groups, uint32_t width,
                                                    uint64_t *partial)
{
    uint64_t blocks = (uint64_t)groups * n_pops;
    if (blocks == 0)
        return cudaSuccess;
    if (blocks > DLM_CU_MAX_GRID)
        return cudaErrorInvalidConfiguration;
    DLM_CU_LAUNCH(dlmk_evo_evaluate, (unsigned)blocks, width, 3u * width * sizeof(uint64_t), stream)
    (w, pops, active, n_pops, g, groups, partial);
    return cudaGetLastError();
}

__global__ void dlmk_evo_counts_add(const uint64_t *partial, uint32_t groups, const uint8_t *active,
                                    uint32_t n_pops, dlm_evo_counts *counts)
{
    uint32_t p = blockIdx.x * blockDim.x + threadIdx.x, k;
    dlm_evo_counts c;
    if (p >= n_pops || !active[p])
        return;
    c = counts[p];
    for (k = 0; k < groups; ++k) {
        uint64_t at = ((uint64_t)p * groups + k) * 3u;
        c.cooperations += partial[at];
        c.moves += partial[at + 1u];
        c.matches += partial[at + 2u];
    }
    counts[p] = c;
}

extern "C" cudaError_t dlm_cuda_launch_evo_counts_add(cudaStream_t stream, const uint64_t *partial,
                                                      uint32_t groups, const uint8_t *active,
                                                      uint32_t n_pops, dlm_evo_counts *counts)
{
    if (n_pops == 0)
        return cudaSuccess;
    DLM_CU_LAUNCH(dlmk_evo_counts_add, blocks_for(n_pops), DLM_CU_BLOCK, 0, stream)
    (partial, groups, active, n_pops, counts);
    return cudaGetLastError();
}

__global__ void dlmk_evo_cumulate(dlm_evo_world w, const dlm_evo_population *pops,
                                  const uint8_t *active, uint32_t n_pops)
{
    uint32_t p = blockIdx.x * blockDim.x + threadIdx.x;
    dlm_evo_population pop;
    if (p >= n_pops || !active[p])
        return;
    pop = pops[p];
    if (w.params[pop.params].rule == DLM_RULE_WRIGHT_FISHER)
        dlm_evo_sync_cumulate(&w, &pop);
}

extern "C" cudaError_t dlm_cuda_launch_evo_cumulate(cudaStream_t stream, dlm_evo_world w,
                                                    const dlm_evo_population *pops,
                                                    const uint8_t *active, uint32_t n_pops)
{
    if (n_pops == 0)
        return cudaSuccess;
    DLM_CU_LAUNCH(dlmk_evo_cumulate, blocks_for(n_pops), DLM_CU_BLOCK, 0, stream)
    (w, pops, active, n_pops);
    return cudaGetLastError();
}

__global__ void dlmk_evo_update(dlm_evo_world w, const dlm_evo_population *pops,
                                const uint8_t *active, uint32_t n_pops, uint64_t g, uint32_t groups)
{
    DLM_CU_AGENT_BLOCK(groups, blockDim.x, p, x);
    dlm_evo_population pop;
    if (p >= n_pops || !active[p])
        return;
    pop = pops[p];
    if (x >= pop.n)
        return;
    dlm_evo_sync_update(&w, &pop, g, x);
}

extern "C" cudaError_t dlm_cuda_launch_evo_update(cudaStream_t stream, dlm_evo_world w,
                                                  const dlm_evo_population *pops,
                                                  const uint8_t *active, uint32_t n_pops,
                                                  uint64_t g, uint32_t groups, uint32_t width)
{
    uint64_t blocks = (uint64_t)groups * n_pops;
    if (blocks == 0)
        return cudaSuccess;
    if (blocks > DLM_CU_MAX_GRID)
        return cudaErrorInvalidConfiguration;
    DLM_CU_LAUNCH(dlmk_evo_update, (unsigned)blocks, width, 0, stream)
    (w, pops, active, n_pops, g, groups);
    return cudaGetLastError();
}

__global__ void dlmk_evo_commit(dlm_evo_world w, const dlm_evo_population *pops,
                                const uint8_t *active, uint32_t n_pops, uint32_t groups)
{
    DLM_CU_AGENT_BLOCK(groups, blockDim.x, p, x);
    dlm_evo_population pop;
    if (p >= n_pops || !active[p])
        return;
    pop = pops[p];
    if (x < pop.n)
        w.strategy[pop.agent0 + x] = w.next[pop.agent0 + x];
}

extern "C" cudaError_t dlm_cuda_launch_evo_commit(cudaStream_t stream, dlm_evo_world w,
                                                  const dlm_evo_population *pops,
                                                  const uint8_t *active, uint32_t n_pops,
                                                  uint32_t groups, uint32_t width)
{
    uint64_t blocks = (uint64_t)groups * n_pops;
    if (blocks == 0)
        return cudaSuccess;
    if (blocks > DLM_CU_MAX_GRID)
        return cudaErrorInvalidConfiguration;
    DLM_CU_LAUNCH(dlmk_evo_commit, (unsigned)blocks, width, 0, stream)
    (w, pops, active, n_pops, groups);
    return cudaGetLastError();
}

__global__ void dlmk_evo_fixation(dlm_evo_world w, const dlm_evo_population *pops,
                                  uint8_t *active, uint32_t n_pops, uint64_t g)
{
    uint32_t p = blockIdx.x * blockDim.x + threadIdx.x;
    dlm_evo_population pop;
    if (p >= n_pops || !active[p] || w.fixed[p])
        return;
    pop = pops[p];
    if (dlm_evo_check_fixation(&w, &pop, p, g))
        active[p] = 0;
}

extern "C" cudaError_t dlm_cuda_launch_evo_fixation(cudaStream_t stream, dlm_evo_world w,
                                                    const dlm_evo_population *pops,
                                                    uint8_t *active, uint32_t n_pops, uint64_t g)
{
    if (n_pops == 0)
        return cudaSuccess;
    DLM_CU_LAUNCH(dlmk_evo_fixation, blocks_for(n_pops), DLM_CU_BLOCK, 0, stream)
    (w, pops, active, n_pops, g);
    return cudaGetLastError();
}

/* --- census ------------------------------------------------------------------------------- */

__global__ void dlmk_census_chunks(dlm_evo_world w, const dlm_evo_population *pops, uint32_t n_pops,
                                   uint64_t g, const dlm_strategy *named, uint32_t n_named,
                                   uint64_t tolerance, uint32_t max_chunks, dlm_evo_census *part)
{
    uint64_t t = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x;
    uint32_t p, c;
    dlm_evo_population pop;
    if (max_chunks == 0u || t >= (uint64_t)n_pops * max_chunks)
        return;
    p = (uint32_t)(t / max_chunks);
    c = (uint32_t)(t % max_chunks);
    pop = pops[p];
    if (c >= (pop.n + DLM_CENSUS_CHUNK - 1u) / DLM_CENSUS_CHUNK)
        return;
    part[t] = dlm_census_chunk(&w, &pop, dlm_evo_census_generation(&w, p, g), c, named, n_named,
                               tolerance);
}

extern "C" cudaError_t dlm_cuda_launch_census_chunks(cudaStream_t stream, dlm_evo_world w,
                                                     const dlm_evo_population *pops,
                                                     uint32_t n_pops, uint64_t g,
                                                     const dlm_strategy *named, uint32_t n_named,
                                                     uint64_t tolerance, uint32_t max_chunks,
                                                     dlm_evo_census *part)
{
    uint64_t n = (uint64_t)n_pops * max_chunks;
    if (n == 0)
        return cudaSuccess;
    DLM_CU_LAUNCH(dlmk_census_chunks, blocks_for(n), DLM_CU_BLOCK, 0, stream)
    (w, pops, n_pops, g, named, n_named, tolerance, max_chunks, part);
    return cudaGetLastError();
}

__global__ void dlmk_census_merge(const dlm_evo_population *pops, uint32_t n_pops,
                                  uint32_t max_chunks, const dlm_evo_census *part,
                                  dlm_evo_census *out)
{
    uint32_t p = blockIdx.x * blockDim.x + threadIdx.x, c, chunks;
    dlm_evo_census r, b;
    if (p >= n_pops)
        return;
    chunks = (pops[p].n + DLM_CENSUS_CHUNK - 1u) / DLM_CENSUS_CHUNK;
    r = dlm_census_empty();
    for (c = 0; c < chunks; ++c) {
        b = part[(uint64_t)p * max_chunks + c];
        dlm_census_merge(&r, &b);
    }
    out[p] = r;
}

extern "C" cudaError_t dlm_cuda_launch_census_merge(cudaStream_t stream,
                                                    const dlm_evo_population *pops, uint32_t n_pops,
                                                    uint32_t max_chunks, const dlm_evo_census *part,
                                                    dlm_evo_census *out)
{
    if (n_pops == 0)
        return cudaSuccess;
    DLM_CU_LAUNCH(dlmk_census_merge, blocks_for(n_pops), DLM_CU_BLOCK, 0, stream)
    (pops, n_pops, max_chunks, part, out);
    return cudaGetLastError();
}

/* --- check kernels (tests) ---------------------------------------------------------------- */

__global__ void dlmk_check_philox(const uint32_t *in, uint32_t *out, uint64_t n)
{
    uint64_t i = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x;
    dlm_u32x4 r;
    if (i >= n)
        return;
    r = dlm_philox4x32_10(in[6 * i], in[6 * i + 1], in[6 * i + 2], in[6 * i + 3], in[6 * i + 4],
                          in[6 * i + 5]);
    out[4 * i] = r.v[0];
    out[4 * i + 1] = r.v[1];
    out[4 * i + 2] = r.v[2];
    out[4 * i + 3] = r.v[3];
}

extern "C" cudaError_t dlm_cuda_launch_check_philox(cudaStream_t stream, const uint32_t *in,
                                                    uint32_t *out, uint64_t n)
{
    if (n == 0)
        return cudaSuccess;
    DLM_CU_LAUNCH(dlmk_check_philox, blocks_for(n), DLM_CU_BLOCK, 0, stream)(in, out, n);
    return cudaGetLastError();
}

__global__ void dlmk_check_math(const uint64_t *in, uint64_t *out, uint64_t n)
{
    uint64_t i = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x;
    double x, beta, delta, p, f;
    uint32_t w0, w1, w2, w3;
    dlm_f64x2 g;
    if (i >= n)
        return;
    x = DLM_BITS_DOUBLE(in[6 * i]);
    beta = DLM_BITS_DOUBLE(in[6 * i + 1]);
    delta = DLM_BITS_DOUBLE(in[6 * i + 2]);
    p = DLM_BITS_DOUBLE(in[6 * i + 3]);
    w0 = (uint32_t)in[6 * i + 4];
    w1 = (uint32_t)(in[6 * i + 4] >> 32);
    w2 = (uint32_t)in[6 * i + 5];
    w3 = (uint32_t)(in[6 * i + 5] >> 32);
    f = dlm_fermi(beta, delta);
    g = dlm_gaussian_pair(w0, w1, w2, w3);
    out[8 * i] = DLM_DOUBLE_BITS(dlm_exp(x));
    out[8 * i + 1] = DLM_DOUBLE_BITS(dlm_log(x));
    out[8 * i + 2] = DLM_DOUBLE_BITS(f);
    out[8 * i + 3] = dlm_probability_threshold_from_double(f);
    out[8 * i + 4] = DLM_DOUBLE_BITS(g.v[0]);
    out[8 * i + 5] = DLM_DOUBLE_BITS(g.v[1]);
    out[8 * i + 6] = DLM_DOUBLE_BITS(dlm_uniform_double(w0, w1));
    out[8 * i + 7] = dlm_probability_threshold_from_double(p);
}

extern "C" cudaError_t dlm_cuda_launch_check_math(cudaStream_t stream, const uint64_t *in,
                                                  uint64_t *out, uint64_t n)
{
    if (n == 0)
        return cudaSuccess;
    DLM_CU_LAUNCH(dlmk_check_math, blocks_for(n), DLM_CU_BLOCK, 0, stream)(in, out, n);
    return cudaGetLastError();
}

/* cuRAND's own Philox4_32_10 on the device, for the self-test of tests/test_cuda.c: for
 * each (seed, subsequence, offset) of in, curand_init then curand4 and four curand, the
 * words that the model's dlm_philox_word gives at offset .. offset+7 (DESIGN.md §3). */
#ifndef DLM_CUDA_EMULATOR
__global__ void dlmk_check_curand(const uint64_t *in, uint32_t *out, uint64_t n)
{
    uint64_t i = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x;
    curandStatePhilox4_32_10_t state;
    uint4 r;
    unsigned k;
    if (i >= n)
        return;
    curand_init(in[3 * i], in[3 * i + 1], in[3 * i + 2], &state);
    r = curand4(&state);
    out[8 * i] = r.x;
    out[8 * i + 1] = r.y;
    out[8 * i + 2] = r.z;
    out[8 * i + 3] = r.w;
    for (k = 4; k < 8; ++k)
        out[8 * i + k] = curand(&state);
}
#endif

extern "C" cudaError_t dlm_cuda_launch_check_curand(cudaStream_t stream, const uint64_t *in,
                                                    uint32_t *out, uint64_t n)
{
#ifdef DLM_CUDA_EMULATOR
    (void)stream, (void)in, (void)out, (void)n;
    return cudaErrorInvalidValue; /* the emulator has no cuRAND; the test skips it there */
#else
    if (n == 0)
        return cudaSuccess;
    DLM_CU_LAUNCH(dlmk_check_curand, blocks_for(n), DLM_CU_BLOCK, 0, stream)(in, out, n);
    return cudaGetLastError();
#endif
}

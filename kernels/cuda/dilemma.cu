/* dilemma.cu — the CUDA backend's entry points: thin __global__ functions over the model
 * (DESIGN.md §2), and the extern "C" wrappers that launch them (host/backends/backend_cuda.h). No
 * model logic lives here: each kernel computes which item its thread is and makes one call
 * into kernels/dlm_entry.h, whose bodies the OpenCL kernels (kernels/opencl/dilemma.cl)
 * call too, and which call the model functions the CPU backend calls (host/backends/backend_cpu.c,
 * host/backends/cpu_evolve.c), so the bytes are the same (§4). Only dlmk_evo_evaluate's block sum
 * (shared memory and barriers) and the cuRAND self-test are written here. Compiled with
 * -fmad=false (no FMA contraction; the model code decides with integers, and where doubles
 * enter they must round as on the CPU).
 *
 * Random numbers: the model's own Philox4x32-10 (kernels/dlm_philox.h), whose layout is
 * cuRAND's curand_init(seed, subsequence, offset) (tests/test_curand_layout.cpp pins it),
 * so the model stays written once and no cuRAND state lives on the device.
 *
 * Work decomposition (the same order of model calls as host/backends/cpu_evolve.c, and as the
 * OpenCL backend's kernels/opencl/dilemma.cl):
 *   dlmk_play_matches    one thread per match job;
 *   dlmk_evo_async       one thread per population: its events one after another;
 *   dlmk_evo_evaluate    synchronous rules, step 1: one thread per (agent, population),
 *                        the block's integer counts summed in shared memory;
 *   dlmk_evo_counts_add  those partial counts added into each population's counts;
 *   dlmk_evo_cumulate    Wright-Fisher or a referee, step 2: one thread per population, in agent order;
 *   dlmk_evo_update      synchronous rules, step 3: one thread per (agent, population);
 *   dlmk_evo_commit      the next generation copied over the current one;
 *   dlmk_evo_fixation    stop_at_fixation, after a commit: one thread per population;
 *   dlmk_census_chunks   one thread per (chunk of DLM_CENSUS_CHUNK agents, population);
 *   dlmk_census_merge    one thread per population: its chunks merged in chunk order.
 * Per-agent kernels run a one-dimensional grid of groups * n_pops blocks (block b: population
 * b / groups, agents (b % groups) * width + threadIdx.x), so no grid dimension's limit
 * (65535 in y) bounds the number of populations.
 */
#include <cuda_runtime.h>

#include "dlm_portable.h"
#include "dlm_entry.h"

#include "backends/backend_cuda.h"

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
 * them; host/backends/backend_opencl.c and host/backends/backend_cuda.c assert the same on the C side). */
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
static_assert(sizeof(dlm_evo_params) == 208, "dlm_evo_params is 208 bytes");
static_assert(offsetof(dlm_evo_params, mutation) == 64, "mutation at 64");
static_assert(offsetof(dlm_evo_params, payoff_mode) == 124, "payoff_mode at 124");
static_assert(sizeof(dlm_evo_population) == 40, "dlm_evo_population is 40 bytes");
static_assert(sizeof(dlm_evo_counts) == 32, "dlm_evo_counts is 32 bytes");
static_assert(sizeof(dlm_evo_census) == 1072, "dlm_evo_census is 1072 bytes");
static_assert(offsetof(dlm_evo_census, monomorphic) == 856, "monomorphic at 856");

/* Threads per block of the one-thread-per-item kernels. */
#define DLM_CU_BLOCK 128u
/* Largest grid x dimension. */
#define DLM_CU_MAX_GRID 2147483647ull

/* This thread's item in a one-dimensional grid. */
#define DLM_CU_ITEM ((uint64_t)blockIdx.x * blockDim.x + threadIdx.x)

/* Blocks for n items of DLM_CU_BLOCK threads (callers keep n below 2^31 * 128). */
static unsigned blocks_for(uint64_t n)
{
    return (unsigned)((n + DLM_CU_BLOCK - 1u) / DLM_CU_BLOCK);
}

/* What a launch wrapper returns: cudaSuccess without launching for an empty grid, else the
 * launch's own error (cudaGetLastError). */
#define DLM_CU_RUN(blocks, threads, shared, stream, kernel, ...)                                   \
    ((blocks) == 0u                                                                                \
         ? cudaSuccess                                                                             \
         : (DLM_CU_LAUNCH(kernel, (blocks), (threads), (shared), (stream))(__VA_ARGS__),           \
            cudaGetLastError()))

/* --- matches ------------------------------------------------------------------------------ */

__global__ void dlmk_play_matches(uint64_t seed, const dlm_strategy *strategies,
                                  const dlm_player_params *params, dlm_match_rules rules,
                                  const dlm_cuda_job *jobs, uint64_t first, uint64_t n,
                                  dlm_match_result *results)
{
    uint64_t t = DLM_CU_ITEM, i = first + t;
    dlm_cuda_job job;
    if (t >= n)
        return;
    job = jobs[i];
    results[i] = dlm_entry_play_job(seed, strategies, params, &rules, job.strategy, job.params,
                                    job.population, job.index, job.generation);
}

extern "C" cudaError_t dlm_cuda_launch_play_matches(cudaStream_t stream, uint64_t seed,
                                                    const dlm_strategy *strategies,
                                                    const dlm_player_params *params,
                                                    dlm_match_rules rules, const dlm_cuda_job *jobs,
                                                    uint64_t first, uint64_t n,
                                                    dlm_match_result *results)
{
    return DLM_CU_RUN(blocks_for(n), DLM_CU_BLOCK, 0, stream, dlmk_play_matches, seed, strategies,
                      params, rules, jobs, first, n, results);
}

/* --- evolution ---------------------------------------------------------------------------- */

/* One thread per population. */
__global__ void dlmk_evo_async(dlm_evo_world w, const dlm_evo_population *pops,
                               const uint8_t *active, uint32_t n_pops, uint64_t first,
                               uint64_t count, uint32_t begin, uint32_t end, dlm_evo_counts *counts)
{
    dlm_entry_evo_async(&w, pops, active, n_pops, first, count, begin, end, counts,
                        (uint32_t)DLM_CU_ITEM);
}

extern "C" cudaError_t dlm_cuda_launch_evo_async(cudaStream_t stream, dlm_evo_world w,
                                                 const dlm_evo_population *pops,
                                                 const uint8_t *active, uint32_t n_pops,
                                                 uint64_t first, uint64_t count, uint32_t begin,
                                                 uint32_t end, dlm_evo_counts *counts)
{
    if (count == 0)
        return cudaSuccess;
    return DLM_CU_RUN(blocks_for(n_pops), DLM_CU_BLOCK, 0, stream, dlmk_evo_async, w, pops, active,
                      n_pops, first, count, begin, end, counts);
}

/* Block b of a per-agent grid: its population and first agent. */
#define DLM_CU_AGENT_BLOCK(groups, width, p, x)                                                    \
    uint32_t p = blockIdx.x / (groups);                                                            \
    uint32_t x = (blockIdx.x % (groups)) * (width) + threadIdx.x

/* Blocks of a per-agent grid, groups per population: more than a grid holds is refused
 * (cudaErrorInvalidConfiguration) before the launch. */
static cudaError_t agent_blocks(uint32_t groups, uint32_t n_pops, unsigned *blocks)
{
    uint64_t b = (uint64_t)groups * n_pops;
    *blocks = (unsigned)b;
    return b > DLM_CU_MAX_GRID ? cudaErrorInvalidConfiguration : cudaSuccess;
}

/* One thread per agent; the block's counts summed in shared memory (this sum, with its
 * barriers, is the one part of a kernel the portable model cannot spell) into
 * partial[block * 3 + k]. */
__global__ void dlmk_evo_evaluate(dlm_evo_world w, const dlm_evo_population *pops,
                                  const uint8_t *active, uint32_t n_pops, uint64_t g,
                                  uint32_t groups, uint64_t *partial)
{
    DLM_CU_DYNAMIC_SHARED(uint64_t, scratch); /* 3 * blockDim.x */
    DLM_CU_AGENT_BLOCK(groups, blockDim.x, p, x);
    uint32_t l = threadIdx.x, size = blockDim.x, s;
    dlm_evo_counts c = dlm_entry_evo_evaluate(&w, pops, active, n_pops, g, p, x);
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
    unsigned blocks;
    cudaError_t rc = agent_blocks(groups, n_pops, &blocks);
    return rc != cudaSuccess ? rc
                             : DLM_CU_RUN(blocks, width, 3u * width * sizeof(uint64_t), stream,
                                          dlmk_evo_evaluate, w, pops, active, n_pops, g, groups,
                                          partial);
}

/* One thread per population. */
__global__ void dlmk_evo_counts_add(const uint64_t *partial, uint32_t groups, const uint8_t *active,
                                    uint32_t n_pops, dlm_evo_counts *counts)
{
    dlm_entry_evo_counts_add(partial, groups, active, n_pops, counts, (uint32_t)DLM_CU_ITEM);
}

extern "C" cudaError_t dlm_cuda_launch_evo_counts_add(cudaStream_t stream, const uint64_t *partial,
                                                      uint32_t groups, const uint8_t *active,
                                                      uint32_t n_pops, dlm_evo_counts *counts)
{
    return DLM_CU_RUN(blocks_for(n_pops), DLM_CU_BLOCK, 0, stream, dlmk_evo_counts_add, partial,
                      groups, active, n_pops, counts);
}

/* One thread per population. */
__global__ void dlmk_evo_cumulate(dlm_evo_world w, const dlm_evo_population *pops,
                                  const uint8_t *active, uint32_t n_pops)
{
    dlm_entry_evo_cumulate(&w, pops, active, n_pops, (uint32_t)DLM_CU_ITEM);
}

extern "C" cudaError_t dlm_cuda_launch_evo_cumulate(cudaStream_t stream, dlm_evo_world w,
                                                    const dlm_evo_population *pops,
                                                    const uint8_t *active, uint32_t n_pops)
{
    return DLM_CU_RUN(blocks_for(n_pops), DLM_CU_BLOCK, 0, stream, dlmk_evo_cumulate, w, pops,
                      active, n_pops);
}

/* One thread per agent. */
__global__ void dlmk_evo_update(dlm_evo_world w, const dlm_evo_population *pops,
                                const uint8_t *active, uint32_t n_pops, uint64_t g, uint32_t groups)
{
    DLM_CU_AGENT_BLOCK(groups, blockDim.x, p, x);
    dlm_entry_evo_update(&w, pops, active, n_pops, g, p, x);
}

extern "C" cudaError_t dlm_cuda_launch_evo_update(cudaStream_t stream, dlm_evo_world w,
                                                  const dlm_evo_population *pops,
                                                  const uint8_t *active, uint32_t n_pops,
                                                  uint64_t g, uint32_t groups, uint32_t width)
{
    unsigned blocks;
    cudaError_t rc = agent_blocks(groups, n_pops, &blocks);
    return rc != cudaSuccess ? rc
                             : DLM_CU_RUN(blocks, width, 0, stream, dlmk_evo_update, w, pops,
                                          active, n_pops, g, groups);
}

/* One thread per agent. */
__global__ void dlmk_evo_commit(dlm_evo_world w, const dlm_evo_population *pops,
                                const uint8_t *active, uint32_t n_pops, uint32_t groups)
{
    DLM_CU_AGENT_BLOCK(groups, blockDim.x, p, x);
    dlm_entry_evo_commit(w.strategy, w.next, pops, active, n_pops, p, x);
}

extern "C" cudaError_t dlm_cuda_launch_evo_commit(cudaStream_t stream, dlm_evo_world w,
                                                  const dlm_evo_population *pops,
                                                  const uint8_t *active, uint32_t n_pops,
                                                  uint32_t groups, uint32_t width)
{
    unsigned blocks;
    cudaError_t rc = agent_blocks(groups, n_pops, &blocks);
    return rc != cudaSuccess ? rc
                             : DLM_CU_RUN(blocks, width, 0, stream, dlmk_evo_commit, w, pops,
                                          active, n_pops, groups);
}

/* One thread per population. */
__global__ void dlmk_evo_fixation(dlm_evo_world w, const dlm_evo_population *pops,
                                  uint8_t *active, uint32_t n_pops, uint64_t g)
{
    dlm_entry_evo_fixation(&w, pops, active, n_pops, g, (uint32_t)DLM_CU_ITEM);
}

extern "C" cudaError_t dlm_cuda_launch_evo_fixation(cudaStream_t stream, dlm_evo_world w,
                                                    const dlm_evo_population *pops,
                                                    uint8_t *active, uint32_t n_pops, uint64_t g)
{
    return DLM_CU_RUN(blocks_for(n_pops), DLM_CU_BLOCK, 0, stream, dlmk_evo_fixation, w, pops,
                      active, n_pops, g);
}

/* --- census ------------------------------------------------------------------------------- */

/* One thread per (chunk, population): thread t is chunk t % max_chunks of population
 * t / max_chunks. */
__global__ void dlmk_census_chunks(dlm_evo_world w, const dlm_evo_population *pops, uint32_t n_pops,
                                   uint64_t g, const dlm_strategy *named, uint32_t n_named,
                                   uint64_t tolerance, uint32_t max_chunks, dlm_evo_census *part)
{
    uint64_t t = DLM_CU_ITEM;
    if (max_chunks == 0u || t >= (uint64_t)n_pops * max_chunks)
        return;
    dlm_entry_census_chunk(&w, pops, n_pops, g, named, n_named, tolerance, max_chunks, part,
                           (uint32_t)(t / max_chunks), (uint32_t)(t % max_chunks));
}

extern "C" cudaError_t dlm_cuda_launch_census_chunks(cudaStream_t stream, dlm_evo_world w,
                                                     const dlm_evo_population *pops,
                                                     uint32_t n_pops, uint64_t g,
                                                     const dlm_strategy *named, uint32_t n_named,
                                                     uint64_t tolerance, uint32_t max_chunks,
                                                     dlm_evo_census *part)
{
    return DLM_CU_RUN(blocks_for((uint64_t)n_pops * max_chunks), DLM_CU_BLOCK, 0, stream,
                      dlmk_census_chunks, w, pops, n_pops, g, named, n_named, tolerance,
                      max_chunks, part);
}

/* One thread per population. */
__global__ void dlmk_census_merge(const dlm_evo_population *pops, uint32_t n_pops,
                                  uint32_t max_chunks, const dlm_evo_census *part,
                                  dlm_evo_census *out)
{
    dlm_entry_census_merge(pops, n_pops, max_chunks, part, out, (uint32_t)DLM_CU_ITEM);
}

extern "C" cudaError_t dlm_cuda_launch_census_merge(cudaStream_t stream,
                                                    const dlm_evo_population *pops, uint32_t n_pops,
                                                    uint32_t max_chunks, const dlm_evo_census *part,
                                                    dlm_evo_census *out)
{
    return DLM_CU_RUN(blocks_for(n_pops), DLM_CU_BLOCK, 0, stream, dlmk_census_merge, pops, n_pops,
                      max_chunks, part, out);
}

/* --- check kernels (tests) ---------------------------------------------------------------- */

__global__ void dlmk_check_philox(const uint32_t *in, uint32_t *out, uint64_t n)
{
    dlm_entry_check_philox(in, out, n, DLM_CU_ITEM);
}

extern "C" cudaError_t dlm_cuda_launch_check_philox(cudaStream_t stream, const uint32_t *in,
                                                    uint32_t *out, uint64_t n)
{
    return DLM_CU_RUN(blocks_for(n), DLM_CU_BLOCK, 0, stream, dlmk_check_philox, in, out, n);
}

__global__ void dlmk_check_math(const uint64_t *in, uint64_t *out, uint64_t n)
{
    dlm_entry_check_math(in, out, n, DLM_CU_ITEM);
}

extern "C" cudaError_t dlm_cuda_launch_check_math(cudaStream_t stream, const uint64_t *in,
                                                  uint64_t *out, uint64_t n)
{
    return DLM_CU_RUN(blocks_for(n), DLM_CU_BLOCK, 0, stream, dlmk_check_math, in, out, n);
}

/* cuRAND's own Philox4_32_10 on the device, for the self-test of tests/test_cuda.c: for
 * each (seed, subsequence, offset) of in, curand_init then curand4 and four curand, the
 * words that the model's dlm_philox_word gives at offset .. offset+7 (DESIGN.md §3). Not
 * in kernels/dlm_entry.h: cuRAND is CUDA's alone. */
#ifndef DLM_CUDA_EMULATOR
__global__ void dlmk_check_curand(const uint64_t *in, uint32_t *out, uint64_t n)
{
    uint64_t i = DLM_CU_ITEM;
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
    return DLM_CU_RUN(blocks_for(n), DLM_CU_BLOCK, 0, stream, dlmk_check_curand, in, out, n);
#endif
}

/* backend_cuda.h — the CUDA backend's two halves, and nothing else, include this:
 *   host/backends/backend_cuda.c       devices, errors, memory checks, buffers, the order of launches,
 *                             the backend table (plain C11 against the CUDA runtime API);
 *   kernels/cuda/dilemma.cu   the __global__ entry points (thin loops over the model
 *                             functions of kernels/, DESIGN.md §2) and the extern "C"
 *                             launch wrappers declared below; one translation unit.
 * Every wrapper launches on the calling thread's current device (the backend selects it
 * with cudaSetDevice first), on the default stream, and returns cudaGetLastError() of the
 * launch: launches are asynchronous, so a fault inside a kernel shows at the next
 * synchronising call (a copy back), which the host checks too. A wrapper with nothing to
 * do (zero items) launches nothing and returns cudaSuccess.
 * tests/test_cuda.c also uses the check wrappers at the end. */
#ifndef DLM_BACKEND_CUDA_H
#define DLM_BACKEND_CUDA_H

#include <stddef.h>
#include <stdint.h>

#include <cuda_runtime_api.h>

#include "dlm_census.h" /* dlm_evo_world, dlm_evo_census and the model's structs */

#ifdef __cplusplus
extern "C" {
#endif

/* One match job as the device reads it: host/backends/backend.h's dlm_match_job field for field
 * (32 bytes; static assertions on both sides keep them equal). */
typedef struct dlm_cuda_job {
    uint32_t strategy[2];
    uint32_t params[2];
    uint32_t population;
    uint32_t index;
    uint64_t generation;
} dlm_cuda_job;

/* Jobs first .. first+n-1: results[i] = what the CPU backend's cpu_play_one gives. */
cudaError_t dlm_cuda_launch_play_matches(cudaStream_t stream, uint64_t seed,
                                         const dlm_strategy *strategies,
                                         const dlm_player_params *params, dlm_match_rules rules,
                                         const dlm_cuda_job *jobs, uint64_t first, uint64_t n,
                                         dlm_match_result *results);

/* Asynchronous rules: one thread per population, generations first .. first+count-1, in
 * each its events begin .. min(end, n)-1 in order (host/backends/cpu_evolve.c generation_serial). */
cudaError_t dlm_cuda_launch_evo_async(cudaStream_t stream, dlm_evo_world w,
                                      const dlm_evo_population *pops, const uint8_t *active,
                                      uint32_t n_pops, uint64_t first, uint64_t count,
                                      uint32_t begin, uint32_t end, dlm_evo_counts *counts);

/* Synchronous rules, per generation g. The per-agent kernels run blocks of `width`
 * threads (a power of two, <= 1024), `groups` blocks per population (groups * width >=
 * the largest population): evaluate writes each block's integer counts (cooperations,
 * moves, matches) to partial[(p * groups + block) * 3 + k]; counts_add adds them into
 * counts[p]; cumulate (Wright-Fisher or a referee) runs per population in agent order; update writes
 * the next generation; commit copies it over the current one. */
cudaError_t dlm_cuda_launch_evo_evaluate(cudaStream_t stream, dlm_evo_world w,
                                         const dlm_evo_population *pops, const uint8_t *active,
                                         uint32_t n_pops, uint64_t g, uint32_t groups,
                                         uint32_t width, uint64_t *partial);
cudaError_t dlm_cuda_launch_evo_counts_add(cudaStream_t stream, const uint64_t *partial,
                                           uint32_t groups, const uint8_t *active, uint32_t n_pops,
                                           dlm_evo_counts *counts);
cudaError_t dlm_cuda_launch_evo_cumulate(cudaStream_t stream, dlm_evo_world w,
                                         const dlm_evo_population *pops, const uint8_t *active,
                                         uint32_t n_pops);
cudaError_t dlm_cuda_launch_evo_update(cudaStream_t stream, dlm_evo_world w,
                                       const dlm_evo_population *pops, const uint8_t *active,
                                       uint32_t n_pops, uint64_t g, uint32_t groups,
                                       uint32_t width);
cudaError_t dlm_cuda_launch_evo_commit(cudaStream_t stream, dlm_evo_world w,
                                       const dlm_evo_population *pops, const uint8_t *active,
                                       uint32_t n_pops, uint32_t groups, uint32_t width);
/* Synchronous rules with stop_at_fixation, after the commit of generation g: a population
 * that has become monomorphic records g + 1 in w.fixed and clears its active flag. */
cudaError_t dlm_cuda_launch_evo_fixation(cudaStream_t stream, dlm_evo_world w,
                                         const dlm_evo_population *pops, uint8_t *active,
                                         uint32_t n_pops, uint64_t g);

/* Census of generation g: chunk c of population p into part[p * max_chunks + c], then
 * each population's chunks merged in chunk order into out[p]. */
cudaError_t dlm_cuda_launch_census_chunks(cudaStream_t stream, dlm_evo_world w,
                                          const dlm_evo_population *pops, uint32_t n_pops,
                                          uint64_t g, const dlm_strategy *named, uint32_t n_named,
                                          uint64_t tolerance, uint32_t max_chunks,
                                          dlm_evo_census *part);
cudaError_t dlm_cuda_launch_census_merge(cudaStream_t stream, const dlm_evo_population *pops,
                                         uint32_t n_pops, uint32_t max_chunks,
                                         const dlm_evo_census *part, dlm_evo_census *out);

/* Tests: Philox4x32-10 of n items (6 words in, 4 out each) and the math of n items (6
 * 64-bit words in, 8 out each: the layout of kernels/opencl/dilemma.cl's dlmk_check_math). */
cudaError_t dlm_cuda_launch_check_philox(cudaStream_t stream, const uint32_t *in, uint32_t *out,
                                         uint64_t n);
cudaError_t dlm_cuda_launch_check_math(cudaStream_t stream, const uint64_t *in, uint64_t *out,
                                       uint64_t n);

/* Tests: cuRAND's Philox4_32_10 device API, n items of (seed, subsequence, offset) in, 8
 * words out each (curand4, then curand four times). */
cudaError_t dlm_cuda_launch_check_curand(cudaStream_t stream, const uint64_t *in, uint32_t *out,
                                         uint64_t n);

#ifdef __cplusplus
}
#endif

#endif /* DLM_BACKEND_CUDA_H */

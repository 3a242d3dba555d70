/* cpu_lanes.h — the CPU backend's eight-lane fast path for memory-one matches
 * (cpu_lanes.c). Bit-identical to kernels/dlm_match.h by construction and by test. */
#ifndef DLM_CPU_LANES_H
#define DLM_CPU_LANES_H

#include "backends/backend.h"

/* 1 if this processor runs the fast path (x86-64 with AVX2). */
int dlm_cpu_lanes_supported(void);

/* 1 if job j of the batch qualifies: both players memory-one, reaction period 1, no delay. */
int dlm_cpu_lanes_eligible(const dlm_match_batch *b, size_t j);

/* The Philox blocks of upcoming rounds, eight at once in AVX2 lanes, for every match the
 * CPU backend plays through the model code (kernels/dlm_match.h, DLM_BLOCKS_AHEAD, set for
 * backend_cpu.c and cpu_evolve.c by CMake): out[l] = block first + 2l of stream, l < n <=
 * 8. Scalar blocks unless dlm_cpu_lanes_ahead(1) was called on a processor with AVX2. */
void dlm_cpu_blocks_ahead(uint64_t seed, uint64_t stream, uint64_t first, uint32_t n,
                          dlm_u32x4 *out);
void dlm_cpu_lanes_ahead(int on);

/* The first blocks of eight consecutive windows, for the count representation's events
 * (kernels/dlm_counts.h, DLM_WINDOWS_AHEAD, set for cpu_evolve.c by CMake): out[l] =
 * block (first + l) << 30 of stream, l < n <= 8. Lanes under the same switch as
 * dlm_cpu_blocks_ahead. */
void dlm_cpu_windows_ahead(uint64_t seed, uint64_t stream, uint32_t first, uint32_t n,
                           dlm_u32x4 *out);

/* Plays one qualifying job (a long match alone, or one left over from groups of eight):
 * blocks eight rounds ahead in the lanes, the rounds in scalar code. */
dlm_match_result dlm_cpu_lanes_play1(const dlm_match_batch *b, size_t j);

/* Plays the eight qualifying jobs jobs[0..7] of the batch into results[jobs[l]]. */
void dlm_cpu_lanes_play8(const dlm_match_batch *b, const size_t jobs[8], dlm_match_result *results);

#endif /* DLM_CPU_LANES_H */

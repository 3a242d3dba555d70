/* cpu_lanes.h — the CPU backend's eight-lane fast path for memory-one matches
 * (cpu_lanes.c). Bit-identical to kernels/dlm_match.h by construction and by test. */
#ifndef DLM_CPU_LANES_H
#define DLM_CPU_LANES_H

#include "backends/backend.h"

/* 1 if this processor runs the fast path (x86-64 with AVX2). */
int dlm_cpu_lanes_supported(void);

/* 1 if job j of the batch qualifies: both players memory-one, reaction period 1, no delay. */
int dlm_cpu_lanes_eligible(const dlm_match_batch *b, size_t j);

/* Plays the eight qualifying jobs jobs[0..7] of the batch into results[jobs[l]]. */
void dlm_cpu_lanes_play8(const dlm_match_batch *b, const size_t jobs[8], dlm_match_result *results);

#endif /* DLM_CPU_LANES_H */

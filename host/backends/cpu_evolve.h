/* cpu_evolve.h — the CPU backend's evolution entries (cpu_evolve.c). */
#ifndef DLM_CPU_EVOLVE_H
#define DLM_CPU_EVOLVE_H

#include "backends/backend.h"

dlm_status dlm_cpu_evo_create(int threads, const dlm_evo_setup *setup, dlm_evo_state **out,
                              dlm_error *err);
dlm_status dlm_cpu_evo_run(dlm_evo_state *st, uint64_t first, uint64_t count,
                           const uint8_t *active, dlm_evo_counts *counts, dlm_error *err);
dlm_status dlm_cpu_evo_census(dlm_evo_state *st, uint64_t g, dlm_evo_census *out, dlm_error *err);
dlm_status dlm_cpu_evo_snapshot(dlm_evo_state *st, dlm_strategy *out, dlm_error *err);
/* Checkpoints: every agent's strategy and the populations' fixation generations, out or in. */
void dlm_cpu_evo_save(const dlm_evo_state *st, dlm_strategy *agents, uint64_t *fixed,
                      uint32_t *views);
void dlm_cpu_evo_restore(dlm_evo_state *st, const dlm_strategy *agents, const uint64_t *fixed,
                         const uint32_t *views);
void dlm_cpu_evo_destroy(dlm_evo_state *st);

#endif /* DLM_CPU_EVOLVE_H */

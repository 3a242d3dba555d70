/* evolve_output.h — an evolution's records (csv, jsonl, json or a table, one complete
 * record per line, flushed a pass at a time), its summary (beside a records file, written
 * atomically) and its snapshots: the observer of run/evolve.h that writes them. */
#ifndef DLM_EVOLVE_OUTPUT_H
#define DLM_EVOLVE_OUTPUT_H

#include <stdio.h>

#include "output/output.h"
#include "run/evolve.h"

/* Runs the scenario's evolution on a backend (dlm_evo_drive), writing records to
 * `records` (may be null) in format fmt, the summary beside sc->out and snapshots; fills
 * outcomes (one per population) if not null. */
dlm_status dlm_evolve(const dlm_scenario *sc, const dlm_evo_plan *plan, const dlm_backend_ops *ops,
                      dlm_backend *be, FILE *records, dlm_format fmt, dlm_evo_outcome *outcomes,
                      dlm_error *err);

/* Runs k runs of a sweep batched into one evolution (`joined`, dlm_evo_plan_join of their
 * plans): run j's records go to records[j] (in format fmt), byte for byte what
 * dlm_evolve writes for it alone; outcomes holds every population of the batch. No
 * summary beside a file and no snapshots (batched runs have neither). */
dlm_status dlm_evolve_batch(const dlm_scenario *const *scs, const dlm_evo_plan *const *plans,
                            size_t k, const dlm_evo_plan *joined, const dlm_backend_ops *ops,
                            dlm_backend *be, FILE *const *records, dlm_format fmt,
                            dlm_evo_outcome *outcomes, dlm_error *err);

/* Writes a snapshot of every agent (format in the README) atomically to path. */
dlm_status dlm_evo_write_snapshot(const char *path, const dlm_evo_plan *plan, uint64_t generation,
                                  const dlm_strategy *strategies, dlm_error *err);

#endif /* DLM_EVOLVE_OUTPUT_H */

/* evolve_output.h — an evolution's records (csv, jsonl, json or a table, one complete
 * record per line, flushed a pass at a time), its summary (beside a records file, written
 * atomically) and its snapshots: the observer of run/evolve.h that writes them. */
#ifndef DLM_EVOLVE_OUTPUT_H
#define DLM_EVOLVE_OUTPUT_H

#include <stdio.h>

#include "output/output.h"
#include "output/progress.h"
#include "output/sink.h"
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

/* Checkpoints of an evolution run (dlm_evolve_checkpointed). */
typedef struct dlm_evo_checkpointing {
    const char *path;            /* the checkpoint file (output/checkpoint.h) */
    uint64_t every_generations;  /* one at every multiple of this many generations, or (0) */
    double every_seconds;        /* one when this many seconds have passed since the last */
    uint64_t config_hash;        /* dlm_config_hash of the run's config */
    const void *resume;          /* a checkpoint's payload to continue from (from
                                    dlm_evo_resume_open), or null */
    size_t resume_n;
    uint32_t test_stop_after;    /* tests: raise test_signal after this many checkpoints (0: never) */
    int test_signal;
    int signal;                  /* out: the signal that stopped the run at a checkpoint, or 0 */
    uint64_t generation;         /* out: the generation of the last checkpoint written */
} dlm_evo_checkpointing;

/* The same as dlm_evolve with records going to a partial sink (output/sink.h) and, when ck
 * is not null, checkpoints: taken at generation boundaries on ck's period and when a
 * signal asks the run to stop (output/signals.h, deferred mode), which then ends after
 * its checkpoint with DLM_OK and ck->signal set (no summary; the partial file is the
 * caller's to keep). With ck->resume the run continues where that checkpoint was taken. */
dlm_status dlm_evolve_checkpointed(const dlm_scenario *sc, const dlm_evo_plan *plan,
                                   const dlm_backend_ops *ops, dlm_backend *be, dlm_sink *records,
                                   dlm_format fmt, dlm_evo_checkpointing *ck,
                                   dlm_progress *progress, dlm_evo_outcome *outcomes,
                                   dlm_error *err);

/* Reads the evolution checkpoint at path for a run of plan (config_hash, records in fmt to
 * out) and opens its records to continue: every check is made — the container's
 * (output/checkpoint.h), the records' format, the runner's state against the plan, the
 * partial file against its mark (dlm_sink_resume_partial) — before the partial file is
 * cut back to the mark and opened in *records. *payload (free it) and *n are for
 * ck->resume. A refusal is DLM_ERR_USAGE naming the reason and changes no file. */
dlm_status dlm_evo_resume_open(const char *path, uint64_t config_hash, const dlm_evo_plan *plan,
                               dlm_format fmt, const char *out, dlm_sink *records,
                               void **payload, size_t *n, dlm_error *err);

/* Writes a snapshot of every agent (format in the README) atomically to path. */
dlm_status dlm_evo_write_snapshot(const char *path, const dlm_evo_plan *plan, uint64_t generation,
                                  const dlm_strategy *strategies, dlm_error *err);

#endif /* DLM_EVOLVE_OUTPUT_H */

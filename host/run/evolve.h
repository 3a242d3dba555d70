/* evolve.h — runs an evolution plan on a backend (evolve.c): generations in passes, a
 * census after each, fixations and stops decided from the census, snapshots copied from
 * the backend; what it produces goes to an observer (output/evolve_output.h writes records,
 * summaries and snapshots), so the runner knows nothing of formats or files. */
#ifndef DLM_EVOLVE_HOST_H
#define DLM_EVOLVE_HOST_H

#include "plan/evolve_plan.h"

/* Final state of one population, for summaries and tests. */
typedef struct dlm_evo_outcome {
    uint64_t generations;     /* generations it evolved */
    int fixed;                /* 1: it became monomorphic (and mu = 0) */
    uint64_t fixation_generation;
    int fixed_named;          /* index into plan.named of the fixed strategy, -1 if none */
    dlm_evo_census final;     /* census at the end */
} dlm_evo_outcome;

/* What a run reports as it goes. Every entry may be null. */
typedef struct dlm_evo_observer {
    void *ctx;
    /* Before the first census. */
    dlm_status (*begin)(void *ctx, dlm_error *err);
    /* Population p's census c of generation c->generation, recorded; fixed_now: it fixed
       there (o says at which strategy). Records come in generation order. */
    void (*record)(void *ctx, uint32_t p, const dlm_evo_census *c, const dlm_evo_outcome *o,
                   int fixed_now);
    /* The records of a pass are complete (a failure stops the run). */
    dlm_status (*flush)(void *ctx, dlm_error *err);
    /* A snapshot due at generation g: every agent's strategy. */
    dlm_status (*snapshot)(void *ctx, uint64_t g, const dlm_strategy *agents, dlm_error *err);
    /* The run ended; stopped says why (generations, fixation, wall-clock). */
    dlm_status (*finish)(void *ctx, const dlm_evo_outcome *out, const char *stopped,
                         dlm_error *err);
    /* Checkpoints (optional; both or neither). checkpoint_due: asked at every generation
       boundary g, 1 when a checkpoint is due there (its period, or a stop asked for). The
       runner puts a boundary at every multiple of checkpoint_every generations (0: none)
       and after about a second of work, besides its own (records, snapshots, the end). */
    int (*checkpoint_due)(void *ctx, uint64_t g);
    /* Writes a checkpoint at g holding the runner's state (n bytes, for
       dlm_evo_drive_from) and the observer's own; the records of g are written and
       flushed before. *stop = 1 ends the run there, without finish. */
    dlm_status (*checkpoint)(void *ctx, uint64_t g, const void *state, size_t n, int *stop,
                             dlm_error *err);
    uint64_t checkpoint_every;
    /* Progress (optional): asked at every generation boundary g of `total` generations;
       with it the runner puts a boundary after about a second of work, as for
       checkpoints (boundaries change no result). */
    void (*progress)(void *ctx, uint64_t g, uint64_t total);
} dlm_evo_observer;

/* Runs the scenario's evolution on a backend, reporting to obs (may be null); fills
 * outcomes (one per population) if not null. */
dlm_status dlm_evo_drive(const dlm_scenario *sc, const dlm_evo_plan *plan,
                         const dlm_backend_ops *ops, dlm_backend *be, const dlm_evo_observer *obs,
                         dlm_evo_outcome *outcomes, dlm_error *err);

/* The same, continuing from a runner's state that a checkpoint held (state, n bytes;
 * null: from the start). The run goes on as if it had never stopped: the same records,
 * snapshots and summary, byte for byte (except a run under a wall-clock limit, which
 * counts the time before the checkpoint and stops when it runs out). */
dlm_status dlm_evo_drive_from(const dlm_scenario *sc, const dlm_evo_plan *plan,
                              const dlm_backend_ops *ops, dlm_backend *be,
                              const dlm_evo_observer *obs, const void *state, size_t n,
                              dlm_evo_outcome *outcomes, dlm_error *err);

/* Checks that a runner's state (n bytes) belongs to this plan and this build (the layout
 * of its records) before anything is changed; *generation gets the generation it was
 * taken at. DLM_ERR_USAGE naming what differs. */
dlm_status dlm_evo_state_check(const dlm_evo_plan *plan, const void *state, size_t n,
                               uint64_t *generation, dlm_error *err);

#endif /* DLM_EVOLVE_HOST_H */

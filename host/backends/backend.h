/* backend.h — the backend table (DESIGN.md §5). Each backend (cpu, opencl, cuda) fills
 * one const dlm_backend_ops in its own file; everything else calls through it, so no
 * code outside a backend's file asks which backend it is talking to.
 *
 * Work reaches a backend as a batch: arrays of strategies and player parameters, and a
 * list of match jobs naming which of them meet and where their random numbers come
 * from. Evolution (populations resident on the device) extends the table with
 * upload / run_generations / read_statistics / snapshot entries.
 */
#ifndef DLM_BACKEND_H
#define DLM_BACKEND_H

#include <stdio.h>

#include "dilemma.h"
#include "dlm_census.h"

/* One match of a batch (32 bytes). Its random numbers come from window `index` of the
 * streams (MATCH_PLAY / MATCH_LENGTH, population, generation) under the batch's seed. */
typedef struct dlm_match_job {
    uint32_t strategy[2];   /* indices into the batch's strategies: A, B */
    uint32_t params[2];     /* indices into the batch's player parameters: A, B */
    uint32_t population;    /* < 2^20 */
    uint32_t index;         /* the pair's window */
    uint64_t generation;    /* < 2^40; in tournaments the repetition */
} dlm_match_job;

typedef struct dlm_match_batch {
    uint64_t seed;
    const dlm_strategy *strategies;
    size_t n_strategies;
    const dlm_player_params *params;
    size_t n_params;
    dlm_match_rules rules;
    const dlm_match_job *jobs;
    size_t n_jobs;
} dlm_match_batch;

/* Everything an evolution run uploads: the model's arrays (kernels/dlm_evolve.h). The
 * graphs are CSR over population-local ids, shared by every population with graph = 1
 * (all of them then have the graph's size). */
typedef struct dlm_evo_setup {
    uint64_t seed;
    const dlm_evo_params *params;
    size_t n_params;
    const dlm_player_params *classes;
    size_t n_classes;
    const dlm_strategy *table; /* mutation sets and types */
    size_t n_table;
    const double *exact;       /* costs and cached exact payoffs of the types (dlm_evo_world) */
    size_t n_exact;
    uint64_t n_views;          /* per-population words (private views; group sizes under
                                  group selection), zero at the start */
    const uint64_t *inter_offsets, *repl_offsets; /* null without graphs */
    const uint32_t *inter_neighbors, *repl_neighbors;
    uint32_t graph_n;
    uint64_t inter_arcs, repl_arcs;
    const dlm_evo_population *populations;
    size_t n_populations;
    const dlm_strategy *strategies; /* initial strategy of every agent */
    const uint32_t *agent_class;
    uint64_t n_agents;
    const dlm_strategy *named; /* census: the named strategies, at most DLM_CENSUS_MAX_NAMED */
    uint32_t n_named;
    uint64_t tolerance;        /* census: threshold distance for "nearest named" */
    int synchronous;           /* the rule is fermi-sync, wright-fisher or imitate-best */
} dlm_evo_setup;

typedef struct dlm_evo_state dlm_evo_state; /* a backend's resident populations */

/* One buffer a device run needs, for the memory check before anything is allocated. */
typedef struct dlm_device_need {
    const char *what;
    uint64_t bytes;
} dlm_device_need;

#define DLM_EVO_NEEDS_MAX 24
/* The device buffers of an evolution (host/backends/evo_memory.c): every array of the
 * world, the populations, counts, partial counts of `groups` work-groups per population
 * (synchronous rules), census chunks (max_chunks per population) and records, into needs
 * (DLM_EVO_NEEDS_MAX); returns how many. */
size_t dlm_evo_device_needs(const dlm_evo_setup *s, uint64_t groups, uint64_t max_chunks,
                            dlm_device_need *needs);

typedef struct dlm_backend_options {
    int threads;      /* cpu: 0 = all cores, 1 = the single-threaded reference */
    int platform;     /* opencl: platform index, -1 = first suitable */
    int device;       /* opencl / cuda: device index, -1 = first suitable */
    int spread;       /* cuda, with device -1: device spread mod the count (an MPI rank's
                         local rank, so that each rank of a node takes its own GPU) */
} dlm_backend_options;

typedef struct dlm_backend dlm_backend; /* a backend's own state */

typedef struct dlm_backend_ops {
    const char *name;
    /* 1 if this backend can run here (driver and a device present); otherwise 0 and
       `why` says what is missing. */
    int (*available)(char *why, size_t len);
    /* Optional: for `auto`, 0 when this backend would run but another is the better
       choice here (an OpenCL CPU device); `why` says so. Null means always preferred. */
    int (*auto_preferred)(char *why, size_t len);
    /* Optional: for `auto`, 0 when there is nothing of this kind here at all (no driver
       installed, or no device): `auto` then passes over the backend without a notice, since
       that is the normal state of most machines (a CPU machine built with the CUDA
       toolkit). 1 when something is there, so that an unavailable backend is worth the
       notice (a driver too old, a device that fails). Null means always present. Asked
       only after available() said 0; `--backend NAME` still reports `why` as an error. */
    int (*present)(void);
    /* Optional: for `auto`, asked before available(): 1 when, without loading a driver,
       the backend is known not to be auto's choice here (only CPU OpenCL drivers
       installed), so that auto passes over it quietly and cheaply. Null means ask
       available(). */
    int (*auto_skip)(void);
    /* Writes the backend's devices, one per line, to out. */
    dlm_status (*list_devices)(FILE *out, dlm_error *err);
    dlm_status (*create)(const dlm_backend_options *opt, dlm_backend **out, dlm_error *err);
    /* Plays every job of the batch; results[i] belongs to jobs[i]. */
    dlm_status (*play_matches)(dlm_backend *be, const dlm_match_batch *batch,
                               dlm_match_result *results, dlm_error *err);
    /* Evolution (DESIGN.md §5: upload, run generations, read statistics, snapshot). The
       populations stay in the backend between calls. */
    dlm_status (*evo_create)(dlm_backend *be, const dlm_evo_setup *setup, dlm_evo_state **out,
                             dlm_error *err);
    /* Runs generations first .. first+count-1 of every population whose active[p] is 1,
       adding each population's counts into counts[p]. */
    dlm_status (*evo_run)(dlm_backend *be, dlm_evo_state *st, uint64_t first, uint64_t count,
                          const uint8_t *active, dlm_evo_counts *counts, dlm_error *err);
    /* Statistics of every population at generation g (census matches keyed by g). */
    dlm_status (*evo_census)(dlm_backend *be, dlm_evo_state *st, uint64_t g,
                             dlm_evo_census *out, dlm_error *err);
    /* Optional, so that writing output overlaps the device's work: evo_submit queues what
       evo_run(first, count, active) and then evo_census(first + count) do, and returns
       without waiting; evo_collect waits for them, adds each population's counts into
       counts[p] and writes the census into out. One submission at a time, collected before
       any other call on the state. Backends without them are driven by evo_run and
       evo_census (host/run/evolve.c); the numbers are the same either way. */
    dlm_status (*evo_submit)(dlm_backend *be, dlm_evo_state *st, uint64_t first, uint64_t count,
                             const uint8_t *active, dlm_error *err);
    dlm_status (*evo_collect)(dlm_backend *be, dlm_evo_state *st, dlm_evo_counts *counts,
                              dlm_evo_census *out, dlm_error *err);
    /* Copies every agent's strategy into out (n_agents entries). */
    dlm_status (*evo_snapshot)(dlm_backend *be, dlm_evo_state *st, dlm_strategy *out,
                               dlm_error *err);
    /* Optional (checkpoints, host/run/evolve.c): the world's state that carries from one
       generation to the next — every agent's strategy (n_agents entries) and each
       population's fixation generation (the world's `fixed`, n_populations entries) and
       the private views (the world's `views`, the setup's n_views words; null when none) —
       copied out (evo_save) or, after evo_create with the same setup, back in
       (evo_restore). Everything else in the world is the setup's or rebuilt each
       generation. Not between evo_submit and evo_collect. */
    dlm_status (*evo_save)(dlm_backend *be, dlm_evo_state *st, dlm_strategy *agents,
                           uint64_t *fixed, uint32_t *views, dlm_error *err);
    dlm_status (*evo_restore)(dlm_backend *be, dlm_evo_state *st, const dlm_strategy *agents,
                              const uint64_t *fixed, const uint32_t *views, dlm_error *err);
    void (*evo_destroy)(dlm_backend *be, dlm_evo_state *st);
    /* One line describing the device and settings in use (e.g. threads). */
    const char *(*describe)(dlm_backend *be);
    void (*destroy)(dlm_backend *be);
} dlm_backend_ops;

/* Backends compiled into this binary, in the order `auto` tries them; null-terminated. */
const dlm_backend_ops *const *dlm_backends(void);

/* Opens the backend called name (auto | cpu | opencl | cuda). For auto, the first
 * available backend; a compiled backend that cannot run here is skipped with a one-line
 * notice on `notices` (may be null), or silently when its `present` says there is nothing
 * of its kind here at all. */
dlm_status dlm_backend_open(const char *name, const dlm_backend_options *opt, FILE *notices,
                            const dlm_backend_ops **ops_out, dlm_backend **be_out,
                            dlm_error *err);

/* The CPU reference backend. */
extern const dlm_backend_ops dlm_backend_cpu;
/* The OpenCL backend (host/backends/backend_opencl.c), compiled when OpenCL is found. */
extern const dlm_backend_ops dlm_backend_opencl;
/* The CUDA backend (host/backends/backend_cuda.c, kernels/cuda/dilemma.cu), compiled when the CUDA
 * toolkit is found. */
extern const dlm_backend_ops dlm_backend_cuda;

#endif /* DLM_BACKEND_H */

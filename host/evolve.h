/* evolve.h — evolution runs: the plan (evolve_plan.c) turns a scenario into the model's
 * arrays; the runner (evolve.c) uploads them to a backend, runs generations, streams
 * statistics records, writes the summary and snapshots. */
#ifndef DLM_EVOLVE_HOST_H
#define DLM_EVOLVE_HOST_H

#include <stdio.h>

#include "backend.h"
#include "graph.h"
#include "output.h"
#include "scenario.h"

typedef struct dlm_evo_plan {
    uint32_t rule;        /* DLM_RULE_* */
    int synchronous;
    dlm_evo_params params;
    dlm_player_params classes[DLM_CENSUS_MAX_CLASSES];
    char class_names[DLM_CENSUS_MAX_CLASSES][32];
    uint32_t n_classes;
    dlm_strategy *table;  /* mutation set */
    size_t n_table;
    dlm_graph interaction, replacement; /* empty when well-mixed */
    dlm_evo_population *populations;
    size_t n_populations;
    dlm_strategy *strategies; /* initial, every agent */
    uint32_t *agent_class;
    uint64_t n_agents;
    dlm_strategy named[DLM_CENSUS_MAX_NAMED]; /* counted by the census */
    char named_labels[DLM_CENSUS_MAX_NAMED][128];
    uint32_t n_named;
    uint64_t tolerance;
    uint64_t bytes;           /* memory the run needs on the host (graphs included) */
    uint64_t graph_bytes;     /* of which the graphs, while they are built */
    uint64_t bytes_available; /* physical memory here (0 if unknown) */
} dlm_evo_plan;

/* Builds the plan of the scenario's evolution; DLM_ERR_USAGE names the bad key. */
dlm_status dlm_evo_plan_build(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err);
/* The upload description of a plan (pointers into it). */
void dlm_evo_plan_setup(const dlm_evo_plan *plan, uint64_t seed, dlm_evo_setup *setup);
void dlm_evo_plan_free(dlm_evo_plan *plan);

/* Bytes the host needs per agent (documented in the README). */
uint64_t dlm_evo_bytes_per_agent(int synchronous);
/* Name of a DLM_RULE_*. */
const char *dlm_evo_rule_name(uint32_t rule);
/* Reads n strategy texts, one per line ('#' comments and blank lines skipped). */
dlm_status dlm_evo_read_initial_file(const char *path, uint32_t n, char ***lines, dlm_error *err);

/* Final state of one population, for summaries and tests. */
typedef struct dlm_evo_outcome {
    uint64_t generations;     /* generations it evolved */
    int fixed;                /* 1: it became monomorphic (and mu = 0) */
    uint64_t fixation_generation;
    int fixed_named;          /* index into plan.named of the fixed strategy, -1 if none */
    dlm_evo_census final;     /* census at the end */
} dlm_evo_outcome;

/* Runs the scenario's evolution on a backend, writing records to `records` (may be
 * null) in format fmt; fills outcomes (one per population) if not null. */
dlm_status dlm_evolve(const dlm_scenario *sc, const dlm_evo_plan *plan, const dlm_backend_ops *ops,
                      dlm_backend *be, FILE *records, dlm_format fmt, dlm_evo_outcome *outcomes,
                      dlm_error *err);

/* Writes a snapshot of every agent (format in the README) atomically to path. */
dlm_status dlm_evo_write_snapshot(const char *path, const dlm_evo_plan *plan, uint64_t generation,
                                  const dlm_strategy *strategies, dlm_error *err);

#endif /* DLM_EVOLVE_HOST_H */

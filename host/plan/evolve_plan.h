/* evolve_plan.h — the plan of an evolution (evolve_plan.c): a scenario's `evolution:`
 * section turned into the model's arrays — parameters, agent classes, mutation sets,
 * graphs, the initial populations and the named strategies the census counts — with the
 * memory it needs checked before anything large is allocated. */
#ifndef DLM_EVOLVE_PLAN_H
#define DLM_EVOLVE_PLAN_H

#include "backends/backend.h"
#include "config/scenario.h"
#include "model/graph.h"

typedef struct dlm_evo_plan {
    uint32_t rule;        /* DLM_RULE_* */
    int synchronous;
    dlm_evo_params params;
    dlm_player_params classes[DLM_CENSUS_MAX_CLASSES];
    char class_names[DLM_CENSUS_MAX_CLASSES][32];
    uint32_t n_classes;
    dlm_strategy *table;  /* mutation set, then the types (evolve_types.c) */
    size_t n_table;
    double *exact;        /* the types' costs and cached exact payoffs (world->exact) */
    size_t n_exact;
    uint64_t n_views;     /* per-population words: private views (donation game,
                             dlm_reputation.h) or group sizes (group selection, dlm_demes.h) */
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
    uint32_t estimate_matches; /* payoff estimated: matches per type pair */
    double *estimate_se;      /* its standard error per type pair (evolve_types.c), owned */
    size_t n_estimate_se;
    uint32_t count_types;     /* representation counts: the most types of a population;
                                 0: agent by agent (params.representation) */
    /* A batch of runs (dlm_evo_plan_join): one parameter set per run, owned; null for a
       plan of one run, whose parameters are `params`. */
    dlm_evo_params *batch_params;
    size_t n_batch_params;
    dlm_player_params *batch_classes; /* every run's classes, run j's from its class_offset */
    size_t n_batch_classes;
} dlm_evo_plan;

/* Builds the plan of the scenario's evolution; DLM_ERR_USAGE names the bad key. */
dlm_status dlm_evo_plan_build(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err);
/* The plan's cheap checks only (the rule, sizes and memory, the parameters), nothing
 * allocated: what a sweep checks of every axis value before any work. */
dlm_status dlm_evo_plan_check(const dlm_scenario *sc, dlm_error *err);
/* Step 9 of the build (evolve_types.c): the run's types — a finite set of strategies
 * with exact payoffs, and the strategies with a cost — appended to the table, with their
 * costs and the exact payoff of every pair of types and classes computed once. */
dlm_status dlm_evo_plan_types(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err);
/* Step 10 of dlm_evo_plan_build (evolve_counts.c): params.representation and count_types,
 * by evolution.representation (auto: counts where they apply); DLM_ERR_USAGE when counts
 * are asked for where they do not apply. */
dlm_status dlm_evo_plan_representation(const dlm_scenario *sc, dlm_evo_plan *plan,
                                       dlm_error *err);
/* The upload description of a plan (pointers into it). */
void dlm_evo_plan_setup(const dlm_evo_plan *plan, uint64_t seed, dlm_evo_setup *setup);
void dlm_evo_plan_free(dlm_evo_plan *plan);

/* The donation game's part of the plan (host/plan/reputation_plan.c): its parameters and
 * action rules, or DLM_ERR_USAGE for what it cannot run. */
dlm_status dlm_reputation_plan(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err);
/* Its cheap part (for dlm_evo_plan_check): what the donation game cannot run yet. */
dlm_status dlm_reputation_check(const dlm_scenario *sc, const dlm_evo_plan *plan, dlm_error *err);

/* The referee's part of the plan (host/plan/referee_plan.c), after the types: its block of
 * parameters put before the exact area (params.costs bit DLM_COSTS_REFEREE), and what it
 * cannot run refused (DLM_ERR_USAGE naming the key). Nothing without institution:. */
dlm_status dlm_referee_plan(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err);
/* Its refusals alone, from the rule (plan_sizes) and the scenario: dlm_evo_plan_check's. */
dlm_status dlm_referee_check(const dlm_scenario *sc, const dlm_evo_plan *plan, dlm_error *err);
/* The group games' part of the plan (host/plan/group_plan.c): in place of the 2x2 game's
 * payoff bounds, the group parameters, fitness bound and windows (after the graphs); */
/* Group selection (demes_plan.c): its rule, structure and words of group sizes; refuses
 * what it cannot run with. A no-op without evolution.group_selection. */
dlm_status dlm_demes_plan(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err);
dlm_status dlm_group_bounds(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err);
/* the contribution rules (after the populations; under other kinds: refuses them); */
dlm_status dlm_group_plan(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err);
/* and its cheap part (for dlm_evo_plan_check): what group games cannot run yet. */
dlm_status dlm_group_check(const dlm_scenario *sc, const dlm_evo_plan *plan, dlm_error *err);
/* Incentives in the public goods game (evolution.group.punishment): the flags and the
 * parameter block at exact_offset (kernels/dlm_punish.h), after dlm_evo_plan_types. */
dlm_status dlm_punish_plan(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err);

/* Batches (host/plan/evolve_batch.c): runs of a sweep that differ only in what each
 * population carries (its parameters, classes, mutation set, seed, initial strategies)
 * evolve together as the populations of one plan. 1 when run b can join a batch with
 * run a: the same rule and schedule (generations, record_every, stop at fixation, no
 * snapshots, no wall-clock limit), the same named strategies, and the same graphs (none,
 * or identical ones: population-local ids make one graph serve every population). */
int dlm_evo_plan_batchable(const dlm_scenario *sa, const dlm_evo_plan *a,
                           const dlm_scenario *sb, const dlm_evo_plan *b);
/* Joins k batchable plans into one: run j's populations follow run j-1's, with its own
 * parameter set j; `params` is run 0's (what the runner reads of the rule). */
dlm_status dlm_evo_plan_join(const dlm_evo_plan *const *plans, size_t k, dlm_evo_plan *out,
                             dlm_error *err);

/* Bytes the host needs per agent (documented in the README). */
uint64_t dlm_evo_bytes_per_agent(int synchronous);
/* Name of a DLM_RULE_*. */
const char *dlm_evo_rule_name(uint32_t rule);
/* Reads n strategy texts, one per line ('#' comments and blank lines skipped). */
dlm_status dlm_evo_read_initial_file(const char *path, uint32_t n, char ***lines, dlm_error *err);

#endif /* DLM_EVOLVE_PLAN_H */

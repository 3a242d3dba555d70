/* evolve_counts.c — the choice of representation of an evolution (evolve_plan.h): a
 * well-mixed population of few types runs as counts of types (kernels/dlm_counts.h),
 * everything else agent by agent. `evolution.representation: auto` takes counts where
 * they apply; `counts` refuses, naming the reason, where they do not. */
#include <stdio.h>
#include <string.h>

#include "dlm_counts.h"
#include "plan/evolve_plan.h"

/* 1 when strategy s plays the same moves in every match against the same opponent
 * without noise: lookup tables and machines, memory-one vectors of 0s and 1s. */
static int deterministic(const dlm_strategy *s)
{
    uint32_t i;
    if (s->kind != DLM_STRAT_MEMORY_ONE)
        return 1;
    for (i = 0; i < 5; ++i)
        if (s->threshold[i] != 0 && s->threshold[i] < ((uint64_t)1 << 32))
            return 0;
    return 1;
}

/* Why the plan's populations cannot run as counts, into why (empty when they can);
 * *types: the most types of a population. */
static void counts_refusal(const dlm_evo_plan *plan, char *why, size_t len, uint32_t *types)
{
    const dlm_evo_params *ep = &plan->params;
    dlm_evo_world w;
    uint64_t a;
    size_t p, k;
    why[0] = 0;
    *types = 0;
    if (ep->rule != DLM_RULE_MORAN_BD && ep->rule != DLM_RULE_MORAN_DB && ep->rule != DLM_RULE_FERMI &&
        ep->rule != DLM_RULE_WRIGHT_FISHER) {
        snprintf(why, len, "counts run moran-bd, moran-db, fermi and wright-fisher, not %s",
                 dlm_evo_rule_name(ep->rule));
        return;
    }
    if (ep->structure != DLM_STRUCTURE_COMPLETE || ep->side_b) {
        snprintf(why, len, "counts need one well-mixed population where everyone plays "
                           "everyone (no graph or lattice, no sampled partners, no sides)");
        return;
    }
    if (ep->interaction != DLM_INTERACTION_GAME2) {
        snprintf(why, len, "counts run the iterated game; the donation game plays each "
                           "agent's donations and keeps each agent's standing (or N x N "
                           "views), which counts of types would replace by expectations, and "
                           "group games are played agent by agent");
        return;
    }
    if (ep->costs & DLM_COSTS_REFEREE) {
        snprintf(why, len, "counts do not run a referee (institution:): its audits judge "
                           "each agent's played moves and exclude agents from matches");
        return;
    }
    if (ep->payoff_mode == 2 || ep->costs) {
        snprintf(why, len, "counts take the expected payoffs of the match, so far without "
                           "strategy costs (evolution.cost) and not the long-run ones "
                           "(evolution.exact: long-run)");
        return;
    }
    if (ep->mutation_kind != 0 && ep->mutation_kind != DLM_MUTATION_SET) {
        snprintf(why, len, "mutation that makes new strategies without end (not kind set) "
                           "has no finite set of types");
        return;
    }
    if (ep->payoff_mode == 0) {
        for (a = 0; a < plan->n_agents && deterministic(&plan->strategies[a]); ++a)
            ;
        for (k = 0; a == plan->n_agents && k < plan->n_table; ++k)
            if (!deterministic(&plan->table[k]))
                a = 0;
        for (k = 0; a == plan->n_agents && k < plan->n_classes; ++k)
            if (plan->classes[k].execution_error || plan->classes[k].perception_error)
                a = 0;
        if (a != plan->n_agents || ep->rules.geometric) {
            snprintf(why, len, "played payoffs of noisy or stochastic players, or of matches "
                               "of random length, differ match by match (payoff: exact gives "
                               "memory-one pairs their expected payoffs, payoff: estimated "
                               "estimates every pair once)");
            return;
        }
    }
    memset(&w, 0, sizeof w);
    w.params = &plan->params;
    w.classes = plan->classes;
    w.table = plan->table;
    w.strategy = plan->strategies;
    w.agent_class = plan->agent_class;
    for (p = 0; p < plan->n_populations; ++p) {
        static _Thread_local dlm_counts cs; /* 3.5 KiB: off the stack, one per thread */
        if (!dlm_counts_build(&cs, &w, &plan->populations[p], ep)) {
            snprintf(why, len, "population %zu has more than %u strategies or %u types "
                               "(strategy x class)", p, DLM_COUNTS_MAX_STRATEGIES,
                     DLM_COUNTS_MAX_TYPES);
            return;
        }
        *types = cs.n_types > *types ? cs.n_types : *types;
    }
}

dlm_status dlm_evo_plan_representation(const dlm_scenario *sc, dlm_evo_plan *plan,
                                       dlm_error *err)
{
    const char *want = sc->evolution.representation;
    char why[256];
    uint32_t types;
    plan->params.representation = DLM_REPRESENTATION_AGENTS;
    plan->count_types = 0;
    if (strcmp(want, "agents") == 0)
        return DLM_OK;
    counts_refusal(plan, why, sizeof why, &types);
    if (why[0] && strcmp(want, "counts") == 0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.representation: counts do not apply here: %s; use "
                             "auto or agents", why);
    if (why[0])
        return DLM_OK;
    plan->params.representation = DLM_REPRESENTATION_COUNTS;
    plan->count_types = types;
    return DLM_OK;
}

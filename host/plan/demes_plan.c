/* demes_plan.c — the plan's part of group selection (evolution.group_selection; Traulsen
 * & Nowak 2006; kernels/dlm_demes.h, dlm_demes_event.h): the rule and the structure of
 * the groups, the split probability's threshold, the per-population words of the group
 * sizes, and what group selection cannot run with. Called at the end of plan_params, so
 * that dlm_evo_plan_build and dlm_evo_plan_check both see it.
 */
#include <string.h>

#include "dlm_evolve.h"
#include "plan/evolve_plan.h"

dlm_status dlm_demes_plan(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    dlm_evo_params *ep = &plan->params;
    if (!ev->demes)
        return DLM_OK;
    if (strcmp(ev->rule, "moran-bd") != 0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.group_selection: is its own birth-death rule (a "
                             "parent by fitness from the whole population, its offspring into "
                             "its group); the rule here is %s: leave evolution.rule out or "
                             "give moran-bd", ev->rule);
    if (ep->structure != DLM_STRUCTURE_COMPLETE || ev->structure.partners)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.group_selection: the groups are the structure (each "
                             "agent meets the other members of its group): leave "
                             "evolution.structure and evolution.replacement out (well-mixed)");
    if (ep->side_b)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.group_selection: two sides (classes with roles) are "
                             "not supported with groups");
    if (ev->donation || ev->group)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.group_selection: the game within the groups is the "
                             "2x2 game (game.*, e.g. preset donation with b and c); "
                             "evolution.interaction %s is not supported with groups yet",
                             ev->donation ? "donation" : "group");
    if (strcmp(ev->representation, "counts") == 0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.representation: counts describe a well-mixed "
                             "population, and group selection has groups (use auto or agents)");
    plan->rule = DLM_RULE_GROUP_SELECTION;
    ep->rule = DLM_RULE_GROUP_SELECTION;
    ep->structure = DLM_STRUCTURE_DEMES;
    ep->partners = ev->demes_size;
    ep->payoff_b[0] = (double)dlm_probability_threshold(ev->demes_split);
    ep->moran_death = DLM_MORAN_DEATH_ANY;
    /* the group sizes: one word per group in the per-population area (all full at the
       start: the words hold vacancies, zero everywhere at upload) */
    plan->n_views = (uint64_t)ev->demes_groups * ev->populations;
    plan->bytes += plan->n_views * 4u;
    return DLM_OK;
}

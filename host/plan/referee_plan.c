/* referee_plan.c — the plan's part of the evolving referee (institution: in mode evolve;
 * kernels/dlm_referee.h). After the types (evolve_types.c), it puts the referee's block of
 * DLM_REFEREE_DOUBLES doubles in front of the parameter set's exact area (exact_offset moves
 * up by 16, so the block sits at exact[exact_offset - 16 ..], and a batch's join keeps it
 * there), sets the bit DLM_COSTS_REFEREE of params.costs, and refuses what the referee cannot
 * run yet, naming the key. The ledger's words were counted with the views by plan_sizes
 * (evolve_plan.c): DLM_LEDGER_WORDS per population, after any views of the donation game,
 * then under a synchronous rule DLM_SLOT_WORDS per agent (the evaluations' slots).
 *
 * Amounts are settled in micro-units: round(x 10^6), so a fine of 1.1 is 1100000 units and
 * every backend adds the same integers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlm_evolve.h"
#include "plan/evolve_plan.h"

static double micro(double x)
{
    return floor(x * 1e6 + 0.5);
}

dlm_status dlm_referee_check(const dlm_scenario *sc, const dlm_evo_plan *plan, dlm_error *err)
{
    const dlm_institution_spec *in = &sc->institution;
    const dlm_evolution_spec *ev = &sc->evolution;
    double units;
    (void)plan; /* every rule runs a referee now (the synchronous ones through slots) */
    if (!in->given)
        return DLM_OK;
    if (ev->demes)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "institution: the evolving referee is not built for "
                             "evolution.group_selection yet (allowed with every other rule: "
                             "moran-bd, moran-db, fermi, fermi-sync, wright-fisher, "
                             "imitate-best)");
    if (ev->payoff_exact || ev->payoff_estimated)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "institution: the referee audits played moves; evolution.payoff "
                             "must be played (exact and estimated payoffs play no moves; "
                             "`dilemma analyze` folds the referee into exact payoffs)");
    units = ev->group && ev->group_game >= 3 ? (double)(ev->group_levels - 1u)
                                             : 1.0; /* acts a round: units of level */
    if (micro(in->fine) * (double)sc->rounds * units > 9e15 ||
        micro(in->subsidy) * (double)sc->rounds * units > 9e15)
        return dlm_error_set(
            err, DLM_ERR_USAGE,
            "institution.fine: an interaction of %u rounds could move %g "
            "units; at most 9 x 10^9 (fewer rounds or a smaller fine or "
            "subsidy)",
            sc->rounds, (in->fine > in->subsidy ? in->fine : in->subsidy) * sc->rounds * units);
    return DLM_OK;
}

dlm_status dlm_referee_plan(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    const dlm_institution_spec *in = &sc->institution;
    dlm_evo_params *ep = &plan->params;
    double *exact, *b;
    uint64_t per_pop, slots;
    dlm_status st;
    if (!in->given)
        return DLM_OK;
    if ((st = dlm_referee_check(sc, plan, err)) != DLM_OK)
        return st;
    per_pop = plan->n_views / plan->n_populations;
    slots = plan->synchronous ? (uint64_t)DLM_SLOT_WORDS * sc->evolution.population : 0u;
    if (per_pop < DLM_LEDGER_WORDS + slots)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "institution: no ledger was planned");
    exact = malloc((plan->n_exact + DLM_REFEREE_DOUBLES) * sizeof *exact);
    if (!exact)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for the referee");
    b = exact;
    memset(b, 0, DLM_REFEREE_DOUBLES * sizeof *b);
    b[DLM_REF_AUDIT] = (double)dlm_probability_threshold(in->audit);
    b[DLM_REF_E1] = (double)dlm_probability_threshold(in->false_accusation);
    b[DLM_REF_E2] = (double)dlm_probability_threshold(in->missed_detection);
    b[DLM_REF_FINE] = micro(in->fine);
    b[DLM_REF_SUBSIDY] = micro(in->subsidy);
    b[DLM_REF_AUDIT_COST] = micro(in->audit_cost);
    b[DLM_REF_TAX] = micro(in->tax);
    b[DLM_REF_BUDGET0] = micro(in->budget);
    b[DLM_REF_LIMITED] = in->budget_given ? 1.0 : 0.0;
    b[DLM_REF_EXCLUSION] = (double)in->exclusion;
    b[DLM_REF_LEDGER] = (double)(per_pop - slots - DLM_LEDGER_WORDS);
    b[DLM_REF_SLOTS] = (double)(per_pop - slots); /* synchronous rules: per-agent slots */
    if (plan->n_exact)
        memcpy(exact + DLM_REFEREE_DOUBLES, plan->exact, plan->n_exact * sizeof *exact);
    free(plan->exact);
    plan->exact = exact;
    plan->n_exact += DLM_REFEREE_DOUBLES;
    plan->bytes += DLM_REFEREE_DOUBLES * sizeof *exact;
    ep->exact_offset += DLM_REFEREE_DOUBLES;
    ep->costs |= DLM_COSTS_REFEREE;
    return DLM_OK;
}

/* evolve_types.c — the types of an evolution and what is computed for them once per run
 * (evolve_plan.h, step 9): the strategy costs (evolution.cost) and, with exact payoffs
 * among a finite set of strategies, the cache of every pair's exact payoff.
 *
 * A type is a strategy the run can hold. With `payoff: exact` and no mutation or a
 * mutation set, every agent's strategy is, at every generation, one of its initial
 * strategies or of the mutation set: those are the run's types, and the exact payoff of
 * x against y depends only on (x's class, y's class, x's type, y's type) and x's side.
 * The plan computes each such payoff once, with the model's own code
 * (kernels/dlm_exact.h), and every backend reads it from world->exact instead of solving
 * the chain at every evaluation; the value is the one the evaluation would compute, bit
 * for bit. Continuous mutation (random-memory-one, gaussian) has no finite set: its
 * evaluations compute as before. The types are appended to the plan's strategy table
 * (after the mutation set), the doubles to plan->exact:
 *
 *   exact[exact_offset + t]                       cost per round of type t
 *   exact[exact_offset + K + ((((cx C + cy) K + tx) K + ty) << 1) + side]
 *                                                 x's exact payoff against y, by x's
 *                                                 side's matrix (side A = payoff)
 */
#include <stdlib.h>
#include <string.h>

#include "model/strategies.h"
#include "plan/evolve_plan.h"

#define MAX_TYPES 64u /* a larger set computes per evaluation (the search is linear) */
#define MAX_WORK  ((uint64_t)1 << 32) /* rounds of chain steps the cache may cost up front */

typedef struct type_list {
    dlm_strategy s[MAX_TYPES];
    double cost[MAX_TYPES];
    uint32_t n;
    int overflow; /* more than MAX_TYPES distinct strategies */
} type_list;

/* Adds s to the list unless it is there; returns its index (MAX_TYPES on overflow). */
static uint32_t add_type(type_list *l, const dlm_strategy *s)
{
    uint32_t t;
    for (t = 0; t < l->n; ++t)
        if (dlm_strategy_equal(&l->s[t], s))
            return t;
    if (l->n == MAX_TYPES) {
        l->overflow = 1;
        return MAX_TYPES;
    }
    l->s[l->n] = *s;
    l->cost[l->n] = 0.0;
    return l->n++;
}

/* Every strategy the run can hold (initial agents, mutation set), when finite. */
static void collect_finite(const dlm_evo_plan *plan, type_list *l)
{
    uint64_t a;
    size_t k;
    for (a = 0; a < plan->n_agents && !l->overflow; ++a)
        add_type(l, &plan->strategies[a]);
    for (k = 0; plan->params.mutation_kind == DLM_MUTATION_SET && k < plan->n_table; ++k)
        add_type(l, &plan->table[k]);
}

/* The exact payoffs of every (class, class, type, type) pair into cache (both sides'
 * matrices), computed as dlm_evo_play computes them. */
static void fill_cache(const dlm_evo_plan *plan, const type_list *l, double *cache)
{
    const dlm_evo_params *ep = &plan->params;
    uint32_t c = plan->n_classes, k = l->n, cx, cy, tx, ty;
    for (cx = 0; cx < c; ++cx)
        for (cy = 0; cy < c; ++cy)
            for (tx = 0; tx < k; ++tx)
                for (ty = 0; ty < k; ++ty) {
                    double sum[4], total;
                    double *at = cache + ((((cx * c + cy) * k + tx) * k + ty) << 1);
                    if (ep->payoff_mode == 2u)
                        dlm_exact_long_run_sums(&l->s[tx], &l->s[ty], &plan->classes[cx],
                                                &plan->classes[cy], sum, &total);
                    else
                        dlm_exact_match_sums(&l->s[tx], &l->s[ty], &plan->classes[cx],
                                             &plan->classes[cy], &ep->rules, sum, &total);
                    at[0] = dlm_exact_sums_payoff(sum, total, ep->payoff);
                    at[1] = dlm_exact_sums_payoff(sum, total, ep->payoff_b);
                }
}

/* Chain steps the cache would cost: pairs times the rounds of one match. */
static uint64_t cache_work(const dlm_evo_plan *plan, uint32_t k)
{
    uint64_t pairs = (uint64_t)k * k * plan->n_classes * plan->n_classes;
    uint64_t rounds = plan->params.payoff_mode == 2u ? 64u : plan->params.rules.rounds;
    return pairs * rounds;
}

/* The strategies with a cost, compiled, with their costs into l. */
static dlm_status add_costs(const dlm_scenario *sc, dlm_evo_plan *plan, type_list *l,
                            dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    size_t i;
    for (i = 0; i < ev->n_costs; ++i) {
        dlm_strategy_def def;
        dlm_error inner;
        uint32_t t;
        if (dlm_strategy_parse(ev->costs[i].strategy, &sc->game, &def, &inner) != DLM_OK)
            return dlm_error_set(err, DLM_ERR_USAGE, "evolution.cost: %s", inner.message);
        t = add_type(l, &def.model); /* room for every cost: dlm_evo_plan_types */
        l->cost[t] = ev->costs[i].share;
        if (l->cost[t] != 0.0)
            plan->params.costs = 1u;
    }
    return DLM_OK;
}

dlm_status dlm_evo_plan_types(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    dlm_evo_params *ep = &plan->params;
    type_list l;
    dlm_strategy *table;
    size_t n_exact;
    dlm_status st;
    int cache;
    memset(&l, 0, sizeof l);
    cache = ep->payoff_mode != 0u &&
            (ep->mutation_kind == 0u || ep->mutation_kind == DLM_MUTATION_SET);
    if (cache) {
        collect_finite(plan, &l);
        if (l.overflow || l.n + sc->evolution.n_costs > MAX_TYPES ||
            cache_work(plan, l.n + (uint32_t)sc->evolution.n_costs) > MAX_WORK) {
            memset(&l, 0, sizeof l); /* too many: evaluations compute their payoffs */
            cache = 0;
        }
    }
    if ((st = add_costs(sc, plan, &l, err)) != DLM_OK)
        return st;
    if (l.n == 0)
        return DLM_OK;
    table = realloc(plan->table, (plan->n_table + l.n) * sizeof *table);
    n_exact = l.n + (cache ? ((size_t)l.n * l.n * plan->n_classes * plan->n_classes << 1) : 0);
    plan->exact = malloc(n_exact * sizeof *plan->exact);
    if (table)
        plan->table = table;
    if (!table || !plan->exact)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for the types' payoffs");
    memcpy(plan->table + plan->n_table, l.s, l.n * sizeof *table);
    memcpy(plan->exact, l.cost, l.n * sizeof *plan->exact);
    ep->type_offset = (uint32_t)plan->n_table;
    ep->n_types = l.n;
    ep->exact_offset = 0;
    plan->n_table += l.n;
    plan->n_exact = n_exact;
    plan->bytes += n_exact * sizeof *plan->exact + l.n * sizeof *table;
    if (cache) {
        ep->cache_classes = plan->n_classes;
        fill_cache(plan, &l, plan->exact + l.n);
    }
    return DLM_OK;
}

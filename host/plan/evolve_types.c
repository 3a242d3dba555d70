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
 *
 * With `payoff: estimated` (payoff_mode 3) the cache is required (a finite set of types)
 * and holds, in the same places, the mean payoff per round of M = estimate_matches
 * matches of x against y, played with the model's match code (dlm_play_match) under the
 * run's seed, streams DLM_PURPOSE_ESTIMATE keyed by the pair's index
 * ((cx C + cy) K + tx) K + ty (population field) and 2m (play) or 2m + 1 (length) for
 * match m: the same numbers on every backend and thread count, because every backend
 * reads them. A second block of the same size follows, for the census of counts:
 *
 *   exact[exact_offset + K + 2P + (pair << 1) + 0]  x's mean C moves per match
 *   exact[exact_offset + K + 2P + (pair << 1) + 1]  the mean rounds per match
 *
 * (P = C^2 K^2 pairs), and plan->estimate_se[pair] the standard error of side A's
 * estimate (the sample standard deviation of the M match payoffs over sqrt(M)).
 */
#include <math.h>
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

/* Pair `pair` (x of type tx, class cx, against ty, cy) estimated by M matches into at
 * (both sides' matrices), its C moves and rounds into census, and side A's standard
 * error into *se. */
static void estimate_pair(const dlm_evo_plan *plan, const type_list *l, uint32_t pair,
                          uint32_t cx, uint32_t cy, uint32_t tx, uint32_t ty, double *at,
                          double *census, double *se)
{
    const dlm_evo_params *ep = &plan->params;
    uint32_t m, n = plan->estimate_matches;
    uint64_t seed = plan->n_populations ? plan->populations[0].seed : 0u;
    double s0 = 0.0, s1 = 0.0, sq = 0.0, coop = 0.0, rounds = 0.0, mean, var;
    for (m = 0; m < n; ++m) {
        dlm_match_rules rules = ep->rules;
        dlm_match_result r = dlm_play_match(
            &l->s[tx], &l->s[ty], &plan->classes[cx], &plan->classes[cy], &rules, seed,
            dlm_stream_id(DLM_PURPOSE_ESTIMATE, pair, 2u * (uint64_t)m),
            dlm_stream_id(DLM_PURPOSE_ESTIMATE, pair, 2u * (uint64_t)m + 1u), 0u,
            (DLM_GLOBAL uint8_t *)0);
        double a = dlm_match_payoff_side(ep, &r, 0u);
        s0 += a;
        sq += a * a;
        s1 += dlm_match_payoff_side(ep, &r, 1u);
        coop += (double)(r.outcome[0] + r.outcome[1]);
        rounds += (double)r.rounds;
    }
    mean = s0 / n;
    var = (sq - s0 * mean) / (n - 1u);
    at[0] = mean;
    at[1] = s1 / n;
    census[0] = coop / n;
    census[1] = rounds / n;
    *se = var > 0.0 ? sqrt(var / n) : 0.0;
}

/* The exact payoffs of every (class, class, type, type) pair into cache (both sides'
 * matrices), computed as dlm_evo_play computes them. */
static void fill_cache(dlm_evo_plan *plan, const type_list *l, double *cache)
{
    const dlm_evo_params *ep = &plan->params;
    uint32_t c = plan->n_classes, k = l->n, cx, cy, tx, ty;
    for (cx = 0; cx < c; ++cx)
        for (cy = 0; cy < c; ++cy)
            for (tx = 0; tx < k; ++tx)
                for (ty = 0; ty < k; ++ty) {
                    double sum[4], total;
                    uint32_t pair = ((cx * c + cy) * k + tx) * k + ty;
                    double *at = cache + ((size_t)pair << 1);
                    if (ep->payoff_mode == 3u) {
                        estimate_pair(plan, l, pair, cx, cy, tx, ty, at,
                                      cache + ((size_t)c * c * k * k << 1) + ((size_t)pair << 1),
                                      &plan->estimate_se[pair]);
                        continue;
                    }
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
    if (plan->params.payoff_mode == 3u)
        rounds *= plan->estimate_matches;
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
    size_t n_exact, pairs;
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
    if (ep->payoff_mode == 3u && ep->interaction != DLM_INTERACTION_GAME2)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.payoff: estimated payoffs are the iterated game's; "
                             "the donation game plays its own rounds");
    if (ep->payoff_mode == 3u && !cache)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.payoff: estimated needs a finite set of at most %u "
                             "types (strategies of the initial population and the mutation "
                             "set), and their pairs times estimate_matches times match.rounds "
                             "at most 2^32 rounds; this run has %s", MAX_TYPES,
                             l.overflow ? "more types" : "more rounds to play");
    if ((st = add_costs(sc, plan, &l, err)) != DLM_OK)
        return st;
    if (l.n == 0)
        return DLM_OK;
    table = realloc(plan->table, (plan->n_table + l.n) * sizeof *table);
    pairs = (size_t)l.n * l.n * plan->n_classes * plan->n_classes;
    n_exact = l.n + (cache ? (pairs << (ep->payoff_mode == 3u ? 2 : 1)) : 0);
    plan->exact = malloc(n_exact * sizeof *plan->exact);
    if (cache && ep->payoff_mode == 3u) {
        if (pairs > ((size_t)1 << 20))
            return dlm_error_set(err, DLM_ERR_USAGE, "evolution.payoff: estimated: %zu type "
                                 "pairs, at most 2^20", pairs);
        if (!(plan->estimate_se = calloc(pairs, sizeof *plan->estimate_se)))
            return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for the estimates");
        plan->n_estimate_se = pairs;
    }
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

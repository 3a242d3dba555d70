/* dlm_counts.h — the count representation of a well-mixed population of few types,
 * written once for every backend (DESIGN.md §11: "well-mixed populations of few types are
 * counts, not agents, where the model allows it").
 *
 * A type is (strategy, agent class). When every agent's strategy comes from a finite set
 * (the strategies present, plus the mutation set when mutation draws from a set), the
 * population's composition is a vector of counts, and an agent's payoff in a well-mixed
 * population where everyone plays everyone else depends only on its type and the counts:
 *
 *     pi_t = (sum_u n_u A[t][u] - A[t][t]) / (n - 1)      (accumulate = total: no division)
 *
 * with A[t][u] the payoff per round to type t against type u: the exact expected payoff
 * of a memory-one pair (payoff_mode 1, dlm_exact.h), or the payoff of one played match
 * when both players are deterministic and noiseless (the host checks that any match of
 * theirs is the same match). A[t][u] is computed once, when first needed, and kept for
 * the rest of the call. An event then costs O(types) (and O(types^2) to refresh the
 * payoffs after a change of composition), not O(n) matches.
 *
 * The agents stay the state of record: every event writes the strategy it hands on into
 * the agent array exactly as the agent path does, so the census, snapshots, abundances,
 * fixation and checkpoints read the same arrays in the same format; the counts are
 * rebuilt from the agents at the start of each call (O(n types)). The type order is
 * canonical (strategies sorted by their bits, then classes), and a payoff sums only over
 * types present, so the numbers never depend on where a backend splits a run into calls.
 *
 * Rules (one side, complete well-mixed structure):
 *   moran-bd  parent type chosen with probability n_t f(pi_t) / sum (roulette, exact: no
 *             rejection sampling), the one who dies a uniform agent of all n (moran_death
 *             any) or of the n - 1 others (others: an agent of the parent's type is the
 *             parent itself with probability 1 / n_t, and then drawn again);
 *   moran-db  a uniform agent dies; the parent's type by fitness among the n - 1 others;
 *   fermi     a uniform focal agent and a uniform model among the others; the focal agent
 *             adopts the model's strategy with probability 1 / (1 + exp(-beta (pi_y - pi_x))).
 *   wright-fisher  every place of the next generation takes a parent type chosen by
 *             n_t f(pi_t) / sum from the whole population (dlm_counts_wright_fisher).
 * Mutation as on the agent path (only `set` keeps the types finite).
 *
 * Random numbers (DESIGN.md §3), generation g of population p: SELECTION (p, g) window e
 * for the choices of event e, MUTATION (p, g) window e for its mutation; nothing else. The
 * counts draw other numbers than the agent path (no matches, no rejection), so the two
 * representations agree in distribution, not draw by draw.
 */
#ifndef DLM_COUNTS_H
#define DLM_COUNTS_H

#include "dlm_evolve.h"

#define DLM_REPRESENTATION_AGENTS 0u
#define DLM_REPRESENTATION_COUNTS 1u

#define DLM_COUNTS_MAX_STRATEGIES 16u
#define DLM_COUNTS_MAX_TYPES 16u /* strategies x classes */

/* A population as counts of types, with its payoff matrix and current payoffs. */
typedef struct dlm_counts {
    dlm_strategy strategy[DLM_COUNTS_MAX_STRATEGIES]; /* sorted (dlm_strategy_order) */
    double payoff[DLM_COUNTS_MAX_TYPES * DLM_COUNTS_MAX_TYPES]; /* A[t * n_types + u] */
    double pi[DLM_COUNTS_MAX_TYPES]; /* payoff of type t at the current counts (present t) */
    uint32_t count[DLM_COUNTS_MAX_TYPES];
    uint32_t known[DLM_COUNTS_MAX_TYPES]; /* bit u of known[t]: A[t][u] is computed */
    uint32_t n_strategies, n_classes, n_types, pi_valid;
    uint32_t params, pad; /* the parameter set the payoffs belong to */
} dlm_counts;

/* Takes the payoffs known in `from` (a population run before, by the same caller) when it
 * has the same parameter set and types: they are pure functions of those, so the numbers
 * do not change, only the work of computing them again (the CPU backend keeps one per
 * thread; a device work-item has none). */
DLM_FN void dlm_counts_reuse(dlm_counts *cs, const dlm_counts *from)
{
    uint32_t i, t;
    if (from->params != cs->params || from->n_types != cs->n_types ||
        from->n_classes != cs->n_classes || from->n_strategies != cs->n_strategies)
        return;
    for (i = 0; i < cs->n_strategies; ++i)
        if (!dlm_strategy_equal(&from->strategy[i], &cs->strategy[i]))
            return;
    for (t = 0; t < cs->n_types; ++t) {
        cs->known[t] = from->known[t];
        for (i = 0; i < cs->n_types; ++i)
            cs->payoff[t * cs->n_types + i] = from->payoff[t * cs->n_types + i];
    }
}

/* Keeps what cs knows in `cache` for the thread's next population (dlm_counts_reuse):
 * a copy of the whole table, unless cs has the cache's parameter set and types and
 * knows no pair the cache does not (then the copy would change nothing reuse reads). */
DLM_FN void dlm_counts_keep(dlm_counts *cache, const dlm_counts *cs)
{
    uint32_t i, same = cache->params == cs->params && cache->n_types == cs->n_types &&
                       cache->n_classes == cs->n_classes &&
                       cache->n_strategies == cs->n_strategies;
    for (i = 0; same && i < cs->n_strategies; ++i)
        same = dlm_strategy_equal(&cache->strategy[i], &cs->strategy[i]);
    for (i = 0; same && i < cs->n_types; ++i)
        same = (cs->known[i] & ~cache->known[i]) == 0u;
    if (!same)
        *cache = *cs;
}

/* A total order of strategies by their bits: -1, 0 or 1. */
DLM_FN int dlm_strategy_order(const dlm_strategy *a, const dlm_strategy *b)
{
    uint64_t x[12], y[12];
    uint32_t i;
    x[0] = a->kind; y[0] = b->kind;
    x[1] = a->depth; y[1] = b->depth;
    x[2] = a->opening; y[2] = b->opening;
    x[3] = a->fsm_output; y[3] = b->fsm_output;
    x[4] = a->table; y[4] = b->table;
    x[5] = a->fsm_next_c; y[5] = b->fsm_next_c;
    x[6] = a->fsm_next_d; y[6] = b->fsm_next_d;
    for (i = 0; i < 5u; ++i) {
        x[7u + i] = a->threshold[i];
        y[7u + i] = b->threshold[i];
    }
    for (i = 0; i < 12u; ++i)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

/* Index of strategy s among the counts' strategies, or n_strategies. */
DLM_FN uint32_t dlm_counts_find(const dlm_counts *cs, const dlm_strategy *s)
{
    uint32_t i;
    for (i = 0; i < cs->n_strategies; ++i)
        if (dlm_strategy_equal(&cs->strategy[i], s))
            return i;
    return cs->n_strategies;
}

/* Adds strategy s in its sorted place, unless present; 0 when there is no room. */
DLM_FN uint32_t dlm_counts_add_strategy(dlm_counts *cs, const dlm_strategy *s)
{
    uint32_t at;
    if (dlm_counts_find(cs, s) < cs->n_strategies)
        return 1u;
    if (cs->n_strategies == DLM_COUNTS_MAX_STRATEGIES)
        return 0u;
    at = cs->n_strategies;
    while (at > 0u && dlm_strategy_order(s, &cs->strategy[at - 1u]) < 0) {
        cs->strategy[at] = cs->strategy[at - 1u];
        at -= 1u;
    }
    cs->strategy[at] = *s;
    cs->n_strategies += 1u;
    return 1u;
}

/* The strategy index of type t: t / n_classes, without the division in the common case
 * of one class (an event asks it on its hot path). */
DLM_FN uint32_t dlm_counts_strategy_of(const dlm_counts *cs, uint32_t t)
{
    return cs->n_classes == 1u ? t : t / cs->n_classes;
}

/* Index of local agent x's strategy among the counts' strategies, or n_strategies
 * (dlm_counts_find without copying the agent's 80 bytes, for memory-one strategies). */
DLM_FN uint32_t dlm_counts_find_agent(const dlm_counts *cs, const dlm_evo_world *w,
                                      const dlm_evo_population *pop, uint32_t x)
{
    DLM_GLOBAL const dlm_strategy *a = &w->strategy[pop->agent0 + x];
    uint32_t i = 0u, k;
    if (a->kind == DLM_STRAT_MEMORY_ONE) { /* dlm_strategy_equal in place: no 80-byte copy */
        for (; i < cs->n_strategies; ++i) {
            const dlm_strategy *b = &cs->strategy[i];
            uint32_t same = b->kind == DLM_STRAT_MEMORY_ONE;
            for (k = 0; same && k < 5u; ++k)
                same = a->threshold[k] == b->threshold[k];
            if (same)
                break;
        }
    } else {
        dlm_strategy s = *a;
        i = dlm_counts_find(cs, &s);
    }
    return i;
}

/* The type of local agent x. */
DLM_FN uint32_t dlm_counts_type_of(const dlm_counts *cs, const dlm_evo_world *w,
                                   const dlm_evo_population *pop, uint32_t x)
{
    return dlm_counts_find_agent(cs, w, pop, x) * cs->n_classes + w->agent_class[pop->agent0 + x];
}

/* The type of local agent x: types[x] where the caller keeps each agent's type as a byte
 * (the CPU backend: dlm_counts_run_typed), else from its strategy (dlm_counts_type_of). */
DLM_FN uint32_t dlm_counts_agent_type(const dlm_counts *cs, const dlm_evo_world *w,
                                      const dlm_evo_population *pop, uint32_t x,
                                      const uint8_t *types)
{
    return types ? (uint32_t)types[x] : dlm_counts_type_of(cs, w, pop, x);
}

/* Builds the counts of population pop from its agents, and, when types is not null,
 * each agent's type in types[0 .. n-1] (a type fits a byte: DLM_COUNTS_MAX_TYPES <= 255).
 * Returns 0 when its types do not fit (the host plans the count representation only
 * where they do). */
DLM_FN uint32_t dlm_counts_build_typed(dlm_counts *cs, const dlm_evo_world *w,
                                       const dlm_evo_population *pop, const dlm_evo_params *ep,
                                       uint8_t *types)
{
    uint32_t x, i;
    cs->n_strategies = 0u;
    cs->n_classes = 1u;
    cs->pi_valid = 0u;
    cs->params = pop->params;
    cs->pad = 0u;
    for (x = 0; x < pop->n; ++x) {
        uint32_t c = w->agent_class[pop->agent0 + x];
        cs->n_classes = c + 1u > cs->n_classes ? c + 1u : cs->n_classes;
        if (dlm_counts_find_agent(cs, w, pop, x) == cs->n_strategies) {
            dlm_strategy s = w->strategy[pop->agent0 + x];
            if (!dlm_counts_add_strategy(cs, &s))
                return 0u;
        }
    }
    if (ep->mutation_kind == DLM_MUTATION_SET)
        for (i = 0; i < ep->set_size; ++i) {
            dlm_strategy s = w->table[ep->set_offset + i];
            if (!dlm_counts_add_strategy(cs, &s))
                return 0u;
        }
    cs->n_types = cs->n_strategies * cs->n_classes;
    if (cs->n_types > DLM_COUNTS_MAX_TYPES)
        return 0u;
    for (i = 0; i < cs->n_types; ++i) {
        cs->count[i] = 0u;
        cs->known[i] = 0u;
    }
    for (x = 0; x < pop->n; ++x) {
        uint32_t t = dlm_counts_type_of(cs, w, pop, x);
        cs->count[t] += 1u;
        if (types)
            types[x] = (uint8_t)t;
    }
    return 1u;
}

/* dlm_counts_build_typed without the agents' types. */
DLM_FN uint32_t dlm_counts_build(dlm_counts *cs, const dlm_evo_world *w,
                                 const dlm_evo_population *pop, const dlm_evo_params *ep)
{
    return dlm_counts_build_typed(cs, w, pop, ep, (uint8_t *)0);
}

/* The index in the plan's cache (evolve_types.c) of the pair of count types t, u:
 * ((cx C + cy) K + tx) K + ty over the plan's types and classes. Every strategy of a
 * count population is a plan type (payoff_mode 3 requires the cache). */
DLM_FN uint32_t dlm_counts_cache_pair(const dlm_counts *cs, const dlm_evo_world *w,
                                      const dlm_evo_params *ep, uint32_t t, uint32_t u)
{
    uint32_t k = ep->n_types, c = ep->cache_classes, tx = k, ty = k, i;
    for (i = 0; i < k; ++i) {
        dlm_strategy s = w->table[ep->type_offset + i];
        if (dlm_strategy_equal(&s, &cs->strategy[t / cs->n_classes]))
            tx = i;
        if (dlm_strategy_equal(&s, &cs->strategy[u / cs->n_classes]))
            ty = i;
    }
    return (((t % cs->n_classes) * c + u % cs->n_classes) * k + tx) * k + ty;
}

/* A[t][u]: the payoff per round to type t in a match against type u. */
DLM_FN double dlm_counts_pair(dlm_counts *cs, const dlm_evo_world *w, const dlm_evo_params *ep,
                              const dlm_evo_population *pop, uint32_t t, uint32_t u)
{
    uint32_t at = t * cs->n_types + u;
    if (!((cs->known[t] >> u) & 1u)) {
        dlm_strategy a = cs->strategy[t / cs->n_classes], b = cs->strategy[u / cs->n_classes];
        dlm_player_params pa = w->classes[ep->class_offset + t % cs->n_classes];
        dlm_player_params pb = w->classes[ep->class_offset + u % cs->n_classes];
        dlm_match_rules rules = ep->rules;
        if (ep->payoff_mode == 3u) { /* estimated once per run by the plan */
            cs->payoff[at] = w->exact[ep->exact_offset + ep->n_types +
                                      ((uint64_t)dlm_counts_cache_pair(cs, w, ep, t, u) << 1)];
        } else if (ep->payoff_mode == 1u) {
            double payoff[4];
            payoff[0] = ep->payoff[0];
            payoff[1] = ep->payoff[1];
            payoff[2] = ep->payoff[2];
            payoff[3] = ep->payoff[3];
            cs->payoff[at] = dlm_exact_match_payoff(&a, &b, &pa, &pb, &rules, payoff, (double *)0);
        } else { /* deterministic players: any one match is every match */
            dlm_match_result m = dlm_play_match(
                &a, &b, &pa, &pb, &rules, pop->seed, dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, pop->id, 0u),
                dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, pop->id, 0u), 0u, (DLM_GLOBAL uint8_t *)0);
            cs->payoff[at] = dlm_match_payoff_a(ep, &m);
        }
        cs->known[t] |= 1u << u;
    }
    return cs->payoff[at];
}

/* What a census of counts computes for one ordered pair of types, kept by the CPU
 * backend between censuses (one memo per thread; a device work-item has none): the
 * values are pure functions of the key, so a hit gives the same bytes, without solving
 * the pair's chain again at every census of every population. */
#define DLM_COUNTS_MEMO 16u
typedef struct dlm_counts_memo_entry {
    dlm_strategy a, b;
    uint32_t params, class_a, class_b, pad;
    double pay, cc, length;
} dlm_counts_memo_entry;
typedef struct dlm_counts_memo {
    dlm_counts_memo_entry entry[DLM_COUNTS_MEMO];
    uint32_t n, next; /* entries held; the one the next miss replaces when full */
} dlm_counts_memo;

/* The memo's entry for (params, a, class ca, b, class cb), or DLM_COUNTS_MEMO. */
DLM_FN uint32_t dlm_counts_memo_find(const dlm_counts_memo *memo, uint32_t params,
                                     const dlm_strategy *a, uint32_t ca, const dlm_strategy *b,
                                     uint32_t cb)
{
    uint32_t i;
    for (i = 0; i < memo->n; ++i) {
        const dlm_counts_memo_entry *e = &memo->entry[i];
        if (e->params == params && e->class_a == ca && e->class_b == cb &&
            dlm_strategy_equal(&e->a, a) && dlm_strategy_equal(&e->b, b))
            return i;
    }
    return DLM_COUNTS_MEMO;
}

/* Census of type t: its payoff at the current counts, and the C moves and moves of one
 * agent of it in a match with everyone else, expected (payoff_mode 1) or of the one
 * deterministic match, in *coop and *moves. memo (may be null) keeps each pair's values
 * between calls. */
DLM_FN double dlm_counts_census_type(dlm_counts *cs, const dlm_evo_world *w,
                                     const dlm_evo_params *ep, const dlm_evo_population *pop,
                                     uint32_t t, double *coop, double *moves,
                                     dlm_counts_memo *memo)
{
    double sum = 0.0, c = 0.0, m = 0.0;
    uint32_t u;
    for (u = 0; u < cs->n_types; ++u) {
        dlm_strategy a = cs->strategy[t / cs->n_classes], b = cs->strategy[u / cs->n_classes];
        dlm_player_params pa = w->classes[ep->class_offset + t % cs->n_classes];
        dlm_player_params pb = w->classes[ep->class_offset + u % cs->n_classes];
        dlm_match_rules rules = ep->rules;
        double n = (double)(u == t ? cs->count[u] - 1u : cs->count[u]), pay, cc, length;
        uint32_t hit = DLM_COUNTS_MEMO;
        if (cs->count[u] == 0u || n == 0.0)
            continue;
        if (memo)
            hit = dlm_counts_memo_find(memo, pop->params, &a, t % cs->n_classes, &b,
                                       u % cs->n_classes);
        if (hit < DLM_COUNTS_MEMO) {
            pay = memo->entry[hit].pay;
            cc = memo->entry[hit].cc;
            length = memo->entry[hit].length;
        } else if (ep->payoff_mode == 3u) { /* the estimate's payoff, C moves and rounds */
            uint64_t pair = dlm_counts_cache_pair(cs, w, ep, t, u);
            uint64_t k = ep->n_types, nc = ep->cache_classes;
            DLM_CONST double *at = w->exact + ep->exact_offset + k;
            pay = at[pair << 1];
            at = at + ((nc * nc * k * k) << 1) + (pair << 1);
            length = at[1];
            cc = at[0] / (length > 0.0 ? length : 1.0);
        } else if (ep->payoff_mode == 1u) {
            double payoff[4], weight = 1.0, step;
            uint32_t r;
            payoff[0] = ep->payoff[0];
            payoff[1] = ep->payoff[1];
            payoff[2] = ep->payoff[2];
            payoff[3] = ep->payoff[3];
            pay = dlm_exact_match_payoff(&a, &b, &pa, &pb, &rules, payoff, &cc);
            step = rules.geometric ? dlm_threshold_probability(rules.continuation) : 1.0;
            length = 0.0; /* the expected length: the weights of dlm_exact_match_payoff */
            for (r = 0; r < rules.rounds && weight >= 1e-18; ++r) {
                length = length + weight;
                weight = weight * step;
            }
        } else {
            dlm_match_result mr = dlm_play_match(
                &a, &b, &pa, &pb, &rules, pop->seed, dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, pop->id, 0u),
                dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, pop->id, 0u), 0u, (DLM_GLOBAL uint8_t *)0);
            pay = dlm_match_payoff_a(ep, &mr);
            length = (double)mr.rounds;
            cc = (double)(mr.outcome[0] + mr.outcome[1]) / (length > 0.0 ? length : 1.0);
        }
        if (memo && hit == DLM_COUNTS_MEMO) {
            uint32_t slot = memo->n; /* a free entry, else the oldest */
            dlm_counts_memo_entry *e;
            if (memo->n < DLM_COUNTS_MEMO) {
                memo->n += 1u;
            } else {
                slot = memo->next;
                memo->next = (memo->next + 1u) % DLM_COUNTS_MEMO;
            }
            e = &memo->entry[slot];
            e->a = a;
            e->b = b;
            e->params = pop->params;
            e->class_a = t % cs->n_classes;
            e->class_b = u % cs->n_classes;
            e->pad = 0u;
            e->pay = pay;
            e->cc = cc;
            e->length = length;
        }
        sum = sum + n * pay;
        c = c + n * cc * length;
        m = m + n * length;
    }
    *coop = c;
    *moves = m;
    return ep->accumulate ? sum : sum / (double)(pop->n - 1u);
}

/* Brings pi up to date with the counts: each present type's payoff, summed in type order
 * over the present types. */
DLM_FN void dlm_counts_payoffs(dlm_counts *cs, const dlm_evo_world *w, const dlm_evo_params *ep,
                               const dlm_evo_population *pop)
{
    uint32_t t, u;
    if (cs->pi_valid)
        return;
    for (t = 0; t < cs->n_types; ++t) {
        double sum = 0.0;
        if (cs->count[t] == 0u)
            continue;
        for (u = 0; u < cs->n_types; ++u) {
            double add;
            if (cs->count[u] == 0u)
                continue;
            add = (double)(u == t ? cs->count[u] - 1u : cs->count[u]) *
                  dlm_counts_pair(cs, w, ep, pop, t, u);
            sum = sum + add;
        }
        cs->pi[t] = ep->accumulate ? sum : sum / (double)(pop->n - 1u);
    }
    cs->pi_valid = 1u;
}

/* A type chosen with probability weight_t / sum, weight_t = (n_t - [t == less]) f(pi_t)
 * (less = n_types: nobody left out); n_types when every weight is 0. */
DLM_FN uint32_t dlm_counts_by_fitness(const dlm_counts *cs, const dlm_evo_params *ep,
                                      uint32_t less, dlm_cursor *sel)
{
    double total = 0.0, u, run = 0.0;
    uint32_t t, last = cs->n_types;
    for (t = 0; t < cs->n_types; ++t) {
        uint32_t n = cs->count[t] - (t == less ? 1u : 0u);
        double f;
        if (cs->count[t] == 0u || n == 0u)
            continue;
        f = dlm_fitness(ep, cs->pi[t]);
        if (f > 0.0)
            total = total + (double)n * f;
    }
    if (!(total > 0.0))
        return cs->n_types;
    u = dlm_cursor_uniform(sel) * total;
    for (t = 0; t < cs->n_types; ++t) {
        uint32_t n = cs->count[t] - (t == less ? 1u : 0u);
        double f;
        if (cs->count[t] == 0u || n == 0u)
            continue;
        f = dlm_fitness(ep, cs->pi[t]);
        if (!(f > 0.0))
            continue;
        run = run + (double)n * f;
        last = t;
        if (u < run)
            return t;
    }
    return last; /* u within rounding of the total */
}

/* The type of a uniform agent among the n - 1 others of one of type `less`. */
DLM_FN uint32_t dlm_counts_uniform_other(const dlm_counts *cs, const dlm_evo_population *pop,
                                         uint32_t less, dlm_cursor *sel)
{
    uint32_t k = dlm_cursor_below(sel, pop->n - 1u), t, last = 0u;
    for (t = 0; t < cs->n_types; ++t) {
        uint32_t n = cs->count[t] - (t == less && cs->count[t] ? 1u : 0u);
        if (n == 0u)
            continue;
        last = t;
        if (k < n)
            return t;
        k -= n;
    }
    return last;
}

/* Local agent x takes strategy s: the agent array, the counts, and types[x] (types may
 * be null: dlm_counts_agent_type). */
DLM_FN void dlm_counts_set_typed(dlm_counts *cs, const dlm_evo_world *w,
                                 const dlm_evo_population *pop, uint32_t x, uint32_t from,
                                 dlm_strategy s, uint8_t *types)
{
    uint32_t to = dlm_counts_find(cs, &s) * cs->n_classes + w->agent_class[pop->agent0 + x];
    w->strategy[pop->agent0 + x] = s;
    if (types)
        types[x] = (uint8_t)to;
    if (to != from) {
        cs->count[from] -= 1u;
        cs->count[to] += 1u;
        cs->pi_valid = 0u;
    }
}

/* Local agent x takes strategy s: the agent array and the counts. */
DLM_FN void dlm_counts_set(dlm_counts *cs, const dlm_evo_world *w, const dlm_evo_population *pop,
                           uint32_t x, uint32_t from, dlm_strategy s)
{
    dlm_counts_set_typed(cs, w, pop, x, from, s, (uint8_t *)0);
}

#if defined(DLM_WINDOWS_AHEAD)
/* The host's CPU backend computes the first block of eight consecutive windows in vector
 * lanes (host/backends/cpu_lanes.c) and defines DLM_WINDOWS_AHEAD as that function:
 * out[l] = block (first + l) << 30 of `stream` under `seed`, for l < n <= 8 — the block
 * dlm_cursor_at(seed, stream, first + l) computes at its first word, so the draws are the
 * same bytes. */
void DLM_WINDOWS_AHEAD(uint64_t seed, uint64_t stream, uint32_t first, uint32_t n,
                       dlm_u32x4 *out);
#define DLM_COUNTS_AHEAD 16
#else
#define DLM_COUNTS_AHEAD 1 /* unused: a device computes each block where it is drawn */
#endif

/* The cursors of window e of the streams sel_stream and mut_stream (SELECTION and MUTATION
 * of one generation) into *sel and *mut. With DLM_WINDOWS_AHEAD, the first blocks of the
 * windows come eight events at a time from the lanes (ahead[0..7] selection, ahead[8..15]
 * mutation, filled at every e - begin that is a multiple of 8 up to `end`); otherwise
 * each cursor computes its own. */
DLM_FN void dlm_counts_cursors(const dlm_evo_population *pop, const dlm_evo_params *ep,
                               uint64_t sel_stream, uint64_t mut_stream, uint32_t begin,
                               uint32_t end, uint32_t e, dlm_u32x4 *ahead, dlm_cursor *sel,
                               dlm_cursor *mut)
{
#if defined(DLM_WINDOWS_AHEAD)
    uint32_t l = (e - begin) & 7u;
    if (l == 0u) {
        uint32_t n = end - e < 8u ? end - e : 8u;
        DLM_WINDOWS_AHEAD(pop->seed, sel_stream, e, n, ahead);
        if (ep->mutation_kind != 0u) /* every event then draws its mutation word */
            DLM_WINDOWS_AHEAD(pop->seed, mut_stream, e, n, ahead + 8);
    }
    *sel = dlm_cursor_from(pop->seed, sel_stream, e, ahead[l]);
    *mut = ep->mutation_kind != 0u ? dlm_cursor_from(pop->seed, mut_stream, e, ahead[8u + l])
                                   : dlm_cursor_at(pop->seed, mut_stream, e);
#else
    (void)ep;
    (void)begin;
    (void)end;
    (void)ahead;
    *sel = dlm_cursor_at(pop->seed, sel_stream, e);
    *mut = dlm_cursor_at(pop->seed, mut_stream, e);
#endif
}

/* One event on the counts, its draws from the cursors of its windows (dlm_counts_cursors:
 * SELECTION (p, g) window e and MUTATION (p, g) window e); types as dlm_counts_agent_type
 * (kept up to date; may be null). */
DLM_FN void dlm_counts_event_typed(dlm_counts *cs, const dlm_evo_world *w,
                                   const dlm_evo_population *pop, const dlm_evo_params *ep,
                                   dlm_cursor sel, dlm_cursor mut, dlm_evo_counts *counts,
                                   uint8_t *types)
{
    uint32_t x, tx, source;
    dlm_counts_payoffs(cs, w, ep, pop);
    if (ep->rule == DLM_RULE_MORAN_BD) {
        uint32_t trial;
        source = dlm_counts_by_fitness(cs, ep, cs->n_types, &sel);
        if (source == cs->n_types) {
            counts->failed_events += 1u;
            return;
        }
        x = dlm_cursor_below(&sel, pop->n);
        tx = dlm_counts_agent_type(cs, w, pop, x, types);
        /* others: x is the parent itself with probability 1 / n_source; draw again */
        for (trial = 0u; ep->moran_death == DLM_MORAN_DEATH_OTHERS && tx == source &&
                         trial < ep->max_trials &&
                         dlm_cursor_below(&sel, cs->count[source]) == 0u;
             ++trial) {
            x = dlm_cursor_below(&sel, pop->n);
            tx = dlm_counts_agent_type(cs, w, pop, x, types);
        }
    } else if (ep->rule == DLM_RULE_MORAN_DB) {
        x = dlm_cursor_below(&sel, pop->n);
        tx = dlm_counts_agent_type(cs, w, pop, x, types);
        source = dlm_counts_by_fitness(cs, ep, tx, &sel);
        if (source == cs->n_types) {
            counts->failed_events += 1u;
            return;
        }
    } else { /* fermi */
        uint64_t threshold;
        x = dlm_cursor_below(&sel, pop->n);
        tx = dlm_counts_agent_type(cs, w, pop, x, types);
        source = dlm_counts_uniform_other(cs, pop, tx, &sel);
        if (dlm_counts_strategy_of(cs, source) == dlm_counts_strategy_of(cs, tx)) {
            source = tx; /* the same strategy: imitation changes nothing, and draws nothing */
        } else {
            threshold = dlm_probability_threshold_from_double(
                dlm_fermi(ep->selection, cs->pi[source] - cs->pi[tx]));
            if (!dlm_fires(dlm_cursor_word(&sel), threshold))
                source = tx;
        }
    }
    if (ep->mutation_kind == 0u &&
        dlm_counts_strategy_of(cs, source) == dlm_counts_strategy_of(cs, tx))
        return; /* the agent keeps its strategy */
    dlm_counts_set_typed(cs, w, pop, x, tx,
                         dlm_evo_maybe_mutate(w, ep,
                                              cs->strategy[dlm_counts_strategy_of(cs, source)],
                                              &mut),
                         types);
}

/* dlm_counts_event_typed without the agents' types. */
DLM_FN void dlm_counts_event(dlm_counts *cs, const dlm_evo_world *w, const dlm_evo_population *pop,
                             const dlm_evo_params *ep, dlm_cursor sel, dlm_cursor mut,
                             dlm_evo_counts *counts)
{
    dlm_counts_event_typed(cs, w, pop, ep, sel, mut, counts, (uint8_t *)0);
}

/* 1 when one strategy holds all n agents (over its classes). */
DLM_FN uint32_t dlm_counts_monomorphic(const dlm_counts *cs, const dlm_evo_population *pop)
{
    uint32_t s, c;
    for (s = 0; s < cs->n_strategies; ++s) {
        uint32_t n = 0u;
        for (c = 0; c < cs->n_classes; ++c)
            n += cs->count[s * cs->n_classes + c];
        if (n == pop->n)
            return 1u;
        if (n != 0u)
            return 0u;
    }
    return 0u;
}

/* 1 when no event can change anything or count a failure: one strategy holds all n
 * agents, nothing mutates, and under Moran every present type has positive fitness (so a
 * parent is always found). Such a population's remaining events would draw numbers
 * nobody reads and write each agent's own strategy back; dlm_counts_run_with skips them,
 * with the same bytes. */
DLM_FN uint32_t dlm_counts_idle(dlm_counts *cs, const dlm_evo_world *w, const dlm_evo_params *ep,
                                const dlm_evo_population *pop)
{
    uint32_t t;
    if (ep->mutation_kind != 0u || !dlm_counts_monomorphic(cs, pop))
        return 0u;
    if (ep->rule != DLM_RULE_MORAN_BD && ep->rule != DLM_RULE_MORAN_DB)
        return 1u; /* fermi: the model has the focal agent's own strategy */
    if (pop->n < 2u)
        return 0u;
    dlm_counts_payoffs(cs, w, ep, pop);
    for (t = 0; t < cs->n_types; ++t)
        if (cs->count[t] != 0u && !(dlm_fitness(ep, cs->pi[t]) > 0.0))
            return 0u;
    return 1u;
}

/* Population p (batch index) on the counts: generations first .. first+count-1, in each
 * its events begin .. min(end, n)-1; a generation whose last event ran ends with the
 * fixation check (stop_at_fixation), as dlm_evo_check_fixation does on the agents.
 * cache (may be null): payoffs kept between populations (dlm_counts_reuse). types (may be
 * null): room for n bytes where the caller lets the run keep each agent's type, so that
 * an event looks a type up instead of comparing the agent's strategy with the types'
 * (the CPU backend: scratch per thread; the same numbers either way). */
DLM_FN void dlm_counts_run_typed(const dlm_evo_world *w, const dlm_evo_population *pop,
                                 uint32_t p, uint64_t first, uint64_t count, uint32_t begin,
                                 uint32_t end, dlm_evo_counts *counts, dlm_counts *cache,
                                 uint8_t *types)
{
    dlm_evo_params ep = w->params[pop->params];
    dlm_counts cs;
    dlm_u32x4 ahead[DLM_COUNTS_AHEAD];
    uint64_t g;
    uint32_t e, idle;
    if (!dlm_counts_build_typed(&cs, w, pop, &ep, types)) {
        counts->failed_events += count * (uint64_t)pop->n; /* the host never plans this */
        return;
    }
    if (cache)
        dlm_counts_reuse(&cs, cache);
    idle = dlm_counts_idle(&cs, w, &ep, pop);
    for (g = first; g < first + count; ++g) {
        uint64_t ss = dlm_stream_id(DLM_PURPOSE_SELECTION, pop->id, g);
        uint64_t ms = dlm_stream_id(DLM_PURPOSE_MUTATION, pop->id, g);
        uint32_t stop = end < pop->n ? end : pop->n;
        for (e = begin; e < stop && !idle; ++e) {
            dlm_cursor sel, mut;
            dlm_counts_cursors(pop, &ep, ss, ms, begin, stop, e, ahead, &sel, &mut);
            dlm_counts_event_typed(&cs, w, pop, &ep, sel, mut, counts, types);
            if (!cs.pi_valid) /* the composition changed */
                idle = dlm_counts_idle(&cs, w, &ep, pop);
        }
        if (end >= pop->n && ep.stop_at_fixation && dlm_counts_monomorphic(&cs, pop)) {
            w->fixed[p] = g + 1u;
            break;
        }
        if (idle) /* nothing can happen in the rest of this call */
            break;
    }
    if (cache)
        dlm_counts_keep(cache, &cs);
}

/* dlm_counts_run_typed without the agents' types. */
DLM_FN void dlm_counts_run_with(const dlm_evo_world *w, const dlm_evo_population *pop, uint32_t p,
                                uint64_t first, uint64_t count, uint32_t begin, uint32_t end,
                                dlm_evo_counts *counts, dlm_counts *cache)
{
    dlm_counts_run_typed(w, pop, p, first, count, begin, end, counts, cache, (uint8_t *)0);
}

/* Wright-Fisher on the counts, generation g: every place x of the next generation
 * (w->next) takes the strategy of a parent type chosen with probability n_t f(pi_t) / sum
 * over the whole population (itself included), mutated as on the agent path; SELECTION
 * (p, g) window x and MUTATION (p, g) window x. O(N types); the commit and the fixation
 * check are the agent path's. */
DLM_FN void dlm_counts_wright_fisher(const dlm_evo_world *w, const dlm_evo_population *pop,
                                     uint64_t g)
{
    dlm_evo_params ep = w->params[pop->params];
    dlm_counts cs;
    dlm_u32x4 ahead[DLM_COUNTS_AHEAD];
    uint64_t ss = dlm_stream_id(DLM_PURPOSE_SELECTION, pop->id, g);
    uint64_t ms = dlm_stream_id(DLM_PURPOSE_MUTATION, pop->id, g);
    uint32_t x;
    if (!dlm_counts_build(&cs, w, pop, &ep))
        return; /* the host never plans this */
    dlm_counts_payoffs(&cs, w, &ep, pop);
    for (x = 0; x < pop->n; ++x) {
        dlm_cursor sel, mut;
        uint32_t t;
        dlm_counts_cursors(pop, &ep, ss, ms, 0u, pop->n, x, ahead, &sel, &mut);
        t = dlm_counts_by_fitness(&cs, &ep, cs.n_types, &sel);
        if (t == cs.n_types) /* no positive fitness anywhere: the place keeps its strategy */
            t = dlm_counts_type_of(&cs, w, pop, x);
        w->next[pop->agent0 + x] = dlm_evo_maybe_mutate(w, &ep, cs.strategy[t / cs.n_classes], &mut);
    }
}

/* dlm_counts_run_with, without a cache of payoffs (a device work-item). */
DLM_FN void dlm_counts_run(const dlm_evo_world *w, const dlm_evo_population *pop, uint32_t p,
                           uint64_t first, uint64_t count, uint32_t begin, uint32_t end,
                           dlm_evo_counts *counts)
{
    dlm_counts_run_with(w, pop, p, first, count, begin, end, counts, (dlm_counts *)0);
}

#endif /* DLM_COUNTS_H */

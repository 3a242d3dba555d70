/* dlm_census.h — statistics of a population, computed where it lives: each agent's
 * contribution (classification against the named strategies, payoff, cooperation,
 * class) added into a per-population record. Integer counts add in any order; the
 * floating-point sums are added in agent order, so every backend gets the same bytes.
 */
#ifndef DLM_CENSUS_H
#define DLM_CENSUS_H

#include "dlm_counts.h"
#include "dlm_evolve.h"

#define DLM_CENSUS_MAX_NAMED 64u
#define DLM_CENSUS_MAX_CLASSES 8u
/* Agents are added in chunks of this many, each chunk in agent order, and the chunks'
 * records merged in chunk order: a fixed association of the floating-point sums that any
 * number of threads or work-groups can reproduce. */
#define DLM_CENSUS_CHUNK 4096u

/* One population's statistics at one generation. */
typedef struct dlm_evo_census {
    double payoff_sum;                      /* sum over agents of the census payoff */
    double payoff_sq_sum;                   /* sum of squares */
    double m1_sum[5];                       /* memory-one agents: sum of their probabilities */
    double class_payoff[DLM_CENSUS_MAX_CLASSES];
    uint64_t cooperations, moves;           /* census matches: C moves of the focal agents */
    uint64_t named[DLM_CENSUS_MAX_NAMED + 1u]; /* agents per named strategy; last: none */
    uint64_t m1_agents;
    uint64_t class_agents[DLM_CENSUS_MAX_CLASSES];
    uint64_t class_cooperations[DLM_CENSUS_MAX_CLASSES];
    uint64_t class_moves[DLM_CENSUS_MAX_CLASSES];
    uint32_t monomorphic;                   /* 1: every agent has the same strategy */
    uint32_t pad_good;                      /* 0 (good is 64-bit aligned on every backend) */
    uint64_t good;                          /* donation game: agents in good standing, or
                                               (private) good views: up to N^2, past 2^32
                                               from N = 65536 on */
    uint32_t rule_agents[4];                /* donation game: agents per rule (allc, alld,
                                               disc, IPD rules) */
    uint64_t rule_good[4];                  /* ... and their good count (as good) */
    uint64_t agree_pairs;                   /* donation game: agreeing observer pairs */
    uint64_t generation;                    /* the generation it describes */
    uint64_t ledger[8];                     /* a referee's ledger (dlm_referee.h), as it stands:
                                               budget, taxes, fines, subsidies, audit_costs
                                               (micro-units, two's complement), audits,
                                               exclusions, false_accusations; 0 without */
    uint32_t incentive[DLM_INCENTIVE_SLOTS]; /* group games with incentives (dlm_punish.h):
                                               agents per type (none, peer, pool, reward,
                                               loner), then the never-contributing
                                               participants */
    uint64_t fines;                         /* ... fines paid in the census evaluations */
    uint64_t rewards;                       /* ... rewards received in them */
    double stock_sum;                       /* the commons (dlm_group_play_levels): over the
                                               census's group games, the mean stock over
                                               their rounds (at each round's start), over K */
    double stock_end_sum;                   /* ... the stock each left, over K */
    uint64_t stock_games;                   /* ... the census's group games of the commons */
    uint64_t collapses;                     /* ... those that left a stock of 0 */
} dlm_evo_census;

/* Index of the named strategy s counts as: an exact match, else (memory-one) the
 * nearest named memory-one strategy within `tolerance` (a threshold distance, max-norm),
 * else n_named. */
DLM_FN uint32_t dlm_census_classify(const dlm_strategy *s, DLM_CONST dlm_strategy *named,
                                    uint32_t n_named, uint64_t tolerance)
{
    uint32_t i, k, best = n_named;
    uint64_t best_distance = 0u;
    for (i = 0; i < n_named; ++i) {
        dlm_strategy candidate = named[i];
        if (dlm_strategy_equal(s, &candidate))
            return i;
    }
    if (s->kind != DLM_STRAT_MEMORY_ONE)
        return n_named;
    for (i = 0; i < n_named; ++i) {
        uint64_t distance = 0u;
        if (named[i].kind != DLM_STRAT_MEMORY_ONE)
            continue;
        for (k = 0; k < 5u; ++k) {
            uint64_t a = s->threshold[k], b = named[i].threshold[k];
            uint64_t d = a > b ? a - b : b - a;
            distance = d > distance ? d : distance;
        }
        if (distance <= tolerance && (best == n_named || distance < best_distance)) {
            best = i;
            best_distance = distance;
        }
    }
    return best;
}

/* Adds local agent x, whose census payoff is `payoff` and census counts `counts`. */
DLM_FN void dlm_census_add(dlm_evo_census *c, const dlm_evo_world *w,
                           const dlm_evo_population *pop, uint32_t x, double payoff,
                           const dlm_evo_counts *counts, DLM_CONST dlm_strategy *named,
                           uint32_t n_named, uint64_t tolerance)
{
    dlm_strategy s = w->strategy[pop->agent0 + x];
    uint32_t cls = w->agent_class[pop->agent0 + x], k;
    c->payoff_sum = c->payoff_sum + payoff;
    c->payoff_sq_sum = c->payoff_sq_sum + payoff * payoff;
    c->cooperations += counts->cooperations;
    c->moves += counts->moves;
    c->named[dlm_census_classify(&s, named, n_named, tolerance)] += 1u;
    if (s.kind == DLM_STRAT_MEMORY_ONE) {
        for (k = 0; k < 5u; ++k)
            c->m1_sum[k] = c->m1_sum[k] + (double)s.threshold[k] * (1.0 / 4294967296.0);
        c->m1_agents += 1u;
    }
    if (cls < DLM_CENSUS_MAX_CLASSES) {
        c->class_payoff[cls] = c->class_payoff[cls] + payoff;
        c->class_agents[cls] += 1u;
        c->class_cooperations[cls] += counts->cooperations;
        c->class_moves[cls] += counts->moves;
    }
}

/* A record with nothing added; monomorphic starts true and is and-ed. */
DLM_FN dlm_evo_census dlm_census_empty(void)
{
    dlm_evo_census c;
    uint32_t i;
    c.payoff_sum = 0.0;
    c.payoff_sq_sum = 0.0;
    for (i = 0; i < 5u; ++i)
        c.m1_sum[i] = 0.0;
    for (i = 0; i < DLM_CENSUS_MAX_CLASSES; ++i) {
        c.class_payoff[i] = 0.0;
        c.class_agents[i] = 0u;
        c.class_cooperations[i] = 0u;
        c.class_moves[i] = 0u;
    }
    for (i = 0; i <= DLM_CENSUS_MAX_NAMED; ++i)
        c.named[i] = 0u;
    c.cooperations = 0u;
    c.moves = 0u;
    c.m1_agents = 0u;
    c.monomorphic = 1u;
    c.pad_good = 0u;
    c.good = 0u;
    for (i = 0; i < 4u; ++i) {
        c.rule_agents[i] = 0u;
        c.rule_good[i] = 0u;
    }
    c.agree_pairs = 0u;
    c.generation = 0u;
    for (i = 0; i < 8u; ++i)
        c.ledger[i] = 0u;
    for (i = 0; i < DLM_INCENTIVE_SLOTS; ++i)
        c.incentive[i] = 0u;
    c.fines = 0u;
    c.rewards = 0u;
    c.stock_sum = 0.0;
    c.stock_end_sum = 0.0;
    c.stock_games = 0u;
    c.collapses = 0u;
    return c;
}

/* Adds chunk record b into a (a's chunks first). */
DLM_FN void dlm_census_merge(dlm_evo_census *a, const dlm_evo_census *b)
{
    uint32_t i;
    a->payoff_sum = a->payoff_sum + b->payoff_sum;
    a->payoff_sq_sum = a->payoff_sq_sum + b->payoff_sq_sum;
    for (i = 0; i < 5u; ++i)
        a->m1_sum[i] = a->m1_sum[i] + b->m1_sum[i];
    for (i = 0; i < DLM_CENSUS_MAX_CLASSES; ++i) {
        a->class_payoff[i] = a->class_payoff[i] + b->class_payoff[i];
        a->class_agents[i] += b->class_agents[i];
        a->class_cooperations[i] += b->class_cooperations[i];
        a->class_moves[i] += b->class_moves[i];
    }
    for (i = 0; i <= DLM_CENSUS_MAX_NAMED; ++i)
        a->named[i] += b->named[i];
    a->cooperations += b->cooperations;
    a->moves += b->moves;
    a->m1_agents += b->m1_agents;
    a->monomorphic &= b->monomorphic;
    a->good += b->good;
    for (i = 0; i < 4u; ++i) {
        a->rule_agents[i] += b->rule_agents[i];
        a->rule_good[i] += b->rule_good[i];
    }
    a->agree_pairs += b->agree_pairs;
    a->generation = b->generation;
    for (i = 0; i < 8u; ++i) /* chunk 0 holds the ledger, the others zeros */
        a->ledger[i] += b->ledger[i];
    for (i = 0; i < DLM_INCENTIVE_SLOTS; ++i)
        a->incentive[i] += b->incentive[i];
    a->fines += b->fines;
    a->rewards += b->rewards;
    a->stock_sum = a->stock_sum + b->stock_sum;
    a->stock_end_sum = a->stock_end_sum + b->stock_end_sum;
    a->stock_games += b->stock_games;
    a->collapses += b->collapses;
}

/* The census of chunk `chunk` of a population of the count representation: each agent's
 * payoff is its type's at the current counts, and its C moves and moves those expected of
 * its matches with everyone else (rounded to integers; with deterministic players exactly
 * those of the played matches): the expectation of what the agent path's census samples
 * by census matches. Types are counted once per chunk (O(types^2) pairs). */
DLM_FN dlm_evo_census dlm_census_counts_chunk(const dlm_evo_world *w, const dlm_evo_population *pop,
                                              uint64_t g, uint32_t chunk,
                                              DLM_CONST dlm_strategy *named, uint32_t n_named,
                                              uint64_t tolerance, dlm_counts_memo *memo)
{
    dlm_evo_census c = dlm_census_empty();
    dlm_evo_params ep = w->params[pop->params];
    dlm_counts cs;
    double pay[DLM_COUNTS_MAX_TYPES], coop[DLM_COUNTS_MAX_TYPES], moves[DLM_COUNTS_MAX_TYPES];
    uint32_t x = chunk * DLM_CENSUS_CHUNK, end = x + DLM_CENSUS_CHUNK, t;
    dlm_strategy first = w->strategy[pop->agent0];
    if (end > pop->n)
        end = pop->n;
    c.generation = g;
    if (!dlm_counts_build(&cs, w, pop, &ep))
        return c; /* the host never plans this */
    for (t = 0; t < cs.n_types; ++t)
        if (cs.count[t] != 0u)
            pay[t] = dlm_counts_census_type(&cs, w, &ep, pop, t, &coop[t], &moves[t], memo);
    for (; x < end; ++x) {
        dlm_evo_counts counts;
        dlm_strategy s = w->strategy[pop->agent0 + x];
        uint32_t type = dlm_counts_type_of(&cs, w, pop, x);
        counts.cooperations = (uint64_t)(coop[type] + 0.5);
        counts.moves = (uint64_t)(moves[type] + 0.5);
        counts.matches = pop->n - 1u;
        counts.failed_events = 0u;
        dlm_census_add(&c, w, pop, x, pay[type], &counts, named, n_named, tolerance);
        c.monomorphic &= dlm_strategy_equal(&s, &first);
    }
    return c;
}

/* The donation game's statistics of local agent x at the start of generation g:
 *  - good: 1 when x is in good standing (public: the observer's word; institutional: the
 *    broadcast), or (private) the number of observers that hold x good;
 *  - rule_agents / rule_good: the same, split by x's rule: allc, alld, disc (whatever
 *    norm the trait carries: disc/stern-judging counts as disc), and the IPD rules of
 *    encounters together (tft, tft@good, wsls@shun, ...: slot 3);
 *  - agree_pairs: unordered pairs of observers, x itself left out, that agree on x
 *    (private: among the N - 1 other agents, C(k, 2) + C(m - k, 2) with k of the m holding
 *    x good; institutional: among the P panel members; public: 0, there is one view).
 * Exact (no sampling, no random numbers): the good count of row x is the popcount the
 * mean of the views needs anyway. */
DLM_FN void dlm_census_reputation(dlm_evo_census *c, const dlm_evo_world *w,
                                  const dlm_evo_population *pop, uint64_t g, uint32_t x)
{
    dlm_evo_params params = w->params[pop->params];
    const dlm_evo_params *ep = &params;
    dlm_strategy s = w->strategy[pop->agent0 + x];
    uint32_t rule = s.kind != DLM_STRAT_ACTION_RULE                    ? 4u
                    : (s.opening & 0xFu) == DLM_ACTION_RULE_M1 ? 3u /* tft, tft@good, ... */
                                                               : s.opening; /* any own norm */
    uint32_t good;
    uint64_t m = 0u, k = 0u;
    if (ep->norm & DLM_NORM_PRIVATE) {
        good = dlm_rep_good_views(w, pop, g, x);
        m = pop->n - 1u;
        k = good - (dlm_rep_view_bad(w, pop, g, x, x) ? 0u : 1u);
    } else if (ep->norm & DLM_NORM_INSTITUTION) {
        uint32_t panel = DLM_REP_PANEL(ep->norm);
        uint32_t mask = panel >= 32u ? 0xFFFFFFFFu : (1u << panel) - 1u;
        good = 1u - dlm_rep_panel_bad(w, pop, ep, g, x);
        m = panel;
        k = panel - dlm_popcount32(w->views[dlm_rep_panel_row(pop, g, x)] & mask);
    } else {
        good = dlm_rep_good(&s, g);
    }
    c->good += good;
    if (rule < 4u) {
        c->rule_agents[rule] += 1u;
        c->rule_good[rule] += good;
    }
    if (m >= 2u)
        c->agree_pairs += k * (k - (k > 0u)) / 2u + (m - k) * (m - k - (m > k)) / 2u;
}

/* The census payoff of local agent x of a group game (DLM_INTERACTION_GROUP), as
 * dlm_evo_census_payoff computes it (the same streams and draws), with what its group
 * games tally added to c: with incentives (dlm_punish.h) x's incentive slot, fines and
 * rewards; in the commons their stock (dlm_group_tally). */
DLM_FN double dlm_census_group(dlm_evo_census *c, const dlm_evo_world *w,
                               const dlm_evo_population *pop, uint64_t g, uint32_t x,
                               dlm_evo_counts *counts)
{
    dlm_evo_params ep = w->params[pop->params];
    dlm_group_tally tally;
    uint32_t slot = 0u;
    dlm_cursor partners =
        dlm_cursor_at(pop->seed, dlm_stream_id(DLM_PURPOSE_CENSUS_MATCHING, pop->id, g), x);
    double payoff;
    tally.fines = tally.rewards = tally.stock_games = tally.collapses = 0u;
    tally.stock_sum = tally.stock_end_sum = 0.0;
    ep.payoff_mode = 0u;
    payoff = dlm_group_payoff_with(w, pop, &ep, x, dlm_stream_id(DLM_PURPOSE_CENSUS_PLAY, pop->id, g),
                                   x, &slot, &partners, counts, &tally);
    if (dlm_punish_on(&ep))
        c->incentive[dlm_incentive_slot(w->strategy + pop->agent0 + x)] += 1u;
    c->fines += tally.fines;
    c->rewards += tally.rewards;
    c->stock_sum = c->stock_sum + tally.stock_sum;
    c->stock_end_sum = c->stock_end_sum + tally.stock_end_sum;
    c->stock_games += tally.stock_games;
    c->collapses += tally.collapses;
    return payoff;
}

/* The census record of chunk `chunk` of a population at generation g; memo (may be
 * null: a device work-item) keeps a count population's pair values between calls. */
DLM_FN dlm_evo_census dlm_census_chunk_with(const dlm_evo_world *w, const dlm_evo_population *pop,
                                            uint64_t g, uint32_t chunk,
                                            DLM_CONST dlm_strategy *named, uint32_t n_named,
                                            uint64_t tolerance, dlm_counts_memo *memo)
{
    dlm_evo_census c = dlm_census_empty();
    uint32_t x = chunk * DLM_CENSUS_CHUNK, end = x + DLM_CENSUS_CHUNK;
    dlm_evo_params ep = w->params[pop->params];
    uint32_t demes = ep.structure == DLM_STRUCTURE_DEMES;
    if (ep.representation == DLM_REPRESENTATION_COUNTS)
        return dlm_census_counts_chunk(w, pop, g, chunk, named, n_named, tolerance, memo);
    if (end > pop->n)
        end = pop->n;
    c.generation = g;
    for (; x < end; ++x) {
        dlm_evo_counts counts;
        dlm_strategy s = w->strategy[pop->agent0 + x];
        dlm_strategy first = w->strategy[pop->agent0 + dlm_evo_side_start(w, pop, x)];
        double payoff;
        if (demes && !dlm_evo_present(w, pop, &ep, x))
            continue; /* an empty place of a group (group selection): no agent */
        counts.cooperations = counts.moves = counts.matches = counts.failed_events = 0u;
        dlm_evo_params ep = w->params[pop->params];
        if (dlm_punish_on(&ep) || (ep.interaction == DLM_INTERACTION_GROUP &&
                                   dlm_group_game(&ep) == DLM_GROUP_COMMONS))
            payoff = dlm_census_group(&c, w, pop, g, x, &counts);
        else
            payoff = dlm_evo_census_payoff(w, pop, g, x, &counts);
        dlm_census_add(&c, w, pop, x, payoff, &counts, named, n_named, tolerance);
        c.monomorphic &= dlm_strategy_equal(&s, &first);
        if (w->params[pop->params].interaction == DLM_INTERACTION_DONATION)
            dlm_census_reputation(&c, w, pop, g, x);
    }
    if (chunk == 0u) {
        dlm_evo_params ep = w->params[pop->params];
        uint32_t f;
        for (f = 0; dlm_referee_on(&ep) && f < DLM_LEDGER_FIELDS; ++f)
            c.ledger[f] = dlm_ledger_get(w, pop, &ep, f);
        if (dlm_referee_on(&ep) && !(w->views[dlm_ledger_at(w, pop, &ep, DLM_LEDGER_FLAGS)] & 1u))
            c.ledger[DLM_LEDGER_BUDGET] = dlm_referee_param(w, &ep, DLM_REF_BUDGET0); /* unopened */
    }
    return c;
}

/* dlm_census_chunk_with, without a memo. */
DLM_FN dlm_evo_census dlm_census_chunk(const dlm_evo_world *w, const dlm_evo_population *pop,
                                       uint64_t g, uint32_t chunk, DLM_CONST dlm_strategy *named,
                                       uint32_t n_named, uint64_t tolerance)
{
    return dlm_census_chunk_with(w, pop, g, chunk, named, n_named, tolerance,
                                 (dlm_counts_memo *)0);
}

#endif /* DLM_CENSUS_H */

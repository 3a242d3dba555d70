/* dlm_evolve.h — evolutionary dynamics, written once for every backend: how an agent's
 * payoff is evaluated, and one event or one generation of each update rule.
 *
 * A population of n agents, each with a strategy and a fixed agent class (its noise and
 * timescale settings), lives at indices agent0 .. agent0+n-1 of the agent arrays.
 *
 *   evaluation: agent x plays one match as player A against each of its partners —
 *               everyone else (well-mixed, complete), m partners drawn uniformly from
 *               the others (well-mixed, sampled), or its neighbours in the interaction
 *               graph — and its payoff is the mean (or, with accumulate = total, the
 *               sum) over those matches of its payoff per round. Every evaluation plays
 *               fresh matches, so an asynchronous rule sees the population as it is at
 *               the moment of the event.
 *
 *   asynchronous rules (n events per generation, one after another):
 *     moran-bd  a parent chosen with probability proportional to fitness (by rejection:
 *               a uniform candidate is accepted with probability f / f_max), its
 *               offspring replaces a uniform agent of the whole population, the parent
 *               included (moran_death any, the default when well-mixed), or a uniform
 *               replacement-neighbour of the parent (moran_death others; graphs);
 *     moran-db  a uniform agent dies; a replacement-neighbour chosen proportional to
 *               fitness (by rejection) puts its offspring in the empty place;
 *     fermi     a uniform focal agent x and a uniform replacement-neighbour y; x adopts
 *               y's strategy with probability 1 / (1 + exp(-beta (pi_y - pi_x))).
 *   synchronous rules (all agents evaluated, then all updated at once):
 *     fermi-sync      as fermi, every agent at once, from the generation's payoffs;
 *     wright-fisher   every place takes the strategy of a parent chosen proportional to
 *                     fitness from the whole population (well-mixed) or from its
 *                     replacement neighbourhood and itself (graphs);
 *     imitate-best    every agent takes the strategy of the highest payoff among itself
 *                     and its replacement neighbours (Nowak & May 1992); ties keep its own.
 *   Fitness maps: linear 1 - w + w pi, exponential exp(w pi). Fermi uses payoffs directly.
 *   With payoff_mode 1 (exact), a match between memory-one players is not played: its
 *   expected payoff per round comes from the Markov chain (dlm_exact.h); payoff_mode 2
 *   takes the long-run payoff of the endless game instead. Where the plan found a finite
 *   set of types (no mutation, or a mutation set), it computed every type pair's exact
 *   payoff once (world->exact) and an evaluation reads it: the same number, bit for bit.
 *   With payoff_mode 3 (estimated) that cache holds each pair's mean payoff over a fixed
 *   sample of matches the plan played once (host/plan/evolve_types.c), read the same way.
 *   Census statistics always play their matches. An agent whose strategy has a cost
 *   (params.costs) earns that much less per round of each match.
 *   Two sides (side_b > 0; asynchronous rules, well-mixed): agents 0 .. side_b-1 are side
 *   A, the rest side B. An agent's partners are the other side's agents, its
 *   replacement-neighbours the other agents of its own side, and it is paid by its side's
 *   matrix (payoff, payoff_b). Of a generation's n events, events_a (spread evenly) pick
 *   their agents in side A, the others in side B: the sides evolve at their own rates.
 *   Mutation: the agent whose strategy an event (or a generation) changes takes, with
 *   probability mu, a mutant instead: for moran-* a mutant of the parent's strategy,
 *   for fermi and the synchronous rules a mutant of what it would have had.
 *
 * Random numbers (DESIGN.md §3). In generation g of population p:
 *   SELECTION (p, g) window e   choices and acceptances of event e (async) or agent e (sync)
 *   MATCHING  (p, g) window e   partner draws of the evaluations of event/agent e
 *   MATCH_PLAY / MATCH_LENGTH (p, g) window e   the matches of event/agent e, side by side:
 *                               the j-th match starts at block (e << 30) + j * 2 * rounds
 *   MUTATION  (p, g) window e   the mutation decision and the mutant
 *   CENSUS_PLAY / CENSUS_LENGTH / CENSUS_MATCHING (p, g) window x   statistics evaluations
 *   INSTITUTION / CENSUS_INSTITUTION (p, g) window e or x   a referee's audits (dlm_referee.h)
 * Every draw is a pure function of what it is for, never of a thread or a launch.
 */
#ifndef DLM_EVOLVE_H
#define DLM_EVOLVE_H

#include "dlm_exact.h"
#include "dlm_match.h"
#include "dlm_math.h"
#include "dlm_model.h"
#include "dlm_philox.h"
#include "dlm_portable.h"

#define DLM_PURPOSE_CENSUS_PLAY     9u
#define DLM_PURPOSE_CENSUS_LENGTH  10u
#define DLM_PURPOSE_CENSUS_MATCHING 11u

#define DLM_RULE_MORAN_BD      1u
#define DLM_RULE_MORAN_DB      2u
#define DLM_RULE_FERMI         3u
#define DLM_RULE_FERMI_SYNC    4u
#define DLM_RULE_WRIGHT_FISHER 5u
#define DLM_RULE_IMITATE_BEST  6u
#define DLM_RULE_GROUP_SELECTION 7u /* Traulsen & Nowak 2006: groups grow, split, die
                                       (dlm_demes_event.h) */

#define DLM_STRUCTURE_COMPLETE 1u /* well-mixed: everyone plays everyone else */
#define DLM_STRUCTURE_SAMPLED  2u /* well-mixed: m uniform partners per evaluation */
#define DLM_STRUCTURE_GRAPH    3u /* interaction graph (lattices, rings, files, ...) */
#define DLM_STRUCTURE_DEMES    4u /* m groups of at most n: x meets its group (dlm_demes.h) */

/* Kinds of interaction (DESIGN.md section 11; docs/interactions.md). An agent's trait is
 * a dlm_strategy, a tagged record of fixed size whose `kind` says how to read it; the
 * interaction kind says how agents meet and what they earn. Only dlm_evo_evaluate reads
 * it: selection, mutation, structures, classes, census and streaming never do. */
#define DLM_INTERACTION_GAME2 1u /* iterated symmetric 2x2 game, one match per partner */
#define DLM_INTERACTION_DONATION 2u /* donation game with reputations (dlm_reputation.h) */
#define DLM_INTERACTION_GROUP 3u /* N-player group games: public goods, collective risk
                                    (dlm_group.h) */

/* moran-bd in a well-mixed population: the one who dies is drawn uniformly among all
 * n of the parent's side, the parent included (ANY: Nowak 2006, Axelrod-Python, EGTTools;
 * the offspring may replace its own parent, a null event), or among the n - 1 others
 * (OTHERS). On a graph the offspring replaces a replacement-neighbour either way. */
#define DLM_MORAN_DEATH_ANY    0u
#define DLM_MORAN_DEATH_OTHERS 1u

#define DLM_FITNESS_LINEAR      1u
#define DLM_FITNESS_EXPONENTIAL 2u

#define DLM_MUTATION_SET         1u /* a uniform strategy of the configured set */
#define DLM_MUTATION_RANDOM_M1   2u /* a uniform memory-one vector */
#define DLM_MUTATION_GAUSSIAN_M1 3u /* memory-one vector + N(0, sigma^2) per entry, clamped */
#define DLM_MUTATION_LOOKUP_FLIP 4u /* one uniform bit of a lookup table or its opening */
#define DLM_MUTATION_FSM_EDIT    5u /* one state's output flipped or one transition redirected */

/* One parameter set (a sweep point): the game, the rule and its settings (208 bytes). */
typedef struct dlm_evo_params {
    double payoff[4];       /* R, S, T, P */
    double selection;       /* w of the fitness map, or beta for the fermi rules */
    double fitness_max;     /* an upper bound of every agent's fitness (rejection sampling) */
    double sigma;           /* Gaussian mutation: standard deviation */
    uint32_t stop_at_fixation; /* 1: a population that becomes monomorphic stops there (mu = 0) */
    uint32_t interaction;   /* DLM_INTERACTION_*: what an evaluation is (dlm_evo_evaluate) */
    uint64_t mutation;      /* threshold of mu, the mutation probability per offspring */
    dlm_match_rules rules;  /* every match's length */
    uint32_t rule;          /* DLM_RULE_* */
    uint32_t fitness_map;   /* DLM_FITNESS_* */
    uint32_t structure;     /* DLM_STRUCTURE_* */
    uint32_t partners;      /* sampled: m */
    uint32_t accumulate;    /* 0: payoff = mean over matches; 1: sum over matches */
    uint32_t mutation_kind; /* DLM_MUTATION_* (0: none) */
    uint32_t set_offset;    /* mutation set: strategies set_offset .. +set_size of the table */
    uint32_t set_size;
    uint32_t max_trials;    /* rejection-sampling candidates one event may evaluate */
    uint32_t payoff_mode;   /* 0: played matches; 1: exact expected payoffs of the match;
                               2: exact long-run payoffs of the endless game (memory-one);
                               3: estimated once per type pair (the plan's cache) */
    /* Two sides (a bimatrix game, two populations evolving at their own rates): local
       agents 0 .. side_b-1 are side A, side_b .. n-1 side B; 0 = one population. */
    double payoff_b[4];     /* side B's own R, S, T, P (read from its own view) */
    uint32_t side_b;        /* first agent of side B, or 0 */
    uint32_t events_a;      /* of a generation's n events, how many are side A's */
    uint32_t class_offset;  /* its agent classes: classes[class_offset + agent_class[a]] */
    uint32_t moran_death;   /* moran-bd, well-mixed: DLM_MORAN_DEATH_* (who may be replaced) */
    uint32_t representation; /* DLM_REPRESENTATION_* (dlm_counts.h): agents, or counts of types */
    uint32_t norm;          /* donation: the assessment norm's bit code (dlm_reputation.h) */
    /* Types and what the plan computed for them once (host/plan/evolve_plan.c): the
       strategies table[type_offset .. +n_types] are the run's types; world->exact from
       exact_offset holds a cost per type, then, with cache_classes = C > 0, the exact
       payoff of every (class, class, type, type) pair for each side's matrix. */
    uint32_t n_types;       /* 0: no types */
    uint32_t type_offset;
    uint32_t cache_classes; /* C: the run's classes; 0 = no cache */
    uint32_t exact_offset;
    uint32_t costs;         /* bits: DLM_COSTS_TYPES (1): an agent whose strategy is type t
                               pays exact[exact_offset + t]; DLM_COSTS_REFEREE (2): a referee
                               (dlm_referee.h), its block at exact[exact_offset - 16 ..] */
    uint32_t group_size;    /* group games, well-mixed: the members n of a group (dlm_group.h) */
} dlm_evo_params;

/* One population (32 bytes). Its random streams are keyed by its own seed and id, so
 * populations of different runs (a sweep's points and replicates) share one batch and
 * draw exactly what they draw in a run of their own. */
typedef struct dlm_evo_population {
    uint64_t agent0;  /* first agent */
    uint32_t n;       /* agents */
    uint32_t params;  /* index of its dlm_evo_params */
    uint32_t id;      /* population id in the streams, < 2^20 */
    uint32_t graph;   /* 1: the interaction / replacement graphs below apply */
    uint64_t seed;    /* the seed of its run: the Philox key of its streams */
    uint64_t view0;   /* donation game, private assessment: its first word of views */
} dlm_evo_population;

/* Everything the model reads or writes, as pointers into global memory. */
typedef struct dlm_evo_world {
    uint64_t seed;                         /* the first population's (populations carry their own) */
    DLM_CONST dlm_evo_params *params;
    DLM_CONST dlm_player_params *classes;  /* per agent class */
    DLM_CONST dlm_strategy *table;         /* mutation sets */
    DLM_CONST uint64_t *inter_offsets;     /* interaction graph, CSR over population-local ids */
    DLM_CONST uint32_t *inter_neighbors;
    DLM_CONST uint64_t *repl_offsets;      /* replacement graph (no self-loops) */
    DLM_CONST uint32_t *repl_neighbors;
    DLM_GLOBAL dlm_strategy *strategy;     /* per agent */
    DLM_CONST uint32_t *agent_class;       /* per agent */
    DLM_GLOBAL dlm_strategy *next;         /* per agent: synchronous rules' next generation */
    DLM_GLOBAL double *payoff;             /* per agent: synchronous rules' payoffs */
    DLM_GLOBAL double *cumulative;         /* per agent: Wright-Fisher's running fitness sums */
    DLM_GLOBAL uint64_t *fixed;            /* per population (index in the batch): 0, or the
                                              generation at which it became monomorphic and
                                              stopped (stop_at_fixation) */
    DLM_CONST double *exact;               /* per parameter set from exact_offset: costs and
                                              cached exact payoffs of its types */
    DLM_GLOBAL uint32_t *views;            /* donation game, private assessment: per
                                              population from view0, 2 N x N bits
                                              (dlm_reputation.h) */
} dlm_evo_world;

/* What a generation or a census counts (integers, so any summation order agrees). */
typedef struct dlm_evo_counts {
    uint64_t cooperations; /* C moves of evaluated agents */
    uint64_t moves;        /* moves of evaluated agents */
    uint64_t matches;
    uint64_t failed_events; /* events whose rejection sampling ran out of trials */
} dlm_evo_counts;

/* A sequence of draws: consecutive words of one window of one stream. */
typedef struct dlm_cursor {
    uint64_t seed, stream, block;
    dlm_u32x4 cache;
    uint32_t used;
    uint32_t pad;
} dlm_cursor;

#include "dlm_demes.h"

/* 1 when place x of the population holds an agent (always, except an empty place of a
 * group under group selection, dlm_demes.h): the census counts only these. */
DLM_FN uint32_t dlm_evo_present(const dlm_evo_world *w, const dlm_evo_population *pop,
                                const dlm_evo_params *ep, uint32_t x)
{
    return ep->structure != DLM_STRUCTURE_DEMES || dlm_demes_alive(w, pop, ep, x);
}

/* 1 when the two strategies are the same strategy. */
DLM_FN uint32_t dlm_strategy_equal(const dlm_strategy *a, const dlm_strategy *b)
{
    uint32_t i;
    if (a->kind != b->kind)
        return 0u;
    if (a->kind == DLM_STRAT_MEMORY_ONE) {
        for (i = 0; i < 5u; ++i)
            if (a->threshold[i] != b->threshold[i])
                return 0u;
        return 1u;
    }
    if (a->kind == DLM_STRAT_ACTION_RULE) { /* the rule (an IPD rule's vector), not the standing */
        if (a->opening != b->opening || a->depth != b->depth) /* depth: its own norm */
            return 0u;
        for (i = 0; (a->opening & 0xFu) == DLM_ACTION_RULE_M1 && i < 5u; ++i)
            if (a->threshold[i] != b->threshold[i])
                return 0u;
        return 1u;
    }
    if (a->kind == DLM_STRAT_CONTRIBUTION) /* the rule, its threshold, levels (dlm_group.h) */
        return a->opening == b->opening && a->depth == b->depth &&
               a->fsm_output == b->fsm_output && a->threshold[0] == b->threshold[0] &&
               a->table == b->table; /* the incentive type (dlm_punish.h) */
    if (a->kind == DLM_STRAT_LOOKUP)
        return a->depth == b->depth && a->table == b->table && a->opening == b->opening;
    return a->depth == b->depth && a->opening == b->opening && a->fsm_output == b->fsm_output &&
           a->fsm_next_c == b->fsm_next_c && a->fsm_next_d == b->fsm_next_d;
}

DLM_FN dlm_cursor dlm_cursor_at(uint64_t seed, uint64_t stream, uint32_t window)
{
    dlm_cursor c;
    c.seed = seed;
    c.stream = stream;
    c.block = (uint64_t)window << 30;
    c.cache.v[0] = c.cache.v[1] = c.cache.v[2] = c.cache.v[3] = 0u;
    c.used = 4u;
    c.pad = 0u;
    return c;
}

/* The cursor of dlm_cursor_at(seed, stream, window) with the window's first block
 * (block window << 30) already computed as block0 (by vector lanes on the CPU): the same
 * words, one block fewer to compute. */
DLM_FN dlm_cursor dlm_cursor_from(uint64_t seed, uint64_t stream, uint32_t window,
                                  dlm_u32x4 block0)
{
    dlm_cursor c;
    c.seed = seed;
    c.stream = stream;
    c.block = ((uint64_t)window << 30) + 1u;
    c.cache = block0;
    c.used = 0u;
    c.pad = 0u;
    return c;
}

/* The cursor's next block, once its four words are used: the one place a cursor runs
 * the 10 Philox rounds. Kept apart from dlm_cursor_word so that the word itself (an
 * index and a load, on every draw) stays small enough for the compiler to inline. */
DLM_FN_OUTLINE void dlm_cursor_refill(dlm_cursor *c)
{
    c->cache = dlm_philox_block(c->seed, c->stream, c->block);
    c->block += 1u;
    c->used = 0u;
}

/* The next word of the cursor's window. */
DLM_FN uint32_t dlm_cursor_word(dlm_cursor *c)
{
    if (c->used == 4u)
        dlm_cursor_refill(c);
    return c->cache.v[c->used++];
}

/* A uniform integer in [0, n) from two words: floor(u * n) for the 64-bit fraction u,
 * biased by at most n / 2^64. */
DLM_FN uint32_t dlm_cursor_below(dlm_cursor *c, uint32_t n)
{
    uint64_t hi = dlm_cursor_word(c), lo = dlm_cursor_word(c);
    uint64_t low = (lo * n) >> 32;
    return (uint32_t)((hi * n + low) >> 32);
}

/* A uniform double in [0, 1) from two words. */
DLM_FN double dlm_cursor_uniform(dlm_cursor *c)
{
    uint32_t hi = dlm_cursor_word(c), lo = dlm_cursor_word(c);
    return dlm_uniform_double(hi, lo);
}

/* Fitness of payoff pi under the params' map. */
DLM_FN double dlm_fitness(const dlm_evo_params *ep, double pi)
{
    if (ep->fitness_map == DLM_FITNESS_EXPONENTIAL)
        return dlm_exp(ep->selection * pi);
    return 1.0 - ep->selection + ep->selection * pi;
}

/* Sides (structure): the side of local agent x (0 = A, 1 = B; always 0 in one
 * population), and the first agent and size of side `side`. */
DLM_FN uint32_t dlm_evo_side(const dlm_evo_params *ep, uint32_t x)
{
    return ep->side_b != 0u && x >= ep->side_b ? 1u : 0u;
}

DLM_FN uint32_t dlm_evo_side_first(const dlm_evo_params *ep, uint32_t side)
{
    return side ? ep->side_b : 0u;
}

DLM_FN uint32_t dlm_evo_side_size(const dlm_evo_population *pop, const dlm_evo_params *ep,
                                  uint32_t side)
{
    if (ep->side_b == 0u)
        return pop->n;
    return side ? pop->n - ep->side_b : ep->side_b;
}

/* The side whose agent event e of a generation updates: of the n events, events_a are
 * side A's, spread evenly (event e is A's when floor((e + 1) a / n) > floor(e a / n)). */
DLM_FN uint32_t dlm_evo_event_side(const dlm_evo_population *pop, const dlm_evo_params *ep,
                                   uint32_t e)
{
    uint64_t a = ep->events_a;
    if (ep->side_b == 0u)
        return 0u;
    return ((uint64_t)(e + 1u) * a) / pop->n > ((uint64_t)e * a) / pop->n ? 0u : 1u;
}

/* A uniform agent of side `side` (of the population, without sides). */
DLM_FN uint32_t dlm_evo_uniform_agent(const dlm_evo_population *pop, const dlm_evo_params *ep,
                                      uint32_t side, dlm_cursor *c)
{
    if (ep->side_b == 0u)
        return dlm_cursor_below(c, pop->n);
    return dlm_evo_side_first(ep, side) + dlm_cursor_below(c, dlm_evo_side_size(pop, ep, side));
}

/* Payoff per round to A of a match result (A's view), by the matrix of side `side`. */
DLM_FN double dlm_match_payoff_side(const dlm_evo_params *ep, const dlm_match_result *m,
                                    uint32_t side)
{
    double total, p0 = side ? ep->payoff_b[0] : ep->payoff[0];
    double p1 = side ? ep->payoff_b[1] : ep->payoff[1], p2 = side ? ep->payoff_b[2] : ep->payoff[2];
    double p3 = side ? ep->payoff_b[3] : ep->payoff[3];
    total = p0 * (double)m->outcome[0];
    total = total + p1 * (double)m->outcome[1];
    total = total + p2 * (double)m->outcome[2];
    total = total + p3 * (double)m->outcome[3];
    return total / (double)(m->rounds ? m->rounds : 1u);
}

/* Payoff per round to A of a match result (A's view). */
DLM_FN double dlm_match_payoff_a(const dlm_evo_params *ep, const dlm_match_result *m)
{
    return dlm_match_payoff_side(ep, m, 0u);
}

/* The played match of local agent x as A against local agent y, the `slot`-th of window
 * `window` in the play/length streams; its moves and the match counted into counts. */
DLM_FN dlm_match_result dlm_evo_play_match(const dlm_evo_world *w, const dlm_evo_population *pop,
                                           const dlm_evo_params *ep, uint32_t x, uint32_t y,
                                           uint64_t play_stream, uint64_t length_stream,
                                           uint32_t window, uint32_t slot, dlm_evo_counts *counts)
{
    dlm_strategy a = w->strategy[pop->agent0 + x];
    dlm_strategy b = w->strategy[pop->agent0 + y];
    dlm_player_params pa = w->classes[ep->class_offset + w->agent_class[pop->agent0 + x]];
    dlm_player_params pb = w->classes[ep->class_offset + w->agent_class[pop->agent0 + y]];
    dlm_match_rules rules = ep->rules;
    uint64_t block0 = ((uint64_t)window << 30) + (uint64_t)slot * dlm_match_blocks(&rules);
    dlm_match_result m = dlm_play_match_at(&a, &b, &pa, &pb, &rules, pop->seed, play_stream, block0,
                                           length_stream, block0, (DLM_GLOBAL uint8_t *)0);
    counts->cooperations += (uint64_t)m.outcome[0] + m.outcome[1];
    counts->moves += m.rounds;
    counts->matches += 1u;
    return m;
}

/* Agent x (population-local) plays one match as A against local agent y; the match is
 * the `slot`-th of window `window` in the play/length streams. x is paid by its own
 * side's matrix (with two sides, x sits in the match's first seat whichever side it is
 * on: the match's mechanics do not depend on the seat, only the payoffs do). */
DLM_FN double dlm_evo_play(const dlm_evo_world *w, const dlm_evo_population *pop,
                           const dlm_evo_params *ep, uint32_t x, uint32_t y, uint64_t play_stream,
                           uint64_t length_stream, uint32_t window, uint32_t slot,
                           dlm_evo_counts *counts)
{
    dlm_match_result m;
    uint32_t side = dlm_evo_side(ep, x); /* x is paid by its own side's matrix */
    if (ep->payoff_mode == 1u || ep->payoff_mode == 2u) { /* exact: no random numbers */
        dlm_strategy a = w->strategy[pop->agent0 + x];
        dlm_strategy b = w->strategy[pop->agent0 + y];
        dlm_player_params pa = w->classes[ep->class_offset + w->agent_class[pop->agent0 + x]];
        dlm_player_params pb = w->classes[ep->class_offset + w->agent_class[pop->agent0 + y]];
        dlm_match_rules rules = ep->rules;
        double payoff[4], sum[4], total;
        payoff[0] = side ? ep->payoff_b[0] : ep->payoff[0];
        payoff[1] = side ? ep->payoff_b[1] : ep->payoff[1];
        payoff[2] = side ? ep->payoff_b[2] : ep->payoff[2];
        payoff[3] = side ? ep->payoff_b[3] : ep->payoff[3];
        counts->matches += 1u;
        if (ep->payoff_mode == 2u)
            dlm_exact_long_run_sums(&a, &b, &pa, &pb, sum, &total);
        else
            dlm_exact_match_sums(&a, &b, &pa, &pb, &rules, sum, &total);
        return dlm_exact_sums_payoff(sum, total, payoff);
    }
    m = dlm_evo_play_match(w, pop, ep, x, y, play_stream, length_stream, window, slot, counts);
    return dlm_match_payoff_side(ep, &m, side);
}

#include "dlm_referee.h"

/* Partner k of local agent x in an evaluation (k < dlm_evo_partner_count): everyone
 * else in turn (complete), a uniform other agent drawn from `partners` (sampled), or its
 * k-th interaction neighbour (graph). The structure's part of every interaction kind. */
DLM_FN uint32_t dlm_evo_partner(const dlm_evo_world *w, const dlm_evo_population *pop,
                                const dlm_evo_params *ep, uint32_t x, uint32_t k,
                                dlm_cursor *partners)
{
    if (ep->side_b != 0u) { /* two sides: partners are the other side's agents */
        uint32_t other = 1u - dlm_evo_side(ep, x);
        if (ep->structure == DLM_STRUCTURE_COMPLETE)
            return dlm_evo_side_first(ep, other) + k;
        return dlm_evo_uniform_agent(pop, ep, other, partners);
    }
    if (ep->structure == DLM_STRUCTURE_COMPLETE)
        return k + (k >= x ? 1u : 0u);
    if (ep->structure == DLM_STRUCTURE_DEMES)
        return dlm_demes_partner(ep, x, k);
    if (ep->structure == DLM_STRUCTURE_SAMPLED) {
        uint32_t y = dlm_cursor_below(partners, pop->n - 1u);
        return y + (y >= x ? 1u : 0u);
    }
    return w->inter_neighbors[w->inter_offsets[x] + k];
}

/* How many partners local agent x meets in an evaluation. */
DLM_FN uint32_t dlm_evo_partner_count(const dlm_evo_world *w, const dlm_evo_population *pop,
                                      const dlm_evo_params *ep, uint32_t x)
{
    if (ep->side_b != 0u && ep->structure == DLM_STRUCTURE_COMPLETE)
        return dlm_evo_side_size(pop, ep, 1u - dlm_evo_side(ep, x));
    if (ep->structure == DLM_STRUCTURE_COMPLETE)
        return pop->n - 1u;
    if (ep->structure == DLM_STRUCTURE_SAMPLED)
        return ep->partners;
    if (ep->structure == DLM_STRUCTURE_DEMES)
        return dlm_demes_partner_count(w, pop, ep, x);
    return (uint32_t)(w->inter_offsets[x + 1u] - w->inter_offsets[x]);
}

/* The type of local agent x (the index t of its strategy among table[type_offset ..
 * + n_types]), or n_types when its strategy is none of them. */
DLM_FN uint32_t dlm_evo_type(const dlm_evo_world *w, const dlm_evo_population *pop,
                             const dlm_evo_params *ep, uint32_t x)
{
    DLM_CONST dlm_strategy *s = w->strategy + pop->agent0 + x;
    uint32_t t;
    for (t = 0; t < ep->n_types; ++t) {
        DLM_CONST dlm_strategy *u = w->table + ep->type_offset + t;
        if (u->kind != s->kind)
            continue;
        if (s->kind == DLM_STRAT_MEMORY_ONE) {
            if (u->threshold[1] == s->threshold[1] && u->threshold[2] == s->threshold[2] &&
                u->threshold[3] == s->threshold[3] && u->threshold[4] == s->threshold[4] &&
                u->threshold[0] == s->threshold[0])
                return t;
        } else {
            dlm_strategy a = *s, b = *u;
            if (dlm_strategy_equal(&a, &b))
                return t;
        }
    }
    return ep->n_types;
}

/* The exact payoff of local agent x (of type tx) against y from the plan's cache, or -1
 * when y's strategy is not a type (the caller then computes it). The cached value is the
 * one dlm_evo_play would compute, bit for bit: the plan computed it with the same code. */
DLM_FN uint32_t dlm_evo_cached(const dlm_evo_world *w, const dlm_evo_population *pop,
                               const dlm_evo_params *ep, uint32_t x, uint32_t tx, uint32_t y,
                               double *value)
{
    uint32_t ty = dlm_evo_type(w, pop, ep, y), k = ep->n_types, c = ep->cache_classes;
    uint32_t cx = w->agent_class[pop->agent0 + x], cy = w->agent_class[pop->agent0 + y];
    if (ty == k)
        return 0u;
    *value = w->exact[ep->exact_offset + k +
                      ((((cx * c + cy) * k + tx) * k + ty) << 1) + dlm_evo_side(ep, x)];
    return 1u;
}

/* DLM_INTERACTION_GAME2: one match as A against each partner (played, or its expected
 * payoff with payoff_mode 1 or 2, from the plan's cache where it has the pair); the mean
 * (or, with accumulate, the sum) of its payoffs per round, less x's strategy's cost per
 * round of each match (costs). Matches take slots *slot, *slot + 1, ... of window
 * `window`. */
DLM_FN double dlm_evo_game2_payoff(const dlm_evo_world *w, const dlm_evo_population *pop,
                                   const dlm_evo_params *ep, uint32_t x, uint64_t play_stream,
                                   uint64_t length_stream, uint32_t window, uint32_t *slot,
                                   dlm_cursor *partners, dlm_evo_counts *counts)
{
    double sum = 0.0, cost = 0.0;
    uint32_t matches = dlm_evo_partner_count(w, pop, ep, x), k;
    uint32_t tx = ep->n_types != 0u ? dlm_evo_type(w, pop, ep, x) : 0u;
    uint32_t cached = ep->payoff_mode != 0u && ep->cache_classes != 0u && tx < ep->n_types;
    uint32_t referee = dlm_referee_on(ep), excluded = 0u;
    for (k = 0; k < matches; ++k) {
        uint32_t y = dlm_evo_partner(w, pop, ep, x, k, partners);
        double value;
        if (referee) { /* played matches only (the plan refuses exact payoffs with it) */
            sum = sum + dlm_referee_game2_match(w, pop, ep, x, y, play_stream, length_stream,
                                                window, (*slot)++, &excluded, counts);
            continue;
        }
        if (cached && dlm_evo_cached(w, pop, ep, x, tx, y, &value)) {
            counts->matches += 1u;
            (*slot)++;
            sum = sum + value;
            continue;
        }
        sum = sum + dlm_evo_play(w, pop, ep, x, y, play_stream, length_stream, window,
                                 (*slot)++, counts);
    }
    if ((ep->costs & DLM_COSTS_TYPES) && tx < ep->n_types)
        cost = w->exact[ep->exact_offset + tx];
    if (ep->accumulate || matches == 0u) {
        if (cost != 0.0)
            sum = sum - cost * (double)matches;
        return sum;
    }
    sum = sum / (double)matches;
    if (cost != 0.0)
        sum = sum - cost;
    return sum;
}

#include "dlm_reputation.h"
#include "dlm_group.h"

/* The payoff of local agent x in one evaluation: the one place that knows the kind of
 * interaction (ep->interaction). Its random numbers come from the play/length streams at
 * window `window` (from slot *slot on) and the partner cursor; it adds what it counts
 * (cooperative acts, acts, interactions) into counts. A new kind (the donation game with
 * reputations, N-player group games) is a new case here and its own payoff function;
 * nothing that calls this changes. */
DLM_FN double dlm_evo_evaluate(const dlm_evo_world *w, const dlm_evo_population *pop,
                               const dlm_evo_params *ep, uint32_t x, uint64_t play_stream,
                               uint64_t length_stream, uint32_t window, uint32_t *slot,
                               dlm_cursor *partners, dlm_evo_counts *counts)
{
    if (ep->interaction == DLM_INTERACTION_GAME2)
        return dlm_evo_game2_payoff(w, pop, ep, x, play_stream, length_stream, window, slot,
                                    partners, counts);
    if (ep->interaction == DLM_INTERACTION_DONATION)
        return dlm_rep_payoff(w, pop, ep, x, play_stream, counts);
    if (ep->interaction == DLM_INTERACTION_GROUP)
        return dlm_group_payoff(w, pop, ep, x, play_stream, window, slot, partners, counts);
    return 0.0; /* no other kind yet: the plan refuses any other value */
}

/* What a kind does at the start of generation g of an asynchronous rule, before its
 * first event (dlm_evo_event calls it at event 0): the donation game's assessment step
 * (dlm_rep_generation_start); nothing for the iterated game. With dlm_evo_evaluate the
 * only function that reads ep->interaction. */
DLM_FN void dlm_evo_generation_start(const dlm_evo_world *w, const dlm_evo_population *pop,
                                     const dlm_evo_params *ep, uint64_t g)
{
    if (dlm_referee_on(ep)) /* a layer over the kind: tax, and whether it audits */
        dlm_referee_generation_start(w, pop, ep);
    if (ep->interaction == DLM_INTERACTION_DONATION)
        dlm_rep_generation_start(w, pop, ep, g);
}

/* A uniform replacement-neighbour of local agent x (well-mixed: a uniform other agent;
 * with two sides, a uniform other agent of x's side). */
DLM_FN uint32_t dlm_evo_neighbour(const dlm_evo_world *w, const dlm_evo_population *pop,
                                  const dlm_evo_params *ep, uint32_t x, dlm_cursor *c)
{
    if (ep->side_b != 0u) {
        uint32_t side = dlm_evo_side(ep, x), first = dlm_evo_side_first(ep, side);
        uint32_t y = first + dlm_cursor_below(c, dlm_evo_side_size(pop, ep, side) - 1u);
        return y + (y >= x ? 1u : 0u);
    }
    if (ep->structure == DLM_STRUCTURE_GRAPH) {
        uint64_t first = w->repl_offsets[x];
        uint32_t degree = (uint32_t)(w->repl_offsets[x + 1u] - first);
        return w->repl_neighbors[first + dlm_cursor_below(c, degree)];
    } else {
        uint32_t y = dlm_cursor_below(c, pop->n - 1u);
        return y + (y >= x ? 1u : 0u);
    }
}

/* A mutant of strategy s, drawn from cursor c. */
DLM_FN dlm_strategy dlm_evo_mutant(const dlm_evo_world *w, const dlm_evo_params *ep,
                                   dlm_strategy s, dlm_cursor *c)
{
    uint32_t i;
    if (ep->mutation_kind == DLM_MUTATION_SET) {
        return w->table[ep->set_offset + dlm_cursor_below(c, ep->set_size)];
    }
    if (ep->mutation_kind == DLM_MUTATION_RANDOM_M1 ||
        (ep->mutation_kind == DLM_MUTATION_GAUSSIAN_M1 && s.kind != DLM_STRAT_MEMORY_ONE)) {
        dlm_strategy m;
        m.kind = DLM_STRAT_MEMORY_ONE;
        m.depth = 0u;
        m.opening = 0u;
        m.fsm_output = 0u;
        m.table = 0u;
        m.fsm_next_c = 0u;
        m.fsm_next_d = 0u;
        for (i = 0; i < 5u; ++i)
            m.threshold[i] = dlm_cursor_word(c);
        return m;
    }
    if (ep->mutation_kind == DLM_MUTATION_GAUSSIAN_M1) {
        for (i = 0; i < 5u; ++i) {
            uint32_t u0 = dlm_cursor_word(c), u1 = dlm_cursor_word(c);
            uint32_t u2 = dlm_cursor_word(c), u3 = dlm_cursor_word(c);
            double p = (double)s.threshold[i] * (1.0 / 4294967296.0);
            p = p + ep->sigma * dlm_gaussian(u0, u1, u2, u3);
            s.threshold[i] = dlm_probability_threshold_from_double(p);
        }
        return s;
    }
    if (ep->mutation_kind == DLM_MUTATION_LOOKUP_FLIP && s.kind == DLM_STRAT_LOOKUP) {
        uint32_t entries = 1u << (2u * s.depth);
        uint32_t bit = dlm_cursor_below(c, entries + s.depth);
        if (bit < entries)
            s.table ^= (uint64_t)1 << bit;
        else
            s.opening ^= 1u << (bit - entries);
        return s;
    }
    if (ep->mutation_kind == DLM_MUTATION_FSM_EDIT && s.kind == DLM_STRAT_FSM) {
        uint32_t state = dlm_cursor_below(c, s.depth);
        uint32_t what = dlm_cursor_below(c, 3u);
        uint32_t target = dlm_cursor_below(c, s.depth);
        uint64_t mask = (uint64_t)0xFu << (4u * state);
        if (what == 0u)
            s.fsm_output ^= 1u << state;
        else if (what == 1u)
            s.fsm_next_c = (s.fsm_next_c & ~mask) | ((uint64_t)target << (4u * state));
        else
            s.fsm_next_d = (s.fsm_next_d & ~mask) | ((uint64_t)target << (4u * state));
        return s;
    }
    return s; /* a kind of mutation that does not apply to this representation */
}

/* Applies mutation with probability mu to the strategy an event hands on. */
DLM_FN dlm_strategy dlm_evo_maybe_mutate(const dlm_evo_world *w, const dlm_evo_params *ep,
                                         dlm_strategy s, dlm_cursor *c)
{
    if (ep->mutation_kind == 0u || !dlm_fires(dlm_cursor_word(c), ep->mutation))
        return s;
    return dlm_evo_mutant(w, ep, s, c);
}

/* Chooses, proportional to fitness, among local agents that `pick` draws uniformly
 * (candidates: -1u = everyone of side `side` (everyone without sides), else the
 * replacement-neighbours of that agent).
 * Returns the chosen agent, or pop->n when max_trials candidates were all refused. */
DLM_FN uint32_t dlm_evo_choose_by_fitness(const dlm_evo_world *w, const dlm_evo_population *pop,
                                          const dlm_evo_params *ep, uint32_t side, uint32_t around,
                                          uint64_t play_stream, uint64_t length_stream,
                                          uint32_t window, uint32_t *slot, dlm_cursor *sel,
                                          dlm_cursor *partners, dlm_evo_counts *counts)
{
    uint32_t trial;
    for (trial = 0; trial < ep->max_trials; ++trial) {
        uint32_t c = around == 0xFFFFFFFFu ? dlm_evo_uniform_agent(pop, ep, side, sel)
                                           : dlm_evo_neighbour(w, pop, ep, around, sel);
        double f = dlm_fitness(ep, dlm_evo_evaluate(w, pop, ep, c, play_stream, length_stream,
                                                    window, slot, partners, counts));
        double u = dlm_cursor_uniform(sel);
        if (u * ep->fitness_max < f)
            return c;
    }
    return pop->n;
}

#include "dlm_demes_event.h"

/* Event e of generation g of an asynchronous rule. */
DLM_FN void dlm_evo_event(const dlm_evo_world *w, const dlm_evo_population *pop, uint64_t g,
                          uint32_t e, dlm_evo_counts *counts)
{
    dlm_evo_params ep = w->params[pop->params];
    uint64_t play = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, pop->id, g);
    uint64_t length = dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, pop->id, g);
    dlm_cursor sel = dlm_cursor_at(pop->seed, dlm_stream_id(DLM_PURPOSE_SELECTION, pop->id, g), e);
    dlm_cursor partners = dlm_cursor_at(pop->seed, dlm_stream_id(DLM_PURPOSE_MATCHING, pop->id, g), e);
    dlm_cursor mut = dlm_cursor_at(pop->seed, dlm_stream_id(DLM_PURPOSE_MUTATION, pop->id, g), e);
    uint32_t slot = 0u, target, source, side = dlm_evo_event_side(pop, &ep, e);
    dlm_strategy s;
    if (e == 0u)
        dlm_evo_generation_start(w, pop, &ep, g);
    if (ep.rule == DLM_RULE_GROUP_SELECTION) {
        dlm_demes_event(w, pop, &ep, play, length, e, &sel, &partners, &mut, counts);
        return;
    }
    if (ep.rule == DLM_RULE_MORAN_BD) {
        source = dlm_evo_choose_by_fitness(w, pop, &ep, side, 0xFFFFFFFFu, play, length, e, &slot,
                                           &sel, &partners, counts);
        if (source == pop->n) {
            counts->failed_events += 1u;
            return;
        }
        if (ep.moran_death == DLM_MORAN_DEATH_ANY && ep.structure != DLM_STRUCTURE_GRAPH)
            target = dlm_evo_uniform_agent(pop, &ep, dlm_evo_side(&ep, source), &sel);
        else
            target = dlm_evo_neighbour(w, pop, &ep, source, &sel);
    } else if (ep.rule == DLM_RULE_MORAN_DB) {
        target = dlm_evo_uniform_agent(pop, &ep, side, &sel);
        source = dlm_evo_choose_by_fitness(w, pop, &ep, side, target, play, length, e, &slot, &sel,
                                           &partners, counts);
        if (source == pop->n) {
            counts->failed_events += 1u;
            return;
        }
    } else { /* fermi */
        double pi_x, pi_y;
        uint64_t threshold;
        target = dlm_evo_uniform_agent(pop, &ep, side, &sel);
        source = dlm_evo_neighbour(w, pop, &ep, target, &sel);
        pi_x = dlm_evo_evaluate(w, pop, &ep, target, play, length, e, &slot, &partners, counts);
        pi_y = dlm_evo_evaluate(w, pop, &ep, source, play, length, e, &slot, &partners, counts);
        threshold = dlm_probability_threshold_from_double(dlm_fermi(ep.selection, pi_y - pi_x));
        if (!dlm_fires(dlm_cursor_word(&sel), threshold))
            source = target;
    }
    s = dlm_evo_maybe_mutate(w, &ep, w->strategy[pop->agent0 + source], &mut);
    w->strategy[pop->agent0 + target] = s;
}

/* Synchronous rules, step 1 for local agent x: its payoff in generation g. */
DLM_FN void dlm_evo_sync_evaluate(const dlm_evo_world *w, const dlm_evo_population *pop,
                                  uint64_t g, uint32_t x, dlm_evo_counts *counts)
{
    dlm_evo_params ep = w->params[pop->params];
    uint32_t slot = 0u;
    dlm_cursor partners = dlm_cursor_at(pop->seed, dlm_stream_id(DLM_PURPOSE_MATCHING, pop->id, g), x);
    w->payoff[pop->agent0 + x] = dlm_evo_evaluate(
        w, pop, &ep, x, dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, pop->id, g),
        dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, pop->id, g), x, &slot, &partners, counts);
}

/* Wright-Fisher, step 2 (once per population, in agent order): running fitness sums. */
DLM_FN void dlm_evo_sync_cumulate(const dlm_evo_world *w, const dlm_evo_population *pop)
{
    dlm_evo_params ep = w->params[pop->params];
    double sum = 0.0;
    uint32_t x;
    for (x = 0; x < pop->n; ++x) {
        sum = sum + dlm_fitness(&ep, w->payoff[pop->agent0 + x]);
        w->cumulative[pop->agent0 + x] = sum;
    }
}

/* Synchronous rules, step 2 (once per population, after every evaluation of generation g,
 * before the updates): Wright-Fisher's running fitness sums; a referee's serial step (the
 * generation's tax and decision, the evaluations' slots reduced into the ledger in agent
 * order: dlm_referee_sync_close). */
DLM_FN void dlm_evo_sync_step2(const dlm_evo_world *w, const dlm_evo_population *pop)
{
    dlm_evo_params ep = w->params[pop->params];
    if (ep.rule == DLM_RULE_WRIGHT_FISHER)
        dlm_evo_sync_cumulate(w, pop);
    if (dlm_referee_on(&ep))
        dlm_referee_sync_close(w, pop, &ep);
}

/* Synchronous rules, step 3 for local agent x: its strategy in the next generation. */
DLM_FN void dlm_evo_sync_update(const dlm_evo_world *w, const dlm_evo_population *pop, uint64_t g,
                                uint32_t x)
{
    dlm_evo_params ep = w->params[pop->params];
    dlm_cursor sel = dlm_cursor_at(pop->seed, dlm_stream_id(DLM_PURPOSE_SELECTION, pop->id, g), x);
    dlm_cursor mut = dlm_cursor_at(pop->seed, dlm_stream_id(DLM_PURPOSE_MUTATION, pop->id, g), x);
    DLM_GLOBAL double *payoff = w->payoff + pop->agent0;
    uint32_t source = x;
    if (ep.rule == DLM_RULE_FERMI_SYNC) {
        uint32_t y = dlm_evo_neighbour(w, pop, &ep, x, &sel);
        uint64_t threshold =
            dlm_probability_threshold_from_double(dlm_fermi(ep.selection, payoff[y] - payoff[x]));
        if (dlm_fires(dlm_cursor_word(&sel), threshold))
            source = y;
    } else if (ep.rule == DLM_RULE_IMITATE_BEST) {
        uint64_t i;
        double best = payoff[x];
        for (i = w->repl_offsets[x]; i < w->repl_offsets[x + 1u]; ++i) {
            uint32_t y = w->repl_neighbors[i];
            if (payoff[y] > best) {
                best = payoff[y];
                source = y;
            }
        }
    } else if (ep.structure != DLM_STRUCTURE_GRAPH) { /* Wright-Fisher, well-mixed */
        DLM_GLOBAL double *cum = w->cumulative + pop->agent0;
        double u = dlm_cursor_uniform(&sel) * cum[pop->n - 1u];
        uint32_t lo = 0u, hi = pop->n - 1u;
        while (lo < hi) { /* the first place whose running sum exceeds u */
            uint32_t mid = lo + (hi - lo) / 2u;
            if (cum[mid] > u)
                hi = mid;
            else
                lo = mid + 1u;
        }
        source = lo;
    } else { /* Wright-Fisher on a graph: from the replacement neighbourhood and itself */
        uint64_t i, first = w->repl_offsets[x], last = w->repl_offsets[x + 1u];
        double total = dlm_fitness(&ep, payoff[x]), u, run;
        for (i = first; i < last; ++i)
            total = total + dlm_fitness(&ep, payoff[w->repl_neighbors[i]]);
        u = dlm_cursor_uniform(&sel) * total;
        run = dlm_fitness(&ep, payoff[x]);
        for (i = first; i < last && !(run > u); ++i) {
            source = w->repl_neighbors[i];
            run = run + dlm_fitness(&ep, payoff[source]);
        }
    }
    w->next[pop->agent0 + x] = dlm_evo_maybe_mutate(w, &ep, w->strategy[pop->agent0 + source], &mut);
}

/* Census of local agent x in generation g: its payoff by fresh matches from the census
 * streams (which no rule uses), for statistics. */
DLM_FN double dlm_evo_census_payoff(const dlm_evo_world *w, const dlm_evo_population *pop, uint64_t g,
                                    uint32_t x, dlm_evo_counts *counts)
{
    dlm_evo_params ep = w->params[pop->params];
    uint32_t slot = 0u;
    dlm_cursor partners =
        dlm_cursor_at(pop->seed, dlm_stream_id(DLM_PURPOSE_CENSUS_MATCHING, pop->id, g), x);
    ep.payoff_mode = 0u; /* the census plays its matches, so that it can count moves */
    return dlm_evo_evaluate(w, pop, &ep, x, dlm_stream_id(DLM_PURPOSE_CENSUS_PLAY, pop->id, g),
                            dlm_stream_id(DLM_PURPOSE_CENSUS_LENGTH, pop->id, g), x, &slot,
                            &partners, counts);
}

/* The first agent of local agent x's side (0 without sides): monomorphic means every
 * agent has the strategy of the first agent of its side. */
DLM_FN uint32_t dlm_evo_side_start(const dlm_evo_world *w, const dlm_evo_population *pop,
                                   uint32_t x)
{
    uint32_t side_b = w->params[pop->params].side_b;
    return side_b != 0u && x >= side_b ? side_b : 0u;
}

/* 1 when every agent of the population (of each side) has the same strategy. */
DLM_FN uint32_t dlm_evo_monomorphic(const dlm_evo_world *w, const dlm_evo_population *pop)
{
    uint32_t x;
    for (x = 1u; x < pop->n; ++x) {
        dlm_strategy s = w->strategy[pop->agent0 + x];
        dlm_strategy first = w->strategy[pop->agent0 + dlm_evo_side_start(w, pop, x)];
        if (!dlm_strategy_equal(&s, &first))
            return 0u;
    }
    return 1u;
}

/* Stopping at fixation, decided where the population lives: after its generation g (the
 * last event of it, or the commit of a synchronous rule), the population at batch index p
 * with stop_at_fixation that has become monomorphic records g + 1 in fixed[p] and runs
 * no more generations. Returns 1 when it has just stopped. Without mutation a monomorphic
 * population stays so, so this is the exact fixation generation. */
DLM_FN uint32_t dlm_evo_check_fixation(const dlm_evo_world *w, const dlm_evo_population *pop,
                                       uint32_t p, uint64_t g)
{
    if (!w->params[pop->params].stop_at_fixation || !dlm_evo_monomorphic(w, pop))
        return 0u;
    w->fixed[p] = g + 1u;
    return 1u;
}

/* 1 when the population at batch index p has stopped at fixation. */
DLM_FN uint32_t dlm_evo_stopped(const dlm_evo_world *w, uint32_t p)
{
    return w->fixed[p] != 0u ? 1u : 0u;
}

/* The generation a census asked for at g describes for the population at batch index p:
 * g, or the generation at which it stopped at fixation (its state ever since). */
DLM_FN uint64_t dlm_evo_census_generation(const dlm_evo_world *w, uint32_t p, uint64_t g)
{
    return w->fixed[p] != 0u ? w->fixed[p] : g;
}

#endif /* DLM_EVOLVE_H */

/* group_plan.c — the plan's part of the N-player group games (evolution.interaction:
 * group; kernels/dlm_group.h): sets the interaction kind and the group parameters, bounds
 * the payoffs for the fitness maps and the random-number windows (in place of the 2x2
 * game's bounds), turns the strategies allc and alld into contribution rules (cc(k) is
 * one already), and refuses what this kind cannot run yet. Under the other kinds it
 * refuses contribution rules.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlm_evolve.h"
#include "plan/evolve_plan.h"

/* The contribution rule of a compiled strategy: allc and alld by their memory-one
 * vectors, cc(k) as it is; 0xFFFFFFFF for anything else. */
static uint32_t contribution_rule(const dlm_strategy *s)
{
    uint32_t i, ones = 0, zeros = 0;
    if (s->kind == DLM_STRAT_CONTRIBUTION)
        return s->opening;
    if (s->kind != DLM_STRAT_MEMORY_ONE)
        return 0xFFFFFFFFu;
    for (i = 0; i < 5u; ++i) {
        ones += s->threshold[i] == ((uint64_t)1 << 32);
        zeros += s->threshold[i] == 0u;
    }
    return ones == 5u ? DLM_CONTRIB_ALWAYS : zeros == 5u ? DLM_CONTRIB_NEVER : 0xFFFFFFFFu;
}

/* Turns n strategies into contribution rules; fails (naming `what`) on one that is none. */
static dlm_status convert(dlm_strategy *s, size_t n, const char *what, dlm_error *err)
{
    size_t i;
    for (i = 0; i < n; ++i) {
        uint32_t rule = contribution_rule(&s[i]), k = s[i].depth;
        uint64_t incentive;
        if (rule == 0xFFFFFFFFu)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.interaction: the group games' strategies are the "
                                 "contribution rules allc, alld and cc(k), and %s holds another",
                                 what);
        if (rule == DLM_CONTRIB_LEVEL || rule == DLM_CONTRIB_STOCK)
            continue; /* level(k), stock(k, j, f): as parsed */
        incentive = s[i].kind == DLM_STRAT_CONTRIBUTION ? s[i].table : 0u;
        memset(&s[i], 0, sizeof s[i]);
        s[i].kind = DLM_STRAT_CONTRIBUTION;
        s[i].opening = rule;
        s[i].depth = rule == DLM_CONTRIB_CONDITIONAL ? k : 0u;
        s[i].table = incentive; /* punish, pool, rewarder, loner, X+... (dlm_punish.h) */
    }
    return DLM_OK;
}

/* The level games (commons, escalation) play level(k) and stock(k, j, f) with levels
 * below L, stock(...) in the commons only; the binary games play allc, alld and cc(k). */
static dlm_status check_levels(const dlm_evolution_spec *ev, const dlm_strategy *s, size_t n,
                               const char *what, dlm_error *err)
{
    int level_game = ev->group_game >= 3;
    size_t i;
    for (i = 0; i < n; ++i) {
        uint32_t rule = s[i].opening;
        int level_rule = rule == DLM_CONTRIB_LEVEL || rule == DLM_CONTRIB_STOCK;
        if (level_game && !level_rule)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.group.game: the level games (commons, escalation) "
                                 "play the rules level(k) and stock(k, j, f), and %s holds "
                                 "allc, alld or cc(k)",
                                 what);
        if (!level_game && level_rule)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.group.game: level(k) and stock(k, j, f) are rules "
                                 "of the level games (game: commons or escalation), and %s "
                                 "holds one in the %s game",
                                 what, ev->group_game == 2 ? "risk" : "pgg");
        if (rule == DLM_CONTRIB_STOCK && ev->group_game == 4)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.group.game: escalation has no stock; %s holds "
                                 "stock(k, j, f) (use level(k))",
                                 what);
        if (level_rule && (s[i].depth >= ev->group_levels ||
                           (rule == DLM_CONTRIB_STOCK && s[i].fsm_output >= ev->group_levels)))
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.group.levels: %s holds level %u, and the levels "
                                 "are 0 .. %u (levels: %u)",
                                 what, s[i].depth >= ev->group_levels ? s[i].depth
                                                                      : s[i].fsm_output,
                                 ev->group_levels - 1u, ev->group_levels);
    }
    return DLM_OK;
}

/* What group games cannot run with yet (the cheap checks, no graph needed). */
dlm_status dlm_group_check(const dlm_scenario *sc, const dlm_evo_plan *plan, dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    const dlm_evo_params *ep = &plan->params;
    if (ep->side_b || ev->payoff_exact || ev->payoff_estimated || ep->rules.geometric)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.interaction: group runs without sides (class roles), "
                             "with played payoffs and a fixed number of rounds (match.rounds, "
                             "no continuation) so far");
    if (ev->n_costs)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.cost: strategy costs are for the iterated game; the "
                             "group games' cost is evolution.group.c");
    if (strcmp(ev->mutation_kind, "none") != 0 && strcmp(ev->mutation_kind, "set") != 0 &&
        ev->mutation_rate > 0.0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.mutation.kind: the group games' contribution rules "
                             "mutate within a set (kind: set, set: [allc, alld, cc(2)]) or not "
                             "at all, not by %s",
                             ev->mutation_kind);
    if (ep->structure == DLM_STRUCTURE_SAMPLED)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.structure.partners: group games draw their own groups "
                             "in a well-mixed population (evolution.group.size and groups); "
                             "leave partners out");
    if (ep->structure != DLM_STRUCTURE_GRAPH) {
        if (ev->group_size > ev->population)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.group.size: groups of %u in a population of %u "
                                 "(at most the population)",
                                 ev->group_size, ev->population);
        if (ev->group_game == 2 && ev->group_threshold > ev->group_size)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.group.threshold: M = %u in groups of %u can never "
                                 "be reached",
                                 ev->group_threshold, ev->group_size);
    } else if (ev->group_size_given) {
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.group.size: on a graph a group is an agent and its "
                             "neighbours (Santos, Santos & Pacheco 2008), so its size is the "
                             "degree + 1; leave group.size out");
    }
    return DLM_OK;
}

/* The interaction graph's smallest and largest group (degree + 1); fails on a graph a
 * group cannot form on: self-loops, arcs without their reverse, degree + 1 > 64. */
static dlm_status graph_groups(const dlm_graph *g, uint32_t *smallest, uint32_t *largest,
                               dlm_error *err)
{
    uint32_t v;
    *smallest = DLM_GROUP_MAX;
    *largest = 1u;
    for (v = 0; v < g->n; ++v) {
        uint64_t a, degree = g->offsets[v + 1] - g->offsets[v];
        if (degree + 1u > DLM_GROUP_MAX)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.structure: agent %u has %llu neighbours, and a group "
                                 "(an agent and its neighbours) holds at most %u members",
                                 v, (unsigned long long)degree, DLM_GROUP_MAX);
        for (a = g->offsets[v]; a < g->offsets[v + 1]; ++a) {
            uint32_t u = g->neighbors[a];
            uint64_t b;
            int back = 0;
            if (u == v)
                return dlm_error_set(err, DLM_ERR_USAGE,
                                     "evolution.structure: agent %u is its own neighbour; the "
                                     "group games need a graph without self-loops (an agent "
                                     "is in its own group already)",
                                     v);
            for (b = g->offsets[u]; b < g->offsets[u + 1] && !back; ++b)
                back = g->neighbors[b] == v;
            if (!back)
                return dlm_error_set(err, DLM_ERR_USAGE,
                                     "evolution.structure: %u is a neighbour of %u but not the "
                                     "other way round; the group games need an undirected "
                                     "graph",
                                     u, v);
        }
        *smallest = (uint32_t)degree + 1u < *smallest ? (uint32_t)degree + 1u : *smallest;
        *largest = (uint32_t)degree + 1u > *largest ? (uint32_t)degree + 1u : *largest;
    }
    return DLM_OK;
}

/* The fitness bound from the payoffs' range [lo, hi] of one evaluation. */
static dlm_status fitness_bound(const dlm_evo_plan *plan, dlm_evo_params *ep, double lo, double hi,
                                dlm_error *err)
{
    int uses_fitness = plan->rule == DLM_RULE_MORAN_BD || plan->rule == DLM_RULE_MORAN_DB ||
                       plan->rule == DLM_RULE_WRIGHT_FISHER;
    if (ep->fitness_map == DLM_FITNESS_LINEAR) {
        ep->fitness_max = 1.0 - ep->selection + ep->selection * hi;
        if (uses_fitness && 1.0 - ep->selection + ep->selection * lo < 0.0)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.selection: the linear fitness 1 - w + w*payoff is "
                                 "negative for the group game's payoff %g at w = %g; lower w, "
                                 "or use evolution.fitness: exponential",
                                 lo, ep->selection);
    } else {
        ep->fitness_max = exp(ep->selection * hi);
        if (uses_fitness && !isfinite(ep->fitness_max))
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.selection: exp(w * payoff) overflows for w = %g "
                                 "and group payoffs up to %g",
                                 ep->selection, hi);
    }
    ep->fitness_max = ep->fitness_max * (1.0 + 1e-12) + 1e-300;
    return DLM_OK;
}

/* The fitness bound and the random-number windows from one group game's payoff range
 * per round [lo, hi] and the largest group. */
static dlm_status payoff_bounds(dlm_evo_plan *plan, const dlm_evolution_spec *ev,
                                uint32_t largest, double lo, double hi, dlm_error *err)
{
    dlm_evo_params *ep = &plan->params;
    double groups;
    uint64_t slots, per_event;
    dlm_status st;
    groups = ep->structure == DLM_STRUCTURE_GRAPH ? (double)largest : (double)ev->group_count;
    if (ep->accumulate) {
        lo = lo < 0.0 ? lo * groups : 0.0;
        hi = hi > 0.0 ? hi * groups : 0.0;
    }
    if ((st = fitness_bound(plan, ep, lo, hi, err)) != DLM_OK)
        return st;
    slots = ((uint64_t)1 << 30) / dlm_group_slot_blocks(ep);
    per_event = (uint64_t)groups * (plan->rule == DLM_RULE_FERMI ? 2u : 1u);
    if (slots / per_event <
        (plan->rule == DLM_RULE_MORAN_BD || plan->rule == DLM_RULE_MORAN_DB ? 64u : 1u))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution: an event's group games (%llu groups x %u rounds) do not "
                             "fit one random-number window (2^30 blocks); use fewer rounds "
                             "(match.rounds) or groups (evolution.group.groups)",
                             (unsigned long long)per_event, ep->rules.rounds);
    ep->max_trials = (uint32_t)(slots / per_event > 1000000u ? 1000000u : slots / per_event);
    return DLM_OK;
}

/* A referee (institution:) widens one group game's payoff range per round: every act (or
 * unit of level, `units` a round) fined, or every one subsidised; 0 for an exclusion. */
static void referee_widen(const dlm_scenario *sc, double units, double *lo, double *hi)
{
    const dlm_institution_spec *in = &sc->institution;
    if (!in->given)
        return;
    *lo = *lo - in->fine * units;
    *hi = *hi + in->subsidy * units;
    if (in->exclusion) {
        *lo = *lo < 0.0 ? *lo : 0.0;
        *hi = *hi > 0.0 ? *hi : 0.0;
    }
}

/* The level games' parameters (dlm_group_play_levels) and bounds: a harvest per round in
 * [0, h (L - 1)] (a shortage shares less than was asked); a contest's payoff in
 * [-c (L - 1), V]. */
static dlm_status level_bounds(const dlm_scenario *sc, dlm_evo_plan *plan, uint32_t largest,
                               dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    dlm_evo_params *ep = &plan->params;
    double top = (double)(ev->group_levels - 1u);
    int commons = ev->group_game == 3;
    ep->payoff[0] = commons ? ev->group_growth : ev->group_prize;
    ep->payoff[1] = commons ? ev->group_harvest : ev->group_c;
    ep->payoff[2] = (double)ev->group_levels;
    ep->payoff[3] = commons ? ev->group_capacity : 0.0;
    /* the execution error: a chosen level replaced by a uniform one (dlm_group_play_levels) */
    ep->payoff_b[0] = (double)dlm_probability_threshold(ev->group_execution_error);
    ep->payoff_b[1] = 0.0;
    ep->payoff_b[2] = commons ? (double)DLM_GROUP_COMMONS : (double)DLM_GROUP_ESCALATION;
    ep->payoff_b[3] = ep->structure == DLM_STRUCTURE_GRAPH ? 0.0 : (double)ev->group_count;
    double lo = commons ? 0.0 : -ev->group_c * top;
    double hi = commons ? ev->group_harvest * top : ev->group_prize;
    referee_widen(sc, top, &lo, &hi);
    return payoff_bounds(plan, ev, largest, lo, hi, err);
}

/* In place of the 2x2 game's bounds: the group parameters, the fitness bound and the
 * random-number windows (an event's group games within 2^30 blocks). */
dlm_status dlm_group_bounds(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    dlm_evo_params *ep = &plan->params;
    uint32_t smallest = ev->group_size, largest = ev->group_size;
    double r = ev->group_r, c = ev->group_c, b = ev->group_b, lo, hi;
    dlm_status st;
    if ((st = dlm_group_check(sc, plan, err)) != DLM_OK)
        return st;
    if (ep->structure == DLM_STRUCTURE_GRAPH && plan->interaction.n &&
        (st = graph_groups(&plan->interaction, &smallest, &largest, err)) != DLM_OK)
        return st;
    ep->interaction = DLM_INTERACTION_GROUP;
    ep->group_size = ep->structure == DLM_STRUCTURE_GRAPH ? 0u : ev->group_size;
    if (ev->group_game >= 3)
        return level_bounds(sc, plan, largest, err);
    ep->payoff[0] = ev->group_game == 2 ? 0.0 : r;
    ep->payoff[1] = c;
    ep->payoff[2] = ev->group_game == 2 ? b : 0.0;
    ep->payoff[3] = ev->group_game == 2 ? (double)ev->group_threshold : 0.0;
    ep->payoff_b[0] = (double)dlm_probability_threshold(ev->group_execution_error);
    ep->payoff_b[1] = ev->group_game == 2 ? (double)dlm_probability_threshold(ev->group_risk) : 0.0;
    ep->payoff_b[2] = ev->group_game == 2 ? (double)DLM_GROUP_RISK : (double)DLM_GROUP_PGG;
    ep->payoff_b[3] = ep->structure == DLM_STRUCTURE_GRAPH ? 0.0 : (double)ev->group_count;
    (void)smallest;
    /* one group game's payoff per round */
    if (ev->group_game == 2) {
        lo = -c * b;
        hi = b;
    } else {
        lo = r * c / (double)largest - c < 0.0 ? r * c / (double)largest - c : 0.0;
        hi = r * c - c > r * c * (double)(largest - 1u) / (double)largest
                 ? r * c - c
                 : r * c * (double)(largest - 1u) / (double)largest;
    }
    if (ev->punish) { /* incentives (dlm_punish.h): at most every other member's worth */
        double others = (double)(largest - 1u);
        lo = lo - (ev->punish_gamma + ev->punish_beta + ev->punish_fine) * others -
             ev->punish_fee;
        hi = hi + ev->punish_reward * others;
        lo = ev->punish_loner < lo ? ev->punish_loner : lo;
        hi = ev->punish_loner > hi ? ev->punish_loner : hi;
    }
    referee_widen(sc, 1.0, &lo, &hi);
    return payoff_bounds(plan, ev, largest, lo, hi, err);
}

/* Incentives (kernels/dlm_punish.h): strategies with an incentive type need
 * evolution.group.punishment; `what` names where one was found. */
static dlm_status check_incentives(const dlm_scenario *sc, const dlm_strategy *s, size_t n,
                                   const char *what, dlm_error *err)
{
    size_t i;
    for (i = 0; i < n && !sc->evolution.punish; ++i)
        if (s[i].kind == DLM_STRAT_CONTRIBUTION && s[i].table != 0u)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.group.punishment: %s holds a punisher, rewarder or "
                                 "loner (punish, pool, rewarder, loner, X+peer, X+pool, "
                                 "X+reward), and the incentives are not set: add "
                                 "evolution.group.punishment: {gamma, beta, fee, fine, reward, "
                                 "loner, second_order}",
                                 what);
    return DLM_OK;
}

/* The incentives' parameters: the flags in ep->norm and the block of DLM_PUNISH_DOUBLES
 * doubles at exact_offset (kernels/dlm_punish.h documents both). Runs after
 * dlm_evo_plan_types, which leaves the group games' exact array empty (no types' costs,
 * no exact payoffs: dlm_group_check refuses both). */
dlm_status dlm_punish_plan(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    dlm_evo_params *ep = &plan->params;
    double *block;
    if (!ev->group || !ev->punish)
        return DLM_OK;
    if (plan->n_exact != 0u)
        return dlm_error_set(err, DLM_ERR_RUNTIME,
                             "internal: the group game's exact array is not empty");
    if (!(block = calloc(DLM_PUNISH_DOUBLES, sizeof *block)))
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for the incentives");
    block[DLM_PUNISH_GAMMA] = ev->punish_gamma;
    block[DLM_PUNISH_BETA] = ev->punish_beta;
    block[DLM_PUNISH_FEE] = ev->punish_fee;
    block[DLM_PUNISH_FINE] = ev->punish_fine;
    block[DLM_PUNISH_REWARD] = ev->punish_reward;
    block[DLM_PUNISH_LONER] = ev->punish_loner;
    free(plan->exact);
    plan->exact = block;
    plan->n_exact = DLM_PUNISH_DOUBLES;
    plan->bytes += DLM_PUNISH_DOUBLES * sizeof *block;
    ep->exact_offset = 0u;
    ep->norm = DLM_PUNISH_ON | (ev->punish_second_order ? DLM_PUNISH_SECOND_ORDER : 0u);
    return DLM_OK;
}

dlm_status dlm_group_plan(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    dlm_status st;
    size_t i;
    if (!sc->evolution.group) {
        for (i = 0; i < plan->n_named; ++i)
            if (plan->named[i].kind == DLM_STRAT_CONTRIBUTION)
                return dlm_error_set(err, DLM_ERR_USAGE,
                                     "%s is a contribution rule of the group games: set "
                                     "evolution.interaction: group",
                                     plan->named_labels[i]);
        return DLM_OK;
    }
    if ((st = convert(plan->strategies, plan->n_agents, "the initial population", err)) ||
        (st = convert(plan->table, plan->n_table, "the mutation set", err)) ||
        (st = convert(plan->named, plan->n_named, "the strategies the census counts", err)) ||
        (st = check_levels(&sc->evolution, plan->strategies, plan->n_agents,
                           "the initial population", err)) ||
        (st = check_levels(&sc->evolution, plan->table, plan->n_table, "the mutation set", err)) ||
        (st = check_incentives(sc, plan->strategies, plan->n_agents, "the initial population",
                               err)) ||
        (st = check_incentives(sc, plan->table, plan->n_table, "the mutation set", err)))
        return st;
    return DLM_OK;
}

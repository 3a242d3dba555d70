/* reputation_plan.c — the plan's part of the donation game with reputations
 * (evolution.interaction: donation; kernels/dlm_reputation.h): sets the interaction kind,
 * the norm and the error channels in the parameters, turns the strategies allc and alld
 * into action rules (disc is one already), and refuses what this kind cannot run yet.
 * Under the iterated game it refuses action rules (disc).
 */
#include <string.h>

#include "dlm_evolve.h"
#include "plan/evolve_plan.h"

/* The action rule of a compiled strategy: allc and alld by their memory-one vectors,
 * disc as it is, any other memory-one vector an IPD rule (DLM_ACTION_M1, which only
 * encounters play: 0xFFFFFFFE without them); 0xFFFFFFFF for anything else. */
static uint32_t action_rule(const dlm_strategy *s, int encounters)
{
    uint32_t i, ones = 0, zeros = 0;
    if (s->kind == DLM_STRAT_ACTION_RULE)
        return (s->opening & DLM_ACTION_MASK) != DLM_ACTION_M1 || encounters ? s->opening
                                                                             : 0xFFFFFFFEu;
    if (s->kind != DLM_STRAT_MEMORY_ONE)
        return 0xFFFFFFFFu;
    for (i = 0; i < 5u; ++i) {
        ones += s->threshold[i] == ((uint64_t)1 << 32);
        zeros += s->threshold[i] == 0u;
    }
    return ones == 5u    ? DLM_ACTION_ALLC
           : zeros == 5u ? DLM_ACTION_ALLD
           : encounters  ? DLM_ACTION_M1
                         : 0xFFFFFFFEu;
}

/* Turns n strategies into action rules; fails (naming `what`) on one that is none. */
static dlm_status convert(dlm_strategy *s, size_t n, const char *what, int encounters,
                          dlm_error *err)
{
    size_t i;
    for (i = 0; i < n; ++i) {
        uint32_t rule = action_rule(&s[i], encounters), k;
        uint64_t vector[5];
        if (rule == 0xFFFFFFFEu)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.reputation.repeat: %s holds an IPD strategy, which "
                                 "plays the donation game in encounters with one partner: set "
                                 "evolution.reputation.repeat (the probability that a round "
                                 "stays with the same partner)", what);
        if (rule == 0xFFFFFFFFu)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.interaction: the donation game's strategies are the "
                                 "action rules allc, alld and disc and memory-one IPD strategies "
                                 "(with evolution.reputation.repeat), and %s holds another", what);
        uint32_t own_norm = s[i].kind == DLM_STRAT_ACTION_RULE ? s[i].depth : 0u;
        for (k = 0; k < 5u; ++k)
            vector[k] = s[i].threshold[k];
        memset(&s[i], 0, sizeof s[i]);
        s[i].kind = DLM_STRAT_ACTION_RULE;
        s[i].opening = rule;
        s[i].depth = own_norm;
        for (k = 0; (rule & DLM_ACTION_MASK) == DLM_ACTION_M1 && k < 5u; ++k)
            s[i].threshold[k] = vector[k];
    }
    return DLM_OK;
}

/* 1 when one of n strategies carries its own norm (`disc/stern-judging`). */
static int own_norms(const dlm_strategy *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i)
        if (s[i].kind == DLM_STRAT_ACTION_RULE && (s[i].depth & DLM_ACTION_RULE_OWN_NORM))
            return 1;
    return 0;
}

/* Norms as traits: under private assessment only (every agent judges by its own). */
static dlm_status plan_own_norms(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    if (!own_norms(plan->strategies, plan->n_agents) && !own_norms(plan->table, plan->n_table) &&
        !own_norms(plan->named, plan->n_named))
        return DLM_OK;
    if (!sc->evolution.private_assessment)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.reputation.assessment: strategies that carry their own "
                             "norm (rule/norm) need private assessment, where every agent judges "
                             "by its own norm; under public assessment one observer's verdict "
                             "is everyone's, and under institutional assessment the panel's, "
                             "so the population has one norm (evolution.reputation.norm)");
    plan->params.norm |= DLM_NORM_OWN;
    return DLM_OK;
}

/* What the donation game cannot run with yet. */
dlm_status dlm_reputation_check(const dlm_scenario *sc, const dlm_evo_plan *plan, dlm_error *err)
{
    const dlm_evo_params *ep = &plan->params;
    if (strcmp(sc->game.preset, "donation") != 0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.interaction: donation needs game: {preset: donation, "
                             "b: ..., c: ...} (the game is %s)",
                             sc->game.preset[0] ? sc->game.preset : "a custom matrix");
    if (ep->side_b || sc->evolution.payoff_exact || ep->rules.geometric)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.interaction: donation runs without sides (class roles), "
                             "with played payoffs and a fixed number of rounds (match.rounds, "
                             "no continuation) so far");
    if (sc->evolution.n_costs)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.cost: strategy costs are for the iterated game; the "
                             "donation game's cost is game.c");
    /* Private assessment: observer o's draws for donor x's round r are block
       (x << 30) + 2^29 + o * rounds + r of x's window (dlm_rep_observe), so N x rounds
       must stay below 2^29, or one donor's draws would run into the next donor's window.
       That is the only bound on N itself: views are indexed in 64 bits and the census
       counts good views in 64 bits; the memory the views take (2 N^2 bits a population)
       is checked by the planner (dlm_evo_plan_build), with the numbers. */
    if (sc->evolution.private_assessment &&
        (uint64_t)sc->evolution.population * ep->rules.rounds >= (1ull << 29))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.reputation.assessment: private assessment needs "
                             "evolution.population x match.rounds below 2^29 = 536870912 (each "
                             "observer's draws for a donor's round have their own place in the "
                             "donor's window of random numbers); got %u agents x %u rounds = "
                             "%llu",
                             sc->evolution.population, ep->rules.rounds,
                             (unsigned long long)sc->evolution.population * ep->rules.rounds);
    if (sc->evolution.institutional && sc->evolution.quorum > sc->evolution.panel)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.reputation.quorum: %u of a panel of %u; the quorum is "
                             "1 .. evolution.reputation.panel",
                             sc->evolution.quorum, sc->evolution.panel);
    if (ep->mutation_kind != 0u && ep->mutation_kind != DLM_MUTATION_SET)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.mutation.kind: the donation game's action rules mutate "
                             "within a set (kind: set, set: [allc, alld, disc]) or not at all");
    return DLM_OK;
}

dlm_status dlm_reputation_plan(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    dlm_evo_params *ep = &plan->params;
    dlm_status st;
    size_t i;
    if (!sc->evolution.donation) {
        for (i = 0; i < plan->n_named; ++i)
            if (plan->named[i].kind == DLM_STRAT_ACTION_RULE)
                return dlm_error_set(err, DLM_ERR_USAGE,
                                     "%s is an action rule of the donation game: set "
                                     "evolution.interaction: donation",
                                     plan->named_labels[i]);
        return DLM_OK;
    }
    if ((st = dlm_reputation_check(sc, plan, err)) != DLM_OK)
        return st;
    ep->interaction = DLM_INTERACTION_DONATION;
    ep->norm = sc->evolution.norm;
    ep->payoff_b[0] = (double)dlm_probability_threshold(sc->evolution.execution_error);
    ep->payoff_b[1] = (double)dlm_probability_threshold(sc->evolution.assessment_error);
    ep->payoff_b[3] = (double)dlm_probability_threshold(sc->evolution.perception_error);
    if (sc->evolution.private_assessment) {
        ep->norm |= DLM_NORM_PRIVATE;
        ep->payoff_b[2] = (double)dlm_probability_threshold(sc->evolution.observe);
        ep->sigma = (double)dlm_probability_threshold(sc->evolution.empathy);
    }
    if (sc->evolution.institutional) { /* panel and quorum in the norm word's high bits */
        uint32_t panel = sc->evolution.panel, quorum = sc->evolution.quorum;
        ep->norm |= DLM_NORM_INSTITUTION | (panel << 16) | ((quorum ? quorum : panel / 2u + 1u) << 24);
        if (sc->evolution.panel_broadcast)
            ep->norm |= DLM_NORM_PANEL_BROADCAST;
    }
    if (sc->evolution.encounters) { /* direct and indirect reciprocity (dlm_rep_encounters) */
        ep->norm |= DLM_NORM_ENCOUNTERS;
        ep->rules.continuation = dlm_probability_threshold(sc->evolution.repeat);
    }
    if ((st = plan_own_norms(sc, plan, err)) != DLM_OK)
        return st;
    if ((st = convert(plan->strategies, plan->n_agents, "the initial population",
                      sc->evolution.encounters, err)) ||
        (st = convert(plan->table, plan->n_table, "the mutation set", sc->evolution.encounters,
                      err)) ||
        (st = convert(plan->named, plan->n_named, "the strategies the census counts",
                      sc->evolution.encounters, err)))
        return st;
    return DLM_OK;
}

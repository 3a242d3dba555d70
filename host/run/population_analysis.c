/* population_analysis.c — from a scenario (evolution.* and analyze.population) to the
 * exact answers of its well-mixed population: the types, the mutation distribution, the
 * payoff matrix (given, or the expected payoff per round of each pair of memory-one
 * types from the model's own Markov chain, kernels/dlm_exact.h, exactly what
 * `evolution.payoff: exact` uses), then every answer of analyze_population.h.
 */
#include "run/population_analysis.h"
#include "run/analyze_game.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlm_exact.h"
#include "model/strategies.h"
#include "plan/params.h"

#define FULL_CHAIN_MAX_BYTES (UINT64_C(4) << 30) /* the band GTH eliminates on */

/* The parts of evolution.* this analysis covers. */
static dlm_status check_dynamics(const dlm_scenario *sc, dlm_pop_model *m, dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    if (strcmp(ev->rule, "moran-bd") == 0)
        m->rule = DLM_POP_MORAN_BD;
    else if (strcmp(ev->rule, "moran-db") == 0)
        m->rule = DLM_POP_MORAN_DB;
    else if (strcmp(ev->rule, "fermi") == 0)
        m->rule = DLM_POP_FERMI;
    else
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze.population: evolution.rule is %s; the exact answers are "
                             "for the asynchronous rules moran-bd, moran-db and fermi", ev->rule);
    if (strcmp(ev->structure.type, "well-mixed") != 0 || ev->structure.partners != 0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze.population: the population must be well-mixed with every "
                             "agent playing everyone else (evolution.structure: well-mixed, "
                             "partners 0); this one is %s%s", ev->structure.type,
                             ev->structure.partners ? " with sampled partners" : "");
    if (ev->n_classes > 0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze.population: agent classes (evolution.classes) are not "
                             "analysed; give the agents' settings in match.*");
    if (ev->mutation_rate > 0.0 && strcmp(ev->mutation_kind, "set") != 0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze.population: mutation of kind %s leaves the types; the "
                             "chain needs mutation within them (evolution.mutation.set)",
                             ev->mutation_kind);
    m->n = ev->population;
    m->death_any = !ev->moran_death_others;
    m->exponential = strcmp(ev->fitness, "exponential") == 0;
    m->selection = ev->selection;
    m->accumulate_total = ev->accumulate_total;
    m->mutation = ev->mutation_rate;
    return DLM_OK;
}

/* Adds strategy text as a type unless a type has its label; *index gets the type. */
static dlm_status add_type(const dlm_scenario *sc, dlm_population_report *r, const char *text,
                           uint32_t *index, dlm_error *err)
{
    dlm_strategy_def def;
    uint32_t i;
    dlm_status st = dlm_strategy_parse(text, &sc->game, &def, err);
    if (st != DLM_OK)
        return st;
    for (i = 0; i < r->model.k; ++i)
        if (strcmp(r->labels[i], def.label) == 0) {
            *index = i;
            return DLM_OK;
        }
    if (r->model.k == DLM_POP_MAX_TYPES)
        return dlm_error_set(err, DLM_ERR_USAGE, "analyze.population: more than %d types",
                             DLM_POP_MAX_TYPES);
    snprintf(r->labels[r->model.k], sizeof r->labels[0], "%s", def.label);
    *index = r->model.k++;
    return DLM_OK;
}

/* The types: analyze.population.types, else the mutation set, else the initial
 * strategies; and the mutants' distribution (the set's draw, or uniform over the types). */
static dlm_status resolve_types(const dlm_scenario *sc, dlm_population_report *r,
                                dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    const dlm_population_analysis_spec *pa = &sc->population_analysis;
    uint32_t i, t, given;
    dlm_status st = DLM_OK;
    r->model.k = 0;
    for (i = 0; st == DLM_OK && i < pa->n_types; ++i)
        st = add_type(sc, r, pa->types[i].strategy, &t, err);
    for (i = 0; st == DLM_OK && !pa->n_types && i < ev->n_mutation_set; ++i)
        st = add_type(sc, r, ev->mutation_set[i].strategy, &t, err);
    if (st == DLM_OK && !pa->n_types && !ev->n_mutation_set) {
        if (strcmp(ev->initial, "shares") == 0)
            for (i = 0; st == DLM_OK && i < ev->n_shares; ++i)
                st = add_type(sc, r, ev->shares[i].strategy, &t, err);
        else if (strcmp(ev->initial, "mutant") == 0 &&
                 (st = add_type(sc, r, ev->resident, &t, err)) == DLM_OK)
            st = add_type(sc, r, ev->mutant, &t, err);
    }
    if (st != DLM_OK)
        return st;
    if (r->model.k < 2)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze.population: needs at least 2 types (found %u): give "
                             "analyze.population.types, an evolution.mutation.set, or initial "
                             "shares or a mutant", r->model.k);
    if (pa->payoff_matrix && pa->n_payoff != r->model.k)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze.population.payoff_matrix has %zu rows for %u types",
                             pa->n_payoff, r->model.k);
    given = r->model.k;
    if (ev->n_mutation_set) { /* the simulator draws a mutant uniformly from the set */
        for (i = 0; i < ev->n_mutation_set; ++i) {
            if ((st = add_type(sc, r, ev->mutation_set[i].strategy, &t, err)) != DLM_OK)
                return st;
            if (r->model.k > given)
                return dlm_error_set(err, DLM_ERR_USAGE,
                                     "analyze.population: the mutation set's '%s' is not one "
                                     "of the types", ev->mutation_set[i].strategy);
            r->model.mutant_weight[t] += 1.0 / (double)ev->n_mutation_set;
        }
    } else {
        for (i = 0; i < r->model.k; ++i)
            r->model.mutant_weight[i] = 1.0 / (double)r->model.k;
    }
    return DLM_OK;
}

/* The payoff matrix: given, or each memory-one pair's expected payoff per round. */
static dlm_status payoff_matrix(const dlm_scenario *sc, dlm_population_report *r,
                                dlm_error *err)
{
    uint32_t k = r->model.k, i, j;
    dlm_strategy_def *defs;
    dlm_player_params params = dlm_player_params_from_spec(&sc->match_defaults);
    dlm_match_rules rules = dlm_match_rules_from_scenario(sc);
    dlm_game g = sc->game;
    double pay[4];
    dlm_status st = DLM_OK;
    if (sc->institution.given) /* each act's expected fine or subsidy, folded in */
        dlm_institution_effective(&sc->institution, &sc->game, &g);
    pay[0] = g.R, pay[1] = g.S, pay[2] = g.T, pay[3] = g.P;
    if (!(r->payoff = calloc((size_t)k * k, sizeof *r->payoff)))
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for the payoff matrix");
    if (sc->population_analysis.payoff_matrix && sc->institution.given)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "institution: a referee's fines and subsidies fold into payoffs "
                             "computed from the types; analyze.population.payoff_matrix gives "
                             "the payoffs whole: drop one of the two");
    if (sc->population_analysis.payoff_matrix) {
        memcpy(r->payoff, sc->population_analysis.payoff_matrix, (size_t)k * k * sizeof *r->payoff);
        r->payoff_given = 1;
        return DLM_OK;
    }
    if (sc->asymmetric)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze.population: an asymmetric game has no single payoff "
                             "matrix among types; give analyze.population.payoff_matrix");
    if (sc->match_defaults.reaction_period > 1 || sc->match_defaults.observation_delay > 0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze.population: computing payoffs needs reaction period 1 and "
                             "observation delay 0 (as evolution.payoff: exact does); give "
                             "analyze.population.payoff_matrix otherwise");
    if (!(defs = calloc(k, sizeof *defs)))
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for the types");
    for (i = 0; i < k && st == DLM_OK; ++i) {
        st = dlm_strategy_parse(r->labels[i], &sc->game, &defs[i], err);
        if (st == DLM_OK && defs[i].model.kind != DLM_STRAT_MEMORY_ONE)
            st = dlm_error_set(err, DLM_ERR_USAGE,
                               "analyze.population: type '%s' is not memory-one: its expected "
                               "payoffs have no Markov chain here; give "
                               "analyze.population.payoff_matrix", r->labels[i]);
    }
    for (i = 0; i < k && st == DLM_OK; ++i)
        for (j = 0; j < k; ++j)
            r->payoff[i * k + j] = dlm_exact_match_payoff(&defs[i].model, &defs[j].model, &params,
                                                          &params, &rules, pay, (double *)0);
    free(defs);
    return st;
}

/* The simulator's bounds on fitness (host/plan/evolve_plan.c, plan_bounds). */
static dlm_status check_fitness(const dlm_pop_model *m, dlm_error *err)
{
    double lo = m->payoff[0], hi = m->payoff[0], scale = m->accumulate_total ? m->n - 1.0 : 1.0;
    uint32_t i;
    if (m->rule == DLM_POP_FERMI)
        return DLM_OK;
    for (i = 1; i < m->k * m->k; ++i) {
        lo = m->payoff[i] < lo ? m->payoff[i] : lo;
        hi = m->payoff[i] > hi ? m->payoff[i] : hi;
    }
    lo = lo < 0 || m->accumulate_total ? lo * scale : lo;
    hi = hi > 0 || m->accumulate_total ? hi * scale : hi;
    if (!m->exponential && 1.0 - m->selection + m->selection * lo < 0.0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.selection: the linear fitness 1 - w + w*payoff is "
                             "negative for payoff %g at w = %g; lower w, or use "
                             "evolution.fitness: exponential", lo, m->selection);
    if (m->exponential && !isfinite(exp(m->selection * hi)))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.selection: exp(w * payoff) overflows for w = %g and "
                             "payoffs up to %g", m->selection, hi);
    return DLM_OK;
}

/* The answers: fixation, the rare-mutation limit, the gradient (k = 2), the full chain. */
static dlm_status answers(const dlm_scenario *sc, dlm_population_report *r, dlm_error *err)
{
    const dlm_pop_model *m = &r->model;
    uint32_t k = m->k, n = m->n, j;
    dlm_status st;
    r->fixation = calloc((size_t)k * k, sizeof *r->fixation);
    r->transition = calloc((size_t)k * k, sizeof *r->transition);
    r->stationary_limit = calloc(k, sizeof *r->stationary_limit);
    if (k == 2) {
        r->t_plus = calloc((size_t)n + 1, sizeof *r->t_plus);
        r->t_minus = calloc((size_t)n + 1, sizeof *r->t_minus);
    }
    if (!r->fixation || !r->transition || !r->stationary_limit ||
        (k == 2 && (!r->t_plus || !r->t_minus)))
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for the answers");
    if ((st = dlm_pop_small_mutation(m, r->transition, r->stationary_limit, r->fixation, err)))
        return st;
    for (j = 0; k == 2 && j <= n; ++j) { /* j agents of type 1 among n - j of type 0 */
        uint32_t c[2] = {n - j, j};
        r->t_plus[j] = dlm_pop_transition(m, c, 0, 1);
        r->t_minus[j] = dlm_pop_transition(m, c, 1, 0);
    }
    if (m->mutation > 0.0 && sc->population_analysis.full_chain) {
        for (j = 0; j < k; ++j)
            if (!(m->mutant_weight[j] > 0.0))
                return dlm_error_set(err, DLM_ERR_USAGE,
                                     "analyze.population: the mutation set never gives '%s', so "
                                     "the chain with mutation has no unique stationary "
                                     "distribution; add it to evolution.mutation.set or set "
                                     "analyze.population.full_chain: false", r->labels[j]);
        if ((st = dlm_pop_chain_plan(m, sc->population_analysis.max_states, FULL_CHAIN_MAX_BYTES,
                                     &r->chain, err)))
            return st;
        if ((st = dlm_pop_chain_solve(m, &r->chain, err)))
            return st;
        r->has_chain = 1;
    }
    return DLM_OK;
}

dlm_status dlm_population_analyze(const dlm_scenario *sc, dlm_population_report *r,
                                  dlm_error *err)
{
    dlm_status st;
    memset(r, 0, sizeof *r);
    if (sc->evolution.donation || sc->evolution.group)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze.population: the exact population answers are for the "
                             "iterated 2x2 game (evolution.interaction: game), not %s",
                             sc->evolution.donation ? "the donation game" : "group games");
    if ((st = check_dynamics(sc, &r->model, err)) || (st = resolve_types(sc, r, err)) ||
        (st = payoff_matrix(sc, r, err)))
        return st;
    r->model.payoff = r->payoff;
    if ((st = check_fitness(&r->model, err)))
        return st;
    return answers(sc, r, err);
}

void dlm_population_report_free(dlm_population_report *r)
{
    free(r->payoff);
    free(r->fixation);
    free(r->transition);
    free(r->stationary_limit);
    free(r->t_plus);
    free(r->t_minus);
    dlm_pop_chain_free(&r->chain);
    memset(r, 0, sizeof *r);
}

dlm_status dlm_digest_population(dlm_digest *d, const dlm_population_report *r, dlm_error *err)
{
    char name[DLM_DIGEST_NAME];
    uint32_t k = r->model.k, i, j;
    dlm_status st = DLM_OK;
    for (i = 0; i < k && st == DLM_OK; ++i)
        for (j = 0; j < k && st == DLM_OK; ++j) {
            const dlm_pop_fixation *f = &r->fixation[i * k + j];
            if (i == j)
                continue;
            snprintf(name, sizeof name, "fixation:%.40s>%.40s", r->labels[j], r->labels[i]);
            st = dlm_digest_add(d, name, f->probability, 0, err);
            if (st == DLM_OK && isfinite(f->time_events)) {
                snprintf(name, sizeof name, "fixation_time:%.40s>%.40s", r->labels[j],
                         r->labels[i]);
                st = dlm_digest_add(d, name, f->time_events / r->model.n, 0, err);
            }
        }
    for (i = 0; i < k && st == DLM_OK; ++i) {
        snprintf(name, sizeof name, "stationary_limit:%.70s", r->labels[i]);
        st = dlm_digest_add(d, name, r->stationary_limit[i], 0, err);
        if (st == DLM_OK && r->has_chain) {
            snprintf(name, sizeof name, "abundance:%.70s", r->labels[i]);
            st = dlm_digest_add(d, name, r->chain.abundance[i], 0, err);
        }
    }
    return st;
}

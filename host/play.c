/* play.c — matches and tournaments: plan (compile strategies, parameters, jobs and
 * stream names), run on a backend, aggregate. Aggregation sums integers and then
 * evaluates one fixed expression per figure, so results do not depend on the backend
 * or the thread count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlm_match.h"
#include "play.h"

dlm_player_params dlm_player_params_from_spec(const dlm_player_spec *spec)
{
    dlm_player_params p;
    p.execution_error = dlm_probability_threshold(spec->execution_error);
    p.perception_error = dlm_probability_threshold(spec->perception_error);
    p.reaction_period = spec->reaction_period;
    p.observation_delay = spec->observation_delay;
    return p;
}

dlm_match_rules dlm_match_rules_from_scenario(const dlm_scenario *sc)
{
    dlm_match_rules r;
    r.rounds = sc->rounds;
    r.geometric = sc->geometric ? 1u : 0u;
    r.continuation = sc->geometric ? dlm_probability_threshold(sc->continuation) : 0u;
    return r;
}

/* Payoff totals of A and B from outcome counts (A's view): one fixed expression. */
static void totals(const dlm_game *g, const uint64_t o[4], double *ta, double *tb)
{
    dlm_game_payoffs(g, o, 1, ta, tb);
}

/* Appends a player's timescale to its label ("tft[k=10,d=2]") so that fast and slow
 * versions of one strategy are told apart in tables. */
static void decorate_label(dlm_strategy_def *def, const dlm_player_spec *spec)
{
    size_t len = strlen(def->label);
    if (spec->reaction_period == 1 && spec->observation_delay == 0)
        return;
    if (spec->observation_delay == 0)
        snprintf(def->label + len, sizeof def->label - len, "[k=%u]", spec->reaction_period);
    else if (spec->reaction_period == 1)
        snprintf(def->label + len, sizeof def->label - len, "[d=%u]", spec->observation_delay);
    else
        snprintf(def->label + len, sizeof def->label - len, "[k=%u,d=%u]",
                 spec->reaction_period, spec->observation_delay);
}

dlm_status dlm_play_scenario_match(const dlm_scenario *sc, const dlm_backend_ops *ops,
                                   dlm_backend *be, int want_trace, dlm_match_report *out,
                                   dlm_error *err)
{
    dlm_strategy strategies[2];
    dlm_match_job job;
    dlm_match_batch batch;
    uint64_t o[4];
    dlm_status st;
    int i;
    memset(out, 0, sizeof *out);
    for (i = 0; i < 2; ++i) {
        st = dlm_strategy_parse(sc->players[i].strategy, &sc->game, &out->defs[i], err);
        if (st != DLM_OK)
            return st;
        strategies[i] = out->defs[i].model;
        out->params[i] = dlm_player_params_from_spec(&sc->players[i]);
    }
    memset(&job, 0, sizeof job);
    job.strategy[1] = 1;
    job.params[1] = 1;
    batch.seed = sc->seed;
    batch.strategies = strategies;
    batch.n_strategies = 2;
    batch.params = out->params;
    batch.n_params = 2;
    batch.rules = dlm_match_rules_from_scenario(sc);
    batch.jobs = &job;
    batch.n_jobs = 1;
    st = ops->play_matches(be, &batch, &out->result, err);
    if (st != DLM_OK)
        return st;
    if (want_trace) {
        dlm_match_result again;
        out->trace = malloc(batch.rules.rounds ? batch.rules.rounds : 1);
        if (!out->trace)
            return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a %u-round trace",
                                 batch.rules.rounds);
        again = dlm_play_match(&strategies[0], &strategies[1], &out->params[0],
                               &out->params[1], &batch.rules, batch.seed,
                               dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 0, 0),
                               dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, 0, 0), 0, out->trace);
        if (memcmp(&again, &out->result, sizeof again) != 0)
            return dlm_error_set(err, DLM_ERR_RUNTIME,
                                 "backend %s disagrees with the CPU model on this match",
                                 ops->name);
    }
    for (i = 0; i < 4; ++i)
        o[i] = out->result.outcome[i];
    totals(&sc->game, o, &out->total[0], &out->total[1]);
    for (i = 0; i < 2; ++i) {
        double n = out->result.rounds ? (double)out->result.rounds : 1.0;
        uint64_t coop = i == 0 ? o[0] + o[1] : o[0] + o[2];
        out->mean[i] = out->total[i] / n;
        out->cooperation[i] = (double)coop / n;
    }
    return DLM_OK;
}

/* Sort key for the ranking: higher mean payoff, then more wins, then entry order. */
static const dlm_tournament_report *rank_report;
static int rank_cmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const dlm_tournament_report *r = rank_report;
    if (r->mean_payoff[a] != r->mean_payoff[b])
        return r->mean_payoff[a] > r->mean_payoff[b] ? -1 : 1;
    if (r->wins[a] != r->wins[b])
        return r->wins[a] > r->wins[b] ? -1 : 1;
    return a < b ? -1 : (a > b);
}

dlm_status dlm_play_scenario_tournament(const dlm_scenario *sc, const dlm_backend_ops *ops,
                                        dlm_backend *be, dlm_tournament_report *out,
                                        dlm_error *err)
{
    size_t n = sc->n_entrants, i, j, k, n_jobs = 0;
    dlm_strategy *strategies = NULL;
    dlm_player_params *params = NULL;
    dlm_match_job *jobs = NULL;
    dlm_match_result *results = NULL;
    uint64_t *pair_outcomes = NULL, *pair_rounds = NULL, *coop = NULL, *rounds_played = NULL;
    dlm_match_batch batch;
    dlm_status st = DLM_OK;

    memset(out, 0, sizeof *out);
    if (n < 2)
        return dlm_error_set(err, DLM_ERR_USAGE, "a tournament needs at least 2 strategies");
    if (n > 65536)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "a tournament of %zu strategies has more pairs than a stream "
                             "window index holds (at most 65536 strategies)", n);
    out->n = n;
    out->defs = calloc(n, sizeof *out->defs);
    out->matrix = calloc(n * n, sizeof *out->matrix);
    out->mean_payoff = calloc(n, sizeof *out->mean_payoff);
    out->wins = calloc(n, sizeof *out->wins);
    out->matches = calloc(n, sizeof *out->matches);
    out->cooperation = calloc(n, sizeof *out->cooperation);
    out->rank = calloc(n, sizeof *out->rank);
    strategies = calloc(n, sizeof *strategies);
    params = calloc(n, sizeof *params);
    n_jobs = (n * (n - 1) / 2 + (sc->self_play ? n : 0)) * sc->repetitions;
    jobs = calloc(n_jobs, sizeof *jobs);
    results = calloc(n_jobs, sizeof *results);
    pair_outcomes = calloc(n * n * 4, sizeof *pair_outcomes);
    pair_rounds = calloc(n * n, sizeof *pair_rounds);
    coop = calloc(n, sizeof *coop);
    rounds_played = calloc(n, sizeof *rounds_played);
    if (!out->defs || !out->matrix || !out->mean_payoff || !out->wins || !out->matches ||
        !out->cooperation || !out->rank || !strategies || !params || !jobs || !results ||
        !pair_outcomes || !pair_rounds || !coop || !rounds_played) {
        st = dlm_error_set(err, DLM_ERR_RUNTIME,
                           "out of memory planning a tournament of %zu strategies", n);
        goto done;
    }
    for (i = 0; i < n; ++i) {
        st = dlm_strategy_parse(sc->entrants[i].strategy, &sc->game, &out->defs[i], err);
        if (st != DLM_OK)
            goto done;
        strategies[i] = out->defs[i].model;
        params[i] = dlm_player_params_from_spec(&sc->entrants[i]);
        decorate_label(&out->defs[i], &sc->entrants[i]);
    }
    /* Jobs: every pair i <= j (i == j with self-play), every repetition. The pair's
       window is i * n + j; the repetition is the stream's generation. */
    k = 0;
    for (i = 0; i < n; ++i)
        for (j = i; j < n; ++j) {
            uint32_t r;
            if (i == j && !sc->self_play)
                continue;
            for (r = 0; r < sc->repetitions; ++r, ++k) {
                jobs[k].strategy[0] = jobs[k].params[0] = (uint32_t)i;
                jobs[k].strategy[1] = jobs[k].params[1] = (uint32_t)j;
                jobs[k].population = 0;
                jobs[k].index = (uint32_t)(i * n + j);
                jobs[k].generation = r;
            }
        }
    batch.seed = sc->seed;
    batch.strategies = strategies;
    batch.n_strategies = n;
    batch.params = params;
    batch.n_params = n;
    batch.rules = dlm_match_rules_from_scenario(sc);
    batch.jobs = jobs;
    batch.n_jobs = n_jobs;
    st = ops->play_matches(be, &batch, results, err);
    if (st != DLM_OK)
        goto done;

    for (k = 0; k < n_jobs; ++k) {
        size_t a = jobs[k].strategy[0], b = jobs[k].strategy[1];
        const dlm_match_result *m = &results[k];
        uint64_t o[4];
        double ta, tb;
        int q;
        for (q = 0; q < 4; ++q)
            o[q] = m->outcome[q];
        /* Row a sees the outcomes as they are; row b sees them with the roles swapped. */
        pair_outcomes[(a * n + b) * 4 + 0] += o[0];
        pair_outcomes[(a * n + b) * 4 + 1] += o[1];
        pair_outcomes[(a * n + b) * 4 + 2] += o[2];
        pair_outcomes[(a * n + b) * 4 + 3] += o[3];
        pair_rounds[a * n + b] += m->rounds;
        out->total_rounds += m->rounds;
        out->total_matches += 1;
        if (a != b) {
            pair_outcomes[(b * n + a) * 4 + 0] += o[0];
            pair_outcomes[(b * n + a) * 4 + 1] += o[2];
            pair_outcomes[(b * n + a) * 4 + 2] += o[1];
            pair_outcomes[(b * n + a) * 4 + 3] += o[3];
            pair_rounds[b * n + a] += m->rounds;
            totals(&sc->game, o, &ta, &tb);
            out->wins[a] += ta > tb;
            out->wins[b] += tb > ta;
            out->matches[a] += 1;
            out->matches[b] += 1;
            coop[a] += o[0] + o[1];
            coop[b] += o[0] + o[2];
            rounds_played[a] += m->rounds;
            rounds_played[b] += m->rounds;
        } else {
            out->matches[a] += 1;
            coop[a] += 2 * o[0] + o[1] + o[2];
            rounds_played[a] += 2 * (uint64_t)m->rounds;
        }
    }
    for (i = 0; i < n; ++i) {
        size_t opponents = 0;
        double sum = 0.0;
        for (j = 0; j < n; ++j) {
            const uint64_t *o = &pair_outcomes[(i * n + j) * 4];
            double ta, tb, rounds = (double)pair_rounds[i * n + j];
            if (i == j && !sc->self_play)
                continue;
            totals(&sc->game, o, &ta, &tb);
            /* Self-play: both seats are i, so its payoff is the mean of the two. */
            out->matrix[i * n + j] = (i == j ? (ta + tb) / 2.0 : ta) / (rounds > 0 ? rounds : 1.0);
            sum += out->matrix[i * n + j];
            ++opponents;
        }
        out->mean_payoff[i] = opponents ? sum / (double)opponents : 0.0;
        out->cooperation[i] = rounds_played[i] ? (double)coop[i] / (double)rounds_played[i] : 0.0;
        out->rank[i] = i;
    }
    rank_report = out;
    qsort(out->rank, n, sizeof *out->rank, rank_cmp);
    rank_report = NULL;
done:
    free(strategies);
    free(params);
    free(jobs);
    free(results);
    free(pair_outcomes);
    free(pair_rounds);
    free(coop);
    free(rounds_played);
    if (st != DLM_OK)
        dlm_tournament_report_free(out);
    return st;
}

void dlm_match_report_free(dlm_match_report *r)
{
    free(r->trace);
    r->trace = NULL;
}

void dlm_tournament_report_free(dlm_tournament_report *r)
{
    free(r->defs);
    free(r->matrix);
    free(r->mean_payoff);
    free(r->wins);
    free(r->matches);
    free(r->cooperation);
    free(r->rank);
    memset(r, 0, sizeof *r);
}

/* play.c — matches and tournaments: plan (compile strategies, parameters, jobs and
 * stream names), run on a backend, aggregate. Aggregation sums integers and then
 * evaluates one fixed expression per figure, so results do not depend on the backend
 * or the thread count. */
#define _POSIX_C_SOURCE 200809L /* sysconf */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlm_match.h"
#include "core/text.h"
#include "run/play.h"

/* Payoff totals of A and B from outcome counts (A's view), each by its own matrix (the
 * one game when symmetric): one fixed expression. */
static void totals(const dlm_scenario *sc, const uint64_t o[4], double *ta, double *tb)
{
    dlm_bimatrix_payoffs(dlm_scenario_game(sc, 0), dlm_scenario_game(sc, 1), o, 1, ta, tb);
}

void dlm_mean_se(const double *x, size_t n, size_t stride, double *mean, double *se)
{
    /* The spread by shifted data (around x[0]), so that equal values give exactly 0. */
    double sum = 0.0, d1 = 0.0, d2 = 0.0, var;
    size_t i;
    for (i = 0; i < n; ++i) {
        double d = x[i * stride] - x[0];
        sum += x[i * stride];
        d1 += d;
        d2 += d * d;
    }
    *mean = n ? sum / (double)n : 0.0;
    if (n < 2) {
        *se = NAN;
        return;
    }
    var = (d2 - d1 * d1 / (double)n) / (double)(n - 1);
    *se = var > 0.0 ? sqrt(var / (double)n) : 0.0;
}

/* Appends ",key=value" (or "[key=value" for the first) to label when value differs from
 * the run's. */
static void label_double(char *label, int *first, const char *key, double value, double run)
{
    char num[DLM_DOUBLE_TEXT];
    size_t len = strlen(label);
    if (value == run)
        return;
    snprintf(label + len, DLM_LABEL_MAX - len, "%s%s=%s", *first ? "[" : ",", key,
             dlm_format_double(num, value));
    *first = 0;
}

static void label_uint(char *label, int *first, const char *key, uint32_t value, uint32_t run)
{
    size_t len = strlen(label);
    if (value == run)
        return;
    snprintf(label + len, DLM_LABEL_MAX - len, "%s%s=%u", *first ? "[" : ",", key, value);
    *first = 0;
}

void dlm_entrant_labels(const dlm_scenario *sc, const dlm_strategy_def *defs,
                        char (*labels)[DLM_LABEL_MAX])
{
    const dlm_player_spec *run = &sc->match_defaults;
    size_t n = sc->n_entrants, i, j;
    for (i = 0; i < n; ++i) {
        const dlm_player_spec *p = &sc->entrants[i];
        int first = 1;
        snprintf(labels[i], DLM_LABEL_MAX, "%s", defs[i].label);
        label_double(labels[i], &first, "e", p->execution_error, run->execution_error);
        label_double(labels[i], &first, "p", p->perception_error, run->perception_error);
        label_uint(labels[i], &first, "k", p->reaction_period, run->reaction_period);
        label_uint(labels[i], &first, "d", p->observation_delay, run->observation_delay);
        if (!first)
            strcat(labels[i], "]");
    }
    /* Identical entrants: the second is "#2", the third "#3", ... */
    for (i = 1; i < n; ++i) {
        unsigned copy = 1;
        for (j = 0; j < i; ++j)
            if (strncmp(labels[j], labels[i], strlen(labels[i])) == 0 &&
                (labels[j][strlen(labels[i])] == '\0' || labels[j][strlen(labels[i])] == '#'))
                ++copy;
        if (copy > 1) {
            size_t len = strlen(labels[i]);
            snprintf(labels[i] + len, DLM_LABEL_MAX - len, "#%u", copy);
        }
    }
}

/* Physical memory here in bytes, 0 when unknown. */
static uint64_t physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
}

/* A match's players (their strategies for their own matrices, their parameters) into out
 * and strategies, and its memory checked. */
static dlm_status match_prepare(const dlm_scenario *sc, uint32_t repetitions, int want_trace,
                                dlm_match_report *out, dlm_strategy strategies[2],
                                dlm_error *err)
{
    dlm_status st;
    int i;
    /* Memory, planned: per repetition its job, result and figures; the trace a byte a round. */
    double bytes = (double)repetitions * (double)(sizeof(dlm_match_job) +
                                                  sizeof(dlm_match_result) + 7 * sizeof(double)) +
                   (want_trace ? (double)sc->rounds : 0.0);
    uint64_t have = physical_memory();
    memset(out, 0, sizeof *out);
    if (repetitions < 1)
        return dlm_error_set(err, DLM_ERR_USAGE, "a match needs at least 1 repetition");
    for (i = 0; i < 2; ++i) {
        /* Each player's strategy for its own matrix (gtft's q, zd's vector). */
        st = dlm_strategy_parse(sc->players[i].strategy, dlm_scenario_game(sc, i),
                                &out->defs[i], err);
        if (st != DLM_OK)
            return st;
        strategies[i] = out->defs[i].model;
        out->params[i] = dlm_player_params_from_spec(&sc->players[i]);
    }
    if (have && bytes > (double)have)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "%u repetitions of a %u-round match%s need about %.1f MiB, but "
                             "this machine has %.1f MiB of memory", repetitions, sc->rounds,
                             want_trace ? " with its trace" : "", bytes / 1048576.0,
                             have / 1048576.0);
    out->repetitions = repetitions;
    return DLM_OK;
}

/* Repetition r of a match: streams of generation r, window 0 (repetition 0 is the one
 * match); its players at strategies and parameters `at`, at + 1. */
static void match_jobs(dlm_match_job *jobs, uint32_t repetitions, uint32_t at)
{
    uint32_t r;
    for (r = 0; r < repetitions; ++r) {
        memset(&jobs[r], 0, sizeof jobs[r]);
        jobs[r].strategy[0] = jobs[r].params[0] = at;
        jobs[r].strategy[1] = jobs[r].params[1] = at + 1;
        jobs[r].generation = r;
    }
}

/* The match's figures from its repetitions' results: means and standard errors. */
static dlm_status match_figures(const dlm_scenario *sc, const dlm_match_result *results,
                                dlm_match_report *out, dlm_error *err)
{
    uint32_t r, repetitions = out->repetitions;
    double *per = calloc((size_t)repetitions * 7, sizeof *per), se;
    int i;
    /* per repetition: rounds, total A, B, mean A, B, cooperation A, B */
    if (!per)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for %u repetitions of a "
                             "match", repetitions);
    out->result = results[0];
    for (r = 0; r < repetitions; ++r) {
        const dlm_match_result *m = &results[r];
        double *x = &per[(size_t)r * 7], n = m->rounds ? (double)m->rounds : 1.0;
        uint64_t o[4];
        for (i = 0; i < 4; ++i) {
            o[i] = m->outcome[i];
            out->outcome[i] += o[i];
        }
        x[0] = (double)m->rounds;
        totals(sc, o, &x[1], &x[2]);
        x[3] = x[1] / n;
        x[4] = x[2] / n;
        x[5] = (double)(o[0] + o[1]) / n;
        x[6] = (double)(o[0] + o[2]) / n;
    }
    dlm_mean_se(per, repetitions, 7, &out->rounds, &se);
    for (i = 0; i < 2; ++i) {
        dlm_mean_se(per + 1 + i, repetitions, 7, &out->total[i], &out->total_se[i]);
        dlm_mean_se(per + 3 + i, repetitions, 7, &out->mean[i], &out->mean_se[i]);
        dlm_mean_se(per + 5 + i, repetitions, 7, &out->cooperation[i], &out->cooperation_se[i]);
    }
    free(per);
    return DLM_OK;
}

/* The CPU model's trace of repetition 0, checked against what the backend played. */
static dlm_status match_trace(const dlm_strategy strategies[2], const dlm_match_batch *batch,
                              const char *backend, dlm_match_report *out, dlm_error *err)
{
    dlm_match_result again;
    out->trace = malloc(batch->rules.rounds ? batch->rules.rounds : 1);
    if (!out->trace)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a %u-round trace",
                             batch->rules.rounds);
    again = dlm_play_match(&strategies[0], &strategies[1], &out->params[0], &out->params[1],
                           &batch->rules, batch->seed, dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 0, 0),
                           dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, 0, 0), 0, out->trace);
    if (memcmp(&again, &out->result, sizeof again) != 0)
        return dlm_error_set(err, DLM_ERR_RUNTIME,
                             "backend %s disagrees with the CPU model on this match", backend);
    return DLM_OK;
}

dlm_status dlm_play_scenario_match(const dlm_scenario *sc, const dlm_backend_ops *ops,
                                   dlm_backend *be, uint32_t repetitions, int want_trace,
                                   dlm_match_report *out, dlm_error *err)
{
    dlm_strategy strategies[2];
    dlm_match_job *jobs = NULL;
    dlm_match_result *results = NULL;
    dlm_match_batch batch;
    dlm_status st = match_prepare(sc, repetitions, want_trace, out, strategies, err);
    if (st != DLM_OK)
        return st;
    jobs = calloc(repetitions, sizeof *jobs);
    results = calloc(repetitions, sizeof *results);
    if (!jobs || !results) {
        st = dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory planning %u repetitions of a "
                           "match", repetitions);
        goto done;
    }
    match_jobs(jobs, repetitions, 0);
    batch.seed = sc->seed;
    batch.strategies = strategies;
    batch.n_strategies = 2;
    batch.params = out->params;
    batch.n_params = 2;
    batch.rules = dlm_match_rules_from_scenario(sc);
    batch.jobs = jobs;
    batch.n_jobs = repetitions;
    st = ops->play_matches(be, &batch, results, err);
    if (st == DLM_OK)
        st = match_figures(sc, results, out, err);
    if (st == DLM_OK && want_trace)
        st = match_trace(strategies, &batch, ops->name, out, err);
done:
    free(jobs);
    free(results);
    if (st != DLM_OK)
        dlm_match_report_free(out);
    return st;
}

/* Whether two matches can be played in one batch: the same seed and rules. */
static int match_same_batch(const dlm_scenario *a, const dlm_scenario *b)
{
    dlm_match_rules x = dlm_match_rules_from_scenario(a), y = dlm_match_rules_from_scenario(b);
    return a->seed == b->seed && x.continuation == y.continuation && x.rounds == y.rounds &&
           x.geometric == y.geometric;
}

/* Plays group `g` (the matches j with group[j] == g) in one batch. */
static dlm_status matches_group(const dlm_scenario *const *scs, const uint32_t *reps, size_t k,
                                const size_t *group, size_t g, const dlm_backend_ops *ops,
                                dlm_backend *be, dlm_match_report *outs,
                                const dlm_strategy *strategies, dlm_error *err)
{
    size_t j, m = 0, n_jobs = 0, first = k;
    dlm_strategy *st_g = NULL;
    dlm_player_params *pa_g = NULL;
    dlm_match_job *jobs = NULL;
    dlm_match_result *results = NULL;
    dlm_match_batch batch;
    dlm_status st = DLM_OK;
    for (j = 0; j < k; ++j)
        if (group[j] == g) {
            first = first < k ? first : j;
            m++;
            n_jobs += reps[j];
        }
    st_g = calloc(2 * m, sizeof *st_g);
    pa_g = calloc(2 * m, sizeof *pa_g);
    jobs = calloc(n_jobs, sizeof *jobs);
    results = calloc(n_jobs, sizeof *results);
    if (!st_g || !pa_g || !jobs || !results) {
        st = dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a batch of matches");
        goto done;
    }
    for (j = 0, m = 0, n_jobs = 0; j < k; ++j)
        if (group[j] == g) {
            memcpy(&st_g[2 * m], &strategies[2 * j], 2 * sizeof *st_g);
            memcpy(&pa_g[2 * m], outs[j].params, 2 * sizeof *pa_g);
            match_jobs(jobs + n_jobs, reps[j], (uint32_t)(2 * m));
            n_jobs += reps[j];
            m++;
        }
    batch.seed = scs[first]->seed;
    batch.strategies = st_g;
    batch.n_strategies = 2 * m;
    batch.params = pa_g;
    batch.n_params = 2 * m;
    batch.rules = dlm_match_rules_from_scenario(scs[first]);
    batch.jobs = jobs;
    batch.n_jobs = n_jobs;
    st = ops->play_matches(be, &batch, results, err);
    for (j = 0, n_jobs = 0; j < k && st == DLM_OK; ++j)
        if (group[j] == g) {
            st = match_figures(scs[j], results + n_jobs, &outs[j], err);
            n_jobs += reps[j];
        }
done:
    free(st_g);
    free(pa_g);
    free(jobs);
    free(results);
    return st;
}

dlm_status dlm_play_scenario_matches(const dlm_scenario *const *scs, const uint32_t *reps,
                                     size_t k, const dlm_backend_ops *ops, dlm_backend *be,
                                     dlm_match_report *outs, dlm_error *err)
{
    dlm_strategy *strategies = calloc(2 * (k ? k : 1), sizeof *strategies);
    size_t *group = malloc((k ? k : 1) * sizeof *group), j, i, groups = 0;
    dlm_status st = DLM_OK;
    memset(outs, 0, k * sizeof *outs);
    if (!strategies || !group)
        st = dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a batch of matches");
    for (j = 0; j < k && st == DLM_OK; ++j) {
        st = match_prepare(scs[j], reps[j], 0, &outs[j], &strategies[2 * j], err);
        for (i = 0; i < j && st == DLM_OK && !match_same_batch(scs[i], scs[j]); ++i)
            ;
        group[j] = i < j ? group[i] : groups++;
    }
    for (i = 0; i < groups && st == DLM_OK; ++i)
        st = matches_group(scs, reps, k, group, i, ops, be, outs, strategies, err);
    if (st != DLM_OK)
        for (j = 0; j < k; ++j)
            dlm_match_report_free(&outs[j]);
    free(strategies);
    free(group);
    return st;
}

/* A matrix cell's spread over the repetitions, by shifted data (around its first
 * repetition's value, so that equal values give exactly 0). */
static void cell_add(double *k, double *d1, double *d2, size_t c, int first, double x)
{
    double d;
    if (first)
        k[c] = x;
    d = x - k[c];
    d1[c] += d;
    d2[c] += d * d;
}

static double cell_se(double d1, double d2, size_t n)
{
    double var;
    if (n < 2)
        return NAN;
    var = (d2 - d1 * d1 / (double)n) / (double)(n - 1);
    return var > 0.0 ? sqrt(var / (double)n) : 0.0;
}

/* Sort key for the ranking: higher mean payoff, then more wins, then entry order. */
static _Thread_local const dlm_tournament_report *rank_report;
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

/* The host memory a tournament of n entrants and reps repetitions needs, planned before
 * anything is allocated: per cell of the n x n matrix (means, standard errors, outcome
 * counts, running sums), per match (its job and result), per entrant and repetition, per
 * entrant. Refused with the numbers when the machine has less. */
static dlm_status tournament_fits(size_t n, size_t reps, int self_play, int asymmetric,
                                  dlm_error *err)
{
    double cells = (double)n * (double)n;
    double pairs = (double)n * ((double)n - 1.0) / (asymmetric ? 1.0 : 2.0);
    double matches = (pairs + (self_play ? (double)n : 0.0)) * (double)reps;
    double bytes = cells * (6.0 * sizeof(double) + (asymmetric ? 9.0 : 5.0) * sizeof(uint64_t)) +
                   matches * (double)(sizeof(dlm_match_job) + sizeof(dlm_match_result)) +
                   (double)n * (double)reps * (3.0 * sizeof(double) + 3.0 * sizeof(uint64_t)) +
                   (double)n * (double)(sizeof(dlm_strategy_def) + 2.0 * sizeof(dlm_strategy) +
                                        sizeof(dlm_player_params) + 256.0);
    uint64_t have = physical_memory();
    if (matches > 1.8e19 || (have && bytes > (double)have))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "a tournament of %zu strategies and %zu repetitions plays %.0f "
                             "matches and needs about %.1f MiB, but this machine has %.1f MiB "
                             "of memory: fewer strategies or tournament.repetitions", n, reps,
                             matches, bytes / 1048576.0, have / 1048576.0);
    return DLM_OK;
}

/* A tournament's working arrays while its matches are tallied. */
typedef struct tally {
    size_t n, reps, n_jobs;
    dlm_strategy *strategies;
    dlm_player_params *params;
    dlm_match_job *jobs;
    dlm_match_result *results;
    uint64_t *pair_outcomes, *pair_rounds; /* per cell: outcome counts (row's view), rounds */
    uint64_t *pair_outcomes_b;             /* asymmetric: per cell, those of the row as B */
    int asymmetric;                        /* each pair plays twice, each entrant once as A */
    uint64_t *coop, *rounds_played;        /* per entrant */
    uint64_t *rep_coop, *rep_rounds;       /* per repetition and entrant */
    double *cell_k, *cell_d1, *cell_d2;    /* per cell: running spread over repetitions */
} tally;

static void tally_free(tally *t)
{
    free(t->strategies);
    free(t->params);
    free(t->jobs);
    free(t->results);
    free(t->pair_outcomes);
    free(t->pair_outcomes_b);
    free(t->pair_rounds);
    free(t->coop);
    free(t->rounds_played);
    free(t->rep_coop);
    free(t->rep_rounds);
    free(t->cell_k);
    free(t->cell_d1);
    free(t->cell_d2);
}

/* Allocates the report's arrays and the tally's; 0 when memory ran out. */
static int tournament_alloc(dlm_tournament_report *out, tally *t, int self_play)
{
    size_t n = t->n, reps = t->reps;
    out->n = n;
    out->repetitions = (uint32_t)reps;
    out->defs = calloc(n, sizeof *out->defs);
    out->labels = calloc(n, sizeof *out->labels);
    out->matrix = calloc(n * n, sizeof *out->matrix);
    out->matrix_se = calloc(n * n, sizeof *out->matrix_se);
    out->mean_payoff = calloc(n, sizeof *out->mean_payoff);
    out->mean_payoff_se = calloc(n, sizeof *out->mean_payoff_se);
    out->wins = calloc(n, sizeof *out->wins);
    out->matches = calloc(n, sizeof *out->matches);
    out->cooperation = calloc(n, sizeof *out->cooperation);
    out->rank = calloc(n, sizeof *out->rank);
    out->rep_payoff = calloc(n * reps, sizeof *out->rep_payoff);
    out->rep_wins = calloc(n * reps, sizeof *out->rep_wins);
    out->rep_cooperation = calloc(n * reps, sizeof *out->rep_cooperation);
    t->strategies = calloc(2 * n, sizeof *t->strategies); /* as A, then as B */
    t->params = calloc(n, sizeof *t->params);
    t->n_jobs = (n * (n - 1) / (t->asymmetric ? 1 : 2) + (self_play ? n : 0)) * reps;
    t->jobs = calloc(t->n_jobs, sizeof *t->jobs);
    t->results = calloc(t->n_jobs, sizeof *t->results);
    t->pair_outcomes = calloc(n * n * 4, sizeof *t->pair_outcomes);
    t->pair_rounds = calloc(n * n, sizeof *t->pair_rounds);
    t->pair_outcomes_b = calloc(t->asymmetric ? n * n * 4 : 1, sizeof *t->pair_outcomes_b);
    t->coop = calloc(n, sizeof *t->coop);
    t->rounds_played = calloc(n, sizeof *t->rounds_played);
    t->rep_coop = calloc(n * reps, sizeof *t->rep_coop);
    t->rep_rounds = calloc(n * reps, sizeof *t->rep_rounds);
    t->cell_k = calloc(n * n, sizeof *t->cell_k);
    t->cell_d1 = calloc(n * n, sizeof *t->cell_d1);
    t->cell_d2 = calloc(n * n, sizeof *t->cell_d2);
    return out->defs && out->labels && out->matrix && out->matrix_se && out->mean_payoff &&
           out->mean_payoff_se && out->wins && out->matches && out->cooperation && out->rank &&
           out->rep_payoff && out->rep_wins && out->rep_cooperation && t->strategies &&
           t->params && t->jobs && t->results && t->pair_outcomes && t->pair_rounds &&
           t->pair_outcomes_b &&
           t->coop && t->rounds_played && t->rep_coop && t->rep_rounds && t->cell_k &&
           t->cell_d1 && t->cell_d2;
}

/* One job: entrant a as player A against entrant b as B in repetition r, in the window
 * a * n + b. Asymmetric games compile each entrant twice, for its role's own matrix: as A
 * at a, as B at n + b. */
static void tournament_job(tally *t, size_t k, size_t a, size_t b, uint32_t r)
{
    t->jobs[k].strategy[0] = t->jobs[k].params[0] = (uint32_t)a;
    t->jobs[k].strategy[1] = (uint32_t)(t->asymmetric ? t->n + b : b);
    t->jobs[k].params[1] = (uint32_t)b;
    t->jobs[k].population = 0;
    t->jobs[k].index = (uint32_t)(a * t->n + b);
    t->jobs[k].generation = r;
}

/* Jobs: every pair i <= j (i == j with self-play), every repetition. The pair's window is
 * i * n + j; the repetition is the stream's generation. In an asymmetric game a pair
 * i < j plays twice in each repetition, i as A (window i * n + j), then j as A (window
 * j * n + i): jobs k and k + 1. */
static void tournament_jobs(const dlm_scenario *sc, tally *t)
{
    size_t n = t->n, i, j, k = 0;
    for (i = 0; i < n; ++i)
        for (j = i; j < n; ++j) {
            uint32_t r;
            if (i == j && !sc->self_play)
                continue;
            for (r = 0; r < sc->repetitions; ++r, ++k) {
                tournament_job(t, k, i, j, r);
                if (t->asymmetric && i != j)
                    tournament_job(t, ++k, j, i, r);
            }
        }
}

/* Tallies the counts of match k between entrants a (as A) and b != a (as B) of
 * repetition r: outcome counts per cell (b's with the roles swapped; in an asymmetric game
 * into b's cells as B), rounds, wins, matches, cooperation. Returns each one's payoff per
 * round by its own matrix. */
static void tally_counts(const dlm_scenario *sc, tally *t, dlm_tournament_report *out, size_t k,
                         double *xa, double *xb)
{
    size_t n = t->n, a = t->jobs[k].params[0], b = t->jobs[k].params[1];
    size_t r = t->jobs[k].generation;
    const dlm_match_result *m = &t->results[k];
    uint64_t o[4], *ab = &t->pair_outcomes[(a * n + b) * 4];
    uint64_t *ba = t->asymmetric ? &t->pair_outcomes_b[(b * n + a) * 4]
                                 : &t->pair_outcomes[(b * n + a) * 4];
    double ta, tb, rounds = m->rounds ? (double)m->rounds : 1.0;
    int q;
    for (q = 0; q < 4; ++q)
        o[q] = m->outcome[q];
    totals(sc, o, &ta, &tb);
    for (q = 0; q < 4; ++q)
        ab[q] += o[q];
    t->pair_rounds[a * n + b] += m->rounds;
    out->total_rounds += m->rounds;
    out->total_matches += 1;
    ba[0] += o[0];
    ba[1] += o[2];
    ba[2] += o[1];
    ba[3] += o[3];
    t->pair_rounds[b * n + a] += m->rounds;
    out->wins[a] += ta > tb;
    out->wins[b] += tb > ta;
    out->rep_wins[r * n + a] += ta > tb;
    out->rep_wins[r * n + b] += tb > ta;
    out->matches[a] += 1;
    out->matches[b] += 1;
    t->coop[a] += o[0] + o[1];
    t->coop[b] += o[0] + o[2];
    t->rounds_played[a] += m->rounds;
    t->rounds_played[b] += m->rounds;
    t->rep_coop[r * n + a] += o[0] + o[1];
    t->rep_coop[r * n + b] += o[0] + o[2];
    t->rep_rounds[r * n + a] += m->rounds;
    t->rep_rounds[r * n + b] += m->rounds;
    *xa = ta / rounds;
    *xb = tb / rounds;
}

/* Tallies match k: totals, per-repetition figures and each cell's spread over the
 * repetitions. Row a sees the outcomes as they are; row b with the roles swapped. In an
 * asymmetric game jobs k and k + 1 are one pair's two matches (each entrant once as A):
 * a cell's figure in the repetition is the mean of its two roles', and this returns the
 * number of jobs it tallied. */
static size_t tally_match(const dlm_scenario *sc, tally *t, dlm_tournament_report *out, size_t k)
{
    size_t n = t->n, a = t->jobs[k].params[0], b = t->jobs[k].params[1];
    size_t r = t->jobs[k].generation;
    const dlm_match_result *m = &t->results[k];
    double xa, xb;
    if (a == b) {
        uint64_t o[4], *ab = &t->pair_outcomes[(a * n + b) * 4];
        double ta, tb, rounds = m->rounds ? (double)m->rounds : 1.0;
        int q;
        for (q = 0; q < 4; ++q)
            o[q] = m->outcome[q];
        totals(sc, o, &ta, &tb);
        for (q = 0; q < 4; ++q)
            ab[q] += o[q];
        t->pair_rounds[a * n + b] += m->rounds;
        out->total_rounds += m->rounds;
        out->total_matches += 1;
        out->matches[a] += 1;
        t->coop[a] += 2 * o[0] + o[1] + o[2];
        t->rounds_played[a] += 2 * (uint64_t)m->rounds;
        t->rep_coop[r * n + a] += 2 * o[0] + o[1] + o[2];
        t->rep_rounds[r * n + a] += 2 * (uint64_t)m->rounds;
        cell_add(t->cell_k, t->cell_d1, t->cell_d2, a * n + a, r == 0, (ta + tb) / 2.0 / rounds);
        out->rep_payoff[r * n + a] += (ta + tb) / 2.0 / rounds;
        return 1;
    }
    tally_counts(sc, t, out, k, &xa, &xb);
    if (t->asymmetric) { /* job k + 1: b as A against a as B */
        double ya, yb;
        tally_counts(sc, t, out, k + 1, &ya, &yb);
        xa = (xa + yb) / 2.0; /* a's payoff per round against b, as A and as B */
        xb = (xb + ya) / 2.0;
    }
    cell_add(t->cell_k, t->cell_d1, t->cell_d2, a * n + b, r == 0, xa);
    cell_add(t->cell_k, t->cell_d1, t->cell_d2, b * n + a, r == 0, xb);
    out->rep_payoff[r * n + a] += xa;
    out->rep_payoff[r * n + b] += xb;
    return t->asymmetric ? 2 : 1;
}

/* Entrant i's row of the matrix, its means and their standard errors. */
static void tally_entrant(const dlm_scenario *sc, const tally *t, dlm_tournament_report *out,
                          size_t i)
{
    size_t n = t->n, reps = t->reps, opponents = 0, j, r;
    double sum = 0.0, ignored;
    for (j = 0; j < n; ++j) {
        const uint64_t *o = &t->pair_outcomes[(i * n + j) * 4];
        double ta, tb, rounds = (double)t->pair_rounds[i * n + j];
        if (i == j && !sc->self_play) {
            out->matrix_se[i * n + j] = NAN;
            continue;
        }
        totals(sc, o, &ta, &tb);
        if (t->asymmetric && i != j) { /* and i's payoff as B, by B's matrix, from its view */
            double tab;
            dlm_bimatrix_payoffs(&sc->game_b, &sc->game_b, &t->pair_outcomes_b[(i * n + j) * 4],
                                 1, &tab, NULL);
            ta += tab;
        }
        /* Self-play: both seats are i, so its payoff is the mean of the two. */
        out->matrix[i * n + j] = (i == j ? (ta + tb) / 2.0 : ta) / (rounds > 0 ? rounds : 1.0);
        out->matrix_se[i * n + j] = cell_se(t->cell_d1[i * n + j], t->cell_d2[i * n + j], reps);
        sum += out->matrix[i * n + j];
        ++opponents;
    }
    out->mean_payoff[i] = opponents ? sum / (double)opponents : 0.0;
    out->cooperation[i] =
        t->rounds_played[i] ? (double)t->coop[i] / (double)t->rounds_played[i] : 0.0;
    for (r = 0; r < reps; ++r) {
        out->rep_payoff[r * n + i] /= opponents ? (double)opponents : 1.0;
        out->rep_cooperation[r * n + i] =
            t->rep_rounds[r * n + i]
                ? (double)t->rep_coop[r * n + i] / (double)t->rep_rounds[r * n + i]
                : 0.0;
    }
    dlm_mean_se(out->rep_payoff + i, reps, n, &ignored, &out->mean_payoff_se[i]);
    out->rank[i] = i;
}

/* Plays the batch's jobs into results: at once, or (with progress) in slices of at least
 * 2^16 matches, about 50 of them, reporting after each. */
static dlm_status play_jobs(const dlm_backend_ops *ops, dlm_backend *be,
                            const dlm_match_batch *batch, dlm_match_result *results,
                            dlm_progress_fn progress, void *ctx, dlm_error *err)
{
    dlm_match_batch part = *batch;
    size_t slice = batch->n_jobs / 50, k;
    dlm_status st = DLM_OK;
    if (!progress)
        return ops->play_matches(be, batch, results, err);
    if (slice < (1u << 16))
        slice = 1u << 16;
    for (k = 0; k < batch->n_jobs && st == DLM_OK; k += part.n_jobs) {
        part.jobs = batch->jobs + k;
        part.n_jobs = batch->n_jobs - k < slice ? batch->n_jobs - k : slice;
        st = ops->play_matches(be, &part, results + k, err);
        if (st == DLM_OK)
            progress(ctx, k + part.n_jobs, batch->n_jobs);
    }
    return st;
}

dlm_status dlm_play_scenario_tournament(const dlm_scenario *sc, const dlm_backend_ops *ops,
                                        dlm_backend *be, dlm_tournament_report *out,
                                        dlm_error *err)
{
    return dlm_play_scenario_tournament_progress(sc, ops, be, out, NULL, NULL, err);
}

/* A tournament planned: its entrants parsed into out and t, its matches into t's jobs and
 * batch (which points into t). On failure t and out are freed. */
static dlm_status tournament_setup(const dlm_scenario *sc, dlm_tournament_report *out, tally *t,
                                   dlm_match_batch *batch, dlm_error *err)
{
    size_t n = sc->n_entrants, i;
    dlm_status st = DLM_OK;
    memset(out, 0, sizeof *out);
    memset(t, 0, sizeof *t);
    if (n < 2)
        return dlm_error_set(err, DLM_ERR_USAGE, "a tournament needs at least 2 strategies");
    if (n > 65536)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "a tournament of %zu strategies has more pairs than a stream "
                             "window index holds (at most 65536 strategies)", n);
    if (sc->repetitions < 1)
        return dlm_error_set(err, DLM_ERR_USAGE, "a tournament needs at least 1 repetition");
    if ((st = tournament_fits(n, sc->repetitions, sc->self_play, sc->asymmetric, err)) != DLM_OK)
        return st;
    t->n = n;
    t->reps = sc->repetitions;
    t->asymmetric = sc->asymmetric;
    if (!tournament_alloc(out, t, sc->self_play)) {
        st = dlm_error_set(err, DLM_ERR_RUNTIME,
                           "out of memory planning a tournament of %zu strategies", n);
        goto fail;
    }
    for (i = 0; i < n; ++i) {
        st = dlm_strategy_parse(sc->entrants[i].strategy, &sc->game, &out->defs[i], err);
        if (st != DLM_OK)
            goto fail;
        t->strategies[i] = out->defs[i].model;
        if (sc->asymmetric) { /* the entrant as B, for B's own matrix */
            dlm_strategy_def as_b;
            if ((st = dlm_strategy_parse(sc->entrants[i].strategy, &sc->game_b, &as_b, err)))
                goto fail;
            t->strategies[n + i] = as_b.model;
        }
        t->params[i] = dlm_player_params_from_spec(&sc->entrants[i]);
    }
    dlm_entrant_labels(sc, out->defs, out->labels);
    tournament_jobs(sc, t);
    batch->seed = sc->seed;
    batch->strategies = t->strategies;
    batch->n_strategies = sc->asymmetric ? 2 * n : n;
    batch->params = t->params;
    batch->n_params = n;
    batch->rules = dlm_match_rules_from_scenario(sc);
    batch->jobs = t->jobs;
    batch->n_jobs = t->n_jobs;
    return DLM_OK;
fail:
    tally_free(t);
    dlm_tournament_report_free(out);
    return st;
}

/* A played tournament's results (in t) tallied into out and ranked; t freed. */
static void tournament_finish(const dlm_scenario *sc, tally *t, dlm_tournament_report *out)
{
    size_t i, k;
    for (k = 0; k < t->n_jobs;)
        k += tally_match(sc, t, out, k);
    for (i = 0; i < t->n; ++i)
        tally_entrant(sc, t, out, i);
    rank_report = out;
    qsort(out->rank, t->n, sizeof *out->rank, rank_cmp);
    rank_report = NULL;
    tally_free(t);
}

dlm_status dlm_play_scenario_tournament_progress(const dlm_scenario *sc,
                                                 const dlm_backend_ops *ops, dlm_backend *be,
                                                 dlm_tournament_report *out,
                                                 dlm_progress_fn progress, void *ctx,
                                                 dlm_error *err)
{
    tally t;
    dlm_match_batch batch;
    dlm_status st = tournament_setup(sc, out, &t, &batch, err);
    if (st != DLM_OK)
        return st;
    if ((st = play_jobs(ops, be, &batch, t.results, progress, ctx, err)) != DLM_OK) {
        tally_free(&t);
        dlm_tournament_report_free(out);
        return st;
    }
    tournament_finish(sc, &t, out);
    return DLM_OK;
}

/* Plays the tournaments j with group[j] == g as one batch: their strategies, parameters and
 * jobs side by side (each job's indices moved to its tournament's place), the results
 * back into each tournament's tally. */
static dlm_status tournaments_group(size_t k, const size_t *group, size_t g, tally *t,
                                    const dlm_match_batch *b, const dlm_backend_ops *ops,
                                    dlm_backend *be, dlm_error *err)
{
    size_t j, i, ns = 0, np = 0, nj = 0, first = k;
    dlm_match_batch all;
    dlm_strategy *strategies;
    dlm_player_params *params;
    dlm_match_job *jobs;
    dlm_match_result *results;
    dlm_status st = DLM_OK;
    for (j = 0; j < k; ++j)
        if (group[j] == g) {
            first = first < k ? first : j;
            ns += b[j].n_strategies;
            np += b[j].n_params;
            nj += b[j].n_jobs;
        }
    strategies = calloc(ns, sizeof *strategies);
    params = calloc(np, sizeof *params);
    jobs = calloc(nj, sizeof *jobs);
    results = calloc(nj, sizeof *results);
    if (!strategies || !params || !jobs || !results)
        st = dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a batch of tournaments");
    for (j = 0, ns = np = nj = 0; j < k && st == DLM_OK; ++j) {
        if (group[j] != g)
            continue;
        memcpy(strategies + ns, b[j].strategies, b[j].n_strategies * sizeof *strategies);
        memcpy(params + np, b[j].params, b[j].n_params * sizeof *params);
        for (i = 0; i < b[j].n_jobs; ++i) {
            dlm_match_job x = b[j].jobs[i];
            x.strategy[0] += (uint32_t)ns;
            x.strategy[1] += (uint32_t)ns;
            x.params[0] += (uint32_t)np;
            x.params[1] += (uint32_t)np;
            jobs[nj + i] = x;
        }
        ns += b[j].n_strategies;
        np += b[j].n_params;
        nj += b[j].n_jobs;
    }
    if (st == DLM_OK) {
        all = b[first];
        all.strategies = strategies;
        all.n_strategies = ns;
        all.params = params;
        all.n_params = np;
        all.jobs = jobs;
        all.n_jobs = nj;
        st = ops->play_matches(be, &all, results, err);
    }
    for (j = 0, nj = 0; j < k && st == DLM_OK; ++j)
        if (group[j] == g) {
            memcpy(t[j].results, results + nj, b[j].n_jobs * sizeof *results);
            nj += b[j].n_jobs;
        }
    free(strategies);
    free(params);
    free(jobs);
    free(results);
    return st;
}

dlm_status dlm_play_scenario_tournaments(const dlm_scenario *const *scs, size_t k,
                                         const dlm_backend_ops *ops, dlm_backend *be,
                                         dlm_tournament_report *outs, dlm_error *err)
{
    tally *t = calloc(k ? k : 1, sizeof *t);
    dlm_match_batch *b = calloc(k ? k : 1, sizeof *b);
    size_t *group = calloc(k ? k : 1, sizeof *group), j, i, groups = 0, set = 0;
    dlm_status st = DLM_OK;
    memset(outs, 0, k * sizeof *outs);
    if (!t || !b || !group)
        st = dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a batch of tournaments");
    for (j = 0; j < k && st == DLM_OK; ++j, ++set) {
        if ((st = tournament_setup(scs[j], &outs[j], &t[j], &b[j], err)) != DLM_OK)
            break;
        for (i = 0; i < j && !match_same_batch(scs[i], scs[j]); ++i)
            ;
        group[j] = i < j ? group[i] : groups++;
    }
    for (i = 0; i < groups && st == DLM_OK; ++i)
        st = tournaments_group(k, group, i, t, b, ops, be, err);
    for (j = 0; j < set; ++j) {
        if (st == DLM_OK) {
            tournament_finish(scs[j], &t[j], &outs[j]);
        } else {
            tally_free(&t[j]);
            dlm_tournament_report_free(&outs[j]);
        }
    }
    free(t);
    free(b);
    free(group);
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
    free(r->labels);
    free(r->matrix);
    free(r->matrix_se);
    free(r->mean_payoff);
    free(r->mean_payoff_se);
    free(r->wins);
    free(r->matches);
    free(r->cooperation);
    free(r->rank);
    free(r->rep_payoff);
    free(r->rep_wins);
    free(r->rep_cooperation);
    memset(r, 0, sizeof *r);
}

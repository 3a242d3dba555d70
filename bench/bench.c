/* bench.c — `dilemma bench`: the standard workloads of DESIGN.md §10, run through the
 * production backends. Each backend's results are checked against the single-threaded
 * CPU reference before its time counts; figures are printed with the ratio to that
 * reference measured in the same run. Record runs in bench/RESULTS.md. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, posix_spawn, mkdtemp */
#include <math.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/io.h"
#include "backends/backend.h"
#include "cli/cli.h"
#include "dlm_philox.h"
#include "run/evolve.h"
#include "output/output.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The `match` workload: `pairs` pairings of random memory-one strategies, strategy 2i
 * against 2i+1; each probability is one word of the BENCH stream read as a threshold
 * (p = word / 2^32), so the workload is the same on every machine for a seed. */
typedef struct match_workload {
    dlm_strategy *strategies;
    dlm_player_params params;
    dlm_match_job *jobs;
    dlm_match_batch batch;
} match_workload;

static int match_workload_make(match_workload *w, size_t pairs, uint32_t rounds, double error,
                               uint64_t seed)
{
    size_t i;
    uint64_t stream = dlm_stream_id(DLM_PURPOSE_BENCH, 0, 0);
    memset(w, 0, sizeof *w);
    w->strategies = calloc(2 * pairs, sizeof *w->strategies);
    w->jobs = calloc(pairs, sizeof *w->jobs);
    if (!w->strategies || !w->jobs)
        return -1;
    for (i = 0; i < 2 * pairs; ++i) {
        dlm_u32x4 a = dlm_philox_window_block(seed, stream, (uint32_t)i, 0);
        dlm_u32x4 b = dlm_philox_window_block(seed, stream, (uint32_t)i, 1);
        dlm_strategy *s = &w->strategies[i];
        s->kind = DLM_STRAT_MEMORY_ONE;
        s->threshold[0] = a.v[0];
        s->threshold[1] = a.v[1];
        s->threshold[2] = a.v[2];
        s->threshold[3] = a.v[3];
        s->threshold[4] = b.v[0];
    }
    for (i = 0; i < pairs; ++i) {
        w->jobs[i].strategy[0] = (uint32_t)(2 * i);
        w->jobs[i].strategy[1] = (uint32_t)(2 * i + 1);
        w->jobs[i].index = (uint32_t)i;
    }
    w->params.execution_error = dlm_probability_threshold(error);
    w->params.reaction_period = 1;
    w->batch.seed = seed;
    w->batch.strategies = w->strategies;
    w->batch.n_strategies = 2 * pairs;
    w->batch.params = &w->params;
    w->batch.n_params = 1;
    w->batch.rules.rounds = rounds;
    w->batch.jobs = w->jobs;
    w->batch.n_jobs = pairs;
    return 0;
}

static void match_workload_free(match_workload *w)
{
    free(w->strategies);
    free(w->jobs);
}

typedef struct bench_row {
    char backend[64];
    double seconds, rounds_per_second, ratio;
    double answer, answer_se; /* fixation: WSLS's fixation fraction; wellmixed: ALLC share */
    double cpu_seconds;       /* evolution workloads: the process's CPU time over `seconds` */
    uint64_t checksum;
    int matches_reference;
} bench_row;

/* Runs the batch on backend `name` with `threads`; fills row; results go to out. */
static int run_backend(const char *name, int threads, const dlm_match_batch *batch,
                       dlm_match_result *out, bench_row *row)
{
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_backend_options opt = {threads, -1, -1, 0};
    dlm_error err = {DLM_OK, ""};
    double t0;
    size_t i;
    if (dlm_backend_open(name, &opt, dlm_err(), &ops, &be, &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma bench: %s\n", err.message);
        return 1;
    }
    {
        /* One job first, untimed: a backend that builds its programs on first use
           (opencl) does so here. */
        dlm_match_batch one = *batch;
        one.n_jobs = 1;
        if (ops->play_matches(be, &one, out, &err) != DLM_OK) {
            fprintf(dlm_err(), "dilemma bench: %s\n", err.message);
            ops->destroy(be);
            return 1;
        }
    }
    t0 = now_seconds();
    if (ops->play_matches(be, batch, out, &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma bench: %s\n", err.message);
        ops->destroy(be);
        return 1;
    }
    row->seconds = now_seconds() - t0;
    snprintf(row->backend, sizeof row->backend, "%s", ops->describe(be));
    ops->destroy(be);
    row->checksum = 0;
    for (i = 0; i < batch->n_jobs; ++i)
        row->checksum = row->checksum * 1000003u + out[i].outcome[0] * 7u + out[i].outcome[1] * 5u +
                        out[i].outcome[2] * 3u + out[i].outcome[3];
    row->rounds_per_second = (double)batch->n_jobs * batch->rules.rounds / row->seconds;
    return 0;
}

/* 1 when backend `name` is built into this binary and can run here. */
static int backend_here(const char *name)
{
    const dlm_backend_ops *const *it;
    char why[512];
    for (it = dlm_backends(); *it; ++it)
        if (strcmp((*it)->name, name) == 0)
            return (*it)->available(why, sizeof why);
    return 0;
}

/* --- evolution workloads ----------------------------------------------------------- */

/* Sizes of the evolution workloads (DESIGN.md §10 by default). */
typedef struct evo_sizes {
    uint32_t agents;      /* evolve: population */
    uint32_t side;        /* lattice: side */
    uint32_t populations; /* batched: populations of 100 */
    uint64_t generations;
    uint32_t runs;        /* fixation: populations of 50, each run to fixation */
    uint32_t mixed;       /* wellmixed: population */
    uint64_t mixed_generations;
    uint32_t reputation;  /* reputation: population (private views, N x N) */
    uint64_t reputation_generations;
    uint32_t group_agents; /* groups: population (one group game per agent a generation) */
} evo_sizes;

/* The groups workload (issue 15, item 8): a well-mixed population of N (10^6) playing the
 * linear public goods game (r = 3, c = 1) in groups of 5 drawn afresh for each agent's
 * evaluation (one group per evaluation), 10 rounds, execution error 0.01, allc / alld /
 * cc(2) a third each, fermi-sync beta = 1, one generation: N group games of 5 x 10
 * contribution decisions. */
static void bench_groups_scenario(const evo_sizes *z, dlm_scenario *sc)
{
    static dlm_share rules[3] = {{"allc", 0.34}, {"alld", 0.33}, {"cc(2)", 0.33}};
    dlm_evolution_spec *ev = &sc->evolution;
    sc->rounds = 10;
    ev->population = z->group_agents;
    ev->populations = 1;
    snprintf(ev->rule, sizeof ev->rule, "fermi-sync");
    ev->selection = 1.0;
    snprintf(ev->initial, sizeof ev->initial, "shares");
    ev->shares = rules;
    ev->n_shares = 3;
    ev->group = 1;
    ev->group_game = 1;
    ev->group_size = 5;
    ev->group_size_given = 1;
    ev->group_count = 1;
    ev->group_r = 3.0;
    ev->group_c = 1.0;
    ev->group_b = 1.0;
    ev->group_execution_error = 0.01;
}

/* The reputation workload (issue 14): the donation game (b 3, c 1) under private
 * assessment, q = 1 (every agent observes every donation and judges it by stern judging
 * from its own views), one donation per agent per generation, execution and assessment
 * error 0.02, a third each of allc, alld and disc, fermi-sync beta = 1, no mutation.
 * Its work is N^2 assessments a generation (one Philox block and three view bits each). */
static void bench_reputation_scenario(const evo_sizes *z, dlm_scenario *sc)
{
    static dlm_share rules[3] = {{"allc", 0.34}, {"alld", 0.33}, {"disc", 0.33}};
    dlm_evolution_spec *ev = &sc->evolution;
    dlm_error err;
    dlm_game_preset("donation", 3.0, 1.0, &sc->game, &err);
    sc->rounds = 1;
    ev->population = z->reputation;
    ev->populations = 1;
    ev->generations = z->reputation_generations;
    snprintf(ev->rule, sizeof ev->rule, "fermi-sync");
    ev->selection = 1.0;
    snprintf(ev->initial, sizeof ev->initial, "shares");
    ev->shares = rules;
    ev->n_shares = 3;
    ev->donation = 1;
    ev->norm = 0x99u;
    snprintf(ev->norm_name, sizeof ev->norm_name, "stern-judging");
    ev->execution_error = ev->assessment_error = 0.02;
    ev->private_assessment = 1;
    ev->observe = 1.0;
}

/* The bytes the private view update moves per generation (a model, not a measurement;
 * the workload runs no census): donor x's evaluation copies its row of views (N/8 bytes
 * read, N/8 written), and each of its `rounds` donations reads the recipient's row (N/8)
 * and reads and writes x's next row (2 N/8): N^2 (2 + 3 rounds) / 8 bytes. The standing
 * bits the recipient side reads (two per round) are left out. */
static double reputation_bytes_per_generation(uint32_t n, uint32_t rounds)
{
    return (double)n * (double)n * (2.0 + 3.0 * rounds) / 8.0;
}

/* The scenario of evolution workload `name`. */
static void evo_workload_scenario(const char *name, const evo_sizes *z, dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    dlm_error err;
    memset(sc, 0, sizeof *sc);
    dlm_game_preset("pd", NAN, NAN, &sc->game, &err);
    sc->mode = DLM_MODE_EVOLVE;
    sc->seed = 1;
    sc->match_defaults.reaction_period = 1;
    ev->generations = z->generations;
    ev->record_every = 1;
    ev->tolerance = 0.05;
    snprintf(ev->fitness, sizeof ev->fitness, "linear");
    snprintf(ev->mutation_kind, sizeof ev->mutation_kind, "none");
    snprintf(ev->structure.type, sizeof ev->structure.type, "well-mixed");
    if (strcmp(name, "evolve") == 0) {
        /* 2^20 agents, 4 random partners x 100 rounds per evaluation, pairwise
           comparison beta = 1, mu = 1e-3 random memory-one mutants */
        sc->rounds = 100;
        ev->population = z->agents;
        ev->populations = 1;
        snprintf(ev->rule, sizeof ev->rule, "fermi");
        ev->selection = 1.0;
        ev->structure.partners = 4;
        ev->mutation_rate = 1e-3;
        snprintf(ev->mutation_kind, sizeof ev->mutation_kind, "random-memory-one");
        snprintf(ev->initial, sizeof ev->initial, "random");
    } else if (strcmp(name, "lattice") == 0) {
        /* Nowak & May 1992: b = 1.85, Moore neighbourhood with self-interaction,
           imitate the best, one round per neighbour, payoffs summed */
        sc->rounds = 1;
        sc->game.R = 1.0;
        sc->game.S = 0.0;
        sc->game.T = 1.85;
        sc->game.P = 0.0;
        ev->population = z->side * z->side;
        ev->populations = 1;
        snprintf(ev->rule, sizeof ev->rule, "imitate-best");
        ev->accumulate_total = 1;
        snprintf(ev->structure.type, sizeof ev->structure.type, "lattice");
        ev->structure.width = ev->structure.height = z->side;
        snprintf(ev->structure.neighbourhood, sizeof ev->structure.neighbourhood, "moore");
        ev->structure.self_loops = 1;
        snprintf(ev->initial, sizeof ev->initial, "shares");
    } else if (strcmp(name, "fixation") == 0) {
        /* one WSLS mutant among 49 TFT, pairwise comparison beta = 1, exact expected
           payoffs of 200-round matches with execution error 0.01, each run to fixation
           (issue 13; EGTTools' estimate_fixation_probability on the same model) */
        sc->rounds = 200;
        sc->match_defaults.execution_error = 0.01;
        ev->population = 50;
        ev->populations = z->runs;
        ev->generations = 100000;
        ev->record_every = 100000;
        snprintf(ev->rule, sizeof ev->rule, "fermi");
        ev->selection = 1.0;
        ev->payoff_exact = 1;
        ev->stop_at_fixation = 1;
        snprintf(ev->initial, sizeof ev->initial, "mutant");
        snprintf(ev->resident, sizeof ev->resident, "tft");
        snprintf(ev->mutant, sizeof ev->mutant, "wsls");
        ev->mutants = 1;
    } else if (strcmp(name, "wellmixed") == 0) {
        /* pairwise comparison beta = 1 in one well-mixed population of 1000 playing one-shot
           snowdrift (b = 4, c = 2) with mutation between ALLC and ALLD (mu = 2e-3: a flip
           in 1e-3 of the events, EGTTools' mutation rate, the mutant being uniform of the two) */
        dlm_game_preset("snowdrift", NAN, NAN, &sc->game, &err);
        sc->rounds = 1;
        ev->population = z->mixed;
        ev->populations = 1;
        ev->generations = z->mixed_generations;
        snprintf(ev->rule, sizeof ev->rule, "fermi");
        ev->selection = 1.0;
        ev->mutation_rate = 2e-3;
        snprintf(ev->mutation_kind, sizeof ev->mutation_kind, "set");
        snprintf(ev->initial, sizeof ev->initial, "shares");
    } else if (strcmp(name, "reputation") == 0) {
        bench_reputation_scenario(z, sc);
    } else if (strcmp(name, "groups") == 0) {
        bench_groups_scenario(z, sc);
    } else { /* batched: many populations of 100, Moran, 200-round matches */
        sc->rounds = 200;
        ev->population = 100;
        ev->populations = z->populations;
        snprintf(ev->rule, sizeof ev->rule, "moran-bd");
        ev->selection = 0.1;
        ev->structure.partners = 4;
        snprintf(ev->initial, sizeof ev->initial, "shares");
    }
    ev->replacement = ev->structure;
    ev->replacement.self_loops = 0;
}

/* The answer of workload fixation (the fraction of runs WSLS took over, and its SE) or
 * wellmixed (the final share of ALLC), from the final strategies, into row. */
static void bench_answer(const char *name, const dlm_evo_plan *plan, const dlm_strategy *final,
                         bench_row *row)
{
    const char *label = strcmp(name, "fixation") == 0 ? "wsls" : "allc";
    uint64_t a, hits = 0, n = strcmp(name, "fixation") == 0 ? plan->n_populations : plan->n_agents;
    uint32_t k, named = plan->n_named;
    row->answer = row->answer_se = 0.0;
    for (k = 0; k < plan->n_named; ++k)
        if (strcmp(plan->named_labels[k], label) == 0)
            named = k;
    if (named == plan->n_named || n == 0 || (strcmp(name, "fixation") && strcmp(name, "wellmixed")))
        return;
    for (a = 0; a < n; ++a) {
        const dlm_strategy *s = n == plan->n_agents ? &final[a] : &final[a * plan->populations[0].n];
        hits += dlm_strategy_equal(s, &plan->named[named]);
    }
    row->answer = (double)hits / (double)n;
    row->answer_se = sqrt(row->answer * (1.0 - row->answer) / (double)n);
}

/* Runs evolution workload `name` on backend/threads; fills row; the final strategies
 * go to *final (malloc'd) for the comparison with the reference. */
static int run_evo_backend(const char *name, const evo_sizes *z, const char *backend, int threads,
                           bench_row *row, dlm_strategy **final, uint64_t *n_agents,
                           double *work, double *rounds)
{
    static dlm_share lattice_shares[2] = {{"allc", 0.9}, {"alld", 0.1}};
    static dlm_share batched_shares[3] = {{"tft", 0.34}, {"alld", 0.33}, {"wsls", 0.33}};
    static dlm_share mixed_shares[2] = {{"allc", 0.5}, {"alld", 0.5}};
    dlm_scenario sc;
    dlm_evo_plan plan;
    dlm_evo_setup setup;
    dlm_evo_state *st = NULL;
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_backend_options opt = {threads, -1, -1, 0};
    dlm_error err = {DLM_OK, ""};
    dlm_evo_counts *counts;
    uint8_t *active;
    double t0;
    clock_t c0;
    size_t p;
    int rc = 0;
    evo_workload_scenario(name, z, &sc);
    if (strcmp(name, "lattice") == 0) {
        sc.evolution.shares = lattice_shares;
        sc.evolution.n_shares = 2;
    } else if (strcmp(name, "batched") == 0) {
        sc.evolution.shares = batched_shares;
        sc.evolution.n_shares = 3;
    } else if (strcmp(name, "wellmixed") == 0) {
        sc.evolution.shares = mixed_shares;
        sc.evolution.n_shares = 2;
        sc.evolution.mutation_set = mixed_shares;
        sc.evolution.n_mutation_set = 2;
    }
    snprintf(sc.evolution.representation, sizeof sc.evolution.representation, "auto");
    if (dlm_evo_plan_build(&sc, &plan, &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma bench: %s: %s\n", name, err.message);
        return 2;
    }
    if (dlm_backend_open(backend, &opt, dlm_err(), &ops, &be, &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma bench: %s\n", err.message);
        dlm_evo_plan_free(&plan);
        return 1;
    }
    counts = calloc(plan.n_populations, sizeof *counts);
    active = malloc(plan.n_populations);
    *final = malloc(plan.n_agents * sizeof **final);
    if (!counts || !active || !*final) {
        fprintf(dlm_err(), "dilemma bench: out of memory\n");
        rc = 1;
        goto done;
    }
    memset(active, 1, plan.n_populations);
    /* The harness's buffer for the final agents is touched before the clock starts: its
       page faults (400 MB for fixation's 5 x 10^6 agents, 0.5-1.9 s on the shared
       development machine) are the harness's, not the run's; the copy stays timed. Not a
       memset to 0: gcc turns malloc + memset(0) into calloc, which touches nothing (so
       until 2026-12-04 the faults were timed after all). */
    memset(*final, 0xA5, plan.n_agents * sizeof **final);
    dlm_evo_plan_setup(&plan, sc.seed, &setup);
    if (ops->evo_create(be, &setup, &st, &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma bench: %s\n", err.message);
        rc = 1;
        goto done;
    }
    c0 = clock();
    t0 = now_seconds();
    if (ops->evo_run(be, st, 0, sc.evolution.generations, active, counts, &err) != DLM_OK ||
        ops->evo_snapshot(be, st, *final, &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma bench: %s\n", err.message);
        rc = 1;
        goto done;
    }
    row->seconds = now_seconds() - t0;
    row->cpu_seconds = (double)(clock() - c0) / CLOCKS_PER_SEC;
    snprintf(row->backend, sizeof row->backend, "%s", ops->describe(be));
    *n_agents = plan.n_agents;
    *rounds = 0;
    row->checksum = 0;
    for (p = 0; p < plan.n_populations; ++p) {
        *rounds += (double)counts[p].matches * sc.rounds;
        row->checksum = row->checksum * 1000003u + counts[p].moves + 7u * counts[p].cooperations;
    }
    bench_answer(name, &plan, *final, row);
    if (strcmp(name, "batched") == 0)
        *work = (double)plan.n_populations * (double)sc.evolution.generations;
    else if (strcmp(name, "fixation") == 0)
        *work = (double)plan.n_populations;
    else if (strcmp(name, "reputation") == 0) /* assessments: N observers per donation */
        *work = (double)plan.n_agents * (double)plan.n_agents * sc.rounds *
                (double)sc.evolution.generations;
    else if (strcmp(name, "groups") == 0) { /* group games: the evaluations' (matches) */
        *work = 0;
        for (p = 0; p < plan.n_populations; ++p)
            *work += (double)counts[p].matches;
    }
    else
        *work = (double)plan.n_agents * (double)sc.evolution.generations;
    row->rounds_per_second = *work / row->seconds;
done:
    if (st)
        ops->evo_destroy(be, st);
    ops->destroy(be);
    dlm_evo_plan_free(&plan);
    free(counts);
    free(active);
    return rc;
}

/* Runs an evolution workload on the reference and with `threads`; prints the rows. */
static int bench_evolution(const char *name, const evo_sizes *z, int threads, int json)
{
    static const char *unit_of[7][2] = {{"evolve", "agent-generations/s"},
                                        {"groups", "group games/s"},
                                        {"lattice", "site updates/s"},
                                        {"batched", "population-generations/s"},
                                        {"fixation", "runs/s"},
                                        {"wellmixed", "agent-generations/s"},
                                        {"reputation", "assessments/s"}};
    double bytes = strcmp(name, "reputation") == 0
                       ? reputation_bytes_per_generation(z->reputation, 1) *
                             (double)z->reputation_generations
                       : 0.0;
    const char *unit = "";
    bench_row rows[4];
    dlm_strategy *ref = NULL, *other = NULL;
    uint64_t n_agents = 0;
    double work = 0, rounds = 0, rounds2 = 0;
    int i, n_rows = 1, rc, k;
    for (i = 0; i < 7; ++i)
        if (strcmp(unit_of[i][0], name) == 0)
            unit = unit_of[i][1];
    if (!json) {
        if (strcmp(name, "evolve") == 0)
            fprintf(
                dlm_out(),
                "workload evolve: well-mixed population of %u, 4 random partners x 100 rounds per "
                "evaluation, pairwise comparison beta = 1, mu = 1e-3, %llu generation(s)\n",
                z->agents, (unsigned long long)z->generations);
        else if (strcmp(name, "lattice") == 0)
            fprintf(dlm_out(),
                    "workload lattice: %ux%u Nowak-May spatial game (b = 1.85, Moore + self, "
                    "imitate the best), %llu generation(s)\n",
                    z->side, z->side, (unsigned long long)z->generations);
        else if (strcmp(name, "fixation") == 0)
            fprintf(dlm_out(),
                    "workload fixation: %u runs of one WSLS mutant among 49 TFT to fixation, "
                    "pairwise comparison beta = 1, exact payoffs of 200-round matches, "
                    "execution error 0.01 (as counts of types)\n",
                    z->runs);
        else if (strcmp(name, "wellmixed") == 0)
            fprintf(dlm_out(), "workload wellmixed: well-mixed population of %u, one-shot snowdrift (b 4, "
                   "c 2), pairwise comparison beta = 1, ALLC/ALLD mutation (a flip in 1e-3 of "
                   "the events), %llu generations (as counts of types)\n", z->mixed,
                   (unsigned long long)z->mixed_generations);
        else if (strcmp(name, "groups") == 0)
            fprintf(dlm_out(), "workload groups: well-mixed population of %u, linear public goods (r 3, "
                   "c 1) in a group of 5 drawn for each agent, 10 rounds, execution error "
                   "0.01, allc / alld / cc(2), fermi-sync beta = 1, %llu generation(s): "
                   "group games/s (5 x 10 contribution decisions each)\n",
                   z->group_agents, (unsigned long long)z->generations);
        else if (bytes > 0)
            fprintf(dlm_out(),
                    "workload reputation: donation game, private assessment (q = 1, stern "
                    "judging, N x N view bits), N = %u, one donation per agent, %llu "
                    "generation(s): %.4g assessments; the view update moves about %.4g MB "
                    "(model: N^2 (2 + 3 rounds) / 8 bytes a generation)\n",
                    z->reputation, (unsigned long long)z->reputation_generations,
                    (double)z->reputation * z->reputation * (double)z->reputation_generations,
                    bytes / 1e6);
        else
            fprintf(dlm_out(),
                    "workload batched: %u populations of 100, Moran birth-death, 4 random "
                    "partners x 200 rounds per evaluation, %llu generation(s)\n",
                    z->populations, (unsigned long long)z->generations);
    }
    rc = run_evo_backend(name, z, "cpu", 1, &rows[0], &ref, &n_agents, &work, &rounds);
    rows[0].matches_reference = 1;
    rows[0].ratio = 1.0;
    /* The threaded CPU, then OpenCL and CUDA where they run, each checked against the
       reference. */
    for (k = 0; k < 3 && !rc; ++k) {
        const char *backend = k == 0 ? "cpu" : k == 1 ? "opencl" : "cuda";
        bench_row *row = &rows[n_rows];
        if ((k == 0 && threads == 1) || (k > 0 && !backend_here(backend)))
            continue;
        rc = run_evo_backend(name, z, backend, threads, row, &other, &n_agents, &work, &rounds2);
        if (!rc) {
            row->matches_reference = memcmp(ref, other, n_agents * sizeof *ref) == 0 &&
                                     row->checksum == rows[0].checksum;
            row->ratio = row->rounds_per_second / rows[0].rounds_per_second;
            ++n_rows;
            if (!row->matches_reference) {
                fprintf(dlm_err(), "dilemma bench: %s: %s disagrees with the CPU reference\n", name,
                        row->backend);
                rc = 1;
            }
        }
        free(other);
        other = NULL;
    }
    for (i = 0; !rc && i < n_rows; ++i) {
        const bench_row *r = &rows[i];
        double rps = rounds / r->seconds;
        if (json)
            fprintf(dlm_out(),
                    "{\"workload\":\"%s\",\"backend\":\"%s\",\"seconds\":%.6f,\"per_second\":%.6g,"
                    "\"unit\":\"%s\",\"rounds_per_second\":%.6g,\"ratio_to_cpu1\":%.4f,"
                    "\"matches_reference\":%s,\"answer\":%.17g,\"answer_se\":%.17g,"
                    "\"bytes_moved\":%.6g,\"cpu_seconds\":%.6f}\n",
                    name, r->backend, r->seconds, r->rounds_per_second, unit, rps, r->ratio,
                    r->matches_reference ? "true" : "false", r->answer, r->answer_se, bytes,
                    r->cpu_seconds);
        else
            fprintf(dlm_out(), "  %-22s %9.3f s  %12.4g %s  %10.4g rounds/s  x%-6.2f %s\n",
                    r->backend, r->seconds, r->rounds_per_second, unit, rps, r->ratio,
                    i == 0 ? "(reference)" : "(matches reference)");
        if (!json && bytes > 0)
            fprintf(dlm_out(), "  %-22s %9s    %12.4g bytes/s of views moved (model)\n", "", "",
                    bytes / r->seconds);
        if (!json)
            fprintf(dlm_out(), "  %-22s CPU time %.3f s over those %.3f s\n", "", r->cpu_seconds,
                    r->seconds);
        if (!json && i == 0 && (strcmp(name, "fixation") == 0 || strcmp(name, "wellmixed") == 0))
            fprintf(dlm_out(), "  answer: %s %.5f (SE %.5f)\n",
                    strcmp(name, "fixation") == 0 ? "WSLS fixes in a fraction" : "final ALLC share",
                    r->answer, r->answer_se);
    }
    free(ref);
    free(other);
    return rc;
}

/* Parses an unsigned option value in [lo, hi]; returns 0 or prints an error. */
static int parse_count(const char *opt, const char *val, unsigned long long lo,
                       unsigned long long hi, unsigned long long *out)
{
    char *end = NULL;
    unsigned long long v;
    if (!val || val[0] == '-' || val[0] == '\0')
        goto bad;
    v = strtoull(val, &end, 10);
    if (!end || *end || v < lo || v > hi)
        goto bad;
    *out = v;
    return 0;
bad:
    fprintf(dlm_err(), "dilemma bench: %s must be an integer in [%llu, %llu], got '%s'\n", opt, lo,
            hi, val ? val : "");
    return 2;
}

static int bench_match(size_t pairs, uint32_t rounds, int threads, int json)
{
    match_workload w;
    dlm_match_result *ref = NULL, *res = NULL;
    bench_row rows[4];
    int rc = 0, n_rows = 1, i, k;
    if (match_workload_make(&w, pairs, rounds, 0.01, 1) != 0 ||
        !(ref = malloc(pairs * sizeof *ref)) || !(res = malloc(pairs * sizeof *res))) {
        fprintf(dlm_err(), "dilemma bench: out of memory for %zu pairings\n", pairs);
        match_workload_free(&w);
        free(ref);
        return 1;
    }
    if (!json)
        fprintf(dlm_out(),
                "workload match: %zu pairings of random memory-one strategies, %u rounds, "
                "execution error 0.01, seed 1\n",
                pairs, rounds);
    /* The reference: CPU, one thread. */
    if (run_backend("cpu", 1, &w.batch, ref, &rows[0]))
        rc = 1;
    rows[0].matches_reference = 1;
    rows[0].ratio = 1.0;
    /* Every other configuration (the threaded CPU, OpenCL and CUDA where they run) is
       checked against it before its time counts. */
    for (k = 0; k < 3 && !rc; ++k) {
        const char *backend = k == 0 ? "cpu" : k == 1 ? "opencl" : "cuda";
        bench_row *row = &rows[n_rows];
        if ((k == 0 && threads == 1) || (k > 0 && !backend_here(backend)))
            continue;
        if (run_backend(backend, threads, &w.batch, res, row))
            rc = 1;
        else {
            row->matches_reference = memcmp(ref, res, pairs * sizeof *res) == 0;
            row->ratio = row->rounds_per_second / rows[0].rounds_per_second;
            ++n_rows;
            if (!row->matches_reference) {
                fprintf(dlm_err(), "dilemma bench: %s disagrees with the CPU reference\n",
                        row->backend);
                rc = 1;
            }
        }
    }
    for (i = 0; i < n_rows; ++i) {
        const bench_row *r = &rows[i];
        if (json)
            fprintf(dlm_out(),
                    "{\"workload\":\"match\",\"pairs\":%zu,\"rounds\":%u,\"backend\":\"%s\","
                    "\"seconds\":%.6f,\"rounds_per_second\":%.6g,\"ratio_to_cpu1\":%.4f,"
                    "\"matches_reference\":%s,\"checksum\":%llu}\n",
                    pairs, rounds, r->backend, r->seconds, r->rounds_per_second, r->ratio,
                    r->matches_reference ? "true" : "false", (unsigned long long)r->checksum);
        else
            fprintf(dlm_out(), "  %-22s %9.3f s  %12.4g rounds/s  x%-7.2f %s\n", r->backend,
                    r->seconds, r->rounds_per_second, r->ratio,
                    i == 0                 ? "(reference)"
                    : r->matches_reference ? "(matches reference)"
                                           : "(DIFFERS FROM REFERENCE)");
    }
    match_workload_free(&w);
    free(ref);
    free(res);
    return rc;
}

/* --- the sweep workload: one command against a process per run --------------------------- */

extern char **environ;

/* Runs argv (argv[0] a path) with stdout and stderr discarded; its exit status, or -1. */
static int spawn_wait(char *const *argv)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = -1, rc;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1 /* O_WRONLY */, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", 1, 0);
    rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* `sweep`: side x side points (execution error x selection) x replicates of a 100-agent
 * Moran population (4 sampled partners, 100-round matches, 10 generations), run by one
 * `dilemma sweep` (its runs batched) and, in the same run, as one `dilemma run` process
 * per point and replicate, the shell loop a researcher would otherwise write. */
static int bench_sweep(unsigned side, unsigned replicates, const char *backend, int json)
{
    char dir[] = "/tmp/dilemma-bench-XXXXXX", cfg[96], out[96], one[96], self[4096];
    char e_text[64][24], w_text[64][24], set_e[64], set_w[64], set_seed[64], be_opt[32];
    FILE *f;
    unsigned i, j, r, runs = side * side * replicates;
    double t0, t_sweep, t_proc;
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    int rc = 0;
    if (n <= 0 || !mkdtemp(dir)) {
        fprintf(dlm_err(), "dilemma bench: cannot find this program or make a scratch folder\n");
        return 1;
    }
    self[n] = '\0';
    snprintf(cfg, sizeof cfg, "%s/sweep.yaml", dir);
    snprintf(out, sizeof out, "%s/sweep.csv", dir);
    snprintf(one, sizeof one, "%s/one.csv", dir);
    snprintf(be_opt, sizeof be_opt, "%s", backend);
    for (i = 0; i < side; ++i) {
        snprintf(e_text[i], sizeof e_text[i], "%g", side > 1 ? 0.1 * i / (side - 1) : 0.0);
        snprintf(w_text[i], sizeof w_text[i], "%g", side > 1 ? 0.1 + 1.9 * i / (side - 1) : 1.0);
    }
    if (!(f = fopen(cfg, "w")))
        return 1;
    fputs("mode: evolve\nseed: 1\nmatch: {rounds: 100}\nevolution:\n  population: 100\n"
          "  generations: 10\n  record_every: 10\n  rule: moran-bd\n  fitness: exponential\n"
          "  structure: {type: well-mixed, partners: 4}\n"
          "  initial: {shares: {tft: 0.34, alld: 0.33, wsls: 0.33}}\nsweep:\n  axes:\n"
          "    - {key: match.execution_error, values: [", f);
    for (i = 0; i < side; ++i)
        fprintf(f, "%s%s", i ? ", " : "", e_text[i]);
    fputs("]}\n    - {key: evolution.selection, values: [", f);
    for (i = 0; i < side; ++i)
        fprintf(f, "%s%s", i ? ", " : "", w_text[i]);
    fprintf(f, "]}\n  replicates: %u\n", replicates);
    fclose(f);
    {
        char *argv[] = {self, "sweep", cfg, "--quiet", "--backend", be_opt, "--threads", "0",
                        "--out", out, NULL};
        t0 = now_seconds();
        rc = spawn_wait(argv) != 0;
        t_sweep = now_seconds() - t0;
    }
    t0 = now_seconds();
    for (i = 0; !rc && i < side; ++i)
        for (j = 0; !rc && j < side; ++j)
            for (r = 0; !rc && r < replicates; ++r) {
                char *argv[] = {self, "run", cfg, "--set", "sweep=", "--set", set_e, "--set",
                                set_w, "--set", set_seed, "--backend", be_opt, "--out", one,
                                NULL};
                snprintf(set_e, sizeof set_e, "match.execution_error=%s", e_text[i]);
                snprintf(set_w, sizeof set_w, "evolution.selection=%s", w_text[j]);
                snprintf(set_seed, sizeof set_seed, "seed=%u", 1 + r);
                rc = spawn_wait(argv) != 0;
            }
    t_proc = now_seconds() - t0;
    if (rc)
        fprintf(dlm_err(), "dilemma bench: a sweep run failed (config kept in %s)\n", cfg);
    else if (json)
        fprintf(dlm_out(),
                "{\"workload\":\"sweep\",\"runs\":%u,\"backend\":\"%s\",\"sweep_seconds\":%.6f,"
                "\"process_per_run_seconds\":%.6f,\"speedup\":%.3f}\n",
                runs, backend, t_sweep, t_proc, t_proc / t_sweep);
    else
        fprintf(dlm_out(),
                "workload sweep: %u x %u points (execution error x selection) x %u replicates of "
                "a 100-agent Moran population, 4 partners x 100 rounds, 10 generations\n"
                "  %-28s %10.3f s %12.1f runs/s\n  %-28s %10.3f s %12.1f runs/s\n"
                "  one command is %.1fx the process per run (%s backend)\n",
                side, side, replicates, "dilemma sweep (batched)", t_sweep, runs / t_sweep,
                "a process per run", t_proc, runs / t_proc, t_proc / t_sweep, backend);
    if (!rc) {
        remove(cfg);
        remove(out);
        remove(one);
        rmdir(dir);
    }
    return rc;
}

/* `dilemma bench --help`. */
static void bench_help(void)
{
    dlm_puts("usage: dilemma bench [--workload all|match|evolve|lattice|batched|sweep|\n"
         "                     fixation|wellmixed|reputation|groups] [--quick]\n"
         "                     [--runs N]\n"
         "                     [--pairs N] [--rounds R] [--agents N] [--side L]\n"
         "                     [--populations P] [--generations G] [--threads T]\n"
         "                     [--format table|json]\n\n"
         "The standard workloads of DESIGN.md §10, through the production backends:\n"
         "  match    N pairings (2^20) of random memory-one strategies, R rounds (1000),\n"
         "           execution error 0.01: game rounds/s\n"
         "  evolve   well-mixed population of N (2^20), 4 random partners x 100 rounds,\n"
         "           pairwise comparison beta = 1, mu = 1e-3: agent-generations/s\n"
         "  lattice  L x L (2048) Nowak-May spatial game: site updates/s\n"
         "  batched  P (10^4) populations of 100, Moran, 200-round matches:\n"
         "           population-generations/s\n"
         "  sweep    S x S (32) points x 8 replicates of 100-agent Moran populations by\n"
         "           one `dilemma sweep` and as a process per run (--side S, --backend B;\n"
         "           not part of `all`)\n"
         "  fixation N (10^5) runs of one WSLS mutant among 49 TFT to fixation, pairwise\n"
         "           comparison beta = 1, exact payoffs of 200-round matches with\n"
         "           execution error 0.01: runs/s (bench/egttools_compare.py)\n"
         "  wellmixed one well-mixed population of N (1000, --agents) playing one-shot\n"
         "           snowdrift, pairwise comparison beta = 1, ALLC/ALLD mutation,\n"
         "           G generations (10^4, --generations): agent-generations/s\n"
         "  reputation the donation game under private assessment, N (10^4, --agents)\n"
         "           agents, q = 1, stern judging, one donation per agent, G (2,\n"
         "           --generations) generations: assessments/s (N^2 a generation) and the\n"
         "           view bytes moved (a model)\n"
         "  groups   well-mixed population of N (10^6, --agents) in public goods groups of\n"
         "           5 drawn per agent, 10 rounds, execution error 0.01, allc / alld /\n"
         "           cc(2), fermi-sync, G (1) generations: group games/s\n"
         "Each runs on the CPU single-threaded (the reference) and with T threads\n"
         "(default: all cores); results are checked against the reference before\n"
         "their time is shown. --quick shrinks every workload (for tests).");
}

int dlm_bench_main(int argc, char **argv)
{
    unsigned long long pairs = 1ull << 20, rounds = 1000, v;
    evo_sizes z = {1u << 20, 2048, 10000, 1, 100000, 1000, 10000, 10000, 2, 1000000};
    int threads = 0, json = 0, rc = 0, i;
    const char *workload = "all";
    static const char *names[] = {"match", "evolve", "lattice", "batched", "sweep", "fixation",
                                  "wellmixed", "reputation", "groups"};
    unsigned long long sweep_side = 32, sweep_reps = 8;
    const char *sweep_backend = "auto";
    for (i = 2; i < argc; ++i) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            bench_help();
            return 0;
        }
        if (strcmp(arg, "--quick") == 0) {
            pairs = 2048;
            rounds = 100;
            z.agents = 4096;
            z.side = 64;
            z.populations = 20;
            z.runs = 200;
            z.mixed_generations = 20;
            z.reputation = 300;
            z.group_agents = 5000;
            sweep_side = 2;
            sweep_reps = 1;
            continue;
        }
        if (!val) {
            fprintf(dlm_err(),
                    "dilemma bench: unknown option or missing value: '%s' (see dilemma "
                    "bench --help)\n",
                    arg);
            return 2;
        }
        ++i;
        if (strcmp(arg, "--workload") == 0) {
            size_t k;
            workload = val;
            for (k = 0; k < 9 && strcmp(val, names[k]) != 0; ++k)
                ;
            if (k == 9 && strcmp(val, "all") != 0) {
                fprintf(dlm_err(), "dilemma bench: unknown workload '%s' (allowed: all, match, "
                                "evolve, lattice, batched, sweep, fixation, wellmixed, "
                                "reputation, groups)\n", val);
                return 2;
            }
        } else if (strcmp(arg, "--pairs") == 0) {
            if ((rc = parse_count("--pairs", val, 1, 1ull << 26, &pairs)))
                return rc;
        } else if (strcmp(arg, "--rounds") == 0) {
            if ((rc = parse_count("--rounds", val, 1, DLM_MAX_ROUNDS, &rounds)))
                return rc;
        } else if (strcmp(arg, "--agents") == 0) {
            if ((rc = parse_count("--agents", val, 2, 1ull << 28, &v)))
                return rc;
            z.agents = (uint32_t)v;
            z.mixed = (uint32_t)v;
            z.reputation = (uint32_t)v;
            z.group_agents = (uint32_t)v;
        } else if (strcmp(arg, "--side") == 0) {
            if ((rc = parse_count("--side", val, 3, 16384, &v)))
                return rc;
            z.side = (uint32_t)v;
            sweep_side = v < 64 ? v : 64;
        } else if (strcmp(arg, "--backend") == 0) {
            if (strcmp(val, "auto") && strcmp(val, "cpu") && strcmp(val, "opencl") &&
                strcmp(val, "cuda")) {
                fprintf(dlm_err(), "dilemma bench: --backend must be auto, cpu, opencl or cuda\n");
                return 2;
            }
            sweep_backend = val;
        } else if (strcmp(arg, "--runs") == 0) {
            if ((rc = parse_count("--runs", val, 1, 1u << 20, &v)))
                return rc;
            z.runs = (uint32_t)v;
        } else if (strcmp(arg, "--populations") == 0) {
            if ((rc = parse_count("--populations", val, 1, 1u << 20, &v)))
                return rc;
            z.populations = (uint32_t)v;
        } else if (strcmp(arg, "--generations") == 0) {
            if ((rc = parse_count("--generations", val, 1, 1000000, &v)))
                return rc;
            z.generations = v;
            z.mixed_generations = v;
            z.reputation_generations = v;
        } else if (strcmp(arg, "--threads") == 0) {
            if ((rc = parse_count("--threads", val, 0, 4096, &v)))
                return rc;
            threads = (int)v;
        } else if (strcmp(arg, "--format") == 0) {
            if (strcmp(val, "table") != 0 && strcmp(val, "json") != 0) {
                fprintf(dlm_err(), "dilemma bench: --format must be table or json\n");
                return 2;
            }
            json = strcmp(val, "json") == 0;
        } else {
            fprintf(dlm_err(), "dilemma bench: unknown option '%s' (see dilemma bench --help)\n",
                    arg);
            return 2;
        }
    }
    for (i = 0; i < 9 && !rc; ++i) {
        if (strcmp(workload, "all") != 0 && strcmp(workload, names[i]) != 0)
            continue;
        if (i == 4 && strcmp(workload, "all") == 0)
            continue; /* minutes of processes: only when asked for */
        if (i == 4)
            rc = bench_sweep((unsigned)sweep_side, (unsigned)sweep_reps, sweep_backend, json);
        else if (i == 0)
            rc = bench_match((size_t)pairs, (uint32_t)rounds, threads, json);
        else
            rc = bench_evolution(names[i], &z, threads, json);
    }
    return rc;
}

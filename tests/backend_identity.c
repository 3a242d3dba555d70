/* backend_identity.c — one device backend against the CPU reference (DESIGN.md §4, §9),
 * written once for every backend and run through its shim (tests/backend_identity.h).
 * The program (dlm_identity_main) and the tests, in the order they run:
 *
 *   1. known answers on the device: Philox4x32-10 and the bits of the math, device
 *      against host (backend_identity_known.c);
 *   2. batches of matches covering every strategy representation (library, random
 *      memory-one, lookup tables of depth 1-3, Moore machines of 1-16 states), both noise
 *      channels, reaction periods, observation delays, fixed and geometric lengths:
 *      results memcmp-equal to the CPU backend; a job naming what the batch lacks refused
 *      as the CPU refuses it (here);
 *   3. tournaments through dlm_play_scenario_tournament: every number of the report equal
 *      (here);
 *   4. evolution, one test per scenario, and the resident interface
 *      (backend_identity_evolution.c);
 *   5. the shim's own tests.
 * Also compiles kernels/dlm_entry.h as C11 (DESIGN.md §2).
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include "backend_identity_body.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlm_entry.h" /* the device entry points' model code: here it must compile as C11 */
#include "dlm_philox.h"
#include "run/play.h"
#include "model/strategies.h"

dlm_identity_run identity;

dlm_backend *dlm_identity_device(void)
{
    return identity.dev_be;
}

const char *dlm_identity_scratch(void)
{
    return identity.scratch;
}

dlm_backend *dlm_identity_open_device(void)
{
    dlm_backend_options opt = {1, -1, -1, 0};
    dlm_backend *be = NULL;
    dlm_error err;
    if (identity.dev_ops->create(&opt, &be, &err) != DLM_OK)
        fail_msg("%s create: %s", identity.dev_ops->name, err.message);
    return be;
}

/* --- 2. matches ------------------------------------------------------------------------ */

#define MAX_STRATS 256

/* Strategies of every representation: the library, then random ones. */
static size_t make_strategies(dlm_strategy *s)
{
    dlm_game game;
    dlm_error err;
    size_t n = 0, i;
    uint64_t stream = dlm_stream_id(DLM_PURPOSE_BENCH, 7, 7);
    assert_int_equal(dlm_game_preset("pd", NAN, NAN, &game, &err), DLM_OK);
    for (i = 0; i < dlm_strategy_library_count() && n < 100; ++i) {
        dlm_strategy_def def;
        if (dlm_strategy_parse(dlm_strategy_library_entry(i)->name, &game, &def, &err) == DLM_OK)
            s[n++] = def.model;
    }
    for (i = 0; n < MAX_STRATS; ++i) {
        dlm_u32x4 a = dlm_philox_window_block(5, stream, (uint32_t)i, 0);
        dlm_u32x4 b = dlm_philox_window_block(5, stream, (uint32_t)i, 1);
        dlm_strategy *t = &s[n++];
        memset(t, 0, sizeof *t);
        if (i % 3 == 0) { /* memory-one, some entries exactly 0 or 1 */
            int k;
            t->kind = DLM_STRAT_MEMORY_ONE;
            for (k = 0; k < 5; ++k) {
                uint32_t w = k < 4 ? a.v[k] : b.v[0];
                t->threshold[k] = (w & 7u) == 0 ? 0u : (w & 7u) == 1 ? (uint64_t)1 << 32 : w;
            }
        } else if (i % 3 == 1) { /* lookup, depth 1..3 */
            uint32_t depth = 1u + a.v[0] % 3u, entries = 1u << (2u * depth); /* 4, 16, 64 */
            t->kind = DLM_STRAT_LOOKUP;
            t->depth = depth;
            t->table = (uint64_t)a.v[1] << 32 | a.v[2];
            if (entries < 64)
                t->table &= ((uint64_t)1 << entries) - 1u;
            t->opening = a.v[3] & ((1u << depth) - 1u);
        } else { /* Moore machine, 1..16 states */
            uint32_t states = 1u + a.v[0] % 16u, k;
            t->kind = DLM_STRAT_FSM;
            t->depth = states;
            t->opening = a.v[1] % states;
            t->fsm_output = a.v[2] & ((1u << states) - 1u);
            for (k = 0; k < states; ++k) {
                dlm_u32x4 c = dlm_philox_window_block(5, stream, (uint32_t)i, 2 + k);
                t->fsm_next_c |= (uint64_t)(c.v[0] % states) << (4u * k);
                t->fsm_next_d |= (uint64_t)(c.v[1] % states) << (4u * k);
            }
        }
    }
    return n;
}

static void play_both(const dlm_match_batch *b, const char *what)
{
    dlm_match_result *ref = calloc(b->n_jobs, sizeof *ref), *got = calloc(b->n_jobs, sizeof *got);
    dlm_error err;
    size_t i;
    assert_non_null(ref);
    assert_non_null(got);
    if (identity.cpu_ops->play_matches(identity.cpu_be, b, ref, &err) != DLM_OK)
        fail_msg("cpu: %s", err.message);
    if (identity.dev_ops->play_matches(identity.dev_be, b, got, &err) != DLM_OK)
        fail_msg("%s: %s", identity.dev_ops->name, err.message);
    for (i = 0; i < b->n_jobs; ++i)
        if (memcmp(&ref[i], &got[i], sizeof ref[i]) != 0)
            fail_msg("%s: job %zu (strategies %u, %u; params %u, %u): cpu %u rounds "
                     "%u/%u/%u/%u, %s %u rounds %u/%u/%u/%u",
                     what, i, b->jobs[i].strategy[0], b->jobs[i].strategy[1], b->jobs[i].params[0],
                     b->jobs[i].params[1], ref[i].rounds, ref[i].outcome[0], ref[i].outcome[1],
                     ref[i].outcome[2], ref[i].outcome[3], identity.dev_ops->name, got[i].rounds,
                     got[i].outcome[0], got[i].outcome[1], got[i].outcome[2], got[i].outcome[3]);
    free(ref);
    free(got);
}

static void test_matches_identical_to_cpu(void **state)
{
    static dlm_strategy strategies[MAX_STRATS];
    static const struct {
        double e, p;
        uint32_t k, d;
    } settings[] = {{0, 0, 1, 0},    {0.05, 0, 1, 0}, {0, 0.03, 1, 0},   {0.02, 0.02, 3, 0},
                    {0.01, 0, 1, 5}, {0, 0.05, 2, 2}, {0.1, 0.1, 7, 60}, {1, 0, 1, 0},
                    {0, 1, 1, 0},    {0.5, 0.5, 4, 1}};
    enum { N_PARAMS = sizeof settings / sizeof settings[0], N_JOBS = 6000 };
    dlm_player_params params[N_PARAMS];
    static dlm_match_job jobs[N_JOBS];
    dlm_match_batch b;
    size_t n = make_strategies(strategies), i;
    int geometric;
    (void)state;
    for (i = 0; i < N_PARAMS; ++i) {
        params[i].execution_error = dlm_probability_threshold(settings[i].e);
        params[i].perception_error = dlm_probability_threshold(settings[i].p);
        params[i].reaction_period = settings[i].k;
        params[i].observation_delay = settings[i].d;
    }
    for (i = 0; i < N_JOBS; ++i) {
        dlm_u32x4 r = dlm_philox_block(77, 3, i);
        jobs[i].strategy[0] = r.v[0] % n;
        jobs[i].strategy[1] = r.v[1] % n;
        jobs[i].params[0] = r.v[2] % N_PARAMS;
        jobs[i].params[1] = (r.v[2] >> 16) % N_PARAMS;
        jobs[i].population = r.v[3] & 0xFFFFFu;
        jobs[i].index = (uint32_t)i * 2654435761u;
        jobs[i].generation = ((uint64_t)r.v[3] << 8) & 0xFFFFFFFFFFull;
    }
    memset(&b, 0, sizeof b);
    b.seed = 0x0123456789ABCDEFull;
    b.strategies = strategies;
    b.n_strategies = n;
    b.params = params;
    b.n_params = N_PARAMS;
    b.jobs = jobs;
    b.n_jobs = N_JOBS;
    for (geometric = 0; geometric < 2; ++geometric) {
        b.rules.geometric = (uint32_t)geometric;
        b.rules.rounds = geometric ? 400 : 157;
        b.rules.continuation = geometric ? dlm_probability_threshold(0.97) : 0;
        play_both(&b, geometric ? "geometric length" : "fixed length");
    }
    b.rules.geometric = 1; /* w = 1: every match runs to its cap */
    b.rules.rounds = 33;
    b.rules.continuation = (uint64_t)1 << 32;
    play_both(&b, "geometric, w = 1");
    b.n_jobs = 1; /* a single job */
    play_both(&b, "one job");
    printf("    %d jobs x 3 rule sets over %zu strategies (memory-one, lookup, fsm) and %d "
           "noise/timescale settings: identical\n",
           N_JOBS, n, (int)N_PARAMS);
}

/* A batch of two memory-one players (5 rounds) and the jobs given, claiming n_strategies
 * strategies (above 2 only where the backend must refuse them unread). */
static void small_batch(dlm_match_batch *b, dlm_strategy s[2], dlm_player_params *p,
                        size_t n_strategies, const dlm_match_job *jobs, size_t n_jobs)
{
    memset(s, 0, 2 * sizeof *s);
    memset(p, 0, sizeof *p);
    s[0].kind = s[1].kind = DLM_STRAT_MEMORY_ONE;
    p->reaction_period = 1;
    memset(b, 0, sizeof *b);
    b->strategies = s;
    b->n_strategies = n_strategies;
    b->params = p;
    b->n_params = 1;
    b->rules.rounds = 5;
    b->jobs = jobs;
    b->n_jobs = n_jobs;
}

dlm_status dlm_identity_play_claiming(size_t n_strategies, dlm_error *err)
{
    dlm_strategy s[2];
    dlm_player_params p;
    dlm_match_job job;
    dlm_match_result out;
    dlm_match_batch b;
    memset(&job, 0, sizeof job);
    small_batch(&b, s, &p, n_strategies, &job, 1);
    return identity.dev_ops->play_matches(identity.dev_be, &b, &out, err);
}

/* A job naming a strategy outside the batch: refused before anything runs, on the device
 * as on the reference. */
static void test_bad_job_is_refused_like_cpu(void **state)
{
    dlm_strategy s[2];
    dlm_player_params p;
    dlm_match_job jobs[9];
    dlm_match_result out[9];
    dlm_match_batch b;
    dlm_error err;
    (void)state;
    memset(jobs, 0, sizeof jobs);
    jobs[7].strategy[1] = 2;
    small_batch(&b, s, &p, 2, jobs, 9);
    assert_int_equal(identity.dev_ops->play_matches(identity.dev_be, &b, out, &err),
                     DLM_ERR_RUNTIME);
    assert_non_null(strstr(err.message, "job 7"));
    assert_int_equal(identity.cpu_ops->play_matches(identity.cpu_be, &b, out, &err),
                     DLM_ERR_RUNTIME);
    assert_non_null(strstr(err.message, "job 7"));
}

/* --- 3. tournaments -------------------------------------------------------------------- */

static void test_tournament_identical_to_cpu(void **state)
{
    static const char *names[] = {"tft",
                                  "wsls",
                                  "gtft",
                                  "grim",
                                  "tf2t",
                                  "prober",
                                  "random",
                                  "alld",
                                  "m1(0.9,0.8,0.1,0.7,0.2)",
                                  "lookup(2,CD,CCDDCCDDCDCDCDCD)",
                                  "fsm(C:0:1,D:2:1,D:0:1)",
                                  "extort"};
    enum { N = sizeof names / sizeof names[0] };
    dlm_player_spec entrants[N];
    dlm_scenario sc;
    dlm_tournament_report a, b;
    dlm_error err;
    size_t i;
    int geometric;
    (void)state;
    for (geometric = 0; geometric < 2; ++geometric) {
        memset(&sc, 0, sizeof sc);
        assert_int_equal(dlm_game_preset("pd", NAN, NAN, &sc.game, &err), DLM_OK);
        sc.mode = DLM_MODE_TOURNAMENT;
        sc.seed = 1234 + (uint64_t)geometric;
        sc.rounds = geometric ? 300 : 120;
        sc.geometric = geometric;
        sc.continuation = 0.95;
        sc.repetitions = 3;
        sc.self_play = 1;
        for (i = 0; i < N; ++i) {
            memset(&entrants[i], 0, sizeof entrants[i]);
            SET(entrants[i].strategy, names[i]);
            entrants[i].execution_error = (double)(i % 3) * 0.01;
            entrants[i].perception_error = (double)(i % 4) * 0.01;
            entrants[i].reaction_period = 1u + (uint32_t)(i % 5 == 4 ? 3 : 0);
            entrants[i].observation_delay = (uint32_t)(i % 6 == 5 ? 2 : 0);
        }
        sc.entrants = entrants;
        sc.n_entrants = N;
        if (dlm_play_scenario_tournament(&sc, identity.cpu_ops, identity.cpu_be, &a, &err) !=
            DLM_OK)
            fail_msg("cpu: %s", err.message);
        if (dlm_play_scenario_tournament(&sc, identity.dev_ops, identity.dev_be, &b, &err) !=
            DLM_OK)
            fail_msg("%s: %s", identity.dev_ops->name, err.message);
        assert_int_equal(a.n, b.n);
        assert_memory_equal(a.matrix, b.matrix, N * N * sizeof *a.matrix);
        assert_memory_equal(a.mean_payoff, b.mean_payoff, N * sizeof *a.mean_payoff);
        assert_memory_equal(a.wins, b.wins, N * sizeof *a.wins);
        assert_memory_equal(a.matches, b.matches, N * sizeof *a.matches);
        assert_memory_equal(a.cooperation, b.cooperation, N * sizeof *a.cooperation);
        assert_memory_equal(a.rank, b.rank, N * sizeof *a.rank);
        assert_true(a.total_matches == b.total_matches && a.total_rounds == b.total_rounds);
        dlm_tournament_report_free(&a);
        dlm_tournament_report_free(&b);
    }
    printf("    %d entrants with mixed noise and timescales, fixed and geometric: identical\n",
           (int)N);
}

/* --- the program ----------------------------------------------------------------------- */

static int rm_rf(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    if (!d)
        return remove(path);
    while ((e = readdir(d)) != NULL) {
        char sub[1024];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        rm_rf(sub);
    }
    closedir(d);
    return rmdir(path);
}

/* The shared tests in the order they run, then the shim's: into all (at most max); returns
 * how many, or max + 1 where they do not fit. */
static size_t collect_tests(struct CMUnitTest *all, size_t max)
{
    static const struct CMUnitTest matches[] = {
        cmocka_unit_test(test_matches_identical_to_cpu),
        cmocka_unit_test(test_bad_job_is_refused_like_cpu),
        cmocka_unit_test(test_tournament_identical_to_cpu),
    };
    size_t n = dlm_identity_known_answer_tests(all, 0, max), i;
    if (n + N_OF(matches) > max)
        return max + 1;
    for (i = 0; i < N_OF(matches); ++i)
        all[n++] = matches[i];
    n = dlm_identity_evolution_tests(all, n, max);
    if (n + identity.shim->n_tests > max)
        return max + 1;
    for (i = 0; i < identity.shim->n_tests; ++i)
        all[n++] = identity.shim->tests[i];
    return n;
}

int dlm_identity_main(const dlm_identity_shim *s)
{
    static struct CMUnitTest tests[256];
    char why[512] = "", group[64];
    dlm_backend_options opt = {2, -1, -1, 0};
    dlm_error err;
    const char *tmp = getenv("TMPDIR");
    size_t n;
    int rc;
    identity.shim = s;
    identity.dev_ops = s->ops;
    snprintf(group, sizeof group, "test_%s", identity.dev_ops->name);
    if (!identity.dev_ops->available(why, sizeof why)) {
        printf("%s: skipped: %s\n", group, why);
        return 77;
    }
    n = collect_tests(tests, N_OF(tests));
    if (n > N_OF(tests)) {
        fprintf(stderr, "%s: more tests than the runner holds\n", group);
        return 1;
    }
    snprintf(identity.scratch, sizeof identity.scratch, "%s/dlm_%s_XXXXXX",
             tmp && tmp[0] ? tmp : "/tmp", group);
    if (!mkdtemp(identity.scratch)) {
        perror("mkdtemp");
        return 1;
    }
    if (s->prepare)
        s->prepare(identity.scratch);
    if (dlm_backend_open("cpu", &opt, NULL, &identity.cpu_ops, &identity.cpu_be, &err) != DLM_OK) {
        fprintf(stderr, "%s: cpu backend: %s\n", group, err.message);
        return 1;
    }
    opt.threads = 1;
    if (identity.dev_ops->create(&opt, &identity.dev_be, &err) != DLM_OK) {
        fprintf(stderr, "%s: %s backend: %s\n", group, identity.dev_ops->name, err.message);
        return 1;
    }
    printf("%s: %s against %s\n", group, identity.dev_ops->describe(identity.dev_be),
           identity.cpu_ops->describe(identity.cpu_be));
    if (getenv("DLM_TEST_FILTER")) /* e.g. DLM_TEST_FILTER='*evolution*' runs only those */
        cmocka_set_test_filter(getenv("DLM_TEST_FILTER"));
    rc = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
    identity.dev_ops->destroy(identity.dev_be);
    identity.cpu_ops->destroy(identity.cpu_be);
    rm_rf(identity.scratch);
    return rc;
}

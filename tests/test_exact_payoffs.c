/* test_exact_payoffs.c — `payoff: exact` computed once per run and its options
 * (host/plan/evolve_types.c, kernels/dlm_exact.h, kernels/dlm_evolve.h):
 *   - the cache of every type pair's exact payoff changes no byte: each scenario run with
 *     the plan's cache and with the cache switched off (every evaluation solving its
 *     chains, as before the cache) writes the same records;
 *   - which runs have a cache (a finite set of strategies) and which do not (continuous
 *     mutation);
 *   - the long-run payoff of the endless game (`exact: long-run`) against the stationary
 *     distribution of host/run/analyze.c (`dilemma analyze`) and closed forms;
 *   - estimated payoffs (`payoff: estimated`): each type pair's estimate within 4 of its
 *     standard errors of the exact payoff, and keyed by the seed only;
 *   - strategy costs (`cost:`): an agent's evaluated payoff less its cost per round, by
 *     hand, and the fixation probability of a costless mutant against the closed form of
 *     a Moran process with constant fitness (within 4 standard errors).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends/backend.h"
#include "dlm_evolve.h"
#include "model/strategies.h"
#include "output/evolve_output.h"
#include "run/analyze.h"

#define SET(field, text) snprintf((field), sizeof(field), "%s", (text))

static dlm_share shares4[4], set4[4], cost_tft[1], tft_alld[2];
static dlm_class_spec two_classes[2];

static void fixtures(void)
{
    static const char *const names[4] = {"tft", "alld", "wsls", "gtft"};
    int i;
    memset(shares4, 0, sizeof shares4);
    for (i = 0; i < 4; ++i) {
        SET(shares4[i].strategy, names[i]);
        shares4[i].share = 0.25;
        set4[i] = shares4[i];
    }
    memset(cost_tft, 0, sizeof cost_tft);
    SET(cost_tft[0].strategy, "tft");
    memset(tft_alld, 0, sizeof tft_alld);
    SET(tft_alld[0].strategy, "tft");
    SET(tft_alld[1].strategy, "alld");
    tft_alld[0].share = tft_alld[1].share = 0.5;
    memset(two_classes, 0, sizeof two_classes);
    SET(two_classes[0].name, "careful");
    two_classes[0].share = 0.5;
    two_classes[0].player.execution_error = 0.01;
    two_classes[0].player.reaction_period = 1;
    SET(two_classes[1].name, "sloppy");
    two_classes[1].share = 0.5;
    two_classes[1].player.execution_error = 0.05;
    two_classes[1].player.perception_error = 0.02;
    two_classes[1].player.reaction_period = 1;
}

/* One WSLS mutant among TFT, fermi, exact payoffs of noisy 50-round matches. */
static void scenario_init(dlm_scenario *sc, const char *rule, uint32_t n, uint32_t pops)
{
    dlm_evolution_spec *ev = &sc->evolution;
    dlm_error err;
    memset(sc, 0, sizeof *sc);
    assert_int_equal(dlm_game_preset("pd", NAN, NAN, &sc->game, &err), DLM_OK);
    sc->game_b = sc->game;
    SET(sc->name, "test_exact_payoffs");
    sc->mode = DLM_MODE_EVOLVE;
    sc->seed = 4242;
    sc->rounds = 50;
    sc->match_defaults.reaction_period = 1;
    sc->match_defaults.execution_error = 0.01;
    ev->population = n;
    ev->populations = pops;
    ev->generations = 30;
    ev->record_every = 5;
    SET(ev->rule, rule);
    ev->selection = 1.0;
    SET(ev->fitness, "linear");
    SET(ev->structure.type, "well-mixed");
    ev->replacement = ev->structure;
    SET(ev->mutation_kind, "none");
    SET(ev->initial, "mutant");
    SET(ev->resident, "tft");
    SET(ev->mutant, "wsls");
    ev->mutants = 1;
    ev->payoff_exact = 1;
    ev->tolerance = 0.0;
}

static void open_cpu(const dlm_backend_ops **ops, dlm_backend **be)
{
    dlm_backend_options opt = {2, -1, -1, 0};
    dlm_error err;
    if (dlm_backend_open("cpu", &opt, NULL, ops, be, &err) != DLM_OK)
        fail_msg("dlm_backend_open: %s", err.message);
}

/* Runs the planned scenario on the CPU backend; its records (jsonl) into *text. */
static size_t run_records(const dlm_scenario *sc, const dlm_evo_plan *plan, char **text,
                          dlm_evo_outcome *out)
{
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_error err;
    FILE *fp = tmpfile();
    long len;
    assert_non_null(fp);
    open_cpu(&ops, &be);
    if (dlm_evolve(sc, plan, ops, be, fp, DLM_FMT_JSONL, out, &err) != DLM_OK)
        fail_msg("dlm_evolve: %s", err.message);
    ops->destroy(be);
    len = ftell(fp);
    assert_true(len > 0);
    rewind(fp);
    *text = malloc((size_t)len + 1);
    assert_non_null(*text);
    assert_int_equal(fread(*text, 1, (size_t)len, fp), (size_t)len);
    (*text)[len] = '\0';
    fclose(fp);
    return (size_t)len;
}

static void build_plan(const dlm_scenario *sc, dlm_evo_plan *plan)
{
    dlm_error err;
    if (dlm_evo_plan_build(sc, plan, &err) != DLM_OK)
        fail_msg("dlm_evo_plan_build: %s", err.message);
}

/* The scenario with its cache and without (cache_classes = 0: every evaluation solves its
 * chains): the same records, byte for byte. */
static void assert_cache_changes_nothing(const dlm_scenario *sc, const char *what)
{
    dlm_evo_plan plan;
    dlm_evo_outcome *out = calloc(sc->evolution.populations, sizeof *out);
    char *cached, *computed;
    size_t a, b;
    assert_non_null(out);
    build_plan(sc, &plan);
    if (plan.params.cache_classes == 0 || plan.params.n_types == 0)
        fail_msg("%s: the plan has no cache", what);
    a = run_records(sc, &plan, &cached, out);
    plan.params.cache_classes = 0;
    b = run_records(sc, &plan, &computed, out);
    if (a != b || memcmp(cached, computed, a) != 0)
        fail_msg("%s: records differ with and without the cache", what);
    print_message("    %-62s %6zu bytes of records identical\n", what, a);
    free(cached);
    free(computed);
    free(out);
    dlm_evo_plan_free(&plan);
}

static void test_cache_changes_no_byte(void **state)
{
    dlm_scenario sc;
    (void)state;
    fixtures();
    scenario_init(&sc, "fermi", 30, 4); /* the fixation workload, smaller */
    assert_cache_changes_nothing(&sc, "fermi, one wsls among tft");
    scenario_init(&sc, "moran-bd", 20, 3);
    SET(sc.evolution.initial, "shares");
    sc.evolution.shares = shares4;
    sc.evolution.n_shares = 4;
    SET(sc.evolution.mutation_kind, "set");
    sc.evolution.mutation_rate = 0.05;
    sc.evolution.mutation_set = set4;
    sc.evolution.n_mutation_set = 4;
    sc.evolution.classes = two_classes;
    sc.evolution.n_classes = 2;
    sc.evolution.accumulate_total = 1;
    sc.evolution.selection = 0.01;
    assert_cache_changes_nothing(&sc, "moran-bd, set mutation, two classes, total");
    sc.geometric = 1;
    sc.continuation = 0.9;
    SET(sc.evolution.rule, "wright-fisher");
    assert_cache_changes_nothing(&sc, "wright-fisher, geometric matches (w = 0.9)");
    SET(sc.evolution.rule, "moran-db");
    sc.evolution.structure.partners = 3;
    sc.evolution.replacement = sc.evolution.structure;
    sc.evolution.exact_long_run = 1;
    assert_cache_changes_nothing(&sc, "moran-db, sampled (3), long-run payoffs");
}

/* A cache exactly where the set of strategies is finite. */
static void test_cache_only_for_finite_sets(void **state)
{
    dlm_scenario sc;
    dlm_evo_plan plan;
    (void)state;
    fixtures();
    scenario_init(&sc, "fermi", 10, 1);
    build_plan(&sc, &plan);
    assert_int_equal(plan.params.n_types, 2); /* tft, wsls */
    assert_int_equal(plan.params.cache_classes, 1);
    assert_int_equal(plan.n_exact, 2 + 2 * 2 * 2);
    dlm_evo_plan_free(&plan);
    SET(sc.evolution.mutation_kind, "gaussian");
    sc.evolution.mutation_rate = 0.1;
    sc.evolution.sigma = 0.05;
    build_plan(&sc, &plan);
    assert_int_equal(plan.params.n_types, 0); /* continuous: computed per evaluation */
    assert_int_equal(plan.params.cache_classes, 0);
    dlm_evo_plan_free(&plan);
    sc.evolution.payoff_exact = 0; /* played payoffs have no cache */
    SET(sc.evolution.mutation_kind, "none");
    sc.evolution.mutation_rate = 0.0;
    build_plan(&sc, &plan);
    assert_int_equal(plan.params.n_types, 0);
    dlm_evo_plan_free(&plan);
}

/* --- the long run of the endless game ------------------------------------------------- */

static dlm_strategy m1(const double p[5])
{
    dlm_strategy s;
    int i;
    memset(&s, 0, sizeof s);
    s.kind = DLM_STRAT_MEMORY_ONE;
    for (i = 0; i < 5; ++i)
        s.threshold[i] = dlm_probability_threshold(p[i]);
    return s;
}

static dlm_player_params player(double e, double q)
{
    dlm_player_params pp;
    memset(&pp, 0, sizeof pp);
    pp.execution_error = dlm_probability_threshold(e);
    pp.perception_error = dlm_probability_threshold(q);
    pp.reaction_period = 1;
    return pp;
}

/* The kernel's long run against analyze.c's (GTH on each closed class, absorption into
 * them): every pair of a small library, with and without noise (reducible chains with
 * several closed classes included). */
static void test_long_run_agrees_with_analyze(void **state)
{
    static const double lib[7][5] = {
        {1, 1, 0, 1, 0},       /* tft */
        {0, 0, 0, 0, 0},       /* alld */
        {1, 1, 1, 1, 1},       /* allc */
        {1, 1, 0, 0, 1},       /* wsls */
        {1, 1, 0.3, 1, 0.3},   /* gtft */
        {0.5, 0.5, 0.5, 0.5, 0.5}, /* random */
        {1, 0.9, 0.1, 0.6, 0.2}};  /* arbitrary */
    static const double noise[4][2] = {{0, 0}, {0.01, 0}, {0, 0.03}, {0.05, 0.02}};
    const double pay[4] = {3, 0, 5, 1};
    dlm_game pd;
    dlm_error err;
    int i, j, k, l, checked = 0;
    (void)state;
    assert_int_equal(dlm_game_preset("pd", NAN, NAN, &pd, &err), DLM_OK);
    for (i = 0; i < 7; ++i)
        for (j = 0; j < 7; ++j)
            for (k = 0; k < 4; ++k) {
                dlm_strategy a = m1(lib[i]), b = m1(lib[j]);
                dlm_player_params pa = player(noise[k][0], noise[k][1]);
                dlm_player_params pb = player(noise[(k + 1) % 4][0], noise[(k + 1) % 4][1]);
                dlm_exact_input in;
                dlm_exact_result r;
                double sum[4], total;
                memset(&in, 0, sizeof in);
                for (l = 0; l < 5; ++l) { /* probabilities as the engine sees them */
                    in.a[l] = (double)a.threshold[l] / 4294967296.0;
                    in.b[l] = (double)b.threshold[l] / 4294967296.0;
                }
                in.execution_error[0] = (double)pa.execution_error / 4294967296.0;
                in.perception_error[0] = (double)pa.perception_error / 4294967296.0;
                in.execution_error[1] = (double)pb.execution_error / 4294967296.0;
                in.perception_error[1] = (double)pb.perception_error / 4294967296.0;
                in.reaction_period[0] = in.reaction_period[1] = 1;
                in.rounds = 10;
                if (dlm_exact_memory_one(&in, &pd, &r, &err) != DLM_OK)
                    fail_msg("analyze: %s", err.message);
                dlm_exact_long_run_sums(&a, &b, &pa, &pb, sum, &total);
                for (l = 0; l < 4; ++l)
                    if (fabs(sum[l] - r.stationary[l]) > 1e-9)
                        fail_msg("pair %d-%d, noise %d: outcome %d long run %.17g, analyze "
                                 "%.17g", i, j, k, l, sum[l], r.stationary[l]);
                if (fabs(dlm_exact_sums_payoff(sum, total, pay) - r.long_run_payoff[0]) > 1e-9)
                    fail_msg("pair %d-%d, noise %d: long-run payoff differs", i, j, k);
                ++checked;
            }
    print_message("    %d pairs (7 x 7 strategies x 4 noise settings) within 1e-9\n", checked);
}

/* Closed forms: TFT against TFT under execution error e has the uniform stationary
 * distribution (payoff (R + S + T + P) / 4, whatever e > 0); without noise it cooperates
 * forever (R); ALLD against ALLC earns T. */
static void test_long_run_closed_forms(void **state)
{
    static const double tft[5] = {1, 1, 0, 1, 0}, alld[5] = {0, 0, 0, 0, 0},
                        allc[5] = {1, 1, 1, 1, 1};
    const double pay[4] = {3, 0, 5, 1};
    dlm_strategy t = m1(tft), d = m1(alld), c = m1(allc);
    dlm_player_params noisy = player(0.01, 0), clean = player(0, 0);
    double sum[4], total;
    (void)state;
    dlm_exact_long_run_sums(&t, &t, &noisy, &noisy, sum, &total);
    assert_true(fabs(dlm_exact_sums_payoff(sum, total, pay) - 2.25) < 1e-12);
    dlm_exact_long_run_sums(&t, &t, &clean, &clean, sum, &total);
    assert_true(dlm_exact_sums_payoff(sum, total, pay) == 3.0);
    dlm_exact_long_run_sums(&d, &c, &clean, &clean, sum, &total);
    assert_true(dlm_exact_sums_payoff(sum, total, pay) == 5.0);
}

/* --- costs ----------------------------------------------------------------------------- */

/* The model's world over a plan's arrays (what the CPU backend uploads). */
static dlm_evo_world world_of(const dlm_evo_plan *plan)
{
    dlm_evo_world w;
    memset(&w, 0, sizeof w);
    w.params = &plan->params;
    w.classes = plan->classes;
    w.table = plan->table;
    w.strategy = plan->strategies;
    w.agent_class = plan->agent_class;
    w.exact = plan->exact;
    return w;
}

/* Agent x's evaluated payoff (exact payoffs draw no random numbers). */
static double evaluate(const dlm_evo_plan *plan, uint32_t x)
{
    dlm_evo_world w = world_of(plan);
    dlm_evo_counts counts;
    dlm_cursor partners = dlm_cursor_at(1, 1, 0);
    uint32_t slot = 0;
    memset(&counts, 0, sizeof counts);
    return dlm_evo_evaluate(&w, &plan->populations[0], &plan->params, x, 1, 2, 0, &slot,
                            &partners, &counts);
}

/* Two TFT and two ALLD, 200-round matches without noise: TFT earns R against TFT and
 * (S + 199 P) / 200 against ALLD; with cost c it earns c less per round of each match
 * (mean: c less, total: 3c less); ALLD, without a cost, is unchanged. */
static void test_cost_is_subtracted_per_round(void **state)
{
    dlm_scenario sc;
    dlm_evo_plan plan;
    double against_alld = (0.0 + 199.0 * 1.0) / 200.0, mean = (3.0 + 2.0 * against_alld) / 3.0;
    double alld_mean = (2.0 * (5.0 + 199.0) / 200.0 + 1.0) / 3.0;
    uint32_t x;
    int accumulate;
    (void)state;
    fixtures();
    for (accumulate = 0; accumulate < 2; ++accumulate) {
        scenario_init(&sc, "fermi", 4, 1);
        sc.rounds = 200;
        sc.match_defaults.execution_error = 0.0;
        SET(sc.evolution.initial, "shares");
        sc.evolution.shares = tft_alld;
        sc.evolution.n_shares = 2;
        sc.evolution.accumulate_total = accumulate;
        cost_tft[0].share = 0.25;
        sc.evolution.costs = cost_tft;
        sc.evolution.n_costs = 1;
        build_plan(&sc, &plan);
        assert_int_equal(plan.params.costs, 1);
        for (x = 0; x < 4; ++x) {
            int is_tft = plan.strategies[x].threshold[0] != 0; /* tft opens with C */
            double expect = is_tft ? mean - 0.25 : alld_mean;
            if (accumulate)
                expect = is_tft ? 3.0 * mean - 0.75 : 3.0 * alld_mean;
            if (fabs(evaluate(&plan, x) - expect) > 1e-12)
                fail_msg("agent %u (%s), accumulate %d: %.17g, expected %.17g", x,
                         is_tft ? "tft" : "alld", accumulate, evaluate(&plan, x), expect);
        }
        dlm_evo_plan_free(&plan);
    }
}

/* ALLC and TFT without noise both always cooperate, so a cost c on TFT is all that tells
 * them apart: with linear fitness and w the fitnesses are constant, f_allc = 1 - w + w R
 * and f_tft = 1 - w + w (R - c), and one ALLC mutant among TFT fixes with the Moran
 * probability (1 - 1/r) / (1 - 1/r^N), r = f_allc / f_tft. */
static void test_cost_decides_fixation_as_moran_constant_fitness(void **state)
{
    dlm_scenario sc;
    dlm_evo_plan plan;
    dlm_evo_outcome *out;
    char *text;
    const uint32_t n = 10, pops = 2000;
    double w = 0.5, c = 1.0, r = (1 - w + w * 3.0) / (1 - w + w * (3.0 - c));
    double rho = (1 - 1 / r) / (1 - pow(1 / r, n)), p, se;
    uint32_t i, hits = 0, allc = 99;
    (void)state;
    fixtures();
    scenario_init(&sc, "moran-bd", n, pops);
    sc.rounds = 1;
    sc.match_defaults.execution_error = 0.0;
    SET(sc.evolution.mutant, "allc");
    sc.evolution.selection = w;
    sc.evolution.generations = 100000;
    sc.evolution.record_every = 100000;
    sc.evolution.stop_at_fixation = 1;
    cost_tft[0].share = c;
    sc.evolution.costs = cost_tft;
    sc.evolution.n_costs = 1;
    build_plan(&sc, &plan);
    for (i = 0; i < plan.n_named; ++i)
        if (plan.named[i].threshold[2] != 0 && plan.named[i].threshold[4] != 0)
            allc = i;
    assert_true(allc < plan.n_named);
    out = calloc(pops, sizeof *out);
    assert_non_null(out);
    run_records(&sc, &plan, &text, out);
    for (i = 0; i < pops; ++i) {
        assert_true(out[i].fixed);
        hits += out[i].fixed_named == (int)allc;
    }
    p = (double)hits / pops;
    se = sqrt(p * (1 - p) / pops);
    print_message("    P(allc fixes) = %.4f +- %.4f, Moran with r = %.4f: %.4f\n", p, se, r, rho);
    if (fabs(p - rho) > 4 * se)
        fail_msg("fixation %.4f is more than 4 s.e. (%.4f) from %.4f", p, se, rho);
    free(text);
    free(out);
    dlm_evo_plan_free(&plan);
}

/* `payoff: estimated`: every type pair's estimate (M noisy matches, played once per run)
 * lies within 4 of its standard errors of the pair's exact payoff (dlm_exact.h), for
 * fixed-length matches, within a class and across two classes (geometric matches are
 * left out: the estimate is the mean of each match's payoff per round, as a played
 * evaluation scores it, while the exact payoff of a geometric match is its expected
 * total over its expected length — not the same number); the estimates depend on the
 * seed (another seed, other numbers) and on nothing else (the same seed, the same bytes). */
static void check_estimates(const dlm_scenario *sc, const char *what)
{
    dlm_evo_plan plan, again;
    const dlm_evo_params *ep;
    uint32_t k, c, cx, cy, tx, ty, pairs = 0;
    double z2 = 0.0;
    dlm_scenario other = *sc;
    build_plan(sc, &plan);
    ep = &plan.params;
    k = ep->n_types;
    c = ep->cache_classes;
    assert_int_equal(ep->payoff_mode, 3);
    assert_true(k >= 2 && c >= 1);
    assert_int_equal(plan.n_estimate_se, (size_t)c * c * k * k);
    for (cx = 0; cx < c; ++cx)
        for (cy = 0; cy < c; ++cy)
            for (tx = 0; tx < k; ++tx)
                for (ty = 0; ty < k; ++ty) {
                    uint32_t pair = ((cx * c + cy) * k + tx) * k + ty;
                    dlm_match_rules rules = ep->rules;
                    double exact = dlm_exact_match_payoff(
                        &plan.table[ep->type_offset + tx], &plan.table[ep->type_offset + ty],
                        &plan.classes[cx], &plan.classes[cy], &rules, ep->payoff, NULL);
                    double est = plan.exact[ep->exact_offset + k + ((size_t)pair << 1)];
                    double se = plan.estimate_se[pair];
                    if (!(se > 0.0) || fabs(est - exact) > 4.0 * se)
                        fail_msg("%s: pair %u: estimate %.6f +- %.6f, exact %.6f", what, pair,
                                 est, se, exact);
                    z2 += (est - exact) * (est - exact) / (se * se);
                    pairs++;
                }
    print_message("    %-52s %3u pairs, mean z^2 %.3f\n", what, pairs, z2 / pairs);
    build_plan(sc, &again);
    assert_memory_equal(plan.exact, again.exact, plan.n_exact * sizeof *plan.exact);
    dlm_evo_plan_free(&again);
    other.seed = sc->seed + 1;
    build_plan(&other, &again);
    assert_int_equal(again.n_exact, plan.n_exact);
    if (memcmp(plan.exact + k, again.exact + k, (plan.n_exact - k) * sizeof *plan.exact) == 0)
        fail_msg("%s: another seed gave the same estimates", what);
    dlm_evo_plan_free(&again);
    dlm_evo_plan_free(&plan);
}

static void test_estimates_within_se_of_exact(void **state)
{
    dlm_scenario sc;
    (void)state;
    fixtures();
    scenario_init(&sc, "fermi", 12, 1);
    SET(sc.evolution.initial, "shares");
    sc.evolution.shares = shares4;
    sc.evolution.n_shares = 4;
    sc.evolution.payoff_exact = 0;
    sc.evolution.payoff_estimated = 1;
    sc.evolution.estimate_matches = 2000;
    sc.match_defaults.execution_error = 0.05;
    check_estimates(&sc, "tft, alld, wsls, gtft; e 0.05, 50 rounds");
    sc.evolution.classes = two_classes;
    sc.evolution.n_classes = 2;
    check_estimates(&sc, "  ... two classes (errors 0.01 and 0.05 + 0.02)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_changes_no_byte),
        cmocka_unit_test(test_cache_only_for_finite_sets),
        cmocka_unit_test(test_estimates_within_se_of_exact),
        cmocka_unit_test(test_long_run_agrees_with_analyze),
        cmocka_unit_test(test_long_run_closed_forms),
        cmocka_unit_test(test_cost_is_subtracted_per_round),
        cmocka_unit_test(test_cost_decides_fixation_as_moran_constant_fitness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

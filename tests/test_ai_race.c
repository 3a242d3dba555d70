/* test_ai_race.c — the idealised AI race (Han, Pereira, Santos & Lenaerts, "To regulate
 * or not: a social dynamics analysis of an idealised AI race", JAIR 69 (2020),
 * arXiv 1907.12393) as the 2x2 preset `ai-race` (host/core/game.c), against known answers:
 *
 *  - the paper's long-run payoff matrix (its Eq. (2)) at the defaults and at hand values;
 *  - parameters out of range refused (DLM_ERR_USAGE), and the config keys (prize, W,
 *    speed, risk) read, defaulted, refused with another preset, swept by --set;
 *  - the exact population analysis (run/analyze_population.h, pairwise comparison in a
 *    well-mixed population of Z = 100, the paper's setting) against the closed form of
 *    its fixation ratio: ln(rho_{S->U} / rho_{U->S}) = beta [Z (T - S) + (Z - 2)(P - R)]/2
 *    (the paper's risk-dominance condition: UNSAFE is favoured iff that is > 0);
 *  - the paper's regions in the (p_r, s) plane (its Fig. 1, the early regime W = 100,
 *    B = 10^4, b = 4, c = 1): UNSAFE is favoured below p_r = 1 - 1/(3s) and SAFE is
 *    collectively better (Pi_SS > Pi_UU) above p_r = 1 - 1/s, so between the two lines
 *    the race to the bottom needs regulation (region II of Fig. 1). Those lines are the
 *    limit B/W >> b, c and large Z: with b = c = 0 the analysis reproduces them exactly
 *    (the risk-dominance boundary at finite Z: 1 - p_r = (Z - 2)/(s (3Z - 2))), with the
 *    paper's b, c within 0.02; in the late regime (W = 10^6, B/W -> 0) the region moves
 *    to 2c/b < p_r < 1 - 2/(3s + 1) (the same conditions with B/W = 0; within 0.005):
 *    the per-round benefits decide, not the prize.
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

#include "config/config.h"
#include "config/scenario.h"
#include "run/analyze_population.h"

#define Z 100u
#define BETA 0.01

static dlm_game race(double b, double c, double B, double W, double s, double pr)
{
    dlm_ai_race p = {b, c, B, W, s, pr};
    dlm_game g;
    dlm_error err;
    assert_int_equal(dlm_game_ai_race(&p, &g, &err), DLM_OK);
    return g;
}

static void test_matrix(void **state)
{
    dlm_game g;
    dlm_error err;
    (void)state;
    /* defaults: b = 4, c = 1, B = 10^4, W = 100, s = 1.5, p_r = 0.5 */
    assert_int_equal(dlm_game_preset("ai-race", NAN, NAN, &g, &err), DLM_OK);
    assert_string_equal(g.name, "ai-race");
    assert_float_equal(g.R, 2.0 - 1.0 + 50.0, 1e-12);                /* b/2 - c + B/(2W) */
    assert_float_equal(g.S, 4.0 / 2.5 - 1.0, 1e-12);                 /* b/(s+1) - c */
    assert_float_equal(g.T, 0.5 * (1.5 * 4.0 / 2.5 + 150.0), 1e-12); /* 76.2 */
    assert_float_equal(g.P, 0.5 * (2.0 + 75.0), 1e-12);              /* 38.5 */
    /* b and c through the preset; no disaster and no speed-up: SAFE only pays c more */
    assert_int_equal(dlm_game_preset("ai-race", 6.0, 0.5, &g, &err), DLM_OK);
    assert_float_equal(g.R, 3.0 - 0.5 + 50.0, 1e-12);
    g = race(6.0, 0.5, 1e4, 100.0, 1.0, 0.0);
    assert_float_equal(g.R, g.P - 0.5, 1e-12);
    assert_float_equal(g.S, 3.0 - 0.5, 1e-12);
    assert_float_equal(g.T, 3.0 + 100.0, 1e-12);
    /* certain disaster: UNSAFE gets nothing */
    g = race(4.0, 1.0, 1e4, 100.0, 2.0, 1.0);
    assert_float_equal(g.T, 0.0, 0.0);
    assert_float_equal(g.P, 0.0, 0.0);
}

static void test_refusals(void **state)
{
    static const dlm_ai_race bad[] = {
        {-1.0, 1.0, 1e4, 100.0, 1.5, 0.5}, {4.0, -1.0, 1e4, 100.0, 1.5, 0.5},
        {4.0, 1.0, -1.0, 100.0, 1.5, 0.5}, {4.0, 1.0, 1e4, 1.0, 1.5, 0.5},
        {4.0, 1.0, 1e4, 100.0, 0.5, 0.5},  {4.0, 1.0, 1e4, 100.0, 1.5, 1.5},
        {4.0, 1.0, 1e4, 100.0, 1.5, -0.1}, {4.0, 1.0, 1e4, 100.0, NAN, 0.5},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        dlm_game g;
        dlm_error err;
        assert_int_equal(dlm_game_ai_race(&bad[i], &g, &err), DLM_ERR_USAGE);
        assert_non_null(strstr(err.message, "ai-race"));
    }
}

/* The scenario of text with the --set overrides sets[0..n-1]; returns the status. */
static dlm_status scenario(const char *text, const char *const *sets, size_t n, dlm_game *g,
                           dlm_error *err)
{
    dlm_config *cfg = NULL;
    dlm_scenario sc;
    dlm_status st = dlm_config_load_string(text, strlen(text), "<test>", &cfg, err);
    size_t i;
    for (i = 0; st == DLM_OK && i < n; ++i)
        st = dlm_config_set(cfg, sets[i], err);
    memset(&sc, 0, sizeof sc);
    if (st == DLM_OK && (st = dlm_config_to_scenario(cfg, &sc, err)) == DLM_OK) {
        *g = sc.game;
        dlm_scenario_free(&sc);
    }
    dlm_config_free(cfg);
    return st;
}

static void test_config(void **state)
{
    static const char *const sweep_point[] = {"game.risk=0.25", "game.speed=3", "game.W=1000"};
    static const char *const bad_risk[] = {"game.risk=2"};
    dlm_game g, want;
    dlm_error err;
    (void)state;
    assert_int_equal(scenario("game: {preset: ai-race}\n", NULL, 0, &g, &err), DLM_OK);
    assert_int_equal(dlm_game_preset("ai-race", NAN, NAN, &want, &err), DLM_OK);
    assert_string_equal(g.name, want.name);
    assert_float_equal(g.R, want.R, 0.0);
    assert_float_equal(g.S, want.S, 0.0);
    assert_float_equal(g.T, want.T, 0.0);
    assert_float_equal(g.P, want.P, 0.0);
    assert_int_equal(
        scenario("game: {preset: ai-race, b: 4, c: 1, prize: 10000}\n", sweep_point, 3, &g, &err),
        DLM_OK);
    want = race(4.0, 1.0, 1e4, 1000.0, 3.0, 0.25);
    assert_float_equal(g.R, want.R, 0.0);
    assert_float_equal(g.S, want.S, 0.0);
    assert_float_equal(g.T, want.T, 0.0);
    assert_float_equal(g.P, want.P, 0.0);
    assert_string_equal(g.name, "ai-race");
    /* a preset's matrix changed by R: custom, still from ai-race */
    assert_int_equal(scenario("game: {preset: ai-race, R: 0}\n", NULL, 0, &g, &err), DLM_OK);
    assert_string_equal(g.name, "custom");
    assert_string_equal(g.preset, "ai-race");
    assert_int_equal(scenario("game: {preset: ai-race}\n", bad_risk, 1, &g, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "game.risk"));
    assert_int_equal(scenario("game: {preset: pd, speed: 2}\n", NULL, 0, &g, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "game.speed"));
    assert_non_null(strstr(err.message, "ai-race"));
}

/* ln(rho(SAFE -> UNSAFE) / rho(UNSAFE -> SAFE)) by the exact analysis of a well-mixed
 * population of Z under pairwise comparison (the paper's process). Type 0 = SAFE. */
static double log_ratio(const dlm_game *g)
{
    double pay[4] = {g->R, g->S, g->T, g->P};
    dlm_pop_model m;
    dlm_pop_fixation to_u, to_s;
    memset(&m, 0, sizeof m);
    m.n = Z;
    m.k = 2;
    m.rule = DLM_POP_FERMI;
    m.selection = BETA;
    m.mutant_weight[0] = m.mutant_weight[1] = 0.5;
    m.payoff = pay;
    to_u = dlm_pop_fix(&m, 0, 1);
    to_s = dlm_pop_fix(&m, 1, 0);
    return log(to_u.probability / to_s.probability);
}

static void test_fixation_closed_form(void **state)
{
    static const double s[] = {1.1, 1.5, 2.0, 3.0, 5.0};
    static const double pr[] = {0.0, 0.2, 0.5, 0.7, 0.9, 1.0};
    size_t i, j;
    (void)state;
    for (i = 0; i < 5; ++i)
        for (j = 0; j < 6; ++j) {
            dlm_game g = race(4.0, 1.0, 1e4, 100.0, s[i], pr[j]);
            double want = BETA * (Z * (g.T - g.S) + (Z - 2.0) * (g.P - g.R)) / 2.0;
            assert_float_equal(log_ratio(&g), want, 1e-9 * (1.0 + fabs(want)));
        }
}

/* The risk p_r in [0, 1] where UNSAFE stops being favoured (log_ratio changes sign). */
static double unsafe_boundary(double b, double c, double W, double s)
{
    double lo = 0.0, hi = 1.0;
    int it;
    for (it = 0; it < 60; ++it) {
        double mid = 0.5 * (lo + hi);
        dlm_game g = race(b, c, 1e4, W, s, mid);
        if (log_ratio(&g) > 0.0)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* The risk above which SAFE is collectively better (R > P). */
static double social_boundary(double b, double c, double W, double s)
{
    double lo = 0.0, hi = 1.0;
    int it;
    for (it = 0; it < 60; ++it) {
        double mid = 0.5 * (lo + hi);
        dlm_game g = race(b, c, 1e4, W, s, mid);
        if (g.R > g.P)
            hi = mid;
        else
            lo = mid;
    }
    return 0.5 * (lo + hi);
}

static void test_regions(void **state)
{
    static const double s[] = {1.1, 1.5, 2.0, 3.0, 5.0};
    size_t i;
    (void)state;
    for (i = 0; i < 5; ++i) {
        double u0 = unsafe_boundary(0.0, 0.0, 100.0, s[i]);
        double u = unsafe_boundary(4.0, 1.0, 100.0, s[i]);
        double so = social_boundary(4.0, 1.0, 100.0, s[i]);
        double ul = unsafe_boundary(4.0, 1.0, 1e6, s[i]);
        double sl = social_boundary(4.0, 1.0, 1e6, s[i]);
        /* b = c = 0: exactly the finite-Z line, tending to 1 - 1/(3s) */
        assert_float_equal(u0, 1.0 - (Z - 2.0) / (s[i] * (3.0 * Z - 2.0)), 1e-9);
        assert_float_equal(social_boundary(0.0, 0.0, 100.0, s[i]), 1.0 - 1.0 / s[i], 1e-9);
        /* the paper's early regime: its lines, within 0.02 */
        assert_float_equal(u, 1.0 - 1.0 / (3.0 * s[i]), 0.02);
        assert_float_equal(so, 1.0 - 1.0 / s[i], 0.02);
        assert_true(so < u); /* region II exists: regulation needed between the lines */
        /* the late regime: B/W -> 0 */
        assert_float_equal(ul, 1.0 - 2.0 / (3.0 * s[i] + 1.0), 0.005);
        assert_float_equal(sl, 0.5, 0.005); /* 2c/b */
    }
}

/* Inside region II the rare-mutation limit spends most of its time at UNSAFE though
 * SAFE pays more; above the upper line at SAFE; below the lower at UNSAFE, which is
 * then also the better for all (no dilemma: region I). */
static void test_stationary(void **state)
{
    static const struct {
        double pr, s;
        int unsafe_wins, safe_better;
    } pts[] = {
        {0.6, 2.0, 1, 1},
        {0.95, 2.0, 0, 1},
        {0.3, 2.0, 1, 0},
        {0.5, 1.5, 1, 1},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof pts / sizeof pts[0]; ++i) {
        dlm_game g = race(4.0, 1.0, 1e4, 100.0, pts[i].s, pts[i].pr);
        double pay[4] = {g.R, g.S, g.T, g.P}, tr[4], st[2];
        dlm_pop_model m;
        dlm_error err;
        memset(&m, 0, sizeof m);
        m.n = Z;
        m.k = 2;
        m.rule = DLM_POP_FERMI;
        m.selection = BETA;
        m.mutant_weight[0] = m.mutant_weight[1] = 0.5;
        m.payoff = pay;
        assert_int_equal(dlm_pop_small_mutation(&m, tr, st, NULL, &err), DLM_OK);
        assert_int_equal(st[1] > 0.5, pts[i].unsafe_wins);
        assert_int_equal(g.R > g.P, pts[i].safe_better);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),  cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_config),  cmocka_unit_test(test_fixation_closed_form),
        cmocka_unit_test(test_regions), cmocka_unit_test(test_stationary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

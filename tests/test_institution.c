/* test_institution.c — the stage game with an institution folded in (host/run/
 * analyze_game.c, issue #16 item 4), against answers worked out by hand:
 *   - the expected transfers t_C = q[(1 - e1)s - e1 F], t_D = q[e2 s - (1 - e2)F] and the
 *     effective matrix of the prisoner's dilemma (3, 0, 5, 1);
 *   - the break-even fine F* = G/(q(1 - e1 - e2)) - s and audit q* = G/((1 - e1 - e2)(s +
 *     F)) with G = max(T - R, P - S), and that the effective game is a harmony game just
 *     past them and not just before (an independent check of the formula by the game's
 *     own inequalities);
 *   - the classes the PD passes through as Delta grows: PD (Delta < P - S = 1), chicken
 *     (1 < Delta < T - R = 2) with its mixed equilibrium P(C) = Delta - 1, harmony (Delta >
 *     2); a stag hunt's three equilibria;
 *   - Pareto optimality of mutual cooperation with and without alternation (2R > T + S);
 *   - a bimatrix game: the binding player is the one with the larger gain;
 *   - the referee's cost per interaction q[a + 2((1 - e1)s - e1 F)];
 *   - impossible targets: e1 + e2 >= 1 (audits no better than chance), q* > 1;
 *   - the design (run/design.c): the cheapest fine on a grid is the first one past F*, at
 *     the spending q a; the frontier against a brute-force reading of its definition; the
 *     population measure for ALLC and ALLD without noise under pairwise comparison
 *     against the rare-mutation closed form rho_DC / (rho_CD + rho_DC), each rho from
 *     Traulsen, Nowak & Pacheco 2006's sum over the effective payoffs;
 *   - the N-player linear public goods game: free riding gains c (1 - r/n), so F* =
 *     c (1 - r/n) / (q (1 - e1 - e2)) - s, and in a population of N contributors out-earn
 *     free riders past c [1 - (r/n)(N - n)/(N - 1)] (the identity of issue #15); the class
 *     (N-person PD, cooperation dominant, deadlock) on either side.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "run/analyze_game.h"
#include "run/design.h"

static void close_to(double got, double want, const char *what)
{
    if (!(fabs(got - want) <= 1e-12 * (1 + fabs(want)))) {
        print_error("%s: got %.17g, want %.17g\n", what, got, want);
        fail();
    }
}

static dlm_scenario pd(double q, double F, double s, double e1, double e2, double a)
{
    dlm_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.game = (dlm_game){"pd", "pd", 3, 0, 5, 1};
    sc.game_b = sc.game;
    sc.institution = (dlm_institution_spec){1, q, F, s, e1, e2, a, 0, 0, 0, 0};
    return sc;
}

static void test_transfers_and_effective_game(void **state)
{
    dlm_scenario sc = pd(0.2, 3, 0.5, 0.01, 0.05, 0.1);
    dlm_game_report r;
    (void)state;
    dlm_game_analyze(&sc, &r);
    close_to(r.transfer[0], 0.2 * (0.99 * 0.5 - 0.01 * 3), "t_C");
    close_to(r.transfer[1], 0.2 * (0.05 * 0.5 - 0.95 * 3), "t_D");
    close_to(r.delta, 0.2 * 0.94 * 3.5, "Delta");
    close_to(r.effective[0].R, 3 + r.transfer[0], "R'");
    close_to(r.effective[0].S, 0 + r.transfer[0], "S'");
    close_to(r.effective[0].T, 5 + r.transfer[1], "T'");
    close_to(r.effective[0].P, 1 + r.transfer[1], "P'");
    close_to(r.gain, 2, "G");
    close_to(r.fine_dominant, 2 / (0.2 * 0.94) - 0.5, "F*");
    close_to(r.audit_dominant, 2 / (0.94 * 3.5), "q*");
    close_to(r.fine_nash, r.fine_dominant, "PD: (C, C) is Nash from the same fine (T - R = G)");
    close_to(r.cost_at_fine, 0.2 * (0.1 + 2 * (0.99 * 0.5 - 0.01 * r.fine_dominant)),
             "cost at F*");
    close_to(r.cost_at_audit, r.audit_dominant * (0.1 + 2 * (0.99 * 0.5 - 0.01 * 3)),
             "cost at q*");
    close_to(r.cost_all_d, 0.2 * (0.1 + 2 * (0.05 * 0.5 - 0.95 * 3)), "cost, all defect");
    assert_int_equal(dlm_game_classify(&r.effective[0]), DLM_GAME_PRISONERS_DILEMMA);
    assert_false(r.cooperation_dominant);
    assert_int_equal(r.n_equilibria, 1);
    close_to(r.equilibria[0].p[0], 0, "the one equilibrium is (D, D)");
    close_to(r.equilibria[0].payoff[0], 1 + r.transfer[1], "its payoff P'");
}

/* Just past F* (and q*) the effective game is harmony; just before, it is not. */
static void test_break_even_is_the_boundary(void **state)
{
    static const double qs[] = {0.05, 0.3, 1.0};
    static const double ss[] = {0, 0.7};
    size_t i, j;
    (void)state;
    for (i = 0; i < 3; ++i)
        for (j = 0; j < 2; ++j) {
            dlm_scenario sc = pd(qs[i], 0, ss[j], 0.02, 0.1, 0);
            dlm_game_report r, past, before;
            double F;
            dlm_game_analyze(&sc, &r);
            F = r.fine_dominant;
            assert_true(isfinite(F) && F > 0);
            sc.institution.fine = F * (1 + 1e-9);
            dlm_game_analyze(&sc, &past);
            sc.institution.fine = F * (1 - 1e-9);
            dlm_game_analyze(&sc, &before);
            assert_true(past.cooperation_dominant);
            assert_int_equal(dlm_game_classify(&past.effective[0]), DLM_GAME_HARMONY);
            assert_false(before.cooperation_dominant);
            /* the audit at this fine that makes it dominant is the q we started from */
            sc.institution.fine = F;
            dlm_game_analyze(&sc, &r);
            if (qs[i] < 1)
                close_to(r.audit_dominant, qs[i], "q* at F* is q");
            else /* strictly dominant only beyond q = 1: none */
                assert_true(isnan(r.audit_dominant));
        }
}

/* As Delta grows the PD becomes chicken (1 < Delta < 2), with the mixed equilibrium
 * P(C) = Delta - 1, then harmony. Delta = q(1 - e1 - e2)(s + F); here q = 1, no errors. */
static void test_classes_along_the_fine(void **state)
{
    dlm_game_report r;
    dlm_scenario sc = pd(1, 0.5, 0, 0, 0, 0);
    (void)state;
    dlm_game_analyze(&sc, &r);
    assert_int_equal(dlm_game_classify(&r.effective[0]), DLM_GAME_PRISONERS_DILEMMA);
    sc.institution.fine = 1.5;
    dlm_game_analyze(&sc, &r);
    assert_int_equal(dlm_game_classify(&r.effective[0]), DLM_GAME_CHICKEN);
    assert_int_equal(r.n_equilibria, 3); /* CD, DC and the mixed one */
    close_to(r.equilibria[2].p[0], 0.5, "chicken: P(C) = Delta - 1");
    close_to(r.equilibria[2].p[1], 0.5, "chicken: symmetric");
    assert_false(r.mutual_cooperation_nash);
    sc.institution.fine = 2.5;
    dlm_game_analyze(&sc, &r);
    assert_int_equal(dlm_game_classify(&r.effective[0]), DLM_GAME_HARMONY);
    assert_int_equal(r.n_equilibria, 1);
    close_to(r.equilibria[0].p[0], 1, "harmony: (C, C)");
}

/* A stag hunt (R 4, S 0, T 3, P 2) without an institution: (C, C), (D, D) and the mixed
 * P(C) = (P - S)/(R - S - T + P) = 2/3. */
static void test_stag_hunt(void **state)
{
    dlm_scenario sc = pd(0, 0, 0, 0, 0, 0);
    dlm_game_report r;
    (void)state;
    sc.game = sc.game_b = (dlm_game){"custom", "", 4, 0, 3, 2};
    sc.institution.given = 0;
    dlm_game_analyze(&sc, &r);
    assert_int_equal(r.n_equilibria, 3);
    close_to(r.equilibria[0].p[0], 1, "(C, C)");
    close_to(r.equilibria[1].p[0], 0, "(D, D)");
    close_to(r.equilibria[2].p[0], 2.0 / 3, "mixed");
    assert_true(r.mutual_cooperation_nash);
    assert_false(r.cooperation_dominant);
    close_to(r.fine_nash, 0, "(C, C) is an equilibrium already");
    assert_true(isnan(r.fine_dominant)); /* no audits (q = 0): no fine helps */
}

/* (3, 0, 7, 1): 2R = 6 < T + S = 7, so alternating CD and DC gives both 3.5 > 3. */
static void test_pareto(void **state)
{
    dlm_scenario sc = pd(0, 0, 0, 0, 0, 0);
    dlm_game_report r;
    (void)state;
    dlm_game_analyze(&sc, &r);
    assert_true(r.pareto_pure && r.pareto_mixed);
    sc.game = sc.game_b = (dlm_game){"custom", "", 3, 0, 7, 1};
    dlm_game_analyze(&sc, &r);
    assert_true(r.pareto_pure);
    assert_false(r.pareto_mixed);
    sc.game = sc.game_b = (dlm_game){"custom", "", 3, 0, 6, 1}; /* 2R = T + S: a tie */
    dlm_game_analyze(&sc, &r);
    assert_true(r.pareto_mixed);
}

/* Bimatrix: A's PD needs Delta > 2, B's (R 3, S 0, T 6, P 1) Delta > 3: F* follows B. */
static void test_bimatrix_binding_player(void **state)
{
    dlm_scenario sc = pd(0.5, 0, 0, 0, 0, 0);
    dlm_game_report r;
    (void)state;
    sc.asymmetric = 1;
    sc.game_b = (dlm_game){"custom", "", 3, 0, 6, 1};
    dlm_game_analyze(&sc, &r);
    close_to(r.gain, 3, "G is B's");
    close_to(r.fine_dominant, 3 / 0.5, "F* = G / q");
    sc.institution.fine = 5; /* Delta 2.5: A's cooperation dominant, B's not */
    dlm_game_analyze(&sc, &r);
    assert_false(r.cooperation_dominant);
    assert_int_equal(dlm_game_classify(&r.effective[0]), DLM_GAME_HARMONY);
    assert_int_equal(r.n_equilibria, 1);
    close_to(r.equilibria[0].p[0], 1, "A cooperates");
    close_to(r.equilibria[0].p[1], 0, "B defects");
}

static void test_impossible_targets(void **state)
{
    dlm_scenario sc = pd(0.5, 1, 0, 0.5, 0.5, 0); /* audits no better than a coin */
    dlm_game_report r;
    (void)state;
    dlm_game_analyze(&sc, &r);
    close_to(r.delta, 0, "no information, no incentive");
    assert_true(isnan(r.fine_dominant) && isnan(r.audit_dominant));
    sc = pd(0.5, 1, 0, 0, 0, 0); /* q* = 2 / 1 > 1 */
    dlm_game_analyze(&sc, &r);
    assert_true(isnan(r.audit_dominant));
    close_to(r.fine_dominant, 4, "but a fine of 4 at q 0.5 does");
    sc.institution.fine = 2; /* q* = 1 exactly: at q = 1 only weakly dominant */
    dlm_game_analyze(&sc, &r);
    assert_true(isnan(r.audit_dominant));
    close_to(r.audit_nash, 1, "(C, C) is Nash at q = 1 (T - R = 2 = Delta)");
    sc.institution.fine = 4;
    dlm_game_analyze(&sc, &r);
    close_to(r.audit_dominant, 0.5, "q* = 2 / 4");
}

static void test_public_goods(void **state)
{
    dlm_scenario sc = pd(0.2, 1, 0.5, 0.02, 0.1, 0.05);
    dlm_game_report r;
    const double k = 0.88, G = 1 * (1 - 3.0 / 5), GN = 1 * (1 - 3.0 / 5 * 15 / 19);
    (void)state;
    sc.evolution.group = 1;
    sc.evolution.group_game = 1;
    sc.evolution.group_size = 5;
    sc.evolution.group_r = 3;
    sc.evolution.group_c = 1;
    sc.evolution.population = 20;
    dlm_game_analyze(&sc, &r);
    assert_true(r.group);
    close_to(r.gain, G, "c (1 - r/n)");
    close_to(r.gain_population, GN, "c [1 - (r/n)(N - n)/(N - 1)]");
    close_to(r.fine_dominant, G / (0.2 * k) - 0.5, "F*");
    close_to(r.fine_population, GN / (0.2 * k) - 0.5, "the population's break-even fine");
    close_to(r.audit_dominant, G / (k * 1.5), "q*");
    close_to(r.payoff_all_c, 2 * 1 + r.transfer[0], "all contribute: (r - 1) c + t_C");
    close_to(r.payoff_all_d, r.transfer[1], "none: t_D");
    close_to(r.cost_all_c, 0.2 * (0.05 + 5 * (0.98 * 0.5 - 0.02 * 1)), "cost per group of 5");
    assert_string_equal(dlm_group_game_class(&r), "n-person-prisoners-dilemma");
    assert_false(r.cooperation_dominant);
    assert_int_equal(r.n_equilibria, 1);
    close_to(r.equilibria[0].p[0], 0, "all free ride");
    sc.institution.fine = r.fine_dominant * (1 + 1e-9);
    dlm_game_analyze(&sc, &r);
    assert_string_equal(dlm_group_game_class(&r), "cooperation-dominant");
    assert_true(r.cooperation_dominant && r.pareto_pure);
    close_to(r.equilibria[0].p[0], 1, "all contribute");
    sc.institution = (dlm_institution_spec){0};
    sc.evolution.group_r = 0.5; /* r < 1: nobody gains from the pot: no dilemma */
    dlm_game_analyze(&sc, &r);
    assert_string_equal(dlm_group_game_class(&r), "deadlock");
    assert_false(r.pareto_pure);
}

static void load(const char *yaml, dlm_scenario *sc)
{
    dlm_config *cfg = NULL;
    dlm_error err = {DLM_OK, ""};
    if (dlm_config_load_string(yaml, strlen(yaml), "test", &cfg, &err) != DLM_OK ||
        dlm_config_to_scenario(cfg, sc, &err) != DLM_OK) {
        print_error("config: %s\n", err.message);
        fail();
    }
    dlm_config_free(cfg);
}

/* On the stage game at q = 0.1 (e1 0.02, e2 0.1): F* = 2 / 0.088 = 22.73, so of the grid's
 * fines 40 is the cheapest that works, and at s = 0 it costs q a = 0.005. */
static void test_design_stage_game(void **state)
{
    dlm_scenario sc;
    dlm_design_report r;
    dlm_error err = {DLM_OK, ""};
    size_t i, j;
    (void)state;
    load("mode: analyze\n"
         "institution: {false_accusation: 0.02, missed_detection: 0.1, audit_cost: 0.05}\n"
         "analyze: {design: {audit: [0.1, 0.3], fine: [5, 20, 40, 80], subsidy: [0, 1], "
         "target: 1}}\n", &sc);
    assert_int_equal(dlm_design_run(&sc, &r, &err), DLM_OK);
    assert_int_equal(r.n, 16);
    assert_true(r.cheapest < r.n);
    close_to(r.points[r.cheapest].audit, 0.1, "cheapest audit");
    close_to(r.points[r.cheapest].fine, 40, "cheapest fine: the first past F*");
    close_to(r.points[r.cheapest].subsidy, 0, "no subsidy");
    close_to(r.points[r.cheapest].cost, 0.1 * 0.05, "spending q a");
    close_to(r.points[r.cheapest].fines, 0.1 * 2 * 40 * 0.02, "fines: wrongly accused only");
    for (i = 0; i < r.n; ++i) { /* the frontier, by its definition, point by point */
        const dlm_design_point *p = &r.points[i];
        int before_cooperate_less = 1;
        for (j = 0; j < r.n; ++j) {
            const dlm_design_point *q = &r.points[j];
            int before = q->cost < p->cost ||
                         (q->cost == p->cost && (q->cooperation > p->cooperation ||
                                                 (q->cooperation == p->cooperation && j < i)));
            if (before && q->cooperation >= p->cooperation - 1e-12)
                before_cooperate_less = 0;
        }
        assert_int_equal(p->on_frontier, before_cooperate_less);
        assert_int_equal(p->meets_target, p->cooperation >= 1 - 1e-12);
    }
    dlm_design_report_free(&r);
    dlm_scenario_free(&sc);
}

/* Fermi fixation probability of one mutant among N - 1 residents, pa/pb the mutant's and
 * the resident's mean payoff (over the N - 1 others) with j mutants. */
static double fermi_rho(uint32_t n, double beta, const double mut[2], const double res[2])
{
    double sum = 1, prod = 1;
    uint32_t j;
    for (j = 1; j < n; ++j) {
        /* mut[0]: mutant vs mutant, mut[1]: mutant vs resident; res likewise */
        double pa = ((j - 1) * mut[0] + (n - j) * mut[1]) / (n - 1.0);
        double pb = (j * res[1] + (n - j - 1) * res[0]) / (n - 1.0);
        prod *= exp(-beta * (pa - pb));
        sum += prod;
    }
    return 1 / sum;
}

static void test_design_population(void **state)
{
    static const double fines[] = {0, 1, 6};
    const uint32_t N = 10;
    const double beta = 0.5, q = 0.5, e1 = 0.05, e2 = 0.1;
    dlm_scenario sc;
    dlm_design_report r;
    dlm_error err = {DLM_OK, ""};
    size_t i;
    (void)state;
    load("mode: analyze\n"
         "match: {rounds: 4}\n"
         "evolution: {population: 10, rule: fermi, selection: 0.5,\n"
         "            mutation: {rate: 0.001, set: [allc, alld]}}\n"
         "institution: {audit: 0.5, false_accusation: 0.05, missed_detection: 0.1}\n"
         "analyze: {population: {}, design: {fine: [0, 1, 6], target: 0.5}}\n", &sc);
    assert_int_equal(dlm_design_run(&sc, &r, &err), DLM_OK);
    assert_int_equal(r.n, 3);
    assert_true(r.population);
    for (i = 0; i < 3; ++i) {
        const double F = fines[i], tc = q * (-e1 * F), td = q * (-(1 - e2) * F);
        const double c[2] = {3 + tc, 0 + tc}, d[2] = {1 + td, 5 + td}; /* vs own, vs other */
        double rho_cd = fermi_rho(N, beta, d, c), rho_dc = fermi_rho(N, beta, c, d);
        char what[64];
        snprintf(what, sizeof what, "long-run cooperation at fine %g", F);
        close_to(r.points[i].cooperation, rho_dc / (rho_cd + rho_dc), what);
    }
    assert_true(r.points[0].cooperation < 0.5 && r.points[2].cooperation > 0.5);
    dlm_design_report_free(&r);
    dlm_scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transfers_and_effective_game),
        cmocka_unit_test(test_break_even_is_the_boundary),
        cmocka_unit_test(test_classes_along_the_fine),
        cmocka_unit_test(test_stag_hunt),
        cmocka_unit_test(test_pareto),
        cmocka_unit_test(test_bimatrix_binding_player),
        cmocka_unit_test(test_impossible_targets),
        cmocka_unit_test(test_public_goods),
        cmocka_unit_test(test_design_stage_game),
        cmocka_unit_test(test_design_population),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

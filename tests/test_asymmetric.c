/* test_asymmetric.c — asymmetric (bimatrix) games: each player paid by its own R, S, T, P.
 * The config's game.A / game.B (each side's keys over the top level's), refusals with the
 * key named, matches and tournaments against payoffs computed by hand (a tournament plays
 * each pair twice, each entrant once as A), the exact analysis against its chain with two
 * matrices, and a symmetric game left exactly as it was. */
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
#include "config/config.h"
#include "run/analyze.h"
#include "run/evolve.h"
#include "plan/evolve_plan.h"
#include "dlm_evolve.h"
#include "run/play.h"

static void check_near(const char *what, double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s = %.17g, expected %.17g (tolerance %.3g)", what, got, want, tol);
}

/* Validates yaml (and the --set assignments in sets, null-terminated); returns the status. */
static dlm_status load(const char *yaml, const char *const *sets, dlm_scenario *sc,
                       dlm_error *err)
{
    dlm_config *cfg = NULL;
    dlm_status st = dlm_config_load_string(yaml, strlen(yaml), "test.yaml", &cfg, err);
    for (; st == DLM_OK && sets && *sets; ++sets)
        st = dlm_config_set(cfg, *sets, err);
    if (st == DLM_OK)
        st = dlm_config_to_scenario(cfg, sc, err);
    else
        memset(sc, 0, sizeof *sc);
    dlm_config_free(cfg);
    return st;
}

static void load_ok(const char *yaml, dlm_scenario *sc)
{
    dlm_error err = {DLM_OK, ""};
    if (load(yaml, NULL, sc, &err) != DLM_OK)
        fail_msg("%s", err.message);
}

/* The config is refused (exit 2) with a message that contains want. */
static void refused(const char *yaml, const char *want)
{
    dlm_scenario sc;
    dlm_error err = {DLM_OK, ""};
    dlm_status st = load(yaml, NULL, &sc, &err);
    dlm_scenario_free(&sc);
    if (st != DLM_ERR_USAGE || !strstr(err.message, want))
        fail_msg("config %s: status %d, message '%s', expected exit 2 naming '%s'", yaml, st,
                 err.message, want);
}

static void open_cpu(const dlm_backend_ops **ops, dlm_backend **be)
{
    dlm_backend_options opt = {1, -1, -1, 0};
    dlm_error err;
    assert_int_equal(dlm_backend_open("cpu", &opt, NULL, ops, be, &err), DLM_OK);
}

/* No A or B: the one game for both, not asymmetric; payoffs to the last bit the same as
 * the symmetric expression. */
static void test_symmetric_game_unchanged(void **state)
{
    dlm_scenario sc;
    uint64_t o[4] = {7, 3, 11, 5};
    double a1, b1, a2, b2;
    (void)state;
    load_ok("game: {preset: pd, T: 6}\n", &sc);
    assert_int_equal(sc.asymmetric, 0);
    assert_memory_equal(&sc.game, &sc.game_b, sizeof sc.game);
    assert_ptr_equal(dlm_scenario_game(&sc, 1), &sc.game);
    dlm_game_payoffs(&sc.game, o, 26, &a1, &b1);
    dlm_bimatrix_payoffs(&sc.game, &sc.game, o, 26, &a2, &b2);
    assert_memory_equal(&a1, &a2, sizeof a1);
    assert_memory_equal(&b1, &b2, sizeof b1);
    check_near("A", a1, (7 * 3 + 0 + 11 * 6 + 5 * 1) / 26.0, 1e-15);
    check_near("B", b1, (7 * 3 + 3 * 6 + 0 + 5 * 1) / 26.0, 1e-15);
    dlm_scenario_free(&sc);
}

/* Each side's keys over the top level's: names, presets, classes. */
static void test_config_sides(void **state)
{
    dlm_scenario sc;
    (void)state;
    load_ok("game: {preset: pd, B: {T: 6}}\n", &sc);
    assert_int_equal(sc.asymmetric, 1);
    assert_string_equal(sc.game.name, "pd");
    assert_true(sc.game.T == 5.0);
    assert_string_equal(sc.game_b.name, "custom");
    assert_true(sc.game_b.R == 3.0 && sc.game_b.S == 0.0 && sc.game_b.T == 6.0 &&
                sc.game_b.P == 1.0);
    dlm_scenario_free(&sc);

    load_ok("game:\n  A: {preset: snowdrift, b: 5, c: 2}\n  B: {preset: stag-hunt}\n", &sc);
    assert_string_equal(sc.game.name, "snowdrift");
    assert_true(sc.game.R == 4.0 && sc.game.S == 3.0 && sc.game.T == 5.0 && sc.game.P == 0.0);
    assert_int_equal(dlm_game_classify(&sc.game), DLM_GAME_CHICKEN);
    assert_string_equal(sc.game_b.name, "stag-hunt");
    assert_int_equal(dlm_game_classify(&sc.game_b), DLM_GAME_STAG_HUNT);
    dlm_scenario_free(&sc);

    /* A side given as null takes the top level: asymmetric in form, equal payoffs. */
    load_ok("game: {R: 4, B: }\n", &sc);
    assert_int_equal(sc.asymmetric, 1);
    assert_true(sc.game_b.R == 4.0 && sc.game.R == 4.0);
    dlm_scenario_free(&sc);

    {
        const char *sets[] = {"game.A.P=-10", "game.B.R=2", NULL};
        dlm_error err = {DLM_OK, ""};
        assert_int_equal(load("mode: match\n", sets, &sc, &err), DLM_OK);
        assert_true(sc.game.P == -10.0 && sc.game_b.P == 1.0 && sc.game_b.R == 2.0);
        assert_int_equal(dlm_game_classify(&sc.game), DLM_GAME_CHICKEN);
        dlm_scenario_free(&sc);
    }
}

static void test_config_refusals(void **state)
{
    (void)state;
    refused("game: {B: 3}\n", "game.B: expected a mapping");
    refused("game: {A: [1, 2]}\n", "game.A: expected a mapping");
    refused("game: {B: {X: 1}}\n", "game.B.X: unknown key");
    refused("game: {B: {A: {R: 1}}}\n", "game.B.A: unknown key");
    refused("game: {B: {T: abc}}\n", "game.B.T: expected a finite number");
    refused("game: {A: {preset: nope}}\n", "game.A.preset");
    refused("game: {B: {b: 3}}\n", "game.B.b");
    refused("game: {b: 3, B: {preset: snowdrift}}\n", "game.b: game pd takes no b");
    refused("game: {preset: snowdrift, B: {c: 5}}\n", "game.B.c");
}

/* tft vs alld over 10 rounds, A by pd (3, 0, 5, 1), B by (2, -1, 4, 0): tft (A) is
 * suckered once then defects: S + 9 P = 9; alld (B) earns its own T once and P nine
 * times: 4 + 0 = 4. */
static void test_match_by_hand(void **state)
{
    dlm_scenario sc;
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_match_report r;
    dlm_error err;
    (void)state;
    load_ok("mode: match\nplayers: [tft, alld]\nmatch: {rounds: 10}\n"
            "game: {preset: pd, B: {R: 2, S: -1, T: 4, P: 0}}\n", &sc);
    open_cpu(&ops, &be);
    if (dlm_play_scenario_match(&sc, ops, be, 1, 0, &r, &err) != DLM_OK)
        fail_msg("%s", err.message);
    assert_int_equal(r.result.outcome[1], 1);
    assert_int_equal(r.result.outcome[3], 9);
    check_near("A total", r.total[0], 9.0, 0.0);
    check_near("B total", r.total[1], 4.0, 0.0);
    dlm_match_report_free(&r);
    /* The roles swapped: alld (A, pd) 5 + 9 = 14, tft (B) -1 + 0 = -1. */
    snprintf(sc.players[0].strategy, sizeof sc.players[0].strategy, "alld");
    snprintf(sc.players[1].strategy, sizeof sc.players[1].strategy, "tft");
    if (dlm_play_scenario_match(&sc, ops, be, 1, 0, &r, &err) != DLM_OK)
        fail_msg("%s", err.message);
    check_near("A total", r.total[0], 14.0, 0.0);
    check_near("B total", r.total[1], -1.0, 0.0);
    dlm_match_report_free(&r);
    ops->destroy(be);
    dlm_scenario_free(&sc);
}

/* A tournament of tft, alld, allc (10 rounds, self-play): every pair twice, each entrant
 * once as A (pd) and once as B ((2, -1, 4, 0)); a cell is the row's total over both
 * matches / their rounds, self-play the mean of both seats. By hand:
 *   tft-alld (9 as A, -1 as B) / 20 = 0.4     alld-tft (14 as A, 4 as B) / 20 = 0.9
 *   tft-allc (30 + 20) / 20 = 2.5             allc-tft likewise 2.5
 *   alld-allc (50 + 40) / 20 = 4.5            allc-alld (0 - 10) / 20 = -0.5
 *   self-play: tft, allc (3 + 2) / 2 = 2.5;   alld (1 + 0) / 2 = 0.5 */
static void test_tournament_both_roles(void **state)
{
    static const double want[3][3] = {{2.5, 0.4, 2.5}, {0.9, 0.5, 4.5}, {2.5, -0.5, 2.5}};
    dlm_scenario sc;
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_tournament_report r;
    dlm_error err;
    int i, j;
    (void)state;
    load_ok("mode: tournament\nmatch: {rounds: 10}\n"
            "tournament: {strategies: [tft, alld, allc], repetitions: 3}\n"
            "game: {preset: pd, B: {R: 2, S: -1, T: 4, P: 0}}\n", &sc);
    open_cpu(&ops, &be);
    if (dlm_play_scenario_tournament(&sc, ops, be, &r, &err) != DLM_OK)
        fail_msg("%s", err.message);
    for (i = 0; i < 3; ++i)
        for (j = 0; j < 3; ++j) {
            char what[32];
            snprintf(what, sizeof what, "matrix[%d][%d]", i, j);
            check_near(what, r.matrix[i * 3 + j], want[i][j], 1e-12);
            check_near("s.e.", r.matrix_se[i * 3 + j], 0.0, 0.0);
        }
    check_near("alld mean", r.mean_payoff[1], (0.9 + 0.5 + 4.5) / 3.0, 1e-12);
    check_near("alld per repetition", r.rep_payoff[3 + 1], (0.9 + 0.5 + 4.5) / 3.0, 1e-12);
    assert_int_equal(r.total_matches, (3 * 2 + 3) * 3);
    /* Wins by each one's own payoff, per repetition: alld as A against tft (14 > -1) and
       both matches against allc (50 > -10, 40 > 0); tft as A against alld (9 > 4) and
       against allc (30 > 20); allc as A against tft (30 > 20). */
    assert_int_equal(r.wins[1], 3 * 3);
    assert_int_equal(r.wins[0], 3 * 2);
    assert_int_equal(r.wins[2], 3 * 1);
    assert_int_equal(r.matches[0], 3 * 5);
    dlm_tournament_report_free(&r);
    ops->destroy(be);
    dlm_scenario_free(&sc);
}

/* The exact analysis with two matrices: B's long-run payoff is the long-run distribution
 * read through B's own matrix (R, T, S, P of game_b for CC, CD, DC, DD); the chain itself
 * does not depend on the payoffs. TFT against TFT under execution error e has the uniform
 * long-run distribution, so each earns the mean of its own matrix. */
static void test_analyze_two_matrices(void **state)
{
    dlm_game a = {"pd", "pd", 3, 0, 5, 1}, b = {"custom", "", 2, -1, 4, 0};
    double tft[5] = {1, 1, 0, 1, 0}, wsls[5] = {1, 1, 0, 0, 1};
    dlm_exact_input in;
    dlm_exact_result one, two, swapped;
    dlm_error err;
    int period;
    (void)state;
    for (period = 1; period <= 2; ++period) {
        memset(&in, 0, sizeof in);
        memcpy(in.a, tft, sizeof tft);
        memcpy(in.b, tft, sizeof tft);
        in.execution_error[0] = in.execution_error[1] = 0.05;
        in.reaction_period[0] = 1;
        in.reaction_period[1] = (uint32_t)period;
        in.rounds = 100;
        assert_int_equal(dlm_exact_memory_one(&in, &a, &one, &err), DLM_OK);
        assert_int_equal(dlm_exact_bimatrix(&in, &a, &b, &two, &err), DLM_OK);
        assert_memory_equal(one.stationary, two.stationary, sizeof one.stationary);
        assert_memory_equal(&one.long_run_payoff[0], &two.long_run_payoff[0], sizeof(double));
        check_near("B long run",
                   two.long_run_payoff[1],
                   two.stationary[0] * 2 + two.stationary[1] * 4 + two.stationary[2] * -1 +
                       two.stationary[3] * 0, 1e-12);
        check_near("B expected total", two.expected_total[1],
                   two.expected_outcomes[0] * 2 + two.expected_outcomes[1] * 4 -
                       two.expected_outcomes[2], 1e-9);
        if (period == 1) { /* uniform: each earns its own matrix's mean */
            check_near("A", two.long_run_payoff[0], (3 + 0 + 5 + 1) / 4.0, 1e-9);
            check_near("B", two.long_run_payoff[1], (2 - 1 + 4 + 0) / 4.0, 1e-9);
        }
    }
    /* Swapping the players and their matrices swaps the answers. */
    memset(&in, 0, sizeof in);
    memcpy(in.a, tft, sizeof tft);
    memcpy(in.b, wsls, sizeof wsls);
    in.execution_error[0] = 0.02;
    in.execution_error[1] = 0.1;
    in.perception_error[1] = 0.03;
    in.rounds = 50;
    assert_int_equal(dlm_exact_bimatrix(&in, &a, &b, &two, &err), DLM_OK);
    memcpy(in.a, wsls, sizeof wsls);
    memcpy(in.b, tft, sizeof tft);
    in.execution_error[0] = 0.1;
    in.execution_error[1] = 0.02;
    in.perception_error[0] = 0.03;
    in.perception_error[1] = 0.0;
    assert_int_equal(dlm_exact_bimatrix(&in, &b, &a, &swapped, &err), DLM_OK);
    check_near("A as B", swapped.long_run_payoff[1], two.long_run_payoff[0], 1e-12);
    check_near("B as A", swapped.long_run_payoff[0], two.long_run_payoff[1], 1e-12);
    check_near("total A as B", swapped.expected_total[1], two.expected_total[0], 1e-9);
    b.T = NAN;
    assert_int_equal(dlm_exact_bimatrix(&in, &a, &b, &two, &err), DLM_ERR_USAGE);
}

/* ---- two sides that play each other (evolution) ------------------------------------ */

/* Plans and runs the config's evolution on the CPU; outcomes (one per population) in *out. */
static void evolve(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_evo_outcome **out)
{
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_error err;
    if (dlm_evo_plan_build(sc, plan, &err) != DLM_OK)
        fail_msg("plan: %s", err.message);
    *out = calloc(sc->evolution.populations, sizeof **out);
    assert_non_null(*out);
    open_cpu(&ops, &be);
    if (dlm_evo_drive(sc, plan, ops, be, NULL, *out, &err) != DLM_OK)
        fail_msg("evolve: %s", err.message);
    ops->destroy(be);
}

static const char sides_yaml[] =
    "mode: evolve\nmatch: {rounds: 1}\n"
    "game: {A: {R: 3, S: 0, T: 5, P: 1}, B: {R: 2, S: -1, T: 4, P: 0}}\n"
    "evolution:\n  population: 40\n  generations: 0\n  rule: moran-bd\n  selection: 0.2\n"
    "  initial: {shares: {allc: 0.5, alld: 0.5}}\n"
    "  classes: [{name: ai, role: A, rate: 3}, {name: human, role: B}]\n";

/* Who meets whom, by hand: each agent plays the 20 agents of the other side once (10 allc,
 * 10 alld there: the shares hold within each side), paid by its own side's matrix.
 * ai: allc (10*3 + 10*0)/20 = 1.5, alld (10*5 + 10*1)/20 = 3, summed over 10 + 10: 45;
 * human: allc (10*2 - 10)/20 = 0.5, alld (10*4 + 0)/20 = 2: 25. Partners from everyone,
 * or one matrix for both, would give other sums. */
static void test_sides_meet_the_other_side(void **state)
{
    dlm_scenario sc;
    dlm_evo_plan plan;
    dlm_evo_outcome *out;
    uint32_t e, a_events = 0;
    (void)state;
    load_ok(sides_yaml, &sc);
    evolve(&sc, &plan, &out);
    assert_int_equal(plan.params.side_b, 20);
    /* rates 3 : 1 on 20 : 20 agents: 30 of a generation's 40 events are side A's */
    assert_int_equal(plan.params.events_a, 30);
    {
        dlm_evo_population pop = plan.populations[0];
        for (e = 0; e < pop.n; ++e)
            a_events += dlm_evo_event_side(&pop, &plan.params, e) == 0u;
    }
    assert_int_equal(a_events, 30);
    for (e = 0; e < 40; ++e)
        assert_int_equal(plan.agent_class[e], e < 20 ? 0u : 1u);
    assert_int_equal(out[0].final.class_agents[0], 20);
    check_near("ai payoff", out[0].final.class_payoff[0], 45.0, 1e-12);
    check_near("human payoff", out[0].final.class_payoff[1], 25.0, 1e-12);
    assert_int_equal(out[0].final.class_moves[0], 20 * 20);
    assert_int_equal(out[0].final.class_cooperations[0], 10 * 20);
    free(out);
    dlm_evo_plan_free(&plan);
    dlm_scenario_free(&sc);
}

/* A side whose rate is negligible gets no events: it never changes while the other side
 * evolves (its census cooperation stays that of 10 allc, each in 20 matches). */
static void test_a_frozen_side_never_changes(void **state)
{
    const char *sets[] = {"evolution.classes.1.rate=1e-9", "evolution.generations=30",
                          "evolution.populations=3", "evolution.selection=0.3", NULL};
    dlm_scenario sc;
    dlm_evo_plan plan;
    dlm_evo_outcome *out;
    dlm_error err;
    uint32_t p;
    (void)state;
    assert_int_equal(load(sides_yaml, sets, &sc, &err), DLM_OK);
    evolve(&sc, &plan, &out);
    assert_int_equal(plan.params.events_a, 40);
    for (p = 0; p < 3; ++p) {
        assert_int_equal(out[p].final.class_cooperations[1], 10 * 20);
        assert_true(out[p].final.class_cooperations[0] != 10 * 20); /* side A moved */
    }
    free(out);
    dlm_evo_plan_free(&plan);
    dlm_scenario_free(&sc);
}

/* The Red King (Bergstrom & Lachmann 2003): in a snowdrift game (R 3, S 2, T 4, P 0;
 * cooperating is the better reply while fewer than 2/3 of the other side cooperate) both
 * sides start at half cooperators, so both first move towards cooperating; the faster
 * side gets there first and the slower side, now facing cooperators, is the one that ends
 * defecting: the equilibrium that favours it. Among populations that end at one of the
 * two pure equilibria, the share where the slow side defects is above 1/2 by more than 4
 * standard errors at rates 10 : 1, and within 4 of 1/2 at equal rates (the game and the
 * start are symmetric). */
static double slow_side_wins(const char *rate_a, double *se)
{
    const char *sets[] = {"game={R: 3, S: 2, T: 4, P: 0, B: }", "evolution.population=40",
                          "evolution.populations=400", "evolution.generations=100000",
                          "evolution.selection=0.5", "evolution.stop.fixation=true", rate_a,
                          "seed=7", NULL};
    dlm_scenario sc;
    dlm_evo_plan plan;
    dlm_evo_outcome *out;
    dlm_error err;
    uint32_t p, slow = 0, fast = 0;
    double share;
    assert_int_equal(load(sides_yaml, sets, &sc, &err), DLM_OK);
    evolve(&sc, &plan, &out);
    for (p = 0; p < 400; ++p) {
        const dlm_evo_census *c = &out[p].final;
        int a_defects = c->class_cooperations[0] == 0, b_defects = c->class_cooperations[1] == 0;
        int a_cooperates = c->class_cooperations[0] == c->class_moves[0];
        int b_cooperates = c->class_cooperations[1] == c->class_moves[1];
        assert_true(out[p].fixed);
        slow += a_cooperates && b_defects; /* side B (human) is the slow one */
        fast += a_defects && b_cooperates;
    }
    assert_true(slow + fast >= 200);
    share = (double)slow / (double)(slow + fast);
    print_message("%s: slow side defects in %u, fast side in %u populations\n", rate_a, slow, fast);
    *se = sqrt(0.25 / (double)(slow + fast)); /* under the null share 1/2 */
    free(out);
    dlm_evo_plan_free(&plan);
    dlm_scenario_free(&sc);
    return share;
}

static void test_red_king_slow_side_gains(void **state)
{
    double se, share;
    (void)state;
    share = slow_side_wins("evolution.classes.0.rate=10", &se);
    if (!(share - 0.5 > 4.0 * se))
        fail_msg("rates 10:1: the slow side won %.3f of the decided populations, not above "
                 "1/2 by 4 s.e. (%.3f)", share, se);
    share = slow_side_wins("evolution.classes.0.rate=1", &se);
    if (!(fabs(share - 0.5) < 4.0 * se))
        fail_msg("equal rates: side B won %.3f of the decided populations, more than 4 s.e. "
                 "(%.3f) from 1/2", share, se);
}

/* Sides are refused with the reason: a graph, a synchronous rule, one role only, a side
 * of one agent, an asymmetric game without sides, a rate without a role. */
static void test_sides_refused(void **state)
{
    static const struct { const char *set, *want; } bad[] = {
        {"evolution.rule=wright-fisher", "moran-bd, moran-db or fermi"},
        {"evolution.structure=ring", "well-mixed"},
        {"evolution.classes=[{role: A, share: 0.99}, {role: B, share: 0.01}]", "at least 2 agents"},
        {"evolution.classes=[{name: x}]", "role A and role B"},
        {"evolution.classes.1.role=A", "both the same"},
        {"evolution.classes.1={rate: 2}", "give the class a role"},
        {"evolution.classes.0.rate=0", "expected a number > 0"},
        {"evolution.classes.0.role=C", "role"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        const char *sets[] = {bad[i].set, NULL};
        dlm_scenario sc;
        dlm_evo_plan plan;
        dlm_error err = {DLM_OK, ""};
        dlm_status st = load(sides_yaml, sets, &sc, &err);
        if (st == DLM_OK) {
            st = dlm_evo_plan_build(&sc, &plan, &err);
            if (st == DLM_OK)
                dlm_evo_plan_free(&plan);
        }
        dlm_scenario_free(&sc);
        if (st != DLM_ERR_USAGE || !strstr(err.message, bad[i].want))
            fail_msg("--set %s: status %d, '%s'; expected exit 2 naming '%s'", bad[i].set, st,
                     err.message, bad[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_symmetric_game_unchanged),
        cmocka_unit_test(test_config_sides),
        cmocka_unit_test(test_config_refusals),
        cmocka_unit_test(test_match_by_hand),
        cmocka_unit_test(test_tournament_both_roles),
        cmocka_unit_test(test_analyze_two_matrices),
        cmocka_unit_test(test_sides_meet_the_other_side),
        cmocka_unit_test(test_a_frozen_side_never_changes),
        cmocka_unit_test(test_red_king_slow_side_gains),
        cmocka_unit_test(test_sides_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

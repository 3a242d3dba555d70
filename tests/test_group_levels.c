/* test_group_levels.c — the level games of kernels/dlm_group.h (dlm_group_play_levels),
 * through the kind's entry point dlm_evo_evaluate on well-mixed populations built here,
 * each population one group (N = n), so that every group game's members are known.
 *
 * Known answers:
 *  - the renewable commons: a hand-computed collapse (five members asking 8 each from a
 *    stock of 100, g = 0.5: 100 -> 60 -> 72 -> 32 -> 42.88 -> 2.88 -> 4.278528, shared,
 *    0 for good); harvest paths for fixed and stock-conditional levels against the
 *    logistic recursion x' = y + g y (1 - y / K), y = x - harvest, computed here;
 *  - the maximum sustainable yield of the logistic stock, H* = g K / 4 (Schaefer 1954;
 *    Clark, Mathematical Bioeconomics, 1990, ch. 1): a total harvest below it is taken
 *    in full forever (every member earns h l each round), one above it collapses the
 *    stock (the mean payoff falls below h l);
 *  - escalation, the all-pay Tullock contest: payoff V l_x / sum l - c l_x (V / n each
 *    when nobody arms) for fixed levels; the best reply to the others' total Y, from the
 *    engine's payoffs over every level, is the integer maximiser of V l / (l + Y) - c l
 *    (near sqrt(V Y / c) - Y) and rises with Y: arming pays more as the others arm;
 *  - the census counts: levels summed, moves = rounds x (L - 1);
 *  - the commons' stock in the census (issue #15 item 6): the hand-computed collapse
 *    (stocks at the rounds' starts 100, 72, 42.88, 4.278528, 0: mean 0.438317056 K, left 0,
 *    collapsed) and sustainable paths against the recursion; nothing for escalation;
 *  - the execution error of the level games: each member's level replaced by a uniform
 *    random one with probability e, from the group game's own words of the play stream
 *    (the stream contract replayed here: one execution word per member and round, two more
 *    for the level when it fires, game j from block j x DLM_GROUP_LEVEL_SLOT_BLOCKS); the
 *    rates of the levels within 4 standard errors of (1 - e) [l = k] + e / L.
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
#include "dlm_census.h"
#include "dlm_evolve.h"

#define MAX_N 16u

static struct {
    dlm_evo_params ep;
    dlm_player_params cls;
    dlm_strategy agents[MAX_N];
    uint32_t agent_class[MAX_N];
    dlm_evo_world w;
    dlm_evo_population pop;
} F;

static dlm_strategy level(uint32_t k)
{
    dlm_strategy s;
    memset(&s, 0, sizeof s);
    s.kind = DLM_STRAT_CONTRIBUTION;
    s.opening = DLM_CONTRIB_LEVEL;
    s.depth = k;
    return s;
}

/* stock(k, j, f) with f = num / 4 (exact in 2^-32 steps) */
static dlm_strategy stock_rule(uint32_t k, uint32_t j, uint32_t quarters)
{
    dlm_strategy s = level(k);
    s.opening = DLM_CONTRIB_STOCK;
    s.fsm_output = j;
    s.threshold[0] = (uint64_t)quarters << 30;
    return s;
}

/* n agents (one group of n) of the strategies s, `rounds` rounds, L levels. */
static void setup(uint32_t n, const dlm_strategy *s, uint32_t rounds, uint32_t game, uint32_t L)
{
    uint32_t i;
    memset(&F, 0, sizeof F);
    F.ep.interaction = DLM_INTERACTION_GROUP;
    F.ep.rules.rounds = rounds;
    F.ep.rule = DLM_RULE_FERMI;
    F.ep.structure = DLM_STRUCTURE_COMPLETE;
    F.ep.group_size = n;
    F.ep.payoff[2] = (double)L;
    F.ep.payoff_b[2] = (double)game;
    F.ep.payoff_b[3] = 1.0;
    F.ep.selection = 1.0;
    F.ep.fitness_map = DLM_FITNESS_LINEAR;
    for (i = 0; i < n; ++i)
        F.agents[i] = s[i];
    F.w.seed = 20261204u;
    F.w.params = &F.ep;
    F.w.classes = &F.cls;
    F.w.table = F.agents;
    F.w.strategy = F.agents;
    F.w.agent_class = F.agent_class;
    F.pop.n = n;
    F.pop.id = 1;
    F.pop.seed = 20261204u;
}

static void commons(double g, double h, double K)
{
    F.ep.payoff[0] = g;
    F.ep.payoff[1] = h;
    F.ep.payoff[3] = K;
}

static double evaluate(uint64_t gen, uint32_t x, dlm_evo_counts *counts)
{
    uint32_t slot = 0;
    dlm_cursor partners =
        dlm_cursor_at(F.pop.seed, dlm_stream_id(DLM_PURPOSE_MATCHING, F.pop.id, gen), x);
    return dlm_evo_evaluate(
        &F.w, &F.pop, &F.ep, x, dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, F.pop.id, gen),
        dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, F.pop.id, gen), x, &slot, &partners, counts);
}

/* The commons by the recursion, written out here: member x's payoff per round. */
static double commons_path(uint32_t n, const dlm_strategy *s, uint32_t rounds, double g, double h,
                           double K, uint32_t x)
{
    double stock = K, earned = 0.0;
    uint32_t t, m;
    for (t = 0; t < rounds; ++t) {
        uint32_t lv[MAX_N], total = 0;
        for (m = 0; m < n; ++m) {
            lv[m] = s[m].opening == DLM_CONTRIB_STOCK
                        ? (stock >= K * (double)s[m].threshold[0] / 4294967296.0 ? s[m].depth
                                                                                 : s[m].fsm_output)
                        : s[m].depth;
            total += lv[m];
        }
        if (h * total <= stock) {
            earned += h * lv[x];
            stock -= h * total;
        } else {
            earned += total ? stock * lv[x] / total : 0.0;
            stock = 0.0;
        }
        stock += g * stock * (1.0 - stock / K);
    }
    return earned / rounds;
}

static void near(double got, double want)
{
    if (!(fabs(got - want) <= 1e-12 * (1.0 + fabs(want))))
        printf("  got %.17g want %.17g\n", got, want);
    assert_true(fabs(got - want) <= 1e-12 * (1.0 + fabs(want)));
}

static void test_commons_collapse_by_hand(void **state)
{
    dlm_strategy s[5];
    dlm_evo_counts counts = {0, 0, 0, 0};
    uint32_t i;
    (void)state;
    for (i = 0; i < 5; ++i)
        s[i] = level(4);
    setup(5, s, 5, DLM_GROUP_COMMONS, 5);
    commons(0.5, 2.0, 100.0);
    /* 8, 8, 8 in full; then 4.278528 / 5 each, the stock gone; then 0 */
    near(evaluate(0, 0, &counts), (24.0 + 4.278528 / 5.0) / 5.0);
    assert_int_equal(counts.cooperations, 4u * 5u);
    assert_int_equal(counts.moves, 5u * 4u);
    assert_int_equal(counts.matches, 1u);
}

static void test_commons_paths(void **state)
{
    static const uint32_t levels[][6] = {
        {1, 1, 1, 1, 1, 1}, {0, 1, 2, 3, 4, 0}, {4, 4, 0, 0, 1, 2}, {3, 3, 3, 3, 3, 3}};
    dlm_strategy s[6];
    uint32_t c, i, x;
    uint64_t gen;
    (void)state;
    for (c = 0; c < 4; ++c) {
        for (i = 0; i < 6; ++i)
            s[i] = level(levels[c][i]);
        setup(6, s, 40, DLM_GROUP_COMMONS, 5);
        commons(0.8, 1.5, 60.0);
        for (gen = 0; gen < 3; ++gen)
            for (x = 0; x < 6; ++x) {
                dlm_evo_counts counts = {0, 0, 0, 0};
                near(evaluate(gen, x, &counts), commons_path(6, s, 40, 0.8, 1.5, 60.0, x));
                assert_int_equal(counts.cooperations, 40u * levels[c][x]);
                assert_int_equal(counts.moves, 40u * 4u);
            }
    }
    /* stock-conditional: grab (4) while the stock is at least half, else restrain (0);
       beside two of level(1) and one stock(2, 1, 3/4) */
    s[0] = s[1] = s[2] = stock_rule(4, 0, 2);
    s[3] = s[4] = level(1);
    s[5] = stock_rule(2, 1, 3);
    setup(6, s, 60, DLM_GROUP_COMMONS, 5);
    commons(0.6, 1.0, 50.0);
    for (x = 0; x < 6; ++x) {
        dlm_evo_counts counts = {0, 0, 0, 0};
        double want = commons_path(6, s, 60, 0.6, 1.0, 50.0, x);
        near(evaluate(1, x, &counts), want);
        assert_true(want > 0.0);
    }
}

/* The maximum sustainable yield g K / 4 = 12.5 for g = 0.5, K = 100. */
static void test_commons_msy(void **state)
{
    dlm_strategy s[5];
    uint32_t i;
    (void)state;
    for (i = 0; i < 5; ++i)
        s[i] = level(1);
    setup(5, s, 2000, DLM_GROUP_COMMONS, 3);
    commons(0.5, 12.0 / 5.0, 100.0); /* H = 12 < 12.5: taken in full for ever */
    near(evaluate(0, 2, &(dlm_evo_counts){0, 0, 0, 0}), 12.0 / 5.0);
    commons(0.5, 12.49 / 5.0, 100.0); /* just below */
    near(evaluate(0, 2, &(dlm_evo_counts){0, 0, 0, 0}), 12.49 / 5.0);
    commons(0.5, 12.51 / 5.0, 100.0); /* just above: collapses, and earns far less */
    {
        double got = evaluate(0, 2, &(dlm_evo_counts){0, 0, 0, 0});
        near(got, commons_path(5, s, 2000, 0.5, 12.51 / 5.0, 100.0, 2));
        assert_true(got < 0.5 * 12.51 / 5.0);
    }
    commons(0.5, 13.0 / 5.0, 100.0);
    assert_true(evaluate(0, 2, &(dlm_evo_counts){0, 0, 0, 0}) < 0.1 * 13.0 / 5.0);
}

/* Escalation: V l_x / sum l - c l_x, V / n each when nobody arms. */
static double tullock(double V, double c, uint32_t own, uint32_t others)
{
    return (own + others == 0u ? V / 4.0 : V * own / (double)(own + others)) - c * own;
}

static void test_escalation(void **state)
{
    static const uint32_t lv[4] = {0, 1, 2, 3};
    static const uint32_t others[3][3] = {{0, 0, 1}, {1, 1, 2}, {3, 3, 3}};
    dlm_strategy s[4];
    uint32_t i, x, k, best[3];
    (void)state;
    for (i = 0; i < 4; ++i)
        s[i] = level(lv[i]);
    setup(4, s, 3, DLM_GROUP_ESCALATION, 4);
    F.ep.payoff[0] = 10.0;
    F.ep.payoff[1] = 1.0;
    for (x = 0; x < 4; ++x) {
        dlm_evo_counts counts = {0, 0, 0, 0};
        near(evaluate(0, x, &counts), 10.0 * lv[x] / 6.0 - lv[x]);
        assert_int_equal(counts.cooperations, 3u * lv[x]);
        assert_int_equal(counts.moves, 3u * 3u);
    }
    for (i = 0; i < 4; ++i)
        s[i] = level(0);
    setup(4, s, 3, DLM_GROUP_ESCALATION, 4);
    F.ep.payoff[0] = 10.0;
    F.ep.payoff[1] = 1.0;
    near(evaluate(0, 1, &(dlm_evo_counts){0, 0, 0, 0}), 2.5);
    /* the best reply rises with the others' arming (V = 100, c = 1, 64 levels) */
    for (i = 0; i < 3; ++i) {
        uint32_t Y = others[i][0] + others[i][1] + others[i][2];
        double top = -1e300, top_formula = -1e300;
        uint32_t arg_formula = 0;
        best[i] = 0;
        for (k = 0; k < 64; ++k) {
            double got;
            s[0] = level(k);
            s[1] = level(others[i][0]);
            s[2] = level(others[i][1]);
            s[3] = level(others[i][2]);
            setup(4, s, 1, DLM_GROUP_ESCALATION, 64);
            F.ep.payoff[0] = 100.0;
            F.ep.payoff[1] = 1.0;
            got = evaluate(0, 0, &(dlm_evo_counts){0, 0, 0, 0});
            near(got, tullock(100.0, 1.0, k, Y));
            if (got > top)
                top = got, best[i] = k;
            if (tullock(100.0, 1.0, k, Y) > top_formula)
                top_formula = tullock(100.0, 1.0, k, Y), arg_formula = k;
        }
        assert_int_equal(best[i], arg_formula);
        assert_true(fabs(best[i] - (sqrt(100.0 * Y) - Y)) <= 1.0);
    }
    assert_true(best[0] < best[1] && best[1] < best[2]); /* 9, 16, 21 */
}

/* The commons' stock by the recursion, written out here: its mean over the rounds (at
 * each round's start) and what is left, both over K. */
static void commons_stock(uint32_t n, const dlm_strategy *s, uint32_t rounds, double g, double h,
                          double K, double *mean, double *left)
{
    double stock = K, seen = 0.0;
    uint32_t t, m;
    for (t = 0; t < rounds; ++t) {
        uint32_t total = 0;
        seen += stock;
        for (m = 0; m < n; ++m)
            total += s[m].opening == DLM_CONTRIB_STOCK
                         ? (stock >= K * (double)s[m].threshold[0] / 4294967296.0 ? s[m].depth
                                                                                  : s[m].fsm_output)
                         : s[m].depth;
        stock = h * total <= stock ? stock - h * total : 0.0;
        stock += g * stock * (1.0 - stock / K);
    }
    *mean = seen / rounds / K;
    *left = stock / K;
}

static dlm_evo_census census(uint64_t gen)
{
    return dlm_census_chunk(&F.w, &F.pop, gen, 0, F.agents, 0, 0);
}

static void test_commons_stock_census(void **state)
{
    dlm_strategy s[6];
    dlm_evo_census c;
    double mean, left;
    uint32_t i;
    (void)state;
    for (i = 0; i < 5; ++i)
        s[i] = level(4);
    setup(5, s, 5, DLM_GROUP_COMMONS, 5);
    commons(0.5, 2.0, 100.0);
    c = census(0); /* each of the 5 agents' census evaluation: one group game, all five */
    assert_int_equal(c.stock_games, 5u);
    assert_int_equal(c.collapses, 5u);
    near(c.stock_sum / 5.0, (100.0 + 72.0 + 42.88 + 4.278528 + 0.0) / 5.0 / 100.0);
    near(c.stock_end_sum, 0.0);
    near(c.stock_sum / 5.0, 0.438317056);
    /* sustainable (demand 10 < g K / 4 = 12.5), and stock-conditional rules */
    for (i = 0; i < 5; ++i)
        s[i] = level(1);
    setup(5, s, 40, DLM_GROUP_COMMONS, 5);
    commons(0.5, 2.0, 100.0);
    c = census(3);
    commons_stock(5, s, 40, 0.5, 2.0, 100.0, &mean, &left);
    assert_int_equal(c.stock_games, 5u);
    assert_int_equal(c.collapses, 0u);
    near(c.stock_sum / 5.0, mean);
    near(c.stock_end_sum / 5.0, left);
    assert_true(left > 0.5 && mean > 0.5); /* towards the steady stock 0.5 (1 + sqrt(1 - 0.8)) K */
    s[0] = s[1] = s[2] = stock_rule(4, 0, 2);
    s[3] = s[4] = level(1);
    s[5] = stock_rule(2, 1, 3);
    setup(6, s, 60, DLM_GROUP_COMMONS, 5);
    commons(0.6, 1.0, 50.0);
    c = census(1);
    commons_stock(6, s, 60, 0.6, 1.0, 50.0, &mean, &left);
    assert_int_equal(c.stock_games, 6u);
    assert_int_equal(c.collapses, left == 0.0 ? 6u : 0u);
    near(c.stock_sum / 6.0, mean);
    near(c.stock_end_sum / 6.0, left);
    /* two groups per evaluation: two games per agent */
    F.ep.payoff_b[3] = 2.0;
    c = census(1);
    assert_int_equal(c.stock_games, 12u);
    near(c.stock_sum / 12.0, mean);
    /* escalation has no stock */
    for (i = 0; i < 4; ++i)
        s[i] = level(i);
    setup(4, s, 3, DLM_GROUP_ESCALATION, 4);
    F.ep.payoff[0] = 10.0;
    F.ep.payoff[1] = 1.0;
    c = census(0);
    assert_int_equal(c.stock_games, 0u);
    near(c.stock_sum, 0.0);
    assert_int_equal(c.cooperations, 3u * (0u + 1u + 2u + 3u));
}

/* A level game with the execution error, replayed here from the stream contract: x's
 * payoff over `groups` group games of the whole population (n = N), and its levels. */
static double replay_levels(uint64_t gen, uint32_t x, uint32_t groups, uint64_t threshold,
                            uint64_t *own_levels)
{
    uint32_t rounds = F.ep.rules.rounds, L = (uint32_t)F.ep.payoff[2], n = F.pop.n, j, t, m;
    int escalation = (uint32_t)F.ep.payoff_b[2] == DLM_GROUP_ESCALATION;
    double K = F.ep.payoff[3], h = F.ep.payoff[1], sum = 0.0;
    dlm_cursor partners =
        dlm_cursor_at(F.pop.seed, dlm_stream_id(DLM_PURPOSE_MATCHING, F.pop.id, gen), x);
    *own_levels = 0;
    for (j = 0; j < groups; ++j) {
        uint32_t members[MAX_N];
        double stock = K, earned = 0.0;
        dlm_cursor c = dlm_cursor_at(F.pop.seed, dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, F.pop.id, gen), x);
        dlm_group_draw(&F.pop, x, n, members, &partners); /* x first */
        c.block += (uint64_t)j * ((rounds * (3u * 64u + 1u) + 3u) / 4u);
        for (t = 0; t < rounds; ++t) {
            uint32_t lv[MAX_N] = {0}, total = 0;
            for (m = 0; m < n; ++m) {
                const dlm_strategy *s = &F.agents[members[m]];
                lv[m] = s->opening == DLM_CONTRIB_STOCK
                            ? (stock >= K * (double)s->threshold[0] / 4294967296.0 ? s->depth
                                                                                   : s->fsm_output)
                            : s->depth;
                if ((uint64_t)dlm_cursor_word(&c) < threshold)
                    lv[m] = dlm_cursor_below(&c, L);
                total += lv[m];
            }
            *own_levels += lv[0];
            if (escalation) {
                earned += (total ? F.ep.payoff[0] * lv[0] / total : F.ep.payoff[0] / n) - h * lv[0];
                continue;
            }
            if (h * total <= stock) {
                earned += h * lv[0];
                stock -= h * total;
            } else {
                earned += total ? stock * lv[0] / total : 0.0;
                stock = 0.0;
            }
            stock += F.ep.payoff[0] * stock * (1.0 - stock / K);
        }
        sum += earned / rounds;
    }
    return sum / groups;
}

static void test_level_execution_error_replayed(void **state)
{
    dlm_strategy s[5];
    uint64_t threshold = (uint64_t)1 << 30; /* e = 1/4 */
    uint32_t x, game, fired = 0;
    uint64_t gen;
    (void)state;
    for (game = 0; game < 2; ++game) {
        s[0] = level(0);
        s[1] = level(1);
        s[2] = game ? level(3) : stock_rule(3, 1, 2);
        s[3] = level(2);
        s[4] = level(3);
        setup(5, s, 30, game ? DLM_GROUP_ESCALATION : DLM_GROUP_COMMONS, 4);
        if (game) {
            F.ep.payoff[0] = 10.0;
            F.ep.payoff[1] = 0.8;
        } else {
            commons(0.4, 1.5, 40.0);
        }
        F.ep.payoff_b[0] = (double)threshold;
        F.ep.payoff_b[3] = 2.0; /* two group games per evaluation: the second's blocks */
        for (gen = 0; gen < 3; ++gen)
            for (x = 0; x < 5; ++x) {
                dlm_evo_counts counts = {0, 0, 0, 0};
                uint64_t own;
                double want = replay_levels(gen, x, 2, threshold, &own);
                near(evaluate(gen, x, &counts), want);
                assert_int_equal(counts.cooperations, own);
                assert_int_equal(counts.moves, 2u * 30u * 3u);
                fired += own != 2u * 30u * F.agents[x].depth;
            }
    }
    assert_true(fired > 0); /* the error did change levels */
    /* without the error the levels are the rules' */
    s[0] = s[1] = s[2] = s[3] = s[4] = level(2);
    setup(5, s, 30, DLM_GROUP_COMMONS, 4);
    commons(0.4, 0.1, 40.0);
    {
        dlm_evo_counts counts = {0, 0, 0, 0};
        evaluate(0, 0, &counts);
        assert_int_equal(counts.cooperations, 60u);
    }
}

/* The rates of the executed levels: level(0) members with e = 0.3 among L = 5 levels show
 * level 0 at rate 0.7 + 0.3 / 5 = 0.76 and each other level at 0.06 (one round a game, so
 * each evaluation shows one executed level of the focal agent). */
static void test_level_execution_error_rates(void **state)
{
    dlm_strategy s[6];
    uint64_t seen[5] = {0, 0, 0, 0, 0}, total = 0, gen;
    uint32_t i, x;
    const double e = 0.3;
    (void)state;
    for (i = 0; i < 6; ++i)
        s[i] = level(0);
    setup(6, s, 1, DLM_GROUP_ESCALATION, 5);
    F.ep.payoff[0] = 1.0;
    F.ep.payoff[1] = 0.1;
    F.ep.payoff_b[0] = floor(e * 4294967296.0);
    for (gen = 0; gen < 5000; ++gen)
        for (x = 0; x < 6; ++x) {
            dlm_evo_counts counts = {0, 0, 0, 0};
            evaluate(gen, x, &counts);
            seen[counts.cooperations] += 1;
            ++total;
        }
    for (i = 0; i < 5; ++i) {
        double p = (i == 0 ? 1.0 - e : 0.0) + e / 5.0, f = (double)seen[i] / (double)total;
        double se = sqrt(p * (1.0 - p) / (double)total);
        printf("  level %u: %.5f (expected %.5f, se %.5f)\n", i, f, p, se);
        assert_true(fabs(f - p) <= 4.0 * se);
    }
}

/* The config keys: read, defaulted, refused out of range (exit 2 in the CLI). */
static dlm_status read_config(const char *text, dlm_evolution_spec *ev, dlm_error *err)
{
    dlm_config *cfg = NULL;
    dlm_scenario sc;
    dlm_status st = dlm_config_load_string(text, strlen(text), "<test>", &cfg, err);
    memset(&sc, 0, sizeof sc);
    if (st == DLM_OK && (st = dlm_config_to_scenario(cfg, &sc, err)) == DLM_OK) {
        *ev = sc.evolution;
        dlm_scenario_free(&sc);
    }
    dlm_config_free(cfg);
    return st;
}

static void test_config(void **state)
{
    static const char *const bad[][2] = {
        {"{game: commons, levels: 1}", "evolution.group.levels"},
        {"{game: commons, levels: 65}", "evolution.group.levels"},
        {"{game: commons, growth: 1.5}", "evolution.group.growth"},
        {"{game: commons, capacity: 0}", "evolution.group.capacity"},
        {"{game: commons, harvest: -1}", "evolution.group.harvest"},
        {"{game: escalation, prize: -2}", "evolution.group.prize"},
        {"{game: tragedy}", "evolution.group.game"},
    };
    char text[256];
    dlm_evolution_spec ev;
    dlm_error err;
    size_t i;
    (void)state;
    assert_int_equal(read_config("mode: evolve\nevolution: {interaction: group, group: {game: "
                                 "commons}}\n",
                                 &ev, &err),
                     DLM_OK);
    assert_int_equal(ev.group_game, 3);
    assert_int_equal(ev.group_levels, 5);
    assert_float_equal(ev.group_capacity, 100.0, 0.0);
    assert_float_equal(ev.group_growth, 0.5, 0.0);
    assert_float_equal(ev.group_harvest, 2.0, 0.0);
    assert_int_equal(read_config("mode: evolve\nevolution: {interaction: group, group: {game: "
                                 "escalation, levels: 9, prize: 40, c: 2.5}}\n",
                                 &ev, &err),
                     DLM_OK);
    assert_int_equal(ev.group_game, 4);
    assert_int_equal(ev.group_levels, 9);
    assert_float_equal(ev.group_prize, 40.0, 0.0);
    assert_float_equal(ev.group_c, 2.5, 0.0);
    assert_int_equal(read_config("mode: evolve\nevolution: {interaction: group, group: {game: "
                                 "commons, execution_error: 0.1}}\n",
                                 &ev, &err),
                     DLM_OK); /* the level games take an execution error */
    assert_float_equal(ev.group_execution_error, 0.1, 0.0);
    for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        snprintf(text, sizeof text, "mode: evolve\nevolution: {interaction: group, group: %s}\n",
                 bad[i][0]);
        assert_int_equal(read_config(text, &ev, &err), DLM_ERR_USAGE);
        if (!strstr(err.message, bad[i][1]))
            printf("  %s: %s\n", bad[i][0], err.message);
        assert_non_null(strstr(err.message, bad[i][1]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commons_collapse_by_hand),
        cmocka_unit_test(test_commons_paths),
        cmocka_unit_test(test_commons_msy),
        cmocka_unit_test(test_escalation),
        cmocka_unit_test(test_commons_stock_census),
        cmocka_unit_test(test_level_execution_error_replayed),
        cmocka_unit_test(test_level_execution_error_rates),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

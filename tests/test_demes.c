/* test_demes.c — group selection (Traulsen & Nowak 2006, PNAS 103:10952, "Evolution of
 * cooperation by multilevel selection"; kernels/dlm_demes.h, dlm_demes_event.h) through
 * the engine's own events (dlm_evo_event, rule DLM_RULE_GROUP_SELECTION) on populations
 * built here.
 *
 * Known answers:
 *  - within-group payoffs: an agent meets every other member of its group in the 2x2
 *    game; with donation payoffs (R, S, T, P) = (b - c, -c, b, 0) and one round, a
 *    cooperator among i cooperators of a group of s earns b (i - 1)/(s - 1) - c, a
 *    defector b i/(s - 1) (the paper's payoffs), exactly;
 *  - the layout's invariants under any sequence of events: 1 <= s_G <= n for every group,
 *    every empty place holds a strategy some living member of its group holds, and a
 *    full group's birth either keeps n members (no split) or splits n + 1 individuals
 *    into two non-empty daughters of at most n (with q = 1 the daughters' sizes add to
 *    n + 1 and, coins being fair, have mean (n + 1)/2 each);
 *  - neutrality (w = 0): the fixation probability of one cooperator is 1/N, N = m n;
 *  - the multilevel-selection condition in its weak-selection limit (Traulsen & Nowak
 *    2006, Eq. (3) with q small): cooperators are favoured (fixation probability of one
 *    cooperator above 1/N) when b/c > 1 + n/m, disfavoured below. With m = 10, n = 4 the
 *    line is b/c = 1.4: at b/c = 3 the fixation probability exceeds 1/N, at b/c = 1.1
 *    it falls below, each by more than 4 standard errors (fixed seeds).
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

#include "dlm_evolve.h"

#define NSE 4.0
#define MAX_N 256u
#define MAX_M 64u

typedef struct fixture {
    dlm_evo_params ep;
    dlm_player_params cls;
    dlm_strategy agents[MAX_N];
    uint32_t agent_class[MAX_N];
    uint32_t sizes[MAX_M];
    dlm_strategy set[2];
    dlm_evo_world w;
    dlm_evo_population pop;
} fixture;

static fixture F;

static dlm_strategy m1(int cooperate)
{
    dlm_strategy s;
    uint32_t i;
    memset(&s, 0, sizeof s);
    s.kind = DLM_STRAT_MEMORY_ONE;
    for (i = 0; i < 5u; ++i)
        s.threshold[i] = cooperate ? (uint64_t)1 << 32 : 0u;
    return s;
}

static int is_c(const dlm_strategy *s)
{
    return s->threshold[0] != 0u;
}

/* m groups of n, all full of defectors; donation game b, c; selection w; split q. */
static void setup(uint32_t m, uint32_t n, double b, double c, double w, double q)
{
    uint32_t i;
    memset(&F, 0, sizeof F);
    F.ep.interaction = DLM_INTERACTION_GAME2;
    F.ep.rules.rounds = 1;
    F.ep.rule = DLM_RULE_GROUP_SELECTION;
    F.ep.structure = DLM_STRUCTURE_DEMES;
    F.ep.partners = n;
    F.ep.payoff[0] = b - c;
    F.ep.payoff[1] = -c;
    F.ep.payoff[2] = b;
    F.ep.payoff[3] = 0.0;
    F.ep.payoff_b[0] = (double)dlm_probability_threshold_from_double(q);
    F.ep.selection = w;
    F.ep.fitness_map = DLM_FITNESS_LINEAR;
    F.ep.fitness_max = (1.0 - w + w * b) * (1.0 + 1e-12) + 1e-300;
    F.ep.max_trials = 1000000u;
    F.cls.reaction_period = 1;
    for (i = 0; i < m * n; ++i)
        F.agents[i] = m1(0);
    F.set[0] = m1(1);
    F.set[1] = m1(0);
    F.w.seed = 20061010u;
    F.w.params = &F.ep;
    F.w.classes = &F.cls;
    F.w.table = F.set;
    F.w.strategy = F.agents;
    F.w.agent_class = F.agent_class;
    F.w.views = F.sizes;
    F.pop.n = m * n;
    F.pop.id = 1;
    F.pop.seed = 20061010u;
}

static uint32_t size_of(uint32_t group)
{
    return dlm_demes_size(&F.w, &F.pop, &F.ep, group);
}

/* Within-group payoffs, exactly: groups of sizes 4, 3, 2, 1 with given cooperators. */
static void test_payoffs(void **state)
{
    const double b = 3.0, c = 1.0;
    uint32_t g, x;
    (void)state;
    setup(4, 4, b, c, 0.1, 0.0);
    for (g = 0; g < 4u; ++g) /* group g has 4 - g members, the first g... cooperate */
        F.sizes[g] = g;
    for (x = 0; x < 16u; ++x)
        F.agents[x] = m1(x % 4u < 2u); /* places 0, 1 of each group cooperate */
    for (x = 0; x < 16u; ++x) {
        uint32_t group = x / 4u, s = 4u - group, i = 0, y, slot = 0;
        dlm_evo_counts counts = {0, 0, 0, 0};
        dlm_cursor partners = dlm_cursor_at(F.pop.seed, 7u, 0u);
        double pay, expect;
        if (x % 4u >= s)
            continue;
        for (y = 0; y < s; ++y)
            i += y < 2u;
        expect = s == 1u ? 0.0
                 : is_c(&F.agents[x]) ? b * (double)(i - 1u) / (s - 1u) - c
                                      : b * (double)i / (s - 1u);
        pay = dlm_evo_evaluate(&F.w, &F.pop, &F.ep, x, 1u, 2u, 0u, &slot, &partners, &counts);
        assert_true(fabs(pay - expect) < 1e-12);
        assert_int_equal(counts.matches, s - 1u);
        assert_int_equal(dlm_evo_partner_count(&F.w, &F.pop, &F.ep, x), s - 1u);
    }
}

/* The invariants of the layout after every event (mutation on, so types move). */
static void check_invariants(uint32_t m, uint32_t n)
{
    uint32_t g, j, k;
    for (g = 0; g < m; ++g) {
        uint32_t s = size_of(g);
        assert_true(s >= 1u && s <= n);
        for (j = s; j < n; ++j) {
            int held = 0;
            for (k = 0; k < s; ++k)
                held |= dlm_strategy_equal(&F.agents[g * n + j], &F.agents[g * n + k]) != 0u;
            assert_true(held);
        }
    }
}

static void test_invariants(void **state)
{
    const uint32_t m = 6, n = 5;
    uint64_t g;
    uint32_t e, splits = 0, deaths = 0, before, after, i;
    (void)state;
    setup(m, n, 3.0, 1.0, 0.2, 0.3);
    F.ep.mutation_kind = DLM_MUTATION_SET;
    F.ep.set_size = 2;
    F.ep.mutation = dlm_probability_threshold_from_double(0.2);
    for (g = 0; g < 200u; ++g)
        for (e = 0; e < m * n; ++e) {
            dlm_evo_counts counts = {0, 0, 0, 0};
            before = 0;
            for (i = 0; i < m; ++i)
                before += size_of(i);
            dlm_evo_event(&F.w, &F.pop, g, e, &counts);
            assert_int_equal(counts.failed_events, 0u);
            after = 0;
            for (i = 0; i < m; ++i)
                after += size_of(i);
            /* a birth adds one; a death or a split keeps or removes a whole group */
            if (after == before)
                deaths++;
            else if (after != before + 1u)
                splits++;
            check_invariants(m, n);
        }
    printf("  %u events: %u with a death in a full group, %u with a split\n", 200u * m * n,
           deaths, splits);
    assert_true(splits > 0u && deaths > 0u);
}

/* q = 1: every birth into a full group splits it; the daughters of n + 1 individuals. */
static void test_split_sizes(void **state)
{
    const uint32_t m = 8, n = 7, events = 20000;
    uint32_t e, i, s0, splits = 0;
    double sum = 0.0, sq = 0.0, mean, se;
    (void)state;
    setup(m, n, 3.0, 1.0, 0.0, 1.0);
    for (e = 0; e < events; ++e) {
        dlm_evo_counts counts = {0, 0, 0, 0};
        uint32_t full = 0, total = 0, before[8], kept = 0, moved = 0;
        for (i = 0; i < m; ++i) {
            before[i] = size_of(i);
            full += before[i] == n;
        }
        for (i = 0; i < m; ++i) /* all full: the next birth splits */
            F.sizes[i] = 0;
        dlm_evo_event(&F.w, &F.pop, 0u, e, &counts);
        (void)full;
        for (i = 0; i < m; ++i) {
            s0 = size_of(i);
            total += s0;
            if (s0 != n) {
                assert_true(s0 >= 1u);
                if (!kept)
                    kept = s0;
                else
                    moved = s0;
            }
        }
        /* the two daughters (one may hold n, then only one group is short of n) */
        assert_true(total == (m - 2u) * n + n + 1u);
        if (kept && moved) {
            sum += kept;
            sq += (double)kept * kept;
            splits++;
        }
        (void)before;
    }
    mean = sum / splits;
    se = sqrt((sq / splits - mean * mean) / splits);
    printf("  %u splits with both daughters below n: mean daughter %.4f (SE %.4f)\n", splits,
           mean, se);
    /* conditioned on both below n, each daughter is symmetric about (n + 1)/2 */
    assert_true(fabs(mean - (n + 1.0) / 2.0) <= NSE * se);
}

/* From one cooperator at place `at` until the living agents are all C or all D. */
static int run_to_fixation(uint32_t m, uint32_t n, uint32_t id, uint32_t at)
{
    uint64_t g;
    uint32_t e, x;
    for (x = 0; x < m * n; ++x)
        F.agents[x] = m1(x == at);
    memset(F.sizes, 0, sizeof F.sizes);
    F.pop.id = id;
    /* checked once a generation: without mutation all-C and all-D are absorbing */
    for (g = 0; g < 10000000u; ++g) {
        uint32_t k = 0, alive = 0;
        for (e = 0; e < m * n; ++e) {
            dlm_evo_counts counts = {0, 0, 0, 0};
            dlm_evo_event(&F.w, &F.pop, g, e, &counts);
        }
        for (x = 0; x < m * n; ++x)
            if (dlm_demes_alive(&F.w, &F.pop, &F.ep, x)) {
                alive++;
                k += is_c(&F.agents[x]);
            }
        if (k == 0 || k == alive)
            return k == alive;
    }
    fail_msg("no fixation");
    return 0;
}

static double fixation(uint32_t m, uint32_t n, double b, double c, double w, double q,
                       uint32_t runs, double *se)
{
    uint32_t i, fixed = 0;
    double rho;
    setup(m, n, b, c, w, q);
    for (i = 0; i < runs; ++i)
        fixed += run_to_fixation(m, n, 1000u + i, i % (m * n));
    rho = (double)fixed / runs;
    *se = sqrt(rho * (1.0 - rho) / runs);
    return rho;
}

#define M_GROUPS 10u
#define N_SIZE 4u
#define W_WEAK 0.2
#define Q_SPLIT 0.01
#ifdef DLM_TEST_RUNS
#define RUNS DLM_TEST_RUNS
#else
#define RUNS 30000u
#endif

static void test_neutral(void **state)
{
    double se, rho = fixation(M_GROUPS, N_SIZE, 3.0, 1.0, 0.0, Q_SPLIT, RUNS, &se);
    double neutral = 1.0 / (M_GROUPS * N_SIZE);
    (void)state;
    printf("  w = 0: rho_C %.5f (SE %.5f), 1/N = %.5f\n", rho, se, neutral);
    assert_true(fabs(rho - neutral) <= NSE * sqrt(neutral * (1 - neutral) / RUNS));
}

static void test_multilevel(void **state)
{
    double se_hi, se_lo, neutral = 1.0 / (M_GROUPS * N_SIZE);
    double hi = fixation(M_GROUPS, N_SIZE, 3.0, 1.0, W_WEAK, Q_SPLIT, RUNS, &se_hi);
    double lo = fixation(M_GROUPS, N_SIZE, 1.1, 1.0, W_WEAK, Q_SPLIT, RUNS, &se_lo);
    (void)state;
    printf("  m = %u, n = %u, w = %g, q = %g: line b/c = 1 + n/m = %.2f, 1/N = %.4f\n",
           M_GROUPS, N_SIZE, W_WEAK, Q_SPLIT, 1.0 + (double)N_SIZE / M_GROUPS, neutral);
    printf("  b/c = 3:   rho_C %.5f (SE %.5f)\n", hi, se_hi);
    printf("  b/c = 1.1: rho_C %.5f (SE %.5f)\n", lo, se_lo);
    assert_true(hi - neutral > NSE * se_hi);
    assert_true(neutral - lo > NSE * se_lo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_payoffs),    cmocka_unit_test(test_invariants),
        cmocka_unit_test(test_split_sizes), cmocka_unit_test(test_neutral),
        cmocka_unit_test(test_multilevel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

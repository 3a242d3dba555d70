/* test_group_punish.c — incentives in the public goods game (kernels/dlm_punish.h): peer
 * and pool punishment (Sigmund, De Silva, Traulsen & Hauert 2010, Nature 466:861), pool
 * reward (Sasaki, Brännström, Dieckmann & Sigmund 2012, PNAS 109:1165) and loners.
 *
 * Known answers: the payoff per round of every member of one group, computed by hand from
 * the rules in dlm_punish.h, for each incentive type, with and without second-order
 * punishment, with loners, a group of one participant, and conditional punishers over two
 * rounds; the fines and rewards the census counts; the same payoffs through the kind's
 * entry point (dlm_evo_evaluate) when the group is the whole population; expected payoffs
 * with hypergeometric groups in a finite population (closed forms, 4 standard errors);
 * the fixation probability of one pool punisher among cooperators (second order) and of
 * one peer punisher among defectors under the engine's fermi events against the exact
 * birth-death chain with hypergeometric groups (Traulsen, Nowak & Pacheco 2006; as
 * tests/test_group.c does for the plain game);
 * the strategy
 * texts (punish, pool, rewarder, loner, X+peer, X+pool, X+reward) and what is refused.
 * Parameters: r = 3, c = 1, gamma = 0.3, beta = 0.9, G = 0.4, B = 1.1, R = 0.6,
 * sigma = 0.25 (all different, so that a swapped parameter shows).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dlm_evolve.h"
#include "model/strategies.h"

#define EPS 1e-12

typedef struct fixture {
    dlm_evo_params ep;
    dlm_player_params cls;
    dlm_strategy agents[64];
    uint32_t agent_class[64];
    double block[DLM_PUNISH_DOUBLES];
    dlm_evo_world w;
    dlm_evo_population pop;
} fixture;

static fixture F;

enum { ALLC, ALLD, PUNISH, POOL, REWARDER, LONER, CC3_PEER };

static dlm_strategy trait(int which)
{
    dlm_strategy s;
    memset(&s, 0, sizeof s);
    s.kind = DLM_STRAT_CONTRIBUTION;
    s.opening = which == ALLD || which == LONER ? DLM_CONTRIB_NEVER : DLM_CONTRIB_ALWAYS;
    s.table = which == PUNISH     ? DLM_INCENTIVE_PEER
              : which == POOL     ? DLM_INCENTIVE_POOL
              : which == REWARDER ? DLM_INCENTIVE_REWARD
              : which == LONER    ? DLM_INCENTIVE_LONER
              : which == CC3_PEER ? DLM_INCENTIVE_PEER
                                  : DLM_INCENTIVE_NONE;
    if (which == CC3_PEER) {
        s.opening = DLM_CONTRIB_CONDITIONAL;
        s.depth = 3;
    }
    return s;
}

/* A population that is one group: the n traits given, `rounds` rounds. */
static void setup(uint32_t n, const int *traits, uint32_t rounds, int second_order)
{
    uint32_t i;
    memset(&F, 0, sizeof F);
    F.ep.interaction = DLM_INTERACTION_GROUP;
    F.ep.rules.rounds = rounds;
    F.ep.rule = DLM_RULE_FERMI;
    F.ep.structure = DLM_STRUCTURE_COMPLETE;
    F.ep.group_size = n;
    F.ep.payoff[0] = 3.0;
    F.ep.payoff[1] = 1.0;
    F.ep.payoff_b[2] = (double)DLM_GROUP_PGG;
    F.ep.payoff_b[3] = 1.0;
    F.ep.selection = 1.0;
    F.ep.fitness_map = DLM_FITNESS_LINEAR;
    F.ep.norm = DLM_PUNISH_ON | (second_order ? DLM_PUNISH_SECOND_ORDER : 0u);
    F.block[DLM_PUNISH_GAMMA] = 0.3;
    F.block[DLM_PUNISH_BETA] = 0.9;
    F.block[DLM_PUNISH_FEE] = 0.4;
    F.block[DLM_PUNISH_FINE] = 1.1;
    F.block[DLM_PUNISH_REWARD] = 0.6;
    F.block[DLM_PUNISH_LONER] = 0.25;
    for (i = 0; i < n; ++i)
        F.agents[i] = trait(traits[i]);
    F.w.seed = 7u;
    F.w.params = &F.ep;
    F.w.classes = &F.cls;
    F.w.strategy = F.agents;
    F.w.agent_class = F.agent_class;
    F.w.exact = F.block;
    F.pop.n = n;
    F.pop.id = 1;
    F.pop.seed = 7u;
}

/* Member `focal`'s payoff per round in the group of everyone, in member order. */
static double play(uint32_t focal, dlm_punish_tally *tally)
{
    uint32_t members[8] = {0}, i;
    dlm_evo_counts counts = {0, 0, 0, 0};
    dlm_cursor c = dlm_cursor_at(F.pop.seed, dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 1, 0), 0);
    for (i = 0; i < F.pop.n; ++i)
        members[i] = i;
    return dlm_punish_play(&F.w, &F.pop, &F.ep, members, F.pop.n, focal, &c, &counts, tally);
}

static void expect_payoffs(const double *want)
{
    uint32_t i;
    for (i = 0; i < F.pop.n; ++i) {
        double got = play(i, NULL);
        if (fabs(got - want[i]) > EPS)
            printf("  member %u: %.15g, by hand %.15g\n", i, got, want[i]);
        assert_true(fabs(got - want[i]) <= EPS);
    }
}

/* Peer punishment: 2 punishers, 1 cooperator, 2 defectors; k = 3 of S = 5, share 1.8.
 * punisher 1.8 - 1 - 0.3 x 2 = 0.2; cooperator 0.8; defector 1.8 - 0.9 x 2 = 0.
 * Second order (a round with defectors): punishers also punish the cooperator:
 * punisher 0.8 - 0.3 x 3 = -0.1; cooperator 0.8 - 0.9 x 2 = -1.0. */
static void test_peer(void **state)
{
    static const int g[5] = {PUNISH, PUNISH, ALLC, ALLD, ALLD};
    static const double first[5] = {0.2, 0.2, 0.8, 0.0, 0.0};
    static const double second[5] = {-0.1, -0.1, -1.0, 0.0, 0.0};
    dlm_punish_tally t = {0, 0, 0.0, 0.0, 0, 0};
    (void)state;
    setup(5, g, 1, 0);
    expect_payoffs(first);
    assert_true(fabs(play(3, &t) - 0.0) <= EPS);
    assert_int_equal(t.fines, 2); /* one fine from each punisher */
    setup(5, g, 1, 1);
    expect_payoffs(second);
    t.fines = 0;
    play(2, &t);
    assert_int_equal(t.fines, 2);
}

/* Without defectors, second-order peer punishment cannot see who would not punish: a
 * punisher and cooperators all earn r c - c = 2. */
static void test_peer_second_order_needs_defectors(void **state)
{
    static const int g[4] = {PUNISH, ALLC, ALLC, PUNISH};
    static const double want[4] = {2.0, 2.0, 2.0, 2.0};
    (void)state;
    setup(4, g, 1, 1);
    expect_payoffs(want);
}

/* Pool punishment with a loner: S = 4 participants, k = 3, share 9/4 = 2.25.
 * pool punisher 2.25 - 1 - G 0.4 = 0.85; cooperator 1.25; defector 2.25 - 1.1 x 2 = 0.05;
 * loner sigma 0.25. Second order: the cooperator pays 1.1 x 2 as well: -0.95. */
static void test_pool(void **state)
{
    static const int g[5] = {POOL, POOL, ALLC, ALLD, LONER};
    static const double first[5] = {0.85, 0.85, 1.25, 0.05, 0.25};
    static const double second[5] = {0.85, 0.85, -0.95, 0.05, 0.25};
    static const int clean[3] = {POOL, ALLC, ALLC};
    static const double clean_want[3] = {3.0 - 1.0 - 0.4, 2.0 - 1.1, 2.0 - 1.1};
    (void)state;
    setup(5, g, 1, 0);
    expect_payoffs(first);
    setup(5, g, 1, 1);
    expect_payoffs(second);
    /* second-order pool punishment sees non-payers without any defector */
    setup(3, clean, 1, 1);
    expect_payoffs(clean_want);
}

/* Pool reward: 2 rewarders, 1 cooperator, 2 defectors; share 1.8. A rewarder pays G and
 * is rewarded by the other: 1.8 - 1 - 0.4 + 0.6 = 1.0; the cooperator 0.8 + 0.6 x 2 = 2.0;
 * a defector 1.8. */
static void test_reward(void **state)
{
    static const int g[5] = {REWARDER, REWARDER, ALLC, ALLD, ALLD};
    static const double want[5] = {1.0, 1.0, 2.0, 1.8, 1.8};
    dlm_punish_tally t = {0, 0, 0.0, 0.0, 0, 0};
    (void)state;
    setup(5, g, 1, 1); /* second-order punishment has no pool punisher to act */
    expect_payoffs(want);
    play(2, &t);
    assert_int_equal(t.rewards, 2);
    assert_int_equal(t.fines, 0);
}

/* Loners: one participant cannot play; it earns sigma as the loners do. */
static void test_loners(void **state)
{
    static const int g[5] = {LONER, LONER, LONER, LONER, PUNISH};
    static const double want[5] = {0.25, 0.25, 0.25, 0.25, 0.25};
    (void)state;
    setup(5, g, 1, 0);
    expect_payoffs(want);
}

/* cc(3)+peer over two rounds with 2 allc and 2 alld: it contributes in round 1 (k = 3),
 * then sees 2 < 3 other contributions and defects (k = 2). Its payoff: share 3 x 5 / 5 =
 * 3, own 1, punishing 2 defectors in each round: (3 - 1 - 0.3 x 4) / 2 = 0.4. A
 * defector: (3 - 0.9 x 2) / 2 = 0.6. An allc: (3 - 2) / 2 = 0.5. */
static void test_conditional_punisher(void **state)
{
    static const int g[5] = {CC3_PEER, ALLD, ALLD, ALLC, ALLC};
    static const double want[5] = {0.4, 0.6, 0.6, 0.5, 0.5};
    (void)state;
    setup(5, g, 2, 0);
    expect_payoffs(want);
}

/* Through the kind's entry point: the group is the whole population (n = N = 5), so the
 * evaluation's payoff is the hand-computed one whatever the draws. */
static void test_evaluate(void **state)
{
    static const int g[5] = {PUNISH, PUNISH, ALLC, ALLD, ALLD};
    static const double want[5] = {0.2, 0.2, 0.8, 0.0, 0.0};
    uint32_t x;
    (void)state;
    setup(5, g, 1, 0);
    for (x = 0; x < 5; ++x) {
        uint32_t slot = 0;
        dlm_evo_counts counts = {0, 0, 0, 0};
        dlm_cursor partners =
            dlm_cursor_at(F.pop.seed, dlm_stream_id(DLM_PURPOSE_MATCHING, 1, 3), x);
        double p = dlm_evo_evaluate(&F.w, &F.pop, &F.ep, x,
                                    dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 1, 3),
                                    dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, 1, 3), x, &slot,
                                    &partners, &counts);
        assert_true(fabs(p - want[x]) <= EPS);
        assert_int_equal(counts.cooperations, x < 3 ? 1 : 0);
    }
}

/* In a finite well-mixed population of N with groups of n drawn without replacement
 * (hypergeometric), one round, no loners: with j peer punishers and N - j defectors the
 * expected payoffs are
 *   punisher  r c (1 + (n - 1)(j - 1)/(N - 1))/n - c - gamma (n - 1)(N - j)/(N - 1),
 *   defector  r c (n - 1) j/((N - 1) n) - beta (n - 1) j/(N - 1);
 * with j pool punishers, a cooperators and the rest defectors under second-order
 * punishment
 *   pool      r c (1 + (n - 1)(j + a - 1)/(N - 1))/n - c - G,
 *   allc      r c (1 + (n - 1)(j + a - 1)/(N - 1))/n - c - B (n - 1) j/(N - 1),
 *   defector  r c (n - 1)(j + a)/((N - 1) n) - B (n - 1) j/(N - 1)
 * (the PGG identity of tests/test_group.c with the expected number of punishers among the
 * n - 1 others). Means over 3000 evaluations of every agent against 4 standard errors. */
static void hypergeometric(int pool)
{
    const uint32_t N = 20, n = 5, j = 8, a = pool ? 5u : 0u, G = 3000;
    const double r = 3.0, c = 1.0, others = (n - 1.0) / (N - 1.0);
    double want[3], sum[3] = {0, 0, 0}, sq[3] = {0, 0, 0};
    int kinds[20];
    uint32_t x, k, count[3] = {0, 0, 0};
    uint64_t g;
    for (x = 0; x < N; ++x)
        kinds[x] = x < j ? (pool ? POOL : PUNISH) : x < j + a ? ALLC : ALLD;
    setup(N, kinds, 1, pool);
    F.ep.group_size = n;
    if (pool) {
        want[0] = r * c * (1.0 + (n - 1.0) * (j + a - 1.0) / (N - 1.0)) / n - c - 0.4;
        want[1] = r * c * (1.0 + (n - 1.0) * (j + a - 1.0) / (N - 1.0)) / n - c - 1.1 * others * j;
        want[2] = r * c * others * (j + a) / n - 1.1 * others * j;
    } else {
        want[0] = r * c * (1.0 + (n - 1.0) * (j - 1.0) / (N - 1.0)) / n - c - 0.3 * others * (N - j);
        want[1] = 0.0;
        want[2] = r * c * others * j / n - 0.9 * others * j;
    }
    for (g = 0; g < G; ++g) {
        double mean[3] = {0, 0, 0};
        uint32_t m[3] = {0, 0, 0};
        for (x = 0; x < N; ++x) {
            uint32_t slot = 0, kind = x < j ? 0u : x < j + a ? 1u : 2u;
            dlm_evo_counts counts = {0, 0, 0, 0};
            dlm_cursor partners =
                dlm_cursor_at(F.pop.seed, dlm_stream_id(DLM_PURPOSE_MATCHING, 1, g), x);
            mean[kind] += dlm_evo_evaluate(&F.w, &F.pop, &F.ep, x,
                                           dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 1, g),
                                           dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, 1, g), x,
                                           &slot, &partners, &counts);
            m[kind]++;
        }
        for (k = 0; k < 3; ++k)
            if (m[k]) {
                mean[k] /= m[k];
                sum[k] += mean[k];
                sq[k] += mean[k] * mean[k];
                count[k]++;
            }
    }
    for (k = 0; k < 3; ++k) {
        double mu, se;
        if (!count[k])
            continue;
        mu = sum[k] / count[k];
        se = sqrt((sq[k] / count[k] - mu * mu) / count[k]);
        printf("  %s %s: %.5f (SE %.5f), exact %.5f\n", pool ? "pool" : "peer",
               k == 0 ? "punisher" : k == 1 ? "cooperator" : "defector", mu, se, want[k]);
        assert_true(fabs(mu - want[k]) <= 4.0 * se + 1e-12);
        assert_true(se > 0.0);
    }
}

static void test_hypergeometric_peer(void **state)
{
    (void)state;
    hypergeometric(0);
}

static void test_hypergeometric_pool_second_order(void **state)
{
    (void)state;
    hypergeometric(1);
}

/* ---- fixation under the pairwise comparison rule, against the exact chain ----------- */

static double choose(uint32_t n, uint32_t k)
{
    double v = 1.0;
    uint32_t i;
    if (k > n)
        return 0.0;
    for (i = 1; i <= k; ++i)
        v = v * (n - k + i) / i;
    return v;
}

/* The payoff (one round, no error, groups of n) of a member of the mutant type (mutant =
 * 1) or the resident type with m mutants in its group (itself included), by hand:
 *   pool punishers among cooperators, second order: pool r c - c - G; allc r c - c - B m;
 *   peer punishers among defectors: punisher r c m / n - c - gamma (n - m);
 *                                    defector r c m / n - beta m. */
static double hand_payoff(int pool, int mutant, uint32_t m, uint32_t n)
{
    const double r = 3.0, c = 1.0;
    if (pool)
        return mutant ? r * c - c - 0.4 : r * c - c - 1.1 * m;
    return mutant ? r * c * m / n - c - 0.3 * (n - m) : r * c * m / n - 0.9 * m;
}

/* q_k: the probability that a resident imitates a mutant with k mutants among N, each
 * paid by its own hypergeometric group of n (the engine's fermi event exactly). */
static double q_imitate(int pool, uint32_t N, uint32_t k, uint32_t n, double beta)
{
    double q = 0.0, total = choose(N - 1, n - 1);
    uint32_t a, b;
    for (a = 0; a < n; ++a) { /* the mutant's mutant others: of k - 1 mutants, N - k */
        double ha = choose(k - 1, a) * choose(N - k, n - 1 - a) / total;
        if (ha == 0.0)
            continue;
        for (b = 0; b < n; ++b) { /* the resident's: of k mutants, N - k - 1 residents */
            double hb = choose(k, b) * choose(N - k - 1, n - 1 - b) / total;
            if (hb == 0.0)
                continue;
            q += ha * hb /
                 (1.0 + exp(-beta * (hand_payoff(pool, 1, a + 1, n) - hand_payoff(pool, 0, b, n))));
        }
    }
    return q;
}

static double rho_exact(int pool, uint32_t N, uint32_t n, double beta)
{
    double sum = 1.0, prod = 1.0;
    uint32_t i;
    for (i = 1; i < N; ++i) {
        double q = q_imitate(pool, N, i, n, beta);
        prod *= (1.0 - q) / q;
        sum += prod;
    }
    return 1.0 / sum;
}

/* Fixation probability of one mutant (pool punisher among allc, second order; or peer
 * punisher among alld) under the engine's fermi events, against the exact chain. */
static void fixation(int pool, uint32_t N, uint32_t n, double beta, uint32_t runs)
{
    int kinds[64];
    dlm_strategy mutant = trait(pool ? POOL : PUNISH);
    double rho = rho_exact(pool, N, n, beta), sim, se;
    uint32_t fixed = 0, i, x, e;
    for (i = 0; i < runs; ++i) {
        uint64_t g;
        uint32_t k = 1;
        for (x = 0; x < N; ++x)
            kinds[x] = x == 0 ? (pool ? POOL : PUNISH) : (pool ? ALLC : ALLD);
        setup(N, kinds, 1, pool);
        F.ep.group_size = n;
        F.ep.selection = beta;
        F.pop.id = 100 + i;
        for (g = 0; k != 0 && k != N && g < 1000000u; ++g)
            for (e = 0; e < N && k != 0 && k != N; ++e) {
                dlm_evo_counts counts = {0, 0, 0, 0};
                dlm_evo_event(&F.w, &F.pop, g, e, &counts);
                for (k = 0, x = 0; x < N; ++x)
                    k += dlm_strategy_equal(&F.agents[x], &mutant);
            }
        assert_true(k == 0 || k == N);
        fixed += k == N;
    }
    sim = (double)fixed / runs;
    se = sqrt(rho * (1 - rho) / runs);
    printf("  rho %s, N=%u n=%u beta=%g: %.4f (SE %.4f), exact %.4f, neutral %.4f\n",
           pool ? "pool among allc (second order)" : "peer among alld", N, n, beta, sim, se, rho,
           1.0 / N);
    assert_true(fabs(sim - rho) <= 4.0 * se);
}

static void test_fixation(void **state)
{
    (void)state;
    fixation(1, 10, 5, 1.0, 3000);
    fixation(0, 10, 5, 0.5, 3000);
}

/* The strategy texts. */
static void test_parse(void **state)
{
    static const struct {
        const char *text;
        uint32_t opening, depth;
        uint64_t type;
    } ok[] = {{"punish", 0, 0, DLM_INCENTIVE_PEER},     {"pool", 0, 0, DLM_INCENTIVE_POOL},
              {"rewarder", 0, 0, DLM_INCENTIVE_REWARD}, {"loner", 1, 0, DLM_INCENTIVE_LONER},
              {"cc(2)+peer", 2, 2, DLM_INCENTIVE_PEER}, {"alld+pool", 1, 0, DLM_INCENTIVE_POOL},
              {"allc+reward", 0, 0, DLM_INCENTIVE_REWARD}};
    static const char *const bad[] = {"tft+peer", "allc+fine", "cc(2)+", "punish+pool",
                                      "level(1)+peer"};
    dlm_strategy_def def;
    dlm_error err;
    size_t i;
    dlm_strategy allc = trait(ALLC), punish = trait(PUNISH);
    (void)state;
    for (i = 0; i < sizeof ok / sizeof ok[0]; ++i) {
        assert_int_equal(dlm_strategy_parse(ok[i].text, NULL, &def, &err), DLM_OK);
        assert_int_equal(def.model.kind, DLM_STRAT_CONTRIBUTION);
        assert_int_equal(def.model.opening, ok[i].opening);
        assert_int_equal(def.model.depth, ok[i].depth);
        assert_int_equal(def.model.table, ok[i].type);
        assert_string_equal(def.label, ok[i].text);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; ++i)
        assert_int_not_equal(dlm_strategy_parse(bad[i], NULL, &def, &err), DLM_OK);
    assert_false(dlm_strategy_equal(&allc, &punish)); /* the census counts them apart */
    assert_int_equal(dlm_incentive_slot(&punish), DLM_INCENTIVE_PEER);
    allc.opening = DLM_CONTRIB_NEVER;
    assert_int_equal(dlm_incentive_slot(&allc), DLM_INCENTIVE_DEFECTORS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peer),
        cmocka_unit_test(test_peer_second_order_needs_defectors),
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_reward),
        cmocka_unit_test(test_loners),
        cmocka_unit_test(test_conditional_punisher),
        cmocka_unit_test(test_evaluate),
        cmocka_unit_test(test_hypergeometric_peer),
        cmocka_unit_test(test_hypergeometric_pool_second_order),
        cmocka_unit_test(test_fixation),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_reputation.c — the donation game with public reputations (kernels/dlm_reputation.h)
 * against known answers, through the kind's one entry point dlm_evo_evaluate on a
 * well-mixed population built here (every agent evaluated once per generation, as the
 * synchronous rules do), and through the plan and the CLI in test_evolve_cli.sh.
 *
 * Known answers (public assessment, one observer, execution error e1, assessment error e2):
 *  - payoffs: everyone ALLC without errors earns exactly b - c per round;
 *  - image scoring without errors: ALLC agents all end good, ALLD agents all end bad;
 *  - ALLC under image scoring with errors: each generation every agent is good with
 *    probability (1 - e1)(1 - e2) + e1 e2, independently: the good fraction's mean;
 *  - a population of discriminators under a second-order norm v (v(a, s) = 1 when the
 *    norm calls action a to a recipient of standing s good): a donor meeting a good
 *    recipient intends C, which fails with e1, and is judged good with
 *        pG = (1 - e2) qG + e2 (1 - qG),  qG = (1 - e1) v(C, G) + e1 v(D, G);
 *    meeting a bad one it plays D and is judged good with
 *        pB = (1 - e2) qB + e2 (1 - qB),  qB = v(D, B).
 *    Recipients are uniform, so the good fraction g follows g' = pB + (pG - pB) g in
 *    expectation, with the stationary value g* = pB / (1 - pG + pB) (the mean-field
 *    reputation dynamics of Ohtsuki & Iwasa 2004, J. Theor. Biol. 231:107; for stern
 *    judging with e1 = 0 this is g* = 1 - e2, cf. Sasaki, Okada & Nakai 2017,
 *    Sci. Rep. 7:1). Checked for stern judging, simple standing, image scoring and
 *    shunning: the time-averaged good fraction of R independent populations against g*,
 *    within 4 standard errors of the mean over the populations (computed from the sample).
 *  - the leading eight (third order, one donation per generation): the fixed point of the
 *    mean-field map of the good fraction, for discriminators and unconditional
 *    cooperators under each of L1 .. L8 (test_leading_eight);
 *  - the census (its own streams) reads standings and never writes them, and its payoff
 *    of an agent is the rule's payoff of that agent (the same REPUTATION draws).
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
#define MAX_N 1000u

typedef struct pop_fixture {
    dlm_evo_params ep;
    dlm_player_params cls;
    dlm_strategy agents[MAX_N];
    uint32_t agent_class[MAX_N];
    dlm_evo_world w;
    dlm_evo_population pop;
    uint32_t views[2u * MAX_N * ((MAX_N + 31u) / 32u)];
} pop_fixture;

static pop_fixture F;

/* n agents of rule `rule` (well-mixed, complete), b = 3, c = 1, norm, errors, rounds. */
static void setup(uint32_t n, uint32_t rule, uint32_t norm, double e1, double e2, uint32_t rounds,
                  uint32_t id)
{
    uint32_t i;
    memset(&F, 0, sizeof F);
    F.ep.payoff[0] = 2.0;  /* R = b - c */
    F.ep.payoff[1] = -1.0; /* S = -c */
    F.ep.payoff[2] = 3.0;  /* T = b */
    F.ep.interaction = DLM_INTERACTION_DONATION;
    F.ep.rules.rounds = rounds;
    F.ep.rule = DLM_RULE_FERMI_SYNC;
    F.ep.structure = DLM_STRUCTURE_COMPLETE;
    F.ep.norm = norm;
    F.ep.payoff_b[0] = (double)dlm_probability_threshold_from_double(e1); /* as the plan */
    F.ep.payoff_b[1] = (double)dlm_probability_threshold_from_double(e2);
    for (i = 0; i < n; ++i) {
        F.agents[i].kind = DLM_STRAT_ACTION_RULE;
        F.agents[i].opening = rule;
    }
    F.w.seed = 20261203u;
    F.w.params = &F.ep;
    F.w.classes = &F.cls;
    F.w.strategy = F.agents;
    F.w.agent_class = F.agent_class;
    F.w.views = F.views;
    F.pop.n = n;
    F.pop.id = id;
    F.pop.seed = 20261203u;
}

/* Generation g: every agent evaluated once by the rule's streams; the payoffs into pay
 * (when not NULL). Returns the fraction good at the end of g. */
static double generation(uint64_t g, double *pay, dlm_evo_counts *counts)
{
    uint64_t play = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, F.pop.id, g);
    uint64_t length = dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, F.pop.id, g);
    uint32_t x, good = 0;
    for (x = 0; x < F.pop.n; ++x) {
        uint32_t slot = 0;
        dlm_cursor partners =
            dlm_cursor_at(F.pop.seed, dlm_stream_id(DLM_PURPOSE_MATCHING, F.pop.id, g), x);
        double p = dlm_evo_evaluate(&F.w, &F.pop, &F.ep, x, play, length, x, &slot, &partners,
                                    counts);
        if (pay)
            pay[x] = p;
    }
    if (F.ep.norm & DLM_NORM_PRIVATE) { /* the mean of the views */
        double views = 0;
        for (x = 0; x < F.pop.n; ++x)
            views += dlm_rep_good_views(&F.w, &F.pop, g + 1u, x);
        return views / ((double)F.pop.n * F.pop.n);
    }
    for (x = 0; x < F.pop.n; ++x)
        good += dlm_rep_bad_at(F.agents[x].fsm_output, g + 1u) ? 0u : 1u;
    return (double)good / F.pop.n;
}

/* Private assessment: observation probability q; all views bad at the start when
 * all_bad (bits past N stay zero, as the backends keep them). */
static void setup_private(double q, int all_bad)
{
    uint32_t words = (F.pop.n + 31u) / 32u, t, o;
    F.ep.norm |= DLM_NORM_PRIVATE;
    F.ep.payoff_b[2] = (double)dlm_probability_threshold_from_double(q);
    memset(F.views, 0, sizeof F.views);
    if (all_bad)
        for (t = 0; t < F.pop.n; ++t)
            for (o = 0; o < F.pop.n; ++o)
                F.views[t * words + (o >> 5)] |= 1u << (o & 31u); /* parity 0: g = 0 reads */
}

static void check_se(const char *what, double sim, double se, double exact)
{
    printf("    %-50s sim %.5f  SE %.5f  exact %.5f  z %+.2f\n", what, sim, se, exact,
           se > 0 ? (sim - exact) / se : 0.0);
    if (!(fabs(sim - exact) <= NSE * se))
        fail_msg("%s: %.6f is more than %g SE (%.6f) from %.6f", what, sim, NSE, se, exact);
}

static void test_allc_earns_b_minus_c(void **state)
{
    double pay[200];
    dlm_evo_counts c = {0, 0, 0, 0};
    uint32_t x, g;
    (void)state;
    setup(200, DLM_ACTION_ALLC, DLM_NORM_IMAGE_SCORING, 0.0, 0.0, 7, 1);
    for (g = 0; g < 3; ++g) {
        assert_true(generation(g, pay, &c) == 1.0); /* image scoring: all good */
        for (x = 0; x < 200; ++x)
            assert_true(pay[x] == 3.0 - 1.0);
    }
    assert_int_equal(c.cooperations, 3u * 200u * 7u);
    assert_int_equal(c.moves, 3u * 200u * 7u);
}

static void test_alld_all_bad_under_image_scoring(void **state)
{
    double pay[100];
    dlm_evo_counts c = {0, 0, 0, 0};
    uint32_t x;
    (void)state;
    setup(100, DLM_ACTION_ALLD, DLM_NORM_IMAGE_SCORING, 0.0, 0.0, 3, 2);
    assert_true(generation(0, pay, &c) == 0.0);
    assert_true(generation(1, pay, &c) == 0.0);
    for (x = 0; x < 100; ++x)
        assert_true(pay[x] == 0.0);
    assert_int_equal(c.cooperations, 0u);
}

static void test_allc_with_errors(void **state)
{
    const double e1 = 0.1, e2 = 0.05;
    const double exact = (1 - e1) * (1 - e2) + e1 * e2;
    double sum = 0, sq = 0, mean, se;
    uint32_t g, T = 60;
    (void)state;
    setup(1000, DLM_ACTION_ALLC, DLM_NORM_IMAGE_SCORING, e1, e2, 2, 3);
    for (g = 0; g < T; ++g) {
        double f = generation(g, NULL, &(dlm_evo_counts){0, 0, 0, 0});
        sum += f;
        sq += f * f;
    }
    mean = sum / T;
    se = sqrt((sq / T - mean * mean) / (T - 1));
    check_se("allc, image scoring, e1 0.1, e2 0.05: good", mean, se, exact);
}

/* The stationary good fraction of a population of one rule (disc or allc) under norm
 * (bit code): allc also intends C to a bad recipient, so qB = (1 - e1) v(C, B) + e1 v(D, B). */
static double stationary_of(uint32_t rule, uint32_t norm, double e1, double e2)
{
    double vCG = (norm >> 3) & 1u, vDG = (norm >> 2) & 1u, vCB = (norm >> 1) & 1u;
    double vDB = norm & 1u;
    double qG = (1 - e1) * vCG + e1 * vDG;
    double qB = rule == DLM_ACTION_ALLC ? (1 - e1) * vCB + e1 * vDB : vDB;
    double pG = (1 - e2) * qG + e2 * (1 - qG), pB = (1 - e2) * qB + e2 * (1 - qB);
    return pB / (1 - pG + pB);
}

static double stationary(uint32_t norm, double e1, double e2)
{
    return stationary_of(DLM_ACTION_DISC, norm, e1, e2);
}

static void one_rule(uint32_t rule, uint32_t norm, const char *name)
{
    const double e1 = 0.02, e2 = 0.05;
    const uint32_t R = 16, burn = 30, T = 60;
    double sum = 0, sq = 0, mean, se;
    char what[96];
    uint32_t r, g;
    for (r = 0; r < R; ++r) {
        double avg = 0;
        setup(400, rule, norm, e1, e2, 2, 100u + r);
        for (g = 0; g < burn + T; ++g) {
            double f = generation(g, NULL, &(dlm_evo_counts){0, 0, 0, 0});
            if (g >= burn)
                avg += f / T;
        }
        sum += avg;
        sq += avg * avg;
    }
    mean = sum / R;
    se = sqrt((sq - R * mean * mean) / (R - 1) / R);
    snprintf(what, sizeof what, "%s, %s, e1 0.02, e2 0.05: good",
             rule == DLM_ACTION_DISC ? "disc" : "allc", name);
    check_se(what, mean, se, stationary_of(rule, norm, e1, e2));
}

/* Discriminators never help a bad recipient, so simple standing acts on them as stern
 * judging and shunning as image scoring (the same numbers for the same seeds); ALLC tells
 * them apart. */
static void discriminators(uint32_t norm, const char *name)
{
    one_rule(DLM_ACTION_DISC, norm, name);
    one_rule(DLM_ACTION_ALLC, norm, name);
}

static void test_discriminators_stern_judging(void **state)
{
    (void)state;
    discriminators(DLM_NORM_STERN_JUDGING, "stern judging");
    assert_true(fabs(stationary(DLM_NORM_STERN_JUDGING, 0.0, 0.05) - 0.95) < 1e-12);
}

static void test_discriminators_simple_standing(void **state)
{
    (void)state;
    discriminators(DLM_NORM_SIMPLE_STANDING, "simple standing");
}

static void test_discriminators_image_scoring(void **state)
{
    (void)state;
    discriminators(DLM_NORM_IMAGE_SCORING, "image scoring");
}

static void test_discriminators_shunning(void **state)
{
    (void)state;
    discriminators(DLM_NORM_SHUNNING, "shunning");
}

/* Third-order norms (the leading eight), one donation per generation (rounds = 1) so that
 * a donor's standing is its standing at the start of the generation: with p_XY the
 * probability that a discriminator of standing X meeting a recipient of standing Y is
 * judged good (its intended action by the norm's action rule, help failing with e1, the
 * verdict v(X, action, Y) flipped with e2), the good fraction follows
 *     g' = g (g p_GG + (1 - g) p_GB) + (1 - g) (g p_BG + (1 - g) p_BB)
 * in expectation (the reputation dynamics of Ohtsuki & Iwasa 2004, mean field); g* is
 * its fixed point reached from g = 1 (iterated here). */
static double verdict3(uint32_t norm, uint32_t donor_bad, uint32_t helped, uint32_t bad)
{
    return (double)((norm >> (7u - ((donor_bad << 2) | (bad << 1) | (helped ? 0u : 1u)))) & 1u);
}

static double p_judged_good(uint32_t rule, uint32_t norm, uint32_t donor_bad, uint32_t bad,
                            double e1, double e2)
{
    int help = rule == DLM_ACTION_ALLC || !bad || (donor_bad && (norm & 0x100u));
    double q = help ? (1 - e1) * verdict3(norm, donor_bad, 1, bad) + e1 * verdict3(norm, donor_bad, 0, bad)
                    : verdict3(norm, donor_bad, 0, bad);
    return (1 - e2) * q + e2 * (1 - q);
}

static double stationary3(uint32_t rule, uint32_t norm, double e1, double e2)
{
    double pGG = p_judged_good(rule, norm, 0, 0, e1, e2), pGB = p_judged_good(rule, norm, 0, 1, e1, e2);
    double pBG = p_judged_good(rule, norm, 1, 0, e1, e2), pBB = p_judged_good(rule, norm, 1, 1, e1, e2);
    double g = 1.0;
    int i;
    for (i = 0; i < 100000; ++i)
        g = g * (g * pGG + (1 - g) * pGB) + (1 - g) * (g * pBG + (1 - g) * pBB);
    return g;
}

static void leading(uint32_t rule, uint32_t norm, const char *name)
{
    const double e1 = 0.1, e2 = 0.1;
    const uint32_t R = 32, burn = 20, T = 40;
    double sum = 0, sq = 0, mean, se;
    char what[96];
    uint32_t r, g;
    for (r = 0; r < R; ++r) {
        double avg = 0;
        setup(1000, rule, norm, e1, e2, 1, 300u + r);
        for (g = 0; g < burn + T; ++g) {
            double f = generation(g, NULL, &(dlm_evo_counts){0, 0, 0, 0});
            if (g >= burn)
                avg += f / T;
        }
        sum += avg;
        sq += avg * avg;
    }
    mean = sum / R;
    se = sqrt((sq - R * mean * mean) / (R - 1) / R);
    snprintf(what, sizeof what, "%s, %s, e1 0.1, e2 0.1, 1 round: good",
             rule == DLM_ACTION_DISC ? "disc" : "allc", name);
    check_se(what, mean, se, stationary3(rule, norm, e1, e2));
}

/* The codes config_reputation.c gives the leading eight (Ohtsuki & Iwasa 2004, Table 2):
 * 0b GGGG BBBB as in kernels/dlm_reputation.h; bit 8 = L1's and L2's action rule. */
static void test_leading_eight(void **state)
{
    static const uint32_t codes[8] = {0x1BAu, 0x19Au, 0xBBu, 0xB9u, 0x9Bu, 0x99u, 0xB8u, 0x98u};
    char name[4];
    uint32_t i;
    (void)state;
    for (i = 0; i < 8; ++i) {
        snprintf(name, sizeof name, "L%u", i + 1u);
        leading(DLM_ACTION_DISC, codes[i], name); /* tells L1, L2 from L3 .. L6 from L7, L8 */
        leading(DLM_ACTION_ALLC, codes[i], name); /* tells the verdicts on helping the bad */
    }
    /* L3 is simple standing and L6 stern judging */
    assert_int_equal(codes[2], DLM_NORM_SIMPLE_STANDING);
    assert_int_equal(codes[5], DLM_NORM_STERN_JUDGING);
}

/* The census reads standings and never writes them; its payoff is the rule's. */
static void test_census_reads_only(void **state)
{
    double pay[300];
    uint32_t x, g;
    (void)state;
    setup(300, DLM_ACTION_DISC, DLM_NORM_STERN_JUDGING, 0.05, 0.05, 4, 7);
    for (x = 0; x < 300; x += 3) /* a mixed population */
        F.agents[x].opening = DLM_ACTION_ALLD;
    for (g = 0; g < 5; ++g)
        generation(g, NULL, &(dlm_evo_counts){0, 0, 0, 0});
    {
        static dlm_strategy before[300];
        uint64_t fixed = 0;
        dlm_evo_counts c = {0, 0, 0, 0};
        F.w.fixed = &fixed;
        memcpy(before, F.agents, sizeof before);
        for (x = 0; x < 300; ++x)
            pay[x] = dlm_evo_census_payoff(&F.w, &F.pop, 5, x, &c);
        assert_memory_equal(before, F.agents, sizeof before);
        {
            double again[300];
            generation(5, again, &c);
            for (x = 0; x < 300; ++x)
                assert_true(pay[x] == again[x]);
        }
        assert_memory_not_equal(before, F.agents, sizeof before);
    }
}


/* Private assessment, q = 1, no errors: every agent observes every donation of an ALLC
 * agent and image scoring calls each good, so one generation turns all views (bad at the
 * start) good; ALLD's all bad. */
static void test_private_allc_all_views_good(void **state)
{
    (void)state;
    setup(300, DLM_ACTION_ALLC, DLM_NORM_IMAGE_SCORING, 0.0, 0.0, 1, 11);
    setup_private(1.0, 1);
    assert_true(generation(0, NULL, &(dlm_evo_counts){0, 0, 0, 0}) == 1.0);
    assert_true(generation(1, NULL, &(dlm_evo_counts){0, 0, 0, 0}) == 1.0);
    setup(300, DLM_ACTION_ALLD, DLM_NORM_IMAGE_SCORING, 0.0, 0.0, 1, 12);
    setup_private(1.0, 0);
    assert_true(generation(0, NULL, &(dlm_evo_counts){0, 0, 0, 0}) == 0.0);
}

/* Private assessment, ALLC under image scoring, all views bad at the start, no execution
 * error: after one generation of R donations a view is good when its observer saw at
 * least one (probability 1 - (1 - q)^R) and the last it saw was judged good (1 - e2),
 * independently for every (observer, donor): mean (1 - (1 - q)^R)(1 - e2), SE from the
 * binomial over N^2 views. Then the stationary mean is 1 - e2 whatever q. */
static void test_private_observation(void **state)
{
    const double q = 0.3, e2 = 0.1;
    const uint32_t n = 500, R = 2;
    double exact = (1 - pow(1 - q, R)) * (1 - e2), f, sum = 0, sq = 0, mean, se;
    uint32_t g, T = 30;
    (void)state;
    setup(n, DLM_ACTION_ALLC, DLM_NORM_IMAGE_SCORING, 0.0, e2, R, 13);
    setup_private(q, 1);
    f = generation(0, NULL, &(dlm_evo_counts){0, 0, 0, 0});
    check_se("private allc, q 0.3, e2 0.1, 2 rounds: good after 1", f,
             sqrt(exact * (1 - exact) / ((double)n * n)), exact);
    for (g = 1; g < 10; ++g)
        generation(g, NULL, &(dlm_evo_counts){0, 0, 0, 0});
    for (g = 10; g < 10 + T; ++g) {
        f = generation(g, NULL, &(dlm_evo_counts){0, 0, 0, 0});
        sum += f;
        sq += f * f;
    }
    mean = sum / T;
    se = sqrt((sq / T - mean * mean) / (T - 1));
    check_se("private allc, q 0.3, e2 0.1: stationary good", mean, se, 1 - e2);
}

/* Private assessment, discriminators under stern judging, q = 1, assessment error e, no
 * execution error, one donation per generation. Observer o judges donor x, who met y, good
 * when o's and x's views of y agree (x helps whom it holds good; stern judging calls
 * helping whom o holds good, and refusing whom o holds bad, good), then flips with e; x
 * judging itself always agrees. From all good, generation 0 leaves every view good with
 * probability 1 - e independently, so generation 1 gives exactly
 *     g_2 = (1 - e)/N + (1 - 1/N) [(1 - e) a + e (1 - a)],  a = (1 - e)^2 + e^2.
 * The agreement A of two observers on a third follows A' = A (1 - d) + (1 - A) d with
 * d = 2e(1 - e) (both see the same act; they disagree when their views of the recipient
 * did, or one verdict flipped), apart from observers that are the donor or the recipient
 * (a share of at most 4/N): A* = 1/2, so g* = 1/2 (views diverge completely: stern
 * judging's private-assessment failure, Uchida & Sasaki 2013, J. Theor. Biol. 336:
 * 35-44; Hilbe et al. 2018, PNAS 115:12241). Tolerance for g*: 4 SE plus the bias bound
 * (4/N) / (4e(1 - e)) of those exceptional observers. */
static void test_private_stern_judging(void **state)
{
    const double e = 0.1, a = (1 - e) * (1 - e) + e * e, d = 2 * e * (1 - e);
    const uint32_t n = 400, R = 8, T = 30;
    double g2 = (1 - e) / n + (1 - 1.0 / n) * ((1 - e) * a + e * (1 - a));
    double s2 = 0, q2 = 0, sum = 0, sq = 0, mean, se, bias = (4.0 / n) / (2 * d);
    uint32_t r, g;
    (void)state;
    for (r = 0; r < R; ++r) {
        double avg = 0, f;
        setup(n, DLM_ACTION_DISC, DLM_NORM_STERN_JUDGING, 0.0, e, 1, 500u + r);
        setup_private(1.0, 0);
        assert_true(fabs(generation(0, NULL, &(dlm_evo_counts){0, 0, 0, 0}) - (1 - e)) < 0.01);
        f = generation(1, NULL, &(dlm_evo_counts){0, 0, 0, 0});
        s2 += f;
        q2 += f * f;
        for (g = 2; g < 30 + T; ++g) {
            f = generation(g, NULL, &(dlm_evo_counts){0, 0, 0, 0});
            if (g >= 30)
                avg += f / T;
        }
        sum += avg;
        sq += avg * avg;
    }
    mean = s2 / R;
    check_se("private disc, stern judging, e2 0.1: good after 2", mean,
             sqrt((q2 - R * mean * mean) / (R - 1) / R), g2);
    mean = sum / R;
    se = sqrt((sq - R * mean * mean) / (R - 1) / R);
    printf("    %-50s sim %.5f  SE %.5f  exact %.5f  bias bound %.5f\n",
           "private disc, stern judging, e2 0.1: stationary", mean, se, 0.5, bias);
    if (!(fabs(mean - 0.5) <= NSE * se + bias))
        fail_msg("private stern judging: %.6f is more than %g SE + %.4f from 1/2", mean, NSE,
                 bias);
}

/* The census reads views and never writes them (private assessment). */
static void test_private_census_reads_only(void **state)
{
    static uint32_t before[sizeof F.views / sizeof F.views[0]];
    dlm_evo_counts c = {0, 0, 0, 0};
    uint64_t fixed = 0;
    uint32_t x;
    (void)state;
    setup(200, DLM_ACTION_DISC, DLM_NORM_STERN_JUDGING, 0.05, 0.05, 2, 14);
    setup_private(0.5, 0);
    generation(0, NULL, &c);
    F.w.fixed = &fixed;
    memcpy(before, F.views, sizeof before);
    for (x = 0; x < 200; ++x)
        dlm_evo_census_payoff(&F.w, &F.pop, 1, x, &c);
    assert_memory_equal(before, F.views, sizeof before);
}

/* Perception error e3 (the observer misreads the action), the third independent channel:
 * ALLC under image scoring, no execution error, assessment error e2. Each donation is
 * judged good with probability (1 - e3)(1 - e2) + e3 e2: under public assessment each
 * agent's standing each generation, independently (its last donation's verdict); under
 * private assessment (q = 1, one round, all views bad at the start) each of the N^2
 * views after one generation, independently. SE from the binomial. */
static void test_perception_error(void **state)
{
    const double e2 = 0.05, e3 = 0.2, exact = (1 - e3) * (1 - e2) + e3 * e2;
    double sum = 0, f;
    uint32_t g, T = 20, n = 1000;
    (void)state;
    setup(n, DLM_ACTION_ALLC, DLM_NORM_IMAGE_SCORING, 0.0, e2, 3, 15);
    F.ep.payoff_b[3] = (double)dlm_probability_threshold_from_double(e3);
    for (g = 0; g < T; ++g)
        sum += generation(g, NULL, &(dlm_evo_counts){0, 0, 0, 0});
    check_se("public allc, e2 0.05, e3 0.2: good", sum / T,
             sqrt(exact * (1 - exact) / ((double)n * T)), exact);
    n = 500;
    setup(n, DLM_ACTION_ALLC, DLM_NORM_IMAGE_SCORING, 0.0, e2, 1, 16);
    F.ep.payoff_b[3] = (double)dlm_probability_threshold_from_double(e3);
    setup_private(1.0, 1);
    f = generation(0, NULL, &(dlm_evo_counts){0, 0, 0, 0});
    check_se("private allc, e2 0.05, e3 0.2: good after 1", f,
             sqrt(exact * (1 - exact) / ((double)n * n)), exact);
}

/* Empathy E (Radzvilavicius, Stewart & Plotkin 2019, eLife 8:e44269): with E = 1 every
 * observer judges discriminator x by x's own view of the recipient, so under stern
 * judging x's act always fits (helping whom it holds good, refusing whom it holds bad)
 * and each view is good with probability 1 - e2, independently, in every generation:
 * empathy undoes the divergence of views that drives g* to 1/2 at E = 0
 * (test_private_stern_judging). Checked over T generations, SE from the binomial. */
static void test_empathy(void **state)
{
    const double e2 = 0.1;
    const uint32_t n = 300, T = 20;
    double sum = 0;
    uint32_t g;
    (void)state;
    setup(n, DLM_ACTION_DISC, DLM_NORM_STERN_JUDGING, 0.0, e2, 1, 17);
    setup_private(1.0, 0);
    F.ep.sigma = (double)dlm_probability_threshold_from_double(1.0);
    for (g = 0; g < 10; ++g)
        generation(g, NULL, &(dlm_evo_counts){0, 0, 0, 0});
    for (g = 10; g < 10 + T; ++g)
        sum += generation(g, NULL, &(dlm_evo_counts){0, 0, 0, 0});
    check_se("private disc, stern judging, e2 0.1, E 1: good", sum / T,
             sqrt((1 - e2) * e2 / ((double)n * n * T)), 1 - e2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allc_earns_b_minus_c),
        cmocka_unit_test(test_alld_all_bad_under_image_scoring),
        cmocka_unit_test(test_allc_with_errors),
        cmocka_unit_test(test_discriminators_stern_judging),
        cmocka_unit_test(test_discriminators_simple_standing),
        cmocka_unit_test(test_discriminators_image_scoring),
        cmocka_unit_test(test_discriminators_shunning),
        cmocka_unit_test(test_leading_eight),
        cmocka_unit_test(test_census_reads_only),
        cmocka_unit_test(test_private_allc_all_views_good),
        cmocka_unit_test(test_private_observation),
        cmocka_unit_test(test_private_stern_judging),
        cmocka_unit_test(test_private_census_reads_only),
        cmocka_unit_test(test_perception_error),
        cmocka_unit_test(test_empathy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

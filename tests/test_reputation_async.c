/* test_reputation_async.c — the donation game under the asynchronous rules (moran-bd,
 * moran-db, fermi; kernels/dlm_reputation.h, dlm_rep_asynchronous), driven through the
 * engine's own event function dlm_evo_event on a well-mixed population built here.
 *
 * Known answers:
 *  - the assessment step at a generation's first event writes exactly the standings
 *    (public words, private views) the synchronous rules' evaluations write, and an
 *    event's evaluation writes nothing and returns the payoff of the assessed rounds;
 *  - neutral selection (w = 0, beta = 0) copies records without regard to standing, so
 *    the good fraction of discriminators follows the synchronous path's mean-field map
 *    g' = pB + (pG - pB) g (test_reputation.c) and reaches its fixed point g*: checked
 *    under each asynchronous rule within 4 standard errors over independent populations;
 *  - fixation: one ALLD in a population of ALLC (no standings enter their payoffs). With
 *    i ALLD of N, the expected payoffs per round are pi_D = b (N - i) / (N - 1) and
 *    pi_C = b (N - i - 1) / (N - 1) - c; the fixation probability of the birth-death
 *    chain is rho = 1 / (1 + sum_k prod_{j <= k} T-(j) / T+(j)) (Nowak 2006,
 *    Evolutionary Dynamics, ch. 6; Traulsen, Nowak & Pacheco 2006 for the pairwise
 *    comparison), with each rule's T+ and T- written out in rho_exact. The simulated
 *    payoffs are played rounds (their mean is the expected payoff): within 4 SE of rho.
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
#define MAX_N 400u

typedef struct pop_fixture {
    dlm_evo_params ep;
    dlm_player_params cls;
    dlm_strategy agents[MAX_N];
    uint32_t agent_class[MAX_N];
    uint64_t fixed;
    dlm_evo_world w;
    dlm_evo_population pop;
    uint32_t views[2u * MAX_N * ((MAX_N + 31u) / 32u)];
} pop_fixture;

static pop_fixture F, G;

/* n agents of rule `rule` (well-mixed, complete), b = 3, c = 1, norm, errors, rounds,
 * update rule `rule_kind` with selection strength sel (linear fitness). */
static void setup(uint32_t n, uint32_t rule, uint32_t norm, double e1, double e2, uint32_t rounds,
                  uint32_t update, double sel, uint32_t id)
{
    uint32_t i;
    memset(&F, 0, sizeof F);
    F.ep.payoff[0] = 2.0;  /* R = b - c */
    F.ep.payoff[1] = -1.0; /* S = -c */
    F.ep.payoff[2] = 3.0;  /* T = b */
    F.ep.interaction = DLM_INTERACTION_DONATION;
    F.ep.rules.rounds = rounds;
    F.ep.rule = update;
    F.ep.structure = DLM_STRUCTURE_COMPLETE;
    F.ep.fitness_map = DLM_FITNESS_LINEAR;
    F.ep.selection = sel;
    F.ep.fitness_max = update == DLM_RULE_FERMI ? 0.0 : (1.0 - sel + sel * 3.0) * (1.0 + 1e-12);
    F.ep.max_trials = 1000000u;
    F.ep.norm = norm;
    F.ep.payoff_b[0] = (double)dlm_probability_threshold_from_double(e1); /* as the plan */
    F.ep.payoff_b[1] = (double)dlm_probability_threshold_from_double(e2);
    for (i = 0; i < n; ++i) {
        F.agents[i].kind = DLM_STRAT_ACTION_RULE;
        F.agents[i].opening = rule;
    }
    F.w.seed = 20261204u;
    F.w.params = &F.ep;
    F.w.classes = &F.cls;
    F.w.strategy = F.agents;
    F.w.agent_class = F.agent_class;
    F.w.views = F.views;
    F.w.fixed = &F.fixed;
    F.pop.n = n;
    F.pop.id = id;
    F.pop.seed = 20261204u;
}

/* Points the copy G's world at its own arrays. */
static void copy_fixture(void)
{
    G = F;
    G.w.params = &G.ep;
    G.w.classes = &G.cls;
    G.w.strategy = G.agents;
    G.w.agent_class = G.agent_class;
    G.w.views = G.views;
    G.w.fixed = &G.fixed;
}

/* Generation g of the asynchronous rule: n events. */
static void async_generation(uint64_t g)
{
    dlm_evo_counts c = {0, 0, 0, 0};
    uint32_t e;
    for (e = 0; e < F.pop.n; ++e)
        dlm_evo_event(&F.w, &F.pop, g, e, &c);
}

/* The good fraction at the start of generation g (public words). */
static double good_at(uint64_t g)
{
    uint32_t x, good = 0;
    for (x = 0; x < F.pop.n; ++x)
        good += dlm_rep_bad_at(F.agents[x].fsm_output, g) ? 0u : 1u;
    return (double)good / F.pop.n;
}

static void check_se(const char *what, double sim, double se, double exact)
{
    printf("    %-56s sim %.5f  SE %.5f  exact %.5f  z %+.2f\n", what, sim, se, exact,
           se > 0 ? (sim - exact) / se : 0.0);
    if (!(fabs(sim - exact) <= NSE * se))
        fail_msg("%s: %.6f is more than %g SE (%.6f) from %.6f", what, sim, NSE, se, exact);
}

/* The synchronous evaluation of every agent in generation g on fixture P (rule's
 * MATCH_PLAY streams), payoffs into pay. */
static void sync_evaluations(pop_fixture *P, uint64_t g, double *pay)
{
    uint64_t play = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, P->pop.id, g);
    uint64_t length = dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, P->pop.id, g);
    uint32_t x;
    for (x = 0; x < P->pop.n; ++x) {
        uint32_t slot = 0;
        dlm_evo_counts c = {0, 0, 0, 0};
        dlm_cursor partners =
            dlm_cursor_at(P->pop.seed, dlm_stream_id(DLM_PURPOSE_MATCHING, P->pop.id, g), x);
        pay[x] = dlm_evo_evaluate(&P->w, &P->pop, &P->ep, x, play, length, x, &slot, &partners,
                                  &c);
    }
}

/* A mixed population (disc, alld, allc) with errors, a few generations in: the
 * assessment step of an asynchronous rule writes what the synchronous evaluations write,
 * and the events' evaluations (MATCH_PLAY under an asynchronous rule) write nothing and
 * pay what the assessed rounds pay. Public, private (1), institutional (2) and
 * institutional in encounters (3). */
static void step_is_sync(uint32_t private_views)
{
    static double pay_sync[300], pay_async[300];
    uint32_t x, g, words = (300u + 31u) / 32u;
    setup(300, DLM_ACTION_DISC, 0x1BAu /* L1 */, 0.05, 0.05, 3, DLM_RULE_FERMI_SYNC, 0.0, 9);
    if (private_views == 1u) {
        F.ep.norm |= DLM_NORM_PRIVATE;
        F.ep.payoff_b[2] = (double)dlm_probability_threshold_from_double(0.7);
    }
    if (private_views >= 2u) /* institutional: a panel of 7, quorum 4 */
        F.ep.norm |= DLM_NORM_INSTITUTION | (7u << 16) | (4u << 24);
    if (private_views == 3u) { /* ... in encounters (repeat 0.5) */
        F.ep.norm |= DLM_NORM_ENCOUNTERS;
        F.ep.rules.continuation = dlm_probability_threshold_from_double(0.5);
    }
    for (x = 0; x < 300; ++x)
        F.agents[x].opening = x % 3u == 0u ? DLM_ACTION_ALLD
                              : x % 3u == 1u ? DLM_ACTION_DISC
                                             : DLM_ACTION_ALLC;
    for (g = 0; g < 4; ++g)
        sync_evaluations(&F, g, pay_sync);
    copy_fixture();                           /* G: the asynchronous twin at generation 4 */
    G.ep.rule = DLM_RULE_MORAN_BD;
    sync_evaluations(&F, 4, pay_sync);        /* F: the synchronous generation 4 */
    dlm_evo_generation_start(&G.w, &G.pop, &G.ep, 4); /* G: the assessment step */
    assert_memory_equal(F.agents, G.agents, sizeof F.agents);
    assert_memory_equal(F.views, G.views, 2u * 300u * words * sizeof(uint32_t));
    {
        static dlm_strategy before[300];
        static uint32_t views_before[2u * 300u * 10u];
        memcpy(before, G.agents, sizeof before);
        memcpy(views_before, G.views, sizeof views_before);
        sync_evaluations(&G, 4, pay_async); /* MATCH_PLAY under moran-bd: reads only */
        assert_memory_equal(before, G.agents, sizeof before);
        assert_memory_equal(views_before, G.views, sizeof views_before);
    }
    for (x = 0; x < 300; ++x)
        assert_true(pay_sync[x] == pay_async[x]);
    if (!private_views) /* the words moved on: generation 4 was written */
        assert_true(dlm_rep_bad_at(F.agents[0].fsm_output, 5) ==
                    (F.agents[0].fsm_output & 1u));
    if (private_views >= 2u) { /* the step wrote the panel's words: some members disagree */
        uint32_t split = 0u;
        for (x = 0; x < 300; ++x) {
            uint32_t word = G.views[dlm_rep_panel_row(&G.pop, 5u, x)] & 0x7Fu;
            split += word != 0u && word != 0x7Fu;
        }
        assert_true(split > 0u);
    }
}

static void test_step_writes_what_sync_writes(void **state)
{
    (void)state;
    step_is_sync(0);
    step_is_sync(1);
    step_is_sync(2); /* institutional */
    step_is_sync(3); /* institutional, encounters */
}

/* Neutral selection: the good fraction of discriminators under `norm` (e1 0.02, e2 0.05),
 * averaged over generations burn .. burn + T and R populations, against g*. */
static void neutral_good(uint32_t update, const char *rule_name, uint32_t norm,
                         const char *norm_name)
{
    const double e1 = 0.02, e2 = 0.05;
    const uint32_t R = 16, burn = 30, T = 60;
    double vCG = (norm >> 3) & 1u, vDG = (norm >> 2) & 1u, vDB = norm & 1u;
    double qG = (1 - e1) * vCG + e1 * vDG, qB = vDB;
    double pG = (1 - e2) * qG + e2 * (1 - qG), pB = (1 - e2) * qB + e2 * (1 - qB);
    double exact = pB / (1 - pG + pB), sum = 0, sq = 0, mean, se;
    char what[120];
    uint32_t r, g;
    for (r = 0; r < R; ++r) {
        double avg = 0;
        setup(400, DLM_ACTION_DISC, norm, e1, e2, 2, update, 0.0, 200u + r);
        for (g = 0; g < burn + T; ++g) {
            async_generation(g);
            if (g >= burn)
                avg += good_at(g + 1u) / T;
        }
        sum += avg;
        sq += avg * avg;
    }
    mean = sum / R;
    se = sqrt((sq - R * mean * mean) / (R - 1) / R);
    snprintf(what, sizeof what, "%s, neutral, disc, %s: good", rule_name, norm_name);
    check_se(what, mean, se, exact);
}

static void test_neutral_good_fraction(void **state)
{
    (void)state;
    neutral_good(DLM_RULE_MORAN_BD, "moran-bd", DLM_NORM_STERN_JUDGING, "stern judging");
    neutral_good(DLM_RULE_MORAN_DB, "moran-db", DLM_NORM_IMAGE_SCORING, "image scoring");
    neutral_good(DLM_RULE_FERMI, "fermi", DLM_NORM_SIMPLE_STANDING, "simple standing");
}

/* rho of one ALLD among n ALLC (b 3, c 1) under `update` with selection sel. */
static double rho_exact(uint32_t update, uint32_t n, double sel)
{
    const double b = 3.0, c = 1.0;
    double sum = 1.0, prod = 1.0;
    uint32_t i;
    for (i = 1; i < n; ++i) {
        double pd = b * (n - i) / (n - 1.0), pc = b * (n - i - 1.0) / (n - 1.0) - c;
        double fd = 1.0 - sel + sel * pd, fc = 1.0 - sel + sel * pc, ratio;
        if (update == DLM_RULE_MORAN_BD) /* parent by fitness, a uniform one of n dies */
            ratio = fc / fd;
        else if (update == DLM_RULE_MORAN_DB) { /* a uniform one dies, an other replaces */
            double up = (n - i) / (double)n * i * fd / (i * fd + (n - i - 1.0) * fc);
            double down = i / (double)n * (n - i) * fc / ((i - 1.0) * fd + (n - i) * fc);
            ratio = down / up;
        } else /* pairwise comparison: T-/T+ = exp(-beta (pi_D - pi_C)) */
            ratio = exp(-sel * (pd - pc));
        prod *= ratio;
        sum += prod;
    }
    return 1.0 / sum;
}

static void fixation(uint32_t update, const char *name, double sel)
{
    const uint32_t n = 10, runs = 3000;
    uint32_t r, fixed_d = 0;
    double rho = rho_exact(update, n, sel), p, se;
    char what[120];
    for (r = 0; r < runs; ++r) {
        uint32_t g, x, d = 1;
        setup(n, DLM_ACTION_ALLC, DLM_NORM_STERN_JUDGING, 0.0, 0.0, 20, update, sel, 1000u + r);
        F.agents[r % n].opening = DLM_ACTION_ALLD;
        for (g = 0; d != 0 && d != n; ++g) {
            async_generation(g);
            for (x = 0, d = 0; x < n; ++x)
                d += F.agents[x].opening == DLM_ACTION_ALLD ? 1u : 0u;
            assert_true(g < 100000u);
        }
        fixed_d += d == n ? 1u : 0u;
    }
    p = (double)fixed_d / runs;
    se = sqrt(rho * (1 - rho) / runs);
    snprintf(what, sizeof what, "%s, N 10, ALLD among ALLC (b 3, c 1), s %.2f: fixation", name,
             sel);
    check_se(what, p, se, rho);
}

static void test_fixation_of_alld(void **state)
{
    (void)state;
    fixation(DLM_RULE_MORAN_BD, "moran-bd", 0.2);
    fixation(DLM_RULE_MORAN_DB, "moran-db", 0.2);
    fixation(DLM_RULE_FERMI, "fermi", 0.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_writes_what_sync_writes),
        cmocka_unit_test(test_neutral_good_fraction),
        cmocka_unit_test(test_fixation_of_alld),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

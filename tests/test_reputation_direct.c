/* test_reputation_direct.c — direct and indirect reciprocity in one population
 * (kernels/dlm_reputation.h, dlm_rep_encounters; evolution.reputation.repeat): the
 * donation game's rounds in encounters with one partner, IPD rules (memory-one vectors,
 * with or without a standing condition) next to the action rules.
 *
 * Known answers (b 3, c 1, public assessment):
 *  - with repeat 0 every round is an encounter's first: tft@good acts exactly as disc and
 *    tft as allc (the same payoffs and standings, bit for bit, with errors);
 *  - ALLD among TFT without errors: a TFT partner helps ALLD only in an encounter's first
 *    round; a round is one with probability 1 (round 0) or 1 - w (later rounds), so
 *        E[pi_ALLD] = b q_T (1 + (R - 1)(1 - w)) / R,
 *        E[pi_TFT]  = q_T' (b - c) - c q_D' (1 + (R - 1)(1 - w)) / R,
 *    q the fraction of the others that are TFT / ALLD (within 4 SE over agents and
 *    generations);
 *  - ALLD among tft@good under image scoring: from generation 1 on ALLD is in bad standing
 *    (it never helps), so tft@good never helps it: its payoff is exactly 0, while among
 *    plain TFT it is not.
 * Norms as traits (private assessment, DLM_NORM_OWN, `alld/stern-judging`): ALLD agents,
 * half judging by stern judging and half by image scoring, everyone observing (q = 1), one
 * round, no errors. Generation 0 (all good): every act is D to a good recipient, bad under
 * both, so all views turn bad. Generation 1: D to a recipient the observer holds bad is
 * good under stern judging, bad under image scoring: at the start of generation 2 every
 * view of a stern judge is good and every view of an image scorer bad, exactly.
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
#define TFT_P {1ull << 32, 1ull << 32, 0, 1ull << 32, 0} /* p0, CC, CD, DC, DD */

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

static pop_fixture F;

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

static void check_se(const char *what, double sim, double se, double exact)
{
    printf("    %-56s sim %.5f  SE %.5f  exact %.5f  z %+.2f\n", what, sim, se, exact,
           se > 0 ? (sim - exact) / se : 0.0);
    if (!(fabs(sim - exact) <= NSE * se))
        fail_msg("%s: %.6f is more than %g SE (%.6f) from %.6f", what, sim, NSE, se, exact);
}


/* Generation g, every agent evaluated once by the synchronous rules' streams (writes
 * standings); payoffs into pay. */
static void generation(uint64_t g, double *pay)
{
    uint64_t play = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, F.pop.id, g);
    uint64_t length = dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, F.pop.id, g);
    uint32_t x;
    for (x = 0; x < F.pop.n; ++x) {
        uint32_t slot = 0;
        dlm_evo_counts c = {0, 0, 0, 0};
        dlm_cursor partners =
            dlm_cursor_at(F.pop.seed, dlm_stream_id(DLM_PURPOSE_MATCHING, F.pop.id, g), x);
        pay[x] = dlm_evo_evaluate(&F.w, &F.pop, &F.ep, x, play, length, x, &slot, &partners, &c);
    }
}

/* Encounters with repeat probability w. */
static void encounters(double w)
{
    F.ep.norm |= DLM_NORM_ENCOUNTERS;
    F.ep.rules.continuation = dlm_probability_threshold_from_double(w);
}

/* Agent x becomes an IPD rule: TFT with modifier `flags`. */
static void tft(uint32_t x, uint32_t flags)
{
    static const uint64_t p[5] = TFT_P;
    uint32_t k;
    F.agents[x].opening = DLM_ACTION_M1 | flags;
    for (k = 0; k < 5u; ++k)
        F.agents[x].threshold[k] = p[k];
}

/* With repeat 0, tft@good is disc and tft is allc, bit for bit. */
static void test_repeat_zero_is_indirect(void **state)
{
    static double pay_a[300], pay_b[300];
    static dlm_strategy a[300];
    uint32_t x, g;
    (void)state;
    for (g = 0; g < 2; ++g) {
        uint32_t flags = g == 0 ? DLM_ACTION_GOOD_FIRST : 0u;
        uint32_t rule = g == 0 ? DLM_ACTION_DISC : DLM_ACTION_ALLC;
        uint32_t t;
        setup(300, rule, DLM_NORM_STERN_JUDGING, 0.05, 0.05, 5, DLM_RULE_FERMI_SYNC, 0.0, 31);
        encounters(0.0);
        for (x = 0; x < 300; x += 4)
            F.agents[x].opening = DLM_ACTION_ALLD;
        for (t = 0; t < 6; ++t)
            generation(t, pay_a);
        memcpy(a, F.agents, sizeof a);
        setup(300, rule, DLM_NORM_STERN_JUDGING, 0.05, 0.05, 5, DLM_RULE_FERMI_SYNC, 0.0, 31);
        encounters(0.0);
        for (x = 0; x < 300; ++x)
            if (x % 4u == 0u)
                F.agents[x].opening = DLM_ACTION_ALLD;
            else
                tft(x, flags);
        for (t = 0; t < 6; ++t)
            generation(t, pay_b);
        for (x = 0; x < 300; ++x) {
            assert_true(pay_a[x] == pay_b[x]);
            assert_int_equal(a[x].fsm_output, F.agents[x].fsm_output);
        }
    }
}

/* ALLD among TFT, no errors: the expected payoffs of both. */
static void test_alld_among_tft(void **state)
{
    const uint32_t n = 200, R = 10, G = 200;
    const double w = 0.6, b = 3.0, c = 1.0, first = (1.0 + (R - 1.0) * (1.0 - w)) / R;
    static double pay[200];
    double sd = 0, sdq = 0, st = 0, stq = 0, md, mt, sed, set, nd = 0, nt = 0;
    uint32_t x, g;
    (void)state;
    setup(n, DLM_ACTION_ALLD, DLM_NORM_STERN_JUDGING, 0.0, 0.0, R, DLM_RULE_FERMI_SYNC, 0.0, 41);
    encounters(w);
    for (x = 0; x < n; ++x)
        if (x % 10u != 0u)
            tft(x, 0u);
    for (g = 0; g < G; ++g) {
        generation(g, pay);
        for (x = 0; x < n; ++x)
            if (x % 10u == 0u) {
                sd += pay[x];
                sdq += pay[x] * pay[x];
                nd += 1;
            } else {
                st += pay[x];
                stq += pay[x] * pay[x];
                nt += 1;
            }
    }
    md = sd / nd;
    mt = st / nt;
    sed = sqrt((sdq / nd - md * md) / (nd - 1));
    set = sqrt((stq / nt - mt * mt) / (nt - 1));
    check_se("ALLD among TFT (w 0.6, R 10): payoff of ALLD", md, sed, b * 180.0 / 199.0 * first);
    check_se("ALLD among TFT (w 0.6, R 10): payoff of TFT", mt, set,
             179.0 / 199.0 * (b - c) - c * 20.0 / 199.0 * first);
}

/* ALLD among tft@good under image scoring: nothing from generation 1 on. */
static void test_good_first_denies_alld(void **state)
{
    static double pay[100];
    uint32_t x, g, flags;
    (void)state;
    for (flags = 0; flags < 2; ++flags) {
        double alld = 0;
        setup(100, DLM_ACTION_ALLD, DLM_NORM_IMAGE_SCORING, 0.0, 0.0, 8, DLM_RULE_FERMI_SYNC,
              0.0, 51);
        encounters(0.5);
        for (x = 1; x < 100; ++x)
            tft(x, flags ? DLM_ACTION_GOOD_FIRST : 0u);
        generation(0, pay);
        for (g = 1; g < 10; ++g) {
            generation(g, pay);
            alld += pay[0];
        }
        printf("    ALLD among %s, image scoring, generations 1-9: payoff sum %.4f\n",
               flags ? "tft@good" : "tft", alld);
        if (flags)
            assert_true(alld == 0.0);
        else
            assert_true(alld > 0.0);
    }
}

static void test_own_norms(void **state)
{
    static double pay[100];
    uint32_t x, o, g;
    (void)state;
    setup(100, DLM_ACTION_ALLD, DLM_NORM_STERN_JUDGING, 0.0, 0.0, 1, DLM_RULE_FERMI_SYNC, 0.0, 61);
    F.ep.norm |= DLM_NORM_PRIVATE | DLM_NORM_OWN;
    F.ep.payoff_b[2] = (double)dlm_probability_threshold_from_double(1.0);
    for (x = 0; x < 100; ++x)
        F.agents[x].depth = DLM_ACTION_RULE_OWN_NORM |
                            (x % 2u ? DLM_NORM_IMAGE_SCORING : DLM_NORM_STERN_JUDGING);
    for (g = 0; g < 2; ++g)
        generation(g, pay);
    for (x = 0; x < 100; ++x)
        for (o = 0; o < 100; ++o)
            assert_int_equal(dlm_rep_view_bad(&F.w, &F.pop, 2, o, x), o % 2u);
    {
        dlm_strategy a = F.agents[0], b = F.agents[1];
        assert_false(dlm_strategy_equal(&a, &b)); /* the same rule, other norms */
        b.depth = a.depth;
        b.fsm_output ^= 3u;
        assert_true(dlm_strategy_equal(&a, &b)); /* standings do not count */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeat_zero_is_indirect),
        cmocka_unit_test(test_alld_among_tft),
        cmocka_unit_test(test_good_first_denies_alld),
        cmocka_unit_test(test_own_norms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

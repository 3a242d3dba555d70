/* test_reputation_institution.c — institutional assessment (a panel's quorum verdict,
 * kernels/dlm_reputation.h) and the donation game's census statistics (good per action
 * rule, agreement between views: dlm_census_reputation in kernels/dlm_census.h), against
 * known answers, through dlm_evo_evaluate on a well-mixed population built here (every
 * agent evaluated once per generation, as the synchronous rules do).
 *
 * Known answers:
 *  - ALLC under image scoring, one donation per generation, panel P, quorum Q, execution
 *    error e1, assessment error e2, perception error e3. Image scoring judges the action
 *    only, so a member that saw help (probability a = (1 - e3)(1 - e2) + e3 e2 when help
 *    was given, b = e3 (1 - e2) + (1 - e3) e2 when it failed) judges good, independently
 *    of the other members given the action. The broadcast standing is good with
 *        (1 - e1) P[Bin(P, a) >= Q] + e1 P[Bin(P, b) >= Q],
 *    and two members agree with (1 - e1)(a^2 + (1 - a)^2) + e1 (b^2 + (1 - b)^2); every
 *    agent independently in each generation. Checked for quorums 1, 3 and 5 of 5 over T
 *    generations, within 4 SE (binomial for the good fraction; for the agreement the SE of
 *    the per-generation means, from the sample).
 *  - discriminators under stern judging without errors stay good and all help;
 *  - members that judge by the broadcast (panel_views: broadcast): discriminators under
 *    stern judging with assessment error e2 only, one donation: a donor helps exactly the
 *    recipients broadcast good, and every member judges that fitting, so each member's
 *    verdict is good with 1 - e2, independently: the broadcast is good with
 *    P[Bin(P, 1 - e2) >= Q] and two members agree with (1 - e2)^2 + e2^2, in every
 *    generation; with their own views the members' agreement decays towards 1/2 instead
 *    (checked below 0.6 after 30 generations);
 *  - the census's agreement under private assessment is the exact count of agreeing pairs
 *    of observers (brute force over all pairs here), its good per rule the views' mean;
 *  - the census reads the panel's views and never writes them.
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

#include "dlm_census.h"
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

/* n agents of rule `rule` (well-mixed), b = 3, c = 1, norm, errors e1, e2, e3, rounds. */
static void setup(uint32_t n, uint32_t rule, uint32_t norm, double e1, double e2, double e3,
                  uint32_t rounds, uint32_t id)
{
    uint32_t i;
    memset(&F, 0, sizeof F);
    F.ep.payoff[0] = 2.0;
    F.ep.payoff[1] = -1.0;
    F.ep.payoff[2] = 3.0;
    F.ep.interaction = DLM_INTERACTION_DONATION;
    F.ep.rules.rounds = rounds;
    F.ep.rule = DLM_RULE_FERMI_SYNC;
    F.ep.structure = DLM_STRUCTURE_COMPLETE;
    F.ep.norm = norm;
    F.ep.payoff_b[0] = (double)dlm_probability_threshold_from_double(e1); /* as the plan */
    F.ep.payoff_b[1] = (double)dlm_probability_threshold_from_double(e2);
    F.ep.payoff_b[3] = (double)dlm_probability_threshold_from_double(e3);
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
    F.pop.n = n;
    F.pop.id = id;
    F.pop.seed = 20261204u;
}

/* Institutional assessment by a panel of `panel` with quorum `quorum` (as the plan sets). */
static void setup_institution(uint32_t panel, uint32_t quorum)
{
    F.ep.norm |= DLM_NORM_INSTITUTION | (panel << 16) | (quorum << 24);
}

/* Generation g: every agent evaluated once by the rule's streams; returns the census
 * record of the start of g + 1 (its statistics only). */
static dlm_evo_census generation(uint64_t g, dlm_evo_counts *counts)
{
    uint64_t play = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, F.pop.id, g);
    uint64_t length = dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, F.pop.id, g);
    dlm_evo_census c = dlm_census_empty();
    uint32_t x;
    for (x = 0; x < F.pop.n; ++x) {
        uint32_t slot = 0;
        dlm_cursor partners =
            dlm_cursor_at(F.pop.seed, dlm_stream_id(DLM_PURPOSE_MATCHING, F.pop.id, g), x);
        dlm_evo_evaluate(&F.w, &F.pop, &F.ep, x, play, length, x, &slot, &partners, counts);
    }
    for (x = 0; x < F.pop.n; ++x)
        dlm_census_reputation(&c, &F.w, &F.pop, g + 1u, x);
    return c;
}

static void check_se(const char *what, double sim, double se, double exact)
{
    printf("    %-56s sim %.5f  SE %.5f  exact %.5f  z %+.2f\n", what, sim, se, exact,
           se > 0 ? (sim - exact) / se : 0.0);
    if (!(fabs(sim - exact) <= NSE * se))
        fail_msg("%s: %.6f is more than %g SE (%.6f) from %.6f", what, sim, NSE, se, exact);
}

/* P[Bin(n, p) >= k] */
static double binomial_tail(uint32_t n, double p, uint32_t k)
{
    double sum = 0, coef = 1;
    uint32_t i;
    for (i = 0; i <= n; ++i) {
        if (i >= k)
            sum += coef * pow(p, i) * pow(1 - p, n - i);
        coef = coef * (n - i) / (i + 1);
    }
    return sum;
}

static void quorum_case(uint32_t quorum)
{
    const double e1 = 0.1, e2 = 0.05, e3 = 0.1;
    const uint32_t n = 1000, panel = 5, T = 30;
    const double a = (1 - e3) * (1 - e2) + e3 * e2, b = e3 * (1 - e2) + (1 - e3) * e2;
    const double good = (1 - e1) * binomial_tail(panel, a, quorum) + e1 * binomial_tail(panel, b, quorum);
    const double agree = (1 - e1) * (a * a + (1 - a) * (1 - a)) + e1 * (b * b + (1 - b) * (1 - b));
    double sum = 0, asum = 0, asq = 0, amean;
    char what[96];
    uint32_t g;
    setup(n, DLM_ACTION_ALLC, DLM_NORM_IMAGE_SCORING, e1, e2, e3, 1, 40u + quorum);
    setup_institution(panel, quorum);
    for (g = 0; g < T; ++g) {
        dlm_evo_census c = generation(g, &(dlm_evo_counts){0, 0, 0, 0});
        double f = (double)c.agree_pairs / (n * panel * (panel - 1) / 2.0);
        assert_int_equal(c.rule_agents[DLM_ACTION_ALLC], n);
        assert_int_equal(c.rule_good[DLM_ACTION_ALLC], c.good);
        sum += c.good;
        asum += f;
        asq += f * f;
    }
    snprintf(what, sizeof what, "allc, image scoring, panel 5, quorum %u: good", quorum);
    check_se(what, sum / ((double)n * T), sqrt(good * (1 - good) / ((double)n * T)), good);
    amean = asum / T;
    snprintf(what, sizeof what, "allc, image scoring, panel 5, quorum %u: agreement", quorum);
    check_se(what, amean, sqrt((asq / T - amean * amean) / (T - 1)), agree);
}

static void test_quorum(void **state)
{
    (void)state;
    quorum_case(1);
    quorum_case(3);
    quorum_case(5);
}

static void test_discriminators_without_errors(void **state)
{
    dlm_evo_counts counts = {0, 0, 0, 0};
    uint32_t g;
    (void)state;
    setup(300, DLM_ACTION_DISC, DLM_NORM_STERN_JUDGING, 0.0, 0.0, 0.0, 3, 7);
    setup_institution(7, 4);
    for (g = 0; g < 5; ++g) {
        dlm_evo_census c = generation(g, &counts);
        assert_int_equal(c.good, 300u);
        assert_int_equal(c.rule_good[DLM_ACTION_DISC], 300u);
        assert_int_equal(c.agree_pairs, 300u * 21u); /* C(7, 2) a target */
    }
    assert_int_equal(counts.cooperations, counts.moves);
}

static double broadcast_case(uint32_t shared, double *agreement_out)
{
    const double e2 = 0.1;
    const uint32_t n = 1000, panel = 7, quorum = 4, T = 30;
    double sum = 0, asum = 0, asq = 0;
    uint32_t g;
    setup(n, DLM_ACTION_DISC, DLM_NORM_STERN_JUDGING, 0.0, e2, 0.0, 1, 60u + shared);
    setup_institution(panel, quorum);
    if (shared)
        F.ep.norm |= DLM_NORM_PANEL_BROADCAST;
    for (g = 0; g < T; ++g) {
        dlm_evo_census c = generation(g, &(dlm_evo_counts){0, 0, 0, 0});
        double f = (double)c.agree_pairs / (n * panel * (panel - 1) / 2.0);
        sum += c.good;
        if (g >= T - 10) {
            asum += f;
            asq += f * f;
        }
    }
    *agreement_out = asum / 10;
    if (shared) {
        double good = binomial_tail(panel, 1 - e2, quorum), agree = (1 - e2) * (1 - e2) + e2 * e2;
        double amean = asum / 10;
        check_se("disc, stern judging, broadcast views, 4 of 7: good", sum / ((double)n * T),
                 sqrt(good * (1 - good) / ((double)n * T)), good);
        check_se("disc, stern judging, broadcast views, 4 of 7: agreement", amean,
                 sqrt((asq / 10 - amean * amean) / 9), agree);
    }
    return sum / ((double)n * T);
}

static void test_panel_views(void **state)
{
    double shared_agreement, own_agreement;
    (void)state;
    broadcast_case(1, &shared_agreement);
    broadcast_case(0, &own_agreement);
    printf("    own views: agreement %.4f over the last 10 generations\n", own_agreement);
    assert_true(own_agreement < 0.6);
}

/* Private assessment (q = 0.5, errors): the census against brute force over the views. */
static void test_private_agreement_exact(void **state)
{
    const uint32_t n = 60;
    uint32_t g, t, o, p;
    (void)state;
    setup(n, DLM_ACTION_DISC, DLM_NORM_STERN_JUDGING, 0.05, 0.1, 0.0, 2, 9);
    for (t = 0; t < n; t += 3)
        F.agents[t].opening = DLM_ACTION_ALLD;
    F.ep.norm |= DLM_NORM_PRIVATE;
    F.ep.payoff_b[2] = (double)dlm_probability_threshold_from_double(0.5);
    for (g = 0; g < 6; ++g) {
        dlm_evo_census c = generation(g, &(dlm_evo_counts){0, 0, 0, 0});
        uint64_t pairs = 0, good = 0, good_alld = 0;
        for (t = 0; t < n; ++t)
            for (o = 0; o < n; ++o) {
                uint32_t vo = dlm_rep_view_bad(&F.w, &F.pop, g + 1u, o, t);
                good += !vo;
                if (F.agents[t].opening == DLM_ACTION_ALLD)
                    good_alld += !vo;
                for (p = o + 1u; p < n; ++p)
                    pairs += o != t && p != t && vo == dlm_rep_view_bad(&F.w, &F.pop, g + 1u, p, t);
            }
        assert_int_equal(c.agree_pairs, pairs);
        assert_int_equal(c.good, good);
        assert_int_equal(c.rule_good[DLM_ACTION_ALLD], good_alld);
        assert_int_equal(c.rule_agents[DLM_ACTION_ALLD], 20u);
        assert_int_equal(c.rule_agents[DLM_ACTION_DISC], 40u);
        assert_true(pairs < (uint64_t)n * (n - 1) * (n - 2) / 2); /* the views do diverge */
    }
}

static void test_census_reads_only(void **state)
{
    static uint32_t before[2u * 200u];
    dlm_evo_counts c = {0, 0, 0, 0};
    uint64_t fixed = 0;
    uint32_t x;
    (void)state;
    setup(200, DLM_ACTION_DISC, DLM_NORM_STERN_JUDGING, 0.05, 0.05, 0.05, 2, 14);
    setup_institution(5, 3);
    generation(0, &c);
    F.w.fixed = &fixed;
    memcpy(before, F.views, sizeof before);
    for (x = 0; x < 200; ++x)
        dlm_evo_census_payoff(&F.w, &F.pop, 1, x, &c);
    assert_memory_equal(before, F.views, sizeof before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quorum),
        cmocka_unit_test(test_discriminators_without_errors),
        cmocka_unit_test(test_panel_views),
        cmocka_unit_test(test_private_agreement_exact),
        cmocka_unit_test(test_census_reads_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

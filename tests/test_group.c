/* test_group.c — N-player group games (kernels/dlm_group.h) against known answers,
 * through the kind's entry point dlm_evo_evaluate and the engine's own events
 * (dlm_evo_event) on well-mixed populations built here.
 *
 * Known answers:
 *  - group draws: x plus n - 1 distinct others, each other agent equally likely;
 *  - the linear public goods game in a finite well-mixed population of N with j
 *    contributors and groups of n drawn without replacement (hypergeometric): the expected
 *    payoffs pi_C = r c (1 + (n - 1)(j - 1)/(N - 1))/n - c, pi_D = r c (n - 1) j/((N - 1) n),
 *    so pi_C - pi_D = -c [1 - (r/n)(N - n)/(N - 1)] (Hauert, De Monte, Hofbauer & Sigmund
 *    2002; e.g. Pacheco, Santos, Souza & Skyrms 2009, Proc. R. Soc. B 276:315);
 *  - iterated groups of conditional cooperators cc(k) (Van Segbroeck et al. 2012): exact
 *    contributions round by round; the execution error's contribution rate;
 *  - collective risk (Santos & Pacheco 2011, PNAS 108:10421): a group below the
 *    threshold keeps its endowment with probability 1 - p;
 *  - fixation probability of one contributor under the pairwise comparison rule (fermi)
 *    from the population-level exact analysis of the birth-death chain (Traulsen, Nowak &
 *    Pacheco 2006, PRE 74:011909): rho = 1 / (1 + sum_i prod_{k<=i} T-(k)/T+(k)), with
 *    T-(k)/T+(k) = (1 - q_k)/q_k, q_k the probability that a D imitates a C when both are
 *    paid by their own hypergeometric group (the engine's process exactly), against the
 *    engine's events with standard-error bounds;
 *  - collective risk with mutation: the stationary distribution of the same chain (with
 *    mutation mu within {allc, alld}) against the engine's time averages, and cooperation
 *    rising with the risk p, the finding of Santos & Pacheco 2011 (Figs. 2 and 3: in
 *    populations of Z = 50 playing in groups of N = 6, contributions and group success
 *    rise with the risk of collective failure).
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
#define MAX_N 200u

typedef struct fixture {
    dlm_evo_params ep;
    dlm_player_params cls;
    dlm_strategy agents[MAX_N];
    uint32_t agent_class[MAX_N];
    dlm_strategy set[2];
    dlm_evo_world w;
    dlm_evo_population pop;
} fixture;

static fixture F;

static dlm_strategy rule(uint32_t opening, uint32_t k)
{
    dlm_strategy s;
    memset(&s, 0, sizeof s);
    s.kind = DLM_STRAT_CONTRIBUTION;
    s.opening = opening;
    s.depth = k;
    return s;
}

/* n agents, the first j contributors (allc), the rest alld; group size m, one round. */
static void setup(uint32_t n, uint32_t j, uint32_t m, uint32_t game, double r, double c)
{
    uint32_t i;
    memset(&F, 0, sizeof F);
    F.ep.interaction = DLM_INTERACTION_GROUP;
    F.ep.rules.rounds = 1;
    F.ep.rule = DLM_RULE_FERMI;
    F.ep.structure = DLM_STRUCTURE_COMPLETE;
    F.ep.group_size = m;
    F.ep.payoff[0] = r;
    F.ep.payoff[1] = c;
    F.ep.payoff_b[2] = (double)game;
    F.ep.payoff_b[3] = 1.0; /* one group per evaluation */
    F.ep.selection = 1.0;
    F.ep.fitness_map = DLM_FITNESS_LINEAR;
    for (i = 0; i < n; ++i)
        F.agents[i] = rule(i < j ? DLM_CONTRIB_ALWAYS : DLM_CONTRIB_NEVER, 0);
    F.set[0] = rule(DLM_CONTRIB_ALWAYS, 0);
    F.set[1] = rule(DLM_CONTRIB_NEVER, 0);
    F.w.seed = 20261204u;
    F.w.params = &F.ep;
    F.w.classes = &F.cls;
    F.w.table = F.set;
    F.w.strategy = F.agents;
    F.w.agent_class = F.agent_class;
    F.pop.n = n;
    F.pop.id = 1;
    F.pop.seed = 20261204u;
}

static void risk_params(double b, double c, uint32_t M, double p)
{
    F.ep.payoff[0] = 0.0;
    F.ep.payoff[1] = c;
    F.ep.payoff[2] = b;
    F.ep.payoff[3] = (double)M;
    F.ep.payoff_b[1] = (double)dlm_probability_threshold_from_double(p);
    F.ep.payoff_b[2] = (double)DLM_GROUP_RISK;
}

/* The payoff of agent x in the evaluation of window `window` of generation g. */
static double evaluate(uint64_t g, uint32_t x, dlm_evo_counts *counts)
{
    uint32_t slot = 0;
    dlm_cursor partners =
        dlm_cursor_at(F.pop.seed, dlm_stream_id(DLM_PURPOSE_MATCHING, F.pop.id, g), x);
    return dlm_evo_evaluate(
        &F.w, &F.pop, &F.ep, x, dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, F.pop.id, g),
        dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, F.pop.id, g), x, &slot, &partners, counts);
}

static void check_se(const char *what, double sim, double se, double exact)
{
    printf("  %-44s %.5f (SE %.5f)  exact %.5f\n", what, sim, se, exact);
    assert_true(fabs(sim - exact) <= NSE * se + 1e-12);
}

/* Groups: x and n - 1 distinct others, every other agent equally often. */
static void test_group_draw(void **state)
{
    uint32_t seen[12] = {0}, members[DLM_GROUP_MAX], t, i, j, n = 12, m = 5, x = 4;
    const uint32_t draws = 60000;
    dlm_evo_population pop;
    (void)state;
    memset(&pop, 0, sizeof pop);
    pop.n = n;
    for (t = 0; t < draws; ++t) {
        dlm_cursor c = dlm_cursor_at(7u, dlm_stream_id(DLM_PURPOSE_MATCHING, 1, t), 3);
        assert_int_equal(dlm_group_draw(&pop, x, m, members, &c), m);
        assert_int_equal(members[0], x);
        for (i = 1; i < m; ++i) {
            assert_true(members[i] < n && members[i] != x);
            for (j = 1; j < i; ++j)
                assert_true(members[i] != members[j]);
            seen[members[i]]++;
        }
    }
    for (i = 0; i < n; ++i) {
        double p = (double)(m - 1) / (n - 1), mean = draws * p;
        if (i == x) {
            assert_int_equal(seen[i], 0);
            continue;
        }
        assert_true(fabs(seen[i] - mean) <= NSE * sqrt(draws * p * (1 - p)));
    }
}

/* The linear PGG in a finite well-mixed population: pi_C, pi_D and their difference. */
static void pgg_identity(uint32_t N, uint32_t j, uint32_t n, double r, double c)
{
    const uint32_t G = 4000;
    double sc = 0, sc2 = 0, sd = 0, sd2 = 0, sx = 0, sx2 = 0;
    double pc = r * c * (1.0 + (n - 1.0) * (j - 1.0) / (N - 1.0)) / n - c;
    double pd = r * c * (n - 1.0) * j / ((N - 1.0) * n);
    double diff = -c * (1.0 - (r / n) * (N - n) / (N - 1.0));
    uint64_t g;
    char what[96];
    setup(N, j, n, DLM_GROUP_PGG, r, c);
    for (g = 0; g < G; ++g) {
        dlm_evo_counts counts = {0, 0, 0, 0};
        double mc = 0, md = 0;
        uint32_t x;
        for (x = 0; x < N; ++x) {
            double p = evaluate(g, x, &counts);
            if (x < j)
                mc += p;
            else
                md += p;
        }
        mc /= j;
        md /= N - j;
        sc += mc, sc2 += mc * mc, sd += md, sd2 += md * md;
        sx += mc - md, sx2 += (mc - md) * (mc - md);
        assert_int_equal(counts.cooperations, j); /* one round, no errors */
        assert_int_equal(counts.matches, N);
    }
    sc /= G, sd /= G, sx /= G;
    snprintf(what, sizeof what, "pi_C, N=%u j=%u n=%u r=%g", N, j, n, r);
    check_se(what, sc, sqrt((sc2 / G - sc * sc) / G), pc);
    snprintf(what, sizeof what, "pi_D, N=%u j=%u n=%u r=%g", N, j, n, r);
    check_se(what, sd, sqrt((sd2 / G - sd * sd) / G), pd);
    snprintf(what, sizeof what, "pi_C - pi_D = -c[1 - (r/n)(N-n)/(N-1)]");
    check_se(what, sx, sqrt((sx2 / G - sx * sx) / G), diff);
}

static void test_pgg_identity(void **state)
{
    (void)state;
    pgg_identity(20, 8, 5, 3.0, 1.0);
    pgg_identity(12, 3, 4, 4.5, 0.5);
    pgg_identity(50, 25, 10, 8.0, 1.0);
}

/* Everyone contributes: every member earns r c - c exactly; nobody: 0. */
static void test_pgg_exact_extremes(void **state)
{
    dlm_evo_counts counts = {0, 0, 0, 0};
    uint32_t x;
    (void)state;
    setup(10, 10, 4, DLM_GROUP_PGG, 3.0, 1.0);
    for (x = 0; x < 10; ++x)
        assert_true(evaluate(5, x, &counts) == 2.0);
    setup(10, 0, 4, DLM_GROUP_PGG, 3.0, 1.0);
    for (x = 0; x < 10; ++x)
        assert_true(evaluate(5, x, &counts) == 0.0);
}

/* One group game on a fixed member list (members 0 .. size-1, x = focal). */
static double play(uint32_t size, uint32_t focal, dlm_evo_counts *counts)
{
    uint32_t members[DLM_GROUP_MAX], i;
    dlm_cursor c = dlm_cursor_at(F.pop.seed, dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 1, 0), 0);
    for (i = 0; i < size; ++i)
        members[i] = i;
    return dlm_group_play(&F.w, &F.pop, &F.ep, members, size, focal, &c, counts);
}

/* Conditional cooperators: three cc(3) and two alld stop after the first round (each
 * sees only two others contribute); three cc(2) keep contributing. */
static void test_conditional(void **state)
{
    dlm_evo_counts counts = {0, 0, 0, 0};
    uint32_t i;
    (void)state;
    setup(5, 0, 5, DLM_GROUP_PGG, 3.0, 1.0);
    F.ep.rules.rounds = 4;
    for (i = 0; i < 3; ++i)
        F.agents[i] = rule(DLM_CONTRIB_CONDITIONAL, 3);
    /* cc(3): round 1: 3 contribute; then none. x = 0 gets (3 * 3 / 5 - 1) / 4 */
    assert_true(fabs(play(5, 0, &counts) - (3.0 * 3.0 / 5.0 - 1.0) / 4.0) < 1e-15);
    assert_int_equal(counts.cooperations, 1);
    assert_int_equal(counts.moves, 4);
    /* an alld member earns 9/5 in round 1 only */
    assert_true(fabs(play(5, 4, &counts) - 9.0 / 5.0 / 4.0) < 1e-15);
    for (i = 0; i < 3; ++i)
        F.agents[i] = rule(DLM_CONTRIB_CONDITIONAL, 2);
    memset(&counts, 0, sizeof counts);
    assert_true(fabs(play(5, 0, &counts) - (3.0 * 3.0 / 5.0 - 1.0)) < 1e-15);
    assert_int_equal(counts.cooperations, 4);
    /* cc(4) with four allc: contributes throughout; with one defector among them: stops */
    F.agents[0] = rule(DLM_CONTRIB_CONDITIONAL, 4);
    for (i = 1; i < 5; ++i)
        F.agents[i] = rule(DLM_CONTRIB_ALWAYS, 0);
    memset(&counts, 0, sizeof counts);
    play(5, 0, &counts);
    assert_int_equal(counts.cooperations, 4);
    F.agents[4] = rule(DLM_CONTRIB_NEVER, 0);
    memset(&counts, 0, sizeof counts);
    play(5, 0, &counts);
    assert_int_equal(counts.cooperations, 1);
}

/* Execution error e: an allc member contributes in a fraction 1 - e of rounds. */
static void test_execution_error(void **state)
{
    dlm_evo_counts counts = {0, 0, 0, 0};
    const double e = 0.1;
    const uint32_t rounds = 20000;
    double rate, se;
    (void)state;
    setup(5, 5, 5, DLM_GROUP_PGG, 3.0, 1.0);
    F.ep.rules.rounds = rounds;
    F.ep.payoff_b[0] = (double)dlm_probability_threshold_from_double(e);
    play(5, 2, &counts);
    rate = (double)counts.cooperations / rounds;
    se = sqrt(e * (1 - e) / rounds);
    check_se("contribution rate of allc, error 0.1", rate, se, 1 - e);
}

/* Collective risk: k contributors of 5, threshold M = 3, risk p, b = 1, c = 0.1. */
static void test_risk_payoffs(void **state)
{
    dlm_evo_counts counts = {0, 0, 0, 0};
    const uint32_t rounds = 40000;
    const double p = 0.3;
    double pay, se = sqrt(p * (1 - p) / rounds);
    (void)state;
    setup(5, 2, 5, DLM_GROUP_RISK, 0.0, 0.1);
    risk_params(1.0, 0.1, 3, p);
    F.ep.rules.rounds = rounds;
    pay = play(5, 4, &counts); /* a defector in a group of 2 < M contributors */
    check_se("risk: P_D(2) = b(1 - p), M = 3", pay, se, 1.0 - p);
    pay = play(5, 0, &counts); /* a contributor in the same group (same draws) */
    check_se("risk: P_C(2) = P_D(2) - c b", pay, se, 1.0 - p - 0.1);
    setup(5, 3, 5, DLM_GROUP_RISK, 0.0, 0.1);
    risk_params(1.0, 0.1, 3, p);
    F.ep.rules.rounds = 3;
    assert_true(play(5, 4, &counts) == 1.0);              /* M reached: b */
    assert_true(fabs(play(5, 0, &counts) - 0.9) < 1e-15); /* b - c b */
    risk_params(1.0, 0.1, 4, 1.0);                        /* certain loss below M = 4 */
    assert_true(play(5, 4, &counts) == 0.0);
    assert_true(fabs(play(5, 0, &counts) + 0.1) < 1e-15);
}

/* ---- the population-level exact analysis (hypergeometric groups, fermi) -------------- */

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

/* Per-round payoff (one round, no error) of a member, contributor or not, in a group of
 * n with `others` contributing others: PGG exactly; risk: what it pays whether or not the
 * group is struck (-c b for a contributor), payoff_outcomes adding b when kept. */
static double group_payoff(int contributes, uint32_t others, uint32_t n)
{
    uint32_t k = others + (contributes ? 1u : 0u);
    if ((uint32_t)F.ep.payoff_b[2] == DLM_GROUP_PGG)
        return F.ep.payoff[0] * F.ep.payoff[1] * k / n - (contributes ? F.ep.payoff[1] : 0.0);
    return contributes ? -F.ep.payoff[1] * F.ep.payoff[2] : 0.0;
}

/* The risk game's payoff is random (kept or struck): its two outcomes and probabilities. */
static void payoff_outcomes(int contributes, uint32_t others, uint32_t n, double v[2], double pr[2])
{
    v[0] = v[1] = group_payoff(contributes, others, n);
    pr[0] = 1.0;
    pr[1] = 0.0;
    if ((uint32_t)F.ep.payoff_b[2] == DLM_GROUP_RISK) {
        double b = F.ep.payoff[2], p = F.ep.payoff_b[1] / 4294967296.0;
        uint32_t k = others + (contributes ? 1u : 0u);
        v[0] += b; /* kept */
        pr[0] = k >= (uint32_t)F.ep.payoff[3] ? 1.0 : 1.0 - p;
        pr[1] = 1.0 - pr[0];
    }
}

/* q_k: the probability that a D (target) imitates a C (model) with k contributors in a
 * population of N: both paid by one hypergeometric group of n. */
static double q_imitate(uint32_t N, uint32_t k, uint32_t n, double beta)
{
    double q = 0.0, total = choose(N - 1, n - 1);
    uint32_t a, b, s, t;
    for (a = 0; a < n; ++a) { /* the C's contributing others: of k - 1 C, N - k D */
        double ha = choose(k - 1, a) * choose(N - k, n - 1 - a) / total;
        double vc[2], pc[2];
        if (ha == 0.0)
            continue;
        payoff_outcomes(1, a, n, vc, pc);
        for (b = 0; b < n; ++b) { /* the D's: of k C, N - k - 1 D */
            double hb = choose(k, b) * choose(N - k - 1, n - 1 - b) / total;
            double vd[2], pd[2];
            if (hb == 0.0)
                continue;
            payoff_outcomes(0, b, n, vd, pd);
            for (s = 0; s < 2; ++s)
                for (t = 0; t < 2; ++t)
                    q += ha * hb * pc[s] * pd[t] / (1.0 + exp(-beta * (vc[s] - vd[t])));
        }
    }
    return q;
}

/* Fixation probability of one C among N - 1 D (fermi, no mutation). */
static double rho_exact(uint32_t N, uint32_t n, double beta)
{
    double sum = 1.0, prod = 1.0;
    uint32_t i;
    for (i = 1; i < N; ++i) {
        double q = q_imitate(N, i, n, beta);
        prod *= (1.0 - q) / q;
        sum += prod;
    }
    return 1.0 / sum;
}

/* Runs the engine's fermi events from one contributor until fixation; 1 when C fixes. */
static int run_to_fixation(uint32_t N, uint32_t id)
{
    uint64_t g;
    uint32_t e, x;
    for (x = 0; x < N; ++x)
        F.agents[x] = rule(x == 0 ? DLM_CONTRIB_ALWAYS : DLM_CONTRIB_NEVER, 0);
    F.pop.id = id;
    for (g = 0; g < 1000000u; ++g)
        for (e = 0; e < N; ++e) {
            dlm_evo_counts counts = {0, 0, 0, 0};
            uint32_t k = 0;
            dlm_evo_event(&F.w, &F.pop, g, e, &counts);
            for (x = 0; x < N; ++x)
                k += F.agents[x].opening == DLM_CONTRIB_ALWAYS;
            if (k == 0 || k == N)
                return k == N;
        }
    fail_msg("no fixation");
    return 0;
}

static void fixation(const char *what, uint32_t N, uint32_t n, double beta, uint32_t runs)
{
    uint32_t fixed = 0, i;
    double rho = rho_exact(N, n, beta), sim;
    F.ep.selection = beta;
    for (i = 0; i < runs; ++i)
        fixed += run_to_fixation(N, 100 + i);
    sim = (double)fixed / runs;
    printf("  (neutral 1/N = %.4f)\n", 1.0 / N);
    check_se(what, sim, sqrt(rho * (1 - rho) / runs), rho);
}

static void test_fixation_pgg(void **state)
{
    (void)state;
    /* r = 3 < n: contributing does not pay (pi_C - pi_D = -0.6 c) */
    setup(10, 1, 5, DLM_GROUP_PGG, 3.0, 1.0);
    fixation("rho_C, PGG N=10 n=5 r=3 beta=1", 10, 5, 1.0, 4000);
    /* r = 10 > n (N - 1)/(N - n) = 9: it does (+0.11 c) */
    setup(10, 1, 5, DLM_GROUP_PGG, 10.0, 1.0);
    fixation("rho_C, PGG N=10 n=5 r=10 beta=2", 10, 5, 2.0, 4000);
}

static void test_fixation_risk(void **state)
{
    (void)state;
    setup(12, 1, 4, DLM_GROUP_RISK, 0.0, 0.1);
    risk_params(1.0, 0.1, 2, 0.9);
    fixation("rho_C, risk N=12 n=4 M=2 p=0.9 beta=3", 12, 4, 3.0, 4000);
}

/* ---- collective risk with mutation: the stationary distribution --------------------- */

/* The stationary mean fraction of contributors of the birth-death chain (fermi, mutation
 * mu to a uniform rule of {allc, alld}, as dlm_evo_event draws it). */
static double stationary_cooperation(uint32_t N, uint32_t n, double beta, double mu)
{
    double p[MAX_N + 1], total = 0.0, mean = 0.0;
    uint32_t k;
    p[0] = 1.0;
    for (k = 0; k < N; ++k) {
        double up = (N - k) / (double)N *
                    ((1.0 - mu) * k / (N - 1.0) * (k ? q_imitate(N, k, n, beta) : 0.0) + mu / 2);
        double q1 = k + 1 < N ? q_imitate(N, k + 1, n, beta) : 1.0;
        double down =
            (k + 1.0) / N * ((1.0 - mu) * (N - k - 1.0) / (N - 1.0) * (1.0 - q1) + mu / 2);
        p[k + 1] = p[k] * up / down;
    }
    for (k = 0; k <= N; ++k)
        total += p[k];
    for (k = 0; k <= N; ++k)
        mean += p[k] / total * k / N;
    return mean;
}

/* The engine's time-averaged fraction of contributors over populations. */
static double simulated_cooperation(uint32_t N, uint32_t pops, uint64_t gens, double *se)
{
    double s = 0, s2 = 0;
    uint32_t i, x, e;
    uint64_t g;
    for (i = 0; i < pops; ++i) {
        double avg = 0;
        F.pop.id = 500 + i;
        for (x = 0; x < N; ++x)
            F.agents[x] = rule(x % 2 ? DLM_CONTRIB_ALWAYS : DLM_CONTRIB_NEVER, 0);
        for (g = 0; g < gens; ++g) {
            uint32_t k = 0;
            for (e = 0; e < N; ++e) {
                dlm_evo_counts counts = {0, 0, 0, 0};
                dlm_evo_event(&F.w, &F.pop, g, e, &counts);
            }
            for (x = 0; x < N; ++x)
                k += F.agents[x].opening == DLM_CONTRIB_ALWAYS;
            if (g >= gens / 10)
                avg += (double)k / N;
        }
        avg /= (double)(gens - gens / 10);
        s += avg;
        s2 += avg * avg;
    }
    s /= pops;
    *se = sqrt((s2 / pops - s * s) / (pops - 1.0) + 1e-300);
    return s;
}

static void test_risk_rises(void **state)
{
    const uint32_t N = 30, n = 6, pops = 24;
    const double beta = 3.0, mu = 0.05, risks[2] = {0.2, 0.9};
    double exact[2], sim[2], se[2];
    char what[96];
    int i;
    (void)state;
    for (i = 0; i < 2; ++i) {
        setup(N, 0, n, DLM_GROUP_RISK, 0.0, 0.1);
        risk_params(1.0, 0.1, 3, risks[i]);
        F.ep.selection = beta;
        F.ep.mutation_kind = DLM_MUTATION_SET;
        F.ep.mutation = dlm_probability_threshold_from_double(mu);
        F.ep.set_size = 2;
        exact[i] = stationary_cooperation(N, n, beta, mu);
        sim[i] = simulated_cooperation(N, pops, 2000, &se[i]);
        snprintf(what, sizeof what, "contributors, risk p=%.1f (N=%u n=%u M=3)", risks[i], N, n);
        check_se(what, sim[i], se[i], exact[i]);
    }
    /* Santos & Pacheco 2011: cooperation rises with the risk of collective failure */
    assert_true(exact[1] > exact[0] + 0.2);
    assert_true(sim[1] - sim[0] > NSE * sqrt(se[0] * se[0] + se[1] * se[1]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_draw),         cmocka_unit_test(test_pgg_identity),
        cmocka_unit_test(test_pgg_exact_extremes), cmocka_unit_test(test_conditional),
        cmocka_unit_test(test_execution_error),    cmocka_unit_test(test_risk_payoffs),
        cmocka_unit_test(test_fixation_pgg),       cmocka_unit_test(test_fixation_risk),
        cmocka_unit_test(test_risk_rises),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

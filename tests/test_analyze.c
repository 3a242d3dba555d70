/* test_analyze.c — dlm_exact_memory_one (host/run/analyze.c): known answers derived by hand,
 * the zero-determinant property, Cesaro limits of reducible chains, the doubling sums
 * against direct iteration, input validation, and convergence of the real match engine
 * (dlm_play_match) to the exact expectations (DESIGN.md §9: fixed seeds, bounds of
 * 4 standard errors computed from the sample itself). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "run/analyze.h"
#include "dilemma.h"
#include "dlm_match.h"

/* Axelrod's prisoner's dilemma, R = 3, S = 0, T = 5, P = 1. */
static const dlm_game PD = {.name = "pd", .preset = "pd", .R = 3.0, .S = 0.0, .T = 5.0, .P = 1.0};

/* Memory-one vectors: P(C) first, after CC, CD, DC, DD (own move first). */
static const double ALLC[5] = {1, 1, 1, 1, 1};
static const double ALLD[5] = {0, 0, 0, 0, 0};
static const double TFT[5] = {1, 1, 0, 1, 0};
static const double WSLS[5] = {1, 1, 0, 0, 1};
/* Generous tft (Nowak & Sigmund 1992): forgives a defection w.p.
 * min(1 - (T-R)/(R-S), (R-P)/(T-P)) = min(1/3, 1/2) = 1/3 in this PD. */
static const double GTFT[5] = {1, 1, 1.0 / 3.0, 1, 1.0 / 3.0};
static const double ALLD_ISH[5] = {0.05, 0.1, 0.02, 0.1, 0.05};
/* Press & Dyson (2012) extort-3 for (3, 0, 5, 1): s_A - P = 3 (s_B - P). */
static const double EXTORT3[5] = {1, 11.0 / 13.0, 0.5, 7.0 / 26.0, 0};

/* splitmix64: fixed random vectors for the tests. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A random memory-one vector, each entry uniform in [0, 1). */
static void random_vector(uint64_t *s, double p[5])
{
    int i;
    for (i = 0; i < 5; ++i)
        p[i] = (double)(next_u64(s) >> 11) * 0x1p-53;
}

/* The probability the engine actually uses for p: its threshold / 2^32. Exact answers
 * compared with simulations are computed for these, so they describe the same chain. */
static double quantized(double p)
{
    return (double)dlm_probability_threshold(p) / 4294967296.0;
}

/* An exact-analysis input; with quantize, every probability as the engine sees it. */
static dlm_exact_input make_input(const double a[5], const double b[5], double ea, double eb,
                                  double qa, double qb, uint32_t rounds, int geometric, double w,
                                  int quantize)
{
    dlm_exact_input in;
    int i;
    memset(&in, 0, sizeof in);
    for (i = 0; i < 5; ++i) {
        in.a[i] = quantize ? quantized(a[i]) : a[i];
        in.b[i] = quantize ? quantized(b[i]) : b[i];
    }
    in.execution_error[0] = quantize ? quantized(ea) : ea;
    in.execution_error[1] = quantize ? quantized(eb) : eb;
    in.perception_error[0] = quantize ? quantized(qa) : qa;
    in.perception_error[1] = quantize ? quantized(qb) : qb;
    in.rounds = rounds;
    in.geometric = geometric;
    in.continuation = geometric ? (quantize ? quantized(w) : w) : 0.0;
    return in;
}

/* Runs the analysis and fails the test on any error. */
static dlm_exact_result analyze(const dlm_exact_input *in)
{
    dlm_exact_result r;
    dlm_error err;
    memset(&err, 0, sizeof err);
    if (dlm_exact_memory_one(in, &PD, &r, &err) != DLM_OK)
        fail_msg("dlm_exact_memory_one failed: %s", err.message);
    return r;
}

/* |got - want| <= tol, with a message naming what. */
static void check_near(const char *what, double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s = %.17g, expected %.17g (tolerance %.3g)", what, got, want, tol);
}

/* ---------------------------------------------------------------------------------- */

/* (a) Deterministic pairs without noise. tft-tft: 200 rounds of CC, 600 each.
 * tft-alld: CD once (0 and 5), then DD for 199 rounds: 199 and 204. */
static void test_deterministic(void **state)
{
    dlm_exact_input in = make_input(TFT, TFT, 0, 0, 0, 0, 200, 0, 0, 0);
    dlm_exact_result r = analyze(&in);
    (void)state;
    check_near("tft-tft CC", r.expected_outcomes[0], 200.0, 1e-12);
    check_near("tft-tft CD+DC+DD", r.expected_outcomes[1] + r.expected_outcomes[2] + r.expected_outcomes[3], 0.0, 0.0);
    check_near("tft-tft total A", r.expected_total[0], 600.0, 1e-10);
    check_near("tft-tft total B", r.expected_total[1], 600.0, 1e-10);
    check_near("tft-tft rounds", r.expected_rounds, 200.0, 0.0);
    check_near("tft-tft cooperation", r.expected_cooperation[0], 1.0, 1e-15);
    /* CC, DD and the cycle CD <-> DC are all closed: three stationary distributions;
     * the Cesaro limit from CC is CC. */
    assert_int_equal(r.stationary_unique, 0);
    check_near("tft-tft long-run CC", r.stationary[0], 1.0, 1e-15);
    check_near("tft-tft long-run payoff", r.long_run_payoff[0], 3.0, 1e-14);

    in = make_input(TFT, ALLD, 0, 0, 0, 0, 200, 0, 0, 0);
    r = analyze(&in);
    check_near("tft-alld CD", r.expected_outcomes[1], 1.0, 1e-15);
    check_near("tft-alld DD", r.expected_outcomes[3], 199.0, 1e-12);
    check_near("tft-alld total A", r.expected_total[0], 199.0, 1e-10);
    check_near("tft-alld total B", r.expected_total[1], 204.0, 1e-10);
    /* Every state drains into DD, the only closed class. */
    assert_int_equal(r.stationary_unique, 1);
    check_near("tft-alld long-run DD", r.stationary[3], 1.0, 1e-15);
    check_near("tft-alld long-run payoff B", r.long_run_payoff[1], 1.0, 1e-15);

    in = make_input(ALLD, TFT, 0, 0, 0, 0, 200, 0, 0, 0);
    r = analyze(&in);
    check_near("alld-tft total A", r.expected_total[0], 204.0, 1e-10);
    check_near("alld-tft total B", r.expected_total[1], 199.0, 1e-10);
    check_near("alld-tft DC", r.expected_outcomes[2], 1.0, 1e-15);
}

/* The engine agrees on deterministic pairs exactly (no randomness is drawn at all). */
static void test_deterministic_engine(void **state)
{
    static const double *const strats[] = {ALLC, ALLD, TFT, WSLS};
    size_t i, j;
    (void)state;
    for (i = 0; i < 4; ++i)
        for (j = 0; j < 4; ++j) {
            dlm_exact_input in = make_input(strats[i], strats[j], 0, 0, 0, 0, 37, 0, 0, 0);
            dlm_exact_result r = analyze(&in);
            dlm_strategy a, b;
            dlm_player_params p;
            dlm_match_rules rules;
            dlm_match_result m;
            int k;
            memset(&a, 0, sizeof a);
            memset(&b, 0, sizeof b);
            memset(&p, 0, sizeof p);
            memset(&rules, 0, sizeof rules);
            a.kind = b.kind = DLM_STRAT_MEMORY_ONE;
            for (k = 0; k < 5; ++k) {
                a.threshold[k] = dlm_probability_threshold(strats[i][k]);
                b.threshold[k] = dlm_probability_threshold(strats[j][k]);
            }
            p.reaction_period = 1;
            rules.rounds = 37;
            m = dlm_play_match(&a, &b, &p, &p, &rules, 1u, 0u, 0u, 0u, NULL);
            for (k = 0; k < 4; ++k)
                check_near("deterministic outcome count", r.expected_outcomes[k],
                           (double)m.outcome[k], 1e-12);
        }
}

/* (b) tft vs tft under any execution and perception errors in (0, 1): A's next move is
 * B's last move passed through independent flips, and B's is A's, so
 *   M[(a,b)][(a',b')] = P_A(a' | b) P_B(b' | a)
 * and every column sums to sum_b P_A(a'|b) * sum_a P_B(b'|a) = 1 * 1: M is doubly
 * stochastic, so the uniform distribution is stationary, and unique since every entry
 * is positive. Long-run payoff (R + S + T + P) / 4 = 9/4 for both players, whatever the
 * (even asymmetric) error rates. */
static void test_tft_uniform(void **state)
{
    static const double errs[][4] = {{0.01, 0.01, 0, 0},   {0.1, 0.1, 0, 0}, {0.37, 0.02, 0, 0},
                                     {0, 0, 0.05, 0.05},   {0, 0, 0.2, 0.01}, {0.03, 0.001, 0.1, 0.2},
                                     {1e-9, 1e-9, 0, 0},   {1e-15, 1e-15, 0, 0}};
    size_t i;
    int k;
    (void)state;
    for (i = 0; i < sizeof errs / sizeof *errs; ++i) {
        dlm_exact_input in = make_input(TFT, TFT, errs[i][0], errs[i][1], errs[i][2], errs[i][3],
                                        100, 0, 0, 0);
        dlm_exact_result r = analyze(&in);
        assert_int_equal(r.stationary_unique, 1);
        for (k = 0; k < 4; ++k)
            check_near("tft-tft stationary", r.stationary[k], 0.25, 1e-14);
        check_near("tft-tft long-run payoff A", r.long_run_payoff[0], 2.25, 1e-13);
        check_near("tft-tft long-run payoff B", r.long_run_payoff[1], 2.25, 1e-13);
    }
}

/* (b) wsls vs wsls with execution error e on both sides. Intended outcomes: CC and DD
 * lead to CC (win-stay, lose-shift from DD), CD and DC lead to DD. Each realised move
 * flips independently w.p. e, so with x = pi(CC), z = pi(DD), y = pi(CD) = pi(DC):
 *   y = e (1 - e)                                  (exactly one flip, whatever intended)
 *   x = (1 - 2y)(1 - e)^2 + 2y e^2                 (CC intended and no flip, or DD and two)
 *   z = (1 - 2y) e^2 + 2y (1 - e)^2.
 * For small e: x ~ 1 - 4e, z ~ 2e, y ~ e. */
static void test_wsls_closed_form(void **state)
{
    static const double es[] = {1e-6, 0.01, 0.05, 0.2, 0.5};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof es / sizeof *es; ++i) {
        double e = es[i], y = e * (1 - e);
        double x = (1 - 2 * y) * (1 - e) * (1 - e) + 2 * y * e * e;
        double z = (1 - 2 * y) * e * e + 2 * y * (1 - e) * (1 - e);
        dlm_exact_input in = make_input(WSLS, WSLS, e, e, 0, 0, 10, 0, 0, 0);
        dlm_exact_result r = analyze(&in);
        assert_int_equal(r.stationary_unique, 1);
        /* relative tolerances: GTH keeps small entries to full relative precision */
        check_near("wsls CC", r.stationary[0], x, 1e-14 * x);
        check_near("wsls CD", r.stationary[1], y, 1e-13 * y);
        check_near("wsls DC", r.stationary[2], y, 1e-13 * y);
        check_near("wsls DD", r.stationary[3], z, 1e-13 * z);
        check_near("wsls payoff", r.long_run_payoff[0], 3 * x + 5 * y + 0 * y + z, 1e-13);
    }
}

/* (c) Press & Dyson's extort-3 enforces s_A - P = 3 (s_B - P) against any opponent in the
 * long run. The identity holds for the chain of realised moves only when A's realised
 * behaviour is exactly the ZD vector, so the noise that makes the chain ergodic is put
 * on B (execution or perception error): B's effective strategy is still memory-one. */
static void test_zd_extortion(void **state)
{
    double opp[10][5];
    uint64_t s = 0xD15EA5Eull;
    size_t i;
    (void)state;
    memcpy(opp[0], ALLC, sizeof opp[0]);
    memcpy(opp[1], ALLD, sizeof opp[1]);
    memcpy(opp[2], TFT, sizeof opp[2]);
    memcpy(opp[3], WSLS, sizeof opp[3]);
    memcpy(opp[4], GTFT, sizeof opp[4]);
    for (i = 5; i < 10; ++i)
        random_vector(&s, opp[i]);
    for (i = 0; i < 10; ++i) {
        double eb = i % 2 ? 0.01 : 0.0, qb = i % 2 ? 0.0 : 0.02;
        dlm_exact_input in = make_input(EXTORT3, opp[i], 0, eb, 0, qb, 100, 0, 0, 0);
        dlm_exact_result r = analyze(&in);
        double sa = r.long_run_payoff[0], sb = r.long_run_payoff[1];
        assert_int_equal(r.stationary_unique, 1);
        check_near("extort-3: s_A - 1 - 3 (s_B - 1)", (sa - 1.0) - 3.0 * (sb - 1.0), 0.0, 1e-12);
    }
    /* The property is the vector's, not an artefact: a non-ZD vector breaks it. */
    {
        dlm_exact_input in = make_input(TFT, opp[7], 0, 0.01, 0, 0, 100, 0, 0, 0);
        dlm_exact_result r = analyze(&in);
        assert_true(fabs((r.long_run_payoff[0] - 1.0) - 3.0 * (r.long_run_payoff[1] - 1.0)) > 1e-3);
    }
}

/* Cesaro limits of chains with several closed classes, derived by hand. */
static void test_cesaro_by_hand(void **state)
{
    static const double TFT_HALF[5] = {0.5, 1, 0, 1, 0};
    static const double STICKY[5] = {0.5, 1, 0.5, 0.5, 0};
    dlm_exact_input in;
    dlm_exact_result r;
    int k;
    (void)state;
    /* tft with a fair-coin opening against itself: the first round is uniform; CC and
     * DD are absorbing, CD <-> DC alternate (period 2, time average 1/2 each). The
     * Cesaro limit is uniform. */
    in = make_input(TFT_HALF, TFT_HALF, 0, 0, 0, 0, 10, 0, 0, 0);
    r = analyze(&in);
    assert_int_equal(r.stationary_unique, 0);
    for (k = 0; k < 4; ++k)
        check_near("tft(0.5) Cesaro", r.stationary[k], 0.25, 1e-15);
    /* Both cooperate after CC and defect after DD (absorbing), and toss a coin after CD
     * or DC (transient: each step goes to CC, CD, DC, DD w.p. 1/4). By symmetry half the
     * mass ends in CC and half in DD. */
    in = make_input(STICKY, STICKY, 0, 0, 0, 0, 10, 0, 0, 0);
    r = analyze(&in);
    assert_int_equal(r.stationary_unique, 0);
    check_near("sticky CC", r.stationary[0], 0.5, 1e-15);
    check_near("sticky CD", r.stationary[1], 0.0, 0.0);
    check_near("sticky DC", r.stationary[2], 0.0, 0.0);
    check_near("sticky DD", r.stationary[3], 0.5, 1e-15);
}

/* The chain rederived here, independently of analyze.c, in long double: the transition
 * matrix (A reads B's last move correctly w.p. 1 - q_A, picks its move from its own view
 * (own, read), and the move flips w.p. e_A; B likewise from its view (b, a)) and the
 * first-round distribution. In long double the rows sum to 1 within ~1e-19, so iterating
 * them for 30000 rounds drifts far less than the tolerances below. */
static void reference_chain(const dlm_exact_input *in, long double m[4][4], long double v0[4])
{
    const long double ea = in->execution_error[0], eb = in->execution_error[1];
    const long double qa = in->perception_error[0], qb = in->perception_error[1];
    long double fa = (1 - ea) * (long double)in->a[0] + ea * (1 - (long double)in->a[0]);
    long double fb = (1 - eb) * (long double)in->b[0] + eb * (1 - (long double)in->b[0]);
    int st;
    for (st = 0; st < 4; ++st) {
        int x = st >> 1, y = st & 1;
        long double ca = (1 - qa) * (long double)in->a[1 + (x << 1 | y)] +
                         qa * (long double)in->a[1 + (x << 1 | (1 - y))];
        long double cb = (1 - qb) * (long double)in->b[1 + (y << 1 | x)] +
                         qb * (long double)in->b[1 + (y << 1 | (1 - x))];
        long double ra = (1 - ea) * ca + ea * (1 - ca), rb = (1 - eb) * cb + eb * (1 - cb);
        m[st][0] = ra * rb;
        m[st][1] = ra * (1 - rb);
        m[st][2] = (1 - ra) * rb;
        m[st][3] = (1 - ra) * (1 - rb);
    }
    v0[0] = fa * fb;
    v0[1] = fa * (1 - fb);
    v0[2] = (1 - fa) * fb;
    v0[3] = (1 - fa) * (1 - fb);
}

/* v <- v M */
static void step(long double m[4][4], long double v[4])
{
    long double n[4] = {0, 0, 0, 0};
    int i, j;
    for (i = 0; i < 4; ++i)
        for (j = 0; j < 4; ++j)
            n[j] += v[i] * m[i][j];
    memcpy(v, n, sizeof n);
}

/* Cesaro limits of random reducible chains (entries in {0, 1/2, 1}, no noise, so every
 * positive transition is at least 1/4 and transients are short) against the brute-force
 * average of v_t over N = 12 * 10^4 rounds, a multiple of every period a 4-state chain
 * can have (1, 2, 3, 4): the average's error is at most (expected time spent off the
 * limit, transient plus one period) / N, well under 2e-4 here. Also pi M = pi, and the
 * transition matrix against the independent derivation. */
static void test_cesaro_brute_force(void **state)
{
    static const double levels[5] = {0, 0, 0.5, 1, 1}; /* mostly deterministic entries */
    const int n = 120000;
    uint64_t s = 77;
    int trial, reducible = 0;
    (void)state;
    for (trial = 0; trial < 100; ++trial) {
        double a[5], b[5], pim[4];
        long double m[4][4], v[4], avg[4] = {0, 0, 0, 0};
        dlm_exact_input in;
        dlm_exact_result r;
        int i, j, t;
        for (i = 0; i < 5; ++i) {
            a[i] = levels[next_u64(&s) % 5u];
            b[i] = levels[next_u64(&s) % 5u];
        }
        in = make_input(a, b, 0, 0, 0, 0, 10, 0, 0, 0);
        r = analyze(&in);
        reducible += !r.stationary_unique;
        reference_chain(&in, m, v);
        for (i = 0; i < 4; ++i)
            for (j = 0; j < 4; ++j)
                check_near("transition vs reference", r.transition[i][j], (double)m[i][j], 1e-16);
        for (t = 0; t < n; ++t) {
            for (i = 0; i < 4; ++i)
                avg[i] += v[i];
            step(m, v);
        }
        for (j = 0; j < 4; ++j) {
            pim[j] = 0;
            for (i = 0; i < 4; ++i)
                pim[j] += r.stationary[i] * r.transition[i][j];
        }
        for (i = 0; i < 4; ++i) {
            check_near("Cesaro limit vs brute force", r.stationary[i], (double)(avg[i] / n), 2e-4);
            check_near("pi M = pi", pim[i], r.stationary[i], 1e-15);
        }
    }
    printf("    %d of 100 pairs have no unique stationary distribution\n", reducible);
    assert_true(reducible >= 10); /* the sample does exercise the non-unique path */
}

/* Expected counts against direct iteration of the long-double reference chain: fixed
 * lengths sum_{t<T} v_t, geometric sum_{t<C} w^t v_t, on both sides of HEAD_ROUNDS (1024,
 * where analyze.c switches from summing to the tail formula); the transition matrix
 * against the reference for noisy chains; and the largest lengths, where the counts must
 * add up to T and approach T pi. */
static void test_counts_vs_iteration(void **state)
{
    static const uint32_t lengths[] = {1, 2, 3, 7, 64, 1000, 1024, 1025, 4097, 30000};
    uint64_t s = 4242;
    int trial;
    size_t li;
    (void)state;
    for (trial = 0; trial < 6; ++trial) {
        double a[5], b[5];
        random_vector(&s, a);
        random_vector(&s, b);
        for (li = 0; li < sizeof lengths / sizeof *lengths; ++li) {
            int geo;
            for (geo = 0; geo < 2; ++geo) {
                const long double w = geo ? (long double)0.9995 : 1.0L; /* the double w */
                long double m[4][4], v[4], sum[4] = {0, 0, 0, 0}, wt = 1, rounds = 0;
                dlm_exact_input in = make_input(a, b, 0.02 * trial, 0.01, 0.03, 0.05 * trial,
                                                lengths[li], geo, (double)w, 0);
                dlm_exact_result r = analyze(&in);
                uint32_t t;
                int i, j;
                reference_chain(&in, m, v);
                for (i = 0; i < 4; ++i)
                    for (j = 0; j < 4; ++j)
                        check_near("transition vs reference", r.transition[i][j],
                                   (double)m[i][j], 2e-16);
                for (t = 0; t < lengths[li]; ++t) {
                    for (i = 0; i < 4; ++i)
                        sum[i] += wt * v[i];
                    rounds += wt;
                    wt *= w;
                    step(m, v);
                }
                for (i = 0; i < 4; ++i)
                    check_near("expected count vs iteration", r.expected_outcomes[i],
                               (double)sum[i], 1e-13 * (double)rounds);
                check_near("expected rounds", r.expected_rounds, (double)rounds, 1e-14 * (double)rounds);
            }
        }
    }
    /* T = 2^29 (DLM_MAX_ROUNDS) and 2^32 - 1: the counts add up to T to ~1e-15 relative and,
     * the chain being ergodic, the share of each outcome is pi up to the transient's O(1/T). */
    {
        static const uint32_t big[] = {DLM_MAX_ROUNDS, 0xFFFFFFFFu};
        for (li = 0; li < 2; ++li) {
            dlm_exact_input in = make_input(WSLS, GTFT, 0.01, 0.02, 0.0, 0.01, big[li], 0, 0, 0);
            dlm_exact_result r = analyze(&in);
            double total = 0;
            int i;
            for (i = 0; i < 4; ++i)
                total += r.expected_outcomes[i];
            check_near("sum of counts", total, (double)big[li], 1e-14 * big[li]);
            for (i = 0; i < 4; ++i)
                check_near("count / T vs pi", r.expected_outcomes[i] / big[li], r.stationary[i], 1e-6);
            check_near("payoff / T vs long run", r.expected_total[0] / big[li], r.long_run_payoff[0], 1e-6);
        }
    }
    /* A nearly reducible chain over a long match: tft-tft with e = 1e-15 mixes over
     * ~1e15 rounds, so in 2^20 rounds the pair almost surely never leaves CC (expected
     * rounds off CC: about e T^2 ~ 1e-3), while the stationary distribution is uniform.
     * The tail formula must not turn that contrast into cancellation noise. */
    {
        dlm_exact_input in = make_input(TFT, TFT, 1e-15, 1e-15, 0, 0, 1u << 20, 0, 0, 0);
        dlm_exact_result r = analyze(&in);
        int i;
        assert_int_equal(r.stationary_unique, 1);
        check_near("tft-tft e=1e-15 CC", r.expected_outcomes[0], (double)(1u << 20), 1e-2);
        for (i = 1; i < 4; ++i)
            check_near("tft-tft e=1e-15 off CC", r.expected_outcomes[i], 0.0, 1e-2);
    }
    /* Reducible chains over long matches, known exactly. tft with a coin-toss opening
     * against itself: CC and DD absorb a quarter each, CD and DC alternate, so each
     * outcome occurs T/4 times. "Sticky" (C after CC, D after DD, a coin after CD or DC):
     * half the first rounds are CD or DC, and from there the chain stays off-diagonal
     * w.p. 1/2 per round, so CD and DC occur 1/2 * (1 + 1/2 + ...) = 1 time together and
     * CC and DD (T - 1)/2 times each. */
    {
        static const double TFT_HALF[5] = {0.5, 1, 0, 1, 0};
        static const double STICKY[5] = {0.5, 1, 0.5, 0.5, 0};
        static const uint32_t big[] = {DLM_MAX_ROUNDS, DLM_MAX_ROUNDS + 1u, 0xFFFFFFFFu};
        for (li = 0; li < 3; ++li) {
            double T = big[li];
            dlm_exact_input in = make_input(TFT_HALF, TFT_HALF, 0, 0, 0, 0, big[li], 0, 0, 0);
            dlm_exact_result r = analyze(&in);
            int i;
            for (i = 0; i < 4; ++i)
                check_near("tft(0.5) counts", r.expected_outcomes[i], T / 4, 1e-15 * T);
            in = make_input(STICKY, STICKY, 0, 0, 0, 0, big[li], 0, 0, 0);
            r = analyze(&in);
            check_near("sticky CC", r.expected_outcomes[0], (T - 1) / 2, 1e-15 * T);
            check_near("sticky CD + DC", r.expected_outcomes[1] + r.expected_outcomes[2], 1.0, 1e-12);
            check_near("sticky DD", r.expected_outcomes[3], (T - 1) / 2, 1e-15 * T);
        }
    }
}

/* Invalid inputs are refused with DLM_ERR_USAGE and a message naming the field. */
static void test_validation(void **state)
{
    dlm_exact_input good = make_input(TFT, WSLS, 0.01, 0.01, 0, 0, 10, 0, 0, 0), in;
    dlm_exact_result r;
    dlm_error err;
    (void)state;
    assert_int_equal(dlm_exact_memory_one(&good, &PD, &r, &err), DLM_OK);

    in = good;
    in.a[2] = 1.5;
    assert_int_equal(dlm_exact_memory_one(&in, &PD, &r, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "a[2]"));
    assert_non_null(strstr(err.message, "CD"));
    in = good;
    in.b[0] = NAN;
    assert_int_equal(dlm_exact_memory_one(&in, &PD, &r, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "b[0]"));
    in = good;
    in.execution_error[1] = -0.1;
    assert_int_equal(dlm_exact_memory_one(&in, &PD, &r, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "execution_error[1]"));
    in = good;
    in.perception_error[0] = 2;
    assert_int_equal(dlm_exact_memory_one(&in, &PD, &r, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "perception_error[0]"));
    in = good;
    in.rounds = 0;
    assert_int_equal(dlm_exact_memory_one(&in, &PD, &r, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "rounds"));
    in = good;
    in.geometric = 1;
    in.continuation = 1.0;
    assert_int_equal(dlm_exact_memory_one(&in, &PD, &r, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "continuation"));
    in.continuation = -0.5;
    assert_int_equal(dlm_exact_memory_one(&in, &PD, &r, &err), DLM_ERR_USAGE);
    in.continuation = 0.0; /* w = 0: exactly one round */
    assert_int_equal(dlm_exact_memory_one(&in, &PD, &r, &err), DLM_OK);
    check_near("w = 0 rounds", r.expected_rounds, 1.0, 0.0);
    in = good;
    in.geometric = 2;
    assert_int_equal(dlm_exact_memory_one(&in, &PD, &r, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "geometric"));
    {
        dlm_game g = PD;
        g.T = INFINITY;
        assert_int_equal(dlm_exact_memory_one(&good, &g, &r, &err), DLM_ERR_USAGE);
        assert_non_null(strstr(err.message, "finite"));
    }
    assert_int_equal(dlm_exact_memory_one(NULL, &PD, &r, &err), DLM_ERR_USAGE);
    assert_int_equal(dlm_exact_memory_one(&good, &PD, NULL, NULL), DLM_ERR_USAGE);
}

/* ---------------------------------------------------------------------------------- */
/* Convergence of the real engine to the exact expectations.                           */

typedef struct moments { double n, mean, m2; } moments; /* Welford's running moments */

static void moments_add(moments *m, double x)
{
    double d = x - m->mean;
    m->n += 1.0;
    m->mean += d / m->n;
    m->m2 += d * (x - m->mean);
}

/* |sample mean - exact| <= 4 standard errors of the mean (from the sample's own standard
 * deviation), plus 1e-9 relative for quantities with no variance at all; returns |z|. */
static double check_mean(const char *name, const char *what, const moments *m, double exact)
{
    double se = sqrt(m->m2 / (m->n - 1.0) / m->n);
    double dev = fabs(m->mean - exact);
    if (!(dev <= 4.0 * se + 1e-9 * (1.0 + fabs(exact))))
        fail_msg("%s: mean %s = %.6f over %.0f matches, exact %.6f: %.2f standard errors (%.3g)",
                 name, what, m->mean, m->n, exact, se > 0 ? dev / se : INFINITY, se);
    return se > 0 ? dev / se : 0.0;
}

typedef struct sim_case {
    const char *name;
    const double *a, *b;   /* null: a random vector */
    double e[2], q[2];     /* execution and perception errors of A and B */
    uint32_t rounds;       /* length, or cap */
    int geometric;
    double w;
    uint32_t matches;
} sim_case;

static dlm_strategy memory_one(const double p[5])
{
    dlm_strategy s;
    int i;
    memset(&s, 0, sizeof s);
    s.kind = DLM_STRAT_MEMORY_ONE;
    for (i = 0; i < 5; ++i)
        s.threshold[i] = dlm_probability_threshold(p[i]);
    return s;
}

static dlm_player_params player(double e, double q)
{
    dlm_player_params p;
    memset(&p, 0, sizeof p);
    p.execution_error = dlm_probability_threshold(e);
    p.perception_error = dlm_probability_threshold(q);
    p.reaction_period = 1;
    p.observation_delay = 0;
    return p;
}

/* (d) M matches of each case through dlm_play_match, each in its own window `index` of
 * the MATCH_PLAY and MATCH_LENGTH streams: the sample means of A's and B's totals, of the
 * four outcome counts and of the length lie within 4 standard errors of the exact values. */
static void test_engine_convergence(void **state)
{
    static const sim_case cases[] = {
        {"tft-wsls execution", TFT, WSLS, {0.05, 0.02}, {0, 0}, 60, 0, 0, 6000},
        {"gtft-alldish perception", GTFT, ALLD_ISH, {0, 0}, {0.1, 0.05}, 80, 0, 0, 6000},
        {"random-random both", NULL, NULL, {0.03, 0.07}, {0.04, 0.02}, 40, 0, 0, 6000},
        {"random-random both 2", NULL, NULL, {0.2, 0.01}, {0.01, 0.15}, 25, 0, 0, 6000},
        {"random-wsls geometric", NULL, WSLS, {0.02, 0.05}, {0.03, 0.0}, 200, 1, 0.95, 6000},
        {"tft-gtft geometric capped", TFT, GTFT, {0.05, 0.05}, {0, 0}, 15, 1, 0.9, 6000},
        {"random-tft short", NULL, TFT, {0.1, 0.3}, {0.2, 0.05}, 3, 0, 0, 8000},
        {"extort3-random", EXTORT3, NULL, {0.0, 0.02}, {0.0, 0.0}, 100, 0, 0, 5000},
    };
    const uint64_t play_stream = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 0u, 0u);
    const uint64_t length_stream = dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, 0u, 0u);
    uint64_t vs = 0xC0FFEEull;
    size_t c;
    (void)state;
    for (c = 0; c < sizeof cases / sizeof *cases; ++c) {
        const sim_case *k = &cases[c];
        double ra[5], rb[5], maxz = 0.0;
        const double *a, *b;
        dlm_exact_input in;
        dlm_exact_result ex;
        dlm_strategy sa, sb;
        dlm_player_params pa, pb;
        dlm_match_rules rules;
        moments mom[7];
        const uint64_t seed = 1000u + c;
        uint32_t i;
        int j;
        random_vector(&vs, ra);
        random_vector(&vs, rb);
        a = k->a ? k->a : ra;
        b = k->b ? k->b : rb;
        in = make_input(a, b, k->e[0], k->e[1], k->q[0], k->q[1], k->rounds, k->geometric, k->w, 1);
        ex = analyze(&in);
        sa = memory_one(a);
        sb = memory_one(b);
        pa = player(k->e[0], k->q[0]);
        pb = player(k->e[1], k->q[1]);
        memset(&rules, 0, sizeof rules);
        rules.rounds = k->rounds;
        rules.geometric = (uint32_t)k->geometric;
        rules.continuation = k->geometric ? dlm_probability_threshold(k->w) : 0u;
        memset(mom, 0, sizeof mom);
        for (i = 0; i < k->matches; ++i) {
            dlm_match_result m = dlm_play_match(&sa, &sb, &pa, &pb, &rules, seed, play_stream,
                                                length_stream, i, NULL);
            double ta = PD.R * m.outcome[0] + PD.S * m.outcome[1] + PD.T * m.outcome[2] + PD.P * m.outcome[3];
            double tb = PD.R * m.outcome[0] + PD.T * m.outcome[1] + PD.S * m.outcome[2] + PD.P * m.outcome[3];
            moments_add(&mom[0], ta);
            moments_add(&mom[1], tb);
            for (j = 0; j < 4; ++j)
                moments_add(&mom[2 + j], m.outcome[j]);
            moments_add(&mom[6], m.rounds);
        }
        maxz = fmax(maxz, check_mean(k->name, "total A", &mom[0], ex.expected_total[0]));
        maxz = fmax(maxz, check_mean(k->name, "total B", &mom[1], ex.expected_total[1]));
        maxz = fmax(maxz, check_mean(k->name, "CC count", &mom[2], ex.expected_outcomes[0]));
        maxz = fmax(maxz, check_mean(k->name, "CD count", &mom[3], ex.expected_outcomes[1]));
        maxz = fmax(maxz, check_mean(k->name, "DC count", &mom[4], ex.expected_outcomes[2]));
        maxz = fmax(maxz, check_mean(k->name, "DD count", &mom[5], ex.expected_outcomes[3]));
        maxz = fmax(maxz, check_mean(k->name, "rounds", &mom[6], ex.expected_rounds));
        printf("    %-28s %5u matches: total A %8.3f (exact %8.3f), B %8.3f (exact %8.3f), max |z| %.2f\n",
               k->name, k->matches, mom[0].mean, ex.expected_total[0], mom[1].mean,
               ex.expected_total[1], maxz);
    }
}

/* (d) One match of 10^6 rounds: its mean payoff per round approaches long_run_payoff.
 * The rounds are correlated, so the standard error comes from batch means: 100 batches
 * of 10^4 rounds, far longer than the chain's correlation time (~1/noise = tens of
 * rounds), are nearly independent, and SE = sd(batch means) / sqrt(100). The start from
 * the first-round distribution rather than from pi biases the mean by exactly
 * expected_total/T - long_run_payoff, which is added to the tolerance (it is ~1e-6). */
static void test_long_run_batch_means(void **state)
{
    enum { ROUNDS = 1000000, BATCHES = 100, BATCH = ROUNDS / BATCHES };
    static const double pay_a[4] = {3, 0, 5, 1}, pay_b[4] = {3, 5, 0, 1};
    uint64_t vs = 99;
    int pair;
    uint8_t *trace = malloc(ROUNDS);
    (void)state;
    assert_non_null(trace);
    for (pair = 0; pair < 3; ++pair) {
        double a[5], b[5];
        const double e[2] = {0.05, 0.02 * pair}, q[2] = {0.03 * pair, 0.04};
        dlm_exact_input in;
        dlm_exact_result ex;
        dlm_strategy sa, sb;
        dlm_player_params pa, pb;
        dlm_match_rules rules;
        dlm_match_result m;
        moments bm[2];
        uint32_t count[4] = {0, 0, 0, 0};
        int t, bi, p;
        random_vector(&vs, a);
        random_vector(&vs, b);
        if (pair == 2)
            memcpy(a, WSLS, sizeof a);
        in = make_input(a, b, e[0], e[1], q[0], q[1], ROUNDS, 0, 0, 1);
        ex = analyze(&in);
        sa = memory_one(a);
        sb = memory_one(b);
        pa = player(e[0], q[0]);
        pb = player(e[1], q[1]);
        memset(&rules, 0, sizeof rules);
        rules.rounds = ROUNDS;
        m = dlm_play_match(&sa, &sb, &pa, &pb, &rules, 2024u + (uint64_t)pair,
                           dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 0u, 0u),
                           dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, 0u, 0u), 0u, trace);
        memset(bm, 0, sizeof bm);
        for (bi = 0; bi < BATCHES; ++bi) {
            double sum[2] = {0, 0};
            for (t = bi * BATCH; t < (bi + 1) * BATCH; ++t) {
                unsigned o = ((trace[t] & DLM_TRACE_A_REALISED) ? 2u : 0u) |
                             ((trace[t] & DLM_TRACE_B_REALISED) ? 1u : 0u);
                ++count[o];
                sum[0] += pay_a[o];
                sum[1] += pay_b[o];
            }
            moments_add(&bm[0], sum[0] / BATCH);
            moments_add(&bm[1], sum[1] / BATCH);
        }
        for (t = 0; t < 4; ++t) /* the trace tells the same story as the counts */
            assert_int_equal(count[t], m.outcome[t]);
        for (p = 0; p < 2; ++p) {
            double se = sqrt(bm[p].m2 / (BATCHES - 1.0) / BATCHES);
            double bias = fabs(ex.expected_total[p] / ROUNDS - ex.long_run_payoff[p]);
            double dev = fabs(bm[p].mean - ex.long_run_payoff[p]);
            printf("    long match %d player %c: mean payoff %.6f, long run %.6f, "
                   "batch-means SE %.2e, %.2f SE\n",
                   pair, "AB"[p], bm[p].mean, ex.long_run_payoff[p], se, dev / se);
            if (!(dev <= 4.0 * se + bias))
                fail_msg("long match %d: player %c's mean payoff %.6f is %.2f batch-means SE "
                         "from the long-run payoff %.6f", pair, "AB"[p], bm[p].mean, dev / se,
                         ex.long_run_payoff[p]);
        }
    }
    free(trace);
}

/* (e) Reaction periods and observation delays: the chain of the timescales
 * (analyze_timescales.c). With k = 1 and d = 0 it must give the 4-state chain's answers;
 * otherwise the engine's sample means (M matches each, 4 standard errors) converge to its
 * expectations, including geometric lengths, perception errors and openings played
 * during the delay; a deterministic pair without noise gives exactly one match's totals;
 * and a chain too large to build is refused with the numbers. */
typedef struct timescale_case {
    const char *name;
    const double *a, *b; /* null: a random vector */
    uint32_t k[2], d[2];
    double e[2], q[2];
    uint32_t rounds;
    int geometric;
    double w;
} timescale_case;

static void test_timescales(void **state)
{
    static const timescale_case cases[] = {
        {"tft k3 - wsls", TFT, WSLS, {3, 1}, {0, 0}, {0.02, 0.02}, {0, 0}, 60, 0, 0},
        {"wsls - wsls d1", WSLS, WSLS, {1, 1}, {1, 0}, {0.05, 0.01}, {0.02, 0}, 50, 0, 0},
        {"gtft k2 d1 - tft k3", GTFT, TFT, {2, 3}, {1, 0}, {0.03, 0.03}, {0.01, 0.05}, 40, 0, 0},
        {"random d2 - random k4", NULL, NULL, {1, 4}, {2, 0}, {0.05, 0.02}, {0.05, 0.03}, 30, 0, 0},
        {"random - wsls k2 geometric", NULL, WSLS, {1, 2}, {0, 1}, {0.02, 0.02}, {0, 0.02}, 150, 1, 0.95},
    };
    const uint64_t play_stream = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 0u, 0u);
    const uint64_t length_stream = dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, 0u, 0u);
    uint64_t vs = 0x7153ull;
    size_t c;
    dlm_error err;
    (void)state;
    /* k = 1, d = 0 through the chain of the timescales = the 4-state chain */
    for (c = 0; c < 6; ++c) {
        double a[5], b[5];
        dlm_exact_input in;
        dlm_exact_result four, big;
        int i;
        random_vector(&vs, a);
        random_vector(&vs, b);
        in = make_input(a, b, 0.01 * (double)c, 0.02, 0.03, 0.01 * (double)c, 30 + (uint32_t)c,
                        c % 2 == 1, 0.9, 1);
        four = analyze(&in);
        assert_int_equal(four.chain_states, 4);
        assert_int_equal(dlm_exact_timescales(&in, &PD, &PD, &big, &err), DLM_OK);
        assert_true(big.chain_states > 4);
        for (i = 0; i < 4; ++i) {
            check_near("outcome counts", big.expected_outcomes[i], four.expected_outcomes[i],
                       1e-10 * in.rounds);
            check_near("long-run distribution", big.stationary[i], four.stationary[i], 1e-10);
        }
        check_near("expected rounds", big.expected_rounds, four.expected_rounds, 1e-10);
    }
    for (c = 0; c < sizeof cases / sizeof *cases; ++c) {
        const timescale_case *k = &cases[c];
        double ra[5], rb[5], maxz = 0.0;
        const double *a, *b;
        dlm_exact_input in;
        dlm_exact_result ex;
        dlm_strategy sa, sb;
        dlm_player_params pa, pb;
        dlm_match_rules rules;
        moments mom[7];
        const uint32_t matches = 6000;
        uint32_t i;
        int j;
        random_vector(&vs, ra);
        random_vector(&vs, rb);
        a = k->a ? k->a : ra;
        b = k->b ? k->b : rb;
        in = make_input(a, b, k->e[0], k->e[1], k->q[0], k->q[1], k->rounds, k->geometric, k->w, 1);
        for (j = 0; j < 2; ++j) {
            in.reaction_period[j] = k->k[j];
            in.observation_delay[j] = k->d[j];
        }
        ex = analyze(&in);
        assert_true(ex.chain_states > 4);
        sa = memory_one(a);
        sb = memory_one(b);
        pa = player(k->e[0], k->q[0]);
        pb = player(k->e[1], k->q[1]);
        pa.reaction_period = k->k[0];
        pb.reaction_period = k->k[1];
        pa.observation_delay = k->d[0];
        pb.observation_delay = k->d[1];
        memset(&rules, 0, sizeof rules);
        rules.rounds = k->rounds;
        rules.geometric = (uint32_t)k->geometric;
        rules.continuation = k->geometric ? dlm_probability_threshold(k->w) : 0u;
        memset(mom, 0, sizeof mom);
        for (i = 0; i < matches; ++i) {
            dlm_match_result m = dlm_play_match(&sa, &sb, &pa, &pb, &rules, 4000u + c, play_stream,
                                                length_stream, i, NULL);
            moments_add(&mom[0], PD.R * m.outcome[0] + PD.S * m.outcome[1] + PD.T * m.outcome[2] +
                                     PD.P * m.outcome[3]);
            moments_add(&mom[1], PD.R * m.outcome[0] + PD.T * m.outcome[1] + PD.S * m.outcome[2] +
                                     PD.P * m.outcome[3]);
            for (j = 0; j < 4; ++j)
                moments_add(&mom[2 + j], m.outcome[j]);
            moments_add(&mom[6], m.rounds);
        }
        maxz = fmax(maxz, check_mean(k->name, "total A", &mom[0], ex.expected_total[0]));
        maxz = fmax(maxz, check_mean(k->name, "total B", &mom[1], ex.expected_total[1]));
        for (j = 0; j < 4; ++j)
            maxz = fmax(maxz, check_mean(k->name, "an outcome count", &mom[2 + j],
                                         ex.expected_outcomes[j]));
        maxz = fmax(maxz, check_mean(k->name, "rounds", &mom[6], ex.expected_rounds));
        printf("    %-28s %llu states, total A %8.3f (exact %8.3f), B %8.3f (exact %8.3f), "
               "max |z| %.2f\n", k->name, (unsigned long long)ex.chain_states, mom[0].mean,
               ex.expected_total[0], mom[1].mean, ex.expected_total[1], maxz);
    }
    /* no noise, deterministic: the expectation is the one match the engine plays */
    {
        dlm_exact_input in = make_input(TFT, WSLS, 0, 0, 0, 0, 37, 0, 0, 0);
        dlm_strategy sa = memory_one(TFT), sb = memory_one(ALLD);
        dlm_player_params pa = player(0, 0), pb = player(0, 0);
        dlm_match_rules rules;
        dlm_match_result m;
        dlm_exact_result ex;
        memcpy(in.b, ALLD, sizeof in.b);
        in.reaction_period[0] = 3;
        in.observation_delay[1] = 2;
        pa.reaction_period = 3;
        pb.observation_delay = 2;
        memset(&rules, 0, sizeof rules);
        rules.rounds = 37;
        m = dlm_play_match(&sa, &sb, &pa, &pb, &rules, 1u, 0u, 0u, 0u, NULL);
        ex = analyze(&in);
        for (c = 0; c < 4; ++c)
            check_near("deterministic count", ex.expected_outcomes[c], m.outcome[c], 1e-12);
    }
    /* too large a chain: refused with the numbers */
    {
        dlm_exact_input in = make_input(TFT, WSLS, 0.01, 0.01, 0, 0, 10, 0, 0, 0);
        dlm_exact_result ex;
        in.observation_delay[0] = 4;
        in.reaction_period[0] = 7;
        in.reaction_period[1] = 5;
        assert_int_equal(dlm_exact_memory_one(&in, &PD, &ex, &err), DLM_ERR_USAGE);
        assert_non_null(strstr(err.message, "states; the exact analysis takes at most"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_deterministic_engine),
        cmocka_unit_test(test_tft_uniform),
        cmocka_unit_test(test_wsls_closed_form),
        cmocka_unit_test(test_zd_extortion),
        cmocka_unit_test(test_cesaro_by_hand),
        cmocka_unit_test(test_cesaro_brute_force),
        cmocka_unit_test(test_counts_vs_iteration),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_engine_convergence),
        cmocka_unit_test(test_long_run_batch_means),
        cmocka_unit_test(test_timescales),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

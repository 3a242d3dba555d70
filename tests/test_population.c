/* test_population.c — exact answers for finite well-mixed populations
 * (host/run/analyze_population.c) against known results:
 *   - constant fitness Moran: rho = (1 - 1/r) / (1 - 1/r^N) under both death conventions;
 *   - neutral drift: rho = 1/N and the conditional fixation times N(N-1) (moran-bd, death
 *     any), (N-1)^2 (death others), 2(N-1)^2 (fermi) events;
 *   - the Fermi process: Traulsen, Nowak & Pacheco 2006 (their sum over
 *     exp(-beta (u k(k+1)/2 + v k)) with u, v from the payoff matrix);
 *   - fixation probabilities and conditional times against a direct linear solve of the
 *     birth-death chain (an independent method) for every rule;
 *   - EGTTools' numbers (tests/data/population_egttools.txt, generated once by
 *     tests/data/make_population_egttools.py): fixation probabilities, the rare-mutation
 *     stationary distribution, and the full chain with mutation, state by state;
 *   - the full chain for k = 2 against its detailed-balance closed form, and for tiny
 *     mutation against the rare-mutation limit.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "run/analyze_population.h"

static void close_rel(double got, double want, double rel, const char *what)
{
    double tol = rel * fabs(want) + 1e-300;
    if (!(fabs(got - want) <= tol)) {
        print_error("%s: got %.17g, want %.17g (relative tolerance %g)\n", what, got, want, rel);
        fail();
    }
}

static dlm_pop_model model2(uint32_t n, dlm_pop_rule rule, double selection, const double *payoff)
{
    dlm_pop_model m;
    memset(&m, 0, sizeof m);
    m.n = n;
    m.k = 2;
    m.rule = rule;
    m.death_any = 1;
    m.selection = selection;
    m.mutant_weight[0] = m.mutant_weight[1] = 0.5;
    m.payoff = payoff;
    return m;
}

/* Constant fitness: type 0 earns 1, type 1 earns r against anyone; linear map with w = 1. */
static void test_constant_fitness_moran(void **state)
{
    static const double rs[] = {1.1, 1.5, 2.0, 0.8};
    static const uint32_t ns[] = {2, 5, 20, 100};
    size_t a, b;
    (void)state;
    for (a = 0; a < 4; ++a)
        for (b = 0; b < 4; ++b) {
            double r = rs[a], pay[4] = {1, 1, r, r};
            uint32_t n = ns[b];
            double want = (1 - 1 / r) / (1 - pow(1 / r, n));
            dlm_pop_model m = model2(n, DLM_POP_MORAN_BD, 1.0, pay);
            close_rel(dlm_pop_fix(&m, 0, 1).probability, want, 1e-12, "moran-bd, death any");
            m.death_any = 0;
            close_rel(dlm_pop_fix(&m, 0, 1).probability, want, 1e-12, "moran-bd, death others");
        }
}

static void test_neutral(void **state)
{
    double pay[4] = {3, 0, 5, 1};
    uint32_t n;
    (void)state;
    for (n = 2; n <= 50; n += 12) {
        dlm_pop_model m = model2(n, DLM_POP_MORAN_BD, 0.0, pay);
        double nn = n;
        dlm_pop_fixation f = dlm_pop_fix(&m, 0, 1);
        close_rel(f.probability, 1.0 / n, 1e-12, "neutral moran-bd");
        close_rel(f.time_events, nn * (nn - 1), 1e-10, "neutral moran-bd time (death any)");
        m.death_any = 0;
        close_rel(dlm_pop_fix(&m, 1, 0).time_events, (nn - 1) * (nn - 1), 1e-10,
                  "neutral moran-bd time (death others)");
        m.rule = DLM_POP_MORAN_DB;
        close_rel(dlm_pop_fix(&m, 1, 0).probability, 1.0 / n, 1e-12, "neutral moran-db");
        m.rule = DLM_POP_FERMI;
        f = dlm_pop_fix(&m, 0, 1);
        close_rel(f.probability, 1.0 / n, 1e-12, "neutral fermi");
        close_rel(f.time_events, 2 * (nn - 1) * (nn - 1), 1e-10, "neutral fermi time");
    }
}

/* Traulsen, Nowak & Pacheco, Phys. Rev. E 74, 011909 (2006): under pairwise comparison
 * T-_j / T+_j = exp(-beta (pi_A - pi_B)) and pi_A - pi_B = u j + v is linear in the number
 * j of A, so one A among N - 1 B fixes with
 * rho_A = 1 / sum_{k=0}^{N-1} exp(-beta (u k (k+1)/2 + v k)), u = (a - b - c + d)/(N - 1),
 * v = (-a + b N - d N + d)/(N - 1), from A's payoffs a (vs A), b (vs B) and B's c, d (their
 * sum, written with their u doubled). Their erf form approximates this sum by an integral
 * and is not tested: an approximation has no exact answer to meet. */
static void test_traulsen_nowak_pacheco(void **state)
{
    static const double games[][4] = {{3, 0, 5, 1}, {1, 4, 2, 3}, {4, 0, 3, 1}, {2, 3, 1, 4}};
    static const double betas[] = {0.01, 0.1, 1.0, 5.0};
    size_t g, bi;
    (void)state;
    for (g = 0; g < 4; ++g)
        for (bi = 0; bi < 4; ++bi) {
            double a = games[g][0], b = games[g][1], c = games[g][2], d = games[g][3];
            double beta = betas[bi], sum = 0;
            uint32_t n = 25, k;
            /* type 1 = A (the mutant), type 0 = B (the resident): row-major [B B, B A; A B, A A] */
            double pay[4] = {d, c, b, a};
            double u = (a - b - c + d) / (n - 1), v = (-a + b * n - d * n + d) / (n - 1);
            dlm_pop_model m = model2(n, DLM_POP_FERMI, beta, pay);
            for (k = 0; k < n; ++k)
                sum += exp(-beta * (u * k * (k + 1) / 2.0 + v * k));
            close_rel(dlm_pop_fix(&m, 0, 1).probability, 1.0 / sum, 1e-11, "fermi (TNP 2006)");
        }
}

/* The birth-death chain solved directly: phi_j and theta_j = phi_j t_j by elimination of
 * the tridiagonal systems (T+ + T-) x_j - T+ x_{j+1} - T- x_{j-1} = rhs_j. */
static void direct_solve(const double *tp, const double *tm, uint32_t n, double *phi1,
                         double *time1)
{
    long double *c = calloc(n + 1, sizeof *c), *dphi = calloc(n + 1, sizeof *dphi);
    long double *dth = calloc(n + 1, sizeof *dth), *phi = calloc(n + 1, sizeof *phi);
    long double *th = calloc(n + 1, sizeof *th);
    uint32_t j;
    /* unknowns x_1 .. x_{n-1}; x_0 = 0; phi_n = 1, theta_n = 0 */
    for (j = 1; j < n; ++j) {
        long double diag = (long double)tp[j - 1] + tm[j - 1], lower = -(long double)tm[j - 1];
        long double upper = -(long double)tp[j - 1], rphi = j == n - 1 ? tp[j - 1] : 0.0L;
        long double denom = diag - (j > 1 ? lower * c[j - 1] : 0.0L);
        c[j] = j < n - 1 ? upper / denom : 0.0L;
        dphi[j] = (rphi - (j > 1 ? lower * dphi[j - 1] : 0.0L)) / denom;
        (void)rphi;
    }
    phi[n] = 1.0L;
    for (j = n - 1; j >= 1; --j)
        phi[j] = dphi[j] - (j < n - 1 ? c[j] * phi[j + 1] : 0.0L);
    for (j = 1; j < n; ++j) { /* theta: rhs phi_j */
        long double diag = (long double)tp[j - 1] + tm[j - 1], lower = -(long double)tm[j - 1];
        long double denom = diag - (j > 1 ? lower * c[j - 1] : 0.0L);
        dth[j] = (phi[j] - (j > 1 ? lower * dth[j - 1] : 0.0L)) / denom;
    }
    for (j = n - 1; j >= 1; --j)
        th[j] = dth[j] - (j < n - 1 ? c[j] * th[j + 1] : 0.0L);
    *phi1 = (double)phi[1];
    *time1 = (double)(th[1] / phi[1]);
    free(c);
    free(dphi);
    free(dth);
    free(phi);
    free(th);
}

static void test_against_direct_solve(void **state)
{
    static const double pay[3][4] = {{3, 0, 5, 1}, {1, 4, 2, 3}, {4, 0, 3, 1}};
    static const dlm_pop_rule rules[] = {DLM_POP_MORAN_BD, DLM_POP_MORAN_DB, DLM_POP_FERMI};
    size_t g, r, e;
    (void)state;
    for (g = 0; g < 3; ++g)
        for (r = 0; r < 3; ++r)
            for (e = 0; e < 2; ++e) {
                uint32_t n = 30, j, c[2];
                dlm_pop_model m = model2(n, rules[r], 0.3, pay[g]);
                double tp[64], tm[64], phi, time;
                dlm_pop_fixation f;
                m.exponential = (int)e;
                m.death_any = (int)e;
                for (j = 1; j < n; ++j) {
                    c[0] = n - j;
                    c[1] = j;
                    tp[j - 1] = dlm_pop_transition(&m, c, 0, 1);
                    tm[j - 1] = dlm_pop_transition(&m, c, 1, 0);
                }
                direct_solve(tp, tm, n, &phi, &time);
                f = dlm_pop_fix(&m, 0, 1);
                close_rel(f.probability, phi, 1e-9, "fixation against the direct solve");
                close_rel(f.time_events, time, 1e-9, "conditional time against the direct solve");
            }
}

/* EGTTools' mutant is one of the k - 1 other types w.p. mu_E, dilemma's a uniform draw
 * from all k: the chains agree up to a constant factor when mu = k r / (1 + k r),
 * r = mu_E / ((k - 1)(1 - mu_E)) (see the data file's generator). */
static void check_egttools_case(FILE *fp, const char *name, uint32_t n, uint32_t k, double beta,
                                double mu_e)
{
    double pay[16], v;
    dlm_pop_model m;
    dlm_pop_chain chain;
    dlm_pop_fixation fix[16];
    double transition[16], limit[4];
    dlm_error err = {DLM_OK, ""};
    char word[32];
    double r = mu_e / ((k - 1) * (1 - mu_e));
    unsigned i, j, states = 0;
    memset(&m, 0, sizeof m);
    m.n = n;
    m.k = k;
    m.rule = DLM_POP_FERMI;
    m.selection = beta;
    m.payoff = pay;
    for (i = 0; i < k; ++i)
        m.mutant_weight[i] = 1.0 / k;
    m.mutation = k * r / (1 + k * r);
    for (i = 0; i < k * k; ++i)
        assert_int_equal(fscanf(fp, " payoff %u %u %lf", &j, &j, &pay[i]), 3);
    assert_int_equal(dlm_pop_small_mutation(&m, transition, limit, fix, &err), DLM_OK);
    assert_int_equal(dlm_pop_chain_plan(&m, 100000, 1u << 30, &chain, &err), DLM_OK);
    assert_int_equal(dlm_pop_chain_solve(&m, &chain, &err), DLM_OK);
    while (fscanf(fp, " %31s", word) == 1 && strcmp(word, "end") != 0) {
        if (strcmp(word, "fixation") == 0) {
            assert_int_equal(fscanf(fp, "%u %u %lf", &i, &j, &v), 3);
            close_rel(fix[i * k + j].probability, v, 1e-9, name);
        } else if (strcmp(word, "limit") == 0) {
            assert_int_equal(fscanf(fp, "%u %lf", &i, &v), 2);
            close_rel(limit[i], v, 1e-8, name);
        } else if (strcmp(word, "abundance") == 0) {
            assert_int_equal(fscanf(fp, "%u %lf", &i, &v), 2);
            close_rel(chain.abundance[i], v, 1e-8, name);
        } else if (strcmp(word, "state") == 0) {
            unsigned c[4];
            size_t s;
            for (i = 0; i < k; ++i)
                assert_int_equal(fscanf(fp, "%u", &c[i]), 1);
            assert_int_equal(fscanf(fp, "%lf", &v), 1);
            for (s = 0; s < chain.states; ++s) {
                for (i = 0; i < k && chain.counts[s * k + i] == c[i]; ++i)
                    ;
                if (i == k)
                    break;
            }
            assert_true(s < chain.states);
            if (fabs(chain.stationary[s] - v) > 1e-9 * (v > 1e-3 ? v : 1e-3)) {
                print_error("%s: state %zu: got %.17g, want %.17g\n", name, s,
                            chain.stationary[s], v);
                fail();
            }
            ++states;
        } else {
            fail_msg("unexpected word '%s' in the EGTTools data", word);
        }
    }
    assert_int_equal(states, chain.states);
    dlm_pop_chain_free(&chain);
}

static void test_egttools(void **state)
{
    FILE *fp = fopen(DLM_TEST_DATA "/population_egttools.txt", "r");
    char name[64];
    unsigned n, k, cases = 0;
    double beta, mu;
    (void)state;
    assert_non_null(fp);
    while (fscanf(fp, " case %63s %u %u %lf %lf", name, &n, &k, &beta, &mu) == 5) {
        check_egttools_case(fp, name, n, k, beta, mu);
        ++cases;
    }
    fclose(fp);
    assert_int_equal(cases, 3);
}

/* k = 2 with mutation: a birth-death chain, pi_j proportional to prod_{i<j} T+_i / T-_{i+1}. */
static void test_full_chain_detailed_balance(void **state)
{
    double pay[4] = {3, 0, 5, 1};
    dlm_pop_model m = model2(40, DLM_POP_MORAN_DB, 0.2, pay);
    dlm_pop_chain chain;
    dlm_error err = {DLM_OK, ""};
    double w[41], total = 0;
    uint32_t j, c[2];
    (void)state;
    m.mutation = 0.03;
    assert_int_equal(dlm_pop_chain_plan(&m, 1000, 1u << 30, &chain, &err), DLM_OK);
    assert_int_equal(chain.states, 41);
    assert_int_equal(chain.band, 1);
    assert_int_equal(dlm_pop_chain_solve(&m, &chain, &err), DLM_OK);
    w[0] = 1;
    for (j = 1; j <= 40; ++j) { /* j agents of type 0 (the chain's states run n_0 = 0 .. n) */
        double up, down;
        c[0] = j - 1;
        c[1] = 41 - j;
        up = dlm_pop_transition(&m, c, 1, 0);
        c[0] = j;
        c[1] = 40 - j;
        down = dlm_pop_transition(&m, c, 0, 1);
        w[j] = w[j - 1] * up / down;
    }
    for (j = 0; j <= 40; ++j)
        total += w[j];
    for (j = 0; j <= 40; ++j) {
        assert_int_equal(chain.counts[j * 2], j);
        close_rel(chain.stationary[j], w[j] / total, 1e-9, "detailed balance");
    }
    dlm_pop_chain_free(&chain);
}

/* Tiny mutation: the full chain's mass on monomorphic states tends to the rare-mutation
 * limit (to first order in mu). */
static void test_small_mutation_limit(void **state)
{
    double pay[9] = {3, 0, 3, 5, 1, 1.4, 3, 0.9, 3};
    dlm_pop_model m;
    dlm_pop_chain chain;
    dlm_error err = {DLM_OK, ""};
    double transition[9], limit[3];
    size_t s;
    uint32_t i;
    (void)state;
    memset(&m, 0, sizeof m);
    m.n = 12;
    m.k = 3;
    m.rule = DLM_POP_MORAN_BD;
    m.death_any = 1;
    m.selection = 0.1;
    m.payoff = pay;
    m.mutant_weight[0] = m.mutant_weight[1] = m.mutant_weight[2] = 1.0 / 3;
    m.mutation = 1e-7;
    assert_int_equal(dlm_pop_small_mutation(&m, transition, limit, NULL, &err), DLM_OK);
    for (i = 0; i < 3; ++i)
        close_rel(transition[i * 3] + transition[i * 3 + 1] + transition[i * 3 + 2], 1.0, 1e-12,
                  "rows sum to 1");
    assert_int_equal(dlm_pop_chain_plan(&m, 1000, 1u << 30, &chain, &err), DLM_OK);
    assert_int_equal(dlm_pop_chain_solve(&m, &chain, &err), DLM_OK);
    for (s = 0; s < chain.states; ++s)
        for (i = 0; i < 3; ++i)
            if (chain.counts[s * 3 + i] == 12)
                close_rel(chain.stationary[s], limit[i], 1e-4, "rare-mutation limit");
    dlm_pop_chain_free(&chain);
}

/* The size check refuses before anything is built, with the numbers. */
static void test_size_refused(void **state)
{
    double pay[16] = {0};
    dlm_pop_model m;
    dlm_pop_chain chain;
    dlm_error err = {DLM_OK, ""};
    (void)state;
    memset(&m, 0, sizeof m);
    m.n = 1000;
    m.k = 4;
    m.payoff = pay;
    m.mutation = 0.1;
    assert_true(dlm_pop_state_count(1000, 4) == 167668501.0L);
    assert_int_equal(dlm_pop_chain_plan(&m, 200000, 1u << 30, &chain, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "1.67669e+08 states"));
    assert_null(chain.counts);
}

/* Strong selection underflows fixation probabilities to 0: with ALLD-like type 0 earning
 * 1000 more than anyone against anyone, nothing invades it (rho = 0 in doubles) and it
 * invades everything, so the rare-mutation limit is all at type 0 (one closed class);
 * with two such types that cannot invade each other either, two closed classes: refused
 * with the types named. */
static void test_reducible_limit(void **state)
{
    double pay[9] = {1000, 1000, 1000, 0, 1, 0, 0, 0, 1}, transition[9], limit[3];
    dlm_pop_model m;
    dlm_error err = {DLM_OK, ""};
    unsigned i;
    (void)state;
    memset(&m, 0, sizeof m);
    m.n = 20;
    m.k = 3;
    m.rule = DLM_POP_FERMI;
    m.selection = 1;
    m.payoff = pay;
    for (i = 0; i < 3; ++i)
        m.mutant_weight[i] = 1.0 / 3;
    assert_int_equal(dlm_pop_small_mutation(&m, transition, limit, NULL, &err), DLM_OK);
    assert_true(transition[0 * 3 + 1] == 0.0 && transition[0 * 3 + 2] == 0.0);
    close_rel(limit[0], 1.0, 0, "all the time at the type nothing invades");
    assert_true(limit[1] == 0.0 && limit[2] == 0.0);
    /* rows 0 and 1: 1000 against their own type and type 2, 0 against each other */
    pay[1] = 0, pay[3] = 0, pay[4] = 1000, pay[5] = 1000;
    assert_int_equal(dlm_pop_small_mutation(&m, transition, limit, NULL, &err), DLM_ERR_RUNTIME);
    assert_non_null(strstr(err.message, "2 closed classes (types 1 and 2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_fitness_moran),
        cmocka_unit_test(test_neutral),
        cmocka_unit_test(test_traulsen_nowak_pacheco),
        cmocka_unit_test(test_against_direct_solve),
        cmocka_unit_test(test_egttools),
        cmocka_unit_test(test_full_chain_detailed_balance),
        cmocka_unit_test(test_small_mutation_limit),
        cmocka_unit_test(test_size_refused),
        cmocka_unit_test(test_reducible_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

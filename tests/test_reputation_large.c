/* test_reputation_large.c — private assessment past N = 65535 (issue #14, item 10).
 *
 * The views of a population are 2 N x N bits; the census counts the good ones, up to N^2,
 * which passes 2^32 from N = 65536 on. This test runs private assessment at N = 70000
 * (two matrices of 70000 x 2188 words: 1.2 GB, taken lazily: only the rows written or
 * read are touched) through the model's own entry points on the CPU, and checks against
 * counts it makes itself:
 *
 *  - donations of a few donors, at indices below and past 65535, under image scoring with
 *    no errors and q = 1: an ALLC donor whose views were all bad at the start is held good
 *    by all N observers afterwards (observers past 65535 included); an ALLD donor is held
 *    bad by all N; an ALLD donor observed with q = 1/2 is held bad by a Binomial(N, 1/2)
 *    number of observers, and by a Binomial(N - 65536, 1/2) number of those past 65535
 *    (within 4 standard errors), and the 16 bits past N in its last word stay zero;
 *  - the census (every chunk, merged in chunk order, as every backend does) of the views
 *    at the next generation: good = N^2 minus the bad bits the test counts in the matrix
 *    itself (4.9 x 10^9, past 2^32: a 32-bit count wraps and fails here), the same split
 *    by rule (rule_good, rule_agents), and the agreeing observer pairs recomputed row by
 *    row from the test's own popcounts.
 *
 * And the plan (host/plan): a private run of N = 70000 is planned (it was refused at
 * N > 65535 before); N = 10^5 plans views of exactly 2 x 10^5 x 3125 words = 2.5 x 10^9
 * bytes, and a device (the buffer list OpenCL and CUDA allocate) needs less than 80 GB;
 * N x match.rounds >= 2^29 is refused with the numbers (the observers' draws' window);
 * views larger than the machine's memory are refused with the numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "backends/backend.h"
#include "config/config.h"
#include "dlm_census.h"
#include "plan/evolve_plan.h"

#define N 70000u
#define WORDS ((N + 31u) / 32u)

typedef struct big_world {
    dlm_evo_params ep;
    dlm_player_params cls;
    dlm_strategy *agents;
    uint32_t *agent_class;
    uint32_t *views; /* 2 N WORDS words */
    dlm_evo_world w;
    dlm_evo_population pop;
} big_world;

static uint32_t popcount(uint32_t v)
{
    uint32_t c = 0;
    for (; v; v &= v - 1u)
        ++c;
    return c;
}

/* Row t of the matrix that generation g reads. */
static uint32_t *row(big_world *b, uint64_t g, uint32_t t)
{
    return b->views + (g & 1u) * (uint64_t)N * WORDS + (uint64_t)t * WORDS;
}

static uint32_t bad_in_row(big_world *b, uint64_t g, uint32_t t, uint32_t from)
{
    uint32_t i, bad = 0;
    for (i = 0; i < WORDS; ++i) {
        uint32_t word = row(b, g, t)[i];
        if (i * 32u + 31u < from)
            continue;
        if (i * 32u < from)
            word &= ~((1u << (from - i * 32u)) - 1u);
        bad += popcount(word);
    }
    return bad;
}

/* Donor x's evaluation of generation g (the synchronous rules' MATCH_PLAY stream: it
 * writes row x of the next matrix). */
static void donate(big_world *b, uint64_t g, uint32_t x)
{
    dlm_evo_counts counts = {0, 0, 0, 0};
    uint32_t slot = 0;
    dlm_cursor partners =
        dlm_cursor_at(b->pop.seed, dlm_stream_id(DLM_PURPOSE_MATCHING, b->pop.id, g), x);
    (void)dlm_evo_evaluate(&b->w, &b->pop, &b->ep, x,
                           dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, b->pop.id, g),
                           dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, b->pop.id, g), x, &slot,
                           &partners, &counts);
    assert_int_equal(counts.moves, 1u);
}

static void check_within(const char *what, double got, double mean, double se)
{
    printf("    %-58s %.0f, expected %.1f (SE %.1f, z %+.2f)\n", what, got, mean, se,
           (got - mean) / se);
    if (!(fabs(got - mean) <= 4.0 * se))
        fail_msg("%s: %.0f is more than 4 SE (%.1f) from %.1f", what, got, se, mean);
}

static void test_views_and_census_past_65535(void **state)
{
    static const uint32_t allc_donors[] = {0u, 65535u, 65537u};
    const uint32_t alld_all = 65536u, alld_half = N - 1u;
    big_world *b = calloc(1, sizeof *b);
    uint64_t bad_total = 0, pairs = 0, good_allc = 0, good_alld = 0;
    dlm_evo_census c;
    uint32_t x, i, k, chunks = (N + DLM_CENSUS_CHUNK - 1u) / DLM_CENSUS_CHUNK;
    (void)state;
    assert_non_null(b);
    b->agents = calloc(N, sizeof *b->agents);
    b->agent_class = calloc(N, sizeof *b->agent_class);
    b->views = calloc(2u * (size_t)N * WORDS, sizeof *b->views); /* all good */
    if (!b->views) {
        free(b->agents);
        free(b->agent_class);
        free(b);
        skip(); /* 1.2 GB not to be had here */
        return;
    }
    assert_non_null(b->agents);
    assert_non_null(b->agent_class);
    for (x = 0; x < N; ++x) {
        b->agents[x].kind = DLM_STRAT_ACTION_RULE;
        b->agents[x].opening = x == alld_all || x == alld_half ? DLM_ACTION_ALLD : DLM_ACTION_ALLC;
    }
    b->ep.payoff[0] = 2.0;  /* R = b - c */
    b->ep.payoff[1] = -1.0; /* S = -c */
    b->ep.payoff[2] = 3.0;  /* T = b */
    b->ep.interaction = DLM_INTERACTION_DONATION;
    b->ep.rules.rounds = 1;
    b->ep.rule = DLM_RULE_FERMI_SYNC;
    b->ep.structure = DLM_STRUCTURE_COMPLETE;
    b->ep.norm = DLM_NORM_IMAGE_SCORING | DLM_NORM_PRIVATE;
    b->ep.payoff_b[2] = (double)dlm_probability_threshold_from_double(1.0); /* q = 1 */
    b->w.seed = 20261204u;
    b->w.params = &b->ep;
    b->w.classes = &b->cls;
    b->w.strategy = b->agents;
    b->w.agent_class = b->agent_class;
    b->w.views = b->views;
    b->pop.n = N;
    b->pop.id = 3;
    b->pop.seed = 20261204u;

    /* ALLC donors whose views are all bad at the start of generation 0 */
    for (k = 0; k < sizeof allc_donors / sizeof allc_donors[0]; ++k) {
        for (i = 0; i < N; ++i)
            row(b, 0, allc_donors[k])[i >> 5] |= 1u << (i & 31u);
        assert_int_equal(dlm_rep_good_views(&b->w, &b->pop, 0, allc_donors[k]), 0u);
        donate(b, 0, allc_donors[k]);
        assert_int_equal(bad_in_row(b, 1, allc_donors[k], 0), 0u);
        assert_int_equal(dlm_rep_good_views(&b->w, &b->pop, 1, allc_donors[k]), N);
    }
    donate(b, 0, alld_all); /* every observer sees the refusal: all bad */
    assert_int_equal(bad_in_row(b, 1, alld_all, 0), N);
    assert_int_equal(bad_in_row(b, 1, alld_all, 65536u), N - 65536u);
    assert_int_equal(dlm_rep_good_views(&b->w, &b->pop, 1, alld_all), 0u);
    b->ep.payoff_b[2] = (double)dlm_probability_threshold_from_double(0.5); /* q = 1/2 */
    donate(b, 0, alld_half);
    check_within("ALLD donor 69999, q 1/2: observers holding it bad",
                 bad_in_row(b, 1, alld_half, 0), N / 2.0, sqrt(N / 4.0));
    check_within("... of them observers 65536 .. 69999",
                 bad_in_row(b, 1, alld_half, 65536u), (N - 65536u) / 2.0,
                 sqrt((N - 65536u) / 4.0));
    assert_int_equal(row(b, 1, alld_half)[WORDS - 1u] >> (N % 32u), 0u); /* bits past N */

    /* the census of generation 1, and the test's own counts of the same matrix */
    c = dlm_census_empty();
    for (k = 0; k < chunks; ++k) {
        dlm_evo_census part = dlm_census_chunk(&b->w, &b->pop, 1, k, NULL, 0, 0);
        dlm_census_merge(&c, &part);
    }
    for (x = 0; x < N; ++x) {
        uint32_t bad = bad_in_row(b, 1, x, 0);
        uint64_t m = N - 1u, kk = m - (bad - ((row(b, 1, x)[x >> 5] >> (x & 31u)) & 1u));
        bad_total += bad;
        pairs += kk * (kk - (kk > 0u)) / 2u + (m - kk) * (m - kk - (m > kk)) / 2u;
        if (b->agents[x].opening == DLM_ACTION_ALLC)
            good_allc += N - bad;
        else
            good_alld += N - bad;
    }
    printf("    census: good %llu of N^2 = %llu (bad %llu), agreeing pairs %llu\n",
           (unsigned long long)c.good, (unsigned long long)N * N,
           (unsigned long long)bad_total, (unsigned long long)c.agree_pairs);
    assert_true(c.good > UINT32_MAX);
    assert_true(c.good == (uint64_t)N * N - bad_total);
    assert_true(c.rule_good[DLM_ACTION_ALLC] == good_allc);
    assert_true(c.rule_good[DLM_ACTION_ALLD] == good_alld);
    assert_int_equal(c.rule_agents[DLM_ACTION_ALLC], N - 2u);
    assert_int_equal(c.rule_agents[DLM_ACTION_ALLD], 2u);
    assert_true(c.agree_pairs == pairs);
    assert_int_equal(c.generation, 1u);
    free(b->views);
    free(b->agents);
    free(b->agent_class);
    free(b);
}

/* A private-assessment scenario of n agents, `rounds` rounds, populations p. */
static dlm_status plan_private(uint32_t n, uint32_t rounds, uint32_t p, dlm_evo_plan *plan,
                               dlm_error *err)
{
    char yaml[1024];
    dlm_config *cfg = NULL;
    dlm_scenario sc;
    dlm_status st;
    snprintf(yaml, sizeof yaml,
             "mode: evolve\n"
             "seed: 1\n"
             "game: {preset: donation, b: 3, c: 1}\n"
             "match: {rounds: %u}\n"
             "evolution:\n"
             "  population: %u\n"
             "  populations: %u\n"
             "  generations: 1\n"
             "  rule: fermi-sync\n"
             "  interaction: donation\n"
             "  structure: {partners: 4}\n"
             "  reputation: {norm: stern-judging, assessment: private}\n"
             "  initial:\n"
             "    shares:\n"
             "      - {strategy: allc, share: 0.5}\n"
             "      - {strategy: disc, share: 0.5}\n",
             rounds, n, p);
    st = dlm_config_load_string(yaml, strlen(yaml), "test.yaml", &cfg, err);
    if (st != DLM_OK)
        fail_msg("load: %s", err->message);
    memset(&sc, 0, sizeof sc);
    st = dlm_config_to_scenario(cfg, &sc, err);
    dlm_config_free(cfg);
    if (st != DLM_OK)
        fail_msg("scenario: %s", err->message);
    st = dlm_evo_plan_build(&sc, plan, err);
    dlm_scenario_free(&sc);
    return st;
}

static void test_plan(void **state)
{
    dlm_evo_plan plan;
    dlm_evo_setup setup;
    dlm_device_need needs[64];
    dlm_error err;
    uint64_t device = 0;
    size_t i, n;
    (void)state;
    /* N = 70000: planned (refused at N > 65535 before) */
    if (plan_private(N, 1, 1, &plan, &err) != DLM_OK)
        fail_msg("N = 70000: %s", err.message);
    assert_true(plan.n_views == 2ull * N * WORDS);
    dlm_evo_plan_free(&plan);
    /* N = 10^5: 2.5 x 10^9 bytes of views, within an 80 GB device */
    if (plan_private(100000u, 1, 1, &plan, &err) != DLM_OK)
        fail_msg("N = 10^5: %s", err.message);
    assert_true(plan.n_views * 4u == 2500000000ull);
    assert_true(plan.bytes >= 2500000000ull && plan.bytes < 2600000000ull);
    dlm_evo_plan_setup(&plan, 1, &setup);
    n = dlm_evo_device_needs(&setup, 1, (100000u + DLM_CENSUS_CHUNK - 1u) / DLM_CENSUS_CHUNK,
                             needs);
    assert_true(n <= sizeof needs / sizeof needs[0]);
    for (i = 0; i < n; ++i)
        device += needs[i].bytes;
    printf("    N = 10^5: views %.3f GB, host plan %.3f GB, device buffers %.3f GB\n",
           plan.n_views * 4.0 / 1e9, plan.bytes / 1e9, device / 1e9);
    assert_true(device >= 2500000000ull && device < 80000000000ull);
    dlm_evo_plan_free(&plan);
    /* N x rounds at 2^29: refused, with the numbers */
    assert_int_equal(plan_private(N, 7670u, 1, &plan, &err), DLM_ERR_USAGE);
    printf("    refused: %s\n", err.message);
    assert_non_null(strstr(err.message, "below 2^29"));
    assert_non_null(strstr(err.message, "70000 agents x 7670 rounds = 536900000"));
    /* just below it: planned */
    if (plan_private(N, 7669u, 1, &plan, &err) != DLM_OK)
        fail_msg("N = 70000, 7669 rounds: %s", err.message);
    dlm_evo_plan_free(&plan);
    /* views past the machine's memory (2^22 agents: 4 TiB of views): refused with the
       numbers where the memory is known */
    if (plan_private(1u << 22, 1, 1, &plan, &err) == DLM_OK) {
        uint64_t have = plan.bytes_available;
        dlm_evo_plan_free(&plan);
        if (have)
            fail_msg("4 TiB of views planned on a machine of %llu bytes",
                     (unsigned long long)have);
    } else {
        printf("    refused: %s\n", err.message);
        assert_non_null(strstr(err.message, "bits of views"));
        assert_non_null(strstr(err.message, "MiB"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_views_and_census_past_65535),
        cmocka_unit_test(test_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

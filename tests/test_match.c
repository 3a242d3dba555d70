/* test_match.c — the match engine (kernels/dlm_match.h) and the CPU backend: the
 * ordinary game against an independent reference, reaction-period and delay semantics,
 * each noise channel's rate, geometric lengths, and determinism (same seed, same
 * results; independent of job order and thread count). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends/backend.h"
#include "backends/cpu_lanes.h"
#include "dlm_match.h"

static const uint64_t P_ONE = (uint64_t)1 << 32;
#define PLAY dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 0, 0)
#define LENGTH dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, 0, 0)

static dlm_strategy mem1(double p0, double cc, double cd, double dc, double dd)
{
    dlm_strategy s;
    double p[5] = {p0, cc, cd, dc, dd};
    int i;
    memset(&s, 0, sizeof s);
    s.kind = DLM_STRAT_MEMORY_ONE;
    for (i = 0; i < 5; ++i)
        s.threshold[i] = dlm_probability_threshold(p[i]);
    return s;
}

/* A Moore machine that plays `moves` (C/D letters) in a cycle, whatever it sees. */
static dlm_strategy cycle_of(const char *moves)
{
    dlm_strategy s;
    uint32_t n = (uint32_t)strlen(moves), i;
    memset(&s, 0, sizeof s);
    s.kind = DLM_STRAT_FSM;
    s.depth = n;
    for (i = 0; i < n; ++i) {
        uint64_t next = (i + 1) % n;
        s.fsm_output |= (uint32_t)(moves[i] == 'D') << i;
        s.fsm_next_c |= next << (4 * i);
        s.fsm_next_d |= next << (4 * i);
    }
    return s;
}

static dlm_player_params params(double e, double p, uint32_t k, uint32_t d)
{
    dlm_player_params q;
    q.execution_error = dlm_probability_threshold(e);
    q.perception_error = dlm_probability_threshold(p);
    q.reaction_period = k;
    q.observation_delay = d;
    return q;
}

static dlm_match_rules fixed(uint32_t rounds)
{
    dlm_match_rules r = {0, rounds, 0};
    return r;
}

/* Realised moves of player A (which = 0) or B as a C/D string. */
static void realised(const uint8_t *trace, uint32_t n, int which, char *out)
{
    uint32_t t;
    uint8_t bit = which ? DLM_TRACE_B_REALISED : DLM_TRACE_A_REALISED;
    for (t = 0; t < n; ++t)
        out[t] = (trace[t] & bit) ? 'D' : 'C';
    out[n] = '\0';
}

/* The ordinary game written out plainly from its definition (memory-one strategies,
 * k = 1, d = 0), as an independent check of the engine's bookkeeping. */
static dlm_match_result reference_match(const dlm_strategy *a, const dlm_strategy *b,
                                        const dlm_player_params *pa,
                                        const dlm_player_params *pb, uint32_t rounds,
                                        uint64_t seed, uint32_t index)
{
    dlm_match_result r;
    uint32_t t, last_a = 0, last_b = 0, seen_a = 0, seen_b = 0;
    memset(&r, 0, sizeof r);
    r.rounds = rounds;
    for (t = 0; t < rounds; ++t) {
        uint64_t b0 = ((uint64_t)index << 30) | (2u * t), b1 = b0 + 1;
        dlm_u32x4 w = dlm_philox_block(seed, PLAY, b0), v = dlm_philox_block(seed, PLAY, b1);
        uint64_t ta = t == 0 ? a->threshold[0] : a->threshold[1 + 2 * last_a + seen_a];
        uint64_t tb = t == 0 ? b->threshold[0] : b->threshold[1 + 2 * last_b + seen_b];
        uint32_t ia = (uint64_t)w.v[0] < ta ? 0u : 1u, ib = (uint64_t)w.v[1] < tb ? 0u : 1u;
        uint32_t ra = ia ^ ((uint64_t)w.v[2] < pa->execution_error);
        uint32_t rb = ib ^ ((uint64_t)w.v[3] < pb->execution_error);
        seen_a = rb ^ ((uint64_t)v.v[0] < pa->perception_error);
        seen_b = ra ^ ((uint64_t)v.v[1] < pb->perception_error);
        last_a = ra;
        last_b = rb;
        r.outcome[2 * ra + rb] += 1;
    }
    return r;
}

static void test_ordinary_game_matches_plain_reference(void **state)
{
    uint32_t i;
    (void)state;
    for (i = 0; i < 200; ++i) {
        dlm_u32x4 u = dlm_philox_block(99, 5, i), v = dlm_philox_block(99, 6, i);
        dlm_strategy a = mem1(u.v[0] / 4294967296.0, u.v[1] / 4294967296.0, u.v[2] / 4294967296.0,
                              u.v[3] / 4294967296.0, v.v[0] / 4294967296.0);
        dlm_strategy b = mem1(v.v[1] / 4294967296.0, v.v[2] / 4294967296.0, v.v[3] / 4294967296.0,
                              0.5, (i % 3) / 2.0);
        dlm_player_params pa = params((i % 4) * 0.05, (i % 5) * 0.04, 1, 0);
        dlm_player_params pb = params((i % 3) * 0.1, (i % 2) * 0.2, 1, 0);
        dlm_match_rules r = fixed(300);
        dlm_match_result got = dlm_play_match(&a, &b, &pa, &pb, &r, 7, PLAY, LENGTH, i, NULL);
        dlm_match_result want = reference_match(&a, &b, &pa, &pb, 300, 7, i);
        assert_memory_equal(&got, &want, sizeof got);
    }
}

static void test_tft_copies_the_opponents_last_move(void **state)
{
    dlm_strategy tft = mem1(1, 1, 0, 1, 0), seq = cycle_of("CDDCDCCD");
    dlm_player_params p = params(0, 0, 1, 0);
    dlm_match_rules r = fixed(16);
    uint8_t trace[16];
    char a[17], b[17];
    (void)state;
    dlm_play_match(&tft, &seq, &p, &p, &r, 1, PLAY, LENGTH, 0, trace);
    realised(trace, 16, 0, a);
    realised(trace, 16, 1, b);
    assert_string_equal(b, "CDDCDCCDCDDCDCCD");
    assert_string_equal(a, "CCDDCDCCDCDDCDCC");
}

static void test_reaction_period_holds_the_move_between_decisions(void **state)
{
    /* TFT with k = 3 decides on rounds 0, 3, 6, ... from the latest outcome. */
    dlm_strategy tft = mem1(1, 1, 0, 1, 0), seq = cycle_of("CDDCDCCD");
    dlm_player_params slow = params(0, 0, 3, 0), fast = params(0, 0, 1, 0);
    dlm_match_rules r = fixed(16);
    uint8_t trace[16];
    char a[17];
    (void)state;
    dlm_play_match(&tft, &seq, &slow, &fast, &r, 1, PLAY, LENGTH, 0, trace);
    realised(trace, 16, 0, a);
    /* decisions: t=0 C; t=3 sees round 2 (D); t=6 sees round 5 (C); t=9 sees 8 (C);
       t=12 sees 11 (C); t=15 sees 14 (C). */
    assert_string_equal(a, "CCCDDDCCCCCCCCCC");
}

static void test_reaction_period_one_is_every_round(void **state)
{
    dlm_strategy wsls = mem1(1, 1, 0, 0, 1), rnd = mem1(0.5, 0.5, 0.5, 0.5, 0.5);
    dlm_player_params p = params(0.05, 0.05, 1, 0);
    dlm_match_rules r = fixed(500);
    uint8_t trace[500];
    uint32_t t;
    (void)state;
    dlm_play_match(&wsls, &rnd, &p, &p, &r, 3, PLAY, LENGTH, 4, trace);
    /* WSLS's intended move at t follows from its own realised move and its reading of
       the opponent's at t-1. */
    for (t = 1; t < 500; ++t) {
        uint32_t own = !!(trace[t - 1] & DLM_TRACE_A_REALISED);
        uint32_t seen = !!(trace[t - 1] & DLM_TRACE_A_PERCEIVED);
        uint32_t intended = !!(trace[t] & DLM_TRACE_A_INTENDED);
        assert_int_equal(intended, own ^ seen);
    }
}

static void test_observation_delay_sees_outcomes_late(void **state)
{
    /* TFT with d = 2 plays at round t the opponent's move of round t-3 (C before). */
    dlm_strategy tft = mem1(1, 1, 0, 1, 0), seq = cycle_of("CDDCDCCD");
    dlm_player_params late = params(0, 0, 1, 2), fast = params(0, 0, 1, 0);
    dlm_match_rules r = fixed(16);
    uint8_t trace[16];
    char a[17], b[17], want[17];
    uint32_t t;
    (void)state;
    dlm_play_match(&tft, &seq, &late, &fast, &r, 1, PLAY, LENGTH, 0, trace);
    realised(trace, 16, 0, a);
    realised(trace, 16, 1, b);
    for (t = 0; t < 16; ++t)
        want[t] = t < 3 ? 'C' : b[t - 3];
    want[16] = '\0';
    assert_string_equal(a, want);
}

static void test_delayed_moore_machine_steps_on_delayed_observations(void **state)
{
    /* Grudger as a Moore machine: state 0 plays C until it sees a D, state 1 plays D.
       With d = 4 it turns 5 rounds after the opponent's first defection (round 2). */
    dlm_strategy grim, seq = cycle_of("CCDCCCCC");
    dlm_player_params late = params(0, 0, 1, 4), fast = params(0, 0, 1, 0);
    dlm_match_rules r = fixed(12);
    uint8_t trace[12];
    char a[13];
    (void)state;
    memset(&grim, 0, sizeof grim);
    grim.kind = DLM_STRAT_FSM;
    grim.depth = 2;
    grim.fsm_output = 2u;     /* state 1 plays D */
    grim.fsm_next_c = 0x10u;  /* 0 -C-> 0, 1 -C-> 1 */
    grim.fsm_next_d = 0x11u;  /* 0 -D-> 1, 1 -D-> 1 */
    dlm_play_match(&grim, &seq, &late, &fast, &r, 1, PLAY, LENGTH, 0, trace);
    realised(trace, 12, 0, a);
    assert_string_equal(a, "CCCCCCCDDDDD");
}

static void test_lookup_opening_then_table(void **state)
{
    /* tf2t as a depth-2 lookup table: D iff the opponent's last two moves were D, D. */
    dlm_strategy tf2t, seq = cycle_of("CDDCDCDD");
    dlm_player_params p = params(0, 0, 1, 0);
    dlm_match_rules r = fixed(16);
    uint8_t trace[16];
    char a[17], b[17], want[17];
    uint32_t t, i;
    (void)state;
    memset(&tf2t, 0, sizeof tf2t);
    tf2t.kind = DLM_STRAT_LOOKUP;
    tf2t.depth = 2;
    for (i = 0; i < 16; ++i)
        if ((i & 3u) == 3u)
            tf2t.table |= (uint64_t)1 << i;
    dlm_play_match(&tf2t, &seq, &p, &p, &r, 1, PLAY, LENGTH, 0, trace);
    realised(trace, 16, 0, a);
    realised(trace, 16, 1, b);
    for (t = 0; t < 16; ++t)
        want[t] = t >= 2 && b[t - 1] == 'D' && b[t - 2] == 'D' ? 'D' : 'C';
    want[16] = '\0';
    assert_string_equal(a, want);
}

/* Within 4 standard errors of p after n Bernoulli trials with `hits` successes. */
static void assert_rate(uint64_t hits, uint64_t n, double p)
{
    double rate = (double)hits / (double)n, se = sqrt(p * (1 - p) / (double)n);
    if (fabs(rate - p) > 4 * se)
        fail_msg("rate %.6f differs from %.6f by more than 4 SE (%.6f)", rate, p, se);
}

static void test_execution_error_flips_intended_moves_at_its_rate(void **state)
{
    dlm_strategy allc = mem1(1, 1, 1, 1, 1);
    dlm_player_params pa = params(0.1, 0, 1, 0), pb = params(0.03, 0, 1, 0);
    dlm_match_rules r = fixed(200000);
    uint8_t *trace = malloc(200000);
    uint64_t flips_a = 0, flips_b = 0, t;
    (void)state;
    dlm_play_match(&allc, &allc, &pa, &pb, &r, 11, PLAY, LENGTH, 0, trace);
    for (t = 0; t < 200000; ++t) {
        assert_int_equal(trace[t] & (DLM_TRACE_A_INTENDED | DLM_TRACE_B_INTENDED), 0);
        flips_a += !!(trace[t] & DLM_TRACE_A_REALISED);
        flips_b += !!(trace[t] & DLM_TRACE_B_REALISED);
        /* Perception is exact here: each reads the other's realised move. */
        assert_int_equal(!!(trace[t] & DLM_TRACE_A_PERCEIVED), !!(trace[t] & DLM_TRACE_B_REALISED));
        assert_int_equal(!!(trace[t] & DLM_TRACE_B_PERCEIVED), !!(trace[t] & DLM_TRACE_A_REALISED));
    }
    assert_rate(flips_a, 200000, 0.1);
    assert_rate(flips_b, 200000, 0.03);
    free(trace);
}

static void test_perception_error_misreads_at_its_rate_and_only_for_the_reader(void **state)
{
    dlm_strategy allc = mem1(1, 1, 1, 1, 1), tft = mem1(1, 1, 0, 1, 0);
    dlm_player_params pa = params(0, 0.08, 1, 0), pb = params(0, 0, 1, 0);
    dlm_match_rules r = fixed(200000);
    uint8_t *trace = malloc(200000);
    uint64_t misread = 0, tft_defects = 0, t;
    (void)state;
    /* A = TFT misreads B = ALLC; ALLC always realises C, B reads A exactly. */
    dlm_play_match(&tft, &allc, &pa, &pb, &r, 12, PLAY, LENGTH, 0, trace);
    for (t = 0; t < 200000; ++t) {
        assert_int_equal(trace[t] & DLM_TRACE_B_REALISED, 0);
        misread += !!(trace[t] & DLM_TRACE_A_PERCEIVED);
        tft_defects += !!(trace[t] & DLM_TRACE_A_REALISED);
        if (t > 0)
            assert_int_equal(!!(trace[t] & DLM_TRACE_A_INTENDED),
                             !!(trace[t - 1] & DLM_TRACE_A_PERCEIVED));
        assert_int_equal(!!(trace[t] & DLM_TRACE_B_PERCEIVED), !!(trace[t] & DLM_TRACE_A_REALISED));
    }
    assert_rate(misread, 200000, 0.08);
    /* TFT acts on what it saw: it defects after each misreading. */
    assert_rate(tft_defects, 199999, 0.08);
    free(trace);
}

static void test_execution_error_is_seen_by_both(void **state)
{
    dlm_strategy tft = mem1(1, 1, 0, 1, 0);
    dlm_player_params p = params(0.05, 0, 1, 0);
    dlm_match_rules r = fixed(5000);
    uint8_t trace[5000];
    uint32_t t;
    (void)state;
    dlm_play_match(&tft, &tft, &p, &p, &r, 13, PLAY, LENGTH, 0, trace);
    for (t = 1; t < 5000; ++t) {
        assert_int_equal(!!(trace[t] & DLM_TRACE_A_INTENDED), !!(trace[t - 1] & DLM_TRACE_B_REALISED));
        assert_int_equal(!!(trace[t] & DLM_TRACE_B_INTENDED), !!(trace[t - 1] & DLM_TRACE_A_REALISED));
    }
}

static void test_geometric_length_has_mean_one_over_one_minus_w(void **state)
{
    dlm_strategy allc = mem1(1, 1, 1, 1, 1);
    dlm_player_params p = params(0, 0, 1, 0);
    dlm_match_rules r = {dlm_probability_threshold(0.95), DLM_MAX_ROUNDS, 1};
    dlm_match_rules capped = {dlm_probability_threshold(0.95), 10, 1};
    double w = 0.95, mean = 1 / (1 - w), sd = sqrt(w) / (1 - w), sum = 0;
    uint32_t i, n = 20000;
    (void)state;
    for (i = 0; i < n; ++i) {
        dlm_match_result m = dlm_play_match(&allc, &allc, &p, &p, &r, 5, PLAY, LENGTH, i, NULL);
        dlm_match_result c = dlm_play_match(&allc, &allc, &p, &p, &capped, 5, PLAY, LENGTH, i, NULL);
        assert_int_equal(m.outcome[0], m.rounds);
        assert_true(c.rounds <= 10);
        assert_int_equal(c.rounds, m.rounds < 10 ? m.rounds : 10);
        sum += m.rounds;
    }
    if (fabs(sum / n - mean) > 4 * sd / sqrt((double)n))
        fail_msg("mean length %.4f, expected %.4f", sum / n, mean);
}

static void test_continuation_zero_plays_one_round_and_one_never_stops_before_cap(void **state)
{
    dlm_strategy allc = mem1(1, 1, 1, 1, 1);
    dlm_player_params p = params(0, 0, 1, 0);
    dlm_match_rules zero = {0, 1000, 1}, one = {P_ONE, 777, 1};
    (void)state;
    assert_int_equal(dlm_play_match(&allc, &allc, &p, &p, &zero, 1, PLAY, LENGTH, 0, NULL).rounds, 1);
    assert_int_equal(dlm_play_match(&allc, &allc, &p, &p, &one, 1, PLAY, LENGTH, 0, NULL).rounds, 777);
}

/* A batch of varied matches (all three representations, noise, timescales). */
typedef struct batch_fixture {
    dlm_strategy strategies[6];
    dlm_player_params params[4];
    dlm_match_job jobs[400];
    dlm_match_batch batch;
} batch_fixture;

static void make_batch(batch_fixture *f, uint64_t seed)
{
    uint32_t i;
    memset(f, 0, sizeof *f);
    f->strategies[0] = mem1(1, 1, 0, 1, 0);
    f->strategies[1] = mem1(0.5, 0.9, 0.1, 0.6, 0.3);
    f->strategies[2] = cycle_of("CCD");
    f->strategies[3] = mem1(1, 1, 0, 0, 1);
    f->strategies[4] = cycle_of("DCDDC");
    f->strategies[5].kind = DLM_STRAT_LOOKUP;
    f->strategies[5].depth = 2;
    f->strategies[5].table = 0x8ACEull;
    f->strategies[5].opening = 2u;
    f->params[0] = params(0, 0, 1, 0);
    f->params[1] = params(0.02, 0.01, 1, 0);
    f->params[2] = params(0.05, 0, 4, 0);
    f->params[3] = params(0, 0.05, 2, 3);
    for (i = 0; i < 400; ++i) {
        f->jobs[i].strategy[0] = i % 6;
        f->jobs[i].strategy[1] = (i / 6) % 6;
        f->jobs[i].params[0] = i % 4;
        f->jobs[i].params[1] = (i / 4) % 4;
        f->jobs[i].population = i % 3;
        f->jobs[i].generation = i / 100;
        f->jobs[i].index = i;
    }
    f->batch.seed = seed;
    f->batch.strategies = f->strategies;
    f->batch.n_strategies = 6;
    f->batch.params = f->params;
    f->batch.n_params = 4;
    f->batch.rules = fixed(300);
    f->batch.jobs = f->jobs;
    f->batch.n_jobs = 400;
}

static void run_cpu(const dlm_match_batch *b, int threads, dlm_match_result *out)
{
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_backend_options opt = {threads, -1, -1, 0};
    dlm_error err;
    assert_int_equal(dlm_backend_open("cpu", &opt, NULL, &ops, &be, &err), DLM_OK);
    assert_int_equal(ops->play_matches(be, b, out, &err), DLM_OK);
    ops->destroy(be);
}

static void test_thread_count_does_not_change_results(void **state)
{
    static batch_fixture f;
    static dlm_match_result one[400], two[400], four[400], all[400];
    (void)state;
    make_batch(&f, 2024);
    run_cpu(&f.batch, 1, one);
    run_cpu(&f.batch, 2, two);
    run_cpu(&f.batch, 4, four);
    run_cpu(&f.batch, 0, all);
    assert_memory_equal(one, two, sizeof one);
    assert_memory_equal(one, four, sizeof one);
    assert_memory_equal(one, all, sizeof one);
}

static void test_same_seed_same_results_other_seed_others(void **state)
{
    static batch_fixture f;
    static dlm_match_result a[400], b[400], c[400];
    (void)state;
    make_batch(&f, 77);
    run_cpu(&f.batch, 1, a);
    run_cpu(&f.batch, 1, b);
    f.batch.seed = 78;
    run_cpu(&f.batch, 1, c);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
}

static void test_results_do_not_depend_on_job_order(void **state)
{
    static batch_fixture f;
    static dlm_match_result a[400], b[400];
    static dlm_match_job reversed[400];
    uint32_t i;
    (void)state;
    make_batch(&f, 5);
    run_cpu(&f.batch, 1, a);
    for (i = 0; i < 400; ++i)
        reversed[i] = f.jobs[399 - i];
    f.batch.jobs = reversed;
    run_cpu(&f.batch, 2, b);
    for (i = 0; i < 400; ++i)
        assert_memory_equal(&a[i], &b[399 - i], sizeof a[i]);
}

static void test_cpu_fast_path_equals_the_model(void **state)
{
    /* Memory-one jobs with every noise channel, fixed and geometric lengths, several
       populations and generations, a count that is no multiple of eight: the backend's
       results (AVX2 lanes where the processor has them) must equal the model's. */
    enum { N = 203 };
    static dlm_strategy strategies[2 * N];
    static dlm_player_params par[4];
    static dlm_match_job jobs[N];
    static dlm_match_result got[N];
    dlm_match_batch batch;
    uint32_t i, g;
    (void)state;
    par[0] = params(0, 0, 1, 0);
    par[1] = params(0.01, 0, 1, 0);
    par[2] = params(0, 0.03, 1, 0);
    par[3] = params(0.02, 0.05, 1, 0);
    for (i = 0; i < 2 * N; ++i) {
        dlm_u32x4 u = dlm_philox_block(3, 9, i), v = dlm_philox_block(3, 10, i);
        strategies[i].kind = DLM_STRAT_MEMORY_ONE;
        strategies[i].threshold[0] = i % 7 == 0 ? P_ONE : u.v[0];
        strategies[i].threshold[1] = i % 5 == 0 ? P_ONE : u.v[1];
        strategies[i].threshold[2] = i % 3 == 0 ? 0 : u.v[2];
        strategies[i].threshold[3] = u.v[3];
        strategies[i].threshold[4] = v.v[0];
    }
    for (g = 0; g < 2; ++g) {
        for (i = 0; i < N; ++i) {
            jobs[i].strategy[0] = 2 * i;
            jobs[i].strategy[1] = 2 * i + 1;
            jobs[i].params[0] = i % 4;
            jobs[i].params[1] = (i / 4) % 4;
            jobs[i].population = i % 5;
            jobs[i].generation = i / 50 + 1000000u * g;
            jobs[i].index = 7 * i + 3;
        }
        memset(&batch, 0, sizeof batch);
        batch.seed = 0x123456789abcdefull;
        batch.strategies = strategies;
        batch.n_strategies = 2 * N;
        batch.params = par;
        batch.n_params = 4;
        batch.rules = g == 0 ? fixed(257) : (dlm_match_rules){dlm_probability_threshold(0.99), 400, 1};
        batch.jobs = jobs;
        batch.n_jobs = N;
        run_cpu(&batch, g + 1, got);
        for (i = 0; i < N; ++i) {
            const dlm_match_job *j = &jobs[i];
            dlm_match_result want = dlm_play_match(
                &strategies[j->strategy[0]], &strategies[j->strategy[1]], &par[j->params[0]],
                &par[j->params[1]], &batch.rules, batch.seed,
                dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, j->population, j->generation),
                dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, j->population, j->generation), j->index,
                NULL);
            assert_memory_equal(&got[i], &want, sizeof want);
        }
        /* each of the first 40 alone: a single match takes the one-job path (its blocks
           eight rounds ahead in the lanes, its rounds in scalar code) */
        for (i = 0; i < 40; ++i) {
            dlm_match_batch one = batch;
            dlm_match_result alone;
            one.jobs = &jobs[i];
            one.n_jobs = 1;
            run_cpu(&one, 1, &alone);
            assert_memory_equal(&alone, &got[i], sizeof alone);
        }
    }
}

/* Every other match the CPU backend plays (lookup tables, machines, timescales) goes
 * through the model code with the blocks of eight upcoming rounds computed in the lanes
 * (DLM_BLOCKS_AHEAD): the same results as the model computing each block itself. */
static void test_cpu_blocks_ahead_equal_the_model(void **state)
{
    static batch_fixture f;
    static dlm_match_result got[400];
    uint32_t i;
    (void)state;
    make_batch(&f, 99);
    f.batch.rules = fixed(301); /* no multiple of eight */
    run_cpu(&f.batch, 2, got);
    for (i = 0; i < 400; ++i) {
        const dlm_match_job *j = &f.jobs[i];
        dlm_match_result want = dlm_play_match(
            &f.strategies[j->strategy[0]], &f.strategies[j->strategy[1]], &f.params[j->params[0]],
            &f.params[j->params[1]], &f.batch.rules, f.batch.seed,
            dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, j->population, j->generation),
            dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, j->population, j->generation), j->index,
            NULL);
        assert_memory_equal(&got[i], &want, sizeof want);
    }
}

/* The count events' first blocks of eight windows (DLM_WINDOWS_AHEAD): block
 * (first + l) << 30 of the stream for each l < n, in the lanes as the model computes
 * it, for windows whose blocks need both counter words. */
static void test_cpu_windows_ahead_equal_the_model(void **state)
{
    static const uint32_t firsts[4] = {0u, 8u, 1000003u, 0xFFFFFFF0u};
    uint64_t stream = dlm_stream_id(DLM_PURPOSE_SELECTION, 12345u, 77u);
    uint32_t f, n, l;
    (void)state;
    dlm_cpu_lanes_ahead(1); /* scalar where the processor has no AVX2 */
    for (f = 0; f < 4u; ++f)
        for (n = 1; n <= 8u; ++n) {
            dlm_u32x4 got[8];
            dlm_cpu_windows_ahead(0x9E3779B97F4A7C15ull, stream, firsts[f], n, got);
            for (l = 0; l < n; ++l) {
                dlm_u32x4 want = dlm_philox_block(0x9E3779B97F4A7C15ull, stream,
                                                  ((uint64_t)firsts[f] + l) << 30);
                assert_memory_equal(&got[l], &want, sizeof want);
            }
        }
    dlm_cpu_lanes_ahead(0);
}

static void test_cpu_backend_refuses_out_of_range_job(void **state)
{
    static batch_fixture f;
    static dlm_match_result out[400];
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_backend_options opt = {1, -1, -1, 0};
    dlm_error err;
    (void)state;
    make_batch(&f, 5);
    f.jobs[7].strategy[1] = 6;
    assert_int_equal(dlm_backend_open("cpu", &opt, NULL, &ops, &be, &err), DLM_OK);
    assert_int_equal(ops->play_matches(be, &f.batch, out, &err), DLM_ERR_RUNTIME);
    assert_non_null(strstr(err.message, "job 7"));
    ops->destroy(be);
}

static void test_unknown_or_unbuilt_backend_is_a_usage_error(void **state)
{
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_backend_options opt = {1, -1, -1, 0};
    dlm_error err;
    (void)state;
    assert_int_equal(dlm_backend_open("gpu", &opt, NULL, &ops, &be, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "allowed"));
    assert_int_equal(dlm_backend_open("auto", &opt, NULL, &ops, &be, &err), DLM_OK);
    ops->destroy(be);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordinary_game_matches_plain_reference),
        cmocka_unit_test(test_tft_copies_the_opponents_last_move),
        cmocka_unit_test(test_reaction_period_holds_the_move_between_decisions),
        cmocka_unit_test(test_reaction_period_one_is_every_round),
        cmocka_unit_test(test_observation_delay_sees_outcomes_late),
        cmocka_unit_test(test_delayed_moore_machine_steps_on_delayed_observations),
        cmocka_unit_test(test_lookup_opening_then_table),
        cmocka_unit_test(test_execution_error_flips_intended_moves_at_its_rate),
        cmocka_unit_test(test_perception_error_misreads_at_its_rate_and_only_for_the_reader),
        cmocka_unit_test(test_execution_error_is_seen_by_both),
        cmocka_unit_test(test_geometric_length_has_mean_one_over_one_minus_w),
        cmocka_unit_test(test_continuation_zero_plays_one_round_and_one_never_stops_before_cap),
        cmocka_unit_test(test_thread_count_does_not_change_results),
        cmocka_unit_test(test_same_seed_same_results_other_seed_others),
        cmocka_unit_test(test_results_do_not_depend_on_job_order),
        cmocka_unit_test(test_cpu_fast_path_equals_the_model),
        cmocka_unit_test(test_cpu_blocks_ahead_equal_the_model),
        cmocka_unit_test(test_cpu_windows_ahead_equal_the_model),
        cmocka_unit_test(test_cpu_backend_refuses_out_of_range_job),
        cmocka_unit_test(test_unknown_or_unbuilt_backend_is_a_usage_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

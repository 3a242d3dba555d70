/* test_strategies.c — the strategy library and the strategy text syntax (host/model/strategies.h).
 *
 * Moves are checked by playing real matches with the model's engine (dlm_play_match,
 * noiseless unless a test says otherwise, reaction period 1, no delay) and comparing
 * with move strings derived from the definitions: the expected strings for the named
 * classics were produced by Axelrod-Python 4.14 (axl.Match over 20 rounds against
 * Cooperator, Defector and two axl.Cycler sequences) and are written out here, so a
 * change of behaviour shows as a changed letter. Stochastic strategies are checked
 * against their probabilities within 4 standard errors; zero-determinant strategies
 * against their linear payoff relations with an exact 4-state Markov chain solved here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlm_match.h"
#include "model/strategies.h"

/* The two fixed opponent sequences (period 16) used by Axelrod-Python's Cycler in the
 * expected strings below. */
#define SEQ1 "CDCCDDCCCDDDDCCD"
#define SEQ2 "DDCDCCCDDCCCCCCC"

/* ------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------ */

/* The prisoner's dilemma preset (R=3, S=0, T=5, P=1). */
static dlm_game pd_game(void)
{
    dlm_game g;
    dlm_error err;
    assert_int_equal(dlm_game_preset("pd", NAN, NAN, &g, &err), DLM_OK);
    return g;
}

/* A custom game with the given payoffs. */
static dlm_game custom_game(double R, double S, double T, double P)
{
    dlm_game g;
    snprintf(g.name, sizeof g.name, "custom");
    g.R = R, g.S = S, g.T = T, g.P = P;
    return g;
}

/* Compiles text for game g and fails the test (printing the message) if it does not. */
static dlm_strategy_def compile_for(const char *text, const dlm_game *g)
{
    dlm_strategy_def def;
    dlm_error err;
    dlm_status st;
    err.message[0] = '\0';
    st = dlm_strategy_parse(text, g, &def, &err);
    if (st != DLM_OK)
        print_error("'%s' did not compile: %s\n", text, err.message);
    assert_int_equal(st, DLM_OK);
    return def;
}

/* Compiles text for the pd. */
static dlm_strategy_def compile(const char *text)
{
    dlm_game g = pd_game();
    return compile_for(text, &g);
}

/* Writes into buf the text of an fsm that plays `seq` (at most 16 letters) cyclically
 * whatever the opponent does. */
static const char *cycle_fsm(const char *seq, char *buf, size_t size)
{
    size_t n = strlen(seq), i, used;
    used = (size_t)snprintf(buf, size, "fsm(");
    for (i = 0; i < n; ++i)
        used += (size_t)snprintf(buf + used, size - used, "%s%c:%zu:%zu", i ? "," : "", seq[i],
                                 (i + 1) % n, (i + 1) % n);
    snprintf(buf + used, size - used, ")");
    return buf;
}

/* Plays a against b for `rounds` rounds (fixed length) with execution errors ea and eb,
 * filling trace (room for `rounds` bytes). */
static dlm_match_result play(const dlm_strategy_def *a, const dlm_strategy_def *b, uint32_t rounds,
                             uint64_t seed, double ea, double eb, uint8_t *trace)
{
    dlm_player_params pa = {dlm_probability_threshold(ea), 0u, 1u, 0u};
    dlm_player_params pb = {dlm_probability_threshold(eb), 0u, 1u, 0u};
    dlm_match_rules rules = {0u, rounds, 0u};
    return dlm_play_match(&a->model, &b->model, &pa, &pb, &rules, seed,
                          dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, 0u, 0u),
                          dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, 0u, 0u), 0u, trace);
}

/* The realised moves of player A (bit DLM_TRACE_A_REALISED) or B as a C/D string. */
static const char *moves(const uint8_t *trace, uint32_t rounds, uint8_t bit, char *buf)
{
    uint32_t t;
    for (t = 0; t < rounds; ++t)
        buf[t] = (trace[t] & bit) ? 'D' : 'C';
    buf[rounds] = '\0';
    return buf;
}

/* The first `rounds` moves that strategy text a plays against strategy text b (pd). */
static const char *moves_against(const char *a, const char *b, uint32_t rounds, char *buf)
{
    uint8_t trace[256];
    dlm_strategy_def da = compile(a), db = compile(b);
    assert_true(rounds < sizeof trace);
    play(&da, &db, rounds, 1u, 0.0, 0.0, trace);
    return moves(trace, rounds, DLM_TRACE_A_REALISED, buf);
}

/* Noiseless totals over `rounds` rounds of a against b under the pd. */
static void scores(const char *a, const char *b, uint32_t rounds, double *sa, double *sb)
{
    dlm_game g = pd_game();
    dlm_strategy_def da = compile(a), db = compile(b);
    dlm_match_result r = play(&da, &db, rounds, 7u, 0.0, 0.0, NULL);
    uint64_t o[4] = {r.outcome[0], r.outcome[1], r.outcome[2], r.outcome[3]};
    double ma, mb;
    dlm_game_payoffs(&g, o, r.rounds, &ma, &mb);
    *sa = ma * r.rounds;
    *sb = mb * r.rounds;
}

/* Fails unless x lies within 4 standard errors sqrt(p(1-p)/n) of p. */
static void assert_rate(const char *what, uint64_t hits, uint64_t n, double p)
{
    double rate = (double)hits / (double)n, se = sqrt(p * (1.0 - p) / (double)n);
    if (!(fabs(rate - p) <= 4.0 * se)) {
        print_error("%s: rate %.6f over %llu, expected %.6f +- 4 x %.6f\n", what, rate,
                    (unsigned long long)n, p, se);
        fail();
    }
}

/* Long-run distribution over CC, CD, DC, DD (A's view) of memory-one A (probabilities
 * pa) against memory-one B (pb, its own view), B's moves flipped with probability eb:
 * the stationary vector of the 4-state chain, by Gaussian elimination. */
static void stationary(const double pa[5], const double pb[5], double eb, double pi[4])
{
    double m[4][5];
    int s, t, r, c;
    for (s = 0; s < 4; ++s) {
        int a = s >> 1, b = s & 1;
        double x = pa[1 + s];
        double y = pb[1 + ((b << 1) | a)] * (1.0 - 2.0 * eb) + eb;
        for (t = 0; t < 4; ++t) {
            double move_a = (t >> 1) ? 1.0 - x : x, move_b = (t & 1) ? 1.0 - y : y;
            m[t][s] = move_a * move_b - (s == t ? 1.0 : 0.0); /* (M^T - I) */
        }
        m[s][4] = 0.0;
    }
    for (c = 0; c < 4; ++c) /* replace the last equation by sum(pi) = 1 */
        m[3][c] = 1.0;
    m[3][4] = 1.0;
    for (c = 0; c < 4; ++c) {
        int piv = c;
        for (r = c + 1; r < 4; ++r)
            if (fabs(m[r][c]) > fabs(m[piv][c]))
                piv = r;
        for (t = 0; t < 5; ++t) {
            double tmp = m[c][t];
            m[c][t] = m[piv][t];
            m[piv][t] = tmp;
        }
        for (r = 0; r < 4; ++r) {
            double f;
            if (r == c)
                continue;
            f = m[r][c] / m[c][c];
            for (t = c; t < 5; ++t)
                m[r][t] -= f * m[c][t];
        }
    }
    for (r = 0; r < 4; ++r)
        pi[r] = m[r][4] / m[r][r];
}

/* Long-run payoffs per round of A and B from the stationary distribution. */
static void long_run(const dlm_game *g, const double pa[5], const double pb[5], double eb,
                     double *sa, double *sb)
{
    double pi[4];
    stationary(pa, pb, eb, pi);
    *sa = pi[0] * g->R + pi[1] * g->S + pi[2] * g->T + pi[3] * g->P;
    *sb = pi[0] * g->R + pi[1] * g->T + pi[2] * g->S + pi[3] * g->P;
}

/* Memory-one opponents used by the zero-determinant tests (own view, p0 first). */
static const double OPPONENTS[][5] = {
    {1, 1, 1, 1, 1},           /* allc */
    {0, 0, 0, 0, 0},           /* alld */
    {1, 1, 0, 1, 0},           /* tft */
    {1, 1, 0, 0, 1},           /* wsls */
    {0.3, 0.3, 0.3, 0.3, 0.3}, /* random(0.3) */
    {1, 0.9, 0.2, 0.7, 0.1},   /* an arbitrary vector */
    {1, 0.5, 0.8, 0.1, 0.6},   /* another */
};
#define N_OPPONENTS (sizeof OPPONENTS / sizeof OPPONENTS[0])

/* ------------------------------------------------------------------------------------
 * The library
 * ------------------------------------------------------------------------------------ */

static void test_library_has_25_documented_unique_entries(void **state)
{
    size_t n = dlm_strategy_library_count(), i, j;
    (void)state;
    assert_true(n >= 25);
    assert_null(dlm_strategy_library_entry(n));
    for (i = 0; i < n; ++i) {
        const dlm_strategy_info *e = dlm_strategy_library_entry(i);
        assert_non_null(e);
        assert_non_null(e->name);
        assert_true(strlen(e->name) > 0);
        assert_non_null(e->summary);
        assert_true(strlen(e->summary) > 10);
        assert_non_null(e->citation);
        assert_true(strlen(e->citation) > 10);
        assert_non_null(e->params);
        assert_null(strchr(e->summary, '\n'));
        assert_null(strchr(e->citation, '\n'));
        for (j = 0; j < i; ++j)
            assert_string_not_equal(e->name, dlm_strategy_library_entry(j)->name);
    }
}

static void test_every_entry_compiles_to_its_name_and_reparses(void **state)
{
    size_t i;
    dlm_game g = pd_game();
    (void)state;
    for (i = 0; i < dlm_strategy_library_count(); ++i) {
        const char *name = dlm_strategy_library_entry(i)->name;
        dlm_strategy_def a = compile_for(name, &g), b;
        char line[512];
        assert_string_equal(a.label, name);
        assert_true(a.model.kind >= DLM_STRAT_MEMORY_ONE && a.model.kind <= DLM_STRAT_FSM);
        b = compile_for(a.label, &g);
        assert_memory_equal(&a, &b, sizeof a);
        dlm_strategy_describe(&a, line, sizeof line);
        assert_true(strlen(line) > 5);
    }
}

static void test_required_names_are_present(void **state)
{
    static const char *const required[] = {
        "allc",      "alld",   "tft",     "tf2t",   "2tft", "stft",     "gtft", "wsls",
        "grim",      "htft",   "atft",    "bully",  "alt",  "random",   "joss", "prober",
        "handshake", "cycler", "gradual", "extort", "gzd",  "equalizer"};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof required / sizeof required[0]; ++i)
        compile(required[i]);
}

/* The memory-one classics and the exact vectors their definitions give under the pd. */
static const struct {
    const char *name;
    double p[5];
} MEMORY_ONE[] = {
    {"allc", {1, 1, 1, 1, 1}},
    {"alld", {0, 0, 0, 0, 0}},
    {"tft", {1, 1, 0, 1, 0}},
    {"stft", {0, 1, 0, 1, 0}},
    {"gtft", {1, 1, 1.0 / 3, 1, 1.0 / 3}}, /* q = min(1 - 2/3, 2/4) */
    {"wsls", {1, 1, 0, 0, 1}},
    {"wshls", {0, 0, 1, 1, 0}},
    {"swsls", {1, 0.95, 0.05, 0.05, 0.95}},
    {"atft", {1, 0, 1, 0, 1}},
    {"bully", {0, 0, 1, 0, 1}},
    {"alt", {1, 0, 0, 1, 1}},
    {"random", {0.5, 0.5, 0.5, 0.5, 0.5}},
    {"joss", {1, 0.9, 0, 0.9, 0}},
    {"grofman", {1, 1, 2.0 / 7, 2.0 / 7, 1}},
    {"fbf", {1, 1, 0, 1, 2.0 / 3}},
    {"stochcoop", {1, 0.935, 0.229, 0.266, 0.42}},
    {"extort", {1, 11.0 / 13, 0.5, 7.0 / 26, 0}},     /* Press & Dyson's extort-3 */
    {"gzd", {1, 1, 1.0 / 8, 1, 1.0 / 4}},             /* Stewart & Plotkin's ZDGTFT-2 */
    {"equalizer", {1, 2.0 / 3, 0, 2.0 / 3, 1.0 / 3}}, /* Press & Dyson: opponent gets 2 */
};
#define N_MEMORY_ONE (sizeof MEMORY_ONE / sizeof MEMORY_ONE[0])

static void test_memory_one_classics_compile_to_their_vectors(void **state)
{
    size_t i;
    int k;
    (void)state;
    for (i = 0; i < N_MEMORY_ONE; ++i) {
        dlm_strategy_def d = compile(MEMORY_ONE[i].name);
        assert_int_equal(d.model.kind, DLM_STRAT_MEMORY_ONE);
        for (k = 0; k < 5; ++k) {
            if (fabs(d.memory_one[k] - MEMORY_ONE[i].p[k]) > 1e-12) {
                print_error("%s: p[%d] = %.17g, expected %.17g\n", MEMORY_ONE[i].name, k,
                            d.memory_one[k], MEMORY_ONE[i].p[k]);
                fail();
            }
            assert_true(d.model.threshold[k] == dlm_probability_threshold(d.memory_one[k]));
        }
    }
}

/* ------------------------------------------------------------------------------------
 * Moves against fixed opponents
 * ------------------------------------------------------------------------------------ */

/* Expected first 20 moves against allc, alld, cycle(SEQ1) and cycle(SEQ2), from
 * Axelrod-Python 4.14 (gradual: see test_gradual_departs_after_the_third_defection). */
/* clang-format off */
static const struct {
    const char *name;
    const char *vs_allc, *vs_alld, *vs_seq1, *vs_seq2;
} DETERMINISTIC[] = {
    {"allc", "CCCCCCCCCCCCCCCCCCCC", "CCCCCCCCCCCCCCCCCCCC", "CCCCCCCCCCCCCCCCCCCC", "CCCCCCCCCCCCCCCCCCCC"},
    {"alld", "DDDDDDDDDDDDDDDDDDDD", "DDDDDDDDDDDDDDDDDDDD", "DDDDDDDDDDDDDDDDDDDD", "DDDDDDDDDDDDDDDDDDDD"},
    {"tft", "CCCCCCCCCCCCCCCCCCCC", "CDDDDDDDDDDDDDDDDDDD", "CCDCCDDCCCDDDDCCDCDC", "CDDCDCCCDDCCCCCCCDDC"},
    {"tf2t", "CCCCCCCCCCCCCCCCCCCC", "CCDDDDDDDDDDDDDDDDDD", "CCCCCCDCCCCDDDCCCCCC", "CCDCCCCCCDCCCCCCCCDC"},
    {"tf3t", "CCCCCCCCCCCCCCCCCCCC", "CCCDDDDDDDDDDDDDDDDD", "CCCCCCCCCCCCDDCCCCCC", "CCCCCCCCCCCCCCCCCCCC"},
    {"2tft", "CCCCCCCCCCCCCCCCCCCC", "CDDDDDDDDDDDDDDDDDDD", "CCDDCDDDCCDDDDDCDDDD", "CDDDDDCCDDDCCCCCCDDD"},
    {"stft", "DCCCCCCCCCCCCCCCCCCC", "DDDDDDDDDDDDDDDDDDDD", "DCDCCDDCCCDDDDCCDCDC", "DDDCDCCCDDCCCCCCCDDC"},
    {"wsls", "CCCCCCCCCCCCCCCCCCCC", "CDCDCDCDCDCDCDCDCDCD", "CCDDDCDDDDCDCDDDCCDD", "CDCCDDDDCDDDDDDDDCDD"},
    {"wshls", "DCDCDCDCDCDCDCDCDCDC", "DDDDDDDDDDDDDDDDDDDD", "DCCDCCCDCDDDDDCDDCCD", "DDDCCDCDDDCDCDCDCCCD"},
    {"grim", "CCCCCCCCCCCCCCCCCCCC", "CDDDDDDDDDDDDDDDDDDD", "CCDDDDDDDDDDDDDDDDDD", "CDDDDDDDDDDDDDDDDDDD"},
    {"htft", "CCCCCCCCCCCCCCCCCCCC", "CDDDDDDDDDDDDDDDDDDD", "CCDDDDDDDCDDDDDDDDDD", "CDDDDDDCDDDDCCCCCDDD"},
    {"atft", "CDDDDDDDDDDDDDDDDDDD", "CCCCCCCCCCCCCCCCCCCC", "CDCDDCCDDDCCCCDDCDCD", "CCCDCDDDCCDDDDDDDCCD"},
    {"bully", "DDDDDDDDDDDDDDDDDDDD", "DCCCCCCCCCCCCCCCCCCC", "DDCDDCCDDDCCCCDDCDCD", "DCCDCDDDCCDDDDDDDCCD"},
    {"alt", "CDCDCDCDCDCDCDCDCDCD", "CDCDCDCDCDCDCDCDCDCD", "CDCDCDCDCDCDCDCDCDCD", "CDCDCDCDCDCDCDCDCDCD"},
    {"spite", "CCCCCCCCCCCCCCCCCCCC", "CDDDDDDDDDDDDDDDDDDD", "CCDCCDDDDDDDDDDDDDDD", "CDDDDDDDDDDDDDDDDDDD"},
    {"prober", "DCCDDDDDDDDDDDDDDDDD", "DCCDDDDDDDDDDDDDDDDD", "DCCCCDDCCCDDDDCCDCDC", "DCCCDCCCDDCCCCCCCDDC"},
    {"handshake", "CDDDDDDDDDDDDDDDDDDD", "CDDDDDDDDDDDDDDDDDDD", "CDCCCCCCCCCCCCCCCCCC", "CDDDDDDDDDDDDDDDDDDD"},
    {"cycler", "CCDCCDCCDCCDCCDCCDCC", "CCDCCDCCDCCDCCDCCDCC", "CCDCCDCCDCCDCCDCCDCC", "CCDCCDCCDCCDCCDCCDCC"},
    /* the 16-state cap: identical to Axelrod-Python until the opponent's 4th defection */
    {"gradual", "CCCCCCCCCCCCCCCCCCCC", "CDCCDDDCCDDDCCDDDCCD", "CCDCCDDCCCDDDCCCDDDC", "CDCCDDDCCDDDCCCCCDDD"},
};
/* clang-format on */

static void test_deterministic_classics_play_their_axelrod_moves(void **state)
{
    char seq1[256], seq2[256], got[64];
    size_t i;
    (void)state;
    cycle_fsm(SEQ1, seq1, sizeof seq1);
    cycle_fsm(SEQ2, seq2, sizeof seq2);
    /* the opponents themselves */
    assert_string_equal(moves_against(seq1, "allc", 20, got), "CDCCDDCCCDDDDCCDCDCC");
    assert_string_equal(moves_against(seq2, "alld", 20, got), "DDCDCCCDDCCCCCCCDDCD");
    for (i = 0; i < sizeof DETERMINISTIC / sizeof DETERMINISTIC[0]; ++i) {
        const char *name = DETERMINISTIC[i].name;
        const char *want[4] = {DETERMINISTIC[i].vs_allc, DETERMINISTIC[i].vs_alld,
                               DETERMINISTIC[i].vs_seq1, DETERMINISTIC[i].vs_seq2};
        const char *opp[4] = {"allc", "alld", seq1, seq2};
        int k;
        for (k = 0; k < 4; ++k) {
            moves_against(name, opp[k], 20, got);
            if (strcmp(got, want[k]) != 0) {
                print_error("%s vs %s: got %s, expected %s\n", name,
                            k < 2    ? opp[k]
                            : k == 2 ? "SEQ1"
                                     : "SEQ2",
                            got, want[k]);
                fail();
            }
        }
    }
}

static void test_tft_retaliates_once(void **state)
{
    char opp[128], got[32];
    (void)state;
    cycle_fsm("CDCCCCCCCCCCCCCC", opp, sizeof opp);
    assert_string_equal(moves_against("tft", opp, 8, got), "CCDCCCCC");
}

static void test_grim_never_forgives(void **state)
{
    char opp[128], got[32];
    (void)state;
    cycle_fsm("CDCCCCCCCCCCCCCC", opp, sizeof opp);
    assert_string_equal(moves_against("grim", opp, 16, got), "CCDDDDDDDDDDDDDD");
}

static void test_grim_ignores_its_own_execution_errors(void **state)
{
    /* grim sees only the opponent: its own flipped moves never trigger it */
    dlm_strategy_def g = compile("grim"), c = compile("allc");
    uint8_t trace[2000];
    uint32_t t, flipped = 0;
    (void)state;
    play(&g, &c, 2000, 3u, 0.2, 0.0, trace);
    for (t = 0; t < 2000; ++t) {
        assert_int_equal(trace[t] & DLM_TRACE_A_INTENDED, 0);
        flipped += (trace[t] & DLM_TRACE_A_REALISED) != 0;
    }
    assert_true(flipped > 200); /* the errors did happen */
}

static void test_tf2t_forgives_a_single_defection(void **state)
{
    char opp[128], got[32];
    (void)state;
    cycle_fsm("CDCDDCCC", opp, sizeof opp);
    assert_string_equal(moves_against("tf2t", opp, 8, got), "CCCCCDCC");
}

static void test_2tft_retaliates_twice(void **state)
{
    char opp[128], got[32];
    (void)state;
    cycle_fsm("CDCCCCCC", opp, sizeof opp);
    assert_string_equal(moves_against("2tft", opp, 8, got), "CCDDCCCC");
}

static void test_htft_remembers_three_rounds(void **state)
{
    char opp[128], got[32];
    (void)state;
    cycle_fsm("DCCCCCCCCCCCCCCC", opp, sizeof opp);
    assert_string_equal(moves_against("htft", opp, 8, got), "CDDDCCCC");
}

static void test_prober_exploits_allc(void **state)
{
    char got[32];
    double a, b;
    (void)state;
    assert_string_equal(moves_against("prober", "allc", 10, got), "DCCDDDDDDD");
    scores("prober", "allc", 200, &a, &b);
    assert_true(fabs(a - 996.0) < 1e-9 && fabs(b - 6.0) < 1e-9);
}

static void test_prober_plays_tft_when_punished(void **state)
{
    char opp[128], got[32];
    (void)state;
    cycle_fsm("CDCDCCCCCCCCCCCC", opp, sizeof opp); /* defects in rounds 2 and 4 */
    assert_string_equal(moves_against("prober", opp, 8, got), "DCCCDCCC");
}

static void test_handshake_cooperates_only_with_its_own_opening(void **state)
{
    char got[32], opp[128];
    (void)state;
    assert_string_equal(moves_against("handshake", "handshake", 8, got), "CDCCCCCC");
    cycle_fsm("CDDDDDDDDDDDDDDD", opp, sizeof opp);
    assert_string_equal(moves_against("handshake", opp, 6, got), "CDCCCC");
    cycle_fsm("CCDDDDDDDDDDDDDD", opp, sizeof opp);
    assert_string_equal(moves_against("handshake", opp, 6, got), "CDDDDD");
}

static void test_alt_switches_from_its_own_realised_move(void **state)
{
    /* under execution error the next intended move is the opposite of the realised one */
    dlm_strategy_def a = compile("alt"), c = compile("allc");
    uint8_t trace[5000];
    uint32_t t;
    (void)state;
    play(&a, &c, 5000, 11u, 0.1, 0.0, trace);
    for (t = 1; t < 5000; ++t) {
        int prev = (trace[t - 1] & DLM_TRACE_A_REALISED) != 0;
        int now = (trace[t] & DLM_TRACE_A_INTENDED) != 0;
        assert_int_equal(now, !prev);
    }
}

static void test_gradual_punishes_the_nth_defection_n_times_then_calms(void **state)
{
    char opp[128], got[32];
    (void)state;
    /* defections in rounds 2, 7, 14: answered by D, DD, DDD, each followed by CC */
    cycle_fsm("CDCCCCDCCCCCCDCC", opp, sizeof opp);
    assert_string_equal(moves_against("gradual", opp, 16, got), "CCDCCCCDDCCCCCDD");
    /* defections during a punishment count towards the next one */
    cycle_fsm("CDDCCCDCCCCCCCCC", opp, sizeof opp);
    assert_string_equal(moves_against("gradual", opp, 12, got), "CCDCCCCDDDCC");
}

static void test_gradual_departs_after_the_third_defection(void **state)
{
    char got[32];
    (void)state;
    /* Axelrod-Python's Gradual against alld: CDCCDDDDCCDDDDDDDDDD (punishments 1, 4,
     * 10, ... grow without bound); the 16-state machine caps them at 3 */
    assert_string_equal(moves_against("gradual", "alld", 20, got), "CDCCDDDCCDDDCCDDDCCD");
    assert_int_equal(memcmp(got, "CDCCDDDDCCDDDDDDDDDD", 7), 0);
}

static void test_cycler_ignores_the_opponent(void **state)
{
    char got[32];
    (void)state;
    assert_string_equal(moves_against("cycler", "alld", 9, got), "CCDCCDCCD");
}

/* ------------------------------------------------------------------------------------
 * Exact noiseless scores
 * ------------------------------------------------------------------------------------ */

static void test_exact_200_round_scores_match_axelrod(void **state)
{
    /* totals over 200 rounds, pd (3, 0, 5, 1), from Axelrod-Python 4.14 axl.Match */
    static const struct {
        const char *a, *b;
        double sa, sb;
    } cases[] = {
        {"tft", "alld", 199, 204},
        {"wsls", "alld", 100, 600},
        {"tf2t", "alt", 300, 800},
        {"grim", "tft", 600, 600},
        {"prober", "allc", 996, 6},
        {"prober", "tft", 599, 599},
        {"handshake", "handshake", 598, 598},
        {"2tft", "stft", 203, 203},
        {"htft", "cycler", 731, 76},
        {"spite", "alt", 498, 503},
        {"bully", "tft", 450, 450},
        {"atft", "alt", 400, 400},
        {"tf3t", "cycler", 402, 732},
        {"wsls", "stft", 401, 401},
        {"gradual", "tft", 600, 600},
        {"prober", "gradual", 599, 599},
        {"alld", "allc", 1000, 0},
        {"gzd", "allc", 600, 600},
        /* the capped gradual (Axelrod-Python's uncapped one: 187, 252): C D CC (DDD CC)* */
        {"gradual", "alld", 119, 524},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        double a, b;
        scores(cases[i].a, cases[i].b, 200, &a, &b);
        if (fabs(a - cases[i].sa) > 1e-9 || fabs(b - cases[i].sb) > 1e-9) {
            print_error("%s vs %s: %g/%g, expected %g/%g\n", cases[i].a, cases[i].b, a, b,
                        cases[i].sa, cases[i].sb);
            fail();
        }
    }
}

/* ------------------------------------------------------------------------------------
 * Stochastic strategies
 * ------------------------------------------------------------------------------------ */

static void test_random_cooperates_with_probability_p(void **state)
{
    static const char *const texts[] = {"random(0.3)", "random(p=0.3)", "random"};
    static const double probs[] = {0.3, 0.3, 0.5};
    const uint32_t n = 100000;
    uint8_t *trace = malloc(n);
    size_t k;
    (void)state;
    assert_non_null(trace);
    for (k = 0; k < 3; ++k) {
        dlm_strategy_def r = compile(texts[k]), c = compile("allc");
        uint64_t coop = 0;
        uint32_t t;
        play(&r, &c, n, 5u + k, 0.0, 0.0, trace);
        for (t = 0; t < n; ++t)
            coop += !(trace[t] & DLM_TRACE_A_REALISED);
        assert_rate(texts[k], coop, n, probs[k]);
    }
    free(trace);
}

static void test_joss_cooperates_90_percent_after_c_and_never_after_d(void **state)
{
    const uint32_t n = 100000;
    uint8_t *trace = malloc(n);
    char got[32];
    dlm_strategy_def j = compile("joss"), c = compile("allc");
    uint64_t coop = 0;
    uint32_t t;
    (void)state;
    assert_non_null(trace);
    play(&j, &c, n, 9u, 0.0, 0.0, trace);
    assert_int_equal(trace[0] & DLM_TRACE_A_REALISED, 0); /* first move C */
    for (t = 1; t < n; ++t)
        coop += !(trace[t] & DLM_TRACE_A_REALISED);
    assert_rate("joss after C", coop, n - 1, 0.9);
    assert_string_equal(moves_against("joss", "alld", 12, got), "CDDDDDDDDDDD");
    free(trace);
}

/* Every stochastic classic, against a fixed sequence: the rate of C after each outcome
 * is its probability within 4 standard errors (exactly 0 or 1 where it is 0 or 1). */
static void test_stochastic_classics_cooperate_at_their_rates(void **state)
{
    const uint32_t n = 200000;
    uint8_t *trace = malloc(n);
    char seq[256];
    size_t i;
    (void)state;
    assert_non_null(trace);
    cycle_fsm(SEQ2, seq, sizeof seq);
    for (i = 0; i < N_MEMORY_ONE; ++i) {
        dlm_strategy_def x = compile(MEMORY_ONE[i].name), y = compile(seq);
        uint64_t seen[4] = {0, 0, 0, 0}, coop[4] = {0, 0, 0, 0};
        uint32_t t;
        int s;
        if (!dlm_strategy_is_stochastic(&x.model))
            continue;
        play(&x, &y, n, 100u + i, 0.0, 0.0, trace);
        for (t = 1; t < n; ++t) {
            int prev = ((trace[t - 1] & DLM_TRACE_A_REALISED) ? 2 : 0) |
                       ((trace[t - 1] & DLM_TRACE_B_REALISED) ? 1 : 0);
            seen[prev]++;
            coop[prev] += !(trace[t] & DLM_TRACE_A_REALISED);
        }
        for (s = 0; s < 4; ++s) {
            double p = MEMORY_ONE[i].p[1 + s];
            char what[64];
            snprintf(what, sizeof what, "%s after outcome %d", MEMORY_ONE[i].name, s);
            if (seen[s] < 100)
                continue;
            if (p == 0.0 || p == 1.0)
                assert_true(coop[s] == (p == 1.0 ? seen[s] : 0u));
            else
                assert_rate(what, coop[s], seen[s], p);
        }
    }
    free(trace);
}

static void test_extort_conditional_rates_against_allc(void **state)
{
    /* against allc only CC and DC occur: C follows with 11/13 and 7/26 */
    const uint32_t n = 200000;
    uint8_t *trace = malloc(n);
    dlm_strategy_def x = compile("extort"), c = compile("allc");
    uint64_t seen[2] = {0, 0}, coop[2] = {0, 0};
    uint32_t t;
    (void)state;
    assert_non_null(trace);
    play(&x, &c, n, 21u, 0.0, 0.0, trace);
    for (t = 1; t < n; ++t) {
        int was_d = (trace[t - 1] & DLM_TRACE_A_REALISED) != 0;
        seen[was_d]++;
        coop[was_d] += !(trace[t] & DLM_TRACE_A_REALISED);
    }
    assert_rate("extort after CC", coop[0], seen[0], 11.0 / 13.0);
    assert_rate("extort after DC", coop[1], seen[1], 7.0 / 26.0);
    free(trace);
}

/* ------------------------------------------------------------------------------------
 * Zero-determinant strategies
 * ------------------------------------------------------------------------------------ */

static void test_zd_vectors_match_the_literature(void **state)
{
    dlm_strategy_def d;
    const double e3[4] = {11.0 / 13, 0.5, 7.0 / 26, 0};  /* Press & Dyson 2012 */
    const double e2[4] = {8.0 / 9, 0.5, 1.0 / 3, 0};     /* Stewart & Plotkin 2012, Extort-2 */
    const double g2[4] = {1, 1.0 / 8, 1, 1.0 / 4};       /* ZDGTFT-2 */
    const double eq[4] = {2.0 / 3, 0, 2.0 / 3, 1.0 / 3}; /* Press & Dyson's equalizer */
    int k;
    (void)state;
    d = compile("extort(chi=3)");
    for (k = 0; k < 4; ++k)
        assert_true(fabs(d.memory_one[k + 1] - e3[k]) < 1e-12);
    assert_string_equal(d.label, "extort");
    d = compile("extort(chi=2)");
    for (k = 0; k < 4; ++k)
        assert_true(fabs(d.memory_one[k + 1] - e2[k]) < 1e-12);
    assert_string_equal(d.label, "extort(chi=2)");
    d = compile("gzd");
    for (k = 0; k < 4; ++k)
        assert_true(fabs(d.memory_one[k + 1] - g2[k]) < 1e-12);
    d = compile("equalizer(score=2)");
    for (k = 0; k < 4; ++k)
        assert_true(fabs(d.memory_one[k + 1] - eq[k]) < 1e-12);
    assert_string_equal(d.label, "equalizer");
}

static void test_extort_enforces_chi_times_the_opponents_surplus(void **state)
{
    static const double chis[] = {1.0, 1.5, 2.0, 3.0, 5.0};
    dlm_game games[3];
    size_t gi, ci, o;
    dlm_error err;
    (void)state;
    games[0] = pd_game();
    assert_int_equal(dlm_game_preset("donation", NAN, NAN, &games[1], &err), DLM_OK);
    games[2] = custom_game(4, -1, 6, 0.5);
    for (gi = 0; gi < 3; ++gi)
        for (ci = 0; ci < sizeof chis / sizeof chis[0]; ++ci) {
            char text[64];
            dlm_strategy_def x;
            snprintf(text, sizeof text, "extort(chi=%g)", chis[ci]);
            x = compile_for(text, &games[gi]);
            for (o = 0; o < N_OPPONENTS; ++o) {
                double sx, sy, P = games[gi].P;
                /* the opponent errs (1%), so every chain is ergodic; X's own errors would
                 * break the exact relation, so X plays without them */
                long_run(&games[gi], x.memory_one, OPPONENTS[o], 0.01, &sx, &sy);
                if (fabs((sx - P) - chis[ci] * (sy - P)) > 1e-9) {
                    print_error("%s in %s vs opponent %zu: s_X=%.12f s_Y=%.12f\n", text,
                                games[gi].name, o, sx, sy);
                    fail();
                }
            }
        }
}

static void test_extort_against_allc_earns_41_over_11(void **state)
{
    dlm_game g = pd_game();
    dlm_strategy_def x = compile("extort");
    double sx, sy;
    (void)state;
    long_run(&g, x.memory_one, OPPONENTS[0], 0.0, &sx, &sy);
    assert_true(fabs(sx - 41.0 / 11) < 1e-12);
    assert_true(fabs(sy - 21.0 / 11) < 1e-12);
}

static void test_gzd_enforces_the_generous_relation(void **state)
{
    dlm_game g = pd_game();
    static const char *const texts[] = {"gzd", "gzd(chi=3)", "gzd(1.5)"};
    static const double chis[] = {2.0, 3.0, 1.5};
    size_t i, o;
    (void)state;
    for (i = 0; i < 3; ++i) {
        dlm_strategy_def x = compile(texts[i]);
        for (o = 0; o < N_OPPONENTS; ++o) {
            double sx, sy;
            long_run(&g, x.memory_one, OPPONENTS[o], 0.01, &sx, &sy);
            assert_true(fabs((sx - g.R) - chis[i] * (sy - g.R)) < 1e-9);
        }
    }
}

static void test_equalizer_fixes_the_opponents_payoff(void **state)
{
    dlm_game g = pd_game();
    static const char *const texts[] = {"equalizer", "equalizer(score=1.5)", "equalizer(2.75)"};
    static const double targets[] = {2.0, 1.5, 2.75};
    size_t i, o;
    (void)state;
    for (i = 0; i < 3; ++i) {
        dlm_strategy_def x = compile(texts[i]);
        for (o = 0; o < N_OPPONENTS; ++o) {
            double sx, sy;
            long_run(&g, x.memory_one, OPPONENTS[o], 0.01, &sx, &sy);
            if (fabs(sy - targets[i]) > 1e-9) {
                print_error("%s vs opponent %zu: s_Y = %.12f\n", texts[i], o, sy);
                fail();
            }
        }
    }
}

/* Expected payoff totals of A and B over a match of `rounds` rounds between memory-one A
 * (pa) and B (pb, own view), B's moves flipped with probability eb: the outcome
 * distribution propagated round by round through the 4-state chain. */
static void expected_totals(const dlm_game *g, const double pa[5], const double pb[5], double eb,
                            uint32_t rounds, double *ta, double *tb)
{
    double dist[4], x0 = pa[0], y0 = pb[0] * (1.0 - 2.0 * eb) + eb;
    uint32_t t;
    int s, n;
    dist[0] = x0 * y0, dist[1] = x0 * (1 - y0), dist[2] = (1 - x0) * y0;
    dist[3] = (1 - x0) * (1 - y0);
    *ta = *tb = 0.0;
    for (t = 0; t < rounds; ++t) {
        double next[4] = {0, 0, 0, 0};
        *ta += dist[0] * g->R + dist[1] * g->S + dist[2] * g->T + dist[3] * g->P;
        *tb += dist[0] * g->R + dist[1] * g->T + dist[2] * g->S + dist[3] * g->P;
        for (s = 0; s < 4; ++s) {
            double x = pa[1 + s], y = pb[1 + (((s & 1) << 1) | (s >> 1))] * (1.0 - 2.0 * eb) + eb;
            for (n = 0; n < 4; ++n)
                next[n] += dist[s] * ((n >> 1) ? 1.0 - x : x) * ((n & 1) ? 1.0 - y : y);
        }
        memcpy(dist, next, sizeof dist);
    }
}

static void test_engine_agrees_with_the_markov_chain_for_zd_strategies(void **state)
{
    /* independent 200-round matches through the real engine: the mean totals lie within
     * 4 standard errors (from the sample itself) of the exact expectations */
    static const char *const pairs[][2] = {
        {"extort", "wsls"}, {"gzd", "tft"}, {"equalizer", "stft"}};
    const int matches = 4000;
    dlm_game g = pd_game();
    size_t k;
    (void)state;
    for (k = 0; k < 3; ++k) {
        dlm_strategy_def x = compile(pairs[k][0]), y = compile(pairs[k][1]);
        double ea, eb, sum[2] = {0, 0}, sq[2] = {0, 0};
        int i, who;
        expected_totals(&g, x.memory_one, y.memory_one, 0.01, 200, &ea, &eb);
        for (i = 0; i < matches; ++i) {
            dlm_match_result r = play(&x, &y, 200, 1000u + (uint64_t)i, 0.0, 0.01, NULL);
            uint64_t o[4] = {r.outcome[0], r.outcome[1], r.outcome[2], r.outcome[3]};
            double v[2];
            dlm_game_payoffs(&g, o, r.rounds, &v[0], &v[1]);
            for (who = 0; who < 2; ++who) {
                sum[who] += v[who] * 200.0;
                sq[who] += v[who] * 200.0 * v[who] * 200.0;
            }
        }
        for (who = 0; who < 2; ++who) {
            double mean = sum[who] / matches, var = sq[who] / matches - mean * mean;
            double se = sqrt(var / (matches - 1)), want = who ? eb : ea;
            if (!(fabs(mean - want) <= 4.0 * se)) {
                print_error("%s vs %s, player %d: mean total %.4f, exact %.4f, se %.4f\n",
                            pairs[k][0], pairs[k][1], who, mean, want, se);
                fail();
            }
        }
    }
}

static void test_zd_strategies_refuse_games_without_a_valid_vector(void **state)
{
    dlm_game snow, pd = pd_game(), flat = custom_game(1, 1, 1, 1);
    dlm_strategy_def d;
    dlm_error err;
    (void)state;
    assert_int_equal(dlm_game_preset("snowdrift", NAN, NAN, &snow, &err), DLM_OK);
    assert_int_equal(dlm_strategy_parse("extort", &snow, &d, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "no valid probability vector"));
    assert_int_equal(dlm_strategy_parse("gzd", &flat, &d, &err), DLM_ERR_USAGE);
    assert_int_equal(dlm_strategy_parse("equalizer(score=4)", &pd, &d, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "outside [P, R]"));
    assert_int_equal(dlm_strategy_parse("extort(chi=0.5)", &pd, &d, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "must be >= 1"));
}

/* ------------------------------------------------------------------------------------
 * gtft and parameters
 * ------------------------------------------------------------------------------------ */

static void test_gtft_default_q_follows_the_game(void **state)
{
    dlm_game don, clamp = custom_game(3, 0, 10, 1), bad = custom_game(3, 3, 5, 1);
    dlm_strategy_def d;
    dlm_error err;
    (void)state;
    d = compile("gtft");
    assert_true(fabs(d.memory_one[2] - 1.0 / 3) < 1e-12 && fabs(d.memory_one[4] - 1.0 / 3) < 1e-12);
    assert_int_equal(dlm_game_preset("donation", NAN, NAN, &don, &err), DLM_OK);
    d = compile_for("gtft", &don); /* R=1, S=-1, T=2, P=0: min(1/2, 1/2) */
    assert_true(fabs(d.memory_one[2] - 0.5) < 1e-12);
    d = compile_for("gtft", &clamp); /* 1 - 7/3 < 0: clamped to 0 */
    assert_true(d.memory_one[2] == 0.0);
    assert_int_equal(dlm_strategy_parse("gtft", &bad, &d, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "undefined"));
    d = compile_for("gtft(q=0.1)", &bad); /* an explicit q needs no default */
    assert_true(d.memory_one[2] == 0.1);
}

static void test_parameters_positional_or_named_give_the_same_strategy(void **state)
{
    dlm_strategy_def a = compile("gtft(0.25)"), b = compile("gtft(q=0.25)"),
                     c = compile(" gtft ( q = 0.25 ) "), d = compile("gtft(q=1/4)");
    (void)state;
    assert_memory_equal(&a, &b, sizeof a);
    assert_memory_equal(&a, &c, sizeof a);
    assert_memory_equal(&a, &d, sizeof a);
    assert_string_equal(a.label, "gtft(q=0.25)");
    assert_string_equal(compile("joss(p=0.9)").label, "joss"); /* the default is not written */
    assert_string_equal(compile("random(0.3)").label, "random(p=0.3)");
    assert_string_equal(compile("swsls(ep=0.1)").label, "swsls(ep=0.1)");
    assert_string_equal(compile("tft()").label, "tft");
}

static void test_null_game_means_the_pd(void **state)
{
    dlm_strategy_def d;
    dlm_error err;
    (void)state;
    assert_int_equal(dlm_strategy_parse("extort", NULL, &d, &err), DLM_OK);
    assert_true(fabs(d.memory_one[1] - 11.0 / 13) < 1e-12);
}

/* ------------------------------------------------------------------------------------
 * Inline forms
 * ------------------------------------------------------------------------------------ */

static void test_inline_forms_round_trip(void **state)
{
    static const struct {
        const char *text, *label, *describe;
    } cases[] = {
        {"m1(1,1,0,1,0)", "m1(1,1,0,1,0)", "memory-one p0=1 pCC=1 pCD=0 pDC=1 pDD=0"},
        {" m1( 1 , 0.5,2/4 ,0.25, 0 ) ", "m1(1,0.5,0.5,0.25,0)",
         "memory-one p0=1 pCC=0.5 pCD=0.5 pDC=0.25 pDD=0"},
        {"m1(1,1,1/3,1,1e-3)", "m1(1,1,0.3333333333333333,1,0.001)",
         "memory-one p0=1 pCC=1 pCD=0.3333333333333333 pDC=1 pDD=0.001"},
        {"lookup(1,C,CDCD)", "lookup(1,C,CDCD)", "lookup n=1 opening=C table=CDCD"},
        {"lookup( 2 , CD , CDDDCDDDCDDDCDDD )", "lookup(2,CD,CDDDCDDDCDDDCDDD)",
         "lookup n=2 opening=CD table=CDDDCDDDCDDDCDDD"},
        {"fsm(C:0:1,D:0:1)", "fsm(C:0:1,D:0:1)", "fsm 2 states: 0:C->0/1 1:D->0/1"},
        {"fsm( C : 0 : 1 , D:0:1 )", "fsm(C:0:1,D:0:1)", "fsm 2 states: 0:C->0/1 1:D->0/1"},
        {"fsm(D:0:0)", "fsm(D:0:0)", "fsm 1 state: 0:D->0/0"},
        {"gtft(q=0.25)", "gtft(q=0.25)", "memory-one p0=1 pCC=1 pCD=0.25 pDC=1 pDD=0.25"},
        {"tft", "tft", "memory-one p0=1 pCC=1 pCD=0 pDC=1 pDD=0"},
        {"grim", "grim", "fsm 2 states: 0:C->0/1 1:D->1/1"},
        {"tf2t", "tf2t", "lookup n=2 opening=CC table=CCCDCCCDCCCDCCCD"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        dlm_strategy_def a = compile(cases[i].text), b;
        char line[512];
        assert_string_equal(a.label, cases[i].label);
        assert_string_equal(dlm_strategy_describe(&a, line, sizeof line), cases[i].describe);
        b = compile(a.label);
        assert_memory_equal(&a.model, &b.model, sizeof a.model);
        assert_memory_equal(a.memory_one, b.memory_one, sizeof a.memory_one);
    }
}

static void test_inline_forms_compile_to_the_documented_bits(void **state)
{
    dlm_strategy_def d;
    (void)state;
    d = compile("lookup(1,C,CDCD)");
    assert_int_equal(d.model.kind, DLM_STRAT_LOOKUP);
    assert_int_equal(d.model.depth, 1);
    assert_int_equal(d.model.opening, 0);
    assert_true(d.model.table == 0xAu);
    d = compile("lookup(2,CD,DCCCCCCCCCCCCCCD)");
    assert_int_equal(d.model.opening, 2);
    assert_true(d.model.table == 0x8001u);
    d = compile("lookup(3,DDD,DCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCD)");
    assert_int_equal(d.model.depth, 3);
    assert_int_equal(d.model.opening, 7);
    assert_true(d.model.table == 0x8000000000000001ull);
    d = compile("fsm(C:0:1,D:2:1,D:0:1)");
    assert_int_equal(d.model.kind, DLM_STRAT_FSM);
    assert_int_equal(d.model.depth, 3);
    assert_int_equal(d.model.opening, 0);
    assert_int_equal(d.model.fsm_output, 6);
    assert_true(d.model.fsm_next_c == 0x020u);
    assert_true(d.model.fsm_next_d == 0x111u);
}

static void test_lookup_letters_follow_cc_cd_dc_dd_order(void **state)
{
    char seq[256], a[32], b[32];
    (void)state;
    cycle_fsm(SEQ1, seq, sizeof seq);
    assert_string_equal(moves_against("lookup(1,C,CDCD)", seq, 20, a),
                        moves_against("tft", seq, 20, b));
    assert_string_equal(moves_against("lookup(1,C,CDDC)", seq, 20, a),
                        moves_against("wsls", seq, 20, b));
    assert_string_equal(moves_against("lookup(1,C,DDCC)", seq, 20, a),
                        moves_against("alt", seq, 20, b));
    assert_string_equal(moves_against("fsm(C:0:1,D:0:1)", seq, 20, a),
                        moves_against("tft", seq, 20, b));
    /* a 2-deep table opening C then D: its second move ignores the first outcome */
    assert_string_equal(moves_against("lookup(2,CD,CCCCCCCCCCCCCCCC)", "alld", 5, a), "CDCCC");
}

static void test_a_16_state_fsm_with_long_label_is_cut_visibly(void **state)
{
    char text[512];
    size_t used = 0;
    int s;
    dlm_strategy_def d;
    (void)state;
    used += (size_t)snprintf(text + used, sizeof text - used, "fsm(");
    for (s = 0; s < 16; ++s)
        used += (size_t)snprintf(text + used, sizeof text - used, "%sC:15:14", s ? "," : "");
    snprintf(text + used, sizeof text - used, ")");
    d = compile(text);
    assert_int_equal(d.model.depth, 16);
    assert_true(d.model.fsm_next_c == 0xFFFFFFFFFFFFFFFFull);
    assert_true(d.model.fsm_next_d == 0xEEEEEEEEEEEEEEEEull);
    assert_int_equal(strlen(d.label), sizeof d.label - 1);
    assert_string_equal(d.label + sizeof d.label - 4, "...");
}

/* ------------------------------------------------------------------------------------
 * Malformed input
 * ------------------------------------------------------------------------------------ */

static void test_malformed_inputs_are_usage_errors_that_say_why(void **state)
{
    static const struct {
        const char *text, *says;
    } cases[] = {
        {"", "empty strategy"},
        {"   \t ", "empty strategy"},
        {"m1(", "missing ')'"},
        {"m1", "needs its arguments"},
        {"m1(1,1,0,1)", "takes 5 probabilities in [0, 1], got 4"},
        {"m1(1,1,0,1,0,1)", "got 6"},
        {"m1(1,1,0,1,2)", "pDD = 2 is outside [0, 1]"},
        {"m1(1,1,0,1,-0.1)", "outside [0, 1]"},
        {"m1(1,1,0,1,nan)", "not a number"},
        {"m1(1,1,0,1,inf)", "not a number"},
        {"m1(1,1,0,1,1e999)", "not a number"},
        {"m1(1,1,0,1,0.5x)", "not a number"},
        {"m1(1,1,0,1,1/0)", "not a number"},
        {"m1(1,,0,1,0)", "argument 2 is empty"},
        {"m1((1),1,1,1,1)", "do not nest"},
        {"lookup(4,CCCC,CDCD)", "must be 1, 2 or 3"},
        {"lookup(0,C,CDCD)", "must be 1, 2 or 3"},
        {"lookup(1.5,C,CDCD)", "must be 1, 2 or 3"},
        {"lookup(1,CC,CDCD)", "opening for n=1 needs 1 letter C/D, got 2"},
        {"lookup(2,CC,CDCDCDCDCDCDCDC)", "table for n=2 needs 16 letters C/D, got 15"},
        {"lookup(1,C,CdCD)", "only C and D"},
        {"lookup(1,C)", "takes 3 arguments"},
        {"fsm()", "needs 1 to 16 states"},
        {"fsm(C:0:5)", "goes to state 5 but the machine has 1 state"},
        {"fsm(C:0:1,C:0:1,C:0:1,C:0:9)",
         "fsm state 3 goes to state 9 but the machine has 4 states"},
        {"fsm(X:0:0)", "must be C or D"},
        {"fsm(C:0)", "M:c:d"},
        {"fsm(C:0:0:0)", "M:c:d"},
        {"fsm(C:-1:0)", "not a state number"},
        {"fsm(C::0)", "not a state number"},
        {"fsm(C:0:0,C:0:0,C:0:0,C:0:0,C:0:0,C:0:0,C:0:0,C:0:0,C:0:0,C:0:0,C:0:0,C:0:0,C:0:0,"
         "C:0:0,C:0:0,C:0:0,C:0:0)",
         "needs 1 to 16 states M:c:d, got 17"},
        {"tft(3)", "tft takes no parameters"},
        {"gtft(q=2)", "q = 2 is outside [0, 1]"},
        {"gtft(z=0.1)", "gtft: unknown parameter 'z' (allowed: q)"},
        {"gtft(0.1,0.2)", "takes 1 parameter (q), got 2"},
        {"gtft(q=)", "not a number"},
        {"gtft(q=0.1", "missing ')'"},
        {"random(p=nan)", "not a number"},
        {"joss(p=-1)", "outside [0, 1]"},
        {"extort(chi=0.5)", "must be >= 1"},
        {"nosuch", "unknown strategy 'nosuch'"},
        {"tfx", "did you mean 'tft'?"},
        {"TFT", "did you mean 'tft'?"},
        {"gradaul", "did you mean 'gradual'?"},
        {"tft garbage", "unexpected text 'garbage' after 'tft'"},
        {"tft()x", "after the closing ')'"},
        {"tft)", "unexpected text ')'"},
        {"(1,2)", "expected a strategy name"},
        {"\x01\xff", "expected a strategy name"},
        {"tft\n;rm", "unexpected text"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        dlm_strategy_def d;
        dlm_error err;
        dlm_status st;
        memset(&d, 0x5A, sizeof d);
        err.message[0] = '\0';
        st = dlm_strategy_parse(cases[i].text, NULL, &d, &err);
        if (st != DLM_ERR_USAGE || !strstr(err.message, cases[i].says)) {
            print_error("input '%s': status %d, message '%s' (wanted '%s')\n", cases[i].text,
                        (int)st, err.message, cases[i].says);
            fail();
        }
        assert_int_equal(err.status, DLM_ERR_USAGE);
        assert_int_equal(d.model.kind, 0); /* nothing half-compiled is left behind */
    }
}

static void test_very_long_inputs_fail_cleanly(void **state)
{
    const size_t n = 10240;
    char *text = malloc(n + 1);
    dlm_strategy_def d;
    dlm_error err;
    size_t i;
    (void)state;
    assert_non_null(text);
    /* 10 kB of name */
    memset(text, 'a', n);
    text[n] = '\0';
    assert_int_equal(dlm_strategy_parse(text, NULL, &d, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "longer than"));
    assert_true(strlen(err.message) < 300);
    /* 10 kB of m1 arguments */
    memcpy(text, "m1(", 3);
    for (i = 3; i + 4 < n; i += 4)
        memcpy(text + i, "0.5,", 4);
    text[i] = '\0';
    assert_int_equal(dlm_strategy_parse(text, NULL, &d, &err), DLM_ERR_USAGE);
    /* 4000 characters: within the limit, still refused with a short message */
    memset(text, 'z', 4000);
    text[4000] = '\0';
    assert_int_equal(dlm_strategy_parse(text, NULL, &d, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "unknown strategy"));
    assert_true(strlen(err.message) < 300);
    /* a 300-digit probability and a 3000-state fsm */
    strcpy(text, "m1(1,1,1,1,0.");
    memset(text + 13, '1', 300);
    strcpy(text + 313, ")");
    assert_int_equal(dlm_strategy_parse(text, NULL, &d, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "not a number"));
    strcpy(text, "fsm(");
    for (i = 4; i + 6 < 4000; i += 6)
        memcpy(text + i, "C:0:0,", 6);
    memcpy(text + i - 1, ")", 2);
    assert_int_equal(dlm_strategy_parse(text, NULL, &d, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "needs 1 to 16 states"));
    free(text);
}

/* A small deterministic fuzzer: mutations of valid strategy texts must compile or fail
 * with DLM_ERR_USAGE and a message, never crash (run under ASan by DLM_SANITIZE). */
static void test_mutated_strategy_texts_never_crash(void **state)
{
    static const char *const seeds[] = {"m1(1,0.5,2/3,0,1)",
                                        "lookup(2,CD,CDDDCDDDCDDDCDDD)",
                                        "fsm(C:0:1,D:2:1,D:0:1)",
                                        "gtft(q=0.25)",
                                        "extort(chi=2)",
                                        "equalizer(score=1.5)",
                                        "gradual",
                                        "random(0.3)"};
    static const char alphabet[] = "CD01239:,()=./ qpchimlookupfsm-e\t\x80";
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    int iter;
    (void)state;
    for (iter = 0; iter < 20000; ++iter) {
        char text[96];
        size_t len, k, edits;
        dlm_strategy_def d;
        dlm_error err;
        dlm_status st;
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        snprintf(text, sizeof text, "%s", seeds[(rng >> 33) % (sizeof seeds / sizeof seeds[0])]);
        edits = 1 + (rng >> 60) % 4;
        for (k = 0; k < edits; ++k) {
            size_t pos;
            char c;
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            len = strlen(text);
            pos = len ? (size_t)((rng >> 20) % len) : 0;
            c = alphabet[(rng >> 40) % (sizeof alphabet - 1)];
            switch ((rng >> 58) % 3) {
            case 0: /* replace */
                if (len)
                    text[pos] = c;
                break;
            case 1: /* insert */
                if (len + 2 < sizeof text) {
                    memmove(text + pos + 1, text + pos, len - pos + 1);
                    text[pos] = c;
                }
                break;
            default: /* delete */
                if (len)
                    memmove(text + pos, text + pos + 1, len - pos);
                break;
            }
        }
        err.message[0] = '\0';
        st = dlm_strategy_parse(text, NULL, &d, &err);
        if (st == DLM_OK) {
            char line[512];
            assert_true(d.model.kind >= DLM_STRAT_MEMORY_ONE && d.model.kind <= DLM_STRAT_FSM);
            assert_true(strlen(d.label) > 0);
            dlm_strategy_describe(&d, line, sizeof line);
        } else {
            assert_int_equal(st, DLM_ERR_USAGE);
            assert_true(strlen(err.message) > 10);
        }
    }
}

static void test_describe_never_overruns_its_buffer(void **state)
{
    dlm_strategy_def d = compile("gradual");
    char buf[40];
    size_t size;
    (void)state;
    for (size = 1; size < 24; ++size) {
        memset(buf, '#', sizeof buf);
        dlm_strategy_describe(&d, buf, size);
        assert_true(strlen(buf) < size);
        assert_int_equal(buf[size], '#');
    }
    assert_null(dlm_strategy_describe(&d, NULL, 10));
    buf[0] = 'x';
    dlm_strategy_describe(&d, buf, 0);
    assert_int_equal(buf[0], 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_library_has_25_documented_unique_entries),
        cmocka_unit_test(test_every_entry_compiles_to_its_name_and_reparses),
        cmocka_unit_test(test_required_names_are_present),
        cmocka_unit_test(test_memory_one_classics_compile_to_their_vectors),
        cmocka_unit_test(test_deterministic_classics_play_their_axelrod_moves),
        cmocka_unit_test(test_tft_retaliates_once),
        cmocka_unit_test(test_grim_never_forgives),
        cmocka_unit_test(test_grim_ignores_its_own_execution_errors),
        cmocka_unit_test(test_tf2t_forgives_a_single_defection),
        cmocka_unit_test(test_2tft_retaliates_twice),
        cmocka_unit_test(test_htft_remembers_three_rounds),
        cmocka_unit_test(test_prober_exploits_allc),
        cmocka_unit_test(test_prober_plays_tft_when_punished),
        cmocka_unit_test(test_handshake_cooperates_only_with_its_own_opening),
        cmocka_unit_test(test_alt_switches_from_its_own_realised_move),
        cmocka_unit_test(test_gradual_punishes_the_nth_defection_n_times_then_calms),
        cmocka_unit_test(test_gradual_departs_after_the_third_defection),
        cmocka_unit_test(test_cycler_ignores_the_opponent),
        cmocka_unit_test(test_exact_200_round_scores_match_axelrod),
        cmocka_unit_test(test_random_cooperates_with_probability_p),
        cmocka_unit_test(test_joss_cooperates_90_percent_after_c_and_never_after_d),
        cmocka_unit_test(test_stochastic_classics_cooperate_at_their_rates),
        cmocka_unit_test(test_extort_conditional_rates_against_allc),
        cmocka_unit_test(test_zd_vectors_match_the_literature),
        cmocka_unit_test(test_extort_enforces_chi_times_the_opponents_surplus),
        cmocka_unit_test(test_extort_against_allc_earns_41_over_11),
        cmocka_unit_test(test_gzd_enforces_the_generous_relation),
        cmocka_unit_test(test_equalizer_fixes_the_opponents_payoff),
        cmocka_unit_test(test_engine_agrees_with_the_markov_chain_for_zd_strategies),
        cmocka_unit_test(test_zd_strategies_refuse_games_without_a_valid_vector),
        cmocka_unit_test(test_gtft_default_q_follows_the_game),
        cmocka_unit_test(test_parameters_positional_or_named_give_the_same_strategy),
        cmocka_unit_test(test_null_game_means_the_pd),
        cmocka_unit_test(test_inline_forms_round_trip),
        cmocka_unit_test(test_inline_forms_compile_to_the_documented_bits),
        cmocka_unit_test(test_lookup_letters_follow_cc_cd_dc_dd_order),
        cmocka_unit_test(test_a_16_state_fsm_with_long_label_is_cut_visibly),
        cmocka_unit_test(test_malformed_inputs_are_usage_errors_that_say_why),
        cmocka_unit_test(test_very_long_inputs_fail_cleanly),
        cmocka_unit_test(test_mutated_strategy_texts_never_crash),
        cmocka_unit_test(test_describe_never_overruns_its_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

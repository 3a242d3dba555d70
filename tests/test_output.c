/* test_output.c — what the output layer promises: doubles print so they read back
 * exactly (and no longer than needed), CSV fields are quoted as RFC 4180 asks, formats
 * follow file extensions, tournament entrants get distinct labels built from what
 * differs, and the uncertainty figures: the standard error helper, `dilemma match
 * --repetitions` (repetition 0 is the single match; repetitions are independent; the
 * mean lands within four standard errors of the exact answer) and a tournament's
 * standard errors and per-repetition figures. */
#define _POSIX_C_SOURCE 200809L /* fmemopen */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "run/analyze.h"
#include "backends/backend.h"
#include "output/output.h"
#include "run/play.h"
#include "model/strategies.h"

#define assert_double_equal(a, b, eps) check_close((a), (b), (eps), #a, __FILE__, __LINE__)
static void check_close(double a, double b, double eps, const char *what, const char *file,
                        int line)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("%s:%d: %s = %.17g, expected %.17g (within %g)", file, line, what, a, b, eps);
}

/* --- doubles ---------------------------------------------------------------------------- */

static void round_trips(double x, const char *expected)
{
    char buf[DLM_DOUBLE_TEXT];
    double back;
    dlm_format_double(buf, x);
    back = strtod(buf, NULL);
    if (memcmp(&back, &x, sizeof x) != 0)
        fail_msg("%.17g printed as '%s' reads back as %.17g", x, buf, back);
    if (expected && strcmp(buf, expected) != 0)
        fail_msg("%.17g printed as '%s', expected '%s'", x, buf, expected);
}

static void test_doubles_read_back_exactly(void **state)
{
    static const double tricky[] = {0.1, 0.2, 0.3, 1.0 / 3.0, 2.0 / 3.0, 0.49564, 1e-300,
                                    5e-324, 2.2250738585072014e-308, DBL_MAX, -DBL_MAX,
                                    DBL_MIN, DBL_EPSILON, 1.0 + DBL_EPSILON, 123456789012345678.0,
                                    9007199254740993.0, 0.1 + 0.2, 1e23, 8.41e21, 5e-324 * 3,
                                    -1.5, 3.0, 0.0};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof tricky / sizeof tricky[0]; ++i)
        round_trips(tricky[i], NULL);
    /* ... and no longer than needed. */
    round_trips(0.1, "0.1");
    round_trips(0.49564, "0.49564");
    round_trips(3.0, "3");
    round_trips(1.0 / 3.0, "0.3333333333333333");
    round_trips(0.1 + 0.2, "0.30000000000000004");
    round_trips(5e-324, "4.94065645841247e-324");
    round_trips(DBL_MAX, "1.7976931348623157e+308");
    /* -0.0 keeps its sign. */
    {
        char buf[DLM_DOUBLE_TEXT];
        dlm_format_double(buf, -0.0);
        assert_string_equal(buf, "-0");
        assert_true(signbit(strtod(buf, NULL)));
    }
}

static void test_many_doubles_read_back(void **state)
{
    uint64_t s = 0x9e3779b97f4a7c15ull;
    int i;
    (void)state;
    for (i = 0; i < 200000; ++i) {
        uint64_t bits;
        double x;
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        bits = s;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            continue;
        round_trips(x, NULL);
        round_trips((double)(s >> 11) / 9007199254740992.0, NULL); /* [0, 1): probabilities */
    }
}

/* --- csv fields and formats ------------------------------------------------------------- */

static void csv_field_is(const char *in, const char *expected)
{
    char buf[256] = "";
    FILE *fp = fmemopen(buf, sizeof buf, "w");
    assert_non_null(fp);
    dlm_csv_field(fp, in);
    fclose(fp);
    assert_string_equal(buf, expected);
}

static void test_csv_fields(void **state)
{
    (void)state;
    csv_field_is("tft", "tft");
    csv_field_is("m1(1,0,1,0,1)", "\"m1(1,0,1,0,1)\"");
    csv_field_is("say \"hi\"", "\"say \"\"hi\"\"\"");
    csv_field_is("two\nlines", "\"two\nlines\"");
    csv_field_is(" padded", "\" padded\"");
    csv_field_is("", "");
}

static void test_format_from_path(void **state)
{
    dlm_format f = DLM_FMT_TABLE;
    (void)state;
    assert_int_equal(dlm_format_from_path("results.csv", &f), 1);
    assert_int_equal(f, DLM_FMT_CSV);
    assert_int_equal(dlm_format_from_path("out/r.json", &f), 1);
    assert_int_equal(f, DLM_FMT_JSON);
    assert_int_equal(dlm_format_from_path("r.jsonl", &f), 1);
    assert_int_equal(f, DLM_FMT_JSONL);
    f = DLM_FMT_TABLE;
    assert_int_equal(dlm_format_from_path("r.txt", &f), 0);
    assert_int_equal(dlm_format_from_path("csv", &f), 0);
    assert_int_equal(dlm_format_from_path("dir/.csv", &f), 0);
    assert_int_equal(f, DLM_FMT_TABLE);
}

/* --- labels ------------------------------------------------------------------------------ */

static dlm_player_spec spec(const char *strategy, double e, double p, uint32_t k, uint32_t d)
{
    dlm_player_spec s;
    memset(&s, 0, sizeof s);
    snprintf(s.strategy, sizeof s.strategy, "%s", strategy);
    s.execution_error = e;
    s.perception_error = p;
    s.reaction_period = k;
    s.observation_delay = d;
    return s;
}

static void test_distinct_labels(void **state)
{
    dlm_scenario sc;
    dlm_strategy_def defs[8];
    char labels[8][DLM_LABEL_MAX];
    dlm_error err;
    size_t i, j;
    (void)state;
    memset(&sc, 0, sizeof sc);
    assert_int_equal(dlm_game_preset("pd", NAN, NAN, &sc.game, &err), DLM_OK);
    sc.match_defaults = spec("", 0.01, 0, 1, 0);
    sc.n_entrants = 8;
    sc.entrants = calloc(8, sizeof *sc.entrants);
    sc.entrants[0] = spec("tft", 0.01, 0, 1, 0);
    sc.entrants[1] = spec("tft", 0.1, 0, 1, 0);
    sc.entrants[2] = spec("tft", 0.01, 0, 10, 0);
    sc.entrants[3] = spec("tft", 0.1, 0.05, 1, 0);
    sc.entrants[4] = spec("tft", 0.01, 0, 1, 0);
    sc.entrants[5] = spec("tft", 0.1, 0, 1, 0);
    sc.entrants[6] = spec("tft", 0.01, 0, 1, 0);
    sc.entrants[7] = spec("wsls", 0.1000000000000001, 0, 1, 3);
    for (i = 0; i < 8; ++i)
        assert_int_equal(dlm_strategy_parse(sc.entrants[i].strategy, &sc.game, &defs[i], &err),
                         DLM_OK);
    dlm_entrant_labels(&sc, defs, labels);
    assert_string_equal(labels[0], "tft");
    assert_string_equal(labels[1], "tft[e=0.1]");
    assert_string_equal(labels[2], "tft[k=10]");
    assert_string_equal(labels[3], "tft[e=0.1,p=0.05]");
    assert_string_equal(labels[4], "tft#2");
    assert_string_equal(labels[5], "tft[e=0.1]#2");
    assert_string_equal(labels[6], "tft#3");
    assert_string_equal(labels[7], "wsls[e=0.1000000000000001,d=3]");
    for (i = 0; i < 8; ++i)
        for (j = 0; j < i; ++j)
            assert_string_not_equal(labels[i], labels[j]);
    free(sc.entrants);
}

/* --- uncertainty -------------------------------------------------------------------------- */

static void test_mean_se(void **state)
{
    double x[4] = {1, 2, 3, 4}, same[5] = {0.1, 0.1, 0.1, 0.1, 0.1}, m, se;
    (void)state;
    dlm_mean_se(x, 4, 1, &m, &se);
    assert_double_equal(m, 2.5, 0);
    assert_double_equal(se, sqrt(5.0 / 3.0) / 2.0, 1e-15);
    dlm_mean_se(x, 2, 2, &m, &se); /* 1, 3 */
    assert_double_equal(m, 2.0, 0);
    assert_double_equal(se, 1.0, 1e-15);
    dlm_mean_se(same, 5, 1, &m, &se);
    assert_true(se == 0.0);
    dlm_mean_se(x + 2, 1, 1, &m, &se);
    assert_double_equal(m, 3.0, 0);
    assert_true(isnan(se));
}

static dlm_scenario match_scenario(const char *a, const char *b, uint32_t rounds, double e)
{
    dlm_scenario sc;
    dlm_error err;
    memset(&sc, 0, sizeof sc);
    assert_int_equal(dlm_game_preset("pd", NAN, NAN, &sc.game, &err), DLM_OK);
    sc.mode = DLM_MODE_MATCH;
    sc.seed = 7;
    sc.rounds = rounds;
    sc.players[0] = spec(a, e, 0, 1, 0);
    sc.players[1] = spec(b, e, 0, 1, 0);
    sc.match_defaults = spec("", e, 0, 1, 0);
    return sc;
}

static void play_match(const dlm_scenario *sc, uint32_t reps, dlm_match_report *r)
{
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_backend_options opt = {1, -1, -1, 0};
    dlm_error err;
    assert_int_equal(dlm_backend_open("cpu", &opt, NULL, &ops, &be, &err), DLM_OK);
    if (dlm_play_scenario_match(sc, ops, be, reps, 0, r, &err) != DLM_OK)
        fail_msg("%s", err.message);
    ops->destroy(be);
}

static void test_match_repetitions(void **state)
{
    dlm_scenario sc = match_scenario("gtft", "wsls", 100, 0.05);
    dlm_match_report one, many;
    dlm_exact_input in;
    dlm_exact_result ex;
    dlm_strategy_def da, db;
    dlm_error err;
    int i;
    (void)state;
    play_match(&sc, 1, &one);
    play_match(&sc, 400, &many);
    /* Repetition 0 is the one match; one repetition has no standard error. */
    assert_memory_equal(&one.result, &many.result, sizeof one.result);
    for (i = 0; i < 2; ++i) {
        assert_true(isnan(one.mean_se[i]) && isnan(one.cooperation_se[i]));
        assert_double_equal(one.mean[i], one.total[i] / one.rounds, 0);
        assert_true(many.mean_se[i] > 0 && many.cooperation_se[i] > 0);
    }
    /* Independent streams: the outcome totals are not 400 copies of one match. */
    assert_true(many.outcome[0] != 400 * (uint64_t)one.result.outcome[0] ||
                many.outcome[1] != 400 * (uint64_t)one.result.outcome[1]);
    /* The mean lands within four standard errors of the exact expectation. */
    memset(&in, 0, sizeof in);
    assert_int_equal(dlm_strategy_parse("gtft", &sc.game, &da, &err), DLM_OK);
    assert_int_equal(dlm_strategy_parse("wsls", &sc.game, &db, &err), DLM_OK);
    memcpy(in.a, da.memory_one, sizeof in.a);
    memcpy(in.b, db.memory_one, sizeof in.b);
    in.execution_error[0] = in.execution_error[1] = 0.05;
    in.rounds = 100;
    assert_int_equal(dlm_exact_memory_one(&in, &sc.game, &ex, &err), DLM_OK);
    for (i = 0; i < 2; ++i) {
        assert_double_equal(many.mean[i], ex.expected_total[i] / 100.0, 4 * many.mean_se[i]);
        assert_double_equal(many.cooperation[i], ex.expected_cooperation[i],
                            4 * many.cooperation_se[i]);
        assert_double_equal(many.total_se[i], 100.0 * many.mean_se[i], 1e-9);
    }
    dlm_match_report_free(&one);
    dlm_match_report_free(&many);
}

static void test_tournament_uncertainty(void **state)
{
    static const char *names[] = {"tft", "wsls", "gtft", "alld"};
    dlm_scenario sc;
    dlm_tournament_report r, r1;
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_backend_options opt = {1, -1, -1, 0};
    dlm_error err;
    size_t i, j, rep, n = 4;
    (void)state;
    memset(&sc, 0, sizeof sc);
    assert_int_equal(dlm_game_preset("pd", NAN, NAN, &sc.game, &err), DLM_OK);
    sc.mode = DLM_MODE_TOURNAMENT;
    sc.seed = 3;
    sc.rounds = 50;
    sc.repetitions = 30;
    sc.self_play = 1;
    sc.match_defaults = spec("", 0.05, 0, 1, 0);
    sc.n_entrants = n;
    sc.entrants = calloc(n, sizeof *sc.entrants);
    for (i = 0; i < n; ++i)
        sc.entrants[i] = spec(names[i], 0.05, 0, 1, 0);
    assert_int_equal(dlm_backend_open("cpu", &opt, NULL, &ops, &be, &err), DLM_OK);
    assert_int_equal(dlm_play_scenario_tournament(&sc, ops, be, &r, &err), DLM_OK);
    sc.repetitions = 1;
    assert_int_equal(dlm_play_scenario_tournament(&sc, ops, be, &r1, &err), DLM_OK);
    ops->destroy(be);
    assert_int_equal(r.repetitions, 30);
    for (i = 0; i < n; ++i) {
        double sum = 0, m, se;
        uint64_t wins = 0;
        /* Fixed length: the mean of the per-repetition figures is the mean payoff, and
           their spread gives the standard error. */
        for (rep = 0; rep < 30; ++rep) {
            sum += r.rep_payoff[rep * n + i];
            wins += r.rep_wins[rep * n + i];
        }
        assert_double_equal(sum / 30, r.mean_payoff[i], 1e-12);
        assert_true(wins == r.wins[i]);
        dlm_mean_se(r.rep_payoff + i, 30, n, &m, &se);
        assert_double_equal(se, r.mean_payoff_se[i], 1e-15);
        assert_true(r.mean_payoff_se[i] > 0 && r.mean_payoff_se[i] < 0.5);
        assert_true(isnan(r1.mean_payoff_se[i]));
        for (j = 0; j < n; ++j) {
            assert_true(r.matrix_se[i * n + j] >= 0);
            assert_true(isnan(r1.matrix_se[i * n + j]));
        }
    }
    dlm_tournament_report_free(&r);
    dlm_tournament_report_free(&r1);
    free(sc.entrants);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles_read_back_exactly),
        cmocka_unit_test(test_many_doubles_read_back),
        cmocka_unit_test(test_csv_fields),
        cmocka_unit_test(test_format_from_path),
        cmocka_unit_test(test_distinct_labels),
        cmocka_unit_test(test_mean_se),
        cmocka_unit_test(test_match_repetitions),
        cmocka_unit_test(test_tournament_uncertainty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

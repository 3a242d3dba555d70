/* test_tournament.c — round robins: exact noiseless scores, the payoff matrix, wins,
 * cooperation rates, the ranking, self-play, repetitions, and independence from the
 * thread count under noise. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends/backend.h"
#include "run/play.h"

/* |a - b| <= eps, reporting both values (this cmocka has no assert_double_equal). */
#define assert_double_equal(a, b, eps) check_close((a), (b), (eps), #a, __FILE__, __LINE__)
static void check_close(double a, double b, double eps, const char *what, const char *file,
                        int line)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("%s:%d: %s = %.17g, expected %.17g (within %g)", file, line, what, a, b, eps);
}

/* A tournament scenario over `names` (null-terminated), pd game. */
static dlm_scenario scenario(const char **names, uint32_t rounds, uint32_t reps, int self_play,
                             double execution_error)
{
    dlm_scenario sc;
    dlm_error err;
    size_t n = 0, i;
    memset(&sc, 0, sizeof sc);
    while (names[n])
        ++n;
    assert_int_equal(dlm_game_preset("pd", NAN, NAN, &sc.game, &err), DLM_OK);
    sc.mode = DLM_MODE_TOURNAMENT;
    sc.seed = 42;
    sc.rounds = rounds;
    sc.repetitions = reps;
    sc.self_play = self_play;
    sc.n_entrants = n;
    sc.entrants = calloc(n, sizeof *sc.entrants);
    for (i = 0; i < n; ++i) {
        snprintf(sc.entrants[i].strategy, sizeof sc.entrants[i].strategy, "%s", names[i]);
        sc.entrants[i].execution_error = execution_error;
        sc.entrants[i].reaction_period = 1;
    }
    return sc;
}

static void play(const dlm_scenario *sc, int threads, dlm_tournament_report *r)
{
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_backend_options opt = {threads, -1, -1, 0};
    dlm_error err;
    assert_int_equal(dlm_backend_open("cpu", &opt, NULL, &ops, &be, &err), DLM_OK);
    if (dlm_play_scenario_tournament(sc, ops, be, r, &err) != DLM_OK)
        fail_msg("%s", err.message);
    ops->destroy(be);
}

static void test_noiseless_scores_are_exact(void **state)
{
    const char *names[] = {"tft", "alld", "allc", NULL};
    dlm_scenario sc = scenario(names, 200, 3, 0, 0.0);
    dlm_tournament_report r;
    (void)state;
    play(&sc, 1, &r);
    /* tft-alld: tft is exploited once (S) then 199 DD: 0 + 199 = 199; alld gets 5 + 199. */
    assert_double_equal(r.matrix[0 * 3 + 1], 199.0 / 200.0, 1e-15);
    assert_double_equal(r.matrix[1 * 3 + 0], 204.0 / 200.0, 1e-15);
    assert_double_equal(r.matrix[0 * 3 + 2], 3.0, 0);
    assert_double_equal(r.matrix[2 * 3 + 0], 3.0, 0);
    assert_double_equal(r.matrix[1 * 3 + 2], 5.0, 0);
    assert_double_equal(r.matrix[2 * 3 + 1], 0.0, 0);
    assert_double_equal(r.mean_payoff[0], (3.0 + 0.995) / 2, 1e-15);
    assert_double_equal(r.mean_payoff[1], (1.02 + 5.0) / 2, 1e-15);
    assert_double_equal(r.mean_payoff[2], 1.5, 0);
    /* alld wins both of its pairings in every repetition; nobody else wins any. */
    assert_int_equal(r.wins[1], 6);
    assert_int_equal(r.wins[0], 0);
    assert_int_equal(r.wins[2], 0);
    assert_int_equal(r.matches[0], 6);
    assert_int_equal(r.rank[0], 1);
    assert_int_equal(r.rank[1], 0);
    assert_int_equal(r.rank[2], 2);
    /* cooperation: tft cooperates 200 vs allc, once vs alld: 201 of 400 rounds. */
    assert_double_equal(r.cooperation[0], 201.0 / 400.0, 1e-15);
    assert_double_equal(r.cooperation[1], 0.0, 0);
    assert_double_equal(r.cooperation[2], 1.0, 0);
    assert_int_equal(r.total_matches, 9);
    assert_int_equal(r.total_rounds, 1800);
    dlm_tournament_report_free(&r);
    dlm_scenario_free(&sc);
}

static void test_self_play_adds_the_diagonal(void **state)
{
    const char *names[] = {"tft", "alld", "stft", NULL};
    dlm_scenario sc = scenario(names, 100, 1, 1, 0.0);
    dlm_tournament_report r;
    (void)state;
    play(&sc, 1, &r);
    assert_double_equal(r.matrix[0], 3.0, 0);          /* tft-tft: all CC */
    assert_double_equal(r.matrix[4], 1.0, 0);          /* alld-alld: all DD */
    /* stft-stft: DD forever. */
    assert_double_equal(r.matrix[8], 1.0, 0);
    /* tft-stft alternate: tft C, stft D; then CD/DC echo: tft gets S,T,S,T... */
    assert_double_equal(r.matrix[0 * 3 + 2], (50 * 0.0 + 50 * 5.0) / 100.0, 1e-15);
    assert_double_equal(r.matrix[2 * 3 + 0], (50 * 5.0 + 50 * 0.0) / 100.0, 1e-15);
    assert_int_equal(r.total_matches, 6);
    assert_int_equal(r.matches[0], 3);
    dlm_tournament_report_free(&r);
    dlm_scenario_free(&sc);
}

static void test_thread_count_does_not_change_a_noisy_tournament(void **state)
{
    const char *names[] = {"tft", "wsls", "gtft", "random", "grim", "alld", NULL};
    dlm_scenario sc = scenario(names, 300, 5, 1, 0.03);
    dlm_tournament_report a, b;
    size_t n = 6;
    (void)state;
    play(&sc, 1, &a);
    play(&sc, 2, &b);
    assert_memory_equal(a.matrix, b.matrix, n * n * sizeof *a.matrix);
    assert_memory_equal(a.wins, b.wins, n * sizeof *a.wins);
    assert_memory_equal(a.cooperation, b.cooperation, n * sizeof *a.cooperation);
    assert_memory_equal(a.rank, b.rank, n * sizeof *a.rank);
    dlm_tournament_report_free(&a);
    dlm_tournament_report_free(&b);
    dlm_scenario_free(&sc);
}

static void test_noise_helps_wsls_over_tft_in_self_play(void **state)
{
    /* Under execution error, TFT pairs fall into echoes (long-run 2.25 per round) while
       WSLS pairs recover (close to 3): a qualitative check with a large margin. */
    const char *names[] = {"tft", "wsls", NULL};
    dlm_scenario sc = scenario(names, 2000, 20, 1, 0.02);
    dlm_tournament_report r;
    (void)state;
    play(&sc, 1, &r);
    assert_true(r.matrix[0] < 2.6);
    assert_true(r.matrix[3] > 2.8);
    dlm_tournament_report_free(&r);
    dlm_scenario_free(&sc);
}

static void test_bad_strategy_is_a_usage_error(void **state)
{
    const char *names[] = {"tft", "nosuchthing", NULL};
    dlm_scenario sc = scenario(names, 10, 1, 0, 0.0);
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_backend_options opt = {1, -1, -1, 0};
    dlm_tournament_report r;
    dlm_error err;
    (void)state;
    assert_int_equal(dlm_backend_open("cpu", &opt, NULL, &ops, &be, &err), DLM_OK);
    assert_int_equal(dlm_play_scenario_tournament(&sc, ops, be, &r, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "nosuchthing"));
    ops->destroy(be);
    dlm_scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_noiseless_scores_are_exact),
        cmocka_unit_test(test_self_play_adds_the_diagonal),
        cmocka_unit_test(test_thread_count_does_not_change_a_noisy_tournament),
        cmocka_unit_test(test_noise_helps_wsls_over_tft_in_self_play),
        cmocka_unit_test(test_bad_strategy_is_a_usage_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

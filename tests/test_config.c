/* test_config.c — the YAML config loader, --set overrides and schema validation
 * (host/config/config.c, host/config/config_schema.c; schema in configs/README.md).
 *
 * Good configs must fill every scenario field; bad ones must fail with DLM_ERR_USAGE and
 * a message that names the key and the file and line — checked for each case of a table
 * both through dlm_config_load_string and through a real file.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"

#ifndef DLM_TEST_DATA
#define DLM_TEST_DATA "tests/data"
#endif

/* ---- helpers --------------------------------------------------------------------------- */

/* Fails the test unless text contains needle, printing both. */
static void assert_contains(const char *text, const char *needle)
{
    if (!strstr(text, needle)) {
        print_error("message \"%s\"\n  does not contain \"%s\"\n", text, needle);
        fail();
    }
}

/* Loads yaml (origin "test.yaml"), applies the overrides, validates into *sc; asserts success. */
static void scenario_of(const char *yaml, const char *const *sets, dlm_scenario *sc)
{
    dlm_config *cfg = NULL;
    dlm_error err = {DLM_OK, ""};
    dlm_status st = dlm_config_load_string(yaml, strlen(yaml), "test.yaml", &cfg, &err);
    if (st != DLM_OK)
        print_error("load: %s\n", err.message);
    assert_int_equal(st, DLM_OK);
    for (; sets && *sets; ++sets) {
        st = dlm_config_set(cfg, *sets, &err);
        if (st != DLM_OK)
            print_error("set %s: %s\n", *sets, err.message);
        assert_int_equal(st, DLM_OK);
    }
    st = dlm_config_to_scenario(cfg, sc, &err);
    if (st != DLM_OK)
        print_error("validate: %s\n", err.message);
    assert_int_equal(st, DLM_OK);
    dlm_config_free(cfg);
}

/* Loads and validates yaml from origin; returns the first failing status (message in err). */
static dlm_status try_string(const char *yaml, size_t len, const char *origin, dlm_error *err)
{
    dlm_config *cfg = NULL;
    dlm_scenario sc;
    dlm_status st = dlm_config_load_string(yaml, len, origin, &cfg, err);
    if (st == DLM_OK) {
        assert_non_null(cfg);
        st = dlm_config_to_scenario(cfg, &sc, err);
        if (st != DLM_OK) { /* nothing is left allocated on failure */
            assert_null(sc.entrants);
            assert_null(sc.evolution.mutation_set);
            assert_null(sc.evolution.shares);
            assert_null(sc.evolution.classes);
        }
        dlm_scenario_free(&sc);
    } else {
        assert_null(cfg);
    }
    dlm_config_free(cfg);
    return st;
}

/* Applies sets to the yaml config and validates; returns the first failing status. */
static dlm_status try_sets(const char *yaml, const char *const *sets, dlm_error *err)
{
    dlm_config *cfg = NULL;
    dlm_scenario sc;
    dlm_status st = dlm_config_load_string(yaml, strlen(yaml), "test.yaml", &cfg, err);
    for (; st == DLM_OK && sets && *sets; ++sets)
        st = dlm_config_set(cfg, *sets, err);
    if (st == DLM_OK) {
        st = dlm_config_to_scenario(cfg, &sc, err);
        dlm_scenario_free(&sc);
    }
    dlm_config_free(cfg);
    return st;
}

/* Writes text to a new temporary file; returns its malloc'd path. */
static char *temp_file(const char *text)
{
    char *path = strdup("/tmp/dlm_test_config_XXXXXX");
    int fd;
    FILE *f;
    assert_non_null(path);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    return path;
}

/* ---- defaults ---------------------------------------------------------------------- */

/* Checks that a structure spec holds the documented defaults of type type. */
static void assert_structure_defaults(const dlm_structure_spec *s, const char *type)
{
    assert_string_equal(s->type, type);
    assert_int_equal(s->partners, 0);
    assert_string_equal(s->neighbourhood, "moore");
    assert_int_equal(s->self_loops, 0);
    assert_int_equal(s->k, 2);
    assert_int_equal(s->m, 2);
    assert_true(s->beta == 0.1);
    assert_string_equal(s->file, "");
}

/* Checks that ev holds every documented default of the evolution section. */
static void assert_evolution_defaults(const dlm_evolution_spec *ev)
{
    assert_int_equal(ev->population, 100);
    assert_int_equal(ev->populations, 1);
    assert_true(ev->generations == 1000);
    assert_string_equal(ev->rule, "moran-bd");
    assert_true(ev->selection == 1.0);
    assert_string_equal(ev->fitness, "linear");
    assert_int_equal(ev->accumulate_total, 0);
    assert_int_equal(ev->payoff_exact, 0);
    assert_structure_defaults(&ev->structure, "well-mixed");
    assert_structure_defaults(&ev->replacement, "well-mixed");
    assert_true(ev->mutation_rate == 0.0);
    assert_string_equal(ev->mutation_kind, "none");
    assert_null(ev->mutation_set);
    assert_int_equal(ev->n_mutation_set, 0);
    assert_true(ev->sigma == 0.05);
    assert_string_equal(ev->initial, "shares");
    assert_int_equal(ev->n_shares, 2);
    assert_string_equal(ev->shares[0].strategy, "tft");
    assert_true(ev->shares[0].share == 0.5);
    assert_string_equal(ev->shares[1].strategy, "alld");
    assert_true(ev->shares[1].share == 0.5);
    assert_string_equal(ev->resident, "");
    assert_string_equal(ev->mutant, "");
    assert_int_equal(ev->mutants, 1);
    assert_string_equal(ev->initial_file, "");
    assert_null(ev->classes);
    assert_int_equal(ev->n_classes, 0);
    assert_int_equal(ev->stop_at_fixation, 0);
    assert_true(ev->wall_clock == 0.0);
    assert_true(ev->record_every == 1);
    assert_true(ev->tolerance == 0.05);
    assert_true(ev->snapshot_every == 0);
    assert_string_equal(ev->snapshot_file, "");
}

/* Checks that sc holds every documented default. */
static void assert_defaults(const dlm_scenario *sc)
{
    static const char *const entrants[] = {"tft", "tf2t", "wsls", "grim",
                                           "gtft", "alld", "allc", "random"};
    size_t i;
    assert_string_equal(sc->name, "dilemma");
    assert_int_equal(sc->mode, DLM_MODE_TOURNAMENT);
    assert_true(sc->seed == 1);
    assert_string_equal(sc->game.name, "pd");
    assert_true(sc->game.R == 3.0 && sc->game.S == 0.0 && sc->game.T == 5.0 && sc->game.P == 1.0);
    assert_int_equal(sc->rounds, 200);
    assert_int_equal(sc->geometric, 0);
    assert_true(sc->continuation == 0.0);
    assert_string_equal(sc->players[0].strategy, "tft");
    assert_string_equal(sc->players[1].strategy, "wsls");
    for (i = 0; i < 2; ++i) {
        assert_true(sc->players[i].execution_error == 0.0);
        assert_true(sc->players[i].perception_error == 0.0);
        assert_int_equal(sc->players[i].reaction_period, 1);
        assert_int_equal(sc->players[i].observation_delay, 0);
    }
    assert_int_equal(sc->n_entrants, 8);
    for (i = 0; i < 8; ++i) {
        assert_string_equal(sc->entrants[i].strategy, entrants[i]);
        assert_int_equal(sc->entrants[i].reaction_period, 1);
    }
    assert_int_equal(sc->repetitions, 10);
    assert_int_equal(sc->self_play, 1);
    assert_string_equal(sc->backend, "auto");
    assert_int_equal(sc->threads, 1);
    assert_string_equal(sc->format, "table");
    assert_string_equal(sc->out, "");
    assert_string_equal(sc->match_defaults.strategy, "");
    assert_true(sc->match_defaults.execution_error == 0.0);
    assert_true(sc->match_defaults.perception_error == 0.0);
    assert_int_equal(sc->match_defaults.reaction_period, 1);
    assert_int_equal(sc->match_defaults.observation_delay, 0);
    assert_evolution_defaults(&sc->evolution);
}

static void test_new_config_has_every_default(void **state)
{
    dlm_config *cfg;
    dlm_scenario sc;
    dlm_error err;
    (void)state;
    assert_int_equal(dlm_config_new(&cfg, &err), DLM_OK);
    assert_int_equal(dlm_config_to_scenario(cfg, &sc, &err), DLM_OK);
    assert_defaults(&sc);
    dlm_scenario_free(&sc);
    assert_null(sc.entrants);
    assert_null(sc.evolution.shares);
    assert_int_equal(sc.evolution.n_shares, 0);
    dlm_scenario_free(&sc); /* freeing twice is harmless */
    dlm_config_free(cfg);
}

static void test_empty_and_comment_only_files_are_defaults(void **state)
{
    static const char *const texts[] = {"", "# only a comment\n", "---\n", "---\n...\n", "~\n",
                                        "\xef\xbb\xbf# with a byte-order mark\n",
                                        "match:\ngame:\noutput: ~\ntournament: null\n"};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof texts / sizeof texts[0]; ++i) {
        dlm_scenario sc;
        scenario_of(texts[i], NULL, &sc);
        assert_defaults(&sc);
        dlm_scenario_free(&sc);
    }
}

/* ---- every key -------------------------------------------------------------------- */

static void test_every_key_is_read(void **state)
{
    static const char yaml[] =
        "# every key of the schema\n"
        "name: every key\n"
        "seed: 0xDEADBEEFCAFEF00D\n"
        "mode: match\n"
        "backend: cpu\n"
        "threads: 0\n"
        "game:\n"
        "  preset: donation\n"
        "  b: 5\n"
        "  c: 2\n"
        "match:\n"
        "  rounds: 1000\n"
        "  continuation: 0.75\n"
        "  execution_error: 0.01\n"
        "  perception_error: 0.02\n"
        "  reaction_period: 3\n"
        "  observation_delay: 60\n"
        "players:\n"
        "  - alld\n"
        "  - strategy: m1(1,1,0,1,0)\n"
        "    execution_error: 0.5\n"
        "    perception_error: 1\n"
        "    reaction_period: 7\n"
        "    observation_delay: 0\n"
        "tournament:\n"
        "  strategies:\n"
        "    - tft\n"
        "    - {strategy: wsls, reaction_period: 10, observation_delay: 2}\n"
        "    - 'm1(1,1,0,1,0)'\n"
        "  repetitions: 4\n"
        "  self_play: false\n"
        "output:\n"
        "  format: jsonl\n"
        "  file: out/results.jsonl\n";
    dlm_scenario sc;
    (void)state;
    scenario_of(yaml, NULL, &sc);
    assert_string_equal(sc.name, "every key");
    assert_true(sc.seed == 0xDEADBEEFCAFEF00Dull);
    assert_int_equal(sc.mode, DLM_MODE_MATCH);
    assert_string_equal(sc.backend, "cpu");
    assert_int_equal(sc.threads, 0);
    assert_string_equal(sc.game.name, "donation");
    assert_true(sc.game.R == 3.0 && sc.game.S == -2.0 && sc.game.T == 5.0 && sc.game.P == 0.0);
    assert_int_equal(sc.rounds, 1000);
    assert_int_equal(sc.geometric, 1);
    assert_true(sc.continuation == 0.75);
    /* players[0] takes match.* as its settings; players[1] overrides all of them */
    assert_string_equal(sc.players[0].strategy, "alld");
    assert_true(sc.players[0].execution_error == 0.01 && sc.players[0].perception_error == 0.02);
    assert_int_equal(sc.players[0].reaction_period, 3);
    assert_int_equal(sc.players[0].observation_delay, 60);
    assert_string_equal(sc.players[1].strategy, "m1(1,1,0,1,0)");
    assert_true(sc.players[1].execution_error == 0.5 && sc.players[1].perception_error == 1.0);
    assert_int_equal(sc.players[1].reaction_period, 7);
    assert_int_equal(sc.players[1].observation_delay, 0);
    assert_int_equal(sc.n_entrants, 3);
    assert_string_equal(sc.entrants[0].strategy, "tft");
    assert_int_equal(sc.entrants[0].reaction_period, 3);
    assert_true(sc.entrants[0].execution_error == 0.01);
    assert_string_equal(sc.entrants[1].strategy, "wsls");
    assert_int_equal(sc.entrants[1].reaction_period, 10);
    assert_int_equal(sc.entrants[1].observation_delay, 2);
    assert_true(sc.entrants[1].perception_error == 0.02);
    assert_string_equal(sc.entrants[2].strategy, "m1(1,1,0,1,0)");
    assert_int_equal(sc.repetitions, 4);
    assert_int_equal(sc.self_play, 0);
    assert_string_equal(sc.format, "jsonl");
    assert_string_equal(sc.out, "out/results.jsonl");
    /* match.* is kept as every player's defaults, whatever the mode */
    assert_string_equal(sc.match_defaults.strategy, "");
    assert_true(sc.match_defaults.execution_error == 0.01);
    assert_true(sc.match_defaults.perception_error == 0.02);
    assert_int_equal(sc.match_defaults.reaction_period, 3);
    assert_int_equal(sc.match_defaults.observation_delay, 60);
    assert_evolution_defaults(&sc.evolution);
    dlm_scenario_free(&sc);
}

static void test_continuation_without_rounds_gets_a_documented_cap(void **state)
{
    dlm_scenario sc;
    (void)state;
    /* cap = min(2^29, ceil(64 / (1 - w))): the length passes it with probability <= e^-64 */
    scenario_of("match: {continuation: 0.5}\n", NULL, &sc);
    assert_int_equal(sc.geometric, 1);
    assert_int_equal(sc.rounds, 128);
    dlm_scenario_free(&sc);
    scenario_of("match: {continuation: 0}\n", NULL, &sc);
    assert_int_equal(sc.rounds, 64);
    dlm_scenario_free(&sc);
    scenario_of("match: {continuation: 0.9999999999}\n", NULL, &sc);
    assert_int_equal(sc.rounds, DLM_MAX_ROUNDS);
    dlm_scenario_free(&sc);
    scenario_of("match: {continuation: 0.999, rounds: 10}\n", NULL, &sc);
    assert_int_equal(sc.rounds, 10); /* a given rounds is the cap */
    dlm_scenario_free(&sc);
    scenario_of("match: {rounds: 536870912}\n", NULL, &sc);
    assert_int_equal(sc.rounds, DLM_MAX_ROUNDS);
    assert_int_equal(sc.geometric, 0);
    dlm_scenario_free(&sc);
}

static void test_game_presets_and_custom_payoffs(void **state)
{
    dlm_scenario sc;
    (void)state;
    scenario_of("game: {R: 4, S: -1}\n", NULL, &sc); /* no preset: named custom */
    assert_string_equal(sc.game.name, "custom");
    assert_true(sc.game.R == 4.0 && sc.game.S == -1.0 && sc.game.T == 5.0 && sc.game.P == 1.0);
    dlm_scenario_free(&sc);
    assert_string_equal(sc.game.preset, "");
    dlm_scenario_free(&sc);
    /* a preset whose payoffs were changed is custom, and remembers its preset */
    scenario_of("game: {preset: stag-hunt, P: 0.5}\n", NULL, &sc);
    assert_string_equal(sc.game.name, "custom");
    assert_string_equal(sc.game.preset, "stag-hunt");
    assert_true(sc.game.R == 4.0 && sc.game.T == 3.0 && sc.game.P == 0.5);
    assert_int_equal(dlm_game_classify(&sc.game), DLM_GAME_STAG_HUNT);
    dlm_scenario_free(&sc);
    /* ... but a preset given its own payoffs keeps its name */
    scenario_of("game: {preset: pd, R: 3, T: 5}\n", NULL, &sc);
    assert_string_equal(sc.game.name, "pd");
    dlm_scenario_free(&sc);
    /* the AI race's catastrophe variant is chicken, not a prisoner's dilemma */
    scenario_of("game: {preset: pd, P: -10}\n", NULL, &sc);
    assert_string_equal(sc.game.name, "custom");
    assert_string_equal(sc.game.preset, "pd");
    assert_int_equal(dlm_game_classify(&sc.game), DLM_GAME_CHICKEN);
    assert_string_equal(dlm_game_class_id(dlm_game_classify(&sc.game)), "chicken");
    dlm_scenario_free(&sc);
    scenario_of("game: {preset: snowdrift}\n", NULL, &sc);
    assert_string_equal(sc.game.name, "snowdrift");
    assert_true(sc.game.R == 3.0 && sc.game.S == 2.0 && sc.game.T == 4.0 && sc.game.P == 0.0);
    dlm_scenario_free(&sc);
    scenario_of("game: {preset: harmony}\n", NULL, &sc);
    assert_int_equal(dlm_game_classify(&sc.game), DLM_GAME_HARMONY);
    dlm_scenario_free(&sc);
    scenario_of("game: {preset: donation}\n", NULL, &sc);
    assert_int_equal(dlm_game_classify(&sc.game), DLM_GAME_PRISONERS_DILEMMA);
    dlm_scenario_free(&sc);
    scenario_of("game: {preset: snowdrift}\n", NULL, &sc);
    assert_int_equal(dlm_game_classify(&sc.game), DLM_GAME_CHICKEN);
    dlm_scenario_free(&sc);
    scenario_of("game: {R: 1, S: 0, T: 1.85, P: 0}\n", NULL, &sc); /* Nowak & May */
    assert_int_equal(dlm_game_classify(&sc.game), DLM_GAME_WEAK_PD);
    dlm_scenario_free(&sc);
    scenario_of("mode: match\ngame: {R: 1, S: 0, T: 3, P: 2}\n", NULL, &sc);
    assert_int_equal(dlm_game_classify(&sc.game), DLM_GAME_DEADLOCK);
    dlm_scenario_free(&sc);
    scenario_of("mode: match\ngame: {R: 1, S: 1, T: 1, P: 1}\n", NULL, &sc);
    assert_int_equal(dlm_game_classify(&sc.game), DLM_GAME_OTHER);
    dlm_scenario_free(&sc);
    /* gtft is undefined where T = P: the default tournament's entrants block only a
       tournament, which is told which key to give */
    {
        static const char text[] = "mode: tournament\ngame: {R: 1, S: 1, T: 1, P: 1}\n";
        dlm_config *cfg = NULL;
        dlm_error err;
        assert_int_equal(dlm_config_load_string(text, sizeof text - 1, "t", &cfg, &err), DLM_OK);
        assert_int_equal(dlm_config_to_scenario(cfg, &sc, &err), DLM_ERR_USAGE);
        assert_contains(err.message, "tournament.strategies: the default strategy 'gtft'");
        dlm_config_free(cfg);
    }
    scenario_of("game: {preset: harmony, R: 1e1, S: -2.5E-1, T: +.5, P: -0}\n", NULL, &sc);
    assert_true(sc.game.R == 10.0 && sc.game.S == -0.25 && sc.game.T == 0.5 && sc.game.P == 0.0);
    dlm_scenario_free(&sc);
}

static void test_scalar_spellings(void **state)
{
    dlm_scenario sc;
    (void)state;
    scenario_of("seed: 18446744073709551615\ntournament: {self_play: False}\nthreads: +8\n",
                NULL, &sc);
    assert_true(sc.seed == UINT64_MAX);
    assert_int_equal(sc.self_play, 0);
    assert_int_equal(sc.threads, 8);
    dlm_scenario_free(&sc);
    scenario_of("seed: 0\ntournament: {self_play: TRUE}\nname: '123'\noutput: {file: ''}\n",
                NULL, &sc);
    assert_true(sc.seed == 0);
    assert_int_equal(sc.self_play, 1);
    assert_string_equal(sc.name, "123");
    assert_string_equal(sc.out, "");
    dlm_scenario_free(&sc);
    /* match repetitions and a tournament's extra tables (true: in the output; a file) */
    scenario_of("match: {repetitions: 7}\ntournament: {matrix: m.csv, per_repetition: true}\n",
                NULL, &sc);
    assert_int_equal(sc.match_repetitions, 7);
    assert_int_equal(sc.matrix_wanted, 1);
    assert_string_equal(sc.matrix_file, "m.csv");
    assert_int_equal(sc.per_repetition_wanted, 1);
    assert_string_equal(sc.per_repetition_file, "");
    dlm_scenario_free(&sc);
    scenario_of("tournament: {matrix: false}\n", NULL, &sc);
    assert_int_equal(sc.match_repetitions, 1);
    assert_int_equal(sc.matrix_wanted, 0);
    dlm_scenario_free(&sc);
    /* integers in scientific notation, when they are whole numbers */
    scenario_of("match: {rounds: 1e6}\ntournament: {repetitions: 2.5e1}\nseed: 1E3\n", NULL, &sc);
    assert_int_equal(sc.rounds, 1000000);
    assert_int_equal(sc.repetitions, 25);
    assert_true(sc.seed == 1000);
    dlm_scenario_free(&sc);
}


/* ---- evolution -------------------------------------------------------------------- */

static void test_every_evolution_key_is_read(void **state)
{
    static const char yaml[] =
        "mode: evolve\n"
        "match:\n"
        "  execution_error: 0.02\n"
        "  reaction_period: 2\n"
        "evolution:\n"
        "  population: 100\n"
        "  populations: 16\n"
        "  generations: 0x10000000000\n"
        "  rule: fermi\n"
        "  selection: 2.5\n"
        "  fitness: exponential\n"
        "  accumulate: total\n"
        "  payoff: played\n"
        "  structure:\n"
        "    type: lattice\n"
        "    width: 10\n"
        "    height: 10\n"
        "    neighbourhood: von-neumann\n"
        "    self: true\n"
        "  replacement: {type: ring, k: 3}\n"
        "  mutation:\n"
        "    rate: 0.001\n"
        "    kind: gaussian\n"
        "    sigma: 0.2\n"
        "  initial:\n"
        "    shares:\n"
        "      - {strategy: tft, share: 0.25}\n"
        "      - {strategy: 'm1(1,1,0,1,0)', share: 0.75}\n"
        "  classes:\n"
        "    - {name: fast, share: 0.75}\n"
        "    - name: slow\n"
        "      share: 0.25\n"
        "      execution_error: 0.1\n"
        "      perception_error: 0.05\n"
        "      reaction_period: 10\n"
        "      observation_delay: 3\n"
        "  stop: {fixation: true, wall_clock: 3600.5}\n"
        "  record_every: 50\n"
        "  tolerance: 0.1\n"
        "  snapshot: {every: 1000, file: run.snapshot}\n";
    dlm_scenario sc;
    const dlm_evolution_spec *ev = &sc.evolution;
    (void)state;
    scenario_of(yaml, NULL, &sc);
    assert_int_equal(sc.mode, DLM_MODE_EVOLVE);
    assert_int_equal(ev->population, 100);
    assert_int_equal(ev->populations, 16);
    assert_true(ev->generations == (1ull << 40));
    assert_string_equal(ev->rule, "fermi");
    assert_true(ev->selection == 2.5);
    assert_string_equal(ev->fitness, "exponential");
    assert_int_equal(ev->accumulate_total, 1);
    assert_string_equal(ev->structure.type, "lattice");
    assert_int_equal(ev->structure.width, 10);
    assert_int_equal(ev->structure.height, 10);
    assert_string_equal(ev->structure.neighbourhood, "von-neumann");
    assert_int_equal(ev->structure.self_loops, 1);
    assert_string_equal(ev->replacement.type, "ring");
    assert_int_equal(ev->replacement.k, 3);
    assert_true(ev->mutation_rate == 0.001);
    assert_string_equal(ev->mutation_kind, "gaussian");
    assert_true(ev->sigma == 0.2);
    assert_null(ev->mutation_set);
    assert_string_equal(ev->initial, "shares");
    assert_int_equal(ev->n_shares, 2);
    assert_string_equal(ev->shares[0].strategy, "tft");
    assert_true(ev->shares[0].share == 0.25);
    assert_string_equal(ev->shares[1].strategy, "m1(1,1,0,1,0)");
    assert_true(ev->shares[1].share == 0.75);
    assert_int_equal(ev->n_classes, 2);
    assert_string_equal(ev->classes[0].name, "fast");
    assert_true(ev->classes[0].share == 0.75);
    /* a class takes match.* unless it sets its own */
    assert_true(ev->classes[0].player.execution_error == 0.02);
    assert_true(ev->classes[0].player.perception_error == 0.0);
    assert_int_equal(ev->classes[0].player.reaction_period, 2);
    assert_int_equal(ev->classes[0].player.observation_delay, 0);
    assert_string_equal(ev->classes[0].player.strategy, "");
    assert_string_equal(ev->classes[1].name, "slow");
    assert_true(ev->classes[1].share == 0.25);
    assert_true(ev->classes[1].player.execution_error == 0.1);
    assert_true(ev->classes[1].player.perception_error == 0.05);
    assert_int_equal(ev->classes[1].player.reaction_period, 10);
    assert_int_equal(ev->classes[1].player.observation_delay, 3);
    assert_int_equal(ev->stop_at_fixation, 1);
    assert_true(ev->wall_clock == 3600.5);
    assert_true(ev->record_every == 50);
    assert_true(ev->tolerance == 0.1);
    assert_true(ev->snapshot_every == 1000);
    assert_string_equal(ev->snapshot_file, "run.snapshot");
    assert_true(sc.match_defaults.execution_error == 0.02);
    dlm_scenario_free(&sc);
    assert_null(sc.evolution.classes);
    assert_null(sc.evolution.shares);
    assert_int_equal(sc.evolution.n_classes, 0);
    dlm_scenario_free(&sc);
}

static void test_evolution_structure_types(void **state)
{
    dlm_scenario sc;
    const dlm_structure_spec *s = &sc.evolution.structure, *r = &sc.evolution.replacement;
    (void)state;
    scenario_of("evolution: {structure: {type: well-mixed, partners: 4}}\n", NULL, &sc);
    assert_string_equal(s->type, "well-mixed");
    assert_int_equal(s->partners, 4);
    assert_int_equal(r->partners, 4); /* the replacement is a copy of the structure */
    assert_string_equal(r->type, "well-mixed");
    dlm_scenario_free(&sc);
    /* the US spelling of neighbourhood; no population: width x height */
    scenario_of("evolution:\n  structure: {type: lattice, width: 3, height: 7, neighborhood: "
                "von-neumann, self: false}\n", NULL, &sc);
    assert_string_equal(s->type, "lattice");
    assert_int_equal(s->width, 3);
    assert_int_equal(s->height, 7);
    assert_string_equal(s->neighbourhood, "von-neumann");
    assert_int_equal(s->self_loops, 0);
    assert_int_equal(sc.evolution.population, 21);
    assert_string_equal(r->type, "lattice");
    assert_int_equal(r->width, 3);
    dlm_scenario_free(&sc);
    scenario_of("evolution: {structure: {type: lattice, width: 64, height: 64}}\n", NULL, &sc);
    assert_int_equal(sc.evolution.population, 4096);
    assert_string_equal(s->neighbourhood, "moore");
    dlm_scenario_free(&sc);
    scenario_of("evolution: {structure: {type: ring, k: 4}}\n", NULL, &sc);
    assert_string_equal(s->type, "ring");
    assert_int_equal(s->k, 4);
    assert_int_equal(sc.evolution.population, 100);
    dlm_scenario_free(&sc);
    scenario_of("evolution: {structure: ring}\n", NULL, &sc); /* a plain scalar: the type */
    assert_structure_defaults(s, "ring");
    assert_structure_defaults(r, "ring");
    dlm_scenario_free(&sc);
    scenario_of("evolution: {structure: {type: random-regular, degree: 3}}\n", NULL, &sc);
    assert_string_equal(s->type, "random-regular");
    assert_int_equal(s->degree, 3);
    dlm_scenario_free(&sc);
    scenario_of("evolution: {structure: {type: erdos-renyi, p: 0.05}}\n", NULL, &sc);
    assert_string_equal(s->type, "erdos-renyi");
    assert_true(s->p == 0.05);
    dlm_scenario_free(&sc);
    scenario_of("evolution: {structure: {type: barabasi-albert, m: 3}}\n", NULL, &sc);
    assert_string_equal(s->type, "barabasi-albert");
    assert_int_equal(s->m, 3);
    dlm_scenario_free(&sc);
    scenario_of("evolution: {structure: {type: barabasi-albert}}\n", NULL, &sc);
    assert_int_equal(s->m, 2);
    dlm_scenario_free(&sc);
    scenario_of("evolution: {structure: {type: watts-strogatz, k: 3, beta: 0.25}}\n", NULL, &sc);
    assert_string_equal(s->type, "watts-strogatz");
    assert_int_equal(s->k, 3);
    assert_true(s->beta == 0.25);
    dlm_scenario_free(&sc);
    scenario_of("evolution: {structure: {type: watts-strogatz}}\n", NULL, &sc);
    assert_int_equal(s->k, 2);
    assert_true(s->beta == 0.1);
    dlm_scenario_free(&sc);
    /* a file from a string config (or --set) is relative to the current folder */
    scenario_of("evolution: {structure: {type: file, file: graphs/g.txt}}\n", NULL, &sc);
    assert_string_equal(s->type, "file");
    assert_string_equal(s->file, "graphs/g.txt");
    dlm_scenario_free(&sc);
    /* a replacement of its own */
    scenario_of("evolution:\n  structure: {type: lattice, width: 5, height: 4}\n"
                "  replacement: {type: lattice, width: 4, height: 5, neighbourhood: von-neumann}\n",
                NULL, &sc);
    assert_int_equal(sc.evolution.population, 20);
    assert_int_equal(r->width, 4);
    assert_string_equal(r->neighbourhood, "von-neumann");
    assert_string_equal(s->neighbourhood, "moore");
    dlm_scenario_free(&sc);
    scenario_of("evolution: {structure: {type: ring}, replacement: {type: random-regular, "
                "degree: 6}, rule: imitate-best}\n", NULL, &sc);
    assert_string_equal(r->type, "random-regular");
    assert_int_equal(r->degree, 6);
    assert_string_equal(sc.evolution.rule, "imitate-best");
    dlm_scenario_free(&sc);
    /* a null structure is the default */
    scenario_of("evolution:\n  structure:\n  replacement: ~\n", NULL, &sc);
    assert_structure_defaults(s, "well-mixed");
    assert_structure_defaults(r, "well-mixed");
    dlm_scenario_free(&sc);
}

static void test_evolution_initial_forms(void **state)
{
    dlm_scenario sc;
    const dlm_evolution_spec *ev = &sc.evolution;
    (void)state;
    scenario_of("evolution:\n  initial:\n    shares: {tft: 0.2, wsls: 0.3, alld: 0.5}\n", NULL, &sc);
    assert_string_equal(ev->initial, "shares");
    assert_int_equal(ev->n_shares, 3);
    assert_string_equal(ev->shares[1].strategy, "wsls");
    assert_true(ev->shares[1].share == 0.3);
    dlm_scenario_free(&sc);
    /* a share may be 0; shares need only sum to 1 within 1e-9 */
    scenario_of("evolution:\n  initial:\n    shares:\n      tft: 0.3333333333333\n"
                "      alld: 0.3333333333333\n      m1(1,1,0,1,0): 0.3333333333334\n"
                "      allc: 0\n", NULL, &sc);
    assert_int_equal(ev->n_shares, 4);
    assert_string_equal(ev->shares[2].strategy, "m1(1,1,0,1,0)");
    assert_true(ev->shares[3].share == 0.0);
    dlm_scenario_free(&sc);
    scenario_of("evolution: {initial: {shares: {tft: 1}}}\n", NULL, &sc);
    assert_int_equal(ev->n_shares, 1);
    dlm_scenario_free(&sc);
    scenario_of("evolution: {initial: {random: true}}\n", NULL, &sc);
    assert_string_equal(ev->initial, "random");
    assert_int_equal(ev->n_shares, 0);
    assert_null(ev->shares);
    dlm_scenario_free(&sc);
    scenario_of("evolution:\n  population: 50\n  initial:\n    mutant: {resident: alld, mutant: "
                "tft, count: 49}\n", NULL, &sc);
    assert_string_equal(ev->initial, "mutant");
    assert_string_equal(ev->resident, "alld");
    assert_string_equal(ev->mutant, "tft");
    assert_int_equal(ev->mutants, 49);
    assert_null(ev->shares);
    dlm_scenario_free(&sc);
    scenario_of("evolution: {initial: {mutant: {resident: alld, mutant: 'gtft(q=0.2)'}}}\n", NULL,
                &sc);
    assert_int_equal(ev->mutants, 1);
    assert_string_equal(ev->mutant, "gtft(q=0.2)");
    dlm_scenario_free(&sc);
    scenario_of("evolution: {initial: {file: start/agents.txt}}\n", NULL, &sc);
    assert_string_equal(ev->initial, "file");
    assert_string_equal(ev->initial_file, "start/agents.txt");
    dlm_scenario_free(&sc);
    /* an empty or null initial is the default */
    scenario_of("evolution: {initial: {}}\n", NULL, &sc);
    assert_evolution_defaults(ev);
    dlm_scenario_free(&sc);
    scenario_of("evolution:\n  initial:\n", NULL, &sc);
    assert_evolution_defaults(ev);
    dlm_scenario_free(&sc);
}

static void test_evolution_mutation_kinds(void **state)
{
    static const char *const kinds[] = {"random-memory-one", "gaussian", "lookup-flip", "fsm-edit"};
    dlm_scenario sc;
    const dlm_evolution_spec *ev = &sc.evolution;
    size_t i;
    (void)state;
    scenario_of("evolution: {mutation: {rate: 0}}\n", NULL, &sc); /* no rate: none */
    assert_string_equal(ev->mutation_kind, "none");
    dlm_scenario_free(&sc);
    scenario_of("evolution: {mutation: {rate: 0.01}}\n", NULL, &sc); /* a rate: random memory-one */
    assert_string_equal(ev->mutation_kind, "random-memory-one");
    assert_true(ev->mutation_rate == 0.01);
    dlm_scenario_free(&sc);
    /* a set: kind set (even at rate 0, for initial: random) */
    scenario_of("evolution:\n  mutation:\n    set: [tft, alld, 'm1(1,0,1,0,1)', wsls]\n"
                "  initial: {random: true}\n", NULL, &sc);
    assert_string_equal(ev->mutation_kind, "set");
    assert_int_equal(ev->n_mutation_set, 4);
    assert_string_equal(ev->mutation_set[0].strategy, "tft");
    assert_string_equal(ev->mutation_set[2].strategy, "m1(1,0,1,0,1)");
    assert_string_equal(ev->mutation_set[3].strategy, "wsls");
    assert_true(ev->mutation_rate == 0.0);
    dlm_scenario_free(&sc);
    assert_null(sc.evolution.mutation_set);
    assert_int_equal(sc.evolution.n_mutation_set, 0);
    scenario_of("evolution: {mutation: {rate: 1, kind: set, set: [grim]}}\n", NULL, &sc);
    assert_string_equal(ev->mutation_kind, "set");
    assert_int_equal(ev->n_mutation_set, 1);
    dlm_scenario_free(&sc);
    scenario_of("evolution: {mutation: {kind: none}}\n", NULL, &sc);
    assert_string_equal(ev->mutation_kind, "none");
    dlm_scenario_free(&sc);
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; ++i) {
        char yaml[128];
        snprintf(yaml, sizeof yaml, "evolution: {mutation: {rate: 0.5, kind: %s}}\n", kinds[i]);
        scenario_of(yaml, NULL, &sc);
        assert_string_equal(ev->mutation_kind, kinds[i]);
        assert_true(ev->sigma == 0.05);
        dlm_scenario_free(&sc);
    }
}

static void test_evolution_classes_stop_and_snapshot(void **state)
{
    dlm_scenario sc;
    const dlm_evolution_spec *ev = &sc.evolution;
    (void)state;
    /* no shares: equal shares; no names: class<i>; settings from match.* */
    scenario_of("match: {perception_error: 0.125, observation_delay: 4}\n"
                "evolution:\n  classes:\n    - {}\n    - {reaction_period: 5}\n"
                "    - {name: Slow-1.b}\n", NULL, &sc);
    assert_int_equal(ev->n_classes, 3);
    assert_string_equal(ev->classes[0].name, "class0");
    assert_string_equal(ev->classes[1].name, "class1");
    assert_string_equal(ev->classes[2].name, "Slow-1.b");
    assert_true(ev->classes[0].share == 1.0 / 3.0 && ev->classes[2].share == 1.0 / 3.0);
    assert_true(ev->classes[0].player.perception_error == 0.125);
    assert_int_equal(ev->classes[0].player.observation_delay, 4);
    assert_int_equal(ev->classes[0].player.reaction_period, 1);
    assert_int_equal(ev->classes[1].player.reaction_period, 5);
    assert_int_equal(ev->classes[1].player.observation_delay, 4);
    dlm_scenario_free(&sc);
    scenario_of("evolution:\n  classes:\n    - {name: a, share: 1}\n", NULL, &sc);
    assert_int_equal(ev->n_classes, 1);
    assert_true(ev->classes[0].share == 1.0);
    dlm_scenario_free(&sc);
    scenario_of("evolution:\n  classes:\n    - {share: 0.5}\n    - {share: 0.25}\n"
                "    - {share: 0.125}\n    - {share: 0.0625}\n    - {share: 0.03125}\n"
                "    - {share: 0.015625}\n    - {share: 0.0078125}\n    - {share: 0.0078125}\n",
                NULL, &sc);
    assert_int_equal(ev->n_classes, 8);
    assert_string_equal(ev->classes[7].name, "class7");
    dlm_scenario_free(&sc);
    scenario_of("evolution: {stop: {fixation: false}, snapshot: {every: 0, file: ''}}\n", NULL, &sc);
    assert_int_equal(ev->stop_at_fixation, 0);
    assert_true(ev->wall_clock == 0.0);
    assert_true(ev->snapshot_every == 0);
    assert_string_equal(ev->snapshot_file, "");
    dlm_scenario_free(&sc);
    scenario_of("evolution: {stop: {wall_clock: 0.5}, snapshot: {file: s.bin}, generations: 0}\n",
                NULL, &sc);
    assert_true(ev->wall_clock == 0.5);
    assert_string_equal(ev->snapshot_file, "s.bin");
    assert_true(ev->snapshot_every == 0);
    assert_true(ev->generations == 0);
    dlm_scenario_free(&sc);
    /* every rule, fitness map and accumulation */
    scenario_of("evolution: {rule: moran-db, selection: 0, fitness: linear, accumulate: mean}\n",
                NULL, &sc);
    assert_string_equal(ev->rule, "moran-db");
    assert_true(ev->selection == 0.0);
    dlm_scenario_free(&sc);
    /* exact payoffs: memory-one strategies on one timescale */
    scenario_of("evolution: {payoff: exact, initial: {shares: {gtft: 0.5, 'm1(1,0,0,1,1)': 0.5}},"
                " mutation: {rate: 0.1, kind: gaussian}, classes: [{execution_error: 0.1}, {}]}\n",
                NULL, &sc);
    assert_int_equal(ev->payoff_exact, 1);
    dlm_scenario_free(&sc);
    scenario_of("evolution: {payoff: exact, initial: {random: true}}\n", NULL, &sc);
    assert_int_equal(ev->payoff_exact, 1);
    dlm_scenario_free(&sc);
    /* which exact payoff, and strategy costs */
    scenario_of("evolution: {payoff: exact, exact: long-run, cost: {tft: 0.5, 'm1(1,1,0,1,1)': "
                "-1e-3}}\n", NULL, &sc);
    assert_int_equal(ev->exact_long_run, 1);
    assert_int_equal(ev->n_costs, 2);
    assert_string_equal(ev->costs[0].strategy, "tft");
    assert_true(ev->costs[0].share == 0.5 && ev->costs[1].share == -1e-3);
    dlm_scenario_free(&sc);
    scenario_of("evolution: {payoff: exact, exact: match}\n", NULL, &sc);
    assert_int_equal(ev->exact_long_run, 0);
    assert_int_equal(ev->n_costs, 0);
    dlm_scenario_free(&sc);
    scenario_of("evolution: {rule: fermi-sync}\n", NULL, &sc);
    assert_string_equal(ev->rule, "fermi-sync");
    dlm_scenario_free(&sc);
    scenario_of("evolution: {rule: wright-fisher, population: 2, populations: 1048576}\n", NULL, &sc);
    assert_string_equal(ev->rule, "wright-fisher");
    assert_int_equal(ev->population, 2);
    assert_int_equal(ev->populations, 1u << 20);
    dlm_scenario_free(&sc);
}

static void test_evolution_paths_are_relative_to_the_config_file(void **state)
{
    static const char yaml[] =
        "evolution:\n"
        "  structure: {type: file, file: graph.txt}\n"
        "  replacement: {type: file, file: /abs/repl.txt}\n"
        "  initial: {file: ../start.txt}\n"
        "  snapshot: {file: out.snapshot}\n";
    char *path = temp_file(yaml), dir[64], expect[128];
    dlm_config *cfg;
    dlm_scenario sc;
    dlm_error err = {DLM_OK, ""};
    (void)state;
    snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(path, '/') - path), path);
    assert_int_equal(dlm_config_load_file(path, &cfg, &err), DLM_OK);
    assert_int_equal(dlm_config_to_scenario(cfg, &sc, &err), DLM_OK);
    snprintf(expect, sizeof expect, "%s/graph.txt", dir);
    assert_string_equal(sc.evolution.structure.file, expect);
    assert_string_equal(sc.evolution.replacement.file, "/abs/repl.txt");
    snprintf(expect, sizeof expect, "%s/../start.txt", dir);
    assert_string_equal(sc.evolution.initial_file, expect);
    /* outputs stay relative to the current folder, like output.file */
    assert_string_equal(sc.evolution.snapshot_file, "out.snapshot");
    dlm_scenario_free(&sc);
    /* a value given by --set is relative to the current folder */
    assert_int_equal(dlm_config_set(cfg, "evolution.structure.file=mine.txt", &err), DLM_OK);
    assert_int_equal(dlm_config_to_scenario(cfg, &sc, &err), DLM_OK);
    assert_string_equal(sc.evolution.structure.file, "mine.txt");
    dlm_scenario_free(&sc);
    dlm_config_free(cfg);
    unlink(path);
    free(path);
}

static void test_set_into_evolution(void **state)
{
    static const char *const sets[] = {"mode=evolve",
                                       "evolution.structure.type=lattice",
                                       "evolution.structure.width=8",
                                       "evolution.structure.height=16",
                                       "evolution.rule=imitate-best",
                                       "evolution.initial={mutant: {resident: alld, mutant: tft, count: 3}}",
                                       "evolution.mutation.set=[tft, alld]",
                                       "evolution.classes.0.share=0.25",
                                       "evolution.classes.1.share=0.75",
                                       "evolution.stop.fixation=true",
                                       NULL};
    dlm_scenario sc;
    const dlm_evolution_spec *ev = &sc.evolution;
    (void)state;
    scenario_of("evolution:\n  initial: {shares: {tft: 1}}\n  classes:\n    - {name: a, share: 0.5}\n"
                "    - {name: b, share: 0.5}\n  generations: 10\n", sets, &sc);
    assert_int_equal(sc.mode, DLM_MODE_EVOLVE);
    assert_string_equal(ev->structure.type, "lattice");
    assert_int_equal(ev->structure.width, 8);
    assert_int_equal(ev->structure.height, 16);
    assert_int_equal(ev->population, 128);
    assert_string_equal(ev->rule, "imitate-best");
    assert_string_equal(ev->initial, "mutant"); /* the whole initial mapping was replaced */
    assert_int_equal(ev->mutants, 3);
    assert_null(ev->shares);
    assert_string_equal(ev->mutation_kind, "set");
    assert_int_equal(ev->n_mutation_set, 2);
    assert_true(ev->classes[1].share == 0.75);
    assert_true(ev->generations == 10);
    assert_int_equal(ev->stop_at_fixation, 1);
    dlm_scenario_free(&sc);
}

static void test_set_errors_in_evolution_name_the_override(void **state)
{
    static const struct {
        const char *assignment, *message[2];
    } cases[] = {
        {"evolution.structure.width=10", {"--set evolution.structure.width=10: ", "evolution.structure.width: only lattice takes width"}},
        {"evolution.rule=moran", {"--set evolution.rule=moran: ", "evolution.rule: expected one of moran-bd"}},
        {"evolution.structure=lattice", {"--set evolution.structure=lattice: ", "evolution.structure: a lattice needs width and height"}},
        {"evolution.initial.shares={tft: 0.5}", {"--set evolution.initial.shares={tft: 0.5}: ", "the shares sum to 0.5, not 1"}},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        const char *sets[2] = {cases[i].assignment, NULL};
        dlm_error err = {DLM_OK, ""};
        assert_int_equal(try_sets("", sets, &err), DLM_ERR_USAGE);
        assert_contains(err.message, cases[i].message[0]);
        assert_contains(err.message, cases[i].message[1]);
    }
}

static void test_evolution_counts_at_most_64_named_strategies(void **state)
{
    char yaml[4096];
    size_t used, i;
    dlm_error err = {DLM_OK, ""};
    dlm_scenario sc;
    (void)state;
    /* 64 distinct memory-one strategies plus the default tft and alld: too many */
    used = (size_t)snprintf(yaml, sizeof yaml, "evolution:\n  mutation:\n    set:\n");
    for (i = 0; i < 64; ++i)
        used += (size_t)snprintf(yaml + used, sizeof yaml - used, "      - m1(0.%02lu,1,0,1,0)\n",
                                 (unsigned long)i + 10);
    assert_int_equal(try_string(yaml, used, "many.yaml", &err), DLM_ERR_USAGE);
    assert_contains(err.message, "many.yaml:1: evolution.initial: more than 64 distinct strategies");
    /* the same strategy twice counts once */
    used = (size_t)snprintf(yaml, sizeof yaml, "evolution:\n  initial: {random: true}\n"
                            "  mutation:\n    set:\n");
    for (i = 0; i < 64; ++i)
        used += (size_t)snprintf(yaml + used, sizeof yaml - used, "      - m1(0.%02lu,1,0,1,0)\n",
                                 (unsigned long)i % 32 + 10);
    scenario_of(yaml, NULL, &sc);
    assert_int_equal(sc.evolution.n_mutation_set, 64);
    dlm_scenario_free(&sc);
}

/* ---- --set ------------------------------------------------------------------------ */

static void test_set_scalars(void **state)
{
    static const char *const sets[] = {"match.rounds=500", "seed=0xff", "tournament.self_play=false",
                                       "name=two words", "match.execution_error=0.01",
                                       "mode=match", " threads = 4", NULL};
    dlm_scenario sc;
    (void)state;
    scenario_of("match: {rounds: 10}\nseed: 3\n", sets, &sc);
    assert_int_equal(sc.rounds, 500);
    assert_true(sc.seed == 255);
    assert_int_equal(sc.self_play, 0);
    assert_string_equal(sc.name, "two words");
    assert_true(sc.players[0].execution_error == 0.01);
    assert_int_equal(sc.mode, DLM_MODE_MATCH);
    assert_int_equal(sc.threads, 4);
    dlm_scenario_free(&sc);
}

static void test_set_flow_sequences_and_mappings(void **state)
{
    static const char *const sets[] = {"tournament.strategies=[tft, alld, wsls]",
                                       "players=[alld, {strategy: tft, reaction_period: 2}]",
                                       "match={rounds: 7}", NULL};
    dlm_scenario sc;
    (void)state;
    scenario_of("match:\n  rounds: 10\n  execution_error: 0.1\n", sets, &sc);
    assert_int_equal(sc.n_entrants, 3);
    assert_string_equal(sc.entrants[0].strategy, "tft");
    assert_string_equal(sc.entrants[1].strategy, "alld");
    assert_string_equal(sc.entrants[2].strategy, "wsls");
    assert_string_equal(sc.players[0].strategy, "alld");
    assert_int_equal(sc.players[1].reaction_period, 2);
    assert_int_equal(sc.rounds, 7);
    assert_true(sc.players[0].execution_error == 0.0); /* the whole mapping was replaced */
    dlm_scenario_free(&sc);
}

static void test_set_creates_paths_and_replaces_values(void **state)
{
    static const char *const sets[] = {"game.preset=donation", "game.b=5", "output.format=csv",
                                       "match.rounds=20", "match.rounds=30",
                                       "tournament.repetitions=2", "players.1=alld", NULL};
    dlm_scenario sc;
    (void)state;
    /* match: is null (gets replaced by a mapping); game and output are absent */
    scenario_of("match:\ntournament: {repetitions: 9}\nplayers: [tft, wsls]\n", sets, &sc);
    assert_string_equal(sc.game.name, "donation");
    assert_true(sc.game.T == 5.0);
    assert_string_equal(sc.format, "csv");
    assert_int_equal(sc.rounds, 30);
    assert_int_equal(sc.repetitions, 2);
    assert_string_equal(sc.players[0].strategy, "tft");
    assert_string_equal(sc.players[1].strategy, "alld");
    dlm_scenario_free(&sc);
}

static void test_set_rejects_malformed_assignments(void **state)
{
    static const struct {
        const char *assignment, *message;
    } cases[] = {
        {"match.rounds", "expected key=value"},
        {"=5", "empty key"},
        {" =5", "empty key"},
        {"match..rounds=5", "empty key segment"},
        {".rounds=5", "empty key segment"},
        {"match.=5", "empty key segment"},
        {"match.rounds=[1", "--set match.rounds=[1: column"},
        {"match.rounds=&a 1", "anchors"},
        {"match.rounds=*a", "aliases"},
        {"match.rounds=1\n---\n2", "second YAML document"},
        {"match.rounds=!!int 1", "tags"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        dlm_config *cfg;
        dlm_error err = {DLM_OK, ""};
        dlm_scenario sc;
        assert_int_equal(dlm_config_new(&cfg, &err), DLM_OK);
        assert_int_equal(dlm_config_set(cfg, cases[i].assignment, &err), DLM_ERR_USAGE);
        assert_contains(err.message, cases[i].message);
        /* a failed --set leaves the config as it was */
        assert_int_equal(dlm_config_to_scenario(cfg, &sc, &err), DLM_OK);
        assert_defaults(&sc);
        dlm_scenario_free(&sc);
        dlm_config_free(cfg);
    }
}

static void test_set_errors_name_the_override(void **state)
{
    static const struct {
        const char *yaml, *assignment, *message[3];
    } cases[] = {
        {"", "tournament.foo=1", {"--set tournament.foo=1: ", "tournament.foo: unknown key", "repetitions"}},
        {"", "match.rounds=abc", {"--set match.rounds=abc: ", "match.rounds: expected an integer in [1, 536870912], got 'abc'", ""}},
        {"", "match.execution_error=", {"--set match.execution_error=: ", "match.execution_error", "got nothing"}},
        {"", "players=[tft]", {"--set players=[tft]: ", "players: expected exactly 2 players, got 1", ""}},
        {"match: 5\n", "match.rounds.x=1", {"--set match.rounds.x=1: ", "match is a single value (test.yaml:1)", ""}},
        {"players: [tft, alld]\n", "players.2=wsls", {"--set players.2=wsls: ", "players is a sequence of 2 entries (test.yaml:1)", "[0, 2)"}},
        {"players: [tft, alld]\n", "players.x.y=1", {"--set players.x.y=1: ", "'x' is no index", ""}},
        {"", "match.rounds.x=1", {"--set match.rounds.x=1: ", "match.rounds: expected an integer", "got a mapping"}},
    };
    size_t i, j;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        const char *sets[2] = {cases[i].assignment, NULL};
        dlm_error err = {DLM_OK, ""};
        assert_int_equal(try_sets(cases[i].yaml, sets, &err), DLM_ERR_USAGE);
        for (j = 0; j < 3; ++j)
            assert_contains(err.message, cases[i].message[j]);
    }
}

/* ---- bad configs ------------------------------------------------------------------ */

typedef struct bad_config {
    const char *yaml;
    const char *key;   /* the dotted key the message must name */
    int line;          /* the line it must name */
    const char *also;  /* another part the message must hold ("" for none) */
} bad_config;

static const bad_config bad_configs[] = {
    /* unknown keys, with the allowed keys and a suggestion */
    {"name: x\nrounds: 5\n", "rounds", 2, "allowed in the top level: name, seed, mode"},
    {"nmae: x\n", "nmae", 1, "did you mean 'name'?"},
    {"match:\n  rounds: 5\n  roudns: 6\n", "match.roudns", 3, "did you mean 'rounds'?"},
    {"game:\n  preset: pd\n  Q: 1\n", "game.Q", 3, "allowed in game: preset, b, c, R, S, T, P"},
    {"output: {format: csv, path: x}\n", "output.path", 1, "unknown key"},
    {"tournament:\n  self-play: true\n", "tournament.self-play", 2, "did you mean 'self_play'?"},
    {"players:\n  - strategy: tft\n    delay: 3\n  - tft\n", "players[0].delay", 3, "unknown key"},
    /* wrong types */
    {"match: [1, 2]\n", "match", 1, "expected a mapping"},
    {"game: pd\n", "game", 1, "expected a mapping"},
    {"name: [a, b]\n", "name", 1, "expected a string, got a sequence"},
    {"seed: abc\n", "seed", 1, "expected an integer in [0, 18446744073709551615], got 'abc'"},
    {"mode: matches\n", "mode", 1, "expected one of match, tournament, evolve, analyze, got 'matches'; did you mean 'match'?"},
    {"backend: gpu\n", "backend", 1, "expected one of auto, cpu, opencl, cuda"},
    {"threads: -1\n", "threads", 1, "expected an integer in [0, 1024]"},
    {"threads: 1025\n", "threads", 1, "expected an integer in [0, 1024], got '1025'"},
    {"game: {R: 1e308}\n", "game.R", 1, "magnitude at most 1e12"},
    {"evolution:\n  selection: 2e12\n", "evolution.selection", 2, "magnitude at most 1e12"},
    {"threads: 2.0\n", "threads", 1, "got '2.0'"},
    {"output:\n  format: xml\n", "output.format", 2, "table, csv, jsonl, json"},
    {"output:\n  file:\n", "output.file", 2, "got nothing (null)"},
    {"tournament:\n  self_play: yes\n", "tournament.self_play", 2, "expected true or false, got 'yes'"},
    {"tournament:\n  self_play: 1\n", "tournament.self_play", 2, "expected true or false"},
    {"tournament:\n  repetitions: 0\n", "tournament.repetitions", 2, "[1, 4294967295]"},
    {"game:\n  R: .inf\n", "game.R", 2, "expected a finite number"},
    {"game:\n  T: 1e999\n", "game.T", 2, "expected a finite number"},
    {"game:\n  S: 0x10\n", "game.S", 2, "expected a finite number"},
    {"game:\n  preset: prisoner\n", "game.preset", 2, "pd, donation, snowdrift, stag-hunt, harmony"},
    {"game:\n  preset: pd\n  b: 3\n", "game.b", 3, "takes no b or c"},
    {"game:\n  preset: donation\n  b: 1\n  c: 2\n", "game.b", 3, "b > c > 0"},
    /* probabilities */
    {"match:\n  execution_error: 1.5\n", "match.execution_error", 2, "expected a probability in [0, 1], got '1.5'"},
    {"match:\n  perception_error: -0.1\n", "match.perception_error", 2, "[0, 1], got '-0.1'"},
    {"match:\n  continuation: 1\n", "match.continuation", 2, "expected a probability in [0, 1)"},
    {"match:\n  execution_error: 1%\n", "match.execution_error", 2, "got '1%'"},
    {"players:\n  - {strategy: tft, execution_error: 2}\n  - tft\n", "players[0].execution_error", 2, "[0, 1]"},
    /* integers */
    {"match:\n  rounds: 0\n", "match.rounds", 2, "expected an integer in [1, 536870912], got '0'"},
    {"match:\n  rounds: -5\n", "match.rounds", 2, "got '-5'"},
    {"match:\n  rounds: abc\n", "match.rounds", 2, "got 'abc'"},
    {"match:\n  rounds: 2.5\n", "match.rounds", 2, "got '2.5'"},
    {"match:\n  rounds: 536870913\n", "match.rounds", 2, "got '536870913'"},
    {"match:\n  rounds: 99999999999999999999999\n", "match.rounds", 2, "[1, 536870912]"},
    {"match:\n  rounds: 12abc\n", "match.rounds", 2, "got '12abc'"},
    {"match:\n  rounds: 010\n", "match.rounds", 2, "got '010'"},
    {"match:\n  rounds: 1.5\n", "match.rounds", 2, "got '1.5'"},
    {"match:\n  repetitions: 0\n", "match.repetitions", 2, "expected an integer in [1, "},
    {"tournament:\n  matrix: ''\n", "tournament.matrix", 2, "expected true, false or a file name"},
    {"tournament:\n  per_repetition: [a]\n", "tournament.per_repetition", 2, "expected a string"},
    {"match:\n  rounds: 1e-3\n", "match.rounds", 2, "got '1e-3'"},
    {"match:\n  rounds: 1e9\n", "match.rounds", 2, "expected an integer in [1, 536870912], got '1e9'"},
    {"seed: 1e300\n", "seed", 1, "got '1e300'"},
    {"match:\n  rounds: \"200\"\n", "match.rounds", 2, "got the quoted string '200'"},
    {"match:\n  rounds:\n", "match.rounds", 2, "got nothing (null)"},
    {"match:\n  observation_delay: 61\n", "match.observation_delay", 2, "expected an integer in [0, 60]"},
    {"match:\n  reaction_period: 0\n", "match.reaction_period", 2, "expected an integer in [1, "},
    {"seed: -1\n", "seed", 1, "got '-1'"},
    {"seed: 18446744073709551616\n", "seed", 1, "[0, 18446744073709551615]"},
    {"seed: 0x10000000000000000\n", "seed", 1, "got '0x10000000000000000'"},
    /* YAML structure */
    {"match:\n  rounds: 5\n  rounds: 6\n", "match.rounds", 3, "duplicate key (first given at line 2)"},
    {"seed: 1\nname: a\nseed: 2\n", "seed", 3, "first given at line 1"},
    {"match:\n\trounds: 5\n", "match", 2, "tab"},
    {"match: [1, 2\n", "match", 2, "YAML syntax error"},
    {"name: 'unterminated\n", "name", 2, "YAML syntax error"},
    {"a: &x 1\nb: *x\n", "a", 1, "anchors (&x)"},
    {"players:\n  - *p\n  - tft\n", "players", 2, "aliases (*p)"},
    {"seed: !!int 5\n", "seed", 1, "tags"},
    {"name: a\n---\nname: b\n", "second YAML document", 2, ""},
    {"- tft\n- alld\n", "top level", 1, "must be a mapping"},
    {"just a string\n", "top level", 1, "must be a mapping"},
    {"? [a, b]\n: 1\n", "mapping key", 1, "sequence"},
    {"name: \"a\\0b\"\n", "name", 1, "NUL"},
    {"name: ok\nbad: \xff\n", "not UTF-8 text", 2, ""},
    /* players and strategies */
    {"mode: match\nplayers: [tft, alld, wsls]\n", "players", 2, "expected exactly 2 players, got 3"},
    {"players: [tft]\n", "players", 1, "expected exactly 2 players, got 1"},
    {"players: tft\n", "players", 1, "expected a sequence of players"},
    {"players:\n  - {execution_error: 0.1}\n  - tft\n", "players[0]", 2, "the key strategy is required"},
    {"players:\n  -\n  - tft\n", "players[0]", 2, "got nothing (null)"},
    {"tournament:\n  strategies:\n    - tft\n", "tournament.strategies", 2, "expected at least 2 strategies, got 1"},
    {"tournament:\n  strategies: []\n", "tournament.strategies", 2, "got 0"},
    {"tournament:\n  strategies:\n    - tft\n    - 'no such strategy('\n", "tournament.strategies[1]", 4,
     "invalid strategy 'no such strategy(': "},
    {"tournament:\n  strategies: [tft, m1(1,1,0,1,0)]\n", "tournament.strategies[1]", 2,
     "YAML splits text at commas: quote the strategy"},
    {"tournament:\n  strategies: [tft, [alld]]\n", "tournament.strategies[1]", 2, "got a sequence"},
    {"tournament:\n  strategies:\n    - tft\n    - {strategy: alld, reaction_period: 0}\n",
     "tournament.strategies[1].reaction_period", 4, "[1, 536870912]"},
    /* evolution: keys, values, ranges */
    {"evolution: 5\n", "evolution", 1, "expected a mapping with keys population, populations"},
    {"evolution:\n  populaton: 5\n", "evolution.populaton", 2, "did you mean 'population'?"},
    {"evolution:\n  seed: 5\n", "evolution.seed", 2, "unknown key (allowed in evolution: population, populations, generations, rule"},
    {"evolution:\n  population: 1\n", "evolution.population", 2, "expected an integer in [2, 4294967295]"},
    {"evolution:\n  populations: 0\n", "evolution.populations", 2, "[1, 1048576]"},
    {"evolution:\n  generations: 0x10000000001\n", "evolution.generations", 2, "[0, 1099511627776]"},
    {"evolution:\n  population: 5000\n  populations: 1048576\n", "evolution.populations", 3, "agents; at most 4294967295 in all"},
    {"evolution:\n  rule: moran\n", "evolution.rule", 2, "expected one of moran-bd, moran-db, fermi, fermi-sync, wright-fisher, imitate-best, got 'moran'"},
    {"evolution:\n  selection: -0.5\n", "evolution.selection", 2, "expected a number >= 0, got '-0.5'"},
    {"evolution:\n  selection: .inf\n", "evolution.selection", 2, "expected a number >= 0"},
    {"evolution:\n  fitness: exp\n", "evolution.fitness", 2, "linear, exponential"},
    {"evolution:\n  accumulate: sum\n", "evolution.accumulate", 2, "mean, total"},
    {"evolution:\n  payoff: expected\n", "evolution.payoff", 2, "expected one of played, exact, estimated"},
    {"evolution:\n  payoff: exact\n  exact: forever\n", "evolution.exact", 3, "expected one of match, long-run"},
    {"evolution:\n  exact: long-run\n", "evolution.exact", 2, "needs evolution.payoff: exact"},
    {"evolution:\n  estimate_matches: 50\n", "evolution.estimate_matches", 2, "needs evolution.payoff: estimated"},
    {"evolution:\n  payoff: estimated\n  estimate_matches: 1\n", "evolution.estimate_matches", 3, "expected an integer in [2, 16777216]"},
    {"evolution:\n  payoff: estimated\n  mutation: {kind: gaussian, rate: 0.1}\n", "evolution.payoff", 2, "mutation kind gaussian makes new strategies without end"},
    {"evolution:\n  cost: 0.5\n", "evolution.cost", 2, "as a mapping (e.g. {tft: 0.1}), got '0.5'"},
    {"evolution:\n  cost: {}\n", "evolution.cost", 2, "got an empty one"},
    {"evolution:\n  cost: {tft: cheap}\n", "evolution.cost.tft", 2, "a cost per round"},
    {"evolution:\n  cost: {tft: 1e13}\n", "evolution.cost.tft", 2, "magnitude at most 1e12"},
    {"evolution:\n  cost: {nonesuch: 1}\n", "evolution.cost.nonesuch", 2, "nonesuch"},
    {"evolution:\n  cost: {tft: 1, 'm1(1,1,0,1,0)': 2}\n", "evolution.cost.m1(1,1,0,1,0)", 2, "the same strategy as tft, which already has a cost"},
    {"match: {reaction_period: 2}\nevolution:\n  payoff: exact\n", "evolution.payoff", 3, "reaction period 1 and observation delay 0 (match gives 2 and 0)"},
    {"evolution:\n  payoff: exact\n  classes: [{name: a}, {name: b, observation_delay: 1}]\n", "evolution.payoff", 2, "(class b has 1 and 1)"},
    {"evolution:\n  payoff: exact\n  initial:\n    shares: {tft: 0.5, grim: 0.5}\n", "evolution.payoff", 2, "memory-one strategies, and evolution.initial.shares.grim ("},
    {"evolution:\n  payoff: exact\n  mutation: {set: [tft, tf2t]}\n", "evolution.payoff", 2, "evolution.mutation.set[1]"},
    {"evolution:\n  payoff: exact\n  mutation: {kind: fsm-edit}\n", "evolution.payoff", 2, "mutation kind fsm-edit"},
    {"evolution:\n  tolerance: 1.5\n", "evolution.tolerance", 2, "[0, 1]"},
    {"evolution:\n  record_every: 0\n", "evolution.record_every", 2, "expected an integer in [1, 1099511627776], got '0'"},
    /* evolution: structures */
    {"evolution:\n  structure: [lattice]\n", "evolution.structure", 2, "expected a structure type (well-mixed, lattice"},
    {"evolution:\n  structure: lattice\n", "evolution.structure", 2, "a lattice needs width and height"},
    {"evolution:\n  structure: {type: lattice, width: 10}\n", "evolution.structure", 2, "needs width and height"},
    {"evolution:\n  structure: {type: lattice, width: 2, height: 10}\n", "evolution.structure.width", 2, "[3, 2147483648]"},
    {"evolution:\n  structure: {type: latice}\n", "evolution.structure.type", 2, "did you mean 'lattice'?"},
    {"evolution:\n  structure: {type: ring, size: 3}\n", "evolution.structure.size", 2, "unknown key"},
    {"evolution:\n  structure:\n    width: 10\n", "evolution.structure.width", 3, "only lattice takes width (the type here is well-mixed, the default: give type)"},
    {"evolution:\n  structure:\n    type: ring\n    width: 10\n", "evolution.structure.width", 4, "only lattice takes width (the type here is ring)"},
    {"evolution:\n  structure: {type: ring, beta: 0.5}\n", "evolution.structure.beta", 2, "only watts-strogatz takes beta"},
    {"evolution:\n  structure: {type: lattice, k: 5, width: 3, height: 3}\n", "evolution.structure.k", 2, "only ring and watts-strogatz take k"},
    {"evolution:\n  structure: {type: ring, partners: 3}\n", "evolution.structure.partners", 2, "only well-mixed takes partners"},
    {"evolution:\n  population: 50\n  structure:\n    type: lattice\n    width: 10\n    height: 10\n",
     "evolution.structure", 5, "a 10x10 lattice has 100 sites but the population is 50 (evolution.population, "},
    {"evolution:\n  structure: {type: lattice, width: 4, height: 4, neighbourhood: hex}\n", "evolution.structure.neighbourhood", 2, "expected one of von-neumann, moore, got 'hex'"},
    {"evolution:\n  structure: {type: lattice, width: 4, height: 4, neighborhood: vonneumann}\n", "evolution.structure.neighborhood", 2, "did you mean 'von-neumann'?"},
    {"evolution:\n  structure: {type: lattice, width: 4, height: 4, neighbourhood: moore, neighborhood: moore}\n", "evolution.structure.neighborhood", 2, "give one spelling"},
    {"evolution:\n  structure: {type: lattice, width: 4, height: 4, self: 1}\n", "evolution.structure.self", 2, "expected true or false"},
    {"evolution:\n  structure: {type: random-regular}\n", "evolution.structure", 2, "random-regular needs degree"},
    {"evolution:\n  population: 10\n  structure: {type: random-regular, degree: 10}\n", "evolution.structure.degree", 3, "takes degree < 10"},
    {"evolution:\n  population: 11\n  structure: {type: random-regular, degree: 3}\n", "evolution.structure.degree", 3, "is odd"},
    {"evolution:\n  structure: {type: erdos-renyi}\n", "evolution.structure", 2, "erdos-renyi needs p"},
    {"evolution:\n  structure: {type: erdos-renyi, p: 1.5}\n", "evolution.structure.p", 2, "[0, 1]"},
    {"evolution:\n  population: 300000\n  structure: {type: erdos-renyi, p: 0.1}\n", "evolution.structure", 3, "at most 262144 agents"},
    {"evolution:\n  population: 6\n  structure:\n    type: ring\n    k: 3\n", "evolution.structure.k", 5, "a ring of 6 agents takes k < 3"},
    {"evolution:\n  population: 4\n  structure: watts-strogatz\n", "evolution.structure.k", 3, "a small world of 4 agents"},
    {"evolution:\n  structure: {type: watts-strogatz, beta: -0.1}\n", "evolution.structure.beta", 2, "[0, 1]"},
    {"evolution:\n  population: 3\n  structure: {type: barabasi-albert, m: 3}\n", "evolution.structure.m", 3, "takes m < 3"},
    {"evolution:\n  structure: {type: barabasi-albert, m: 0}\n", "evolution.structure.m", 2, "[1, "},
    {"evolution:\n  structure: {type: file}\n", "evolution.structure", 2, "file needs file"},
    {"evolution:\n  structure: {type: file, file: ''}\n", "evolution.structure.file", 2, "expected a file name"},
    {"evolution:\n  structure: {type: well-mixed, partners: -1}\n", "evolution.structure.partners", 2, "[0, 4294967295]"},
    {"evolution:\n  structure: ring\n  replacement: well-mixed\n", "evolution.replacement", 3, "give both well-mixed or both graphs"},
    {"evolution:\n  replacement: {type: lattice, width: 10, height: 10}\n", "evolution.replacement", 2, "the structure is well-mixed and the replacement lattice"},
    {"evolution:\n  structure: {type: lattice, width: 3, height: 3}\n  replacement: {type: lattice, width: 3, height: 3, self: true}\n",
     "evolution.replacement.self", 3, "set it in evolution.structure"},
    {"evolution:\n  replacement: {partners: 3}\n", "evolution.replacement.partners", 2, "set it in evolution.structure"},
    {"evolution:\n  structure: {type: lattice, width: 3, height: 3}\n  replacement: {type: lattice, width: 4, height: 4}\n",
     "evolution.replacement", 3, "a 4x4 lattice has 16 sites but the population is 9 (taken from evolution.structure)"},
    {"evolution:\n  rule: imitate-best\n", "evolution.rule", 2, "imitate-best compares neighbours"},
    /* evolution: mutation */
    {"evolution:\n  mutation: [tft]\n", "evolution.mutation", 2, "expected a mapping with keys rate, kind, set, sigma"},
    {"evolution:\n  mutation: {strength: 1}\n", "evolution.mutation.strength", 2, "allowed in evolution.mutation: rate, kind, set, sigma"},
    {"evolution:\n  mutation: {rate: 2}\n", "evolution.mutation.rate", 2, "[0, 1]"},
    {"evolution:\n  mutation: {kind: gausian}\n", "evolution.mutation.kind", 2, "did you mean 'gaussian'?"},
    {"evolution:\n  mutation: {kind: set}\n", "evolution.mutation.kind", 2, "kind set needs evolution.mutation.set"},
    {"evolution:\n  mutation: {kind: gaussian, set: [tft]}\n", "evolution.mutation.set", 2, "only kind set takes a set (the kind here is gaussian)"},
    {"evolution:\n  mutation: {rate: 0.1, sigma: 0.1}\n", "evolution.mutation.sigma", 2, "only kind gaussian takes sigma (the kind here is random-memory-one, the default"},
    {"evolution:\n  mutation: {kind: gaussian, sigma: 0}\n", "evolution.mutation.sigma", 2, "expected a number > 0"},
    {"evolution:\n  mutation: {kind: none, rate: 0.1}\n", "evolution.mutation.rate", 2, "kind none mutates nothing"},
    {"evolution:\n  mutation: {set: []}\n", "evolution.mutation.set", 2, "at least one strategy, got an empty one"},
    {"evolution:\n  mutation: {set: tft}\n", "evolution.mutation.set", 2, "expected a sequence"},
    {"evolution:\n  mutation:\n    set: [tft, nosuch]\n", "evolution.mutation.set[1]", 3, "invalid strategy 'nosuch'"},
    {"evolution:\n  initial: {random: true}\n  mutation:\n    rate: 0.1\n    kind: fsm-edit\n", "evolution.mutation.kind", 5, "fsm-edit never changes"},
    /* evolution: the initial population */
    {"evolution:\n  initial: random\n", "evolution.initial", 2, "expected a mapping with keys shares, random, mutant, file"},
    {"evolution:\n  initial:\n    from: x\n", "evolution.initial.from", 3, "allowed in evolution.initial: shares, random, mutant, file"},
    {"evolution:\n  initial:\n    shares: {tft: 1}\n    random: true\n", "evolution.initial", 4, ") and random are two initial forms"},
    {"evolution:\n  initial:\n    file: a.txt\n    mutant: {resident: alld, mutant: tft}\n", "evolution.initial", 4, ":3) and mutant are two initial forms"},
    {"evolution:\n  initial:\n    shares: {tft: 0.5, alld: 0.4}\n", "evolution.initial.shares", 3, "the shares sum to 0.9, not 1 (within 1e-09)"},
    {"evolution:\n  initial:\n    shares: {tft: -0.5, alld: 1.5}\n", "evolution.initial.shares.tft", 3, "expected a share in [0, 1], got '-0.5'"},
    {"evolution:\n  initial:\n    shares: {}\n", "evolution.initial.shares", 3, "got an empty one"},
    {"evolution:\n  initial:\n    shares: tft\n", "evolution.initial.shares", 3, "as a mapping"},
    {"evolution:\n  initial:\n    shares: {nosuch: 1}\n", "evolution.initial.shares.nosuch", 3, "invalid strategy 'nosuch'"},
    {"evolution:\n  initial:\n    shares:\n      - {strategy: tft}\n", "evolution.initial.shares[0]", 4, "the keys strategy and share are required"},
    {"evolution:\n  initial:\n    shares:\n      - {strategy: tft, share: 1, weight: 2}\n", "evolution.initial.shares[0].weight", 4, "unknown key"},
    {"evolution:\n  initial:\n    shares:\n      - tft\n", "evolution.initial.shares[0]", 4, "expected a mapping {strategy"},
    {"evolution:\n  initial:\n    shares:\n      - {strategy: tft, share: 0.5}\n      - {strategy: alld, share: 0.6}\n",
     "evolution.initial.shares", 3, "the shares sum to 1.1, not 1"},
    {"evolution:\n  initial:\n    random: false\n", "evolution.initial.random", 3, "false is no initial form"},
    {"evolution:\n  initial:\n    mutant: {resident: alld}\n", "evolution.initial.mutant", 3, "resident and mutant are required"},
    {"evolution:\n  initial:\n    mutant: {resident: alld, mutant: 'tft(', count: 1}\n", "evolution.initial.mutant.mutant", 3, "invalid strategy 'tft('"},
    {"evolution:\n  population: 10\n  initial:\n    mutant: {resident: alld, mutant: tft, count: 10}\n",
     "evolution.initial.mutant.count", 4, "10 mutants in a population of 10"},
    {"evolution:\n  initial:\n    mutant: {resident: alld, mutant: tft, count: 0}\n", "evolution.initial.mutant.count", 3, "[1, "},
    {"evolution:\n  initial:\n    file: ''\n", "evolution.initial.file", 3, "expected a file name"},
    /* evolution: classes */
    {"evolution:\n  classes: [{}, {}, {}, {}, {}, {}, {}, {}, {}]\n", "evolution.classes", 2, "expected 1 to 8 classes, got 9"},
    {"evolution:\n  classes: []\n", "evolution.classes", 2, "got 0 (leave classes out"},
    {"evolution:\n  classes: {name: a}\n", "evolution.classes", 2, "expected a sequence of classes"},
    {"evolution:\n  classes:\n    - fast\n", "evolution.classes[0]", 3, "expected a mapping with keys name"},
    {"evolution:\n  classes:\n    - name: fast\n    - name: fast\n", "evolution.classes[1].name", 4, "'fast' is the name of evolution.classes[0] already"},
    {"evolution:\n  classes:\n    - {name: class1}\n    - {}\n", "evolution.classes[1].name", 4, "'class1' is the name of evolution.classes[0] already"},
    {"evolution:\n  classes:\n    - name: fast lane\n", "evolution.classes[0].name", 3, "letters, digits"},
    {"evolution:\n  classes:\n    - name: ''\n", "evolution.classes[0].name", 3, "got ''"},
    {"evolution:\n  classes:\n    - {share: 0.5}\n    - {share: 0.4}\n", "evolution.classes", 2, "the shares sum to 0.9, not 1"},
    {"evolution:\n  classes:\n    - {share: 1}\n    - {name: b}\n", "evolution.classes", 4, "classes[1] has no share but another class has one"},
    {"evolution:\n  classes:\n    - {share: 1.5}\n", "evolution.classes[0].share", 3, "expected a share in [0, 1]"},
    {"evolution:\n  classes:\n    - {speed: 2}\n", "evolution.classes[0].speed", 3, "unknown key"},
    {"evolution:\n  classes:\n    - {reaction_period: 0}\n", "evolution.classes[0].reaction_period", 3, "[1, 536870912]"},
    {"evolution:\n  classes:\n    - {execution_error: 2}\n", "evolution.classes[0].execution_error", 3, "[0, 1]"},
    /* evolution: stop, snapshot */
    {"evolution:\n  stop: {fixation: yes}\n", "evolution.stop.fixation", 2, "expected true or false"},
    {"evolution:\n  stop: {wall_clock: -1}\n", "evolution.stop.wall_clock", 2, "seconds >= 0"},
    {"evolution:\n  stop: {generations: 5}\n", "evolution.stop.generations", 2, "allowed in evolution.stop: fixation, wall_clock"},
    {"evolution:\n  snapshot: {every: -1}\n", "evolution.snapshot.every", 2, "[0, 1099511627776]"},
    {"evolution:\n  snapshot: {file: }\n", "evolution.snapshot.file", 2, "got nothing (null)"},
    {"evolution:\n  snapshot: 100\n", "evolution.snapshot", 2, "expected a mapping with keys every, file"},
};

/* The line marker every message of case c must hold, for origin (e.g. "bad.yaml:3:"). */
static void check_bad_message(const bad_config *c, const char *origin, const dlm_error *err)
{
    char where[1200];
    snprintf(where, sizeof where, "%s:%d:", origin, c->line);
    assert_int_equal(err->status, DLM_ERR_USAGE);
    assert_contains(err->message, where);
    assert_contains(err->message, c->key);
    assert_contains(err->message, c->also);
}

static void test_bad_configs_from_strings(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad_configs / sizeof bad_configs[0]; ++i) {
        const bad_config *c = &bad_configs[i];
        dlm_error err = {DLM_OK, ""};
        dlm_status st = try_string(c->yaml, strlen(c->yaml), "configs/bad.yaml", &err);
        if (st != DLM_ERR_USAGE)
            print_error("case %lu (%s) gave status %d\n", (unsigned long)i, c->yaml, (int)st);
        assert_int_equal(st, DLM_ERR_USAGE);
        check_bad_message(c, "configs/bad.yaml", &err);
    }
}

static void test_bad_configs_from_files(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad_configs / sizeof bad_configs[0]; ++i) {
        const bad_config *c = &bad_configs[i];
        char *path = temp_file(c->yaml);
        dlm_config *cfg = NULL;
        dlm_scenario sc;
        dlm_error err = {DLM_OK, ""};
        dlm_status st = dlm_config_load_file(path, &cfg, &err);
        if (st == DLM_OK) {
            st = dlm_config_to_scenario(cfg, &sc, &err);
            dlm_scenario_free(&sc);
        }
        assert_int_equal(st, DLM_ERR_USAGE);
        check_bad_message(c, path, &err);
        dlm_config_free(cfg);
        unlink(path);
        free(path);
    }
}

static void test_missing_or_unreadable_file_is_a_usage_error(void **state)
{
    dlm_config *cfg = (dlm_config *)1;
    dlm_error err = {DLM_OK, ""};
    (void)state;
    assert_int_equal(dlm_config_load_file("/nonexistent/dilemma.yaml", &cfg, &err), DLM_ERR_USAGE);
    assert_null(cfg);
    assert_contains(err.message, "cannot open config file '/nonexistent/dilemma.yaml'");
    assert_int_equal(dlm_config_load_file("/tmp", &cfg, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "'/tmp'");
}

static void test_valid_file_loads(void **state)
{
    char *path = temp_file("mode: match\nplayers:\n  - tft\n  - alld\nmatch: {rounds: 10}\n");
    dlm_config *cfg;
    dlm_scenario sc;
    dlm_error err = {DLM_OK, ""};
    (void)state;
    assert_int_equal(dlm_config_load_file(path, &cfg, &err), DLM_OK);
    assert_int_equal(dlm_config_set(cfg, "match.rounds=11", &err), DLM_OK);
    assert_int_equal(dlm_config_to_scenario(cfg, &sc, &err), DLM_OK);
    assert_int_equal(sc.mode, DLM_MODE_MATCH);
    assert_int_equal(sc.rounds, 11);
    assert_string_equal(sc.players[1].strategy, "alld");
    dlm_scenario_free(&sc);
    /* validating twice gives the same scenario */
    assert_int_equal(dlm_config_to_scenario(cfg, &sc, &err), DLM_OK);
    assert_int_equal(sc.rounds, 11);
    dlm_scenario_free(&sc);
    dlm_config_free(cfg);
    unlink(path);
    free(path);
}

/* ---- limits ------------------------------------------------------------------------ */

static void test_limits_refuse_hostile_input(void **state)
{
    size_t n = 1u << 21, i;
    char *text = malloc(2 * n + 16);
    dlm_error err = {DLM_OK, ""};
    (void)state;
    assert_non_null(text);
    /* nesting: 10^5 open brackets must neither recurse nor crash */
    memset(text, '[', n);
    assert_int_equal(try_string(text, n, "deep.yaml", &err), DLM_ERR_USAGE);
    assert_contains(err.message, "deep.yaml:1:");
    assert_contains(err.message, "nesting deeper than 64 levels");
    /* node count: a flow sequence of 2^20 + 1 items */
    strcpy(text, "x: [");
    for (i = 0; i <= (1u << 20); ++i)
        memcpy(text + 4 + 2 * i, "1,", 2);
    strcpy(text + 4 + 2 * i, "]");
    assert_int_equal(try_string(text, strlen(text), "many.yaml", &err), DLM_ERR_USAGE);
    assert_contains(err.message, "too many YAML nodes");
    /* a name longer than the scenario holds */
    memset(text, 'a', 300);
    memcpy(text, "name: ", 6);
    text[300] = '\0';
    assert_int_equal(try_string(text, strlen(text), "long.yaml", &err), DLM_ERR_USAGE);
    assert_contains(err.message, "long.yaml:1: name: 294 characters is too long (at most 127)");
    /* a strategy longer than the scenario holds */
    strcpy(text, "players: [tft, ");
    memset(text + strlen(text), 'b', 300);
    strcpy(text + 15 + 300, "]");
    assert_int_equal(try_string(text, strlen(text), "long.yaml", &err), DLM_ERR_USAGE);
    assert_contains(err.message, "long.yaml:1: players[1]: 300 characters is too long");
    /* NUL bytes in the input, and non-UTF-8 bytes */
    assert_int_equal(try_string("name: a\0b\n", 10, "nul.yaml", &err), DLM_ERR_USAGE);
    assert_contains(err.message, "nul.yaml:1");
    free(text);
}

/* ---- the example configs -------------------------------------------------------------- */

static void test_example_configs_validate(void **state)
{
    const char *dir = DLM_TEST_DATA "/../../configs";
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0, failed = 0;
    (void)state;
    if (!d)
        skip();
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        char path[2048];
        dlm_config *cfg;
        dlm_scenario sc;
        dlm_error err = {DLM_OK, ""};
        dlm_status st;
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        st = dlm_config_load_file(path, &cfg, &err);
        if (st == DLM_OK) {
            st = dlm_config_to_scenario(cfg, &sc, &err);
            dlm_scenario_free(&sc);
            dlm_config_free(cfg);
        }
        if (st != DLM_OK) {
            print_error("%s\n", err.message);
            ++failed;
        }
        ++n;
    }
    closedir(d);
    print_message("%d example configs, %d fail to validate\n", n, failed);
    assert_int_equal(failed, 0);
}

/* Every ```yaml block of configs/README.md is a valid config (its evolution examples too). */
static void test_readme_examples_validate(void **state)
{
    const char *path = DLM_TEST_DATA "/../../configs/README.md";
    FILE *f = fopen(path, "rb");
    char *text, *at;
    long len;
    int n = 0;
    (void)state;
    if (!f)
        skip();
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    assert_true(len > 0);
    rewind(f);
    text = malloc((size_t)len + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
    text[len] = '\0';
    fclose(f);
    for (at = strstr(text, "```yaml\n"); at; at = strstr(at, "```yaml\n")) {
        char *start = at + 8, *end = strstr(start, "```");
        char origin[64];
        dlm_error err = {DLM_OK, ""};
        dlm_status st;
        assert_non_null(end);
        snprintf(origin, sizeof origin, "README.md block %d", ++n);
        st = try_string(start, (size_t)(end - start), origin, &err);
        if (st != DLM_OK)
            print_error("%s\n", err.message);
        assert_int_equal(st, DLM_OK);
        at = end + 3;
    }
    print_message("%d YAML examples in configs/README.md validate\n", n);
    assert_true(n >= 5);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_config_has_every_default),
        cmocka_unit_test(test_empty_and_comment_only_files_are_defaults),
        cmocka_unit_test(test_every_key_is_read),
        cmocka_unit_test(test_continuation_without_rounds_gets_a_documented_cap),
        cmocka_unit_test(test_game_presets_and_custom_payoffs),
        cmocka_unit_test(test_scalar_spellings),
        cmocka_unit_test(test_every_evolution_key_is_read),
        cmocka_unit_test(test_evolution_structure_types),
        cmocka_unit_test(test_evolution_initial_forms),
        cmocka_unit_test(test_evolution_mutation_kinds),
        cmocka_unit_test(test_evolution_classes_stop_and_snapshot),
        cmocka_unit_test(test_evolution_paths_are_relative_to_the_config_file),
        cmocka_unit_test(test_evolution_counts_at_most_64_named_strategies),
        cmocka_unit_test(test_set_scalars),
        cmocka_unit_test(test_set_flow_sequences_and_mappings),
        cmocka_unit_test(test_set_creates_paths_and_replaces_values),
        cmocka_unit_test(test_set_rejects_malformed_assignments),
        cmocka_unit_test(test_set_errors_name_the_override),
        cmocka_unit_test(test_set_into_evolution),
        cmocka_unit_test(test_set_errors_in_evolution_name_the_override),
        cmocka_unit_test(test_bad_configs_from_strings),
        cmocka_unit_test(test_bad_configs_from_files),
        cmocka_unit_test(test_missing_or_unreadable_file_is_a_usage_error),
        cmocka_unit_test(test_valid_file_loads),
        cmocka_unit_test(test_limits_refuse_hostile_input),
        cmocka_unit_test(test_example_configs_validate),
        cmocka_unit_test(test_readme_examples_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

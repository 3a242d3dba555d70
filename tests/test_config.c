/* test_config.c — the YAML config loader, --set overrides and schema validation
 * (host/config.c, host/config_schema.c; schema in configs/README.md).
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

#include "config.h"

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
        if (st != DLM_OK)
            assert_null(sc.entrants); /* nothing is left allocated on failure */
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
    scenario_of("game: {preset: stag-hunt, P: 0.5}\n", NULL, &sc); /* explicit preset keeps its name */
    assert_string_equal(sc.game.name, "stag-hunt");
    assert_true(sc.game.R == 4.0 && sc.game.T == 3.0 && sc.game.P == 0.5);
    dlm_scenario_free(&sc);
    scenario_of("game: {preset: snowdrift}\n", NULL, &sc);
    assert_string_equal(sc.game.name, "snowdrift");
    assert_true(sc.game.R == 3.0 && sc.game.S == 2.0 && sc.game.T == 4.0 && sc.game.P == 0.0);
    dlm_scenario_free(&sc);
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
    {"mode: matches\n", "mode", 1, "expected one of match, tournament, got 'matches'; did you mean 'match'?"},
    {"backend: gpu\n", "backend", 1, "expected one of auto, cpu, opencl, cuda"},
    {"threads: -1\n", "threads", 1, "expected an integer in [0, 65536]"},
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
    {"match:\n  rounds: 1e3\n", "match.rounds", 2, "got '1e3'"},
    {"match:\n  rounds: abc\n", "match.rounds", 2, "got 'abc'"},
    {"match:\n  rounds: 2.5\n", "match.rounds", 2, "got '2.5'"},
    {"match:\n  rounds: 536870913\n", "match.rounds", 2, "got '536870913'"},
    {"match:\n  rounds: 99999999999999999999999\n", "match.rounds", 2, "[1, 536870912]"},
    {"match:\n  rounds: 12abc\n", "match.rounds", 2, "got '12abc'"},
    {"match:\n  rounds: 010\n", "match.rounds", 2, "got '010'"},
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_config_has_every_default),
        cmocka_unit_test(test_empty_and_comment_only_files_are_defaults),
        cmocka_unit_test(test_every_key_is_read),
        cmocka_unit_test(test_continuation_without_rounds_gets_a_documented_cap),
        cmocka_unit_test(test_game_presets_and_custom_payoffs),
        cmocka_unit_test(test_scalar_spellings),
        cmocka_unit_test(test_set_scalars),
        cmocka_unit_test(test_set_flow_sequences_and_mappings),
        cmocka_unit_test(test_set_creates_paths_and_replaces_values),
        cmocka_unit_test(test_set_rejects_malformed_assignments),
        cmocka_unit_test(test_set_errors_name_the_override),
        cmocka_unit_test(test_bad_configs_from_strings),
        cmocka_unit_test(test_bad_configs_from_files),
        cmocka_unit_test(test_missing_or_unreadable_file_is_a_usage_error),
        cmocka_unit_test(test_valid_file_loads),
        cmocka_unit_test(test_limits_refuse_hostile_input),
        cmocka_unit_test(test_example_configs_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

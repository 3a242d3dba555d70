/* fuzz_config.c — fuzz target for the config loader (host/config/config.c, host/config/config_schema.c,
 * host/config/config_evolution.c).
 *
 * Each input is YAML text: it is loaded with dlm_config_load_string; when its first line
 * reads "#set key=value" (a YAML comment, so the text stays valid YAML) that override is
 * applied with dlm_config_set; then the config is validated into a scenario, whose
 * contract is checked, and everything is freed. Any crash, leak, sanitizer report or
 * broken contract is a bug.
 *
 * Built two ways (tests/CMakeLists.txt):
 *   - with clang and -DDLM_FUZZ=ON: a libFuzzer binary (`fuzz_config`), run for a bounded
 *     time by ctest;
 *   - in every build, with DLM_FUZZ_REPLAY defined: `fuzz_config_replay FILE|DIR...` feeds
 *     the seed corpus (or crash reproducers) through the same target with a plain main.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stops the process when a documented property of the loader's results does not hold. */
static void require(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_config: broken contract: %s\n", what);
        abort();
    }
}

/* Checks one player spec against the ranges scenario.h documents. */
static void check_spec(const dlm_player_spec *p)
{
    require(memchr(p->strategy, '\0', sizeof p->strategy) && p->strategy[0], "strategy text");
    require(p->execution_error >= 0.0 && p->execution_error <= 1.0, "execution_error in [0, 1]");
    require(p->perception_error >= 0.0 && p->perception_error <= 1.0, "perception_error in [0, 1]");
    require(p->reaction_period >= 1 && p->reaction_period <= DLM_MAX_ROUNDS, "reaction_period");
    require(p->observation_delay <= DLM_MAX_DELAY, "observation_delay <= DLM_MAX_DELAY");
}

/* Checks one player's settings (strategy text unused, so empty). */
static void check_settings(const dlm_player_spec *p)
{
    require(p->strategy[0] == '\0', "settings carry no strategy");
    require(p->execution_error >= 0.0 && p->execution_error <= 1.0, "execution_error in [0, 1]");
    require(p->perception_error >= 0.0 && p->perception_error <= 1.0, "perception_error in [0, 1]");
    require(p->reaction_period >= 1 && p->reaction_period <= DLM_MAX_ROUNDS, "reaction_period");
    require(p->observation_delay <= DLM_MAX_DELAY, "observation_delay <= DLM_MAX_DELAY");
}

/* 1 when s is one of the n names. */
static int one_of(const char *s, const char *const *names, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i)
        if (strcmp(s, names[i]) == 0)
            return 1;
    return 0;
}

/* Checks a structure spec against scenario.h. */
static void check_structure(const dlm_structure_spec *s, uint32_t population)
{
    static const char *const types[] = {"well-mixed",     "lattice",         "ring",
                                        "random-regular", "erdos-renyi",     "barabasi-albert",
                                        "watts-strogatz", "file"};
    static const char *const hoods[] = {"von-neumann", "moore"};
    require(one_of(s->type, types, 8), "structure type");
    require(one_of(s->neighbourhood, hoods, 2), "neighbourhood");
    require(s->self_loops == 0 || s->self_loops == 1, "self_loops is 0 or 1");
    require(s->p >= 0.0 && s->p <= 1.0 && s->beta >= 0.0 && s->beta <= 1.0, "p, beta in [0, 1]");
    require(memchr(s->file, '\0', sizeof s->file) != NULL, "file terminated");
    if (strcmp(s->type, "lattice") == 0)
        require(s->width >= 3 && s->height >= 3 && (uint64_t)s->width * s->height == population,
                "lattice sites = population");
    if (strcmp(s->type, "file") == 0)
        require(s->file[0] != '\0', "file structure names a file");
}

/* Checks analyze.population against scenario.h. */
static void check_population_analysis(const dlm_population_analysis_spec *pa)
{
    size_t i;
    require(pa->wanted == 0 || pa->wanted == 1, "analyze.population wanted");
    require(pa->full_chain == 0 || pa->full_chain == 1, "full_chain");
    require(pa->max_states >= 1, "max_states >= 1");
    require((pa->types != NULL) == (pa->n_types > 0) && (pa->n_types == 0 || pa->n_types >= 2) &&
                pa->n_types <= 64, "types");
    for (i = 0; i < pa->n_types; ++i)
        require(pa->types[i].strategy[0] != '\0', "type strategy");
    require((pa->payoff_matrix != NULL) == (pa->n_payoff > 0) &&
                (pa->n_payoff == 0 || (pa->n_payoff >= 2 && pa->n_payoff <= 64)) &&
                (pa->n_types == 0 || pa->n_payoff == 0 || pa->n_types == pa->n_payoff),
            "payoff matrix");
    for (i = 0; i < pa->n_payoff * pa->n_payoff; ++i)
        require(pa->payoff_matrix[i] == pa->payoff_matrix[i], "payoffs are numbers");
    require(pa->wanted || (!pa->types && !pa->payoff_matrix), "population keys only when wanted");
}

/* Checks the evolution spec against scenario.h. */
static void check_evolution(const dlm_evolution_spec *ev)
{
    static const char *const rules[] = {"moran-bd", "moran-db", "fermi", "fermi-sync",
                                        "wright-fisher", "imitate-best"};
    static const char *const kinds[] = {"none", "set", "random-memory-one", "gaussian",
                                        "lookup-flip", "fsm-edit"};
    static const char *const initials[] = {"shares", "random", "mutant", "file"};
    double sum = 0.0;
    size_t i;
    require(ev->population >= 2 && ev->populations >= 1 && ev->populations <= (1u << 20),
            "population sizes");
    require((uint64_t)ev->population * ev->populations <= UINT32_MAX, "agents fit 32 bits");
    require(ev->generations <= (1ull << 40), "generations");
    require(one_of(ev->rule, rules, 6), "rule");
    require(ev->selection >= 0.0 && ev->selection == ev->selection, "selection >= 0");
    require(strcmp(ev->fitness, "linear") == 0 || strcmp(ev->fitness, "exponential") == 0,
            "fitness");
    require(ev->moran_death_others == 0 || ev->moran_death_others == 1, "moran_death");
    require(ev->accumulate_total == 0 || ev->accumulate_total == 1, "accumulate_total");
    require(ev->payoff_exact == 0 || ev->payoff_exact == 1, "payoff_exact");
    check_structure(&ev->structure, ev->population);
    check_structure(&ev->replacement, ev->population);
    require(ev->mutation_rate >= 0.0 && ev->mutation_rate <= 1.0, "mutation rate");
    require(one_of(ev->mutation_kind, kinds, 6), "mutation kind");
    require((strcmp(ev->mutation_kind, "set") == 0) == (ev->n_mutation_set > 0) &&
                (ev->mutation_set != NULL) == (ev->n_mutation_set > 0), "mutation set");
    for (i = 0; i < ev->n_mutation_set; ++i)
        require(ev->mutation_set[i].strategy[0] != '\0', "mutation set strategy");
    require(ev->sigma > 0.0, "sigma > 0");
    require(one_of(ev->initial, initials, 4), "initial");
    require((strcmp(ev->initial, "shares") == 0) == (ev->n_shares > 0) &&
                (ev->shares != NULL) == (ev->n_shares > 0), "shares given iff initial shares");
    for (i = 0; i < ev->n_shares; ++i) {
        require(ev->shares[i].strategy[0] && ev->shares[i].share >= 0.0, "share");
        sum += ev->shares[i].share;
    }
    require(ev->n_shares == 0 || (sum >= 1.0 - 1e-9 && sum <= 1.0 + 1e-9), "shares sum to 1");
    if (strcmp(ev->initial, "mutant") == 0)
        require(ev->resident[0] && ev->mutant[0] && ev->mutants >= 1 &&
                    ev->mutants < ev->population, "initial mutants");
    if (strcmp(ev->initial, "file") == 0)
        require(ev->initial_file[0] != '\0', "initial file named");
    require(ev->n_classes <= 8 && (ev->classes != NULL) == (ev->n_classes > 0), "classes");
    for (i = 0, sum = 0.0; i < ev->n_classes; ++i) {
        size_t j;
        require(ev->classes[i].name[0] && memchr(ev->classes[i].name, '\0', sizeof ev->classes[i].name),
                "class name");
        for (j = 0; j < i; ++j)
            require(strcmp(ev->classes[i].name, ev->classes[j].name) != 0, "class names unique");
        check_settings(&ev->classes[i].player);
        sum += ev->classes[i].share;
    }
    require(ev->n_classes == 0 || (sum >= 1.0 - 1e-9 && sum <= 1.0 + 1e-9), "class shares sum to 1");
    require(ev->stop_at_fixation == 0 || ev->stop_at_fixation == 1, "stop_at_fixation");
    require(ev->wall_clock >= 0.0 && ev->wall_clock == ev->wall_clock, "wall_clock >= 0");
    require(ev->record_every >= 1 && ev->record_every <= (1ull << 40), "record_every");
    require(ev->tolerance >= 0.0 && ev->tolerance <= 1.0, "tolerance");
    require(ev->snapshot_every <= (1ull << 40), "snapshot_every");
    require(memchr(ev->snapshot_file, '\0', sizeof ev->snapshot_file) != NULL, "snapshot file");
}

/* Checks a validated scenario against scenario.h. */
static void check_scenario(const dlm_scenario *sc)
{
    size_t i;
    require(memchr(sc->name, '\0', sizeof sc->name) != NULL, "name terminated");
    require(sc->mode == DLM_MODE_MATCH || sc->mode == DLM_MODE_TOURNAMENT ||
                sc->mode == DLM_MODE_EVOLVE || sc->mode == DLM_MODE_ANALYZE, "mode");
    check_population_analysis(&sc->population_analysis);
    require(sc->rounds >= 1 && sc->rounds <= DLM_MAX_ROUNDS, "rounds in [1, DLM_MAX_ROUNDS]");
    require(sc->geometric == 0 || sc->geometric == 1, "geometric is 0 or 1");
    require(sc->continuation >= 0.0 && sc->continuation < 1.0, "continuation in [0, 1)");
    require(sc->game.R == sc->game.R && sc->game.S == sc->game.S && sc->game.T == sc->game.T &&
                sc->game.P == sc->game.P, "payoffs are numbers");
    check_settings(&sc->match_defaults);
    check_evolution(&sc->evolution);
    check_spec(&sc->players[0]);
    check_spec(&sc->players[1]);
    require(sc->entrants != NULL && sc->n_entrants >= 2, "at least 2 entrants");
    for (i = 0; i < sc->n_entrants; ++i)
        check_spec(&sc->entrants[i]);
    require(sc->repetitions >= 1 && (sc->self_play == 0 || sc->self_play == 1), "tournament");
    require(sc->threads >= 0, "threads >= 0");
    require(memchr(sc->backend, '\0', sizeof sc->backend) && memchr(sc->format, '\0', sizeof sc->format) &&
                memchr(sc->out, '\0', sizeof sc->out), "strings terminated");
    require(memchr(sc->checkpoint, '\0', sizeof sc->checkpoint) != NULL, "checkpoint terminated");
    require(sc->checkpoint_every_generations <= (uint64_t)1 << 40 &&
                sc->checkpoint_every_seconds > 0.0 && sc->checkpoint_every_seconds <= 1e7,
            "checkpoint period: generations <= 2^40, seconds in (0, 10^7]");
}

/* Checks that a failure left a status and a message. */
static void check_error(dlm_status st, const dlm_error *err)
{
    require(st == DLM_ERR_USAGE || st == DLM_ERR_RUNTIME, "failure status");
    require(err->status == st, "err->status matches");
    require(memchr(err->message, '\0', sizeof err->message) && err->message[0], "error message");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dlm_config *cfg = NULL;
    dlm_scenario sc;
    dlm_error err;
    dlm_status st = dlm_config_load_string((const char *)data, size, "fuzz.yaml", &cfg, &err);
    if (st != DLM_OK) {
        check_error(st, &err);
        require(cfg == NULL, "no config on failure");
        return 0;
    }
    if (size > 5 && memcmp(data, "#set ", 5) == 0) {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t len = (nl ? (size_t)(nl - data) : size) - 5;
        char *assignment = malloc(len + 1);
        if (assignment) {
            memcpy(assignment, data + 5, len);
            assignment[len] = '\0';
            st = dlm_config_set(cfg, assignment, &err);
            if (st != DLM_OK)
                check_error(st, &err);
            free(assignment);
        }
    }
    st = dlm_config_to_scenario(cfg, &sc, &err);
    if (st == DLM_OK)
        check_scenario(&sc);
    else
        check_error(st, &err);
    dlm_scenario_free(&sc);
    require(!sc.entrants && !sc.evolution.mutation_set && !sc.evolution.shares &&
                !sc.evolution.classes, "dlm_scenario_free resets the pointers");
    dlm_config_free(cfg);
    return 0;
}

#ifdef DLM_FUZZ_REPLAY
#include <dirent.h>
#include <sys/stat.h>

/* Runs the target on the file at path; returns 0, or 1 when it cannot be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, got;
    if (!f) {
        perror(path);
        return 1;
    }
    do {
        if (len == cap) {
            uint8_t *grown = realloc(buf, cap = cap ? 2 * cap : 4096);
            if (!grown) {
                free(buf);
                fclose(f);
                return 1;
            }
            buf = grown;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

/* Replays every file named, and every file in every directory named. */
int main(int argc, char **argv)
{
    int i, failed = 0, n = 0;
    for (i = 1; i < argc; ++i) {
        struct stat st;
        DIR *d;
        struct dirent *e;
        if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
            failed |= replay_file(argv[i]);
            ++n;
            continue;
        }
        if (!(d = opendir(argv[i]))) {
            perror(argv[i]);
            failed = 1;
            continue;
        }
        while ((e = readdir(d))) {
            char path[4096];
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            failed |= replay_file(path);
            ++n;
        }
        closedir(d);
    }
    printf("fuzz_config_replay: %d inputs replayed\n", n);
    return failed || n == 0;
}
#endif

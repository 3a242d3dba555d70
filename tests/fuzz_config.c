/* fuzz_config.c — fuzz target for the config loader (host/config.c, host/config_schema.c).
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

#include "config.h"

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

/* Checks a validated scenario against scenario.h. */
static void check_scenario(const dlm_scenario *sc)
{
    size_t i;
    require(memchr(sc->name, '\0', sizeof sc->name) != NULL, "name terminated");
    require(sc->mode == DLM_MODE_MATCH || sc->mode == DLM_MODE_TOURNAMENT, "mode");
    require(sc->rounds >= 1 && sc->rounds <= DLM_MAX_ROUNDS, "rounds in [1, DLM_MAX_ROUNDS]");
    require(sc->geometric == 0 || sc->geometric == 1, "geometric is 0 or 1");
    require(sc->continuation >= 0.0 && sc->continuation < 1.0, "continuation in [0, 1)");
    require(sc->game.R == sc->game.R && sc->game.S == sc->game.S && sc->game.T == sc->game.T &&
                sc->game.P == sc->game.P, "payoffs are numbers");
    check_spec(&sc->players[0]);
    check_spec(&sc->players[1]);
    require(sc->entrants != NULL && sc->n_entrants >= 2, "at least 2 entrants");
    for (i = 0; i < sc->n_entrants; ++i)
        check_spec(&sc->entrants[i]);
    require(sc->repetitions >= 1 && (sc->self_play == 0 || sc->self_play == 1), "tournament");
    require(sc->threads >= 0, "threads >= 0");
    require(memchr(sc->backend, '\0', sizeof sc->backend) && memchr(sc->format, '\0', sizeof sc->format) &&
                memchr(sc->out, '\0', sizeof sc->out), "strings terminated");
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

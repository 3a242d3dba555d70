/* scenario.h — a validated run description: what a config file (plus --set overrides
 * and command-line options) becomes before anything is planned or run. Strategies are
 * kept as text here and compiled by the strategy library when the run is planned.
 */
#ifndef DLM_SCENARIO_H
#define DLM_SCENARIO_H

#include "dilemma.h"

#define DLM_STRATEGY_TEXT_MAX 256
#define DLM_PATH_MAX 1024

typedef enum dlm_mode { DLM_MODE_MATCH = 0, DLM_MODE_TOURNAMENT = 1 } dlm_mode;

/* One player, or one tournament entrant: its strategy and the settings it brings. */
typedef struct dlm_player_spec {
    char strategy[DLM_STRATEGY_TEXT_MAX]; /* strategy text (strategies.h) */
    double execution_error;               /* [0, 1] */
    double perception_error;              /* [0, 1] */
    uint32_t reaction_period;             /* >= 1 */
    uint32_t observation_delay;           /* [0, DLM_MAX_DELAY] */
} dlm_player_spec;

typedef struct dlm_scenario {
    char name[128];
    dlm_mode mode;
    uint64_t seed;
    dlm_game game;

    /* match rules */
    uint32_t rounds;     /* fixed length, or the cap of a geometric length; [1, DLM_MAX_ROUNDS] */
    int geometric;       /* 1 when match.continuation was given */
    double continuation; /* w in [0, 1) */

    dlm_player_spec players[2]; /* mode match */

    dlm_player_spec *entrants; /* mode tournament: n_entrants entries, owned (free with dlm_scenario_free) */
    size_t n_entrants;
    uint32_t repetitions; /* >= 1 */
    int self_play;        /* 0 or 1 */

    /* how to run and where to write */
    char backend[16]; /* auto | cpu | opencl | cuda */
    int threads;      /* 0 = all cores */
    char format[8];   /* table | csv | jsonl | json */
    char out[DLM_PATH_MAX]; /* "" = standard output */
} dlm_scenario;

void dlm_scenario_free(dlm_scenario *sc);

#endif /* DLM_SCENARIO_H */

/* play.h — plans a match or a tournament from a scenario, runs it on a backend and
 * aggregates the results. The plan is the only place that turns probabilities into
 * thresholds and names each match's random streams. */
#ifndef DLM_PLAY_H
#define DLM_PLAY_H

#include "backend.h"
#include "scenario.h"
#include "strategies.h"

/* A single match, played once. */
typedef struct dlm_match_report {
    dlm_strategy_def defs[2];
    dlm_player_params params[2];
    dlm_match_result result;
    double total[2];       /* payoff totals, A and B */
    double mean[2];        /* per round */
    double cooperation[2]; /* share of realised moves that were C */
    uint8_t *trace;        /* DLM_TRACE_* per round, or null when not asked for */
} dlm_match_report;

/* A round robin. */
typedef struct dlm_tournament_report {
    size_t n;                /* entrants */
    dlm_strategy_def *defs;  /* n */
    double *matrix;          /* n x n, row-major: mean payoff per round of row against column */
    double *mean_payoff;     /* n: mean over its opponents (itself included with self-play) */
    uint64_t *wins;          /* n: matches it ended with more payoff than its opponent */
    uint64_t *matches;       /* n: matches it played (self-play counted once) */
    double *cooperation;     /* n: share of its realised moves that were C */
    size_t *rank;            /* n: rank[r] = entrant in place r (0 = first) */
    uint64_t total_matches;
    uint64_t total_rounds;
} dlm_tournament_report;

/* The model's per-player parameters from a spec (probabilities become thresholds). */
dlm_player_params dlm_player_params_from_spec(const dlm_player_spec *spec);

/* The model's match rules from a scenario. */
dlm_match_rules dlm_match_rules_from_scenario(const dlm_scenario *sc);

/* Plays the scenario's match (players[0] vs players[1]) on be; with want_trace, the
 * per-round trace is played again on the CPU model (identical numbers) and kept. */
dlm_status dlm_play_scenario_match(const dlm_scenario *sc, const dlm_backend_ops *ops,
                                   dlm_backend *be, int want_trace, dlm_match_report *out,
                                   dlm_error *err);

/* Plays the scenario's tournament on be. */
dlm_status dlm_play_scenario_tournament(const dlm_scenario *sc, const dlm_backend_ops *ops,
                                        dlm_backend *be, dlm_tournament_report *out,
                                        dlm_error *err);

void dlm_match_report_free(dlm_match_report *r);
void dlm_tournament_report_free(dlm_tournament_report *r);

#endif /* DLM_PLAY_H */

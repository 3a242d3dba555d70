/* play.h — plans a match or a tournament from a scenario, runs it on a backend and
 * aggregates the results. The plan is the only place that turns probabilities into
 * thresholds and names each match's random streams. */
#ifndef DLM_PLAY_H
#define DLM_PLAY_H

#include "backends/backend.h"
#include "plan/params.h"
#include "config/scenario.h"
#include "model/strategies.h"

/* An entrant's label: its strategy's canonical text, the settings in which it differs
 * from the run's match.* ("[e=0.1,p=0.05,k=10,d=2]") and "#2", "#3" for identical
 * duplicates. Long enough that nothing is ever cut. */
#define DLM_LABEL_MAX 320

/* A match, played `repetitions` times with independent random streams (repetition r
 * is the streams' generation r; repetition 0 is the match `dilemma match` always
 * played). Figures are means over the repetitions, with their standard errors. */
typedef struct dlm_match_report {
    dlm_strategy_def defs[2];
    dlm_player_params params[2];
    uint32_t repetitions;
    dlm_match_result result;  /* repetition 0 */
    uint64_t outcome[4];      /* CC, CD, DC, DD (A's view), summed over the repetitions */
    double rounds;            /* rounds per match, mean over the repetitions */
    double total[2];          /* payoff totals of A and B per match, mean over the repetitions */
    double mean[2];           /* payoff per round: the mean over repetitions of each match's */
    double cooperation[2];    /* share of realised moves that were C, likewise */
    double total_se[2];       /* standard errors of the three means (NaN for one repetition) */
    double mean_se[2];
    double cooperation_se[2];
    uint8_t *trace;           /* DLM_TRACE_* per round of repetition 0, or null */
} dlm_match_report;

/* A round robin. */
typedef struct dlm_tournament_report {
    size_t n;                /* entrants */
    dlm_strategy_def *defs;  /* n: the compiled strategies (labels undecorated) */
    char (*labels)[DLM_LABEL_MAX]; /* n: distinct labels (DLM_LABEL_MAX) */
    uint32_t repetitions;
    double *matrix;          /* n x n, row-major: mean payoff per round of row against column */
    double *matrix_se;       /* n x n: standard error of that over the repetitions (NaN for one) */
    double *mean_payoff;     /* n: mean over its opponents (itself included with self-play) */
    double *mean_payoff_se;  /* n: standard error over the repetitions (NaN for one) */
    uint64_t *wins;          /* n: matches it ended with more payoff than its opponent */
    uint64_t *matches;       /* n: matches it played (self-play counted once) */
    double *cooperation;     /* n: share of its realised moves that were C */
    size_t *rank;            /* n: rank[r] = entrant in place r (0 = first) */
    /* Per repetition r and entrant i, at [r * n + i]: */
    double *rep_payoff;      /* mean over its opponents of its payoff per round in repetition r */
    uint64_t *rep_wins;      /* matches of repetition r it won */
    double *rep_cooperation; /* share of its realised moves in repetition r that were C */
    uint64_t total_matches;
    uint64_t total_rounds;
} dlm_tournament_report;


/* Plays the scenario's match (players[0] vs players[1]) `repetitions` (>= 1) times on
 * be; with want_trace, repetition 0's per-round trace is played again on the CPU model
 * (identical numbers) and kept. */
dlm_status dlm_play_scenario_match(const dlm_scenario *sc, const dlm_backend_ops *ops,
                                   dlm_backend *be, uint32_t repetitions, int want_trace,
                                   dlm_match_report *out, dlm_error *err);

/* Plays the matches of k scenarios (reps[j] repetitions of scs[j]'s, no trace) as few
 * batches as their seeds and match rules allow, each match keyed as it is alone: outs[j]
 * is what dlm_play_scenario_match gives for scs[j]. */
dlm_status dlm_play_scenario_matches(const dlm_scenario *const *scs, const uint32_t *reps,
                                     size_t k, const dlm_backend_ops *ops, dlm_backend *be,
                                     dlm_match_report *outs, dlm_error *err);

/* Plays the scenario's tournament on be. */
dlm_status dlm_play_scenario_tournament(const dlm_scenario *sc, const dlm_backend_ops *ops,
                                        dlm_backend *be, dlm_tournament_report *out,
                                        dlm_error *err);

/* Plays k tournaments as few batches as their seeds and match rules allow, every match
 * keyed as in its tournament alone: outs[j] is what dlm_play_scenario_tournament gives
 * for scs[j]. */
dlm_status dlm_play_scenario_tournaments(const dlm_scenario *const *scs, size_t k,
                                         const dlm_backend_ops *ops, dlm_backend *be,
                                         dlm_tournament_report *outs, dlm_error *err);

/* Progress of a long run: done of total (matches, generations). */
typedef void (*dlm_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* The same, reporting matches played to progress (may be null): a large tournament is
 * then played in slices of its matches (each match's numbers are keyed by its pair and
 * repetition, so the results are the same). */
dlm_status dlm_play_scenario_tournament_progress(const dlm_scenario *sc,
                                                 const dlm_backend_ops *ops, dlm_backend *be,
                                                 dlm_tournament_report *out,
                                                 dlm_progress_fn progress, void *ctx,
                                                 dlm_error *err);

/* Fills labels[0..n) with the distinct labels of the scenario's entrants, whose compiled
 * strategies are defs[0..n) (see DLM_LABEL_MAX). */
void dlm_entrant_labels(const dlm_scenario *sc, const dlm_strategy_def *defs,
                        char (*labels)[DLM_LABEL_MAX]);

/* Mean and standard error (sample standard deviation / sqrt(n); NaN when n < 2) of
 * x[0], x[stride], ..., x[(n-1) stride]. */
void dlm_mean_se(const double *x, size_t n, size_t stride, double *mean, double *se);

void dlm_match_report_free(dlm_match_report *r);
void dlm_tournament_report_free(dlm_tournament_report *r);

#endif /* DLM_PLAY_H */

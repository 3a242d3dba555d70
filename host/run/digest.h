/* digest.h — a run's results as named numbers, the samples a sweep summarises per point
 * (mean and 95 % interval over replicates and populations). A quantity may have several
 * samples in one run (an evolution's populations); proportions (0/1 samples such as
 * "fixed") get a Wilson interval, everything else Student's t. */
#ifndef DLM_DIGEST_H
#define DLM_DIGEST_H

#include <stddef.h>
#include <stdio.h>

#include "dilemma.h"
#include "plan/evolve_plan.h"
#include "run/analyze.h"
#include "run/analyze_game.h"
#include "run/evolve.h"
#include "run/play.h"

#define DLM_DIGEST_NAME 96

typedef struct dlm_digest_item {
    char name[DLM_DIGEST_NAME];
    double value;
    int proportion; /* 1: a 0/1 sample (its interval is Wilson's) */
} dlm_digest_item;

typedef struct dlm_digest {
    dlm_digest_item *items;
    size_t n, cap;
} dlm_digest;

void dlm_digest_clear(dlm_digest *d);
void dlm_digest_free(dlm_digest *d);
/* Adds one sample; DLM_ERR_RUNTIME when memory runs out. */
dlm_status dlm_digest_add(dlm_digest *d, const char *name, double value, int proportion,
                          dlm_error *err);

/* Samples as text, one line each, "PROPORTION VALUE(hex float) NAME\n", so that they read
 * back exactly (a sweep's slice files, MPI messages and checkpoints). */
void dlm_digest_write(FILE *to, const dlm_digest *d);
/* Reads n such lines from f and adds them to d: 0, -1 for a malformed line, -2 when memory
 * runs out (err says so). */
int dlm_digest_read(FILE *f, size_t n, dlm_digest *d, dlm_error *err);

/* A match: each player's payoff per round and cooperation (means over the repetitions). */
dlm_status dlm_digest_match(dlm_digest *d, const dlm_match_report *r, dlm_error *err);
/* A tournament: each entrant's mean payoff, cooperation and share of matches won. */
dlm_status dlm_digest_tournament(dlm_digest *d, const dlm_tournament_report *r, dlm_error *err);
/* An exact analysis: long-run and expected payoffs and cooperation of A and B. */
dlm_status dlm_digest_exact(dlm_digest *d, const dlm_exact_result *r, dlm_error *err);
/* A stage-game analysis: whether cooperation is dominant (and mutual cooperation an
 * equilibrium), the break-even fines and audits and the referee's costs that exist. */
dlm_status dlm_digest_game(dlm_digest *d, const dlm_game_report *r, dlm_error *err);
/* An evolution, one sample per population: final cooperation and mean payoff (and per
 * class with classes), each named strategy's final abundance and whether it fixed,
 * whether the population fixed and when. */
dlm_status dlm_digest_evolution(dlm_digest *d, const dlm_evo_plan *plan,
                                const dlm_evo_outcome *outcomes, dlm_error *err);

/* The statistics of n samples: mean, standard error and the 95 % interval. */
typedef struct dlm_digest_stat {
    size_t n;
    double mean, se, lo, hi;
} dlm_digest_stat;
dlm_digest_stat dlm_digest_summarise(const double *x, size_t n, int proportion);
/* The 0.975 quantile of Student's t with df degrees of freedom (df >= 1). */
double dlm_student_t975(size_t df);

#endif /* DLM_DIGEST_H */

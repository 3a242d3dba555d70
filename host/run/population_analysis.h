/* population_analysis.h — `mode: analyze` with analyze.population: the exact answers of
 * the well-mixed population that a scenario's evolution.* describes, gathered for the
 * writers (output/population_output.c). The math is analyze_population.h's.
 */
#ifndef DLM_POPULATION_ANALYSIS_H
#define DLM_POPULATION_ANALYSIS_H

#include "config/scenario.h"
#include "run/analyze_population.h"
#include "run/digest.h"

typedef struct dlm_population_report {
    dlm_pop_model model;        /* model.payoff points at payoff */
    char labels[DLM_POP_MAX_TYPES][128]; /* each type's canonical strategy text */
    double *payoff;             /* k x k: row type's payoff per round against column type */
    int payoff_given;           /* 1: analyze.population.payoff_matrix; 0: computed */
    dlm_pop_fixation *fixation; /* k x k: [resident * k + mutant] (diagonal unused) */
    double *transition;         /* k x k: the embedded chain of rare mutations */
    double *stationary_limit;   /* k: its stationary distribution */
    double *t_plus, *t_minus;   /* k == 2: n + 1 entries each, j = agents of type 1 */
    int has_chain;              /* 1: the full chain over compositions was solved */
    dlm_pop_chain chain;
} dlm_population_report;

/* Checks that the scenario describes a population this analysis covers (well-mixed,
 * moran-bd, moran-db or fermi, no classes, mutation within the types), and computes every
 * answer. DLM_ERR_USAGE names what is not covered; the full chain's size is checked
 * before it is built. */
dlm_status dlm_population_analyze(const dlm_scenario *sc, dlm_population_report *r,
                                  dlm_error *err);
void dlm_population_report_free(dlm_population_report *r);

/* A sweep's samples: each fixation probability and time, each limit share and abundance. */
dlm_status dlm_digest_population(dlm_digest *d, const dlm_population_report *r, dlm_error *err);

#endif /* DLM_POPULATION_ANALYSIS_H */

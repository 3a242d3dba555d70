/* analyze.h — exact answers for a pair of memory-one strategies.
 *
 * Under execution error e_X and perception error p_X (per player), two memory-one
 * strategies drive a Markov chain on the four realised outcomes (CC, CD, DC, DD from
 * A's view). Its stationary distribution gives the long-run payoffs per round; iterating
 * it from the first-round distribution gives the expected outcome counts and payoff
 * totals of a match of fixed length T, or of geometric length with continuation w.
 */
#ifndef DLM_ANALYZE_H
#define DLM_ANALYZE_H

#include "dilemma.h"

typedef struct dlm_exact_input {
    double a[5], b[5];                  /* P(C): first, after CC, CD, DC, DD (own view) */
    double execution_error[2];          /* A, B */
    double perception_error[2];         /* A, B */
    uint32_t reaction_period[2];        /* A, B: k >= 1 (0 is taken as 1) */
    uint32_t observation_delay[2];      /* A, B: d >= 0 */
    uint32_t rounds;                    /* fixed length, or the cap of a geometric length */
    int geometric;                      /* 1: geometric length with continuation w */
    double continuation;                /* w */
} dlm_exact_input;

typedef struct dlm_exact_result {
    uint64_t chain_states;       /* 4: the ordinary chain on outcomes; more: the chain of
                                    the timescales (transition is then NaN) */
    double transition[4][4];     /* row = outcome now, column = next outcome (A's view) */
    int stationary_unique;       /* 1 when the chain has one stationary distribution */
    double stationary[4];        /* long-run share of CC, CD, DC, DD (the Cesaro limit from
                                    the first-round distribution when not unique) */
    double long_run_payoff[2];   /* per round, A and B */
    double long_run_cooperation[2];
    double expected_rounds;      /* T, or the expected geometric length (with the cap) */
    double expected_outcomes[4]; /* expected counts over the match */
    double expected_total[2];    /* expected payoff totals over the match, A and B */
    double expected_cooperation[2]; /* expected cooperation rate over the match */
} dlm_exact_result;

/* Computes the exact answers for `in` under `game`: the 4-state chain of the ordinary
 * game, or, with a reaction period above 1 or an observation delay, the chain of the
 * timescales (analyze_timescales.c). */
dlm_status dlm_exact_memory_one(const dlm_exact_input *in, const dlm_game *game,
                                dlm_exact_result *out, dlm_error *err);
/* The same in an asymmetric (bimatrix) game: A is paid by game_a, B by game_b, each read
 * from its own view. dlm_exact_memory_one is this with game_a == game_b. */
dlm_status dlm_exact_bimatrix(const dlm_exact_input *in, const dlm_game *game_a,
                              const dlm_game *game_b, dlm_exact_result *out, dlm_error *err);

/* The chain of the timescales (any reaction periods and observation delays, within the
 * state limit DLM_TIMESCALE_MAX_STATES); dlm_exact_memory_one calls it when it applies.
 * The input is validated by the caller. */
#define DLM_TIMESCALE_MAX_STATES (1u << 20)
dlm_status dlm_exact_timescales(const dlm_exact_input *in, const dlm_game *game_a,
                                const dlm_game *game_b, dlm_exact_result *out, dlm_error *err);

#endif /* DLM_ANALYZE_H */

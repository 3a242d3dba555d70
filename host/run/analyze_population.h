/* analyze_population.h — exact answers for a finite well-mixed population of N agents of
 * k types (a payoff matrix among them) under the asynchronous rules of the simulator
 * (kernels/dlm_evolve.h): moran-bd, moran-db and fermi, with mutation within the types.
 *
 * One event changes at most one agent, so the population is a Markov chain over its
 * compositions (counts of each type, summing to N); `dlm_pop_transition` gives the
 * probability per event that an agent of one type becomes another, with exactly the
 * simulator's choices:
 *   payoff   pi_a = (sum_b n_b A[a][b] - A[a][a]) / (N - 1): the mean payoff per round
 *            against everyone else (accumulate total: the sum, (N - 1) times that);
 *   fitness  linear 1 - w + w pi, exponential exp(w pi); fermi uses payoffs directly;
 *   moran-bd a parent in proportion to fitness among all N; its offspring replaces a
 *            uniform agent among all N, the parent included (death "any", Nowak 2006), or
 *            among the N - 1 others (death "others");
 *   moran-db a uniform agent among N dies; a parent among the N - 1 others in proportion
 *            to fitness (payoffs of the population before the death) fills its place;
 *   fermi    a uniform agent x and a uniform other y; x adopts y's type with probability
 *            1 / (1 + exp(-beta (pi_y - pi_x)));
 *   mutation the new agent (offspring, or the focal agent whether it imitated or not)
 *            is, with probability mu, a uniform draw from the mutation set instead: type j
 *            with probability mutant_weight[j] (which may include its own type).
 * Time is counted in events; the simulator's generation is N events.
 *
 * Answers: fixation probabilities and conditional fixation times of one mutant of one
 * type among residents of another (closed forms for a birth-death chain, Traulsen &
 * Hauert 2009), the embedded chain over monomorphic states in the limit of rare
 * mutations (Fudenberg & Imhof 2006) and its stationary distribution, the stationary
 * distribution of the full chain over compositions (GTH elimination on its band), and
 * the gradient of selection for k = 2.
 */
#ifndef DLM_ANALYZE_POPULATION_H
#define DLM_ANALYZE_POPULATION_H

#include <stddef.h>
#include <stdint.h>

#include "dilemma.h"

#define DLM_POP_MAX_TYPES 64

typedef enum dlm_pop_rule {
    DLM_POP_MORAN_BD = 0,
    DLM_POP_MORAN_DB = 1,
    DLM_POP_FERMI = 2
} dlm_pop_rule;

typedef struct dlm_pop_model {
    uint32_t n;                 /* agents, >= 2 */
    uint32_t k;                 /* types, 1 .. DLM_POP_MAX_TYPES */
    dlm_pop_rule rule;
    int death_any;              /* moran-bd: 1 = the one who dies is any of N, 0 = one of the others */
    int exponential;            /* fitness map: 0 linear, 1 exponential */
    double selection;           /* w of the fitness map, or beta (fermi) */
    int accumulate_total;       /* payoff = the sum over the N - 1 matches, not the mean */
    double mutation;            /* mu per new agent, [0, 1] */
    double mutant_weight[DLM_POP_MAX_TYPES]; /* P(a mutant is type j); sums to 1 */
    const double *payoff;       /* k x k, row-major: row type's payoff per round against column */
} dlm_pop_model;

/* Probability per event that one agent of type `from` becomes type `to` (from != to) in the
 * population with counts[0..k-1] (summing to n). */
double dlm_pop_transition(const dlm_pop_model *m, const uint32_t *counts, uint32_t from,
                          uint32_t to);

/* One mutant of type `mutant` among n - 1 of type `resident`, without mutation. */
typedef struct dlm_pop_fixation {
    double probability;   /* of reaching n mutants */
    double time_events;   /* expected events until then, given that it happens (NaN when it
                             never does) */
} dlm_pop_fixation;
dlm_pop_fixation dlm_pop_fix(const dlm_pop_model *m, uint32_t resident, uint32_t mutant);

/* The birth-death chain's closed forms from T+_j, T-_j (j = 1 .. n-1, index j - 1): the
 * fixation probability from one mutant and the conditional fixation time. */
dlm_pop_fixation dlm_pop_fix_birth_death(const double *t_plus, const double *t_minus, uint32_t n);

/* The stationary distribution pi[0..s-1] of a chain with off-diagonal rates q (s x s,
 * row-major, rows need not sum to 1: the diagonal is ignored), by GTH elimination (no
 * subtractions: accurate for nearly decomposable chains). band: the largest |i - j| with
 * q[i][j] != 0 (s - 1 for a dense matrix); q is overwritten, stored as band rows
 * q[i * (2 band + 1) + (j - i + band)]. Returns DLM_ERR_RUNTIME when the chain is
 * reducible (a state no other state reaches). */
dlm_status dlm_pop_stationary_band(double *q, size_t s, size_t band, double *pi, dlm_error *err);

/* The limit of rare mutations: transition[i*k + j] = (mutant_weight[j] / (1 -
 * mutant_weight[i])) rho(i -> j) for j != i (a mutation that changes the type is
 * type j with that probability; rho from dlm_pop_fix), the diagonal the rest; and its
 * stationary distribution (k entries). fixation (k x k, may be NULL) gets every dlm_pop_fix. */
dlm_status dlm_pop_small_mutation(const dlm_pop_model *m, double *transition, double *stationary,
                                  dlm_pop_fixation *fixation, dlm_error *err);

/* Compositions of n agents into k types: C(n + k - 1, k - 1) (in long double; it may be
 * astronomically large). */
long double dlm_pop_state_count(uint32_t n, uint32_t k);

/* The full chain over compositions, in lexicographic order of (n_0, .., n_{k-2}) from
 * (0, .., 0, n). */
typedef struct dlm_pop_chain {
    size_t states;       /* s */
    size_t band;         /* the largest rank distance of a transition */
    uint32_t *counts;    /* s x k */
    double *stationary;  /* s */
    double abundance[DLM_POP_MAX_TYPES]; /* mean share of each type */
} dlm_pop_chain;

/* Plans the full chain: enumerates the states and finds its band (no solve), refusing with
 * DLM_ERR_USAGE and the numbers when it has more than max_states states or its band
 * storage exceeds max_bytes. */
dlm_status dlm_pop_chain_plan(const dlm_pop_model *m, uint64_t max_states, uint64_t max_bytes,
                              dlm_pop_chain *chain, dlm_error *err);
/* Solves a planned chain for its stationary distribution and abundances. */
dlm_status dlm_pop_chain_solve(const dlm_pop_model *m, dlm_pop_chain *chain, dlm_error *err);
void dlm_pop_chain_free(dlm_pop_chain *chain);

#endif /* DLM_ANALYZE_POPULATION_H */

/* dlm_model.h — the data the model works on, shared byte for byte by the host and
 * every backend: strategies, per-player parameters, match rules and match results.
 * Plain structs of fixed-width integers, 8-byte fields first, no bool, no pointers,
 * so that C, CUDA and OpenCL C lay them out identically.
 *
 * Probabilities never cross this boundary as floating point: the host turns each into
 * a 64-bit threshold round(p * 2^32) once (dlm_fires in dlm_philox.h), so a decision is
 * one integer comparison and the same on every backend.
 */
#ifndef DLM_MODEL_H
#define DLM_MODEL_H

#include "dlm_portable.h"

/* Strategy representations. */
#define DLM_STRAT_MEMORY_ONE 1u /* stochastic memory-one: P(C) first and after CC, CD, DC, DD */
#define DLM_STRAT_LOOKUP     2u /* deterministic lookup table over the last n own and opponent moves */
#define DLM_STRAT_FSM        3u /* deterministic Moore machine, up to 16 states */
#define DLM_STRAT_ACTION_RULE 4u /* donation game: opening = the rule, fsm_output = the
                                    standing word (kernels/dlm_reputation.h) */
#define DLM_ACTION_RULE_DISC 2u   /* the highest reputation rule (allc 0, alld 1, disc 2) */
#define DLM_ACTION_RULE_M1 3u     /* an IPD rule: the memory-one vector in threshold[] */
#define DLM_ACTION_RULE_GOOD_FIRST 0x10u /* M1 modifier: opens with C exactly to the good */
#define DLM_ACTION_RULE_SHUN_BAD 0x20u   /* M1 modifier: defects against the bad */
#define DLM_ACTION_RULE_OWN_NORM 0x80000000u /* in `depth`: the trait's own norm, bits 0..8 */
#define DLM_STRAT_CONTRIBUTION 5u /* group games: opening = the contribution rule (always 0,
                                     never 1, conditional 2), depth = the conditional's
                                     threshold k (kernels/dlm_group.h) */
#define DLM_GROUP_MAX_MEMBERS 64u /* members of one group game (k < this) */

#define DLM_LOOKUP_MAX_DEPTH 3u
#define DLM_FSM_MAX_STATES   16u
#define DLM_MAX_DELAY        60u         /* observation delay d: history shift registers are 64 bits */
#define DLM_MAX_ROUNDS       (1u << 29)  /* a pair's RNG window holds 2^30 blocks, two per round */

/* One strategy, any representation (80 bytes).
 *
 * Histories are bit strings, C = 0 and D = 1, bit j = the move j+1 observed rounds ago
 * (bit 0 the most recent), so a history written oldest-first and read as a binary
 * number is its value. Memory-one indices are (own << 1 | opponent): CC, CD, DC, DD
 * from the player's own view. */
typedef struct dlm_strategy {
    uint64_t threshold[5]; /* memory-one: P(C) x 2^32 first, then after CC, CD, DC, DD */
    uint64_t table;        /* lookup: bit (own_hist << depth | opp_hist) = move */
    uint64_t fsm_next_c;   /* fsm: nibble s = next state after seeing the opponent cooperate */
    uint64_t fsm_next_d;   /* fsm: nibble s = next state after seeing the opponent defect */
    uint32_t kind;         /* DLM_STRAT_* */
    uint32_t depth;        /* lookup: n in 1..3; fsm: number of states 1..16 */
    uint32_t opening;      /* lookup: bit a = move while only a < n outcomes are observed;
                              fsm: initial state */
    uint32_t fsm_output;   /* fsm: bit s = move in state s */
} dlm_strategy;

/* What one player brings to a match besides its strategy (24 bytes). A population's
 * agent classes (fast / slow) are sets of these. */
typedef struct dlm_player_params {
    uint64_t execution_error;   /* threshold: the intended move is flipped; both see the result */
    uint64_t perception_error;  /* threshold: this player misreads the opponent's realised move */
    uint32_t reaction_period;   /* k >= 1: a new move only on rounds with t mod k = 0 */
    uint32_t observation_delay; /* d in [0, DLM_MAX_DELAY]: sees outcomes d rounds late */
} dlm_player_params;

/* How long a match lasts (16 bytes). */
typedef struct dlm_match_rules {
    uint64_t continuation; /* geometric: threshold of w, the probability of another round */
    uint32_t rounds;       /* fixed length; for geometric matches the cap on the length */
    uint32_t geometric;    /* 0: exactly `rounds` rounds; 1: geometric length, at most `rounds` */
} dlm_match_rules;

/* What a match produces (20 bytes): the realised outcome counts from player A's view.
 * Payoffs are computed from these on the host (or by a fixed expression in the model),
 * so no backend ever sums floating-point payoffs in a varying order. */
typedef struct dlm_match_result {
    uint32_t rounds;
    uint32_t outcome[4]; /* CC, CD, DC, DD: (A's realised move << 1 | B's realised move) */
} dlm_match_result;

/* Per-round trace byte (CPU only, for `dilemma match --trace`). */
#define DLM_TRACE_A_INTENDED  0x01u
#define DLM_TRACE_A_REALISED  0x02u
#define DLM_TRACE_A_PERCEIVED 0x04u /* A's reading of B's realised move */
#define DLM_TRACE_B_INTENDED  0x08u
#define DLM_TRACE_B_REALISED  0x10u
#define DLM_TRACE_B_PERCEIVED 0x20u /* B's reading of A's realised move */

#endif /* DLM_MODEL_H */

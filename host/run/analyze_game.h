/* analyze_game.h — the stage game itself, exactly, with an institution folded in
 * (issue #16, item 4).
 *
 * A referee audits an interaction with probability q and judges each of its acts: a
 * cooperation is misjudged (as a defection) with e1, a defection (as a cooperation) with
 * e2; an act judged a defection pays the fine F, one judged a cooperation earns the
 * subsidy s. Each act's expected transfer depends on the act alone,
 *     t_C = q [(1 - e1) s - e1 F],     t_D = q [e2 s - (1 - e2) F],
 * so the effective game is R + t_C, S + t_C, T + t_D, P + t_D (per player, from its own
 * view), and defection's gain against a cooperator (T - R) and against a defector
 * (P - S) both fall by Delta = t_C - t_D = q (1 - e1 - e2)(s + F). Cooperation is strictly
 * dominant once Delta exceeds the larger gain G = max(T - R, P - S) of every player, so
 *     F* = G / (q (1 - e1 - e2)) - s   (at a given q),   q* = G / ((1 - e1 - e2)(s + F)),
 * and mutual cooperation is a Nash equilibrium once Delta >= T - R. The referee's expected
 * cost per interaction of two players, both cooperating, is q [a + 2((1 - e1) s - e1 F)]
 * (a: the cost of one audit; negative: fines exceed what it spends).
 *
 * With evolution.interaction: group and the linear public goods game (evolution.group:
 * n members, cost c, multiplication r) the stage game is the N-player one: a contributor
 * earns r c k / n - c + t_C, a free rider r c k / n + t_D (k contributors in the group).
 * Free riding gains G = c (1 - r/n) whatever the others do, so the same Delta decides:
 * contributing is dominant once Delta > G (F* and q* as above with this G), everyone
 * contributing beats no one contributing (and is Pareto-optimal, mixtures included) when
 * (r - 1) c + t_C >= t_D. In a finite well-mixed population of N with hypergeometric
 * groups contributors out-earn free riders once Delta > c [1 - (r/n)(N - n)/(N - 1)]
 * (fine_population). An audit covers a group: the referee's cost per group is
 * q [a + n ((1 - e1) s - e1 F)] when all contribute.
 */
#ifndef DLM_ANALYZE_GAME_H
#define DLM_ANALYZE_GAME_H

#include "config/scenario.h"
#include "dilemma.h"

/* A Nash equilibrium of the 2x2 game: each player's probability of C and payoff. */
typedef struct dlm_game_equilibrium {
    double p[2];      /* P(C) of A and of B: 0 or 1 for a pure one */
    double payoff[2]; /* expected payoffs of A and B in the effective game */
} dlm_game_equilibrium;

typedef struct dlm_game_report {
    dlm_game base[2];           /* A's and B's own matrices (equal in a symmetric game) */
    dlm_game effective[2];      /* with the institution's expected transfers */
    int institution;            /* 1 when an institution: was given */
    double transfer[2];         /* expected transfer per act: [0] C, [1] D */
    double delta;               /* t_C - t_D: what the institution takes off defection */
    double gain;                /* G: the larger gain of defection of either player */
    double gain_nash;           /* max(T - R) of the players: (C, C) is Nash when <= 0 */
    int cooperation_dominant;   /* 1: C strictly dominant for both in the effective game */
    int mutual_cooperation_nash;
    int pareto_pure;            /* (C, C) Pareto-optimal among the four outcomes */
    int pareto_mixed;           /* ... and among their mixtures (alternation) */
    int degenerate;             /* ties make a continuum of equilibria (listed: the pure
                                   ones and none mixed) */
    size_t n_equilibria;
    dlm_game_equilibrium equilibria[5];
    /* Break-even points; NaN where none exists (audits never judge right more often than
       wrong, q = 0, or more than q = 1 would be needed). */
    double fine_dominant;       /* F*: the smallest fine at the given q (0: none needed) */
    double fine_nash;           /* the smallest fine at q making (C, C) an equilibrium */
    double audit_dominant;      /* q*: the smallest audit probability at the given F */
    double audit_nash;
    double cost_at_fine;        /* the referee's cost per interaction at (q, F*), all C */
    double cost_at_audit;       /* ... at (q*, F) */
    double cost_all_c;          /* at the given (q, F): both players cooperate */
    double cost_all_d;          /* ... both defect */
    /* The N-player linear public goods game (group = 1): equilibria hold all-C (p 1, 1)
       or all-D (p 0, 0); costs are per group of group_size. */
    int group;
    uint32_t group_size, population;
    double group_r, group_c;
    double payoff_all_c, payoff_all_d; /* per round, with the transfers */
    double gain_population;     /* c [1 - (r/n)(N - n)/(N - 1)] */
    double fine_population;     /* the smallest fine at q from which contributors out-earn
                                   free riders in the population (NaN: none) */
} dlm_game_report;

/* A name for the class of the effective N-player game of r (group = 1). */
const char *dlm_group_game_class(const dlm_game_report *r);

/* The analysis of sc's game (and game_b in a bimatrix game) with sc->institution folded
 * in when given. Pure arithmetic: never fails on a valid scenario. */
void dlm_game_analyze(const dlm_scenario *sc, dlm_game_report *r);

/* The game `in` with the institution's expected transfers per act folded in. */
void dlm_institution_effective(const dlm_institution_spec *inst, const dlm_game *in,
                               dlm_game *out);

#endif /* DLM_ANALYZE_GAME_H */

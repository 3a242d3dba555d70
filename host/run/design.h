/* design.h — the cheapest enforcement (issue #16, item 5), exactly: over a grid of
 * institutions (audit probability x fine x subsidy, analyze.design), each one's
 * cooperation and the referee's expected cost per interaction, the Pareto frontier of
 * cost against cooperation, and the cheapest institution that reaches the target.
 *
 * Cooperation is measured
 *   - by the stage game (without analyze.population): the least cooperation among the
 *     Nash equilibria of the effective game (1 where cooperation is dominant, a mixed
 *     equilibrium's P(C), 0 in a prisoner's dilemma): what the institution guarantees to
 *     rational players;
 *   - by a population (with analyze.population): the long-run cooperation of the
 *     well-mixed population evolution.* describes, in the limit of rare mutations:
 *     sum_i pi_i c_ii, pi the stationary distribution over monomorphic states with the
 *     referee folded into the payoffs, c_ii type i's expected cooperation against itself
 *     (the exact chain under match.*).
 * The cost of enforcement is what the referee spends per interaction of two at
 * cooperation c, on audits and subsidies:
 *     cost = q [a + 2 s (c (1 - e1) + (1 - c) e2)];
 * the fines it collects, q 2 F (c e1 + (1 - c)(1 - e2)), are transfers from the players
 * (the c e1 part from cooperators wrongly accused), reported beside it with the net cost
 * (cost - fines) but not counted as a saving: otherwise the cheapest referee would be the
 * one that fines the innocent most. A point is on the frontier when every cheaper point
 * cooperates less; the cheapest reaching the target breaks ties of cost by more
 * cooperation, then by grid order.
 */
#ifndef DLM_DESIGN_H
#define DLM_DESIGN_H

#include <stddef.h>

#include "config/scenario.h"
#include "dilemma.h"
#include "backends/backend.h"
#include "run/digest.h"

typedef struct dlm_design_point {
    double audit, fine, subsidy;
    double cooperation;
    double cooperation_se; /* evolving populations: the SE over populations; 0 exactly */
    double cost;      /* audits and subsidies per interaction of two */
    double fines;     /* fines collected per interaction of two */
    double net_cost;  /* cost - fines */
    dlm_game_class effective_class; /* the effective game's (A's) class */
    const char *class_name;         /* its name: dlm_game_class_id(effective_class), or for
                                       the N-player public goods game dlm_group_game_class */
    int meets_target, on_frontier;
} dlm_design_point;

typedef struct dlm_design_report {
    dlm_design_point *points; /* grid order: audit slowest, subsidy fastest */
    size_t n;
    int population;           /* 1: measured by analyze.population */
    int evolve;               /* 1: measured by evolving populations (design.evolve) */
    uint32_t populations;     /* ... populations per institution */
    uint64_t from_generation; /* ... the window measured: records from this generation on */
    double target;
    size_t cheapest;          /* index, or n when no point reaches the target */
    size_t n_frontier;
} dlm_design_report;

dlm_status dlm_design_run(const dlm_scenario *sc, dlm_design_report *r, dlm_error *err);
/* The same measured by evolving populations (analyze.design.evolve): every institution of
 * the grid is a run of evolution.* with the referee (mode evolve), all of them batched into
 * one evolution on the backend. Cooperation is each population's mean census cooperation
 * over the records of the second half of the run (generations / 2 on), averaged over the
 * populations (cooperation_se: their standard error). The referee's spending comes from
 * its ledger over the same window: per audit, its audit costs and the subsidies per
 * audited act (per round), scaled to the exact measure's unit, an interaction of `acts`
 * acts (2; a group game's n) audited with probability q:
 *     cost = q [audit_costs / audits + acts subsidies / (audits rounds)],
 * fines likewise; 0 where the window has no audit. */
dlm_status dlm_design_run_evolve(const dlm_scenario *sc, const dlm_backend_ops *ops,
                                 dlm_backend *be, dlm_design_report *r, dlm_error *err);
void dlm_design_report_free(dlm_design_report *r);
/* A sweep's samples: the cheapest point's audit, fine, subsidy, cost and cooperation
 * (when one reaches the target), whether one does, and the frontier's size. */
dlm_status dlm_digest_design(dlm_digest *d, const dlm_design_report *r, dlm_error *err);

#endif /* DLM_DESIGN_H */

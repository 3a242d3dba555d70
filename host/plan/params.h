/* params.h — the one place that turns a scenario's probabilities into the model's
 * thresholds (DESIGN.md §4): per-player parameters and match rules, for matches,
 * tournaments and evolution alike. */
#ifndef DLM_PARAMS_H
#define DLM_PARAMS_H

#include "config/scenario.h"
#include "dlm_model.h"

/* The model's per-player parameters from a spec (probabilities become thresholds). */
dlm_player_params dlm_player_params_from_spec(const dlm_player_spec *spec);

/* The model's match rules from a scenario. */
dlm_match_rules dlm_match_rules_from_scenario(const dlm_scenario *sc);

#endif /* DLM_PARAMS_H */

/* params.c — probabilities to thresholds, once (params.h). */
#include "plan/params.h"

dlm_player_params dlm_player_params_from_spec(const dlm_player_spec *spec)
{
    dlm_player_params p;
    p.execution_error = dlm_probability_threshold(spec->execution_error);
    p.perception_error = dlm_probability_threshold(spec->perception_error);
    p.reaction_period = spec->reaction_period;
    p.observation_delay = spec->observation_delay;
    return p;
}

dlm_match_rules dlm_match_rules_from_scenario(const dlm_scenario *sc)
{
    dlm_match_rules r;
    r.rounds = sc->rounds;
    r.geometric = sc->geometric ? 1u : 0u;
    r.continuation = sc->geometric ? dlm_probability_threshold(sc->continuation) : 0u;
    return r;
}

/* config_group.c — evolution.interaction: group and evolution.group: N-player group games
 * (kernels/dlm_group.h): the game (pgg: linear public goods; risk: collective risk;
 * commons: a renewable commons; escalation: an all-pay contest), the group size, the
 * game's parameters and the execution error. The rounds are match.rounds
 * (as for the donation game). What group games cannot run with (rules, payoff modes,
 * sides, strategies, graphs of large degree) is refused by the plan
 * (host/plan/group_plan.c), which sees the whole scenario.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/config_evolution_internal.h"
#include "dlm_model.h"

static const char *const interactions[] = {"game", "donation", "group"};
static const char *const group_keys[] = {"game",      "size", "groups",         "r", "c", "b",
                                         "threshold", "risk", "execution_error",
                                         /* the level games */
                                         "levels", "capacity", "growth", "harvest", "prize",
                                         /* incentives (config_punish.c) */
                                         "punishment"};
static const char *const group_games[] = {"pgg", "risk", "commons", "escalation"};

static void group_defaults(dlm_evolution_spec *ev)
{
    ev->group_game = 1;
    ev->group_size = 5;
    ev->group_count = 1;
    ev->group_r = 3.0;
    ev->group_c = 1.0;
    ev->group_b = 1.0;
    ev->group_levels = 5;
    ev->group_capacity = 100.0;
    ev->group_growth = 0.5;
    ev->group_harvest = 2.0;
    ev->group_prize = 10.0;
}

/* A number at v (path) into *out, refused outside [lo, hi]. */
static dlm_status get_range(reader *r, const dlm_node *v, const char *path, double lo, double hi,
                            const char *expect, double *out)
{
    double x;
    dlm_status st = dlm_cfg_get_number(r->err, v, path, expect, &x);
    if (st != DLM_OK)
        return st;
    if (!(x >= lo && x <= hi))
        return dlm_cfg_fail(r->err, v, path, "%g is out of range (expected %s)", x, expect);
    *out = x;
    return DLM_OK;
}

/* The level games' keys of evolution.group (commons, escalation). */
static dlm_status read_level_keys(reader *r, const dlm_node *g)
{
    dlm_evolution_spec *ev = r->ev;
    const dlm_node *v;
    uint64_t u;
    dlm_status st;
    if ((v = dlm_node_lookup(g, "levels", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, "evolution.group.levels", 2, 64, &u)))
            return st;
        ev->group_levels = (uint32_t)u;
    }
    if ((v = dlm_node_lookup(g, "capacity", NULL)) &&
        (st = get_range(r, v, "evolution.group.capacity", 1e-9, 1e9,
                        "a capacity K in [1e-9, 1e9]", &ev->group_capacity)))
        return st;
    if ((v = dlm_node_lookup(g, "growth", NULL)) &&
        (st = get_range(r, v, "evolution.group.growth", 0.0, 1.0,
                        "a logistic growth rate g in [0, 1]", &ev->group_growth)))
        return st;
    if ((v = dlm_node_lookup(g, "harvest", NULL)) &&
        (st = get_range(r, v, "evolution.group.harvest", 0.0, 1e9,
                        "a harvest per level in [0, 1e9]", &ev->group_harvest)))
        return st;
    if ((v = dlm_node_lookup(g, "prize", NULL)) &&
        (st = get_range(r, v, "evolution.group.prize", 0.0, 1e9, "a prize V in [0, 1e9]",
                        &ev->group_prize)))
        return st;
    return DLM_OK;
}

/* The scalar keys of evolution.group. */
static dlm_status read_group_keys(reader *r, const dlm_node *g)
{
    dlm_evolution_spec *ev = r->ev;
    const dlm_node *v;
    uint64_t u;
    int index;
    dlm_status st;
    if ((v = dlm_node_lookup(g, "game", NULL))) {
        if ((st = dlm_cfg_get_choice(r->err, v, "evolution.group.game", group_games,
                                     sizeof group_games / sizeof group_games[0], &index)))
            return st;
        ev->group_game = index + 1;
    }
    if ((v = dlm_node_lookup(g, "size", NULL))) {
        if ((st =
                 dlm_cfg_get_uint(r->err, v, "evolution.group.size", 2, DLM_GROUP_MAX_MEMBERS, &u)))
            return st;
        ev->group_size = (uint32_t)u;
        ev->group_size_given = 1;
    }
    if ((v = dlm_node_lookup(g, "groups", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, "evolution.group.groups", 1, 4096, &u)))
            return st;
        ev->group_count = (uint32_t)u;
    }
    if ((v = dlm_node_lookup(g, "threshold", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, "evolution.group.threshold", 0, DLM_GROUP_MAX_MEMBERS,
                                   &u)))
            return st;
        ev->group_threshold = (uint32_t)u;
    }
    if ((v = dlm_node_lookup(g, "r", NULL)) &&
        (st = get_range(r, v, "evolution.group.r", 0.0, 1e6, "a multiplication factor in [0, 1e6]",
                        &ev->group_r)))
        return st;
    if ((v = dlm_node_lookup(g, "c", NULL)) &&
        (st = get_range(r, v, "evolution.group.c", 0.0, 1e6,
                        "a cost in [0, 1e6] (risk: a fraction of the endowment in [0, 1])",
                        &ev->group_c)))
        return st;
    if ((v = dlm_node_lookup(g, "b", NULL)) &&
        (st = get_range(r, v, "evolution.group.b", 0.0, 1e6, "an endowment in [0, 1e6]",
                        &ev->group_b)))
        return st;
    if ((v = dlm_node_lookup(g, "risk", NULL)) &&
        (st = dlm_cfg_get_probability(r->err, v, "evolution.group.risk", 0, &ev->group_risk)))
        return st;
    if ((v = dlm_node_lookup(g, "execution_error", NULL)) &&
        (st = dlm_cfg_get_probability(r->err, v, "evolution.group.execution_error", 0,
                                      &ev->group_execution_error)))
        return st;
    return DLM_OK;
}

/* The rules between the keys of evolution.group (at node g; key its key node). */
static dlm_status check_group(reader *r, const dlm_node *g, const dlm_node *key)
{
    dlm_evolution_spec *ev = r->ev;
    const dlm_node *at;
    if (ev->group_game == 2) {
        if (!(at = dlm_node_lookup(g, "threshold", NULL)))
            return dlm_cfg_fail(r->err, key, "evolution.group.threshold",
                                "the collective-risk game needs its threshold M: how many of a "
                                "group must contribute to avert the risk (1 .. group size)");
        if (ev->group_size_given && ev->group_threshold > ev->group_size)
            return dlm_cfg_fail(r->err, at, "evolution.group.threshold",
                                "M = %u contributors in a group of %u can never be reached "
                                "(expected 0 .. %u)",
                                ev->group_threshold, ev->group_size, ev->group_size);
        if (ev->group_c > 1.0)
            return dlm_cfg_fail(r->err, dlm_node_lookup(g, "c", NULL), "evolution.group.c",
                                "in the collective-risk game c is the fraction of the endowment "
                                "a contributor gives, in [0, 1] (got %g)",
                                ev->group_c);
    }
    /* r applies to the public goods game only, b, threshold and risk to the collective-risk
       game only; each game ignores the other's keys, so that a sweep may cross the game
       with them */
    return DLM_OK;
}

dlm_status dlm_cfg_evo_read_group(reader *r, const dlm_node *map, int *is_group)
{
    const dlm_node *v, *k, *g;
    dlm_status st;
    int index = 0;
    *is_group = 0;
    group_defaults(r->ev);
    if ((v = dlm_node_lookup(map, "interaction", NULL)) &&
        (st = dlm_cfg_get_choice(r->err, v, "evolution.interaction", interactions,
                                 sizeof interactions / sizeof interactions[0], &index)))
        return st;
    g = dlm_node_lookup(map, "group", &k);
    if (index != 2) {
        if (g && !dlm_node_is_null(g))
            return dlm_cfg_fail(r->err, k, "evolution.group",
                                "group settings belong to the group games: set "
                                "evolution.interaction: group, or leave evolution.group out");
        return DLM_OK;
    }
    *is_group = 1;
    r->ev->group = 1;
    if ((v = dlm_node_lookup(map, "reputation", &k)) && !dlm_node_is_null(v))
        return dlm_cfg_fail(r->err, k, "evolution.reputation",
                            "reputations belong to the donation game, and the interaction is "
                            "group: leave evolution.reputation out");
    if (!(g = dlm_node_lookup(map, "group", &k)) || dlm_node_is_null(g))
        return DLM_OK;
    if (g->kind != DLM_NODE_MAPPING)
        return dlm_cfg_fail(r->err, k, "evolution.group",
                            "expected a mapping with keys game, size, groups, r, c, b, "
                            "threshold, risk, execution_error, levels, capacity, growth, "
                            "harvest, prize, punishment");
    if ((st = dlm_cfg_check_keys(r->err, g, "evolution.group", group_keys,
                                 sizeof group_keys / sizeof group_keys[0])) ||
        (st = read_group_keys(r, g)) || (st = read_level_keys(r, g)) ||
        (st = check_group(r, g, k)))
        return st;
    if ((v = dlm_node_lookup(g, "punishment", &k)) && !dlm_node_is_null(v))
        return dlm_cfg_evo_read_punishment(r, k, v);
    return DLM_OK;
}

/* config_reputation.c — evolution.interaction and evolution.reputation: the kind of
 * interaction (game: the iterated 2x2 game of match.* and game.*; donation: the donation
 * game with reputations, kernels/dlm_reputation.h) and the reputation settings. What the
 * donation game cannot run with (rules, payoff mode, sides, strategies) is refused by the
 * plan (host/plan/reputation_plan.c), which sees the whole scenario.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_evolution_internal.h"
#include "model/strategies.h"

static const char *const interactions[] = {"game", "donation"};
static const char *const reputation_keys[] = {"norm", "execution_error", "assessment_error",
                                              "assessment", "observe", "perception_error",
                                              "empathy", "panel", "quorum", "panel_views",
                                              "repeat"};
static const char *const assessments[] = {"public", "private", "institutional"};

/* Reads a norm into ev->norm (kernels/dlm_reputation.h) and its text into ev->norm_name:
 * a name, a second-order bit code 0bABCD (1 = good) for (C to good), (D to good),
 * (C to bad), (D to bad), or a third-order one 0bABCDEFGH, a good donor's four verdicts
 * then a bad donor's (the names and codes: dlm_norm_parse, host/model/strategies.c). */
static dlm_status read_norm(reader *r, const dlm_node *v)
{
    char text[24], list[240];
    dlm_status st = dlm_cfg_get_string(r->err, v, "evolution.reputation.norm", text, sizeof text);
    if (st != DLM_OK)
        return st;
    snprintf(r->ev->norm_name, sizeof r->ev->norm_name, "%s", text);
    if (dlm_norm_parse(text, &r->ev->norm))
        return DLM_OK;
    return dlm_cfg_fail(r->err, v, "evolution.reputation.norm",
                        "unknown norm '%s' (allowed: %s, or a bit code, 1 = good: 0bABCD for "
                        "helping a good, refusing a good, helping a bad and refusing a bad "
                        "recipient, e.g. 0b1001 = stern-judging, or 0bABCDEFGH, a good donor's "
                        "four verdicts then a bad donor's)",
                        text, dlm_norm_names(list, sizeof list));
}

/* panel, quorum and panel_views (institutional assessment only; public and private ignore them, so
 * that a sweep may cross assessment with them). quorum <= panel is the plan's check. */
static dlm_status read_panel(reader *r, const dlm_node *rep)
{
    const dlm_node *v;
    uint64_t u;
    dlm_status st;
    if ((v = dlm_node_lookup(rep, "panel", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, "evolution.reputation.panel", 1, 32, &u)))
            return st;
        r->ev->panel = (uint32_t)u;
    }
    if ((v = dlm_node_lookup(rep, "quorum", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, "evolution.reputation.quorum", 1, 32, &u)))
            return st;
        r->ev->quorum = (uint32_t)u;
    }
    if ((v = dlm_node_lookup(rep, "panel_views", NULL))) {
        static const char *const views[] = {"own", "broadcast"};
        int index;
        if ((st = dlm_cfg_get_choice(r->err, v, "evolution.reputation.panel_views", views,
                                     N_OF(views), &index)))
            return st;
        r->ev->panel_broadcast = index;
    }
    return DLM_OK;
}

dlm_status dlm_cfg_evo_read_interaction(reader *r, const dlm_node *map)
{
    const dlm_node *v, *k, *rep;
    dlm_status st;
    int index;
    r->ev->norm = 0x99u; /* stern judging */
    r->ev->observe = 1.0;
    r->ev->panel = 5u;
    r->ev->quorum = 0u; /* a majority of the panel */
    snprintf(r->ev->norm_name, sizeof r->ev->norm_name, "stern-judging");
    if ((v = dlm_node_lookup(map, "interaction", NULL))) {
        if ((st = dlm_cfg_get_choice(r->err, v, "evolution.interaction", interactions,
                                     N_OF(interactions), &index)))
            return st;
        r->ev->donation = index;
    }
    if (!(rep = dlm_node_lookup(map, "reputation", &k)) || dlm_node_is_null(rep))
        return DLM_OK;
    if (!r->ev->donation)
        return dlm_cfg_fail(r->err, k, "evolution.reputation",
                            "reputations belong to the donation game: set evolution.interaction: "
                            "donation, or leave evolution.reputation out");
    if (rep->kind != DLM_NODE_MAPPING)
        return dlm_cfg_fail(r->err, k, "evolution.reputation",
                            "expected a mapping with keys norm, execution_error, "
                            "assessment_error, assessment, observe, perception_error, "
                            "empathy, panel, quorum, panel_views, repeat");
    if ((st = dlm_cfg_check_keys(r->err, rep, "evolution.reputation", reputation_keys,
                                 N_OF(reputation_keys))))
        return st;
    if ((v = dlm_node_lookup(rep, "norm", NULL)) && (st = read_norm(r, v)))
        return st;
    if ((v = dlm_node_lookup(rep, "execution_error", NULL)) &&
        (st = dlm_cfg_get_probability(r->err, v, "evolution.reputation.execution_error", 0,
                                      &r->ev->execution_error)))
        return st;
    if ((v = dlm_node_lookup(rep, "assessment_error", NULL)) &&
        (st = dlm_cfg_get_probability(r->err, v, "evolution.reputation.assessment_error", 0,
                                      &r->ev->assessment_error)))
        return st;
    if ((v = dlm_node_lookup(rep, "assessment", NULL))) {
        if ((st = dlm_cfg_get_choice(r->err, v, "evolution.reputation.assessment", assessments,
                                     N_OF(assessments), &index)))
            return st;
        r->ev->private_assessment = index == 1;
        r->ev->institutional = index == 2;
    }
    /* observe and empathy apply to private assessment only; public ignores them, so that
       a sweep may cross assessment with them */
    if ((v = dlm_node_lookup(rep, "observe", NULL)) &&
        (st = dlm_cfg_get_probability(r->err, v, "evolution.reputation.observe", 0,
                                      &r->ev->observe)))
        return st;
    if ((v = dlm_node_lookup(rep, "empathy", NULL)) &&
        (st = dlm_cfg_get_probability(r->err, v, "evolution.reputation.empathy", 0,
                                      &r->ev->empathy)))
        return st;
    if ((st = read_panel(r, rep)))
        return st;
    /* repeat: the rounds come in encounters with one partner (direct reciprocity) */
    if ((v = dlm_node_lookup(rep, "repeat", NULL))) {
        if ((st = dlm_cfg_get_probability(r->err, v, "evolution.reputation.repeat", 0,
                                          &r->ev->repeat)))
            return st;
        r->ev->encounters = 1;
    }
    if ((v = dlm_node_lookup(rep, "perception_error", NULL)) &&
        (st = dlm_cfg_get_probability(r->err, v, "evolution.reputation.perception_error", 0,
                                      &r->ev->perception_error)))
        return st;
    return DLM_OK;
}

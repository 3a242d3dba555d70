/* config_institution.c — the institution: section (issue #16): a referee that audits the
 * acts of an interaction with probability `audit`, fines an act it judges a defection and
 * subsidises one it judges a cooperation, misjudging a cooperation with `false_accusation`
 * and a defection with `missed_detection`, at `audit_cost` per audit. Today `mode:
 * analyze` folds it into the game exactly (run/analyze_game.h) and the other modes refuse
 * it (the evolving populations do not run a referee yet).
 * Errors read "file:line: institution.key: what was found, what is allowed".
 */
#include <string.h>

#include "config/config_tree.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const institution_keys[] = {"audit",            "fine",
                                               "subsidy",          "false_accusation",
                                               "missed_detection", "audit_cost"};

/* A number >= 0 at map.key (when present) into *out. */
static dlm_status read_amount(dlm_error *err, const dlm_node *map, const char *key, double *out)
{
    char path[64], what[128];
    const dlm_node *v = dlm_node_lookup(map, key, NULL);
    double x;
    dlm_status st;
    if (!v)
        return DLM_OK;
    dlm_cfg_join(path, sizeof path, "institution", key);
    if ((st = dlm_cfg_get_number(err, v, path, "a finite number >= 0", &x)))
        return st;
    if (x < 0)
        return dlm_cfg_fail(err, v, path, "expected a finite number >= 0 (an amount the "
                            "referee takes or pays), got %s", dlm_cfg_got(v, what, sizeof what));
    *out = x;
    return DLM_OK;
}

static dlm_status read_probability(dlm_error *err, const dlm_node *map, const char *key,
                                   double *out)
{
    char path[64];
    const dlm_node *v = dlm_node_lookup(map, key, NULL);
    if (!v)
        return DLM_OK;
    dlm_cfg_join(path, sizeof path, "institution", key);
    return dlm_cfg_get_probability(err, v, path, 0, out);
}

dlm_status dlm_cfg_read_institution(dlm_error *err, const dlm_node *root, dlm_scenario *sc)
{
    const dlm_node *key, *map = dlm_node_lookup(root, "institution", &key);
    dlm_institution_spec *in = &sc->institution;
    char what[128];
    dlm_status st;
    memset(in, 0, sizeof *in);
    if (!map)
        return DLM_OK;
    if (!dlm_node_is_null(map) && map->kind != DLM_NODE_MAPPING)
        return dlm_cfg_fail(err, key, "institution",
                            "expected a mapping (audit, fine, subsidy, false_accusation, "
                            "missed_detection, audit_cost), got %s",
                            dlm_cfg_got(map, what, sizeof what));
    in->given = 1;
    if (dlm_node_is_null(map))
        return DLM_OK;
    if ((st = dlm_cfg_check_keys(err, map, "institution", institution_keys,
                                 N_OF(institution_keys))) ||
        (st = read_probability(err, map, "audit", &in->audit)) ||
        (st = read_amount(err, map, "fine", &in->fine)) ||
        (st = read_amount(err, map, "subsidy", &in->subsidy)) ||
        (st = read_probability(err, map, "false_accusation", &in->false_accusation)) ||
        (st = read_probability(err, map, "missed_detection", &in->missed_detection)) ||
        (st = read_amount(err, map, "audit_cost", &in->audit_cost)))
        return st;
    if (sc->mode != DLM_MODE_ANALYZE)
        return dlm_cfg_fail(err, key, "institution",
                            "a referee runs in mode analyze only so far (the game with its "
                            "expected fines and subsidies folded in, exactly); this config's "
                            "mode is %s",
                            sc->mode == DLM_MODE_MATCH ? "match"
                            : sc->mode == DLM_MODE_TOURNAMENT ? "tournament" : "evolve");
    return DLM_OK;
}

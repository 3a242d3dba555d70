/* config_institution.c — the institution: section (issue #16): a referee that audits the
 * acts of an interaction with probability `audit`, fines an act it judges a defection and
 * subsidises one it judges a cooperation, misjudging a cooperation with `false_accusation`
 * and a defection with `missed_detection`, at `audit_cost` per audit. `mode: analyze`
 * folds it into the game exactly (run/analyze_game.h); `mode: evolve` runs it inside the
 * engine (kernels/dlm_referee.h), with three keys of its own: `tax` (per agent per
 * generation), `budget` (the initial budget; given, it limits the audits) and `exclusion`
 * (k: a convicted agent sits out its next k matches). Match and tournament refuse it.
 * Errors read "file:line: institution.key: what was found, what is allowed".
 */
#include <string.h>

#include "config/config_tree.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const institution_keys[] = {
    "audit",      "fine", "subsidy", "false_accusation", "missed_detection",
    "audit_cost", "tax",  "budget",  "exclusion"};

/* The largest amount the evolving referee settles: micro-units (10^-6) of it, times the
   rounds of a match, stay far inside its 64-bit ledger. */
#define DLM_REFEREE_MAX_AMOUNT 1e6

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
    const dlm_node *key, *map = dlm_node_lookup(root, "institution", &key), *v, *k_node;
    dlm_institution_spec *in = &sc->institution;
    char what[128];
    dlm_status st;
    memset(in, 0, sizeof *in);
    if (!map)
        return DLM_OK;
    if (!dlm_node_is_null(map) && map->kind != DLM_NODE_MAPPING)
        return dlm_cfg_fail(err, key, "institution",
                            "expected a mapping (audit, fine, subsidy, false_accusation, "
                            "missed_detection, audit_cost, tax, budget, exclusion), got %s",
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
        (st = read_amount(err, map, "audit_cost", &in->audit_cost)) ||
        (st = read_amount(err, map, "tax", &in->tax)) ||
        (st = read_amount(err, map, "budget", &in->budget)))
        return st;
    in->budget_given = dlm_node_lookup(map, "budget", NULL) != NULL;
    if ((v = dlm_node_lookup(map, "exclusion", NULL))) {
        uint64_t k;
        if ((st = dlm_cfg_get_uint(err, v, "institution.exclusion", 0, 1000000, &k)))
            return st;
        in->exclusion = (uint32_t)k;
    }
    if (sc->mode == DLM_MODE_MATCH || sc->mode == DLM_MODE_TOURNAMENT)
        return dlm_cfg_fail(err, key, "institution",
                            "a referee runs in modes analyze (the game with its expected fines "
                            "and subsidies folded in, exactly) and evolve (audits inside the "
                            "evolving populations); this config's mode is %s",
                            sc->mode == DLM_MODE_MATCH ? "match" : "tournament");
    if (sc->mode == DLM_MODE_ANALYZE && !sc->design.evolve) {
        static const char *const evolve_only[] = {"tax", "budget", "exclusion"};
        size_t i;
        for (i = 0; i < N_OF(evolve_only); ++i)
            if ((v = dlm_node_lookup(map, evolve_only[i], &k_node)))
                return dlm_cfg_fail(err, k_node, "institution",
                                    "%s is a key of the evolving referee (mode evolve, or analyze.design with evolve: true): the "
                                    "exact analysis folds in each act's expected fine and "
                                    "subsidy, which a tax, a budget or an exclusion do not "
                                    "change into a 2x2 game", evolve_only[i]);
        return DLM_OK;
    }
    if (in->fine > DLM_REFEREE_MAX_AMOUNT || in->subsidy > DLM_REFEREE_MAX_AMOUNT ||
        in->audit_cost > DLM_REFEREE_MAX_AMOUNT || in->tax > DLM_REFEREE_MAX_AMOUNT ||
        in->budget > 1e12) {
        const char *which = in->fine > DLM_REFEREE_MAX_AMOUNT      ? "fine"
                            : in->subsidy > DLM_REFEREE_MAX_AMOUNT  ? "subsidy"
                            : in->audit_cost > DLM_REFEREE_MAX_AMOUNT ? "audit_cost"
                            : in->tax > DLM_REFEREE_MAX_AMOUNT      ? "tax"
                                                                    : "budget";
        const dlm_node *at = dlm_node_lookup(map, which, NULL);
        char path[64];
        dlm_cfg_join(path, sizeof path, "institution", which);
        return dlm_cfg_fail(err, at, path,
                            "the evolving referee settles in micro-units (10^-6) in a 64-bit "
                            "ledger: at most 10^6 for fine, subsidy, audit_cost and tax, 10^12 "
                            "for budget; got %s", dlm_cfg_got(at, what, sizeof what));
    }
    return DLM_OK;
}

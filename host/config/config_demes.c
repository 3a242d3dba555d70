/* config_demes.c — evolution.group_selection: {groups: m, size: n, split: q}: group
 * selection (Traulsen & Nowak 2006; kernels/dlm_demes.h, dlm_demes_event.h). The
 * population is m groups of at most n, so evolution.population is m x n (given or not:
 * a population given otherwise is refused). What group selection cannot run with
 * (rules, structures, sides, kinds) is refused by the plan (host/plan/demes_plan.c).
 */
#include <stdio.h>
#include <string.h>

#include "config/config_evolution_internal.h"
#include "dlm_evolve.h"

static const char *const demes_keys[] = {"groups", "size", "split"};

dlm_status dlm_cfg_evo_read_demes(reader *r, const dlm_node *map)
{
    dlm_evolution_spec *ev = r->ev;
    const dlm_node *g, *k, *v;
    uint64_t u;
    dlm_status st;
    ev->demes = 0;
    ev->demes_groups = 10;
    ev->demes_size = 4;
    ev->demes_split = 0.01;
    if (!(g = dlm_node_lookup(map, "group_selection", &k)) || dlm_node_is_null(g))
        return DLM_OK;
    if (g->kind != DLM_NODE_MAPPING)
        return dlm_cfg_fail(r->err, k, "evolution.group_selection",
                            "expected a mapping {groups: m, size: n, split: q}");
    if ((st = dlm_cfg_check_keys(r->err, g, "evolution.group_selection", demes_keys,
                                 N_OF(demes_keys))))
        return st;
    if ((v = dlm_node_lookup(g, "groups", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, "evolution.group_selection.groups", 2, 1u << 24,
                                   &u)))
            return st;
        ev->demes_groups = (uint32_t)u;
    }
    if ((v = dlm_node_lookup(g, "size", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, "evolution.group_selection.size", 2,
                                   DLM_DEMES_MAX_SIZE, &u)))
            return st;
        ev->demes_size = (uint32_t)u;
    }
    if ((v = dlm_node_lookup(g, "split", NULL)) &&
        (st = dlm_cfg_get_probability(r->err, v, "evolution.group_selection.split", 0,
                                      &ev->demes_split)))
        return st;
    ev->demes = 1;
    u = (uint64_t)ev->demes_groups * ev->demes_size;
    if (r->population && ev->population != u)
        return dlm_cfg_fail(r->err, r->population, "evolution.population",
                            "%u agents, but evolution.group_selection makes %u groups of at "
                            "most %u: the population is their %llu places (leave "
                            "evolution.population out, or give %llu)",
                            ev->population, ev->demes_groups, ev->demes_size,
                            (unsigned long long)u, (unsigned long long)u);
    if (u > 0xFFFFFFFFull)
        return dlm_cfg_fail(r->err, k, "evolution.group_selection",
                            "%u groups of %u: %llu places, at most 2^32 - 1", ev->demes_groups,
                            ev->demes_size, (unsigned long long)u);
    ev->population = (uint32_t)u;
    return DLM_OK;
}

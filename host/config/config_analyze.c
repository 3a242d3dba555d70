/* config_analyze.c — the analyze: section: what `mode: analyze` asks beyond its two
 * players. Today one key, `population`: the exact answers of the well-mixed population
 * that evolution.* describes (types, an optional payoff matrix, the full chain's limits);
 * and `game: true`, the analysis of the stage game itself (its class, equilibria and, with
 * an institution:, the fines and audits that make cooperation dominant: run/analyze_game.h).
 * Errors read "file:line: analyze.population.key: what was found, what is allowed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_tree.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define DEFAULT_MAX_STATES 200000u
#define MAX_TYPES 64u /* DLM_POP_MAX_TYPES (run/analyze_population.h) */

static const char *const analyze_keys[] = {"population", "game", "design"};
static const char *const design_keys[] = {"audit", "fine", "subsidy", "target", "evolve"};
#define DESIGN_MAX_VALUES 1000u
#define DESIGN_MAX_POINTS 1000000u
#define DESIGN_MAX_EVOLVE_POINTS 4096u /* evolving populations: one batch of runs */
static const char *const population_keys[] = {"types", "payoff_matrix", "full_chain",
                                              "max_states"};

/* analyze.population.types: 2 .. MAX_TYPES strategy texts. */
static dlm_status read_types(dlm_error *err, const dlm_node *key, const dlm_node *v,
                             dlm_scenario *sc)
{
    dlm_population_analysis_spec *pa = &sc->population_analysis;
    static const char *const path = "analyze.population.types";
    char what[128], item_path[64];
    size_t i, j;
    dlm_status st;
    if (v->kind != DLM_NODE_SEQUENCE || v->n < 2 || v->n > MAX_TYPES)
        return dlm_cfg_fail(err, v->kind == DLM_NODE_SEQUENCE ? v : key, path,
                            "expected a sequence of 2 to %u strategies, got %s", MAX_TYPES,
                            v->kind == DLM_NODE_SEQUENCE && v->n < 2 ? "fewer than 2"
                            : v->kind == DLM_NODE_SEQUENCE ? "more"
                                                           : dlm_cfg_got(v, what, sizeof what));
    if (!(pa->types = calloc(v->n, sizeof *pa->types)))
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading %s", path);
    pa->n_types = v->n;
    for (i = 0; i < v->n; ++i) {
        dlm_strategy_def def;
        snprintf(item_path, sizeof item_path, "%s.%zu", path, i);
        if ((st = dlm_cfg_get_strategy(err, v->items[i], item_path, &sc->game,
                                       pa->types[i].strategy, &def)))
            return st;
        for (j = 0; j < i; ++j)
            if (strcmp(pa->types[j].strategy, pa->types[i].strategy) == 0)
                return dlm_cfg_fail(err, v->items[i], item_path,
                                    "'%s' is listed twice (entry %zu too): each type once",
                                    pa->types[i].strategy, j);
    }
    return DLM_OK;
}

/* analyze.population.payoff_matrix: k rows of k numbers (k >= 2). */
static dlm_status read_matrix(dlm_error *err, const dlm_node *key, const dlm_node *v,
                              dlm_scenario *sc)
{
    dlm_population_analysis_spec *pa = &sc->population_analysis;
    static const char *const path = "analyze.population.payoff_matrix";
    char what[128], item_path[96];
    size_t k = v->n, i, j;
    dlm_status st;
    if (v->kind != DLM_NODE_SEQUENCE || k < 2 || k > MAX_TYPES)
        return dlm_cfg_fail(err, v->kind == DLM_NODE_SEQUENCE ? v : key, path,
                            "expected 2 to %u rows of as many payoffs ([[R, S], [T, P]] for "
                            "two types), got %s", MAX_TYPES,
                            v->kind == DLM_NODE_SEQUENCE ? "a wrong number of rows"
                                                         : dlm_cfg_got(v, what, sizeof what));
    if (!(pa->payoff_matrix = calloc(k * k, sizeof *pa->payoff_matrix)))
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading %s", path);
    pa->n_payoff = k;
    for (i = 0; i < k; ++i) {
        const dlm_node *row = v->items[i];
        snprintf(item_path, sizeof item_path, "%s.%zu", path, i);
        if (row->kind != DLM_NODE_SEQUENCE || row->n != k)
            return dlm_cfg_fail(err, row, item_path,
                                "expected a row of %zu payoffs (the matrix is square: one row "
                                "and one column per type), got %s", k,
                                row->kind == DLM_NODE_SEQUENCE ? "another length"
                                                               : dlm_cfg_got(row, what, sizeof what));
        for (j = 0; j < k; ++j) {
            snprintf(item_path, sizeof item_path, "%s.%zu.%zu", path, i, j);
            if ((st = dlm_cfg_get_number(err, row->items[j], item_path, "a finite number",
                                         &pa->payoff_matrix[i * k + j])))
                return st;
        }
    }
    if (pa->types && pa->n_types != k)
        return dlm_cfg_fail(err, key, path, "has %zu rows but analyze.population.types names "
                            "%zu types: one row and one column per type", k, pa->n_types);
    return DLM_OK;
}

/* analyze.population: a mapping (null or {} takes every default). */
static dlm_status read_population(dlm_error *err, const dlm_node *key, const dlm_node *map,
                                  dlm_scenario *sc)
{
    dlm_population_analysis_spec *pa = &sc->population_analysis;
    const dlm_node *v, *k;
    char what[128];
    dlm_status st;
    pa->wanted = 1;
    if (dlm_node_is_null(map))
        return DLM_OK;
    if (map->kind != DLM_NODE_MAPPING)
        return dlm_cfg_fail(err, key, "analyze.population",
                            "expected a mapping (types, payoff_matrix, full_chain, max_states; "
                            "{} for the defaults), got %s", dlm_cfg_got(map, what, sizeof what));
    if ((st = dlm_cfg_check_keys(err, map, "analyze.population", population_keys,
                                 N_OF(population_keys))))
        return st;
    if ((v = dlm_node_lookup(map, "types", &k)) && (st = read_types(err, k, v, sc)))
        return st;
    if ((v = dlm_node_lookup(map, "payoff_matrix", &k)) && (st = read_matrix(err, k, v, sc)))
        return st;
    if ((v = dlm_node_lookup(map, "full_chain", NULL)) &&
        (st = dlm_cfg_get_bool(err, v, "analyze.population.full_chain", &pa->full_chain)))
        return st;
    if ((v = dlm_node_lookup(map, "max_states", NULL)) &&
        (st = dlm_cfg_get_uint(err, v, "analyze.population.max_states", 1, UINT64_C(1) << 40,
                               &pa->max_states)))
        return st;
    return DLM_OK;
}

/* analyze.design.KEY: a sequence of 1 .. DESIGN_MAX_VALUES numbers (probabilities for the
 * audit, amounts >= 0 otherwise), or one number. */
static dlm_status read_grid(dlm_error *err, const dlm_node *map, size_t which, dlm_scenario *sc)
{
    const dlm_node *key, *v = dlm_node_lookup(map, design_keys[which], &key);
    dlm_design_spec *d = &sc->design;
    char path[64], item[80], what[128];
    size_t n, i;
    dlm_status st;
    if (!v)
        return DLM_OK;
    snprintf(path, sizeof path, "analyze.design.%s", design_keys[which]);
    n = v->kind == DLM_NODE_SEQUENCE ? v->n : 1;
    if (n < 1 || n > DESIGN_MAX_VALUES || v->kind == DLM_NODE_MAPPING)
        return dlm_cfg_fail(err, v->kind == DLM_NODE_MAPPING ? key : v, path,
                            "expected a number or a sequence of 1 to %u numbers, got %s",
                            DESIGN_MAX_VALUES, n < 1 ? "an empty sequence"
                            : v->kind == DLM_NODE_MAPPING ? dlm_cfg_got(v, what, sizeof what)
                                                          : "more");
    if (!(d->values[which] = calloc(n, sizeof *d->values[which])))
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading %s", path);
    d->n[which] = n;
    for (i = 0; i < n; ++i) {
        const dlm_node *x = v->kind == DLM_NODE_SEQUENCE ? v->items[i] : v;
        double *out = &d->values[which][i];
        snprintf(item, sizeof item, v->kind == DLM_NODE_SEQUENCE ? "%s.%zu" : "%s", path, i);
        st = which == 0 ? dlm_cfg_get_probability(err, x, item, 0, out)
                        : dlm_cfg_get_number(err, x, item, "a finite number >= 0", out);
        if (st)
            return st;
        if (*out < 0)
            return dlm_cfg_fail(err, x, item, "expected a finite number >= 0, got %s",
                                dlm_cfg_got(x, what, sizeof what));
    }
    return DLM_OK;
}

/* analyze.design: the grid of institutions and the target cooperation. */
static dlm_status read_design(dlm_error *err, const dlm_node *key, const dlm_node *map,
                              dlm_scenario *sc)
{
    dlm_design_spec *d = &sc->design;
    const dlm_node *v;
    char what[128];
    size_t i;
    double points = 1;
    dlm_status st;
    d->given = 1;
    d->target = 0.9;
    if (dlm_node_is_null(map))
        return DLM_OK;
    if (map->kind != DLM_NODE_MAPPING)
        return dlm_cfg_fail(err, key, "analyze.design",
                            "expected a mapping (audit, fine, subsidy: the grid; target), got %s",
                            dlm_cfg_got(map, what, sizeof what));
    if ((st = dlm_cfg_check_keys(err, map, "analyze.design", design_keys, N_OF(design_keys))))
        return st;
    for (i = 0; i < 3; ++i) {
        if ((st = read_grid(err, map, i, sc)))
            return st;
        points *= d->n[i] ? (double)d->n[i] : 1.0;
    }
    if (points > DESIGN_MAX_POINTS)
        return dlm_cfg_fail(err, key, "analyze.design",
                            "the grid has %.0f institutions; at most %u (fewer values per key)",
                            points, DESIGN_MAX_POINTS);
    if ((v = dlm_node_lookup(map, "target", NULL)) &&
        (st = dlm_cfg_get_probability(err, v, "analyze.design.target", 0, &d->target)))
        return st;
    if ((v = dlm_node_lookup(map, "evolve", NULL)) &&
        (st = dlm_cfg_get_bool(err, v, "analyze.design.evolve", &d->evolve)))
        return st;
    if (d->evolve && points > DESIGN_MAX_EVOLVE_POINTS)
        return dlm_cfg_fail(err, key, "analyze.design",
                            "the grid has %.0f institutions; measured by evolving populations "
                            "(evolve: true) at most %u (one batch of runs)",
                            points, DESIGN_MAX_EVOLVE_POINTS);
    return DLM_OK;
}

dlm_status dlm_cfg_read_analyze(dlm_error *err, const dlm_node *root, dlm_scenario *sc)
{
    const dlm_node *key, *section = dlm_node_lookup(root, "analyze", &key), *v, *pkey;
    char what[128];
    dlm_status st;
    memset(&sc->population_analysis, 0, sizeof sc->population_analysis);
    sc->population_analysis.full_chain = 1;
    sc->population_analysis.max_states = DEFAULT_MAX_STATES;
    sc->analyze_game = 0;
    memset(&sc->design, 0, sizeof sc->design);
    if (!section || dlm_node_is_null(section))
        return DLM_OK;
    if (section->kind != DLM_NODE_MAPPING)
        return dlm_cfg_fail(err, key, "analyze", "expected a mapping (population, game, design), got %s",
                            dlm_cfg_got(section, what, sizeof what));
    if ((st = dlm_cfg_check_keys(err, section, "analyze", analyze_keys, N_OF(analyze_keys))))
        return st;
    if ((v = dlm_node_lookup(section, "game", &pkey)) &&
        (st = dlm_cfg_get_bool(err, v, "analyze.game", &sc->analyze_game)))
        return st;
    if ((v = dlm_node_lookup(section, "design", &pkey))) {
        if (sc->analyze_game)
            return dlm_cfg_fail(err, pkey, "analyze.design",
                                "the design measures each institution by the stage game "
                                "already; drop analyze.game (or add analyze.population to "
                                "measure long-run cooperation in a population instead)");
        if ((st = read_design(err, pkey, v, sc)))
            return st;
    }
    if ((v = dlm_node_lookup(section, "population", &pkey))) {
        if (sc->design.evolve)
            return dlm_cfg_fail(err, pkey, "analyze.population",
                                "analyze.design.evolve: true measures each institution by "
                                "evolving populations (evolution.*); the exact population "
                                "analysis is the other measure: give one of the two");
        if (sc->analyze_game)
            return dlm_cfg_fail(err, pkey, "analyze.population",
                                "analyze.game: true asks for the stage game; the population "
                                "analysis is another question: give one of the two");
        return read_population(err, pkey, v, sc);
    }
    return DLM_OK;
}

/* config_evolution.c — the evolution: section of the config schema (mode evolve): checks
 * every key and fills dlm_scenario.evolution (scenario.h). configs/README.md documents
 * the same schema; keep the two in step. The value readers are shared with
 * config_schema.c (config_tree.h) and messages have the same form:
 * "file:line: evolution.key: what was found, what is allowed".
 *
 * Besides each value this checks what needs no graph, file or match: the keys each
 * structure type and mutation kind take, one initial form, shares summing to 1, unique
 * class names, a lattice's size against the population (a lattice gives the population
 * when evolution.population is absent), graph parameters against the population, the
 * initial mutant count, interaction and replacement both well-mixed or both graphs,
 * imitate-best on a graph, and at most DLM_CENSUS_MAX_NAMED distinct strategies to count.
 * host/plan/evolve_plan.c re-checks what it relies on. structure: and replacement: are read,
 * and checked against the population, in config_evolution_structure.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_evolution_internal.h"
#include "dlm_census.h"

#define SHARE_TOLERANCE 1e-9         /* shares must sum to 1 within this */
#define GENERATIONS_MAX (1ull << 40) /* generations, record_every, snapshot.every */
#define POPULATIONS_MAX (1ull << 20)
#define ESTIMATE_MAX    (1ull << 24) /* evolution.estimate_matches */

static const char *const evolution_keys[] = {
    "population", "populations", "generations",  "rule",        "selection", "fitness",
    "accumulate", "payoff",      "structure",    "replacement", "mutation",  "initial",
    "classes",    "stop",        "record_every", "tolerance",   "snapshot",  "track",
    "moran_death", "exact",     "cost",        "representation", "interaction", "reputation",
    "estimate_matches", "group", "group_selection"};
static const char *const rules[] = {"moran-bd",   "moran-db",      "fermi",
                                    "fermi-sync", "wright-fisher", "imitate-best"};
static const char *const fitness_maps[] = {"linear", "exponential"};
static const char *const moran_deaths[] = {"any", "others"};
static const char *const accumulations[] = {"mean", "total"};
static const char *const payoffs[] = {"played", "exact", "estimated"};
static const char *const exact_kinds[] = {"match", "long-run"};
static const char *const representations[] = {"auto", "counts", "agents"};

static const char *const mutation_keys[] = {"rate", "kind", "set", "sigma"};
static const char *const mutation_kinds[] = {"none",     "set",         "random-memory-one",
                                             "gaussian", "lookup-flip", "fsm-edit"};
static const char *const initial_keys[] = {"shares", "random", "mutant", "file"};
static const char *const mutant_keys[] = {"resident", "mutant", "count"};
static const char *const share_keys[] = {"strategy", "share"};
static const char *const class_keys[] = {
    "name", "share", "execution_error", "perception_error", "reaction_period", "observation_delay",
    "role", "rate"};
static const char *const roles[] = {"A", "B"};
static const char *const stop_keys[] = {"fixation", "wall_clock"};
static const char *const snapshot_keys[] = {"every", "file"};

static const char *const default_shares[] = {"tft", "alld"}; /* half each */
static const char *const group_default_shares[] = {"allc", "alld"}; /* group games */

/* ---- helpers ------------------------------------------------------------------------- */

/* "a, b, c" of names into buf; returns buf. */
const char *dlm_cfg_evo_name_list(const char *const *names, size_t n, char *buf, size_t len)
{
    size_t i, used = 0;
    buf[0] = '\0';
    for (i = 0; i < n && used < len; ++i) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
        used += w > 0 ? (size_t)w : 0;
    }
    return buf;
}

/* The mapping value (under key node key, at path); *out = NULL when value is null. Fails
 * when it is no mapping or holds a key not in keys. */
static dlm_status get_mapping(reader *r, const dlm_node *key, const dlm_node *value,
                              const char *path, const char *const *keys, size_t n,
                              const dlm_node **out)
{
    char what[128], list[400];
    *out = NULL;
    if (!value || dlm_node_is_null(value))
        return DLM_OK;
    if (value->kind != DLM_NODE_MAPPING)
        return dlm_cfg_fail(r->err, key ? key : value, path,
                            "expected a mapping with keys %s, got %s",
                            dlm_cfg_evo_name_list(keys, n, list, sizeof list),
                            dlm_cfg_got(value, what, sizeof what));
    *out = value;
    return dlm_cfg_check_keys(r->err, value, path, keys, n);
}

/* Counts def among the distinct strategies the census names; fails past the limit. */
static dlm_status add_named(reader *r, const dlm_strategy_def *def, const dlm_node *at,
                            const char *path)
{
    size_t i;
    if (def->model.kind != DLM_STRAT_MEMORY_ONE && !r->not_m1_path[0]) { /* for payoff: exact */
        r->not_m1 = at;
        snprintf(r->not_m1_path, sizeof r->not_m1_path, "%s", path);
    }
    for (i = 0; i < r->n_named; ++i)
        if (dlm_strategy_equal(&r->named[i], &def->model))
            return DLM_OK;
    if (r->n_named == DLM_CENSUS_MAX_NAMED)
        return dlm_cfg_fail(r->err, at, path,
                            "more than %u distinct strategies in the initial population and "
                            "the mutation set (the census counts at most %u by name)",
                            DLM_CENSUS_MAX_NAMED, DLM_CENSUS_MAX_NAMED);
    r->named[r->n_named++] = def->model;
    return DLM_OK;
}

/* Strategy text at node into text, checked by the parser and counted as named. */
static dlm_status get_named_strategy(reader *r, const dlm_node *node, const char *path, char *text)
{
    dlm_strategy_def def;
    dlm_status st = dlm_cfg_get_strategy(r->err, node, path, &r->sc->game, text, &def);
    return st != DLM_OK ? st : add_named(r, &def, node, path);
}

/* A share in [0, 1]. */
static dlm_status get_share(reader *r, const dlm_node *node, const char *path, double *out)
{
    char what[128];
    double v;
    dlm_status st = dlm_cfg_get_number(r->err, node, path, "a share in [0, 1]", &v);
    if (st != DLM_OK)
        return st;
    if (v < 0.0 || v > 1.0)
        return dlm_cfg_fail(r->err, node, path, "expected a share in [0, 1], got %s",
                            dlm_cfg_got(node, what, sizeof what));
    *out = v;
    return DLM_OK;
}

/* Fails unless the n shares (stride bytes apart from first) sum to 1. */
static dlm_status check_sum(reader *r, const dlm_node *at, const char *path, const double *first,
                            size_t n, size_t stride)
{
    double sum = 0.0;
    size_t i;
    for (i = 0; i < n; ++i)
        sum += *(const double *)(const void *)((const char *)first + i * stride);
    if (!(fabs(sum - 1.0) <= SHARE_TOLERANCE))
        return dlm_cfg_fail(r->err, at, path, "the shares sum to %.15g, not 1 (within %g)", sum,
                            SHARE_TOLERANCE);
    return DLM_OK;
}

/* An input file name: non-empty; when the config came from a file and the value from
 * that file (not --set), a relative name is taken relative to the file's folder. */
dlm_status dlm_cfg_evo_input_path(reader *r, const dlm_node *node, const char *path, char *buf,
                                  size_t size)
{
    char raw[DLM_PATH_MAX], shown[104];
    size_t dir = 0;
    dlm_status st = dlm_cfg_get_string(r->err, node, path, raw, sizeof raw);
    if (st != DLM_OK)
        return st;
    if (!raw[0])
        return dlm_cfg_fail(r->err, node, path, "expected a file name, got ''");
    if (r->cfg->from_file && node->line && raw[0] != '/') {
        const char *slash = strrchr(node->origin, '/');
        dir = slash ? (size_t)(slash - node->origin) + 1 : 0;
    }
    if (dir + strlen(raw) >= size)
        return dlm_cfg_fail(r->err, node, path,
                            "'%s' in the config file's folder is a name of %lu characters "
                            "(at most %lu)",
                            dlm_printable(raw, 96, shown, sizeof shown),
                            (unsigned long)(dir + strlen(raw)), (unsigned long)size - 1);
    snprintf(buf, size, "%.*s%s", (int)dir, node->origin, raw);
    return DLM_OK;
}

/* ---- mutation --------------------------------------------------------------------- */

static dlm_status read_mutation(reader *r, const dlm_node *key, const dlm_node *value)
{
    dlm_evolution_spec *ev = r->ev;
    const dlm_node *map, *v, *set_key = NULL, *set, *sigma_key = NULL, *kind_node, *rate;
    char full[160], what[128];
    int kind;
    size_t i;
    dlm_status st;
    if ((st = get_mapping(r, key, value, "evolution.mutation", mutation_keys, N_OF(mutation_keys),
                          &map)) ||
        !map)
        return st;
    if ((rate = dlm_node_lookup(map, "rate", NULL)) &&
        (st = dlm_cfg_get_probability(r->err, rate, "evolution.mutation.rate", 0,
                                      &ev->mutation_rate)))
        return st;
    if ((v = dlm_node_lookup(map, "sigma", &sigma_key))) {
        if ((st = dlm_cfg_get_number(r->err, v, "evolution.mutation.sigma", "a number > 0",
                                     &ev->sigma)))
            return st;
        if (!(ev->sigma > 0.0))
            return dlm_cfg_fail(r->err, v, "evolution.mutation.sigma",
                                "expected a number > 0, got %s", dlm_cfg_got(v, what, sizeof what));
    }
    if ((set = dlm_node_lookup(map, "set", &set_key))) {
        if (set->kind != DLM_NODE_SEQUENCE || set->n == 0)
            return dlm_cfg_fail(r->err, set_key, "evolution.mutation.set",
                                "expected a sequence of at least one strategy, got %s",
                                set->kind == DLM_NODE_SEQUENCE
                                    ? "an empty one"
                                    : dlm_cfg_got(set, what, sizeof what));
        ev->mutation_set = calloc(set->n, sizeof *ev->mutation_set);
        if (!ev->mutation_set)
            return dlm_error_set(r->err, DLM_ERR_RUNTIME,
                                 "out of memory reading evolution.mutation.set");
        ev->n_mutation_set = set->n;
        for (i = 0; i < set->n; ++i) {
            snprintf(full, sizeof full, "evolution.mutation.set[%lu]", (unsigned long)i);
            if ((st = get_named_strategy(r, set->items[i], full, ev->mutation_set[i].strategy)))
                return st;
        }
    }
    /* kind: given, or set with a set, random-memory-one with a rate > 0, else none */
    kind = set ? 1 : ev->mutation_rate > 0.0 ? 2 : 0;
    if ((r->kind = kind_node = dlm_node_lookup(map, "kind", NULL)) &&
        (st = dlm_cfg_get_choice(r->err, kind_node, "evolution.mutation.kind", mutation_kinds,
                                 N_OF(mutation_kinds), &kind)))
        return st;
    snprintf(ev->mutation_kind, sizeof ev->mutation_kind, "%s", mutation_kinds[kind]);
    if (set && kind != 1)
        return dlm_cfg_fail(r->err, set_key, "evolution.mutation.set",
                            "only kind set takes a set (the kind here is %s)",
                            mutation_kinds[kind]);
    if (kind == 1 && !set)
        return dlm_cfg_fail(r->err, kind_node, "evolution.mutation.kind",
                            "kind set needs evolution.mutation.set, a sequence of strategies");
    if (sigma_key && kind != 3)
        return dlm_cfg_fail(r->err, sigma_key, "evolution.mutation.sigma",
                            "only kind gaussian takes sigma (the kind here is %s%s)",
                            mutation_kinds[kind], kind_node ? "" : ", the default: give kind");
    if (kind == 0 && ev->mutation_rate > 0.0)
        return dlm_cfg_fail(r->err, rate, "evolution.mutation.rate",
                            "kind none mutates nothing: give rate 0, or a kind (set, "
                            "random-memory-one, gaussian, lookup-flip, fsm-edit)");
    return DLM_OK;
}

/* ---- initial population ------------------------------------------------------------- */

/* initial.shares: a mapping strategy -> share, or a sequence of {strategy, share}. */
static dlm_status read_shares(reader *r, const dlm_node *key, const dlm_node *value)
{
    static const char path[] = "evolution.initial.shares";
    dlm_evolution_spec *ev = r->ev;
    char full[200], what[128];
    size_t i;
    dlm_status st;
    if ((value->kind != DLM_NODE_MAPPING && value->kind != DLM_NODE_SEQUENCE) || value->n == 0)
        return dlm_cfg_fail(r->err, key, path,
                            "expected strategies with their shares, as a mapping (e.g. {tft: "
                            "0.5, alld: 0.5}) or a sequence of {strategy: ..., share: ...}, got %s",
                            value->kind == DLM_NODE_SCALAR ? dlm_cfg_got(value, what, sizeof what)
                                                           : "an empty one");
    ev->shares = calloc(value->n, sizeof *ev->shares);
    if (!ev->shares)
        return dlm_error_set(r->err, DLM_ERR_RUNTIME, "out of memory reading %s", path);
    ev->n_shares = value->n;
    for (i = 0; i < value->n; ++i) {
        dlm_share *sh = &ev->shares[i];
        const dlm_node *item = value->items[i], *strategy, *share;
        if (value->kind == DLM_NODE_MAPPING) {
            dlm_cfg_join(full, sizeof full, path, value->keys[i]->text);
            if ((st = get_named_strategy(r, value->keys[i], full, sh->strategy)) ||
                (st = get_share(r, item, full, &sh->share)))
                return st;
            continue;
        }
        snprintf(full, sizeof full, "%s[%lu]", path, (unsigned long)i);
        if (item->kind != DLM_NODE_MAPPING)
            return dlm_cfg_fail(r->err, item, full,
                                "expected a mapping {strategy: ..., share: ...}, got %s",
                                dlm_cfg_got(item, what, sizeof what));
        if ((st = dlm_cfg_check_keys(r->err, item, full, share_keys, N_OF(share_keys))))
            return st;
        strategy = dlm_node_lookup(item, "strategy", NULL);
        share = dlm_node_lookup(item, "share", NULL);
        if (!strategy || !share)
            return dlm_cfg_fail(r->err, item, full,
                                "the keys strategy and share are required "
                                "(e.g. {strategy: tft, share: 0.5})");
        {
            char sub[220];
            snprintf(sub, sizeof sub, "%s.strategy", full);
            if ((st = get_named_strategy(r, strategy, sub, sh->strategy)))
                return st;
            snprintf(sub, sizeof sub, "%s.share", full);
            if ((st = get_share(r, share, sub, &sh->share)))
                return st;
        }
    }
    return check_sum(r, key, path, &ev->shares[0].share, ev->n_shares, sizeof *ev->shares);
}

/* initial.mutant: {resident, mutant, count}. */
static dlm_status read_mutant(reader *r, const dlm_node *key, const dlm_node *value)
{
    dlm_evolution_spec *ev = r->ev;
    const dlm_node *map, *resident, *mutant, *count;
    uint64_t u;
    dlm_status st;
    if ((st = get_mapping(r, key, value, "evolution.initial.mutant", mutant_keys, N_OF(mutant_keys),
                          &map)))
        return st;
    resident = map ? dlm_node_lookup(map, "resident", NULL) : NULL;
    mutant = map ? dlm_node_lookup(map, "mutant", NULL) : NULL;
    if (!resident || !mutant)
        return dlm_cfg_fail(r->err, key, "evolution.initial.mutant",
                            "the keys resident and mutant are required (e.g. {resident: alld, "
                            "mutant: tft, count: 1})");
    if ((st = get_named_strategy(r, resident, "evolution.initial.mutant.resident", ev->resident)) ||
        (st = get_named_strategy(r, mutant, "evolution.initial.mutant.mutant", ev->mutant)))
        return st;
    r->mutant_count = key;
    if ((count = dlm_node_lookup(map, "count", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, count, "evolution.initial.mutant.count", 1,
                                   UINT32_MAX - 1u, &u)))
            return st;
        ev->mutants = (uint32_t)u;
        r->mutant_count = count;
    }
    return DLM_OK;
}

/* Fills the default initial population: tft and alld, half each (group games: allc and
 * alld, the contribution rules). */
static dlm_status default_initial(reader *r)
{
    dlm_evolution_spec *ev = r->ev;
    const char *const *names = ev->group ? group_default_shares : default_shares;
    size_t i;
    dlm_status st;
    ev->shares = calloc(N_OF(default_shares), sizeof *ev->shares);
    if (!ev->shares)
        return dlm_error_set(r->err, DLM_ERR_RUNTIME, "out of memory filling the scenario");
    ev->n_shares = N_OF(default_shares);
    for (i = 0; i < N_OF(default_shares); ++i) {
        dlm_strategy_def def;
        dlm_error serr;
        serr.message[0] = '\0';
        snprintf(ev->shares[i].strategy, sizeof ev->shares[i].strategy, "%s", names[i]);
        ev->shares[i].share = 1.0 / (double)N_OF(default_shares);
        if (dlm_strategy_parse(names[i], &r->sc->game, &def, &serr) != DLM_OK)
            return dlm_error_set(r->err, DLM_ERR_RUNTIME,
                                 "built-in default strategy '%s' is "
                                 "not accepted by the strategy parser: %s",
                                 names[i], serr.message);
        /* (a full list means a mutation set was given, so there is a section to point at) */
        if ((st = add_named(r, &def, r->section, "evolution.initial")))
            return st;
    }
    return DLM_OK;
}

static dlm_status read_initial(reader *r, const dlm_node *key, const dlm_node *value)
{
    dlm_evolution_spec *ev = r->ev;
    const dlm_node *map, *form_key = NULL, *form = NULL;
    char where[1100];
    int which = 0, flag;
    size_t i;
    dlm_status st;
    if ((st = get_mapping(r, key, value, "evolution.initial", initial_keys, N_OF(initial_keys),
                          &map)))
        return st;
    for (i = 0; map && i < map->n; ++i) {
        if (form_key)
            return dlm_cfg_fail(r->err, map->keys[i], "evolution.initial",
                                "%s (%s) and %s are two initial forms: give one of shares, "
                                "random, mutant, file",
                                form_key->text, dlm_node_where(form_key, where, sizeof where),
                                map->keys[i]->text);
        form_key = map->keys[i];
        form = map->items[i];
    }
    if (!form_key)
        return default_initial(r);
    for (i = 0; i < N_OF(initial_keys); ++i)
        if (strcmp(form_key->text, initial_keys[i]) == 0)
            which = (int)i;
    snprintf(ev->initial, sizeof ev->initial, "%s", initial_keys[which]);
    switch (which) {
    case 0:
        return read_shares(r, form_key, form);
    case 1:
        if ((st = dlm_cfg_get_bool(r->err, form, "evolution.initial.random", &flag)))
            return st;
        if (!flag)
            return dlm_cfg_fail(r->err, form, "evolution.initial.random",
                                "false is no initial form: write random: true, or give shares, "
                                "mutant or file");
        return DLM_OK;
    case 2:
        return read_mutant(r, form_key, form);
    default:
        return dlm_cfg_evo_input_path(r, form, "evolution.initial.file", ev->initial_file,
                                      sizeof ev->initial_file);
    }
}

/* ---- classes ------------------------------------------------------------------------ */

/* 1 when name is letters, digits, '_', '-' and '.' only (names head output columns). */
static int plain_name(const char *name)
{
    for (; *name; ++name)
        if (!((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') ||
              (*name >= '0' && *name <= '9') || *name == '_' || *name == '-' || *name == '.'))
            return 0;
    return 1;
}

/* A class's role (its side: A or B) and rate. */
static dlm_status read_side(reader *r, const dlm_node *item, const char *path, dlm_class_spec *c)
{
    const dlm_node *v;
    char sub[96];
    int which;
    dlm_status st;
    c->rate = 1.0;
    if ((v = dlm_node_lookup(item, "role", NULL))) {
        snprintf(sub, sizeof sub, "%s.role", path);
        if ((st = dlm_cfg_get_choice(r->err, v, sub, roles, N_OF(roles), &which)))
            return st;
        c->role = which + 1;
    }
    if ((v = dlm_node_lookup(item, "rate", NULL))) {
        snprintf(sub, sizeof sub, "%s.rate", path);
        if ((st = dlm_cfg_get_number(r->err, v, sub, "a number > 0", &c->rate)))
            return st;
        if (!(c->rate > 0.0))
            return dlm_cfg_fail(r->err, v, sub, "expected a number > 0 (a side's relative rate "
                                "of update events), got %g", c->rate);
        if (!c->role)
            return dlm_cfg_fail(r->err, v, sub, "a rate belongs to a side: give the class a "
                                "role (A or B) too");
    }
    return DLM_OK;
}

/* Sides: no class has a role, or exactly two classes have roles A and B. */
static dlm_status check_sides(reader *r, const dlm_node *key)
{
    const dlm_evolution_spec *ev = r->ev;
    size_t i, with = 0;
    for (i = 0; i < ev->n_classes; ++i)
        with += ev->classes[i].role != 0;
    if (with == 0)
        return DLM_OK;
    if (ev->n_classes != 2 || with != 2 || ev->classes[0].role == ev->classes[1].role)
        return dlm_cfg_fail(r->err, key, "evolution.classes",
                            "two sides that play each other are two classes, one with role A "
                            "and one with role B (got %lu classes, %lu with a role%s)",
                            (unsigned long)ev->n_classes, (unsigned long)with,
                            ev->n_classes == 2 && with == 2 ? ", both the same" : "");
    return DLM_OK;
}

static dlm_status read_classes(reader *r, const dlm_node *key, const dlm_node *value)
{
    dlm_evolution_spec *ev = r->ev;
    const dlm_node *first_share = NULL, *first_without = NULL;
    size_t i, j, n_shares = 0, without = 0;
    char what[128], list[300];
    dlm_status st;
    if (dlm_node_is_null(value))
        return DLM_OK;
    if (value->kind != DLM_NODE_SEQUENCE)
        return dlm_cfg_fail(r->err, key, "evolution.classes",
                            "expected a sequence of classes (mappings with keys %s), got %s",
                            dlm_cfg_evo_name_list(class_keys, N_OF(class_keys), list, sizeof list),
                            dlm_cfg_got(value, what, sizeof what));
    if (value->n == 0 || value->n > DLM_CENSUS_MAX_CLASSES)
        return dlm_cfg_fail(r->err, key, "evolution.classes", "expected 1 to %u classes, got %lu%s",
                            DLM_CENSUS_MAX_CLASSES, (unsigned long)value->n,
                            value->n ? ""
                                     : " (leave classes out for one class with match.*'s "
                                       "settings)");
    ev->classes = calloc(value->n, sizeof *ev->classes);
    if (!ev->classes)
        return dlm_error_set(r->err, DLM_ERR_RUNTIME, "out of memory reading evolution.classes");
    ev->n_classes = value->n;
    for (i = 0; i < value->n; ++i) {
        dlm_class_spec *c = &ev->classes[i];
        const dlm_node *item = value->items[i], *name, *share;
        char path[64], sub[96];
        snprintf(path, sizeof path, "evolution.classes[%lu]", (unsigned long)i);
        if (item->kind != DLM_NODE_MAPPING)
            return dlm_cfg_fail(
                r->err, item, path, "expected a mapping with keys %s, got %s",
                dlm_cfg_evo_name_list(class_keys, N_OF(class_keys), list, sizeof list),
                dlm_cfg_got(item, what, sizeof what));
        if ((st = dlm_cfg_check_keys(r->err, item, path, class_keys, N_OF(class_keys))))
            return st;
        snprintf(c->name, sizeof c->name, "class%lu", (unsigned long)i);
        snprintf(sub, sizeof sub, "%s.name", path);
        if ((name = dlm_node_lookup(item, "name", NULL))) {
            char shown[72];
            if ((st = dlm_cfg_get_string(r->err, name, sub, c->name, sizeof c->name)))
                return st;
            if (!c->name[0] || !plain_name(c->name))
                return dlm_cfg_fail(r->err, name, sub,
                                    "a class name is letters, digits, '_', '-' and '.' (it "
                                    "heads output columns), got '%s'",
                                    dlm_printable(c->name, 60, shown, sizeof shown));
        }
        for (j = 0; j < i; ++j)
            if (strcmp(ev->classes[j].name, c->name) == 0)
                return dlm_cfg_fail(r->err, name ? name : item, sub,
                                    "'%s' is the name of evolution.classes[%lu] already: class "
                                    "names are unique",
                                    c->name, (unsigned long)j);
        if ((share = dlm_node_lookup(item, "share", NULL))) {
            snprintf(sub, sizeof sub, "%s.share", path);
            if ((st = get_share(r, share, sub, &c->share)))
                return st;
            if (!first_share)
                first_share = item;
            ++n_shares;
        } else if (!without++) {
            first_without = item;
        }
        c->player = r->sc->match_defaults;
        c->player.strategy[0] = '\0';
        if ((st = dlm_cfg_read_player_settings(r->err, item, path, &c->player)) ||
            (st = read_side(r, item, path, c)))
            return st;
    }
    if ((st = check_sides(r, key)))
        return st;
    if (n_shares && without) {
        char where[1100];
        for (i = 0; value->items[i] != first_without; ++i)
            ;
        return dlm_cfg_fail(r->err, first_without, "evolution.classes",
                            "classes[%lu] has no share but another class has one (%s): give "
                            "every class a share, or none for equal shares",
                            (unsigned long)i, dlm_node_where(first_share, where, sizeof where));
    }
    if (!n_shares)
        for (i = 0; i < ev->n_classes; ++i)
            ev->classes[i].share = 1.0 / (double)ev->n_classes;
    return check_sum(r, key, "evolution.classes", &ev->classes[0].share, ev->n_classes,
                     sizeof *ev->classes);
}

/* evolution.moran_death, when given: a choice of moran-bd in a well-mixed population. */
static dlm_status check_moran_death(reader *r)
{
    const dlm_evolution_spec *ev = r->ev;
    if (!r->moran_death)
        return DLM_OK;
    if (strcmp(ev->rule, "moran-bd") != 0)
        return dlm_cfg_fail(r->err, r->moran_death, "evolution.moran_death",
                            "only moran-bd chooses who dies among all or among the others "
                            "(the rule here is %s); leave the key out", ev->rule);
    if (!ev->moran_death_others && strcmp(ev->structure.type, "well-mixed") != 0)
        return dlm_cfg_fail(r->err, r->moran_death, "evolution.moran_death",
                            "any (the one who dies drawn among all n) is for a well-mixed "
                            "population; on a %s the offspring replaces a neighbour: use "
                            "others or leave the key out", ev->structure.type);
    return DLM_OK;
}

/* ---- the section -------------------------------------------------------------------- */

static void evolution_defaults(dlm_evolution_spec *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->population = 100;
    ev->populations = 1;
    ev->generations = 1000;
    snprintf(ev->rule, sizeof ev->rule, "moran-bd");
    ev->selection = 1.0;
    snprintf(ev->fitness, sizeof ev->fitness, "linear");
    snprintf(ev->representation, sizeof ev->representation, "auto");
    ev->estimate_matches = 100;
    dlm_cfg_evo_structure_defaults(&ev->structure);
    ev->replacement = ev->structure;
    snprintf(ev->mutation_kind, sizeof ev->mutation_kind, "none");
    ev->sigma = 0.05;
    snprintf(ev->initial, sizeof ev->initial, "shares");
    ev->mutants = 1;
    ev->record_every = 1;
    ev->tolerance = 0.05;
}

/* The scalar keys of evolution:. */
static dlm_status read_scalars(reader *r, const dlm_node *map)
{
    dlm_evolution_spec *ev = r->ev;
    const dlm_node *v, *key;
    char what[128];
    uint64_t u;
    int index;
    dlm_status st;
    if ((v = dlm_node_lookup(map, "population", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, "evolution.population", 2, UINT32_MAX, &u)))
            return st;
        ev->population = (uint32_t)u;
        r->population = v;
    }
    if ((v = dlm_node_lookup(map, "populations", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, "evolution.populations", 1, POPULATIONS_MAX, &u)))
            return st;
        ev->populations = (uint32_t)u;
        r->populations = v;
    }
    if ((v = dlm_node_lookup(map, "generations", NULL)) &&
        (st = dlm_cfg_get_uint(r->err, v, "evolution.generations", 0, GENERATIONS_MAX,
                               &ev->generations)))
        return st;
    if ((v = dlm_node_lookup(map, "rule", NULL))) {
        if ((st = dlm_cfg_get_choice(r->err, v, "evolution.rule", rules, N_OF(rules), &index)))
            return st;
        snprintf(ev->rule, sizeof ev->rule, "%s", rules[index]);
        r->rule = v;
    }
    if ((v = dlm_node_lookup(map, "selection", NULL))) {
        if ((st = dlm_cfg_get_number(r->err, v, "evolution.selection", "a number >= 0",
                                     &ev->selection)))
            return st;
        if (ev->selection < 0.0)
            return dlm_cfg_fail(r->err, v, "evolution.selection", "expected a number >= 0, got %s",
                                dlm_cfg_got(v, what, sizeof what));
        ev->selection += 0.0; /* -0 is 0 */
    }
    if ((v = dlm_node_lookup(map, "fitness", NULL))) {
        if ((st = dlm_cfg_get_choice(r->err, v, "evolution.fitness", fitness_maps,
                                     N_OF(fitness_maps), &index)))
            return st;
        snprintf(ev->fitness, sizeof ev->fitness, "%s", fitness_maps[index]);
    }
    if ((v = dlm_node_lookup(map, "accumulate", NULL))) {
        if ((st = dlm_cfg_get_choice(r->err, v, "evolution.accumulate", accumulations,
                                     N_OF(accumulations), &index)))
            return st;
        ev->accumulate_total = index;
    }
    if ((v = dlm_node_lookup(map, "payoff", NULL))) {
        if ((st =
                 dlm_cfg_get_choice(r->err, v, "evolution.payoff", payoffs, N_OF(payoffs), &index)))
            return st;
        ev->payoff_exact = index == 1;
        ev->payoff_estimated = index == 2;
        r->payoff = v;
    }
    if ((v = dlm_node_lookup(map, "moran_death", NULL))) {
        if ((st = dlm_cfg_get_choice(r->err, v, "evolution.moran_death", moran_deaths,
                                     N_OF(moran_deaths), &index)))
            return st;
        ev->moran_death_others = index;
        r->moran_death = v;
    }
    if ((v = dlm_node_lookup(map, "representation", NULL))) {
        if ((st = dlm_cfg_get_choice(r->err, v, "evolution.representation", representations,
                                     N_OF(representations), &index)))
            return st;
        snprintf(ev->representation, sizeof ev->representation, "%s", representations[index]);
        r->representation = v;
    }
    if ((v = dlm_node_lookup(map, "record_every", NULL)) &&
        (st = dlm_cfg_get_uint(r->err, v, "evolution.record_every", 1, GENERATIONS_MAX,
                               &ev->record_every)))
        return st;
    if ((v = dlm_node_lookup(map, "tolerance", NULL)) &&
        (st = dlm_cfg_get_probability(r->err, v, "evolution.tolerance", 0, &ev->tolerance)))
        return st;
    if ((v = dlm_node_lookup(map, "track", &key))) {
        char full[160], what[128];
        size_t i;
        if (v->kind != DLM_NODE_SEQUENCE || v->n == 0)
            return dlm_cfg_fail(r->err, key, "evolution.track",
                                "expected a sequence of at least one strategy, got %s",
                                v->kind == DLM_NODE_SEQUENCE ? "an empty one"
                                                             : dlm_cfg_got(v, what, sizeof what));
        ev->track = calloc(v->n, sizeof *ev->track);
        if (!ev->track)
            return dlm_error_set(r->err, DLM_ERR_RUNTIME, "out of memory reading evolution.track");
        ev->n_track = v->n;
        for (i = 0; i < v->n; ++i) {
            snprintf(full, sizeof full, "evolution.track[%lu]", (unsigned long)i);
            if ((st = get_named_strategy(r, v->items[i], full, ev->track[i].strategy)))
                return st;
        }
    }
    return DLM_OK;
}

/* exact: (which exact payoff) and cost: (a strategy -> its cost per round). */
static dlm_status read_payoff_options(reader *r, const dlm_node *map)
{
    static const char path[] = "evolution.cost";
    dlm_evolution_spec *ev = r->ev;
    const dlm_node *key, *v;
    char full[200], what[128];
    dlm_status st;
    size_t i, j;
    int index;
    if ((v = dlm_node_lookup(map, "exact", NULL))) {
        if ((st = dlm_cfg_get_choice(r->err, v, "evolution.exact", exact_kinds,
                                     N_OF(exact_kinds), &index)))
            return st;
        ev->exact_long_run = index;
        r->exact = v;
    }
    if ((v = dlm_node_lookup(map, "estimate_matches", NULL))) {
        uint64_t m;
        if ((st = dlm_cfg_get_uint(r->err, v, "evolution.estimate_matches", 2, ESTIMATE_MAX, &m)))
            return st;
        ev->estimate_matches = (uint32_t)m;
        r->estimate = v;
    }
    if (!(v = dlm_node_lookup(map, "cost", &key)) || dlm_node_is_null(v))
        return DLM_OK;
    if (v->kind != DLM_NODE_MAPPING || v->n == 0)
        return dlm_cfg_fail(r->err, key, path,
                            "expected strategies with their cost per round, as a mapping "
                            "(e.g. {tft: 0.1}), got %s",
                            v->kind == DLM_NODE_MAPPING ? "an empty one"
                                                        : dlm_cfg_got(v, what, sizeof what));
    if (v->n > DLM_CENSUS_MAX_NAMED)
        return dlm_cfg_fail(r->err, key, path, "at most %u strategies have a cost, got %lu",
                            DLM_CENSUS_MAX_NAMED, (unsigned long)v->n);
    ev->costs = calloc(v->n, sizeof *ev->costs);
    if (!ev->costs)
        return dlm_error_set(r->err, DLM_ERR_RUNTIME, "out of memory reading %s", path);
    ev->n_costs = v->n;
    for (i = 0; i < v->n; ++i) {
        dlm_strategy_def def, other;
        dlm_share *c = &ev->costs[i];
        char text[DLM_STRATEGY_TEXT_MAX];
        dlm_cfg_join(full, sizeof full, path, v->keys[i]->text);
        if ((st = dlm_cfg_get_strategy(r->err, v->keys[i], full, &r->sc->game, c->strategy,
                                       &def)) ||
            (st = dlm_cfg_get_number(r->err, v->items[i], full, "a cost per round",
                                     &c->share)))
            return st;
        c->share += 0.0; /* -0 is 0 */
        for (j = 0; j < i; ++j) { /* two texts of one strategy would give it two costs */
            if (dlm_cfg_get_strategy(r->err, v->keys[j], full, &r->sc->game, text, &other) ==
                    DLM_OK &&
                dlm_strategy_equal(&def.model, &other.model))
                return dlm_cfg_fail(r->err, v->keys[i], full,
                                    "the same strategy as %s, which already has a cost",
                                    v->keys[j]->text);
        }
    }
    return DLM_OK;
}

/* stop: and snapshot:. */
static dlm_status read_stop_and_snapshot(reader *r, const dlm_node *map)
{
    dlm_evolution_spec *ev = r->ev;
    const dlm_node *key, *value = dlm_node_lookup(map, "stop", &key), *sub, *v;
    char what[128];
    dlm_status st;
    if ((st = get_mapping(r, key, value, "evolution.stop", stop_keys, N_OF(stop_keys), &sub)))
        return st;
    if (sub && (v = dlm_node_lookup(sub, "fixation", NULL)) &&
        (st = dlm_cfg_get_bool(r->err, v, "evolution.stop.fixation", &ev->stop_at_fixation)))
        return st;
    if (sub && (v = dlm_node_lookup(sub, "wall_clock", NULL))) {
        if ((st = dlm_cfg_get_number(r->err, v, "evolution.stop.wall_clock",
                                     "a number of seconds >= 0", &ev->wall_clock)))
            return st;
        if (ev->wall_clock < 0.0)
            return dlm_cfg_fail(r->err, v, "evolution.stop.wall_clock",
                                "expected a number of seconds >= 0, got %s",
                                dlm_cfg_got(v, what, sizeof what));
        ev->wall_clock += 0.0;
    }
    value = dlm_node_lookup(map, "snapshot", &key);
    if ((st = get_mapping(r, key, value, "evolution.snapshot", snapshot_keys, N_OF(snapshot_keys),
                          &sub)))
        return st;
    if (sub && (v = dlm_node_lookup(sub, "every", NULL)) &&
        (st = dlm_cfg_get_uint(r->err, v, "evolution.snapshot.every", 0, GENERATIONS_MAX,
                               &ev->snapshot_every)))
        return st;
    if (sub && (v = dlm_node_lookup(sub, "file", NULL)) &&
        (st = dlm_cfg_get_string(r->err, v, "evolution.snapshot.file", ev->snapshot_file,
                                 sizeof ev->snapshot_file)))
        return st;
    return DLM_OK;
}

/* payoff: exact needs memory-one agents (as far as the config shows) on one timescale. */
static dlm_status check_exact(reader *r)
{
    const dlm_evolution_spec *ev = r->ev;
    const dlm_player_spec *m = &r->sc->match_defaults;
    char where[1100];
    size_t i;
    if (!ev->n_classes && (m->reaction_period != 1 || m->observation_delay != 0))
        return dlm_cfg_fail(r->err, r->payoff, "evolution.payoff",
                            "exact payoffs need reaction period 1 and observation delay 0 (match "
                            "gives %u and %u)",
                            m->reaction_period, m->observation_delay);
    for (i = 0; i < ev->n_classes; ++i) {
        const dlm_player_spec *p = &ev->classes[i].player;
        if (p->reaction_period != 1 || p->observation_delay != 0)
            return dlm_cfg_fail(r->err, r->payoff, "evolution.payoff",
                                "exact payoffs need reaction period 1 and observation delay 0 "
                                "(class %s has %u and %u)",
                                ev->classes[i].name, p->reaction_period, p->observation_delay);
    }
    if (r->not_m1_path[0])
        return dlm_cfg_fail(r->err, r->payoff, "evolution.payoff",
                            "exact payoffs need memory-one strategies, and %s%s%s%s is none",
                            r->not_m1_path, r->not_m1 ? " (" : "",
                            r->not_m1 ? dlm_node_where(r->not_m1, where, sizeof where) : "",
                            r->not_m1 ? ")" : "");
    if (strcmp(ev->mutation_kind, "lookup-flip") == 0 || strcmp(ev->mutation_kind, "fsm-edit") == 0)
        return dlm_cfg_fail(r->err, r->payoff, "evolution.payoff",
                            "exact payoffs need memory-one strategies, and mutation kind %s "
                            "changes lookup tables or state machines",
                            ev->mutation_kind);
    return DLM_OK;
}

/* The rules between keys, once every key is read. */
static dlm_status cross_checks(reader *r)
{
    dlm_evolution_spec *ev = r->ev;
    const structure_at *ats[2];
    const dlm_structure_spec *specs[2];
    const char *paths[2] = {"evolution.structure", "evolution.replacement"};
    const char *from = NULL; /* where the population came from, when not given */
    char where[1100];
    size_t i;
    dlm_status st;
    ats[0] = &r->structure;
    ats[1] = &r->replacement;
    specs[0] = &ev->structure;
    specs[1] = &ev->replacement;
    /* A lattice fixes the population: take it when none is given, else they must agree. */
    for (i = 0; i < 2; ++i) {
        uint64_t sites = (uint64_t)specs[i]->width * specs[i]->height;
        if (!ats[i]->at || ats[i]->type != LATTICE)
            continue;
        if (!r->population && !from) {
            ev->population = (uint32_t)sites;
            from = paths[i];
        } else if (sites != ev->population) {
            if (r->population)
                dlm_node_where(r->population, where, sizeof where);
            return dlm_cfg_fail(r->err, ats[i]->width, paths[i],
                                "a %ux%u lattice has %llu sites but the population is %u (%s%s): "
                                "a lattice holds one agent per site",
                                specs[i]->width, specs[i]->height, (unsigned long long)sites,
                                ev->population,
                                r->population ? "evolution.population, " : "taken from ",
                                r->population ? where : from);
        }
    }
    if ((uint64_t)ev->population * ev->populations > UINT32_MAX)
        return dlm_cfg_fail(r->err,
                            r->populations  ? r->populations
                            : r->population ? r->population
                                            : r->section,
                            r->populations ? "evolution.populations" : "evolution.population",
                            "%u populations of %u agents are %llu agents; at most %lu in all",
                            ev->populations, ev->population,
                            (unsigned long long)ev->population * ev->populations,
                            (unsigned long)UINT32_MAX);
    for (i = 0; i < 2; ++i)
        if ((st = dlm_cfg_evo_check_structure(r, specs[i], ats[i], paths[i], ev->population)))
            return st;
    if (r->replacement.at && (strcmp(ev->structure.type, "well-mixed") == 0) !=
                                 (strcmp(ev->replacement.type, "well-mixed") == 0))
        return dlm_cfg_fail(r->err, r->replacement.at, "evolution.replacement",
                            "the structure is %s and the replacement %s: a well-mixed population "
                            "plays and replaces among everyone, a structured one along graphs, "
                            "so give both well-mixed or both graphs",
                            ev->structure.type, ev->replacement.type);
    if (strcmp(ev->rule, "imitate-best") == 0 && strcmp(ev->structure.type, "well-mixed") == 0)
        return dlm_cfg_fail(r->err, r->rule, "evolution.rule",
                            "imitate-best compares neighbours: it needs a structure (lattice, "
                            "ring, a graph), not well-mixed");
    if (strcmp(ev->initial, "random") == 0 && ev->mutation_rate > 0.0 &&
        (strcmp(ev->mutation_kind, "lookup-flip") == 0 ||
         strcmp(ev->mutation_kind, "fsm-edit") == 0))
        return dlm_cfg_fail(r->err, r->kind, "evolution.mutation.kind",
                            "initial random agents are memory-one vectors, which %s never "
                            "changes: use random-memory-one or gaussian, or a mutation set",
                            ev->mutation_kind);
    if (ev->payoff_exact && (st = check_exact(r)))
        return st;
    if (r->exact && !ev->payoff_exact)
        return dlm_cfg_fail(r->err, r->exact, "evolution.exact",
                            "chooses which exact payoff, so it needs evolution.payoff: exact "
                            "(the payoff here is played)");
    if (r->estimate && !ev->payoff_estimated)
        return dlm_cfg_fail(r->err, r->estimate, "evolution.estimate_matches",
                            "sets how many matches estimate each type pair's payoff, so it "
                            "needs evolution.payoff: estimated");
    if (ev->payoff_estimated && ev->mutation_rate > 0.0 && strcmp(ev->mutation_kind, "none") != 0 &&
        strcmp(ev->mutation_kind, "set") != 0)
        return dlm_cfg_fail(r->err, r->payoff, "evolution.payoff",
                            "estimated payoffs are estimated once per pair of a finite set of "
                            "types: mutation kind %s makes new strategies without end (use none "
                            "or set)", ev->mutation_kind);
    if ((st = check_moran_death(r)))
        return st;
    if (strcmp(ev->initial, "mutant") == 0 && ev->mutants >= ev->population)
        return dlm_cfg_fail(r->err, r->mutant_count, "evolution.initial.mutant.count",
                            "%u mutants in a population of %u: at most population - 1", ev->mutants,
                            ev->population);
    return DLM_OK;
}

dlm_status dlm_cfg_read_evolution(dlm_error *err, const dlm_config *cfg, const dlm_node *key,
                                  const dlm_node *value, dlm_scenario *sc)
{
    reader r;
    const dlm_node *map, *k, *v;
    dlm_status st;
    int is_group = 0;
    memset(&r, 0, sizeof r);
    r.err = err;
    r.cfg = cfg;
    r.sc = sc;
    r.ev = &sc->evolution;
    evolution_defaults(r.ev);
    if ((st = get_mapping(&r, key, value, "evolution", evolution_keys, N_OF(evolution_keys), &map)))
        return st;
    r.section = key;
    if (map && (st = read_scalars(&r, map)))
        return st;
    if (map && (st = dlm_cfg_evo_read_demes(&r, map)))
        return st;
    if (map && (v = dlm_node_lookup(map, "structure", &k)) &&
        (st = dlm_cfg_evo_read_structure(&r, k, v, "evolution.structure", 0, &r.ev->structure,
                                         &r.structure)))
        return st;
    r.ev->replacement = r.ev->structure; /* unless given */
    if (map && (v = dlm_node_lookup(map, "replacement", &k)) &&
        (st = dlm_cfg_evo_read_structure(&r, k, v, "evolution.replacement", 1, &r.ev->replacement,
                                         &r.replacement)))
        return st;
    if (map && (st = dlm_cfg_evo_read_group(&r, map, &is_group)))
        return st;
    if (map && !is_group && (st = dlm_cfg_evo_read_interaction(&r, map)))
        return st;
    if (map && (v = dlm_node_lookup(map, "mutation", &k)) && (st = read_mutation(&r, k, v)))
        return st;
    v = map ? dlm_node_lookup(map, "initial", &k) : NULL;
    if ((st = read_initial(&r, v ? k : NULL, v)))
        return st;
    if (map && (v = dlm_node_lookup(map, "classes", &k)) && (st = read_classes(&r, k, v)))
        return st;
    if (map && ((st = read_stop_and_snapshot(&r, map)) || (st = read_payoff_options(&r, map))))
        return st;
    return cross_checks(&r);
}

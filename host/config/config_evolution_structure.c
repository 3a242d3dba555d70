/* config_evolution_structure.c — the structure: and replacement: keys of the evolution:
 * section (mode evolve): the structure types and the keys each takes, read into
 * dlm_structure_spec (scenario.h), and the checks of a structure's parameters against
 * the population. config_evolution.c reads the rest of the section and calls these
 * (config_evolution_internal.h); messages have the form
 * "file:line: evolution.structure.key: what was found, what is allowed".
 */
#include <stdio.h>
#include <string.h>

#include "config/config_evolution_internal.h"
#include "model/graph.h"

#define SIDE_MAX (1ull << 31) /* lattice width and height */

static const char *const structure_types[] = {"well-mixed",     "lattice",     "ring",
                                              "random-regular", "erdos-renyi", "barabasi-albert",
                                              "watts-strogatz", "file"};
static const char *const structure_keys[] = {
    "type", "partners", "width", "height", "neighbourhood", "neighborhood", "self",
    "k",    "degree",   "p",     "m",      "beta",          "file"};
/* The types that take each key of structure_keys but "type" (a bit per type). */
static const struct {
    const char *key;
    unsigned types;
} structure_owners[] = {
    {"partners", 1u << WELL_MIXED},
    {"width", 1u << LATTICE},
    {"height", 1u << LATTICE},
    {"neighbourhood", 1u << LATTICE},
    {"neighborhood", 1u << LATTICE},
    {"self", 1u << LATTICE},
    {"k", (1u << RING) | (1u << WATTS_STROGATZ)},
    {"degree", 1u << RANDOM_REGULAR},
    {"p", 1u << ERDOS_RENYI},
    {"m", 1u << BARABASI_ALBERT},
    {"beta", 1u << WATTS_STROGATZ},
    {"file", 1u << FILE_GRAPH},
};
static const char *const neighbourhoods[] = {"von-neumann", "moore"};

/* ---- structure ------------------------------------------------------------------------ */

void dlm_cfg_evo_structure_defaults(dlm_structure_spec *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->type, sizeof s->type, "%s", structure_types[WELL_MIXED]);
    snprintf(s->neighbourhood, sizeof s->neighbourhood, "moore");
    s->k = 2;
    s->m = 2;
    s->beta = 0.1;
}

/* "lattice" or "ring and watts-strogatz": the types in mask, into buf; *plural when two. */
static const char *owner_names(unsigned mask, char *buf, size_t len, int *plural)
{
    size_t i, used = 0, n = 0;
    buf[0] = '\0';
    for (i = 0; i < N_OF(structure_types); ++i)
        if (mask & (1u << i)) {
            int w = snprintf(buf + used, len - used, "%s%s", n ? " and " : "", structure_types[i]);
            used += w > 0 && (size_t)w < len - used ? (size_t)w : 0;
            ++n;
        }
    *plural = n > 1;
    return buf;
}

/* Reads structure: or replacement: (value under key node key, at path) into *s. */
/* The keys of structure mapping `map` of type `type`: each must belong to the type, and
 * a replacement structure takes no partners or self. */
static dlm_status structure_keys_of_type(reader *r, const dlm_node *map, const char *path,
                                         int replacement, int type, const dlm_node *type_node)
{
    char full[160], list[300];
    size_t i;
    for (i = 0; i < map->n; ++i) {
        const dlm_node *k = map->keys[i];
        size_t j;
        int plural;
        for (j = 0; j < N_OF(structure_owners); ++j)
            if (strcmp(k->text, structure_owners[j].key) == 0)
                break;
        if (j == N_OF(structure_owners) || (structure_owners[j].types & (1u << type)))
            continue; /* "type", or a key of this type */
        owner_names(structure_owners[j].types, list, sizeof list, &plural);
        return dlm_cfg_fail(r->err, k, dlm_cfg_join(full, sizeof full, path, k->text),
                            "only %s take%s %s (the type here is %s%s)", list, plural ? "" : "s",
                            k->text, structure_types[type],
                            type_node ? "" : ", the default: give type");
    }
    if (replacement) { /* whom an agent plays is the interaction structure's business */
        static const char *const not_here[] = {"partners", "self"};
        for (i = 0; i < N_OF(not_here); ++i) {
            const dlm_node *k;
            if (dlm_node_lookup(map, not_here[i], &k))
                return dlm_cfg_fail(r->err, k, dlm_cfg_join(full, sizeof full, path, not_here[i]),
                                    "%s is about who plays whom: set it in evolution.structure "
                                    "(the replacement graph never has self-loops)",
                                    not_here[i]);
        }
    }
    return DLM_OK;
}

/* Reads the size and parameter keys of structure mapping `map` into s. */
static dlm_status structure_params(reader *r, const dlm_node *map, const char *path,
                                   dlm_structure_spec *s, structure_at *at)
{
    const dlm_node *v;
    char full[160];
    uint64_t u;
    int flag;
    dlm_status st;
    if ((v = dlm_node_lookup(map, "partners", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, dlm_cfg_join(full, sizeof full, path, "partners"), 0,
                                   UINT32_MAX, &u)))
            return st;
        s->partners = (uint32_t)u;
    }
    if ((v = dlm_node_lookup(map, "width", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, dlm_cfg_join(full, sizeof full, path, "width"), 3,
                                   SIDE_MAX, &u)))
            return st;
        s->width = (uint32_t)u;
        at->width = v;
    }
    if ((v = dlm_node_lookup(map, "height", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, dlm_cfg_join(full, sizeof full, path, "height"), 3,
                                   SIDE_MAX, &u)))
            return st;
        s->height = (uint32_t)u;
        if (!at->width)
            at->width = v;
    }
    {
        const dlm_node *k1, *k2, *n1 = dlm_node_lookup(map, "neighbourhood", &k1);
        const dlm_node *n2 = dlm_node_lookup(map, "neighborhood", &k2);
        char where[1100];
        int index;
        if (n1 && n2)
            return dlm_cfg_fail(r->err, k2, dlm_cfg_join(full, sizeof full, path, "neighborhood"),
                                "neighbourhood is given already (%s): give one spelling",
                                dlm_node_where(k1, where, sizeof where));
        if (n1 || n2) {
            if ((st = dlm_cfg_get_choice(
                     r->err, n1 ? n1 : n2,
                     dlm_cfg_join(full, sizeof full, path, n1 ? "neighbourhood" : "neighborhood"),
                     neighbourhoods, N_OF(neighbourhoods), &index)))
                return st;
            snprintf(s->neighbourhood, sizeof s->neighbourhood, "%s", neighbourhoods[index]);
        }
    }
    if ((v = dlm_node_lookup(map, "self", NULL))) {
        if ((st =
                 dlm_cfg_get_bool(r->err, v, dlm_cfg_join(full, sizeof full, path, "self"), &flag)))
            return st;
        s->self_loops = flag;
    }
    if ((v = dlm_node_lookup(map, "k", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, dlm_cfg_join(full, sizeof full, path, "k"), 1,
                                   INT32_MAX, &u)))
            return st;
        s->k = (uint32_t)u;
        at->param = v;
    }
    if ((v = dlm_node_lookup(map, "degree", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, dlm_cfg_join(full, sizeof full, path, "degree"), 1,
                                   UINT32_MAX - 1u, &u)))
            return st;
        s->degree = (uint32_t)u;
        at->param = v;
    }
    if ((v = dlm_node_lookup(map, "m", NULL))) {
        if ((st = dlm_cfg_get_uint(r->err, v, dlm_cfg_join(full, sizeof full, path, "m"), 1,
                                   UINT32_MAX - 1u, &u)))
            return st;
        s->m = (uint32_t)u;
        at->param = v;
    }
    if ((v = dlm_node_lookup(map, "p", NULL)) &&
        (st = dlm_cfg_get_probability(r->err, v, dlm_cfg_join(full, sizeof full, path, "p"), 0,
                                      &s->p)))
        return st;
    if ((v = dlm_node_lookup(map, "beta", NULL)) &&
        (st = dlm_cfg_get_probability(r->err, v, dlm_cfg_join(full, sizeof full, path, "beta"), 0,
                                      &s->beta)))
        return st;
    if ((v = dlm_node_lookup(map, "file", NULL)) &&
        (st = dlm_cfg_evo_input_path(r, v, dlm_cfg_join(full, sizeof full, path, "file"), s->file,
                                     sizeof s->file)))
        return st;
    return DLM_OK;
}

/* What a structure of type `type` must have been given. */
static dlm_status structure_required(reader *r, const dlm_node *map, const char *path, int type,
                                     const dlm_structure_spec *s, const structure_at *at)
{
    if (type == LATTICE && (!s->width || !s->height))
        return dlm_cfg_fail(r->err, at->at, path,
                            "a lattice needs width and height (integers >= 3), e.g. {type: "
                            "lattice, width: 64, height: 64}");
    if (type == LATTICE && (uint64_t)s->width * s->height > UINT32_MAX)
        return dlm_cfg_fail(r->err, at->width, path, "a %ux%u lattice has %llu sites; at most %lu",
                            s->width, s->height, (unsigned long long)s->width * s->height,
                            (unsigned long)UINT32_MAX);
    if (type == RANDOM_REGULAR && !s->degree)
        return dlm_cfg_fail(r->err, at->at, path,
                            "random-regular needs degree (an integer >= 1), e.g. {type: "
                            "random-regular, degree: 4}");
    if (type == ERDOS_RENYI && !(map && dlm_node_lookup(map, "p", NULL)))
        return dlm_cfg_fail(r->err, at->at, path,
                            "erdos-renyi needs p (the edge probability), e.g. {type: "
                            "erdos-renyi, p: 0.01}");
    if (type == FILE_GRAPH && !s->file[0])
        return dlm_cfg_fail(r->err, at->at, path,
                            "file needs file (an edge list: one 'u v' per line), e.g. {type: "
                            "file, file: graph.txt}");
    return DLM_OK;}

dlm_status dlm_cfg_evo_read_structure(reader *r, const dlm_node *key, const dlm_node *value,
                                      const char *path, int replacement, dlm_structure_spec *s,
                                      structure_at *at)
{
    const dlm_node *map = NULL, *type_node = NULL;
    char full[160], what[128], list[300];
    int type = WELL_MIXED;
    dlm_status st;
    if (dlm_node_is_null(value))
        return DLM_OK; /* a null section is an absent one */
    dlm_cfg_evo_structure_defaults(s);
    at->at = key ? key : value;
    if (value->kind == DLM_NODE_SCALAR) { /* structure: lattice means {type: lattice} */
        type_node = value;
        if ((st = dlm_cfg_get_choice(r->err, value, path, structure_types, N_OF(structure_types),
                                     &type)))
            return st;
    } else if (value->kind == DLM_NODE_MAPPING) {
        map = value;
        if ((st = dlm_cfg_check_keys(r->err, map, path, structure_keys, N_OF(structure_keys))))
            return st;
        if ((type_node = dlm_node_lookup(map, "type", NULL)) &&
            (st = dlm_cfg_get_choice(r->err, type_node,
                                     dlm_cfg_join(full, sizeof full, path, "type"), structure_types,
                                     N_OF(structure_types), &type)))
            return st;
    } else {
        return dlm_cfg_fail(
            r->err, at->at, path,
            "expected a structure type (%s) or a mapping with key type, got %s",
            dlm_cfg_evo_name_list(structure_types, N_OF(structure_types), list, sizeof list),
            dlm_cfg_got(value, what, sizeof what));
    }
    at->type = type;
    snprintf(s->type, sizeof s->type, "%s", structure_types[type]);
    if (map && ((st = structure_keys_of_type(r, map, path, replacement, type, type_node)) ||
                (st = structure_params(r, map, path, s, at))))
        return st;
    return structure_required(r, map, path, type, s, at);
}

/* Checks a given structure's parameters against the population n. */
dlm_status dlm_cfg_evo_check_structure(reader *r, const dlm_structure_spec *s,
                                       const structure_at *at, const char *path, uint32_t n)
{
    const dlm_node *param = at->param ? at->param : at->at;
    char full[160];
    if (!at->at)
        return DLM_OK;
    if ((at->type == RING || at->type == WATTS_STROGATZ) && 2ull * s->k >= n)
        return dlm_cfg_fail(r->err, param, dlm_cfg_join(full, sizeof full, path, "k"),
                            "%s of %u agents takes k < %u (k neighbours on each side: 2k < "
                            "population; k is %u)",
                            at->type == RING ? "a ring" : "a small world", n, (n + 1u) / 2u, s->k);
    if (at->type == RANDOM_REGULAR && s->degree >= n)
        return dlm_cfg_fail(r->err, param, dlm_cfg_join(full, sizeof full, path, "degree"),
                            "degree %u: a random-regular graph of %u agents takes degree < %u",
                            s->degree, n, n);
    if (at->type == RANDOM_REGULAR && ((uint64_t)s->degree * n) % 2u)
        return dlm_cfg_fail(r->err, param, dlm_cfg_join(full, sizeof full, path, "degree"),
                            "degree %u x population %u is odd: a regular graph needs an even "
                            "product",
                            s->degree, n);
    if (at->type == BARABASI_ALBERT && s->m >= n)
        return dlm_cfg_fail(r->err, param, dlm_cfg_join(full, sizeof full, path, "m"),
                            "m %u: barabasi-albert on %u agents takes m < %u", s->m, n, n);
    if (at->type == ERDOS_RENYI && n > DLM_GRAPH_ER_MAX_N)
        return dlm_cfg_fail(r->err, at->at, path,
                            "erdos-renyi draws once per pair: at most %u agents, the population "
                            "is %u",
                            DLM_GRAPH_ER_MAX_N, n);
    return DLM_OK;
}

/* config_evolution_internal.h — internal to the evolution: section reader: what
 * config_evolution.c (the section, mutation, initial population, classes, cross-checks)
 * and config_evolution_structure.c (structure: and replacement:) share. Included by
 * those two files only.
 */
#ifndef DLM_CONFIG_EVOLUTION_INTERNAL_H
#define DLM_CONFIG_EVOLUTION_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "config/config_tree.h"
#include "dlm_census.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The structure types, indices into structure_types (config_evolution_structure.c). */
enum {
    WELL_MIXED,
    LATTICE,
    RING,
    RANDOM_REGULAR,
    ERDOS_RENYI,
    BARABASI_ALBERT,
    WATTS_STROGATZ,
    FILE_GRAPH
};

/* Where a structure was given, for messages about it after it is read. */
typedef struct structure_at {
    const dlm_node *at;    /* its key node (or value); NULL when not given */
    const dlm_node *width; /* lattice: the width value */
    const dlm_node *param; /* ring, watts-strogatz: k; random-regular: degree; b-a: m */
    int type;              /* index into structure_types */
} structure_at;

/* The state of reading one evolution: section. */
typedef struct reader {
    dlm_error *err;
    const dlm_config *cfg;
    dlm_scenario *sc;
    dlm_evolution_spec *ev;
    const dlm_node *section;    /* the evolution key node, or NULL when absent */
    const dlm_node *population; /* the value nodes of keys checked against others */
    const dlm_node *populations;
    const dlm_node *rule;
    const dlm_node *mutant_count; /* initial.mutant.count (or the mutant mapping) */
    const dlm_node *kind;         /* mutation.kind, when given */
    const dlm_node *payoff;       /* payoff, when given */
    const dlm_node *exact;        /* exact, when given */
    const dlm_node *estimate;     /* estimate_matches, when given */
    const dlm_node *moran_death;  /* moran_death, when given */
    const dlm_node *representation; /* representation, when given */
    const dlm_node *not_m1;       /* the first strategy that is no memory-one strategy */
    char not_m1_path[128];        /* its key */
    structure_at structure, replacement;
    dlm_strategy named[DLM_CENSUS_MAX_NAMED]; /* distinct strategies the census counts */
    size_t n_named;
} reader;

/* "a, b, c" of names into buf; returns buf. */
const char *dlm_cfg_evo_name_list(const char *const *names, size_t n, char *buf, size_t len);

/* An input file name at node (path names it) into buf (size bytes): non-empty; when the
 * config came from a file and the value from that file (not --set), a relative name is
 * taken relative to the file's folder. */
dlm_status dlm_cfg_evo_input_path(reader *r, const dlm_node *node, const char *path, char *buf,
                                  size_t size);

/* Fills *s with the defaults of a structure (well-mixed). */
void dlm_cfg_evo_structure_defaults(dlm_structure_spec *s);

/* Reads structure: or replacement: (replacement = 1; value under key node key, at path)
 * into *s, and where it was given into *at. */
dlm_status dlm_cfg_evo_read_structure(reader *r, const dlm_node *key, const dlm_node *value,
                                      const char *path, int replacement, dlm_structure_spec *s,
                                      structure_at *at);

/* Checks a given structure's parameters against the population n. */
dlm_status dlm_cfg_evo_check_structure(reader *r, const dlm_structure_spec *s,
                                       const structure_at *at, const char *path, uint32_t n);

/* Reads evolution.interaction and evolution.reputation (config_reputation.c). */
dlm_status dlm_cfg_evo_read_interaction(reader *r, const dlm_node *map);

/* Reads evolution.interaction: group and evolution.group (config_group.c); *is_group = 1
 * when the interaction is group (then evolution.reputation is refused and the caller
 * skips dlm_cfg_evo_read_interaction). Checks the interaction's name for every kind. */
dlm_status dlm_cfg_evo_read_group(reader *r, const dlm_node *map, int *is_group);

/* Reads evolution.group_selection (config_demes.c): sets ev->demes and its m, n, q, and
 * the population m x n (a given evolution.population must be that). */
dlm_status dlm_cfg_evo_read_demes(reader *r, const dlm_node *map);
/* Reads evolution.group.punishment (config_punish.c), at value node v under key node key,
 * after the other keys of evolution.group: the public goods game only. */
dlm_status dlm_cfg_evo_read_punishment(reader *r, const dlm_node *key, const dlm_node *v);

#endif /* DLM_CONFIG_EVOLUTION_INTERNAL_H */

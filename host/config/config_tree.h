/* config_tree.h — internal to the config loader: the tree a YAML config is parsed into.
 *
 * config.c builds it (YAML events from libyaml, --set overrides); config_schema.c
 * validates it against the schema and fills a dlm_scenario. Every node remembers where
 * it came from: the file (or origin) name and the 1-based line and column of its start,
 * or line 0 for a node given by "--set key=value" (its origin is that text).
 */
#ifndef DLM_CONFIG_TREE_H
#define DLM_CONFIG_TREE_H

#include <stddef.h>

#include "config/config.h"
#include "model/strategies.h"

/* Limits that keep a hostile or broken file from exhausting the stack or memory. */
#define DLM_CONFIG_MAX_BYTES (16u << 20) /* a config file or string: 16 MiB */
#define DLM_CONFIG_MAX_DEPTH 64u         /* nesting of sequences and mappings */
#define DLM_CONFIG_MAX_NODES (1u << 20)  /* nodes in one config, --set values included */

typedef enum dlm_node_kind {
    DLM_NODE_SCALAR = 0,
    DLM_NODE_SEQUENCE = 1,
    DLM_NODE_MAPPING = 2
} dlm_node_kind;

typedef struct dlm_node dlm_node;
struct dlm_node {
    dlm_node_kind kind;
    const char *origin; /* file name, origin name or "--set key=value"; owned by the config */
    unsigned line;      /* 1-based; 0 for nodes made by --set */
    unsigned column;    /* 1-based; 0 for nodes made by --set */
    char *text;         /* scalar: NUL-terminated value (never contains a NUL) */
    size_t len;         /* scalar: strlen(text) */
    int plain;          /* scalar: 1 when written unquoted (only plain scalars can be null) */
    dlm_node **keys;    /* mapping: n key scalars */
    dlm_node **items;   /* sequence: n items; mapping: n values (items[i] belongs to keys[i]) */
    size_t n, cap;
};

struct dlm_config {
    dlm_node *root;  /* always a mapping */
    char **origins;  /* every origin string nodes point to */
    size_t n_origins;
    size_t n_nodes;  /* nodes created so far (bounded by DLM_CONFIG_MAX_NODES) */
    int from_file;   /* 1 when read by dlm_config_load_file: the root's nodes then have the
                        file's path as their origin, and relative input paths in the file
                        are relative to its folder */
};

/* 1 when node is a plain scalar spelling YAML's null: empty, ~, null, Null, NULL. */
int dlm_node_is_null(const dlm_node *node);

/* The value under key in mapping map (NULL when absent); *key_node gets the key's node. */
const dlm_node *dlm_node_lookup(const dlm_node *map, const char *key, const dlm_node **key_node);

/* Copies at most max bytes of text into buf (size len) for a message: control
 * characters become '?', a cut never splits a UTF-8 character, "..." marks a cut. */
const char *dlm_printable(const char *text, size_t max, char *buf, size_t len);

/* Writes "origin:line" (or "origin" for --set nodes) into buf; returns buf. */
const char *dlm_node_where(const dlm_node *node, char *buf, size_t len);

/* ---- schema helpers shared by config_schema.c and config_evolution.c ----------------
 * Each reads one node, fails with DLM_ERR_USAGE and "where: path: message" (see
 * config_schema.c) when it does not hold what is asked, and writes nothing on failure. */

/* Sets a usage error "where: path: message" located at node `at`; returns DLM_ERR_USAGE. */
dlm_status dlm_cfg_fail(dlm_error *err, const dlm_node *at, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Describes what node holds, for "got ..." in messages; returns buf. */
const char *dlm_cfg_got(const dlm_node *node, char *buf, size_t len);

/* Joins path and key into buf as "path.key" (or "key" at the top level); returns buf. */
const char *dlm_cfg_join(char *buf, size_t len, const char *path, const char *key);

/* Fails on the first key of map that is not in allowed (path names map, "" = top level). */
dlm_status dlm_cfg_check_keys(dlm_error *err, const dlm_node *map, const char *path,
                              const char *const *allowed, size_t n);

/* An integer in [lo, hi] (decimal without leading zeros, or 0x hexadecimal). */
dlm_status dlm_cfg_get_uint(dlm_error *err, const dlm_node *node, const char *path, uint64_t lo,
                            uint64_t hi, uint64_t *out);

/* A finite decimal number; `expect` says what is allowed, for the message. */
dlm_status dlm_cfg_get_number(dlm_error *err, const dlm_node *node, const char *path,
                              const char *expect, double *out);

/* A probability in [0, 1], or in [0, 1) when below_one. */
dlm_status dlm_cfg_get_probability(dlm_error *err, const dlm_node *node, const char *path,
                                   int below_one, double *out);

/* true or false. */
dlm_status dlm_cfg_get_bool(dlm_error *err, const dlm_node *node, const char *path, int *out);

/* A non-null scalar of at most size-1 bytes, copied into buf. */
dlm_status dlm_cfg_get_string(dlm_error *err, const dlm_node *node, const char *path, char *buf,
                              size_t size);

/* One of names; *index gets its position. */
dlm_status dlm_cfg_get_choice(dlm_error *err, const dlm_node *node, const char *path,
                              const char *const *names, size_t n, int *index);

/* Strategy text (at most DLM_STRATEGY_TEXT_MAX - 1 bytes) accepted by the strategy parser
 * for game, copied into text; *def (when not NULL) gets the compiled strategy. */
dlm_status dlm_cfg_get_strategy(dlm_error *err, const dlm_node *node, const char *path,
                                const dlm_game *game, char *text, dlm_strategy_def *def);

/* The per-player settings present in map (execution_error, perception_error,
 * reaction_period, observation_delay) into *spec; path names map. */
dlm_status dlm_cfg_read_player_settings(dlm_error *err, const dlm_node *map, const char *path,
                                        dlm_player_spec *spec);

/* Validates evolution: (value under the top-level key node key; both NULL when absent)
 * into sc->evolution, which it fills whole, defaults included; needs sc->game and
 * sc->match_defaults. Allocations it makes are freed by dlm_scenario_free, also on failure. */
dlm_status dlm_cfg_read_evolution(dlm_error *err, const dlm_config *cfg, const dlm_node *key,
                                  const dlm_node *value, dlm_scenario *sc);

/* Validates analyze: (config_analyze.c) into sc->population_analysis, defaults included;
 * needs sc->game. */
dlm_status dlm_cfg_read_analyze(dlm_error *err, const dlm_node *root, dlm_scenario *sc);

/* Validates institution: (config_institution.c) into sc->institution; needs sc->mode. */
dlm_status dlm_cfg_read_institution(dlm_error *err, const dlm_node *root, dlm_scenario *sc);

#endif /* DLM_CONFIG_TREE_H */

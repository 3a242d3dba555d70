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

#include "config.h"

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

#endif /* DLM_CONFIG_TREE_H */

/* config_hash.c — the hash of the config a run's results depend on (config.h,
 * dlm_config_hash): FNV-1a 64 over a canonical walk of the tree. */
#include <stdlib.h>
#include <string.h>

#include "config/config_tree.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t i;
    for (i = 0; i < n; ++i) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

/* Keys that do not change the bytes of the results, by their dotted path. */
static int left_out(const char *path)
{
    static const char *const keys[] = {"backend", "threads", "output.file", "output.checkpoint",
                                       "output.checkpoint_every"};
    size_t i;
    for (i = 0; i < sizeof keys / sizeof keys[0]; ++i)
        if (strcmp(path, keys[i]) == 0)
            return 1;
    return 0;
}

static uint64_t hash_node(uint64_t h, const dlm_node *n, const char *path, size_t depth);

/* 1 when the entry key: value under path counts: not left out, and not a mapping that is
 * empty once its own left-out keys are gone (`output: {file: x}` is no output section). */
static int counts(const dlm_node *key, const dlm_node *value, const char *path, char *buf,
                  size_t len)
{
    size_t i;
    dlm_cfg_join(buf, len, path, key->text);
    if (left_out(buf))
        return 0;
    if (value->kind != DLM_NODE_MAPPING)
        return 1;
    for (i = 0; i < value->n; ++i) {
        char inner[512];
        if (counts(value->keys[i], value->items[i], buf, inner, sizeof inner))
            return 1;
    }
    return value->n == 0; /* an explicitly empty mapping stays as it is */
}

static _Thread_local const dlm_node
    *sort_map; /* the mapping whose keys qsort is ordering (only then) */

static int by_key(const void *a, const void *b)
{
    const dlm_node *x = sort_map->keys[*(const size_t *)a], *y = sort_map->keys[*(const size_t *)b];
    return strcmp(x->text, y->text);
}

static uint64_t hash_mapping(uint64_t h, const dlm_node *n, const char *path, size_t depth)
{
    size_t *order = malloc((n->n ? n->n : 1) * sizeof *order), i;
    h = fnv(h, "{", 1);
    if (!order) /* out of memory: a hash that matches no other */
        return fnv(h, &n, sizeof n);
    for (i = 0; i < n->n; ++i)
        order[i] = i;
    sort_map = n;
    qsort(order, n->n, sizeof *order, by_key);
    for (i = 0; i < n->n; ++i) {
        const dlm_node *k = n->keys[order[i]], *v = n->items[order[i]];
        char sub[512];
        if (!counts(k, v, path, sub, sizeof sub))
            continue;
        h = fnv(h, k->text, k->len + 1);
        h = hash_node(h, v, sub, depth + 1);
    }
    free(order);
    return fnv(h, "}", 1);
}

static uint64_t hash_node(uint64_t h, const dlm_node *n, const char *path, size_t depth)
{
    size_t i;
    if (depth > DLM_CONFIG_MAX_DEPTH + 1)
        return h;
    if (n->kind == DLM_NODE_SCALAR) {
        if (dlm_node_is_null(n))
            return fnv(h, "~", 1);
        h = fnv(h, "=", 1);
        return fnv(h, n->text, n->len + 1);
    }
    if (n->kind == DLM_NODE_SEQUENCE) {
        h = fnv(h, "[", 1);
        for (i = 0; i < n->n; ++i)
            h = hash_node(h, n->items[i], path, depth + 1);
        return fnv(h, "]", 1);
    }
    return hash_mapping(h, n, path, depth);
}

uint64_t dlm_config_hash(const dlm_config *cfg)
{
    uint64_t h = fnv(FNV_OFFSET, "dilemma-config-1", 16);
    if (!cfg || !cfg->root)
        return h;
    return hash_node(h, cfg->root, "", 0);
}

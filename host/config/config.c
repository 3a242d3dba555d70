/* config.c — reading YAML configs into a tree of nodes that remember their origin,
 * and applying --set overrides to it. Validation against the schema is in
 * config_schema.c; the tree itself is described in config_tree.h.
 *
 * libyaml's event parser is used rather than its document loader so that anchors and
 * aliases are refused on sight (no alias expansion, no "billion laughs"), and the tree
 * is built without recursion, with limits on depth, node count and input size.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "config/config_tree.h"

/* ---- nodes ---------------------------------------------------------------------- */

/* Frees node and everything below it (depth is bounded by the loader and --set). */
static void node_free(dlm_node *node)
{
    size_t i;
    if (!node)
        return;
    for (i = 0; i < node->n; ++i) {
        if (node->keys)
            node_free(node->keys[i]);
        node_free(node->items[i]);
    }
    free(node->keys);
    free(node->items);
    free(node->text);
    free(node);
}

/* A new empty node of `kind` counted against cfg's node limit; NULL on failure (err set). */
static dlm_node *node_new(dlm_config *cfg, dlm_node_kind kind, const char *origin, unsigned line,
                          unsigned column, dlm_error *err)
{
    dlm_node *node;
    if (cfg->n_nodes >= DLM_CONFIG_MAX_NODES) {
        dlm_error_set(err, DLM_ERR_USAGE, "%s:%u: too many YAML nodes (a config holds at most %u)",
                      origin, line, DLM_CONFIG_MAX_NODES);
        return NULL;
    }
    node = calloc(1, sizeof *node);
    if (!node) {
        dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading %s", origin);
        return NULL;
    }
    cfg->n_nodes++;
    node->kind = kind;
    node->origin = origin;
    node->line = line;
    node->column = column;
    return node;
}

/* A new scalar holding a copy of text[0..len) (which holds no NUL); NULL on failure. */
static dlm_node *scalar_new(dlm_config *cfg, const char *text, size_t len, int plain,
                            const char *origin, unsigned line, unsigned column, dlm_error *err)
{
    dlm_node *node = node_new(cfg, DLM_NODE_SCALAR, origin, line, column, err);
    if (!node)
        return NULL;
    node->text = malloc(len + 1);
    if (!node->text) {
        free(node);
        dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading %s", origin);
        return NULL;
    }
    if (len)
        memcpy(node->text, text, len);
    node->text[len] = '\0';
    node->len = len;
    node->plain = plain;
    return node;
}

/* Appends item (and key, for mappings) to container; 0 on success, -1 out of memory. */
static int node_append(dlm_node *container, dlm_node *key, dlm_node *item)
{
    if (container->n == container->cap) {
        size_t cap = container->cap ? 2 * container->cap : 4;
        dlm_node **items = realloc(container->items, cap * sizeof *items);
        if (!items)
            return -1;
        container->items = items;
        if (container->kind == DLM_NODE_MAPPING) {
            dlm_node **keys = realloc(container->keys, cap * sizeof *keys);
            if (!keys)
                return -1;
            container->keys = keys;
        }
        container->cap = cap;
    }
    if (container->kind == DLM_NODE_MAPPING)
        container->keys[container->n] = key;
    container->items[container->n++] = item;
    return 0;
}

int dlm_node_is_null(const dlm_node *node)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    size_t i;
    if (!node || node->kind != DLM_NODE_SCALAR || !node->plain)
        return 0;
    for (i = 0; i < sizeof nulls / sizeof nulls[0]; ++i)
        if (strcmp(node->text, nulls[i]) == 0)
            return 1;
    return 0;
}

const dlm_node *dlm_node_lookup(const dlm_node *map, const char *key, const dlm_node **key_node)
{
    size_t i;
    if (key_node)
        *key_node = NULL;
    if (!map || map->kind != DLM_NODE_MAPPING)
        return NULL;
    for (i = 0; i < map->n; ++i)
        if (strcmp(map->keys[i]->text, key) == 0) {
            if (key_node)
                *key_node = map->keys[i];
            return map->items[i];
        }
    return NULL;
}

const char *dlm_printable(const char *text, size_t max, char *buf, size_t len)
{
    size_t n = strlen(text), i;
    int cut = 0;
    if (len < 4) {
        if (len)
            buf[0] = '\0';
        return buf;
    }
    if (max > len - 4)
        max = len - 4;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)text[n] & 0xC0u) == 0x80u)
            --n; /* do not split a UTF-8 sequence */
        cut = 1;
    }
    for (i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)text[i];
        buf[i] = c < 0x20u || c == 0x7fu ? '?' : (char)c;
    }
    if (cut)
        memcpy(buf + n, "...", 3), n += 3;
    buf[n] = '\0';
    return buf;
}

const char *dlm_node_where(const dlm_node *node, char *buf, size_t len)
{
    if (node->line)
        snprintf(buf, len, "%s:%u", node->origin, node->line);
    else
        snprintf(buf, len, "%s", node->origin);
    return buf;
}

/* Keeps a copy of origin in cfg (nodes point to it); NULL when out of memory. */
static const char *origin_add(dlm_config *cfg, const char *prefix, const char *origin)
{
    size_t len = strlen(prefix) + strlen(origin) + 1;
    char **list = realloc(cfg->origins, (cfg->n_origins + 1) * sizeof *list);
    char *copy;
    if (!list)
        return NULL;
    cfg->origins = list;
    copy = malloc(len);
    if (!copy)
        return NULL;
    snprintf(copy, len, "%s%s", prefix, origin);
    cfg->origins[cfg->n_origins++] = copy;
    return copy;
}

/* ---- YAML events to a tree --------------------------------------------------------- */

typedef struct frame {
    dlm_node *node;  /* an open sequence or mapping */
    int want_value;  /* mapping: its last key still waits for a value */
} frame;

typedef struct builder {
    dlm_config *cfg;
    const char *origin;
    const char *text; /* the input, for reporting reader errors by line */
    size_t len;
    int set_mode;     /* 1: a --set value: positions are columns within the value */
    dlm_node *root;
    frame stack[DLM_CONFIG_MAX_DEPTH];
    size_t depth;
    unsigned documents;
} builder;

/* Writes the dotted key path being read when the parser stands at the end of the open
 * containers (e.g. "match.rounds", "players[1]"), then ".extra" if extra is given. */
static void builder_path(const builder *b, const char *extra, char *buf, size_t len)
{
    size_t i, used = 0;
    buf[0] = '\0';
    for (i = 0; i < b->depth && used < len; ++i) {
        const frame *f = &b->stack[i];
        const dlm_node *c = f->node;
        int w = 0, top = i + 1 == b->depth;
        char key[104];
        if (c->kind == DLM_NODE_MAPPING && c->n && (!top || f->want_value))
            w = snprintf(buf + used, len - used, "%s%s", used ? "." : "",
                         dlm_printable(c->keys[c->n - 1]->text, 96, key, sizeof key));
        else if (c->kind == DLM_NODE_SEQUENCE && (c->n || top))
            w = snprintf(buf + used, len - used, "[%lu]", (unsigned long)(top ? c->n : c->n - 1));
        used += w > 0 ? (size_t)w : 0;
    }
    if (extra && used < len) {
        char key[104];
        snprintf(buf + used, len - used, "%s%s", used ? "." : "",
                 dlm_printable(extra, 96, key, sizeof key));
    }
}

/* Writes "origin:line:column: key.path" for a libyaml mark (the path part only when a
 * key is being read; extra is appended to it), or "origin: column N" for --set values. */
static const char *mark_where(const builder *b, yaml_mark_t mark, const char *extra, char *buf,
                              size_t len)
{
    char path[400];
    if (b->set_mode) {
        snprintf(buf, len, "%s: column %lu", b->origin, (unsigned long)mark.column + 1);
        return buf;
    }
    builder_path(b, extra, path, sizeof path);
    snprintf(buf, len, "%s:%lu:%lu%s%s", b->origin, (unsigned long)mark.line + 1,
             (unsigned long)mark.column + 1, path[0] ? ": " : "", path);
    return buf;
}

/* Attaches a just-made node to the open container (or as the root); pushes containers.
 * Takes ownership of node in every case. */
static dlm_status builder_attach(builder *b, dlm_node *node, yaml_mark_t mark, dlm_error *err)
{
    char where[1200];
    if (b->depth == 0) {
        b->root = node;
    } else {
        frame *top = &b->stack[b->depth - 1];
        dlm_node *c = top->node;
        if (c->kind == DLM_NODE_MAPPING && !top->want_value) {
            size_t i;
            if (node->kind != DLM_NODE_SCALAR) {
                const char *what = node->kind == DLM_NODE_MAPPING ? "mapping" : "sequence";
                node_free(node);
                return dlm_error_set(err, DLM_ERR_USAGE,
                                     "%s: a mapping key must be a plain name, not a %s",
                                     mark_where(b, mark, NULL, where, sizeof where), what);
            }
            for (i = 0; i < c->n; ++i)
                if (strcmp(c->keys[i]->text, node->text) == 0) {
                    dlm_status st = dlm_error_set(
                        err, DLM_ERR_USAGE, "%s: duplicate key (first given at line %u)",
                        mark_where(b, mark, node->text, where, sizeof where), c->keys[i]->line);
                    node_free(node);
                    return st;
                }
            if (node_append(c, node, NULL) != 0) {
                node_free(node);
                return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading %s", b->origin);
            }
            top->want_value = 1;
            return DLM_OK;
        }
        if (c->kind == DLM_NODE_MAPPING) {
            c->items[c->n - 1] = node;
            top->want_value = 0;
        } else if (node_append(c, NULL, node) != 0) {
            node_free(node);
            return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading %s", b->origin);
        }
    }
    if (node->kind != DLM_NODE_SCALAR) {
        if (b->depth == DLM_CONFIG_MAX_DEPTH)
            return dlm_error_set(err, DLM_ERR_USAGE, "%s: nesting deeper than %u levels",
                                 mark_where(b, mark, NULL, where, sizeof where), DLM_CONFIG_MAX_DEPTH);
        b->stack[b->depth].node = node;
        b->stack[b->depth].want_value = 0;
        b->depth++;
    }
    return DLM_OK;
}

/* Refuses the YAML features the config format does not use (anchors, tags). */
static dlm_status check_plain_node(const builder *b, const yaml_char_t *anchor, const yaml_char_t *tag,
                                   yaml_mark_t mark, dlm_error *err)
{
    char where[1200];
    if (anchor)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "%s: anchors (&%.100s) and aliases are not supported in configs: "
                             "write the value out", mark_where(b, mark, NULL, where, sizeof where),
                             (const char *)anchor);
    if (tag)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "%s: YAML tags (%.100s) are not supported in configs: quote a "
                             "value to make it a string", mark_where(b, mark, NULL, where, sizeof where),
                             (const char *)tag);
    return DLM_OK;
}

/* Handles one parser event; sets *done at the end of the stream. */
static dlm_status builder_event(builder *b, const yaml_event_t *ev, int *done, dlm_error *err)
{
    char where[1200];
    yaml_mark_t mark = ev->start_mark;
    unsigned line = b->set_mode ? 0u : (unsigned)mark.line + 1u;
    unsigned column = b->set_mode ? 0u : (unsigned)mark.column + 1u;
    dlm_node *node;
    dlm_status st;
    switch (ev->type) {
    case YAML_STREAM_END_EVENT:
        *done = 1;
        return DLM_OK;
    case YAML_DOCUMENT_START_EVENT:
        if (b->documents++ > 0)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "%s: a second YAML document starts here: a config holds "
                                 "exactly one", mark_where(b, mark, NULL, where, sizeof where));
        return DLM_OK;
    case YAML_ALIAS_EVENT:
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "%s: aliases (*%.100s) and anchors are not supported in configs: "
                             "write the value out", mark_where(b, mark, NULL, where, sizeof where),
                             (const char *)ev->data.alias.anchor);
    case YAML_SCALAR_EVENT: {
        const char *value = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        st = check_plain_node(b, ev->data.scalar.anchor, ev->data.scalar.tag, mark, err);
        if (st != DLM_OK)
            return st;
        if (memchr(value, '\0', len))
            return dlm_error_set(err, DLM_ERR_USAGE, "%s: a value contains a NUL character",
                                 mark_where(b, mark, NULL, where, sizeof where));
        node = scalar_new(b->cfg, value, len, ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE,
                          b->origin, line, column, err);
        if (!node)
            return err ? err->status : DLM_ERR_RUNTIME;
        return builder_attach(b, node, mark, err);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (ev->type == YAML_SEQUENCE_START_EVENT)
            st = check_plain_node(b, ev->data.sequence_start.anchor, ev->data.sequence_start.tag,
                                  mark, err);
        else
            st = check_plain_node(b, ev->data.mapping_start.anchor, ev->data.mapping_start.tag,
                                  mark, err);
        if (st != DLM_OK)
            return st;
        node = node_new(b->cfg, ev->type == YAML_SEQUENCE_START_EVENT ? DLM_NODE_SEQUENCE
                                                                       : DLM_NODE_MAPPING,
                        b->origin, line, column, err);
        if (!node)
            return err ? err->status : DLM_ERR_RUNTIME;
        return builder_attach(b, node, mark, err);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (b->depth > 0)
            b->depth--;
        return DLM_OK;
    default: /* stream start, document end, no event */
        return DLM_OK;
    }
}

/* Reports a libyaml parser failure with the origin, line and libyaml's problem text. */
static dlm_status parser_failure(const builder *b, const yaml_parser_t *p, dlm_error *err)
{
    char where[1200];
    const char *problem = p->problem ? p->problem : "unknown problem";
    if (p->error == YAML_MEMORY_ERROR)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading %s", b->origin);
    if (p->error == YAML_READER_ERROR) {
        size_t i, n = p->problem_offset < b->len ? p->problem_offset : b->len;
        unsigned line = 1;
        for (i = 0; i < n; ++i)
            line += b->text[i] == '\n';
        if (b->set_mode)
            snprintf(where, sizeof where, "%s: byte %lu", b->origin, (unsigned long)n + 1);
        else
            snprintf(where, sizeof where, "%s:%u", b->origin, line);
        if (p->problem_value >= 0)
            return dlm_error_set(err, DLM_ERR_USAGE, "%s: not UTF-8 text: %s (#%X)", where,
                                 problem, (unsigned)p->problem_value);
        return dlm_error_set(err, DLM_ERR_USAGE, "%s: not UTF-8 text: %s", where, problem);
    }
    {
        /* A tab in the indentation of the failing line is the usual cause: say so. */
        const char *hint = "";
        size_t i = 0, line = 0;
        while (i < b->len && line < p->problem_mark.line)
            line += b->text[i++] == '\n';
        while (i < b->len && (b->text[i] == ' ' || b->text[i] == '\t')) {
            if (b->text[i++] == '\t')
                hint = " (a tab indents this line: YAML indents with spaces only)";
        }
        mark_where(b, p->problem_mark, NULL, where, sizeof where);
        if (p->context && b->set_mode)
            return dlm_error_set(err, DLM_ERR_USAGE, "%s: YAML syntax error: %s (%s at column %lu)",
                                 where, problem, p->context,
                                 (unsigned long)p->context_mark.column + 1);
        if (p->context)
            return dlm_error_set(err, DLM_ERR_USAGE, "%s: YAML syntax error: %s (%s at line %lu)%s",
                                 where, problem, p->context,
                                 (unsigned long)p->context_mark.line + 1, hint);
        return dlm_error_set(err, DLM_ERR_USAGE, "%s: YAML syntax error: %s%s", where, problem, hint);
    }
}

/* Parses text into a tree of nodes owned by cfg; *root gets it (NULL for an empty stream). */
static dlm_status parse_tree(dlm_config *cfg, const char *text, size_t len, const char *origin,
                             int set_mode, dlm_node **root, dlm_error *err)
{
    builder b;
    yaml_parser_t parser;
    dlm_status st = DLM_OK;
    int done = 0;
    *root = NULL;
    if (len > DLM_CONFIG_MAX_BYTES)
        return dlm_error_set(err, DLM_ERR_USAGE, "%s: %lu bytes is too long for a config (at most %u)",
                             origin, (unsigned long)len, DLM_CONFIG_MAX_BYTES);
    memset(&b, 0, sizeof b);
    b.cfg = cfg;
    b.origin = origin;
    b.text = text;
    b.len = len;
    b.set_mode = set_mode;
    if (!yaml_parser_initialize(&parser))
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading %s", origin);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
    while (!done && st == DLM_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            st = parser_failure(&b, &parser, err);
            break;
        }
        st = builder_event(&b, &ev, &done, err);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    if (st != DLM_OK) {
        node_free(b.root);
        return st;
    }
    *root = b.root;
    return DLM_OK;
}

/* ---- the public API ---------------------------------------------------------------- */

dlm_status dlm_config_new(dlm_config **out, dlm_error *err)
{
    dlm_config *cfg;
    const char *origin;
    *out = NULL;
    cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory creating a config");
    origin = origin_add(cfg, "", "<defaults>");
    if (!origin || !(cfg->root = node_new(cfg, DLM_NODE_MAPPING, origin, 0, 0, err))) {
        dlm_config_free(cfg);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory creating a config");
    }
    *out = cfg;
    return DLM_OK;
}

dlm_status dlm_config_load_string(const char *text, size_t len, const char *origin,
                                  dlm_config **out, dlm_error *err)
{
    dlm_config *cfg;
    dlm_node *root = NULL;
    dlm_status st;
    *out = NULL;
    if (!origin)
        origin = "<string>";
    cfg = calloc(1, sizeof *cfg);
    if (!cfg || !(origin = origin_add(cfg, "", origin))) {
        dlm_config_free(cfg);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading a config");
    }
    st = parse_tree(cfg, text ? text : "", text ? len : 0, origin, 0, &root, err);
    if (st == DLM_OK && root && root->kind != DLM_NODE_MAPPING && !dlm_node_is_null(root)) {
        st = dlm_error_set(err, DLM_ERR_USAGE,
                           "%s:%u: the top level of a config must be a mapping of keys "
                           "(name:, mode:, match:, ...), not a %s", origin, root->line,
                           root->kind == DLM_NODE_SEQUENCE ? "sequence" : "single value");
    }
    if (st == DLM_OK && root && root->kind == DLM_NODE_MAPPING) {
        cfg->root = root; /* an empty file, or one holding only null, is the defaults */
        root = NULL;
    } else if (st == DLM_OK && !(cfg->root = node_new(cfg, DLM_NODE_MAPPING, origin, 1, 1, err))) {
        st = err ? err->status : DLM_ERR_RUNTIME;
    }
    node_free(root);
    if (st != DLM_OK) {
        dlm_config_free(cfg);
        return st;
    }
    *out = cfg;
    return DLM_OK;
}

dlm_status dlm_config_load_file(const char *path, dlm_config **out, dlm_error *err)
{
    FILE *f;
    char *text = NULL;
    size_t len = 0, cap = 0;
    dlm_status st;
    *out = NULL;
    f = fopen(path, "rb");
    if (!f) /* a config file the user named and that cannot be opened is a usage error */
        return dlm_error_set(err, DLM_ERR_USAGE, "cannot open config file '%s': %s", path,
                             strerror(errno));
    for (;;) {
        size_t got;
        if (len == cap) {
            char *grown;
            if (cap > DLM_CONFIG_MAX_BYTES) {
                fclose(f);
                free(text);
                return dlm_error_set(err, DLM_ERR_USAGE,
                                     "config file '%s' is longer than %u bytes", path,
                                     DLM_CONFIG_MAX_BYTES);
            }
            cap = cap ? 2 * cap : 4096;
            grown = realloc(text, cap + 1);
            if (!grown) {
                fclose(f);
                free(text);
                return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading '%s'", path);
            }
            text = grown;
        }
        got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        int e = errno;
        fclose(f);
        free(text);
        return dlm_error_set(err, e == EISDIR ? DLM_ERR_USAGE : DLM_ERR_RUNTIME,
                             "cannot read config file '%s': %s", path, strerror(e));
    }
    fclose(f);
    text[len] = '\0';
    st = dlm_config_load_string(text, len, path, out, err);
    free(text);
    if (st == DLM_OK)
        (*out)->from_file = 1;
    return st;
}

/* Finds (creating when absent and allowed) the slot for segment seg under container c:
 * a mapping key, or a decimal index into a sequence. *slot gets the child pointer's
 * address; NULL with an error when the path cannot go on. */
static dlm_status set_slot(dlm_config *cfg, dlm_node *c, const char *seg, const char *origin,
                           const char *sofar, dlm_node ***slot, dlm_error *err)
{
    char where[1200];
    size_t i;
    *slot = NULL;
    if (c->kind == DLM_NODE_MAPPING) {
        dlm_node *key;
        for (i = 0; i < c->n; ++i)
            if (strcmp(c->keys[i]->text, seg) == 0) {
                *slot = &c->items[i];
                return DLM_OK;
            }
        key = scalar_new(cfg, seg, strlen(seg), 1, origin, 0, 0, err);
        if (!key)
            return err ? err->status : DLM_ERR_RUNTIME;
        if (node_append(c, key, NULL) != 0) {
            node_free(key);
            return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory applying %s", origin);
        }
        *slot = &c->items[c->n - 1];
        return DLM_OK;
    }
    if (c->kind == DLM_NODE_SEQUENCE) {
        char *end;
        unsigned long idx;
        errno = 0;
        idx = strtoul(seg, &end, 10);
        if (seg[0] >= '0' && seg[0] <= '9' && !*end && errno == 0 && idx < c->n) {
            *slot = &c->items[idx];
            return DLM_OK;
        }
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "%s: %s is a sequence of %lu entries (%s): '%.100s' is no index "
                             "in [0, %lu)", origin, sofar, (unsigned long)c->n,
                             dlm_node_where(c, where, sizeof where), seg, (unsigned long)c->n);
    }
    return dlm_error_set(err, DLM_ERR_USAGE, "%s: %s is a single value (%s), not a mapping",
                         origin, sofar, dlm_node_where(c, where, sizeof where));
}

dlm_status dlm_config_set(dlm_config *cfg, const char *assignment, dlm_error *err)
{
    char *key, *seg, *dot, sofar[512];
    const char *eq, *origin;
    size_t klen, nseg = 1, i;
    int empty_seg = 0;
    dlm_node *value = NULL, *cur;
    dlm_status st;
    if (!cfg || !assignment)
        return dlm_error_set(err, DLM_ERR_USAGE, "--set needs key=value");
    eq = strchr(assignment, '=');
    if (!eq)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "--set '%.200s': expected key=value with a dotted key, e.g. "
                             "match.rounds=500", assignment);
    while (*assignment == ' ')
        ++assignment;
    klen = (size_t)(eq - assignment);
    while (klen && assignment[klen - 1] == ' ')
        --klen;
    for (i = 0; i < klen; ++i) {
        nseg += assignment[i] == '.';
        empty_seg |= assignment[i] == '.' && (i == 0 || i + 1 == klen || assignment[i + 1] == '.');
    }
    if (klen == 0 || empty_seg)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "--set '%.200s': %s: keys are dotted paths of names such as "
                             "match.rounds or tournament.self_play", assignment,
                             klen ? "empty key segment" : "empty key");
    if (nseg > DLM_CONFIG_MAX_DEPTH)
        return dlm_error_set(err, DLM_ERR_USAGE, "--set '%.200s': key deeper than %u levels",
                             assignment, DLM_CONFIG_MAX_DEPTH);
    origin = origin_add(cfg, "--set ", assignment);
    key = origin ? malloc(klen + 1) : NULL;
    if (!key)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory applying --set");
    memcpy(key, assignment, klen);
    key[klen] = '\0';
    st = parse_tree(cfg, eq + 1, strlen(eq + 1), origin, 1, &value, err);
    if (st == DLM_OK && !value)
        value = scalar_new(cfg, "", 0, 1, origin, 0, 0, err); /* "key=" is YAML null */
    if (st == DLM_OK && !value)
        st = err ? err->status : DLM_ERR_RUNTIME;
    cur = cfg->root;
    sofar[0] = '\0';
    for (seg = key; st == DLM_OK; seg = dot + 1) {
        dlm_node **slot;
        dot = strchr(seg, '.');
        if (dot)
            *dot = '\0';
        st = set_slot(cfg, cur, seg, origin, sofar[0] ? sofar : "the top level", &slot, err);
        if (st != DLM_OK)
            break;
        if (!dot) { /* the last segment: replace whatever was there */
            node_free(*slot);
            *slot = value;
            value = NULL;
            break;
        }
        if (!*slot || dlm_node_is_null(*slot)) {
            dlm_node *map = node_new(cfg, DLM_NODE_MAPPING, origin, 0, 0, err);
            if (!map) {
                st = err ? err->status : DLM_ERR_RUNTIME;
                if (!*slot) { /* never leave a key without a value: drop the new key */
                    cur->n--;
                    node_free(cur->keys[cur->n]);
                }
                break;
            }
            node_free(*slot);
            *slot = map;
        }
        cur = *slot;
        snprintf(sofar + strlen(sofar), sizeof sofar - strlen(sofar), "%s%s",
                 sofar[0] ? "." : "", seg);
    }
    node_free(value);
    free(key);
    return st;
}

void dlm_config_free(dlm_config *cfg)
{
    size_t i;
    if (!cfg)
        return;
    node_free(cfg->root);
    for (i = 0; i < cfg->n_origins; ++i)
        free(cfg->origins[i]);
    free(cfg->origins);
    free(cfg);
}

/* sweep.c — a config's sweep section (sweep.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_tree.h"
#include "config/sweep.h"
#include "core/text.h"

static const char *const sweep_keys[] = {"axes", "zip", "replicates"};
static const char *const axis_keys[] = {"key", "values", "from", "to", "steps", "log"};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Reads one axis: {key, values: [...]} or {key, from, to, steps[, log]}. */
static dlm_status read_axis(dlm_error *err, const dlm_node *node, const char *path,
                            dlm_sweep_axis *ax)
{
    const dlm_node *key, *values, *from, *to, *steps, *log_node;
    char full[160];
    double a, b;
    uint64_t n, i;
    int logscale = 0;
    dlm_status st;
    if (node->kind != DLM_NODE_MAPPING)
        return dlm_cfg_fail(err, node, path, "expected an axis {key: K, values: [...]} or "
                            "{key: K, from: A, to: B, steps: N}");
    if ((st = dlm_cfg_check_keys(err, node, path, axis_keys, N_OF(axis_keys))))
        return st;
    key = dlm_node_lookup(node, "key", NULL);
    values = dlm_node_lookup(node, "values", NULL);
    from = dlm_node_lookup(node, "from", NULL);
    to = dlm_node_lookup(node, "to", NULL);
    steps = dlm_node_lookup(node, "steps", NULL);
    log_node = dlm_node_lookup(node, "log", NULL);
    if (!key)
        return dlm_cfg_fail(err, node, path, "an axis needs key: the config key it sweeps, "
                            "e.g. match.execution_error");
    if ((st = dlm_cfg_get_string(err, key, dlm_cfg_join(full, sizeof full, path, "key"), ax->key,
                                 sizeof ax->key)))
        return st;
    if (!ax->key[0] || strchr(ax->key, '=') || strcmp(ax->key, "sweep") == 0 ||
        strncmp(ax->key, "sweep.", 6) == 0 || strcmp(ax->key, "seed") == 0)
        return dlm_cfg_fail(err, key, full, "'%s' is not a key a sweep can vary (any config key "
                            "but sweep and seed; replicates vary the seed)", ax->key);
    if (values && (from || to || steps || log_node))
        return dlm_cfg_fail(err, node, path, "give values, or from, to and steps: not both");
    if (values) {
        if (values->kind != DLM_NODE_SEQUENCE || values->n == 0)
            return dlm_cfg_fail(err, values, dlm_cfg_join(full, sizeof full, path, "values"),
                                "expected a non-empty list of values, e.g. [0, 0.01, 0.05]");
        if (values->n > DLM_SWEEP_MAX_VALUES)
            return dlm_cfg_fail(err, values, full, "%lu values: at most %d",
                                (unsigned long)values->n, DLM_SWEEP_MAX_VALUES);
        ax->values = calloc(values->n, sizeof *ax->values);
        if (!ax->values)
            return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading %s", path);
        for (i = 0; i < values->n; ++i) {
            const dlm_node *v = values->items[i];
            if (v->kind != DLM_NODE_SCALAR || v->len >= DLM_SWEEP_VALUE_TEXT)
                return dlm_cfg_fail(err, v, full, "each value is a scalar of at most %d "
                                    "characters (a number, a word, a strategy)",
                                    DLM_SWEEP_VALUE_TEXT - 1);
            if (strpbrk(v->text, ",:{}[]#&*!|>'\"%@`") || !v->plain)
                snprintf(ax->values[i], DLM_SWEEP_VALUE_TEXT, "\"%s\"", v->text);
            else
                snprintf(ax->values[i], DLM_SWEEP_VALUE_TEXT, "%s", v->text);
        }
        ax->n = values->n;
        return DLM_OK;
    }
    if (!from || !to || !steps)
        return dlm_cfg_fail(err, node, path, "a range needs from, to and steps (or give values)");
    if ((st = dlm_cfg_get_number(err, from, dlm_cfg_join(full, sizeof full, path, "from"),
                                 "a number", &a)) ||
        (st = dlm_cfg_get_number(err, to, dlm_cfg_join(full, sizeof full, path, "to"), "a number",
                                 &b)) ||
        (st = dlm_cfg_get_uint(err, steps, dlm_cfg_join(full, sizeof full, path, "steps"), 1,
                               DLM_SWEEP_MAX_VALUES, &n)))
        return st;
    if (log_node && (st = dlm_cfg_get_bool(err, log_node, dlm_cfg_join(full, sizeof full, path,
                                                                        "log"), &logscale)))
        return st;
    if (n == 1 && a != b)
        return dlm_cfg_fail(err, steps, dlm_cfg_join(full, sizeof full, path, "steps"),
                            "one step cannot go from %g to %g: give steps >= 2", a, b);
    if (logscale && !(a > 0 && b > 0))
        return dlm_cfg_fail(err, node, path, "a log range needs from and to above 0 (got %g and "
                            "%g)", a, b);
    ax->values = calloc(n, sizeof *ax->values);
    if (!ax->values)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading %s", path);
    for (i = 0; i < n; ++i) {
        double f = n == 1 ? 0.0 : (double)i / (double)(n - 1), x;
        x = logscale ? a * pow(b / a, f) : a + f * (b - a);
        if (i == 0)
            x = a; /* the ends as given, not as rounded */
        if (i == n - 1)
            x = b;
        dlm_format_double(ax->values[i], x);
    }
    ax->n = n;
    return DLM_OK;
}

dlm_status dlm_sweep_read(const dlm_config *cfg, dlm_sweep *sw, int *present, dlm_error *err)
{
    const dlm_node *node, *key, *axes, *v;
    char path[64];
    uint64_t u;
    double runs = 1.0;
    size_t i;
    dlm_status st = DLM_OK;
    memset(sw, 0, sizeof *sw);
    sw->replicates = 1;
    *present = 0;
    node = dlm_node_lookup(cfg->root, "sweep", &key);
    if (!node || dlm_node_is_null(node))
        return DLM_OK;
    *present = 1;
    if (node->kind != DLM_NODE_MAPPING)
        return dlm_cfg_fail(err, node, "sweep", "expected a mapping with keys axes, zip, "
                            "replicates");
    if ((st = dlm_cfg_check_keys(err, node, "sweep", sweep_keys, N_OF(sweep_keys))))
        return st;
    if ((v = dlm_node_lookup(node, "zip", NULL)) &&
        (st = dlm_cfg_get_bool(err, v, "sweep.zip", &sw->zip)))
        return st;
    if ((v = dlm_node_lookup(node, "replicates", NULL))) {
        if ((st = dlm_cfg_get_uint(err, v, "sweep.replicates", 1, 1000000, &u)))
            return st;
        sw->replicates = (uint32_t)u;
    }
    axes = dlm_node_lookup(node, "axes", NULL);
    if (!axes || axes->kind != DLM_NODE_SEQUENCE || axes->n == 0 ||
        axes->n > DLM_SWEEP_MAX_AXES)
        return dlm_cfg_fail(err, axes ? axes : node, "sweep.axes",
                            "expected a list of 1 to %d axes, e.g. [{key: match.execution_error, "
                            "values: [0, 0.01]}]", DLM_SWEEP_MAX_AXES);
    for (i = 0; i < axes->n && st == DLM_OK; ++i) {
        snprintf(path, sizeof path, "sweep.axes[%zu]", i);
        st = read_axis(err, axes->items[i], path, &sw->axes[i]);
        sw->n_axes = i + 1;
        if (st == DLM_OK && sw->zip && sw->axes[i].n != sw->axes[0].n)
            st = dlm_cfg_fail(err, axes->items[i], path, "zip pairs the axes: %s has %lu values, "
                              "sweep.axes[0] %lu", path, (unsigned long)sw->axes[i].n,
                              (unsigned long)sw->axes[0].n);
        runs *= sw->zip && i ? 1.0 : (double)sw->axes[i].n;
    }
    if (st != DLM_OK) {
        dlm_sweep_free(sw);
        return st;
    }
    sw->points = (uint64_t)runs;
    if (runs * sw->replicates > DLM_SWEEP_MAX_RUNS) {
        st = dlm_cfg_fail(err, axes, "sweep.axes", "%.0f points x %u replicates is more than "
                          "%d runs", runs, sw->replicates, DLM_SWEEP_MAX_RUNS);
        dlm_sweep_free(sw);
    }
    return st;
}

void dlm_sweep_free(dlm_sweep *sw)
{
    size_t i;
    for (i = 0; i < DLM_SWEEP_MAX_AXES; ++i) {
        free(sw->axes[i].values);
        sw->axes[i].values = NULL;
    }
}

const char *dlm_sweep_value(const dlm_sweep *sw, uint64_t p, size_t a)
{
    size_t i;
    if (sw->zip)
        return sw->axes[a].values[p];
    for (i = sw->n_axes; i-- > a + 1;) /* the last axis varies fastest */
        p /= sw->axes[i].n;
    return sw->axes[a].values[p % sw->axes[a].n];
}

void dlm_sweep_value_json(char *buf, size_t len, const char *text)
{
    char *end = NULL, plain[DLM_SWEEP_VALUE_TEXT];
    size_t n = strlen(text);
    if (n >= 2 && text[0] == '"' && text[n - 1] == '"')
        snprintf(plain, sizeof plain, "%.*s", (int)(n - 2), text + 1);
    else
        snprintf(plain, sizeof plain, "%s", text);
    strtod(plain, &end);
    if (plain[0] && end && !*end && strcmp(plain, "nan") != 0 && strcmp(plain, "inf") != 0)
        snprintf(buf, len, "%s", plain);
    else
        snprintf(buf, len, "\"%s\"", plain);
}

void dlm_sweep_value_csv(char *buf, size_t len, const char *text)
{
    char v[2 * DLM_SWEEP_VALUE_TEXT], unq[2 * DLM_SWEEP_VALUE_TEXT];
    dlm_sweep_value_json(v, sizeof v, text);
    snprintf(unq, sizeof unq, "%s", v[0] == '"' ? v + 1 : v);
    if (v[0] == '"')
        unq[strlen(unq) - 1] = '\0';
    snprintf(buf, len, "%s", strpbrk(unq, ",\"\n") ? v : unq);
}

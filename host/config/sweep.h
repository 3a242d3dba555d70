/* sweep.h — a config's `sweep:` section: axes over any config key (a list of values, a
 * linear or a log range), their cartesian product or, with zip, their pairing, and a
 * number of replicates (configs/README.md). A sweep point is the config with one value
 * of every axis set as an override (`key=value`, as --set does), so the schema checks
 * each point as it checks any config. */
#ifndef DLM_SWEEP_H
#define DLM_SWEEP_H

#include "config/config.h"

#define DLM_SWEEP_MAX_AXES 8
#define DLM_SWEEP_VALUE_TEXT 64
#define DLM_SWEEP_MAX_VALUES 100000
#define DLM_SWEEP_MAX_RUNS 10000000 /* points x replicates */

typedef struct dlm_sweep_axis {
    char key[128];                           /* a dotted config key (sequence entries: .N) */
    char (*values)[DLM_SWEEP_VALUE_TEXT];    /* each value as YAML text */
    size_t n;
} dlm_sweep_axis;

typedef struct dlm_sweep {
    dlm_sweep_axis axes[DLM_SWEEP_MAX_AXES];
    size_t n_axes;
    int zip;             /* 1: the axes are paired (all of one length), not multiplied */
    uint32_t replicates; /* runs per point, replicate r with seed + r */
    uint64_t points;
} dlm_sweep;

/* Reads cfg's sweep section into sw; *present = 0 (and sw empty) when there is none.
 * A bad axis (unknown shape, an empty list, zero steps, a log range through 0, a grid
 * too large) is DLM_ERR_USAGE naming it. */
dlm_status dlm_sweep_read(const dlm_config *cfg, dlm_sweep *sw, int *present, dlm_error *err);
void dlm_sweep_free(dlm_sweep *sw);

/* Point p's value of axis a. */
const char *dlm_sweep_value(const dlm_sweep *sw, uint64_t p, size_t a);
/* A value as JSON: a number as it is, anything else as a string; as a csv field: the
 * same, unquoted unless it holds a comma, quote or newline. */
void dlm_sweep_value_json(char *buf, size_t len, const char *text);
void dlm_sweep_value_csv(char *buf, size_t len, const char *text);

#endif /* DLM_SWEEP_H */

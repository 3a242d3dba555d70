/* strategies_internal.h — internal to the strategy compiler: what strategies.c (the
 * text parser) and strategies_library.c (the named library table) share.
 */
#ifndef DLM_STRATEGIES_INTERNAL_H
#define DLM_STRATEGIES_INTERNAL_H

#include <stddef.h>

#include "model/strategies.h"

/* Computes a memory-one vector p[5] from parameter x for game g, or fails with a message. */
typedef dlm_status (*vector_fn)(const dlm_game *g, double x, double p[5], dlm_error *err);
/* Computes a parameter's default for game g, or fails with a message. */
typedef dlm_status (*default_fn)(const dlm_game *g, double *x, dlm_error *err);

/* A library entry: its documentation, and either a fixed inline definition or a
 * parameter (key, constant or game-dependent default) and the vector it gives. */
typedef struct named_strategy {
    dlm_strategy_info info;
    const char *definition; /* inline text it compiles to; NULL when computed by `vector` */
    const char *key;        /* parameter name, or NULL */
    double fixed_default;   /* the parameter's default when `game_default` is NULL */
    default_fn game_default;
    vector_fn vector;
} named_strategy;

/* Library entry i (0 <= i < dlm_strategy_library_count()), or NULL past the end. */
const named_strategy *dlm_named_strategy(size_t i);

/* Writes x into buf with the fewest digits (up to 17) that read back as exactly x;
 * returns buf. */
const char *dlm_fmt_double(double x, char *buf, size_t size);

#endif /* DLM_STRATEGIES_INTERNAL_H */

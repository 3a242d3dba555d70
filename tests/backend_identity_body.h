/* backend_identity_body.h — what the files of the shared identity body share (shims use
 * tests/backend_identity.h only):
 *   backend_identity.c            the program (dlm_identity_main), matches, tournaments;
 *   backend_identity_known.c      known answers on the device: Philox, the math's bits;
 *   backend_identity_evolution.c  evolution scenarios and the resident interface.
 */
#ifndef DLM_TESTS_BACKEND_IDENTITY_BODY_H
#define DLM_TESTS_BACKEND_IDENTITY_BODY_H

#include <stdio.h>

#include "backend_identity.h"

#define SET(dst, text) snprintf((dst), sizeof(dst), "%s", (text))
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* What the tests compare, set by dlm_identity_main before any test runs. */
typedef struct dlm_identity_run {
    const dlm_identity_shim *shim;
    const dlm_backend_ops *cpu_ops, *dev_ops; /* the reference and the backend under test */
    dlm_backend *cpu_be, *dev_be;
    char scratch[512]; /* records, snapshots, and whatever the shim keeps there */
} dlm_identity_run;
extern dlm_identity_run identity;

/* Each part appends its tests to all[n ..], in the order they run, and returns the new
 * count, or max + 1 where they do not fit in max. */
size_t dlm_identity_known_answer_tests(struct CMUnitTest *all, size_t n, size_t max);
size_t dlm_identity_evolution_tests(struct CMUnitTest *all, size_t n, size_t max);

#endif /* DLM_TESTS_BACKEND_IDENTITY_BODY_H */

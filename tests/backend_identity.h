/* backend_identity.h — the cross-backend identity tests (DESIGN.md §4, §9), written once in
 * tests/backend_identity.c and run against each device backend through a small shim, the
 * way Random123 runs one known-answer body on every backend:
 *
 *   tests/test_cuda.c     the CUDA shim: test_cuda on a GPU, test_cuda_emu on the CUDA
 *                         emulator (tests/cuda_emu/README.md);
 *   tests/test_opencl.c   the OpenCL shim: test_opencl (PoCL on a CPU, or any device).
 *
 * A shim says how to reach its backend (the ops table, the self-test kernels, what the
 * environment must hold first) and adds the tests only its backend has (cuRAND, device
 * selection, error naming, the memory refusal, the kernel cache); its main() is one call
 * of dlm_identity_main. Adding a backend means adding a shim.
 */
#ifndef DLM_TESTS_BACKEND_IDENTITY_H
#define DLM_TESTS_BACKEND_IDENTITY_H

#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backends/backend.h"

typedef struct dlm_identity_shim {
    const dlm_backend_ops *ops; /* the backend under test; ops->name names it in messages */
    /* Optional: called once the scratch folder exists and before the backend is opened,
       to set what the backend reads from the environment (OpenCL: a fresh kernel cache). */
    void (*prepare)(const char *scratch);
    /* Runs the device's self-test kernel `name` over n items: dlmk_check_philox (6 uint32
       in, 4 out per item) and dlmk_check_math (6 uint64 in, 8 out, dlm_math_item below). */
    dlm_status (*run_check)(dlm_backend *be, const char *name, const void *in, size_t in_bytes,
                            void *out, size_t out_bytes, uint64_t n, dlm_error *err);
    /* The backend's own tests, run after the shared ones (may be none). */
    const struct CMUnitTest *tests;
    size_t n_tests;
} dlm_identity_shim;

/* The whole test program: skips (77) where shim->ops is not available here, saying why;
 * otherwise opens the CPU reference and the backend, runs the shared tests and then the
 * shim's, and returns cmocka's result. DLM_TEST_FILTER (a cmocka pattern, e.g.
 * '*evolution*') selects tests. */
int dlm_identity_main(const dlm_identity_shim *shim);

/* For the shims' own tests: the backend the shared tests use; a fresh one (the caller
 * destroys it) with the same options; the scratch folder (removed at the end). */
dlm_backend *dlm_identity_device(void);
dlm_backend *dlm_identity_open_device(void);
const char *dlm_identity_scratch(void);

/* One item of dlmk_check_math: x, beta, delta, p as the bits of doubles, and four words
 * (w0 | w1 << 32, w2 | w3 << 32); w may be null (zeros). */
typedef struct dlm_math_item {
    uint64_t x, beta, delta, p, w01, w23;
} dlm_math_item;
dlm_math_item dlm_math_item_of(double x, double beta, double delta, double p, const uint32_t w[4]);

/* Plays one match on the device in a batch whose strategies array claims n_strategies
 * entries (never read): for the memory refusal, which must come before any allocation. */
dlm_status dlm_identity_play_claiming(size_t n_strategies, dlm_error *err);

#endif /* DLM_TESTS_BACKEND_IDENTITY_H */

/* test_cuda.c — the CUDA backend's shim for the identity tests written once in
 * tests/backend_identity.c (matches, tournaments, evolution, the resident interface, Philox
 * and the math on the device, byte for byte against the CPU reference; DESIGN.md §4, §9),
 * and what only the CUDA backend has:
 *   - cuRAND's own device API (curand_init/curand4/curand) gives the model's stream;
 *   - errors name the call and the CUDA error; device selection and the device list;
 *   - a batch that cannot fit is refused with the numbers (cudaMemGetInfo's total).
 * Exits 77 (skipped) where the CUDA backend cannot run (no driver, no device), saying why.
 * Also built as test_cuda_emu against the CUDA emulator (tests/cuda_emu/README.md), where
 * every test but the cuRAND self-test runs on the host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend_cuda.h"
#include "backend_identity.h"
#include "dlm_philox.h"

/* host/backends/backend_cuda.c's test entry points. */
dlm_status dlm_cuda_run_check(dlm_backend *be, const char *name, const void *in, size_t in_bytes,
                              void *out, size_t out_bytes, uint64_t n, dlm_error *err);
dlm_status dlm_cuda_fail_for_test(dlm_error *err, const char *call, const char *what, int rc);

/* cuRAND's own device API gives the model's stream (the known-answer self-test of cuRAND's
 * stream, DESIGN.md §3): curand_init(seed, subsequence, offset) on the device, then curand4
 * and curand, equal to dlm_philox_word at offset .. offset+7, for the subsequences the
 * model uses (purpose, population, generation) and offsets (index, word) at every phase. */
static void test_curand_stream_on_the_device(void **state)
{
    enum { N = 4096 };
    static uint64_t in[3 * N];
    static uint32_t got[8 * N];
    dlm_error err;
    size_t i, k;
    (void)state;
#ifdef DLM_CUDA_EMULATOR
    skip(); /* the emulator has no cuRAND: tests/test_curand_layout.cpp pins it on the host */
#endif
    for (i = 0; i < N; ++i) {
        dlm_u32x4 r = dlm_philox_block(2024, 5, i);
        uint64_t seed = i % 3 == 0 ? 1u : ((uint64_t)r.v[0] << 32 | r.v[1]);
        uint32_t purpose = 1u + (uint32_t)(i % 11u);
        in[3 * i] = seed;
        in[3 * i + 1] = dlm_stream_id(purpose, r.v[2] % 1000u, (uint64_t)r.v[3] % 100000u);
        in[3 * i + 2] =
            ((uint64_t)(r.v[2] >> 8) << 32) | (i % 4u) | ((uint64_t)(r.v[3] & 0xffu) << 2);
    }
    if (dlm_cuda_run_check(dlm_identity_device(), "dlmk_check_curand", in, sizeof in, got,
                           sizeof got, N, &err) != DLM_OK)
        fail_msg("%s", err.message);
    for (i = 0; i < N; ++i)
        for (k = 0; k < 8; ++k) {
            uint32_t want = dlm_philox_word(in[3 * i], in[3 * i + 1], in[3 * i + 2] + k);
            if (got[8 * i + k] != want)
                fail_msg("seed %llx subsequence %llx offset %llx + %zu: cuRAND on the device %08x, "
                         "the model %08x",
                         (unsigned long long)in[3 * i], (unsigned long long)in[3 * i + 1],
                         (unsigned long long)in[3 * i + 2], k, got[8 * i + k], want);
        }
    printf("    %d (seed, subsequence, offset): cuRAND's device stream is the model's\n", N);
}

static void test_errors_name_call_and_code(void **state)
{
    dlm_error err;
    (void)state;
    assert_int_equal(
        dlm_cuda_fail_for_test(&err, "cudaMemcpy", "match results", (int)cudaErrorLaunchFailure),
        DLM_ERR_RUNTIME);
    assert_string_equal(err.message, "cuda: cudaMemcpy (match results) failed: "
                                     "cudaErrorLaunchFailure (unspecified launch failure)");
    assert_int_equal(
        dlm_cuda_fail_for_test(&err, "cudaSetDevice", NULL, (int)cudaErrorInvalidDevice),
        DLM_ERR_RUNTIME);
    assert_non_null(strstr(err.message, "cuda: cudaSetDevice failed: cudaErrorInvalidDevice"));
}

static void test_device_selection(void **state)
{
    dlm_backend_options opt = {1, -1, 999, 0};
    dlm_backend *be = NULL;
    dlm_error err;
    FILE *devices = tmpfile();
    char text[4096];
    size_t n;
    (void)state;
    assert_int_equal(dlm_backend_cuda.create(&opt, &be, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "--device 999"));
    opt.device = 0;
    assert_int_equal(dlm_backend_cuda.create(&opt, &be, &err), DLM_OK);
    assert_non_null(strstr(dlm_backend_cuda.describe(be), "cuda 0"));
    dlm_backend_cuda.destroy(be);
    assert_non_null(devices);
    assert_int_equal(dlm_backend_cuda.list_devices(devices, &err), DLM_OK);
    rewind(devices);
    n = fread(text, 1, sizeof text - 1, devices);
    text[n] = '\0';
    fclose(devices);
    assert_non_null(strstr(text, "cuda 0: "));
    assert_non_null(strstr(text, "compute capability"));
}

/* A batch that cannot fit is refused with the numbers before anything is allocated. */
static void test_memory_refusal(void **state)
{
    dlm_error err;
    size_t free_b = 0, total_b = 0;
    (void)state;
    assert_int_equal(cudaMemGetInfo(&free_b, &total_b), cudaSuccess);
    assert_int_equal(dlm_identity_play_claiming(total_b / sizeof(dlm_strategy) + 1, &err),
                     DLM_ERR_USAGE);
    if (!strstr(err.message, "bytes) of device memory") || !strstr(err.message, "for strategies") ||
        !strstr(err.message, "free of"))
        fail_msg("the refusal lacks the numbers: %s", err.message);
}

int main(void)
{
    static const struct CMUnitTest own[] = {
        cmocka_unit_test(test_curand_stream_on_the_device),
        cmocka_unit_test(test_errors_name_call_and_code),
        cmocka_unit_test(test_device_selection),
        cmocka_unit_test(test_memory_refusal),
    };
    static const dlm_identity_shim shim = {&dlm_backend_cuda, NULL, dlm_cuda_run_check, own,
                                           sizeof own / sizeof own[0]};
    return dlm_identity_main(&shim);
}

/* test_opencl.c — the OpenCL backend's shim for the identity tests written once in
 * tests/backend_identity.c (matches, tournaments, evolution, the resident interface, Philox
 * and the math on the device, byte for byte against the CPU reference; DESIGN.md §4, §9),
 * and what only the OpenCL backend has:
 *   - the programs' build logs are clean;
 *   - the binary cache: written, reused, a damaged entry recompiled, switched off;
 *     DLM_OPENCL_SOURCE_DIR (the same entries; a folder without the sources; a failing
 *     build named);
 *   - error names, platform and device selection, the memory refusal (the device's total
 *     and its largest allocation).
 * Exits 77 (skipped) where no OpenCL device can run dilemma.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend_identity.h"
#include "backends/backend_opencl.h"

/* A fresh binary cache in the scratch folder, so that the first builds compile and the
 * cache test sees them; the embedded sources. */
static void prepare(const char *scratch)
{
    setenv("DLM_OPENCL_CACHE_DIR", scratch, 1);
    unsetenv("DLM_OPENCL_CACHE");
    unsetenv("DLM_OPENCL_SOURCE_DIR");
}

static void test_build_logs_are_clean(void **state)
{
    int i;
    (void)state;
    /* the backend compiled both programs from source (the cache was empty then) */
    for (i = 0; i < DLM_CL_PROGRAMS; ++i) {
        const char *log = dlm_opencl_build_log(dlm_identity_device(), i);
        if (log && (strstr(log, "warning") || strstr(log, "error")))
            fail_msg("build log of program %d is not clean:\n%s", i, log);
    }
}

static size_t count_cache_files(void)
{
    DIR *d = opendir(dlm_identity_scratch());
    struct dirent *e;
    size_t n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".clbin") != NULL && !strstr(e->d_name, ".tmp.");
    closedir(d);
    return n;
}

/* Builds the matches program on a fresh backend (the Philox self-test's): its status, and
 * the programs compiled and taken from the cache. */
static dlm_status build_matches(unsigned *compiled, unsigned *cached, dlm_error *err)
{
    dlm_backend *be = dlm_identity_open_device();
    uint32_t in[6] = {0}, out[4];
    dlm_status st =
        dlm_opencl_run_check(be, "dlmk_check_philox", in, sizeof in, out, sizeof out, 1, err);
    dlm_opencl_cache_stats(be, compiled, cached);
    dlm_backend_opencl.destroy(be);
    return st;
}

/* Builds both programs on a fresh backend; returns (compiled, from cache). */
static void build_both(unsigned *compiled, unsigned *cached)
{
    dlm_backend *be = dlm_identity_open_device();
    uint32_t in[6] = {0}, out[4];
    dlm_math_item it = dlm_math_item_of(1, 1, 0, 0.5, NULL);
    uint64_t mout[8];
    dlm_error err;
    if (dlm_opencl_run_check(be, "dlmk_check_philox", in, sizeof in, out, sizeof out, 1, &err) !=
            DLM_OK ||
        dlm_opencl_run_check(be, "dlmk_check_math", &it, sizeof it, mout, sizeof mout, 1, &err) !=
            DLM_OK)
        fail_msg("%s", err.message);
    dlm_opencl_cache_stats(be, compiled, cached);
    dlm_backend_opencl.destroy(be);
}

/* Writes over every cache entry's bytes at offset 100. */
static void damage_cache(void)
{
    DIR *d = opendir(dlm_identity_scratch());
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".clbin")) {
            char path[1024];
            FILE *f;
            snprintf(path, sizeof path, "%s/%s", dlm_identity_scratch(), e->d_name);
            f = fopen(path, "r+b");
            assert_non_null(f);
            fseek(f, 100, SEEK_SET);
            fputs("damage", f);
            fclose(f);
        }
    closedir(d);
}

static void test_binary_cache(void **state)
{
    unsigned compiled, cached;
    dlm_error err;
    (void)state;
    /* the programs of the tests above were compiled and written to the (fresh) cache */
    assert_true(count_cache_files() == 2);
    build_both(&compiled, &cached);
    assert_true(compiled == 0 && cached == 2);
    /* damaged entries: compiled again, and rewritten */
    damage_cache();
    build_both(&compiled, &cached);
    assert_true(compiled == 2 && cached == 0);
    build_both(&compiled, &cached);
    assert_true(compiled == 0 && cached == 2);
    /* the development sources expand to the embedded text: the same cache entries */
    setenv("DLM_OPENCL_SOURCE_DIR", DLM_KERNELS_DIR, 1);
    build_both(&compiled, &cached);
    unsetenv("DLM_OPENCL_SOURCE_DIR");
    assert_true(compiled == 0 && cached == 2);
    /* switched off: compiled, nothing written */
    setenv("DLM_OPENCL_CACHE", "0", 1);
    assert_int_equal(build_matches(&compiled, &cached, &err), DLM_OK);
    assert_true(compiled == 1 && cached == 0);
    unsetenv("DLM_OPENCL_CACHE");
    assert_true(count_cache_files() == 2);
}

static void test_source_dir_errors(void **state)
{
    char dir[600], path[700];
    FILE *f;
    unsigned compiled, cached;
    dlm_error err;
    (void)state;
    /* a folder without the sources */
    snprintf(dir, sizeof dir, "%s/src", dlm_identity_scratch());
    mkdir(dir, 0755);
    setenv("DLM_OPENCL_SOURCE_DIR", dir, 1);
    assert_int_equal(build_matches(&compiled, &cached, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "DLM_OPENCL_SOURCE_DIR"));
    /* a program that does not compile: the call and the error are named */
    snprintf(path, sizeof path, "%s/opencl", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/opencl/dilemma.cl", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("__kernel void dlmk_check_philox(__global uint *x) { this does not compile; }\n", f);
    fclose(f);
    fprintf(stderr, "    (a build log of a deliberately broken program follows)\n");
    assert_int_equal(build_matches(&compiled, &cached, &err), DLM_ERR_RUNTIME);
    assert_non_null(strstr(err.message, "clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11)"));
    unsetenv("DLM_OPENCL_SOURCE_DIR");
    remove(path);
    snprintf(path, sizeof path, "%s/opencl", dir);
    rmdir(path);
    rmdir(dir);
}

static void test_errors_name_call_and_code(void **state)
{
    dlm_error err;
    (void)state;
    assert_string_equal(dlm_cl_error_name(-5), "CL_OUT_OF_RESOURCES");
    assert_string_equal(dlm_cl_error_name(-4), "CL_MEM_OBJECT_ALLOCATION_FAILURE");
    assert_string_equal(dlm_cl_error_name(-11), "CL_BUILD_PROGRAM_FAILURE");
    assert_string_equal(dlm_cl_error_name(-9999), "CL_UNKNOWN_ERROR");
    assert_int_equal(dlm_cl_fail(&err, "clEnqueueNDRangeKernel(be->queue, k, 1, NULL)", -5),
                     DLM_ERR_RUNTIME);
    assert_string_equal(err.message,
                        "opencl: clEnqueueNDRangeKernel failed: CL_OUT_OF_RESOURCES (-5)");
}

static void test_device_selection(void **state)
{
    dlm_backend_options opt = {1, 99, -1, 0};
    dlm_backend *be = NULL;
    dlm_error err;
    (void)state;
    assert_int_equal(dlm_backend_opencl.create(&opt, &be, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "--platform 99"));
    opt.platform = 0;
    opt.device = 999;
    assert_int_equal(dlm_backend_opencl.create(&opt, &be, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "--device 999"));
    opt.device = 0;
    assert_int_equal(dlm_backend_opencl.create(&opt, &be, &err), DLM_OK);
    assert_non_null(strstr(dlm_backend_opencl.describe(be), "opencl 0.0"));
    dlm_backend_opencl.destroy(be);
}

/* A batch that cannot fit is refused with the numbers before anything is allocated; so is
 * one buffer larger than the device's largest allocation. */
static void test_memory_refusal(void **state)
{
    const dlm_backend *be = dlm_identity_device();
    size_t n_strategies = (size_t)(be->global_mem / sizeof(dlm_strategy)) + 1;
    char has[64], needs[64];
    dlm_device_need need;
    dlm_error err;
    (void)state;
    assert_int_equal(dlm_identity_play_claiming(n_strategies, &err), DLM_ERR_USAGE);
    snprintf(has, sizeof has, "(%llu bytes)", (unsigned long long)be->global_mem);
    snprintf(needs, sizeof needs, "(%llu bytes)",
             (unsigned long long)(n_strategies * sizeof(dlm_strategy) + sizeof(dlm_player_params) +
                                  sizeof(dlm_match_job) + sizeof(dlm_match_result)));
    if (!strstr(err.message, has) || !strstr(err.message, needs) ||
        !strstr(err.message, "for strategies"))
        fail_msg("the refusal lacks the numbers: %s", err.message);
    need.what = "the strategies";
    need.bytes = be->max_alloc + 1;
    if (need.bytes <= be->global_mem) {
        assert_int_equal(dlm_cl_check_memory(be, "this run", &need, 1, &err), DLM_ERR_USAGE);
        assert_non_null(strstr(err.message, "per allocation"));
    }
}

/* `auto` passes over OpenCL without loading a driver exactly when the ICD registry names
 * only PoCL on CPU devices; anything else (another vendor, no registry entry, a loader
 * variable, PoCL told to use a GPU) is left to the drivers. */
static void write_icd(const char *dir, const char *name, const char *library)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", library);
    fclose(f);
}

static void test_auto_skips_cpu_only_drivers_unloaded(void **state)
{
    char dir[] = "/tmp/dlm_icd_XXXXXX", path[512];
    const char *saved = getenv("POCL_DEVICES");
    (void)state;
    assert_non_null(mkdtemp(dir));
    unsetenv("POCL_DEVICES");
    assert_int_equal(dlm_cl_only_cpu_drivers_in(dir), 0); /* no driver: ask the loader */
    write_icd(dir, "pocl.icd", "libpocl.so.2.10.0");
    write_icd(dir, "notes.txt", "libnvidia-opencl.so.1");   /* not an .icd */
    assert_int_equal(dlm_cl_only_cpu_drivers_in(dir), 1);
    setenv("POCL_DEVICES", "pthread", 1);
    assert_int_equal(dlm_cl_only_cpu_drivers_in(dir), 1);
    setenv("POCL_DEVICES", "pthread cuda", 1);
    assert_int_equal(dlm_cl_only_cpu_drivers_in(dir), 0);
    unsetenv("POCL_DEVICES");
    setenv("OCL_ICD_VENDORS", dir, 1);
    assert_int_equal(dlm_cl_only_cpu_drivers_in(dir), 0);
    unsetenv("OCL_ICD_VENDORS");
    write_icd(dir, "nvidia.icd", "libnvidia-opencl.so.1");
    assert_int_equal(dlm_cl_only_cpu_drivers_in(dir), 0);
    if (saved)
        setenv("POCL_DEVICES", saved, 1);
    snprintf(path, sizeof path, "%s/pocl.icd", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/nvidia.icd", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    static const struct CMUnitTest own[] = {
        cmocka_unit_test(test_build_logs_are_clean),
        cmocka_unit_test(test_binary_cache),
        cmocka_unit_test(test_source_dir_errors),
        cmocka_unit_test(test_errors_name_call_and_code),
        cmocka_unit_test(test_device_selection),
        cmocka_unit_test(test_memory_refusal),
        cmocka_unit_test(test_auto_skips_cpu_only_drivers_unloaded),
    };
    static const dlm_identity_shim shim = {&dlm_backend_opencl, prepare, dlm_opencl_run_check, own,
                                           sizeof own / sizeof own[0]};
    return dlm_identity_main(&shim);
}

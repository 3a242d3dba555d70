/* backend_opencl.h — the OpenCL backend's internals, shared by its files:
 *   backend_opencl.c         devices, errors, programs (built at run time, cached), matches,
 *                            the backend table;
 *   backend_opencl_evolve.c  resident populations (evolution and statistics);
 *   opencl_icd.c             what auto can tell from the ICD registry without a driver;
 *   dlm_opencl_sources.c     generated at build time by cmake/EmbedOpenCL.cmake: the
 *                            the embedded headers of kernels/ and kernels/opencl/dilemma.cl.
 * Nothing outside these files (and tests/test_opencl.c) includes it. */
#ifndef DLM_BACKEND_OPENCL_H
#define DLM_BACKEND_OPENCL_H

#include <stddef.h>

#include "backends/backend.h"

/* 1 when, by the ICD registry alone, the only OpenCL drivers installed are PoCL on CPU
 * devices (opencl_icd.c): `auto` then passes over OpenCL without loading them. */
int dlm_cl_only_cpu_drivers(void);
/* The same with the registry in folder `vendors` (tests). */
int dlm_cl_only_cpu_drivers_in(const char *vendors);

/* One embedded source file: name relative to kernels/ ("dlm_match.h",
 * "opencl/dilemma.cl"), its text (NUL-terminated) and length. The table ends with a
 * null name. */
typedef struct dlm_opencl_file {
    const char *name;
    const char *text;
    size_t size;
} dlm_opencl_file;

extern const dlm_opencl_file dlm_opencl_files[];

#if !defined(DLM_OPENCL_SOURCES_ONLY)

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#if defined(__APPLE__)
#include <OpenCL/opencl.h>
#else
#include <CL/cl.h>
#endif

/* The two programs built from kernels/opencl/dilemma.cl. */
enum { DLM_CL_PROGRAM_MATCH = 0, DLM_CL_PROGRAM_EVOLVE = 1, DLM_CL_PROGRAMS = 2 };

/* Kernels, created once per backend (names in backend_opencl.c). */
enum {
    DLM_CLK_PLAY_MATCHES,
    DLM_CLK_EVO_ASYNC,
    DLM_CLK_EVO_EVALUATE,
    DLM_CLK_EVO_COUNTS_ADD,
    DLM_CLK_EVO_CUMULATE,
    DLM_CLK_EVO_UPDATE,
    DLM_CLK_EVO_COMMIT,
    DLM_CLK_CENSUS_CHUNKS,
    DLM_CLK_CENSUS_MERGE,
    DLM_CLK_EVO_FIXATION,
    DLM_CLK_COUNT
};

struct dlm_backend {
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue;
    int platform_index, device_index;
    char platform_name[256], platform_version[256];
    char device_name[256], device_version[256], driver_version[256];
    cl_ulong global_mem, max_alloc;
    size_t max_work_group;
    int fp64;
    cl_program programs[DLM_CL_PROGRAMS];
    char *build_log[DLM_CL_PROGRAMS]; /* log of the last compile from source, or null */
    cl_kernel kernels[DLM_CLK_COUNT];
    unsigned compiled, from_cache;    /* programs compiled from source / loaded from the cache */
    char description[800];
};

/* "CL_OUT_OF_RESOURCES" for -5, "CL_UNKNOWN_ERROR" for codes it does not know. */
const char *dlm_cl_error_name(cl_int code);

/* Sets err to "opencl: <call> failed: <NAME> (<code>)" (call: the function's name, or a
 * stringified call, cut at its '('); returns DLM_ERR_RUNTIME. */
dlm_status dlm_cl_fail(dlm_error *err, const char *call, cl_int code);

/* In a function with `dlm_status status` and a `done:` label: checks an OpenCL call. */
#define DLM_CL_TRY(call)                                                                     \
    do {                                                                                     \
        cl_int dlm_cl_rc_ = (call);                                                          \
        if (dlm_cl_rc_ != CL_SUCCESS) {                                                      \
            status = dlm_cl_fail(err, #call, dlm_cl_rc_);                                        \
            goto done;                                                                       \
        }                                                                                    \
    } while (0)
/* The same for a call that reports through an errcode_ret (rc) named `what`. */
#define DLM_CL_TRY_RC(rc, what)                                                              \
    do {                                                                                     \
        if ((rc) != CL_SUCCESS) {                                                            \
            status = dlm_cl_fail(err, (what), (rc));                                             \
            goto done;                                                                       \
        }                                                                                    \
    } while (0)

/* The program `which`, built (or loaded from the binary cache) on first use. */
dlm_status dlm_cl_program(dlm_backend *be, int which, cl_program *out, dlm_error *err);
/* Kernel DLM_CLK_*, created on first use (its program built then). */
dlm_status dlm_cl_kernel(dlm_backend *be, int which, cl_kernel *out, dlm_error *err);
/* Sets kernel argument `index` (the error names the kernel and the argument). */
dlm_status dlm_cl_arg(dlm_backend *be, int kernel, cl_uint index, size_t size, const void *value,
                      dlm_error *err);
/* Enqueues kernel DLM_CLK_* over `dims` dimensions (local may be null). */
dlm_status dlm_cl_launch(dlm_backend *be, int kernel, cl_uint dims, const size_t *global,
                         const size_t *local, dlm_error *err);

/* Refuses (DLM_ERR_USAGE, with the numbers) a run whose buffers exceed the device's
 * global memory in total or its largest allocation singly. */
dlm_status dlm_cl_check_memory(const dlm_backend *be, const char *run, const dlm_device_need *needs,
                               size_t n, dlm_error *err);
/* A buffer of `bytes` (at least 1) with flags, filled from host (may be null). */
dlm_status dlm_cl_buffer(dlm_backend *be, cl_mem_flags flags, size_t bytes, const void *host,
                         const char *what, cl_mem *out, dlm_error *err);

/* Evolution entries (backend_opencl_evolve.c). */
dlm_status dlm_cl_evo_create(dlm_backend *be, const dlm_evo_setup *setup, dlm_evo_state **out,
                             dlm_error *err);
dlm_status dlm_cl_evo_run(dlm_backend *be, dlm_evo_state *st, uint64_t first, uint64_t count,
                          const uint8_t *active, dlm_evo_counts *counts, dlm_error *err);
dlm_status dlm_cl_evo_census(dlm_backend *be, dlm_evo_state *st, uint64_t g, dlm_evo_census *out,
                             dlm_error *err);
dlm_status dlm_cl_evo_save(dlm_backend *be, dlm_evo_state *st, dlm_strategy *agents,
                           uint64_t *fixed, uint32_t *views, dlm_error *err);
dlm_status dlm_cl_evo_restore(dlm_backend *be, dlm_evo_state *st, const dlm_strategy *agents,
                              const uint64_t *fixed, const uint32_t *views, dlm_error *err);
dlm_status dlm_cl_evo_snapshot(dlm_backend *be, dlm_evo_state *st, dlm_strategy *out,
                               dlm_error *err);
void dlm_cl_evo_destroy(dlm_backend *be, dlm_evo_state *st);

/* --- for tests/test_opencl.c ---------------------------------------------------------- */

/* Runs check kernel `name` (dlmk_check_philox: 6 words in, 4 out per item;
 * dlmk_check_math: 6 ulongs in, 8 out per item, evolution program) over n items. */
dlm_status dlm_opencl_run_check(dlm_backend *be, const char *name, const void *in, size_t in_bytes,
                                void *out, size_t out_bytes, uint64_t n, dlm_error *err);
/* Programs compiled from source and loaded from the binary cache so far. */
void dlm_opencl_cache_stats(const dlm_backend *be, unsigned *compiled, unsigned *from_cache);
/* The build log of program DLM_CL_PROGRAM_* if it was compiled from source here. */
const char *dlm_opencl_build_log(const dlm_backend *be, int which);

#endif /* !DLM_OPENCL_SOURCES_ONLY */

#endif /* DLM_BACKEND_OPENCL_H */

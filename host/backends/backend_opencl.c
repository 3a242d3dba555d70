/* backend_opencl.c — the OpenCL backend (DESIGN.md §5): the model headers of kernels/ run
 * by the thin entry points of kernels/opencl/dilemma.cl on any OpenCL 1.2 device with 64-bit
 * integers (and doubles, cl_khr_fp64, for evolution).
 *
 *   Sources:  embedded at build time (cmake/EmbedOpenCL.cmake); `#include "x.h"` lines are
 *             resolved here against that table, or against the folder named by
 *             DLM_OPENCL_SOURCE_DIR (the kernels/ folder, for development), with #line
 *             markers so the compiler's messages name the right file and line.
 *   Programs: compiled at run time on first use (matches; evolution with
 *             -DDLM_CL_EVOLVE=1); a failed build prints the whole build log. Binaries are
 *             cached in DLM_OPENCL_CACHE_DIR (default $XDG_CACHE_HOME/dilemma or
 *             ~/.cache/dilemma; DLM_OPENCL_CACHE=0 turns it off), one file per FNV-1a
 *             hash of platform, device, driver, options and source, written atomically; an
 *             entry that does not load is compiled again. DLM_OPENCL_VERBOSE=1 reports
 *             builds, cache use and non-empty build logs on stderr.
 *   Layout:   every program checks on the device that the structs it shares with the host
 *             have the host's sizes and offsets before it is used.
 *   Errors:   every OpenCL call is checked; a failure names the call and the error
 *             ("opencl: clEnqueueNDRangeKernel (dlmk_evo_async) failed: CL_OUT_OF_RESOURCES
 *             (-5)"). A run that does not fit the device is refused with the numbers
 *             (DLM_ERR_USAGE) before any buffer is allocated.
 */
#define _POSIX_C_SOURCE 200809L /* mkdir, getpid */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/io.h"
#include "backends/backend_opencl.h"
#include "dlm_census.h"

#ifndef CL_PLATFORM_NOT_FOUND_KHR
#define CL_PLATFORM_NOT_FOUND_KHR -1001 /* cl_khr_icd: the ICD loader found no driver */
#endif

/* The structs the device shares: the layouts kernels/dlm_model.h, dlm_evolve.h and
 * dlm_census.h document (8-byte fields first, explicit padding). The device checks its own
 * against the host's at every program build (cl_check_layout). */
_Static_assert(sizeof(dlm_strategy) == 80, "dlm_strategy is 80 bytes");
_Static_assert(offsetof(dlm_strategy, table) == 40, "dlm_strategy.table at 40");
_Static_assert(offsetof(dlm_strategy, kind) == 64, "dlm_strategy.kind at 64");
_Static_assert(offsetof(dlm_strategy, fsm_output) == 76, "dlm_strategy.fsm_output at 76");
_Static_assert(sizeof(dlm_player_params) == 24, "dlm_player_params is 24 bytes");
_Static_assert(offsetof(dlm_player_params, reaction_period) == 16, "reaction_period at 16");
_Static_assert(sizeof(dlm_match_rules) == 16, "dlm_match_rules is 16 bytes");
_Static_assert(offsetof(dlm_match_rules, geometric) == 12, "geometric at 12");
_Static_assert(sizeof(dlm_match_result) == 20, "dlm_match_result is 20 bytes");
_Static_assert(offsetof(dlm_match_result, outcome) == 4, "outcome at 4");
_Static_assert(sizeof(dlm_match_job) == 32, "dlm_match_job is 32 bytes");
_Static_assert(offsetof(dlm_match_job, generation) == 24, "generation at 24");
_Static_assert(sizeof(dlm_evo_params) == 208, "dlm_evo_params is 208 bytes");
_Static_assert(offsetof(dlm_evo_params, mutation) == 64, "mutation at 64");
_Static_assert(offsetof(dlm_evo_params, payoff_mode) == 124, "payoff_mode at 124");
_Static_assert(sizeof(dlm_evo_population) == 40, "dlm_evo_population is 40 bytes");
_Static_assert(sizeof(dlm_evo_counts) == 32, "dlm_evo_counts is 32 bytes");
_Static_assert(sizeof(dlm_evo_census) == 1072, "dlm_evo_census is 1072 bytes");
_Static_assert(offsetof(dlm_evo_census, monomorphic) == 856, "monomorphic at 856");

/* AddressSanitizer builds: the OpenCL driver stack (the ICD loader, PoCL and the LLVM it
 * compiles kernels with) keeps allocations until the process ends, which LeakSanitizer
 * would report; dilemma's own leaks are still reported. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DLM_CL_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(DLM_CL_ASAN)
#define DLM_CL_ASAN 1
#endif
#if defined(DLM_CL_ASAN)
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libOpenCL.so\nleak:libpocl.so\nleak:libLLVM\n";
}
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0"; /* no table of them on stderr at every exit */
}
#endif

/* --- errors ------------------------------------------------------------------------------ */

const char *dlm_cl_error_name(cl_int code)
{
    static const struct {
        cl_int code;
        const char *name;
    } names[] = {
        {0, "CL_SUCCESS"},
        {-1, "CL_DEVICE_NOT_FOUND"},
        {-2, "CL_DEVICE_NOT_AVAILABLE"},
        {-3, "CL_COMPILER_NOT_AVAILABLE"},
        {-4, "CL_MEM_OBJECT_ALLOCATION_FAILURE"},
        {-5, "CL_OUT_OF_RESOURCES"},
        {-6, "CL_OUT_OF_HOST_MEMORY"},
        {-7, "CL_PROFILING_INFO_NOT_AVAILABLE"},
        {-8, "CL_MEM_COPY_OVERLAP"},
        {-9, "CL_IMAGE_FORMAT_MISMATCH"},
        {-10, "CL_IMAGE_FORMAT_NOT_SUPPORTED"},
        {-11, "CL_BUILD_PROGRAM_FAILURE"},
        {-12, "CL_MAP_FAILURE"},
        {-13, "CL_MISALIGNED_SUB_BUFFER_OFFSET"},
        {-14, "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST"},
        {-15, "CL_COMPILE_PROGRAM_FAILURE"},
        {-16, "CL_LINKER_NOT_AVAILABLE"},
        {-17, "CL_LINK_PROGRAM_FAILURE"},
        {-18, "CL_DEVICE_PARTITION_FAILED"},
        {-19, "CL_KERNEL_ARG_INFO_NOT_AVAILABLE"},
        {-30, "CL_INVALID_VALUE"},
        {-31, "CL_INVALID_DEVICE_TYPE"},
        {-32, "CL_INVALID_PLATFORM"},
        {-33, "CL_INVALID_DEVICE"},
        {-34, "CL_INVALID_CONTEXT"},
        {-35, "CL_INVALID_QUEUE_PROPERTIES"},
        {-36, "CL_INVALID_COMMAND_QUEUE"},
        {-37, "CL_INVALID_HOST_PTR"},
        {-38, "CL_INVALID_MEM_OBJECT"},
        {-39, "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR"},
        {-40, "CL_INVALID_IMAGE_SIZE"},
        {-41, "CL_INVALID_SAMPLER"},
        {-42, "CL_INVALID_BINARY"},
        {-43, "CL_INVALID_BUILD_OPTIONS"},
        {-44, "CL_INVALID_PROGRAM"},
        {-45, "CL_INVALID_PROGRAM_EXECUTABLE"},
        {-46, "CL_INVALID_KERNEL_NAME"},
        {-47, "CL_INVALID_KERNEL_DEFINITION"},
        {-48, "CL_INVALID_KERNEL"},
        {-49, "CL_INVALID_ARG_INDEX"},
        {-50, "CL_INVALID_ARG_VALUE"},
        {-51, "CL_INVALID_ARG_SIZE"},
        {-52, "CL_INVALID_KERNEL_ARGS"},
        {-53, "CL_INVALID_WORK_DIMENSION"},
        {-54, "CL_INVALID_WORK_GROUP_SIZE"},
        {-55, "CL_INVALID_WORK_ITEM_SIZE"},
        {-56, "CL_INVALID_GLOBAL_OFFSET"},
        {-57, "CL_INVALID_EVENT_WAIT_LIST"},
        {-58, "CL_INVALID_EVENT"},
        {-59, "CL_INVALID_OPERATION"},
        {-60, "CL_INVALID_GL_OBJECT"},
        {-61, "CL_INVALID_BUFFER_SIZE"},
        {-62, "CL_INVALID_MIP_LEVEL"},
        {-63, "CL_INVALID_GLOBAL_WORK_SIZE"},
        {-64, "CL_INVALID_PROPERTY"},
        {-65, "CL_INVALID_IMAGE_DESCRIPTOR"},
        {-66, "CL_INVALID_COMPILER_OPTIONS"},
        {-67, "CL_INVALID_LINKER_OPTIONS"},
        {-68, "CL_INVALID_DEVICE_PARTITION_COUNT"},
        {-69, "CL_INVALID_PIPE_SIZE"},
        {-70, "CL_INVALID_DEVICE_QUEUE"},
        {-71, "CL_INVALID_SPEC_ID"},
        {-72, "CL_MAX_SIZE_RESTRICTION_EXCEEDED"},
        {-1001, "CL_PLATFORM_NOT_FOUND_KHR"},
        {-1000, "CL_INVALID_GL_SHAREGROUP_REFERENCE_KHR"},
        {-1024, "CL_INVALID_COMMAND_BUFFER_KHR"},
    };
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; ++i)
        if (names[i].code == code)
            return names[i].name;
    return "CL_UNKNOWN_ERROR";
}

dlm_status dlm_cl_fail(dlm_error *err, const char *call, cl_int code)
{
    size_t n = strcspn(call, "(");
    while (n > 0 && call[n - 1] == ' ')
        --n;
    return dlm_error_set(err, DLM_ERR_RUNTIME, "opencl: %.*s failed: %s (%d)", (int)n, call,
                         dlm_cl_error_name(code), (int)code);
}

static int verbose(void)
{
    const char *v = getenv("DLM_OPENCL_VERBOSE");
    return v && v[0] && strcmp(v, "0") != 0;
}

/* "1.5 GiB" */
static const char *human_bytes(uint64_t bytes, char *buf, size_t len)
{
    static const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        ++u;
    }
    if (u == 0)
        snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
    else
        snprintf(buf, len, "%.1f %s", v, units[u]);
    return buf;
}

/* --- platforms and devices ----------------------------------------------------------- */

typedef struct cl_device_facts {
    char name[256], version[256], driver[256], c_version[128];
    cl_device_type type;
    cl_ulong global_mem, max_alloc;
    cl_uint compute_units;
    size_t max_work_group;
    int int64, fp64, c12, compiler, available;
} cl_device_facts;

/* 1 when the space-separated list holds token. */
static int has_token(const char *list, const char *token)
{
    size_t n = strlen(token);
    const char *p = list;
    while ((p = strstr(p, token)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

static void device_string(cl_device_id d, cl_device_info what, char *buf, size_t len)
{
    size_t got = 0;
    buf[0] = '\0';
    if (clGetDeviceInfo(d, what, len - 1, buf, &got) != CL_SUCCESS)
        snprintf(buf, len, "?");
    buf[len - 1] = '\0';
}

static void platform_string(cl_platform_id p, cl_platform_info what, char *buf, size_t len)
{
    buf[0] = '\0';
    if (clGetPlatformInfo(p, what, len - 1, buf, NULL) != CL_SUCCESS)
        snprintf(buf, len, "?");
    buf[len - 1] = '\0';
}

static void device_facts(cl_device_id d, cl_device_facts *f)
{
    char profile[64], *ext = NULL;
    size_t ext_len = 0;
    cl_bool b = CL_FALSE;
    memset(f, 0, sizeof *f);
    device_string(d, CL_DEVICE_NAME, f->name, sizeof f->name);
    device_string(d, CL_DEVICE_VERSION, f->version, sizeof f->version);
    device_string(d, CL_DRIVER_VERSION, f->driver, sizeof f->driver);
    device_string(d, CL_DEVICE_OPENCL_C_VERSION, f->c_version, sizeof f->c_version);
    device_string(d, CL_DEVICE_PROFILE, profile, sizeof profile);
    clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof f->type, &f->type, NULL);
    clGetDeviceInfo(d, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof f->global_mem, &f->global_mem, NULL);
    clGetDeviceInfo(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof f->max_alloc, &f->max_alloc, NULL);
    clGetDeviceInfo(d, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof f->compute_units, &f->compute_units,
                    NULL);
    clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof f->max_work_group,
                    &f->max_work_group, NULL);
    if (clGetDeviceInfo(d, CL_DEVICE_AVAILABLE, sizeof b, &b, NULL) == CL_SUCCESS)
        f->available = b == CL_TRUE;
    b = CL_FALSE;
    if (clGetDeviceInfo(d, CL_DEVICE_COMPILER_AVAILABLE, sizeof b, &b, NULL) == CL_SUCCESS)
        f->compiler = b == CL_TRUE;
    if (clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, 0, NULL, &ext_len) == CL_SUCCESS &&
        (ext = calloc(ext_len + 1, 1)) != NULL &&
        clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, ext_len, ext, NULL) == CL_SUCCESS) {
        f->fp64 = has_token(ext, "cl_khr_fp64");
        /* 64-bit integers: mandatory in the full profile, an extension in the embedded one */
        f->int64 = strcmp(profile, "FULL_PROFILE") == 0 || has_token(ext, "cles_khr_int64");
    }
    free(ext);
    {
        int major = 0, minor = 0;
        if (sscanf(f->c_version, "OpenCL C %d.%d", &major, &minor) == 2)
            f->c12 = major > 1 || (major == 1 && minor >= 2);
    }
}

/* What the device lacks for matches (null: nothing). */
static const char *device_lacks(const cl_device_facts *f)
{
    if (!f->available)
        return "the device is not available";
    if (!f->compiler)
        return "no OpenCL C compiler is available for it";
    if (!f->int64)
        return "no 64-bit integers (embedded profile without cles_khr_int64)";
    if (!f->c12)
        return "OpenCL C 1.2 is needed";
    return NULL;
}

static const char *type_name(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU)
        return "GPU";
    if (t & CL_DEVICE_TYPE_ACCELERATOR)
        return "accelerator";
    if (t & CL_DEVICE_TYPE_CPU)
        return "CPU";
    return "other";
}

/* The platforms (malloc'd, *n of them); returns the OpenCL status. */
static cl_int get_platforms(cl_platform_id **out, cl_uint *n)
{
    cl_int rc = clGetPlatformIDs(0, NULL, n);
    *out = NULL;
    if (rc != CL_SUCCESS || *n == 0) {
        *n = 0;
        return rc == CL_SUCCESS ? CL_PLATFORM_NOT_FOUND_KHR : rc;
    }
    *out = calloc(*n, sizeof **out);
    if (!*out)
        return CL_OUT_OF_HOST_MEMORY;
    rc = clGetPlatformIDs(*n, *out, NULL);
    if (rc != CL_SUCCESS) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* The devices of platform p (malloc'd, *n of them; none is not an error). */
static cl_int get_devices(cl_platform_id p, cl_device_id **out, cl_uint *n)
{
    cl_int rc = clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, NULL, n);
    *out = NULL;
    if (rc == CL_DEVICE_NOT_FOUND || (rc == CL_SUCCESS && *n == 0)) {
        *n = 0;
        return CL_SUCCESS;
    }
    if (rc != CL_SUCCESS)
        return rc;
    *out = calloc(*n, sizeof **out);
    if (!*out)
        return CL_OUT_OF_HOST_MEMORY;
    rc = clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, *n, *out, NULL);
    if (rc != CL_SUCCESS) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static const char no_platform[] = "no OpenCL platform found (ICD loader found no driver)";

static int cl_available(char *why, size_t len)
{
    cl_platform_id *platforms;
    cl_uint n_platforms, i, devices_seen = 0;
    char reasons[400] = "";
    cl_int rc = get_platforms(&platforms, &n_platforms);
    if (rc != CL_SUCCESS) {
        if (rc == CL_PLATFORM_NOT_FOUND_KHR)
            snprintf(why, len, "%s", no_platform);
        else
            snprintf(why, len, "clGetPlatformIDs failed: %s (%d)", dlm_cl_error_name(rc), (int)rc);
        return 0;
    }
    for (i = 0; i < n_platforms; ++i) {
        cl_device_id *devices;
        cl_uint n_devices, j;
        if (get_devices(platforms[i], &devices, &n_devices) != CL_SUCCESS)
            continue;
        for (j = 0; j < n_devices; ++j) {
            cl_device_facts f;
            const char *lack;
            device_facts(devices[j], &f);
            ++devices_seen;
            if (!(lack = device_lacks(&f))) {
                free(devices);
                free(platforms);
                return 1;
            }
            if (strlen(reasons) < sizeof reasons - 2)
                snprintf(reasons + strlen(reasons), sizeof reasons - strlen(reasons), "%s%s: %s",
                         reasons[0] ? "; " : "", f.name, lack);
        }
        free(devices);
    }
    free(platforms);
    if (devices_seen == 0)
        snprintf(why, len, "%u OpenCL platform%s but no device", n_platforms,
                 n_platforms == 1 ? "" : "s");
    else
        snprintf(why, len, "no OpenCL device has what dilemma needs (%s)", reasons);
    return 0;
}

/* For `auto`: 1 if a usable device is a GPU or an accelerator. On a CPU OpenCL device
 * (PoCL) the cpu backend runs the same model on the same cores faster (AVX2 lanes). */
static int cl_auto_preferred(char *why, size_t len)
{
    cl_platform_id *platforms;
    cl_uint n_platforms, i;
    int found = 0;
    if (get_platforms(&platforms, &n_platforms) != CL_SUCCESS)
        return 0;
    for (i = 0; i < n_platforms && !found; ++i) {
        cl_device_id *devices;
        cl_uint n_devices, j;
        if (get_devices(platforms[i], &devices, &n_devices) != CL_SUCCESS)
            continue;
        for (j = 0; j < n_devices && !found; ++j) {
            cl_device_facts f;
            device_facts(devices[j], &f);
            found = !device_lacks(&f) && !(f.type & CL_DEVICE_TYPE_CPU);
        }
        free(devices);
    }
    free(platforms);
    if (!found)
        snprintf(why, len, "only CPU OpenCL devices: the cpu backend is faster on the same cores");
    return found;
}

static dlm_status cl_list_devices(FILE *out, dlm_error *err)
{
    cl_platform_id *platforms;
    cl_uint n_platforms, i;
    cl_int rc = get_platforms(&platforms, &n_platforms);
    if (rc == CL_PLATFORM_NOT_FOUND_KHR) {
        fprintf(out, "opencl: %s\n", no_platform);
        return DLM_OK;
    }
    if (rc != CL_SUCCESS)
        return dlm_cl_fail(err, "clGetPlatformIDs", rc);
    for (i = 0; i < n_platforms; ++i) {
        char pname[256], pversion[256];
        cl_device_id *devices;
        cl_uint n_devices, j;
        platform_string(platforms[i], CL_PLATFORM_NAME, pname, sizeof pname);
        platform_string(platforms[i], CL_PLATFORM_VERSION, pversion, sizeof pversion);
        fprintf(out, "opencl platform %u: %s (%s)\n", i, pname, pversion);
        rc = get_devices(platforms[i], &devices, &n_devices);
        if (rc != CL_SUCCESS) {
            fprintf(out, "  (clGetDeviceIDs failed: %s (%d))\n", dlm_cl_error_name(rc), (int)rc);
            continue;
        }
        if (n_devices == 0)
            fprintf(out, "  no devices\n");
        for (j = 0; j < n_devices; ++j) {
            cl_device_facts f;
            const char *lack;
            char mem[32], alloc[32];
            device_facts(devices[j], &f);
            lack = device_lacks(&f);
            fprintf(out, "opencl %u.%u: %s (%s, %u compute units, driver %s, %s)\n", i, j, f.name,
                    type_name(f.type), f.compute_units, f.driver, f.c_version);
            fprintf(out, "        memory %s, largest allocation %s; 64-bit integers: %s; "
                         "doubles (cl_khr_fp64): %s\n",
                    human_bytes(f.global_mem, mem, sizeof mem),
                    human_bytes(f.max_alloc, alloc, sizeof alloc), f.int64 ? "yes" : "no",
                    f.fp64 ? "yes" : "no");
            if (lack)
                fprintf(out, "        cannot run dilemma: %s\n", lack);
            else
                fprintf(out, "        runs matches, tournaments%s (--platform %u --device %u)\n",
                        f.fp64 ? ", evolution" : "; not evolution (no doubles)", i, j);
        }
        free(devices);
    }
    free(platforms);
    return DLM_OK;
}

/* --- create / destroy ------------------------------------------------------------------ */

static void cl_destroy(dlm_backend *be)
{
    int i;
    if (!be)
        return;
    for (i = 0; i < DLM_CLK_COUNT; ++i)
        if (be->kernels[i])
            clReleaseKernel(be->kernels[i]);
    for (i = 0; i < DLM_CL_PROGRAMS; ++i) {
        if (be->programs[i])
            clReleaseProgram(be->programs[i]);
        free(be->build_log[i]);
    }
    if (be->queue)
        clReleaseCommandQueue(be->queue);
    if (be->context)
        clReleaseContext(be->context);
    free(be);
}

/* Picks the device of the options (-1: the first suitable, preferring one with doubles). */
static dlm_status choose_device(const dlm_backend_options *opt, dlm_backend *be, dlm_error *err)
{
    int want_p = opt ? opt->platform : -1, want_d = opt ? opt->device : -1, found = 0;
    cl_platform_id *platforms = NULL;
    cl_uint n_platforms = 0, i;
    cl_int rc = get_platforms(&platforms, &n_platforms);
    dlm_status status = DLM_OK;
    cl_device_facts best;
    if (rc == CL_PLATFORM_NOT_FOUND_KHR)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "opencl: %s", no_platform);
    if (rc != CL_SUCCESS)
        return dlm_cl_fail(err, "clGetPlatformIDs", rc);
    if (want_p >= (int)n_platforms) {
        free(platforms);
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "opencl: --platform %d: there %s %u OpenCL platform%s (0..%u; "
                             "`dilemma devices` lists them)", want_p,
                             n_platforms == 1 ? "is" : "are", n_platforms,
                             n_platforms == 1 ? "" : "s", n_platforms - 1);
    }
    for (i = 0; i < n_platforms && status == DLM_OK; ++i) {
        cl_device_id *devices = NULL;
        cl_uint n_devices = 0, j;
        if (want_p >= 0 && (int)i != want_p)
            continue;
        rc = get_devices(platforms[i], &devices, &n_devices);
        if (rc != CL_SUCCESS) {
            status = dlm_cl_fail(err, "clGetDeviceIDs", rc);
            break;
        }
        if (want_d >= 0) {
            if (want_d < (int)n_devices) {
                cl_device_facts f;
                const char *lack;
                device_facts(devices[want_d], &f);
                if ((lack = device_lacks(&f)) != NULL)
                    status = dlm_error_set(err, DLM_ERR_USAGE,
                                       "opencl: device %u.%d (%s) cannot run dilemma: %s", i,
                                       want_d, f.name, lack);
                else {
                    be->platform = platforms[i];
                    be->device = devices[want_d];
                    be->platform_index = (int)i;
                    be->device_index = want_d;
                    best = f;
                    found = 1;
                }
            } else if (want_p >= 0) {
                status = dlm_error_set(err, DLM_ERR_USAGE,
                                   "opencl: --device %d: platform %u has %u device%s "
                                   "(`dilemma devices` lists them)", want_d, i, n_devices,
                                   n_devices == 1 ? "" : "s");
            }
        } else {
            for (j = 0; j < n_devices; ++j) {
                cl_device_facts f;
                device_facts(devices[j], &f);
                if (device_lacks(&f))
                    continue;
                /* the first with doubles wins; else the first that plays matches */
                if (!found || (f.fp64 && !best.fp64)) {
                    be->platform = platforms[i];
                    be->device = devices[j];
                    be->platform_index = (int)i;
                    be->device_index = (int)j;
                    best = f;
                    found = 1;
                }
                if (best.fp64)
                    break;
            }
        }
        free(devices);
        if (found && (want_d >= 0 || best.fp64))
            break;
    }
    free(platforms);
    if (status != DLM_OK)
        return status;
    if (!found) {
        char why[512];
        if (want_d >= 0)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "opencl: no platform has a device %d (`dilemma devices` lists "
                                 "them)", want_d);
        if (cl_available(why, sizeof why))
            snprintf(why, sizeof why, "no suitable device on platform %d", want_p);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "opencl: %s", why);
    }
    snprintf(be->device_name, sizeof be->device_name, "%s", best.name);
    snprintf(be->device_version, sizeof be->device_version, "%s", best.version);
    snprintf(be->driver_version, sizeof be->driver_version, "%s", best.driver);
    be->global_mem = best.global_mem;
    be->max_alloc = best.max_alloc;
    be->max_work_group = best.max_work_group;
    be->fp64 = best.fp64;
    platform_string(be->platform, CL_PLATFORM_NAME, be->platform_name, sizeof be->platform_name);
    platform_string(be->platform, CL_PLATFORM_VERSION, be->platform_version,
                    sizeof be->platform_version);
    return DLM_OK;
}

static dlm_status cl_create(const dlm_backend_options *opt, dlm_backend **out, dlm_error *err)
{
    dlm_backend *be = calloc(1, sizeof *be);
    dlm_status status = DLM_OK;
    cl_int rc = CL_SUCCESS;
    cl_context_properties props[3];
    if (!be)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "opencl: out of memory");
    status = choose_device(opt, be, err);
    if (status != DLM_OK)
        goto done;
    props[0] = CL_CONTEXT_PLATFORM;
    props[1] = (cl_context_properties)be->platform;
    props[2] = 0;
    be->context = clCreateContext(props, 1, &be->device, NULL, NULL, &rc);
    DLM_CL_TRY_RC(rc, "clCreateContext");
    be->queue = clCreateCommandQueue(be->context, be->device, 0, &rc);
    DLM_CL_TRY_RC(rc, "clCreateCommandQueue");
    snprintf(be->description, sizeof be->description, "opencl %d.%d, %s", be->platform_index,
             be->device_index, be->device_name);
done:
    if (status != DLM_OK) {
        cl_destroy(be);
        return status;
    }
    *out = be;
    return DLM_OK;
}

static const char *cl_describe(dlm_backend *be)
{
    return be->description;
}

/* --- sources ------------------------------------------------------------------------------ */

typedef struct cl_text {
    char *p;
    size_t len, cap;
} cl_text;

static int text_add(cl_text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 65536;
        char *p;
        while (t->len + n + 1 > cap)
            cap *= 2;
        if (!(p = realloc(t->p, cap)))
            return -1;
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
    return 0;
}

/* Reads source `name` (relative to kernels/, or to kernels/opencl/) into a malloc'd,
 * NUL-terminated copy: from DLM_OPENCL_SOURCE_DIR when set, else the embedded table. */
static dlm_status source_read(const char *name, char **text, dlm_error *err)
{
    const char *dir = getenv("DLM_OPENCL_SOURCE_DIR");
    size_t i;
    *text = NULL;
    if (dir && dir[0]) {
        static const char *sub[] = {"", "opencl/"};
        int k;
        for (k = 0; k < 2; ++k) {
            char path[4096];
            FILE *fp;
            long size;
            snprintf(path, sizeof path, "%s/%s%s", dir, sub[k], name);
            if (!(fp = fopen(path, "rb")))
                continue;
            if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0 ||
                !(*text = malloc((size_t)size + 1)) ||
                fread(*text, 1, (size_t)size, fp) != (size_t)size) {
                fclose(fp);
                free(*text);
                *text = NULL;
                return dlm_error_set(err, DLM_ERR_RUNTIME, "opencl: cannot read %s", path);
            }
            (*text)[size] = '\0';
            fclose(fp);
            return DLM_OK;
        }
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "opencl: DLM_OPENCL_SOURCE_DIR=%s holds no %s (nor opencl/%s); it "
                             "should name the kernels/ folder", dir, name, name);
    }
    for (i = 0; dlm_opencl_files[i].name; ++i) {
        const char *n = dlm_opencl_files[i].name;
        if (strcmp(n, name) == 0 || (strncmp(n, "opencl/", 7) == 0 && strcmp(n + 7, name) == 0)) {
            *text = malloc(dlm_opencl_files[i].size + 1);
            if (!*text)
                return dlm_error_set(err, DLM_ERR_RUNTIME, "opencl: out of memory");
            memcpy(*text, dlm_opencl_files[i].text, dlm_opencl_files[i].size);
            (*text)[dlm_opencl_files[i].size] = '\0';
            return DLM_OK;
        }
    }
    return dlm_error_set(err, DLM_ERR_RUNTIME,
                         "opencl: %s is not among the embedded sources (kernels/*.h, "
                         "kernels/opencl/*.cl at build time)", name);
}

/* The name of a line `#include "name"` (into buf), or 0. */
static int include_line(const char *line, size_t len, char *buf, size_t buflen)
{
    const char *p = line, *end = line + len, *q;
    while (p < end && (*p == ' ' || *p == '\t'))
        ++p;
    if (p == end || *p++ != '#')
        return 0;
    while (p < end && (*p == ' ' || *p == '\t'))
        ++p;
    if ((size_t)(end - p) < 7 || strncmp(p, "include", 7) != 0)
        return 0;
    p += 7;
    while (p < end && (*p == ' ' || *p == '\t'))
        ++p;
    if (p == end || *p++ != '"')
        return 0;
    for (q = p; q < end && *q != '"'; ++q)
        ;
    if (q == end || (size_t)(q - p) >= buflen || q == p)
        return 0;
    memcpy(buf, p, (size_t)(q - p));
    buf[q - p] = '\0';
    return 1;
}

/* Appends source `name` to t with its local includes expanded in place (each inclusion
 * expanded again: the headers' include guards decide, as they would for the compiler).
 * A file already being expanded (a cycle) is skipped. */
static dlm_status source_expand(cl_text *t, const char *name, const char **stack, int depth,
                                dlm_error *err)
{
    char *text = NULL, inc[256], marker[600];
    const char *line;
    unsigned lineno = 1;
    dlm_status status;
    int k;
    for (k = 0; k < depth; ++k)
        if (strcmp(stack[k], name) == 0)
            return DLM_OK;
    if (depth >= 32)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "opencl: includes nested too deep at %s", name);
    stack[depth] = name;
    if ((status = source_read(name, &text, err)) != DLM_OK)
        return status;
    snprintf(marker, sizeof marker, "#line 1 \"%s\"\n", name);
    if (text_add(t, marker, strlen(marker)))
        goto oom;
    for (line = text; *line; ++lineno) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (include_line(line, len, inc, sizeof inc)) {
            if ((status = source_expand(t, inc, stack, depth + 1, err)) != DLM_OK) {
                free(text);
                return status;
            }
            snprintf(marker, sizeof marker, "#line %u \"%s\"\n", lineno + 1, name);
            if (text_add(t, marker, strlen(marker)))
                goto oom;
        } else if (text_add(t, line, len) || text_add(t, "\n", 1)) {
            goto oom;
        }
        line += nl ? len + 1 : len;
    }
    free(text);
    return DLM_OK;
oom:
    free(text);
    return dlm_error_set(err, DLM_ERR_RUNTIME, "opencl: out of memory");
}

/* --- the binary cache ------------------------------------------------------------------- */

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t i;
    for (i = 0; i < n; ++i) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

/* Hash of what determines a binary: platform, device, driver, options and source. */
static uint64_t cache_key(const dlm_backend *be, const char *options, const cl_text *src,
                          uint64_t basis)
{
    const char *parts[6];
    uint64_t h = fnv1a(basis, "dilemma-opencl-cache-1", 23);
    int i;
    parts[0] = be->platform_name;
    parts[1] = be->platform_version;
    parts[2] = be->device_name;
    parts[3] = be->device_version;
    parts[4] = be->driver_version;
    parts[5] = options;
    for (i = 0; i < 6; ++i)
        h = fnv1a(h, parts[i], strlen(parts[i]) + 1);
    return fnv1a(h, src->p, src->len);
}

/* The cache folder (created if needed) into buf, or 0 when caching is off or impossible. */
static int cache_dir(char *buf, size_t len)
{
    const char *off = getenv("DLM_OPENCL_CACHE"), *dir = getenv("DLM_OPENCL_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char *p;
    if (off && strcmp(off, "0") == 0)
        return 0;
    if (dir && dir[0])
        snprintf(buf, len, "%s", dir);
    else if (xdg && xdg[0])
        snprintf(buf, len, "%s/dilemma", xdg);
    else if (home && home[0])
        snprintf(buf, len, "%s/.cache/dilemma", home);
    else
        return 0;
    /* mkdir -p */
    for (p = buf + 1; *p; ++p)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
                *p = '/';
                return 0;
            }
            *p = '/';
        }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return 0;
    return 1;
}

/* Cache file: this header, then the binary. */
typedef struct cache_header {
    char magic[8];      /* "DLMCLBIN" */
    uint32_t version;   /* 1 */
    uint32_t reserved;
    uint64_t key, key2; /* cache_key with two bases */
    uint64_t size;      /* of the binary */
    uint64_t checksum;  /* FNV-1a of the binary */
} cache_header;

static const char cache_magic[8] = {'D', 'L', 'M', 'C', 'L', 'B', 'I', 'N'};

/* The cached binary of key, or null (missing, foreign or damaged). */
static unsigned char *cache_load(const char *path, uint64_t key, uint64_t key2, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    cache_header h;
    unsigned char *bin = NULL;
    if (!fp)
        return NULL;
    if (fread(&h, sizeof h, 1, fp) != 1 || memcmp(h.magic, cache_magic, 8) != 0 ||
        h.version != 1 || h.key != key || h.key2 != key2 || h.size == 0 ||
        h.size > ((uint64_t)1 << 31) || !(bin = malloc((size_t)h.size)) ||
        fread(bin, 1, (size_t)h.size, fp) != (size_t)h.size || fgetc(fp) != EOF ||
        fnv1a(FNV_OFFSET, bin, (size_t)h.size) != h.checksum) {
        free(bin);
        fclose(fp);
        return NULL;
    }
    fclose(fp);
    *size = (size_t)h.size;
    return bin;
}

/* Writes the binary of key atomically (temp file, then rename); failures only cost speed. */
static void cache_store(const char *path, uint64_t key, uint64_t key2, const unsigned char *bin,
                        size_t size)
{
    char tmp[4300];
    cache_header h;
    FILE *fp;
    int ok;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, cache_magic, 8);
    h.version = 1;
    h.key = key;
    h.key2 = key2;
    h.size = size;
    h.checksum = fnv1a(FNV_OFFSET, bin, size);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (!(fp = fopen(tmp, "wb")))
        return;
    ok = fwrite(&h, sizeof h, 1, fp) == 1 && fwrite(bin, 1, size, fp) == size;
    ok = fclose(fp) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        if (verbose())
            fprintf(dlm_err(), "dilemma: opencl: could not write the binary cache %s\n", path);
    }
}

/* The binary of a built program (single device), malloc'd. */
static unsigned char *program_binary(cl_program prog, size_t *size)
{
    unsigned char *bin;
    if (clGetProgramInfo(prog, CL_PROGRAM_BINARY_SIZES, sizeof *size, size, NULL) != CL_SUCCESS ||
        *size == 0 || !(bin = malloc(*size)))
        return NULL;
    if (clGetProgramInfo(prog, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) != CL_SUCCESS) {
        free(bin);
        return NULL;
    }
    return bin;
}

/* --- programs --------------------------------------------------------------------------- */

static const char *const program_names[DLM_CL_PROGRAMS] = {"matches", "evolution"};

static char *build_log(const dlm_backend *be, cl_program prog)
{
    size_t n = 0;
    char *log;
    if (clGetProgramBuildInfo(prog, be->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &n) != CL_SUCCESS ||
        !(log = calloc(n + 1, 1)))
        return NULL;
    if (clGetProgramBuildInfo(prog, be->device, CL_PROGRAM_BUILD_LOG, n, log, NULL) != CL_SUCCESS) {
        free(log);
        return NULL;
    }
    while (n > 0 && (log[n - 1] == '\0' || log[n - 1] == '\n' || log[n - 1] == ' '))
        log[--n] = '\0';
    return log;
}

/* Runs dlmk_check_layout of prog and compares with the host's layout. */
static dlm_status check_layout(dlm_backend *be, cl_program prog, int which, dlm_error *err)
{
    const uint64_t host[23] = {
        sizeof(dlm_strategy), offsetof(dlm_strategy, table), offsetof(dlm_strategy, kind),
        offsetof(dlm_strategy, fsm_output), sizeof(dlm_player_params),
        offsetof(dlm_player_params, reaction_period), sizeof(dlm_match_rules),
        offsetof(dlm_match_rules, geometric), sizeof(dlm_match_result),
        offsetof(dlm_match_result, outcome), sizeof(dlm_match_job),
        offsetof(dlm_match_job, generation), sizeof(dlm_evo_params),
        offsetof(dlm_evo_params, mutation), offsetof(dlm_evo_params, rules),
        offsetof(dlm_evo_params, payoff_mode), sizeof(dlm_evo_population),
        offsetof(dlm_evo_population, graph), sizeof(dlm_evo_counts), sizeof(dlm_evo_census),
        offsetof(dlm_evo_census, cooperations), offsetof(dlm_evo_census, m1_agents),
        offsetof(dlm_evo_census, monomorphic)};
    static const char *what[23] = {
        "sizeof(dlm_strategy)", "dlm_strategy.table", "dlm_strategy.kind",
        "dlm_strategy.fsm_output", "sizeof(dlm_player_params)",
        "dlm_player_params.reaction_period", "sizeof(dlm_match_rules)",
        "dlm_match_rules.geometric", "sizeof(dlm_match_result)", "dlm_match_result.outcome",
        "sizeof(dlm_match_job)", "dlm_match_job.generation", "sizeof(dlm_evo_params)",
        "dlm_evo_params.mutation", "dlm_evo_params.rules", "dlm_evo_params.payoff_mode",
        "sizeof(dlm_evo_population)", "dlm_evo_population.graph", "sizeof(dlm_evo_counts)",
        "sizeof(dlm_evo_census)", "dlm_evo_census.cooperations", "dlm_evo_census.m1_agents",
        "dlm_evo_census.monomorphic"};
    cl_ulong dev[23];
    cl_kernel k = NULL;
    cl_mem buf = NULL;
    cl_int rc = CL_SUCCESS;
    dlm_status status = DLM_OK;
    size_t one = 1;
    int i, n = which == DLM_CL_PROGRAM_EVOLVE ? 23 : 12;
    k = clCreateKernel(prog, "dlmk_check_layout", &rc);
    DLM_CL_TRY_RC(rc, "clCreateKernel (dlmk_check_layout)");
    buf = clCreateBuffer(be->context, CL_MEM_WRITE_ONLY, sizeof dev, NULL, &rc);
    DLM_CL_TRY_RC(rc, "clCreateBuffer (layout check)");
    DLM_CL_TRY(clSetKernelArg(k, 0, sizeof buf, &buf));
    rc = clEnqueueNDRangeKernel(be->queue, k, 1, NULL, &one, NULL, 0, NULL, NULL);
    DLM_CL_TRY_RC(rc, "clEnqueueNDRangeKernel (dlmk_check_layout)");
    DLM_CL_TRY(clEnqueueReadBuffer(be->queue, buf, CL_TRUE, 0, sizeof dev, dev, 0, NULL, NULL));
    for (i = 0; i < n; ++i)
        if (dev[i] != host[i]) {
            status = dlm_error_set(err, DLM_ERR_RUNTIME,
                               "opencl: device %s lays out %s at %llu bytes, the host at %llu: "
                               "it cannot share the model's structs (use --backend cpu)",
                               be->device_name, what[i], (unsigned long long)dev[i],
                               (unsigned long long)host[i]);
            break;
        }
done:
    if (buf)
        clReleaseMemObject(buf);
    if (k)
        clReleaseKernel(k);
    return status;
}

dlm_status dlm_cl_program(dlm_backend *be, int which, cl_program *out, dlm_error *err)
{
    const char *stack[32];
    const char *options = which == DLM_CL_PROGRAM_EVOLVE ? "-cl-std=CL1.2 -DDLM_CL_EVOLVE=1"
                                                         : "-cl-std=CL1.2";
    cl_text src = {NULL, 0, 0};
    char dir[4096], path[4200];
    int cached = 0, use_cache;
    uint64_t key = 0, key2 = 0;
    cl_program prog = NULL;
    cl_int rc = CL_SUCCESS;
    dlm_status status = DLM_OK;
    if (be->programs[which]) {
        *out = be->programs[which];
        return DLM_OK;
    }
    if (which == DLM_CL_PROGRAM_EVOLVE && !be->fp64)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "opencl: device %s has no double precision (cl_khr_fp64), which "
                             "evolution needs; pick another with --platform/--device (`dilemma "
                             "devices`) or use --backend cpu", be->device_name);
    status = source_expand(&src, "opencl/dilemma.cl", stack, 0, err);
    if (status != DLM_OK)
        goto done;
    use_cache = cache_dir(dir, sizeof dir);
    if (use_cache) {
        size_t size = 0;
        unsigned char *bin;
        key = cache_key(be, options, &src, FNV_OFFSET);
        key2 = cache_key(be, options, &src, FNV_OFFSET ^ 0x5bd1e9955bd1e995ull);
        snprintf(path, sizeof path, "%s/%016llx.clbin", dir, (unsigned long long)key);
        if ((bin = cache_load(path, key, key2, &size)) != NULL) {
            const unsigned char *b = bin;
            cl_int bin_rc = CL_SUCCESS;
            prog = clCreateProgramWithBinary(be->context, 1, &be->device, &size, &b, &bin_rc, &rc);
            if (rc == CL_SUCCESS && bin_rc == CL_SUCCESS &&
                clBuildProgram(prog, 1, &be->device, options, NULL, NULL) == CL_SUCCESS) {
                cached = 1;
            } else {
                if (prog)
                    clReleaseProgram(prog);
                prog = NULL;
                if (verbose())
                    fprintf(dlm_err(), "dilemma: opencl: cache entry %s does not load; compiling\n",
                            path);
            }
            free(bin);
        }
    }
    if (!cached) {
        const char *text = src.p;
        prog = clCreateProgramWithSource(be->context, 1, &text, &src.len, &rc);
        DLM_CL_TRY_RC(rc, "clCreateProgramWithSource");
        rc = clBuildProgram(prog, 1, &be->device, options, NULL, NULL);
        free(be->build_log[which]);
        be->build_log[which] = build_log(be, prog);
        if (rc != CL_SUCCESS) {
            fprintf(dlm_err(),
                    "dilemma: opencl: building kernels/opencl/dilemma.cl (%s program, options "
                    "\"%s\") for %s failed; the build log:\n%s\n",
                    program_names[which], options, be->device_name,
                    be->build_log[which] ? be->build_log[which] : "(none)");
            status = dlm_error_set(err, DLM_ERR_RUNTIME,
                               "opencl: clBuildProgram failed: %s (%d): the %s program does "
                               "not build for %s (build log above)",
                               dlm_cl_error_name(rc), (int)rc, program_names[which],
                               be->device_name);
            goto done;
        }
        be->compiled += 1;
        if (verbose() && be->build_log[which] && be->build_log[which][0])
            fprintf(dlm_err(), "dilemma: opencl: build log of the %s program:\n%s\n",
                    program_names[which], be->build_log[which]);
        if (use_cache) {
            size_t size = 0;
            unsigned char *bin = program_binary(prog, &size);
            if (bin)
                cache_store(path, key, key2, bin, size);
            free(bin);
        }
    } else {
        be->from_cache += 1;
    }
    if (verbose())
        fprintf(dlm_err(), "dilemma: opencl: %s program %s (%zu bytes of source)%s%s\n",
                program_names[which], cached ? "loaded from the cache" : "compiled", src.len,
                use_cache ? ", cache " : ", cache off", use_cache ? path : "");
    status = check_layout(be, prog, which, err);
done:
    free(src.p);
    if (status != DLM_OK) {
        if (prog)
            clReleaseProgram(prog);
        return status;
    }
    be->programs[which] = prog;
    *out = prog;
    return DLM_OK;
}

/* --- kernels, arguments, launches, buffers ------------------------------------------------ */

static const struct {
    const char *name;
    int program;
} kernel_table[DLM_CLK_COUNT] = {
    {"dlmk_play_matches", DLM_CL_PROGRAM_MATCH},   {"dlmk_evo_async", DLM_CL_PROGRAM_EVOLVE},
    {"dlmk_evo_evaluate", DLM_CL_PROGRAM_EVOLVE},  {"dlmk_evo_counts_add", DLM_CL_PROGRAM_EVOLVE},
    {"dlmk_evo_cumulate", DLM_CL_PROGRAM_EVOLVE},  {"dlmk_evo_update", DLM_CL_PROGRAM_EVOLVE},
    {"dlmk_evo_commit", DLM_CL_PROGRAM_EVOLVE},    {"dlmk_census_chunks", DLM_CL_PROGRAM_EVOLVE},
    {"dlmk_census_merge", DLM_CL_PROGRAM_EVOLVE},  {"dlmk_evo_fixation", DLM_CL_PROGRAM_EVOLVE},
};

dlm_status dlm_cl_kernel(dlm_backend *be, int which, cl_kernel *out, dlm_error *err)
{
    cl_program prog;
    cl_int rc = CL_SUCCESS;
    dlm_status status;
    if (!be->kernels[which]) {
        if ((status = dlm_cl_program(be, kernel_table[which].program, &prog, err)) != DLM_OK)
            return status;
        be->kernels[which] = clCreateKernel(prog, kernel_table[which].name, &rc);
        if (rc != CL_SUCCESS) {
            be->kernels[which] = NULL;
            return dlm_error_set(err, DLM_ERR_RUNTIME, "opencl: clCreateKernel (%s) failed: %s (%d)",
                                 kernel_table[which].name, dlm_cl_error_name(rc), (int)rc);
        }
    }
    *out = be->kernels[which];
    return DLM_OK;
}

dlm_status dlm_cl_arg(dlm_backend *be, int kernel, cl_uint index, size_t size, const void *value,
                      dlm_error *err)
{
    cl_int rc = clSetKernelArg(be->kernels[kernel], index, size, value);
    if (rc != CL_SUCCESS)
        return dlm_error_set(err, DLM_ERR_RUNTIME,
                             "opencl: clSetKernelArg (%s, argument %u) failed: %s (%d)",
                             kernel_table[kernel].name, index, dlm_cl_error_name(rc), (int)rc);
    return DLM_OK;
}

dlm_status dlm_cl_launch(dlm_backend *be, int kernel, cl_uint dims, const size_t *global,
                         const size_t *local, dlm_error *err)
{
    cl_int rc;
    cl_uint d;
    for (d = 0; d < dims; ++d)
        if (global[d] == 0)
            return DLM_OK; /* nothing to do */
    rc = clEnqueueNDRangeKernel(be->queue, be->kernels[kernel], dims, NULL, global, local, 0, NULL,
                                NULL);
    if (rc != CL_SUCCESS)
        return dlm_error_set(err, DLM_ERR_RUNTIME,
                             "opencl: clEnqueueNDRangeKernel (%s) failed: %s (%d)",
                             kernel_table[kernel].name, dlm_cl_error_name(rc), (int)rc);
    return DLM_OK;
}

dlm_status dlm_cl_check_memory(const dlm_backend *be, const char *run, const dlm_device_need *needs,
                               size_t n, dlm_error *err)
{
    uint64_t total = 0;
    size_t i, biggest = 0;
    char a[32], b[32], c[32];
    for (i = 0; i < n; ++i) {
        total += needs[i].bytes;
        if (needs[i].bytes > needs[biggest].bytes)
            biggest = i;
    }
    if (total > be->global_mem)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "opencl: %s needs %s (%llu bytes) of device memory, the largest "
                             "part %s for %s, but %s has %s (%llu bytes); use fewer agents or "
                             "populations, or --backend cpu",
                             run, human_bytes(total, a, sizeof a), (unsigned long long)total,
                             human_bytes(needs[biggest].bytes, b, sizeof b), needs[biggest].what,
                             be->device_name, human_bytes(be->global_mem, c, sizeof c),
                             (unsigned long long)be->global_mem);
    for (i = 0; i < n; ++i)
        if (needs[i].bytes > be->max_alloc)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "opencl: %s needs one allocation of %s (%llu bytes) for %s, "
                                 "but %s allows at most %s (%llu bytes) per allocation; use "
                                 "fewer agents or populations, or --backend cpu",
                                 run, human_bytes(needs[i].bytes, a, sizeof a),
                                 (unsigned long long)needs[i].bytes, needs[i].what,
                                 be->device_name, human_bytes(be->max_alloc, b, sizeof b),
                                 (unsigned long long)be->max_alloc);
    return DLM_OK;
}

dlm_status dlm_cl_buffer(dlm_backend *be, cl_mem_flags flags, size_t bytes, const void *host,
                         const char *what, cl_mem *out, dlm_error *err)
{
    cl_int rc = CL_SUCCESS;
    if (host && bytes)
        flags |= CL_MEM_COPY_HOST_PTR;
    *out = clCreateBuffer(be->context, flags, bytes ? bytes : 8, host && bytes ? (void *)host : NULL,
                          &rc);
    if (rc != CL_SUCCESS) {
        char a[32];
        *out = NULL;
        return dlm_error_set(err, DLM_ERR_RUNTIME,
                             "opencl: clCreateBuffer (%s, %s) failed: %s (%d)", what,
                             human_bytes(bytes, a, sizeof a), dlm_cl_error_name(rc), (int)rc);
    }
    return DLM_OK;
}

/* --- matches ------------------------------------------------------------------------------ */

/* Jobs per launch: short launches keep a display GPU's watchdog quiet; results do not
 * depend on it. */
#define MATCH_SLICE ((size_t)1 << 20)

/* The work-group width of dlmk_play_matches: 64, or less where the kernel or device
 * allows less (a power of two). */
static size_t match_group_width(const dlm_backend *be, cl_kernel k)
{
    size_t wg = 0, w = 64;
    if (clGetKernelWorkGroupInfo(k, be->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof wg, &wg, NULL) !=
            CL_SUCCESS || wg == 0)
        wg = 1;
    if (be->max_work_group && be->max_work_group < wg)
        wg = be->max_work_group;
    while (w > wg)
        w /= 2;
    return w;
}

static dlm_status cl_play_matches(dlm_backend *be, const dlm_match_batch *b,
                                  dlm_match_result *results, dlm_error *err)
{
    cl_mem strategies = NULL, params = NULL, jobs = NULL, out = NULL;
    cl_kernel k;
    dlm_status status = DLM_OK;
    size_t i;
    dlm_device_need needs[4];
    for (i = 0; i < b->n_jobs; ++i) {
        const dlm_match_job *job = &b->jobs[i];
        if (job->strategy[0] >= b->n_strategies || job->strategy[1] >= b->n_strategies ||
            job->params[0] >= b->n_params || job->params[1] >= b->n_params)
            return dlm_error_set(err, DLM_ERR_RUNTIME,
                                 "opencl backend: job %zu names a strategy or parameter set "
                                 "outside the batch", i);
    }
    if (b->n_jobs == 0)
        return DLM_OK;
    needs[0].what = "strategies";
    needs[0].bytes = (uint64_t)b->n_strategies * sizeof(dlm_strategy);
    needs[1].what = "player parameters";
    needs[1].bytes = (uint64_t)b->n_params * sizeof(dlm_player_params);
    needs[2].what = "match jobs";
    needs[2].bytes = (uint64_t)b->n_jobs * sizeof(dlm_match_job);
    needs[3].what = "match results";
    needs[3].bytes = (uint64_t)b->n_jobs * sizeof(dlm_match_result);
    if ((status = dlm_cl_check_memory(be, "this batch of matches", needs, 4, err)) != DLM_OK)
        return status;
    if ((status = dlm_cl_kernel(be, DLM_CLK_PLAY_MATCHES, &k, err)) != DLM_OK)
        return status;
    if ((status = dlm_cl_buffer(be, CL_MEM_READ_ONLY, needs[0].bytes, b->strategies, "strategies",
                            &strategies, err)) != DLM_OK ||
        (status = dlm_cl_buffer(be, CL_MEM_READ_ONLY, needs[1].bytes, b->params, "player parameters",
                            &params, err)) != DLM_OK ||
        (status = dlm_cl_buffer(be, CL_MEM_READ_ONLY, needs[2].bytes, b->jobs, "match jobs", &jobs,
                            err)) != DLM_OK ||
        (status = dlm_cl_buffer(be, CL_MEM_WRITE_ONLY, needs[3].bytes, NULL, "match results", &out,
                            err)) != DLM_OK)
        goto done;
    {
        cl_ulong seed = b->seed, continuation = b->rules.continuation;
        cl_uint rounds = b->rules.rounds, geometric = b->rules.geometric;
        int K = DLM_CLK_PLAY_MATCHES;
        if ((status = dlm_cl_arg(be, K, 0, sizeof seed, &seed, err)) != DLM_OK ||
            (status = dlm_cl_arg(be, K, 1, sizeof strategies, &strategies, err)) != DLM_OK ||
            (status = dlm_cl_arg(be, K, 2, sizeof params, &params, err)) != DLM_OK ||
            (status = dlm_cl_arg(be, K, 3, sizeof continuation, &continuation, err)) != DLM_OK ||
            (status = dlm_cl_arg(be, K, 4, sizeof rounds, &rounds, err)) != DLM_OK ||
            (status = dlm_cl_arg(be, K, 5, sizeof geometric, &geometric, err)) != DLM_OK ||
            (status = dlm_cl_arg(be, K, 6, sizeof jobs, &jobs, err)) != DLM_OK ||
            (status = dlm_cl_arg(be, K, 9, sizeof out, &out, err)) != DLM_OK)
            goto done;
        for (i = 0; i < b->n_jobs; i += MATCH_SLICE) {
            cl_ulong first = i, n = b->n_jobs - i < MATCH_SLICE ? b->n_jobs - i : MATCH_SLICE;
            /* One work-group width for every launch, so a compiler that specialises on it
               (PoCL) compiles once; the kernel skips the padding. */
            size_t local = match_group_width(be, k), global = ((size_t)n + local - 1) / local * local;
            if ((status = dlm_cl_arg(be, K, 7, sizeof first, &first, err)) != DLM_OK ||
                (status = dlm_cl_arg(be, K, 8, sizeof n, &n, err)) != DLM_OK ||
                (status = dlm_cl_launch(be, K, 1, &global, &local, err)) != DLM_OK)
                goto done;
        }
    }
    DLM_CL_TRY(clEnqueueReadBuffer(be->queue, out, CL_TRUE, 0, (size_t)needs[3].bytes, results, 0,
                                   NULL, NULL));
done:
    if (strategies)
        clReleaseMemObject(strategies);
    if (params)
        clReleaseMemObject(params);
    if (jobs)
        clReleaseMemObject(jobs);
    if (out)
        clReleaseMemObject(out);
    return status;
}

/* --- tests ------------------------------------------------------------------------------- */

dlm_status dlm_opencl_run_check(dlm_backend *be, const char *name, const void *in, size_t in_bytes,
                                void *out, size_t out_bytes, uint64_t n, dlm_error *err)
{
    int which = strcmp(name, "dlmk_check_math") == 0 ? DLM_CL_PROGRAM_EVOLVE : DLM_CL_PROGRAM_MATCH;
    cl_program prog;
    cl_kernel k = NULL;
    cl_mem bin = NULL, bout = NULL;
    cl_int rc = CL_SUCCESS;
    cl_ulong count = n;
    size_t global = (size_t)n;
    dlm_status status = dlm_cl_program(be, which, &prog, err);
    if (status != DLM_OK)
        return status;
    k = clCreateKernel(prog, name, &rc);
    DLM_CL_TRY_RC(rc, "clCreateKernel");
    if ((status = dlm_cl_buffer(be, CL_MEM_READ_ONLY, in_bytes, in, "check input", &bin, err)) != DLM_OK ||
        (status = dlm_cl_buffer(be, CL_MEM_WRITE_ONLY, out_bytes, NULL, "check output", &bout, err)) !=
            DLM_OK)
        goto done;
    DLM_CL_TRY(clSetKernelArg(k, 0, sizeof bin, &bin));
    DLM_CL_TRY(clSetKernelArg(k, 1, sizeof bout, &bout));
    DLM_CL_TRY(clSetKernelArg(k, 2, sizeof count, &count));
    DLM_CL_TRY(clEnqueueNDRangeKernel(be->queue, k, 1, NULL, &global, NULL, 0, NULL, NULL));
    DLM_CL_TRY(clEnqueueReadBuffer(be->queue, bout, CL_TRUE, 0, out_bytes, out, 0, NULL, NULL));
done:
    if (bin)
        clReleaseMemObject(bin);
    if (bout)
        clReleaseMemObject(bout);
    if (k)
        clReleaseKernel(k);
    return status;
}

void dlm_opencl_cache_stats(const dlm_backend *be, unsigned *compiled, unsigned *from_cache)
{
    *compiled = be->compiled;
    *from_cache = be->from_cache;
}

const char *dlm_opencl_build_log(const dlm_backend *be, int which)
{
    return be->build_log[which];
}

const dlm_backend_ops dlm_backend_opencl = {
    .name = "opencl",
    .available = cl_available,
    .auto_preferred = cl_auto_preferred,
    .auto_skip = dlm_cl_only_cpu_drivers,
    .list_devices = cl_list_devices,
    .create = cl_create,
    .play_matches = cl_play_matches,
    .evo_create = dlm_cl_evo_create,
    .evo_run = dlm_cl_evo_run,
    .evo_census = dlm_cl_evo_census,
    .evo_snapshot = dlm_cl_evo_snapshot,
    .evo_save = dlm_cl_evo_save,
    .evo_restore = dlm_cl_evo_restore,
    .evo_destroy = dlm_cl_evo_destroy,
    .describe = cl_describe,
    .destroy = cl_destroy,
};

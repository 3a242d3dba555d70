/* backend_cuda.c — the CUDA backend (DESIGN.md §5): the model headers of kernels/ run by the
 * thin entry points of kernels/cuda/dilemma.cu (compiled ahead of time by nvcc for sm_80,
 * sm_90 and PTX of compute_90, -fmad=false), on any CUDA device with compute capability
 * 8.0 or later (earlier ones load the PTX if the driver can JIT it).
 *
 * This half is plain C11 against the CUDA runtime API, linked statically (cudart_static):
 * a binary built with the toolkit starts on a machine without a driver, where
 * cudaGetDeviceCount fails and the backend says so (available() = 0). Where no NVIDIA
 * driver is installed at all (no device node, no libcuda.so.1: looked for in microseconds,
 * before the runtime is touched, which costs about 0.1 s) `auto` passes over it in silence
 * (present() = 0, host/backends/backend.c); where a driver is installed but fails or has no device,
 * `auto` says so in one line, so that a run meant for the GPU that lands on the CPU says so.
 *
 *   Work:     the same decomposition as the OpenCL backend (host/backends/backend_opencl_evolve.c):
 *             matches one thread per job; asynchronous rules one thread per population
 *             running its events in order (event slices for huge populations); synchronous
 *             rules per-agent evaluate / update with per-block integer count sums, Wright-
 *             Fisher's running sums per population; census per (chunk, population), merged
 *             in chunk order on the device. Byte-identical to the CPU by construction: the
 *             same model calls in the same order per population / agent / chunk.
 *   State:    the populations stay in device memory across evo_run calls; only counts
 *             (integers) and census records are copied back (and snapshots on request).
 *   Errors:   every runtime call and launch is checked; a failure names the call (or the
 *             kernel) and the error ("cuda: cudaMemcpy (match results) failed:
 *             cudaErrorLaunchFailure (unspecified launch failure)"), DLM_ERR_RUNTIME. A run
 *             whose buffers exceed the device's free memory (cudaMemGetInfo) is refused with
 *             the numbers (DLM_ERR_USAGE) before anything is allocated.
 */
#define _POSIX_C_SOURCE 200809L /* access */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if !defined(DLM_CUDA_EMULATOR)
#include <dlfcn.h>
#endif

#include "dlm_counts.h"
#include "backends/backend.h"
#include "backends/backend_cuda.h"

_Static_assert(sizeof(dlm_match_job) == sizeof(dlm_cuda_job), "dlm_match_job is the device's job");
_Static_assert(offsetof(dlm_match_job, population) == offsetof(dlm_cuda_job, population),
               "population at 16");
_Static_assert(offsetof(dlm_match_job, generation) == offsetof(dlm_cuda_job, generation),
               "generation at 24");
_Static_assert(sizeof(dlm_strategy) == 80, "dlm_strategy is 80 bytes");
_Static_assert(sizeof(dlm_player_params) == 24, "dlm_player_params is 24 bytes");
_Static_assert(sizeof(dlm_match_result) == 20, "dlm_match_result is 20 bytes");
_Static_assert(sizeof(dlm_evo_params) == 208, "dlm_evo_params is 208 bytes");
_Static_assert(sizeof(dlm_evo_population) == 40, "dlm_evo_population is 40 bytes");
_Static_assert(sizeof(dlm_evo_census) == 1072, "dlm_evo_census is 1072 bytes");

struct dlm_backend {
    int device;
    char name[256];
    int major, minor, multiprocessors;
    size_t total_mem;
    char description[400];
    cudaStream_t stream; /* every launch and asynchronous copy; a blocking stream, so that the
                            synchronous copies of the legacy stream stay ordered with it */
};

/* --- errors ------------------------------------------------------------------------------ */

/* "cuda: <call> (<what>) failed: <cudaErrorName> (<description>)"; DLM_ERR_RUNTIME. */
static dlm_status cu_fail(dlm_error *err, const char *call, const char *what, cudaError_t rc)
{
    return dlm_error_set(err, DLM_ERR_RUNTIME, "cuda: %s%s%s%s failed: %s (%s)", call,
                         what ? " (" : "", what ? what : "", what ? ")" : "", cudaGetErrorName(rc),
                         cudaGetErrorString(rc));
}

/* In a function with `dlm_status status`, `dlm_error *err` and a `done:` label: checks a
 * runtime call, or a launch wrapper (what: the kernel or buffer concerned). */
#define CU_TRY(call, what)                                                                         \
    do {                                                                                           \
        cudaError_t dlm_cu_rc_ = (call);                                                           \
        if (dlm_cu_rc_ != cudaSuccess) {                                                           \
            status = cu_fail(err, cu_call_name(#call), (what), dlm_cu_rc_);                        \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

/* The function's name of a stringified call ("cudaMemcpy(a, b)" -> "cudaMemcpy"), or
 * "kernel launch" for a launch wrapper. */
static const char *cu_call_name(const char *call)
{
    static _Thread_local char buf[64];
    size_t n = strcspn(call, "( ");
    if (strncmp(call, "dlm_cuda_launch_", 16) == 0)
        return "kernel launch"; /* the wrappers of kernels/cuda/dilemma.cu; `what` names it */
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, call, n);
    buf[n] = '\0';
    return buf;
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

/* --- devices ----------------------------------------------------------------------------- */

/* 1 when an NVIDIA driver is installed here: its device node (Linux, or WSL's /dev/dxg),
 * its /proc entry, or the user-space driver library the runtime loads. */
static int cu_present(void)
{
#if defined(DLM_CUDA_EMULATOR)
    return dlm_cuda_emu_driver_installed();
#else
    void *lib;
    if (access("/dev/nvidiactl", F_OK) == 0 || access("/proc/driver/nvidia/version", F_OK) == 0 ||
        access("/dev/dxg", F_OK) == 0)
        return 1;
    lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (!lib)
        return 0;
    dlclose(lib);
    return 1;
#endif
}

/* Devices here: >= 0, or -1 with why set (no driver, no device, a driver too old). */
static int device_count(char *why, size_t len)
{
    int n = 0;
    cudaError_t rc;
    if (!cu_present()) {
        snprintf(why, len, "no CUDA driver/device: no NVIDIA driver is installed here (no "
                           "/dev/nvidiactl, no libcuda.so.1)");
        return -1;
    }
    rc = cudaGetDeviceCount(&n);
    if (rc != cudaSuccess) {
        (void)cudaGetLastError(); /* not sticky: clear it */
        snprintf(why, len, "no CUDA driver/device: %s", cudaGetErrorString(rc));
        return -1;
    }
    if (n == 0) {
        snprintf(why, len, "no CUDA driver/device: the driver reports no device");
        return -1;
    }
    return n;
}

static int cu_available(char *why, size_t len)
{
    return device_count(why, len) > 0;
}

static dlm_status cu_list_devices(FILE *out, dlm_error *err)
{
    char why[256];
    int n = device_count(why, sizeof why), i;
    (void)err;
    if (n < 0) {
        fprintf(out, "cuda: %s\n", why);
        return DLM_OK;
    }
    for (i = 0; i < n; ++i) {
        struct cudaDeviceProp prop;
        char mem[32];
        cudaError_t rc = cudaGetDeviceProperties(&prop, i);
        if (rc != cudaSuccess) {
            fprintf(out, "cuda %d: (cudaGetDeviceProperties failed: %s)\n", i,
                    cudaGetErrorName(rc));
            continue;
        }
        fprintf(out, "cuda %d: %s (compute capability %d.%d, %d multiprocessors, memory %s)\n", i,
                prop.name, prop.major, prop.minor, prop.multiProcessorCount,
                human_bytes(prop.totalGlobalMem, mem, sizeof mem));
        fprintf(out, "        runs matches, tournaments, evolution (--device %d)\n", i);
    }
    return DLM_OK;
}

static void cu_destroy(dlm_backend *be)
{
    if (be && be->stream)
        cudaStreamDestroy(be->stream);
    free(be);
}

static dlm_status cu_create(const dlm_backend_options *opt, dlm_backend **out, dlm_error *err)
{
    char why[256];
    int n = device_count(why, sizeof why), want = opt ? opt->device : -1;
    dlm_backend *be;
    dlm_status status = DLM_OK;
    struct cudaDeviceProp prop;
    char mem[32];
    if (n < 0)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "cuda: %s", why);
    if (want >= n)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "cuda: --device %d: there %s %d CUDA device%s (0..%d; `dilemma "
                             "devices` lists them)",
                             want, n == 1 ? "is" : "are", n, n == 1 ? "" : "s", n - 1);
    if (!(be = calloc(1, sizeof *be)))
        return dlm_error_set(err, DLM_ERR_RUNTIME, "cuda: out of memory");
    be->device = want >= 0 ? want : opt && opt->spread > 0 ? opt->spread % n : 0;
    CU_TRY(cudaGetDeviceProperties(&prop, be->device), NULL);
    CU_TRY(cudaSetDevice(be->device), NULL);
    CU_TRY(cudaFree(NULL), "creating the context"); /* the context now, its failure here */
    CU_TRY(cudaStreamCreateWithFlags(&be->stream, cudaStreamDefault), "the backend's stream");
    snprintf(be->name, sizeof be->name, "%s", prop.name);
    be->major = prop.major;
    be->minor = prop.minor;
    be->multiprocessors = prop.multiProcessorCount;
    be->total_mem = prop.totalGlobalMem;
    snprintf(be->description, sizeof be->description, "cuda %d, %s (sm_%d%d, %s)", be->device,
             be->name, be->major, be->minor, human_bytes(be->total_mem, mem, sizeof mem));
done:
    if (status != DLM_OK) {
        cu_destroy(be);
        return status;
    }
    *out = be;
    return DLM_OK;
}

static const char *cu_describe(dlm_backend *be)
{
    return be->description;
}

/* --- memory ------------------------------------------------------------------------------ */

/* Refuses (DLM_ERR_USAGE, with the numbers) a run whose buffers exceed the device's free
 * memory; each buffer is rounded up to the allocator's 512-byte granularity. */
static dlm_status check_memory(dlm_backend *be, const char *run, const dlm_device_need *needs, size_t n,
                               dlm_error *err)
{
    uint64_t total = 0;
    size_t i, biggest = 0, free_b = 0, total_b = 0;
    char a[32], b[32], c[32];
    dlm_status status = DLM_OK;
    for (i = 0; i < n; ++i) {
        total += (needs[i].bytes + 511u) / 512u * 512u;
        if (needs[i].bytes > needs[biggest].bytes)
            biggest = i;
    }
    CU_TRY(cudaMemGetInfo(&free_b, &total_b), NULL);
    if (total > free_b)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "cuda: %s needs %s (%llu bytes) of device memory, the largest part "
                             "%s for %s, but %s has %s (%llu bytes) free of %s; use fewer agents "
                             "or populations, or --backend cpu",
                             run, human_bytes(total, a, sizeof a), (unsigned long long)total,
                             human_bytes(needs[biggest].bytes, b, sizeof b), needs[biggest].what,
                             be->name, human_bytes(free_b, c, sizeof c), (unsigned long long)free_b,
                             human_bytes(total_b, a, sizeof a));
done:
    return status;
}

/* A device buffer of `bytes` (at least 8), filled from host when not null. */
static dlm_status buffer(size_t bytes, const void *host, const char *what, void **out,
                         dlm_error *err)
{
    dlm_status status = DLM_OK;
    *out = NULL;
    CU_TRY(cudaMalloc(out, bytes ? bytes : 8), what);
    if (host && bytes)
        CU_TRY(cudaMemcpy(*out, host, bytes, cudaMemcpyHostToDevice), what);
    return DLM_OK;
done:
    if (*out)
        cudaFree(*out);
    *out = NULL;
    return status;
}

static void release(void *p)
{
    if (p)
        cudaFree(p);
}

/* --- matches ----------------------------------------------------------------------------- */

/* Jobs per launch: short launches keep a display GPU's watchdog quiet; results do not
 * depend on it. */
#define MATCH_SLICE ((size_t)1 << 20)

static dlm_status cu_play_matches(dlm_backend *be, const dlm_match_batch *b,
                                  dlm_match_result *results, dlm_error *err)
{
    void *strategies = NULL, *params = NULL, *jobs = NULL, *out = NULL;
    dlm_status status = DLM_OK;
    size_t i;
    dlm_device_need needs[4];
    for (i = 0; i < b->n_jobs; ++i) {
        const dlm_match_job *job = &b->jobs[i];
        if (job->strategy[0] >= b->n_strategies || job->strategy[1] >= b->n_strategies ||
            job->params[0] >= b->n_params || job->params[1] >= b->n_params)
            return dlm_error_set(err, DLM_ERR_RUNTIME,
                                 "cuda backend: job %zu names a strategy or parameter set "
                                 "outside the batch",
                                 i);
    }
    if (b->n_jobs == 0)
        return DLM_OK;
    CU_TRY(cudaSetDevice(be->device), NULL);
    needs[0].what = "strategies";
    needs[0].bytes = (uint64_t)b->n_strategies * sizeof(dlm_strategy);
    needs[1].what = "player parameters";
    needs[1].bytes = (uint64_t)b->n_params * sizeof(dlm_player_params);
    needs[2].what = "match jobs";
    needs[2].bytes = (uint64_t)b->n_jobs * sizeof(dlm_match_job);
    needs[3].what = "match results";
    needs[3].bytes = (uint64_t)b->n_jobs * sizeof(dlm_match_result);
    if ((status = check_memory(be, "this batch of matches", needs, 4, err)) != DLM_OK)
        return status;
    if ((status = buffer(needs[0].bytes, b->strategies, "strategies", &strategies, err)) !=
            DLM_OK ||
        (status = buffer(needs[1].bytes, b->params, "player parameters", &params, err)) != DLM_OK ||
        (status = buffer(needs[2].bytes, b->jobs, "match jobs", &jobs, err)) != DLM_OK ||
        (status = buffer(needs[3].bytes, NULL, "match results", &out, err)) != DLM_OK)
        goto done;
    for (i = 0; i < b->n_jobs; i += MATCH_SLICE) {
        uint64_t n = b->n_jobs - i < MATCH_SLICE ? b->n_jobs - i : MATCH_SLICE;
        CU_TRY(dlm_cuda_launch_play_matches(be->stream, b->seed, strategies, params, b->rules, jobs,
                                            i, n, out),
               "dlmk_play_matches");
    }
    CU_TRY(cudaMemcpy(results, out, (size_t)needs[3].bytes, cudaMemcpyDeviceToHost),
           "match results");
done:
    release(strategies);
    release(params);
    release(jobs);
    release(out);
    return status;
}

/* --- evolution --------------------------------------------------------------------------- */

struct dlm_evo_state {
    uint64_t seed, n_agents, tolerance, n_views;
    uint32_t n_pops, n_named, max_n, max_chunks, groups, width;
    int synchronous, any_wright_fisher, stop_at_fixation;
    int counts_only; /* every parameter set runs as counts: events cost O(types), not matches */
    dlm_evo_world w; /* device pointers (a placeholder where a run has no such array) */
    void *owned[16]; /* the world's buffers, to free */
    size_t n_owned;
    dlm_evo_population *pops;
    uint8_t *active;
    dlm_evo_counts *counts;
    uint64_t *partial;
    dlm_strategy *named;
    dlm_evo_census *parts, *census;
    void *dummy;
    cudaStream_t stream; /* the backend's */
    cudaEvent_t done;    /* recorded after a submission's copies back */
    int pending;         /* a submission not collected yet */
    /* Page-locked host buffers, the ends of the asynchronous copies. */
    uint8_t *h_active;
    dlm_evo_counts *h_counts;
    dlm_evo_census *h_census;
};

static void cu_evo_destroy(dlm_backend *be, dlm_evo_state *st)
{
    size_t i;
    (void)be;
    if (!st)
        return;
    for (i = 0; i < st->n_owned; ++i)
        release(st->owned[i]);
    release(st->pops);
    release(st->active);
    release(st->counts);
    if ((void *)st->partial != st->dummy)
        release(st->partial);
    if ((void *)st->named != st->dummy)
        release(st->named);
    release(st->parts);
    release(st->census);
    release(st->dummy);
    if (st->h_active)
        cudaFreeHost(st->h_active);
    if (st->h_counts)
        cudaFreeHost(st->h_counts);
    if (st->h_census)
        cudaFreeHost(st->h_census);
    if (st->done)
        cudaEventDestroy(st->done);
    free(st);
}

/* Threads per block of the per-agent kernels (a power of two). */
#define AGENT_WIDTH 64u

/* Allocates the world's arrays on the device and uploads the setup into them. */
static dlm_status upload_world(dlm_evo_state *st, const dlm_evo_setup *s, dlm_error *err)
{
    uint64_t graph_offsets = s->inter_offsets ? ((uint64_t)s->graph_n + 1u) * sizeof(uint64_t) : 0;
    dlm_status status = DLM_OK;
    if ((status = buffer(64, NULL, "placeholder", &st->dummy, err)) != DLM_OK)
        goto done;
    st->w.seed = s->seed;
    st->w.params = st->dummy;
    st->w.classes = st->dummy;
    st->w.table = st->dummy;
    st->w.inter_offsets = st->dummy;
    st->w.inter_neighbors = st->dummy;
    st->w.repl_offsets = st->dummy;
    st->w.repl_neighbors = st->dummy;
    st->w.strategy = st->dummy;
    st->w.agent_class = st->dummy;
    st->w.next = st->dummy;
    st->w.payoff = st->dummy;
    st->w.cumulative = st->dummy;
    st->w.fixed = (uint64_t *)st->dummy;
    st->w.exact = (const double *)st->dummy;
    st->w.views = (uint32_t *)st->dummy;
#define BUF(dst, type, bytes, host, what)                                                          \
    do {                                                                                           \
        void *p_;                                                                                  \
        if ((status = buffer((size_t)(bytes), (host), (what), &p_, err)) != DLM_OK)                \
            goto done;                                                                             \
        st->owned[st->n_owned++] = p_;                                                             \
        (dst) = (type)p_;                                                                          \
    } while (0)
    if (s->n_params)
        BUF(st->w.params, const dlm_evo_params *, s->n_params * sizeof(dlm_evo_params), s->params,
            "parameter sets");
    if (s->n_classes)
        BUF(st->w.classes, const dlm_player_params *, s->n_classes * sizeof(dlm_player_params),
            s->classes, "agent classes");
    if (s->n_table)
        BUF(st->w.table, const dlm_strategy *, s->n_table * sizeof(dlm_strategy), s->table,
            "mutation sets");
    if (s->n_exact)
        BUF(st->w.exact, const double *, s->n_exact * sizeof(double), s->exact,
            "exact payoffs of the types");
    if (s->inter_offsets) {
        BUF(st->w.inter_offsets, const uint64_t *, graph_offsets, s->inter_offsets,
            "interaction graph offsets");
        BUF(st->w.repl_offsets, const uint64_t *, graph_offsets, s->repl_offsets,
            "replacement graph offsets");
        if (s->inter_arcs)
            BUF(st->w.inter_neighbors, const uint32_t *, s->inter_arcs * sizeof(uint32_t),
                s->inter_neighbors, "interaction graph");
        if (s->repl_arcs)
            BUF(st->w.repl_neighbors, const uint32_t *, s->repl_arcs * sizeof(uint32_t),
                s->repl_neighbors, "replacement graph");
    }
    if (s->n_agents) {
        BUF(st->w.strategy, dlm_strategy *, s->n_agents * sizeof(dlm_strategy), s->strategies,
            "strategies");
        BUF(st->w.agent_class, const uint32_t *, s->n_agents * sizeof(uint32_t), s->agent_class,
            "agent classes");
        if (st->synchronous) {
            BUF(st->w.next, dlm_strategy *, s->n_agents * sizeof(dlm_strategy), NULL,
                "next generation");
            BUF(st->w.payoff, double *, s->n_agents * sizeof(double), NULL, "payoffs");
            BUF(st->w.cumulative, double *, s->n_agents * sizeof(double), NULL, "fitness sums");
        }
    }
    if (st->n_pops) { /* zero: no population has stopped at fixation */
        BUF(st->w.fixed, uint64_t *, st->n_pops * sizeof(uint64_t), NULL, "fixation generations");
        CU_TRY(cudaMemset(st->w.fixed, 0, st->n_pops * sizeof(uint64_t)), "fixation generations");
    }
    if (s->n_views) { /* zero: every view good */
        BUF(st->w.views, uint32_t *, s->n_views * sizeof(uint32_t), NULL, "private views");
        CU_TRY(cudaMemset(st->w.views, 0, s->n_views * sizeof(uint32_t)), "private views");
    }
#undef BUF
done:
    return status;
}

/* Allocates the populations, flags, counts and census buffers. */
static dlm_status alloc_buffers(dlm_evo_state *st, const dlm_evo_setup *s, dlm_error *err)
{
    dlm_status status = DLM_OK;
    void *p;
#define OWN(dst, type, bytes, host, what)                                                          \
do {                                                                                           \
    if ((status = buffer((size_t)(bytes), (host), (what), &p, err)) != DLM_OK)                 \
        goto done;                                                                             \
    (dst) = (type)p;                                                                           \
} while (0)
    OWN(st->pops, dlm_evo_population *, st->n_pops * sizeof(dlm_evo_population), s->populations,
        "populations");
    OWN(st->active, uint8_t *, st->n_pops, NULL, "active populations");
    OWN(st->counts, dlm_evo_counts *, st->n_pops * sizeof(dlm_evo_counts), NULL, "counts");
    if (st->synchronous)
        OWN(st->partial, uint64_t *, (size_t)st->n_pops * st->groups * 3u * sizeof(uint64_t),
            NULL, "partial counts");
    else
        st->partial = st->dummy;
    if (s->n_named)
        OWN(st->named, dlm_strategy *, s->n_named * sizeof(dlm_strategy), s->named,
            "named strategies");
    else
        st->named = st->dummy;
    OWN(st->parts, dlm_evo_census *,
        (size_t)st->n_pops * st->max_chunks * sizeof(dlm_evo_census), NULL, "census chunks");
    OWN(st->census, dlm_evo_census *, st->n_pops * sizeof(dlm_evo_census), NULL,
        "census records");
#undef OWN
done:
    return status;
}

static dlm_status cu_evo_create(dlm_backend *be, const dlm_evo_setup *s, dlm_evo_state **out,
                                dlm_error *err)
{
    dlm_evo_state *st = calloc(1, sizeof *st);
    dlm_status status = DLM_OK;
    dlm_device_need needs[DLM_EVO_NEEDS_MAX];
    size_t n_needs = 0, i;
    if (!st)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "cuda: out of memory");
    st->seed = s->seed;
    st->n_agents = s->n_agents;
    st->n_views = s->n_views;
    st->tolerance = s->tolerance;
    st->n_pops = (uint32_t)s->n_populations;
    st->n_named = s->n_named;
    st->synchronous = s->synchronous;
    for (i = 0; i < s->n_populations; ++i)
        if (s->populations[i].n > st->max_n)
            st->max_n = s->populations[i].n;
    st->counts_only = s->n_params > 0;
    for (i = 0; i < s->n_params; ++i)
        if (s->params[i].representation != DLM_REPRESENTATION_COUNTS)
            st->counts_only = 0;
    for (i = 0; i < s->n_params; ++i)
        if (s->params[i].rule == DLM_RULE_WRIGHT_FISHER ||
            (s->params[i].costs & DLM_COSTS_REFEREE)) /* step 2: sums, a referee's step */
            st->any_wright_fisher = 1;
    for (i = 0; i < s->n_params; ++i)
        if (s->params[i].stop_at_fixation)
            st->stop_at_fixation = 1;
    st->max_chunks = (st->max_n + DLM_CENSUS_CHUNK - 1u) / DLM_CENSUS_CHUNK;
    st->width = AGENT_WIDTH;
    st->groups = (st->max_n + st->width - 1u) / st->width;
    st->stream = be->stream;
    CU_TRY(cudaSetDevice(be->device), NULL);
    CU_TRY(cudaEventCreateWithFlags(&st->done, cudaEventDisableTiming), "the collect event");
    CU_TRY(
        cudaHostAlloc((void **)&st->h_active, st->n_pops ? st->n_pops : 1u, cudaHostAllocDefault),
        "pinned active flags");
    CU_TRY(cudaHostAlloc((void **)&st->h_counts,
                         (st->n_pops ? st->n_pops : 1u) * sizeof(dlm_evo_counts),
                         cudaHostAllocDefault),
           "pinned counts");
    CU_TRY(cudaHostAlloc((void **)&st->h_census,
                         (st->n_pops ? st->n_pops : 1u) * sizeof(dlm_evo_census),
                         cudaHostAllocDefault),
           "pinned census records");
    if (st->synchronous && (uint64_t)st->groups * st->n_pops > 2147483647ull) {
        status = dlm_error_set(err, DLM_ERR_USAGE,
                               "cuda: %u populations of up to %u agents need more than 2^31 "
                               "blocks; use fewer populations, or --backend cpu",
                               st->n_pops, st->max_n);
        goto done;
    }

    /* Memory: every buffer, checked against the device before any is allocated. */
    n_needs = dlm_evo_device_needs(s, st->synchronous ? st->groups : 0, st->max_chunks, needs);
    if ((status = check_memory(be, "this evolution", needs, n_needs, err)) != DLM_OK)
        goto done;

    if ((status = upload_world(st, s, err)) != DLM_OK ||
        (status = alloc_buffers(st, s, err)) != DLM_OK)
        goto done;
    CU_TRY(cudaDeviceSynchronize(), "uploads"); /* a failure shows here, not later */
done:
    if (status != DLM_OK) {
        cu_evo_destroy(be, st);
        return status;
    }
    *out = st;
    return DLM_OK;
}

/* Events one thread runs per launch, at most, and about this many per launch over all
 * populations: bounded launches keep a display GPU's watchdog quiet. How events are cut
 * into launches changes no number (each event's draws are keyed by population,
 * generation and event; the stream runs launches in order). */
#define ASYNC_EVENTS_PER_ITEM ((uint64_t)1 << 14)
#define ASYNC_EVENTS_PER_LAUNCH ((uint64_t)1 << 20)
#define ASYNC_COUNTS_SCALE 256u

static dlm_status run_async(dlm_evo_state *st, uint64_t first, uint64_t count, uint64_t active_pops,
                            dlm_error *err)
{
    /* counts: an event is a few hundred instructions, not matches, so a launch holds more */
    uint64_t scale = st->counts_only ? ASYNC_COUNTS_SCALE : 1u;
    uint64_t slice = ASYNC_EVENTS_PER_LAUNCH * scale / (active_pops ? active_pops : 1), per = 1, g;
    dlm_status status = DLM_OK;
    if (slice > ASYNC_EVENTS_PER_ITEM * scale)
        slice = ASYNC_EVENTS_PER_ITEM * scale;
    if (slice == 0)
        slice = 1;
    if (st->max_n == 0)
        return DLM_OK;
    if (slice >= st->max_n) { /* whole generations, as many as fit */
        per = slice / st->max_n;
        slice = st->max_n;
    }
    for (g = first; g < first + count; g += per) {
        uint64_t n = first + count - g < per ? first + count - g : per, e;
        for (e = 0; e < st->max_n; e += slice) {
            uint32_t begin = (uint32_t)e,
                     end = (uint32_t)(e + slice < st->max_n ? e + slice : st->max_n);
            CU_TRY(dlm_cuda_launch_evo_async(st->stream, st->w, st->pops, st->active, st->n_pops, g,
                                             n, begin, end, st->counts),
                   "dlmk_evo_async");
        }
    }
done:
    return status;
}

static dlm_status run_sync(dlm_evo_state *st, uint64_t first, uint64_t count, dlm_error *err)
{
    dlm_status status = DLM_OK;
    uint64_t g;
    for (g = first; g < first + count; ++g) {
        CU_TRY(dlm_cuda_launch_evo_evaluate(st->stream, st->w, st->pops, st->active, st->n_pops, g,
                                            st->groups, st->width, st->partial),
               "dlmk_evo_evaluate");
        CU_TRY(dlm_cuda_launch_evo_counts_add(st->stream, st->partial, st->groups, st->active,
                                              st->n_pops, st->counts),
               "dlmk_evo_counts_add");
        if (st->any_wright_fisher)
            CU_TRY(
                dlm_cuda_launch_evo_cumulate(st->stream, st->w, st->pops, st->active, st->n_pops),
                "dlmk_evo_cumulate");
        CU_TRY(dlm_cuda_launch_evo_update(st->stream, st->w, st->pops, st->active, st->n_pops, g,
                                          st->groups, st->width),
               "dlmk_evo_update");
        CU_TRY(dlm_cuda_launch_evo_commit(st->stream, st->w, st->pops, st->active, st->n_pops,
                                          st->groups, st->width),
               "dlmk_evo_commit");
        if (st->stop_at_fixation)
            CU_TRY(dlm_cuda_launch_evo_fixation(st->stream, st->w, st->pops, st->active,
                                                st->n_pops, g),
                   "dlmk_evo_fixation");
    }
done:
    return status;
}

/* Queues generations first .. first+count-1 of the active populations, their counts copied
 * back into h_counts. */
static dlm_status enqueue_run(dlm_evo_state *st, uint64_t first, uint64_t count,
                              const uint8_t *active, dlm_error *err)
{
    dlm_status status = DLM_OK;
    uint64_t active_pops = 0;
    uint32_t p;
    for (p = 0; p < st->n_pops; ++p)
        active_pops += active[p] ? 1u : 0u;
    memcpy(st->h_active, active, st->n_pops);
    CU_TRY(
        cudaMemcpyAsync(st->active, st->h_active, st->n_pops, cudaMemcpyHostToDevice, st->stream),
        "active populations");
    CU_TRY(cudaMemsetAsync(st->counts, 0, st->n_pops * sizeof(dlm_evo_counts), st->stream),
           "counts");
    status = st->synchronous ? run_sync(st, first, count, err)
                             : run_async(st, first, count, active_pops, err);
    if (status != DLM_OK)
        goto done;
    CU_TRY(cudaMemcpyAsync(st->h_counts, st->counts, st->n_pops * sizeof(dlm_evo_counts),
                           cudaMemcpyDeviceToHost, st->stream),
           "counts");
done:
    return status;
}

/* Queues the census of generation g, its records copied back into h_census. */
static dlm_status enqueue_census(dlm_evo_state *st, uint64_t g, dlm_error *err)
{
    dlm_status status = DLM_OK;
    CU_TRY(dlm_cuda_launch_census_chunks(st->stream, st->w, st->pops, st->n_pops, g, st->named,
                                         st->n_named, st->tolerance, st->max_chunks, st->parts),
           "dlmk_census_chunks");
    CU_TRY(dlm_cuda_launch_census_merge(st->stream, st->pops, st->n_pops, st->max_chunks, st->parts,
                                        st->census),
           "dlmk_census_merge");
    CU_TRY(cudaMemcpyAsync(st->h_census, st->census, st->n_pops * sizeof(dlm_evo_census),
                           cudaMemcpyDeviceToHost, st->stream),
           "census records");
done:
    return status;
}

static void add_counts(const dlm_evo_state *st, dlm_evo_counts *counts)
{
    uint32_t p;
    for (p = 0; p < st->n_pops; ++p) {
        counts[p].cooperations += st->h_counts[p].cooperations;
        counts[p].moves += st->h_counts[p].moves;
        counts[p].matches += st->h_counts[p].matches;
        counts[p].failed_events += st->h_counts[p].failed_events;
    }
}

static dlm_status not_between(dlm_evo_state *st, const char *call, dlm_error *err)
{
    (void)st;
    return dlm_error_set(err, DLM_ERR_RUNTIME,
                         "cuda: %s while a submission is not collected (a bug of the caller)",
                         call);
}

static dlm_status cu_evo_run(dlm_backend *be, dlm_evo_state *st, uint64_t first, uint64_t count,
                             const uint8_t *active, dlm_evo_counts *counts, dlm_error *err)
{
    dlm_status status = DLM_OK;
    if (st->pending)
        return not_between(st, "evo_run", err);
    if (count == 0 || st->n_pops == 0)
        return DLM_OK;
    CU_TRY(cudaSetDevice(be->device), NULL);
    if ((status = enqueue_run(st, first, count, active, err)) != DLM_OK)
        goto done;
    CU_TRY(cudaStreamSynchronize(st->stream), "generations");
    add_counts(st, counts);
done:
    return status;
}

static dlm_status cu_evo_census(dlm_backend *be, dlm_evo_state *st, uint64_t g, dlm_evo_census *out,
                                dlm_error *err)
{
    dlm_status status = DLM_OK;
    if (st->pending)
        return not_between(st, "evo_census", err);
    if (st->n_pops == 0)
        return DLM_OK;
    CU_TRY(cudaSetDevice(be->device), NULL);
    if ((status = enqueue_census(st, g, err)) != DLM_OK)
        goto done;
    CU_TRY(cudaStreamSynchronize(st->stream), "census");
    memcpy(out, st->h_census, st->n_pops * sizeof(dlm_evo_census));
done:
    return status;
}

/* Generations first .. first+count-1 and the census of first+count, queued; the host
 * writes the last records while they run (host/run/evolve.c). */
static dlm_status cu_evo_submit(dlm_backend *be, dlm_evo_state *st, uint64_t first, uint64_t count,
                                const uint8_t *active, dlm_error *err)
{
    dlm_status status = DLM_OK;
    if (st->pending)
        return not_between(st, "evo_submit", err);
    CU_TRY(cudaSetDevice(be->device), NULL);
    if (st->n_pops > 0) {
        if (count > 0 && (status = enqueue_run(st, first, count, active, err)) != DLM_OK)
            goto done;
        if (count == 0)
            memset(st->h_counts, 0, st->n_pops * sizeof(dlm_evo_counts));
        if ((status = enqueue_census(st, first + count, err)) != DLM_OK)
            goto done;
    }
    CU_TRY(cudaEventRecord(st->done, st->stream), "the collect event");
    st->pending = 1;
done:
    return status;
}

static dlm_status cu_evo_collect(dlm_backend *be, dlm_evo_state *st, dlm_evo_counts *counts,
                                 dlm_evo_census *out, dlm_error *err)
{
    dlm_status status = DLM_OK;
    if (!st->pending)
        return dlm_error_set(err, DLM_ERR_RUNTIME,
                             "cuda: evo_collect without a submission (a bug of the caller)");
    st->pending = 0;
    CU_TRY(cudaSetDevice(be->device), NULL);
    CU_TRY(cudaEventSynchronize(st->done), "generations and census");
    add_counts(st, counts);
    memcpy(out, st->h_census, st->n_pops * sizeof(dlm_evo_census));
done:
    return status;
}

static dlm_status cu_evo_snapshot(dlm_backend *be, dlm_evo_state *st, dlm_strategy *out,
                                  dlm_error *err)
{
    dlm_status status = DLM_OK;
    if (st->n_agents == 0)
        return DLM_OK;
    if (st->pending)
        return not_between(st, "evo_snapshot", err);
    CU_TRY(cudaSetDevice(be->device), NULL);
    /* the legacy stream's copy waits for the backend's (blocking) stream */
    CU_TRY(cudaMemcpy(out, st->w.strategy, st->n_agents * sizeof(dlm_strategy),
                      cudaMemcpyDeviceToHost),
           "strategies");
done:
    return status;
}

/* Checkpoints: the strategies and fixation generations, out of the device or back in. */
static dlm_status cu_evo_save(dlm_backend *be, dlm_evo_state *st, dlm_strategy *agents,
                              uint64_t *fixed, uint32_t *views, dlm_error *err)
{
    dlm_status status = DLM_OK;
    if (st->pending)
        return not_between(st, "evo_save", err);
    CU_TRY(cudaSetDevice(be->device), NULL);
    if (st->n_agents)
        CU_TRY(cudaMemcpy(agents, st->w.strategy, st->n_agents * sizeof(dlm_strategy),
                          cudaMemcpyDeviceToHost),
               "strategies");
    if (st->n_pops)
        CU_TRY(cudaMemcpy(fixed, st->w.fixed, st->n_pops * sizeof(uint64_t),
                          cudaMemcpyDeviceToHost),
               "fixation generations");
    if (st->n_views)
        CU_TRY(cudaMemcpy(views, st->w.views, st->n_views * sizeof(uint32_t),
                          cudaMemcpyDeviceToHost),
               "private views");
done:
    return status;
}

static dlm_status cu_evo_restore(dlm_backend *be, dlm_evo_state *st, const dlm_strategy *agents,
                                 const uint64_t *fixed, const uint32_t *views, dlm_error *err)
{
    dlm_status status = DLM_OK;
    if (st->pending)
        return not_between(st, "evo_restore", err);
    CU_TRY(cudaSetDevice(be->device), NULL);
    if (st->n_agents)
        CU_TRY(cudaMemcpy(st->w.strategy, agents, st->n_agents * sizeof(dlm_strategy),
                          cudaMemcpyHostToDevice),
               "strategies");
    if (st->n_pops)
        CU_TRY(cudaMemcpy(st->w.fixed, fixed, st->n_pops * sizeof(uint64_t),
                          cudaMemcpyHostToDevice),
               "fixation generations");
    if (st->n_views)
        CU_TRY(cudaMemcpy(st->w.views, views, st->n_views * sizeof(uint32_t),
                          cudaMemcpyHostToDevice),
               "private views");
done:
    return status;
}

/* --- tests ------------------------------------------------------------------------------- */

/* For tests/test_cuda.c: runs check kernel `name` (dlmk_check_philox: 6 words in, 4 out per
 * item; dlmk_check_math: 6 64-bit words in, 8 out; dlmk_check_curand: 3 64-bit words in,
 * 8 out) over n items. */
dlm_status dlm_cuda_run_check(dlm_backend *be, const char *name, const void *in, size_t in_bytes,
                              void *out, size_t out_bytes, uint64_t n, dlm_error *err);
dlm_status dlm_cuda_run_check(dlm_backend *be, const char *name, const void *in, size_t in_bytes,
                              void *out, size_t out_bytes, uint64_t n, dlm_error *err)
{
    void *din = NULL, *dout = NULL;
    dlm_status status = DLM_OK;
    CU_TRY(cudaSetDevice(be->device), NULL);
    if ((status = buffer(in_bytes, in, "check input", &din, err)) != DLM_OK ||
        (status = buffer(out_bytes, NULL, "check output", &dout, err)) != DLM_OK)
        goto done;
    if (strcmp(name, "dlmk_check_math") == 0)
        CU_TRY(dlm_cuda_launch_check_math(be->stream, din, dout, n), name);
    else if (strcmp(name, "dlmk_check_curand") == 0)
        CU_TRY(dlm_cuda_launch_check_curand(be->stream, din, dout, n), name);
    else
        CU_TRY(dlm_cuda_launch_check_philox(be->stream, din, dout, n), name);
    CU_TRY(cudaMemcpy(out, dout, out_bytes, cudaMemcpyDeviceToHost), "check output");
done:
    release(din);
    release(dout);
    return status;
}

/* For tests/test_cuda.c: the message cu_fail writes for rc. */
dlm_status dlm_cuda_fail_for_test(dlm_error *err, const char *call, const char *what, int rc);
dlm_status dlm_cuda_fail_for_test(dlm_error *err, const char *call, const char *what, int rc)
{
    return cu_fail(err, call, what, (cudaError_t)rc);
}

const dlm_backend_ops dlm_backend_cuda = {
    .name = "cuda",
    .available = cu_available,
    .present = cu_present,
    .list_devices = cu_list_devices,
    .create = cu_create,
    .play_matches = cu_play_matches,
    .evo_create = cu_evo_create,
    .evo_run = cu_evo_run,
    .evo_census = cu_evo_census,
    .evo_submit = cu_evo_submit,
    .evo_collect = cu_evo_collect,
    .evo_snapshot = cu_evo_snapshot,
    .evo_save = cu_evo_save,
    .evo_restore = cu_evo_restore,
    .evo_destroy = cu_evo_destroy,
    .describe = cu_describe,
    .destroy = cu_destroy,
};

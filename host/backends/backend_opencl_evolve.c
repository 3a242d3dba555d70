/* backend_opencl_evolve.c — the OpenCL backend's evolution: the model's arrays resident in
 * device buffers across generations (DESIGN.md §5), run by the kernels of
 * kernels/opencl/dilemma.cl in the order host/backends/cpu_evolve.c runs the same model functions:
 *
 *   asynchronous rules  dlmk_evo_async, one work-item per population, its events in order;
 *                       a launch covers several generations of small populations or a
 *                       slice of one generation's events of large ones (how they are cut
 *                       changes no number: each event's draws are keyed by (population,
 *                       generation, event), and the queue runs launches in order);
 *   synchronous rules   per generation: dlmk_evo_evaluate (agents in parallel; integer
 *                       counts reduced per work-group), dlmk_evo_counts_add,
 *                       dlmk_evo_cumulate (Wright-Fisher or a referee, per population in agent order),
 *                       dlmk_evo_update (agents in parallel), dlmk_evo_commit;
 *   census              dlmk_census_chunks (chunks of DLM_CENSUS_CHUNK agents in
 *                       parallel), then dlmk_census_merge (chunks merged in chunk order
 *                       per population), so the floating-point sums associate exactly as
 *                       on the CPU.
 * Only counts (integers) and census records cross to the host.
 */
#include <stdlib.h>
#include <string.h>

#include "dlm_counts.h"
#include "backends/backend_opencl.h"
#include "dlm_census.h"

/* Buffers of the world, in the order of DLM_CL_WORLD_ARGS (kernels/opencl/dilemma.cl)
 * after the seed. */
enum {
    W_PARAMS,
    W_CLASSES,
    W_TABLE,
    W_INTER_OFFSETS,
    W_INTER_NEIGHBORS,
    W_REPL_OFFSETS,
    W_REPL_NEIGHBORS,
    W_STRATEGY,
    W_AGENT_CLASS,
    W_NEXT,
    W_PAYOFF,
    W_CUMULATIVE,
    W_FIXED,
    W_EXACT,
    W_VIEWS,
    W_COUNT
};
/* The first kernel argument after the seed and the world's buffers. */
#define WA (1 + W_COUNT)

struct dlm_evo_state {
    uint64_t seed, n_agents, tolerance, n_views;
    cl_uint n_pops, n_named, max_n, max_chunks, groups;
    size_t local; /* work-group width of dlmk_evo_evaluate (a power of two) */
    int synchronous, any_wright_fisher, stop_at_fixation;
    int counts_only; /* every parameter set runs as counts: events cost O(types), not matches */
    cl_mem world[W_COUNT];
    cl_mem pops, active, counts, partial, named, parts, census;
    cl_mem dummy; /* stands in for arrays a run does not have */
    dlm_evo_counts *host_counts;
};

void dlm_cl_evo_destroy(dlm_backend *be, dlm_evo_state *st)
{
    cl_mem other[7];
    int i;
    (void)be;
    if (!st)
        return;
    for (i = 0; i < W_COUNT; ++i)
        if (st->world[i] && st->world[i] != st->dummy)
            clReleaseMemObject(st->world[i]);
    other[0] = st->pops;
    other[1] = st->active;
    other[2] = st->counts;
    other[3] = st->partial;
    other[4] = st->named;
    other[5] = st->parts;
    other[6] = st->census;
    for (i = 0; i < 7; ++i)
        if (other[i] && other[i] != st->dummy)
            clReleaseMemObject(other[i]);
    if (st->dummy)
        clReleaseMemObject(st->dummy);
    free(st->host_counts);
    free(st);
}

/* Sets the seed and the world's buffers as arguments 0 .. WA-1 of kernel k. */
static dlm_status world_args(dlm_backend *be, const dlm_evo_state *st, int k, dlm_error *err)
{
    cl_ulong seed = st->seed;
    dlm_status s = dlm_cl_arg(be, k, 0, sizeof seed, &seed, err);
    cl_uint i;
    for (i = 0; s == DLM_OK && i < W_COUNT; ++i)
        s = dlm_cl_arg(be, k, 1 + i, sizeof(cl_mem), &st->world[i], err);
    return s;
}

/* Largest power of two <= x (x >= 1). */
static size_t floor_pow2(size_t x)
{
    size_t p = 1;
    while (p * 2 <= x)
        p *= 2;
    return p;
}

/* The state's sizes from the setup. */
static void state_from_setup(dlm_evo_state *st, const dlm_evo_setup *s)
{
    size_t i;
    st->seed = s->seed;
    st->n_agents = s->n_agents;
    st->n_views = s->n_views;
    st->tolerance = s->tolerance;
    st->n_pops = (cl_uint)s->n_populations;
    st->n_named = s->n_named;
    st->synchronous = s->synchronous;
    for (i = 0; i < s->n_populations; ++i)
        if (s->populations[i].n > st->max_n)
            st->max_n = s->populations[i].n;
    st->counts_only = s->n_params > 0;
    for (i = 0; i < s->n_params; ++i) {
        if (s->params[i].representation != DLM_REPRESENTATION_COUNTS)
            st->counts_only = 0;
        if (s->params[i].rule == DLM_RULE_WRIGHT_FISHER ||
            (s->params[i].costs & DLM_COSTS_REFEREE)) /* step 2: sums, a referee's step */
            st->any_wright_fisher = 1;
        if (s->params[i].stop_at_fixation)
            st->stop_at_fixation = 1;
    }
    st->max_chunks = (st->max_n + DLM_CENSUS_CHUNK - 1u) / DLM_CENSUS_CHUNK;
}

/* Synchronous rules: the work-group width of dlmk_evo_evaluate (a power of two the kernel
 * and the device allow, at most 64) and the groups a population needs. */
static dlm_status work_groups(dlm_backend *be, dlm_evo_state *st, dlm_error *err)
{
    size_t kernel_wg = 0, item_sizes[3] = {0, 0, 0};
    cl_kernel k;
    dlm_status status;
    if ((status = dlm_cl_kernel(be, DLM_CLK_EVO_EVALUATE, &k, err)) != DLM_OK)
        return status;
    if (clGetKernelWorkGroupInfo(k, be->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof kernel_wg,
                                 &kernel_wg, NULL) != CL_SUCCESS || kernel_wg == 0)
        kernel_wg = 1;
    if (clGetDeviceInfo(be->device, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof item_sizes,
                        item_sizes, NULL) != CL_SUCCESS || item_sizes[0] == 0)
        item_sizes[0] = 1;
    st->local = 64;
    if (st->local > kernel_wg)
        st->local = kernel_wg;
    if (st->local > be->max_work_group)
        st->local = be->max_work_group;
    if (st->local > item_sizes[0])
        st->local = item_sizes[0];
    st->local = floor_pow2(st->local ? st->local : 1);
    st->groups = (cl_uint)((st->max_n + st->local - 1) / st->local);
    return DLM_OK;
}

/* Allocates every buffer and uploads the setup (after the memory check). */
static dlm_status upload(dlm_backend *be, dlm_evo_state *st, const dlm_evo_setup *s,
                         dlm_error *err)
{
    uint64_t graph_offsets = s->inter_offsets ? ((uint64_t)s->graph_n + 1u) * sizeof(uint64_t) : 0;
    dlm_status status;
    size_t i;
    const cl_mem_flags RO = CL_MEM_READ_ONLY, RW = CL_MEM_READ_WRITE;
    if ((status = dlm_cl_buffer(be, RW, 64, NULL, "placeholder", &st->dummy, err)) != DLM_OK)
        return status;
    for (i = 0; i < W_COUNT; ++i)
        st->world[i] = st->dummy;
#define BUF(dst, flags, bytes, host, what)                                                   \
    do {                                                                                     \
        if ((status = dlm_cl_buffer(be, (flags), (size_t)(bytes), (host), (what), &(dst),    \
                                    err)) != DLM_OK)                                         \
            return status;                                                                   \
    } while (0)
    if (s->n_params)
        BUF(st->world[W_PARAMS], RO, s->n_params * sizeof(dlm_evo_params), s->params,
            "parameter sets");
    if (s->n_classes)
        BUF(st->world[W_CLASSES], RO, s->n_classes * sizeof(dlm_player_params), s->classes,
            "agent classes");
    if (s->n_table)
        BUF(st->world[W_TABLE], RO, s->n_table * sizeof(dlm_strategy), s->table,
            "mutation sets");
    if (s->n_exact)
        BUF(st->world[W_EXACT], RO, s->n_exact * sizeof(double), s->exact,
            "exact payoffs of the types");
    if (s->inter_offsets) {
        BUF(st->world[W_INTER_OFFSETS], RO, graph_offsets, s->inter_offsets,
            "interaction graph offsets");
        BUF(st->world[W_REPL_OFFSETS], RO, graph_offsets, s->repl_offsets,
            "replacement graph offsets");
        if (s->inter_arcs)
            BUF(st->world[W_INTER_NEIGHBORS], RO, s->inter_arcs * sizeof(uint32_t),
                s->inter_neighbors, "interaction graph");
        if (s->repl_arcs)
            BUF(st->world[W_REPL_NEIGHBORS], RO, s->repl_arcs * sizeof(uint32_t),
                s->repl_neighbors, "replacement graph");
    }
    if (s->n_agents) {
        BUF(st->world[W_STRATEGY], RW, s->n_agents * sizeof(dlm_strategy), s->strategies,
            "strategies");
        BUF(st->world[W_AGENT_CLASS], RO, s->n_agents * sizeof(uint32_t), s->agent_class,
            "agent classes");
        if (st->synchronous) {
            BUF(st->world[W_NEXT], RW, s->n_agents * sizeof(dlm_strategy), NULL,
                "next generation");
            BUF(st->world[W_PAYOFF], RW, s->n_agents * sizeof(double), NULL, "payoffs");
            BUF(st->world[W_CUMULATIVE], RW, s->n_agents * sizeof(double), NULL,
                "fitness sums");
        }
    }
    if (st->n_pops) { /* zero: no population has stopped at fixation */
        cl_uchar zero = 0;
        cl_int rc;
        BUF(st->world[W_FIXED], RW, st->n_pops * sizeof(uint64_t), NULL,
            "fixation generations");
        rc = clEnqueueFillBuffer(be->queue, st->world[W_FIXED], &zero, 1, 0,
                                 st->n_pops * sizeof(uint64_t), 0, NULL, NULL);
        if (rc != CL_SUCCESS)
            return dlm_cl_fail(err, "clEnqueueFillBuffer", rc);
    }
    if (s->n_views) { /* zero: every view good */
        cl_uchar zero = 0;
        cl_int rc;
        BUF(st->world[W_VIEWS], RW, s->n_views * sizeof(uint32_t), NULL, "private views");
        rc = clEnqueueFillBuffer(be->queue, st->world[W_VIEWS], &zero, 1, 0,
                                 s->n_views * sizeof(uint32_t), 0, NULL, NULL);
        if (rc != CL_SUCCESS)
            return dlm_cl_fail(err, "clEnqueueFillBuffer", rc);
    }
    BUF(st->pops, RO, st->n_pops * sizeof(dlm_evo_population), s->populations, "populations");
    BUF(st->active, RW, st->n_pops, NULL, "active populations");
    BUF(st->counts, RW, st->n_pops * sizeof(dlm_evo_counts), NULL, "counts");
    if (st->synchronous)
        BUF(st->partial, RW, (size_t)st->n_pops * st->groups * 3u * sizeof(uint64_t), NULL,
            "partial counts");
    if (s->n_named)
        BUF(st->named, RO, s->n_named * sizeof(dlm_strategy), s->named, "named strategies");
    BUF(st->parts, RW, (size_t)st->n_pops * st->max_chunks * sizeof(dlm_evo_census), NULL,
        "census chunks");
    BUF(st->census, RW, st->n_pops * sizeof(dlm_evo_census), NULL, "census records");
#undef BUF
    if (!st->partial)
        st->partial = st->dummy;
    if (!st->named)
        st->named = st->dummy;
    return DLM_OK;
}

/* Builds the remaining kernels, so that every build happens at creation. */
static dlm_status build_kernels(dlm_backend *be, const dlm_evo_state *st, dlm_error *err)
{
    cl_kernel k;
    dlm_status status;
    if ((status = dlm_cl_kernel(be, DLM_CLK_CENSUS_CHUNKS, &k, err)) != DLM_OK ||
        (status = dlm_cl_kernel(be, DLM_CLK_CENSUS_MERGE, &k, err)) != DLM_OK)
        return status;
    if (st->synchronous &&
        ((status = dlm_cl_kernel(be, DLM_CLK_EVO_COUNTS_ADD, &k, err)) != DLM_OK ||
         (status = dlm_cl_kernel(be, DLM_CLK_EVO_CUMULATE, &k, err)) != DLM_OK ||
         (status = dlm_cl_kernel(be, DLM_CLK_EVO_UPDATE, &k, err)) != DLM_OK ||
         (status = dlm_cl_kernel(be, DLM_CLK_EVO_COMMIT, &k, err)) != DLM_OK ||
         (status = dlm_cl_kernel(be, DLM_CLK_EVO_FIXATION, &k, err)) != DLM_OK))
        return status;
    return DLM_OK;
}

dlm_status dlm_cl_evo_create(dlm_backend *be, const dlm_evo_setup *s, dlm_evo_state **out,
                             dlm_error *err)
{
    dlm_evo_state *st = calloc(1, sizeof *st);
    dlm_status status = DLM_OK;
    dlm_device_need needs[DLM_EVO_NEEDS_MAX];
    size_t n_needs;
    cl_kernel k;
    cl_int rc;
    if (!st)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "opencl: out of memory");
    state_from_setup(st, s);
    st->host_counts = calloc(s->n_populations ? s->n_populations : 1, sizeof *st->host_counts);
    if (!st->host_counts) {
        free(st);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "opencl: out of memory");
    }
    /* The kernels first: building the program tells whether the device can run this. */
    if ((status = dlm_cl_kernel(be, DLM_CLK_EVO_ASYNC, &k, err)) != DLM_OK ||
        (st->synchronous && (status = work_groups(be, st, err)) != DLM_OK))
        goto done;
    /* Memory: every buffer, checked against the device before any is allocated. */
    n_needs = dlm_evo_device_needs(s, st->synchronous ? st->groups : 0, st->max_chunks, needs);
    if ((status = dlm_cl_check_memory(be, "this evolution", needs, n_needs, err)) != DLM_OK ||
        (status = upload(be, st, s, err)) != DLM_OK ||
        (status = build_kernels(be, st, err)) != DLM_OK)
        goto done;
    rc = clFinish(be->queue); /* uploads done: a failure shows here, not later */
    if (rc != CL_SUCCESS)
        status = dlm_cl_fail(err, "clFinish", rc);
done:
    if (status != DLM_OK) {
        dlm_cl_evo_destroy(be, st);
        return status;
    }
    *out = st;
    return DLM_OK;
}

/* Events one work-item runs per launch, at most: bounded launches keep a display GPU's
 * watchdog quiet. How events are cut into launches changes no number. */
#define ASYNC_EVENTS_PER_ITEM ((uint64_t)1 << 14)
/* ... and about this many events per launch over all populations. */
#define ASYNC_EVENTS_PER_LAUNCH ((uint64_t)1 << 20)
#define ASYNC_COUNTS_SCALE 256u
#define ASYNC_GROUP 32u

/* Generations first .. first+count-1 of an asynchronous rule: several generations per
 * launch for small populations, a generation's events in slices for large ones. */
static dlm_status run_async(dlm_backend *be, dlm_evo_state *st, uint64_t first, uint64_t count,
                            uint64_t active_pops, dlm_error *err)
{
    const int K = DLM_CLK_EVO_ASYNC;
    /* counts: an event is a few hundred instructions, not matches, so a launch holds more */
    uint64_t scale = st->counts_only ? ASYNC_COUNTS_SCALE : 1u;
    uint64_t slice = ASYNC_EVENTS_PER_LAUNCH * scale / (active_pops ? active_pops : 1), per = 1, g;
    /* Work-groups of ASYNC_GROUP items: an implementation may otherwise choose groups of
       thousands, and one that keeps every item's private memory on a CPU thread's stack
       (PoCL) overflows it with the count representation's per-item state (about 3.5 KiB,
       kernels/dlm_counts.h). Items past n_pops return at once. */
    size_t local = ASYNC_GROUP, global = (st->n_pops + ASYNC_GROUP - 1) / ASYNC_GROUP * ASYNC_GROUP;
    dlm_status s;
    if (slice > ASYNC_EVENTS_PER_ITEM * scale)
        slice = ASYNC_EVENTS_PER_ITEM * scale;
    if (slice == 0)
        slice = 1;
    if (slice >= st->max_n) { /* whole generations, as many as fit */
        per = slice / st->max_n;
        slice = st->max_n;
    }
    if ((s = world_args(be, st, K, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, K, WA + 0, sizeof(cl_mem), &st->pops, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, K, WA + 1, sizeof(cl_mem), &st->active, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, K, WA + 2, sizeof(cl_uint), &st->n_pops, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, K, WA + 7, sizeof(cl_mem), &st->counts, err)) != DLM_OK)
        return s;
    for (g = first; g < first + count; g += per) {
        cl_ulong from = g, n = first + count - g < per ? first + count - g : per;
        uint64_t e;
        if ((s = dlm_cl_arg(be, K, WA + 3, sizeof from, &from, err)) != DLM_OK ||
            (s = dlm_cl_arg(be, K, WA + 4, sizeof n, &n, err)) != DLM_OK)
            return s;
        for (e = 0; e < st->max_n; e += slice) {
            cl_uint begin = (cl_uint)e, end = (cl_uint)(e + slice < st->max_n ? e + slice : st->max_n);
            if ((s = dlm_cl_arg(be, K, WA + 5, sizeof begin, &begin, err)) != DLM_OK ||
                (s = dlm_cl_arg(be, K, WA + 6, sizeof end, &end, err)) != DLM_OK ||
                (s = dlm_cl_launch(be, K, 1, &global, &local, err)) != DLM_OK)
                return s;
        }
    }
    return DLM_OK;
}

/* Generations first .. first+count-1 of a synchronous rule. */
static dlm_status run_sync(dlm_backend *be, dlm_evo_state *st, uint64_t first, uint64_t count,
                           dlm_error *err)
{
    const int EV = DLM_CLK_EVO_EVALUATE, ADD = DLM_CLK_EVO_COUNTS_ADD, CUM = DLM_CLK_EVO_CUMULATE,
              UP = DLM_CLK_EVO_UPDATE, COM = DLM_CLK_EVO_COMMIT, FX = DLM_CLK_EVO_FIXATION;
    size_t wide[2], local[2], pops = st->n_pops;
    uint64_t g;
    dlm_status s;
    wide[0] = (size_t)st->groups * st->local;
    wide[1] = st->n_pops;
    local[0] = st->local;
    local[1] = 1;
    if ((s = world_args(be, st, EV, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, EV, WA + 0, sizeof(cl_mem), &st->pops, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, EV, WA + 1, sizeof(cl_mem), &st->active, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, EV, WA + 2, sizeof(cl_uint), &st->n_pops, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, EV, WA + 4, sizeof(cl_mem), &st->partial, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, EV, WA + 5, 3u * st->local * sizeof(cl_ulong), NULL, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, ADD, 0, sizeof(cl_mem), &st->partial, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, ADD, 1, sizeof(cl_uint), &st->groups, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, ADD, 2, sizeof(cl_mem), &st->active, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, ADD, 3, sizeof(cl_uint), &st->n_pops, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, ADD, 4, sizeof(cl_mem), &st->counts, err)) != DLM_OK ||
        (s = world_args(be, st, CUM, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, CUM, WA + 0, sizeof(cl_mem), &st->pops, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, CUM, WA + 1, sizeof(cl_mem), &st->active, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, CUM, WA + 2, sizeof(cl_uint), &st->n_pops, err)) != DLM_OK ||
        (s = world_args(be, st, UP, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, UP, WA + 0, sizeof(cl_mem), &st->pops, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, UP, WA + 1, sizeof(cl_mem), &st->active, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, UP, WA + 2, sizeof(cl_uint), &st->n_pops, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, COM, 0, sizeof(cl_mem), &st->pops, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, COM, 1, sizeof(cl_mem), &st->active, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, COM, 2, sizeof(cl_uint), &st->n_pops, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, COM, 3, sizeof(cl_mem), &st->world[W_STRATEGY], err)) != DLM_OK ||
        (s = dlm_cl_arg(be, COM, 4, sizeof(cl_mem), &st->world[W_NEXT], err)) != DLM_OK ||
        (s = world_args(be, st, FX, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, FX, WA, sizeof(cl_mem), &st->pops, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, FX, WA + 1, sizeof(cl_mem), &st->active, err)) != DLM_OK ||
        (s = dlm_cl_arg(be, FX, WA + 2, sizeof(cl_uint), &st->n_pops, err)) != DLM_OK)
        return s;
    for (g = first; g < first + count; ++g) {
        cl_ulong gen = g;
        if ((s = dlm_cl_arg(be, EV, WA + 3, sizeof gen, &gen, err)) != DLM_OK ||
            (s = dlm_cl_launch(be, EV, 2, wide, local, err)) != DLM_OK ||
            (s = dlm_cl_launch(be, ADD, 1, &pops, NULL, err)) != DLM_OK ||
            (st->any_wright_fisher && (s = dlm_cl_launch(be, CUM, 1, &pops, NULL, err)) != DLM_OK) ||
            (s = dlm_cl_arg(be, UP, WA + 3, sizeof gen, &gen, err)) != DLM_OK ||
            (s = dlm_cl_launch(be, UP, 2, wide, local, err)) != DLM_OK ||
            (s = dlm_cl_launch(be, COM, 2, wide, local, err)) != DLM_OK ||
            (st->stop_at_fixation &&
             ((s = dlm_cl_arg(be, FX, WA + 3, sizeof gen, &gen, err)) != DLM_OK ||
              (s = dlm_cl_launch(be, FX, 1, &pops, NULL, err)) != DLM_OK)))
            return s;
    }
    return DLM_OK;
}

dlm_status dlm_cl_evo_run(dlm_backend *be, dlm_evo_state *st, uint64_t first, uint64_t count,
                          const uint8_t *active, dlm_evo_counts *counts, dlm_error *err)
{
    dlm_status status = DLM_OK;
    uint64_t active_pops = 0;
    cl_uchar zero = 0;
    cl_uint p;
    if (count == 0 || st->n_pops == 0)
        return DLM_OK;
    for (p = 0; p < st->n_pops; ++p)
        active_pops += active[p] ? 1u : 0u;
    DLM_CL_TRY(clEnqueueWriteBuffer(be->queue, st->active, CL_TRUE, 0, st->n_pops, active, 0, NULL,
                                    NULL));
    DLM_CL_TRY(clEnqueueFillBuffer(be->queue, st->counts, &zero, 1, 0,
                                   st->n_pops * sizeof(dlm_evo_counts), 0, NULL, NULL));
    status = st->synchronous ? run_sync(be, st, first, count, err)
                             : run_async(be, st, first, count, active_pops, err);
    if (status != DLM_OK)
        goto done;
    DLM_CL_TRY(clEnqueueReadBuffer(be->queue, st->counts, CL_TRUE, 0,
                                   st->n_pops * sizeof(dlm_evo_counts), st->host_counts, 0, NULL,
                                   NULL));
    for (p = 0; p < st->n_pops; ++p) {
        counts[p].cooperations += st->host_counts[p].cooperations;
        counts[p].moves += st->host_counts[p].moves;
        counts[p].matches += st->host_counts[p].matches;
        counts[p].failed_events += st->host_counts[p].failed_events;
    }
done:
    return status;
}

dlm_status dlm_cl_evo_census(dlm_backend *be, dlm_evo_state *st, uint64_t g, dlm_evo_census *out,
                             dlm_error *err)
{
    const int CH = DLM_CLK_CENSUS_CHUNKS, ME = DLM_CLK_CENSUS_MERGE;
    cl_ulong gen = g, tolerance = st->tolerance;
    size_t grid[2], local[2], group = ASYNC_GROUP;
    size_t pops = (st->n_pops + ASYNC_GROUP - 1) / ASYNC_GROUP * ASYNC_GROUP;
    dlm_status status;
    if (st->n_pops == 0)
        return DLM_OK;
    /* work-groups of ASYNC_GROUP populations, as run_async's: PoCL keeps a group's private
       memory on one thread's stack, and a census item of a count population holds its
       counts, a merge item two records; items past n_pops return at once */
    local[0] = 1;
    local[1] = ASYNC_GROUP;
    grid[0] = st->max_chunks;
    grid[1] = (st->n_pops + ASYNC_GROUP - 1) / ASYNC_GROUP * ASYNC_GROUP;
    if ((status = world_args(be, st, CH, err)) != DLM_OK ||
        (status = dlm_cl_arg(be, CH, WA + 0, sizeof(cl_mem), &st->pops, err)) != DLM_OK ||
        (status = dlm_cl_arg(be, CH, WA + 1, sizeof(cl_uint), &st->n_pops, err)) != DLM_OK ||
        (status = dlm_cl_arg(be, CH, WA + 2, sizeof gen, &gen, err)) != DLM_OK ||
        (status = dlm_cl_arg(be, CH, WA + 3, sizeof(cl_mem), &st->named, err)) != DLM_OK ||
        (status = dlm_cl_arg(be, CH, WA + 4, sizeof(cl_uint), &st->n_named, err)) != DLM_OK ||
        (status = dlm_cl_arg(be, CH, WA + 5, sizeof tolerance, &tolerance, err)) != DLM_OK ||
        (status = dlm_cl_arg(be, CH, WA + 6, sizeof(cl_uint), &st->max_chunks, err)) != DLM_OK ||
        (status = dlm_cl_arg(be, CH, WA + 7, sizeof(cl_mem), &st->parts, err)) != DLM_OK ||
        (status = dlm_cl_launch(be, CH, 2, grid, local, err)) != DLM_OK ||
        (status = dlm_cl_arg(be, ME, 0, sizeof(cl_mem), &st->pops, err)) != DLM_OK ||
        (status = dlm_cl_arg(be, ME, 1, sizeof(cl_uint), &st->n_pops, err)) != DLM_OK ||
        (status = dlm_cl_arg(be, ME, 2, sizeof(cl_uint), &st->max_chunks, err)) != DLM_OK ||
        (status = dlm_cl_arg(be, ME, 3, sizeof(cl_mem), &st->parts, err)) != DLM_OK ||
        (status = dlm_cl_arg(be, ME, 4, sizeof(cl_mem), &st->census, err)) != DLM_OK ||
        (status = dlm_cl_launch(be, ME, 1, &pops, &group, err)) != DLM_OK)
        return status;
    DLM_CL_TRY(clEnqueueReadBuffer(be->queue, st->census, CL_TRUE, 0,
                                   st->n_pops * sizeof(dlm_evo_census), out, 0, NULL, NULL));
done:
    return status;
}

dlm_status dlm_cl_evo_snapshot(dlm_backend *be, dlm_evo_state *st, dlm_strategy *out,
                               dlm_error *err)
{
    dlm_status status = DLM_OK;
    if (st->n_agents == 0)
        return DLM_OK;
    DLM_CL_TRY(clEnqueueReadBuffer(be->queue, st->world[W_STRATEGY], CL_TRUE, 0,
                                   st->n_agents * sizeof(dlm_strategy), out, 0, NULL, NULL));
done:
    return status;
}

dlm_status dlm_cl_evo_save(dlm_backend *be, dlm_evo_state *st, dlm_strategy *agents,
                           uint64_t *fixed, uint32_t *views, dlm_error *err)
{
    dlm_status status = DLM_OK;
    DLM_CL_TRY(clEnqueueReadBuffer(be->queue, st->world[W_STRATEGY], CL_TRUE, 0,
                                   st->n_agents * sizeof(dlm_strategy), agents, 0, NULL, NULL));
    DLM_CL_TRY(clEnqueueReadBuffer(be->queue, st->world[W_FIXED], CL_TRUE, 0,
                                   st->n_pops * sizeof(uint64_t), fixed, 0, NULL, NULL));
    if (st->n_views)
        DLM_CL_TRY(clEnqueueReadBuffer(be->queue, st->world[W_VIEWS], CL_TRUE, 0,
                                       st->n_views * sizeof(uint32_t), views, 0, NULL, NULL));
done:
    return status;
}

dlm_status dlm_cl_evo_restore(dlm_backend *be, dlm_evo_state *st, const dlm_strategy *agents,
                              const uint64_t *fixed, const uint32_t *views, dlm_error *err)
{
    dlm_status status = DLM_OK;
    DLM_CL_TRY(clEnqueueWriteBuffer(be->queue, st->world[W_STRATEGY], CL_TRUE, 0,
                                    st->n_agents * sizeof(dlm_strategy), agents, 0, NULL, NULL));
    DLM_CL_TRY(clEnqueueWriteBuffer(be->queue, st->world[W_FIXED], CL_TRUE, 0,
                                    st->n_pops * sizeof(uint64_t), fixed, 0, NULL, NULL));
    if (st->n_views)
        DLM_CL_TRY(clEnqueueWriteBuffer(be->queue, st->world[W_VIEWS], CL_TRUE, 0,
                                        st->n_views * sizeof(uint32_t), views, 0, NULL, NULL));
done:
    return status;
}

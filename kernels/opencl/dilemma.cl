/* dilemma.cl — the OpenCL backend's entry points: thin __kernel functions over the model
 * (DESIGN.md §2). No model logic lives here: each kernel computes which item its work-item
 * is and makes one call into kernels/dlm_entry.h, whose bodies the CUDA kernels
 * (kernels/cuda/dilemma.cu) call too, and which call the model functions the CPU backend
 * calls (host/backends/backend_cpu.c, host/backends/cpu_evolve.c), so the bytes are the same (§4). Only
 * dlmk_evo_evaluate's work-group sum (local memory and barriers), the assembly of the
 * model's world from kernel arguments and the layout check are written here.
 *
 * OpenCL C 1.2. The host (host/backends/backend_opencl.c) resolves the #include lines below
 * against the copies of kernels/ embedded at build time (cmake/EmbedOpenCL.cmake), or
 * against DLM_OPENCL_SOURCE_DIR, and builds two programs from this one file:
 *   matches    (no extra define): dlmk_play_matches and the check kernels; needs
 *              64-bit integers only;
 *   evolution  (-DDLM_CL_EVOLVE=1): also the evolution and census kernels and the math
 *              check; needs doubles (cl_khr_fp64).
 *
 * Work decomposition (each the same order of model calls as host/backends/cpu_evolve.c):
 *   dlmk_play_matches    one work-item per match job;
 *   dlmk_evo_async       one work-item per population: its events one after another
 *                        (Moran, Fermi keep their asynchronous semantics, DESIGN.md §6);
 *   dlmk_evo_evaluate    synchronous rules, step 1: one work-item per (agent, population),
 *                        the work-group's integer counts summed in local memory;
 *   dlmk_evo_counts_add  those partial counts added into each population's counts;
 *   dlmk_evo_cumulate    Wright-Fisher or a referee, step 2: one work-item per population, in agent order;
 *   dlmk_evo_update      synchronous rules, step 3: one work-item per (agent, population);
 *   dlmk_evo_commit      the next generation copied over the current one;
 *   dlmk_evo_fixation    stop_at_fixation, after a commit: one work-item per population;
 *   dlmk_census_chunks   one work-item per (chunk of DLM_CENSUS_CHUNK agents, population);
 *   dlmk_census_merge    one work-item per population: its chunks merged in chunk order.
 */
#if !defined(DLM_CL_EVOLVE)
#define DLM_ENTRY_MATCHES_ONLY 1 /* the matches program: no doubles */
#endif
#include "dlm_portable.h"
#include "dlm_entry.h"

/* The host's dlm_match_job (host/backends/backend.h), field for field (32 bytes); the layout
 * check below and static assertions in host/backends/backend_opencl.c keep the two equal. */
typedef struct dlm_cl_match_job {
    uint32_t strategy[2];
    uint32_t params[2];
    uint32_t population;
    uint32_t index;
    uint64_t generation;
} dlm_cl_match_job;

/* Jobs first .. first + n - 1 of a batch: what cpu_play_one does for each. */
__kernel void dlmk_play_matches(ulong seed, __global const dlm_strategy *strategies,
                                __global const dlm_player_params *params, ulong continuation,
                                uint rounds, uint geometric, __global const dlm_cl_match_job *jobs,
                                ulong first, ulong n, __global dlm_match_result *results)
{
    ulong i = first + get_global_id(0);
    dlm_cl_match_job job;
    dlm_match_rules rules;
    if (get_global_id(0) >= n)
        return;
    job = jobs[i];
    rules.continuation = continuation;
    rules.rounds = rounds;
    rules.geometric = geometric;
    results[i] = dlm_entry_play_job(seed, strategies, params, &rules, job.strategy, job.params,
                                    job.population, job.index, job.generation);
}

/* Sizes and offsets of the structs the host shares, in the order host/backends/backend_opencl.c
 * expects them (cl_layout_host there). One work-item. */
#define DLM_CL_OFFSET(var, field) ((ulong)((char *)&(var).field - (char *)&(var)))
__kernel void dlmk_check_layout(__global ulong *out)
{
    dlm_strategy s;
    dlm_player_params pp;
    dlm_match_rules mr;
    dlm_match_result res;
    dlm_cl_match_job job;
#if defined(DLM_CL_EVOLVE)
    dlm_evo_params ep;
    dlm_evo_population pop;
    dlm_evo_census cen;
#endif
    if (get_global_id(0) != 0)
        return;
    out[0] = sizeof(dlm_strategy);
    out[1] = DLM_CL_OFFSET(s, table);
    out[2] = DLM_CL_OFFSET(s, kind);
    out[3] = DLM_CL_OFFSET(s, fsm_output);
    out[4] = sizeof(dlm_player_params);
    out[5] = DLM_CL_OFFSET(pp, reaction_period);
    out[6] = sizeof(dlm_match_rules);
    out[7] = DLM_CL_OFFSET(mr, geometric);
    out[8] = sizeof(dlm_match_result);
    out[9] = DLM_CL_OFFSET(res, outcome);
    out[10] = sizeof(dlm_cl_match_job);
    out[11] = DLM_CL_OFFSET(job, generation);
#if defined(DLM_CL_EVOLVE)
    out[12] = sizeof(dlm_evo_params);
    out[13] = DLM_CL_OFFSET(ep, mutation);
    out[14] = DLM_CL_OFFSET(ep, rules);
    out[15] = DLM_CL_OFFSET(ep, payoff_mode);
    out[16] = sizeof(dlm_evo_population);
    out[17] = DLM_CL_OFFSET(pop, graph);
    out[18] = sizeof(dlm_evo_counts);
    out[19] = sizeof(dlm_evo_census);
    out[20] = DLM_CL_OFFSET(cen, cooperations);
    out[21] = DLM_CL_OFFSET(cen, m1_agents);
    out[22] = DLM_CL_OFFSET(cen, monomorphic);
#else
    out[12] = out[13] = out[14] = out[15] = out[16] = out[17] = 0u;
    out[18] = out[19] = out[20] = out[21] = out[22] = 0u;
#endif
}

/* Check kernel (tests): Philox4x32-10 of n counters and keys, 6 words in and 4 out each. */
__kernel void dlmk_check_philox(__global const uint *in, __global uint *out, ulong n)
{
    dlm_entry_check_philox(in, out, n, get_global_id(0));
}

#if defined(DLM_CL_EVOLVE)
/* Check kernel (tests): per item, 4 doubles (as bits) and 4 words in, 8 results out
 * (dlm_entry_check_math). */
__kernel void dlmk_check_math(__global const ulong *in, __global ulong *out, ulong n)
{
    dlm_entry_check_math(in, out, n, get_global_id(0));
}

/* The model's arrays, one kernel argument each (a struct of pointers cannot be one). */
#define DLM_CL_WORLD_ARGS                                                                     \
    ulong seed, __global const dlm_evo_params *params,                                        \
        __global const dlm_player_params *classes, __global const dlm_strategy *table,        \
        __global const ulong *inter_offsets, __global const uint *inter_neighbors,            \
        __global const ulong *repl_offsets, __global const uint *repl_neighbors,              \
        __global dlm_strategy *strategy, __global const uint *agent_class,                    \
        __global dlm_strategy *next, __global double *payoff, __global double *cumulative,    \
        __global ulong *fixed, __global const double *exact, __global uint *views

#define DLM_CL_WORLD()                                                                        \
    dlm_cl_world(seed, params, classes, table, inter_offsets, inter_neighbors, repl_offsets,  \
                 repl_neighbors, strategy, agent_class, next, payoff, cumulative, fixed, exact,  \
                 views)

DLM_FN dlm_evo_world dlm_cl_world(DLM_CL_WORLD_ARGS)
{
    dlm_evo_world w;
    w.seed = seed;
    w.params = params;
    w.classes = classes;
    w.table = table;
    w.inter_offsets = inter_offsets;
    w.inter_neighbors = inter_neighbors;
    w.repl_offsets = repl_offsets;
    w.repl_neighbors = repl_neighbors;
    w.strategy = strategy;
    w.agent_class = agent_class;
    w.next = next;
    w.payoff = payoff;
    w.cumulative = cumulative;
    w.fixed = fixed;
    w.exact = exact;
    w.views = views;
    return w;
}

/* Asynchronous rules: population get_global_id(0) (dlm_entry_evo_async). */
__kernel void dlmk_evo_async(DLM_CL_WORLD_ARGS, __global const dlm_evo_population *pops,
                             __global const uchar *active, uint n_pops, ulong first, ulong count,
                             uint begin, uint end, __global dlm_evo_counts *counts)
{
    dlm_evo_world w = DLM_CL_WORLD();
    dlm_entry_evo_async(&w, pops, active, n_pops, first, count, begin, end, counts,
                        (uint)get_global_id(0));
}

/* Synchronous rules, step 1: agent get_global_id(0) of population get_global_id(1).
 * Work-groups are (L, 1), L a power of two: the group's counts (integers, so the order
 * of the sum is immaterial) go to partial[(p * groups + group) * 3 + k]. This sum, with
 * its local memory and barriers, is the one part of a kernel the portable model cannot
 * spell. */
__kernel void dlmk_evo_evaluate(DLM_CL_WORLD_ARGS, __global const dlm_evo_population *pops,
                                __global const uchar *active, uint n_pops, ulong g,
                                __global ulong *partial, __local ulong *scratch)
{
    uint x = (uint)get_global_id(0), p = (uint)get_global_id(1);
    uint l = (uint)get_local_id(0), size = (uint)get_local_size(0), s;
    dlm_evo_world w = DLM_CL_WORLD();
    dlm_evo_counts c = dlm_entry_evo_evaluate(&w, pops, active, n_pops, g, p, x);
    scratch[l] = c.cooperations;
    scratch[size + l] = c.moves;
    scratch[2u * size + l] = c.matches;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (s = size / 2u; s > 0u; s >>= 1) {
        if (l < s) {
            scratch[l] += scratch[l + s];
            scratch[size + l] += scratch[size + l + s];
            scratch[2u * size + l] += scratch[2u * size + l + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (l == 0u && p < n_pops) {
        ulong at = ((ulong)p * get_num_groups(0) + get_group_id(0)) * 3u;
        partial[at] = scratch[0];
        partial[at + 1u] = scratch[size];
        partial[at + 2u] = scratch[2u * size];
    }
}

/* The partial counts of population get_global_id(0) added into its counts. */
__kernel void dlmk_evo_counts_add(__global const ulong *partial, uint groups,
                                  __global const uchar *active, uint n_pops,
                                  __global dlm_evo_counts *counts)
{
    dlm_entry_evo_counts_add(partial, groups, active, n_pops, counts, (uint)get_global_id(0));
}

/* Wright-Fisher, step 2: population get_global_id(0). */
__kernel void dlmk_evo_cumulate(DLM_CL_WORLD_ARGS, __global const dlm_evo_population *pops,
                                __global const uchar *active, uint n_pops)
{
    dlm_evo_world w = DLM_CL_WORLD();
    dlm_entry_evo_cumulate(&w, pops, active, n_pops, (uint)get_global_id(0));
}

/* Synchronous rules, step 3: agent get_global_id(0) of population get_global_id(1). */
__kernel void dlmk_evo_update(DLM_CL_WORLD_ARGS, __global const dlm_evo_population *pops,
                              __global const uchar *active, uint n_pops, ulong g)
{
    dlm_evo_world w = DLM_CL_WORLD();
    dlm_entry_evo_update(&w, pops, active, n_pops, g, (uint)get_global_id(1),
                         (uint)get_global_id(0));
}

/* Synchronous rules: agent get_global_id(0) of population get_global_id(1) takes its next
 * strategy. */
__kernel void dlmk_evo_commit(__global const dlm_evo_population *pops, __global const uchar *active,
                              uint n_pops, __global dlm_strategy *strategy,
                              __global const dlm_strategy *next)
{
    dlm_entry_evo_commit(strategy, next, pops, active, n_pops, (uint)get_global_id(1),
                         (uint)get_global_id(0));
}

/* Synchronous rules, after the commit of generation g: population get_global_id(0). */
__kernel void dlmk_evo_fixation(DLM_CL_WORLD_ARGS, __global const dlm_evo_population *pops,
                                __global uchar *active, uint n_pops, ulong g)
{
    dlm_evo_world w = DLM_CL_WORLD();
    dlm_entry_evo_fixation(&w, pops, active, n_pops, g, (uint)get_global_id(0));
}

/* Census: chunk get_global_id(0) of population get_global_id(1). */
__kernel void dlmk_census_chunks(DLM_CL_WORLD_ARGS, __global const dlm_evo_population *pops,
                                 uint n_pops, ulong g, __global const dlm_strategy *named,
                                 uint n_named, ulong tolerance, uint max_chunks,
                                 __global dlm_evo_census *part)
{
    dlm_evo_world w = DLM_CL_WORLD();
    dlm_entry_census_chunk(&w, pops, n_pops, g, named, n_named, tolerance, max_chunks, part,
                           (uint)get_global_id(1), (uint)get_global_id(0));
}

/* Census: population get_global_id(0)'s chunks merged in chunk order into out[p]. */
__kernel void dlmk_census_merge(__global const dlm_evo_population *pops, uint n_pops,
                                uint max_chunks, __global const dlm_evo_census *part,
                                __global dlm_evo_census *out)
{
    dlm_entry_census_merge(pops, n_pops, max_chunks, part, out, (uint)get_global_id(0));
}
#endif /* DLM_CL_EVOLVE */

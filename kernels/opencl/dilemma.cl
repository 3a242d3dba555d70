/* dilemma.cl — the OpenCL backend's entry points: thin __kernel loops over the model
 * functions of the kernels/ headers (DESIGN.md §2). No model logic lives here: each work-item
 * copies what it needs into private memory and calls the same function the CPU backend
 * calls (host/backend_cpu.c, host/cpu_evolve.c), so the bytes are the same (§4).
 *
 * OpenCL C 1.2. The host (host/backend_opencl.c) resolves the #include lines below
 * against the copies of kernels/ embedded at build time (cmake/EmbedOpenCL.cmake), or
 * against DLM_OPENCL_SOURCE_DIR, and builds two programs from this one file:
 *   matches    (no extra define): dlmk_play_matches and the check kernels; needs
 *              64-bit integers only;
 *   evolution  (-DDLM_CL_EVOLVE=1): also the evolution and census kernels and the math
 *              check; needs doubles (cl_khr_fp64).
 *
 * Work decomposition (each the same order of model calls as host/cpu_evolve.c):
 *   dlmk_play_matches    one work-item per match job;
 *   dlmk_evo_async       one work-item per population: its events one after another
 *                        (Moran, Fermi keep their asynchronous semantics, DESIGN.md §6);
 *   dlmk_evo_evaluate    synchronous rules, step 1: one work-item per (agent, population),
 *                        the work-group's integer counts summed in local memory;
 *   dlmk_evo_counts_add  those partial counts added into each population's counts;
 *   dlmk_evo_cumulate    Wright-Fisher, step 2: one work-item per population, in agent order;
 *   dlmk_evo_update      synchronous rules, step 3: one work-item per (agent, population);
 *   dlmk_evo_commit      the next generation copied over the current one;
 *   dlmk_census_chunks   one work-item per (chunk of DLM_CENSUS_CHUNK agents, population);
 *   dlmk_census_merge    one work-item per population: its chunks merged in chunk order.
 */
#include "dlm_portable.h"
#include "dlm_philox.h"
#include "dlm_model.h"
#include "dlm_match.h"
#if defined(DLM_CL_EVOLVE)
#include "dlm_census.h"
#endif

/* The host's dlm_match_job (host/backend.h), field for field (24 bytes); the layout
 * check below and static assertions in host/backend_opencl.c keep the two equal. */
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
    dlm_strategy a, b;
    dlm_player_params pa, pb;
    dlm_match_rules rules;
    ulong play, length;
    if (get_global_id(0) >= n)
        return;
    job = jobs[i];
    a = strategies[job.strategy[0]];
    b = strategies[job.strategy[1]];
    pa = params[job.params[0]];
    pb = params[job.params[1]];
    rules.continuation = continuation;
    rules.rounds = rounds;
    rules.geometric = geometric;
    play = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, job.population, job.generation);
    length = dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, job.population, job.generation);
    results[i] = dlm_play_match(&a, &b, &pa, &pb, &rules, seed, play, length, job.index,
                                (__global uint8_t *)0);
}

/* Sizes and offsets of the structs the host shares, in the order host/backend_opencl.c
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
    ulong i = get_global_id(0);
    dlm_u32x4 r;
    if (i >= n)
        return;
    r = dlm_philox4x32_10(in[6 * i], in[6 * i + 1], in[6 * i + 2], in[6 * i + 3], in[6 * i + 4],
                          in[6 * i + 5]);
    out[4 * i] = r.v[0];
    out[4 * i + 1] = r.v[1];
    out[4 * i + 2] = r.v[2];
    out[4 * i + 3] = r.v[3];
}

#if defined(DLM_CL_EVOLVE)
/* Check kernel (tests): per item, 4 doubles (as bits) and 4 words in; out: the bits of
 * dlm_exp(x), dlm_log(x), dlm_fermi(beta, delta), its threshold, the Gaussian pair of the
 * words, dlm_uniform_double and dlm_probability_threshold_from_double(p). */
__kernel void dlmk_check_math(__global const ulong *in, __global ulong *out, ulong n)
{
    ulong i = get_global_id(0);
    double x, beta, delta, p, f;
    uint w0, w1, w2, w3;
    dlm_f64x2 g;
    if (i >= n)
        return;
    x = DLM_BITS_DOUBLE(in[6 * i]);
    beta = DLM_BITS_DOUBLE(in[6 * i + 1]);
    delta = DLM_BITS_DOUBLE(in[6 * i + 2]);
    p = DLM_BITS_DOUBLE(in[6 * i + 3]);
    w0 = (uint)in[6 * i + 4];
    w1 = (uint)(in[6 * i + 4] >> 32);
    w2 = (uint)in[6 * i + 5];
    w3 = (uint)(in[6 * i + 5] >> 32);
    f = dlm_fermi(beta, delta);
    g = dlm_gaussian_pair(w0, w1, w2, w3);
    out[8 * i] = DLM_DOUBLE_BITS(dlm_exp(x));
    out[8 * i + 1] = DLM_DOUBLE_BITS(dlm_log(x));
    out[8 * i + 2] = DLM_DOUBLE_BITS(f);
    out[8 * i + 3] = dlm_probability_threshold_from_double(f);
    out[8 * i + 4] = DLM_DOUBLE_BITS(g.v[0]);
    out[8 * i + 5] = DLM_DOUBLE_BITS(g.v[1]);
    out[8 * i + 6] = DLM_DOUBLE_BITS(dlm_uniform_double(w0, w1));
    out[8 * i + 7] = dlm_probability_threshold_from_double(p);
}

/* The model's arrays, one kernel argument each (a struct of pointers cannot be one). */
#define DLM_CL_WORLD_ARGS                                                                     \
    ulong seed, __global const dlm_evo_params *params,                                        \
        __global const dlm_player_params *classes, __global const dlm_strategy *table,        \
        __global const ulong *inter_offsets, __global const uint *inter_neighbors,            \
        __global const ulong *repl_offsets, __global const uint *repl_neighbors,              \
        __global dlm_strategy *strategy, __global const uint *agent_class,                    \
        __global dlm_strategy *next, __global double *payoff, __global double *cumulative,    \
        __global ulong *fixed

#define DLM_CL_WORLD()                                                                        \
    dlm_cl_world(seed, params, classes, table, inter_offsets, inter_neighbors, repl_offsets,  \
                 repl_neighbors, strategy, agent_class, next, payoff, cumulative, fixed)

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
    return w;
}

/* Asynchronous rules: population get_global_id(0), generations first .. first+count-1,
 * in each its events begin .. min(end, n)-1 one after another (generation_serial in
 * host/cpu_evolve.c; the host splits a large generation's events over launches, never
 * reorders them). */
__kernel void dlmk_evo_async(DLM_CL_WORLD_ARGS, __global const dlm_evo_population *pops,
                             __global const uchar *active, uint n_pops, ulong first, ulong count,
                             uint begin, uint end, __global dlm_evo_counts *counts)
{
    uint p = (uint)get_global_id(0), e;
    dlm_evo_world w;
    dlm_evo_population pop;
    dlm_evo_counts c;
    ulong g;
    if (p >= n_pops || !active[p] || fixed[p])
        return;
    w = DLM_CL_WORLD();
    pop = pops[p];
    c = counts[p];
    for (g = first; g < first + count; ++g) {
        for (e = begin; e < end && e < pop.n; ++e)
            dlm_evo_event(&w, &pop, g, e, &c);
        if (end >= pop.n && dlm_evo_check_fixation(&w, &pop, p, g))
            break;
    }
    counts[p] = c;
}

/* Synchronous rules, step 1: agent get_global_id(0) of population get_global_id(1).
 * Work-groups are (L, 1), L a power of two: the group's counts (integers, so the order
 * of the sum is immaterial) go to partial[(p * groups + group) * 3 + k]. */
__kernel void dlmk_evo_evaluate(DLM_CL_WORLD_ARGS, __global const dlm_evo_population *pops,
                                __global const uchar *active, uint n_pops, ulong g,
                                __global ulong *partial, __local ulong *scratch)
{
    uint x = (uint)get_global_id(0), p = (uint)get_global_id(1);
    uint l = (uint)get_local_id(0), size = (uint)get_local_size(0), s;
    dlm_evo_counts c;
    c.cooperations = c.moves = c.matches = c.failed_events = 0u;
    if (p < n_pops && active[p]) {
        dlm_evo_world w = DLM_CL_WORLD();
        dlm_evo_population pop = pops[p];
        if (x < pop.n)
            dlm_evo_sync_evaluate(&w, &pop, g, x, &c);
    }
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
    uint p = (uint)get_global_id(0), k;
    dlm_evo_counts c;
    if (p >= n_pops || !active[p])
        return;
    c = counts[p];
    for (k = 0; k < groups; ++k) {
        ulong at = ((ulong)p * groups + k) * 3u;
        c.cooperations += partial[at];
        c.moves += partial[at + 1u];
        c.matches += partial[at + 2u];
    }
    counts[p] = c;
}

/* Wright-Fisher, step 2: population get_global_id(0). */
__kernel void dlmk_evo_cumulate(DLM_CL_WORLD_ARGS, __global const dlm_evo_population *pops,
                                __global const uchar *active, uint n_pops)
{
    uint p = (uint)get_global_id(0);
    dlm_evo_world w;
    dlm_evo_population pop;
    if (p >= n_pops || !active[p])
        return;
    w = DLM_CL_WORLD();
    pop = pops[p];
    if (params[pop.params].rule == DLM_RULE_WRIGHT_FISHER)
        dlm_evo_sync_cumulate(&w, &pop);
}

/* Synchronous rules, step 3: agent get_global_id(0) of population get_global_id(1). */
__kernel void dlmk_evo_update(DLM_CL_WORLD_ARGS, __global const dlm_evo_population *pops,
                              __global const uchar *active, uint n_pops, ulong g)
{
    uint x = (uint)get_global_id(0), p = (uint)get_global_id(1);
    dlm_evo_world w;
    dlm_evo_population pop;
    if (p >= n_pops || !active[p])
        return;
    pop = pops[p];
    if (x >= pop.n)
        return;
    w = DLM_CL_WORLD();
    dlm_evo_sync_update(&w, &pop, g, x);
}

/* Synchronous rules: the next generation replaces the current one (active populations). */
__kernel void dlmk_evo_commit(__global const dlm_evo_population *pops, __global const uchar *active,
                              uint n_pops, __global dlm_strategy *strategy,
                              __global const dlm_strategy *next)
{
    uint x = (uint)get_global_id(0), p = (uint)get_global_id(1);
    dlm_evo_population pop;
    if (p >= n_pops || !active[p])
        return;
    pop = pops[p];
    if (x < pop.n)
        strategy[pop.agent0 + x] = next[pop.agent0 + x];
}

/* Synchronous rules, after the commit of generation g: population get_global_id(0) stops
 * if it has become monomorphic (stop_at_fixation); later launches skip it. */
__kernel void dlmk_evo_fixation(DLM_CL_WORLD_ARGS, __global const dlm_evo_population *pops,
                                __global uchar *active, uint n_pops, ulong g)
{
    uint p = (uint)get_global_id(0);
    dlm_evo_world w;
    dlm_evo_population pop;
    if (p >= n_pops || !active[p] || fixed[p])
        return;
    w = DLM_CL_WORLD();
    pop = pops[p];
    if (dlm_evo_check_fixation(&w, &pop, p, g))
        active[p] = 0;
}

/* Census: chunk get_global_id(0) of population get_global_id(1) into
 * part[p * max_chunks + chunk]. */
__kernel void dlmk_census_chunks(DLM_CL_WORLD_ARGS, __global const dlm_evo_population *pops,
                                 uint n_pops, ulong g, __global const dlm_strategy *named,
                                 uint n_named, ulong tolerance, uint max_chunks,
                                 __global dlm_evo_census *part)
{
    uint c = (uint)get_global_id(0), p = (uint)get_global_id(1);
    dlm_evo_world w;
    dlm_evo_population pop;
    if (p >= n_pops || c >= max_chunks)
        return;
    pop = pops[p];
    if (c >= (pop.n + DLM_CENSUS_CHUNK - 1u) / DLM_CENSUS_CHUNK)
        return;
    w = DLM_CL_WORLD();
    part[(ulong)p * max_chunks + c] =
        dlm_census_chunk(&w, &pop, dlm_evo_census_generation(&w, p, g), c, named, n_named,
                         tolerance);
}

/* Census: population get_global_id(0)'s chunks merged in chunk order into out[p]. */
__kernel void dlmk_census_merge(__global const dlm_evo_population *pops, uint n_pops,
                                uint max_chunks, __global const dlm_evo_census *part,
                                __global dlm_evo_census *out)
{
    uint p = (uint)get_global_id(0), c, chunks;
    dlm_evo_census r, b;
    if (p >= n_pops)
        return;
    chunks = (pops[p].n + DLM_CENSUS_CHUNK - 1u) / DLM_CENSUS_CHUNK;
    r = dlm_census_empty();
    for (c = 0; c < chunks; ++c) {
        b = part[(ulong)p * max_chunks + c];
        dlm_census_merge(&r, &b);
    }
    out[p] = r;
}
#endif /* DLM_CL_EVOLVE */

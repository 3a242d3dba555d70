/* dlm_entry.h — what each device entry point does for its one work-item, written once for
 * the CUDA kernels (kernels/cuda/dilemma.cu) and the OpenCL kernels
 * (kernels/opencl/dilemma.cl), so that an entry point is its launch shape (which item this
 * thread or work-item is) and one call into this header (DESIGN.md §2). The CPU backend
 * (host/backends/backend_cpu.c, host/backends/cpu_evolve.c) runs the same model functions in its own loops;
 * every body below makes the same calls in the same order, so the bytes agree (§4).
 *
 * Each dlm_entry_* function takes the kernel's arguments as the kernel received them
 * (pointers into global memory) and the item's index or indices, already computed by the
 * entry point, and checks them against the launch's bounds itself: an entry point may run
 * more items than there are (grids are rounded up to whole blocks or work-groups).
 *
 * What stays in the entry points: the index arithmetic of each launch shape, building the
 * model's world (OpenCL passes its arrays one argument each), and the work-group sum of
 * dlmk_evo_evaluate's counts, which needs __local / __shared__ scratch memory and barriers
 * that this portable subset cannot spell.
 *
 * DLM_ENTRY_MATCHES_ONLY: only the match and Philox bodies, which need no doubles (the
 * OpenCL matches program, built for devices without cl_khr_fp64, defines it).
 */
#ifndef DLM_ENTRY_H
#define DLM_ENTRY_H

#include "dlm_match.h"
#include "dlm_model.h"
#include "dlm_philox.h"
#include "dlm_portable.h"

/* Match job `i` of a batch (job fields as host/backends/backend.h's dlm_match_job): what the CPU
 * backend's cpu_play_one gives, without a trace. */
DLM_FN dlm_match_result dlm_entry_play_job(uint64_t seed, DLM_CONST dlm_strategy *strategies,
                                           DLM_CONST dlm_player_params *params,
                                           const dlm_match_rules *rules, const uint32_t strategy[2],
                                           const uint32_t param[2], uint32_t population,
                                           uint32_t index, uint64_t generation)
{
    dlm_strategy a = strategies[strategy[0]], b = strategies[strategy[1]];
    dlm_player_params pa = params[param[0]], pb = params[param[1]];
    uint64_t play = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, population, generation);
    uint64_t length = dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, population, generation);
    return dlm_play_match(&a, &b, &pa, &pb, rules, seed, play, length, index,
                          (DLM_GLOBAL uint8_t *)0);
}

/* Self-test item i of n: Philox4x32-10 of counter in[6i .. 6i+3] and key in[6i+4 ..
 * 6i+5], into out[4i .. 4i+3]. */
DLM_FN void dlm_entry_check_philox(DLM_CONST uint32_t *in, DLM_GLOBAL uint32_t *out, uint64_t n,
                                   uint64_t i)
{
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

#if !defined(DLM_ENTRY_MATCHES_ONLY)
#include "dlm_census.h"
#include "dlm_counts.h"
#include "dlm_evolve.h"
#include "dlm_math.h"

/* Self-test item i of n: in[6i .. 6i+5] = x, beta, delta, p (bits of doubles), w0 | w1 <<
 * 32, w2 | w3 << 32; out[8i .. 8i+7] = the bits of dlm_exp(x), dlm_log(x), dlm_fermi(beta,
 * delta), its threshold, the Gaussian pair of the words, dlm_uniform_double(w0, w1), and
 * dlm_probability_threshold_from_double(p). */
DLM_FN void dlm_entry_check_math(DLM_CONST uint64_t *in, DLM_GLOBAL uint64_t *out, uint64_t n,
                                 uint64_t i)
{
    double x, beta, delta, p, f;
    uint32_t w0, w1, w2, w3;
    dlm_f64x2 g;
    if (i >= n)
        return;
    x = DLM_BITS_DOUBLE(in[6 * i]);
    beta = DLM_BITS_DOUBLE(in[6 * i + 1]);
    delta = DLM_BITS_DOUBLE(in[6 * i + 2]);
    p = DLM_BITS_DOUBLE(in[6 * i + 3]);
    w0 = (uint32_t)in[6 * i + 4];
    w1 = (uint32_t)(in[6 * i + 4] >> 32);
    w2 = (uint32_t)in[6 * i + 5];
    w3 = (uint32_t)(in[6 * i + 5] >> 32);
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

/* Asynchronous rules, population p of n_pops (active and not stopped): generations first ..
 * first+count-1, in each its events begin .. min(end, n)-1 one after another, counts added
 * into counts[p] (generation_serial in host/backends/cpu_evolve.c; the host splits a large
 * generation's events over launches, never reorders them). A population of the count
 * representation runs dlm_counts_run (kernels/dlm_counts.h) instead. A generation whose last event
 * ran ends with the fixation check (stop_at_fixation): a population that fixed stops there. */
DLM_FN void dlm_entry_evo_async(const dlm_evo_world *w, DLM_CONST dlm_evo_population *pops,
                                DLM_CONST uint8_t *active, uint32_t n_pops, uint64_t first,
                                uint64_t count, uint32_t begin, uint32_t end,
                                DLM_GLOBAL dlm_evo_counts *counts, uint32_t p)
{
    dlm_evo_population pop;
    dlm_evo_counts c;
    uint64_t g;
    uint32_t e;
    if (p >= n_pops || !active[p] || w->fixed[p])
        return;
    pop = pops[p];
    c = counts[p];
    if (w->params[pop.params].representation == DLM_REPRESENTATION_COUNTS) {
        dlm_counts_run(w, &pop, p, first, count, begin, end, &c);
        counts[p] = c;
        return;
    }
    for (g = first; g < first + count; ++g) {
        for (e = begin; e < end && e < pop.n; ++e)
            dlm_evo_event(w, &pop, g, e, &c);
        if (end >= pop.n && dlm_evo_check_fixation(w, &pop, p, g))
            break;
    }
    counts[p] = c;
}

/* Synchronous rules, step 1, agent x of population p: its payoff of generation g, and the
 * counts of its matches (zero for an item outside the populations; the entry point sums
 * them over its work-group). */
DLM_FN dlm_evo_counts dlm_entry_evo_evaluate(const dlm_evo_world *w,
                                             DLM_CONST dlm_evo_population *pops,
                                             DLM_CONST uint8_t *active, uint32_t n_pops, uint64_t g,
                                             uint32_t p, uint32_t x)
{
    dlm_evo_counts c;
    c.cooperations = c.moves = c.matches = c.failed_events = 0u;
    if (p < n_pops && active[p]) {
        dlm_evo_population pop = pops[p];
        if (x < pop.n && w->params[pop.params].representation != DLM_REPRESENTATION_COUNTS)
            dlm_evo_sync_evaluate(w, &pop, g, x, &c);
    }
    return c;
}

/* Population p's work-group sums partial[(p * groups + k) * 3 + 0..2] (cooperations,
 * moves, matches) added into counts[p]. */
DLM_FN void dlm_entry_evo_counts_add(DLM_CONST uint64_t *partial, uint32_t groups,
                                     DLM_CONST uint8_t *active, uint32_t n_pops,
                                     DLM_GLOBAL dlm_evo_counts *counts, uint32_t p)
{
    dlm_evo_counts c;
    uint32_t k;
    if (p >= n_pops || !active[p])
        return;
    c = counts[p];
    for (k = 0; k < groups; ++k) {
        uint64_t at = ((uint64_t)p * groups + k) * 3u;
        c.cooperations += partial[at];
        c.moves += partial[at + 1u];
        c.matches += partial[at + 2u];
    }
    counts[p] = c;
}

/* Synchronous rules, step 2, population p: Wright-Fisher's running fitness sums, in agent
 * order, and a referee's serial step (dlm_evo_sync_step2); other populations have none. */
DLM_FN void dlm_entry_evo_cumulate(const dlm_evo_world *w, DLM_CONST dlm_evo_population *pops,
                                   DLM_CONST uint8_t *active, uint32_t n_pops, uint32_t p)
{
    dlm_evo_population pop;
    if (p >= n_pops || !active[p])
        return;
    pop = pops[p];
    dlm_evo_sync_step2(w, &pop);
}

/* Synchronous rules, step 3, agent x of population p: its strategy of generation g + 1.
 * A count population (Wright-Fisher) has no steps 1 and 2: item 0 writes every place of
 * its next generation (dlm_counts_wright_fisher), the other items nothing. */
DLM_FN void dlm_entry_evo_update(const dlm_evo_world *w, DLM_CONST dlm_evo_population *pops,
                                 DLM_CONST uint8_t *active, uint32_t n_pops, uint64_t g, uint32_t p,
                                 uint32_t x)
{
    dlm_evo_population pop;
    if (p >= n_pops || !active[p])
        return;
    pop = pops[p];
    if (w->params[pop.params].representation == DLM_REPRESENTATION_COUNTS) {
        if (x == 0u) /* the whole population's next generation, from its counts */
            dlm_counts_wright_fisher(w, &pop, g);
        return;
    }
    if (x < pop.n)
        dlm_evo_sync_update(w, &pop, g, x);
}

/* Synchronous rules, agent x of population p: the next generation replaces the current. */
DLM_FN void dlm_entry_evo_commit(DLM_GLOBAL dlm_strategy *strategy, DLM_CONST dlm_strategy *next,
                                 DLM_CONST dlm_evo_population *pops, DLM_CONST uint8_t *active,
                                 uint32_t n_pops, uint32_t p, uint32_t x)
{
    dlm_evo_population pop;
    if (p >= n_pops || !active[p])
        return;
    pop = pops[p];
    if (x < pop.n)
        strategy[pop.agent0 + x] = next[pop.agent0 + x];
}

/* Synchronous rules, after the commit of generation g, population p: one that has become
 * monomorphic (stop_at_fixation) records it in w->fixed and clears its active flag, so
 * later launches skip it. */
DLM_FN void dlm_entry_evo_fixation(const dlm_evo_world *w, DLM_CONST dlm_evo_population *pops,
                                   DLM_GLOBAL uint8_t *active, uint32_t n_pops, uint64_t g,
                                   uint32_t p)
{
    dlm_evo_population pop;
    if (p >= n_pops || !active[p] || w->fixed[p])
        return;
    pop = pops[p];
    if (dlm_evo_check_fixation(w, &pop, p, g))
        active[p] = 0;
}

/* Census of generation g, chunk c (DLM_CENSUS_CHUNK agents) of population p, into
 * part[p * max_chunks + c]; a stopped population's census is of its fixation generation. */
DLM_FN void dlm_entry_census_chunk(const dlm_evo_world *w, DLM_CONST dlm_evo_population *pops,
                                   uint32_t n_pops, uint64_t g, DLM_CONST dlm_strategy *named,
                                   uint32_t n_named, uint64_t tolerance, uint32_t max_chunks,
                                   DLM_GLOBAL dlm_evo_census *part, uint32_t p, uint32_t c)
{
    dlm_evo_population pop;
    if (p >= n_pops || c >= max_chunks)
        return;
    pop = pops[p];
    if (c >= (pop.n + DLM_CENSUS_CHUNK - 1u) / DLM_CENSUS_CHUNK)
        return;
    part[(uint64_t)p * max_chunks + c] =
        dlm_census_chunk(w, &pop, dlm_evo_census_generation(w, p, g), c, named, n_named, tolerance);
}

/* Census, population p: its chunks merged in chunk order into out[p]. */
DLM_FN void dlm_entry_census_merge(DLM_CONST dlm_evo_population *pops, uint32_t n_pops,
                                   uint32_t max_chunks, DLM_CONST dlm_evo_census *part,
                                   DLM_GLOBAL dlm_evo_census *out, uint32_t p)
{
    dlm_evo_census r, b;
    uint32_t c, chunks;
    if (p >= n_pops)
        return;
    chunks = (pops[p].n + DLM_CENSUS_CHUNK - 1u) / DLM_CENSUS_CHUNK;
    r = dlm_census_empty();
    for (c = 0; c < chunks; ++c) {
        b = part[(uint64_t)p * max_chunks + c];
        dlm_census_merge(&r, &b);
    }
    out[p] = r;
}

#endif /* !DLM_ENTRY_MATCHES_ONLY */
#endif /* DLM_ENTRY_H */

/* cpu_evolve.c — the CPU backend's evolution: resident copies of the model's arrays and
 * loops over the model functions of kernels/dlm_evolve.h and kernels/dlm_census.h.
 *
 * Parallelism never changes a rule's semantics (DESIGN.md §6): populations evolve in
 * parallel; inside one population an asynchronous rule's events run one after another,
 * and a synchronous rule's evaluations and updates run in parallel over agents. Census
 * chunks run in parallel and merge in chunk order. The output does not depend on the
 * number of threads.
 */
#include <stdlib.h>
#include <string.h>
#if defined(DLM_HAVE_OPENMP)
#include <omp.h>
#endif

#include "backends/cpu_evolve.h"
#include "dlm_census.h"
#include "dlm_counts.h"

struct dlm_evo_state {
    int threads;
    dlm_evo_world world;
    dlm_evo_population *pops;
    size_t n_pops;
    dlm_strategy *named;
    uint32_t n_named;
    uint64_t tolerance;
    int synchronous;
    uint64_t n_agents;
    uint64_t n_views; /* words of private views */
    dlm_counts *caches; /* count populations: one table of pair payoffs per thread */
    dlm_counts_memo *memos; /* the census of count populations: pair values per thread */
    uint8_t *types;   /* count populations: each agent's type, max_n bytes per thread */
    uint32_t max_n;   /* the largest population */
    void *owned[24];
    int n_owned;
};

/* memcpy over the threads: a large copy (the agents of 10^5 populations are 400 MB) is
 * bound by one core's stores and page faults, not by memory. Pieces of at least 1 MiB. */
static void copy_parallel(int threads, void *dst, const void *src, size_t n)
{
    const size_t piece = (size_t)1 << 20;
    long k, pieces = (long)((n + piece - 1) / piece);
    if (threads <= 1 || pieces < 2) {
        memcpy(dst, src, n);
        return;
    }
#if defined(DLM_HAVE_OPENMP)
#pragma omp parallel for schedule(static) num_threads(threads)
#endif
    for (k = 0; k < pieces; ++k) {
        size_t at = (size_t)k * piece, len = n - at < piece ? n - at : piece;
        memcpy((char *)dst + at, (const char *)src + at, len);
    }
}

/* Copies n bytes into a new allocation owned by st (null stays null). */
static void *own_copy(dlm_evo_state *st, const void *src, size_t n, int *failed)
{
    void *p;
    if (!src || n == 0)
        return NULL;
    p = malloc(n);
    if (!p) {
        *failed = 1;
        return NULL;
    }
    copy_parallel(st->threads, p, src, n);
    st->owned[st->n_owned++] = p;
    return p;
}

static void *own_alloc(dlm_evo_state *st, size_t n, int *failed)
{
    void *p = calloc(n ? n : 1, 1);
    if (!p) {
        *failed = 1;
        return NULL;
    }
    st->owned[st->n_owned++] = p;
    return p;
}

void dlm_cpu_evo_destroy(dlm_evo_state *st)
{
    int i;
    if (!st)
        return;
    for (i = 0; i < st->n_owned; ++i)
        free(st->owned[i]);
    free(st);
}

dlm_status dlm_cpu_evo_create(int threads, const dlm_evo_setup *s, dlm_evo_state **out,
                              dlm_error *err)
{
    dlm_evo_state *st = calloc(1, sizeof *st);
    int failed = 0, i;
    size_t p;
    if (!st)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "cpu backend: out of memory");
    st->threads = threads;
    st->n_pops = s->n_populations;
    st->n_agents = s->n_agents;
    st->n_views = s->n_views;
    st->n_named = s->n_named;
    st->tolerance = s->tolerance;
    st->synchronous = s->synchronous;
    st->world.seed = s->seed;
    st->world.params = own_copy(st, s->params, s->n_params * sizeof *s->params, &failed);
    st->world.classes = own_copy(st, s->classes, s->n_classes * sizeof *s->classes, &failed);
    st->world.table = own_copy(st, s->table, s->n_table * sizeof *s->table, &failed);
    st->world.exact = own_copy(st, s->exact, s->n_exact * sizeof *s->exact, &failed);
    if (s->inter_offsets) {
        st->world.inter_offsets = own_copy(st, s->inter_offsets,
                                           (s->graph_n + 1u) * sizeof *s->inter_offsets, &failed);
        st->world.inter_neighbors = own_copy(st, s->inter_neighbors,
                                             s->inter_arcs * sizeof *s->inter_neighbors, &failed);
        st->world.repl_offsets = own_copy(st, s->repl_offsets,
                                          (s->graph_n + 1u) * sizeof *s->repl_offsets, &failed);
        st->world.repl_neighbors = own_copy(st, s->repl_neighbors,
                                            s->repl_arcs * sizeof *s->repl_neighbors, &failed);
    }
    st->world.strategy = own_copy(st, s->strategies, s->n_agents * sizeof *s->strategies, &failed);
    st->world.agent_class = own_copy(st, s->agent_class, s->n_agents * sizeof *s->agent_class,
                                     &failed);
    if (s->synchronous) {
        st->world.next = own_alloc(st, s->n_agents * sizeof(dlm_strategy), &failed);
        st->world.payoff = own_alloc(st, s->n_agents * sizeof(double), &failed);
        st->world.cumulative = own_alloc(st, s->n_agents * sizeof(double), &failed);
    }
    st->world.fixed = own_alloc(st, s->n_populations * sizeof(uint64_t), &failed);
    if (s->n_views)
        st->world.views = own_alloc(st, (size_t)s->n_views * sizeof(uint32_t), &failed);
    st->pops = own_copy(st, s->populations, s->n_populations * sizeof *s->populations, &failed);
    st->named = own_copy(st, s->named, s->n_named * sizeof *s->named, &failed);
    st->caches = own_alloc(st, (size_t)(threads > 1 ? threads : 1) * sizeof(dlm_counts), &failed);
    st->memos = own_alloc(st, (size_t)(threads > 1 ? threads : 1) * sizeof(dlm_counts_memo),
                          &failed); /* calloc: empty */
    for (p = 0; p < s->n_populations; ++p)
        st->max_n = s->populations[p].n > st->max_n ? s->populations[p].n : st->max_n;
    st->types = own_alloc(st, (size_t)(threads > 1 ? threads : 1) * st->max_n, &failed);
    for (i = 0; !failed && i < (threads > 1 ? threads : 1); ++i)
        st->caches[i].params = 0xFFFFFFFFu; /* nothing known yet */
    if (failed) {
        dlm_cpu_evo_destroy(st);
        return dlm_error_set(err, DLM_ERR_RUNTIME,
                             "cpu backend: out of memory for %llu agents",
                             (unsigned long long)s->n_agents);
    }
    *out = st;
    return DLM_OK;
}

/* Generation g of population p, all of it on the calling thread. */
static void generation_serial(dlm_evo_state *st, const dlm_evo_population *pop, uint64_t g,
                              dlm_evo_counts *counts)
{
    const dlm_evo_world *w = &st->world;
    uint32_t x;
    if (st->synchronous && w->params[pop->params].representation == DLM_REPRESENTATION_COUNTS) {
        dlm_counts_wright_fisher(w, pop, g);
        memcpy(&w->strategy[pop->agent0], &w->next[pop->agent0], pop->n * sizeof(dlm_strategy));
        return;
    }
    if (!st->synchronous) {
        for (x = 0; x < pop->n; ++x)
            dlm_evo_event(w, pop, g, x, counts);
        return;
    }
    for (x = 0; x < pop->n; ++x)
        dlm_evo_sync_evaluate(w, pop, g, x, counts);
    dlm_evo_sync_step2(w, pop); /* Wright-Fisher's sums, a referee's serial step */
    for (x = 0; x < pop->n; ++x)
        dlm_evo_sync_update(w, pop, g, x);
    memcpy(&w->strategy[pop->agent0], &w->next[pop->agent0], pop->n * sizeof(dlm_strategy));
}

/* Generation g of one synchronous population, its agents spread over the threads. */
static void generation_parallel(dlm_evo_state *st, const dlm_evo_population *pop, uint64_t g,
                                dlm_evo_counts *counts)
{
    const dlm_evo_world *w = &st->world;
    long n = (long)pop->n, x;
    uint64_t coop = 0, moves = 0, matches = 0;
    (void)st;
    if (w->params[pop->params].representation == DLM_REPRESENTATION_COUNTS) {
        generation_serial(st, pop, g, counts); /* O(N types): no agent-parallel work */
        return;
    }
#if defined(DLM_HAVE_OPENMP)
#pragma omp parallel for schedule(dynamic, 256) num_threads(st->threads) reduction(+ : coop, moves, matches)
#endif
    for (x = 0; x < n; ++x) {
        dlm_evo_counts c = {0, 0, 0, 0};
        dlm_evo_sync_evaluate(w, pop, g, (uint32_t)x, &c);
        coop += c.cooperations;
        moves += c.moves;
        matches += c.matches;
    }
    counts->cooperations += coop;
    counts->moves += moves;
    counts->matches += matches;
    dlm_evo_sync_step2(w, pop); /* Wright-Fisher's sums, a referee's serial step */
#if defined(DLM_HAVE_OPENMP)
#pragma omp parallel for schedule(dynamic, 256) num_threads(st->threads)
#endif
    for (x = 0; x < n; ++x)
        dlm_evo_sync_update(w, pop, g, (uint32_t)x);
    memcpy(&w->strategy[pop->agent0], &w->next[pop->agent0], pop->n * sizeof(dlm_strategy));
}

dlm_status dlm_cpu_evo_run(dlm_evo_state *st, uint64_t first, uint64_t count,
                           const uint8_t *active, dlm_evo_counts *counts, dlm_error *err)
{
    long p, n_pops = (long)st->n_pops;
    (void)err;
    if (n_pops == 1 && st->synchronous && st->threads > 1) {
        uint64_t g;
        if (active[0] && !dlm_evo_stopped(&st->world, 0))
            for (g = first; g < first + count; ++g) {
                generation_parallel(st, &st->pops[0], g, &counts[0]);
                if (dlm_evo_check_fixation(&st->world, &st->pops[0], 0, g))
                    break;
            }
        return DLM_OK;
    }
#if defined(DLM_HAVE_OPENMP)
#pragma omp parallel for schedule(dynamic, 16) num_threads(st->threads) if (st->threads > 1)
#endif
    for (p = 0; p < n_pops; ++p) {
        /* counts: the payoffs of the thread's last population, reused when its parameter
           set and types are the same (dlm_counts_reuse: the same numbers, computed once) */
#if defined(DLM_HAVE_OPENMP)
        int me = st->threads > 1 ? omp_get_thread_num() : 0;
#else
        int me = 0;
#endif
        dlm_counts *cache = &st->caches[me];
        uint8_t *types = st->types + (size_t)me * st->max_n;
        uint64_t g;
        if (!active[p] || dlm_evo_stopped(&st->world, (uint32_t)p))
            continue;
        if (!st->synchronous &&
            st->world.params[st->pops[p].params].representation == DLM_REPRESENTATION_COUNTS) {
            dlm_counts_run_typed(&st->world, &st->pops[p], (uint32_t)p, first, count, 0u,
                                 st->pops[p].n, &counts[p], cache, types);
            continue;
        }
        for (g = first; g < first + count; ++g) {
            generation_serial(st, &st->pops[p], g, &counts[p]);
            if (dlm_evo_check_fixation(&st->world, &st->pops[p], (uint32_t)p, g))
                break;
        }
    }
    return DLM_OK;
}

dlm_status dlm_cpu_evo_census(dlm_evo_state *st, uint64_t g, dlm_evo_census *out, dlm_error *err)
{
    /* One parallel loop over every (population, chunk), so that many small populations
       do not cost one parallel region each; then each population's chunks merge in
       chunk order. */
    size_t p, *first = malloc((st->n_pops + 1) * sizeof *first);
    dlm_evo_census *part = NULL;
    long total, c;
    if (!first)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "cpu backend: out of memory (census)");
    first[0] = 0;
    for (p = 0; p < st->n_pops; ++p)
        first[p + 1] = first[p] + (st->pops[p].n + DLM_CENSUS_CHUNK - 1u) / DLM_CENSUS_CHUNK;
    total = (long)first[st->n_pops];
    part = malloc((size_t)(total ? total : 1) * sizeof *part);
    if (!part) {
        free(first);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "cpu backend: out of memory (census)");
    }
#if defined(DLM_HAVE_OPENMP)
#pragma omp parallel for schedule(dynamic, 1) num_threads(st->threads) if (st->threads > 1)
#endif
    for (c = 0; c < total; ++c) {
        size_t lo = 0, hi = st->n_pops; /* the population of chunk c: first[q] <= c < first[q+1] */
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (first[mid] <= (size_t)c)
                lo = mid;
            else
                hi = mid;
        }
#if defined(DLM_HAVE_OPENMP)
        dlm_counts_memo *memo = &st->memos[st->threads > 1 ? omp_get_thread_num() : 0];
#else
        dlm_counts_memo *memo = &st->memos[0];
#endif
        part[c] = dlm_census_chunk_with(&st->world, &st->pops[lo],
                                        dlm_evo_census_generation(&st->world, (uint32_t)lo, g),
                                        (uint32_t)((size_t)c - first[lo]), st->named,
                                        st->n_named, st->tolerance, memo);
    }
    for (p = 0; p < st->n_pops; ++p) {
        size_t k;
        out[p] = dlm_census_empty();
        for (k = first[p]; k < first[p + 1]; ++k)
            dlm_census_merge(&out[p], &part[k]);
    }
    free(part);
    free(first);
    return DLM_OK;
}

dlm_status dlm_cpu_evo_snapshot(dlm_evo_state *st, dlm_strategy *out, dlm_error *err)
{
    (void)err;
    copy_parallel(st->threads, out, st->world.strategy, st->n_agents * sizeof *out);
    return DLM_OK;
}

void dlm_cpu_evo_save(const dlm_evo_state *st, dlm_strategy *agents, uint64_t *fixed,
                      uint32_t *views)
{
    copy_parallel(st->threads, agents, st->world.strategy, st->n_agents * sizeof *agents);
    memcpy(fixed, st->world.fixed, st->n_pops * sizeof *fixed);
    if (st->n_views)
        copy_parallel(st->threads, views, st->world.views, (size_t)st->n_views * sizeof *views);
}

void dlm_cpu_evo_restore(dlm_evo_state *st, const dlm_strategy *agents, const uint64_t *fixed,
                         const uint32_t *views)
{
    copy_parallel(st->threads, st->world.strategy, agents, st->n_agents * sizeof *agents);
    memcpy(st->world.fixed, fixed, st->n_pops * sizeof *fixed);
    if (st->n_views)
        copy_parallel(st->threads, st->world.views, views, (size_t)st->n_views * sizeof *views);
}

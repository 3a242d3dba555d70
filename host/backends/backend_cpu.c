/* backend_cpu.c — the CPU reference backend: the model functions of kernels/ called
 * directly, single-threaded (threads = 1, the reference) or OpenMP-parallel over jobs.
 * Each job's random numbers are keyed by its meaning, never by a thread, so the output
 * does not depend on the thread count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(DLM_HAVE_OPENMP)
#include <omp.h>
#endif

#include "core/io.h"
#include "backends/backend.h"
#include "backends/cpu_evolve.h"
#include "backends/cpu_lanes.h"
#include "dlm_match.h"

struct dlm_backend {
    int threads;
    int lanes; /* 1: memory-one matches go through the AVX2 fast path (cpu_lanes.c) */
    char description[128];
};

static int cpu_available(char *why, size_t len)
{
    (void)why;
    (void)len;
    return 1;
}

/* Threads per logical core the backend runs at most. */
#define DLM_CPU_THREADS_PER_CORE 4

/* Number of threads that `threads` (0 = all cores) means here. */
static int cpu_thread_count(int threads)
{
#if defined(DLM_HAVE_OPENMP)
    return threads > 0 ? threads : omp_get_num_procs();
#else
    (void)threads;
    return 1;
#endif
}

static dlm_status cpu_list_devices(FILE *out, dlm_error *err)
{
    (void)err;
#if defined(DLM_HAVE_OPENMP)
    fprintf(out, "cpu 0: %d logical cores (OpenMP)\n", omp_get_num_procs());
#else
    fprintf(out, "cpu 0: single-threaded (built without OpenMP)\n");
#endif
    return DLM_OK;
}

static dlm_status cpu_create(const dlm_backend_options *opt, dlm_backend **out, dlm_error *err)
{
    dlm_backend *be = calloc(1, sizeof *be);
    if (!be)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "cpu backend: out of memory");
    be->threads = cpu_thread_count(opt ? opt->threads : 1);
#if defined(DLM_HAVE_OPENMP)
    if (be->threads > DLM_CPU_THREADS_PER_CORE * omp_get_num_procs()) {
        /* More threads than that only costs memory and start-up; the output is the same. */
        int cap = DLM_CPU_THREADS_PER_CORE * omp_get_num_procs();
        fprintf(dlm_err(),
                "dilemma: %d threads is more than %d per core here (%d cores): running "
                "%d (the output does not depend on it)\n",
                be->threads, DLM_CPU_THREADS_PER_CORE, omp_get_num_procs(), cap);
        be->threads = cap;
    }
#endif
#if !defined(DLM_HAVE_OPENMP)
    if (opt && opt->threads > 1)
        fprintf(dlm_err(), "dilemma: built without OpenMP: running single-threaded\n");
#endif
    /* DLM_CPU_LANES=0 turns the fast path off (for comparisons; results are the same). */
    be->lanes = dlm_cpu_lanes_supported() && !(getenv("DLM_CPU_LANES") &&
                                               strcmp(getenv("DLM_CPU_LANES"), "0") == 0);
    snprintf(be->description, sizeof be->description, "cpu, %d thread%s%s", be->threads,
             be->threads == 1 ? "" : "s", be->lanes ? ", avx2" : "");
    dlm_cpu_lanes_ahead(be->lanes); /* the model's matches: Philox blocks eight at a time */
    *out = be;
    return DLM_OK;
}

/* Plays job i of the batch (lanes: the fast path may take it). */
static dlm_match_result cpu_play_one(const dlm_match_batch *b, size_t i, int lanes)
{
    const dlm_match_job *job = &b->jobs[i];
    if (lanes && dlm_cpu_lanes_eligible(b, i))
        return dlm_cpu_lanes_play1(b, i);
    uint64_t play = dlm_stream_id(DLM_PURPOSE_MATCH_PLAY, job->population, job->generation);
    uint64_t length = dlm_stream_id(DLM_PURPOSE_MATCH_LENGTH, job->population, job->generation);
    return dlm_play_match(&b->strategies[job->strategy[0]], &b->strategies[job->strategy[1]],
                          &b->params[job->params[0]], &b->params[job->params[1]], &b->rules,
                          b->seed, play, length, job->index, NULL);
}

static dlm_status cpu_play_matches(dlm_backend *be, const dlm_match_batch *b,
                                   dlm_match_result *results, dlm_error *err)
{
    size_t i;
    for (i = 0; i < b->n_jobs; ++i) {
        const dlm_match_job *job = &b->jobs[i];
        if (job->strategy[0] >= b->n_strategies || job->strategy[1] >= b->n_strategies ||
            job->params[0] >= b->n_params || job->params[1] >= b->n_params)
            return dlm_error_set(err, DLM_ERR_RUNTIME,
                                 "cpu backend: job %zu names a strategy or parameter set "
                                 "outside the batch", i);
    }
    {
        /* Jobs the fast path takes, in groups of eight; the rest (and a last partial
           group) go through the model code. Each job's numbers are its own, so how
           jobs are grouped or ordered changes nothing. */
        size_t *lane_jobs = NULL, *other = NULL, n_lane = 0, n_other = 0;
        long groups, j, n_rest;
        if (be->lanes) {
            lane_jobs = malloc(b->n_jobs * sizeof *lane_jobs);
            other = malloc(b->n_jobs * sizeof *other);
            if (!lane_jobs || !other) {
                free(lane_jobs);
                free(other);
                return dlm_error_set(err, DLM_ERR_RUNTIME, "cpu backend: out of memory");
            }
            for (i = 0; i < b->n_jobs; ++i) {
                if (dlm_cpu_lanes_eligible(b, i))
                    lane_jobs[n_lane++] = i;
                else
                    other[n_other++] = i;
            }
            while (n_lane % 8u)
                other[n_other++] = lane_jobs[--n_lane];
        }
        groups = (long)(n_lane / 8u);
        n_rest = be->lanes ? (long)n_other : (long)b->n_jobs;
#if defined(DLM_HAVE_OPENMP)
#pragma omp parallel num_threads(be->threads) if (be->threads > 1)
        {
#pragma omp for schedule(dynamic, 16) nowait
            for (j = 0; j < groups; ++j)
                dlm_cpu_lanes_play8(b, &lane_jobs[8 * j], results);
#pragma omp for schedule(dynamic, 64)
            for (j = 0; j < n_rest; ++j) {
                size_t k = other ? other[j] : (size_t)j;
                results[k] = cpu_play_one(b, k, be->lanes);
            }
        }
#else
        for (j = 0; j < groups; ++j)
            dlm_cpu_lanes_play8(b, &lane_jobs[8 * j], results);
        for (j = 0; j < n_rest; ++j) {
            size_t k = other ? other[j] : (size_t)j;
            results[k] = cpu_play_one(b, k, be->lanes);
        }
#endif
        free(lane_jobs);
        free(other);
    }
    return DLM_OK;
}

static dlm_status cpu_evo_create(dlm_backend *be, const dlm_evo_setup *setup,
                                 dlm_evo_state **out, dlm_error *err)
{
    return dlm_cpu_evo_create(be->threads, setup, out, err);
}

static dlm_status cpu_evo_run(dlm_backend *be, dlm_evo_state *st, uint64_t first, uint64_t count,
                              const uint8_t *active, dlm_evo_counts *counts, dlm_error *err)
{
    (void)be;
    return dlm_cpu_evo_run(st, first, count, active, counts, err);
}

static dlm_status cpu_evo_census(dlm_backend *be, dlm_evo_state *st, uint64_t g,
                                 dlm_evo_census *out, dlm_error *err)
{
    (void)be;
    return dlm_cpu_evo_census(st, g, out, err);
}

static dlm_status cpu_evo_snapshot(dlm_backend *be, dlm_evo_state *st, dlm_strategy *out,
                                   dlm_error *err)
{
    (void)be;
    return dlm_cpu_evo_snapshot(st, out, err);
}

static dlm_status cpu_evo_save(dlm_backend *be, dlm_evo_state *st, dlm_strategy *agents,
                               uint64_t *fixed, uint32_t *views, dlm_error *err)
{
    (void)be;
    (void)err;
    dlm_cpu_evo_save(st, agents, fixed, views);
    return DLM_OK;
}

static dlm_status cpu_evo_restore(dlm_backend *be, dlm_evo_state *st, const dlm_strategy *agents,
                                  const uint64_t *fixed, const uint32_t *views, dlm_error *err)
{
    (void)be;
    (void)err;
    dlm_cpu_evo_restore(st, agents, fixed, views);
    return DLM_OK;
}

static void cpu_evo_destroy(dlm_backend *be, dlm_evo_state *st)
{
    (void)be;
    dlm_cpu_evo_destroy(st);
}

static const char *cpu_describe(dlm_backend *be)
{
    return be->description;
}

static void cpu_destroy(dlm_backend *be)
{
    free(be);
}

const dlm_backend_ops dlm_backend_cpu = {
    .name = "cpu",
    .available = cpu_available,
    .list_devices = cpu_list_devices,
    .create = cpu_create,
    .play_matches = cpu_play_matches,
    .evo_create = cpu_evo_create,
    .evo_run = cpu_evo_run,
    .evo_census = cpu_evo_census,
    .evo_snapshot = cpu_evo_snapshot,
    .evo_save = cpu_evo_save,
    .evo_restore = cpu_evo_restore,
    .evo_destroy = cpu_evo_destroy,
    .describe = cpu_describe,
    .destroy = cpu_destroy,
};

/* backend_cpu.c — the CPU reference backend: the model functions of kernels/ called
 * directly, single-threaded (threads = 1, the reference) or OpenMP-parallel over jobs.
 * Each job's random numbers are keyed by its meaning, never by a thread, so the output
 * does not depend on the thread count. */
#include <stdio.h>
#include <stdlib.h>
#if defined(DLM_HAVE_OPENMP)
#include <omp.h>
#endif

#include "backend.h"
#include "dlm_match.h"

struct dlm_backend {
    int threads;
    char description[128];
};

static int cpu_available(char *why, size_t len)
{
    (void)why;
    (void)len;
    return 1;
}

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
#if !defined(DLM_HAVE_OPENMP)
    if (opt && opt->threads > 1)
        fprintf(stderr, "dilemma: built without OpenMP: running single-threaded\n");
#endif
    snprintf(be->description, sizeof be->description, "cpu, %d thread%s", be->threads,
             be->threads == 1 ? "" : "s");
    *out = be;
    return DLM_OK;
}

/* Plays job i of the batch. */
static dlm_match_result cpu_play_one(const dlm_match_batch *b, size_t i)
{
    const dlm_match_job *job = &b->jobs[i];
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
#if defined(DLM_HAVE_OPENMP)
    {
        long n = (long)b->n_jobs, j;
#pragma omp parallel for schedule(dynamic, 64) num_threads(be->threads) if (be->threads > 1)
        for (j = 0; j < n; ++j)
            results[j] = cpu_play_one(b, (size_t)j);
    }
#else
    (void)be;
    for (i = 0; i < b->n_jobs; ++i)
        results[i] = cpu_play_one(b, i);
#endif
    return DLM_OK;
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
    .describe = cpu_describe,
    .destroy = cpu_destroy,
};

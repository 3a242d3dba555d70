/* bench.c — `dilemma bench`: the standard workloads of DESIGN.md §10, run through the
 * production backends. Each backend's results are checked against the single-threaded
 * CPU reference before its time counts; figures are printed with the ratio to that
 * reference measured in the same run. Record runs in bench/RESULTS.md. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "cli.h"
#include "dlm_philox.h"
#include "output.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The `match` workload: `pairs` pairings of random memory-one strategies, strategy 2i
 * against 2i+1; each probability is one word of the BENCH stream read as a threshold
 * (p = word / 2^32), so the workload is the same on every machine for a seed. */
typedef struct match_workload {
    dlm_strategy *strategies;
    dlm_player_params params;
    dlm_match_job *jobs;
    dlm_match_batch batch;
} match_workload;

static int match_workload_make(match_workload *w, size_t pairs, uint32_t rounds, double error,
                               uint64_t seed)
{
    size_t i;
    uint64_t stream = dlm_stream_id(DLM_PURPOSE_BENCH, 0, 0);
    memset(w, 0, sizeof *w);
    w->strategies = calloc(2 * pairs, sizeof *w->strategies);
    w->jobs = calloc(pairs, sizeof *w->jobs);
    if (!w->strategies || !w->jobs)
        return -1;
    for (i = 0; i < 2 * pairs; ++i) {
        dlm_u32x4 a = dlm_philox_window_block(seed, stream, (uint32_t)i, 0);
        dlm_u32x4 b = dlm_philox_window_block(seed, stream, (uint32_t)i, 1);
        dlm_strategy *s = &w->strategies[i];
        s->kind = DLM_STRAT_MEMORY_ONE;
        s->threshold[0] = a.v[0];
        s->threshold[1] = a.v[1];
        s->threshold[2] = a.v[2];
        s->threshold[3] = a.v[3];
        s->threshold[4] = b.v[0];
    }
    for (i = 0; i < pairs; ++i) {
        w->jobs[i].strategy[0] = (uint32_t)(2 * i);
        w->jobs[i].strategy[1] = (uint32_t)(2 * i + 1);
        w->jobs[i].index = (uint32_t)i;
    }
    w->params.execution_error = dlm_probability_threshold(error);
    w->params.reaction_period = 1;
    w->batch.seed = seed;
    w->batch.strategies = w->strategies;
    w->batch.n_strategies = 2 * pairs;
    w->batch.params = &w->params;
    w->batch.n_params = 1;
    w->batch.rules.rounds = rounds;
    w->batch.jobs = w->jobs;
    w->batch.n_jobs = pairs;
    return 0;
}

static void match_workload_free(match_workload *w)
{
    free(w->strategies);
    free(w->jobs);
}

typedef struct bench_row {
    char backend[64];
    double seconds, rounds_per_second, ratio;
    uint64_t checksum;
    int matches_reference;
} bench_row;

/* Runs the batch on backend `name` with `threads`; fills row; results go to out. */
static int run_backend(const char *name, int threads, const dlm_match_batch *batch,
                       dlm_match_result *out, bench_row *row)
{
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_backend_options opt = {threads, -1, -1};
    dlm_error err = {DLM_OK, ""};
    double t0;
    size_t i;
    if (dlm_backend_open(name, &opt, stderr, &ops, &be, &err) != DLM_OK) {
        fprintf(stderr, "dilemma bench: %s\n", err.message);
        return 1;
    }
    t0 = now_seconds();
    if (ops->play_matches(be, batch, out, &err) != DLM_OK) {
        fprintf(stderr, "dilemma bench: %s\n", err.message);
        ops->destroy(be);
        return 1;
    }
    row->seconds = now_seconds() - t0;
    snprintf(row->backend, sizeof row->backend, "%s", ops->describe(be));
    ops->destroy(be);
    row->checksum = 0;
    for (i = 0; i < batch->n_jobs; ++i)
        row->checksum = row->checksum * 1000003u + out[i].outcome[0] * 7u + out[i].outcome[1] * 5u +
                        out[i].outcome[2] * 3u + out[i].outcome[3];
    row->rounds_per_second = (double)batch->n_jobs * batch->rules.rounds / row->seconds;
    return 0;
}

int dlm_bench_main(int argc, char **argv)
{
    size_t pairs = (size_t)1 << 20, i;
    uint32_t rounds = 1000;
    int threads = 0, json = 0, rc = 0, n_rows = 0;
    const char *workload = "match";
    match_workload w;
    dlm_match_result *ref = NULL, *res = NULL;
    bench_row rows[4];
    for (i = 2; i < (size_t)argc; ++i) {
        const char *arg = argv[i], *val = i + 1 < (size_t)argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            puts("usage: dilemma bench [--workload match] [--pairs N] [--rounds R] [--threads T]"
                 " [--format table|json]\n\n"
                 "match: N pairings (default 2^20) of random memory-one strategies (seed 1),\n"
                 "R rounds each (default 1000), execution error 0.01 — DESIGN.md §10. Runs the\n"
                 "CPU backend single-threaded (the reference) and with T threads (default: all\n"
                 "cores), checks the results agree, and prints game rounds per second.");
            return 0;
        }
        if (!val && strcmp(arg, "--format") != 0) {
            fprintf(stderr, "dilemma bench: unknown option or missing value: '%s' (see dilemma "
                            "bench --help)\n", arg);
            return 2;
        }
        if (strcmp(arg, "--workload") == 0) {
            workload = val;
            if (strcmp(workload, "match") != 0) {
                fprintf(stderr, "dilemma bench: workload '%s' is not implemented yet (allowed: "
                                "match)\n", workload);
                return 2;
            }
        } else if (strcmp(arg, "--pairs") == 0) {
            unsigned long long v = strtoull(val, &end, 10);
            if (!end || *end || v < 1 || v > (1ull << 26) || val[0] == '-') {
                fprintf(stderr, "dilemma bench: --pairs must be an integer in [1, 2^26], got '%s'\n", val);
                return 2;
            }
            pairs = (size_t)v;
        } else if (strcmp(arg, "--rounds") == 0) {
            unsigned long long v = strtoull(val, &end, 10);
            if (!end || *end || v < 1 || v > DLM_MAX_ROUNDS || val[0] == '-') {
                fprintf(stderr, "dilemma bench: --rounds must be an integer in [1, %u], got '%s'\n",
                        DLM_MAX_ROUNDS, val);
                return 2;
            }
            rounds = (uint32_t)v;
        } else if (strcmp(arg, "--threads") == 0) {
            long v = strtol(val, &end, 10);
            if (!end || *end || v < 0 || v > 4096) {
                fprintf(stderr, "dilemma bench: --threads must be an integer in [0, 4096], got '%s'\n", val);
                return 2;
            }
            threads = (int)v;
        } else if (strcmp(arg, "--format") == 0) {
            if (!val || (strcmp(val, "table") != 0 && strcmp(val, "json") != 0)) {
                fprintf(stderr, "dilemma bench: --format must be table or json\n");
                return 2;
            }
            json = strcmp(val, "json") == 0;
        } else {
            fprintf(stderr, "dilemma bench: unknown option '%s' (see dilemma bench --help)\n", arg);
            return 2;
        }
        ++i;
    }
    if (match_workload_make(&w, pairs, rounds, 0.01, 1) != 0 ||
        !(ref = malloc(pairs * sizeof *ref)) || !(res = malloc(pairs * sizeof *res))) {
        fprintf(stderr, "dilemma bench: out of memory for %zu pairings\n", pairs);
        match_workload_free(&w);
        free(ref);
        return 1;
    }
    if (!json)
        printf("workload match: %zu pairings of random memory-one strategies, %u rounds, "
               "execution error 0.01, seed 1\n", pairs, rounds);
    /* The reference: CPU, one thread. */
    if (run_backend("cpu", 1, &w.batch, ref, &rows[0]))
        rc = 1;
    rows[0].matches_reference = 1;
    rows[0].ratio = 1.0;
    n_rows = 1;
    /* Every other configuration is checked against it before its time counts. */
    if (!rc && threads != 1) {
        bench_row *row = &rows[n_rows];
        if (run_backend("cpu", threads, &w.batch, res, row))
            rc = 1;
        else {
            row->matches_reference = memcmp(ref, res, pairs * sizeof *res) == 0;
            row->ratio = row->rounds_per_second / rows[0].rounds_per_second;
            ++n_rows;
            if (!row->matches_reference) {
                fprintf(stderr, "dilemma bench: %s disagrees with the CPU reference\n", row->backend);
                rc = 1;
            }
        }
    }
    for (i = 0; i < (size_t)n_rows; ++i) {
        const bench_row *r = &rows[i];
        if (json)
            printf("{\"workload\":\"match\",\"pairs\":%zu,\"rounds\":%u,\"backend\":\"%s\","
                   "\"seconds\":%.6f,\"rounds_per_second\":%.6g,\"ratio_to_cpu1\":%.4f,"
                   "\"matches_reference\":%s,\"checksum\":%llu}\n", pairs, rounds, r->backend,
                   r->seconds, r->rounds_per_second, r->ratio,
                   r->matches_reference ? "true" : "false", (unsigned long long)r->checksum);
        else
            printf("  %-22s %9.3f s  %12.4g rounds/s  x%-7.2f %s\n", r->backend, r->seconds,
                   r->rounds_per_second, r->ratio,
                   i == 0 ? "(reference)" : r->matches_reference ? "(matches reference)"
                                                                  : "(DIFFERS FROM REFERENCE)");
    }
    match_workload_free(&w);
    free(ref);
    free(res);
    return rc;
}

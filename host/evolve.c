/* evolve.c — runs an evolution plan on a backend: generations in steps of record_every,
 * a census after each step, records streamed as complete lines (flushed as produced),
 * fixation events, stop conditions, the final summary (written atomically) and
 * snapshots. Everything statistical comes from the backend's census records; the host
 * only formats them (and derives the Shannon diversity from integer counts). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, getpid */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "evolve.h"

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

dlm_status dlm_evo_read_initial_file(const char *path, uint32_t n, char ***out, dlm_error *err)
{
    FILE *fp = fopen(path, "r");
    char line[4096], **lines;
    uint32_t count = 0, lineno = 0;
    if (!fp)
        return dlm_error_set(err, DLM_ERR_USAGE, "evolution.initial_file: cannot read %s: %s",
                             path, strerror(errno));
    lines = calloc(n, sizeof *lines);
    if (!lines) {
        fclose(fp);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory");
    }
    while (fgets(line, sizeof line, fp)) {
        size_t len = strlen(line);
        char *s = line;
        ++lineno;
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            dlm_error_set(err, DLM_ERR_USAGE, "%s:%u: line longer than %zu characters", path,
                          lineno, sizeof line - 2);
            goto fail;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
            line[--len] = '\0';
        while (*s == ' ' || *s == '\t')
            ++s;
        if (!*s || *s == '#')
            continue;
        if (count == n) {
            dlm_error_set(err, DLM_ERR_USAGE,
                          "%s:%u: more strategies than the population's %u agents", path,
                          lineno, n);
            goto fail;
        }
        lines[count] = strdup(s);
        if (!lines[count++]) {
            dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory");
            goto fail;
        }
    }
    fclose(fp);
    if (count != n) {
        uint32_t i;
        for (i = 0; i < count; ++i)
            free(lines[i]);
        free(lines);
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "%s: %u strategies for a population of %u agents (one per line)",
                             path, count, n);
    }
    *out = lines;
    return DLM_OK;
fail:
    fclose(fp);
    {
        uint32_t i;
        for (i = 0; i < count; ++i)
            free(lines[i]);
    }
    free(lines);
    return err ? err->status : DLM_ERR_USAGE;
}

/* Shannon diversity (natural log) of the census's named counts and "other". */
static double diversity(const dlm_evo_plan *plan, const dlm_evo_census *c, uint32_t n)
{
    double h = 0.0;
    uint32_t i;
    for (i = 0; i <= plan->n_named; ++i)
        if (c->named[i]) {
            double p = (double)c->named[i] / n;
            h -= p * log(p);
        }
    return h;
}

/* The named strategy every agent has, or -1. */
static int fixed_named(const dlm_evo_plan *plan, const dlm_evo_census *c, uint32_t n)
{
    uint32_t i;
    for (i = 0; i < plan->n_named; ++i)
        if (c->named[i] == n)
            return (int)i;
    return -1;
}

static void write_header(FILE *fp, dlm_format fmt, const dlm_evo_plan *plan)
{
    uint32_t i;
    if (fmt == DLM_FMT_CSV) {
        fputs("generation,population,cooperation,payoff_mean,payoff_variance,diversity,"
              "monomorphic", fp);
        for (i = 0; i < plan->n_named; ++i) {
            fputs(",\"count:", fp);
            fputs(plan->named_labels[i], fp); /* labels hold no double quotes */
            fputc('"', fp);
        }
        fputs(",count:other,memory_one_agents,m1_p0,m1_pCC,m1_pCD,m1_pDC,m1_pDD", fp);
        for (i = 0; i < plan->n_classes; ++i)
            fprintf(fp, ",%s:agents,%s:payoff_mean,%s:cooperation", plan->class_names[i],
                    plan->class_names[i], plan->class_names[i]);
        fputc('\n', fp);
    } else if (fmt == DLM_FMT_TABLE) {
        fprintf(fp, "%10s %5s %11s %11s %9s  %s\n", "generation", "pop", "cooperation",
                "payoff", "diversity", "most abundant");
    }
}

static void write_record(FILE *fp, dlm_format fmt, const dlm_evo_plan *plan, uint64_t g,
                         uint32_t p, const dlm_evo_census *c, int *first_json)
{
    uint32_t n = plan->populations[p].n, i;
    double coop = c->moves ? (double)c->cooperations / (double)c->moves : 0.0;
    double mean = c->payoff_sum / n;
    double var = c->payoff_sq_sum / n - mean * mean;
    double h = diversity(plan, c, n);
    if (var < 0)
        var = 0;
    if (fmt == DLM_FMT_TABLE) {
        uint32_t best[3] = {0, 0, 0}, k;
        int shown = 0;
        for (i = 0; i <= plan->n_named; ++i)
            for (k = 0; k < 3; ++k)
                if (c->named[i] > c->named[best[k]] || (best[k] == i && k == 0)) {
                    memmove(&best[k + 1], &best[k], (2 - k) * sizeof best[0]);
                    best[k] = i;
                    break;
                }
        fprintf(fp, "%10llu %5u %11.4f %11.4f %9.4f ", (unsigned long long)g, p, coop, mean, h);
        for (k = 0; k < 3; ++k) {
            uint32_t s = best[k];
            if (!c->named[s] || (k > 0 && s == best[k - 1]))
                continue;
            fprintf(fp, " %s %.1f%%", s == plan->n_named ? "other" : plan->named_labels[s],
                    100.0 * c->named[s] / n);
            ++shown;
        }
        fputc('\n', fp);
        return;
    }
    if (fmt == DLM_FMT_CSV) {
        fprintf(fp, "%llu,%u,%.17g,%.17g,%.17g,%.17g,%u", (unsigned long long)g, p, coop, mean,
                var, h, c->monomorphic);
        for (i = 0; i <= plan->n_named; ++i)
            fprintf(fp, ",%llu", (unsigned long long)c->named[i]);
        fprintf(fp, ",%llu", (unsigned long long)c->m1_agents);
        for (i = 0; i < 5; ++i)
            if (c->m1_agents)
                fprintf(fp, ",%.17g", c->m1_sum[i] / (double)c->m1_agents);
            else
                fputs(",", fp);
        for (i = 0; i < plan->n_classes; ++i) {
            double cm = c->class_agents[i] ? c->class_payoff[i] / (double)c->class_agents[i] : 0;
            double cc = c->class_moves[i] ? (double)c->class_cooperations[i] / (double)c->class_moves[i] : 0;
            fprintf(fp, ",%llu,%.17g,%.17g", (unsigned long long)c->class_agents[i], cm, cc);
        }
        fputc('\n', fp);
        return;
    }
    if (fmt == DLM_FMT_JSON && !*first_json)
        fputs(",\n", fp);
    *first_json = 0;
    fprintf(fp, "{\"type\":\"generation\",\"generation\":%llu,\"population\":%u,"
                "\"cooperation\":%.17g,\"payoff_mean\":%.17g,\"payoff_variance\":%.17g,"
                "\"diversity\":%.17g,\"monomorphic\":%s,\"abundance\":{",
            (unsigned long long)g, p, coop, mean, var, h, c->monomorphic ? "true" : "false");
    for (i = 0; i < plan->n_named; ++i) {
        dlm_json_string(fp, plan->named_labels[i]);
        fprintf(fp, ":%llu,", (unsigned long long)c->named[i]);
    }
    fprintf(fp, "\"other\":%llu},\"memory_one_agents\":%llu,\"memory_one_mean\":",
            (unsigned long long)c->named[plan->n_named], (unsigned long long)c->m1_agents);
    if (c->m1_agents)
        fprintf(fp, "[%.17g,%.17g,%.17g,%.17g,%.17g]", c->m1_sum[0] / c->m1_agents,
                c->m1_sum[1] / c->m1_agents, c->m1_sum[2] / c->m1_agents,
                c->m1_sum[3] / c->m1_agents, c->m1_sum[4] / c->m1_agents);
    else
        fputs("null", fp);
    fputs(",\"classes\":[", fp);
    for (i = 0; i < plan->n_classes; ++i) {
        double cm = c->class_agents[i] ? c->class_payoff[i] / (double)c->class_agents[i] : 0;
        double cc = c->class_moves[i] ? (double)c->class_cooperations[i] / (double)c->class_moves[i] : 0;
        fprintf(fp, "%s{\"name\":", i ? "," : "");
        dlm_json_string(fp, plan->class_names[i]);
        fprintf(fp, ",\"agents\":%llu,\"payoff_mean\":%.17g,\"cooperation\":%.17g}",
                (unsigned long long)c->class_agents[i], cm, cc);
    }
    fputs(fmt == DLM_FMT_JSONL ? "]}\n" : "]}", fp);
}

static void write_fixation(FILE *fp, dlm_format fmt, const dlm_evo_plan *plan, uint64_t g,
                           uint32_t p, int named, int *first_json)
{
    const char *label = named >= 0 ? plan->named_labels[named] : "other";
    if (fmt == DLM_FMT_TABLE) {
        fprintf(fp, "%10llu %5u fixation: %s\n", (unsigned long long)g, p, label);
        return;
    }
    if (fmt == DLM_FMT_CSV)
        return; /* csv records carry the monomorphic column; the summary has the events */
    if (fmt == DLM_FMT_JSON && !*first_json)
        fputs(",\n", fp);
    *first_json = 0;
    fprintf(fp, "{\"type\":\"fixation\",\"generation\":%llu,\"population\":%u,\"strategy\":",
            (unsigned long long)g, p);
    dlm_json_string(fp, label);
    fputs(fmt == DLM_FMT_JSONL ? "}\n" : "}", fp);
}

/* The summary as one JSON object (no trailing newline). */
static void write_summary_json(FILE *fp, const dlm_scenario *sc, const dlm_evo_plan *plan,
                               const dlm_evo_outcome *out, const char *stopped)
{
    size_t p;
    uint32_t i;
    uint64_t *fixed = calloc(plan->n_named + 1, sizeof *fixed), any = 0;
    fputs("{\"type\":\"summary\",\"seed\":", fp);
    fprintf(fp, "%llu,\"rule\":\"%s\",\"population\":%u,\"populations\":%zu,\"stopped\":",
            (unsigned long long)sc->seed, dlm_evo_rule_name(plan->rule),
            sc->evolution.population, plan->n_populations);
    dlm_json_string(fp, stopped);
    fputs(",\"outcomes\":[", fp);
    for (p = 0; p < plan->n_populations; ++p) {
        fprintf(fp, "%s{\"population\":%zu,\"generations\":%llu,\"fixed\":", p ? "," : "", p,
                (unsigned long long)out[p].generations);
        if (out[p].fixed) {
            dlm_json_string(fp, out[p].fixed_named >= 0 ? plan->named_labels[out[p].fixed_named]
                                                        : "other");
            fprintf(fp, ",\"fixation_generation\":%llu", (unsigned long long)out[p].fixation_generation);
            if (fixed)
                fixed[out[p].fixed_named >= 0 ? (uint32_t)out[p].fixed_named : plan->n_named] += 1;
            ++any;
        } else {
            fputs("null", fp);
        }
        fputc('}', fp);
    }
    fputs("],\"fixations\":{", fp);
    for (i = 0; fixed && i <= plan->n_named; ++i) {
        fprintf(fp, "%s", i ? "," : "");
        dlm_json_string(fp, i < plan->n_named ? plan->named_labels[i] : "other");
        fprintf(fp, ":%llu", (unsigned long long)fixed[i]);
    }
    fprintf(fp, "},\"populations_fixed\":%llu}", (unsigned long long)any);
    free(fixed);
}

dlm_status dlm_evo_write_snapshot(const char *path, const dlm_evo_plan *plan, uint64_t generation,
                                  const dlm_strategy *strategies, dlm_error *err)
{
    dlm_sink sink;
    dlm_status st = dlm_sink_open(&sink, path, err);
    unsigned char header[64];
    uint64_t i;
    uint32_t version = 1, record = 88, npop = (uint32_t)plan->n_populations;
    uint32_t per = plan->n_populations ? plan->populations[0].n : 0;
    if (st != DLM_OK)
        return st;
    memset(header, 0, sizeof header);
    memcpy(header, "DLMSNAP", 8);
    memcpy(header + 8, &version, 4);
    memcpy(header + 12, &record, 4);
    memcpy(header + 16, &plan->n_agents, 8);
    memcpy(header + 24, &npop, 4);
    memcpy(header + 28, &per, 4);
    memcpy(header + 32, &generation, 8);
    fwrite(header, 1, sizeof header, sink.fp);
    for (i = 0; i < plan->n_agents; ++i) {
        uint32_t extra[2];
        extra[0] = plan->agent_class[i];
        extra[1] = (uint32_t)(i / (per ? per : 1));
        fwrite(&strategies[i], sizeof strategies[i], 1, sink.fp);
        fwrite(extra, sizeof extra, 1, sink.fp);
    }
    return dlm_sink_commit(&sink, err);
}

/* Path of the summary or snapshot beside the records file (or in the current folder). */
static void side_path(char *buf, size_t len, const char *out, const char *suffix)
{
    snprintf(buf, len, "%s%s", out[0] ? out : "dilemma", suffix);
}

dlm_status dlm_evolve(const dlm_scenario *sc, const dlm_evo_plan *plan, const dlm_backend_ops *ops,
                      dlm_backend *be, FILE *records, dlm_format fmt, dlm_evo_outcome *outcomes,
                      dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    size_t np = plan->n_populations, p;
    dlm_evo_setup setup;
    dlm_evo_state *state = NULL;
    dlm_evo_counts *counts = calloc(np, sizeof *counts);
    dlm_evo_census *census = calloc(np, sizeof *census);
    dlm_evo_outcome *out = outcomes ? outcomes : calloc(np, sizeof *out);
    uint8_t *active = malloc(np), *recorded = malloc(np), *fixed_now = malloc(np);
    dlm_strategy *snap = NULL;
    uint64_t g = 0, step = ev->record_every ? ev->record_every : 1;
    double started = seconds_now();
    const char *stopped = "generations";
    int first_json = 1, fix_stop = ev->stop_at_fixation && plan->params.mutation_kind == 0;
    dlm_status st = DLM_OK;

    if (!counts || !census || !out || !active || !recorded || !fixed_now) {
        st = dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory");
        goto done;
    }
    if (!ops->evo_create) {
        st = dlm_error_set(err, DLM_ERR_USAGE, "backend %s cannot run evolution yet", ops->name);
        goto done;
    }
    memset(active, 1, np);
    memset(out, 0, np * sizeof *out);
    for (p = 0; p < np; ++p)
        out[p].fixed_named = -1;
    dlm_evo_plan_setup(plan, sc->seed, &setup);
    st = ops->evo_create(be, &setup, &state, err);
    if (st != DLM_OK)
        goto done;
    if (records) {
        if (fmt == DLM_FMT_JSON) {
            fputs("{\"type\":\"evolution\",\"rule\":", records);
            dlm_json_string(records, dlm_evo_rule_name(plan->rule));
            fprintf(records, ",\"seed\":%llu,\"records\":[\n", (unsigned long long)sc->seed);
        }
        write_header(records, fmt, plan);
    }
    /* Each pass: the census of generation g is in; its outcomes and the populations that
     * go on are decided, a snapshot due at g is copied, the next generations are submitted
     * (a backend with evo_submit works on them from here), and only then are the records
     * of g written, while the device computes; then the next census is collected. */
    st = ops->evo_census(be, state, g, census, err);
    if (st != DLM_OK)
        goto done;
    for (;;) {
        int stop = 0, snap_due = ev->snapshot_every && g % ev->snapshot_every == 0 && g > 0;
        for (p = 0; p < np; ++p) {
            recorded[p] = active[p];
            fixed_now[p] = 0;
            if (!active[p])
                continue;
            out[p].final = census[p];
            out[p].generations = g;
            if (census[p].monomorphic && plan->params.mutation_kind == 0 && !out[p].fixed) {
                out[p].fixed = 1;
                out[p].fixation_generation = g;
                out[p].fixed_named = fixed_named(plan, &census[p], plan->populations[p].n);
                fixed_now[p] = 1;
                if (fix_stop)
                    active[p] = 0;
            }
        }
        if (snap_due) {
            if (!snap && !(snap = malloc(plan->n_agents * sizeof *snap))) {
                st = dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a snapshot");
                goto done;
            }
            if ((st = ops->evo_snapshot(be, state, snap, err)) != DLM_OK)
                goto done;
        }
        if (g >= ev->generations) {
            stop = 1;
        } else {
            for (p = 0; p < np && !active[p]; ++p)
                ;
            if (p == np) {
                stopped = "fixation";
                stop = 1;
            } else if (ev->wall_clock > 0 && seconds_now() - started > ev->wall_clock) {
                stopped = "wall-clock";
                stop = 1;
            }
        }
        if (!stop) {
            if (step > ev->generations - g)
                step = ev->generations - g;
            if (ops->evo_submit && (st = ops->evo_submit(be, state, g, step, active, err)) != DLM_OK)
                goto done;
        }
        if (records) {
            for (p = 0; p < np; ++p) {
                if (recorded[p])
                    write_record(records, fmt, plan, g, (uint32_t)p, &census[p], &first_json);
                if (fixed_now[p])
                    write_fixation(records, fmt, plan, g, (uint32_t)p, out[p].fixed_named,
                                   &first_json);
            }
            fflush(records);
        }
        if (snap_due) {
            char path[DLM_PATH_MAX + 32];
            if (ev->snapshot_file[0])
                snprintf(path, sizeof path, "%s", ev->snapshot_file);
            else
                side_path(path, sizeof path, sc->out, ".snapshot");
            if ((st = dlm_evo_write_snapshot(path, plan, g, snap, err)) != DLM_OK)
                goto done;
        }
        if (stop)
            break;
        if (ops->evo_submit)
            st = ops->evo_collect(be, state, counts, census, err);
        else if ((st = ops->evo_run(be, state, g, step, active, counts, err)) == DLM_OK)
            st = ops->evo_census(be, state, g + step, census, err);
        if (st != DLM_OK)
            goto done;
        g += step;
    }
    for (p = 0; p < np; ++p)
        if (counts[p].failed_events) {
            st = dlm_error_set(err, DLM_ERR_RUNTIME,
                               "population %zu: %llu events found no parent in %u fitness-"
                               "proportional draws; the results would be biased",
                               p, (unsigned long long)counts[p].failed_events,
                               plan->params.max_trials);
            goto done;
        }
    if (records) {
        if (fmt == DLM_FMT_JSON) {
            fputs("\n],\"summary\":", records);
            write_summary_json(records, sc, plan, out, stopped);
            fputs("}\n", records);
        } else if (fmt == DLM_FMT_JSONL) {
            write_summary_json(records, sc, plan, out, stopped);
            fputc('\n', records);
        } else if (fmt == DLM_FMT_TABLE) {
            uint64_t fixed = 0;
            for (p = 0; p < np; ++p)
                fixed += out[p].fixed;
            fprintf(records, "\n%s after %llu generations (%s); %llu of %zu populations fixed\n",
                    dlm_evo_rule_name(plan->rule), (unsigned long long)g, stopped,
                    (unsigned long long)fixed, np);
        }
        fflush(records);
    }
    if (sc->out[0]) { /* the summary beside the records, written atomically */
        char path[DLM_PATH_MAX + 32];
        dlm_sink sink;
        side_path(path, sizeof path, sc->out, ".summary.json");
        st = dlm_sink_open(&sink, path, err);
        if (st == DLM_OK) {
            write_summary_json(sink.fp, sc, plan, out, stopped);
            fputc('\n', sink.fp);
            st = dlm_sink_commit(&sink, err);
        }
    }
done:
    if (state)
        ops->evo_destroy(be, state);
    free(counts);
    free(census);
    free(active);
    free(recorded);
    free(fixed_now);
    free(snap);
    if (!outcomes)
        free(out);
    return st;
}

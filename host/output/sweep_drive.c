/* sweep_drive.c — a sweep's runs put together into one output, one slice or one MPI
 * job, with a summary per point (sweep_drive.h). */
#define _DEFAULT_SOURCE /* mkdtemp, isatty, fmemopen, open_memstream */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/io.h"
#include "core/text.h"
#include "output/progress.h"
#include "output/signals.h"
#include "output/sink.h"
#include "output/sweep_drive.h"

#define SLICE_MAGIC "dilemma sweep slice 1"
static const char *const format_names[] = {"table", "csv", "jsonl", "json"};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void dlm_sweep_slice(uint64_t total, uint32_t shard, uint32_t shards, uint64_t *first,
                     uint64_t *end)
{
    /* total * shard fits: total <= 10^7 runs and shards <= 2^32 */
    *first = (uint64_t)((unsigned __int128)total * shard / shards);
    *end = (uint64_t)((unsigned __int128)total * (shard + 1u) / shards);
}

/* --- the progress line ------------------------------------------------------------------- */

typedef struct progress {
    dlm_progress line;
    uint64_t batches; /* launches made here (a batch of runs, or one run) */
} progress;

/* Runs done of all (output/progress.h); the last line counts the batches. */
static void progress_show(progress *pr, uint64_t done, int end)
{
    char tail[64];
    snprintf(tail, sizeof tail, "; %llu batch%s", (unsigned long long)pr->batches,
             pr->batches == 1 ? "" : "es");
    dlm_progress_show(&pr->line, done, end, tail);
}

/* --- the scratch folder ------------------------------------------------------------------ */

static void remove_scratch(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        remove(path);
    }
    if (d)
        closedir(d);
    if (rmdir(dir) != 0)
        fprintf(dlm_err(), "dilemma sweep: could not remove the scratch folder %s\n", dir);
}

/* --- the summary ---------------------------------------------------------------------------- */

typedef struct summary {
    dlm_sink sink;
    int open;
    dlm_format fmt;
    const dlm_sweep *sw;
    uint64_t point;    /* whose samples acc holds */
    dlm_digest acc;
    uint64_t rows;
} summary;

static void summary_values(summary *s, uint64_t p, int json)
{
    size_t i;
    char v[2 * DLM_SWEEP_VALUE_TEXT];
    FILE *fp = s->sink.fp;
    for (i = 0; i < s->sw->n_axes; ++i) {
        if (json) {
            dlm_sweep_value_json(v, sizeof v, dlm_sweep_value(s->sw, p, i));
            fprintf(fp, "%s", i ? "," : "");
            dlm_json_string(fp, s->sw->axes[i].key);
            fprintf(fp, ":%s", v);
        } else {
            dlm_sweep_value_csv(v, sizeof v, dlm_sweep_value(s->sw, p, i));
            fprintf(fp, "%s,", v);
        }
    }
}

/* One row: quantity q of point p. */
static void summary_row(summary *s, uint64_t p, const char *q, const dlm_digest_stat *st)
{
    FILE *fp = s->sink.fp;
    const double x[4] = {st->mean, st->se, st->lo, st->hi};
    static const char *const names[4] = {"mean", "se", "ci_low", "ci_high"};
    int i;
    if (s->fmt == DLM_FMT_CSV) {
        fprintf(fp, "%llu,", (unsigned long long)p);
        summary_values(s, p, 0);
        dlm_csv_field(fp, q);
        fprintf(fp, ",%zu", st->n);
        for (i = 0; i < 4; ++i) {
            fputc(',', fp);
            dlm_print_double(fp, x[i]);
        }
        fputc('\n', fp);
    } else if (s->fmt == DLM_FMT_TABLE) {
        fprintf(fp, "  %-40s %6zu %14.6g %12.4g  [%.6g, %.6g]\n", q, st->n, st->mean, st->se,
                st->lo, st->hi);
    } else {
        if (s->fmt == DLM_FMT_JSON)
            fputs(s->rows ? ",\n" : "", fp);
        fprintf(fp, "{\"type\":\"sweep-summary\",\"point\":%llu,\"values\":{",
                (unsigned long long)p);
        summary_values(s, p, 1);
        fputs("},\"quantity\":", fp);
        dlm_json_string(fp, q);
        fprintf(fp, ",\"n\":%zu", st->n);
        for (i = 0; i < 4; ++i) {
            fprintf(fp, ",\"%s\":", names[i]);
            dlm_print_double(fp, x[i]);
        }
        fputs(s->fmt == DLM_FMT_JSONL ? "}\n" : "}", fp);
    }
    s->rows++;
}

/* The rows of the point whose samples are collected: each quantity in the order it first
 * appeared, over every sample of it. */
static dlm_status summary_flush(summary *s, dlm_error *err)
{
    size_t i, j, n;
    double *x;
    char *done;
    if (!s->open || s->acc.n == 0)
        return DLM_OK;
    x = malloc(s->acc.n * sizeof *x);
    done = calloc(s->acc.n, 1);
    if (!x || !done) {
        free(x);
        free(done);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for the sweep's summary");
    }
    if (s->fmt == DLM_FMT_TABLE) {
        fprintf(s->sink.fp, "%s== point %llu:", s->rows ? "\n" : "",
                (unsigned long long)s->point);
        for (i = 0; i < s->sw->n_axes; ++i)
            fprintf(s->sink.fp, " %s=%s", s->sw->axes[i].key, dlm_sweep_value(s->sw, s->point, i));
        fprintf(s->sink.fp, "\n  %-40s %6s %14s %12s  %s\n", "quantity", "n", "mean", "se",
                "95% interval");
    }
    for (i = 0; i < s->acc.n; ++i) {
        dlm_digest_stat st;
        if (done[i])
            continue;
        for (j = i, n = 0; j < s->acc.n; ++j)
            if (!done[j] && strcmp(s->acc.items[j].name, s->acc.items[i].name) == 0) {
                x[n++] = s->acc.items[j].value;
                done[j] = 1;
            }
        st = dlm_digest_summarise(x, n, s->acc.items[i].proportion);
        summary_row(s, s->point, s->acc.items[i].name, &st);
    }
    free(x);
    free(done);
    dlm_digest_clear(&s->acc);
    return DLM_OK;
}

/* Opens the summary file: written whole (atomically), or streamed into <path>.partial
 * (partial: a sweep with checkpoints), or continued from where checkpoint state `from`
 * left it. */
static dlm_status summary_open(summary *s, const dlm_sweep *sw, const char *path, int partial,
                               const dlm_sweep_state *from, dlm_error *err)
{
    size_t i;
    memset(s, 0, sizeof *s);
    s->sw = sw;
    if (!path)
        return DLM_OK;
    s->fmt = DLM_FMT_CSV;
    dlm_format_from_path(path, &s->fmt);
    if (from) {
        if (dlm_sink_resume_partial(&s->sink, path, &from->summary, err) != DLM_OK)
            return err->status;
        s->open = 1;
        s->point = from->point;
        s->rows = from->rows;
        for (i = 0; i < from->acc.n; ++i)
            if (dlm_digest_add(&s->acc, from->acc.items[i].name, from->acc.items[i].value,
                               from->acc.items[i].proportion, err) != DLM_OK)
                return err->status;
        return DLM_OK;
    }
    if ((partial ? dlm_sink_open_partial : dlm_sink_open)(&s->sink, path, err) != DLM_OK)
        return err->status;
    s->open = 1;
    if (s->fmt == DLM_FMT_CSV) {
        fputs("point,", s->sink.fp);
        for (i = 0; i < sw->n_axes; ++i) {
            dlm_csv_field(s->sink.fp, sw->axes[i].key);
            fputc(',', s->sink.fp);
        }
        fputs("quantity,n,mean,se,ci_low,ci_high\n", s->sink.fp);
    } else if (s->fmt == DLM_FMT_JSON) {
        fprintf(s->sink.fp, "{\"type\":\"sweep-summary\",\"points\":%llu,\"replicates\":%u,"
                "\"rows\":[\n", (unsigned long long)sw->points, sw->replicates);
    }
    return DLM_OK;
}

/* Adds a run's samples; a new point writes the last one's rows first. */
static dlm_status summary_add(summary *s, uint64_t point, const dlm_digest *d, dlm_error *err)
{
    size_t i;
    dlm_status st = DLM_OK;
    if (!s->open)
        return DLM_OK;
    if (point != s->point && (st = summary_flush(s, err)) != DLM_OK)
        return st;
    s->point = point;
    for (i = 0; i < d->n && st == DLM_OK; ++i)
        st = dlm_digest_add(&s->acc, d->items[i].name, d->items[i].value, d->items[i].proportion,
                            err);
    return st;
}

static dlm_status summary_close(summary *s, int ok, dlm_error *err)
{
    dlm_status st = DLM_OK;
    if (s->open && ok) {
        st = summary_flush(s, err);
        if (st == DLM_OK && s->fmt == DLM_FMT_JSON)
            fputs("\n]}\n", s->sink.fp);
        if (st == DLM_OK)
            st = dlm_sink_commit(&s->sink, err);
        else
            dlm_sink_abort(&s->sink);
    } else if (s->open) {
        dlm_sink_abort(&s->sink);
    }
    s->open = 0;
    dlm_digest_free(&s->acc);
    return st;
}

/* --- the output: runs joined into one document ------------------------------------------ */

typedef struct assembler {
    const dlm_sweep *sw;
    dlm_format fmt;
    dlm_sink sink;
    int open;
    summary sum;
    uint64_t next; /* the run expected next */
} assembler;

/* Opens the output and the summary: written whole, or (partial: a sweep with checkpoints)
 * streamed into <file>.partial, or continued from checkpoint state `from`. */
static dlm_status assembler_open(assembler *as, const dlm_sweep *sw, dlm_format fmt,
                                 const char *out, const char *summary_path, int partial,
                                 const dlm_sweep_state *from, dlm_error *err)
{
    memset(as, 0, sizeof *as);
    as->sw = sw;
    as->fmt = fmt;
    if (from)
        dlm_sink_resume_partial(&as->sink, out, &from->out, err);
    else
        (partial ? dlm_sink_open_partial : dlm_sink_open)(&as->sink, out, err);
    if (err->status != DLM_OK)
        return err->status;
    if (summary_open(&as->sum, sw, summary_path, partial || from, from, err) != DLM_OK) {
        dlm_error keep = *err;
        summary_close(&as->sum, 0, err);
        dlm_sink_abort(&as->sink);
        *err = keep;
        return err->status;
    }
    if (as->sink.kind == DLM_SINK_PARTIAL && as->sum.open) {
        /* signals.h cuts back the last partial file opened: make that the output again
           (the summary is cut back to its mark when the sweep resumes) */
        dlm_signals_track_records(fileno(as->sink.fp), as->sink.tmp_path);
        dlm_signals_records_good(from ? (off_t)from->out.length : 0);
    }
    as->open = 1;
    if (from) {
        as->next = from->done;
        return DLM_OK;
    }
    if (fmt == DLM_FMT_JSON)
        fprintf(as->sink.fp, "{\"type\":\"sweep\",\"points\":%llu,\"replicates\":%u,\"runs\":[\n",
                (unsigned long long)sw->points, sw->replicates);
    return DLM_OK;
}

/* Appends run `run`: n bytes from src (what the run wrote), joined as its format needs:
 * a csv's header only from the first run, json documents as array items, a table under
 * a line naming its point. */
static dlm_status assembler_add(assembler *as, uint64_t run, FILE *src, uint64_t n,
                                const char *label, const dlm_digest *d, dlm_error *err)
{
    char buf[65536];
    FILE *out = as->sink.fp;
    int c;
    if (run != as->next)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "sweep: run %llu arrived where run %llu was "
                             "due", (unsigned long long)run, (unsigned long long)as->next);
    if (as->fmt == DLM_FMT_JSON)
        fputs(run ? ",\n" : "", out);
    else if (as->fmt == DLM_FMT_TABLE)
        fprintf(out, "%s== %s\n", run ? "\n" : "", label);
    if (as->fmt == DLM_FMT_CSV && run > 0)
        while (n > 0 && (c = getc(src)) != EOF) {
            --n;
            if (c == '\n')
                break;
        }
    while (n > 1) { /* all but the last byte */
        size_t want = n - 1 < sizeof buf ? (size_t)(n - 1) : sizeof buf;
        size_t got = fread(buf, 1, want, src);
        if (got == 0)
            break;
        fwrite(buf, 1, got, out);
        n -= got;
    }
    if (n == 1 && (c = getc(src)) != EOF && !(as->fmt == DLM_FMT_JSON && c == '\n'))
        putc(c, out); /* a json document's own newline is dropped: the array continues */
    else if (n > 1)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "sweep: run %llu's output ended early",
                             (unsigned long long)run);
    as->next++;
    if (fflush(out) != 0)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "sweep: writing the output failed: %s",
                             strerror(errno));
    if (as->sink.kind == DLM_SINK_PARTIAL)
        dlm_signals_records_good((off_t)ftell(out)); /* whole runs up to here */
    return summary_add(&as->sum, run / as->sw->replicates, d, err);
}

static dlm_status assembler_close(assembler *as, int ok, dlm_error *err)
{
    dlm_status st = DLM_OK;
    if (!as->open)
        return DLM_OK;
    if (ok && as->fmt == DLM_FMT_JSON)
        fputs("\n]}\n", as->sink.fp);
    /* the summary first: when the output cannot be committed, neither stays */
    st = summary_close(&as->sum, ok, err);
    if (ok && st == DLM_OK)
        st = dlm_sink_commit(&as->sink, err);
    else
        dlm_sink_abort(&as->sink);
    as->open = 0;
    return ok ? st : DLM_ERR_RUNTIME;
}

/* --- blocks: a run as it travels in a slice file or an MPI message ----------------------- */

/* "run INDEX BYTES LABEL_BYTES SAMPLES\n", the run's bytes, its label and "\n", then one
 * line per sample: "PROPORTION VALUE(hex) NAME\n". */
static int block_write(FILE *to, uint64_t run, FILE *src, uint64_t n, const char *label,
                       const dlm_digest *d)
{
    char buf[65536];
    size_t got;
    fprintf(to, "run %llu %llu %zu %zu\n", (unsigned long long)run, (unsigned long long)n,
            strlen(label), d->n);
    while (n > 0 && (got = fread(buf, 1, n < sizeof buf ? (size_t)n : sizeof buf, src)) > 0) {
        fwrite(buf, 1, got, to);
        n -= got;
    }
    fprintf(to, "%s\n", label);
    dlm_digest_write(to, d);
    return n == 0 && !ferror(to) ? 0 : -1;
}

typedef struct block {
    uint64_t run, bytes;
    long at; /* where the bytes start in the stream */
    char label[DLM_SWEEP_LABEL];
    dlm_digest digest;
} block;

/* Reads a block's head, skips over its bytes (remembering where they are) and reads its
 * label and samples. Returns 1 for a block, 0 at the end, -1 when malformed. */
static int block_read(FILE *f, block *b, dlm_error *err)
{
    unsigned long long run, bytes;
    size_t label_len, samples;
    char line[DLM_SWEEP_LABEL + 256];
    int c = getc(f);
    if (c == EOF)
        return 0;
    ungetc(c, f);
    if (!fgets(line, sizeof line, f) ||
        sscanf(line, "run %llu %llu %zu %zu", &run, &bytes, &label_len, &samples) != 4 ||
        label_len >= DLM_SWEEP_LABEL)
        return -1;
    b->run = run;
    b->bytes = bytes;
    b->at = ftell(f);
    if (b->at < 0 || fseek(f, (long)bytes, SEEK_CUR) != 0)
        return -1;
    if (fread(b->label, 1, label_len + 1, f) != label_len + 1 || b->label[label_len] != '\n')
        return -1;
    b->label[label_len] = '\0';
    dlm_digest_clear(&b->digest);
    return dlm_digest_read(f, samples, &b->digest, err) == 0 ? 1 : -1;
}

/* --- running runs -------------------------------------------------------------------------- */

typedef struct runner {
    const dlm_sweep_job *job;
    progress *pr;
    char dir[64], path[128];
    int made;
    dlm_sweep_result *res; /* DLM_SWEEP_BATCH_MAX */
    size_t n, next;        /* results held, the next to hand out */
    uint64_t first;        /* the run of res[0] */
} runner;

static void runner_release(runner *r)
{
    size_t i;
    for (i = 0; i < r->n; ++i) {
        free(r->res[i].bytes);
        r->res[i].bytes = NULL;
    }
    r->n = r->next = 0;
}

static int runner_open(runner *r, const dlm_sweep_job *job, progress *pr)
{
    static const char *const ext[] = {"txt", "csv", "jsonl", "json"};
    memset(r, 0, sizeof *r);
    r->job = job;
    r->pr = pr;
    if (!(r->res = calloc(DLM_SWEEP_BATCH_MAX, sizeof *r->res))) {
        fprintf(dlm_err(), "dilemma sweep: out of memory\n");
        return 1;
    }
    snprintf(r->dir, sizeof r->dir, "/tmp/dilemma-sweep-XXXXXX");
    if (!mkdtemp(r->dir)) {
        fprintf(dlm_err(), "dilemma sweep: cannot make a scratch folder: %s\n", strerror(errno));
        return 1;
    }
    r->made = 1;
    dlm_sink_scratch(r->dir);
    snprintf(r->path, sizeof r->path, "%s/run.%s", r->dir, ext[job->fmt]);
    return 0;
}

static void runner_close(runner *r)
{
    size_t i;
    if (r->made) {
        dlm_sink_scratch(NULL);
        remove_scratch(r->dir);
    }
    r->made = 0;
    runner_release(r);
    for (i = 0; r->res && i < DLM_SWEEP_BATCH_MAX; ++i)
        dlm_digest_free(&r->res[i].digest);
    free(r->res);
    r->res = NULL;
}

/* The result of run `run` (runs are asked for in order, none after `end`): from the batch
 * at hand, or from a new batch starting there. */
static int runner_get(runner *r, uint64_t run, uint64_t end, dlm_sweep_result **out)
{
    if (r->next == r->n || run != r->first + r->next) {
        uint64_t max = end - run < DLM_SWEEP_BATCH_MAX ? end - run : DLM_SWEEP_BATCH_MAX;
        long got;
        size_t i;
        runner_release(r);
        for (i = 0; i < max; ++i) {
            dlm_digest_clear(&r->res[i].digest);
            r->res[i].label[0] = '\0';
        }
        got = r->job->batch(r->job->ctx, run, max, r->path, r->res);
        if (got <= 0)
            return got < 0 ? (int)-got : 1;
        r->n = (size_t)got;
        r->first = run;
        if (r->pr)
            r->pr->batches++;
    }
    *out = &r->res[r->next++];
    return 0;
}

/* Adds result x of run `run` to the output. */
static dlm_status assemble(assembler *as, uint64_t run, const dlm_sweep_result *x,
                           dlm_error *err)
{
    FILE *src = fmemopen(x->bytes ? x->bytes : (char *)"", x->n ? x->n : 1, "rb");
    dlm_status st;
    if (!src)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "sweep: out of memory");
    st = assembler_add(as, run, src, x->n, x->label, &x->digest, err);
    fclose(src);
    return st;
}

/* Writes result x of run `run` as a block. */
static int block_put(FILE *to, uint64_t run, const dlm_sweep_result *x)
{
    FILE *src = fmemopen(x->bytes ? x->bytes : (char *)"", x->n ? x->n : 1, "rb");
    int rc = src ? block_write(to, run, src, x->n, x->label, &x->digest) : -1;
    if (src)
        fclose(src);
    return rc;
}

/* --- checkpoints ---------------------------------------------------------------------------- */

typedef struct ckrun {
    const dlm_sweep_checkpointing *ck; /* null: none */
    double last;                       /* when the last one was taken */
    uint64_t last_done;                /* runs done then */
    uint32_t written;
    int signal; /* the signal that stopped the sweep at its last checkpoint, or 0 */
} ckrun;

static void ckrun_start(ckrun *c, const dlm_sweep_job *job, uint64_t done)
{
    memset(c, 0, sizeof *c);
    c->ck = job->ck && job->ck->path ? job->ck : NULL;
    c->last = now_seconds();
    c->last_done = done;
}

/* Reads the checkpoint a sweep resumes from into *from and checks that it is this sweep's
 * (the config by its hash, then the grid, slice, format and summary); 0, or an exit code
 * with the message printed. */
static int ck_resume_state(const dlm_sweep_job *job, uint64_t total, dlm_sweep_state *from)
{
    dlm_error err = {DLM_OK, ""};
    const char *what = NULL;
    memset(from, 0, sizeof *from);
    if (dlm_sweep_state_read(job->ck->resume, job->ck->config_hash, from, &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma sweep: cannot resume: %s\n", err.message);
        return err.status == DLM_ERR_USAGE ? 2 : 1;
    }
    if (from->total != total)
        what = "a grid of another size";
    else if (from->shards != job->shards || (job->shards && from->shard != job->shard))
        what = from->shards ? "a slice (--shard), and not this one" : "the whole sweep, not a slice";
    else if (strcmp(from->format, format_names[job->fmt]) != 0)
        what = "another output format";
    else if (from->has_summary != (job->summary != NULL))
        what = from->has_summary ? "a sweep with --summary: give it again"
                                 : "a sweep without --summary";
    if (what) {
        fprintf(dlm_err(), "dilemma sweep: cannot resume: checkpoint %s was taken by %s\n",
                job->ck->resume, what);
        return 2;
    }
    return 0;
}

/* Takes a checkpoint when one is due (its period has passed, or a signal asks the sweep
 * to stop) after `done` of `total` runs; out (and sum, when open) are the partial files.
 * Returns 0, or 1 when it cannot be written (message printed). c->signal is set when the
 * sweep is to stop here. */
static int ck_maybe(ckrun *c, const dlm_sweep_job *job, dlm_sink *out, summary *sum,
                    uint64_t done, uint64_t total)
{
    dlm_sweep_state st;
    dlm_error err = {DLM_OK, ""};
    double now;
    int stop = dlm_signals_stop_requested();
    if (!c->ck || done >= total)
        return 0;
    now = now_seconds();
    if (!stop && (c->ck->every_runs ? done - c->last_done < c->ck->every_runs
                                    : now - c->last < c->ck->every_seconds))
        return 0;
    memset(&st, 0, sizeof st);
    st.done = done;
    st.total = job->sw->points * job->sw->replicates;
    st.shard = job->shard;
    st.shards = job->shards;
    snprintf(st.format, sizeof st.format, "%s", format_names[job->fmt]);
    if (dlm_sink_mark_partial(out, &st.out, &err) != DLM_OK ||
        (sum && sum->open && dlm_sink_mark_partial(&sum->sink, &st.summary, &err) != DLM_OK)) {
        fprintf(dlm_err(), "dilemma sweep: checkpoint: %s\n", err.message);
        return 1;
    }
    if (sum && sum->open) {
        st.has_summary = 1;
        st.point = sum->point;
        st.rows = sum->rows;
        st.acc = sum->acc; /* borrowed */
    }
    if (dlm_sweep_state_write(c->ck->path, c->ck->config_hash, &st, &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma sweep: checkpoint: %s\n", err.message);
        return 1;
    }
    c->last = now;
    c->last_done = done;
    c->written++;
    if (c->ck->test_stop_after && c->written == c->ck->test_stop_after)
        raise(c->ck->test_signal);
    c->signal = dlm_signals_stop_requested();
    return 0;
}

/* A sweep stopped at its checkpoint: the partial files put aside, and how to resume.
 * Returns 128 + signal. */
static int ck_stopped(const ckrun *c, dlm_sink *out, summary *sum, uint64_t done, uint64_t total)
{
    dlm_error err = {DLM_OK, ""};
    const char *name = c->signal == SIGINT ? "SIGINT" : c->signal == SIGTERM ? "SIGTERM"
                     : c->signal == SIGHUP ? "SIGHUP" : "a signal";
    int rc = 128 + c->signal;
    if (dlm_sink_suspend(out, &err) != DLM_OK ||
        (sum && sum->open && dlm_sink_suspend(&sum->sink, &err) != DLM_OK)) {
        fprintf(dlm_err(), "dilemma sweep: %s\n", err.message);
        rc = 1;
    }
    if (sum) {
        sum->open = 0;
        dlm_digest_free(&sum->acc);
    }
    fprintf(dlm_err(),
            "dilemma sweep: stopped by %s after %llu of %llu runs; checkpoint in %s, "
            "output so far in %s\n",
            name, (unsigned long long)done, (unsigned long long)total, c->ck->path, out->tmp_path);
    fprintf(dlm_err(), "dilemma sweep: to resume: %s\n",
            c->ck->resume_command ? c->ck->resume_command : "the same command with --resume");
    return rc;
}

/* Every run here, into the output (from a checkpoint's run on, when resuming). */
static int drive_local(const dlm_sweep_job *job, uint64_t total, progress *pr)
{
    assembler as;
    runner rn;
    ckrun cr;
    dlm_sweep_state from;
    dlm_error err = {DLM_OK, ""};
    uint64_t run, start = 0;
    int rc = 0, resuming = job->ck && job->ck->resume;
    if (resuming && (rc = ck_resume_state(job, total, &from)) != 0) {
        dlm_digest_free(&from.acc);
        return rc;
    }
    start = resuming ? from.done : 0;
    if (assembler_open(&as, job->sw, job->fmt, job->out, job->summary, job->ck != NULL,
                       resuming ? &from : NULL, &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma sweep: %s%s\n", resuming ? "cannot resume: " : "", err.message);
        if (resuming)
            dlm_digest_free(&from.acc);
        return err.status == DLM_ERR_USAGE ? 2 : 1;
    }
    if (resuming)
        dlm_digest_free(&from.acc);
    pr->line.base = start;
    ckrun_start(&cr, job, start);
    rc = runner_open(&rn, job, pr);
    for (run = start; !rc && run < total; ++run) {
        dlm_sweep_result *x = NULL;
        rc = runner_get(&rn, run, total, &x);
        if (!rc && assemble(&as, run, x, &err) != DLM_OK) {
            fprintf(dlm_err(), "dilemma sweep: %s\n", err.message);
            rc = 1;
        }
        progress_show(pr, run + 1, run + 1 == total);
        if (!rc)
            rc = ck_maybe(&cr, job, &as.sink, &as.sum, run + 1, total);
        if (!rc && cr.signal)
            break;
    }
    if (!rc && cr.signal) {
        if (pr->line.shown && pr->line.tty)
            fputc('\n', dlm_err());
        rc = ck_stopped(&cr, &as.sink, &as.sum, run + 1, total);
        as.open = 0;
    } else if (assembler_close(&as, !rc, &err) != DLM_OK && !rc) {
        fprintf(dlm_err(), "dilemma sweep: %s\n", err.message);
        rc = 1;
    } else if (!rc && job->ck && job->ck->path) {
        remove(job->ck->path); /* the sweep is complete: nothing is left to resume */
    } else if (rc && cr.ck && (cr.written || resuming)) {
        fprintf(dlm_err(), "dilemma sweep: --resume %s continues from the last checkpoint\n",
                cr.ck->path);
    }
    runner_close(&rn);
    return rc;
}

/* The slice file's head: what merge checks and needs (the axes, for the summary). */
static void slice_head(FILE *f, const dlm_sweep_job *job, uint64_t first, uint64_t end,
                       uint64_t total)
{
    size_t i, j;
    fprintf(f, "%s\nconfig %016llx format %s shard %u of %u runs %llu %llu of %llu "
            "replicates %u zip %d axes %zu\n", SLICE_MAGIC,
            (unsigned long long)job->config_hash, format_names[job->fmt], job->shard,
            job->shards, (unsigned long long)first, (unsigned long long)end,
            (unsigned long long)total, job->sw->replicates, job->sw->zip, job->sw->n_axes);
    for (i = 0; i < job->sw->n_axes; ++i) {
        fprintf(f, "axis %zu %s\n", job->sw->axes[i].n, job->sw->axes[i].key);
        for (j = 0; j < job->sw->axes[i].n; ++j)
            fprintf(f, "%s\n", job->sw->axes[i].values[j]);
    }
}

/* The runs of one slice, into a slice file (written atomically; with checkpoints streamed
 * into <file>.partial, and continued from a checkpoint when resuming). */
static int drive_shard(const dlm_sweep_job *job, uint64_t total, progress *pr)
{
    dlm_sink sink;
    runner rn;
    ckrun cr;
    dlm_sweep_state from;
    dlm_error err = {DLM_OK, ""};
    uint64_t first, end, run, start;
    int rc, resuming = job->ck && job->ck->resume;
    dlm_sweep_slice(total, job->shard, job->shards, &first, &end);
    pr->line.total = end - first;
    if (resuming && (rc = ck_resume_state(job, total, &from)) != 0) {
        dlm_digest_free(&from.acc);
        return rc;
    }
    start = resuming ? from.done : first;
    if (resuming)
        dlm_sink_resume_partial(&sink, job->out, &from.out, &err);
    else
        (job->ck ? dlm_sink_open_partial : dlm_sink_open)(&sink, job->out, &err);
    if (resuming)
        dlm_digest_free(&from.acc);
    if (err.status != DLM_OK) {
        fprintf(dlm_err(), "dilemma sweep: %s%s\n", resuming ? "cannot resume: " : "", err.message);
        return err.status == DLM_ERR_USAGE ? 2 : 1;
    }
    if (!resuming)
        slice_head(sink.fp, job, first, end, total);
    pr->line.base = start - first;
    ckrun_start(&cr, job, start);
    rc = runner_open(&rn, job, pr);
    for (run = start; !rc && run < end; ++run) {
        dlm_sweep_result *x = NULL;
        rc = runner_get(&rn, run, end, &x);
        if (!rc && (block_put(sink.fp, run, x) != 0 || fflush(sink.fp) != 0)) {
            fprintf(dlm_err(), "dilemma sweep: writing the slice failed\n");
            rc = 1;
        }
        if (!rc && sink.kind == DLM_SINK_PARTIAL)
            dlm_signals_records_good((off_t)ftell(sink.fp));
        progress_show(pr, run + 1 - first, run + 1 == end);
        if (!rc)
            rc = ck_maybe(&cr, job, &sink, NULL, run + 1, end);
        if (!rc && cr.signal)
            break;
    }
    if (!rc && cr.signal) {
        rc = ck_stopped(&cr, &sink, NULL, run + 1 - first, end - first);
    } else if (!rc && dlm_sink_commit(&sink, &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma sweep: %s\n", err.message);
        rc = 1;
    } else if (rc) {
        dlm_sink_abort(&sink);
    } else if (job->ck && job->ck->path) {
        remove(job->ck->path);
    }
    runner_close(&rn);
    return rc;
}

/* MPI: the runs in chunks of `chunk`, chunk c on rank c mod size; the ranks send their runs
 * to rank 0 in order, which writes every run in order as it comes. */
static uint64_t mpi_chunk(uint64_t total, int size)
{
    uint64_t c = (total + 4u * (uint64_t)size - 1) / (4u * (uint64_t)size);
    return c < 1 ? 1 : c > DLM_SWEEP_BATCH_MAX ? DLM_SWEEP_BATCH_MAX : c;
}

static int mpi_worker(const dlm_sweep_job *job, uint64_t total, uint64_t start, int rank,
                      int size)
{
    runner rn;
    uint64_t chunk = mpi_chunk(total, size), c0, run;
    int rc = runner_open(&rn, job, NULL);
    for (c0 = (uint64_t)rank * chunk; !rc && c0 < total; c0 += (uint64_t)size * chunk) {
        uint64_t end = c0 + chunk < total ? c0 + chunk : total;
        for (run = c0 > start ? c0 : start; !rc && run < end; ++run) {
            dlm_sweep_result *x = NULL;
            FILE *mem;
            char *buf = NULL;
            size_t len = 0;
            rc = runner_get(&rn, run, end, &x);
            if (!rc && (!(mem = open_memstream(&buf, &len)) || block_put(mem, run, x) != 0 ||
                        fclose(mem) != 0 || dlm_mpi_send(buf, len) != 0))
                rc = 1;
            free(buf);
        }
    }
    runner_close(&rn);
    return rc;
}

/* Rank 0: its own runs and the others' into the output, in order, from run `start` (a
 * resumed sweep: *from is where its checkpoint left the files). */
static int mpi_root(const dlm_sweep_job *job, uint64_t total, int size, uint64_t start,
                    const dlm_sweep_state *from, progress *pr)
{
    runner rn;
    assembler as;
    ckrun cr;
    block b;
    dlm_error err = {DLM_OK, ""};
    uint64_t chunk = mpi_chunk(total, size), run;
    int rc;
    memset(&b, 0, sizeof b);
    if (assembler_open(&as, job->sw, job->fmt, job->out, job->summary, job->ck != NULL, from,
                       &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma sweep: %s%s\n", from ? "cannot resume: " : "", err.message);
        return err.status == DLM_ERR_USAGE ? 2 : 1;
    }
    pr->line.base = start;
    ckrun_start(&cr, job, start);
    rc = runner_open(&rn, job, pr);
    for (run = start; !rc && run < total; ++run) {
        int owner = (int)((run / chunk) % (uint64_t)size);
        if (owner == 0) {
            uint64_t end = (run / chunk + 1) * chunk;
            dlm_sweep_result *x = NULL;
            rc = runner_get(&rn, run, end < total ? end : total, &x);
            if (!rc && assemble(&as, run, x, &err) != DLM_OK)
                rc = 1;
        } else {
            FILE *src = NULL;
            char *buf = NULL;
            size_t len = 0;
            if (dlm_mpi_recv(owner, &buf, &len) != 0 || !(src = fmemopen(buf, len, "rb")) ||
                block_read(src, &b, &err) != 1 || fseek(src, b.at, SEEK_SET) != 0 ||
                assembler_add(&as, b.run, src, b.bytes, b.label, &b.digest, &err) != DLM_OK)
                rc = 1;
            if (src)
                fclose(src);
            free(buf);
        }
        if (rc && err.message[0])
            fprintf(dlm_err(), "dilemma sweep: %s\n", err.message);
        progress_show(pr, run + 1, run + 1 == total);
        if (!rc)
            rc = ck_maybe(&cr, job, &as.sink, &as.sum, run + 1, total);
        if (!rc && cr.signal)
            break;
    }
    if (!rc && cr.signal) {
        rc = ck_stopped(&cr, &as.sink, &as.sum, run + 1, total); /* the other ranks are ended */
        as.open = 0;
    } else if (assembler_close(&as, !rc, &err) != DLM_OK && !rc) {
        fprintf(dlm_err(), "dilemma sweep: %s\n", err.message);
        rc = 1;
    } else if (!rc && job->ck && job->ck->path) {
        remove(job->ck->path);
    }
    runner_close(&rn);
    dlm_digest_free(&b.digest);
    return rc;
}

/* MPI: rank 0 reads the checkpoint a resumed sweep continues and tells the others where
 * to start (UINT64_MAX: nowhere, the sweep ends). */
static int mpi_drive(const dlm_sweep_job *job, uint64_t total, int rank, int size, progress *pr)
{
    dlm_sweep_state from;
    uint64_t start = 0;
    int rc = 0, resuming = job->ck && job->ck->resume;
    memset(&from, 0, sizeof from);
    if (rank == 0 && resuming) {
        rc = ck_resume_state(job, total, &from);
        start = rc ? UINT64_MAX : from.done;
    }
    if (dlm_mpi_broadcast(&start) != 0)
        rc = 1;
    else if (start == UINT64_MAX && !rc)
        rc = 2; /* rank 0 said why */
    if (!rc)
        rc = rank ? mpi_worker(job, total, start, rank, size)
                  : mpi_root(job, total, size, start, resuming ? &from : NULL, pr);
    dlm_digest_free(&from.acc);
    return rc;
}

int dlm_sweep_drive(const dlm_sweep_job *job)
{
    uint64_t total = job->sw->points * job->sw->replicates;
    int rank = 0, size = 1, local = 0, rc;
    progress pr;
    dlm_progress_start(&pr.line, "dilemma sweep", "runs", total, 0.0, job->quiet);
    pr.batches = 0;
    if (job->shards) {
        if (job->out[0] == '\0') {
            fprintf(dlm_err(), "dilemma sweep: --shard writes a slice file for dilemma merge: give "
                               "it --out FILE\n");
            return 2;
        }
        return drive_shard(job, total, &pr);
    }
    if (dlm_mpi_start(&rank, &size, &local) != 0)
        return 1;
    if (size == 1)
        return drive_local(job, total, &pr);
    if (rank != 0)
        pr.line.quiet = 1;
    rc = mpi_drive(job, total, rank, size, &pr);
    dlm_mpi_finish(rc);
    return rc;
}

/* --- merge ----------------------------------------------------------------------------------- */

typedef struct slice {
    const char *path;
    FILE *f;
    unsigned long long hash, first, end, total;
    unsigned shard, shards, replicates;
    int zip;
    size_t n_axes;
    char format[16];
    dlm_sweep sw; /* read from the head */
} slice;

static void slice_free(slice *s)
{
    if (s->f)
        fclose(s->f);
    dlm_sweep_free(&s->sw);
}

/* Reads a slice file's head; 0, or 2 with a message naming the file. */
static int slice_open(slice *s, const char *path)
{
    char line[512];
    size_t i, j, n;
    memset(s, 0, sizeof *s);
    s->path = path;
    if (!(s->f = fopen(path, "rb"))) {
        fprintf(dlm_err(), "dilemma merge: cannot open %s: %s\n", path, strerror(errno));
        return 2;
    }
    if (!fgets(line, sizeof line, s->f) || strcmp(line, SLICE_MAGIC "\n") != 0) {
        fprintf(dlm_err(),
                "dilemma merge: %s is not a slice of a sweep (dilemma sweep --shard "
                "I/N --out FILE writes one)\n",
                path);
        return 2;
    }
    if (!fgets(line, sizeof line, s->f) ||
        sscanf(line, "config %llx format %15s shard %u of %u runs %llu %llu of %llu replicates "
                     "%u zip %d axes %zu", &s->hash, s->format, &s->shard, &s->shards, &s->first,
               &s->end, &s->total, &s->replicates, &s->zip, &s->n_axes) != 10 ||
        s->n_axes == 0 || s->n_axes > DLM_SWEEP_MAX_AXES || s->shards == 0 ||
        s->shard >= s->shards || s->replicates == 0)
        goto bad;
    s->sw.n_axes = s->n_axes;
    s->sw.zip = s->zip;
    s->sw.replicates = s->replicates;
    s->sw.points = s->total / s->replicates;
    for (i = 0; i < s->n_axes; ++i) {
        dlm_sweep_axis *ax = &s->sw.axes[i];
        int used = 0;
        if (!fgets(line, sizeof line, s->f) || sscanf(line, "axis %zu %n", &n, &used) != 1 ||
            n == 0 || n > DLM_SWEEP_MAX_VALUES || !used)
            goto bad;
        line[strcspn(line, "\n")] = '\0';
        snprintf(ax->key, sizeof ax->key, "%s", line + used);
        if (!(ax->values = calloc(n, sizeof *ax->values)))
            goto bad;
        ax->n = n;
        for (j = 0; j < n; ++j) {
            if (!fgets(ax->values[j], DLM_SWEEP_VALUE_TEXT, s->f))
                goto bad;
            ax->values[j][strcspn(ax->values[j], "\n")] = '\0';
        }
    }
    return 0;
bad:
    fprintf(dlm_err(),
            "dilemma merge: %s: the slice's head is damaged (written by another "
            "version of dilemma, or cut short)\n",
            path);
    return 2;
}

/* Whether b belongs to the same sweep as a; a message naming what differs if not. */
static int slice_same(const slice *a, const slice *b)
{
    const char *what = NULL;
    size_t i, j;
    if (a->hash != b->hash)
        what = "another config";
    else if (strcmp(a->format, b->format) != 0)
        what = "another format";
    else if (a->shards != b->shards)
        what = "another number of shards";
    else if (a->total != b->total || a->replicates != b->replicates || a->zip != b->zip ||
             a->n_axes != b->n_axes)
        what = "another grid";
    for (i = 0; !what && i < a->n_axes; ++i) {
        if (strcmp(a->sw.axes[i].key, b->sw.axes[i].key) != 0 || a->sw.axes[i].n != b->sw.axes[i].n)
            what = "another grid";
        for (j = 0; !what && j < a->sw.axes[i].n; ++j)
            if (strcmp(a->sw.axes[i].values[j], b->sw.axes[i].values[j]) != 0)
                what = "another grid";
    }
    if (what)
        fprintf(dlm_err(), "dilemma merge: %s is a slice of %s than %s\n", b->path, what, a->path);
    return what == NULL;
}

/* Appends every run of slice s to the output. */
static int slice_copy(slice *s, assembler *as, block *b)
{
    dlm_error err = {DLM_OK, ""};
    uint64_t expected = s->first;
    int got;
    while ((got = block_read(s->f, b, &err)) == 1) {
        long after = ftell(s->f);
        if (b->run != expected || b->run >= s->end) {
            fprintf(dlm_err(), "dilemma merge: %s holds run %llu where run %llu was due\n", s->path,
                    (unsigned long long)b->run, (unsigned long long)expected);
            return 2;
        }
        if (after < 0 || fseek(s->f, b->at, SEEK_SET) != 0 ||
            assembler_add(as, b->run, s->f, b->bytes, b->label, &b->digest, &err) != DLM_OK ||
            fseek(s->f, after, SEEK_SET) != 0) {
            fprintf(dlm_err(), "dilemma merge: %s: %s\n", s->path,
                    err.message[0] ? err.message : "cannot read the slice");
            return 1;
        }
        expected++;
    }
    if (got < 0 || expected != s->end) {
        fprintf(dlm_err(),
                "dilemma merge: %s is cut short or damaged: it holds runs %llu to %llu "
                "of %llu to %llu\n",
                s->path, (unsigned long long)s->first, (unsigned long long)expected,
                (unsigned long long)s->first, (unsigned long long)s->end);
        return 2;
    }
    return 0;
}

int dlm_sweep_merge(const char *const *paths, int n, const char *out, const char *summary_path)
{
    slice *s = calloc(n > 0 ? (unsigned)n : 1u, sizeof *s);
    slice **by_shard = NULL;
    assembler as;
    block b;
    dlm_error err = {DLM_OK, ""};
    dlm_format fmt = DLM_FMT_TABLE;
    int i, rc = 0, opened = 0;
    memset(&b, 0, sizeof b);
    if (!s)
        return 1;
    for (i = 0; !rc && i < n; ++i)
        if ((rc = slice_open(&s[i], paths[i])) == 0 && i > 0 && !slice_same(&s[0], &s[i]))
            rc = 2;
    if (!rc && (int)s[0].shards != n) {
        fprintf(dlm_err(), "dilemma merge: the sweep was cut into %u shards; %d slice%s given\n",
                s[0].shards, n, n == 1 ? "" : "s");
        rc = 2;
    }
    if (!rc && !(by_shard = calloc(s[0].shards, sizeof *by_shard)))
        rc = 1;
    for (i = 0; !rc && i < n; ++i) {
        if (by_shard[s[i].shard]) {
            fprintf(dlm_err(), "dilemma merge: %s and %s are both shard %u\n",
                    by_shard[s[i].shard]->path, s[i].path, s[i].shard);
            rc = 2;
        }
        if (!rc)
            by_shard[s[i].shard] = &s[i];
    }
    if (!rc)
        dlm_format_parse(s[0].format, &fmt, &err);
    if (!rc && assembler_open(&as, &s[0].sw, fmt, out, summary_path, 0, NULL, &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma merge: %s\n", err.message);
        rc = err.status == DLM_ERR_USAGE ? 2 : 1;
    } else if (!rc) {
        opened = 1;
    }
    for (i = 0; !rc && i < n; ++i)
        rc = slice_copy(by_shard[i], &as, &b);
    if (opened && assembler_close(&as, !rc, &err) != DLM_OK && !rc) {
        fprintf(dlm_err(), "dilemma merge: %s\n", err.message);
        rc = 1;
    }
    for (i = 0; i < n; ++i)
        slice_free(&s[i]);
    free(s);
    free(by_shard);
    dlm_digest_free(&b.digest);
    return rc;
}

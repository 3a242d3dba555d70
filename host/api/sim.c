/* sim.c — libdilemma's simulation handle (include/dilemma/sim.h): the CLI (dlm_cli_main)
 * run on a thread of its own, its standard output and standard error bound to the
 * handle's streams (core/io.h), so that the bytes are the CLI's. */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/io.h"
#include "dilemma/sim.h"

#define SIM_STACK (64u << 20) /* the CLI's frames hold whole scenarios: a main thread's room */

typedef struct text {
    char *data; /* NUL-terminated */
    size_t length, cap;
} text;

struct dlm_sim {
    char **argv;
    int argc, cap;
    char tmp_config[256]; /* dlm_sim_config_text's file, removed at close ("" none) */
    int has_config;
    dlm_record_fn record_fn;
    void *record_user;
    dlm_sim_progress_fn progress_fn;
    void *progress_user;

    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int started, finished, joined, exit_code;
    volatile int cancel;
    text out, err;    /* guarded by mu */
    size_t delivered; /* out: bytes up to here were given to record_fn (worker only) */
    uint64_t n_delivered;
    text scratch;  /* record_fn's copy of a line (worker only) */
    size_t pulled; /* out: bytes up to here were given by dlm_sim_next */
    uint64_t n_pulled;
    text line; /* dlm_sim_next's copy of its line */
    dlm_status status;
};

static int text_add(text *t, const char *s, size_t n)
{
    if (t->length + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        char *d;
        while (cap < t->length + n + 1)
            cap *= 2;
        if (!(d = realloc(t->data, cap)))
            return -1;
        t->data = d;
        t->cap = cap;
    }
    memcpy(t->data + t->length, s, n);
    t->length += n;
    t->data[t->length] = '\0';
    return 0;
}

static int text_set(text *t, const char *s, size_t n)
{
    t->length = 0;
    return text_add(t, s, n);
}

const char *dlm_version(void)
{
    return DLM_VERSION;
}

int dlm_abi(void)
{
    return DLM_ABI_VERSION;
}

static dlm_status fail(dlm_error *err, dlm_status st, const char *msg)
{
    if (err) {
        err->status = st;
        snprintf(err->message, sizeof err->message, "%s", msg);
    }
    return st;
}

static dlm_status add_arg(dlm_sim *s, const char *arg)
{
    char *copy;
    if (!s || !arg)
        return DLM_ERR_USAGE;
    if (s->started)
        return DLM_ERR_USAGE; /* the run has its arguments */
    if (s->argc + 2 > s->cap) {
        int cap = s->cap ? 2 * s->cap : 16;
        char **v = realloc(s->argv, (size_t)cap * sizeof *v);
        if (!v)
            return DLM_ERR_RUNTIME;
        s->argv = v;
        s->cap = cap;
    }
    if (!(copy = strdup(arg)))
        return DLM_ERR_RUNTIME;
    s->argv[s->argc++] = copy;
    s->argv[s->argc] = NULL;
    return DLM_OK;
}

dlm_status dlm_sim_open(dlm_sim **sim, const char *command, dlm_error *err)
{
    dlm_sim *s;
    if (!sim)
        return fail(err, DLM_ERR_USAGE, "dlm_sim_open: no place for the handle");
    *sim = NULL;
    if (!(s = calloc(1, sizeof *s)))
        return fail(err, DLM_ERR_RUNTIME, "dlm_sim_open: out of memory");
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->exit_code = -1;
    if (add_arg(s, "dilemma") != DLM_OK ||
        (command && command[0] && add_arg(s, command) != DLM_OK)) {
        dlm_sim_close(s);
        return fail(err, DLM_ERR_RUNTIME, "dlm_sim_open: out of memory");
    }
    *sim = s;
    if (err) {
        err->status = DLM_OK;
        err->message[0] = '\0';
    }
    return DLM_OK;
}

dlm_status dlm_sim_config_file(dlm_sim *sim, const char *path)
{
    dlm_status st;
    if (!sim || !path || sim->has_config || sim->started)
        return DLM_ERR_USAGE;
    if ((st = add_arg(sim, "--config")) != DLM_OK || (st = add_arg(sim, path)) != DLM_OK)
        return st;
    sim->has_config = 1;
    return DLM_OK;
}

dlm_status dlm_sim_config_text(dlm_sim *sim, const char *yaml)
{
    const char *dir = getenv("TMPDIR");
    size_t n;
    int fd;
    if (!sim || !yaml || sim->has_config || sim->started)
        return DLM_ERR_USAGE;
    snprintf(sim->tmp_config, sizeof sim->tmp_config, "%s/dilemma-config-XXXXXX.yaml",
             dir && dir[0] && strlen(dir) < 200 ? dir : "/tmp");
    if ((fd = mkstemps(sim->tmp_config, 5)) < 0) {
        sim->tmp_config[0] = '\0';
        return DLM_ERR_RUNTIME;
    }
    n = strlen(yaml);
    while (n > 0) {
        ssize_t w = write(fd, yaml, n);
        if (w <= 0) {
            close(fd);
            return DLM_ERR_RUNTIME;
        }
        yaml += w;
        n -= (size_t)w;
    }
    if (close(fd) != 0)
        return DLM_ERR_RUNTIME;
    return dlm_sim_config_file(sim, sim->tmp_config);
}

dlm_status dlm_sim_set(dlm_sim *sim, const char *key, const char *value)
{
    char *kv;
    dlm_status st;
    if (!sim || !key || !value)
        return DLM_ERR_USAGE;
    if (!(kv = malloc(strlen(key) + strlen(value) + 2)))
        return DLM_ERR_RUNTIME;
    sprintf(kv, "%s=%s", key, value);
    if ((st = add_arg(sim, "--set")) == DLM_OK)
        st = add_arg(sim, kv);
    free(kv);
    return st;
}

dlm_status dlm_sim_arg(dlm_sim *sim, const char *arg)
{
    return add_arg(sim, arg);
}

dlm_status dlm_sim_on_record(dlm_sim *sim, dlm_record_fn fn, void *user)
{
    if (!sim || sim->started)
        return DLM_ERR_USAGE;
    sim->record_fn = fn;
    sim->record_user = user;
    return DLM_OK;
}

dlm_status dlm_sim_on_progress(dlm_sim *sim, dlm_sim_progress_fn fn, void *user)
{
    if (!sim || sim->started)
        return DLM_ERR_USAGE;
    sim->progress_fn = fn;
    sim->progress_user = user;
    return DLM_OK;
}

static int cancelled(dlm_sim *s)
{
    return __atomic_load_n(&s->cancel, __ATOMIC_ACQUIRE) != 0;
}

/* The handle's standard output: kept whole, lines handed to the callback as they end. */
static ssize_t out_write(void *cookie, const char *buf, size_t n)
{
    dlm_sim *s = cookie;
    size_t end;
    if (cancelled(s)) {
        errno = ECANCELED;
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    if (text_add(&s->out, buf, n) != 0) {
        pthread_mutex_unlock(&s->mu);
        errno = ENOMEM;
        return -1;
    }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    if (!s->record_fn)
        return (ssize_t)n;
    /* only this thread appends, so the bytes up to s->out.length stay put while it reads
       them; a copy is still made, since another thread's dlm_sim_output may not move them
       but a later append of ours may (realloc) */
    for (;;) {
        const char *start, *nl;
        dlm_record rec;
        pthread_mutex_lock(&s->mu);
        end = s->out.length;
        start = s->out.data + s->delivered;
        nl = memchr(start, '\n', end - s->delivered);
        if (nl && text_set(&s->scratch, start, (size_t)(nl - start)) != 0)
            nl = NULL;
        pthread_mutex_unlock(&s->mu);
        if (!nl)
            break;
        s->delivered += s->scratch.length + 1;
        rec.line = s->scratch.data;
        rec.length = s->scratch.length;
        rec.index = s->n_delivered++;
        s->record_fn(s->record_user, &rec);
    }
    return (ssize_t)n;
}

static ssize_t err_write(void *cookie, const char *buf, size_t n)
{
    dlm_sim *s = cookie;
    pthread_mutex_lock(&s->mu);
    if (text_add(&s->err, buf, n) != 0) {
        pthread_mutex_unlock(&s->mu);
        errno = ENOMEM;
        return -1;
    }
    pthread_mutex_unlock(&s->mu);
    return (ssize_t)n;
}

static void on_progress(void *user, const char *what, const char *unit, uint64_t done,
                        uint64_t total)
{
    dlm_sim *s = user;
    s->progress_fn(s->progress_user, what, unit, done, total);
}

static void *worker(void *arg)
{
    dlm_sim *s = arg;
    cookie_io_functions_t out_fns = {NULL, out_write, NULL, NULL};
    cookie_io_functions_t err_fns = {NULL, err_write, NULL, NULL};
    dlm_io io;
    char **argv = NULL;
    int rc = 1;
    memset(&io, 0, sizeof io);
    io.out = fopencookie(s, "w", out_fns);
    io.err = fopencookie(s, "w", err_fns);
    io.cancel = &s->cancel;
    if (s->progress_fn) {
        io.progress = on_progress;
        io.user = s;
    }
    /* dlm_cli_main may reorder its argv: it gets a copy of the pointers */
    if (io.out && io.err && (argv = malloc((size_t)(s->argc + 1) * sizeof *argv))) {
        memcpy(argv, s->argv, (size_t)(s->argc + 1) * sizeof *argv);
        setvbuf(io.err, NULL, _IOLBF, 0);
        dlm_io_bind(&io);
        rc = dlm_cli_main(s->argc, argv);
        fflush(io.out);
        fflush(io.err);
        dlm_io_bind(NULL);
    } else {
        static const char oom[] = "dilemma: out of memory\n";
        err_write(s, oom, sizeof oom - 1);
    }
    free(argv);
    if (io.out)
        fclose(io.out);
    if (io.err)
        fclose(io.err);
    if (s->record_fn && s->delivered < s->out.length) { /* a last line without its newline */
        dlm_record rec;
        pthread_mutex_lock(&s->mu);
        text_set(&s->scratch, s->out.data + s->delivered, s->out.length - s->delivered);
        pthread_mutex_unlock(&s->mu);
        s->delivered = s->out.length;
        rec.line = s->scratch.data ? s->scratch.data : "";
        rec.length = s->scratch.length;
        rec.index = s->n_delivered++;
        s->record_fn(s->record_user, &rec);
    }
    pthread_mutex_lock(&s->mu);
    s->exit_code = rc;
    s->status = rc == 0 ? DLM_OK : rc == 2 ? DLM_ERR_USAGE : DLM_ERR_RUNTIME;
    if (rc != 0 && cancelled(s)) {
        static const char msg[] = "dilemma: cancelled\n";
        text_add(&s->err, msg, sizeof msg - 1);
        s->status = DLM_ERR_RUNTIME;
    }
    s->finished = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

dlm_status dlm_sim_start(dlm_sim *sim)
{
    pthread_attr_t attr;
    int e;
    if (!sim || sim->started)
        return DLM_ERR_USAGE;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, SIM_STACK);
    e = pthread_create(&sim->thread, &attr, worker, sim);
    pthread_attr_destroy(&attr);
    if (e != 0) {
        static const char msg[] = "dilemma: cannot start the run's thread\n";
        err_write(sim, msg, sizeof msg - 1);
        sim->exit_code = 1;
        sim->status = DLM_ERR_RUNTIME;
        sim->finished = 1;
        sim->joined = 1;
        sim->started = 1;
        return DLM_ERR_RUNTIME;
    }
    sim->started = 1;
    return DLM_OK;
}

dlm_status dlm_sim_wait(dlm_sim *sim)
{
    if (!sim)
        return DLM_ERR_USAGE;
    if (!sim->started)
        return DLM_ERR_USAGE;
    if (!sim->joined) {
        pthread_join(sim->thread, NULL);
        sim->joined = 1;
    }
    return sim->status;
}

dlm_status dlm_sim_run(dlm_sim *sim)
{
    dlm_status st;
    if (!sim)
        return DLM_ERR_USAGE;
    if (!sim->started && (st = dlm_sim_start(sim)) != DLM_OK)
        return st;
    return dlm_sim_wait(sim);
}

dlm_status dlm_sim_next(dlm_sim *sim, dlm_record *rec)
{
    dlm_status st = DLM_OK;
    int ended;
    if (!sim || !rec)
        return DLM_ERR_USAGE;
    rec->line = NULL;
    rec->length = 0;
    rec->index = sim->n_pulled;
    if (!sim->started && (st = dlm_sim_start(sim)) != DLM_OK)
        return st;
    pthread_mutex_lock(&sim->mu);
    for (;;) {
        size_t have = sim->out.length - sim->pulled;
        const char *start = sim->out.data ? sim->out.data + sim->pulled : NULL;
        const char *nl = have ? memchr(start, '\n', have) : NULL;
        if (nl || (sim->finished && have)) {
            size_t n = nl ? (size_t)(nl - start) : have;
            if (text_set(&sim->line, start, n) != 0) {
                st = DLM_ERR_RUNTIME;
                break;
            }
            sim->pulled += nl ? n + 1 : n;
            rec->line = sim->line.data;
            rec->length = n;
            rec->index = sim->n_pulled++;
            break;
        }
        if (sim->finished) {
            st = sim->status;
            break;
        }
        pthread_cond_wait(&sim->cv, &sim->mu);
    }
    ended = sim->finished;
    pthread_mutex_unlock(&sim->mu);
    if (!rec->line && ended) /* the end: the thread is done */
        st = dlm_sim_wait(sim);
    return st;
}

int dlm_sim_exit_code(const dlm_sim *sim)
{
    return sim && sim->joined ? sim->exit_code : -1;
}

const char *dlm_sim_output(dlm_sim *sim, size_t *length)
{
    const char *d;
    if (!sim) {
        if (length)
            *length = 0;
        return "";
    }
    pthread_mutex_lock(&sim->mu);
    d = sim->out.data ? sim->out.data : "";
    if (length)
        *length = sim->out.length;
    pthread_mutex_unlock(&sim->mu);
    return d;
}

const char *dlm_sim_messages(dlm_sim *sim)
{
    const char *d;
    if (!sim)
        return "";
    pthread_mutex_lock(&sim->mu);
    d = sim->err.data ? sim->err.data : "";
    pthread_mutex_unlock(&sim->mu);
    return d;
}

void dlm_sim_cancel(dlm_sim *sim)
{
    if (sim)
        __atomic_store_n(&sim->cancel, 1, __ATOMIC_RELEASE);
}

void dlm_sim_close(dlm_sim *sim)
{
    int i;
    if (!sim)
        return;
    if (sim->started && !sim->joined) {
        dlm_sim_cancel(sim);
        dlm_sim_wait(sim);
    }
    for (i = 0; i < sim->argc; ++i)
        free(sim->argv[i]);
    free(sim->argv);
    if (sim->tmp_config[0])
        unlink(sim->tmp_config);
    free(sim->out.data);
    free(sim->err.data);
    free(sim->scratch.data);
    free(sim->line.data);
    pthread_mutex_destroy(&sim->mu);
    pthread_cond_destroy(&sim->cv);
    free(sim);
}

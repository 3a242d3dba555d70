/* progress.c — the progress line of a long run (progress.h). */
#define _DEFAULT_SOURCE /* isatty */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/io.h"
#include "output/progress.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void dlm_progress_start(dlm_progress *p, const char *what, const char *unit, uint64_t total,
                        double delay, int quiet)
{
    p->what = what;
    p->unit = unit;
    p->started = now_seconds();
    p->last = 0;
    p->delay = delay;
    if (getenv("DLM_PROGRESS_DELAY")) /* tests: the line at once (0) or never */
        p->delay = atof(getenv("DLM_PROGRESS_DELAY"));
    p->total = total;
    p->base = 0;
    p->done = 0;
    p->quiet = quiet;
    p->shown = 0;
    p->tty = !dlm_io_library() && isatty(STDERR_FILENO);
}

void dlm_progress_show(dlm_progress *p, uint64_t done, int end, const char *tail)
{
    double now = now_seconds(), spent = now - p->started;
    double rate = spent > 0 ? (double)(done - p->base) / spent : 0;
    dlm_io *io = dlm_io_current();
    p->done = done;
    if (io && io->progress) { /* a library handle's callback, at every count, no line */
        if (!p->quiet)
            io->progress(io->user, p->what, p->unit, done, p->total);
        return;
    }
    if (p->quiet || (!p->shown && spent < p->delay) ||
        (!end && now - p->last < (p->tty ? 0.2 : 5.0)))
        return;
    p->last = now;
    p->shown = 1;
    fprintf(dlm_err(), "%s%s: %llu/%llu %s, %.*f %s/s, %.0f s elapsed, %.0f s left",
            p->tty ? "\r" : "", p->what, (unsigned long long)done, (unsigned long long)p->total,
            p->unit, rate < 100 ? 1 : 0, rate, p->unit, spent,
            rate > 0 && p->total > done ? (double)(p->total - done) / rate : 0.0);
    if (end)
        fprintf(dlm_err(), "%s\n", tail ? tail : "");
    else
        fputs(p->tty ? "   " : "\n", dlm_err());
}

void dlm_progress_end(dlm_progress *p)
{
    dlm_io *io = dlm_io_current();
    if (io && io->progress)
        return;
    if (p->shown)
        dlm_progress_show(p, p->done, 1, NULL);
}

void dlm_progress_report(void *ctx, uint64_t done, uint64_t total)
{
    dlm_progress *p = ctx;
    p->total = total;
    dlm_progress_show(p, done, 0, NULL);
}

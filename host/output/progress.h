/* progress.h — the progress line on stderr of a long run: a sweep (runs), an evolution
 * (generations), a tournament (matches). Done of all, rate, elapsed and time left: on a
 * terminal one line updated in place (5 times a second at most), otherwise a plain line
 * every 5 seconds; the last line ends it. A line waits `delay` seconds from the start, so
 * that a short run prints none (a sweep shows it at once; a single run after 2 s; the
 * tests set DLM_PROGRESS_DELAY to seconds of their own). */
#ifndef DLM_PROGRESS_H
#define DLM_PROGRESS_H

#include <stdint.h>

typedef struct dlm_progress {
    const char *what;  /* "dilemma sweep", "dilemma run" */
    const char *unit;  /* plural: "runs", "generations", "matches" */
    double started, last, delay;
    uint64_t total;
    uint64_t base;     /* done before this process started (a resumed run) */
    uint64_t done;     /* the last count given */
    int quiet, shown, tty;
} dlm_progress;

/* Starts the clock. quiet: print nothing. */
void dlm_progress_start(dlm_progress *p, const char *what, const char *unit, uint64_t total,
                        double delay, int quiet);
/* done of total so far; end: the last call (its line ends with `tail`, if not null, and a
 * newline). Prints only when due. */
void dlm_progress_show(dlm_progress *p, uint64_t done, int end, const char *tail);
/* Ends the line (at the last count given) when one was shown. */
void dlm_progress_end(dlm_progress *p);
/* dlm_progress_fn (run/play.h) for a dlm_progress: ctx is the dlm_progress. */
void dlm_progress_report(void *ctx, uint64_t done, uint64_t total);

#endif /* DLM_PROGRESS_H */

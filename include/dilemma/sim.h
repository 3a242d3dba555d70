/* dilemma/sim.h — libdilemma: a simulation handle that runs any dilemma command (match,
 * tournament, analyze, run/evolve, sweep, strategies, devices ...) in the calling process
 * and gives back exactly the bytes the CLI writes.
 *
 *   dlm_sim *sim;
 *   dlm_error err;
 *   dlm_record rec;
 *   if (dlm_sim_open(&sim, "run", &err) != DLM_OK) ... err.message
 *   dlm_sim_config_file(sim, "configs/nowak_sigmund_1993.yaml");
 *   dlm_sim_set(sim, "seed", "7");                    (the CLI's --set seed=7)
 *   dlm_sim_start(sim);                               (runs on its own thread)
 *   while (dlm_sim_next(sim, &rec) == DLM_OK && rec.line) puts(rec.line);
 *   if (dlm_sim_wait(sim) != DLM_OK) fputs(dlm_sim_messages(sim), stderr);
 *   dlm_sim_close(sim);
 *
 * A handle is the CLI run on a thread of its own whose standard output and standard
 * error are the handle's (the process's stay untouched): no global state, no exit(), no
 * signal handlers; handles on different threads do not interfere. Functions of one handle
 * are called from one thread at a time, except dlm_sim_cancel (any thread, any time).
 * Link with `pkg-config --libs dilemma`. The ABI is versioned by the soname
 * (libdilemma.so.DLM_ABI_VERSION). */
#ifndef DILEMMA_SIM_H
#define DILEMMA_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "dilemma/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dlm_sim dlm_sim;

/* One line of the output (the CLI's standard output), without its newline. */
typedef struct dlm_record {
    const char *line; /* NUL-terminated; NULL at the end of the output */
    size_t length;    /* bytes in line */
    uint64_t index;   /* 0 for the first line */
} dlm_record;

/* Called on the handle's thread for each complete line, as the run writes it. */
typedef void (*dlm_record_fn)(void *user, const dlm_record *record);
/* Called on the handle's thread as a long run advances (what: "dilemma sweep", unit:
 * "runs", "generations" or "matches"): done of total. */
typedef void (*dlm_sim_progress_fn)(void *user, const char *what, const char *unit, uint64_t done,
                                    uint64_t total);

/* The library's version ("0.1.0") and ABI number (the soname's N). */
DLM_API const char *dlm_version(void);
DLM_API int dlm_abi(void);

/* A new handle for a CLI command ("match", "run", "sweep" ...; "" for bare arguments). */
DLM_API dlm_status dlm_sim_open(dlm_sim **sim, const char *command, dlm_error *err);
/* The config: a YAML (or JSON) file, or its text (kept in a temporary file until close). */
DLM_API dlm_status dlm_sim_config_file(dlm_sim *sim, const char *path);
DLM_API dlm_status dlm_sim_config_text(dlm_sim *sim, const char *yaml);
/* An override of one config key, as the CLI's --set key=value. */
DLM_API dlm_status dlm_sim_set(dlm_sim *sim, const char *key, const char *value);
/* One more command-line argument, as given to the CLI ("--rounds", "200", "tft" ...). */
DLM_API dlm_status dlm_sim_arg(dlm_sim *sim, const char *arg);
/* Records through a callback (before start; NULL: none); they can still be pulled. */
DLM_API dlm_status dlm_sim_on_record(dlm_sim *sim, dlm_record_fn fn, void *user);
/* Progress through a callback (before start; it replaces the CLI's progress line). */
DLM_API dlm_status dlm_sim_on_progress(dlm_sim *sim, dlm_sim_progress_fn fn, void *user);
/* Starts the run on its own thread (once per handle). */
DLM_API dlm_status dlm_sim_start(dlm_sim *sim);
/* The next line, waiting for it: DLM_OK with rec->line set, or, at the end, rec->line
 * NULL and the run's status. rec->line stays valid until the next call or the close. */
DLM_API dlm_status dlm_sim_next(dlm_sim *sim, dlm_record *rec);
/* Waits for the end of the run; its status (DLM_OK, DLM_ERR_USAGE, DLM_ERR_RUNTIME). */
DLM_API dlm_status dlm_sim_wait(dlm_sim *sim);
/* Starts (if not started) and waits: dlm_sim_start then dlm_sim_wait. */
DLM_API dlm_status dlm_sim_run(dlm_sim *sim);
/* The CLI's exit code of the finished run (0, 1, 2, 128 + signal); -1 before the end. */
DLM_API int dlm_sim_exit_code(const dlm_sim *sim);
/* Everything written to standard output so far, and its length (after the end: all). */
DLM_API const char *dlm_sim_output(dlm_sim *sim, size_t *length);
/* Everything written to standard error so far: notices, and the error's message. */
DLM_API const char *dlm_sim_messages(dlm_sim *sim);
/* Asks the run to stop at its next record or safe point (any thread); it ends
 * DLM_ERR_RUNTIME with "cancelled" in its messages. */
DLM_API void dlm_sim_cancel(dlm_sim *sim);
/* Cancels the run if it is still going, waits for it and frees the handle (NULL: nothing). */
DLM_API void dlm_sim_close(dlm_sim *sim);

#ifdef __cplusplus
}
#endif

#endif /* DILEMMA_SIM_H */

/* io.h — where the command line's text goes: standard output and standard error of the
 * process, or, on a thread that runs a library handle (include/dilemma.h, dlm_sim), that
 * handle's own streams. Every write of host/ and bench/ goes through dlm_out() and
 * dlm_err(), never stdout and stderr by name, so that two handles on two threads keep
 * their bytes apart and the CLI's bytes are the library's. */
#ifndef DLM_IO_H
#define DLM_IO_H

#include <stdint.h>
#include <stdio.h>

typedef struct dlm_io {
    FILE *out; /* records and reports (the CLI's standard output) */
    FILE *err; /* messages (the CLI's standard error) */
    /* The progress of a long run (a sweep's runs, an evolution's generations, a
     * tournament's matches), when not null: called instead of printing a progress line. */
    void (*progress)(void *user, const char *what, const char *unit, uint64_t done, uint64_t total);
    void *user;
    /* Non-zero when the handle was cancelled: the run stops at its next safe point. */
    volatile int *cancel;
} dlm_io;

/* Binds io to the calling thread (NULL: back to the process's streams). */
void dlm_io_bind(dlm_io *io);
/* The calling thread's binding, or NULL. */
dlm_io *dlm_io_current(void);
/* The calling thread's standard output and standard error. */
FILE *dlm_out(void);
FILE *dlm_err(void);
/* 1 when a library handle runs on this thread (no signal handlers, no MPI). */
int dlm_io_library(void);
/* 1 when the handle running on this thread was cancelled. */
int dlm_io_cancelled(void);
/* puts(s) on the calling thread's standard output. */
int dlm_puts(const char *s);

#endif /* DLM_IO_H */

/* signals.h — what an interrupted run leaves behind. SIGINT, SIGTERM and SIGHUP end the
 * run at once, but first remove every temporary file a sink is writing (nothing
 * half-written is left under any name), cut a partial records file back to its last
 * complete record, say on stderr what was kept, and exit with status 128 + signal.
 *
 *
 * In deferred mode (a run that writes checkpoints: dlm_signals_defer) the first SIGINT,
 * SIGTERM or SIGHUP only records the signal: the run asks dlm_signals_stop_requested at its
 * next safe point (a generation boundary), writes a checkpoint there and exits with status
 * 128 + signal, saying how to resume. A second signal acts at once, as above.
 *
 * The handler only calls async-signal-safe functions (unlink, ftruncate, write, _exit)
 * on state registered here beforehand in fixed slots, so it is safe whatever the run was
 * doing when the signal came. */
#ifndef DLM_SIGNALS_H
#define DLM_SIGNALS_H

#include <sys/types.h>

/* Installs the handlers (once; later calls do nothing). */
void dlm_signals_install(void);

/* Deferred mode on (1) or off (0); either way a stop asked for before is forgotten. */
void dlm_signals_defer(int on);
/* The signal that asked a deferred run to stop (SIGINT, SIGTERM, SIGHUP), or 0. */
int dlm_signals_stop_requested(void);

/* A temporary file to remove if a signal comes; returns its slot (-1 when none is free:
 * the file is then only removed by the normal paths). */
int dlm_signals_track_temp(const char *path);
/* The temporary file of slot is gone or renamed into place: forget it. */
void dlm_signals_untrack(int slot);

/* Records streaming into `path` through descriptor fd: on a signal it is cut back to
 * dlm_signals_records_good's offset and named on stderr as kept (or removed when empty). */
void dlm_signals_track_records(int fd, const char *path);
/* The records up to offset `good` are complete. */
void dlm_signals_records_good(off_t good);
/* The records file is closed (renamed, or kept by the caller): forget it. */
void dlm_signals_untrack_records(void);

#endif /* DLM_SIGNALS_H */

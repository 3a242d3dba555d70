/* sink.h — where an output goes, and how it gets there whole or not at all.
 *
 *   ""  or "-"               standard output;
 *   a device, FIFO or socket written directly, as a stream, never replaced (/dev/null,
 *   (or any path in /dev/)   /dev/stdout, a named pipe);
 *   a regular file, or none  written to a temporary file beside it and renamed into place
 *                            when complete (a symlink to a regular file is written
 *                            through: its target is replaced, the link stays);
 *   ... as partial records   (dlm_sink_open_partial) streamed into <file>.partial, renamed
 *                            to <file> when complete; a failed or interrupted run keeps the
 *                            partial file cut back to its last complete record, or removes
 *                            it when it holds none.
 * A partial records file can be marked (its length and a CRC-32 of its content, for a
 * checkpoint) and later resumed from that mark: checked, cut back and appended to.
 * Every write is checked when the sink is committed (fflush, ferror, fsync, fclose,
 * rename); temporary files are registered with signals.h, so an interrupted run leaves
 * none behind. Opening a sink creates its temporary file at once, so a path that cannot
 * be written fails before any computation. */
#ifndef DLM_SINK_H
#define DLM_SINK_H

#include <stdint.h>
#include <stdio.h>

#include "dilemma.h"

#define DLM_SINK_PATH 1100

typedef enum dlm_sink_kind {
    DLM_SINK_STDOUT,
    DLM_SINK_STREAM,  /* written directly: a device, FIFO, socket */
    DLM_SINK_ATOMIC,  /* a temporary file renamed into place */
    DLM_SINK_PARTIAL  /* <target>.partial renamed into place */
} dlm_sink_kind;

typedef struct dlm_sink {
    FILE *fp;
    dlm_sink_kind kind;
    char path[DLM_SINK_PATH];     /* as named ("" for standard output) */
    char target[DLM_SINK_PATH];   /* the regular file it replaces (links resolved) */
    char tmp_path[DLM_SINK_PATH]; /* where it is written until committed */
    int slot;                     /* its temporary file's slot in signals.h, -1 for none */
    uint64_t crc_length;          /* partial: bytes the running CRC-32 covers */
    uint32_t crc;                 /* partial: zlib CRC-32 of its first crc_length bytes */
} dlm_sink;

/* Where a partial records file stood when a checkpoint was taken. */
typedef struct dlm_sink_mark {
    uint64_t length; /* bytes of complete records */
    uint32_t crc;    /* zlib CRC-32 of those bytes */
} dlm_sink_mark;

/* Opens a sink for a whole output, written atomically (or as a stream, above). */
dlm_status dlm_sink_open(dlm_sink *s, const char *path, dlm_error *err);
/* Opens a sink for records that stream into <path>.partial while they are written; the
 * writer flushes it on complete records and reports them to signals.h
 * (dlm_signals_records_good). */
dlm_status dlm_sink_open_partial(dlm_sink *s, const char *path, dlm_error *err);
/* Marks a partial sink where it stands: flushes and fsyncs it (the records a checkpoint
 * refers to are on disk before the checkpoint is) and extends its running CRC-32 over the
 * bytes written since the last mark (read back once each). The writer calls it on a
 * complete record. */
dlm_status dlm_sink_mark_partial(dlm_sink *s, dlm_sink_mark *mark, dlm_error *err);
/* Opens <path>.partial to continue a run from mark: refused (DLM_ERR_USAGE, nothing
 * changed) when path is standard output or a stream, or the partial file is missing,
 * shorter than mark or holds other bytes up to it; otherwise cut back to mark.length (what
 * a run killed after its checkpoint wrote past it) and opened for appending, as
 * dlm_sink_open_partial opens a new one. */
dlm_status dlm_sink_resume_partial(dlm_sink *s, const char *path, const dlm_sink_mark *mark,
                                   dlm_error *err);
/* Puts a partial sink aside for a later resume: flushes, fsyncs and closes it and keeps
 * <path>.partial as it is (never renamed, never removed). */
dlm_status dlm_sink_suspend(dlm_sink *s, dlm_error *err);
/* Flushes, syncs and renames into place; a write error is DLM_ERR_RUNTIME naming the file
 * and the error, and then nothing is left under the final name. */
dlm_status dlm_sink_commit(dlm_sink *s, dlm_error *err);
/* Files committed inside folder dir (a sweep's scratch folder, removed at its end; null:
 * none) skip the fsync: losing them in a crash loses nothing, and a sweep of thousands of
 * small runs (analyze's pairs) would otherwise wait on the disk once per run. */
void dlm_sink_scratch(const char *dir);
/* Gives up: a temporary file is removed; a partial file is kept as flushed when it holds
 * records. Returns 1 when a partial file was kept. */
int dlm_sink_abort(dlm_sink *s);

#endif /* DLM_SINK_H */

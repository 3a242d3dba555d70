/* sweep_drive.h — a sweep's runs, wherever they are computed, put together into one
 * output in run order (point-major, replicates inner), with a summary per point:
 *
 *   one process          every run here, in order;
 *   --shard i/n          the runs of slice i (contiguous) into a slice file, which
 *                        `dilemma merge` joins with the others into the same bytes;
 *   mpirun -np R         run r on rank r mod R; rank 0 receives the others' runs in
 *                        order and writes the one output (host/output/sweep_mpi.c).
 *
 * A run is computed by the caller's function into a file of its own (the bytes a
 * standalone run writes); the driver adds what joins runs into one document (a csv
 * header once, json array separators, a table's heading per run) and collects each
 * run's results (run/digest.h) for the summary. */
#ifndef DLM_SWEEP_DRIVE_H
#define DLM_SWEEP_DRIVE_H

#include <stdint.h>

#include "config/sweep.h"
#include "output/output.h"
#include "output/sink.h"
#include "run/digest.h"

#define DLM_SWEEP_LABEL 4096

/* One run's result: the bytes the run writes on its own (malloc'd), its heading (its
 * sweep object as JSON) and its results as samples. */
typedef struct dlm_sweep_result {
    char *bytes;
    size_t n;
    char label[DLM_SWEEP_LABEL];
    dlm_digest digest;
} dlm_sweep_result;

/* Runs `first` and as many of the next runs (at most `max`) as it can batch together,
 * filling results[0 ..]; `scratch` is a file it may use for a run of its own. Returns how
 * many runs it did (>= 1), or minus an exit code (messages already on stderr). */
typedef long (*dlm_sweep_batch_fn)(void *ctx, uint64_t first, uint64_t max, const char *scratch,
                                   dlm_sweep_result *results);

#define DLM_SWEEP_BATCH_MAX 4096 /* runs in one batch */

/* Checkpoints of a sweep (--checkpoint, --resume): taken between runs, every every_runs
 * runs or every every_seconds; a signal (deferred, output/signals.h) takes one at the next
 * run and stops the sweep (exit 128 + signal). The output and the summary stream into
 * <file>.partial meanwhile; a resumed sweep checks them against the checkpoint, cuts them
 * back to it and carries on, to the bytes of an uninterrupted sweep. */
typedef struct dlm_sweep_checkpointing {
    const char *path;           /* where checkpoints go, or null for none */
    const char *resume;         /* the checkpoint to continue from, or null */
    uint64_t every_runs;        /* 0: by time */
    double every_seconds;
    uint64_t config_hash;       /* dlm_config_hash of the config */
    const char *resume_command; /* what to run to resume (said after a signal) */
    uint32_t test_stop_after;   /* tests: raise test_signal after that many checkpoints */
    int test_signal;
} dlm_sweep_checkpointing;

/* Where a sweep stood at a checkpoint (sweep_state.c): runs done of total, which slice
 * (shards = 0: the whole sweep), the output's format, the output and summary files' marks,
 * and the summary's current point with its samples so far. */
typedef struct dlm_sweep_state {
    uint64_t done, total;
    uint32_t shard, shards;
    char format[16];
    dlm_sink_mark out;
    int has_summary;
    dlm_sink_mark summary;
    uint64_t point, rows;
    dlm_digest acc;
} dlm_sweep_state;

dlm_status dlm_sweep_state_write(const char *path, uint64_t config_hash, const dlm_sweep_state *s,
                                 dlm_error *err);
/* Refusals (DLM_ERR_USAGE) name what is wrong: those of dlm_checkpoint_read, or a damaged
 * state. */
dlm_status dlm_sweep_state_read(const char *path, uint64_t config_hash, dlm_sweep_state *s,
                                dlm_error *err);

typedef struct dlm_sweep_job {
    const dlm_sweep *sw;
    dlm_format fmt;          /* of the output and of every run */
    const char *out;         /* "" = standard output */
    const char *summary;     /* the summary file, or null for none */
    uint32_t shard, shards;  /* shards = 0: the whole sweep; else slice `shard` of `shards` */
    int quiet;               /* no progress line */
    uint64_t config_hash;    /* names the config in slice files */
    dlm_sweep_batch_fn batch;
    void *ctx;
    const dlm_sweep_checkpointing *ck; /* or null: no checkpoints */
} dlm_sweep_job;

/* Runs the job; returns an exit code (0, 1 for a failure, 2 for bad input). */
int dlm_sweep_drive(const dlm_sweep_job *job);

/* `dilemma merge`: joins the slice files (any order) of one sweep into out (and the
 * summary, when not null); a missing, repeated or foreign slice is refused, exit 2. */
int dlm_sweep_merge(const char *const *slices, int n, const char *out, const char *summary);

/* The runs of slice `shard` of `shards`: [*first, *end). */
void dlm_sweep_slice(uint64_t total, uint32_t shard, uint32_t shards, uint64_t *first,
                     uint64_t *end);

/* MPI (sweep_mpi.c): whether this process was started by an MPI launcher, and if so its
 * rank, the number of ranks and its rank on this node. Without MPI in the build, or
 * outside a launcher: rank 0 of 1. */
int dlm_mpi_start(int *rank, int *size, int *local_rank);
/* Sends one block to rank 0; receives the next block from `from`. 0 on success. */
int dlm_mpi_send(const void *buf, size_t n);
int dlm_mpi_recv(int from, char **buf, size_t *n);
/* Rank 0's value of *v on every rank. 0 on success. */
int dlm_mpi_broadcast(uint64_t *v);
/* Ends MPI (code 0) or aborts every rank (code != 0). */
void dlm_mpi_finish(int code);

#endif /* DLM_SWEEP_DRIVE_H */

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
#include "run/digest.h"

#define DLM_SWEEP_LABEL 4096

/* Runs point `point`, replicate `replicate` into the file `path` (in the sweep's format);
 * writes the run's heading (its sweep object as JSON) into label and its results into
 * digest. Returns an exit code (0 = done; messages already on stderr). */
typedef int (*dlm_sweep_run_fn)(void *ctx, uint64_t point, uint32_t replicate,
                                const char *path, char *label, size_t label_len,
                                dlm_digest *digest);

typedef struct dlm_sweep_job {
    const dlm_sweep *sw;
    dlm_format fmt;          /* of the output and of every run */
    const char *out;         /* "" = standard output */
    const char *summary;     /* the summary file, or null for none */
    uint32_t shard, shards;  /* shards = 0: the whole sweep; else slice `shard` of `shards` */
    int quiet;               /* no progress line */
    uint64_t config_hash;    /* names the config in slice files */
    dlm_sweep_run_fn run;
    void *ctx;
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
/* Ends MPI (code 0) or aborts every rank (code != 0). */
void dlm_mpi_finish(int code);

#endif /* DLM_SWEEP_DRIVE_H */

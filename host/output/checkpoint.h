/* checkpoint.h — the checkpoint file: a small container that any long run (an evolution,
 * a sweep) fills with its own payload, written atomically and checked whole on reading.
 *
 * Layout (integers little-endian):
 *   offset  0  magic "DLMCKPT\0" (8 bytes)
 *           8  format version (u32, DLM_CKPT_VERSION)
 *          12  kind (u32: DLM_CKPT_EVOLVE, DLM_CKPT_SWEEP)
 *          16  config hash (u64, dlm_config_hash: the config the results depend on)
 *          24  payload length n (u64)
 *          32  payload (n bytes, the kind's own)
 *      32 + n  CRC-32 (zlib's) of everything before it (u32)
 * Written to a temporary file beside the path, fsync'ed, renamed into place and the folder
 * fsync'ed: a crash leaves the previous checkpoint or the new one, never half of one. */
#ifndef DLM_CHECKPOINT_H
#define DLM_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "dilemma.h"

#define DLM_CKPT_EVOLVE 1u
#define DLM_CKPT_SWEEP 2u
#define DLM_CKPT_VERSION 1u

/* Writes a checkpoint of kind with payload (n bytes) atomically to path (a regular file;
 * standard output and devices are refused, DLM_ERR_USAGE). I/O failures are
 * DLM_ERR_RUNTIME, and then the previous checkpoint at path, if any, is left as it was. */
dlm_status dlm_checkpoint_write(const char *path, uint32_t kind, uint64_t config_hash,
                                const void *payload, size_t n, dlm_error *err);
/* The same with the payload in n_parts pieces, written one after the other. */
dlm_status dlm_checkpoint_write_parts(const char *path, uint32_t kind, uint64_t config_hash,
                                      const void *const *parts, const size_t *sizes,
                                      size_t n_parts, dlm_error *err);

/* Reads and checks a checkpoint; *payload (malloc'd, free it) and *n get its payload.
 * Each refusal is DLM_ERR_USAGE with a message naming which: a file that cannot be read,
 * not a dilemma checkpoint (magic), another format version (found, expected), truncated
 * (length), corrupted (checksum), another kind, another config (hash). A file that cannot
 * be read for another reason than its absence or permissions is DLM_ERR_RUNTIME. */
dlm_status dlm_checkpoint_read(const char *path, uint32_t kind, uint64_t config_hash,
                               void **payload, size_t *n, dlm_error *err);

#endif /* DLM_CHECKPOINT_H */

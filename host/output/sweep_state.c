/* sweep_state.c — where a sweep stood at a checkpoint (sweep_drive.h, dlm_sweep_state):
 * the payload of a DLM_CKPT_SWEEP checkpoint (output/checkpoint.h), as text:
 *
 *   dilemma sweep state 1
 *   runs DONE of TOTAL slice SHARD of SHARDS format FORMAT
 *   output LENGTH CRC
 *   summary HAS LENGTH CRC point POINT rows ROWS samples K
 *   PROPORTION VALUE(hex float) NAME          (K lines: the current point's samples so far)
 */
#define _DEFAULT_SOURCE /* open_memstream, fmemopen */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/checkpoint.h"
#include "output/sweep_drive.h"

#define STATE_MAGIC "dilemma sweep state 1"

dlm_status dlm_sweep_state_write(const char *path, uint64_t config_hash, const dlm_sweep_state *s,
                                 dlm_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    dlm_status st;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a checkpoint");
    fprintf(mem, "%s\nruns %llu of %llu slice %u of %u format %s\noutput %llu %08x\n"
            "summary %d %llu %08x point %llu rows %llu samples %zu\n", STATE_MAGIC,
            (unsigned long long)s->done, (unsigned long long)s->total, s->shard, s->shards,
            s->format, (unsigned long long)s->out.length, s->out.crc, s->has_summary,
            (unsigned long long)s->summary.length, s->summary.crc, (unsigned long long)s->point,
            (unsigned long long)s->rows, s->acc.n);
    dlm_digest_write(mem, &s->acc);
    if (fclose(mem) != 0) {
        free(buf);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a checkpoint");
    }
    st = dlm_checkpoint_write(path, DLM_CKPT_SWEEP, config_hash, buf, len, err);
    free(buf);
    return st;
}

/* Parses the payload (a checked checkpoint's, so damage here means another writer). */
static int state_parse(FILE *f, dlm_sweep_state *s, dlm_error *err)
{
    char line[DLM_DIGEST_NAME + 128];
    unsigned long long done, total, olen, slen, point, rows;
    unsigned ocrc, scrc;
    size_t k;
    if (!fgets(line, sizeof line, f) || strcmp(line, STATE_MAGIC "\n") != 0 ||
        !fgets(line, sizeof line, f) ||
        sscanf(line, "runs %llu of %llu slice %u of %u format %15s", &done, &total, &s->shard,
               &s->shards, s->format) != 5 ||
        !fgets(line, sizeof line, f) || sscanf(line, "output %llu %x", &olen, &ocrc) != 2 ||
        !fgets(line, sizeof line, f) ||
        sscanf(line, "summary %d %llu %x point %llu rows %llu samples %zu", &s->has_summary,
               &slen, &scrc, &point, &rows, &k) != 6 || done > total)
        return -1;
    s->done = done;
    s->total = total;
    s->out.length = olen;
    s->out.crc = ocrc;
    s->summary.length = slen;
    s->summary.crc = scrc;
    s->point = point;
    s->rows = rows;
    dlm_digest_clear(&s->acc);
    return dlm_digest_read(f, k, &s->acc, err);
}

dlm_status dlm_sweep_state_read(const char *path, uint64_t config_hash, dlm_sweep_state *s,
                                dlm_error *err)
{
    void *payload = NULL;
    size_t n = 0;
    FILE *f;
    int rc;
    dlm_status st = dlm_checkpoint_read(path, DLM_CKPT_SWEEP, config_hash, &payload, &n, err);
    if (st != DLM_OK)
        return st;
    if (!(f = fmemopen(payload, n ? n : 1, "rb"))) {
        free(payload);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading %s", path);
    }
    rc = state_parse(f, s, err);
    fclose(f);
    free(payload);
    if (rc == -2)
        return err->status;
    if (rc != 0)
        return dlm_error_set(err, DLM_ERR_USAGE, "checkpoint %s: the sweep's state in it is "
                             "damaged (written by another version of dilemma?)", path);
    return DLM_OK;
}

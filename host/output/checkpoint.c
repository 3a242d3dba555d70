/* checkpoint.c — checkpoint files: written atomically, checked whole on reading
 * (checkpoint.h). The checksum is zlib's CRC-32. */
#define _POSIX_C_SOURCE 200809L /* fsync, fileno */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "output/checkpoint.h"
#include "output/sink.h"

#define HEADER 32u
#define TRAILER 4u
static const char magic[8] = {'D', 'L', 'M', 'C', 'K', 'P', 'T', '\0'};

static void put_u32(unsigned char *p, uint32_t v)
{
    int i;
    for (i = 0; i < 4; ++i)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    int i;
    for (i = 0; i < 8; ++i)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static const char *kind_name(uint32_t kind)
{
    return kind == DLM_CKPT_EVOLVE ? "an evolution"
           : kind == DLM_CKPT_SWEEP ? "a sweep"
                                    : "another";
}

/* Makes a rename in path's folder durable (best effort: some file systems refuse). */
static void sync_folder(const char *path)
{
    char dir[DLM_SINK_PATH];
    const char *slash = strrchr(path, '/');
    int fd;
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

dlm_status dlm_checkpoint_write_parts(const char *path, uint32_t kind, uint64_t config_hash,
                                      const void *const *parts, const size_t *sizes,
                                      size_t n_parts, dlm_error *err)
{
    unsigned char header[HEADER], trailer[TRAILER];
    uint64_t n = 0;
    uLong crc;
    dlm_sink sink;
    dlm_status st;
    size_t i;
    if (!path || !path[0] || strcmp(path, "-") == 0)
        return dlm_error_set(err, DLM_ERR_USAGE, "a checkpoint needs a file name");
    if ((st = dlm_sink_open(&sink, path, err)) != DLM_OK)
        return st;
    if (sink.kind != DLM_SINK_ATOMIC) {
        dlm_sink_abort(&sink);
        return dlm_error_set(err, DLM_ERR_USAGE, "checkpoint '%s' is not a regular file (a "
                             "device, pipe or socket cannot hold one)", path);
    }
    for (i = 0; i < n_parts; ++i)
        n += sizes[i];
    memcpy(header, magic, sizeof magic);
    put_u32(header + 8, DLM_CKPT_VERSION);
    put_u32(header + 12, kind);
    put_u64(header + 16, config_hash);
    put_u64(header + 24, n);
    crc = crc32_z(0L, header, HEADER);
    fwrite(header, 1, HEADER, sink.fp);
    for (i = 0; i < n_parts; ++i)
        if (sizes[i]) {
            crc = crc32_z(crc, parts[i], sizes[i]);
            fwrite(parts[i], 1, sizes[i], sink.fp);
        }
    put_u32(trailer, (uint32_t)crc);
    fwrite(trailer, 1, TRAILER, sink.fp);
    if ((st = dlm_sink_commit(&sink, err)) != DLM_OK)
        return st;
    sync_folder(sink.target);
    return DLM_OK;
}

dlm_status dlm_checkpoint_write(const char *path, uint32_t kind, uint64_t config_hash,
                                const void *payload, size_t n, dlm_error *err)
{
    return dlm_checkpoint_write_parts(path, kind, config_hash, &payload, &n, 1, err);
}

/* Reads the whole file at path into *data (malloc'd), *len its size. */
static dlm_status read_whole(const char *path, unsigned char **data, size_t *len, dlm_error *err)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, used = 0;
    if (!fp)
        return dlm_error_set(err, errno == ENOENT || errno == EACCES || errno == ENOTDIR
                                      ? DLM_ERR_USAGE : DLM_ERR_RUNTIME,
                             "cannot read checkpoint %s: %s", path, strerror(errno));
    for (;;) {
        size_t got;
        if (used == cap) {
            size_t ncap = cap ? 2 * cap : 1u << 16;
            unsigned char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(fp);
                return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading checkpoint %s",
                                     path);
            }
            buf = nb;
            cap = ncap;
        }
        got = fread(buf + used, 1, cap - used, fp);
        used += got;
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        int e = errno;
        free(buf);
        fclose(fp);
        return dlm_error_set(err, e == EISDIR ? DLM_ERR_USAGE : DLM_ERR_RUNTIME,
                             "cannot read checkpoint %s: %s", path, strerror(e ? e : EIO));
    }
    fclose(fp);
    *data = buf;
    *len = used;
    return DLM_OK;
}

/* The checks of checkpoint.h, in the order a reader can make them. */
static dlm_status check(const char *path, const unsigned char *d, size_t len, uint32_t kind,
                        uint64_t config_hash, dlm_error *err)
{
    uint64_t n;
    uint32_t version, found_kind;
    if (len < sizeof magic || memcmp(d, magic, sizeof magic) != 0)
        return dlm_error_set(err, DLM_ERR_USAGE, "%s is not a dilemma checkpoint (it does not "
                             "start with the checkpoint magic number)", path);
    if (len < HEADER + TRAILER)
        return dlm_error_set(err, DLM_ERR_USAGE, "checkpoint %s is truncated (%zu bytes, shorter "
                             "than its header)", path, len);
    version = get_u32(d + 8);
    if (version != DLM_CKPT_VERSION)
        return dlm_error_set(err, DLM_ERR_USAGE, "checkpoint %s has another format version "
                             "(found %u, expected %u): it was written by another version of "
                             "dilemma", path, version, DLM_CKPT_VERSION);
    n = get_u64(d + 24);
    if (n > len - HEADER - TRAILER)
        return dlm_error_set(err, DLM_ERR_USAGE, "checkpoint %s is truncated (%zu bytes; its "
                             "header promises %llu)", path, len,
                             (unsigned long long)(n + HEADER + TRAILER));
    if (n < len - HEADER - TRAILER)
        return dlm_error_set(err, DLM_ERR_USAGE, "checkpoint %s is corrupted (%llu bytes "
                             "after its end)", path,
                             (unsigned long long)(len - HEADER - TRAILER - n));
    if ((uint32_t)crc32_z(0L, d, HEADER + (size_t)n) != get_u32(d + HEADER + n))
        return dlm_error_set(err, DLM_ERR_USAGE, "checkpoint %s is corrupted (its checksum "
                             "does not match its content)", path);
    found_kind = get_u32(d + 12);
    if (found_kind != kind)
        return dlm_error_set(err, DLM_ERR_USAGE, "checkpoint %s is of another kind (%s run's, "
                             "not %s run's)", path, kind_name(found_kind), kind_name(kind));
    if (get_u64(d + 16) != config_hash)
        return dlm_error_set(err, DLM_ERR_USAGE, "checkpoint %s is from another config (config "
                             "hash %016llx, this run's is %016llx): resume with the config and "
                             "options the run was started with", path,
                             (unsigned long long)get_u64(d + 16),
                             (unsigned long long)config_hash);
    return DLM_OK;
}

dlm_status dlm_checkpoint_read(const char *path, uint32_t kind, uint64_t config_hash,
                               void **payload, size_t *n, dlm_error *err)
{
    unsigned char *d = NULL;
    size_t len = 0;
    dlm_status st = read_whole(path, &d, &len, err);
    *payload = NULL;
    *n = 0;
    if (st != DLM_OK)
        return st;
    if ((st = check(path, d, len, kind, config_hash, err)) != DLM_OK) {
        free(d);
        return st;
    }
    *n = (size_t)get_u64(d + 24);
    memmove(d, d + HEADER, *n);
    *payload = d;
    return DLM_OK;
}

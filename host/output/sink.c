/* sink.c — outputs written whole or not at all, streams written directly (sink.h). */
#define _DEFAULT_SOURCE /* realpath, fsync, ftruncate */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdio_ext.h> /* __fpurge */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/io.h"
#include "core/paths.h"
#include "output/signals.h"
#include "output/sink.h"

/* Resolves what a sink writes: standard output, a stream, or the regular file to
 * replace (a symlink's target). */
static dlm_status sink_resolve(dlm_sink *s, const char *path, dlm_error *err)
{
    struct stat st, lst;
    memset(s, 0, sizeof *s);
    s->slot = -1;
    if (!path || !path[0] || strcmp(path, "-") == 0) {
        s->kind = DLM_SINK_STDOUT;
        s->fp = dlm_out();
        return DLM_OK;
    }
    if (strlen(path) > 1000)
        return dlm_error_set(err, DLM_ERR_USAGE, "output path is longer than 1000 characters");
    snprintf(s->path, sizeof s->path, "%s", path);
    snprintf(s->target, sizeof s->target, "%s", path);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return dlm_error_set(err, DLM_ERR_USAGE, "output '%s' is a folder; give a file name",
                             path);
    if (dlm_path_is_stream(path)) {
        s->kind = DLM_SINK_STREAM;
        return DLM_OK;
    }
    s->kind = DLM_SINK_ATOMIC;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) { /* written through the link */
        char real[4096], link[1024];
        ssize_t n;
        if (realpath(path, real)) {
            if (strlen(real) < sizeof s->target)
                memcpy(s->target, real, strlen(real) + 1);
        } else if ((n = readlink(path, link, sizeof link - 1)) > 0) { /* a link to nothing yet */
            const char *slash = strrchr(path, '/');
            link[n] = '\0';
            if (link[0] == '/' || !slash)
                snprintf(s->target, sizeof s->target, "%s", link);
            else
                snprintf(s->target, sizeof s->target, "%.*s/%.900s", (int)(slash - path), path,
                         link);
        }
    }
    return DLM_OK;
}

/* Creates the temporary file of an atomic or partial sink. */
static dlm_status sink_create(dlm_sink *s, dlm_error *err)
{
    if (s->kind == DLM_SINK_STREAM) {
        if (!(s->fp = fopen(s->path, "w")))
            return dlm_error_set(err, DLM_ERR_RUNTIME, "cannot write %s: %s", s->path,
                                 strerror(errno));
        return DLM_OK;
    }
    if (s->kind == DLM_SINK_PARTIAL)
        snprintf(s->tmp_path, sizeof s->tmp_path, "%.1080s.partial", s->target);
    else
        snprintf(s->tmp_path, sizeof s->tmp_path, "%.1060s.tmp.%ld", s->target, (long)getpid());
    s->slot = s->kind == DLM_SINK_ATOMIC ? dlm_signals_track_temp(s->tmp_path) : -1;
    /* w+: a partial file is read back for the CRC of a checkpoint's mark */
    if (!(s->fp = fopen(s->tmp_path, s->kind == DLM_SINK_PARTIAL ? "w+" : "w"))) {
        int e = errno;
        dlm_signals_untrack(s->slot);
        s->slot = -1;
        return dlm_error_set(err, e == ENOENT || e == EACCES || e == EROFS || e == ENOTDIR
                                      ? DLM_ERR_USAGE : DLM_ERR_RUNTIME,
                             "cannot write %s: %s", s->kind == DLM_SINK_PARTIAL ? s->tmp_path
                                                                               : s->path,
                             strerror(e));
    }
    if (s->kind == DLM_SINK_PARTIAL)
        dlm_signals_track_records(fileno(s->fp), s->tmp_path);
    return DLM_OK;
}

dlm_status dlm_sink_open(dlm_sink *s, const char *path, dlm_error *err)
{
    dlm_status st = sink_resolve(s, path, err);
    if (st != DLM_OK || s->kind == DLM_SINK_STDOUT)
        return st;
    return sink_create(s, err);
}

dlm_status dlm_sink_open_partial(dlm_sink *s, const char *path, dlm_error *err)
{
    dlm_status st = sink_resolve(s, path, err);
    if (st != DLM_OK || s->kind == DLM_SINK_STDOUT)
        return st;
    if (s->kind == DLM_SINK_ATOMIC)
        s->kind = DLM_SINK_PARTIAL;
    return sink_create(s, err);
}

/* Extends *crc (over the first *done bytes of fd) to its first `to` bytes. */
static int crc_extend(int fd, uint64_t *done, uint32_t *crc, uint64_t to)
{
    unsigned char buf[1 << 16];
    uLong c = *crc;
    while (*done < to) {
        size_t want = to - *done < sizeof buf ? (size_t)(to - *done) : sizeof buf;
        ssize_t got = pread(fd, buf, want, (off_t)*done);
        if (got <= 0)
            return -1;
        c = crc32_z(c, buf, (size_t)got);
        *done += (uint64_t)got;
    }
    *crc = (uint32_t)c;
    return 0;
}

dlm_status dlm_sink_mark_partial(dlm_sink *s, dlm_sink_mark *mark, dlm_error *err)
{
    long end;
    if (s->kind != DLM_SINK_PARTIAL || !s->fp)
        return dlm_error_set(err, DLM_ERR_USAGE, "a checkpoint needs the records in a file "
                             "(give --out FILE)");
    if (fflush(s->fp) != 0 || ferror(s->fp) || (end = ftell(s->fp)) < 0 ||
        fsync(fileno(s->fp)) != 0)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "writing %s failed: %s", s->tmp_path,
                             strerror(errno ? errno : EIO));
    if ((uint64_t)end < s->crc_length) { /* cut back by the writer: start over */
        s->crc_length = 0;
        s->crc = (uint32_t)crc32_z(0L, Z_NULL, 0);
    }
    if (crc_extend(fileno(s->fp), &s->crc_length, &s->crc, (uint64_t)end) != 0)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "reading back %s failed: %s", s->tmp_path,
                             strerror(errno ? errno : EIO));
    mark->length = s->crc_length;
    mark->crc = s->crc;
    return DLM_OK;
}

/* Checks that the partial file fd holds mark's bytes; a refusal names what differs. */
static dlm_status partial_matches(int fd, const char *name, const dlm_sink_mark *mark,
                                  dlm_error *err)
{
    struct stat st;
    uint64_t done = 0;
    uint32_t crc = (uint32_t)crc32_z(0L, Z_NULL, 0);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return dlm_error_set(err, DLM_ERR_USAGE, "cannot resume: %s is not a regular file", name);
    if ((uint64_t)st.st_size < mark->length)
        return dlm_error_set(err, DLM_ERR_USAGE, "cannot resume: %s is shorter (%lld bytes) "
                             "than when the checkpoint was taken (%llu bytes)", name,
                             (long long)st.st_size, (unsigned long long)mark->length);
    if (crc_extend(fd, &done, &crc, mark->length) != 0)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "cannot read %s: %s", name,
                             strerror(errno ? errno : EIO));
    if (crc != mark->crc)
        return dlm_error_set(err, DLM_ERR_USAGE, "cannot resume: %s is not what it was when "
                             "the checkpoint was taken (its first %llu bytes differ)", name,
                             (unsigned long long)mark->length);
    return DLM_OK;
}

dlm_status dlm_sink_resume_partial(dlm_sink *s, const char *path, const dlm_sink_mark *mark,
                                   dlm_error *err)
{
    dlm_status st = sink_resolve(s, path, err);
    int fd;
    if (st != DLM_OK)
        return st;
    if (s->kind != DLM_SINK_ATOMIC)
        return dlm_error_set(err, DLM_ERR_USAGE, "cannot resume: the records of a resumed run "
                             "go to a file (give --out FILE, as when the run started)");
    s->kind = DLM_SINK_PARTIAL;
    snprintf(s->tmp_path, sizeof s->tmp_path, "%.1080s.partial", s->target);
    if ((fd = open(s->tmp_path, O_RDWR)) < 0)
        return dlm_error_set(err, DLM_ERR_USAGE, "cannot resume: the partial output %s %s",
                             s->tmp_path, errno == ENOENT ? "is missing (a resumed run appends "
                             "to the records written before its checkpoint)" : strerror(errno));
    if ((st = partial_matches(fd, s->tmp_path, mark, err)) != DLM_OK) {
        close(fd);
        return st;
    }
    if (ftruncate(fd, (off_t)mark->length) != 0 || lseek(fd, 0, SEEK_END) < 0 ||
        !(s->fp = fdopen(fd, "r+")) || fseek(s->fp, 0, SEEK_END) != 0) {
        int e = errno;
        if (s->fp)
            fclose(s->fp);
        else
            close(fd);
        s->fp = NULL;
        return dlm_error_set(err, DLM_ERR_RUNTIME, "cannot resume %s: %s", s->tmp_path,
                             strerror(e));
    }
    s->crc_length = mark->length;
    s->crc = mark->crc;
    dlm_signals_track_records(fileno(s->fp), s->tmp_path);
    dlm_signals_records_good((off_t)mark->length);
    return DLM_OK;
}

dlm_status dlm_sink_suspend(dlm_sink *s, dlm_error *err)
{
    int failed;
    if (!s->fp || s->kind != DLM_SINK_PARTIAL) {
        dlm_sink_abort(s);
        return DLM_OK;
    }
    dlm_signals_untrack_records();
    failed = fflush(s->fp) != 0 || ferror(s->fp) || fsync(fileno(s->fp)) != 0;
    failed |= fclose(s->fp) != 0;
    s->fp = NULL;
    return failed ? dlm_error_set(err, DLM_ERR_RUNTIME, "writing %s failed: %s", s->tmp_path,
                                  strerror(errno ? errno : EIO))
                  : DLM_OK;
}

static _Thread_local char scratch_dir[DLM_SINK_PATH]; /* dlm_sink_scratch; "" = none */

void dlm_sink_scratch(const char *dir)
{
    snprintf(scratch_dir, sizeof scratch_dir, "%s/", dir ? dir : "");
    if (!dir)
        scratch_dir[0] = '\0';
}

/* 1 when the sink's file is in the scratch folder. */
static int in_scratch(const dlm_sink *s)
{
    size_t n = strlen(scratch_dir);
    return n > 1 && strncmp(s->tmp_path, scratch_dir, n) == 0;
}

dlm_status dlm_sink_commit(dlm_sink *s, dlm_error *err)
{
    int failed, e;
    const char *name = s->kind == DLM_SINK_STDOUT ? "standard output" : s->path;
    if (!s->fp)
        return DLM_OK;
    errno = 0;
    failed = fflush(s->fp) != 0 || ferror(s->fp);
    e = errno;
    if (s->kind == DLM_SINK_STDOUT) {
        s->fp = NULL;
        return failed ? dlm_error_set(err, DLM_ERR_RUNTIME, "writing standard output failed: %s",
                                      strerror(e ? e : EIO))
                      : DLM_OK;
    }
    if (!failed && s->kind != DLM_SINK_STREAM && !in_scratch(s) && fsync(fileno(s->fp)) != 0) {
        failed = 1;
        e = errno;
    }
    if (fclose(s->fp) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    s->fp = NULL;
    if (s->kind == DLM_SINK_PARTIAL)
        dlm_signals_untrack_records();
    if (!failed && s->kind != DLM_SINK_STREAM && rename(s->tmp_path, s->target) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed && s->kind != DLM_SINK_STREAM)
        remove(s->tmp_path);
    dlm_signals_untrack(s->slot);
    s->slot = -1;
    return failed ? dlm_error_set(err, DLM_ERR_RUNTIME, "writing %s failed: %s", name,
                                  strerror(e ? e : EIO))
                  : DLM_OK;
}

int dlm_sink_abort(dlm_sink *s)
{
    int kept = 0;
    if (s->fp && s->kind != DLM_SINK_STDOUT) {
        if (s->kind == DLM_SINK_PARTIAL) {
            /* The writer flushed it on complete records (host/run/evolve.c cuts it back after a
               failed write): drop whatever is buffered, keep what is on disk. */
            dlm_signals_untrack_records();
            __fpurge(s->fp);
            kept = ftell(s->fp) > 0;
        }
        fclose(s->fp);
        if ((s->kind == DLM_SINK_ATOMIC || s->kind == DLM_SINK_PARTIAL) && !kept)
            remove(s->tmp_path);
        dlm_signals_untrack(s->slot);
    }
    s->fp = NULL;
    s->slot = -1;
    return kept;
}

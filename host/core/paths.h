/* paths.h — what a file name names, for outputs: standard output and streams (devices,
 * FIFOs, sockets, anything in /dev/) are written directly, regular files atomically. */
#ifndef DLM_PATHS_H
#define DLM_PATHS_H

#include <stddef.h>

/* 1 when path names standard output ("" or "-") or a file written directly as a stream:
 * a device, a FIFO, a socket, any path in /dev/. */
int dlm_path_is_stream(const char *path);

/* The absolute form of path into out (its folder resolved: links, dots; then its name),
 * so that two names of one file compare equal; path itself when its folder does not
 * exist. */
void dlm_path_absolute(const char *path, char *out, size_t len);

#endif /* DLM_PATHS_H */

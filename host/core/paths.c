/* paths.c — what a file name names (paths.h). */
#define _DEFAULT_SOURCE /* realpath */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/paths.h"

int dlm_path_is_stream(const char *path)
{
    struct stat st;
    if (!path || !path[0] || strcmp(path, "-") == 0 || strncmp(path, "/dev/", 5) == 0)
        return 1;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* The absolute form of path: its folder resolved (links, dots), then its name. */
void dlm_path_absolute(const char *path, char *out, size_t len)
{
    char dir[1100], real[4096];
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof dir, ".");
    if (realpath(dir, real))
        snprintf(out, len, "%s/%s", real, base);
    else
        snprintf(out, len, "%s", path);
}

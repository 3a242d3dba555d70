/* io.c — the calling thread's streams (io.h). */
#include "core/io.h"

static _Thread_local dlm_io *bound;

void dlm_io_bind(dlm_io *io)
{
    bound = io;
}

dlm_io *dlm_io_current(void)
{
    return bound;
}

FILE *dlm_out(void)
{
    return bound && bound->out ? bound->out : stdout;
}

FILE *dlm_err(void)
{
    return bound && bound->err ? bound->err : stderr;
}

int dlm_io_library(void)
{
    return bound != NULL;
}

int dlm_io_cancelled(void)
{
    return bound && bound->cancel && __atomic_load_n(bound->cancel, __ATOMIC_ACQUIRE) != 0;
}

int dlm_puts(const char *s)
{
    FILE *f = dlm_out();
    return fputs(s, f) < 0 || fputc('\n', f) == EOF ? EOF : 1;
}

/* error.c — dlm_error: a status code and a message, never an exit(). */
#include <stdarg.h>
#include <stdio.h>

#include "dilemma.h"

dlm_status dlm_error_set(dlm_error *err, dlm_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->status = status;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

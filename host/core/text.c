/* text.c — numbers as text that read back exactly (text.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/text.h"

char *dlm_format_double(char *buf, double x)
{
    int digits;
    if (!isfinite(x)) { /* never printed: configs keep every number finite; a safety net
                           so that no output ever holds inf or nan, which JSON refuses */
        snprintf(buf, DLM_DOUBLE_TEXT, "null");
        return buf;
    }
    for (digits = 15; digits <= 17; ++digits) {
        snprintf(buf, DLM_DOUBLE_TEXT, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    return buf;
}

void dlm_print_double(FILE *fp, double x)
{
    char buf[DLM_DOUBLE_TEXT];
    fputs(dlm_format_double(buf, x), fp);
}

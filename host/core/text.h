/* text.h — numbers as text: every double in csv and json goes through
 * dlm_format_double, the shortest of %.15g, %.16g, %.17g that reads back (strtod) to
 * exactly the same double. */
#ifndef DLM_TEXT_H
#define DLM_TEXT_H

#include <stdio.h>

#define DLM_DOUBLE_TEXT 32

/* Writes x into buf (at least DLM_DOUBLE_TEXT bytes); returns buf. A non-finite x, which
 * validation never lets through, prints as null. */
char *dlm_format_double(char *buf, double x);
/* Writes dlm_format_double(x) to fp. */
void dlm_print_double(FILE *fp, double x);

#endif /* DLM_TEXT_H */

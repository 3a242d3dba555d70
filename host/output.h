/* output.h — where results go and how they look. Output files are written to a
 * temporary name beside the target and renamed into place only when complete, so a
 * failed run never leaves a partial file that looks finished (DESIGN.md §7). Doubles
 * print with %.17g in csv/json so they read back exactly; tables round for people. */
#ifndef DLM_OUTPUT_H
#define DLM_OUTPUT_H

#include <stdio.h>

#include "analyze.h"
#include "play.h"

typedef enum dlm_format { DLM_FMT_TABLE, DLM_FMT_CSV, DLM_FMT_JSONL, DLM_FMT_JSON } dlm_format;

/* Parses table | csv | jsonl | json. */
dlm_status dlm_format_parse(const char *text, dlm_format *out, dlm_error *err);

/* A destination: standard output, or a file written atomically. */
typedef struct dlm_sink {
    FILE *fp;
    char path[1100];     /* final path, "" for stdout */
    char tmp_path[1100]; /* where it is written until committed */
} dlm_sink;

dlm_status dlm_sink_open(dlm_sink *s, const char *path, dlm_error *err);
/* Flushes, syncs and renames into place; reports a write error as DLM_ERR_RUNTIME. */
dlm_status dlm_sink_commit(dlm_sink *s, dlm_error *err);
/* Discards what was written (removes the temporary file). */
void dlm_sink_abort(dlm_sink *s);

/* The shortest of %.15g, %.16g, %.17g that reads back (strtod) to exactly x, into buf
 * (at least DLM_DOUBLE_TEXT bytes); returns buf. Every csv / json number goes through it. */
#define DLM_DOUBLE_TEXT 32
char *dlm_format_double(char *buf, double x);
/* Writes dlm_format_double(x) to fp. */
void dlm_print_double(FILE *fp, double x);

/* Writes a JSON string literal (quotes and escapes included). */
void dlm_json_string(FILE *fp, const char *s);

void dlm_write_match(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                     const dlm_match_report *r, const char *backend);
void dlm_write_trace(FILE *fp, dlm_format fmt, const dlm_match_report *r);
void dlm_write_tournament(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                          const dlm_tournament_report *r, const char *backend);
void dlm_write_exact(FILE *fp, dlm_format fmt, const dlm_scenario *sc, const char *labels[2],
                     const dlm_exact_result *r);

#endif /* DLM_OUTPUT_H */

/* output.h — where results go and how they look. Output files are written to a
 * temporary name beside the target and renamed into place only when complete, so a
 * failed run never leaves a partial file that looks finished (DESIGN.md §7).
 *
 * Formats: table (for people), csv (exactly one table, with a header, per output),
 * jsonl (JSON lines, each object with a "type") and json (exactly one JSON document).
 * Every record carries the run's settings (seed, game and its class, match length rule,
 * the noise and timescales of each player or entrant) so that records of different runs
 * can be concatenated and still be told apart. Every number in csv and json goes
 * through dlm_format_double, so it reads back exactly; tables round for people. */
#ifndef DLM_OUTPUT_H
#define DLM_OUTPUT_H

#include <stdio.h>

#include "run/analyze.h"
#include "run/play.h"
#include "core/text.h"
#include "output/sink.h"

typedef enum dlm_format { DLM_FMT_TABLE, DLM_FMT_CSV, DLM_FMT_JSONL, DLM_FMT_JSON } dlm_format;

/* Parses table | csv | jsonl | json. */
dlm_status dlm_format_parse(const char *text, dlm_format *out, dlm_error *err);

/* The format a file name's extension names (.csv, .jsonl, .json); returns 0 (and leaves
 * *out alone) for any other name. */
int dlm_format_from_path(const char *path, dlm_format *out);



/* The settings every record carries (seed, game and its class, payoffs, match length),
 * as csv columns (the header, then a row's values; the continuation is empty for a fixed
 * length) and as JSON members (no braces, no leading comma: "seed", "game": {...},
 * "match": {"rounds", "continuation"}). A sweep adds its axes after them. */
/* The csv header of those settings (asymmetric games add game_b, game_class_b, R_b, ...). */
const char *dlm_csv_settings_header(const dlm_scenario *sc);
void dlm_csv_settings(FILE *fp, const dlm_scenario *sc);
void dlm_json_settings(FILE *fp, const dlm_scenario *sc);

/* Writes a JSON string literal (quotes and escapes included). */
void dlm_json_string(FILE *fp, const char *s);
/* Writes a CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, a
 * quote, a line break or leading / trailing space. */
void dlm_csv_field(FILE *fp, const char *s);

/* "pd (R=3 S=0 T=5 P=1; prisoner's dilemma)": the game for people; returns buf. */
const char *dlm_game_text(const dlm_game *g, char *buf, size_t len);
/* The table's game line: "game pd (...)", or in an asymmetric game a line per player. */
void dlm_write_game_lines(FILE *fp, const dlm_scenario *sc);

/* A match's output. with_trace (the report holds a trace): table prints the trace after
 * the summary; csv prints the trace table instead of the summary (one table per
 * output); json puts the trace in the document as "trace"; jsonl follows the match
 * record with one "round" record per round. */
void dlm_write_match(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                     const dlm_match_report *r, const char *backend, int with_trace);
/* The trace alone (its own file): table, csv table, jsonl "round" records, or a json
 * array of those records. */
void dlm_write_trace(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                     const dlm_match_report *r);

/* Parts of a tournament's output beyond the ranking. */
#define DLM_PART_MATRIX 1u      /* the payoff matrix in long form (row, column, mean, s.e.) */
#define DLM_PART_REPETITIONS 2u /* each entrant's figures in each repetition */

/* A tournament's output. table: header, ranking, payoff matrix, and the per-repetition
 * figures when parts has DLM_PART_REPETITIONS. csv: one table: the ranking, or the part
 * parts names (at most one). jsonl: "ranking" and "payoff" records, and "repetition"
 * records with DLM_PART_REPETITIONS. json: one document with the ranking, the payoff
 * matrix and its standard errors, and "per_repetition" with DLM_PART_REPETITIONS. */
void dlm_write_tournament(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                          const dlm_tournament_report *r, const char *backend, unsigned parts);
/* One part alone (its own file): part is DLM_PART_MATRIX or DLM_PART_REPETITIONS. */
void dlm_write_tournament_part(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                               const dlm_tournament_report *r, unsigned part);

void dlm_write_exact(FILE *fp, dlm_format fmt, const dlm_scenario *sc, const char *labels[2],
                     const dlm_exact_result *r);

#endif /* DLM_OUTPUT_H */

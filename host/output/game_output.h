/* game_output.h — the writers of a stage-game analysis (`analyze: {game: true}`, with or
 * without an institution; run/analyze_game.h): table, csv (one row), jsonl and json (one
 * "game" object). */
#ifndef DLM_GAME_OUTPUT_H
#define DLM_GAME_OUTPUT_H

#include <stdio.h>

#include "output/output.h"
#include "run/analyze_game.h"

void dlm_write_game_analysis(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                             const dlm_game_report *r);

#endif /* DLM_GAME_OUTPUT_H */

/* design_output.h — the writers of a design (`analyze.design`, run/design.h): table (the
 * cheapest institution and the frontier), csv (a row per institution of the grid), jsonl
 * and json (one "design" object). */
#ifndef DLM_DESIGN_OUTPUT_H
#define DLM_DESIGN_OUTPUT_H

#include <stdio.h>

#include "output/output.h"
#include "run/design.h"

void dlm_write_design(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                      const dlm_design_report *r);

#endif /* DLM_DESIGN_OUTPUT_H */

/* population_output.h — the writers of a population analysis (`mode: analyze` with
 * analyze.population; run/population_analysis.h): table, csv (one long table, a
 * `record` column naming what each row is), jsonl and json (one "population" object). */
#ifndef DLM_POPULATION_OUTPUT_H
#define DLM_POPULATION_OUTPUT_H

#include <stdio.h>

#include "output/output.h"
#include "run/population_analysis.h"

void dlm_write_population(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                          const dlm_population_report *r);

#endif /* DLM_POPULATION_OUTPUT_H */

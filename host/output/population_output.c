/* population_output.c — a population analysis as a table, csv, jsonl or json
 * (population_output.h). csv rows, by `record`:
 *   payoff            type (row) against other (column): value = payoff per round
 *   fixation          one `other` mutant among `type` residents: value = probability,
 *                     time_events / time_generations = conditional fixation time
 *   transition        rare-mutation limit, `type` to `other`: value = probability
 *   stationary_limit  type: value = share of time monomorphic in it (rare mutations)
 *   gradient          k = 2: count = agents of `other` among `type`: t_plus, t_minus,
 *                     value = t_plus - t_minus (per event)
 *   stationary        state = the counts of each type: value = stationary probability
 *   abundance         type: value = mean share under the full chain's distribution
 */
#include "output/population_output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const rule_names[] = {"moran-bd", "moran-db", "fermi"};

static void num(FILE *fp, double x) /* csv: empty when not a number */
{
    if (isfinite(x))
        dlm_print_double(fp, x);
}

static void jnum(FILE *fp, double x) /* json: null when not a number */
{
    if (isfinite(x))
        dlm_print_double(fp, x);
    else
        fputs("null", fp);
}

/* Where the payoffs came from: given, or computed (with a referee's transfers folded in). */
static const char *payoff_source(const dlm_scenario *sc, const dlm_population_report *r)
{
    return r->payoff_given ? "given" : sc->institution.given ? "computed+institution" : "computed";
}

static const char *death_text(const dlm_pop_model *m)
{
    return m->rule != DLM_POP_MORAN_BD ? "" : m->death_any ? "any" : "others";
}

/* ---- table ------------------------------------------------------------------------------ */

static void table_matrix(FILE *fp, const dlm_population_report *r, const double *x, int fixed)
{
    uint32_t k = r->model.k, i, j;
    fprintf(fp, "  %-14s", "");
    for (j = 0; j < k; ++j)
        fprintf(fp, " %14.14s", r->labels[j]);
    fputc('\n', fp);
    for (i = 0; i < k; ++i) {
        fprintf(fp, "  %-14.14s", r->labels[i]);
        for (j = 0; j < k; ++j) {
            double v = x[i * k + j];
            if (!isfinite(v))
                fprintf(fp, " %14s", "-");
            else
                fprintf(fp, fixed ? " %14.6f" : " %14.6g", v);
        }
        fputc('\n', fp);
    }
}

static void write_table(FILE *fp, const dlm_scenario *sc, const dlm_population_report *r)
{
    const dlm_pop_model *m = &r->model;
    uint32_t k = m->k, i, j;
    double *fx = calloc((size_t)k * k, sizeof *fx);
    if (!fx) {
        fputs("population analysis: out of memory for the table\n", fp);
        return;
    }
    fprintf(fp, "population analysis: %u agents, well-mixed, %s%s%s, %s %g%s, mutation %g\n", m->n,
            rule_names[m->rule], m->rule == DLM_POP_MORAN_BD ? " (the one who dies: " : "",
            m->rule == DLM_POP_MORAN_BD ? (m->death_any ? "any of N)" : "one of the others)")
                                        : "",
            m->rule == DLM_POP_FERMI ? "beta" : "w", m->selection,
            m->rule == DLM_POP_FERMI ? "" : m->exponential ? " (exponential fitness)"
                                                           : " (linear fitness)",
            m->mutation);
    dlm_write_game_lines(fp, sc);
    if (sc->institution.given)
        fprintf(fp, "institution folded in: audit %g, fine %g, subsidy %g, false accusation %g, "
                    "missed detection %g (each act's expected transfer)\n", sc->institution.audit,
                sc->institution.fine, sc->institution.subsidy, sc->institution.false_accusation,
                sc->institution.missed_detection);
    fprintf(fp, "\npayoff per round, row against column (%s%s):\n",
            r->payoff_given ? "analyze.population.payoff_matrix" : "expected, from the match's Markov chain",
            m->accumulate_total ? "; an agent's payoff sums its N - 1 matches" : "");
    table_matrix(fp, r, r->payoff, 1);
    for (i = 0; i < k; ++i)
        for (j = 0; j < k; ++j)
            fx[i * k + j] = i == j ? NAN : r->fixation[i * k + j].probability;
    fprintf(fp, "\nfixation probability of one column mutant among row residents (neutral 1/N = %g):\n",
            1.0 / m->n);
    table_matrix(fp, r, fx, 0);
    for (i = 0; i < k; ++i)
        for (j = 0; j < k; ++j)
            fx[i * k + j] = i == j ? NAN : r->fixation[i * k + j].time_events / m->n;
    fprintf(fp, "\nconditional fixation time, generations of N events:\n");
    table_matrix(fp, r, fx, 0);
    free(fx);
    fprintf(fp, "\nrare mutations (the embedded chain over monomorphic states), transitions:\n");
    table_matrix(fp, r, r->transition, 0);
    fprintf(fp, "  stationary:");
    for (i = 0; i < k; ++i)
        fprintf(fp, "  %s %.6f", r->labels[i], r->stationary_limit[i]);
    fputc('\n', fp);
    if (r->t_plus) {
        fprintf(fp, "\ngradient of selection (%s among %s; per event):\n  %6s %10s %14s %14s %14s\n",
                r->labels[1], r->labels[0], "count", "x", "T+", "T-", "T+ - T-");
        for (j = 0; j <= m->n; ++j)
            fprintf(fp, "  %6u %10.6f %14.6g %14.6g %14.6g\n", j, (double)j / m->n, r->t_plus[j],
                    r->t_minus[j], r->t_plus[j] - r->t_minus[j]);
    }
    if (r->has_chain) {
        size_t s;
        fprintf(fp, "\nwith mutation %g, the chain over %zu compositions: mean abundance", m->mutation,
                r->chain.states);
        for (i = 0; i < k; ++i)
            fprintf(fp, "  %s %.6f", r->labels[i], r->chain.abundance[i]);
        fputc('\n', fp);
        for (s = 0; s < r->chain.states && r->chain.states <= 64; ++s) {
            fputs("  ", fp);
            for (i = 0; i < k; ++i)
                fprintf(fp, "%s%u", i ? " " : "(", r->chain.counts[s * k + i]);
            fprintf(fp, ")  %.6g\n", r->chain.stationary[s]);
        }
        if (r->chain.states > 64)
            fprintf(fp, "  (csv and json list every state's probability)\n");
    }
}

/* ---- csv ---------------------------------------------------------------------------------- */

/* The columns every row starts with (after the sweep's and the run's settings). */
static void csv_front(FILE *fp, const dlm_scenario *sc, const dlm_population_report *r,
                      const char *record)
{
    const dlm_pop_model *m = &r->model;
    dlm_csv_settings(fp, sc);
    fputc(',', fp);
    num(fp, sc->match_defaults.execution_error);
    fputc(',', fp);
    num(fp, sc->match_defaults.perception_error);
    fprintf(fp, ",%u,%s,%s,", m->n, rule_names[m->rule], death_text(m));
    num(fp, m->selection);
    fprintf(fp, ",%s,%s,", m->exponential ? "exponential" : "linear",
            m->accumulate_total ? "total" : "mean");
    num(fp, m->mutation);
    fprintf(fp, ",%s,%s,", payoff_source(sc, r), record);
}

/* type,other,count,value,time_events,time_generations,t_plus,t_minus,state */
static void csv_row(FILE *fp, const dlm_scenario *sc, const dlm_population_report *r,
                    const char *record, int type, int other, long count, double value,
                    double time, double t_plus, double t_minus, size_t state)
{
    uint32_t i;
    csv_front(fp, sc, r, record);
    if (type >= 0)
        dlm_csv_field(fp, r->labels[type]);
    fputc(',', fp);
    if (other >= 0)
        dlm_csv_field(fp, r->labels[other]);
    fputc(',', fp);
    if (count >= 0)
        fprintf(fp, "%ld", count);
    fputc(',', fp);
    num(fp, value);
    fputc(',', fp);
    num(fp, time);
    fputc(',', fp);
    num(fp, time / r->model.n);
    fputc(',', fp);
    num(fp, t_plus);
    fputc(',', fp);
    num(fp, t_minus);
    fputc(',', fp);
    for (i = 0; state != (size_t)-1 && i < r->model.k; ++i)
        fprintf(fp, "%s%u", i ? " " : "", r->chain.counts[state * r->model.k + i]);
    fputc('\n', fp);
}

static void write_csv(FILE *fp, const dlm_scenario *sc, const dlm_population_report *r)
{
    const dlm_pop_model *m = &r->model;
    int k = (int)m->k, i, j;
    size_t s;
    fprintf(fp, "%s%s,execution_error,perception_error,population,rule,moran_death,selection,"
                "fitness,accumulate,mutation_rate,payoff_source,record,type,other,count,value,"
                "time_events,time_generations,t_plus,t_minus,state\n",
            sc->sweep_csv_header, dlm_csv_settings_header(sc));
    for (i = 0; i < k; ++i)
        for (j = 0; j < k; ++j)
            csv_row(fp, sc, r, "payoff", i, j, -1, r->payoff[i * k + j], NAN, NAN, NAN, (size_t)-1);
    for (i = 0; i < k; ++i)
        for (j = 0; j < k; ++j)
            if (i != j)
                csv_row(fp, sc, r, "fixation", i, j, -1, r->fixation[i * k + j].probability,
                        r->fixation[i * k + j].time_events, NAN, NAN, (size_t)-1);
    for (i = 0; i < k; ++i)
        for (j = 0; j < k; ++j)
            csv_row(fp, sc, r, "transition", i, j, -1, r->transition[i * k + j], NAN, NAN, NAN,
                    (size_t)-1);
    for (i = 0; i < k; ++i)
        csv_row(fp, sc, r, "stationary_limit", i, -1, -1, r->stationary_limit[i], NAN, NAN, NAN,
                (size_t)-1);
    for (j = 0; r->t_plus && j <= (int)m->n; ++j)
        csv_row(fp, sc, r, "gradient", 0, 1, j, r->t_plus[j] - r->t_minus[j], NAN, r->t_plus[j],
                r->t_minus[j], (size_t)-1);
    for (s = 0; r->has_chain && s < r->chain.states; ++s)
        csv_row(fp, sc, r, "stationary", -1, -1, -1, r->chain.stationary[s], NAN, NAN, NAN, s);
    for (i = 0; r->has_chain && i < k; ++i)
        csv_row(fp, sc, r, "abundance", i, -1, -1, r->chain.abundance[i], NAN, NAN, NAN,
                (size_t)-1);
}

/* ---- json --------------------------------------------------------------------------------- */

static void json_vector(FILE *fp, const double *x, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i) {
        fputc(i ? ',' : '[', fp);
        jnum(fp, x[i]);
    }
    fputc(']', fp);
}

static void json_matrix(FILE *fp, const double *x, uint32_t k)
{
    uint32_t i;
    for (i = 0; i < k; ++i) {
        fputc(i ? ',' : '[', fp);
        json_vector(fp, x + (size_t)i * k, k);
    }
    fputc(']', fp);
}

static void json_answers(FILE *fp, const dlm_population_report *r)
{
    const dlm_pop_model *m = &r->model;
    uint32_t k = m->k, i, j, first = 1;
    fputs(",\"fixation\":[", fp);
    for (i = 0; i < k; ++i)
        for (j = 0; j < k; ++j) {
            const dlm_pop_fixation *f = &r->fixation[i * k + j];
            if (i == j)
                continue;
            fputs(first ? "{\"resident\":" : ",{\"resident\":", fp);
            first = 0;
            dlm_json_string(fp, r->labels[i]);
            fputs(",\"mutant\":", fp);
            dlm_json_string(fp, r->labels[j]);
            fputs(",\"probability\":", fp);
            jnum(fp, f->probability);
            fputs(",\"time_events\":", fp);
            jnum(fp, f->time_events);
            fputs(",\"time_generations\":", fp);
            jnum(fp, f->time_events / m->n);
            fputc('}', fp);
        }
    fputs("],\"transition\":", fp);
    json_matrix(fp, r->transition, k);
    fputs(",\"stationary_limit\":", fp);
    json_vector(fp, r->stationary_limit, k);
    fputs(",\"gradient\":", fp);
    for (j = 0; r->t_plus && j <= m->n; ++j) {
        fprintf(fp, "%s{\"count\":%u,\"x\":", j ? "," : "[", j);
        jnum(fp, (double)j / m->n);
        fputs(",\"t_plus\":", fp);
        jnum(fp, r->t_plus[j]);
        fputs(",\"t_minus\":", fp);
        jnum(fp, r->t_minus[j]);
        fputs(",\"gradient\":", fp);
        jnum(fp, r->t_plus[j] - r->t_minus[j]);
        fputc('}', fp);
    }
    fputs(r->t_plus ? "]" : "null", fp);
}

static void json_chain(FILE *fp, const dlm_population_report *r)
{
    size_t s;
    uint32_t i, k = r->model.k;
    fputs(",\"chain\":", fp);
    if (!r->has_chain) {
        fputs("null", fp);
        return;
    }
    fprintf(fp, "{\"states\":%zu,\"band\":%zu,\"counts\":[", r->chain.states, r->chain.band);
    for (s = 0; s < r->chain.states; ++s)
        for (i = 0; i < k; ++i)
            fprintf(fp, "%s%u%s", i ? "," : s ? ",[" : "[", r->chain.counts[s * k + i],
                    i + 1 == k ? "]" : "");
    fputs("],\"stationary\":", fp);
    json_vector(fp, r->chain.stationary, r->chain.states);
    fputs(",\"abundance\":", fp);
    json_vector(fp, r->chain.abundance, k);
    fputc('}', fp);
}

static void write_json(FILE *fp, const dlm_scenario *sc, const dlm_population_report *r)
{
    const dlm_pop_model *m = &r->model;
    uint32_t i;
    fputs("{\"type\":\"population\",", fp);
    dlm_json_settings(fp, sc);
    fputs(",\"execution_error\":", fp);
    jnum(fp, sc->match_defaults.execution_error);
    fputs(",\"perception_error\":", fp);
    jnum(fp, sc->match_defaults.perception_error);
    fprintf(fp, ",\"population\":%u,\"rule\":\"%s\",\"moran_death\":", m->n, rule_names[m->rule]);
    if (m->rule == DLM_POP_MORAN_BD)
        fprintf(fp, "\"%s\"", death_text(m));
    else
        fputs("null", fp);
    fputs(",\"selection\":", fp);
    jnum(fp, m->selection);
    fprintf(fp, ",\"fitness\":\"%s\",\"accumulate\":\"%s\",\"mutation_rate\":",
            m->exponential ? "exponential" : "linear", m->accumulate_total ? "total" : "mean");
    jnum(fp, m->mutation);
    fprintf(fp, ",\"payoff_source\":\"%s\",\"types\":[", payoff_source(sc, r));
    for (i = 0; i < m->k; ++i) {
        if (i)
            fputc(',', fp);
        dlm_json_string(fp, r->labels[i]);
    }
    fputs("],\"mutant_weights\":", fp);
    json_vector(fp, m->mutant_weight, m->k);
    fputs(",\"payoff\":", fp);
    json_matrix(fp, r->payoff, m->k);
    fputs(",\"neutral_fixation\":", fp);
    jnum(fp, 1.0 / m->n);
    json_answers(fp, r);
    json_chain(fp, r);
    fputs("}\n", fp);
}

void dlm_write_population(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                          const dlm_population_report *r)
{
    if (fmt == DLM_FMT_TABLE)
        write_table(fp, sc, r);
    else if (fmt == DLM_FMT_CSV)
        write_csv(fp, sc, r);
    else
        write_json(fp, sc, r);
}

/* design_output.c — a design as a table, csv, jsonl or json (design_output.h). */
#include "output/design_output.h"

#include "core/text.h"

static const char *measure_name(const dlm_design_report *r)
{
    return r->evolve ? "evolve" : r->population ? "population" : "game";
}

static void table_row(FILE *fp, const dlm_design_report *r, const dlm_design_point *p,
                      const char *mark)
{
    fprintf(fp, "  %-2s %8.4g %10.4g %8.4g %12.6f", mark, p->audit, p->fine, p->subsidy,
            p->cooperation);
    if (r->evolve)
        fprintf(fp, " +- %-8.2g", p->cooperation_se);
    fprintf(fp, " %12.6g %12.6g  %s\n", p->cost, p->fines, (p->class_name ? p->class_name : dlm_game_class_id(p->effective_class)));
}

static void write_table(FILE *fp, const dlm_scenario *sc, const dlm_design_report *r)
{
    const dlm_institution_spec *in = &sc->institution;
    size_t i;
    fprintf(fp, "design: the cheapest institution reaching cooperation %g, over %zu "
                "institutions, measured by %s\n", r->target, r->n,
            r->evolve ? "evolving populations (mean cooperation over the run's second half)"
            : r->population ? "the population's long-run cooperation (rare mutations)"
                            : "the stage game (the least cooperation among its equilibria)");
    if (r->evolve)
        fprintf(fp, "evolving: %u population%s per institution, census records from generation "
                    "%llu of %llu; cost and fines from the referee's ledger at audit rate q\n",
                r->populations, r->populations == 1 ? "" : "s",
                (unsigned long long)r->from_generation,
                (unsigned long long)sc->evolution.generations);
    dlm_write_game_lines(fp, sc);
    fprintf(fp, "fixed: false accusation %g, missed detection %g, audit cost %g\n",
            in->false_accusation, in->missed_detection, in->audit_cost);
    if (r->cheapest < r->n) {
        const dlm_design_point *p = &r->points[r->cheapest];
        fprintf(fp, "cheapest: audit %g, fine %g, subsidy %g: cooperation %.6f; per interaction "
                    "the referee spends %.6g (audits, subsidies) and collects %.6g in fines\n",
                p->audit, p->fine, p->subsidy, p->cooperation, p->cost, p->fines);
    } else {
        fprintf(fp, "cheapest: none of the %zu institutions reaches cooperation %g\n", r->n,
                r->target);
    }
    fprintf(fp, "\nthe frontier (%zu institutions: each cooperates more than every one that "
                "spends less; * the cheapest):\n", r->n_frontier);
    fprintf(fp, "  %-2s %8s %10s %8s %12s%s %12s %12s  %s\n", "", "audit", "fine", "subsidy",
            "cooperation", r->evolve ? " +- se      " : "", "cost", "fines", "effective game");
    for (i = 0; i < r->n; ++i)
        if (r->points[i].on_frontier || i == r->cheapest)
            table_row(fp, r, &r->points[i], i == r->cheapest ? "*" : "");
}

static void write_csv(FILE *fp, const dlm_scenario *sc, const dlm_design_report *r)
{
    const dlm_institution_spec *in = &sc->institution;
    size_t i;
    fprintf(fp, "%s%s,measure,target,false_accusation,missed_detection,audit_cost,audit,fine,"
                "subsidy,effective_class,cooperation,cost,fines,net_cost,meets_target,on_frontier,"
                "cheapest%s\n",
            sc->sweep_csv_header, dlm_csv_settings_header(sc),
            r->evolve ? ",cooperation_se,populations,from_generation" : "");
    for (i = 0; i < r->n; ++i) {
        const dlm_design_point *p = &r->points[i];
        const double x[] = {r->target, in->false_accusation, in->missed_detection,
                            in->audit_cost, p->audit, p->fine, p->subsidy};
        size_t k;
        dlm_csv_settings(fp, sc);
        fprintf(fp, ",%s", measure_name(r));
        for (k = 0; k < sizeof x / sizeof x[0]; ++k) {
            fputc(',', fp);
            dlm_print_double(fp, x[k]);
        }
        fprintf(fp, ",%s,", (p->class_name ? p->class_name : dlm_game_class_id(p->effective_class)));
        dlm_print_double(fp, p->cooperation);
        fputc(',', fp);
        dlm_print_double(fp, p->cost);
        fputc(',', fp);
        dlm_print_double(fp, p->fines);
        fputc(',', fp);
        dlm_print_double(fp, p->net_cost);
        fprintf(fp, ",%s,%s,%s", p->meets_target ? "true" : "false",
                p->on_frontier ? "true" : "false", i == r->cheapest ? "true" : "false");
        if (r->evolve) {
            fputc(',', fp);
            dlm_print_double(fp, p->cooperation_se);
            fprintf(fp, ",%u,%llu", r->populations, (unsigned long long)r->from_generation);
        }
        fputc('\n', fp);
    }
}

static void write_json(FILE *fp, const dlm_scenario *sc, const dlm_design_report *r)
{
    const dlm_institution_spec *in = &sc->institution;
    size_t i;
    fputs("{\"type\":\"design\",", fp);
    dlm_json_settings(fp, sc);
    fprintf(fp, ",\"measure\":\"%s\",\"target\":", measure_name(r));
    dlm_print_double(fp, r->target);
    fputs(",\"false_accusation\":", fp);
    dlm_print_double(fp, in->false_accusation);
    fputs(",\"missed_detection\":", fp);
    dlm_print_double(fp, in->missed_detection);
    fputs(",\"audit_cost\":", fp);
    dlm_print_double(fp, in->audit_cost);
    if (r->evolve)
        fprintf(fp, ",\"populations\":%u,\"from_generation\":%llu", r->populations,
                (unsigned long long)r->from_generation);
    fputs(",\"points\":[", fp);
    for (i = 0; i < r->n; ++i) {
        const dlm_design_point *p = &r->points[i];
        fprintf(fp, "%s{\"audit\":", i ? "," : "");
        dlm_print_double(fp, p->audit);
        fputs(",\"fine\":", fp);
        dlm_print_double(fp, p->fine);
        fputs(",\"subsidy\":", fp);
        dlm_print_double(fp, p->subsidy);
        fprintf(fp, ",\"effective_class\":\"%s\",\"cooperation\":",
                (p->class_name ? p->class_name : dlm_game_class_id(p->effective_class)));
        dlm_print_double(fp, p->cooperation);
        if (r->evolve) {
            fputs(",\"cooperation_se\":", fp);
            dlm_print_double(fp, p->cooperation_se);
        }
        fputs(",\"cost\":", fp);
        dlm_print_double(fp, p->cost);
        fputs(",\"fines\":", fp);
        dlm_print_double(fp, p->fines);
        fputs(",\"net_cost\":", fp);
        dlm_print_double(fp, p->net_cost);
        fprintf(fp, ",\"meets_target\":%s,\"on_frontier\":%s}", p->meets_target ? "true" : "false",
                p->on_frontier ? "true" : "false");
    }
    fputs("],\"cheapest\":", fp);
    if (r->cheapest < r->n)
        fprintf(fp, "%zu", r->cheapest);
    else
        fputs("null", fp);
    fprintf(fp, ",\"frontier_points\":%zu}\n", r->n_frontier);
}

void dlm_write_design(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                      const dlm_design_report *r)
{
    if (fmt == DLM_FMT_TABLE)
        write_table(fp, sc, r);
    else if (fmt == DLM_FMT_CSV)
        write_csv(fp, sc, r);
    else
        write_json(fp, sc, r);
}

/* game_output.c — a stage-game analysis as a table, csv, jsonl or json (game_output.h).
 * Numbers that do not exist (a break-even point no fine or audit reaches) are empty in
 * csv, null in json and "none" in the table. */
#include "output/game_output.h"

#include <math.h>

#include "core/text.h"

static void num(FILE *fp, double x) /* csv: empty when not a number */
{
    if (isfinite(x))
        dlm_print_double(fp, x);
}

static void jmember(FILE *fp, const char *key, double x) /* ,"key":x (null: not a number) */
{
    fprintf(fp, ",\"%s\":", key);
    if (isfinite(x))
        dlm_print_double(fp, x);
    else
        fputs("null", fp);
}

static const char *yes(int b)
{
    return b ? "true" : "false";
}

/* The equilibria as text: CC, CD, DC, DD for pure ones (A's act first), p=pA/pB for the
 * mixed one (probabilities of C), separated by spaces. */
static void equilibria_text(FILE *fp, const dlm_game_report *r)
{
    size_t i;
    for (i = 0; i < r->n_equilibria; ++i) {
        const dlm_game_equilibrium *e = &r->equilibria[i];
        int pure = (e->p[0] == 0 || e->p[0] == 1) && (e->p[1] == 0 || e->p[1] == 1);
        if (i)
            fputc(' ', fp);
        if (pure) {
            fprintf(fp, "%c%c", e->p[0] == 1 ? 'C' : 'D', e->p[1] == 1 ? 'C' : 'D');
        } else {
            fputs("p=", fp);
            dlm_print_double(fp, e->p[0]);
            fputc('/', fp);
            dlm_print_double(fp, e->p[1]);
        }
    }
}

static void table_point(FILE *fp, const char *what, double x)
{
    if (isfinite(x))
        fprintf(fp, "%s %.6g", what, x);
    else
        fprintf(fp, "%s none", what);
}

/* The N-player public goods game's lines of the table (r->group). */
static void table_group(FILE *fp, const dlm_game_report *r)
{
    fprintf(fp, "effective game: a contributor earns %g x %g k / %u - %g %+.6g, a free rider "
                "%g x %g k / %u %+.6g (k contributors): %s\n", r->group_r, r->group_c,
            r->group_size, r->group_c, r->transfer[0], r->group_r, r->group_c, r->group_size,
            r->transfer[1], dlm_group_game_class(r));
    fprintf(fp, "  free riding gains %.6g (c (1 - r/n)) and loses %.6g to the referee; all "
                "contribute: %.6g each, none: %.6g\n", r->gain, r->delta, r->payoff_all_c,
            r->payoff_all_d);
    fprintf(fp, "  contributing strictly dominant: %s; everyone contributing an equilibrium: %s; "
                "Pareto-optimal: %s\n", r->cooperation_dominant ? "yes" : "no",
            r->mutual_cooperation_nash ? "yes" : "no", r->pareto_pure ? "yes" : "no");
    if (!isfinite(r->gain_population))
        return;
    fprintf(fp, "  in the well-mixed population of %u: contributors out-earn free riders once "
                "the referee takes more than %.6g off free riding (c [1 - (r/n)(N - n)/(N - 1)])",
            r->population, r->gain_population);
    if (isfinite(r->fine_population))
        fprintf(fp, ": at this audit, for fine > %.6g", r->fine_population);
    fputc('\n', fp);
}

static void write_table(FILE *fp, const dlm_scenario *sc, const dlm_game_report *r)
{
    const dlm_institution_spec *in = &sc->institution;
    int i, sides = sc->asymmetric ? 2 : 1;
    size_t k;
    if (r->group) {
        fprintf(fp, "game analysis: the linear public goods game, groups of %u, r %g, c %g\n",
                r->group_size, r->group_r, r->group_c);
    } else {
        fputs("game analysis\n", fp);
        dlm_write_game_lines(fp, sc);
    }
    if (r->institution) {
        fprintf(fp, "institution: audit %g, fine %g, subsidy %g, false accusation %g, missed "
                    "detection %g, audit cost %g\n", in->audit, in->fine, in->subsidy,
                in->false_accusation, in->missed_detection, in->audit_cost);
        fprintf(fp, "expected transfer per act: cooperation %+.6g, defection %+.6g "
                    "(defection loses %.6g)\n", r->transfer[0], r->transfer[1], r->delta);
    } else {
        fputs("institution: none (institution: audit, fine, subsidy, ... fold one in)\n", fp);
    }
    for (i = 0; i < sides && !r->group; ++i) {
        const dlm_game *e = &r->effective[i];
        fprintf(fp, "effective game%s: R %.6g  S %.6g  T %.6g  P %.6g: %s\n",
                sides == 2 ? (i ? " of B" : " of A") : "", e->R, e->S, e->T, e->P,
                dlm_game_class_name(dlm_game_classify(e)));
    }
    if (r->group) {
        table_group(fp, r);
    } else {
        fprintf(fp, "  cooperation strictly dominant: %s; mutual cooperation an equilibrium: "
                    "%s\n", r->cooperation_dominant ? "yes" : "no",
                r->mutual_cooperation_nash ? "yes" : "no");
        fprintf(fp, "  mutual cooperation Pareto-optimal: %s among the outcomes, %s with their "
                    "mixtures\n", r->pareto_pure ? "yes" : "no", r->pareto_mixed ? "yes" : "no");
        fprintf(fp, "  Nash equilibria%s:", r->degenerate ? " (ties: a continuum; pure ones)" : "");
        for (k = 0; k < r->n_equilibria; ++k) {
            const dlm_game_equilibrium *e = &r->equilibria[k];
            fprintf(fp, "%s P(C) %.6g / %.6g, payoffs %.6g / %.6g", k ? ";" : "", e->p[0],
                    e->p[1], e->payoff[0], e->payoff[1]);
        }
        fputc('\n', fp);
    }
    if (!r->institution) {
        fputs("break-even: give institution.audit and institution.fine (e.g. --set "
              "institution.audit=0.2) for the fines and audits that make cooperation dominant\n",
              fp);
        return;
    }
    fprintf(fp, "break-even at audit %g: cooperation dominant for fine > ", in->audit);
    table_point(fp, "F* =", r->fine_dominant);
    table_point(fp, " (referee's cost per interaction, all cooperating:", r->cost_at_fine);
    table_point(fp, "); mutual cooperation an equilibrium for fine >=", r->fine_nash);
    fprintf(fp, "\nbreak-even at fine %g: cooperation dominant for audit > ", in->fine);
    table_point(fp, "q* =", r->audit_dominant);
    table_point(fp, " (referee's cost per interaction, all cooperating:", r->cost_at_audit);
    table_point(fp, "); mutual cooperation an equilibrium for audit >=", r->audit_nash);
    fprintf(fp, "\nreferee's expected cost per %s at audit %g, fine %g: all cooperate %.6g, "
                "all defect %.6g\n", r->group ? "group" : "interaction", in->audit, in->fine,
            r->cost_all_c, r->cost_all_d);
}

static const char *const csv_institution_columns =
    "audit,fine,subsidy,false_accusation,missed_detection,audit_cost,transfer_c,transfer_d,"
    "delta";
static const char *const csv_columns =
    ",effective_class,effective_R,effective_S,effective_T,effective_P";
static const char *const csv_group_columns =
    ",group_size,group_r,group_c,population,effective_class,payoff_all_c,payoff_all_d,gain,"
    "gain_population,cooperation_dominant,all_contribute_nash,pareto,equilibria,fine_dominant,"
    "audit_dominant,fine_population,cost_at_fine,cost_at_audit,cost_all_c,cost_all_d\n";
static const char *const csv_columns_b =
    ",effective_class_b,effective_R_b,effective_S_b,effective_T_b,effective_P_b";
static const char *const csv_columns_2 =
    ",cooperation_dominant,mutual_cooperation_nash,pareto_pure,pareto_mixed,equilibria,"
    "fine_dominant,fine_nash,audit_dominant,audit_nash,cost_at_fine,cost_at_audit,cost_all_c,"
    "cost_all_d\n";

static void csv_effective(FILE *fp, const dlm_game *e)
{
    fprintf(fp, ",%s,", dlm_game_class_id(dlm_game_classify(e)));
    num(fp, e->R);
    fputc(',', fp);
    num(fp, e->S);
    fputc(',', fp);
    num(fp, e->T);
    fputc(',', fp);
    num(fp, e->P);
}

/* The N-player public goods game's csv columns after the institution's (r->group). */
static void csv_group(FILE *fp, const dlm_game_report *r)
{
    const double a[] = {r->payoff_all_c, r->payoff_all_d, r->gain, r->gain_population};
    const double b[] = {r->fine_dominant,  r->audit_dominant, r->fine_population,
                        r->cost_at_fine,   r->cost_at_audit,  r->cost_all_c,
                        r->cost_all_d};
    size_t i;
    fprintf(fp, ",%u,", r->group_size);
    num(fp, r->group_r);
    fputc(',', fp);
    num(fp, r->group_c);
    fprintf(fp, ",%u,%s", r->population, dlm_group_game_class(r));
    for (i = 0; i < sizeof a / sizeof a[0]; ++i) {
        fputc(',', fp);
        num(fp, a[i]);
    }
    fprintf(fp, ",%s,%s,%s,%s", yes(r->cooperation_dominant), yes(r->mutual_cooperation_nash),
            yes(r->pareto_pure), r->n_equilibria == 2 ? "all-C all-D"
                                 : r->equilibria[0].p[0] == 1 ? "all-C" : "all-D");
    for (i = 0; i < sizeof b / sizeof b[0]; ++i) {
        fputc(',', fp);
        num(fp, b[i]);
    }
    fputc('\n', fp);
}

static void write_csv(FILE *fp, const dlm_scenario *sc, const dlm_game_report *r)
{
    const dlm_institution_spec *in = &sc->institution;
    const double cols[] = {in->audit,      in->fine,       in->subsidy,    in->false_accusation,
                           in->missed_detection, in->audit_cost, r->transfer[0], r->transfer[1],
                           r->delta};
    const double tail[] = {r->fine_dominant, r->fine_nash,     r->audit_dominant,
                           r->audit_nash,    r->cost_at_fine,  r->cost_at_audit,
                           r->cost_all_c,    r->cost_all_d};
    size_t i;
    if (r->group)
        fprintf(fp, "%s%s,%s%s", sc->sweep_csv_header, dlm_csv_settings_header(sc),
                csv_institution_columns, csv_group_columns);
    else
        fprintf(fp, "%s%s,%s%s%s%s", sc->sweep_csv_header, dlm_csv_settings_header(sc),
                csv_institution_columns, csv_columns, sc->asymmetric ? csv_columns_b : "",
                csv_columns_2);
    dlm_csv_settings(fp, sc);
    for (i = 0; i < sizeof cols / sizeof cols[0]; ++i) {
        fputc(',', fp);
        num(fp, cols[i]);
    }
    if (r->group) {
        csv_group(fp, r);
        return;
    }
    csv_effective(fp, &r->effective[0]);
    if (sc->asymmetric)
        csv_effective(fp, &r->effective[1]);
    fprintf(fp, ",%s,%s,%s,%s,", yes(r->cooperation_dominant), yes(r->mutual_cooperation_nash),
            yes(r->pareto_pure), yes(r->pareto_mixed));
    equilibria_text(fp, r);
    for (i = 0; i < sizeof tail / sizeof tail[0]; ++i) {
        fputc(',', fp);
        num(fp, tail[i]);
    }
    fputc('\n', fp);
}

static void json_effective(FILE *fp, const char *key, const dlm_game *e)
{
    fprintf(fp, ",\"%s\":{\"class\":\"%s\"", key, dlm_game_class_id(dlm_game_classify(e)));
    jmember(fp, "R", e->R);
    jmember(fp, "S", e->S);
    jmember(fp, "T", e->T);
    jmember(fp, "P", e->P);
    fputc('}', fp);
}

static void write_json(FILE *fp, const dlm_scenario *sc, const dlm_game_report *r)
{
    const dlm_institution_spec *in = &sc->institution;
    size_t i;
    fputs("{\"type\":\"game\",", fp);
    dlm_json_settings(fp, sc);
    if (r->institution) {
        fputs(",\"institution\":{\"given\":true", fp);
        jmember(fp, "audit", in->audit);
        jmember(fp, "fine", in->fine);
        jmember(fp, "subsidy", in->subsidy);
        jmember(fp, "false_accusation", in->false_accusation);
        jmember(fp, "missed_detection", in->missed_detection);
        jmember(fp, "audit_cost", in->audit_cost);
        fputc('}', fp);
    } else {
        fputs(",\"institution\":null", fp);
    }
    jmember(fp, "transfer_c", r->transfer[0]);
    jmember(fp, "transfer_d", r->transfer[1]);
    jmember(fp, "delta", r->delta);
    if (r->group) {
        fprintf(fp, ",\"group\":{\"game\":\"pgg\",\"size\":%u", r->group_size);
        jmember(fp, "r", r->group_r);
        jmember(fp, "c", r->group_c);
        fprintf(fp, ",\"population\":%u,\"effective_class\":\"%s\"", r->population,
                dlm_group_game_class(r));
        jmember(fp, "payoff_all_c", r->payoff_all_c);
        jmember(fp, "payoff_all_d", r->payoff_all_d);
        jmember(fp, "gain", r->gain);
        jmember(fp, "gain_population", r->gain_population);
        jmember(fp, "fine_population", r->fine_population);
        fputc('}', fp);
    } else {
        json_effective(fp, "effective", &r->effective[0]);
        if (sc->asymmetric)
            json_effective(fp, "effective_b", &r->effective[1]);
    }
    fprintf(fp, ",\"cooperation_dominant\":%s,\"mutual_cooperation_nash\":%s,"
                "\"pareto_pure\":%s,\"pareto_mixed\":%s,\"degenerate\":%s,\"equilibria\":[",
            yes(r->cooperation_dominant), yes(r->mutual_cooperation_nash), yes(r->pareto_pure),
            yes(r->pareto_mixed), yes(r->degenerate));
    for (i = 0; i < r->n_equilibria; ++i) {
        const dlm_game_equilibrium *e = &r->equilibria[i];
        fprintf(fp, "%s{\"p\":[", i ? "," : "");
        dlm_print_double(fp, e->p[0]);
        fputc(',', fp);
        dlm_print_double(fp, e->p[1]);
        fputs("],\"payoff\":[", fp);
        dlm_print_double(fp, e->payoff[0]);
        fputc(',', fp);
        dlm_print_double(fp, e->payoff[1]);
        fputs("]}", fp);
    }
    fputc(']', fp);
    jmember(fp, "fine_dominant", r->fine_dominant);
    jmember(fp, "fine_nash", r->fine_nash);
    jmember(fp, "audit_dominant", r->audit_dominant);
    jmember(fp, "audit_nash", r->audit_nash);
    jmember(fp, "cost_at_fine", r->cost_at_fine);
    jmember(fp, "cost_at_audit", r->cost_at_audit);
    jmember(fp, "cost_all_c", r->cost_all_c);
    jmember(fp, "cost_all_d", r->cost_all_d);
    fputs("}\n", fp);
}

void dlm_write_game_analysis(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                             const dlm_game_report *r)
{
    if (fmt == DLM_FMT_TABLE)
        write_table(fp, sc, r);
    else if (fmt == DLM_FMT_CSV)
        write_csv(fp, sc, r);
    else
        write_json(fp, sc, r);
}

/* digest.c — a run's results as named samples, and their statistics (digest.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/digest.h"

void dlm_digest_clear(dlm_digest *d)
{
    d->n = 0;
}

void dlm_digest_free(dlm_digest *d)
{
    free(d->items);
    memset(d, 0, sizeof *d);
}

dlm_status dlm_digest_add(dlm_digest *d, const char *name, double value, int proportion,
                          dlm_error *err)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 64;
        dlm_digest_item *items = realloc(d->items, cap * sizeof *items);
        if (!items)
            return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a run's results");
        d->items = items;
        d->cap = cap;
    }
    snprintf(d->items[d->n].name, DLM_DIGEST_NAME, "%s", name);
    d->items[d->n].value = value;
    d->items[d->n].proportion = proportion;
    d->n++;
    return DLM_OK;
}

/* Adds name.<suffix> = value. */
static dlm_status add2(dlm_digest *d, const char *name, const char *suffix, double value,
                       int proportion, dlm_error *err)
{
    char full[DLM_DIGEST_NAME];
    snprintf(full, sizeof full, "%s.%s", name, suffix);
    return dlm_digest_add(d, full, value, proportion, err);
}

dlm_status dlm_digest_match(dlm_digest *d, const dlm_match_report *r, dlm_error *err)
{
    static const char *const who[2] = {"A", "B"};
    dlm_status st = DLM_OK;
    int i;
    for (i = 0; i < 2 && st == DLM_OK; ++i)
        st = add2(d, "payoff", who[i], r->mean[i], 0, err);
    for (i = 0; i < 2 && st == DLM_OK; ++i)
        st = add2(d, "cooperation", who[i], r->cooperation[i], 0, err);
    return st;
}

dlm_status dlm_digest_tournament(dlm_digest *d, const dlm_tournament_report *r, dlm_error *err)
{
    dlm_status st = DLM_OK;
    size_t i;
    for (i = 0; i < r->n && st == DLM_OK; ++i)
        st = add2(d, "mean_payoff", r->labels[i], r->mean_payoff[i], 0, err);
    for (i = 0; i < r->n && st == DLM_OK; ++i)
        st = add2(d, "cooperation", r->labels[i], r->cooperation[i], 0, err);
    for (i = 0; i < r->n && st == DLM_OK; ++i)
        st = add2(d, "win_share", r->labels[i],
                  r->matches[i] ? (double)r->wins[i] / (double)r->matches[i] : 0.0, 0, err);
    return st;
}

dlm_status dlm_digest_exact(dlm_digest *d, const dlm_exact_result *r, dlm_error *err)
{
    static const char *const who[2] = {"A", "B"};
    dlm_status st = DLM_OK;
    int i;
    for (i = 0; i < 2 && st == DLM_OK; ++i)
        st = add2(d, "long_run_payoff", who[i], r->long_run_payoff[i], 0, err);
    for (i = 0; i < 2 && st == DLM_OK; ++i)
        st = add2(d, "long_run_cooperation", who[i], r->long_run_cooperation[i], 0, err);
    for (i = 0; i < 2 && st == DLM_OK; ++i)
        st = add2(d, "expected_payoff", who[i],
                  r->expected_rounds > 0 ? r->expected_total[i] / r->expected_rounds : 0.0, 0,
                  err);
    for (i = 0; i < 2 && st == DLM_OK; ++i)
        st = add2(d, "expected_cooperation", who[i], r->expected_cooperation[i], 0, err);
    return st;
}

dlm_status dlm_digest_game(dlm_digest *d, const dlm_game_report *r, dlm_error *err)
{
    const struct {
        const char *name;
        double x;
    } items[] = {{"fine_dominant", r->fine_dominant},   {"fine_nash", r->fine_nash},
                 {"audit_dominant", r->audit_dominant}, {"audit_nash", r->audit_nash},
                 {"cost_at_fine", r->cost_at_fine},     {"cost_at_audit", r->cost_at_audit},
                 {"cost_all_c", r->cost_all_c},         {"cost_all_d", r->cost_all_d}};
    dlm_status st = dlm_digest_add(d, "cooperation_dominant", r->cooperation_dominant, 1, err);
    size_t i;
    if (st == DLM_OK)
        st = dlm_digest_add(d, "mutual_cooperation_nash", r->mutual_cooperation_nash, 1, err);
    for (i = 0; i < sizeof items / sizeof items[0] && st == DLM_OK; ++i)
        if (isfinite(items[i].x)) /* a break-even point that does not exist has no sample */
            st = dlm_digest_add(d, items[i].name, items[i].x, 0, err);
    return st;
}

/* One population's samples. */
static dlm_status digest_population(dlm_digest *d, const dlm_evo_plan *plan, uint32_t n,
                                    const dlm_evo_outcome *o, dlm_error *err)
{
    const dlm_evo_census *c = &o->final;
    dlm_status st;
    uint32_t i;
    st = dlm_digest_add(d, "final_cooperation",
                        c->moves ? (double)c->cooperations / (double)c->moves : 0.0, 0, err);
    if (st == DLM_OK)
        st = dlm_digest_add(d, "final_payoff", n ? c->payoff_sum / n : 0.0, 0, err);
    for (i = 0; plan->n_classes > 1 && i < plan->n_classes && st == DLM_OK; ++i) {
        st = add2(d, "final_payoff", plan->class_names[i],
                  c->class_agents[i] ? c->class_payoff[i] / (double)c->class_agents[i] : 0.0,
                  0, err);
        if (st == DLM_OK)
            st = add2(d, "final_cooperation", plan->class_names[i],
                      c->class_moves[i]
                          ? (double)c->class_cooperations[i] / (double)c->class_moves[i]
                          : 0.0,
                      0, err);
    }
    for (i = 0; i <= plan->n_named && st == DLM_OK; ++i)
        st = add2(d, "abundance", i < plan->n_named ? plan->named_labels[i] : "other",
                  n ? (double)c->named[i] / n : 0.0, 0, err);
    if (st == DLM_OK)
        st = dlm_digest_add(d, "fixed", o->fixed ? 1.0 : 0.0, 1, err);
    for (i = 0; i < plan->n_named && st == DLM_OK; ++i)
        st = add2(d, "fixed", plan->named_labels[i],
                  o->fixed && o->fixed_named == (int)i ? 1.0 : 0.0, 1, err);
    if (st == DLM_OK && o->fixed)
        st = dlm_digest_add(d, "fixation_generation", (double)o->fixation_generation, 0, err);
    return st;
}

dlm_status dlm_digest_evolution(dlm_digest *d, const dlm_evo_plan *plan,
                                const dlm_evo_outcome *outcomes, dlm_error *err)
{
    dlm_status st = DLM_OK;
    size_t p;
    for (p = 0; p < plan->n_populations && st == DLM_OK; ++p)
        st = digest_population(d, plan, plan->populations[p].n, &outcomes[p], err);
    return st;
}

double dlm_student_t975(size_t df)
{
    /* exact to the digits shown for df <= 30; beyond, the Cornish-Fisher expansion */
    static const double table[31] = {
        0,      12.7062, 4.30265, 3.18245, 2.77645, 2.57058, 2.44691, 2.36462,
        2.306,  2.26216, 2.22814, 2.20099, 2.17881, 2.16037, 2.14479, 2.13145,
        2.11991, 2.10982, 2.10092, 2.09302, 2.08596, 2.07961, 2.07387, 2.06866,
        2.0639, 2.05954, 2.05553, 2.05183, 2.04841, 2.04523, 2.04227};
    const double z = 1.959963984540054;
    double v;
    if (df <= 30)
        return table[df ? df : 1];
    v = (double)df;
    return z + (z * z * z + z) / (4 * v) +
           (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * v * v) +
           (3 * pow(z, 7) + 19 * pow(z, 5) + 17 * z * z * z - 15 * z) / (384 * v * v * v);
}

dlm_digest_stat dlm_digest_summarise(const double *x, size_t n, int proportion)
{
    dlm_digest_stat s = {n, 0, 0, 0, 0};
    double sum = 0, ss = 0;
    size_t i;
    if (n == 0)
        return s;
    for (i = 0; i < n; ++i)
        sum += x[i];
    s.mean = sum / (double)n;
    for (i = 0; i < n; ++i)
        ss += (x[i] - s.mean) * (x[i] - s.mean);
    s.se = n > 1 ? sqrt(ss / (double)(n - 1) / (double)n) : 0.0;
    if (proportion) {
        /* Wilson's score interval: never [0, 0] for an observed 0 out of n */
        const double z = 1.959963984540054;
        double nn = (double)n, p = s.mean, den = 1 + z * z / nn;
        double centre = (p + z * z / (2 * nn)) / den;
        double half = z * sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / den;
        s.se = sqrt(p * (1 - p) / nn);
        s.lo = centre - half < 0 ? 0 : centre - half;
        s.hi = centre + half > 1 ? 1 : centre + half;
    } else if (n > 1) {
        double h = dlm_student_t975(n - 1) * s.se;
        s.lo = s.mean - h;
        s.hi = s.mean + h;
    } else {
        s.lo = s.hi = s.mean;
    }
    return s;
}

void dlm_digest_write(FILE *to, const dlm_digest *d)
{
    size_t i;
    for (i = 0; i < d->n; ++i)
        fprintf(to, "%d %a %s\n", d->items[i].proportion, d->items[i].value, d->items[i].name);
}

int dlm_digest_read(FILE *f, size_t n, dlm_digest *d, dlm_error *err)
{
    char line[DLM_DIGEST_NAME + 64];
    size_t i, len;
    for (i = 0; i < n; ++i) {
        int prop, used = 0;
        double v;
        if (!fgets(line, sizeof line, f) || sscanf(line, "%d %la %n", &prop, &v, &used) != 2 ||
            used == 0 || (len = strlen(line + used)) == 0 || line[used + len - 1] != '\n')
            return -1;
        line[used + len - 1] = '\0';
        if (dlm_digest_add(d, line + used, v, prop != 0, err) != DLM_OK)
            return -2;
    }
    return 0;
}

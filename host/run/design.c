/* design.c — the cheapest enforcement over a grid of institutions, exactly (design.h). */
#include "run/design.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlm_exact.h"
#include "dlm_referee.h"
#include "model/strategies.h"
#include "plan/params.h"
#include "run/analyze_game.h"
#include "run/evolve.h"
#include "run/population_analysis.h"

/* The referee's expected spending (audits and subsidies) and fines collected per
 * interaction of `acts` acts (2; a group game's n) at cooperation c. */
static void accounts_at(const dlm_institution_spec *in, double c, double acts,
                        dlm_design_point *p)
{
    double e1 = in->false_accusation, e2 = in->missed_detection, s = in->subsidy, F = in->fine;
    p->cost = in->audit * (in->audit_cost + acts * s * (c * (1 - e1) + (1 - c) * e2));
    p->fines = in->audit * acts * F * (c * e1 + (1 - c) * (1 - e2));
    p->net_cost = p->cost - p->fines;
}

/* The least cooperation (mean P(C) of the two players) among the equilibria. */
static double game_cooperation(const dlm_game_report *g)
{
    double least = 1;
    size_t i;
    for (i = 0; i < g->n_equilibria; ++i)
        least = fmin(least, 0.5 * (g->equilibria[i].p[0] + g->equilibria[i].p[1]));
    return least;
}

/* Each type's expected cooperation against itself under match.* (types: r's labels). */
static dlm_status self_cooperation(const dlm_scenario *sc, const dlm_population_report *r,
                                   double *coop, dlm_error *err)
{
    dlm_player_params params = dlm_player_params_from_spec(&sc->match_defaults);
    dlm_match_rules rules = dlm_match_rules_from_scenario(sc);
    double pay[4] = {sc->game.R, sc->game.S, sc->game.T, sc->game.P};
    uint32_t i;
    for (i = 0; i < r->model.k; ++i) {
        dlm_strategy_def def;
        dlm_status st = dlm_strategy_parse(r->labels[i], &sc->game, &def, err);
        if (st != DLM_OK)
            return st;
        (void)dlm_exact_match_payoff(&def.model, &def.model, &params, &params, &rules, pay,
                                     &coop[i]);
    }
    return DLM_OK;
}

/* Point p of the grid, measured on the scenario copy `at` (its institution set). */
static dlm_status measure(dlm_scenario *at, dlm_design_report *r, dlm_design_point *p,
                          double *coop, dlm_error *err)
{
    dlm_game_report g;
    dlm_status st = DLM_OK;
    dlm_game_analyze(at, &g);
    p->effective_class = dlm_game_classify(&g.effective[0]);
    p->class_name = g.group ? dlm_group_game_class(&g) : dlm_game_class_id(p->effective_class);
    if (!r->population) {
        p->cooperation = game_cooperation(&g);
    } else {
        dlm_population_report pr;
        uint32_t i;
        if ((st = dlm_population_analyze(at, &pr, err)) == DLM_OK) {
            if (isnan(coop[0]))
                st = self_cooperation(at, &pr, coop, err);
            p->cooperation = 0;
            for (i = 0; i < pr.model.k && st == DLM_OK; ++i)
                p->cooperation += pr.stationary_limit[i] * coop[i];
        }
        dlm_population_report_free(&pr);
    }
    accounts_at(&at->institution, p->cooperation, g.group ? (double)g.group_size : 2.0, p);
    p->meets_target = p->cooperation >= r->target - 1e-12;
    return st;
}

typedef struct ranked {
    double cost, cooperation;
    size_t index;
} ranked;

/* Cheaper first; at equal cost more cooperation first; then grid order. */
static int by_cost(const void *a, const void *b)
{
    const ranked *p = a, *q = b;
    if (p->cost != q->cost)
        return p->cost < q->cost ? -1 : 1;
    if (p->cooperation != q->cooperation)
        return p->cooperation > q->cooperation ? -1 : 1;
    return p->index < q->index ? -1 : p->index > q->index;
}

/* The frontier (each point cooperating more than every cheaper one) and the cheapest
 * point that reaches the target. */
static dlm_status frontier(dlm_design_report *r, dlm_error *err)
{
    ranked *order = malloc(r->n * sizeof *order);
    double best = -1;
    size_t i;
    if (!order)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for the design's frontier");
    for (i = 0; i < r->n; ++i)
        order[i] = (ranked){r->points[i].cost, r->points[i].cooperation, i};
    qsort(order, r->n, sizeof *order, by_cost);
    r->cheapest = r->n;
    r->n_frontier = 0;
    for (i = 0; i < r->n; ++i) {
        dlm_design_point *p = &r->points[order[i].index];
        if (p->cooperation > best + 1e-12) {
            p->on_frontier = 1;
            ++r->n_frontier;
            best = p->cooperation;
        }
        if (r->cheapest == r->n && p->meets_target)
            r->cheapest = order[i].index;
    }
    free(order);
    return DLM_OK;
}

/* Point i's audit, fine and subsidy into in (grid order: audit slowest, subsidy fastest). */
static void grid_point(const dlm_design_spec *d, const double base[3], const size_t n[3],
                       size_t i, dlm_institution_spec *in)
{
    size_t idx[3] = {i / (n[1] * n[2]), i / n[2] % n[1], i % n[2]}, k;
    double *fields[3] = {&in->audit, &in->fine, &in->subsidy};
    for (k = 0; k < 3; ++k)
        *fields[k] = d->values[k] ? d->values[k][idx[k]] : base[k];
}

dlm_status dlm_design_run(const dlm_scenario *sc, dlm_design_report *r, dlm_error *err)
{
    const dlm_design_spec *d = &sc->design;
    const double base[3] = {sc->institution.audit, sc->institution.fine, sc->institution.subsidy};
    double coop[DLM_POP_MAX_TYPES];
    size_t n[3], i, k;
    dlm_scenario *at;
    dlm_status st = DLM_OK;
    memset(r, 0, sizeof *r);
    if (sc->evolution.donation || (sc->evolution.group && sc->evolution.group_game != 1))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze.design: institutions are designed for 2x2 games and the "
                             "linear public goods game (evolution.group.game: pgg), not %s",
                             sc->evolution.donation ? "the donation game with reputations"
                                                    : "the collective-risk game");
    for (k = 0; k < 3; ++k)
        n[k] = d->values[k] ? d->n[k] : 1;
    r->n = n[0] * n[1] * n[2];
    r->population = sc->population_analysis.wanted;
    r->target = d->target;
    coop[0] = NAN;
    at = malloc(sizeof *at);
    if (!at || !(r->points = calloc(r->n, sizeof *r->points))) {
        free(at);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for %zu institutions", r->n);
    }
    *at = *sc; /* a shallow copy: only its institution changes */
    at->institution.given = 1;
    at->population_analysis.full_chain = 0; /* the rare-mutation limit is the measure */
    for (i = 0; i < r->n && st == DLM_OK; ++i) {
        dlm_design_point *p = &r->points[i];
        grid_point(d, base, n, i, &at->institution);
        p->audit = at->institution.audit;
        p->fine = at->institution.fine;
        p->subsidy = at->institution.subsidy;
        st = measure(at, r, p, coop, err);
    }
    free(at);
    if (st == DLM_OK)
        st = frontier(r, err);
    if (st != DLM_OK)
        dlm_design_report_free(r);
    return st;
}

void dlm_design_report_free(dlm_design_report *r)
{
    free(r->points);
    memset(r, 0, sizeof *r);
}

dlm_status dlm_digest_design(dlm_digest *d, const dlm_design_report *r, dlm_error *err)
{
    dlm_status st = dlm_digest_add(d, "target_reached", r->cheapest < r->n, 1, err);
    if (st == DLM_OK)
        st = dlm_digest_add(d, "frontier_points", (double)r->n_frontier, 0, err);
    if (st == DLM_OK && r->cheapest < r->n) {
        const dlm_design_point *p = &r->points[r->cheapest];
        if ((st = dlm_digest_add(d, "cheapest_cost", p->cost, 0, err)) ||
            (st = dlm_digest_add(d, "cheapest_cooperation", p->cooperation, 0, err)) ||
            (st = dlm_digest_add(d, "cheapest_audit", p->audit, 0, err)) ||
            (st = dlm_digest_add(d, "cheapest_fine", p->fine, 0, err)))
            return st;
        st = dlm_digest_add(d, "cheapest_subsidy", p->subsidy, 0, err);
    }
    return st;
}

/* What the evolving measure gathers of each population from its records. */
typedef struct evo_window {
    double sum;          /* census cooperation summed over the window's records */
    uint64_t records;
    uint64_t base[DLM_LEDGER_FIELDS]; /* the ledger before the window */
    uint64_t last[DLM_LEDGER_FIELDS]; /* ... at its last record */
} evo_window;

typedef struct evo_ctx {
    evo_window *w;
    uint64_t from; /* the window's first generation */
} evo_ctx;

static void evo_record(void *ctx, uint32_t p, const dlm_evo_census *c, const dlm_evo_outcome *o,
                       int fixed_now)
{
    evo_ctx *e = ctx;
    evo_window *w = &e->w[p];
    (void)o;
    (void)fixed_now;
    if (c->generation < e->from) {
        memcpy(w->base, c->ledger, sizeof w->base);
        memcpy(w->last, c->ledger, sizeof w->last);
        return;
    }
    w->sum += c->moves ? (double)c->cooperations / (double)c->moves : 0.0;
    w->records++;
    memcpy(w->last, c->ledger, sizeof w->last);
}

/* A ledger field's change over the window, summed over populations [p0, p1). */
static double ledger_delta(const evo_window *w, size_t p0, size_t p1, unsigned f)
{
    double sum = 0;
    size_t p;
    for (p = p0; p < p1; ++p)
        sum += (double)(int64_t)(w[p].last[f] - w[p].base[f]);
    return sum;
}

/* Point p's cooperation (mean and SE over its populations) and the referee's spending. */
static dlm_status evo_point(const dlm_scenario *sc, const evo_window *w, size_t p0, size_t np,
                            double acts, dlm_design_report *r, dlm_design_point *p,
                            dlm_error *err)
{
    double mean = 0, var = 0, audits, rounds = (double)sc->rounds;
    size_t j;
    for (j = 0; j < np; ++j) {
        if (!w[p0 + j].records)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "analyze.design.evolve: a population has no census in the "
                                 "second half of the run (generations %llu, record_every %llu): "
                                 "record more often, or give a mutation rate (without one it "
                                 "stops at fixation)",
                                 (unsigned long long)sc->evolution.generations,
                                 (unsigned long long)sc->evolution.record_every);
        mean += w[p0 + j].sum / (double)w[p0 + j].records;
    }
    mean /= (double)np;
    for (j = 0; j < np; ++j) {
        double x = w[p0 + j].sum / (double)w[p0 + j].records - mean;
        var += x * x;
    }
    p->cooperation = mean;
    p->cooperation_se = np > 1 ? sqrt(var / (double)(np - 1) / (double)np) : 0.0;
    audits = ledger_delta(w, p0, p0 + np, DLM_LEDGER_AUDITS);
    p->cost = p->fines = 0;
    if (audits > 0) {
        double a = ledger_delta(w, p0, p0 + np, DLM_LEDGER_AUDIT_COSTS) * 1e-6 / audits;
        double s = ledger_delta(w, p0, p0 + np, DLM_LEDGER_SUBSIDIES) * 1e-6 / (audits * rounds);
        double f = ledger_delta(w, p0, p0 + np, DLM_LEDGER_FINES) * 1e-6 / (audits * rounds);
        p->cost = p->audit * (a + acts * s);
        p->fines = p->audit * acts * f;
    }
    p->net_cost = p->cost - p->fines;
    p->meets_target = p->cooperation >= r->target - 1e-12;
    return DLM_OK;
}

dlm_status dlm_design_run_evolve(const dlm_scenario *sc, const dlm_backend_ops *ops,
                                 dlm_backend *be, dlm_design_report *r, dlm_error *err)
{
    const dlm_design_spec *d = &sc->design;
    const double base[3] = {sc->institution.audit, sc->institution.fine, sc->institution.subsidy};
    size_t n[3], i, k, built = 0, per = 0;
    dlm_scenario *at = NULL;
    dlm_evo_plan *plans = NULL, joined;
    const dlm_evo_plan **list = NULL;
    evo_ctx ctx = {NULL, 0};
    dlm_evo_observer obs;
    dlm_status st = DLM_OK;
    double acts = sc->evolution.group ? (double)sc->evolution.group_size : 2.0;
    memset(r, 0, sizeof *r);
    memset(&joined, 0, sizeof joined);
    if (sc->geometric)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze.design.evolve: the spending per audited act needs matches "
                             "of a fixed length (match.rounds), not match.continuation");
    for (k = 0; k < 3; ++k)
        n[k] = d->values[k] ? d->n[k] : 1;
    r->n = n[0] * n[1] * n[2];
    r->evolve = 1;
    r->target = d->target;
    r->from_generation = sc->evolution.generations / 2;
    at = calloc(r->n, sizeof *at);
    plans = calloc(r->n, sizeof *plans);
    list = calloc(r->n, sizeof *list);
    r->points = calloc(r->n, sizeof *r->points);
    if (!at || !plans || !list || !r->points) {
        st = dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for %zu institutions", r->n);
        goto end;
    }
    for (i = 0; i < r->n && st == DLM_OK; ++i) {
        dlm_design_point *p = &r->points[i];
        at[i] = *sc; /* a shallow copy: its mode and institution change */
        at[i].mode = DLM_MODE_EVOLVE;
        at[i].institution.given = 1;
        at[i].population_analysis.wanted = 0;
        grid_point(d, base, n, i, &at[i].institution);
        p->audit = at[i].institution.audit;
        p->fine = at[i].institution.fine;
        p->subsidy = at[i].institution.subsidy;
        p->effective_class = DLM_GAME_OTHER;
        p->class_name = dlm_game_class_id(DLM_GAME_OTHER);
        if (!sc->evolution.donation && (!sc->evolution.group || sc->evolution.group_game == 1)) {
            dlm_game_report g;
            dlm_game_analyze(&at[i], &g);
            p->effective_class = dlm_game_classify(&g.effective[0]);
            p->class_name =
                g.group ? dlm_group_game_class(&g) : dlm_game_class_id(p->effective_class);
        }
        if ((st = dlm_evo_plan_build(&at[i], &plans[i], err)) != DLM_OK)
            break;
        built++;
        list[i] = &plans[i];
        if (i > 0 && !dlm_evo_plan_batchable(&at[0], &plans[0], &at[i], &plans[i]))
            st = dlm_error_set(err, DLM_ERR_USAGE,
                               "analyze.design.evolve: the institutions' runs cannot share one "
                               "batch (snapshots or a wall-clock limit in evolution.*?)");
    }
    if (st == DLM_OK && !dlm_evo_plan_batchable(&at[0], &plans[0], &at[0], &plans[0]))
        st = dlm_error_set(err, DLM_ERR_USAGE,
                           "analyze.design.evolve: evolution.snapshot_every and "
                           "evolution.wall_clock do not apply to a design: drop them");
    if (st == DLM_OK)
        st = dlm_evo_plan_join(list, r->n, &joined, err);
    if (st == DLM_OK) {
        per = plans[0].n_populations;
        r->populations = (uint32_t)per;
        if (!(ctx.w = calloc(joined.n_populations, sizeof *ctx.w)))
            st = dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for %zu institutions", r->n);
    }
    if (st == DLM_OK) {
        ctx.from = r->from_generation;
        memset(&obs, 0, sizeof obs);
        obs.ctx = &ctx;
        obs.record = evo_record;
        st = dlm_evo_drive(&at[0], &joined, ops, be, &obs, NULL, err);
    }
    for (i = 0; i < r->n && st == DLM_OK; ++i)
        st = evo_point(sc, ctx.w, i * per, per, acts, r, &r->points[i], err);
    if (st == DLM_OK)
        st = frontier(r, err);
end:
    if (joined.populations)
        dlm_evo_plan_free(&joined);
    for (i = 0; i < built; ++i)
        dlm_evo_plan_free(&plans[i]);
    free(ctx.w);
    free(list);
    free(plans);
    free(at);
    if (st != DLM_OK)
        dlm_design_report_free(r);
    return st;
}

/* analyze_game.c — the stage game exactly, with an institution folded in (analyze_game.h
 * states the model and the formulas). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "run/analyze_game.h"

void dlm_institution_effective(const dlm_institution_spec *inst, const dlm_game *in,
                               dlm_game *out)
{
    const double q = inst->audit, F = inst->fine, s = inst->subsidy;
    const double e1 = inst->false_accusation, e2 = inst->missed_detection;
    const double tc = q * ((1 - e1) * s - e1 * F), td = q * (e2 * s - (1 - e2) * F);
    *out = *in;
    out->R += tc;
    out->S += tc;
    out->T += td;
    out->P += td;
    if (inst->given) /* "pd+institution": the name says what was folded in */
        snprintf(out->name, sizeof out->name, "%.17s+institution", in->name);
}

/* Payoffs by (A's act, B's act), 0 = C: a for A from its matrix, b for B from its own. */
static void payoff_tables(const dlm_game g[2], double a[2][2], double b[2][2])
{
    a[0][0] = g[0].R, a[0][1] = g[0].S, a[1][0] = g[0].T, a[1][1] = g[0].P;
    b[0][0] = g[1].R, b[1][0] = g[1].S, b[0][1] = g[1].T, b[1][1] = g[1].P;
}

static void add_equilibrium(dlm_game_report *r, double pa, double pb, const double a[2][2],
                            const double b[2][2])
{
    dlm_game_equilibrium *e = &r->equilibria[r->n_equilibria++];
    const double w[2][2] = {{pa * pb, pa * (1 - pb)}, {(1 - pa) * pb, (1 - pa) * (1 - pb)}};
    int i, j;
    e->p[0] = pa, e->p[1] = pb;
    e->payoff[0] = e->payoff[1] = 0;
    for (i = 0; i < 2; ++i)
        for (j = 0; j < 2; ++j) {
            e->payoff[0] += w[i][j] * a[i][j];
            e->payoff[1] += w[i][j] * b[i][j];
        }
}

/* The Nash equilibria of the effective game: pure ones by best replies, and the fully
 * mixed one (each player indifferent) when it lies strictly inside and no tie makes a
 * continuum. */
static void equilibria(dlm_game_report *r)
{
    double a[2][2], b[2][2], den_a, den_b, pa, pb;
    int i, j;
    payoff_tables(r->effective, a, b);
    r->n_equilibria = 0;
    r->degenerate = a[0][0] == a[1][0] || a[0][1] == a[1][1] || b[0][0] == b[0][1] ||
                    b[1][0] == b[1][1];
    for (i = 0; i < 2; ++i)
        for (j = 0; j < 2; ++j)
            if (a[i][j] >= a[1 - i][j] && b[i][j] >= b[i][1 - j])
                add_equilibrium(r, i == 0, j == 0, a, b);
    if (r->degenerate)
        return;
    /* A's P(C) that leaves B indifferent, and B's that leaves A indifferent. */
    den_b = b[0][0] - b[1][0] - b[0][1] + b[1][1];
    den_a = a[0][0] - a[0][1] - a[1][0] + a[1][1];
    if (den_a == 0 || den_b == 0)
        return;
    pa = (b[1][1] - b[1][0]) / den_b;
    pb = (a[1][1] - a[0][1]) / den_a;
    if (pa > 0 && pa < 1 && pb > 0 && pb < 1)
        add_equilibrium(r, pa, pb, a, b);
}

/* 1 when a point of the segment x-y gives both players at least c and one of them more. */
static int segment_dominates(const double x[2], const double y[2], const double c[2])
{
    double lo = 0, hi = 1, t[3];
    int k, i;
    for (k = 0; k < 2; ++k) {
        double d = y[k] - x[k], need = c[k] - x[k]; /* x + l d >= c: l d >= need */
        if (d > 0)
            lo = fmax(lo, need / d);
        else if (d < 0)
            hi = fmin(hi, need / d);
        else if (need > 0)
            return 0;
    }
    if (lo > hi)
        return 0;
    t[0] = lo, t[1] = 0.5 * (lo + hi), t[2] = hi;
    for (i = 0; i < 3; ++i)
        for (k = 0; k < 2; ++k)
            if (x[k] + t[i] * (y[k] - x[k]) > c[k])
                return 1;
    return 0;
}

/* Is (C, C) Pareto-optimal among the four outcomes (pure) and their mixtures (the
 * frontier of the convex hull lies on segments between outcomes)? */
static void pareto(dlm_game_report *r)
{
    double a[2][2], b[2][2], pt[4][2];
    int i, j;
    payoff_tables(r->effective, a, b);
    for (i = 0; i < 4; ++i)
        pt[i][0] = a[i >> 1][i & 1], pt[i][1] = b[i >> 1][i & 1];
    r->pareto_pure = r->pareto_mixed = 1;
    for (i = 1; i < 4; ++i)
        if (pt[i][0] >= pt[0][0] && pt[i][1] >= pt[0][1] &&
            (pt[i][0] > pt[0][0] || pt[i][1] > pt[0][1]))
            r->pareto_pure = 0;
    for (i = 0; i < 4; ++i)
        for (j = i; j < 4; ++j)
            if (segment_dominates(pt[i], pt[j], pt[0]))
                r->pareto_mixed = 0;
}

/* The smallest x >= 0 with slope * (offset + x) beyond gain (strictly when strict), NaN
 * when none: a fine (slope q k, offset s) or an audit probability (slope k (s + F), offset
 * 0, at most 1). */
static double break_even(double slope, double offset, double gain, int strict, double cap)
{
    double x;
    if (slope <= 0)
        return (strict ? slope * offset > gain : slope * offset >= gain) ? 0.0 : NAN;
    x = fmax(0.0, gain / slope - offset);
    if (x > cap || (strict && x == cap && slope * (offset + x) <= gain))
        return NAN;
    return x;
}

/* The referee's expected cost per interaction of `acts` acts of the same kind at (q, F). */
static double referee_cost(const dlm_institution_spec *in, double q, double F, int cooperate,
                           double acts)
{
    double s = in->subsidy, e1 = in->false_accusation, e2 = in->missed_detection;
    double per_act = cooperate ? (1 - e1) * s - e1 * F : e2 * s - (1 - e2) * F;
    return q * (in->audit_cost + acts * per_act);
}

const char *dlm_group_game_class(const dlm_game_report *r)
{
    double gain = r->gain - r->delta;
    if (gain < 0)
        return "cooperation-dominant";
    if (gain == 0)
        return "neutral";
    return r->payoff_all_c > r->payoff_all_d ? "n-person-prisoners-dilemma" : "deadlock";
}

/* The N-player linear public goods game of evolution.group with the institution. */
static void group_analyze(const dlm_scenario *sc, dlm_game_report *r)
{
    const dlm_institution_spec *in = &sc->institution;
    const double k = 1 - in->false_accusation - in->missed_detection;
    const double n = sc->evolution.group_size, N = sc->evolution.population;
    const double rr = sc->evolution.group_r, c = sc->evolution.group_c;
    double gain;
    r->group = 1;
    r->group_size = sc->evolution.group_size;
    r->population = sc->evolution.population;
    r->group_r = rr;
    r->group_c = c;
    r->gain = r->gain_nash = c * (1 - rr / n);
    r->gain_population = N > 1 ? c * (1 - rr / n * (N - n) / (N - 1)) : NAN;
    gain = r->gain - r->delta;
    r->payoff_all_c = (rr - 1) * c + r->transfer[0];
    r->payoff_all_d = r->transfer[1];
    r->cooperation_dominant = gain < 0;
    r->mutual_cooperation_nash = gain <= 0;
    r->pareto_pure = r->pareto_mixed = r->payoff_all_c >= r->payoff_all_d;
    r->degenerate = gain == 0;
    r->n_equilibria = 0;
    if (gain <= 0)
        r->equilibria[r->n_equilibria++] =
            (dlm_game_equilibrium){{1, 1}, {r->payoff_all_c, r->payoff_all_c}};
    if (gain >= 0)
        r->equilibria[r->n_equilibria++] =
            (dlm_game_equilibrium){{0, 0}, {r->payoff_all_d, r->payoff_all_d}};
    r->fine_population = isnan(r->gain_population)
                             ? NAN
                             : break_even(in->audit * k, in->subsidy, r->gain_population, 1,
                                          INFINITY);
}

void dlm_game_analyze(const dlm_scenario *sc, dlm_game_report *r)
{
    const dlm_institution_spec *in = &sc->institution;
    const double k = 1 - in->false_accusation - in->missed_detection;
    double acts = 2;
    int i;
    memset(r, 0, sizeof *r);
    r->base[0] = sc->game;
    r->base[1] = sc->asymmetric ? sc->game_b : sc->game;
    r->institution = in->given;
    r->gain = r->gain_nash = -INFINITY;
    for (i = 0; i < 2; ++i) {
        const dlm_game *g = &r->base[i];
        dlm_institution_effective(in, g, &r->effective[i]);
        r->gain = fmax(r->gain, fmax(g->T - g->R, g->P - g->S));
        r->gain_nash = fmax(r->gain_nash, g->T - g->R);
    }
    r->transfer[0] = in->audit * ((1 - in->false_accusation) * in->subsidy -
                                  in->false_accusation * in->fine);
    r->transfer[1] = in->audit * (in->missed_detection * in->subsidy -
                                  (1 - in->missed_detection) * in->fine);
    r->delta = r->transfer[0] - r->transfer[1];
    if (sc->evolution.group && sc->evolution.group_game == 1) {
        group_analyze(sc, r);
        acts = r->group_size;
    } else {
        r->cooperation_dominant = 1;
        r->mutual_cooperation_nash = 1;
        for (i = 0; i < 2; ++i) {
            const dlm_game *e = &r->effective[i];
            r->cooperation_dominant &= e->R > e->T && e->S > e->P;
            r->mutual_cooperation_nash &= e->R >= e->T;
        }
        equilibria(r);
        pareto(r);
    }
    r->fine_dominant = break_even(in->audit * k, in->subsidy, r->gain, 1, INFINITY);
    r->fine_nash = break_even(in->audit * k, in->subsidy, r->gain_nash, 0, INFINITY);
    r->audit_dominant = break_even(k * (in->subsidy + in->fine), 0, r->gain, 1, 1);
    r->audit_nash = break_even(k * (in->subsidy + in->fine), 0, r->gain_nash, 0, 1);
    r->cost_at_fine = isnan(r->fine_dominant) ? NAN
                                              : referee_cost(in, in->audit, r->fine_dominant, 1, acts);
    r->cost_at_audit = isnan(r->audit_dominant) ? NAN
                                                : referee_cost(in, r->audit_dominant, in->fine, 1, acts);
    r->cost_all_c = referee_cost(in, in->audit, in->fine, 1, acts);
    r->cost_all_d = referee_cost(in, in->audit, in->fine, 0, acts);
}

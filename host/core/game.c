/* game.c — 2x2 games: presets, classes, prisoner's-dilemma checks, payoffs (symmetric, or
 * each player by its own matrix). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dilemma.h"

static void set_game(dlm_game *g, const char *name, double R, double S, double T, double P)
{
    snprintf(g->name, sizeof g->name, "%s", name);
    snprintf(g->preset, sizeof g->preset, "%s", name);
    g->R = R;
    g->S = S;
    g->T = T;
    g->P = P;
}

dlm_status dlm_game_preset(const char *name, double b, double c, dlm_game *out, dlm_error *err)
{
    int has_b = !isnan(b), has_c = !isnan(c);
    if (strcmp(name, "donation") == 0 || strcmp(name, "snowdrift") == 0) {
        int donation = name[0] == 'd';
        if (!has_b)
            b = donation ? 2.0 : 4.0;
        if (!has_c)
            c = donation ? 1.0 : 2.0;
        if (!isfinite(b) || !isfinite(c) || !(b > c) || !(c > 0.0))
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "game %s: benefit b = %g and cost c = %g must be finite with "
                                 "b > c > 0", name, b, c);
        if (donation)
            set_game(out, name, b - c, -c, b, 0.0);
        else
            set_game(out, name, b - c / 2.0, b - c, b, 0.0);
        return DLM_OK;
    }
    if (strcmp(name, "ai-race") == 0) {
        dlm_ai_race p = dlm_ai_race_defaults();
        if (has_b)
            p.b = b;
        if (has_c)
            p.c = c;
        return dlm_game_ai_race(&p, out, err);
    }
    if (has_b || has_c)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "game %s takes no b or c (only donation, snowdrift and ai-race do)",
                             name);
    if (strcmp(name, "pd") == 0)
        set_game(out, name, 3.0, 0.0, 5.0, 1.0); /* Axelrod 1984 */
    else if (strcmp(name, "stag-hunt") == 0)
        set_game(out, name, 4.0, 0.0, 3.0, 1.0); /* R > T >= P > S */
    else if (strcmp(name, "harmony") == 0)
        set_game(out, name, 4.0, 3.0, 2.0, 1.0); /* R > T, S > P: cooperation dominates */
    else
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "unknown game preset '%s' (allowed: pd, donation, snowdrift, "
                             "stag-hunt, harmony, ai-race)", name);
    return DLM_OK;
}

dlm_ai_race dlm_ai_race_defaults(void)
{
    dlm_ai_race p = {4.0, 1.0, 1e4, 100.0, 1.5, 0.5};
    return p;
}

dlm_status dlm_game_ai_race(const dlm_ai_race *p, dlm_game *out, dlm_error *err)
{
    double s = p->speed, q = 1.0 - p->risk, BW = p->prize / p->W;
    if (!(isfinite(p->b) && p->b >= 0.0) || !(isfinite(p->c) && p->c >= 0.0) ||
        !(isfinite(p->prize) && p->prize >= 0.0))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "game ai-race: b = %g, c = %g and prize = %g must be finite and "
                             ">= 0", p->b, p->c, p->prize);
    if (!(isfinite(s) && s >= 1.0) || !(isfinite(p->W) && p->W >= s))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "game ai-race: speed = %g must be finite and >= 1, and W = %g "
                             "finite and >= speed (UNSAFE needs W / speed >= 1 rounds)",
                             s, p->W);
    if (!(p->risk >= 0.0 && p->risk <= 1.0))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "game ai-race: risk = %g must be a probability in [0, 1]", p->risk);
    set_game(out, "ai-race", p->b / 2.0 - p->c + BW / 2.0, p->b / (s + 1.0) - p->c,
             q * (s * p->b / (s + 1.0) + s * BW), q * (p->b / 2.0 + s * BW / 2.0));
    return DLM_OK;
}

dlm_game_class dlm_game_classify(const dlm_game *g)
{
    double R = g->R, S = g->S, T = g->T, P = g->P;
    if (R > T && S > P)
        return DLM_GAME_HARMONY;
    if (T > R && R > P && P > S)
        return DLM_GAME_PRISONERS_DILEMMA;
    if (T > R && R > P && P == S)
        return DLM_GAME_WEAK_PD;
    if (T > R && R > S && S > P)
        return DLM_GAME_CHICKEN;
    if (R > T && T >= P && P > S)
        return DLM_GAME_STAG_HUNT;
    if (T > R && P > S && P >= R)
        return DLM_GAME_DEADLOCK;
    return DLM_GAME_OTHER;
}

const char *dlm_game_class_id(dlm_game_class c)
{
    static const char *ids[] = {"prisoners-dilemma", "weak-prisoners-dilemma", "chicken",
                                "stag-hunt", "harmony", "deadlock", "other"};
    return (unsigned)c <= DLM_GAME_OTHER ? ids[c] : "other";
}

const char *dlm_game_class_name(dlm_game_class c)
{
    static const char *names[] = {"prisoner's dilemma", "weak prisoner's dilemma (P = S)",
                                  "chicken (snowdrift, hawk-dove)", "stag hunt", "harmony",
                                  "deadlock", "other (no standard class)"};
    return (unsigned)c <= DLM_GAME_OTHER ? names[c] : names[DLM_GAME_OTHER];
}

int dlm_game_pd_warnings(const dlm_game *g, char *buf, size_t len)
{
    const char *broken[4];
    int n = 0, i;
    size_t used = 0;
    if (!(g->T > g->R)) broken[n++] = "T > R";
    if (!(g->R > g->P)) broken[n++] = "R > P";
    if (!(g->P > g->S)) broken[n++] = "P > S";
    if (!(2.0 * g->R > g->T + g->S)) broken[n++] = "2R > T + S";
    if (len)
        buf[0] = '\0';
    for (i = 0; i < n && used < len; ++i) {
        int w = snprintf(buf + used, len - used, "%swarning: game (R=%g, S=%g, T=%g, P=%g) is "
                         "no prisoner's dilemma: it breaks %s", i ? "\n" : "", g->R, g->S,
                         g->T, g->P, broken[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return n;
}

void dlm_game_payoffs(const dlm_game *g, const uint64_t o[4], uint64_t rounds, double *pa,
                      double *pb)
{
    dlm_bimatrix_payoffs(g, g, o, rounds, pa, pb);
}

void dlm_bimatrix_payoffs(const dlm_game *g, const dlm_game *h, const uint64_t o[4],
                          uint64_t rounds, double *pa, double *pb)
{
    /* Fixed order of terms: the same bytes on every backend and thread count. B's own
       view of A's CD is DC, so B earns h's T there. */
    double ta = g->R * (double)o[0] + g->S * (double)o[1] + g->T * (double)o[2] + g->P * (double)o[3];
    double tb = h->R * (double)o[0] + h->T * (double)o[1] + h->S * (double)o[2] + h->P * (double)o[3];
    double n = rounds ? (double)rounds : 1.0;
    if (pa)
        *pa = ta / n;
    if (pb)
        *pb = tb / n;
}

uint64_t dlm_probability_threshold(double p)
{
    if (!(p > 0.0))
        return 0u;
    if (p >= 1.0)
        return (uint64_t)1 << 32;
    return (uint64_t)llround(p * 4294967296.0);
}

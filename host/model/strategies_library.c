/* strategies_library.c — the named strategy library: the table of classics (`dilemma
 * strategies` lists it) and the functions computing the memory-one vectors of the
 * entries that take a parameter or depend on the game.
 *
 * An entry is either a fixed inline definition (its text is in the table, so the table
 * reads as the definition of each classic) or a parameter with a default and a function
 * from (game, parameter) to a memory-one vector. strategies.c compiles the entries; the
 * shared types are in strategies_internal.h.
 */
#include <math.h>
#include <stdio.h>

#include "model/strategies_internal.h"

/* ------------------------------------------------------------------------------------
 * Vectors that depend on a parameter or on the game
 * ------------------------------------------------------------------------------------ */

/* Fails unless lo <= x <= hi (hi may be INFINITY), naming the strategy and parameter. */
static dlm_status check_range(const char *who, const char *key, double x, double lo, double hi,
                              dlm_error *err)
{
    char a[32], b[32], c[32];
    if (x >= lo && x <= hi)
        return DLM_OK;
    if (isinf(hi))
        return dlm_error_set(err, DLM_ERR_USAGE, "%s: %s = %s must be >= %s", who, key,
                             dlm_fmt_double(x, a, sizeof a), dlm_fmt_double(lo, b, sizeof b));
    return dlm_error_set(err, DLM_ERR_USAGE, "%s: %s = %s is outside [%s, %s]", who, key,
                         dlm_fmt_double(x, a, sizeof a), dlm_fmt_double(lo, b, sizeof b),
                         dlm_fmt_double(hi, c, sizeof c));
}

/* gtft's default q = min(1 - (T-R)/(R-S), (R-P)/(T-P)) clamped to [0, 1] (Nowak &
 * Sigmund 1992; Axelrod-Python GTFT). */
static dlm_status gtft_default(const dlm_game *g, double *q, dlm_error *err)
{
    double a = 1.0 - (g->T - g->R) / (g->R - g->S), b = (g->R - g->P) / (g->T - g->P);
    double v = a < b ? a : b;
    if (g->R == g->S || g->T == g->P || !isfinite(v))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "gtft: the default q = min(1 - (T-R)/(R-S), (R-P)/(T-P)) is "
                             "undefined for game %s (R=%g, S=%g, T=%g, P=%g); give q "
                             "explicitly, e.g. gtft(q=0.1)",
                             g->name, g->R, g->S, g->T, g->P);
    *q = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
    return DLM_OK;
}

/* gtft(q): (1, 1, q, 1, q). */
static dlm_status gtft_vector(const dlm_game *g, double q, double p[5], dlm_error *err)
{
    (void)g;
    if (check_range("gtft", "q", q, 0.0, 1.0, err) != DLM_OK)
        return DLM_ERR_USAGE;
    p[0] = 1.0, p[1] = 1.0, p[2] = q, p[3] = 1.0, p[4] = q;
    return DLM_OK;
}

/* random(p): (p, p, p, p, p). */
static dlm_status random_vector(const dlm_game *g, double x, double p[5], dlm_error *err)
{
    int i;
    (void)g;
    if (check_range("random", "p", x, 0.0, 1.0, err) != DLM_OK)
        return DLM_ERR_USAGE;
    for (i = 0; i < 5; ++i)
        p[i] = x;
    return DLM_OK;
}

/* joss(p): (1, p, 0, p, 0) — Axelrod-Python FirstByJoss. */
static dlm_status joss_vector(const dlm_game *g, double x, double p[5], dlm_error *err)
{
    (void)g;
    if (check_range("joss", "p", x, 0.0, 1.0, err) != DLM_OK)
        return DLM_ERR_USAGE;
    p[0] = 1.0, p[1] = x, p[2] = 0.0, p[3] = x, p[4] = 0.0;
    return DLM_OK;
}

/* swsls(ep): (1, 1-ep, ep, ep, 1-ep) — Axelrod-Python StochasticWSLS. */
static dlm_status swsls_vector(const dlm_game *g, double ep, double p[5], dlm_error *err)
{
    (void)g;
    if (check_range("swsls", "ep", ep, 0.0, 1.0, err) != DLM_OK)
        return DLM_ERR_USAGE;
    p[0] = 1.0, p[1] = 1.0 - ep, p[2] = ep, p[3] = ep, p[4] = 1.0 - ep;
    return DLM_OK;
}

/* The linear-relation (zero-determinant) strategy of Hilbe, Nowak & Sigmund 2013 (PNAS
 * 110:6913, eq. 14; Axelrod-Python LRPlayer), which enforces s_Y - l = s (s_X - l) for
 * its own payoff s_X and any opponent's s_Y, with slope s and baseline l:
 *   pCC = 1 - phi (1-s)(R-l)      pCD = 1 - phi (s (l-S) + (T-l))
 *   pDC = phi ((l-S) + s (T-l))   pDD = phi (1-s)(l-P)           p0 = 1
 * phi = fraction x (the largest phi keeping every probability in [0, 1]). */
static dlm_status zd_vector(const char *who, const dlm_game *g, double s, double l, double fraction,
                            double p[5], dlm_error *err)
{
    const double a[4] = {1.0, 1.0, 0.0, 0.0};
    double b[4], phi_max = INFINITY, phi;
    int i, ok = 1;
    b[0] = -(1.0 - s) * (g->R - l);
    b[1] = -(s * (l - g->S) + (g->T - l));
    b[2] = (l - g->S) + s * (g->T - l);
    b[3] = (1.0 - s) * (l - g->P);
    for (i = 0; i < 4; ++i) {
        if (!isfinite(b[i]) || (a[i] == 1.0 && b[i] > 0.0) || (a[i] == 0.0 && b[i] < 0.0))
            ok = 0;
        else if (b[i] != 0.0 && 1.0 / fabs(b[i]) < phi_max)
            phi_max = 1.0 / fabs(b[i]);
    }
    if (!ok || !(phi_max > 0.0) || !isfinite(phi_max))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "%s has no valid probability vector for game %s (R=%g, S=%g, "
                             "T=%g, P=%g) (a zero-determinant strategy with baseline %g exists "
                             "when R >= baseline >= P and T >= baseline >= S, not all equal)",
                             who, g->name, g->R, g->S, g->T, g->P, l);
    phi = fraction * phi_max;
    p[0] = 1.0;
    for (i = 0; i < 4; ++i) {
        double v = a[i] + b[i] * phi;
        if (v < 1e-12)
            v = 0.0; /* a constraint that binds at phi_max lands on 0 or 1 exactly */
        else if (v > 1.0 - 1e-12)
            v = 1.0;
        p[i + 1] = v;
    }
    return DLM_OK;
}

/* extort(chi): baseline l = P, slope 1/chi, phi = half the largest admissible value. */
static dlm_status extort_vector(const dlm_game *g, double chi, double p[5], dlm_error *err)
{
    char who[64], c[32];
    if (check_range("extort", "chi", chi, 1.0, INFINITY, err) != DLM_OK)
        return DLM_ERR_USAGE;
    snprintf(who, sizeof who, "extort(chi=%s)", dlm_fmt_double(chi, c, sizeof c));
    return zd_vector(who, g, 1.0 / chi, g->P, 0.5, p, err);
}

/* gzd(chi): baseline l = R, slope 1/chi, phi = the largest admissible value. */
static dlm_status gzd_vector(const dlm_game *g, double chi, double p[5], dlm_error *err)
{
    char who[64], c[32];
    if (check_range("gzd", "chi", chi, 1.0, INFINITY, err) != DLM_OK)
        return DLM_ERR_USAGE;
    snprintf(who, sizeof who, "gzd(chi=%s)", dlm_fmt_double(chi, c, sizeof c));
    return zd_vector(who, g, 1.0 / chi, g->R, 1.0, p, err);
}

/* equalizer's default score: (R + P) / 2 (2 for the pd). */
static dlm_status equalizer_default(const dlm_game *g, double *x, dlm_error *err)
{
    (void)err;
    *x = (g->R + g->P) / 2.0;
    return DLM_OK;
}

/* equalizer(score): slope 0, baseline = the opponent's fixed score, largest phi. */
static dlm_status equalizer_vector(const dlm_game *g, double score, double p[5], dlm_error *err)
{
    char who[64], c[32];
    double lo = g->P < g->R ? g->P : g->R, hi = g->P < g->R ? g->R : g->P;
    if (!(score >= lo && score <= hi))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "equalizer: score = %s is outside [P, R] = [%g, %g] for game %s: "
                             "an equalizer can only fix the opponent's payoff in that range",
                             dlm_fmt_double(score, c, sizeof c), g->P, g->R, g->name);
    snprintf(who, sizeof who, "equalizer(score=%s)", dlm_fmt_double(score, c, sizeof c));
    return zd_vector(who, g, 0.0, score, 1.0, p, err);
}

/* ------------------------------------------------------------------------------------
 * The named library
 * ------------------------------------------------------------------------------------ */

/* clang-format off */
/* FIXED: a strategy with one inline definition; PARAM: a memory-one vector computed from
 * one parameter (and the game). Each entry: name, definition, summary, citation. */
#define FIXED(name, def, summary, citation) \
    {{name, summary, citation, ""}, def, NULL, 0.0, NULL, NULL}
#define PARAM(name, key, dflt, gdflt, fn, params, summary, citation) \
    {{name, summary, citation, params}, NULL, key, dflt, gdflt, fn}

static const named_strategy LIBRARY[] = {
    /* --- memory-one: exact Markov-chain analysis applies ----------------------------- */
    FIXED("allc", "m1(1,1,1,1,1)",
          "always cooperates",
          "Axelrod 1984, The Evolution of Cooperation (Axelrod-Python Cooperator)"),
    FIXED("alld", "m1(0,0,0,0,0)",
          "always defects",
          "Axelrod 1984, The Evolution of Cooperation (Axelrod-Python Defector)"),
    FIXED("tft", "m1(1,1,0,1,0)",
          "tit-for-tat: cooperates first, then copies the opponent's last move",
          "Rapoport's entry in Axelrod 1980, J. Conflict Resolut. 24:3-25"),
    FIXED("stft", "m1(0,1,0,1,0)",
          "suspicious tit-for-tat: defects first, then copies the opponent",
          "Beaufils, Delahaye & Mathieu 1996, Artificial Life V:202-209 (Mistrust); "
          "Axelrod-Python SuspiciousTitForTat"),
    PARAM("gtft", "q", 0.0, gtft_default, gtft_vector,
          "q: probability of forgiving a defection, in [0, 1] "
          "(default min(1 - (T-R)/(R-S), (R-P)/(T-P)), 1/3 for pd)",
          "generous tit-for-tat: cooperates first and after C, after a D with probability q",
          "Nowak & Sigmund 1992, Nature 355:250-253 (Axelrod-Python GTFT)"),
    FIXED("wsls", "m1(1,1,0,0,1)",
          "win-stay lose-shift (Pavlov): repeats its move after R or T, switches after S or P",
          "Nowak & Sigmund 1993, Nature 364:56-58; Kraines & Kraines 1989, Theory Decis. "
          "26:47-79"),
    FIXED("wshls", "m1(0,0,1,1,0)",
          "win-shift lose-stay (reverse Pavlov): defects first, switches after R or T",
          "Li, Hingston & Kendall 2011, IEEE Trans. Comput. Intell. AI Games 3:348 "
          "(Axelrod-Python WinShiftLoseStay)"),
    PARAM("swsls", "ep", 0.05, NULL, swsls_vector,
          "ep: probability of cooperating after CD or DC and of defecting after CC or DD, "
          "in [0, 1] (default 0.05)",
          "stochastic win-stay lose-shift: (1, 1-ep, ep, ep, 1-ep)",
          "Axelrod-Python StochasticWSLS (original by M. Harper; Knight et al. 2016, "
          "J. Open Res. Softw. 4:e35)"),
    FIXED("atft", "m1(1,0,1,0,1)",
          "anti tit-for-tat: cooperates first, then the opposite of the opponent's last move",
          "Hilbe, Nowak & Sigmund 2013, PNAS 110:6913-6918 (Axelrod-Python AntiTitForTat)"),
    FIXED("bully", "m1(0,0,1,0,1)",
          "bully: defects first, then plays the opposite of the opponent's last move",
          "Nachbar 1992, J. Econ. Behav. Organ. 19:307-326 (Axelrod-Python Bully)"),
    FIXED("alt", "m1(1,0,0,1,1)",
          "alternator: C, D, C, D ... switching from its own last realised move",
          "Axelrod 1984, The Evolution of Cooperation (Axelrod-Python Alternator)"),
    PARAM("random", "p", 0.5, NULL, random_vector,
          "p: probability of cooperating, in [0, 1] (default 0.5)",
          "cooperates with probability p every round, the first included",
          "the RANDOM entry of Axelrod 1980, J. Conflict Resolut. 24:3-25 "
          "(Axelrod-Python Random)"),
    PARAM("joss", "p", 0.9, NULL, joss_vector,
          "p: probability of cooperating after the opponent cooperated, in [0, 1] "
          "(default 0.9)",
          "Joss: cooperates first; after a C cooperates with probability p, after a D defects",
          "Joss's entry in Axelrod 1980, J. Conflict Resolut. 24:3-25 "
          "(Axelrod-Python FirstByJoss)"),
    FIXED("grofman", "m1(1,1,2/7,2/7,1)",
          "Grofman: cooperates if both played alike last round, else with probability 2/7",
          "Grofman's entry in Axelrod 1980, J. Conflict Resolut. 24:3-25 "
          "(Axelrod-Python FirstByGrofman)"),
    FIXED("fbf", "m1(1,1,0,1,2/3)",
          "firm but fair: cooperates except after being the sucker (CD), after DD w.p. 2/3",
          "Frean 1994, Proc. R. Soc. B 257:75-79 (Axelrod-Python FirmButFair)"),
    FIXED("stochcoop", "m1(1,0.935,0.229,0.266,0.42)",
          "stochastic cooperator: the evolved vector (0.935, 0.229, 0.266, 0.42)",
          "Adami & Hintze 2013, Nat. Commun. 4:2193 (Axelrod-Python StochasticCooperator)"),
    PARAM("extort", "chi", 3.0, NULL, extort_vector,
          "chi: extortion factor >= 1 (default 3); s_X - P = chi (s_Y - P) against anyone",
          "zero-determinant extortioner: baseline P, slope 1/chi, phi half its largest value "
          "(pd, chi=3: 11/13, 1/2, 7/26, 0)",
          "Press & Dyson 2012, PNAS 109:10409-10413; parameterised as Hilbe et al. 2013, "
          "PNAS 110:6913"),
    PARAM("gzd", "chi", 2.0, NULL, gzd_vector,
          "chi: generosity factor >= 1 (default 2); s_X - R = chi (s_Y - R) against anyone",
          "generous zero-determinant: baseline R, slope 1/chi, largest phi "
          "(pd, chi=2: ZDGTFT-2 = 1, 1/8, 1, 1/4)",
          "Stewart & Plotkin 2012, PNAS 109:10134 (ZDGTFT-2, Axelrod-Python ZDGTFT2); "
          "2013, PNAS 110:15348"),
    PARAM("equalizer", "score", 0.0, equalizer_default, equalizer_vector,
          "score: the opponent's long-run payoff, in [P, R] (default (R+P)/2, 2 for pd)",
          "zero-determinant equalizer: fixes the opponent's long-run payoff "
          "(pd, score 2: 2/3, 0, 2/3, 1/3)",
          "Press & Dyson 2012, PNAS 109:10409-10413"),

    /* --- lookup tables and Moore machines -------------------------------------------- */
    FIXED("tf2t", "lookup(2,CC,CCCDCCCDCCCDCCCD)",
          "tit-for-two-tats: defects only after two consecutive opponent defections",
          "Axelrod 1984, The Evolution of Cooperation (Axelrod-Python TitFor2Tats)"),
    FIXED("tf3t", "fsm(C:0:1,C:0:2,C:0:3,D:0:3)",
          "tit-for-three-tats: defects only after three consecutive opponent defections",
          "Axelrod-Python NTitsForMTats(N=1, M=3) (original by M. Harper)"),
    FIXED("2tft", "fsm(C:0:1,D:2:1,D:0:1)",
          "two-tits-for-tat: defects twice after each opponent defection",
          "Axelrod 1984, The Evolution of Cooperation (Axelrod-Python TwoTitsForTat)"),
    FIXED("grim", "fsm(C:0:1,D:1:1)",
          "grim trigger (grudger): defects forever once the opponent has defected; its own "
          "mistakes do not trigger it",
          "Friedman 1971, Rev. Econ. Stud. 38:1-12; Friedman's entry in Axelrod 1980 "
          "(Axelrod-Python Grudger)"),
    FIXED("htft", "fsm(C:0:1,D:2:1,D:3:1,D:0:1)",
          "hard tit-for-tat: defects if the opponent defected in any of the last 3 rounds",
          "prisoners-dilemma.com strategy list, 2017 (Axelrod-Python HardTitForTat); as a "
          "minimal 4-state machine"),
    FIXED("spite", "fsm(C:0:1,D:0:2,D:2:2)",
          "spiteful tit-for-tat: tit-for-tat until the opponent defects twice in a row, then "
          "defects forever",
          "LIFL 'Prison' tournament 1998 (Axelrod-Python SpitefulTitForTat)"),
    FIXED("prober", "fsm(D:1:1,C:2:3,C:5:4,C:3:4,D:3:4,D:5:5)",
          "prober: plays D, C, C; defects forever if the opponent cooperated in rounds 2 and "
          "3, else tit-for-tat",
          "Li, Hingston & Kendall 2011, IEEE Trans. Comput. Intell. AI Games 3:348 "
          "(Axelrod-Python Prober)"),
    FIXED("handshake", "fsm(C:1:3,D:3:2,C:2:2,D:3:3)",
          "handshake: plays C, D; cooperates forever if the opponent opened C, D too, else "
          "defects forever",
          "Robson 1990, J. Theor. Biol. 144:379-396 (Axelrod-Python Handshake)"),
    FIXED("cycler", "fsm(C:1:1,C:2:2,D:0:0)",
          "cycler: plays C, C, D over and over whatever the opponent does",
          "Mittal & Deb 2009, IEEE Trans. Evol. Comput. 13:554-565, periodic player CCD "
          "(Axelrod-Python CyclerCCD)"),
    /* States: 0 calm, no defection yet; 1 punish once; 2-4 first calm C with 1, 2, >= 3
     * defections counted; 5-7 second calm C (then resting) with 1, 2, >= 3 counted;
     * 8-10 punish twice (10: with 3 counted); 11-13 punish three times. */
    FIXED("gradual",
          "fsm(C:0:1,D:2:3,C:5:6,C:6:7,C:7:7,C:5:8,C:6:11,C:7:11,D:9:10,D:3:4,D:4:4,"
          "D:12:12,D:13:13,D:4:4)",
          "FSM approximation of Gradual: the n-th opponent defection (counted in every state) "
          "is answered by n D then 2 C; exact while n <= 3, later punishments are capped at 3 D",
          "Beaufils, Delahaye & Mathieu 1996, Artificial Life V:202-209 (as Axelrod-Python "
          "Gradual, CRISTAL-SMAC 2018)"),
};

/* clang-format on */

#define LIBRARY_COUNT (sizeof LIBRARY / sizeof LIBRARY[0])

size_t dlm_strategy_library_count(void)
{
    return LIBRARY_COUNT;
}

const dlm_strategy_info *dlm_strategy_library_entry(size_t i)
{
    return i < LIBRARY_COUNT ? &LIBRARY[i].info : NULL;
}

const named_strategy *dlm_named_strategy(size_t i)
{
    return i < LIBRARY_COUNT ? &LIBRARY[i] : NULL;
}

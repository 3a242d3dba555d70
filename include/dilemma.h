/* dilemma.h — the public C API of dilemma: status codes, errors, games and the
 * backend-independent entry points. Nothing here is backend-specific; the model data
 * (strategies, player parameters, match rules and results) is defined once in
 * kernels/dlm_model.h and shared by every backend.
 *
 * The library never calls exit(): every function returns a dlm_status and, on failure,
 * fills a dlm_error whose message names what is wrong and what is allowed.
 */
#ifndef DILEMMA_H
#define DILEMMA_H

#include <stddef.h>
#include <stdint.h>

#include "dilemma/status.h" /* DLM_VERSION, dlm_status, dlm_error */
#include "dilemma/sim.h"    /* the simulation handle: the library's installed API */
#include "dlm_model.h"

/* Sets err (if not null) to status and the printf-formatted message; returns status. */
dlm_status dlm_error_set(dlm_error *err, dlm_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A symmetric 2x2 game: payoffs to the row player for CC (R), CD (S), DC (T), DD (P). */
typedef struct dlm_game {
    char name[32];   /* preset name, or "custom" (no preset, or a preset's payoffs changed) */
    char preset[32]; /* the preset it was built from ("" for none), even when changed */
    double R, S, T, P;
} dlm_game;

/* The class of a symmetric 2x2 game by its payoff ordering. */
typedef enum dlm_game_class {
    DLM_GAME_PRISONERS_DILEMMA, /* T > R > P > S */
    DLM_GAME_WEAK_PD,           /* T > R > P = S (the Nowak-May spatial game) */
    DLM_GAME_CHICKEN,           /* T > R > S > P: chicken, snowdrift, hawk-dove */
    DLM_GAME_STAG_HUNT,         /* R > T >= P > S */
    DLM_GAME_HARMONY,           /* R > T and S > P: cooperation dominates */
    DLM_GAME_DEADLOCK,          /* T > R, P > S and P >= R: defection dominates, no dilemma */
    DLM_GAME_OTHER
} dlm_game_class;

/* The class of game by its ordering of R, S, T, P. */
dlm_game_class dlm_game_classify(const dlm_game *game);
/* Its machine name (prisoners-dilemma, weak-prisoners-dilemma, chicken, stag-hunt,
 * harmony, deadlock, other) and its name for people ("prisoner's dilemma", ...). */
const char *dlm_game_class_id(dlm_game_class c);
const char *dlm_game_class_name(dlm_game_class c);

/* Fills out with preset `name` (pd, donation, snowdrift, stag-hunt, harmony, ai-race). b
 * and c are used by donation (R = b-c, S = -c, T = b, P = 0), snowdrift (R = b-c/2,
 * S = b-c, T = b, P = 0) and ai-race (dlm_game_ai_race, its other parameters at
 * dlm_ai_race_defaults); pass NaN for the preset's defaults. */
dlm_status dlm_game_preset(const char *name, double b, double c, dlm_game *out, dlm_error *err);

/* The idealised AI race (Han, Pereira, Santos & Lenaerts, "To regulate or not: a social
 * dynamics analysis of an idealised AI race", JAIR 69 (2020), arXiv 1907.12393): SAFE
 * (cooperate) and UNSAFE (defect) developers race to a breakthrough that takes a SAFE
 * developer W development rounds and an UNSAFE one W / s (speed s >= 1); each round the
 * developers share the per-round benefit b in proportion to speed, a SAFE one pays c; the
 * winner gains the prize B; an UNSAFE developer is struck by disaster (loses everything)
 * with probability p_r. The paper's long-run average payoff matrix (its Eq. (2)):
 *   R = b/2 - c + B/(2W)              S = b/(s+1) - c
 *   T = (1-p_r)(s b/(s+1) + s B/W)    P = (1-p_r)(b/2 + s B/(2W)). */
typedef struct dlm_ai_race {
    double b;     /* per-round benefit, >= 0 */
    double c;     /* cost of safety per round, >= 0 */
    double prize; /* B, the prize of the breakthrough, >= 0 */
    double W;     /* SAFE rounds to the breakthrough (the race's time-scale), >= speed */
    double speed; /* s, UNSAFE's speed, >= 1 */
    double risk;  /* p_r, UNSAFE's probability of disaster, [0, 1] */
} dlm_ai_race;

/* The paper's Fig. 1 values (b = 4, c = 1, B = 10^4, W = 100) with s = 1.5, p_r = 0.5. */
dlm_ai_race dlm_ai_race_defaults(void);
/* Fills out (name and preset "ai-race") with the matrix above; DLM_ERR_USAGE names a
 * parameter out of range. */
dlm_status dlm_game_ai_race(const dlm_ai_race *p, dlm_game *out, dlm_error *err);

/* Writes into buf (size len) a warning naming each inequality of the prisoner's
 * dilemma (T > R > P > S, 2R > T + S) that game breaks; returns the number broken. */
int dlm_game_pd_warnings(const dlm_game *game, char *buf, size_t len);

/* Mean payoffs per round to A and B from realised outcome counts (A's view). */
void dlm_game_payoffs(const dlm_game *game, const uint64_t outcome[4], uint64_t rounds,
                      double *payoff_a, double *payoff_b);

/* The same in an asymmetric (bimatrix) game: A is paid by its own matrix game_a and B by
 * its own game_b, each read from its own view (R for CC, S for cooperating against a
 * defection, T for defecting against a cooperation, P for DD). With game_a == game_b this
 * is dlm_game_payoffs, to the last bit. */
void dlm_bimatrix_payoffs(const dlm_game *game_a, const dlm_game *game_b,
                          const uint64_t outcome[4], uint64_t rounds, double *payoff_a,
                          double *payoff_b);

/* Threshold round(p * 2^32) for a probability p in [0, 1] (dlm_fires). */
uint64_t dlm_probability_threshold(double p);

#endif /* DILEMMA_H */

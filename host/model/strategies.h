/* strategies.h — the named strategy library and the text syntax for strategies.
 *
 * Every strategy, named or inline, is written as text and compiled into the model's
 * dlm_strategy (kernels/dlm_model.h):
 *
 *   tft, wsls, alld ...          a named classic (`dilemma strategies` lists them)
 *   gtft(0.2), gtft(q=0.2)       a named classic with parameters (positional or key=value)
 *   m1(p0,pCC,pCD,pDC,pDD)       memory-one: P(C) first, then after CC, CD, DC, DD (own move first)
 *   lookup(n,OPENING,TABLE)      lookup table over the last n own and opponent moves,
 *                                e.g. lookup(1,C,CDCD) is TFT; see the README
 *   fsm(M:c:d,M:c:d,...)         Moore machine: state s plays M and moves to state c after
 *                                seeing C, d after seeing D; starts in state 0; e.g.
 *                                fsm(C:0:1,D:0:1) is TFT
 */
#ifndef DLM_STRATEGIES_H
#define DLM_STRATEGIES_H

#include "dilemma.h"

/* A compiled strategy with what the host keeps about it. */
typedef struct dlm_strategy_def {
    char label[128];      /* canonical text, e.g. "gtft(q=0.333333333)" or "tft" */
    dlm_strategy model;   /* what the backends run */
    double memory_one[5]; /* when model.kind == DLM_STRAT_MEMORY_ONE: the probabilities */
} dlm_strategy_def;

/* One entry of the named library. */
typedef struct dlm_strategy_info {
    const char *name;     /* e.g. "tft" */
    const char *summary;  /* one line: what it does */
    const char *citation; /* one line: where it is defined */
    const char *params;   /* e.g. "q: forgiveness probability (default from the game)", or "" */
} dlm_strategy_info;

/* Number of named strategies, and entry i (0 <= i < count). */
size_t dlm_strategy_library_count(void);
const dlm_strategy_info *dlm_strategy_library_entry(size_t i);

/* Compiles strategy text (any form above) for `game` (which sets parameter defaults such
 * as gtft's q and the zero-determinant strategies' vectors). On failure returns
 * DLM_ERR_USAGE with a message saying what is wrong and what is allowed. */
dlm_status dlm_strategy_parse(const char *text, const dlm_game *game, dlm_strategy_def *out,
                              dlm_error *err);

/* Writes a one-line definition of a compiled strategy (its representation and numbers)
 * into buf; returns buf. */
char *dlm_strategy_describe(const dlm_strategy_def *def, char *buf, size_t len);

/* The donation game's assessment norms (kernels/dlm_reputation.h): a name
 * (image-scoring, simple-standing, stern-judging, shunning, L1 .. L8) or a bit code
 * 0bABCD / 0bABCDEFGH into *code. Returns 0 when text is none of them. */
int dlm_norm_parse(const char *text, uint32_t *code);

/* The norm names, comma-separated, into buf (for messages). */
const char *dlm_norm_names(char *buf, size_t len);

#endif /* DLM_STRATEGIES_H */

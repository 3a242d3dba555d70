/* strategies.c — the compiler from strategy text to the model's dlm_strategy (syntax in
 * strategies.h); the named library it compiles from is in strategies_library.c.
 *
 * The text is split into a name and an optional parenthesised argument list, then
 * compiled by one of three inline forms (m1, lookup, fsm) or by a library entry. A
 * library entry is either a fixed inline definition (its text is in the table, so the
 * table reads as the definition of each classic) or, for the strategies whose vector
 * depends on a parameter or on the game, a function computing a memory-one vector.
 * Strategies that are memory-one always compile to DLM_STRAT_MEMORY_ONE, so the exact
 * Markov-chain analysis applies to them.
 *
 * Behaviour follows the Axelrod-Python library (4.14) where it defines the strategy;
 * the departures are stated in the entries (alt as a memory-one vector, htft as a
 * 4-state machine, gradual capped at 3-defection punishments, the ZD scale phi).
 *
 * The parser never writes past a buffer and never reads past the terminating NUL: the
 * text is at most DLM_STRATEGY_PARSE_MAX characters, arguments are kept as (pointer,
 * length) slices of it, numbers are copied into a bounded buffer before strtod, and
 * every message quotes at most a few dozen characters of the input.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/strategies_internal.h"

#define DLM_STRATEGY_PARSE_MAX 4096u /* longest strategy text accepted */
#define MAX_ARGS 16u                 /* most arguments kept (an fsm's 16 states) */
#define QUOTE_MAX 40u                /* most characters of the input quoted in a message */

/* ------------------------------------------------------------------------------------
 * Small text helpers
 * ------------------------------------------------------------------------------------ */

/* A slice of the input text: `len` characters from `s` (not NUL-terminated). */
typedef struct slice {
    const char *s;
    size_t len;
} slice;

/* Writes into buf a printable quote of the slice, cut to QUOTE_MAX characters with
 * "..." and with control or non-ASCII bytes shown as '?'; returns buf. */
static const char *quote(slice t, char *buf, size_t size)
{
    size_t i, n = t.len > QUOTE_MAX ? QUOTE_MAX : t.len;
    if (n + 4 > size)
        n = size > 4 ? size - 4 : 0;
    for (i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)t.s[i];
        buf[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (n < t.len && n + 4 <= size) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* The slice of a NUL-terminated string, at most `max` characters long. */
static slice slice_of(const char *s, size_t max)
{
    slice t;
    size_t n = 0;
    while (n < max && s[n])
        ++n;
    t.s = s;
    t.len = n;
    return t;
}

/* The slice with leading and trailing whitespace removed. */
static slice trim(slice t)
{
    while (t.len && isspace((unsigned char)t.s[0])) {
        ++t.s;
        --t.len;
    }
    while (t.len && isspace((unsigned char)t.s[t.len - 1]))
        --t.len;
    return t;
}

/* 1 if the slice equals the NUL-terminated string w. */
static int slice_is(slice t, const char *w)
{
    return strlen(w) == t.len && memcmp(t.s, w, t.len) == 0;
}

/* Writes x into buf with the fewest digits (up to 17) that read back as exactly x
 * (shared with strategies_library.c). */
const char *dlm_fmt_double(double x, char *buf, size_t size)
{
    int digits;
    for (digits = 1; digits <= 17; ++digits) {
        snprintf(buf, size, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    return buf;
}

/* Levenshtein distance between a and b (both at most 32 characters; longer gives 99). */
static unsigned edit_distance(slice a, const char *b)
{
    unsigned row[33], i, j, nb = (unsigned)strlen(b);
    if (a.len > 32 || nb > 32)
        return 99u;
    for (j = 0; j <= nb; ++j)
        row[j] = j;
    for (i = 1; i <= a.len; ++i) {
        unsigned diag = row[0];
        row[0] = i;
        for (j = 1; j <= nb; ++j) {
            unsigned up = row[j];
            unsigned ca = (unsigned)tolower((unsigned char)a.s[i - 1]);
            unsigned best = diag + (ca == (unsigned char)b[j - 1] ? 0u : 1u);
            if (row[j - 1] + 1u < best)
                best = row[j - 1] + 1u;
            if (up + 1u < best)
                best = up + 1u;
            diag = up;
            row[j] = best;
        }
    }
    return row[nb];
}

/* Parses a probability or parameter: a decimal number or a fraction a/b, the whole slice
 * consumed, finite. Returns 1 on success. */
static int parse_number(slice t, double *out)
{
    char buf[64];
    char *end;
    const char *slash;
    double num, den = 1.0;
    t = trim(t);
    if (t.len == 0 || t.len >= sizeof buf)
        return 0;
    memcpy(buf, t.s, t.len);
    buf[t.len] = '\0';
    slash = strchr(buf, '/');
    if (slash)
        buf[slash - buf] = '\0';
    errno = 0;
    num = strtod(buf, &end);
    if (end == buf || *end != '\0' || errno == ERANGE || !isfinite(num) ||
        isspace((unsigned char)buf[0]))
        return 0;
    if (slash) {
        const char *d = slash + 1;
        if (*d == '\0' || isspace((unsigned char)*d))
            return 0;
        den = strtod(d, &end);
        if (end == d || *end != '\0' || errno == ERANGE || !isfinite(den) || den == 0.0)
            return 0;
    }
    *out = num / den + 0.0; /* + 0.0: "-0" reads as 0 */
    return isfinite(*out);
}

/* Parses a small non-negative decimal integer (at most 4 digits) filling the slice. */
static int parse_index(slice t, unsigned *out)
{
    size_t i;
    unsigned v = 0;
    t = trim(t);
    if (t.len == 0 || t.len > 4)
        return 0;
    for (i = 0; i < t.len; ++i) {
        if (t.s[i] < '0' || t.s[i] > '9')
            return 0;
        v = v * 10u + (unsigned)(t.s[i] - '0');
    }
    *out = v;
    return 1;
}

/* ------------------------------------------------------------------------------------
 * Arguments: NAME(arg, arg, ...)
 * ------------------------------------------------------------------------------------ */

/* The arguments of a call: the first MAX_ARGS as trimmed slices, and how many there were. */
typedef struct arglist {
    slice arg[MAX_ARGS];
    size_t count;
} arglist;

/* Splits the text between the parentheses at commas into args; an argument list of only
 * whitespace has no arguments. Fails (with a message) on an empty argument. */
static dlm_status split_args(slice inner, const char *who, arglist *args, dlm_error *err)
{
    size_t i, start = 0, k = 0;
    args->count = 0;
    if (trim(inner).len == 0)
        return DLM_OK;
    for (i = 0; i <= inner.len; ++i) {
        if (i == inner.len || inner.s[i] == ',') {
            slice a;
            a.s = inner.s + start;
            a.len = i - start;
            a = trim(a);
            if (a.len == 0)
                return dlm_error_set(err, DLM_ERR_USAGE,
                                     "%s(...): argument %zu is empty (arguments are separated "
                                     "by single commas)",
                                     who, k + 1);
            if (k < MAX_ARGS)
                args->arg[k] = a;
            ++k;
            start = i + 1;
        }
    }
    args->count = k;
    return DLM_OK;
}

/* ------------------------------------------------------------------------------------
 * Inline forms: m1, lookup, fsm
 * ------------------------------------------------------------------------------------ */

static const char *const SLOT_NAMES[5] = {"p0", "pCC", "pCD", "pDC", "pDD"};

/* Fills def as the memory-one strategy with probabilities p (all in [0, 1]). */
static void set_memory_one(dlm_strategy_def *def, const double p[5])
{
    int i;
    def->model.kind = DLM_STRAT_MEMORY_ONE;
    for (i = 0; i < 5; ++i) {
        def->memory_one[i] = p[i];
        def->model.threshold[i] = dlm_probability_threshold(p[i]);
    }
}

/* Writes the canonical text m1(p0,pCC,pCD,pDC,pDD) of probabilities p into buf. */
static void m1_text(const double p[5], char *buf, size_t size)
{
    char n[5][32], text[200];
    size_t len;
    int i;
    for (i = 0; i < 5; ++i)
        dlm_fmt_double(p[i], n[i], sizeof n[i]);
    snprintf(text, sizeof text, "m1(%s,%s,%s,%s,%s)", n[0], n[1], n[2], n[3], n[4]);
    len = strlen(text); /* at most 3 + 5 x 22 + 5 = 118 for probabilities in [0, 1] */
    if (len >= size)
        len = size - 1;
    memcpy(buf, text, len);
    buf[len] = '\0';
}

/* m1(p0,pCC,pCD,pDC,pDD): memory-one with explicit probabilities. */
static dlm_status compile_m1(const arglist *a, dlm_strategy_def *def, dlm_error *err)
{
    double p[5];
    char q[64];
    size_t i;
    if (a->count != 5)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "m1(...) takes 5 probabilities in [0, 1], got %zu "
                             "(order: p0 first move, then pCC, pCD, pDC, pDD after each outcome, "
                             "own move first)",
                             a->count);
    for (i = 0; i < 5; ++i) {
        if (!parse_number(a->arg[i], &p[i]))
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "m1(...): %s = '%s' is not a number (expected a probability "
                                 "in [0, 1] such as 0.5 or 2/3)",
                                 SLOT_NAMES[i], quote(a->arg[i], q, sizeof q));
        if (!(p[i] >= 0.0 && p[i] <= 1.0))
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "m1(...): probability %s = %s is outside [0, 1]", SLOT_NAMES[i],
                                 quote(a->arg[i], q, sizeof q));
    }
    set_memory_one(def, p);
    m1_text(p, def->label, sizeof def->label);
    return DLM_OK;
}

/* Reads a word of C/D letters into bits (letter i -> bit i, D = 1); `what` names it. */
static dlm_status cd_word(slice w, size_t want, const char *what, unsigned n, uint64_t *bits,
                          dlm_error *err)
{
    size_t i;
    char q[64];
    if (w.len != want)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "lookup %s for n=%u needs %zu letter%s C/D, got %zu ('%s')", what, n,
                             want, want == 1 ? "" : "s", w.len, quote(w, q, sizeof q));
    *bits = 0;
    for (i = 0; i < want; ++i) {
        char c = w.s[i];
        if (c != 'C' && c != 'D')
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "lookup %s: letter %zu is '%c'; only C and D are allowed "
                                 "(upper case)",
                                 what, i + 1, isprint((unsigned char)c) ? c : '?');
        if (c == 'D')
            *bits |= (uint64_t)1 << i;
    }
    return DLM_OK;
}

/* lookup(n,OPENING,TABLE): deterministic lookup table over the last n moves. */
static dlm_status compile_lookup(const arglist *a, dlm_strategy_def *def, dlm_error *err)
{
    unsigned n;
    uint64_t opening, table;
    char q[64];
    dlm_status st;
    if (a->count != 3)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "lookup(...) takes 3 arguments (n, OPENING, TABLE), got %zu; "
                             "e.g. lookup(1,C,CDCD) is tit-for-tat",
                             a->count);
    if (!parse_index(a->arg[0], &n) || n < 1 || n > DLM_LOOKUP_MAX_DEPTH)
        return dlm_error_set(err, DLM_ERR_USAGE, "lookup depth n must be 1, 2 or 3, got '%s'",
                             quote(a->arg[0], q, sizeof q));
    st = cd_word(a->arg[1], n, "opening", n, &opening, err);
    if (st == DLM_OK)
        st = cd_word(a->arg[2], (size_t)1 << (2u * n), "table", n, &table, err);
    if (st != DLM_OK)
        return st;
    def->model.kind = DLM_STRAT_LOOKUP;
    def->model.depth = n;
    def->model.opening = (uint32_t)opening;
    def->model.table = table;
    snprintf(def->label, sizeof def->label, "lookup(%u,%.*s,%.*s)", n, (int)a->arg[1].len,
             a->arg[1].s, (int)a->arg[2].len, a->arg[2].s);
    return DLM_OK;
}

/* Parses one fsm state "M:c:d" (whitespace allowed around the parts). */
static dlm_status fsm_state(slice t, size_t s, size_t states, unsigned *move, unsigned *next_c,
                            unsigned *next_d, dlm_error *err)
{
    slice part[3];
    size_t i, k = 0, start = 0;
    char q[64];
    for (i = 0; i <= t.len; ++i) {
        if (i == t.len || t.s[i] == ':') {
            if (k < 3) {
                part[k].s = t.s + start;
                part[k].len = i - start;
                part[k] = trim(part[k]);
            }
            ++k;
            start = i + 1;
        }
    }
    if (k != 3)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "fsm state %zu is '%s'; each state is M:c:d (move C or D, next "
                             "state after the opponent plays C, next state after D)",
                             s, quote(t, q, sizeof q));
    if (slice_is(part[0], "C"))
        *move = DLM_C;
    else if (slice_is(part[0], "D"))
        *move = DLM_D;
    else
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "fsm state %zu plays '%s'; the move must be C or D", s,
                             quote(part[0], q, sizeof q));
    for (i = 1; i < 3; ++i) {
        unsigned v;
        if (!parse_index(part[i], &v))
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "fsm state %zu: next state '%s' (after %s) is not a state "
                                 "number 0..%zu",
                                 s, quote(part[i], q, sizeof q), i == 1 ? "C" : "D", states - 1);
        if (v >= states)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "fsm state %zu goes to state %u but the machine has %zu state%s "
                                 "(0..%zu)",
                                 s, v, states, states == 1 ? "" : "s", states - 1);
        if (i == 1)
            *next_c = v;
        else
            *next_d = v;
    }
    return DLM_OK;
}

/* fsm(M:c:d,...): Moore machine of 1..16 states starting in state 0. */
static dlm_status compile_fsm(const arglist *a, dlm_strategy_def *def, dlm_error *err)
{
    size_t s, used = 0;
    if (a->count < 1 || a->count > DLM_FSM_MAX_STATES)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "fsm(...) needs 1 to %u states M:c:d, got %zu; e.g. "
                             "fsm(C:0:1,D:0:1) is tit-for-tat",
                             DLM_FSM_MAX_STATES, a->count);
    def->model.kind = DLM_STRAT_FSM;
    def->model.depth = (uint32_t)a->count;
    def->model.opening = 0u;
    used = (size_t)snprintf(def->label, sizeof def->label, "fsm(");
    for (s = 0; s < a->count; ++s) {
        unsigned move = 0, nc = 0, nd = 0;
        dlm_status st = fsm_state(a->arg[s], s, a->count, &move, &nc, &nd, err);
        if (st != DLM_OK)
            return st;
        def->model.fsm_output |= (uint32_t)move << s;
        def->model.fsm_next_c |= (uint64_t)nc << (4u * s);
        def->model.fsm_next_d |= (uint64_t)nd << (4u * s);
        if (used < sizeof def->label)
            used += (size_t)snprintf(def->label + used, sizeof def->label - used, "%s%c:%u:%u",
                                     s ? "," : "", move ? 'D' : 'C', nc, nd);
    }
    if (used + 1 < sizeof def->label)
        snprintf(def->label + used, sizeof def->label - used, ")");
    else /* at most 131 characters do not fit the 128-byte label: mark the cut */
        memcpy(def->label + sizeof def->label - 4, "...", 4);
    return DLM_OK;
}

/* ------------------------------------------------------------------------------------
 * Compiling the named library (the table is in strategies_library.c)
 * ------------------------------------------------------------------------------------ */

/* The library entry called `name`, or NULL. */
static const named_strategy *find_named(slice name)
{
    size_t i, count = dlm_strategy_library_count();
    for (i = 0; i < count; ++i)
        if (slice_is(name, dlm_named_strategy(i)->info.name))
            return dlm_named_strategy(i);
    return NULL;
}

/* Fails with "unknown strategy", suggesting the closest name when one is near. */
static dlm_status unknown_name(slice name, dlm_error *err)
{
    static const char *const inline_forms[] = {"m1", "lookup", "fsm"};
    const char *best = NULL;
    unsigned best_d = 99u, limit;
    size_t i, count = dlm_strategy_library_count();
    char q[64];
    for (i = 0; i < count + 3; ++i) {
        const char *cand =
            i < count ? dlm_strategy_library_entry(i)->name : inline_forms[i - count];
        unsigned d = edit_distance(name, cand);
        if (d < best_d) {
            best_d = d;
            best = cand;
        }
    }
    limit = name.len <= 3 ? 1u : name.len <= 6 ? 2u : 3u;
    quote(name, q, sizeof q);
    if (best && best_d <= limit)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "unknown strategy '%s' (did you mean '%s'? `dilemma strategies` "
                             "lists them; names are lower case)",
                             q, best);
    return dlm_error_set(err, DLM_ERR_USAGE,
                         "unknown strategy '%s' (`dilemma strategies` lists the named ones; "
                         "inline forms are m1(...), lookup(...) and fsm(...))",
                         q);
}

/* Compiles library entry e with arguments a (the parameter, positional or key=value). */
static dlm_status compile_named(const named_strategy *e, const arglist *a, const dlm_game *game,
                                dlm_strategy_def *def, dlm_error *err)
{
    double x, dflt, p[5];
    char q[64], v[32];
    int given = 0;
    dlm_status st;
    if (!e->key) {
        if (a->count)
            return dlm_error_set(err, DLM_ERR_USAGE, "%s takes no parameters, got %zu ('%s')",
                                 e->info.name, a->count, quote(a->arg[0], q, sizeof q));
    } else if (a->count > 1) {
        return dlm_error_set(err, DLM_ERR_USAGE, "%s takes 1 parameter (%s), got %zu", e->info.name,
                             e->key, a->count);
    }
    if (e->definition) {
        /* A fixed entry: compile its inline text, then name it. */
        slice text = slice_of(e->definition, DLM_STRATEGY_PARSE_MAX);
        const char *open = memchr(text.s, '(', text.len);
        slice inner, form;
        arglist da;
        form.s = text.s;
        form.len = (size_t)(open - text.s);
        inner.s = open + 1;
        inner.len = text.len - form.len - 2;
        st = split_args(inner, e->info.name, &da, err);
        if (st == DLM_OK)
            st = slice_is(form, "m1")       ? compile_m1(&da, def, err)
                 : slice_is(form, "lookup") ? compile_lookup(&da, def, err)
                                            : compile_fsm(&da, def, err);
        if (st == DLM_OK)
            snprintf(def->label, sizeof def->label, "%s", e->info.name);
        return st;
    }
    if (e->game_default) {
        st = e->game_default(game, &dflt, err);
        if (st != DLM_OK && a->count == 0)
            return st;
        if (st != DLM_OK)
            dflt = NAN;
    } else {
        dflt = e->fixed_default;
    }
    x = dflt;
    if (a->count == 1) {
        slice val = a->arg[0];
        const char *eq = memchr(val.s, '=', val.len);
        if (eq) {
            slice key;
            key.s = val.s;
            key.len = (size_t)(eq - val.s);
            key = trim(key);
            val.s = eq + 1;
            val.len = (size_t)(a->arg[0].s + a->arg[0].len - val.s);
            if (!slice_is(key, e->key))
                return dlm_error_set(err, DLM_ERR_USAGE, "%s: unknown parameter '%s' (allowed: %s)",
                                     e->info.name, quote(key, q, sizeof q), e->key);
        }
        if (!parse_number(val, &x))
            return dlm_error_set(err, DLM_ERR_USAGE, "%s: %s = '%s' is not a number (%s)",
                                 e->info.name, e->key, quote(trim(val), q, sizeof q),
                                 e->info.params);
        given = x != dflt;
    }
    st = e->vector(game, x, p, err);
    if (st != DLM_OK)
        return st;
    set_memory_one(def, p);
    if (given)
        snprintf(def->label, sizeof def->label, "%s(%s=%s)", e->info.name, e->key,
                 dlm_fmt_double(x, v, sizeof v));
    else
        snprintf(def->label, sizeof def->label, "%s", e->info.name);
    return DLM_OK;
}

/* ------------------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------------------ */

/* 1 when text ends with a suffix that `mark` opens outside any parentheses (`/L1` in
 * disc/L1, `@good` in tft@good; not the fraction in gtft(q=1/4)). */
static int suffix_after(slice all, char mark)
{
    size_t i = all.len;
    while (i > 0 && all.s[i - 1] != mark) {
        if (all.s[i - 1] == '(' || all.s[i - 1] == ')')
            return 0;
        --i;
    }
    return i > 0;
}

/* The leading eight (Ohtsuki & Iwasa 2004, J. Theor. Biol. 231:107, Table 2) are
 * third-order norms; L1 and L2 also let a bad discriminator help a bad recipient. */
static const char *const norm_names[] = {"image-scoring", "simple-standing", "stern-judging",
                                         "shunning", "L1", "L2", "L3", "L4", "L5", "L6", "L7",
                                         "L8"};
static const uint32_t norm_codes[] = {0xAAu, 0xBBu, 0x99u, 0x88u,
                                      0x1BAu, 0x19Au, 0xBBu, 0xB9u, 0x9Bu, 0x99u, 0xB8u, 0x98u};

int dlm_norm_parse(const char *text, uint32_t *code)
{
    size_t i, len = strlen(text);
    for (i = 0; i < sizeof norm_names / sizeof norm_names[0]; ++i)
        if (strcmp(text, norm_names[i]) == 0) {
            *code = norm_codes[i];
            return 1;
        }
    if ((len == 6 || len == 10) && text[0] == '0' && text[1] == 'b' &&
        strspn(text + 2, "01") == len - 2) {
        uint32_t bits = (uint32_t)strtoul(text + 2, NULL, 2);
        *code = len == 6 ? (bits << 4) | bits : bits;
        return 1;
    }
    return 0;
}

const char *dlm_norm_names(char *buf, size_t len)
{
    size_t i, used = 0;
    buf[0] = '\0';
    for (i = 0; i < sizeof norm_names / sizeof norm_names[0] && used < len; ++i) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", norm_names[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return buf;
}

/* A donation-game trait that carries its own norm (private assessment: each agent
 * judges by its own; kernels/dlm_reputation.h, DLM_ACTION_RULE_OWN_NORM):
 * `<rule>/<norm>`, the rule allc, alld, disc or an IPD strategy (with @good / @shun),
 * the norm a name or bit code. The rule becomes an action rule here. */
static dlm_status parse_with_norm(slice all, const dlm_game *game, dlm_strategy_def *out,
                                  dlm_error *err)
{
    char base[DLM_STRATEGY_PARSE_MAX + 1], norm[32], q[64], names[160];
    const char *slash = all.s + all.len;
    size_t n, rest;
    uint32_t code, i, ones = 0, zeros = 0;
    dlm_strategy_def def;
    dlm_status st;
    while (slash > all.s && slash[-1] != '/')
        --slash;
    n = (size_t)(slash - 1 - all.s);
    rest = all.len - n - 1;
    memcpy(base, all.s, n);
    base[n] = '\0';
    snprintf(norm, sizeof norm, "%.*s", (int)(rest < 31 ? rest : 31), slash);
    if (rest > 31 || !dlm_norm_parse(norm, &code))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "'%s': after / comes a norm (%s, or a bit code 0bABCD or "
                             "0bABCDEFGH)", quote(all, q, sizeof q),
                             dlm_norm_names(names, sizeof names));
    if ((st = dlm_strategy_parse(base, game, &def, err)) != DLM_OK)
        return st;
    for (i = 0; def.model.kind == DLM_STRAT_MEMORY_ONE && i < 5u; ++i) {
        ones += def.model.threshold[i] == ((uint64_t)1 << 32);
        zeros += def.model.threshold[i] == 0u;
    }
    if (def.model.kind == DLM_STRAT_MEMORY_ONE) {
        def.model.kind = DLM_STRAT_ACTION_RULE;
        def.model.opening = ones == 5u ? 0u : zeros == 5u ? 1u : DLM_ACTION_RULE_M1;
    } else if (def.model.kind != DLM_STRAT_ACTION_RULE || def.model.depth != 0u)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "'%s': a norm goes with a donation-game rule (allc, alld, disc, "
                             "or a memory-one IPD strategy), once", quote(all, q, sizeof q));
    *out = def;
    out->model.depth = DLM_ACTION_RULE_OWN_NORM | code;
    snprintf(out->label, sizeof out->label, "%.95s/%s", def.label, norm);
    return DLM_OK;
}

/* An IPD strategy conditioned on standing, for the donation game's encounters
 * (kernels/dlm_reputation.h, DLM_ACTION_RULE_M1): `<memory-one strategy>@good` opens
 * with C exactly to a partner in good standing, `@shun` defects against a partner in bad
 * standing at every move. */
static dlm_status parse_conditioned(slice all, const dlm_game *game, dlm_strategy_def *out,
                                    dlm_error *err)
{
    char base[DLM_STRATEGY_PARSE_MAX + 1], q[64];
    const char *at = all.s + all.len - 1;
    size_t n, rest;
    uint32_t flag;
    dlm_strategy_def def;
    dlm_status st;
    while (*at != '@')
        --at;
    n = (size_t)(at - all.s);
    rest = all.len - n - 1;
    if (rest == 4 && memcmp(at + 1, "good", 4) == 0)
        flag = DLM_ACTION_RULE_GOOD_FIRST;
    else if (rest == 4 && memcmp(at + 1, "shun", 4) == 0)
        flag = DLM_ACTION_RULE_SHUN_BAD;
    else
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "'%s': after @ comes good (cooperate first only with partners in "
                             "good standing) or shun (defect against partners in bad standing)",
                             quote(all, q, sizeof q));
    memcpy(base, all.s, n);
    base[n] = '\0';
    if ((st = dlm_strategy_parse(base, game, &def, err)) != DLM_OK)
        return st;
    if (def.model.kind != DLM_STRAT_MEMORY_ONE)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "'%s': only a memory-one strategy (tft, wsls, gtft, m1(...)) takes "
                             "@%s", quote(all, q, sizeof q), flag == DLM_ACTION_RULE_SHUN_BAD ? "shun" : "good");
    *out = def;
    out->model.kind = DLM_STRAT_ACTION_RULE;
    out->model.opening = DLM_ACTION_RULE_M1 | flag;
    snprintf(out->label, sizeof out->label, "%.122s@%s", def.label,
             flag == DLM_ACTION_RULE_SHUN_BAD ? "shun" : "good");
    return DLM_OK;
}

/* The group games' rules with arguments (kernels/dlm_group.h): cc(k), the conditional
 * cooperator; level(k), level k of a level game; stock(k, j, f), the commons' rule that
 * takes level k while the stock is at least f of its capacity, else level j. */
static dlm_status parse_contribution(slice name, int has_parens, const arglist *args,
                                     dlm_strategy_def *out, dlm_error *err)
{
    unsigned k = 0, j = 0;
    double f = 0.0;
    out->model.kind = DLM_STRAT_CONTRIBUTION;
    if (slice_is(name, "cc")) { /* conditional cooperator cc(k) */
        if (!has_parens || args->count != 1 || !parse_index(args->arg[0], &k) ||
            k >= DLM_GROUP_MAX_MEMBERS)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "cc needs one argument, the threshold k in 0..%u: cc(k) "
                                 "contributes first, then when at least k other members of its "
                                 "group contributed in the last round (group games)",
                                 DLM_GROUP_MAX_MEMBERS - 1u);
        snprintf(out->label, sizeof out->label, "cc(%u)", k);
        out->model.opening = 2u; /* DLM_CONTRIB_CONDITIONAL */
        out->model.depth = k;
        return DLM_OK;
    }
    if (slice_is(name, "level")) {
        if (!has_parens || args->count != 1 || !parse_index(args->arg[0], &k) || k >= 64u)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "level needs one argument, the level k in 0..63: level(k) "
                                 "extracts (commons) or arms (escalation) at level k every "
                                 "round (the level games; k below evolution.group.levels)");
        snprintf(out->label, sizeof out->label, "level(%u)", k);
        out->model.opening = 16u; /* DLM_CONTRIB_LEVEL */
        out->model.depth = k;
        return DLM_OK;
    }
    if (!has_parens || args->count != 3 || !parse_index(args->arg[0], &k) || k >= 64u ||
        !parse_index(args->arg[1], &j) || j >= 64u || !parse_number(args->arg[2], &f) ||
        !(f >= 0.0 && f <= 1.0))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "stock needs three arguments: stock(k, j, f) takes level k while "
                             "the commons' stock is at least the fraction f in [0, 1] of its "
                             "capacity, else level j (levels 0..63, below "
                             "evolution.group.levels)");
    out->model.opening = 17u; /* DLM_CONTRIB_STOCK */
    out->model.depth = k;
    out->model.fsm_output = j;
    out->model.threshold[0] = (uint64_t)llround(f * 4294967296.0);
    snprintf(out->label, sizeof out->label, "stock(%u,%u,%.9g)", k, j,
             (double)out->model.threshold[0] / 4294967296.0);
    return DLM_OK;
}

/* Incentives in the public goods game (kernels/dlm_punish.h): the type a contribution
 * rule carries in its `table` field. */
#define INCENTIVE_PEER 1u
#define INCENTIVE_POOL 2u
#define INCENTIVE_REWARD 3u
#define INCENTIVE_LONER 4u

/* The named incentive strategies: punish (allc+peer), pool (allc+pool), rewarder
 * (allc+reward), loner. 1 when `all` is one of them (then *out holds it). */
static int parse_incentive_name(slice all, dlm_strategy_def *out)
{
    static const struct {
        const char *name;
        uint32_t rule, type;
    } names[] = {{"punish", 0u, INCENTIVE_PEER},
                 {"pool", 0u, INCENTIVE_POOL},
                 {"rewarder", 0u, INCENTIVE_REWARD},
                 {"loner", 1u, INCENTIVE_LONER}};
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; ++i)
        if (slice_is(all, names[i].name)) {
            out->model.kind = DLM_STRAT_CONTRIBUTION;
            out->model.opening = names[i].rule; /* allc (loners: never, unused) */
            out->model.table = names[i].type;
            snprintf(out->label, sizeof out->label, "%s", names[i].name);
            return 1;
        }
    return 0;
}

/* X+peer, X+pool, X+reward: the contribution rule X (allc, alld, cc(k)) with an incentive
 * type. */
static dlm_status parse_with_incentive(slice all, const dlm_game *game, dlm_strategy_def *out,
                                       dlm_error *err)
{
    char base[DLM_STRATEGY_PARSE_MAX + 1], q[64];
    size_t n = all.len;
    slice suffix;
    dlm_strategy_def def;
    uint32_t type, i, ones = 0u, zeros = 0u;
    dlm_status st;
    while (n > 0 && all.s[n - 1] != '+')
        --n;
    suffix.s = all.s + n;
    suffix.len = all.len - n;
    suffix = trim(suffix);
    type = slice_is(suffix, "peer") ? INCENTIVE_PEER
           : slice_is(suffix, "pool") ? INCENTIVE_POOL
           : slice_is(suffix, "reward") ? INCENTIVE_REWARD : 0u;
    if (type == 0u)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "'%s': after + comes peer (peer punisher), pool (pool punisher) "
                             "or reward (pool rewarder): the incentives of the public goods "
                             "game (evolution.group.punishment)",
                             quote(all, q, sizeof q));
    memcpy(base, all.s, n - 1);
    base[n - 1] = '\0';
    if ((st = dlm_strategy_parse(base, game, &def, err)) != DLM_OK)
        return st;
    for (i = 0; def.model.kind == DLM_STRAT_MEMORY_ONE && i < 5u; ++i) {
        ones += def.model.threshold[i] == ((uint64_t)1 << 32);
        zeros += def.model.threshold[i] == 0u;
    }
    if (def.model.kind == DLM_STRAT_MEMORY_ONE && (ones == 5u || zeros == 5u)) {
        memset(&def.model, 0, sizeof def.model);
        def.model.kind = DLM_STRAT_CONTRIBUTION;
        def.model.opening = ones == 5u ? 0u : 1u; /* allc, alld */
    } else if (def.model.kind != DLM_STRAT_CONTRIBUTION || def.model.opening > 2u ||
               def.model.table != 0u) {
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "'%s': an incentive goes with a contribution rule of the public "
                             "goods game: allc, alld or cc(k) (e.g. cc(2)+peer)",
                             quote(all, q, sizeof q));
    }
    *out = def;
    memset(out->memory_one, 0, sizeof out->memory_one);
    out->model.table = type;
    snprintf(out->label, sizeof out->label, "%.120s+%s", def.label,
             type == INCENTIVE_PEER ? "peer" : type == INCENTIVE_POOL ? "pool" : "reward");
    return DLM_OK;
}

dlm_status dlm_strategy_parse(const char *text, const dlm_game *game, dlm_strategy_def *out,
                              dlm_error *err)
{
    static const dlm_game pd = {.name = "pd", .preset = "pd", .R = 3, .S = 0, .T = 5, .P = 1};
    slice all, name, rest;
    arglist args;
    size_t i, n;
    char q[64], w[64];
    int has_parens = 0;
    dlm_status st;
    if (!out)
        return dlm_error_set(err, DLM_ERR_USAGE, "internal: no place to compile the strategy into");
    memset(out, 0, sizeof *out);
    args.count = 0;
    if (!text)
        return dlm_error_set(err, DLM_ERR_USAGE, "no strategy given (expected a name such as tft)");
    if (!game)
        game = &pd;
    all = slice_of(text, DLM_STRATEGY_PARSE_MAX + 1);
    if (all.len > DLM_STRATEGY_PARSE_MAX)
        return dlm_error_set(err, DLM_ERR_USAGE, "strategy text '%s' is longer than %u characters",
                             quote(all, q, sizeof q), DLM_STRATEGY_PARSE_MAX);
    all = trim(all);
    if (all.len == 4 && memcmp(all.s, "disc", 4) == 0) { /* the donation game's discriminator */
        snprintf(out->label, sizeof out->label, "disc");
        out->model.kind = DLM_STRAT_ACTION_RULE;
        out->model.opening = DLM_ACTION_RULE_DISC;
        return DLM_OK;
    }
    if (parse_incentive_name(all, out))
        return DLM_OK;
    if (suffix_after(all, '+'))
        return parse_with_incentive(all, game, out, err);
    if (suffix_after(all, '/'))
        return parse_with_norm(all, game, out, err);
    if (suffix_after(all, '@'))
        return parse_conditioned(all, game, out, err);
    if (all.len == 0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "empty strategy (expected a name such as tft, or m1(...), "
                             "lookup(...), fsm(...); `dilemma strategies` lists the names)");
    /* name: letters, digits, '-' and '_' */
    for (n = 0; n < all.len; ++n) {
        char c = all.s[n];
        if (!(isalnum((unsigned char)c) || c == '-' || c == '_'))
            break;
    }
    name.s = all.s;
    name.len = n;
    if (n == 0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "expected a strategy name at '%s' (a name such as tft, or m1(...), "
                             "lookup(...), fsm(...))",
                             quote(all, q, sizeof q));
    rest.s = all.s + n;
    rest.len = all.len - n;
    rest = trim(rest);
    if (rest.len) {
        slice inner;
        if (rest.s[0] != '(')
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "unexpected text '%s' after '%s' (a strategy is one name, "
                                 "optionally followed by (arguments))",
                                 quote(rest, q, sizeof q), quote(name, w, sizeof w));
        for (i = 1; i < rest.len && rest.s[i] != ')'; ++i)
            if (rest.s[i] == '(')
                return dlm_error_set(err, DLM_ERR_USAGE,
                                     "unexpected '(' inside the arguments of '%s' (arguments "
                                     "do not nest)",
                                     quote(name, w, sizeof w));
        if (i == rest.len)
            return dlm_error_set(err, DLM_ERR_USAGE, "missing ')' after the arguments of '%s'",
                                 quote(name, w, sizeof w));
        if (i + 1 != rest.len) {
            slice tail;
            tail.s = rest.s + i + 1;
            tail.len = rest.len - i - 1;
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "unexpected text '%s' after the closing ')' of '%s'",
                                 quote(tail, q, sizeof q), quote(name, w, sizeof w));
        }
        inner.s = rest.s + 1;
        inner.len = i - 1;
        quote(name, w, sizeof w);
        st = split_args(inner, w, &args, err);
        if (st != DLM_OK)
            return st;
        has_parens = 1;
    }
    if (slice_is(name, "cc") || slice_is(name, "level") || slice_is(name, "stock"))
        return parse_contribution(name, has_parens, &args, out, err);
    if (slice_is(name, "m1") || slice_is(name, "lookup") || slice_is(name, "fsm")) {
        if (!has_parens)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "%s needs its arguments: m1(p0,pCC,pCD,pDC,pDD), "
                                 "lookup(n,OPENING,TABLE) or fsm(M:c:d,...)",
                                 quote(name, w, sizeof w));
        st = name.s[0] == 'm'   ? compile_m1(&args, out, err)
             : name.s[0] == 'l' ? compile_lookup(&args, out, err)
                                : compile_fsm(&args, out, err);
    } else {
        const named_strategy *e = find_named(name);
        if (!e)
            return unknown_name(name, err);
        st = compile_named(e, &args, game, out, err);
    }
    if (st != DLM_OK)
        memset(out, 0, sizeof *out); /* never a half-compiled strategy */
    return st;
}

char *dlm_strategy_describe(const dlm_strategy_def *def, char *buf, size_t len)
{
    const dlm_strategy *m;
    size_t used = 0;
    uint32_t i;
    if (!buf || len == 0)
        return buf;
    buf[0] = '\0';
    if (!def)
        return buf;
    m = &def->model;
    if (m->kind == DLM_STRAT_MEMORY_ONE) {
        char n[5][32];
        for (i = 0; i < 5; ++i)
            dlm_fmt_double(def->memory_one[i], n[i], sizeof n[i]);
        snprintf(buf, len, "memory-one p0=%s pCC=%s pCD=%s pDC=%s pDD=%s", n[0], n[1], n[2], n[3],
                 n[4]);
    } else if (m->kind == DLM_STRAT_LOOKUP && m->depth >= 1 && m->depth <= DLM_LOOKUP_MAX_DEPTH) {
        char opening[4], table[65];
        uint32_t size = 1u << (2u * m->depth);
        for (i = 0; i < m->depth; ++i)
            opening[i] = (m->opening >> i) & 1u ? 'D' : 'C';
        opening[m->depth] = '\0';
        for (i = 0; i < size; ++i)
            table[i] = (m->table >> i) & 1u ? 'D' : 'C';
        table[size] = '\0';
        snprintf(buf, len, "lookup n=%u opening=%s table=%s", m->depth, opening, table);
    } else if (m->kind == DLM_STRAT_FSM && m->depth >= 1 && m->depth <= DLM_FSM_MAX_STATES) {
        int w = snprintf(buf, len, "fsm %u state%s:", m->depth, m->depth == 1 ? "" : "s");
        used = w > 0 ? (size_t)w : 0;
        for (i = 0; i < m->depth && used < len; ++i) {
            w = snprintf(buf + used, len - used, " %u:%c->%u/%u", i,
                         (m->fsm_output >> i) & 1u ? 'D' : 'C',
                         (unsigned)(m->fsm_next_c >> (4u * i)) & 0xFu,
                         (unsigned)(m->fsm_next_d >> (4u * i)) & 0xFu);
            if (w < 0)
                break;
            used += (size_t)w;
        }
    } else if (m->kind == DLM_STRAT_CONTRIBUTION && m->opening == 16u) {
        snprintf(buf, len, "group level rule: level %u every round", m->depth);
    } else if (m->kind == DLM_STRAT_CONTRIBUTION && m->opening == 17u) {
        snprintf(buf, len, "group level rule: level %u while the stock is at least %.9g of "
                 "the capacity, else level %u", m->depth,
                 (double)m->threshold[0] / 4294967296.0, m->fsm_output);
    } else if (m->kind == DLM_STRAT_CONTRIBUTION && m->table == INCENTIVE_LONER) {
        snprintf(buf, len, "group loner: takes no part in the public goods game");
    } else if (m->kind == DLM_STRAT_CONTRIBUTION && m->opening <= 2u && m->table != 0u &&
               m->table < INCENTIVE_LONER) {
        static const char *const rules[] = {"always contribute", "never contribute",
                                            "conditional"};
        static const char *const types[] = {"", "peer punisher", "pool punisher",
                                            "pool rewarder"};
        snprintf(buf, len, "group contribution rule: %s (k = %u), %s", rules[m->opening],
                 m->depth, types[m->table]);
    } else if (m->kind == DLM_STRAT_CONTRIBUTION && m->opening <= 2u) {
        static const char *const rules[] = {"always contribute", "never contribute",
                                            "conditional"};
        if (m->opening == 2u)
            snprintf(buf, len, "group contribution rule: contribute first, then when at least "
                     "%u others contributed", m->depth);
        else
            snprintf(buf, len, "group contribution rule: %s", rules[m->opening]);
    } else if (m->kind == DLM_STRAT_ACTION_RULE && m->opening <= DLM_ACTION_RULE_DISC) {
        static const char *const rules[] = {"allc", "alld", "disc"};
        snprintf(buf, len, "donation action rule %s", rules[m->opening]);
        if (m->depth & DLM_ACTION_RULE_OWN_NORM)
            snprintf(buf + strlen(buf), len - strlen(buf), ", judging by norm 0x%X",
                     m->depth & 0x1FFu);
    } else if (m->kind == DLM_STRAT_ACTION_RULE && (m->opening & 0xFu) == DLM_ACTION_RULE_M1) {
        char n[5][32];
        for (i = 0; i < 5; ++i)
            dlm_fmt_double(def->memory_one[i], n[i], sizeof n[i]);
        snprintf(buf, len, "donation IPD rule p0=%s pCC=%s pCD=%s pDC=%s pDD=%s%s", n[0], n[1],
                 n[2], n[3], n[4],
                 (m->opening & DLM_ACTION_RULE_GOOD_FIRST) ? ", opens with C only to the good"
                 : (m->opening & DLM_ACTION_RULE_SHUN_BAD) ? ", defects against the bad"
                                                           : "");
    } else {
        snprintf(buf, len, "invalid strategy (kind %u, depth %u)", m->kind, m->depth);
    }
    return buf;
}

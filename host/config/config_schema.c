/* config_schema.c — the config schema: checks every key of a parsed config (see
 * config_tree.h) and fills a dlm_scenario; the evolution: section is read by
 * config_evolution.c with the value readers defined here (dlm_cfg_*, config_tree.h).
 * configs/README.md documents the same schema for users; keep the two in step.
 *
 * Every error names the file and line (or the --set that gave the value), the dotted
 * key, what was found and what is allowed, and returns DLM_ERR_USAGE. Nothing is
 * defaulted silently: a key that is present must hold a valid value.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_tree.h"
#include "model/strategies.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const top_keys[] = {"name",       "seed",      "mode",  "backend",
                                       "threads",    "game",      "match", "players",
                                       "tournament", "evolution", "output", "sweep",
                                       "analyze",    "institution"};
static const char *const game_keys[] = {"preset", "b",     "c", "R",     "S",    "T", "P",
                                        "prize",  "W",     "speed", "risk", "A", "B"};
static const char *const match_keys[] = {"rounds", "continuation", "execution_error",
                                         "perception_error", "reaction_period",
                                         "observation_delay", "repetitions"};
static const char *const player_keys[] = {"strategy", "execution_error", "perception_error",
                                          "reaction_period", "observation_delay"};
static const char *const tournament_keys[] = {"strategies", "repetitions", "self_play",
                                              "matrix", "per_repetition"};
static const char *const output_keys[] = {"format", "file", "checkpoint", "checkpoint_every"};

static const char *const modes[] = {"match", "tournament", "evolve", "analyze"}; /* index = dlm_mode */
static const char *const backends[] = {"auto", "cpu", "opencl", "cuda"};
static const char *const formats[] = {"table", "csv", "jsonl", "json"};
static const char *const presets[] = {"pd",        "donation", "snowdrift",
                                      "stag-hunt", "harmony",  "ai-race"};

static const char *const default_players[] = {"tft", "wsls"};
static const char *const default_entrants[] = {"tft", "tf2t", "wsls", "grim",
                                               "gtft", "alld", "allc", "random"};

#define THREADS_MAX 1024u

/* ---- messages ------------------------------------------------------------------------ */

/* Sets a usage error "where: path: message" located at node `at`; returns DLM_ERR_USAGE. */
dlm_status dlm_cfg_fail(dlm_error *err, const dlm_node *at, const char *path, const char *fmt, ...)
{
    char where[1100], msg[1600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dlm_error_set(err, DLM_ERR_USAGE, "%s: %s: %s", dlm_node_where(at, where, sizeof where),
                         path[0] ? path : "config", msg);
}

/* Describes what node holds, for "got ..." in messages; returns buf. */
const char *dlm_cfg_got(const dlm_node *node, char *buf, size_t len)
{
    if (node->kind == DLM_NODE_SEQUENCE)
        snprintf(buf, len, "a sequence");
    else if (node->kind == DLM_NODE_MAPPING)
        snprintf(buf, len, "a mapping");
    else if (dlm_node_is_null(node))
        snprintf(buf, len, "nothing (null)");
    else {
        char text[72];
        snprintf(buf, len, "%s'%s'", node->plain ? "" : "the quoted string ",
                 dlm_printable(node->text, 60, text, sizeof text));
    }
    return buf;
}

/* Joins path and key into buf as "path.key" (or "key" at the top level); returns buf. */
const char *dlm_cfg_join(char *buf, size_t len, const char *path, const char *key)
{
    char text[104];
    snprintf(buf, len, "%s%s%s", path, path[0] ? "." : "", dlm_printable(key, 96, text, sizeof text));
    return buf;
}

/* Optimal-string-alignment edit distance between short strings (-1 when too long). */
static int edit_distance(const char *a, const char *b)
{
    int d[33][33];
    size_t la = strlen(a), lb = strlen(b), i, j;
    if (la > 32 || lb > 32)
        return -1;
    for (i = 0; i <= la; ++i)
        d[i][0] = (int)i;
    for (j = 0; j <= lb; ++j)
        d[0][j] = (int)j;
    for (i = 1; i <= la; ++i)
        for (j = 1; j <= lb; ++j) {
            int cost = a[i - 1] != b[j - 1], best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

/* Writes "a, b, c" into list and, when one of names is close to word (edit distance
 * at most 2), "; did you mean 'x'?" into hint (else ""). */
static void allowed_list(const char *word, const char *const *names, size_t n, char *list,
                         size_t list_len, char *hint, size_t hint_len)
{
    size_t i, used = 0;
    int best = -1, best_d = 3;
    for (i = 0; i < n && used < list_len; ++i) {
        int w = snprintf(list + used, list_len - used, "%s%s", i ? ", " : "", names[i]);
        int d = edit_distance(word, names[i]);
        if (w > 0)
            used += (size_t)w;
        if (d >= 0 && d < best_d && (size_t)d < strlen(names[i])) {
            best_d = d;
            best = (int)i;
        }
    }
    hint[0] = '\0';
    if (best >= 0)
        snprintf(hint, hint_len, "; did you mean '%s'?", names[best]);
}

/* Fails on the first key of map that is not in allowed (path names map, "" = top level). */
dlm_status dlm_cfg_check_keys(dlm_error *err, const dlm_node *map, const char *path,
                              const char *const *allowed, size_t n)
{
    size_t i, j;
    for (i = 0; i < map->n; ++i) {
        const dlm_node *key = map->keys[i];
        char list[600], hint[64], full[256];
        for (j = 0; j < n; ++j)
            if (strcmp(key->text, allowed[j]) == 0)
                break;
        if (j < n)
            continue;
        allowed_list(key->text, allowed, n, list, sizeof list, hint, sizeof hint);
        return dlm_cfg_fail(err, key, dlm_cfg_join(full, sizeof full, path, key->text),
                            "unknown key%s (allowed in %s: %s)", hint,
                            path[0] ? path : "the top level", list);
    }
    return DLM_OK;
}

/* ---- scalar values ----------------------------------------------------------------- */

/* Reads an integer in [lo, hi]: decimal (no leading zeros), scientific notation that is a
 * whole number (1e6, 2.5e3; up to 2^53; a bare 2.0 stays refused) or 0x hexadecimal. */
dlm_status dlm_cfg_get_uint(dlm_error *err, const dlm_node *node, const char *path, uint64_t lo,
                            uint64_t hi, uint64_t *out)
{
    char what[128];
    const char *s = node->text;
    uint64_t v = 0;
    unsigned base = 10;
    int neg = 0, ok = node->kind == DLM_NODE_SCALAR && node->plain && node->len > 0;
    if (ok) {
        if (*s == '+' || *s == '-')
            neg = *s++ == '-';
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && !neg) {
            base = 16;
            s += 2;
        }
        ok = *s != '\0' && !(base == 10 && s[0] == '0' && s[1] != '\0'); /* 010: octal in YAML 1.1 */
        for (; ok && *s; ++s) {
            unsigned digit;
            if (*s >= '0' && *s <= '9')
                digit = (unsigned)(*s - '0');
            else if (base == 16 && *s >= 'a' && *s <= 'f')
                digit = (unsigned)(*s - 'a' + 10);
            else if (base == 16 && *s >= 'A' && *s <= 'F')
                digit = (unsigned)(*s - 'A' + 10);
            else
                break;
            if (v > (UINT64_MAX - digit) / base)
                ok = 0; /* overflow */
            v = v * base + digit;
        }
        if (ok && base == 10 && (*s == 'e' || *s == 'E' || *s == '.') &&
            strpbrk(s, "eE")) {
            /* scientific notation (1e6, 2.5e3): a whole number that a double holds exactly */
            char *end = NULL;
            double x = strtod(node->text, &end);
            ok = end && *end == '\0' && !neg && x >= 0.0 && x <= 9007199254740992.0 &&
                 x == floor(x);
            v = ok ? (uint64_t)x : 0;
            s = ok ? "" : s;
        }
        ok = ok && *s == '\0' && !(neg && v != 0) && v >= lo && v <= hi;
    }
    if (!ok)
        return dlm_cfg_fail(err, node, path, "expected an integer in [%llu, %llu], got %s",
                            (unsigned long long)lo, (unsigned long long)hi,
                            dlm_cfg_got(node, what, sizeof what));
    *out = v;
    return DLM_OK;
}

/* Reads a finite decimal number (e.g. 3, -0.5, 1e-3) of magnitude at most DLM_NUMBER_MAX;
 * `expect` says what is allowed. */
#define DLM_NUMBER_MAX 1e12
dlm_status dlm_cfg_get_number(dlm_error *err, const dlm_node *node, const char *path,
                              const char *expect, double *out)
{
    char what[128];
    const char *s = node->text;
    int ok = node->kind == DLM_NODE_SCALAR && node->plain, digits = 0;
    if (ok) {
        s += *s == '+' || *s == '-';
        for (; *s >= '0' && *s <= '9'; ++s)
            ++digits;
        if (*s == '.')
            for (++s; *s >= '0' && *s <= '9'; ++s)
                ++digits;
        if (digits && (*s == 'e' || *s == 'E')) {
            ++s;
            s += *s == '+' || *s == '-';
            if (!(*s >= '0' && *s <= '9'))
                digits = 0;
            while (*s >= '0' && *s <= '9')
                ++s;
        }
        ok = digits > 0 && *s == '\0';
    }
    if (ok) {
        *out = strtod(node->text, NULL);
        ok = isfinite(*out);
    }
    if (!ok)
        return dlm_cfg_fail(err, node, path, "expected %s, got %s", expect,
                            dlm_cfg_got(node, what, sizeof what));
    if (fabs(*out) > DLM_NUMBER_MAX) /* sums of payoffs over rounds and partners overflow */
        return dlm_cfg_fail(err, node, path, "expected %s of magnitude at most 1e12 (larger "
                            "ones overflow the sums of payoffs to infinity), got %s", expect,
                            dlm_cfg_got(node, what, sizeof what));
    return DLM_OK;
}

/* Reads a probability in [0, 1], or in [0, 1) when below_one. */
dlm_status dlm_cfg_get_probability(dlm_error *err, const dlm_node *node, const char *path,
                                   int below_one, double *out)
{
    const char *expect = below_one ? "a probability in [0, 1)" : "a probability in [0, 1]";
    char what[128];
    dlm_status st = dlm_cfg_get_number(err, node, path, expect, out);
    if (st == DLM_OK && (*out < 0.0 || *out > 1.0 || (below_one && *out == 1.0)))
        return dlm_cfg_fail(err, node, path, "expected %s, got %s", expect,
                            dlm_cfg_got(node, what, sizeof what));
    return st;
}

/* Reads true or false (YAML 1.2 core spellings; yes/no/on/off are refused). */
dlm_status dlm_cfg_get_bool(dlm_error *err, const dlm_node *node, const char *path, int *out)
{
    static const char *const yes[] = {"true", "True", "TRUE"}, *const no[] = {"false", "False", "FALSE"};
    char what[128];
    size_t i;
    for (i = 0; node->kind == DLM_NODE_SCALAR && node->plain && i < 3; ++i) {
        if (strcmp(node->text, yes[i]) == 0 || strcmp(node->text, no[i]) == 0) {
            *out = strcmp(node->text, yes[i]) == 0;
            return DLM_OK;
        }
    }
    return dlm_cfg_fail(err, node, path, "expected true or false, got %s",
                        dlm_cfg_got(node, what, sizeof what));
}

/* Reads a non-null scalar as a string of at most size-1 bytes into buf. */
dlm_status dlm_cfg_get_string(dlm_error *err, const dlm_node *node, const char *path, char *buf,
                              size_t size)
{
    char what[128];
    if (node->kind != DLM_NODE_SCALAR || dlm_node_is_null(node))
        return dlm_cfg_fail(err, node, path,
                            "expected a string, got %s (write '' for an empty string)",
                            dlm_cfg_got(node, what, sizeof what));
    if (node->len >= size)
        return dlm_cfg_fail(err, node, path, "%lu characters is too long (at most %lu)",
                            (unsigned long)node->len, (unsigned long)size - 1);
    memcpy(buf, node->text, node->len + 1);
    return DLM_OK;
}

/* Reads one of names; *index gets its position. */
dlm_status dlm_cfg_get_choice(dlm_error *err, const dlm_node *node, const char *path,
                              const char *const *names, size_t n, int *index)
{
    char what[128], list[400], hint[64];
    size_t i;
    if (node->kind == DLM_NODE_SCALAR)
        for (i = 0; i < n; ++i)
            if (strcmp(node->text, names[i]) == 0) {
                *index = (int)i;
                return DLM_OK;
            }
    allowed_list(node->kind == DLM_NODE_SCALAR ? node->text : "", names, n, list, sizeof list,
                 hint, sizeof hint);
    return dlm_cfg_fail(err, node, path, "expected one of %s, got %s%s", list,
                        dlm_cfg_got(node, what, sizeof what), hint);
}

/* The mapping under key in map; NULL when absent or null. Fails when it is no mapping. */
static dlm_status get_section(dlm_error *err, const dlm_node *map, const char *key,
                              const char *const *keys, size_t n, const dlm_node **out)
{
    char what[128];
    const dlm_node *key_node, *value = dlm_node_lookup(map, key, &key_node);
    *out = NULL;
    if (!value || dlm_node_is_null(value))
        return DLM_OK;
    if (value->kind != DLM_NODE_MAPPING)
        return dlm_cfg_fail(err, key_node, key, "expected a mapping with keys %s, %s, ..., got %s",
                            keys[0], n > 1 ? keys[1] : "", dlm_cfg_got(value, what, sizeof what));
    *out = value;
    return dlm_cfg_check_keys(err, value, key, keys, n);
}

/* ---- sections ------------------------------------------------------------------------ */

/* A key of a game: the side's own mapping first (game.A / game.B), then the top level
 * of game:, which gives both sides' defaults; path gets the key's dotted name. */
static const dlm_node *game_key(const dlm_node *top, const dlm_node *side, const char *side_name,
                                const char *key, char *path, size_t len)
{
    const dlm_node *v = side ? dlm_node_lookup(side, key, NULL) : NULL;
    if (v) {
        snprintf(path, len, "game.%s.%s", side_name, key);
        return v;
    }
    snprintf(path, len, "game.%s", key);
    return top ? dlm_node_lookup(top, key, NULL) : NULL;
}

/* The ai-race preset's own keys (dlm_game_ai_race): rebuilds *game from b, c (bv, cv: NaN
 * when absent) and prize, W, speed, risk over dlm_ai_race_defaults; with another preset
 * (ai == 0), any of those keys is refused. */
static dlm_status read_ai_race(dlm_error *err, const dlm_node *top, const dlm_node *side,
                               const char *side_name, int ai, double bv, double cv,
                               dlm_game *game)
{
    static const char *const keys[] = {"prize", "W", "speed", "risk"};
    dlm_ai_race p = dlm_ai_race_defaults();
    double *fields[4];
    const dlm_node *last = NULL;
    char path[32], lpath[32] = "game";
    dlm_error gerr;
    dlm_status st;
    size_t i;
    fields[0] = &p.prize;
    fields[1] = &p.W;
    fields[2] = &p.speed;
    fields[3] = &p.risk;
    for (i = 0; i < N_OF(keys); ++i) {
        const dlm_node *v = game_key(top, side, side_name, keys[i], path, sizeof path);
        if (!v)
            continue;
        if (!ai)
            return dlm_cfg_fail(err, v, path, "only the ai-race preset takes prize, W, speed "
                                "and risk (set game.preset: ai-race)");
        if ((st = dlm_cfg_get_number(err, v, path, "a finite number", fields[i])))
            return st;
        last = v;
        snprintf(lpath, sizeof lpath, "%s", path);
    }
    if (!ai)
        return DLM_OK;
    if (!isnan(bv))
        p.b = bv;
    if (!isnan(cv))
        p.c = cv;
    if (dlm_game_ai_race(&p, game, &gerr) != DLM_OK)
        return dlm_cfg_fail(err, last ? last : side ? side : top, lpath, "%s", gerr.message);
    return DLM_OK;
}

/* Reads a game (preset, b, c, R, S, T, P) into *game: the keys of `side` (game.A or
 * game.B, or null) over those of `top` (game:, or null). */
static dlm_status read_game(dlm_error *err, const dlm_node *top, const dlm_node *side,
                            const char *side_name, dlm_game *game)
{
    static const char *const rstp[] = {"R", "S", "T", "P"};
    char ppath[32], bpath[32], cpath[32];
    const dlm_node *preset = game_key(top, side, side_name, "preset", ppath, sizeof ppath);
    const dlm_node *b = game_key(top, side, side_name, "b", bpath, sizeof bpath);
    const dlm_node *c = game_key(top, side, side_name, "c", cpath, sizeof cpath);
    double bv = NAN, cv = NAN, *fields[4];
    dlm_game base;
    int which = 0, any = 0;
    size_t i;
    dlm_error gerr;
    dlm_status st;
    if (preset &&
        (st = dlm_cfg_get_choice(err, preset, ppath, presets, N_OF(presets), &which)))
        return st;
    if (b && (st = dlm_cfg_get_number(err, b, bpath, "a finite number", &bv)))
        return st;
    if (c && (st = dlm_cfg_get_number(err, c, cpath, "a finite number", &cv)))
        return st;
    if (dlm_game_preset(presets[which], bv, cv, game, &gerr) != DLM_OK)
        return dlm_cfg_fail(err, b ? b : c ? c : preset ? preset : side ? side : top,
                            b ? bpath : c ? cpath : side ? (side_name[0] == 'A' ? "game.A" : "game.B")
                                                         : "game", "%s", gerr.message);
    if ((st = read_ai_race(err, top, side, side_name, strcmp(presets[which], "ai-race") == 0,
                           bv, cv, game)))
        return st;
    base = *game; /* the preset's own matrix, before R, S, T, P */
    fields[0] = &game->R;
    fields[1] = &game->S;
    fields[2] = &game->T;
    fields[3] = &game->P;
    for (i = 0; i < 4; ++i) {
        char path[32];
        const dlm_node *v = game_key(top, side, side_name, rstp[i], path, sizeof path);
        if (!v)
            continue;
        if ((st = dlm_cfg_get_number(err, v, path, "a finite number", fields[i])))
            return st;
        any = 1;
    }
    if (any) { /* no preset, or a preset whose payoffs differ from its own: custom */
        if (!preset)
            game->preset[0] = '\0';
        if (!preset || base.R != game->R || base.S != game->S || base.T != game->T ||
            base.P != game->P)
            snprintf(game->name, sizeof game->name, "custom");
    }
    return DLM_OK;
}

/* Reads game: into sc->game, and, when it holds A or B (an asymmetric game: each player's
 * own payoffs, each side's keys over the top level's), A's matrix into sc->game and B's
 * into sc->game_b. */
static dlm_status read_games(dlm_error *err, const dlm_node *map, dlm_scenario *sc)
{
    const dlm_node *side[2] = {NULL, NULL};
    static const char *const names[2] = {"A", "B"};
    int i;
    dlm_status st;
    if (!map) {
        if ((st = dlm_game_preset("pd", NAN, NAN, &sc->game, err)))
            return st;
        sc->game_b = sc->game;
        return DLM_OK;
    }
    for (i = 0; i < 2; ++i) {
        const dlm_node *key, *v = dlm_node_lookup(map, names[i], &key);
        char what[128], path[16];
        if (!v)
            continue;
        snprintf(path, sizeof path, "game.%s", names[i]);
        sc->asymmetric = 1;
        if (dlm_node_is_null(v))
            continue; /* all of the top level's */
        if (v->kind != DLM_NODE_MAPPING)
            return dlm_cfg_fail(err, key, path, "expected a mapping of player %s's own payoffs "
                                "(keys preset, b, c, R, S, T, P), got %s", names[i],
                                dlm_cfg_got(v, what, sizeof what));
        if ((st = dlm_cfg_check_keys(err, v, path, game_keys, N_OF(game_keys) - 2)))
            return st;
        side[i] = v;
    }
    if ((st = read_game(err, map, side[0], "A", &sc->game)))
        return st;
    if (!sc->asymmetric) {
        sc->game_b = sc->game;
        return DLM_OK;
    }
    return read_game(err, map, side[1], "B", &sc->game_b);
}

/* Reads the per-player settings present in map (match.* or one player's mapping) into *spec;
 * path names map. */
dlm_status dlm_cfg_read_player_settings(dlm_error *err, const dlm_node *map, const char *path,
                                        dlm_player_spec *spec)
{
    const dlm_node *v;
    char full[256];
    uint64_t u;
    dlm_status st;
    if ((v = dlm_node_lookup(map, "execution_error", NULL)) &&
        (st = dlm_cfg_get_probability(err, v,
                                      dlm_cfg_join(full, sizeof full, path, "execution_error"), 0,
                                      &spec->execution_error)))
        return st;
    if ((v = dlm_node_lookup(map, "perception_error", NULL)) &&
        (st = dlm_cfg_get_probability(err, v,
                                      dlm_cfg_join(full, sizeof full, path, "perception_error"), 0,
                                      &spec->perception_error)))
        return st;
    if ((v = dlm_node_lookup(map, "reaction_period", NULL))) {
        if ((st = dlm_cfg_get_uint(err, v, dlm_cfg_join(full, sizeof full, path, "reaction_period"),
                                   1, DLM_MAX_ROUNDS, &u)))
            return st;
        spec->reaction_period = (uint32_t)u;
    }
    if ((v = dlm_node_lookup(map, "observation_delay", NULL))) {
        if ((st = dlm_cfg_get_uint(err, v,
                                   dlm_cfg_join(full, sizeof full, path, "observation_delay"), 0,
                                   DLM_MAX_DELAY, &u)))
            return st;
        spec->observation_delay = (uint32_t)u;
    }
    return DLM_OK;
}

dlm_status dlm_cfg_get_strategy(dlm_error *err, const dlm_node *node, const char *path,
                                const dlm_game *game, char *text, dlm_strategy_def *def)
{
    dlm_strategy_def local;
    dlm_error serr;
    char buf[DLM_STRATEGY_TEXT_MAX], shown[104];
    dlm_status st = dlm_cfg_get_string(err, node, path, buf, sizeof buf);
    if (st != DLM_OK)
        return st;
    serr.message[0] = '\0';
    if (dlm_strategy_parse(buf, game, def ? def : &local, &serr) != DLM_OK)
        return dlm_cfg_fail(err, node, path, "invalid strategy '%s': %s%s",
                            dlm_printable(buf, 96, shown, sizeof shown), serr.message,
                            strchr(buf, '(') && !strchr(buf, ')')
                                ? " (in a flow sequence [...] YAML splits text at commas: "
                                  "quote the strategy, e.g. 'm1(1,1,0,1,0)')"
                                : "");
    memcpy(text, buf, node->len + 1);
    return DLM_OK;
}

/* Checks strategy text with the strategy parser for game and stores it in spec. */
static dlm_status take_strategy(dlm_error *err, const dlm_node *node, const char *path,
                                const dlm_game *game, dlm_player_spec *spec)
{
    dlm_strategy_def def;
    dlm_status st = dlm_cfg_get_strategy(err, node, path, game, spec->strategy, &def);
    if (st == DLM_OK && (def.model.kind == DLM_STRAT_ACTION_RULE ||
                         def.model.kind == DLM_STRAT_CONTRIBUTION))
        return dlm_cfg_fail(err, node, path,
                            "'%s' is %s: it plays in evolving populations (evolution.interaction: "
                            "%s), not in matches and tournaments of the 2x2 game",
                            spec->strategy,
                            def.model.kind == DLM_STRAT_ACTION_RULE
                                ? "an action rule of the donation game"
                                : "a contribution rule of the group games",
                            def.model.kind == DLM_STRAT_ACTION_RULE ? "donation" : "group");
    return st;
}

/* Reads one player or tournament entrant: a strategy string, or a mapping with strategy
 * and per-player settings that override *defaults. */
static dlm_status read_entry(dlm_error *err, const dlm_node *node, const char *path,
                             const dlm_game *game, const dlm_player_spec *defaults,
                             dlm_player_spec *spec)
{
    char full[256], what[128];
    const dlm_node *strategy;
    dlm_status st;
    *spec = *defaults;
    if (node->kind == DLM_NODE_SCALAR && !dlm_node_is_null(node))
        return take_strategy(err, node, path, game, spec);
    if (node->kind != DLM_NODE_MAPPING)
        return dlm_cfg_fail(err, node, path,
                            "expected a strategy (e.g. tft) or a mapping with key "
                            "strategy, got %s",
                            dlm_cfg_got(node, what, sizeof what));
    if ((st = dlm_cfg_check_keys(err, node, path, player_keys, N_OF(player_keys))))
        return st;
    strategy = dlm_node_lookup(node, "strategy", NULL);
    if (!strategy)
        return dlm_cfg_fail(err, node, path, "the key strategy is required (e.g. strategy: tft)");
    if ((st = take_strategy(err, strategy, dlm_cfg_join(full, sizeof full, path, "strategy"), game,
                            spec)))
        return st;
    return dlm_cfg_read_player_settings(err, node, path, spec);
}

/* Reads the sequence seq (at path, under key node key) of min..max entries (what_for
 * names them, e.g. "players") into a new array *out of *n. */
static dlm_status read_entries(dlm_error *err, const dlm_node *key, const dlm_node *seq,
                               const char *path, size_t min,
                               size_t max, const char *what_for, const dlm_game *game,
                               const dlm_player_spec *defaults, dlm_player_spec **out, size_t *n)
{
    char what[128];
    size_t i;
    *out = NULL;
    *n = 0;
    if (seq->kind != DLM_NODE_SEQUENCE)
        return dlm_cfg_fail(err, key, path, "expected a sequence of %s, got %s", what_for,
                            dlm_cfg_got(seq, what, sizeof what));
    if (seq->n < min || seq->n > max) {
        if (min == max)
            return dlm_cfg_fail(err, key, path, "expected exactly %lu %s, got %lu",
                                (unsigned long)min, what_for, (unsigned long)seq->n);
        return dlm_cfg_fail(err, key, path, "expected at least %lu %s, got %lu", (unsigned long)min,
                            what_for, (unsigned long)seq->n);
    }
    *out = calloc(seq->n, sizeof **out);
    if (!*out)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory reading %s", path);
    for (i = 0; i < seq->n; ++i) {
        char item[96];
        dlm_status st;
        snprintf(item, sizeof item, "%s[%lu]", path, (unsigned long)i);
        if ((st = read_entry(err, seq->items[i], item, game, defaults, &(*out)[i]))) {
            free(*out);
            *out = NULL;
            return st;
        }
    }
    *n = seq->n;
    return DLM_OK;
}

/* Fills spec[0..n) with the built-in default strategies names. A section the run uses
 * (`used`) has them checked by the parser under the run's game, where a failure names the
 * key to give instead; a section it does not use never blocks the run (gtft is undefined
 * for some games). */
static dlm_status default_entries(dlm_error *err, const char *const *names, size_t n,
                                  const dlm_game *game, const dlm_player_spec *defaults,
                                  dlm_player_spec *spec, int used, const char *key)
{
    size_t i;
    for (i = 0; i < n; ++i) {
        dlm_strategy_def def;
        dlm_error serr;
        spec[i] = *defaults;
        snprintf(spec[i].strategy, sizeof spec[i].strategy, "%s", names[i]);
        serr.message[0] = '\0';
        if (used && dlm_strategy_parse(names[i], game, &def, &serr) != DLM_OK)
            return dlm_error_set(err, DLM_ERR_USAGE, "%s: the default strategy '%s' does not "
                                 "apply to this game (%s); give %s", key, names[i],
                                 serr.message, key);
    }
    return DLM_OK;
}

/* Reads match: into the match rules of sc and the per-player defaults *defaults. */
static dlm_status read_match(dlm_error *err, const dlm_node *map, dlm_scenario *sc,
                             dlm_player_spec *defaults)
{
    const dlm_node *rounds = dlm_node_lookup(map, "rounds", NULL);
    const dlm_node *w = dlm_node_lookup(map, "continuation", NULL), *v;
    uint64_t u;
    dlm_status st;
    if (rounds) {
        if ((st = dlm_cfg_get_uint(err, rounds, "match.rounds", 1, DLM_MAX_ROUNDS, &u)))
            return st;
        sc->rounds = (uint32_t)u;
    }
    if ((v = dlm_node_lookup(map, "repetitions", NULL))) {
        if ((st = dlm_cfg_get_uint(err, v, "match.repetitions", 1, UINT32_MAX, &u)))
            return st;
        sc->match_repetitions = (uint32_t)u;
    }
    if (w) {
        double cap;
        if ((st = dlm_cfg_get_probability(err, w, "match.continuation", 1, &sc->continuation)))
            return st;
        sc->geometric = 1;
        /* Default cap: the length exceeds it with probability w^cap <= e^-64. */
        cap = ceil(64.0 / (1.0 - sc->continuation));
        if (!rounds)
            sc->rounds = cap >= (double)DLM_MAX_ROUNDS ? DLM_MAX_ROUNDS : (uint32_t)cap;
    }
    return dlm_cfg_read_player_settings(err, map, "match", defaults);
}

/* Reads an extra table of a tournament: true (in the output), false (none), or the file
 * it goes to. */
static dlm_status read_extra_table(dlm_error *err, const dlm_node *v, const char *path,
                                   int *wanted, char *file, size_t size)
{
    if (v->kind == DLM_NODE_SCALAR && v->plain &&
        (strcmp(v->text, "true") == 0 || strcmp(v->text, "false") == 0)) {
        *wanted = v->text[0] == 't';
        file[0] = '\0';
        return dlm_cfg_get_bool(err, v, path, wanted);
    }
    *wanted = 1;
    if (v->kind == DLM_NODE_SCALAR && v->len == 0)
        return dlm_cfg_fail(err, v, path, "expected true, false or a file name, got ''");
    return dlm_cfg_get_string(err, v, path, file, size);
}

/* Reads tournament: (strategies, repetitions, self_play, matrix, per_repetition) into sc. */
static dlm_status read_tournament(dlm_error *err, const dlm_node *map, const dlm_player_spec *defaults,
                                  dlm_scenario *sc)
{
    const dlm_node *v, *key;
    uint64_t u;
    dlm_status st;
    if ((v = dlm_node_lookup(map, "repetitions", NULL))) {
        if ((st = dlm_cfg_get_uint(err, v, "tournament.repetitions", 1, UINT32_MAX, &u)))
            return st;
        sc->repetitions = (uint32_t)u;
    }
    if ((v = dlm_node_lookup(map, "self_play", NULL)) &&
        (st = dlm_cfg_get_bool(err, v, "tournament.self_play", &sc->self_play)))
        return st;
    if ((v = dlm_node_lookup(map, "matrix", NULL)) &&
        (st = read_extra_table(err, v, "tournament.matrix", &sc->matrix_wanted, sc->matrix_file,
                               sizeof sc->matrix_file)))
        return st;
    if ((v = dlm_node_lookup(map, "per_repetition", NULL)) &&
        (st = read_extra_table(err, v, "tournament.per_repetition", &sc->per_repetition_wanted,
                               sc->per_repetition_file, sizeof sc->per_repetition_file)))
        return st;
    if ((v = dlm_node_lookup(map, "strategies", &key)))
        return read_entries(err, key, v, "tournament.strategies", 2, (size_t)-1,
                            "strategies", &sc->game, defaults, &sc->entrants,
                            &sc->n_entrants);
    return DLM_OK;
}

/* Reads the top-level scalars (name, seed, mode, backend, threads) into sc. */
static dlm_status read_top(dlm_error *err, const dlm_node *root, dlm_scenario *sc)
{
    const dlm_node *v;
    uint64_t u;
    int index = 0;
    dlm_status st;
    if ((v = dlm_node_lookup(root, "name", NULL)) &&
        (st = dlm_cfg_get_string(err, v, "name", sc->name, sizeof sc->name)))
        return st;
    if ((v = dlm_node_lookup(root, "seed", NULL)) &&
        (st = dlm_cfg_get_uint(err, v, "seed", 0, UINT64_MAX, &sc->seed)))
        return st;
    if ((v = dlm_node_lookup(root, "mode", NULL))) {
        if ((st = dlm_cfg_get_choice(err, v, "mode", modes, N_OF(modes), &index)))
            return st;
        sc->mode = (dlm_mode)index;
    }
    if ((v = dlm_node_lookup(root, "backend", NULL))) {
        if ((st = dlm_cfg_get_choice(err, v, "backend", backends, N_OF(backends), &index)))
            return st;
        snprintf(sc->backend, sizeof sc->backend, "%s", backends[index]);
    }
    if ((v = dlm_node_lookup(root, "threads", NULL))) {
        if ((st = dlm_cfg_get_uint(err, v, "threads", 0, THREADS_MAX, &u)))
            return st;
        sc->threads = (int)u;
    }
    return DLM_OK;
}

/* output.checkpoint_every: generations (an integer) or seconds (a number and s, m or h). */
static dlm_status read_checkpoint_every(dlm_error *err, const dlm_node *v, dlm_scenario *sc)
{
    static const char *const path = "output.checkpoint_every";
    char got[128];
    const char *unit;
    double x, scale;
    char *end = NULL;
    if (v->kind == DLM_NODE_SCALAR && v->len > 0 && v->len < 14 && v->text[0] != '0' &&
        strspn(v->text, "0123456789") == v->len) {
        uint64_t n = strtoull(v->text, NULL, 10);
        if (n <= (uint64_t)1 << 40) {
            sc->checkpoint_every_generations = n;
            return DLM_OK;
        }
    }
    if (v->kind == DLM_NODE_SCALAR && v->len > 1 && v->len < 32 && v->text[0] != ' ') {
        unit = v->text + v->len - 1;
        scale = *unit == 's' ? 1.0 : *unit == 'm' ? 60.0 : *unit == 'h' ? 3600.0 : 0.0;
        x = strtod(v->text, &end);
        if (scale > 0.0 && end == unit && x > 0.0 && x * scale <= 1e7) {
            sc->checkpoint_every_generations = 0;
            sc->checkpoint_every_seconds = x * scale;
            return DLM_OK;
        }
    }
    return dlm_cfg_fail(err, v, path, "expected generations (an integer in [1, 2^40], e.g. 1000) "
                        "or a period (a positive number followed by s, m or h, at most 10^7 s, "
                        "e.g. 30s or 10m), got %s", dlm_cfg_got(v, got, sizeof got));
}

/* Reads output: (format, file, checkpoint, checkpoint_every) into sc. */
static dlm_status read_output(dlm_error *err, const dlm_node *map, dlm_scenario *sc)
{
    const dlm_node *v;
    int index = 0;
    dlm_status st;
    if ((v = dlm_node_lookup(map, "checkpoint", NULL)) &&
        (st = dlm_cfg_get_string(err, v, "output.checkpoint", sc->checkpoint,
                                 sizeof sc->checkpoint)))
        return st;
    if ((v = dlm_node_lookup(map, "checkpoint_every", NULL)) &&
        (st = read_checkpoint_every(err, v, sc)))
        return st;
    if ((v = dlm_node_lookup(map, "format", NULL))) {
        if ((st = dlm_cfg_get_choice(err, v, "output.format", formats, N_OF(formats), &index)))
            return st;
        snprintf(sc->format, sizeof sc->format, "%s", formats[index]);
    }
    if ((v = dlm_node_lookup(map, "file", NULL)) &&
        (st = dlm_cfg_get_string(err, v, "output.file", sc->out, sizeof sc->out)))
        return st;
    return DLM_OK;
}

/* Sets every field of sc to its default (the game and strategies come later). */
static void scenario_defaults(dlm_scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    snprintf(sc->name, sizeof sc->name, "dilemma");
    sc->mode = DLM_MODE_TOURNAMENT;
    sc->seed = 1;
    sc->rounds = 200;
    sc->repetitions = 10;
    sc->match_repetitions = 1;
    sc->self_play = 1;
    snprintf(sc->backend, sizeof sc->backend, "auto");
    sc->threads = 1;
    snprintf(sc->format, sizeof sc->format, "table");
    sc->checkpoint_every_seconds = 60.0;
}

/* Validates everything in cfg into sc (which the caller frees on failure). */
static dlm_status read_all(dlm_error *err, const dlm_config *cfg, dlm_scenario *sc)
{
    const dlm_node *root = cfg->root, *game = NULL, *match = NULL, *tournament = NULL;
    const dlm_node *output = NULL, *evolution, *evolution_key, *players, *key;
    dlm_player_spec defaults = {"", 0.0, 0.0, 1, 0};
    dlm_status st;
    if ((st = dlm_cfg_check_keys(err, root, "", top_keys, N_OF(top_keys))) ||
        (st = get_section(err, root, "game", game_keys, N_OF(game_keys), &game)) ||
        (st = get_section(err, root, "match", match_keys, N_OF(match_keys), &match)) ||
        (st = get_section(err, root, "tournament", tournament_keys, N_OF(tournament_keys),
                          &tournament)) ||
        (st = get_section(err, root, "output", output_keys, N_OF(output_keys), &output)) ||
        (st = read_top(err, root, sc)))
        return st;
    /* The game comes before any strategy: strategy defaults (gtft's q) depend on it. */
    if ((st = read_games(err, game, sc)))
        return st;
    if (match && (st = read_match(err, match, sc, &defaults)))
        return st;
    sc->match_defaults = defaults;
    if ((players = dlm_node_lookup(root, "players", &key))) {
        dlm_player_spec *specs;
        size_t n;
        if ((st = read_entries(err, key, players, "players", 2, 2, "players",
                               &sc->game, &defaults, &specs, &n)))
            return st;
        memcpy(sc->players, specs, sizeof sc->players);
        free(specs);
    } else if ((st = default_entries(err, default_players, 2, &sc->game, &defaults, sc->players,
                                     sc->mode == DLM_MODE_MATCH || sc->mode == DLM_MODE_ANALYZE,
                                     "players"))) {
        return st;
    }
    if (tournament && (st = read_tournament(err, tournament, &defaults, sc)))
        return st;
    if (!sc->entrants) {
        sc->entrants = calloc(N_OF(default_entrants), sizeof *sc->entrants);
        if (!sc->entrants)
            return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory filling the scenario");
        sc->n_entrants = N_OF(default_entrants);
        if ((st = default_entries(err, default_entrants, N_OF(default_entrants), &sc->game,
                                  &defaults, sc->entrants, sc->mode == DLM_MODE_TOURNAMENT,
                                  "tournament.strategies")))
            return st;
    }
    evolution = dlm_node_lookup(root, "evolution", &evolution_key);
    if ((st = dlm_cfg_read_evolution(err, cfg, evolution_key, evolution, sc)))
        return st;
    if ((st = dlm_cfg_read_analyze(err, root, sc)) ||
        (st = dlm_cfg_read_institution(err, root, sc)))
        return st;
    if (output && (st = read_output(err, output, sc)))
        return st;
    return DLM_OK;
}

dlm_status dlm_config_to_scenario(const dlm_config *cfg, dlm_scenario *sc, dlm_error *err)
{
    dlm_status st;
    scenario_defaults(sc);
    if (!cfg || !cfg->root)
        return dlm_error_set(err, DLM_ERR_USAGE, "no config to validate");
    st = read_all(err, cfg, sc);
    if (st != DLM_OK) {
        dlm_scenario_free(sc);
        scenario_defaults(sc);
    }
    return st;
}

void dlm_scenario_free(dlm_scenario *sc)
{
    if (!sc)
        return;
    free(sc->entrants);
    sc->entrants = NULL;
    sc->n_entrants = 0;
    free(sc->evolution.mutation_set);
    sc->evolution.mutation_set = NULL;
    sc->evolution.n_mutation_set = 0;
    free(sc->evolution.shares);
    sc->evolution.shares = NULL;
    sc->evolution.n_shares = 0;
    free(sc->evolution.track);
    sc->evolution.track = NULL;
    sc->evolution.n_track = 0;
    free(sc->evolution.costs);
    sc->evolution.costs = NULL;
    sc->evolution.n_costs = 0;
    free(sc->evolution.classes);
    sc->evolution.classes = NULL;
    sc->evolution.n_classes = 0;
    free(sc->design.values[0]);
    free(sc->design.values[1]);
    free(sc->design.values[2]);
    memset(&sc->design, 0, sizeof sc->design);
    free(sc->population_analysis.types);
    free(sc->population_analysis.payoff_matrix);
    memset(&sc->population_analysis, 0, sizeof sc->population_analysis);
}

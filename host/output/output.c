/* output.c — the table / csv / jsonl / json writers for
 * matches, tournaments and exact answers. */
#define _POSIX_C_SOURCE 200809L /* fsync, fileno, getpid */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/output.h"

dlm_status dlm_format_parse(const char *text, dlm_format *out, dlm_error *err)
{
    static const char *names[] = {"table", "csv", "jsonl", "json"};
    int i;
    for (i = 0; i < 4; ++i)
        if (strcmp(text, names[i]) == 0) {
            *out = (dlm_format)i;
            return DLM_OK;
        }
    return dlm_error_set(err, DLM_ERR_USAGE,
                         "unknown output format '%s' (allowed: table, csv, jsonl, json)", text);
}

int dlm_format_from_path(const char *path, dlm_format *out)
{
    static const struct {
        const char *ext;
        dlm_format fmt;
    } known[] = {{".csv", DLM_FMT_CSV}, {".jsonl", DLM_FMT_JSONL}, {".json", DLM_FMT_JSON}};
    size_t len = path ? strlen(path) : 0, i;
    for (i = 0; i < sizeof known / sizeof known[0]; ++i) {
        size_t e = strlen(known[i].ext);
        if (len > e && strcmp(path + len - e, known[i].ext) == 0 && path[len - e - 1] != '/') {
            *out = known[i].fmt;
            return 1;
        }
    }
    return 0;
}

void dlm_json_string(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (; *s; ++s) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(fp, "\\%c", c);
        else if (c < 0x20)
            fprintf(fp, "\\u%04x", c);
        else
            fputc(c, fp);
    }
    fputc('"', fp);
}


void dlm_csv_field(FILE *fp, const char *s)
{
    size_t len = strlen(s);
    if (!strpbrk(s, ",\"\r\n") && !(len && (s[0] == ' ' || s[len - 1] == ' '))) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; ++s) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

const char *dlm_game_text(const dlm_game *g, char *buf, size_t len)
{
    snprintf(buf, len, "%s (R=%g S=%g T=%g P=%g; %s)", g->name, g->R, g->S, g->T, g->P,
             dlm_game_class_name(dlm_game_classify(g)));
    return buf;
}

void dlm_write_game_lines(FILE *fp, const dlm_scenario *sc)
{
    char game[256];
    if (!sc->asymmetric) {
        fprintf(fp, "game %s\n", dlm_game_text(&sc->game, game, sizeof game));
        return;
    }
    fprintf(fp, "asymmetric game, each player paid by its own matrix:\n");
    fprintf(fp, "  player A: %s\n", dlm_game_text(&sc->game, game, sizeof game));
    fprintf(fp, "  player B: %s\n", dlm_game_text(&sc->game_b, game, sizeof game));
}

/* --- numbers and settings -------------------------------------------------------------- */

/* A csv number: empty when it is not a number (a standard error of one repetition). */
static void csv_num(FILE *fp, double x)
{
    if (isfinite(x))
        dlm_print_double(fp, x);
}

/* A json number: null when it is not a number. */
static void json_num(FILE *fp, double x)
{
    if (isfinite(x))
        dlm_print_double(fp, x);
    else
        fputs("null", fp);
}

/* ,"key":x */
static void json_member(FILE *fp, const char *key, double x)
{
    fprintf(fp, ",\"%s\":", key);
    json_num(fp, x);
}

const char *dlm_csv_settings_header(const dlm_scenario *sc)
{
    return sc->asymmetric ? "seed,game,game_class,R,S,T,P,game_b,game_class_b,R_b,S_b,T_b,P_b,"
                            "rounds,continuation"
                          : "seed,game,game_class,R,S,T,P,rounds,continuation";
}

/* A game's name, class and payoffs as csv values, with a leading comma. */
static void csv_game(FILE *fp, const dlm_game *g)
{
    fputc(',', fp);
    dlm_csv_field(fp, g->name);
    fprintf(fp, ",%s,", dlm_game_class_id(dlm_game_classify(g)));
    dlm_print_double(fp, g->R);
    fputc(',', fp);
    dlm_print_double(fp, g->S);
    fputc(',', fp);
    dlm_print_double(fp, g->T);
    fputc(',', fp);
    dlm_print_double(fp, g->P);
}

void dlm_csv_settings(FILE *fp, const dlm_scenario *sc)
{
    fputs(sc->sweep_csv_values, fp); /* a sweep point's columns, else nothing */
    fprintf(fp, "%llu", (unsigned long long)sc->seed);
    csv_game(fp, &sc->game);
    if (sc->asymmetric)
        csv_game(fp, &sc->game_b);
    fprintf(fp, ",%u,", sc->rounds);
    if (sc->geometric)
        dlm_print_double(fp, sc->continuation);
}

/* "key":{"name":...,"class":...,"R":...,...} */
static void json_game(FILE *fp, const char *key, const dlm_game *g)
{
    fprintf(fp, "\"%s\":{\"name\":", key);
    dlm_json_string(fp, g->name);
    fprintf(fp, ",\"class\":\"%s\"", dlm_game_class_id(dlm_game_classify(g)));
    json_member(fp, "R", g->R);
    json_member(fp, "S", g->S);
    json_member(fp, "T", g->T);
    json_member(fp, "P", g->P);
    fputc('}', fp);
}

void dlm_json_settings(FILE *fp, const dlm_scenario *sc)
{
    fputs(sc->sweep_json, fp); /* a sweep point's members, else nothing */
    fprintf(fp, "\"seed\":%llu,", (unsigned long long)sc->seed);
    json_game(fp, "game", &sc->game);
    if (sc->asymmetric) {
        fputc(',', fp);
        json_game(fp, "game_b", &sc->game_b);
    }
    fprintf(fp, ",\"match\":{\"rounds\":%u,\"continuation\":", sc->rounds);
    if (sc->geometric)
        dlm_print_double(fp, sc->continuation);
    else
        fputs("null", fp);
    fputc('}', fp);
}

/* A player's noise and timescales as csv columns (names with a prefix, or values). */
static void csv_player_header(FILE *fp, const char *prefix)
{
    fprintf(fp, "%sexecution_error,%sperception_error,%sreaction_period,%sobservation_delay",
            prefix, prefix, prefix, prefix);
}

static void csv_player(FILE *fp, const dlm_player_spec *p)
{
    dlm_print_double(fp, p->execution_error);
    fputc(',', fp);
    dlm_print_double(fp, p->perception_error);
    fprintf(fp, ",%u,%u", p->reaction_period, p->observation_delay);
}

/* The same as JSON members, each with a leading comma. */
static void json_player(FILE *fp, const char *prefix, const dlm_player_spec *p)
{
    fprintf(fp, ",\"%sexecution_error\":", prefix);
    dlm_print_double(fp, p->execution_error);
    fprintf(fp, ",\"%sperception_error\":", prefix);
    dlm_print_double(fp, p->perception_error);
    fprintf(fp, ",\"%sreaction_period\":%u,\"%sobservation_delay\":%u", prefix,
            p->reaction_period, prefix, p->observation_delay);
}

/* The match length rule for people: "200 rounds" or "geometric length (w = 0.99, at most
 * 6400 rounds)". */
static const char *length_text(const dlm_scenario *sc, char *buf, size_t len)
{
    if (sc->geometric)
        snprintf(buf, len, "geometric length (continuation %g, at most %u rounds)",
                 sc->continuation, sc->rounds);
    else
        snprintf(buf, len, "%u rounds", sc->rounds);
    return buf;
}

/* The noise and timescales of a set of players for people: each parameter's value, or
 * its range when they differ ("execution error 0.01, perception error per entrant (0 to
 * 0.05), reaction period 1, observation delay 0"), or "none" for the ordinary game. */
static const char *noise_text(const dlm_player_spec *p, size_t n, const char *each, char *buf,
                              size_t len)
{
    double lo[4], hi[4];
    static const char *names[4] = {"execution error", "perception error", "reaction period",
                                   "observation delay"};
    size_t i, used = 0;
    int k;
    for (i = 0; i < n; ++i) {
        double v[4];
        v[0] = p[i].execution_error;
        v[1] = p[i].perception_error;
        v[2] = p[i].reaction_period;
        v[3] = p[i].observation_delay;
        for (k = 0; k < 4; ++k) {
            if (i == 0 || v[k] < lo[k])
                lo[k] = v[k];
            if (i == 0 || v[k] > hi[k])
                hi[k] = v[k];
        }
    }
    buf[0] = '\0';
    if (n && lo[0] == 0 && hi[0] == 0 && lo[1] == 0 && hi[1] == 0 && lo[2] == 1 && hi[2] == 1 &&
        lo[3] == 0 && hi[3] == 0) {
        snprintf(buf, len, "none (execution error 0, perception error 0, reaction period 1, "
                           "observation delay 0)");
        return buf;
    }
    for (k = 0; k < 4 && used < len; ++k) {
        int w;
        if (lo[k] == hi[k])
            w = snprintf(buf + used, len - used, "%s%s %g", k ? ", " : "", names[k], lo[k]);
        else
            w = snprintf(buf + used, len - used, "%s%s %s (%g to %g)", k ? ", " : "", names[k],
                         each, lo[k], hi[k]);
        if (w > 0)
            used += (size_t)w;
    }
    return buf;
}

static const char mv[2] = {'C', 'D'};

/* The six moves of round t of a trace: A intended, realised, perceived; B likewise. */
static void trace_moves(const dlm_match_report *r, uint32_t t, char m[6])
{
    uint8_t b = r->trace[t];
    m[0] = mv[!!(b & DLM_TRACE_A_INTENDED)];
    m[1] = mv[!!(b & DLM_TRACE_A_REALISED)];
    m[2] = mv[!!(b & DLM_TRACE_A_PERCEIVED)];
    m[3] = mv[!!(b & DLM_TRACE_B_INTENDED)];
    m[4] = mv[!!(b & DLM_TRACE_B_REALISED)];
    m[5] = mv[!!(b & DLM_TRACE_B_PERCEIVED)];
}

/* --- matches -------------------------------------------------------------------------- */

/* "players":[{"player":"A","strategy":...,noise},...] without the results. */
static void json_players_settings(FILE *fp, const dlm_scenario *sc, const dlm_match_report *r)
{
    int i;
    fputs(",\"players\":[", fp);
    for (i = 0; i < 2; ++i) {
        fprintf(fp, "%s{\"player\":\"%c\",\"strategy\":", i ? "," : "", 'A' + i);
        dlm_json_string(fp, r->defs[i].label);
        json_player(fp, "", &sc->players[i]);
        fputc('}', fp);
    }
    fputc(']', fp);
}

static void json_round(FILE *fp, const dlm_match_report *r, uint32_t t)
{
    char m[6];
    trace_moves(r, t, m);
    fprintf(fp, "\"round\":%u,\"a\":{\"intended\":\"%c\",\"realised\":\"%c\",\"perceived\":"
                "\"%c\"},\"b\":{\"intended\":\"%c\",\"realised\":\"%c\",\"perceived\":\"%c\"}",
            t, m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void trace_table(FILE *fp, const dlm_match_report *r)
{
    uint32_t t;
    fputs("round  A: intended realised saw-B   B: intended realised saw-A\n", fp);
    for (t = 0; t < r->result.rounds; ++t) {
        char m[6];
        trace_moves(r, t, m);
        fprintf(fp, "%5u     %c        %c        %c           %c        %c        %c\n", t, m[0],
                m[1], m[2], m[3], m[4], m[5]);
    }
}

static void trace_csv(FILE *fp, const dlm_scenario *sc, const dlm_match_report *r)
{
    uint32_t t;
    int i;
    fprintf(fp, "%s%s,a_strategy,", sc->sweep_csv_header, dlm_csv_settings_header(sc));
    csv_player_header(fp, "a_");
    fputs(",b_strategy,", fp);
    csv_player_header(fp, "b_");
    fputs(",round,a_intended,a_realised,a_perceived,b_intended,b_realised,b_perceived\n", fp);
    for (t = 0; t < r->result.rounds; ++t) {
        char m[6];
        trace_moves(r, t, m);
        dlm_csv_settings(fp, sc);
        for (i = 0; i < 2; ++i) {
            fputc(',', fp);
            dlm_csv_field(fp, r->defs[i].label);
            fputc(',', fp);
            csv_player(fp, &sc->players[i]);
        }
        fprintf(fp, ",%u,%c,%c,%c,%c,%c,%c\n", t, m[0], m[1], m[2], m[3], m[4], m[5]);
    }
}

/* One "round" record per round, each with the settings: JSON lines, or (as_array) the
 * elements of one JSON array. */
static void trace_records(FILE *fp, const dlm_scenario *sc, const dlm_match_report *r,
                          int as_array)
{
    uint32_t t;
    if (as_array)
        fputc('[', fp);
    for (t = 0; t < r->result.rounds; ++t) {
        if (as_array && t)
            fputs(",\n", fp);
        fputs("{\"type\":\"round\",", fp);
        dlm_json_settings(fp, sc);
        json_players_settings(fp, sc, r);
        fputc(',', fp);
        json_round(fp, r, t);
        fputs(as_array ? "}" : "}\n", fp);
    }
    if (as_array)
        fputs("]\n", fp);
}

void dlm_write_trace(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                     const dlm_match_report *r)
{
    if (!r->trace)
        return;
    if (fmt == DLM_FMT_TABLE)
        trace_table(fp, r);
    else if (fmt == DLM_FMT_CSV)
        trace_csv(fp, sc, r);
    else
        trace_records(fp, sc, r, fmt == DLM_FMT_JSON);
}

/* The match object's members (no braces): settings, results, players. */
static void json_match(FILE *fp, const dlm_scenario *sc, const dlm_match_report *r,
                       const char *backend)
{
    int i;
    fputs("\"type\":\"match\",", fp);
    dlm_json_settings(fp, sc);
    fprintf(fp, ",\"repetitions\":%u", r->repetitions);
    if (backend) {
        fputs(",\"backend\":", fp);
        dlm_json_string(fp, backend);
    }
    json_member(fp, "rounds_played", r->rounds);
    fprintf(fp, ",\"outcomes\":{\"CC\":%llu,\"CD\":%llu,\"DC\":%llu,\"DD\":%llu},\"players\":[",
            (unsigned long long)r->outcome[0], (unsigned long long)r->outcome[1],
            (unsigned long long)r->outcome[2], (unsigned long long)r->outcome[3]);
    for (i = 0; i < 2; ++i) {
        fprintf(fp, "%s{\"player\":\"%c\",\"strategy\":", i ? "," : "", 'A' + i);
        dlm_json_string(fp, r->defs[i].label);
        json_player(fp, "", &sc->players[i]);
        json_member(fp, "total_payoff", r->total[i]);
        json_member(fp, "total_payoff_se", r->total_se[i]);
        json_member(fp, "mean_payoff", r->mean[i]);
        json_member(fp, "mean_payoff_se", r->mean_se[i]);
        json_member(fp, "cooperation_rate", r->cooperation[i]);
        json_member(fp, "cooperation_rate_se", r->cooperation_se[i]);
        fputc('}', fp);
    }
    fputc(']', fp);
}

void dlm_write_match(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                     const dlm_match_report *r, const char *backend, int with_trace)
{
    int i, reps = r->repetitions > 1;
    with_trace = with_trace && r->trace;
    if (fmt == DLM_FMT_TABLE) {
        char length[128];
        fprintf(fp, "match: %s vs %s, %s, seed %llu", r->defs[0].label, r->defs[1].label,
                length_text(sc, length, sizeof length), (unsigned long long)sc->seed);
        if (reps)
            fprintf(fp, ", %u repetitions (means and their standard errors)\n", r->repetitions);
        else
            fputc('\n', fp);
        dlm_write_game_lines(fp, sc);
        if (sc->geometric || reps)
            fprintf(fp, "rounds played: %.*f%s\n", reps ? 2 : 0, r->rounds,
                    reps ? " per match" : "");
        fprintf(fp, "%-28s %12s %12s %12s", "player", "total", "per round", "cooperation");
        if (reps)
            fprintf(fp, " %10s %10s", "s.e. pr", "s.e. coop");
        fprintf(fp, " %s\n", "noise e/p, period k, delay d");
        for (i = 0; i < 2; ++i) {
            const dlm_player_spec *p = &sc->players[i];
            fprintf(fp, "%c %-26s %12.4f %12.6f %12.4f", 'A' + i, r->defs[i].label, r->total[i],
                    r->mean[i], r->cooperation[i]);
            if (reps)
                fprintf(fp, " %10.6f %10.6f", r->mean_se[i], r->cooperation_se[i]);
            fprintf(fp, " %g/%g, k=%u, d=%u\n", p->execution_error, p->perception_error,
                    p->reaction_period, p->observation_delay);
        }
        fprintf(fp, "outcomes (A's view%s): CC %llu  CD %llu  DC %llu  DD %llu\n",
                reps ? ", all repetitions" : "", (unsigned long long)r->outcome[0],
                (unsigned long long)r->outcome[1], (unsigned long long)r->outcome[2],
                (unsigned long long)r->outcome[3]);
        if (with_trace) {
            fputc('\n', fp);
            trace_table(fp, r);
        }
        return;
    }
    if (fmt == DLM_FMT_CSV) {
        if (with_trace) { /* one table per output: the trace replaces the summary */
            trace_csv(fp, sc, r);
            return;
        }
        fprintf(fp, "%s%s,repetitions,player,strategy,", sc->sweep_csv_header, dlm_csv_settings_header(sc));
        csv_player_header(fp, "");
        fputs(",opponent,", fp);
        csv_player_header(fp, "opponent_");
        fputs(",rounds_played,total_payoff,total_payoff_se,mean_payoff,mean_payoff_se,"
              "cooperation_rate,cooperation_rate_se\n", fp);
        for (i = 0; i < 2; ++i) {
            dlm_csv_settings(fp, sc);
            fprintf(fp, ",%u,%c,", r->repetitions, 'A' + i);
            dlm_csv_field(fp, r->defs[i].label);
            fputc(',', fp);
            csv_player(fp, &sc->players[i]);
            fputc(',', fp);
            dlm_csv_field(fp, r->defs[1 - i].label);
            fputc(',', fp);
            csv_player(fp, &sc->players[1 - i]);
            fputc(',', fp);
            csv_num(fp, r->rounds);
            fputc(',', fp);
            csv_num(fp, r->total[i]);
            fputc(',', fp);
            csv_num(fp, r->total_se[i]);
            fputc(',', fp);
            csv_num(fp, r->mean[i]);
            fputc(',', fp);
            csv_num(fp, r->mean_se[i]);
            fputc(',', fp);
            csv_num(fp, r->cooperation[i]);
            fputc(',', fp);
            csv_num(fp, r->cooperation_se[i]);
            fputc('\n', fp);
        }
        return;
    }
    fputc('{', fp);
    json_match(fp, sc, r, backend);
    if (fmt == DLM_FMT_JSONL) {
        fputs("}\n", fp);
        if (with_trace)
            trace_records(fp, sc, r, 0);
        return;
    }
    if (with_trace) {
        uint32_t t;
        fputs(",\"trace\":[", fp);
        for (t = 0; t < r->result.rounds; ++t) {
            fputs(t ? ",\n{" : "\n{", fp);
            json_round(fp, r, t);
            fputc('}', fp);
        }
        fputc(']', fp);
    }
    fputs("}\n", fp);
}

/* --- tournaments ---------------------------------------------------------------------- */

static const char csv_tournament_header[] = "repetitions,self_play";

static void csv_tournament(FILE *fp, const dlm_scenario *sc)
{
    dlm_csv_settings(fp, sc);
    fprintf(fp, ",%u,%s", sc->repetitions, sc->self_play ? "true" : "false");
}

static void json_tournament_settings(FILE *fp, const dlm_scenario *sc)
{
    dlm_json_settings(fp, sc);
    fprintf(fp, ",\"repetitions\":%u,\"self_play\":%s", sc->repetitions,
            sc->self_play ? "true" : "false");
}

/* A ranking entry's members (no braces): place, strategy, noise, figures. */
static void json_ranking_members(FILE *fp, const dlm_scenario *sc, const dlm_tournament_report *r,
                                 size_t place)
{
    size_t s = r->rank[place];
    fprintf(fp, "\"rank\":%zu,\"strategy\":", place + 1);
    dlm_json_string(fp, r->labels[s]);
    json_player(fp, "", &sc->entrants[s]);
    json_member(fp, "mean_payoff", r->mean_payoff[s]);
    json_member(fp, "mean_payoff_se", r->mean_payoff_se[s]);
    fprintf(fp, ",\"wins\":%llu,\"matches\":%llu", (unsigned long long)r->wins[s],
            (unsigned long long)r->matches[s]);
    json_member(fp, "cooperation_rate", r->cooperation[s]);
}

/* A payoff matrix cell's members (no braces). */
static void json_cell_members(FILE *fp, const dlm_scenario *sc, const dlm_tournament_report *r,
                              size_t i, size_t j)
{
    fputs("\"row\":", fp);
    dlm_json_string(fp, r->labels[i]);
    fputs(",\"column\":", fp);
    dlm_json_string(fp, r->labels[j]);
    json_player(fp, "row_", &sc->entrants[i]);
    json_player(fp, "column_", &sc->entrants[j]);
    json_member(fp, "mean_payoff", r->matrix[i * r->n + j]);
    json_member(fp, "mean_payoff_se", r->matrix_se[i * r->n + j]);
}

/* An entrant's figures in one repetition (no braces). */
static void json_repetition_members(FILE *fp, const dlm_scenario *sc,
                                    const dlm_tournament_report *r, size_t rep, size_t i)
{
    size_t k = rep * r->n + i;
    fprintf(fp, "\"repetition\":%zu,\"strategy\":", rep);
    dlm_json_string(fp, r->labels[i]);
    json_player(fp, "", &sc->entrants[i]);
    json_member(fp, "mean_payoff", r->rep_payoff[k]);
    fprintf(fp, ",\"wins\":%llu,\"matches\":%llu", (unsigned long long)r->rep_wins[k],
            (unsigned long long)(r->matches[i] / r->repetitions));
    json_member(fp, "cooperation_rate", r->rep_cooperation[k]);
}

static int cell_played(const dlm_scenario *sc, size_t i, size_t j)
{
    return i != j || sc->self_play;
}

/* The records of one part (ranking = 0) as JSON lines or as the elements of an array. */
static void tournament_records(FILE *fp, const dlm_scenario *sc, const dlm_tournament_report *r,
                               unsigned part, int as_array)
{
    size_t i, j, n = r->n;
    int first = 1;
#define OPEN_RECORD(type)                                                                     \
    do {                                                                                      \
        if (as_array && !first)                                                               \
            fputs(",\n", fp);                                                                 \
        first = 0;                                                                            \
        fputs("{\"type\":\"" type "\",", fp);                                                 \
        json_tournament_settings(fp, sc);                                                     \
        fputc(',', fp);                                                                       \
    } while (0)
    if (as_array)
        fputc('[', fp);
    if (part == 0)
        for (i = 0; i < n; ++i) {
            OPEN_RECORD("ranking");
            json_ranking_members(fp, sc, r, i);
            fputs(as_array ? "}" : "}\n", fp);
        }
    if (part == DLM_PART_MATRIX)
        for (i = 0; i < n; ++i)
            for (j = 0; j < n; ++j) {
                if (!cell_played(sc, i, j))
                    continue;
                OPEN_RECORD("payoff");
                json_cell_members(fp, sc, r, i, j);
                fputs(as_array ? "}" : "}\n", fp);
            }
    if (part == DLM_PART_REPETITIONS)
        for (j = 0; j < r->repetitions; ++j)
            for (i = 0; i < n; ++i) {
                OPEN_RECORD("repetition");
                json_repetition_members(fp, sc, r, j, i);
                fputs(as_array ? "}" : "}\n", fp);
            }
#undef OPEN_RECORD
    if (as_array)
        fputs("]\n", fp);
}

static void tournament_csv(FILE *fp, const dlm_scenario *sc, const dlm_tournament_report *r,
                           unsigned part)
{
    size_t i, j, n = r->n;
    fprintf(fp, "%s%s,%s,", sc->sweep_csv_header, dlm_csv_settings_header(sc), csv_tournament_header);
    if (part == DLM_PART_MATRIX) {
        fputs("row,column,", fp);
        csv_player_header(fp, "row_");
        fputc(',', fp);
        csv_player_header(fp, "column_");
        fputs(",mean_payoff,mean_payoff_se\n", fp);
        for (i = 0; i < n; ++i)
            for (j = 0; j < n; ++j) {
                if (!cell_played(sc, i, j))
                    continue;
                csv_tournament(fp, sc);
                fputc(',', fp);
                dlm_csv_field(fp, r->labels[i]);
                fputc(',', fp);
                dlm_csv_field(fp, r->labels[j]);
                fputc(',', fp);
                csv_player(fp, &sc->entrants[i]);
                fputc(',', fp);
                csv_player(fp, &sc->entrants[j]);
                fputc(',', fp);
                csv_num(fp, r->matrix[i * n + j]);
                fputc(',', fp);
                csv_num(fp, r->matrix_se[i * n + j]);
                fputc('\n', fp);
            }
        return;
    }
    if (part == DLM_PART_REPETITIONS) {
        fputs("repetition,strategy,", fp);
        csv_player_header(fp, "");
        fputs(",mean_payoff,wins,matches,cooperation_rate\n", fp);
        for (j = 0; j < r->repetitions; ++j)
            for (i = 0; i < n; ++i) {
                size_t k = j * n + i;
                csv_tournament(fp, sc);
                fprintf(fp, ",%zu,", j);
                dlm_csv_field(fp, r->labels[i]);
                fputc(',', fp);
                csv_player(fp, &sc->entrants[i]);
                fputc(',', fp);
                csv_num(fp, r->rep_payoff[k]);
                fprintf(fp, ",%llu,%llu,", (unsigned long long)r->rep_wins[k],
                        (unsigned long long)(r->matches[i] / r->repetitions));
                csv_num(fp, r->rep_cooperation[k]);
                fputc('\n', fp);
            }
        return;
    }
    fputs("rank,strategy,", fp);
    csv_player_header(fp, "");
    fputs(",mean_payoff,mean_payoff_se,wins,matches,cooperation_rate\n", fp);
    for (i = 0; i < n; ++i) {
        size_t s = r->rank[i];
        csv_tournament(fp, sc);
        fprintf(fp, ",%zu,", i + 1);
        dlm_csv_field(fp, r->labels[s]);
        fputc(',', fp);
        csv_player(fp, &sc->entrants[s]);
        fputc(',', fp);
        csv_num(fp, r->mean_payoff[s]);
        fputc(',', fp);
        csv_num(fp, r->mean_payoff_se[s]);
        fprintf(fp, ",%llu,%llu,", (unsigned long long)r->wins[s],
                (unsigned long long)r->matches[s]);
        csv_num(fp, r->cooperation[s]);
        fputc('\n', fp);
    }
}

/* Width of the widest label (at least min). */
static int label_width(const dlm_tournament_report *r, int min)
{
    size_t i;
    int w = min;
    for (i = 0; i < r->n; ++i)
        if ((int)strlen(r->labels[i]) > w)
            w = (int)strlen(r->labels[i]);
    return w;
}

/* The payoff matrix for people: rows numbered and named in full, columns numbered as
 * the rows, so that no label is ever cut. */
static void matrix_table(FILE *fp, const dlm_scenario *sc, const dlm_tournament_report *r)
{
    size_t i, j, n = r->n;
    int w = label_width(r, 8), nw = n >= 1000 ? 5 : n >= 100 ? 4 : 3;
    fputs("payoff matrix (mean payoff per round of the row against the column; columns are "
          "numbered as the rows)\n", fp);
    fprintf(fp, "%*s  %-*s", nw, "", w, "");
    for (j = 0; j < n; ++j)
        fprintf(fp, " %9zu", j + 1);
    fputc('\n', fp);
    for (i = 0; i < n; ++i) {
        fprintf(fp, "%*zu  %-*s", nw, i + 1, w, r->labels[i]);
        for (j = 0; j < n; ++j) {
            if (!cell_played(sc, i, j))
                fprintf(fp, " %9s", "-");
            else
                fprintf(fp, " %9.4f", r->matrix[i * n + j]);
        }
        fputc('\n', fp);
    }
}

static void repetitions_table(FILE *fp, const dlm_tournament_report *r)
{
    size_t i, j, n = r->n;
    fputs("per repetition: each entrant's mean payoff per round over its opponents (columns "
          "are numbered as the matrix's rows)\n", fp);
    fprintf(fp, "%10s", "repetition");
    for (j = 0; j < n; ++j)
        fprintf(fp, " %9zu", j + 1);
    fputc('\n', fp);
    for (i = 0; i < r->repetitions; ++i) {
        fprintf(fp, "%10zu", i);
        for (j = 0; j < n; ++j)
            fprintf(fp, " %9.4f", r->rep_payoff[i * n + j]);
        fputc('\n', fp);
    }
}

void dlm_write_tournament_part(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                               const dlm_tournament_report *r, unsigned part)
{
    if (fmt == DLM_FMT_TABLE) {
        if (part == DLM_PART_MATRIX)
            matrix_table(fp, sc, r);
        else
            repetitions_table(fp, r);
    } else if (fmt == DLM_FMT_CSV) {
        tournament_csv(fp, sc, r, part);
    } else {
        tournament_records(fp, sc, r, part, fmt == DLM_FMT_JSON);
    }
}

void dlm_write_tournament(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                          const dlm_tournament_report *r, const char *backend, unsigned parts)
{
    size_t i, j, n = r->n;
    if (fmt == DLM_FMT_TABLE) {
        char length[128], noise[512];
        int w = label_width(r, 24), reps = r->repetitions > 1;
        fprintf(fp, "tournament: %zu strategies, %u repetition%s, %s, self-play %s, seed %llu\n",
                n, sc->repetitions, sc->repetitions == 1 ? "" : "s",
                length_text(sc, length, sizeof length), sc->self_play ? "on" : "off",
                (unsigned long long)sc->seed);
        dlm_write_game_lines(fp, sc);
        fprintf(fp, "noise: %s\n",
                noise_text(sc->entrants, n, "per entrant", noise, sizeof noise));
        fprintf(fp, "%4s  %-*s %12s %10s %8s %12s\n", "rank", w, "strategy", "mean payoff",
                reps ? "s.e." : "", "wins", "cooperation");
        for (i = 0; i < n; ++i) {
            size_t s = r->rank[i];
            fprintf(fp, "%4zu  %-*s %12.4f ", i + 1, w, r->labels[s], r->mean_payoff[s]);
            if (reps)
                fprintf(fp, "%10.4f", r->mean_payoff_se[s]);
            else
                fprintf(fp, "%10s", "");
            fprintf(fp, " %8llu %12.4f\n", (unsigned long long)r->wins[s], r->cooperation[s]);
        }
        fputc('\n', fp);
        matrix_table(fp, sc, r);
        if (parts & DLM_PART_REPETITIONS) {
            fputc('\n', fp);
            repetitions_table(fp, r);
        }
        fprintf(fp, "\n%llu matches, %llu rounds%s%s\n", (unsigned long long)r->total_matches,
                (unsigned long long)r->total_rounds, backend ? ", backend " : "",
                backend ? backend : "");
        return;
    }
    if (fmt == DLM_FMT_CSV) {
        tournament_csv(fp, sc, r, parts & DLM_PART_MATRIX        ? DLM_PART_MATRIX
                                  : parts & DLM_PART_REPETITIONS ? DLM_PART_REPETITIONS
                                                                 : 0);
        return;
    }
    if (fmt == DLM_FMT_JSONL) {
        tournament_records(fp, sc, r, 0, 0);
        tournament_records(fp, sc, r, DLM_PART_MATRIX, 0);
        if (parts & DLM_PART_REPETITIONS)
            tournament_records(fp, sc, r, DLM_PART_REPETITIONS, 0);
        return;
    }
    fputs("{\"type\":\"tournament\",", fp);
    json_tournament_settings(fp, sc);
    if (backend) {
        fputs(",\"backend\":", fp);
        dlm_json_string(fp, backend);
    }
    fprintf(fp, ",\"total_matches\":%llu,\"total_rounds\":%llu,\"strategies\":[",
            (unsigned long long)r->total_matches, (unsigned long long)r->total_rounds);
    for (i = 0; i < n; ++i) {
        if (i)
            fputc(',', fp);
        dlm_json_string(fp, r->labels[i]);
    }
    fputs("],\"entrants\":[", fp);
    for (i = 0; i < n; ++i) {
        fputs(i ? ",{\"strategy\":" : "{\"strategy\":", fp);
        dlm_json_string(fp, r->labels[i]);
        fputs(",\"base_strategy\":", fp);
        dlm_json_string(fp, r->defs[i].label);
        json_player(fp, "", &sc->entrants[i]);
        fputc('}', fp);
    }
    fputs("],\"ranking\":[", fp);
    for (i = 0; i < n; ++i) {
        fputs(i ? ",\n{" : "\n{", fp);
        json_ranking_members(fp, sc, r, i);
        fputc('}', fp);
    }
    fputs("],\n\"payoff_matrix\":[", fp);
    for (i = 0; i < n; ++i) {
        fputs(i ? ",[" : "[", fp);
        for (j = 0; j < n; ++j) {
            if (j)
                fputc(',', fp);
            json_num(fp, cell_played(sc, i, j) ? r->matrix[i * n + j] : NAN);
        }
        fputc(']', fp);
    }
    fputs("],\n\"payoff_matrix_se\":[", fp);
    for (i = 0; i < n; ++i) {
        fputs(i ? ",[" : "[", fp);
        for (j = 0; j < n; ++j) {
            if (j)
                fputc(',', fp);
            json_num(fp, r->matrix_se[i * n + j]);
        }
        fputc(']', fp);
    }
    fputc(']', fp);
    if (parts & DLM_PART_REPETITIONS) {
        fputs(",\n\"per_repetition\":[", fp);
        for (j = 0; j < r->repetitions; ++j)
            for (i = 0; i < n; ++i) {
                fputs(i || j ? ",\n{" : "\n{", fp);
                json_repetition_members(fp, sc, r, j, i);
                fputc('}', fp);
            }
        fputc(']', fp);
    }
    fputs("}\n", fp);
}

/* --- exact answers -------------------------------------------------------------------- */

static void json_array(FILE *fp, const double *x, int n)
{
    int i;
    fputc('[', fp);
    for (i = 0; i < n; ++i) {
        if (i)
            fputc(',', fp);
        json_num(fp, x[i]);
    }
    fputc(']', fp);
}

/* The table's description of the chain: the 4 x 4 transition matrix of the ordinary
 * game, or the size of the chain of the timescales. */
static void write_exact_chain(FILE *fp, const dlm_scenario *sc, const dlm_exact_result *r)
{
    static const char *st[4] = {"CC", "CD", "DC", "DD"};
    int i, j;
    if (r->chain_states > 4) {
        fprintf(fp, "reaction period %u / %u, observation delay %u / %u\n\n"
                    "a Markov chain of %llu states (the phase of both reaction clocks, both "
                    "intended moves, the outcomes of the last rounds as each player saw "
                    "them)\n", sc->players[0].reaction_period, sc->players[1].reaction_period,
                sc->players[0].observation_delay, sc->players[1].observation_delay,
                (unsigned long long)r->chain_states);
    } else {
        fputs("\ntransition matrix (A's view; row = this round, column = next round)\n      ",
              fp);
        for (j = 0; j < 4; ++j)
            fprintf(fp, " %10s", st[j]);
        fputc('\n', fp);
        for (i = 0; i < 4; ++i) {
            fprintf(fp, "  %s  ", st[i]);
            for (j = 0; j < 4; ++j)
                fprintf(fp, " %10.6f", r->transition[i][j]);
            fputc('\n', fp);
        }
    }
}

void dlm_write_exact(FILE *fp, dlm_format fmt, const dlm_scenario *sc, const char *labels[2],
                     const dlm_exact_result *r)
{
    int i, j;
    if (fmt == DLM_FMT_TABLE) {
        char length[128];
        fprintf(fp, "exact analysis: %s vs %s, %s\n", labels[0], labels[1],
                length_text(sc, length, sizeof length));
        dlm_write_game_lines(fp, sc);
        fprintf(fp, "execution error %g / %g, perception error %g / %g\n",
                sc->players[0].execution_error, sc->players[1].execution_error,
                sc->players[0].perception_error, sc->players[1].perception_error);
        write_exact_chain(fp, sc, r);
        fprintf(fp, "\n%s distribution: CC %.6f  CD %.6f  DC %.6f  DD %.6f\n",
                r->stationary_unique  ? "stationary"
                : r->chain_states > 4 ? "long-run (the average over rounds from the start)"
                                      : "long-run (Cesaro limit from the start; no unique "
                                        "stationary)",
                r->stationary[0], r->stationary[1], r->stationary[2], r->stationary[3]);
        fprintf(fp, "long-run payoff per round:  A %.6f  B %.6f\n", r->long_run_payoff[0],
                r->long_run_payoff[1]);
        fprintf(fp, "long-run cooperation:       A %.6f  B %.6f\n", r->long_run_cooperation[0],
                r->long_run_cooperation[1]);
        fprintf(fp, "\nexpected over a match of %s%.6g rounds:\n",
                sc->geometric ? "geometric length, mean " : "", r->expected_rounds);
        fprintf(fp, "  total payoff:  A %.6f  B %.6f\n", r->expected_total[0], r->expected_total[1]);
        fprintf(fp, "  cooperation:   A %.6f  B %.6f\n", r->expected_cooperation[0],
                r->expected_cooperation[1]);
        return;
    }
    if (fmt == DLM_FMT_CSV) {
        fprintf(fp, "%s%s,player,strategy,", sc->sweep_csv_header, dlm_csv_settings_header(sc));
        csv_player_header(fp, "");
        fputs(",opponent,", fp);
        csv_player_header(fp, "opponent_");
        fputs(",long_run_payoff,long_run_cooperation,expected_total_payoff,"
              "expected_cooperation,expected_rounds,stationary_unique,stationary_cc,"
              "stationary_cd,stationary_dc,stationary_dd\n", fp);
        for (i = 0; i < 2; ++i) {
            dlm_csv_settings(fp, sc);
            fprintf(fp, ",%c,", 'A' + i);
            dlm_csv_field(fp, labels[i]);
            fputc(',', fp);
            csv_player(fp, &sc->players[i]);
            fputc(',', fp);
            dlm_csv_field(fp, labels[1 - i]);
            fputc(',', fp);
            csv_player(fp, &sc->players[1 - i]);
            fputc(',', fp);
            csv_num(fp, r->long_run_payoff[i]);
            fputc(',', fp);
            csv_num(fp, r->long_run_cooperation[i]);
            fputc(',', fp);
            csv_num(fp, r->expected_total[i]);
            fputc(',', fp);
            csv_num(fp, r->expected_cooperation[i]);
            fputc(',', fp);
            csv_num(fp, r->expected_rounds);
            fprintf(fp, ",%s", r->stationary_unique ? "true" : "false");
            for (j = 0; j < 4; ++j) {
                fputc(',', fp);
                csv_num(fp, r->stationary[j]);
            }
            fputc('\n', fp);
        }
        return;
    }
    fputs("{\"type\":\"exact\",", fp);
    dlm_json_settings(fp, sc);
    fputs(",\"players\":[", fp);
    for (i = 0; i < 2; ++i) {
        fprintf(fp, "%s{\"player\":\"%c\",\"strategy\":", i ? "," : "", 'A' + i);
        dlm_json_string(fp, labels[i]);
        json_player(fp, "", &sc->players[i]);
        json_member(fp, "long_run_payoff", r->long_run_payoff[i]);
        json_member(fp, "long_run_cooperation", r->long_run_cooperation[i]);
        json_member(fp, "expected_total_payoff", r->expected_total[i]);
        json_member(fp, "expected_cooperation", r->expected_cooperation[i]);
        fputc('}', fp);
    }
    fputs("],\"strategies\":[", fp);
    dlm_json_string(fp, labels[0]);
    fputc(',', fp);
    dlm_json_string(fp, labels[1]);
    fprintf(fp, "],\"chain_states\":%llu,\"transition\":", (unsigned long long)r->chain_states);
    if (r->chain_states > 4) {
        fputs("null", fp); /* no 4 x 4 matrix: the chain of the timescales is larger */
    } else {
        for (i = 0; i < 4; ++i) {
            fputc(i ? ',' : '[', fp);
            json_array(fp, r->transition[i], 4);
        }
        fputc(']', fp);
    }
    fprintf(fp, ",\"stationary_unique\":%s,\"stationary\":",
            r->stationary_unique ? "true" : "false");
    json_array(fp, r->stationary, 4);
    fputs(",\"long_run_payoff\":", fp);
    json_array(fp, r->long_run_payoff, 2);
    fputs(",\"long_run_cooperation\":", fp);
    json_array(fp, r->long_run_cooperation, 2);
    json_member(fp, "expected_rounds", r->expected_rounds);
    fputs(",\"expected_total_payoff\":", fp);
    json_array(fp, r->expected_total, 2);
    fputs(",\"expected_cooperation\":", fp);
    json_array(fp, r->expected_cooperation, 2);
    fputs("}\n", fp);
}

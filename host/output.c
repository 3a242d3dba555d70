/* output.c — sinks (atomic files) and the table / csv / jsonl / json writers for
 * matches, tournaments and exact answers. */
#define _POSIX_C_SOURCE 200809L /* fsync, fileno, getpid */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

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

dlm_status dlm_sink_open(dlm_sink *s, const char *path, dlm_error *err)
{
    memset(s, 0, sizeof *s);
    if (!path || !path[0]) {
        s->fp = stdout;
        return DLM_OK;
    }
    if (strlen(path) > 1000)
        return dlm_error_set(err, DLM_ERR_USAGE, "output path is longer than 1000 characters");
    snprintf(s->path, sizeof s->path, "%s", path);
    snprintf(s->tmp_path, sizeof s->tmp_path, "%s.tmp.%ld", path, (long)getpid());
    s->fp = fopen(s->tmp_path, "w");
    if (!s->fp)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "cannot write %s: %s", s->tmp_path,
                             strerror(errno));
    return DLM_OK;
}

dlm_status dlm_sink_commit(dlm_sink *s, dlm_error *err)
{
    int failed;
    if (!s->fp)
        return DLM_OK;
    failed = fflush(s->fp) != 0 || ferror(s->fp);
    if (!s->path[0]) {
        s->fp = NULL;
        return failed ? dlm_error_set(err, DLM_ERR_RUNTIME, "writing standard output failed")
                      : DLM_OK;
    }
    failed = failed || fsync(fileno(s->fp)) != 0;
    failed = (fclose(s->fp) != 0) || failed;
    s->fp = NULL;
    if (failed || rename(s->tmp_path, s->path) != 0) {
        int e = errno;
        remove(s->tmp_path);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "writing %s failed: %s", s->path, strerror(e));
    }
    return DLM_OK;
}

void dlm_sink_abort(dlm_sink *s)
{
    if (s->fp && s->path[0]) {
        fclose(s->fp);
        remove(s->tmp_path);
    }
    s->fp = NULL;
}

char *dlm_format_double(char *buf, double x)
{
    int digits;
    for (digits = 15; digits <= 17; ++digits) {
        snprintf(buf, DLM_DOUBLE_TEXT, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    return buf;
}

void dlm_print_double(FILE *fp, double x)
{
    char buf[DLM_DOUBLE_TEXT];
    fputs(dlm_format_double(buf, x), fp);
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

/* A CSV field: quoted when it holds a comma, quote or newline. */
static void csv_field(FILE *fp, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
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

/* The settings every record carries, as JSON members (no braces). */
static void json_settings(FILE *fp, const dlm_scenario *sc, const char *backend)
{
    fprintf(fp, "\"seed\":%llu,\"game\":{\"name\":", (unsigned long long)sc->seed);
    dlm_json_string(fp, sc->game.name);
    fprintf(fp, ",\"R\":%.17g,\"S\":%.17g,\"T\":%.17g,\"P\":%.17g}", sc->game.R, sc->game.S,
            sc->game.T, sc->game.P);
    if (sc->geometric)
        fprintf(fp, ",\"continuation\":%.17g,\"max_rounds\":%u", sc->continuation, sc->rounds);
    else
        fprintf(fp, ",\"rounds_per_match\":%u", sc->rounds);
    if (backend) {
        fputs(",\"backend\":", fp);
        dlm_json_string(fp, backend);
    }
}

static void json_player(FILE *fp, const dlm_player_spec *p)
{
    fprintf(fp, "\"execution_error\":%.17g,\"perception_error\":%.17g,\"reaction_period\":%u,"
                "\"observation_delay\":%u", p->execution_error, p->perception_error,
            p->reaction_period, p->observation_delay);
}

void dlm_write_match(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                     const dlm_match_report *r, const char *backend)
{
    const dlm_match_result *m = &r->result;
    int i;
    if (fmt == DLM_FMT_TABLE) {
        fprintf(fp, "match: %s vs %s, %u rounds, game %s (R=%g S=%g T=%g P=%g), seed %llu\n",
                r->defs[0].label, r->defs[1].label, m->rounds, sc->game.name, sc->game.R,
                sc->game.S, sc->game.T, sc->game.P, (unsigned long long)sc->seed);
        fprintf(fp, "%-28s %12s %12s %12s %s\n", "player", "total", "per round", "cooperation",
                "noise e/p, period k, delay d");
        for (i = 0; i < 2; ++i) {
            const dlm_player_spec *p = &sc->players[i];
            fprintf(fp, "%-28s %12.4f %12.6f %12.4f %g/%g, k=%u, d=%u\n", r->defs[i].label,
                    r->total[i], r->mean[i], r->cooperation[i], p->execution_error,
                    p->perception_error, p->reaction_period, p->observation_delay);
        }
        fprintf(fp, "outcomes (A's view): CC %u  CD %u  DC %u  DD %u\n", m->outcome[0],
                m->outcome[1], m->outcome[2], m->outcome[3]);
        return;
    }
    if (fmt == DLM_FMT_CSV) {
        fputs("player,strategy,total_payoff,mean_payoff,cooperation_rate,rounds,"
              "execution_error,perception_error,reaction_period,observation_delay,seed\n", fp);
        for (i = 0; i < 2; ++i) {
            const dlm_player_spec *p = &sc->players[i];
            fprintf(fp, "%c,", 'A' + i);
            csv_field(fp, r->defs[i].label);
            fprintf(fp, ",%.17g,%.17g,%.17g,%u,%.17g,%.17g,%u,%u,%llu\n", r->total[i], r->mean[i],
                    r->cooperation[i], m->rounds, p->execution_error, p->perception_error,
                    p->reaction_period, p->observation_delay, (unsigned long long)sc->seed);
        }
        return;
    }
    /* json and jsonl: one object (on one line for jsonl). */
    fputs("{\"type\":\"match\",", fp);
    json_settings(fp, sc, backend);
    fprintf(fp, ",\"rounds\":%u,\"outcomes\":{\"CC\":%u,\"CD\":%u,\"DC\":%u,\"DD\":%u},\"players\":[",
            m->rounds, m->outcome[0], m->outcome[1], m->outcome[2], m->outcome[3]);
    for (i = 0; i < 2; ++i) {
        fprintf(fp, "%s{\"strategy\":", i ? "," : "");
        dlm_json_string(fp, r->defs[i].label);
        fprintf(fp, ",\"total_payoff\":%.17g,\"mean_payoff\":%.17g,\"cooperation_rate\":%.17g,",
                r->total[i], r->mean[i], r->cooperation[i]);
        json_player(fp, &sc->players[i]);
        fputc('}', fp);
    }
    fputs("]}\n", fp);
}

void dlm_write_trace(FILE *fp, dlm_format fmt, const dlm_match_report *r)
{
    uint32_t t;
    static const char mv[2] = {'C', 'D'};
    if (!r->trace)
        return;
    if (fmt == DLM_FMT_TABLE)
        fputs("round  A: intended realised saw-B   B: intended realised saw-A\n", fp);
    else if (fmt == DLM_FMT_CSV)
        fputs("round,a_intended,a_realised,a_perceived,b_intended,b_realised,b_perceived\n", fp);
    for (t = 0; t < r->result.rounds; ++t) {
        uint8_t b = r->trace[t];
        char ai = mv[!!(b & DLM_TRACE_A_INTENDED)], ar = mv[!!(b & DLM_TRACE_A_REALISED)],
             ap = mv[!!(b & DLM_TRACE_A_PERCEIVED)], bi = mv[!!(b & DLM_TRACE_B_INTENDED)],
             br = mv[!!(b & DLM_TRACE_B_REALISED)], bp = mv[!!(b & DLM_TRACE_B_PERCEIVED)];
        if (fmt == DLM_FMT_TABLE)
            fprintf(fp, "%5u     %c        %c        %c           %c        %c        %c\n", t,
                    ai, ar, ap, bi, br, bp);
        else if (fmt == DLM_FMT_CSV)
            fprintf(fp, "%u,%c,%c,%c,%c,%c,%c\n", t, ai, ar, ap, bi, br, bp);
        else
            fprintf(fp, "{\"type\":\"round\",\"round\":%u,\"a\":{\"intended\":\"%c\",\"realised\":"
                        "\"%c\",\"perceived\":\"%c\"},\"b\":{\"intended\":\"%c\",\"realised\":"
                        "\"%c\",\"perceived\":\"%c\"}}\n", t, ai, ar, ap, bi, br, bp);
    }
}

void dlm_write_tournament(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                          const dlm_tournament_report *r, const char *backend)
{
    size_t i, j, n = r->n;
    if (fmt == DLM_FMT_TABLE) {
        fprintf(fp, "tournament: %zu strategies, %u repetition%s, %s%u rounds, game %s "
                    "(R=%g S=%g T=%g P=%g), self-play %s, seed %llu\n", n, sc->repetitions,
                sc->repetitions == 1 ? "" : "s", sc->geometric ? "geometric length, at most " : "",
                sc->rounds, sc->game.name, sc->game.R, sc->game.S, sc->game.T, sc->game.P,
                sc->self_play ? "on" : "off", (unsigned long long)sc->seed);
        fprintf(fp, "%4s  %-24s %12s %8s %12s\n", "rank", "strategy", "mean payoff", "wins",
                "cooperation");
        for (i = 0; i < n; ++i) {
            size_t s = r->rank[i];
            fprintf(fp, "%4zu  %-24s %12.4f %8llu %12.4f\n", i + 1, r->defs[s].label,
                    r->mean_payoff[s], (unsigned long long)r->wins[s], r->cooperation[s]);
        }
        fputs("\npayoff matrix (mean payoff per round of the row against the column)\n", fp);
        fprintf(fp, "%-14s", "");
        for (j = 0; j < n; ++j)
            fprintf(fp, " %9.9s", r->defs[j].label);
        fputc('\n', fp);
        for (i = 0; i < n; ++i) {
            fprintf(fp, "%-14.14s", r->defs[i].label);
            for (j = 0; j < n; ++j) {
                if (i == j && !sc->self_play)
                    fprintf(fp, " %9s", "-");
                else
                    fprintf(fp, " %9.4f", r->matrix[i * n + j]);
            }
            fputc('\n', fp);
        }
        fprintf(fp, "\n%llu matches, %llu rounds%s%s\n", (unsigned long long)r->total_matches,
                (unsigned long long)r->total_rounds, backend ? ", backend " : "",
                backend ? backend : "");
        return;
    }
    if (fmt == DLM_FMT_CSV) {
        fputs("rank,strategy,mean_payoff,wins,matches,cooperation_rate,seed\n", fp);
        for (i = 0; i < n; ++i) {
            size_t s = r->rank[i];
            fprintf(fp, "%zu,", i + 1);
            csv_field(fp, r->defs[s].label);
            fprintf(fp, ",%.17g,%llu,%llu,%.17g,%llu\n", r->mean_payoff[s],
                    (unsigned long long)r->wins[s], (unsigned long long)r->matches[s],
                    r->cooperation[s], (unsigned long long)sc->seed);
        }
        return;
    }
    if (fmt == DLM_FMT_JSONL) {
        for (i = 0; i < n; ++i) {
            size_t s = r->rank[i];
            fprintf(fp, "{\"type\":\"ranking\",\"rank\":%zu,\"strategy\":", i + 1);
            dlm_json_string(fp, r->defs[s].label);
            fprintf(fp, ",\"mean_payoff\":%.17g,\"wins\":%llu,\"matches\":%llu,"
                        "\"cooperation_rate\":%.17g,", r->mean_payoff[s],
                    (unsigned long long)r->wins[s], (unsigned long long)r->matches[s],
                    r->cooperation[s]);
            json_settings(fp, sc, NULL);
            fputs("}\n", fp);
        }
        for (i = 0; i < n; ++i) {
            fputs("{\"type\":\"payoff_row\",\"strategy\":", fp);
            dlm_json_string(fp, r->defs[i].label);
            fputs(",\"payoffs\":[", fp);
            for (j = 0; j < n; ++j) {
                if (i == j && !sc->self_play)
                    fprintf(fp, "%snull", j ? "," : "");
                else
                    fprintf(fp, "%s%.17g", j ? "," : "", r->matrix[i * n + j]);
            }
            fputs("]}\n", fp);
        }
        return;
    }
    fputs("{\"type\":\"tournament\",", fp);
    json_settings(fp, sc, backend);
    fprintf(fp, ",\"repetitions\":%u,\"self_play\":%s,\"matches\":%llu,\"rounds\":%llu,"
                "\"strategies\":[", sc->repetitions, sc->self_play ? "true" : "false",
            (unsigned long long)r->total_matches, (unsigned long long)r->total_rounds);
    for (i = 0; i < n; ++i) {
        if (i)
            fputc(',', fp);
        dlm_json_string(fp, r->defs[i].label);
    }
    fputs("],\"payoff_matrix\":[", fp);
    for (i = 0; i < n; ++i) {
        fprintf(fp, "%s[", i ? "," : "");
        for (j = 0; j < n; ++j) {
            if (i == j && !sc->self_play)
                fprintf(fp, "%snull", j ? "," : "");
            else
                fprintf(fp, "%s%.17g", j ? "," : "", r->matrix[i * n + j]);
        }
        fputc(']', fp);
    }
    fputs("],\"ranking\":[", fp);
    for (i = 0; i < n; ++i) {
        size_t s = r->rank[i];
        fprintf(fp, "%s{\"rank\":%zu,\"strategy\":", i ? "," : "", i + 1);
        dlm_json_string(fp, r->defs[s].label);
        fprintf(fp, ",\"mean_payoff\":%.17g,\"wins\":%llu,\"matches\":%llu,"
                    "\"cooperation_rate\":%.17g}", r->mean_payoff[s],
                (unsigned long long)r->wins[s], (unsigned long long)r->matches[s],
                r->cooperation[s]);
    }
    fputs("]}\n", fp);
}

void dlm_write_exact(FILE *fp, dlm_format fmt, const dlm_scenario *sc, const char *labels[2],
                     const dlm_exact_result *r)
{
    static const char *st[4] = {"CC", "CD", "DC", "DD"};
    int i, j;
    if (fmt == DLM_FMT_TABLE) {
        fprintf(fp, "exact analysis: %s vs %s, game %s (R=%g S=%g T=%g P=%g)\n", labels[0],
                labels[1], sc->game.name, sc->game.R, sc->game.S, sc->game.T, sc->game.P);
        fprintf(fp, "execution error %g / %g, perception error %g / %g\n",
                sc->players[0].execution_error, sc->players[1].execution_error,
                sc->players[0].perception_error, sc->players[1].perception_error);
        fputs("\ntransition matrix (A's view; row = this round, column = next round)\n      ", fp);
        for (j = 0; j < 4; ++j)
            fprintf(fp, " %10s", st[j]);
        fputc('\n', fp);
        for (i = 0; i < 4; ++i) {
            fprintf(fp, "  %s  ", st[i]);
            for (j = 0; j < 4; ++j)
                fprintf(fp, " %10.6f", r->transition[i][j]);
            fputc('\n', fp);
        }
        fprintf(fp, "\n%s distribution: CC %.6f  CD %.6f  DC %.6f  DD %.6f\n",
                r->stationary_unique ? "stationary" : "long-run (Cesaro limit from the start; "
                                                      "no unique stationary)",
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
        fputs("player,strategy,long_run_payoff,long_run_cooperation,expected_total_payoff,"
              "expected_cooperation,expected_rounds,stationary_unique\n", fp);
        for (i = 0; i < 2; ++i) {
            fprintf(fp, "%c,", 'A' + i);
            csv_field(fp, labels[i]);
            fprintf(fp, ",%.17g,%.17g,%.17g,%.17g,%.17g,%d\n", r->long_run_payoff[i],
                    r->long_run_cooperation[i], r->expected_total[i], r->expected_cooperation[i],
                    r->expected_rounds, r->stationary_unique);
        }
        return;
    }
    fputs("{\"type\":\"exact\",", fp);
    json_settings(fp, sc, NULL);
    fputs(",\"strategies\":[", fp);
    dlm_json_string(fp, labels[0]);
    fputc(',', fp);
    dlm_json_string(fp, labels[1]);
    fputs("],\"transition\":[", fp);
    for (i = 0; i < 4; ++i)
        fprintf(fp, "%s[%.17g,%.17g,%.17g,%.17g]", i ? "," : "", r->transition[i][0],
                r->transition[i][1], r->transition[i][2], r->transition[i][3]);
    fprintf(fp, "],\"stationary_unique\":%s,\"stationary\":[%.17g,%.17g,%.17g,%.17g],"
                "\"long_run_payoff\":[%.17g,%.17g],\"long_run_cooperation\":[%.17g,%.17g],"
                "\"expected_rounds\":%.17g,\"expected_total_payoff\":[%.17g,%.17g],"
                "\"expected_cooperation\":[%.17g,%.17g]}\n",
            r->stationary_unique ? "true" : "false", r->stationary[0], r->stationary[1],
            r->stationary[2], r->stationary[3], r->long_run_payoff[0], r->long_run_payoff[1],
            r->long_run_cooperation[0], r->long_run_cooperation[1], r->expected_rounds,
            r->expected_total[0], r->expected_total[1], r->expected_cooperation[0],
            r->expected_cooperation[1]);
}

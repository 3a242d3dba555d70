/* cli.c — the `dilemma` command line: subcommands run, match, tournament, analyze,
 * strategies, devices and bench. Every option becomes a config override
 * ("key=value", applied in command-line order after the config file), so the command
 * line, --set and YAML files share one validator and one set of error messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "backend.h"
#include "cli.h"
#include "config.h"
#include "evolve.h"
#include "output.h"
#include "play.h"
#include "strategies.h"

const char dlm_default_scenario[] =
    "# dilemma's built-in default scenario: Axelrod's round robin, with a twist.\n"
    "# Ten classics meet in 200-round matches where 2% of moves are executed wrongly.\n"
    "# Without noise TFT and GRIM never lose a round of mutual cooperation; with it, a\n"
    "# single slip sends TFT into echoes of retaliation and GRIM into permanent war,\n"
    "# while WSLS and generous TFT repair the damage and rise.\n"
    "name: default\n"
    "mode: tournament\n"
    "seed: 2026\n"
    "game: {preset: pd}\n"
    "match: {rounds: 200, execution_error: 0.02}\n"
    "tournament:\n"
    "  strategies: [tft, gtft, wsls, grim, tf2t, stft, allc, alld, random, extort]\n"
    "  repetitions: 20\n"
    "  self_play: true\n";

/* --- a small option parser ---------------------------------------------------------- */

typedef struct cli_option {
    const char *name;  /* without the leading dashes */
    int takes_value;
    const char *key;   /* config key it sets, or null when the subcommand handles it */
    const char *help;
} cli_option;

#define MAX_ASSIGN 256
#define MAX_POSITIONAL 8

typedef struct cli_args {
    const char *config;
    const char *assign[MAX_ASSIGN]; /* "key=value", in order */
    char *owned[MAX_ASSIGN];        /* assignments built here, freed at the end */
    int n_assign, n_owned;
    const char *positional[MAX_POSITIONAL];
    int n_positional;
    /* options the subcommand handles itself */
    const char *values[32];
    int flags[32];
    int help;
} cli_args;

static const cli_option common_options[] = {
    {"config", 1, NULL, "YAML config file"},
    {"set", 1, NULL, "override any config key, e.g. --set match.rounds=500 (repeatable)"},
    {"seed", 1, "seed", "64-bit seed"},
    {"backend", 1, "backend", "auto | cpu | opencl | cuda"},
    {"format", 1, "output.format", "table | csv | jsonl | json"},
    {"out", 1, "output.file", "write to FILE (atomically) instead of standard output"},
    {"threads", 1, "threads", "CPU threads, 0 = all cores (output does not depend on it)"},
    {"platform", 1, NULL, "opencl: platform index (`dilemma devices`; default: first suitable)"},
    {"device", 1, NULL, "opencl: device index within the platform; cuda: device index (default: first suitable)"},
    {NULL, 0, NULL, NULL},
};

/* --platform / --device: backend options that no config key carries (-1 = first suitable). */
static int opt_platform = -1, opt_device = -1;

static void print_options(FILE *fp, const cli_option *opts)
{
    for (; opts->name; ++opts) {
        char name[48];
        snprintf(name, sizeof name, "%s%s", opts->name, opts->takes_value ? " V" : "");
        fprintf(fp, "  --%-20s %s\n", name, opts->help);
    }
}

/* Appends an owned assignment "key=value". */
static int add_assignment(cli_args *a, const char *key, const char *value)
{
    size_t n = strlen(key) + strlen(value) + 2;
    char *s;
    if (a->n_assign >= MAX_ASSIGN || a->n_owned >= MAX_ASSIGN)
        return -1;
    s = malloc(n);
    if (!s)
        return -1;
    snprintf(s, n, "%s=%s", key, value);
    a->owned[a->n_owned++] = s;
    a->assign[a->n_assign++] = s;
    return 0;
}

static void free_args(cli_args *a)
{
    int i;
    for (i = 0; i < a->n_owned; ++i)
        free(a->owned[i]);
    a->n_owned = 0;
}

/* Parses argv[first..] against the common options and `extra` (whose values land in
 * a->values / a->flags by index). Returns 0, or 2 after printing a usage error. */
static int parse_args_into(int argc, char **argv, int first, const char *cmd,
                           const cli_option *extra, cli_args *a);

/* parse_args_into, releasing what it built when it fails. */
static int parse_args(int argc, char **argv, int first, const char *cmd, const cli_option *extra,
                      cli_args *a)
{
    int rc = parse_args_into(argc, argv, first, cmd, extra, a);
    if (rc)
        free_args(a);
    return rc;
}

static int parse_args_into(int argc, char **argv, int first, const char *cmd,
                           const cli_option *extra, cli_args *a)
{
    int i;
    memset(a, 0, sizeof *a);
    for (i = first; i < argc; ++i) {
        const char *arg = argv[i], *eq, *value = NULL;
        char name[64];
        const cli_option *opt = NULL;
        int k, is_extra = 0;
        size_t len;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            a->help = 1;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (a->n_positional >= MAX_POSITIONAL) {
                fprintf(stderr, "dilemma %s: too many arguments ('%s')\n", cmd, arg);
                return 2;
            }
            a->positional[a->n_positional++] = arg;
            continue;
        }
        eq = strchr(arg, '=');
        len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if (len >= sizeof name) {
            fprintf(stderr, "dilemma %s: unknown option '%s' (see dilemma %s --help)\n", cmd, arg, cmd);
            return 2;
        }
        memcpy(name, arg + 2, len);
        name[len] = '\0';
        for (k = 0; common_options[k].name; ++k)
            if (strcmp(common_options[k].name, name) == 0)
                opt = &common_options[k];
        for (k = 0; !opt && extra && extra[k].name; ++k)
            if (strcmp(extra[k].name, name) == 0) {
                opt = &extra[k];
                is_extra = 1;
            }
        if (!opt) {
            fprintf(stderr, "dilemma %s: unknown option '--%s' (see dilemma %s --help)\n", cmd,
                    name, cmd);
            return 2;
        }
        if (opt->takes_value) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                fprintf(stderr, "dilemma %s: option '--%s' needs a value\n", cmd, name);
                return 2;
            }
        } else if (eq) {
            fprintf(stderr, "dilemma %s: option '--%s' takes no value\n", cmd, name);
            return 2;
        }
        if (strcmp(name, "config") == 0) {
            a->config = value;
        } else if (strcmp(name, "platform") == 0 || strcmp(name, "device") == 0) {
            char *end = NULL;
            long v = strtol(value, &end, 10);
            if (!value[0] || *end || v < 0 || v > 65535) {
                fprintf(stderr, "dilemma %s: --%s must be an index in [0, 65535] (`dilemma "
                                "devices` lists them), got '%s'\n", cmd, name, value);
                return 2;
            }
            *(name[0] == 'p' ? &opt_platform : &opt_device) = (int)v;
        } else if (strcmp(name, "set") == 0) {
            if (a->n_assign >= MAX_ASSIGN) {
                fprintf(stderr, "dilemma %s: too many --set options\n", cmd);
                return 2;
            }
            a->assign[a->n_assign++] = value;
        } else if (opt->key) {
            if (add_assignment(a, opt->key, value) != 0) {
                fprintf(stderr, "dilemma %s: too many options\n", cmd);
                return 2;
            }
        } else if (is_extra) {
            int idx = (int)(opt - extra);
            if (opt->takes_value)
                a->values[idx] = value;
            else
                a->flags[idx] = 1;
        }
    }
    return 0;
}

/* Writes text as a YAML double-quoted scalar into buf. */
static void yaml_quote(char *buf, size_t len, const char *text)
{
    size_t o = 0;
    if (len < 3)
        return;
    buf[o++] = '"';
    for (; *text && o + 3 < len; ++text) {
        if (*text == '"' || *text == '\\')
            buf[o++] = '\\';
        buf[o++] = *text;
    }
    buf[o++] = '"';
    buf[o] = '\0';
}

/* Splits "a,b(c,d),e" at top-level commas into a YAML flow sequence of quoted strings. */
static int strategy_list_yaml(const char *list, char *buf, size_t len)
{
    size_t o = 0;
    const char *p = list, *start = list;
    int depth = 0;
    buf[o++] = '[';
    for (;; ++p) {
        if (*p == '(')
            ++depth;
        else if (*p == ')')
            --depth;
        if ((*p == ',' && depth == 0) || *p == '\0') {
            char item[DLM_STRATEGY_TEXT_MAX], quoted[2 * DLM_STRATEGY_TEXT_MAX + 4];
            size_t n = (size_t)(p - start);
            if (n >= sizeof item)
                return -1;
            memcpy(item, start, n);
            item[n] = '\0';
            yaml_quote(quoted, sizeof quoted, item);
            if (o + strlen(quoted) + 3 >= len)
                return -1;
            if (buf[o - 1] != '[')
                buf[o++] = ',';
            memcpy(buf + o, quoted, strlen(quoted));
            o += strlen(quoted);
            start = p + 1;
            if (*p == '\0')
                break;
        }
    }
    buf[o++] = ']';
    buf[o] = '\0';
    return 0;
}

/* Loads the config (file, built-in text or empty) and applies the assignments. */
static int load_scenario(const char *cmd, cli_args *a, const char *builtin, dlm_scenario *sc)
{
    dlm_config *cfg = NULL;
    dlm_error err = {DLM_OK, ""};
    dlm_status st;
    int i;
    if (a->config)
        st = dlm_config_load_file(a->config, &cfg, &err);
    else if (builtin)
        st = dlm_config_load_string(builtin, strlen(builtin), "<built-in default scenario>", &cfg,
                                    &err);
    else
        st = dlm_config_new(&cfg, &err);
    for (i = 0; st == DLM_OK && i < a->n_assign; ++i)
        st = dlm_config_set(cfg, a->assign[i], &err);
    if (st == DLM_OK)
        st = dlm_config_to_scenario(cfg, sc, &err);
    dlm_config_free(cfg);
    if (st != DLM_OK) {
        fprintf(stderr, "dilemma %s: %s\n", cmd, err.message);
        return st == DLM_ERR_USAGE ? 2 : 1;
    }
    return 0;
}

/* Prints the PD warnings of a game that is meant to be a PD: preset pd with payoffs
 * changed (named custom, its preset still pd). A custom game (R, S, T, P without a preset) may be any 2x2 game on purpose,
 * like the Nowak-May game with P = S. */
static void warn_game(const dlm_scenario *sc)
{
    char buf[1024];
    if (strcmp(sc->game.preset, "pd") == 0)
        if (dlm_game_pd_warnings(&sc->game, buf, sizeof buf) > 0)
            fprintf(stderr, "%s\n", buf);
}

/* Opens the scenario's backend; returns an exit code. */
static int open_backend(const char *cmd, const dlm_scenario *sc, const dlm_backend_ops **ops,
                        dlm_backend **be)
{
    dlm_backend_options opt = {sc->threads, opt_platform, opt_device};
    dlm_error err = {DLM_OK, ""};
    dlm_status st = dlm_backend_open(sc->backend, &opt, stderr, ops, be, &err);
    if (st != DLM_OK) {
        fprintf(stderr, "dilemma %s: %s\n", cmd, err.message);
        return st == DLM_ERR_USAGE ? 2 : 1;
    }
    return 0;
}

/* Runs a scenario's evolution: plan (memory printed first), backend, records streamed
 * to the output (flushed line by line), summary beside it. */
static int run_evolution(const char *cmd, const dlm_scenario *sc, dlm_format fmt)
{
    const dlm_backend_ops *ops = NULL;
    dlm_backend *be = NULL;
    dlm_error err = {DLM_OK, ""};
    dlm_evo_plan plan;
    dlm_status st = dlm_evo_plan_build(sc, &plan, &err);
    FILE *records = stdout;
    char partial[DLM_PATH_MAX + 16] = "";
    int rc, kept = 0;
    if (st != DLM_OK) {
        fprintf(stderr, "dilemma %s: %s\n", cmd, err.message);
        return st == DLM_ERR_USAGE ? 2 : 1;
    }
    fprintf(stderr, "dilemma: %s, %zu population%s of %u agents: about %.1f MiB (%llu bytes "
                    "per agent%s)%s\n", dlm_evo_rule_name(plan.rule), plan.n_populations,
            plan.n_populations == 1 ? "" : "s", sc->evolution.population, plan.bytes / 1048576.0,
            (unsigned long long)dlm_evo_bytes_per_agent(plan.synchronous),
            plan.interaction.n ? " plus the graphs" : "",
            plan.bytes_available ? "" : " (memory here unknown)");
    rc = open_backend(cmd, sc, &ops, &be);
    if (rc) {
        dlm_evo_plan_free(&plan);
        return rc;
    }
    /* The records stream into <out>.partial (to follow with tail -f), renamed to <out> when
       the run completes; a failed run leaves no <out>, and keeps the partial file only
       when it holds records, saying so. */
    if (sc->out[0]) {
        snprintf(partial, sizeof partial, "%s.partial", sc->out);
        if (!(records = fopen(partial, "w")))
            st = dlm_error_set(&err, DLM_ERR_RUNTIME, "cannot write %s", partial);
    }
    if (st == DLM_OK)
        st = dlm_evolve(sc, &plan, ops, be, records, fmt, NULL, &err);
    if (records && records != stdout) {
        long written = ftell(records);
        if (fclose(records) != 0 && st == DLM_OK)
            st = dlm_error_set(&err, DLM_ERR_RUNTIME, "writing %s failed", partial);
        if (st == DLM_OK && rename(partial, sc->out) != 0)
            st = dlm_error_set(&err, DLM_ERR_RUNTIME, "cannot rename %s to %s", partial,
                               sc->out);
        if (st != DLM_OK) {
            kept = written > 0;
            if (!kept)
                remove(partial);
        }
    }
    ops->destroy(be);
    dlm_evo_plan_free(&plan);
    if (st != DLM_OK) {
        fprintf(stderr, "dilemma %s: %s\n", cmd, err.message);
        if (kept)
            fprintf(stderr, "dilemma %s: the records written before the failure are in %s\n",
                    cmd, partial);
        return st == DLM_ERR_USAGE ? 2 : 1;
    }
    return 0;
}

/* Runs a loaded scenario (match or tournament) and writes its output. */
static int run_scenario(const char *cmd, const dlm_scenario *sc, int want_trace)
{
    const dlm_backend_ops *ops = NULL;
    dlm_backend *be = NULL;
    dlm_error err = {DLM_OK, ""};
    dlm_format fmt;
    dlm_sink sink;
    dlm_status st;
    int rc;
    if (dlm_format_parse(sc->format, &fmt, &err) != DLM_OK) {
        fprintf(stderr, "dilemma %s: %s\n", cmd, err.message);
        return 2;
    }
    warn_game(sc);
    if (sc->mode == DLM_MODE_EVOLVE)
        return run_evolution(cmd, sc, fmt);
    rc = open_backend(cmd, sc, &ops, &be);
    if (rc)
        return rc;
    if (sc->mode == DLM_MODE_MATCH) {
        dlm_match_report r;
        st = dlm_play_scenario_match(sc, ops, be, want_trace, &r, &err);
        if (st == DLM_OK)
            st = dlm_sink_open(&sink, sc->out, &err);
        if (st == DLM_OK) {
            dlm_write_match(sink.fp, fmt, sc, &r, ops->describe(be));
            if (want_trace)
                dlm_write_trace(sink.fp, fmt, &r);
            st = dlm_sink_commit(&sink, &err);
        }
        dlm_match_report_free(&r);
    } else {
        dlm_tournament_report r;
        st = dlm_play_scenario_tournament(sc, ops, be, &r, &err);
        if (st == DLM_OK)
            st = dlm_sink_open(&sink, sc->out, &err);
        if (st == DLM_OK) {
            dlm_write_tournament(sink.fp, fmt, sc, &r, ops->describe(be));
            st = dlm_sink_commit(&sink, &err);
        }
        dlm_tournament_report_free(&r);
    }
    ops->destroy(be);
    if (st != DLM_OK) {
        fprintf(stderr, "dilemma %s: %s\n", cmd, err.message);
        return st == DLM_ERR_USAGE ? 2 : 1;
    }
    return 0;
}

/* --- per-player options ("0.01" for both players, "0.01,0.05" for A and B) ----------- */

static const cli_option match_options[] = {
    {"rounds", 1, "match.rounds", "rounds per match (the cap with --continuation)"},
    {"continuation", 1, "match.continuation", "geometric length: probability w of another round"},
    {"execution-error", 1, NULL, "E or EA,EB: probability an intended move is flipped"},
    {"perception-error", 1, NULL, "E or EA,EB: probability the opponent's move is misread"},
    {"reaction-period", 1, NULL, "K or KA,KB: choose a new move only every K rounds"},
    {"observation-delay", 1, NULL, "D or DA,DB: see outcomes D rounds late"},
    {"trace", 0, NULL, "print every round: intended, realised and perceived moves"},
    {"repetitions", 1, "tournament.repetitions", "tournament: matches per pair"},
    {"strategies", 1, NULL, "tournament: comma-separated strategies"},
    {"self-play", 0, NULL, "tournament: each strategy also meets itself (default)"},
    {"no-self-play", 0, NULL, "tournament: no self-play"},
    {NULL, 0, NULL, NULL},
};
enum { OPT_EXEC = 2, OPT_PERC, OPT_PERIOD, OPT_DELAY, OPT_TRACE, OPT_REPS, OPT_STRATS,
       OPT_SELF, OPT_NOSELF };

static const char *player_keys[4] = {"execution_error", "perception_error", "reaction_period",
                                     "observation_delay"};

/* Adds the per-player options: single values to match.*, pairs into the players list
 * (which needs the two strategies). Returns an exit code. */
static int add_player_options(const char *cmd, cli_args *a, int allow_pairs)
{
    char pair_values[4][2][64];
    int has_pair = 0, k;
    memset(pair_values, 0, sizeof pair_values);
    for (k = 0; k < 4; ++k) {
        const char *v = a->values[OPT_EXEC + k], *comma;
        char key[64];
        if (!v)
            continue;
        comma = strchr(v, ',');
        if (!comma) {
            snprintf(key, sizeof key, "match.%s", player_keys[k]);
            if (add_assignment(a, key, v) != 0)
                return 2;
            continue;
        }
        if (!allow_pairs) {
            fprintf(stderr, "dilemma %s: --%s takes one value here (per-player values A,B are "
                            "for match and analyze)\n", cmd, match_options[OPT_EXEC + k].name);
            return 2;
        }
        if ((size_t)(comma - v) >= 64 || strlen(comma + 1) >= 64 || strchr(comma + 1, ',')) {
            fprintf(stderr, "dilemma %s: --%s: expected one value or two separated by a comma, "
                            "got '%s'\n", cmd, match_options[OPT_EXEC + k].name, v);
            return 2;
        }
        memcpy(pair_values[k][0], v, (size_t)(comma - v));
        snprintf(pair_values[k][1], 64, "%s", comma + 1);
        has_pair = 1;
    }
    if (a->n_positional == 0 && !has_pair)
        return 0;
    if (a->n_positional != 2) {
        fprintf(stderr, "dilemma %s: expected two strategies (e.g. dilemma %s tft wsls), got %d\n",
                cmd, cmd, a->n_positional);
        return 2;
    }
    {
        char yaml[4096], quoted[2 * DLM_STRATEGY_TEXT_MAX + 4];
        size_t o = 0;
        int p;
        o += (size_t)snprintf(yaml + o, sizeof yaml - o, "[");
        for (p = 0; p < 2; ++p) {
            if (strlen(a->positional[p]) >= DLM_STRATEGY_TEXT_MAX) {
                fprintf(stderr, "dilemma %s: strategy text longer than %d characters\n", cmd,
                        DLM_STRATEGY_TEXT_MAX - 1);
                return 2;
            }
            yaml_quote(quoted, sizeof quoted, a->positional[p]);
            o += (size_t)snprintf(yaml + o, sizeof yaml - o, "%s{strategy: %s", p ? ", " : "", quoted);
            for (k = 0; k < 4; ++k)
                if (pair_values[k][p][0]) {
                    char qv[160];
                    yaml_quote(qv, sizeof qv, pair_values[k][p]);
                    /* Unquoted so numbers stay numbers; the quoted form guards odd text. */
                    o += (size_t)snprintf(yaml + o, sizeof yaml - o, ", %s: %s", player_keys[k],
                                          strpbrk(pair_values[k][p], ",:{}[]#&*!|>'\"%@`")
                                              ? qv : pair_values[k][p]);
                }
            o += (size_t)snprintf(yaml + o, sizeof yaml - o, "}");
        }
        snprintf(yaml + o, sizeof yaml - o, "]");
        if (add_assignment(a, "players", yaml) != 0)
            return 2;
    }
    return 0;
}

static void usage_main(FILE *fp)
{
    fputs("dilemma " DLM_VERSION " — simulator of iterated social dilemmas\n\n"
          "usage: dilemma <command> [options]\n\n"
          "commands:\n"
          "  run [CONFIG]          run a config (no config: the built-in default scenario)\n"
          "  match A B             play one match, e.g. dilemma match tft wsls --rounds 200 "
          "--execution-error 0.01\n"
          "  tournament            round robin, e.g. dilemma tournament --strategies tft,alld,wsls\n"
          "  analyze A B           exact long-run and expected payoffs of two memory-one strategies\n"
          "  strategies [NAME]     the strategy library, with definitions\n"
          "  devices               backends and devices present\n"
          "  bench                 throughput of the standard workloads\n\n"
          "`dilemma <command> --help` shows each command's options. Exit codes: 0 ok, 1 runtime\n"
          "failure, 2 usage or config error.\n", fp);
}

static void usage_command(FILE *fp, const char *cmd, const char *synopsis, const cli_option *extra)
{
    fprintf(fp, "usage: dilemma %s %s\n\noptions:\n", cmd, synopsis);
    print_options(fp, common_options);
    if (extra)
        print_options(fp, extra);
    fputs("  --help                 this text\n", fp);
}

/* --- subcommands ----------------------------------------------------------------------- */

static int cmd_run(int argc, char **argv)
{
    cli_args a;
    dlm_scenario sc;
    int rc = parse_args(argc, argv, 2, "run", NULL, &a);
    if (rc)
        return rc;
    if (a.help) {
        usage_command(stdout, "run", "[CONFIG] [options]", NULL);
        fputs("\nWith no config, runs the built-in default scenario:\n\n", stdout);
        fputs(dlm_default_scenario, stdout);
        return 0;
    }
    if (a.n_positional > 1 || (a.n_positional == 1 && a.config)) {
        fprintf(stderr, "dilemma run: give one config, either as an argument or with --config\n");
        free_args(&a);
        return 2;
    }
    if (a.n_positional == 1)
        a.config = a.positional[0];
    rc = load_scenario("run", &a, a.config ? NULL : dlm_default_scenario, &sc);
    free_args(&a);
    if (rc)
        return rc;
    if (strcmp(sc.name, "default") == 0 && sc.mode == DLM_MODE_TOURNAMENT && !sc.out[0] &&
        strcmp(sc.format, "table") == 0)
        fputs("dilemma: the built-in default scenario — a noisy round robin of classics "
              "(`dilemma run --help` shows it; `dilemma run CONFIG` runs yours)\n\n", stdout);
    rc = run_scenario("run", &sc, 0);
    dlm_scenario_free(&sc);
    return rc;
}

static int cmd_match(int argc, char **argv)
{
    cli_args a;
    dlm_scenario sc;
    int rc = parse_args(argc, argv, 2, "match", match_options, &a);
    if (rc)
        return rc;
    if (a.help) {
        usage_command(stdout, "match", "A B [options]", match_options);
        return 0;
    }
    if (a.values[OPT_STRATS] || a.values[OPT_REPS] || a.flags[OPT_SELF] || a.flags[OPT_NOSELF]) {
        fprintf(stderr, "dilemma match: --strategies, --repetitions and --self-play are "
                        "tournament options\n");
        free_args(&a);
        return 2;
    }
    if (a.n_positional != 2 && !a.config) {
        fprintf(stderr, "dilemma match: expected two strategies, e.g. dilemma match tft wsls\n");
        free_args(&a);
        return 2;
    }
    rc = add_player_options("match", &a, 1);
    if (!rc && add_assignment(&a, "mode", "match") != 0)
        rc = 2;
    if (!rc)
        rc = load_scenario("match", &a, NULL, &sc);
    if (!rc) {
        rc = run_scenario("match", &sc, a.flags[OPT_TRACE]);
        dlm_scenario_free(&sc);
    }
    free_args(&a);
    return rc;
}

static int cmd_tournament(int argc, char **argv)
{
    cli_args a;
    dlm_scenario sc;
    int rc = parse_args(argc, argv, 2, "tournament", match_options, &a);
    if (rc)
        return rc;
    if (a.help) {
        usage_command(stdout, "tournament", "[--strategies A,B,...] [options]", match_options);
        return 0;
    }
    if (a.n_positional || a.flags[OPT_TRACE]) {
        fprintf(stderr, "dilemma tournament: strategies go in --strategies a,b,c (and --trace "
                        "is for match)\n");
        free_args(&a);
        return 2;
    }
    rc = add_player_options("tournament", &a, 0);
    if (!rc && a.values[OPT_STRATS]) {
        char yaml[16384];
        if (strategy_list_yaml(a.values[OPT_STRATS], yaml, sizeof yaml) != 0) {
            fprintf(stderr, "dilemma tournament: --strategies list too long\n");
            rc = 2;
        } else if (add_assignment(&a, "tournament.strategies", yaml) != 0)
            rc = 2;
    }
    if (!rc && (a.flags[OPT_SELF] || a.flags[OPT_NOSELF]))
        rc = add_assignment(&a, "tournament.self_play", a.flags[OPT_NOSELF] ? "false" : "true") ? 2 : 0;
    if (!rc && add_assignment(&a, "mode", "tournament") != 0)
        rc = 2;
    if (!rc)
        rc = load_scenario("tournament", &a, NULL, &sc);
    if (!rc) {
        rc = run_scenario("tournament", &sc, 0);
        dlm_scenario_free(&sc);
    }
    free_args(&a);
    return rc;
}

static int cmd_analyze(int argc, char **argv)
{
    cli_args a;
    dlm_scenario sc;
    dlm_strategy_def defs[2];
    dlm_exact_input in;
    dlm_exact_result res;
    dlm_error err = {DLM_OK, ""};
    dlm_format fmt;
    dlm_sink sink;
    dlm_status st = DLM_OK;
    const char *labels[2];
    int rc = parse_args(argc, argv, 2, "analyze", match_options, &a), i;
    if (rc)
        return rc;
    if (a.help) {
        usage_command(stdout, "analyze", "A B [options]", match_options);
        fputs("\nA and B must be memory-one strategies; the 4-state Markov chain of the "
              "ordinary game\n(reaction period 1, no delay) gives the exact answers.\n", stdout);
        return 0;
    }
    if (a.n_positional != 2 && !a.config) {
        fprintf(stderr, "dilemma analyze: expected two memory-one strategies, e.g. dilemma "
                        "analyze tft alld --execution-error 0.01\n");
        free_args(&a);
        return 2;
    }
    rc = add_player_options("analyze", &a, 1);
    if (!rc && add_assignment(&a, "mode", "match") != 0)
        rc = 2;
    if (!rc)
        rc = load_scenario("analyze", &a, NULL, &sc);
    free_args(&a);
    if (rc)
        return rc;
    memset(&in, 0, sizeof in);
    for (i = 0; i < 2 && st == DLM_OK; ++i) {
        const dlm_player_spec *p = &sc.players[i];
        st = dlm_strategy_parse(p->strategy, &sc.game, &defs[i], &err);
        if (st != DLM_OK)
            break;
        labels[i] = defs[i].label;
        if (defs[i].model.kind != DLM_STRAT_MEMORY_ONE)
            st = dlm_error_set(&err, DLM_ERR_USAGE,
                               "analyze needs memory-one strategies; '%s' is a %s (memory-one "
                               "ones: allc, alld, tft, stft, gtft, wsls, random, joss, extort, "
                               "m1(...) ...)", defs[i].label,
                               defs[i].model.kind == DLM_STRAT_FSM ? "Moore machine" : "lookup table");
        else if (p->reaction_period != 1 || p->observation_delay != 0)
            st = dlm_error_set(&err, DLM_ERR_USAGE,
                               "analyze covers the ordinary game: reaction period 1 and "
                               "observation delay 0 (player %c has k=%u, d=%u)", 'A' + i,
                               p->reaction_period, p->observation_delay);
        else {
            memcpy(i == 0 ? in.a : in.b, defs[i].memory_one, sizeof in.a);
            in.execution_error[i] = p->execution_error;
            in.perception_error[i] = p->perception_error;
        }
    }
    in.rounds = sc.rounds;
    in.geometric = sc.geometric;
    in.continuation = sc.continuation;
    if (st == DLM_OK)
        st = dlm_format_parse(sc.format, &fmt, &err);
    if (st == DLM_OK)
        st = dlm_exact_memory_one(&in, &sc.game, &res, &err);
    if (st == DLM_OK) {
        warn_game(&sc);
        st = dlm_sink_open(&sink, sc.out, &err);
    }
    if (st == DLM_OK) {
        dlm_write_exact(sink.fp, fmt, &sc, labels, &res);
        st = dlm_sink_commit(&sink, &err);
    }
    dlm_scenario_free(&sc);
    if (st != DLM_OK) {
        fprintf(stderr, "dilemma analyze: %s\n", err.message);
        return st == DLM_ERR_USAGE ? 2 : 1;
    }
    return 0;
}

static int cmd_strategies(int argc, char **argv)
{
    cli_args a;
    dlm_scenario sc;
    dlm_format fmt;
    dlm_error err = {DLM_OK, ""};
    size_t i, n = dlm_strategy_library_count();
    int rc = parse_args(argc, argv, 2, "strategies", NULL, &a), first = 1;
    if (rc)
        return rc;
    if (a.help) {
        usage_command(stdout, "strategies", "[NAME ...] [options]", NULL);
        fputs("\nLists the named strategies with their definitions under the config's game\n"
              "(parameters such as gtft's q depend on it). Inline forms: m1(p0,pCC,pCD,pDC,pDD),\n"
              "lookup(n,OPENING,TABLE), fsm(M:c:d,...); see the README.\n", stdout);
        return 0;
    }
    rc = load_scenario("strategies", &a, NULL, &sc);
    if (rc) {
        free_args(&a);
        return rc;
    }
    if (dlm_format_parse(sc.format, &fmt, &err) != DLM_OK) {
        fprintf(stderr, "dilemma strategies: %s\n", err.message);
        free_args(&a);
        dlm_scenario_free(&sc);
        return 2;
    }
    for (i = 0; i < (size_t)a.n_positional; ++i) {
        size_t j;
        for (j = 0; j < n && strcmp(dlm_strategy_library_entry(j)->name, a.positional[i]) != 0; ++j)
            ;
        if (j == n) {
            dlm_strategy_def def;
            if (dlm_strategy_parse(a.positional[i], &sc.game, &def, &err) != DLM_OK) {
                fprintf(stderr, "dilemma strategies: %s\n", err.message);
                free_args(&a);
                dlm_scenario_free(&sc);
                return 2;
            }
        }
    }
    if (fmt == DLM_FMT_JSON)
        fputs("[", stdout);
    else if (fmt == DLM_FMT_CSV)
        fputs("name,summary,citation,parameters,definition\n", stdout);
    for (i = 0; i < n; ++i) {
        const dlm_strategy_info *info = dlm_strategy_library_entry(i);
        dlm_strategy_def def;
        char desc[512];
        int k, wanted = a.n_positional == 0;
        for (k = 0; k < a.n_positional; ++k)
            wanted |= strcmp(a.positional[k], info->name) == 0;
        if (!wanted)
            continue;
        if (dlm_strategy_parse(info->name, &sc.game, &def, &err) != DLM_OK)
            snprintf(desc, sizeof desc, "(not defined for this game: %.400s)", err.message);
        else
            dlm_strategy_describe(&def, desc, sizeof desc);
        if (fmt == DLM_FMT_TABLE) {
            printf("%-12s %s\n%-12s   %s\n%-12s   cite: %s\n", info->name, info->summary, "",
                   desc, "", info->citation);
            if (info->params && info->params[0])
                printf("%-12s   parameters: %s\n", "", info->params);
        } else if (fmt == DLM_FMT_CSV) {
            printf("%s,\"%s\",\"%s\",\"%s\",\"%s\"\n", info->name, info->summary, info->citation,
                   info->params ? info->params : "", desc);
        } else {
            if (fmt == DLM_FMT_JSON && !first)
                fputc(',', stdout);
            fputs("{\"name\":", stdout);
            dlm_json_string(stdout, info->name);
            fputs(",\"summary\":", stdout);
            dlm_json_string(stdout, info->summary);
            fputs(",\"citation\":", stdout);
            dlm_json_string(stdout, info->citation);
            fputs(",\"parameters\":", stdout);
            dlm_json_string(stdout, info->params ? info->params : "");
            fputs(",\"definition\":", stdout);
            dlm_json_string(stdout, desc);
            fputs(fmt == DLM_FMT_JSONL ? "}\n" : "}", stdout);
        }
        first = 0;
    }
    if (fmt == DLM_FMT_JSON)
        fputs("]\n", stdout);
    if (a.n_positional)
        for (i = 0; i < (size_t)a.n_positional; ++i) {
            size_t j;
            for (j = 0; j < n && strcmp(dlm_strategy_library_entry(j)->name, a.positional[i]) != 0; ++j)
                ;
            if (j == n) {
                dlm_strategy_def def;
                char desc[512];
                dlm_strategy_parse(a.positional[i], &sc.game, &def, &err);
                printf("%s\n  %s\n", def.label, dlm_strategy_describe(&def, desc, sizeof desc));
            }
        }
    free_args(&a);
    dlm_scenario_free(&sc);
    return 0;
}

static int cmd_devices(int argc, char **argv)
{
    cli_args a;
    const dlm_backend_ops *const *it;
    int rc = parse_args(argc, argv, 2, "devices", NULL, &a);
    static const char *all[] = {"cuda", "opencl", "cpu"};
    size_t k;
    if (rc)
        return rc;
    free_args(&a);
    if (a.help) {
        usage_command(stdout, "devices", "", NULL);
        return 0;
    }
    for (k = 0; k < sizeof all / sizeof all[0]; ++k) {
        int built = 0;
        for (it = dlm_backends(); *it; ++it) {
            char why[512] = "";
            dlm_error err = {DLM_OK, ""};
            if (strcmp((*it)->name, all[k]) != 0)
                continue;
            built = 1;
            if (!(*it)->available(why, sizeof why)) {
                printf("%-7s built, not available here: %s\n", all[k], why);
                continue;
            }
            printf("%-7s available\n", all[k]);
            if ((*it)->list_devices(stdout, &err) != DLM_OK)
                printf("        (listing devices failed: %s)\n", err.message);
        }
        if (!built)
            printf("%-7s not built into this binary\n", all[k]);
    }
    return 0;
}

int dlm_cli_main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;
    if (!cmd || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage_main(stdout);
        return cmd ? 0 : 2;
    }
    if (strcmp(cmd, "--version") == 0) {
        puts("dilemma " DLM_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc, argv);
    if (strcmp(cmd, "match") == 0)
        return cmd_match(argc, argv);
    if (strcmp(cmd, "tournament") == 0)
        return cmd_tournament(argc, argv);
    if (strcmp(cmd, "analyze") == 0)
        return cmd_analyze(argc, argv);
    if (strcmp(cmd, "strategies") == 0)
        return cmd_strategies(argc, argv);
    if (strcmp(cmd, "devices") == 0)
        return cmd_devices(argc, argv);
    if (strcmp(cmd, "bench") == 0)
        return dlm_bench_main(argc, argv);
    fprintf(stderr, "dilemma: unknown command '%s' (commands: run, match, tournament, analyze, "
                    "strategies, devices, bench; see dilemma --help)\n", cmd);
    return 2;
}

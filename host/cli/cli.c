/* cli.c — the `dilemma` command line: subcommands run, match, tournament, analyze,
 * strategies, devices and bench. Most options become config overrides ("key=value",
 * applied in command-line order after the config file), so the command line, --set and
 * YAML files share one validator; error messages name what the user typed (the option,
 * the strategy argument), never the override it became. */
#define _DEFAULT_SOURCE /* clock_gettime, isatty, mkdtemp */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/io.h"
#include "run/analyze.h"
#include "run/population_analysis.h"
#include "output/population_output.h"
#include "output/game_output.h"
#include "output/design_output.h"
#include "run/design.h"
#include "run/analyze_game.h"
#include "run/digest.h"
#include "backends/backend.h"
#include "cli/cli.h"
#include "config/config.h"
#include "config/sweep.h"
#include "core/paths.h"
#include "output/evolve_output.h"
#include "output/output.h"
#include "output/progress.h"
#include "output/signals.h"
#include "output/sweep_drive.h"
#include "cli/resume.h"
#include "run/play.h"
#include "model/strategies.h"

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

/* --- options ---------------------------------------------------------------------------- */

/* The subcommands an option belongs to. */
enum {
    C_RUN = 1,
    C_MATCH = 2,
    C_TOURNAMENT = 4,
    C_ANALYZE = 8,
    C_STRATEGIES = 16,
    C_DEVICES = 32,
    C_SWEEP = 64
};
#define C_PLAY (C_RUN | C_MATCH | C_TOURNAMENT | C_SWEEP)
#define C_CONFIGURED (C_PLAY | C_ANALYZE | C_STRATEGIES)

static const char *const command_names[] = {"run", "match", "tournament", "analyze",
                                            "strategies", "devices", "sweep"};

enum { NO_VALUE, VALUE, OPTIONAL_VALUE };

typedef struct cli_option {
    const char *name;  /* without the leading dashes */
    int takes_value;   /* NO_VALUE, VALUE or OPTIONAL_VALUE (--name, --name=V, or --name V) */
    const char *key;   /* config key it sets, or null when the subcommand handles it */
    unsigned commands; /* C_* of the subcommands that take it */
    const char *arg;   /* the value, as --help shows it */
    const char *help;
    int alias_of;      /* 1 + the O_* this entry is another subcommand's spelling of, or 0 */
} cli_option;

enum {
    O_CONFIG, O_SET, O_SEED, O_BACKEND, O_FORMAT, O_OUT, O_THREADS, O_PLATFORM, O_DEVICE,
    O_ROUNDS, O_CONTINUATION, O_EXEC, O_PERC, O_PERIOD, O_DELAY, O_EXEC_ONE, O_PERC_ONE,
    O_PERIOD_ONE, O_DELAY_ONE, O_TRACE, O_MATCH_REPS,
    O_TOURNAMENT_REPS, O_STRATEGIES, O_SELF, O_NO_SELF, O_MATRIX, O_RUN_MATRIX, O_PER_REP,
    O_RUN_PER_REP, O_QUIET, O_SHARD, O_SUMMARY, O_BATCH, O_CHECKPOINT, O_CHECKPOINT_EVERY,
    O_RESUME, O_PAIRS, O_GAME, O_COUNT
};

static const cli_option options[O_COUNT] = {
    [O_CONFIG] = {"config", VALUE, NULL, C_CONFIGURED, "FILE", "YAML config file", 0},
    [O_SET] = {"set", VALUE, NULL, C_CONFIGURED, "KEY=V",
               "override any config key, e.g. --set match.rounds=500 (repeatable)", 0},
    [O_SEED] = {"seed", VALUE, "seed", C_PLAY, "N", "64-bit seed", 0},
    [O_BACKEND] = {"backend", VALUE, "backend", C_PLAY, "B", "auto | cpu | opencl | cuda", 0},
    [O_FORMAT] = {"format", VALUE, "output.format", C_CONFIGURED, "F",
                  "table | csv | jsonl | json (default: from --out's extension .csv, "
                  ".json, .jsonl; else table)", 0},
    [O_OUT] = {"out", VALUE, "output.file", C_CONFIGURED, "FILE",
               "write to FILE (atomically) instead of standard output", 0},
    [O_THREADS] = {"threads", VALUE, "threads", C_PLAY, "N",
                   "CPU threads, 0 = all cores (output does not depend on it)", 0},
    [O_PLATFORM] = {"platform", VALUE, NULL, C_PLAY, "N",
                    "opencl: platform index (`dilemma devices`; default: first suitable)", 0},
    [O_DEVICE] = {"device", VALUE, NULL, C_PLAY, "N",
                  "opencl: device index within the platform; cuda: device index (default: "
                  "first suitable)", 0},
    [O_ROUNDS] = {"rounds", VALUE, "match.rounds", C_MATCH | C_TOURNAMENT | C_ANALYZE, "N",
                  "rounds per match (the cap with --continuation)", 0},
    [O_CONTINUATION] = {"continuation", VALUE, "match.continuation",
                        C_MATCH | C_TOURNAMENT | C_ANALYZE, "W",
                        "geometric length: probability w of another round", 0},
    [O_EXEC] = {"execution-error", VALUE, NULL, C_MATCH | C_ANALYZE, "E|EA,EB",
                "probability an intended move is flipped (EA,EB: per player)", 0},
    [O_PERC] = {"perception-error", VALUE, NULL, C_MATCH | C_ANALYZE, "E|EA,EB",
                "probability the opponent's move is misread (EA,EB: per player)", 0},
    [O_PERIOD] = {"reaction-period", VALUE, NULL, C_MATCH | C_ANALYZE, "K|KA,KB",
                  "choose a new move only every K rounds (KA,KB: per player)", 0},
    [O_DELAY] = {"observation-delay", VALUE, NULL, C_MATCH | C_ANALYZE, "D|DA,DB",
                 "see outcomes D rounds late (DA,DB: per player)", 0},
    [O_EXEC_ONE] = {"execution-error", VALUE, NULL, C_TOURNAMENT, "E",
                    "probability an intended move is flipped", 1 + O_EXEC},
    [O_PERC_ONE] = {"perception-error", VALUE, NULL, C_TOURNAMENT, "E",
                    "probability the opponent's move is misread", 1 + O_PERC},
    [O_PERIOD_ONE] = {"reaction-period", VALUE, NULL, C_TOURNAMENT, "K",
                      "choose a new move only every K rounds", 1 + O_PERIOD},
    [O_DELAY_ONE] = {"observation-delay", VALUE, NULL, C_TOURNAMENT, "D",
                     "see outcomes D rounds late", 1 + O_DELAY},
    [O_TRACE] = {"trace", OPTIONAL_VALUE, NULL, C_MATCH, "[FILE]",
                 "every round: intended, realised and perceived moves; to FILE, or (csv) "
                 "instead of the summary, (json) inside the document", 0},
    [O_MATCH_REPS] = {"repetitions", VALUE, NULL, C_MATCH, "N",
                      "play N independent matches: means and standard errors (default 1)", 0},
    [O_TOURNAMENT_REPS] = {"repetitions", VALUE, "tournament.repetitions", C_TOURNAMENT, "N",
                           "matches per pair (default 10)", 0},
    [O_STRATEGIES] = {"strategies", VALUE, NULL, C_TOURNAMENT, "A,B,...",
                      "comma-separated strategies", 0},
    [O_SELF] = {"self-play", NO_VALUE, NULL, C_TOURNAMENT, "",
                "each strategy also meets itself (default)", 0},
    [O_NO_SELF] = {"no-self-play", NO_VALUE, NULL, C_TOURNAMENT, "", "no self-play", 0},
    [O_MATRIX] = {"matrix", OPTIONAL_VALUE, NULL, C_TOURNAMENT, "[FILE]",
                  "the payoff matrix in long form (row, column, mean, s.e.): to FILE, or "
                  "(csv) instead of the ranking", 0},
    [O_RUN_MATRIX] = {"matrix", OPTIONAL_VALUE, NULL, C_RUN, "[=FILE]",
                      "tournaments: the payoff matrix in long form: to FILE, or (csv) "
                      "instead of the ranking", 0},
    [O_PER_REP] = {"per-repetition", OPTIONAL_VALUE, NULL, C_TOURNAMENT, "[FILE]",
                   "each entrant's figures in each repetition: to FILE, or (csv) instead of "
                   "the ranking", 0},
    [O_QUIET] = {"quiet", NO_VALUE, NULL, C_SWEEP | C_RUN | C_TOURNAMENT, "",
                 "no progress line on stderr (a single run shows one after 2 s)", 0},
    [O_PAIRS] = {"pairs", NO_VALUE, NULL, C_ANALYZE, "",
                 "the strategies are pairs A1 B1 A2 B2 ...: each pair's answers (without it, "
                 "more than two strategies: every ordered pair of them)", 0},
    [O_GAME] = {"game", NO_VALUE, NULL, C_ANALYZE, "",
                "the stage game itself: its class, equilibria and, with institution.* (e.g. "
                "--set institution.audit=0.2), the fines and audits that make cooperation "
                "dominant (no strategies)", 0},
    [O_SHARD] = {"shard", VALUE, NULL, C_SWEEP, "I/N",
                 "run slice I (0 <= I < N) of N into --out, for `dilemma merge`", 0},
    [O_BATCH] = {"batch", VALUE, NULL, C_SWEEP, "N",
                 "evolutions: at most N runs share one batch (default 4096; 1 = each on its "
                 "own; the output is the same)", 0},
    [O_SUMMARY] = {"summary", VALUE, NULL, C_SWEEP, "FILE",
                   "each point's mean and 95% interval over its replicates (format by "
                   "extension, csv by default)", 0},
    [O_RUN_PER_REP] = {"per-repetition", OPTIONAL_VALUE, NULL, C_RUN, "[=FILE]",
                       "tournaments: each entrant's figures in each repetition: to FILE, or "
                       "(csv) instead of the ranking", 0},
    [O_CHECKPOINT] = {"checkpoint", VALUE, "output.checkpoint", C_RUN | C_SWEEP, "FILE",
                      "evolutions and sweeps: write checkpoints to FILE (SIGINT/SIGTERM then "
                      "stop at a checkpoint, exit 128 + signal)", 0},
    [O_CHECKPOINT_EVERY] = {"checkpoint-every", VALUE, "output.checkpoint_every",
                            C_RUN | C_SWEEP, "N|Ts", "a checkpoint every N generations (a "
                            "sweep: N runs), or every T seconds "
                            "(30s, 10m, 1h; default 60s)", 0},
    [O_RESUME] = {"resume", VALUE, NULL, C_RUN | C_SWEEP, "FILE",
                  "continue the evolution or sweep that wrote checkpoint FILE (same config and "
                  "options; the output is the uninterrupted run's, byte for byte)", 0},
};

#define MAX_ASSIGN 256
#define MAX_POSITIONAL 1024 /* analyze takes a set of strategies */

typedef struct cli_args {
    unsigned command;               /* C_* */
    const char *config;
    const char *assign[MAX_ASSIGN]; /* "key=value", in order */
    const char *typed[MAX_ASSIGN];  /* what the user typed for it ("--rounds 0"), or null */
    char *owned[2 * MAX_ASSIGN];    /* strings built here, freed at the end */
    int n_assign, n_owned;
    const char *positional[MAX_POSITIONAL];
    int positional_at[MAX_POSITIONAL]; /* their places in argv */
    int n_positional;
    /* options the subcommand handles itself, by O_* */
    const char *values[O_COUNT];
    int given[O_COUNT];
    int value_at[O_COUNT]; /* argv place of a value given as the next argument, else 0 */
    int help;
    int changes_config; /* a --config, --set or option that changes the scenario */
    int format_given;   /* --format, or --set output.format / output */
    int players_assign; /* index of the assignment holding the strategies, or -1 */
} cli_args;

/* A sweep runs many scenarios: their per-run notes on stderr (an evolution's memory) are
 * left out. */
static _Thread_local int cli_quiet_runs;

/* --platform / --device: backend options that no config key carries (-1 = first suitable). */
static _Thread_local int opt_platform = -1, opt_device = -1;
/* Under mpirun: this rank's place on its node, which picks its GPU (backend.h). */
static _Thread_local int cli_local_rank;

static unsigned command_bit(const char *cmd)
{
    unsigned i;
    for (i = 0; i < sizeof command_names / sizeof command_names[0]; ++i)
        if (strcmp(cmd, command_names[i]) == 0)
            return 1u << i;
    return 0;
}

static void print_options(FILE *fp, unsigned command)
{
    int k;
    for (k = 0; k < O_COUNT; ++k) {
        char name[64];
        if (!(options[k].commands & command))
            continue;
        snprintf(name, sizeof name, "%s%s%s", options[k].name,
                 options[k].arg[0] && strncmp(options[k].arg, "[=", 2) != 0 ? " " : "",
                 options[k].arg);
        fprintf(fp, "  --%-24s %s\n", name, options[k].help);
    }
}

static char *own(cli_args *a, char *s)
{
    if (!s || a->n_owned >= 2 * MAX_ASSIGN) {
        free(s);
        return NULL;
    }
    a->owned[a->n_owned++] = s;
    return s;
}

static char *own_printf(cli_args *a, const char *fmt, const char *x, const char *y)
{
    size_t n = strlen(fmt) + strlen(x) + strlen(y) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, fmt, x, y);
    return own(a, s);
}

/* Appends an owned assignment "key=value"; typed is what the user wrote for it (a string
 * that lives as long as a), or null. */
static void yaml_quote(char *buf, size_t len, const char *text);

static int add_assignment(cli_args *a, const char *key, const char *value, const char *typed)
{
    char *s;
    if (a->n_assign >= MAX_ASSIGN)
        return -1;
    s = own_printf(a, "%s=%s", key, value);
    if (!s)
        return -1;
    a->typed[a->n_assign] = typed;
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

/* The names of the subcommands in mask, "match and tournament". */
static const char *commands_text(unsigned mask, char *buf, size_t len)
{
    unsigned i, n = 0, total = 0;
    size_t used = 0;
    for (i = 0; i < 6; ++i)
        total += (mask >> i) & 1u;
    buf[0] = '\0';
    for (i = 0; i < 6 && used < len; ++i)
        if (mask & (1u << i)) {
            int w = snprintf(buf + used, len - used, "%s%s", n == 0 ? "" : n + 1 == total ? " and " : ", ",
                             command_names[i]);
            ++n;
            if (w > 0)
                used += (size_t)w;
        }
    return buf;
}

/* The option called name for this command: its id, or -1 after printing why not. */
static int find_option(const cli_args *a, const char *cmd, const char *name)
{
    int k, elsewhere = 0;
    char list[96];
    for (k = 0; k < O_COUNT; ++k)
        if (strcmp(options[k].name, name) == 0) {
            if (options[k].commands & a->command)
                return k;
            elsewhere |= (int)options[k].commands;
        }
    if (elsewhere)
        fprintf(dlm_err(),
                "dilemma %s: --%s is not an option of %s (it is one of %s; see "
                "dilemma %s --help)\n",
                cmd, name, cmd, commands_text((unsigned)elsewhere, list, sizeof list), cmd);
    else
        fprintf(dlm_err(), "dilemma %s: unknown option '--%s' (see dilemma %s --help)\n", cmd, name,
                cmd);
    return -1;
}

/* The value of option id at argv[*i] (eq: its '=', or null), taking the next argument
 * where the option needs one; null after printing why there is none. */
static const char *option_value(cli_args *a, const char *cmd, const char *name, int id,
                                const char *eq, int argc, char **argv, int *i)
{
    const char *value = "";
    if (options[id].takes_value == VALUE) {
        if (eq)
            return eq + 1;
        if (*i + 1 < argc)
            return argv[++*i];
        fprintf(dlm_err(), "dilemma %s: option '--%s' needs a value\n", cmd, name);
        return NULL;
    }
    if (options[id].takes_value == OPTIONAL_VALUE) {
        /* --name=V, or --name V where V is not an option (not in `run`, whose config
           argument it could be taken for), or --name alone (""). */
        if (eq)
            value = eq + 1;
        else if (a->command != C_RUN && *i + 1 < argc && argv[*i + 1][0] != '-') {
            value = argv[++*i];
            a->value_at[id] = *i;
        }
        if (eq && !value[0]) {
            fprintf(dlm_err(), "dilemma %s: option '--%s=' needs a file name after '='\n", cmd,
                    name);
            return NULL;
        }
        return value;
    }
    if (eq) {
        fprintf(dlm_err(), "dilemma %s: option '--%s' takes no value\n", cmd, name);
        return NULL;
    }
    return value;
}

/* Records option id with its value: a config override, the config file, a device index.
 * Returns 0, or -1 after printing a usage error. */
static int apply_option(cli_args *a, const char *cmd, const char *name, int id,
                        const char *value)
{
    a->given[id] = 1;
    a->values[id] = value;
    if (id == O_CONFIG) {
        a->config = value;
        a->changes_config = 1;
    } else if (id == O_PLATFORM || id == O_DEVICE) {
        char *end = NULL;
        long v = strtol(value, &end, 10);
        if (!value[0] || *end || v < 0 || v > 65535) {
            fprintf(dlm_err(),
                    "dilemma %s: --%s must be an index in [0, 65535] (`dilemma "
                    "devices` lists them), got '%s'\n",
                    cmd, name, value);
            return -1;
        }
        *(id == O_PLATFORM ? &opt_platform : &opt_device) = (int)v;
    } else if (id == O_SET) {
        if (a->n_assign >= MAX_ASSIGN) {
            fprintf(dlm_err(), "dilemma %s: too many --set options\n", cmd);
            return -1;
        }
        a->typed[a->n_assign] = NULL;
        a->assign[a->n_assign++] = value;
        a->changes_config = 1;
        if (strncmp(value, "output.format", 13) == 0 ||
            (strncmp(value, "output", 6) == 0 && strchr(" =", value[6]) &&
             strstr(value, "format")))
            a->format_given = 1;
    } else if (options[id].key) {
        /* A file name is text, whatever YAML would make of it ('-', '#', ': ') */
        char quoted[2 * DLM_PATH_MAX + 4];
        const char *as = value;
        if (id == O_OUT || id == O_CHECKPOINT) {
            yaml_quote(quoted, sizeof quoted, value);
            as = quoted;
        }
        if (add_assignment(a, options[id].key, as, own_printf(a, "--%s %s", name, value)) != 0) {
            fprintf(dlm_err(), "dilemma %s: too many options\n", cmd);
            return -1;
        }
        if (id == O_FORMAT)
            a->format_given = 1;
        if (id != O_FORMAT && id != O_OUT && id != O_BACKEND && id != O_THREADS &&
            id != O_CHECKPOINT && id != O_CHECKPOINT_EVERY)
            a->changes_config = 1;
    }
    return 0;
}

/* Parses argv[first..] against the options of cmd. Returns 0, or 2 after printing a
 * usage error (having released what it built). */
static int parse_args(int argc, char **argv, int first, const char *cmd, cli_args *a)
{
    int i;
    memset(a, 0, sizeof *a);
    a->command = command_bit(cmd);
    a->players_assign = -1;
    for (i = first; i < argc; ++i) {
        const char *arg = argv[i], *eq, *value;
        char name[64];
        int id;
        size_t len;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            a->help = 1;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (a->n_positional >= MAX_POSITIONAL) {
                fprintf(dlm_err(), "dilemma %s: too many arguments ('%s')\n", cmd, arg);
                goto usage;
            }
            a->positional_at[a->n_positional] = i;
            a->positional[a->n_positional++] = arg;
            continue;
        }
        eq = strchr(arg, '=');
        len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if (len >= sizeof name) {
            fprintf(dlm_err(), "dilemma %s: unknown option '%s' (see dilemma %s --help)\n", cmd,
                    arg, cmd);
            goto usage;
        }
        memcpy(name, arg + 2, len);
        name[len] = '\0';
        if ((id = find_option(a, cmd, name)) < 0 ||
            !(value = option_value(a, cmd, name, id, eq, argc, argv, &i)))
            goto usage;
        if (options[id].alias_of) {
            if (a->value_at[id]) {
                a->value_at[options[id].alias_of - 1] = a->value_at[id];
                a->value_at[id] = 0;
            }
            id = options[id].alias_of - 1;
        }
        if (apply_option(a, cmd, name, id, value) != 0)
            goto usage;
    }
    return 0;
usage:
    free_args(a);
    return 2;
}

/* Gives back a value that an optional-valued option took from the next argument when the
 * subcommand still needs it as a positional argument (`dilemma match --trace tft wsls`). */
static void give_back(cli_args *a, int id)
{
    int p, at = a->value_at[id];
    if (!at || a->n_positional >= MAX_POSITIONAL)
        return;
    for (p = a->n_positional; p > 0 && a->positional_at[p - 1] > at; --p) {
        a->positional[p] = a->positional[p - 1];
        a->positional_at[p] = a->positional_at[p - 1];
    }
    a->positional[p] = a->values[id];
    a->positional_at[p] = at;
    a->n_positional++;
    a->values[id] = "";
    a->value_at[id] = 0;
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

/* Splits "a,b(c,d),e" at top-level commas: calls fn(item, index, ctx) for each item
 * (stopping at the first nonzero return, which it returns). */
static int strategy_list_each(const char *list, int (*fn)(const char *, size_t, void *), void *ctx)
{
    const char *p = list, *start = list;
    int depth = 0, rc;
    size_t index = 0;
    for (;; ++p) {
        if (*p == '(')
            ++depth;
        else if (*p == ')')
            --depth;
        if ((*p == ',' && depth == 0) || *p == '\0') {
            char item[DLM_STRATEGY_TEXT_MAX];
            size_t n = (size_t)(p - start);
            if (n >= sizeof item)
                return -1;
            memcpy(item, start, n);
            item[n] = '\0';
            if ((rc = fn(item, index++, ctx)) != 0)
                return rc;
            start = p + 1;
            if (*p == '\0')
                break;
        }
    }
    return 0;
}

typedef struct yaml_list {
    char *buf;
    size_t len, o;
} yaml_list;

static int yaml_list_add(const char *item, size_t index, void *ctx)
{
    yaml_list *y = ctx;
    char quoted[2 * DLM_STRATEGY_TEXT_MAX + 4];
    yaml_quote(quoted, sizeof quoted, item);
    if (y->o + strlen(quoted) + 3 >= y->len)
        return -1;
    if (index)
        y->buf[y->o++] = ',';
    memcpy(y->buf + y->o, quoted, strlen(quoted));
    y->o += strlen(quoted);
    return 0;
}

/* "a,b(c,d),e" as a YAML flow sequence of quoted strings. */
static int strategy_list_yaml(const char *list, char *buf, size_t len)
{
    yaml_list y = {buf, len, 1};
    buf[0] = '[';
    if (strategy_list_each(list, yaml_list_add, &y) != 0)
        return -1;
    buf[y.o++] = ']';
    buf[y.o] = '\0';
    return 0;
}

/* --- loading a scenario, and errors in the user's terms ------------------------------- */

/* Loads the config (file, built-in text or empty) and applies the assignments, all but
 * number skip (-1: none). */
static dlm_status build_scenario(const cli_args *a, const char *builtin, int skip,
                                 dlm_scenario *sc, dlm_error *err)
{
    dlm_config *cfg = NULL;
    dlm_status st;
    int i;
    if (a->config)
        st = dlm_config_load_file(a->config, &cfg, err);
    else if (builtin)
        st = dlm_config_load_string(builtin, strlen(builtin), "<built-in default scenario>", &cfg,
                                    err);
    else
        st = dlm_config_new(&cfg, err);
    for (i = 0; st == DLM_OK && i < a->n_assign; ++i)
        if (i != skip)
            st = dlm_config_set(cfg, a->assign[i], err);
    if (st == DLM_OK)
        st = dlm_config_to_scenario(cfg, sc, err);
    dlm_config_free(cfg);
    return st;
}

/* Rewrites a message that names an override ("--set match.rounds=0: match.rounds: ...")
 * in the user's terms ("--rounds 0: ..."). */
static void user_terms(const cli_args *a, dlm_error *err)
{
    int i;
    for (i = 0; i < a->n_assign; ++i) {
        char needle[1200], out[sizeof err->message];
        const char *at, *rest, *eq;
        size_t klen;
        if (!a->typed[i])
            continue;
        snprintf(needle, sizeof needle, "--set %s", a->assign[i]);
        if (!(at = strstr(err->message, needle)))
            continue;
        rest = at + strlen(needle);
        eq = strchr(a->assign[i], '=');
        klen = eq ? (size_t)(eq - a->assign[i]) : 0;
        /* ": match.rounds: expected ..." -> ": expected ..." */
        if (klen && strncmp(rest, ": ", 2) == 0 && strncmp(rest + 2, a->assign[i], klen) == 0 &&
            strncmp(rest + 2 + klen, ": ", 2) == 0)
            rest += 2 + klen;
        snprintf(out, sizeof out, "%.*s%s%s", (int)(at - err->message), err->message,
                 a->typed[i], rest);
        memcpy(err->message, out, sizeof out);
        return;
    }
}

typedef struct strategy_check {
    const dlm_game *game;
    dlm_error *err;
    const char *cmd;
} strategy_check;

static int check_listed_strategy(const char *item, size_t index, void *ctx)
{
    strategy_check *c = ctx;
    dlm_strategy_def def;
    dlm_error serr = {DLM_OK, ""};
    if (dlm_strategy_parse(item, c->game, &def, &serr) == DLM_OK)
        return 0;
    dlm_error_set(c->err, DLM_ERR_USAGE, "--strategies: strategy %zu '%s': %s", index + 1, item,
                  serr.message);
    return 1;
}

/* Why the strategies the user gave (arguments A and B, or --strategies) fail: each is
 * compiled for the game of the scenario without them; fills err and returns 1 when one
 * fails (or the scenario without them fails), 0 when they all compile. */
static int explain_strategies(const cli_args *a, const char *builtin, dlm_error *err)
{
    dlm_scenario pre;
    dlm_error perr = {DLM_OK, ""};
    int found = 0, p;
    if (build_scenario(a, builtin, a->players_assign, &pre, &perr) != DLM_OK) {
        *err = perr;
        return 1;
    }
    if (a->values[O_STRATEGIES]) {
        strategy_check c = {&pre.game, err, NULL};
        found = strategy_list_each(a->values[O_STRATEGIES], check_listed_strategy, &c) == 1;
    } else {
        for (p = 0; p < 2 && p < a->n_positional && !found; ++p) {
            dlm_strategy_def def;
            dlm_error serr = {DLM_OK, ""};
            if (dlm_strategy_parse(a->positional[p], &pre.game, &def, &serr) != DLM_OK) {
                dlm_error_set(err, DLM_ERR_USAGE, "strategy %c '%s': %s", 'A' + p,
                              a->positional[p], serr.message);
                found = 1;
            }
        }
    }
    dlm_scenario_free(&pre);
    return found;
}

/* Loads the scenario: the config (file, built-in text or empty) and the assignments.
 * Returns an exit code, having printed the error in the user's terms. */
static int load_scenario(const char *cmd, const cli_args *a, const char *builtin,
                         dlm_scenario *sc)
{
    dlm_error err = {DLM_OK, ""};
    dlm_status st = build_scenario(a, builtin, -1, sc, &err);
    if (st == DLM_OK)
        return 0;
    if (a->players_assign >= 0) {
        char needle[64];
        snprintf(needle, sizeof needle, "--set %.40s", a->assign[a->players_assign]);
        if (strstr(err.message, needle))
            explain_strategies(a, builtin, &err);
    }
    user_terms(a, &err);
    fprintf(dlm_err(), "dilemma %s: %s\n", cmd, err.message);
    return err.status == DLM_ERR_RUNTIME ? 1 : 2;
}

/* Prints the PD warnings of a game that is meant to be a PD: preset pd with payoffs
 * changed (named custom, its preset still pd). A custom game (R, S, T, P without a preset) may be any 2x2 game on purpose,
 * like the Nowak-May game with P = S. */
static void warn_game(const dlm_scenario *sc)
{
    char buf[1024];
    if (strcmp(sc->game.preset, "pd") == 0)
        if (dlm_game_pd_warnings(&sc->game, buf, sizeof buf) > 0)
            fprintf(dlm_err(), "%s%s\n", sc->asymmetric ? "player A's game: " : "", buf);
    if (sc->asymmetric && strcmp(sc->game_b.preset, "pd") == 0) /* each side its own */
        if (dlm_game_pd_warnings(&sc->game_b, buf, sizeof buf) > 0)
            fprintf(dlm_err(), "player B's game: %s\n", buf);
}

/* Opens the scenario's backend; returns an exit code. */
/* A sweep keeps its backend open from run to run (a device context, compiled kernels):
 * the one of the last run, reused while the next asks for the same backend and threads. */
static _Thread_local struct {
    int keep;  /* a sweep is running */
    const dlm_backend_ops *ops;
    dlm_backend *be;
    char name[16];
    int threads;
} cli_backend;

static int open_backend(const char *cmd, const dlm_scenario *sc, const dlm_backend_ops **ops,
                        dlm_backend **be)
{
    dlm_backend_options opt = {sc->threads, opt_platform, opt_device, cli_local_rank};
    dlm_error err = {DLM_OK, ""};
    dlm_status st;
    if (cli_backend.be && strcmp(cli_backend.name, sc->backend) == 0 &&
        cli_backend.threads == sc->threads) {
        *ops = cli_backend.ops;
        *be = cli_backend.be;
        return 0;
    }
    if (cli_backend.be) {
        cli_backend.ops->destroy(cli_backend.be);
        cli_backend.be = NULL;
    }
    st = dlm_backend_open(sc->backend, &opt, dlm_err(), ops, be, &err);
    if (st != DLM_OK) {
        fprintf(dlm_err(), "dilemma %s: %s\n", cmd, err.message);
        return st == DLM_ERR_USAGE ? 2 : 1;
    }
    if (cli_backend.keep) {
        cli_backend.ops = *ops;
        cli_backend.be = *be;
        snprintf(cli_backend.name, sizeof cli_backend.name, "%s", sc->backend);
        cli_backend.threads = sc->threads;
    }
    return 0;
}

/* Done with a backend: closed, unless a sweep keeps it for its next run. */
static void close_backend(const dlm_backend_ops *ops, dlm_backend *be)
{
    if (!(cli_backend.keep && be == cli_backend.be))
        ops->destroy(be);
}

/* The end of a sweep: its backend closed. */
static void release_backend(void)
{
    if (cli_backend.be)
        cli_backend.ops->destroy(cli_backend.be);
    memset(&cli_backend, 0, sizeof cli_backend);
}

/* The output format: the config's or --format; when neither --format nor --set
 * output.format was given and it is the default table, the one --out's extension names. */
static dlm_status output_format(const dlm_scenario *sc, int format_given, dlm_format *fmt,
                                dlm_error *err)
{
    dlm_status st = dlm_format_parse(sc->format, fmt, err);
    if (st == DLM_OK && !format_given && *fmt == DLM_FMT_TABLE && sc->out[0])
        dlm_format_from_path(sc->out, fmt);
    return st;
}

/* What a run writes beyond its main output, from the command line. */
typedef struct run_options {
    int format_given;       /* --format or --set output.format given */
    uint32_t repetitions;   /* match: independent matches (>= 1) */
    const char *trace;      /* match: null = none, "" = in the output, else its file */
    const char *matrix;     /* tournament: null = none, "" = in the output, else its file */
    const char *per_repetition; /* tournament: likewise */
    dlm_digest *digest;     /* if not null: the run's results as samples (a sweep's) */
    const char *resume;     /* evolution: the checkpoint to continue from, or null */
    uint64_t config_hash;   /* evolution with checkpoints: dlm_config_hash of the config */
    const char *resume_command; /* what to run to resume (a message after a signal) */
    int quiet;              /* --quiet: no progress line */
} run_options;

/* The outputs of one run: sink 0 the main one, then side files; all or none are kept. */
typedef struct run_outputs {
    dlm_sink sink[3];
    int n;
} run_outputs;

static dlm_status outputs_open(run_outputs *o, const char *path, dlm_error *err)
{
    dlm_status st = dlm_sink_open(&o->sink[o->n], path, err);
    if (st == DLM_OK)
        o->n++;
    return st;
}

static void outputs_abort(run_outputs *o)
{
    int i;
    for (i = 0; i < o->n; ++i)
        dlm_sink_abort(&o->sink[i]);
    o->n = 0;
}

/* Commits the side files, then the main output; when one fails, removes those already
 * in place. */
static dlm_status outputs_commit(run_outputs *o, dlm_error *err)
{
    int i, k;
    for (k = 1; k <= o->n; ++k) {
        i = k % o->n; /* 1, 2, ..., 0 */
        if (dlm_sink_commit(&o->sink[i], err) != DLM_OK) {
            int j;
            for (j = 1; j < k; ++j) /* files put in place, never a device or a FIFO */
                if (o->sink[j % o->n].kind == DLM_SINK_ATOMIC)
                    remove(o->sink[j % o->n].target);
            for (j = k + 1; j <= o->n; ++j)
                dlm_sink_abort(&o->sink[j % o->n]);
            o->n = 0;
            return DLM_ERR_RUNTIME;
        }
    }
    o->n = 0;
    return DLM_OK;
}

/* A side file's format: its extension's, else the main output's. */
static dlm_format side_format(const char *path, dlm_format main)
{
    dlm_format f = main;
    dlm_format_from_path(path, &f);
    return f;
}

/* The checkpoints a run asks for (output.checkpoint, --resume), checked before any work:
 * *path gets the checkpoint file or null for none. Returns an exit code. */
static int checkpoint_setup(const char *cmd, const dlm_scenario *sc, const run_options *o,
                            dlm_evo_checkpointing *ck, const char **path)
{
    dlm_error err = {DLM_OK, ""};
    dlm_sink probe;
    memset(ck, 0, sizeof *ck);
    *path = sc->checkpoint[0] ? sc->checkpoint : o->resume;
    if (!*path)
        return 0;
    if (strcmp(cmd, "run") != 0 && strcmp(cmd, "sweep") != 0) {
        fprintf(dlm_err(),
                "dilemma %s: checkpoints are taken by `dilemma run` and `dilemma sweep` "
                "(output.checkpoint is set); %s does not take them\n",
                cmd, cmd);
        return 2;
    }
    if (!sc->out[0] || dlm_path_is_stream(sc->out)) {
        fprintf(dlm_err(),
                "dilemma %s: a run with checkpoints writes its records to a file (give "
                "--out FILE), so that a resumed run can continue them\n",
                cmd);
        return 2;
    }
    if (strcmp(*path, sc->out) == 0) {
        fprintf(dlm_err(), "dilemma %s: '%s' is named for both the output and the checkpoint\n",
                cmd, *path);
        return 2;
    }
    if (!o->resume && access(*path, F_OK) == 0) { /* a stopped run's: never overwritten */
        fprintf(dlm_err(),
                "dilemma %s: checkpoint %s exists (a run stopped there): continue it with "
                "--resume %s, or remove it to start over\n",
                cmd, *path, *path);
        return 2;
    }
    if (dlm_cli_test_stop(ck) != 0) {
        fprintf(dlm_err(),
                "dilemma %s: DLM_TEST_STOP_AFTER_CHECKPOINTS must be K or K:INT, "
                "K:TERM, K:HUP with K in [1, 10^6]\n",
                cmd);
        return 2;
    }
    if (dlm_sink_open(&probe, *path, &err) != DLM_OK) { /* its folder can be written */
        fprintf(dlm_err(), "dilemma %s: checkpoint: %s\n", cmd, err.message);
        return err.status == DLM_ERR_RUNTIME ? 1 : 2;
    }
    dlm_sink_abort(&probe);
    ck->path = *path;
    ck->every_generations = sc->checkpoint_every_generations;
    ck->every_seconds = sc->checkpoint_every_seconds;
    ck->config_hash = o->config_hash;
    return 0;
}

/* The end of a run stopped by a signal at its checkpoint: the partial records kept as
 * they are, and how to resume. Returns the exit code, 128 + signal. */
static int evolution_stopped(const char *cmd, const dlm_evo_checkpointing *ck, dlm_sink *records,
                             const run_options *o)
{
    dlm_error err = {DLM_OK, ""};
    char name[32];
    if (dlm_sink_suspend(records, &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma %s: %s\n", cmd, err.message);
        return 1;
    }
    fprintf(dlm_err(),
            "dilemma %s: stopped by %s at generation %llu; checkpoint in %s, records so "
            "far in %s\n",
            cmd, dlm_cli_signal_name(ck->signal, name, sizeof name),
            (unsigned long long)ck->generation, ck->path, records->tmp_path);
    fprintf(dlm_err(), "dilemma %s: to resume: %s\n", cmd,
            o->resume_command ? o->resume_command : "the same command with --resume");
    return 128 + ck->signal;
}

/* Opens the records of an evolution: a new partial file, or (resume) the one the
 * checkpoint continues, checked first. On failure prints why and returns an exit code. */
/* The run header's line on estimated payoffs (stderr): how many matches per type pair,
 * the largest and mean standard error over the pairs, and each pair's estimate with its
 * standard error when there are at most 16 pairs (types numbered as the plan lists them:
 * the initial strategies in order of first appearance, then the mutation set). */
static void cli_estimate_header(const dlm_evo_plan *plan)
{
    const dlm_evo_params *ep = &plan->params;
    double max = 0.0, sum = 0.0;
    size_t i, n = plan->n_estimate_se;
    for (i = 0; i < n; ++i) {
        max = plan->estimate_se[i] > max ? plan->estimate_se[i] : max;
        sum += plan->estimate_se[i];
    }
    fprintf(dlm_err(),
            "dilemma: payoffs estimated once per type pair by %u matches each: standard "
            "error at most %.4g, mean %.4g over %zu pairs\n",
            plan->estimate_matches, max, n ? sum / (double)n : 0.0, n);
    for (i = 0; n <= 16 && i < n; ++i) {
        uint32_t k = ep->n_types, c = ep->cache_classes;
        uint32_t ty = (uint32_t)(i % k), tx = (uint32_t)(i / k % k), cc = (uint32_t)(i / k / k);
        fprintf(dlm_err(),
                "dilemma:   type %u (class %s) against type %u (class %s): %.6g +- %.4g\n", tx,
                plan->class_names[cc / c], ty, plan->class_names[cc % c],
                plan->exact[ep->exact_offset + k + (i << 1)], plan->estimate_se[i]);
    }
}

static int evolution_records(const char *cmd, const dlm_scenario *sc, const run_options *o,
                             const dlm_evo_plan *plan, dlm_format fmt, dlm_sink *records,
                             dlm_evo_checkpointing *ck, void **payload)
{
    dlm_error err = {DLM_OK, ""};
    dlm_status st;
    if (o->resume)
        st = dlm_evo_resume_open(o->resume, o->config_hash, plan, fmt, sc->out, records,
                                 payload, &ck->resume_n, &err);
    else
        st = dlm_sink_open_partial(records, sc->out, &err);
    ck->resume = *payload;
    if (st == DLM_OK)
        return 0;
    fprintf(dlm_err(), "dilemma %s: %s%s\n", cmd, o->resume ? "cannot resume: " : "", err.message);
    return st == DLM_ERR_USAGE ? 2 : 1;
}

/* Runs a scenario's evolution: plan (memory printed first), backend, records streamed
 * to <out>.partial (flushed line by line), summary beside it; with checkpoints, those
 * too, and a stop at a checkpoint when a signal asks for one (exit 128 + signal). */
static int run_evolution(const char *cmd, const dlm_scenario *sc, dlm_format fmt,
                         const run_options *o)
{
    dlm_evo_outcome *outcomes = NULL;
    const dlm_backend_ops *ops = NULL;
    dlm_backend *be = NULL;
    dlm_error err = {DLM_OK, ""};
    dlm_evo_plan plan;
    dlm_evo_checkpointing ck;
    dlm_sink records;
    dlm_progress line;
    const char *ck_path = NULL;
    void *payload = NULL;
    dlm_status st;
    int rc, kept = 0;
    if ((rc = checkpoint_setup(cmd, sc, o, &ck, &ck_path)) != 0)
        return rc;
    if ((st = dlm_evo_plan_build(sc, &plan, &err)) != DLM_OK) {
        fprintf(dlm_err(), "dilemma %s: %s\n", cmd, err.message);
        return st == DLM_ERR_USAGE ? 2 : 1;
    }
    if ((rc = evolution_records(cmd, sc, o, &plan, fmt, &records, &ck, &payload)) != 0) {
        dlm_evo_plan_free(&plan);
        return rc;
    }
    if (!cli_quiet_runs) {
        fprintf(dlm_err(),
                "dilemma: %s, %zu population%s of %u agents: about %.1f MiB (%llu bytes "
                "per agent%s)%s; representation: %s\n",
                dlm_evo_rule_name(plan.rule), plan.n_populations,
                plan.n_populations == 1 ? "" : "s", sc->evolution.population,
                plan.bytes / 1048576.0,
                (unsigned long long)dlm_evo_bytes_per_agent(plan.synchronous),
                plan.interaction.n ? " plus the graphs" : "",
                plan.bytes_available ? "" : " (memory here unknown)",
                plan.count_types ? "counts of types" : "agents");
        if (plan.count_types)
            fprintf(dlm_err(),
                    "dilemma: counts: up to %u types (strategy x class) per population, "
                    "payoffs %s once per type pair\n",
                    plan.count_types,
                    plan.params.payoff_mode == 3u ? "estimated"
                    : plan.params.payoff_mode     ? "exact"
                                                  : "of one deterministic match");
        if (plan.params.payoff_mode == 3u)
            cli_estimate_header(&plan);
    }
    rc = open_backend(cmd, sc, &ops, &be);
    if (rc) {
        dlm_sink_abort(&records);
        dlm_evo_plan_free(&plan);
        free(payload);
        return rc;
    }
    /* The records stream into <out>.partial (to follow with tail -f), renamed to <out> when
       the run completes; a failed run leaves no <out>, and keeps the partial file only
       when it holds records, saying so (host/output/sink.h). With checkpoints a signal
       only asks the run to stop at its next generation boundary (host/output/signals.h). */
    if (o->digest && !(outcomes = calloc(plan.n_populations, sizeof *outcomes))) {
        dlm_sink_abort(&records);
        close_backend(ops, be);
        dlm_evo_plan_free(&plan);
        free(payload);
        fprintf(dlm_err(), "dilemma %s: out of memory for the outcomes\n", cmd);
        return 1;
    }
    dlm_signals_defer(ck_path != NULL);
    dlm_progress_start(&line, "dilemma run", "generations", sc->evolution.generations, 2.0,
                       o->quiet || cli_quiet_runs);
    st = dlm_evolve_checkpointed(sc, &plan, ops, be, &records, fmt, ck_path ? &ck : NULL,
                                 &line, outcomes, &err);
    dlm_progress_end(&line);
    free(payload);
    if (st == DLM_OK && o->digest)
        st = dlm_digest_evolution(o->digest, &plan, outcomes, &err);
    free(outcomes);
    if (st == DLM_OK && ck_path && ck.signal)
        rc = evolution_stopped(cmd, &ck, &records, o);
    else if (st == DLM_OK && (st = dlm_sink_commit(&records, &err)) == DLM_OK && ck_path)
        remove(ck_path); /* the run is complete: nothing is left to resume */
    else if (st != DLM_OK)
        kept = dlm_sink_abort(&records);
    dlm_signals_defer(0);
    close_backend(ops, be);
    dlm_evo_plan_free(&plan);
    if (st != DLM_OK) {
        fprintf(dlm_err(), "dilemma %s: %s\n", cmd, err.message);
        if (kept)
            fprintf(dlm_err(), "dilemma %s: the records written before the failure are in %s%s\n",
                    cmd, records.tmp_path,
                    ck_path && (ck.generation || o->resume)
                        ? " (--resume continues from the last checkpoint)"
                        : "");
        return st == DLM_ERR_USAGE ? 2 : 1;
    }
    return rc;
}


/* mode analyze: the exact answers for the scenario's two players (memory-one strategies),
 * written to its output. */
static dlm_status run_analysis(const dlm_scenario *sc, dlm_format fmt, dlm_digest *digest,
                               dlm_error *err)
{
    dlm_strategy_def defs[2];
    dlm_scenario eff = *sc; /* with an institution: its game is the effective one */
    dlm_exact_input in;
    dlm_exact_result res;
    dlm_sink sink;
    dlm_status st = DLM_OK;
    const char *labels[2];
    int i;
    memset(&in, 0, sizeof in);
    for (i = 0; i < 2 && st == DLM_OK; ++i) {
        const dlm_player_spec *p = &sc->players[i];
        st = dlm_strategy_parse(p->strategy, dlm_scenario_game(sc, i), &defs[i], err);
        if (st != DLM_OK)
            break;
        labels[i] = defs[i].label;
        if (defs[i].model.kind != DLM_STRAT_MEMORY_ONE)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "analyze needs memory-one strategies; strategy %c '%s' is a %s "
                                 "(memory-one ones: allc, alld, tft, stft, gtft, wsls, random, "
                                 "joss, extort, m1(...) ...)", 'A' + i, defs[i].label,
                                 defs[i].model.kind == DLM_STRAT_FSM ? "Moore machine"
                                                                     : "lookup table");
        memcpy(i == 0 ? in.a : in.b, defs[i].memory_one, sizeof in.a);
        in.execution_error[i] = p->execution_error;
        in.perception_error[i] = p->perception_error;
        in.reaction_period[i] = p->reaction_period;
        in.observation_delay[i] = p->observation_delay;
    }
    in.rounds = sc->rounds;
    in.geometric = sc->geometric;
    in.continuation = sc->continuation;
    if (sc->institution.given) { /* each act's expected transfer, folded into the game */
        warn_game(sc); /* of the game as given; the effective one is the analysis's */
        dlm_institution_effective(&sc->institution, &sc->game, &eff.game);
        dlm_institution_effective(&sc->institution, dlm_scenario_game(sc, 1), &eff.game_b);
        sc = &eff;
    }
    if (st == DLM_OK)
        st = dlm_exact_bimatrix(&in, &sc->game, dlm_scenario_game(sc, 1), &res, err);
    if (st == DLM_OK && digest)
        st = dlm_digest_exact(digest, &res, err);
    if (st == DLM_OK) {
        if (!sc->institution.given)
            warn_game(sc);
        st = dlm_sink_open(&sink, sc->out, err);
    }
    if (st == DLM_OK) {
        dlm_write_exact(sink.fp, fmt, sc, labels, &res);
        st = dlm_sink_commit(&sink, err);
    }
    return st;
}

/* mode analyze with analyze.population: the exact answers of the well-mixed population of
 * evolution.*, written to the scenario's output. */
static dlm_status run_population_analysis(const dlm_scenario *sc, dlm_format fmt,
                                          dlm_digest *digest, dlm_error *err)
{
    dlm_population_report r;
    dlm_sink sink;
    dlm_status st = dlm_population_analyze(sc, &r, err);
    if (st == DLM_OK && digest)
        st = dlm_digest_population(digest, &r, err);
    if (st == DLM_OK)
        st = dlm_sink_open(&sink, sc->out, err);
    if (st == DLM_OK) {
        dlm_write_population(sink.fp, fmt, sc, &r);
        st = dlm_sink_commit(&sink, err);
    }
    dlm_population_report_free(&r);
    return st;
}

/* mode analyze with analyze.game: the stage game itself, with the institution folded in. */
static dlm_status run_game_analysis(const dlm_scenario *sc, dlm_format fmt, dlm_digest *digest,
                                    dlm_error *err)
{
    dlm_game_report r;
    dlm_sink sink;
    dlm_status st = DLM_OK;
    if (sc->evolution.donation || (sc->evolution.group && sc->evolution.group_game != 1))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze.game: the stage game is analyzed for 2x2 games and the "
                             "linear public goods game (evolution.group.game: pgg), not %s",
                             sc->evolution.donation ? "the donation game with reputations"
                                                    : "the collective-risk game");
    dlm_game_analyze(sc, &r);
    if (digest)
        st = dlm_digest_game(digest, &r, err);
    if (st == DLM_OK)
        st = dlm_sink_open(&sink, sc->out, err);
    if (st == DLM_OK) {
        dlm_write_game_analysis(sink.fp, fmt, sc, &r);
        st = dlm_sink_commit(&sink, err);
    }
    return st;
}

/* mode analyze with analyze.design: the cheapest institution over a grid. */
static dlm_status run_design(const dlm_scenario *sc, dlm_format fmt, dlm_digest *digest,
                             dlm_error *err)
{
    dlm_design_report r;
    dlm_sink sink;
    dlm_status st;
    if (sc->design.evolve) {
        const dlm_backend_ops *ops = NULL;
        dlm_backend *be = NULL;
        int rc = open_backend("analyze", sc, &ops, &be);
        if (rc)
            return dlm_error_set(err, rc == 2 ? DLM_ERR_USAGE : DLM_ERR_RUNTIME,
                                 "analyze.design.evolve: no backend to evolve on");
        st = dlm_design_run_evolve(sc, ops, be, &r, err);
        close_backend(ops, be);
    } else {
        st = dlm_design_run(sc, &r, err);
    }
    if (st == DLM_OK && digest)
        st = dlm_digest_design(digest, &r, err);
    if (st == DLM_OK)
        st = dlm_sink_open(&sink, sc->out, err);
    if (st == DLM_OK) {
        dlm_write_design(sink.fp, fmt, sc, &r);
        st = dlm_sink_commit(&sink, err);
    }
    dlm_design_report_free(&r);
    return st;
}

/* The command line's choices, else the config's (match.repetitions, tournament.matrix,
 * tournament.per_repetition), checked against the mode and format; an exit code. */
static int resolve_run_options(const char *cmd, const dlm_scenario *sc, run_options *o,
                               dlm_format *fmt)
{
    static const char *const modes[] = {"match", "tournament", "evolve", "analyze"};
    dlm_error err = {DLM_OK, ""};
    if (!o->repetitions)
        o->repetitions = sc->match_repetitions ? sc->match_repetitions : 1;
    if (!o->matrix && sc->matrix_wanted && sc->mode == DLM_MODE_TOURNAMENT)
        o->matrix = sc->matrix_file;
    if (!o->per_repetition && sc->per_repetition_wanted && sc->mode == DLM_MODE_TOURNAMENT)
        o->per_repetition = sc->per_repetition_file;
    if (o->trace && o->repetitions > 1) {
        fprintf(dlm_err(),
                "dilemma %s: --trace shows one match; it takes one repetition "
                "(match.repetitions is %u)\n",
                cmd, o->repetitions);
        return 2;
    }
    if (output_format(sc, o->format_given, fmt, &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma %s: %s\n", cmd, err.message);
        return 2;
    }
    if (sc->mode != DLM_MODE_EVOLVE && (sc->checkpoint[0] || o->resume)) {
        fprintf(dlm_err(),
                "dilemma %s: checkpoints and --resume are for evolution runs (this "
                "run's mode is %s)\n",
                cmd, modes[sc->mode]);
        return 2;
    }
    if (sc->mode != DLM_MODE_TOURNAMENT && (o->matrix || o->per_repetition)) {
        fprintf(dlm_err(),
                "dilemma %s: --matrix and --per-repetition are for tournaments (this "
                "run's mode is %s)\n",
                cmd, modes[sc->mode]);
        return 2;
    }
    if (*fmt == DLM_FMT_CSV && o->matrix && !o->matrix[0] && o->per_repetition &&
        !o->per_repetition[0]) {
        fprintf(dlm_err(),
                "dilemma %s: csv output holds one table: give --matrix or "
                "--per-repetition a file of its own (e.g. --matrix=matrix.csv)\n",
                cmd);
        return 2;
    }
    return 0;
}

/* Runs a loaded scenario and writes its output; returns an exit code. */
static int run_scenario(const char *cmd, const dlm_scenario *sc, const run_options *given)
{
    const dlm_backend_ops *ops = NULL;
    dlm_backend *be = NULL;
    dlm_error err = {DLM_OK, ""};
    dlm_format fmt;
    run_outputs outs;
    dlm_status st;
    const char *sides[2] = {NULL, NULL};
    int rc, k;
    run_options opts = *given, *o = &opts;
    memset(&outs, 0, sizeof outs);
    if ((rc = resolve_run_options(cmd, sc, o, &fmt)) != 0)
        return rc;
    sides[0] = sc->mode == DLM_MODE_MATCH ? o->trace : o->matrix;
    sides[1] = sc->mode == DLM_MODE_MATCH ? NULL : o->per_repetition;
    for (k = 0; k < 2; ++k)
        if (sides[k] && sides[k][0] &&
            ((sc->out[0] && strcmp(sides[k], sc->out) == 0) ||
             (k == 1 && sides[0] && strcmp(sides[0], sides[1]) == 0))) {
            fprintf(dlm_err(), "dilemma %s: '%s' is named for two outputs\n", cmd, sides[k]);
            return 2;
        }
    if (sc->mode == DLM_MODE_ANALYZE) {
        st = sc->design.given               ? run_design(sc, fmt, o->digest, &err)
             : sc->population_analysis.wanted ? run_population_analysis(sc, fmt, o->digest, &err)
             : sc->analyze_game             ? run_game_analysis(sc, fmt, o->digest, &err)
                                            : run_analysis(sc, fmt, o->digest, &err);
        if (st != DLM_OK)
            fprintf(dlm_err(), "dilemma %s: %s\n", cmd, err.message);
        return st == DLM_OK ? 0 : st == DLM_ERR_USAGE ? 2 : 1;
    }
    warn_game(sc);
    /* Every output is opened before any work, so a path that cannot be written fails at
       once (and an interrupted run leaves no temporary file, host/output/signals.h). */
    dlm_signals_install();
    if (sc->mode == DLM_MODE_EVOLVE)
        return run_evolution(cmd, sc, fmt, o);
    st = outputs_open(&outs, sc->out, &err);
    if (st == DLM_OK && sc->mode == DLM_MODE_MATCH && o->trace && o->trace[0])
        st = outputs_open(&outs, o->trace, &err);
    for (k = 0; k < 2 && st == DLM_OK && sc->mode == DLM_MODE_TOURNAMENT; ++k)
        if (sides[k] && sides[k][0])
            st = outputs_open(&outs, sides[k], &err);
    if (st != DLM_OK) {
        outputs_abort(&outs);
        fprintf(dlm_err(), "dilemma %s: %s\n", cmd, err.message);
        return st == DLM_ERR_USAGE ? 2 : 1;
    }
    rc = open_backend(cmd, sc, &ops, &be);
    if (rc) {
        outputs_abort(&outs);
        return rc;
    }
    if (sc->mode == DLM_MODE_MATCH) {
        dlm_match_report r;
        st = dlm_play_scenario_match(sc, ops, be, o->repetitions ? o->repetitions : 1,
                                     o->trace != NULL, &r, &err);
        if (st == DLM_OK && o->digest)
            st = dlm_digest_match(o->digest, &r, &err);
        if (st == DLM_OK) {
            dlm_write_match(outs.sink[0].fp, fmt, sc, &r, ops->describe(be),
                            o->trace && !o->trace[0]);
            if (outs.n > 1)
                dlm_write_trace(outs.sink[1].fp, side_format(o->trace, fmt), sc, &r);
            st = outputs_commit(&outs, &err);
        }
        if (r.repetitions)
            dlm_match_report_free(&r);
    } else {
        dlm_tournament_report r;
        unsigned parts = 0;
        dlm_progress line;
        dlm_progress_start(&line, cmd[0] == 't' ? "dilemma tournament" : "dilemma run",
                           "matches", 0, 2.0, o->quiet || cli_quiet_runs);
        st = dlm_play_scenario_tournament_progress(sc, ops, be, &r, line.quiet ? NULL
                                                   : dlm_progress_report, &line, &err);
        dlm_progress_end(&line);
        if (o->matrix && !o->matrix[0])
            parts |= DLM_PART_MATRIX;
        if (o->per_repetition && !o->per_repetition[0])
            parts |= DLM_PART_REPETITIONS;
        if (st == DLM_OK && o->digest)
            st = dlm_digest_tournament(o->digest, &r, &err);
        if (st == DLM_OK) {
            int s = 1;
            dlm_write_tournament(outs.sink[0].fp, fmt, sc, &r, ops->describe(be), parts);
            for (k = 0; k < 2; ++k)
                if (sides[k] && sides[k][0])
                    dlm_write_tournament_part(outs.sink[s++].fp, side_format(sides[k], fmt), sc,
                                              &r, k == 0 ? DLM_PART_MATRIX
                                                         : DLM_PART_REPETITIONS);
            st = outputs_commit(&outs, &err);
        }
        if (r.n)
            dlm_tournament_report_free(&r);
    }
    outputs_abort(&outs);
    close_backend(ops, be);
    if (st != DLM_OK) {
        fprintf(dlm_err(), "dilemma %s: %s\n", cmd, err.message);
        return st == DLM_ERR_USAGE ? 2 : 1;
    }
    return 0;
}

/* --- per-player options ("0.01" for both players, "0.01,0.05" for A and B) ----------- */

static const int player_options[4] = {O_EXEC, O_PERC, O_PERIOD, O_DELAY};
static const char *player_keys[4] = {"execution_error", "perception_error", "reaction_period",
                                     "observation_delay"};

/* Checks one player's value of a per-player option with the config's own rules (as
 * match.<key>), printing the error in the user's terms. Returns an exit code. */
static int check_player_value(const char *cmd, int k, const char *typed, int player,
                              const char *value)
{
    dlm_config *cfg = NULL;
    dlm_scenario sc;
    dlm_error err = {DLM_OK, ""};
    char assign[160], key[48];
    const char *msg;
    dlm_status st = dlm_config_new(&cfg, &err);
    snprintf(assign, sizeof assign, "match.%s=%s", player_keys[k], value);
    if (st == DLM_OK)
        st = dlm_config_set(cfg, assign, &err);
    if (st == DLM_OK && (st = dlm_config_to_scenario(cfg, &sc, &err)) == DLM_OK)
        dlm_scenario_free(&sc);
    dlm_config_free(cfg);
    if (st == DLM_OK)
        return 0;
    snprintf(key, sizeof key, "match.%s: ", player_keys[k]);
    msg = strstr(err.message, key);
    msg = msg ? msg + strlen(key) : err.message;
    fprintf(dlm_err(), "dilemma %s: --%s %s: player %c: %s\n", cmd, options[player_options[k]].name,
            typed, 'A' + player, msg);
    return st == DLM_ERR_USAGE ? 2 : 1;
}

/* Adds the per-player options: single values to match.*, pairs into the players list
 * (which needs the two strategies), and the strategies A and B. Returns an exit code. */
static int add_player_options(const char *cmd, cli_args *a, int allow_pairs)
{
    char pair_values[4][2][64];
    int has_pair = 0, k, rc;
    memset(pair_values, 0, sizeof pair_values);
    for (k = 0; k < 4; ++k) {
        const char *v = a->values[player_options[k]], *comma;
        const char *name = options[player_options[k]].name;
        char key[64];
        if (!v)
            continue;
        comma = strchr(v, ',');
        if (!comma) {
            snprintf(key, sizeof key, "match.%s", player_keys[k]);
            if (add_assignment(a, key, v, own_printf(a, "--%s %s", name, v)) != 0)
                return 2;
            continue;
        }
        if (!allow_pairs) {
            fprintf(dlm_err(),
                    "dilemma %s: --%s takes one value here (per-player values A,B are "
                    "for match and analyze)\n",
                    cmd, name);
            return 2;
        }
        if ((size_t)(comma - v) >= 64 || strlen(comma + 1) >= 64 || strchr(comma + 1, ',')) {
            fprintf(dlm_err(),
                    "dilemma %s: --%s: expected one value or two separated by a comma, "
                    "got '%s'\n",
                    cmd, name, v);
            return 2;
        }
        memcpy(pair_values[k][0], v, (size_t)(comma - v));
        snprintf(pair_values[k][1], 64, "%s", comma + 1);
        if ((rc = check_player_value(cmd, k, v, 0, pair_values[k][0])) != 0 ||
            (rc = check_player_value(cmd, k, v, 1, pair_values[k][1])) != 0)
            return rc;
        has_pair = 1;
    }
    if (a->n_positional == 0 && !has_pair)
        return 0;
    if (a->n_positional != 2) {
        fprintf(dlm_err(),
                "dilemma %s: expected two strategies (e.g. dilemma %s tft wsls), got %d\n", cmd,
                cmd, a->n_positional);
        return 2;
    }
    {
        char yaml[4096], quoted[2 * DLM_STRATEGY_TEXT_MAX + 4];
        size_t o = 0;
        int p;
        o += (size_t)snprintf(yaml + o, sizeof yaml - o, "[");
        for (p = 0; p < 2; ++p) {
            if (strlen(a->positional[p]) >= DLM_STRATEGY_TEXT_MAX) {
                fprintf(dlm_err(), "dilemma %s: strategy %c: longer than %d characters\n", cmd,
                        'A' + p, DLM_STRATEGY_TEXT_MAX - 1);
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
        a->players_assign = a->n_assign;
        if (add_assignment(a, "players", yaml,
                           own_printf(a, "strategies '%s' and '%s'", a->positional[0],
                                      a->positional[1])) != 0)
            return 2;
        a->changes_config = 1;
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
          "  sweep CONFIG          run a config over the grid of its sweep section\n"
          "  merge SLICE...        join the slices of `dilemma sweep --shard I/N`\n"
          "  bench                 throughput of the standard workloads\n\n"
          "`dilemma <command> --help` shows each command's options. Exit codes: 0 ok, 1 runtime\n"
          "failure, 2 usage or config error.\n", fp);
}

static void usage_command(FILE *fp, const char *cmd, const char *synopsis)
{
    fprintf(fp, "usage: dilemma %s %s\n\noptions:\n", cmd, synopsis);
    print_options(fp, command_bit(cmd));
    fputs("  --help                     this text\n", fp);
}

/* --- subcommands ----------------------------------------------------------------------- */

static dlm_status load_config_tree(const cli_args *a, dlm_config **cfg, dlm_error *err);
static int run_sweep(cli_args *a, int argc, char **argv, const char *cmd,
                     unsigned long long batch_max, dlm_sweep_job *job);

static int cmd_run(int argc, char **argv)
{
    cli_args a;
    dlm_scenario sc;
    run_options ro;
    char *resume_command = NULL;
    int builtin, rc = parse_args(argc, argv, 2, "run", &a);
    if (rc)
        return rc;
    if (a.help) {
        usage_command(dlm_out(), "run", "[CONFIG] [options]");
        fputs("\nA bare `dilemma run` (no config, no --set, no --seed; --format, --out, "
              "--backend,\n--threads, --platform and --device may be given) runs the built-in "
              "default\nscenario below. Anything else starts from the documented defaults "
              "(configs/README.md),\nwith no noise.\n\n",
              dlm_out());
        fputs(dlm_default_scenario, dlm_out());
        free_args(&a);
        return 0;
    }
    if (a.n_positional > 1 || (a.n_positional == 1 && a.config)) {
        fprintf(dlm_err(),
                "dilemma run: give one config, either as an argument or with --config\n");
        free_args(&a);
        return 2;
    }
    if (a.n_positional == 1) {
        a.config = a.positional[0];
        a.changes_config = 1;
    }
    builtin = !a.changes_config;
    if (a.config) { /* a config with a sweep section is run by dilemma sweep */
        dlm_config *cfg = NULL;
        dlm_sweep sw;
        dlm_error err = {DLM_OK, ""};
        int present = 0;
        if (load_config_tree(&a, &cfg, &err) == DLM_OK &&
            dlm_sweep_read(cfg, &sw, &present, &err) == DLM_OK)
            dlm_sweep_free(&sw);
        dlm_config_free(cfg);
        if (present) {
            fprintf(dlm_err(),
                    "dilemma run: %s has a sweep section: `dilemma sweep %s` runs its "
                    "grid (or --set sweep= runs the config without it)\n",
                    a.config, a.config);
            free_args(&a);
            return 2;
        }
    }
    rc = load_scenario("run", &a, builtin ? dlm_default_scenario : NULL, &sc);
    memset(&ro, 0, sizeof ro);
    ro.format_given = a.format_given;
    ro.quiet = a.given[O_QUIET];
    ro.repetitions = 0;
    ro.matrix = a.values[O_RUN_MATRIX];
    ro.per_repetition = a.values[O_RUN_PER_REP];
    if (rc) {
        free_args(&a);
        return rc;
    }
    if (a.given[O_CHECKPOINT_EVERY] && !sc.checkpoint[0] && !a.given[O_RESUME]) {
        fprintf(dlm_err(), "dilemma run: --checkpoint-every sets the period of the checkpoints "
                           "--checkpoint FILE writes; give that too\n");
        dlm_scenario_free(&sc);
        free_args(&a);
        return 2;
    }
    if (sc.checkpoint[0] || a.given[O_RESUME]) {
        /* the config the results depend on, for the checkpoints; the command that resumes */
        dlm_config *cfg = NULL;
        dlm_error err = {DLM_OK, ""};
        size_t len = 64;
        int i;
        if (load_config_tree(&a, &cfg, &err) == DLM_OK)
            ro.config_hash = dlm_config_hash(cfg);
        dlm_config_free(cfg);
        ro.resume = a.given[O_RESUME] ? a.values[O_RESUME] : NULL;
        for (i = 1; i < argc; ++i)
            len += 4 * strlen(argv[i]) + 3;
        if ((resume_command = malloc(len + 4 * DLM_PATH_MAX)))
            dlm_cli_resume_command(resume_command, len + 4 * DLM_PATH_MAX, argc, argv, 1,
                                   sc.checkpoint[0] ? sc.checkpoint : ro.resume);
        ro.resume_command = resume_command;
    }
    if (builtin && sc.mode == DLM_MODE_TOURNAMENT && !sc.out[0] &&
        strcmp(sc.format, "table") == 0)
        fputs("dilemma: the built-in default scenario — a noisy round robin of classics "
              "(`dilemma run --help` shows it; `dilemma run CONFIG` runs yours)\n\n",
              dlm_out());
    rc = run_scenario("run", &sc, &ro);
    dlm_scenario_free(&sc);
    free_args(&a);
    free(resume_command);
    return rc;
}

/* Reads --repetitions N of a match into *out; returns an exit code. */
static int match_repetitions(const cli_args *a, uint32_t *out)
{
    const char *v = a->values[O_MATCH_REPS];
    char *end = NULL;
    unsigned long long n;
    *out = 0; /* not given: the config's match.repetitions */
    if (!v)
        return 0;
    errno = 0;
    n = strtoull(v, &end, 10);
    if (!v[0] || *end || errno || v[0] == '-' || n < 1 || n > UINT32_MAX) {
        fprintf(dlm_err(), "dilemma match: --repetitions %s: expected an integer in [1, %u]\n", v,
                UINT32_MAX);
        return 2;
    }
    *out = (uint32_t)n;
    return 0;
}

static int cmd_match(int argc, char **argv)
{
    cli_args a;
    dlm_scenario sc;
    run_options ro;
    int rc = parse_args(argc, argv, 2, "match", &a);
    if (rc)
        return rc;
    if (a.help) {
        usage_command(dlm_out(), "match", "A B [options]");
        free_args(&a);
        return 0;
    }
    if (a.n_positional == 1)
        give_back(&a, O_TRACE);
    memset(&ro, 0, sizeof ro);
    ro.format_given = a.format_given;
    ro.quiet = a.given[O_QUIET];
    ro.trace = a.values[O_TRACE];
    rc = match_repetitions(&a, &ro.repetitions);
    if (!rc && a.n_positional != 2 && !a.config) {
        fprintf(dlm_err(), "dilemma match: expected two strategies, e.g. dilemma match tft wsls\n");
        rc = 2;
    }
    if (!rc && ro.trace && ro.repetitions > 1) {
        fprintf(dlm_err(), "dilemma match: --trace shows one match; it takes --repetitions 1\n");
        rc = 2;
    }
    if (!rc)
        rc = add_player_options("match", &a, 1);
    if (!rc && add_assignment(&a, "mode", "match", NULL) != 0)
        rc = 2;
    if (!rc)
        rc = load_scenario("match", &a, NULL, &sc);
    if (!rc) {
        rc = run_scenario("match", &sc, &ro);
        dlm_scenario_free(&sc);
    }
    free_args(&a);
    return rc;
}

static int cmd_tournament(int argc, char **argv)
{
    cli_args a;
    dlm_scenario sc;
    run_options ro;
    int rc = parse_args(argc, argv, 2, "tournament", &a);
    if (rc)
        return rc;
    if (a.help) {
        usage_command(dlm_out(), "tournament", "[--strategies A,B,...] [options]");
        free_args(&a);
        return 0;
    }
    if (a.n_positional) {
        fprintf(dlm_err(),
                "dilemma tournament: unexpected argument '%s' (strategies go in "
                "--strategies a,b,c)\n",
                a.positional[0]);
        free_args(&a);
        return 2;
    }
    memset(&ro, 0, sizeof ro);
    ro.format_given = a.format_given;
    ro.quiet = a.given[O_QUIET];
    ro.matrix = a.values[O_MATRIX];
    ro.per_repetition = a.values[O_PER_REP];
    rc = add_player_options("tournament", &a, 0);
    if (!rc && a.values[O_STRATEGIES]) {
        char yaml[16384];
        if (strategy_list_yaml(a.values[O_STRATEGIES], yaml, sizeof yaml) != 0) {
            fprintf(dlm_err(), "dilemma tournament: --strategies list too long\n");
            rc = 2;
        } else {
            a.players_assign = a.n_assign;
            if (add_assignment(&a, "tournament.strategies", yaml,
                               own_printf(&a, "--strategies %s%s", a.values[O_STRATEGIES], "")) !=
                0)
                rc = 2;
        }
    }
    if (!rc && (a.given[O_SELF] || a.given[O_NO_SELF]))
        rc = add_assignment(&a, "tournament.self_play", a.given[O_NO_SELF] ? "false" : "true",
                            NULL)
                 ? 2
                 : 0;
    if (!rc && add_assignment(&a, "mode", "tournament", NULL) != 0)
        rc = 2;
    if (!rc)
        rc = load_scenario("tournament", &a, NULL, &sc);
    if (!rc) {
        rc = run_scenario("tournament", &sc, &ro);
        dlm_scenario_free(&sc);
    }
    free_args(&a);
    return rc;
}

/* The values of one sweep axis, a YAML flow sequence of strategies: positional[first],
 * positional[first + step], ... into out. 0, or 2 after a message. */
static int strategy_values(const cli_args *a, int first, int step, char *out, size_t len)
{
    char quoted[2 * DLM_STRATEGY_TEXT_MAX + 4];
    size_t o = 0;
    int i;
    o += (size_t)snprintf(out, len, "[");
    for (i = first; i < a->n_positional; i += step) {
        if (strlen(a->positional[i]) >= DLM_STRATEGY_TEXT_MAX) {
            fprintf(dlm_err(), "dilemma analyze: strategy %d: longer than %d characters\n", i + 1,
                    DLM_STRATEGY_TEXT_MAX - 1);
            return 2;
        }
        yaml_quote(quoted, sizeof quoted, a->positional[i]);
        if (o < len)
            o += (size_t)snprintf(out + o, len - o, "%s%s", i == first ? "" : ", ", quoted);
    }
    if (o + 2 > len) {
        fprintf(dlm_err(), "dilemma analyze: too many strategies for one command line\n");
        return 2;
    }
    snprintf(out + o, len - o, "]");
    return 0;
}

/* dilemma analyze S1 S2 S3 ... (every ordered pair) or --pairs A1 B1 A2 B2 ...: the pairs
 * as a sweep over players.0.strategy and players.1.strategy (product, or zip), answered
 * in this one process, a row (or record) per pair and player. */
static int analyze_many_in(cli_args *a, char (*values)[1 << 16], char *sweep, size_t sweep_len);

static int analyze_many(cli_args *a)
{
    /* 128 KiB: on the heap, one per call (two threads may each run a command) */
    char(*values)[1 << 16] = malloc(2 * sizeof *values);
    size_t sweep_len = 2 * sizeof *values + 256;
    char *sweep = malloc(sweep_len);
    int rc = 1;
    if (!values || !sweep)
        fprintf(dlm_err(), "dilemma analyze: out of memory\n");
    else
        rc = analyze_many_in(a, values, sweep, sweep_len);
    free(values);
    free(sweep);
    return rc;
}

static int analyze_many_in(cli_args *a, char (*values)[1 << 16], char *sweep, size_t sweep_len)
{
    dlm_sweep_job job;
    int pairs = a->given[O_PAIRS], n = a->n_positional, rc;
    if (pairs ? n < 2 || n % 2 : n < 3) {
        fprintf(dlm_err(),
                "dilemma analyze: --pairs takes strategies two by two (A1 B1 A2 B2 ...), "
                "got %d\n",
                n);
        return 2;
    }
    if ((rc = strategy_values(a, 0, pairs ? 2 : 1, values[0], sizeof values[0])) != 0 ||
        (rc = strategy_values(a, pairs ? 1 : 0, pairs ? 2 : 1, values[1], sizeof values[1])) != 0)
        return rc;
    snprintf(sweep, sweep_len,
             "{zip: %s, axes: [{key: players.0.strategy, values: %s}, "
             "{key: players.1.strategy, values: %s}]}",
             pairs ? "true" : "false", values[0], values[1]);
    a->n_positional = 2; /* the players' settings (per-player options) with the first pair */
    if ((rc = add_player_options("analyze", a, 1)) != 0)
        return rc;
    if (add_assignment(a, "mode", "analyze", NULL) != 0 ||
        add_assignment(a, "sweep", sweep, NULL) != 0)
        return 2;
    memset(&job, 0, sizeof job);
    a->given[O_QUIET] = 1;
    return run_sweep(a, 0, NULL, "analyze", DLM_SWEEP_BATCH_MAX, &job);
}

static int cmd_analyze(int argc, char **argv)
{
    cli_args a;
    dlm_scenario sc;
    run_options ro;
    int rc = parse_args(argc, argv, 2, "analyze", &a);
    if (rc)
        return rc;
    if (a.help) {
        usage_command(dlm_out(), "analyze", "A B [C ...] [options]");
        fputs("\nA and B must be memory-one strategies. The 4-state Markov chain of the ordinary "
              "game\ngives the exact answers; with reaction periods (up to 64) or observation "
              "delays\n(up to 4), the larger chain of the timescales does. More than two "
              "strategies: every\nordered pair of them (or, with --pairs, A1 B1 A2 B2 ... two "
              "by two), answered in one\nprocess as a sweep over players.0.strategy and "
              "players.1.strategy. A config with\n`mode: analyze` (dilemma run, dilemma sweep) "
              "asks the same of its players; with analyze.population\n(dilemma analyze --config "
              "FILE) it answers for the "
              "well-mixed population of its\nevolution section instead: fixation, the "
              "rare-mutation limit, the full chain.\n",
              dlm_out());
        free_args(&a);
        return 0;
    }
    if (a.given[O_GAME] && (a.n_positional || a.given[O_PAIRS])) {
        fprintf(dlm_err(), "dilemma analyze: --game analyzes the game itself and takes no "
                           "strategies (and no --pairs)\n");
        free_args(&a);
        return 2;
    }
    if (a.n_positional > 2 || a.given[O_PAIRS]) {
        rc = analyze_many(&a);
        free_args(&a);
        return rc;
    }
    if (a.n_positional != 2 && !a.config && !a.given[O_GAME]) {
        fprintf(dlm_err(), "dilemma analyze: expected two memory-one strategies, e.g. dilemma "
                           "analyze tft alld --execution-error 0.01 (more: every pair of them, "
                           "or --pairs A1 B1 A2 B2 ...)\n");
        free_args(&a);
        return 2;
    }
    memset(&ro, 0, sizeof ro);
    ro.format_given = a.format_given;
    ro.quiet = a.given[O_QUIET];
    rc = add_player_options("analyze", &a, 1);
    if (!rc && add_assignment(&a, "mode", "analyze", NULL) != 0)
        rc = 2;
    if (!rc && a.given[O_GAME] && add_assignment(&a, "analyze.game", "true", NULL) != 0)
        rc = 2;
    if (!rc)
        rc = load_scenario("analyze", &a, NULL, &sc);
    free_args(&a);
    if (rc)
        return rc;
    rc = run_scenario("analyze", &sc, &ro);
    dlm_scenario_free(&sc);
    return rc;
}

/* One entry of `dilemma strategies`. */
static void write_strategy(FILE *fp, dlm_format fmt, int first, const char *name,
                           const char *summary, const char *citation, const char *params,
                           const char *desc)
{
    if (fmt == DLM_FMT_TABLE) {
        fprintf(fp, "%-12s %s\n%-12s   %s\n", name, summary, "", desc);
        if (citation[0])
            fprintf(fp, "%-12s   cite: %s\n", "", citation);
        if (params[0])
            fprintf(fp, "%-12s   parameters: %s\n", "", params);
        return;
    }
    if (fmt == DLM_FMT_CSV) {
        const char *f[5];
        int k;
        f[0] = name;
        f[1] = summary;
        f[2] = citation;
        f[3] = params;
        f[4] = desc;
        for (k = 0; k < 5; ++k) {
            if (k)
                fputc(',', fp);
            dlm_csv_field(fp, f[k]);
        }
        fputc('\n', fp);
        return;
    }
    if (fmt == DLM_FMT_JSON)
        fputs(first ? "\n" : ",\n", fp);
    fputs("{\"type\":\"strategy\",\"name\":", fp);
    dlm_json_string(fp, name);
    fputs(",\"summary\":", fp);
    dlm_json_string(fp, summary);
    fputs(",\"citation\":", fp);
    dlm_json_string(fp, citation);
    fputs(",\"parameters\":", fp);
    dlm_json_string(fp, params);
    fputs(",\"definition\":", fp);
    dlm_json_string(fp, desc);
    fputs(fmt == DLM_FMT_JSONL ? "}\n" : "}", fp);
}

static int cmd_strategies(int argc, char **argv)
{
    cli_args a;
    dlm_scenario sc;
    dlm_format fmt = DLM_FMT_TABLE;
    dlm_error err = {DLM_OK, ""};
    dlm_sink sink;
    dlm_status st;
    size_t i, n = dlm_strategy_library_count();
    int rc = parse_args(argc, argv, 2, "strategies", &a), first = 1, k;
    if (rc)
        return rc;
    if (a.help) {
        usage_command(dlm_out(), "strategies", "[NAME ...] [options]");
        fputs("\nLists the named strategies with their definitions under the config's game\n"
              "(parameters such as gtft's q depend on it); NAME may also be an inline form:\n"
              "m1(p0,pCC,pCD,pDC,pDD), lookup(n,OPENING,TABLE), fsm(M:c:d,...); see the README.\n",
              dlm_out());
        free_args(&a);
        return 0;
    }
    rc = load_scenario("strategies", &a, NULL, &sc);
    if (rc) {
        free_args(&a);
        return rc;
    }
    st = output_format(&sc, a.format_given, &fmt, &err);
    /* Every name must be a library entry or a strategy that compiles. */
    for (k = 0; st == DLM_OK && k < a.n_positional; ++k) {
        size_t j;
        for (j = 0; j < n && strcmp(dlm_strategy_library_entry(j)->name, a.positional[k]) != 0; ++j)
            ;
        if (j == n) {
            dlm_strategy_def def;
            dlm_error serr = {DLM_OK, ""};
            if (dlm_strategy_parse(a.positional[k], &sc.game, &def, &serr) != DLM_OK)
                st = dlm_error_set(&err, DLM_ERR_USAGE, "'%s': %s", a.positional[k],
                                   serr.message);
        }
    }
    if (st == DLM_OK)
        st = dlm_sink_open(&sink, sc.out, &err);
    if (st != DLM_OK) {
        fprintf(dlm_err(), "dilemma strategies: %s\n", err.message);
        free_args(&a);
        dlm_scenario_free(&sc);
        return st == DLM_ERR_USAGE ? 2 : 1;
    }
    if (fmt == DLM_FMT_JSON)
        fputs("[", sink.fp);
    else if (fmt == DLM_FMT_CSV)
        fputs("name,summary,citation,parameters,definition\n", sink.fp);
    for (i = 0; i < n; ++i) {
        const dlm_strategy_info *info = dlm_strategy_library_entry(i);
        dlm_strategy_def def;
        char desc[512];
        int wanted = a.n_positional == 0;
        for (k = 0; k < a.n_positional; ++k)
            wanted |= strcmp(a.positional[k], info->name) == 0;
        if (!wanted)
            continue;
        if (dlm_strategy_parse(info->name, &sc.game, &def, &err) != DLM_OK)
            snprintf(desc, sizeof desc, "(not defined for this game: %.400s)", err.message);
        else
            dlm_strategy_describe(&def, desc, sizeof desc);
        write_strategy(sink.fp, fmt, first, info->name, info->summary, info->citation,
                       info->params ? info->params : "", desc);
        first = 0;
    }
    /* Inline forms (and parameterised names) given as NAME: their compiled definitions. */
    for (k = 0; k < a.n_positional; ++k) {
        size_t j;
        for (j = 0; j < n && strcmp(dlm_strategy_library_entry(j)->name, a.positional[k]) != 0; ++j)
            ;
        if (j == n) {
            dlm_strategy_def def;
            char desc[512];
            dlm_strategy_parse(a.positional[k], &sc.game, &def, &err);
            write_strategy(sink.fp, fmt, first, def.label, "inline strategy", "", "",
                           dlm_strategy_describe(&def, desc, sizeof desc));
            first = 0;
        }
    }
    if (fmt == DLM_FMT_JSON)
        fputs("\n]\n", sink.fp);
    st = dlm_sink_commit(&sink, &err);
    free_args(&a);
    dlm_scenario_free(&sc);
    if (st != DLM_OK) {
        fprintf(dlm_err(), "dilemma strategies: %s\n", err.message);
        return 1;
    }
    return 0;
}

static int cmd_devices(int argc, char **argv)
{
    cli_args a;
    const dlm_backend_ops *const *it;
    int rc = parse_args(argc, argv, 2, "devices", &a);
    static const char *all[] = {"cuda", "opencl", "cpu"};
    size_t k;
    if (rc)
        return rc;
    free_args(&a);
    if (a.help) {
        usage_command(dlm_out(), "devices", "");
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
                fprintf(dlm_out(), "%-7s built, not available here: %s\n", all[k], why);
                continue;
            }
            fprintf(dlm_out(), "%-7s available\n", all[k]);
            if ((*it)->list_devices(dlm_out(), &err) != DLM_OK)
                fprintf(dlm_out(), "        (listing devices failed: %s)\n", err.message);
        }
        if (!built)
            fprintf(dlm_out(), "%-7s not built into this binary\n", all[k]);
    }
    return 0;
}


/* --- sweeps ------------------------------------------------------------------------------ */

/* Loads the config of a (a file or nothing) with a's overrides applied. */
static dlm_status load_config_tree(const cli_args *a, dlm_config **cfg, dlm_error *err)
{
    dlm_status st = a->config ? dlm_config_load_file(a->config, cfg, err) : dlm_config_new(cfg, err);
    int i;
    for (i = 0; st == DLM_OK && i < a->n_assign; ++i)
        st = dlm_config_set(*cfg, a->assign[i], err);
    return st;
}

/* Builds run (point p, replicate r) of the sweep: a's overrides, then each axis's value,
 * then the replicate's seed; and the columns its records carry. */
static dlm_status sweep_scenario(const cli_args *a, const dlm_sweep *sw, uint64_t p, uint32_t r,
                                 dlm_scenario *sc, dlm_error *err)
{
    dlm_config *cfg = NULL;
    dlm_status st = load_config_tree(a, &cfg, err);
    size_t i, oh = 0, ov = 0, oj = 0;
    char set[256];
    for (i = 0; st == DLM_OK && i < sw->n_axes; ++i) {
        snprintf(set, sizeof set, "%s=%s", sw->axes[i].key, dlm_sweep_value(sw, p, i));
        st = dlm_config_set(cfg, set, err);
    }
    if (st == DLM_OK)
        st = dlm_config_to_scenario(cfg, sc, err);
    dlm_config_free(cfg);
    if (st != DLM_OK)
        return st;
    sc->seed += r;
    oh += (size_t)snprintf(sc->sweep_csv_header, sizeof sc->sweep_csv_header, "point,replicate,");
    ov += (size_t)snprintf(sc->sweep_csv_values, sizeof sc->sweep_csv_values, "%llu,%u,",
                           (unsigned long long)p, r);
    oj += (size_t)snprintf(sc->sweep_json, sizeof sc->sweep_json,
                           "\"sweep\":{\"point\":%llu,\"replicate\":%u,\"values\":{",
                           (unsigned long long)p, r);
    for (i = 0; i < sw->n_axes; ++i) {
        char v[2 * DLM_SWEEP_VALUE_TEXT], c[2 * DLM_SWEEP_VALUE_TEXT];
        dlm_sweep_value_json(v, sizeof v, dlm_sweep_value(sw, p, i));
        dlm_sweep_value_csv(c, sizeof c, dlm_sweep_value(sw, p, i));
        if (oh < sizeof sc->sweep_csv_header)
            oh += (size_t)snprintf(sc->sweep_csv_header + oh, sizeof sc->sweep_csv_header - oh,
                                   "%s,", sw->axes[i].key);
        if (ov < sizeof sc->sweep_csv_values)
            ov += (size_t)snprintf(sc->sweep_csv_values + ov, sizeof sc->sweep_csv_values - ov,
                                   "%s,", c);
        if (oj < sizeof sc->sweep_json)
            oj += (size_t)snprintf(sc->sweep_json + oj, sizeof sc->sweep_json - oj, "%s\"%s\":%s",
                                   i ? "," : "", sw->axes[i].key, v);
    }
    if (oj < sizeof sc->sweep_json)
        snprintf(sc->sweep_json + oj, sizeof sc->sweep_json - oj, "}},");
    return DLM_OK;
}

/* Checks every value of every axis before any work (the other axes at their first value):
 * a value the schema refuses is named with its axis. Returns an exit code. */
static int sweep_validate(const cli_args *a, const dlm_sweep *sw)
{
    size_t i, j;
    for (i = 0; i < sw->n_axes; ++i)
        for (j = 0; j < sw->axes[i].n; ++j) {
            dlm_sweep one = *sw;
            dlm_sweep_axis axes[DLM_SWEEP_MAX_AXES];
            dlm_scenario sc;
            dlm_error err = {DLM_OK, ""};
            size_t k;
            /* a one-point sweep: axis i at value j, the others at their first */
            for (k = 0; k < sw->n_axes; ++k) {
                axes[k] = sw->axes[k];
                axes[k].values = k == i ? &sw->axes[k].values[j] : sw->axes[k].values;
                axes[k].n = 1;
                one.axes[k] = axes[k];
            }
            one.zip = 0;
            if (sweep_scenario(a, &one, 0, 0, &sc, &err) == DLM_OK &&
                sc.mode == DLM_MODE_EVOLVE && dlm_evo_plan_check(&sc, &err) != DLM_OK)
                dlm_scenario_free(&sc);
            if (err.status != DLM_OK) {
                fprintf(dlm_err(), "dilemma sweep: sweep.axes[%zu] (%s), value %s: %s\n", i,
                        sw->axes[i].key, sw->axes[i].values[j], err.message);
                return err.status == DLM_ERR_RUNTIME ? 1 : 2;
            }
            dlm_scenario_free(&sc);
        }
    return 0;
}

/* FNV-1a over the config file's bytes and the overrides: names the config in slice files. */
static uint64_t sweep_config_hash(const cli_args *a)
{
    uint64_t h = 1469598103934665603ull;
    int c, i;
    FILE *f = a->config ? fopen(a->config, "rb") : NULL;
    while (f && (c = getc(f)) != EOF)
        h = (h ^ (uint64_t)(unsigned char)c) * 1099511628211ull;
    if (f)
        fclose(f);
    for (i = 0; i < a->n_assign; ++i) {
        const char *k = a->assign[i];
        if (strncmp(k, "output.", 7) == 0 || strncmp(k, "backend=", 8) == 0 ||
            strncmp(k, "threads=", 8) == 0)
            continue; /* where the output goes and what computes it change no result */
        for (; *k; ++k)
            h = (h ^ (uint64_t)(unsigned char)*k) * 1099511628211ull;
        h = (h ^ 0xffu) * 1099511628211ull;
    }
    return h;
}

typedef struct sweep_ctx {
    const cli_args *a;
    const dlm_sweep *sw;
    dlm_format fmt;
    uint64_t batch_max; /* runs in one batch (--batch), at least 1 */
} sweep_ctx;

static const char *const format_names[] = {"table", "csv", "jsonl", "json"};

/* Reads file `path` whole into x->bytes. */
static int slurp(const char *path, dlm_sweep_result *x)
{
    FILE *f = fopen(path, "rb");
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (x->bytes = malloc(n > 0 ? (size_t)n : 1)) != NULL &&
        fread(x->bytes, 1, (size_t)n, f) == (size_t)n) {
        x->n = (size_t)n;
        fclose(f);
        return 0;
    }
    if (f)
        fclose(f);
    fprintf(dlm_err(), "dilemma sweep: cannot read back %s\n", path);
    return 1;
}

/* One run on its own, into the scratch file and from there into x. */
static long sweep_one(const sweep_ctx *c, uint64_t run, const char *scratch, dlm_sweep_result *x)
{
    uint64_t point = run / c->sw->replicates;
    dlm_scenario sc;
    dlm_error err = {DLM_OK, ""};
    run_options ro;
    int rc;
    if (sweep_scenario(c->a, c->sw, point, (uint32_t)(run % c->sw->replicates), &sc, &err) !=
        DLM_OK) {
        fprintf(dlm_err(), "dilemma sweep: point %llu: %s\n", (unsigned long long)point,
                err.message);
        return -2;
    }
    memset(&ro, 0, sizeof ro);
    ro.format_given = 1;
    ro.digest = &x->digest;
    snprintf(sc.out, sizeof sc.out, "%s", scratch);
    sc.checkpoint[0] = '\0'; /* the sweep's own, not the run's */
    snprintf(sc.format, sizeof sc.format, "%s", format_names[c->fmt]);
    snprintf(x->label, sizeof x->label, "%s", sc.sweep_json);
    rc = run_scenario("sweep", &sc, &ro);
    dlm_scenario_free(&sc);
    if (!rc)
        rc = slurp(scratch, x);
    return rc ? -rc : 1;
}

/* A batch of evolutions under construction: the runs' scenarios and plans. */
typedef struct evo_batch {
    dlm_scenario *sc;
    dlm_evo_plan *plan;
    const dlm_evo_plan **plans;
    const dlm_scenario **scs;
    size_t k;
} evo_batch;

static void evo_batch_free(evo_batch *b)
{
    size_t i;
    for (i = 0; i < b->k; ++i) {
        dlm_evo_plan_free(&b->plan[i]);
        dlm_scenario_free(&b->sc[i]);
    }
    free(b->sc);
    free(b->plan);
    free(b->plans);
    free(b->scs);
}

/* Gathers runs first, first + 1, ... while they can share a batch with the first and their
 * plans fit a budget of host memory; 0 when the first cannot be batched at all. */
static size_t evo_batch_gather(const sweep_ctx *c, uint64_t first, uint64_t max, evo_batch *b)
{
    uint64_t budget = 512ull << 20, used = 0, agents = 0;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    dlm_error err = {DLM_OK, ""};
    if (pages > 0 && page > 0 && (uint64_t)pages * (uint64_t)page / 8 < budget)
        budget = (uint64_t)pages * (uint64_t)page / 8;
    memset(b, 0, sizeof *b);
    b->sc = calloc(max, sizeof *b->sc);
    b->plan = calloc(max, sizeof *b->plan);
    b->plans = calloc(max, sizeof *b->plans);
    b->scs = calloc(max, sizeof *b->scs);
    if (!b->sc || !b->plan || !b->plans || !b->scs)
        return 0;
    while (b->k < max) {
        uint64_t run = first + b->k;
        dlm_scenario *sc = &b->sc[b->k];
        dlm_evo_plan *plan = &b->plan[b->k];
        if (sweep_scenario(c->a, c->sw, run / c->sw->replicates,
                           (uint32_t)(run % c->sw->replicates), sc, &err) != DLM_OK)
            break;
        sc->out[0] = '\0'; /* no summary beside a file: the sweep has its own */
        sc->checkpoint[0] = '\0'; /* the sweep's own, not the run's */
        snprintf(sc->format, sizeof sc->format, "%s", format_names[c->fmt]);
        if (sc->mode != DLM_MODE_EVOLVE ||
            sc->evolution.snapshot_every || sc->evolution.wall_clock > 0 || sc->checkpoint[0] ||
            dlm_evo_plan_build(sc, plan, &err) != DLM_OK) {
            dlm_scenario_free(sc);
            break;
        }
        if ((b->k > 0 && (!dlm_evo_plan_batchable(&b->sc[0], &b->plan[0], sc, plan) ||
                          used + plan->bytes > budget || agents + plan->n_agents > (1ull << 31))) ||
            (b->k == 0 && !dlm_evo_plan_batchable(sc, plan, sc, plan))) {
            dlm_evo_plan_free(plan);
            dlm_scenario_free(sc);
            break;
        }
        used += plan->bytes;
        agents += plan->n_agents;
        b->plans[b->k] = plan;
        b->scs[b->k] = sc;
        b->k++;
    }
    return b->k;
}

/* Runs a gathered batch of evolutions: one plan, one backend, each run's records into its
 * own buffer, byte for byte what it writes alone. */
static long evo_batch_run(const sweep_ctx *c, evo_batch *b, dlm_sweep_result *res)
{
    const dlm_backend_ops *ops = NULL;
    dlm_backend *be = NULL;
    dlm_evo_plan joined;
    dlm_evo_outcome *out = NULL;
    FILE **fps = calloc(b->k, sizeof *fps);
    dlm_error err = {DLM_OK, ""};
    dlm_status st;
    size_t i, at = 0;
    int rc = 0;
    if (!fps)
        return -1;
    st = dlm_evo_plan_join(b->plans, b->k, &joined, &err);
    if (st == DLM_OK && !(out = calloc(joined.n_populations, sizeof *out)))
        st = dlm_error_set(&err, DLM_ERR_RUNTIME, "out of memory for a batch");
    for (i = 0; st == DLM_OK && i < b->k; ++i) {
        res[i].bytes = NULL;
        res[i].n = 0;
        if (!(fps[i] = open_memstream(&res[i].bytes, &res[i].n)))
            st = dlm_error_set(&err, DLM_ERR_RUNTIME, "out of memory for a batch");
        snprintf(res[i].label, sizeof res[i].label, "%s", b->sc[i].sweep_json);
    }
    if (st == DLM_OK && (rc = open_backend("sweep", &b->sc[0], &ops, &be)) == 0) {
        st = dlm_evolve_batch(b->scs, b->plans, b->k, &joined, ops, be, fps,
                              c->fmt, out, &err);
        close_backend(ops, be);
    }
    for (i = 0; i < b->k; ++i) {
        if (fps[i] && fclose(fps[i]) != 0 && st == DLM_OK)
            st = dlm_error_set(&err, DLM_ERR_RUNTIME, "out of memory for a batch");
        if (st == DLM_OK && !rc)
            st = dlm_digest_evolution(&res[i].digest, b->plans[i], out + at, &err);
        at += b->plan[i].n_populations;
    }
    if (st != DLM_OK && !rc) {
        fprintf(dlm_err(), "dilemma sweep: %s\n", err.message);
        rc = st == DLM_ERR_USAGE ? 2 : 1;
    }
    if (rc)
        for (i = 0; i < b->k; ++i) {
            free(res[i].bytes);
            res[i].bytes = NULL;
        }
    free(fps);
    free(out);
    if (st == DLM_OK || rc)
        dlm_evo_plan_free(&joined);
    return rc ? -rc : (long)b->k;
}

/* Writes run sc of a batch of matches or tournaments (its report r) into res: the bytes it
 * writes alone, its label and its samples. */
static dlm_status play_result(const sweep_ctx *c, const dlm_scenario *sc, const void *r,
                              const char *backend, dlm_sweep_result *res, dlm_error *err)
{
    FILE *fp;
    res->bytes = NULL;
    res->n = 0;
    snprintf(res->label, sizeof res->label, "%s", sc->sweep_json);
    if (!(fp = open_memstream(&res->bytes, &res->n)))
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a batch");
    if (sc->mode == DLM_MODE_MATCH)
        dlm_write_match(fp, c->fmt, sc, r, backend, 0);
    else
        dlm_write_tournament(fp, c->fmt, sc, r, backend, 0);
    if (fclose(fp) != 0)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a batch");
    return sc->mode == DLM_MODE_MATCH ? dlm_digest_match(&res->digest, r, err)
                                      : dlm_digest_tournament(&res->digest, r, err);
}

/* The matches a match or tournament run plays; 0 when it cannot share a batch (another
 * mode, side outputs). */
static uint64_t play_jobs_of(const dlm_scenario *sc)
{
    uint64_t n = sc->n_entrants;
    if (sc->mode == DLM_MODE_MATCH)
        return sc->match_repetitions ? sc->match_repetitions : 1;
    if (sc->mode != DLM_MODE_TOURNAMENT || sc->matrix_wanted || sc->per_repetition_wanted)
        return 0;
    return (n * (n - 1) / (sc->asymmetric ? 1 : 2) + (sc->self_play ? n : 0)) *
           (sc->repetitions ? sc->repetitions : 1);
}

/* Plays the k gathered runs (all matches, or all tournaments) on one backend into res. */
static long play_batch_run(const sweep_ctx *c, dlm_scenario *sc, const dlm_scenario **scs,
                           size_t k, dlm_sweep_result *res)
{
    const dlm_backend_ops *ops = NULL;
    dlm_backend *be = NULL;
    dlm_error err = {DLM_OK, ""};
    dlm_status st;
    int match = sc[0].mode == DLM_MODE_MATCH;
    uint32_t *reps = calloc(k, sizeof *reps);
    void *r = calloc(k, match ? sizeof(dlm_match_report) : sizeof(dlm_tournament_report));
    size_t i;
    long rc = 0;
    if (!reps || !r)
        st = dlm_error_set(&err, DLM_ERR_RUNTIME, "out of memory for a batch");
    else if ((rc = open_backend("sweep", &sc[0], &ops, &be)) != 0)
        st = DLM_ERR_USAGE;
    else {
        for (i = 0; i < k; ++i)
            reps[i] = sc[i].match_repetitions ? sc[i].match_repetitions : 1;
        st = match ? dlm_play_scenario_matches(scs, reps, k, ops, be, r, &err)
                   : dlm_play_scenario_tournaments(scs, k, ops, be, r, &err);
        for (i = 0; i < k && st == DLM_OK; ++i) {
            warn_game(&sc[i]);
            st = play_result(c, &sc[i], match ? (void *)((dlm_match_report *)r + i)
                                              : (void *)((dlm_tournament_report *)r + i),
                             ops->describe(be), &res[i], &err);
        }
        for (i = 0; i < k && st == DLM_OK; ++i)
            if (match)
                dlm_match_report_free((dlm_match_report *)r + i);
            else
                dlm_tournament_report_free((dlm_tournament_report *)r + i);
        close_backend(ops, be);
    }
    if (st != DLM_OK && !rc) {
        fprintf(dlm_err(), "dilemma sweep: %s\n", err.message);
        rc = st == DLM_ERR_USAGE ? 2 : 1;
    }
    for (i = 0; rc && i < k; ++i) {
        free(res[i].bytes);
        res[i].bytes = NULL;
    }
    free(reps);
    free(r);
    return rc ? -rc : (long)k;
}

/* Match (or tournament) runs first, first + 1, ... (at most max, 2^22 matches in all, on
 * one backend) played together (dlm_play_scenario_matches, _tournaments: one launch per
 * seed and match rules), each run's bytes those it writes alone. Returns the runs done, 0
 * when fewer than two runs from first can share a batch (nothing done), or minus an exit
 * code. */
static long play_batch(const sweep_ctx *c, uint64_t first, uint64_t max, dlm_sweep_result *res)
{
    dlm_scenario *sc = calloc(max, sizeof *sc);
    const dlm_scenario **scs = calloc(max, sizeof *scs);
    dlm_error err = {DLM_OK, ""};
    uint64_t jobs = 0, n;
    size_t k = 0, i;
    long rc = 0;
    while (sc && scs && k < max) {
        uint64_t run = first + k;
        dlm_scenario *x = &sc[k];
        if (sweep_scenario(c->a, c->sw, run / c->sw->replicates,
                           (uint32_t)(run % c->sw->replicates), x, &err) != DLM_OK)
            break;
        n = play_jobs_of(x);
        if (n == 0 || jobs + n > (1u << 22) ||
            (k && (x->mode != sc[0].mode || strcmp(x->backend, sc[0].backend) != 0 ||
                   x->threads != sc[0].threads))) {
            dlm_scenario_free(x);
            break;
        }
        jobs += n;
        scs[k++] = x;
    }
    if (k >= 2)
        rc = play_batch_run(c, sc, scs, k, res);
    for (i = 0; i < k; ++i)
        dlm_scenario_free(&sc[i]);
    free(sc);
    free(scs);
    return k >= 2 ? rc : 0;
}

/* dlm_sweep_batch_fn: matches, tournaments, and evolutions that can share a batch, run as one; anything
 * else (and a run that cannot be batched) runs on its own. */
static long sweep_batch(void *ctx, uint64_t first, uint64_t max, const char *scratch,
                        dlm_sweep_result *res)
{
    const sweep_ctx *c = ctx;
    evo_batch b;
    long done;
    if (max > c->batch_max)
        max = c->batch_max;
    if (max >= 2 && (done = play_batch(c, first, max, res)) != 0)
        return done;
    if (max < 2 || evo_batch_gather(c, first, max, &b) < 2) {
        if (max >= 2)
            evo_batch_free(&b);
        return sweep_one(c, first, scratch, &res[0]);
    }
    done = evo_batch_run(c, &b, res);
    evo_batch_free(&b);
    return done;
}

/* --shard I/N: slice I (from 0) of N. */
static int parse_shard(const char *text, uint32_t *shard, uint32_t *shards)
{
    unsigned long i, n;
    char *end;
    i = strtoul(text, &end, 10);
    if (end == text || *end != '/' || text[0] == '-')
        return -1;
    n = strtoul(end + 1, &end, 10);
    if (*end || n == 0 || n > 1000000 || i >= n)
        return -1;
    *shard = (uint32_t)i;
    *shards = (uint32_t)n;
    return 0;
}

/* --checkpoint, --checkpoint-every and --resume of a sweep, checked before any work into
 * *ck (*command: the command that resumes, malloc'd). Returns an exit code. */
static int sweep_checkpoints(const cli_args *a, int argc, char **argv, const dlm_scenario *base,
                             const dlm_sweep_job *job, dlm_sweep_checkpointing *ck,
                             char **command)
{
    dlm_evo_checkpointing eck;
    run_options ro;
    dlm_config *cfg = NULL;
    dlm_error err = {DLM_OK, ""};
    const char *path = NULL;
    size_t len = 64;
    int rc, i;
    memset(ck, 0, sizeof *ck);
    *command = NULL;
    if (a->given[O_CHECKPOINT_EVERY] && !base->checkpoint[0] && !a->given[O_RESUME]) {
        fprintf(dlm_err(), "dilemma sweep: --checkpoint-every sets the period of the checkpoints "
                           "--checkpoint FILE writes; give that too\n");
        return 2;
    }
    memset(&ro, 0, sizeof ro);
    ro.resume = a->given[O_RESUME] ? a->values[O_RESUME] : NULL;
    if (load_config_tree(a, &cfg, &err) != DLM_OK) {
        fprintf(dlm_err(), "dilemma sweep: %s\n", err.message);
        return 2;
    }
    ro.config_hash = dlm_config_hash(cfg);
    dlm_config_free(cfg);
    if ((rc = checkpoint_setup("sweep", base, &ro, &eck, &path)) != 0)
        return rc;
    if (job->summary && strcmp(path, job->summary) == 0) {
        fprintf(dlm_err(), "dilemma sweep: '%s' is named for both the summary and the checkpoint\n",
                path);
        return 2;
    }
    ck->path = path;
    ck->resume = ro.resume;
    ck->every_runs = eck.every_generations;
    ck->every_seconds = eck.every_seconds;
    ck->config_hash = ro.config_hash;
    ck->test_stop_after = eck.test_stop_after;
    ck->test_signal = eck.test_signal;
    for (i = 1; i < argc; ++i)
        len += 4 * strlen(argv[i]) + 3;
    if ((*command = malloc(len + 4 * DLM_PATH_MAX)))
        dlm_cli_resume_command(*command, len + 4 * DLM_PATH_MAX, argc, argv, 1, path);
    ck->resume_command = *command;
    return 0;
}

/* Runs the sweep of a's config and overrides (cmd names the command in messages);
 * returns the exit code. */
static int run_sweep(cli_args *a, int argc, char **argv, const char *cmd,
                     unsigned long long batch_max, dlm_sweep_job *job)
{
    dlm_config *cfg = NULL;
    dlm_sweep sw;
    dlm_scenario base;
    dlm_error err = {DLM_OK, ""};
    dlm_sweep_checkpointing ck;
    char *resume_command = NULL;
    sweep_ctx ctx;
    int present = 0, rc, have_base = 0;
    dlm_status st;
    st = load_config_tree(a, &cfg, &err);
    if (st == DLM_OK)
        st = dlm_sweep_read(cfg, &sw, &present, &err);
    dlm_config_free(cfg);
    if (st == DLM_OK && !present)
        st = dlm_error_set(&err, DLM_ERR_USAGE, "%s has no sweep section (sweep: {axes: [...]}); "
                           "dilemma run runs a config without one", a->config);
    if (st != DLM_OK) {
        fprintf(dlm_err(), "dilemma %s: %s\n", cmd, err.message);
        return st == DLM_ERR_USAGE ? 2 : 1;
    }
    rc = sweep_validate(a, &sw);
    if (!rc && sweep_scenario(a, &sw, 0, 0, &base, &err) != DLM_OK)
        rc = 2;
    else if (!rc)
        have_base = 1;
    if (!rc) {
        if (output_format(&base, a->format_given, &job->fmt, &err) != DLM_OK) {
            fprintf(dlm_err(), "dilemma %s: %s\n", cmd, err.message);
            rc = 2;
        }
        job->out = base.out;
        if (!rc && a->given[O_SUMMARY] && (!a->values[O_SUMMARY][0] ||
                                          strcmp(a->values[O_SUMMARY], base.out) == 0)) {
            fprintf(dlm_err(), "dilemma %s: --summary needs a file of its own\n", cmd);
            rc = 2;
        }
    }
    if (!rc && (base.checkpoint[0] || a->given[O_RESUME] || a->given[O_CHECKPOINT_EVERY])) {
        job->summary = a->given[O_SUMMARY] ? a->values[O_SUMMARY] : NULL;
        if ((rc = sweep_checkpoints(a, argc, argv, &base, job, &ck, &resume_command)) == 0)
            job->ck = &ck;
    }
    if (!rc) {
        ctx.a = a;
        ctx.sw = &sw;
        ctx.fmt = job->fmt;
        ctx.batch_max = batch_max;
        job->sw = &sw;
        job->summary = a->given[O_SUMMARY] ? a->values[O_SUMMARY] : NULL;
        job->quiet = a->given[O_QUIET];
        job->config_hash = sweep_config_hash(a);
        job->batch = sweep_batch;
        job->ctx = &ctx;
        cli_quiet_runs = 1;
        dlm_signals_install();
        if (!job->shards) {
            int rank, size;
            rc = dlm_mpi_start(&rank, &size, &cli_local_rank);
        }
        cli_backend.keep = 1;
        dlm_signals_defer(job->ck != NULL);
        if (!rc)
            rc = dlm_sweep_drive(job);
        dlm_signals_defer(0);
        release_backend();
    }
    free(resume_command);
    if (have_base)
        dlm_scenario_free(&base);
    dlm_sweep_free(&sw);
    return rc;
}

static int cmd_sweep(int argc, char **argv)
{
    cli_args a;
    dlm_sweep_job job;
    int rc;
    unsigned long long batch_max = DLM_SWEEP_BATCH_MAX;
    if ((rc = parse_args(argc, argv, 2, "sweep", &a)) != 0)
        return rc;
    if (a.help) {
        usage_command(dlm_out(), "sweep", "CONFIG [options]");
        fputs("\nRuns the config once for every point of its `sweep:` section (axes over any "
              "config key:\na list, a linear or a log range; their product, or zip; replicates "
              "with seeds seed, seed+1, ...),\nevery record led by the point, the replicate and "
              "the swept values (configs/README.md).\n--summary FILE adds each point's mean and "
              "95% interval over its replicates; --shard I/N\nruns slice I of N for `dilemma "
              "merge`; under mpirun the ranks share the runs.\n--checkpoint FILE checkpoints "
              "between runs; --resume FILE continues a stopped sweep to the same bytes.\n",
              dlm_out());
        free_args(&a);
        return 0;
    }
    if (a.n_positional == 1 && !a.config)
        a.config = a.positional[0];
    if (!a.config || a.n_positional > 1) {
        fprintf(dlm_err(),
                "dilemma sweep: give one config with a sweep section, e.g. dilemma sweep "
                "configs/sweeps/noise_timescales.yaml\n");
        free_args(&a);
        return 2;
    }
    memset(&job, 0, sizeof job);
    if (a.given[O_BATCH]) {
        char *end = NULL;
        batch_max = strtoull(a.values[O_BATCH], &end, 10);
        if (!end || *end || a.values[O_BATCH][0] == '-' || batch_max < 1 ||
            batch_max > DLM_SWEEP_BATCH_MAX) {
            fprintf(dlm_err(),
                    "dilemma sweep: --batch %s: expected the most runs in one batch, "
                    "from 1 (each run on its own) to %d\n",
                    a.values[O_BATCH], DLM_SWEEP_BATCH_MAX);
            free_args(&a);
            return 2;
        }
    }
    if (a.given[O_SHARD] && parse_shard(a.values[O_SHARD], &job.shard, &job.shards) != 0) {
        fprintf(dlm_err(),
                "dilemma sweep: --shard %s: expected I/N, slice I (0 <= I < N) of N, "
                "e.g. --shard 0/4\n",
                a.values[O_SHARD]);
        free_args(&a);
        return 2;
    }
    rc = run_sweep(&a, argc, argv, "sweep", batch_max, &job);
    free_args(&a);
    return rc;
}

/* dilemma merge SLICE... --out FILE [--summary FILE]: slices of one sweep joined. */
static int cmd_merge(int argc, char **argv)
{
    const char **slices = calloc((size_t)argc, sizeof *slices);
    const char *out = "", *summary = NULL;
    int i, n = 0, rc;
    if (!slices)
        return 1;
    for (i = 2; i < argc; ++i) {
        const char *v = NULL;
        int is_out = strncmp(argv[i], "--out", 5) == 0 && (argv[i][5] == '\0' || argv[i][5] == '=');
        int is_sum = strncmp(argv[i], "--summary", 9) == 0 &&
                     (argv[i][9] == '\0' || argv[i][9] == '=');
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            dlm_puts("usage: dilemma merge SLICE... [--out FILE] [--summary FILE]\n\nJoins the "
                     "slice files of `dilemma sweep --shard I/N` (every I, any order) into\nthe "
                     "output the whole sweep writes, byte for byte; --summary adds the per-point "
                     "summary.");
            free(slices);
            return 0;
        }
        if (is_out || is_sum) {
            v = strchr(argv[i], '=') ? strchr(argv[i], '=') + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) {
                fprintf(dlm_err(), "dilemma merge: %s needs a file\n", argv[i]);
                free(slices);
                return 2;
            }
            *(is_out ? &out : &summary) = v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(dlm_err(),
                    "dilemma merge: unknown option %s (options: --out FILE, --summary "
                    "FILE)\n",
                    argv[i]);
            free(slices);
            return 2;
        } else {
            slices[n++] = argv[i];
        }
    }
    if (n == 0) {
        fprintf(dlm_err(), "dilemma merge: give the slice files, e.g. dilemma merge part0 part1 "
                           "--out grid.csv\n");
        free(slices);
        return 2;
    }
    dlm_signals_install();
    rc = dlm_sweep_merge(slices, n, out, summary);
    free(slices);
    return rc;
}

/* Runs the subcommand argv[1]; returns its exit code. */
static int cli_dispatch(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;
    if (!cmd || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage_main(dlm_out());
        return cmd ? 0 : 2;
    }
    if (strcmp(cmd, "--version") == 0) {
        dlm_puts("dilemma " DLM_VERSION);
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
    if (strcmp(cmd, "sweep") == 0)
        return cmd_sweep(argc, argv);
    if (strcmp(cmd, "merge") == 0)
        return cmd_merge(argc, argv);
    if (strcmp(cmd, "bench") == 0)
        return dlm_bench_main(argc, argv);
    fprintf(dlm_err(),
            "dilemma: unknown command '%s' (commands: run, match, tournament, analyze, "
            "strategies, devices, sweep, merge, bench; see dilemma --help)\n",
            cmd);
    return 2;
}

int dlm_cli_main(int argc, char **argv)
{
    int rc = cli_dispatch(argc, argv), e;
    /* Whatever a command wrote to standard output must have gone out (a full disk, a
       closed pipe, /dev/full): a run whose output was lost did not succeed. */
    errno = 0;
    if ((fflush(dlm_out()) != 0 || ferror(dlm_out())) && rc == 0) { /* not reported yet */
        e = errno ? errno : EIO;
        fprintf(dlm_err(), "dilemma: writing standard output failed: %s\n", strerror(e));
        rc = 1;
    }
    return rc;
}

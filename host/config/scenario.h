/* scenario.h — a validated run description: what a config file (plus --set overrides
 * and command-line options) becomes before anything is planned or run. Strategies are
 * kept as text here and compiled by the strategy library when the run is planned.
 */
#ifndef DLM_SCENARIO_H
#define DLM_SCENARIO_H

#include "dilemma.h"

#define DLM_STRATEGY_TEXT_MAX 256
#define DLM_PATH_MAX 1024

typedef enum dlm_mode {
    DLM_MODE_MATCH = 0,
    DLM_MODE_TOURNAMENT = 1,
    DLM_MODE_EVOLVE = 2,
    DLM_MODE_ANALYZE = 3 /* the players' exact answers (dilemma analyze) */
} dlm_mode;

/* One player, or one tournament entrant: its strategy and the settings it brings. */
typedef struct dlm_player_spec {
    char strategy[DLM_STRATEGY_TEXT_MAX]; /* strategy text (strategies.h) */
    double execution_error;               /* [0, 1] */
    double perception_error;              /* [0, 1] */
    uint32_t reaction_period;             /* >= 1 */
    uint32_t observation_delay;           /* [0, DLM_MAX_DELAY] */
} dlm_player_spec;

/* A population structure (interaction or replacement graph). */
typedef struct dlm_structure_spec {
    char type[24];          /* well-mixed | lattice | ring | random-regular | erdos-renyi |
                               barabasi-albert | watts-strogatz | file */
    uint32_t partners;      /* well-mixed: 0 = everyone plays everyone, m = m random partners */
    uint32_t width, height; /* lattice (periodic) */
    char neighbourhood[16]; /* lattice: von-neumann | moore */
    int self_loops;         /* lattice: each site also plays itself (Nowak & May 1992) */
    uint32_t k;             /* ring, watts-strogatz: neighbours on each side */
    uint32_t degree;        /* random-regular */
    uint32_t m;             /* barabasi-albert: edges per new vertex */
    double p;               /* erdos-renyi: edge probability */
    double beta;            /* watts-strogatz: rewiring probability */
    char file[DLM_PATH_MAX];/* file: edge list */
} dlm_structure_spec;

/* A strategy with a share (initial populations) or a member of a mutation set. */
typedef struct dlm_share {
    char strategy[DLM_STRATEGY_TEXT_MAX];
    double share;
} dlm_share;

/* An agent class: a share of the population with its own noise and timescales. */
typedef struct dlm_class_spec {
    char name[32];
    double share;
    dlm_player_spec player; /* strategy unused */
    int role;               /* 0: none; 1: side A, 2: side B (two populations that play each other) */
    double rate;            /* a side's relative rate of update events (> 0; default 1) */
} dlm_class_spec;

/* mode evolve. */
typedef struct dlm_evolution_spec {
    uint32_t population;    /* agents per population, >= 2 */
    uint32_t populations;   /* independent populations (replicates), each with its own streams */
    uint64_t generations;   /* stop after this many */
    char rule[16];          /* moran-bd | moran-db | fermi | fermi-sync | wright-fisher | imitate-best */
    double selection;       /* w (fitness maps) or beta (fermi rules), >= 0 */
    char fitness[16];       /* linear | exponential */
    int accumulate_total;   /* 0: payoff = mean over an agent's matches; 1: sum */
    int payoff_exact;       /* 1: memory-one pairs' expected payoffs instead of played matches */
    int payoff_estimated;   /* 1: each type pair's payoff estimated once per run by matches */
    uint32_t estimate_matches; /* estimated: matches per type pair (>= 2) */
    int exact_long_run;     /* exact: 0 = per round of the match, 1 = of the endless game */
    dlm_share *costs;       /* cost: a strategy and its cost per round (in `share`) */
    size_t n_costs;
    int moran_death_others; /* moran-bd, well-mixed: 0 = the one who dies is any of the n
                               (parent included; default), 1 = one of the n - 1 others */
    char representation[8]; /* auto | counts | agents (a well-mixed population of few types
                               as a vector of counts, or agent by agent) */
    dlm_structure_spec structure;   /* interaction */
    dlm_structure_spec replacement; /* replacement (a copy of structure unless given) */
    double mutation_rate;   /* mu per offspring */
    char mutation_kind[24]; /* none | set | random-memory-one | gaussian | lookup-flip | fsm-edit */
    dlm_share *mutation_set; /* kind set: the strategies (share unused) */
    size_t n_mutation_set;
    double sigma;           /* gaussian */
    char initial[16];       /* shares | random | mutant | file */
    dlm_share *shares;      /* initial shares: strategy and share (sums to 1) */
    size_t n_shares;
    char resident[DLM_STRATEGY_TEXT_MAX]; /* initial mutant: the resident strategy */
    char mutant[DLM_STRATEGY_TEXT_MAX];   /* initial mutant: the mutant strategy */
    uint32_t mutants;       /* initial mutant: how many (default 1) */
    char initial_file[DLM_PATH_MAX]; /* initial file: one strategy text per line, N lines */
    dlm_class_spec *classes; /* agent classes (none: one class from match.*) */
    size_t n_classes;
    int stop_at_fixation;   /* stop a population once it is monomorphic and mu = 0 */
    double wall_clock;      /* seconds, 0 = no limit */
    uint64_t record_every;  /* statistics every K generations */
    double tolerance;       /* memory-one agents within this (max-norm) of a named one count as it */
    dlm_share *track;       /* more strategies for the census to count by name (share unused) */
    size_t n_track;
    uint64_t snapshot_every; /* 0 = none */
    char snapshot_file[DLM_PATH_MAX]; /* "" = <output file>.snapshot or dilemma.snapshot */
    int donation;            /* evolution.interaction: 0 game (default), 1 donation */
    uint32_t norm;           /* donation: the norm's code (kernels/dlm_reputation.h) */
    char norm_name[24];      /* donation: the norm as given (name or bit code) */
    double execution_error;  /* donation: an intended help fails */
    double assessment_error; /* donation: the observer assigns the wrong standing */
    int private_assessment;  /* donation: 1 = each agent its own views (assessment: private) */
    double observe;          /* donation, private: each agent observes a donation with this */
    double perception_error; /* donation: the observer misreads the action */
    double empathy;          /* donation, private: judge with the donor's view of the recipient */
    int institutional;       /* donation: 1 = a panel's quorum verdict (assessment: institutional) */
    uint32_t panel;          /* donation, institutional: panel members (1..32) */
    uint32_t quorum;         /* ... members that must hold an agent good; 0 = a majority */
    int panel_broadcast;     /* ... 1: members judge by the broadcast (panel_views: broadcast) */
    int group;               /* evolution.interaction: 1 = group (N-player games, dlm_group.h) */
    int group_game;          /* group: 1 pgg, 2 risk, 3 commons, 4 escalation */
    uint32_t group_size;     /* group: members n of a well-mixed group (graphs: degree + 1) */
    int group_size_given;    /* group: 1 when group.size was given */
    uint32_t group_count;    /* group, well-mixed: groups per evaluation */
    uint32_t group_threshold; /* group, risk: M, the contributors that avert the risk */
    double group_r;          /* group, pgg: multiplication factor r */
    double group_c;          /* group: pgg cost c; risk: the fraction c of the endowment */
    double group_b;          /* group, risk: endowment b */
    double group_risk;       /* group, risk: probability p of losing the endowment below M */
    double group_execution_error; /* group: an intended contribution (or refusal) flips */
    int encounters;          /* donation: 1 = rounds in encounters (reputation.repeat given) */
    double repeat;           /* donation, encounters: a round stays with the same partner */
    /* the level games (commons, escalation; config_group.c, dlm_group_play_levels) */
    uint32_t group_levels;   /* L: levels 0 .. L-1 */
    double group_capacity;   /* commons: capacity K, the stock at the start of a game */
    double group_growth;     /* commons: logistic growth rate g in [0, 1] */
    double group_harvest;    /* commons: harvest asked per level and round */
    double group_prize;      /* escalation: prize V shared by level; its cost per level is c */
    /* group selection (config_demes.c; kernels/dlm_demes.h) */
    int demes;               /* 1: evolution.group_selection given */
    uint32_t demes_groups;   /* m groups */
    uint32_t demes_size;     /* n, the most members of a group (population = m n) */
    double demes_split;      /* q: a full group that gains an offspring splits */
    /* incentives in the public goods game (evolution.group.punishment, config_punish.c,
       kernels/dlm_punish.h) */
    int punish;              /* 1 when evolution.group.punishment is given */
    int punish_second_order; /* 1: second-order punishment */
    double punish_gamma;     /* peer punisher's cost per punished member */
    double punish_beta;      /* fine per peer punisher */
    double punish_fee;       /* G: pool punisher's / rewarder's fee per round */
    double punish_fine;      /* B: fine per pool punisher */
    double punish_reward;    /* R: reward per pool rewarder */
    double punish_loner;     /* sigma: a loner's payoff per round */
} dlm_evolution_spec;

/* mode analyze with analyze.population: the exact answers of the well-mixed population
 * that evolution.* describes (run/analyze_population.h). */
typedef struct dlm_population_analysis_spec {
    int wanted;             /* 1 when analyze.population is given */
    dlm_share *types;       /* the types' strategy texts (share unused); NULL: from evolution.* */
    size_t n_types;
    double *payoff_matrix;  /* n_payoff x n_payoff, row-major: row's payoff per round against
                               column; NULL: computed from the types and match.* */
    size_t n_payoff;
    int full_chain;         /* solve the chain over compositions when mutation_rate > 0 */
    uint64_t max_states;    /* refuse a larger chain over compositions */
} dlm_population_analysis_spec;

/* institution: a referee that audits acts (issue #16). Today `mode: analyze` folds it into
 * the game exactly (run/analyze_game.h); the evolving populations do not run it yet. An
 * audit judges an act: one judged a defection pays the fine, one judged a cooperation earns
 * the subsidy; a cooperation is misjudged with false_accusation, a defection with
 * missed_detection. */
typedef struct dlm_institution_spec {
    int given;               /* 1 when the config has an institution: section */
    double audit;            /* q: probability an interaction is audited (all its acts) */
    double fine;             /* F >= 0 */
    double subsidy;          /* s >= 0 */
    double false_accusation; /* e1: an audited cooperation judged a defection */
    double missed_detection; /* e2: an audited defection judged a cooperation */
    double audit_cost;       /* a >= 0: the referee's cost of one audit */
    /* The evolving referee's own keys (mode evolve; kernels/dlm_referee.h): */
    double tax;              /* >= 0: taken from every agent at each generation's start */
    double budget;           /* >= 0: the initial budget (budget_given) */
    int budget_given;        /* 1: the budget limits the audits; 0: unlimited */
    uint32_t exclusion;      /* k: a convicted agent sits out its next k matches */
} dlm_institution_spec;

/* analyze.design: the cheapest enforcement over a grid of institutions (run/design.h). */
typedef struct dlm_design_spec {
    int given;          /* 1 when analyze.design is given */
    double *values[3];  /* the grid: audit, fine, subsidy (owned; NULL: the institution's) */
    size_t n[3];
    double target;      /* the cooperation an institution must reach */
    int evolve;         /* 1: measured by evolving populations (analyze.design.evolve) */
} dlm_design_spec;

typedef struct dlm_scenario {
    char name[128];
    dlm_mode mode;
    uint64_t seed;
    dlm_game game;       /* the game; in an asymmetric game player A's own matrix */
    dlm_game game_b;     /* player B's own matrix (read from B's view); == game when symmetric */
    int asymmetric;      /* 1 when the config gives game.A or game.B (a bimatrix game) */

    /* match rules */
    uint32_t rounds;     /* fixed length, or the cap of a geometric length; [1, DLM_MAX_ROUNDS] */
    int geometric;       /* 1 when match.continuation was given */
    double continuation; /* w in [0, 1) */

    dlm_player_spec match_defaults; /* match.*: every player's settings unless overridden
                                       (strategy unused); the one agent class of an
                                       evolution without classes */
    dlm_player_spec players[2]; /* mode match */
    uint32_t match_repetitions; /* mode match: independent matches (>= 1), means and SEs */

    dlm_player_spec *entrants; /* mode tournament: n_entrants entries, owned (free with dlm_scenario_free) */
    size_t n_entrants;
    uint32_t repetitions; /* >= 1 */
    int self_play;        /* 0 or 1 */
    int matrix_wanted;    /* tournament.matrix: the payoff matrix in long form too */
    char matrix_file[DLM_PATH_MAX];          /* ... to this file ("" = in the output) */
    int per_repetition_wanted;               /* tournament.per_repetition: likewise */
    char per_repetition_file[DLM_PATH_MAX];

    dlm_evolution_spec evolution; /* mode evolve (and the population of analyze.population) */
    dlm_population_analysis_spec population_analysis; /* mode analyze: analyze.population */
    int analyze_game;             /* mode analyze: analyze.game (the stage game itself) */
    dlm_design_spec design;       /* mode analyze: analyze.design */
    dlm_institution_spec institution; /* institution: (config_institution.c) */

    /* how to run and where to write */
    char backend[16]; /* auto | cpu | opencl | cuda */
    int threads;      /* 0 = all cores */
    char format[8];   /* table | csv | jsonl | json */
    char out[DLM_PATH_MAX]; /* "" = standard output */
    /* Checkpoints of an evolution (output.checkpoint, output.checkpoint_every): the file
       ("" = none) and the period, in generations (>= 1) or else in seconds (> 0). */
    char checkpoint[DLM_PATH_MAX];
    uint64_t checkpoint_every_generations; /* 0: by time */
    double checkpoint_every_seconds;       /* default 60 */

    /* A sweep point (dilemma sweep): what every record carries in front of its settings,
       "" outside sweeps. csv: header names and values (each ending in a comma); json:
       members ending in a comma. */
    char sweep_csv_header[1024];
    char sweep_csv_values[1024];
    char sweep_json[2048];
} dlm_scenario;

void dlm_scenario_free(dlm_scenario *sc);

/* Player `player`'s own payoff matrix (0 = A, 1 = B): game, or game_b in an asymmetric game. */
static inline const dlm_game *dlm_scenario_game(const dlm_scenario *sc, int player)
{
    return player && sc->asymmetric ? &sc->game_b : &sc->game;
}

#endif /* DLM_SCENARIO_H */

/* evolve_output.c — the observer that writes an evolution's records, summary and
 * snapshots (evolve_output.h). Records are one complete line each, flushed a pass at a
 * time; after a failed write a records file is cut back to its last complete record. */
#define _POSIX_C_SOURCE 200809L /* ftruncate, fileno, clock_gettime */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdio_ext.h> /* __fpurge */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlm_counts.h"
#include "core/paths.h"
#include "output/checkpoint.h"
#include "output/evolve_output.h"
#include "output/signals.h"

/* The good fraction of a census count: agents in good standing (public assessment), or
 * good views of N x N (private: the mean of the views). */
static double dlm_good_fraction(const dlm_scenario *sc, uint64_t good)
{
    double n = (double)sc->evolution.population;
    return (double)good / (sc->evolution.private_assessment ? n * n : n);
}

/* The good fraction among the agents of rule i (allc, alld, disc: whatever norm a trait
 * carries; 3: the IPD rules of encounters together), as dlm_good_fraction. */
static double dlm_rule_good(const dlm_scenario *sc, const dlm_evo_census *c, uint32_t i)
{
    double n = sc->evolution.private_assessment ? (double)sc->evolution.population : 1.0;
    return (double)c->rule_good[i] / ((double)c->rule_agents[i] * n);
}

/* The agreement between views: the fraction of observer pairs that agree on a third
 * agent (kernels/dlm_census.h, dlm_census_reputation); 1 under public assessment. */
static double dlm_agreement(const dlm_scenario *sc, uint32_t n, uint64_t pairs)
{
    double m = sc->evolution.private_assessment ? (double)n - 1.0 : (double)sc->evolution.panel;
    if (!sc->evolution.private_assessment && !sc->evolution.institutional)
        return 1.0;
    return m < 2.0 ? 1.0 : (double)pairs / ((double)n * m * (m - 1.0) / 2.0);
}

/* Shannon diversity (natural log) of the census's named counts and "other". */
static double diversity(const dlm_evo_plan *plan, const dlm_evo_census *c, uint32_t n)
{
    double h = 0.0;
    uint32_t i;
    for (i = 0; i <= plan->n_named; ++i)
        if (c->named[i]) {
            double p = (double)c->named[i] / n;
            h -= p * log(p);
        }
    return h;
}

/* The settings of a class that records carry: the run's match.* or a class's own. */
static const dlm_player_spec *class_spec(const dlm_scenario *sc, uint32_t i)
{
    return sc->evolution.n_classes ? &sc->evolution.classes[i].player : &sc->match_defaults;
}

/* The run's settings as CSV columns: names (header) or values (every row), so that rows
 * of different runs concatenated stay apart. */
static void csv_settings(FILE *fp, const dlm_scenario *sc, const dlm_evo_plan *plan, int header)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    uint32_t i;
    if (header) {
        fprintf(fp, "%s%s,rule,selection,fitness,population_size,mutation_kind,mutation_rate",
                sc->sweep_csv_header, dlm_csv_settings_header(sc));
        for (i = 0; i < plan->n_classes; ++i)
            fprintf(fp, ",%s:execution_error,%s:perception_error,%s:reaction_period,"
                        "%s:observation_delay", plan->class_names[i], plan->class_names[i],
                    plan->class_names[i], plan->class_names[i]);
        for (i = 0; plan->params.side_b && i < plan->n_classes; ++i) /* two sides */
            fprintf(fp, ",%s:role,%s:rate", plan->class_names[i], plan->class_names[i]);
        return;
    }
    dlm_csv_settings(fp, sc);
    fprintf(fp, ",%s,", dlm_evo_rule_name(plan->rule));
    dlm_print_double(fp, ev->selection);
    fprintf(fp, ",%s,%u,%s,", ev->fitness, ev->population,
            plan->params.mutation_kind ? ev->mutation_kind : "none");
    dlm_print_double(fp, plan->params.mutation_kind ? ev->mutation_rate : 0.0);
    for (i = 0; i < plan->n_classes; ++i) {
        const dlm_player_spec *c = class_spec(sc, i);
        fputc(',', fp);
        dlm_print_double(fp, c->execution_error);
        fputc(',', fp);
        dlm_print_double(fp, c->perception_error);
        fprintf(fp, ",%u,%u", c->reaction_period, c->observation_delay);
    }
    for (i = 0; plan->params.side_b && i < plan->n_classes; ++i) {
        fprintf(fp, ",%s,", ev->classes[i].role == 1 ? "A" : "B");
        dlm_print_double(fp, ev->classes[i].rate);
    }
}

/* Two sides for people: "sides: ai (role A, rate 10) 50 agents, 91 of a generation's 100
 * events; human (role B, rate 1) 50 agents, 9 events", and B's own game. */
static void table_sides(FILE *fp, const dlm_scenario *sc, const dlm_evo_plan *plan)
{
    const dlm_evo_params *ep = &plan->params;
    const dlm_class_spec *a = &sc->evolution.classes[0], *b = &sc->evolution.classes[1];
    uint32_t n = sc->evolution.population;
    if (a->role != 1) {
        a = b;
        b = &sc->evolution.classes[0];
    }
    fprintf(fp, "sides: %s (role A, rate %g) %u agents, %u of a generation's %u events; "
                "%s (role B, rate %g) %u agents, %u events\n", a->name, a->rate, ep->side_b,
            ep->events_a, n, b->name, b->rate, n - ep->side_b, n - ep->events_a);
    if (sc->asymmetric)
        fprintf(fp, "side B's own game: %s (R=%g S=%g T=%g P=%g; %s)\n", sc->game_b.name,
                sc->game_b.R, sc->game_b.S, sc->game_b.T, sc->game_b.P,
                dlm_game_class_name(dlm_game_classify(&sc->game_b)));
}

/* The run's settings as the members of a JSON object (no braces). */
static void json_settings(FILE *fp, const dlm_scenario *sc, const dlm_evo_plan *plan)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    uint32_t i;
    dlm_json_settings(fp, sc);
    if (plan->params.interaction == DLM_INTERACTION_DONATION) {
        fprintf(fp, ",\"interaction\":\"donation\",\"reputation\":{\"assessment\":\"%s\",",
                ev->private_assessment ? "private" : ev->institutional ? "institutional" : "public");
        if (ev->institutional)
            fprintf(fp, "\"panel\":%u,\"quorum\":%u,\"panel_views\":\"%s\",", ev->panel,
                    DLM_REP_QUORUM(plan->params.norm), ev->panel_broadcast ? "broadcast" : "own");
        fputs("\"norm\":", fp);
        dlm_json_string(fp, ev->norm_name);
        fputs(",\"execution_error\":", fp);
        dlm_print_double(fp, ev->execution_error);
        fputs(",\"assessment_error\":", fp);
        dlm_print_double(fp, ev->assessment_error);
        fputc('}', fp);
    } else if (plan->params.interaction == DLM_INTERACTION_GROUP) {
        static const char *const games[4] = {"pgg", "risk", "commons", "escalation"};
        fprintf(fp, ",\"interaction\":\"group\",\"group\":{\"game\":\"%s\",\"size\":%u,"
                    "\"groups\":%u,\"rounds\":%u,\"c\":",
                games[ev->group_game >= 1 && ev->group_game <= 4 ? ev->group_game - 1 : 0],
                plan->params.group_size, plan->params.group_size ? ev->group_count : 0u,
                plan->params.rules.rounds);
        dlm_print_double(fp, ev->group_c);
        if (ev->group_game >= 3) { /* the level games (c: escalation's cost per level) */
            fprintf(fp, ",\"levels\":%u", ev->group_levels);
            if (ev->group_game == 3) {
                fputs(",\"capacity\":", fp);
                dlm_print_double(fp, ev->group_capacity);
                fputs(",\"growth\":", fp);
                dlm_print_double(fp, ev->group_growth);
                fputs(",\"harvest\":", fp);
                dlm_print_double(fp, ev->group_harvest);
            } else {
                fputs(",\"prize\":", fp);
                dlm_print_double(fp, ev->group_prize);
            }
        } else {
            fputs(ev->group_game == 2 ? ",\"b\":" : ",\"r\":", fp);
            dlm_print_double(fp, ev->group_game == 2 ? ev->group_b : ev->group_r);
        }
        if (ev->group_game == 2) {
            fprintf(fp, ",\"threshold\":%u,\"risk\":", ev->group_threshold);
            dlm_print_double(fp, ev->group_risk);
        }
        fputs(",\"execution_error\":", fp);
        dlm_print_double(fp, ev->group_execution_error);
        if (ev->punish) { /* incentives (kernels/dlm_punish.h) */
            static const char *const keys[6] = {"gamma", "beta", "fee", "fine", "reward",
                                                "loner"};
            const double values[6] = {ev->punish_gamma, ev->punish_beta, ev->punish_fee,
                                      ev->punish_fine,  ev->punish_reward, ev->punish_loner};
            for (i = 0; i < 6u; ++i) {
                fprintf(fp, "%s\"%s\":", i ? "," : ",\"punishment\":{", keys[i]);
                dlm_print_double(fp, values[i]);
            }
            fprintf(fp, ",\"second_order\":%s}", ev->punish_second_order ? "true" : "false");
        }
        fputc('}', fp);
    } else {
        fputs(",\"interaction\":\"2x2-game\"", fp);
    }
    fprintf(fp, ",\"rule\":\"%s\",\"selection\":", dlm_evo_rule_name(plan->rule));
    dlm_print_double(fp, ev->selection);
    fprintf(fp, ",\"fitness\":\"%s\",\"population_size\":%u,\"populations\":%zu,"
                "\"generations\":%llu,\"record_every\":%llu,\"mutation\":{\"kind\":\"%s\","
                "\"rate\":", ev->fitness, ev->population, plan->n_populations,
            (unsigned long long)ev->generations, (unsigned long long)ev->record_every,
            plan->params.mutation_kind ? ev->mutation_kind : "none");
    dlm_print_double(fp, plan->params.mutation_kind ? ev->mutation_rate : 0.0);
    fputs("},\"structure\":", fp);
    dlm_json_string(fp, ev->demes ? "groups" : ev->structure.type);
    if (ev->demes) { /* group selection: m, n, q */
        fprintf(fp, ",\"group_selection\":{\"groups\":%u,\"size\":%u,\"split\":",
                ev->demes_groups, ev->demes_size);
        dlm_print_double(fp, ev->demes_split);
        fputc('}', fp);
    }
    fprintf(fp, ",\"payoff\":\"%s\",\"representation\":\"%s\"",
            ev->payoff_estimated ? "estimated" : ev->payoff_exact ? "exact" : "played",
            plan->params.representation == DLM_REPRESENTATION_COUNTS ? "counts" : "agents");
    if (ev->payoff_estimated) { /* the largest standard error over the type pairs */
        double max = 0.0;
        for (i = 0; i < plan->n_estimate_se; ++i)
            max = plan->estimate_se[i] > max ? plan->estimate_se[i] : max;
        fprintf(fp, ",\"estimate_matches\":%u,\"estimate_se_max\":", ev->estimate_matches);
        dlm_print_double(fp, max);
    }
    if (plan->rule == DLM_RULE_MORAN_BD)
        fprintf(fp, ",\"moran_death\":\"%s\"", ev->moran_death_others ? "others" : "any");
    if (ev->payoff_exact && ev->exact_long_run) /* absent: the match's (as before the key) */
        fputs(",\"exact\":\"long-run\"", fp);
    for (i = 0; i < ev->n_costs; ++i) { /* absent without costs */
        fputs(i ? "," : ",\"cost\":{", fp);
        dlm_json_string(fp, ev->costs[i].strategy);
        fputc(':', fp);
        dlm_print_double(fp, ev->costs[i].share);
        if (i + 1 == ev->n_costs)
            fputc('}', fp);
    }
    fprintf(fp, ",\"stop_at_fixation\":%s,\"classes\":[", ev->stop_at_fixation ? "true" : "false");
    for (i = 0; i < plan->n_classes; ++i) {
        const dlm_player_spec *c = class_spec(sc, i);
        fprintf(fp, "%s{\"name\":", i ? "," : "");
        dlm_json_string(fp, plan->class_names[i]);
        fputs(",\"share\":", fp);
        dlm_print_double(fp, sc->evolution.n_classes ? sc->evolution.classes[i].share : 1.0);
        fputs(",\"execution_error\":", fp);
        dlm_print_double(fp, c->execution_error);
        fputs(",\"perception_error\":", fp);
        dlm_print_double(fp, c->perception_error);
        fprintf(fp, ",\"reaction_period\":%u,\"observation_delay\":%u", c->reaction_period,
                c->observation_delay);
        if (plan->params.side_b) {
            fprintf(fp, ",\"role\":\"%s\",\"rate\":",
                    sc->evolution.classes[i].role == 1 ? "A" : "B");
            dlm_print_double(fp, sc->evolution.classes[i].rate);
        }
        fputc('}', fp);
    }
    fputc(']', fp);
}

/* The referee's ledger (kernels/dlm_referee.h), in its order: amounts, then counts. */
static const char *const ledger_names[DLM_LEDGER_FIELDS] = {
    "budget", "taxes", "fines", "subsidies", "audit_costs", "audits", "exclusions",
    "false_accusations"};

/* An amount of micro-units (two's complement) as an exact decimal: -12.5, 0.000001, 3. */
static void print_micro(FILE *fp, uint64_t v)
{
    int negative = (v >> 63) != 0;
    uint64_t m = negative ? ~v + 1u : v, frac = m % 1000000u;
    char digits[8];
    int k;
    fprintf(fp, "%s%llu", negative ? "-" : "", (unsigned long long)(m / 1000000u));
    if (!frac)
        return;
    snprintf(digits, sizeof digits, "%06llu", (unsigned long long)frac);
    for (k = 5; k > 0 && digits[k] == '0'; --k)
        digits[k] = 0;
    fprintf(fp, ".%s", digits);
}

/* The ledger's fields: ",x" each (csv), or ",\"name\":x" each (json). */
static void write_ledger(FILE *fp, const dlm_evo_census *c, int json)
{
    uint32_t i;
    for (i = 0; i < DLM_LEDGER_FIELDS; ++i) {
        if (json)
            fprintf(fp, ",\"%s\":", ledger_names[i]);
        else
            fputc(',', fp);
        if (i < DLM_LEDGER_AUDITS)
            print_micro(fp, c->ledger[i]);
        else
            fprintf(fp, "%llu", (unsigned long long)c->ledger[i]);
    }
}

/* Incentives in the public goods game (kernels/dlm_punish.h, evolution.group.punishment):
 * the fractions of the population per census slot (peer punishers, pool punishers, pool
 * rewarders, loners, and the participants that never contribute), then the fines paid and
 * the rewards received per member and round of the census's group games. */
#define N_INCENTIVE_COLUMNS 7u
static const char *const incentive_columns[N_INCENTIVE_COLUMNS] = {
    "peer_punishers", "pool_punishers", "rewarders", "loners", "defectors", "incentive_fines",
    "incentive_rewards"};

static double incentive_value(const dlm_evo_census *c, uint32_t n, uint32_t i)
{
    static const uint32_t slots[5] = {DLM_INCENTIVE_PEER, DLM_INCENTIVE_POOL,
                                      DLM_INCENTIVE_REWARD, DLM_INCENTIVE_LONER,
                                      DLM_INCENTIVE_DEFECTORS};
    if (i < 5u)
        return (double)c->incentive[slots[i]] / (double)n;
    if (!c->moves)
        return 0.0;
    return (double)(i == 5u ? c->fines : c->rewards) / (double)c->moves;
}

/* The group games' statistics (kernels/dlm_group.h; issue #15 item 6), on every group
 * game's records so that a sweep may cross the games: the mean level (levels summed over
 * the census's acts: in the binary games, whose levels are 0 and 1, the contribution
 * level), and the commons' stock over its capacity K: its mean over the rounds of the
 * census's group games (at each round's start), what they left, and the fraction of them
 * that collapsed (left 0); empty (csv) or null (json) without commons games. */
#define N_GROUP_COLUMNS 4u
static const char *const group_columns[N_GROUP_COLUMNS] = {"level_mean", "stock_mean",
                                                           "stock_final", "collapse_fraction"};

/* Column i of group_columns for census c; 0 when it has no value (no commons games). */
static int group_value(const dlm_scenario *sc, const dlm_evo_census *c, uint32_t i, double *x)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    double top = ev->group_game >= 3 ? (double)(ev->group_levels - 1u) : 1.0;
    if (i == 0u) {
        *x = c->moves ? (double)c->cooperations / (double)c->moves * top : 0.0;
        return 1;
    }
    if (!c->stock_games)
        return 0;
    *x = i == 1u   ? c->stock_sum / (double)c->stock_games
         : i == 2u ? c->stock_end_sum / (double)c->stock_games
                   : (double)c->collapses / (double)c->stock_games;
    return 1;
}

static void write_header(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                         const dlm_evo_plan *plan)
{
    uint32_t i;
    if (fmt == DLM_FMT_CSV) {
        csv_settings(fp, sc, plan, 1);
        fputs(",generation,population,cooperation,payoff_mean,payoff_variance,diversity,"
              "monomorphic", fp);
        for (i = 0; i < plan->n_named; ++i) {
            fputs(",\"count:", fp);
            fputs(plan->named_labels[i], fp); /* labels hold no double quotes */
            fputc('"', fp);
        }
        fputs(",count:other,memory_one_agents,m1_p0,m1_pCC,m1_pCD,m1_pDC,m1_pDD", fp);
        for (i = 0; i < plan->n_classes; ++i)
            fprintf(fp, ",%s:agents,%s:payoff_mean,%s:cooperation", plan->class_names[i],
                    plan->class_names[i], plan->class_names[i]);
        if (plan->params.interaction == DLM_INTERACTION_DONATION)
            fputs(",good,good:allc,good:alld,good:disc,good:ipd,agreement", fp);
        if (plan->params.structure == DLM_STRUCTURE_DEMES)
            fputs(",groups,group_size_mean", fp);
        if (plan->params.costs & DLM_COSTS_REFEREE)
            for (i = 0; i < DLM_LEDGER_FIELDS; ++i)
                fprintf(fp, ",%s", ledger_names[i]);
        if (sc->evolution.punish)
            for (i = 0; i < N_INCENTIVE_COLUMNS; ++i)
                fprintf(fp, ",%s", incentive_columns[i]);
        if (plan->params.interaction == DLM_INTERACTION_GROUP)
            for (i = 0; i < N_GROUP_COLUMNS; ++i)
                fprintf(fp, ",%s", group_columns[i]);
        fputc('\n', fp);
    } else if (fmt == DLM_FMT_TABLE) {
        const dlm_player_spec *c = class_spec(sc, 0);
        fprintf(fp, "evolution: %s, %zu population%s of %u, game %s (R=%g S=%g T=%g P=%g; %s), "
                    "seed %llu\n", dlm_evo_rule_name(plan->rule), plan->n_populations,
                plan->n_populations == 1 ? "" : "s", sc->evolution.population, sc->game.name,
                sc->game.R, sc->game.S, sc->game.T, sc->game.P,
                dlm_game_class_name(dlm_game_classify(&sc->game)), (unsigned long long)sc->seed);
        if (plan->params.side_b)
            table_sides(fp, sc, plan);
        fprintf(fp, "%s%u rounds, ", sc->geometric ? "geometric matches of at most " : "",
                sc->rounds);
        if (plan->n_classes == 1)
            fprintf(fp, "execution error %g, perception error %g, reaction period %u, "
                        "observation delay %u\n", c->execution_error, c->perception_error,
                    c->reaction_period, c->observation_delay);
        else
            for (i = 0; i < plan->n_classes; ++i) {
                c = class_spec(sc, i);
                fprintf(fp, "%s%s: e=%g p=%g k=%u d=%u%s", i ? "; " : "classes ",
                        plan->class_names[i], c->execution_error, c->perception_error,
                        c->reaction_period, c->observation_delay,
                        i + 1 == plan->n_classes ? "\n" : "");
            }
        fprintf(fp, "%10s %5s %11s %11s %9s  %s\n", "generation", "pop", "cooperation",
                "payoff", "diversity", "most abundant");
    }
}

/* ",x" with x the shortest text that reads back exactly; empty when absent. */
static void csv_double(FILE *fp, double x)
{
    fputc(',', fp);
    dlm_print_double(fp, x);
}

static void json_member(FILE *fp, const char *name, double x)
{
    fprintf(fp, ",\"%s\":", name);
    dlm_print_double(fp, x);
}

/* The agents a record describes: the population's, or under group selection the living
 * ones (the census counts only them; *groups = m, else 0). */
static uint32_t record_agents(const dlm_evo_plan *plan, uint32_t p, const dlm_evo_census *c,
                              uint32_t *groups)
{
    const dlm_evo_params *pp =
        plan->batch_params ? &plan->batch_params[plan->populations[p].params] : &plan->params;
    uint64_t alive = 0;
    uint32_t i;
    *groups = 0;
    if (pp->structure != DLM_STRUCTURE_DEMES)
        return plan->populations[p].n;
    *groups = plan->populations[p].n / pp->partners;
    for (i = 0; i <= plan->n_named; ++i)
        alive += c->named[i];
    return (uint32_t)alive;
}

/* Group selection's columns: groups and group_size_mean (nothing without groups). */
static void write_groups(FILE *fp, int json, uint32_t groups, uint32_t n)
{
    if (!groups)
        return;
    if (json) {
        fprintf(fp, ",\"groups\":%u", groups);
        json_member(fp, "group_size_mean", (double)n / groups);
    } else {
        fprintf(fp, ",%u", groups);
        csv_double(fp, (double)n / groups);
    }
}

/* The fields of the optional layers, in header order: group selection's groups, the
 * referee's ledger, the incentives of the public goods game, the group games' statistics
 * (csv: ",x" each; json members). */
static void write_layers(FILE *fp, int json, const dlm_scenario *sc, const dlm_evo_plan *plan,
                         const dlm_evo_census *c, uint32_t groups, uint32_t n)
{
    uint32_t i;
    write_groups(fp, json, groups, n);
    if (plan->params.costs & DLM_COSTS_REFEREE)
        write_ledger(fp, c, json);
    for (i = 0; sc->evolution.punish && i < N_INCENTIVE_COLUMNS; ++i) {
        if (json)
            json_member(fp, incentive_columns[i], incentive_value(c, n, i));
        else
            csv_double(fp, incentive_value(c, n, i));
    }
    for (i = 0; plan->params.interaction == DLM_INTERACTION_GROUP && i < N_GROUP_COLUMNS; ++i) {
        double x;
        int has = group_value(sc, c, i, &x);
        if (json && has)
            json_member(fp, group_columns[i], x);
        else if (json)
            fprintf(fp, ",\"%s\":null", group_columns[i]);
        else if (has)
            csv_double(fp, x);
        else
            fputc(',', fp);
    }
}

static void write_record(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                         const dlm_evo_plan *plan, uint64_t g, uint32_t p,
                         const dlm_evo_census *c, int *first_json)
{
    uint32_t groups, n = record_agents(plan, p, c, &groups), i;
    double coop = c->moves ? (double)c->cooperations / (double)c->moves : 0.0;
    double mean, var, h;
    mean = c->payoff_sum / n;
    var = c->payoff_sq_sum / n - mean * mean;
    h = diversity(plan, c, n);
    if (var < 0)
        var = 0;
    if (fmt == DLM_FMT_TABLE) {
        uint32_t best[3] = {0, 0, 0}, k;
        int shown = 0;
        for (i = 0; i <= plan->n_named; ++i)
            for (k = 0; k < 3; ++k)
                if (c->named[i] > c->named[best[k]] || (best[k] == i && k == 0)) {
                    memmove(&best[k + 1], &best[k], (2 - k) * sizeof best[0]);
                    best[k] = i;
                    break;
                }
        fprintf(fp, "%10llu %5u %11.4f %11.4f %9.4f ", (unsigned long long)g, p, coop, mean, h);
        for (k = 0; k < 3; ++k) {
            uint32_t s = best[k];
            if (!c->named[s] || (k > 0 && s == best[k - 1]))
                continue;
            fprintf(fp, " %s %.1f%%", s == plan->n_named ? "other" : plan->named_labels[s],
                    100.0 * c->named[s] / n);
            ++shown;
        }
        fputc('\n', fp);
        return;
    }
    if (fmt == DLM_FMT_CSV) {
        csv_settings(fp, sc, plan, 0);
        fprintf(fp, ",%llu,%u", (unsigned long long)g, p);
        csv_double(fp, coop);
        csv_double(fp, mean);
        csv_double(fp, var);
        csv_double(fp, h);
        fprintf(fp, ",%u", c->monomorphic);
        for (i = 0; i <= plan->n_named; ++i)
            fprintf(fp, ",%llu", (unsigned long long)c->named[i]);
        fprintf(fp, ",%llu", (unsigned long long)c->m1_agents);
        for (i = 0; i < 5; ++i)
            if (c->m1_agents)
                csv_double(fp, c->m1_sum[i] / (double)c->m1_agents);
            else
                fputs(",", fp);
        for (i = 0; i < plan->n_classes; ++i) {
            double cm = c->class_agents[i] ? c->class_payoff[i] / (double)c->class_agents[i] : 0;
            double cc = c->class_moves[i] ? (double)c->class_cooperations[i] / (double)c->class_moves[i] : 0;
            fprintf(fp, ",%llu", (unsigned long long)c->class_agents[i]);
            csv_double(fp, cm);
            csv_double(fp, cc);
        }
        if (plan->params.interaction == DLM_INTERACTION_DONATION) {
            csv_double(fp, dlm_good_fraction(sc, c->good));
            for (i = 0; i < 4; ++i)
                if (c->rule_agents[i])
                    csv_double(fp, dlm_rule_good(sc, c, i));
                else
                    fputc(',', fp);
            csv_double(fp, dlm_agreement(sc, n, c->agree_pairs));
        }
        write_layers(fp, 0, sc, plan, c, groups, n);
        fputc('\n', fp);
        return;
    }
    if (fmt == DLM_FMT_JSON && !*first_json)
        fputs(",\n", fp);
    *first_json = 0;
    fprintf(fp, "{\"type\":\"generation\",%s\"seed\":%llu,\"generation\":%llu,\"population\":%u",
            sc->sweep_json, (unsigned long long)sc->seed, (unsigned long long)g, p);
    json_member(fp, "cooperation", coop);
    json_member(fp, "payoff_mean", mean);
    json_member(fp, "payoff_variance", var);
    json_member(fp, "diversity", h);
    fprintf(fp, ",\"monomorphic\":%s,\"abundance\":{", c->monomorphic ? "true" : "false");
    for (i = 0; i < plan->n_named; ++i) {
        dlm_json_string(fp, plan->named_labels[i]);
        fprintf(fp, ":%llu,", (unsigned long long)c->named[i]);
    }
    fprintf(fp, "\"other\":%llu},\"memory_one_agents\":%llu,\"memory_one_mean\":",
            (unsigned long long)c->named[plan->n_named], (unsigned long long)c->m1_agents);
    if (c->m1_agents)
        for (i = 0; i < 5; ++i) {
            fputc(i ? ',' : '[', fp);
            dlm_print_double(fp, c->m1_sum[i] / (double)c->m1_agents);
        }
    else
        fputs("null", fp);
    fputs(c->m1_agents ? "]" : "", fp);
    if (plan->params.interaction == DLM_INTERACTION_DONATION) {
        static const char *const rules[4] = {"allc", "alld", "disc", "ipd"};
        json_member(fp, "good", dlm_good_fraction(sc, c->good));
        for (i = 0; i < 4; ++i) {
            fprintf(fp, "%s\"%s\":", i ? "," : ",\"good_by_rule\":{", rules[i]);
            if (c->rule_agents[i])
                dlm_print_double(fp, dlm_rule_good(sc, c, i));
            else
                fputs("null", fp);
        }
        fputc('}', fp);
        json_member(fp, "agreement", dlm_agreement(sc, n, c->agree_pairs));
    }
    write_layers(fp, 1, sc, plan, c, groups, n);
    fputs(",\"classes\":[", fp);
    for (i = 0; i < plan->n_classes; ++i) {
        double cm = c->class_agents[i] ? c->class_payoff[i] / (double)c->class_agents[i] : 0;
        double cc = c->class_moves[i] ? (double)c->class_cooperations[i] / (double)c->class_moves[i] : 0;
        fprintf(fp, "%s{\"name\":", i ? "," : "");
        dlm_json_string(fp, plan->class_names[i]);
        fprintf(fp, ",\"agents\":%llu", (unsigned long long)c->class_agents[i]);
        json_member(fp, "payoff_mean", cm);
        json_member(fp, "cooperation", cc);
        fputc('}', fp);
    }
    fputs(fmt == DLM_FMT_JSONL ? "]}\n" : "]}", fp);
}

static void write_fixation(FILE *fp, dlm_format fmt, const dlm_scenario *sc,
                           const dlm_evo_plan *plan, uint64_t g, uint32_t p, int named,
                           int *first_json)
{
    const char *label = named >= 0 ? plan->named_labels[named] : "other";
    if (fmt == DLM_FMT_TABLE) {
        fprintf(fp, "%10llu %5u fixation: %s\n", (unsigned long long)g, p, label);
        return;
    }
    if (fmt == DLM_FMT_CSV)
        return; /* csv records carry the monomorphic column; the summary has the events */
    if (fmt == DLM_FMT_JSON && !*first_json)
        fputs(",\n", fp);
    *first_json = 0;
    fprintf(fp, "{\"type\":\"fixation\",%s\"seed\":%llu,\"generation\":%llu,\"population\":%u,"
                "\"strategy\":", sc->sweep_json, (unsigned long long)sc->seed,
            (unsigned long long)g, p);
    dlm_json_string(fp, label);
    fputs(fmt == DLM_FMT_JSONL ? "}\n" : "}", fp);
}

/* Mean and standard error of the mean of n values accumulated as sum and sum of squares. */
static void mean_se(double sum, double sq, uint64_t n, double *mean, double *se)
{
    double m = n ? sum / (double)n : 0.0, var;
    *mean = m;
    *se = 0.0;
    if (n < 2)
        return;
    var = (sq - (double)n * m * m) / (double)(n - 1);
    *se = var > 0.0 ? sqrt(var / (double)n) : 0.0;
}

/* {"mean":m,"se":s} (se null with fewer than two values; both null with none). */
static void json_mean_se(FILE *fp, const char *name, double sum, double sq, uint64_t n)
{
    double m, se;
    mean_se(sum, sq, n, &m, &se);
    fprintf(fp, ",\"%s\":{\"n\":%llu,\"mean\":", name, (unsigned long long)n);
    if (n)
        dlm_print_double(fp, m);
    else
        fputs("null", fp);
    fputs(",\"se\":", fp);
    if (n > 1)
        dlm_print_double(fp, se);
    else
        fputs("null", fp);
    fputc('}', fp);
}

/* Cooperation rate and mean payoff of a census. */
static double census_cooperation(const dlm_evo_census *c)
{
    return c->moves ? (double)c->cooperations / (double)c->moves : 0.0;
}

/* The generation the run ended at: the last any population reached. */
static uint64_t last_generation(const dlm_evo_outcome *out, size_t np)
{
    uint64_t g = 0;
    size_t p;
    for (p = 0; p < np; ++p)
        g = out[p].generations > g ? out[p].generations : g;
    return g;
}

static void write_summary_table(FILE *fp, const dlm_evo_plan *plan, const dlm_evo_outcome *out,
                                const char *stopped)
{
    size_t np = plan->n_populations, p;
    uint64_t fixed = 0;
    double c = 0, c2 = 0, m, se;
    for (p = 0; p < np; ++p) {
        double x = census_cooperation(&out[p].final);
        fixed += out[p].fixed;
        c += x;
        c2 += x * x;
    }
    mean_se(c, c2, np, &m, &se);
    fprintf(fp, "\n%s after %llu generations (%s); %llu of %zu populations fixed\n",
            dlm_evo_rule_name(plan->rule), (unsigned long long)last_generation(out, np), stopped,
            (unsigned long long)fixed, np);
    if (np > 1)
        fprintf(fp, "final cooperation %.4f +- %.4f (mean +- standard error over populations)\n",
                m, se);
}

/* The summary as one JSON object (no trailing newline): the settings, each population's
 * outcome, and over the populations the mean and standard error of the final
 * cooperation and payoff, the fraction fixed at each strategy (with its binomial
 * standard error) and the mean fixation generation. */
static void write_summary_json(FILE *fp, const dlm_scenario *sc, const dlm_evo_plan *plan,
                               const dlm_evo_outcome *out, const char *stopped)
{
    size_t p, np = plan->n_populations;
    uint32_t i;
    uint64_t *fixed = calloc(plan->n_named + 1, sizeof *fixed), any = 0;
    double coop = 0, coop2 = 0, pay = 0, pay2 = 0, fg = 0, fg2 = 0;
    fputs("{\"type\":\"summary\",\"settings\":{", fp);
    json_settings(fp, sc, plan);
    fprintf(fp, "},\"seed\":%llu,\"rule\":\"%s\",\"population\":%u,\"populations\":%zu,"
                "\"generations\":%llu,\"stopped\":", (unsigned long long)sc->seed,
            dlm_evo_rule_name(plan->rule), sc->evolution.population, np,
            (unsigned long long)last_generation(out, np));
    dlm_json_string(fp, stopped);
    fputs(",\"outcomes\":[", fp);
    for (p = 0; p < np; ++p) {
        double c = census_cooperation(&out[p].final);
        double m = out[p].final.payoff_sum / (double)plan->populations[p].n;
        coop += c;
        coop2 += c * c;
        pay += m;
        pay2 += m * m;
        fprintf(fp, "%s{\"population\":%zu,\"generations\":%llu", p ? "," : "", p,
                (unsigned long long)out[p].generations);
        json_member(fp, "cooperation", c);
        json_member(fp, "payoff_mean", m);
        fputs(",\"fixed\":", fp);
        if (out[p].fixed) {
            double f = (double)out[p].fixation_generation;
            dlm_json_string(fp, out[p].fixed_named >= 0 ? plan->named_labels[out[p].fixed_named]
                                                        : "other");
            fprintf(fp, ",\"fixation_generation\":%llu", (unsigned long long)out[p].fixation_generation);
            if (fixed)
                fixed[out[p].fixed_named >= 0 ? (uint32_t)out[p].fixed_named : plan->n_named] += 1;
            ++any;
            fg += f;
            fg2 += f * f;
        } else {
            fputs("null", fp);
        }
        fputc('}', fp);
    }
    fputs("],\"fixations\":{", fp);
    for (i = 0; fixed && i <= plan->n_named; ++i) {
        fprintf(fp, "%s", i ? "," : "");
        dlm_json_string(fp, i < plan->n_named ? plan->named_labels[i] : "other");
        fprintf(fp, ":%llu", (unsigned long long)fixed[i]);
    }
    fprintf(fp, "},\"populations_fixed\":%llu", (unsigned long long)any);
    json_mean_se(fp, "final_cooperation", coop, coop2, np);
    json_mean_se(fp, "final_payoff_mean", pay, pay2, np);
    for (i = 0; sc->evolution.punish && i < N_INCENTIVE_COLUMNS; ++i) {
        char name[48];
        double v = 0, v2 = 0;
        for (p = 0; p < np; ++p) {
            double x = incentive_value(&out[p].final, plan->populations[p].n, i);
            v += x;
            v2 += x * x;
        }
        snprintf(name, sizeof name, "final_%s", incentive_columns[i]);
        json_mean_se(fp, name, v, v2, np);
    }
    for (i = 0; plan->params.interaction == DLM_INTERACTION_GROUP && i < N_GROUP_COLUMNS; ++i) {
        char name[48]; /* over the populations whose census had commons games */
        double v = 0, v2 = 0, x;
        uint64_t k = 0;
        for (p = 0; p < np; ++p)
            if (group_value(sc, &out[p].final, i, &x)) {
                v += x;
                v2 += x * x;
                ++k;
            }
        snprintf(name, sizeof name, "final_%s", group_columns[i]);
        if (i == 0u || k)
            json_mean_se(fp, name, v, v2, k);
    }
    json_mean_se(fp, "fixation_generation", fg, fg2, any);
    /* The fraction of populations fixed at each strategy: a binomial proportion over the
       populations, with standard error sqrt(f (1 - f) / n). */
    fputs(",\"fixation_fraction\":{", fp);
    for (i = 0; fixed && i <= plan->n_named + 1; ++i) {
        uint64_t k = i <= plan->n_named ? fixed[i] : any;
        double f = np ? (double)k / (double)np : 0.0;
        fprintf(fp, "%s", i ? "," : "");
        dlm_json_string(fp, i < plan->n_named ? plan->named_labels[i]
                            : i == plan->n_named ? "other" : "any");
        fputs(":{\"fraction\":", fp);
        dlm_print_double(fp, f);
        fputs(",\"se\":", fp);
        dlm_print_double(fp, np ? sqrt(f * (1.0 - f) / (double)np) : 0.0);
        fputc('}', fp);
    }
    fputs("}}", fp);
    free(fixed);
}

dlm_status dlm_evo_write_snapshot(const char *path, const dlm_evo_plan *plan, uint64_t generation,
                                  const dlm_strategy *strategies, dlm_error *err)
{
    dlm_sink sink;
    dlm_status st = dlm_sink_open(&sink, path, err);
    unsigned char header[64];
    uint64_t i;
    uint32_t version = 1, record = 88, npop = (uint32_t)plan->n_populations;
    uint32_t per = plan->n_populations ? plan->populations[0].n : 0;
    if (st != DLM_OK)
        return st;
    memset(header, 0, sizeof header);
    memcpy(header, "DLMSNAP", 8);
    memcpy(header + 8, &version, 4);
    memcpy(header + 12, &record, 4);
    memcpy(header + 16, &plan->n_agents, 8);
    memcpy(header + 24, &npop, 4);
    memcpy(header + 28, &per, 4);
    memcpy(header + 32, &generation, 8);
    fwrite(header, 1, sizeof header, sink.fp);
    for (i = 0; i < plan->n_agents; ++i) {
        uint32_t extra[2];
        extra[0] = plan->agent_class[i];
        extra[1] = (uint32_t)(i / (per ? per : 1));
        fwrite(&strategies[i], sizeof strategies[i], 1, sink.fp);
        fwrite(extra, sizeof extra, 1, sink.fp);
    }
    return dlm_sink_commit(&sink, err);
}

/* Flushes the records written so far and checks that every byte went out (a full disk,
 * a closed pipe). On success *good is where the complete records end; on failure a
 * regular file is cut back there, so that what is kept ends on a complete record. */
static dlm_status records_flushed(FILE *fp, long *good, dlm_error *err)
{
    int failed = fflush(fp) != 0 || ferror(fp);
    int e = errno;
    if (!failed) {
        *good = ftell(fp);
        if (*good >= 0)
            dlm_signals_records_good((off_t)*good);
        return DLM_OK;
    }
    __fpurge(fp); /* what could not be written is dropped, so that closing writes nothing */
    if (*good >= 0 && ftruncate(fileno(fp), (off_t)*good) == 0)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "writing the records failed: %s (the "
                             "records up to the last complete one are kept)", strerror(e));
    return dlm_error_set(err, DLM_ERR_RUNTIME, "writing the records failed: %s", strerror(e));
}

/* Path of the summary or snapshot beside the records file (or in the current folder). */
static void side_path(char *buf, size_t len, const char *out, const char *suffix)
{
    snprintf(buf, len, "%s%s", out[0] && !dlm_path_is_stream(out) ? out : "dilemma", suffix);
}

/* The records observer: where and how the records go. */
typedef struct records_ctx {
    const dlm_scenario *sc;
    const dlm_evo_plan *plan;
    FILE *fp;           /* null: no records (summary and snapshots still) */
    dlm_format fmt;
    int first_json;
    long good;          /* where the complete records end (-1: not a file) */
    dlm_sink *sink;     /* the partial sink of fp, when checkpoints are taken */
    dlm_evo_checkpointing *ck; /* null: no checkpoints */
    int resumed;        /* the records so far are in the file: begin writes nothing */
    uint64_t first_g;   /* the generation the run started (or resumed) at */
    double last;        /* seconds: when the last checkpoint was written (or the start) */
    uint32_t written;   /* checkpoints written by this process */
    dlm_progress *progress; /* null: no progress line */
} records_ctx;

static void records_progress(void *ctx, uint64_t g, uint64_t total)
{
    records_ctx *r = ctx;
    if (g > total)
        g = total;
    if (!r->progress->shown && r->progress->done == 0)
        r->progress->base = g; /* the first boundary: 0, or where a resumed run starts */
    r->progress->total = total;
    dlm_progress_show(r->progress, g, 0, NULL);
}

static dlm_status records_begin(void *ctx, dlm_error *err)
{
    records_ctx *r = ctx;
    (void)err;
    if (!r->fp || r->resumed)
        return DLM_OK;
    if (r->fmt == DLM_FMT_JSON) {
        fputs("{\"type\":\"evolution\",\"settings\":{", r->fp);
        json_settings(r->fp, r->sc, r->plan);
        fputs("},\"records\":[\n", r->fp);
    } else if (r->fmt == DLM_FMT_JSONL) {
        fputs("{\"type\":\"settings\",", r->fp);
        json_settings(r->fp, r->sc, r->plan);
        fputs("}\n", r->fp);
    }
    write_header(r->fp, r->fmt, r->sc, r->plan);
    return DLM_OK;
}

static void records_record(void *ctx, uint32_t p, const dlm_evo_census *c,
                           const dlm_evo_outcome *o, int fixed_now)
{
    records_ctx *r = ctx;
    if (!r->fp)
        return;
    write_record(r->fp, r->fmt, r->sc, r->plan, c->generation, p, c, &r->first_json);
    if (fixed_now)
        write_fixation(r->fp, r->fmt, r->sc, r->plan, c->generation, p, o->fixed_named,
                       &r->first_json);
}

static dlm_status records_flush(void *ctx, dlm_error *err)
{
    records_ctx *r = ctx;
    return r->fp ? records_flushed(r->fp, &r->good, err) : DLM_OK;
}

static dlm_status records_snapshot(void *ctx, uint64_t g, const dlm_strategy *agents,
                                   dlm_error *err)
{
    records_ctx *r = ctx;
    char path[DLM_PATH_MAX + 32];
    if (r->sc->evolution.snapshot_file[0])
        snprintf(path, sizeof path, "%s", r->sc->evolution.snapshot_file);
    else
        side_path(path, sizeof path, r->sc->out, ".snapshot");
    return dlm_evo_write_snapshot(path, r->plan, g, agents, err);
}

/* The end of the records (the summary inside them for json and jsonl, a closing line for
 * tables) and the summary beside a records file, written atomically. */
static dlm_status records_finish(void *ctx, const dlm_evo_outcome *out, const char *stopped,
                                 dlm_error *err)
{
    records_ctx *r = ctx;
    dlm_status st;
    if (r->fp) {
        if (r->fmt == DLM_FMT_JSON) {
            fputs("\n],\"summary\":", r->fp);
            write_summary_json(r->fp, r->sc, r->plan, out, stopped);
            fputs("}\n", r->fp);
        } else if (r->fmt == DLM_FMT_JSONL) {
            write_summary_json(r->fp, r->sc, r->plan, out, stopped);
            fputc('\n', r->fp);
        } else if (r->fmt == DLM_FMT_TABLE) {
            write_summary_table(r->fp, r->plan, out, stopped);
        }
        if ((st = records_flushed(r->fp, &r->good, err)) != DLM_OK)
            return st;
    }
    if (r->sc->out[0] && !dlm_path_is_stream(r->sc->out)) { /* beside a file only */
        char path[DLM_PATH_MAX + 32];
        dlm_sink sink;
        side_path(path, sizeof path, r->sc->out, ".summary.json");
        if ((st = dlm_sink_open(&sink, path, err)) != DLM_OK)
            return st;
        write_summary_json(sink.fp, r->sc, r->plan, out, stopped);
        fputc('\n', sink.fp);
        return dlm_sink_commit(&sink, err);
    }
    return DLM_OK;
}

/* --- checkpoints ----------------------------------------------------------------------
 * An evolution checkpoint's payload: the observer's part (32 bytes: a tag, the records'
 * format, the JSON separator state, the partial file's mark) and then the runner's
 * state (run/evolve.h). */
#define OBSERVER_TAG 0x31304f4553534c44ull /* "DLSSEO01" read as a little-endian u64 */
#define OBSERVER_BYTES 32u

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int checkpoint_due(void *ctx, uint64_t g)
{
    records_ctx *r = ctx;
    const dlm_evo_checkpointing *ck = r->ck;
    if (dlm_signals_stop_requested())
        return 1;
    if (g == r->first_g)
        return 0;
    if (ck->every_generations)
        return g % ck->every_generations == 0;
    return now_seconds() - r->last >= ck->every_seconds;
}

static dlm_status checkpoint_write(void *ctx, uint64_t g, const void *state, size_t n, int *stop,
                                   dlm_error *err)
{
    records_ctx *r = ctx;
    dlm_evo_checkpointing *ck = r->ck;
    unsigned char head[OBSERVER_BYTES];
    uint64_t tag = OBSERVER_TAG;
    uint32_t fmt = (uint32_t)r->fmt, first = (uint32_t)r->first_json;
    dlm_sink_mark mark;
    const void *parts[2];
    size_t sizes[2];
    dlm_status st;
    if ((st = dlm_sink_mark_partial(r->sink, &mark, err)) != DLM_OK)
        return st;
    memset(head, 0, sizeof head);
    memcpy(head, &tag, 8);
    memcpy(head + 8, &fmt, 4);
    memcpy(head + 12, &first, 4);
    memcpy(head + 16, &mark.length, 8);
    memcpy(head + 24, &mark.crc, 4);
    parts[0] = head;
    sizes[0] = sizeof head;
    parts[1] = state;
    sizes[1] = n;
    if ((st = dlm_checkpoint_write_parts(ck->path, DLM_CKPT_EVOLVE, ck->config_hash, parts,
                                         sizes, 2, err)) != DLM_OK)
        return st;
    r->last = now_seconds();
    ck->generation = g;
    if (ck->test_stop_after && ++r->written == ck->test_stop_after)
        raise(ck->test_signal); /* tests: a signal right after this checkpoint */
    ck->signal = dlm_signals_stop_requested();
    *stop = ck->signal != 0;
    return DLM_OK;
}

static const char *format_name(uint32_t f)
{
    static const char *const names[] = {"table", "csv", "jsonl", "json"};
    return f < 4 ? names[f] : "unknown";
}

dlm_status dlm_evo_resume_open(const char *path, uint64_t config_hash, const dlm_evo_plan *plan,
                               dlm_format fmt, const char *out, dlm_sink *records,
                               void **payload, size_t *n, dlm_error *err)
{
    const unsigned char *d;
    uint64_t tag, length;
    uint32_t found;
    dlm_sink_mark mark;
    dlm_status st = dlm_checkpoint_read(path, DLM_CKPT_EVOLVE, config_hash, payload, n, err);
    if (st != DLM_OK)
        return st;
    d = *payload;
    if (*n < OBSERVER_BYTES || (memcpy(&tag, d, 8), tag != OBSERVER_TAG)) {
        st = dlm_error_set(err, DLM_ERR_USAGE, "checkpoint %s holds no evolution records' state",
                           path);
        goto refused;
    }
    memcpy(&found, d + 8, 4);
    if (found != (uint32_t)fmt) {
        st = dlm_error_set(err, DLM_ERR_USAGE, "checkpoint %s was taken of %s records; this "
                           "run writes %s (give the --format or --out the run started with)",
                           path, format_name(found), format_name((uint32_t)fmt));
        goto refused;
    }
    if ((st = dlm_evo_state_check(plan, d + OBSERVER_BYTES, *n - OBSERVER_BYTES, NULL, err)) !=
        DLM_OK)
        goto refused;
    memcpy(&length, d + 16, 8);
    mark.length = length;
    memcpy(&mark.crc, d + 24, 4);
    if ((st = dlm_sink_resume_partial(records, out, &mark, err)) == DLM_OK)
        return DLM_OK;
refused:
    free(*payload);
    *payload = NULL;
    *n = 0;
    return st;
}

/* Starts the observer's checkpoints (and a resume's records state). */
static void checkpoints_begin(records_ctx *r, dlm_evo_observer *obs, dlm_evo_checkpointing *ck)
{
    r->ck = ck;
    r->last = now_seconds();
    ck->signal = 0;
    if (ck->resume) {
        const unsigned char *d = ck->resume;
        uint32_t first;
        memcpy(&first, d + 12, 4);
        r->first_json = (int)first;
        (void)dlm_evo_state_check(r->plan, d + OBSERVER_BYTES, ck->resume_n - OBSERVER_BYTES,
                                  &r->first_g, NULL); /* checked by dlm_evo_resume_open */
        r->resumed = 1;
    }
    obs->checkpoint_due = checkpoint_due;
    obs->checkpoint = checkpoint_write;
    obs->checkpoint_every = ck->every_generations;
}

/* The records observer writing to fp in fmt. */
static void observer_init(records_ctx *r, dlm_evo_observer *obs, const dlm_scenario *sc,
                          const dlm_evo_plan *plan, FILE *fp, dlm_format fmt)
{
    memset(r, 0, sizeof *r);
    memset(obs, 0, sizeof *obs);
    r->sc = sc;
    r->plan = plan;
    r->fp = fp;
    r->fmt = fmt;
    r->first_json = 1;
    r->good = fp ? ftell(fp) : -1;
    obs->ctx = r;
    obs->begin = records_begin;
    obs->record = records_record;
    obs->flush = records_flush;
    obs->snapshot = records_snapshot;
    obs->finish = records_finish;
}

dlm_status dlm_evolve_checkpointed(const dlm_scenario *sc, const dlm_evo_plan *plan,
                                   const dlm_backend_ops *ops, dlm_backend *be, dlm_sink *records,
                                   dlm_format fmt, dlm_evo_checkpointing *ck,
                                   dlm_progress *progress, dlm_evo_outcome *outcomes,
                                   dlm_error *err)
{
    records_ctx r;
    dlm_evo_observer obs;
    observer_init(&r, &obs, sc, plan, records ? records->fp : NULL, fmt);
    r.sink = records;
    if (progress) {
        r.progress = progress;
        obs.progress = records_progress;
    }
    if (ck)
        checkpoints_begin(&r, &obs, ck);
    if (ck && ck->resume)
        return dlm_evo_drive_from(sc, plan, ops, be, &obs, (const unsigned char *)ck->resume +
                                  OBSERVER_BYTES, ck->resume_n - OBSERVER_BYTES, outcomes, err);
    return dlm_evo_drive(sc, plan, ops, be, &obs, outcomes, err);
}

dlm_status dlm_evolve(const dlm_scenario *sc, const dlm_evo_plan *plan, const dlm_backend_ops *ops,
                      dlm_backend *be, FILE *records, dlm_format fmt, dlm_evo_outcome *outcomes,
                      dlm_error *err)
{
    records_ctx r;
    dlm_evo_observer obs;
    observer_init(&r, &obs, sc, plan, records, fmt);
    return dlm_evo_drive(sc, plan, ops, be, &obs, outcomes, err);
}

/* --- a batch of runs (a sweep's points and replicates) in one evolution ------------------- */

/* The batch observer hands each population's records to the records observer of its run,
 * with the run's own population numbers, and ends each run where a run of its own would
 * end: when its last population fixes (with stop at fixation), or with the batch. */
typedef struct batch_ctx {
    records_ctx *runs;
    size_t k;
    const size_t *first;   /* run j's populations are first[j] .. first[j + 1] - 1 */
    const uint32_t *run_of; /* the run of each population */
    size_t *fixed;         /* per run: populations fixed so far */
    uint8_t *done;         /* per run: finished */
    dlm_evo_outcome *out;  /* the batch's outcomes */
    int fix_stop;
    uint64_t g, every, generations; /* the pass whose records come in (evolve.c's schedule) */
    int passes;
} batch_ctx;

static dlm_status batch_begin(void *ctx, dlm_error *err)
{
    batch_ctx *b = ctx;
    size_t j;
    dlm_status st = DLM_OK;
    for (j = 0; j < b->k && st == DLM_OK; ++j)
        st = records_begin(&b->runs[j], err);
    return st;
}

static void batch_record(void *ctx, uint32_t p, const dlm_evo_census *c, const dlm_evo_outcome *o,
                         int fixed_now)
{
    batch_ctx *b = ctx;
    uint32_t j = b->run_of[p];
    if (b->done[j])
        return;
    records_record(&b->runs[j], (uint32_t)(p - b->first[j]), c, o, fixed_now);
    b->fixed[j] += fixed_now != 0;
}

/* After a pass: every run's records out; a run whose populations have all fixed before
 * the last generation ends here, as it would on its own ("fixation"). */
static dlm_status batch_flush(void *ctx, dlm_error *err)
{
    batch_ctx *b = ctx;
    size_t j;
    dlm_status st = DLM_OK;
    uint64_t next;
    for (j = 0; j < b->k && st == DLM_OK; ++j) {
        if (b->done[j])
            continue;
        st = records_flush(&b->runs[j], err);
        if (st == DLM_OK && b->fix_stop && b->fixed[j] == b->first[j + 1] - b->first[j] &&
            b->g < b->generations) {
            st = records_finish(&b->runs[j], b->out + b->first[j], "fixation", err);
            b->done[j] = 1;
        }
    }
    /* the next pass's generation, as next_step schedules it without snapshots or clock */
    next = (b->g / b->every + 1) * b->every;
    next = next < b->generations ? next : b->generations;
    b->g = next > b->g ? next : b->g + 1;
    return st;
}

static dlm_status batch_finish(void *ctx, const dlm_evo_outcome *out, const char *stopped,
                               dlm_error *err)
{
    batch_ctx *b = ctx;
    size_t j;
    dlm_status st = DLM_OK;
    (void)out;
    for (j = 0; j < b->k && st == DLM_OK; ++j)
        if (!b->done[j]) {
            st = records_finish(&b->runs[j], b->out + b->first[j], stopped, err);
            b->done[j] = 1;
        }
    return st;
}

dlm_status dlm_evolve_batch(const dlm_scenario *const *scs, const dlm_evo_plan *const *plans,
                            size_t k, const dlm_evo_plan *joined, const dlm_backend_ops *ops,
                            dlm_backend *be, FILE *const *records, dlm_format fmt,
                            dlm_evo_outcome *outcomes, dlm_error *err)
{
    batch_ctx b;
    dlm_evo_observer obs;
    size_t j, p, *first = calloc(k + 1, sizeof *first);
    uint32_t *run_of = malloc((joined->n_populations ? joined->n_populations : 1) * sizeof *run_of);
    dlm_status st;
    memset(&b, 0, sizeof b);
    memset(&obs, 0, sizeof obs);
    b.runs = calloc(k, sizeof *b.runs);
    b.fixed = calloc(k, sizeof *b.fixed);
    b.done = calloc(k, 1);
    if (!first || !run_of || !b.runs || !b.fixed || !b.done) {
        st = dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a batch of %zu runs", k);
        goto end;
    }
    for (j = 0; j < k; ++j) {
        records_ctx *r = &b.runs[j];
        first[j + 1] = first[j] + plans[j]->n_populations;
        for (p = first[j]; p < first[j + 1]; ++p)
            run_of[p] = (uint32_t)j;
        r->sc = scs[j];
        r->plan = plans[j];
        r->fp = records[j];
        r->fmt = fmt;
        r->first_json = 1;
        r->good = ftell(records[j]);
    }
    b.k = k;
    b.first = first;
    b.run_of = run_of;
    b.out = outcomes;
    b.fix_stop = scs[0]->evolution.stop_at_fixation && joined->params.mutation_kind == 0;
    b.every = scs[0]->evolution.record_every ? scs[0]->evolution.record_every : 1;
    b.generations = scs[0]->evolution.generations;
    obs.ctx = &b;
    obs.begin = batch_begin;
    obs.record = batch_record;
    obs.flush = batch_flush;
    obs.snapshot = NULL;
    obs.finish = batch_finish;
    st = dlm_evo_drive(scs[0], joined, ops, be, &obs, outcomes, err);
end:
    free(first);
    free(run_of);
    free(b.runs);
    free(b.fixed);
    free(b.done);
    return st;
}

/* evolve_plan.c — turns a scenario's `evolution:` section into the model's arrays
 * (dlm_evo_setup): parameters, agent classes, mutation sets, graphs, the initial
 * populations and the named strategies the census counts. Every random choice here
 * (placing classes, strategies and mutants) draws from INIT streams keyed by population,
 * so the same seed gives the same start on every machine. Memory is computed and checked
 * before anything large is allocated.
 */
#define _DEFAULT_SOURCE /* sysconf, realpath */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/paths.h"
#include "dlm_evolve.h"
#include "plan/evolve_plan.h"
#include "model/strategies.h"
#include "plan/params.h"

/* INIT stream generations (the 40-bit field) of the draws made here. */
#define INIT_CLASS_PLACEMENT 1u
#define INIT_STRATEGY_PLACEMENT 2u
#define INIT_RANDOM_STRATEGY 3u
#define INIT_SIDE_B_PLACEMENT 4u /* side B's initial shares (side A's use INIT_STRATEGY_PLACEMENT) */

static const char *rule_names[] = {"", "moran-bd", "moran-db", "fermi", "fermi-sync",
                                   "wright-fisher", "imitate-best", "group-selection"};

/* DLM_RULE_* for a rule name, 0 if unknown. */
static uint32_t rule_code(const char *name)
{
    uint32_t i;
    for (i = 1; i < sizeof rule_names / sizeof rule_names[0]; ++i)
        if (strcmp(name, rule_names[i]) == 0)
            return i;
    return 0;
}

const char *dlm_evo_rule_name(uint32_t rule)
{
    return rule < sizeof rule_names / sizeof rule_names[0] ? rule_names[rule] : "?";
}

/* Counts of n items split by shares (summing to 1) with the largest-remainder method. */
static void split_counts(const double *shares, size_t k, uint32_t n, uint32_t *counts)
{
    double *rem = malloc(k * sizeof *rem);
    uint32_t given = 0;
    size_t i;
    for (i = 0; i < k; ++i) {
        double exact = shares[i] * n;
        counts[i] = (uint32_t)floor(exact);
        if (rem)
            rem[i] = exact - counts[i];
        given += counts[i];
    }
    while (given < n) { /* largest remainder first, ties to the earlier entry */
        size_t best = 0;
        for (i = 1; rem && i < k; ++i)
            if (rem[i] > rem[best])
                best = i;
        counts[best] += 1;
        if (rem)
            rem[best] = -1.0;
        given += 1;
    }
    free(rem);
}

/* A permutation of 0..n-1 by Fisher–Yates from INIT stream (p, purpose), window 0. */
static void shuffle(uint32_t *perm, uint32_t n, uint64_t seed, uint32_t population,
                    uint32_t purpose)
{
    dlm_cursor c = dlm_cursor_at(seed, dlm_stream_id(DLM_PURPOSE_INIT, population, purpose), 0);
    uint32_t i;
    for (i = 0; i < n; ++i)
        perm[i] = i;
    for (i = n; i > 1; --i) {
        uint32_t j = dlm_cursor_below(&c, i), t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

/* Adds a compiled strategy to the named list unless an equal one is there. */
static dlm_status add_named(dlm_evo_plan *plan, const dlm_strategy_def *def, dlm_error *err)
{
    uint32_t i;
    for (i = 0; i < plan->n_named; ++i)
        if (dlm_strategy_equal(&plan->named[i], &def->model))
            return DLM_OK;
    if (plan->n_named >= DLM_CENSUS_MAX_NAMED)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution: more than %u distinct named strategies to count",
                             DLM_CENSUS_MAX_NAMED);
    plan->named[plan->n_named] = def->model;
    snprintf(plan->named_labels[plan->n_named], sizeof plan->named_labels[0], "%s", def->label);
    plan->n_named += 1;
    return DLM_OK;
}

/* Compiles strategy text, adding it to the named list. */
static dlm_status compile(dlm_evo_plan *plan, const dlm_scenario *sc, const char *text,
                          const char *where, dlm_strategy *out, dlm_error *err)
{
    dlm_strategy_def def;
    dlm_error inner;
    if (dlm_strategy_parse(text, &sc->game, &def, &inner) != DLM_OK)
        return dlm_error_set(err, DLM_ERR_USAGE, "%s: %s", where, inner.message);
    *out = def.model;
    return add_named(plan, &def, err);
}

/* Builds one structure (n vertices) from its spec. */
static dlm_status build_graph(const dlm_structure_spec *s, uint32_t n, uint64_t seed,
                              const char *what, dlm_graph *g, dlm_error *err)
{
    dlm_error inner;
    dlm_status st;
    memset(g, 0, sizeof *g);
    if (strcmp(s->type, "lattice") == 0) {
        if ((uint64_t)s->width * s->height != n)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.%s: a %ux%u lattice has %llu sites but the "
                                 "population has %u agents (set evolution.population to "
                                 "width x height)", what, s->width, s->height,
                                 (unsigned long long)s->width * s->height, n);
        st = dlm_graph_lattice(s->width, s->height, s->neighbourhood, s->self_loops, g, &inner);
    } else if (strcmp(s->type, "ring") == 0)
        st = dlm_graph_ring(n, s->k, g, &inner);
    else if (strcmp(s->type, "random-regular") == 0)
        st = dlm_graph_random_regular(n, s->degree, seed, g, &inner);
    else if (strcmp(s->type, "erdos-renyi") == 0)
        st = dlm_graph_erdos_renyi(n, s->p, seed, g, &inner);
    else if (strcmp(s->type, "barabasi-albert") == 0)
        st = dlm_graph_barabasi_albert(n, s->m, seed, g, &inner);
    else if (strcmp(s->type, "watts-strogatz") == 0)
        st = dlm_graph_watts_strogatz(n, s->k, s->beta, seed, g, &inner);
    else if (strcmp(s->type, "file") == 0)
        st = dlm_graph_read_edge_list(s->file, n, g, &inner);
    else
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.%s.type: unknown structure '%s' (allowed: well-mixed, "
                             "lattice, ring, random-regular, erdos-renyi, barabasi-albert, "
                             "watts-strogatz, file)", what, s->type);
    if (st != DLM_OK)
        return dlm_error_set(err, st, "evolution.%s: %s", what, inner.message);
    return DLM_OK;
}

/* The replacement graph: g without self-loops; every vertex must keep a neighbour. */
static dlm_status without_self_loops(const dlm_graph *g, dlm_graph *out, dlm_error *err)
{
    uint32_t v;
    uint64_t i, k = 0;
    memset(out, 0, sizeof *out);
    out->n = g->n;
    out->offsets = malloc((g->n + 1u) * sizeof *out->offsets);
    out->neighbors = malloc((g->n_arcs ? g->n_arcs : 1) * sizeof *out->neighbors);
    if (!out->offsets || !out->neighbors) {
        dlm_graph_free(out);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for the replacement graph");
    }
    for (v = 0; v < g->n; ++v) {
        out->offsets[v] = k;
        for (i = g->offsets[v]; i < g->offsets[v + 1]; ++i)
            if (g->neighbors[i] != v)
                out->neighbors[k++] = g->neighbors[i];
        if (k == out->offsets[v]) {
            dlm_graph_free(out);
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution: vertex %u has no neighbour to replace or imitate "
                                 "(every vertex of the replacement graph needs one)", v);
        }
    }
    out->offsets[g->n] = k;
    out->n_arcs = k;
    snprintf(out->description, sizeof out->description, "%s", g->description);
    return DLM_OK;
}

/* Largest number of partners one evaluation can have. */
static uint64_t max_partners(const dlm_evo_params *ep, uint32_t n, const dlm_graph *g)
{
    uint32_t v;
    uint64_t best = 0;
    if (ep->structure == DLM_STRUCTURE_COMPLETE)
        return n - 1u;
    if (ep->structure == DLM_STRUCTURE_SAMPLED)
        return ep->partners;
    if (ep->structure == DLM_STRUCTURE_DEMES) /* the other members of a group */
        return ep->partners - 1u;
    for (v = 0; v < g->n; ++v)
        if (g->offsets[v + 1] - g->offsets[v] > best)
            best = g->offsets[v + 1] - g->offsets[v];
    return best;
}

uint64_t dlm_evo_bytes_per_agent(int synchronous)
{
    /* resident: strategy + class; synchronous rules add next strategy, payoff and running
       sum; the host keeps the initial strategies and classes until upload, and a
       snapshot buffer. */
    uint64_t resident = sizeof(dlm_strategy) + sizeof(uint32_t);
    if (synchronous)
        resident += sizeof(dlm_strategy) + 2 * sizeof(double);
    return resident + sizeof(dlm_strategy) + sizeof(uint32_t);
}

/* The CSR bytes a structure of n vertices will need, from its parameters alone (an
 * edge-list file: at most one edge per 4 bytes of it, "1 2\n"); 0 when well-mixed. */
static uint64_t graph_bytes(const dlm_structure_spec *g, uint32_t n)
{
    double arcs = 0.0;
    struct stat sb;
    if (strcmp(g->type, "lattice") == 0)
        arcs = 9.0 * n;
    else if (strcmp(g->type, "ring") == 0 || strcmp(g->type, "watts-strogatz") == 0)
        arcs = 2.0 * g->k * n;
    else if (strcmp(g->type, "random-regular") == 0)
        arcs = (double)g->degree * n;
    else if (strcmp(g->type, "barabasi-albert") == 0)
        arcs = 2.0 * g->m * n;
    else if (strcmp(g->type, "erdos-renyi") == 0) { /* the mean, and ten standard deviations */
        double mean = g->p * (double)n * ((double)n - 1.0);
        arcs = mean + 10.0 * sqrt(mean);
    } else if (strcmp(g->type, "file") == 0 && stat(g->file, &sb) == 0)
        arcs = (double)sb.st_size / 2.0;
    if (arcs >= 1.8e19)
        return UINT64_MAX / 4;
    return strcmp(g->type, "well-mixed") == 0 ? 0 : dlm_graph_memory_bytes(n, (uint64_t)arcs);
}

/* Reads one line of fp into line (at most cap - 1 bytes, without its newline); returns
 * -1 at the end of the file, else its length, with *nul set when it held a NUL byte and
 * *overlong when it was longer (reading stops there: the line is refused anyway). */
static long read_text_line(FILE *fp, char *line, size_t cap, int *nul, int *overlong)
{
    size_t n = 0;
    int c, any = 0;
    *nul = *overlong = 0;
    while ((c = getc(fp)) != EOF) {
        any = 1;
        if (c == '\n')
            break;
        if (c == 0 || n + 1 >= cap) {
            *nul = c == 0;
            *overlong = c != 0;
            break;
        }
        line[n++] = (char)c;
    }
    line[n] = '\0';
    return any ? (long)n : -1;
}

dlm_status dlm_evo_read_initial_file(const char *path, uint32_t n, char ***out, dlm_error *err)
{
    FILE *fp = fopen(path, "r");
    char line[4096], **lines;
    uint32_t count = 0, lineno = 0;
    long len;
    int nul, overlong;
    if (!fp)
        return dlm_error_set(err, DLM_ERR_USAGE, "evolution.initial_file: cannot read %s: %s",
                             path, strerror(errno));
    lines = calloc(n, sizeof *lines);
    if (!lines) {
        fclose(fp);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory");
    }
    while ((len = read_text_line(fp, line, sizeof line, &nul, &overlong)) >= 0) {
        char *s = line;
        ++lineno;
        if (nul) {
            dlm_error_set(err, DLM_ERR_USAGE, "%s:%u: a NUL byte: a start file is text, one "
                          "strategy per line", path, lineno);
            goto fail;
        }
        if (overlong) {
            dlm_error_set(err, DLM_ERR_USAGE, "%s:%u: line longer than %zu characters", path,
                          lineno, sizeof line - 2);
            goto fail;
        }
        while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
            line[--len] = '\0';
        while (*s == ' ' || *s == '\t')
            ++s;
        if (!*s || *s == '#') {
            /* blank and comment lines: at most as many as a population's lines, again */
            if (lineno > 2u * (uint64_t)n + 1000000u) {
                dlm_error_set(err, DLM_ERR_USAGE, "%s:%u: more than %llu lines for %u "
                              "strategies: this is not a start file", path, lineno,
                              (unsigned long long)(2u * (uint64_t)n + 1000000u), n);
                goto fail;
            }
            continue;
        }
        if (count == n) {
            dlm_error_set(err, DLM_ERR_USAGE,
                          "%s:%u: more strategies than the population's %u agents", path,
                          lineno, n);
            goto fail;
        }
        lines[count] = strdup(s);
        if (!lines[count++]) {
            dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory");
            goto fail;
        }
    }
    if (ferror(fp)) {
        dlm_error_set(err, DLM_ERR_USAGE, "%s: cannot read: %s", path, strerror(errno));
        goto fail;
    }
    fclose(fp);
    if (count != n) {
        uint32_t i;
        for (i = 0; i < count; ++i)
            free(lines[i]);
        free(lines);
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "%s: %u strategies for a population of %u agents (one per line)",
                             path, count, n);
    }
    *out = lines;
    return DLM_OK;
fail:
    fclose(fp);
    {
        uint32_t i;
        for (i = 0; i < count; ++i)
            free(lines[i]);
    }
    free(lines);
    return err ? err->status : DLM_ERR_USAGE;
}

/* The files an evolution writes, checked before any work: a snapshot must not overwrite
 * the records (or their partial file) or the summary. */
static dlm_status check_outputs(const dlm_scenario *sc, dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    char snap[DLM_PATH_MAX + 32], other[3][DLM_PATH_MAX + 32], a[4200], b[4200];
    static const char *what[3] = {"the records (--out)", "the records while they are written",
                                  "the summary"};
    int i;
    if (!ev->snapshot_every || !sc->out[0] || dlm_path_is_stream(sc->out))
        return DLM_OK;
    snprintf(snap, sizeof snap, "%s", ev->snapshot_file[0] ? ev->snapshot_file : "");
    if (!snap[0])
        snprintf(snap, sizeof snap, "%s.snapshot", sc->out);
    snprintf(other[0], sizeof other[0], "%s", sc->out);
    snprintf(other[1], sizeof other[1], "%s.partial", sc->out);
    snprintf(other[2], sizeof other[2], "%s.summary.json", sc->out);
    dlm_path_absolute(snap, a, sizeof a);
    for (i = 0; i < 3; ++i) {
        dlm_path_absolute(other[i], b, sizeof b);
        if (strcmp(a, b) == 0)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.snapshot.file: '%s' is %s (%s); give the snapshot "
                                 "a file of its own", snap, what[i], other[i]);
    }
    return DLM_OK;
}

/* Step 1: the rule, the sizes, and the memory the run needs against the machine's. */
static dlm_status plan_sizes(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    uint32_t n = ev->population;
    uint64_t agents, gi, gr, have;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    plan->rule = rule_code(ev->rule);
    if (!plan->rule)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.rule: unknown rule '%s' (allowed: moran-bd, moran-db, "
                             "fermi, fermi-sync, wright-fisher, imitate-best)", ev->rule);
    plan->synchronous = plan->rule >= DLM_RULE_FERMI_SYNC;
    if (n < 2)
        return dlm_error_set(err, DLM_ERR_USAGE, "evolution.population: at least 2 agents");
    if (ev->populations < 1 || ev->populations > (1u << 20))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.populations: between 1 and 2^20 (got %u)", ev->populations);
    agents = (uint64_t)n * ev->populations;
    if (agents > 0xFFFFFFFFull)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution: %llu agents in all; at most 2^32",
                             (unsigned long long)agents);
    plan->n_agents = agents;
    /* The agents, and each graph's CSR arrays (twice: built from an edge list) by the
       arcs its type will have, before anything large is allocated. */
    plan->bytes = agents * dlm_evo_bytes_per_agent(plan->synchronous);
    gi = graph_bytes(&ev->structure, n);
    gr = graph_bytes(&ev->replacement, n);
    plan->graph_bytes = gi > UINT64_MAX / 4 || gr > UINT64_MAX / 4 ? UINT64_MAX / 2 : 2 * (gi + gr);
    plan->bytes = plan->bytes > UINT64_MAX / 2 ? UINT64_MAX / 2 : plan->bytes;
    plan->bytes += plan->graph_bytes;
    if (ev->donation && ev->private_assessment) { /* 2 N x N bits per population */
        plan->n_views = 2u * (uint64_t)n * (((uint64_t)n + 31u) >> 5) * ev->populations;
        plan->bytes += plan->n_views * 4u;
    }
    if (ev->donation && ev->institutional) { /* 2 words per agent: the panel's views */
        plan->n_views = 2u * (uint64_t)n * ev->populations;
        plan->bytes += plan->n_views * 4u;
    }
    if (sc->institution.given) { /* the referee's ledger, after any views (dlm_referee.h);
                                    synchronous rules: then a slot per agent */
        uint64_t words = DLM_LEDGER_WORDS + (plan->synchronous ? (uint64_t)DLM_SLOT_WORDS * n : 0u);
        plan->n_views += words * ev->populations;
        plan->bytes += words * 4u * ev->populations;
    }
    have = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
    plan->bytes_available = have;
    if (have && plan->n_views && plan->bytes > have)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.reputation.assessment: private: %u populations of %u "
                             "agents hold 2 x %u x %u bits of views (%.1f MiB) and the run "
                             "needs about %.1f MiB in all, but this machine has %.1f MiB of "
                             "memory (fewer agents or populations, or public assessment)",
                             ev->populations, n, n, n, plan->n_views * 4.0 / 1048576.0,
                             plan->bytes / 1048576.0, have / 1048576.0);
    if (have && plan->bytes > have)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.population x evolution.populations: %llu agents "
                             "need about %.1f MiB (%llu bytes per "
                             "agent%s%.1f MiB for the graphs%s) but this machine has %.1f "
                             "MiB of memory", (unsigned long long)agents,
                             plan->bytes / 1048576.0,
                             (unsigned long long)dlm_evo_bytes_per_agent(plan->synchronous),
                             plan->graph_bytes ? ", plus " : "",
                             plan->graph_bytes ? plan->graph_bytes / 1048576.0 : 0.0,
                             plan->graph_bytes ? ", evolution.structure" : "",
                             have / 1048576.0);
    return DLM_OK;
}

/* The class index of side `role` (1 = A, 2 = B), or -1 without sides. */
static int side_class(const dlm_evolution_spec *ev, int role)
{
    size_t k;
    for (k = 0; k < ev->n_classes; ++k)
        if (ev->classes[k].role == role)
            return (int)k;
    return -1;
}

/* Step 2b: two sides (classes with roles A and B) that play each other, each paid by its
 * own matrix and updated at its own rate: side A holds the first agents, side B the rest;
 * of a generation's n events, side s gets the share rate_s n_s / (rate_A n_A + rate_B n_B),
 * rounded. */
static dlm_status plan_sides(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    dlm_evo_params *ep = &plan->params;
    int a = side_class(ev, 1), b = side_class(ev, 2);
    double shares[2], weight_a, weight_b;
    uint32_t counts[2], n = ev->population;
    if (a < 0) {
        if (sc->asymmetric)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "game.A / game.B: an asymmetric game has two roles: give "
                                 "evolution two classes with role A and role B (the two sides "
                                 "that play each other), or a symmetric game");
        return DLM_OK;
    }
    if (ep->structure == DLM_STRUCTURE_GRAPH)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.classes: two sides (role A and B) play each other in a "
                             "well-mixed population (partners from the other side, "
                             "replacement within a side), not on a %s", ev->structure.type);
    if (plan->rule != DLM_RULE_MORAN_BD && plan->rule != DLM_RULE_MORAN_DB &&
        plan->rule != DLM_RULE_FERMI)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.rule: two sides evolve at their own rates by update "
                             "events: use moran-bd, moran-db or fermi (not %s)", ev->rule);
    shares[0] = ev->classes[a].share;
    shares[1] = ev->classes[b].share;
    split_counts(shares, 2, n, counts);
    if (counts[0] < 2 || counts[1] < 2)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.classes: each side needs at least 2 agents (side A "
                             "%s has %u, side B %s has %u of %u)", ev->classes[a].name,
                             counts[0], ev->classes[b].name, counts[1], n);
    ep->side_b = counts[0];
    ep->payoff_b[0] = dlm_scenario_game(sc, 1)->R; /* the one game when symmetric */
    ep->payoff_b[1] = dlm_scenario_game(sc, 1)->S;
    ep->payoff_b[2] = dlm_scenario_game(sc, 1)->T;
    ep->payoff_b[3] = dlm_scenario_game(sc, 1)->P;
    weight_a = ev->classes[a].rate * counts[0];
    weight_b = ev->classes[b].rate * counts[1];
    ep->events_a = (uint32_t)llround((double)n * weight_a / (weight_a + weight_b));
    return DLM_OK;
}

/* Step 2: the model's parameters (game, rule, fitness map, structure). */
static dlm_status plan_params(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    dlm_evo_params *ep = &plan->params;
    dlm_status st;
    ep->payoff[0] = sc->game.R;
    ep->payoff[1] = sc->game.S;
    ep->payoff[2] = sc->game.T;
    ep->payoff[3] = sc->game.P;
    ep->selection = ev->selection;
    ep->interaction = DLM_INTERACTION_GAME2;
    ep->rules = dlm_match_rules_from_scenario(sc);
    ep->rule = plan->rule;
    ep->accumulate = ev->accumulate_total ? 1u : 0u;
    ep->moran_death = ev->moran_death_others ? DLM_MORAN_DEATH_OTHERS : DLM_MORAN_DEATH_ANY;
    ep->fitness_map = strcmp(ev->fitness, "exponential") == 0 ? DLM_FITNESS_EXPONENTIAL
                                                              : DLM_FITNESS_LINEAR;
    ep->sigma = ev->sigma;
    ep->mutation = dlm_probability_threshold(ev->mutation_rate);
    if (strcmp(ev->structure.type, "well-mixed") == 0) {
        ep->structure = ev->structure.partners ? DLM_STRUCTURE_SAMPLED : DLM_STRUCTURE_COMPLETE;
        ep->partners = ev->structure.partners;
    } else {
        ep->structure = DLM_STRUCTURE_GRAPH;
    }
    if ((ep->structure == DLM_STRUCTURE_GRAPH) !=
        (strcmp(ev->replacement.type, "well-mixed") != 0))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.replacement: a well-mixed population replaces and "
                             "imitates among everyone, a structured one along a graph: give "
                             "both as graphs or both well-mixed");
    if (plan->rule == DLM_RULE_IMITATE_BEST && ep->structure != DLM_STRUCTURE_GRAPH)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.rule: imitate-best compares neighbours: it needs a "
                             "structure (lattice, ring, graph ...), not well-mixed");
    if ((st = plan_sides(sc, plan, err)) != DLM_OK)
        return st;
    return dlm_demes_plan(sc, plan, err);
}

/* Step 3: the interaction and replacement graphs (the latter without self-loops). */
static dlm_status plan_graphs(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    dlm_graph repl_full;
    dlm_status st;
    if (plan->params.structure != DLM_STRUCTURE_GRAPH)
        return DLM_OK;
    st = build_graph(&ev->structure, ev->population, sc->seed, "structure", &plan->interaction,
                     err);
    if (st == DLM_OK)
        st = build_graph(&ev->replacement, ev->population, sc->seed, "replacement", &repl_full,
                         err);
    if (st != DLM_OK)
        return st;
    st = without_self_loops(&repl_full, &plan->replacement, err);
    dlm_graph_free(&repl_full);
    return st;
}

/* Step 4: the fitness bound for rejection sampling (the linear map must stay
 * non-negative, the exponential one finite), and the matches of one event within its
 * stream window of 2^30 blocks. */
static dlm_status plan_bounds(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    dlm_evo_params *ep = &plan->params;
    uint32_t n = sc->evolution.population, i;
    double maxpay = ep->payoff[0], minpay = ep->payoff[0], deg, lo, hi;
    double maxcost = 0.0, mincost = 0.0;
    uint64_t slots, per_event;
    int uses_fitness = plan->rule == DLM_RULE_MORAN_BD || plan->rule == DLM_RULE_MORAN_DB ||
                       plan->rule == DLM_RULE_WRIGHT_FISHER ||
                       plan->rule == DLM_RULE_GROUP_SELECTION;
    for (i = 1; i < 4; ++i) {
        maxpay = ep->payoff[i] > maxpay ? ep->payoff[i] : maxpay;
        minpay = ep->payoff[i] < minpay ? ep->payoff[i] : minpay;
    }
    for (i = 0; ep->side_b && i < 4; ++i) { /* side B's own matrix */
        maxpay = ep->payoff_b[i] > maxpay ? ep->payoff_b[i] : maxpay;
        minpay = ep->payoff_b[i] < minpay ? ep->payoff_b[i] : minpay;
    }
    /* An evaluation's payoff lies in [lo, hi]: per-round payoffs, or (accumulate = total)
       their sum over up to `deg` partners. */
    deg = ep->accumulate ? (double)max_partners(ep, n, &plan->interaction) : 1.0;
    if (ep->accumulate && sc->evolution.donation) /* the donation game: a total over rounds */
        deg = (double)ep->rules.rounds;
    for (i = 0; i < sc->evolution.n_costs; ++i) { /* a cost lowers, a subsidy raises */
        double cost = sc->evolution.costs[i].share;
        maxcost = cost > maxcost ? cost : maxcost;
        mincost = cost < mincost ? cost : mincost;
    }
    minpay = minpay - maxcost;
    maxpay = maxpay - mincost;
    if (sc->institution.given) { /* per round: every move fined, or every move subsidised;
                                    an excluded agent's match pays 0 */
        minpay = minpay - sc->institution.fine;
        maxpay = maxpay + sc->institution.subsidy;
        if (sc->institution.exclusion) {
            minpay = minpay < 0.0 ? minpay : 0.0;
            maxpay = maxpay > 0.0 ? maxpay : 0.0;
        }
    }
    lo = ep->accumulate ? (minpay < 0 ? minpay * deg : 0.0) : minpay;
    hi = ep->accumulate ? (maxpay > 0 ? maxpay * deg : 0.0) : maxpay;
    if (ep->fitness_map == DLM_FITNESS_LINEAR) {
        ep->fitness_max = 1.0 - ep->selection + ep->selection * hi;
        if (uses_fitness && 1.0 - ep->selection + ep->selection * lo < 0.0)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.selection: the linear fitness 1 - w + w*payoff "
                                 "is negative for payoff %g at w = %g; lower w, or use "
                                 "evolution.fitness: exponential", lo, ep->selection);
    } else {
        ep->fitness_max = exp(ep->selection * hi);
        if (uses_fitness && !isfinite(ep->fitness_max))
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.selection: exp(w * payoff) overflows for w = %g "
                                 "and payoffs up to %g", ep->selection, hi);
    }
    /* Rejection sampling accepts when u * f_max < f: keep the bound above any f the
       model's rounding can produce. */
    ep->fitness_max = ep->fitness_max * (1.0 + 1e-12) + 1e-300;

    slots = ((uint64_t)1 << 30) / dlm_match_blocks(&ep->rules);
    per_event = max_partners(ep, n, &plan->interaction);
    if (per_event == 0)
        per_event = 1;
    if (plan->rule == DLM_RULE_FERMI)
        per_event *= 2;
    if (slots / per_event < (plan->rule == DLM_RULE_MORAN_BD || plan->rule == DLM_RULE_MORAN_DB ||
                                     plan->rule == DLM_RULE_GROUP_SELECTION
                                 ? 64u
                                 : 1u))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution: an event's matches (%llu partners x %u rounds) do not "
                             "fit one random-number window (2^30 blocks); use fewer rounds or "
                             "sampled partners (evolution.structure.partners)",
                             (unsigned long long)per_event, ep->rules.rounds);
    ep->max_trials = (uint32_t)(slots / per_event > 1000000u ? 1000000u : slots / per_event);
    return DLM_OK;
}

/* Step 5: the agent classes (none: one class, "all", from match.*). */
static dlm_status plan_classes(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    size_t k;
    if (ev->n_classes == 0) {
        plan->n_classes = 1;
        plan->classes[0] = dlm_player_params_from_spec(&sc->match_defaults);
        snprintf(plan->class_names[0], sizeof plan->class_names[0], "all");
        return DLM_OK;
    }
    if (ev->n_classes > DLM_CENSUS_MAX_CLASSES)
        return dlm_error_set(err, DLM_ERR_USAGE, "evolution.classes: at most %u classes",
                             DLM_CENSUS_MAX_CLASSES);
    plan->n_classes = (uint32_t)ev->n_classes;
    for (k = 0; k < ev->n_classes; ++k) {
        plan->classes[k] = dlm_player_params_from_spec(&ev->classes[k].player);
        snprintf(plan->class_names[k], sizeof plan->class_names[0], "%s", ev->classes[k].name);
    }
    return DLM_OK;
}

/* Step 6: mutation (its kind, and the set it draws from) and the strategies the census
 * counts by name: tracked ones first, so their names label the columns. */
static dlm_status plan_mutation(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    static const char *const kinds[] = {"none", "set", "random-memory-one", "gaussian",
                                        "lookup-flip", "fsm-edit"};
    const dlm_evolution_spec *ev = &sc->evolution;
    dlm_evo_params *ep = &plan->params;
    dlm_status st;
    uint32_t kind;
    size_t k;
    for (kind = 0; kind < 6 && strcmp(ev->mutation_kind, kinds[kind]) != 0; ++kind)
        ; /* index = DLM_MUTATION_* (0: none) */
    if (kind == 6)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.mutation.kind: unknown '%s' (allowed: none, set, "
                             "random-memory-one, gaussian, lookup-flip, fsm-edit)",
                             ev->mutation_kind);
    ep->mutation_kind = ev->mutation_rate == 0.0 ? 0u : kind;
    /* Without mutation a monomorphic population stays so: with stop.fixation it stops at
       the generation it fixes, checked where it lives (dlm_evo_check_fixation). */
    ep->stop_at_fixation = ev->stop_at_fixation && ep->mutation_kind == 0 ? 1u : 0u;
    if (ep->mutation_kind == DLM_MUTATION_SET && ev->n_mutation_set == 0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.mutation.set: kind 'set' needs at least one strategy");
    if (ep->mutation_kind == DLM_MUTATION_GAUSSIAN_M1 && ev->sigma <= 0.0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.mutation.sigma: gaussian mutation needs sigma > 0");
    for (k = 0; k < ev->n_track; ++k) {
        char where[64];
        dlm_strategy ignored;
        snprintf(where, sizeof where, "evolution.track[%zu]", k);
        if ((st = compile(plan, sc, ev->track[k].strategy, where, &ignored, err)) != DLM_OK)
            return st;
    }
    plan->table = calloc(ev->n_mutation_set ? ev->n_mutation_set : 1, sizeof *plan->table);
    if (!plan->table)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory");
    for (k = 0; k < ev->n_mutation_set; ++k) {
        char where[64];
        snprintf(where, sizeof where, "evolution.mutation.set[%zu]", k);
        st = compile(plan, sc, ev->mutation_set[k].strategy, where, &plan->table[k], err);
        if (st != DLM_OK)
            return st;
    }
    plan->n_table = ev->n_mutation_set;
    ep->set_offset = 0;
    ep->set_size = (uint32_t)ev->n_mutation_set;
    return DLM_OK;
}

/* How the initial populations are drawn (evolution.initial), compiled once. */
typedef struct initial_form {
    int shares_form, random, mutant, file;
    dlm_strategy *share_strat; /* shares: one per share */
    dlm_strategy resident, mutant_strategy;
    char **file_lines;         /* file: one strategy text per agent */
    uint32_t *perm, *counts;   /* scratch: a permutation of n, counts per share or class */
    double *shares;            /* scratch */
} initial_form;

static void initial_free(initial_form *f, uint32_t n)
{
    uint32_t i;
    if (f->file_lines) {
        for (i = 0; i < n; ++i)
            free(f->file_lines[i]);
        free(f->file_lines);
    }
    free(f->share_strat);
    free(f->perm);
    free(f->counts);
    free(f->shares);
}

/* Compiles evolution.initial into f. */
static dlm_status initial_read(const dlm_scenario *sc, dlm_evo_plan *plan, initial_form *f,
                               dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    uint32_t n = ev->population;
    dlm_status st = DLM_OK;
    size_t k;
    memset(f, 0, sizeof *f);
    f->shares = calloc(ev->n_shares + ev->n_classes + 2, sizeof *f->shares);
    f->counts = calloc(ev->n_shares + ev->n_classes + 2, sizeof *f->counts);
    f->share_strat = calloc(ev->n_shares + 2, sizeof *f->share_strat);
    f->perm = malloc((size_t)n * sizeof *f->perm);
    if (!f->shares || !f->counts || !f->share_strat || !f->perm)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory");
    f->shares_form = strcmp(ev->initial, "shares") == 0;
    f->random = strcmp(ev->initial, "random") == 0;
    f->mutant = strcmp(ev->initial, "mutant") == 0;
    f->file = strcmp(ev->initial, "file") == 0;
    if (!f->shares_form && !f->random && !f->mutant && !f->file)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.initial: unknown '%s' (allowed: shares, random, "
                             "mutant, file)", ev->initial);
    for (k = 0; st == DLM_OK && f->shares_form && k < ev->n_shares; ++k) {
        char where[64];
        snprintf(where, sizeof where, "evolution.shares[%zu]", k);
        st = compile(plan, sc, ev->shares[k].strategy, where, &f->share_strat[k], err);
    }
    if (st == DLM_OK && f->shares_form && ev->n_shares == 0)
        st = dlm_error_set(err, DLM_ERR_USAGE,
                           "evolution.shares: initial 'shares' needs at least one strategy");
    if (st == DLM_OK && f->mutant) {
        st = compile(plan, sc, ev->resident, "evolution.resident", &f->resident, err);
        if (st == DLM_OK)
            st = compile(plan, sc, ev->mutant, "evolution.mutant", &f->mutant_strategy, err);
        if (st == DLM_OK && (ev->mutants < 1 || ev->mutants >= n))
            st = dlm_error_set(err, DLM_ERR_USAGE,
                               "evolution.mutants: between 1 and population - 1 (got %u)",
                               ev->mutants);
    }
    if (st == DLM_OK && f->file)
        st = dlm_evo_read_initial_file(ev->initial_file, n, &f->file_lines, err);
    return st;
}

/* Places population p's agent classes: blocks by share, placed by a shuffle. */
static void place_classes(const dlm_scenario *sc, dlm_evo_plan *plan, initial_form *f,
                          uint32_t p)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    uint32_t n = ev->population, at = 0, i;
    uint64_t base = (uint64_t)p * n;
    size_t k;
    if (!ev->n_classes) {
        for (i = 0; i < n; ++i)
            plan->agent_class[base + i] = 0;
        return;
    }
    if (plan->params.side_b) { /* sides: A's class first, then B's, in blocks */
        for (i = 0; i < n; ++i)
            plan->agent_class[base + i] = (uint32_t)side_class(ev, i < plan->params.side_b ? 1 : 2);
        return;
    }
    for (k = 0; k < ev->n_classes; ++k)
        f->shares[k] = ev->classes[k].share;
    split_counts(f->shares, ev->n_classes, n, f->counts);
    shuffle(f->perm, n, sc->seed, p, INIT_CLASS_PLACEMENT);
    for (k = 0; k < ev->n_classes; ++k)
        for (i = 0; i < f->counts[k]; ++i)
            plan->agent_class[base + f->perm[at++]] = (uint32_t)k;
}

/* Draws population p's initial strategies by the initial form. */
static dlm_status place_strategies(const dlm_scenario *sc, dlm_evo_plan *plan,
                                   initial_form *f, uint32_t p, dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    const dlm_evo_params *ep = &plan->params;
    uint32_t n = ev->population, at = 0, i;
    uint64_t base = (uint64_t)p * n;
    dlm_status st = DLM_OK;
    size_t k;
    if (f->shares_form && ep->side_b) { /* sides: the shares within each side */
        uint32_t side, first, size;
        for (side = 0; side < 2; ++side) {
            first = side ? ep->side_b : 0;
            size = side ? n - ep->side_b : ep->side_b;
            for (k = 0; k < ev->n_shares; ++k)
                f->shares[k] = ev->shares[k].share;
            split_counts(f->shares, ev->n_shares, size, f->counts);
            shuffle(f->perm, size, sc->seed, p, side ? INIT_SIDE_B_PLACEMENT : INIT_STRATEGY_PLACEMENT);
            for (at = 0, k = 0; k < ev->n_shares; ++k)
                for (i = 0; i < f->counts[k]; ++i)
                    plan->strategies[base + first + f->perm[at++]] = f->share_strat[k];
        }
    } else if (f->shares_form) {
        for (k = 0; k < ev->n_shares; ++k)
            f->shares[k] = ev->shares[k].share;
        split_counts(f->shares, ev->n_shares, n, f->counts);
        shuffle(f->perm, n, sc->seed, p, INIT_STRATEGY_PLACEMENT);
        for (k = 0; k < ev->n_shares; ++k)
            for (i = 0; i < f->counts[k]; ++i)
                plan->strategies[base + f->perm[at++]] = f->share_strat[k];
    } else if (f->mutant) {
        shuffle(f->perm, n, sc->seed, p, INIT_STRATEGY_PLACEMENT);
        for (i = 0; i < n; ++i)
            plan->strategies[base + f->perm[i]] = i < ev->mutants ? f->mutant_strategy
                                                                  : f->resident;
    } else if (f->random) {
        for (i = 0; i < n; ++i) {
            dlm_cursor c = dlm_cursor_at(
                sc->seed, dlm_stream_id(DLM_PURPOSE_INIT, p, INIT_RANDOM_STRATEGY), i);
            if (ep->mutation_kind == DLM_MUTATION_SET) {
                plan->strategies[base + i] = plan->table[dlm_cursor_below(&c, ep->set_size)];
            } else {
                dlm_strategy *s = &plan->strategies[base + i];
                memset(s, 0, sizeof *s);
                s->kind = DLM_STRAT_MEMORY_ONE;
                for (k = 0; k < 5; ++k)
                    s->threshold[k] = dlm_cursor_word(&c);
            }
        }
    } else {
        for (i = 0; st == DLM_OK && i < n; ++i) {
            char where[DLM_PATH_MAX + 32];
            snprintf(where, sizeof where, "%s:%u", ev->initial_file, i + 1);
            st = compile(plan, sc, f->file_lines[i], where, &plan->strategies[base + i], err);
        }
    }
    return st;
}

/* Step 7: the populations and their agents: classes and initial strategies. */
static dlm_status plan_populations(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    const dlm_evolution_spec *ev = &sc->evolution;
    initial_form f;
    dlm_status st;
    uint32_t p;
    plan->n_populations = ev->populations;
    plan->populations = calloc(ev->populations, sizeof *plan->populations);
    plan->strategies = malloc(plan->n_agents * sizeof *plan->strategies);
    plan->agent_class = malloc(plan->n_agents * sizeof *plan->agent_class);
    if (!plan->populations || !plan->strategies || !plan->agent_class)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for %llu agents (%.1f MiB)",
                             (unsigned long long)plan->n_agents, plan->bytes / 1048576.0);
    st = initial_read(sc, plan, &f, err);
    for (p = 0; st == DLM_OK && p < ev->populations; ++p) {
        dlm_evo_population *pop = &plan->populations[p];
        pop->agent0 = (uint64_t)p * ev->population;
        pop->view0 = plan->n_views / ev->populations * p;
        pop->n = ev->population;
        pop->params = 0;
        pop->id = p;
        pop->seed = sc->seed;
        pop->graph = plan->params.structure == DLM_STRUCTURE_GRAPH;
        place_classes(sc, plan, &f, p);
        st = place_strategies(sc, plan, &f, p, err);
    }
    initial_free(&f, ev->population);
    return st;
}

/* Step 8: exact payoffs exist for memory-one pairs in the ordinary game only. */
static dlm_status plan_exact(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    dlm_evo_params *ep = &plan->params;
    uint64_t a;
    size_t k;
    if (sc->evolution.payoff_estimated) { /* evolve_types.c estimates the pairs */
        ep->payoff_mode = 3u;
        plan->estimate_matches = sc->evolution.estimate_matches;
        return DLM_OK;
    }
    if (!sc->evolution.payoff_exact)
        return DLM_OK;
    ep->payoff_mode = sc->evolution.exact_long_run ? 2u : 1u;
    for (k = 0; k < plan->n_classes; ++k)
        if (plan->classes[k].reaction_period != 1 || plan->classes[k].observation_delay != 0)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "evolution.payoff: exact payoffs need reaction period 1 and "
                                 "observation delay 0 (class %s has k=%u, d=%u)",
                                 plan->class_names[k], plan->classes[k].reaction_period,
                                 plan->classes[k].observation_delay);
    for (a = 0; a < plan->n_agents; ++a)
        if (plan->strategies[a].kind != DLM_STRAT_MEMORY_ONE)
            break;
    for (k = 0; a == plan->n_agents && k < plan->n_table; ++k)
        if (plan->table[k].kind != DLM_STRAT_MEMORY_ONE)
            a = 0;
    if (a != plan->n_agents || ep->mutation_kind == DLM_MUTATION_LOOKUP_FLIP ||
        ep->mutation_kind == DLM_MUTATION_FSM_EDIT)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "evolution.payoff: exact payoffs need memory-one strategies "
                             "only (initial population and mutants)");
    return DLM_OK;
}
dlm_status dlm_evo_plan_build(const dlm_scenario *sc, dlm_evo_plan *plan, dlm_error *err)
{
    dlm_status st;
    memset(plan, 0, sizeof *plan);
    if ((st = check_outputs(sc, err)) != DLM_OK || (st = plan_sizes(sc, plan, err)) != DLM_OK ||
        (st = plan_params(sc, plan, err)) != DLM_OK)
        return st;
    if ((st = plan_graphs(sc, plan, err)) != DLM_OK ||
        (st = sc->evolution.group ? dlm_group_bounds(sc, plan, err) : plan_bounds(sc, plan, err)) !=
            DLM_OK ||
        (st = plan_classes(sc, plan, err)) != DLM_OK ||
        (st = plan_mutation(sc, plan, err)) != DLM_OK ||
        (st = plan_populations(sc, plan, err)) != DLM_OK ||
        (st = dlm_group_plan(sc, plan, err)) != DLM_OK ||
        (st = plan_exact(sc, plan, err)) != DLM_OK ||
        (st = dlm_reputation_plan(sc, plan, err)) != DLM_OK ||
        (st = dlm_evo_plan_types(sc, plan, err)) != DLM_OK ||
        (st = dlm_punish_plan(sc, plan, err)) != DLM_OK ||
        (st = dlm_referee_plan(sc, plan, err)) != DLM_OK ||
        (st = dlm_evo_plan_representation(sc, plan, err)) != DLM_OK) {
        dlm_evo_plan_free(plan);
        return st;
    }
    plan->tolerance = dlm_probability_threshold(sc->evolution.tolerance);
    return DLM_OK;
}

dlm_status dlm_evo_plan_check(const dlm_scenario *sc, dlm_error *err)
{
    dlm_evo_plan plan;
    dlm_status st;
    memset(&plan, 0, sizeof plan);
    if ((st = check_outputs(sc, err)) == DLM_OK && (st = plan_sizes(sc, &plan, err)) == DLM_OK)
        st = plan_params(sc, &plan, err);
    /* the fitness bounds: on a graph only when they do not depend on its degrees */
    if (st == DLM_OK && sc->evolution.group)
        st = plan.params.structure != DLM_STRUCTURE_GRAPH ? dlm_group_bounds(sc, &plan, err)
                                                          : dlm_group_check(sc, &plan, err);
    else if (st == DLM_OK &&
             (plan.params.structure != DLM_STRUCTURE_GRAPH || !plan.params.accumulate))
        st = plan_bounds(sc, &plan, err);
    if (st == DLM_OK && sc->evolution.donation)
        st = dlm_reputation_check(sc, &plan, err);
    if (st == DLM_OK)
        st = dlm_referee_check(sc, &plan, err);
    dlm_evo_plan_free(&plan);
    return st;
}

void dlm_evo_plan_setup(const dlm_evo_plan *plan, uint64_t seed, dlm_evo_setup *s)
{
    memset(s, 0, sizeof *s);
    s->seed = seed;
    s->params = plan->batch_params ? plan->batch_params : &plan->params;
    s->n_params = plan->batch_params ? plan->n_batch_params : 1;
    s->classes = plan->batch_params ? plan->batch_classes : plan->classes;
    s->n_classes = plan->batch_params ? plan->n_batch_classes : plan->n_classes;
    s->table = plan->table;
    s->n_table = plan->n_table;
    s->exact = plan->exact;
    s->n_exact = plan->n_exact;
    s->n_views = plan->n_views;
    if (plan->params.structure == DLM_STRUCTURE_GRAPH) {
        s->inter_offsets = plan->interaction.offsets;
        s->inter_neighbors = plan->interaction.neighbors;
        s->inter_arcs = plan->interaction.n_arcs;
        s->repl_offsets = plan->replacement.offsets;
        s->repl_neighbors = plan->replacement.neighbors;
        s->repl_arcs = plan->replacement.n_arcs;
        s->graph_n = plan->interaction.n;
    }
    s->populations = plan->populations;
    s->n_populations = plan->n_populations;
    s->strategies = plan->strategies;
    s->agent_class = plan->agent_class;
    s->n_agents = plan->n_agents;
    s->named = plan->named;
    s->n_named = plan->n_named;
    s->tolerance = plan->tolerance;
    s->synchronous = plan->synchronous;
}

void dlm_evo_plan_free(dlm_evo_plan *plan)
{
    dlm_graph_free(&plan->interaction);
    dlm_graph_free(&plan->replacement);
    free(plan->table);
    free(plan->exact);
    free(plan->estimate_se);
    free(plan->populations);
    free(plan->strategies);
    free(plan->agent_class);
    free(plan->batch_params);
    free(plan->batch_classes);
    memset(plan, 0, sizeof *plan);
}

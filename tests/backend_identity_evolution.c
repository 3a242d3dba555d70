/* backend_identity_evolution.c — evolution on the device under test against the CPU
 * reference (part of the identity body, tests/backend_identity_body.h):
 *   - dlm_evolve, one test per scenario: every rule, well-mixed (complete and sampled) and
 *     graphs (ring, lattices), every mutation kind, agent classes with different
 *     timescales, exact payoffs, three census chunks, a generation of an asynchronous rule
 *     cut over launches, fixation stopping (also inside a 40-generation step, where some
 *     population must fix between two censuses): the jsonl records, final outcomes and
 *     snapshots byte-identical;
 *   - the resident interface directly: inactive populations, counts added, and where the
 *     backend has them, evo_submit / evo_collect and their misuse refused.
 */
#define _POSIX_C_SOURCE 200809L /* mkdir, access */
#include "backend_identity_body.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/evolve_output.h"

/* --- dlm_evolve, one test per scenario -------------------------------------------------- */

/* The whole of a file (malloc'd) and its length. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        fail_msg("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_true(fread(buf, 1, (size_t)n, f) == (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Runs the scenario with dlm_evolve on a backend: records (jsonl) to records_path, the
 * snapshot to snapshot_path. */
static void evolve_on(dlm_scenario *sc, const dlm_evo_plan *plan, const dlm_backend_ops *ops,
                      dlm_backend *be, const char *records_path, const char *snapshot_path,
                      dlm_evo_outcome *out)
{
    FILE *records = fopen(records_path, "w");
    dlm_error err;
    assert_non_null(records);
    SET(sc->evolution.snapshot_file, snapshot_path);
    if (dlm_evolve(sc, plan, ops, be, records, DLM_FMT_JSONL, out, &err) != DLM_OK)
        fail_msg("%s: dlm_evolve: %s", ops->name, err.message);
    fclose(records);
}

static void scenario_base(dlm_scenario *sc, const char *rule, uint32_t n, uint32_t pops)
{
    dlm_evolution_spec *ev = &sc->evolution;
    dlm_error err;
    memset(sc, 0, sizeof *sc);
    assert_int_equal(dlm_game_preset("pd", NAN, NAN, &sc->game, &err), DLM_OK);
    sc->mode = DLM_MODE_EVOLVE;
    sc->seed = 31337;
    sc->rounds = 8;
    sc->match_defaults.reaction_period = 1;
    sc->match_defaults.execution_error = 0.02;
    sc->match_defaults.perception_error = 0.01;
    ev->population = n;
    ev->populations = pops;
    ev->generations = 12;
    ev->record_every = 3;
    ev->snapshot_every = 6;
    SET(ev->rule, rule);
    ev->selection = 0.5;
    SET(ev->fitness, "linear");
    SET(ev->structure.type, "well-mixed");
    ev->replacement = ev->structure;
    SET(ev->mutation_kind, "none");
    SET(ev->initial, "random");
    ev->tolerance = 0.1;
}

/* What the scenarios share: named shares, mutation sets and agent classes. */
static dlm_share m1_set[4], lookup_shares[3], fsm_shares[4], two[2], lookup_set[2], rules3[3];
static dlm_class_spec classes[2], sides[2], exact_classes[2];

static void evolution_fixtures(void)
{
    memset(m1_set, 0, sizeof m1_set);
    SET(m1_set[0].strategy, "tft");
    SET(m1_set[1].strategy, "alld");
    SET(m1_set[2].strategy, "wsls");
    SET(m1_set[3].strategy, "gtft");
    m1_set[0].share = m1_set[1].share = m1_set[2].share = m1_set[3].share = 0.25;
    SET(lookup_shares[0].strategy, "tf2t");
    SET(lookup_shares[1].strategy, "lookup(1,C,CDCD)");
    SET(lookup_shares[2].strategy,
        "lookup(3,CDC,CDCDCDCDDDCDCDCCCDCDCCCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCD)");
    lookup_shares[0].share = lookup_shares[1].share = 0.4;
    lookup_shares[2].share = 0.2;
    SET(lookup_set[0].strategy, "tf2t");
    SET(lookup_set[1].strategy, "lookup(2,DD,CCCCDDDDCDCDDCDC)");
    lookup_set[0].share = lookup_set[1].share = 0.5;
    SET(fsm_shares[0].strategy, "grim");
    SET(fsm_shares[1].strategy, "2tft");
    SET(fsm_shares[2].strategy, "prober");
    SET(fsm_shares[3].strategy, "cycler");
    fsm_shares[0].share = fsm_shares[1].share = fsm_shares[2].share = fsm_shares[3].share = 0.25;
    SET(two[0].strategy, "allc");
    SET(two[1].strategy, "alld");
    two[0].share = 0.7;
    two[1].share = 0.3;
    SET(rules3[0].strategy, "allc"); /* the donation game's action rules */
    SET(rules3[1].strategy, "alld");
    SET(rules3[2].strategy, "disc");
    rules3[0].share = rules3[1].share = 0.25;
    rules3[2].share = 0.5;
    memset(classes, 0, sizeof classes);
    SET(classes[0].name, "fast");
    classes[0].share = 0.5;
    classes[0].player.execution_error = 0.01;
    classes[0].player.reaction_period = 1;
    SET(classes[1].name, "slow");
    classes[1].share = 0.5;
    classes[1].player.execution_error = 0.05;
    classes[1].player.perception_error = 0.05;
    classes[1].player.reaction_period = 4;
    classes[1].player.observation_delay = 2;
    memset(exact_classes, 0, sizeof exact_classes); /* classes exact payoffs allow */
    SET(exact_classes[0].name, "steady");
    exact_classes[0].share = 0.5;
    exact_classes[0].player.execution_error = 0.01;
    exact_classes[0].player.reaction_period = 1;
    SET(exact_classes[1].name, "shaky");
    exact_classes[1].share = 0.5;
    exact_classes[1].player.execution_error = 0.05;
    exact_classes[1].player.perception_error = 0.05;
    exact_classes[1].player.reaction_period = 1;
    memset(sides, 0, sizeof sides); /* two populations that play each other */
    SET(sides[0].name, "ai");
    sides[0].share = 0.4;
    sides[0].role = 1;
    sides[0].rate = 3.0;
    sides[0].player.execution_error = 0.02;
    sides[0].player.reaction_period = 1;
    SET(sides[1].name, "human");
    sides[1].share = 0.6;
    sides[1].role = 2;
    sides[1].rate = 1.0;
    sides[1].player.execution_error = 0.05;
    sides[1].player.perception_error = 0.02;
    sides[1].player.reaction_period = 1;
}

/* Two sides (ai: role A, rate 3; human: role B, rate 1) in a bimatrix game. */
static void uses_sides(dlm_scenario *sc)
{
    sc->asymmetric = 1;
    sc->game_b = sc->game;
    sc->game_b.R = 2.0;
    sc->game_b.S = 1.0;
    sc->game_b.T = 4.0;
    sc->game_b.P = -0.5;
    sc->evolution.classes = sides;
    sc->evolution.n_classes = 2;
}

static void uses_shares(dlm_evolution_spec *ev, dlm_share *shares, size_t n)
{
    SET(ev->initial, "shares");
    ev->shares = shares;
    ev->n_shares = n;
}

static void uses_classes(dlm_evolution_spec *ev)
{
    ev->classes = classes;
    ev->n_classes = 2;
}

static void uses_lattice(dlm_evolution_spec *ev, uint32_t width, uint32_t height,
                         const char *neighbourhood)
{
    SET(ev->structure.type, "lattice");
    ev->structure.width = width;
    ev->structure.height = height;
    SET(ev->structure.neighbourhood, neighbourhood);
    ev->replacement = ev->structure;
}

static void uses_mutation(dlm_evolution_spec *ev, const char *kind, double rate)
{
    SET(ev->mutation_kind, kind);
    ev->mutation_rate = rate;
}

/* Mutation to a uniform strategy of set (rate 0.1), and the agent classes. */
static void uses_set_mutation_and_classes(dlm_evolution_spec *ev, dlm_share *set, size_t n)
{
    uses_mutation(ev, "set", 0.1);
    ev->mutation_set = set;
    ev->n_mutation_set = n;
    uses_classes(ev);
}

/* The scenarios, each a function that sets it up from scenario_base. */
static void moran_bd_fixation(dlm_scenario *sc)
{
    scenario_base(sc, "moran-bd", 10, 6);
    uses_shares(&sc->evolution, m1_set, 4);
    uses_classes(&sc->evolution);
    sc->evolution.stop_at_fixation = 1;
    sc->evolution.generations = 60;
    sc->evolution.record_every = 2;
}

static void moran_db_sampled(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "moran-db", 16, 4);
    ev->structure.partners = 3;
    ev->replacement = ev->structure;
    SET(ev->fitness, "exponential");
    uses_mutation(ev, "random-memory-one", 0.1);
    uses_classes(ev);
}

static void fermi_ring(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "fermi", 20, 3);
    SET(ev->structure.type, "ring");
    ev->structure.k = 2;
    ev->replacement = ev->structure;
    uses_mutation(ev, "gaussian", 0.2);
    ev->sigma = 0.1;
    ev->selection = 2.0;
    sc->geometric = 1;
    sc->continuation = 0.8;
    sc->rounds = 30;
}

static void fermi_set_mutation(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "fermi", 12, 5);
    uses_set_mutation_and_classes(ev, m1_set, 4);
}

static void fermi_sync_lattice(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "fermi-sync", 25, 2);
    uses_lattice(ev, 5, 5, "von-neumann");
    uses_shares(ev, lookup_shares, 3);
    uses_mutation(ev, "lookup-flip", 0.1);
}

static void wright_fisher_fsm(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "wright-fisher", 24, 3);
    uses_shares(ev, fsm_shares, 4);
    uses_mutation(ev, "fsm-edit", 0.1);
    SET(ev->fitness, "exponential");
}

static void wright_fisher_moore(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "wright-fisher", 24, 1);
    uses_lattice(ev, 4, 6, "moore");
    uses_shares(ev, lookup_set, 2);
    uses_set_mutation_and_classes(ev, lookup_set, 2);
}

static void imitate_best_self(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "imitate-best", 64, 2);
    sc->rounds = 1;
    sc->match_defaults.execution_error = sc->match_defaults.perception_error = 0;
    sc->game.R = 1;
    sc->game.S = 0;
    sc->game.T = 1.85;
    sc->game.P = 0;
    SET(sc->game.name, "custom");
    uses_lattice(ev, 8, 8, "moore");
    ev->structure.self_loops = 1;
    ev->replacement = ev->structure;
    ev->replacement.self_loops = 0;
    ev->accumulate_total = 1;
    uses_shares(ev, two, 2);
}

static void moran_bd_sides(dlm_scenario *sc)
{
    scenario_base(sc, "moran-bd", 20, 4);
    uses_shares(&sc->evolution, two, 2);
    uses_mutation(&sc->evolution, "set", 0.05);
    sc->evolution.mutation_set = m1_set;
    sc->evolution.n_mutation_set = 4;
    uses_sides(sc);
}

static void fermi_sides_exact(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "fermi", 24, 3);
    sc->rounds = 30;
    ev->payoff_exact = 1;
    ev->structure.partners = 3;
    ev->replacement = ev->structure;
    uses_mutation(ev, "random-memory-one", 0.05);
    uses_sides(sc);
}

static void moran_bd_exact(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "moran-bd", 20, 3);
    sc->rounds = 50;
    ev->payoff_exact = 1;
    ev->structure.partners = 4;
    ev->replacement = ev->structure;
    uses_mutation(ev, "random-memory-one", 0.05);
    ev->selection = 1.0;
    SET(ev->fitness, "exponential");
}

static void moran_db_exact_lattice(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "moran-db", 36, 2);
    sc->rounds = 20;
    ev->payoff_exact = 1;
    uses_lattice(ev, 6, 6, "von-neumann");
    uses_mutation(ev, "gaussian", 0.1);
    ev->sigma = 0.05;
}

/* Exact payoffs among a finite set of strategies come from the plan's cache of every
 * (class, class, type, type) pair (host/plan/evolve_types.c); strategy costs. */
static dlm_share costs[2];

static void uses_costs(dlm_evolution_spec *ev)
{
    memset(costs, 0, sizeof costs);
    SET(costs[0].strategy, "tft");
    costs[0].share = 0.1;
    SET(costs[1].strategy, "gtft");
    costs[1].share = 0.35;
    ev->costs = costs;
    ev->n_costs = 2;
}

static void fermi_exact_cached(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "fermi", 16, 3);
    sc->rounds = 30;
    ev->payoff_exact = 1;
    uses_shares(ev, m1_set, 4);
    uses_mutation(ev, "set", 0.05);
    ev->mutation_set = m1_set;
    ev->n_mutation_set = 4;
    memcpy(exact_classes, sides, sizeof exact_classes);
    exact_classes[0].role = exact_classes[1].role = 0;
    ev->classes = exact_classes;
    ev->n_classes = 2;
    uses_costs(ev);
}

static void moran_db_long_run_cached(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "moran-db", 20, 3);
    ev->payoff_exact = 1;
    ev->exact_long_run = 1;
    ev->structure.partners = 3;
    ev->replacement = ev->structure;
    uses_shares(ev, m1_set, 4);
    ev->selection = 1.0;
    SET(ev->fitness, "exponential");
}

static void moran_bd_sides_exact_cached(dlm_scenario *sc)
{
    moran_bd_sides(sc);
    sc->rounds = 25;
    sc->evolution.payoff_exact = 1;
    uses_costs(&sc->evolution);
}

static void wright_fisher_played_costs(dlm_scenario *sc)
{
    scenario_base(sc, "wright-fisher", 18, 3);
    uses_shares(&sc->evolution, m1_set, 4);
    uses_mutation(&sc->evolution, "gaussian", 0.05);
    sc->evolution.sigma = 0.05;
    uses_costs(&sc->evolution);
}

/* One large population of sampled (1) partners, 2 generations, every one recorded. */
static void large_sampled(dlm_scenario *sc, const char *rule, uint32_t n, uint32_t rounds)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, rule, n, 1);
    sc->rounds = rounds;
    ev->structure.partners = 1;
    ev->replacement = ev->structure;
    ev->generations = 2;
    ev->record_every = 1;
    ev->snapshot_every = 2;
    uses_mutation(ev, "random-memory-one", 0.01);
}

/* more events than one launch runs: a generation cut into slices */
static void moran_db_sliced(dlm_scenario *sc)
{
    large_sampled(sc, "moran-db", 20000, 2);
}

/* three chunks: merging two is commutative, three shows the association */
static void fermi_sync_three_chunks(dlm_scenario *sc)
{
    large_sampled(sc, "fermi-sync", 9000, 3);
}

/* stop at fixation inside a step: found where the populations live, each at its own
 * generation, the census of that generation reported */
static void fixation_in_step(dlm_scenario *sc, const char *rule)
{
    scenario_base(sc, rule, 10, 12);
    uses_shares(&sc->evolution, m1_set, 4);
    sc->evolution.selection = 1.0;
    sc->evolution.stop_at_fixation = 1;
    sc->evolution.generations = 400;
    sc->evolution.record_every = 40;
}

static void moran_bd_fixation_in_step(dlm_scenario *sc)
{
    fixation_in_step(sc, "moran-bd");
}

static void wright_fisher_fixation_in_step(dlm_scenario *sc)
{
    fixation_in_step(sc, "wright-fisher");
}

/* The count representation (kernels/dlm_counts.h), forced so that a change to the
 * automatic choice cannot quietly move these cases back to agents. */
static void uses_counts(dlm_evolution_spec *ev, dlm_share *set, size_t n, double rate)
{
    SET(ev->representation, "counts");
    uses_mutation(ev, "set", rate);
    ev->mutation_set = set;
    ev->n_mutation_set = n;
}

static void counts_moran_bd_exact_classes(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "moran-bd", 12, 6);
    sc->rounds = 30;
    ev->payoff_exact = 1;
    ev->selection = 1.0;
    uses_shares(ev, m1_set, 4);
    uses_counts(ev, m1_set, 4, 0.1);
    ev->classes = exact_classes;
    ev->n_classes = 2;
}

static void counts_fermi_exact_fixation(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "fermi", 10, 40);
    sc->rounds = 50;
    ev->payoff_exact = 1;
    ev->selection = 1.0;
    uses_shares(ev, m1_set, 4);
    SET(ev->representation, "counts");
    ev->stop_at_fixation = 1;
    ev->generations = 200;
    ev->record_every = 10;
    ev->snapshot_every = 0;
}

static void counts_moran_db_played_lookup(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "moran-db", 10, 6);
    sc->match_defaults.execution_error = 0.0;
    sc->match_defaults.perception_error = 0.0;
    SET(ev->fitness, "exponential");
    uses_shares(ev, lookup_shares, 3);
    uses_counts(ev, lookup_set, 2, 0.1);
}

static void counts_moran_bd_others_played_fsm(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "moran-bd", 10, 6);
    sc->match_defaults.execution_error = 0.0;
    sc->match_defaults.perception_error = 0.0;
    ev->moran_death_others = 1;
    ev->accumulate_total = 1;
    uses_shares(ev, fsm_shares, 4);
    uses_counts(ev, fsm_shares, 4, 0.1);
}

static void counts_wright_fisher_exact_classes(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "wright-fisher", 12, 6);
    sc->rounds = 30;
    ev->payoff_exact = 1;
    ev->selection = 1.0;
    SET(ev->fitness, "exponential");
    uses_shares(ev, m1_set, 4);
    uses_counts(ev, m1_set, 4, 0.1);
    ev->classes = exact_classes;
    ev->n_classes = 2;
}

static void counts_fermi_sliced(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "fermi", 20000, 1);
    sc->rounds = 20;
    ev->payoff_exact = 1;
    ev->generations = 2;
    ev->record_every = 1;
    ev->snapshot_every = 0;
    uses_shares(ev, m1_set, 4);
    uses_counts(ev, m1_set, 4, 0.01);
}

/* Estimated payoffs (evolution.payoff: estimated): noisy machines in geometric matches,
 * two classes, set mutation — pairs neither memory-one-exact nor deterministic. */
static void counts_fermi_estimated_fsm(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "fermi", 10, 8);
    sc->geometric = 1;
    sc->continuation = 0.9;
    ev->payoff_estimated = 1;
    ev->estimate_matches = 16;
    ev->selection = 1.0;
    uses_shares(ev, fsm_shares, 4);
    uses_counts(ev, fsm_shares, 4, 0.1);
    ev->classes = exact_classes;
    ev->n_classes = 2;
}

static void agents_moran_db_estimated_lookup(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "moran-db", 10, 4);
    ev->payoff_estimated = 1;
    ev->estimate_matches = 8;
    uses_shares(ev, lookup_shares, 3);
    uses_counts(ev, lookup_set, 2, 0.1);
    SET(ev->representation, "agents");
}

/* The donation game with public reputations (kernels/dlm_reputation.h): norm, errors. */
static void uses_donation(dlm_scenario *sc, uint32_t norm)
{
    dlm_error err;
    assert_int_equal(dlm_game_preset("donation", 3.0, 1.0, &sc->game, &err), DLM_OK);
    sc->evolution.donation = 1;
    sc->evolution.norm = norm;
    sc->evolution.execution_error = 0.05;
    sc->evolution.assessment_error = 0.03;
    uses_shares(&sc->evolution, rules3, 3);
    uses_mutation(&sc->evolution, "set", 0.05);
    sc->evolution.mutation_set = rules3;
    sc->evolution.n_mutation_set = 3;
}

static void donation_wright_fisher(dlm_scenario *sc)
{
    scenario_base(sc, "wright-fisher", 40, 3);
    uses_donation(sc, 0x1BAu); /* L1: third order, bad discriminators help the bad */
}

static void donation_fermi_sync_lattice(dlm_scenario *sc)
{
    scenario_base(sc, "fermi-sync", 25, 2);
    uses_lattice(&sc->evolution, 5, 5, "von-neumann");
    uses_donation(sc, 0xAAu); /* image scoring */
    sc->evolution.perception_error = 0.05; /* public: the one observer misreads */
}

static void donation_imitate_best_chunks(dlm_scenario *sc)
{
    scenario_base(sc, "imitate-best", 9000, 1);
    sc->rounds = 3;
    sc->evolution.generations = 2;
    sc->evolution.record_every = 1;
    sc->evolution.snapshot_every = 2;
    uses_lattice(&sc->evolution, 90, 100, "moore");
    uses_donation(sc, 0xBBu); /* simple standing */
}

/* Private assessment (N x N views in world memory), observation probability 0.6. */
static void donation_private_wright_fisher(dlm_scenario *sc)
{
    scenario_base(sc, "wright-fisher", 70, 3); /* 70: the last word of a row is partial */
    uses_donation(sc, 0x1BAu); /* L1: third order, from the observer's view of the donor */
    sc->evolution.private_assessment = 1;
    sc->evolution.observe = 0.6;
    sc->evolution.perception_error = 0.04;
    sc->evolution.empathy = 0.3;
}

static void donation_private_fermi_sync_lattice(dlm_scenario *sc)
{
    scenario_base(sc, "fermi-sync", 36, 2);
    uses_lattice(&sc->evolution, 6, 6, "von-neumann");
    uses_donation(sc, 0x99u); /* stern judging */
    sc->evolution.private_assessment = 1;
    sc->evolution.observe = 1.0;
}

/* Institutional assessment (a panel's views, two words per agent in world memory). */
static void donation_institution_wright_fisher(dlm_scenario *sc)
{
    scenario_base(sc, "wright-fisher", 50, 3);
    uses_donation(sc, 0x1BAu); /* L1: third order, from each member's view of the donor */
    sc->evolution.institutional = 1;
    sc->evolution.panel = 7;
    sc->evolution.quorum = 4;
    sc->evolution.perception_error = 0.04;
}

static void donation_institution_fermi_sync_lattice(dlm_scenario *sc)
{
    scenario_base(sc, "fermi-sync", 36, 2);
    uses_lattice(&sc->evolution, 6, 6, "von-neumann");
    uses_donation(sc, 0x99u); /* stern judging */
    sc->evolution.institutional = 1;
    sc->evolution.panel = 32; /* every bit of the word */
    sc->evolution.quorum = 20;
}

static void donation_institution_broadcast(dlm_scenario *sc)
{
    scenario_base(sc, "fermi-sync", 60, 2);
    uses_donation(sc, 0x19Au); /* L2: third order, members judge by the broadcast */
    sc->evolution.institutional = 1;
    sc->evolution.panel = 9;
    sc->evolution.quorum = 5;
    sc->evolution.panel_broadcast = 1;
    sc->evolution.perception_error = 0.03;
}

/* N-player group games (kernels/dlm_group.h): game, size, errors, contribution rules. */
static dlm_share group3[3];

static void uses_group(dlm_scenario *sc, int game, uint32_t size, uint32_t groups)
{
    dlm_evolution_spec *ev = &sc->evolution;
    memset(group3, 0, sizeof group3);
    SET(group3[0].strategy, "allc");
    SET(group3[1].strategy, "alld");
    SET(group3[2].strategy, "cc(2)");
    group3[0].share = group3[1].share = 0.3;
    group3[2].share = 0.4;
    ev->group = 1;
    ev->group_game = game;
    ev->group_size = size;
    ev->group_count = groups;
    ev->group_r = 3.5;
    ev->group_c = game == 2 ? 0.1 : 1.0;
    ev->group_b = 1.0;
    ev->group_threshold = 3;
    ev->group_risk = 0.7;
    ev->group_execution_error = 0.05;
    sc->rounds = 3;
    uses_shares(ev, group3, 3);
    uses_mutation(ev, "set", 0.05);
    ev->mutation_set = group3;
    ev->n_mutation_set = 3;
}

static void group_moran_bd_pgg(dlm_scenario *sc)
{
    scenario_base(sc, "moran-bd", 60, 3);
    uses_group(sc, 1, 5, 2);
}

static void group_fermi_risk(dlm_scenario *sc)
{
    scenario_base(sc, "fermi", 40, 2);
    uses_group(sc, 2, 6, 1);
}

static void group_wright_fisher_total(dlm_scenario *sc)
{
    scenario_base(sc, "wright-fisher", 50, 2);
    uses_group(sc, 1, 4, 3);
    sc->evolution.accumulate_total = 1;
}

static void group_fermi_sync_lattice_risk(dlm_scenario *sc)
{
    scenario_base(sc, "fermi-sync", 36, 2);
    uses_lattice(&sc->evolution, 6, 6, "von-neumann");
    uses_group(sc, 2, 0, 0);
}

static void group_imitate_best_chunks(dlm_scenario *sc)
{
    scenario_base(sc, "imitate-best", 9000, 1);
    sc->evolution.generations = 2;
    sc->evolution.record_every = 1;
    sc->evolution.snapshot_every = 2;
    uses_lattice(&sc->evolution, 90, 100, "moore");
    uses_group(sc, 1, 0, 0);
    sc->rounds = 2;
}

/* The asynchronous rules (a generation's first event runs the assessment step). */
static void donation_moran_bd(dlm_scenario *sc)
{
    scenario_base(sc, "moran-bd", 30, 3);
    uses_donation(sc, 0x99u); /* stern judging */
    sc->evolution.perception_error = 0.05;
}

static void donation_moran_db_sampled_private(dlm_scenario *sc)
{
    scenario_base(sc, "moran-db", 40, 2);
    sc->evolution.structure.partners = 3;
    sc->evolution.replacement = sc->evolution.structure;
    uses_donation(sc, 0x1BAu); /* L1 */
    sc->evolution.private_assessment = 1;
    sc->evolution.observe = 0.6;
    sc->evolution.perception_error = 0.04;
    sc->evolution.empathy = 0.3;
}

static void donation_fermi_lattice(dlm_scenario *sc)
{
    scenario_base(sc, "fermi", 36, 2);
    uses_lattice(&sc->evolution, 6, 6, "von-neumann");
    uses_donation(sc, 0xAAu); /* image scoring */
}

static void donation_fermi_sliced(dlm_scenario *sc)
{
    large_sampled(sc, "fermi", 20000, 2);
    uses_donation(sc, 0xBBu); /* simple standing */
}

/* Direct and indirect reciprocity: encounters (repeat), IPD rules next to action rules. */
static dlm_share direct5[5];

static void uses_direct(dlm_scenario *sc, uint32_t norm, double repeat)
{
    static const char *const names[5] = {"tft", "tft@good", "wsls@shun", "disc", "alld"};
    size_t i;
    memset(direct5, 0, sizeof direct5);
    for (i = 0; i < 5; ++i) {
        SET(direct5[i].strategy, names[i]);
        direct5[i].share = 0.2;
    }
    uses_donation(sc, norm);
    uses_shares(&sc->evolution, direct5, 5);
    sc->evolution.mutation_set = direct5;
    sc->evolution.n_mutation_set = 5;
    sc->evolution.encounters = 1;
    sc->evolution.repeat = repeat;
}

static void donation_direct_fermi_sync(dlm_scenario *sc)
{
    scenario_base(sc, "fermi-sync", 40, 3);
    uses_direct(sc, 0x99u, 0.7); /* stern judging */
    sc->evolution.perception_error = 0.03;
}

static void donation_direct_private_moran_bd(dlm_scenario *sc)
{
    scenario_base(sc, "moran-bd", 36, 2);
    uses_lattice(&sc->evolution, 6, 6, "von-neumann");
    uses_direct(sc, 0x1BAu, 0.5); /* L1 */
    sc->evolution.private_assessment = 1;
    sc->evolution.observe = 0.7;
    sc->evolution.empathy = 0.2;
}

/* Norms as traits (private assessment): rule/norm traits mutate within their set. */
static dlm_share norms4[4];

static void donation_own_norms_wright_fisher(dlm_scenario *sc)
{
    static const char *const names[4] = {"disc/stern-judging", "disc/image-scoring", "disc/L1",
                                         "alld/simple-standing"};
    size_t i;
    memset(norms4, 0, sizeof norms4);
    for (i = 0; i < 4; ++i) {
        SET(norms4[i].strategy, names[i]);
        norms4[i].share = 0.25;
    }
    scenario_base(sc, "wright-fisher", 50, 2);
    uses_donation(sc, 0x99u);
    uses_shares(&sc->evolution, norms4, 4);
    sc->evolution.mutation_set = norms4;
    sc->evolution.n_mutation_set = 4;
    sc->evolution.private_assessment = 1;
    sc->evolution.observe = 0.8;
}

/* Institutional assessment with the asynchronous rules (the assessment step writes the
 * panel's views) and with encounters (IPD rules; the panel judges x's acts). */
static void donation_institution_moran_db(dlm_scenario *sc)
{
    scenario_base(sc, "moran-db", 40, 2);
    uses_donation(sc, 0x1BAu); /* L1 */
    sc->evolution.institutional = 1;
    sc->evolution.panel = 5;
    sc->evolution.quorum = 3;
    sc->evolution.perception_error = 0.04;
}

static void donation_direct_institution_fermi_sync(dlm_scenario *sc)
{
    scenario_base(sc, "fermi-sync", 40, 3);
    uses_direct(sc, 0x99u, 0.6); /* stern judging */
    sc->evolution.institutional = 1;
    sc->evolution.panel = 7;
    sc->evolution.quorum = 4;
    sc->evolution.panel_broadcast = 1;
    sc->evolution.perception_error = 0.03;
}

/* The level games (dlm_group_play_levels): a renewable commons with stock-conditional
 * rules, and escalation. */
static dlm_share levels3[3];

static void uses_levels(dlm_scenario *sc, int game, uint32_t size, uint32_t groups)
{
    dlm_evolution_spec *ev = &sc->evolution;
    uses_group(sc, game, size, groups);
    memset(levels3, 0, sizeof levels3);
    SET(levels3[0].strategy, "level(0)");
    SET(levels3[1].strategy, "level(2)");
    SET(levels3[2].strategy, game == 3 ? "stock(4,1,0.55)" : "level(3)");
    levels3[0].share = levels3[1].share = 0.3;
    levels3[2].share = 0.4;
    ev->group_execution_error = 0.0;
    ev->group_levels = 5;
    ev->group_capacity = 37.5;
    ev->group_growth = 0.35;
    ev->group_harvest = 1.7;
    ev->group_prize = 7.3;
    ev->group_c = 0.9;
    sc->rounds = 7;
    uses_shares(ev, levels3, 3);
    ev->mutation_set = levels3;
}

static void group_moran_bd_commons(dlm_scenario *sc)
{
    scenario_base(sc, "moran-bd", 60, 3);
    uses_levels(sc, 3, 5, 2);
}

static void group_fermi_sync_lattice_commons(dlm_scenario *sc)
{
    scenario_base(sc, "fermi-sync", 36, 2);
    uses_lattice(&sc->evolution, 6, 6, "von-neumann");
    uses_levels(sc, 3, 0, 0);
}

static void group_fermi_escalation(dlm_scenario *sc)
{
    scenario_base(sc, "fermi", 40, 2);
    uses_levels(sc, 4, 4, 2);
}

/* The level games' execution error (a uniform random level, two words when it fires),
 * and the commons' stock statistics under it. */
static void group_wright_fisher_commons_error(dlm_scenario *sc)
{
    scenario_base(sc, "wright-fisher", 50, 3);
    uses_levels(sc, 3, 5, 3);
    sc->evolution.group_execution_error = 0.12;
}

static void group_moran_db_lattice_escalation_error(dlm_scenario *sc)
{
    scenario_base(sc, "moran-db", 36, 2);
    uses_lattice(&sc->evolution, 6, 6, "moore");
    uses_levels(sc, 4, 0, 0);
    sc->evolution.group_execution_error = 0.2;
    sc->evolution.selection = 0.2; /* linear fitness stays positive at -c (L - 1) = -3.6 */
}

/* Group selection (Traulsen & Nowak 2006; kernels/dlm_demes.h): m groups of at most n. */
static void uses_demes(dlm_scenario *sc, uint32_t m, uint32_t n, double q)
{
    dlm_evolution_spec *ev = &sc->evolution;
    ev->demes = 1;
    ev->demes_groups = m;
    ev->demes_size = n;
    ev->demes_split = q;
    ev->population = m * n;
}

static void demes_m1_set_mutation(dlm_scenario *sc)
{
    scenario_base(sc, "moran-bd", 40, 3);
    uses_demes(sc, 8, 5, 0.2);
    uses_shares(&sc->evolution, m1_set, 4);
    uses_set_mutation_and_classes(&sc->evolution, m1_set, 4);
}

static void demes_donation_fixation(dlm_scenario *sc)
{
    dlm_error err;
    scenario_base(sc, "moran-bd", 24, 6);
    assert_int_equal(dlm_game_preset("donation", 3.0, 1.0, &sc->game, &err), DLM_OK);
    uses_demes(sc, 6, 4, 0.3);
    sc->rounds = 1;
    sc->match_defaults.execution_error = 0.0;
    sc->match_defaults.perception_error = 0.0;
    uses_shares(&sc->evolution, two, 2); /* allc 0.7, alld 0.3 */
    sc->evolution.stop_at_fixation = 1;
    sc->evolution.generations = 60;
    sc->evolution.record_every = 2;
}

static void demes_chunks(dlm_scenario *sc)
{
    scenario_base(sc, "moran-bd", 5000, 1);
    uses_demes(sc, 1000, 5, 0.5);
    sc->rounds = 2;
    sc->evolution.generations = 3;
    sc->evolution.record_every = 1;
    sc->evolution.snapshot_every = 2;
    uses_mutation(&sc->evolution, "random-memory-one", 0.05);
}

/* The referee (kernels/dlm_referee.h): audits, errors, fines, subsidies, exclusion, a budget
 * with a tax; its ledger is in the census records (the jsonl columns) and must agree. */
static void uses_referee(dlm_scenario *sc, double q, double fine, double subsidy, double e1,
                         double e2, double cost, double tax, int budget_given, double budget,
                         uint32_t exclusion)
{
    dlm_institution_spec *in = &sc->institution;
    memset(in, 0, sizeof *in);
    in->given = 1;
    in->audit = q;
    in->fine = fine;
    in->subsidy = subsidy;
    in->false_accusation = e1;
    in->missed_detection = e2;
    in->audit_cost = cost;
    in->tax = tax;
    in->budget_given = budget_given;
    in->budget = budget;
    in->exclusion = exclusion;
}

static void referee_fermi_complete(dlm_scenario *sc)
{
    fermi_set_mutation(sc);
    uses_referee(sc, 0.5, 1.5, 0.25, 0.05, 0.1, 0.2, 0, 0, 0, 0);
}

static void referee_moran_bd_budget(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "moran-bd", 16, 4);
    ev->structure.partners = 3;
    ev->replacement = ev->structure;
    uses_shares(ev, m1_set, 4);
    uses_mutation(ev, "set", 0.05);
    ev->mutation_set = m1_set;
    ev->n_mutation_set = 4;
    ev->selection = 0.1;
    ev->generations = 30;
    /* a small budget, a tax that refills it: audits stop and restart */
    uses_referee(sc, 0.7, 2, 0.1, 0.02, 0.05, 0.9, 0.3, 1, 2, 2);
}

static void referee_moran_db_lattice(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "moran-db", 36, 2);
    uses_lattice(ev, 6, 6, "von-neumann");
    uses_shares(ev, two, 2);
    uses_mutation(ev, "set", 0.1);
    ev->mutation_set = two;
    ev->n_mutation_set = 2;
    ev->selection = 0.1;
    uses_referee(sc, 0.4, 1, 0, 0.1, 0, 0.05, 0, 1, 1, 1); /* funded by fines only */
}

static void referee_fermi_costs_classes(dlm_scenario *sc)
{
    dlm_evolution_spec *ev = &sc->evolution;
    scenario_base(sc, "fermi", 14, 3);
    uses_shares(ev, m1_set, 4);
    uses_set_mutation_and_classes(ev, m1_set, 4);
    uses_costs(ev); /* the types' costs next to the referee's block */
    uses_referee(sc, 0.3, 3, 0.5, 0, 0.2, 0.1, 0.05, 1, 0.5, 3);
}

static void referee_fermi_ring_geometric(dlm_scenario *sc)
{
    fermi_ring(sc);
    uses_referee(sc, 0.25, 0.8, 0, 0.15, 0.15, 0, 0, 0, 0, 1);
}

static void referee_moran_bd_sides(dlm_scenario *sc)
{
    moran_bd_sides(sc);
    sc->evolution.selection = 0.1;
    uses_referee(sc, 0.6, 1.2, 0.3, 0.05, 0.05, 0.3, 0.1, 1, 5, 1);
}

static void referee_moran_db_sliced(dlm_scenario *sc)
{
    large_sampled(sc, "moran-db", 20000, 2);
    sc->evolution.selection = 0.1;
    uses_referee(sc, 0.5, 1, 0.5, 0.1, 0.1, 0.01, 0.001, 1, 0, 1);
}

static void referee_moran_bd_fixation(dlm_scenario *sc)
{
    moran_bd_fixation(sc);
    sc->evolution.selection = 0.1;
    uses_referee(sc, 1, 0.5, 0, 0, 0, 0, 0, 0, 0, 0);
}

static void referee_group_pgg(dlm_scenario *sc)
{
    group_moran_bd_pgg(sc);
    sc->evolution.selection = 0.05;
    uses_referee(sc, 0.5, 0.6, 0.1, 0.05, 0.1, 0.2, 0.05, 1, 2, 1);
}

static void referee_group_risk_lattice(dlm_scenario *sc)
{
    scenario_base(sc, "moran-db", 36, 2);
    uses_lattice(&sc->evolution, 6, 6, "von-neumann");
    uses_group(sc, 2, 0, 0);
    sc->evolution.selection = 0.05;
    uses_referee(sc, 0.3, 1, 0, 0.1, 0, 0, 0, 0, 0, 2);
}

static void referee_group_commons(dlm_scenario *sc)
{
    group_moran_bd_commons(sc);
    sc->evolution.selection = 0.02;
    uses_referee(sc, 0.25, 0.5, 0.05, 0.02, 0.05, 1, 0, 1, 50, 0);
}

/* The referee over the donation game: audits per donation (the asynchronous assessment step
 * writes the ledger), public, private and institutional standings, encounters. */
static void referee_donation_moran_bd(dlm_scenario *sc)
{
    donation_moran_bd(sc);
    sc->evolution.selection = 0.05;
    uses_referee(sc, 0.5, 1.5, 0.25, 0.05, 0.1, 0.2, 0.05, 1, 2, 1);
}

static void referee_donation_private_sampled(dlm_scenario *sc)
{
    donation_moran_db_sampled_private(sc);
    sc->evolution.selection = 0.05;
    uses_referee(sc, 0.7, 1, 0, 0.1, 0, 0.05, 0, 1, 1, 2); /* funded by fines only */
}

static void referee_donation_encounters_private(dlm_scenario *sc)
{
    donation_direct_private_moran_bd(sc);
    sc->evolution.selection = 0.05;
    uses_referee(sc, 0.3, 2, 0.5, 0.02, 0.2, 0, 0, 0, 0, 3);
}

static void referee_donation_institution(dlm_scenario *sc)
{
    donation_institution_moran_db(sc);
    sc->evolution.selection = 0.05;
    uses_referee(sc, 1, 0.8, 0.1, 0, 0, 0.1, 0.02, 1, 0, 0);
}

static void referee_donation_sliced(dlm_scenario *sc)
{
    donation_fermi_sliced(sc);
    sc->evolution.selection = 0.05;
    uses_referee(sc, 0.5, 1, 0.5, 0.1, 0.1, 0.01, 0.001, 1, 0, 1);
}

/* The referee under the synchronous rules: each evaluation books into its agent's slot,
 * reduced into the ledger in agent order by step 2 (dlm_referee_sync_close). */
static void referee_wright_fisher_costs(dlm_scenario *sc)
{
    wright_fisher_played_costs(sc);
    sc->evolution.selection = 0.05;
    uses_referee(sc, 0.6, 1.2, 0.3, 0.05, 0.05, 0.3, 0.1, 1, 5, 1);
}

static void referee_fermi_sync_lattice(dlm_scenario *sc)
{
    fermi_sync_lattice(sc);
    uses_referee(sc, 0.5, 1.5, 0.25, 0.05, 0.1, 0.2, 0, 0, 0, 2);
}

static void referee_imitate_best_total(dlm_scenario *sc)
{
    imitate_best_self(sc);
    uses_referee(sc, 0.4, 0.5, 0.1, 0.1, 0, 0.05, 0.01, 1, 1, 1); /* a small budget */
}

static void referee_fermi_sync_three_chunks(dlm_scenario *sc)
{
    fermi_sync_three_chunks(sc);
    sc->evolution.selection = 0.1;
    uses_referee(sc, 0.5, 1, 0.5, 0.1, 0.1, 0.01, 0.001, 1, 0, 1);
}

static void referee_group_wright_fisher(dlm_scenario *sc)
{
    group_wright_fisher_total(sc);
    sc->evolution.selection = 0.01;
    uses_referee(sc, 0.5, 0.6, 0.1, 0.05, 0.1, 0.2, 0.05, 1, 2, 1);
}

static void referee_donation_wright_fisher(dlm_scenario *sc)
{
    donation_wright_fisher(sc);
    sc->evolution.selection = 0.05;
    uses_referee(sc, 0.7, 1, 0.2, 0.05, 0.1, 0.1, 0.05, 1, 1, 2);
}

static void referee_donation_private_fermi_sync(dlm_scenario *sc)
{
    donation_private_fermi_sync_lattice(sc);
    uses_referee(sc, 1, 0.8, 0, 0, 0.2, 0, 0, 0, 0, 1);
}

/* Incentives in the public goods game (kernels/dlm_punish.h): peer and pool punishers,
 * rewarders, loners, a conditional peer punisher, with the execution error. */
static dlm_share punish6[6];

static void uses_punishment(dlm_scenario *sc, uint32_t size, uint32_t groups, int second)
{
    static const char *const names[6] = {"alld", "punish", "pool", "rewarder", "loner",
                                         "cc(2)+peer"};
    dlm_evolution_spec *ev = &sc->evolution;
    uint32_t i;
    uses_group(sc, 1, size, groups);
    memset(punish6, 0, sizeof punish6);
    for (i = 0; i < 6u; ++i) {
        SET(punish6[i].strategy, names[i]);
        punish6[i].share = 1.0 / 6.0;
    }
    ev->punish = 1;
    ev->punish_gamma = 0.3;
    ev->punish_beta = 0.9;
    ev->punish_fee = 0.4;
    ev->punish_fine = 1.1;
    ev->punish_reward = 0.6;
    ev->punish_loner = 0.75;
    ev->punish_second_order = second;
    uses_shares(ev, punish6, 6);
    ev->mutation_set = punish6;
    ev->n_mutation_set = 6;
}

static void group_fermi_punishment_second_order(dlm_scenario *sc)
{
    scenario_base(sc, "fermi", 50, 2);
    uses_punishment(sc, 5, 2, 1);
}

static void group_moran_bd_punishment(dlm_scenario *sc)
{
    scenario_base(sc, "moran-bd", 60, 2);
    uses_punishment(sc, 6, 1, 0);
    sc->evolution.selection = 0.05; /* linear fitness stays positive at the largest fines */
}

/* The referee over a group game with incentives: the incentives first, then the audit. */
static void referee_group_punishment(dlm_scenario *sc)
{
    group_fermi_punishment_second_order(sc);
    uses_referee(sc, 0.4, 0.5, 0.1, 0.05, 0.05, 0.1, 0.05, 1, 5, 1);
}

static void group_fermi_sync_lattice_punishment(dlm_scenario *sc)
{
    scenario_base(sc, "fermi-sync", 36, 2);
    uses_lattice(&sc->evolution, 6, 6, "von-neumann");
    uses_punishment(sc, 0, 0, 1);
}

typedef struct evolution_case {
    const char *what;
    void (*configure)(dlm_scenario *sc);
    int fixes_between_censuses; /* the case must show it: some population fixes off-census */
} evolution_case;

static const evolution_case evolution_cases[] = {
    {"moran-bd, complete, classes (k=1 / k=4,d=2), fixation", moran_bd_fixation, 0},
    {"moran-db, sampled (3), exponential, random-memory-one", moran_db_sampled, 0},
    {"fermi, ring (k=2), gaussian, geometric matches", fermi_ring, 0},
    {"fermi, complete, set mutation, classes", fermi_set_mutation, 0},
    {"fermi-sync, 5x5 von Neumann lattice, lookup-flip", fermi_sync_lattice, 0},
    {"wright-fisher, complete, fsm-edit, exponential", wright_fisher_fsm, 0},
    {"wright-fisher, 4x6 Moore lattice, set mutation, classes", wright_fisher_moore, 0},
    {"imitate-best, 8x8 Moore lattice + self, accumulate total", imitate_best_self, 0},
    {"moran-bd, exact payoffs, sampled (4), random-memory-one", moran_bd_exact, 0},
    {"moran-bd, two sides (bimatrix, rates 3:1), complete, set mutation", moran_bd_sides, 0},
    {"fermi, two sides (bimatrix, rates 3:1), sampled (3), exact payoffs", fermi_sides_exact, 0},
    {"moran-db, 6x6 lattice, exact payoffs, gaussian", moran_db_exact_lattice, 0},
    {"fermi, complete, exact payoffs cached (set mutation, two classes), costs",
     fermi_exact_cached, 0},
    {"moran-db, sampled (3), exact long-run payoffs cached", moran_db_long_run_cached, 0},
    {"moran-bd, two sides, exact payoffs cached (set mutation), costs",
     moran_bd_sides_exact_cached, 0},
    {"wright-fisher, complete, played payoffs, gaussian, costs", wright_fisher_played_costs, 0},
    {"moran-db, 20000 agents (a generation in two launches)", moran_db_sliced, 0},
    {"fermi-sync, 9000 agents (three census chunks), sampled (1)", fermi_sync_three_chunks, 0},
    {"moran-bd, complete, fixation inside a 40-generation step", moran_bd_fixation_in_step, 1},
    {"wright-fisher, complete, fixation inside a 40-generation step",
     wright_fisher_fixation_in_step, 1},
    {"counts: moran-bd, exact payoffs, set mutation, classes", counts_moran_bd_exact_classes, 0},
    {"counts: fermi, exact payoffs, 40 populations to fixation", counts_fermi_exact_fixation, 0},
    {"counts: moran-db, played lookup tables, exponential", counts_moran_db_played_lookup, 0},
    {"counts: moran-bd (others), played machines, total", counts_moran_bd_others_played_fsm, 0},
    {"counts: fermi, 20000 agents (a generation in two launches)", counts_fermi_sliced, 0},
    {"counts: wright-fisher, exact payoffs, set mutation, classes",
     counts_wright_fisher_exact_classes, 0},
    {"counts: fermi, estimated payoffs of noisy machines, geometric, classes",
     counts_fermi_estimated_fsm, 0},
    {"agents: moran-db, estimated payoffs of noisy lookup tables, set mutation",
     agents_moran_db_estimated_lookup, 0},
    {"donation, wright-fisher, complete, leading-eight L1, set mutation", donation_wright_fisher,
     0},
    {"donation, fermi-sync, 5x5 lattice, image scoring, e3", donation_fermi_sync_lattice, 0},
    {"donation, private (q 0.6, e3, E 0.3), wright-fisher, L1", donation_private_wright_fisher,
     0},
    {"donation, private (q 1), fermi-sync, 6x6 lattice, stern judging",
     donation_private_fermi_sync_lattice, 0},
    {"donation, institutional (panel 7, quorum 4, e3), wright-fisher, L1",
     donation_institution_wright_fisher, 0},
    {"donation, institutional (panel 32, quorum 20), fermi-sync, 6x6 lattice, stern judging",
     donation_institution_fermi_sync_lattice, 0},
    {"donation, institutional, members judge by the broadcast (9, 5, e3), fermi-sync, L2",
     donation_institution_broadcast, 0},
    {"donation, imitate-best, 90x100 lattice (three census chunks), simple standing",
     donation_imitate_best_chunks, 0},
    {"group, moran-bd, complete, PGG n=5, 2 groups, cc(2), e 0.05", group_moran_bd_pgg, 0},
    {"group, fermi, collective risk n=6 M=3 p=0.7", group_fermi_risk, 0},
    {"group, wright-fisher, PGG n=4, 3 groups, total", group_wright_fisher_total, 0},
    {"group, fermi-sync, 6x6 lattice (SSP 2008 groups), collective risk",
     group_fermi_sync_lattice_risk, 0},
    {"group, imitate-best, 90x100 Moore lattice (three census chunks), PGG",
     group_imitate_best_chunks, 0},
    {"donation, moran-bd, complete, stern judging, e3", donation_moran_bd, 0},
    {"donation, private (q 0.6, e3, E 0.3), moran-db, sampled (3), L1",
     donation_moran_db_sampled_private, 0},
    {"donation, fermi, 6x6 lattice, image scoring", donation_fermi_lattice, 0},
    {"donation, fermi, 20000 agents (a generation in two launches), simple standing",
     donation_fermi_sliced, 0},
    {"donation, encounters (repeat 0.7), tft / tft@good / wsls@shun / disc / alld, fermi-sync",
     donation_direct_fermi_sync, 0},
    {"donation, encounters (repeat 0.5), private (q 0.7, E 0.2), moran-bd, 6x6 lattice, L1",
     donation_direct_private_moran_bd, 0},
    {"donation, norms as traits (SJ / IS / L1 / SS), private (q 0.8), wright-fisher",
     donation_own_norms_wright_fisher, 0},
    {"donation, institutional (panel 5, quorum 3, e3), moran-db, L1",
     donation_institution_moran_db, 0},
    {"donation, encounters (repeat 0.6), institutional broadcast (7, 4), fermi-sync, SJ",
     donation_direct_institution_fermi_sync, 0},
    {"group, moran-bd, commons n=5, 2 groups, stock-conditional rule", group_moran_bd_commons,
     0},
    {"group, fermi-sync, 6x6 lattice, commons", group_fermi_sync_lattice_commons, 0},
    {"group, fermi, escalation (Tullock contest) n=4, 2 groups", group_fermi_escalation, 0},
    {"group, wright-fisher, commons n=5, 3 groups, execution error 0.12",
     group_wright_fisher_commons_error, 0},
    {"group, moran-db, 6x6 Moore lattice, escalation, execution error 0.2",
     group_moran_db_lattice_escalation_error, 0},
    {"group selection m=8 n=5 q=0.2, memory-one set, set mutation, classes",
     demes_m1_set_mutation, 0},
    {"group selection m=6 n=4 q=0.3, donation game, allc / alld to fixation",
     demes_donation_fixation, 0},
    {"group selection m=1000 n=5 q=0.5 (two census chunks), random-memory-one",
     demes_chunks, 0},
    {"referee: fermi, complete, errors, fines, subsidies, unlimited", referee_fermi_complete, 0},
    {"referee: moran-bd, sampled (3), budget run dry and taxed, exclusion 2",
     referee_moran_bd_budget, 0},
    {"referee: moran-db, 6x6 lattice, funded by fines, exclusion 1", referee_moran_db_lattice,
     0},
    {"referee: fermi, classes, strategy costs, exclusion 3", referee_fermi_costs_classes, 0},
    {"referee: fermi, ring, geometric matches, e1 = e2 = 0.15", referee_fermi_ring_geometric,
     0},
    {"referee: moran-bd, two sides, budget and tax", referee_moran_bd_sides, 0},
    {"referee: moran-db, 20000 agents (a generation in two launches)", referee_moran_db_sliced,
     0},
    {"referee: moran-bd, q = 1, stop at fixation", referee_moran_bd_fixation, 0},
    {"referee: group, moran-bd, PGG n=5, budget and tax, exclusion 1", referee_group_pgg, 0},
    {"referee: group, moran-db, 6x6 lattice, collective risk, exclusion 2",
     referee_group_risk_lattice, 0},
    {"referee: group, moran-bd, commons (fines per unit of level), budget 50",
     referee_group_commons, 0},
    {"referee: donation, moran-bd, stern judging, budget and tax, exclusion 1",
     referee_donation_moran_bd, 0},
    {"referee: donation, private, moran-db, sampled (3), funded by fines, exclusion 2",
     referee_donation_private_sampled, 0},
    {"referee: donation, encounters, private, moran-bd, 6x6 lattice, exclusion 3",
     referee_donation_encounters_private, 0},
    {"referee: donation, institutional (5, 3), moran-db, q = 1, budget 0 and tax",
     referee_donation_institution, 0},
    {"referee: donation, fermi, 20000 agents (a generation in two launches)",
     referee_donation_sliced, 0},
    {"referee: wright-fisher, played, gaussian, costs, budget and tax, exclusion 1",
     referee_wright_fisher_costs, 0},
    {"referee: fermi-sync, 5x5 lattice, lookup-flip, exclusion 2", referee_fermi_sync_lattice,
     0},
    {"referee: imitate-best, 8x8 Moore lattice + self, total, budget 1 and tax",
     referee_imitate_best_total, 0},
    {"referee: fermi-sync, 9000 agents (three census chunks)", referee_fermi_sync_three_chunks,
     0},
    {"referee: group, wright-fisher, PGG n=4, 3 groups, total", referee_group_wright_fisher, 0},
    {"referee: donation, wright-fisher, L1, budget and tax, exclusion 2",
     referee_donation_wright_fisher, 0},
    {"referee: donation, private, fermi-sync, 6x6 lattice, q = 1, exclusion 1",
     referee_donation_private_fermi_sync, 0},
    {"group, fermi, PGG incentives (peer, pool, reward, loner, cc(2)+peer), second order",
     group_fermi_punishment_second_order, 0},
    {"group, moran-bd, PGG incentives n=6, first order", group_moran_bd_punishment, 0},
    {"referee over PGG incentives (second order), budget and tax, exclusion 1",
     referee_group_punishment, 0},
    {"group, fermi-sync, 6x6 lattice, PGG incentives, second order",
     group_fermi_sync_lattice_punishment, 0},
};
#define N_EVOLUTION_CASES N_OF(evolution_cases)

/* Fails unless files a and b hold the same bytes; returns the length. */
static size_t same_records(const char *what, const char *path_a, const char *path_b)
{
    size_t la, lb;
    char *a = slurp(path_a, &la), *b = slurp(path_b, &lb);
    if (la != lb || memcmp(a, b, la) != 0) {
        size_t i;
        char label[16];
        for (i = 0; i < la && i < lb && a[i] == b[i]; ++i)
            ;
        snprintf(label, sizeof label, "%s:", identity.dev_ops->name);
        fail_msg("%s: records differ at byte %zu of %zu/%zu:\ncpu:    %.200s\n%-8s%.200s", what, i,
                 la, lb, a + (i > 80 ? i - 80 : 0), label, b + (i > 80 ? i - 80 : 0));
    }
    free(a);
    free(b);
    return la;
}

/* One scenario on the CPU and on the device: records, outcomes and snapshots the same. */
static void test_evolution_identical_to_cpu(void **state)
{
    const evolution_case *ec = (const evolution_case *)*state;
    char dir[600], rec_cpu[700], rec_dev[700], snap_cpu[700], snap_dev[700];
    dlm_scenario sc;
    dlm_evo_plan plan;
    dlm_evo_outcome *oa, *ob;
    dlm_error err;
    size_t records;
    snprintf(dir, sizeof dir, "%s/evo", identity.scratch);
    mkdir(dir, 0755);
    snprintf(rec_cpu, sizeof rec_cpu, "%s/cpu.jsonl", dir);
    snprintf(rec_dev, sizeof rec_dev, "%s/%s.jsonl", dir, identity.dev_ops->name);
    snprintf(snap_cpu, sizeof snap_cpu, "%s/cpu.snapshot", dir);
    snprintf(snap_dev, sizeof snap_dev, "%s/%s.snapshot", dir, identity.dev_ops->name);
    evolution_fixtures();
    ec->configure(&sc);
    if (dlm_evo_plan_build(&sc, &plan, &err) != DLM_OK)
        fail_msg("%s: plan: %s", ec->what, err.message);
    oa = calloc(plan.n_populations, sizeof *oa);
    ob = calloc(plan.n_populations, sizeof *ob);
    assert_non_null(oa);
    assert_non_null(ob);
    remove(snap_cpu);
    remove(snap_dev);
    evolve_on(&sc, &plan, identity.cpu_ops, identity.cpu_be, rec_cpu, snap_cpu, oa);
    evolve_on(&sc, &plan, identity.dev_ops, identity.dev_be, rec_dev, snap_dev, ob);
    records = same_records(ec->what, rec_cpu, rec_dev);
    if (memcmp(oa, ob, plan.n_populations * sizeof *oa) != 0)
        fail_msg("%s: final outcomes differ", ec->what);
    if (ec->fixes_between_censuses) {
        size_t q, inside = 0;
        for (q = 0; q < plan.n_populations; ++q)
            inside += oa[q].fixed && oa[q].fixation_generation % sc.evolution.record_every != 0;
        if (inside == 0)
            fail_msg("%s: no population fixed between two censuses", ec->what);
    }
    if (access(snap_cpu, F_OK) != 0 || access(snap_dev, F_OK) != 0) {
        /* a run that stopped (fixation) before its first snapshot writes none */
        assert_int_equal(access(snap_cpu, F_OK), access(snap_dev, F_OK));
        printf("    %-58s %6zu bytes of records identical (no snapshot)\n", ec->what, records);
    } else {
        size_t sa, sb;
        char *a = slurp(snap_cpu, &sa), *b = slurp(snap_dev, &sb);
        if (sa != sb || memcmp(a, b, sa) != 0)
            fail_msg("%s: snapshots differ", ec->what);
        printf("    %-58s %6zu bytes of records, snapshot identical\n", ec->what, records);
        free(a);
        free(b);
    }
    free(oa);
    free(ob);
    dlm_evo_plan_free(&plan);
}

/* --- the resident interface ------------------------------------------------------------- */

/* evo_submit / evo_collect (optional, host/backends/backend.h): the same as evo_run(5, 4) then
 * evo_census(9) on the reference; one submission at a time, collected before any other
 * call on the state. ca, ea: the reference's counts and census after those calls. */
static void check_submit_collect(dlm_evo_state *sb, uint8_t *active, const dlm_evo_counts *ca,
                                 dlm_evo_counts *cb, const dlm_evo_census *ea, dlm_evo_census *eb,
                                 size_t n_pops)
{
    dlm_error err;
    assert_int_equal(identity.dev_ops->evo_submit(identity.dev_be, sb, 5, 4, active, &err), DLM_OK);
    active[0] = 0; /* the submission copied the flags: changing them now changes nothing */
    assert_int_equal(identity.dev_ops->evo_run(identity.dev_be, sb, 9, 1, active, cb, &err),
                     DLM_ERR_RUNTIME);
    assert_non_null(strstr(err.message, "not collected"));
    assert_int_equal(identity.dev_ops->evo_submit(identity.dev_be, sb, 9, 1, active, &err),
                     DLM_ERR_RUNTIME);
    assert_int_equal(identity.dev_ops->evo_collect(identity.dev_be, sb, cb, eb, &err), DLM_OK);
    active[0] = 1;
    assert_memory_equal(ca, cb, n_pops * sizeof *ca);
    assert_memory_equal(ea, eb, n_pops * sizeof *ea);
    assert_int_equal(identity.dev_ops->evo_collect(identity.dev_be, sb, cb, eb, &err),
                     DLM_ERR_RUNTIME);
    assert_non_null(strstr(err.message, "without a submission"));
}

/* The resident interface directly: runs with some populations inactive, censuses in
 * between, counts added into what the caller holds. */
static void test_resident_populations_identical(void **state)
{
    dlm_scenario sc;
    dlm_evo_plan plan;
    dlm_evo_setup setup;
    dlm_evo_state *sa = NULL, *sb = NULL;
    dlm_evo_counts ca[4], cb[4];
    dlm_evo_census ea[4], eb[4];
    dlm_strategy *xa, *xb;
    uint8_t active[4] = {1, 0, 1, 1};
    dlm_error err;
    int rule;
    (void)state;
    for (rule = 0; rule < 2; ++rule) {
        scenario_base(&sc, rule ? "wright-fisher" : "moran-db", 30, 4);
        SET(sc.evolution.mutation_kind, "random-memory-one");
        sc.evolution.mutation_rate = 0.05;
        if (dlm_evo_plan_build(&sc, &plan, &err) != DLM_OK)
            fail_msg("plan: %s", err.message);
        dlm_evo_plan_setup(&plan, sc.seed, &setup);
        assert_int_equal(identity.cpu_ops->evo_create(identity.cpu_be, &setup, &sa, &err), DLM_OK);
        if (identity.dev_ops->evo_create(identity.dev_be, &setup, &sb, &err) != DLM_OK)
            fail_msg("%s evo_create: %s", identity.dev_ops->name, err.message);
        memset(ca, 0, sizeof ca);
        memset(cb, 0, sizeof cb);
        ca[2].moves = cb[2].moves = 1000; /* counts are added, not overwritten */
        assert_int_equal(identity.cpu_ops->evo_run(identity.cpu_be, sa, 0, 3, active, ca, &err),
                         DLM_OK);
        assert_int_equal(identity.dev_ops->evo_run(identity.dev_be, sb, 0, 3, active, cb, &err),
                         DLM_OK);
        assert_memory_equal(ca, cb, sizeof ca);
        assert_true(ca[1].matches == 0 && ca[0].matches > 0);
        assert_int_equal(identity.cpu_ops->evo_census(identity.cpu_be, sa, 3, ea, &err), DLM_OK);
        assert_int_equal(identity.dev_ops->evo_census(identity.dev_be, sb, 3, eb, &err), DLM_OK);
        assert_memory_equal(ea, eb, sizeof ea);
        active[1] = 1;
        active[3] = 0;
        assert_int_equal(identity.cpu_ops->evo_run(identity.cpu_be, sa, 3, 2, active, ca, &err),
                         DLM_OK);
        assert_int_equal(identity.dev_ops->evo_run(identity.dev_be, sb, 3, 2, active, cb, &err),
                         DLM_OK);
        assert_memory_equal(ca, cb, sizeof ca);
        if (identity.dev_ops->evo_submit) {
            assert_int_equal(identity.cpu_ops->evo_run(identity.cpu_be, sa, 5, 4, active, ca, &err),
                             DLM_OK);
            assert_int_equal(identity.cpu_ops->evo_census(identity.cpu_be, sa, 9, ea, &err),
                             DLM_OK);
            check_submit_collect(sb, active, ca, cb, ea, eb, 4);
        }
        xa = malloc(plan.n_agents * sizeof *xa);
        xb = malloc(plan.n_agents * sizeof *xb);
        assert_int_equal(identity.cpu_ops->evo_snapshot(identity.cpu_be, sa, xa, &err), DLM_OK);
        assert_int_equal(identity.dev_ops->evo_snapshot(identity.dev_be, sb, xb, &err), DLM_OK);
        assert_memory_equal(xa, xb, plan.n_agents * sizeof *xa);
        free(xa);
        free(xb);
        identity.cpu_ops->evo_destroy(identity.cpu_be, sa);
        identity.dev_ops->evo_destroy(identity.dev_be, sb);
        dlm_evo_plan_free(&plan);
        active[1] = 0;
        active[3] = 1;
    }
}

#define TEST_NAME_MAX 160

size_t dlm_identity_evolution_tests(struct CMUnitTest *all, size_t n, size_t max)
{
    static char names[N_EVOLUTION_CASES][TEST_NAME_MAX];
    static const struct CMUnitTest resident = cmocka_unit_test(test_resident_populations_identical);
    size_t i;
    if (n + N_EVOLUTION_CASES + 1 > max)
        return max + 1;
    for (i = 0; i < N_EVOLUTION_CASES; ++i) {
        snprintf(names[i], sizeof names[i], "test_evolution_identical_to_cpu: %s",
                 evolution_cases[i].what);
        all[n].name = names[i];
        all[n].test_func = test_evolution_identical_to_cpu;
        all[n].setup_func = NULL;
        all[n].teardown_func = NULL;
        all[n].initial_state = (void *)&evolution_cases[i];
        ++n;
    }
    all[n++] = resident;
    return n;
}

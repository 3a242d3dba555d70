/* test_group_graph.c — group games on graphs (kernels/dlm_group.h): every agent takes
 * part in the groups centred on itself and on each of its neighbours, a group being a
 * centre and its neighbours (Santos, Santos & Pacheco 2008, Nature 454:213, "Social
 * diversity promotes the emergence of cooperation in public goods games").
 *
 * Known answer: in the linear public goods game (one round, no error) an agent x of
 * degree k_x earns, per group g it belongs to (the k_x + 1 groups centred on x and its
 * neighbours, of sizes k_centre + 1), r c n_C(g)/|g| minus c when it contributes; the
 * engine reports the mean over those groups (accumulate = total: their sum). The test
 * computes this from the graph written here (a ring, a 4 x 4 von Neumann torus and an
 * irregular graph: a star with a tail, whose groups have different sizes) and a fixed
 * pattern of contributors, and compares every agent's payoff with the engine's exactly
 * (to rounding), and the counts: one contribution act per group per round.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dlm_evolve.h"

#define MAX_N 32u
#define MAX_ARCS 128u

typedef struct fixture {
    dlm_evo_params ep;
    dlm_player_params cls;
    dlm_strategy agents[MAX_N];
    uint32_t agent_class[MAX_N];
    uint64_t offsets[MAX_N + 1];
    uint32_t neighbors[MAX_ARCS];
    dlm_evo_world w;
    dlm_evo_population pop;
} fixture;

static fixture F;

static dlm_strategy rule(uint32_t opening)
{
    dlm_strategy s;
    memset(&s, 0, sizeof s);
    s.kind = DLM_STRAT_CONTRIBUTION;
    s.opening = opening;
    return s;
}

/* An undirected graph of n vertices from its edge list (both arcs each). */
static void graph(uint32_t n, const uint32_t (*edges)[2], uint32_t m)
{
    uint32_t deg[MAX_N] = {0}, at[MAX_N], i;
    for (i = 0; i < m; ++i) {
        deg[edges[i][0]]++;
        deg[edges[i][1]]++;
    }
    F.offsets[0] = 0;
    for (i = 0; i < n; ++i)
        F.offsets[i + 1] = F.offsets[i] + deg[i];
    for (i = 0; i < n; ++i)
        at[i] = (uint32_t)F.offsets[i];
    for (i = 0; i < m; ++i) {
        F.neighbors[at[edges[i][0]]++] = edges[i][1];
        F.neighbors[at[edges[i][1]]++] = edges[i][0];
    }
}

static void setup(uint32_t n, double r, double c, uint32_t accumulate)
{
    memset(&F.ep, 0, sizeof F.ep);
    F.ep.interaction = DLM_INTERACTION_GROUP;
    F.ep.rules.rounds = 1;
    F.ep.rule = DLM_RULE_FERMI;
    F.ep.structure = DLM_STRUCTURE_GRAPH;
    F.ep.accumulate = accumulate;
    F.ep.payoff[0] = r;
    F.ep.payoff[1] = c;
    F.ep.payoff_b[2] = (double)DLM_GROUP_PGG;
    F.ep.payoff_b[3] = 1.0;
    F.w.seed = 2008u;
    F.w.params = &F.ep;
    F.w.classes = &F.cls;
    F.w.strategy = F.agents;
    F.w.agent_class = F.agent_class;
    F.w.inter_offsets = F.offsets;
    F.w.inter_neighbors = F.neighbors;
    F.pop.n = n;
    F.pop.id = 1;
    F.pop.seed = 2008u;
    F.pop.graph = 1;
}

static int contributes(uint32_t x)
{
    return F.agents[x].opening == DLM_CONTRIB_ALWAYS;
}

/* The payoff of x from the definition: its groups from the CSR arrays. */
static double expected(uint32_t x, double r, double c, uint32_t accumulate, uint32_t *groups)
{
    uint32_t k = (uint32_t)(F.offsets[x + 1] - F.offsets[x]), j, i;
    double sum = 0.0;
    for (j = 0; j <= k; ++j) {
        uint32_t centre = j == 0 ? x : F.neighbors[F.offsets[x] + j - 1];
        uint32_t size = (uint32_t)(F.offsets[centre + 1] - F.offsets[centre]) + 1u;
        uint32_t nc = (uint32_t)contributes(centre);
        for (i = 0; i + 1u < size; ++i)
            nc += (uint32_t)contributes(F.neighbors[F.offsets[centre] + i]);
        sum += r * c * nc / size - (contributes(x) ? c : 0.0);
    }
    *groups = k + 1u;
    return accumulate ? sum : sum / (k + 1u);
}

static void check_all(const char *what, uint32_t n, double r, double c)
{
    uint32_t x, acc;
    for (acc = 0; acc < 2u; ++acc) {
        setup(n, r, c, acc);
        for (x = 0; x < n; ++x) {
            uint32_t slot = 0, groups;
            dlm_evo_counts counts = {0, 0, 0, 0};
            dlm_cursor partners = dlm_cursor_at(F.pop.seed, 5u, x);
            double pay = dlm_evo_evaluate(&F.w, &F.pop, &F.ep, x, 3u, 4u, x, &slot, &partners,
                                          &counts);
            double want = expected(x, r, c, acc, &groups);
            if (fabs(pay - want) > 1e-12 * (1.0 + fabs(want)))
                fail_msg("%s, agent %u, accumulate %u: engine %.17g, groups of SSP 2008 %.17g",
                         what, x, acc, pay, want);
            assert_int_equal(counts.moves, groups);
            assert_int_equal(counts.cooperations, contributes(x) ? groups : 0u);
        }
    }
    printf("  %-40s %u agents: every payoff as SSP 2008 define it\n", what, n);
}

static void test_ring(void **state)
{
    uint32_t edges[10][2], i;
    (void)state;
    for (i = 0; i < 10u; ++i) {
        edges[i][0] = i;
        edges[i][1] = (i + 1u) % 10u;
    }
    graph(10, (const uint32_t(*)[2])edges, 10);
    for (i = 0; i < 10u; ++i)
        F.agents[i] = rule(i == 0 || i == 1 || i == 4 || i == 7 ? DLM_CONTRIB_ALWAYS
                                                                 : DLM_CONTRIB_NEVER);
    check_all("ring of 10 (groups of 3)", 10, 2.5, 1.0);
}

static void test_torus(void **state)
{
    uint32_t edges[32][2], x, y, m = 0;
    (void)state;
    for (y = 0; y < 4u; ++y)
        for (x = 0; x < 4u; ++x) {
            edges[m][0] = y * 4u + x;
            edges[m++][1] = y * 4u + (x + 1u) % 4u;
            edges[m][0] = y * 4u + x;
            edges[m++][1] = ((y + 1u) % 4u) * 4u + x;
        }
    graph(16, (const uint32_t(*)[2])edges, m);
    for (x = 0; x < 16u; ++x)
        F.agents[x] = rule((x * 7u) % 5u < 2u ? DLM_CONTRIB_ALWAYS : DLM_CONTRIB_NEVER);
    check_all("4 x 4 von Neumann torus (groups of 5)", 16, 3.8, 1.0);
}

static void test_irregular(void **state)
{
    /* a hub 0 with leaves 1..5, a tail 5-6-7-8, and a chord 2-6: groups of 2 to 7 */
    static const uint32_t edges[][2] = {{0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5},
                                        {5, 6}, {6, 7}, {7, 8}, {2, 6}};
    uint32_t x;
    (void)state;
    graph(9, edges, 9);
    for (x = 0; x < 9u; ++x)
        F.agents[x] = rule(x == 0 || x == 3 || x == 6 || x == 8 ? DLM_CONTRIB_ALWAYS
                                                                 : DLM_CONTRIB_NEVER);
    check_all("star with a tail (groups of 2 to 7)", 9, 3.0, 0.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring),
        cmocka_unit_test(test_torus),
        cmocka_unit_test(test_irregular),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_graph.c — population structures (host/model/graph.c): counts, degrees and CSR validity of
 * every generator, known small cases, determinism and independence of the thread count,
 * statistics with bounds of 4 standard errors (DESIGN.md §9), the edge-list reader on
 * good and bad files, and parameter errors. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dlm_philox.h"
#include "model/graph.h"

#ifdef DLM_HAVE_OPENMP
#include <omp.h>
#endif

#ifndef DLM_TEST_DATA
#define DLM_TEST_DATA "tests/data"
#endif
#define GRAPHS DLM_TEST_DATA "/graphs/"

/* ---- helpers --------------------------------------------------------------------------- */

/* Fails unless text contains needle, printing both. */
static void assert_contains(const char *text, const char *needle)
{
    if (!strstr(text, needle)) {
        print_error("message \"%s\"\n  does not contain \"%s\"\n", text, needle);
        fail();
    }
}

/* Asserts st is DLM_OK, printing the message otherwise. */
static void assert_ok(dlm_status st, const dlm_error *err)
{
    if (st != DLM_OK)
        print_error("unexpected error: %s\n", err->message);
    assert_int_equal(st, DLM_OK);
}

/* Asserts g passes dlm_graph_check and has no self-loops unless allowed. */
static void assert_valid(const dlm_graph *g, int self_loops_allowed)
{
    dlm_error err = {DLM_OK, ""};
    uint32_t v;
    assert_ok(dlm_graph_check(g, &err), &err);
    if (!self_loops_allowed)
        for (v = 0; v < g->n; ++v) {
            uint64_t i;
            for (i = g->offsets[v]; i < g->offsets[v + 1]; ++i)
                if (g->neighbors[i] == v)
                    fail_msg("vertex %u has a self-loop", v);
        }
}

/* Asserts every vertex of g has degree d. */
static void assert_regular(const dlm_graph *g, uint32_t d)
{
    uint32_t v;
    for (v = 0; v < g->n; ++v)
        if (dlm_graph_degree(g, v) != d)
            fail_msg("vertex %u has degree %u, expected %u", v, dlm_graph_degree(g, v), d);
}

/* Asserts the neighbours of v are exactly want[0..len). */
static void assert_neighbours(const dlm_graph *g, uint32_t v, const uint32_t *want, uint32_t len)
{
    assert_int_equal(dlm_graph_degree(g, v), len);
    assert_memory_equal(g->neighbors + g->offsets[v], want, len * sizeof *want);
}

/* 1 when a and b are the same CSR. */
static int same_graph(const dlm_graph *a, const dlm_graph *b)
{
    return a->n == b->n && a->n_arcs == b->n_arcs &&
           !memcmp(a->offsets, b->offsets, ((size_t)a->n + 1) * sizeof *a->offsets) &&
           !memcmp(a->neighbors, b->neighbors, (size_t)a->n_arcs * sizeof *a->neighbors);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Asserts |x - mean| <= 4 standard errors, naming what. */
static void assert_within_4se(const char *what, double x, double mean, double se)
{
    if (fabs(x - mean) > 4.0 * se)
        fail_msg("%s = %.1f, expected %.1f +- 4 x %.2f", what, x, mean, se);
}

/* ---- lattice --------------------------------------------------------------------------- */

static void test_lattice_small(void **state)
{
    dlm_graph g;
    dlm_error err = {DLM_OK, ""};
    static const uint32_t vn0[] = {1, 2, 3, 6}, moore0[] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint32_t self0[] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    static const uint32_t vn_4x3_5[] = {1, 4, 6, 9}; /* (x=1, y=1) on a 4-wide, 3-high lattice */
    (void)state;
    assert_ok(dlm_graph_lattice(3, 3, "von-neumann", 0, &g, &err), &err);
    assert_int_equal(g.n, 9);
    assert_int_equal(g.n_arcs, 36);
    assert_neighbours(&g, 0, vn0, 4);
    assert_valid(&g, 0);
    dlm_graph_free(&g);
    assert_ok(dlm_graph_lattice(3, 3, "moore", 0, &g, &err), &err);
    assert_neighbours(&g, 0, moore0, 8);
    assert_valid(&g, 0);
    dlm_graph_free(&g);
    assert_ok(dlm_graph_lattice(3, 3, "moore", 1, &g, &err), &err);
    assert_neighbours(&g, 0, self0, 9);
    assert_valid(&g, 1);
    dlm_graph_free(&g);
    assert_ok(dlm_graph_lattice(4, 3, "von-neumann", 0, &g, &err), &err);
    assert_neighbours(&g, 5, vn_4x3_5, 4);
    assert_valid(&g, 0);
    dlm_graph_free(&g);
}

static void test_lattice_degrees(void **state)
{
    static const struct { const char *nb; int self; uint32_t deg; const char *desc; } cases[] = {
        {"von-neumann", 0, 4, "square lattice 64x32, von Neumann, periodic"},
        {"von-neumann", 1, 5, "square lattice 64x32, von Neumann, periodic, self-loops"},
        {"moore", 0, 8, "square lattice 64x32, Moore, periodic"},
        {"moore", 1, 9, "square lattice 64x32, Moore, periodic, self-loops"},
    };
    size_t c;
    (void)state;
    for (c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        dlm_graph g;
        dlm_error err = {DLM_OK, ""};
        assert_ok(dlm_graph_lattice(64, 32, cases[c].nb, cases[c].self, &g, &err), &err);
        assert_int_equal(g.n, 64 * 32);
        assert_int_equal(g.n_arcs, 64u * 32u * cases[c].deg);
        assert_regular(&g, cases[c].deg);
        assert_valid(&g, cases[c].self);
        assert_string_equal(g.description, cases[c].desc);
        dlm_graph_free(&g);
    }
}

/* The `lattice` benchmark's population: 2048 x 2048, Moore (DESIGN.md §10). */
static void test_lattice_2048(void **state)
{
    dlm_graph g;
    dlm_error err = {DLM_OK, ""};
    double t0 = now_seconds(), t1;
    (void)state;
    assert_ok(dlm_graph_lattice(2048, 2048, "moore", 0, &g, &err), &err);
    t1 = now_seconds();
    print_message("2048x2048 Moore lattice: %.3f s, %.1f MiB\n", t1 - t0,
                  (double)dlm_graph_memory_bytes(g.n, g.n_arcs) / 1048576.0);
    assert_int_equal(g.n, 4194304u);
    assert_int_equal(g.n_arcs, 33554432u);
    assert_regular(&g, 8);
    assert_valid(&g, 0);
    dlm_graph_free(&g);
}

static void test_lattice_errors(void **state)
{
    dlm_graph g;
    dlm_error err = {DLM_OK, ""};
    (void)state;
    assert_int_equal(dlm_graph_lattice(2, 10, "moore", 0, &g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "at least 3");
    assert_null(g.offsets);
    assert_int_equal(dlm_graph_lattice(10, 1, "von-neumann", 0, &g, &err), DLM_ERR_USAGE);
    assert_int_equal(dlm_graph_lattice(10, 10, "hexagonal", 0, &g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "\"hexagonal\"");
    assert_contains(err.message, "\"moore\"");
    assert_int_equal(dlm_graph_lattice(10, 10, NULL, 0, &g, &err), DLM_ERR_USAGE);
    assert_int_equal(dlm_graph_lattice(10, 10, "moore", 2, &g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "self_loops");
    assert_int_equal(dlm_graph_lattice(65536, 65536, "moore", 0, &g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "4294967296 sites");
    assert_int_equal(dlm_graph_lattice(3, 3, "moore", 0, NULL, &err), DLM_ERR_USAGE);
}

/* ---- ring ------------------------------------------------------------------------------ */

static void test_ring(void **state)
{
    dlm_graph g;
    dlm_error err = {DLM_OK, ""};
    static const uint32_t r0[] = {1, 4}, r1[] = {0, 2}, r4[] = {0, 3};
    static const uint32_t k3_0[] = {1, 2, 3, 7, 8, 9}, k3_5[] = {2, 3, 4, 6, 7, 8};
    static const uint32_t k3_8[] = {0, 1, 5, 6, 7, 9};
    (void)state;
    assert_ok(dlm_graph_ring(5, 1, &g, &err), &err);
    assert_int_equal(g.n, 5);
    assert_int_equal(g.n_arcs, 10);
    assert_neighbours(&g, 0, r0, 2);
    assert_neighbours(&g, 1, r1, 2);
    assert_neighbours(&g, 4, r4, 2);
    assert_valid(&g, 0);
    assert_string_equal(g.description, "ring n=5, k=1");
    dlm_graph_free(&g);
    assert_ok(dlm_graph_ring(10, 3, &g, &err), &err);
    assert_regular(&g, 6);
    assert_neighbours(&g, 0, k3_0, 6);
    assert_neighbours(&g, 5, k3_5, 6);
    assert_neighbours(&g, 8, k3_8, 6);
    assert_valid(&g, 0);
    dlm_graph_free(&g);
    assert_ok(dlm_graph_ring(7, 3, &g, &err), &err); /* complete */
    assert_regular(&g, 6);
    assert_valid(&g, 0);
    dlm_graph_free(&g);
    assert_int_equal(dlm_graph_ring(10, 0, &g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "k >= 1");
    assert_int_equal(dlm_graph_ring(6, 3, &g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "2k < n");
    assert_int_equal(dlm_graph_ring(2, 1, &g, &err), DLM_ERR_USAGE);
}

/* ---- random regular ------------------------------------------------------------------- */

static void test_random_regular(void **state)
{
    static const uint32_t cases[][2] = {{1000, 4}, {100, 3}, {2000, 20}, {11, 4}, {10, 6},
                                        {10, 9},   {2, 1},   {64, 32},   {65, 32}, {4, 2}};
    size_t c;
    uint32_t n, d;
    (void)state;
    for (c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        dlm_graph g;
        dlm_error err = {DLM_OK, ""};
        n = cases[c][0];
        d = cases[c][1];
        assert_ok(dlm_graph_random_regular(n, d, 7, &g, &err), &err);
        assert_int_equal(g.n, n);
        assert_int_equal(g.n_arcs, (uint64_t)n * d);
        assert_regular(&g, d);
        assert_valid(&g, 0);
        dlm_graph_free(&g);
    }
    for (n = 2; n <= 16; ++n) /* every feasible small case, a few seeds */
        for (d = 1; d < n; ++d) {
            uint64_t seed;
            if ((n * d) % 2)
                continue;
            for (seed = 0; seed < 4; ++seed) {
                dlm_graph g;
                dlm_error err = {DLM_OK, ""};
                assert_ok(dlm_graph_random_regular(n, d, seed, &g, &err), &err);
                assert_regular(&g, d);
                assert_valid(&g, 0);
                dlm_graph_free(&g);
            }
        }
}

static void test_random_regular_determinism(void **state)
{
    dlm_graph a, b, c;
    dlm_error err = {DLM_OK, ""};
    (void)state;
    assert_ok(dlm_graph_random_regular(500, 6, 42, &a, &err), &err);
    assert_ok(dlm_graph_random_regular(500, 6, 42, &b, &err), &err);
    assert_ok(dlm_graph_random_regular(500, 6, 43, &c, &err), &err);
    assert_true(same_graph(&a, &b));
    assert_false(same_graph(&a, &c));
    assert_contains(a.description, "random 6-regular graph, n=500, seed 42");
    dlm_graph_free(&a);
    dlm_graph_free(&b);
    dlm_graph_free(&c);
}

static void test_random_regular_errors(void **state)
{
    dlm_graph g;
    dlm_error err = {DLM_OK, ""};
    (void)state;
    assert_int_equal(dlm_graph_random_regular(5, 3, 1, &g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "must be even");
    assert_int_equal(dlm_graph_random_regular(5, 5, 1, &g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "1 <= degree < n");
    assert_int_equal(dlm_graph_random_regular(5, 0, 1, &g, &err), DLM_ERR_USAGE);
    assert_int_equal(dlm_graph_random_regular(1, 1, 1, &g, &err), DLM_ERR_USAGE);
    assert_null(g.neighbors);
}

/* ---- Erdos-Renyi ----------------------------------------------------------------------- */

static void test_erdos_renyi(void **state)
{
    const uint32_t n = 2000;
    const double p = 0.01;
    const uint64_t seed = 11;
    double pq = (double)dlm_probability_threshold(p) / 4294967296.0;
    double pairs = (double)n * (n - 1) / 2.0;
    uint64_t stream = dlm_stream_id(DLM_PURPOSE_INIT, 0, DLM_GRAPH_GEN_ERDOS_RENYI);
    dlm_graph g;
    dlm_error err = {DLM_OK, ""};
    uint32_t u;
    (void)state;
    assert_ok(dlm_graph_erdos_renyi(n, p, seed, &g, &err), &err);
    assert_valid(&g, 0);
    assert_within_4se("G(2000, 0.01) edges", (double)g.n_arcs / 2.0, pairs * pq,
                      sqrt(pairs * pq * (1.0 - pq)));
    /* The documented layout: pair {u < v} is an edge iff word v of window u fires. */
    for (u = 0; u < 50; ++u) {
        uint32_t v;
        for (v = u + 1; v < n; v += 7) {
            dlm_u32x4 b = dlm_philox_window_block(seed, stream, u, v / 4);
            int want = (int)dlm_fires(b.v[v % 4], dlm_probability_threshold(p));
            uint64_t i;
            int have = 0;
            for (i = g.offsets[u]; i < g.offsets[u + 1]; ++i)
                have |= g.neighbors[i] == v;
            if (want != have)
                fail_msg("pair {%u, %u}: edge %d, layout says %d", u, v, have, want);
        }
    }
    dlm_graph_free(&g);
}

static void test_erdos_renyi_determinism(void **state)
{
    dlm_graph a, b, c;
    dlm_error err = {DLM_OK, ""};
    (void)state;
#ifdef DLM_HAVE_OPENMP
    omp_set_num_threads(1);
#endif
    assert_ok(dlm_graph_erdos_renyi(3000, 0.003, 5, &a, &err), &err);
#ifdef DLM_HAVE_OPENMP
    omp_set_num_threads(4);
#endif
    assert_ok(dlm_graph_erdos_renyi(3000, 0.003, 5, &b, &err), &err);
    assert_ok(dlm_graph_erdos_renyi(3000, 0.003, 6, &c, &err), &err);
    assert_true(same_graph(&a, &b));
    assert_false(same_graph(&a, &c));
    dlm_graph_free(&a);
    dlm_graph_free(&b);
    dlm_graph_free(&c);
    /* p = 0: no edges, all isolated; p = 1: complete. */
    assert_ok(dlm_graph_erdos_renyi(50, 0.0, 1, &a, &err), &err);
    assert_int_equal(a.n_arcs, 0);
    assert_int_equal(dlm_graph_count_isolated(&a, NULL), 50);
    assert_valid(&a, 0);
    dlm_graph_free(&a);
    assert_ok(dlm_graph_erdos_renyi(50, 1.0, 1, &a, &err), &err);
    assert_regular(&a, 49);
    assert_valid(&a, 0);
    dlm_graph_free(&a);
}

static void test_erdos_renyi_errors(void **state)
{
    dlm_graph g;
    dlm_error err = {DLM_OK, ""};
    (void)state;
    assert_int_equal(dlm_graph_erdos_renyi(100, -0.1, 1, &g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "[0, 1]");
    assert_int_equal(dlm_graph_erdos_renyi(100, 1.5, 1, &g, &err), DLM_ERR_USAGE);
    assert_int_equal(dlm_graph_erdos_renyi(100, NAN, 1, &g, &err), DLM_ERR_USAGE);
    assert_int_equal(dlm_graph_erdos_renyi(1, 0.5, 1, &g, &err), DLM_ERR_USAGE);
    assert_int_equal(dlm_graph_erdos_renyi(DLM_GRAPH_ER_MAX_N + 1u, 0.5, 1, &g, &err),
                     DLM_ERR_USAGE);
    assert_contains(err.message, "2 <= n <= 262144");
}

/* ---- Barabasi-Albert ------------------------------------------------------------------- */

static void test_barabasi_albert(void **state)
{
    const uint32_t n = 20000, m = 3;
    dlm_graph g, h;
    dlm_error err = {DLM_OK, ""};
    uint64_t sum = 0, n_edges = (uint64_t)m * (m + 1) / 2 + (uint64_t)(n - m - 1) * m;
    uint32_t v, max = 0, at_m = 0;
    double mean, frac, pm = 2.0 / (m + 2.0);
    static const uint32_t k4_0[] = {1, 2, 3};
    (void)state;
    assert_ok(dlm_graph_barabasi_albert(n, m, 3, &g, &err), &err);
    assert_valid(&g, 0);
    assert_int_equal(g.n_arcs, 2 * n_edges);
    for (v = 0; v < n; ++v) {
        uint32_t d = dlm_graph_degree(&g, v);
        sum += d;
        max = d > max ? d : max;
        at_m += d == m;
        if (d < m)
            fail_msg("vertex %u has degree %u < m = %u", v, d, m);
    }
    assert_int_equal(sum, 2 * n_edges);
    mean = (double)sum / n;
    if (max < 10.0 * mean)
        fail_msg("max degree %u is not well above the mean %.2f", max, mean);
    /* Linear preferential attachment: P(degree = m) -> 2 / (m + 2) (uniform attachment
     * would give 1 / (m + 1)); SE of a fraction of n vertices. */
    frac = (double)at_m / n;
    assert_within_4se("1000 x P(degree = m)", 1000.0 * frac, 1000.0 * pm,
                      1000.0 * sqrt(pm * (1.0 - pm) / n));
    {
        uint32_t i, first = 0;
        for (i = 0; i < 3; ++i)
            first += g.neighbors[g.offsets[0] + i] == k4_0[i];
        assert_int_equal(first, 3); /* the seed K4 */
    }
    assert_ok(dlm_graph_barabasi_albert(n, m, 3, &h, &err), &err);
    assert_true(same_graph(&g, &h));
    dlm_graph_free(&h);
    assert_ok(dlm_graph_barabasi_albert(n, m, 4, &h, &err), &err);
    assert_false(same_graph(&g, &h));
    dlm_graph_free(&h);
    dlm_graph_free(&g);
    /* m = 1 grows a tree; n = m + 1 is the complete seed graph. */
    assert_ok(dlm_graph_barabasi_albert(1000, 1, 9, &g, &err), &err);
    assert_int_equal(g.n_arcs, 2 * 999);
    assert_int_equal(dlm_graph_count_isolated(&g, NULL), 0);
    assert_valid(&g, 0);
    dlm_graph_free(&g);
    assert_ok(dlm_graph_barabasi_albert(6, 5, 9, &g, &err), &err);
    assert_regular(&g, 5);
    dlm_graph_free(&g);
    assert_int_equal(dlm_graph_barabasi_albert(5, 5, 1, &g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "n >= m + 1");
    assert_int_equal(dlm_graph_barabasi_albert(5, 0, 1, &g, &err), DLM_ERR_USAGE);
}

/* ---- Watts-Strogatz -------------------------------------------------------------------- */

/* Edges of g that are not edges of the ring (n, k). */
static uint64_t non_ring_edges(const dlm_graph *g, uint32_t k)
{
    uint64_t count = 0, i;
    uint32_t u;
    for (u = 0; u < g->n; ++u)
        for (i = g->offsets[u]; i < g->offsets[u + 1]; ++i) {
            uint32_t v = g->neighbors[i], dist = v > u ? v - u : u - v;
            if (v > u && (dist < g->n - dist ? dist : g->n - dist) > k)
                ++count;
        }
    return count;
}

static void test_watts_strogatz(void **state)
{
    const uint32_t n = 10000, k = 3;
    const double betas[] = {0.2, 1.0};
    dlm_graph g, ring, h;
    dlm_error err = {DLM_OK, ""};
    size_t b;
    uint32_t v;
    (void)state;
    assert_ok(dlm_graph_ring(n, k, &ring, &err), &err);
    assert_ok(dlm_graph_watts_strogatz(n, k, 0.0, 1, &g, &err), &err);
    assert_true(same_graph(&g, &ring));
    dlm_graph_free(&g);
    for (b = 0; b < 2; ++b) {
        double beta = (double)dlm_probability_threshold(betas[b]) / 4294967296.0;
        /* A rewired edge leaves the ring unless it lands on a ring pair already rewired
         * away: about beta * k of the n - 1 - 2k candidates (first order). */
        double q = beta * k / (n - 1.0 - 2.0 * k), pe = beta * (1.0 - q), m = (double)n * k;
        char what[64];
        assert_ok(dlm_graph_watts_strogatz(n, k, betas[b], 2, &g, &err), &err);
        assert_valid(&g, 0);
        assert_int_equal(g.n_arcs, 2u * n * k);
        for (v = 0; v < n; ++v)
            if (dlm_graph_degree(&g, v) < k)
                fail_msg("vertex %u keeps fewer than its own k edges", v);
        snprintf(what, sizeof what, "rewired edges (beta %.1f)", betas[b]);
        assert_within_4se(what, (double)non_ring_edges(&g, k), m * pe,
                          sqrt(m * pe * (1.0 - pe)) + 0.25);
        assert_ok(dlm_graph_watts_strogatz(n, k, betas[b], 2, &h, &err), &err);
        assert_true(same_graph(&g, &h));
        dlm_graph_free(&h);
        assert_ok(dlm_graph_watts_strogatz(n, k, betas[b], 3, &h, &err), &err);
        assert_false(same_graph(&g, &h));
        dlm_graph_free(&h);
        dlm_graph_free(&g);
    }
    dlm_graph_free(&ring);
    assert_ok(dlm_graph_watts_strogatz(7, 3, 1.0, 1, &g, &err), &err); /* complete: no room */
    assert_regular(&g, 6);
    dlm_graph_free(&g);
    assert_int_equal(dlm_graph_watts_strogatz(10, 5, 0.1, 1, &g, &err), DLM_ERR_USAGE);
    assert_int_equal(dlm_graph_watts_strogatz(10, 2, -0.5, 1, &g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "beta");
    assert_int_equal(dlm_graph_watts_strogatz(10, 2, NAN, 1, &g, &err), DLM_ERR_USAGE);
    assert_int_equal(dlm_graph_watts_strogatz(2000000000u, 3, 0.1, 1, &g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "2^32");
}

/* ---- edge lists ------------------------------------------------------------------------ */

static void test_edge_list_good(void **state)
{
    dlm_graph g;
    dlm_error err = {DLM_OK, ""};
    static const uint32_t n0[] = {1, 2}, n2[] = {0, 1, 3}, n5[] = {3, 4}, c0[] = {1, 3};
    (void)state;
    assert_ok(dlm_graph_read_edge_list(GRAPHS "good_header.txt", 0, &g, &err), &err);
    assert_int_equal(g.n, 6);
    assert_int_equal(g.n_arcs, 14); /* 7 edges: "1 0" repeats "0 1" in reverse */
    assert_neighbours(&g, 0, n0, 2);
    assert_neighbours(&g, 2, n2, 3);
    assert_neighbours(&g, 5, n5, 2);
    assert_valid(&g, 0);
    assert_contains(g.description, "good_header.txt: n=6, 7 edges");
    dlm_graph_free(&g);
    assert_ok(dlm_graph_read_edge_list(GRAPHS "good_header.txt", 6, &g, &err), &err);
    dlm_graph_free(&g);
    assert_ok(dlm_graph_read_edge_list(GRAPHS "good_no_header.txt", 0, &g, &err), &err);
    assert_int_equal(g.n, 4);
    assert_regular(&g, 2);
    assert_neighbours(&g, 0, c0, 2);
    dlm_graph_free(&g);
}

static void test_edge_list_bad(void **state)
{
    static const struct { const char *file; uint32_t hint; const char *where, *what; } cases[] = {
        {"bad_not_integer.txt", 0, "bad_not_integer.txt:2:", "'x2' is not a non-negative"},
        {"bad_negative.txt", 0, "bad_negative.txt:2:", "'-1' is a negative id"},
        {"bad_out_of_range.txt", 0, "bad_out_of_range.txt:3:", "from 0 to 3"},
        {"bad_self_loop.txt", 0, "bad_self_loop.txt:3:", "self-loop '2 2'"},
        {"bad_duplicate.txt", 0, "bad_duplicate.txt:5:", "'0 1' (already on line 1)"},
        {"bad_three_fields.txt", 0, "bad_three_fields.txt:1:", "more than two fields"},
        {"bad_one_id.txt", 0, "bad_one_id.txt:3:", "found 1 id"},
        {"bad_huge_id.txt", 0, "bad_huge_id.txt:2:", "too large"},
        {"bad_late_header.txt", 0, "bad_late_header.txt:2:", "before the first edge (line 1)"},
        {"bad_header_value.txt", 0, "bad_header_value.txt:1:", "'# n = <count>'"},
        {"bad_two_headers.txt", 0, "bad_two_headers.txt:2:", "second"},
        {"bad_binary.txt", 0, "bad_binary.txt:2:", "NUL byte"},
        {"good_header.txt", 7, "good_header.txt:1:", "n = 7 was asked for"},
        {"good_no_header.txt", 3, "good_no_header.txt:4:", "out of range"},
        {"bad_isolated.txt", 0, "bad_isolated.txt", "vertex 4 has no edges"},
        {"bad_gap.txt", 0, "bad_gap.txt", "vertex 2 has no edges"},
        {"good_no_header.txt", 9, "good_no_header.txt", "touch at most 8 vertices"},
        {"bad_empty.txt", 0, "bad_empty.txt", "no edges"},
        {"no_such_file.txt", 0, "no_such_file.txt", "cannot open"},
    };
    size_t c;
    (void)state;
    for (c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        dlm_graph g;
        dlm_error err = {DLM_OK, ""};
        dlm_status st;
        char path[512];
        snprintf(path, sizeof path, "%s%s", GRAPHS, cases[c].file);
        st = dlm_graph_read_edge_list(path, cases[c].hint, &g, &err);
        if (st != DLM_ERR_USAGE)
            fail_msg("%s: status %d, expected DLM_ERR_USAGE (%s)", cases[c].file, st, err.message);
        assert_contains(err.message, cases[c].where);
        assert_contains(err.message, cases[c].what);
        assert_null(g.offsets);
    }
}

/* Writes text (len bytes) to a fresh temporary file; returns its path in path. */
static void temp_file(const char *text, size_t len, char path[64])
{
    int fd;
    FILE *f;
    strcpy(path, "/tmp/dlm_graph_XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

static void test_edge_list_junk(void **state)
{
    size_t big = 100000, i;
    char *text = malloc(big + 64), path[64];
    dlm_graph g;
    dlm_error err = {DLM_OK, ""};
    (void)state;
    assert_non_null(text);
    /* A long comment is fine; a long edge line is refused with its line number. */
    strcpy(text, "0 1\n#");
    memset(text + 5, 'c', big);
    strcpy(text + 5 + big, "\n1 2\n2 0\n");
    temp_file(text, strlen(text), path);
    assert_ok(dlm_graph_read_edge_list(path, 0, &g, &err), &err);
    assert_int_equal(g.n_arcs, 6);
    dlm_graph_free(&g);
    unlink(path);
    strcpy(text, "0 1\n1 2\n");
    memset(text + 8, ' ', big);
    strcpy(text + 8 + big, "2 0\n");
    temp_file(text, strlen(text), path);
    assert_int_equal(dlm_graph_read_edge_list(path, 0, &g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, ":3: line longer than");
    assert_contains(err.message, path);
    unlink(path);
    /* Random bytes: an error, never a crash. */
    for (i = 0; i < big; ++i)
        text[i] = (char)(((i * 2654435761u) >> 7) & 0xFF);
    temp_file(text, big, path);
    assert_int_equal(dlm_graph_read_edge_list(path, 0, &g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, path);
    unlink(path);
    /* A directory is not an edge list. */
    assert_int_not_equal(dlm_graph_read_edge_list("/tmp", 0, &g, &err), DLM_OK);
    assert_contains(err.message, "/tmp");
    free(text);
}

/* ---- check, queries -------------------------------------------------------------------- */

static void test_check_rejects(void **state)
{
    /* Triangle 0-1-2 plus vertex 3 linked to 0: a valid CSR, then broken copies. */
    uint64_t off[5] = {0, 3, 5, 7, 8};
    uint32_t nb[8] = {1, 2, 3, 0, 2, 0, 1, 0};
    dlm_graph g = {4, 8, off, nb, "hand-made"};
    dlm_error err = {DLM_OK, ""};
    uint32_t first;
    (void)state;
    assert_ok(dlm_graph_check(&g, &err), &err);
    assert_int_equal(dlm_graph_degree(&g, 0), 3);
    assert_int_equal(dlm_graph_degree(&g, 3), 1);
    assert_int_equal(dlm_graph_degree(&g, 4), 0);
    assert_int_equal(dlm_graph_count_isolated(&g, &first), 0);
    assert_int_equal(first, 4);
    nb[0] = 2, nb[1] = 1; /* unsorted */
    assert_int_equal(dlm_graph_check(&g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "strictly ascending");
    nb[0] = 1, nb[1] = 1; /* duplicate arc */
    assert_int_equal(dlm_graph_check(&g, &err), DLM_ERR_USAGE);
    nb[1] = 2, nb[7] = 1; /* 3->1 without 1->3, and 0->3 without 3->0 */
    assert_int_equal(dlm_graph_check(&g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "symmetric");
    nb[7] = 9; /* out of range */
    assert_int_equal(dlm_graph_check(&g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "below n = 4");
    nb[7] = 0, off[2] = 9; /* offsets past n_arcs */
    assert_int_equal(dlm_graph_check(&g, &err), DLM_ERR_USAGE);
    off[2] = 5, off[4] = 7;
    assert_int_equal(dlm_graph_check(&g, &err), DLM_ERR_USAGE);
    assert_contains(err.message, "n_arcs");
    assert_int_equal(dlm_graph_check(NULL, &err), DLM_ERR_USAGE);
    dlm_graph_free(NULL);
}

static void test_memory_bytes(void **state)
{
    (void)state;
    assert_int_equal(dlm_graph_memory_bytes(4194304u, 33554432u), 4194305u * 8u + 33554432u * 4u);
    assert_int_equal(dlm_graph_memory_bytes(0, 0), 8);
    assert_int_equal(dlm_graph_memory_bytes(UINT64_MAX, 1), UINT64_MAX);
    assert_int_equal(dlm_graph_memory_bytes(1, UINT64_MAX / 2), UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lattice_small),
        cmocka_unit_test(test_lattice_degrees),
        cmocka_unit_test(test_lattice_2048),
        cmocka_unit_test(test_lattice_errors),
        cmocka_unit_test(test_ring),
        cmocka_unit_test(test_random_regular),
        cmocka_unit_test(test_random_regular_determinism),
        cmocka_unit_test(test_random_regular_errors),
        cmocka_unit_test(test_erdos_renyi),
        cmocka_unit_test(test_erdos_renyi_determinism),
        cmocka_unit_test(test_erdos_renyi_errors),
        cmocka_unit_test(test_barabasi_albert),
        cmocka_unit_test(test_watts_strogatz),
        cmocka_unit_test(test_edge_list_good),
        cmocka_unit_test(test_edge_list_bad),
        cmocka_unit_test(test_edge_list_junk),
        cmocka_unit_test(test_check_rejects),
        cmocka_unit_test(test_memory_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

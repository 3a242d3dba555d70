/* graph.h — population structures: who plays whom, as compressed sparse rows (CSR).
 *
 * The model code (portable C, later CUDA and OpenCL) reads a graph as two plain arrays:
 * the neighbours of v are neighbors[offsets[v] .. offsets[v+1]), sorted ascending. Every
 * graph here is undirected: an edge {u, v} is stored as the two arcs u->v and v->u.
 * Only the lattice may carry self-loops (the arc v->v, stored once), for the Nowak-May
 * self-interaction.
 *
 * Randomness (DESIGN.md §3): every generator draws from Philox streams keyed by meaning,
 *     stream = dlm_stream_id(DLM_PURPOSE_INIT, 0, generation constant below),
 * so the same seed gives the same graph on every machine and for any thread count. The
 * generation constants sit at the top of the 40-bit generation range, far from the
 * generation numbers of population initialisation. Draw layout (window w = the 2^32
 * words dlm_philox_window_block(seed, stream, w, *) gives; "in order" = words 0, 1, 2 ..
 * of that window, four per block, x y z w):
 *
 *   random regular   stream generation DLM_GRAPH_GEN_RANDOM_REGULAR + attempt (the
 *                    restart number, < 2^20); that whole stream is read in order from
 *                    offset 0 (dlm_philox_block(seed, stream, 0), 1, ...): first the
 *                    Fisher-Yates shuffle of the n*degree stubs (step i = N-1 .. 1 draws a
 *                    uniform index <= i), then the repair switches (edge j, then one word
 *                    whose low bit picks the orientation).
 *   Erdos-Renyi      window u = the lower vertex of a pair; pair {u < v} is an edge iff
 *                    word v of window u (block v / 4, word v % 4) < round(p * 2^32).
 *                    One exact draw per pair, no floating point: O(n^2 / 8) Philox blocks
 *                    (rows run in parallel with OpenMP when it is built in).
 *   Barabasi-Albert  window t = the vertex that joins; its m targets are drawn in order.
 *   Watts-Strogatz   window e = (j - 1) * n + u for the ring edge {u, u + j mod n}, j = 1..k;
 *                    word 0 decides the rewiring (word < round(beta * 2^32)), words 1, 2, ..
 *                    draw the new endpoint.
 *
 * A uniform integer below r takes one 32-bit word when r <= 2^32 (two, low word first,
 * otherwise) and rejects words below (2^32 - r) mod r (resp. 2^64) before taking the
 * remainder: exact, no floating point.
 */
#ifndef DLM_GRAPH_H
#define DLM_GRAPH_H

#include <stdint.h>

#include "dilemma.h"

typedef struct dlm_graph {
    uint32_t n;            /* vertices 0..n-1 */
    uint64_t n_arcs;       /* directed arcs stored (an undirected edge = 2 arcs) */
    uint64_t *offsets;     /* n+1: neighbours of v are neighbors[offsets[v] .. offsets[v+1]) */
    uint32_t *neighbors;   /* n_arcs, sorted ascending within each vertex */
    char description[160]; /* e.g. "square lattice 64x64, Moore, periodic" */
} dlm_graph;

/* Generation numbers of the generators' streams (purpose DLM_PURPOSE_INIT, population 0).
 * Append only: changing one changes every graph that generator has made. */
#define DLM_GRAPH_GENERATION_BASE    0xF000000000ull
#define DLM_GRAPH_GEN_RANDOM_REGULAR (DLM_GRAPH_GENERATION_BASE + 0x000000ull) /* + attempt */
#define DLM_GRAPH_GEN_ERDOS_RENYI    (DLM_GRAPH_GENERATION_BASE + 0x100000ull)
#define DLM_GRAPH_GEN_BARABASI_ALBERT (DLM_GRAPH_GENERATION_BASE + 0x200000ull)
#define DLM_GRAPH_GEN_WATTS_STROGATZ (DLM_GRAPH_GENERATION_BASE + 0x300000ull)

/* Restarts of the random-regular pairing before it gives up (a runtime error). */
#define DLM_GRAPH_RR_MAX_ATTEMPTS 64u
/* Largest n dlm_graph_erdos_renyi accepts: it draws once per pair (n^2 / 2 draws). */
#define DLM_GRAPH_ER_MAX_N (1u << 18)

/* On failure every constructor leaves *out empty (null arrays, n = 0) and fills err:
 * DLM_ERR_USAGE for bad parameters or files, DLM_ERR_RUNTIME for out of memory. */

/* Periodic width x height square lattice, vertex y*width + x; neighbourhood "von-neumann"
 * (4) or "moore" (8), plus the vertex itself when self_loops is 1. width, height >= 3. */
dlm_status dlm_graph_lattice(uint32_t width, uint32_t height, const char *neighbourhood,
                             int self_loops, dlm_graph *out, dlm_error *err);

/* Ring of n vertices, each linked to its k nearest on each side (k >= 1, 2k < n). */
dlm_status dlm_graph_ring(uint32_t n, uint32_t k, dlm_graph *out, dlm_error *err);

/* Simple graph with every vertex of degree `degree` (1 <= degree < n, n*degree even):
 * pairing model, self-loops and multi-edges removed by random degree-preserving switches
 * (restarting the pairing if that stalls); degree > (n-1)/2 is built as the complement of
 * an (n-1-degree)-regular graph. */
dlm_status dlm_graph_random_regular(uint32_t n, uint32_t degree, uint64_t seed,
                                    dlm_graph *out, dlm_error *err);

/* G(n, p): each of the n(n-1)/2 pairs an edge independently with probability p
 * (p in [0, 1], quantised to round(p * 2^32) / 2^32; 2 <= n <= DLM_GRAPH_ER_MAX_N).
 * May leave vertices isolated (dlm_graph_count_isolated). */
dlm_status dlm_graph_erdos_renyi(uint32_t n, double p, uint64_t seed, dlm_graph *out,
                                 dlm_error *err);

/* Preferential attachment (Barabasi & Albert 1999): a complete graph on m+1 vertices, then
 * each vertex t = m+1 .. n-1 links to m distinct earlier vertices, each drawn with
 * probability proportional to its degree (1 <= m, m + 1 <= n). */
dlm_status dlm_graph_barabasi_albert(uint32_t n, uint32_t m, uint64_t seed, dlm_graph *out,
                                     dlm_error *err);

/* Small world (Watts & Strogatz 1998): the ring (n, k); then, lap j = 1..k, vertex
 * u = 0..n-1, the edge {u, u+j} is rewired with probability beta to {u, w}, w uniform
 * over the vertices that are neither u nor its current neighbours (skipped when none is
 * left). beta in [0, 1]; n * k < 2^32. */
dlm_status dlm_graph_watts_strogatz(uint32_t n, uint32_t k, double beta, uint64_t seed,
                                    dlm_graph *out, dlm_error *err);

/* Reads an undirected edge list: one edge "u v" per line (0-based decimal ids, optional
 * trailing "# comment"), '#' comment lines and blank lines, an optional header line
 * "# n = 1000" before the first edge. n comes from the header, else from n_hint (> 0),
 * else max id + 1; header and hint must agree. "u v" and "v u" on two lines are the same
 * edge (merged silently); the same line twice, a self-loop, a vertex with no edge, an id
 * out of range and anything malformed are errors (DLM_ERR_USAGE) naming file and line. */
dlm_status dlm_graph_read_edge_list(const char *path, uint32_t n_hint, dlm_graph *out,
                                    dlm_error *err);

/* Frees the arrays of g (not g itself) and leaves it empty; g may be null. */
void dlm_graph_free(dlm_graph *g);

/* Number of neighbours of v (its self-loop counts once); 0 when v >= g->n. */
uint32_t dlm_graph_degree(const dlm_graph *g, uint32_t v);

/* Number of vertices without neighbours; *first (if not null) = the lowest, or g->n. */
uint32_t dlm_graph_count_isolated(const dlm_graph *g, uint32_t *first);

/* Validates a CSR: offsets from 0 to n_arcs non-decreasing, neighbours in range, strictly
 * ascending (no duplicate arcs) and symmetric (u->v iff v->u). Self-loops are allowed. */
dlm_status dlm_graph_check(const dlm_graph *g, dlm_error *err);

/* Bytes of the CSR arrays for n vertices and n_arcs arcs (UINT64_MAX on overflow). */
uint64_t dlm_graph_memory_bytes(uint64_t n, uint64_t n_arcs);

#endif /* DLM_GRAPH_H */

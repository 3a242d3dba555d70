/* graph.c — population structures as CSR: lattices, rings, random graphs, the CSR
 * assembly they share and the queries (graph.h has the contracts and the random-draw
 * layout; edge-list files are read in graph_file.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlm_philox.h"
#include "model/graph.h"
#include "model/graph_internal.h"

/* ---- memory, CSR assembly ----------------------------------------------------------- */

/* malloc of count elements of size bytes, null on overflow or failure (never 0 bytes). */
void *dlm_graph_alloc_array(uint64_t count, size_t size)
{
    if (count == 0)
        count = 1;
    if (count > SIZE_MAX / size)
        return NULL;
    return malloc((size_t)count * size);
}

/* Sets err to "what: out of memory" naming the bytes asked for; returns DLM_ERR_RUNTIME. */
dlm_status dlm_graph_out_of_memory(dlm_error *err, const char *what, uint64_t bytes)
{
    return dlm_error_set(err, DLM_ERR_RUNTIME, "%s: out of memory (needs %llu bytes)", what,
                         (unsigned long long)bytes);
}

uint64_t dlm_graph_memory_bytes(uint64_t n, uint64_t n_arcs)
{
    if (n >= UINT64_MAX / 8u || n_arcs > UINT64_MAX / 4u)
        return UINT64_MAX;
    if ((n + 1u) * 8u > UINT64_MAX - n_arcs * 4u)
        return UINT64_MAX;
    return (n + 1u) * 8u + n_arcs * 4u;
}

void dlm_graph_free(dlm_graph *g)
{
    if (!g)
        return;
    free(g->offsets);
    free(g->neighbors);
    memset(g, 0, sizeof *g);
}

/* Allocates the arrays of g for n vertices and n_arcs arcs. */
static dlm_status graph_alloc(dlm_graph *g, uint32_t n, uint64_t n_arcs, const char *what,
                              dlm_error *err)
{
    memset(g, 0, sizeof *g);
    g->offsets = dlm_graph_alloc_array((uint64_t)n + 1u, sizeof *g->offsets);
    g->neighbors = dlm_graph_alloc_array(n_arcs, sizeof *g->neighbors);
    if (!g->offsets || !g->neighbors) {
        dlm_graph_free(g);
        return dlm_graph_out_of_memory(err, what, dlm_graph_memory_bytes(n, n_arcs));
    }
    g->n = n;
    g->n_arcs = n_arcs;
    return DLM_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts a neighbour list ascending (insertion sort when short). */
static void sort_u32(uint32_t *a, uint64_t len)
{
    uint64_t i, j;
    if (len > 24) {
        qsort(a, (size_t)len, sizeof *a, cmp_u32);
        return;
    }
    for (i = 1; i < len; ++i) {
        uint32_t x = a[i];
        for (j = i; j > 0 && a[j - 1] > x; --j)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/* Builds *out on n vertices from m edges (edges[2i], edges[2i+1]), both arcs each. */
dlm_status dlm_graph_csr_from_edges(uint32_t n, const uint32_t *edges, uint64_t m,
                                    const char *what, dlm_graph *out, dlm_error *err)
{
    uint64_t i, *off;
    uint32_t v;
    dlm_status st = graph_alloc(out, n, 2u * m, what, err);
    if (st != DLM_OK)
        return st;
    off = out->offsets;
    memset(off, 0, ((size_t)n + 1u) * sizeof *off);
    for (i = 0; i < 2u * m; ++i)
        off[edges[i] + 1u]++;
    for (v = 0; v < n; ++v)
        off[v + 1u] += off[v];
    /* off[v] walks from v's start to its end, then the array shifts back by one. */
    for (i = 0; i < m; ++i) {
        uint32_t a = edges[2u * i], b = edges[2u * i + 1u];
        out->neighbors[off[a]++] = b;
        out->neighbors[off[b]++] = a;
    }
    for (v = n; v > 0; --v)
        off[v] = off[v - 1u];
    off[0] = 0;
    for (v = 0; v < n; ++v)
        sort_u32(out->neighbors + off[v], off[v + 1u] - off[v]);
    return DLM_OK;
}

/* ---- random draws (layout in graph.h) ------------------------------------------------ */

typedef struct draws {
    uint64_t seed, stream, block;
    dlm_u32x4 buf;
    unsigned pos;
} draws;

/* A reader of the words of `stream` in order, from block first_block on. */
static draws draws_at(uint64_t seed, uint64_t stream, uint64_t first_block)
{
    draws d;
    memset(&d, 0, sizeof d);
    d.seed = seed;
    d.stream = stream;
    d.block = first_block;
    d.pos = 4;
    return d;
}

/* The next 32-bit word. */
static uint32_t draw32(draws *d)
{
    if (d->pos == 4) {
        d->buf = dlm_philox_block(d->seed, d->stream, d->block++);
        d->pos = 0;
    }
    return d->buf.v[d->pos++];
}

/* A uniform integer in [0, r), r >= 1, exact by rejection (graph.h). */
static uint64_t draw_below(draws *d, uint64_t r)
{
    uint64_t x, t;
    if (r <= ((uint64_t)1 << 32)) {
        t = ((uint64_t)1 << 32) % r;
        do
            x = draw32(d);
        while (x < t);
    } else {
        t = (0u - r) % r;
        do {
            x = draw32(d);
            x |= (uint64_t)draw32(d) << 32;
        } while (x < t);
    }
    return x % r;
}

/* ---- a multiset of undirected edges (open addressing) -------------------------------- */

typedef struct edge_set {
    uint64_t *keys; /* UINT64_MAX = empty; a slot keeps its key when its count drops to 0 */
    uint32_t *counts;
    uint64_t cap, used;
} edge_set;

#define KEY_EMPTY UINT64_MAX

static uint64_t edge_key(uint32_t a, uint32_t b)
{
    return a < b ? ((uint64_t)a << 32) | b : ((uint64_t)b << 32) | a;
}

/* splitmix64's finaliser: spreads keys over the table. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Empties s into a table of at least 2 * expected + 16 slots; 0 when out of memory. */
static int set_init(edge_set *s, uint64_t expected)
{
    uint64_t cap = 16;
    while (cap < 2u * expected + 16u)
        cap *= 2u;
    free(s->keys);
    free(s->counts);
    s->keys = dlm_graph_alloc_array(cap, sizeof *s->keys);
    s->counts = dlm_graph_alloc_array(cap, sizeof *s->counts);
    s->cap = cap;
    s->used = 0;
    if (!s->keys || !s->counts)
        return 0;
    memset(s->keys, 0xFF, (size_t)cap * sizeof *s->keys);
    return 1;
}

static void set_free(edge_set *s)
{
    free(s->keys);
    free(s->counts);
    memset(s, 0, sizeof *s);
}

/* The slot holding key, or the empty slot where it would go. */
static uint64_t set_slot(const edge_set *s, uint64_t key)
{
    uint64_t i = mix64(key) & (s->cap - 1u);
    while (s->keys[i] != KEY_EMPTY && s->keys[i] != key)
        i = (i + 1u) & (s->cap - 1u);
    return i;
}

static uint32_t set_count(const edge_set *s, uint64_t key)
{
    uint64_t i = set_slot(s, key);
    return s->keys[i] == key ? s->counts[i] : 0u;
}

/* Adds delta (+1 or -1) to the multiplicity of key; 0 when out of memory. */
static int set_add(edge_set *s, uint64_t key, int delta)
{
    uint64_t i = set_slot(s, key);
    if (s->keys[i] == key) {
        s->counts[i] = (uint32_t)((int64_t)s->counts[i] + delta);
        return 1;
    }
    if (2u * (s->used + 1u) > s->cap) { /* rehash the live keys into a fresh table */
        edge_set t = {NULL, NULL, 0, 0};
        uint64_t j, live = 0;
        for (j = 0; j < s->cap; ++j)
            live += s->keys[j] != KEY_EMPTY && s->counts[j] > 0;
        if (!set_init(&t, 2u * live + 2u)) {
            set_free(&t);
            return 0;
        }
        for (j = 0; j < s->cap; ++j)
            if (s->keys[j] != KEY_EMPTY && s->counts[j] > 0) {
                uint64_t k = set_slot(&t, s->keys[j]);
                t.keys[k] = s->keys[j];
                t.counts[k] = s->counts[j];
                t.used++;
            }
        set_free(s);
        *s = t;
        i = set_slot(s, key);
    }
    s->keys[i] = key;
    s->counts[i] = 1;
    s->used++;
    return 1;
}

/* ---- lattice and ring ------------------------------------------------------------------ */

dlm_status dlm_graph_lattice(uint32_t width, uint32_t height, const char *neighbourhood,
                             int self_loops, dlm_graph *out, dlm_error *err)
{
    int moore;
    uint32_t deg;
    uint64_t n;
    int64_t y;
    dlm_status st;
    if (!out)
        return dlm_error_set(err, DLM_ERR_USAGE, "lattice: no output graph given");
    memset(out, 0, sizeof *out);
    if (!neighbourhood ||
        (strcmp(neighbourhood, "moore") != 0 && strcmp(neighbourhood, "von-neumann") != 0))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "lattice: neighbourhood \"%s\" is not known: use \"von-neumann\" "
                             "(4 neighbours) or \"moore\" (8 neighbours)",
                             neighbourhood ? neighbourhood : "(null)");
    if (self_loops != 0 && self_loops != 1)
        return dlm_error_set(err, DLM_ERR_USAGE, "lattice: self_loops is %d: use 0 or 1",
                             self_loops);
    if (width < 3 || height < 3)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "lattice %ux%u: width and height must be at least 3 (on a "
                             "periodic lattice narrower than 3 a site's neighbours coincide)",
                             width, height);
    n = (uint64_t)width * height;
    if (n > UINT32_MAX)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "lattice %ux%u: %llu sites, at most 4294967295 are allowed", width,
                             height, (unsigned long long)n);
    moore = strcmp(neighbourhood, "moore") == 0;
    deg = (moore ? 8u : 4u) + (uint32_t)self_loops;
    st = graph_alloc(out, (uint32_t)n, n * deg, "lattice", err);
    if (st != DLM_OK)
        return st;
#ifdef DLM_HAVE_OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (y = 0; y < (int64_t)height; ++y) {
        uint32_t x, yy = (uint32_t)y, rows[3], cols[3];
        rows[0] = (yy == 0 ? height - 1u : yy - 1u) * width;
        rows[1] = yy * width;
        rows[2] = (yy + 1u == height ? 0u : yy + 1u) * width;
        for (x = 0; x < width; ++x) {
            uint32_t v = rows[1] + x, nb[9], c = 0;
            uint64_t base = (uint64_t)v * deg, i;
            cols[0] = x == 0 ? width - 1u : x - 1u;
            cols[1] = x;
            cols[2] = x + 1u == width ? 0u : x + 1u;
            nb[c++] = rows[0] + cols[1];
            nb[c++] = rows[1] + cols[0];
            nb[c++] = rows[1] + cols[2];
            nb[c++] = rows[2] + cols[1];
            if (moore) {
                nb[c++] = rows[0] + cols[0];
                nb[c++] = rows[0] + cols[2];
                nb[c++] = rows[2] + cols[0];
                nb[c++] = rows[2] + cols[2];
            }
            if (self_loops)
                nb[c++] = v;
            sort_u32(nb, c);
            out->offsets[v] = base;
            for (i = 0; i < c; ++i)
                out->neighbors[base + i] = nb[i];
        }
    }
    out->offsets[n] = n * deg;
    snprintf(out->description, sizeof out->description, "square lattice %ux%u, %s, periodic%s",
             width, height, moore ? "Moore" : "von Neumann", self_loops ? ", self-loops" : "");
    return DLM_OK;
}

/* Checks ring-style parameters (k >= 1, 2k < n); names the generator in the message. */
static dlm_status check_ring(const char *what, uint32_t n, uint32_t k, dlm_error *err)
{
    if (k < 1 || 2u * (uint64_t)k >= n)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "%s: n = %u, k = %u: need k >= 1 and 2k < n (each vertex links to "
                             "its k nearest on each side, all distinct)", what, n, k);
    return DLM_OK;
}

/* Writes the 2k neighbours of v on the ring (n, k), ascending, to dst. */
static void ring_row(uint32_t n, uint32_t k, uint32_t v, uint32_t *dst)
{
    uint64_t s = ((uint64_t)v + n - k) % n, i, c = 0;
    uint64_t wrap = n - s; /* i >= wrap wraps past n - 1 */
    for (i = wrap; i <= 2u * (uint64_t)k; ++i)
        if (i != k)
            dst[c++] = (uint32_t)(s + i - n);
    for (i = 0; i < wrap && i <= 2u * (uint64_t)k; ++i)
        if (i != k)
            dst[c++] = (uint32_t)(s + i);
}

dlm_status dlm_graph_ring(uint32_t n, uint32_t k, dlm_graph *out, dlm_error *err)
{
    uint32_t v;
    dlm_status st;
    if (!out)
        return dlm_error_set(err, DLM_ERR_USAGE, "ring: no output graph given");
    memset(out, 0, sizeof *out);
    if ((st = check_ring("ring", n, k, err)) != DLM_OK)
        return st;
    if ((st = graph_alloc(out, n, (uint64_t)n * 2u * k, "ring", err)) != DLM_OK)
        return st;
    for (v = 0; v < n; ++v) {
        out->offsets[v] = (uint64_t)v * 2u * k;
        ring_row(n, k, v, out->neighbors + out->offsets[v]);
    }
    out->offsets[n] = out->n_arcs;
    snprintf(out->description, sizeof out->description, "ring n=%u, k=%u", n, k);
    return DLM_OK;
}

/* ---- random regular -------------------------------------------------------------------- */

/* 1 when edge i of e is a self-loop or one of several copies. */
static int edge_bad(const edge_set *s, const uint32_t *e, uint64_t i)
{
    return e[2u * i] == e[2u * i + 1u] || set_count(s, edge_key(e[2u * i], e[2u * i + 1u])) > 1u;
}

/* Fills e (n*d entries) with a simple d-regular edge list: pairing, then repair switches,
 * restarting with the next attempt's stream when the switches stall (graph.h). */
static dlm_status rr_edges(uint32_t n, uint32_t d, uint64_t seed, uint32_t *e, dlm_error *err)
{
    uint64_t stubs = (uint64_t)n * d, m = stubs / 2u, i, *bad = NULL;
    edge_set set = {NULL, NULL, 0, 0};
    uint32_t attempt;
    for (attempt = 0; attempt < DLM_GRAPH_RR_MAX_ATTEMPTS; ++attempt) {
        uint64_t stream = dlm_stream_id(DLM_PURPOSE_INIT, 0, DLM_GRAPH_GEN_RANDOM_REGULAR + attempt);
        draws dr = draws_at(seed, stream, 0);
        uint64_t nbad = 0, b, tries = 0, budget;
        int ok = 1;
        for (i = 0; i < stubs; ++i)
            e[i] = (uint32_t)(i / d);
        for (i = stubs - 1u; i > 0; --i) { /* Fisher-Yates */
            uint64_t j = draw_below(&dr, i + 1u);
            uint32_t t = e[i];
            e[i] = e[j];
            e[j] = t;
        }
        if (!set_init(&set, m))
            goto oom;
        for (i = 0; i < m; ++i)
            if (!set_add(&set, edge_key(e[2u * i], e[2u * i + 1u]), 1))
                goto oom;
        for (i = 0; i < m; ++i)
            if (edge_bad(&set, e, i)) {
                if (!bad && !(bad = dlm_graph_alloc_array(m, sizeof *bad)))
                    goto oom;
                bad[nbad++] = i;
            }
        budget = 64u * nbad + 1024u;
        for (b = 0; b < nbad && ok; ++b) {
            uint64_t x = bad[b];
            while (edge_bad(&set, e, x)) {
                uint64_t y = draw_below(&dr, m), k1, k2;
                uint32_t a = e[2u * x], a2 = e[2u * x + 1u], c, c2;
                int flip = (int)(draw32(&dr) & 1u);
                if (++tries > budget) {
                    ok = 0;
                    break;
                }
                c = flip ? e[2u * y + 1u] : e[2u * y];
                c2 = flip ? e[2u * y] : e[2u * y + 1u];
                if (y == x || a == c || a2 == c2)
                    continue;
                k1 = edge_key(a, c);
                k2 = edge_key(a2, c2);
                if (k1 == k2 || set_count(&set, k1) || set_count(&set, k2))
                    continue;
                set_add(&set, edge_key(a, a2), -1); /* existing keys: no allocation */
                set_add(&set, edge_key(e[2u * y], e[2u * y + 1u]), -1);
                if (!set_add(&set, k1, 1) || !set_add(&set, k2, 1))
                    goto oom;
                e[2u * x + 1u] = c; /* {a, a2}, {c, c2} -> {a, c}, {a2, c2} */
                e[2u * y] = a2;
                e[2u * y + 1u] = c2;
            }
        }
        if (ok) {
            free(bad);
            set_free(&set);
            return DLM_OK;
        }
    }
    free(bad);
    set_free(&set);
    return dlm_error_set(err, DLM_ERR_RUNTIME,
                         "random regular: n = %u, degree %u: no simple graph after %u pairings",
                         n, d, DLM_GRAPH_RR_MAX_ATTEMPTS);
oom:
    free(bad);
    set_free(&set);
    return dlm_graph_out_of_memory(err, "random regular", 20u * stubs);
}

dlm_status dlm_graph_random_regular(uint32_t n, uint32_t degree, uint64_t seed,
                                    dlm_graph *out, dlm_error *err)
{
    dlm_graph h;
    uint32_t dc, v, *e;
    dlm_status st;
    if (!out)
        return dlm_error_set(err, DLM_ERR_USAGE, "random regular: no output graph given");
    memset(out, 0, sizeof *out);
    memset(&h, 0, sizeof h);
    if (degree < 1 || degree >= n)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "random regular: degree %u with n = %u: need 1 <= degree < n",
                             degree, n);
    if (((uint64_t)n * degree) % 2u)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "random regular: n * degree = %u * %u is odd: the degrees of a "
                             "graph sum to twice its edge count, so n * degree must be even",
                             n, degree);
    /* Dense graphs are the complements of sparse ones: switches have room there. */
    dc = 2u * (uint64_t)degree > (uint64_t)n - 1u ? n - 1u - degree : degree;
    e = dlm_graph_alloc_array((uint64_t)n * dc, sizeof *e);
    if (!e)
        return dlm_graph_out_of_memory(err, "random regular", (uint64_t)n * dc * 4u);
    st = dc > 0 ? rr_edges(n, dc, seed, e, err) : DLM_OK;
    if (st == DLM_OK)
        st = dlm_graph_csr_from_edges(n, dc > 0 ? e : NULL, (uint64_t)n * dc / 2u,
                                      "random regular", &h, err);
    free(e);
    if (st != DLM_OK)
        return st;
    if (dc == degree) {
        *out = h;
    } else { /* complement of h */
        if ((st = graph_alloc(out, n, (uint64_t)n * degree, "random regular", err)) != DLM_OK) {
            dlm_graph_free(&h);
            return st;
        }
        for (v = 0; v < n; ++v) {
            uint64_t c = (uint64_t)v * degree, hi = h.offsets[v];
            uint32_t w;
            out->offsets[v] = c;
            for (w = 0; w < n; ++w) {
                if (hi < h.offsets[v + 1u] && h.neighbors[hi] == w) {
                    ++hi;
                    continue;
                }
                if (w != v)
                    out->neighbors[c++] = w;
            }
        }
        out->offsets[n] = out->n_arcs;
        dlm_graph_free(&h);
    }
    snprintf(out->description, sizeof out->description,
             "random %u-regular graph, n=%u, seed %llu", degree, n, (unsigned long long)seed);
    return DLM_OK;
}

/* ---- Erdos-Renyi ---------------------------------------------------------------------- */

typedef struct er_row {
    uint32_t *v;
    uint64_t len, cap;
} er_row;

/* Draws row u of G(n, p): the neighbours v > u, ascending; 1 when out of memory. */
static int er_draw_row(uint64_t seed, uint64_t stream, uint64_t thr, uint32_t n, uint32_t u,
                       er_row *row)
{
    uint32_t b, w;
    if (thr == 0 || u + 1u >= n)
        return 0;
    for (b = (u + 1u) >> 2; b <= (n - 1u) >> 2; ++b) {
        dlm_u32x4 blk = dlm_philox_block(seed, stream, ((uint64_t)u << 30) | b);
        for (w = 0; w < 4u; ++w) {
            uint32_t v = 4u * b + w;
            if (v <= u || v >= n || !dlm_fires(blk.v[w], thr))
                continue;
            if (row->len == row->cap) {
                uint64_t cap = row->cap ? 2u * row->cap : 16u;
                uint32_t *p = realloc(row->v, (size_t)cap * sizeof *p);
                if (!p)
                    return 1;
                row->v = p;
                row->cap = cap;
            }
            row->v[row->len++] = v;
        }
    }
    return 0;
}

dlm_status dlm_graph_erdos_renyi(uint32_t n, double p, uint64_t seed, dlm_graph *out,
                                 dlm_error *err)
{
    uint64_t stream = dlm_stream_id(DLM_PURPOSE_INIT, 0, DLM_GRAPH_GEN_ERDOS_RENYI);
    uint64_t thr, m = 0, i, *off;
    er_row *rows;
    int64_t uu;
    int failed = 0;
    uint32_t u;
    dlm_status st;
    if (!out)
        return dlm_error_set(err, DLM_ERR_USAGE, "erdos-renyi: no output graph given");
    memset(out, 0, sizeof *out);
    if (n < 2 || n > DLM_GRAPH_ER_MAX_N)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "erdos-renyi: n = %u: need 2 <= n <= %u (one exact draw per pair; "
                             "for larger sparse graphs use random-regular or an edge list)",
                             n, DLM_GRAPH_ER_MAX_N);
    if (!(p >= 0.0 && p <= 1.0))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "erdos-renyi: p = %g: a probability in [0, 1] is needed", p);
    thr = dlm_probability_threshold(p);
    rows = calloc(n, sizeof *rows);
    if (!rows)
        return dlm_graph_out_of_memory(err, "erdos-renyi", (uint64_t)n * sizeof *rows);
#ifdef DLM_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 64) reduction(| : failed)
#endif
    for (uu = 0; uu < (int64_t)n; ++uu)
        failed |= er_draw_row(seed, stream, thr, n, (uint32_t)uu, &rows[uu]);
    for (u = 0; u < n; ++u)
        m += rows[u].len;
    st = failed ? dlm_graph_out_of_memory(err, "erdos-renyi", 8u * m)
                : graph_alloc(out, n, 2u * m, "erdos-renyi", err);
    if (st == DLM_OK) { /* rows in order: every list comes out ascending */
        off = out->offsets;
        memset(off, 0, ((size_t)n + 1u) * sizeof *off);
        for (u = 0; u < n; ++u) {
            off[u + 1u] += rows[u].len;
            for (i = 0; i < rows[u].len; ++i)
                off[rows[u].v[i] + 1u]++;
        }
        for (u = 0; u < n; ++u)
            off[u + 1u] += off[u];
        for (u = 0; u < n; ++u)
            for (i = 0; i < rows[u].len; ++i) {
                out->neighbors[off[u]++] = rows[u].v[i];
                out->neighbors[off[rows[u].v[i]]++] = u;
            }
        for (u = n; u > 0; --u)
            off[u] = off[u - 1u];
        off[0] = 0;
        snprintf(out->description, sizeof out->description,
                 "Erdos-Renyi G(n=%u, p=%.17g), seed %llu", n, p, (unsigned long long)seed);
    }
    for (u = 0; u < n; ++u)
        free(rows[u].v);
    free(rows);
    return st;
}

/* ---- Barabasi-Albert ------------------------------------------------------------------- */

dlm_status dlm_graph_barabasi_albert(uint32_t n, uint32_t m, uint64_t seed, dlm_graph *out,
                                     dlm_error *err)
{
    uint64_t stream = dlm_stream_id(DLM_PURPOSE_INIT, 0, DLM_GRAPH_GEN_BARABASI_ALBERT);
    uint64_t n_edges, c = 0;
    uint32_t *e, *stamp, *targets, a, b, t, i;
    dlm_status st;
    if (!out)
        return dlm_error_set(err, DLM_ERR_USAGE, "barabasi-albert: no output graph given");
    memset(out, 0, sizeof *out);
    if (m < 1 || (uint64_t)m + 1u > n)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "barabasi-albert: n = %u, m = %u: need m >= 1 and n >= m + 1 (it "
                             "starts from a complete graph on m + 1 vertices)", n, m);
    n_edges = (uint64_t)m * (m + 1u) / 2u + (uint64_t)(n - m - 1u) * m;
    e = dlm_graph_alloc_array(2u * n_edges, sizeof *e);
    stamp = dlm_graph_alloc_array(n, sizeof *stamp);
    targets = dlm_graph_alloc_array(m, sizeof *targets);
    if (!e || !stamp || !targets) {
        free(e);
        free(stamp);
        free(targets);
        return dlm_graph_out_of_memory(err, "barabasi-albert", 8u * n_edges + 4u * n + 4u * m);
    }
    memset(stamp, 0xFF, (size_t)n * sizeof *stamp);
    for (b = 1; b <= m; ++b)
        for (a = 0; a < b; ++a) {
            e[2u * c] = a;
            e[2u * c + 1u] = b;
            ++c;
        }
    /* e read flat is the list of edge ends: a uniform entry is a degree-weighted vertex. */
    for (t = m + 1u; t < n; ++t) {
        draws dr = draws_at(seed, stream, (uint64_t)t << 30);
        for (i = 0; i < m;) {
            uint32_t x = e[draw_below(&dr, 2u * c)];
            if (stamp[x] == t)
                continue;
            stamp[x] = t;
            targets[i++] = x;
        }
        for (i = 0; i < m; ++i, ++c) {
            e[2u * c] = t;
            e[2u * c + 1u] = targets[i];
        }
    }
    st = dlm_graph_csr_from_edges(n, e, n_edges, "barabasi-albert", out, err);
    free(e);
    free(stamp);
    free(targets);
    if (st == DLM_OK)
        snprintf(out->description, sizeof out->description,
                 "Barabasi-Albert n=%u, m=%u (seed K%u), seed %llu", n, m, m + 1u,
                 (unsigned long long)seed);
    return st;
}

/* ---- Watts-Strogatz ------------------------------------------------------------------- */

dlm_status dlm_graph_watts_strogatz(uint32_t n, uint32_t k, double beta, uint64_t seed,
                                    dlm_graph *out, dlm_error *err)
{
    uint64_t stream = dlm_stream_id(DLM_PURPOSE_INIT, 0, DLM_GRAPH_GEN_WATTS_STROGATZ);
    uint64_t m = (uint64_t)n * k, thr, idx;
    uint32_t *e, *deg, u, j;
    edge_set set = {NULL, NULL, 0, 0};
    dlm_status st;
    if (!out)
        return dlm_error_set(err, DLM_ERR_USAGE, "watts-strogatz: no output graph given");
    memset(out, 0, sizeof *out);
    if ((st = check_ring("watts-strogatz", n, k, err)) != DLM_OK)
        return st;
    if (!(beta >= 0.0 && beta <= 1.0))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "watts-strogatz: beta = %g: a probability in [0, 1] is needed", beta);
    if (m > UINT32_MAX)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "watts-strogatz: n * k = %llu: must be below 2^32 (each ring edge "
                             "owns a window of draws)", (unsigned long long)m);
    thr = dlm_probability_threshold(beta);
    e = dlm_graph_alloc_array(2u * m, sizeof *e);
    deg = dlm_graph_alloc_array(n, sizeof *deg);
    if (!e || !deg || (thr > 0 && !set_init(&set, m)))
        goto oom;
    for (j = 1; j <= k; ++j)
        for (u = 0; u < n; ++u) {
            idx = (uint64_t)(j - 1u) * n + u;
            e[2u * idx] = u;
            e[2u * idx + 1u] = (uint32_t)(((uint64_t)u + j) % n);
            if (thr > 0 && !set_add(&set, edge_key(u, e[2u * idx + 1u]), 1))
                goto oom;
        }
    for (u = 0; u < n; ++u)
        deg[u] = 2u * k;
    for (idx = 0; thr > 0 && idx < m; ++idx) { /* lap j = idx / n + 1, vertex u = idx % n */
        draws dr = draws_at(seed, stream, idx << 30);
        uint32_t w, v = e[2u * idx + 1u];
        u = e[2u * idx];
        if (!dlm_fires(draw32(&dr), thr) || deg[u] >= n - 1u)
            continue;
        do
            w = (uint32_t)draw_below(&dr, n);
        while (w == u || set_count(&set, edge_key(u, w)) > 0);
        set_add(&set, edge_key(u, v), -1);
        if (!set_add(&set, edge_key(u, w), 1))
            goto oom;
        deg[v]--;
        deg[w]++;
        e[2u * idx + 1u] = w;
    }
    set_free(&set);
    free(deg);
    st = dlm_graph_csr_from_edges(n, e, m, "watts-strogatz", out, err);
    free(e);
    if (st == DLM_OK)
        snprintf(out->description, sizeof out->description,
                 "Watts-Strogatz n=%u, k=%u, beta=%.17g, seed %llu", n, k, beta,
                 (unsigned long long)seed);
    return st;
oom:
    set_free(&set);
    free(deg);
    free(e);
    return dlm_graph_out_of_memory(err, "watts-strogatz", 8u * m + 12u * 2u * m + 4u * n);
}

/* ---- queries ------------------------------------------------------------------------- */

uint32_t dlm_graph_degree(const dlm_graph *g, uint32_t v)
{
    if (!g || !g->offsets || v >= g->n)
        return 0;
    return (uint32_t)(g->offsets[v + 1u] - g->offsets[v]);
}

uint32_t dlm_graph_count_isolated(const dlm_graph *g, uint32_t *first)
{
    uint32_t v, count = 0;
    if (first)
        *first = g ? g->n : 0;
    for (v = 0; g && g->offsets && v < g->n; ++v)
        if (g->offsets[v + 1u] == g->offsets[v] && count++ == 0 && first)
            *first = v;
    return count;
}

/* 1 when the sorted list a[0..len) holds x. */
static int holds(const uint32_t *a, uint64_t len, uint32_t x)
{
    uint64_t lo = 0, hi = len;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2u;
        if (a[mid] < x)
            lo = mid + 1u;
        else
            hi = mid;
    }
    return lo < len && a[lo] == x;
}

dlm_status dlm_graph_check(const dlm_graph *g, dlm_error *err)
{
    uint32_t v;
    uint64_t i;
    if (!g || !g->offsets || (g->n_arcs && !g->neighbors))
        return dlm_error_set(err, DLM_ERR_USAGE, "graph check: missing graph or arrays");
    if (g->offsets[0] != 0 || g->offsets[g->n] != g->n_arcs)
        return dlm_error_set(err, DLM_ERR_USAGE, "graph check: offsets must run from 0 to "
                             "n_arcs = %llu; they run from %llu to %llu",
                             (unsigned long long)g->n_arcs, (unsigned long long)g->offsets[0],
                             (unsigned long long)g->offsets[g->n]);
    for (v = 0; v < g->n; ++v) {
        if (g->offsets[v + 1u] < g->offsets[v] || g->offsets[v + 1u] > g->n_arcs)
            return dlm_error_set(err, DLM_ERR_USAGE, "graph check: offsets[%u] = %llu and "
                                 "offsets[%u] = %llu: must be non-decreasing, at most n_arcs",
                                 v, (unsigned long long)g->offsets[v], v + 1u,
                                 (unsigned long long)g->offsets[v + 1u]);
        for (i = g->offsets[v]; i < g->offsets[v + 1u]; ++i) {
            if (g->neighbors[i] >= g->n)
                return dlm_error_set(err, DLM_ERR_USAGE, "graph check: vertex %u has neighbour "
                                     "%u: ids must be below n = %u", v, g->neighbors[i], g->n);
            if (i > g->offsets[v] && g->neighbors[i] <= g->neighbors[i - 1u])
                return dlm_error_set(err, DLM_ERR_USAGE, "graph check: vertex %u lists %u after "
                                     "%u: neighbours must be strictly ascending (no duplicate "
                                     "arcs)", v, g->neighbors[i], g->neighbors[i - 1u]);
        }
    }
    for (v = 0; v < g->n; ++v)
        for (i = g->offsets[v]; i < g->offsets[v + 1u]; ++i) {
            uint32_t w = g->neighbors[i];
            if (!holds(g->neighbors + g->offsets[w], g->offsets[w + 1u] - g->offsets[w], v))
                return dlm_error_set(err, DLM_ERR_USAGE, "graph check: arc %u->%u has no "
                                     "reverse %u->%u: the graph must be symmetric", v, w, w, v);
        }
    return DLM_OK;
}

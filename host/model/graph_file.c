/* graph_file.c — reading a population structure from an edge-list file into CSR
 * (dlm_graph_read_edge_list; the file format is in graph.h). Lines are read in bounded
 * pieces, edges are collected with the line they came from so that every error names
 * file and line, then sorted, merged ("u v" with "v u") and assembled by graph.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/graph.h"
#include "model/graph_internal.h"

/* ---- edge-list files ------------------------------------------------------------------- */

#define LINE_CAP 4096
/* An edge list is refused past this size (2^36 bytes = 64 GiB: about 4 x 10^9 edges). */
#define DLM_EDGE_LIST_MAX_BYTES ((uint64_t)1 << 36)

typedef struct line_reader {
    FILE *f;
    unsigned char buf[1 << 16];
    size_t pos, len;
    uint64_t total; /* bytes read */
    int eof, error, too_big;
} line_reader;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Reads the next line, without its '\n', into line (at most LINE_CAP - 1 bytes, then
 * NUL-terminated); returns 0 at end of file. *overlong: the line had more bytes (they are
 * skipped); *nul: it held a NUL byte. */
static int next_line(line_reader *r, char *line, int *overlong, int *nul)
{
    size_t n = 0;
    int any = 0;
    *overlong = *nul = 0;
    for (;;) {
        unsigned char c;
        if (r->pos == r->len) {
            if (r->eof)
                break;
            r->len = fread(r->buf, 1, sizeof r->buf, r->f);
            r->pos = 0;
            if (r->len == 0) {
                r->eof = 1;
                if (ferror(r->f))
                    r->error = errno ? errno : EIO;
                break;
            }
        }
        any = 1;
        c = r->buf[r->pos++];
        if (++r->total > DLM_EDGE_LIST_MAX_BYTES) {
            r->too_big = 1;
            break;
        }
        if (c == '\n')
            break;
        if (c == 0) { /* not text: no need to read on (/dev/zero never ends) */
            *nul = 1;
            break;
        }
        if (n < LINE_CAP - 1) {
            line[n++] = (char)c;
        } else {
            size_t k = 0;
            *overlong = 1;
            while (k < n && is_blank(line[k]))
                ++k;
            if (k == n || line[k] != '#') /* an edge line that long is an error already */
                break;
        }
    }
    line[n] = 0;
    return any;
}

enum { TOK_NONE, TOK_OK, TOK_NEGATIVE, TOK_NOT_INTEGER, TOK_TOO_LARGE };

/* Parses the token at *pp (up to a blank, '#' or the end) as a vertex id below 2^32 - 1;
 * copies it, printable and shortened, to shown; advances *pp past it. */
static int parse_id(const char **pp, uint64_t *value, char shown[48])
{
    const char *p = *pp, *s;
    size_t len, i, c = 0;
    int digits = 1, big = 0;
    uint64_t x = 0;
    while (is_blank(*p))
        ++p;
    for (s = p; *p && *p != '#' && !is_blank(*p); ++p)
        ;
    *pp = p;
    len = (size_t)(p - s);
    for (i = 0; i < len && c < 40; ++i)
        shown[c++] = (s[i] >= 0x21 && s[i] <= 0x7e) ? s[i] : '?';
    if (i < len)
        shown[c++] = '.', shown[c++] = '.', shown[c++] = '.';
    shown[c] = 0;
    if (len == 0)
        return TOK_NONE;
    for (i = s[0] == '-' && len > 1; i < len; ++i) {
        if (s[i] < '0' || s[i] > '9')
            digits = 0;
        else if (!big && (x = 10u * x + (uint64_t)(s[i] - '0')) >= UINT32_MAX)
            big = 1;
    }
    *value = x;
    if (!digits)
        return TOK_NOT_INTEGER;
    if (s[0] == '-')
        return TOK_NEGATIVE;
    return big ? TOK_TOO_LARGE : TOK_OK;
}

typedef struct edge_rec {
    uint32_t a, b; /* a < b */
    uint64_t tag;  /* line << 1 | 1 when written "b a" */
} edge_rec;

static int cmp_rec(const void *x, const void *y)
{
    const edge_rec *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return (p->tag > q->tag) - (p->tag < q->tag);
}

/* The reading state of one file. */
typedef struct el_state {
    const char *path;
    uint64_t n;      /* fixed vertex count, 0 while unknown */
    uint64_t n_line; /* header line, 0 when none */
    uint64_t max_id, nrec, cap, first_edge_line;
    edge_rec *recs;
} el_state;

static const char *TOKEN_WHY[] = {"", "", "a negative id", "not a non-negative integer",
                                  "too large (ids must be below 4294967295)"};

/* Parses one line (NUL-free, at most LINE_CAP - 1 bytes) numbered ln into st. */
static dlm_status parse_line(el_state *st, const char *line, uint64_t ln, uint32_t n_hint,
                             dlm_error *err)
{
    const char *p = line;
    char shown[2][48];
    uint64_t id[2];
    unsigned long long L = ln;
    int i, r;
    while (is_blank(*p))
        ++p;
    if (*p == 0)
        return DLM_OK;
    if (*p == '#') { /* a comment, or the header "# n = <count>" */
        const char *q = p + 1;
        while (is_blank(*q))
            ++q;
        if (*q != 'n')
            return DLM_OK;
        for (++q; is_blank(*q); ++q)
            ;
        if (*q != '=')
            return DLM_OK;
        ++q;
        r = parse_id(&q, &id[0], shown[0]);
        while (is_blank(*q))
            ++q;
        if ((r != TOK_OK && r != TOK_TOO_LARGE) || *q || id[0] == 0 || id[0] > UINT32_MAX)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "%s:%llu: header '%.60s' is not '# n = <count>' with a count "
                                 "from 1 to 4294967295", st->path, L, p);
        if (st->n_line)
            return dlm_error_set(err, DLM_ERR_USAGE, "%s:%llu: a second '# n = ' header (the "
                                 "first is on line %llu): give n once", st->path, L,
                                 (unsigned long long)st->n_line);
        if (st->nrec)
            return dlm_error_set(err, DLM_ERR_USAGE, "%s:%llu: the header '# n = ' must come "
                                 "before the first edge (line %llu)", st->path, L,
                                 (unsigned long long)st->first_edge_line);
        if (n_hint && id[0] != n_hint)
            return dlm_error_set(err, DLM_ERR_USAGE, "%s:%llu: the header says n = %llu but "
                                 "n = %u was asked for: they must agree", st->path, L,
                                 (unsigned long long)id[0], n_hint);
        st->n = id[0];
        st->n_line = ln;
        return DLM_OK;
    }
    for (i = 0; i < 2; ++i) {
        r = parse_id(&p, &id[i], shown[i]);
        if (r == TOK_NONE)
            return dlm_error_set(err, DLM_ERR_USAGE, "%s:%llu: expected an edge 'u v' (two "
                                 "0-based vertex ids), a '# comment' or a blank line; found "
                                 "%d id%s", st->path, L, i, i == 1 ? "" : "s");
        if (r != TOK_OK)
            return dlm_error_set(err, DLM_ERR_USAGE, "%s:%llu: vertex id '%s' is %s: ids are "
                                 "0-based decimal integers", st->path, L, shown[i], TOKEN_WHY[r]);
        if (st->n && id[i] >= st->n)
            return dlm_error_set(err, DLM_ERR_USAGE, "%s:%llu: vertex id %llu is out of range: "
                                 "n = %llu (%s), so ids run from 0 to %llu", st->path, L,
                                 (unsigned long long)id[i], (unsigned long long)st->n,
                                 st->n_line ? "from the header" : "as asked for",
                                 (unsigned long long)st->n - 1u);
    }
    while (is_blank(*p))
        ++p;
    if (*p && *p != '#')
        return dlm_error_set(err, DLM_ERR_USAGE, "%s:%llu: more than two fields: an edge line "
                             "is 'u v' (weighted or multi-column edge lists are not supported)",
                             st->path, L);
    if (id[0] == id[1])
        return dlm_error_set(err, DLM_ERR_USAGE, "%s:%llu: self-loop '%llu %llu': an agent "
                             "does not play itself here (the lattice's self_loops option gives "
                             "the Nowak-May self-interaction)", st->path, L,
                             (unsigned long long)id[0], (unsigned long long)id[1]);
    if (st->nrec == st->cap) {
        uint64_t cap = st->cap ? 2u * st->cap : 1024u;
        edge_rec *q = cap < SIZE_MAX / sizeof *q ? realloc(st->recs, (size_t)cap * sizeof *q)
                                                 : NULL;
        if (!q)
            return dlm_graph_out_of_memory(err, st->path, cap * sizeof *q);
        st->recs = q;
        st->cap = cap;
    }
    if (!st->nrec)
        st->first_edge_line = ln;
    st->recs[st->nrec].a = (uint32_t)(id[0] < id[1] ? id[0] : id[1]);
    st->recs[st->nrec].b = (uint32_t)(id[0] < id[1] ? id[1] : id[0]);
    st->recs[st->nrec].tag = ln << 1 | (id[0] > id[1]);
    st->nrec++;
    if (id[0] > st->max_id || id[1] > st->max_id)
        st->max_id = id[0] > id[1] ? id[0] : id[1];
    return DLM_OK;
}

/* Sorts st's edges, merges "u v" with "v u" and compacts them into e (2 per edge);
 * a true duplicate is an error naming the earliest repeated line. */
static dlm_status merge_edges(el_state *st, uint32_t *e, uint64_t *m, dlm_error *err)
{
    uint64_t i = 0, j, k = 0, dup = 0, first = 0;
    qsort(st->recs, (size_t)st->nrec, sizeof *st->recs, cmp_rec);
    for (; i < st->nrec; i = j) {
        uint64_t seen[2] = {0, 0};
        for (j = i; j < st->nrec && st->recs[j].a == st->recs[i].a && st->recs[j].b == st->recs[i].b;
             ++j) {
            uint64_t dir = st->recs[j].tag & 1u;
            if (seen[dir] && (!dup || (st->recs[j].tag >> 1) < (st->recs[dup - 1u].tag >> 1))) {
                dup = j + 1u;
                first = seen[dir] >> 1;
            }
            if (!seen[dir])
                seen[dir] = st->recs[j].tag;
        }
        e[2u * k] = st->recs[i].a;
        e[2u * k + 1u] = st->recs[i].b;
        ++k;
    }
    *m = k;
    if (dup) {
        const edge_rec *r = &st->recs[dup - 1u];
        return dlm_error_set(err, DLM_ERR_USAGE, "%s:%llu: duplicate edge '%u %u' (already on "
                             "line %llu): list each edge once, or once in each direction "
                             "('u v' and 'v u')", st->path, (unsigned long long)(r->tag >> 1),
                             (r->tag & 1u) ? r->b : r->a, (r->tag & 1u) ? r->a : r->b,
                             (unsigned long long)first);
    }
    return DLM_OK;
}

dlm_status dlm_graph_read_edge_list(const char *path, uint32_t n_hint, dlm_graph *out,
                                    dlm_error *err)
{
    el_state st;
    line_reader *r = NULL;
    char *line = NULL;
    uint32_t *e = NULL, first;
    uint64_t ln = 0, m = 0, n_iso;
    int overlong, nul;
    dlm_status s = DLM_OK;
    const char *src;
    if (!out)
        return dlm_error_set(err, DLM_ERR_USAGE, "edge list: no output graph given");
    memset(out, 0, sizeof *out);
    memset(&st, 0, sizeof st);
    st.path = path ? path : "(null)";
    st.n = n_hint;
    r = calloc(1, sizeof *r);
    line = malloc(LINE_CAP);
    if (!r || !line) {
        s = dlm_graph_out_of_memory(err, st.path, sizeof *r + LINE_CAP);
        goto done;
    }
    if (!path || !(r->f = fopen(path, "rb"))) {
        s = dlm_error_set(err, DLM_ERR_USAGE, "%s: cannot open the edge list: %s", st.path,
                          path ? strerror(errno) : "no path given");
        goto done;
    }
    while (s == DLM_OK && next_line(r, line, &overlong, &nul)) {
        const char *p = line;
        unsigned long long L = ++ln;
        while (is_blank(*p))
            ++p;
        if (r->too_big)
            s = dlm_error_set(err, DLM_ERR_USAGE, "%s:%llu: the edge list goes on past %llu "
                              "bytes, the most dilemma reads", st.path, L,
                              (unsigned long long)DLM_EDGE_LIST_MAX_BYTES);
        else if (nul)
            s = dlm_error_set(err, DLM_ERR_USAGE, "%s:%llu: a NUL byte: this is not a text edge "
                              "list (expected lines 'u v')", st.path, L);
        else if (overlong && *p != '#')
            s = dlm_error_set(err, DLM_ERR_USAGE, "%s:%llu: line longer than %d bytes (an edge "
                              "line is 'u v')", st.path, L, LINE_CAP - 1);
        else if (!overlong)
            s = parse_line(&st, line, ln, n_hint, err);
    }
    if (s == DLM_OK && r->error)
        s = dlm_error_set(err, r->error == EISDIR ? DLM_ERR_USAGE : DLM_ERR_RUNTIME,
                          "%s: cannot read the edge list: %s", st.path, strerror(r->error));
    if (s != DLM_OK)
        goto done;
    src = st.n_line ? "from the header" : n_hint ? "as asked for" : "the largest id + 1";
    if (st.nrec == 0) {
        s = dlm_error_set(err, DLM_ERR_USAGE, "%s: no edges (expected lines 'u v' with 0-based "
                          "vertex ids)", st.path);
        goto done;
    }
    if (!st.n)
        st.n = st.max_id + 1u;
    if (st.n > 2u * st.nrec) {
        s = dlm_error_set(err, DLM_ERR_USAGE, "%s: n = %llu (%s) but %llu edge lines touch at "
                          "most %llu vertices: every vertex needs at least one neighbour to play with",
                          st.path, (unsigned long long)st.n, src,
                          (unsigned long long)st.nrec, (unsigned long long)(2u * st.nrec));
        goto done;
    }
    if (!(e = dlm_graph_alloc_array(2u * st.nrec, sizeof *e))) {
        s = dlm_graph_out_of_memory(err, st.path, 8u * st.nrec);
        goto done;
    }
    if ((s = merge_edges(&st, e, &m, err)) != DLM_OK)
        goto done;
    free(st.recs);
    st.recs = NULL;
    if ((s = dlm_graph_csr_from_edges((uint32_t)st.n, e, m, st.path, out, err)) != DLM_OK)
        goto done;
    if ((n_iso = dlm_graph_count_isolated(out, &first)) > 0) {
        s = dlm_error_set(err, DLM_ERR_USAGE, "%s: vertex %u has no edges (%llu isolated in all, "
                          "n = %llu, %s): every vertex needs at least one neighbour to play with",
                          st.path, first, (unsigned long long)n_iso, (unsigned long long)st.n,
                          src);
        dlm_graph_free(out);
        goto done;
    }
    snprintf(out->description, sizeof out->description, "edge list %.100s: n=%u, %llu edges",
             st.path, out->n, (unsigned long long)m);
done:
    if (r && r->f)
        fclose(r->f);
    free(r);
    free(line);
    free(e);
    free(st.recs);
    return s;
}

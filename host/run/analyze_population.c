/* analyze_population.c — exact answers for a finite well-mixed population of k types
 * (analyze_population.h says what the chain is and which answers it gives).
 *
 * The transition probabilities use the model's own dlm_exp and dlm_fermi, so the
 * fitness of a payoff is the very number the simulator computes. Closed forms are summed
 * in logarithms (long double), so a strong selection that makes products of T-/T+
 * overflow leaves the answers finite.
 */
#include "run/analyze_population.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlm_math.h"

/* ---- one event ------------------------------------------------------------------------ */

/* Each type's payoff in the population `c` (a type that is absent gets 0: never used). */
static void type_payoffs(const dlm_pop_model *m, const uint32_t *c, double *pi)
{
    uint32_t a, b;
    for (a = 0; a < m->k; ++a) {
        double s = 0.0;
        if (c[a] == 0) {
            pi[a] = 0.0;
            continue;
        }
        for (b = 0; b < m->k; ++b)
            s += (double)c[b] * m->payoff[a * m->k + b];
        s -= m->payoff[a * m->k + a]; /* nobody plays itself */
        pi[a] = m->accumulate_total ? s : s / (double)(m->n - 1);
    }
}

/* The simulator's fitness map (kernels/dlm_evolve.h, dlm_fitness). */
static double fitness_of(const dlm_pop_model *m, double pi)
{
    if (m->exponential)
        return dlm_exp(m->selection * pi);
    return 1.0 - m->selection + m->selection * pi;
}

/* P(the new agent is type `to`) when it would be type `parent`: mutation included. */
static double offspring(const dlm_pop_model *m, uint32_t parent, uint32_t to)
{
    return (parent == to ? 1.0 - m->mutation : 0.0) + m->mutation * m->mutant_weight[to];
}

double dlm_pop_transition(const dlm_pop_model *m, const uint32_t *c, uint32_t from, uint32_t to)
{
    double pi[DLM_POP_MAX_TYPES], f[DLM_POP_MAX_TYPES], total = 0.0, p = 0.0;
    double n = (double)m->n;
    uint32_t s;
    if (from == to || c[from] == 0)
        return 0.0;
    type_payoffs(m, c, pi);
    if (m->rule == DLM_POP_FERMI) {
        for (s = 0; s < m->k; ++s) {
            double others = (double)c[s] - (s == from ? 1.0 : 0.0), adopt;
            if (others <= 0.0)
                continue;
            adopt = dlm_fermi(m->selection, pi[s] - pi[from]);
            p += others / (n - 1.0) *
                 (adopt * offspring(m, s, to) + (1.0 - adopt) * offspring(m, from, to));
        }
        return (double)c[from] / n * p;
    }
    for (s = 0; s < m->k; ++s)
        f[s] = c[s] ? fitness_of(m, pi[s]) : 0.0;
    if (m->rule == DLM_POP_MORAN_DB) {
        for (s = 0; s < m->k; ++s)
            total += ((double)c[s] - (s == from ? 1.0 : 0.0)) * f[s];
        if (total <= 0.0)
            return 0.0;
        for (s = 0; s < m->k; ++s)
            p += ((double)c[s] - (s == from ? 1.0 : 0.0)) * f[s] / total * offspring(m, s, to);
        return (double)c[from] / n * p;
    }
    for (s = 0; s < m->k; ++s) /* moran-bd */
        total += (double)c[s] * f[s];
    if (total <= 0.0)
        return 0.0;
    for (s = 0; s < m->k; ++s) {
        double dies = m->death_any ? (double)c[from] / n
                                   : ((double)c[from] - (s == from ? 1.0 : 0.0)) / (n - 1.0);
        p += (double)c[s] * f[s] / total * offspring(m, s, to) * dies;
    }
    return p;
}

/* ---- fixation ------------------------------------------------------------------------- */

/* log(exp(a) + exp(b)), with -inf allowed. */
static long double log_add(long double a, long double b)
{
    long double hi = a > b ? a : b, lo = a > b ? b : a;
    if (isinf(hi) && hi < 0)
        return hi;
    return hi + log1pl(expl(lo - hi));
}

dlm_pop_fixation dlm_pop_fix_birth_death(const double *t_plus, const double *t_minus, uint32_t n)
{
    dlm_pop_fixation out = {0.0, NAN};
    long double *L = malloc(3u * (size_t)n * sizeof *L), *prefix, *suffix, all, time = 0.0L;
    uint32_t i;
    if (!L)
        return (dlm_pop_fixation){NAN, NAN};
    prefix = L + n;
    suffix = L + 2u * n;
    /* L[i] = log prod_{j<=i} gamma_j, gamma_j = T-_j / T+_j; phi_l = sum_{i<l} e^L[i] / sum_{i<n} e^L[i]. */
    L[0] = 0.0L;
    for (i = 1; i < n; ++i) {
        if (!(t_plus[i - 1] > 0.0)) { /* the mutants can never grow past i */
            free(L);
            return out;
        }
        L[i] = L[i - 1] + logl((long double)t_minus[i - 1]) - logl((long double)t_plus[i - 1]);
    }
    prefix[0] = -INFINITY; /* prefix[l] = log sum_{i<l} e^L[i] */
    for (i = 1; i < n; ++i)
        prefix[i] = log_add(prefix[i - 1], L[i - 1]);
    all = log_add(prefix[n - 1], L[n - 1]);
    out.probability = (double)expl(-all);
    /* suffix[l] = log sum_{k=l}^{n-1} prod_{m=l+1}^{k} gamma_m = log(1 + gamma_{l+1} e^suffix[l+1]);
       t_1 = sum_l phi_l / T+_l * e^suffix[l] (Traulsen & Hauert 2009, the conditional time). */
    suffix[n - 1] = 0.0L;
    for (i = n - 2; i >= 1; --i)
        suffix[i] = log_add(0.0L, L[i + 1] - L[i] + suffix[i + 1]);
    for (i = 1; i < n; ++i)
        time += expl(prefix[i] - all - logl((long double)t_plus[i - 1]) + suffix[i]);
    out.time_events = (double)time;
    free(L);
    return out;
}

dlm_pop_fixation dlm_pop_fix(const dlm_pop_model *m, uint32_t resident, uint32_t mutant)
{
    dlm_pop_model plain = *m;
    uint32_t c[DLM_POP_MAX_TYPES] = {0}, j;
    double *t = malloc(2u * (size_t)m->n * sizeof *t);
    dlm_pop_fixation out;
    if (!t)
        return (dlm_pop_fixation){NAN, NAN};
    plain.mutation = 0.0;
    for (j = 1; j < m->n; ++j) {
        c[mutant] = j;
        c[resident] = m->n - j;
        t[j - 1] = dlm_pop_transition(&plain, c, resident, mutant);
        t[m->n + j - 1] = dlm_pop_transition(&plain, c, mutant, resident);
    }
    out = dlm_pop_fix_birth_death(t, t + m->n, m->n);
    free(t);
    return out;
}

/* ---- stationary distributions --------------------------------------------------------- */

dlm_status dlm_pop_stationary_band(double *q, size_t s, size_t band, double *pi, dlm_error *err)
{
    size_t w = 2 * band + 1, n, i, j;
    double total = 0.0;
#define Q(r, c) q[(r) * w + ((c) + band - (r))]
    /* GTH (Grassmann, Taksar & Heyman 1985): eliminate the last state, folding its paths
       into the others; rates stay non-negative and nothing is subtracted. */
    for (n = s - 1; n >= 1; --n) {
        size_t lo = n > band ? n - band : 0;
        double out = 0.0;
        for (j = lo; j < n; ++j)
            out += Q(n, j);
        if (!(out > 0.0))
            return dlm_error_set(err, DLM_ERR_RUNTIME,
                                 "the chain is reducible (state %zu reaches none before it): "
                                 "it has no unique stationary distribution", n);
        for (i = lo; i < n; ++i)
            Q(i, n) /= out;
        for (i = lo; i < n; ++i) {
            double via = Q(i, n);
            if (via == 0.0)
                continue;
            for (j = lo; j < n; ++j)
                if (j != i)
                    Q(i, j) += via * Q(n, j);
        }
    }
    pi[0] = 1.0;
    for (j = 1; j < s; ++j) {
        size_t lo = j > band ? j - band : 0;
        double v = 0.0;
        for (i = lo; i < j; ++i)
            v += pi[i] * Q(i, j);
        pi[j] = v;
    }
#undef Q
    for (j = 0; j < s; ++j)
        total += pi[j];
    for (j = 0; j < s; ++j)
        pi[j] /= total;
    return DLM_OK;
}

/* The states of the one closed class of the k-state chain `transition` (row-major) into
 * member (1 = in it): a chain whose fixation probabilities underflow to 0 (strong
 * selection) is reducible, but its stationary distribution is unique and lives on its
 * closed class when there is one. DLM_ERR_RUNTIME when there are several. */
static dlm_status closed_class(const double *transition, uint32_t k, int *member, dlm_error *err)
{
    unsigned char reach[DLM_POP_MAX_TYPES][DLM_POP_MAX_TYPES];
    uint32_t i, j, m, classes = 0, first = 0;
    for (i = 0; i < k; ++i)
        for (j = 0; j < k; ++j)
            reach[i][j] = i == j || transition[i * k + j] > 0.0;
    for (m = 0; m < k; ++m) /* Warshall: the transitive closure */
        for (i = 0; i < k; ++i)
            if (reach[i][m])
                for (j = 0; j < k; ++j)
                    reach[i][j] |= reach[m][j];
    for (i = 0; i < k; ++i) {
        member[i] = 1; /* closed: everything i reaches reaches i back */
        for (j = 0; j < k && member[i]; ++j)
            if (reach[i][j] && !reach[j][i])
                member[i] = 0;
    }
    for (i = 0; i < k; ++i)
        if (member[i]) {
            int seen = 0;
            for (j = 0; j < i; ++j)
                seen |= member[j] && reach[i][j];
            if (!seen && classes++ == 0)
                first = i;
        }
    if (classes > 1) {
        for (j = first + 1; j < k && !(member[j] && !reach[first][j]); ++j)
            ;
        return dlm_error_set(err, DLM_ERR_RUNTIME,
                             "the rare-mutation chain has %u closed classes (types %u and %u "
                             "can never be left): its fixation probabilities underflow in "
                             "doubles; lower the selection strength or the payoff differences",
                             classes, first + 1, j + 1);
    }
    return DLM_OK;
}

dlm_status dlm_pop_small_mutation(const dlm_pop_model *m, double *transition, double *stationary,
                                  dlm_pop_fixation *fixation, dlm_error *err)
{
    uint32_t k = m->k, i, j, s = 0, a, b;
    int member[DLM_POP_MAX_TYPES];
    uint32_t index[DLM_POP_MAX_TYPES];
    double pi[DLM_POP_MAX_TYPES];
    double *q;
    size_t w;
    dlm_status st;
    for (i = 0; i < k; ++i) {
        double away = 0.0, stay = 1.0;
        for (j = 0; j < k; ++j)
            away += j == i ? 0.0 : m->mutant_weight[j];
        for (j = 0; j < k; ++j) {
            dlm_pop_fixation fx = {NAN, NAN};
            double t = 0.0;
            if (j != i) {
                fx = dlm_pop_fix(m, i, j);
                t = away > 0.0 ? m->mutant_weight[j] / away * fx.probability : 0.0;
                stay -= t;
            }
            transition[i * k + j] = t;
            if (fixation)
                fixation[i * k + j] = fx;
        }
        transition[i * k + i] = stay;
    }
    if ((st = closed_class(transition, k, member, err)) != DLM_OK)
        return st;
    for (i = 0; i < k; ++i)
        if (member[i])
            index[s++] = i;
    w = 2 * (size_t)(s - 1) + 1;
    if (!(q = calloc((size_t)s * w, sizeof *q)))
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for the embedded chain");
    for (a = 0; a < s; ++a)
        for (b = 0; b < s; ++b)
            if (a != b)
                q[a * w + (b + (s - 1) - a)] = transition[index[a] * k + index[b]];
    st = s > 1 ? dlm_pop_stationary_band(q, s, s - 1, pi, err) : DLM_OK;
    if (s == 1)
        pi[0] = 1.0;
    for (i = 0; i < k; ++i)
        stationary[i] = 0.0;
    for (a = 0; a < s && st == DLM_OK; ++a)
        stationary[index[a]] = pi[a];
    free(q);
    return st;
}

/* ---- the chain over compositions ------------------------------------------------------ */

long double dlm_pop_state_count(uint32_t n, uint32_t k)
{
    long double c = 1.0L;
    uint32_t i;
    for (i = 1; i < k; ++i) /* C(n + k - 1, k - 1) = prod_{i=1}^{k-1} (n + i) / i */
        c = c * (long double)(n + i) / (long double)i;
    return floorl(c + 0.5L);
}

/* cnt[r * (n + 1) + M] = compositions of M into r parts (r = 1 .. k), all at most states. */
static uint64_t *composition_counts(uint32_t n, uint32_t k)
{
    uint64_t *cnt = calloc((size_t)(k + 1) * (n + 1), sizeof *cnt);
    uint32_t r, M;
    if (!cnt)
        return NULL;
    for (M = 0; M <= n; ++M)
        cnt[1 * (n + 1) + M] = 1;
    for (r = 2; r <= k; ++r) {
        cnt[r * (n + 1)] = 1;
        for (M = 1; M <= n; ++M)
            cnt[r * (n + 1) + M] = cnt[r * (n + 1) + M - 1] + cnt[(r - 1) * (n + 1) + M];
    }
    return cnt;
}

/* The lexicographic rank of composition c. */
static size_t composition_rank(const uint64_t *cnt, uint32_t n, uint32_t k, const uint32_t *c)
{
    uint64_t rank = 0;
    uint32_t i, M = n;
    for (i = 0; i + 1 < k; ++i) {
        uint32_t r = k - i - 1; /* parts after position i */
        rank += cnt[(r + 1) * (n + 1) + M] - cnt[(r + 1) * (n + 1) + M - c[i]];
        M -= c[i];
    }
    return (size_t)rank;
}

/* The composition after c in lexicographic order (c is not the last, (n, 0, .., 0)). */
static void composition_next(uint32_t k, uint32_t *c)
{
    uint32_t i = k - 1, tail = 0;
    while (i-- > 0) { /* the last position before k-1 whose tail holds an agent */
        tail += c[i + 1];
        if (tail > 0)
            break;
    }
    c[i] += 1;
    memset(c + i + 1, 0, (k - 1 - i - 1) * sizeof *c);
    c[k - 1] = tail - 1;
}

dlm_status dlm_pop_chain_plan(const dlm_pop_model *m, uint64_t max_states, uint64_t max_bytes,
                              dlm_pop_chain *chain, dlm_error *err)
{
    long double count = dlm_pop_state_count(m->n, m->k);
    uint64_t *cnt;
    uint32_t k = m->k, a, b;
    size_t s, i, band = 0;
    long double bytes;
    memset(chain, 0, sizeof *chain);
    if (count > (long double)max_states)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "the chain over compositions of %u agents into %u types has %.6Lg "
                             "states, more than analyze.population.max_states (%llu); lower "
                             "the population or the types, raise max_states, or set "
                             "analyze.population.full_chain: false",
                             m->n, k, count, (unsigned long long)max_states);
    s = (size_t)count;
    if (!(cnt = composition_counts(m->n, k)) ||
        !(chain->counts = malloc(s * k * sizeof *chain->counts))) {
        free(cnt);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for %zu states", s);
    }
    chain->states = s;
    memset(chain->counts, 0, k * sizeof *chain->counts);
    chain->counts[k - 1] = m->n;
    for (i = 1; i < s; ++i) {
        memcpy(chain->counts + i * k, chain->counts + (i - 1) * k, k * sizeof *chain->counts);
        composition_next(k, chain->counts + i * k);
    }
    for (i = 0; i < s; ++i) { /* the band: the farthest rank one move reaches */
        uint32_t c[DLM_POP_MAX_TYPES];
        memcpy(c, chain->counts + i * k, k * sizeof *c);
        for (a = 0; a < k; ++a)
            for (b = 0; b < k; ++b) {
                size_t r;
                if (a == b || c[a] == 0)
                    continue;
                c[a] -= 1;
                c[b] += 1;
                r = composition_rank(cnt, m->n, k, c);
                band = r > i ? (r - i > band ? r - i : band) : (i - r > band ? i - r : band);
                c[a] += 1;
                c[b] -= 1;
            }
    }
    free(cnt);
    chain->band = band;
    bytes = (long double)s * (long double)(2 * band + 1) * sizeof(double);
    if (bytes > (long double)max_bytes) {
        dlm_pop_chain_free(chain);
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "the chain over compositions of %u agents into %u types has %zu "
                             "states and band %zu: its elimination needs %.3Lg GiB, more than "
                             "the %.3g GiB allowed; lower the population or the types, or set "
                             "analyze.population.full_chain: false",
                             m->n, k, s, band, bytes / 1073741824.0L,
                             (double)max_bytes / 1073741824.0);
    }
    return DLM_OK;
}

dlm_status dlm_pop_chain_solve(const dlm_pop_model *m, dlm_pop_chain *chain, dlm_error *err)
{
    size_t s = chain->states, band = chain->band, w = 2 * band + 1, i;
    uint32_t k = m->k, a, b;
    uint64_t *cnt = composition_counts(m->n, k);
    double *q = calloc(s * w, sizeof *q);
    dlm_status st;
    if (!cnt || !q || !(chain->stationary = malloc(s * sizeof *chain->stationary))) {
        free(cnt);
        free(q);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for the chain's %zu x %zu band",
                             s, w);
    }
    for (i = 0; i < s; ++i) {
        uint32_t c[DLM_POP_MAX_TYPES];
        memcpy(c, chain->counts + i * k, k * sizeof *c);
        for (a = 0; a < k; ++a)
            for (b = 0; b < k; ++b) {
                double p;
                size_t r;
                if (a == b || c[a] == 0)
                    continue;
                p = dlm_pop_transition(m, c, a, b);
                c[a] -= 1;
                c[b] += 1;
                r = composition_rank(cnt, m->n, k, c);
                q[i * w + (r + band - i)] += p;
                c[a] += 1;
                c[b] -= 1;
            }
    }
    free(cnt);
    st = dlm_pop_stationary_band(q, s, band, chain->stationary, err);
    free(q);
    if (st != DLM_OK)
        return st;
    memset(chain->abundance, 0, sizeof chain->abundance);
    for (i = 0; i < s; ++i)
        for (a = 0; a < k; ++a)
            chain->abundance[a] += chain->stationary[i] * (double)chain->counts[i * k + a];
    for (a = 0; a < k; ++a)
        chain->abundance[a] /= (double)m->n;
    return DLM_OK;
}

void dlm_pop_chain_free(dlm_pop_chain *chain)
{
    free(chain->counts);
    free(chain->stationary);
    memset(chain, 0, sizeof *chain);
}

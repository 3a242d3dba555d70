/* analyze.c — exact answers for a pair of memory-one strategies (analyze.h).
 *
 * The chain. With reaction period 1 and no observation delay, what a memory-one player
 * does next depends only on the realised outcome of the last round, its own perception
 * draw of that round and its fresh strategy and execution draws, all independent of the
 * past (dlm_match.h). So realised outcomes (CC, CD, DC, DD from A's view, index a<<1|b)
 * form a Markov chain. From outcome (x, y) player A, with vector p, execution error e and
 * perception error q:
 *   intends C with   c = (1-q) p[x,y] + q p[x,!y]   (it reads y correctly w.p. 1-q),
 *   plays C with     (1-e) c + e (1-c)              (the intended move flips w.p. e);
 * B does the same from its own view, state (y, x). Given the state the two next moves
 * are independent, so each row of the transition matrix is a product distribution.
 *
 * Numerical policy. Probabilities of defection are formed from complements (1-p)
 * directly rather than as 1 - P(C), so impossible transitions are exactly 0 and the
 * chain's structure (which decides uniqueness) is read off exactly. The stationary
 * distribution comes from the GTH algorithm (Gaussian elimination without
 * subtraction): every entry keeps a small *relative* error, also for tiny noise rates
 * where forming I - M and eliminating with subtractions loses everything below ~1e-16.
 * Expected counts sum a short head directly (non-negative, no cancellation) and the
 * rest by a closed form around the long-run distribution (expected_counts): each count
 * is accurate to ~1e-13 relative or ~1e-16 T absolute, whichever is larger, for any
 * length T up to 2^32 - 1. The one solve with subtractions, the
 * absorption solve for chains with several closed classes, works on a diagonally
 * dominant M-matrix whose diagonal is formed as a sum of outflows.
 */
#include <math.h>
#include <string.h>

#include "run/analyze.h"

#define NS 4 /* states: CC, CD, DC, DD from A's view */

static const char *const slot_name[5] = {"first", "CC", "CD", "DC", "DD"};

/* Probabilities that a player (vector p, own view) cooperates / defects in the round
 * after realised outcome (own, opp). Both are computed from p and 1-p rather than one
 * as the complement of the other, so an event that cannot happen gets exactly 0. */
static void next_move(const double p[5], double e, double q, unsigned own, unsigned opp,
                      double *coop, double *defect)
{
    double pc_read = p[1u + (own << 1 | opp)];        /* opponent's move read correctly */
    double pc_misread = p[1u + (own << 1 | (opp ^ 1u))];
    double c = (1.0 - q) * pc_read + q * pc_misread;   /* intends C */
    double d = (1.0 - q) * (1.0 - pc_read) + q * (1.0 - pc_misread);
    *coop = (1.0 - e) * c + e * d;
    *defect = (1.0 - e) * d + e * c;
}

/* C = A B for 4x4 matrices (C may not alias A or B; A and B are only read: no const
 * because C11 cannot pass double[4][4] to const double[4][4] without a cast). */
static void mat_mul(double c[NS][NS], double a[NS][NS], double b[NS][NS])
{
    int i, j, k;
    for (i = 0; i < NS; ++i)
        for (j = 0; j < NS; ++j) {
            double s = 0.0;
            for (k = 0; k < NS; ++k)
                s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
}

/* sum = I + A + ... + A^(n-1) and power = A^n by binary doubling over the bits of n:
 * (P, S) = (A^m, sum_{t<m} A^t) goes to m -> 2m by S += P S, P = P P and to m -> m+1 by
 * S += P, P = P A. ~2 log2(n) products instead of n. */
static void power_sum(double a[NS][NS], uint32_t n, double sum[NS][NS], double power[NS][NS])
{
    double p[NS][NS], s[NS][NS], tmp[NS][NS];
    int bit, i, j;
    memset(s, 0, sizeof s);
    memset(p, 0, sizeof p);
    for (i = 0; i < NS; ++i)
        p[i][i] = 1.0;
    for (bit = 31; bit >= 0; --bit) {
        mat_mul(tmp, p, s);
        for (i = 0; i < NS; ++i)
            for (j = 0; j < NS; ++j)
                s[i][j] += tmp[i][j];
        mat_mul(tmp, p, p);
        memcpy(p, tmp, sizeof p);
        if ((n >> bit) & 1u) {
            for (i = 0; i < NS; ++i)
                for (j = 0; j < NS; ++j)
                    s[i][j] += p[i][j];
            mat_mul(tmp, p, a);
            memcpy(p, tmp, sizeof p);
        }
    }
    memcpy(sum, s, sizeof s);
    memcpy(power, p, sizeof p);
}

/* 1 + w + ... + w^(n-1) = (1 - w^n) / (1 - w) for w in [0, 1], as -expm1(n log1p(-u)) / u
 * with u = 1 - w (exact for w >= 1/2): relative error a few ulps for any n, where a
 * product of n rounded factors would drift by n ulps and 1 - pow(w, n) would cancel. */
static double geometric_sum(double w, uint32_t n)
{
    double u = 1.0 - w;
    if (n == 0u)
        return 0.0;
    if (u == 0.0)
        return (double)n;
    if (u == 1.0) /* w = 0: log1p(-1) = -inf */
        return 1.0;
    return -expm1((double)n * log1p(-u)) / u;
}

/* Stationary distribution of the irreducible chain on states idx[0..n-1] of m by the
 * GTH algorithm (Grassmann, Taksar & Heyman 1985): eliminate states from the last,
 * dividing by the eliminated state's outflow to the remaining ones (positive for an
 * irreducible chain) instead of by 1 - p_kk, so nothing is ever subtracted. The
 * diagonal is never read. Returns 0 when an outflow underflows to zero. */
static int gth_stationary(double (*m)[NS], const int *idx, int n, double *pi)
{
    double p[NS][NS], total;
    int i, j, k;
    for (i = 0; i < n; ++i)
        for (j = 0; j < n; ++j)
            p[i][j] = m[idx[i]][idx[j]];
    for (k = n - 1; k > 0; --k) {
        double out = 0.0;
        for (j = 0; j < k; ++j)
            out += p[k][j];
        if (!(out > 0.0))
            return 0;
        for (i = 0; i < k; ++i)
            p[i][k] /= out;
        for (i = 0; i < k; ++i)
            for (j = 0; j < k; ++j)
                p[i][j] += p[i][k] * p[k][j];
    }
    pi[0] = 1.0;
    total = 1.0;
    for (j = 1; j < n; ++j) {
        pi[j] = 0.0;
        for (i = 0; i < j; ++i)
            pi[j] += pi[i] * p[i][j];
        total += pi[j];
    }
    for (j = 0; j < n; ++j)
        pi[j] /= total;
    return 1;
}

/* Solves A x = b (n <= 4) by Gaussian elimination with partial pivoting; A and b are
 * overwritten. Returns 0 on a zero pivot. */
static int gepp_solve(int n, double a[NS][NS], double b[NS], double x[NS])
{
    int i, j, k;
    for (k = 0; k < n; ++k) {
        int piv = k;
        for (i = k + 1; i < n; ++i)
            if (fabs(a[i][k]) > fabs(a[piv][k]))
                piv = i;
        if (a[piv][k] == 0.0)
            return 0;
        if (piv != k) {
            double t;
            for (j = 0; j < n; ++j) {
                t = a[k][j];
                a[k][j] = a[piv][j];
                a[piv][j] = t;
            }
            t = b[k];
            b[k] = b[piv];
            b[piv] = t;
        }
        for (i = k + 1; i < n; ++i) {
            double f = a[i][k] / a[k][k];
            for (j = k; j < n; ++j)
                a[i][j] -= f * a[k][j];
            b[i] -= f * b[k];
        }
    }
    for (i = n - 1; i >= 0; --i) {
        double s = b[i];
        for (j = i + 1; j < n; ++j)
            s -= a[i][j] * x[j];
        x[i] = s / a[i][i];
    }
    return 1;
}

/* Long-run distribution of the chain m started from v0: the stationary distribution
 * when it is unique, otherwise the Cesaro limit lim (1/N) sum_{t<N} v0 m^t.
 *
 * Uniqueness is decided from the chain's structure, not from a rank test with a
 * tolerance: a finite chain has a unique stationary distribution iff it has exactly one
 * closed communicating class, and the classes follow exactly from which computed
 * transition probabilities are non-zero (next_move keeps impossible moves at exactly 0).
 * A tolerance on the pivots of I - M + ones would instead call a chain with noise 1e-14
 * reducible and one with 1e-10 ergodic-but-inaccurate; here both are ergodic and GTH
 * resolves them to full relative precision.
 *
 * Cesaro limit: each closed class K has its own stationary distribution pi_K (GTH on
 * K; a periodic class such as CD <-> DC is fine: pi_K is its time average), and the
 * limit is sum_K h_K pi_K with h_K the probability that the chain, started from v0,
 * ends in K: the mass v0 puts on K plus what the transient states pass to K, y R_K,
 * where y = v0_T (I - Q)^-1 are the expected visits to the transient states. */
static dlm_status long_run(double (*m)[NS], const double *v0, double *out,
                           int *unique, dlm_error *err)
{
    int reach[NS][NS], cls[NS], members[NS][NS], size[NS], trans[NS];
    int i, j, k, nclass = 0, ntrans = 0;
    double h[NS];

    for (i = 0; i < NS; ++i)
        for (j = 0; j < NS; ++j)
            reach[i][j] = i == j || m[i][j] > 0.0;
    for (k = 0; k < NS; ++k) /* Warshall: transitive closure */
        for (i = 0; i < NS; ++i)
            for (j = 0; j < NS; ++j)
                if (reach[i][k] && reach[k][j])
                    reach[i][j] = 1;
    for (i = 0; i < NS; ++i) {
        int recurrent = 1;
        cls[i] = -1;
        for (j = 0; j < NS; ++j)
            if (reach[i][j] && !reach[j][i])
                recurrent = 0; /* i leaks to somewhere it never returns from */
        if (!recurrent) {
            trans[ntrans++] = i;
            continue;
        }
        for (j = 0; j < i; ++j)
            if (cls[j] >= 0 && reach[i][j]) /* same class as an earlier recurrent state */
                cls[i] = cls[j];
        if (cls[i] < 0) {
            cls[i] = nclass;
            size[nclass++] = 0;
        }
        members[cls[i]][size[cls[i]]++] = i;
    }
    *unique = nclass == 1;

    for (k = 0; k < nclass; ++k)
        h[k] = 0.0;
    if (nclass == 1) {
        h[0] = 1.0;
    } else {
        double a[NS][NS], b[NS], y[NS];
        for (i = 0; i < NS; ++i)
            if (cls[i] >= 0)
                h[cls[i]] += v0[i];
        if (ntrans > 0) {
            /* (I - Q)^T y^T = v0_T^T; the diagonal 1 - m_tt is formed as the outflow
             * sum_{j != t} m_tj, exact where 1 - m_tt would cancel. */
            for (i = 0; i < ntrans; ++i) {
                double outflow = 0.0;
                for (j = 0; j < NS; ++j)
                    if (j != trans[i])
                        outflow += m[trans[i]][j];
                for (j = 0; j < ntrans; ++j)
                    a[i][j] = i == j ? outflow : -m[trans[j]][trans[i]];
                b[i] = v0[trans[i]];
            }
            if (!gepp_solve(ntrans, a, b, y))
                return dlm_error_set(err, DLM_ERR_RUNTIME,
                                     "analyze: the absorption system is singular "
                                     "(transition probabilities too small to resolve)");
            for (i = 0; i < ntrans; ++i)
                for (j = 0; j < NS; ++j)
                    if (cls[j] >= 0)
                        h[cls[j]] += y[i] * m[trans[i]][j];
        }
    }

    for (i = 0; i < NS; ++i)
        out[i] = 0.0;
    for (k = 0; k < nclass; ++k) {
        double pi[NS];
        if (!gth_stationary(m, members[k], size[k], pi))
            return dlm_error_set(err, DLM_ERR_RUNTIME,
                                 "analyze: a transition probability underflows: the "
                                 "stationary distribution cannot be resolved");
        for (i = 0; i < size[k]; ++i)
            out[members[k][i]] = h[k] * pi[i];
    }
    return DLM_OK;
}

/* Rounds summed directly before the tail formula takes over (see expected_counts). */
#define HEAD_ROUNDS 1024u

/* Expected outcome counts sum_{t<n} w^t v0 M^t of a match whose round t is played with
 * probability w^t (t < n; w = 1 for a fixed length n); c is the long-run distribution
 * from v0 (long_run).
 *
 * Summing by doubling alone would drift: the rows of the rounded M sum to 1 only within
 * an ulp or so, and that error compounds over the n factors of M^n whether they are
 * multiplied one by one or by squaring, so the counts of a 2^29-round match would be off
 * by ~1e-8 relative. Hence two parts:
 *   head, rounds t < K = min(n, HEAD_ROUNDS): v0 sum_{t<K} (wM)^t by doubling. All
 *     entries are non-negative, so nothing cancels and every count, however small,
 *     keeps a relative error below K ulps (~1e-13).
 *   tail, rounds K <= t < n: with Pi the Cesaro matrix of M (row i = long-run
 *     distribution from state i), Pi M = M Pi = Pi Pi = Pi, so M^j = Pi + B^j for
 *     j >= 1 with B = M - Pi, and v_K M^j = c + d B^j with d = v_K - c (c B = 0).
 *     The tail is w^K [c (1 + w + ... + w^(m-1)) + d sum_{j<m} (wB)^j], m = n - K: the
 *     dominant part is exact up to a few ulps, and the correction is driven by d, the
 *     transient left after K rounds (~0 for a mixing chain); B^j stays bounded (it
 *     decays, or oscillates for periodic classes), so its rounding errors stay within
 *     ~m ulps of |d|: a few ulps of the match length. (A count far smaller than the
 *     length, such as the ~1e-3 rounds off CC in a 2^20-round tft-tft match with
 *     e = 1e-15, is thereby accurate to ~1e-16 T absolute rather than relative.) */
static dlm_status expected_counts(double (*m)[NS], const double *v0, const double *c, double w,
                                  uint32_t n, double *counts, dlm_error *err)
{
    double a[NS][NS], sum[NS][NS], power[NS][NS];
    uint32_t k = n < HEAD_ROUNDS ? n : HEAD_ROUNDS;
    int i, j;
    dlm_status st;

    for (i = 0; i < NS; ++i)
        for (j = 0; j < NS; ++j)
            a[i][j] = w * m[i][j];
    power_sum(a, k, sum, power);
    for (j = 0; j < NS; ++j) {
        counts[j] = 0.0;
        for (i = 0; i < NS; ++i)
            counts[j] += v0[i] * sum[i][j];
    }
    if (n > k) {
        double pi[NS][NS], unit[NS], wk = pow(w, (double)k), d[NS], g;
        int unique;
        for (i = 0; i < NS; ++i) { /* the Cesaro matrix, row by row */
            for (j = 0; j < NS; ++j)
                unit[j] = i == j ? 1.0 : 0.0;
            if ((st = long_run(m, unit, pi[i], &unique, err)) != DLM_OK)
                return st;
        }
        for (j = 0; j < NS; ++j) { /* w^K d = v0 (wM)^K - w^K c */
            double vk = 0.0;
            for (i = 0; i < NS; ++i)
                vk += v0[i] * power[i][j];
            d[j] = vk - wk * c[j];
        }
        for (i = 0; i < NS; ++i)
            for (j = 0; j < NS; ++j)
                a[i][j] = w * (m[i][j] - pi[i][j]);
        power_sum(a, n - k, sum, power);
        g = wk * geometric_sum(w, n - k);
        for (j = 0; j < NS; ++j) {
            double corr = 0.0;
            for (i = 0; i < NS; ++i)
                corr += d[i] * sum[i][j];
            counts[j] += g * c[j] + corr;
        }
    }
    return DLM_OK;
}

/* DLM_ERR_USAGE unless x is a probability; `what` names the field. */
static dlm_status check_probability(double x, const char *what, int idx, dlm_error *err)
{
    if (x >= 0.0 && x <= 1.0) /* false for NaN */
        return DLM_OK;
    if (idx >= 0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze: %s[%d] (P(C) %s%s) = %g is not a probability in [0, 1]",
                             what, idx, idx == 0 ? "in the " : "after ", slot_name[idx], x);
    return dlm_error_set(err, DLM_ERR_USAGE,
                         "analyze: %s = %g is not a probability in [0, 1]", what, x);
}

/* Rejects anything that is not a valid dlm_exact_input / game, naming the field. */
static dlm_status validate(const dlm_exact_input *in, const dlm_game *game, dlm_error *err)
{
    static const char *const err_name[2][2] = {{"execution_error[0] (A)", "execution_error[1] (B)"},
                                              {"perception_error[0] (A)", "perception_error[1] (B)"}};
    dlm_status st;
    int i;
    for (i = 0; i < 5; ++i) {
        if ((st = check_probability(in->a[i], "a", i, err)) != DLM_OK)
            return st;
        if ((st = check_probability(in->b[i], "b", i, err)) != DLM_OK)
            return st;
    }
    for (i = 0; i < 2; ++i) {
        if ((st = check_probability(in->execution_error[i], err_name[0][i], -1, err)) != DLM_OK)
            return st;
        if ((st = check_probability(in->perception_error[i], err_name[1][i], -1, err)) != DLM_OK)
            return st;
    }
    if (in->rounds < 1u)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze: rounds = 0: a match has at least 1 round%s",
                             in->geometric ? " (for geometric matches, rounds is the cap)" : "");
    if (in->geometric != 0 && in->geometric != 1)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze: geometric = %d (allowed: 0 fixed length, 1 geometric)",
                             in->geometric);
    if (in->geometric && !(in->continuation >= 0.0 && in->continuation < 1.0))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze: continuation w = %g must lie in [0, 1) for a geometric "
                             "length", in->continuation);
    if (!isfinite(game->R) || !isfinite(game->S) || !isfinite(game->T) || !isfinite(game->P))
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze: game payoffs must be finite (R=%g, S=%g, T=%g, P=%g)",
                             game->R, game->S, game->T, game->P);
    return DLM_OK;
}

/* Computes the exact answers for `in` under `game` (see analyze.h and the file comment). */
dlm_status dlm_exact_memory_one(const dlm_exact_input *in, const dlm_game *game,
                                dlm_exact_result *out, dlm_error *err)
{
    return dlm_exact_bimatrix(in, game, game, out, err);
}

/* The same with each player's own matrix: A's payoffs from game, B's from game_b. */
dlm_status dlm_exact_bimatrix(const dlm_exact_input *in, const dlm_game *game,
                              const dlm_game *game_b, dlm_exact_result *out, dlm_error *err)
{
    const double *pa, *pb;
    double ea, eb, qa, qb, pay_a[NS], pay_b[NS];
    double v0[NS], a_first[2], b_first[2];
    dlm_status st;
    int s, t;

    if (!in || !game || !game_b || !out)
        return dlm_error_set(err, DLM_ERR_USAGE, "analyze: input, game and result must not be null");
    if ((st = validate(in, game, err)) != DLM_OK || (st = validate(in, game_b, err)) != DLM_OK)
        return st;
    if (in->reaction_period[0] > 1u || in->reaction_period[1] > 1u ||
        in->observation_delay[0] > 0u || in->observation_delay[1] > 0u)
        return dlm_exact_timescales(in, game, game_b, out, err);
    memset(out, 0, sizeof *out);
    out->chain_states = NS;
    pa = in->a;
    pb = in->b;
    ea = in->execution_error[0];
    eb = in->execution_error[1];
    qa = in->perception_error[0];
    qb = in->perception_error[1];
    /* A's payoff for CC, CD, DC, DD is R, S, T, P; B sees CD as DC, so gets R, T, S, P
       (of its own matrix). */
    pay_a[0] = game->R;
    pay_a[1] = game->S;
    pay_a[2] = game->T;
    pay_a[3] = game->P;
    pay_b[0] = game_b->R;
    pay_b[1] = game_b->T;
    pay_b[2] = game_b->S;
    pay_b[3] = game_b->P;

    /* Transition matrix: row = this round's outcome (a, b), column = next round's. */
    for (s = 0; s < NS; ++s) {
        unsigned a = (unsigned)s >> 1, b = (unsigned)s & 1u;
        double ma[2], mb[2]; /* [C], [D] */
        next_move(pa, ea, qa, a, b, &ma[0], &ma[1]);
        next_move(pb, eb, qb, b, a, &mb[0], &mb[1]); /* B's own view: (own, opp) = (b, a) */
        for (t = 0; t < NS; ++t)
            out->transition[s][t] = ma[t >> 1] * mb[t & 1];
    }

    /* First round: the opening probability, then execution error. */
    a_first[0] = (1.0 - ea) * pa[0] + ea * (1.0 - pa[0]);
    a_first[1] = (1.0 - ea) * (1.0 - pa[0]) + ea * pa[0];
    b_first[0] = (1.0 - eb) * pb[0] + eb * (1.0 - pb[0]);
    b_first[1] = (1.0 - eb) * (1.0 - pb[0]) + eb * pb[0];
    for (t = 0; t < NS; ++t)
        v0[t] = a_first[t >> 1] * b_first[t & 1];

    if ((st = long_run(out->transition, v0, out->stationary,
                       &out->stationary_unique, err)) != DLM_OK)
        return st;

    out->expected_rounds = in->geometric ? geometric_sum(in->continuation, in->rounds)
                                         : (double)in->rounds;
    if ((st = expected_counts(out->transition, v0, out->stationary,
                              in->geometric ? in->continuation : 1.0, in->rounds,
                              out->expected_outcomes, err)) != DLM_OK)
        return st;

    for (t = 0; t < NS; ++t) {
        out->long_run_payoff[0] += out->stationary[t] * pay_a[t];
        out->long_run_payoff[1] += out->stationary[t] * pay_b[t];
        out->expected_total[0] += out->expected_outcomes[t] * pay_a[t];
        out->expected_total[1] += out->expected_outcomes[t] * pay_b[t];
    }
    out->long_run_cooperation[0] = out->stationary[0] + out->stationary[1];
    out->long_run_cooperation[1] = out->stationary[0] + out->stationary[2];
    out->expected_cooperation[0] =
        (out->expected_outcomes[0] + out->expected_outcomes[1]) / out->expected_rounds;
    out->expected_cooperation[1] =
        (out->expected_outcomes[0] + out->expected_outcomes[2]) / out->expected_rounds;
    return DLM_OK;
}

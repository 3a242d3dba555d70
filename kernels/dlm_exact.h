/* dlm_exact.h — the expected payoff of a match between two memory-one players, from the
 * 4-state Markov chain of realised outcomes, written once for every backend (evolution's
 * `payoff: exact`, and the plan's cache of type pairs, host/plan/evolve_types.c).
 * host/run/analyze.c is the reference for `dilemma analyze`; this is the compact form the
 * model needs: iterate the chain over the match's rounds, or (exact: long-run) take the
 * limit of its lazy chain by repeated squaring.
 *
 * Player X with P(C) p[slot] (slot 0 first, then 1 + (own << 1 | opponent)), execution
 * error e and perception error q: given the realised outcome (x, y) from its view it
 * intends C with c = (1 - q) p[x, y] + q p[x, !y], and realises C with
 * (1 - e) c + e (1 - c). The two players draw independently. Every operation is a
 * separate statement so that no fused multiply-add can change a result.
 */
#ifndef DLM_EXACT_H
#define DLM_EXACT_H

#include "dlm_model.h"
#include "dlm_portable.h"

#if defined(__OPENCL_VERSION__)
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

/* A threshold as a probability. */
DLM_FN double dlm_threshold_probability(uint64_t t)
{
    return (double)t * (1.0 / 4294967296.0);
}

/* P(the player realises C) from its own-view slot. */
DLM_FN double dlm_exact_realised_c(const dlm_strategy *s, const dlm_player_params *p, uint32_t own,
                                   uint32_t opp, uint32_t first)
{
    double e = dlm_threshold_probability(p->execution_error);
    double q = dlm_threshold_probability(p->perception_error);
    double c, r;
    if (first) {
        c = dlm_threshold_probability(s->threshold[0]);
    } else {
        double right = dlm_threshold_probability(s->threshold[1u + ((own << 1) | opp)]);
        double wrong = dlm_threshold_probability(s->threshold[1u + ((own << 1) | (opp ^ 1u))]);
        double keep = (1.0 - q) * right;
        double miss = q * wrong;
        c = keep + miss;
    }
    r = (1.0 - e) * c;
    r = r + e * (1.0 - c);
    return r;
}

/* The one-step transition matrix m (row = outcome now, from A's view) and the
 * first-round distribution v0 of the 4-state chain of a memory-one pair. */
DLM_FN void dlm_exact_chain(const dlm_strategy *a, const dlm_strategy *b,
                            const dlm_player_params *pa, const dlm_player_params *pb,
                            double m[4][4], double v0[4])
{
    uint32_t s;
    for (s = 0; s < 4u; ++s) {
        uint32_t x = s >> 1, y = s & 1u;
        double ca = dlm_exact_realised_c(a, pa, x, y, 0u);
        double cb = dlm_exact_realised_c(b, pb, y, x, 0u);
        m[s][0] = ca * cb;
        m[s][1] = ca * (1.0 - cb);
        m[s][2] = (1.0 - ca) * cb;
        m[s][3] = (1.0 - ca) * (1.0 - cb);
    }
    {
        double ca = dlm_exact_realised_c(a, pa, 0u, 0u, 1u);
        double cb = dlm_exact_realised_c(b, pb, 0u, 0u, 1u);
        v0[0] = ca * cb;
        v0[1] = ca * (1.0 - cb);
        v0[2] = (1.0 - ca) * cb;
        v0[3] = (1.0 - ca) * (1.0 - cb);
    }
}

/* The weighted outcome sums of a match of `rules` (round t weighted w^t, w = 1 for a fixed
 * length): sum[s] = the weighted expected count of outcome s (CC, CD, DC, DD from A's
 * view), *total = the sum of the weights. The expected payoff per round is
 * dlm_exact_sums_payoff of these; they depend on neither payoff matrix, which is what a
 * cache of a type pair keeps (host/plan). */
DLM_FN void dlm_exact_match_sums(const dlm_strategy *a, const dlm_strategy *b,
                                 const dlm_player_params *pa, const dlm_player_params *pb,
                                 const dlm_match_rules *rules, double sum[4], double *total)
{
    double m[4][4], v[4], nv[4], weight = 1.0, total_weight = 0.0, w;
    uint32_t s, t, k, rounds = rules->rounds;
    w = rules->geometric ? dlm_threshold_probability(rules->continuation) : 1.0;
    dlm_exact_chain(a, b, pa, pb, m, v);
    for (s = 0; s < 4u; ++s)
        sum[s] = 0.0;
    for (t = 0; t < rounds; ++t) {
        for (s = 0; s < 4u; ++s) {
            double add = weight * v[s];
            sum[s] = sum[s] + add;
        }
        total_weight = total_weight + weight;
        if (t + 1u == rounds)
            break;
        weight = weight * w;
        if (weight < 1e-18) /* further rounds change no digit of the sums */
            break;
        for (k = 0; k < 4u; ++k) {
            double acc = 0.0;
            for (s = 0; s < 4u; ++s) {
                double add = v[s] * m[s][k];
                acc = acc + add;
            }
            nv[k] = acc;
        }
        for (k = 0; k < 4u; ++k)
            v[k] = nv[k];
    }
    *total = total_weight;
}

/* The long run of the infinitely repeated game: sum[s] = the share of outcome s among the
 * rounds of an endless match from its first round (the Cesaro limit of the chain from
 * v0; the stationary distribution when it is unique), *total = 1. Computed as the limit
 * of the lazy chain (I + M)/2, which has the same Cesaro limit and is aperiodic, by
 * repeated squaring (2^64 steps at most, stopping when a squaring changes nothing), each
 * row renormalised to sum 1 so that rounding cannot accumulate. */
DLM_FN void dlm_exact_long_run_sums(const dlm_strategy *a, const dlm_strategy *b,
                                    const dlm_player_params *pa, const dlm_player_params *pb,
                                    double sum[4], double *total)
{
    double m[4][4], q[4][4], v0[4];
    uint32_t i, j, k, step;
    dlm_exact_chain(a, b, pa, pb, m, v0);
    for (i = 0; i < 4u; ++i)
        for (j = 0; j < 4u; ++j) {
            double scaled = 0.5 * m[i][j];
            m[i][j] = i == j ? scaled + 0.5 : scaled;
        }
    for (step = 0; step < 64u; ++step) {
        uint32_t changed = 0u;
        for (i = 0; i < 4u; ++i) {
            double row = 0.0;
            for (j = 0; j < 4u; ++j) {
                double acc = 0.0;
                for (k = 0; k < 4u; ++k) {
                    double add = m[i][k] * m[k][j];
                    acc = acc + add;
                }
                q[i][j] = acc;
                row = row + acc;
            }
            for (j = 0; j < 4u; ++j)
                q[i][j] = q[i][j] / row;
        }
        for (i = 0; i < 4u; ++i)
            for (j = 0; j < 4u; ++j) {
                if (q[i][j] != m[i][j])
                    changed = 1u;
                m[i][j] = q[i][j];
            }
        if (!changed)
            break;
    }
    for (j = 0; j < 4u; ++j) {
        double acc = 0.0;
        for (k = 0; k < 4u; ++k) {
            double add = v0[k] * m[k][j];
            acc = acc + add;
        }
        sum[j] = acc;
    }
    *total = 1.0;
}

/* The payoff per round (payoff = R, S, T, P from A's view) of outcome sums. */
DLM_FN double dlm_exact_sums_payoff(const double sum[4], double total, const double payoff[4])
{
    double result = 0.0;
    uint32_t s;
    for (s = 0; s < 4u; ++s) {
        double add = payoff[s] * sum[s];
        result = result + add;
    }
    return result / total;
}

/* Expected payoff per round to A (payoff = R, S, T, P) over a match of `rules`, and A's
 * expected cooperation rate in *coop_a. Both strategies must be memory-one and both
 * players have reaction period 1 and no delay. */
DLM_FN double dlm_exact_match_payoff(const dlm_strategy *a, const dlm_strategy *b,
                                     const dlm_player_params *pa, const dlm_player_params *pb,
                                     const dlm_match_rules *rules, const double payoff[4],
                                     double *coop_a)
{
    double sum[4], total;
    dlm_exact_match_sums(a, b, pa, pb, rules, sum, &total);
    if (coop_a) {
        double coop = sum[0] + sum[1];
        *coop_a = coop / total;
    }
    return dlm_exact_sums_payoff(sum, total, payoff);
}

#endif /* DLM_EXACT_H */

/* analyze_timescales.c — exact answers for two memory-one players with reaction periods
 * and observation delays (analyze.h; the semantics are kernels/dlm_match.h's).
 *
 * The chain. A player with reaction period k chooses a new intended move only on rounds
 * with t mod k = 0 and repeats it otherwise; one with observation delay d chooses from
 * the outcome of round t-1-d (its own realised move and its reading of the opponent's)
 * and from its opening while t <= d. So the state at the start of round t is
 *   - the phase t mod L, L = lcm(k_A, k_B),
 *   - both players' last intended moves,
 *   - the last D+1 rounds (D = max(d_A, d_B)), each as 4 bits: A's and B's realised moves
 *     and each one's reading of the other's,
 *   - min(t, D+1), which says who still plays its opening.
 * Given the state, a round's draws (choices on decision rounds, execution, perception)
 * are independent, so each state has at most 64 successors. Only the states the start
 * can reach carry mass.
 *
 * Expected counts over a match of T rounds (or geometric, each round t played with
 * probability w^t, t < the cap) come from pushing the start distribution forward round by
 * round: exact up to rounding. The long-run answer is the Cesaro limit of the state
 * distribution from the start, lim (1/n) sum mu P^t: it equals lim mu ((I + P) / 2)^n,
 * the lazy chain's limit, which exists for periodic chains too (the phase makes every
 * chain with k > 1 periodic); the iteration runs until an L1 change below 1e-15. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run/analyze.h"

#define MAX_DELAY 4u  /* D <= 4: 16^5 history states */
#define MAX_PERIOD 64u

typedef struct chain {
    const dlm_exact_input *in;
    uint32_t k[2], d[2], L, D, H, C; /* H = 16^(D+1) histories, C = D + 2 counter values */
    uint64_t n;                      /* states */
    uint32_t *list;                  /* the states reached so far (n_list of them) */
    uint8_t *on;                     /* per state: 1 when in list */
    uint64_t n_list;
} chain;

static uint32_t gcd(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* State index of (phase, intended A, intended B, history, counter). */
static uint64_t encode(const chain *c, uint32_t phase, uint32_t ia, uint32_t ib, uint64_t hist,
                       uint32_t count)
{
    return (((uint64_t)phase * 4u + (ia << 1 | ib)) * c->H + hist) * c->C + count;
}

/* The probability that player x (0 = A) intends C in a round whose state is given: its
 * strategy on a decision round (the opening while t <= d), else its last intention. */
static double intends_c(const chain *c, int x, uint32_t phase, uint32_t last, uint64_t hist,
                        uint32_t count)
{
    const double *p = x == 0 ? c->in->a : c->in->b;
    uint32_t nib, own, opp;
    if (phase % c->k[x] != 0u)
        return last == 0u ? 1.0 : 0.0; /* C = 0 */
    if (count <= c->d[x])
        return p[0];
    nib = (uint32_t)(hist >> (4u * c->d[x])) & 0xFu; /* the round t-1-d */
    /* nibble bits: 0 A realised, 1 B realised, 2 A's reading of B, 3 B's reading of A */
    own = x == 0 ? nib & 1u : (nib >> 1) & 1u;
    opp = x == 0 ? (nib >> 2) & 1u : (nib >> 3) & 1u;
    return p[1u + (own << 1 | opp)];
}

/* Marks state s as reached. */
static void reach(chain *c, uint64_t s)
{
    if (!c->on[s]) {
        c->on[s] = 1;
        c->list[c->n_list++] = (uint32_t)s;
    }
}

/* Pushes the mass m of state s one round on: adds into next, and the outcome
 * probabilities of the round into outcome[4] (weighted by m). */
static void step(chain *c, uint64_t s, double m, double *next, double outcome[4])
{
    const dlm_exact_input *in = c->in;
    uint32_t count = (uint32_t)(s % c->C), phase, ia, ib, x, a, b, ra, rb, sa, sb;
    uint64_t rest = s / c->C, hist = rest % c->H, nh;
    double pc[2], e[2], q[2];
    rest /= c->H;
    ia = (uint32_t)(rest & 3u) >> 1;
    ib = (uint32_t)(rest & 1u);
    phase = (uint32_t)(rest >> 2);
    pc[0] = intends_c(c, 0, phase, ia, hist, count);
    pc[1] = intends_c(c, 1, phase, ib, hist, count);
    for (x = 0; x < 2u; ++x) {
        e[x] = in->execution_error[x];
        q[x] = in->perception_error[x];
    }
    for (a = 0; a < 2u; ++a)
        for (b = 0; b < 2u; ++b) {
            double pi = m * (a ? 1.0 - pc[0] : pc[0]) * (b ? 1.0 - pc[1] : pc[1]);
            if (pi == 0.0)
                continue;
            for (ra = 0; ra < 2u; ++ra)
                for (rb = 0; rb < 2u; ++rb) {
                    double pr = pi * (ra != a ? e[0] : 1.0 - e[0]) * (rb != b ? e[1] : 1.0 - e[1]);
                    if (pr == 0.0)
                        continue;
                    outcome[ra << 1 | rb] += pr;
                    for (sa = 0; sa < 2u; ++sa)     /* A's reading of B */
                        for (sb = 0; sb < 2u; ++sb) { /* B's reading of A */
                            double pp = pr * (sa != rb ? q[0] : 1.0 - q[0]) *
                                        (sb != ra ? q[1] : 1.0 - q[1]);
                            if (pp == 0.0)
                                continue;
                            uint64_t to;
                            nh = ((hist << 4) | ra | rb << 1 | sa << 2 | sb << 3) % c->H;
                            to = encode(c, (phase + 1u) % c->L, a, b, nh,
                                        count < c->D + 1u ? count + 1u : count);
                            next[to] += pp;
                            reach(c, to);
                        }
                }
        }
}

/* One round for the whole distribution: next = mu P; outcome[4] = the round's outcome
 * probabilities. Only reached states carry mass, so only they are visited. */
static void round_of(chain *c, const double *mu, double *next, double outcome[4])
{
    uint64_t i, n = c->n_list;
    for (i = 0; i < n; ++i)
        next[c->list[i]] = 0.0;
    outcome[0] = outcome[1] = outcome[2] = outcome[3] = 0.0;
    for (i = 0; i < n; ++i) {
        uint32_t s = c->list[i];
        if (mu[s] != 0.0)
            step(c, s, mu[s], next, outcome);
    }
}

static dlm_status chain_of(const dlm_exact_input *in, chain *c, dlm_error *err)
{
    uint32_t x;
    double n;
    memset(c, 0, sizeof *c);
    c->in = in;
    for (x = 0; x < 2u; ++x) {
        c->k[x] = in->reaction_period[x] ? in->reaction_period[x] : 1u;
        c->d[x] = in->observation_delay[x];
        if (c->k[x] > MAX_PERIOD || c->d[x] > MAX_DELAY)
            return dlm_error_set(err, DLM_ERR_USAGE,
                                 "analyze: player %c's reaction period %u and delay %u: the exact "
                                 "chain takes periods up to %u and delays up to %u",
                                 'A' + (int)x, c->k[x], c->d[x], MAX_PERIOD, MAX_DELAY);
    }
    c->L = c->k[0] / gcd(c->k[0], c->k[1]) * c->k[1];
    c->D = c->d[0] > c->d[1] ? c->d[0] : c->d[1];
    c->H = 1u << (4u * (c->D + 1u));
    c->C = c->D + 2u;
    n = (double)c->L * 4.0 * (double)c->H * (double)c->C;
    if (n > (double)DLM_TIMESCALE_MAX_STATES)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "analyze: reaction periods %u, %u and delays %u, %u make a chain of "
                             "%.0f states; the exact analysis takes at most %u (lower the "
                             "delays, or periods with a smaller common multiple)",
                             c->k[0], c->k[1], c->d[0], c->d[1], n, DLM_TIMESCALE_MAX_STATES);
    c->n = (uint64_t)n;
    return DLM_OK;
}

/* The long-run outcome distribution: the lazy chain's limit from the start. */
static dlm_status long_run(chain *c, const double *start, double *a, double *b,
                           double stationary[4], dlm_error *err)
{
    double outcome[4], change = 1.0;
    uint64_t i;
    long it;
    memcpy(a, start, c->n * sizeof *a);
    for (it = 0; it < 2000000 && change > 1e-15; ++it) {
        round_of(c, a, b, outcome);
        change = 0.0;
        for (i = 0; i < c->n_list; ++i) { /* states reached this round have a[s] = 0 */
            uint32_t s = c->list[i];
            double v = 0.5 * (a[s] + b[s]);
            change += fabs(v - a[s]);
            a[s] = v;
        }
    }
    if (change > 1e-12)
        return dlm_error_set(err, DLM_ERR_RUNTIME,
                             "analyze: the long-run distribution did not converge (change %g "
                             "after %ld rounds)", change, it);
    round_of(c, a, b, stationary);
    return DLM_OK;
}

dlm_status dlm_exact_timescales(const dlm_exact_input *in, const dlm_game *game,
                                const dlm_game *game_b, dlm_exact_result *out, dlm_error *err)
{
    chain c;
    double *mu = NULL, *next = NULL, *scratch = NULL, w = 1.0, outcome[4];
    double pay_a[4], pay_b[4];
    uint32_t t;
    int i, j;
    dlm_status st = chain_of(in, &c, err);
    if (st != DLM_OK)
        return st;
    memset(out, 0, sizeof *out);
    out->chain_states = c.n;
    for (i = 0; i < 4; ++i)
        for (j = 0; j < 4; ++j)
            out->transition[i][j] = NAN;
    mu = calloc(c.n, sizeof *mu);
    next = calloc(c.n, sizeof *next);
    scratch = calloc(c.n, sizeof *scratch);
    c.list = malloc(c.n * sizeof *c.list);
    c.on = calloc(c.n, 1);
    if (!mu || !next || !scratch || !c.list || !c.on) {
        st = dlm_error_set(err, DLM_ERR_RUNTIME, "analyze: out of memory for %llu states",
                           (unsigned long long)c.n);
        goto done;
    }
    /* Expected counts: round t played with probability w^t (1 for a fixed length). */
    mu[encode(&c, 0, 0, 0, 0, 0)] = 1.0;
    reach(&c, encode(&c, 0, 0, 0, 0, 0));
    for (t = 0; t < in->rounds && w > 0.0; ++t) {
        double *swap;
        round_of(&c, mu, next, outcome);
        for (i = 0; i < 4; ++i)
            out->expected_outcomes[i] += w * outcome[i];
        out->expected_rounds += w;
        swap = mu;
        mu = next;
        next = swap;
        if (in->geometric)
            w *= in->continuation;
    }
    memset(mu, 0, c.n * sizeof *mu);
    memset(next, 0, c.n * sizeof *next);
    mu[encode(&c, 0, 0, 0, 0, 0)] = 1.0;
    if ((st = long_run(&c, mu, next, scratch, out->stationary, err)) != DLM_OK)
        goto done;
    out->stationary_unique = 0; /* the Cesaro limit from the start */
    pay_a[0] = game->R, pay_a[1] = game->S, pay_a[2] = game->T, pay_a[3] = game->P;
    pay_b[0] = game_b->R, pay_b[1] = game_b->T, pay_b[2] = game_b->S, pay_b[3] = game_b->P;
    for (i = 0; i < 4; ++i) {
        out->long_run_payoff[0] += out->stationary[i] * pay_a[i];
        out->long_run_payoff[1] += out->stationary[i] * pay_b[i];
        out->expected_total[0] += out->expected_outcomes[i] * pay_a[i];
        out->expected_total[1] += out->expected_outcomes[i] * pay_b[i];
    }
    out->long_run_cooperation[0] = out->stationary[0] + out->stationary[1];
    out->long_run_cooperation[1] = out->stationary[0] + out->stationary[2];
    out->expected_cooperation[0] =
        (out->expected_outcomes[0] + out->expected_outcomes[1]) / out->expected_rounds;
    out->expected_cooperation[1] =
        (out->expected_outcomes[0] + out->expected_outcomes[2]) / out->expected_rounds;
done:
    free(mu);
    free(next);
    free(scratch);
    free(c.list);
    free(c.on);
    return st;
}

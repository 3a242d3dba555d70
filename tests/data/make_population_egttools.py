#!/usr/bin/env python3
"""Writes tests/data/population_egttools.txt: EGTTools' exact answers for pairwise
comparison (Fermi) in finite well-mixed populations, which tests/test_population.c
compares with host/run/analyze_population.c.

Generated once with EGTTools 0.1.14.2 (pip `egttools`; the pyenv python3 on the build
machine): python3 tests/data/make_population_egttools.py > tests/data/population_egttools.txt

EGTTools' pairwise comparison: a uniform agent x, a uniform other y, x adopts y's strategy
with probability 1 / (1 + exp(-beta (f_y - f_x))), payoffs averaged over the other N - 1
agents — dilemma's `fermi`. Its mutation differs: with probability mu_E the focal agent
becomes one of the k - 1 *other* strategies, while dilemma's mutant is a uniform draw from
all k. Every off-diagonal transition then agrees up to one constant factor (so the
stationary distribution agrees) when dilemma's mu = k r / (1 + k r), r = mu_E / ((k - 1)(1 - mu_E));
the test does that conversion.

Lines: `case NAME N K BETA MU_E`, then `payoff I J V`, `fixation RESIDENT MUTANT P`
(one MUTANT among RESIDENTs), `limit I P` (rare-mutation stationary distribution),
`state C_0 .. C_{K-1} P` (full chain with mu_E), `abundance I V` (mean share), `end`.
"""
import numpy as np
import egttools
from egttools.analytical import PairwiseComparison
from egttools.games import Matrix2PlayerGameHolder

CASES = [
    ("allc_alld_tft", 10, 0.5, 0.05,
     [[3.0, 0.0, 3.0], [5.0, 1.0, 1.4], [3.0, 0.9, 3.0]]),
    ("snowdrift2", 30, 1.0, 0.01, [[3.0, 2.0], [4.0, 0.0]]),
    ("random4", 8, 0.2, 0.1,
     [[1.2, -0.5, 3.0, 0.7], [2.5, 0.1, -1.0, 1.9], [0.3, 2.2, 1.1, -0.4], [1.7, 0.6, 2.8, 0.9]]),
]


def stationary(m):
    """Left eigenvector of the row-stochastic matrix m for eigenvalue 1, normalised."""
    dense = np.asarray(m.todense()) if hasattr(m, "todense") else np.asarray(m)
    s = dense.shape[0]
    a = np.vstack([dense.T - np.eye(s), np.ones((1, s))])
    b = np.zeros(s + 1)
    b[-1] = 1.0
    return np.linalg.lstsq(a, b, rcond=None)[0]


def main():
    for name, n, beta, mu, payoff in CASES:
        a = np.array(payoff)
        k = a.shape[0]
        game = Matrix2PlayerGameHolder(k, a)  # kept alive: the model holds a reference
        model = PairwiseComparison(n, game)
        print(f"case {name} {n} {k} {beta!r} {mu!r}")
        for i in range(k):
            for j in range(k):
                print(f"payoff {i} {j} {float(a[i, j])!r}")
        _, fix = model.calculate_transition_and_fixation_matrix_sml(beta)
        for r in range(k):
            for m in range(k):
                if r != m:
                    print(f"fixation {r} {m} {float(fix[r, m])!r}")
        t, _ = model.calculate_transition_and_fixation_matrix_sml(beta)
        for i, p in enumerate(stationary(t)):
            print(f"limit {i} {float(p)!r}")
        pi = stationary(model.calculate_transition_matrix(beta, mu))
        share = np.zeros(k)
        for index, p in enumerate(pi):
            counts = egttools.sample_simplex(index, n, k)
            share += p * np.array(counts) / n
            print("state " + " ".join(str(int(c)) for c in counts) + f" {float(p)!r}")
        for i in range(k):
            print(f"abundance {i} {float(share[i])!r}")
        print("end")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""egttools_compare.py — the issue-13 workloads side by side with EGTTools (PyPI `egttools`).

  fixation   one WSLS mutant among 49 TFT, pairwise comparison beta = 1, exact expected
             payoffs of 200-round matches with execution error 0.01: runs/s, and the
             fixation probability of WSLS with its standard error;
  wellmixed  pairwise comparison in a well-mixed population of 1000 playing one-shot
             snowdrift (b = 4, c = 2) with ALLC/ALLD mutation: agent-generations/s, and the
             ALLC share after a burn-in, over replicate runs.

One generation of dilemma is N update events; EGTTools' `evolve` and
`estimate_fixation_probability` count single events as generations, so both sides are
measured in events: agent-generations/s = events/s. EGTTools mutates in a fraction mu of
the events (to the other strategy); dilemma mutates the offspring with probability 2 mu to
a uniform member of {ALLC, ALLD}: the same rate of flips.

Run with the python that has egttools (the pyenv python3 first on PATH here), from the
repository root after building: `python3 bench/egttools_compare.py [--dilemma build/dilemma]
[--threads T] [--runs R] [--quick]`. Prints both figures, the ratio, and whether the answers
agree within 4 standard errors of their difference.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def realised_c(p, e):
    """P(realised C) of intending C with probability p under execution error e."""
    return (1 - e) * p + e * (1 - p)


def expected_payoff(sa, sb, e, rounds, payoff):
    """Expected payoff per round to A over `rounds` rounds: the 4-state chain of
    kernels/dlm_exact.h (sa, sb: P(C) first, then after CC, CD, DC, DD from own view)."""
    m = np.zeros((4, 4))
    for s in range(4):
        x, y = s >> 1, s & 1
        ca = realised_c(sa[1 + ((x << 1) | y)], e)
        cb = realised_c(sb[1 + ((y << 1) | x)], e)
        m[s] = [ca * cb, ca * (1 - cb), (1 - ca) * cb, (1 - ca) * (1 - cb)]
    ca, cb = realised_c(sa[0], e), realised_c(sb[0], e)
    v = np.array([ca * cb, ca * (1 - cb), (1 - ca) * cb, (1 - ca) * (1 - cb)])
    total = np.zeros(4)
    for _ in range(rounds):
        total += v
        v = v @ m
    return float(np.dot(payoff, total) / rounds)


def run_dilemma_bench(dilemma, workload, threads, extra):
    """The best CPU row of `dilemma bench --workload W --format json`, and all rows."""
    cmd = [dilemma, "bench", "--workload", workload, "--format", "json", "--threads",
           str(threads)] + extra
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    cpu = [r for r in rows if r["backend"].startswith("cpu")]
    return max(cpu, key=lambda r: r["per_second"]), rows


def print_cpu_time(rows, work, unit, egt_work, egt_cpu):
    """Work per CPU second (what a shared machine distorts least): dilemma's 1-thread row's
    CPU seconds over its timed region, EGTTools' process CPU seconds of its call (summed
    over its threads: estimate_fixation_probability runs its runs in parallel)."""
    one = [r for r in rows if r["backend"].startswith("cpu, 1 thread")]
    if not one or "cpu_seconds" not in one[0] or one[0]["cpu_seconds"] <= 0 or egt_cpu <= 0:
        return
    d = work / one[0]["cpu_seconds"]
    e = egt_work / egt_cpu
    print(f"  per CPU second: EGTTools {e:12.4g} {unit} ({egt_cpu:.2f} s CPU, its threads "
          f"summed), dilemma {d:12.4g} {unit} ({one[0]['cpu_seconds']:.2f} s CPU, 1 thread): "
          f"{d / e:.1f}x")


def agree(a, se_a, b, se_b):
    z = (a - b) / math.sqrt(se_a ** 2 + se_b ** 2) if se_a + se_b > 0 else 0.0
    return z, abs(z) <= 4.0


def fixation(args, egt):
    tft = [1, 1, 0, 1, 0]
    wsls = [1, 1, 0, 0, 1]
    pd = np.array([3.0, 0.0, 5.0, 1.0])
    # row strategy's payoff against the column strategy: 0 = WSLS, 1 = TFT
    a = np.array([[expected_payoff(wsls, wsls, 0.01, 200, pd), expected_payoff(wsls, tft, 0.01, 200, pd)],
                  [expected_payoff(tft, wsls, 0.01, 200, pd), expected_payoff(tft, tft, 0.01, 200, pd)]])
    game = egt.games.Matrix2PlayerGameHolder(2, a)
    pc = egt.numerical.PairwiseComparisonNumerical(50, game, 100000)
    runs = args.egt_runs
    t0, c0 = time.perf_counter(), time.process_time()
    p_e = pc.estimate_fixation_probability(0, 1, runs, 100000, 1.0)
    egt_seconds = time.perf_counter() - t0
    egt_cpu = time.process_time() - c0
    se_e = math.sqrt(max(p_e * (1 - p_e), 1e-12) / runs)
    row, rows = run_dilemma_bench(args.dilemma, "fixation", args.threads, ["--runs", str(args.runs)])
    z, ok = agree(row["answer"], row["answer_se"], p_e, se_e)
    print("fixation: one WSLS mutant among 49 TFT, beta 1, exact payoffs of 200-round matches, e 0.01")
    print(f"  payoff matrix (WSLS, TFT): {a.tolist()}")
    print(f"  EGTTools {egt.__version__}: {runs / egt_seconds:12.4g} runs/s  ({runs} runs, {egt_seconds:.2f} s)  "
          f"P(fix) {p_e:.5f} (SE {se_e:.5f})")
    print(f"  dilemma ({row['backend']}): {row['per_second']:12.4g} runs/s  ({row['seconds']:.2f} s)  "
          f"P(fix) {row['answer']:.5f} (SE {row['answer_se']:.5f})")
    print(f"  ratio dilemma / EGTTools: {row['per_second'] / (runs / egt_seconds):.1f}x;  answers "
          f"{'agree' if ok else 'DISAGREE'} (z = {z:+.2f})")
    print_cpu_time(rows, args.runs, "runs/s", runs, egt_cpu)
    return ok


def wellmixed(args, egt):
    n, gens = 1000, args.generations
    a = np.array([[3.0, 2.0], [4.0, 0.0]])  # snowdrift b 4, c 2: ALLC, ALLD
    game = egt.games.Matrix2PlayerGameHolder(2, a)
    pc = egt.numerical.PairwiseComparisonNumerical(n, game, 1000000)
    t0, c0 = time.perf_counter(), time.process_time()
    pc.evolve(gens * n, 1.0, 1e-3, np.array([500, 500], dtype=np.int64))
    egt_seconds = time.perf_counter() - t0
    egt_cpu = time.process_time() - c0
    egt_rate = gens * n / egt_seconds
    row, rows = run_dilemma_bench(args.dilemma, "wellmixed", args.threads,
                               ["--generations", str(gens), "--agents", str(n)])
    # The answers: the ALLC share after `burn` generations, over replicate runs.
    reps, burn = args.replicates, args.burn
    egt_shares = [pc.evolve(burn * n, 1.0, 1e-3, np.array([500, 500], dtype=np.int64))[0] / n
                  for _ in range(reps)]
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "wellmixed.yaml")
        with open(cfg, "w") as f:
            f.write(f"""mode: evolve
game: {{preset: snowdrift}}
match: {{rounds: 1}}
evolution:
  population: {n}
  populations: {reps}
  generations: {burn}
  record_every: {burn}
  rule: fermi
  selection: 1
  mutation: {{rate: 0.002, set: [allc, alld]}}
  initial: {{shares: {{allc: 0.5, alld: 0.5}}}}
""")
        out = os.path.join(tmp, "w.jsonl")
        subprocess.run([args.dilemma, "run", cfg, "--out", out, "--threads", str(args.threads)],
                       check=True, capture_output=True)
        dl_shares = []
        with open(out) as f:
            for line in f:
                r = json.loads(line)
                if r.get("generation") == burn:
                    dl_shares.append(r["abundance"]["allc"] / n)
    def mean_se(xs):
        xs = np.asarray(xs, dtype=float)
        return xs.mean(), xs.std(ddof=1) / math.sqrt(len(xs))
    me, se_e = mean_se(egt_shares)
    md, se_d = mean_se(dl_shares)
    z, ok = agree(md, se_d, me, se_e)
    print(f"wellmixed: N {n}, one-shot snowdrift (b 4, c 2), beta 1, ALLC/ALLD flips in 1e-3 of events, "
          f"{gens} generations ({gens * n} events)")
    print(f"  EGTTools {egt.__version__}: {egt_rate:12.4g} agent-generations/s  ({egt_seconds:.2f} s)")
    print(f"  dilemma ({row['backend']}): {row['per_second']:12.4g} agent-generations/s  ({row['seconds']:.2f} s)")
    print(f"  ratio dilemma / EGTTools: {row['per_second'] / egt_rate:.1f}x")
    print(f"  ALLC share after {burn} generations over {reps} runs: EGTTools {me:.4f} (SE {se_e:.4f}), "
          f"dilemma {md:.4f} (SE {se_d:.4f}), equilibrium 2/3;  answers "
          f"{'agree' if ok else 'DISAGREE'} (z = {z:+.2f})")
    print_cpu_time(rows, gens * n, "agent-generations/s", gens * n, egt_cpu)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dilemma", default="build/dilemma")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--runs", type=int, default=100000, help="dilemma's fixation runs")
    ap.add_argument("--egt-runs", type=int, default=10000, help="EGTTools' fixation runs")
    ap.add_argument("--generations", type=int, default=10000, help="wellmixed generations timed")
    ap.add_argument("--replicates", type=int, default=20)
    ap.add_argument("--burn", type=int, default=200, help="wellmixed answer: generations per replicate")
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    ap.add_argument("--workload", choices=["all", "fixation", "wellmixed"], default="all")
    args = ap.parse_args()
    if args.quick:
        args.runs, args.egt_runs, args.generations, args.replicates, args.burn = 2000, 1000, 200, 8, 50
    try:
        import egttools as egt
        import egttools.games  # noqa: F401
        import egttools.numerical  # noqa: F401
    except ImportError:
        print("egttools is not installed here (pip install egttools); nothing to compare")
        return 77
    ok = True
    if args.workload in ("all", "fixation"):
        ok &= fixation(args, egt)
    if args.workload in ("all", "wellmixed"):
        ok &= wellmixed(args, egt)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

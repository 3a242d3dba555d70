"""Cooperation of TFT against WSLS over execution noise x WSLS's reaction period (it picks
a new move only every K rounds): one sweep through libdilemma (the rows are the CLI's
`dilemma sweep` records), then a heatmap. Noise alone sends the pair into TFT/WSLS
retaliation cycles; a WSLS that reacts every other round or slower holds far more
cooperation at the same noise.
usage: python noise_period_heatmap.py [OUT.png]"""
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import dilemma

df = dilemma.sweep({
    "mode": "match", "seed": 2026, "match": {"rounds": 200, "repetitions": 20},
    "players": [{"strategy": "tft"}, {"strategy": "wsls"}],
    "sweep": {"axes": [{"key": "match.execution_error", "values": [0, 0.001, 0.005, 0.01, 0.05, 0.1]},
                       {"key": "players.1.reaction_period", "from": 1, "to": 8, "steps": 8}],
              "replicates": 4}})
grid = df.pivot_table(index="players.1.reaction_period", columns="match.execution_error",
                      values="cooperation_rate", aggfunc="mean")
plt.imshow(grid.values, origin="lower", cmap="viridis", vmin=0, vmax=1, aspect="auto")
plt.xticks(range(grid.shape[1]), grid.columns); plt.yticks(range(grid.shape[0]), grid.index)
plt.xlabel("execution error"); plt.ylabel("WSLS reaction period (rounds)")
plt.colorbar(label="cooperation rate (TFT vs WSLS)")
plt.savefig(sys.argv[1] if len(sys.argv) > 1 else "noise_period_heatmap.png", dpi=120)
print(grid.round(3).to_string())

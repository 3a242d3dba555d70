"""Tests of the Python package: the same bytes as the CLI for the example configs, the
parsed results against the CLI's own records, errors with the CLI's messages and exit
codes, progress, records as they come, two runs on two threads at once.

The CLI compared with: $DILEMMA_CLI, else `dilemma` on PATH (the package installs it)."""
import glob
import json
import os
import re
import shutil
import subprocess
import threading

import pytest

import dilemma

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONFIGS = sorted(glob.glob(os.path.join(ROOT, "configs", "*.yaml")) +
                 glob.glob(os.path.join(ROOT, "configs", "*", "*.yaml")))
# Every example config is compared; an evolution is cut as tests/test_scenarios.sh cuts it
# (at most 300 generations), and the one whose generations take seconds each (2000 agents
# playing Axelrod's strategies) to 4 generations: the same config, the same code paths.
CAP = 300
SHORT = {"axelrod_ecological.yaml": 4}


def cut(path):
    """The --set arguments that shorten config `path` (none when it is short already)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not re.search(r"^mode: *evolve", text, re.M):
        return []
    g = re.search(r"^ +generations: *([0-9]+)", text, re.M)
    limit = SHORT.get(os.path.basename(path), CAP)
    if g and int(g.group(1)) > limit:
        return ["--set", f"evolution.generations={limit}"]
    return []


def cli_path():
    path = os.environ.get("DILEMMA_CLI") or shutil.which("dilemma")
    if not path:
        pytest.skip("no dilemma CLI to compare with (set DILEMMA_CLI)")
    return path


def command_of(path):
    with open(path, encoding="utf-8") as f:
        return "sweep" if any(line.startswith("sweep:") for line in f) else "run"


def cli_start(args):
    return subprocess.Popen([cli_path(), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT)


def cli_finish(p):
    out, err = p.communicate()
    return out, err.decode("utf-8", "replace"), p.returncode


def test_configs_found():
    assert len(CONFIGS) >= 20


@pytest.mark.parametrize("path", CONFIGS,
                         ids=lambda p: os.path.relpath(p, os.path.join(ROOT, "configs")))
def test_config_same_bytes(path):
    """Each example config: the library's output is the CLI's, byte for byte (the CLI
    runs in its own process meanwhile)."""
    args = [command_of(path), path, "--quiet", *cut(path)]
    p = cli_start(args)
    r = dilemma.raw(args)
    out, err, rc = cli_finish(p)
    assert rc == 0, err
    assert r.exit_code == 0, r.messages
    assert len(r.stdout) > 0
    assert r.stdout == out


CASES = [
    ["match", "tft", "wsls", "--rounds", "300", "--execution-error", "0.02", "--seed", "9"],
    ["match", "extort(chi=3)", "wsls", "--repetitions", "20", "--format", "json"],
    ["tournament", "--strategies", "tft,alld,wsls,grim,allc,gtft", "--format", "jsonl"],
    ["analyze", "tft", "wsls", "grim", "--execution-error", "0.01"],
    ["analyze", "--game", "--set", "institution.audit=0.2"],
    ["strategies"],
    ["strategies", "wsls", "--format", "json"],
    ["run", "--set", "mode=evolve", "--set", "evolution.generations=60", "--seed", "4"],
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a[:3]))
def test_commands_same_bytes(args):
    p = cli_start(args)
    r = dilemma.raw(args)
    out, err, rc = cli_finish(p)
    assert (r.exit_code, r.stdout) == (rc, out), err


def test_parsed_equals_cli_records():
    """The DataFrame of a run is the CLI's CSV, every number exact."""
    pd = pytest.importorskip("pandas")
    import io
    path = os.path.join(ROOT, "configs", "axelrod_noise.yaml")
    p = cli_start(["run", path, "--format", "csv"])
    df = dilemma.run(path)
    out, err, rc = cli_finish(p)
    assert rc == 0, err
    want = pd.read_csv(io.BytesIO(out), float_precision="round_trip")
    pd.testing.assert_frame_equal(df, want, check_exact=True)
    assert len(df) > 5


def test_match_dict_and_keys():
    """Keys as keyword arguments (a section as a dict, `__` as a dot) are --set overrides."""
    a = dilemma.match("tft", "wsls", match={"rounds": 250, "execution_error": 0.05}, seed=5)
    b = dilemma.match("tft", "wsls", match__rounds=250, match__execution_error=0.05, seed=5)
    p = cli_start(["match", "tft", "wsls", "--set", "match.rounds=250", "--set",
                   "match.execution_error=0.05", "--set", "seed=5", "--format", "json"])
    out, err, rc = cli_finish(p)
    assert rc == 0, err
    assert a == b == json.loads(out)
    assert a["rounds_played"] == 250
    # exact: TFT against WSLS with no noise cooperate every round (R = 3)
    c = dilemma.match("tft", "wsls", match={"rounds": 100})
    assert [pl["total_payoff"] for pl in c["players"]] == [300, 300]


def test_config_dict_is_the_file():
    """A config dict runs as the same config written to a file."""
    cfg = {"mode": "match", "seed": 12, "game": {"preset": "pd"},
           "match": {"rounds": 500, "execution_error": 0.01}, "players": ["tft", "gtft"]}
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        json.dump(cfg, f)
    try:
        p = cli_start(["run", f.name, "--format", "json"])
        got = dilemma.run(cfg, format="json")
        out, err, rc = cli_finish(p)
    finally:
        os.unlink(f.name)
    assert rc == 0, err
    assert got == json.loads(out)


def test_tournament_frame():
    df = dilemma.tournament(["tft", "alld", "allc"], tournament={"repetitions": 2},
                            match={"rounds": 10})
    rows = {r["strategy"]: r for r in df.to_dict("records")} if hasattr(df, "to_dict") \
        else {r["strategy"]: r for r in df}
    assert set(rows) == {"tft", "alld", "allc"}
    # exact: ALLC earns S=0 against ALLD, R=3 against itself and TFT: (0+3+3)/3 per round
    assert float(rows["allc"]["mean_payoff"]) == pytest.approx(2.0, abs=1e-12)


def test_usage_error_carries_the_message():
    with pytest.raises(dilemma.UsageError) as e:
        dilemma.match("tft", "no-such-strategy")
    assert e.value.exit_code == 2
    assert "no-such-strategy" in str(e.value)
    assert "unknown strategy" in e.value.message
    with pytest.raises(dilemma.UsageError) as e:
        dilemma.run({"match": {"rounds": -3}})
    assert "match.rounds" in str(e.value)
    with pytest.raises(dilemma.UsageError) as e:
        dilemma.evolve(no_such_key=1)
    assert "no_such_key" in str(e.value)
    # the same message as the CLI's
    p = cli_start(["match", "tft", "no-such-strategy"])
    out, err, rc = cli_finish(p)
    r = dilemma.raw(["match", "tft", "no-such-strategy"])
    assert (rc, err, out) == (r.exit_code, r.messages, r.stdout) == (2, err, b"")


def test_runtime_error():
    r = dilemma.raw(["run", "--config", "/nonexistent/dilemma.yaml"])
    assert r.exit_code != 0 and "/nonexistent/dilemma.yaml" in r.messages
    with pytest.raises(dilemma.DilemmaError):
        dilemma.run("/nonexistent/dilemma.yaml")


def test_progress_and_records():
    seen, lines = [], []
    df = dilemma.evolve(evolution={"generations": 80, "population": 100}, seed=2,
                        progress=lambda done, total, unit: seen.append((done, total, unit)))
    assert seen and seen[-1] == (80, 80, "generations")
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)
    assert len(df) == 81  # generations 0..80
    r = dilemma.raw(["run", "--set", "mode=evolve", "--set", "evolution.generations=30",
                     "--format", "csv", "--quiet"], on_record=lines.append)
    assert "\n".join(lines) + "\n" == r.text
    assert len(lines) == 32  # the header and generations 0..30


def test_two_threads_at_once():
    """Two runs on two Python threads at once (the GIL is free while each runs): each
    returns what it returns alone."""
    args = [["run", "--set", "mode=evolve", "--set", "evolution.generations=200", "--seed",
             str(s), "--format", "csv", "--quiet"] for s in (21, 22)]
    alone = [dilemma.raw(a).stdout for a in args]
    got = [None, None]

    def go(i):
        got[i] = dilemma.raw(args[i]).stdout
    ts = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert got == alone
    assert alone[0] != alone[1]


def test_strategies_and_devices():
    s = dilemma.strategies()
    names = list(s["name"]) if hasattr(s, "columns") else [r["name"] for r in s]
    assert {"tft", "wsls", "alld", "allc", "grim"} <= set(names)
    d = dilemma.devices()
    assert any(x["backend"] == "cpu" and x["status"] == "available" for x in d)
    assert dilemma.version() == dilemma.__version__


def test_example_heatmap(tmp_path):
    """python/examples/noise_period_heatmap.py runs and draws its figure; without noise
    TFT and WSLS cooperate in every round, whatever the reaction period."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("pandas")
    import sys
    out = tmp_path / "heatmap.png"
    r = subprocess.run([sys.executable, os.path.join(ROOT, "python", "examples",
                                                     "noise_period_heatmap.py"), str(out)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 10000
    rows = [line.split() for line in r.stdout.splitlines()[2:]]
    assert len(rows) == 8 and all(row[1] == "1.0" for row in rows)

#!/usr/bin/env python3
"""load_outputs.py — every machine-readable output of `dilemma` loads as it is.

usage: load_outputs.py path/to/dilemma json|pandas

json:   every --format json output is exactly one JSON document (json.load), every
        --format jsonl line is one JSON object with a "type"; csv outputs have one header
        and rows of its width (csv module); every record carries the run's settings;
        printed doubles read back exactly (values recomputed from other printed values,
        and the same value printed in csv and json compared bit for bit).
pandas: pandas.read_csv reads every csv output (and pandas.read_json every jsonl one)
        without options; runs concatenated stay apart. Exits 77 (skipped) when pandas
        cannot be imported.
"""
import atexit
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

DLM, MODE = sys.argv[1], sys.argv[2]
TMP = tempfile.mkdtemp(prefix="dlm_formats_")
atexit.register(shutil.rmtree, TMP, True)
SETTINGS = ["seed", "game", "game_class", "R", "S", "T", "P", "rounds", "continuation"]
failures = []


def fail(what):
    failures.append(what)
    print("FAIL:", what)


def run(*args, expect=0):
    p = subprocess.run([DLM, *args], capture_output=True, text=True)
    if p.returncode != expect:
        fail(f"{' '.join(args)}: exit {p.returncode}, expected {expect}: {p.stderr.strip()[:300]}")
    return p.stdout


# The runs: every command without options, then with the options that change the shape.
RUNS = {
    "match": ["match", "tft", "wsls"],
    "tournament": ["tournament"],
    "analyze": ["analyze", "tft", "wsls"],
    "strategies": ["strategies"],
    "run": ["run"],
    "match_noisy": ["match", "gtft", "wsls", "--execution-error", "0.01,0.05",
                    "--reaction-period", "1,3", "--rounds", "333"],
    "match_reps": ["match", "gtft", "wsls", "--execution-error", "0.05", "--repetitions", "7"],
    "match_geometric": ["match", "tft", "wsls", "--continuation", "0.95",
                        "--perception-error", "0.03"],
    "match_trace": ["match", "tft", "alt", "--rounds", "12", "--execution-error", "0.1", "--trace"],
    "tournament_odd": ["tournament", "--strategies", "tft,m1(0.5,0.9,0.1,0.6,0.3),gtft(0.2),alld",
                       "--execution-error", "0.02", "--rounds", "97", "--repetitions", "3"],
    "tournament_matrix": ["tournament", "--strategies", "tft,m1(0.5,0.9,0.1,0.6,0.3),alld",
                          "--repetitions", "3", "--execution-error", "0.02", "--matrix"],
    "tournament_reps": ["tournament", "--strategies", "tft,wsls,alld", "--repetitions", "4",
                        "--execution-error", "0.02", "--per-repetition"],
    "analyze_geometric": ["analyze", "wsls", "gtft", "--continuation", "0.9",
                          "--execution-error", "0.01,0.02"],
    "strategies_some": ["strategies", "gtft", "m1(1,0,1,0,1)", "fsm(C:0:1,D:0:1)"],
}

outputs = {}
for name, args in RUNS.items():
    for fmt in ("csv", "json", "jsonl"):
        outputs[name, fmt] = run(*args, "--format", fmt)

# Side files and formats from --out's extension.
side = {}
for fmt in ("csv", "json", "jsonl"):
    f = os.path.join(TMP, f"trace.{fmt}")
    side["trace", fmt] = (run("match", "tft", "alt", "--rounds", "9", "--trace", f,
                              "--format", "json"), f)
    m, r = os.path.join(TMP, f"matrix.{fmt}"), os.path.join(TMP, f"reps.{fmt}")
    side["tournament_files", fmt] = (run("tournament", "--strategies", "tft,wsls,alld",
                                         "--repetitions", "2", f"--matrix={m}",
                                         f"--per-repetition={r}", "--format", "json"), m, r)
    o = os.path.join(TMP, f"out.{fmt}")
    run("match", "tft", "wsls", "--out", o)
    side["out", fmt] = o


def read(path):
    with open(path) as fp:
        return fp.read()


def check_json(text, what):
    try:
        doc = json.loads(text)
    except ValueError as e:
        fail(f"{what}: not one JSON document: {e}")
        return None
    return doc


def check_jsonl(text, what):
    records = []
    for i, line in enumerate(text.splitlines()):
        if not line.strip():
            fail(f"{what}: empty line {i + 1}")
            continue
        try:
            rec = json.loads(line)
        except ValueError as e:
            fail(f"{what}: line {i + 1} is not JSON: {e}")
            continue
        if not isinstance(rec, dict) or "type" not in rec:
            fail(f"{what}: line {i + 1} has no type")
        records.append(rec)
    if not records:
        fail(f"{what}: no records")
    return records


def check_csv(text, what):
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        fail(f"{what}: fewer than a header and one row")
        return []
    header = rows[0]
    for i, row in enumerate(rows[1:]):
        if len(row) != len(header):
            fail(f"{what}: row {i + 1} has {len(row)} fields, the header {len(header)}")
        if row == header:
            fail(f"{what}: a second header at row {i + 1}")
    return [dict(zip(header, row)) for row in rows[1:]]


def has_settings_json(rec, what):
    for key in ("seed", "game", "match"):
        if key not in rec:
            fail(f"{what}: record without {key}")
            return
    for key in ("name", "class", "R", "S", "T", "P"):
        if key not in rec["game"]:
            fail(f"{what}: game without {key}")
    for key in ("rounds", "continuation"):
        if key not in rec["match"]:
            fail(f"{what}: match without {key}")


def has_settings_csv(rows, what):
    if rows and list(rows[0])[: len(SETTINGS)] != SETTINGS:
        fail(f"{what}: csv does not start with {','.join(SETTINGS)}: {list(rows[0])[:10]}")


# --- json mode ----------------------------------------------------------------------------
def json_mode():
    parsed = {}
    for (name, fmt), text in outputs.items():
        what = f"{name} --format {fmt}"
        if fmt == "json":
            parsed[name, fmt] = check_json(text, what)
        elif fmt == "jsonl":
            parsed[name, fmt] = check_jsonl(text, what)
        else:
            parsed[name, fmt] = check_csv(text, what)
    # Every record of a match, tournament and analysis carries its settings.
    for name in RUNS:
        if name.startswith("strategies"):
            continue
        doc, recs, rows = parsed[name, "json"], parsed[name, "jsonl"], parsed[name, "csv"]
        if isinstance(doc, dict):
            has_settings_json(doc, f"{name} json")
        for r in recs or []:
            has_settings_json(r, f"{name} jsonl {r.get('type')}")
        has_settings_csv(rows, f"{name} csv")
    # Per-player noise where it differs.
    rows = parsed["match_noisy", "csv"]
    if [(r["execution_error"], r["opponent_execution_error"], r["reaction_period"]) for r in rows] != \
            [("0.01", "0.05", "1"), ("0.05", "0.01", "3")]:
        fail(f"match_noisy csv: per-player noise wrong: {rows}")
    if parsed["match_geometric", "csv"][0]["continuation"] != "0.95":
        fail("match_geometric csv: continuation not 0.95")
    if parsed["match", "csv"][0]["continuation"] != "":
        fail("match csv: a fixed length has an empty continuation")
    if parsed["match", "json"]["game"]["class"] != "prisoners-dilemma":
        fail("match json: game class")
    # The trace: inside the json document; csv: the trace table alone; jsonl: round records.
    doc = parsed["match_trace", "json"]
    if not isinstance(doc, dict) or len(doc.get("trace", [])) != 12:
        fail("match --trace json: no 12-round trace array in the document")
    rows = parsed["match_trace", "csv"]
    if len(rows) != 12 or "a_realised" not in rows[0]:
        fail("match --trace csv: not the 12-row trace table")
    if sum(r["type"] == "round" for r in parsed["match_trace", "jsonl"]) != 12:
        fail("match --trace jsonl: not 12 round records")
    # Tournament parts.
    if len(parsed["tournament_matrix", "csv"]) != 9 or "column" not in parsed["tournament_matrix", "csv"][0]:
        fail("tournament --matrix csv: not the 9-cell long-form matrix")
    if len(parsed["tournament_reps", "csv"]) != 12 or "repetition" not in parsed["tournament_reps", "csv"][0]:
        fail("tournament --per-repetition csv: not 4 x 3 rows")
    if "per_repetition" not in (parsed["tournament_reps", "json"] or {}):
        fail("tournament --per-repetition json: no per_repetition")
    labels = [r["strategy"] for r in parsed["tournament_odd", "csv"]]
    if "m1(0.5,0.9,0.1,0.6,0.3)" not in labels:
        fail(f"tournament csv: a label with commas did not survive quoting: {labels}")
    # Side files.
    for fmt in ("csv", "json", "jsonl"):
        main, path = side["trace", fmt]
        if "trace" in (check_json(main, "match with --trace FILE") or {}):
            fail("match --trace FILE: the trace is also in the main output")
        {"csv": check_csv, "json": check_json, "jsonl": check_jsonl}[fmt](read(path), f"trace.{fmt}")
        _, m, r = side["tournament_files", fmt]
        loaded = {"csv": check_csv, "json": check_json, "jsonl": check_jsonl}[fmt](read(m), f"matrix.{fmt}")
        if len(loaded or []) != 9:
            fail(f"matrix.{fmt}: expected 9 cells, got {len(loaded or [])}")
        loaded = {"csv": check_csv, "json": check_json, "jsonl": check_jsonl}[fmt](read(r), f"reps.{fmt}")
        if len(loaded or []) != 6:
            fail(f"reps.{fmt}: expected 6 rows, got {len(loaded or [])}")
    check_csv(read(side["out", "csv"]), "--out out.csv")
    check_json(read(side["out", "json"]), "--out out.json")
    check_jsonl(read(side["out", "jsonl"]), "--out out.jsonl")

    # --- doubles read back exactly ---
    for name in ("match", "match_noisy", "match_geometric"):
        rows, doc = parsed[name, "csv"], parsed[name, "json"]
        for row in rows:
            total, rounds, mean = (float(row[k]) for k in ("total_payoff", "rounds_played", "mean_payoff"))
            if total / rounds != mean:
                fail(f"{name} csv: mean_payoff {row['mean_payoff']} != total / rounds {total / rounds!r}")
        o, rounds = doc["outcomes"], doc["rounds_played"]
        for p, coop in zip(doc["players"], (o["CC"] + o["CD"], o["CC"] + o["DC"])):
            if coop / rounds != p["cooperation_rate"]:
                fail(f"{name} json: cooperation_rate {p['cooperation_rate']!r} != {coop / rounds!r}")
            if p["total_payoff"] / rounds != p["mean_payoff"]:
                fail(f"{name} json: mean_payoff does not read back exactly")
    doc, rows = parsed["analyze_geometric", "json"], parsed["analyze_geometric", "csv"]
    for i, row in enumerate(rows):
        for j, s in enumerate(("cc", "cd", "dc", "dd")):
            if float(row["stationary_" + s]) != doc["stationary"][j]:
                fail("analyze: csv and json stationary distributions differ")
        if float(row["expected_total_payoff"]) != doc["expected_total_payoff"][i]:
            fail("analyze: csv and json expected totals differ")
    doc = parsed["tournament_matrix", "json"]
    labels = doc["strategies"]
    for row in parsed["tournament_matrix", "csv"]:
        i, j = labels.index(row["row"]), labels.index(row["column"])
        if float(row["mean_payoff"]) != doc["payoff_matrix"][i][j]:
            fail(f"tournament: csv cell {row['row']}/{row['column']} {row['mean_payoff']} != json {doc['payoff_matrix'][i][j]!r}")
        if float(row["mean_payoff_se"]) != doc["payoff_matrix_se"][i][j]:
            fail("tournament: csv and json standard errors differ")
    ranks_json = {r["strategy"]: r["mean_payoff"] for r in parsed["tournament_odd", "json"]["ranking"]}
    for row in parsed["tournament_odd", "csv"]:
        if float(row["mean_payoff"]) != ranks_json[row["strategy"]]:
            fail("tournament: csv and json ranking payoffs differ")


# --- pandas mode ---------------------------------------------------------------------------
def pandas_mode():
    try:
        import pandas as pd
    except ImportError:
        print("pandas is not importable: skipped")
        sys.exit(77)
    frames = {}
    for (name, fmt), text in outputs.items():
        what = f"{name} --format {fmt}"
        try:
            if fmt == "csv":
                frames[name] = pd.read_csv(io.StringIO(text))
                if len(frames[name]) == 0:
                    fail(f"{what}: no rows")
            elif fmt == "jsonl":
                pd.read_json(io.StringIO(text), lines=True)
            else:
                doc = json.loads(text)
                pd.json_normalize(doc if isinstance(doc, list) else [doc])
        except Exception as e:  # noqa: BLE001 - any failure to load is the finding
            fail(f"{what}: pandas cannot read it: {e}")
    for fmt in ("csv", "jsonl"):
        _, m, r = side["tournament_files", fmt]
        for path in (m, r, side["trace", fmt][1], side["out", fmt]):
            try:
                if fmt == "csv":
                    pd.read_csv(path)
                else:
                    pd.read_json(path, lines=True)
            except Exception as e:  # noqa: BLE001
                fail(f"{path}: pandas cannot read it: {e}")
    # Two runs concatenated stay apart by their settings.
    a = pd.read_csv(io.StringIO(run("tournament", "--strategies", "tft,alld", "--seed", "1",
                                    "--format", "csv")))
    b = pd.read_csv(io.StringIO(run("tournament", "--strategies", "tft,alld", "--seed", "2",
                                    "--execution-error", "0.1", "--format", "csv")))
    both = pd.concat([a, b])
    if list(both.columns) != list(a.columns) or both.groupby(["seed", "execution_error"]).ngroups != 2:
        fail("two tournaments concatenated cannot be told apart")
    # Exactly, with the round-trip parser.
    exact = pd.read_csv(io.StringIO(outputs["match_reps", "csv"]), float_precision="round_trip")
    rows = list(csv.DictReader(io.StringIO(outputs["match_reps", "csv"])))
    for col in ("mean_payoff", "mean_payoff_se", "cooperation_rate_se"):
        if [float(r[col]) for r in rows] != list(exact[col]):
            fail(f"pandas round_trip: {col} differs from the printed values")
    if exact["mean_payoff_se"].isna().any():
        fail("match --repetitions 7: standard errors missing")
    if not frames["match"]["mean_payoff_se"].isna().all():
        fail("match: one repetition should have empty standard errors")


{"json": json_mode, "pandas": pandas_mode}[MODE]()
print(f"load_outputs {MODE}: {len(outputs) + len(side)} outputs, {len(failures)} failures")
sys.exit(1 if failures else 0)

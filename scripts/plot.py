#!/usr/bin/env python3
"""plot.py — pictures of dilemma's outputs: sweeps and evolutions, to PNG and PDF.

usage:
  plot.py heatmap   FILE [--x AXIS] [--y AXIS] [--z COLUMN]   a result over a 2-D sweep
  plot.py lines     FILE [--x AXIS] [--y COLUMN] [--by AXIS]  a 1-D sweep, 95 % bands
  plot.py abundance FILE [--population P]                     strategy shares over time
  plot.py fixation  FILE [--bins N] [--by AXIS]               fixation-time histogram
  plot.py frontier  FILE [--x cost|net_cost|fines]            a design's cost against
                                                              cooperation (analyze.design)
common options: --where COLUMN=VALUE (repeatable) keeps only matching rows;
  --generation last|N (evolution records: each population's last census, or its last
  at or before generation N); --out NAME writes NAME.png and NAME.pdf (or only the
  format NAME's extension names: .png, .pdf, .svg); --dump prints the numbers drawn, as
  csv, to standard output; --title TEXT.

FILE is any csv, json or jsonl output of `dilemma run` or `dilemma sweep`, a sweep's
--summary file (heatmap, lines: --z / --y names a quantity, and the bands are the
summary's own 95 % intervals), or for fixation an evolution's FILE.summary.json. Sweep records are led by point, replicate
and the swept keys (the axes); every figure averages over replicates (and, for
evolution, over populations: each population of each replicate is one independent
sample), and bands are mean +- 1.96 standard errors of those samples.

Bad input (a file it cannot read, a column or axis that is not there, an ambiguous
selection) is reported with what is allowed, exit 2; a failure to write, exit 1.
Needs matplotlib, numpy and pandas (Debian: python3-matplotlib, python3-pandas).
"""
import argparse
import csv
import io
import json
import math
import os
import sys
import tempfile

try:
    import numpy as np
    import pandas as pd
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError as e:  # pragma: no cover - depends on the machine
    sys.stderr.write(f"plot.py: {e}: install matplotlib, numpy and pandas "
                     "(Debian: apt-get install python3-matplotlib python3-pandas)\n")
    sys.exit(1)

PROG = "plot.py"
# The columns every csv record of dilemma carries after the sweep's; the swept keys are
# the columns between `replicate` and the first of these.
SETTINGS_FIRST = "seed"
# Record types that hold the results a figure is drawn from, in order of preference.
MAIN_TYPES = ["generation", "match", "exact", "ranking", "payoff", "repetition", "round",
              "sweep-summary"]
# Columns that tell rows of one run apart (a player, an entrant, a matrix cell).
ROW_KEYS = ["player", "strategy", "row", "column", "class", "round"]


class UsageError(Exception):
    """Bad input: exit 2."""


def die(msg, code=2):
    sys.stderr.write(f"{PROG}: {msg}\n")
    sys.exit(code)


def choices(names, limit=40):
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


# --- loading ---------------------------------------------------------------------------

def flatten(rec, out=None):
    """A JSON record as csv-like columns: game -> game, game_class, R..P; match -> rounds,
    continuation; sweep -> point, replicate and the swept keys; abundance -> count:LABEL;
    classes -> NAME:field; memory_one_mean -> m1_p0..m1_pDD; mutation -> mutation_kind,
    mutation_rate; settings -> its members; other mappings -> parent.member. Lists of
    records (players, outcomes) are left to the caller."""
    out = {} if out is None else out
    for k, v in rec.items():
        if k == "sweep" and isinstance(v, dict):
            out["point"], out["replicate"] = v.get("point"), v.get("replicate")
            for sk, sv in (v.get("values") or {}).items():
                out[sk] = sv
        elif k == "game" and isinstance(v, dict):
            out["game"], out["game_class"] = v.get("name"), v.get("class")
            for p in "RSTP":
                out[p] = v.get(p)
        elif k == "match" and isinstance(v, dict):
            out["rounds"], out["continuation"] = v.get("rounds"), v.get("continuation")
        elif k == "settings" and isinstance(v, dict):
            flatten(v, out)
        elif k == "abundance" and isinstance(v, dict):
            for label, n in v.items():
                out[f"count:{label}"] = n
        elif k == "mutation" and isinstance(v, dict):
            out["mutation_kind"], out["mutation_rate"] = v.get("kind"), v.get("rate")
        elif k == "memory_one_mean" and isinstance(v, list):
            for name, x in zip(["p0", "pCC", "pCD", "pDC", "pDD"], v):
                out[f"m1_{name}"] = x
        elif k == "classes" and isinstance(v, list):
            for c in v:
                if isinstance(c, dict) and "name" in c:
                    for ck, cv in c.items():
                        if ck != "name" and not isinstance(cv, (dict, list)):
                            out[f"{c['name']}:{ck}"] = cv
        elif isinstance(v, dict):
            for ck, cv in v.items():
                if not isinstance(cv, (dict, list)):
                    out[f"{k}.{ck}"] = cv
        elif not isinstance(v, list):
            out[k] = v
    return out


class Records:
    """The rows of a file by record type (csv: one table, typed by its columns)."""

    def __init__(self, path):
        self.path = path
        self.rows = {}  # type -> list of dicts
        self.tables = {}  # type -> DataFrame
        self.axes = []  # the swept keys, in sweep order

    def add(self, kind, row):
        self.rows.setdefault(kind, []).append(row)

    def table(self, kind):
        if kind not in self.tables:
            self.tables[kind] = pd.DataFrame(self.rows.get(kind, []))
        return self.tables[kind]

    def kinds(self):
        return sorted(set(self.rows) | set(self.tables))

    def main(self):
        """The table of results: evolution censuses, matches, exact answers, rankings."""
        for k in MAIN_TYPES:
            if k in self.tables or k in self.rows:
                return self.table(k), k
        kinds = [k for k in self.kinds() if k not in ("settings", "summary", "fixation")]
        if not kinds:
            raise UsageError(f"{self.path}: no result records in it (record types: "
                             f"{choices(self.kinds()) or 'none'})")
        return self.table(kinds[0]), kinds[0]


def record(recs, rec, ctx):
    """One JSON record (or document) into recs, with ctx (its run's settings)."""
    kind = rec.get("type")
    if kind == "sweep-summary":
        if isinstance(rec.get("rows"), list):  # the json document: its rows
            for r in rec["rows"]:
                record(recs, r, {})
            return ctx
        row = {"point": rec.get("point")}
        row.update(rec.get("values") or {})
        for k in ("quantity", "n", "mean", "se", "ci_low", "ci_high"):
            row[k] = rec.get(k)
        recs.add("sweep-summary", row)
        if not recs.axes:
            recs.axes = list((rec.get("values") or {}))
        return ctx
    if kind == "sweep" and isinstance(rec.get("runs"), list):
        for run in rec["runs"]:
            record(recs, run, {})
        return ctx
    if kind == "settings":
        return flatten(rec)
    if kind == "evolution":
        run_ctx = flatten({"settings": rec.get("settings", {})})
        for r in rec.get("records", []):
            record(recs, r, run_ctx)
        return ctx
    if kind == "summary":
        base = dict(ctx)
        flatten({k: v for k, v in rec.items() if k != "outcomes"}, base)
        for o in rec.get("outcomes", []):
            row = dict(base)
            flatten(o, row)
            recs.add("outcome", row)
        return ctx
    base = dict(ctx)
    flatten(rec, base)
    lists = [(k, v) for k, v in rec.items() if isinstance(v, list) and v
             and all(isinstance(x, dict) for x in v) and k in ("players", "ranking", "runs")]
    if kind == "design":  # a row per institution of the grid, as in csv
        base = dict(ctx)
        flatten({k: v for k, v in rec.items() if k != "points"}, base)
        for i, p in enumerate(rec.get("points", [])):
            row = dict(base)
            flatten(p, row)
            row["cheapest"] = rec.get("cheapest") == i
            recs.add("design", row)
        return ctx
    if kind == "tournament":
        for r in rec.get("ranking", []):
            row = dict(base)
            flatten(r, row)
            row["type"] = "ranking"
            recs.add("ranking", row)
        return ctx
    if lists:  # a match or an exact answer: a row per player, as in csv
        for r in lists[0][1]:
            row = dict(base)
            flatten(r, row)
            recs.add(kind or "record", row)
    else:
        recs.add(kind or "record", base)
    return ctx


def load(path):
    """Records of a dilemma csv, json or jsonl file (the format from its content)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise UsageError(f"{path}: cannot read it: {e.strerror}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a dilemma output (not UTF-8 text)")
    recs = Records(path)
    stripped = text.lstrip()
    if not stripped:
        raise UsageError(f"{path}: the file is empty")
    if stripped[0] in "{[":
        try:
            docs = [json.loads(text)]
        except json.JSONDecodeError:
            docs = []
            for n, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    try:
                        docs.append(json.loads(line))
                    except json.JSONDecodeError as e:
                        raise UsageError(f"{path}:{n}: not JSON nor JSON lines: {e.msg}")
        ctx = {}
        for d in docs:
            for r in (d if isinstance(d, list) else [d]):
                if not isinstance(r, dict):
                    raise UsageError(f"{path}: a JSON record is not an object")
                ctx = record(recs, r, ctx)
        if not recs.axes and docs:
            first = docs[0][0] if isinstance(docs[0], list) and docs[0] else docs[0]
            if isinstance(first, dict) and isinstance(first.get("runs"), list) and first["runs"]:
                first = first["runs"][0]  # a sweep's json document: its first run
            if isinstance(first, dict):
                sw = first.get("sweep") or (first.get("settings") or {}).get("sweep") or {}
                recs.axes = list(sw.get("values", {}))
    else:
        try:
            df = pd.read_csv(io.StringIO(text), float_precision="round_trip")
        except Exception as e:  # pandas raises several kinds for bad csv
            raise UsageError(f"{path}: not a csv, json or jsonl output of dilemma: {e}")
        cols = list(df.columns)
        if "point" in cols and "replicate" in cols and SETTINGS_FIRST in cols:
            recs.axes = cols[cols.index("replicate") + 1:cols.index(SETTINGS_FIRST)]
        kind = "generation" if "generation" in cols and "population" in cols else "csv"
        if cols[:1] == ["point"] and {"quantity", "mean", "ci_low", "ci_high"} <= set(cols):
            recs.axes = cols[1:cols.index("quantity")]  # a sweep's --summary file
            kind = "sweep-summary"
        recs.tables[kind] = df
    add_shares(recs)
    return recs


def add_shares(recs):
    """share:LABEL = count:LABEL / population_size for evolution censuses."""
    if "generation" not in recs.tables and "generation" not in recs.rows:
        return
    df = recs.table("generation")
    if "population_size" not in df.columns:
        return
    for c in [c for c in df.columns if c.startswith("count:")]:
        df["share:" + c[6:]] = df[c] / df["population_size"]


# --- selecting ---------------------------------------------------------------------------

def parse_value(text):
    try:
        return float(text)
    except ValueError:
        return text


def apply_where(df, wheres, path):
    for w in wheres or []:
        if "=" not in w:
            raise UsageError(f"--where {w}: expected COLUMN=VALUE")
        col, val = w.split("=", 1)
        if col not in df.columns:
            raise UsageError(f"--where {w}: {path} has no column '{col}' (columns: "
                             f"{choices(df.columns)})")
        v = parse_value(val)
        if isinstance(v, float) and pd.api.types.is_numeric_dtype(df[col]):
            keep = np.isclose(df[col].astype(float), v, rtol=1e-12, atol=0)
        else:
            keep = df[col].astype(str) == val
        if not keep.any():
            seen = sorted(set(df[col].astype(str)))
            raise UsageError(f"--where {w}: no row has {col} = {val} (it takes: "
                             f"{choices(seen, 20)})")
        df = df[keep]
    return df


def unit_columns(df):
    """The columns that name one independent sample: replicate and population."""
    return [c for c in ("point", "replicate", "population") if c in df.columns]


def at_generation(df, which):
    """Each population's last census (or its last at or before generation N)."""
    if "generation" not in df.columns:
        return df
    if which != "last":
        try:
            g = int(which)
        except ValueError:
            raise UsageError(f"--generation {which}: expected 'last' or a generation number")
        df = df[df["generation"] <= g]
        if df.empty:
            raise UsageError(f"--generation {which}: no census at or before it")
    keys = unit_columns(df)
    idx = df.groupby(keys, sort=False)["generation"].idxmax()
    return df.loc[idx.values]


def need_column(df, col, what, path, numeric=True):
    """col must be a column of df (numeric unless told); a result written "A - B", with A
    and B numeric columns, is made as their difference, row by row (a paired comparison:
    say, one class's payoff against the other's in the same population)."""
    if col not in df.columns and numeric and " - " in col:
        a, b = col.split(" - ", 1)
        need_column(df, a.strip(), what, path)
        need_column(df, b.strip(), what, path)
        df[col] = df[a.strip()] - df[b.strip()]
    if col not in df.columns:
        cols = [c for c in df.columns if not numeric or pd.api.types.is_numeric_dtype(df[c])]
        raise UsageError(f"{what} {col}: {path} has no such column (numeric columns: "
                         f"{choices(cols)})")
    if numeric and not pd.api.types.is_numeric_dtype(df[col]):
        raise UsageError(f"{what} {col}: not a numeric column")


def need_axis(recs, df, axis, what):
    if not recs.axes:
        raise UsageError(f"{recs.path}: not a sweep output (no point, replicate and swept "
                         "keys leading its records): run it with `dilemma sweep`")
    if axis not in recs.axes:
        raise UsageError(f"{what} {axis}: not an axis of this sweep (its axes: "
                         f"{choices(recs.axes)})")
    if not pd.api.types.is_numeric_dtype(df[axis]):
        raise UsageError(f"{what} {axis}: its values are not numbers")


def check_one_row(df, keys, path, axes=()):
    """Every (keys, sample) must be one row, else the selection is ambiguous: name the
    columns that tell the rows apart."""
    units = [c for c in ("replicate", "population") if c in df.columns]
    dup = df.duplicated(subset=keys + units, keep=False)
    if not dup.any():
        return
    sub = df[dup]
    grp = sub.groupby(keys + units, sort=False)
    cand = [c for c in ROW_KEYS + [c for c in df.columns if c not in ROW_KEYS]
            if c in df.columns and c not in keys + units and c != "point"
            and (c in ROW_KEYS or not pd.api.types.is_numeric_dtype(df[c])
                 or c in axes)]
    varying = [c for c in cand if (grp[c].nunique(dropna=False) > 1).any()]
    if not varying:
        varying = [c for c in df.columns if c not in keys + units
                   and (grp[c].nunique(dropna=False) > 1).any()][:8]
    hints = "; ".join(f"{c} ({choices(sorted(set(sub[c].astype(str))), 8)})"
                      for c in varying[:4])
    raise UsageError(f"{path}: several rows for each value of {', '.join(keys)} in a "
                     f"replicate; they differ in {hints}: choose with --where COLUMN=VALUE"
                     " (or plot that column as an axis)")


def results(recs, args):
    df, kind = recs.main()
    df = apply_where(df, args.where, recs.path)
    df = at_generation(df, args.generation).copy()
    if kind == "sweep-summary":
        df = summary_result(df, args, recs.path)
    return df, kind


def summary_result(df, args, path):
    """A --summary file (long form: a row per point and quantity): the rows of the one
    quantity asked for (--z / --y), its mean as the result column. Its n, se and 95 %
    interval (ci_low, ci_high: Student's t, or Wilson's for fractions) come along."""
    which = "z" if hasattr(args, "z") else "y"
    want = getattr(args, which)
    quantities = list(dict.fromkeys(df["quantity"]))
    if want is None:
        want = next((q for q in quantities if "cooperation" in q), quantities[0])
        setattr(args, which, want)
    if want not in quantities:
        raise UsageError(f"--{which} {want}: not a quantity of this summary (its quantities: "
                         f"{choices(quantities)})")
    df = df[df["quantity"] == want].copy()
    df[want] = df["mean"]
    return df


def varying(recs, df):
    """The sweep's axes that take more than one value in the rows selected."""
    return [a for a in recs.axes if a in df.columns and df[a].nunique() > 1]


def default_result(df, given):
    if given:
        return given
    for c in ("cooperation_rate", "cooperation", "expected_cooperation", "mean_payoff"):
        if c in df.columns:
            return c
    raise UsageError("give the result to draw (numeric columns: " + choices(
        [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]) + ")")


def stats(df, keys, col):
    """Mean, standard error and count of col over the samples of each keys group (lo and
    hi: mean -+ 1.96 se); a summary's rows are already a point each and keep their own n,
    se and 95 % interval."""
    if "ci_low" in df.columns and "quantity" in df.columns:
        out = df.sort_values(keys)[keys + [col, "n", "se", "ci_low", "ci_high"]]
        return out.rename(columns={col: "mean", "n": "count", "ci_low": "lo",
                                   "ci_high": "hi"}).reset_index(drop=True)
    g = df.groupby(keys, sort=True)[col]
    out = g.agg(["mean", "std", "count"]).reset_index()
    out["se"] = out["std"] / np.sqrt(out["count"])
    out.loc[out["count"] < 2, "se"] = np.nan
    out["lo"], out["hi"] = out["mean"] - 1.96 * out["se"], out["mean"] + 1.96 * out["se"]
    return out.drop(columns="std")


# --- drawing -------------------------------------------------------------------------------

def fmt(v):
    return f"{v:g}" if isinstance(v, (float, np.floating, int, np.integer)) else str(v)


def save(fig, args, default):
    """NAME.png and NAME.pdf (or the one format NAME's extension names), each written to a
    temporary file beside it and renamed into place."""
    name = args.out or default
    base, ext = os.path.splitext(name)
    if ext.lower() in (".png", ".pdf", ".svg"):
        paths = [name]
    else:
        paths = [name + ".png", name + ".pdf"]
    for p in paths:
        folder = os.path.dirname(os.path.abspath(p))
        if not os.path.isdir(folder):
            raise UsageError(f"--out {name}: the folder {folder} does not exist")
    for p in paths:
        folder = os.path.dirname(os.path.abspath(p))
        fd, tmp = tempfile.mkstemp(prefix=".plot-", suffix=os.path.splitext(p)[1], dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                fig.savefig(f, format=os.path.splitext(p)[1][1:].lower(), dpi=args.dpi,
                            bbox_inches="tight")
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; a picture is for sharing
            os.replace(tmp, p)
        except OSError as e:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            die(f"{p}: cannot write it: {e.strerror or e}", 1)
    plt.close(fig)
    if not args.quiet:
        sys.stderr.write(f"{PROG}: wrote {', '.join(paths)}\n")


def stem(path, kind):
    return os.path.splitext(os.path.basename(path))[0] + "_" + kind


def ticks(ax, values, axis):
    """Category ticks labelled with the axis's values, thinned to about 12."""
    n = len(values)
    step = max(1, math.ceil(n / 12))
    pos = list(range(0, n, step))
    labels = [fmt(values[i]) for i in pos]
    if axis == "x":
        ax.set_xticks(pos)
        ax.set_xticklabels(labels, rotation=45 if n > 8 else 0)
    else:
        ax.set_yticks(pos)
        ax.set_yticklabels(labels)


def cmd_heatmap(args):
    recs = load(args.file)
    df, kind = results(recs, args)
    if not recs.axes:
        need_axis(recs, df, args.x or "", "--x")
    axes = varying(recs, df)
    if len(recs.axes) < 2 and not (args.x and args.y):
        raise UsageError(f"{args.file}: a heatmap needs a 2-D sweep; its axes: "
                         f"{choices(recs.axes) or 'none'}")
    if (args.x is None or args.y is None) and len(axes) != 2:
        raise UsageError(f"{len(axes)} axes of this sweep vary here ({choices(axes)}): name "
                         "two with --x and --y (and fix the others with --where)")
    x = args.x or next(a for a in axes if a != args.y)
    y = args.y or next(a for a in axes if a != x)
    need_axis(recs, df, x, "--x")
    need_axis(recs, df, y, "--y")
    if x == y:
        raise UsageError(f"--x and --y are both {x}")
    z = default_result(df, args.z)
    need_column(df, z, "--z", args.file)
    check_one_row(df, [x, y], args.file, recs.axes)
    s = stats(df, [y, x], z)
    mean = s.pivot(index=y, columns=x, values="mean")
    xs, ys = list(mean.columns), list(mean.index)
    if args.dump:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow([f"{y}\\{x}"] + [repr(float(v)) for v in xs])
        for yv, row in zip(ys, mean.values):
            w.writerow([repr(float(yv))] + ["" if np.isnan(v) else repr(float(v)) for v in row])
    n = int(s["count"].max())
    fig, ax = plt.subplots(figsize=(args.width, args.height))
    m = np.ma.masked_invalid(mean.values.astype(float))
    im = ax.imshow(m, origin="lower", aspect="auto", cmap=args.cmap, interpolation="nearest",
                   vmin=args.vmin, vmax=args.vmax)
    ticks(ax, xs, "x")
    ticks(ax, ys, "y")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(z + (f" (mean of {n})" if n > 1 else ""))
    if args.annotate or (len(xs) <= 10 and len(ys) <= 10 and args.annotate is None):
        lo, hi = np.nanmin(m), np.nanmax(m)
        for i in range(len(ys)):
            for j in range(len(xs)):
                if not np.ma.is_masked(m[i, j]):
                    v = float(m[i, j])
                    dark = hi > lo and (v - lo) / (hi - lo) < 0.5
                    ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                            color="white" if dark else "black")
    ax.set_title(args.title or title_of(df, kind, args))
    save(fig, args, stem(args.file, "heatmap"))


def title_of(df, kind, args):
    bits = []
    if "game" in df.columns:
        bits.append(str(df["game"].iloc[0]))
    one = "strategy" in df.columns and df["strategy"].nunique() == 1
    if "player" in df.columns and df["player"].nunique() == 1:
        bits.append(f"player {df['player'].iloc[0]}"
                    + (f" ({df['strategy'].iloc[0]})" if one else ""))
    elif one:
        bits.append(str(df["strategy"].iloc[0]))
    if kind == "generation":
        bits.append("final census" if args.generation == "last"
                    else f"generation {args.generation}")
    return ", ".join(bits)


def cmd_lines(args):
    recs = load(args.file)
    df, kind = results(recs, args)
    if not recs.axes:
        need_axis(recs, df, args.x or "", "--x")
    axes = varying(recs, df)
    x = args.x
    if x is None:
        if len(axes) == 1 or (len(axes) == 2 and args.by in axes):
            x = next(a for a in axes if a != args.by)
        elif len(axes) == 2:
            x = axes[0]
        else:
            raise UsageError(f"{len(axes)} axes of this sweep vary here ({choices(axes)}): "
                             "name one with --x (and --by, or fix the others with --where)")
    by = args.by
    if by is None and len(axes) == 2 and x in axes:
        by = next(a for a in axes if a != x)
    need_axis(recs, df, x, "--x")
    if by is not None:
        if by not in recs.axes:
            need_column(df, by, "--by", args.file, numeric=False)
        if by == x:
            raise UsageError(f"--x and --by are both {x}")
    y = default_result(df, args.y)
    need_column(df, y, "--y", args.file)
    keys = ([by] if by else []) + [x]
    check_one_row(df, keys, args.file, recs.axes)
    s = stats(df, keys, y)
    if args.dump:
        s.to_csv(sys.stdout, index=False)
    fig, ax = plt.subplots(figsize=(args.width, args.height))
    groups = [(None, s)] if by is None else list(s.groupby(by, sort=True))
    cmap = plt.get_cmap("viridis")
    for i, (bv, g) in enumerate(groups):
        color = None if by is None else cmap(i / max(1, len(groups) - 1))
        label = None if by is None else f"{by} = {fmt(bv)}"
        ax.plot(g[x], g["mean"], marker="o", ms=3, color=color, label=label)
        ax.fill_between(g[x], g["lo"].fillna(g["mean"]), g["hi"].fillna(g["mean"]),
                        alpha=0.2, color=color, linewidth=0)
    if args.logx:
        ax.set_xscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(y + " (mean, 95 % band)")
    if by is not None:
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(args.title or title_of(df, kind, args))
    save(fig, args, stem(args.file, "lines"))


def evolution_table(recs, args):
    if "generation" not in recs.rows and "generation" not in recs.tables:
        raise UsageError(f"{args.file}: no evolution censuses in it (record types: "
                         f"{choices(recs.kinds())}); give the output of a `mode: evolve` run")
    return apply_where(recs.table("generation"), args.where, recs.path)


def cmd_abundance(args):
    recs = load(args.file)
    df = evolution_table(recs, args)
    if args.population is not None:
        df = df[df["population"] == args.population]
        if df.empty:
            raise UsageError(f"--population {args.population}: no such population")
    for a in recs.axes:
        if df[a].nunique() > 1:
            raise UsageError(f"the sweep's axis {a} takes several values here ("
                             f"{choices(sorted(set(df[a].astype(str))), 8)}): choose a point "
                             f"with --where {a}=VALUE")
    shares = any(c.startswith("share:") for c in df.columns)
    col = "count:" if args.counts or not shares else "share:"
    cols = [c for c in df.columns if c.startswith(col)]
    if args.strategies:
        want = [col + s for s in args.strategies.split(",")]
        missing = [w[len(col):] for w in want if w not in cols]
        if missing:
            raise UsageError(f"--strategies: {', '.join(missing)} not counted in this run "
                             f"(counted: {choices(c[len(col):] for c in cols)})")
        cols = want
    else:
        cols = [c for c in cols if df[c].max() > 0]
    units = [c for c in ("replicate", "population") if c in df.columns]
    gens = np.sort(df["generation"].unique())
    fig, ax = plt.subplots(figsize=(args.width, args.height))
    dump = {"generation": gens}
    for c in cols:
        # every sample's census carried forward to every generation shown (a population
        # that fixed or stopped keeps its last census)
        wide = df.pivot_table(index="generation", columns=units or None, values=c,
                              aggfunc="last") if units else df.set_index("generation")[[c]]
        wide = wide.reindex(gens).ffill()
        mean = wide.mean(axis=1).values
        n = wide.count(axis=1).values
        se = wide.std(axis=1).fillna(0).values / np.sqrt(np.maximum(n, 1))
        line, = ax.plot(gens, mean, label=c[len(col):], drawstyle="steps-post")
        if wide.shape[1] > 1:
            lo, hi = mean - 1.96 * se, mean + 1.96 * se
            if col == "share:":
                lo, hi = np.clip(lo, 0, 1), np.clip(hi, 0, 1)
            ax.fill_between(gens, lo, hi, alpha=0.2,
                            color=line.get_color(), linewidth=0, step="post")
        dump[c] = mean
    if args.dump:
        pd.DataFrame(dump).to_csv(sys.stdout, index=False)
    samples = df.groupby(units).ngroups if units else 1
    ax.set_xlabel("generation")
    ax.set_ylabel(("agents" if col == "count:" else "share of the population")
                  + (f" (mean of {samples})" if samples > 1 else ""))
    if args.logx:
        ax.set_xscale("symlog")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(args.title or "strategy abundances")
    save(fig, args, stem(args.file, "abundance"))


def fixation_times(recs, args):
    """(generation, strategy, sample columns...) of every fixation in the file: fixation
    records (json, jsonl), summary outcomes (FILE.summary.json), or for csv the first
    census of each population that is monomorphic (exact with stop: {fixation: true})."""
    if "fixation" in recs.rows:
        df = apply_where(recs.table("fixation"), args.where, recs.path)
        total = None
        if "generation" in recs.rows:
            g = apply_where(recs.table("generation"), args.where, recs.path)
            total = g.groupby(unit_columns(g)).ngroups
        return df[["generation", "strategy"] + [c for c in df.columns if c in recs.axes]], total
    if "outcome" in recs.rows:
        df = apply_where(recs.table("outcome"), args.where, recs.path)
        total = len(df)
        df = df[df["fixed"].notna()].rename(columns={"fixation_generation": "generation",
                                                      "fixed": "strategy"})
        return df[["generation", "strategy"] + [c for c in df.columns if c in recs.axes]], total
    df = evolution_table(recs, args)
    units = unit_columns(df)
    total = df.groupby(units).ngroups
    mono = df[df["monomorphic"].astype(bool)]
    first = mono.loc[mono.groupby(units)["generation"].idxmin().values]
    counts = [c for c in df.columns if c.startswith("count:")]
    strat = [next((c[6:] for c in counts if r[c] == r["population_size"]), "other")
             for _, r in first.iterrows()] if "population_size" in df.columns else ["?"] * len(first)
    out = first[["generation"] + [c for c in first.columns if c in recs.axes]].copy()
    out.insert(1, "strategy", strat)
    return out, total


def cmd_fixation(args):
    recs = load(args.file)
    df, total = fixation_times(recs, args)
    by = args.by
    if by is not None and by not in df.columns:
        raise UsageError(f"--by {by}: not an axis of this sweep (its axes: "
                         f"{choices(recs.axes) or 'none'})")
    if df.empty:
        raise UsageError(f"{args.file}: no population fixed (nothing to draw)")
    if args.dump:
        df.to_csv(sys.stdout, index=False)
    key = by or "strategy"
    groups = list(df.groupby(key, sort=True))
    gens = df["generation"].astype(float)
    lo, hi = gens.min(), gens.max()
    if args.logx and lo > 0:
        bins = np.geomspace(lo, max(hi, lo * 1.001), args.bins + 1)
    else:
        bins = np.linspace(lo, max(hi, lo + 1), args.bins + 1)
    if (gens == np.round(gens)).all() and not (args.logx and lo > 0):
        # whole generations: bins of equal whole widths, edges half-way between integers
        width = max(1, math.ceil((hi - lo + 1) / args.bins))
        bins = lo - 0.5 + width * np.arange(math.ceil((hi - lo + 1) / width) + 1)
    elif (gens == np.round(gens)).all():
        # whole generations: edges half-way between integers, so no bin is empty by
        # construction and none holds two of its neighbours' values
        bins = np.unique(np.ceil(bins - 1e-9)) - 0.5
        bins = np.unique(np.concatenate(([lo - 0.5], bins[(bins > lo) & (bins < hi)],
                                         [hi + 0.5])))
    fig, ax = plt.subplots(figsize=(args.width, args.height))
    data = [g["generation"].astype(float).values for _, g in groups]
    labels = [f"{key} = {fmt(v)} ({len(g)}, mean {g['generation'].mean():.4g})"
              for v, g in groups]
    if by is None:
        ax.hist(data, bins=bins, stacked=True, label=labels)
        handles, names = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], names[::-1], fontsize=8)  # top of the stack first
    else:
        for d, label in zip(data, labels):
            ax.hist(d, bins=bins, histtype="step", linewidth=1.5, label=label)
        ax.legend(fontsize=8)
    if args.logx and lo > 0:
        ax.set_xscale("log")
    ax.set_xlabel("fixation generation")
    ax.set_ylabel("populations")
    of = f"{len(df)} of {total} populations fixed" if total else f"{len(df)} fixations"
    ax.set_title(args.title or f"fixation times ({of})")
    save(fig, args, stem(args.file, "fixation"))


def cmd_frontier(args):
    recs = load(args.file)
    df = recs.tables.get("design")
    if df is None and "design" in recs.rows:
        df = recs.table("design")
    if df is None:
        df = recs.tables.get("csv")
    if df is None or not {"cooperation", "cost", "on_frontier"} <= set(df.columns):
        raise UsageError(f"{args.file}: not a design (the output of a config with "
                         f"analyze.design: columns cooperation, cost, on_frontier)")
    df = apply_where(df, args.where, args.file)
    x = args.x
    if x not in df.columns:
        raise UsageError(f"--x {x}: not a column of this design (cost, fines, net_cost)")
    truth = lambda col: df[col].astype(str).str.lower().isin(["true", "1"])
    front = df[truth("on_frontier")].sort_values(x)
    best = df[truth("cheapest")] if "cheapest" in df.columns else df.iloc[0:0]
    if args.dump:
        df.to_csv(sys.stdout, index=False)
    fig, ax = plt.subplots(figsize=(args.width, args.height))
    ax.scatter(df[x], df["cooperation"], s=14, color="0.7", label=f"{len(df)} institutions")
    ax.step(front[x], front["cooperation"], where="post", color="C0", linewidth=1.5,
            marker="o", markersize=4, label=f"frontier ({len(front)})")
    if "cooperation_se" in df.columns:  # measured by evolving populations: 95 % bars
        ax.errorbar(df[x], df["cooperation"], yerr=1.96 * df["cooperation_se"].astype(float),
                    fmt="none", ecolor="0.5", elinewidth=0.8, capsize=2)
    if "target" in df.columns and len(df):
        ax.axhline(float(df["target"].iloc[0]), color="C3", linestyle=":", linewidth=1,
                   label=f"target {fmt(float(df['target'].iloc[0]))}")
    for _, r in best.iterrows():
        ax.scatter([r[x]], [r["cooperation"]], s=120, marker="*", color="C3", zorder=3,
                   label=f"cheapest: audit {fmt(r['audit'])}, fine {fmt(r['fine'])}, "
                         f"subsidy {fmt(r['subsidy'])}")
    ax.set_xlabel({"cost": "referee's spending per interaction (audits, subsidies)",
                   "fines": "fines collected per interaction",
                   "net_cost": "net cost per interaction (spending - fines)"}.get(x, x))
    ax.set_ylabel("cooperation")
    ax.legend(fontsize=8)
    evolved = "measure" in df.columns and len(df) and str(df["measure"].iloc[0]) == "evolve"
    ax.set_title(args.title or ("the cheapest enforcement (evolving populations, 95 % bars)"
                                if evolved else "the cheapest enforcement"))
    save(fig, args, stem(args.file, "frontier"))


def parser():
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    sub = p.add_subparsers(dest="cmd", metavar="heatmap|lines|abundance|fixation|frontier")
    sub.required = True

    def common(sp):
        sp.add_argument("file", help="a csv, json or jsonl output of dilemma")
        sp.add_argument("--where", action="append", metavar="COLUMN=VALUE",
                        help="keep only rows where COLUMN equals VALUE (repeatable)")
        sp.add_argument("--out", metavar="NAME", help="NAME.png and NAME.pdf, or NAME.ext")
        sp.add_argument("--dump", action="store_true", help="print the numbers drawn as csv")
        sp.add_argument("--title")
        sp.add_argument("--dpi", type=int, default=150)
        sp.add_argument("--width", type=float, default=6.4)
        sp.add_argument("--height", type=float, default=4.8)
        sp.add_argument("--quiet", action="store_true", help="say nothing on stderr")
        return sp

    h = common(sub.add_parser("heatmap", help="a result over a 2-D sweep"))
    h.add_argument("--x", metavar="AXIS", help="swept key on the x axis (default: the first)")
    h.add_argument("--y", metavar="AXIS", help="swept key on the y axis (default: the other)")
    h.add_argument("--z", metavar="COLUMN", help="result column, or 'A - B' for the "
                   "difference of two (default: cooperation_rate, cooperation, "
                   "expected_cooperation or mean_payoff, the first present)")
    h.add_argument("--generation", default="last", metavar="last|N")
    h.add_argument("--cmap", default="viridis")
    h.add_argument("--vmin", type=float)
    h.add_argument("--vmax", type=float)
    h.add_argument("--annotate", action="store_true", default=None,
                   help="print each cell's value (default: on grids up to 10 x 10)")
    h.add_argument("--no-annotate", dest="annotate", action="store_false")
    h.set_defaults(func=cmd_heatmap)

    ln = common(sub.add_parser("lines", help="a result over a 1-D sweep, with 95 %% bands"))
    ln.add_argument("--x", metavar="AXIS", help="swept key on the x axis")
    ln.add_argument("--y", metavar="COLUMN", help="result column (as heatmap's --z)")
    ln.add_argument("--by", metavar="AXIS", help="one line per value of this axis")
    ln.add_argument("--generation", default="last", metavar="last|N")
    ln.add_argument("--logx", action="store_true")
    ln.set_defaults(func=cmd_lines)

    a = common(sub.add_parser("abundance", help="strategy abundances over generations"))
    a.add_argument("--population", type=int, metavar="P", help="one population only")
    a.add_argument("--strategies", metavar="A,B", help="only these (default: every one seen)")
    a.add_argument("--counts", action="store_true", help="agents, not shares")
    a.add_argument("--logx", action="store_true")
    a.set_defaults(func=cmd_abundance)

    f = common(sub.add_parser("fixation", help="fixation-time distribution"))
    f.add_argument("--bins", type=int, default=30)
    f.add_argument("--by", metavar="AXIS", help="one histogram per value of this axis "
                   "(default: one per fixed strategy, stacked)")
    f.add_argument("--logx", action="store_true")
    f.set_defaults(func=cmd_fixation)

    fr = common(sub.add_parser("frontier", help="a design: cost against cooperation"))
    fr.add_argument("--x", default="cost", metavar="cost|net_cost|fines")
    fr.set_defaults(func=cmd_frontier)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    if getattr(args, "bins", 1) < 1:
        die("--bins: expected an integer >= 1")
    try:
        args.func(args)
    except UsageError as e:
        die(str(e))
    except BrokenPipeError:
        sys.exit(1)


if __name__ == "__main__":
    main()

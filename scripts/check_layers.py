#!/usr/bin/env python3
"""check_layers.py — host/ is layered by stage of the data flow (host/README.md): a file
may include headers of its own folder and of the folders before it, never of a later one;
no headers include each other in a circle; no file names stdout or stderr (they write
through dlm_out() and dlm_err(), host/core/io.h); and no function of host/ or bench/ is longer
than about 120 lines (FUNCTION_MAX), so that a reader can hold it. Prints every
violation; exit 1 if any.
usage: scripts/check_layers.py [ROOT]"""
import os
import re
import sys

ORDER = ["core", "model", "config", "backends", "plan", "run", "output", "cli", "api"]
RANK = {name: i for i, name in enumerate(ORDER)}
FUNCTION_MAX = 125  # lines from the opening brace to the closing one


def long_functions(path):
    """(name, lines) of the functions in a C file longer than FUNCTION_MAX: a body opens
    with '{' alone at column 0 and closes with '}' alone at column 0."""
    lines = open(path, encoding="utf-8").read().split("\n")
    found, start = [], None
    for i, line in enumerate(lines):
        if start is None and line == "{" and i > 0:
            j = i - 1
            while j > 0 and not re.match(r"[A-Za-z]", lines[j]):
                j -= 1
            m = re.search(r"(\w+)\s*\(", lines[j])
            start, name = i, (m.group(1) if m else lines[j][:40])
        elif start is not None and line == "}":
            if i - start + 1 > FUNCTION_MAX:
                found.append((name, i - start + 1))
            start = None
    return found


STD_STREAMS = re.compile(r"(?<![\w.>])(stdout|stderr|printf\s*\(|puts\s*\(|putchar\s*\()")


def code_only(text):
    """C text with comments, string and character literals blanked (lines kept)."""
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                  lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)


def std_streams(path):
    """Lines that name stdout or stderr or print to them: host/ and bench/ write through
    dlm_out() and dlm_err() (host/core/io.h), so that a libdilemma handle gets its bytes."""
    if path == os.path.join("host", "core", "io.c"):
        return []
    code = code_only(open(path, encoding="utf-8").read()).split("\n")
    return [i + 1 for i, line in enumerate(code) if STD_STREAMS.search(line)]


def folder_of(path):
    parts = path.split(os.sep)
    if parts[0] == "host" and len(parts) > 2:
        return parts[1]
    if parts[0] == "bench":
        return "cli"  # the bench harness stands where the command line does
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    os.chdir(root)
    files = []
    for top in ("host", "bench"):
        for dirpath, _, names in os.walk(top):
            files += [os.path.join(dirpath, n) for n in names if n.endswith((".c", ".h"))]
    problems = []
    graph = {}
    for f in sorted(files):
        me = folder_of(f)
        if me is None:
            problems.append(f"{f}: a host file outside the stage folders ({', '.join(ORDER)})")
            continue
        if f.endswith(".c"):
            for line in std_streams(f):
                problems.append(f"{f}:{line}: names stdout/stderr or prints to them: write to "
                                "dlm_out() / dlm_err() (core/io.h)")
            for name, n in long_functions(f):
                problems.append(f"{f}: {name} is {n} lines (at most about {FUNCTION_MAX}: split "
                                "it into named steps)")
        incs = re.findall(r'^#include "([^"]+)"', open(f, encoding="utf-8").read(), re.M)
        graph[f] = []
        for inc in incs:
            if "/" not in inc or inc.startswith("dilemma/"):
                if os.path.exists(os.path.join("host", me, inc)):
                    problems.append(f"{f}: includes \"{inc}\"; write \"{me}/{inc}\"")
                continue  # include/ and kernels/: below every stage
            stage = inc.split("/")[0]
            if stage not in RANK:
                problems.append(f"{f}: includes \"{inc}\" of no stage")
                continue
            if RANK[stage] > RANK[me]:
                problems.append(f"{f} ({me}): includes \"{inc}\" of the later stage {stage}")
            graph[f].append(os.path.join("host", inc))
    # circles among files
    state = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt] if nxt in stack else [node, nxt]
                problems.append("include circle: " + " -> ".join(cycle))
            elif not state.get(nxt):
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if not state.get(node):
            visit(node, [node])
    for p in problems:
        print(p)
    print(f"{len(files)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

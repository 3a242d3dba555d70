"""_api.py — the commands of dilemma as Python functions over libdilemma.

Every function builds the CLI's command line (a config file, a config dict, keys as --set
overrides, options), runs it in this process through libdilemma (the GIL released), and
parses the CLI's bytes: CSV records into a pandas DataFrame (a list of dicts without
pandas), JSON into dicts. `raw` gives the bytes themselves."""
import csv
import ctypes
import io
import json
import os
import shlex
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Union

from ._lib import DLM_ERR_USAGE, DLM_OK, PROGRESS_FN, RECORD_FN, Error, lib

try:
    import pandas as _pd
except ImportError:  # pragma: no cover - pandas is optional
    _pd = None

Config = Union[None, str, os.PathLike, Dict[str, Any]]


class DilemmaError(Exception):
    """A run failed (the CLI's exit code 1, or 128 + signal); message: the CLI's words."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class UsageError(DilemmaError, ValueError):
    """A bad config, key, strategy or option (the CLI's exit code 2)."""


@dataclass
class Result:
    """What a command wrote: its standard output (bytes and text), its messages (standard
    error) and its exit code."""
    args: List[str]
    stdout: bytes
    messages: str
    exit_code: int
    lines: List[str] = field(default_factory=list, repr=False)

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", errors="replace")


def version() -> str:
    """libdilemma's version."""
    return lib.dlm_version().decode()


def _value_text(v: Any) -> str:
    """A config value as --set takes it (YAML): JSON for lists and maps (a YAML subset)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, float):
        return repr(v)  # reads back exactly
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v)
    if hasattr(v, "item"):  # numpy scalars
        return _value_text(v.item())
    return str(v)


def _flatten(keys: Dict[str, Any], prefix: str = "") -> List[tuple]:
    """{"match": {"rounds": 200}, "seed": 5, "match__continuation": 0.99} -> dotted pairs.
    A nested dict is a section; `__` in a keyword stands for a dot."""
    out = []
    for k, v in keys.items():
        name = prefix + str(k).replace("__", ".")
        if isinstance(v, dict) and v and name not in ("sweep",):
            out += _flatten(v, name + ".")
        elif v is not None:
            out.append((name, _value_text(v)))
    return out


class _Progress:
    """progress=True: a tqdm bar (tqdm.auto: a widget in notebooks) when tqdm is there, else
    a line on stderr; a callable: called with (done, total, unit)."""

    def __init__(self, progress):
        self.fn = progress if callable(progress) else None
        self.bar = None
        self.use_tqdm = False
        if progress is True:
            try:
                import tqdm.auto  # noqa: F401
                self.use_tqdm = True
            except ImportError:
                pass

    def __call__(self, what: str, unit: str, done: int, total: int):
        if self.fn:
            self.fn(done, total, unit)
        elif self.use_tqdm:
            if self.bar is None:
                import tqdm.auto
                self.bar = tqdm.auto.tqdm(total=total, unit=unit.rstrip("s") or "it",
                                          desc=what, leave=False)
            self.bar.total = total
            self.bar.n = done
            self.bar.refresh()
        else:
            import sys
            end = "\n" if done >= total else "\r"
            sys.stderr.write(f"{what}: {done}/{total} {unit}{end}")

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _execute(command: str, args: Sequence[str] = (), config: Config = None,
             keys: Optional[Dict[str, Any]] = None, progress=None,
             on_record: Optional[Callable[[str], None]] = None, check: bool = True) -> Result:
    err = Error()
    handle = ctypes.c_void_p()
    if lib.dlm_sim_open(handle, command.encode(), err) != DLM_OK:
        raise DilemmaError(err.message.decode())
    lib_sim = handle
    argv = [command]
    callbacks = []  # kept alive while the run goes
    bar = None
    try:
        if config is not None:
            if isinstance(config, dict):
                text = json.dumps(config)  # JSON is YAML
                st = lib.dlm_sim_config_text(lib_sim, text.encode())
                argv += ["--config", "<dict>"]
            else:
                path = os.fspath(config)
                st = lib.dlm_sim_config_file(lib_sim, path.encode())
                argv += ["--config", path]
            if st != DLM_OK:
                raise DilemmaError("could not pass the config to libdilemma")
        for a in args:
            lib.dlm_sim_arg(lib_sim, str(a).encode())
            argv.append(str(a))
        for k, v in _flatten(keys or {}):
            lib.dlm_sim_set(lib_sim, k.encode(), v.encode())
            argv += ["--set", f"{k}={v}"]
        if on_record is not None:
            def record_cb(_user, rec):
                on_record(rec.contents.line[:rec.contents.length].decode("utf-8", "replace"))
            callbacks.append(RECORD_FN(record_cb))
            lib.dlm_sim_on_record(lib_sim, callbacks[-1], None)
        if progress:
            bar = _Progress(progress)

            def progress_cb(_user, what, unit, done, total):
                bar(what.decode(), unit.decode(), done, total)
            callbacks.append(PROGRESS_FN(progress_cb))
            lib.dlm_sim_on_progress(lib_sim, callbacks[-1], None)
        status = _wait(lib_sim)
        n = ctypes.c_size_t()
        ptr = lib.dlm_sim_output(lib_sim, n)
        out = ctypes.string_at(ptr, n.value) if n.value else b""
        messages = (lib.dlm_sim_messages(lib_sim) or b"").decode("utf-8", "replace")
        code = lib.dlm_sim_exit_code(lib_sim)
    finally:
        if bar is not None:
            bar.close()
        lib.dlm_sim_close(lib_sim)
    result = Result(argv, out, messages, code)
    if check and status != DLM_OK:
        msg = messages.strip() or f"dilemma {command} failed (exit code {code})"
        raise (UsageError if status == DLM_ERR_USAGE else DilemmaError)(msg, code)
    return result


def _wait(handle) -> int:
    """Runs the handle on libdilemma's thread and waits, Ctrl-C (KeyboardInterrupt)
    cancelling it; the GIL is free meanwhile."""
    if lib.dlm_sim_start(handle) != DLM_OK:
        return lib.dlm_sim_wait(handle)
    done = threading.Event()
    status = [None]

    def waiter():
        status[0] = lib.dlm_sim_wait(handle)
        done.set()
    t = threading.Thread(target=waiter, daemon=True)
    t.start()
    try:
        while not done.wait(0.1):
            pass
    except KeyboardInterrupt:
        lib.dlm_sim_cancel(handle)
        t.join()
        raise
    t.join()
    return status[0]


def _command_of(config: Config) -> str:
    """`sweep` for a config with a sweep section, else `run`."""
    if isinstance(config, dict):
        return "sweep" if "sweep" in config else "run"
    if config is None:
        return "run"
    try:
        with open(os.fspath(config), encoding="utf-8") as f:
            if any(line.startswith("sweep:") for line in f):
                return "sweep"
    except OSError:
        pass  # the CLI says what is wrong with the file
    return "run"


def _records(text: str):
    """CSV text -> a DataFrame (numbers read back exactly), or a list of dicts."""
    if not text.strip():
        return _pd.DataFrame() if _pd is not None else []
    if _pd is not None:
        return _pd.read_csv(io.StringIO(text), float_precision="round_trip",
                            keep_default_na=True)
    return list(csv.DictReader(io.StringIO(text)))


def _parse(text: str, fmt: Optional[str]):
    if fmt == "csv":
        return _records(text)
    if fmt == "json":
        return json.loads(text) if text.strip() else None
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return text


def raw(args: Union[str, Sequence[str]], *, progress=None,
        on_record: Optional[Callable[[str], None]] = None, check: bool = False) -> Result:
    """Any dilemma command line (as a list, or a string split like a shell's), run in this
    process: the CLI's standard output as bytes, its messages and its exit code."""
    if isinstance(args, str):
        args = shlex.split(args)
    args = [os.fspath(a) if isinstance(a, os.PathLike) else str(a) for a in args]
    command = args[0] if args else ""
    return _execute(command, args[1:], progress=progress, on_record=on_record, check=check)


def run(config: Config = None, *, format: Optional[str] = "csv", progress=None,
        args: Iterable[str] = (), **keys):
    """Runs a config (a path, or a dict of its keys) as `dilemma run` (or `dilemma sweep`
    when it has a sweep section), keys as --set overrides. format: csv (a DataFrame), json
    (a dict), jsonl (a list of dicts), table or None (the text the CLI prints)."""
    a = list(args)
    if format:
        a += ["--format", format]
    r = _execute(_command_of(config), a, config, keys, progress)
    return _parse(r.text, format)


def match(a: str, b: str, config: Config = None, *, args: Iterable[str] = (), **keys):
    """One match (or --repetitions N): the CLI's JSON document as a dict."""
    r = _execute("match", [a, b, *args, "--format", "json"], config, keys)
    return json.loads(r.text)


def tournament(strategies: Optional[Iterable[str]] = None, config: Config = None, *,
               progress=None, args: Iterable[str] = (), **keys):
    """A round robin: the ranking (one row per entrant) as a DataFrame."""
    a = list(args)
    if strategies is not None:
        a += ["--strategies", ",".join(strategies)]
    r = _execute("tournament", a + ["--format", "csv"], config, keys, progress)
    return _records(r.text)


def analyze(*strategies: str, config: Config = None, args: Iterable[str] = (), **keys):
    """Exact long-run and expected payoffs of memory-one pairs: a DataFrame (one row per
    pair and player)."""
    r = _execute("analyze", [*strategies, *args, "--format", "csv"], config, keys)
    return _records(r.text)


def evolve(config: Config = None, *, progress=None, args: Iterable[str] = (), **keys):
    """An evolution (mode evolve): its records, one row per generation and population."""
    keys = dict(keys)
    keys.setdefault("mode", "evolve")
    r = _execute("run", [*args, "--format", "csv"], config, keys, progress)
    return _records(r.text)


def sweep(config: Config, *, progress=None, args: Iterable[str] = (), **keys):
    """A config over the grid of its sweep section: every run's records, with the sweep's
    parameters as columns."""
    r = _execute("sweep", [*args, "--format", "csv"], config, keys, progress)
    return _records(r.text)


def strategies(*names: str):
    """The strategy library (or the named strategies), with definitions."""
    r = _execute("strategies", [*names, "--format", "csv"])
    return _records(r.text)


def devices() -> List[Dict[str, Any]]:
    """The backends this library was built with and the devices present: a list of
    {"backend", "status", "details"}."""
    r = _execute("devices")
    out: List[Dict[str, Any]] = []
    for line in r.text.splitlines():
        head, _, rest = line.partition(" ")
        if head in ("cpu", "cuda", "opencl") and rest.startswith(" "):
            out.append({"backend": head, "status": rest.strip(), "details": []})
        elif out:
            out[-1]["details"].append(line.strip())
    return out

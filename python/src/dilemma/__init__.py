"""dilemma — iterated social dilemmas at population scale, from Python.

The functions run dilemma's commands in this process through libdilemma (the C library,
bound with ctypes; the GIL is released while it runs) and return what the CLI writes,
parsed: pandas DataFrames for records (lists of dicts without pandas), dicts for JSON.
Keys of a config are keyword arguments (a nested dict is a section; `__` stands for a
dot) or a config dict or file; errors raise UsageError / DilemmaError with the CLI's
message. For the same config and seed the bytes are the CLI's (`raw`)."""
from ._api import (DilemmaError, Result, UsageError, analyze, devices, evolve, match, raw,
                   run, strategies, sweep, tournament, version)

__version__ = "0.1.0"
__all__ = ["DilemmaError", "UsageError", "Result", "match", "tournament", "analyze",
           "evolve", "sweep", "run", "strategies", "devices", "raw", "version"]

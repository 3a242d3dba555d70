"""_lib.py — libdilemma (include/dilemma/sim.h) through ctypes.

ctypes releases the GIL around every call into the library, so a run never holds it; the
record and progress callbacks take it back while Python code runs."""
import ctypes
import os

DLM_OK, DLM_ERR_RUNTIME, DLM_ERR_USAGE = 0, 1, 2


class Record(ctypes.Structure):
    _fields_ = [("line", ctypes.c_char_p), ("length", ctypes.c_size_t),
                ("index", ctypes.c_uint64)]


class Error(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char * 2048)]


RECORD_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(Record))
PROGRESS_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                               ctypes.c_uint64, ctypes.c_uint64)


def _find():
    """The library: $DILEMMA_LIBRARY, else the one installed beside this file."""
    path = os.environ.get("DILEMMA_LIBRARY")
    if path:
        return path
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("libdilemma.so", "libdilemma.so.0"):
        if os.path.exists(os.path.join(here, name)):
            return os.path.join(here, name)
    raise OSError("libdilemma.so is not beside " + here + " (install the package with "
                  "`pip install ./python`, or set DILEMMA_LIBRARY to a built libdilemma.so)")


def _load():
    lib = ctypes.CDLL(_find())
    sim = ctypes.c_void_p
    sigs = {
        "dlm_version": (ctypes.c_char_p, []),
        "dlm_abi": (ctypes.c_int, []),
        "dlm_sim_open": (ctypes.c_int, [ctypes.POINTER(sim), ctypes.c_char_p,
                                        ctypes.POINTER(Error)]),
        "dlm_sim_config_file": (ctypes.c_int, [sim, ctypes.c_char_p]),
        "dlm_sim_config_text": (ctypes.c_int, [sim, ctypes.c_char_p]),
        "dlm_sim_set": (ctypes.c_int, [sim, ctypes.c_char_p, ctypes.c_char_p]),
        "dlm_sim_arg": (ctypes.c_int, [sim, ctypes.c_char_p]),
        "dlm_sim_on_record": (ctypes.c_int, [sim, RECORD_FN, ctypes.c_void_p]),
        "dlm_sim_on_progress": (ctypes.c_int, [sim, PROGRESS_FN, ctypes.c_void_p]),
        "dlm_sim_start": (ctypes.c_int, [sim]),
        "dlm_sim_next": (ctypes.c_int, [sim, ctypes.POINTER(Record)]),
        "dlm_sim_wait": (ctypes.c_int, [sim]),
        "dlm_sim_run": (ctypes.c_int, [sim]),
        "dlm_sim_exit_code": (ctypes.c_int, [sim]),
        "dlm_sim_output": (ctypes.c_void_p, [sim, ctypes.POINTER(ctypes.c_size_t)]),
        "dlm_sim_messages": (ctypes.c_char_p, [sim]),
        "dlm_sim_cancel": (None, [sim]),
        "dlm_sim_close": (None, [sim]),
    }
    for name, (res, args) in sigs.items():
        f = getattr(lib, name)
        f.restype = res
        f.argtypes = args
    if lib.dlm_abi() != 0:
        raise OSError(f"libdilemma ABI {lib.dlm_abi()} found; this package binds ABI 0")
    return lib


lib = _load()

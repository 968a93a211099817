"""Fuzz every public callable of ``nickelates`` from its own signature and docstring.

Cases are generated, not written: for every public name (``__all__`` of every public
module, functions and classes, as in ``tests/test_api_docs.py``)

1. the **baseline** is the first call of the callable in its docstring's Examples
   section: the examples are parsed with :class:`doctest.DocTestParser` and run in a
   copy of the module's namespace; a profile hook records the arguments of the first
   call made from the example code itself (``sys.setprofile`` sees the callee's frame,
   whose locals are the bound arguments) and the value it returned;
2. then **one argument at a time** is replaced by NaN, ±inf, 0, its negative, a huge
   (1e300) or tiny (5e-324) value, a wrong type (None, ``'abc'``, ``{}``,
   ``object()``), an empty array and a 2-D array (arrays: the first element NaN/inf,
   the whole array scaled).

Every call runs in a long-lived worker *process* (numba and LAPACK cannot be
interrupted in-process) with a per-call timeout: a worker that times out is killed
(its whole process group) and respawned, and a worker that dies is a crash. Workers
run with their working directory in a temporary folder, and path arguments whose
folder no longer exists (the doctest's own temporary folder) are pointed into it.

Outcomes
--------
``clean``       TypeError / ValueError / ConvergenceError (a named, clear refusal)
``documented``  another exception listed in the callable's numpydoc ``Raises`` section
``finite``      returned, no NaN/inf in the returned numbers
``nonfinite``   returned NaN/inf although every input was finite and the baseline
                result was finite (a *silent* non-finite result: a defect)
``nan-in``      returned NaN/inf after a NaN/inf input (not flagged)
``marked``      returned NaN/inf in a result whose ``ok`` says it failed (documented NaN)
``uncaught``    any other exception (a defect)
``hang``        the call did not return within the timeout (a defect)
``crash``       the worker process died (a defect)

Usage::

    python tools/fuzz.py --all --timeout 10 --report /tmp/fuzz.json
    python tools/fuzz.py --sample 0.4 --seed 0        # the seeded sample of the test
    python tools/fuzz.py --only nickelates.bands.band_energy -v

The test ``tests/test_fuzz_public_api.py`` runs the seeded sample (``sample_cases``).
"""
from __future__ import annotations

import argparse
import hashlib
import collections
import copy
import dataclasses
import doctest
import importlib
import inspect
import json
import math
import os
import pickle
import re
import resource
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP_MODULE = re.compile(r"(^|\.)(_[^.]*|kernels(\..*)?|cli_[^.]*|__main__)$")
DOCTEST_FILE = "<fuzz-doctest>"

#: the mutations, in order; each is applied to every argument of the baseline call
LABELS = ("nan", "inf", "-inf", "zero", "neg", "huge", "tiny", "none", "str", "dict", "object", "empty", "2d")
#: labels whose value is itself non-finite: a non-finite result after them is not flagged
NONFINITE_LABELS = {"nan", "inf", "-inf"}
#: outcomes that fail the test
DEFECTS = ("nonfinite", "uncaught", "hang", "crash")
CLEAN = ("TypeError", "ValueError", "ConvergenceError")

#: callables not fuzzed, with the reason (keep short; every entry hides a callable)
SKIP = {
    "nickelates.mixd_exact.dmrg_ground_state": "DMRG: minutes per call even at the example's size",
}
#: a call may take this many times its baseline call before it counts as a hang
SLOW_FACTOR = 4.0
#: a call that times out is retried once with this many times the timeout before it is a hang
RETRY_FACTOR = 2.0
#: memory limit of a worker process (the machine is shared)
MEMORY_LIMIT = 6 * 2**30


# --------------------------------------------------------------------------------------
# which callables


def public_callables():
    """``(qualified name, module name, name)`` of every public function and class."""
    import pkgutil

    import nickelates

    mods = ["nickelates"]
    for info in pkgutil.walk_packages(nickelates.__path__, "nickelates."):
        if not SKIP_MODULE.search(info.name[len("nickelates."):]):
            mods.append(info.name)
    out = []
    for modname in sorted(mods):
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", None) or ():
            obj = getattr(mod, name, None)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(obj, "__module__", "") == modname:
                out.append((f"{modname}.{name}", modname, name))
    return out


# --------------------------------------------------------------------------------------
# worker side: baseline capture, mutation, call, classification


def _resolve(qual):
    modname, _, name = qual.rpartition(".")
    mod = importlib.import_module(modname)
    return mod, getattr(mod, name)


def _target_code(obj):
    """The code object whose frame a call of ``obj`` creates, and whether it has ``self``."""
    if inspect.isclass(obj):
        for attr in ("__init__", "__new__"):     # a NamedTuple has only a Python __new__
            for cls in obj.__mro__:
                if attr in cls.__dict__:
                    func = cls.__dict__[attr]
                    func = getattr(func, "__func__", func)
                    code = getattr(func, "__code__", None)
                    if code is not None:
                        return code, True
                    break
        return None, True
    code = getattr(obj, "__code__", None)
    if code is None:
        code = getattr(inspect.unwrap(obj), "__code__", None)
    return code, False


def _call_from_locals(code, f_locals, has_self):
    """Rebuild ``(args, kwargs)`` of a call from the callee frame's locals at entry."""
    nargs = code.co_argcount
    nkw = code.co_kwonlyargcount
    names = code.co_varnames
    flags = code.co_flags
    pos = list(names[:nargs])
    kwonly = list(names[nargs:nargs + nkw])
    i = nargs + nkw
    varargs = varkw = None
    if flags & inspect.CO_VARARGS:
        varargs = names[i]
        i += 1
    if flags & inspect.CO_VARKEYWORDS:
        varkw = names[i]
    if has_self:
        pos = pos[1:]
    args, kwargs = [], {}
    if varargs is not None or code.co_posonlyargcount:
        args = [f_locals[n] for n in pos]
    else:
        kwargs.update({n: f_locals[n] for n in pos})
    if varargs is not None:
        args.extend(f_locals[varargs])
    kwargs.update({n: f_locals[n] for n in kwonly})
    if varkw is not None:
        kwargs.update(f_locals[varkw])
    return args, kwargs


def _copy(v):
    try:
        return copy.deepcopy(v)
    except Exception:  # clients, figures, generators: share them
        return v


def _examples(obj):
    doc = obj.__doc__ or ""
    try:
        examples = doctest.DocTestParser().get_examples(doc)
    except ValueError:
        return []
    return [ex for ex in examples if not ex.options.get(doctest.SKIP)]


def capture_baseline(qual):
    """Run ``qual``'s Examples until it has been called once; return the bound call.

    Returns a dict with ``status`` (``ok``, ``no-examples``, ``no-call``,
    ``baseline-error``), and for ``ok`` the ``bound`` :class:`inspect.BoundArguments`
    and the baseline ``result``.
    """
    mod, obj = _resolve(qual)
    examples = _examples(obj)
    if not examples:
        return {"status": "no-examples"}
    code, has_self = _target_code(obj)
    if code is None:
        return {"status": "no-call", "detail": "no Python code object to watch"}
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError) as exc:
        return {"status": "no-call", "detail": f"no signature: {exc}"}
    ns = dict(vars(mod))
    ns["__name__"] = mod.__name__
    seen = {}

    def hook(frame, event, arg):
        if "call" in seen and "result" in seen:
            return
        if event == "call" and "call" not in seen and frame.f_code is code:
            back = frame.f_back
            if back is not None and back.f_code.co_filename == DOCTEST_FILE:
                seen["call"] = _call_from_locals(code, dict(frame.f_locals), has_self)
                seen["call"] = (_copy(seen["call"][0]), _copy(seen["call"][1]))
                seen["frame"] = frame
                seen["t0"] = time.perf_counter()
        elif event == "return" and seen.get("frame") is frame:
            seen["result"] = arg
            seen["call_seconds"] = time.perf_counter() - seen["t0"]
            sys.setprofile(None)          # the rest of the example runs at full speed
            seen["frame"] = None

    error = None
    for ex in examples:
        try:
            compiled = compile(ex.source, DOCTEST_FILE, "exec")
        except SyntaxError:
            continue
        sys.setprofile(hook)
        try:
            exec(compiled, ns)
        except BaseException as exc:  # a doctest that expects an exception
            error = exc
        finally:
            sys.setprofile(None)
        if "call" in seen:
            break
    _close_figures()
    if "call" not in seen:
        return {"status": "no-call", "detail": f"examples raise {type(error).__name__}" if error else ""}
    args, kwargs = seen["call"]
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError as exc:
        return {"status": "baseline-error", "detail": f"cannot bind: {exc}"}
    bound.apply_defaults()
    result = seen.get("result")
    if result is None and error is not None:      # the call itself may have raised: replay it
        try:
            result = obj(*_copy(bound.args), **_copy(bound.kwargs))
        except BaseException as exc:
            return {"status": "baseline-error", "detail": f"{type(exc).__name__}: {exc}"[:300]}
        finally:
            _close_figures()
    return {"status": "ok", "bound": bound, "result": result, "obj": obj,
            "call_seconds": seen.get("call_seconds", 0.0)}


def _close_figures():
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


def floats(obj, depth=0):
    """Yield the floating-point numbers of a result (arrays, dataclasses, dicts, sequences, xarray)."""
    import numpy as np

    if depth > 4:
        return
    if isinstance(obj, bool):
        return
    if isinstance(obj, (float, np.floating)):
        yield float(obj)
    elif isinstance(obj, (complex, np.complexfloating)):
        yield complex(obj)
    elif isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc":
            yield from obj.ravel()[:200000].tolist()
        elif obj.dtype.kind == "O":
            for v in obj.ravel()[:1000]:
                yield from floats(v, depth + 1)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from floats(getattr(obj, f.name, None), depth + 1)
    elif isinstance(obj, dict):
        for v in list(obj.values())[:1000]:
            yield from floats(v, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for v in obj[:1000]:
            yield from floats(v, depth + 1)
    elif hasattr(obj, "data_vars") and hasattr(obj, "coords"):       # xarray.Dataset
        for v in obj.data_vars.values():
            yield from floats(getattr(v, "values", None), depth + 1)
    elif type(obj).__module__ == "xarray.core.dataarray":
        yield from floats(obj.values, depth + 1)


def nonfinite_count(result):
    n = 0
    for v in floats(result):
        if isinstance(v, complex):
            if not (math.isfinite(v.real) and math.isfinite(v.imag)):
                n += 1
        elif not math.isfinite(v):
            n += 1
    return n


def _marked_failed(result):
    """True when the result says itself that (some of) it failed: an ``ok`` that is False somewhere."""
    import numpy as np

    ok = result.get("ok") if isinstance(result, dict) else getattr(result, "ok", None)
    if ok is None or callable(ok):
        return False
    try:
        return not bool(np.all(np.asarray(ok)))
    except (TypeError, ValueError):
        return False


def _is_number(v):
    import numpy as np

    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _numeric_array(v):
    import numpy as np

    if isinstance(v, np.ndarray):
        return v.dtype.kind in "iuf" and v.size > 0
    if isinstance(v, (list, tuple)) and v and all(_is_number(x) for x in v):
        return True
    return False


def mutate(value, label):
    """The replacement of a baseline argument ``value`` for ``label`` (``NotImplemented``: skip)."""
    import numpy as np

    if label == "none":
        return NotImplemented if value is None else None
    if label == "str":
        return "abc"
    if label == "dict":
        return {}
    if label == "object":
        return object()
    if _numeric_array(value):
        arr = np.array(value, dtype=float)
        with np.errstate(all="ignore"):
            if label in ("nan", "inf", "-inf"):
                out = arr.copy()
                out.flat[0] = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[label]
            elif label == "zero":
                out = np.zeros_like(arr)
            elif label == "neg":
                out = -arr if np.any(arr != 0) else arr - 1.0
            elif label == "huge":
                out = arr * 1e300 if np.any(arr != 0) else arr + 1e300
            elif label == "tiny":
                out = arr * 5e-324 if np.any(arr != 0) else arr + 5e-324
            elif label == "empty":
                out = arr[:0]
            elif label == "2d":
                out = np.stack([arr, arr])
        if isinstance(value, np.ndarray):
            return out
        return type(value)(out.tolist())
    scalar = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "zero": 0, "huge": 1e300, "tiny": 5e-324}
    if label in scalar:
        return scalar[label]
    if label == "neg":
        if _is_number(value):
            return -value if value != 0 else -1
        return -1.0
    if label == "empty":
        return np.array([])
    if label == "2d":
        if _is_number(value):
            return np.full((2, 2), float(value))
        return np.ones((2, 2))
    raise ValueError(label)


def _input_finite(v):
    import numpy as np

    try:
        if _is_number(v):
            return math.isfinite(v)
        if isinstance(v, np.ndarray) and v.dtype.kind in "fc":
            return bool(np.all(np.isfinite(v)))
        if isinstance(v, (list, tuple)) and v and all(_is_number(x) for x in v):
            return all(math.isfinite(x) for x in v)
    except (TypeError, ValueError):
        pass
    return True


def _repoint_paths(bound, folder):
    """Point string/Path arguments whose folder no longer exists into ``folder``."""
    for k, v in list(bound.arguments.items()):
        if isinstance(v, (str, os.PathLike)) and not isinstance(v, bool):
            s = os.fspath(v)
            if os.sep in s and not os.path.isdir(os.path.dirname(s) or "."):
                new = os.path.join(folder, os.path.basename(s))
                bound.arguments[k] = type(v)(new) if isinstance(v, os.PathLike) else new


def raises_section(obj):
    """Exception class names listed in the numpydoc ``Raises`` section of ``obj``."""
    from numpydoc.docscrape import ClassDoc, FunctionDoc

    names = set()
    try:
        doc = ClassDoc(obj, config={"show_class_members": False}) if inspect.isclass(obj) else FunctionDoc(obj)
        entries = list(doc["Raises"])
    except Exception:  # a docstring numpydoc cannot parse documents nothing
        return names
    for e in entries:
        for part in re.split(r"[\s,]+|\bor\b", f"{e.name} {e.type}"):
            part = part.strip("`:~.()")
            if part:
                names.add(part.split(".")[-1].strip("`"))
    return names


def _where(exc):
    """``file:line`` of the innermost traceback frame inside ``nickelates`` (else the last)."""
    tb = traceback.extract_tb(exc.__traceback__)
    inside = [f for f in tb if "nickelates" in f.filename and DOCTEST_FILE not in f.filename]
    frame = (inside or tb or [None])[-1]
    if frame is None:
        return ""
    fn = frame.filename
    i = fn.find("nickelates/")
    return f"{fn[i:] if i >= 0 else fn}:{frame.lineno}"


class Worker:
    """Worker-side state: baselines of the callables seen so far."""

    def __init__(self, folder):
        self.folder = folder
        self.baselines = {}

    def baseline(self, qual):
        t0 = time.perf_counter()
        try:
            b = capture_baseline(qual)
        except BaseException as exc:
            b = {"status": "baseline-error", "detail": f"{type(exc).__name__}: {exc}"[:300]}
        finally:
            _close_figures()
        secs = time.perf_counter() - t0
        info = {"status": b["status"], "detail": b.get("detail", ""), "seconds": secs}
        if b["status"] == "ok":
            _repoint_paths(b["bound"], self.folder)
            b["raises"] = raises_section(b["obj"])
            b["baseline_nonfinite"] = nonfinite_count(b["result"]) > 0
            b["inputs_finite"] = all(_input_finite(v) for v in b["bound"].arguments.values())
            params = b["bound"].signature.parameters
            info["params"] = [
                (name, [lab for lab in LABELS if mutate(v, lab) is not NotImplemented
                        and not (lab == "none" and params[name].default is None)])
                for name, v in b["bound"].arguments.items()
                if b["bound"].signature.parameters[name].kind
                not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
            ]
            info["raises"] = sorted(b["raises"])
            info["baseline_nonfinite"] = b["baseline_nonfinite"]
            info["call_seconds"] = b["call_seconds"]
        self.baselines[qual] = b
        return info

    def call(self, qual, param, label):
        b = self.baselines.get(qual)
        if b is None or b["status"] != "ok":
            return {"outcome": "skipped", "detail": "no baseline"}
        bound = inspect.BoundArguments(b["bound"].signature, collections.OrderedDict(
            (k, _copy(v)) for k, v in b["bound"].arguments.items()))
        if param is not None:
            bound.arguments[param] = mutate(b["bound"].arguments[param], label)
        finite_in = b["inputs_finite"] and (label not in NONFINITE_LABELS) and _input_finite(
            bound.arguments.get(param))
        os.chdir(self.folder)
        shutil.rmtree(os.path.join(self.folder, "call"), ignore_errors=True)
        os.mkdir(os.path.join(self.folder, "call"))        # files of earlier calls are not in the way
        os.chdir(os.path.join(self.folder, "call"))
        t0 = time.perf_counter()
        try:
            result = b["obj"](*bound.args, **bound.kwargs)
        except BaseException as exc:  # classify everything
            secs = time.perf_counter() - t0
            names = {c.__name__ for c in type(exc).__mro__}
            if names & set(CLEAN):
                outcome = "clean"
            elif names & b["raises"]:
                outcome = "documented"
            else:
                outcome = "uncaught"
            return {"outcome": outcome, "exc": type(exc).__name__, "message": str(exc)[:300],
                    "where": _where(exc), "seconds": secs}
        finally:
            _close_figures()
        secs = time.perf_counter() - t0
        n_bad = nonfinite_count(result)
        if n_bad == 0:
            return {"outcome": "finite", "seconds": secs}
        if _marked_failed(result):
            return {"outcome": "marked", "seconds": secs}
        if finite_in and not b["baseline_nonfinite"]:
            return {"outcome": "nonfinite", "message": f"{n_bad} non-finite numbers in the "
                    f"{type(result).__name__} returned", "seconds": secs}
        return {"outcome": "nan-in", "seconds": secs}


def _send(stream, obj):
    data = pickle.dumps(obj)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def _recv_exact(fd, n):
    buf = b""
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def worker_main():
    """The worker loop: read a request from stdin, answer on the original stdout."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)                       # the library's prints go to the worker's log
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ValueError, OSError):
        pass
    import warnings

    warnings.simplefilter("ignore")
    folder = os.getcwd()
    w = Worker(folder)
    fd = sys.stdin.buffer.fileno()
    while True:
        try:
            (n,) = struct.unpack("<Q", _recv_exact(fd, 8))
            req = pickle.loads(_recv_exact(fd, n))
        except EOFError:
            return
        kind = req[0]
        if kind == "baseline":
            _send(out, w.baseline(req[1]))
        elif kind == "call":
            try:
                _send(out, w.call(*req[1:]))
            except Exception as exc:  # an unpicklable answer
                _send(out, {"outcome": "uncaught", "exc": type(exc).__name__, "message": f"harness: {exc}"[:300]})
        elif kind == "quit":
            return


# --------------------------------------------------------------------------------------
# parent side: the pool of worker processes


_LIVE = set()


def _kill_all():
    for proc in list(_LIVE):
        proc.kill()


class Proc:
    """One worker process (its own session, killed as a group)."""

    def __init__(self, log_dir):
        _LIVE.add(self)
        self.folder = tempfile.mkdtemp(prefix="fuzz-worker-", dir=log_dir)
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
                   NUMBA_NUM_THREADS="1", MPLBACKEND="Agg", PYTHONWARNINGS="ignore")
        self.log = open(os.path.join(self.folder, "worker.log"), "ab")
        self.p = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                  cwd=self.folder, env=env, start_new_session=True)
        self.baselined = set()

    def request(self, req, timeout):
        """Send ``req``; return ``(answer, None)`` or ``(None, 'hang'|'crash')``."""
        try:
            data = pickle.dumps(req)
            self.p.stdin.write(struct.pack("<Q", len(data)) + data)
            self.p.stdin.flush()
        except (BrokenPipeError, OSError):
            return None, "crash"
        fd = self.p.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            self.kill()
            return None, "hang"
        try:
            (n,) = struct.unpack("<Q", _recv_exact(fd, 8))
            return pickle.loads(_recv_exact(fd, n)), None
        except (EOFError, pickle.UnpicklingError, struct.error):
            self.kill()
            return None, "crash"

    def fileno(self):
        return self.p.stdout.fileno()

    def exit_detail(self):
        self.p.poll()
        rc = self.p.returncode
        try:
            with open(os.path.join(self.folder, "worker.log"), "rb") as f:
                tail = f.read()[-400:].decode(errors="replace").strip().splitlines()
        except OSError:
            tail = []
        return f"exit {rc}" + (f": {tail[-1]}" if tail else "")

    def kill(self):
        _LIVE.discard(self)
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def close(self):
        if self.p.poll() is None:
            try:
                data = pickle.dumps(("quit",))
                self.p.stdin.write(struct.pack("<Q", len(data)) + data)
                self.p.stdin.flush()
                self.p.wait(timeout=5)
            except (BrokenPipeError, OSError, subprocess.TimeoutExpired):
                pass
        self.kill()
        for stream in (self.p.stdin, self.p.stdout, self.log):
            try:
                stream.close()
            except OSError:
                pass


def _run_group(proc_box, log_dir, qual, cases, timeout, baseline_timeout, records, baselines, progress):
    """Run one callable's cases on one worker; ``proc_box[0]`` is replaced on a kill."""
    def ensure_baseline():
        proc = proc_box[0]
        if qual in proc.baselined:
            return True
        info, fail = proc.request(("baseline", qual), baseline_timeout)
        if fail:
            detail = proc.exit_detail() if fail == "crash" else f"over {baseline_timeout:g} s"
            proc_box[0] = Proc(log_dir)
            baselines[qual] = {"status": f"baseline-{fail}", "detail": detail}
            return False
        baselines.setdefault(qual, info)
        proc.baselined.add(qual)
        return info["status"] == "ok"

    if not ensure_baseline():
        return
    info = baselines[qual]
    # a slow callable is not a hang: allow each call SLOW_FACTOR times its baseline
    timeout = max(timeout, SLOW_FACTOR * info.get("call_seconds", 0.0))
    if cases is None:                     # all cases of this callable
        cases = [(None, "baseline")] + [(p, lab) for p, labs in info["params"] for lab in labs]
    elif isinstance(cases, tuple) and cases[0] == "auto":
        _, n, seed = cases
        cases = sorted(((p, lab) for p, labs in info["params"] for lab in labs), key=lambda c: _score(seed, qual, *c))[:n]
    valid = {(p, lab) for p, labs in info.get("params", []) for lab in labs} | {(None, "baseline")}
    for param, label in cases:
        if (param, label) not in valid:
            continue
        if not ensure_baseline():
            return
        used = timeout
        ans, fail = proc_box[0].request(("call", qual, param, label), used)
        if fail == "hang":                # a busy machine is not a hang: once more, on a fresh worker, longer
            proc_box[0] = Proc(log_dir)
            if not ensure_baseline():
                return
            used = RETRY_FACTOR * timeout
            ans, fail = proc_box[0].request(("call", qual, param, label), used)
        if fail:
            detail = proc_box[0].exit_detail() if fail == "crash" else f"over {used:g} s (twice: {timeout:g} s, {used:g} s)"
            ans = {"outcome": fail, "message": detail}
            proc_box[0] = Proc(log_dir)
        rec = {"callable": qual, "param": param, "label": label, **ans}
        records.append(rec)
        if progress:
            progress(rec)


def run(groups, *, timeout=10.0, baseline_timeout=None, workers=2, progress=None):
    """Run ``groups`` (a list of ``(qualname, cases or None)``) on ``workers`` processes.

    Returns ``(records, baselines)``. One worker takes a whole callable at a time, so its
    baseline is computed once (again after a kill).
    """
    import threading

    baseline_timeout = baseline_timeout or max(6 * timeout, 60.0)
    log_dir = tempfile.mkdtemp(prefix="nickelates-fuzz-")
    records, baselines = [], {}
    queue = list(groups)
    lock = threading.Lock()

    def loop():
        box = [Proc(log_dir)]
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    qual, cases = queue.pop(0)
                _run_group(box, log_dir, qual, cases, timeout, baseline_timeout, records, baselines, progress)
        finally:
            box[0].close()

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(max(1, workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    shutil.rmtree(log_dir, ignore_errors=True)
    return records, baselines


# --------------------------------------------------------------------------------------
# sample, counts, report


#: measured baseline seconds per callable (written by ``--update-costs`` from a full run);
#: the sample leaves out callables whose baseline is slower than ``SAMPLE_MAX_BASELINE``
COSTS_FILE = ROOT / "tests" / "fuzz_costs.json"
SAMPLE_MAX_BASELINE = 1.0


def _score(*parts):
    """A number in [0, 1) fixed by ``parts`` (a stable hash: the sample does not move when names are added)."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def sample_groups(fraction, per_callable, seed=0, *, max_baseline=SAMPLE_MAX_BASELINE):
    """The seeded sample: each eligible callable with probability ``fraction``, ``per_callable`` cases each.

    A callable is eligible when its measured baseline (``tests/fuzz_costs.json``) ran
    in at most ``max_baseline`` seconds, or when it is new (not measured yet: then all
    its cases run). The choice of a callable and of its cases depends only on the seed
    and their own names, so a new public name does not change the rest of the sample.
    """
    costs = json.loads(COSTS_FILE.read_text()) if COSTS_FILE.exists() else {}
    quals = [q for q, _, _ in public_callables() if q not in SKIP]
    eligible = [q for q in quals if costs.get(q, {}).get("ok", True)
                and costs.get(q, {}).get("seconds", 0.0) <= max_baseline]
    groups = []
    for q in eligible:
        if _score(seed, q) >= fraction:
            continue
        params = costs.get(q, {}).get("params")
        if q in costs and not params:
            picks = [(None, "baseline")]
        elif params:
            pairs = sorted(((p, lab) for p in params for lab in LABELS), key=lambda c: _score(seed, q, *c))
            picks = pairs[:per_callable]
        else:
            picks = ("auto", per_callable, seed)  # new since the costs: chosen once its arguments are known
        groups.append((q, picks))
    return groups


def counts(records, baselines, n_callables):
    c = collections.Counter(r["outcome"] for r in records)
    calls = len([r for r in records if r["label"] != "baseline"])
    mut = collections.Counter(r["outcome"] for r in records if r["label"] != "baseline")
    errors = mut["clean"] + mut["documented"] + mut["uncaught"]
    b = collections.Counter(v["status"] for v in baselines.values())
    return {
        "callables": n_callables,
        "with baseline": b["ok"],
        "no examples / no call": b["no-examples"] + b["no-call"],
        "baseline errors": b["baseline-error"] + b["baseline-hang"] + b["baseline-crash"],
        "calls": calls,
        "clean named errors %": round(100.0 * mut["clean"] / errors, 1) if errors else 0.0,
        "clean": mut["clean"],
        "finite": mut["finite"],
        "documented": mut["documented"],
        "nan-in": mut["nan-in"],
        "marked failed": mut["marked"],
        "non-finite": c["nonfinite"],
        "uncaught": c["uncaught"],
        "hangs": c["hang"],
        "crashes": c["crash"],
    }


def table(cnt):
    w = max(len(k) for k in cnt)
    return "\n".join(f"{k:<{w}}  {v}" for k, v in cnt.items())


def defects(records):
    return [r for r in records if r["outcome"] in DEFECTS]


def describe(r):
    what = r.get("exc") or r["outcome"]
    return (f"{r['callable']}({r['param']}={r['label']}): {r['outcome']} {what}: "
            f"{r.get('message', '')[:160]} [{r.get('where', '')}]")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--all", action="store_true", help="every case of every public callable")
    ap.add_argument("--sample", type=float, metavar="FRACTION", help="the seeded sample: this fraction of the callables")
    ap.add_argument("--per-callable", type=int, default=6, help="cases per callable in the sample")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", action="append", default=[], help="a qualified name (repeatable)")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per call (default 10)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--report", type=Path, help="write every record as JSON here")
    ap.add_argument("--update-costs", action="store_true",
                    help=f"write the measured baseline times to {COSTS_FILE.relative_to(ROOT)}")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    if a.worker:
        worker_main()
        return 0
    import atexit

    atexit.register(_kill_all)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    all_quals = [q for q, _, _ in public_callables()]
    if a.only:
        groups = [(q, None) for q in a.only]
    elif a.sample:
        groups = sample_groups(a.sample, a.per_callable, a.seed)
    elif a.all:
        groups = [(q, None) for q in all_quals if q not in SKIP]
    else:
        ap.error("give --all, --sample FRACTION or --only NAME")
    t0 = time.time()

    def progress(rec):
        if rec["outcome"] in DEFECTS or a.verbose:
            print(describe(rec), flush=True)

    records, baselines = run(groups, timeout=a.timeout, workers=a.workers, progress=progress)
    secs = time.time() - t0
    cnt = counts(records, baselines, len(groups))
    print(table(cnt))
    print(f"run time {secs:.0f} s, {a.workers} workers, timeout {a.timeout:g} s")
    for q, info in sorted(baselines.items()):
        if info["status"] not in ("ok",) and a.verbose:
            print(f"  {q}: {info['status']} {info.get('detail', '')}")
    if a.report:
        a.report.write_text(json.dumps({"counts": cnt, "seconds": secs, "baselines": baselines,
                                        "records": records}, indent=1, default=str))
    if a.update_costs:
        old = json.loads(COSTS_FILE.read_text()) if COSTS_FILE.exists() else {}
        for q, info in baselines.items():
            old[q] = {"ok": info["status"] == "ok", "seconds": round(info.get("seconds", 99.0), 2),
                      "params": [p for p, _ in info.get("params", [])]}
        COSTS_FILE.write_text(json.dumps(dict(sorted(old.items())), indent=0) + "\n")
    return 1 if defects(records) else 0


if __name__ == "__main__":
    sys.exit(main())

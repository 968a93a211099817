"""Input validation used by every public function (private to the package).

Each check raises

* :class:`TypeError` when the argument has the wrong *type* (a string, a
  complex or boolean number or array, an object that is not a number), and
* :class:`ValueError` when the type is right but the *value* is outside the
  allowed range (non-finite, subnormal, too large, empty, wrong shape),

with a message that names the argument and states the allowed range, as the
project's standards require.  Import it as ``from . import _validate as check``
(not a one-letter alias that shadows a physics symbol).

>>> from nickelates import _validate as check
>>> check.positive("T", 3)
3.0
>>> check.positive("T", -1.0)
Traceback (most recent call last):
...
ValueError: T must lie in (0.0, inf), got -1.0
"""
from __future__ import annotations

import math
import numbers

import numpy as np

#: smallest positive normal float64; "positive" numbers below it are subnormal
TINY = float(np.finfo(float).tiny)

#: largest number of float64 entries a public function may allocate in one
#: array (≈ 4 GB): a 24 GB machine holds a few of them alongside the rest
MAX_ELEMENTS = 500_000_000


def _type_name(value) -> str:
    return type(value).__name__


def _reject_type(name: str, value, what: str):
    raise TypeError(f"{name} must be {what}, got {_type_name(value)} {value!r:.80}")


def _is_real_scalar(item) -> bool:
    """A real number (not bool), or a 0-d real array."""
    if isinstance(item, (bool, np.bool_)):
        return False
    if isinstance(item, numbers.Real):
        return True
    return isinstance(item, np.ndarray) and item.ndim == 0 and item.dtype.kind in "iuf"


def finite(name: str, value) -> float:
    """Return ``value`` as float.

    Raises :class:`TypeError` if it is not a real number (bool, complex and
    strings are rejected) and :class:`ValueError` if it is inf or NaN.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            value = value.item()
        else:
            _reject_type(name, value, "a real number")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return v


def in_range(name: str, value, lo=-math.inf, hi=math.inf, *, lo_open=False, hi_open=False) -> float:
    """Finite real in ``[lo, hi]`` (open ends on request); the error names the interval."""
    v = finite(name, value)
    bad = (v < lo or v > hi or (lo_open and v == lo) or (hi_open and v == hi))
    if bad:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        raise ValueError(f"{name} must lie in {left}{lo}, {hi}{right}, got {v!r}")
    return v


def positive(name: str, value, hi=math.inf) -> float:
    """Finite real ``> 0`` and ``<= hi``; subnormal numbers (below 2.2e-308) are rejected.

    A subnormal "positive" number is a zero in disguise: its reciprocal
    overflows.  Pass ``hi`` where a larger value would overflow downstream.
    """
    v = in_range(name, value, 0.0, hi, lo_open=True, hi_open=math.isinf(hi))
    if v < TINY:
        raise ValueError(f"{name} must be a positive normal number (>= {TINY:.3g}), got {v!r}")
    return v


def nonnegative(name: str, value, hi=math.inf) -> float:
    """Finite real in ``[0, hi]``; subnormal positive numbers are rounded to 0."""
    v = in_range(name, value, 0.0, hi, hi_open=math.isinf(hi))
    return 0.0 if v < TINY else v


def integer(name: str, value, lo=None, hi=None) -> int:
    """Integer (not bool, not a float) in ``[lo, hi]``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        _reject_type(name, value, "an integer")
    v = int(value)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {v}")
    return v


def iterations(name: str, value, hi=10**9) -> int:
    """An iteration cap: an integer ``>= 1``."""
    return integer(name, value, 1, hi)


def tolerance(name: str, value, hi=1.0) -> float:
    """A convergence tolerance: finite, positive, normal and ``<= hi``."""
    return positive(name, value, hi)


def real_array(name: str, value, *, ndim=None, min_size=1, max_size=MAX_ELEMENTS) -> np.ndarray:
    """A float64 array of finite real numbers.

    Rejects (``TypeError``) None, strings, dicts, sets, booleans, complex numbers and
    other objects (also as elements of a list), and (``ValueError``) non-finite entries, the wrong number of dimensions,
    fewer than ``min_size`` or more than ``max_size`` entries.  Scalars are
    allowed unless ``ndim`` says otherwise.
    """
    if value is None or isinstance(value, (str, bytes, dict, set, frozenset)):
        _reject_type(name, value, "an array of real numbers")
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of real numbers") from exc
    kind = raw.dtype.kind
    if kind == "c":
        raise TypeError(f"{name} must be real, got a complex array (take .real explicitly if intended)")
    if kind == "b":
        raise TypeError(f"{name} must be an array of real numbers, got a boolean array")
    if kind not in "iuf":
        if kind == "O":
            for item in raw.ravel()[:100_000]:      # None or an object where a number belongs: a wrong type
                if not _is_real_scalar(item):
                    raise TypeError(f"{name} must be an array of real numbers, got an element "
                                    f"{_type_name(item)} {item!r:.80}")
            try:
                raw = np.asarray(value, dtype=float)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"{name} must be an array of real numbers, got dtype object") from exc
        else:
            raise TypeError(f"{name} must be an array of real numbers, got dtype {raw.dtype}")
    a = np.asarray(raw, dtype=float)
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-dimensional array, got shape {a.shape}")
    if a.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} entries, got {a.size}")
    if a.size > max_size:
        raise ValueError(f"{name} has {a.size} entries, more than the {max_size} allowed")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must contain only finite numbers")
    return a


def complex_array(name: str, value) -> np.ndarray:
    """A complex128 array from numbers (real or complex; not bool, str, None or other objects).

    ``TypeError`` names the argument for a wrong type; values (finiteness, size) are the caller's.

    >>> complex_array("z", [1, 2j]).tolist()
    [(1+0j), 2j]
    """
    if value is None or isinstance(value, (str, bytes, dict, set, frozenset)):
        _reject_type(name, value, "an array of complex numbers")
    raw = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if raw.dtype.kind == "b":
        raise TypeError(f"{name} must be an array of complex numbers, got a boolean array")
    if raw.dtype.kind == "O":
        for item in raw.ravel()[:100_000]:
            if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Number):
                raise TypeError(f"{name} must be an array of complex numbers, got an element "
                                f"{_type_name(item)} {item!r:.80}")
    elif raw.dtype.kind not in "iufc":
        raise TypeError(f"{name} must be an array of complex numbers, got dtype {raw.dtype}")
    return np.asarray(raw, dtype=complex)


def finite_array(name: str, value, *, ndim=None) -> np.ndarray:
    """Alias of :func:`real_array` kept for the modules that use it (non-empty, finite, real)."""
    return real_array(name, value, ndim=ndim)


def same_length(**arrays) -> int:
    """All arrays have the same length; return it.  ``same_length(bias=b, G=g)``."""
    lengths = {k: len(np.atleast_1d(v)) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        desc = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise ValueError(f"{' and '.join(lengths)} must have the same length: {desc}")
    return next(iter(lengths.values()))


def size_limit(name: str, n, limit, what="entries") -> int:
    """Refuse an allocation of ``n`` items above ``limit`` (what a 24 GB machine holds)."""
    if n > limit:
        raise ValueError(f"{name} would need {n} {what}, more than the {limit} this library allows "
                         f"(a 24 GB machine); choose a smaller problem")
    return int(n)


def choice(name: str, value, allowed):
    """``value`` is one of ``allowed`` (strings must be strings: ``TypeError`` otherwise)."""
    allowed = tuple(allowed)
    if allowed and all(isinstance(a, str) for a in allowed) and not isinstance(value, str):
        _reject_type(name, value, f"one of {sorted(allowed)!r}")
    try:
        ok = value in allowed
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {sorted(map(str, allowed))!r}, got {value!r}")
    return value


def instance(name: str, value, cls, what: str | None = None):
    """``value`` is an instance of ``cls`` (``TypeError`` otherwise; a bool only where ``cls`` allows it).

    For object arguments (a Dask client, a model, a notebook, a dict of
    options): the message names the argument and what it must be (``what``,
    default "a <class name>"), instead of an ``AttributeError`` deep inside.

    >>> instance("select", [1], dict, "a dict {column: value}")
    Traceback (most recent call last):
    ...
    TypeError: select must be a dict {column: value}, got list [1]
    """
    classes = cls if isinstance(cls, tuple) else (cls,)
    if not isinstance(value, cls) or (isinstance(value, bool) and bool not in classes):
        names = " or ".join(c.__name__ for c in classes)
        _reject_type(name, value, what or f"a {names}")
    return value


def not_missing(name: str, value, what: str):
    """``TypeError`` for None, a string, a dict or a set where ``what`` (a sequence, an array) belongs.

    The first line of a hand-made check of a container argument, so that a wrong
    type is a ``TypeError`` naming the argument, not a ``ValueError`` about its length.

    >>> not_missing("dos", {}, "a sequence (N_alpha, N_beta)")
    Traceback (most recent call last):
    ...
    TypeError: dos must be a sequence (N_alpha, N_beta), got dict {}
    """
    if value is None or isinstance(value, (str, bytes, dict, set, frozenset)):
        _reject_type(name, value, what)
    return value


def boolean(name: str, value) -> bool:
    """A real boolean (``True``/``False``, numpy bools included)."""
    if not isinstance(value, (bool, np.bool_)):
        _reject_type(name, value, "True or False")
    return bool(value)


"""Argument checks shared by the figure functions and explorers of ``viz`` (private).

Built on :mod:`nickelates._validate`: a wrong type is a :class:`TypeError`
naming the argument, a wrong value a :class:`ValueError` naming the argument
and what is allowed, instead of an ``AttributeError``/``KeyError``/
``IndexError`` from inside matplotlib, xarray or ipywidgets.

>>> from nickelates.viz import _check
>>> _check.axes("ax", 0.5)
Traceback (most recent call last):
...
TypeError: ax must be a matplotlib Axes or None, got float 0.5
>>> _check.start("lam", 7.0, 0.0, 2.0)
Traceback (most recent call last):
...
ValueError: lam must lie in [0.0, 2.0], got 7.0
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import _validate as check


def axes(name, ax, optional=True):
    """``ax`` is a matplotlib Axes (or None where ``optional``); return it."""
    import matplotlib.axes
    if optional and ax is None:
        return None
    return check.instance(name, ax, matplotlib.axes.Axes,
                          "a matplotlib Axes or None" if optional else "a matplotlib Axes")


def axes_sequence(name, axs, n):
    """``axs`` is a sequence (list, tuple or array) of at least ``n`` matplotlib Axes; return it as a list."""
    import matplotlib.axes
    if isinstance(axs, (str, bytes, Mapping)) or not isinstance(axs, (list, tuple, np.ndarray)):
        check._reject_type(name, axs, f"a sequence of {n} matplotlib Axes")
    flat = list(np.ravel(np.asarray(axs, dtype=object))) if isinstance(axs, np.ndarray) else list(axs)
    for a in flat:
        if not isinstance(a, matplotlib.axes.Axes):
            check._reject_type(name, a, f"a sequence of {n} matplotlib Axes (an element is not)")
    if len(flat) < n:
        raise ValueError(f"{name} must hold at least {n} matplotlib Axes, got {len(flat)}")
    return flat


def start(name, value, lo, hi):
    """A slider's start value: a finite real number in ``[lo, hi]`` (the slider's range)."""
    return check.in_range(name, value, lo, hi)


def mapping(name, value, keys=(), what="a dict"):
    """``value`` is a mapping holding every key of ``keys`` (``ValueError`` names the missing ones)."""
    if not isinstance(value, Mapping):
        check._reject_type(name, value, what)
    missing = [k for k in keys if k not in value]
    if missing:
        raise ValueError(f"{name} must hold the keys {list(keys)!r}; missing {missing!r}")
    return value


def has_attributes(name, value, attrs, what):
    """``value`` is an object with every attribute of ``attrs`` (a result object); ``TypeError`` otherwise."""
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes, Mapping, np.ndarray)) \
            or not all(hasattr(value, a) for a in attrs):
        check._reject_type(name, value, what)
    return value


def dataset(name, value, variables=()):
    """``value`` is an ``xarray.Dataset`` with the data variables ``variables``."""
    import xarray as xr
    check.instance(name, value, xr.Dataset, "an xarray.Dataset (from gapmap.fit_map)")
    missing = [v for v in variables if v not in value.data_vars]
    if missing:
        raise ValueError(f"{name} must hold the variables {list(variables)!r}; missing {missing!r}")
    return value


def dataarray(name, value, dims):
    """``value`` is an ``xarray.DataArray`` with the dimensions ``dims`` (and their coordinates)."""
    import xarray as xr
    check.instance(name, value, xr.DataArray, f"an xarray.DataArray with dims {tuple(dims)!r}")
    if set(value.dims) != set(dims):
        raise ValueError(f"{name} must have the dims {tuple(dims)!r}, got {tuple(value.dims)!r}")
    return value


def variable(name, value, ds, what="a data variable of maps"):
    """``value`` names a data variable of the Dataset ``ds``."""
    if not isinstance(value, str):
        check._reject_type(name, value, f"a str ({what})")
    if value not in ds.data_vars:
        raise ValueError(f"{name} must be one of {sorted(map(str, ds.data_vars))!r}, got {value!r}")
    return value


def pixel(name, value, shape):
    """A pixel ``(iy, ix)``: two integers inside a map of ``shape`` (ny, nx)."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (tuple, list, np.ndarray)):
        check._reject_type(name, value, "a pair of integers (iy, ix)")
    if len(value) != 2:
        raise ValueError(f"{name} must be a pair (iy, ix), got {len(value)} entries")
    iy = check.integer(f"{name}[0] (iy)", value[0], 0, shape[0] - 1)
    ix = check.integer(f"{name}[1] (ix)", value[1], 0, shape[1] - 1)
    return iy, ix


def curve(name, value, ndim=1):
    """Numbers to draw: a real array of ``ndim`` dimensions (NaN allowed: matplotlib leaves a gap; ±inf not)."""
    if value is None or isinstance(value, (str, bytes, Mapping, set, frozenset)):
        check._reject_type(name, value, "an array of real numbers")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a rectangular array of real numbers") from exc
    if arr.dtype.kind not in "iuf":
        check.real_array(name, value, ndim=ndim)      # TypeError for strings, None entries, complex, bools
    arr = arr.astype(float)
    if arr.ndim != ndim or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape {arr.shape}")
    if np.isinf(arr).any():
        raise ValueError(f"{name} must not hold ±inf")
    return arr

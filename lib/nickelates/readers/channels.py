"""One rule for the columns and channels of spectra and grids.

Every reader of :mod:`nickelates.readers` asks this module which column is
the bias (the sweep), which is the dI/dV and how repeated sweeps pair up.

Channel names are split into a **base name**, **tags** and a **unit**:
``"LIX 1 omega [AVG] [bwd] (A)"`` is base ``LIX 1 omega``, tags ``AVG`` and
``bwd``, unit ``A``; ``"Input 3 (A) [bwd] [filt]"`` (the unit before the
tags) is read the same way. Tags: ``[bwd]`` backward sweep, ``[AVG]`` the
average of the repeats, ``[00001]``... single repeats, ``[filt]`` filtered
copies (skipped).

The **dI/dV channel** is, by kind of base name:

* ``lockin``: an X (in-phase) lock-in output, in every Nanonis spelling:
  ``LI Demod n X``, ``LIX n omega``, ``LIX``, ``LI X``, ``LockinX``,
  ``Lock-in X``, ``LockIn`` / ``Lock-in`` (an external lock-in read through a
  named input), ``lockin_6_CondX``; the Y, R and phase outputs are not dI/dV;
* ``conductance``: ``dI/dV``, ``didv``, ``cond...``, ``G`` (already a conductance);
* ``input``: an external lock-in read through ``Input n`` in volts, taken as
  dI/dV only when the header has a lock-in section (``Lock-in>...`` keys);
* ``current``: a current (``Current``, ``I``, ``ADC0-I``, ``Input n`` or any
  channel in A, mA, µA, nA, pA, fA that is not a lock-in output) is *not* a
  conductance: it is used only with ``from_current=True`` (a Savitzky-Golay
  derivative, :func:`savgol_derivative`).

Within the chosen base name, the sweeps are combined: the ``[AVG]`` column
(with its own ``[AVG] [bwd]`` partner), else the plain column and its
``[bwd]`` partner, else the mean of the ``[0000n]`` repeats and of their
``[bwd]`` partners. The forward and backward sweeps are averaged; the rms of
their difference over the rms of their mean is reported
(:func:`fwd_bwd_rms`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = ["Channel", "parse_channel", "channel_kind", "is_bias", "group_sweeps", "fwd_bwd_rms",
           "savgol_derivative", "CURRENT_UNITS", "SAVGOL_ORDER", "SAVGOL_MIN_POINTS"]

#: current units and their value in A
CURRENT_UNITS = {"a": 1.0, "ma": 1e-3, "ua": 1e-6, "µa": 1e-6, "μa": 1e-6, "na": 1e-9, "pa": 1e-12, "fa": 1e-15}
#: polynomial order of the Savitzky-Golay derivative (quadratic: the derivative is a local linear slope)
SAVGOL_ORDER = 2
#: fewest points of the Savitzky-Golay window (and the default window: the odd number of points nearest
#: 1 % of the number of points, at least this)
SAVGOL_MIN_POINTS = 5

_TAG = re.compile(r"\[\s*(bwd|avg|filt|\d+)\s*\]", re.IGNORECASE)
_UNIT = re.compile(r"\(([^()]*)\)")
_BIAS = (r"bias", r"volt", r"^\s*[vu]\b", r"^\s*[vu]\s*[\(\[_/]")
_ERROR = re.compile(r"err|std|sigma|uncert|\bsd\b", re.IGNORECASE)
_LOCKIN = re.compile(r"^LI\s*Demod\s*\d+\s*[XYR]\b|^LI[XYR]\b|^LI\s+[XYR]\b|lock[\s_-]?in", re.IGNORECASE)
_NOT_X = re.compile(r"^LI\s*Demod\s*\d+\s*[YR]\b|^LI[YR]\b|^LI\s+[YR]\b|lock[\s_-]?in[\s_-]*[YR]\b|"
                    r"(?<![a-z])[YR]$|cond[\s_-]*[YR]\b|phase|theta|\bphi\b", re.IGNORECASE)
_COND = (r"di\s*/\s*dv", r"didv", r"cond", r"^\s*g\b", r"^\s*g\s*[\(\[_/]")
_CURRENT = re.compile(r"^\s*(current|i|it|i\s*\w*|adc\d*\s*-\s*i|input\s*\d+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Channel:
    """A channel name taken apart.

    Attributes
    ----------
    name : str
        The full name as in the file.
    base : str
        The name without tags and unit (``"LIX 1 omega"``).
    unit : str
        The unit in parentheses, or ``""``.
    bwd : bool
        A backward sweep (``[bwd]``).
    avg : bool
        The average of the repeats (``[AVG]``).
    repeat : int or None
        The repeat number of ``[0000n]``.
    filt : bool
        A filtered copy (``[filt]``).

    Examples
    --------
    >>> c = parse_channel("LockIn [AVG] [bwd] (V)")
    >>> c.base, c.unit, c.avg, c.bwd
    ('LockIn', 'V', True, True)
    """

    name: str
    base: str
    unit: str
    bwd: bool
    avg: bool
    repeat: int | None
    filt: bool


def parse_channel(name):
    """Split a channel name into base, tags and unit (:class:`Channel`).

    Parameters
    ----------
    name : str
        The name as in the file (``"Input 3 (A) [bwd] [filt]"``).

    Returns
    -------
    Channel

    Examples
    --------
    >>> c = parse_channel("Input 3 (A) [bwd] [filt]")
    >>> c.base, c.unit, c.bwd, c.avg, c.repeat, c.filt
    ('Input 3', 'A', True, False, None, True)
    """
    tags = [t.lower() for t in _TAG.findall(name)]
    rest = _TAG.sub(" ", name)
    units = _UNIT.findall(rest)
    unit = units[-1].strip() if units else ""
    base = " ".join(_UNIT.sub(" ", rest).split()) if units else " ".join(rest.split())
    rep = next((int(t) for t in tags if t.isdigit()), None)
    return Channel(name, base, unit, "bwd" in tags, "avg" in tags, rep, "filt" in tags)


def is_bias(name):
    """True when a column name looks like a bias (``Bias calc (V)``, ``V``, ``U in uV``, ``voltage``).

    Parameters
    ----------
    name : str
        Column name.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_bias("Bias calc (V)"), is_bias("Z rel (m)"), is_bias("v_bias")
    (True, False, True)
    """
    return any(re.search(p, name, re.IGNORECASE) for p in _BIAS)


def channel_kind(name, *, header_lockin=False):
    """Kind of a channel: ``"lockin"``, ``"lockin_other"``, ``"conductance"``, ``"input"``, ``"current"``, ``"other"``.

    Parameters
    ----------
    name : str
        Channel name as in the file.
    header_lockin : bool, optional
        The file's header has a lock-in section: an ``Input n`` channel in
        volts is then an external lock-in output (``"input"``, a dI/dV).

    Returns
    -------
    str
        ``"lockin"`` for an X lock-in output, ``"lockin_other"`` for its Y/R/phase
        outputs, ``"conductance"`` for a column named as a conductance,
        ``"input"`` (see above), ``"current"`` for a current and ``"other"``.

    Examples
    --------
    >>> [channel_kind(n) for n in ("LI Demod 1 X (A)", "LIY 1 omega (A)", "LockinX (V)", "lockin_6_CondX",
    ...                            "dI/dV (nS)", "Input 3 (A)", "ADC0-I (nA)", "Z (m)")]
    ['lockin', 'lockin_other', 'lockin', 'lockin', 'conductance', 'current', 'current', 'other']
    >>> channel_kind("Input 2 (V)", header_lockin=True)
    'input'
    """
    c = parse_channel(name)
    base = c.base
    if _LOCKIN.search(base):
        return "lockin_other" if _NOT_X.search(base) else "lockin"
    if any(re.search(p, base, re.IGNORECASE) for p in _COND) and not is_bias(base):
        return "conductance"
    unit = c.unit.lower()
    if unit in CURRENT_UNITS or (not unit and _CURRENT.match(base) and re.match(r"^\s*(current|i)\b", base, re.I)):
        return "current"
    if re.fullmatch(r"input\s*\d+", base, re.IGNORECASE) and unit in ("v", "mv", "uv", "µv") and header_lockin:
        return "input"
    if re.match(r"^\s*current\b", base, re.IGNORECASE):
        return "current"
    return "other"


def group_sweeps(names, base):
    """The columns of one base name as forward and backward lists (see the module docstring).

    Parameters
    ----------
    names : sequence of str
        All column names.
    base : str
        The base name chosen (case-insensitive).

    Returns
    -------
    tuple of (list of int, list of int, str)
        Indices of the forward columns (averaged), of the backward columns
        (averaged) and a description (``"AVG"``, ``"single"``, ``"3 repeats"``).

    Examples
    --------
    >>> names = ["Bias calc (V)", "LockIn [AVG] (V)", "LockIn [00001] (V)", "LockIn [AVG] [bwd] (V)"]
    >>> group_sweeps(names, "LockIn")
    ([1], [3], 'AVG')
    """
    from .. import _validate as check

    check.instance("names", names, (list, tuple), "a sequence of channel names")
    for n in names:
        check.instance("names[i]", n, str, "a channel name (str)")
    check.instance("base", base, str, "a channel base name (str)")
    parsed = [parse_channel(n) for n in names]
    mine = [(i, c) for i, c in enumerate(parsed) if c.base.lower() == base.lower() and not c.filt]
    avg = [(i, c) for i, c in mine if c.avg]
    if avg:
        return [i for i, c in avg if not c.bwd], [i for i, c in avg if c.bwd], "AVG"
    plain = [(i, c) for i, c in mine if c.repeat is None]
    if plain:
        return [i for i, c in plain if not c.bwd], [i for i, c in plain if c.bwd], "single"
    reps = [(i, c) for i, c in mine if c.repeat is not None]
    fwd = [i for i, c in reps if not c.bwd]
    return fwd, [i for i, c in reps if c.bwd], f"{len(fwd)} repeats"


def fwd_bwd_rms(fwd, bwd, axis=-1):
    """Ratio of the rms of the forward-backward difference to the rms of their mean.

    Parameters
    ----------
    fwd, bwd : array_like
        Forward and backward sweeps on the same bias points (last axis).
    axis : int, optional
        The bias axis.

    Returns
    -------
    float
        ``rms(fwd - bwd) / rms((fwd + bwd) / 2)`` over all finite values (NaN
        when the mean is zero everywhere).

    Examples
    --------
    >>> fwd_bwd_rms([1.0, 1.0], [0.9, 1.1])
    0.1
    """
    f = _sweep_array("fwd", fwd)
    b = _sweep_array("bwd", bwd)
    if f.shape != b.shape:
        raise ValueError(f"fwd and bwd must have the same shape, got {f.shape} and {b.shape}")
    ok = np.isfinite(f) & np.isfinite(b)
    if not ok.any():
        return float("nan")
    fo, bo = f[ok], b[ok]
    scale = float(max(np.max(np.abs(fo)), np.max(np.abs(bo))))
    if scale == 0.0:
        return float("nan")
    fo, bo = fo / scale, bo / scale                   # the ratio is scale-free: no overflow for huge data
    d = np.sqrt(np.mean((fo - bo) ** 2))
    m = np.sqrt(np.mean(((fo + bo) / 2) ** 2))
    return float(round(d / m, 12)) if m > 0 else float("nan")


def _sweep_array(name, value):
    """A real float array that may hold NaN (unmeasured points); wrong types are TypeErrors."""
    from .. import _validate as check

    check.not_missing(name, value, "an array of real numbers")
    a = np.asarray(value)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    return a.astype(float)


def savgol_window(bias_mV, window_mV=None):
    """Number of points (odd) of the Savitzky-Golay window (see :func:`savgol_derivative`)."""
    from .. import _validate as check

    n = len(bias_mV)
    if window_mV is not None:
        window_mV = check.positive("window_mV", window_mV, 1e9)
    if window_mV is None:
        w = int(round(n / 100))
    else:
        step = float(np.median(np.abs(np.diff(bias_mV))))
        w = int(round(window_mV / step)) if step > 0 else SAVGOL_MIN_POINTS
    w = max(w, SAVGOL_MIN_POINTS)
    w += 1 - w % 2
    return w


def savgol_derivative(bias_mV, current, window_mV=None, axis=-1):
    """dI/dV of a current by a Savitzky-Golay filter (``scipy.signal.savgol_filter``).

    A least-squares polynomial of order :data:`SAVGOL_ORDER` (2) over a window
    of ``window_mV`` (default: the odd number of points nearest 1 % of the
    points, at least :data:`SAVGOL_MIN_POINTS` = 5) is fitted around each
    point; its slope is the derivative. On a uniform bias grid this is
    ``scipy.signal.savgol_filter(..., deriv=1)``; on a non-uniform grid
    (multi-segment sweeps) the same least-squares polynomial is fitted on
    the true bias values of each window (windows shifted inwards at the ends).

    Parameters
    ----------
    bias_mV : array_like
        Bias (mV), increasing, at least the window's length.
    current : array_like
        Current (any unit) on ``bias_mV`` along ``axis``.
    window_mV : float, optional
        Window width (mV).
    axis : int, optional
        The bias axis of ``current``.

    Returns
    -------
    tuple of (numpy.ndarray, int)
        dI/dV (unit of the current per mV) and the window's number of points.

    Raises
    ------
    ValueError
        If there are fewer points than the window.

    Examples
    --------
    >>> v = np.linspace(-10, 10, 201)
    >>> g, w = savgol_derivative(v, 3.0 * v + 0.01 * v ** 3)
    >>> w, bool(np.allclose(g, 3.0 + 0.03 * v ** 2, atol=1e-3))
    (5, True)
    """
    from scipy.signal import savgol_filter

    from .. import _validate as check

    b = check.real_array("bias_mV", bias_mV, ndim=1)
    check.not_missing("current", current, "an array of currents")
    cur = np.asarray(current)
    if cur.dtype.kind not in "iuf":
        raise TypeError(f"current must be an array of real numbers, got dtype {cur.dtype}")
    cur = cur.astype(float)
    axis = check.integer("axis", axis, -max(cur.ndim, 1), max(cur.ndim, 1) - 1)
    if cur.ndim == 0 or cur.shape[axis] != b.size:
        raise ValueError(f"current must have the {b.size} bias points of bias_mV on axis {axis}, got shape {cur.shape}")
    if np.ptp(b) == 0.0:
        raise ValueError("bias_mV must span a range (all its points are equal): no derivative")
    w = savgol_window(b, window_mV)
    if b.size < w:
        raise ValueError(f"the Savitzky-Golay window ({w} points) is longer than the spectrum ({b.size} points)")
    d = np.diff(b)
    if np.allclose(d, d.mean(), rtol=1e-3, atol=0):
        return savgol_filter(cur, w, SAVGOL_ORDER, deriv=1, delta=float(d.mean()), axis=axis), w
    # non-uniform bias: the same local least-squares polynomial, on the true bias of each window
    n = b.size
    start = np.clip(np.arange(n) - w // 2, 0, n - w)
    idx = start[:, None] + np.arange(w)[None, :]
    coef = np.empty((n, w))
    for i in range(n):
        x = b[idx[i]] - b[i]
        vander = np.vander(x, SAVGOL_ORDER + 1, increasing=True)
        coef[i] = np.linalg.pinv(vander)[1]           # the slope at x = 0
    cur = np.moveaxis(cur, axis, -1)
    out = np.zeros(cur.shape)
    for j in range(w):
        out += coef[:, j] * cur[..., idx[:, j]]
    return np.moveaxis(out, -1, axis), w


def current_scale(name):
    """Value in A of the unit of a current channel (1.0 when none)."""
    return CURRENT_UNITS.get(parse_channel(name).unit.lower(), 1.0)


def error_name(name):
    """True for a column named like an uncertainty (``err``, ``std``, ``sigma``)."""
    return bool(_ERROR.search(name))

"""Trust gates: when a fitted gap may be reported (one rule for ``fit-btk``, ``fit-btk-series`` and ``fit-map``).

A fit always returns numbers; these gates decide whether the numbers mean a
superconducting gap. They look at the data and at the fit, never at where
the data came from, and give a :class:`Verdict` with reason names and the
reason codes of :data:`nickelates.gapmap.REASONS`:

* ``not_measured`` (7): a pixel of an aborted grid that was never measured;
* ``not_a_conductance`` (13): the channel is a current (name or unit), not a
  dI/dV, and it was not differentiated (``--from-current``);
* ``negative_conductance`` (11): the conductance goes below zero by more
  than the noise (:data:`NEG_SIGMAS`, :data:`NEG_FLOOR`): a lock-in phase not
  nulled, an offset, a sign error;
* ``clipped`` (12): a run of at least :data:`CLIP_RUN` identical extreme
  values in finely digitized data (a saturated lock-in or amplifier);
* ``no_gap`` (5): the gap model does not beat a gapless model (a smooth
  normal-state background, :func:`gapless_fit`) by :data:`DBIC_MIN` in the
  Bayesian information criterion;
* ``gap_at_edge`` (8): the outermost spectral feature (the largest gap, plus
  h or the tip gap) lies beyond :data:`EDGE_FRACTION` of the bias window;
* ``gamma_exceeds_gap`` (9): a Dynes broadening Γ_i ≥ :data:`GAMMA_RATIO_MAX` Δ_i;
* ``high_rms`` (10): the rms residual, relative to the normal-state
  conductance, is above :data:`RMS_MAX`.

The thresholds are calibrated on synthetic BCS/Dynes/BTK spectra and on
synthetic gapless spectra only (``scripts/calibrate_gates.py`` ->
``data/gate_calibration.json``, which states the ranges, the false-rejection
rate at signal-to-noise 20 and the false-acceptance rate); they are never
tuned to measured files.

Units: bias in mV, gaps and broadenings in meV, conductance in any unit
(the gates are scale-free).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from . import _validate as check

__all__ = ["EDGE_FRACTION", "GAMMA_RATIO_MAX", "RMS_MAX", "DBIC_MIN", "NEG_SIGMAS", "NEG_FLOOR", "CLIP_RUN",
           "CLIP_QUANTUM", "GAPLESS_DEGREE", "BG_RATIO_MAX", "OUTER_FRACTION", "REASON_CODES", "Verdict", "Gapless",
           "noise_level", "normal_level", "is_current_channel", "data_flags", "gapless_fit", "bic", "assess",
           "assess_fit", "thresholds"]

EDGE_FRACTION = 2.0 / 3.0
"""A gap (its outermost feature) beyond this fraction of the bias window is ``gap_at_edge``.

The window is the smaller of max(V) and -min(V) (a gap is symmetric about
zero bias). Beyond 2/3 of it less than a third of the sweep shows the normal
state, too little to separate the gap from the background polynomial.
"""

GAMMA_RATIO_MAX = 1.0
"""Γ_i / Δ_i at or above this is ``gamma_exceeds_gap``: the Dynes DOS at zero
bias is then ≥ 1/√2 of the normal state, the "gap" is a shallow dip that a
broadening or a background shape can make as well."""

RMS_MAX = 0.10
"""Largest rms residual of the fit, relative to the normal-state conductance
(``high_rms`` above): 10 % of G_N, twice the noise of a spectrum at
signal-to-noise 20 (the calibration's noise level)."""

DBIC_MIN = 10.0
"""The gap model must beat the gapless model by at least this ΔBIC
(BIC_gapless − BIC_gap; "very strong" evidence on the Kass–Raftery scale),
else ``no_gap``."""

BG_RATIO_MAX = 2.0
"""A jointly fitted normal-state background whose max/min over the bias window
exceeds this carries the spectrum's shape itself (a semiconductor's U, a
Dirac cone): ``no_gap``. A metal's background varies by tens of percent."""

NEG_SIGMAS = 5.0
"""Conductance below −max(NEG_SIGMAS × noise, NEG_FLOOR × normal level) is ``negative_conductance``."""

NEG_FLOOR = 0.02
"""See :data:`NEG_SIGMAS`: a negative excursion under 2 % of the normal state is never flagged."""

CLIP_RUN = 3
"""A run of this many consecutive points exactly equal to the maximum (or the
minimum) of finely digitized data is ``clipped``."""

CLIP_QUANTUM = 1e-4
"""Data count as finely digitized (so that equal values mean saturation, not
rounding) when the smallest step between distinct values is below this
fraction of the data's range (float32 instrument data: ~1e-7; a published
table rounded to 3 decimals: ~1e-3, never flagged)."""

GAPLESS_DEGREE = 4
"""Largest degree of the gapless model's polynomial in V / max|V|; each degree
is tried with and without a |V| term and the lowest BIC is kept, so the model
describes flat, sloped, V-shaped (graphene-like, Coulomb-gap-like) and
parabolic (semiconductor-like, tunnelling-barrier) spectra."""

OUTER_FRACTION = 0.1
"""The normal-state level is the mean |G| over the outer 10 % of the bias window."""

REASON_CODES = {"no_gap": 5, "not_measured": 7, "gap_at_edge": 8, "gamma_exceeds_gap": 9, "high_rms": 10,
                "negative_conductance": 11, "clipped": 12, "not_a_conductance": 13}
"""Reason name -> code of :data:`nickelates.gapmap.REASONS` (the map's ``reason`` variable)."""

_ORDER = ("not_measured", "not_a_conductance", "negative_conductance", "clipped", "no_gap", "gap_at_edge",
          "gamma_exceeds_gap", "high_rms")


@dataclass(frozen=True)
class Verdict:
    """The gates' verdict on one spectrum (and its fit).

    Attributes
    ----------
    ok : bool
        True when every gate passed: the gap may be reported.
    reasons : tuple of str
        Names of the failed gates, most basic first (keys of :data:`REASON_CODES`).
    codes : tuple of int
        Their reason codes (:data:`nickelates.gapmap.REASONS`), same order.
    messages : tuple of str
        One sentence per failed gate, with the numbers and the threshold.
    metrics : dict
        The numbers the gates used: ``level`` (normal-state level, data
        units), ``noise`` (data units), ``rms_norm``, ``delta_bic``,
        ``edge_fraction``, ``gamma_ratio`` (those that were computed).

    Examples
    --------
    >>> v = Verdict(False, ("high_rms",), (10,), ("rms too high",))
    >>> v.ok, v.code
    (False, 10)
    """

    ok: bool
    reasons: tuple = ()
    codes: tuple = ()
    messages: tuple = ()
    metrics: dict = field(default_factory=dict)

    @property
    def code(self) -> int:
        """The first reason code (0 when ``ok``): the value stored in a map's ``reason``."""
        return int(self.codes[0]) if self.codes else 0

    def to_dict(self) -> dict:
        """JSON-ready summary.

        Returns
        -------
        dict
            ``ok``, ``reasons``, ``codes``, ``messages``, ``metrics`` and ``thresholds``.
        """
        return {"ok": self.ok, "reasons": list(self.reasons), "codes": list(self.codes),
                "messages": list(self.messages), "metrics": {k: _num(v) for k, v in self.metrics.items()},
                "thresholds": thresholds()}


def _num(v):
    v = float(v)
    return v if math.isfinite(v) else None


def thresholds() -> dict:
    """The gate constants by name (as stored in the JSON outputs and ``data/gate_calibration.json``).

    Returns
    -------
    dict
        Constant name -> value.

    Examples
    --------
    >>> thresholds()["DBIC_MIN"]
    10.0
    """
    return {"EDGE_FRACTION": EDGE_FRACTION, "GAMMA_RATIO_MAX": GAMMA_RATIO_MAX, "RMS_MAX": RMS_MAX,
            "DBIC_MIN": DBIC_MIN, "NEG_SIGMAS": NEG_SIGMAS, "NEG_FLOOR": NEG_FLOOR, "CLIP_RUN": CLIP_RUN,
            "CLIP_QUANTUM": CLIP_QUANTUM, "GAPLESS_DEGREE": GAPLESS_DEGREE, "BG_RATIO_MAX": BG_RATIO_MAX}


@dataclass(frozen=True)
class Gapless:
    """The gapless (normal-state only) model fitted to a spectrum by :func:`gapless_fit`.

    Attributes
    ----------
    chisqr : float
        Sum of squared residuals (data units squared).
    n_params : int
        Number of linear coefficients of the chosen sub-model (at most ``GAPLESS_DEGREE + 2``).
    curve : numpy.ndarray
        The model at the bias points (data units).

    Examples
    --------
    >>> import numpy as np
    >>> b = np.linspace(-5, 5, 41)
    >>> gl = gapless_fit(b, 2 + np.abs(b) + 1e-3 * np.cos(7 * b))     # a V and a small ripple
    >>> gl.n_params, bool(gl.chisqr < 41 * 1e-6)
    (2, True)
    """

    chisqr: float
    n_params: int
    curve: np.ndarray


def _arrays(bias_mV, g):
    bias = check.real_array("bias_mV", bias_mV, ndim=1, min_size=8)
    g = check.real_array("g", g, ndim=1, min_size=8)
    check.same_length(bias_mV=bias, g=g)
    return bias, g


def noise_level(g) -> float:
    """Robust noise estimate of a spectrum from its second differences.

    Parameters
    ----------
    g : array_like
        Conductance at equally spaced (or smoothly spaced) bias points, any unit.

    Returns
    -------
    float
        1.4826 × median |d − median d| / √6 with d the second differences
        (white noise of standard deviation σ gives d of variance 6σ²), in the
        unit of ``g``; a smooth spectrum gives nearly 0.

    Examples
    --------
    >>> import numpy as np
    >>> g = 1 + 0.05 * np.random.default_rng(0).standard_normal(4000)
    >>> round(noise_level(g), 2)
    0.05
    """
    g = check.real_array("g", g, ndim=1, min_size=3)
    d = g[2:] - 2 * g[1:-1] + g[:-2]
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / math.sqrt(6.0))


def normal_level(bias_mV, g) -> float:
    """The normal-state level: mean of ``g`` over the outer :data:`OUTER_FRACTION` of the bias window.

    Parameters
    ----------
    bias_mV : array_like
        Bias (mV).
    g : array_like
        Conductance (any unit).

    Returns
    -------
    float
        In the unit of ``g`` (may be ≤ 0 for a spectrum of the wrong sign).

    Examples
    --------
    >>> import numpy as np
    >>> b = np.linspace(-10, 10, 201)
    >>> normal_level(b, np.where(np.abs(b) >= 8.9, 2.0, 0.5))
    2.0
    """
    bias, g = _arrays(bias_mV, g)
    vmax = float(np.max(np.abs(bias)))
    outer = np.abs(bias) >= (1.0 - OUTER_FRACTION) * vmax
    return float(np.mean(g[outer]))


_LOCKIN_WORDS = re.compile(r"(didv|di/dv|dI_dV|lock|\bli\b|\bli[ _]?[xyr]\b|lix|liy|demod|omega|cond|"
                           r"\bg\b|\bg\s*\(|siemens|\(s\)|\[s\]|ns\)|us\))", re.I)
_CURRENT_WORDS = re.compile(r"(current|\bi\b|\bi\s*[\(\[]|^i_|input\s*\d+\s*\(a\)|adc\d*-i|\(a\)|\[a\]|\(na\)|"
                            r"\(pa\)|\(ua\))", re.I)


def is_current_channel(name) -> bool:
    """Whether a channel name (with its unit) denotes a current rather than a conductance.

    Parameters
    ----------
    name : str
        Channel or column name as written in the file, e.g. ``"Current (A)"``,
        ``"LI Demod 1 X (A)"``, ``"ADC0-I (nA)"``.

    Returns
    -------
    bool
        True for a current (the word "current", a unit of A/nA/pA, an ``I``
        column) unless the name also says lock-in / dI/dV / conductance (a
        lock-in output in A is the modulation of the current: a conductance).

    Examples
    --------
    >>> is_current_channel("Current (A)"), is_current_channel("LI Demod 1 X (A)")
    (True, False)
    >>> is_current_channel("Input 3 (A)"), is_current_channel("LockinX (V)")
    (True, False)
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    return bool(_CURRENT_WORDS.search(name)) and not _LOCKIN_WORDS.search(name)


def _longest_run(mask):
    best = run = 0
    for m in mask:
        run = run + 1 if m else 0
        best = max(best, run)
    return best


def data_flags(bias_mV, g):
    """The data gates alone (negative conductance, clipping): a :class:`Verdict`.

    Parameters
    ----------
    bias_mV : array_like
        Bias (mV).
    g : array_like
        Conductance as measured (any unit).

    Returns
    -------
    Verdict
        ``negative_conductance`` and/or ``clipped``, with ``level`` and
        ``noise`` in ``metrics``.

    Examples
    --------
    >>> import numpy as np
    >>> b = np.linspace(-10, 10, 101)
    >>> g = np.minimum(1 + 3 * np.exp(-b**2), 2.5)         # saturated at 2.5
    >>> data_flags(b, g).reasons
    ('clipped',)
    """
    bias, g = _arrays(bias_mV, g)
    level = normal_level(bias, g)
    noise = noise_level(g)
    reasons, msgs = [], []
    limit = max(NEG_SIGMAS * noise, NEG_FLOOR * abs(level))
    if level <= 0 or float(np.min(g)) < -limit:
        reasons.append("negative_conductance")
        msgs.append(f"negative conductance: min {np.min(g):.3g} against a normal-state level {level:.3g} "
                    f"and noise {noise:.2g} (a lock-in phase not nulled, an offset or a sign error)")
    span = float(np.ptp(g))
    if span > 0:
        u = np.unique(g)
        quantum = float(np.min(np.diff(u))) if u.size > 1 else span
        if quantum < CLIP_QUANTUM * span:
            for side, value in (("maximum", u[-1]), ("minimum", u[0])):
                run = _longest_run(g == value)
                if run >= CLIP_RUN:
                    reasons.append("clipped")
                    msgs.append(f"clipped: {run} consecutive points equal to the {side} {value:.6g} "
                                f"(a saturated lock-in or amplifier)")
                    break
    return _verdict(reasons, msgs, {"level": level, "noise": noise})


def _verdict(reasons, msgs, metrics):
    pairs = sorted(zip(reasons, msgs), key=lambda p: _ORDER.index(p[0]))
    return Verdict(not pairs, tuple(p[0] for p in pairs), tuple(REASON_CODES[p[0]] for p in pairs),
                   tuple(p[1] for p in pairs), dict(metrics))


_BASES = {}


def _gapless_bases(bias, degree):
    """Orthonormal bases (Q of a QR) of every gapless sub-model, cached per bias axis."""
    key = (bias.tobytes(), degree)
    got = _BASES.get(key)
    if got is None:
        x = bias / float(np.max(np.abs(bias)))
        cols = [x ** k for k in range(degree + 1)]
        subs = []
        for j in range(degree + 1):
            for vee in (False, True):
                A = np.column_stack(cols[:j + 1] + ([np.abs(x)] if vee else []))
                q, _ = np.linalg.qr(A)
                subs.append((j, vee, q))
        if len(_BASES) > 64:
            _BASES.clear()
        got = _BASES[key] = subs
    return got


def gapless_fit(bias_mV, g, degree=GAPLESS_DEGREE):
    """Least-squares fit of the gapless model: the best (lowest-BIC) polynomial in V / max|V|, with or without |V|.

    Every polynomial of degree 0..``degree``, each with and without a |V|
    term, is fitted; the one with the lowest BIC is the gapless model (so a
    flat spectrum is compared with a constant, not with six free coefficients).

    Parameters
    ----------
    bias_mV : array_like
        Bias (mV).
    g : array_like
        Conductance (any unit).
    degree : int
        Largest degree of the polynomial (0..8; default :data:`GAPLESS_DEGREE`).

    Returns
    -------
    Gapless
        χ² (data units squared), the number of coefficients and the curve of the chosen sub-model.

    Examples
    --------
    >>> import numpy as np
    >>> b = np.linspace(-5, 5, 51)
    >>> gl = gapless_fit(b, 1 + 0.1 * b**2, degree=2)
    >>> gl.n_params, round(float(gl.curve[0]), 6)
    (3, 3.5)
    """
    bias, g = _arrays(bias_mV, g)
    degree = check.integer("degree", degree, 0, 8)
    n = bias.size
    floor = float(g @ g) * 1e-24          # round-off: perfect fits tie, and the fewest coefficients win
    best = None
    for _j, _vee, q in _gapless_bases(bias, degree):
        c = q.T @ g
        r = g - q @ c
        chi = max(float(r @ r), floor)
        k = q.shape[1]
        crit = bic(chi, n, k)
        if best is None or crit < best[0]:
            best = (crit, chi, k, q, c)
    _, chi, k, q, c = best
    return Gapless(chi, k, q @ c)


def bic(chisqr, n, k) -> float:
    """Bayesian information criterion n ln(χ²/n) + k ln n (Gaussian noise of unknown size, lmfit's form).

    Parameters
    ----------
    chisqr : float
        Sum of squared residuals (> 0; a perfect fit is floored at 1e-300).
    n : int
        Number of data points.
    k : int
        Number of fitted parameters.

    Returns
    -------
    float
        The BIC (dimensionless); lower is better.

    Examples
    --------
    >>> round(bic(1.0, 100, 2) - bic(1.0, 100, 1), 4)           # one parameter costs ln(100)
    4.6052
    """
    chisqr = check.nonnegative("chisqr", chisqr)
    n = check.integer("n", n, 1)
    k = check.integer("k", k, 0)
    return float(n * math.log(max(chisqr, 1e-300) / n) + k * math.log(n))


def assess(bias_mV, g, *, gaps, gammas=(), chisqr, n_params, edge_mV=None, channel=None, from_current=False,
           measured=True, background=None):
    """The verdict of every gate on a fitted spectrum (one rule for single fits and map pixels).

    Parameters
    ----------
    bias_mV : array_like
        Bias (mV), the points that were fitted.
    g : array_like
        The fitted conductance exactly as passed to the fitter (any unit; raw
        dI/dV when a background was fitted jointly).
    gaps : sequence of float
        The fitted gaps Δ_i (meV).
    gammas : sequence of float
        Their Dynes broadenings Γ_i (meV), same order (empty: not checked).
    chisqr : float
        Sum of squared residuals of the fit, unweighted, in the units of ``g`` squared.
    n_params : int
        Number of free parameters of the fit (background included).
    edge_mV : float, optional
        Energy of the outermost feature of the model (meV): Δ + h for the
        spin-split model, Δ + Δ_tip for SIS; default max(gaps).
    channel : str, optional
        Name of the data channel (checked by :func:`is_current_channel`).
    from_current : bool
        The conductance is a numerical derivative of the current (then a
        current channel name is expected, not flagged).
    measured : bool
        False for a pixel never measured (the verdict is then only ``not_measured``).
    background : array_like, optional
        The normal-state background fitted jointly with the gap (units of
        ``g``, at the bias points): max/min above :data:`BG_RATIO_MAX` is ``no_gap``.

    Returns
    -------
    Verdict
        ``ok`` and the failed gates; ``metrics`` with ``level``, ``noise``,
        ``rms_norm``, ``delta_bic``, ``edge_fraction``, ``gamma_ratio``, ``background_ratio`` and
        ``misfit_ratio`` (rms residual / point-to-point noise: near 1 for a fit limited by the noise;
        reported, not a gate, since smoothed or correlated data lower the noise estimate).

    Raises
    ------
    TypeError
        For arrays or numbers of the wrong type.
    ValueError
        For mismatched lengths, fewer than 8 points, negative ``chisqr``.

    Examples
    --------
    >>> import numpy as np
    >>> from nickelates import btk
    >>> b = np.linspace(-6, 6, 241)
    >>> g = btk.conductance(b, 1.0, 0.0, 0.05, 1.0, model="dynes", angle_resolved=False)
    >>> g = g + 0.02 * np.random.default_rng(0).standard_normal(b.size)
    >>> v = assess(b, g, gaps=[1.0], gammas=[0.05], chisqr=b.size * 0.02**2, n_params=3)
    >>> v.ok, v.metrics["delta_bic"] > 100
    (True, True)
    >>> flat = 1 + 0.02 * np.random.default_rng(1).standard_normal(b.size)
    >>> assess(b, flat, gaps=[1.0], gammas=[0.9], chisqr=b.size * 0.02**2, n_params=3).reasons
    ('no_gap',)
    """
    bias, g = _arrays(bias_mV, g)
    measured = check.boolean("measured", measured)
    from_current = check.boolean("from_current", from_current)
    if not measured:
        return _verdict(["not_measured"], ["pixel not measured (aborted grid)"], {})
    gaps = np.atleast_1d(check.real_array("gaps", gaps, min_size=0)).ravel().tolist()
    gammas = np.atleast_1d(check.real_array("gammas", gammas, min_size=0)).ravel().tolist()
    if not gaps:
        raise ValueError("gaps must list at least one gap (meV)")
    chisqr = check.nonnegative("chisqr", chisqr)
    n_params = check.integer("n_params", n_params, 0)
    first = data_flags(bias, g)
    reasons, msgs, metrics = list(first.reasons), list(first.messages), dict(first.metrics)
    if channel is not None and not from_current and is_current_channel(channel):
        reasons.append("not_a_conductance")
        msgs.append(f"channel {channel!r} is a current, not a conductance (use --from-current to "
                    f"differentiate it)")
    n = bias.size
    level = abs(metrics["level"]) or float(np.max(np.abs(g))) or 1.0
    rms_norm = math.sqrt(chisqr / n) / level
    gl = gapless_fit(bias, g)
    dbic = bic(gl.chisqr, n, gl.n_params) - bic(chisqr, n, n_params)
    metrics.update(rms_norm=rms_norm, delta_bic=dbic)
    if metrics["noise"] > 0:             # information, not a gate: residual / point-to-point noise (~1: noise-limited)
        metrics["misfit_ratio"] = math.sqrt(chisqr / n) / metrics["noise"]
    if not dbic >= DBIC_MIN:
        reasons.append("no_gap")
        msgs.append(f"no gap: the gap model beats a gapless background (best polynomial +- |V|) by ΔBIC = "
                    f"{dbic:.3g} < {DBIC_MIN:g}")
    if background is not None:
        bgv = check.real_array("background", background, ndim=1)
        ratio = float(np.max(bgv) / np.min(bgv)) if np.min(bgv) > 0 else math.inf
        metrics["background_ratio"] = ratio
        if not ratio <= BG_RATIO_MAX and "no_gap" not in reasons:
            reasons.append("no_gap")
            msgs.append(f"no gap: the fitted background varies by a factor {ratio:.3g} > {BG_RATIO_MAX:g} over "
                        f"the window, so it, not the gap, carries the spectrum's shape")
    window = (min(float(np.max(bias)), float(-np.min(bias))) if np.min(bias) < 0 < np.max(bias)
              else float(np.max(np.abs(bias))))
    edge = max(gaps) if edge_mV is None else check.finite("edge_mV", edge_mV)
    metrics["edge_fraction"] = edge / window if window > 0 else math.inf
    if not metrics["edge_fraction"] <= EDGE_FRACTION:
        reasons.append("gap_at_edge")
        msgs.append(f"gap at the edge of the bias window: feature at {edge:.4g} meV, window ±{window:.4g} mV "
                    f"(beyond {EDGE_FRACTION:.2f} of it)")
    ratios = [gm / d if d > 0 else math.inf for d, gm in zip(gaps, gammas)]
    if ratios:
        metrics["gamma_ratio"] = max(ratios)
        if max(ratios) >= GAMMA_RATIO_MAX:
            i = int(np.argmax(ratios))
            reasons.append("gamma_exceeds_gap")
            msgs.append(f"broadening not smaller than the gap: gamma{i + 1} = {gammas[i]:.4g} meV >= "
                        f"{GAMMA_RATIO_MAX:g} x delta{i + 1} = {gaps[i]:.4g} meV")
    if not rms_norm <= RMS_MAX:
        reasons.append("high_rms")
        msgs.append(f"rms residual {rms_norm:.3g} of the normal-state conductance > {RMS_MAX:g}")
    return _verdict(reasons, msgs, metrics)


def assess_fit(result, *, channel=None, from_current=False, tip_gap=None):
    """:func:`assess` applied to a :class:`nickelates.btk.BTKFit` (``fit-btk``, ``fit-btk-series``).

    Parameters
    ----------
    result : BTKFit
        A fit from :func:`nickelates.btk.fit` (any model: gaps ``delta1``,
        ``delta2``, broadenings ``gamma1``, ``gamma2``, exchange field ``h``).
    channel : str, optional
        Name of the dI/dV column (see :func:`is_current_channel`).
    from_current : bool
        The dI/dV is a numerical derivative of the current.
    tip_gap : float, optional
        The superconducting tip's gap (meV) of an SIS fit: the outermost
        feature is then at Δ + Δ_tip.

    Returns
    -------
    Verdict
        As :func:`assess`, on the data as fitted (the raw dI/dV when the
        background was fitted jointly) and the unweighted residuals.

    Examples
    --------
    >>> import numpy as np
    >>> from nickelates import btk
    >>> b = np.linspace(-6, 6, 241)
    >>> g = btk.conductance(b, 1.0, 0.0, 0.05, 1.0, model="dynes", angle_resolved=False)
    >>> r = btk.fit(b, g + 0.02 * np.random.default_rng(0).standard_normal(b.size), n_gaps=1,
    ...             model="dynes", T=1.0, starts=1)
    >>> assess_fit(r).ok
    True
    """
    vals = getattr(result, "values", None)
    if not isinstance(vals, dict) or not hasattr(result, "best_fit"):
        raise TypeError(f"result must be a BTKFit, got {type(result).__name__}")
    gaps = [vals[k] for k in ("delta1", "delta2") if k in vals]
    gammas = [vals[k] for k in ("gamma1", "gamma2") if k in vals][:len(gaps)]
    edge = max(gaps) + abs(float(vals.get("h", 0.0)))
    if tip_gap is not None:
        edge += check.nonnegative("tip_gap", tip_gap)
    bg = np.ones_like(result.data) if result.background is None else np.asarray(result.background, float)
    g = np.asarray(result.data, float) * bg
    chisqr = float(np.sum(((np.asarray(result.data) - np.asarray(result.best_fit)) * bg) ** 2))
    fitted_bg = result.background is not None and any(k.startswith("bg") for k in vals)
    return assess(result.bias, g, gaps=gaps, gammas=gammas if len(gammas) == len(gaps) else (), chisqr=chisqr,
                  n_params=int(result.nvarys), edge_mV=edge, channel=channel, from_current=from_current,
                  background=bg if fitted_bg else None)

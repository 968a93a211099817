"""Multi-start least-squares fits of point-contact spectra with the BTK model (chapter 4).

:func:`fit` runs in five steps, each a small function of this module:

1. **bounds** (:func:`_bounds`): the allowed range of every parameter, from the
   bias range and spacing (gaps up to 1.2 max|V|, Gamma >= a quarter of the
   median bias step, Z in [0, 50], alpha in [0, pi/4], w1 in [0.02, 0.98],
   P in [0, 1], T in [T/10, 10 T], Rs in [0, 5], V0 within +-0.1 max|V|,
   h in [0, 1.2 max|V|], zeta in [0, 0.5]);
2. **starts** (:func:`_start_values`, :func:`_start_variants`): the automatic
   guess (:func:`initial_guess`) and systematic and random variations of Z,
   Gamma and the gaps, turned into ``lmfit.Parameters`` by :func:`_parameters`
   (gap 1 is the larger: the fit varies r21 = delta2 / delta1 in (0.01, 1));
3. **objective** (:class:`_Objective`): the residual of the model
   ``B(V) * G(V)`` (B = 1 or a fitted polynomial background; G the BTK or
   Dynes conductance with the optional polarization, temperature, series
   resistance and bias offset of :func:`nickelates.btk.conductance_multi`);
4. **search and polish** (:func:`multistart`, :func:`_polish`): every start is
   optimized on <= 201 points with a cheaper quadrature, the best is refined on
   all points at full accuracy (Levenberg-Marquardt, covariance);
5. **result** (:func:`_result`): values, standard errors (propagated to delta2),
   correlations, parameters at a bound, the model at the data, and whether the
   fit determined its parameters (:func:`_problems`).

``n_gaps="auto"`` runs the fit with one and with two gaps and, for an s-wave
"btk"/"dynes" fit without polarization, the spin-split model ``model="zeeman"``
(one gap Delta split by +-h), and keeps the lowest Bayesian information criterion
(``bic_by_n_gaps`` and ``bic_by_model`` report them), so a spectrum with peaks at
Delta +- h is not reported as two gaps.

Models: "btk" (point contact), "dynes" (tunnel limit), "zeeman" (spin-split tunnel
DOS: ``delta1``, ``h``, ``gamma1``, and ``zeta`` with ``depairing=True``), "sis"
(superconducting tip of known gap ``tip_gap``). ``lockin_mV`` folds the lock-in
instrument function (peak amplitude) into every model.

Optional parameters (each off by default, so older fits are unchanged):
``P`` (spin polarization, ``polarization=True``), ``T`` (an effective
temperature in K, ``fit_temperature=True``), ``Rs`` (series / spreading
resistance R_s / R_N, ``series_resistance=True``) and ``V0`` (bias offset in
mV, ``bias_offset=True``).

Uncertainties: with ``sigma`` (the noise of ``G`` exactly as passed, e.g. of
the raw dI/dV when the background is fitted jointly) chi^2 uses it and the
covariance is not rescaled; without it the covariance is scaled by the reduced
chi^2 of the residuals (``BTKFit.sigma_source`` says which).

Units: bias in mV, gaps and broadenings in meV, alpha in rad, T in K.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from .. import _validate as check
from .model import MODELS, T_MAX, Gap, conductance_multi
from .normalization import normalize

__all__ = ["BTKFit", "fit", "initial_guess", "multistart", "parameter_names", "gaps_from_values",
           "correlation_matrix", "MAX_STARTS", "Z_FIT_MAX", "background_start"]

MAX_STARTS = 200           #: largest number of starts of :func:`fit`
Z_FIT_MAX = 50.0           #: default upper bound of the fitted barrier strengths Z_i
_SYMMETRIES = ("s", "d")
_SEARCH_POINTS = 201       # points of the search phase
_SEARCH_N_ANGLES = 12      # quadrature of the search phase (errors ~1e-4, refined in the polish)
_SEARCH_PPW = 2.0
_G_NORMALIZED_MAX = 1e3            # largest |G| of a normalized conductance (order 1)
_G_RAW_RANGE = (1e-15, 1e12)       # median |G| of a raw dI/dV (background fitted): fits checked at 1e-15 (STM pA/mV is 1e-9 S)
_SIGMA_RELATIVE = (1e-12, 1e3)     # sigma relative to the scale of G (1, or the raw median |G|)


def _unit(name):
    if name.startswith(("delta", "gamma")) or name == "h":
        return "meV"
    return {"T": "K", "V0": "mV", "Rs": "R_N"}.get(name, "rad" if name.startswith("alpha") else "")


# ------------------------------------------------------------------ result
@dataclass(frozen=True)
class BTKFit:
    """Result of :func:`fit`.

    Attributes
    ----------
    symmetry : tuple of str
        "s" or "d" per gap.
    T : float
        Temperature in K of the model (the fitted effective temperature with ``fit_temperature``).
    values : dict
        Parameter -> value (meV for delta*, gamma*; rad for alpha*; Z*, w1, P,
        Rs (R_s / R_N) and the background coefficients bg0, bg1 ... in powers of
        V / max|V| dimensionless; T in K; V0 in mV).
    stderr : dict
        Parameter -> standard error (same units) or None when the covariance
        could not be estimated or the parameter sits at a bound (``at_bounds``).
    correlations : dict
        "p1,p2" -> correlation coefficient (only |c| >= 0.1).
    chisqr : float
        chi^2 (with ``sigma``; otherwise of the bare residuals).
    redchi : float
        Reduced chi^2, chisqr / (ndata - nvarys).
    ndata : int
        Number of data points.
    nvarys : int
        Number of free parameters.
    aic : float
        Akaike information criterion of the final lmfit run.
    bic : float
        Bayesian information criterion of the final lmfit run.
    success : bool
        lmfit's success flag of the final run.
    n_starts : int
        Number of starts of the search.
    gaps : tuple of Gap
        The model at the best fit.
    bias : numpy.ndarray
        Bias in mV.
    data : numpy.ndarray
        Normalized data (raw data divided by ``background`` when it was fitted).
    sigma : numpy.ndarray or None
        Noise of G used in chi^2, in the units of the G passed to :func:`fit`
        (raw dI/dV units when the background was fitted).
    best_fit : numpy.ndarray
        Normalized model at ``bias``.
    components : tuple of numpy.ndarray
        Smeared single-band conductances (best_fit = sum w_i G_i).
    message : str
        lmfit's message.
    background : numpy.ndarray or None
        Fitted background at ``bias`` (ones without a background fit).
    at_bounds : tuple of str
        Parameters that ended at a bound of their range.
    lmfit_result : lmfit.minimizer.MinimizerResult
        The final lmfit result.
    model : str
        "btk", "dynes", "zeeman" or "sis".
    determined : bool
        True when lmfit succeeded and every free parameter has a finite standard
        error, smaller than its value (gaps; half the value for Z > 5) and than
        its allowed range, away from its bounds.
    problems : tuple of str
        Human-readable reasons when ``determined`` is False (empty otherwise).
    bic_by_n_gaps : dict
        Number of gaps -> BIC: {1: bic, 2: bic} for ``n_gaps="auto"``, else {n: bic}
        (of the model asked for, "btk" or "dynes", even when "zeeman" wins).
    bic_by_model : dict
        "<model>:<n_gaps>" -> BIC of every fit compared, e.g. {"btk:1": .., "btk:2": ..,
        "zeeman:1": ..} for ``n_gaps="auto"``; {"<model>:<n>": bic} otherwise.
    settings : dict
        Fixed inputs of the model: ``lockin_mV`` (peak, mV, or None), ``tip_gap`` and
        ``tip_gamma`` (meV, "sis"; else None).
    sigma_source : str
        "given" (``sigma`` passed: errors from it) or "residuals" (errors scaled by the residuals).
    options : dict
        The optional parameters switched on: polarization, fit_temperature,
        series_resistance, bias_offset, depairing (bools).

    Examples
    --------
    >>> b = np.linspace(-8, 8, 121)
    >>> y = conductance_multi(b, (Gap(1.5, 0.43, 1.42),), 3.0)
    >>> r = fit(b, y, n_gaps=1, T=3.0, starts=1)
    >>> round(r.values["delta1"], 3), r.rms < 1e-6
    (1.5, True)
    """

    symmetry: tuple
    T: float
    values: dict
    stderr: dict
    correlations: dict
    chisqr: float
    redchi: float
    ndata: int
    nvarys: int
    aic: float
    bic: float
    success: bool
    n_starts: int
    gaps: tuple
    bias: np.ndarray
    data: np.ndarray
    sigma: np.ndarray | None
    best_fit: np.ndarray
    components: tuple
    message: str = ""
    background: np.ndarray | None = None
    at_bounds: tuple = ()
    lmfit_result: object = field(default=None, repr=False, compare=False)
    model: str = "btk"
    determined: bool = True
    problems: tuple = ()
    bic_by_n_gaps: dict = field(default_factory=dict)
    sigma_source: str = "residuals"
    options: dict = field(default_factory=dict)
    bic_by_model: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    @property
    def rms(self) -> float:
        """Root-mean-square residual of the normalized conductance (dimensionless)."""
        return float(np.sqrt(np.mean((self.data - self.best_fit) ** 2)))

    def report(self) -> str:
        """Human-readable summary: quality, parameters with uncertainties and units, strong correlations.

        Returns
        -------
        str
            Several lines of text (printed by the CLI).
        """
        name = {"dynes": "Dynes (tunnel limit)", "zeeman": "spin-split BCS (Zeeman/exchange field h)",
                "sis": f"SIS (superconducting tip, gap {self.settings.get('tip_gap')} meV)"}.get(self.model, "BTK")
        tlabel = f"T = {self.T:.4g} K (fitted)" if "T" in self.values else f"T = {self.T} K"
        lines = [f"{name} fit: {len(self.gaps)} gap(s), symmetry {'+'.join(self.symmetry)}, {tlabel}"]
        if self.settings.get("lockin_mV"):
            lines.append(f"  lock-in broadening: peak amplitude {self.settings['lockin_mV']:.4g} mV "
                         f"(rms {self.settings['lockin_mV'] / math.sqrt(2):.4g} mV)")
        if len(self.bic_by_model) > 1:
            lines.append("  BIC by model: " + ", ".join(f"{k}: {v:.6g}" for k, v in self.bic_by_model.items())
                         + f"  -> {self.model}:{len(self.gaps)}")
        if len(self.bic_by_n_gaps) > 1:
            lines.append("  BIC by number of gaps: " + ", ".join(f"{k}: {v:.6g}" for k, v in
                                                                sorted(self.bic_by_n_gaps.items()))
                         + f"  -> {len(self.gaps)} gap(s)")
        if self.sigma is not None:
            lines.append(f"  reduced chi^2 = {self.redchi:.4g}  (N = {self.ndata}, {self.nvarys} free)")
        else:
            lines.append(f"  rms residual of normalized G = {self.rms:.3g}  (N = {self.ndata}, "
                         f"{self.nvarys} free; no sigma given: uncertainties scaled by the residuals)")
        for k, v in self.values.items():
            e = self.stderr.get(k)
            unit = f" {_unit(k)}" if _unit(k) else ""
            if k in self.at_bounds:
                lines.append(f"  {k:8s} = {v:.5g}{unit} (at a bound of its range; no uncertainty)")
            elif e is not None:
                lines.append(f"  {k:8s} = {v:.5g} +/- {e:.2g}{unit}")
            else:
                lines.append(f"  {k:8s} = {v:.5g}{unit} (uncertainty not estimated)")
        strong = {k: c for k, c in self.correlations.items() if abs(c) >= 0.5}
        if strong:
            lines.append("  strong correlations: " + ", ".join(f"{k}: {c:+.2f}" for k, c in strong.items()))
        if not self.determined:
            lines.append("  NOT DETERMINED: " + "; ".join(self.problems))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready summary (the ``fit`` block of the CLI's output file).

        Returns
        -------
        dict
            symmetry, T_K (K), parameters {name: {value, stderr, unit}},
            correlations, chisqr, redchi, rms_residual, sigma_given, ndata,
            nvarys, aic, bic, success, n_starts, message, at_bounds, model,
            n_gaps, determined, problems, bic_by_n_gaps ({"1": bic, "2": bic}),
            sigma_source, options, bic_by_model ({"btk:1": bic, ...}), settings
            (lockin_mV, tip_gap, tip_gamma).
        """
        return {
            "symmetry": list(self.symmetry), "T_K": self.T,
            "parameters": {k: {"value": v, "stderr": self.stderr.get(k), "unit": _unit(k)}
                           for k, v in self.values.items()},
            "correlations": self.correlations, "chisqr": self.chisqr, "redchi": self.redchi,
            "rms_residual": self.rms, "sigma_given": self.sigma is not None,
            "ndata": self.ndata, "nvarys": self.nvarys, "aic": self.aic, "bic": self.bic,
            "success": self.success, "n_starts": self.n_starts, "message": self.message,
            "at_bounds": list(self.at_bounds), "model": self.model, "n_gaps": len(self.gaps),
            "determined": self.determined, "problems": list(self.problems),
            "bic_by_n_gaps": {str(k): v for k, v in self.bic_by_n_gaps.items()},
            "sigma_source": self.sigma_source, "options": dict(self.options),
            "bic_by_model": dict(self.bic_by_model), "settings": dict(self.settings),
        }


def correlation_matrix(result):
    """Parameter correlation matrix of a fit (1 on the diagonal, 0 where |c| < 0.1 or not estimated).

    Parameters
    ----------
    result : BTKFit
        A fit result.

    Returns
    -------
    tuple of (list of str, numpy.ndarray)
        Parameter names (order of ``result.values``) and the symmetric matrix
        of correlation coefficients (dimensionless).

    Raises
    ------
    TypeError
        If ``result`` is not a :class:`BTKFit`.

    Examples
    --------
    >>> b = np.linspace(-8, 8, 121)
    >>> y = conductance_multi(b, (Gap(1.5, 0.43, 1.42),), 3.0) + np.random.default_rng(0).normal(0, 0.002, 121)
    >>> names, C = correlation_matrix(fit(b, y, n_gaps=1, T=3.0, sigma=0.002, starts=1))
    >>> names, bool(np.allclose(C, C.T) and np.all(np.diag(C) == 1))
    (['delta1', 'Z1', 'gamma1'], True)
    """
    check.instance("result", result, BTKFit)
    names = list(result.values)
    C = np.eye(len(names))
    for k, cval in result.correlations.items():
        i, j = (names.index(p) for p in k.split(","))
        C[i, j] = C[j, i] = cval
    return names, C


# ------------------------------------------------------------------ parameters <-> gaps
def _check_symmetry(symmetry, n_gaps):
    if isinstance(symmetry, str):
        symmetry = tuple(s.strip() for s in symmetry.split(","))
    check.not_missing("symmetry", symmetry, "a string like 's,d' or a sequence of 's'/'d'")
    try:
        symmetry = tuple(symmetry)
    except TypeError:
        raise TypeError(f"symmetry must be a string like 's,d' or a sequence of 's'/'d', "
                        f"got {type(symmetry).__name__}") from None
    for s in symmetry:
        check.choice("symmetry", s, _SYMMETRIES)        # TypeError for a non-string entry (None ...), first
    if len(symmetry) == 1:
        symmetry = symmetry * n_gaps
    if len(symmetry) != n_gaps:
        raise ValueError(f"symmetry must give one of 's'/'d' per gap ({n_gaps}), got {symmetry!r}")
    return symmetry


_OPTIONS = ("polarization", "fit_temperature", "series_resistance", "bias_offset")
_OPTION_PARAM = {"polarization": "P", "fit_temperature": "T", "series_resistance": "Rs", "bias_offset": "V0"}


def parameter_names(n_gaps, symmetry, *, model="btk", polarization=False, fit_temperature=False,
                    series_resistance=False, bias_offset=False, depairing=False):
    """Names of the fit parameters: delta_i, Z_i, gamma_i (alpha_i for d-wave gaps), w1 for two gaps, options.

    Parameters
    ----------
    n_gaps : int
        1 or 2.
    symmetry : str or sequence of str
        "s"/"d" per gap, "s,d", or one symmetry for all gaps.
    model : {"btk", "dynes", "zeeman", "sis"}, optional
        "dynes" (tunnel limit) and "sis" have no barrier strengths Z_i and no polarization;
        "zeeman" (one gap) has ``delta1, h, gamma1`` (meV).
    polarization : bool, optional
        Add the spin polarization ``P`` (dimensionless, shared by the bands; with "zeeman" the
        Meservey-Tedrow tunnelling polarization in [-1, 1]).
    fit_temperature : bool, optional
        Add the effective temperature ``T`` (K).
    series_resistance : bool, optional
        Add ``Rs`` = R_s / R_N (dimensionless).
    bias_offset : bool, optional
        Add the bias offset ``V0`` (mV).
    depairing : bool, optional
        "zeeman" only: add the orbital depairing parameter ``zeta`` (dimensionless).

    Returns
    -------
    list of str
        The names, gap by gap, then P, T, Rs, V0 (units: meV for delta, gamma;
        rad for alpha; K for T; mV for V0).

    Raises
    ------
    TypeError, ValueError
        For a bad ``n_gaps``, ``symmetry`` or ``model``, a non-bool flag, or
        ``polarization`` with the Dynes model.

    Examples
    --------
    >>> parameter_names(2, "s,d")
    ['delta1', 'Z1', 'gamma1', 'delta2', 'Z2', 'gamma2', 'alpha2', 'w1']
    >>> parameter_names(1, "s", model="dynes", fit_temperature=True)
    ['delta1', 'gamma1', 'T']
    >>> parameter_names(1, "s", model="zeeman")
    ['delta1', 'h', 'gamma1']
    """
    n_gaps = check.integer("n_gaps", n_gaps, 1, 2)
    symmetry = _check_symmetry(symmetry, n_gaps)
    model = check.choice("model", model, MODELS)
    flags = {k: check.boolean(k, v) for k, v in zip(_OPTIONS, (polarization, fit_temperature,
                                                                series_resistance, bias_offset))}
    depairing = check.boolean("depairing", depairing)
    if model not in ("btk", "zeeman") and flags["polarization"]:
        raise ValueError(f"polarization does not enter model={model!r} (a tunnel model): use model='btk' "
                         "(Andreev) or 'zeeman' (Meservey-Tedrow)")
    if model in ("zeeman", "sis") and any(s != "s" for s in symmetry):
        raise ValueError(f"model={model!r} is an s-wave model: use symmetry 's'")
    if model == "zeeman" and n_gaps != 1:
        raise ValueError("model='zeeman' has one gap split by +-h (n_gaps=1); its peaks at delta +- h "
                         "are not two gaps")
    if depairing and model != "zeeman":
        raise ValueError("depairing (zeta) enters only model='zeeman'")
    if model == "zeeman":
        return ["delta1", "h", "gamma1"] + (["zeta"] if depairing else []) + \
            [_OPTION_PARAM[k] for k in _OPTIONS if flags[k]]
    names = []
    for i in range(n_gaps):
        names += [f"delta{i + 1}"] + ([f"Z{i + 1}"] if model == "btk" else []) + [f"gamma{i + 1}"]
        if symmetry[i] == "d":
            names.append(f"alpha{i + 1}")
    if n_gaps == 2:
        names.append("w1")
    names += [_OPTION_PARAM[k] for k in _OPTIONS if flags[k]]
    return names


def _gaps(vals, n_gaps, symmetry):
    w1 = vals.get("w1", 1.0)
    ws = [w1, 1.0 - w1][:n_gaps]
    return tuple(Gap(vals[f"delta{i + 1}"], vals.get(f"Z{i + 1}", 0.0), vals[f"gamma{i + 1}"], ws[i],
                     symmetry[i], vals.get(f"alpha{i + 1}", 0.0)) for i in range(n_gaps))


def gaps_from_values(values, n_gaps, symmetry, *, model="btk"):
    """The :class:`Gap` tuple of a set of fit parameters (e.g. ``BTKFit.values`` or a stored fit).

    Parameters
    ----------
    values : dict
        Parameter -> value (delta_i, gamma_i in meV; alpha_i in rad; Z_i, w1
        dimensionless); see :func:`parameter_names`. Extra keys (bg0, P, T ...) are ignored.
    n_gaps : int
        1 or 2.
    symmetry : str or sequence of str
        "s"/"d" per gap.
    model : {"btk", "dynes", "zeeman", "sis"}, optional
        With "dynes", "zeeman" or "sis" no Z_i are needed (the gaps get Z = 0, which these
        tunnel models ignore; "zeeman"'s ``h`` is not a property of the Gap).

    Returns
    -------
    tuple of Gap
        One gap per band, weights w1 and 1 - w1.

    Raises
    ------
    TypeError
        If ``values`` is not a dict.
    ValueError
        If a needed parameter is missing or out of range.

    Examples
    --------
    >>> gaps_from_values({"delta1": 2.0, "Z1": 0.5, "gamma1": 0.1}, 1, "s")
    (Gap(delta=2.0, Z=0.5, gamma=0.1, weight=1.0, symmetry='s', alpha=0.0, sign=1),)
    """
    check.instance("values", values, dict)
    names = parameter_names(n_gaps, symmetry, model=model)
    missing = [k for k in names if k not in values]
    if missing:
        raise ValueError(f"values lacks the parameters {missing} of a {n_gaps}-gap {symmetry!r} model")
    return _gaps(values, int(n_gaps), _check_symmetry(symmetry, int(n_gaps)))


# ------------------------------------------------------------------ starting gaps
def _symmetrized(b, g):
    """|V| grid and the even part of G (where both signs are present)."""
    order = np.argsort(b)
    b, g = b[order], g[order]
    pos = np.abs(b)
    vmax_common = min(-b.min(), b.max()) if b.min() < 0 < b.max() else 0.0
    if vmax_common > 0:
        v = np.sort(np.unique(pos[pos <= vmax_common]))
        ge = 0.5 * (np.interp(v, b, g) + np.interp(-v, b, g))
        return v, ge
    v, inverse = np.unique(pos, return_inverse=True)     # one-sided: average repeated |V|
    return v, np.bincount(inverse, weights=g) / np.bincount(inverse)


def initial_guess(bias_mV, G, n_gaps=2):
    """Automatic starting gaps (meV) from the spectrum's features.

    Candidates are the coherence peaks of the symmetrized G(|V|) and the
    steepest drops of G (the gap edge of a flat-topped Andreev plateau);
    peaks rank before edges, each ranked by prominence.

    Parameters
    ----------
    bias_mV : array_like of float
        Bias in mV (1-D, at least 5 points, not all zero).
    G : array_like of float
        Normalized conductance, same length.
    n_gaps : int, optional
        1 or 2.

    Returns
    -------
    list of float
        ``n_gaps`` gaps in meV, largest first.

    Raises
    ------
    TypeError
        For complex, boolean or string arrays or a non-integer ``n_gaps``.
    ValueError
        For mismatched lengths, fewer than 5 points or an all-zero bias.

    Examples
    --------
    >>> b = np.linspace(-80, 80, 321)
    >>> G = conductance_multi(b, (Gap(23.0, 0.58, 6.6, 0.5), Gap(6.0, 0.4, 4.0, 0.5)), 3.0)
    >>> [round(x) for x in initial_guess(b, G)]
    [24, 8]
    """
    from scipy.signal import find_peaks

    b = check.real_array("bias_mV", bias_mV, ndim=1, min_size=5)
    g = check.real_array("G", G, ndim=1, min_size=5)
    check.same_length(bias_mV=b, G=g)
    n_gaps = check.integer("n_gaps", n_gaps, 1, 2)
    if not np.any(b != 0):
        raise ValueError("bias_mV must not be all zero")
    v, ge = _symmetrized(b, g)
    vmax = float(v.max())
    # noise level from second differences; smooth over ~2 % of the points
    noise = float(np.median(np.abs(np.diff(ge, 2)))) / (0.6745 * math.sqrt(6)) if v.size > 3 else 0.0
    k = 1
    if v.size >= 9:
        k = max(3, v.size // 50) | 1
        ge = np.convolve(np.pad(ge, k // 2, mode="edge"), np.ones(k) / k, mode="valid")
    floor = 5.0 * noise / math.sqrt(k)
    cands = []
    span = float(np.ptp(ge)) or 1.0
    pk, pr = find_peaks(ge, prominence=max(0.01 * span, floor))
    cands += [(1.0 + p / span, v[i]) for i, p in zip(pk, pr["prominences"])]
    if v.size >= 5:
        d = -np.gradient(ge, v)
        dspan = float(np.ptp(d)) or 1.0
        dk, dr = find_peaks(d, prominence=0.05 * dspan)
        cands += [(0.5 * p / dspan, v[i]) for i, p in zip(dk, dr["prominences"])]
    cands = [(p, e) for p, e in cands if 0.02 * vmax < e < 0.7 * vmax]
    cands.sort(reverse=True)
    gaps = []
    for _, e in cands:
        if all(abs(e - x) > 0.25 * max(e, x) for x in gaps):
            gaps.append(float(e))
        if len(gaps) == n_gaps:
            break
    defaults = [0.3 * vmax, 0.08 * vmax]
    while len(gaps) < n_gaps:
        gaps.append(next(x for x in defaults if all(abs(x - y) > 0.25 * max(x, y) for y in gaps)))
    return sorted(gaps, reverse=True)


# ------------------------------------------------------------------ step 0: the problem
@dataclass(frozen=True)
class _Problem:
    """Validated inputs of one fit."""

    bias: np.ndarray
    G: np.ndarray
    sigma: np.ndarray | None
    n_gaps: int
    symmetry: tuple
    T: float
    names: list
    angle_resolved: bool
    n_angles: int | None
    points_per_width: float
    background_degree: int | None
    bg_outer_fraction: float
    model: str = "btk"
    options: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    @property
    def vmax(self):
        return float(np.max(np.abs(self.bias)))


def _check_overrides(names, initial, bounds, fixed):
    out = []
    for what, dct in (("initial", initial), ("bounds", bounds), ("fixed", fixed)):
        if dct is None:
            out.append({})
            continue
        check.instance(what, dct, dict)
        for k in dct:
            if k not in names:
                raise ValueError(f"{what} has unknown parameter {k!r}; allowed: {names}")
        if what == "bounds":
            for k, pair in dct.items():
                try:
                    lo, hi = pair
                except (TypeError, ValueError):
                    raise TypeError(f"bounds[{k!r}] must be a pair (min, max), got {pair!r}") from None
                lo = check.in_range(f"bounds[{k!r}][0]", lo) if np.isfinite(lo) else float(lo)
                hi = check.in_range(f"bounds[{k!r}][1]", hi) if np.isfinite(hi) else float(hi)
                if not lo < hi or math.isnan(lo) or math.isnan(hi):
                    raise ValueError(f"bounds[{k!r}] must satisfy min < max, got {pair!r}")
        else:
            for k, v in dct.items():
                check.finite(f"{what}[{k!r}]", v)
        out.append(dict(dct))
    return out


def _problem(bias_mV, G, n_gaps, symmetry, T, sigma, angle_resolved, n_angles, points_per_width,
             background_degree, bg_outer_fraction, model="btk", options=None, settings=None):
    b = check.real_array("bias_mV", bias_mV, ndim=1)
    y = check.real_array("G", G, ndim=1)
    check.same_length(bias_mV=b, G=y)
    n_gaps = check.integer("n_gaps", n_gaps, 1, 2)
    symmetry = _check_symmetry(symmetry, n_gaps)
    T = check.nonnegative("T", T, T_MAX)
    angle_resolved = check.boolean("angle_resolved", angle_resolved)
    if n_angles is not None:
        check.integer("n_angles", n_angles, 2, 4096)
    ppw = check.in_range("points_per_width", points_per_width, 0.5, 100.0)
    options = dict.fromkeys(_OPTIONS, False) if options is None else dict(options)
    options.setdefault("depairing", False)
    names = parameter_names(n_gaps, symmetry, model=model, **options)
    settings = _check_settings(model, T, settings or {})
    if options["fit_temperature"] and T <= 0:
        raise ValueError("fit_temperature needs a starting temperature T > 0 K")
    if background_degree is not None:
        background_degree = check.integer("background_degree", background_degree, 0, 6)
        names += [f"bg{k}" for k in range(background_degree + 1)]
    frac = check.in_range("bg_outer_fraction", bg_outer_fraction, 0.0, 1.0, lo_open=True)
    need = max(3 * len(names), 20)
    if b.size < need:
        raise ValueError(f"bias_mV has {b.size} points; a {n_gaps}-gap fit needs at least {need}")
    if not np.any(b != 0):
        raise ValueError("bias_mV must not be all zero")
    # G is normalized (order 1) or, with a background, raw in any unit: its scale must leave chi^2 finite
    scale = float(np.median(np.abs(y)))
    if background_degree is None:
        if float(np.max(np.abs(y))) > _G_NORMALIZED_MAX:
            raise ValueError(f"G is the normalized conductance (order 1), got max|G| = {np.max(np.abs(y)):.3g} "
                             f"(> {_G_NORMALIZED_MAX:g}): normalize it (btk.normalize) or fit the raw dI/dV "
                             "with background_degree")
        scale = 1.0
    elif not _G_RAW_RANGE[0] <= scale <= _G_RAW_RANGE[1]:
        raise ValueError(f"G (raw, with background_degree) has a median |G| of {scale:.3g}, outside "
                         f"[{_G_RAW_RANGE[0]:g}, {_G_RAW_RANGE[1]:g}]: rescale it (the fit is scale-free)")
    sig = None
    if sigma is not None:
        s = check.real_array("sigma", sigma)
        if s.size not in (1, b.size):
            raise ValueError(f"sigma must be a number or have one value per bias point ({b.size}), got {s.size}")
        sig = np.broadcast_to(s.ravel(), b.shape).astype(float)
        lo, hi = _SIGMA_RELATIVE[0] * scale, _SIGMA_RELATIVE[1] * scale
        if np.any(sig < lo) or np.any(sig > hi):
            raise ValueError(f"sigma must be positive and lie in [{lo:.3g}, {hi:.3g}] (units of G: "
                             f"[{_SIGMA_RELATIVE[0]:g}, {_SIGMA_RELATIVE[1]:g}] x the scale of G), got "
                             f"[{sig.min():.3g}, {sig.max():.3g}]")
    return _Problem(b, y, sig, n_gaps, symmetry, T, names, angle_resolved, n_angles, ppw,
                    background_degree, frac, model, {k: bool(v) for k, v in options.items()}, settings)


def _check_settings(model, T, settings):
    """Validated fixed inputs: lockin_mV (peak mV or None), tip_gap, tip_gamma (meV, model 'sis' only)."""
    from .model import DELTA_MAX, GAMMA_MAX, LOCKIN_MAX

    lk, tg, tw = settings.get("lockin_mV"), settings.get("tip_gap"), settings.get("tip_gamma")
    if lk is not None:
        lk = check.nonnegative("lockin_mV", lk, LOCKIN_MAX) or None
    if model == "sis":
        if tg is None:
            raise ValueError("model='sis' needs the tip's gap: tip_gap (meV, > 0)")
        tg = check.positive("tip_gap", tg, DELTA_MAX)
        tw = None if tw is None else check.positive("tip_gamma", tw, GAMMA_MAX)
        if not T > 0:
            raise ValueError("model='sis' needs T > 0 K")
    elif tg is not None or tw is not None:
        raise ValueError(f"tip_gap and tip_gamma enter only model='sis', not {model!r}")
    return {"lockin_mV": lk, "tip_gap": tg, "tip_gamma": tw}


def background_start(bias_mV, G, degree=2, outer_fraction=0.3):
    """Starting normal-state background of a joint fit: B(V) = sum_k c_k (V / max|V|)^k.

    The one background model of the library's fits (:func:`fit` with ``background_degree``, the
    fit-btk default, and the gap-map model :func:`nickelates.gapmap.spectrum_model` with
    ``background``): the least-squares polynomial of :func:`nickelates.btk.normalize` on the
    outer ``outer_fraction`` of the bias range, written in the variable x = V / max|V|
    (the same polynomial; cheap enough to run per pixel).

    Parameters
    ----------
    bias_mV : array_like of float
        Bias in mV (1-D).
    G : array_like of float
        Raw dI/dV (any unit), same length.
    degree : int, optional
        Degree 0..6 of the polynomial.
    outer_fraction : float, optional
        Outer fraction (0, 1] of the bias range used.

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray)
        The coefficients c_0..c_degree (units of G, in powers of V / max|V|) and G / B(V).

    Raises
    ------
    TypeError, ValueError
        As :func:`nickelates.btk.normalize` (too few outer points, a background that is not positive).

    Examples
    --------
    >>> v = np.linspace(-10, 10, 41)
    >>> c, gn = background_start(v, 2.0 + 0.5 * (v / 10) + 0.0 * v, degree=1)
    >>> np.round(c, 6).tolist(), bool(np.allclose(gn, 1.0))
    ([2.0, 0.5], True)
    """
    degree = check.integer("degree", degree, 0, 6)
    b = check.real_array("bias_mV", bias_mV, ndim=1)
    y = check.real_array("G", G, ndim=1)
    check.same_length(bias_mV=b, G=y)
    frac = check.in_range("outer_fraction", outer_fraction, 0.0, 1.0, lo_open=True)
    vmax = float(np.max(np.abs(b)))
    if not vmax > 0:
        raise ValueError("bias_mV must not be all zero")
    x = b / vmax
    sel = np.abs(b) >= (1.0 - frac) * vmax          # the outer points, as normalize() selects them
    if sel.sum() < degree + 2:
        raise ValueError(f"only {int(sel.sum())} points in the outer {frac:g} of the bias range; "
                         f"need at least degree + 2 = {degree + 2}")
    # the least-squares polynomial of normalize(), written directly in x = V / max|V| (|x| <= 1: well conditioned)
    coef = np.linalg.lstsq(np.vander(x[sel], degree + 1, increasing=True), y[sel], rcond=None)[0]
    bg = np.polynomial.polynomial.polyval(x, coef)
    if np.any(bg <= 0):
        raise ValueError("the polynomial background is not positive over the bias range; "
                         "lower degree or change v_min")
    return coef, y / bg


# ------------------------------------------------------------------ step 1: bounds
def _min_gamma(problem):
    steps = np.diff(np.sort(problem.bias))
    return max(0.01, 0.25 * float(np.median(steps)))


def _bounds(problem, bounds):
    """(min, max) of every parameter: defaults from the bias range, then the caller's ``bounds``."""
    vmax, gmin = problem.vmax, _min_gamma(problem)
    lo_hi = {}
    for i in range(problem.n_gaps):
        lo_hi[f"delta{i + 1}"] = (max(0.005 * vmax, gmin), 1.2 * vmax)
        lo_hi[f"Z{i + 1}"] = (0.0, Z_FIT_MAX)
        lo_hi[f"gamma{i + 1}"] = (gmin, 0.5 * vmax)
        lo_hi[f"alpha{i + 1}"] = (0.0, math.pi / 4)
    lo_hi["h"] = (0.0, 1.2 * vmax)
    lo_hi["zeta"] = (0.0, 0.5)
    lo_hi["w1"] = (0.02, 0.98)
    lo_hi["P"] = (-1.0, 1.0) if problem.model == "zeeman" else (0.0, 1.0)
    lo_hi["T"] = (problem.T / 10.0, min(10.0 * problem.T, T_MAX))
    lo_hi["Rs"] = (0.0, 5.0)
    lo_hi["V0"] = (-0.1 * vmax, 0.1 * vmax)
    lo_hi.update(bounds)
    if problem.background_degree is not None:
        for k in range(problem.background_degree + 1):
            lo_hi[f"bg{k}"] = bounds.get(f"bg{k}", (-np.inf, np.inf))
    return lo_hi


# ------------------------------------------------------------------ step 2: starts
def _start_values(problem, initial):
    """Base starting values (automatic gaps, Z = 0.5, Gamma = 0.15 Delta, background) and the guessed gaps."""
    gmin = _min_gamma(problem)
    base, cx, yn = {}, None, problem.G
    deg = problem.background_degree
    if deg is not None:
        cx, yn = background_start(problem.bias, problem.G, deg, problem.bg_outer_fraction)
    guess_d = initial_guess(problem.bias, yn, problem.n_gaps)
    if problem.model == "zeeman":       # peaks at delta +- h: the two largest features, if resolved
        g2 = initial_guess(problem.bias, yn, 2)
        if g2[1] > 0.4 * g2[0]:
            guess_d = [0.5 * (g2[0] + g2[1])]
            base["h"] = 0.5 * (g2[0] - g2[1])
        else:
            base["h"] = 0.1 * guess_d[0]
        base["zeta"] = 0.02
    for i in range(problem.n_gaps):
        base[f"delta{i + 1}"] = guess_d[i]
        base[f"Z{i + 1}"] = 0.5
        base[f"gamma{i + 1}"] = max(0.15 * guess_d[i], 1.5 * gmin)
        base[f"alpha{i + 1}"] = 0.0
    if problem.model in ("zeeman", "sis"):      # tunnel spectra: sharper start
        for i in range(problem.n_gaps):
            base[f"gamma{i + 1}"] = max(0.05 * guess_d[i], 1.5 * gmin)
    base["w1"] = 0.5
    base["P"] = 0.0 if problem.model == "zeeman" else 0.3
    base["T"] = problem.T
    base["Rs"] = 0.05
    base["V0"] = _estimate_offset(problem.bias, yn) if problem.options.get("bias_offset") else 0.0
    if cx is not None:
        for k in range(deg + 1):
            base[f"bg{k}"] = float(cx[k])
    base.update(initial)
    return base, guess_d


def _estimate_offset(bias, G):
    """Bias offset (mV) that makes G most symmetric: least-squares mismatch of G(V0 + v) and G(V0 - v)."""
    order = np.argsort(bias)
    b, g = bias[order], G[order]
    vmax = float(np.max(np.abs(b)))
    shifts = np.linspace(-0.1 * vmax, 0.1 * vmax, 81)
    cost = []
    for v0 in shifts:
        half = min(b.max() - v0, v0 - b.min())
        if half <= 0:
            cost.append(np.inf)
            continue
        v = np.linspace(0.0, half, 101)
        cost.append(float(np.mean((np.interp(v0 + v, b, g) - np.interp(v0 - v, b, g)) ** 2)))
    return float(shifts[int(np.argmin(cost))])


def _looks_like_tunnel(bias, G):
    """True when the zero-bias conductance is strongly suppressed (G(0) < 0.6): a tunnel-like spectrum."""
    i = np.argsort(np.abs(bias))[:max(3, bias.size // 100)]
    return float(np.median(G[i])) < 0.6


def _start_variants(n_gaps, guess_d, starts, seed, extra=()):
    """The first ``starts`` variations of the base start: itself, ``extra`` ones, systematic ones, random ones.

    Keys: D1 (gap 1, meV) with r (delta2/delta1), Z, g (Gamma / Delta), d (gap
    scale), w (w1), a (alpha, rad), P, Rs. ``extra`` (the starts of the optional
    parameters and of tunnel-like spectra) come right after the base start.
    """
    rng = np.random.default_rng(seed)
    variants = [{}] + list(extra)
    if n_gaps == 2:
        # the largest feature is gap 1 with a small gap 2; or it is gap 2
        # under a broad gap 1 (guards against a spurious large-bias feature)
        variants += [{"D1": guess_d[0], "r": 0.25, "Z": 0.5, "g": 0.2},
                     {"D1": guess_d[1], "r": 0.25, "Z": 0.5, "g": 0.2}]
    variants += [{"Z": 0.2, "g": 0.05}, {"Z": 1.0, "g": 0.15}, {"Z": 0.5, "g": 0.4},
                 {"Z": 0.25, "g": 0.25, "d": 0.8}, {"Z": 0.8, "g": 0.05, "d": 1.15}]
    while len(variants) < starts:
        variants.append({"Z": float(rng.uniform(0.05, 1.5)), "g": float(rng.uniform(0.03, 0.5)),
                         "d": float(rng.uniform(0.75, 1.25)), "w": float(rng.uniform(0.2, 0.8)),
                         "a": float(rng.uniform(0, math.pi / 4))})
    return variants[:starts]


def _varied_value(nm, base, var):
    """Starting value of parameter ``nm``: the base value changed as the variant ``var`` says."""
    root = nm.rstrip("12")
    if "D1" in var:
        dvar = {"delta1": var["D1"], "delta2": var["D1"] * var["r"]}
    else:
        dvar = {k: base[k] * var.get("d", 1.0) for k in ("delta1", "delta2") if k in base}
    if root == "Z" and "Z" in var:
        return var["Z"]
    if root == "gamma" and "g" in var:
        return var["g"] * dvar["delta" + nm[-1]]
    if root == "delta" and ("d" in var or "D1" in var):
        return dvar[nm]
    if root == "w" and "w" in var:
        return var["w"]
    if root == "alpha" and "a" in var:
        return var["a"]
    if nm in ("P", "Rs") and nm in var:
        return var[nm]
    if nm == "h" and "hr" in var:
        return var["hr"] * dvar["delta1"]
    return base[nm]


def _parameters(var, names, base, lo_hi, fixed, ordered):
    """``lmfit.Parameters`` of one start (delta2 = r21 * delta1 when ``ordered``)."""
    import lmfit

    p = lmfit.Parameters()
    for nm in names:
        val = _varied_value(nm, base, var)
        lo, hi = lo_hi[nm]
        if nm in fixed:
            p.add(nm, value=float(fixed[nm]), vary=False)
        elif nm == "delta2" and ordered:
            r = min(max(val / p["delta1"].value, 0.02), 0.98)
            p.add("r21", value=r, min=0.01, max=1.0)
            p.add("delta2", expr="r21*delta1")
        elif not np.isfinite(hi - lo):
            p.add(nm, value=float(val), min=lo, max=hi)
        else:
            p.add(nm, value=float(min(max(val, lo + 1e-9 * (hi - lo)), hi - 1e-9 * (hi - lo))),
                  min=lo, max=hi)
    return p


# ------------------------------------------------------------------ step 3: objective
class _Objective:
    """Model P(V) G_BTK(V) of a fit problem and its (weighted) residual."""

    def __init__(self, problem):
        self.problem = problem

    def background(self, vals, bb):
        deg = self.problem.background_degree
        if deg is None:
            return 1.0
        return np.polynomial.polynomial.polyval(bb / self.problem.vmax, [vals[f"bg{k}"] for k in range(deg + 1)])

    def extras(self, vals):
        """Keyword arguments of :func:`conductance_multi` for the model and the optional parameters."""
        pr = self.problem
        out = {"model": pr.model, "polarization": vals.get("P", 0.0),
               "series_resistance": vals.get("Rs", 0.0), "bias_offset": vals.get("V0", 0.0),
               "lockin_mV": pr.settings.get("lockin_mV")}
        if pr.model == "zeeman":
            out.update(h=vals["h"], zeta=vals.get("zeta", 0.0))
        elif pr.model == "sis":
            out.update(tip_gap=pr.settings["tip_gap"], tip_gamma=pr.settings.get("tip_gamma"))
        return out

    def model(self, params, bb, coarse=False):
        pr = self.problem
        vals = params.valuesdict()
        gaps = _gaps(vals, pr.n_gaps, pr.symmetry)
        T = vals.get("T", pr.T)
        if coarse:   # search phase: cheaper quadrature (errors ~1e-4), refined in the polish
            g = conductance_multi(bb, gaps, T, pr.angle_resolved, n_angles=pr.n_angles or _SEARCH_N_ANGLES,
                                  points_per_width=_SEARCH_PPW, **self.extras(vals))
        else:
            g = conductance_multi(bb, gaps, T, pr.angle_resolved, n_angles=pr.n_angles,
                                  points_per_width=pr.points_per_width, **self.extras(vals))
        return self.background(vals, bb) * g

    def residual(self, params, bb, yy, ss, coarse=False):
        r = self.model(params, bb, coarse) - yy
        return r if ss is None else r / ss


# ------------------------------------------------------------------ step 4: search and polish
def multistart(residual, starts, *, args=(), max_nfev=300, xtol=1e-6, ftol=1e-7):
    """Minimize a least-squares residual from several starts; return the best result.

    Each start is optimized with lmfit's trust-region ``least_squares``; the
    result with the lowest chi^2 wins (the first one on ties).

    Parameters
    ----------
    residual : callable
        ``residual(params, *args) -> numpy.ndarray`` (lmfit convention; units of the data / sigma).
    starts : sequence of lmfit.Parameters
        Starting points (at least one).
    args : tuple, optional
        Extra arguments of ``residual``.
    max_nfev : int, optional
        Maximum function evaluations per start (>= 1; bounds the run time).
    xtol, ftol : float, optional
        Relative tolerances (dimensionless, in (0, 1]) of the parameters and of chi^2.

    Returns
    -------
    lmfit.minimizer.MinimizerResult
        The best of the runs.

    Raises
    ------
    TypeError
        If ``residual`` is not callable or a start is not ``lmfit.Parameters``.
    ValueError
        If ``starts`` is empty or a tolerance or ``max_nfev`` is out of range.

    Examples
    --------
    >>> import lmfit
    >>> def res(p):
    ...     x = p["x"].value
    ...     return np.array([(x * x - 4.0) * (x - 3.0)])   # zeros at -2, 2, 3
    >>> starts = []
    >>> for x0 in (-3.0, 2.5):
    ...     p = lmfit.Parameters(); p.add("x", value=x0, min=-5, max=5); starts.append(p)
    >>> round(multistart(res, starts).params["x"].value, 6) in (-2.0, 2.0, 3.0)
    True
    """
    import lmfit

    if not callable(residual):
        raise TypeError(f"residual must be callable, got {type(residual).__name__}")
    check.instance("starts", starts, (list, tuple), "a sequence of lmfit.Parameters")
    starts = list(starts)
    if not starts:
        raise ValueError("starts must contain at least one lmfit.Parameters")
    for p in starts:
        check.instance("starts[i]", p, lmfit.Parameters)
    max_nfev = check.iterations("max_nfev", max_nfev)
    xtol = check.tolerance("xtol", xtol)
    ftol = check.tolerance("ftol", ftol)
    best = None
    for p0 in starts:
        r = lmfit.minimize(residual, p0, args=tuple(args), method="least_squares",
                           xtol=xtol, ftol=ftol, max_nfev=max_nfev)
        if best is None or r.chisqr < best.chisqr:
            best = r
    return best


def _search_subset(problem):
    """At most 201 evenly spread data points for the search phase."""
    npts = problem.bias.size
    sub = np.unique(np.linspace(0, npts - 1, min(npts, _SEARCH_POINTS)).round().astype(int))
    ss = None if problem.sigma is None else problem.sigma[sub]
    return problem.bias[sub], problem.G[sub], ss


def _polish(objective, best):
    """Levenberg-Marquardt refinement on all points at full accuracy (covariance for the errors)."""
    import lmfit

    pr = objective.problem
    return lmfit.minimize(objective.residual, best.params.copy(), args=(pr.bias, pr.G, pr.sigma),
                          method="leastsq", scale_covar=pr.sigma is None, xtol=1e-9, ftol=1e-10,
                          max_nfev=200 * (len(pr.names) + 1))


# ------------------------------------------------------------------ step 5: result
def _propagate_covariance(result, names, vals):
    """Standard errors and correlations of ``names`` from the lmfit covariance.

    The fit varies r21 = delta2/delta1 instead of delta2; the covariance of
    (delta1, delta2, ...) follows by the linear transformation J C J^T.
    """
    errs = {k: None for k in names}
    corr = {}
    C = getattr(result, "covar", None)
    var = list(getattr(result, "var_names", []) or [])
    if C is None or not var or not np.all(np.isfinite(C)):
        return errs, corr
    J = np.zeros((len(names), len(var)))
    for i, nm in enumerate(names):
        if nm in var:
            J[i, var.index(nm)] = 1.0
        elif nm == "delta2" and "r21" in var:
            J[i, var.index("r21")] = vals["delta1"]
            if "delta1" in var:
                J[i, var.index("delta1")] = result.params["r21"].value
    cov = J @ C @ J.T
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    for i, nm in enumerate(names):
        if J[i].any() and sd[i] > 0:
            errs[nm] = float(sd[i])
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            if sd[i] > 0 and sd[j] > 0:
                c = cov[i, j] / (sd[i] * sd[j])
                if abs(c) >= 0.1:
                    corr[f"{a},{names[j]}"] = float(c)
    return errs, corr


def _at_bounds(final):
    """Free parameters within 1e-6 of the span from a bound (r21 reported as delta2)."""
    out = []
    for nm, par in final.params.items():
        if not par.vary or par.expr is not None:
            continue
        lo, hi = par.min, par.max
        span = (hi - lo) if np.isfinite(hi - lo) else max(abs(par.value), 1.0)
        if (np.isfinite(lo) and par.value - lo <= 1e-6 * span) or (np.isfinite(hi) and hi - par.value <= 1e-6 * span):
            out.append("delta2" if nm == "r21" else nm)
    return out


_GAP2_PARAMS = ("delta2", "Z2", "gamma2", "alpha2", "w1")


def _problems(final, names, vals, errs, at_bounds, lo_hi, n_gaps):
    """Reasons why a fit did not determine its free parameters (empty tuple when it did)."""
    out = []
    if not final.success:
        out.append(f"lmfit reports failure: {final.message}")
    free = [nm for nm in names if (nm == "delta2" and "r21" in final.params and final.params["r21"].vary)
            or (nm in final.params and final.params[nm].vary and final.params[nm].expr is None)]
    bad = set()
    for nm in free:
        e, v = errs.get(nm), vals[nm]
        lo, hi = lo_hi.get(nm, (-np.inf, np.inf))
        if nm == "delta2" and "r21" in final.params and final.params["r21"].vary:
            lo, hi = final.params["r21"].min * vals["delta1"], final.params["r21"].max * vals["delta1"]
        if nm in at_bounds:
            out.append(f"{nm} = {v:.4g} is at a bound of its range [{lo:.4g}, {hi:.4g}]")
        elif e is None or not math.isfinite(e):
            out.append(f"{nm}: no uncertainty (the covariance could not be estimated)")
        elif (nm.startswith("delta") or nm == "h") and e > abs(v):
            out.append(f"{nm} = {v:.4g} +/- {e:.2g} meV: relative uncertainty above 100 %")
        elif nm.startswith("Z") and v > 5.0 and e > 0.5 * v:
            out.append(f"{nm} = {v:.4g} +/- {e:.2g}: only a lower bound on Z (relative uncertainty above 50 %)")
        elif np.isfinite(hi - lo) and e > hi - lo:
            out.append(f"{nm} = {v:.4g} +/- {e:.2g}: uncertainty wider than its allowed range")
        else:
            continue
        bad.add(nm)
    if n_gaps == 2 and bad & set(_GAP2_PARAMS + ("delta1",)):
        out.insert(0, "the data do not determine two gaps: fit with n_gaps=1 or n_gaps='auto' (compare the BICs)")
    if bad & {"Z1", "Z2"} and any(vals[z] > 5.0 for z in ("Z1", "Z2") if z in vals):
        out.append("a large Z is not determined (tunnel limit): fit with model='dynes'")
    return tuple(out)


def _result(objective, final, n_starts, lo_hi=None):
    """The :class:`BTKFit` of the polished lmfit result."""
    pr = objective.problem
    names = pr.names
    vals = {k: float(final.params[k].value) for k in names}
    errs, corr = _propagate_covariance(final, names, vals)
    at_bounds = _at_bounds(final)
    for nm in at_bounds:
        errs[nm] = None
    corr = {k: c for k, c in corr.items() if not set(k.split(",")) & set(at_bounds)}
    gaps = _gaps(vals, pr.n_gaps, pr.symmetry)
    T = vals.get("T", pr.T)
    best_fit, comps = conductance_multi(pr.bias, gaps, T, pr.angle_resolved, return_components=True,
                                        n_angles=pr.n_angles, points_per_width=pr.points_per_width,
                                        **objective.extras(vals))
    bg = np.broadcast_to(np.asarray(objective.background(vals, pr.bias), dtype=float), pr.bias.shape).copy()
    if np.any(bg <= 0):
        raise ValueError("the fitted background polynomial is not positive over the bias range; "
                         "lower background_degree")
    r = bg * best_fit - pr.G if pr.sigma is None else (bg * best_fit - pr.G) / pr.sigma
    chisqr = float(np.sum(r ** 2))
    nvarys = int(final.nvarys)
    redchi = chisqr / max(pr.bias.size - nvarys, 1)
    problems = _problems(final, names, vals, errs, at_bounds, lo_hi or {}, pr.n_gaps)
    return BTKFit(symmetry=pr.symmetry, T=float(T), values=vals, stderr=errs, correlations=corr,
                  chisqr=chisqr, redchi=redchi, ndata=int(pr.bias.size), nvarys=nvarys,
                  aic=float(final.aic), bic=float(final.bic), success=bool(final.success),
                  n_starts=n_starts, gaps=gaps, bias=pr.bias, data=pr.G / bg, sigma=pr.sigma,
                  best_fit=best_fit, components=tuple(comps), message=str(final.message),
                  background=bg, at_bounds=tuple(at_bounds), lmfit_result=final, model=pr.model,
                  determined=not problems, problems=problems, bic_by_n_gaps={pr.n_gaps: float(final.bic)},
                  sigma_source="residuals" if pr.sigma is None else "given", options=dict(pr.options),
                  bic_by_model={f"{pr.model}:{pr.n_gaps}": float(final.bic)}, settings=dict(pr.settings))


# ------------------------------------------------------------------ the fit
def fit(bias_mV, G, *, n_gaps=2, symmetry="s", T=3.0, sigma=None, starts=6,
        initial=None, bounds=None, fixed=None, angle_resolved=True, seed=0, n_angles=None,
        points_per_width=3.0, background_degree=None, bg_outer_fraction=0.3, model="btk",
        polarization=False, fit_temperature=False, series_resistance=False, bias_offset=False,
        tip_gap=None, tip_gamma=None, lockin_mV=None, depairing=False):
    """Fit a normalized spectrum with a one- or two-gap BTK, Dynes, spin-split or SIS model (multi-start lmfit).

    Parameters
    ----------
    bias_mV : array_like of float
        Bias in mV (1-D; at least max(20, 3 x free parameters) points).
    G : array_like of float
        Normalized conductance (dimensionless); with ``background_degree`` the raw dI/dV (any unit).
    n_gaps : {1, 2, "auto"}, optional
        Number of gaps; "auto" fits both and keeps the lower BIC (both in ``bic_by_n_gaps``); for
        an s-wave "btk" or "dynes" fit without ``polarization`` it also fits ``model="zeeman"``
        (one gap split by +-h) and keeps it when its BIC is the lowest (all in ``bic_by_model``).
    symmetry : str or sequence of str, optional
        "s"/"d" per gap, a string like "s,d", or one symmetry for all gaps (default "s").
        With ``n_gaps="auto"`` give one symmetry (used for every gap).
    T : float, optional
        Temperature in K, in [0, 1e5]: held fixed, or the start of the fitted
        effective temperature with ``fit_temperature``.
    sigma : float or array_like of float, optional
        Noise of ``G`` exactly as passed (units of G, > 0; a number or one per
        point) -- the raw dI/dV noise when G is raw with ``background_degree``.
        If given, chi^2 uses it and the uncertainties are not rescaled; if None,
        uncertainties are scaled by sqrt(reduced chi^2) (``sigma_source``).
    starts : int, optional
        Number of starting points (1..200): the automatic guess plus systematic
        variations of Z, Gamma and the gaps (first those of the optional
        parameters, and Z = 3, 10 for a tunnel-like spectrum with G(0) < 0.6),
        then random ones. Each start is optimized on <= 201 points with a
        cheaper quadrature (12 angle nodes, 2 smearing points per width); the
        best is refined on all points at full accuracy (Levenberg-Marquardt,
        covariance -> errors).
    initial : dict, optional
        Starting values (meV, rad, K, mV or dimensionless, see :func:`parameter_names`)
        used by the first start; the other starts vary around them.
    bounds : dict, optional
        name -> (min, max) in the parameter's unit (defaults: module docstring).
    fixed : dict, optional
        name -> value of parameters held fixed. Gap 1 is the larger one: the fit
        varies r21 = delta2/delta1 in (0.01, 1) unless delta2 is fixed or bounded.
    angle_resolved : bool, optional
        Angle-resolved (Tanaka-Kashiwaya) or normal-incidence model.
    seed : int or None, optional
        Seed (>= 0) of the random starts.
    n_angles : int, optional
        Quadrature nodes (dimensionless; see :func:`nickelates.btk.conductance`).
    points_per_width : float, optional
        Smearing-grid resolution (dimensionless, [0.5, 100]) of the final fit.
    background_degree : int, optional
        Fit the raw dI/dV as B(V) * G(V) with a polynomial normal-state
        background B of this degree (0..6) whose coefficients (``bg0``, ``bg1``
        ..., in powers of V / max|V|) are fitted with the BTK parameters
        (started from :func:`nickelates.btk.normalize` on the outer
        ``bg_outer_fraction``). This avoids the bias of normalizing first when
        the BTK tails have not reached 1 at the largest bias (large Gamma / Delta).
    bg_outer_fraction : float, optional
        Outer fraction (0, 1] of the bias range for the starting background.
    model : {"btk", "dynes", "zeeman", "sis"}, optional
        "btk": point contact of any transparency (Z in [0, 50]); "dynes": the
        tunnel limit (thermally smeared Dynes DOS; parameters delta_i, gamma_i, no Z_i);
        "zeeman": spin-split tunnel DOS of one gap (``delta1``, ``h`` in [0, 1.2 max|V|],
        ``gamma1``; :func:`nickelates.btk.spin_split_dos`); "sis": superconducting tip of gap
        ``tip_gap`` on the sample's Dynes DOS (parameters delta_i, gamma_i).
    polarization : bool, optional
        Fit the spin polarization ``P`` in [0, 1] of the normal electrode ("btk"), or the
        Meservey-Tedrow tunnelling polarization in [-1, 1] ("zeeman").
    fit_temperature : bool, optional
        Fit an effective temperature ``T`` (K) in [T/10, 10 T], started at ``T``.
    series_resistance : bool, optional
        Fit ``Rs`` = R_s / R_N in [0, 5], the series (spreading) resistance in
        units of the junction's normal-state resistance (V = V_j + I R_s; see
        :func:`nickelates.btk.conductance_multi`).
    bias_offset : bool, optional
        Fit a bias offset ``V0`` (mV) within +-0.1 max|V|; the model is G(V - V0).
    tip_gap : float, optional
        "sis" (required there): the tip's gap in meV (held fixed).
    tip_gamma : float, optional
        "sis": the tip's Dynes broadening in meV (held fixed; default 1 % of ``tip_gap``).
    lockin_mV : float, optional
        PEAK lock-in modulation amplitude in mV (rms setting A: V_m = sqrt(2) A): the model is
        convolved with the lock-in instrument function (:func:`nickelates.btk.lockin_nodes`).
    depairing : bool, optional
        "zeeman": also fit the orbital depairing parameter ``zeta`` in [0, 0.5] (default: zeta = 0).

    Returns
    -------
    BTKFit
        Values, uncertainties, correlations, the model at the data, and
        ``determined`` / ``problems`` (whether every free parameter is pinned down).

    Raises
    ------
    TypeError
        For arrays or arguments of the wrong type (complex bias, float ``starts`` ...).
    ValueError
        For mismatched lengths, too few points, unknown parameter names,
        ``starts`` outside 1..200, sigma outside [1e-12, 1e3] x the scale of G (1 for a
        normalized G, its median |G| when raw), a normalized G above 1e3 or a raw one (with
        ``background_degree``) whose median |G| is outside [1e-15, 1e12] (rescale it), or a fitted background
        that is not positive.

    Examples
    --------
    >>> b = np.linspace(-80, 80, 321)
    >>> y = conductance_multi(b, (Gap(23.0, 0.58, 6.6, 0.5), Gap(6.0, 0.4, 4.0, 0.5)), 3.0)
    >>> r = fit(b, y, T=3.0, starts=1)
    >>> round(r.values["delta1"], 2), round(r.values["delta2"], 2), r.sigma_source
    (23.0, 6.0, 'residuals')
    """
    if isinstance(n_gaps, str):
        if n_gaps != "auto":
            raise ValueError(f"n_gaps must be 1, 2 or 'auto', got {n_gaps!r}")
        return _fit_auto(bias_mV, G, dict(
            symmetry=symmetry, T=T, sigma=sigma, starts=starts, initial=initial, bounds=bounds,
            fixed=fixed, angle_resolved=angle_resolved, seed=seed, n_angles=n_angles,
            points_per_width=points_per_width, background_degree=background_degree,
            bg_outer_fraction=bg_outer_fraction, model=model, polarization=polarization,
            fit_temperature=fit_temperature, series_resistance=series_resistance, bias_offset=bias_offset,
            tip_gap=tip_gap, tip_gamma=tip_gamma, lockin_mV=lockin_mV, depairing=depairing))
    options = {k: check.boolean(k, v) for k, v in zip(_OPTIONS, (polarization, fit_temperature,
                                                                  series_resistance, bias_offset))}
    options["depairing"] = check.boolean("depairing", depairing)
    model = check.choice("model", model, MODELS)
    problem = _problem(bias_mV, G, n_gaps, symmetry, T, sigma, angle_resolved, n_angles,
                       points_per_width, background_degree, bg_outer_fraction, model, options,
                       {"lockin_mV": lockin_mV, "tip_gap": tip_gap, "tip_gamma": tip_gamma})
    starts = check.integer("starts", starts, 1, MAX_STARTS)
    if seed is not None:
        seed = check.integer("seed", seed, 0)
    initial, bounds, fixed = _check_overrides(problem.names, initial, bounds, fixed)

    lo_hi = _bounds(problem, bounds)
    base, guess_d = _start_values(problem, initial)
    variants = _start_variants(problem.n_gaps, guess_d, starts, seed, _extra_variants(problem, base))
    ordered = problem.n_gaps == 2 and "delta2" not in fixed and "delta2" not in bounds
    params = [_parameters(v, problem.names, base, lo_hi, fixed, ordered) for v in variants]

    objective = _Objective(problem)
    bs, ys, ss = _search_subset(problem)
    best = multistart(objective.residual, params, args=(bs, ys, ss, True))
    final = _polish(objective, best)
    return _result(objective, final, len(variants), lo_hi)


def _drop_unknown(dct, names):
    """The entries of an override dict (initial/bounds/fixed) that are parameters of ``names``."""
    return None if dct is None else {k: v for k, v in dct.items() if k in names}


def _fit_auto(bias_mV, G, kw):
    """``n_gaps="auto"``: one and two gaps of the model asked for, and the spin-split model; lowest BIC wins."""
    symmetry, model = kw["symmetry"], check.choice("model", kw["model"], MODELS)
    if not isinstance(symmetry, str) or "," in symmetry:
        raise ValueError("with n_gaps='auto' give one symmetry for all gaps ('s' or 'd'), "
                         f"got {symmetry!r}")
    candidates = [(model, 1)] if model == "zeeman" else [(model, 1), (model, 2)]
    with_zeeman = (model in ("btk", "dynes") and symmetry.strip() == "s" and not kw["polarization"]
                   and not kw["depairing"])
    if with_zeeman:
        candidates.append(("zeeman", 1))
    fits = {}
    for m, n in candidates:
        sub = dict(kw, model=m)
        if m != model:      # overrides of the asked model's parameters that the spin-split model lacks
            names = parameter_names(1, "s", model=m, polarization=False, fit_temperature=kw["fit_temperature"],
                                    series_resistance=kw["series_resistance"], bias_offset=kw["bias_offset"])
            names += [f"bg{k}" for k in range(7)]
            sub.update(initial=_drop_unknown(kw["initial"], names), bounds=_drop_unknown(kw["bounds"], names),
                       fixed=_drop_unknown(kw["fixed"], names))
        fits[(m, n)] = fit(bias_mV, G, n_gaps=n, **sub)
    by_model = {f"{m}:{n}": f.bic for (m, n), f in fits.items()}
    by_n = {n: f.bic for (m, n), f in fits.items() if m == model}
    order = {c: i for i, c in enumerate(candidates)}
    best = min(fits, key=lambda c: (fits[c].bic, order[c]))
    out = replace(fits[best], bic_by_n_gaps=by_n, bic_by_model=by_model)
    why = _split_or_two_gaps(fits[best], fits.get(("zeeman", 1)))
    if why:
        out = replace(out, determined=False, problems=(why, *out.problems))
    return out


#: a two-gap winner whose gaps lie within this relative distance of a spin-split fit's Delta +- h
SPLIT_MATCH = 0.10
#: ... is undetermined between the two pictures when its rms residual exceeds the noise this many times
SPLIT_MISFIT = 3.0


def _split_or_two_gaps(best, zeeman):
    """Why "two gaps" cannot be told from "one spin-split gap" here, or "" when it can.

    The peaks of a tunnel spectrum sit at the two gaps of a two-band superconductor,
    or at Delta - h and Delta + h of one spin-split gap (an exchange or Zeeman field):
    the positions cannot tell them apart, only the line shapes can. The BIC compares
    the shapes fairly only where a model describes the data to their noise; where the
    better fit still leaves residuals of several times the noise (:data:`SPLIT_MISFIT`),
    both models miss physics of the junction (spin-orbit scattering, an inhomogeneous
    field, a second channel ...) and the choice between them is not made by the data.
    Point-contact (Andreev) fits with a finite barrier are not affected: the spin-split
    model is a tunnel model.
    """
    if zeeman is None or len(best.gaps) != 2 or best.model == "zeeman":
        return ""
    tunnel = best.model == "dynes" or all(g.Z >= 5.0 for g in best.gaps)
    if not tunnel:
        return ""
    d, h = zeeman.values["delta1"], zeeman.values["h"]
    big, small = sorted((best.values["delta1"], best.values["delta2"]), reverse=True)
    if h <= 0 or abs(big - (d + h)) > SPLIT_MATCH * (d + h) or abs(small - (d - h)) > SPLIT_MATCH * (d + h):
        return ""
    from ..trust import noise_level

    y = np.asarray(best.data, float)
    resid = y - np.asarray(best.best_fit, float)
    noise = noise_level(y)
    rms = float(np.sqrt(np.mean(resid ** 2)))
    if noise <= 0 or rms <= SPLIT_MISFIT * noise:
        return ""
    return (f"two gaps ({big:.4g}, {small:.4g} meV) or one spin-split gap (delta = {d:.4g} meV, h = {h:.4g} meV: "
            f"peaks at delta +- h in the same places): neither model fits to the noise (rms residual "
            f"{rms / noise:.1f} x the noise), so the BIC does not decide; choose the physics: --model zeeman for a "
            f"junction with an exchange or Zeeman field, --gaps 2 for a two-band superconductor")


def _extra_variants(problem, base):
    """Starts placed right after the base one: large Z for tunnel-like spectra, values of the options."""
    extra = []
    yn = problem.G
    if problem.background_degree is not None:
        yn = normalize(problem.bias, problem.G, degree=problem.background_degree,
                       outer_fraction=problem.bg_outer_fraction).G
    if problem.model == "btk" and _looks_like_tunnel(problem.bias, yn):
        extra += [{"Z": 3.0, "g": 0.05}, {"Z": 10.0, "g": 0.05}]
    if problem.options.get("polarization") and problem.model == "zeeman":
        extra += [{"P": 0.3}, {"P": -0.3}]
    elif problem.options.get("polarization"):
        extra += [{"P": 0.6, "Z": 0.2, "g": 0.05}, {"P": 0.1, "Z": 0.5}]
    if problem.options.get("series_resistance"):
        extra += [{"Rs": 0.5, "d": 0.8}]
    if problem.model == "zeeman":
        extra += [{"hr": 0.3, "g": 0.03}, {"hr": 0.15, "g": 0.1}, {"hr": 0.5, "g": 0.03, "d": 0.9}]
    return extra

"""Joint fit of a temperature series of point-contact spectra (chapter 4, Guo et al. Fig. 3 and Table 3).

All spectra are fitted at once with one model:

* shared by every spectrum: the barrier strengths Z_i (``shared_barrier``),
  the band weight w1, the d-wave angles alpha_i and, with ``polarization``, P;
* per spectrum: the Dynes broadenings Gamma_i(T_k) (and, with
  ``background_degree``, the background coefficients);
* the gaps: Delta_i(T) = Delta_i(0) tanh(a sqrt(Tc/T - 1))
  (:func:`nickelates.btk.gap_bcs`, one Tc for all bands), or with
  ``free_gaps`` one free Delta_i(T_k) per spectrum, followed by a BCS-like fit
  of the fitted gaps (weighted by their uncertainties, shared Tc).

Parameter names (keys of ``SeriesFit.values``): ``delta1_0``, ``delta2_0``
(meV), ``Tc`` (K), ``ratio1``, ``ratio2`` (2 Delta_i(0) / k_B Tc), ``Z1``,
``Z2``, ``w1``, ``alpha1``/``alpha2`` (rad), ``P``; per spectrum k (in the
order of ``temperatures``) ``gamma1_t{k}``, ``gamma2_t{k}``, ``delta1_t{k}``,
``delta2_t{k}`` (meV), and with ``shared_barrier=False`` ``Z1_t{k}``, ``Z2_t{k}``.
Units: bias in mV, gaps and broadenings in meV, temperatures in K.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from .. import _validate as check
from ..errors import ConvergenceError
from .fitting import BTKFit, _check_symmetry, _min_gamma, fit
from .model import K_B_MEV_PER_K, MODELS, T_MAX, Gap, conductance_multi
from .temperature import fit_gap_temperature, gap_bcs

__all__ = ["SeriesFit", "fit_series"]

_MIN_GAP = 1e-6        # meV: a gap this small stands for "closed" just below Tc


# ------------------------------------------------------------------ result
@dataclass(frozen=True)
class SeriesFit:
    """Result of :func:`fit_series`.

    Attributes
    ----------
    temperatures : numpy.ndarray
        Temperatures of the spectra in K (order of the input).
    n_gaps : int
        1 or 2.
    symmetry : tuple of str
        "s"/"d" per gap.
    model : str
        "btk" or "dynes".
    free_gaps : bool
        True if the gaps were free per spectrum (Delta(0), Tc then from a BCS-like fit of them).
    values : dict
        Parameter -> value (see the module docstring for the names; meV, K, rad or dimensionless).
    stderr : dict
        Parameter -> standard error (same units) or None where not estimated.
    correlations : dict
        "p1,p2" -> correlation coefficient among delta1_0, delta2_0, Tc, ratio1,
        ratio2 and the shared barrier / weight parameters (|c| >= 0.1).
    fits : tuple of BTKFit
        One per spectrum: that spectrum's parameters at the joint solution
        (stderr propagated from the joint covariance), data, model, residuals; its ``nvarys``
        counts the free parameters entering that spectrum (its own and the shared ones), and
        ``aic``/``bic`` follow lmfit's definitions with that chi^2, ndata and nvarys.
    chisqr : float
        chi^2 of all spectra (weighted with ``sigma``; otherwise of the bare residuals).
    redchi : float
        Reduced chi^2.
    ndata : int
        Number of data points of all spectra.
    nvarys : int
        Number of free parameters of the joint fit.
    bic : float
        Bayesian information criterion of the joint fit.
    success : bool
        lmfit's success flag.
    message : str
        lmfit's message.
    determined : bool
        True when lmfit succeeded and every free parameter (and delta_i_0, Tc)
        has a finite uncertainty, away from the bounds, smaller than the value for the gaps.
    problems : tuple of str
        Reasons when ``determined`` is False.
    sigma_source : str
        "given" or "residuals".
    a : float
        Shape constant of the BCS-like Delta(T) (dimensionless).
    gap_temperature : object
        With ``free_gaps``: the lmfit result of the BCS-like fit of the fitted gaps, else None.
    lmfit_result : lmfit.minimizer.MinimizerResult
        The joint fit's lmfit result.

    Examples
    --------
    >>> T = np.array([3.0, 20.0, 35.0, 45.0])
    >>> b = np.linspace(-60, 60, 121)
    >>> spectra = [(b, conductance_multi(b, (Gap(float(gap_bcs([t], 23.0, 68.0)[0]), 0.5, 6.0),), t))
    ...            for t in T]
    >>> r = fit_series(spectra, T, n_gaps=1, starts=1)
    >>> round(r.values["delta1_0"], 2), round(r.values["Tc"], 1)
    (23.0, 68.0)
    """

    temperatures: np.ndarray
    n_gaps: int
    symmetry: tuple
    model: str
    free_gaps: bool
    values: dict
    stderr: dict
    correlations: dict
    fits: tuple
    chisqr: float
    redchi: float
    ndata: int
    nvarys: int
    bic: float
    success: bool
    message: str
    determined: bool
    problems: tuple
    sigma_source: str
    a: float = 1.74
    gap_temperature: object = field(default=None, repr=False, compare=False)
    lmfit_result: object = field(default=None, repr=False, compare=False)

    def gaps_vs_temperature(self):
        """The gaps at the temperatures of the spectra, with their uncertainties.

        Returns
        -------
        tuple of numpy.ndarray
            (T in K, Delta in meV of shape (n spectra, n gaps), stderr in meV, NaN where not estimated).
        """
        n = len(self.temperatures)
        d = np.array([[self.values[f"delta{i + 1}_t{k}"] for i in range(self.n_gaps)] for k in range(n)])
        e = np.array([[_nan(self.stderr.get(f"delta{i + 1}_t{k}")) for i in range(self.n_gaps)]
                      for k in range(n)])
        return np.asarray(self.temperatures, dtype=float), d, e

    def report(self) -> str:
        """Human-readable summary (printed by the CLI).

        Returns
        -------
        str
            Several lines: quality, Delta_i(0), Tc, 2 Delta_i(0)/k_B Tc with uncertainties, problems.
        """
        lines = [f"temperature series: {len(self.temperatures)} spectra, {self.n_gaps} gap(s) "
                 f"({'+'.join(self.symmetry)}, {self.model}), gaps "
                 + ("free per spectrum, then a BCS-like fit" if self.free_gaps else "BCS-like Delta(T)")]
        lines.append(f"  reduced chi^2 = {self.redchi:.4g} (N = {self.ndata}, {self.nvarys} free; "
                     + ("sigma given)" if self.sigma_source == "given" else "uncertainties scaled by the residuals)"))
        for k in self._summary_names():
            e = self.stderr.get(k)
            unit = {"Tc": " K"}.get(k, " meV" if k.startswith("delta") else "")
            lines.append(f"  {k:9s} = {self.values[k]:.5g}" + (f" +/- {e:.2g}{unit}" if e is not None
                                                                  else f"{unit} (uncertainty not estimated)"))
        strong = {k: c for k, c in self.correlations.items() if abs(c) >= 0.5}
        if strong:
            lines.append("  strong correlations: " + ", ".join(f"{k}: {c:+.2f}" for k, c in strong.items()))
        if not self.determined:
            lines.append("  NOT DETERMINED: " + "; ".join(self.problems))
        return "\n".join(lines)

    def _summary_names(self):
        return [f"delta{i + 1}_0" for i in range(self.n_gaps)] + ["Tc"] + [f"ratio{i + 1}" for i in
                                                                           range(self.n_gaps)]

    def to_dict(self) -> dict:
        """JSON-ready summary (the output of ``fit-btk-series``).

        Returns
        -------
        dict
            ``delta1_0``, ``delta2_0`` (two gaps), ``Tc``, ``ratio1``, ``ratio2``: each
            {"value", "stderr"} (meV, K, dimensionless); ``parameters`` (every
            parameter {value, stderr, unit}), ``correlations``, ``temperatures_K``,
            ``gaps_vs_T`` (one entry per spectrum), ``n_gaps``, ``symmetry``,
            ``model``, ``free_gaps``, ``a``, ``chisqr``, ``redchi``, ``ndata``,
            ``nvarys``, ``bic``, ``success``, ``message``, ``determined``,
            ``problems``, ``sigma_source``.
        """
        out = {k: {"value": self.values[k], "stderr": self.stderr.get(k)} for k in self._summary_names()}
        T, d, e = self.gaps_vs_temperature()
        out.update({
            "parameters": {k: {"value": v, "stderr": self.stderr.get(k), "unit": _unit(k)}
                           for k, v in self.values.items()},
            "correlations": dict(self.correlations), "temperatures_K": [float(t) for t in T],
            "gaps_vs_T": [{"T_K": float(T[k]), **{f"delta{i + 1}": float(d[k, i]) for i in range(self.n_gaps)},
                           **{f"delta{i + 1}_stderr": (None if np.isnan(e[k, i]) else float(e[k, i]))
                              for i in range(self.n_gaps)}} for k in range(T.size)],
            "n_gaps": self.n_gaps, "symmetry": list(self.symmetry), "model": self.model,
            "free_gaps": self.free_gaps, "a": self.a, "chisqr": self.chisqr, "redchi": self.redchi,
            "ndata": self.ndata, "nvarys": self.nvarys, "bic": self.bic, "success": self.success,
            "message": self.message, "determined": self.determined, "problems": list(self.problems),
            "sigma_source": self.sigma_source,
        })
        return out


def _nan(x):
    return np.nan if x is None else float(x)


def _unit(name):
    root = name.split("_t")[0].rstrip("_0")
    if root.startswith(("delta", "gamma")):
        return "meV"
    if root in ("Tc", "T"):
        return "K"
    return "rad" if root.startswith("alpha") else ""


# ------------------------------------------------------------------ inputs
def _check_spectra(spectra, temperatures, sigma):
    check.not_missing("spectra", spectra, "a sequence of (bias_mV, G) pairs")
    try:
        spectra = list(spectra)
    except TypeError:
        raise TypeError(f"spectra must be a sequence of (bias_mV, G) pairs, got {type(spectra).__name__}") from None
    if len(spectra) < 2:
        raise ValueError(f"spectra must hold at least 2 spectra, got {len(spectra)}")
    for k, sp in enumerate(spectra):
        if not isinstance(sp, (tuple, list, np.ndarray)) or len(sp) != 2:
            raise TypeError(f"spectra[{k}] must be a pair (bias_mV, G), got {type(sp).__name__}")
    T = check.real_array("temperatures", temperatures, ndim=1)
    if T.size != len(spectra):
        raise ValueError(f"temperatures must give one temperature per spectrum ({len(spectra)}), got {T.size}")
    if np.any(T <= 0) or np.any(T > T_MAX):
        raise ValueError(f"temperatures must lie in (0, {T_MAX}] K, got {T.tolist()}")
    out = []
    for k, sp in enumerate(spectra):
        try:
            b, g = sp
        except (TypeError, ValueError):
            raise TypeError(f"spectra[{k}] must be a pair (bias_mV, G)") from None
        b = check.real_array(f"spectra[{k}] bias_mV", b, ndim=1, min_size=10)
        g = check.real_array(f"spectra[{k}] G", g, ndim=1, min_size=10)
        if b.size != g.size:
            raise ValueError(f"spectra[{k}]: bias_mV and G must have the same length ({b.size} != {g.size})")
        if not np.any(b != 0):
            raise ValueError(f"spectra[{k}] bias_mV must not be all zero")
        out.append((b, g))
    if sigma is None:
        sig = [None] * len(out)
    else:
        if np.ndim(sigma) == 0:
            sigma = [sigma] * len(out)
        sigma = list(sigma)
        if len(sigma) != len(out):
            raise ValueError(f"sigma must be a number or one entry per spectrum ({len(out)}), got {len(sigma)}")
        sig = []
        for k, (s, (b, _)) in enumerate(zip(sigma, out)):
            s = check.real_array(f"sigma[{k}]", s)
            if s.size not in (1, b.size) or np.any(s <= 0):
                raise ValueError(f"sigma[{k}] must be positive, a number or one value per bias point ({b.size})")
            sig.append(np.broadcast_to(s.ravel(), b.shape).astype(float))
    return out, T, sig


# ------------------------------------------------------------------ the joint model
class _Series:
    """Parameter layout and residual of the joint fit."""

    def __init__(self, spectra, T, sig, n_gaps, symmetry, model, free_gaps, shared_barrier, polarization,
                 background_degree, a, angle_resolved, lockin=None):
        self.spectra, self.T, self.sig = spectra, T, sig
        self.n_gaps, self.symmetry, self.model = n_gaps, symmetry, model
        self.free_gaps, self.shared_barrier, self.polarization = free_gaps, shared_barrier, polarization
        self.deg, self.a, self.angle_resolved = background_degree, a, angle_resolved
        self.vmax = [float(np.max(np.abs(b))) for b, _ in spectra]
        self.lockin = [None] * len(spectra) if lockin is None else list(lockin)

    def z_name(self, i, k):
        return f"Z{i + 1}" if self.shared_barrier else f"Z{i + 1}_t{k}"

    def gaps_at(self, vals, k):
        """Delta_i(T_k) in meV from the parameter values."""
        if self.free_gaps:
            d1 = vals[f"delta1_t{k}"]
            ds = [d1] + ([vals[f"r21_t{k}"] * d1] if self.n_gaps == 2 else [])
        else:
            d0 = [vals["delta1_0"]] + ([vals["r21_0"] * vals["delta1_0"]] if self.n_gaps == 2 else [])
            ds = [float(gap_bcs([self.T[k]], d, vals["Tc"], self.a)[0]) for d in d0]
        return [max(d, _MIN_GAP) for d in ds]

    def band_values(self, vals, k):
        """The one-spectrum parameter dict (delta_i, Z_i, gamma_i, alpha_i, w1, P, bg*) of spectrum k."""
        ds = self.gaps_at(vals, k)
        out = {}
        for i in range(self.n_gaps):
            out[f"delta{i + 1}"] = ds[i]
            if self.model == "btk":
                out[f"Z{i + 1}"] = vals[self.z_name(i, k)]
            out[f"gamma{i + 1}"] = vals[f"gamma{i + 1}_t{k}"]
            if self.symmetry[i] == "d":
                out[f"alpha{i + 1}"] = vals[f"alpha{i + 1}"]
        if self.n_gaps == 2:
            out["w1"] = vals["w1"]
        if self.polarization:
            out["P"] = vals["P"]
        if self.deg is not None:
            for j in range(self.deg + 1):
                out[f"bg{j}"] = vals[f"bg{j}_t{k}"]
        return out

    def model_k(self, vals, k, bias=None, components=False):
        bv = self.band_values(vals, k)
        b = self.spectra[k][0] if bias is None else bias
        w1 = bv.get("w1", 1.0)
        ws = [w1, 1.0 - w1][:self.n_gaps]
        gaps = tuple(Gap(bv[f"delta{i + 1}"], bv.get(f"Z{i + 1}", 0.0), bv[f"gamma{i + 1}"], ws[i],
                         self.symmetry[i], bv.get(f"alpha{i + 1}", 0.0)) for i in range(self.n_gaps))
        out = conductance_multi(b, gaps, float(self.T[k]), self.angle_resolved, return_components=components,
                                polarization=bv.get("P", 0.0), model=self.model, lockin_mV=self.lockin[k])
        bg = 1.0
        if self.deg is not None:
            bg = np.polynomial.polynomial.polyval(b / self.vmax[k], [bv[f"bg{j}"] for j in range(self.deg + 1)])
        return out, bg, gaps

    def residual(self, params):
        vals = params.valuesdict()
        res = []
        for k, (_, y) in enumerate(self.spectra):
            g, bg, _ = self.model_k(vals, k)
            r = bg * g - y
            res.append(r if self.sig[k] is None else r / self.sig[k])
        return np.concatenate(res)


# ------------------------------------------------------------------ covariance of derived quantities
def _derived(series, vals):
    """Derived quantities: delta_i_0, Tc, ratios, the gaps at each T (and the varied parameters themselves)."""
    out = dict(vals)
    n = len(series.T)
    for k in range(n):
        for i, d in enumerate(series.gaps_at(vals, k)):
            out[f"delta{i + 1}_t{k}"] = d
    if not series.free_gaps:
        if series.n_gaps == 2:
            out["delta2_0"] = vals["r21_0"] * vals["delta1_0"]
        for i in range(series.n_gaps):
            out[f"ratio{i + 1}"] = 2.0 * out[f"delta{i + 1}_0"] / (K_B_MEV_PER_K * vals["Tc"])
    return out


def _propagate(func, x0, names, C, steps):
    """Values, covariance of func(x) (a dict) at x0 by central differences: J C J^T."""
    f0 = func(x0)
    keys = list(f0)
    J = np.zeros((len(keys), len(x0)))
    for j in range(len(x0)):
        h = steps[j]
        xp, xm = x0.copy(), x0.copy()
        xp[j] += h
        xm[j] -= h
        fp, fm = func(xp), func(xm)
        J[:, j] = [(fp[k] - fm[k]) / (2 * h) for k in keys]
    return f0, keys, J @ C @ J.T


# ------------------------------------------------------------------ the fit
def fit_series(spectra, temperatures, *, n_gaps=2, symmetry="s", free_gaps=False, sigma=None, starts=4,
               model="btk", polarization=False, shared_barrier=True, background_degree=None, a=1.74,
               angle_resolved=True, seed=0, lockin_mV=None):
    """Fit a temperature series of spectra jointly (shared barrier and weights, BCS-like or free gaps).

    Parameters
    ----------
    spectra : sequence of (array_like, array_like)
        (bias in mV, normalized G) per spectrum (raw dI/dV with ``background_degree``); >= 2 spectra.
    temperatures : array_like of float
        Temperature of each spectrum in K, in (0, 1e5].
    n_gaps : int, optional
        1 or 2.
    symmetry : str or sequence of str, optional
        "s"/"d" per gap, "s,d", or one symmetry for all gaps.
    free_gaps : bool, optional
        Fit one Delta_i per spectrum (then Delta_i(0) and Tc come from a BCS-like
        fit of those gaps, weighted by their uncertainties, with a shared Tc and
        errors scaled up by sqrt(reduced chi^2) when it exceeds 1); default: the
        gaps follow Delta_i(0) tanh(a sqrt(Tc/T - 1)) inside the joint fit.
    sigma : float or sequence, optional
        Noise of G (units of G as passed, > 0): one number for all, or one entry
        (number or array) per spectrum. Without it the uncertainties are scaled by the residuals.
    starts : int, optional
        Starts (1..200) of the one-spectrum fit (:func:`nickelates.btk.fit`) of the
        lowest-temperature spectrum that seeds the joint fit.
    model : {"btk", "dynes"}, optional
        Conductance model (see :func:`nickelates.btk.fit`).
    polarization : bool, optional
        Fit a spin polarization P shared by all spectra (btk model).
    shared_barrier : bool, optional
        One Z_i for all spectra (default) or one per spectrum.
    background_degree : int, optional
        Fit a polynomial background (degree 0..6) per spectrum with the raw dI/dV.
    a : float, optional
        Dimensionless shape constant of the BCS-like Delta(T), in (0, 100].
    angle_resolved : bool, optional
        Angle-resolved (Tanaka-Kashiwaya) or normal-incidence model.
    seed : int, optional
        Seed (>= 0) of the random starts of the seeding fit.
    lockin_mV : float or sequence of float, optional
        PEAK lock-in modulation amplitude in mV (rms setting A: V_m = sqrt(2) A), one number for
        all spectra or one per spectrum (None: none): every model, of the seeding fits
        (:func:`nickelates.btk.fit`) and of the joint fit, is convolved with the lock-in
        instrument function (:func:`nickelates.btk.lockin_nodes`).

    Returns
    -------
    SeriesFit
        delta1_0, delta2_0, Tc, ratio1, ratio2 with uncertainties and
        correlations, the per-spectrum fits and whether the fit is determined.

    Raises
    ------
    TypeError
        For spectra that are not (bias, G) pairs, arrays of the wrong type or non-bool flags.
    ValueError
        For fewer than 2 spectra, mismatched lengths, temperatures out of range,
        bad sigma, or options out of range.
    nickelates.errors.ConvergenceError
        If the joint fit returns non-finite values.

    Examples
    --------
    >>> T = np.array([3.0, 30.0, 45.0])
    >>> b = np.linspace(-60, 60, 121)
    >>> spectra = [(b, conductance_multi(b, (Gap(float(gap_bcs([t], 20.0, 60.0)[0]), 0.5, 5.0),), t))
    ...            for t in T]
    >>> r = fit_series(spectra, T, n_gaps=1, starts=1)
    >>> r.to_dict()["Tc"]["value"] > 59.9, list(r.to_dict())[:3]
    (True, ['delta1_0', 'Tc', 'ratio1'])
    """
    import lmfit

    spec, T, sig = _check_spectra(spectra, temperatures, sigma)
    n_gaps = check.integer("n_gaps", n_gaps, 1, 2)
    symmetry = _check_symmetry(symmetry, n_gaps)
    free_gaps = check.boolean("free_gaps", free_gaps)
    model = check.choice("model", model, MODELS)
    polarization = check.boolean("polarization", polarization)
    shared_barrier = check.boolean("shared_barrier", shared_barrier)
    angle_resolved = check.boolean("angle_resolved", angle_resolved)
    a = check.positive("a", a, 100.0)
    starts = check.integer("starts", starts, 1, 200)
    seed = check.integer("seed", seed, 0)
    if background_degree is not None:
        background_degree = check.integer("background_degree", background_degree, 0, 6)
    if model == "dynes" and polarization:
        raise ValueError("polarization does not enter model='dynes': use model='btk'")
    lockin = _check_lockin(lockin_mV, len(spec))
    series = _Series(spec, T, sig, n_gaps, symmetry, model, free_gaps, shared_barrier, polarization,
                     background_degree, a, angle_resolved, lockin)

    seeds = _seed_fits(series, starts, seed)
    params, bounds = _joint_parameters(series, seeds)
    final = lmfit.minimize(series.residual, params, method="leastsq", scale_covar=sigma is None,
                           xtol=1e-8, ftol=1e-9, max_nfev=200 * (len(params) + 1))
    vals = {k: float(p.value) for k, p in final.params.items()}
    if not all(math.isfinite(v) for v in vals.values()):
        raise ConvergenceError("the joint series fit returned non-finite parameters", iterations=final.nfev,
                               residual=float(final.chisqr), last=vals)
    return _series_result(series, final, bounds, sigma is None)


def _check_lockin(lockin_mV, n):
    """Peak lock-in amplitudes (mV, None for none) per spectrum, from one value or one per spectrum."""
    from .model import LOCKIN_MAX

    if lockin_mV is None:
        return [None] * n
    if isinstance(lockin_mV, (list, tuple, np.ndarray)):
        if len(lockin_mV) != n:
            raise ValueError(f"lockin_mV must be one number or one per spectrum ({n}), got {len(lockin_mV)}")
        return [None if v is None else (check.nonnegative("lockin_mV", v, LOCKIN_MAX) or None) for v in lockin_mV]
    return [check.nonnegative("lockin_mV", lockin_mV, LOCKIN_MAX) or None] * n


def _nvarys_of(final, k):
    """Free parameters that enter spectrum k: its own (``*_t{k}``) and the shared ones."""
    own = re.compile(r"_t(\d+)$")
    n = 0
    for nm, par in final.params.items():
        if not par.vary or par.expr is not None:
            continue
        m = own.search(nm)
        n += m is None or int(m.group(1)) == k
    return n


def _information_criteria(chisqr, ndata, nvarys):
    """AIC and BIC of one spectrum as lmfit defines them: n ln(chi^2/n) + 2 k and n ln(chi^2/n) + k ln n."""
    lnl = ndata * math.log(max(chisqr, 1e-250) / ndata)
    return float(lnl + 2.0 * nvarys), float(lnl + math.log(ndata) * nvarys)


def _seed_fits(series, starts, seed):
    """One-spectrum fits from the lowest temperature up, each seeded by the previous one."""
    order = np.argsort(series.T)
    fits = {}
    prev = None
    for k in order:
        b, y = series.spectra[k]
        sk = series.sig[k]
        init = None
        if prev is not None:
            init = {n: v for n, v in prev.values.items() if not n.startswith("bg")}
        fits[int(k)] = fit(b, y, n_gaps=series.n_gaps, symmetry=series.symmetry, T=float(series.T[k]),
                           sigma=sk, starts=starts if prev is None else 1, initial=init,
                           angle_resolved=series.angle_resolved, seed=seed, model=series.model,
                           polarization=series.polarization, background_degree=series.deg,
                           lockin_mV=series.lockin[k])
        prev = fits[int(k)]
    return fits


def _joint_parameters(series, seeds):
    """Start values and bounds of the joint fit from the one-spectrum fits."""
    import lmfit

    p = lmfit.Parameters()
    bounds = {}
    n = len(series.T)
    T = series.T

    def add(name, value, lo, hi):
        value = float(min(max(value, lo + 1e-9 * (hi - lo)), hi - 1e-9 * (hi - lo)))
        p.add(name, value=value, min=lo, max=hi)
        bounds[name] = (lo, hi)

    med = {nm: float(np.median([f.values[nm] for f in seeds.values()])) for nm in seeds[0].values}
    vmax = max(series.vmax)
    if series.model == "btk":
        for i in range(series.n_gaps):
            if series.shared_barrier:
                add(f"Z{i + 1}", med[f"Z{i + 1}"], 0.0, 50.0)
            else:
                for k in range(n):
                    add(f"Z{i + 1}_t{k}", seeds[k].values[f"Z{i + 1}"], 0.0, 50.0)
    for i in range(series.n_gaps):
        if series.symmetry[i] == "d":
            add(f"alpha{i + 1}", med[f"alpha{i + 1}"], 0.0, math.pi / 4)
    if series.n_gaps == 2:
        add("w1", med["w1"], 0.02, 0.98)
    if series.polarization:
        add("P", med["P"], 0.0, 1.0)
    for k in range(n):
        gmin = _min_gamma(_Bias(series.spectra[k][0]))
        for i in range(series.n_gaps):
            add(f"gamma{i + 1}_t{k}", seeds[k].values[f"gamma{i + 1}"], gmin, 0.5 * series.vmax[k])
        if series.deg is not None:
            for j in range(series.deg + 1):
                p.add(f"bg{j}_t{k}", value=seeds[k].values[f"bg{j}"])
    gaps = np.array([[seeds[k].values[f"delta{i + 1}"] for i in range(series.n_gaps)] for k in range(n)])
    if series.free_gaps:
        for k in range(n):
            add(f"delta1_t{k}", gaps[k, 0], 0.005 * vmax, 1.2 * vmax)
            if series.n_gaps == 2:
                add(f"r21_t{k}", gaps[k, 1] / gaps[k, 0], 0.01, 1.0)
    else:
        d0, tc = _bcs_start(T, gaps[:, 0], series.a)
        add("delta1_0", d0, 0.005 * vmax, 1.2 * vmax)
        if series.n_gaps == 2:
            d20, _ = _bcs_start(T, gaps[:, 1], series.a)
            add("r21_0", d20 / d0, 0.01, 1.0)
        add("Tc", tc, float(T.max()) * 1.0005, 20.0 * float(T.max()))
    return p, bounds


class _Bias:
    """Minimal stand-in with a ``bias`` attribute for :func:`nickelates.btk.fitting._min_gamma`."""

    def __init__(self, bias):
        self.bias = bias


def _bcs_start(T, d, a):
    """Delta(0), Tc from a BCS-like fit of one-spectrum gaps (falls back to max gap, 1.5 max T)."""
    try:
        r = fit_gap_temperature(T, np.maximum(d, _MIN_GAP), a=a)
        return r.delta0, r.Tc
    except (ConvergenceError, ValueError):
        return float(np.max(d)), 1.5 * float(np.max(T))


def _bcs_of_gaps(series, T, d, e):
    """Joint BCS-like fit (shared Tc) of the free gaps d (n, n_gaps) with errors e; errors scaled by max(1, redchi)."""
    import lmfit

    p = lmfit.Parameters()
    for i in range(series.n_gaps):
        d0, tc = _bcs_start(T, d[:, i], series.a)
        p.add(f"delta{i + 1}_0", value=d0, min=0.0)
    p.add("Tc", value=_bcs_start(T, d[:, 0], series.a)[1], min=float(T.max()) * 1.0005)
    ee = np.where(np.isfinite(e) & (e > 0), e, np.nanmax(np.where(np.isfinite(e), e, 0.0)) or 1.0)

    def resid(pp):
        return np.concatenate([(gap_bcs(T, pp[f"delta{i + 1}_0"].value, pp["Tc"].value, series.a) - d[:, i])
                               / ee[:, i] for i in range(series.n_gaps)])

    r = lmfit.minimize(resid, p, method="leastsq", scale_covar=False)
    if r.covar is not None and r.redchi > 1:
        r.covar = r.covar * r.redchi
        for nm in r.var_names:
            if r.params[nm].stderr is not None:
                r.params[nm].stderr *= math.sqrt(r.redchi)
    return r


def _series_result(series, final, bounds, scaled):
    n = len(series.T)
    vals = {k: float(p.value) for k, p in final.params.items()}
    var = list(final.var_names)
    C = final.covar
    have_cov = C is not None and np.all(np.isfinite(C))
    x0 = np.array([vals[k] for k in var])
    steps = np.array([1e-6 * max(abs(v), 1e-3) for v in x0])

    def func(x):
        vv = dict(vals)
        vv.update(dict(zip(var, x)))
        return _derived(series, vv)

    if have_cov:
        dv, keys, cov = _propagate(func, x0, var, C, steps)
        sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        stderr = {k: (float(s) if s > 0 else None) for k, s in zip(keys, sd)}
    else:
        dv, keys, cov, sd = func(x0), list(func(x0)), None, None
        stderr = dict.fromkeys(keys)
    values = {k: float(v) for k, v in dv.items() if not k.startswith("r21")}
    stderr = {k: stderr.get(k) for k in values}

    gap_fit = None
    if series.free_gaps:
        Tarr = series.T
        d = np.array([[values[f"delta{i + 1}_t{k}"] for i in range(series.n_gaps)] for k in range(n)])
        e = np.array([[_nan(stderr.get(f"delta{i + 1}_t{k}")) for i in range(series.n_gaps)] for k in range(n)])
        gap_fit = _bcs_of_gaps(series, Tarr, d, e)
        for nm in [f"delta{i + 1}_0" for i in range(series.n_gaps)] + ["Tc"]:
            values[nm] = float(gap_fit.params[nm].value)
            stderr[nm] = gap_fit.params[nm].stderr
        gvar = list(gap_fit.var_names)
        gC = gap_fit.covar
        for i in range(series.n_gaps):
            d0, tc = values[f"delta{i + 1}_0"], values["Tc"]
            values[f"ratio{i + 1}"] = 2 * d0 / (K_B_MEV_PER_K * tc)
            if gC is not None:
                J = np.zeros(len(gvar))
                J[gvar.index(f"delta{i + 1}_0")] = 2 / (K_B_MEV_PER_K * tc)
                J[gvar.index("Tc")] = -2 * d0 / (K_B_MEV_PER_K * tc ** 2)
                stderr[f"ratio{i + 1}"] = float(math.sqrt(max(J @ gC @ J, 0.0)))
            else:
                stderr[f"ratio{i + 1}"] = None

    # correlations among the summary and shared parameters
    corr = {}
    shared = ([f"delta{i + 1}_0" for i in range(series.n_gaps)] + ["Tc"]
              + [f"ratio{i + 1}" for i in range(series.n_gaps)]
              + [k for k in ("Z1", "Z2", "w1", "alpha1", "alpha2", "P") if k in values])
    if series.free_gaps:
        gvar = list(gap_fit.var_names) if gap_fit is not None else []
        if gap_fit is not None and gap_fit.covar is not None:
            gsd = np.sqrt(np.diag(gap_fit.covar))
            for i, x in enumerate(gvar):
                for j in range(i + 1, len(gvar)):
                    c = gap_fit.covar[i, j] / (gsd[i] * gsd[j])
                    if abs(c) >= 0.1:
                        corr[f"{x},{gvar[j]}"] = float(c)
    elif cov is not None:
        idx = {k: i for i, k in enumerate(keys)}
        for i, x in enumerate(shared):
            for y in shared[i + 1:]:
                if x in idx and y in idx and sd[idx[x]] > 0 and sd[idx[y]] > 0:
                    c = cov[idx[x], idx[y]] / (sd[idx[x]] * sd[idx[y]])
                    if abs(c) >= 0.1:
                        corr[f"{x},{y}"] = float(c)

    # problems
    probs = []
    if not final.success:
        probs.append(f"lmfit reports failure: {final.message}")
    at_bound = []
    for nm in var:
        par = final.params[nm]
        lo, hi = par.min, par.max
        span = (hi - lo) if np.isfinite(hi - lo) else max(abs(par.value), 1.0)
        if (np.isfinite(lo) and par.value - lo <= 1e-6 * span) or (np.isfinite(hi) and hi - par.value <= 1e-6 * span):
            at_bound.append(nm)
            probs.append(f"{nm} = {par.value:.4g} is at a bound of its range [{lo:.4g}, {hi:.4g}]")
    if not have_cov:
        probs.append("no uncertainties: the covariance of the joint fit could not be estimated")
    for nm in [f"delta{i + 1}_0" for i in range(series.n_gaps)] + ["Tc"]:
        e = stderr.get(nm)
        if have_cov and (e is None or not math.isfinite(e)):
            probs.append(f"{nm}: no uncertainty")
        elif e is not None and nm.startswith("delta") and e > values[nm]:
            probs.append(f"{nm} = {values[nm]:.4g} +/- {e:.2g} meV: relative uncertainty above 100 %")
        elif e is not None and nm == "Tc" and e > 0.5 * values[nm]:
            probs.append(f"Tc = {values[nm]:.4g} +/- {e:.2g} K: the spectra do not determine Tc "
                         "(measure closer to Tc)")
    if series.n_gaps == 2 and any(p.startswith(("delta2", "r21", "w1", "Z2", "gamma2")) for p in probs):
        probs.insert(0, "the data do not determine two gaps: fit with n_gaps=1")
    for nm in at_bound:
        stderr[nm] = None

    # per-spectrum results
    fits = []
    for k in range(n):
        b, y = series.spectra[k]
        (g, comps), bg, gaps = series.model_k(vals, k, components=True)
        bv = series.band_values(vals, k)
        sv = {}
        for nm in bv:
            src = {"delta": f"{nm}_t{k}", "gamma": f"{nm}_t{k}", "bg": f"{nm}_t{k}"}.get(nm.rstrip("0123456789"),
                                                                                     nm)
            if nm.startswith("Z") and not series.shared_barrier:
                src = f"{nm}_t{k}"
            sv[nm] = stderr.get(src)
        bgv = np.broadcast_to(np.asarray(bg, dtype=float), b.shape).copy()
        r = bgv * g - y if series.sig[k] is None else (bgv * g - y) / series.sig[k]
        chik = float(np.sum(r ** 2))
        nk = _nvarys_of(final, k)
        aic_k, bic_k = _information_criteria(chik, int(b.size), nk)
        fits.append(BTKFit(symmetry=series.symmetry, T=float(series.T[k]), values=bv, stderr=sv, correlations={},
                           chisqr=chik, redchi=chik / max(b.size - nk, 1), ndata=int(b.size), nvarys=nk,
                           aic=aic_k, bic=bic_k, success=bool(final.success), n_starts=1,
                           gaps=gaps, bias=b, data=y / bgv, sigma=series.sig[k], best_fit=g,
                           components=tuple(comps), message="one spectrum of a joint series fit",
                           background=bgv, model=series.model, determined=not probs, problems=tuple(probs),
                           bic_by_n_gaps={}, sigma_source="residuals" if scaled else "given",
                           options={"polarization": series.polarization, "fit_temperature": False,
                                    "series_resistance": False, "bias_offset": False}))
    ndata = int(sum(b.size for b, _ in series.spectra))
    chisqr = float(final.chisqr)
    return SeriesFit(temperatures=series.T.copy(), n_gaps=series.n_gaps, symmetry=series.symmetry,
                     model=series.model, free_gaps=series.free_gaps, values=values, stderr=stderr,
                     correlations=corr, fits=tuple(fits), chisqr=chisqr,
                     redchi=chisqr / max(ndata - int(final.nvarys), 1), ndata=ndata, nvarys=int(final.nvarys),
                     bic=float(final.bic), success=bool(final.success), message=str(final.message),
                     determined=not probs, problems=tuple(probs),
                     sigma_source="residuals" if scaled else "given", a=series.a, gap_temperature=gap_fit,
                     lmfit_result=final)

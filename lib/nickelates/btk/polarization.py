"""Spin polarization from point-contact Andreev reflection: what practitioners do (chapter 4).

The polarized BTK model (Mazin; Strijkers et al.; option ``polarization`` of
:func:`nickelates.btk.conductance`) has four parameters per contact -- the gap
Delta, the barrier Z, the Dynes broadening Gamma and the polarization P -- plus
the temperature T. On a real spectrum they are strongly degenerate: a smaller
Andreev excess can come from a larger P, a larger Z, a larger Gamma or a higher
T. This module collects the remedies used in the literature:

* **the gap of a known superconductor**: :data:`SUPERCONDUCTORS` (Nb, Al, Pb,
  NbSe2 with T_c, Delta(0) and sources) and :meth:`Superconductor.gap`, the
  BCS-like Delta(T), fixed in :func:`fit_contact` (``superconductor="Nb"``);
  T is held at the bath temperature unless asked otherwise;
* **the Z -> 0 extrapolation** of P over several contacts of the same pair of
  metals (:func:`extrapolate_polarization`; :func:`synthetic_contacts` makes
  contacts of known P whose apparent P decays with Z, as spin-flip scattering
  at the interface does);
* **uncertainties beyond the covariance matrix**: the profile likelihood of one
  parameter (:func:`profile_likelihood`, every other parameter refitted at each
  fixed value) and Markov-chain Monte Carlo with ``emcee``
  (:func:`sample_posterior`).

Units: bias in mV, Delta and Gamma in meV, T in K; Z and P dimensionless.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .. import _validate as check
from ..errors import ConvergenceError
from .fitting import fit
from .model import T_MAX, conductance
from .temperature import gap_bcs

__all__ = ["Superconductor", "SUPERCONDUCTORS", "superconductor", "fit_contact", "Profile",
           "profile_likelihood", "ZExtrapolation", "extrapolate_polarization", "synthetic_contacts",
           "PosteriorSample", "sample_posterior", "POLARIZED_PARAMETERS"]

#: parameters of the one-gap polarized model, in this order (``Rs`` = R_s / R_N is optional)
POLARIZED_PARAMETERS = ("delta1", "Z1", "gamma1", "P", "Rs")


# ------------------------------------------------------------------ known superconductors
@dataclass(frozen=True)
class Superconductor:
    """A superconductor of known T_c and zero-temperature gap, for a fixed-gap fit.

    Attributes
    ----------
    name : str
        Material.
    Tc_K : float
        Critical temperature in K.
    delta0_meV : float
        Zero-temperature gap Delta(0) in meV.
    source : str
        Where the numbers come from.

    Examples
    --------
    >>> nb = SUPERCONDUCTORS["Nb"]
    >>> round(nb.gap(4.2), 3), nb.gap(10.0)          # meV
    (1.44, 0.0)
    """

    name: str
    Tc_K: float
    delta0_meV: float
    source: str

    @property
    def ratio(self) -> float:
        """2 Delta(0) / k_B T_c (dimensionless; 3.53 in weak-coupling BCS)."""
        from .model import K_B_MEV_PER_K
        return 2.0 * self.delta0_meV / (K_B_MEV_PER_K * self.Tc_K)

    def gap(self, T) -> float:
        """BCS-like gap Delta(T) = Delta(0) tanh(1.74 sqrt(T_c/T - 1)) in meV (0 at and above T_c).

        Parameters
        ----------
        T : float
            Temperature in K, in [0, 1e5].

        Returns
        -------
        float
            Delta(T) in meV.

        Raises
        ------
        TypeError
            If ``T`` is not a real number.
        ValueError
            If ``T`` is negative or not finite.
        """
        T = check.nonnegative("T", T, T_MAX)
        return float(gap_bcs([T], self.delta0_meV, self.Tc_K)[0])


#: known superconductors: name -> :class:`Superconductor` (T_c in K, Delta(0) in meV, with sources)
SUPERCONDUCTORS = {
    "Nb": Superconductor("Nb", 9.25, 1.50,
                         "T_c 9.25 K (elemental Nb); Delta(0) ~ 1.5 meV from tunnelling and "
                         "point contacts (Nb foil calibration of Guo et al.: 1.5 meV); far-infrared "
                         "2 Delta = 2.8 k_B T_c (Richards & Tinkham, Phys. Rev. 119, 575 (1960)) is lower"),
    "Al": Superconductor("Al", 1.18, 0.18,
                         "T_c 1.18 K, Delta(0) = 0.18 meV (weak-coupling BCS, 2 Delta / k_B T_c = 3.5)"),
    "Pb": Superconductor("Pb", 7.20, 1.35,
                         "T_c 7.20 K, Delta(0) = 1.35 meV (strong coupling, 2 Delta / k_B T_c = 4.3); "
                         "far-infrared 2 Delta = 4.1 k_B T_c (Richards & Tinkham 1960)"),
    "NbSe2": Superconductor("NbSe2", 7.2, 1.1,
                            "2H-NbSe2: T_c 7.2 K; a multigap superconductor with gaps ~0.7-1.4 meV "
                            "(STM); 1.1 meV is a representative single-gap value, not a precise one"),
}


def superconductor(name):
    """The :class:`Superconductor` of :data:`SUPERCONDUCTORS` named ``name``.

    Parameters
    ----------
    name : str
        "Nb", "Al", "Pb" or "NbSe2".

    Returns
    -------
    Superconductor

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If the material is not in the table.

    Examples
    --------
    >>> superconductor("Pb").Tc_K
    7.2
    """
    return SUPERCONDUCTORS[check.choice("name", name, tuple(SUPERCONDUCTORS))]


# ------------------------------------------------------------------ constrained fits
def _fixed_gap(T, superconductor_name, delta):
    if superconductor_name is not None and delta is not None:
        raise ValueError("give either superconductor or delta, not both")
    if superconductor_name is not None:
        d = SUPERCONDUCTORS[check.choice("superconductor", superconductor_name, tuple(SUPERCONDUCTORS))].gap(T)
        if d <= 0:
            raise ValueError(f"T = {T} K is above T_c of {superconductor_name}: no gap to fix")
        return d
    if delta is not None:
        return check.positive("delta", delta, 1e3)
    return None


def fit_contact(bias_mV, G, *, T, superconductor=None, delta=None, gamma=None, fit_temperature=False,
                series_resistance=False, sigma=None, starts=6, seed=0, angle_resolved=False, initial=None):
    """One-gap polarized BTK fit of a normalized point-contact spectrum, with the practitioners' constraints.

    Parameters
    ----------
    bias_mV : array_like of float
        Bias in mV (1-D, at least 20 points).
    G : array_like of float
        Normalized conductance (dimensionless).
    T : float
        Bath temperature in K (held fixed unless ``fit_temperature``), in (0, 1e5].
    superconductor : str, optional
        Fix Delta to the BCS-like Delta(T) of this material (:data:`SUPERCONDUCTORS`).
    delta : float, optional
        Fix Delta to this value in meV instead (not with ``superconductor``).
    gamma : float, optional
        Fix the Dynes broadening Gamma in meV (e.g. a small value to test the Gamma-P trade-off).
    fit_temperature : bool, optional
        Fit an effective temperature (K) as well (the heating / Gamma-T degeneracy).
    series_resistance : bool, optional
        Fit a series (spreading) resistance ``Rs`` = R_s / R_N in [0, 5]: it stretches the bias
        axis, so that a free gap comes out too large (see :func:`nickelates.btk.conductance`).
    sigma : float or array_like of float, optional
        Noise of ``G`` (dimensionless); without it uncertainties are scaled by the residuals.
    starts : int, optional
        Starts of the multi-start search (1..200).
    seed : int, optional
        Seed of the random starts (>= 0).
    angle_resolved : bool, optional
        False (default): the one-dimensional (normal-incidence) model of Strijkers et al. and
        Soulen et al., with which the literature values of P were obtained; True: the
        angle-resolved (Tanaka-Kashiwaya) average of the rest of the chapter.
    initial : dict, optional
        Starting values by parameter name (see :func:`nickelates.btk.parameter_names`).

    Returns
    -------
    BTKFit
        The fit (parameters ``delta1``, ``Z1``, ``gamma1``, ``P`` and ``T`` when fitted; a
        fixed parameter is reported with its fixed value and no uncertainty).

    Raises
    ------
    TypeError
        For arguments of the wrong type.
    ValueError
        For an unknown superconductor, T above its T_c, both ``superconductor`` and
        ``delta``, or the errors of :func:`nickelates.btk.fit`.

    Examples
    --------
    >>> b = np.linspace(-6, 6, 121)
    >>> y = conductance(b, SUPERCONDUCTORS["Nb"].gap(4.2), 0.1, 0.2, 4.2, polarization=0.4,
    ...                 angle_resolved=False)
    >>> r = fit_contact(b, y, T=4.2, superconductor="Nb", starts=2)
    >>> round(r.values["P"], 3), round(r.values["Z1"], 3)
    (0.4, 0.1)
    """
    T = check.positive("T", T, T_MAX)
    d = _fixed_gap(T, superconductor, delta)
    fixed = {}
    if d is not None:
        fixed["delta1"] = d
    if gamma is not None:
        fixed["gamma1"] = check.nonnegative("gamma", gamma, 1e3)
    return fit(bias_mV, G, n_gaps=1, T=T, sigma=sigma, starts=starts, seed=seed, fixed=fixed,
               polarization=True, fit_temperature=check.boolean("fit_temperature", fit_temperature),
               series_resistance=check.boolean("series_resistance", series_resistance),
               angle_resolved=check.boolean("angle_resolved", angle_resolved), initial=initial,
               bounds={"Z1": (0.0, 5.0)})


# ------------------------------------------------------------------ profile likelihood
@dataclass(frozen=True)
class Profile:
    """Profile likelihood of one parameter (result of :func:`profile_likelihood`).

    Attributes
    ----------
    parameter : str
        The profiled parameter.
    values : numpy.ndarray
        Its fixed values (unit of the parameter).
    delta_chi2 : numpy.ndarray
        chi^2(value) - chi^2(best) in units of sigma^2 (the other parameters refitted).
    best : float
        The unconstrained best-fit value.
    interval68 : tuple of float
        Where delta_chi2 <= 1 (lower, upper); a side that reaches the end of the scanned range or the
        parameter's bound is reported at that end and listed in ``open_sides``.
    interval95 : tuple of float
        Where delta_chi2 <= 4.
    open_sides : tuple of str
        "lower68", "upper68", "lower95", "upper95" for the sides not closed inside the scan.
    sigma : float
        Noise of G used (given, or estimated from the residuals of the best fit).
    sigma_source : str
        "given" or "residuals".
    others : dict
        Name -> numpy.ndarray: the refitted other parameters along the profile (their trade-off).

    Examples
    --------
    >>> p = Profile("P", np.array([0.3, 0.4, 0.5]), np.array([4.0, 0.0, 4.0]), 0.4,
    ...             (0.35, 0.45), (0.3, 0.5), (), 0.01, "given", {})
    >>> p.interval68
    (0.35, 0.45)
    """

    parameter: str
    values: np.ndarray
    delta_chi2: np.ndarray
    best: float
    interval68: tuple
    interval95: tuple
    open_sides: tuple
    sigma: float
    sigma_source: str
    others: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready dictionary (lists of floats).

        Returns
        -------
        dict
            All attributes, arrays as lists.
        """
        return {"parameter": self.parameter, "values": [float(v) for v in self.values],
                "delta_chi2": [float(v) for v in self.delta_chi2], "best": self.best,
                "interval68": list(self.interval68), "interval95": list(self.interval95),
                "open_sides": list(self.open_sides), "sigma": self.sigma, "sigma_source": self.sigma_source,
                "others": {k: [float(x) for x in v] for k, v in self.others.items()}}


def _crossing(x, y, level, best):
    """Lower and upper x where y crosses ``level`` around the minimum (linear interpolation)."""
    i0 = int(np.argmin(y))
    lo = hi = None
    for i in range(i0, 0, -1):
        if y[i - 1] > level >= y[i]:
            lo = x[i - 1] + (level - y[i - 1]) * (x[i] - x[i - 1]) / (y[i] - y[i - 1])
            break
    for i in range(i0, len(x) - 1):
        if y[i + 1] > level >= y[i]:
            hi = x[i] + (level - y[i]) * (x[i + 1] - x[i]) / (y[i + 1] - y[i])
            break
    return lo, hi


def profile_likelihood(bias_mV, G, parameter, values, *, T, superconductor=None, delta=None,
                       fit_temperature=False, series_resistance=False, sigma=None, starts=2, seed=0,
                       angle_resolved=False):
    """Profile likelihood of one parameter of the polarized one-gap model.

    At each value of ``parameter`` the other free parameters are refitted
    (:func:`fit_contact`, warm-started from the neighbouring points); the grid
    ``values`` is augmented with the best-fit value and with points at +-0.5 ... 3
    covariance errors around it (inside the scanned range), so that a narrow
    valley is resolved. Delta chi^2 =
    [chi^2(value) - chi^2(best)] / sigma^2. The 68 % (95 %) interval is where
    Delta chi^2 <= 1 (4) (Wilks); unlike the covariance matrix it follows a
    curved or one-sided valley and stops at a parameter's bound.

    Parameters
    ----------
    bias_mV, G : array_like of float
        Bias (mV) and normalized conductance, as in :func:`fit_contact`.
    parameter : str
        "delta1" (meV), "Z1", "gamma1" (meV) or "P".
    values : array_like of float
        Values to fix ``parameter`` at (at least 3, increasing, in the parameter's unit).
    T : float
        Temperature in K, in (0, 1e5].
    superconductor, delta : optional
        Fixed gap, as in :func:`fit_contact` (not with ``parameter="delta1"``).
    fit_temperature : bool, optional
        Refit an effective temperature at each point as well.
    series_resistance : bool, optional
        Refit the series resistance R_s / R_N at each point as well.
    sigma : float, optional
        Noise of G (> 0). If None it is estimated as sqrt(chi^2_best / (N - k)) from the
        unconstrained best fit (``sigma_source="residuals"``): then the interval assumes the
        model describes the data, i.e. it is a lower bound on the true uncertainty.
    starts : int, optional
        Starts of each constrained fit (1..200).
    seed : int, optional
        Seed of the random starts (>= 0).
    angle_resolved : bool, optional
        As in :func:`fit_contact`.

    Returns
    -------
    Profile

    Raises
    ------
    TypeError
        For arguments of the wrong type.
    ValueError
        For an unknown parameter, fewer than 3 or non-increasing values, a fixed gap
        profiled, or a non-positive sigma.

    Examples
    --------
    >>> b = np.linspace(-6, 6, 121)
    >>> y = conductance(b, 1.44, 0.1, 0.2, 4.2, polarization=0.4, angle_resolved=False)
    >>> y = y + np.random.default_rng(0).normal(0, 0.003, b.size)
    >>> pr = profile_likelihood(b, y, "P", np.linspace(0.3, 0.5, 11), T=4.2, superconductor="Nb",
    ...                         sigma=0.003)
    >>> pr.interval68[0] < 0.4 < pr.interval68[1]
    True
    """
    parameter = check.choice("parameter", parameter, POLARIZED_PARAMETERS[:4])
    vals = check.real_array("values", values, ndim=1, min_size=3)
    if not np.all(np.isfinite(vals)) or np.any(np.diff(vals) <= 0):
        raise ValueError("values must be finite and strictly increasing")
    if parameter == "delta1" and (superconductor is not None or delta is not None):
        raise ValueError("the gap cannot be profiled when it is fixed (superconductor or delta)")
    if sigma is not None:
        sigma = check.positive("sigma", sigma)
    kw = dict(T=T, superconductor=superconductor, delta=delta, fit_temperature=fit_temperature,
              series_resistance=series_resistance, sigma=sigma, seed=seed, angle_resolved=angle_resolved)
    best = fit_contact(bias_mV, G, starts=max(starts, 4), **kw)
    n_free = best.nvarys
    b0, e0 = best.values[parameter], best.stderr.get(parameter)
    extra = [b0] + ([b0 + k * e0 for k in (-3, -2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2, 3)] if e0 else [])
    extra = [x for x in extra if vals[0] <= x <= vals[-1]]
    vals = np.unique(np.concatenate([vals, extra]))       # resolve the valley around the best fit
    if sigma is None:
        s_hat = math.sqrt(best.chisqr / max(best.ndata - n_free, 1))
        source, scale = "residuals", s_hat ** 2
    else:
        s_hat, source, scale = sigma, "given", 1.0
    chi2 = np.full(vals.size, np.inf)
    others = {k: np.empty(vals.size) for k in best.values if k != parameter}
    sols = [None] * vals.size
    start = {k: v for k, v in best.values.items() if k != parameter}

    def attempt(i, init, n_starts):
        r = _constrained(bias_mV, G, parameter, float(vals[i]), init, n_starts, kw)
        if r.chisqr / scale < chi2[i]:
            chi2[i] = r.chisqr / scale
            sols[i] = {k: v for k, v in r.values.items() if k != parameter}
            for k in others:
                others[k][i] = r.values[k]

    # pass 1: outward from the best fit, warm-started from the nearest point done
    done = []
    for i in np.argsort(np.abs(vals - best.values[parameter])):
        j = min(done, key=lambda q: abs(q - i)) if done else None
        attempt(i, dict(sols[j]) if j is not None else dict(start), starts)
        done.append(i)
    # pass 2: sweep both ways from each neighbour's solution (repairs jumps to other minima)
    for order in (range(1, vals.size), range(vals.size - 2, -1, -1)):
        for i in order:
            j = i - 1 if order.step == 1 else i + 1
            attempt(i, dict(sols[j]), 1)
    chi_best = min(best.chisqr / scale, float(np.min(chi2)))
    dchi = chi2 - chi_best
    b = float(best.values[parameter])
    open_sides = []
    ints = []
    for level, tag in ((1.0, "68"), (4.0, "95")):
        lo, hi = _crossing(vals, dchi, level, b)
        if lo is None:
            lo = float(vals[0])
            open_sides.append("lower" + tag)
        if hi is None:
            hi = float(vals[-1])
            open_sides.append("upper" + tag)
        ints.append((float(lo), float(hi)))
    return Profile(parameter, vals, dchi, b, ints[0], ints[1], tuple(open_sides), float(s_hat), source,
                   others)


def _constrained(bias_mV, G, parameter, value, init, starts, kw):
    """:func:`fit_contact` with ``parameter`` fixed at ``value`` (warm start ``init``)."""
    kw = dict(kw)
    if parameter == "gamma1":
        return fit_contact(bias_mV, G, gamma=value, starts=starts, initial=_only(init, parameter), **kw)
    if parameter == "delta1":
        kw["delta"] = value
        return fit_contact(bias_mV, G, starts=starts, initial=_only(init, parameter), **kw)
    # Z1 or P: fix it through the bounds-free `fixed` of btk.fit
    T = kw.pop("T")
    d = _fixed_gap(T, kw.pop("superconductor"), kw.pop("delta"))
    fixed = {parameter: value}
    if d is not None:
        fixed["delta1"] = d
        init = {k: v for k, v in init.items() if k != "delta1"}
    return fit(bias_mV, G, n_gaps=1, T=T, sigma=kw["sigma"], starts=starts, seed=kw["seed"], fixed=fixed,
               polarization=True, fit_temperature=kw["fit_temperature"],
               series_resistance=kw["series_resistance"], angle_resolved=kw["angle_resolved"],
               initial=_only(init, parameter), bounds={"Z1": (0.0, 5.0)})


def _only(init, parameter):
    return {k: v for k, v in init.items() if k != parameter and not k.startswith("bg")}


# ------------------------------------------------------------------ Z -> 0 extrapolation
_FORMS = ("linear", "quadratic", "exponential")


@dataclass(frozen=True)
class ZExtrapolation:
    """P(Z) over several contacts extrapolated to Z = 0 (result of :func:`extrapolate_polarization`).

    Attributes
    ----------
    form : str
        "linear" (P0 + a Z), "quadratic" (P0 + a Z + b Z^2) or "exponential" (P0 exp(-a Z^2)).
    P0 : float
        The intrinsic polarization, P at Z = 0 (dimensionless).
    P0_err : float
        Its standard error (from the weighted least-squares covariance; scaled by the residuals when
        no errors were given).
    coefficients : dict
        All fitted coefficients (P0, a, b).
    redchi : float
        Reduced chi^2 of the P(Z) fit.

    Examples
    --------
    >>> r = extrapolate_polarization([0.1, 0.3, 0.5], [0.40, 0.36, 0.30], form="linear")
    >>> round(r.P0, 3)
    0.428
    """

    form: str
    P0: float
    P0_err: float
    coefficients: dict
    redchi: float

    def __call__(self, Z):
        """P(Z) of the fitted form (dimensionless).

        Parameters
        ----------
        Z : array_like of float
            Barrier strengths (dimensionless).

        Returns
        -------
        numpy.ndarray
            P at ``Z``.
        """
        z = check.real_array("Z", Z)
        c = self.coefficients
        if self.form == "exponential":
            return c["P0"] * np.exp(-c["a"] * z ** 2)
        return c["P0"] + c["a"] * z + c.get("b", 0.0) * z ** 2


def extrapolate_polarization(Z, P, P_err=None, *, form="quadratic"):
    """Extrapolate the fitted P of several contacts to Z = 0 (the intrinsic polarization).

    Spin-flip scattering in the barrier region lowers the apparent P of a
    contact as Z grows; practitioners fit P(Z) over many contacts of the same
    two metals and quote P(Z = 0). ``form`` chooses the empirical curve: a
    polynomial in Z, or the exponential decay P0 exp(-a Z^2) of a simple
    spin-flip model (Kant et al., Phys. Rev. B 66, 212403 (2002)).

    Parameters
    ----------
    Z : array_like of float
        Fitted barrier strengths (dimensionless, >= 0), one per contact.
    P : array_like of float
        Fitted polarizations (dimensionless, in [0, 1]).
    P_err : array_like of float, optional
        Their standard errors (> 0); without them the contacts are weighted equally and the
        error of P0 is scaled by the residuals.
    form : {"linear", "quadratic", "exponential"}, optional
        The P(Z) curve.

    Returns
    -------
    ZExtrapolation

    Raises
    ------
    TypeError
        For arrays of the wrong type.
    ValueError
        For mismatched lengths, negative Z, P outside [0, 1], non-positive errors, an unknown
        form or fewer contacts than coefficients + 1.
    ConvergenceError
        If the exponential fit does not converge.

    Examples
    --------
    >>> Z = np.array([0.05, 0.2, 0.35, 0.5, 0.7])
    >>> r = extrapolate_polarization(Z, 0.45 * np.exp(-0.8 * Z**2), form="exponential")
    >>> round(r.P0, 4), round(r.coefficients["a"], 4)
    (0.45, 0.8)
    """
    z = check.real_array("Z", Z, ndim=1)
    p = check.real_array("P", P, ndim=1)
    check.same_length(Z=z, P=p)
    form = check.choice("form", form, _FORMS)
    if not (np.all(np.isfinite(z)) and np.all(np.isfinite(p))):
        raise ValueError("Z and P must be finite")
    if np.any(z < 0):
        raise ValueError("Z must be >= 0")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("P must lie in [0, 1]")
    n_coef = {"linear": 2, "quadratic": 3, "exponential": 2}[form]
    if z.size < n_coef + 1:
        raise ValueError(f"the {form} extrapolation needs at least {n_coef + 1} contacts, got {z.size}")
    if P_err is None:
        err, absolute = np.ones_like(p), False
    else:
        err = check.real_array("P_err", P_err, ndim=1)
        check.same_length(Z=z, P_err=err)
        if not np.all(np.isfinite(err)) or np.any(err <= 0):
            raise ValueError("P_err must be finite and > 0")
        absolute = True
    from scipy.optimize import curve_fit

    if form == "exponential":
        def f(x, p0, a):
            return p0 * np.exp(-a * x ** 2)
        p0 = [float(np.max(p)), 0.5]
        names = ("P0", "a")
    else:
        deg = 1 if form == "linear" else 2

        def f(x, *c):
            return sum(ci * x ** k for k, ci in enumerate(c))
        p0 = [float(np.mean(p))] + [0.0] * deg
        names = ("P0", "a", "b")[:deg + 1]
    try:
        popt, pcov = curve_fit(f, z, p, p0=p0, sigma=err, absolute_sigma=absolute, maxfev=10000)
    except RuntimeError as exc:
        raise ConvergenceError(f"P(Z) {form} fit did not converge: {exc}", iterations=10000,
                               residual=float("nan"), last=p0) from None
    res = (f(z, *popt) - p) / err
    dof = max(z.size - len(popt), 1)
    perr = np.sqrt(np.clip(np.diag(pcov), 0, None))
    if not np.all(np.isfinite(perr)):
        raise ConvergenceError(f"P(Z) {form} fit: covariance not estimated", iterations=0,
                               residual=float(np.sum(res ** 2)), last=list(popt))
    return ZExtrapolation(form, float(popt[0]), float(perr[0]), dict(zip(names, map(float, popt))),
                          float(np.sum(res ** 2) / dof))


def synthetic_contacts(P0, Z, *, delta=1.44, gamma=0.1, T=4.2, spin_flip=0.8, noise=0.004, bias_mV=None,
                       seed=0):
    """Synthetic point contacts of known intrinsic polarization whose apparent P decays with Z.

    Contact k has barrier Z_k and apparent polarization P0 exp(-spin_flip Z_k^2)
    (spin-flip scattering in the barrier, Kant et al. 2002); its spectrum is the
    one-dimensional polarized BTK conductance plus Gaussian noise.

    Parameters
    ----------
    P0 : float
        Intrinsic polarization in [0, 1].
    Z : array_like of float
        Barrier strengths of the contacts (dimensionless, in [0, 5]).
    delta : float, optional
        Gap in meV (default: Nb at 4.2 K, 1.44 meV).
    gamma : float, optional
        Dynes broadening in meV (>= 0).
    T : float, optional
        Temperature in K (> 0).
    spin_flip : float, optional
        Decay constant a of P(Z) = P0 exp(-a Z^2) (>= 0).
    noise : float, optional
        Standard deviation of the Gaussian noise of G (>= 0).
    bias_mV : array_like of float, optional
        Bias in mV (default 201 points over +-6 mV).
    seed : int, optional
        Seed of the noise (>= 0).

    Returns
    -------
    list of dict
        One per contact: ``Z``, ``P`` (the apparent polarization), ``bias_mV``, ``G``.

    Raises
    ------
    TypeError
        For arguments of the wrong type.
    ValueError
        For values out of range.

    Examples
    --------
    >>> cs = synthetic_contacts(0.45, [0.0, 0.5], noise=0.0)
    >>> [round(c["P"], 4) for c in cs]
    [0.45, 0.3685]
    """
    P0 = check.in_range("P0", P0, 0.0, 1.0)
    z = check.real_array("Z", Z, ndim=1)
    if not np.all(np.isfinite(z)) or np.any((z < 0) | (z > 5)):
        raise ValueError("Z must lie in [0, 5]")
    a = check.nonnegative("spin_flip", spin_flip, 100.0)
    noise = check.nonnegative("noise", noise, 1.0)
    seed = check.integer("seed", seed, 0)
    b = np.linspace(-6, 6, 201) if bias_mV is None else check.real_array("bias_mV", bias_mV, ndim=1)
    rng = np.random.default_rng(seed)
    out = []
    for zk in z:
        pk = P0 * math.exp(-a * zk ** 2)
        g = conductance(b, delta, float(zk), gamma, T, polarization=pk, angle_resolved=False)
        out.append({"Z": float(zk), "P": float(pk), "bias_mV": b.copy(), "G": g + rng.normal(0, noise, b.size)})
    return out


# ------------------------------------------------------------------ MCMC with emcee
@dataclass(frozen=True)
class PosteriorSample:
    """Posterior of the polarized model sampled by ``emcee`` (result of :func:`sample_posterior`).

    Attributes
    ----------
    names : tuple of str
        Sampled parameters.
    median : dict
        Name -> posterior median (unit of the parameter).
    q16 : dict
        Name -> 16 % quantile.
    q84 : dict
        Name -> 84 % quantile.
    acceptance : float
        Mean acceptance fraction of the walkers (0.2-0.5 is healthy).
    tau : dict
        Name -> integrated autocorrelation time in steps (emcee's estimate; unreliable when the
        chain is shorter than ~50 tau, see ``tau_reliable``).
    tau_reliable : bool
        True when the chain after burn-in is longer than 50 tau for every parameter.
    rhat : dict
        Name -> split Gelman-Rubin R-hat over the walkers (first vs second half of each walker
        as separate chains; walkers of an ensemble are not independent, so this is a heuristic;
        values close to 1, e.g. < 1.05, are required, not sufficient).
    samples : numpy.ndarray
        Flattened, thinned samples after burn-in, shape (n, len(names)).
    settings : dict
        nwalkers, nsteps, burn, thin, seed, sigma, T_K, fixed, bounds.

    Examples
    --------
    >>> ps = PosteriorSample(("P",), {"P": 0.4}, {"P": 0.38}, {"P": 0.42}, 0.4, {"P": 20.0}, True,
    ...                      {"P": 1.0}, np.zeros((1, 1)), {})
    >>> ps.interval("P")
    (0.38, 0.42)
    """

    names: tuple
    median: dict
    q16: dict
    q84: dict
    acceptance: float
    tau: dict
    tau_reliable: bool
    rhat: dict
    samples: np.ndarray
    settings: dict

    def interval(self, name):
        """The central 68 % credible interval (16 %, 84 % quantiles) of ``name``.

        Parameters
        ----------
        name : str
            A sampled parameter.

        Returns
        -------
        tuple of float
        """
        return (self.q16[name], self.q84[name])

    def summary(self) -> dict:
        """JSON-ready summary (no samples).

        Returns
        -------
        dict
            names, median, q16, q84, acceptance, tau, tau_reliable, rhat, n_samples, settings.
        """
        return {"names": list(self.names), "median": self.median, "q16": self.q16, "q84": self.q84,
                "acceptance": self.acceptance, "tau": self.tau, "tau_reliable": self.tau_reliable,
                "rhat": self.rhat, "n_samples": int(self.samples.shape[0]), "settings": self.settings}


def _model(bias, p, T, angle_resolved, n_grid=301):
    """Polarized one-gap G at ``bias``; with p["Rs"] > 0 the series resistance on a fixed junction grid.

    Same relation as :func:`nickelates.btk.conductance` (V = V_j + I R_s, G = (1 + r) g / (1 + r g)),
    on ``n_grid`` junction voltages with linear interpolation: several times faster for sampling
    (agreement with the library to ~5e-4 is tested).
    """
    r = p.get("Rs", 0.0)
    args = (p["delta1"], p["Z1"], p["gamma1"], T)
    if r <= 0.0:
        return conductance(bias, *args, polarization=p["P"], angle_resolved=angle_resolved)
    vmax = float(np.max(np.abs(bias)))
    vj = np.linspace(-vmax, vmax, n_grid)
    g = conductance(vj, *args, polarization=p["P"], angle_resolved=angle_resolved)
    cur = np.concatenate([[0.0], np.cumsum(0.5 * (g[1:] + g[:-1]) * np.diff(vj))])
    cur -= cur[n_grid // 2]
    vt = vj + r * cur
    gj = np.interp(bias, vt, g)
    return (1.0 + r) * gj / (1.0 + r * gj)


def _split_rhat(chain):
    """Split R-hat of one parameter; chain shape (nsteps, nwalkers)."""
    n = chain.shape[0] // 2
    ch = np.concatenate([chain[:n], chain[n:2 * n]], axis=1)        # (n, 2 nwalkers)
    w = np.mean(np.var(ch, axis=0, ddof=1))
    b = n * np.var(np.mean(ch, axis=0), ddof=1)
    var = (n - 1) / n * w + b / n
    return float(np.sqrt(var / w)) if w > 0 else float("nan")


def sample_posterior(bias_mV, G, *, T, sigma, start, fixed=None, bounds=None, nwalkers=32, nsteps=2000,
                     burn=500, thin=10, seed=0, angle_resolved=False, moves="de"):
    """Sample the posterior of the one-gap polarized BTK model with ``emcee`` (affine-invariant ensemble).

    Likelihood: Gaussian, independent points of standard deviation ``sigma``;
    priors: uniform inside ``bounds``. The walkers start in a small ball
    (relative 1e-3) around ``start`` (a best fit). Returns quantiles, the
    acceptance fraction, emcee's integrated autocorrelation times and a
    split R-hat over the walkers.

    Parameters
    ----------
    bias_mV, G : array_like of float
        Bias (mV) and normalized conductance (dimensionless), 1-D, same length.
    T : float
        Temperature in K, in (0, 1e5] (fixed).
    sigma : float
        Noise of G, in [1e-12, 1e3] (e.g. the rms residual of the best fit).
    start : dict
        Starting values of ``delta1`` (meV), ``Z1``, ``gamma1`` (meV), ``P`` and, to sample a
        series resistance, ``Rs`` (R_s / R_N; 0 when absent).
    fixed : dict, optional
        Parameters held fixed (e.g. ``{"delta1": 1.44}``), not sampled.
    bounds : dict, optional
        Name -> (min, max) of the uniform priors. Defaults: delta1 (0.01, 1.2 max|V|), Z1 (0, 5),
        gamma1 (g_min, 0.5 max|V|) with g_min = max(0.01 meV, a quarter of the median bias step)
        as in :func:`nickelates.btk.fit`, P (0, 1), Rs (0, 5).
    nwalkers : int, optional
        Walkers (>= 2 x sampled parameters, <= 1000).
    nsteps : int, optional
        Steps per walker (> burn, <= 1e6).
    burn : int, optional
        Steps discarded at the start (>= 0).
    thin : int, optional
        Keep every ``thin``-th step (>= 1).
    seed : int, optional
        Seed of the walkers' start and of the sampler (>= 0).
    angle_resolved : bool, optional
        As in :func:`fit_contact` (default: the one-dimensional model).
    moves : {"de", "stretch"}, optional
        emcee proposal: "de" (default) mixes differential-evolution (80 %) and DE-snooker (20 %)
        moves, which follow the long, correlated valleys of this model with shorter
        autocorrelation times; "stretch" is emcee's default affine-invariant move.

    Returns
    -------
    PosteriorSample

    Raises
    ------
    TypeError
        For arguments of the wrong type.
    ValueError
        For a start outside the bounds, unknown parameter names, too few walkers or steps, a G that
        is not normalized (max|G| > 1e3) or sigma outside [1e-12, 1e3].

    Examples
    --------
    >>> b = np.linspace(-6, 6, 61)
    >>> y = conductance(b, 1.44, 0.1, 0.2, 4.2, polarization=0.4, angle_resolved=False)
    >>> y = y + np.random.default_rng(1).normal(0, 0.005, b.size)
    >>> ps = sample_posterior(b, y, T=4.2, sigma=0.005, fixed={"delta1": 1.44},
    ...                       start={"Z1": 0.1, "gamma1": 0.2, "P": 0.4}, nwalkers=8, nsteps=300, burn=100)
    >>> ps.q16["P"] < 0.4 < ps.q84["P"] or abs(ps.median["P"] - 0.4) < 0.03
    True
    """
    import emcee

    b = check.real_array("bias_mV", bias_mV, ndim=1, min_size=5)
    y = check.real_array("G", G, ndim=1)
    check.same_length(bias_mV=b, G=y)
    T = check.positive("T", T, T_MAX)
    from .fitting import _G_NORMALIZED_MAX, _SIGMA_RELATIVE
    if float(np.max(np.abs(y))) > _G_NORMALIZED_MAX:        # chi^2 of a non-normalized G overflows
        raise ValueError(f"G is the normalized conductance (order 1), got max|G| = {np.max(np.abs(y)):.3g} "
                         f"(> {_G_NORMALIZED_MAX:g}): normalize it (btk.normalize)")
    sigma = check.in_range("sigma", sigma, *_SIGMA_RELATIVE)
    fixed = {} if fixed is None else dict(check.instance("fixed", fixed, dict))
    for k in list(start) + list(fixed):
        if k not in POLARIZED_PARAMETERS:
            raise ValueError(f"unknown parameter {k!r}; allowed: {POLARIZED_PARAMETERS}")
    names = tuple(k for k in POLARIZED_PARAMETERS if k not in fixed and (k != "Rs" or k in start))
    missing = [k for k in names if k not in start]
    if missing:
        raise ValueError(f"start lacks {missing}")
    vmax = float(np.max(np.abs(b)))
    steps = np.diff(np.sort(b))
    gmin = max(0.01, 0.25 * float(np.median(steps[steps > 0]))) if np.any(steps > 0) else 0.01
    lim = {"delta1": (0.01, 1.2 * vmax), "Z1": (0.0, 5.0), "gamma1": (gmin, 0.5 * vmax), "P": (0.0, 1.0),
           "Rs": (0.0, 5.0)}
    if bounds is not None:
        check.instance("bounds", bounds, dict)
        for k, (lo, hi) in bounds.items():
            if k not in POLARIZED_PARAMETERS or not lo < hi:
                raise ValueError(f"bounds[{k!r}] must be a known parameter with min < max")
            lim[k] = (check.finite(f"bounds[{k!r}][0]", lo), check.finite(f"bounds[{k!r}][1]", hi))
    ndim = len(names)
    nwalkers = check.integer("nwalkers", nwalkers, max(2 * ndim, 2), 1000)
    nsteps = check.integer("nsteps", nsteps, 10, 10 ** 6)
    burn = check.integer("burn", burn, 0, nsteps - 10)
    thin = check.integer("thin", thin, 1, nsteps)
    seed = check.integer("seed", seed, 0)
    x0 = np.array([check.finite(f"start[{k!r}]", start[k]) for k in names])
    lo = np.array([lim[k][0] for k in names])
    hi = np.array([lim[k][1] for k in names])
    if np.any(x0 < lo) or np.any(x0 > hi):
        raise ValueError(f"start {dict(zip(names, x0))} lies outside the prior bounds {lim}")
    ar = check.boolean("angle_resolved", angle_resolved)
    fixed = {k: check.finite(f"fixed[{k!r}]", v) for k, v in fixed.items()}

    def log_prob(x):
        if np.any(x < lo) or np.any(x > hi):
            return -np.inf
        p = dict(fixed)
        p.update(zip(names, x))
        if p["delta1"] <= 0:
            return -np.inf
        g = _model(b, p, T, ar)
        return -0.5 * float(np.sum(((g - y) / sigma) ** 2))

    rng = np.random.default_rng(seed)
    span = hi - lo
    p0 = x0 + 1e-3 * np.maximum(np.abs(x0), 1e-2 * span) * rng.standard_normal((nwalkers, ndim))
    p0 = np.clip(p0, lo + 1e-9 * span, hi - 1e-9 * span)
    moves = check.choice("moves", moves, ("de", "stretch"))
    mv = ([(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)] if moves == "de"
          else emcee.moves.StretchMove())
    sampler = emcee.EnsembleSampler(nwalkers, ndim, log_prob, moves=mv)
    sampler.random_state = np.random.RandomState(seed).get_state()
    sampler.run_mcmc(p0, nsteps, progress=False)
    chain = sampler.get_chain()[burn:]                       # (steps, walkers, ndim)
    flat = chain[::thin].reshape(-1, ndim)
    tau = np.asarray(sampler.get_autocorr_time(discard=burn, quiet=True, tol=0), dtype=float)
    q = np.percentile(flat, [16, 50, 84], axis=0)
    settings = {"nwalkers": nwalkers, "nsteps": nsteps, "burn": burn, "thin": thin, "seed": seed,
                "sigma": sigma, "T_K": T, "fixed": fixed, "bounds": {k: list(lim[k]) for k in names},
                "angle_resolved": ar, "moves": moves, "likelihood": "Gaussian, independent points",
                "prior": "uniform in bounds"}
    return PosteriorSample(
        names=names, median=dict(zip(names, map(float, q[1]))), q16=dict(zip(names, map(float, q[0]))),
        q84=dict(zip(names, map(float, q[2]))), acceptance=float(np.mean(sampler.acceptance_fraction)),
        tau=dict(zip(names, map(float, tau))),
        tau_reliable=bool(np.all(chain.shape[0] > 50 * tau)),
        rhat={k: _split_rhat(chain[:, :, i]) for i, k in enumerate(names)}, samples=flat, settings=settings)

"""Luttinger-liquid analysis of open-chain DMRG data, and the ladder's Luther-Emery measurements (chapter 7).

Issue 24 item 3 asks for correlation exponents, the Luttinger parameter and the central
charge of the MixD+V ladder *with errors*: every estimate here is repeated over a set of
fit windows (or estimators) and the spread is reported next to the value.  The forms are
those of conformal field theory on an open chain of length L:

* the **conformal distance** d(x|L) = (2L/pi) sin(pi x / L) (the chord of the strip's
  conformal map; d -> 2x near an end, so power laws in x and in d agree at short distance);
* **correlations** C(r) = A d(r|L)^(-alpha), optionally times an oscillation cos(q0 r + phi)
  (:func:`fit_power_law`);
* the **Calabrese-Cardy** entanglement entropy of the first l sites of an open chain,
  S(l) = (c/6) ln d(l|L) + s0 (:func:`central_charge`; Calabrese & Cardy, J. Stat. Mech.
  (2004) P06002, Eq. for the finite system with one boundary);
* the **Friedel oscillation** of the density near an open end, delta n(x) ~ cos(q0 x + phi)
  d(x|L+1)^(-K/2 * flavours ...) -- in the normalisation of :func:`luttinger_parameter`:
  exponent ``friedel_factor * K`` (White, Affleck & Scalapino, Phys. Rev. B 65, 165122 (2002));
* the small-q **structure factor** N(q) = K flavours q / (2 pi) + O(q^2)
  (``flavours`` = 1 for spinless fermions / the XX chain, 2 for the ladder's hole density,
  whose K_rho = pi N(q) / q is the convention of :class:`nickelates.mixd_exact.LadderCorrelations`).

Gaps are extrapolated linearly in 1/L (:func:`extrapolate_gap`).  The DMRG side,
:func:`dmrg_luttinger_point`, measures on one ground state what these fits need
(the correlations of :func:`nickelates.mixd_exact.dmrg_correlations`, plus the relative
density structure factor N_-(q) of n_{j,0} - n_{j,1}, rung spin and density correlations,
and the gaps to the 2S^z = 2 and to the relative-charge sectors (h0 + 1, h1 - 1)), optionally
warm-started from the states of a smaller bond dimension.

Energies in units of V; distances in rungs (sites of the chain); wave numbers in 1/rung.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from . import _validate as check
from .errors import ConvergenceError

__all__ = [
    "conformal_distance",
    "PowerLawFit",
    "fit_power_law",
    "CentralCharge",
    "central_charge",
    "open_structure_factor",
    "LuttingerParameter",
    "luttinger_parameter",
    "GapExtrapolation",
    "extrapolate_gap",
    "LuttingerPoint",
    "dmrg_luttinger_point",
]


def conformal_distance(x, L: float) -> np.ndarray:
    """The open chain's conformal distance d(x|L) = (2L/pi) sin(pi x / L).

    Parameters
    ----------
    x : array_like
        Positions or distances (sites), in (0, L).
    L : float
        Length of the chain (sites), > 0.

    Returns
    -------
    numpy.ndarray
        d(x|L) (sites), > 0; d -> 2x for x << L.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``L`` is not positive or an ``x`` lies outside (0, L).

    Examples
    --------
    >>> conformal_distance([10.0], 20.0).round(4).tolist()   # the middle: 2L/pi
    [12.7324]
    """
    L = check.positive("L", L, hi=1e9)
    x = check.real_array("x", x)
    if np.any(x <= 0) or np.any(x >= L):
        raise ValueError(f"x must lie in (0, L={L:g}), got values in [{x.min():g}, {x.max():g}]")
    return 2.0 * L / np.pi * np.sin(np.pi * x / L)


# --------------------------------------------------------------------------- fits
def _default_windows(n, min_points=4):
    """(start, stop) index windows over n points: drop 0..n/4 from the start and 0..n/4 from the end."""
    wins = []
    k = max(n // 4, 1)
    for a in range(0, k + 1):
        for b in range(0, k + 1):
            if n - a - b >= min_points:
                wins.append((a, n - b))
    return wins or [(0, n)]


def _check_windows(windows, n, min_points):
    if windows is None:
        return _default_windows(n, min_points)
    check.not_missing("windows", windows, "a list of (start, stop) index pairs")
    out = []
    for w in windows:
        check.not_missing("windows", w, "a list of (start, stop) index pairs")
        if len(w) != 2:
            raise ValueError(f"windows must hold (start, stop) pairs, got {w!r}")
        a = check.integer("window start", w[0], 0, n)
        b = check.integer("window stop", w[1], 0, n)
        if b - a < min_points:
            raise ValueError(f"window {w!r} holds {b - a} points, at least {min_points} needed")
        out.append((a, b))
    if not out:
        raise ValueError("windows must not be empty")
    return out


def _varpro(x, y, d, alpha, q0, w, bg=None):
    """Weighted linear least squares of y on d^-alpha (cos, sin)(q0 x) [and d^-bg] with weights w; (chi^2, coef)."""
    env = d ** (-alpha)
    cols = [env * np.cos(q0 * x), env * np.sin(q0 * x)]
    if bg is not None:
        cols.append(d ** (-bg))
    A = np.stack(cols, axis=1)
    coef, *_ = np.linalg.lstsq(A * w[:, None], y * w, rcond=None)
    res = (y - A @ coef) * w
    return float(res @ res), coef


def _fit_exponent(x, y, d, q0, bg=None):
    """Exponent (and amplitude) of y = A d^-alpha [cos(q0 x + phi)] on one window."""
    from scipy.optimize import minimize_scalar

    if q0 is None:
        if np.any(y == 0) or (np.any(y > 0) and np.any(y < 0)):
            raise ValueError("a power-law fit without an oscillation needs values of one sign "
                             "(pass wavevector= for oscillating data)")
        s = np.sign(y[0])
        slope, icpt = np.polyfit(np.log(d), np.log(s * y), 1)
        return float(-slope), float(s * math.exp(icpt))
    # relative residuals: weights d^alpha with alpha fixed per pass (first pass unweighted)
    alpha, w = 0.0, np.ones_like(y)
    for _ in range(6):
        best = minimize_scalar(lambda a, w=w: _varpro(x, y, d, a, q0, w, bg)[0], bounds=(0.0, 8.0),
                               method="bounded", options=dict(xatol=1e-10))
        done = abs(float(best.x) - alpha) < 1e-8
        alpha = float(best.x)
        w = d ** alpha
        w = w / w.max()
        if done:
            break
    coef = _varpro(x, y, d, alpha, q0, w, bg)[1]
    return alpha, float(np.hypot(coef[0], coef[1]))


@dataclass(frozen=True)
class PowerLawFit:
    """Exponent of C(r) = A d(r|L)^(-alpha) [cos(q0 r + phi)], with the fit window varied.

    Attributes
    ----------
    value : float
        alpha of the widest window (dimensionless).
    error : float
        Half the spread (max - min) of alpha over the windows.
    amplitude : float
        A of the widest window (units of C).
    windows : tuple of tuple
        ((r_first, r_last, alpha), ...) per window (r in sites).

    Examples
    --------
    >>> PowerLawFit(2.0, 0.1, 1.0, ()).value
    2.0
    """

    value: float
    error: float
    amplitude: float
    windows: tuple


def fit_power_law(r, C, L: float, *, wavevector: float | None = None, background: float | None = None,
                  windows=None) -> PowerLawFit:
    """Fit C(r) = A d(r|L)^(-alpha) over several windows of r (open-chain conformal form).

    Without ``wavevector`` the fit is a straight line of ln|C| against ln d (C of one
    sign); with it, C = d^(-alpha) (a cos(q0 r) + b sin(q0 r)) [+ c d^(-background)], alpha
    by a bounded one-dimensional search with (a, b, c) solved linearly, residuals weighted
    by d^alpha (relative errors; alpha of the previous pass, until it settles).  The
    smooth term c d^(-2) is the density correlation's non-oscillating part.

    Parameters
    ----------
    r : array_like
        Distances or positions (sites), increasing, in (0, L); at least 4.
    C : array_like
        Correlations at ``r`` (any unit), finite.
    L : float
        Length in the conformal distance (sites): the chain length for a
        distance measured from an end, ~2 x the length for a bulk distance.
    wavevector : float, optional
        q0 of an oscillation (1/site), in (0, 2 pi].
    background : float, optional
        Exponent of a non-oscillating term added to the oscillating fit, in (0, 8]
        (2 for density correlations); only with ``wavevector``.
    windows : list of (int, int), optional
        Index windows (start, stop) into ``r``, each of >= 4 points; default: the
        first and last 0 ... n/4 points dropped in every combination.

    Returns
    -------
    PowerLawFit
        alpha of the widest window, half the spread over windows as the error.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If the arrays differ in length, hold fewer than 4 points, r leaves (0, L),
        C changes sign without ``wavevector``, or a window is too short.

    Examples
    --------
    >>> r = np.arange(2, 30)
    >>> f = fit_power_law(r, 0.3 * conformal_distance(r, 64) ** -1.5, 64)
    >>> round(f.value, 8), round(f.error, 8)
    (1.5, 0.0)
    """
    r = check.real_array("r", r, ndim=1, min_size=4)
    C = check.real_array("C", C, ndim=1, min_size=4)
    check.same_length(r=r, C=C)
    if np.any(np.diff(r) <= 0):
        raise ValueError("r must be strictly increasing")
    d = conformal_distance(r, L)
    if wavevector is not None:
        wavevector = check.in_range("wavevector", wavevector, 0.0, 2 * np.pi, lo_open=True)
    if background is not None:
        if wavevector is None:
            raise ValueError("background needs wavevector= (it is a term of the oscillating fit)")
        background = check.in_range("background", background, 0.0, 8.0, lo_open=True)
    wins = _check_windows(windows, r.size, 4)
    rows = []
    for a, b in wins:
        alpha, amp = _fit_exponent(r[a:b], C[a:b], d[a:b], wavevector, background)
        rows.append((float(r[a]), float(r[b - 1]), alpha, amp))
    widest = max(rows, key=lambda t: t[1] - t[0])
    al = [t[2] for t in rows]
    return PowerLawFit(value=widest[2], error=0.5 * (max(al) - min(al)), amplitude=widest[3],
                       windows=tuple(t[:3] for t in rows))


@dataclass(frozen=True)
class CentralCharge:
    """Central charge from S(l) = (c/6) ln d(l|L) + s0, the window varied.

    Attributes
    ----------
    value : float
        c of the widest window.
    error : float
        Half the spread of c over the windows.
    windows : tuple of tuple
        ((l_first, l_last, c), ...) per window.

    Examples
    --------
    >>> CentralCharge(1.0, 0.01, ()).error
    0.01
    """

    value: float
    error: float
    windows: tuple


def central_charge(entropy, L: int, *, margins=None, parity: bool = False,
                   wavevector: float | None = None, oscillation_exponent: float = 0.0,
                   average_period: int | None = None) -> CentralCharge:
    """Fit the Calabrese-Cardy form of an open chain to the entanglement entropy.

    S(l) = (c/6) ln[(2L/pi) sin(pi l / L)] + s0 (+ b (-1)^l with ``parity``; + d^(-p)
    [a cos(q0 l) + a' sin(q0 l)] with ``wavevector`` q0, the Friedel oscillation of the
    entropy, Laflorencie et al., Phys. Rev. Lett. 96, 100603 (2006)) on the cuts
    l = m ... L - m for each margin m; Calabrese & Cardy, J. Stat. Mech. (2004) P06002.

    Parameters
    ----------
    entropy : array_like
        Von Neumann entropies (nats) at the L - 1 cuts l = 1 ... L - 1.
    L : int
        Number of sites (for the ladder: rungs), in [8, 10^6].
    margins : list of int, optional
        Cuts dropped at each end, each in [1, L/2 - 2]; default L/8 ... L/4 (at least 1),
        up to 6 values.
    parity : bool, optional
        Add an alternating term b (-1)^l (the half-filled chain's oscillation).
    wavevector : float, optional
        q0 (1/site) of an oscillating term, in (0, 2 pi] (the ladder: pi N_h / L).
    oscillation_exponent : float, optional
        Its decay exponent p in d^(-p), in [0, 4].
    average_period : int, optional
        Fit running means over this many consecutive cuts (of S and of ln d alike), in
        [2, L/4]: removes an oscillation of that period (the ladder's Friedel period
        2L/N_h) before the fit; the margins then count averaged points.

    Returns
    -------
    CentralCharge
        c of the smallest margin, half the spread over margins as the error.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``entropy`` does not hold L - 1 values or a margin is out of range.

    Examples
    --------
    >>> L = 40
    >>> l = np.arange(1, L)
    >>> S = np.log(conformal_distance(l, L)) / 6 + 0.7        # c = 1
    >>> round(central_charge(S, L).value, 10)
    1.0
    """
    L = check.integer("L", L, 8, 10**6)
    S = check.real_array("entropy", entropy, ndim=1)
    if S.size != L - 1:
        raise ValueError(f"entropy must hold L - 1 = {L - 1} values, got {S.size}")
    parity = check.boolean("parity", parity)
    if wavevector is not None:
        wavevector = check.in_range("wavevector", wavevector, 0.0, 2 * np.pi, lo_open=True)
    p_osc = check.in_range("oscillation_exponent", oscillation_exponent, 0.0, 4.0)
    if margins is None:
        lo, hi = max(1, L // 8), max(1, L // 4)
        margins = sorted(set(np.linspace(lo, hi, min(6, hi - lo + 1)).round().astype(int).tolist()))
    check.not_missing("margins", margins, "a list of integers")
    margins = [check.integer("margin", m, 1, L // 2 - 2) for m in margins]
    if not margins:
        raise ValueError("margins must not be empty")
    l = np.arange(1, L)
    lnd = np.log(conformal_distance(l, L))
    if average_period is not None:
        P = check.integer("average_period", average_period, 2, max(2, L // 4))
        kern = np.ones(P) / P
        S, lnd = np.convolve(S, kern, "valid"), np.convolve(lnd, kern, "valid")
        l = np.arange(1, S.size + 1)
        if max(margins) > S.size // 2 - 2:
            raise ValueError(f"margin must leave >= 4 averaged points (of {S.size}), got {max(margins)}")
    rows = []
    for m in margins:
        sel = (l >= m) & (l <= l[-1] + 1 - m)
        dl = np.exp(lnd[sel])
        cols = [lnd[sel] / 6.0, np.ones(sel.sum())]
        if parity:
            cols.append((-1.0) ** l[sel])
        if wavevector is not None:
            cols += [np.cos(wavevector * l[sel]) * dl**-p_osc, np.sin(wavevector * l[sel]) * dl**-p_osc]
        coef, *_ = np.linalg.lstsq(np.stack(cols, axis=1), S[sel], rcond=None)
        rows.append((int(l[sel][0]), int(l[sel][-1]), float(coef[0])))
    cs = [t[2] for t in rows]
    return CentralCharge(value=rows[0][2], error=0.5 * (max(cs) - min(cs)), windows=tuple(rows))


def open_structure_factor(correlations, n_q: int | None = None):
    """Structure factor of an open chain in its density standing waves (cosine transform).

    N(q_k) = (2/L) sum_ij cos(q_k (i - 1/2)) cos(q_k (j - 1/2)) C_ij at q_k = pi k / L,
    k = 1 ... n_q, sites i = 1 ... L.  With open ends the boson field is pinned at both ends,
    so the long-wavelength density modes are cosines; then N(q) -> K flavours q / (2 pi) up
    to O(1/L) (free fermions, L = 40: K = 1.025).  The plane-wave transform at 2 pi k / L
    mixes the standing waves and biases K by about -9 % at every L (free fermions).

    Parameters
    ----------
    correlations : array_like
        Connected correlation matrix C_ij, shape (L, L), L >= 4 (dimensionless).
    n_q : int, optional
        Number of wave numbers, in [1, L - 1]; default L // 2.

    Returns
    -------
    tuple of numpy.ndarray
        ``(q, N)``: q_k (1/site) and N(q_k).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If the matrix is not square or ``n_q`` is out of range.

    Examples
    --------
    >>> q, N = open_structure_factor(np.eye(6))          # uncorrelated: N(q) = 1
    >>> bool(np.allclose(N, 1.0)), round(float(q[0]) * 6 / np.pi, 12)
    (True, 1.0)
    """
    C = check.real_array("correlations", correlations, ndim=2, min_size=16)
    L = C.shape[0]
    if C.shape != (L, L):
        raise ValueError(f"correlations must be a square matrix, got shape {C.shape}")
    n_q = L // 2 if n_q is None else check.integer("n_q", n_q, 1, L - 1)
    q = np.pi * np.arange(1, n_q + 1) / L
    B = np.sqrt(2.0 / L) * np.cos(np.outer(q, np.arange(1, L + 1) - 0.5))
    return q, np.einsum("ki,ij,kj->k", B, C, B)


@dataclass(frozen=True)
class LuttingerParameter:
    """The Luttinger parameter K from up to three estimators, with their spread.

    Attributes
    ----------
    value : float
        Mean of the estimators available.
    error : float
        Half their spread (max - min), or the one estimator's own error if only one.
    estimators : dict
        ``{"single_q": (K, err), "q_to_0": (K, err), "friedel": (K, err)}`` (those computed).

    Examples
    --------
    >>> LuttingerParameter(1.0, 0.05, {}).value
    1.0
    """

    value: float
    error: float
    estimators: dict = field(repr=False)


def luttinger_parameter(q, structure_factor, *, flavours: int = 2, profile=None,
                        wavevector: float | None = None, friedel_factor: float = 0.5,
                        n_extrapolate=(2, 3, 4)) -> LuttingerParameter:
    """K from the small-q structure factor (two estimators) and the Friedel envelope (a third).

    * ``single_q``: K = 2 pi N(q_1) / (flavours q_1) at the smallest q;
    * ``q_to_0``: K(q) = 2 pi N(q) / (flavours q) fitted linearly in q over the smallest
      2, 3, 4 (``n_extrapolate``) wave numbers, intercept at q = 0 (error: half the spread);
    * ``friedel``: the density ``profile`` n(x) of an open chain of L sites (x = 1 ... L)
      fitted to n0 + d(x|L+1)^(-beta) [a cos(q0 x) + b sin(q0 x)] over the left half
      (windows as in :func:`fit_power_law`, n0 the mean), K = beta / ``friedel_factor``.

    Conventions: N(q) -> K flavours q / (2 pi); spinless fermions (the XX chain) have
    flavours = 1 and a Friedel exponent K (``friedel_factor`` = 1); the ladder's rung hole
    density has flavours = 2 (K_rho = pi N(q)/q, as ``mixd_exact``) and, for a liquid of
    hole pairs, a Friedel exponent K_rho / 2 (``friedel_factor`` = 0.5).

    Parameters
    ----------
    q : array_like
        Wave numbers 2 pi k / L, k = 1, 2, ... (1/site), increasing, > 0.
    structure_factor : array_like
        N(q) = (1/L) sum_ij exp(iq(i-j)) <n_i n_j>_c at ``q`` (dimensionless).
    flavours : int, optional
        1 or 2 (see above).
    profile : array_like, optional
        Density per site of the open chain (>= 16 sites) for the Friedel estimator.
    wavevector : float, optional
        q0 of the Friedel oscillation (1/site), in (0, 2 pi]; required with ``profile``.
    friedel_factor : float, optional
        Friedel exponent per unit K, in (0, 4].
    n_extrapolate : tuple of int, optional
        Numbers of wave numbers (each >= 2) in the q -> 0 fits.

    Returns
    -------
    LuttingerParameter
        Mean of the estimators, half their spread, and each estimator.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range, arrays differ in length, or ``profile`` comes without
        ``wavevector``.

    Examples
    --------
    >>> q = 2 * np.pi * np.arange(1, 6) / 40
    >>> K = luttinger_parameter(q, 1.5 * q / np.pi)      # N(q) = K q / pi, K = 1.5
    >>> round(K.value, 10), round(K.error, 10)
    (1.5, 0.0)
    """
    q = check.real_array("q", q, ndim=1, min_size=1)
    N = check.real_array("structure_factor", structure_factor, ndim=1, min_size=1)
    check.same_length(q=q, structure_factor=N)
    if np.any(q <= 0) or np.any(np.diff(q) <= 0):
        raise ValueError("q must be positive and increasing")
    flavours = check.choice("flavours", flavours, (1, 2))
    friedel_factor = check.in_range("friedel_factor", friedel_factor, 0.0, 4.0, lo_open=True)
    check.not_missing("n_extrapolate", n_extrapolate, "a tuple of integers")
    n_ex = [check.integer("n_extrapolate", n, 2, 10**6) for n in n_extrapolate]
    Kq = 2 * np.pi * N / (flavours * q)
    est = {"single_q": (float(Kq[0]), 0.0)}
    icpts = [float(np.polyfit(q[:n], Kq[:n], 1)[1]) for n in n_ex if n <= q.size]
    if icpts:
        est["q_to_0"] = (icpts[0], 0.5 * (max(icpts) - min(icpts)))
    if profile is not None:
        if wavevector is None:
            raise ValueError("profile needs wavevector= (the Friedel oscillation's q0)")
        n = check.real_array("profile", profile, ndim=1, min_size=16)
        Ls = n.size
        x = np.arange(1, Ls // 2 + 1, dtype=float)
        f = fit_power_law(x, n[: Ls // 2] - n.mean(), Ls + 1, wavevector=wavevector)
        est["friedel"] = (f.value / friedel_factor, f.error / friedel_factor)
    vals = [v for v, _ in est.values()]
    if len(vals) > 1:
        err = 0.5 * (max(vals) - min(vals))
    else:
        err = est["single_q"][1]
    err = max(err, max(e for _, e in est.values()))
    return LuttingerParameter(value=float(np.mean(vals)), error=float(err), estimators=est)


@dataclass(frozen=True)
class GapExtrapolation:
    """A gap extrapolated linearly in 1/L.

    Attributes
    ----------
    value : float
        Gap at 1/L -> 0 of the straight line through the two largest lengths (the least
        biased by curvature in 1/L; units of the input).
    error : float
        sqrt(standard error^2 + spread^2): the larger standard error of the intercept of
        the 2- and 3-point fits (from the input errors, inflated by the reduced chi^2, or
        from the residuals) and the full difference of the 2-point (largest two L) and
        3-point (largest three L) intercepts.  For a gap with a 1/L^2 term and lengths
        L, 2L, 4L that difference exceeds the 2-point fit's bias.
    fits : tuple of tuple
        ((lengths used, intercept, slope), ...): every length, the largest three, two.

    Examples
    --------
    >>> GapExtrapolation(0.05, 0.01, ()).value
    0.05
    """

    value: float
    error: float
    fits: tuple


#: largest |gap|, error or length extrapolate_gap accepts (its least squares squares them)
GAP_MAX = 1e100


def extrapolate_gap(L, gaps, errors=None) -> GapExtrapolation:
    """Extrapolate gaps Delta(L) = Delta_inf + a / L to 1/L -> 0 with an error bar.

    Parameters
    ----------
    L : array_like
        Lengths (sites or rungs), at least 2 distinct, each >= 2.
    gaps : array_like
        Gaps at ``L`` (any energy unit).
    errors : array_like, optional
        Error bars of ``gaps`` (>= 0), used as weights (1/err^2, floored at 1e-12) and in
        the intercept's standard error.

    Returns
    -------
    GapExtrapolation
        Intercept of the 2-point fit, its error, and the fits through all, 3 and 2 lengths.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If fewer than 2 distinct lengths are given, or arrays differ in length.

    Examples
    --------
    >>> e = extrapolate_gap([20, 40, 80], [0.15, 0.1, 0.075])   # 0.05 + 2 / L
    >>> round(e.value, 10), round(e.error, 10)
    (0.05, 0.0)
    """
    L = check.real_array("L", L, ndim=1, min_size=2)
    g = check.real_array("gaps", gaps, ndim=1, min_size=2)
    check.same_length(L=L, gaps=g)
    if np.any(L < 2):
        raise ValueError("L must be >= 2")
    if np.unique(L).size < 2:
        raise ValueError("extrapolate_gap needs at least 2 distinct lengths")
    if np.any(np.abs(g) > GAP_MAX) or np.any(L > GAP_MAX):
        raise ValueError(f"gaps and L must be at most {GAP_MAX:g} in magnitude (the fit squares them)")
    if errors is None:
        err = np.zeros_like(g)
    else:
        err = check.real_array("errors", errors, ndim=1, min_size=2)
        check.same_length(L=L, errors=err)
        if np.any(err < 0) or np.any(err > GAP_MAX):
            raise ValueError(f"errors must be in [0, {GAP_MAX:g}]")
    order = np.argsort(L)
    L, g, err = L[order], g[order], err[order]

    def fit(sel):
        x, y, s = 1.0 / L[sel], g[sel], np.maximum(err[sel], 1e-12)
        w = 1.0 / s**2 if errors is not None else np.ones_like(y)
        A = np.stack([np.ones_like(x), x], axis=1)
        cov = np.linalg.pinv(A.T @ (A * w[:, None]))
        coef = cov @ (A.T @ (w * y))
        n = y.size
        if errors is not None:
            se = math.sqrt(cov[0, 0])
            if n > 2:        # inflate by the reduced chi^2 when the residuals exceed the errors
                chi2 = float(np.sum(w * (y - A @ coef) ** 2)) / (n - 2)
                se *= math.sqrt(max(chi2, 1.0))
        elif n > 2:
            s2 = float(np.sum((y - A @ coef) ** 2)) / (n - 2)
            se = math.sqrt(s2 * np.linalg.pinv(A.T @ A)[0, 0])
        else:
            se = 0.0
        return float(coef[0]), float(coef[1]), se

    n = L.size
    fits, icpt = [], {}
    for k in sorted({n, 2, 3} & set(range(2, n + 1)), reverse=True):
        sel = np.arange(n - k, n)
        a, b, se = fit(sel)
        icpt[k] = (a, se)
        fits.append((tuple(float(x) for x in L[sel]), a, b))
    value, se = icpt[2]
    if 3 in icpt:
        spread = abs(icpt[3][0] - icpt[2][0])
        se = max(se, icpt[3][1])
    else:
        spread = 0.0
    return GapExtrapolation(value=value, error=math.sqrt(se**2 + spread**2), fits=tuple(fits))


# --------------------------------------------------------------------------- DMRG measurements
@dataclass(frozen=True)
class LuttingerPoint:
    """One (L, N_h, J_perp, chi) point for the Luther-Emery check.

    Attributes
    ----------
    record : dict
        JSON-ready: every key of :meth:`nickelates.mixd_exact.LadderCorrelations.to_dict`
        with its meaning, plus ``structure_factor_relative`` (N_-(q) of n_{j,0} - n_{j,1}, at
        ``q``), ``q_open``, ``structure_factor_open`` and ``structure_factor_relative_open``
        (N_+ and N_- in the open chain's cosine waves, :func:`open_structure_factor`),
        ``density_corr`` and ``spin_corr`` (connected rung hole density and rung S^z S^z
        correlations from the reference rung at ``distance``), ``holes_leg``,
        ``relative_holes_leg`` (the sector (h0 + 1, h1 - 1)), ``energy_rel``,
        ``converged_rel``, ``truncation_error_rel``, ``relative_charge_gap``
        (E(h0 + 1, h1 - 1) - E(h0, h1), V; None if not computed), ``warm_start``
        (the bond dimension the states started from, or None), ``shelved`` (a run hit
        ``max_hours``).
    states : dict
        TeNPy MPS per sector name (``"ground"``, ``"S1"``, ``"rel"``), for a warm start.

    Examples
    --------
    >>> LuttingerPoint({"L": 8}, {}).record["L"]
    8
    """

    record: dict
    states: dict = field(repr=False)


def _relative_density(psi, L):
    """Connected relative-density correlation matrix m_ij of n_{i,0} - n_{i,1} (holes)."""
    nn = np.asarray(psi.correlation_function("Nh", "Nh")).real
    nh = np.asarray(psi.expectation_value("Nh")).real
    s = np.array([1.0, -1.0])
    full = nn.reshape(L, 2, L, 2)
    m = np.einsum("iajb,a,b->ij", full, s, s)
    rel = nh.reshape(L, 2) @ s
    return m - np.outer(rel, rel)


def _structure_factor(mat, q):
    L = mat.shape[0]
    phase = np.exp(1j * np.outer(q, np.arange(L)))
    return np.real(np.einsum("ki,ij,kj->k", phase, mat, phase.conj())) / L


def dmrg_luttinger_point(L: int, n_holes: int, J_perp: float, V: float = 1.0, t_par: float = 0.1, *,
                         chi_max: int = 128, warm: dict | None = None, warm_chi: int | None = None,
                         spin_gap: bool = True, relative_gap: bool = True,
                         max_hours: float | None = None, **dmrg_kw) -> LuttingerPoint:
    """Everything the Luther-Emery check needs from one bond dimension of the ladder's DMRG.

    The same ground state and measurements as
    :func:`nickelates.mixd_exact.dmrg_correlations` (pair, density, entropy, K_rho, spin gap;
    its keys keep their meaning), plus the relative-density structure factor
    N_-(q) = (1/L) sum_ij exp(iq(i-j)) <m_i m_j>_c of m_j = n_{j,0} - n_{j,1}, the rung
    density and rung S^z correlations from the reference rung, and the relative-charge gap
    E_0(h0 + 1, h1 - 1) - E_0(h0, h1) (holes per leg are conserved separately; for even
    N_h the sector (h0 - 1, h1 + 1) is its mirror image).  With ``warm`` (the ``states`` of
    a smaller bond dimension) every run starts from that MPS (TeNPy's ``psi0`` path of
    ``mixd_exact``: chi_max from the first sweep, a short mixer phase).

    Parameters
    ----------
    L : int
        Number of rungs, in [6, 1000].
    n_holes : int
        Number of holes, in [1, 2L - 1].
    J_perp : float
        Rung exchange, in [0, 1e6] (units of V).
    V : float, optional
        Rung repulsion (the unit of energy).
    t_par : float, optional
        Leg hopping (units of V).
    chi_max : int, optional
        Bond dimension, in [4, 4096].
    warm : dict, optional
        ``LuttingerPoint.states`` of a smaller bond dimension (same L, N_h, J_perp).
    warm_chi : int, optional
        That bond dimension (stored in the record as ``warm_start``).
    spin_gap, relative_gap : bool, optional
        Compute the 2S^z = 2 and the (h0 + 1, h1 - 1) runs.
    max_hours : float, optional
        Wall-time cap of each DMRG run (hours); a run stopped by it is flagged ``shelved``.
    **dmrg_kw
        ``max_sweeps``, ``min_sweeps``, ``max_E_err``, ``max_S_err`` of
        :func:`nickelates.mixd_exact.dmrg_ground_state` (``raise_on_fail`` is False:
        convergence is stored as flags).

    Returns
    -------
    LuttingerPoint
        The record and the MPS per sector.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.
    ConvergenceError
        If TeNPy fails (e.g. a too small bond dimension).

    Examples
    --------
    >>> p = dmrg_luttinger_point(6, 2, 2.0, chi_max=32, spin_gap=False, relative_gap=False)
    >>> round(sum(p.record["density_profile"]), 8), p.record["relative_charge_gap"] is None
    (2.0, True)
    """
    from . import mixd_exact as mx

    L = check.integer("L", L, 6, mx.DMRG_MAX_L)
    n_holes = check.integer("n_holes", n_holes, 1, 2 * L - 1)
    spin_gap = check.boolean("spin_gap", spin_gap)
    relative_gap = check.boolean("relative_gap", relative_gap)
    if warm is not None:
        check.instance("warm", warm, dict, "a dict of MPS per sector (LuttingerPoint.states)")
    if warm_chi is not None:
        warm_chi = check.integer("warm_chi", warm_chi, 4, 4096)
    allowed = {"max_sweeps", "min_sweeps", "max_E_err", "max_S_err", "svd_min"}
    if set(dmrg_kw) - allowed:
        raise ValueError(f"dmrg_kw may hold only {sorted(allowed)}, got {sorted(dmrg_kw)}")
    warm = warm or {}
    kw = dict(dmrg_kw, chi_max=chi_max, raise_on_fail=False, max_hours=max_hours)
    t0 = time.perf_counter()
    ground, psi = mx._dmrg(L, n_holes, J_perp, V, t_par, psi0=warm.get("ground"), **kw)
    # the measurements of mixd_exact.dmrg_correlations, on this state
    i0 = L // 4
    r = np.arange(2, L - 1 - L // 4 - i0 + 1)
    js = [i0 + k for k in r]
    pair_cc = mx._pair_correlation(psi, (2 * i0, 2 * i0 + 1), (0, 1), js)
    diag = {"a": ((2 * i0, 2 * i0 + 3), (0, 3)), "b": ((2 * i0 + 1, 2 * i0 + 2), (1, 2))}
    C = {(m, n): mx._pair_correlation(psi, diag[m][0], diag[n][1], js) for m in "ab" for n in "ab"}
    even = 0.5 * (C["a", "a"] + C["b", "b"] + C["a", "b"] + C["b", "a"])
    odd = 0.5 * (C["a", "a"] + C["b", "b"] - C["a", "b"] - C["b", "a"])
    singlet = np.zeros(L)
    for j in range(L):
        for s1, s1b, e1 in mx._SPINS:
            for s2, s2b, e2 in mx._SPINS:
                term = [(f"Cd{s1b}", 2 * j + 1), (f"Cd{s1}", 2 * j), (f"C{s2}", 2 * j), (f"C{s2b}", 2 * j + 1)]
                singlet[j] += 0.5 * e1 * e2 * float(np.real(psi.expectation_value_term(term)))
    nn = np.asarray(psi.correlation_function("Nh", "Nh")).real
    nh = np.asarray(psi.expectation_value("Nh")).real
    density = nn.reshape(L, 2, L, 2).sum(axis=(1, 3)) - np.outer(nh.reshape(L, 2).sum(1), nh.reshape(L, 2).sum(1))
    q = 2 * np.pi * np.arange(1, L // 2 + 1) / L
    Nq = _structure_factor(density, q)
    rel_mat = _relative_density(psi, L)
    Nq_rel = _structure_factor(rel_mat, q)
    q_open, N_open = open_structure_factor(density)
    N_open_rel = open_structure_factor(rel_mat)[1]
    sz = np.asarray(psi.correlation_function("Sz", "Sz")).real.reshape(L, 2, L, 2).sum(axis=(1, 3))
    szm = np.asarray(psi.expectation_value("Sz")).real.reshape(L, 2).sum(1)
    spin = sz - np.outer(szm, szm)
    entropy = np.asarray(psi.entanglement_entropy())[1::2]
    states = {"ground": psi}
    gap, excited = None, None
    if spin_gap and (2 * L - n_holes) % 2 == 0:
        excited, psi1 = mx._dmrg(L, n_holes, J_perp, V, t_par, two_sz=2, psi0=warm.get("S1"), **kw)
        gap = float(excited.energy - ground.energy)
        states["S1"] = psi1
    c = mx.LadderCorrelations(ground=ground, reference=i0, distance=r, pair_cc=pair_cc, pair_sc2=even,
                              pair_sc2_odd=odd, singlet_probability=singlet, density=density, q=q,
                              structure_factor=Nq, K_rho=float(np.pi * Nq[0] / q[0]), entropy=entropy,
                              spin_gap=gap, spin_excited=excited)
    rec = c.to_dict()
    h0, h1 = ground.holes_leg
    rel = None
    rec.update(structure_factor_relative=Nq_rel.tolist(), q_open=q_open.tolist(),
               structure_factor_open=N_open.tolist(), structure_factor_relative_open=N_open_rel.tolist(),
               density_corr=density[i0, js].tolist(),
               spin_corr=spin[i0, js].tolist(), holes_leg=[int(h0), int(h1)],
               relative_holes_leg=[int(h0 + 1), int(h1 - 1)], energy_rel=None, converged_rel=None,
               truncation_error_rel=None, relative_charge_gap=None, warm_start=warm_chi,
               shelved=bool(ground.shelved or (excited is not None and excited.shelved)))
    if relative_gap and h1 >= 1 and h0 + 1 <= L:
        rel, psi2 = mx._dmrg(L, n_holes, J_perp, V, t_par, holes_leg=(h0 + 1, h1 - 1),
                             psi0=warm.get("rel"), **kw)
        states["rel"] = psi2
        rec.update(energy_rel=rel.energy, converged_rel=rel.converged, truncation_error_rel=rel.truncation_error,
                   relative_charge_gap=float(rel.energy - ground.energy),
                   shelved=bool(rec["shelved"] or rel.shelved))
    rec["seconds"] = round(time.perf_counter() - t0, 2)
    if not np.all(np.isfinite(Nq)):
        raise ConvergenceError(f"non-finite structure factor at L={L}, N_h={n_holes}, J={J_perp}")
    return LuttingerPoint(record=rec, states=states)

"""Per-spectrum fit of a thermally smeared Dynes or BTK conductance (gap maps).

Units: bias in mV, gaps and broadenings in meV, temperature in K; ``scale`` in
the units of the data channel (A for a lock-in current, S for dI/dV).

The model of one spectrum is ``B(V) * [(1 - weight2) G(E; delta1, gamma1) +
weight2 G(E; delta2, gamma2)]`` convolved with the Fermi window at the given
temperature (and, with ``lockin_mV``, with the lock-in instrument function), where
``G`` is the Dynes density of states (``model="dynes"``, tunnel limit) or the
normal-incidence BTK conductance with barrier ``z`` (``model="btk"``), and the
normal-state background is ``B(V) = scale`` or, with ``background``,
``B(V) = scale * (1 + bg1 x + bg2 x^2)``, x = V / max|V|: the same polynomial in
V / max|V| as the joint background of :func:`nickelates.btk.fit` (fit-btk's
default, degree 2), started the same way (:func:`nickelates.btk.fitting.background_start`;
btk's coefficients are bg0 = scale, bg_k = scale * bg_k here). The fit is a bounded
trust-region least squares (:func:`scipy.optimize.least_squares`) on the compiled
model of :mod:`nickelates.kernels.gapmap`.

Lock-in: with a PEAK modulation V_m the measured dI/dV is the model convolved with
W(v) = 2 sqrt(V_m^2 - v^2) / (pi V_m^2) (derivation: :func:`nickelates.btk.lockin_nodes`).
Both convolutions are linear and act on the same energy grid, so they are folded into
one precomputed window matrix (cell integrals of W convolved with -df/dE,
:func:`nickelates.kernels.gapmap.lockin_window`): the per-pixel cost is unchanged
apart from the grid being V_m wider.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from .. import _validate as check
from ..btk.model import K_B_MEV_PER_K

__all__ = ["MODELS", "REASONS", "T_MIN", "BACKGROUND_DEGREE", "POINTS_PER_KT", "POINTS_PER_BIAS_STEP", "WINDOW_KT", "MAX_ENERGY_POINTS", "MAX_BIAS_MV", "LEVEL_RANGE", "parameter_names",
           "SpectrumModel", "spectrum_model", "PixelFit", "initial_guess", "fit_spectrum", "fit_rows"]

#: model names accepted by :func:`fit_spectrum` and the map fitter
MODELS = ("dynes", "btk")

#: reason codes of a pixel: 0 means the fit is usable (``ok``)
REASONS = {0: "ok", 1: "bad_data", 2: "fit_error", 3: "not_converged", 4: "at_bound", 5: "no_gap",
           6: "not_fitted", 7: "not_measured", 8: "gap_at_edge", 9: "gamma_exceeds_gap", 10: "high_rms",
           11: "negative_conductance", 12: "clipped", 13: "not_a_conductance"}

#: lowest temperature accepted (K): 10 mK
T_MIN = 0.01
#: degree of the polynomial background with ``background=True`` (fit-btk's default ``--bg-degree``)
BACKGROUND_DEGREE = 2
#: range of the normal-state level of a spectrum that :func:`fit_spectrum` accepts (data units; the
#: reduced chi-square is reported in data units squared, which must stay inside the float range)
LEVEL_RANGE = (1e-150, 1e150)
#: largest |bias| accepted (mV): beyond it the convolution grid overflows
MAX_BIAS_MV = 1e6
_BG_BOUND = 5.0     # |bg_k| bound (relative change of the background over the bias window)
_Y_NODES = 48       # Gauss-Legendre nodes of the Fermi window in the lock-in window

#: grid points per k_B T of the energy grid of the thermal convolution
POINTS_PER_KT = 6.0
#: grid points per bias step (the grid need not resolve what the data cannot)
POINTS_PER_BIAS_STEP = 20.0
#: half-width of the Fermi window kept, in k_B T
WINDOW_KT = 14.0
#: largest energy grid the convolution may use
MAX_ENERGY_POINTS = 20_000


def _background_degree(background):
    if isinstance(background, (bool, np.bool_)):
        return BACKGROUND_DEGREE if background else 0
    if background is None:
        return 0
    return check.integer("background", background, 0, 6)


def parameter_names(model="dynes", n_gaps=1, *, background=False):
    """Names of the fitted parameters, in the order of the parameter vector.

    Parameters
    ----------
    model : {"dynes", "btk"}
        Spectrum model.
    n_gaps : {1, 2}
        Number of gaps.
    background : bool or int, optional
        Polynomial normal-state background: False/0 (``scale`` only), True (degree 2, fit-btk's
        default) or a degree 0..6 (dimensionless coefficients ``bg1``.. relative to ``scale``).

    Returns
    -------
    tuple of str
        ``delta1, gamma1`` (meV), ``z`` (BTK only), ``delta2, gamma2, weight2``
        (two gaps), ``bg1, bg2 ...`` (background, dimensionless) and ``scale`` (units of the data).

    Examples
    --------
    >>> parameter_names("btk", 2)
    ('delta1', 'gamma1', 'z', 'delta2', 'gamma2', 'weight2', 'scale')
    >>> parameter_names("dynes", 1, background=True)
    ('delta1', 'gamma1', 'bg1', 'bg2', 'scale')
    """
    model = check.choice("model", model, MODELS)
    n_gaps = check.integer("n_gaps", n_gaps, 1, 2)
    deg = _background_degree(background)
    names = ["delta1", "gamma1"]
    if model == "btk":
        names.append("z")
    if n_gaps == 2:
        names += ["delta2", "gamma2", "weight2"]
    names += [f"bg{k}" for k in range(1, deg + 1)]
    return tuple(names + ["scale"])


@dataclass(frozen=True)
class SpectrumModel:
    """The compiled model for one bias axis and temperature (built once per chunk of spectra).

    Attributes
    ----------
    bias : ndarray
        Bias points (mV).
    temperature : float
        Temperature (K).
    model : str
        ``"dynes"`` or ``"btk"``.
    n_gaps : int
        1 or 2.
    egrid : ndarray
        Uniform energy grid of the convolution, E >= 0 (meV; both models are even in E).
    window : ndarray
        Fermi-window trapezoid weights folded onto ``egrid`` (the weights of E and -E
        added), shape (bias, egrid).
    names : tuple of str
        Parameter names (see :func:`parameter_names`).
    lower : ndarray
        Lower bounds of the normalised parameters (scale relative to the data's normal state).
    upper : ndarray
        Upper bounds of the normalised parameters.
    background_degree : int
        Degree of the polynomial background (0: ``scale`` only).
    lockin_mV : float
        Peak lock-in modulation folded into ``window`` (mV; 0 without).

    Examples
    --------
    >>> import numpy as np
    >>> m = spectrum_model(np.linspace(-3, 3, 31), 4.2, "btk")
    >>> m.names, float(m.lower[2]), float(m.upper[2])
    (('delta1', 'gamma1', 'z', 'scale'), 0.0, 10.0)
    """

    bias: np.ndarray
    temperature: float
    model: str
    n_gaps: int
    egrid: np.ndarray
    window: np.ndarray
    names: tuple
    lower: np.ndarray
    upper: np.ndarray
    background_degree: int = 0
    lockin_mV: float = 0.0

    @property
    def xb(self):
        """Bias / max|bias| (the variable of the background polynomial)."""
        return self.bias / float(np.max(np.abs(self.bias)))

    @property
    def resolution(self):
        """Energy step of the convolution grid (meV): the smallest resolved broadening."""
        return float(self.egrid[1] - self.egrid[0])

    def __call__(self, params):
        """Model conductance at the bias points for a parameter vector (scale included)."""
        from ..kernels import gapmap as kern
        p = np.asarray(params, float)
        if p.shape != (len(self.names),):
            raise ValueError(f"params must have {len(self.names)} entries {self.names}, got shape {p.shape}")
        return kern.model_bg(p, int(self.model == "btk"), self.n_gaps, self.egrid, self.window, self.xb,
                             self.background_degree)


def spectrum_model(bias_mV, temperature, model="dynes", n_gaps=1, *, background=False, lockin_mV=None):
    """Build the :class:`SpectrumModel` for a bias axis and a temperature.

    Parameters
    ----------
    bias_mV : array_like
        Bias points (mV), at least 8, finite, |bias| <= :data:`MAX_BIAS_MV`, max|bias| above the
        convolution step (k_B T / :data:`POINTS_PER_KT`).
    temperature : float
        Temperature (K), in [0.01, 300] (10 mK and up).
    model : {"dynes", "btk"}
        Spectrum model.
    n_gaps : {1, 2}
        Number of gaps.
    background : bool or int, optional
        Normal-state background (see :func:`parameter_names`): False (default, ``scale`` only),
        True (degree 2, as fit-btk's default) or a degree 0..6.
    lockin_mV : float, optional
        PEAK lock-in modulation amplitude in mV (>= 0; rms setting A means sqrt(2) A); the
        model is convolved with W(v) = 2 sqrt(V_m^2 - v^2) / (pi V_m^2). None or 0: none.

    Returns
    -------
    SpectrumModel
        Callable on a parameter vector. The convolution grid step is
        max(k_B T / POINTS_PER_KT, bias step / POINTS_PER_BIAS_STEP); bounds: gaps in [0, 1.5 max|V|],
        broadenings in [grid step, max|V|], ``z`` in [0, 10], ``weight2`` in [0, 1], ``bg_k`` in [-5, 5].

    Raises
    ------
    TypeError
        If an argument has the wrong type (``bias_mV`` not a real array, ``temperature`` not a number).
    ValueError
        If ``bias_mV`` has fewer than 8 points, is all zero, exceeds :data:`MAX_BIAS_MV` or spans less
        than the convolution step, or another argument is outside its range.

    Examples
    --------
    >>> import numpy as np
    >>> m = spectrum_model(np.linspace(-5, 5, 121), 2.0)
    >>> m.names
    ('delta1', 'gamma1', 'scale')
    >>> float(m([1.0, 0.05, 1.0])[0]) > 0.99        # normal state far from the gap
    True
    """
    from ..kernels import gapmap as kern
    bias = check.finite_array("bias_mV", bias_mV, ndim=1)
    if bias.size < 8:
        raise ValueError(f"bias_mV must have at least 8 points, got {bias.size}")
    temperature = check.in_range("temperature", temperature, T_MIN, 300.0)
    deg = _background_degree(background)
    names = parameter_names(model, n_gaps, background=deg)
    vm = 0.0 if lockin_mV is None else check.nonnegative("lockin_mV", lockin_mV, 1e6)
    vmax = float(np.max(np.abs(bias)))
    if vmax <= 0.0:
        raise ValueError("bias_mV must not be all zero")
    if vmax > MAX_BIAS_MV:
        raise ValueError(f"bias_mV must lie in [-{MAX_BIAS_MV:g}, {MAX_BIAS_MV:g}] mV, got max|bias| = {vmax:.3g} mV")
    kt = K_B_MEV_PER_K * temperature
    dv = float(np.median(np.diff(np.unique(bias)))) if np.unique(bias).size > 1 else vmax
    h = max(kt / POINTS_PER_KT, dv / POINTS_PER_BIAS_STEP)    # finer than kT and than the data's own spacing
    emax = vmax + vm + WINDOW_KT * kt
    ne = int(np.ceil(2 * emax / h)) + 1
    if ne > MAX_ENERGY_POINTS:          # very low T on a wide bias range: coarser grid, wider floor on gamma
        ne = MAX_ENERGY_POINTS
    ne += 1 - ne % 2                    # odd: the grid is symmetric about E = 0
    full = np.linspace(-emax, emax, ne)
    if vm > 0.0:
        xq, wq = np.polynomial.legendre.leggauss(_Y_NODES)
        y = WINDOW_KT * kt * xq
        fw = wq / np.cosh(y / (2.0 * kt)) ** 2
        window_full = kern.lockin_window(bias, full, kt, vm, y, fw / fw.sum())
    else:
        window_full = kern.fermi_window(bias, full, kt)
    # Both models are even in E: fold the window onto E >= 0 (half the model evaluations)
    mid = ne // 2
    egrid = full[mid:].copy()
    window = window_full[:, mid:].copy()
    window[:, 1:] += window_full[:, mid - 1::-1]
    h = float(egrid[1] - egrid[0])
    if not h < vmax:
        raise ValueError(f"bias_mV spans max|bias| = {vmax:.3g} mV, not more than the convolution step "
                         f"{h:.3g} mV (k_B T / {POINTS_PER_KT:g} at {temperature} K): widen the bias range")
    lo, hi = [], []
    for name in names:
        if name.startswith("delta"):
            lo.append(0.0), hi.append(1.5 * vmax)
        elif name.startswith("gamma"):
            lo.append(h), hi.append(vmax)
        elif name == "z":
            lo.append(0.0), hi.append(10.0)
        elif name == "weight2":
            lo.append(0.0), hi.append(1.0)
        elif name.startswith("bg"):
            lo.append(-_BG_BOUND), hi.append(_BG_BOUND)
        else:                           # scale, relative to the normal state of the data
            lo.append(0.05), hi.append(20.0)
    return SpectrumModel(bias, temperature, names=names, model=model, n_gaps=int(n_gaps), egrid=egrid,
                         window=window, lower=np.array(lo), upper=np.array(hi), background_degree=deg,
                         lockin_mV=vm)


@dataclass(frozen=True)
class PixelFit:
    """Result of :func:`fit_spectrum`.

    Attributes
    ----------
    values : dict
        Parameter values (meV for gaps and broadenings, data units for
        ``scale``); NaN where the fit failed (then ``ok`` is False).
    stderr : dict
        One-sigma errors of ``values``, same units.
    redchi : float
        Reduced chi-square with unit weights, in (data units)^2.
    ok : bool
        True when the fit converged inside the bounds and found a gap.
    reason : int
        Code from :data:`REASONS` (0 when ``ok``).
    nfev : int
        Model evaluations used.

    Examples
    --------
    >>> import numpy as np
    >>> m = spectrum_model(np.linspace(-5, 5, 121), 2.0)
    >>> r = fit_spectrum(m, np.full(121, np.nan))
    >>> r.ok, REASONS[r.reason]
    (False, 'bad_data')
    """

    values: dict
    stderr: dict
    redchi: float
    ok: bool
    reason: int
    nfev: int


def initial_guess(smodel, g_norm):
    """Starting parameters from the shape of a normalised spectrum.

    Parameters
    ----------
    smodel : SpectrumModel
        The model (bias, bounds, names).
    g_norm : ndarray
        The spectrum divided by its normal-state level (mean of the outer 10 % of points).

    Returns
    -------
    ndarray
        A start inside the bounds: delta1 at the coherence peak (or half the
        bias range without a peak), gamma1 = delta1 / 10, z = 1, a second gap at
        half the first with weight 0.3, background coefficients 0, scale 1.

    Raises
    ------
    TypeError
        If ``smodel`` is not a :class:`SpectrumModel` or ``g_norm`` is not a real array.
    ValueError
        If ``g_norm`` is not finite or does not have the shape of the bias axis.

    Examples
    --------
    >>> import numpy as np
    >>> m = spectrum_model(np.linspace(-4, 4, 81), 1.5)
    >>> p0 = initial_guess(m, m([1.2, 0.05, 1.0]))
    >>> bool(abs(p0[0] - 1.2) < 0.3)
    True
    """
    check.instance("smodel", smodel, SpectrumModel, "a SpectrumModel (from spectrum_model)")
    bias = smodel.bias
    g = check.real_array("g_norm", g_norm, ndim=1)
    if g.shape != bias.shape:
        raise ValueError(f"g_norm must have the shape of the bias axis {bias.shape}, got {g.shape}")
    vmax = float(np.max(np.abs(bias)))
    kt = K_B_MEV_PER_K * smodel.temperature
    inner = np.abs(bias) < 0.9 * vmax
    if np.any(inner) and np.max(g[inner]) > 1.02:
        i = int(np.argmax(np.where(inner, g, -np.inf)))
        d1 = max(abs(float(bias[i])) - 0.5 * kt, 0.2 * vmax / 10)
    else:
        d1 = 0.3 * vmax
    p = {"delta1": d1, "gamma1": max(0.1 * d1, 2 * smodel.resolution), "z": 1.0,
         "delta2": 0.5 * d1, "gamma2": max(0.1 * d1, 2 * smodel.resolution), "weight2": 0.3, "scale": 1.0}
    p.update({f"bg{k}": 0.0 for k in range(1, smodel.background_degree + 1)})
    p0 = np.array([p[n] for n in smodel.names])
    span = smodel.upper - smodel.lower
    return np.clip(p0, smodel.lower + 1e-3 * span, smodel.upper - 1e-3 * span)


def _conductance_array(name, g):
    """A real float array; NaN/inf are allowed (flagged per pixel as bad data), wrong types are not."""
    if g is None or isinstance(g, (str, bytes, dict, set)):
        raise TypeError(f"{name} must be an array of real numbers, got {type(g).__name__}")
    a = np.asarray(g)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    return a.astype(float)


def _normal_level(bias, g):
    vmax = np.max(np.abs(bias))
    outer = np.abs(bias) >= 0.9 * vmax
    return float(np.mean(g[outer]))


def _fit_normalised(smodel, g, start):
    from ..kernels import gapmap as kern
    kind = int(smodel.model == "btk")
    egrid, window, ng = smodel.egrid, smodel.window, smodel.n_gaps
    xb, nbg = smodel.xb, smodel.background_degree

    def resid(p):
        return kern.model_bg(p, kind, ng, egrid, window, xb, nbg) - g

    def jac(p):
        return kern.jacobian_bg(p, kind, ng, egrid, window, xb, nbg, 1e-6)

    return least_squares(resid, start, jac=jac, bounds=(smodel.lower, smodel.upper), method="trf",
                         x_scale="jac", xtol=1e-8, ftol=1e-10, gtol=1e-10, max_nfev=200)


def _nan_fit(names, reason, nfev=0):
    nan = dict.fromkeys(names, float("nan"))
    return PixelFit(dict(nan), dict(nan), float("nan"), False, reason, nfev)


def fit_spectrum(smodel, g, start=None):
    """Fit one spectrum; never raises for bad data or a failed fit (the result says why).

    Parameters
    ----------
    smodel : SpectrumModel
        From :func:`spectrum_model` (bias axis, temperature, model, number of gaps).
    g : array_like
        Measured conductance at ``smodel.bias`` (any units, positive normal state).
    start : array_like, optional
        Starting normalised parameters (e.g. a neighbour's result, ``scale``
        relative to the normal state); default :func:`initial_guess` (with a
        background: its coefficients from
        :func:`nickelates.btk.fitting.background_start` on the outer 30 % of the
        bias range, as :func:`nickelates.btk.fit` starts them). If the fit from
        ``start`` is not usable the fit is retried from the default guess.

    Returns
    -------
    PixelFit
        Values, errors (from the Jacobian at the solution, scaled by the
        reduced chi-square), ``ok`` and the reason code.

    Raises
    ------
    TypeError
        If ``smodel`` is not a :class:`SpectrumModel` or ``g``/``start`` are not real arrays.
    ValueError
        If ``g`` does not have the shape of the bias axis, or its normal-state level lies outside
        :data:`LEVEL_RANGE` (rescale it: the fit is scale-free).

    Examples
    --------
    >>> import numpy as np
    >>> m = spectrum_model(np.linspace(-5, 5, 121), 2.0)
    >>> r = fit_spectrum(m, 3e-9 * m([1.1, 0.08, 1.0]))
    >>> r.ok, round(r.values["delta1"], 4), round(r.values["scale"] * 1e9, 4)
    (True, 1.1, 3.0)
    """
    check.instance("smodel", smodel, SpectrumModel, "a SpectrumModel (from spectrum_model)")
    names = smodel.names
    g = _conductance_array("g", g)
    if g.shape != smodel.bias.shape:
        raise ValueError(f"g must have the shape of the bias axis {smodel.bias.shape}, got {g.shape}")
    if start is not None:
        start = check.real_array("start", start, ndim=1)
    if not np.all(np.isfinite(g)):
        return _nan_fit(names, 1)
    level = _normal_level(smodel.bias, g)
    if not level > 0.0 or np.ptp(g) == 0.0:
        return _nan_fit(names, 1)
    if not LEVEL_RANGE[0] <= level <= LEVEL_RANGE[1]:
        raise ValueError(f"g has a normal-state level {level:.3g}, outside [{LEVEL_RANGE[0]:g}, {LEVEL_RANGE[1]:g}]: "
                         "rescale g (the fit is scale-free; its redchi is in the units of g squared)")
    gn = g / level
    deg = smodel.background_degree
    if deg:
        from ..btk.fitting import background_start
        try:
            c, g_flat = background_start(smodel.bias, g, deg, 0.3)
        except ValueError:          # background not positive: start flat
            c, g_flat = np.r_[level, np.zeros(deg)], gn
        p0 = initial_guess(smodel, g_flat)
        span = smodel.upper - smodel.lower
        p0[-1 - deg:-1] = c[1:] / c[0]
        p0[-1] = c[0] / level
        starts = [np.clip(p0, smodel.lower + 1e-3 * span, smodel.upper - 1e-3 * span)]
    else:
        starts = [initial_guess(smodel, gn)]
    if start is not None:
        s = np.asarray(start, float)
        if s.shape == starts[0].shape and np.all(np.isfinite(s)):
            span = smodel.upper - smodel.lower
            starts.insert(0, np.clip(s, smodel.lower + 1e-6 * span, smodel.upper - 1e-6 * span))
    best, nfev = None, 0
    for s in starts:
        try:
            res = _fit_normalised(smodel, gn, s)
        except (ValueError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError):
            best = best or _nan_fit(names, 2)
            continue
        nfev += res.nfev
        out = _assess(smodel, res, level, nfev)
        if out.ok:
            return out
        if best is None or (out.reason != 2 and (best.reason == 2 or out.redchi < best.redchi)):
            best = out
    return best


def _assess(smodel, res, level, nfev):
    names = smodel.names
    p = res.x
    n, k = res.fun.size, p.size
    redchi = float(res.fun @ res.fun) / max(n - k, 1)
    if not (np.all(np.isfinite(p)) and np.isfinite(redchi)):
        return _nan_fit(names, 2, nfev)
    J = res.jac
    try:
        cov = np.linalg.pinv(J.T @ J) * redchi
        err = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    except np.linalg.LinAlgError:
        err = np.full(k, np.nan)
    values = dict(zip(names, p.tolist()))
    stderr = dict(zip(names, err.tolist()))
    values["scale"] *= level
    stderr["scale"] *= level
    reason = 0
    span = smodel.upper - smodel.lower
    tol = 1e-4 * span
    at_bound = [nm for nm, x, lo, hi, t in zip(names, p, smodel.lower, smodel.upper, tol)
                if (x >= hi - t) or (x <= lo + t and not nm.startswith(("gamma", "delta", "z", "weight")))]
    if res.status <= 0:
        reason = 3
    elif at_bound:
        reason = 4
    else:
        d1, e1 = values["delta1"], stderr["delta1"]
        if not (d1 > smodel.resolution and np.isfinite(e1) and d1 > 3.0 * e1):
            reason = 5
    return PixelFit(values, stderr, redchi * level**2, reason == 0, reason, nfev)


def fit_rows(block, bias_mV, temperature, model="dynes", n_gaps=1, warm_start=True, *, background=False,
             lockin_mV=None):
    """Fit a block of rows of a grid, warm-starting each pixel from its neighbour.

    The pixels are visited in serpentine order (left to right, then right to
    left on the next row), so each start is the result of an adjacent pixel.

    Parameters
    ----------
    block : array_like
        Spectra, shape (rows, x, bias).
    bias_mV : array_like
        Bias points (mV).
    temperature : float
        Temperature (K).
    model : {"dynes", "btk"}
        Spectrum model.
    n_gaps : {1, 2}
        Number of gaps.
    warm_start : bool
        Start each fit from the previous usable pixel (default True).
    background : bool or int, optional
        Polynomial normal-state background (see :func:`spectrum_model`; True = degree 2 as fit-btk).
    lockin_mV : float, optional
        Peak lock-in modulation in mV (see :func:`spectrum_model`).

    Returns
    -------
    dict
        ``<name>`` and ``<name>_stderr`` arrays of shape (rows, x) for each
        parameter, ``redchi``, ``ok`` (bool), ``reason`` (int8) and ``nfev``.
        A pixel whose normal-state level lies outside :data:`LEVEL_RANGE` gets reason 1 (bad data).

    Raises
    ------
    TypeError
        If ``block`` is not a real array or ``warm_start`` is not a bool.
    ValueError
        If ``block`` is not 3-dimensional or does not match the bias axis, or as :func:`spectrum_model`.

    Examples
    --------
    >>> import numpy as np
    >>> m = spectrum_model(np.linspace(-5, 5, 61), 2.0)
    >>> block = np.stack([[m([d, 0.1, 1.0]) for d in (0.8, 1.0)]])
    >>> out = fit_rows(block, m.bias, 2.0)
    >>> np.round(out["delta1"], 3).tolist(), out["ok"].tolist()
    ([[0.8, 1.0]], [[True, True]])
    """
    warm_start = check.boolean("warm_start", warm_start)
    block = _conductance_array("block", block)
    if block.dtype.kind not in "iuf":
        raise TypeError(f"block must be an array of real numbers, got dtype {block.dtype}")
    block = block.astype(float)                 # non-finite spectra are flagged per pixel, not refused
    if block.ndim != 3:
        raise ValueError(f"block must be a 3-dimensional array (rows, x, bias), got shape {block.shape}")
    smodel = spectrum_model(bias_mV, temperature, model, n_gaps, background=background, lockin_mV=lockin_mV)
    if block.shape[2] != smodel.bias.size:
        raise ValueError(f"block must have {smodel.bias.size} bias points on its last axis, got {block.shape[2]}")
    ny, nx, _ = block.shape
    names = smodel.names
    out = {}
    for nm in names:
        out[nm] = np.full((ny, nx), np.nan)
        out[nm + "_stderr"] = np.full((ny, nx), np.nan)
    out["redchi"] = np.full((ny, nx), np.nan)
    out["ok"] = np.zeros((ny, nx), bool)
    out["reason"] = np.full((ny, nx), 6, np.int8)
    out["nfev"] = np.zeros((ny, nx), np.int32)
    start = None
    for iy in range(ny):
        cols = range(nx) if iy % 2 == 0 else range(nx - 1, -1, -1)
        for ix in cols:
            level = _normal_level(smodel.bias, block[iy, ix])
            if not LEVEL_RANGE[0] <= abs(level) <= LEVEL_RANGE[1]:     # zero, NaN or beyond float range: bad data
                out["reason"][iy, ix] = 1
                continue
            r = fit_spectrum(smodel, block[iy, ix], start if warm_start else None)
            for nm in names:
                out[nm][iy, ix] = r.values[nm]
                out[nm + "_stderr"][iy, ix] = r.stderr[nm]
            out["redchi"][iy, ix] = r.redchi
            out["ok"][iy, ix] = r.ok
            out["reason"][iy, ix] = r.reason
            out["nfev"][iy, ix] = r.nfev
            if r.ok:
                start = np.array([r.values[nm] for nm in names])
                if smodel.background_degree:       # scale relative to this pixel's outer level, as fitted
                    start[-1] = r.values["scale"] / _normal_level(smodel.bias, block[iy, ix])
                else:
                    start[-1] = 1.0
    return out

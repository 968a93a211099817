"""Synthetic STM grids of an inhomogeneous film from the triplon model (chapter 5).

A smooth map of the local filling n_c(r) is turned into a grid of STM spectra:
at each pixel the model's anisotropic s+- gaps (:func:`nickelates.tunneling.triplon_gaps`)
give the Fermi-surface averaged Dynes conductance of Fig. 5
(:func:`nickelates.tunneling.stm_spectrum`), convolved with the Fermi window
at the measurement temperature (and, with ``lockin_mV``, with the lock-in
instrument function, as :func:`nickelates.gapmap.spectrum_model` does) and given
multiplicative noise. The Dynes broadenings may vary from pixel to pixel (maps
instead of numbers). The filling is rounded to a step (``n_c_step``) and the
broadenings to ``gamma_step`` so that equal pixels share one model solution; the
truth maps use the rounded values, so they are exact for the grid.

Units: bias in mV, gaps in meV, T in K, coordinates in m.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as check

__all__ = ["smooth_field", "SyntheticFilm", "synthetic_film", "GapRecovery", "gap_recovery"]


def smooth_field(ny, nx, lo, hi, *, length=3.0, seed=0):
    """A smooth random field on a (ny, nx) grid, rescaled to span [lo, hi] exactly.

    Parameters
    ----------
    ny, nx : int
        Grid size, 2..4096 each.
    lo, hi : float
        Minimum and maximum of the field (lo < hi).
    length : float
        Correlation length in pixels (Gaussian filter width), in (0, 1000].
    seed : int
        Seed of the white noise that is filtered.

    Returns
    -------
    ndarray
        Shape (ny, nx), min ``lo`` and max ``hi``, periodic boundary conditions.

    Examples
    --------
    >>> f = smooth_field(8, 10, 0.4, 0.5)
    >>> f.shape, float(f.min()), float(f.max())
    ((8, 10), 0.4, 0.5)
    """
    from scipy.ndimage import gaussian_filter
    ny = check.integer("ny", ny, 2, 4096)
    nx = check.integer("nx", nx, 2, 4096)
    lo = check.finite("lo", lo)
    hi = check.finite("hi", hi)
    if not hi > lo:
        raise ValueError(f"hi must exceed lo, got lo={lo}, hi={hi}")
    length = check.in_range("length", length, 0.0, 1000.0, lo_open=True)
    seed = check.integer("seed", seed, 0, 2**32 - 1)
    w = gaussian_filter(np.random.default_rng(seed).standard_normal((ny, nx)), length, mode="wrap")
    w = (w - w.min()) / (w.max() - w.min())
    return lo + (hi - lo) * w


@dataclass(frozen=True)
class SyntheticFilm:
    """A synthetic grid and its truth (result of :func:`synthetic_film`).

    Attributes
    ----------
    grid : xarray.DataArray
        Spectra with dims (y, x, bias): dI/dV normalised to the normal state
        (dimensionless), bias in mV, x/y in m.
    truth : xarray.Dataset
        dims (y, x): ``n_c`` (rounded), ``delta_alpha_max``, ``delta_alpha_min``,
        ``delta_beta_max``, ``delta_beta_min`` (meV, |Delta| on the sheets),
        ``gamma_alpha``, ``gamma_beta`` (meV, rounded, the broadening of each pixel).
    settings : dict
        lam, kappa, Omega (eV), source, r, gamma_alpha, gamma_beta (meV; "map" when they
        vary), T (K), noise, lockin_mV (peak mV or None).

    Examples
    --------
    >>> import numpy as np
    >>> film = synthetic_film(np.full((1, 1), 0.45), np.linspace(-100, 100, 41), noise=0.0)
    >>> film.truth["n_c"].dims, film.settings["source"]
    (('y', 'x'), 'eq18')
    """

    grid: object
    truth: object
    settings: dict


def synthetic_film(n_c_map, bias_mV, *, lam=0.4, kappa=0.3, Omega=0.3, source="eq18", r=0.7,
                   gamma_alpha=2.0, gamma_beta=1.0, T=4.0, noise=0.01, seed=0, n_c_step=0.005,
                   pixel_m=1e-9, lockin_mV=None, gamma_step=0.05):
    """STM grid of a film whose filling varies in space, from the triplon model's gaps.

    Parameters
    ----------
    n_c_map : array_like
        Local filling n_c(y, x) (electrons per Ni), each in the model's range
        (e.g. 0.32..1.0 for the v3 bands).
    bias_mV : array_like
        Bias points (mV), |V| <= 1000.
    lam, kappa, Omega : float
        Model point of :func:`nickelates.tunneling.triplon_gaps` (Omega in eV).
    source : {"exact", "eq18", "eq17"}
        Gap source (default the analytic Eq. 18 gaps, fast).
    r : float
        Relative tunnelling weight of the planar orbital, in [0, 1].
    gamma_alpha, gamma_beta : float or array_like
        Dynes broadenings of the two bands (meV), in (0, 100]: one number, or a map of the
        shape of ``n_c_map`` (a spatially varying broadening).
    T : float
        Temperature of the Fermi-window smearing (K), in (0.05, 300].
    noise : float
        Relative Gaussian noise on each point, in [0, 1).
    seed : int
        Seed of the noise.
    n_c_step : float
        Rounding step of n_c (pixels of equal rounded n_c share a model solution), in (0, 0.1].
    pixel_m : float
        Pixel size (m).
    lockin_mV : float, optional
        PEAK lock-in modulation amplitude (mV), in [0, 100]; the spectra are convolved with
        W(v) = 2 sqrt(V_m^2 - v^2) / (pi V_m^2) besides the Fermi window. None or 0: none.
    gamma_step : float
        Rounding step of the broadenings (meV), in (0, 1].

    Returns
    -------
    SyntheticFilm
        The grid (write it with :func:`nickelates.gapmap.write_3ds`) and the truth maps.

    Examples
    --------
    >>> import numpy as np
    >>> film = synthetic_film(np.full((1, 2), 0.45), np.linspace(-120, 120, 49), noise=0.0)
    >>> film.grid.shape, round(float(film.truth["delta_beta_max"][0, 0]), 1)
    ((1, 2, 49), 41.0)
    >>> g = np.array([[1.5, 3.0]])                 # a broadening that varies, with lock-in
    >>> film = synthetic_film(np.full((1, 2), 0.45), np.linspace(-120, 120, 49), noise=0.0,
    ...                       gamma_alpha=g, gamma_beta=g / 2, lockin_mV=4.0)
    >>> [float(x) for x in film.truth["gamma_alpha"][0]], film.settings["lockin_mV"]
    ([1.5, 3.0], 4.0)
    """
    import xarray as xr

    from .. import tunneling
    from ..btk.model import K_B_MEV_PER_K
    from ..kernels import gapmap as kern
    ncm = check.finite_array("n_c_map", n_c_map, ndim=2)
    bias = check.finite_array("bias_mV", bias_mV, ndim=1)
    if np.max(np.abs(bias)) > 1000.0:
        raise ValueError("bias_mV must lie in [-1000, 1000] mV")
    T = check.in_range("T", T, 0.05, 300.0, lo_open=True)
    noise = check.in_range("noise", noise, 0.0, 1.0, hi_open=True)
    n_c_step = check.in_range("n_c_step", n_c_step, 0.0, 0.1, lo_open=True)
    pixel_m = check.in_range("pixel_m", pixel_m, 0.0, 1.0, lo_open=True)
    seed = check.integer("seed", seed, 0, 2**32 - 1)
    vm = 0.0 if lockin_mV is None else check.nonnegative("lockin_mV", lockin_mV, 100.0)
    gamma_step = check.in_range("gamma_step", gamma_step, 0.0, 1.0, lo_open=True)
    q = np.round(ncm / n_c_step) * n_c_step
    gmaps = []
    for name, val in (("gamma_alpha", gamma_alpha), ("gamma_beta", gamma_beta)):
        arr = check.finite_array(name, val)
        if arr.ndim == 0:
            arr = np.full(q.shape, float(arr))
        elif arr.shape != q.shape:
            raise ValueError(f"{name} must be a number or a map of shape {q.shape}, got shape {arr.shape}")
        arr = np.maximum(np.round(arr / gamma_step), 1.0) * gamma_step
        if np.any(arr <= 0.0) or np.any(arr > 100.0):
            raise ValueError(f"{name} must lie in (0, 100] meV")
        gmaps.append(arr)
    kt = K_B_MEV_PER_K * T
    h = min(kt / 4.0, 0.25)
    emax = float(np.max(np.abs(bias))) + vm + 14 * kt
    egrid = np.linspace(-emax, emax, int(np.ceil(2 * emax / h)) + 1)
    if vm > 0.0:
        from .fit import _Y_NODES, WINDOW_KT
        xq, wq = np.polynomial.legendre.leggauss(_Y_NODES)
        y = WINDOW_KT * kt * xq
        fw = wq / np.cosh(y / (2.0 * kt)) ** 2
        window = kern.lockin_window(bias, egrid, kt, vm, y, fw / fw.sum())
    else:
        window = kern.fermi_window(bias, egrid, kt)
    far = np.abs(egrid) > 0.9 * emax
    gaps, spectra, extrema = {}, {}, {}
    for nc in np.unique(q):
        gaps[nc] = mg = tunneling.triplon_gaps(float(nc), lam, kappa, Omega, source=source)
        extrema[nc] = (*mg.extrema["alpha"], *mg.extrema["beta"])
    keys = np.stack([q, *gmaps], axis=-1)
    for key in {tuple(k) for k in keys.reshape(-1, 3)}:
        mg = gaps[key[0]]
        s = tunneling.stm_spectrum(egrid, mg.p, mg.delta_alpha, mg.delta_beta, r=r, gamma_alpha=key[1],
                                   gamma_beta=key[2])
        g = np.asarray(s.total, float)
        spectra[key] = window @ (g / np.mean(g[far]))
    ny, nx = q.shape
    cube = np.stack([np.stack([spectra[tuple(keys[i, j])] for j in range(nx)]) for i in range(ny)])
    cube = cube * (1.0 + noise * np.random.default_rng(seed).standard_normal(cube.shape))
    x = (np.arange(nx) + 0.5) * pixel_m
    y = (np.arange(ny) + 0.5) * pixel_m
    coords = {"y": ("y", y, {"units": "m"}), "x": ("x", x, {"units": "m"})}
    grid = xr.DataArray(cube, dims=("y", "x", "bias"), coords={**coords, "bias": ("bias", bias, {"units": "mV"})},
                        attrs={"channel": "dI/dV (normalised)", "units": "1", "source": "synthetic_film"})
    ex = np.array([[extrema[q[i, j]] for j in range(nx)] for i in range(ny)])
    truth = xr.Dataset({"n_c": (("y", "x"), q),
                        "delta_alpha_min": (("y", "x"), ex[..., 0], {"units": "meV"}),
                        "delta_alpha_max": (("y", "x"), ex[..., 1], {"units": "meV"}),
                        "delta_beta_min": (("y", "x"), ex[..., 2], {"units": "meV"}),
                        "delta_beta_max": (("y", "x"), ex[..., 3], {"units": "meV"}),
                        "gamma_alpha": (("y", "x"), gmaps[0], {"units": "meV"}),
                        "gamma_beta": (("y", "x"), gmaps[1], {"units": "meV"})}, coords=coords)

    def _setting(arr):
        return float(arr.flat[0]) if np.all(arr == arr.flat[0]) else "map"

    settings = {"lam": lam, "kappa": kappa, "Omega": Omega, "source": source, "r": r,
                "gamma_alpha": _setting(gmaps[0]), "gamma_beta": _setting(gmaps[1]), "T": T, "noise": noise,
                "lockin_mV": vm or None}
    return SyntheticFilm(grid, truth, settings)


@dataclass(frozen=True)
class GapRecovery:
    """How one fitted gap map follows the model's gaps (result of :func:`gap_recovery`).

    The reference matters: an isotropic fit of an anisotropic gap sits between the
    gap's minimum and maximum on the sheet, so the slope, the correlation and the
    mean offset are given against both. All energies in meV.

    Attributes
    ----------
    gap : str
        "large" (compared with the alpha band's gap) or "small" (beta).
    pixels : int
        Number of usable (``ok``) pixels compared.
    fit_mean : float
        Mean of the fitted gap.
    fit_std : float
        Spatial spread (standard deviation) of the fitted gap.
    slope_max : float
        Least-squares slope of the fitted gap against the gap maxima (dimensionless).
    corr_max : float
        Correlation of the fitted gap with the gap maxima.
    offset_max : float
        Mean of fitted - maximum.
    slope_min : float
        Slope against the gap minima.
    corr_min : float
        Correlation with the gap minima.
    offset_min : float
        Mean of fitted - minimum.
    spread_max : float
        Spatial spread (standard deviation) of the gap maxima.
    spread_min : float
        Spatial spread of the gap minima.
    anisotropy : tuple of float
        Smallest and largest max - min over the pixels (the gap's anisotropy on the sheet).

    Examples
    --------
    >>> r = GapRecovery("large", 4, 70.0, 1.0, 1.0, 1.0, -3.0, 0.9, 1.0, 3.0, 1.0, 1.1, (6.0, 7.0))
    >>> r.slope_max, r.anisotropy
    (1.0, (6.0, 7.0))
    """

    gap: str
    pixels: int
    fit_mean: float
    fit_std: float
    slope_max: float
    corr_max: float
    offset_max: float
    slope_min: float
    corr_min: float
    offset_min: float
    spread_max: float
    spread_min: float
    anisotropy: tuple


def _line(t, f):
    """Least-squares slope of f against t and their correlation (NaN for a constant t)."""
    if np.ptp(t) == 0.0:
        return float("nan"), float("nan")
    return float(np.polyfit(t, f, 1)[0]), float(np.corrcoef(t, f)[0, 1])


def gap_recovery(maps, truth):
    """Compare a two-gap map fit with the truth of a synthetic film, against the gap maxima and minima.

    The larger fitted gap of each pixel is compared with the alpha band's gap, the smaller
    with the beta band's (the fitter returns the two gaps in either order).

    Parameters
    ----------
    maps : xarray.Dataset
        Two-gap maps with ``delta1``, ``delta2`` (meV) and ``ok`` on dims (y, x), e.g. from
        :func:`nickelates.gapmap.fit_map` with ``n_gaps=2``.
    truth : xarray.Dataset
        The film's truth (:attr:`SyntheticFilm.truth`) on the same (y, x) grid: ``delta_alpha_max``,
        ``delta_alpha_min``, ``delta_beta_max``, ``delta_beta_min`` (meV).

    Returns
    -------
    dict
        ``{"large": GapRecovery, "small": GapRecovery}``.

    Raises
    ------
    ValueError
        If the shapes differ, a variable is missing, or fewer than 3 pixels are usable.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> mx = np.array([[70.0, 71.0], [72.0, 73.0]])
    >>> truth = xr.Dataset({"delta_alpha_max": (("y", "x"), mx), "delta_alpha_min": (("y", "x"), mx - 6),
    ...                     "delta_beta_max": (("y", "x"), mx - 30), "delta_beta_min": (("y", "x"), mx - 33)})
    >>> maps = xr.Dataset({"delta1": (("y", "x"), mx - 3), "delta2": (("y", "x"), mx - 31),
    ...                    "ok": (("y", "x"), np.ones((2, 2), bool))})
    >>> r = gap_recovery(maps, truth)["large"]
    >>> round(r.slope_max, 6), round(r.offset_max, 6), round(r.offset_min, 6)
    (1.0, -3.0, 3.0)
    """
    need_m = ("delta1", "delta2", "ok")
    need_t = ("delta_alpha_max", "delta_alpha_min", "delta_beta_max", "delta_beta_min")
    for name, ds, need in (("maps", maps, need_m), ("truth", truth, need_t)):
        missing = [v for v in need if v not in getattr(ds, "data_vars", {})]
        if missing:
            raise ValueError(f"{name} lacks {', '.join(missing)}")
    d1, d2 = np.asarray(maps["delta1"].values, float), np.asarray(maps["delta2"].values, float)
    if d1.shape != truth["delta_alpha_max"].shape:
        raise ValueError(f"maps and truth must have the same (y, x) shape, got {d1.shape} and "
                         f"{truth['delta_alpha_max'].shape}")
    ok = np.asarray(maps["ok"].values, bool) & np.isfinite(d1) & np.isfinite(d2)
    if ok.sum() < 3:
        raise ValueError(f"at least 3 usable pixels are needed, got {int(ok.sum())}")
    out = {}
    for label, fitted, band in (("large", np.fmax(d1, d2), "alpha"), ("small", np.fmin(d1, d2), "beta")):
        f = fitted[ok]
        tmax = np.asarray(truth[f"delta_{band}_max"].values, float)[ok]
        tmin = np.asarray(truth[f"delta_{band}_min"].values, float)[ok]
        (smax, cmax), (smin, cmin) = _line(tmax, f), _line(tmin, f)
        aniso = tmax - tmin
        out[label] = GapRecovery(label, int(ok.sum()), float(f.mean()), float(f.std()), smax, cmax,
                                 float(np.mean(f - tmax)), smin, cmin, float(np.mean(f - tmin)),
                                 float(tmax.std()), float(tmin.std()), (float(aniso.min()), float(aniso.max())))
    return out

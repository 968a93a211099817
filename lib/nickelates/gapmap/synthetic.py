"""Synthetic STM grids of an inhomogeneous film from the triplon model (chapter 5).

A smooth map of the local filling n_c(r) is turned into a grid of STM spectra:
at each pixel the model's anisotropic s+- gaps (:func:`nickelates.tunneling.triplon_gaps`)
give the Fermi-surface averaged Dynes conductance of Fig. 5
(:func:`nickelates.tunneling.stm_spectrum`), convolved with the Fermi window
at the measurement temperature and given multiplicative noise. The filling is
rounded to a step (``n_c_step``) so that pixels of equal n_c share one model
solution; the truth maps use the rounded values, so they are exact for the grid.

Units: bias in mV, gaps in meV, T in K, coordinates in m.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as check

__all__ = ["smooth_field", "SyntheticFilm", "synthetic_film"]


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
        ``delta_beta_max``, ``delta_beta_min`` (meV, |Delta| on the sheets).
    settings : dict
        lam, kappa, Omega (eV), source, r, gamma_alpha, gamma_beta (meV), T (K), noise.

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
                   pixel_m=1e-9):
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
    gamma_alpha, gamma_beta : float
        Dynes broadenings of the two bands (meV).
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
    q = np.round(ncm / n_c_step) * n_c_step
    kt = K_B_MEV_PER_K * T
    h = min(kt / 4.0, 0.25)
    emax = float(np.max(np.abs(bias))) + 14 * kt
    egrid = np.linspace(-emax, emax, int(np.ceil(2 * emax / h)) + 1)
    window = kern.fermi_window(bias, egrid, kt)
    spectra, extrema = {}, {}
    for nc in np.unique(q):
        mg = tunneling.triplon_gaps(float(nc), lam, kappa, Omega, source=source)
        s = tunneling.stm_spectrum(egrid, mg.p, mg.delta_alpha, mg.delta_beta, r=r, gamma_alpha=gamma_alpha,
                                   gamma_beta=gamma_beta)
        g = np.asarray(s.total, float)
        far = np.abs(egrid) > 0.9 * emax
        spectra[nc] = window @ (g / np.mean(g[far]))
        extrema[nc] = (*mg.extrema["alpha"], *mg.extrema["beta"])
    ny, nx = q.shape
    cube = np.stack([np.stack([spectra[q[i, j]] for j in range(nx)]) for i in range(ny)])
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
                        "delta_beta_max": (("y", "x"), ex[..., 3], {"units": "meV"})}, coords=coords)
    settings = {"lam": lam, "kappa": kappa, "Omega": Omega, "source": source, "r": r, "gamma_alpha": gamma_alpha,
                "gamma_beta": gamma_beta, "T": T, "noise": noise}
    return SyntheticFilm(grid, truth, settings)

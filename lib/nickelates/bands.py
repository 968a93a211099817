"""Bilayer d_{x^2-y^2} bands of the triplon model (Liu & Khaliullin, Eq. 1-5).

Two conduction bands, antibonding alpha and bonding beta, share the in-plane
tight-binding dispersion and differ only by the eta_k^2 shift produced by
virtual hopping into the d_{3z^2-r^2} dimer states (Eq. 3):

    xi_{alpha/beta}(k) = -4 (t1 g1 + t2 g2 + t3 g3) + eps_{alpha/beta} eta_k^2 - mu,
    g1 = (cos kx + cos ky)/2,  g2 = cos kx cos ky,  g3 = (cos 2kx + cos 2ky)/2,
    eta_k = cos kx - cos ky.

Units: energies in eV, momenta in 1/a (a = in-plane Ni-Ni distance).

Counting conventions (used throughout the book):

* ``n_alpha``, ``n_beta``: electrons per Ni in each band, both spins. The
  bilayer unit cell has two Ni and each band holds two electrons per k-point,
  so n_zeta equals the occupied fraction of the Brillouin zone and lies in
  [0, 1]; n_c = n_alpha + n_beta lies in (0, 2).
* DOS ``N``: per spin and per k-point of the bilayer Brillouin zone,
  N_zeta = (1/N_k) sum_k delta(xi_zeta k), in 1/eV. ``Nt`` is the same with an
  eta_k^2 weight (the paper's N-tilde).

Fermi-surface integrals use the polar (Fermi-contour) representation: every
sheet of the model is star-shaped about Gamma or about M = (pi, pi), so along
a ray k = c + s r (cos th, sin th) the Fermi radius r_F(th) is a single root,
and delta-function integrals become one-dimensional:

    int d^2k delta(xi) f(k) = int dth r_F f(k_F) / |d xi/d r|.

The integrand is smooth and periodic in th, so the midpoint rule converges
exponentially; the number of angles is doubled until the requested relative
tolerance is met. Where a sheet is not star-shaped (near Lifshitz transitions)
the code falls back to linear-triangle integration on a uniform grid with
Richardson extrapolation (O(h^2) error, estimate reported).
"""
from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _validate as V
from .errors import ConvergenceError
from .kernels import bands as K

__all__ = [
    "BandParams", "PAPER_V3", "PAPER_V1", "eta", "dispersion", "band_energy",
    "fillings", "mu_for_density", "with_density", "fermi_level_dos", "FermiLevelDOS",
    "fermi_surface", "FermiSurface", "orbital_content", "high_symmetry_path",
    "BAND_NAMES", "check_params", "critical_points", "velocity", "contour_integrals",
]

BAND_NAMES = ("alpha", "beta")
_MAX_ANGLES = 2 ** 16


@dataclass(frozen=True)
class BandParams:
    """Tight-binding parameters of Eq. (5), all in eV.

    t1, t2, t3 : first-, second-, third-neighbour hopping
    eps_a, eps_b : eta^2 shifts of the antibonding (alpha) and bonding (beta) bands
    mu : chemical potential
    """

    t1: float
    t2: float
    t3: float
    eps_a: float
    eps_b: float
    mu: float

    def __post_init__(self):
        for f in dataclasses.fields(self):
            V.finite(f.name, getattr(self, f.name))

    def band(self, band: str):
        """(t1, t2, t3, eps, mu) of one band, for the kernels."""
        V.choice("band", band, BAND_NAMES)
        eps = self.eps_a if band == "alpha" else self.eps_b
        return float(self.t1), float(self.t2), float(self.t3), float(eps), float(self.mu)


#: Fig. 2 of v3 (June 2026): n_alpha + n_beta = 0.45 quoted.
PAPER_V3 = BandParams(t1=0.45, t2=-0.23, t3=0.07, eps_a=0.4, eps_b=0.1, mu=-0.65)
#: Fig. 2 of v1 (March 2026): n_alpha = 0.14, n_beta = 0.31 quoted.
PAPER_V1 = BandParams(t1=0.45, t2=-0.24, t3=0.06, eps_a=0.4, eps_b=0.1, mu=-0.65)


def check_params(p) -> BandParams:
    """Return ``p`` if it is a :class:`BandParams`, else raise.

    Parameters
    ----------
    p : BandParams
        Band parameters (hoppings and level energies in eV).

    Returns
    -------
    BandParams
        ``p`` itself.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`BandParams`.

    Examples
    --------
    >>> check_params(PAPER_V3) is PAPER_V3
    True
    """
    if not isinstance(p, BandParams):
        raise TypeError(f"p must be a bands.BandParams, got {type(p).__name__}")
    return p


def eta(kx, ky):
    """Form factor eta_k = cos kx - cos ky (dimensionless)."""
    kx = V.finite_array("kx", kx)
    ky = V.finite_array("ky", ky)
    return np.cos(kx) - np.cos(ky)


def band_energy(kx, ky, p: BandParams, band: str):
    """xi_band(k) of Eq. (5) in eV for ``band`` in {"alpha", "beta"}."""
    p = check_params(p)
    t1, t2, t3, eps, mu = p.band(band)
    kx = V.finite_array("kx", kx)
    ky = V.finite_array("ky", ky)
    cx, cy = np.cos(kx), np.cos(ky)
    base = -4.0 * (t1 * 0.5 * (cx + cy) + t2 * cx * cy + t3 * 0.5 * (np.cos(2 * kx) + np.cos(2 * ky)))
    return base + eps * (cx - cy) ** 2 - mu


def dispersion(kx, ky, p: BandParams):
    """Band energies (xi_alpha, xi_beta) of Eq. (5) at momenta (kx, ky), in eV.

    kx, ky : array-like (broadcastable), momenta in 1/a.
    """
    return band_energy(kx, ky, p, "alpha"), band_energy(kx, ky, p, "beta")


def critical_points(p: BandParams, band: str):
    """Band-structure critical points on the Gamma-X line, where the DOS is singular.

    Returns a list of (mu_c, kx, kind) with kind "minimum", "maximum" or
    "saddle": the chemical potential (eV) at which the Fermi level crosses the
    critical point (kx, 0). By the C4v symmetry every critical point on
    Gamma-X is a minimum or maximum along kx; along ky it is then classified
    from the second derivative. A saddle gives a logarithmic van Hove
    divergence of the DOS, a minimum or maximum a step (a pocket appears or
    disappears: a Lifshitz transition).
    """
    t1, t2, t3, eps, _ = check_params(p).band(band)
    from scipy.optimize import minimize_scalar

    def xi(kx, ky=0.0):
        return float(K.xi_point(kx, ky, t1, t2, t3, eps, 0.0))

    ks = np.linspace(0.0, math.pi, 2001)
    vals = np.array([xi(k) for k in ks])
    out = []
    h = 1e-4

    def classify(k0):
        dxx = (xi(k0 + h) - 2 * xi(k0) + xi(k0 - h)) / h ** 2
        dyy = (xi(k0, h) - 2 * xi(k0, 0.0) + xi(k0, -h)) / h ** 2
        if dxx > 0 and dyy > 0:
            return "minimum"
        if dxx < 0 and dyy < 0:
            return "maximum"
        return "saddle"

    for k0 in (0.0, math.pi):
        out.append((xi(k0), k0, classify(k0)))
    for i in range(1, ks.size - 1):
        if (vals[i] - vals[i - 1]) * (vals[i + 1] - vals[i]) < 0:
            sgn = 1.0 if vals[i] > vals[i - 1] else -1.0
            r = minimize_scalar(lambda k: -sgn * xi(k), bounds=(ks[i - 1], ks[i + 1]),
                                method="bounded", options={"xatol": 1e-12})
            out.append((xi(r.x), float(r.x), classify(float(r.x))))
    return sorted(out)


def high_symmetry_path(n: int = 200):
    """Momenta along Gamma(0,0) - X(pi,0) - M(pi,pi) - Gamma.

    Returns (kx, ky, s, ticks) with s the path length and ticks the positions
    of (Gamma, X, M, Gamma) on it.
    """
    n = V.integer("n", n, 2, 100000)
    corners = np.array([[0, 0], [math.pi, 0], [math.pi, math.pi], [0, 0]], float)
    segs = []
    for a, b in zip(corners[:-1], corners[1:]):
        t = np.linspace(0, 1, n, endpoint=False)[:, None]
        segs.append(a + (b - a) * t)
    pts = np.vstack(segs + [corners[-1:]])
    s = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))])
    ticks = [0.0, math.pi, 2 * math.pi, 2 * math.pi + math.sqrt(2) * math.pi]
    return pts[:, 0], pts[:, 1], s, ticks


# --------------------------------------------------------------------------
# Fermi-surface geometry


_CENTRES = ((0.0, 0.0, 1.0, "Gamma"), (math.pi, math.pi, -1.0, "M"))


def _find_centre(band_args):
    """First centre about which the sheet is star-shaped, or None."""
    th = (np.arange(128) + 0.5) * (0.5 * math.pi / 128)
    for cx, cy, sgn, name in _CENTRES:
        _, _, ncross = K.polar_radii(*band_args, cx, cy, sgn, th, 256)
        if np.all(ncross == 1):
            return cx, cy, sgn, name
    return None


def _band_extent(band_args):
    """(min, max) of xi + mu over the zone, eV (independent of mu, cached)."""
    return _band_extent_cached(*band_args[:4])


@functools.lru_cache(maxsize=256)
def _band_extent_cached(t1, t2, t3, eps):
    k = np.linspace(0, math.pi, 257)
    kx, ky = np.meshgrid(k, k, indexing="ij")
    e = K.xi_grid(kx, ky, t1, t2, t3, eps, 0.0)
    return float(e.min()), float(e.max())


def _polar_fixed(band_args, centre, m):
    """(occupied fraction, N, Nt) from the midpoint rule with m angles per quarter zone."""
    cx, cy, sgn, _ = centre
    inside_occupied = K.xi_point(cx, cy, *band_args) < 0.0
    h = 0.5 * math.pi / m
    th = (np.arange(m) + 0.5) * h
    r, dr, _ = K.polar_radii(*band_args, cx, cy, sgn, th, 32)
    kx = cx + sgn * r * np.cos(th)
    ky = cy + sgn * r * np.sin(th)
    w = r / np.abs(dr)
    area = 0.5 * np.sum(r * r) * h / math.pi ** 2
    occ = area if inside_occupied else 1.0 - area
    N = np.sum(w) * h / math.pi ** 2
    Nt = np.sum(w * (np.cos(kx) - np.cos(ky)) ** 2) * h / math.pi ** 2
    return np.array([occ, N, Nt])


def _polar_quarter(band_args, centre, rtol):
    """(occupied fraction, N, Nt) from the polar representation, converged to rtol."""
    prev = None
    m = 64
    err = math.inf
    while m <= _MAX_ANGLES:
        cur = _polar_fixed(band_args, centre, m)
        if prev is not None:
            err = np.max(np.abs(cur - prev) / np.maximum(np.abs(cur), 1e-300))
            if err < rtol:
                return cur, err
        prev = cur
        m *= 2
    raise ConvergenceError(
        f"Fermi-contour integral did not reach rtol={rtol:g} with {_MAX_ANGLES} angles "
        f"(last relative change {err:.2e}); the Fermi level is probably at a van Hove singularity",
        iterations=m, residual=err, last=cur)


def contour_integrals(p: BandParams, band: str, n_angles: int):
    """(n_band, N_band, Nt_band) by the Fermi-contour rule with a fixed number of angles.

    n_angles : midpoint-rule angles per quarter zone (the converged routines
    double it until the tolerance is met; this fixed-n version shows the
    convergence). Units as in :func:`fillings` and :func:`fermi_level_dos`.
    Raises ValueError if the sheet is not star-shaped about Gamma or M.
    """
    p = check_params(p)
    n_angles = V.integer("n_angles", n_angles, 1, _MAX_ANGLES)
    args = p.band(band)
    centre = _find_centre(args)
    if centre is None:
        raise ValueError(f"the {band} Fermi sheet at mu={p.mu} eV is not star-shaped about Gamma or M")
    return tuple(float(x) for x in _polar_fixed(args, centre, n_angles))


def _triangle(band_args, n_grid, rtol):
    """Linear-triangle integration at n_grid/2 and n_grid with Richardson extrapolation."""
    a = np.array(K.triangle_quarter(*band_args, n_grid // 2))
    b = np.array(K.triangle_quarter(*band_args, n_grid))
    extrap = (4.0 * b - a) / 3.0
    err = np.max(np.abs(extrap - b) / np.maximum(np.abs(extrap), 1e-12))
    if rtol is not None and err > rtol:
        raise ValueError(
            f"n_grid={n_grid} is too small for rtol={rtol:g}: the estimated relative error is "
            f"{err:.1e}; increase n_grid (the error falls as n_grid**-2)")
    return extrap, err


def _band_integrals(p, band, method, rtol, n_grid):
    args = p.band(band)
    lo, hi = _band_extent(args)
    if p.mu <= lo:
        return np.zeros(3), 0.0, "empty"
    if p.mu >= hi:
        return np.array([1.0, 0.0, 0.0]), 0.0, "full"
    if method in ("auto", "contour"):
        centre = _find_centre(args)
        if centre is not None:
            try:
                vals, err = _polar_quarter(args, centre, rtol)
                return vals, err, "contour"
            except ConvergenceError:
                if method == "contour":
                    raise
        if method == "contour":
            raise ValueError(
                f"method='contour' needs a Fermi sheet star-shaped about Gamma or M; the {band} "
                f"sheet at mu={p.mu} is not (use method='triangle' or 'auto')")
    vals, err = _triangle(args, n_grid, None if method == "auto" else rtol)
    return vals, err, "triangle"


def _method_args(method, rtol, n_grid):
    V.choice("method", method, ("auto", "contour", "triangle"))
    rtol = V.in_range("rtol", rtol, 1e-14, 0.1)
    n_grid = V.integer("n_grid", n_grid, 16, 1 << 14)
    if n_grid % 2:
        raise ValueError(f"n_grid must be even, got {n_grid}")
    return method, rtol, n_grid


def fillings(p: BandParams, *, method: str = "auto", rtol: float = 1e-10, n_grid: int = 1024):
    """Band fillings (n_alpha, n_beta): electrons per Ni in each band, both spins.

    n_zeta is the occupied fraction of the bilayer Brillouin zone (0 <= n <= 1).
    method : "auto" (Fermi-contour integral, triangle fallback), "contour" or "triangle".
    rtol : requested relative accuracy; n_grid : grid of the triangle method.
    """
    p = check_params(p)
    method, rtol, n_grid = _method_args(method, rtol, n_grid)
    return tuple(float(_band_integrals(p, b, method, rtol, n_grid)[0][0]) for b in BAND_NAMES)


class FermiLevelDOS(NamedTuple):
    """Densities of states at the Fermi level, per spin per k-point, 1/eV."""

    N_alpha: float
    N_beta: float
    Nt_alpha: float
    Nt_beta: float


def fermi_level_dos(p: BandParams, *, method: str = "auto", rtol: float = 1e-8,
                    n_grid: int = 2048, return_error: bool = False):
    """(N_alpha, N_beta, Nt_alpha, Nt_beta) at the Fermi level.

    N_zeta = (1/N_k) sum_k delta(xi_zeta k) per spin and per k-point of the
    bilayer Brillouin zone, in 1/eV; Nt_zeta carries the extra weight eta_k^2.

    method : "auto" | "contour" | "triangle" (see module docstring).
    rtol : requested relative accuracy. With method="triangle", a grid n_grid
        whose estimated error exceeds rtol raises ValueError.
    return_error : also return (estimated relative error, method used per band).
    """
    p = check_params(p)
    method, rtol, n_grid = _method_args(method, rtol, n_grid)
    res = [_band_integrals(p, b, method, rtol, n_grid) for b in BAND_NAMES]
    out = FermiLevelDOS(float(res[0][0][1]), float(res[1][0][1]), float(res[0][0][2]), float(res[1][0][2]))
    if return_error:
        return out, max(r[1] for r in res), tuple(r[2] for r in res)
    return out


def mu_for_density(n_c: float, p: BandParams, *, rtol: float = 1e-10) -> float:
    """Chemical potential (eV) at which n_alpha + n_beta = n_c (electrons per Ni).

    n_c must lie in the open interval (0, 2). All other parameters of ``p``
    are kept; its own ``mu`` is the starting guess. Safeguarded Newton on
    n_c(mu) with dn_c/dmu = N_alpha + N_beta (both from the same Fermi-surface
    integral), falling back to bisection inside a shrinking bracket.
    """
    p = check_params(p)
    n_c = V.in_range("n_c", n_c, 0.0, 2.0, lo_open=True, hi_open=True)
    rtol = V.in_range("rtol", rtol, 1e-14, 1e-3)
    ext = [_band_extent(p.band(b)) for b in BAND_NAMES]
    lo = min(e[0] for e in ext)
    hi = max(e[1] for e in ext)
    mu = min(max(p.mu, lo), hi)
    f = math.inf
    for it in range(200):
        q = dataclasses.replace(p, mu=mu)
        vals = [_band_integrals(q, b, "auto", min(rtol, 1e-8), 1024)[0] for b in BAND_NAMES]
        f = vals[0][0] + vals[1][0] - n_c
        if abs(f) <= rtol * n_c:
            return float(mu)
        if f > 0:
            hi = mu
        else:
            lo = mu
        dn = vals[0][1] + vals[1][1]
        nxt = mu - f / dn if dn > 0 else math.nan
        mu = nxt if lo < nxt < hi else 0.5 * (lo + hi)
        if hi - lo < 1e-14:
            return float(mu)
    raise ConvergenceError(f"mu_for_density did not converge for n_c={n_c}: last mu={mu}, "
                           f"density error {f:.2e}", iterations=200, residual=f, last=mu)


def with_density(p: BandParams, n_c: float) -> BandParams:
    """Copy of ``p`` with mu chosen so that n_alpha + n_beta = n_c."""
    return dataclasses.replace(p, mu=mu_for_density(n_c, p))


@dataclass(frozen=True)
class FermiSurface:
    """Points of one Fermi sheet, ordered by the polar angle theta.

    kx, ky : momenta (1/a); for a sheet centred at M they lie around (pi, pi)
        (use modulo 2 pi to fold them into a zone).
    theta : polar angle (rad) in [0, 2 pi) about the sheet centre, measured so
        that theta = 0 points along an axis (largest |eta_k|) and theta = pi/4
        along the zone diagonal, where eta_k = 0. About Gamma: k = r(cos, sin);
        about M: k = M - r(cos, sin), so theta in [0, pi/2] covers [0, pi]^2.
    weight : DOS weight of each point, d theta r_F / |d xi/d r| / (2 pi)^2, so
        that weight.sum() = N_band (per spin per k-point, 1/eV). A Fermi-surface
        average of f is (weight * f).sum() / weight.sum().
    arc : arc-length element of each point (1/a), for length-weighted averages.
    centre : "Gamma" or "M".
    """

    band: str
    kx: np.ndarray
    ky: np.ndarray
    theta: np.ndarray
    weight: np.ndarray
    arc: np.ndarray
    centre: str


def fermi_surface(p: BandParams, band: str, *, n_theta: int = 720) -> FermiSurface:
    """The Fermi sheet of ``band`` ("alpha" or "beta") at n_theta angles.

    Raises ValueError if the band is empty or full, or if the sheet is not
    star-shaped about Gamma or M (then no single polar angle labels it).
    """
    p = check_params(p)
    V.choice("band", band, BAND_NAMES)
    n_theta = V.integer("n_theta", n_theta, 8, 10 ** 7)
    args = p.band(band)
    lo, hi = _band_extent(args)
    if not lo < p.mu < hi:
        raise ValueError(f"the {band} band has no Fermi surface at mu={p.mu} eV "
                         f"(band spans [{lo:.4f}, {hi:.4f}] eV)")
    centre = _find_centre(args)
    if centre is None:
        raise ValueError(f"the {band} Fermi sheet at mu={p.mu} eV is not star-shaped about Gamma or M")
    cx, cy, sgn, name = centre
    h = 2 * math.pi / n_theta
    th = np.arange(n_theta) * h
    r, dr, _ = K.polar_radii(*args, cx, cy, sgn, th, 64)
    kx = cx + sgn * r * np.cos(th)
    ky = cy + sgn * r * np.sin(th)
    weight = h * r / np.abs(dr) / (2 * math.pi) ** 2
    # dr/dtheta from implicit differentiation: d xi/d theta + d xi/d r * dr/dtheta = 0
    gx, gy = _grad(kx, ky, args)
    dxi_dth = sgn * r * (-np.sin(th) * gx + np.cos(th) * gy)
    drdth = -dxi_dth / dr
    arc = h * np.sqrt(r ** 2 + drdth ** 2)
    return FermiSurface(band, kx, ky, th, weight, arc, name)


def _grad(kx, ky, args):
    t1, t2, t3, eps, _ = args
    sx, sy, cx, cy = np.sin(kx), np.sin(ky), np.cos(kx), np.cos(ky)
    e = cx - cy
    gx = 2 * t1 * sx + 4 * t2 * sx * cy + 4 * t3 * np.sin(2 * kx) - 2 * eps * e * sx
    gy = 2 * t1 * sy + 4 * t2 * cx * sy + 4 * t3 * np.sin(2 * ky) + 2 * eps * e * sy
    return gx, gy


def velocity(kx, ky, p: BandParams, band: str):
    """Band velocity (d xi/d kx, d xi/d ky) of ``band`` at (kx, ky), in eV * a (hbar v / a).

    The analytic gradient of Eq. (5); multiply by a/hbar for a velocity in m/s.
    """
    p = check_params(p)
    args = p.band(band)
    kx = V.finite_array("kx", kx)
    ky = V.finite_array("ky", ky)
    return _grad(kx, ky, args)


def orbital_content(p: BandParams, t_xz: float, *, average: str = "dos", n_theta: int = 720):
    """Fermi-surface averaged d_{3z^2-r^2} content (pz_alpha, pz_beta).

    p^z = < nu^2 eta^2 / (1 + nu^2 eta^2) >_FS with nu = eps / (2 t_xz), from
    first-order mixing of the conduction state with the dimer orbital.
    t_xz : interorbital hopping in eV (paper: sqrt(3)/4 t_c with t_c = 0.6 eV).
    average : which Fermi-surface average:
        "dos"    - weighted by the local DOS dl/|v_F| (states at the Fermi level),
        "length" - by arc length dl,
        "angle"  - uniform in the polar angle theta.
    """
    p = check_params(p)
    t_xz = V.positive("t_xz", t_xz)
    V.choice("average", average, ("dos", "length", "angle"))
    out = []
    for band in BAND_NAMES:
        fs = fermi_surface(p, band, n_theta=n_theta)
        nu = p.band(band)[3] / (2 * t_xz)
        x = nu ** 2 * (np.cos(fs.kx) - np.cos(fs.ky)) ** 2
        f = x / (1 + x)
        w = {"dos": fs.weight, "length": fs.arc, "angle": np.ones_like(fs.theta)}[average]
        out.append(float(np.sum(w * f) / np.sum(w)))
    return tuple(out)

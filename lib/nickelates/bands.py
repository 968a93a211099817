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

Domain: every parameter of :class:`BandParams` lies in
[-``MAX_ENERGY_EV``, ``MAX_ENERGY_EV``] = [-1e4, 1e4] eV and the band scale
max(|t1|, |t2|, |t3|, |eps_a|, |eps_b|) is at least ``MIN_BAND_SCALE_EV`` =
1e-6 eV; inside that box every function returns finite, correct numbers.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _validate as check
from .errors import ConvergenceError
from .kernels import bands as kernel

__all__ = [
    "BandParams", "PAPER_V3", "PAPER_V1", "BAND_NAMES", "MAX_ENERGY_EV", "MIN_BAND_SCALE_EV",
    "check_params", "eta", "band_energy", "dispersion", "velocity", "high_symmetry_path",
    "CriticalPoint", "critical_points", "fillings", "FermiLevelDOS", "fermi_level_dos",
    "contour_integrals", "mu_for_density", "with_density", "clear_cache",
    "FermiSurface", "fermi_surface", "orbital_content", "ChannelAdmixture", "channel_admixture",
    "residue_factor", "DOSSweep", "dos_vs_filling",
]

#: names of the two conduction bands, in the order of every (alpha, beta) pair the module returns
BAND_NAMES = ("alpha", "beta")
#: largest |parameter| (eV) a :class:`BandParams` may hold
MAX_ENERGY_EV = 1e4
#: smallest band scale max(|t1|, |t2|, |t3|, |eps_a|, |eps_b|) in eV
MIN_BAND_SCALE_EV = 1e-6
_MAX_ANGLES = 2 ** 16
_W_REM_MIN = 1e-12      # smallest removal weight of channel_admixture (below: E_rem^2 underflows)
_MAX_THETA = 10 ** 7          # Fermi-surface points per sheet (a few 100 MB of arrays)


@dataclass(frozen=True)
class BandParams:
    """Tight-binding parameters of Eq. (5), all in eV.

    Parameters
    ----------
    t1, t2, t3 : float
        First-, second- and third-neighbour hopping (eV).
    eps_a, eps_b : float
        eta^2 shifts of the antibonding (alpha) and bonding (beta) bands (eV).
    mu : float
        Chemical potential (eV).

    Raises
    ------
    TypeError
        If a parameter is not a real number.
    ValueError
        If a parameter is not finite or outside [-1e4, 1e4] eV, or if the band
        scale max(|t1|, |t2|, |t3|, |eps_a|, |eps_b|) is below 1e-6 eV.

    Examples
    --------
    >>> p = BandParams(t1=0.45, t2=-0.23, t3=0.07, eps_a=0.4, eps_b=0.1, mu=-0.65)
    >>> p == PAPER_V3
    True
    >>> p.band("beta")
    (0.45, -0.23, 0.07, 0.1, -0.65)
    """

    t1: float
    t2: float
    t3: float
    eps_a: float
    eps_b: float
    mu: float

    def __post_init__(self):
        for f in dataclasses.fields(self):
            v = check.in_range(f.name, getattr(self, f.name), -MAX_ENERGY_EV, MAX_ENERGY_EV)
            object.__setattr__(self, f.name, v)
        scale = max(abs(self.t1), abs(self.t2), abs(self.t3), abs(self.eps_a), abs(self.eps_b))
        if scale < MIN_BAND_SCALE_EV:
            raise ValueError(f"the band scale max(|t1|, |t2|, |t3|, |eps_a|, |eps_b|) must be at least "
                             f"{MIN_BAND_SCALE_EV:g} eV, got {scale:g} eV")

    def band(self, band: str) -> tuple:
        """Return (t1, t2, t3, eps, mu) of one band in eV, the argument list of the kernels.

        Parameters
        ----------
        band : {"alpha", "beta"}
            Which band (``eps`` is ``eps_a`` or ``eps_b``).

        Returns
        -------
        tuple of float
            (t1, t2, t3, eps, mu) in eV.

        Raises
        ------
        ValueError
            If ``band`` is not "alpha" or "beta".
        """
        check.choice("band", band, BAND_NAMES)
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


def _momenta(kx, ky):
    """Validated float arrays of kx, ky (1/a), broadcastable against each other."""
    kx, ky = check.real_array("kx", kx), check.real_array("ky", ky)
    try:
        np.broadcast_shapes(kx.shape, ky.shape)
    except ValueError:
        raise ValueError(f"kx and ky must have broadcastable shapes, got kx {kx.shape} and ky {ky.shape}") from None
    return kx, ky


def eta(kx, ky):
    """Form factor eta_k = cos kx - cos ky (dimensionless).

    Parameters
    ----------
    kx, ky : array_like of float
        Momenta in 1/a (broadcastable).

    Returns
    -------
    numpy.ndarray
        eta_k, in [-2, 2].

    Raises
    ------
    TypeError
        If a momentum array is complex, boolean or not numeric.
    ValueError
        If it is empty or holds non-finite numbers.

    Examples
    --------
    >>> float(eta(math.pi, 0.0))
    -2.0
    """
    kx, ky = _momenta(kx, ky)
    return np.cos(kx) - np.cos(ky)


def band_energy(kx, ky, p: BandParams, band: str):
    """Band energy xi_band(k) of Eq. (5) in eV.

    Parameters
    ----------
    kx, ky : array_like of float
        Momenta in 1/a (broadcastable).
    p : BandParams
        Band parameters (eV).
    band : {"alpha", "beta"}
        Which band.

    Returns
    -------
    numpy.ndarray
        xi (eV), measured from the chemical potential ``p.mu``.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`BandParams` or a momentum array is not real.
    ValueError
        If ``band`` is unknown or a momentum is not finite.

    Examples
    --------
    >>> float(band_energy(0.0, 0.0, PAPER_V3, "alpha"))   # -4 (t1 + t2 + t3) - mu
    -0.51
    """
    p = check_params(p)
    t1, t2, t3, eps, mu = p.band(band)
    kx, ky = _momenta(kx, ky)
    cx, cy = np.cos(kx), np.cos(ky)
    base = -4.0 * (t1 * 0.5 * (cx + cy) + t2 * cx * cy + t3 * 0.5 * (np.cos(2 * kx) + np.cos(2 * ky)))
    return base + eps * (cx - cy) ** 2 - mu


def dispersion(kx, ky, p: BandParams):
    """Band energies (xi_alpha, xi_beta) of Eq. (5) at momenta (kx, ky), in eV.

    Parameters
    ----------
    kx, ky : array_like of float
        Momenta in 1/a (broadcastable).
    p : BandParams
        Band parameters (eV).

    Returns
    -------
    tuple of numpy.ndarray
        (xi_alpha, xi_beta) in eV.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`BandParams` or a momentum array is not real.
    ValueError
        If a momentum is not finite.

    Examples
    --------
    >>> xa, xb = dispersion(math.pi, 0.0, PAPER_V3)      # X: 4 t2 - 4 t3 + 4 eps - mu
    >>> round(float(xa), 6), round(float(xb), 6)
    (1.05, -0.15)
    """
    return band_energy(kx, ky, p, "alpha"), band_energy(kx, ky, p, "beta")


def _grad(kx, ky, args):
    """Gradient of xi on float arrays (no validation), eV a."""
    kx, ky = np.broadcast_arrays(np.asarray(kx, float), np.asarray(ky, float))
    gx, gy = kernel.grad_grid(np.ascontiguousarray(kx).ravel(), np.ascontiguousarray(ky).ravel(), *args[:4])
    return gx.reshape(kx.shape), gy.reshape(kx.shape)


def velocity(kx, ky, p: BandParams, band: str):
    """Band velocity (d xi/d kx, d xi/d ky) of ``band`` at (kx, ky), in eV * a (hbar v / a).

    The analytic gradient of Eq. (5); multiply by a/hbar for a velocity in m/s.

    Parameters
    ----------
    kx, ky : array_like of float
        Momenta in 1/a (broadcastable).
    p : BandParams
        Band parameters (eV).
    band : {"alpha", "beta"}
        Which band.

    Returns
    -------
    tuple of numpy.ndarray
        (d xi/d kx, d xi/d ky) in eV a.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`BandParams` or a momentum array is not real.
    ValueError
        If ``band`` is unknown or a momentum is not finite.

    Examples
    --------
    >>> vx, vy = velocity(math.pi / 2, 0.0, PAPER_V3, "beta")
    >>> round(float(vx), 4), float(vy)
    (0.18, 0.0)
    """
    p = check_params(p)
    args = p.band(band)
    kx, ky = _momenta(kx, ky)
    return _grad(kx, ky, args)


def high_symmetry_path(n: int = 200):
    """Momenta along Gamma(0,0) - X(pi,0) - M(pi,pi) - Gamma.

    Parameters
    ----------
    n : int, optional
        Points per segment (2 to 100000).

    Returns
    -------
    kx, ky : numpy.ndarray
        Momenta (1/a), ``3 n + 1`` points.
    s : numpy.ndarray
        Path length (1/a) at each point.
    ticks : list of float
        Positions of (Gamma, X, M, Gamma) on the path (1/a).

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n`` is outside [2, 100000].

    Examples
    --------
    >>> kx, ky, s, ticks = high_symmetry_path(4)
    >>> kx.size, round(ticks[-1], 4)
    (13, 10.7261)
    """
    n = check.integer("n", n, 2, 100000)
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
# critical points (van Hove singularities and band edges)


class CriticalPoint(NamedTuple):
    """A critical point of one band (zero gradient), where the DOS is singular.

    Attributes
    ----------
    energy : float
        Band energy at the point for mu = 0 (eV), i.e. the chemical potential at
        which the Fermi level crosses it.
    kx : float
        Its momentum (1/a) in the wedge 0 <= ky <= kx <= pi.
    ky : float
        Its momentum (1/a) in the wedge 0 <= ky <= kx <= pi.
    kind : str
        "minimum", "maximum" or "saddle" (a logarithmic van Hove singularity;
        at a minimum or maximum the DOS steps: a Lifshitz transition).

    Examples
    --------
    >>> CriticalPoint(-0.8, math.pi, 0.0, "minimum").kind
    'minimum'
    """

    energy: float
    kx: float
    ky: float
    kind: str


#: mirror lines of the wedge: Gamma-X, X-M, Gamma-M, as k(t) for t in [0, pi]
_MIRROR_LINES = ((lambda t: (t, 0.0 * t)), (lambda t: (0.0 * t + math.pi, t)), (lambda t: (t, t)))
_PERPENDICULAR = ((0.0, 1.0), (1.0, 0.0), (math.sqrt(0.5), -math.sqrt(0.5)))


@functools.lru_cache(maxsize=256)
def _critical_cached(t1, t2, t3, eps):
    from scipy.optimize import minimize_scalar

    args = (t1, t2, t3, eps, 0.0)

    def xi(kx, ky):
        return float(kernel.xi_point(kx, ky, *args))

    def kind(kx, ky, direction, h=1e-4):
        """Classify from the curvatures along the line and across it."""
        curv = []
        for ux, uy in direction:
            curv.append(xi(kx + h * ux, ky + h * uy) - 2 * xi(kx, ky) + xi(kx - h * ux, ky - h * uy))
        if curv[0] > 0 and curv[1] > 0:
            return "minimum"
        if curv[0] < 0 and curv[1] < 0:
            return "maximum"
        return "saddle"

    t = np.linspace(0.0, math.pi, 2049)
    found = {}
    for line, perp in zip(_MIRROR_LINES, _PERPENDICULAR):
        lx, ly = line(t)
        e = kernel.xi_grid(np.ascontiguousarray(lx, float), np.ascontiguousarray(ly, float), *args)
        along = (float(lx[-1] - lx[0]) / math.pi, float(ly[-1] - ly[0]) / math.pi)
        norm = math.hypot(*along)
        along = (along[0] / norm, along[1] / norm)
        cands = [0.0, math.pi]
        d = np.diff(e)
        for i in np.nonzero(d[:-1] * d[1:] < 0)[0]:
            sgn = 1.0 if e[i + 1] > e[i] else -1.0          # maximum (+) or minimum (-) along the line
            r = minimize_scalar(lambda s, sgn=sgn, line=line: -sgn * xi(*line(s)), bounds=(t[i], t[i + 2]),
                                method="bounded", options={"xatol": 1e-12})
            cands.append(float(r.x))
        for s in cands:
            kx, ky = (float(v) for v in line(s))
            key = (round(kx, 9), round(ky, 9))
            if key not in found:
                found[key] = CriticalPoint(xi(kx, ky), kx, ky, kind(kx, ky, (along, perp)))
    return tuple(sorted(found.values()))


def critical_points(p: BandParams, band: str) -> tuple:
    """Critical points of ``band`` on the mirror lines Gamma-X, X-M and Gamma-M.

    Band extrema and saddle points of this model lie on the mirror lines of the
    1/8 wedge (there the gradient across the line vanishes by symmetry); each is
    located as an extremum along its line (refined to 1e-12 in k) and classified
    from the curvatures along and across the line. Gamma, X and M are always
    included.

    Parameters
    ----------
    p : BandParams
        Band parameters (eV); ``p.mu`` does not enter.
    band : {"alpha", "beta"}
        Which band.

    Returns
    -------
    tuple of CriticalPoint
        Sorted by energy (eV, for mu = 0).

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`BandParams`.
    ValueError
        If ``band`` is unknown.

    Examples
    --------
    >>> [(round(c.energy, 4), c.kind) for c in critical_points(PAPER_V3, "beta")]
    [(-1.16, 'minimum'), (-0.8, 'minimum'), (-0.755, 'saddle'), (2.44, 'maximum')]
    """
    t1, t2, t3, eps, _ = check_params(p).band(band)
    return _critical_cached(t1, t2, t3, eps)


# --------------------------------------------------------------------------
# Fermi-surface geometry


_CENTRES = ((0.0, 0.0, 1.0, "Gamma"), (math.pi, math.pi, -1.0, "M"))


def _find_centre(band_args):
    """First centre about which the sheet is star-shaped, or None."""
    th = (np.arange(128) + 0.5) * (0.5 * math.pi / 128)
    for cx, cy, sgn, name in _CENTRES:
        _, _, ncross = kernel.polar_radii(*band_args, cx, cy, sgn, th, 256)
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
    e = kernel.xi_grid(kx, ky, t1, t2, t3, eps, 0.0)
    lo, hi = float(e.min()), float(e.max())
    # the true extrema are critical points; the grid only brackets them
    crit = [c.energy for c in _critical_cached(t1, t2, t3, eps)]
    return min([lo, *crit]), max([hi, *crit])


def _polar_fixed(band_args, centre, m):
    """(occupied fraction, N, Nt) from the midpoint rule with m angles per quarter zone."""
    cx, cy, sgn, _ = centre
    inside_occupied = kernel.xi_point(cx, cy, *band_args) < 0.0
    h = 0.5 * math.pi / m
    th = (np.arange(m) + 0.5) * h
    r, dr, _ = kernel.polar_radii(*band_args, cx, cy, sgn, th, 32)
    kx = cx + sgn * r * np.cos(th)
    ky = cy + sgn * r * np.sin(th)
    with np.errstate(divide="ignore", invalid="ignore"):   # a contour through a saddle: the caller
        w = r / np.abs(dr)                                  # sees the non-finite sum and falls back
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
        if not np.all(np.isfinite(cur)):
            break
        if prev is not None:
            err = np.max(np.abs(cur - prev) / np.maximum(np.abs(cur), 1e-300))
            if err < rtol:
                return cur, err
        prev = cur
        m *= 2
    raise ConvergenceError(
        f"Fermi-contour integral did not reach rtol={rtol:g} with {_MAX_ANGLES} angles "
        f"(last relative change {err:.2e}); the Fermi level is probably at a van Hove singularity",
        iterations=m, residual=err, last=prev)


def contour_integrals(p: BandParams, band: str, n_angles: int):
    """(n_band, N_band, Nt_band) by the Fermi-contour rule with a fixed number of angles.

    The converged routines double the number of angles until the tolerance is
    met; this fixed-n version shows the convergence.

    Parameters
    ----------
    p : BandParams
        Band parameters (eV).
    band : {"alpha", "beta"}
        Which band.
    n_angles : int
        Midpoint-rule angles per quarter zone (1 to 65536).

    Returns
    -------
    tuple of float
        Filling (electrons per Ni), DOS N and eta^2-weighted DOS Nt (1/eV per
        spin per k-point).

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`BandParams` or ``n_angles`` not an integer.
    ValueError
        If the sheet is not star-shaped about Gamma or M, or ``n_angles`` is out of range.

    Examples
    --------
    >>> n, N, Nt = contour_integrals(PAPER_V3, "alpha", 64)
    >>> round(n, 4), round(N, 4)
    (0.1459, 0.2859)
    """
    p = check_params(p)
    n_angles = check.integer("n_angles", n_angles, 1, _MAX_ANGLES)
    args = p.band(band)
    lo, hi = _band_extent(args)
    centre = _find_centre(args) if lo < p.mu < hi else None
    if centre is None:
        raise ValueError(f"the {band} Fermi sheet at mu={p.mu} eV is not star-shaped about Gamma or M")
    return tuple(float(x) for x in _polar_fixed(args, centre, n_angles))


def _triangle(band_args, n_grid, rtol):
    """Linear-triangle integration at n_grid/2 and n_grid with Richardson extrapolation."""
    a = np.array(kernel.triangle_quarter(*band_args, n_grid // 2))
    b = np.array(kernel.triangle_quarter(*band_args, n_grid))
    extrap = (4.0 * b - a) / 3.0
    err = np.max(np.abs(extrap - b) / np.maximum(np.abs(extrap), 1e-12))
    if rtol is not None and err > rtol:
        raise ValueError(
            f"n_grid={n_grid} is too small for rtol={rtol:g}: the estimated relative error is "
            f"{err:.1e}; increase n_grid (the error falls as n_grid**-2)")
    extrap[0] = min(max(extrap[0], 0.0), 1.0)
    extrap[1:] = np.maximum(extrap[1:], 0.0)
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
    check.choice("method", method, ("auto", "contour", "triangle"))
    rtol = check.in_range("rtol", rtol, 1e-14, 0.1)
    n_grid = check.integer("n_grid", n_grid, 16, 1 << 14)
    if n_grid % 2:
        raise ValueError(f"n_grid must be even, got {n_grid}")
    return method, rtol, n_grid


def fillings(p: BandParams, *, method: str = "auto", rtol: float = 1e-10, n_grid: int = 1024):
    """Band fillings (n_alpha, n_beta): electrons per Ni in each band, both spins.

    n_zeta is the occupied fraction of the bilayer Brillouin zone (0 <= n <= 1).

    Parameters
    ----------
    p : BandParams
        Band parameters (eV).
    method : {"auto", "contour", "triangle"}, optional
        Fermi-contour integral with triangle fallback, contour only, or triangles only.
    rtol : float, optional
        Requested relative accuracy, in [1e-14, 0.1].
    n_grid : int, optional
        Cells per axis of the triangle method (even, 16 to 16384).

    Returns
    -------
    tuple of float
        (n_alpha, n_beta), each in [0, 1].

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`BandParams`.
    ValueError
        If an option is out of range, or the chosen method cannot reach ``rtol``.

    Examples
    --------
    >>> [round(n, 4) for n in fillings(PAPER_V1)]
    [0.1442, 0.3075]
    """
    p = check_params(p)
    method, rtol, n_grid = _method_args(method, rtol, n_grid)
    return tuple(float(_band_integrals(p, b, method, rtol, n_grid)[0][0]) for b in BAND_NAMES)


class FermiLevelDOS(NamedTuple):
    """Densities of states at the Fermi level, per spin per k-point, 1/eV.

    Attributes
    ----------
    N_alpha : float
        DOS of each band (1/eV).
    N_beta : float
        DOS of each band (1/eV).
    Nt_alpha : float
        eta_k^2-weighted DOS of each band (1/eV), the paper's N-tilde.
    Nt_beta : float
        eta_k^2-weighted DOS of each band (1/eV), the paper's N-tilde.

    Examples
    --------
    >>> d = FermiLevelDOS(0.29, 0.72, 0.09, 1.30)
    >>> round(d.N_beta / d.N_alpha, 2)
    2.48
    """

    N_alpha: float
    N_beta: float
    Nt_alpha: float
    Nt_beta: float


def fermi_level_dos(p: BandParams, *, method: str = "auto", rtol: float = 1e-8,
                    n_grid: int = 2048, return_error: bool = False):
    """Densities of states (N_alpha, N_beta, Nt_alpha, Nt_beta) at the Fermi level.

    N_zeta = (1/N_k) sum_k delta(xi_zeta k) per spin and per k-point of the
    bilayer Brillouin zone, in 1/eV; Nt_zeta carries the extra weight eta_k^2.

    Parameters
    ----------
    p : BandParams
        Band parameters (eV).
    method : {"auto", "contour", "triangle"}, optional
        See the module docstring.
    rtol : float, optional
        Requested relative accuracy, in [1e-14, 0.1]. With method="triangle", a
        grid whose estimated error exceeds ``rtol`` raises ValueError.
    n_grid : int, optional
        Cells per axis of the triangle method (even, 16 to 16384).
    return_error : bool, optional
        Also return the estimated relative error and the method used per band.

    Returns
    -------
    FermiLevelDOS
        The four densities of states (1/eV); with ``return_error`` the tuple
        (dos, estimated relative error, (method alpha, method beta)).

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`BandParams` or ``return_error`` is not a bool.
    ValueError
        If an option is out of range, or the chosen method cannot reach ``rtol``.

    Examples
    --------
    >>> d = fermi_level_dos(PAPER_V3)
    >>> round(d.N_alpha, 4), round(d.N_beta, 4)
    (0.2859, 0.7215)
    """
    p = check_params(p)
    method, rtol, n_grid = _method_args(method, rtol, n_grid)
    return_error = check.boolean("return_error", return_error)
    res = [_band_integrals(p, b, method, rtol, n_grid) for b in BAND_NAMES]
    out = FermiLevelDOS(float(res[0][0][1]), float(res[1][0][1]), float(res[0][0][2]), float(res[1][0][2]))
    if return_error:
        return out, max(r[1] for r in res), tuple(r[2] for r in res)
    return out


def mu_for_density(n_c: float, p: BandParams, *, rtol: float = 1e-10) -> float:
    """Chemical potential (eV) at which n_alpha + n_beta = n_c (electrons per Ni).

    All other parameters of ``p`` are kept; its own ``mu`` is the starting
    guess. Safeguarded Newton on n_c(mu) with dn_c/dmu = N_alpha + N_beta (both
    from the same Fermi-surface integral), falling back to bisection inside a
    shrinking bracket.

    Parameters
    ----------
    n_c : float
        Electrons per Ni, in the open interval (0, 2).
    p : BandParams
        Band parameters (eV).
    rtol : float, optional
        Relative accuracy of the density, in [1e-14, 1e-3].

    Returns
    -------
    float
        mu in eV.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`BandParams`.
    ValueError
        If ``n_c`` or ``rtol`` is out of range.
    ConvergenceError
        If the iteration does not converge in 200 steps.

    Examples
    --------
    >>> round(mu_for_density(0.45, PAPER_V3), 4)
    -0.6477
    """
    p = check_params(p)
    n_c = check.in_range("n_c", n_c, 0.0, 2.0, lo_open=True, hi_open=True)
    rtol = check.in_range("rtol", rtol, 1e-14, 1e-3)
    ext = [_band_extent(p.band(b)) for b in BAND_NAMES]
    lo = min(e[0] for e in ext)
    hi = max(e[1] for e in ext)
    mu = min(max(p.mu, lo), hi)
    mu_tol = 1e-15 * (hi - lo)          # the bracket is resolved to round-off of the band width
    f = math.inf
    for _ in range(200):
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
        if hi - lo < max(1e-14, mu_tol) or hi - lo <= 4 * np.spacing(max(abs(lo), abs(hi))):
            return float(mu)
    raise ConvergenceError(f"mu_for_density did not converge for n_c={n_c}: last mu={mu}, "
                           f"density error {f:.2e}", iterations=200, residual=f, last=mu)


@functools.lru_cache(maxsize=512)
def _with_density_cached(p, n_c):
    return dataclasses.replace(p, mu=mu_for_density(n_c, p))


def with_density(p: BandParams, n_c: float) -> BandParams:
    """Copy of ``p`` with mu chosen so that n_alpha + n_beta = n_c (cached).

    Results are cached on ``(p, round(n_c, 12))``: calling it again with the
    same bands and filling is free, so callers need no cache of their own.

    Parameters
    ----------
    p : BandParams
        Band parameters (eV); ``p.mu`` is only the starting guess.
    n_c : float
        Electrons per Ni, in (0, 2).

    Returns
    -------
    BandParams
        ``p`` with the new ``mu`` (eV).

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`BandParams`.
    ValueError
        If ``n_c`` is out of range.

    Examples
    --------
    >>> q = with_density(PAPER_V3, 0.45)
    >>> round(q.mu, 4), round(sum(fillings(q)), 9)
    (-0.6477, 0.45)
    >>> with_density(PAPER_V3, 0.45) is q
    True
    """
    p = check_params(p)
    n_c = check.in_range("n_c", n_c, 0.0, 2.0, lo_open=True, hi_open=True)
    return _with_density_cached(p, round(n_c, 12))


def clear_cache() -> None:
    """Empty the caches of this module (:func:`with_density`, band extents, critical points).

    Benchmarks call it to time a cold start.

    Examples
    --------
    >>> clear_cache()
    """
    _with_density_cached.cache_clear()
    _band_extent_cached.cache_clear()
    _critical_cached.cache_clear()


@dataclass(frozen=True)
class FermiSurface:
    """Points of one Fermi sheet, ordered by the polar angle theta.

    Attributes
    ----------
    band : str
        "alpha" or "beta".
    kx : numpy.ndarray
        Momenta (1/a); for a sheet centred at M they lie around (pi, pi)
        (use modulo 2 pi to fold them into a zone).
    ky : numpy.ndarray
        Momenta (1/a); for a sheet centred at M they lie around (pi, pi)
        (use modulo 2 pi to fold them into a zone).
    theta : numpy.ndarray
        Polar angle (rad) in [0, 2 pi) about the sheet centre, measured so
        that theta = 0 points along an axis (largest |eta_k|) and theta = pi/4
        along the zone diagonal, where eta_k = 0. About Gamma: k = r(cos, sin);
        about M: k = M - r(cos, sin), so theta in [0, pi/2] covers [0, pi]^2.
    weight : numpy.ndarray
        DOS weight of each point, d theta r_F / |d xi/d r| / (2 pi)^2 (1/eV), so
        that weight.sum() = N_band (per spin per k-point). A Fermi-surface
        average of f is (weight * f).sum() / weight.sum().
    arc : numpy.ndarray
        Arc-length element of each point (1/a), for length-weighted averages.
    centre : str
        "Gamma" or "M".

    Examples
    --------
    >>> fs = fermi_surface(PAPER_V3, "alpha", n_theta=64)
    >>> fs.centre, round(float(fs.weight.sum()), 4)
    ('Gamma', 0.2859)
    """

    band: str
    kx: np.ndarray
    ky: np.ndarray
    theta: np.ndarray
    weight: np.ndarray
    arc: np.ndarray
    centre: str


def fermi_surface(p: BandParams, band: str, *, n_theta: int = 720) -> FermiSurface:
    """The Fermi sheet of ``band`` at ``n_theta`` polar angles.

    Parameters
    ----------
    p : BandParams
        Band parameters (eV).
    band : {"alpha", "beta"}
        Which band.
    n_theta : int, optional
        Number of points on the sheet (8 to 10**7).

    Returns
    -------
    FermiSurface
        Points, angles and weights of the sheet.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`BandParams` or ``n_theta`` not an integer.
    ValueError
        If the band is empty or full, if the sheet is not star-shaped about
        Gamma or M (then no single polar angle labels it), or if ``n_theta`` is
        out of range.

    Examples
    --------
    >>> fermi_surface(PAPER_V3, "beta", n_theta=16).centre
    'M'
    """
    p = check_params(p)
    check.choice("band", band, BAND_NAMES)
    n_theta = check.integer("n_theta", n_theta, 8, _MAX_THETA)
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
    r, dr, _ = kernel.polar_radii(*args, cx, cy, sgn, th, 64)
    kx = cx + sgn * r * np.cos(th)
    ky = cy + sgn * r * np.sin(th)
    weight = h * r / np.abs(dr) / (2 * math.pi) ** 2
    # dr/dtheta from implicit differentiation: d xi/d theta + d xi/d r * dr/dtheta = 0
    gx, gy = _grad(kx, ky, args)
    dxi_dth = sgn * r * (-np.sin(th) * gx + np.cos(th) * gy)
    drdth = -dxi_dth / dr
    arc = h * np.sqrt(r ** 2 + drdth ** 2)
    return FermiSurface(band, kx, ky, th, weight, arc, name)


def orbital_content(p: BandParams, t_xz: float, *, average: str = "dos", n_theta: int = 720,
                    residue_factor=(1.0, 1.0)):
    """Fermi-surface averaged d_{3z^2-r^2} content (pz_alpha, pz_beta).

    p^z = < nu^2 eta^2 / (1 + R nu^2 eta^2) >_FS with nu = eps / (2 t_xz).

    To second order in the hybridization g = 2 t_xz eta of Eq. (2), the
    quasiparticle at the Fermi level has a d_{3z^2-r^2} amplitude
    g G_z(0) = delta xi / g = nu eta (G_z the dimer orbital's Green's function,
    delta xi = eps eta^2 the band shift), whatever the intermediate states, and
    a d_{x^2-y^2} weight Z = 1 / (1 + R nu^2 eta^2) with the residue factor
    ``R = sum_i w_i / E_i^2 / (sum_i s_i w_i / E_i)^2`` of the intermediate
    states (weights w_i, excitation energies E_i, s_i = +1 for removal and -1
    for addition; :func:`channel_admixture`). ``R = 1`` (the default) is the
    paper's formula: a single intermediate level of weight 1, or equivalently
    the d_{3z^2-r^2} *fraction* nu^2 eta^2 / (1 + nu^2 eta^2) of the coherent
    quasiparticle weight for any R. With ``R`` from :func:`channel_admixture` the
    result is the absolute d_{3z^2-r^2} spectral weight of the quasiparticle (what
    orbital-selective ARPES sees at the Fermi level).

    Parameters
    ----------
    p : BandParams
        Band parameters (eV).
    t_xz : float
        Interorbital hopping (eV, > 0; paper: sqrt(3)/4 t_c with t_c = 0.6 eV).
    average : {"dos", "length", "angle"}, optional
        Which Fermi-surface average: weighted by the local DOS dl/|v_F| (states
        at the Fermi level), by arc length dl, or uniform in the polar angle.
    n_theta : int, optional
        Points per sheet (8 to 10**7).
    residue_factor : tuple of float, optional
        (R_alpha, R_beta), each in [1e-6, 1e6] (dimensionless); default (1, 1).

    Returns
    -------
    tuple of float
        (pz_alpha, pz_beta), each in [0, 1).

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`BandParams` or ``residue_factor`` not a pair of numbers.
    ValueError
        If ``t_xz`` is not positive, ``average`` unknown, a residue factor out of
        range, or a band has no star-shaped Fermi sheet.

    Examples
    --------
    >>> [round(x, 3) for x in orbital_content(PAPER_V3, math.sqrt(3) / 4 * 0.6)]
    [0.15, 0.061]
    >>> [round(x, 3) for x in orbital_content(PAPER_V3, math.sqrt(3) / 4 * 0.6, residue_factor=(2.0, 2.0))]
    [0.124, 0.056]
    """
    p = check_params(p)
    t_xz = check.positive("t_xz", t_xz, MAX_ENERGY_EV)
    check.choice("average", average, ("dos", "length", "angle"))
    if isinstance(residue_factor, (str, bytes)) or not hasattr(residue_factor, "__len__") \
            or len(residue_factor) != 2:
        raise TypeError(f"residue_factor must be a pair (R_alpha, R_beta) of numbers, got {residue_factor!r}")
    R = [check.in_range(f"residue_factor[{i}]", r, 1e-6, 1e6) for i, r in enumerate(residue_factor)]
    out = []
    for band, r_band in zip(BAND_NAMES, R):
        fs = fermi_surface(p, band, n_theta=n_theta)
        nu = p.band(band)[3] / (2 * t_xz)
        x = nu ** 2 * (np.cos(fs.kx) - np.cos(fs.ky)) ** 2
        f = x / (1 + r_band * x)
        w = {"dos": fs.weight, "length": fs.arc, "angle": np.ones_like(fs.theta)}[average]
        out.append(float(np.sum(w * f) / np.sum(w)))
    return tuple(out)


class ChannelAdmixture(NamedTuple):
    """Intermediate states of one hybridization channel that reproduce a band shift.

    Attributes
    ----------
    E_rem : float
        Removal energy (eV): an electron leaves the dimer orbital for the Fermi level.
    E_add : float
        Addition energy E_rem + U (eV).
    residue_factor : float
        R = (w_rem / E_rem^2 + w_add / E_add^2) / (eps / 4 t_xz^2)^2 (dimensionless).

    Examples
    --------
    >>> round(channel_admixture(0.4, 0.26, 0.5, 0.0, 5.0).residue_factor, 12)      # weight 1/2, U -> infinity
    2.0
    """

    E_rem: float
    E_add: float
    residue_factor: float


def channel_admixture(eps: float, t_xz: float, w_rem: float, w_add: float, U: float) -> ChannelAdmixture:
    """Channel energies giving the band shift ``eps``, and the residue factor R of :func:`orbital_content`.

    The conduction state couples with g = 2 t_xz eta to a removal level at
    -E_rem (weight w_rem) and an addition level at E_add = E_rem + U (weight
    w_add), as in Eq. (3) (printed: w_rem = w_add = 1; the correlated dimer
    singlet: 1/2 each for U/t_c -> infinity, n_o and 1 - n_o in general, see
    ``clusters.hubbard_dimer_excitations``). E_rem solves
    4 t_xz^2 (w_rem / E - w_add / (E + U)) = eps (the unique positive root of a
    quadratic), and R = (w_rem / E_rem^2 + w_add / E_add^2) / (eps / 4 t_xz^2)^2.

    Parameters
    ----------
    eps : float
        Band shift eps_zeta of Eq. (3) in eV, > 0.
    t_xz : float
        Interorbital hopping in eV, > 0.
    w_rem : float
        Removal weight, in [1e-12, 1] (a smaller weight puts E_rem below the
        resolution of a float and R beyond its range).
    w_add : float
        Addition weight, in [0, 1].
    U : float
        On-site repulsion in eV, > 0 (only E_add depends on it when w_add = 0).

    Returns
    -------
    ChannelAdmixture
        E_rem, E_add (eV) and the residue factor R (> 0; 1 for a single level of weight 1).

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> c = channel_admixture(0.4, math.sqrt(3) / 4 * 0.6, 1.0, 1.0, 5.0)     # printed Eq. (3)
    >>> round(c.E_rem, 4), round(c.residue_factor, 3)          # R = 1 + 8 t_xz^2 / (U eps)
    (0.6024, 1.27)
    >>> round(channel_admixture(0.1, 0.26, 1.0, 0.0, 5.0).residue_factor, 12)        # one level: the paper's p^z
    1.0
    """
    eps = check.positive("eps", eps, MAX_ENERGY_EV)
    t_xz = check.positive("t_xz", t_xz, MAX_ENERGY_EV)
    w_rem = check.in_range("w_rem", w_rem, _W_REM_MIN, 1.0)
    w_add = check.in_range("w_add", w_add, 0.0, 1.0)
    U = check.positive("U", U, MAX_ENERGY_EV)
    g2 = 4.0 * t_xz ** 2
    # eps E^2 + b E - g2 w_rem U = 0 with b = eps U - g2 (w_rem - w_add); positive root without cancellation
    b = eps * U - g2 * (w_rem - w_add)
    c = g2 * w_rem * U
    disc = math.sqrt(b * b + 4.0 * eps * c)
    E = 2.0 * c / (b + disc) if b > 0 else (disc - b) / (2.0 * eps)
    E_add = E + U
    R = (w_rem / E ** 2 + w_add / E_add ** 2) / (eps / g2) ** 2
    return ChannelAdmixture(float(E), float(E_add), float(R))


def residue_factor(w_rem: float, E_rem: float, w_add: float, E_add: float) -> float:
    """Residue factor R of :func:`orbital_content` for given intermediate states.

    R = (w_rem / E_rem^2 + w_add / E_add^2) / (w_rem / E_rem - w_add / E_add)^2: the
    first-order d_{3z^2-r^2} weight g^2 eta^2 sum_i w_i / E_i^2 over the squared
    coherent amplitude (delta xi / g)^2. Use it when the channel energies are given
    (e.g. those of the Hubbard dimer, ``clusters.dimer_chain``) rather than fitted to a
    band shift (:func:`channel_admixture`). Removal and addition interfere in the
    amplitude, so R grows without bound when the shift w_rem/E_rem - w_add/E_add vanishes.

    Parameters
    ----------
    w_rem : float
        Removal weight, in [0, 1].
    E_rem : float
        Removal energy (eV), > 0.
    w_add : float
        Addition weight, in [0, 1].
    E_add : float
        Addition energy (eV), > 0.

    Returns
    -------
    float
        R (dimensionless, > 0).

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is out of range or the shift vanishes (R infinite).

    Examples
    --------
    >>> residue_factor(1.0, 0.5, 0.0, 5.0)                   # one level of weight 1: the paper's formula
    1.0
    >>> round(residue_factor(0.5, 1.0, 0.5, 6.0), 4)         # (1/2 + 1/72) / (1/2 - 1/12)^2
    2.96
    """
    w_rem = check.in_range("w_rem", w_rem, 0.0, 1.0)
    w_add = check.in_range("w_add", w_add, 0.0, 1.0)
    E_rem = check.positive("E_rem", E_rem, MAX_ENERGY_EV)
    E_add = check.positive("E_add", E_add, MAX_ENERGY_EV)
    amp = w_rem / E_rem - w_add / E_add
    num = w_rem / E_rem / E_rem + w_add / E_add / E_add
    R = (num / amp) / amp if amp != 0.0 else math.inf      # divided twice: no amp^2 underflow or OverflowError
    if not math.isfinite(R):
        raise ValueError(f"the shift w_rem/E_rem - w_add/E_add = {amp:.3g} vanishes (or its square leaves the "
                         "float range): the coherent z amplitude is zero and R is infinite")
    return float(R)


# --------------------------------------------------------------------------
# sweeps over the filling


@dataclass(frozen=True)
class DOSSweep:
    """Fermi-level densities of states over a range of fillings (:func:`dos_vs_filling`).

    Attributes
    ----------
    n_c : numpy.ndarray
        Fillings (electrons per Ni).
    mu : numpy.ndarray
        Chemical potential at each filling (eV).
    N_alpha : numpy.ndarray
        Densities of states as in :class:`FermiLevelDOS` (1/eV).
    N_beta : numpy.ndarray
        Densities of states as in :class:`FermiLevelDOS` (1/eV).
    Nt_alpha : numpy.ndarray
        Densities of states as in :class:`FermiLevelDOS` (1/eV).
    Nt_beta : numpy.ndarray
        Densities of states as in :class:`FermiLevelDOS` (1/eV).
    error : numpy.ndarray
        Estimated relative error of each point.
    n_c_vh : float or None
        Filling at which the Fermi level crosses the beta saddle point on
        Gamma-X (log van Hove singularity), None if there is none.
    n_c_X : float
        Filling at which the Fermi level crosses the beta band energy at X.

    Examples
    --------
    >>> s = dos_vs_filling([0.45])
    >>> round(float(s.N_beta[0] / s.N_alpha[0]), 3), s["N_beta"] is s.N_beta
    (2.502, True)
    """

    n_c: np.ndarray
    mu: np.ndarray
    N_alpha: np.ndarray
    N_beta: np.ndarray
    Nt_alpha: np.ndarray
    Nt_beta: np.ndarray
    error: np.ndarray
    n_c_vh: float | None
    n_c_X: float

    def __getitem__(self, key: str):
        """Return the attribute ``key`` (the sweep used to be a dict)."""
        return getattr(self, check.choice("key", key, [f.name for f in dataclasses.fields(self)]))


def dos_vs_filling(n_c, p: BandParams = PAPER_V3) -> DOSSweep:
    """Fermi-level densities of states (1/eV) over the fillings ``n_c`` (electrons per Ni).

    Also locates the fillings of the beta saddle point on Gamma-X (the log van
    Hove singularity) and of the beta band energy at X (where the beta pocket
    at X opens for the paper's bands).

    Parameters
    ----------
    n_c : array_like of float
        Fillings, each in (0, 2) (at most 100000).
    p : BandParams, optional
        Band parameters (eV); ``mu`` is set from each filling.

    Returns
    -------
    DOSSweep
        Arrays over ``n_c`` and the two special fillings.

    Raises
    ------
    TypeError
        If ``p`` is not a :class:`BandParams` or ``n_c`` is not real.
    ValueError
        If a filling is out of range.

    Examples
    --------
    >>> s = dos_vs_filling([0.4, 0.5])
    >>> round(s.n_c_vh, 4), round(s.n_c_X, 4)
    (0.3106, 0.2368)
    """
    p = check_params(p)
    grid = check.real_array("n_c", n_c, ndim=None, max_size=100000).ravel()
    if np.any(grid <= 0.0) or np.any(grid >= 2.0):
        raise ValueError(f"n_c must lie in (0, 2), got values in [{grid.min()}, {grid.max()}]")
    rows = []
    for nc in grid:
        q = with_density(p, float(nc))
        d, err, _ = fermi_level_dos(q, return_error=True)
        rows.append((nc, q.mu, d.N_alpha, d.N_beta, d.Nt_alpha, d.Nt_beta, err))
    cols = [np.array(c) for c in zip(*rows)]
    crit = critical_points(p, "beta")
    saddles = [c for c in crit if c.kind == "saddle" and c.ky == 0.0]       # on Gamma-X
    at_x = [c for c in crit if c.kx == math.pi and c.ky == 0.0][0]

    def filling_at(mu):
        return float(sum(fillings(dataclasses.replace(p, mu=mu))))

    n_vh = filling_at(saddles[0].energy) if saddles else None
    return DOSSweep(*cols, n_vh, filling_at(at_x.energy))

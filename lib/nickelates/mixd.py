"""MixD+V bilayer: spinon-chargon / chargon-chargon mean-field theory (chapter 6).

Borchia, Lange & Grusdt (2025) describe the hole-doped mixed-dimensional t-J
bilayer with rung repulsion V by two point-like carriers: spinon-chargons
(sc, fermions f_{j mu sigma}, one hole per rung) and chargon-chargons
(cc, bosons b_j, two holes on a rung). The variational state is a BCS state
of inter-layer singlet sc pairs times a coherent state of zero-momentum cc's.

Units: every energy (``J_perp``, ``V``, ``t_par`` and all outputs) is in the
units of the inputs; the book uses V = 1 ("energies in units of V").  Momenta
are in units of the inverse lattice constant.  ``shape=(L,)`` is a ladder of L
rungs, ``shape=(Lx, Ly)`` a periodic square bilayer of Lx*Ly rungs.  Doping: every
``doping`` of this module is delta = N_h / N, holes per rung (the chapters' delta); the
JSON field ``doping`` of the exact data files (``data/mixd_balance_points*.json``,
``data/mixd_dmrg.json``) is N_h / 2L, holes per site, and their field ``delta`` is N_h / L.

Mean-field equations (derived in the chapter; they differ from the printed
(B11), (B20) by factors noted there). With N rungs, beta = <b_{k=0}> real,
form factors gam_k = sum_d cos k_d (sc hopping) and
g_k = gam_k + 2 eps prod_d cos k_d (recombination, diagonal part only in 2D)::

    xi_k    = (t - 2 t beta^2/N) gam_k + J - (3/4) z t^2/J + mu,   z = 2d
    Delta_k = (4 t beta/sqrt N) g_k - (3/2)(t^2/J) sum_d c_d cos k_d
    c_d     = (1/N) sum_k (Delta_k/E_k) cos k_d,   E_k = sqrt(xi_k^2+Delta_k^2)
    N_h     = sum_k (1 - xi_k/E_k) + 2 beta^2
    0 = dE/dbeta = -(4t/sqrt N) sum (Delta/E) g - (8 t beta/N) sum v^2 gam
                   + 2 (V + J + 2 mu) beta

The self-consistency is reduced to a one-dimensional problem: for each
condensate fraction the number equation and the (tiny, separable) sc-sc
kernel are solved exactly, and the energy G(beta) is minimised over beta with
a bracketing root search of dG/dbeta = 0 (envelope theorem), which handles
the orders of magnitude between the BEC and BCS sides.

Besides the single solve, the module holds the sweeps behind the chapter's
figures (:func:`ladder_imbalance_map`, :func:`ladder_energy_sweep`,
:func:`order_parameter_sweep`, :func:`solve_eps_series`,
:func:`finite_size_crossover`, :func:`sw_error_scaling`) and the rung-cluster
Schrieffer-Wolff tools; :mod:`nickelates.viz.mixd` only draws their results.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from . import _validate as check
from .errors import ConvergenceError
from .kernels import mixd as mf_kernels

__all__ = [
    "MeanFieldSolution",
    "solve_mean_field",
    "solve_at_doping",
    "energy_at_fixed_condensate",
    "brillouin_zone",
    "form_factors",
    "a1g_content",
    "phase_map",
    "crossing_point",
    "leggett_point",
    "balance_point",
    "ansatz_energy",
    "d_wave_competitor",
    "LadderImbalanceMap",
    "ladder_imbalance_map",
    "LadderEnergySweep",
    "ladder_energy_sweep",
    "OrderParameterSweep",
    "order_parameter_sweep",
    "solve_eps_series",
    "finite_size_crossover",
    "SWScaling",
    "sw_error_scaling",
    "cluster_basis",
    "cluster_hamiltonian",
    "schrieffer_wolff_cluster",
    "pymablock_cluster",
    "cluster_check",
    "solve_mean_field_dense",
    "solve_extended_mean_field",
    "MAX_LATTICE",
]

#: largest number of rungs along one direction (a 4096 x 4096 bilayer keeps
#: three float64 arrays of 134 MB each in a :class:`MeanFieldSolution`)
MAX_LATTICE = 4096


# --------------------------------------------------------------------------- grids
def _axis(L):
    """Momenta 2 pi n / L wrapped to [-pi, pi), sorted ascending."""
    k = 2.0 * np.pi * np.arange(L) / L
    k = (k + np.pi) % (2.0 * np.pi) - np.pi
    return np.sort(k)


def _reduced_axis(L):
    """Distinct |k| values on an L-site ring and their multiplicities."""
    n = np.arange(L // 2 + 1)
    k = 2.0 * np.pi * n / L
    w = np.full(n.size, 2.0)
    w[0] = 1.0
    if L % 2 == 0:
        w[-1] = 1.0
    return k, w


def _check_shape(shape):
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, (bool, np.bool_)):
        shape = (int(shape),)
    if isinstance(shape, (str, bytes, dict, set)):
        raise TypeError(f"shape must be (L,) or (Lx, Ly) with integer entries, got {type(shape).__name__} {shape!r}")
    try:
        shape = tuple(shape)
    except TypeError as exc:
        raise TypeError(f"shape must be (L,) or (Lx, Ly) with integer entries, got {shape!r}") from exc
    if len(shape) not in (1, 2):
        raise ValueError(f"shape must have 1 or 2 entries ((L,) or (Lx, Ly)), got {shape!r}")
    return tuple(check.integer(f"shape[{i}]", s, 2, MAX_LATTICE) for i, s in enumerate(shape))


def brillouin_zone(shape):
    """Return the full momentum grid of a periodic ladder or bilayer.

    Parameters
    ----------
    shape : int or tuple of int
        ``(L,)`` for a ladder of L rungs or ``(Lx, Ly)`` for a periodic
        bilayer; every entry in [2, 4096] (an int L means ``(L,)``).

    Returns
    -------
    tuple of numpy.ndarray
        One 1D array of momenta per direction (units of the inverse lattice
        constant), ascending in [-pi, pi).

    Raises
    ------
    TypeError
        If ``shape`` is not an integer or a sequence of integers.
    ValueError
        If it has not 1 or 2 entries or an entry lies outside [2, 4096].

    Examples
    --------
    >>> (k,) = brillouin_zone((4,))
    >>> k / np.pi
    array([-1. , -0.5,  0. ,  0.5])
    """
    return tuple(_axis(L) for L in _check_shape(shape))


def form_factors(k, eps_diag=0.0):
    """Return the sc hopping and recombination form factors on a momentum mesh.

    ``gam_k = sum_d cos k_d`` and ``g_k = gam_k + 2 eps cos k_x cos k_y``
    (the diagonal term exists only in 2D).

    Parameters
    ----------
    k : tuple of array_like
        One or two momentum arrays of equal shape (a meshgrid; units of the
        inverse lattice constant), e.g. from :func:`brillouin_zone` and
        ``numpy.meshgrid(..., indexing="ij")``.
    eps_diag : float, optional
        Diagonal recombination strength epsilon (dimensionless, |eps| <= 10);
        must be 0 for a single momentum array (ladder).

    Returns
    -------
    gam, g : numpy.ndarray
        The two form factors (dimensionless), shaped like the entries of ``k``.

    Raises
    ------
    TypeError
        If ``k`` is not a tuple/list of real arrays.
    ValueError
        If ``k`` has not 1 or 2 arrays of equal shape, or ``eps_diag`` is out of range.

    Examples
    --------
    >>> gam, g = form_factors((np.array([0.0, np.pi]), np.array([0.0, 0.0])), eps_diag=1.5)
    >>> gam, g
    (array([2., 0.]), array([ 5., -3.]))
    """
    if not isinstance(k, (tuple, list)):
        raise TypeError(f"k must be a tuple of 1 or 2 momentum arrays, got {type(k).__name__}")
    if len(k) not in (1, 2):
        raise ValueError(f"k must hold 1 or 2 momentum arrays, got {len(k)}")
    arrays = [check.real_array(f"k[{d}]", kd) for d, kd in enumerate(k)]
    if len(arrays) == 2 and arrays[0].shape != arrays[1].shape:
        raise ValueError(f"k[0] and k[1] must have the same shape, got {arrays[0].shape} and {arrays[1].shape}")
    eps = check.in_range("eps_diag", eps_diag, -10.0, 10.0)
    if len(arrays) == 1 and eps != 0.0:
        raise ValueError("eps_diag must be 0 for a single momentum array (ladder)")
    return _form_factors(tuple(arrays), eps)


def _form_factors(k, eps_diag):
    cos = [np.cos(kd) for kd in k]
    gam = sum(cos)
    g = gam + 2.0 * eps_diag * cos[0] * cos[1] if len(k) == 2 else np.array(gam, copy=True)
    return gam, g


def _reduced_grid(shape, eps_diag, symmetric=False):
    axes = [_reduced_axis(L) for L in shape]
    if len(shape) == 1:
        kk = (axes[0][0],)
        w = axes[0][1]
    else:
        kx, ky = np.meshgrid(axes[0][0], axes[1][0], indexing="ij")
        kk = (kx.ravel(), ky.ravel())
        w = np.outer(axes[0][1], axes[1][1]).ravel()
    gam, g = _form_factors(kk, eps_diag)
    if symmetric:
        # C4-symmetric square lattice: c_x = c_y, one harmonic (cos kx + cos ky)/sqrt 2
        H = np.ascontiguousarray(gam[:, None] / np.sqrt(2.0))
    else:
        H = np.ascontiguousarray(np.stack([np.cos(kd) for kd in kk], axis=1))
    return (np.ascontiguousarray(g, dtype=float), np.ascontiguousarray(gam, dtype=float),
            H, np.ascontiguousarray(w, dtype=float), kk)


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class MeanFieldSolution:
    """Self-consistent BCS x BEC mean-field state (energies in units of V).

    Returned by :func:`solve_mean_field`; not built by hand.

    Attributes
    ----------
    shape : tuple of int
        ``(L,)`` or ``(Lx, Ly)``.
    n_holes : int
        Number of holes N_h.
    J_perp : float
        Rung exchange (units of V).
    V : float
        Rung repulsion (the unit of energy).
    t_par : float
        Leg hopping (units of V).
    eps_diag : float
        Diagonal recombination strength (dimensionless).
    energy : float
        Variational ground-state energy <H_eff> relative to the rung-singlet
        vacuum (Hartree terms dropped as in the paper), units of V.
    energy_bg : float
        Background (string) part J_perp N_sc + (V + J_perp) N_cc (units of V).
    n_sc : float
        sc number per rung N_sc / N (>= 0).
    n_cc : float
        cc number per rung N_cc / N (>= 0).
    N_sc : float
        sc number; N_sc + 2 N_cc = N_h.
    N_cc : float
        cc number (= beta^2).
    imbalance : float
        (N_sc - 2 N_cc) / N_h in [-1, 1] (Fig. 3 of the paper).
    order_bec : float
        O_BEC = sqrt(N_cc / N) (Eq. 11, dimensionless).
    order_bcs : float
        O_BCS = (1/N) sum_k |Delta_k| / E_k (Eq. 12, dimensionless).
    gap : float
        Quasiparticle gap min_k E_k (units of V).
    binding_energy : float
        E_B = 2 min_k E_k (Appendix C; units of V).
    delta_k : numpy.ndarray
        Gap function Delta_k on the full BZ (units of V), shape ``shape``, axes as ``k``.
    xi_k : numpy.ndarray
        sc dispersion xi_k on the full BZ (units of V).
    E_k : numpy.ndarray
        Quasiparticle energy E_k on the full BZ (units of V).
    k : tuple of numpy.ndarray
        1D momentum axes (inverse lattice constants).
    k_star : tuple of float
        Momentum of min E_k (first found, |k_d| in [0, pi]).
    delta_at_kstar : float
        Delta_k at ``k_star`` (units of V).
    beta : float
        Condensate amplitude <b_0> (sqrt of a particle number).
    mu : float
        Hole chemical potential (units of V).
    pair_amplitudes : numpy.ndarray
        c_d = (1/N) sum_k (Delta_k/E_k) cos k_d, one per direction (dimensionless).
    evaluations : int
        Number of condensate values the solver evaluated.
    xi_band_min : float
        Bottom of the sc band measured from the sc chemical potential,
        min_k xi_k over the *continuous* band (at k = pi in every direction
        for positive hopping; units of V). Negative: the sc chemical potential
        lies inside the band (an sc Fermi surface, BCS in the Leggett sense);
        positive: below the band bottom (no Fermi surface, BEC in the Leggett
        sense). :func:`leggett_point` finds its zero.

    Examples
    --------
    >>> s = solve_mean_field(shape=(30,), n_holes=8, J_perp=1.2)
    >>> round(s.N_sc + 2 * s.N_cc, 9), round(s.doping, 4)
    (8.0, 0.2667)
    """

    shape: tuple
    n_holes: int
    J_perp: float
    V: float
    t_par: float
    eps_diag: float
    energy: float
    energy_bg: float
    n_sc: float
    n_cc: float
    N_sc: float
    N_cc: float
    imbalance: float
    order_bec: float
    order_bcs: float
    gap: float
    binding_energy: float
    delta_k: np.ndarray = field(repr=False)
    xi_k: np.ndarray = field(repr=False)
    E_k: np.ndarray = field(repr=False)
    k: tuple = field(repr=False)
    k_star: tuple
    delta_at_kstar: float
    beta: float
    mu: float
    pair_amplitudes: np.ndarray = field(repr=False)
    evaluations: int = 0
    xi_band_min: float = 0.0

    @property
    def doping(self):
        """Hole doping delta = N_h / N (holes per rung)."""
        return self.n_holes / int(np.prod(self.shape))

    @property
    def energy_minus_bg(self):
        """E - E_bg = E - J N_sc - (V + J) N_cc (Fig. 4 right; units of V)."""
        return self.energy - self.energy_bg


# --------------------------------------------------------------------------- core
class _Problem:
    """Reduced-grid data and the map beta -> (mu, c, dG/dbeta, G)."""

    def __init__(self, shape, n_holes, J, V, t, eps, tol, T=1e-5):
        self.shape = shape
        self.N = int(np.prod(shape))
        self.Nh = float(n_holes)
        self.J, self.V, self.t, self.eps = J, V, t, eps
        self.d = len(shape)
        self.U = 1.5 * t * t / J                       # nn sc repulsion / kernel
        self.e0 = J - 0.75 * (2 * self.d) * t * t / J  # sc energy incl. 2nd-order shift
        self.symmetric = self.d == 2 and shape[0] == shape[1]
        self.g, self.gam, self.H, self.w, self.kk = _reduced_grid(shape, eps, self.symmetric)
        self.tol = tol
        self.T = T
        self.mu = -self.e0
        self.c = np.zeros(self.H.shape[1])
        self.nevals = 0

    # z parametrises the condensate fraction: beta^2 = (N_h/2) sigma(z)
    def beta2(self, z):
        return 0.5 * self.Nh / (1.0 + np.exp(-z))

    def nf_target(self, z):
        return self.Nh / (1.0 + np.exp(z))

    def c_per_dim(self, c):
        """Pair amplitudes c_d = (1/N) sum (Delta/E) cos k_d for each direction."""
        if self.symmetric:
            return np.array([c[0], c[0]]) / np.sqrt(2.0)
        return np.asarray(c, dtype=float)

    def coeffs(self, beta):
        a = 4.0 * self.t * beta / np.sqrt(self.N)
        b = self.t - 2.0 * self.t * beta * beta / self.N
        return a, b

    def evaluate(self, z, mu0=None, c0=None):
        beta = np.sqrt(self.beta2(z))
        a, b = self.coeffs(beta)
        mu0 = self.mu if mu0 is None else mu0
        c0 = self.c if c0 is None else c0
        mu, c, status, it, resc = mf_kernels.inner_solve(
            a, b, self.e0, self.U, self.g, self.gam, self.H, self.w, self.T,
            self.nf_target(z), mu0, np.asarray(c0, dtype=float), self.tol, 60)
        self.nevals += 1
        if status != 0:
            self.last_failure = (f"inner solve failed at beta={beta:.3e} (status {status}, "
                                 f"{it} iterations, pair-amplitude residual {resc:.2e}, "
                                 f"last mu={mu:.6g}, c={c})")
            return dict(beta=beta, mu=mu, c=c.copy(), dG=np.nan, G=np.nan, nf=np.nan,
                        ok=False, a=a, b=b)
        self.mu, self.c = mu, c
        srec, skin, nf, sabs, gap, kmin = mf_kernels.sums(
            mu, a, b, self.e0, self.U, c, self.g, self.gam, self.H, self.w, self.T)
        t, N = self.t, self.N
        dG = (-4.0 * t / np.sqrt(N) * srec - 8.0 * t * beta / N * skin
              + 2.0 * (self.V + self.J + 2.0 * mu) * beta)
        G = (-a * srec + 2.0 * b * skin + self.e0 * nf
             + 0.5 * self.U * N * float(np.sum(c * c)) + (self.V + self.J) * beta * beta)
        target = self.nf_target(z)
        ok = abs(nf - target) <= 1e-8 * max(target, 1.0) and np.isfinite(dG)
        if not ok:
            self.last_failure = (f"number equation missed at beta={beta:.3e}: N_f={nf:.12g}, "
                                 f"target {target:.12g}")
        return dict(beta=beta, mu=mu, c=c.copy(), dG=dG, G=G, nf=nf, sabs=sabs,
                    gap=gap, kmin=kmin, a=a, b=b, ok=ok)


def _minimise(p, zgrid, ztol):
    """Scan dG/dbeta on a z grid, refine every minimum with brentq, keep the lowest."""
    vals = []
    good = []
    for z in zgrid:
        r = p.evaluate(z)
        vals.append(r["dG"])
        good.append(r["ok"])
    vals = np.array(vals)
    good = np.array(good)

    def f(z):
        r = p.evaluate(z)
        if not r["ok"]:
            raise ConvergenceError(
                f"MixD mean field: number equation not satisfied at z={z:.6g} "
                f"(N_f={r['nf']:.12g}, target {p.nf_target(z):.12g})",
                residual=r["nf"] - p.nf_target(z), last=r)
        return r["dG"]

    cands = []
    for i in range(len(zgrid) - 1):
        if good[i] and good[i + 1] and vals[i] < 0.0 <= vals[i + 1]:
            p.evaluate(zgrid[i])  # warm start at the left end
            zs = brentq(f, zgrid[i], zgrid[i + 1], xtol=ztol, rtol=1e-13, maxiter=200)
            cands.append(p.evaluate(zs))
            cands[-1]["z"] = zs
    if not cands:
        if np.all(vals[good] > 0.0) and good[0] and zgrid[0] <= -12.0:
            # energy increases with the condensate everywhere: beta -> 0 (normal sc gas)
            p.mu, p.c = -p.e0, np.zeros_like(p.c)
            r = p.evaluate(zgrid[0])
            r["z"] = zgrid[0]
            return r, vals
        if np.any(good) and np.all(vals[good] > 0.0):
            zf = zgrid[np.argmax(good)]
            raise ConvergenceError(
                "MixD mean field: E(beta) still rises at the smallest condensate fraction "
                f"2 N_cc/N_h = {1.0 / (1.0 + np.exp(-zf)):.2e} that could be solved; the "
                "minimum lies deeper in the BCS limit, where an open Fermi-level shell of "
                "the finite lattice makes the gap equation singular. Use a larger lattice, "
                "a larger J_perp/t_par, or treat the state as a normal sc gas. "
                f"Last failure: {getattr(p, 'last_failure', None)}",
                iterations=len(zgrid), residual=float(np.min(vals[good])), last=vals)
        raise ConvergenceError(
            "MixD mean field: no stationary point of E(beta) found; "
            f"dE/dbeta on the scan grid: {vals}; last failure: "
            f"{getattr(p, 'last_failure', None)}", iterations=len(zgrid),
            residual=float(np.nanmin(np.abs(vals))) if np.any(good) else np.inf, last=vals)
    best = min(cands, key=lambda r: r["G"])
    return best, vals


def _check_couplings(J_perp, V, t_par, eps_diag, shape):
    """Validated (J_perp, V, t_par, eps_diag) of the mean field (units of V)."""
    J = check.positive("J_perp", J_perp, hi=1e6)
    V = check.nonnegative("V", V, hi=1e6)
    t = check.positive("t_par", t_par, hi=1e3)
    eps = check.in_range("eps_diag", eps_diag, -10.0, 10.0)
    if len(shape) == 1 and eps != 0.0:
        raise ValueError("eps_diag must be 0 for a ladder (shape=(L,)): diagonal "
                         "recombination exists only on the 2D bilayer")
    return J, V, t, eps


def _check_flags(three_site, sc_cc_repulsion, hartree, shape, eps, cc_three_site=False):
    """Validated (three_site, sc_cc_repulsion, hartree, cc_three_site); ladders only."""
    flags = (check.boolean("three_site", three_site), check.boolean("sc_cc_repulsion", sc_cc_repulsion),
             check.boolean("hartree", hartree), check.boolean("cc_three_site", cc_three_site))
    if any(flags) and (len(shape) != 1 or eps != 0.0):
        raise ValueError("three_site, sc_cc_repulsion, hartree and cc_three_site are implemented for ladders "
                         "(shape=(L,), eps_diag=0) only: the 2D three-site term has bent paths "
                         "that the open-chain clusters do not fix")
    return flags


def _check_zscan(zscan):
    zscan = check.real_array("zscan", zscan, ndim=1, min_size=2, max_size=10_000)
    if np.any(np.diff(zscan) <= 0):
        raise ValueError("zscan must be an increasing array of at least 2 values")
    if np.any(np.abs(zscan) > 700.0):
        raise ValueError("zscan must lie in [-700, 700] (z = logit(2 N_cc / N_h); exp(z) overflows beyond)")
    return zscan


def solve_mean_field(shape=(30,), n_holes=8, J_perp=1.2, V=1.0, t_par=0.1,
                     eps_diag=0.0, *, tol=1e-12, temperature=1e-5, zscan=None,
                     three_site=False, sc_cc_repulsion=False, hartree=False, cc_three_site=False):
    """Solve the BCS x BEC mean-field equations of the MixD+V ladder/bilayer.

    Parameters
    ----------
    shape : int or tuple of int
        Ladder of L rungs ``(L,)`` or periodic bilayer ``(Lx, Ly)``; each
        entry in [2, 4096].
    n_holes : int
        Number of holes N_h, 1 <= N_h <= N (number of rungs).
    J_perp : float
        Rung exchange, in (0, 1e6] (units of V).
    V : float
        Rung hole-hole repulsion, in [0, 1e6] (the unit of energy; default 1).
    t_par : float
        Leg hopping, in (0, 1e3] (units of V); the effective model is
        perturbative in t_par / J_perp and t_par / V.
    eps_diag : float, optional
        Diagonal recombination strength epsilon of Eq. (13), |eps| <= 10
        (dimensionless); 2D only.
    tol : float, optional
        Relative tolerance of the inner equations, in [1e-14, 1e-4].
    temperature : float, optional
        Small regularizing temperature in [0, 0.01] (units of V; default
        1e-5). Occupations and pair amplitudes carry tanh(E_k/2T); gapped
        states are the T = 0 ones up to exp(-min E_k/T), while degenerate
        Fermi-level shells of finite lattices (Delta_k -> 0 there) stay well
        defined. T = 0 is allowed.
    zscan : array_like, optional
        Increasing grid (2 to 10 000 values in [-700, 700]) in
        z = logit(2 N_cc / N_h) scanned for minima of E(beta) (default
        -16..16 in steps of 2). If E rises with beta everywhere and the grid
        starts at z <= -12, the state at the first grid point (a normal sc
        gas with a negligible condensate) is returned.
    three_site, sc_cc_repulsion, hartree, cc_three_site : bool, optional
        Terms of order t^2 the paper's model omits (default False: the
        paper's model): the three-site pair hop, the sc-cc repulsion
        +(3/4) t^2/J_perp per bond, the Hartree-Fock contractions of Eq. (7)
        and the three-site terms with a cc
        (see :func:`solve_extended_mean_field`, which
        solves the model when any flag is set; ladders with eps_diag = 0 only;
        ``tol`` is then fixed at 1e-14).

    Returns
    -------
    MeanFieldSolution
        The lowest stationary state found (energies in units of V).

    Raises
    ------
    TypeError
        If an argument has the wrong type (e.g. a float ``n_holes``).
    ValueError
        If an argument lies outside the range given above.
    ConvergenceError
        If no minimum of E(beta) is found on the scan (the message and
        ``last`` hold dE/dbeta on the grid), e.g. deep on the BCS side at
        T = 0 where an open Fermi-level shell makes the gap equation singular.

    Examples
    --------
    >>> s = solve_mean_field(shape=(30,), n_holes=8, J_perp=1.2, V=1.0, t_par=0.1)
    >>> round(s.imbalance, 4), round(s.binding_energy, 4)  # doctest: +NUMBER
    (-0.2361, 0.2934)
    """
    shape = _check_shape(shape)
    N = int(np.prod(shape))
    n_holes = check.integer("n_holes", n_holes, 1, N)
    J, V, t, eps = _check_couplings(J_perp, V, t_par, eps_diag, shape)
    tol = check.in_range("tol", tol, 1e-14, 1e-4)
    T = check.nonnegative("temperature", temperature, 0.01)
    flags = _check_flags(three_site, sc_cc_repulsion, hartree, shape, eps, cc_three_site)
    if any(flags):
        return solve_extended_mean_field(shape[0], n_holes, J, V, t, three_site=flags[0],
                                         sc_cc_repulsion=flags[1], hartree=flags[2],
                                         cc_three_site=flags[3],
                                         zscan=None if zscan is None else _check_zscan(zscan),
                                         temperature=T)
    p = _Problem(shape, n_holes, J, V, t, eps, tol, T)
    if zscan is None:
        zscan = np.linspace(-16.0, 16.0, 17)
        if p.g.size > 8000:
            # large lattice: locate the minimum on a coarse lattice at the same doping
            # (sums converge exponentially fast for gapped sc's), then refine locally
            best = _refine_from_coarse(p, shape, n_holes, J, V, t, eps, tol, T)
            if best is not None:
                return _finish(p, best, n_holes)
    else:
        zscan = _check_zscan(zscan)
    best, _ = _minimise(p, zscan, 1e-12)
    return _finish(p, best, n_holes)


def _refine_from_coarse(p, shape, n_holes, J, V, t, eps, tol, T, Lc=96):
    """Minimum of E(beta) on a big lattice, bracketed from a coarse lattice.

    Returns the refined result or None (then the caller scans the full z grid).
    """
    cshape = tuple(min(L, Lc) for L in shape)
    Nc = int(np.prod(cshape))
    nhc = max(1, int(round(n_holes * Nc / p.N)))
    pc = _Problem(cshape, nhc, J, V, t, eps, tol, T)
    try:
        bc, _ = _minimise(pc, np.linspace(-16.0, 16.0, 17), 1e-10)
    except ConvergenceError:
        return None
    if "z" not in bc or bc["z"] <= -12.0:
        return None
    zc = bc["z"]
    p.mu = bc["mu"]
    if p.c.shape == bc["c"].shape:
        p.c = bc["c"].copy()
    for half in (0.25, 1.0, 3.0):
        try:
            best, _ = _minimise(p, np.array([zc - half, zc + half]), 1e-12)
        except ConvergenceError:
            continue
        if "z" in best and zc - half < best["z"] < zc + half:
            return best
    return None


def _finish(p, r, n_holes):
    beta, mu = r["beta"], r["mu"]
    c = p.c_per_dim(r["c"])
    if not r.get("ok", False) or not np.isfinite(r["G"]) or not np.isfinite(mu):
        raise ConvergenceError("MixD mean field: non-finite result",
                               last={"beta": beta, "mu": mu})
    kax = tuple(_axis(L) for L in p.shape)
    mesh = np.meshgrid(*kax, indexing="ij")
    gam, g = _form_factors(tuple(mesh), p.eps)
    a, b = r["a"], r["b"]
    delta = a * g - p.U * sum(c[d] * np.cos(mesh[d]) for d in range(p.d))
    xi = b * gam + p.e0 + mu
    E = np.sqrt(xi * xi + delta * delta)
    N = p.N
    N_cc = beta * beta
    N_sc = r["nf"]
    i = int(np.argmin(E))
    idx = np.unravel_index(i, E.shape)
    kstar = tuple(abs(float(kax[d][idx[d]])) for d in range(p.d))
    gap = float(E[idx])
    return MeanFieldSolution(
        shape=p.shape, n_holes=n_holes, J_perp=p.J, V=p.V, t_par=p.t, eps_diag=p.eps,
        energy=float(r["G"]), energy_bg=float(p.J * N_sc + (p.V + p.J) * N_cc),
        n_sc=float(N_sc / N), n_cc=float(N_cc / N), N_sc=float(N_sc), N_cc=float(N_cc),
        imbalance=float((N_sc - 2.0 * N_cc) / n_holes),
        order_bec=float(np.sqrt(N_cc / N)), order_bcs=float(r["sabs"] / N),
        gap=gap, binding_energy=2.0 * gap,
        delta_k=delta, xi_k=xi, E_k=E, k=kax, k_star=kstar,
        delta_at_kstar=float(delta[idx]), beta=float(beta), mu=float(mu),
        pair_amplitudes=np.array(c), evaluations=p.nevals,
        xi_band_min=float(p.e0 + mu - p.d * abs(b)))


def a1g_content(sol_or_delta, k=None):
    """Project a 2D gap function onto the lowest lattice harmonics of the square group.

    Projects Delta_k onto 1, cos kx + cos ky, cos kx cos ky,
    cos 2kx + cos 2ky (A1g), cos kx - cos ky (B1g) and sin kx sin ky (B2g).
    The harmonics are orthogonal on the grid.

    Parameters
    ----------
    sol_or_delta : MeanFieldSolution or array_like
        A 2D solution, or a real gap function of shape (Lx, Ly) (units of V).
    k : tuple of array_like, optional
        The momentum axes ``(kx, ky)`` (inverse lattice constants); required
        when an array is passed.

    Returns
    -------
    dict
        Coefficient of each harmonic (units of V) by name, plus
        ``"a1g_fraction"`` (share of sum_k Delta_k^2 in the s-type harmonics)
        and ``"residual_fraction"`` (share not captured by the six harmonics).

    Raises
    ------
    TypeError
        If the gap function is not a real array.
    ValueError
        If it is not 2D, or ``k`` does not match its shape.

    Examples
    --------
    >>> s = solve_mean_field(shape=(8, 8), n_holes=3, J_perp=1.0)
    >>> c = a1g_content(s)
    >>> c["a1g_fraction"] > 0.999, abs(c["d_x2-y2 (cx-cy)"]) < 1e-12
    (True, True)
    """
    if isinstance(sol_or_delta, MeanFieldSolution):
        delta, k = sol_or_delta.delta_k, sol_or_delta.k
    else:
        delta = check.real_array("sol_or_delta", sol_or_delta)
        if k is None or not isinstance(k, (tuple, list)) or len(k) != 2:
            raise ValueError("k must be the tuple (kx, ky) of momentum axes for a 2D delta")
        k = tuple(check.real_array(f"k[{d}]", kd, ndim=1) for d, kd in enumerate(k))
    if delta.ndim != 2:
        raise ValueError(f"a1g_content needs a 2D gap function (shape (Lx, Ly)), got shape {delta.shape}")
    if (len(k[0]), len(k[1])) != delta.shape:
        raise ValueError(f"k axes of lengths {(len(k[0]), len(k[1]))} do not match delta of shape {delta.shape}")
    kx, ky = np.meshgrid(k[0], k[1], indexing="ij")
    basis = {
        "s (1)": np.ones_like(kx),
        "s_ext (cx+cy)": np.cos(kx) + np.cos(ky),
        "s_xy (cx*cy)": np.cos(kx) * np.cos(ky),
        "s_2 (c2x+c2y)": np.cos(2 * kx) + np.cos(2 * ky),
        "d_x2-y2 (cx-cy)": np.cos(kx) - np.cos(ky),
        "d_xy (sx*sy)": np.sin(kx) * np.sin(ky),
    }
    coef = {}
    recon = np.zeros_like(delta)
    a1g = 0.0
    for name, f in basis.items():
        nrm = float(np.sum(f * f))
        cf = float(np.sum(delta * f) / nrm) if nrm > 0 else 0.0
        coef[name] = cf
        recon += cf * f
        if name.startswith("s"):
            a1g += cf * cf * nrm
    total = float(np.sum(delta * delta))
    coef["a1g_fraction"] = a1g / total if total > 0 else 0.0
    coef["residual_fraction"] = float(np.sum((delta - recon) ** 2) / total) if total > 0 else 0.0
    return coef


def _check_J_values(J_values, default, min_size=1):
    if J_values is None:
        return np.array(default, dtype=float)
    J = check.real_array("J_values", J_values, ndim=1, min_size=min_size, max_size=100_000)
    if np.any(J <= 0.0) or np.any(J > 1e6):
        raise ValueError("J_values must all lie in (0, 1e6] (units of V)")
    return J


def phase_map(shape, J_values, dopings, *, V=1.0, t_par=0.1, eps_diag=0.0, progress=False):
    """Sweep (J_perp, doping) and return the observables on the grid.

    Parameters
    ----------
    shape : int or tuple of int
        ``(L,)`` or ``(Lx, Ly)`` as for :func:`solve_mean_field`.
    J_values : array_like
        Rung exchanges, each in (0, 1e6] (units of V).
    dopings : array_like
        Dopings delta in (0, 1] (holes per rung); converted to hole numbers
        round(delta * N) >= 1.
    V : float, optional
        Rung repulsion (the unit of energy).
    t_par : float, optional
        Leg hopping (units of V).
    eps_diag : float, optional
        Diagonal recombination strength (dimensionless; 2D only).
    progress : bool, optional
        Show a tqdm progress bar.

    Returns
    -------
    dict
        ``imbalance``, ``order_bec``, ``order_bcs``, ``binding_energy`` (units
        of V), ``energy`` (units of V): arrays of shape
        (len(J_values), len(dopings)); ``n_holes``, ``J_values`` and the
        realized ``dopings`` (N_h / N).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range (see :func:`solve_mean_field`).
    ConvergenceError
        If a point of the sweep does not converge.

    Examples
    --------
    >>> out = phase_map((30,), [0.9, 1.3], [8 / 30])
    >>> out["imbalance"].shape, out["n_holes"].tolist()
    ((2, 1), [8])
    """
    shape = _check_shape(shape)
    N = int(np.prod(shape))
    J_values = _check_J_values(J_values, ())
    dopings = check.real_array("dopings", dopings, ndim=1, max_size=100_000)
    if np.any(dopings <= 0) or np.any(dopings > 1):
        raise ValueError("dopings must lie in (0, 1]")
    _check_couplings(1.0, V, t_par, eps_diag, shape)
    progress = check.boolean("progress", progress)
    nh = np.maximum(1, np.rint(dopings * N).astype(int))
    keys = ("imbalance", "order_bec", "order_bcs", "binding_energy", "energy")
    out = {key: np.empty((J_values.size, dopings.size)) for key in keys}
    it = [(i, j) for i in range(J_values.size) for j in range(dopings.size)]
    if progress:
        from tqdm.auto import tqdm
        it = tqdm(it, desc=f"MixD phase map {shape}")
    for i, j in it:
        s = solve_mean_field(shape=shape, n_holes=int(nh[j]), J_perp=float(J_values[i]),
                             V=V, t_par=t_par, eps_diag=eps_diag)
        for key in keys:
            out[key][i, j] = getattr(s, key)
    out["n_holes"] = nh
    out["J_values"] = J_values
    out["dopings"] = nh / N
    return out


def solve_at_doping(shape, J_perp, doping, eps_diag=0.0, *, t_par=0.1, V=1.0):
    """Solve the mean field at a doping instead of a hole number.

    Parameters
    ----------
    shape : int or tuple of int
        ``(L,)`` or ``(Lx, Ly)`` as for :func:`solve_mean_field`.
    J_perp : float
        Rung exchange (units of V).
    doping : float
        Holes per rung delta in (0, 1]; N_h = max(1, round(delta N)).
    eps_diag : float, optional
        Diagonal recombination strength (dimensionless; 2D only).
    t_par : float, optional
        Leg hopping (units of V).
    V : float, optional
        Rung repulsion (the unit of energy).

    Returns
    -------
    MeanFieldSolution
        The solution at the realized doping ``sol.doping``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``doping`` is outside (0, 1] or another argument is out of range.
    ConvergenceError
        As :func:`solve_mean_field`.

    Examples
    --------
    >>> s = solve_at_doping((16, 16), 1.0, 12 / 256)
    >>> s.n_holes, round(s.doping, 5)
    (12, 0.04688)
    """
    shape = _check_shape(shape)
    doping = check.in_range("doping", doping, 0.0, 1.0, lo_open=True)
    nh = max(1, int(round(doping * int(np.prod(shape)))))
    return solve_mean_field(shape=shape, n_holes=nh, J_perp=J_perp, V=V, t_par=t_par, eps_diag=eps_diag)


def energy_at_fixed_condensate(N_cc, shape=(30,), n_holes=8, J_perp=1.2, V=1.0, t_par=0.1,
                               eps_diag=0.0, *, tol=1e-12, temperature=1e-5):
    """Return the mean-field energy with the cc number held fixed (the landscape E(N_cc)).

    For each N_cc = beta^2 the number and gap equations are solved exactly;
    :func:`solve_mean_field` returns the minimum of this curve.

    Parameters
    ----------
    N_cc : float or array_like
        cc numbers, each in (0, N_h / 2) (dimensionless).
    shape, n_holes, J_perp, V, t_par, eps_diag : see :func:`solve_mean_field`
        Lattice, hole number and couplings (energies in units of V).
    tol : float, optional
        Relative tolerance of the inner equations, in [1e-14, 1e-4].
    temperature : float, optional
        Regularizing temperature in [0, 0.01] (units of V).

    Returns
    -------
    numpy.ndarray
        E(N_cc) relative to the rung-singlet vacuum (units of V), shaped like ``N_cc``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an N_cc lies outside (0, N_h / 2) or another argument is out of range.
    ConvergenceError
        If the inner equations fail at some N_cc.

    Examples
    --------
    >>> s = solve_mean_field(shape=(30,), n_holes=8, J_perp=1.2)
    >>> E = energy_at_fixed_condensate([0.9 * s.N_cc, s.N_cc, 1.1 * s.N_cc])
    >>> bool(E[1] < E[0] and E[1] < E[2]), bool(abs(E[1] - s.energy) < 1e-9)
    (True, True)
    """
    shape = _check_shape(shape)
    N = int(np.prod(shape))
    n_holes = check.integer("n_holes", n_holes, 1, N)
    J, V, t, eps = _check_couplings(J_perp, V, t_par, eps_diag, shape)
    tol = check.in_range("tol", tol, 1e-14, 1e-4)
    T = check.nonnegative("temperature", temperature, 0.01)
    ncc = check.real_array("N_cc", N_cc, max_size=100_000)
    if np.any(ncc <= 0.0) or np.any(ncc >= 0.5 * n_holes):
        raise ValueError(f"N_cc must lie in (0, N_h/2) = (0, {0.5 * n_holes}), got {ncc}")
    frac = 2.0 * ncc / n_holes
    z = np.log(frac / (1.0 - frac))
    p = _Problem(shape, n_holes, J, V, t, eps, tol, T)
    out = np.empty(z.shape)
    for idx in np.ndindex(z.shape):
        r = p.evaluate(float(z[idx]))
        if not r["ok"]:
            raise ConvergenceError(f"MixD mean field at N_cc={float(ncc[idx])!r}: "
                                   f"{getattr(p, 'last_failure', 'inner equations failed')}",
                                   last=r)
        out[idx] = r["G"]
    return out


def ansatz_energy(theta_k, beta, shape=(16, 16), J_perp=1.0, V=1.0, t_par=0.1, eps_diag=0.0):
    """Return <H_eff> of the paper's ansatz (Eq. 9) for arbitrary BCS angles theta_k and condensate beta.

    The energy (B9) of the paper's model (Hartree terms dropped), measured
    from the rung-singlet vacuum, with v_k = sin(theta_k / 2), u_k = cos(theta_k / 2)::

        E = -(4 t beta / sqrt N) sum_k sin(theta_k) g_k + 2 (t - 2 t beta^2/N) sum_k v_k^2 gam_k
            + 2 (J - (3/4) z t^2/J) sum_k v_k^2 + (V + J) beta^2
            + (3/4)(t^2 / J N) sum_d |sum_k sin(theta_k) e^{i k_d}|^2 ,

    for a state with N_sc = 2 sum_k v_k^2 sc's and N_cc = beta^2 cc's.  Any
    gap function, not only the self-consistent one, can be tried this way
    (e.g. a d-wave competitor, :func:`d_wave_competitor`); at the solution of
    :func:`solve_mean_field` it equals ``energy``.

    Parameters
    ----------
    theta_k : array_like
        BCS angles on the full Brillouin zone (radians), shape ``shape``, axes as
        :func:`brillouin_zone` (``indexing="ij"``).
    beta : float
        Condensate amplitude, in [0, 1e6] (beta^2 = N_cc).
    shape : tuple of int, optional
        ``(L,)`` or ``(Lx, Ly)``, entries in [2, 4096].
    J_perp : float, optional
        Rung exchange, in (0, 1e6] (units of V).
    V : float, optional
        Rung repulsion, in [0, 1e6] (the unit of energy).
    t_par : float, optional
        Leg hopping, in (0, 1e3] (units of V).
    eps_diag : float, optional
        Diagonal recombination strength, |eps| <= 10 (2D only).

    Returns
    -------
    float
        The energy (units of V).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range or ``theta_k`` does not have shape ``shape``.

    Examples
    --------
    >>> s = solve_mean_field(shape=(16, 16), n_holes=12, J_perp=1.0)
    >>> theta = np.arctan2(s.delta_k, s.xi_k)
    >>> bool(abs(ansatz_energy(theta, s.beta) - s.energy) < 1e-9)
    True
    """
    shape = _check_shape(shape)
    th = check.real_array("theta_k", theta_k)
    if th.shape != shape:
        raise ValueError(f"theta_k must have shape {shape}, got {th.shape}")
    beta = check.nonnegative("beta", beta, hi=1e6)
    J, Vv, t, eps = _check_couplings(J_perp, V, t_par, eps_diag, shape)
    N = int(np.prod(shape))
    mesh = np.meshgrid(*[_axis(L) for L in shape], indexing="ij")
    gam, g = _form_factors(tuple(mesh), eps)
    v2 = np.sin(0.5 * th) ** 2
    st = np.sin(th)
    e0 = J - 0.75 * 2 * len(shape) * t * t / J
    pair = sum(float(np.sum(st * np.cos(m))) ** 2 + float(np.sum(st * np.sin(m))) ** 2 for m in mesh)
    return float(-4.0 * t * beta / np.sqrt(N) * np.sum(st * g)
                 + 2.0 * (t - 2.0 * t * beta * beta / N) * np.sum(v2 * gam)
                 + 2.0 * e0 * np.sum(v2) + (Vv + J) * beta * beta + 0.75 * t * t / (J * N) * pair)


def _trial_state(delta, p, beta, nsc):
    """theta_k for a trial gap on the full zone, mu fixed by N_sc = 2 sum v^2 (paper's xi_k)."""
    xi0 = (p.t - 2.0 * p.t * beta * beta / p.N) * p.gam_full + p.e0

    def nf(m):
        x = xi0 + m
        return float(np.sum(1.0 - x / np.sqrt(x * x + delta * delta + 1e-300))) - nsc

    lo, hi = -float(xi0.max()) - 1.0, -float(xi0.min()) + 1.0
    while nf(lo) < 0:
        lo -= 1.0
    while nf(hi) > 0:
        hi += 1.0
    mu = brentq(nf, lo, hi, xtol=1e-14)
    th = np.arctan2(delta, xi0 + mu)
    # a degenerate shell with Delta_k = 0 at mu cannot be filled partially: the state then
    # holds the wrong number of sc's and is not a member of the family (None)
    ok = abs(2.0 * float(np.sum(np.sin(0.5 * th) ** 2)) - nsc) < 1e-8 * max(nsc, 1.0)
    return th if ok else None


def d_wave_competitor(shape=(16, 16), n_holes=12, J_perp=1.0, V=1.0, t_par=0.1, amplitudes=None):
    """Compare the self-consistent extended-s state with the best d-wave state of the same ansatz.

    The d-wave family has Delta_k = A (cos k_x - cos k_y) in the BCS angles
    (theta_k = atan2(Delta_k, xi_k), mu fixed by the hole number) and any
    condensate beta; for each amplitude A its energy :func:`ansatz_energy` is
    minimised over the condensate fraction (a scan of 81 values of
    z = logit(2 N_cc / N_h) in [-10, 10], refined by
    ``scipy.optimize.minimize_scalar``). Trial states whose Fermi-level shell
    has Delta_k = 0 (A = 0, or the zone diagonals) and so cannot hold the
    required sc number are left out; at A = 0 only closed-shell fillings remain.  A d-wave gap is orthogonal to the
    recombination form factor g_k, so it gains no Feshbach energy and feels
    only the (repulsive) sc-sc kernel.

    Parameters
    ----------
    shape : tuple of int, optional
        ``(Lx, Ly)`` of the bilayer, entries in [2, 4096].
    n_holes : int, optional
        Number of holes, in [1, Lx Ly].
    J_perp : float, optional
        Rung exchange, in (0, 1e6] (units of V).
    V : float, optional
        Rung repulsion, in [0, 1e6] (the unit of energy).
    t_par : float, optional
        Leg hopping, in (0, 1e3] (units of V).
    amplitudes : array_like, optional
        d-wave amplitudes A >= 0 (units of V), at most 1000; default 8 values on [0.0025, 0.02].

    Returns
    -------
    dict
        ``energy_s`` (self-consistent extended-s state), ``amplitudes`` (those with a valid
        member), ``energy_d`` (best energy at each of them), ``skipped`` (number of amplitudes
        left out), ``energy_d_best`` and ``amplitude_d_best`` (the lowest d-wave point),
        ``beta_d_best``; energies in units of V.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range or ``shape`` is not 2D.
    ConvergenceError
        If the extended-s solve fails.

    Examples
    --------
    >>> c = d_wave_competitor((8, 8), 3, amplitudes=[0.0, 0.01])
    >>> bool(c["energy_s"] < c["energy_d_best"]), c["amplitude_d_best"], c["skipped"]
    (True, 0.01, 1)
    """
    from scipy.optimize import minimize_scalar
    shape = _check_shape(shape)
    if len(shape) != 2:
        raise ValueError(f"shape must be 2D (Lx, Ly) for a d-wave competitor, got {shape}")
    N = int(np.prod(shape))
    n_holes = check.integer("n_holes", n_holes, 1, N)
    J, Vv, t, _ = _check_couplings(J_perp, V, t_par, 0.0, shape)
    if amplitudes is None:
        A = np.linspace(0.0025, 0.02, 8)
    else:
        A = check.real_array("amplitudes", amplitudes, ndim=1, max_size=1000)
        if np.any(A < 0) or np.any(A > 1e3):
            raise ValueError("amplitudes must lie in [0, 1e3] (units of V)")
    sol = solve_mean_field(shape=shape, n_holes=n_holes, J_perp=J, V=Vv, t_par=t)
    mesh = np.meshgrid(*[_axis(L) for L in shape], indexing="ij")

    class P:
        pass

    p = P()
    p.t, p.N, p.e0 = t, N, J - 3.0 * t * t / J
    p.gam_full = np.cos(mesh[0]) + np.cos(mesh[1])
    dk = np.cos(mesh[0]) - np.cos(mesh[1])

    def energy(a, z):
        beta = float(np.sqrt(0.5 * n_holes / (1.0 + np.exp(-z))))
        th = _trial_state(a * dk, p, beta, n_holes - 2.0 * beta * beta)
        return np.inf if th is None else ansatz_energy(th, beta, shape, J, Vv, t)

    zs = np.linspace(-10.0, 10.0, 81)
    best = []
    for a in A:
        ez = np.array([energy(a, z) for z in zs])
        if not np.any(np.isfinite(ez)):
            best.append((np.inf, np.nan))
            continue
        i = int(np.argmin(ez))
        e_i, z_i = float(ez[i]), float(zs[i])
        if 0 < i < zs.size - 1 and np.isfinite(ez[i - 1]) and np.isfinite(ez[i + 1]):
            r = minimize_scalar(lambda z, a=a: energy(a, z), bounds=(zs[i - 1], zs[i + 1]),
                                method="bounded", options={"xatol": 1e-9})
            if np.isfinite(r.fun) and r.fun < e_i:
                e_i, z_i = float(r.fun), float(r.x)
        best.append((e_i, z_i))
    if not any(np.isfinite(b[0]) for b in best):
        raise ValueError("amplitudes: no d-wave trial state holds the required number of sc's; "
                         "use amplitudes > 0")
    keep = np.array([np.isfinite(b[0]) for b in best])
    Ed = np.array([b[0] for b in best])[keep]
    zk = np.array([b[1] for b in best])[keep]
    A = A[keep]
    i = int(np.argmin(Ed))
    return {"energy_s": float(sol.energy), "amplitudes": A, "energy_d": Ed,
            "skipped": int(np.sum(~keep)), "energy_d_best": float(Ed[i]), "amplitude_d_best": float(A[i]),
            "beta_d_best": float(np.sqrt(0.5 * n_holes / (1.0 + np.exp(-zk[i]))))}


# --------------------------------------------------------------------------- sweeps of the figures
def _crossing_or_none(x, y):
    """First zero of y(x) by linear interpolation; None if y keeps its sign (inputs checked)."""
    i = np.nonzero(np.diff(np.sign(y)) != 0)[0]
    if i.size == 0:
        return None
    i = int(i[0])
    return float(x[i] - y[i] * (x[i + 1] - x[i]) / (y[i + 1] - y[i]))


def crossing_point(x, y) -> float:
    """Return the first zero of y(x) by linear interpolation.

    Parameters
    ----------
    x : array_like
        Strictly increasing abscissae (at least 2; any unit, e.g. J_perp / V).
    y : array_like
        Ordinates, as many as ``x``.

    Returns
    -------
    float
        The interpolated x of the first sign change of y (in the unit of ``x``).

    Raises
    ------
    TypeError
        If ``x`` or ``y`` is not a real array.
    ValueError
        If the lengths differ, ``x`` is not strictly increasing, or y does not
        change sign on [x[0], x[-1]].

    Examples
    --------
    >>> crossing_point([0.0, 1.0, 2.0], [1.0, 0.5, -0.5])
    1.5
    """
    x = check.real_array("x", x, ndim=1, min_size=2)
    y = check.real_array("y", y, ndim=1, min_size=2)
    check.same_length(x=x, y=y)
    if np.any(np.diff(x) <= 0):
        raise ValueError("x must be strictly increasing")
    c = _crossing_or_none(x, y)
    if c is None:
        raise ValueError(f"y must change sign on [{x[0]}, {x[-1]}]; it does not")
    return c


def leggett_point(L, n_holes, t_par=0.1, V=1.0, *, bracket=(0.5, 2.0), xtol=1e-10,
                  three_site=False, sc_cc_repulsion=False, hartree=False, cc_three_site=False):
    """Return the J_perp / V at which the mean-field sc chemical potential crosses the sc band bottom.

    This is the BCS-BEC crossover in the sense of Leggett (the sc's lose their
    Fermi surface), as opposed to the two-channel balance N_sc = 2 N_cc
    (imbalance zero). Below the returned coupling the sc chemical potential
    lies inside the sc band (``MeanFieldSolution.xi_band_min < 0``), above it
    below the band bottom (``xi_band_min > 0``). The root of
    ``xi_band_min(J_perp)`` is found with ``scipy.optimize.brentq`` on full
    mean-field solutions of the periodic L-rung ladder.

    Parameters
    ----------
    L : int
        Number of rungs of the periodic ladder, in [2, 4096].
    n_holes : int
        Number of holes N_h, in [1, L] (doping N_h / L).
    t_par : float, optional
        Leg hopping, in (0, 1e3] (units of V).
    V : float, optional
        Rung repulsion, in [0, 1e6] (the unit of energy).
    bracket : pair of float, optional
        (lo, hi) with 0 < lo < hi <= 1e6 (units of V); ``xi_band_min`` must
        change sign on it.
    xtol : float, optional
        Absolute tolerance of the root (units of V), in (0, 1e-2].
    three_site, sc_cc_repulsion, hartree, cc_three_site : bool, optional
        The O(t^2) extensions of :func:`solve_mean_field` (default: the paper's model).

    Returns
    -------
    float
        J_perp / V of the Leggett point.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range, or the sc chemical potential does not
        cross the band bottom inside ``bracket``.
    ConvergenceError
        If a mean-field solve or the root search does not converge.

    Examples
    --------
    >>> round(leggett_point(30, 8), 3), round(leggett_point(30, 14), 3)  # doctest: +NUMBER
    (0.793, 0.922)
    """
    L = check.integer("L", L, 2, MAX_LATTICE)
    n_holes = check.integer("n_holes", n_holes, 1, L)
    _check_couplings(1.0, V, t_par, 0.0, (L,))
    lo, hi = _check_bracket("bracket", bracket)
    xtol = check.tolerance("xtol", xtol, hi=1e-2)
    flags = _check_flags(three_site, sc_cc_repulsion, hartree, (L,), 0.0, cc_three_site)

    def offset(Jv):
        return solve_mean_field(shape=(L,), n_holes=n_holes, J_perp=Jv, V=V, t_par=t_par,
                                three_site=flags[0], sc_cc_repulsion=flags[1],
                                hartree=flags[2], cc_three_site=flags[3]).xi_band_min

    flo, fhi = offset(lo), offset(hi)
    if not flo < 0.0 < fhi:
        raise ValueError(f"bracket: the sc chemical potential does not cross the sc band bottom on "
                         f"[{lo}, {hi}] (min xi_k = {flo:.3g} at J_perp={lo}, {fhi:.3g} at "
                         f"J_perp={hi}; need < 0 then > 0); choose another bracket")
    return _brentq_checked(offset, (lo, hi), "leggett_point", xtol)


def balance_point(L, n_holes, t_par=0.1, V=1.0, *, three_site=False, sc_cc_repulsion=False,
                  hartree=False, cc_three_site=False, bracket=(0.5, 2.0), xtol=1e-10):
    """Return the mean-field J_perp / V at which N_sc = 2 N_cc (imbalance zero) on the periodic L-rung ladder.

    At the balance point the condensate is fixed, beta^2 = N_cc = N_h / 4, so
    J_c is the root of the single function dE/dbeta(beta^2 = N_h/4; J_perp)
    (one self-consistent solve per trial J, ``scipy.optimize.brentq``) rather
    than of the imbalance of full solves; a full solve at the root confirms
    that this stationary point is the ground state of the ansatz.
    Counterpart of :func:`nickelates.mixd_exact.balance_point`.

    Parameters
    ----------
    L : int
        Number of rungs of the periodic ladder, in [2, 4096].
    n_holes : int
        Number of holes N_h, in [1, L].
    t_par : float, optional
        Leg hopping, in (0, 1e3] (units of V).
    V : float, optional
        Rung repulsion, in (0, 1e6] (the unit of energy).
    three_site, sc_cc_repulsion, hartree, cc_three_site : bool, optional
        The O(t^2) extensions of :func:`solve_mean_field` (default: the paper's model).
    bracket : pair of float, optional
        (lo, hi) with 0 < lo < hi <= 1e6 (units of V) containing the root.
    xtol : float, optional
        Absolute tolerance of the root (units of V), in (0, 1e-2].

    Returns
    -------
    float
        J_c / V.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range or dE/dbeta does not change sign on ``bracket``.
    ConvergenceError
        If a solve fails, or the balance stationary point is not the lowest
        minimum at the root (|imbalance| of the full solve > 1e-6).

    Examples
    --------
    >>> round(balance_point(30, 8), 4)                    # doctest: +NUMBER
    1.0965
    >>> round(balance_point(30, 8, three_site=True), 4)   # doctest: +NUMBER
    1.1018
    """
    L = check.integer("L", L, 2, MAX_LATTICE)
    n_holes = check.integer("n_holes", n_holes, 1, L)
    J0, Vv, t, _ = _check_couplings(1.0, V, t_par, 0.0, (L,))
    Vv = check.positive("V", V, hi=1e6)
    flags = _check_flags(three_site, sc_cc_repulsion, hartree, (L,), 0.0, cc_three_site)
    lo, hi = _check_bracket("bracket", bracket)
    xtol = check.tolerance("xtol", xtol, hi=1e-2)

    def f(Jv):
        return _balance_derivative(L, n_holes, Jv, Vv, t, flags)

    flo, fhi = f(lo), f(hi)
    if not (flo > 0.0 > fhi):
        raise ValueError(f"bracket: dE/dbeta at N_sc = 2 N_cc does not go from > 0 to < 0 on [{lo}, {hi}] "
                         f"({flo:.3g}, {fhi:.3g}); choose another bracket")
    Jc = _brentq_checked(f, (lo, hi), "balance_point", xtol)
    s = solve_mean_field(shape=(L,), n_holes=n_holes, J_perp=Jc, V=Vv, t_par=t, three_site=flags[0],
                         sc_cc_repulsion=flags[1], hartree=flags[2], cc_three_site=flags[3])
    if abs(s.imbalance) > 1e-6:
        raise ConvergenceError(f"balance_point: at J_perp={Jc:.8g} the ground state of the ansatz has "
                               f"imbalance {s.imbalance:.3g}; the balance stationary point is not the "
                               "lowest minimum there", last=Jc)
    return Jc


@dataclass(frozen=True)
class LadderImbalanceMap:
    """Mean-field imbalance of an L-rung ladder over (J_perp, N_h): the paper's Fig. 3.

    Returned by :func:`ladder_imbalance_map`.

    Attributes
    ----------
    L : int
        Number of rungs.
    t_par : float
        Leg hopping (units of V).
    V : float
        Rung repulsion (the unit of energy).
    J_values : numpy.ndarray
        Rung exchanges (units of V), increasing.
    n_holes : numpy.ndarray
        Hole numbers (doping N_h / L).
    imbalance : numpy.ndarray
        (N_sc - 2 N_cc) / N_h, shape (len(J_values), len(n_holes)).
    cut_holes : int
        Hole number of the cut.
    cut : numpy.ndarray
        Imbalance at ``cut_holes`` along J_values.
    J_cross : float or None
        Zero of ``cut`` (units of V); None if it keeps its sign.

    Examples
    --------
    >>> m = ladder_imbalance_map([1.0, 1.2], [4, 8], L=30, cut_holes=8)
    >>> m.imbalance.shape, 1.0 < m.J_cross < 1.2
    ((2, 2), True)
    """

    L: int
    t_par: float
    V: float
    J_values: np.ndarray = field(repr=False)
    n_holes: np.ndarray = field(repr=False)
    imbalance: np.ndarray = field(repr=False)
    cut_holes: int
    cut: np.ndarray = field(repr=False)
    J_cross: float | None

    @property
    def dopings(self):
        """N_h / L for each column (holes per rung)."""
        return self.n_holes / self.L


def _check_holes_list(name, n_holes, L):
    arr = np.asarray(n_holes)
    if arr.dtype.kind not in "iu" or arr.ndim != 1 or arr.size == 0:
        raise TypeError(f"{name} must be a non-empty 1D sequence of integers, got {n_holes!r:.80}")
    if np.any(arr < 1) or np.any(arr > L):
        raise ValueError(f"{name} must lie in [1, L={L}], got {arr.tolist()}")
    return arr.astype(int)


def _check_increasing(name, x):
    if np.any(np.diff(x) <= 0):
        raise ValueError(f"{name} must be strictly increasing")
    return x


def ladder_imbalance_map(J_values=None, n_holes=None, *, L=30, cut_holes=8, t_par=0.1, V=1.0):
    """Sweep the mean-field imbalance of the L-rung ladder over J_perp and N_h (Fig. 3).

    Parameters
    ----------
    J_values : array_like, optional
        Strictly increasing rung exchanges in (0, 1e6] (units of V); default 41
        values on [0.5, 2].
    n_holes : sequence of int, optional
        Hole numbers in [1, L]; default 1 .. L // 2.
    L : int, optional
        Number of rungs, in [2, 4096].
    cut_holes : int, optional
        Hole number of the cut (one of ``n_holes``).
    t_par : float, optional
        Leg hopping (units of V).
    V : float, optional
        Rung repulsion (the unit of energy).

    Returns
    -------
    LadderImbalanceMap
        The map, the cut at ``cut_holes`` and its zero.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range or ``cut_holes`` is not in ``n_holes``.
    ConvergenceError
        If a point does not converge.

    Examples
    --------
    >>> m = ladder_imbalance_map([0.5, 2.0], [8], L=30)
    >>> bool(m.cut[0] > 0 > m.cut[1])
    True
    """
    L = check.integer("L", L, 2, MAX_LATTICE)
    J = _check_increasing("J_values", _check_J_values(J_values, np.linspace(0.5, 2.0, 41)))
    nhs = np.arange(1, L // 2 + 1) if n_holes is None else _check_holes_list("n_holes", n_holes, L)
    cut_holes = check.integer("cut_holes", cut_holes, 1, L)
    if cut_holes not in nhs:
        raise ValueError(f"cut_holes must be one of n_holes {nhs.tolist()}, got {cut_holes}")
    pm = phase_map((L,), J, nhs / L, t_par=t_par, V=V)
    cut = pm["imbalance"][:, int(np.nonzero(nhs == cut_holes)[0][0])].copy()
    return LadderImbalanceMap(L=L, t_par=float(t_par), V=float(V), J_values=J, n_holes=nhs,
                              imbalance=pm["imbalance"], cut_holes=cut_holes, cut=cut,
                              J_cross=_crossing_or_none(J, cut))


@dataclass(frozen=True)
class LadderEnergySweep:
    """Mean-field energies and binding energies of the L-rung ladder vs J_perp (Figs. 4 and 5).

    Returned by :func:`ladder_energy_sweep`; energies in units of V.

    Attributes
    ----------
    L : int
        Number of rungs.
    t_par : float
        Leg hopping (units of V).
    V : float
        Rung repulsion (the unit of energy).
    J_values : numpy.ndarray
        Rung exchanges (units of V).
    energy : dict
        {N_h: E(J) array} for the low dopings (units of V).
    energy_minus_bg : dict
        {N_h: E - E_bg array} (units of V).
    eb_holes : int
        Hole number of the binding-energy curve.
    binding_energy : numpy.ndarray
        E_B = 2 min_k E_k at ``eb_holes`` (units of V).
    abs_delta_at_kstar : numpy.ndarray
        |Delta_k*| at ``eb_holes`` (units of V).

    Examples
    --------
    >>> e = ladder_energy_sweep([1.0, 1.5], low_holes=(2,), eb_holes=14)
    >>> sorted(e.energy), bool(e.binding_energy[1] > e.binding_energy[0])
    ([2], True)
    """

    L: int
    t_par: float
    V: float
    J_values: np.ndarray = field(repr=False)
    energy: dict = field(repr=False)
    energy_minus_bg: dict = field(repr=False)
    eb_holes: int
    binding_energy: np.ndarray = field(repr=False)
    abs_delta_at_kstar: np.ndarray = field(repr=False)


def ladder_energy_sweep(J_values=None, *, L=30, low_holes=(2, 4, 6), eb_holes=14, t_par=0.1, V=1.0):
    """Solve the ladder along J_perp for the energies (Fig. 4) and binding energies (Fig. 5).

    Parameters
    ----------
    J_values : array_like, optional
        Rung exchanges in (0, 1e6] (units of V); default 25 values on [0.5, 2].
    L : int, optional
        Number of rungs, in [2, 4096].
    low_holes : sequence of int, optional
        Hole numbers (in [1, L]) of the energy curves.
    eb_holes : int, optional
        Hole number (in [1, L]) of the binding-energy curve.
    t_par : float, optional
        Leg hopping (units of V).
    V : float, optional
        Rung repulsion (the unit of energy).

    Returns
    -------
    LadderEnergySweep
        Energies, E - E_bg, E_B and |Delta_k*| along J_values (units of V).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.
    ConvergenceError
        If a point does not converge.

    Examples
    --------
    >>> e = ladder_energy_sweep([1.2], low_holes=(2,), eb_holes=14)
    >>> round(float(e.binding_energy[0]), 3)  # doctest: +NUMBER
    0.32
    """
    L = check.integer("L", L, 2, MAX_LATTICE)
    J = _check_J_values(J_values, np.linspace(0.5, 2.0, 25))
    low = _check_holes_list("low_holes", low_holes, L)
    eb_holes = check.integer("eb_holes", eb_holes, 1, L)
    _check_couplings(1.0, V, t_par, 0.0, (L,))

    def sweep(nh):
        return [solve_mean_field(shape=(L,), n_holes=int(nh), J_perp=float(Jv), V=V, t_par=t_par) for Jv in J]

    energy, energy_bg = {}, {}
    for nh in low:
        ss = sweep(nh)
        energy[int(nh)] = np.array([s.energy for s in ss])
        energy_bg[int(nh)] = np.array([s.energy_minus_bg for s in ss])
    ss = sweep(eb_holes)
    return LadderEnergySweep(L=L, t_par=float(t_par), V=float(V), J_values=J, energy=energy,
                             energy_minus_bg=energy_bg, eb_holes=eb_holes,
                             binding_energy=np.array([s.binding_energy for s in ss]),
                             abs_delta_at_kstar=np.array([abs(s.delta_at_kstar) for s in ss]))


@dataclass(frozen=True)
class OrderParameterSweep:
    """BEC and BCS order parameters of the L-rung ladder vs J_perp and three crossover markers (Fig. 6).

    Returned by :func:`order_parameter_sweep`.

    Attributes
    ----------
    L : int
        Number of rungs.
    n_holes : int
        Number of holes.
    t_par : float
        Leg hopping (units of V).
    V : float
        Rung repulsion (the unit of energy).
    J_values : numpy.ndarray
        Rung exchanges (units of V), strictly increasing.
    order_bec : numpy.ndarray
        O_BEC along J_values (dimensionless).
    order_bcs : numpy.ndarray
        O_BCS along J_values (dimensionless).
    imbalance : numpy.ndarray
        (N_sc - 2 N_cc)/N_h along J_values.
    J_steep : float
        J_perp of the steepest descent of O_BCS on the grid (units of V).
    J_imbalance : float or None
        Zero of the imbalance (units of V); None if it keeps its sign.
    J_cross : float or None
        J_perp where O_BEC = O_BCS (units of V); None if they do not cross.

    Examples
    --------
    >>> o = order_parameter_sweep(np.linspace(1.0, 1.5, 6))
    >>> 1.25 < o.J_cross < 1.45
    True
    """

    L: int
    n_holes: int
    t_par: float
    V: float
    J_values: np.ndarray = field(repr=False)
    order_bec: np.ndarray = field(repr=False)
    order_bcs: np.ndarray = field(repr=False)
    imbalance: np.ndarray = field(repr=False)
    J_steep: float
    J_imbalance: float | None
    J_cross: float | None


def order_parameter_sweep(J_values=None, *, L=30, n_holes=8, t_par=0.1, V=1.0):
    """Solve the ladder along J_perp for O_BEC, O_BCS and the crossover markers (Fig. 6).

    Parameters
    ----------
    J_values : array_like, optional
        At least 3 strictly increasing rung exchanges in (0, 1e6] (units of
        V); default 81 values on [0.5, 2].
    L : int, optional
        Number of rungs, in [2, 4096].
    n_holes : int, optional
        Number of holes, in [1, L].
    t_par : float, optional
        Leg hopping (units of V).
    V : float, optional
        Rung repulsion (the unit of energy).

    Returns
    -------
    OrderParameterSweep
        Order parameters, imbalance and the three markers.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.
    ConvergenceError
        If a point does not converge.

    Examples
    --------
    >>> o = order_parameter_sweep([0.8, 1.0, 1.2, 1.4], n_holes=8)
    >>> 1.0 < o.J_imbalance < 1.2
    True
    """
    L = check.integer("L", L, 2, MAX_LATTICE)
    J = _check_increasing("J_values", _check_J_values(J_values, np.linspace(0.5, 2.0, 81), min_size=3))
    n_holes = check.integer("n_holes", n_holes, 1, L)
    sols = [solve_mean_field(shape=(L,), n_holes=n_holes, J_perp=float(Jv), V=V, t_par=t_par) for Jv in J]
    obec = np.array([s.order_bec for s in sols])
    obcs = np.array([s.order_bcs for s in sols])
    imb = np.array([s.imbalance for s in sols])
    return OrderParameterSweep(L=L, n_holes=n_holes, t_par=float(t_par), V=float(V), J_values=J,
                               order_bec=obec, order_bcs=obcs, imbalance=imb,
                               J_steep=float(J[np.argmin(np.gradient(obcs, J))]),
                               J_imbalance=_crossing_or_none(J, imb),
                               J_cross=_crossing_or_none(J, obec - obcs))


def solve_eps_series(shape=(16, 16), n_holes=12, J_perp=1.0, t_par=0.1, eps_values=(0.0, 1.5), *, V=1.0):
    """Solve the bilayer for several diagonal recombination strengths (Figs. 2 and 7).

    Parameters
    ----------
    shape : tuple of int, optional
        ``(Lx, Ly)`` of the bilayer (or ``(L,)`` with every eps = 0).
    n_holes : int, optional
        Number of holes.
    J_perp : float, optional
        Rung exchange (units of V).
    t_par : float, optional
        Leg hopping (units of V).
    eps_values : sequence of float, optional
        Diagonal recombination strengths, |eps| <= 10 (dimensionless), at least one.
    V : float, optional
        Rung repulsion (the unit of energy).

    Returns
    -------
    tuple of MeanFieldSolution
        One solution per eps, in the order given.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.
    ConvergenceError
        If a solve does not converge.

    Examples
    --------
    >>> s0, s7 = solve_eps_series((8, 8), n_holes=3)
    >>> s0.eps_diag, s7.eps_diag
    (0.0, 1.5)
    """
    eps = check.real_array("eps_values", eps_values, ndim=1, max_size=1000)
    return tuple(solve_mean_field(shape=shape, n_holes=n_holes, J_perp=J_perp, V=V, t_par=t_par,
                                  eps_diag=float(e)) for e in eps)


def _brentq_checked(f, bracket, name, xtol):
    lo, hi = bracket
    try:
        x, info = brentq(f, lo, hi, xtol=xtol, maxiter=200, full_output=True, disp=False)
    except ValueError as exc:  # no sign change on the bracket
        raise ValueError(f"{name}: the function does not change sign on [{lo}, {hi}]; "
                         f"widen the bracket ({exc})") from exc
    if not info.converged:
        raise ConvergenceError(f"{name}: brentq did not converge on [{lo}, {hi}] "
                               f"({info.iterations} iterations, last {x!r})",
                               iterations=info.iterations, last=x)
    return float(x)


def _check_bracket(name, pair):
    arr = check.real_array(name, pair, ndim=1, min_size=2, max_size=2)
    if not 0.0 < arr[0] < arr[1] <= 1e6:
        raise ValueError(f"{name} must be (lo, hi) with 0 < lo < hi <= 1e6 (units of V), got {arr.tolist()}")
    return float(arr[0]), float(arr[1])


def finite_size_crossover(sizes, dim=1, doping_holes=(8, 30), J_brackets=((0.8, 1.6), (1.0, 2.0)),
                          J_ref=1.0, xtol=1e-9):
    """Locate the mean-field crossover couplings vs system size at fixed doping.

    t_par / V = 0.1, eps = 0. At each size the imbalance zero and the
    crossing O_BEC = O_BCS are found with ``brentq``.

    Parameters
    ----------
    sizes : sequence of int
        L values in [2, 4096]: ladders of L rungs (``dim=1``) or L x L bilayers (``dim=2``).
    dim : int, optional
        1 (ladder) or 2 (bilayer).
    doping_holes : tuple of int, optional
        ``(a, b)`` with N_h = a * N // b (N the number of rungs), 1 <= a <= b.
    J_brackets : pair of pairs, optional
        brentq brackets (units of V) for the imbalance zero and for O_BEC = O_BCS.
    J_ref : float, optional
        J_perp at which O_BCS is reported (units of V).
    xtol : float, optional
        Absolute tolerance of the roots (units of V), in (0, 1e-2].

    Returns
    -------
    numpy.ndarray
        Rows (L, J_c from imbalance = 0, J_x from O_BEC = O_BCS, O_BCS at J_ref),
        J in units of V.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range, or a bracket does not contain a sign change.
    ConvergenceError
        If a root search or a solve does not converge.

    Examples
    --------
    >>> r = finite_size_crossover([30], dim=1, xtol=1e-6)
    >>> r.shape, bool(1.0 < r[0, 1] < 1.25)
    ((1, 4), True)
    """
    sizes = np.asarray(sizes)
    if sizes.dtype.kind not in "iu" or sizes.ndim != 1 or sizes.size == 0:
        raise TypeError(f"sizes must be a non-empty 1D sequence of integers, got {sizes!r:.80}")
    if np.any(sizes < 2) or np.any(sizes > MAX_LATTICE):
        raise ValueError(f"sizes must lie in [2, {MAX_LATTICE}], got {sizes.tolist()}")
    dim = check.integer("dim", dim)
    check.choice("dim", dim, (1, 2))
    if not isinstance(doping_holes, (tuple, list)) or len(doping_holes) != 2:
        raise TypeError(f"doping_holes must be a pair (a, b) of integers, got {doping_holes!r}")
    a = check.integer("doping_holes[0]", doping_holes[0], 1)
    b = check.integer("doping_holes[1]", doping_holes[1], a)
    if not isinstance(J_brackets, (tuple, list)) or len(J_brackets) != 2:
        raise TypeError(f"J_brackets must be two (lo, hi) pairs, got {J_brackets!r}")
    br_imb = _check_bracket("J_brackets[0]", J_brackets[0])
    br_orders = _check_bracket("J_brackets[1]", J_brackets[1])
    J_ref = check.positive("J_ref", J_ref, hi=1e6)
    xtol = check.tolerance("xtol", xtol, hi=1e-2)
    rows = []
    for L in sizes:
        shape = (int(L),) if dim == 1 else (int(L), int(L))
        N = int(np.prod(shape))
        nh = a * N // b
        if nh < 1:
            raise ValueError(f"doping_holes={doping_holes} gives N_h = 0 holes on {shape}")

        def solve(Jv, shape=shape, nh=nh):
            return solve_mean_field(shape=shape, n_holes=nh, J_perp=Jv)

        def orders(Jv, solve=solve):
            s = solve(Jv)
            return s.order_bec - s.order_bcs

        rows.append((int(L),
                     _brentq_checked(lambda Jv, solve=solve: solve(Jv).imbalance, br_imb,
                                     f"imbalance zero at L={int(L)}", xtol),
                     _brentq_checked(orders, br_orders, f"O_BEC = O_BCS at L={int(L)}", xtol),
                     solve(J_ref).order_bcs))
    return np.array(rows, float)


@dataclass(frozen=True)
class SWScaling:
    """Error of the second-order Schrieffer-Wolff spectrum of the two-rung cluster vs t_par.

    Returned by :func:`sw_error_scaling`.

    Attributes
    ----------
    t_values : numpy.ndarray
        Leg hoppings t_par (units of V), increasing.
    J_perp : float
        Rung exchange (units of V).
    V : float
        Rung repulsion (units of V).
    errors : dict
        {N_h: max |E_ED - E_SW| array (units of V)} for N_h = 1, 2, 3.
    slopes : dict
        {N_h: log-log slope} for N_h = 1, 2, fitted to the ``n_fit`` smallest t.

    Examples
    --------
    >>> s = sw_error_scaling([0.005, 0.01, 0.02], n_fit=3)
    >>> round(s.slopes[1]), round(s.slopes[2])
    (3, 4)
    """

    t_values: np.ndarray = field(repr=False)
    J_perp: float
    V: float
    errors: dict = field(repr=False)
    slopes: dict


def sw_error_scaling(t_values=None, J_perp=1.2, V=1.0, n_fit=4):
    """Compare the exact two-rung cluster spectrum with second-order Schrieffer-Wolff vs t_par.

    Uses :func:`cluster_check` for 1, 2 and 3 holes; the deviation scales as
    the next order, t^3 (one hole) and t^4 (two holes); three holes are exact
    at first order.

    Parameters
    ----------
    t_values : array_like, optional
        Strictly increasing leg hoppings in (0, 1] (units of V); default 8
        values geometrically spaced on [0.005, 0.08].
    J_perp : float, optional
        Rung exchange (units of V).
    V : float, optional
        Rung repulsion (units of V), > 0.
    n_fit : int, optional
        Number of smallest t used for the slopes, in [2, len(t_values)].

    Returns
    -------
    SWScaling
        Errors (units of V) and fitted slopes.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> s = sw_error_scaling([0.01, 0.02], n_fit=2)
    >>> bool(s.errors[3].max() < 1e-12)
    True
    """
    if t_values is None:
        t = np.geomspace(0.005, 0.08, 8)
    else:
        t = _check_increasing("t_values", check.real_array("t_values", t_values, ndim=1, max_size=10_000))
        if np.any(t <= 0.0) or np.any(t > 1.0):
            raise ValueError("t_values must lie in (0, 1] (units of V)")
    n_fit = check.integer("n_fit", n_fit, 2, t.size)
    errors, slopes = {}, {}
    for nh in (1, 2, 3):
        errors[nh] = cluster_check(2, nh, J_perp, V, t)
    for nh in (1, 2):
        slopes[nh] = float(np.polyfit(np.log(t[:n_fit]), np.log(errors[nh][:n_fit]), 1)[0])
    return SWScaling(t_values=t, J_perp=float(J_perp), V=float(V), errors=errors, slopes=slopes)


# =========================================================================== clusters
# Microscopic MixD+V model (Eq. 1) on an open cluster of R rungs, its rung basis,
# and the second-order Schrieffer-Wolff effective Hamiltonian in the sc/cc manifold.
_RUNG_STATES = ("S", "T+", "T0", "T-", "sc0u", "sc0d", "sc1u", "sc1d", "cc")
_RUNG_HOLES = {"S": 0, "T+": 0, "T0": 0, "T-": 0, "sc0u": 1, "sc0d": 1, "sc1u": 1,
               "sc1d": 1, "cc": 2}


def _orb(r, mu, s):
    """Spin-orbital index of rung r, leg mu, spin s (0 = up, 1 = down)."""
    return 4 * r + 2 * mu + s


def _cdag(o, state):
    """Apply c^dagger_o to a dict {bits: amplitude} (Jordan-Wigner sign)."""
    out = {}
    for n, amp in state.items():
        if n >> o & 1:
            continue
        sign = -1.0 if bin(n & ((1 << o) - 1)).count("1") % 2 else 1.0
        m = n | (1 << o)
        out[m] = out.get(m, 0.0) + sign * amp
    return out


def _c(o, n):
    """Apply c_o to the basis state n: returns (sign, n') or None."""
    if not n >> o & 1:
        return None
    sign = -1.0 if bin(n & ((1 << o) - 1)).count("1") % 2 else 1.0
    return sign, n & ~(1 << o)


def _cd(o, n):
    if n >> o & 1:
        return None
    sign = -1.0 if bin(n & ((1 << o) - 1)).count("1") % 2 else 1.0
    return sign, n | (1 << o)


def _rung_op(r, name):
    """Creation-operator polynomial of a rung state: list of (coef, [orbitals])."""
    s2 = 1.0 / np.sqrt(2.0)
    u, d = 0, 1
    table = {
        "S": [(s2, [_orb(r, 0, u), _orb(r, 1, d)]), (-s2, [_orb(r, 0, d), _orb(r, 1, u)])],
        "T+": [(1.0, [_orb(r, 0, u), _orb(r, 1, u)])],
        "T0": [(s2, [_orb(r, 0, u), _orb(r, 1, d)]), (s2, [_orb(r, 0, d), _orb(r, 1, u)])],
        "T-": [(1.0, [_orb(r, 0, d), _orb(r, 1, d)])],
        # sc with the hole on leg mu: the spin sits on the other leg
        "sc0u": [(1.0, [_orb(r, 1, u)])], "sc0d": [(1.0, [_orb(r, 1, d)])],
        "sc1u": [(1.0, [_orb(r, 0, u)])], "sc1d": [(1.0, [_orb(r, 0, d)])],
        "cc": [(1.0, [])],
    }
    return table[name]


def cluster_basis(n_rungs, n_holes):
    """Build the rung-product basis of an open cluster with a given number of holes.

    Rung states: singlet ``S``, triplets ``T+``/``T0``/``T-``, ``sc{mu}{u,d}``
    (hole on leg mu, spin up/down on the other leg) and ``cc`` (two holes).

    Parameters
    ----------
    n_rungs : int
        Number of rungs R, in [1, 4].
    n_holes : int
        Number of holes, in [0, 2R].

    Returns
    -------
    labels : list of tuple of str
        Rung-state names of each basis state.
    occ : list of int
        Occupation-number basis (bit strings of the 4R spin orbitals).
    B : numpy.ndarray
        Matrix whose columns are the rung states in the occupation basis
        (orthonormal columns).

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If it is out of range.

    Examples
    --------
    >>> labels, occ, B = cluster_basis(1, 1)
    >>> labels
    [('sc0u',), ('sc0d',), ('sc1u',), ('sc1d',)]
    """
    import itertools
    R = check.integer("n_rungs", n_rungs, 1, 4)
    Nh = check.integer("n_holes", n_holes, 0, 2 * R)
    labels = [lab for lab in itertools.product(_RUNG_STATES, repeat=R)
              if sum(_RUNG_HOLES[x] for x in lab) == Nh]
    vecs = []
    for lab in labels:
        st = {0: 1.0}
        for r in reversed(range(R)):  # final order: O_0 O_1 ... O_{R-1} |0>
            new = {}
            for coef, ops in _rung_op(r, lab[r]):
                part = dict(st)
                for o in reversed(ops):
                    part = _cdag(o, part)
                for key, amp in part.items():
                    new[key] = new.get(key, 0.0) + coef * amp
            st = new
        vecs.append(st)
    occ = sorted({n for st in vecs for n in st})
    index = {n: i for i, n in enumerate(occ)}
    B = np.zeros((len(occ), len(labels)))
    for j, st in enumerate(vecs):
        for n, amp in st.items():
            B[index[n], j] += amp
    return labels, occ, B


def cluster_hamiltonian(n_rungs, n_holes, J_perp, V, t_par):
    """Build the microscopic Eq. (1) on an open cluster of rungs, in the rung-product basis.

    Parameters
    ----------
    n_rungs : int
        Number of rungs R, in [1, 4].
    n_holes : int
        Number of holes, in [0, 2R].
    J_perp : float
        Rung exchange, in (0, 1e6] (units of V).
    V : float
        Rung repulsion, in [0, 1e6] (units of V).
    t_par : float
        Leg hopping, |t_par| <= 1e3 (units of V).

    Returns
    -------
    labels : list of tuple of str
        Rung-state names of each basis state (see :func:`cluster_basis`).
    H : numpy.ndarray
        Dense symmetric Hamiltonian (units of V), measured from the
        rung-singlet vacuum (-J_perp per rung).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> labels, H = cluster_hamiltonian(1, 2, 1.0, 0.37, 0.0)
    >>> labels, H.round(12)
    ([('cc',)], array([[1.37]]))
    """
    J = check.positive("J_perp", J_perp, hi=1e6)
    Vv = check.nonnegative("V", V, hi=1e6)
    t = check.in_range("t_par", t_par, -1e3, 1e3)
    labels, occ, B = cluster_basis(n_rungs, n_holes)
    R = int(n_rungs)
    index = {n: i for i, n in enumerate(occ)}
    H = np.zeros((len(occ), len(occ)))

    def add(i, n, amp):
        j = index.get(n)
        if j is not None:
            H[j, i] += amp

    for i, n in enumerate(occ):
        # leg hopping (Gutzwiller projection: the basis has no double occupancy)
        for r in range(R - 1):
            for mu in (0, 1):
                for s in (0, 1):
                    for a, b in ((_orb(r + 1, mu, s), _orb(r, mu, s)),
                                 (_orb(r, mu, s), _orb(r + 1, mu, s))):
                        x = _c(b, n)
                        if x is None:
                            continue
                        y = _cd(a, x[1])
                        if y is None:
                            continue
                        other = a ^ 1  # same site, opposite spin
                        if y[1] >> other & 1:
                            continue
                        add(i, y[1], -t * x[0] * y[0])
        for r in range(R):
            occ_site = []
            for mu in (0, 1):
                nu = n >> _orb(r, mu, 0) & 1
                nd = n >> _orb(r, mu, 1) & 1
                occ_site.append((nu, nd))
            n0 = sum(occ_site[0])
            n1 = sum(occ_site[1])
            sz0 = 0.5 * (occ_site[0][0] - occ_site[0][1])
            sz1 = 0.5 * (occ_site[1][0] - occ_site[1][1])
            H[i, i] += J * (sz0 * sz1 - 0.25 * n0 * n1) + Vv * (1 - n0) * (1 - n1) + J
            # 1/2 (S0+ S1- + S0- S1+)
            for s in (0, 1):
                # S0^{+/-} S1^{-/+}: move spin flip: c0s'^dag c0s c1s^dag c1s'
                sp = 1 - s
                # term c^dag_{0 sp} c_{0 s} c^dag_{1 s} c_{1 sp}
                ops = [(_orb(r, 1, sp), "c"), (_orb(r, 1, s), "d"),
                       (_orb(r, 0, s), "c"), (_orb(r, 0, sp), "d")]
                m, amp = n, 1.0
                for o, kind in ops:
                    x = _c(o, m) if kind == "c" else _cd(o, m)
                    if x is None:
                        amp = 0.0
                        break
                    amp *= x[0]
                    m = x[1]
                if amp != 0.0:
                    add(i, m, 0.5 * J * amp)
    Hr = B.T @ H @ B
    return labels, 0.5 * (Hr + Hr.T)


def _rung_energy(lab, J, V):
    """Unperturbed (t = 0) energy of a rung-product state relative to the vacuum."""
    e = 0
    for x in lab:
        if x == "S":
            continue
        e += J
        if x == "cc":
            e += V
    return e


def schrieffer_wolff_cluster(n_rungs, n_holes):
    """Return the second-order Schrieffer-Wolff effective Hamiltonian of a rung cluster (SymPy).

    The low-energy manifold A contains every rung-product state without rung
    triplets (singlets, sc's and cc's); its first-order couplings (sc hopping,
    recombination, sc-cc exchange) are kept exactly and the triplet states are
    eliminated to order t^2::

        H_eff = H0_AA + t H1_AA + t^2/2 sum_b H1_ab H1_bc [1/(E_a-E_b) + 1/(E_c-E_b)].

    Parameters
    ----------
    n_rungs : int
        Number of rungs R, in [1, 4] (2 or 3 in practice: SymPy time grows fast).
    n_holes : int
        Number of holes, in [0, 2R].

    Returns
    -------
    labels : list of tuple of str
        Rung-state names of the A states.
    H_eff : sympy.Matrix
        Effective Hamiltonian in the symbols J, V, t
        (``sympy.symbols('J V t', positive=True)``; energies in units of V
        once V = 1), measured from the rung-singlet vacuum.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If it is out of range.

    Examples
    --------
    >>> import sympy as sp
    >>> J, V, t = sp.symbols("J V t", positive=True)
    >>> labels, H = schrieffer_wolff_cluster(2, 3)
    >>> sorted(H.eigenvals().items(), key=str)
    [(2*J + V + t, 4), (2*J + V - t, 4)]
    """
    import sympy as sp
    J, V, t = sp.symbols("J V t", positive=True)
    labels, H1 = cluster_hamiltonian(n_rungs, n_holes, 1.0, 0.0, 1.0)
    # H1: pure hopping part at t = 1 (subtract the diagonal exchange/V part)
    _, H0n = cluster_hamiltonian(n_rungs, n_holes, 1.0, 0.0, 0.0)
    H1 = H1 - H0n
    low = [i for i, lab in enumerate(labels) if not any(x.startswith("T") for x in lab)]
    high = [i for i in range(len(labels)) if i not in low]
    E = [_rung_energy(lab, J, V) for lab in labels]

    def exact(x):
        return sp.nsimplify(round(float(x), 12), [sp.sqrt(2)])

    nA = len(low)
    Heff = sp.zeros(nA, nA)
    for a_, a in enumerate(low):
        Heff[a_, a_] += E[a]
        for c_, c in enumerate(low):
            if abs(H1[a, c]) > 1e-12:
                Heff[a_, c_] += t * exact(H1[a, c])
    for a_, a in enumerate(low):
        for c_, c in enumerate(low):
            acc = 0
            for b in high:
                if abs(H1[a, b]) > 1e-12 and abs(H1[b, c]) > 1e-12:
                    acc += (exact(H1[a, b]) * exact(H1[b, c]) / 2
                            * (1 / (E[a] - E[b]) + 1 / (E[c] - E[b])))
            if acc != 0:
                Heff[a_, c_] += t ** 2 * sp.simplify(acc)
    return [labels[i] for i in low], Heff


def pymablock_cluster(n_rungs, n_holes, J_perp, V, order=2):
    """Return the effective Hamiltonian of a rung cluster from pymablock (numerical cross-check).

    Block-diagonalizes H0 + t H1 (H0: rung exchange and repulsion, H1: leg
    hopping at t = 1) with the triplet-free states as the A subspace, using
    :func:`pymablock.block_diagonalize`.

    Parameters
    ----------
    n_rungs : int
        Number of rungs R, in [1, 4].
    n_holes : int
        Number of holes, in [0, 2R].
    J_perp : float
        Rung exchange, in (0, 1e6] (units of V).
    V : float
        Rung repulsion, in (0, 1e6] (units of V).
    order : int, optional
        Highest order in t, in [0, 6].

    Returns
    -------
    list of numpy.ndarray
        The A-block coefficients [H^(0), H^(1), ..., H^(order)] (units of V per
        power of t), H_eff = sum t^n H^(n), in the basis order of
        :func:`schrieffer_wolff_cluster`.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> H0, H1, H2 = pymablock_cluster(2, 3, 1.2, 1.0)
    >>> np.allclose(H0, np.diag(np.full(8, 2 * 1.2 + 1.0))), np.allclose(H2, 0)
    (True, True)
    """
    from pymablock import block_diagonalize
    J = check.positive("J_perp", J_perp, hi=1e6)
    Vv = check.positive("V", V, hi=1e6)
    order = check.integer("order", order, 0, 6)
    labels, H0 = cluster_hamiltonian(n_rungs, n_holes, J, Vv, 0.0)
    _, Ht = cluster_hamiltonian(n_rungs, n_holes, J, Vv, 1.0)
    H1 = Ht - H0
    H0 = np.diag(np.diag(H0))
    sub = np.array([1 if any(x.startswith("T") for x in lab) else 0 for lab in labels])
    Htil, _, _ = block_diagonalize([H0, H1], subspace_indices=sub)
    nA = int(np.sum(sub == 0))
    out = []
    for n in range(order + 1):
        blk = Htil[0, 0, n]
        if np.ma.is_masked(blk) or np.isscalar(blk) or type(blk).__name__ == "Zero":
            out.append(np.zeros((nA, nA)))   # pymablock.series.Zero: an empty block
        elif hasattr(blk, "toarray"):
            out.append(np.asarray(blk.toarray(), dtype=float))
        else:
            out.append(np.asarray(blk, dtype=float))
    return out


def cluster_check(n_rungs, n_holes, J_perp, V, t_values):
    """Return the largest deviation of the low-energy cluster spectrum from second-order SW.

    For every t in ``t_values`` the lowest len(A) eigenvalues of the
    microscopic cluster (those that continue the low-energy manifold) are
    compared with those of the second-order H_eff of
    :func:`schrieffer_wolff_cluster`.

    Parameters
    ----------
    n_rungs : int
        Number of rungs R, in [1, 4].
    n_holes : int
        Number of holes, in [0, 2R].
    J_perp : float
        Rung exchange, in (0, 1e6] (units of V).
    V : float
        Rung repulsion, in (0, 1e6] (units of V).
    t_values : array_like
        Leg hoppings, |t| <= 1e3 (units of V).

    Returns
    -------
    numpy.ndarray
        max |E_ED - E_SW| for each t (units of V); scales as t^3 or faster.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> err = cluster_check(2, 1, 1.2, 1.0, [0.02, 0.01])
    >>> bool(7 < err[0] / err[1] < 9)    # t^3: halving t divides the error by 8
    True
    """
    import sympy as sp
    J = check.positive("J_perp", J_perp, hi=1e6)
    Vv = check.positive("V", V, hi=1e6)
    tv = check.real_array("t_values", t_values, ndim=1, max_size=10_000)
    if np.any(np.abs(tv) > 1e3):
        raise ValueError("t_values must lie in [-1e3, 1e3] (units of V)")
    labs, Heff = schrieffer_wolff_cluster(n_rungs, n_holes)
    Js, Vs, ts = sp.symbols("J V t", positive=True)
    f = sp.lambdify((Js, Vs, ts), Heff, "numpy")
    errs = []
    for t in tv:
        _, H = cluster_hamiltonian(n_rungs, n_holes, J, Vv, t)
        ev = np.linalg.eigvalsh(H)[: len(labs)]
        ee = np.linalg.eigvalsh(np.array(f(J, Vv, t), dtype=float))
        errs.append(float(np.max(np.abs(ev - ee))))
    return np.array(errs)


# =========================================================================== reference
def solve_mean_field_dense(shape=(30,), n_holes=8, J_perp=1.2, V=1.0, t_par=0.1,
                           eps_diag=0.0, *, tol=1e-11, temperature=1e-5, max_points=5000):
    """Solve the mean field with the plain-NumPy reference solver and the dense N x N kernel.

    Same equations and the same outer search over beta as
    :func:`solve_mean_field`, but on the full (unfolded) Brillouin zone and with
    the sc-sc kernel (3/2)(t^2/J) sum_d cos(k_d - k'_d) stored as a dense
    matrix; the gap equation is iterated to self-consistency with mu re-solved
    by ``scipy.optimize.brentq`` at every step. Slow by design (O(N^2) memory);
    used by the tests and the benchmark only.

    Parameters
    ----------
    shape, n_holes, J_perp, V, t_par, eps_diag : see :func:`solve_mean_field`
        Lattice, hole number and couplings (energies in units of V).
    tol : float, optional
        Absolute tolerance of the gap iteration (units of V), in [1e-14, 1e-4].
    temperature : float, optional
        Regularizing temperature in [0, 0.01] (units of V).
    max_points : int, optional
        Largest number of k points accepted, in [1, 20000] (the kernel holds
        max_points^2 floats: 3.2 GB at 20000).

    Returns
    -------
    energy : float
        Variational energy (units of V).
    beta : float
        Condensate amplitude.
    mu : float
        Hole chemical potential (units of V).
    delta_k : numpy.ndarray
        Gap function on the full zone (units of V), shape ``shape``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range or the lattice has more than ``max_points`` k points.
    ConvergenceError
        If no stationary point of E(beta) is found.

    Examples
    --------
    >>> E, beta, mu, delta = solve_mean_field_dense(shape=(6,), n_holes=2, J_perp=1.0)
    >>> s = solve_mean_field(shape=(6,), n_holes=2, J_perp=1.0)
    >>> bool(abs(E - s.energy) < 1e-8)
    True
    """
    shape = _check_shape(shape)
    N = int(np.prod(shape))
    max_points = check.integer("max_points", max_points, 1, 20_000)
    if N > max_points:
        raise ValueError(f"shape has {N} k points; the dense reference allows at most "
                         f"max_points={max_points}")
    n_holes = check.integer("n_holes", n_holes, 1, N)
    J, Vv, t, eps = _check_couplings(J_perp, V, t_par, eps_diag, shape)
    tol = check.in_range("tol", tol, 1e-14, 1e-4)
    Tr = check.nonnegative("temperature", temperature, 0.01)
    d = len(shape)
    mesh = [m.ravel() for m in np.meshgrid(*[_axis(L) for L in shape], indexing="ij")]
    gam, g = _form_factors(tuple(mesh), eps)
    U = 1.5 * t * t / J
    e0 = J - 0.75 * 2 * d * t * t / J
    K = U * sum(np.cos(mesh[i][:, None] - mesh[i][None, :]) for i in range(d))
    state = {"delta": np.zeros(N), "mu": -e0}

    def inner(z):
        beta = np.sqrt(0.5 * n_holes / (1.0 + np.exp(-z)))
        target = n_holes / (1.0 + np.exp(z))
        a = 4.0 * t * beta / np.sqrt(N)
        b = t - 2.0 * t * beta * beta / N
        xi0 = b * gam + e0
        delta = a * g + state["delta"] * 0.0
        mu = state["mu"]

        def th(E):
            return np.tanh(E / (2 * Tr)) if Tr > 0 else np.ones_like(E)

        def nf(m, dl):
            x = xi0 + m
            E = np.sqrt(x * x + dl * dl)
            return float(np.sum(1.0 - x / E * th(E))) - target

        for _it in range(2000):
            lo, hi = mu - 1.0, mu + 1.0
            while nf(lo, delta) < 0:
                lo -= 2 * (hi - lo)
            while nf(hi, delta) > 0:
                hi += 2 * (hi - lo)
            mu = brentq(nf, lo, hi, xtol=1e-15, rtol=1e-15, args=(delta,))
            x = xi0 + mu
            E = np.sqrt(x * x + delta * delta)
            new = a * g - K @ (delta / E * th(E)) / N
            r = np.max(np.abs(new - delta))
            delta = 0.5 * (delta + new)
            if r < tol:
                break
        else:
            return np.nan, np.nan, beta, mu, delta
        if abs(nf(mu, delta)) > 1e-8 * max(target, 1.0):
            return np.nan, np.nan, beta, mu, delta
        x = xi0 + mu
        E = np.sqrt(x * x + delta * delta)
        v2 = 0.5 * (1 - x / E * th(E))
        s = delta / E * th(E)
        dG = (-4 * t / np.sqrt(N) * np.sum(s * g) - 8 * t * beta / N * np.sum(v2 * gam)
              + 2 * (Vv + J + 2 * mu) * beta)
        G = (-a * np.sum(s * g) + 2 * b * np.sum(v2 * gam) + 2 * e0 * np.sum(v2)
             + 0.5 * s @ K @ s / N + (Vv + J) * beta * beta)
        state["mu"] = mu
        return dG, G, beta, mu, delta

    zs = np.linspace(-16.0, 16.0, 17)
    vals = [inner(z)[0] for z in zs]
    best = None
    for i in range(len(zs) - 1):
        if vals[i] < 0.0 <= vals[i + 1]:  # NaN (failed) points compare False
            inner(zs[i])
            zr = brentq(lambda z: inner(z)[0], zs[i], zs[i + 1], xtol=1e-12)
            res = inner(zr)
            if best is None or res[1] < best[1]:
                best = res
    if best is None:
        raise ConvergenceError("dense reference: no stationary point found", last=vals)
    _, G, beta, mu, delta = best
    return G, beta, mu, delta.reshape(shape)

# --------------------------------------------------------------------------- the O(t^2)-complete ladder mean field
# (moved here from mixd_clusters, which re-exports solve_extended_mean_field: mixd no longer imports mixd_clusters)
class _Extended:
    """Energy per rung P(g0, g1, g2, p1, beta, p2) of the extended ladder model and its derivatives.

    The coefficients are those of :func:`nickelates.mixd_clusters.mean_field_energy_terms` (a test
    asserts the equality); the paper's model keeps hopping, exchange,
    recombination and the pairing part of the repulsion (7).
    """

    def __init__(self, L, n_holes, J, V, t, three_site, sc_cc_repulsion, hartree, cc_three_site=False,
                 T=1e-5):
        self.N, self.Nh = L, float(n_holes)
        self.T = T                           # regularizing temperature, as in mixd.solve_mean_field
        self.J, self.V, self.t = J, V, t
        self.ts, self.sccc, self.h = float(three_site), float(sc_cc_repulsion), float(hartree)
        self.cc3 = float(cc_three_site)
        self.sB = t * t * (1.0 / J + 1.0 / V)   # unit of the sc,sc,sc <-> sc,cc conversion
        self.k = _axis(L)
        self.c1, self.c2 = np.cos(self.k), np.cos(2.0 * self.k)
        self.e0 = J - 1.5 * t * t / J        # Eq. (5): two neighbours on the ladder
        self.u = t * t / J
        self.w = t * t / V

    def P(self, g0, g1, g2, p1, beta, p2=0.0):
        t, N, u, w, sB, rN = self.t, self.N, self.u, self.w, self.sB, np.sqrt(self.N)
        return (4 * t * g1 - 8 * t * beta ** 2 * g1 / N - 8 * t * beta * p1 / rN
                + 3 * u * p1 ** 2 * (1.0 - self.ts) + 6 * u * g0 * g2 * self.ts
                + self.h * (24 * u * g0 ** 2 - 6 * u * g1 ** 2 - 12 * w * (g0 ** 2 + g1 ** 2))
                + self.sccc * 6 * u * g0 * beta ** 2 / N
                + self.cc3 * (-12 * w * beta ** 2 / N * (g0 * g2 + g1 ** 2)
                              - 6 * sB * beta / rN * (g0 * p2 + g1 * p1)))

    def grads(self, g0, g1, g2, p1, beta, p2=0.0):
        t, N, u, w, sB, rN, c = self.t, self.N, self.u, self.w, self.sB, np.sqrt(self.N), self.cc3
        Pg0 = (6 * u * g2 * self.ts + self.h * (48 * u - 24 * w) * g0 + self.sccc * 6 * u * beta ** 2 / N
               + c * (-12 * w * beta ** 2 / N * g2 - 6 * sB * beta / rN * p2))
        Pg1 = (4 * t - 8 * t * beta ** 2 / N - self.h * (12 * u + 24 * w) * g1
               + c * (-24 * w * beta ** 2 / N * g1 - 6 * sB * beta / rN * p1))
        Pg2 = 6 * u * g0 * self.ts + c * (-12 * w * beta ** 2 / N * g0)
        Pp1 = -8 * t * beta / rN + 6 * u * p1 * (1.0 - self.ts) + c * (-6 * sB * beta / rN * g1)
        Pb = (-16 * t * beta * g1 / N - 8 * t * p1 / rN + self.sccc * 12 * u * g0 * beta / N
              + c * (-24 * w * beta / N * (g0 * g2 + g1 ** 2) - 6 * sB / rN * (g0 * p2 + g1 * p1)))
        Pp2 = c * (-6 * sB * beta / rN * g0)
        return Pg0, Pg1, Pg2, Pp1, Pb, Pp2

    def fields(self, g0, g1, g2, p1, beta, p2=0.0):
        Pg0, Pg1, Pg2, Pp1, _, Pp2 = self.grads(g0, g1, g2, p1, beta, p2)
        xi0 = 0.25 * (Pg0 + Pg1 * self.c1 + Pg2 * self.c2) + self.e0
        delta = -0.5 * (Pp1 * self.c1 + Pp2 * self.c2)
        return xi0, delta, (0.25 * Pg1, 0.25 * Pg2)

    def thermal(self, E):
        if self.T <= 0.0:
            return np.ones_like(E)
        return np.tanh(np.minimum(E / (2.0 * self.T), 40.0))

    def _map(self, x, g0, nsc, beta, mu0):
        """(g1, g2, p1, p2) -> the same from the state they define; also mu and the fields."""
        N = self.N
        xi0, delta, _ = self.fields(g0, x[0], x[1], x[2], beta, x[3])

        def nf(m):
            xx = xi0 + m
            e = np.sqrt(xx * xx + delta * delta)
            return float(np.sum(1.0 - self.thermal(e) * np.divide(xx, e, out=np.zeros_like(xx),
                                                                    where=e > 0))) - nsc

        span = float(np.max(np.abs(xi0)) + np.max(np.abs(delta)) + 1.0)
        lo, hi = -float(np.max(xi0)) - span, -float(np.min(xi0)) + span
        while nf(lo) < 0.0:
            lo -= span
        while nf(hi) > 0.0:
            hi += span
        mu = brentq(nf, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500)
        xx = xi0 + mu
        E = np.sqrt(xx * xx + delta * delta)
        th = self.thermal(E)
        rho = 0.5 * (1.0 - th * np.divide(xx, E, out=np.zeros_like(xx), where=E > 0))
        kap = 0.5 * th * np.divide(delta, E, out=np.zeros_like(xx), where=E > 0)
        new = np.array([np.sum(0.5 * rho * self.c1), np.sum(0.5 * rho * self.c2),
                        np.sum(kap * self.c1), np.sum(kap * self.c2)]) / N
        return new, mu, xx, delta, E

    def inner(self, beta, state, tol=1e-14):
        """Self-consistent (g1, g2, p1, p2, mu) at fixed beta with N_sc = N_h - 2 beta^2.

        A few plain iterations, then Powell's hybrid method (``scipy.optimize.root``)
        on the fixed point, which also handles the near-critical pairing response
        at a small condensate.
        """
        from scipy.optimize import root
        nsc = self.Nh - 2.0 * beta * beta
        g0 = nsc / (4.0 * self.N)
        x = np.array(state[:4], dtype=float)
        mu = state[4]
        for _ in range(3):
            x, mu = self._map(x, g0, nsc, beta, mu)[:2]
        sol = root(lambda y: self._map(y, g0, nsc, beta, mu)[0] - y, x, method="hybr",
                   options={"xtol": 1e-14})
        x = sol.x
        new, mu, xx, delta, E = self._map(x, g0, nsc, beta, mu)
        err = float(np.max(np.abs(new - x)))
        if not err < max(tol, 1e-12):
            raise ConvergenceError(f"extended MixD mean field: self-consistency failed at "
                                   f"beta={beta:.6g} (residual {err:.2e}; {sol.message})",
                                   iterations=int(sol.nfev), residual=err, last=(*x, mu))
        g1, g2, p1, p2 = (float(v) for v in new)
        x, N = xx, self.N
        Pb = self.grads(g0, g1, g2, p1, beta, p2)[4]
        dG = N * Pb + 2.0 * (self.V + self.J) * beta + 4.0 * mu * beta
        G = N * self.P(g0, g1, g2, p1, beta, p2) + self.e0 * nsc + (self.V + self.J) * beta * beta
        return dict(beta=beta, g0=g0, g1=g1, g2=g2, p1=p1, p2=p2, mu=mu, dG=dG, G=G, xi=x, delta=delta,
                    E=E, nsc=nsc, state=(g1, g2, p1, p2, mu))


def solve_extended_mean_field(L, n_holes, J_perp, V=1.0, t_par=0.1, *, three_site=False,
                              sc_cc_repulsion=False, hartree=False, cc_three_site=False, zscan=None,
                              temperature=1e-5):
    """Solve the BCS x BEC mean field of the MixD+V ladder with the O(t^2) terms the paper omits.

    Minimises the variational energy N P(g, p, beta) + (J - 3t^2/2J) N_sc +
    (V + J) N_cc (per-rung energy P from :func:`nickelates.mixd_clusters.mean_field_energy_terms`) at
    fixed hole number: for each condensate amplitude the normal and anomalous
    correlations (g1, g2, p1) and the chemical potential are iterated to
    self-consistency, and dE/dbeta = 0 is solved with ``brentq`` in
    z = logit(2 N_cc / N_h) (envelope theorem), keeping the lowest minimum.
    With every flag False this is the paper's model and agrees with
    :func:`solve_mean_field` to 1e-9 (an independent check of
    both solvers).

    Parameters
    ----------
    L : int
        Number of rungs of the periodic ladder, in [2, 4096].
    n_holes : int
        Number of holes, in [1, L].
    J_perp : float
        Rung exchange, in (0, 1e6] (units of V).
    V : float, optional
        Rung repulsion, in (0, 1e6] (the unit of energy).
    t_par : float, optional
        Leg hopping, in (0, 1e3] (units of V).
    three_site : bool, optional
        Include the three-site pair hop (:func:`nickelates.mixd_clusters.three_site_tensor`): a
        next-nearest-neighbour sc hopping 6 (t^2/J) g0 g2 and a pairing term
        that cancels the sc-sc pairing repulsion of Eq. (7).
    sc_cc_repulsion : bool, optional
        Include +(3/4) t^2/J per sc-cc bond: (3/4)(t^2/J) 2 N_sc N_cc / N.
    hartree : bool, optional
        Include the Hartree-Fock (normal) contractions of Eq. (7), the
        repulsion's (3/2)(t^2/J)(n_sc^2 - 4 g1^2) and the triplet term's
        -(3/4)(t^2/V)(n_sc^2 + 16 g1^2) per bond, which the paper drops after (B7).
    cc_three_site : bool, optional
        Include the three-site terms with a cc (:func:`nickelates.mixd_clusters.cc_three_site_tensors`): per
        rung -12 (t^2/V)(beta^2/N)(g0 g2 + g1^2) (a cc hopping across an sc pair) and
        -6 t^2 (1/J + 1/V)(beta/sqrt N)(g0 p2 + g1 p1) (sc,sc,sc <-> sc,cc), which
        adds a cos 2k harmonic to Delta_k.
    zscan : array_like, optional
        Increasing grid in z (2 to 1000 values in [-40, 40]) scanned for
        minima; default -16..16 in steps of 2 (as
        :func:`solve_mean_field`).
    temperature : float, optional
        Regularizing temperature in [0, 0.01] (units of V), as in
        :func:`solve_mean_field` (factors tanh(E_k / 2T)).

    Returns
    -------
    MeanFieldSolution
        The lowest minimum (energies in units of V); ``pair_amplitudes`` holds
        c = (1/N) sum (Delta_k/E_k) cos k.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.
    ConvergenceError
        If the inner iteration fails or no minimum of E(beta) lies on the scan.

    Examples
    --------
    >>> a = solve_extended_mean_field(30, 8, 1.2)
    >>> b = solve_mean_field(shape=(30,), n_holes=8, J_perp=1.2)
    >>> bool(abs(a.energy - b.energy) < 1e-9 and abs(a.imbalance - b.imbalance) < 1e-8)
    True
    >>> c = solve_extended_mean_field(30, 8, 1.2, three_site=True)
    >>> bool(c.binding_energy > a.binding_energy)       # the pairing repulsion is gone
    True
    """
    L = check.integer("L", L, 2, MAX_LATTICE)
    n_holes = check.integer("n_holes", n_holes, 1, L)
    J = check.positive("J_perp", J_perp, hi=1e6)
    Vv = check.positive("V", V, hi=1e6)
    t = check.positive("t_par", t_par, hi=1e3)
    flags = [check.boolean(n, v) for n, v in (("three_site", three_site),
                                             ("sc_cc_repulsion", sc_cc_repulsion), ("hartree", hartree),
                                             ("cc_three_site", cc_three_site))]
    if zscan is None:
        zscan = np.linspace(-16.0, 16.0, 17)
    else:
        zscan = check.real_array("zscan", zscan, ndim=1, min_size=2, max_size=1000)
        if np.any(np.diff(zscan) <= 0) or np.any(np.abs(zscan) > 40.0):
            raise ValueError("zscan must be increasing and lie in [-40, 40]")
    T = check.nonnegative("temperature", temperature, 0.01)
    p = _Extended(L, n_holes, J, Vv, t, *flags, T=T)
    nh = float(n_holes)

    def beta_of(z):
        return float(np.sqrt(0.5 * nh / (1.0 + np.exp(-z))))

    state = [0.0, 0.0, 0.0, 0.0, -p.e0]
    evals = [0]

    def run(z):
        r = p.inner(beta_of(z), tuple(state))
        state[:] = r["state"]
        evals[0] += 1
        return r

    vals = []
    for z in zscan:
        try:
            vals.append(run(z)["dG"])
        except ConvergenceError:
            vals.append(np.nan)
    vals = np.array(vals)
    cands = []
    for i in range(len(zscan) - 1):
        if vals[i] < 0.0 <= vals[i + 1]:
            run(zscan[i])
            zr = brentq(lambda z: run(z)["dG"], zscan[i], zscan[i + 1], xtol=1e-13, rtol=1e-13, maxiter=200)
            cands.append(run(zr))
    if not cands and np.all(vals > 0.0) and zscan[0] <= -12.0:
        # E rises with the condensate everywhere: a normal sc gas (as mixd.solve_mean_field)
        state[:] = [0.0, 0.0, 0.0, 0.0, -p.e0]
        cands = [run(zscan[0])]
    if not cands:
        raise ConvergenceError(f"extended MixD mean field: no minimum of E(beta) on the z scan "
                               f"[{zscan[0]}, {zscan[-1]}]; dE/dbeta there: {vals}",
                               iterations=len(zscan), last=vals)
    r = min(cands, key=lambda c: c["G"])
    return _as_solution(p, r, n_holes, evals[0])


def _as_solution(p, r, n_holes, evaluations):
    N = p.N
    xi, delta, E = r["xi"], r["delta"], r["E"]
    beta, mu = r["beta"], r["mu"]
    _, _, (A, B) = p.fields(r["g0"], r["g1"], r["g2"], r["p1"], beta, r["p2"])
    C = float(xi[0] - A * p.c1[0] - B * p.c2[0])          # constant part of xi_k
    xs = [-1.0, 1.0] + ([-A / (4 * B)] if B != 0 and abs(A / (4 * B)) < 1 else [])
    band_min = min(A * x + B * (2 * x * x - 1) + C for x in xs)
    N_cc = beta * beta
    N_sc = r["nsc"]
    i = int(np.argmin(E))
    return MeanFieldSolution(
        shape=(N,), n_holes=n_holes, J_perp=p.J, V=p.V, t_par=p.t, eps_diag=0.0,
        energy=float(r["G"]), energy_bg=float(p.J * N_sc + (p.V + p.J) * N_cc),
        n_sc=float(N_sc / N), n_cc=float(N_cc / N), N_sc=float(N_sc), N_cc=float(N_cc),
        imbalance=float((N_sc - 2.0 * N_cc) / n_holes),
        order_bec=float(np.sqrt(N_cc / N)), order_bcs=float(np.sum(np.abs(delta) / E) / N),
        gap=float(E[i]), binding_energy=2.0 * float(E[i]),
        delta_k=delta, xi_k=xi, E_k=E, k=(p.k,), k_star=(abs(float(p.k[i])),),
        delta_at_kstar=float(delta[i]), beta=float(beta), mu=float(mu),
        pair_amplitudes=np.array([2.0 * r["p1"]]), evaluations=evaluations,
        xi_band_min=float(band_min))


def _balance_derivative(L, n_holes, J, V, t, flags, T=1e-5):
    """dE/dbeta at the balance point beta^2 = N_h / 4 (N_sc = 2 N_cc) for rung exchange J."""
    p = _Extended(L, n_holes, J, V, t, *flags, T=T)
    return p.inner(float(np.sqrt(0.25 * n_holes)), (0.0, 0.0, 0.0, 0.0, -p.e0))["dG"]

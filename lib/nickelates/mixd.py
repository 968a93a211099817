"""MixD+V bilayer: spinon-chargon / chargon-chargon mean-field theory (chapter 6).

Borchia, Lange & Grusdt (2025) describe the hole-doped mixed-dimensional t-J
bilayer with rung repulsion V by two point-like carriers: spinon-chargons
(sc, fermions f_{j mu sigma}, one hole per rung) and chargon-chargons
(cc, bosons b_j, two holes on a rung). The variational state is a BCS state
of inter-layer singlet sc pairs times a coherent state of zero-momentum cc's.

Units: every energy (``J_perp``, ``V``, ``t_par`` and all outputs) is in the
units of the inputs; the book uses V = 1. Momenta are in units of the inverse
lattice constant. ``shape=(L,)`` is a ladder of L rungs, ``shape=(Lx, Ly)`` a
periodic square bilayer of Lx*Ly rungs.

Mean-field equations (derived in the chapter; they differ from the printed
(B11), (B20) by factors noted there). With N rungs, beta = <b_{k=0}> real,
form factors gam_k = sum_d cos k_d (sc hopping) and
g_k = gam_k + 2 eps prod_d cos k_d (recombination, diagonal part only in 2D):

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
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from . import _validate as _v
from .errors import ConvergenceError
from .kernels import mixd as _k

__all__ = [
    "MeanFieldSolution",
    "solve_mean_field",
    "brillouin_zone",
    "form_factors",
    "a1g_content",
    "phase_map",
    "cluster_basis",
    "cluster_hamiltonian",
    "schrieffer_wolff_cluster",
    "pymablock_cluster",
    "cluster_check",
    "solve_mean_field_dense",
]


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
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    try:
        shape = tuple(shape)
    except TypeError as exc:
        raise ValueError(f"shape must be (L,) or (Lx, Ly), got {shape!r}") from exc
    if len(shape) not in (1, 2):
        raise ValueError(f"shape must have 1 or 2 entries ((L,) or (Lx, Ly)), got {shape!r}")
    return tuple(_v.integer(f"shape[{i}]", s, 2, 4096) for i, s in enumerate(shape))


def brillouin_zone(shape):
    """Full momentum grid of a periodic ladder/bilayer.

    Returns a tuple of 1D arrays (one per direction, ascending in [-pi, pi)).
    """
    return tuple(_axis(L) for L in _check_shape(shape))


def form_factors(k, eps_diag=0.0):
    """(gam_k, g_k) on a meshgrid tuple ``k``: sc hopping and recombination.

    gam_k = sum_d cos k_d; g_k = gam_k + 2 eps prod_d cos k_d (2D only).
    """
    cos = [np.cos(kd) for kd in k]
    gam = sum(cos)
    g = gam.copy() if hasattr(gam, "copy") else gam
    if len(k) == 2:
        g = gam + 2.0 * eps_diag * cos[0] * cos[1]
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
    gam, g = form_factors(kk, eps_diag)
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
    """Self-consistent BCS x BEC mean-field state (energies in input units).

    energy          variational ground-state energy <H_eff> relative to the
                    rung-singlet vacuum (Hartree terms dropped as in the paper)
    energy_bg       background (string) part J N_sc + (V + J) N_cc
    n_sc, n_cc      sc and cc numbers per rung
    N_sc, N_cc      sc and cc numbers
    imbalance       (N_sc - 2 N_cc) / N_h  (Fig. 3 of the paper)
    order_bec       sqrt(N_cc / N)  (Eq. 11)
    order_bcs       (1/N) sum_k |Delta_k|/E_k  (Eq. 12)
    gap             min_k E_k (quasiparticle gap)
    binding_energy  2 min_k E_k (Appendix C)
    delta_k, xi_k, E_k   on the full BZ, arrays of shape ``shape`` (axes as in ``k``)
    k               tuple of 1D momentum axes
    k_star          momentum of min E_k (first found, |k_d| in [0, pi])
    delta_at_kstar  Delta_k at k_star
    beta, mu        condensate amplitude <b_0> and hole chemical potential
    pair_amplitudes c_d = (1/N) sum (Delta_k/E_k) cos k_d
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

    @property
    def doping(self):
        """Hole doping delta = N_h / N."""
        return self.n_holes / int(np.prod(self.shape))

    @property
    def energy_minus_bg(self):
        """E - E_bg = E - J N_sc - (V + J) N_cc (Fig. 4 right)."""
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
        mu, c, status, it, resc = _k.inner_solve(
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
        srec, skin, nf, sabs, gap, kmin = _k.sums(
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


def solve_mean_field(shape=(30,), n_holes=8, J_perp=1.2, V=1.0, t_par=0.1,
                     eps_diag=0.0, *, tol=1e-12, temperature=1e-5, zscan=None):
    """Solve the BCS x BEC mean-field equations of the MixD+V ladder/bilayer.

    Parameters
    ----------
    shape : (L,) or (Lx, Ly)
        Ladder of L rungs or periodic Lx x Ly bilayer (each 2..4096).
    n_holes : int
        Number of holes N_h, 1 <= N_h <= N (number of rungs).
    J_perp, V, t_par : float
        Rung exchange (> 0), rung repulsion (>= 0), leg hopping (> 0); any
        common energy unit (the book uses V = 1). Perturbative in t_par.
    eps_diag : float
        Strength of the diagonal recombination (Eq. 13), |eps| <= 10; 2D only.
    tol : float
        Relative tolerance of the inner equations (1e-14 .. 1e-4).
    temperature : float
        Small regularizing temperature (same units, 0 .. 0.01; default 1e-5).
        Occupations and pair amplitudes carry tanh(E_k/2T); gapped states are
        the T = 0 ones up to exp(-min E_k/T), while degenerate Fermi-level shells
        of finite lattices (Delta_k -> 0 there) stay well defined. T = 0 is allowed.
    zscan : array, optional
        Grid in z = logit(2 N_cc / N_h) scanned for minima of E(beta)
        (default -16..16 in steps of 2). If E rises with beta everywhere and
        the grid starts at z <= -12, the state at the first grid point (a
        normal sc gas with a negligible condensate) is returned.

    Returns
    -------
    MeanFieldSolution
    """
    shape = _check_shape(shape)
    N = int(np.prod(shape))
    n_holes = _v.integer("n_holes", n_holes, 1, N)
    J = _v.positive("J_perp", J_perp)
    V = _v.nonnegative("V", V)
    t = _v.positive("t_par", t_par)
    eps = _v.in_range("eps_diag", eps_diag, -10.0, 10.0)
    tol = _v.in_range("tol", tol, 1e-14, 1e-4)
    T = _v.in_range("temperature", temperature, 0.0, 0.01)
    if len(shape) == 1 and eps != 0.0:
        raise ValueError("eps_diag must be 0 for a ladder (shape=(L,)): diagonal "
                         "recombination exists only on the 2D bilayer")
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
        zscan = _v.finite_array("zscan", zscan, ndim=1)
        if zscan.size < 2 or np.any(np.diff(zscan) <= 0):
            raise ValueError("zscan must be an increasing array of at least 2 values")
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
    gam, g = form_factors(tuple(mesh), p.eps)
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
        pair_amplitudes=np.array(c), evaluations=p.nevals)


def a1g_content(sol_or_delta, k=None):
    """Harmonic (A1g) content of a 2D gap function on the square BZ.

    Projects Delta_k onto the lattice harmonics 1, cos kx + cos ky,
    cos kx cos ky, cos 2kx + cos 2ky (A1g) and cos kx - cos ky (B1g),
    sin kx sin ky (B2g). Returns a dict of coefficients (the harmonics are
    orthogonal on the grid) and the fraction of |Delta|^2 in the A1g set.
    """
    if isinstance(sol_or_delta, MeanFieldSolution):
        delta, k = sol_or_delta.delta_k, sol_or_delta.k
    else:
        delta = _v.finite_array("delta", sol_or_delta, ndim=2)
        if k is None or len(k) != 2:
            raise ValueError("k must be the tuple (kx, ky) of momentum axes for a 2D delta")
    if delta.ndim != 2:
        raise ValueError("a1g_content needs a 2D gap function (shape (Lx, Ly))")
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


def phase_map(shape, J_values, dopings, *, V=1.0, t_par=0.1, eps_diag=0.0, progress=False):
    """Sweep (J_perp, doping) and return a dict of 2D arrays of observables.

    ``dopings`` are converted to hole numbers round(delta * N) (>= 1).
    Arrays have shape (len(J_values), len(dopings)); keys: imbalance, order_bec,
    order_bcs, binding_energy, energy, n_holes. ``progress=True`` shows a tqdm bar.
    """
    shape = _check_shape(shape)
    N = int(np.prod(shape))
    J_values = _v.finite_array("J_values", J_values, ndim=1)
    dopings = _v.finite_array("dopings", dopings, ndim=1)
    if np.any(J_values <= 0):
        raise ValueError("J_values must all be > 0")
    if np.any(dopings <= 0) or np.any(dopings > 1):
        raise ValueError("dopings must lie in (0, 1]")
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
    """Rung-product basis of an open cluster with a given number of holes.

    Returns (labels, occupation basis list, matrix B whose columns are the rung
    states in the occupation basis). Labels are tuples of rung-state names
    (singlet S, triplets T+/T0/T-, sc{mu}{u,d} with the hole on leg mu, cc).
    """
    import itertools
    R = _v.integer("n_rungs", n_rungs, 1, 4)
    Nh = _v.integer("n_holes", n_holes, 0, 2 * R)
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
    """Microscopic Eq. (1) on an open R-rung cluster, in the rung-product basis.

    Energies are measured from the rung-singlet vacuum (-J_perp per rung).
    Returns (labels, H) with H a dense symmetric matrix.
    """
    J = _v.positive("J_perp", J_perp)
    Vv = _v.nonnegative("V", V)
    t = _v.finite("t_par", t_par)
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
            n0 = sum(occ_site[0]); n1 = sum(occ_site[1])
            sz0 = 0.5 * (occ_site[0][0] - occ_site[0][1])
            sz1 = 0.5 * (occ_site[1][0] - occ_site[1][1])
            H[i, i] += J * (sz0 * sz1 - 0.25 * n0 * n1) + Vv * (1 - n0) * (1 - n1) + J
            # 1/2 (S0+ S1- + S0- S1+)
            for s in (0, 1):
                # S0^{+/-} S1^{-/+}: move spin flip: c0s'^dag c0s c1s^dag c1s'
                sp = 1 - s
                ops = [(_orb(r, 1, s), "c"), (_orb(r, 1, sp), "d"),
                       (_orb(r, 0, s), "c"), (_orb(r, 0, sp), "d")]
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
    """Second-order Schrieffer-Wolff effective Hamiltonian of a rung cluster (SymPy).

    The low-energy manifold A contains every rung-product state without rung
    triplets (singlets, sc's and cc's); its first-order couplings (sc hopping,
    recombination, sc-cc exchange) are kept exactly and the triplet states are
    eliminated to order t^2:

        H_eff = H0_AA + t H1_AA + t^2/2 sum_b H1_ab H1_bc [1/(E_a-E_b) + 1/(E_c-E_b)].

    Returns (labels_A, H_eff) with H_eff a SymPy Matrix in the symbols
    J, V, t (``sympy.symbols('J V t', positive=True)``).
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
    """Effective Hamiltonian of a rung cluster from pymablock (numerical cross-check).

    Block-diagonalizes H0 + t H1 (H0: rung exchange and repulsion, H1: leg
    hopping at t = 1) with the triplet-free states as the A subspace, using
    :func:`pymablock.block_diagonalize`. Returns the list of the A-block
    coefficients [H^(0), H^(1), ..., H^(order)] as dense arrays (H_eff = sum
    t^n H^(n)), in the basis order of :func:`schrieffer_wolff_cluster`.
    """
    from pymablock import block_diagonalize
    J = _v.positive("J_perp", J_perp)
    Vv = _v.positive("V", V)
    order = _v.integer("order", order, 0, 6)
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
        if np.ma.is_masked(blk) or np.isscalar(blk):
            out.append(np.zeros((nA, nA)))
        elif hasattr(blk, "toarray"):
            out.append(np.asarray(blk.toarray(), dtype=float))
        else:
            out.append(np.asarray(blk, dtype=float))
    return out


def cluster_check(n_rungs, n_holes, J_perp, V, t_values):
    """Max deviation of the low-energy ED spectrum from the SW effective spectrum.

    For every t in ``t_values`` the eigenvalues of the microscopic cluster that
    continue the low-energy manifold (the lowest len(A) states) are compared
    with those of the numerical second-order H_eff. Returns an array of errors
    (expected to scale as t^3 or faster).
    """
    import sympy as sp
    J = _v.positive("J_perp", J_perp)
    Vv = _v.positive("V", V)
    tv = _v.finite_array("t_values", t_values, ndim=1)
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
    """Plain-NumPy reference solver with the dense N x N kernel V_kk'.

    Same equations and the same outer search over beta as
    :func:`solve_mean_field`, but on the full (unfolded) Brillouin zone and with
    the sc-sc kernel (3/2)(t^2/J) sum_d cos(k_d - k'_d) stored as a dense
    matrix; the gap equation is iterated to self-consistency with mu re-solved
    by ``scipy.optimize.brentq`` at every step. Slow by design (O(N^2) memory);
    used by the tests and the benchmark only. Returns (energy, beta, mu, delta_k).
    """
    shape = _check_shape(shape)
    N = int(np.prod(shape))
    if N > max_points:
        raise ValueError(f"shape has {N} k points; the dense reference allows at most "
                         f"max_points={max_points}")
    n_holes = _v.integer("n_holes", n_holes, 1, N)
    J = _v.positive("J_perp", J_perp)
    Vv = _v.nonnegative("V", V)
    t = _v.positive("t_par", t_par)
    eps = _v.in_range("eps_diag", eps_diag, -10.0, 10.0)
    Tr = _v.in_range("temperature", temperature, 0.0, 0.01)
    d = len(shape)
    mesh = [m.ravel() for m in np.meshgrid(*[_axis(L) for L in shape], indexing="ij")]
    gam, g = form_factors(tuple(mesh), eps)
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

        for it in range(2000):
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

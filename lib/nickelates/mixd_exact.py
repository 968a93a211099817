"""The MixD+V t-J ladder solved without approximations (chapter 7).

Microscopic model (Borchia, Lange & Grusdt, Eq. 1), two legs ``mu = 0, 1`` of
``L`` rungs, open boundaries along the legs::

    H = -t_par P sum_{j, mu, sigma} (c^+_{j+1 mu sigma} c_{j mu sigma} + h.c.) P
        + J_perp sum_j (S_{j0} . S_{j1} - n_{j0} n_{j1} / 4)
        + V sum_j n^h_{j0} n^h_{j1}

No inter-leg hopping, no in-leg exchange, Gutzwiller projection (at most one
electron per site). **Units: energies in units of the rung repulsion, V = 1 by
default; every energy argument and result is in the same unit as V.**

Conserved: the electron number on each leg (there is no inter-leg hopping)
and total ``S^z``; ``N_h`` holes counted from half filling are added
alternately to the legs (leg 0 takes the odd one), and the sector with the
smallest ``|S^z|`` holds a member of the ground-state spin multiplet.

Two independent routes:

* :func:`ground_state` - exact diagonalization (own sparse Hamiltonian with
  explicit fermionic signs, numba kernels in ``nickelates.kernels.mixd_exact``,
  Lanczos via :func:`scipy.sparse.linalg.eigsh` with a bounded number of
  restarts and a larger-Krylov fallback), for ``L`` up to ~8-9.
* :func:`dmrg_ground_state` - two-site DMRG with TeNPy on a
  :class:`MixDLadderModel` conserving ``(N_leg0, N_leg1, 2 S^z)``.

:func:`tenpy_exact_energy` diagonalizes TeNPy's MPO fully (small ``L``): it
shares no code with :func:`ground_state` and serves as the cross-check.
The data written by ``scripts/mixd_dmrg.py`` are read with :func:`load_data`
and looked up with :func:`select` / :func:`stored_point`.
"""
from __future__ import annotations

import json
import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sps
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from . import _validate as check
from . import paths
from .errors import ConvergenceError
from .kernels import mixd_exact as ed_kernels
from .mixd import crossing_point  # one implementation for both chapters

__all__ = [
    "ExactResult",
    "DMRGResult",
    "holes_per_leg",
    "min_two_sz",
    "sector_dimension",
    "basis",
    "hamiltonian",
    "hamiltonian_matvec",
    "ground_state",
    "binding_energy",
    "binding_energy_printed",
    "crossover_ratio",
    "background_energy",
    "MixDLadderModel",
    "dmrg_ground_state",
    "tenpy_exact_energy",
    "mps_energy_variance",
    "dmrg_bond_doubling",
    "LadderCorrelations",
    "dmrg_correlations",
    "ED_MAX_DIM",
    "ED_MAX_L",
    "ED_NCV",
    "ED_MATVECS",
    "ED_WORK",
    "DMRG_MAX_L",
    "DATA_FILE",
    "load_data",
    "select",
    "stored_point",
    "binding_energies",
    "select_best",
    "EnergyExtrapolation",
    "extrapolate_energy",
    "EnergyErrorBudget",
    "energy_error_budget",
    "annotate_error_budget",
    "binding_energy_errors",
    "BindingEnergies",
    "CHI_SUFFICIENT_VARIANCE",
    "ENERGY_ERROR_FLOOR",
    "crossing_point",
    "BalancePoint",
    "balance_point",
    "balance_point_details",
]

#: Largest sector dimension :func:`ground_state` accepts.  Memory: the CSR
#: matrix (~12 nonzeros of 12 B per row) plus 2 x ``ED_NCV`` Lanczos vectors
#: of 8 B per state in the fallback, ~1 kB per state: 1.5 GB at the limit.
ED_MAX_DIM = 1_500_000
#: Largest ladder length handled by the 64-bit state encoding of the ED.
ED_MAX_L = 14
#: Krylov dimension (``ncv``) of the first Lanczos attempt; the fallback doubles it.
ED_NCV = 48
#: Matrix-vector products allowed per Lanczos attempt by default (two attempts at most).
ED_MATVECS = 2000
#: Work budget of one Lanczos diagonalization in :func:`ground_state`, in (nonzeros of H) x (matrix-vector
#: products): a count, so the same input always gives the same answer or the same error on any machine load.
#: Calibration: issue 25's case (dimension 493,920, 5.0e6 nonzeros) took 3,912 products in 122 s, 31 ms
#: each, so 4.5e9 is ~900 products there, ~28 s of products (plus ~8 s of matrix build) on this machine
#: idle; the hardest stored ED point, L = 8, N_h = 4, J = 0.6 (6.8e6 nonzeros), converges in 502 of its 591.
ED_WORK = 4_500_000_000
#: Largest ladder length accepted by the DMRG and by :func:`MixDLadderModel`.
DMRG_MAX_L = 1000
#: Largest ladder length of :func:`sector_dimension` (a pure count, no allocation).
COUNT_MAX_L = 10_000


# --------------------------------------------------------------------------- sectors
def holes_per_leg(n_holes: int) -> tuple[int, int]:
    """Split ``n_holes`` alternately over the legs: leg 0 gets the odd hole.

    Parameters
    ----------
    n_holes : int
        Number of holes counted from half filling, >= 0.

    Returns
    -------
    tuple of int
        ``(h0, h1)`` = (ceil(N_h / 2), floor(N_h / 2)).

    Raises
    ------
    TypeError
        If ``n_holes`` is not an integer.
    ValueError
        If it is negative.

    Examples
    --------
    >>> holes_per_leg(5)
    (3, 2)
    """
    n = check.integer("n_holes", n_holes, 0, 2 * COUNT_MAX_L)
    return (n + 1) // 2, n // 2


def min_two_sz(L: int, n_holes: int) -> int:
    """Return ``2 S^z`` of the smallest-|S^z| sector: 0 for an even electron count, else 1.

    Parameters
    ----------
    L : int
        Number of rungs, >= 2.
    n_holes : int
        Number of holes, in [0, 2L].

    Returns
    -------
    int
        0 or 1.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If it is out of range.

    Examples
    --------
    >>> min_two_sz(8, 3), min_two_sz(8, 4)
    (1, 0)
    """
    L, n_holes = _check_L_holes(L, n_holes, COUNT_MAX_L)
    return (2 * L - n_holes) % 2


def _check_L_holes(L, n_holes, L_max=None):
    L = check.integer("L", L, 2, L_max)
    n_holes = check.integer("n_holes", n_holes, 0, 2 * L)
    return L, n_holes


def _sector(L, n_holes, holes_leg, two_sz):
    if holes_leg is None:
        h0, h1 = holes_per_leg(n_holes)
    else:
        if not isinstance(holes_leg, (tuple, list)):
            raise TypeError(f"holes_leg must be a pair (h0, h1) of integers, got {type(holes_leg).__name__}")
        if len(holes_leg) != 2:
            raise ValueError(f"holes_leg must be a pair (h0, h1), got {holes_leg!r}")
        h0 = check.integer("holes_leg[0]", holes_leg[0], 0, L)
        h1 = check.integer("holes_leg[1]", holes_leg[1], 0, L)
        if h0 + h1 != n_holes:
            raise ValueError(f"holes_leg must sum to n_holes={n_holes}, got {holes_leg!r}")
    if h0 > L or h1 > L:
        raise ValueError(f"n_holes must lie in [0, {2 * L}] (at most L={L} per leg), got {n_holes}")
    n_e = 2 * L - n_holes
    if two_sz is None:
        two_sz = n_e % 2
    two_sz = check.integer("two_sz", two_sz, -n_e, n_e)
    if (two_sz - n_e) % 2:
        raise ValueError(f"two_sz must have the parity of the electron number {n_e}, got {two_sz}")
    n_up = (n_e + two_sz) // 2
    return h0, h1, n_up


def sector_dimension(L: int, n_holes: int, two_sz: int | None = None, holes_leg=None) -> int:
    """Count the projected states with the given holes per leg and ``2 S^z``.

    ``C(L, h0) * C(L, h1) * C(2L - N_h, N_up)``: hole positions on each leg,
    then the spins of the ``2L - N_h`` electrons (``N_up = (2L - N_h + 2S^z)/2``).

    Parameters
    ----------
    L : int
        Number of rungs, in [2, 10000].
    n_holes : int
        Number of holes, in [0, 2L].
    two_sz : int, optional
        ``2 S^z`` with the parity of the electron number; default 0 or 1.
    holes_leg : tuple of int, optional
        ``(h0, h1)`` summing to ``n_holes``; default :func:`holes_per_leg`.

    Returns
    -------
    int
        The sector dimension (an exact Python integer; nothing is allocated).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range or inconsistent.

    Examples
    --------
    >>> sector_dimension(8, 2)          # 64 hole placements x C(14, 7) spin states
    219648
    """
    L, n_holes = _check_L_holes(L, n_holes, COUNT_MAX_L)
    h0, h1, n_up = _sector(L, n_holes, holes_leg, two_sz)
    return math.comb(L, h0) * math.comb(L, h1) * math.comb(2 * L - n_holes, n_up)


def basis(L: int, n_holes: int, two_sz: int | None = None, holes_leg=None) -> np.ndarray:
    """Return the sorted int64 codes of one sector (encoding in ``nickelates.kernels.mixd_exact``).

    Parameters
    ----------
    L : int
        Number of rungs, in [2, 14].
    n_holes : int
        Number of holes, in [0, 2L].
    two_sz : int, optional
        ``2 S^z``; default the smallest allowed value (0 or 1).
    holes_leg : tuple of int, optional
        ``(h0, h1)``; default :func:`holes_per_leg`.

    Returns
    -------
    numpy.ndarray
        Sorted, unique int64 state codes.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range, or the sector has more than ``ED_MAX_DIM``
        states (checked before anything is allocated).

    Examples
    --------
    >>> basis(3, 2).size == sector_dimension(3, 2)
    True
    """
    L, n_holes = _check_L_holes(L, n_holes, ED_MAX_L)
    h0, h1, n_up = _sector(L, n_holes, holes_leg, two_sz)
    dim = sector_dimension(L, n_holes, two_sz, (h0, h1))
    if dim > ED_MAX_DIM:
        raise ValueError(
            f"L={L}, n_holes={n_holes}: sector dimension {dim} exceeds ED_MAX_DIM={ED_MAX_DIM} "
            "(what a 24 GB machine diagonalizes comfortably); use dmrg_ground_state for longer ladders")
    n_e0, n_e1 = L - h0, L - h1
    return ed_kernels.build_basis(L, n_e0, n_e1, n_up, math.comb(L, n_e0), math.comb(L, n_e1),
                                  math.comb(n_e0 + n_e1, n_up))


def _check_couplings(J_perp, V, t_par):
    J_perp = check.nonnegative("J_perp", J_perp, hi=1e6)
    V = check.nonnegative("V", V, hi=1e6)
    t_par = check.in_range("t_par", t_par, -1e3, 1e3)
    return J_perp, V, t_par


def hamiltonian(L: int, n_holes: int, J_perp: float, V: float = 1.0, t_par: float = 0.1,
                *, two_sz: int | None = None, holes_leg=None):
    """Build the sparse (CSR) Hamiltonian of one sector and its basis codes.

    Parameters
    ----------
    L : int
        Number of rungs, in [2, 14] (sector at most ``ED_MAX_DIM``).
    n_holes : int
        Number of holes, in [0, 2L].
    J_perp : float
        Rung exchange, in [0, 1e6] (units of V).
    V : float, optional
        Rung hole-hole repulsion, in [0, 1e6] (the unit of energy).
    t_par : float, optional
        Leg hopping, |t_par| <= 1e3 (units of V).
    two_sz : int, optional
        ``2 S^z``; default 0 or 1.
    holes_leg : tuple of int, optional
        ``(h0, h1)``; default :func:`holes_per_leg`.

    Returns
    -------
    H : scipy.sparse.csr_matrix
        Real symmetric Hamiltonian (units of V).
    codes : numpy.ndarray
        Basis codes of the rows (as :func:`basis`).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range or the sector is too large.

    Examples
    --------
    >>> H, codes = hamiltonian(2, 3, J_perp=1.0, V=1.0, t_par=0.1)   # one electron
    >>> H.toarray()
    array([[ 1. , -0.1],
           [-0.1,  1. ]])
    """
    J_perp, V, t_par = _check_couplings(J_perp, V, t_par)
    codes = basis(L, n_holes, two_sz, holes_leg)
    indptr, indices, data = ed_kernels.build_csr(codes, L, t_par, J_perp, V)
    H = sps.csr_matrix((data, indices, indptr), shape=(codes.size, codes.size))
    return H, codes


def hamiltonian_matvec(x, L: int, n_holes: int, J_perp: float, V: float = 1.0, t_par: float = 0.1,
                       *, two_sz: int | None = None, holes_leg=None) -> np.ndarray:
    """Apply H to a vector without storing the matrix (slow, independent of :func:`hamiltonian`).

    Each row is generated and its entries located by binary search in the
    basis: a second code path to check the CSR assembly.

    Parameters
    ----------
    x : array_like
        Real vector with one entry per basis state of the sector.
    L, n_holes, J_perp, V, t_par, two_sz, holes_leg
        As for :func:`hamiltonian` (energies in units of V).

    Returns
    -------
    numpy.ndarray
        ``H @ x`` (units of V times those of ``x``).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range or ``x`` has the wrong length.

    Examples
    --------
    >>> H, _ = hamiltonian(3, 2, 1.0)
    >>> x = np.arange(H.shape[0], dtype=float)
    >>> bool(np.allclose(hamiltonian_matvec(x, 3, 2, 1.0), H @ x))
    True
    """
    J_perp, V, t_par = _check_couplings(J_perp, V, t_par)
    codes = basis(L, n_holes, two_sz, holes_leg)
    x = check.real_array("x", x, ndim=1, max_size=ED_MAX_DIM)
    if x.size != codes.size:
        raise ValueError(f"x must have one entry per basis state ({codes.size}), got {x.size}")
    return ed_kernels.matvec_reference(codes, int(L), t_par, J_perp, V, x)


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class _LadderState:
    """Fields shared by the ED and DMRG results (the sector and the couplings)."""

    L: int
    n_holes: int
    J_perp: float
    V: float
    t_par: float
    holes_leg: tuple
    two_sz: int

    @property
    def imbalance(self) -> float:
        """(N_sc - 2 N_cc) / N_h in [-1, 1] (the mean field's ``imbalance``)."""
        return crossover_ratio(self.n_sc, self.n_cc, self.L, self.n_holes)

    @property
    def ratio(self) -> float:
        """Alias of :attr:`imbalance` (kept for old notebooks)."""
        return self.imbalance


@dataclass(frozen=True)
class ExactResult(_LadderState):
    """Ground state of one sector by exact diagonalization (energies in units of V).

    Returned by :func:`ground_state`.  ``n_cc = N_cc / L`` and
    ``n_sc = N_sc / L`` are rung densities of doubly and singly
    hole-occupied rungs (both legs counted for sc), so that
    ``N_sc + 2 N_cc = N_h`` exactly; :attr:`imbalance` is
    ``(N_sc - 2 N_cc) / N_h``.

    Attributes
    ----------
    L : int
        Number of rungs.
    n_holes : int
        Number of holes N_h.
    J_perp : float
        Rung exchange (units of V).
    V : float
        Rung repulsion (the unit of energy).
    t_par : float
        Leg hopping (units of V).
    holes_leg : tuple of int
        ``(h0, h1)``.
    two_sz : int
        ``2 S^z`` of the sector.
    dim : int
        Sector dimension.
    energy : float
        Ground-state energy (units of V; the rung singlets count -J_perp each).
    n_cc : float
        cc density N_cc / L (per rung, >= 0).
    n_sc : float
        sc density N_sc / L (per rung, >= 0).
    gap : float
        Distance to the next eigenvalue of the same sector (units of V; inf if dim == 1).
    cc_profile : numpy.ndarray
        <n_cc(j)> per rung.
    sc_profile : numpy.ndarray
        <n_sc(j)> per rung.

    Examples
    --------
    >>> r = ground_state(L=3, n_holes=2, J_perp=1.0)
    >>> r.dim, round((r.n_sc + 2 * r.n_cc) * 3, 12)
    (54, 2.0)
    """

    dim: int
    energy: float
    n_cc: float
    n_sc: float
    gap: float
    cc_profile: np.ndarray = field(repr=False)
    sc_profile: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class DMRGResult(_LadderState):
    """Ground state of one sector by TeNPy DMRG (energies in units of V).

    Returned by :func:`dmrg_ground_state`.

    Attributes
    ----------
    L : int
        Number of rungs.
    n_holes : int
        Number of holes N_h.
    J_perp : float
        Rung exchange (units of V).
    V : float
        Rung repulsion (the unit of energy).
    t_par : float
        Leg hopping (units of V).
    holes_leg : tuple of int
        ``(h0, h1)``.
    two_sz : int
        ``2 S^z`` of the sector.
    chi_max : int
        Requested largest bond dimension.
    energy : float
        Ground-state energy (units of V).
    n_cc : float
        cc density N_cc / L (per rung).
    n_sc : float
        sc density N_sc / L (per rung).
    chi : int
        Largest bond dimension reached.
    truncation_error : float
        Largest discarded weight of the last sweep (dimensionless).
    delta_E : float
        Energy change over the last sweep (units of V).
    sweeps : int
        Number of sweeps run.
    seconds : float
        Wall time of the DMRG run (s).
    converged : bool
        After at least ``min_sweeps`` (with ``chi_max`` reached and the
        mixer off), the energies of the last 8 sweeps spread by less than
        ``max_E_err`` and the last entropy change is below ``max_S_err``.
    delta_S : float
        Change of the mean bond entanglement entropy over the last sweep.
    energies : tuple of float
        Energy after every sweep (units of V).
    cc_profile : numpy.ndarray
        <n_cc(j)> per rung.
    sc_profile : numpy.ndarray
        <n_sc(j)> per rung.
    variance : float or None
        Energy variance <H^2> - <H>^2 of the final MPS (units of V^2;
        :func:`mps_energy_variance`), None unless asked for (``variance=True``).
    shelved : bool
        True if the run stopped at its wall-time cap (``max_hours``).

    Examples
    --------
    >>> DMRGResult.__dataclass_fields__["chi"].type
    'int'
    """

    chi_max: int
    energy: float
    n_cc: float
    n_sc: float
    chi: int
    truncation_error: float
    delta_E: float
    sweeps: int
    seconds: float
    energies: tuple = field(repr=False)
    cc_profile: np.ndarray = field(repr=False)
    sc_profile: np.ndarray = field(repr=False)
    converged: bool = True
    delta_S: float = 0.0
    variance: float | None = None
    shelved: bool = False


# --------------------------------------------------------------------------- ED
class _OutOfBudget(Exception):
    """Raised inside a matrix-vector product once the Lanczos work budget is spent."""


def _spectral_bound(H) -> float:
    """max_i sum_j |H_ij| (>= the spectral radius of the symmetric H), at least 1e-300."""
    return max(float(abs(H).sum(axis=1).max()), 1e-300)


def _ritz_fallback(H, start, shift, products):
    """Best two Ritz pairs reachable in about ``products`` products: block LOBPCG, Jacobi preconditioner.

    Used only after Lanczos failed, to report what was reached (values and the
    largest residual ||H v - lambda v||); never raises except for LAPACK failures.
    """
    import warnings

    from scipy.sparse.linalg import lobpcg

    dim = H.shape[0]
    rng = np.random.default_rng(0)
    X = rng.standard_normal((dim, 2))
    if start is not None:
        X[:, 0] = start
    d = H.diagonal() - float(np.min(H.diagonal())) + 1e-2 * shift

    def prec(x):
        return x / (d[:, None] if x.ndim == 2 else d)

    iters = int(max(5, min(400, products // 6)))      # block of 2, ~3 products of the block per iteration
    op = LinearOperator(H.shape, matvec=lambda x: H @ x, matmat=lambda x: H @ x, dtype=float)
    M = LinearOperator(H.shape, matvec=prec, matmat=prec, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w, v = lobpcg(op, X, M=M, largest=False, tol=1e-12 * shift, maxiter=iters)
    order = np.argsort(w)
    w, v = w[order], v[:, order]
    res = np.linalg.norm(H @ v - v * w, axis=0)
    return w, v, float(np.max(res))


def _lanczos_lowest_two(H, *, tol, ncv, maxiter, v0, label, max_products=None):
    """Two lowest eigenpairs of the sparse symmetric ``H`` by ARPACK, bounded.

    ARPACK stops when a Ritz pair's residual is below ``tol`` times |Ritz value|;
    the operator is ``H + c`` with c = max row sum of |H| (the spectral bound), so
    the test is a residual ||H v - lambda v|| <= ``tol`` c relative to the
    spectral width -- not to |lambda|, which may be tiny and ask for more digits
    than the products carry.  First attempt: Krylov dimension ``ncv`` and
    ``maxiter`` restarts.  On no convergence a second attempt doubles the Krylov
    dimension (halving the restarts, so it costs about as many products) and
    starts from the best Ritz vector reached.  Both together stop after 90 % of
    ``max_products`` products (default :data:`ED_WORK` / nonzeros of H).  Then
    :class:`ConvergenceError` reports what was reached: the converged Ritz values,
    or else the best two Ritz values of a short preconditioned LOBPCG run (returned
    instead when it meets the tolerance), with their largest residual and the
    products used.
    """
    budget = max(50, ED_WORK // max(H.nnz, 1)) if max_products is None else int(max_products)
    dim = H.shape[0]
    count = [0]
    shift = _spectral_bound(H)
    lanczos_budget = int(0.9 * budget)

    def matvec(x):
        if count[0] >= lanczos_budget:
            raise _OutOfBudget
        count[0] += 1
        return H @ x + shift * x

    op = LinearOperator(H.shape, matvec=matvec, dtype=float)
    attempts = [(min(dim - 1, ncv), maxiter), (min(dim - 1, 2 * ncv), max(1, maxiter // 2))]
    reached, start, why = None, v0, "restarts"
    for n_krylov, n_restart in attempts:
        try:
            w, vecs = eigsh(op, k=2, which="SA", tol=tol, v0=start, ncv=n_krylov, maxiter=n_restart)
        except ArpackNoConvergence as exc:
            reached = exc
            if exc.eigenvectors is not None and exc.eigenvectors.shape[1] > 0:
                start = exc.eigenvectors[:, int(np.argmin(exc.eigenvalues))]
            continue
        except _OutOfBudget:
            why = f"work budget ({lanczos_budget} products, ED_WORK = {ED_WORK:.3g} nonzero-products)"
            break
        order = np.argsort(w)
        return w[order] - shift, vecs[:, order], count[0]
    values = np.array([])
    residual = math.inf
    if reached is not None and reached.eigenvalues is not None and np.size(reached.eigenvalues):
        values = np.sort(np.asarray(reached.eigenvalues) - shift)
        vecs = reached.eigenvectors
        res = np.linalg.norm(H @ vecs - vecs * (np.asarray(reached.eigenvalues) - shift), axis=0)
        residual = float(np.max(res))
        what = "converged Ritz values"
    else:
        values, vecs, residual = _ritz_fallback(H, start if start is not v0 else None, shift,
                                                max(budget - count[0], budget // 10))
        if residual <= tol * shift:             # the preconditioned run converged where Lanczos did not
            return values, vecs, count[0]
        what = "best Ritz values (preconditioned LOBPCG after Lanczos)"
    raise ConvergenceError(
        f"Lanczos did not converge for {label} (dim={dim}) within its {why} after {count[0]} matrix-vector "
        f"products (ncv {attempts[0][0]} then {attempts[1][0]}, tol {tol:g} of the spectral bound {shift:.4g}); "
        f"{what} {values.tolist()} with largest residual {residual:.2e}. Raise maxiter or loosen tol.",
        iterations=count[0], residual=residual, last=values)


def ground_state(L: int, n_holes: int, J_perp: float, V: float = 1.0, t_par: float = 0.1,
                 *, two_sz: int | None = None, holes_leg=None, tol: float = 1e-12,
                 seed: int = 7, ncv: int = ED_NCV, maxiter: int | None = None) -> ExactResult:
    """Exact ground state of the MixD+V ladder in one conserved sector.

    Sectors of at most 600 states are diagonalized densely; larger ones with
    Lanczos (:func:`scipy.sparse.linalg.eigsh`, two lowest eigenpairs),
    bounded: ``maxiter`` restarts of a Krylov space of ``ncv`` vectors, then
    one fallback attempt with ``2 ncv`` vectors, all within the work budget
    :data:`ED_WORK` (a product count, independent of machine load), then
    :class:`~nickelates.errors.ConvergenceError` carrying the best Ritz values
    reached and their residual.

    Parameters
    ----------
    L : int
        Number of rungs, in [2, 14] (the sector must have at most ``ED_MAX_DIM`` states).
    n_holes : int
        Holes counted from half filling, 0 <= n_holes <= 2L, split by
        :func:`holes_per_leg` unless ``holes_leg=(h0, h1)`` is given.
    J_perp : float
        Rung exchange, in [0, 1e6] (units of V).
    V : float, optional
        Rung hole-hole repulsion, in [0, 1e6] (the unit of energy; default 1).
    t_par : float, optional
        Leg hopping, |t_par| <= 1e3 (units of V; the default 0.1 is the
        paper's t_par / V = 0.1).
    two_sz : int, optional
        ``2 S^z``; default the smallest allowed value (0 or 1).
    holes_leg : tuple of int, optional
        ``(h0, h1)`` summing to ``n_holes``.
    tol : float, optional
        Lanczos tolerance, in (0, 1e-3]: a Ritz pair is converged when its residual
        ||H v - E v|| is below ``tol`` times the spectral bound max_i sum_j |H_ij| (relative
        to the spectral width, not to |E|, which may be tiny; the energy error is of order
        residual^2 / gap).
    seed : int, optional
        Seed (>= 0) of the random Lanczos start vector.
    ncv : int, optional
        Krylov dimension of the first Lanczos attempt, in [4, 256].
    maxiter : int, optional
        Lanczos restarts of the first attempt, >= 1; default
        ``ED_MATVECS // ncv`` (about 2000 matrix-vector products).

    Returns
    -------
    ExactResult
        Energy, gap, densities and rung profiles (energies in units of V).

    Raises
    ------
    TypeError
        If an argument has the wrong type (e.g. ``L=4.0``).
    ValueError
        If a value is out of range or the sector exceeds ``ED_MAX_DIM``.
    ConvergenceError
        If Lanczos does not converge in both attempts or within :data:`ED_WORK`
        (``last``: the Ritz values reached, converged ones or else those of a short
        preconditioned LOBPCG run; ``residual``: their largest ||H v - E v||;
        ``iterations``: the Lanczos products used).

    Examples
    --------
    >>> r = ground_state(L=2, n_holes=3, J_perp=1.0, V=1.0, t_par=0.1)   # one electron
    >>> round(r.energy, 12)                                            # V - t_par
    0.9
    """
    L, n_holes = _check_L_holes(L, n_holes, ED_MAX_L)
    tol = check.tolerance("tol", tol, hi=1e-3)
    seed = check.integer("seed", seed, 0, 2**63 - 1)
    ncv = check.integer("ncv", ncv, 4, 256)
    maxiter = max(1, ED_MATVECS // ncv) if maxiter is None else check.iterations("maxiter", maxiter)
    H, codes = hamiltonian(L, n_holes, J_perp, V, t_par, two_sz=two_sz, holes_leg=holes_leg)
    h0, h1, n_up = _sector(L, n_holes, holes_leg, two_sz)
    two_sz_used = 2 * n_up - (2 * L - n_holes)
    dim = codes.size
    if dim <= 600:
        w, vecs = np.linalg.eigh(H.toarray())
    else:
        v0 = np.random.default_rng(seed).standard_normal(dim)
        w, vecs, _ = _lanczos_lowest_two(H, tol=tol, ncv=ncv, maxiter=maxiter, v0=v0,
                                         label=f"L={L}, n_holes={n_holes}, J_perp={J_perp}, V={V}, t_par={t_par}")
    E0 = float(w[0])
    gap = float(w[1] - w[0]) if dim > 1 else math.inf
    psi = vecs[:, 0]
    if not np.isfinite(E0):  # pragma: no cover - finite inputs give a finite matrix
        raise ConvergenceError(f"ground-state energy is not finite for L={L}, n_holes={n_holes}", last=E0)
    cc, sc = ed_kernels.rung_profile(codes, L, psi * psi)
    return ExactResult(L=L, n_holes=n_holes, J_perp=float(J_perp), V=float(V),
                       t_par=float(t_par), holes_leg=(h0, h1), two_sz=two_sz_used, dim=dim,
                       energy=E0, n_cc=float(cc.sum() / L), n_sc=float(sc.sum() / L), gap=gap,
                       cc_profile=cc, sc_profile=sc)


# --------------------------------------------------------------------------- observables
def _three_energies(E_nm2, E_nm1, E_n):
    return (check.finite("E_nm2", E_nm2), check.finite("E_nm1", E_nm1), check.finite("E_n", E_n))


def binding_energy(E_nm2: float, E_nm1: float, E_n: float) -> float:
    """Pair binding energy ``E_B(N_h) = 2 E_{N_h-1} - E_{N_h} - E_{N_h-2}`` (units of V).

    Positive when two holes gain energy by binding: it is *minus* the
    expression printed as Eq. (10)/(C1) of the paper (see
    :func:`binding_energy_printed` and the chapter's "Notes on the source").

    Parameters
    ----------
    E_nm2, E_nm1, E_n : float
        Ground-state energies with N_h - 2, N_h - 1 and N_h holes (units of V).

    Returns
    -------
    float
        E_B (units of V).

    Raises
    ------
    TypeError
        If an energy is not a real number.
    ValueError
        If an energy is not finite.

    Examples
    --------
    >>> binding_energy(-3.0, -2.0, -1.7)    # t = 0, J = 1.7: E_B = J - V
    0.7
    """
    E_nm2, E_nm1, E_n = _three_energies(E_nm2, E_nm1, E_n)
    return 2.0 * E_nm1 - E_n - E_nm2


def binding_energy_printed(E_nm2: float, E_nm1: float, E_n: float) -> float:
    """Eq. (10)/(C1) exactly as printed: ``2(E_{N-2} - E_{N-1}) - (E_{N-2} - E_N)`` (units of V).

    Parameters
    ----------
    E_nm2, E_nm1, E_n : float
        Ground-state energies with N_h - 2, N_h - 1 and N_h holes (units of V).

    Returns
    -------
    float
        The printed expression, ``-binding_energy(...)`` (units of V).

    Raises
    ------
    TypeError
        If an energy is not a real number.
    ValueError
        If an energy is not finite.

    Examples
    --------
    >>> binding_energy_printed(-3.0, -2.0, -1.7)
    -0.7
    """
    E_nm2, E_nm1, E_n = _three_energies(E_nm2, E_nm1, E_n)
    return 2.0 * (E_nm2 - E_nm1) - (E_nm2 - E_n)


#: measured densities may undershoot 0 or overshoot 1 by rounding (DMRG expectation values)
_DENSITY_SLACK = 1e-9


def _density(name, value):
    v = check.in_range(name, value, -_DENSITY_SLACK, 1.0 + _DENSITY_SLACK)
    return min(max(v, 0.0), 1.0)


def crossover_ratio(n_sc: float, n_cc: float, L: int, n_holes: int) -> float:
    """Return the imbalance ``(N_sc - 2 N_cc) / N_h`` from rung densities: +1 all sc, -1 all cc.

    Parameters
    ----------
    n_sc, n_cc : float
        sc and cc densities per rung, each in [0, 1] (dimensionless).
    L : int
        Number of rungs, >= 1.
    n_holes : int
        Number of holes, in [1, 2L].

    Returns
    -------
    float
        (n_sc - 2 n_cc) L / N_h.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> crossover_ratio(0.2, 0.0, 10, 2), crossover_ratio(0.0, 0.1, 10, 2)
    (1.0, -1.0)
    """
    n_sc = _density("n_sc", n_sc)
    n_cc = _density("n_cc", n_cc)
    L = check.integer("L", L, 1, COUNT_MAX_L)
    n_holes = check.integer("n_holes", n_holes, 1, 2 * L)
    return float((n_sc - 2.0 * n_cc) * L / n_holes)


def background_energy(n_sc: float, n_cc: float, L: int, J_perp: float, V: float = 1.0) -> float:
    """Rung-distortion energy ``J_perp N_sc + (V + J_perp) N_cc`` (units of V), as in Fig. 4.

    Parameters
    ----------
    n_sc, n_cc : float
        sc and cc densities per rung, each in [0, 1].
    L : int
        Number of rungs, >= 1.
    J_perp : float
        Rung exchange, in [0, 1e6] (units of V).
    V : float, optional
        Rung repulsion, in [0, 1e6] (the unit of energy).

    Returns
    -------
    float
        E_bg (units of V).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> background_energy(0.1, 0.05, 20, J_perp=1.2, V=1.0)   # 2 sc's and 1 cc
    4.6
    """
    n_sc = _density("n_sc", n_sc)
    n_cc = _density("n_cc", n_cc)
    L = check.integer("L", L, 1, COUNT_MAX_L)
    J_perp = check.nonnegative("J_perp", J_perp, hi=1e6)
    V = check.nonnegative("V", V, hi=1e6)
    return float(J_perp * n_sc * L + (V + J_perp) * n_cc * L)


# --------------------------------------------------------------------------- TeNPy
def _tenpy_model_class():
    from tenpy.models.lattice import Ladder
    from tenpy.models.model import CouplingMPOModel
    from tenpy.networks.site import SpinHalfHoleSite, set_common_charges

    class _MixDLadderModel(CouplingMPOModel):
        """MixD+V ladder for TeNPy: projected hopping, conserved (N_leg0, N_leg1, 2 S^z).

        Parameters (``model_params``): ``L`` (rungs), ``t_par``, ``J_perp``, ``V``
        (units of V). MPS order is rung-major: site ``2 j + mu``.
        """

        default_lattice = Ladder
        force_default_lattice = True

        def init_sites(self, model_params):
            sites = [SpinHalfHoleSite(cons_N="N", cons_Sz="Sz") for _ in range(2)]
            set_common_charges(
                sites,
                new_charges=[[(1, 0, "N")], [(1, 1, "N")], [(1, 0, "2*Sz"), (1, 1, "2*Sz")]],
                new_names=["N_leg0", "N_leg1", "2*Sz"],
            )
            for s in sites:
                s.add_op("Nh", s.Id - s.Ntot)
            return sites

        def init_lattice(self, model_params):
            L = model_params.get("L", 4)
            sites = self.init_sites(model_params)
            return Ladder(L, sites, bc="open", bc_MPS="finite")

        def init_terms(self, model_params):
            t = model_params.get("t_par", 0.1)
            J = model_params.get("J_perp", 1.0)
            V = model_params.get("V", 1.0)
            for mu in (0, 1):
                self.add_coupling(-t, mu, "Cdu", mu, "Cu", 1, plus_hc=True)
                self.add_coupling(-t, mu, "Cdd", mu, "Cd", 1, plus_hc=True)
            self.add_coupling(0.5 * J, 0, "Sp", 1, "Sm", 0, plus_hc=True)
            self.add_coupling(J, 0, "Sz", 1, "Sz", 0)
            self.add_coupling(-0.25 * J, 0, "Ntot", 1, "Ntot", 0)
            self.add_coupling(V, 0, "Nh", 1, "Nh", 0)

    return _MixDLadderModel


def MixDLadderModel(L: int, J_perp: float, V: float = 1.0, t_par: float = 0.1):
    """Build the TeNPy ``CouplingMPOModel`` of the ladder (TeNPy is imported on demand).

    Sites are :class:`tenpy.networks.site.SpinHalfHoleSite` in rung-major
    order (site ``2 j + mu``) with the conserved charges
    ``(N_leg0, N_leg1, 2 S^z)``.

    Parameters
    ----------
    L : int
        Number of rungs, in [2, 1000].
    J_perp : float
        Rung exchange, in [0, 1e6] (units of V).
    V : float, optional
        Rung repulsion, in [0, 1e6] (the unit of energy).
    t_par : float, optional
        Leg hopping, |t_par| <= 1e3 (units of V).

    Returns
    -------
    tenpy.models.model.CouplingMPOModel
        The model (``.lat``, ``.H_MPO``).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> M = MixDLadderModel(3, J_perp=1.0)
    >>> M.lat.N_sites
    6
    """
    L = check.integer("L", L, 2, DMRG_MAX_L)
    J_perp, V, t_par = _check_couplings(J_perp, V, t_par)
    cls = _tenpy_model_class()
    return cls(dict(L=L, J_perp=J_perp, V=V, t_par=t_par))


def _charge_sector(L, n_holes, holes_leg, two_sz):
    h0, h1, n_up = _sector(L, n_holes, holes_leg, two_sz)
    n_e = 2 * L - n_holes
    return h0, h1, n_up, [L - h0, L - h1, 2 * n_up - n_e]


def tenpy_exact_energy(L: int, n_holes: int, J_perp: float, V: float = 1.0,
                       t_par: float = 0.1, *, two_sz: int | None = None, holes_leg=None) -> float:
    """Lowest eigenvalue from TeNPy's full diagonalization of the model MPO (small L only).

    Independent of :func:`ground_state`: different fermion ordering (rung-major
    with TeNPy's Jordan-Wigner strings), different Hamiltonian assembly.

    Parameters
    ----------
    L : int
        Number of rungs, in [2, 5].
    n_holes : int
        Number of holes, in [0, 2L].
    J_perp : float
        Rung exchange, in [0, 1e6] (units of V).
    V : float, optional
        Rung repulsion, in [0, 1e6] (the unit of energy).
    t_par : float, optional
        Leg hopping, |t_par| <= 1e3 (units of V).
    two_sz : int, optional
        ``2 S^z``; default 0 or 1.
    holes_leg : tuple of int, optional
        ``(h0, h1)``; default :func:`holes_per_leg`.

    Returns
    -------
    float
        The lowest eigenvalue of the sector (units of V).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> round(tenpy_exact_energy(2, 3, 1.0, 1.0, 0.1), 12)     # V - t_par
    0.9
    """
    from tenpy.algorithms.exact_diag import ExactDiag

    L, n_holes = _check_L_holes(L, n_holes, 5)
    h0, h1, n_up, q = _charge_sector(L, n_holes, holes_leg, two_sz)
    M = MixDLadderModel(L, J_perp, V, t_par)
    ed = ExactDiag(M, charge_sector=q, max_size=1e12)
    ed.build_full_H_from_mpo()
    ed.full_diagonalization()
    return float(np.min(ed.E))


def _product_state(L, h0, h1, n_up):
    """Initial labels (rung-major): holes spread evenly, spins alternating, ``n_up`` up spins."""
    labels = []
    holes = []
    for n in (h0, h1):
        pos = {int((k + 0.5) * L / n) for k in range(n)} if n else set()
        holes.append(pos)
    k = 0
    for j in range(L):
        for mu in (0, 1):
            if j in holes[mu]:
                labels.append("empty")
            else:
                labels.append("up" if k % 2 == 0 else "down")
                k += 1
    # adjust S^z of the initial state to the requested sector
    ups = [i for i, s in enumerate(labels) if s == "up"]
    downs = [i for i, s in enumerate(labels) if s == "down"]
    while len(ups) > n_up:
        i = ups.pop()
        labels[i] = "down"
        downs.append(i)
    while len(ups) < n_up:
        i = downs.pop()
        labels[i] = "up"
        ups.append(i)
    return labels


def _dmrg_failure(exc, eng, L, n_holes, J_perp, chi_max):
    """ConvergenceError from a TeNPy exception, with what the engine reached."""
    stats = getattr(eng, "sweep_stats", None) or {}
    energies = [float(e) for e in stats.get("E", [])]
    trunc = [float(e) for e in stats.get("max_trunc_err", [])]
    chis = [int(c) for c in stats.get("max_chi", [])]
    return ConvergenceError(
        f"DMRG failed for L={L}, n_holes={n_holes}, J_perp={J_perp}, chi_max={chi_max}: "
        f"TeNPy raised {type(exc).__name__}: {exc} After {len(energies)} sweeps: energies "
        f"{energies[-3:]}, largest discarded weight {trunc[-1] if trunc else None}, bond dimension "
        f"{chis[-1] if chis else None}. The bond dimension is too small for this sector; raise chi_max.",
        iterations=len(energies), residual=trunc[-1] if trunc else None,
        last=energies[-1] if energies else None)


def _windowed_engine(base):
    """A TeNPy DMRG engine class whose stopping test is the 8-sweep energy window.

    TeNPy's own test compares one sweep with the previous one; at fixed bond
    dimension the sweep energies can settle into a small limit cycle, so a
    single small step says little.  Here the run stops (after ``min_sweeps``,
    with the mixer off) only when the last 8 sweep energies spread by less
    than ``max_E_err`` and the entropy changed by less than ``max_S_err``.
    """
    class WindowedDMRG(base):
        def is_converged(self):
            E = self.sweep_stats["E"]
            if len(E) < 8:
                return False
            max_E_err = self.options.get("max_E_err", 1.0e-8, "real")
            max_S_err = self.options.get("max_S_err", 1.0e-5, "real")
            return (max(E[-8:]) - min(E[-8:]) < max_E_err
                    and abs(self.sweep_stats["Delta_S"][-1]) < max_S_err)

    WindowedDMRG.__name__ = WindowedDMRG.__qualname__ = f"Windowed{base.__name__}"
    return WindowedDMRG


def dmrg_ground_state(L: int, n_holes: int, J_perp: float, V: float = 1.0, t_par: float = 0.1,
                      *, chi_max: int = 128, max_sweeps: int = 30, min_sweeps: int = 6,
                      max_E_err: float = 1e-9, max_S_err: float = 1e-5,
                      two_sz: int | None = None, holes_leg=None,
                      svd_min: float = 1e-10, raise_on_fail: bool = True,
                      engine: str = "two-site", combine: bool = True, variance: bool = False,
                      max_hours: float | None = None) -> DMRGResult:
    """Two-site DMRG (TeNPy, with mixer) for the ground state of one sector.

    The bond dimension is doubled every two sweeps from 32 up to
    ``chi_max``; the density-matrix mixer is switched off four sweeps after
    ``chi_max`` is reached (at the earliest after sweep 8).  The run stops
    at ``max_sweeps`` or as soon as, after at least ``min_sweeps``, the
    energies of the last 8 sweeps spread by less than ``max_E_err`` and the
    last entropy change is below ``max_S_err`` (TeNPy's one-sweep test is
    replaced by this window: at fixed bond dimension the sweep energies can
    settle into a small limit cycle, amplitude of order the truncation
    error times the energy scale, which a one-sweep test would either miss
    or never meet); :attr:`DMRGResult.converged` says whether the window
    criterion held.

    Parameters
    ----------
    L : int
        Number of rungs, in [2, 1000].
    n_holes : int
        Number of holes, in [0, 2L].
    J_perp : float
        Rung exchange, in [0, 1e6] (units of V).
    V : float, optional
        Rung repulsion, in [0, 1e6] (the unit of energy).
    t_par : float, optional
        Leg hopping, |t_par| <= 1e3 (units of V).
    chi_max : int, optional
        Largest bond dimension, in [4, 4096]; 2L chi_max^2 must stay below
        what 24 GB hold.
    max_sweeps : int, optional
        Sweep cap, in [2, 1000].
    min_sweeps : int, optional
        Minimum number of sweeps, in [1, max_sweeps]; raised to two sweeps
        after the mixer is switched off (if ``max_sweeps`` allows).
    max_E_err : float, optional
        Energy convergence criterion (units of V), in (0, 1]: the largest
        spread of the last 8 sweep energies.
    max_S_err : float, optional
        Criterion on the relative change of the mean entanglement entropy
        per sweep, in (0, 1].
    two_sz : int, optional
        ``2 S^z``; default 0 or 1.
    holes_leg : tuple of int, optional
        ``(h0, h1)``; default :func:`holes_per_leg`.
    svd_min : float, optional
        Smallest kept singular value, in [0, 1e-2].
    raise_on_fail : bool, optional
        Raise :class:`ConvergenceError` if the run stopped at ``max_sweeps``
        before the criterion held (``converged`` False).
    engine : {"two-site", "single-site"}, optional
        TeNPy DMRG engine.
    combine : bool, optional
        TeNPy's ``combine`` option (contract the environment with the MPO first).
    variance : bool, optional
        Also compute the energy variance <H^2> - <H>^2 of the final MPS
        (:func:`mps_energy_variance`; costs about one more sweep with the squared MPO).
    max_hours : float, optional
        Wall-time cap of the sweeps in hours, in (0, 1000]; a run stopped by it has
        ``shelved`` True (and ``converged`` False unless the window already held).

    Returns
    -------
    DMRGResult
        Energy, densities, profiles and the convergence record (energies in units of V).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range (e.g. ``chi_max < 4``).
    ConvergenceError
        If the energy is not converged after ``max_sweeps`` (unless
        ``raise_on_fail=False``), or TeNPy fails, e.g. because the discarded
        weight exceeds its bound for a too small ``chi_max`` (always raised;
        the message gives the sweep energies and truncation error reached).

    Examples
    --------
    >>> dmrg_ground_state(4, 2, 1.0, chi_max=2)
    Traceback (most recent call last):
    ...
    ValueError: chi_max must be an integer in [4, 4096], got 2
    """
    return _dmrg(L, n_holes, J_perp, V, t_par, chi_max=chi_max, max_sweeps=max_sweeps,
                 min_sweeps=min_sweeps, max_E_err=max_E_err, max_S_err=max_S_err, two_sz=two_sz,
                 holes_leg=holes_leg, svd_min=svd_min, raise_on_fail=raise_on_fail, engine=engine,
                 combine=combine, variance=variance, max_hours=max_hours)[0]


def _dmrg(L, n_holes, J_perp, V=1.0, t_par=0.1, *, chi_max=128, max_sweeps=30, min_sweeps=6,
          max_E_err=1e-9, max_S_err=1e-5, two_sz=None, holes_leg=None, svd_min=1e-10,
          raise_on_fail=True, engine="two-site", combine=True, variance=False, max_hours=None,
          psi0=None):
    """:func:`dmrg_ground_state` returning ``(DMRGResult, tenpy MPS)`` (the state for measurements).

    ``psi0``: a converged MPS of the same sector to start from (a copy is swept); the bond
    dimension is then ``chi_max`` from the first sweep on, and the mixer (amplitude 1e-5)
    is switched off after four sweeps.
    """
    import logging

    L, n_holes = _check_L_holes(L, n_holes, DMRG_MAX_L)
    chi_max = check.integer("chi_max", chi_max, 4, 4096)
    check.size_limit("chi_max", 2 * L * chi_max**2 * 3, check.MAX_ELEMENTS, "MPS tensor entries")
    max_sweeps = check.integer("max_sweeps", max_sweeps, 2, 1000)
    min_sweeps = check.integer("min_sweeps", min_sweeps, 1, max_sweeps)
    max_E_err = check.positive("max_E_err", max_E_err, hi=1.0)
    max_S_err = check.positive("max_S_err", max_S_err, hi=1.0)
    svd_min = check.in_range("svd_min", svd_min, 0.0, 1e-2)
    raise_on_fail = check.boolean("raise_on_fail", raise_on_fail)
    combine = check.boolean("combine", combine)
    engine = check.choice("engine", engine, ("two-site", "single-site"))
    variance = check.boolean("variance", variance)
    if max_hours is not None:
        max_hours = check.positive("max_hours", max_hours, hi=1000.0)
    h0, h1, n_up, q = _charge_sector(L, n_holes, holes_leg, two_sz)
    M = MixDLadderModel(L, J_perp, V, t_par)

    from tenpy.algorithms import dmrg
    from tenpy.networks.mps import MPS
    from tenpy.tools.misc import TenpyInconsistencyError

    if psi0 is None:
        labels = _product_state(L, h0, h1, n_up)
        psi = MPS.from_product_state(M.lat.mps_sites(), labels, bc="finite",
                                     unit_cell_width=M.lat.mps_unit_cell_width)
        chi_list, chi, sweep = {}, 32, 0
        while chi < chi_max:
            chi_list[sweep] = chi
            chi, sweep = 2 * chi, sweep + 2
        chi_list[sweep] = chi_max
        chi_reached_at = sweep
        disable_after = max(8, chi_reached_at + 4)
        amplitude = 1e-4
    else:                    # warm start: chi_max at once, a short mixer phase
        psi = psi0.copy()
        chi_list, disable_after, amplitude = {0: chi_max}, 4, 1e-5
    # never declared converged with the mixer on or before chi_max is reached
    min_sweeps = max(min_sweeps, min(disable_after + 2, max_sweeps))
    params = {
        "mixer": True,
        "mixer_params": {"amplitude": amplitude, "decay": 2.0,
                         "disable_after": disable_after},
        "trunc_params": {"chi_max": chi_max, "svd_min": svd_min},
        "chi_list": chi_list,
        "max_E_err": max_E_err,
        "max_S_err": max_S_err,
        "max_sweeps": max_sweeps,
        "min_sweeps": min_sweeps,
        "combine": combine,
    }
    if max_hours is not None:
        params["max_hours"] = max_hours
    logging.getLogger("tenpy").setLevel(logging.ERROR)   # a shelved run is reported in the result
    t0 = time.perf_counter()
    cls = _windowed_engine(dmrg.TwoSiteDMRGEngine if engine == "two-site" else dmrg.SingleSiteDMRGEngine)
    eng = cls(psi, M, params)
    try:
        E, psi = eng.run()
    except (TenpyInconsistencyError, np.linalg.LinAlgError) as exc:
        raise _dmrg_failure(exc, eng, L, n_holes, J_perp, chi_max) from exc
    finally:
        # options a stopped run never read (max_E_err before min_sweeps) are expected, not typos:
        # let TeNPy report them now, silenced, instead of at garbage collection
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="unused option", category=UserWarning)
            eng.options.warn_unused(recursive=True)
    seconds = time.perf_counter() - t0
    stats = eng.sweep_stats
    energies = tuple(float(e) for e in stats["E"])
    delta_E = abs(energies[-1] - energies[-2]) if len(energies) > 1 else math.inf
    delta_S = float(stats["Delta_S"][-1]) if len(stats["Delta_S"]) else math.inf
    trunc = float(stats["max_trunc_err"][-1])
    chi = int(max(psi.chi)) if len(psi.chi) else 1
    window = energies[-8:]
    E_spread = max(window) - min(window) if len(energies) >= 8 else math.inf
    converged = bool(len(energies) > min_sweeps and E_spread < max_E_err
                     and abs(delta_S) < max_S_err)
    if raise_on_fail and not converged:
        raise ConvergenceError(
            f"DMRG not converged for L={L}, n_holes={n_holes}, J_perp={J_perp}, chi_max={chi_max}: "
            f"{len(energies)} sweeps (cap {max_sweeps}), energy spread over the last 8 sweeps "
            f"{E_spread:.2e} (criterion {max_E_err:.0e}), entropy change {delta_S:.1e} (criterion {max_S_err:.0e}), "
            f"truncation error {trunc:.1e}, E={E:.12f}",
            iterations=len(energies), residual=delta_E, last=E)
    nh = psi.expectation_value("Nh")  # rung-major
    cc = np.array([psi.expectation_value_term([("Nh", 2 * j), ("Nh", 2 * j + 1)])
                   for j in range(L)]).real
    sc = nh[0::2] + nh[1::2] - 2.0 * cc
    var = _mps_variance(M, psi)[1] if variance else None
    return DMRGResult(L=L, n_holes=n_holes, J_perp=float(J_perp), V=float(V), t_par=float(t_par),
                      holes_leg=(h0, h1), two_sz=int(q[2]), chi_max=chi_max, energy=float(E),
                      n_cc=float(cc.sum() / L), n_sc=float(sc.sum() / L), chi=chi,
                      truncation_error=trunc, delta_E=float(delta_E), sweeps=len(energies),
                      seconds=seconds, energies=energies, cc_profile=cc, sc_profile=np.asarray(sc),
                      converged=converged, delta_S=delta_S, variance=var,
                      shelved=bool(getattr(eng, "shelve", False))), psi


def _mps_variance(M, psi):
    """(<H>, <H^2> - <H>^2) of a finite MPS by TeNPy's full contraction with the MPO twice."""
    H = M.H_MPO
    E = float(np.real(H.expectation_value(psi)))
    return E, float(np.real(H.variance(psi, exp_val=E)))


def mps_energy_variance(psi, L: int, J_perp: float, V: float = 1.0, t_par: float = 0.1) -> tuple:
    """Energy and energy variance <H^2> - <H>^2 of a TeNPy MPS of the ladder.

    The variance vanishes exactly for an eigenstate and is the standard measure of how
    far a DMRG state is from one: near the ground state E - E_0 is linear in it (the
    slope is of order the inverse gap to the states mixed in), which
    :func:`extrapolate_energy` (``in_="variance"``) uses.  Computed by
    :meth:`tenpy.networks.mpo.MPO.variance` (the network <psi|H H|psi> contracted
    site by site; cost ~ chi^3 D^2 per site for MPO bond dimension D), so it carries
    a rounding floor of ~1e-14 E^2 from the cancellation <H^2> - <H>^2.

    Parameters
    ----------
    psi : tenpy.networks.mps.MPS
        Finite MPS on the 2L sites of :func:`MixDLadderModel` (rung-major order),
        normalized.
    L : int
        Number of rungs, in [2, 1000].
    J_perp : float
        Rung exchange, in [0, 1e6] (units of V).
    V : float, optional
        Rung repulsion, in [0, 1e6] (the unit of energy).
    t_par : float, optional
        Leg hopping, |t_par| <= 1e3 (units of V).

    Returns
    -------
    energy : float
        <H> (units of V).
    variance : float
        <H^2> - <H>^2 (units of V^2).

    Raises
    ------
    TypeError
        If ``psi`` is not a TeNPy MPS or an argument has the wrong type.
    ValueError
        If a value is out of range or ``psi`` does not have 2L sites.

    Examples
    --------
    >>> from tenpy.networks.mps import MPS
    >>> M = MixDLadderModel(2, J_perp=1.0)
    >>> psi = MPS.from_product_state(M.lat.mps_sites(), ["up", "down", "up", "down"],
    ...                              unit_cell_width=M.lat.mps_unit_cell_width)
    >>> E, var = mps_energy_variance(psi, 2, J_perp=1.0)   # Sz Sz part of two rungs, hopping blocked
    >>> round(E, 12), round(var, 12)
    (-1.0, 0.5)
    """
    from tenpy.networks.mps import MPS

    L = check.integer("L", L, 2, DMRG_MAX_L)
    J_perp, V, t_par = _check_couplings(J_perp, V, t_par)
    if not isinstance(psi, MPS):
        raise TypeError(f"psi must be a tenpy.networks.mps.MPS, got {type(psi).__name__}")
    if psi.L != 2 * L or psi.bc != "finite":
        raise ValueError(f"psi must be a finite MPS on 2L = {2 * L} sites, got {psi.L} sites, bc={psi.bc!r}")
    return _mps_variance(MixDLadderModel(L, J_perp, V, t_par), psi)



def dmrg_bond_doubling(L: int, n_holes: int, J_perp: float, V: float = 1.0, t_par: float = 0.1,
                       *, chi_max: int = 128, factor: int = 2, max_hours: float | None = None,
                       doubled_min_sweeps: int = 8, **kwargs) -> tuple:
    """DMRG at ``chi_max`` and then at ``factor * chi_max`` from that state, both with their variance.

    The first run is :func:`dmrg_ground_state` with the given settings (so a stored
    point is reproduced and its state's variance measured); the second starts from
    its MPS with the larger bond dimension from the first sweep (mixer amplitude
    1e-5 for four sweeps), with the same 8-sweep window criterion and at least
    ``doubled_min_sweeps`` sweeps.  The pair gives the change of the energy under
    one bond-dimension doubling and two (E, variance) points for
    :func:`extrapolate_energy`.

    Parameters
    ----------
    L, n_holes, J_perp, V, t_par
        As for :func:`dmrg_ground_state` (energies in units of V).
    chi_max : int, optional
        Bond dimension of the first run, in [4, 2048].
    factor : int, optional
        Bond-dimension factor of the second run, in [2, 8].
    max_hours : float, optional
        Wall-time cap of the sweeps of each run (hours), in (0, 1000]; a capped run
        comes back with ``shelved`` True.
    doubled_min_sweeps : int, optional
        Minimum number of sweeps of the second run, in [2, 1000].
    **kwargs
        ``max_sweeps``, ``min_sweeps`` (first run), ``max_E_err``, ``max_S_err``, ``svd_min``
        of :func:`dmrg_ground_state`.

    Returns
    -------
    tuple of DMRGResult
        ``(run at chi_max, run at factor * chi_max)``, both with ``variance`` set.
        Neither raises on a missed convergence criterion: check ``converged``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range or a keyword is not one of the above.
    ConvergenceError
        If TeNPy fails (see :func:`dmrg_ground_state`).

    Examples
    --------
    >>> a, b = dmrg_bond_doubling(3, 2, 1.0, chi_max=16, max_sweeps=20, min_sweeps=2)
    >>> (a.chi_max, b.chi_max), bool(b.energy <= a.energy + 1e-12), abs(b.variance) < 1e-9
    ((16, 32), True, True)
    """
    allowed = {"max_sweeps", "min_sweeps", "max_E_err", "max_S_err", "svd_min"}
    if set(kwargs) - allowed:
        raise ValueError(f"dmrg_bond_doubling accepts only the keywords {sorted(allowed)}, got {sorted(kwargs)}")
    chi_max = check.integer("chi_max", chi_max, 4, 2048)
    factor = check.integer("factor", factor, 2, 8)
    doubled_min_sweeps = check.integer("doubled_min_sweeps", doubled_min_sweeps, 2, 1000)
    first, psi = _dmrg(L, n_holes, J_perp, V, t_par, chi_max=chi_max, raise_on_fail=False,
                       variance=True, max_hours=max_hours, **kwargs)
    kw2 = dict(kwargs, min_sweeps=min(doubled_min_sweeps, kwargs.get("max_sweeps", 30)))
    second, _ = _dmrg(L, n_holes, J_perp, V, t_par, chi_max=factor * chi_max, raise_on_fail=False,
                      variance=True, max_hours=max_hours, psi0=psi, **kw2)
    return first, second

# --------------------------------------------------------------------------- correlations (beyond the paper)
@dataclass(frozen=True)
class LadderCorrelations:
    """Pair, density and spin correlations of a DMRG ground state (energies in units of V).

    Returned by :func:`dmrg_correlations`.  Pair operators remove a spin-singlet
    pair of electrons, i.e. create a hole pair:
    the on-rung **cc pair** ``Delta_j = (c_{j0up} c_{j1dn} - c_{j0dn} c_{j1up}) / sqrt 2``
    and the inter-rung **sc^2 pair** on the plaquette diagonals,
    ``D^a_j`` on sites (j, 0), (j+1, 1) and ``D^b_j`` on (j, 1), (j+1, 0), combined as
    ``(D^a +- D^b) / sqrt 2``.  Correlations are measured from the reference rung
    ``i0 = L // 4`` to ``i0 + r``.

    Attributes
    ----------
    ground : DMRGResult
        The ground state (smallest 2S^z) the correlations are measured on.
    reference : int
        Reference rung i0.
    distance : numpy.ndarray
        Distances r = 2 ... r_max (rungs; from r = 2 on the sc^2 pairs do not overlap).
    pair_cc : numpy.ndarray
        <Delta^+_{i0} Delta_{i0+r}> per r (dimensionless).
    pair_sc2 : numpy.ndarray
        Pair correlation of the even diagonal combination (D^a + D^b)/sqrt 2.
    pair_sc2_odd : numpy.ndarray
        Pair correlation of the odd combination (D^a - D^b)/sqrt 2.
    singlet_probability : numpy.ndarray
        <Delta^+_j Delta_j> per rung = probability that rung j is an electron singlet.
    density : numpy.ndarray
        Connected rung hole-density correlations <n_i n_j> - <n_i><n_j>, shape (L, L).
    q : numpy.ndarray
        Wave numbers 2 pi k / L, k = 1 ... L // 2 (1/rung).
    structure_factor : numpy.ndarray
        N(q) = (1/L) sum_ij exp(iq(i - j)) <n_i n_j>_c at ``q``.
    K_rho : float
        Luttinger parameter pi N(q) / q at the smallest q (ladder convention: pair
        correlations ~ r^(-1/K_rho); hard-core bosons at low density give 2).
    entropy : numpy.ndarray
        Von Neumann entanglement entropy at the L - 1 cuts between rungs.
    spin_gap : float or None
        E_0(2S^z = 2) - E_0(2S^z = 0) (units of V), None if not computed (odd N_e
        or ``spin_gap=False``).
    spin_excited : DMRGResult or None
        The 2S^z = 2 ground state used for ``spin_gap``.

    Examples
    --------
    >>> LadderCorrelations.__dataclass_fields__["K_rho"].type
    'float'
    """

    ground: DMRGResult
    reference: int
    distance: np.ndarray = field(repr=False)
    pair_cc: np.ndarray = field(repr=False)
    pair_sc2: np.ndarray = field(repr=False)
    pair_sc2_odd: np.ndarray = field(repr=False)
    singlet_probability: np.ndarray = field(repr=False)
    density: np.ndarray = field(repr=False)
    q: np.ndarray = field(repr=False)
    structure_factor: np.ndarray = field(repr=False)
    K_rho: float
    entropy: np.ndarray = field(repr=False)
    spin_gap: float | None
    spin_excited: DMRGResult | None = field(repr=False)

    def to_dict(self) -> dict:
        """The measured numbers as a JSON-ready dict (lists and floats).

        Returns
        -------
        dict
            Keys ``L``, ``n_holes``, ``J_perp``, ``chi_max``, ``energy``, ``converged``,
            ``truncation_error``, ``sweeps``, ``reference``, ``distance``, ``pair_cc``,
            ``pair_sc2``, ``pair_sc2_odd``, ``singlet_probability``, ``q``,
            ``structure_factor``, ``K_rho``, ``entropy``, ``density_profile``,
            ``spin_gap`` (None if not computed), ``energy_S1``, ``converged_S1``.

        Examples
        --------
        >>> "K_rho" in LadderCorrelations.to_dict.__doc__
        True
        """
        g, e = self.ground, self.spin_excited
        return dict(L=g.L, n_holes=g.n_holes, J_perp=g.J_perp, V=g.V, t_par=g.t_par,
                    chi_max=g.chi_max, chi=g.chi, energy=g.energy, converged=g.converged,
                    truncation_error=g.truncation_error, delta_E=g.delta_E, sweeps=g.sweeps,
                    n_cc=g.n_cc, n_sc=g.n_sc, reference=self.reference,
                    distance=self.distance.tolist(), pair_cc=self.pair_cc.tolist(),
                    pair_sc2=self.pair_sc2.tolist(), pair_sc2_odd=self.pair_sc2_odd.tolist(),
                    singlet_probability=self.singlet_probability.tolist(), q=self.q.tolist(),
                    structure_factor=self.structure_factor.tolist(), K_rho=self.K_rho,
                    entropy=self.entropy.tolist(),
                    density_profile=(g.sc_profile + 2 * g.cc_profile).tolist(),
                    spin_gap=self.spin_gap,
                    energy_S1=None if e is None else e.energy,
                    converged_S1=None if e is None else e.converged,
                    truncation_error_S1=None if e is None else e.truncation_error)


_SPINS = (("u", "d", 1.0), ("d", "u", -1.0))   # (sigma, sigma-bar, sign of the singlet)


def _pair_correlation(psi, left, right_offsets, js):
    """<s^+(x, y) s(u + 2j, v + 2j)> for the singlet pair s(x, y), one value per j in ``js``.

    ``left = (x, y)`` absolute MPS sites, ``right_offsets = (u, v)`` relative sites;
    s(x, y) = (c_{x up} c_{y dn} - c_{x dn} c_{y up}) / sqrt 2.
    """
    x, y = left
    u, v = right_offsets
    out = np.zeros(len(js))
    for s1, s1b, e1 in _SPINS:
        term_L = [(f"Cd{s1b}", y), (f"Cd{s1}", x)]          # s^+ = (c_x c_y)^+ = c^+_y c^+_x
        for s2, s2b, e2 in _SPINS:
            term_R = [(f"C{s2}", u), (f"C{s2b}", v)]
            val = psi.term_correlation_function_right(term_L, term_R, i_L=0, j_R=[2 * j for j in js])
            out += 0.5 * e1 * e2 * np.real_if_close(np.asarray(val)).real
    return out


def dmrg_correlations(L: int, n_holes: int, J_perp: float, V: float = 1.0, t_par: float = 0.1,
                      *, chi_max: int = 128, max_sweeps: int = 40, min_sweeps: int = 10,
                      max_E_err: float = 1e-6, max_S_err: float = 1e-5, spin_gap: bool = True,
                      raise_on_fail: bool = True) -> LadderCorrelations:
    """Pair, density and spin correlations of the ladder's DMRG ground state.

    Runs :func:`dmrg_ground_state` (same settings) in the default sector and
    measures on the MPS: the cc and sc^2 pair correlations from the rung
    ``i0 = L // 4`` (see :class:`LadderCorrelations`), the connected rung
    hole-density correlations and their structure factor with the Luttinger
    parameter ``K_rho = pi N(q_1) / q_1`` at ``q_1 = 2 pi / L``, the
    entanglement entropy between rungs, and (``spin_gap=True``, even electron
    number) the spin gap from a second run at ``2S^z = 2``.

    Parameters
    ----------
    L : int
        Number of rungs, in [6, 1000].
    n_holes : int
        Number of holes, in [0, 2L].
    J_perp : float
        Rung exchange, in [0, 1e6] (units of V).
    V : float, optional
        Rung repulsion, in [0, 1e6] (the unit of energy).
    t_par : float, optional
        Leg hopping, |t_par| <= 1e3 (units of V).
    chi_max : int, optional
        Largest bond dimension, in [4, 4096].
    max_sweeps : int, optional
        Sweep cap, in [2, 1000].
    min_sweeps : int, optional
        Minimum number of sweeps, in [1, max_sweeps].
    max_E_err : float, optional
        Energy criterion (units of V), in (0, 1] (see :func:`dmrg_ground_state`).
    max_S_err : float, optional
        Entropy criterion, in (0, 1].
    spin_gap : bool, optional
        Also compute the spin gap (a second DMRG run).
    raise_on_fail : bool, optional
        Raise :class:`ConvergenceError` if a DMRG run is not converged; with
        False the result carries ``ground.converged`` / ``spin_excited.converged``.

    Returns
    -------
    LadderCorrelations
        The correlations (``to_dict()`` for storage).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.
    ConvergenceError
        If a DMRG run does not converge (``raise_on_fail=True``) or TeNPy fails.

    Examples
    --------
    >>> c = dmrg_correlations(6, 2, 2.0, chi_max=32, spin_gap=False)
    >>> c.distance.tolist(), round(float(c.density.sum()), 10)      # fixed N_h: sum rule
    ([2, 3], 0.0)
    """
    L = check.integer("L", L, 6, DMRG_MAX_L)
    spin_gap = check.boolean("spin_gap", spin_gap)
    kw = dict(chi_max=chi_max, max_sweeps=max_sweeps, min_sweeps=min_sweeps, max_E_err=max_E_err,
              max_S_err=max_S_err, raise_on_fail=raise_on_fail)
    ground, psi = _dmrg(L, n_holes, J_perp, V, t_par, **kw)
    i0 = L // 4
    r_max = L - 1 - L // 4 - i0                 # the far point stays L // 4 rungs from the end
    r = np.arange(2, r_max + 1)               # from r = 2 the sc^2 pairs do not overlap
    js = [i0 + k for k in r]
    pair_cc = _pair_correlation(psi, (2 * i0, 2 * i0 + 1), (0, 1), js)
    # sc^2 diagonals: a = (j, 0)-(j+1, 1), b = (j, 1)-(j+1, 0); MPS site of (j, mu) is 2j + mu
    diag = {"a": ((2 * i0, 2 * i0 + 3), (0, 3)), "b": ((2 * i0 + 1, 2 * i0 + 2), (1, 2))}
    C = {(m, n): _pair_correlation(psi, diag[m][0], diag[n][1], js) for m in "ab" for n in "ab"}
    even = 0.5 * (C["a", "a"] + C["b", "b"] + C["a", "b"] + C["b", "a"])
    odd = 0.5 * (C["a", "a"] + C["b", "b"] - C["a", "b"] - C["b", "a"])
    singlet = np.zeros(L)
    for j in range(L):
        for s1, s1b, e1 in _SPINS:
            for s2, s2b, e2 in _SPINS:
                term = [(f"Cd{s1b}", 2 * j + 1), (f"Cd{s1}", 2 * j), (f"C{s2}", 2 * j), (f"C{s2b}", 2 * j + 1)]
                singlet[j] += 0.5 * e1 * e2 * float(np.real(psi.expectation_value_term(term)))
    nn = np.asarray(psi.correlation_function("Nh", "Nh")).real
    nh = np.asarray(psi.expectation_value("Nh")).real
    rung = nn.reshape(L, 2, L, 2).sum(axis=(1, 3))
    n_rung = nh.reshape(L, 2).sum(axis=1)
    density = rung - np.outer(n_rung, n_rung)
    q = 2 * np.pi * np.arange(1, L // 2 + 1) / L
    x = np.arange(L)
    phase = np.exp(1j * np.outer(q, x))
    Nq = np.real(np.einsum("ki,ij,kj->k", phase, density, phase.conj())) / L
    K_rho = float(np.pi * Nq[0] / q[0])
    entropy = np.asarray(psi.entanglement_entropy())[1::2]
    gap, excited = None, None
    if spin_gap and (2 * L - n_holes) % 2 == 0 and 2 * L - n_holes >= 2:
        excited, _ = _dmrg(L, n_holes, J_perp, V, t_par, two_sz=2, **kw)
        gap = float(excited.energy - ground.energy)
    return LadderCorrelations(ground=ground, reference=i0, distance=r, pair_cc=pair_cc, pair_sc2=even,
                              pair_sc2_odd=odd, singlet_probability=singlet, density=density, q=q,
                              structure_factor=Nq, K_rho=K_rho, entropy=entropy, spin_gap=gap,
                              spin_excited=excited)

# --------------------------------------------------------------------------- stored data
#: Default location of the data written by ``scripts/mixd_dmrg.py``.
DATA_FILE = paths.data_file("mixd_dmrg.json")


def load_data(path=None) -> list[dict]:
    """Read the points stored by ``scripts/mixd_dmrg.py``.

    Parameters
    ----------
    path : str or os.PathLike, optional
        JSON file; default :data:`DATA_FILE` (``data/mixd_dmrg.json``).

    Returns
    -------
    list of dict
        One dict per point: ``kind`` ("ed" or "dmrg"), ``L``, ``n_holes``,
        ``J_perp``, ``energy`` (units of V), ``n_cc``, ``n_sc``,
        ``cc_profile`` and, for DMRG, ``chi_max``, ``chi``,
        ``truncation_error``, ``delta_E``, ``sweeps``, ``seconds``.

    Raises
    ------
    TypeError
        If ``path`` is not a path.
    ValueError
        If the file does not exist or holds no ``points``.

    Examples
    --------
    >>> pts = load_data()
    >>> sorted({p["kind"] for p in pts})
    ['dmrg', 'ed']
    """
    if path is not None and not isinstance(path, (str, Path)) and not hasattr(path, "__fspath__"):
        raise TypeError(f"path must be a file path, got {type(path).__name__}")
    p = Path(path) if path is not None else DATA_FILE
    if not p.exists():
        raise ValueError(f"path {str(p)!r} does not exist; run scripts/mixd_dmrg.py first")
    content = json.loads(p.read_text())
    if not isinstance(content, dict) or not isinstance(content.get("points"), list):
        raise ValueError(f"path {str(p)!r} holds no 'points' list (not written by scripts/mixd_dmrg.py)")
    return content["points"]


def _check_points(points):
    if not isinstance(points, (list, tuple)) or not all(isinstance(p, dict) for p in points):
        raise TypeError("points must be a list of dicts as returned by load_data")
    return points


def select(points, *, kind: str, L: int, n_holes: int | None = None, J_perp: float | None = None,
           chi_max: int | None = None) -> list[dict]:
    """Return the stored points matching the given keys, sorted by (J_perp, n_holes).

    Parameters
    ----------
    points : list of dict
        From :func:`load_data`.
    kind : {"ed", "dmrg"}
        Method.
    L : int
        Number of rungs, >= 2.
    n_holes : int, optional
        Number of holes (all if None).
    J_perp : float, optional
        Rung exchange (units of V), matched to 1e-9 (all if None).
    chi_max : int, optional
        DMRG bond dimension (all if None; ignored for ED).

    Returns
    -------
    list of dict
        The matching points.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``kind`` is not "ed" or "dmrg" or a value is out of range.

    Examples
    --------
    >>> len(select(load_data(), kind="ed", L=6, J_perp=1.0))
    3
    """
    points = _check_points(points)
    kind = check.choice("kind", kind, ("ed", "dmrg"))
    L = check.integer("L", L, 2, COUNT_MAX_L)
    n_holes = None if n_holes is None else check.integer("n_holes", n_holes, 0, 2 * L)
    J_perp = None if J_perp is None else check.finite("J_perp", J_perp)
    chi_max = None if chi_max is None else check.integer("chi_max", chi_max, 1)
    out = []
    for p in points:
        if p["kind"] != kind or p["L"] != L:
            continue
        if n_holes is not None and p["n_holes"] != n_holes:
            continue
        if J_perp is not None and abs(p["J_perp"] - J_perp) > 1e-9:
            continue
        if chi_max is not None and kind == "dmrg" and p["chi_max"] != chi_max:
            continue
        out.append(p)
    return sorted(out, key=lambda p: (p["J_perp"], p["n_holes"]))


def stored_point(points, *, kind: str, L: int, n_holes: int, J_perp: float,
                 chi_max: int | None = None) -> dict:
    """Return the one stored point with the given keys.

    Parameters
    ----------
    points : list of dict
        From :func:`load_data`.
    kind : {"ed", "dmrg"}
        Method.
    L : int
        Number of rungs.
    n_holes : int
        Number of holes.
    J_perp : float
        Rung exchange (units of V).
    chi_max : int, optional
        DMRG bond dimension (required to be unique when several are stored).

    Returns
    -------
    dict
        The point (see :func:`load_data`).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If no point (or more than one) matches.

    Examples
    --------
    >>> p = stored_point(load_data(), kind="dmrg", L=30, n_holes=8, J_perp=1.0, chi_max=128)
    >>> p["chi_max"], p["n_holes"]
    (128, 8)
    """
    found = select(points, kind=kind, L=L, n_holes=n_holes, J_perp=J_perp, chi_max=chi_max)
    if not found:
        raise ValueError(f"J_perp={J_perp} has no stored {kind} point at L={L}, n_holes={n_holes}"
                         + (f", chi_max={chi_max}" if chi_max is not None else ""))
    if len(found) > 1:
        raise ValueError(f"J_perp={J_perp}, L={L}, n_holes={n_holes}: {len(found)} stored {kind} points "
                         f"(chi_max {[p.get('chi_max') for p in found]}); pass chi_max")
    return found[0]


def select_best(points, *, L: int, n_holes: int | None = None, J_perp: float | None = None) -> list[dict]:
    """Return, per (n_holes, J_perp), the converged DMRG point with the largest bond dimension.

    Points stored with ``converged = False`` (or without the key, i.e. from
    before the convergence criterion) are never returned; a (n_holes, J_perp)
    with no converged point is left out.

    Parameters
    ----------
    points : list of dict
        From :func:`load_data`.
    L : int
        Number of rungs, >= 2.
    n_holes : int, optional
        Number of holes (all if None).
    J_perp : float, optional
        Rung exchange (units of V), matched to 1e-9 (all if None).

    Returns
    -------
    list of dict
        One point per (n_holes, J_perp), sorted by (J_perp, n_holes).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> pts = [dict(kind="dmrg", L=8, n_holes=2, J_perp=1.0, chi_max=c, converged=ok, energy=e)
    ...        for c, ok, e in [(64, True, -1.0), (128, True, -1.1), (256, False, -1.2)]]
    >>> [p["chi_max"] for p in select_best(pts, L=8)]
    [128]
    """
    best = {}
    for p in select(points, kind="dmrg", L=L, n_holes=n_holes, J_perp=J_perp):
        if p.get("converged") is not True:
            continue
        k = (p["n_holes"], round(p["J_perp"], 9))
        if k not in best or p["chi_max"] > best[k]["chi_max"]:
            best[k] = p
    return sorted(best.values(), key=lambda p: (p["J_perp"], p["n_holes"]))


@dataclass(frozen=True)
class EnergyExtrapolation:
    """DMRG energy extrapolated linearly in the truncation error or in the variance (units of V).

    Returned by :func:`extrapolate_energy`.

    Attributes
    ----------
    energy : float
        E_0 of the linear fit E = E_0 + a x, x the truncation error or the variance
        (units of V).
    energy_best : float
        Energy at the largest bond dimension (units of V).
    chi_best : int
        That bond dimension.
    error : float
        |energy - energy_best|: the extrapolation's estimate of the remaining
        bond-dimension error of ``energy_best`` (units of V).
    slope : float
        a = dE / dx (units of V for the truncation error, 1/V for the variance).
    chis : tuple of int
        Bond dimensions used.
    truncation_errors : tuple of float
        Their truncation errors epsilon (discarded weight of the last sweep).
    energies : tuple of float
        Their energies (units of V; for ``in_="variance"`` the energies of the states
        whose variance was measured).
    variable : str
        ``"truncation_error"`` or ``"variance"``.
    variances : tuple of float
        Their variances (units of V^2; empty for ``variable == "truncation_error"``
        unless stored).
    uncertainty : float
        Error bar of ``energy`` itself (units of V): with two bond dimensions the full
        step |energy - energy_best| (a linear fit through two points has no residual to
        judge it by); with three or more the larger of that fit's change when the
        smallest bond dimension is dropped and its rms residual.

    Examples
    --------
    >>> EnergyExtrapolation.__dataclass_fields__["error"].type
    'float'
    """

    energy: float
    energy_best: float
    chi_best: int
    error: float
    slope: float
    chis: tuple
    truncation_errors: tuple
    energies: tuple
    variable: str = "truncation_error"
    variances: tuple = ()
    uncertainty: float = 0.0


def _run_energy(p, variable):
    """Return (E, x) of one stored run.

    x is the truncation error, or the variance with the energy of the very state whose
    variance was measured (``variance_energy`` of a rerun).
    """
    if variable == "variance":
        return float(p.get("variance_energy", p["energy"])), float(p["variance"])
    return float(p["energy"]), float(p["truncation_error"])


def _linear_extrapolation(rows, variable):
    """Fit E = E0 + a x over ``rows`` (sorted by chi_max); return (E0, a, uncertainty, E, x)."""
    pairs = [_run_energy(p, variable) for p in rows]
    E = np.array([e for e, _ in pairs])
    x = np.array([v for _, v in pairs])
    best_E = E[-1]
    floor = 1e-14 if variable == "truncation_error" else _variance_floor(best_E)
    if np.ptp(x) < floor:              # bond dimension exhausted: nothing to extrapolate
        E0, slope = float(best_E), 0.0
        unc = float(np.max(np.abs(E - E0)))
        return E0, slope, unc, E, x
    slope, E0 = (float(v) for v in np.polyfit(x, E, 1))
    if len(rows) == 2:
        unc = abs(E0 - float(best_E))
    else:
        s2, e2 = (float(v) for v in np.polyfit(x[-2:], E[-2:], 1)) if np.ptp(x[-2:]) >= floor else (0.0, best_E)
        resid = E - (E0 + slope * x)
        unc = max(abs(E0 - e2), float(np.sqrt(np.mean(resid**2))))
    return E0, slope, float(unc), E, x


def _variance_floor(E):
    """Rounding floor of <H^2> - <H>^2 for an energy E (units of V^2)."""
    return 1e-13 * max(1.0, float(E) ** 2)


def extrapolate_energy(points, *, L: int, n_holes: int, J_perp: float,
                       min_points: int = 2, in_: str = "truncation_error") -> EnergyExtrapolation:
    """Extrapolate the DMRG energies of one point linearly in the truncation error or the variance.

    ``in_="truncation_error"`` (the default, as before): every converged stored bond
    dimension of (L, n_holes, J_perp) (e.g. chi = 64, 128, 256), E = E_0 + a epsilon by
    least squares, epsilon the truncation error.  If the truncation errors are all
    below 1e-14 (the bond dimension is exhausted, as on the cc side) E_0 is the best
    energy and the error the largest spread of the energies.

    ``in_="variance"``: every run with a measured ``variance`` (``scripts/
    mixd_error_budget.py``), converged by the 8-sweep window or not (E and the variance
    belong to the same state, and near an eigenstate E - E_0 is linear in the variance
    whatever stopped the sweeps), E = E_0 + b var; variances all below the rounding
    floor 1e-13 max(1, E^2) count as an exact state.

    Parameters
    ----------
    points : list of dict
        From :func:`load_data` (may include the ``rejected`` records for ``in_="variance"``).
    L : int
        Number of rungs, >= 2.
    n_holes : int
        Number of holes.
    J_perp : float
        Rung exchange (units of V).
    min_points : int, optional
        Fewest bond dimensions required, in [2, 16].
    in_ : {"truncation_error", "variance"}, optional
        The extrapolation variable.

    Returns
    -------
    EnergyExtrapolation
        E_0, the best energy, the difference and the error bar of E_0 (units of V).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If fewer than ``min_points`` usable bond dimensions are stored.

    Examples
    --------
    >>> pts = [dict(kind="dmrg", L=8, n_holes=2, J_perp=1.0, chi_max=c, converged=True,
    ...             energy=-2.0 + 3.0 * eps, truncation_error=eps)
    ...        for c, eps in [(64, 1e-4), (128, 3e-5), (256, 1e-5)]]
    >>> x = extrapolate_energy(pts, L=8, n_holes=2, J_perp=1.0)
    >>> round(x.energy, 12), x.chi_best, round(x.error, 12)
    (-2.0, 256, 3e-05)
    >>> for p, var in zip(pts, (1e-3, 2e-4, 5e-5)):
    ...     p["variance"], p["energy"] = var, -2.0 + 0.5 * var
    >>> x = extrapolate_energy(pts, L=8, n_holes=2, J_perp=1.0, in_="variance")
    >>> round(x.energy, 12), round(x.slope, 12), x.variable
    (-2.0, 0.5, 'variance')
    """
    min_points = check.integer("min_points", min_points, 2, 16)
    in_ = check.choice("in_", in_, ("truncation_error", "variance"))
    rows = select(points, kind="dmrg", L=L, n_holes=n_holes, J_perp=J_perp)
    if in_ == "truncation_error":
        rows = [p for p in rows if p.get("converged") is True]
    else:
        rows = [p for p in rows if p.get("variance") is not None and math.isfinite(p["variance"])]
    rows.sort(key=lambda p: p["chi_max"])
    if len(rows) < min_points:
        what = "converged bond dimensions" if in_ == "truncation_error" else "bond dimensions with a variance"
        raise ValueError(f"L={L}, n_holes={n_holes}, J_perp={J_perp}: {len(rows)} {what} "
                         f"stored ({[p['chi_max'] for p in rows]}), min_points={min_points} needed")
    E0, slope, unc, E, x = _linear_extrapolation(rows, in_)
    best = rows[-1]
    E_best = float(E[-1])
    err = abs(E0 - E_best) if slope != 0.0 else float(np.max(np.abs(E - E0)))
    return EnergyExtrapolation(
        energy=E0, energy_best=E_best, chi_best=int(best["chi_max"]), error=float(err), slope=slope,
        chis=tuple(int(p["chi_max"]) for p in rows),
        truncation_errors=tuple(float(p["truncation_error"]) for p in rows), energies=tuple(E.tolist()),
        variable=in_, variances=tuple(float(p["variance"]) for p in rows if p.get("variance") is not None),
        uncertainty=float(unc))


# ------------------------------------------------------------------ the error budget (issue 24)
#: chi is called sufficient (``chi_sufficient``) when the measured energy variance of the
#: run's state is at most this (units of V^2); see :func:`annotate_error_budget`.
CHI_SUFFICIENT_VARIANCE = 1e-6
#: smallest error bar given to a DMRG energy (units of V): rounding of the sweep energies
ENERGY_ERROR_FLOOR = 1e-10


@dataclass(frozen=True)
class EnergyErrorBudget:
    """The error bar of one stored DMRG energy (units of V), and where it comes from.

    Returned by :func:`energy_error_budget`.

    Attributes
    ----------
    L : int
        Number of rungs.
    n_holes : int
        Number of holes.
    J_perp : float
        Rung exchange (units of V).
    chi_best : int
        Bond dimension of the best converged run (the energy used downstream).
    energy : float
        Its energy (units of V).
    energy_error : float
        The error bar of ``energy`` (units of V, > 0): its estimated distance from
        the chi -> infinity energy plus the error bar of that estimate plus the
        run's 8-sweep energy spread (see ``method``).
    energy_extrapolated : float or None
        The chi -> infinity estimate E_0 (units of V); None for a calibrated estimate.
    energy_extrapolated_error : float or None
        Error bar of ``energy_extrapolated`` (units of V).
    method : str
        ``"variance"`` (linear in the variance, >= 2 bond dimensions with a variance),
        ``"truncation_error"`` (linear in the truncation error, >= 2 converged bond
        dimensions), ``"exhausted"`` (truncation error below 1e-14: the bond dimension
        holds the state), ``"rejected_truncation_error"`` (one converged bond dimension
        and an unconverged smaller one from the ``rejected`` records), or
        ``"calibrated_variance"`` / ``"calibrated_truncation_error"`` (the largest slope
        dE/dvar or dE/depsilon of the extrapolations at the same L times this run's
        variance or truncation error), or ``"standard_deviation"`` (one run with a
        variance and nothing to calibrate on: sqrt(variance)).  Several apply -> the largest.
    variance : float or None
        Variance of the best run's state (units of V^2), None if not measured.
    chi_sufficient : bool
        ``variance`` measured and at most :data:`CHI_SUFFICIENT_VARIANCE`.
    n_chi : int
        Converged bond dimensions stored.
    delta_chi : float or None
        Energy change under the last bond-dimension doubling (or step) stored, from
        the best converged run to the next smaller one (units of V; None with one run).

    Examples
    --------
    >>> EnergyErrorBudget.__dataclass_fields__["energy_error"].type
    'float'
    """

    L: int
    n_holes: int
    J_perp: float
    chi_best: int
    energy: float
    energy_error: float
    energy_extrapolated: float | None
    energy_extrapolated_error: float | None
    method: str
    variance: float | None
    chi_sufficient: bool
    n_chi: int
    delta_chi: float | None


def _chi_sufficient(variance):
    return variance is not None and math.isfinite(variance) and variance <= CHI_SUFFICIENT_VARIANCE


def _group_budget(rows, rejected, calibration):
    """Budget of one (L, n_holes, J): ``rows`` its converged runs, ``rejected`` the unconverged ones."""
    rows = sorted(rows, key=lambda p: p["chi_max"])
    best = rows[-1]
    E_best = float(best["energy"])
    spread = float(best.get("E_spread_8", 0.0) or 0.0)
    with_var = sorted([p for p in rows + list(rejected) if p.get("variance") is not None
                       and math.isfinite(p["variance"])], key=lambda p: p["chi_max"])
    candidates = []      # (energy_error, E0 or None, E0 error or None, method, slope)
    if len(with_var) >= 2:
        E0, b, unc, E, x = _linear_extrapolation(with_var, "variance")
        candidates.append((max(E_best - E0, 0.0) + unc, E0, unc, "variance", ("variance", b)))
    eps_all = [float(p["truncation_error"]) for p in rows]
    if len(rows) >= 2 and (np.ptp(eps_all) >= 1e-14 or max(eps_all) < 1e-14):
        E0, a, unc, E, x = _linear_extrapolation(rows, "truncation_error")
        candidates.append((max(E_best - E0, 0.0) + unc, E0, unc,
                           "truncation_error" if a != 0.0 else "exhausted", ("truncation_error", a)))
    if len(candidates) == 2 and candidates[0][1] is not None and candidates[1][1] is not None:
        # both extrapolations: their disagreement is part of E0's error bar
        gap = abs(candidates[0][1] - candidates[1][1])
        candidates = [(c[0] + gap, c[1], c[2] + gap, c[3], c[4]) for c in candidates]
    if not candidates:
        eps = float(best["truncation_error"])
        if eps < 1e-14:
            candidates.append((0.0, E_best, spread, "exhausted", None))
        smaller = sorted([p for p in rejected if p["chi_max"] < best["chi_max"]
                          and p.get("truncation_error") is not None], key=lambda p: p["chi_max"])
        if smaller and eps >= 1e-14:
            lo = smaller[-1]
            pair = [lo, best]
            E0, a, unc, E, x = _linear_extrapolation(pair, "truncation_error")
            unc += float(lo.get("E_spread_8", 0.0) or 0.0)
            candidates.append((max(E_best - E0, 0.0) + unc, E0, unc, "rejected_truncation_error", None))
    # the largest slope seen at this L times this run's variance / truncation error: a two-point
    # line can make the best run look exact when the slope changes between bond dimensions
    var, eps = best.get("variance"), float(best["truncation_error"])
    if var is not None and calibration.get("variance"):
        candidates.append((calibration["variance"] * max(var, 0.0), None, None, "calibrated_variance", None))
    if eps >= 1e-14 and calibration.get("truncation_error"):
        candidates.append((calibration["truncation_error"] * eps, None, None,
                           "calibrated_truncation_error", None))
    if not candidates and var is not None:
        # nothing to calibrate on: the energy's standard deviation, sqrt(var) >> b var near an eigenstate
        candidates.append((math.sqrt(max(var, 0.0)), None, None, "standard_deviation", None))
    if not candidates:
        raise ValueError(f"L={best['L']}, n_holes={best['n_holes']}, J_perp={best['J_perp']}: no error "
                         "estimate possible (one run, no variance, no calibration)")
    err, E0, E0_err, method, slope = max(candidates, key=lambda c: c[0])
    delta_chi = abs(E_best - float(rows[-2]["energy"])) if len(rows) >= 2 else None
    var = best.get("variance")
    return EnergyErrorBudget(
        L=int(best["L"]), n_holes=int(best["n_holes"]), J_perp=float(best["J_perp"]),
        chi_best=int(best["chi_max"]), energy=E_best, energy_error=float(max(err + spread, ENERGY_ERROR_FLOOR)),
        energy_extrapolated=None if E0 is None else float(E0),
        energy_extrapolated_error=None if E0_err is None else float(max(E0_err, ENERGY_ERROR_FLOOR)),
        method=method, variance=None if var is None else float(var), chi_sufficient=_chi_sufficient(var),
        n_chi=len(rows), delta_chi=delta_chi), slope


def _budgets(points, rejected=()):
    """{(L, n_holes, J): EnergyErrorBudget} for every converged DMRG point, and the calibration."""
    groups, rej = {}, {}
    for p in _check_points(points):
        if p["kind"] == "dmrg" and p.get("converged") is True:
            groups.setdefault((p["L"], p["n_holes"], round(p["J_perp"], 9)), []).append(p)
    for p in _check_points(list(rejected)):
        if p["kind"] == "dmrg":
            rej.setdefault((p["L"], p["n_holes"], round(p["J_perp"], 9)), []).append(p)
    slopes = {}

    def n_var(k):
        return sum(q.get("variance") is not None for q in groups[k] + rej.get(k, []))

    for k, rows in groups.items():       # first pass: the slopes of every extrapolation
        if len(rows) >= 2 or n_var(k) >= 2:
            for variable in ("variance", "truncation_error"):
                use = (sorted(rows, key=lambda p: p["chi_max"]) if variable == "truncation_error" else
                       sorted([q for q in rows + rej.get(k, []) if q.get("variance") is not None],
                              key=lambda p: p["chi_max"]))
                if len(use) >= 2:
                    slope = _linear_extrapolation(use, variable)[1]
                    if slope > 0:
                        slopes.setdefault(k[0], {}).setdefault(variable, []).append(slope)
    every = {}
    for per_L in slopes.values():
        for name, v in per_L.items():
            every.setdefault(name, []).extend(v)
    out, calibration = {}, {}
    for k, rows in groups.items():
        per_L = slopes.get(k[0], {})
        cal = {name: max(per_L.get(name) or every.get(name) or [0.0]) for name in ("variance", "truncation_error")}
        calibration[k[0]] = cal
        try:
            out[k] = _group_budget(rows, rej.get(k, []), cal)[0]
        except ValueError as exc:        # raised when this point is asked for
            out[k] = exc
    return out, calibration


def energy_error_budget(points, *, L: int, n_holes: int, J_perp: float, rejected=()) -> EnergyErrorBudget:
    """Return the error bar of the best stored DMRG energy of one point, and its source.

    Every estimate that the stored runs allow is made and the largest is kept:

    * >= 2 runs with a measured variance: E = E_0 + b var (linear near the exact
      state), error = (E_best - E_0) + the error bar of E_0;
    * >= 2 converged bond dimensions: the same in the truncation error (when both
      fits exist, their difference is added to the error bar of E_0);
    * one converged bond dimension: the truncation error below 1e-14 (exact to
      rounding), or a linear-in-epsilon estimate through an unconverged smaller run
      of ``rejected`` (its 8-sweep spread added);
    * always: the largest slope dE/dvar (dE/depsilon) of the extrapolations at the
      same L times this run's variance (truncation error) -- a two-point line can make
      the best run look exact when the slope changes between bond dimensions;

    then the best run's 8-sweep energy spread is added, and the result is at least
    :data:`ENERGY_ERROR_FLOOR`.  With two runs a linear fit has no residual, so the
    error bar of E_0 is the full step |E_best - E_0|: the quoted error is twice the
    extrapolation step, a deliberately conservative choice.

    Parameters
    ----------
    points : list of dict
        From :func:`load_data`.
    L : int
        Number of rungs, >= 2.
    n_holes : int
        Number of holes.
    J_perp : float
        Rung exchange (units of V).
    rejected : list of dict, optional
        The file's ``rejected`` records (unconverged runs; used only as described).

    Returns
    -------
    EnergyErrorBudget
        Energy, error bar, extrapolation and the method that set the bar.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If no converged DMRG point (L, n_holes, J_perp) is stored or no estimate is possible
        (one run with a truncation error above 1e-14, no variance, nothing to calibrate on).

    Examples
    --------
    >>> pts = [dict(kind="dmrg", L=8, n_holes=2, J_perp=1.0, chi_max=c, converged=True,
    ...             energy=-2.0 + 0.5 * var, variance=var, truncation_error=eps, E_spread_8=0.0)
    ...        for c, var, eps in [(64, 4e-4, 1e-5), (128, 1e-4, 2.5e-6)]]
    >>> b = energy_error_budget(pts, L=8, n_holes=2, J_perp=1.0)
    >>> round(b.energy_error, 12), round(b.energy_extrapolated, 12)     # twice the step 5e-5
    (0.0001, -2.0)
    """
    L = check.integer("L", L, 2, COUNT_MAX_L)
    n_holes = check.integer("n_holes", n_holes, 0, 2 * L)
    J_perp = check.finite("J_perp", J_perp)
    budgets, _ = _budgets(points, rejected)
    k = (L, n_holes, round(J_perp, 9))
    if k not in budgets:
        raise ValueError(f"no converged DMRG point stored at L={L}, n_holes={n_holes}, J_perp={J_perp}")
    if isinstance(budgets[k], ValueError):
        raise budgets[k]
    return budgets[k]


def annotate_error_budget(content: dict) -> dict:
    """Write the error budget into the content of ``data/mixd_dmrg.json`` (in place).

    Every ``kind: dmrg`` record (``points`` and ``rejected``) gains ``energy_error``
    (V, > 0), ``chi_sufficient`` (bool) and ``variance`` (V^2, or None where not yet
    measured); the best run of each point also ``energy_extrapolated``,
    ``energy_extrapolated_error``, ``error_method`` and ``delta_chi``.  A run that is
    not the best gets ``energy_error = max(E_run - E_best, 0) + energy_error(best)``, and
    so does a rejected run of a point with a converged run; a rejected run without one
    gets its 8-sweep spread ``E_spread_8`` (it is never read by the chapters).
    Every record (ED too) gets ``delta`` = N_h / L, the hole density per rung that chapter 7
    calls delta (``doping`` = N_h / 2L in the balance-point files keeps its meaning).
    ``meta`` gains ``error_budget`` (the criteria in words and numbers) and ``counts``
    (points, DMRG, ED, rejected, with variance, chi_sufficient), recomputed from the records.

    Parameters
    ----------
    content : dict
        The parsed file: ``{"meta": ..., "points": [...], "rejected": [...]}``.

    Returns
    -------
    dict
        ``content`` itself.

    Raises
    ------
    TypeError
        If ``content`` is not such a dict.
    ValueError
        If a point allows no error estimate (see :func:`energy_error_budget`).

    Examples
    --------
    >>> c = {"meta": {}, "rejected": [], "points": [dict(kind="dmrg", L=8, n_holes=2, J_perp=1.0,
    ...      chi_max=64, converged=True, energy=-2.0, truncation_error=0.0, E_spread_8=1e-9)]}
    >>> p = annotate_error_budget(c)["points"][0]
    >>> p["energy_error"], p["chi_sufficient"], c["meta"]["counts"]["dmrg"]
    (1e-09, False, 1)
    """
    if not isinstance(content, dict) or not isinstance(content.get("points"), list):
        raise TypeError("content must be the parsed data file, a dict with a 'points' list")
    points = content["points"]
    rejected = content.setdefault("rejected", [])
    budgets, calibration = _budgets(points, rejected)
    for b in budgets.values():
        if isinstance(b, ValueError):
            raise b
    for p in points + rejected:
        p["delta"] = p["n_holes"] / p["L"]         # chapter 7's delta = N_h / L (issue 24 item 6)
        if p["kind"] != "dmrg":
            continue
        p.setdefault("variance", None)
        b = budgets.get((p["L"], p["n_holes"], round(p["J_perp"], 9)))
        if b is None:
            p["energy_error"] = max(float(p.get("E_spread_8", 0.0) or 0.0), ENERGY_ERROR_FLOOR)
        else:
            p["energy_error"] = float(max(p["energy"] - b.energy, 0.0) + b.energy_error)
        p["chi_sufficient"] = _chi_sufficient(p["variance"])
        for name in ("energy_extrapolated", "energy_extrapolated_error", "error_method", "delta_chi"):
            p.pop(name, None)
        if b is not None and p in points and p["chi_max"] == b.chi_best and p.get("converged") is True:
            p.update(energy_extrapolated=b.energy_extrapolated,
                     energy_extrapolated_error=b.energy_extrapolated_error,
                     error_method=b.method, delta_chi=b.delta_chi)
    dm = [p for p in points if p["kind"] == "dmrg"]
    meta = content.setdefault("meta", {})
    meta["error_budget"] = {
        "variance": "<H^2> - <H>^2 of the run's final MPS (V^2; mixd_exact.mps_energy_variance, "
                    "TeNPy MPO.variance); None where not measured yet. variance_energy: the energy of "
                    "that state (a rerun of the stored settings, scripts/mixd_error_budget.py)",
        "energy_error": "error bar of energy (V, > 0) used downstream: mixd_exact.energy_error_budget "
                        "(largest of the extrapolations in the variance and in the truncation error, "
                        "E_best - E_0 plus the error bar of E_0, which is the full step for two bond "
                        "dimensions; for one bond dimension: exact if truncation_error < 1e-14, else the "
                        "linear-in-epsilon estimate through the rejected smaller-chi run and the largest "
                        "slope of the same L times the run's variance or truncation error) plus the "
                        "run's E_spread_8; for runs below the best, plus their distance to the best",
        "chi_sufficient": f"variance measured and <= {CHI_SUFFICIENT_VARIANCE:g} V^2 "
                          "(mixd_exact.CHI_SUFFICIENT_VARIANCE); False where no variance is measured",
        "converged": "unchanged: the 8-sweep energy window of mixd_exact.dmrg_ground_state",
        "chi_sufficient_variance": CHI_SUFFICIENT_VARIANCE,
        "energy_error_floor": ENERGY_ERROR_FLOOR,
        "calibration_slopes": {str(L): cal for L, cal in sorted(calibration.items())},
    }
    keyed = {(p["L"], p["n_holes"], round(p["J_perp"], 9)) for p in dm}
    meta["counts"] = {
        "points": len(points), "dmrg": len(dm), "ed": sum(p["kind"] == "ed" for p in points),
        "rejected": len(rejected), "dmrg_parameter_points": len(keyed),
        "dmrg_with_variance": sum(p.get("variance") is not None for p in dm),
        "dmrg_chi_sufficient": sum(p["chi_sufficient"] for p in dm),
        "parameter_points_single_chi": sum(1 for b in budgets.values() if b.n_chi == 1),
    }
    return content


def binding_energies(points, *, kind: str, L: int, n_holes: int, chi_max: int | None = 64):
    """Return the binding energies from stored E(N_h - 2), E(N_h - 1), E(N_h) (units of V).

    Only J values for which all three energies are stored are returned.

    Parameters
    ----------
    points : list of dict
        From :func:`load_data`.
    kind : {"ed", "dmrg"}
        Method.
    L : int
        Number of rungs.
    n_holes : int
        N_h, >= 2.
    chi_max : int or "best", optional
        DMRG bond dimension (ignored for ED); ``"best"``: the converged point with
        the largest bond dimension for each energy (:func:`select_best`).

    Returns
    -------
    J_perp : numpy.ndarray
        Rung exchanges (units of V), ascending.
    E_B : numpy.ndarray
        :func:`binding_energy` at each (units of V).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> J, EB = binding_energies(load_data(), kind="ed", L=8, n_holes=4)
    >>> len(J), bool(np.all(np.diff(EB) > 0))
    (7, True)
    """
    n_holes = check.integer("n_holes", n_holes, 2, None)
    check.choice("kind", kind, ("ed", "dmrg"))
    if isinstance(chi_max, str):
        check.choice("chi_max", chi_max, ("best",))
    elif chi_max is not None:
        chi_max = check.integer("chi_max", chi_max, 1)
    Js, EB = [], []
    rows = {}
    if kind == "dmrg" and isinstance(chi_max, str):
        rows_in = select_best(points, L=L)
    else:
        rows_in = select(points, kind=kind, L=L, chi_max=chi_max if kind == "dmrg" else None)
    for p in rows_in:
        rows.setdefault(round(p["J_perp"], 9), {})[p["n_holes"]] = p["energy"]
    for J in sorted(rows):
        e = rows[J]
        if all(n in e for n in (n_holes - 2, n_holes - 1, n_holes)):
            Js.append(J)
            EB.append(binding_energy(e[n_holes - 2], e[n_holes - 1], e[n_holes]))
    return np.array(Js), np.array(EB)


@dataclass(frozen=True)
class BindingEnergies:
    """Binding energies with their propagated error bars (units of V).

    Returned by :func:`binding_energy_errors`.

    Attributes
    ----------
    L : int
        Number of rungs.
    n_holes : int
        N_h of E_B(N_h).
    kind : str
        ``"ed"`` or ``"dmrg"``.
    extrapolated : bool
        True if the DMRG energies are the chi -> infinity estimates where stored.
    J_perp : numpy.ndarray
        Rung exchanges (units of V), ascending.
    E_B : numpy.ndarray
        :func:`binding_energy` at each (units of V).
    error : numpy.ndarray
        Error bar of E_B: e(N_h - 2) + 2 e(N_h - 1) + e(N_h) from the energies' error
        bars (linear sum: the DMRG errors are one-signed biases, not independent noise;
        ED energies count as exact, error 0).

    Examples
    --------
    >>> BindingEnergies.__dataclass_fields__["error"].type
    'np.ndarray'
    """

    L: int
    n_holes: int
    kind: str
    extrapolated: bool
    J_perp: np.ndarray
    E_B: np.ndarray
    error: np.ndarray


def binding_energy_errors(points, *, kind: str, L: int, n_holes: int, extrapolated: bool = False,
                          rejected=()) -> BindingEnergies:
    """Binding energies E_B(N_h) from the best stored energies, with propagated error bars.

    DMRG: per energy the converged run with the largest bond dimension
    (:func:`select_best`, as ``binding_energies(..., chi_max="best")``) and its
    ``energy_error``; with ``extrapolated=True`` the extrapolated energy
    ``energy_extrapolated`` and its error bar where one is stored (else the best run's
    energy and ``energy_error``).  Records without the stored budget keys get it from
    :func:`energy_error_budget` (with ``rejected``).  ED: the stored energies, error 0.

    Parameters
    ----------
    points : list of dict
        From :func:`load_data`.
    kind : {"ed", "dmrg"}
        Method.
    L : int
        Number of rungs, >= 2.
    n_holes : int
        N_h, >= 2.
    extrapolated : bool, optional
        Use the chi -> infinity energies where stored (DMRG only).
    rejected : list of dict, optional
        The file's ``rejected`` records (only for points without stored budget keys).

    Returns
    -------
    BindingEnergies
        J_perp, E_B and its error bar (units of V), for every J with all three energies.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> pts = [dict(kind="dmrg", L=8, n_holes=n, J_perp=1.0, chi_max=64, converged=True,
    ...             energy=e, energy_error=d) for n, e, d in [(2, -3.0, 1e-4), (3, -2.0, 2e-4), (4, -1.7, 3e-4)]]
    >>> r = binding_energy_errors(pts, kind="dmrg", L=8, n_holes=4)
    >>> round(float(r.E_B[0]), 12), round(float(r.error[0]), 12)    # 0.7 +- (1 + 4 + 3) 1e-4
    (0.7, 0.0008)
    """
    kind = check.choice("kind", kind, ("ed", "dmrg"))
    L = check.integer("L", L, 2, COUNT_MAX_L)
    n_holes = check.integer("n_holes", n_holes, 2, 2 * L)
    extrapolated = check.boolean("extrapolated", extrapolated)
    if kind == "ed":
        rows_in = select(points, kind="ed", L=L)
    else:
        rows_in = select_best(points, L=L)
    budgets = None
    rows = {}
    for p in rows_in:
        E, err = float(p["energy"]), 0.0
        if kind == "dmrg":
            if "energy_error" not in p:
                if budgets is None:
                    budgets = _budgets(points, rejected)[0]
                b = budgets[(p["L"], p["n_holes"], round(p["J_perp"], 9))]
                stored = dict(energy_error=b.energy_error, energy_extrapolated=b.energy_extrapolated,
                              energy_extrapolated_error=b.energy_extrapolated_error)
            else:
                stored = p
            err = float(stored["energy_error"])
            if extrapolated and stored.get("energy_extrapolated") is not None:
                E, err = float(stored["energy_extrapolated"]), float(stored["energy_extrapolated_error"])
        rows.setdefault(round(p["J_perp"], 9), {})[p["n_holes"]] = (E, err)
    Js, EB, dEB = [], [], []
    for J in sorted(rows):
        e = rows[J]
        if all(n in e for n in (n_holes - 2, n_holes - 1, n_holes)):
            Js.append(J)
            EB.append(binding_energy(e[n_holes - 2][0], e[n_holes - 1][0], e[n_holes][0]))
            dEB.append(e[n_holes - 2][1] + 2.0 * e[n_holes - 1][1] + e[n_holes][1])
    return BindingEnergies(L=L, n_holes=n_holes, kind=kind, extrapolated=extrapolated, J_perp=np.array(Js),
                           E_B=np.array(EB), error=np.array(dEB))


# ------------------------------------------------------------------ the many-body sc/cc balance point
@dataclass(frozen=True)
class BalancePoint:
    """Where the exact ground state holds as many holes in sc's as in cc's.

    Returned by :func:`balance_point_details`.

    Attributes
    ----------
    J_perp : float
        The root J_perp / V of N_sc - 2 N_cc = 0.
    L : int
        Number of rungs.
    n_holes : int
        Number of holes N_h.
    t_par : float
        Leg hopping (units of V).
    V : float
        Rung repulsion (the unit of energy).
    method : str
        ``"ed"`` (:func:`ground_state`) or ``"dmrg"`` (:func:`dmrg_ground_state`).
    bracket : tuple of float
        The sign-changing interval (J_lo, J_hi) the root finder started from.
    evaluations : int
        Ground states computed (bracket scan and root finder).
    xtol : float
        Absolute tolerance of the root in J_perp / V.
    imbalance_at_root : float
        (N_sc - 2 N_cc) / N_h of the ground state at ``J_perp`` (|.| small unless a
        level crossing makes the imbalance jump there).
    jump : bool
        True if the imbalance jumps across zero at the root (a level crossing in
        the sector), so that no J has exactly N_sc = 2 N_cc.

    Examples
    --------
    >>> r = balance_point_details(4, 2, xtol=1e-4)
    >>> r.method, r.jump
    ('ed', False)
    """

    J_perp: float
    L: int
    n_holes: int
    t_par: float
    V: float
    method: str
    bracket: tuple
    evaluations: int
    xtol: float
    imbalance_at_root: float
    jump: bool


def balance_point_details(L: int, n_holes: int, t_par: float = 0.1, V: float = 1.0, *,
                          J_range=(0.2, 4.0), n_scan: int = 12, xtol: float = 1e-6,
                          method: str = "auto", chi_max: int = 128,
                          dmrg_options: dict | None = None) -> BalancePoint:
    """Find the J_perp where the exact ground state has N_sc = 2 N_cc, with diagnostics.

    The imbalance (N_sc - 2 N_cc)/N_h of the ground state in the default sector
    (:func:`holes_per_leg`, smallest 2S^z) falls from +1 (all holes in singly
    occupied rungs, small J_perp) to -1 (all in cc pairs, large J_perp).  A
    coarse scan of ``n_scan`` points on ``J_range`` brackets the sign change;
    Brent's method (:func:`scipy.optimize.brentq`) then finds the root to
    ``xtol`` on the ground states themselves, not on an interpolation.

    Parameters
    ----------
    L : int
        Number of rungs, in [2, 1000] (ED up to the sector limit ``ED_MAX_DIM``).
    n_holes : int
        Number of holes, in [1, 2L].
    t_par : float, optional
        Leg hopping (units of V), 0 < |t_par| <= 1e3; the paper's 0.1 by default.
    V : float, optional
        Rung repulsion, in (0, 1e6] (the unit of energy).
    J_range : tuple of float, optional
        Scan interval of J_perp / V, 0 <= J_lo < J_hi <= 1e3.
    n_scan : int, optional
        Points of the bracketing scan, in [2, 200].
    xtol : float, optional
        Absolute tolerance of the root in J_perp / V, in [1e-12, 1e-1].
    method : {"auto", "ed", "dmrg"}, optional
        ``"auto"``: ED if the sector fits ``ED_MAX_DIM``, else DMRG.
    chi_max : int, optional
        DMRG bond dimension (``method="dmrg"``), in [4, 4096].
    dmrg_options : dict, optional
        Further keywords of :func:`dmrg_ground_state` (``max_sweeps``, ``min_sweeps``,
        ``max_E_err``, ``max_S_err``; a run that misses its criterion raises).

    Returns
    -------
    BalancePoint
        The root and how it was found.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.
    ConvergenceError
        If the imbalance does not change sign on ``J_range`` (the message gives its
        values at both ends), or a ground state does not converge.

    Examples
    --------
    >>> round(balance_point_details(3, 2, xtol=1e-8).imbalance_at_root, 6)
    0.0
    """
    from scipy.optimize import brentq

    L, n_holes = _check_L_holes(L, n_holes, DMRG_MAX_L)
    if n_holes < 1:
        raise ValueError("n_holes must be at least 1 (the imbalance is defined per hole)")
    t_par = check.in_range("t_par", t_par, -1e3, 1e3)
    if t_par == 0.0:
        raise ValueError("t_par must not be 0 (without hopping the ground state is degenerate)")
    V = check.positive("V", V, 1e6)
    if isinstance(J_range, (str, bytes)) or len(J_range) != 2:
        raise TypeError("J_range must be a pair (J_lo, J_hi)")
    lo = check.in_range("J_range[0]", J_range[0], 0.0, 1e3)
    hi = check.in_range("J_range[1]", J_range[1], 0.0, 1e3)
    if not lo < hi:
        raise ValueError(f"J_range must have J_lo < J_hi, got {J_range!r}")
    n_scan = check.integer("n_scan", n_scan, 2, 200)
    xtol = check.in_range("xtol", xtol, 1e-12, 1e-1)
    method = check.choice("method", method, ("auto", "ed", "dmrg"))
    chi_max = check.integer("chi_max", chi_max, 4, 4096)
    if dmrg_options is None:
        dmrg_options = {}
    if not isinstance(dmrg_options, dict):
        raise TypeError(f"dmrg_options must be a dict, got {type(dmrg_options).__name__}")
    allowed = {"max_sweeps", "min_sweeps", "max_E_err", "max_S_err", "svd_min"}
    if set(dmrg_options) - allowed:
        raise ValueError(f"dmrg_options may hold only {sorted(allowed)}, got {sorted(dmrg_options)}")
    if method == "auto":
        method = "ed" if sector_dimension(L, n_holes) <= ED_MAX_DIM else "dmrg"
    if method == "ed" and L > ED_MAX_L:
        raise ValueError(f"method='ed' needs L <= {ED_MAX_L}, got {L}; use method='dmrg'")

    count = [0]

    def imbalance(J):
        count[0] += 1
        if method == "ed":
            r = ground_state(L, n_holes, J * V, V, t_par * V)
        else:
            r = dmrg_ground_state(L, n_holes, J * V, V, t_par * V, chi_max=chi_max, **dmrg_options)
        return r.imbalance

    grid = np.linspace(lo, hi, n_scan)
    prev_J, prev_f = grid[0], imbalance(grid[0])
    bracket = None
    for J in grid[1:]:
        f = imbalance(J)
        if prev_f == 0.0:
            bracket = (prev_J, prev_J)
            break
        if np.sign(f) != np.sign(prev_f):
            bracket = (prev_J, J)
            break
        prev_J, prev_f = J, f
    if bracket is None:
        raise ConvergenceError(
            f"balance_point: the imbalance does not change sign on J_perp/V in [{lo:g}, {hi:g}] "
            f"(L={L}, n_holes={n_holes}): {imbalance(lo):+.4f} at {lo:g}, {prev_f:+.4f} at {hi:g}; "
            "widen J_range", iterations=count[0], last=(lo, hi))
    if bracket[0] == bracket[1]:
        root = bracket[0]
    else:
        root = brentq(imbalance, *bracket, xtol=xtol, rtol=4 * np.finfo(float).eps, maxiter=200)
    f_root = imbalance(root)
    f_lo, f_hi = imbalance(max(lo, root - 2 * xtol)), imbalance(min(hi, root + 2 * xtol))
    jump = abs(f_root) > 1e-6 and abs(f_hi - f_lo) > 1e-3
    return BalancePoint(J_perp=float(root), L=L, n_holes=n_holes, t_par=float(t_par), V=float(V),
                        method=method, bracket=(float(bracket[0]), float(bracket[1])),
                        evaluations=count[0], xtol=float(xtol), imbalance_at_root=float(f_root),
                        jump=bool(jump))


def balance_point(L: int, n_holes: int, t_par: float = 0.1, V: float = 1.0, **kwargs) -> float:
    """Return the J_perp / V where the exact ground state has N_sc - 2 N_cc = 0.

    The many-body counterpart of the mean field's imbalance zero (the zero line of
    the paper's Fig. 3), found by a root finder on the ground states
    (:func:`balance_point_details`, which also reports how it was found).

    Parameters
    ----------
    L : int
        Number of rungs (ED up to ``ED_MAX_DIM`` states per sector, DMRG beyond).
    n_holes : int
        Number of holes, in [1, 2L].
    t_par : float, optional
        Leg hopping (units of V); the paper's 0.1 by default.
    V : float, optional
        Rung repulsion (the unit of energy).
    **kwargs
        ``J_range``, ``n_scan``, ``xtol``, ``method``, ``chi_max``, ``dmrg_options`` of
        :func:`balance_point_details`.

    Returns
    -------
    float
        J_perp / V at the balance point.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.
    ConvergenceError
        If the imbalance does not change sign on the scan interval.

    Examples
    --------
    >>> 0.5 < balance_point(4, 2, xtol=1e-4) < 2.0
    True
    """
    return balance_point_details(L, n_holes, t_par, V, **kwargs).J_perp

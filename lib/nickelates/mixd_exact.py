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
  Lanczos via :func:`scipy.sparse.linalg.eigsh`), for ``L`` up to ~8-9.
* :func:`dmrg_ground_state` - two-site DMRG with TeNPy on a
  :class:`MixDLadderModel` conserving ``(N_leg0, N_leg1, 2 S^z)``.

:func:`tenpy_exact_energy` diagonalizes TeNPy's MPO fully (small ``L``): it
shares no code with :func:`ground_state` and serves as the cross-check.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sps
from scipy.sparse.linalg import ArpackNoConvergence, eigsh

from . import _validate as _v
from .errors import ConvergenceError
from .kernels import mixd_exact as _k

__all__ = [
    "ExactResult",
    "DMRGResult",
    "holes_per_leg",
    "min_two_sz",
    "sector_dimension",
    "basis",
    "hamiltonian",
    "ground_state",
    "binding_energy",
    "binding_energy_printed",
    "crossover_ratio",
    "background_energy",
    "MixDLadderModel",
    "dmrg_ground_state",
    "tenpy_exact_energy",
    "ED_MAX_DIM",
    "DATA_FILE",
    "load_data",
    "select",
    "binding_energies",
    "crossing_point",
]

#: Largest sector dimension :func:`ground_state` accepts (memory ~ 150 B per state).
ED_MAX_DIM = 1_500_000
#: Largest ladder length handled by the 64-bit state encoding of the ED.
ED_MAX_L = 14


# --------------------------------------------------------------------------- sectors
def holes_per_leg(n_holes: int) -> tuple[int, int]:
    """Split ``n_holes`` alternately over the legs: leg 0 gets the odd hole.

    >>> holes_per_leg(5)
    (3, 2)
    """
    n = _v.integer("n_holes", n_holes, 0, None)
    return (n + 1) // 2, n // 2


def min_two_sz(L: int, n_holes: int) -> int:
    """``2 S^z`` of the smallest-|S^z| sector: 0 for an even electron count, else 1."""
    return (2 * L - n_holes) % 2


def _check_L_holes(L, n_holes, L_max=None):
    L = _v.integer("L", L, 2, L_max)
    n_holes = _v.integer("n_holes", n_holes, 0, 2 * L)
    return L, n_holes


def _sector(L, n_holes, holes_leg, two_sz):
    if holes_leg is None:
        h0, h1 = holes_per_leg(n_holes)
    else:
        if len(holes_leg) != 2:
            raise ValueError(f"holes_leg must be a pair (h0, h1), got {holes_leg!r}")
        h0 = _v.integer("holes_leg[0]", holes_leg[0], 0, L)
        h1 = _v.integer("holes_leg[1]", holes_leg[1], 0, L)
        if h0 + h1 != n_holes:
            raise ValueError(f"holes_leg must sum to n_holes={n_holes}, got {holes_leg!r}")
    if h0 > L or h1 > L:
        raise ValueError(f"n_holes must lie in [0, {2 * L}] (at most L={L} per leg), got {n_holes}")
    n_e = 2 * L - n_holes
    if two_sz is None:
        two_sz = n_e % 2
    two_sz = _v.integer("two_sz", two_sz, -n_e, n_e)
    if (two_sz - n_e) % 2:
        raise ValueError(f"two_sz must have the parity of the electron number {n_e}, got {two_sz}")
    n_up = (n_e + two_sz) // 2
    return h0, h1, n_up


def sector_dimension(L: int, n_holes: int, two_sz: int | None = None, holes_leg=None) -> int:
    """Number of projected states with the given holes per leg and ``2 S^z``.

    ``C(L, h0) * C(L, h1) * C(2L - N_h, N_up)``: hole positions on each leg,
    then the spins of the ``2L - N_h`` electrons (``N_up = (2L - N_h + 2S^z)/2``).
    """
    L, n_holes = _check_L_holes(L, n_holes)
    h0, h1, n_up = _sector(L, n_holes, holes_leg, two_sz)
    return math.comb(L, h0) * math.comb(L, h1) * math.comb(2 * L - n_holes, n_up)


def basis(L: int, n_holes: int, two_sz: int | None = None, holes_leg=None) -> np.ndarray:
    """Sorted int64 codes of the sector (encoding in ``nickelates.kernels.mixd_exact``)."""
    L, n_holes = _check_L_holes(L, n_holes, ED_MAX_L)
    h0, h1, n_up = _sector(L, n_holes, holes_leg, two_sz)
    dim = sector_dimension(L, n_holes, two_sz, (h0, h1))
    if dim > ED_MAX_DIM:
        raise ValueError(
            f"L={L}, n_holes={n_holes}: sector dimension {dim} exceeds ED_MAX_DIM={ED_MAX_DIM}; "
            "use dmrg_ground_state for longer ladders")
    n_e0, n_e1 = L - h0, L - h1
    return _k.build_basis(L, n_e0, n_e1, n_up, math.comb(L, n_e0), math.comb(L, n_e1),
                          math.comb(n_e0 + n_e1, n_up))


def _check_couplings(J_perp, V, t_par):
    J_perp = _v.nonnegative("J_perp", J_perp)
    V = _v.nonnegative("V", V)
    t_par = _v.finite("t_par", t_par)
    return J_perp, V, t_par


def hamiltonian(L: int, n_holes: int, J_perp: float, V: float = 1.0, t_par: float = 0.1,
                *, two_sz: int | None = None, holes_leg=None):
    """Sparse (CSR) Hamiltonian of one sector and its basis codes. Energies in units of V."""
    J_perp, V, t_par = _check_couplings(J_perp, V, t_par)
    codes = basis(L, n_holes, two_sz, holes_leg)
    indptr, indices, data = _k.build_csr(codes, L, t_par, J_perp, V)
    H = sps.csr_matrix((data, indices, indptr), shape=(codes.size, codes.size))
    return H, codes


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ExactResult:
    """Ground state of one sector by exact diagonalization (energies in units of V).

    ``n_cc = N_cc / L`` and ``n_sc = N_sc / L`` are rung densities of doubly
    and singly hole-occupied rungs (both legs counted for sc), so that
    ``N_sc + 2 N_cc = N_h`` exactly.
    """

    L: int
    n_holes: int
    J_perp: float
    V: float
    t_par: float
    holes_leg: tuple
    two_sz: int
    dim: int
    energy: float
    n_cc: float
    n_sc: float
    gap: float  # to the next eigenvalue in the same sector (nan-free: inf if dim == 1)
    cc_profile: np.ndarray = field(repr=False)
    sc_profile: np.ndarray = field(repr=False)

    @property
    def ratio(self) -> float:
        """(N_sc - 2 N_cc) / N_h."""
        return crossover_ratio(self.n_sc, self.n_cc, self.L, self.n_holes)


@dataclass(frozen=True)
class DMRGResult:
    """Ground state of one sector by TeNPy DMRG (energies in units of V).

    ``chi`` is the largest bond dimension reached, ``truncation_error`` the
    largest discarded weight of the last sweep, ``delta_E`` the energy change
    over the last sweep, ``energies`` the energy after every sweep.
    """

    L: int
    n_holes: int
    J_perp: float
    V: float
    t_par: float
    holes_leg: tuple
    two_sz: int
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

    @property
    def ratio(self) -> float:
        return crossover_ratio(self.n_sc, self.n_cc, self.L, self.n_holes)


# --------------------------------------------------------------------------- ED
def ground_state(L: int, n_holes: int, J_perp: float, V: float = 1.0, t_par: float = 0.1,
                 *, two_sz: int | None = None, holes_leg=None, tol: float = 1e-12,
                 seed: int = 7) -> ExactResult:
    """Exact ground state of the MixD+V ladder in one conserved sector.

    Parameters
    ----------
    L : int
        Number of rungs (2 <= L; the sector must have at most ``ED_MAX_DIM`` states).
    n_holes : int
        Holes counted from half filling, 0 <= n_holes <= 2L, split by
        :func:`holes_per_leg` unless ``holes_leg=(h0, h1)`` is given.
    J_perp, V, t_par : float
        Rung exchange, rung hole-hole repulsion and leg hopping, in units of V
        (the defaults V = 1, t_par = 0.1 are the paper's t_par / V = 0.1).
    two_sz : int, optional
        ``2 S^z``; default the smallest allowed value (0 or 1).
    tol : float
        Lanczos tolerance passed to :func:`scipy.sparse.linalg.eigsh`.
    """
    L, n_holes = _check_L_holes(L, n_holes, ED_MAX_L)
    tol = _v.in_range("tol", tol, 0.0, 1e-3)
    H, codes = hamiltonian(L, n_holes, J_perp, V, t_par, two_sz=two_sz, holes_leg=holes_leg)
    h0, h1, n_up = _sector(L, n_holes, holes_leg, two_sz)
    two_sz_used = 2 * n_up - (2 * L - n_holes)
    dim = codes.size
    if dim <= 600:
        w, vecs = np.linalg.eigh(H.toarray())
        E0 = float(w[0])
        gap = float(w[1] - w[0]) if dim > 1 else math.inf
        psi = vecs[:, 0]
    else:
        v0 = np.random.default_rng(seed).standard_normal(dim)
        try:
            w, vecs = eigsh(H, k=2, which="SA", tol=tol, v0=v0, maxiter=20 * dim)
        except ArpackNoConvergence as exc:  # pragma: no cover - not seen in practice
            raise ConvergenceError(
                f"Lanczos did not converge for L={L}, n_holes={n_holes} (dim={dim}); "
                f"reached {len(exc.eigenvalues)} eigenvalues {exc.eigenvalues}",
                last=exc.eigenvalues) from exc
        order = np.argsort(w)
        w = w[order]
        E0 = float(w[0])
        gap = float(w[1] - w[0])
        psi = vecs[:, order[0]]
    weights = psi * psi
    cc, sc = _k.rung_profile(codes, L, weights)
    n_cc = float(cc.sum() / L)
    n_sc = float(sc.sum() / L)
    if not np.isfinite(E0):
        raise ConvergenceError(f"ground-state energy is not finite for L={L}, n_holes={n_holes}")
    return ExactResult(L=L, n_holes=n_holes, J_perp=float(J_perp), V=float(V),
                       t_par=float(t_par), holes_leg=(h0, h1), two_sz=two_sz_used, dim=dim,
                       energy=E0, n_cc=n_cc, n_sc=n_sc, gap=gap, cc_profile=cc,
                       sc_profile=sc)


# --------------------------------------------------------------------------- observables
def binding_energy(E_nm2: float, E_nm1: float, E_n: float) -> float:
    """Pair binding energy ``E_B(N_h) = 2 E_{N_h-1} - E_{N_h} - E_{N_h-2}`` (units of V).

    Positive when two holes gain energy by binding: it is *minus* the
    expression printed as Eq. (10)/(C1) of the paper (see
    :func:`binding_energy_printed` and the chapter's "Notes on the source").
    """
    E_nm2 = _v.finite("E_nm2", E_nm2)
    E_nm1 = _v.finite("E_nm1", E_nm1)
    E_n = _v.finite("E_n", E_n)
    return 2.0 * E_nm1 - E_n - E_nm2


def binding_energy_printed(E_nm2: float, E_nm1: float, E_n: float) -> float:
    """Eq. (10)/(C1) exactly as printed: ``2(E_{N-2} - E_{N-1}) - (E_{N-2} - E_N)``."""
    return 2.0 * (E_nm2 - E_nm1) - (E_nm2 - E_n)


def crossover_ratio(n_sc: float, n_cc: float, L: int, n_holes: int) -> float:
    """``(N_sc - 2 N_cc) / N_h`` from rung densities: +1 all sc, -1 all cc."""
    L = _v.integer("L", L, 1, None)
    n_holes = _v.integer("n_holes", n_holes, 1, 2 * L)
    return float((n_sc - 2.0 * n_cc) * L / n_holes)


def background_energy(n_sc: float, n_cc: float, L: int, J_perp: float, V: float = 1.0) -> float:
    """Rung-distortion energy ``J_perp N_sc + (V + J_perp) N_cc`` (units of V), as in Fig. 4."""
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
    """TeNPy ``CouplingMPOModel`` of the ladder (built lazily: TeNPy imports on demand)."""
    L = _v.integer("L", L, 2, None)
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
    """
    from tenpy.algorithms.exact_diag import ExactDiag

    L, n_holes = _check_L_holes(L, n_holes, 5)
    h0, h1, n_up, q = _charge_sector(L, n_holes, holes_leg, two_sz)
    M = MixDLadderModel(L, J_perp, V, t_par)
    ed = ExactDiag(M, charge_sector=q, max_size=1e12)
    ed.build_full_H_from_mpo()
    ed.full_diagonalization()
    return float(np.min(ed.E))


def _product_state(L, h0, h1):
    """Initial labels (rung-major): holes spread evenly, spins alternating."""
    labels = []
    holes = []
    for n in (h0, h1):
        pos = set(int((k + 0.5) * L / n) for k in range(n)) if n else set()
        holes.append(pos)
    k = 0
    for j in range(L):
        for mu in (0, 1):
            if j in holes[mu]:
                labels.append("empty")
            else:
                labels.append("up" if k % 2 == 0 else "down")
                k += 1
    return labels


def dmrg_ground_state(L: int, n_holes: int, J_perp: float, V: float = 1.0, t_par: float = 0.1,
                      *, chi_max: int = 128, max_sweeps: int = 30, min_sweeps: int = 6,
                      max_E_err: float = 1e-9, two_sz: int | None = None, holes_leg=None,
                      svd_min: float = 1e-10, raise_on_fail: bool = True,
                      engine: str = "two-site", combine: bool = True) -> DMRGResult:
    """Two-site DMRG (TeNPy, with mixer) for the ground state of one sector.

    Energies in units of V. Raises :class:`ConvergenceError` if the energy
    change over the last sweep exceeds ``100 * max_E_err`` after
    ``max_sweeps`` sweeps (unless ``raise_on_fail=False``).
    """
    import logging

    from tenpy.algorithms import dmrg
    from tenpy.networks.mps import MPS

    L, n_holes = _check_L_holes(L, n_holes)
    chi_max = _v.integer("chi_max", chi_max, 4, 4096)
    max_sweeps = _v.integer("max_sweeps", max_sweeps, 2, 1000)
    min_sweeps = _v.integer("min_sweeps", min_sweeps, 1, max_sweeps)
    max_E_err = _v.positive("max_E_err", max_E_err)
    h0, h1, n_up, q = _charge_sector(L, n_holes, holes_leg, two_sz)
    M = MixDLadderModel(L, J_perp, V, t_par)
    labels = _product_state(L, h0, h1)
    n_e = 2 * L - n_holes
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
    assert len(ups) + len(downs) == n_e
    psi = MPS.from_product_state(M.lat.mps_sites(), labels, bc="finite",
                                 unit_cell_width=M.lat.mps_unit_cell_width)
    chi_list = {0: min(32, chi_max), 2: min(64, chi_max), 4: chi_max}
    params = {
        "mixer": True,
        "mixer_params": {"amplitude": 1e-4, "decay": 2.0, "disable_after": 8},
        "trunc_params": {"chi_max": chi_max, "svd_min": svd_min},
        "chi_list": chi_list,
        "max_E_err": max_E_err,
        "max_sweeps": max_sweeps,
        "min_sweeps": min_sweeps,
        "combine": combine,
    }
    logging.getLogger("tenpy").setLevel(logging.WARNING)
    t0 = time.perf_counter()
    engine = _v.choice("engine", engine, {"two-site", "single-site"})
    cls = dmrg.TwoSiteDMRGEngine if engine == "two-site" else dmrg.SingleSiteDMRGEngine
    eng = cls(psi, M, params)
    E, psi = eng.run()
    seconds = time.perf_counter() - t0
    stats = eng.sweep_stats
    energies = tuple(float(e) for e in stats["E"])
    delta_E = abs(energies[-1] - energies[-2]) if len(energies) > 1 else math.inf
    trunc = float(stats["max_trunc_err"][-1])
    chi = int(max(psi.chi)) if len(psi.chi) else 1
    if raise_on_fail and delta_E > 100 * max_E_err:
        raise ConvergenceError(
            f"DMRG not converged for L={L}, n_holes={n_holes}, J_perp={J_perp}: "
            f"{len(energies)} sweeps, last energy change {delta_E:.2e}, E={E:.12f}",
            iterations=len(energies), residual=delta_E, last=E)
    nh = psi.expectation_value("Nh")  # rung-major
    cc = np.array([psi.expectation_value_term([("Nh", 2 * j), ("Nh", 2 * j + 1)])
                   for j in range(L)]).real
    sc = nh[0::2] + nh[1::2] - 2.0 * cc
    return DMRGResult(L=L, n_holes=n_holes, J_perp=float(J_perp), V=float(V), t_par=float(t_par),
                      holes_leg=(h0, h1), two_sz=int(q[2]), chi_max=chi_max, energy=float(E),
                      n_cc=float(cc.sum() / L), n_sc=float(sc.sum() / L), chi=chi,
                      truncation_error=trunc, delta_E=float(delta_E), sweeps=len(energies),
                      seconds=seconds, energies=energies, cc_profile=cc, sc_profile=np.asarray(sc))


# --------------------------------------------------------------------------- stored data
#: Default location of the data written by ``scripts/mixd_dmrg.py``.
DATA_FILE = __import__("pathlib").Path(__file__).resolve().parents[2] / "data" / "mixd_dmrg.json"


def load_data(path=None) -> list[dict]:
    """Points stored by ``scripts/mixd_dmrg.py`` (list of dicts; energies in units of V)."""
    import json
    from pathlib import Path

    p = Path(path) if path is not None else DATA_FILE
    if not p.exists():
        raise ValueError(f"path {str(p)!r} does not exist; run scripts/mixd_dmrg.py first")
    return json.loads(p.read_text())["points"]


def select(points, *, kind: str, L: int, n_holes: int | None = None, J_perp: float | None = None,
           chi_max: int | None = None) -> list[dict]:
    """Stored points matching the given keys, sorted by (J_perp, n_holes)."""
    kind = _v.choice("kind", kind, {"ed", "dmrg"})
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


def binding_energies(points, *, kind: str, L: int, n_holes: int, chi_max: int | None = 64):
    """``(J_perp array, E_B array)`` from stored E(N_h-2), E(N_h-1), E(N_h) (units of V).

    Only J values for which all three energies are stored are returned.
    """
    n_holes = _v.integer("n_holes", n_holes, 2, None)
    Js, EB = [], []
    rows = {}
    for p in select(points, kind=kind, L=L, chi_max=chi_max if kind == "dmrg" else None):
        rows.setdefault(round(p["J_perp"], 9), {})[p["n_holes"]] = p["energy"]
    for J in sorted(rows):
        e = rows[J]
        if all(n in e for n in (n_holes - 2, n_holes - 1, n_holes)):
            Js.append(J)
            EB.append(binding_energy(e[n_holes - 2], e[n_holes - 1], e[n_holes]))
    return np.array(Js), np.array(EB)


def crossing_point(x, y) -> float:
    """Linear interpolation of the first sign change of ``y(x)`` (x ascending).

    Raises ``ValueError`` naming ``y`` if y does not change sign.
    """
    x = _v.finite_array("x", x, ndim=1)
    y = _v.finite_array("y", y, ndim=1)
    if x.shape != y.shape or x.size < 2:
        raise ValueError("x and y must be 1D arrays of equal length >= 2")
    s = np.sign(y)
    idx = np.nonzero(s[:-1] * s[1:] <= 0)[0]
    if idx.size == 0:
        raise ValueError(f"y must change sign on [{x[0]}, {x[-1]}]; it does not")
    i = int(idx[0])
    if y[i + 1] == y[i]:
        return float(x[i])
    return float(x[i] - y[i] * (x[i + 1] - x[i]) / (y[i + 1] - y[i]))

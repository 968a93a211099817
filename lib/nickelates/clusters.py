"""Small fermionic clusters for chapter 2: exact diagonalization (numpy).

The clusters are those whose second-order Schrieffer-Wolff (SW) reduction
gives the couplings of the triplon model (Liu & Khaliullin 2026):

* the **Hubbard dimer** z1-z2 (two d_{3z^2-r^2} orbitals on a c-axis bond,
  hopping ``t_c``, on-site repulsion ``U``, two electrons), whose spin sector
  is the Heisenberg dimer J_c S1.S2 with J_c = 4 t_c^2/U;
* the **channel cluster**: the same dimer, now in the local-moment limit,
  coupled by ``g = 2 t_xz eta_k`` to one antibonding (alpha) and one bonding
  (beta) conduction orbital at the Fermi level, alpha <-> a = (z1-z2)/sqrt2 and
  beta <-> b = (z1+z2)/sqrt2 (Eq. 2 of the paper). The intermediate states of
  the dimer are given the channel energies of the paper: removing an electron
  (1 electron left in the a or b orbital) costs ``E_rem[a|b]``, adding one
  (3 electrons, hole in a or b) costs ``E_add[a|b]``.

Energies in eV. Mode order everywhere: z1up z1dn z2up z2dn, then conduction
alpha-up alpha-dn beta-up beta-dn. The effective Hamiltonian extracted from
ED is the des Cloizeaux (Loewdin-orthonormalized projection) one, which is
the all-order SW effective Hamiltonian (Bravyi, DiVincenzo & Loss 2011), so
its difference from the second-order SW result measures the next order.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import _validate as V

__all__ = [
    "fermion_creation_operators", "DimerSpectrum", "dimer_spectrum",
    "hubbard_dimer_hamiltonian", "ChannelCouplings", "channel_cluster_hamiltonian",
    "channel_cluster_couplings_ed", "channel_cluster_couplings_sw",
    "dimer_spin_basis", "loglog_slope",
]

# mode indices
Z1U, Z1D, Z2U, Z2D, AU, AD, BU, BD = range(8)


@lru_cache(maxsize=4)
def fermion_creation_operators(n_modes: int) -> tuple:
    """Jordan-Wigner creation operators c_j^dagger (dense float, 2^n x 2^n).

    Basis state index = sum_j n_j 2^(n_modes-1-j) (mode 0 is the most
    significant bit); c_j^dagger carries the string prod_{l<j} (-1)^{n_l}.
    """
    n_modes = V.integer("n_modes", n_modes, 1, 10)
    eye, zsign = np.eye(2), np.diag([1.0, -1.0])
    cdag = np.array([[0.0, 0.0], [1.0, 0.0]])
    ops = []
    for j in range(n_modes):
        m = np.eye(1)
        for k in range(n_modes):
            m = np.kron(m, zsign if k < j else (cdag if k == j else eye))
        m.setflags(write=False)
        ops.append(m)
    return tuple(ops)


# ----------------------------------------------------------------- dimer
@dataclass(frozen=True)
class DimerSpectrum:
    """Exact two-electron spectrum of the Hubbard dimer (eV).

    singlet : ground-state (spin-singlet) energy
    triplet : energy of the S=1 triplet (exactly 0: Pauli blocks hopping)
    gap : triplet - singlet, the exact singlet-triplet gap
    """

    singlet: float
    triplet: float
    gap: float


def hubbard_dimer_hamiltonian(t_c: float, U: float):
    """Full 16x16 Fock-space Hamiltonian of the dimer (modes z1up z1dn z2up z2dn).

    H = -t_c sum_s (z1s^+ z2s + h.c.) + U sum_i n_i,up n_i,dn. Returns
    (H, N) with N the particle-number operator.
    """
    t_c = V.finite("t_c", t_c)
    U = V.nonnegative("U", U)
    cd = fermion_creation_operators(4)
    c = [o.T for o in cd]
    n = [cd[i] @ c[i] for i in range(4)]
    hop = sum(cd[i] @ c[j] + cd[j] @ c[i] for i, j in ((0, 2), (1, 3)))
    H = -t_c * hop + U * (n[0] @ n[1] + n[2] @ n[3])
    return H, sum(n)


def dimer_spectrum(t_c: float, U: float) -> DimerSpectrum:
    """Exact diagonalization of the two-electron Hubbard dimer.

    t_c : interlayer hopping (eV), any real; U : on-site repulsion (eV), > 0.
    """
    V.finite("t_c", t_c)
    V.positive("U", U)
    H, N = hubbard_dimer_hamiltonian(t_c, U)
    idx = np.flatnonzero(np.isclose(np.diag(N), 2.0))
    h = H[np.ix_(idx, idx)]
    # total S^2 to tell singlets from triplets
    cd = fermion_creation_operators(4)
    c = [o.T for o in cd]
    sp_ = cd[0] @ c[1] + cd[2] @ c[3]
    sz = 0.5 * (cd[0] @ c[0] - cd[1] @ c[1] + cd[2] @ c[2] - cd[3] @ c[3])
    s2 = (sp_ @ sp_.T + sz @ sz - sz)[np.ix_(idx, idx)]
    w, vec = np.linalg.eigh(h)
    s2v = np.einsum("ij,ik,kj->j", vec, s2, vec)
    singlet = float(w[np.isclose(s2v, 0.0, atol=1e-8)].min())
    triplet = float(w[np.isclose(s2v, 2.0, atol=1e-8)].min())
    return DimerSpectrum(singlet, triplet, triplet - singlet)


# ------------------------------------------------------- channel cluster
def _dimer_mixed_basis():
    """Orthonormal 16x16 basis of the dimer Fock space, block by electron number.

    Columns: 2 electrons with one per site (site-occupation basis, 4, the
    low-energy space), 2 electrons ionic (2), 1 electron in a/b (4), 3
    electrons with a hole in a/b (4), 0 and 4 electrons (2). Returns (W, kind)
    with kind[j] a label used to assign energies.
    """
    cd = fermion_creation_operators(4)
    vac = np.zeros(16)
    vac[0] = 1.0
    full = cd[0] @ cd[1] @ cd[2] @ cd[3] @ vac
    s = 1 / np.sqrt(2)
    a_dag = [s * (cd[Z1U] - cd[Z2U]), s * (cd[Z1D] - cd[Z2D])]
    b_dag = [s * (cd[Z1U] + cd[Z2U]), s * (cd[Z1D] + cd[Z2D])]
    cols, kind = [], []
    for s1, s2 in ((0, 0), (0, 1), (1, 0), (1, 1)):       # |s1 s2> = z1s1^+ z2s2^+ |0>
        cols.append(cd[Z1U + s1] @ cd[Z2U + s2] @ vac)
        kind.append("cov")
    cols += [cd[Z1U] @ cd[Z1D] @ vac, cd[Z2U] @ cd[Z2D] @ vac]
    kind += ["ion", "ion"]
    for sig in (0, 1):
        cols += [a_dag[sig] @ vac, b_dag[sig] @ vac]
        kind += ["rem_a", "rem_b"]
    for sig in (0, 1):                                      # hole in a (b), spin sig
        cols += [a_dag[sig].T @ full, b_dag[sig].T @ full]
        kind += ["add_a", "add_b"]
    cols += [vac, full]
    kind += ["empty", "full"]
    W = np.array(cols).T
    assert np.allclose(W.T @ W, np.eye(16))
    return W, kind


@lru_cache(maxsize=1)
def dimer_spin_basis():
    """Rows: singlet s, triplets t_x, t_y, t_z in the covalent basis |s1 s2>.

    Order of the covalent basis: |up up>, |up dn>, |dn up>, |dn dn> with
    |s1 s2> = z_{1 s1}^+ z_{2 s2}^+ |0>. Conventions of Sachdev & Bhatt:
    s = (|ud>-|du>)/sqrt2, t_x = (-|uu>+|dd>)/sqrt2, t_y = i(|uu>+|dd>)/sqrt2,
    t_z = (|ud>+|du>)/sqrt2. Returned as a complex 4x4 array B with
    B[m] the coefficient vector of state m.
    """
    s = 1 / np.sqrt(2)
    B = np.array([
        [0, s, -s, 0],
        [-s, 0, 0, s],
        [1j * s, 0, 0, 1j * s],
        [0, s, s, 0],
    ], dtype=complex)
    B.setflags(write=False)
    return B


def channel_cluster_hamiltonian(g: float, E_rem_a: float, E_rem_b: float,
                                E_add_a: float, E_add_b: float, *, E_ion: float = 50.0):
    """(H0, V, P_index, meta) of the channel cluster in the mixed dimer basis.

    g : hybridization 2 t_xz eta_k (eV); E_rem_a/b, E_add_a/b : excitation
    energies (eV, > 0) of the intermediate dimer states (1 electron left in
    a/b; 3 electrons with a hole in a/b). The covalent two-electron states
    have energy 0 (the exchange J_c is a separate, smaller scale), ionic ones
    E_ion, the conduction orbitals sit at the Fermi level (0).
    Returns dense 256x256 arrays (dimer basis x conduction occupation basis).
    """
    g = V.finite("g", g)
    E = {"rem_a": V.positive("E_rem_a", E_rem_a), "rem_b": V.positive("E_rem_b", E_rem_b),
         "add_a": V.positive("E_add_a", E_add_a), "add_b": V.positive("E_add_b", E_add_b)}
    E_ion = V.positive("E_ion", E_ion)
    E.update(cov=0.0, ion=E_ion, empty=5 * E_ion, full=5 * E_ion)
    Vunit, low, meta = _channel_structure()
    e_dimer = np.array([E[k] for k in meta["kind"]])
    H0 = np.diag(np.kron(e_dimer, np.ones(16)))
    return H0, g * Vunit, low, meta


@lru_cache(maxsize=1)
def _channel_structure():
    """Hopping matrix of the channel cluster for g = 1 in the mixed dimer basis (cached)."""
    W, kind = _dimer_mixed_basis()
    cd = fermion_creation_operators(8)
    c = [o.T for o in cd]
    s = 1 / np.sqrt(2)
    Vop = np.zeros((256, 256))
    for sig in (0, 1):
        a = s * (c[Z1U + sig] - c[Z2U + sig])
        b = s * (c[Z1U + sig] + c[Z2U + sig])
        Vop += cd[AU + sig] @ a + cd[BU + sig] @ b
    Vop = Vop + Vop.T
    Wfull = np.kron(W, np.eye(16))
    Vm = Wfull.T @ Vop @ Wfull
    low = np.flatnonzero(np.kron(np.array([k == "cov" for k in kind]), np.ones(16, bool)))
    nc = np.array([bin(i).count("1") for i in range(16)])
    ndim = {"cov": 2, "ion": 2, "rem_a": 1, "rem_b": 1, "add_a": 3, "add_b": 3, "empty": 0, "full": 4}
    ntot = np.kron(np.array([ndim[k] for k in kind]), np.ones(16, int)) + np.kron(np.ones(16, int), nc)
    for a in (Vm, low, ntot):
        a.setflags(write=False)
    return Vm, low, dict(kind=tuple(kind), ncond=np.kron(np.ones(16, int), nc), ntot=ntot)


@dataclass(frozen=True)
class ChannelCouplings:
    """Effective couplings of the channel cluster (eV, per unit form factor).

    shift_alpha, shift_beta : quasiparticle shift delta xi of an alpha / beta
        electron at the Fermi level, dimer in its singlet (coefficient of
        eta_k^2 in the paper's notation if g = 2 t_xz eta_k is replaced by
        2 t_xz).
    K_a, K_b : coefficients of T^dagger s_{alpha beta} and T s_{alpha beta}
        (Kondo couplings J_K^a, J_K^b in the paper's notation, Eq. 9).
    """

    shift_alpha: float
    shift_beta: float
    K_a: float
    K_b: float


def _covalent_spin_projector():
    """4x4 unitary from covalent site basis to (s, t_x, t_y, t_z)."""
    return dimer_spin_basis()


def _extract(heff, e_vac, low_index):
    """Couplings from an effective Hamiltonian on the low space (cov x conduction)."""
    B = _covalent_spin_projector()                 # rows = spin states in covalent basis
    # low_index enumerates (cov state d in 0..3) x (conduction occ 0..15), in order
    def state(spin_row, cond_occ):
        v = np.zeros(64, complex)
        for d in range(4):
            v[d * 16 + cond_occ] = B[spin_row, d]
        return v
    # conduction occupation index: bits (AU AD BU BD) -> AU most significant
    a_up, b_up = 0b1000, 0b0010
    H = heff
    s_a, s_b = state(0, a_up), state(0, b_up)
    tz_a, tz_b = state(3, a_up), state(3, b_up)
    shift_alpha = (s_a.conj() @ H @ s_a).real - e_vac
    shift_beta = (s_b.conj() @ H @ s_b).real - e_vac
    # <t_z alpha_up | H | s beta_up> = K_a <alpha_up| s^z_{alpha beta} |beta_up> = K_a/2
    K_a = 2 * (tz_a.conj() @ H @ s_b).real
    K_b = 2 * (tz_b.conj() @ H @ s_a).real
    return ChannelCouplings(float(shift_alpha), float(shift_beta), float(K_a), float(K_b))


def _vacuum_energy(heff):
    """Energy of dimer singlet with empty conduction orbitals."""
    B = _covalent_spin_projector()
    v = np.zeros(64, complex)
    for d in range(4):
        v[d * 16 + 0] = B[0, d]
    return (v.conj() @ heff @ v).real


def channel_cluster_couplings_ed(g, E_rem_a, E_rem_b, E_add_a, E_add_b, *, E_ion=50.0) -> ChannelCouplings:
    """Couplings of the channel cluster from exact diagonalization (all orders in g).

    The exact low-energy eigenvectors (one per low-space state, sector by
    sector in conduction-particle number) are projected on the low space and
    Loewdin-orthonormalized; the resulting des Cloizeaux effective
    Hamiltonian equals the all-order SW one. Units and arguments as in
    :func:`channel_cluster_hamiltonian`.
    """
    H0, Vm, low, meta = channel_cluster_hamiltonian(g, E_rem_a, E_rem_b, E_add_a, E_add_b, E_ion=E_ion)
    H = H0 + Vm
    # total particle number is conserved: diagonalize block by block
    ntot = meta["ntot"]
    heff = np.zeros((len(low), len(low)))
    is_low = np.zeros(256, bool)
    is_low[low] = True
    pos = np.full(256, -1)
    pos[low] = np.arange(len(low))
    for N in np.unique(ntot[low]):
        blk = np.flatnonzero(ntot == N)
        rows = np.flatnonzero(is_low[blk])
        lowb = blk[rows]
        w, vec = np.linalg.eigh(H[np.ix_(blk, blk)])
        nl = len(lowb)
        A = vec[rows, :nl]                            # projections of the nl lowest states
        gap = w[nl] - w[nl - 1]
        if gap < 1e-6:
            raise ValueError("g too large: low and high states of the channel cluster are not separated")
        u, sv, vt = np.linalg.svd(A)
        Q = u @ vt                                    # Loewdin orthonormalization
        h = Q @ np.diag(w[:nl]) @ Q.T
        idx = pos[lowb]
        heff[np.ix_(idx, idx)] = h
    return _extract(heff, _vacuum_energy(heff), low)


def channel_cluster_couplings_sw(g, E_rem_a, E_rem_b, E_add_a, E_add_b, *, E_ion=50.0) -> ChannelCouplings:
    """Second-order SW couplings of the channel cluster, evaluated numerically.

    H_eff = P V Q (0 - H0)^-1 Q V P (the low space is degenerate at 0).
    """
    H0, Vm, low, meta = channel_cluster_hamiltonian(g, E_rem_a, E_rem_b, E_add_a, E_add_b, E_ion=E_ion)
    e = np.diag(H0)
    high = np.setdiff1d(np.arange(256), low)
    Vlh = Vm[np.ix_(low, high)]
    heff = -(Vlh / e[high]) @ Vlh.T
    return _extract(heff, _vacuum_energy(heff), low)


def loglog_slope(x, y) -> float:
    """Least-squares slope of log|y| against log x (the order of an error)."""
    x = V.finite_array("x", x, ndim=1)
    y = V.finite_array("y", y, ndim=1)
    if x.size != y.size or x.size < 2:
        raise ValueError("x and y must be 1-D arrays of equal length >= 2")
    if np.any(x <= 0) or np.any(y == 0):
        raise ValueError("x must be positive and y non-zero for a log-log fit")
    return float(np.polyfit(np.log(x), np.log(np.abs(y)), 1)[0])


def hubbard_dimer_excitations(t_c: float, U: float, eps_z: float) -> dict:
    """Channel-resolved charge excitations of the Hubbard dimer (ED, eV).

    The dimer H = eps_z N - t_c sum_s (z1s^+ z2s + h.c.) + U sum_i n_iu n_id
    (t_c > 0 puts the bonding orbital b = (z1+z2)/sqrt2 lowest), two
    electrons in the singlet ground state |0>, conduction electrons at the
    Fermi level (energy 0). For o in {a, b}:

    * E_rem_o : energy of o_up |0> minus E_0 (an electron leaves through o),
      with weight w_rem_o = <0| o_up^+ o_up |0>;
    * E_add_o : energy of o_up^+ |0> minus E_0, weight w_add_o.

    Both images are exact eigenstates (one state per parity and spin in the
    1- and 3-electron sectors).
    """
    t_c = V.finite("t_c", t_c)
    U = V.positive("U", U)
    eps_z = V.finite("eps_z", eps_z)
    H, N = hubbard_dimer_hamiltonian(t_c, U)
    H = H + eps_z * N
    idx = np.flatnonzero(np.isclose(np.diag(N), 2.0))
    w, vec = np.linalg.eigh(H[np.ix_(idx, idx)])
    gs = np.zeros(16)
    gs[idx] = vec[:, 0]
    E0 = w[0]
    cd = fermion_creation_operators(4)
    s = 1 / np.sqrt(2)
    ops = {"a": s * (cd[Z1U] - cd[Z2U]), "b": s * (cd[Z1U] + cd[Z2U])}
    out = {}
    for o, od in ops.items():
        for kind, op in (("rem", od.T), ("add", od)):
            phi = op @ gs
            wgt = float(phi @ phi)
            e = float(phi @ H @ phi) / wgt
            resid = np.linalg.norm(H @ phi - e * phi)
            assert resid < 1e-9 * max(1.0, abs(e)), "image is not an eigenstate"
            out[f"E_{kind}_{o}"] = e - E0
            out[f"w_{kind}_{o}"] = wgt
    return out

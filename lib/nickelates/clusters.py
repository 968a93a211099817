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
  (1 electron left in the a or b orbital) costs ``E_rem_[a|b]``, adding one
  (3 electrons, hole in a or b) costs ``E_add_[a|b]``.

Energies in eV (magnitudes in the range of :func:`nickelates.couplings.check_energy`).
Mode order everywhere: z1up z1dn z2up z2dn, then conduction alpha-up alpha-dn
beta-up beta-dn. The effective Hamiltonian extracted from ED is the des
Cloizeaux (Loewdin-orthonormalized projection) one, which is the all-order SW
effective Hamiltonian (Bravyi, DiVincenzo & Loss 2011), so its difference from
the second-order SW result measures the next order. Both are reduced to
couplings by :func:`effective_channel_couplings`; :func:`sw_error_scaling`,
:func:`channel_relative_deviation` and :func:`dimer_channel_shifts` are the
comparisons chapter 2 shows; :func:`dimer_chain` evaluates the coupling chain
with the derived forms (channel energies, orbital ordering and optionally the
occupation weights of the Hubbard dimer) instead of the printed ones.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq

from . import _validate as check
from . import couplings
from .couplings import ChannelCouplings
from .errors import ConvergenceError

__all__ = [
    "fermion_creation_operators", "MAX_MODES", "DimerSpectrum", "dimer_spectrum",
    "hubbard_dimer_hamiltonian", "ChannelCouplings", "CHANNEL_FIELDS", "channel_cluster_hamiltonian",
    "effective_channel_couplings", "channel_cluster_couplings_ed", "channel_cluster_couplings_sw",
    "dimer_spin_basis", "loglog_slope", "hubbard_dimer_excitations", "channel_cluster_args",
    "sw_error_scaling", "channel_relative_deviation", "dimer_channel_shifts", "dimer_weights",
    "DimerChain", "dimer_chain", "SingletCouplings", "singlet_channel_couplings", "singlet_factors",
]

# mode indices
Z1U, Z1D, Z2U, Z2D, AU, AD, BU, BD = range(8)

#: largest number of fermion modes of :func:`fermion_creation_operators` (n dense 4^n matrices:
#: 10 modes = 84 MB; 12 would need 1.6 GB per call, beyond what the cache should hold)
MAX_MODES = 10

#: the four couplings of the channel cluster compared between ED and second-order SW
CHANNEL_FIELDS = ChannelCouplings.FIELDS

#: largest number of points of a scaling sweep (each point is one 256-state ED)
_MAX_SWEEP = 10_000


def _hopping(name, value):
    return couplings.check_energy(name, value, allow_zero=True, signed=True)


def _eigh(h, what):
    """``numpy.linalg.eigh`` whose LAPACK failure is a :class:`ConvergenceError`."""
    try:
        return np.linalg.eigh(h)
    except np.linalg.LinAlgError as exc:
        raise ConvergenceError(f"diagonalization of the {what} ({h.shape[0]} states) did not converge: {exc}",
                               iterations=None, residual=None, last=None) from exc


@lru_cache(maxsize=4)
def fermion_creation_operators(n_modes: int) -> tuple:
    """Return the Jordan-Wigner creation operators c_j^dagger of ``n_modes`` fermion modes.

    Basis state index = sum_j n_j 2^(n_modes-1-j) (mode 0 is the most
    significant bit); c_j^dagger carries the string prod_{l<j} (-1)^{n_l}.

    Parameters
    ----------
    n_modes : int
        Number of modes, 1 ... :data:`MAX_MODES`.

    Returns
    -------
    tuple of numpy.ndarray
        ``n_modes`` read-only dense float arrays of shape (2^n, 2^n) (dimensionless).

    Raises
    ------
    TypeError
        If ``n_modes`` is not an integer.
    ValueError
        If ``n_modes < 1`` or the matrices would exceed the memory allowed (n_modes > MAX_MODES).

    Examples
    --------
    >>> cd = fermion_creation_operators(2)
    >>> bool((cd[0] @ cd[1] + cd[1] @ cd[0]).any())      # anticommute
    False
    """
    n_modes = check.integer("n_modes", n_modes, 1, None)
    if n_modes > MAX_MODES:             # bound n before computing n 4^n (a huge n would hang here)
        raise ValueError(f"n_modes must be an integer in [1, {MAX_MODES}]: {n_modes} matrices of 4^n_modes entries "
                         f"would exceed the memory allowed (at most {MAX_MODES} modes), got {n_modes}")
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

    Attributes
    ----------
    singlet : float
        Lowest spin-singlet energy (eV), the ground state.
    triplet : float
        Energy of the S = 1 triplet (eV; exactly 0: Pauli blocks hopping).
    gap : float
        triplet - singlet, the exact singlet-triplet gap (eV).

    Examples
    --------
    >>> round(dimer_spectrum(0.6, 5.0).gap, 4)
    0.2732
    """

    singlet: float
    triplet: float
    gap: float


def hubbard_dimer_hamiltonian(t_c: float, U: float):
    """Return the full 16x16 Fock-space Hamiltonian of the dimer and its particle number.

    H = -t_c sum_s (z1s^+ z2s + h.c.) + U sum_i n_i,up n_i,dn, modes z1up z1dn z2up z2dn.

    Parameters
    ----------
    t_c : float
        Interlayer hopping in eV (any sign).
    U : float
        On-site repulsion in eV, >= 0.

    Returns
    -------
    tuple of numpy.ndarray
        (H, N): H in eV (real symmetric 16x16), N the particle-number operator.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an energy lies outside the range of :func:`nickelates.couplings.check_energy`.

    Examples
    --------
    >>> H, N = hubbard_dimer_hamiltonian(0.6, 5.0)
    >>> H.shape, float(N.trace())
    ((16, 16), 32.0)
    """
    t_c = _hopping("t_c", t_c)
    U = couplings.check_energy("U", U, allow_zero=True)
    cd = fermion_creation_operators(4)
    c = [o.T for o in cd]
    n = [cd[i] @ c[i] for i in range(4)]
    hop = sum(cd[i] @ c[j] + cd[j] @ c[i] for i, j in ((0, 2), (1, 3)))
    H = -t_c * hop + U * (n[0] @ n[1] + n[2] @ n[3])
    return H, sum(n)


@lru_cache(maxsize=1)
def _two_electron_spin_sectors():
    """(idx, singlet, triplet): the two-electron Fock indices and orthonormal S=0 / S=1 bases there."""
    cd = fermion_creation_operators(4)
    c = [o.T for o in cd]
    N = sum(cd[i] @ c[i] for i in range(4))
    idx = np.flatnonzero(np.isclose(np.diag(N), 2.0))
    s_plus = cd[0] @ c[1] + cd[2] @ c[3]
    sz = 0.5 * (cd[0] @ c[0] - cd[1] @ c[1] + cd[2] @ c[2] - cd[3] @ c[3])
    s2 = (s_plus @ s_plus.T + sz @ sz - sz)[np.ix_(idx, idx)]
    w, vec = np.linalg.eigh(s2)
    singlet, triplet = vec[:, np.isclose(w, 0.0)], vec[:, np.isclose(w, 2.0)]
    for a in (idx, singlet, triplet):
        a.setflags(write=False)
    return idx, singlet, triplet


def dimer_spectrum(t_c: float, U: float) -> DimerSpectrum:
    """Diagonalize the two-electron Hubbard dimer exactly, sector by sector in the total spin.

    Parameters
    ----------
    t_c : float
        Interlayer hopping in eV (any sign).
    U : float
        On-site repulsion in eV, >= 0.

    Returns
    -------
    DimerSpectrum
        Singlet and triplet energies and the gap (eV); the gap equals
        (sqrt(U^2 + 16 t_c^2) - U)/2.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an energy lies outside the range of :func:`nickelates.couplings.check_energy`.
    ConvergenceError
        If LAPACK fails to diagonalize.

    Examples
    --------
    >>> s = dimer_spectrum(0.6, 5.0)
    >>> round(s.singlet, 4), abs(s.triplet) < 1e-12
    (-0.2732, True)
    """
    H, _ = hubbard_dimer_hamiltonian(t_c, U)
    idx, singlet, triplet = _two_electron_spin_sectors()
    h = H[np.ix_(idx, idx)]
    e_s = _eigh(singlet.T @ h @ singlet, "dimer singlet sector")[0]
    e_t = _eigh(triplet.T @ h @ triplet, "dimer triplet sector")[0]
    return DimerSpectrum(float(e_s[0]), float(e_t[0]), float(e_t[0] - e_s[0]))


def hubbard_dimer_excitations(t_c: float, U: float, eps_z: float) -> dict:
    """Return the channel-resolved charge excitations of the Hubbard dimer (ED).

    The dimer H = eps_z N - t_c sum_s (z1s^+ z2s + h.c.) + U sum_i n_iu n_id
    (t_c > 0 puts the bonding orbital b = (z1+z2)/sqrt2 lowest) holds two
    electrons in its singlet ground state |0>; conduction electrons sit at the
    Fermi level (energy 0). For o in {a, b}:

    * E_rem_o : energy of the one-electron state o_up^+|vac> minus E_0 (an electron
      leaves through o), with weight w_rem_o = <0| o_up^+ o_up |0>;
    * E_add_o : energy of the three-electron state with a spin-up hole in o minus
      E_0, weight w_add_o = <0| o_up o_up^+ |0> = 1 - w_rem_o.

    These states are exact eigenstates (one per parity and spin in the 1- and
    3-electron sectors), and o_up|0>, o_up^+|0> are proportional to them. At
    t_c = 0 the result is the limit t_c -> 0 (the singlet is the unique ground
    state of the singlet sector for U > 0): E_rem = -eps_z, E_add = eps_z + U,
    all weights 1/2.

    Parameters
    ----------
    t_c : float
        Interlayer hopping in eV (any sign).
    U : float
        On-site repulsion in eV, >= 0 (U = 0 needs t_c != 0).
    eps_z : float
        Level energy of the z orbitals relative to the Fermi level, in eV (any sign).

    Returns
    -------
    dict
        ``E_rem_a``, ``E_rem_b``, ``E_add_a``, ``E_add_b`` (eV) and ``w_rem_a``,
        ``w_rem_b``, ``w_add_a``, ``w_add_b`` (dimensionless, in [0, 1]).

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an energy is out of range, or t_c = U = 0 (the two-electron singlet ground
        state is then degenerate and the weights are not defined).
    ConvergenceError
        If LAPACK fails to diagonalize.

    Examples
    --------
    >>> x = hubbard_dimer_excitations(0.6, 5.0, -2.0)
    >>> round(x["E_rem_a"] - x["E_rem_b"], 6), round(x["w_rem_a"] + x["w_add_a"], 12)
    (1.2, 1.0)
    """
    t_c = _hopping("t_c", t_c)
    U = couplings.check_energy("U", U, allow_zero=True)
    eps_z = couplings.check_energy("eps_z", eps_z, allow_zero=True, signed=True)
    if t_c == 0.0 and U == 0.0:
        raise ValueError("t_c and U cannot both vanish: the two-electron singlet ground state of the dimer "
                         "is then degenerate (covalent and ionic states at the same energy)")
    H, N = hubbard_dimer_hamiltonian(t_c, U)
    H = H + eps_z * N
    idx, singlet, _ = _two_electron_spin_sectors()
    w, vec = _eigh(singlet.T @ H[np.ix_(idx, idx)] @ singlet, "dimer singlet sector")
    gs = np.zeros(16)
    gs[idx] = singlet @ vec[:, 0]
    cd = fermion_creation_operators(4)
    vac = np.zeros(16)
    vac[0] = 1.0
    full = cd[0] @ cd[1] @ cd[2] @ cd[3] @ vac
    s = 1 / np.sqrt(2)
    ops = {"a": s * (cd[Z1U] - cd[Z2U]), "b": s * (cd[Z1U] + cd[Z2U])}
    out = {}
    for o, od in ops.items():
        for kind, op, target in (("rem", od.T, od @ vac), ("add", od, od.T @ full)):
            phi = op @ gs
            out[f"E_{kind}_{o}"] = float(target @ H @ target) - float(w[0])
            out[f"w_{kind}_{o}"] = float(phi @ phi)
    return out


# ------------------------------------------------------- channel cluster
@lru_cache(maxsize=1)
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
    W.setflags(write=False)
    return W, tuple(kind)


@lru_cache(maxsize=1)
def dimer_spin_basis():
    """Return the singlet s and triplets t_x, t_y, t_z in the covalent basis |s1 s2>.

    Order of the covalent basis: |up up>, |up dn>, |dn up>, |dn dn> with
    |s1 s2> = z_{1 s1}^+ z_{2 s2}^+ |0>. Conventions of Sachdev & Bhatt:
    s = (|ud>-|du>)/sqrt2, t_x = (-|uu>+|dd>)/sqrt2, t_y = i(|uu>+|dd>)/sqrt2,
    t_z = (|ud>+|du>)/sqrt2.

    Returns
    -------
    numpy.ndarray
        Read-only complex 4x4 array B, B[m] the coefficient vector of state m
        (s, t_x, t_y, t_z); B is unitary.

    Examples
    --------
    >>> B = dimer_spin_basis()
    >>> bool(abs(B @ B.conj().T - np.eye(4)).max() < 1e-15)
    True
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


def channel_cluster_hamiltonian(g: float, E_rem_a: float, E_rem_b: float, E_add_a: float, E_add_b: float,
                                *, E_ion: float = 50.0):
    """Return (H0, V, P_index, meta) of the channel cluster in the mixed dimer basis.

    The covalent two-electron states have energy 0 (the exchange J_c is a
    separate, smaller scale), ionic ones ``E_ion``, the empty and full dimer
    5 ``E_ion``; the conduction orbitals sit at the Fermi level (0).

    Parameters
    ----------
    g : float
        Hybridization 2 t_xz eta_k in eV (any sign).
    E_rem_a, E_rem_b : float
        Energies (eV, > 0) of the intermediate states with 1 electron left in a / b.
    E_add_a, E_add_b : float
        Energies (eV, > 0) of the 3-electron states with a hole in a / b.
    E_ion : float, optional
        Energy of the ionic two-electron states in eV, > 0.

    Returns
    -------
    tuple
        H0 (diagonal, eV) and V (hopping, eV), dense 256x256 arrays in the basis
        dimer (mixed basis) x conduction occupation; P_index, the 64 indices of the
        low-energy space (covalent dimer x any conduction occupation); meta, a dict
        with ``kind`` (label of each dimer basis state), ``ncond`` and ``ntot``
        (conduction and total particle number of each of the 256 states).

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an energy lies outside the range of :func:`nickelates.couplings.check_energy`.

    Examples
    --------
    >>> H0, V, low, meta = channel_cluster_hamiltonian(0.3, 0.6, 1.8, 6.8, 5.6)
    >>> H0.shape, len(low), bool(abs(V - V.T).max() == 0)
    ((256, 256), 64, True)
    """
    g = _hopping("g", g)
    E = {k: couplings.check_energy(f"E_{k}", v)
         for k, v in (("rem_a", E_rem_a), ("rem_b", E_rem_b), ("add_a", E_add_a), ("add_b", E_add_b))}
    E_ion = couplings.check_energy("E_ion", E_ion)
    E.update(cov=0.0, ion=E_ion, empty=5 * E_ion, full=5 * E_ion)
    v_unit, low, meta = _channel_structure()
    e_dimer = np.array([E[k] for k in meta["kind"]])
    H0 = np.diag(np.kron(e_dimer, np.ones(16)))
    return H0, g * v_unit, low, meta


@lru_cache(maxsize=1)
def _channel_structure():
    """Hopping matrix of the channel cluster for g = 1 in the mixed dimer basis (cached)."""
    W, kind = _dimer_mixed_basis()
    cd = fermion_creation_operators(8)
    c = [o.T for o in cd]
    s = 1 / np.sqrt(2)
    v_op = np.zeros((256, 256))
    for sig in (0, 1):
        a = s * (c[Z1U + sig] - c[Z2U + sig])
        b = s * (c[Z1U + sig] + c[Z2U + sig])
        v_op += cd[AU + sig] @ a + cd[BU + sig] @ b
    v_op = v_op + v_op.T
    w_full = np.kron(W, np.eye(16))
    v_mixed = w_full.T @ v_op @ w_full
    low = np.flatnonzero(np.kron(np.array([k == "cov" for k in kind]), np.ones(16, bool)))
    nc = np.array([bin(i).count("1") for i in range(16)])
    ndim = {"cov": 2, "ion": 2, "rem_a": 1, "rem_b": 1, "add_a": 3, "add_b": 3, "empty": 0, "full": 4}
    ncond = np.kron(np.ones(16, int), nc)
    ntot = np.kron(np.array([ndim[k] for k in kind]), np.ones(16, int)) + ncond
    for a in (v_mixed, low, ntot, ncond):
        a.setflags(write=False)
    return v_mixed, low, dict(kind=kind, ncond=ncond, ntot=ntot)


@lru_cache(maxsize=1)
def _low_space_states():
    """Vectors (64) of the low space: (s or t_z) x (alpha_up or beta_up or empty) conduction occupation."""
    B = dimer_spin_basis()
    a_up, b_up = 0b1000, 0b0010           # conduction bits (AU AD BU BD), AU most significant

    def state(spin_row, cond_occ):
        v = np.zeros(64, complex)
        v[np.arange(4) * 16 + cond_occ] = B[spin_row]
        return v

    return {"vac": state(0, 0), "s_a": state(0, a_up), "s_b": state(0, b_up),
            "tz_a": state(3, a_up), "tz_b": state(3, b_up)}


def effective_channel_couplings(h_eff) -> ChannelCouplings:
    """Read the couplings off an effective Hamiltonian of the channel cluster's low space.

    The low space is covalent dimer x conduction occupation (64 states, in the
    order of ``channel_cluster_hamiltonian(...)[2]``: dimer state |s1 s2> major,
    conduction occupation minor). The shifts are <s, zeta_up|H|s, zeta_up> minus the
    energy of the singlet with empty conduction orbitals; the Kondo couplings are
    J_K_a = 2 <t_z alpha_up|H|s beta_up> and J_K_b = 2 <t_z beta_up|H|s alpha_up>
    (the matrix element of s^z_{alpha beta} is 1/2).

    Parameters
    ----------
    h_eff : array_like
        Hermitian 64x64 effective Hamiltonian in eV (real or complex); only the real
        parts of the matrix elements above are used.

    Returns
    -------
    ChannelCouplings
        shift_alpha, shift_beta, J_K_a, J_K_b in eV.

    Raises
    ------
    TypeError
        If ``h_eff`` is not a numeric array (boolean, string or object).
    ValueError
        If it is not 64x64, not finite or not Hermitian.

    Examples
    --------
    >>> H0, V, low, _ = channel_cluster_hamiltonian(1.0, 0.6, 1.8, 6.8, 5.6)
    >>> high = np.setdiff1d(np.arange(256), low)
    >>> Vlh = V[np.ix_(low, high)]
    >>> c = effective_channel_couplings(-(Vlh / np.diag(H0)[high]) @ Vlh.T)
    >>> round(c.J_K_a, 6) == round(1 / 0.6 + 1 / 5.6, 6)
    True
    """
    check.not_missing("h_eff", h_eff, "a numeric 64x64 array")
    h = np.asarray(h_eff)
    if h.dtype.kind == "O":
        if any(x is None or isinstance(x, (bool, str, bytes)) for x in h.ravel()[:10_000]):
            raise TypeError("h_eff must be a numeric 64x64 array, got an element that is not a number")
        try:
            h = h.astype(complex)
        except (TypeError, ValueError) as exc:
            raise TypeError("h_eff must be a numeric 64x64 array, got dtype object") from exc
    if h.dtype.kind not in "iufc":
        raise TypeError(f"h_eff must be a numeric 64x64 array, got dtype {h.dtype}")
    if h.shape != (64, 64):
        raise ValueError(f"h_eff must have shape (64, 64) (the channel cluster's low space), got {h.shape}")
    if not np.all(np.isfinite(h)):
        raise ValueError("h_eff must contain only finite numbers")
    scale = max(1.0, float(np.abs(h).max()))
    if np.abs(h - h.conj().T).max() > 1e-9 * scale:
        raise ValueError("h_eff must be Hermitian")
    st = _low_space_states()

    def elem(bra, ket):
        return float((st[bra].conj() @ h @ st[ket]).real)

    e_vac = elem("vac", "vac")
    return ChannelCouplings(shift_alpha=elem("s_a", "s_a") - e_vac, shift_beta=elem("s_b", "s_b") - e_vac,
                            J_K_a=2 * elem("tz_a", "s_b"), J_K_b=2 * elem("tz_b", "s_a"))


def channel_cluster_couplings_ed(g: float, E_rem_a: float, E_rem_b: float, E_add_a: float, E_add_b: float,
                                 *, E_ion: float = 50.0) -> ChannelCouplings:
    """Return the couplings of the channel cluster from exact diagonalization (all orders in g).

    The exact low-energy eigenvectors (one per low-space state, sector by
    sector in the total particle number) are projected on the low space and
    Loewdin-orthonormalized; the resulting des Cloizeaux effective
    Hamiltonian equals the all-order SW one.

    Parameters
    ----------
    g : float
        Hybridization 2 t_xz eta_k in eV (any sign).
    E_rem_a, E_rem_b, E_add_a, E_add_b : float
        Intermediate-state energies in eV, > 0 (see :func:`channel_cluster_hamiltonian`).
    E_ion : float, optional
        Energy of the ionic dimer states in eV, > 0.

    Returns
    -------
    ChannelCouplings
        shift_alpha, shift_beta, J_K_a, J_K_b in eV.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an energy is out of range, or ``g`` is so large that the low-energy states
        are no longer separated from the high ones (no effective Hamiltonian).
    ConvergenceError
        If LAPACK fails to diagonalize a sector.

    Examples
    --------
    >>> ed = channel_cluster_couplings_ed(0.05, 0.6, 1.8, 6.8, 5.6)
    >>> sw = channel_cluster_couplings_sw(0.05, 0.6, 1.8, 6.8, 5.6)
    >>> bool(abs(ed.J_K_a / sw.J_K_a - 1) < 0.03)
    True
    """
    H0, v_hop, low, meta = channel_cluster_hamiltonian(g, E_rem_a, E_rem_b, E_add_a, E_add_b, E_ion=E_ion)
    H = H0 + v_hop
    ntot = meta["ntot"]
    heff = np.zeros((len(low), len(low)))
    is_low = np.zeros(256, bool)
    is_low[low] = True
    pos = np.full(256, -1)
    pos[low] = np.arange(len(low))
    scale = max(float(np.abs(np.diag(H0)).max()), abs(g))
    for n_particles in np.unique(ntot[low]):
        blk = np.flatnonzero(ntot == n_particles)
        rows = np.flatnonzero(is_low[blk])
        lowb = blk[rows]
        w, vec = _eigh(H[np.ix_(blk, blk)], f"channel cluster sector N = {n_particles}")
        nl = len(lowb)
        A = vec[rows, :nl]                            # projections of the nl lowest states
        u, sv, vt = np.linalg.svd(A)
        if w[nl] - w[nl - 1] < 1e-9 * scale or sv.min() < 1e-6:
            raise ValueError(f"g = {g} is too large: the low-energy states of the channel cluster are not "
                             f"separated from the intermediate ones (sector N = {n_particles}); choose |g| "
                             f"well below the intermediate energies")
        Q = u @ vt                                    # Loewdin orthonormalization
        idx = pos[lowb]
        heff[np.ix_(idx, idx)] = Q @ np.diag(w[:nl]) @ Q.T
    return effective_channel_couplings(heff)


def channel_cluster_couplings_sw(g: float, E_rem_a: float, E_rem_b: float, E_add_a: float, E_add_b: float,
                                 *, E_ion: float = 50.0) -> ChannelCouplings:
    """Return the second-order SW couplings of the channel cluster, evaluated numerically.

    H_eff = P V Q (0 - H0)^-1 Q V P (the low space is degenerate at 0).

    Parameters
    ----------
    g : float
        Hybridization 2 t_xz eta_k in eV (any sign).
    E_rem_a, E_rem_b, E_add_a, E_add_b : float
        Intermediate-state energies in eV, > 0 (see :func:`channel_cluster_hamiltonian`).
    E_ion : float, optional
        Energy of the ionic dimer states in eV, > 0 (not reached at second order).

    Returns
    -------
    ChannelCouplings
        shift_alpha, shift_beta, J_K_a, J_K_b in eV; equal to
        ``couplings.channel_couplings(g / 2, ...)``.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an energy lies outside the range of :func:`nickelates.couplings.check_energy`.

    Examples
    --------
    >>> sw = channel_cluster_couplings_sw(1.0, 1.0, 2.0, 4.0, 5.0)
    >>> round(sw.shift_alpha, 12), round(sw.J_K_a, 12)
    (0.375, 1.2)
    """
    H0, v_hop, low, _ = channel_cluster_hamiltonian(g, E_rem_a, E_rem_b, E_add_a, E_add_b, E_ion=E_ion)
    e = np.diag(H0)
    high = np.setdiff1d(np.arange(256), low)
    v_lh = v_hop[np.ix_(low, high)]
    return effective_channel_couplings(-(v_lh / e[high]) @ v_lh.T)


def loglog_slope(x, y) -> float:
    """Return the least-squares slope of log|y| against log x (the order of an error).

    Parameters
    ----------
    x : array_like
        1-D, positive abscissae (any unit).
    y : array_like
        1-D, non-zero ordinates (any unit), as many as ``x``.

    Returns
    -------
    float
        d log|y| / d log x.

    Raises
    ------
    TypeError
        If an array is complex, boolean or not numeric.
    ValueError
        If the arrays are not 1-D, differ in length, have fewer than 2 points, ``x`` is
        not positive, all ``x`` are equal, or ``y`` has a zero.

    Examples
    --------
    >>> round(loglog_slope([1, 2, 4], [3, 48, 768]), 12)
    4.0
    """
    x = check.real_array("x", x, ndim=1, min_size=2)
    y = check.real_array("y", y, ndim=1, min_size=2)
    check.same_length(x=x, y=y)
    if np.any(x <= 0):
        raise ValueError("x must be positive for a log-log fit")
    if np.any(y == 0):
        raise ValueError("y must be non-zero for a log-log fit")
    if np.ptp(x) == 0:
        raise ValueError("x must take at least two different values")
    return float(np.polyfit(np.log(x), np.log(np.abs(y)), 1)[0])


# ------------------------------------------- comparisons shown in chapter 2
def channel_cluster_args(E_a: float, t_c: float = couplings.T_C, U: float = couplings.U_PAPER) -> tuple:
    """Return the channel-cluster energies of the book's chain for E_b = E_a + 2 t_c.

    The identification of Eq. (10): E_rem_a = E_a, E_rem_b = E_b, E_add_a = E_b + U,
    E_add_b = E_a + U.

    Parameters
    ----------
    E_a : float
        Excitation energy of the a channel in eV, > 0.
    t_c : float, optional
        Interlayer hopping in eV, > 0.
    U : float, optional
        On-site repulsion in eV, > 0.

    Returns
    -------
    tuple of float
        (E_rem_a, E_rem_b, E_add_a, E_add_b) in eV.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an energy lies outside the range of :func:`nickelates.couplings.check_energy`.

    Examples
    --------
    >>> [round(e, 6) for e in channel_cluster_args(0.6)]
    [0.6, 1.8, 6.8, 5.6]
    """
    E_a = couplings.check_energy("E_a", E_a)
    t_c = couplings.check_energy("t_c", t_c)
    U = couplings.check_energy("U", U)
    E_b = E_a + 2 * t_c
    return (E_a, E_b, E_b + U, E_a + U)


def _sweep_values(name, values, default):
    if values is None:
        return default
    a = check.real_array(name, values, ndim=1, min_size=2, max_size=_MAX_SWEEP)
    if np.any(a <= 0):
        raise ValueError(f"{name} must be positive (eV)")
    return a


def _check_cluster_args(cluster_args):
    if isinstance(cluster_args, (str, bytes, dict, set)) or not hasattr(cluster_args, "__len__"):
        raise TypeError(f"cluster_args must be a sequence (E_rem_a, E_rem_b, E_add_a, E_add_b) in eV, "
                        f"got {type(cluster_args).__name__}")
    if len(cluster_args) != 4:
        raise ValueError(f"cluster_args must hold 4 energies (E_rem_a, E_rem_b, E_add_a, E_add_b), "
                         f"got {len(cluster_args)}")
    names = ("E_rem_a", "E_rem_b", "E_add_a", "E_add_b")
    return tuple(couplings.check_energy(f"{n} (cluster_args[{i}])", v) for i, (n, v) in enumerate(zip(names, cluster_args)))


def sw_error_scaling(E_a: float, t_c: float = couplings.T_C, U: float = couplings.U_PAPER, g_values=None,
                     t_values=None) -> dict:
    """Return the error of second-order Schrieffer-Wolff against exact diagonalization.

    Channel cluster (:func:`channel_cluster_args` of ``E_a``, ``t_c``, ``U``): ED minus
    SW of each of :data:`CHANNEL_FIELDS` for the hybridizations ``g_values``; Hubbard
    dimer: ED gap minus 4 t^2/U for the hoppings ``t_values`` at this ``U``. Both
    errors are of fourth order (slopes 4).

    Parameters
    ----------
    E_a : float
        Excitation energy of the a channel in eV, > 0.
    t_c : float, optional
        Interlayer hopping in eV, > 0 (sets E_b = E_a + 2 t_c).
    U : float, optional
        On-site repulsion in eV, > 0.
    g_values : array_like, optional
        Positive hybridizations in eV (1-D, 2 to 10000 points); default
        ``geomspace(0.01, 0.1, 6)``.
    t_values : array_like, optional
        Positive dimer hoppings in eV (1-D, 2 to 10000 points); default
        ``geomspace(0.03, 0.3, 6)``.

    Returns
    -------
    dict
        ``g`` (eV), ``errors`` {field: array of ED - SW in eV}, ``slopes`` {field:
        log-log slope}, ``t`` (eV), ``dimer_errors`` (eV), ``dimer_slope``, ``U`` (eV),
        ``cluster_args`` (E_rem_a, E_rem_b, E_add_a, E_add_b in eV).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range (non-positive or too many sweep values, energies
        out of range, g too large for an effective Hamiltonian, an error exactly zero).
    ConvergenceError
        If LAPACK fails to diagonalize.

    Examples
    --------
    >>> d = sw_error_scaling(0.6, g_values=[0.01, 0.02], t_values=[0.03, 0.06])
    >>> round(d["slopes"]["J_K_a"], 1), round(d["dimer_slope"], 1)
    (4.0, 4.0)
    """
    args = channel_cluster_args(E_a, t_c, U)
    g = _sweep_values("g_values", g_values, np.geomspace(0.01, 0.1, 6))
    t = _sweep_values("t_values", t_values, np.geomspace(0.03, 0.3, 6))
    rows = []
    for gg in g:
        ed, sw = channel_cluster_couplings_ed(gg, *args), channel_cluster_couplings_sw(gg, *args)
        rows.append(np.subtract(ed.as_tuple(), sw.as_tuple()))
    rows = np.array(rows)
    errors = {f: rows[:, i] for i, f in enumerate(CHANNEL_FIELDS)}
    dimer = np.array([dimer_spectrum(tt, U).gap - couplings.dimer_exchange(tt, U) for tt in t])
    return {"g": g, "errors": errors, "slopes": {f: loglog_slope(g, errors[f]) for f in CHANNEL_FIELDS},
            "t": t, "dimer_errors": dimer, "dimer_slope": loglog_slope(t, dimer), "U": U,
            "cluster_args": args}


def channel_relative_deviation(eta_values, cluster_args, t_xz: float = couplings.T_XZ_PAPER) -> list:
    """Return the relative deviation ED/SW - 1 of the channel-cluster couplings at given form factors.

    Parameters
    ----------
    eta_values : array_like
        Non-zero form factors eta_k (dimensionless, |eta| <= 2), 1-D.
    cluster_args : sequence of float
        (E_rem_a, E_rem_b, E_add_a, E_add_b) in eV, > 0 (e.g. :func:`channel_cluster_args`).
    t_xz : float, optional
        Interorbital hopping in eV, > 0; g = 2 t_xz eta.

    Returns
    -------
    list of tuple
        One row per eta: (eta, g in eV, then ED/SW - 1 for each of :data:`CHANNEL_FIELDS`,
        dimensionless).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an eta is zero or |eta| > 2, an energy is out of range, a second-order coupling
        vanishes (the relative deviation is then undefined), or g is too large for an
        effective Hamiltonian.
    ConvergenceError
        If LAPACK fails to diagonalize.

    Examples
    --------
    >>> rows = channel_relative_deviation([0.1], (0.6, 1.8, 6.8, 5.6))
    >>> bool(-0.03 < rows[0][2] < 0)
    True
    """
    eta = check.real_array("eta_values", eta_values, ndim=1, max_size=_MAX_SWEEP)
    if np.any(eta == 0) or np.any(np.abs(eta) > 2):
        raise ValueError("eta_values must be non-zero (the couplings vanish at eta = 0) and lie in [-2, 2]")
    args = _check_cluster_args(cluster_args)
    t_xz = couplings.check_energy("t_xz", t_xz)
    rows = []
    for e in eta:
        gg = 2 * t_xz * float(e)
        ed, sw = channel_cluster_couplings_ed(gg, *args), channel_cluster_couplings_sw(gg, *args)
        for f, v in zip(CHANNEL_FIELDS, sw.as_tuple()):
            if v == 0:
                raise ValueError(f"the second-order {f} vanishes for cluster_args = {args}: its relative "
                                 f"deviation is undefined")
        rows.append((float(e), gg, *[a / b - 1 for a, b in zip(ed.as_tuple(), sw.as_tuple())]))
    return rows


def dimer_channel_shifts(t_c: float, U: float, eps_z_values) -> list:
    """Return the derived band shifts per g^2 of the Hubbard dimer for several level positions.

    For each eps_z, :func:`hubbard_dimer_excitations` gives the channel energies and
    the singlet's weights, and delta xi_zeta / g^2 = w_rem/E_rem - w_add/E_add.
    Levels with a non-positive excitation energy (the dimer is then not in its
    two-electron ground state) are skipped.

    Parameters
    ----------
    t_c : float
        Interlayer hopping in eV (any sign).
    U : float
        On-site repulsion in eV, >= 0.
    eps_z_values : array_like
        Level energies of the z orbitals relative to the Fermi level in eV, 1-D.

    Returns
    -------
    list of tuple
        Rows (eps_z, E_rem_a, E_rem_b in eV, delta xi_alpha/g^2, delta xi_beta/g^2 in 1/eV).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range (see :func:`hubbard_dimer_excitations`).

    Examples
    --------
    >>> rows = dimer_channel_shifts(0.6, 5.0, [-2.0, 10.0])     # eps_z = 10 is skipped
    >>> len(rows), bool(rows[0][4] > rows[0][3])
    (1, True)
    """
    levels = check.real_array("eps_z_values", eps_z_values, ndim=1, max_size=_MAX_SWEEP)
    rows = []
    for ez in levels:
        x = hubbard_dimer_excitations(t_c, U, float(ez))
        if min(x["E_rem_a"], x["E_rem_b"], x["E_add_a"], x["E_add_b"]) <= 0:
            continue
        da = x["w_rem_a"] / x["E_rem_a"] - x["w_add_a"] / x["E_add_a"]
        db = x["w_rem_b"] / x["E_rem_b"] - x["w_add_b"] / x["E_add_b"]
        rows.append((float(ez), x["E_rem_a"], x["E_rem_b"], da, db))
    return rows


def dimer_weights(t_c: float, U: float) -> tuple[float, float]:
    """Return the occupations (n_a, n_b) per spin of the antibonding and bonding orbitals in the dimer singlet.

    Read off the exact two-electron ground state (:func:`hubbard_dimer_excitations`):
    n_o = <0| o_up^+ o_up |0>. For U/t_c -> infinity both tend to 1/2 (the local-moment
    limit in which the channel cluster and the derived Eqs. (3), (10) hold); the
    deviation is first order in t_c/U: n_b - n_a = 4 t_c / sqrt(U^2 + 16 t_c^2).

    Parameters
    ----------
    t_c : float
        Interlayer hopping in eV (> 0 puts the bonding orbital b lowest).
    U : float
        On-site repulsion in eV, >= 0 (not both zero with t_c).

    Returns
    -------
    tuple of float
        (n_a, n_b), dimensionless, n_a + n_b = 1.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an energy is out of range or t_c = U = 0.
    ConvergenceError
        If LAPACK fails to diagonalize.

    Examples
    --------
    >>> [round(w, 3) for w in dimer_weights(0.6, 5.0)]
    [0.284, 0.716]
    """
    x = hubbard_dimer_excitations(t_c, U, 0.0)
    return x["w_rem_a"], x["w_rem_b"]


def singlet_factors(n_a: float, n_b: float) -> tuple[float, float, float]:
    """Return the exact-singlet factors of the Kondo and Hund vertices (second order).

    With the dimer's singlet sqrt(n_b)|b b> - sqrt(n_a)|a a> (occupations per spin
    n_a, n_b of the antibonding and bonding orbitals) every Kondo process that
    turns beta into alpha while creating a triplon starts from the |a a> part,
    every one that turns alpha into beta from the |b b> part, so the Kondo
    couplings of the local-moment limit (weights 1/2) are multiplied by
    sqrt(2 n_a) and sqrt(2 n_b); the Hund vertex (S_1 - S_2) sees only the
    covalent part, sqrt(n_a/2) + sqrt(n_b/2). Derived in
    :func:`nickelates.symbolic.couplings.singlet_channel_sw`, checked against ED in
    :func:`singlet_channel_couplings`.

    Parameters
    ----------
    n_a, n_b : float
        Occupations per spin (dimensionless), each in [0, 1], summing to 1 within 1e-9.

    Returns
    -------
    tuple of float
        (factor of J_K^a, factor of J_K^b, factor of J_H), dimensionless; (1, 1, 1) at n_a = n_b = 1/2.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an occupation is outside [0, 1] or n_a + n_b != 1.

    Examples
    --------
    >>> [round(x, 3) for x in singlet_factors(*dimer_weights(0.6, 5.0))]
    [0.753, 1.197, 0.975]
    """
    n_a = check.in_range("n_a", n_a, 0.0, 1.0)
    n_b = check.in_range("n_b", n_b, 0.0, 1.0)
    if abs(n_a + n_b - 1.0) > 1e-9:
        raise ValueError(f"n_a + n_b must be 1 (occupations per spin of a two-electron singlet), got {n_a + n_b!r}")
    return float(np.sqrt(2 * n_a)), float(np.sqrt(2 * n_b)), float(np.sqrt(n_a / 2) + np.sqrt(n_b / 2))


@dataclass(frozen=True)
class SingletCouplings:
    """Second-order couplings of a conduction pair to the exact Hubbard-dimer singlet (ED).

    Result of :func:`singlet_channel_couplings`; couplings per unit g^2 (g = 2 t_xz eta_k).

    Attributes
    ----------
    n_a : float
        Occupation per spin of the antibonding orbital in the singlet (dimensionless).
    n_b : float
        Occupation per spin of the bonding orbital (dimensionless).
    E_rem_a : float
        Channel energies (eV) of :func:`hubbard_dimer_excitations`.
    E_rem_b : float
        Channel energies (eV).
    E_add_a : float
        Channel energies (eV).
    E_add_b : float
        Channel energies (eV).
    gap : float
        Singlet-triplet gap of the dimer (eV).
    J_K_a : float
        Coefficient of T^+ . s_ab per g^2 (1/eV), T^+ = |t><s| with the exact singlet.
    J_K_b : float
        Coefficient of T . s_ab per g^2 (1/eV).
    shift_alpha : float
        Energy of an alpha electron on top of the singlet, relative to none, per g^2 (1/eV).
    shift_beta : float
        The same for beta (1/eV).
    hund_factor : float
        <t_z|S_1^z - S_2^z|s> of the exact singlet over its covalent-limit value (dimensionless).

    Examples
    --------
    >>> r = singlet_channel_couplings(0.6, 5.0, -2.0)
    >>> round(r.J_K_b / (1 / r.E_rem_b + 1 / r.E_add_a), 3)
    1.197
    """

    n_a: float
    n_b: float
    E_rem_a: float
    E_rem_b: float
    E_add_a: float
    E_add_b: float
    gap: float
    J_K_a: float
    J_K_b: float
    shift_alpha: float
    shift_beta: float
    hund_factor: float


def singlet_channel_couplings(t_c: float, U: float, eps_z: float) -> SingletCouplings:
    """Kondo couplings, band shifts and Hund factor from the exact dimer singlet, by ED.

    The 256-state cluster of the full Hubbard dimer (level ``eps_z``, hopping ``t_c``,
    repulsion ``U``; all 16 dimer states) and one alpha and one beta orbital at the
    Fermi level is diagonalized at g = 0; second order in the hybridization
    V = sum_s (alpha_s^+ a_s + beta_s^+ b_s + h.c.) (g = 1) is then summed over *all*
    its eigenstates m, -<f|V|m><m|V|i>/(E_m - E_0), with E_0 the singlet's energy
    (the convention of the local-moment channel cluster, where singlet and triplets
    are degenerate). Initial and final states are the ED singlet and the triplet t_z
    times one conduction electron; the triplon operator is T^+ = |t><s| with the
    exact singlet, normalized by <t_z|S_1^z - S_2^z|s_cov> of the covalent singlet.
    No orbital projector or occupation weight is assumed: this is the independent
    check of :func:`singlet_factors` and of the weighted density channel.

    Parameters
    ----------
    t_c : float
        Interlayer hopping in eV, > 0.
    U : float
        On-site repulsion in eV, > 0.
    eps_z : float
        Level of the z orbitals relative to the Fermi level (eV); the four channel
        energies must be positive (two electrons on the dimer).

    Returns
    -------
    SingletCouplings
        Couplings per g^2 (1/eV), occupations, channel energies and the Hund factor.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an energy is out of range or a channel energy is not positive.
    ConvergenceError
        If LAPACK fails to diagonalize.

    Examples
    --------
    >>> r = singlet_channel_couplings(0.6, 5.0, -2.0)
    >>> round(r.n_a, 3), round(r.hund_factor, 3)
    (0.284, 0.975)
    """
    t_c = couplings.check_energy("t_c", t_c)
    U = couplings.check_energy("U", U)
    x = hubbard_dimer_excitations(t_c, U, eps_z)
    if min(x["E_rem_a"], x["E_rem_b"], x["E_add_a"], x["E_add_b"]) <= 0:
        raise ValueError(f"eps_z = {eps_z!r} eV leaves a channel energy <= 0 (the dimer ground state "
                         "must hold two electrons)")
    Hd, Nd = hubbard_dimer_hamiltonian(t_c, U)
    Hd = Hd + eps_z * Nd
    cd4, cd = fermion_creation_operators(4), fermion_creation_operators(8)
    r2 = 1 / np.sqrt(2)
    ann = [o.T for o in cd]
    a = [r2 * (ann[Z1U + s] - ann[Z2U + s]) for s in (0, 1)]
    b = [r2 * (ann[Z1U + s] + ann[Z2U + s]) for s in (0, 1)]
    hop = sum(cd[AU + s] @ a[s] + cd[BU + s] @ b[s] for s in (0, 1))
    V = hop + hop.T
    vac16 = np.eye(16)[0]
    # the exact singlet: lowest state of the dimer's two-electron spin-singlet sector
    idx, singlet, _ = _two_electron_spin_sectors()
    ws, vs = _eigh(singlet.T @ Hd[np.ix_(idx, idx)] @ singlet, "dimer singlet sector")
    E0 = float(ws[0])
    gs16 = np.zeros(16)
    gs16[idx] = singlet @ vs[:, 0]
    s_cov16 = r2 * (cd4[Z1U] @ cd4[Z2D] - cd4[Z1D] @ cd4[Z2U]) @ vac16
    if gs16 @ s_cov16 < 0:
        gs16 = -gs16
    # resolvent of the intermediate states: every dimer eigenstate with 1 or 3 electrons (ED),
    # times any conduction occupation (energy 0)
    R = np.zeros((16, 16))
    n_d = np.round(np.diag(Nd)).astype(int)
    for n in (1, 3):
        sel = np.flatnonzero(n_d == n)
        e, w = _eigh(Hd[np.ix_(sel, sel)], f"{n}-electron sector of the dimer")
        R[np.ix_(sel, sel)] = (w / (e - E0)) @ w.T
    Rfull = np.kron(R, np.eye(16))

    def lift(v16):                                # dimer state x empty conduction modes
        return np.kron(v16, vac16)

    s_cov, gs = lift(s_cov16), lift(gs16)
    nz = [cd[i] @ ann[i] for i in range(4)]
    D = 0.5 * (nz[0] - nz[1]) - 0.5 * (nz[2] - nz[3])        # S_1^z - S_2^z
    t = D @ s_cov
    t /= np.linalg.norm(t)

    def second(f, i):
        return -float(f @ V @ Rfull @ V @ i)

    up_a, up_b = cd[AU], cd[BU]
    unit = 0.5 * float(t @ D @ s_cov)             # <t a_up| T_z^+ s^z_ab |s b_up>, T_z^+ = |t><s|
    jka = second(up_a @ t, up_b @ gs) / unit
    jkb = second(up_a @ gs, up_b @ t) / unit      # T . s_ab: triplet + beta -> singlet + alpha
    e_vac = second(gs, gs)
    sh_a, sh_b = second(up_a @ gs, up_a @ gs) - e_vac, second(up_b @ gs, up_b @ gs) - e_vac
    hund = float(t @ D @ gs) / float(t @ D @ s_cov)
    return SingletCouplings(x["w_rem_a"], x["w_rem_b"], x["E_rem_a"], x["E_rem_b"], x["E_add_a"],
                            x["E_add_b"], dimer_spectrum(t_c, U).gap, jka, jkb, sh_a, sh_b, hund)


@dataclass(frozen=True)
class DimerChain:
    """The coupling chain evaluated with the derived forms (see :func:`dimer_chain`).

    Attributes
    ----------
    ordering : str
        "dimer" (channel energies of the Hubbard dimer) or "paper" (E_b = E_a + 2 t_c and
        the identification of Eq. (10)).
    weights : str
        "limit" (occupations 1/2, U/t_c -> infinity) or "dimer" (the dimer's n_a, n_b).
    eps_z : float or None
        Level of the z orbitals relative to the Fermi level (eV) for ordering "dimer".
    E_rem_a : float
        Cost (eV) of moving a dimer electron into alpha, one electron left in a.
    E_rem_b : float
        The same through the bonding channel, one electron left in b (eV).
    E_add_a : float
        Cost (eV) of moving an alpha electron onto the dimer, hole in a.
    E_add_b : float
        The same with the hole in b (eV).
    n_a : float
        Occupation per spin of a used in the density channel (dimensionless).
    n_b : float
        Occupation per spin of b (dimensionless).
    couplings : nickelates.couplings.Couplings
        The chain: ``E_a``/``E_b`` are the removal energies E_rem_a/E_rem_b (eV),
        ``eps_alpha``/``eps_beta`` the derived shifts (eV), ``J_K_a``/``J_K_b`` the derived
        Kondo couplings (eV; with weights "dimer" those of the exact singlet,
        :func:`singlet_factors`), ``kappa_a``/``kappa_b`` = J_K/(hund_factor J_H),
        ``V`` = 3 (hund_factor J_H)^2 / (2 J_c) with ``J_c`` the exact singlet-triplet gap
        for weights "dimer" (4 t_c^2/U for "limit"), ``J_H`` the input, and the rest as in
        :func:`nickelates.couplings.from_microscopic`.
    hund_factor : float
        Factor of the Hund vertex from the singlet's covalent amplitude (1 for weights "limit").

    Examples
    --------
    >>> d = dimer_chain(0.4)
    >>> d.ordering, round(d.couplings.eps_beta, 6), d.couplings.eps_beta > d.couplings.eps_alpha
    ('dimer', 0.4, True)
    """

    ordering: str
    weights: str
    eps_z: float | None
    E_rem_a: float
    E_rem_b: float
    E_add_a: float
    E_add_b: float
    n_a: float
    n_b: float
    couplings: couplings.Couplings
    hund_factor: float = 1.0


def _weighted_shift(g2, w, E_rem, E_add):
    return g2 * (w / E_rem - (1.0 - w) / E_add)


def dimer_chain(eps_target: float = 0.4, *, t_c: float = couplings.T_C, U: float = couplings.U_PAPER,
                t_xz: float | None = None, J_H: float = 0.4, ordering: str = "dimer",
                weights: str = "limit", dos=None) -> DimerChain:
    """Evaluate the coupling chain with the derived (channel-cluster) forms.

    The band shifts are the derived density-channel forms
    delta xi_o = g^2 (n_o / E_rem_o - (1 - n_o) / E_add_o), g = 2 t_xz (per eta_k^2),
    with n_o = 1/2 (``weights="limit"``: U/t_c -> infinity, where they are half the
    printed Eq. (3)) or the dimer's occupations (``"dimer"``, :func:`dimer_weights`);
    the Kondo couplings are the derived J_K^a = g^2 (1/E_rem_a + 1/E_add_b), J_K^b =
    g^2 (1/E_rem_b + 1/E_add_a) of the local-moment limit, times sqrt(2 n_a) and
    sqrt(2 n_b) with ``weights="dimer"``, which also multiplies the Hund vertex by the
    singlet's covalent amplitude and takes the exact singlet-triplet gap for J_c (the
    exact dimer throughout, :func:`singlet_factors`, :func:`singlet_channel_couplings`).
    The channel energies:

    * ``ordering="dimer"``: those of the Hubbard dimer at a level eps_z
      (:func:`hubbard_dimer_excitations`); the bonding channel is the cheaper one,
      E_rem_b = E_rem_a - 2 t_c, so eps_beta > eps_alpha. eps_z is fixed so that the
      larger shift, eps_beta, equals ``eps_target``;
    * ``ordering="paper"``: E_rem_b = E_rem_a + 2 t_c, E_add_a = E_rem_b + U,
      E_add_b = E_rem_a + U (the identification that reproduces Eq. (10)); E_rem_a is
      fixed so that the larger shift, eps_alpha, equals ``eps_target``.

    Parameters
    ----------
    eps_target : float, optional
        The larger of the two band shifts in eV, > 0 (Fig. 2: 0.4 eV).
    t_c : float, optional
        Interlayer hopping in eV, > 0.
    U : float, optional
        On-site repulsion in eV, > 0.
    t_xz : float, optional
        Interorbital hopping in eV, > 0; default sqrt(3)/4 t_c.
    J_H : float, optional
        Hund coupling in eV, > 0.
    ordering : {"dimer", "paper"}, optional
        Source of the channel energies (see above).
    weights : {"limit", "dimer"}, optional
        Occupations in the density channel (see above).
    dos : sequence, optional
        None or (N_alpha, N_beta, ...) in 1/eV, to obtain lambda (as in
        :func:`nickelates.couplings.from_microscopic`).

    Returns
    -------
    DimerChain
        The channel energies, occupations and the chain.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range, an option is unknown, or no level position
        gives ``eps_target`` with all four channel energies positive.
    ConvergenceError
        If LAPACK fails to diagonalize.

    Examples
    --------
    >>> d = dimer_chain(0.4, ordering="paper")
    >>> round(d.couplings.eps_alpha, 6), round(d.E_rem_b - d.E_rem_a, 6)
    (0.4, 1.2)
    """
    eps_target = couplings.check_energy("eps_target", eps_target)
    t_c = couplings.check_energy("t_c", t_c)
    U = couplings.check_energy("U", U)
    t_xz = couplings.T_XZ_PAPER * t_c / couplings.T_C if t_xz is None else couplings.check_energy("t_xz", t_xz)
    J_H = couplings.check_energy("J_H", J_H)
    check.choice("ordering", ordering, ("dimer", "paper"))
    check.choice("weights", weights, ("limit", "dimer"))
    n_a, n_b = dimer_weights(t_c, U) if weights == "dimer" else (0.5, 0.5)
    g2 = 4.0 * t_xz**2
    if ordering == "dimer":
        x0 = hubbard_dimer_excitations(t_c, U, 0.0)           # energies are linear in eps_z

        def energies(ez):
            return (x0["E_rem_a"] - ez, x0["E_rem_b"] - ez, x0["E_add_a"] + ez, x0["E_add_b"] + ez)

        def larger(ez):
            ra, rb, aa, ab = energies(ez)
            return _weighted_shift(g2, n_b, rb, ab)

        lo, hi = -x0["E_add_a"], x0["E_rem_b"]               # all four energies > 0 in between
    else:
        def energies(E):
            return (E, E + 2 * t_c, E + 2 * t_c + U, E + U)

        def larger(E):
            ra, rb, aa, ab = energies(E)
            return _weighted_shift(g2, n_a, ra, aa)

        lo, hi = None, None
    if ordering == "dimer":
        span = hi - lo
        a, b = lo + 1e-12 * span, hi - 1e-12 * span
    else:
        a, b = 1e-9 * g2, 1e3 * (U + t_c)
    fa, fb = larger(a) - eps_target, larger(b) - eps_target
    if fa * fb > 0:
        raise ValueError(f"eps_target = {eps_target!r} eV cannot be reached with ordering={ordering!r}, "
                         f"weights={weights!r} (the larger shift stays between {larger(a):.4g} and "
                         f"{larger(b):.4g} eV for positive channel energies)")
    root = brentq(lambda v: larger(v) - eps_target, a, b, xtol=1e-14, rtol=1e-13)
    ra, rb, aa, ab = energies(root)
    ea, eb = _weighted_shift(g2, n_a, ra, aa), _weighted_shift(g2, n_b, rb, ab)
    cc = couplings.channel_couplings(t_xz, ra, rb, aa, ab)
    base = couplings.from_microscopic(t_c=t_c, U=U, t_xz=t_xz, E_a=ra, E_b=rb, J_H=J_H, dos=dos)
    fa, fb, fh = singlet_factors(n_a, n_b)
    jka, jkb = fa * cc.J_K_a, fb * cc.J_K_b
    ka, kb, k = couplings.kappas(jka, jkb, fh * J_H)
    J_c = base.J_c if weights == "limit" else dimer_spectrum(t_c, U).gap
    V = couplings.pairing_strength(fh * J_H, J_c)
    lam = None if base.lam is None else base.lam * V / base.V
    chain = dataclasses.replace(base, eps_alpha=ea, eps_beta=eb, J_K_a=jka, J_K_b=jkb,
                                kappa_a=ka, kappa_b=kb, kappa=k, J_c=J_c, V=V, lam=lam)
    return DimerChain(ordering, weights, float(root) if ordering == "dimer" else None,
                      ra, rb, aa, ab, n_a, n_b, chain, fh)

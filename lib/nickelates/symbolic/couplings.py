"""Symbolic derivations of chapter 2 (SymPy, with pymablock where it helps).

Each function builds the cluster Hamiltonian from fermion operators, picks the
low-energy subspace, performs the (second-order) Schrieffer-Wolff reduction
and returns SymPy expressions, so that a chapter or a test can assert them
equal to the printed forms of Liu & Khaliullin (2026):

* :func:`hubbard_dimer_sw` -- J_c = 4 t_c^2/U and the singlet-triplet gap
  (pymablock on the two-electron Hubbard dimer);
* :func:`bond_operators` -- S_1, S_2, T, T^dagger on the 4-dim dimer space
  (Eq. 7 of the paper holds there exactly);
* :func:`hund_coupling` -- the T-linear part of Eq. (6) and Eq. (8);
* :func:`channel_sw` -- band shifts and Kondo couplings from the channel
  cluster (Eqs. 3 and 10), general intermediate energies;
* :func:`interaction_vertex` -- the triplon vertex A_mu of Eq. (11), read off
  the T-linear parts of the Hund term and of the channel cluster's SW Hamiltonian;
* :func:`triplon_pairing` -- the interband pair-scattering amplitude from
  second-order triplon exchange with that vertex (Eqs. 12-13);
* :func:`contact_interactions` -- an on-site repulsion U_x of the x^2-y^2
  orbital and a rung repulsion V_perp in the band basis (intraband repulsion
  and interband pair hopping);
* :func:`singlet_channel_sw` -- the same second order from the exact dimer singlet
  sqrt(n_b)|bb> - sqrt(n_a)|aa> instead of the covalent one: occupation-weighted band
  shifts, Kondo couplings scaled by sqrt(2 n_a), sqrt(2 n_b), the Hund vertex by the
  covalent amplitude;
* :func:`printed` -- the paper's printed forms, to compare with.

The SymPy symbols (``t_c``, ``U``, ``t_xz``, ``g``, ``E_a``, ``E_b``, the
intermediate energies ``E_rem_a`` = E^-_a, ``E_rem_b``, ``E_add_a`` = E^+_a,
``E_add_b``, ``J_H``, ``J_c``, ``f_a``, ``f_b``, ``kappa_a``, ``kappa_b``,
``eta_k``, ``eta_kp``) are module attributes; energies are in eV wherever
numbers are substituted. The numerical side of the same derivations is
:mod:`nickelates.couplings` and :mod:`nickelates.clusters`.

Fermion matrices are built numerically (exact small integers and 1/2,
1/sqrt2); the energies and couplings enter as SymPy symbols, and numerical
structure coefficients are converted to exact numbers (checked to 1e-12).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from .. import clusters

__all__ = [
    "hubbard_dimer_sw", "bond_operators", "eq7_residual", "hund_coupling", "channel_sw",
    "interaction_vertex", "triplon_pairing", "contact_interactions", "printed", "singlet_channel_sw",
    # SymPy symbols
    "t_c", "U", "t_xz", "g", "E_a", "E_b", "E_rem_a", "E_rem_b", "E_add_a", "E_add_b",
    "J_H", "J_c", "f_a", "f_b", "kappa_a", "kappa_b", "eta_k", "eta_kp", "n_a", "n_b",
]


def _exact(x: float) -> sp.Expr:
    """Exact SymPy number for a structure coefficient (rational or rational*sqrt2)."""
    for root2 in (False, True):
        base = x / np.sqrt(2) if root2 else x
        cand = sp.nsimplify(round(base, 12), rational=True)
        if abs(float(cand) - base) < 1e-12 and sp.denom(cand) <= 64:
            return cand * sp.sqrt(2) if root2 else cand
    raise ArithmeticError(f"structure coefficient {x!r} is not a simple exact number")


# ---------------------------------------------------------------- symbols
#: SymPy symbols: interlayer hopping t_c, Hubbard U, interorbital hopping t_xz, hybridization g = 2 t_xz eta_k
t_c, U, t_xz, g = sp.symbols("t_c U t_xz g", positive=True)
#: SymPy symbols: excitation energies of the dimer states that hybridize with alpha and beta
E_a, E_b = sp.symbols("E_a E_b", positive=True)
#: SymPy symbols: removal (E^-) and addition (E^+) energies of the a and b dimer channels
E_rem_a, E_rem_b, E_add_a, E_add_b = sp.symbols("E^-_a E^-_b E^+_a E^+_b", positive=True)
#: SymPy symbols: Hund coupling J_H and interlayer exchange J_c
J_H, J_c = sp.symbols("J_H J_c", positive=True)
#: SymPy symbols: occupations n_a, n_b of the dimer's bonding/antibonding orbitals
n_a, n_b = sp.symbols("n_a n_b", positive=True)
#: SymPy symbols: vertex form factors f^a, f^b, Kondo-to-Hund ratios kappa_a, kappa_b, form factors eta_k, eta_k'
f_a, f_b, kappa_a, kappa_b, eta_k, eta_kp = sp.symbols("f^a f^b kappa_a kappa_b eta_k eta_k'", real=True)


def printed() -> dict:
    """Return the paper's printed couplings (v3) as SymPy expressions.

    Returns
    -------
    dict
        ``J_c`` (4 t_c^2/U), ``eps_alpha``, ``eps_beta`` (Eq. 3), ``J_K_a``, ``J_K_b``
        (Eq. 10), ``V`` (3 J_H^2/2J_c) and ``V_kk`` (Eq. 13), in the module's symbols
        (energies in eV).

    Examples
    --------
    >>> printed()["J_c"]
    4*t_c**2/U
    """
    return {
        "J_c": 4 * t_c**2 / U,
        "eps_alpha": 4 * t_xz**2 * (1 / E_a - 1 / (E_a + U)),
        "eps_beta": 4 * t_xz**2 * (1 / E_b - 1 / (E_b + U)),
        "J_K_a": 4 * t_xz**2 * (1 / E_a + 1 / (E_a + U)),
        "J_K_b": 4 * t_xz**2 * (1 / E_b + 1 / (E_b + U)),
        "V": 3 * J_H**2 / (2 * J_c),
        "V_kk": 3 * J_H**2 / (2 * J_c) * (1 - kappa_a * eta_k * eta_kp) * (1 - kappa_b * eta_k * eta_kp),
    }


# ---------------------------------------------------------- Hubbard dimer
@lru_cache(maxsize=1)
def hubbard_dimer_sw() -> dict:
    """Return the second-order SW reduction of the two-electron Hubbard dimer (pymablock).

    Basis of the two-electron sector: covalent |s1 s2> = z1s1^+ z2s2^+|0>
    (uu, ud, du, dd; low-energy block) then ionic z1u^+z1d^+|0>,
    z2u^+z2d^+|0> (energy U). Cached: the same dict is returned on every call.

    Returns
    -------
    dict
        ``basis`` (LaTeX labels), ``H0`` and ``H1`` (6x6 SymPy matrices: the U term and
        the hopping times t_c), ``H_eff`` (4x4, second order in t_c), ``J`` (the exchange,
        4 t_c^2/U), ``gap_exact`` (exact singlet-triplet gap) and ``gap_series`` (its
        expansion to t_c^5).

    Examples
    --------
    >>> hubbard_dimer_sw()["J"]
    4*t_c**2/U
    """
    from pymablock import block_diagonalize

    cd = clusters.fermion_creation_operators(4)
    vac = np.zeros(16)
    vac[0] = 1.0
    cols = [cd[0 + s1] @ cd[2 + s2] @ vac for s1, s2 in ((0, 0), (0, 1), (1, 0), (1, 1))]
    cols += [cd[0] @ cd[1] @ vac, cd[2] @ cd[3] @ vac]
    Wb = np.array(cols).T
    hop = sum(cd[i] @ cd[j].T + cd[j] @ cd[i].T for i, j in ((0, 2), (1, 3)))
    h1 = sp.Matrix(6, 6, lambda i, j: _exact((Wb.T @ (-hop) @ Wb)[i, j]))
    H0 = sp.diag(0, 0, 0, 0, U, U)
    H1 = t_c * h1
    H_tilde, *_ = block_diagonalize(H0 + H1, subspace_indices=[0, 0, 0, 0, 1, 1], symbols=[t_c])
    H_eff = sp.simplify(H_tilde[0, 0, 2])
    # exact spectrum of the two-electron sector
    lam = sp.symbols("lambda")
    exact = sp.solve(sp.Matrix(H0 + H1).charpoly(lam).as_expr(), lam)
    E_singlet = min(exact, key=lambda e: float(e.subs({t_c: 0.6, U: 5})))
    gap_exact = sp.simplify(0 - E_singlet)
    evals = H_eff.eigenvals()
    J = sp.simplify(max(evals, key=lambda e: float(e.subs({t_c: 0.6, U: 5}))) -
                    min(evals, key=lambda e: float(e.subs({t_c: 0.6, U: 5}))))
    return dict(
        basis=[r"\lvert{\uparrow\uparrow}\rangle", r"\lvert{\uparrow\downarrow}\rangle",
               r"\lvert{\downarrow\uparrow}\rangle", r"\lvert{\downarrow\downarrow}\rangle",
               r"\lvert{\uparrow\downarrow},0\rangle", r"\lvert 0,{\uparrow\downarrow}\rangle"],
        H0=H0, H1=H1, H_eff=H_eff, J=J, gap_exact=gap_exact,
        gap_series=sp.series(gap_exact, t_c, 0, 6).removeO(),
    )


# ------------------------------------------------------------ bond operators
@lru_cache(maxsize=1)
def bond_operators() -> dict:
    """Return the spin and triplon operators on the 4-dim dimer space (SymPy).

    Basis: |uu>, |ud>, |du>, |dd> (layer 1 first). States s, t_x, t_y, t_z of
    :func:`nickelates.clusters.dimer_spin_basis`. Cached.

    Returns
    -------
    dict
        ``S1``, ``S2`` (lists of 3 spin matrices, units of hbar), ``T`` (T_mu = |s><t_mu|),
        ``Tdag`` (T_mu^+ = |t_mu><s|), ``s`` and ``t`` (the states as column vectors).

    Examples
    --------
    >>> b = bond_operators()
    >>> (b["Tdag"][2] * b["s"] - b["t"][2]).is_zero_matrix
    True
    """
    half = sp.Rational(1, 2)
    sx = sp.Matrix([[0, 1], [1, 0]]) * half
    sy = sp.Matrix([[0, -sp.I], [sp.I, 0]]) * half
    sz = sp.Matrix([[1, 0], [0, -1]]) * half
    e2 = sp.eye(2)
    S1 = [sp.kronecker_product(s, e2) for s in (sx, sy, sz)]
    S2 = [sp.kronecker_product(e2, s) for s in (sx, sy, sz)]
    r = 1 / sp.sqrt(2)
    s = sp.Matrix([0, r, -r, 0])
    t = [sp.Matrix([-r, 0, 0, r]), sp.Matrix([sp.I * r, 0, 0, sp.I * r]), sp.Matrix([0, r, r, 0])]
    T = [s * tm.H for tm in t]
    Tdag = [tm * s.H for tm in t]
    return dict(S1=S1, S2=S2, T=T, Tdag=Tdag, s=s, t=t)


def _cross(A, B):
    """(A x B)_mu = eps_{mu nu rho} A_nu B_rho for lists of matrices."""
    return [A[1] * B[2] - A[2] * B[1], A[2] * B[0] - A[0] * B[2], A[0] * B[1] - A[1] * B[0]]


def eq7_residual() -> list:
    """Return the residuals of Eq. (7), S_{1,2} - [+-(T^+ + T)/2 - (i/2) T^+ x T].

    Returns
    -------
    list of sympy.Matrix
        Six 4x4 matrices (S_1^x, S_1^y, S_1^z, S_2^x, ...), all zero: Eq. (7) holds
        exactly on the four states of one dimer.

    Examples
    --------
    >>> all(r.is_zero_matrix for r in eq7_residual())
    True
    """
    b = bond_operators()
    cr = _cross(b["Tdag"], b["T"])
    out = []
    for sign, S in ((1, b["S1"]), (-1, b["S2"])):
        for mu in range(3):
            rhs = sign * (b["Tdag"][mu] + b["T"][mu]) / 2 - sp.I / 2 * cr[mu]
            out.append(sp.simplify(S[mu] - rhs))
    return out


# ------------------------------------------------------------------ Hund
def _conduction_ops():
    """Creation operators of alpha-up, alpha-dn, beta-up, beta-dn (16x16, sympy)."""
    cd = clusters.fermion_creation_operators(4)
    return [sp.Matrix(o.astype(int)) for o in cd]


def _spin_density(cdl, cr):
    """(1/2) l^+ sigma r; cdl = [l_up^+, l_dn^+], cr = [r_up, r_dn]."""
    half = sp.Rational(1, 2)
    sx = half * (cdl[0] * cr[1] + cdl[1] * cr[0])
    sy = half * (-sp.I * cdl[0] * cr[1] + sp.I * cdl[1] * cr[0])
    sz = half * (cdl[0] * cr[0] - cdl[1] * cr[1])
    return [sx, sy, sz]


@lru_cache(maxsize=1)
def hund_coupling() -> dict:
    """Return the Hund coupling of Eq. (6) on one bilayer site: dimer (4) x conduction (16).

    x_1 = (beta + alpha)/sqrt2, x_2 = (beta - alpha)/sqrt2. Cached.

    Returns
    -------
    dict
        ``H`` (64x64, the operator -2 J_H (S1.s1 + S2.s2), J_H in eV), ``H_lin`` (its
        T-linear part: the blocks between singlet and triplets), ``rhs`` (the right-hand
        side of Eq. (8), -J_H (T^+ + T).(s_ab + s_ba)), and the 16x16 components of
        ``s1_minus_s2`` and ``s_ab_plus_s_ba``.

    Examples
    --------
    >>> h = hund_coupling()
    >>> (h["H_lin"] - h["rhs"]).is_zero_matrix
    True
    """
    cd = _conduction_ops()
    c = [o.T for o in cd]
    r = 1 / sp.sqrt(2)
    x1d = [r * (cd[2 + s] + cd[0 + s]) for s in (0, 1)]
    x2d = [r * (cd[2 + s] - cd[0 + s]) for s in (0, 1)]
    x1 = [m.T for m in x1d]
    x2 = [m.T for m in x2d]
    s1 = [sp.expand(m) for m in _spin_density(x1d, x1)]
    s2 = [sp.expand(m) for m in _spin_density(x2d, x2)]
    s_ab = _spin_density(cd[0:2], c[2:4])
    s_ba = _spin_density(cd[2:4], c[0:2])
    b = bond_operators()
    kron = sp.kronecker_product
    H = sp.zeros(64, 64)
    for mu in range(3):
        H += -2 * J_H * (kron(b["S1"][mu], s1[mu]) + kron(b["S2"][mu], s2[mu]))
    # T-linear part: P_s H P_t + P_t H P_s with P_s = |s><s|, P_t = 1 - P_s
    Ps = kron(b["s"] * b["s"].H, sp.eye(16))
    Pt = sp.eye(64) - Ps
    H_lin = sp.expand(Ps * H * Pt + Pt * H * Ps)
    rhs = sp.zeros(64, 64)
    for mu in range(3):
        rhs += -J_H * kron(b["Tdag"][mu] + b["T"][mu], s_ab[mu] + s_ba[mu])
    return dict(H=H, H_lin=sp.expand(H_lin), rhs=sp.expand(rhs),
                s1_minus_s2=[sp.expand(a - bb) for a, bb in zip(s1, s2)],
                s_ab_plus_s_ba=[sp.expand(a + bb) for a, bb in zip(s_ab, s_ba)])


# ----------------------------------------------------------- channel SW
@lru_cache(maxsize=1)
def channel_sw() -> dict:
    """Return the second-order SW couplings of the channel cluster in closed form.

    Intermediate dimer states: 1 electron left in a (b), energy E^-_a = ``E_rem_a``
    (``E_rem_b``); 3 electrons with a hole in a (b), energy E^+_a = ``E_add_a``
    (``E_add_b``). Hybridization g (= 2 t_xz eta_k). The structure coefficients come
    from the numerical cluster (:func:`nickelates.clusters.channel_cluster_hamiltonian`,
    :func:`nickelates.clusters.effective_channel_couplings`), made exact. Cached.

    Returns
    -------
    dict
        SymPy expressions (eV) ``shift_alpha``, ``shift_beta`` (quasiparticle shifts at
        the Fermi level, dimer singlet), ``J_K_a``, ``J_K_b`` (coefficients of T^+ s_ab
        and T s_ab), and ``coefficients`` {intermediate kind: {coupling: exact number}}.

    Examples
    --------
    >>> sp.simplify(channel_sw()["J_K_a"] - g**2 * (1 / E_rem_a + 1 / E_add_b))
    0
    """
    H0, Vm, low, meta = clusters.channel_cluster_hamiltonian(1.0, 1.0, 1.0, 1.0, 1.0, E_ion=1.0)
    kinds = np.repeat(np.array(meta["kind"]), 16)
    high = np.setdiff1d(np.arange(256), low)
    sym = {"rem_a": E_rem_a, "rem_b": E_rem_b, "add_a": E_add_a, "add_b": E_add_b}
    result = {f: 0 for f in clusters.CHANNEL_FIELDS}
    coeffs = {}
    for k, E in sym.items():
        hk = high[kinds[high] == k]
        Vlh = Vm[np.ix_(low, hk)]
        M = -Vlh @ Vlh.T                      # numerator of -V V / E for this kind
        cc = clusters.effective_channel_couplings(M)
        coeffs[k] = {f: _exact(getattr(cc, f)) for f in result}
        for f in result:
            result[f] += g**2 * coeffs[k][f] / E
    # ionic / empty / full intermediate states are not reached at second order
    for k in ("ion", "empty", "full"):
        hk = high[kinds[high] == k]
        assert np.allclose(Vm[np.ix_(low, hk)], 0.0)
    result = {f: sp.simplify(v) for f, v in result.items()}
    result["coefficients"] = coeffs
    return result


# ------------------------------------------------ exact singlet (weights n_a, n_b)
@lru_cache(maxsize=1)
def singlet_channel_sw() -> dict:
    """Return the second-order channel couplings from the exact dimer singlet, in closed form.

    The two-electron singlet of the Hubbard dimer is sqrt(n_b)|b_up b_dn> -
    sqrt(n_a)|a_up a_dn> (n_a + n_b = 1; n_a = n_b = 1/2 is the covalent singlet of
    :func:`channel_sw`). The intermediate states are the dimer's one- and
    three-electron states, exact eigenstates labelled by the orbital of the electron
    (hole), with energies ``E_rem_a`` ... ``E_add_b`` as in :func:`channel_sw`;
    second order -<f|V|m><m|V|i>/E_m with V = sum_s (alpha_s^+ a_s + beta_s^+ b_s + h.c.)
    (g = 1) is evaluated with fermion matrices on the 256 states, separately for the
    |bb> and |aa> parts, and the structure coefficients are made exact. The triplon
    operator is T^+ = |t><s| with the exact singlet; the Kondo couplings are
    normalized so that they equal :func:`channel_sw`'s at n_a = n_b = 1/2. Cached.

    Returns
    -------
    dict
        SymPy expressions (g^2 times 1/energy, eV) ``shift_alpha``, ``shift_beta``,
        ``J_K_a``, ``J_K_b`` in the symbols ``n_a``, ``n_b``, ``g`` and the four
        intermediate energies, and ``hund_factor`` = <t_z|S_1^z - S_2^z|s> over its
        covalent value (dimensionless, in ``n_a``, ``n_b``).

    Examples
    --------
    >>> r = singlet_channel_sw()
    >>> sp.simplify(r["J_K_a"] - sp.sqrt(2 * n_a) * g**2 * (1 / E_rem_a + 1 / E_add_b))
    0
    """
    cd = clusters.fermion_creation_operators(8)
    ann = [o.T for o in cd]
    Z1U, Z1D, Z2U, Z2D, AU, _, BU, _ = range(8)
    r2 = 1 / np.sqrt(2)
    a = [r2 * (ann[Z1U + k] - ann[Z2U + k]) for k in (0, 1)]
    b = [r2 * (ann[Z1U + k] + ann[Z2U + k]) for k in (0, 1)]
    hop = sum(cd[AU + k] @ a[k] + cd[BU + k] @ b[k] for k in (0, 1))
    V = hop + hop.T
    vac = np.zeros(256)
    vac[0] = 1.0
    bb = b[0].T @ b[1].T @ vac
    aa = a[0].T @ a[1].T @ vac
    s_cov = r2 * (cd[Z1U] @ cd[Z2D] - cd[Z1D] @ cd[Z2U]) @ vac
    sign = int(round(float(np.sqrt(2) * (aa @ s_cov))))   # s_cov = (|bb> + sign |aa>)/sqrt2
    assert abs(abs(np.sqrt(2) * (aa @ s_cov)) - 1) < 1e-12 and abs(np.sqrt(2) * (bb @ s_cov) - 1) < 1e-12
    u, v = sp.sqrt(n_b), sp.sqrt(n_a)
    nz = [cd[i] @ ann[i] for i in range(4)]
    D = 0.5 * (nz[0] - nz[1]) - 0.5 * (nz[2] - nz[3])     # S_1^z - S_2^z
    t = D @ s_cov
    t = t / np.linalg.norm(t)
    # projectors on the intermediate families from the orbital occupations (commuting, 0..2)
    occ_a = sum(a[k].T @ a[k] for k in (0, 1))
    occ_b = sum(b[k].T @ b[k] for k in (0, 1))
    eye = np.eye(256)

    def proj(op, k):
        out = eye.copy()
        for j in (0, 1, 2):
            if j != k:
                out = out @ (op - j * eye) / (k - j)
        return out

    fam = {E_rem_a: proj(occ_a, 1) @ proj(occ_b, 0), E_rem_b: proj(occ_a, 0) @ proj(occ_b, 1),
           E_add_a: proj(occ_a, 1) @ proj(occ_b, 2), E_add_b: proj(occ_a, 2) @ proj(occ_b, 1)}

    def element(bra, ket_bb, ket_aa):
        """-<bra|V P_m V|singlet-part> per family, for the |bb> and |aa> parts (g = 1)."""
        return {E: (-(bra @ V @ P @ V @ ket_bb), -(bra @ V @ P @ V @ ket_aa)) for E, P in fam.items()}

    def combine(parts, scale):
        return sum((_exact(cb / scale) * u + sign * _exact(ca / scale) * v) / E for E, (cb, ca) in parts.items())

    unit = 0.5 * float(t @ D @ s_cov)                  # <t a_up| T_z^+ s^z_ab |s b_up>
    up_a, up_b = cd[AU], cd[BU]
    jka = combine(element(up_a @ t, up_b @ bb, up_b @ aa), unit)
    # T . s_ab: triplet + beta -> singlet + alpha; by symmetry of V the same as <t beta|..|s alpha>
    jkb = combine(element(up_b @ t, up_a @ bb, up_a @ aa), unit)

    def diagonal(up):
        """<s c|H2|s c> - <s|H2|s> with c = up (the shift of one conduction electron)."""
        out = 0
        for E, P in fam.items():
            M = -(V @ P @ V)
            for x, cx in ((bb, u), (aa, sign * v)):
                for y, cy in ((bb, u), (aa, sign * v)):
                    val = (up @ x) @ M @ (up @ y) - x @ M @ y
                    if abs(val) > 1e-13:
                        out += _exact(val) * cx * cy / E
        return sp.simplify(out)

    hund = (_exact(t @ D @ bb) * u + sign * _exact(t @ D @ aa) * v) / _exact(t @ D @ s_cov)
    return dict(shift_alpha=sp.simplify(g**2 * diagonal(up_a)), shift_beta=sp.simplify(g**2 * diagonal(up_b)),
                J_K_a=sp.simplify(g**2 * jka), J_K_b=sp.simplify(g**2 * jkb), hund_factor=sp.simplify(hund))


# ------------------------------------------------------- triplon vertex
def _exact_complex(z) -> sp.Expr:
    """Exact SymPy number for a complex structure coefficient."""
    z = complex(z)
    re_, im_ = (0 if abs(z.real) < 1e-13 else _exact(z.real)), (0 if abs(z.imag) < 1e-13 else _exact(z.imag))
    return re_ + sp.I * im_


def _exact_matrix(m) -> sp.Matrix:
    m = np.asarray(m)
    out = sp.zeros(*m.shape)
    for i, j in zip(*np.nonzero(np.abs(m) > 1e-13)):
        out[i, j] = _exact_complex(m[i, j])
    return out


def _hs_coefficient(op: sp.Matrix, basis: sp.Matrix):
    """Hilbert-Schmidt coefficient of ``basis`` in ``op``: Tr(basis^+ op) / Tr(basis^+ basis)."""
    num, den = 0, 0
    for i in range(basis.rows):
        for j in range(basis.cols):
            b = basis[i, j]
            if b != 0:
                num += sp.conjugate(b) * op[i, j]
                den += sp.conjugate(b) * b
    return sp.simplify(num / den)


@lru_cache(maxsize=1)
def interaction_vertex() -> dict:
    """Return the triplon vertex A_mu of Eq. (11) from the Hund term and the channel cluster.

    H_int = sum_mu (T_mu^+ A_mu + A_mu^+ T_mu) on one bilayer site. A_mu =
    <t_mu| H_lin |s> (a 16x16 operator on the conduction modes alpha-up,
    alpha-dn, beta-up, beta-dn) is read off the sum of (i) the T-linear Hund term
    of :func:`hund_coupling` and (ii) the singlet-triplet blocks of the channel
    cluster's second-order SW Hamiltonian (:func:`channel_sw`'s cluster, structure
    coefficients made exact), with g^2 -> 4 t_xz^2 eta_k eta_k' for the two momenta
    of the vertex. Nothing about the form factors is assumed: A_mu is then
    decomposed on s_ab^mu = (1/2) alpha^+ sigma^mu beta and s_ba^mu, and the
    residual of that decomposition is returned. Cached.

    Returns
    -------
    dict
        ``A`` (three 16x16 SymPy matrices, eV), ``c_ab`` and ``c_ba`` (lists of the three
        coefficients of s_ab^mu and s_ba^mu in A_mu, eV), ``residual`` (three 16x16
        matrices, A_mu minus its decomposition: zero if A_mu is a combination of s_ab and
        s_ba), ``kondo_Tdag_s_ab`` and ``kondo_T_s_ab`` (the channel-cluster coefficients
        of T^+ . s_ab and T . s_ab per unit g^2 eta-product, as functions of the
        intermediate energies E^+-_{a,b}, eV).

    Examples
    --------
    >>> v = interaction_vertex()
    >>> sp.simplify(v["c_ab"][0] - v["c_ab"][2]) == 0 and all(r.is_zero_matrix for r in v["residual"])
    True
    """
    H0, Vm, low, meta = clusters.channel_cluster_hamiltonian(1.0, 1.0, 1.0, 1.0, 1.0, E_ion=1.0)
    kinds = np.repeat(np.array(meta["kind"]), 16)
    high = np.setdiff1d(np.arange(256), low)
    sym = {"rem_a": E_rem_a, "rem_b": E_rem_b, "add_a": E_add_a, "add_b": E_add_b}
    B = clusters.dimer_spin_basis()
    eye16 = np.eye(16)
    ket_s = np.kron(B[0].reshape(4, 1), eye16)                   # |s> x 1   (64 x 16)
    bra_t = [np.kron(B[1 + mu].conj().reshape(1, 4), eye16) for mu in range(3)]
    A_K = [sp.zeros(16, 16) for _ in range(3)]
    for k, E in sym.items():
        hk = high[kinds[high] == k]
        Vlh = Vm[np.ix_(low, hk)]
        M = -Vlh @ Vlh.T                                         # numerator of -V V / E (g = 1)
        for mu in range(3):
            A_K[mu] += _exact_matrix(bra_t[mu] @ M @ ket_s) / E
    g2 = 4 * t_xz**2 * eta_k * eta_kp
    b = bond_operators()
    H_lin = hund_coupling()["H_lin"]
    ket_s_sym = sp.kronecker_product(b["s"], sp.eye(16))
    cd = _conduction_ops()
    c = [o.T for o in cd]
    s_ab = _spin_density(cd[0:2], c[2:4])
    s_ba = _spin_density(cd[2:4], c[0:2])
    A, c_ab, c_ba, res, k_dag, k_t = [], [], [], [], [], []
    for mu in range(3):
        A_H = sp.kronecker_product(b["t"][mu].H, sp.eye(16)) * H_lin * ket_s_sym
        Amu = sp.expand(A_H + g2 * A_K[mu])
        cab, cba = _hs_coefficient(Amu, s_ab[mu]), _hs_coefficient(Amu, s_ba[mu])
        A.append(Amu)
        c_ab.append(cab)
        c_ba.append(cba)
        res.append(sp.expand(Amu - cab * s_ab[mu] - cba * s_ba[mu]))
        k_dag.append(_hs_coefficient(A_K[mu], s_ab[mu]))
        # T . s_ab appears in A_mu^+ T_mu: its coefficient is that of s_ba in A_mu (real couplings)
        k_t.append(_hs_coefficient(A_K[mu], s_ba[mu]))
    for lst in (k_dag, k_t):
        assert all(sp.simplify(x - lst[0]) == 0 for x in lst), "polarizations differ"
    return dict(A=A, c_ab=c_ab, c_ba=c_ba, residual=res, kondo_Tdag_s_ab=k_dag[0], kondo_T_s_ab=k_t[0])


# ------------------------------------------------------- triplon pairing
@lru_cache(maxsize=1)
def triplon_pairing() -> dict:
    """Return the pair scattering beta beta -> alpha alpha from second-order triplon exchange.

    One local dimer (singlet + triplets, triplon energy J_c) and conduction
    modes alpha_{k up}, alpha_{k dn}, alpha_{-k up}, alpha_{-k dn}, same for
    beta at k'. The vertex is that of :func:`interaction_vertex`,
    A_mu = c_ab s_ab^mu + c_ba s_ba^mu, its coefficients taken from the cluster
    output (even in k, so every momentum combination carries the same
    coefficients). Second order from the singlet gives H_eff = -(1/J_c)
    sum_mu A_mu^+ A_mu; its pair matrix elements are computed for symbolic c_ab,
    c_ba (``V_generic``) and then evaluated with the cluster's vertex. Cached.

    Returns
    -------
    dict
        ``V_generic``: <alpha_{k up} alpha_{-k dn}| H_eff |beta_{k' up} beta_{-k' dn}>
        (Eq. 12 ordering) as a function of the symbols ``A_ab``, ``A_ba`` (eV);
        ``A_symbols``: those two symbols; ``V_kk``: the same with the vertex of
        :func:`interaction_vertex` (in J_H, J_c, t_xz, eta_k, eta_k' and the intermediate
        energies, eV); ``V``: the same with Eq. (11)'s notation A_ab = -J_H f^a,
        A_ba = -J_H f^b (eV); ``V_triplet``: the same for an interband triplet pair
        (zero); ``spin_structure``: sum_mu <s_ab^mu s_ab^mu> (-3/2);
        ``per_polarization``: its three contributions (triplons x, y, z).

    Examples
    --------
    >>> triplon_pairing()["spin_structure"]
    -3/2
    """
    from scipy import sparse

    cd = [sparse.csr_matrix(o) for o in clusters.fermion_creation_operators(8)]
    c = [o.T.tocsr() for o in cd]
    # modes: alpha (k up, k dn, -k up, -k dn) = 0..3, beta (k' up, k' dn, -k' up, -k' dn) = 4..7
    sig = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1.0, -1.0])]

    def s_lr(l0, r0):
        out = []
        for m in sig:
            op = sparse.csr_matrix((256, 256), dtype=complex)
            for pl in (0, 2):
                for pr in (0, 2):
                    for s1 in (0, 1):
                        for s2 in (0, 1):
                            if m[s1, s2] != 0:
                                op = op + 0.5 * m[s1, s2] * (cd[l0 + pl + s1] @ c[r0 + pr + s2])
            out.append(op)
        return out

    s_op = {"ab": s_lr(0, 4), "ba": s_lr(4, 0)}
    vac = np.zeros(256)
    vac[0] = 1.0
    ket_bb = cd[4] @ cd[7] @ vac            # beta^+_{k' up} beta^+_{-k' dn}
    bra_aa = cd[0] @ cd[3] @ vac            # alpha^+_{k up} alpha^+_{-k dn}
    ket_bb_t = cd[4] @ cd[6] @ vac          # an interband triplet pair (up up)
    bra_aa_t = cd[0] @ cd[2] @ vac
    A_ab, A_ba = sp.symbols("A_ab A_ba", real=True)
    coef = {"ab": A_ab, "ba": A_ba}
    # A_mu^+ = sum_X conj(c_X) (s_X^mu)^+ ; (s_ab^mu)^+ = s_ba^mu
    dag = {"ab": "ba", "ba": "ab"}

    def pair_element(bra, ket):
        tot = 0
        for x in ("ab", "ba"):
            for y in ("ab", "ba"):
                m = sum(bra @ (s_op[dag[x]][mu] @ (s_op[y][mu] @ ket)) for mu in range(3))
                if abs(m) > 1e-13:
                    assert abs(np.imag(m)) < 1e-12
                    tot += coef[x] * coef[y] * _exact(float(np.real(m)))
        return -tot / J_c

    V_gen = sp.expand(pair_element(bra_aa, ket_bb))
    V_trip = sp.expand(pair_element(bra_aa_t, ket_bb_t))
    vert = interaction_vertex()
    V_kk = sp.factor(V_gen.subs({A_ab: vert["c_ab"][0], A_ba: vert["c_ba"][0]}))
    V_f = sp.simplify(V_gen.subs({A_ab: -J_H * f_a, A_ba: -J_H * f_b}))
    per_mu = [bra_aa @ (s @ (s @ ket_bb)) for s in s_op["ab"]]
    ms = _exact(float(np.real(sum(per_mu))))
    return dict(V_generic=V_gen, A_symbols=(A_ab, A_ba), V_kk=V_kk, V=V_f, V_triplet=V_trip,
                spin_structure=ms, per_polarization=[_exact(float(np.real(m))) for m in per_mu])


# --------------------------------------------------- contact interactions
@lru_cache(maxsize=1)
def contact_interactions() -> dict:
    """Return an on-site U_x and a rung repulsion V_perp of the x^2-y^2 orbitals in the band basis.

    H = U_x sum_l n_{l up} n_{l dn} + V_perp n_1 n_2 on one bilayer site, with
    x_{1,2} = (beta +- alpha)/sqrt2 (modes alpha-up, alpha-dn, beta-up, beta-dn).
    The local matrix elements between the singlet pair states
    |zeta zeta> = zeta_up^+ zeta_dn^+ |0> are the couplings that a contact
    interaction adds to the gap equation (per k-point, as V): the intraband
    repulsions <alpha alpha|H|alpha alpha>, <beta beta|H|beta beta> and the interband
    pair hopping <alpha alpha|H|beta beta>. Cached.

    Returns
    -------
    dict
        ``U_x``, ``V_perp`` (the SymPy symbols, eV), ``H`` (16x16), ``intra_alpha``,
        ``intra_beta``, ``pair_hopping`` (SymPy expressions, eV).

    Examples
    --------
    >>> ci = contact_interactions()
    >>> ci["pair_hopping"]
    U_x/2 - V_perp/2
    """
    U_x, V_perp = sp.symbols("U_x V_perp", positive=True)
    cd = _conduction_ops()
    r = 1 / sp.sqrt(2)
    x1d = [r * (cd[2 + s] + cd[0 + s]) for s in (0, 1)]
    x2d = [r * (cd[2 + s] - cd[0 + s]) for s in (0, 1)]
    n1 = [sp.expand(m * m.T) for m in x1d]
    n2 = [sp.expand(m * m.T) for m in x2d]
    H = sp.expand(U_x * (n1[0] * n1[1] + n2[0] * n2[1]) + V_perp * (n1[0] + n1[1]) * (n2[0] + n2[1]))
    vac = sp.zeros(16, 1)
    vac[0] = 1
    aa = cd[0] * cd[1] * vac
    bb = cd[2] * cd[3] * vac
    el = lambda u, v: sp.simplify((u.T * H * v)[0, 0])  # noqa: E731
    return dict(U_x=U_x, V_perp=V_perp, H=H, intra_alpha=el(aa, aa), intra_beta=el(bb, bb),
                pair_hopping=el(aa, bb))

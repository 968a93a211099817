"""The O(t^2)-complete sc/cc ladder solved exactly, and its mean field on open ladders (chapters 6-7).

Issue 24 asks where the mean field's miss in the balance point J_c (N_sc = 2 N_cc) comes
from.  Three comparisons at the same ladder length L and hole number N_h split it:

* **model error** = J_c of the effective model (the paper's Eqs. 4-8 with the O(t^2)
  terms :mod:`nickelates.mixd_clusters` derives: three-site pair hop, sc-cc repulsion,
  three-site terms with a cc), solved *exactly* on the open ladder
  (:func:`effective_ground_state`, :func:`effective_balance_point`), minus the exact
  J_c of the microscopic MixD+V ladder (:func:`nickelates.mixd_exact.balance_point`);
* **ansatz error** = J_c of the BCS x coherent-state ansatz for the *same* model on the
  *same* open ladder (:func:`real_space_mean_field`, :func:`real_space_balance_point`),
  minus the effective model's exact J_c;
* **boundary error** = J_c of the periodic mean field
  (:func:`nickelates.mixd.balance_point` with every O(t^2) flag) minus the open one.

The three add up to the miss of the complete mean field, J_c(MF, periodic) - J_c(exact).

The effective model lives on rung states S (singlet, no hole), sc (one hole; four
flavours (leg of the hole, spin of the electron), order of
:data:`nickelates.mixd_clusters.SC_FLAVOURS`) and cc (two holes); rung triplets are
projected out.  Its Hamiltonian is built from the operator strings of
:mod:`nickelates.mixd_clusters` (the same terms whose 2-4-rung matrices equal pymablock's
second-order block-diagonalization of the microscopic model), split as
H = J N_sc + (V + J) N_cc + t H_1 + t^2 (A / J + B / V) so that one build serves every
J_perp.  A sector is (N_h, holes per leg, 2 S^z), the microscopic ED's sector
(:func:`nickelates.mixd_exact.holes_per_leg`, :func:`nickelates.mixd_exact.min_two_sz`).

The real-space mean field keeps the paper's ansatz (inter-layer singlet BCS state of
sc's, coherent state of cc's) but lets the normal and anomalous correlations
g_ij = <f+_ia f_ja>, P_ij and the condensate amplitudes beta_j = <b_j> vary along the
ladder.  Every term's expectation value is evaluated by Wick's theorem on the bond or
three-rung string it acts on (SymPy, :func:`local_energy_terms`; on a uniform periodic
ladder the expressions reduce to :func:`nickelates.mixd_clusters.mean_field_energy_terms`).
At fixed N_cc the sc part is solved by self-consistent Bogoliubov-de Gennes equations,
the condensate by the exact minimum of a quadratic form on the sphere sum beta_j^2 =
N_cc, alternately; the balance point is the root of dE/dN_cc = lambda - 2 mu (cc and sc
chemical potentials) at N_cc = N_h / 4.

Energies in units of V (``V = 1`` in the book); doping delta = N_h / L (holes per rung).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from . import _validate as check
from .errors import ConvergenceError

__all__ = [
    "EffectiveGroundState",
    "effective_hamiltonian",
    "effective_ground_state",
    "effective_balance_point",
    "local_energy_terms",
    "RealSpaceMeanField",
    "real_space_mean_field",
    "real_space_balance_point",
    "AnsatzSplit",
    "ansatz_split",
    "EFFECTIVE_MAX_DIM",
]

#: largest sector handled by :func:`effective_ground_state` (sparse matrix, Lanczos)
EFFECTIVE_MAX_DIM = 400_000
#: largest ladder of the effective ED and the real-space mean field
_MAX_L = 16
#: largest ladder of the real-space mean field (dense 2L x 2L BdG matrices)
_MAX_L_MF = 64
_S, _CC = 0, 5            # rung codes: 0 = S, 1..4 = sc flavours, 5 = cc
_FLAG_NAMES = ("three_site", "sc_cc_repulsion", "cc_three_site")
_LAST = {}                # warm starts of the real-space mean field, per (L, N_h, flags, boundary)


# --------------------------------------------------------------------------- the effective model exactly
def _code(flavour):
    from .mixd_clusters import SC_FLAVOURS
    return 1 + SC_FLAVOURS.index(tuple(flavour))


def _rung_tables():
    from .mixd_clusters import SC_FLAVOURS
    h0 = np.array([0] + [1 - mu for mu, _ in SC_FLAVOURS] + [1])
    h1 = np.array([0] + [mu for mu, _ in SC_FLAVOURS] + [1])
    sz = np.array([0] + [1 - 2 * s for _, s in SC_FLAVOURS] + [0])
    return h0, h1, sz


def _sector(L, n_holes, holes_leg, two_sz):
    from . import mixd_exact as mx
    h0, h1 = mx.holes_per_leg(n_holes) if holes_leg is None else holes_leg
    if two_sz is None:
        two_sz = mx.min_two_sz(L, n_holes)
    return h0, h1, two_sz


def _sector_count(L, n_holes, holes_leg=None, two_sz=None):
    """Number of states of one sector, counted (no enumeration): cc's, then sc legs, then spins."""
    from math import comb
    h0, h1, two_sz = _sector(L, n_holes, holes_leg, two_sz)
    total = 0
    for ncc in range(min(h0, h1) + 1):
        n0, n1 = h0 - ncc, h1 - ncc
        n = n0 + n1
        if ncc + n > L or (n + two_sz) % 2 or abs(two_sz) > n:
            continue
        total += comb(L, ncc) * comb(L - ncc, n) * comb(n, n0) * comb(n, (n + two_sz) // 2)
    return total


def _sector_states(L, n_holes, holes_leg, two_sz):
    """Rung-code rows (int8, sorted by their base-6 code) of one (h0, h1, 2S^z) sector."""
    h0, h1, two_sz = _sector(L, n_holes, holes_leg, two_sz)
    if _sector_count(L, n_holes, (h0, h1), two_sz) > EFFECTIVE_MAX_DIM:
        raise ValueError(f"L={L}, n_holes={n_holes}: the effective sector has "
                         f"{_sector_count(L, n_holes, (h0, h1), two_sz)} states, more than "
                         f"EFFECTIVE_MAX_DIM={EFFECTIVE_MAX_DIM}")
    if _sector_count(L, n_holes, (h0, h1), two_sz) == 0:
        return np.zeros((0, L), dtype=np.int8), np.zeros(0, dtype=np.int64)
    t0, t1, tz = _rung_tables()
    st = np.zeros((1, 0), dtype=np.int8)
    c0 = c1 = cz = np.zeros(1, dtype=np.int64)
    for i in range(L):
        rest = L - i - 1
        new, n0, n1, nz = [], [], [], []
        for r in range(6):
            a0, a1, az = c0 + t0[r], c1 + t1[r], cz + tz[r]
            ok = (a0 <= h0) & (a1 <= h1) & (a0 + rest >= h0) & (a1 + rest >= h1)
            ok &= np.abs(az - two_sz) <= rest
            if np.any(ok):
                new.append(np.hstack([st[ok], np.full((int(ok.sum()), 1), r, dtype=np.int8)]))
                n0.append(a0[ok])
                n1.append(a1[ok])
                nz.append(az[ok])
        st = np.vstack(new)
        c0, c1, cz = np.concatenate(n0), np.concatenate(n1), np.concatenate(nz)
    keep = (c0 == h0) & (c1 == h1) & (cz == two_sz)
    st = st[keep]
    codes = _encode(st)
    order = np.argsort(codes)
    return st[order], codes[order]


def _encode(st):
    w = 6 ** np.arange(st.shape[1] - 1, -1, -1, dtype=np.int64)
    return st.astype(np.int64) @ w


def _apply_string(ops, st):
    """Apply an operator string (right to left) to all rows: (column indices, amplitudes, new rows)."""
    cols = np.arange(st.shape[0])
    lab = st.copy()
    amp = np.ones(st.shape[0])
    is_sc = (lab >= 1) & (lab <= 4)
    for op in reversed(ops):
        kind, i = op[0], op[1]
        col = lab[:, i]
        if kind in ("fd", "f"):
            target = _S if kind == "fd" else _code(op[2])
            ok = col == target
            lab, cols, amp, is_sc = lab[ok], cols[ok], amp[ok], is_sc[ok]
            amp = amp * (1 - 2 * (np.sum(is_sc[:, :i], axis=1) % 2))
            lab[:, i] = _code(op[2]) if kind == "fd" else _S
            is_sc[:, i] = kind == "fd"
        else:
            ok = col == (_S if kind == "bd" else _CC)
            lab, cols, amp, is_sc = lab[ok], cols[ok], amp[ok], is_sc[ok]
            lab[:, i] = _CC if kind == "bd" else _S
        if lab.shape[0] == 0:
            break
    return cols, amp, lab


def _triplet_terms(L):
    from .mixd_clusters import SC_FLAVOURS, _triplet_matrix
    T = _triplet_matrix()
    terms = []
    for i in range(L - 1):
        for row, col in zip(*np.nonzero(np.abs(T) > 1e-15)):
            a2, b2 = SC_FLAVOURS[row // 4], SC_FLAVOURS[row % 4]
            a, b = SC_FLAVOURS[col // 4], SC_FLAVOURS[col % 4]
            terms.append((-4.0 * float(T[row, col]), [("fd", i, a2), ("fd", i + 1, b2),
                                                     ("f", i + 1, b), ("f", i, a)]))
    return terms


def _sparse(terms, st, codes):
    import scipy.sparse as sps
    rows, cols, vals = [], [], []
    for coef, ops in terms:
        if coef == 0.0:
            continue
        c, a, lab = _apply_string(ops, st)
        if c.size == 0:
            continue
        idx = np.searchsorted(codes, _encode(lab))
        if np.any(idx >= codes.size) or np.any(codes[np.minimum(idx, codes.size - 1)] != _encode(lab)):
            raise RuntimeError("effective model: a term leaves the sector")  # pragma: no cover
        rows.append(idx)
        cols.append(c)
        vals.append(coef * a)
    n = st.shape[0]
    if not rows:
        return sps.csr_matrix((n, n))
    return sps.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))


@functools.lru_cache(maxsize=16)
def _pieces(L, n_holes, flags, holes_leg=None, two_sz=None):
    """(states, N_sc, N_cc, H1, A, B) of one sector: H = J N_sc + (V+J) N_cc + t H1 + t^2 (A/J + B/V)."""
    import scipy.sparse as sps

    from . import mixd_clusters as mc
    three_site, sc_cc_repulsion, cc_three_site = flags
    st, codes = _sector_states(L, n_holes, holes_leg, two_sz)
    sc = (st >= 1) & (st <= 4)
    cc = st == _CC
    n_sc, n_cc = sc.sum(axis=1).astype(float), cc.sum(axis=1).astype(float)
    bonds = np.array([(i > 0) + (i < L - 1) for i in range(L)], dtype=float)
    dA = -0.75 * (sc * bonds).sum(axis=1) + 1.5 * (sc[:, :-1] & sc[:, 1:]).sum(axis=1)
    if sc_cc_repulsion:
        dA += 0.75 * ((sc[:, :-1] & cc[:, 1:]) | (cc[:, :-1] & sc[:, 1:])).sum(axis=1)
    H1 = _sparse(mc._first_order_terms(L, 1), st, codes)
    A = sps.diags(dA).tocsr()
    B = _sparse(_triplet_terms(L), st, codes)
    if three_site:
        A = A + _sparse(mc._three_site_terms(L), st, codes)
    if cc_three_site:
        A = A + _sparse(mc._cc_three_site_terms(L, 1.0, np.inf), st, codes)   # the 1/J part
        B = B + _sparse(mc._cc_three_site_terms(L, np.inf, 1.0), st, codes)   # the 1/V part
    for m in (H1, A, B):
        m.sum_duplicates()
    st.flags.writeable = False
    return st, n_sc, n_cc, H1.tocsr(), A.tocsr(), B.tocsr()


def _check_model(L, n_holes, J_perp, V, t_par, complete):
    L = check.integer("L", L, 2, _MAX_L)
    n_holes = check.integer("n_holes", n_holes, 1, 2 * L)
    J = check.positive("J_perp", J_perp, hi=1e6)
    Vv = check.positive("V", V, hi=1e6)
    t = check.in_range("t_par", t_par, 1e-6, 1.0)
    complete = check.boolean("complete", complete)
    return L, n_holes, J, Vv, t, (complete,) * 3


def effective_hamiltonian(L, n_holes, J_perp, V=1.0, t_par=0.1, *, complete=True):
    """Return the effective sc/cc Hamiltonian of the open L-rung ladder in one sector, as a sparse matrix.

    Terms (units of V): rung energies J_perp per sc and V + J_perp per cc; first order in
    t_par: sc hopping t/2, sc-cc exchange -t, recombination (Eq. 8); second order: the shift
    -(3/4) t^2/J_perp per neighbouring rung (end rungs have one), the sc-sc repulsion and
    triplet terms of Eq. (7) and, with ``complete``, the three-site pair hop, the sc-cc
    repulsion and the three-site terms with a cc (:mod:`nickelates.mixd_clusters`).
    Sector: holes per leg :func:`nickelates.mixd_exact.holes_per_leg`, 2 S^z
    :func:`nickelates.mixd_exact.min_two_sz` (as the microscopic ED).

    Parameters
    ----------
    L : int
        Number of rungs of the open ladder, in [2, 16].
    n_holes : int
        Number of holes N_h, in [1, 2L].
    J_perp : float
        Rung exchange, in (0, 1e6] (units of V).
    V : float, optional
        Rung repulsion, in (0, 1e6] (the unit of energy).
    t_par : float, optional
        Leg hopping, in [1e-6, 1] (units of V).
    complete : bool, optional
        True (default): the model complete to O(t^2); False: the paper's Eqs. (4)-(8).

    Returns
    -------
    states : numpy.ndarray
        (dim, L) rung codes: 0 = S, 1-4 = sc flavours (:data:`nickelates.mixd_clusters.SC_FLAVOURS`), 5 = cc.
    H : scipy.sparse.csr_matrix
        The Hamiltonian (units of V), real symmetric.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range or the sector exceeds :data:`EFFECTIVE_MAX_DIM`.

    Examples
    --------
    >>> st, H = effective_hamiltonian(2, 1, 1.2)
    >>> st.shape, round(float(abs(H - H.T).max()), 12)     # one sc, up spin, on leg 0
    ((2, 2), 0.0)
    """
    L, n_holes, J, Vv, t, flags = _check_model(L, n_holes, J_perp, V, t_par, complete)
    return _assemble(L, n_holes, J, Vv, t, flags)


def _assemble(L, n_holes, J, V, t, flags):
    import scipy.sparse as sps
    st, n_sc, n_cc, H1, A, B = _pieces(L, n_holes, flags)
    if st.shape[0] > EFFECTIVE_MAX_DIM:
        raise ValueError(f"L={L}, n_holes={n_holes}: {st.shape[0]} states exceed EFFECTIVE_MAX_DIM")
    H = sps.diags(J * n_sc + (V + J) * n_cc) + t * H1 + t * t * (A / J + B / V)
    return st, H.tocsr()


@dataclass(frozen=True)
class EffectiveGroundState:
    """Ground state of the effective sc/cc model on the open ladder (:func:`effective_ground_state`).

    Attributes
    ----------
    L : int
        Rungs of the ladder.
    n_holes : int
        Holes N_h (delta = N_h / L).
    J_perp : float
        Rung exchange (units of V).
    V : float
        Rung repulsion (the unit of energy).
    t_par : float
        Leg hopping (units of V).
    energy : float
        Ground-state energy measured from the singlet vacuum (units of V; compare
        ``mixd_exact`` energies + J_perp L).
    n_sc : float
        Number of sc's per rung.
    n_cc : float
        Number of cc's per rung.
    imbalance : float
        (N_sc - 2 N_cc) / N_h.
    dim : int
        Sector dimension.

    Examples
    --------
    >>> g = effective_ground_state(4, 2, 1.0)
    >>> round(g.n_sc + 2 * g.n_cc, 12), g.dim                 # N_h / L = 1/2
    (0.5, 28)
    """

    L: int
    n_holes: int
    J_perp: float
    V: float
    t_par: float
    energy: float
    n_sc: float
    n_cc: float
    imbalance: float
    dim: int


def effective_ground_state(L, n_holes, J_perp, V=1.0, t_par=0.1, *, complete=True, tol=1e-12):
    """Return the exact ground state of the effective sc/cc model on the open L-rung ladder.

    Dense diagonalization below 1500 states, else bounded Lanczos
    (``scipy.sparse.linalg.eigsh``, at most 5000 iterations).

    Parameters
    ----------
    L, n_holes, J_perp, V, t_par, complete
        As in :func:`effective_hamiltonian` (L in [2, 16], energies in units of V).
    tol : float, optional
        Lanczos tolerance, in (0, 1e-4].

    Returns
    -------
    EffectiveGroundState
        Energy (units of V) and the sc/cc balance of the ground state.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.
    ConvergenceError
        If Lanczos does not converge.

    Examples
    --------
    >>> g = effective_ground_state(2, 2, 3.0)               # deep on the cc side
    >>> round(g.imbalance, 2)
    -0.98
    """
    from scipy.sparse.linalg import ArpackNoConvergence, eigsh
    L, n_holes, J, Vv, t, flags = _check_model(L, n_holes, J_perp, V, t_par, complete)
    tol = check.tolerance("tol", tol, hi=1e-4)
    st, H = _assemble(L, n_holes, J, Vv, t, flags)
    n = H.shape[0]
    if n < 1500:
        w, v = np.linalg.eigh(H.toarray())
        e, x = float(w[0]), v[:, 0]
    else:
        v0 = np.random.default_rng(7).standard_normal(n)
        try:
            w, v = eigsh(H, k=1, which="SA", tol=tol, maxiter=5000, v0=v0)
        except ArpackNoConvergence as exc:
            raise ConvergenceError(f"effective_ground_state: Lanczos did not converge (L={L}, "
                                   f"n_holes={n_holes}, J_perp={J})", last=exc.eigenvalues) from exc
        e, x = float(w[0]), v[:, 0]
    p = x * x
    nsc = float(p @ ((st >= 1) & (st <= 4)).sum(axis=1))
    ncc = float(p @ (st == _CC).sum(axis=1))
    return EffectiveGroundState(L=L, n_holes=n_holes, J_perp=J, V=Vv, t_par=t, energy=e,
                                n_sc=nsc / L, n_cc=ncc / L, imbalance=(nsc - 2.0 * ncc) / n_holes, dim=n)


def _check_root_args(bracket, xtol):
    if isinstance(bracket, (str, bytes)) or len(bracket) != 2:
        raise TypeError("bracket must be a pair (lo, hi)")
    lo = check.positive("bracket[0]", bracket[0], hi=1e3)
    hi = check.positive("bracket[1]", bracket[1], hi=1e3)
    if not lo < hi:
        raise ValueError(f"bracket must have lo < hi, got {bracket!r}")
    return lo, hi, check.tolerance("xtol", xtol, hi=1e-2)


def effective_balance_point(L, n_holes, t_par=0.1, V=1.0, *, complete=True, bracket=(0.6, 1.6),
                            xtol=1e-9):
    """Return the J_perp / V at which the effective model's exact ground state has N_sc = 2 N_cc.

    Brent's method on :func:`effective_ground_state` (the counterpart of
    :func:`nickelates.mixd_exact.balance_point` for the effective model).

    Parameters
    ----------
    L : int
        Rungs of the open ladder, in [2, 16].
    n_holes : int
        Holes, in [1, 2L].
    t_par : float, optional
        Leg hopping, in [1e-6, 1] (units of V).
    V : float, optional
        Rung repulsion, in (0, 1e6] (the unit of energy).
    complete : bool, optional
        The O(t^2)-complete model (default) or the paper's.
    bracket : pair of float, optional
        (lo, hi) in (0, 1e3] (units of V); the imbalance must change sign on it.
    xtol : float, optional
        Absolute tolerance (units of V), in (0, 1e-2].

    Returns
    -------
    float
        J_c / V.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range or the imbalance keeps its sign on ``bracket``.
    ConvergenceError
        If a ground state or the root search does not converge.

    Examples
    --------
    >>> round(effective_balance_point(4, 2), 3)             # microscopic ED: 1.068
    1.071
    """
    lo, hi, xtol = _check_root_args(bracket, xtol)

    def f(J):
        return effective_ground_state(L, n_holes, J * V, V, t_par * V, complete=complete).imbalance

    flo, fhi = f(lo), f(hi)
    if not flo > 0.0 > fhi:
        raise ValueError(f"bracket: the imbalance does not fall through 0 on [{lo}, {hi}] "
                         f"({flo:+.3g}, {fhi:+.3g})")
    return float(brentq(f, lo, hi, xtol=xtol, maxiter=200))


# --------------------------------------------------------------------------- real-space mean field
@functools.lru_cache(maxsize=1)
def local_energy_terms():
    """Return the ansatz expectation value of every effective-model term on one bond or three-rung string (SymPy).

    Real-space form of :func:`nickelates.mixd_clusters.mean_field_energy_terms`: local
    sites 0, 1, 2, correlations ``g{a}{b}`` = <f+_{a,f} f_{b,f}> (every flavour f, a <= b),
    ``p{a}{b}`` with <f_{a,0,s-bar} f_{b,1,s}> = (-1)^s p_ab / sqrt 2 (layer-symmetric
    singlet pairs, p_ab = p_ba), condensate amplitudes ``b{a}`` = <b_a>.

    Returns
    -------
    dict
        ``bond``: {term: expression} for the bond (0, 1): ``hopping``, ``exchange``,
        ``recombination``, ``repulsion``, ``triplet`` (normal and anomalous
        contractions of Eq. 7), ``sc_cc_repulsion``; ``string``: {term: expression}
        for the string (0, 1, 2): ``three_site``, ``cc_hop``, ``cc_conversion``;
        ``symbols``: the SymPy symbols (g, p, b, t, J, V).

    Raises
    ------
    TypeError
        Never (no arguments); listed for the API convention.

    Examples
    --------
    >>> T = local_energy_terms()
    >>> T["bond"]["hopping"], T["bond"]["recombination"]
    (4*g01*t, -4*b0*p01*t - 4*b1*p01*t)
    """
    import sympy as sp

    from .mixd_clusters import SC_FLAVOURS, _triplet_matrix, cc_three_site_tensors, three_site_tensor
    g = {(a, b): sp.Symbol(f"g{a}{b}") for a in range(3) for b in range(a, 3)}
    p = {(a, b): sp.Symbol(f"p{a}{b}") for a in range(3) for b in range(a, 3)}
    bs = sp.symbols("b0:3")
    t, J, V = sp.symbols("t J V", positive=True)

    def G(x, y):
        (i, a), (j, b) = x, y
        return g[min(i, j), max(i, j)] if a == b else 0

    def K(x, y):  # <f_x f_y>
        (i, a), (j, b) = x, y
        pij = p[min(i, j), max(i, j)]
        if a[0] == 0 and b[0] == 1 and a[1] == 1 - b[1]:
            return (-1) ** b[1] * pij / sp.sqrt(2)
        if a[0] == 1 and b[0] == 0 and a[1] == 1 - b[1]:
            return -((-1) ** a[1]) * pij / sp.sqrt(2)
        return 0

    def two(o1, o2):
        (k1, x), (k2, y) = o1, o2
        if k1 == "d" and k2 == "a":
            return G(x, y)
        if k1 == "a" and k2 == "d":
            return (1 if x == y else 0) - G(y, x)
        return K(x, y) if k1 == "a" else K(y, x)

    def wick(ops):
        o1, o2, o3, o4 = ops
        return (two(o1, o2) * two(o3, o4) - two(o1, o3) * two(o2, o4) + two(o1, o4) * two(o2, o3))

    def d(i, a):
        return ("d", (i, a))

    def a_(i, a):
        return ("a", (i, a))

    def two_body(O, i1, i2, j1, j2):
        out = 0
        for idx in zip(*np.nonzero(np.abs(O) > 1e-14)):
            a2, b2, a, b = (SC_FLAVOURS[i] for i in idx)
            out += sp.nsimplify(round(float(O[idx]), 12)) * wick([d(i1, a2), d(i2, b2), a_(j2, b), a_(j1, a)])
        return out

    B = {}
    B["hopping"] = sum(t / 2 * (two(d(0, f), a_(1, f)) + two(d(1, f), a_(0, f))) for f in SC_FLAVOURS)
    # f+_i b+_j b_i f_j: <b+_j b_i> = b_i b_j in the coherent state
    B["exchange"] = sum(-t * bs[0] * bs[1] * (two(d(0, f), a_(1, f)) + two(d(1, f), a_(0, f)))
                        for f in SC_FLAVOURS)
    rec = 0
    for i, j in ((0, 1), (1, 0)):              # the cc on j dissolves into sc's on i and j
        for mu, s in SC_FLAVOURS:
            f1, f2 = (mu, s), (1 - mu, 1 - s)
            rec += -t / sp.sqrt(2) * (-1) ** s * bs[j] * (two(d(i, f1), d(j, f2)) + two(a_(j, f2), a_(i, f1)))
    B["recombination"] = rec
    B["repulsion"] = sp.Rational(3, 2) * t ** 2 / J * two_body(np.eye(16).reshape(4, 4, 4, 4), 0, 1, 0, 1)
    B["triplet"] = -4 * t ** 2 / V * two_body(_triplet_matrix().reshape(4, 4, 4, 4), 0, 1, 0, 1)
    B["sc_cc_repulsion"] = sp.Rational(3, 4) * t ** 2 / J * 4 * (g[0, 0] * bs[1] ** 2 + g[1, 1] * bs[0] ** 2)
    S = {}
    M = three_site_tensor()
    S["three_site"] = t ** 2 / J * (two_body(M, 1, 2, 0, 1) + two_body(np.transpose(M, (2, 3, 0, 1)), 0, 1, 1, 2))
    W = cc_three_site_tensors()
    hop = 0
    for idx in zip(*np.nonzero(W["A"])):
        a2, b2, a, b = (SC_FLAVOURS[i] for i in idx)
        w = sp.nsimplify(round(float(W["A"][idx]), 12))
        hop += w * (wick([d(0, a2), d(1, b2), a_(2, b), a_(1, a)]) + wick([d(1, a), d(2, b), a_(1, b2), a_(0, a2)]))
    S["cc_hop"] = t ** 2 / V * bs[0] * bs[2] * hop
    conv = 0
    for key, jb in (("B", 2), ("Bm", 0)):
        for idx in zip(*np.nonzero(W[key])):
            dd, a, b, c = (SC_FLAVOURS[i] for i in idx)
            w = sp.nsimplify(round(float(W[key][idx]), 12), [sp.sqrt(2)])
            conv += w * bs[jb] * (wick([d(1, dd), a_(2, c), a_(1, b), a_(0, a)])
                                  + wick([d(0, a), d(1, b), d(2, c), a_(1, dd)]))
    S["cc_conversion"] = t ** 2 * (1 / J + 1 / V) * conv
    clean = {k: sp.expand(v) for k, v in B.items()}
    return {"bond": clean, "string": {k: sp.expand(v) for k, v in S.items()},
            "symbols": (g, p, bs, t, J, V)}


_PAIRS = ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))


@functools.lru_cache(maxsize=8)
def _compiled(flags):
    """Lambdified energy and gradient of one bond and one string.

    ``flags`` = (three_site, sc_cc_repulsion, hartree, cc_three_site).
    """
    import sympy as sp
    three_site, sc_cc, hartree, cc3 = flags
    T = local_energy_terms()
    g, p, bs, t, J, V = T["symbols"]
    bond = T["bond"]["hopping"] + T["bond"]["exchange"] + T["bond"]["recombination"]
    rep, trip = T["bond"]["repulsion"], T["bond"]["triplet"]
    if not hartree:   # the paper keeps only the pairing contractions of Eq. (7)
        gs = [g[k] for k in g]
        rep = rep.subs({x: 0 for x in gs})
        trip = trip.subs({x: 0 for x in gs})
    bond += rep + trip
    if sc_cc:
        bond += T["bond"]["sc_cc_repulsion"]
    string = sp.Integer(0)
    if three_site:
        string += T["string"]["three_site"]
    if cc3:
        string += T["string"]["cc_hop"] + T["string"]["cc_conversion"]
    gv = [g[k] for k in _PAIRS]
    pv = [p[k] for k in _PAIRS]
    args = gv + pv + list(bs) + [t, J, V]
    out = []
    for expr in (sp.expand(bond), sp.expand(string)):
        grads = [sp.diff(expr, x) for x in gv + pv + list(bs)]
        out.append((sp.lambdify(args, expr, "numpy"), sp.lambdify(args, grads, "numpy")))
    return out


class _RealSpace:
    """Energy and gradients of the ansatz on an open (or periodic) L-rung ladder."""

    def __init__(self, L, n_holes, J, V, t, flags, periodic, T):
        self.L, self.Nh, self.J, self.V, self.t, self.T = L, float(n_holes), J, V, t, T
        self.flags = flags
        self.periodic = periodic
        (self.eb, self.gb), (self.es, self.gs) = _compiled(flags)
        self.bonds = [(i, (i + 1) % L) for i in range(L if periodic else L - 1)]
        self.strings = [(i, (i + 1) % L, (i + 2) % L) for i in range(L if periodic else L - 2)]
        nb = np.zeros(L)
        for i, j in self.bonds:
            nb[i] += 1
            nb[j] += 1
        self.e_site = J - 0.75 * t * t / J * nb          # Eq. (5) per neighbouring rung
        self.has_strings = flags[0] or flags[3]

    def _args(self, G, P, b, sites):
        s = list(sites) + [sites[-1]] * (3 - len(sites))
        gv = [G[s[a], s[c]] for a, c in _PAIRS]
        pv = [P[s[a], s[c]] for a, c in _PAIRS]
        return gv + pv + [b[s[0]], b[s[1]], b[s[2]]] + [self.t, self.J, self.V]

    def energy(self, G, P, b):
        E = float(np.sum(self.e_site * 4.0 * np.diag(G)) + (self.V + self.J) * np.sum(b * b))
        for s in self.bonds:
            E += float(self.eb(*self._args(G, P, b, s)))
        if self.has_strings:
            for s in self.strings:
                E += float(self.es(*self._args(G, P, b, s)))
        return E

    def gradient(self, G, P, b):
        """dE/dG_ij, dE/dP_ij (per unordered pair, stored symmetric) and dE/db_j."""
        L = self.L
        dG, dP, db = np.zeros((L, L)), np.zeros((L, L)), 2.0 * (self.V + self.J) * b
        dG[np.diag_indices(L)] += 4.0 * self.e_site

        def add(fn, s):
            gr = fn(*self._args(G, P, b, s))
            for n, (a, c) in enumerate(_PAIRS):
                if max(a, c) >= len(s):
                    continue
                i, j = s[a], s[c]
                for M, v in ((dG, gr[n]), (dP, gr[6 + n])):
                    M[i, j] += v
                    if i != j:
                        M[j, i] += v
            for a in range(len(s)):
                db[s[a]] += gr[12 + a]

        for s in self.bonds:
            add(self.gb, s)
        if self.has_strings:
            for s in self.strings:
                add(self.gs, s)
        return dG, dP, db

    def bdg(self, dG, dP, mu):
        """Correlations (G, P) of the ansatz state of the fields, and N_sc.

        The paper's state holds at most one layer-singlet pair per quartet of modes
        (Eq. 9), so its correlations are those of a one-channel BCS state of the pairs,
        rho and kappa, as g = rho / 2 and p = kappa (in momentum space v_k^2 / 2 and
        u_k v_k). The fields follow from E's linear variation:
        h_ii = dE/dg_ii / 4, h_ij = dE/dg_ij / 8, D_ii = dE/dp_ii / 2, D_ij = dE/dp_ij / 4.
        """
        L = self.L
        h = dG / 8.0
        h[np.diag_indices(L)] = np.diag(dG) / 4.0 - mu
        D = dP / 4.0
        D[np.diag_indices(L)] = np.diag(dP) / 2.0
        M = np.block([[h, D], [D, -h]])
        w, W = np.linalg.eigh(M)
        if self.T > 0:
            occ = 0.5 * (1.0 - np.tanh(np.clip(w / (2.0 * self.T), -40.0, 40.0)))
        else:
            occ = (w < 0).astype(float)
        Q = (W * occ) @ W.T
        rho = 0.5 * (Q[:L, :L] + Q[:L, :L].T)
        kap = 0.5 * (Q[:L, L:] + Q[:L, L:].T)
        return 0.5 * rho, kap, 2.0 * float(np.trace(rho))

    def pairs(self):
        """Unordered site pairs (i <= j) whose correlations enter the energy."""
        out = {(i, i) for i in range(self.L)}
        for s in self.bonds + self.strings:
            for a in s:
                for c in s:
                    out.add((min(a, c), max(a, c)))
        ij = np.array(sorted(out))
        return ij[:, 0], ij[:, 1]

    def condensate(self, G, P, n_cc, b_old):
        """Minimum of E over b on the sphere sum b^2 = n_cc at fixed (G, P): (b, lambda)."""
        L = self.L
        z = np.zeros(L)
        c = self.gradient(G, P, z)[2]
        A2 = np.column_stack([self.gradient(G, P, np.eye(L)[k])[2] - c for k in range(L)])
        A2 = 0.5 * (A2 + A2.T)                        # = 2 A (Hessian)
        a, U = np.linalg.eigh(A2)
        cu = U.T @ c
        if np.all(np.abs(cu) < 1e-14):
            return U[:, 0] * np.sqrt(n_cc) * np.sign(U[:, 0].sum() or 1.0), 0.5 * a[0]

        def norm2(lam2):            # b = -(A2 - lam2)^-1 c, lam2 = 2 lambda < a_min
            return float(np.sum((cu / (a - lam2)) ** 2)) - n_cc
        step_ = 1.0
        lo = a[0] - step_
        while norm2(lo) > 0.0:
            step_ *= 2.0
            lo = a[0] - step_
        hi = lo
        for k in range(1, 200):
            hi = a[0] - step_ * 0.5 ** k
            if norm2(hi) >= 0.0:
                break
        lam2 = brentq(norm2, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500)
        b = -U @ (cu / (a - lam2))
        return b, 0.5 * lam2


@dataclass(frozen=True)
class RealSpaceMeanField:
    """The ansatz minimised on an L-rung ladder at fixed N_cc (:func:`real_space_mean_field`).

    Attributes
    ----------
    L : int
        Rungs of the ladder.
    n_holes : int
        Holes N_h (delta = N_h / L).
    J_perp : float
        Rung exchange (units of V).
    V : float
        Rung repulsion (the unit of energy).
    t_par : float
        Leg hopping (units of V).
    periodic : bool
        Periodic (True) or open (False) ladder.
    energy : float
        Variational energy from the singlet vacuum (units of V).
    N_cc : float
        Number of cc's, sum beta_j^2.
    N_sc : float
        Number of sc's, N_h - 2 N_cc.
    mu : float
        sc chemical potential dE/dN_sc (units of V).
    lam : float
        cc chemical potential dE/dN_cc at a fixed sc state (units of V).
    dE_dNcc : float
        lam - 2 mu: the derivative of the minimal energy along N_sc = N_h - 2 N_cc
        (units of V; zero at the balance point if N_cc = N_h / 4).
    beta : numpy.ndarray
        Condensate amplitudes <b_j> along the ladder.
    n_sc_rung : numpy.ndarray
        sc density per rung.
    iterations : int
        Residual evaluations of the final solve.

    Examples
    --------
    >>> r = real_space_mean_field(6, 2, 1.1, periodic=True)
    >>> round(float(np.ptp(r.beta)), 10), round(r.N_sc, 10)    # uniform on a ring
    (0.0, 1.0)
    """

    L: int
    n_holes: int
    J_perp: float
    V: float
    t_par: float
    periodic: bool
    energy: float
    N_cc: float
    N_sc: float
    mu: float
    lam: float
    dE_dNcc: float
    beta: np.ndarray
    n_sc_rung: np.ndarray
    iterations: int


def _check_mf_flags(three_site, sc_cc_repulsion, hartree, cc_three_site):
    return tuple(check.boolean(n, v) for n, v in (("three_site", three_site), ("sc_cc_repulsion", sc_cc_repulsion),
                                                  ("hartree", hartree), ("cc_three_site", cc_three_site)))


def real_space_mean_field(L, n_holes, J_perp, V=1.0, t_par=0.1, *, n_cc=None, periodic=False,
                          three_site=True, sc_cc_repulsion=True, hartree=True, cc_three_site=True,
                          temperature=1e-5, tol=1e-11, max_iter=500, warm_start=False):
    """Minimise the BCS x coherent-state ansatz of the effective model in real space at fixed N_cc.

    The correlations g_ij, P_ij (|i - j| <= 2 enter the energy) and the condensate
    amplitudes beta_j are free along the ladder: plain iterations alternate the
    Bogoliubov-de Gennes equations of the sc's at fixed beta with the exact minimum of the
    quadratic form in beta on the sphere sum beta_j^2 = N_cc (secular equation); Powell's
    hybrid method (``scipy.optimize.root``) then solves all stationarity conditions
    together, and the condensate is checked to be the minimum on its sphere.  With ``periodic=True`` and N_cc =
    N_h / 4 the result equals the momentum-space mean field of
    :func:`nickelates.mixd.solve_extended_mean_field` (same flags; a test checks it).

    Parameters
    ----------
    L : int
        Rungs, in [3, 64] (periodic: [4, 64]).
    n_holes : int
        Holes, in [1, L].
    J_perp : float
        Rung exchange, in (0, 1e6] (units of V).
    V : float, optional
        Rung repulsion, in (0, 1e6] (the unit of energy).
    t_par : float, optional
        Leg hopping, in [1e-6, 1] (units of V).
    n_cc : float, optional
        Number of cc's, in (0, N_h/2); default N_h / 4 (the balance point's).
    periodic : bool, optional
        Periodic ladder (default open).
    three_site, sc_cc_repulsion, hartree, cc_three_site : bool, optional
        The O(t^2) terms of :func:`nickelates.mixd.solve_mean_field` (default: all, the
        complete model; all False is the paper's mean field).
    temperature : float, optional
        Regularizing temperature of the BdG occupations, in [0, 0.01] (units of V).
    tol : float, optional
        Largest residual of the stationarity conditions accepted, in (0, 1e-6].
    max_iter : int, optional
        Plain iterations before the final Newton-type solve, in [1, 100000].
    warm_start : bool, optional
        Start from the last solution of the same (L, N_h, flags, boundary); faster, but it
        may follow a higher stationary state, so the balance-point search does not use it.

    Returns
    -------
    RealSpaceMeanField
        Energy, chemical potentials and profiles (units of V).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.
    ConvergenceError
        If the BdG self-consistency or the alternation does not converge.

    Examples
    --------
    >>> r = real_space_mean_field(6, 2, 1.1)
    >>> round(r.N_cc, 6), bool(r.beta[0] < r.beta[2])       # the condensate avoids the ends
    (0.5, True)
    """
    periodic = check.boolean("periodic", periodic)
    L = check.integer("L", L, 4 if periodic else 3, _MAX_L_MF)
    n_holes = check.integer("n_holes", n_holes, 1, L)
    J = check.positive("J_perp", J_perp, hi=1e6)
    Vv = check.positive("V", V, hi=1e6)
    t = check.in_range("t_par", t_par, 1e-6, 1.0)
    flags = _check_mf_flags(three_site, sc_cc_repulsion, hartree, cc_three_site)
    if n_cc is None:
        n_cc = 0.25 * n_holes
    n_cc = check.in_range("n_cc", n_cc, 0.0, 0.5 * n_holes, lo_open=True, hi_open=True)
    T = check.nonnegative("temperature", temperature, 0.01)
    tol = check.tolerance("tol", tol, hi=1e-6)
    max_iter = check.integer("max_iter", max_iter, 1, 100_000)
    warm_start = check.boolean("warm_start", warm_start)
    start = _LAST.get((L, n_holes, flags, periodic)) if warm_start else None
    if start is not None:
        try:
            return _solve_real_space(L, n_holes, J, Vv, t, flags, periodic, n_cc, T, tol, max_iter, start)
        except ConvergenceError:
            pass                               # too far from the last solution: start afresh
    try:
        return _solve_real_space(L, n_holes, J, Vv, t, flags, periodic, n_cc, T, tol, max_iter)
    except ConvergenceError:                   # closer to the minimum before the final solve
        return _solve_real_space(L, n_holes, J, Vv, t, flags, periodic, n_cc, T, tol, max_iter,
                                 plain_tol=1e-9)


def _solve_real_space(L, n_holes, J, V, t, flags, periodic, n_cc, T, tol, max_iter, start=None, plain_tol=1e-4):
    """Minimise the ansatz at fixed N_cc.

    Plain iterations of the BdG and condensate steps, then Powell's hybrid method on the
    stationarity conditions of E - mu N_sc - lam (sum b^2 - N_cc) (all unknowns together).
    """
    from scipy.optimize import root
    prob = _RealSpace(L, n_holes, J, V, t, flags, periodic, T)
    n_sc = n_holes - 2.0 * n_cc
    iu = prob.pairs()
    m = iu[0].size

    def unpack(x):
        Gx, Px = np.zeros((L, L)), np.zeros((L, L))
        Gx[iu] = x[:m]
        Gx[iu[1], iu[0]] = x[:m]
        Px[iu] = x[m:2 * m]
        Px[iu[1], iu[0]] = x[m:2 * m]
        return Gx, Px, x[2 * m], x[2 * m + 1:2 * m + 1 + L], x[-1]

    def residual(x):
        Gx, Px, mu, b, lam2 = unpack(x)
        dG, dP, db = prob.gradient(Gx, Px, b)
        Gn, Pn, N = prob.bdg(dG, dP, mu)
        return np.concatenate([Gn[iu] - x[:m], Pn[iu] - x[m:2 * m], [N - n_sc], db - lam2 * b,
                               [float(b @ b) - n_cc]])

    if start is None or start[0].size != 2 * m + L + 2:
        b = np.full(L, np.sqrt(n_cc / L))
        G = np.eye(L) * n_sc / (4.0 * L)
        P = np.zeros((L, L))
        mu = J
        for it in range(max_iter):           # plain iterations towards the minimum
            dG, dP, _ = prob.gradient(G, P, b)

            def nf(mm, dG=dG, dP=dP):
                return prob.bdg(dG, dP, mm)[2] - n_sc
            span = float(np.abs(dG).max() + np.abs(dP).max() + 1.0)
            lo, hi = mu - span, mu + span
            while nf(lo) > 0.0:
                lo -= span
            while nf(hi) < 0.0:
                hi += span
            mu = brentq(nf, lo, hi, xtol=1e-14, maxiter=500)
            Gn, Pn, _ = prob.bdg(dG, dP, mu)
            G, P = 0.5 * (G + Gn), 0.5 * (P + Pn)
            b_new, lam = prob.condensate(G, P, n_cc, b)
            change = float(np.max(np.abs(b_new - b)) + np.max(np.abs(Gn - G)))
            b = b_new
            if change < plain_tol and it >= 5:
                break
        x0 = np.concatenate([G[iu], P[iu], [mu], b, [2.0 * lam]])
    else:
        x0 = start[0]
    sol = root(residual, x0, method="hybr", options={"xtol": 1e-13})
    res = float(np.max(np.abs(residual(sol.x))))
    if not res < tol:
        raise ConvergenceError(f"real-space mean field: no stationary point (residual {res:.2e}; {sol.message})",
                               iterations=int(sol.nfev), residual=res, last=sol.x)
    G, P, mu, b, lam2 = unpack(sol.x)
    if b.sum() < 0:
        b = -b
    # the condensate must be the lowest on its sphere (lam2 below the Hessian's spectrum)
    c0 = prob.gradient(G, P, np.zeros(L))[2]
    H2 = np.column_stack([prob.gradient(G, P, np.eye(L)[k])[2] - c0 for k in range(L)])
    if not lam2 < np.linalg.eigvalsh(0.5 * (H2 + H2.T))[0] + 1e-9:
        raise ConvergenceError("real-space mean field: the stationary condensate is not the minimum on its "
                               "sphere", last=sol.x)
    lam = 0.5 * lam2
    it = int(sol.nfev)
    E = prob.energy(G, P, b)
    _LAST[(L, n_holes, flags, periodic)] = (sol.x,)
    return RealSpaceMeanField(L=L, n_holes=n_holes, J_perp=J, V=V, t_par=t, periodic=periodic, energy=E,
                              N_cc=float(np.sum(b * b)), N_sc=4.0 * float(np.trace(G)), mu=float(mu),
                              lam=float(lam), dE_dNcc=float(lam - 2.0 * mu), beta=b.copy(),
                              n_sc_rung=4.0 * np.diag(G).copy(), iterations=it)


def real_space_balance_point(L, n_holes, t_par=0.1, V=1.0, *, periodic=False, three_site=True,
                             sc_cc_repulsion=True, hartree=True, cc_three_site=True,
                             bracket=(0.6, 1.6), xtol=1e-9):
    """Return the mean-field J_perp / V with N_sc = 2 N_cc on the open (or periodic) ladder in real space.

    Root (``brentq``) of dE/dN_cc = lam - 2 mu at N_cc = N_h / 4 (:func:`real_space_mean_field`),
    the real-space counterpart of :func:`nickelates.mixd.balance_point`.

    Parameters
    ----------
    L : int
        Rungs, in [3, 64] (periodic: [4, 64]).
    n_holes : int
        Holes, in [1, L].
    t_par : float, optional
        Leg hopping, in [1e-6, 1] (units of V).
    V : float, optional
        Rung repulsion, in (0, 1e6] (the unit of energy).
    periodic : bool, optional
        Periodic ladder (default open).
    three_site, sc_cc_repulsion, hartree, cc_three_site : bool, optional
        The O(t^2) terms (default: all).
    bracket : pair of float, optional
        (lo, hi) in (0, 1e3] (units of V); dE/dN_cc must go from > 0 to < 0 on it.
    xtol : float, optional
        Absolute tolerance (units of V), in (0, 1e-2].

    Returns
    -------
    float
        J_c / V.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range or dE/dN_cc keeps its sign on ``bracket``.
    ConvergenceError
        If a solve does not converge.

    Examples
    --------
    >>> round(real_space_balance_point(6, 2, periodic=True), 4)   # = mixd.balance_point(6, 2, **all flags)
    1.0807
    """
    lo, hi, xtol = _check_root_args(bracket, xtol)
    V = check.positive("V", V, hi=1e6)

    def f(J):
        return real_space_mean_field(L, n_holes, J * V, V, t_par * V, periodic=periodic, three_site=three_site,
                                     sc_cc_repulsion=sc_cc_repulsion, hartree=hartree,
                                     cc_three_site=cc_three_site).dE_dNcc   # cold starts: a warm
        # start may follow a higher stationary branch (sign-changing condensate) across the root

    flo, fhi = f(lo), f(hi)
    if not flo > 0.0 > fhi:
        raise ValueError(f"bracket: dE/dN_cc does not fall through 0 on [{lo}, {hi}] ({flo:+.3g}, {fhi:+.3g})")
    return float(brentq(f, lo, hi, xtol=xtol, maxiter=200))


# --------------------------------------------------------------------------- the split
@dataclass(frozen=True)
class AnsatzSplit:
    """The mean field's miss in J_c split into model, ansatz and boundary errors (:func:`ansatz_split`).

    Attributes
    ----------
    L : int
        Rungs of the ladder.
    n_holes : int
        Holes N_h (delta = N_h / L).
    J_exact : float
        Microscopic exact J_c (open ladder; units of V).
    J_effective : float
        Exact J_c of the O(t^2)-complete effective model (open).
    J_mf_open : float
        Mean-field J_c of the same model on the open ladder (real space).
    J_mf_periodic : float
        Mean-field J_c on the periodic ladder (momentum space).
    model_error : float
        J_effective - J_exact (units of V).
    ansatz_error : float
        J_mf_open - J_effective (units of V).
    boundary_error : float
        J_mf_periodic - J_mf_open (units of V).
    total : float
        J_mf_periodic - J_exact = the sum of the three.

    Examples
    --------
    >>> s = AnsatzSplit(4, 2, 1.0, 1.01, 0.95, 0.97, 0.01, -0.06, 0.02, -0.03)
    >>> round(s.model_error + s.ansatz_error + s.boundary_error - s.total, 12)
    0.0
    """

    L: int
    n_holes: int
    J_exact: float
    J_effective: float
    J_mf_open: float
    J_mf_periodic: float
    model_error: float
    ansatz_error: float
    boundary_error: float
    total: float


def ansatz_split(L, n_holes, J_exact, t_par=0.1, V=1.0, *, xtol=1e-9):
    """Split the complete mean field's miss in J_c on an L-rung ladder into its three parts.

    Parameters
    ----------
    L : int
        Rungs, in [4, 16].
    n_holes : int
        Holes, in [1, L].
    J_exact : float
        The microscopic exact balance point (e.g. ``J_exact`` of
        ``data/mixd_balance_points*.json``), in (0, 1e3] (units of V).
    t_par : float, optional
        Leg hopping, in [1e-6, 1] (units of V).
    V : float, optional
        Rung repulsion, in (0, 1e6] (the unit of energy).
    xtol : float, optional
        Tolerance of the three root searches (units of V), in (0, 1e-2].

    Returns
    -------
    AnsatzSplit
        The four balance points and the three errors (units of V).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.
    ConvergenceError
        If a solve or a root search does not converge.

    Examples
    --------
    >>> s = ansatz_split(4, 4, 0.987997033828742)
    >>> bool(abs(s.model_error + s.ansatz_error + s.boundary_error - s.total) < 1e-12)
    True
    """
    from . import mixd
    L = check.integer("L", L, 4, _MAX_L)
    n_holes = check.integer("n_holes", n_holes, 1, L)
    Jx = check.positive("J_exact", J_exact, hi=1e3)
    t = check.in_range("t_par", t_par, 1e-6, 1.0)
    V = check.positive("V", V, hi=1e6)
    xtol = check.tolerance("xtol", xtol, hi=1e-2)
    Je = effective_balance_point(L, n_holes, t, V, xtol=xtol)
    Jo = real_space_balance_point(L, n_holes, t, V, xtol=xtol)
    Jp = mixd.balance_point(L, n_holes, t, V, three_site=True, sc_cc_repulsion=True, hartree=True,
                            cc_three_site=True, xtol=min(xtol, 1e-2))
    return AnsatzSplit(L=L, n_holes=n_holes, J_exact=Jx, J_effective=Je, J_mf_open=Jo, J_mf_periodic=Jp,
                       model_error=Je - Jx, ansatz_error=Jo - Je, boundary_error=Jp - Jo, total=Jp - Jx)

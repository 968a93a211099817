"""MixD+V effective model on 2- to 4-rung clusters and its complete O(t^2) mean field (chapter 6).

Two tasks of issue 16 live here.

1. **The effective model as an operator on clusters.** :func:`effective_cluster_orders`
   builds the paper's sc/cc Hamiltonian, Eqs. (4)-(8), on an open cluster of
   R rungs in the triplet-free rung-product basis of
   :func:`nickelates.mixd.cluster_basis` (fermion signs by rung order), order by
   order in t_par, with optional extra terms.  :func:`compare_with_microscopic`
   compares it with the block-diagonalization of the microscopic model by
   pymablock (:func:`nickelates.mixd.pymablock_cluster`) and with exact
   diagonalization.  Two-rung clusters cannot see the relative sign of the sc
   hopping and the sc-cc exchange nor the three-site terms; three- and four-rung
   clusters do, and with all additions the model equals pymablock's second-order
   Hamiltonian in every sector of 2-4 rungs.

2. **The mean field of the extended model.** The expectation value of every
   term in the BCS x coherent-state ansatz is obtained by Wick contraction
   (:func:`mean_field_energy_terms`, SymPy) and minimised by
   :func:`solve_extended_mean_field` (ladders), which
   :func:`nickelates.mixd.solve_mean_field` calls when one of its flags
   ``three_site``, ``sc_cc_repulsion``, ``hartree``, ``cc_three_site`` is set.

Flavours of an sc are ``(mu, sigma)`` = (leg of the hole, spin of the remaining
electron, 0 = up), ordered ``(0,0), (0,1), (1,0), (1,1)`` = ``sc0u, sc0d, sc1u,
sc1d``.  Energies are in units of V; the cluster matrices are coefficients of
t_par^n (units of V^(1-n)).
"""
from __future__ import annotations

import functools

import numpy as np

from . import _validate as check
from . import mixd
# the extended mean field lives in mixd (imports go one way, mixd_clusters -> mixd); the old
# path nickelates.mixd_clusters.solve_extended_mean_field (and the private helpers) still work
from .mixd import _Extended, _as_solution, _balance_derivative, solve_extended_mean_field  # noqa: F401

__all__ = [
    "SC_FLAVOURS",
    "three_site_tensor",
    "cc_three_site_tensors",
    "effective_cluster_orders",
    "compare_with_microscopic",
    "mean_field_energy_terms",
    "solve_extended_mean_field",
]

#: sc flavours (leg of the hole, spin of the remaining electron; 0 = up), in basis order
SC_FLAVOURS = ((0, 0), (0, 1), (1, 0), (1, 1))
_NAME = {(0, 0): "sc0u", (0, 1): "sc0d", (1, 0): "sc1u", (1, 1): "sc1d"}
_FLAV = {v: k for k, v in _NAME.items()}
_PAULI = (np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[0.0, -1j], [1j, 0.0]]),
          np.array([[1.0, 0.0], [0.0, -1.0]]))


# --------------------------------------------------------------------------- operators
def _flavour_op(kind, a):
    """Layer isospin (kind 'J', acts on mu) or spin ('S', acts on sigma) component a of one sc."""
    m = np.kron(_PAULI[a], np.eye(2)) if kind == "J" else np.kron(np.eye(2), _PAULI[a])
    return 0.5 * m


def _pair_dot(kind):
    return sum(np.kron(_flavour_op(kind, a), _flavour_op(kind, a)) for a in range(3))


@functools.lru_cache(maxsize=1)
def _triplet_matrix():
    """(-J_i.J_j + 1/4)(S_i.S_j + 3/4) on two sc's, 16 x 16 (times -4 t^2/V in Eq. 7)."""
    m = (-_pair_dot("J") + 0.25 * np.eye(16)) @ (_pair_dot("S") + 0.75 * np.eye(16))
    return np.ascontiguousarray(m.real)


def three_site_tensor():
    """Return the three-site (correlated pair-hop) term missing from the paper's model, in units of t^2/J.

    The term moves two neighbouring sc's by one rung, (sc_a, sc_b, S) -> (S, sc_a', sc_b')::

        H_3 = sum_j sum M[a',b',a,b] f+_{j+1,a'} f+_{j+2,b'} f_{j+1,b} f_{j,a} + h.c.,
        M = -(t^2/J) (-1)^(mu_a + mu_b) <a' b'| S_a . S_b |a b>   (mu_a' = mu_a, mu_b' = mu_b).

    It keeps the legs of both holes and acts on the two spins with S_a . S_b:
    matrix elements t^2/4J (spin-diagonal) and t^2/2J (spin exchange). It was
    read off the second-order pymablock Hamiltonian of the 3-rung cluster and
    is checked on 3 and 4 rungs by :func:`compare_with_microscopic`.

    Returns
    -------
    numpy.ndarray
        M of shape (4, 4, 4, 4), indices (a', b', a, b) over :data:`SC_FLAVOURS`
        (dimensionless: multiply by t^2/J).

    Raises
    ------
    TypeError
        Never (no arguments); listed for the API convention.

    Examples
    --------
    >>> M = three_site_tensor()
    >>> float(abs(M).max()), float(M[0, 0, 0, 0])      # t^2/2J at most; up-up pair on leg 0
    (0.5, -0.25)
    """
    ss = _pair_dot("S").real
    M = np.zeros((4, 4, 4, 4))
    for ia, a in enumerate(SC_FLAVOURS):
        for ib, b in enumerate(SC_FLAVOURS):
            for ia2, a2 in enumerate(SC_FLAVOURS):
                for ib2, b2 in enumerate(SC_FLAVOURS):
                    if a2[0] == a[0] and b2[0] == b[0]:
                        M[ia2, ib2, ia, ib] = -(-1) ** (a[0] + b[0]) * ss[4 * ia2 + ib2, 4 * ia + ib]
    return M


@functools.lru_cache(maxsize=1)
def cc_three_site_tensors():
    """Return the three-site terms with a cc that Eqs. (3)-(8) miss, read off the 3-rung cluster.

    Two processes of order t^2 act where an sc pair meets a cc (both through
    virtual states with a triplet rung):

    * ``"A"``: a cc hops across an sc pair, (cc, sc_a, sc_b) -> (sc_a', sc_b', cc),
      ``sum A[a',b',a,b] b+_{j+2} b_j f+_{j,a'} f+_{j+1,b'} f_{j+2,b} f_{j+1,a} + h.c.``,
      in units of t^2/V (elements 1/2 and 1);
    * ``"B"``, ``"Bm"``: three sc's turn into an sc and a cc, (sc_a, sc_b, sc_c) ->
      (S, sc_d, cc) resp. (cc, sc_d, S),
      ``sum B[d,a,b,c] b+_{j+2} f+_{j+1,d} f_{j+2,c} f_{j+1,b} f_{j,a} + h.c.`` (``Bm``: b+_j),
      in units of t^2 (1/J_perp + 1/V) (elements 1/(4 sqrt 2) and 1/(2 sqrt 2)).

    The tensors are the second-order pymablock block of the microscopic 3-rung
    cluster minus the model with :func:`three_site_tensor` and the sc-cc
    repulsion, at J_perp = 1.2, V = 1, divided by these units; the tests check
    that they do not depend on (J_perp, V) and that they complete the model on
    four rungs.

    Returns
    -------
    dict
        ``"A"``, ``"B"``, ``"Bm"``: arrays of shape (4, 4, 4, 4) over :data:`SC_FLAVOURS`
        (dimensionless; read-only).

    Raises
    ------
    TypeError
        Never (no arguments); listed for the API convention.

    Examples
    --------
    >>> T = cc_three_site_tensors()
    >>> float(abs(T["A"]).max()), round(float(abs(T["B"]).max()) * 2 ** 1.5, 12)
    (1.0, 1.0)
    """
    J, V = 1.2, 1.0
    out = {}
    for nh in (3, 4):
        labels, (_, _, H2) = effective_cluster_orders(3, nh, J, V, three_site=True, sc_cc_repulsion=True)
        R = _pymablock_orders(3, nh, J, V)[2] - H2
        index = {lab: i for i, lab in enumerate(labels)}
        W = {k: np.zeros((4, 4, 4, 4)) for k in (("A",) if nh == 4 else ("B", "Bm"))}
        for idx in np.ndindex(4, 4, 4, 4):
            f = [_NAME[SC_FLAVOURS[i]] for i in idx]
            if nh == 4:
                W["A"][idx] = R[index[(f[0], f[1], "cc")], index[("cc", f[2], f[3])]] * V
            else:
                src = index[(f[1], f[2], f[3])]
                W["B"][idx] = R[index[("S", f[0], "cc")], src] / (1.0 / J + 1.0 / V)
                W["Bm"][idx] = R[index[("cc", f[0], "S")], src] / (1.0 / J + 1.0 / V)
        out.update(W)
    for m in out.values():
        m[np.abs(m) < 1e-12] = 0.0
        m.flags.writeable = False
    return out


def _cc_three_site_terms(R, J, V):
    T = cc_three_site_tensors()
    sB = 1.0 / J + 1.0 / V
    terms = []
    for j in range(R - 2):
        for idx in zip(*np.nonzero(T["A"])):
            a2, b2, a, b = (SC_FLAVOURS[i] for i in idx)
            m = float(T["A"][idx]) / V
            # operator order chosen so that the rung labels stay valid; bosons commute with fermions
            terms.append((m, [("fd", j, a2), ("fd", j + 1, b2), ("bd", j + 2), ("f", j + 2, b),
                              ("f", j + 1, a), ("b", j)]))
            terms.append((m, [("fd", j + 1, a), ("fd", j + 2, b), ("bd", j), ("f", j + 1, b2),
                              ("f", j, a2), ("b", j + 2)]))
        for key, jb in (("B", j + 2), ("Bm", j)):
            for idx in zip(*np.nonzero(T[key])):
                d, a, b, c = (SC_FLAVOURS[i] for i in idx)
                m = float(T[key][idx]) * sB
                terms.append((m, [("fd", j + 1, d), ("bd", jb), ("f", j + 2, c), ("f", j + 1, b),
                                  ("f", j, a)]))
                terms.append((m, [("fd", j, a), ("fd", j + 1, b), ("fd", j + 2, c), ("f", j + 1, d),
                                  ("b", jb)]))
    return terms


def _n_sc_before(lab, i):
    return sum(1 for x in lab[:i] if x.startswith("sc"))


def _apply(ops, lab):
    """Apply an operator string (right to left) to a rung-label tuple: (amplitude, label) or None.

    ops entries: ('fd', i, flavour), ('f', i, flavour), ('bd', i), ('b', i). The sc
    operators carry the Jordan-Wigner sign of the sc's on rungs < i (the basis
    state is O_0 O_1 ... O_{R-1}|0>, sc's odd), so they are fermions.
    """
    amp = 1.0
    lab = list(lab)
    for op in reversed(ops):
        kind, i = op[0], op[1]
        if kind == "fd":
            if lab[i] != "S":
                return None
            amp *= (-1) ** _n_sc_before(lab, i)
            lab[i] = _NAME[op[2]]
        elif kind == "f":
            if lab[i] != _NAME[op[2]]:
                return None
            amp *= (-1) ** _n_sc_before(lab, i)
            lab[i] = "S"
        elif kind == "bd":
            if lab[i] != "S":
                return None
            lab[i] = "cc"
        else:
            if lab[i] != "cc":
                return None
            lab[i] = "S"
    return amp, tuple(lab)


def _matrix(labels, terms):
    index = {lab: i for i, lab in enumerate(labels)}
    H = np.zeros((len(labels), len(labels)))
    for c, lab in enumerate(labels):
        for coef, ops in terms:
            r = _apply(ops, lab)
            if r is not None and r[1] in index:
                H[index[r[1]], c] += coef * r[0]
    return H


def _first_order_terms(R, hopping_sign):
    terms = []
    for i in range(R - 1):
        j = i + 1
        for a in SC_FLAVOURS:
            # Eq. (4): sc hopping (+t/2 as printed in Eq. 4; -t/2 in A5) and sc-cc exchange -t (A9)
            terms += [(0.5 * hopping_sign, [("fd", i, a), ("f", j, a)]),
                      (0.5 * hopping_sign, [("fd", j, a), ("f", i, a)]),
                      (-1.0, [("fd", i, a), ("bd", j), ("b", i), ("f", j, a)]),
                      (-1.0, [("fd", j, a), ("bd", i), ("b", j), ("f", i, a)])]
        for ii, jj in ((i, j), (j, i)):  # Eq. (8): a cc on jj dissolves towards ii
            for mu, s in SC_FLAVOURS:
                partner = (1 - mu, 1 - s)
                cf = -(-1) ** s / np.sqrt(2.0)
                terms.append((cf, [("fd", ii, (mu, s)), ("fd", jj, partner), ("b", jj)]))
                terms.append((cf, [("bd", jj), ("f", jj, partner), ("f", ii, (mu, s))]))
    return terms


def _three_site_terms(R):
    M = three_site_tensor()
    terms = []
    for j in range(R - 2):
        for idx in zip(*np.nonzero(M)):
            a2, b2, a, b = (SC_FLAVOURS[i] for i in idx)
            m = float(M[idx])
            terms.append((m, [("fd", j + 1, a2), ("fd", j + 2, b2), ("f", j + 1, b), ("f", j, a)]))
            terms.append((m, [("fd", j, a), ("fd", j + 1, b), ("f", j + 2, b2), ("f", j + 1, a2)]))
    return terms


def _second_order(labels, R, J, V, three_site, sc_cc_repulsion, cc_three_site=False):
    """t^2 coefficient: shift (5) per bond, repulsion and triplet term (7), options."""
    index = {lab: i for i, lab in enumerate(labels)}
    H = np.zeros((len(labels), len(labels)))
    bonds = [(i > 0) + (i < R - 1) for i in range(R)]
    Tm = -4.0 / V * _triplet_matrix()
    for c, lab in enumerate(labels):
        for i, x in enumerate(lab):
            if x.startswith("sc"):
                H[c, c] -= 0.75 / J * bonds[i]      # Eq. (5): -(3/4) t^2/J per neighbouring rung
        for i in range(R - 1):
            x, y = lab[i], lab[i + 1]
            if x.startswith("sc") and y.startswith("sc"):
                H[c, c] += 1.5 / J                   # Eq. (7), repulsion
                col = 4 * SC_FLAVOURS.index(_FLAV[x]) + SC_FLAVOURS.index(_FLAV[y])
                for row in np.nonzero(np.abs(Tm[:, col]) > 1e-15)[0]:
                    new = list(lab)
                    new[i], new[i + 1] = _NAME[SC_FLAVOURS[row // 4]], _NAME[SC_FLAVOURS[row % 4]]
                    H[index[tuple(new)], c] += Tm[row, col]   # Eq. (7), triplet channel
            if sc_cc_repulsion and {x[:2], y[:2]} == {"sc", "cc"}:
                H[c, c] += 0.75 / J
    if three_site:
        H += _matrix(labels, _three_site_terms(R)) / J
    if cc_three_site:
        H += _matrix(labels, _cc_three_site_terms(R, J, V))
    return H


def effective_cluster_orders(n_rungs, n_holes, J_perp, V, *, hopping_sign=1, three_site=False,
                             sc_cc_repulsion=False, cc_three_site=False):
    """Return the paper's effective sc/cc Hamiltonian on an open rung cluster, order by order in t_par.

    Terms: rung energies J_perp (sc) and V + J_perp (cc); first order: sc
    hopping ``hopping_sign`` * t/2 (Eq. 4 has +1, (A5) -1), sc-cc exchange -t
    (A9), recombination -(t/sqrt 2)(-1)^sigma (Eq. 8); second order: the shift
    -(3/4) t^2/J_perp per neighbouring rung (Eq. 5 on a bulk rung), the sc-sc
    repulsion +(3/2) t^2/J_perp and the triplet term -4 t^2/V (Eq. 7), and
    optionally the three-site term (:func:`three_site_tensor`) and an sc-cc
    repulsion +(3/4) t^2/J_perp per neighbouring sc-cc pair.

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
    hopping_sign : int, optional
        +1 (Eq. 4, default) or -1 (A5).
    three_site : bool, optional
        Add the three-site correlated pair hop.
    sc_cc_repulsion : bool, optional
        Add +(3/4) t^2/J_perp per sc-cc bond.
    cc_three_site : bool, optional
        Add the three-site terms with a cc (:func:`cc_three_site_tensors`).

    Returns
    -------
    labels : list of tuple of str
        The triplet-free rung states, in the order of
        :func:`nickelates.mixd.pymablock_cluster`.
    orders : list of numpy.ndarray
        [H0, H1, H2]: H_eff = H0 + t H1 + t^2 H2 (units of V, 1, 1/V).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> labels, (H0, H1, H2) = effective_cluster_orders(2, 1, 1.2, 1.0)
    >>> len(labels), float(H1.max()), round(float(H2[0, 0]), 4)    # hopping t/2, shift -(3/4)/J
    (8, 0.5, -0.625)
    """
    R = check.integer("n_rungs", n_rungs, 1, 4)
    nh = check.integer("n_holes", n_holes, 0, 2 * R)
    J = check.positive("J_perp", J_perp, hi=1e6)
    Vv = check.positive("V", V, hi=1e6)
    hs = check.integer("hopping_sign", hopping_sign)
    check.choice("hopping_sign", hs, (1, -1))
    three_site = check.boolean("three_site", three_site)
    sc_cc_repulsion = check.boolean("sc_cc_repulsion", sc_cc_repulsion)
    cc_three_site = check.boolean("cc_three_site", cc_three_site)
    labels = [lab for lab in mixd.cluster_basis(R, nh)[0] if not any(x.startswith("T") for x in lab)]
    H0 = np.diag([sum(J + (Vv if x == "cc" else 0.0) for x in lab if x != "S") for lab in labels])
    H1 = _matrix(labels, _first_order_terms(R, hs))
    H2 = _second_order(labels, R, J, Vv, three_site, sc_cc_repulsion, cc_three_site)
    return labels, [H0.astype(float), H1, H2]


def compare_with_microscopic(n_rungs, n_holes, J_perp=1.2, V=1.0, t_par=0.1, *, hopping_sign=1,
                             three_site=False, sc_cc_repulsion=False, cc_three_site=False):
    """Compare the effective model on a rung cluster with the microscopic model (pymablock and ED).

    Parameters
    ----------
    n_rungs : int
        Number of rungs R, in [1, 4].
    n_holes : int
        Number of holes, in [0, 2R].
    J_perp : float, optional
        Rung exchange, in (0, 1e6] (units of V).
    V : float, optional
        Rung repulsion, in (0, 1e6] (units of V).
    t_par : float, optional
        Leg hopping for the spectra, in [1e-6, 1] (units of V).
    hopping_sign, three_site, sc_cc_repulsion, cc_three_site : optional
        Options of :func:`effective_cluster_orders`.

    Returns
    -------
    dict
        ``first_order_spectrum``: max |eig(H0 + t H1)| difference, model vs
        pymablock (units of V); ``first_order_matrix``: max |H1 - H1_pmb|;
        ``second_order_matrix``: max |H2 - H2_pmb| (units of 1/V; a basis-exact
        comparison); ``second_order_spectrum``: max level difference of
        H0 + t H1 + t^2 H2, model vs pymablock, in units of t^2/J_perp;
        ``ed_deviation``: max difference of the lowest levels of exact
        diagonalization (:func:`nickelates.mixd.cluster_hamiltonian`) from the
        model's, in units of t^2/J_perp (-> 0 as t -> 0 only if the model is
        complete to O(t^2)); ``dimension``: number of low-energy states.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> c = compare_with_microscopic(3, 2)
    >>> round(c["second_order_spectrum"], 6)               # the missing three-site term
    0.75
    >>> c = compare_with_microscopic(3, 2, three_site=True)
    >>> bool(c["second_order_spectrum"] < 1e-10)
    True
    """
    t = check.in_range("t_par", t_par, 1e-6, 1.0)
    labels, (H0, H1, H2) = effective_cluster_orders(n_rungs, n_holes, J_perp, V, hopping_sign=hopping_sign,
                                                    three_site=three_site,
                                                    sc_cc_repulsion=sc_cc_repulsion,
                                                    cc_three_site=cc_three_site)
    J, Vv = float(J_perp), float(V)
    P0, P1, P2 = _pymablock_orders(int(n_rungs), int(n_holes), J, Vv)
    spec1 = np.abs(np.linalg.eigvalsh(H0 + t * H1) - np.linalg.eigvalsh(P0 + t * P1)).max()
    e_model = np.linalg.eigvalsh(H0 + t * H1 + t * t * H2)
    e_pmb = np.linalg.eigvalsh(P0 + t * P1 + t * t * P2)
    e_ed = _ed_levels(int(n_rungs), int(n_holes), J, Vv, float(t))[: len(labels)]
    unit = t * t / J
    return {"first_order_spectrum": float(spec1),
            "first_order_matrix": float(np.abs(H1 - P1).max()),
            "second_order_matrix": float(np.abs(H2 - P2).max()),
            "second_order_spectrum": float(np.abs(e_model - e_pmb).max() / unit),
            "ed_deviation": float(np.abs(e_model - e_ed).max() / unit),
            "dimension": len(labels)}


@functools.lru_cache(maxsize=32)
def _pymablock_orders(R, nh, J, V):
    """Return pymablock's [H0, H1, H2] of a cluster, cached (4-rung clusters take seconds); read-only."""
    out = mixd.pymablock_cluster(R, nh, J, V, order=2)
    for m in out:
        m.flags.writeable = False
    return out


@functools.lru_cache(maxsize=64)
def _ed_levels(R, nh, J, V, t):
    """All levels of the microscopic cluster (exact diagonalization), cached; read-only."""
    e = np.linalg.eigvalsh(mixd.cluster_hamiltonian(R, nh, J, V, t)[1])
    e.flags.writeable = False
    return e


# --------------------------------------------------------------------------- mean field
@functools.lru_cache(maxsize=1)
def mean_field_energy_terms():
    """Return the energy per rung of each term of the effective ladder model in the mean-field ansatz (SymPy).

    The ansatz (paper's Eq. 9) is a product over k of states in the four
    modes (k 1 sigma, -k 0 sigma-bar) with one layer-singlet pair at most,
    times a coherent state of cc's at k = 0.  To leading order in 1/N its
    correlations factorise like a BCS state's, with

    * g_r = <f+_{i,a} f_{i+r,a}> = (1/N) sum_k (v_k^2 / 2) cos(k r) (every flavour),
    * p_r = (1/N) sum_k u_k v_k cos(k r), <f_{i,0 s-bar} f_{i+r,1 s}> = (-1)^s p_r / sqrt 2,
    * <b_j> = beta / sqrt N,

    and every term is evaluated by Wick's theorem on a periodic ladder
    (one bond or one three-rung string per rung). n_sc = 4 g0.

    Returns
    -------
    dict
        SymPy expressions in the symbols ``g0 g1 g2 p0 p1 p2 beta N t J V``
        (:func:`sympy.symbols`; ``beta, N, t, J, V`` positive), one per term:
        ``hopping``, ``exchange``, ``recombination`` (first order);
        ``repulsion_pairing``, ``repulsion_normal``, ``triplet_pairing``,
        ``triplet_normal`` (Eq. 7, split into the anomalous and the
        Hartree-Fock contractions); ``three_site``; ``sc_cc_repulsion``; ``cc_hop`` and
        ``cc_conversion`` (:func:`cc_three_site_tensors`).

    Raises
    ------
    TypeError
        Never (no arguments); listed for the API convention.

    Examples
    --------
    >>> T = mean_field_energy_terms()
    >>> T["recombination"], T["repulsion_pairing"], T["triplet_pairing"]
    (-8*beta*p1*t/sqrt(N), 3*p1**2*t**2/J, 0)
    >>> T["three_site"]                    # its pairing part cancels the repulsion's
    6*g0*g2*t**2/J - 3*p1**2*t**2/J
    """
    import sympy as sp
    g = sp.symbols("g0:3")
    p = sp.symbols("p0:3")
    beta, N, t, J, V = sp.symbols("beta N t J V", positive=True)

    def G(x, y):
        (i, a), (j, b) = x, y
        return g[abs(i - j)] if a == b else 0

    def K(x, y):  # <f_x f_y>
        (i, a), (j, b) = x, y
        if a[0] == 0 and b[0] == 1 and a[1] == 1 - b[1]:
            return (-1) ** b[1] * p[abs(j - i)] / sp.sqrt(2)
        if a[0] == 1 and b[0] == 0 and a[1] == 1 - b[1]:
            return -((-1) ** a[1]) * p[abs(j - i)] / sp.sqrt(2)
        return 0

    def two(o1, o2):
        (k1, x), (k2, y) = o1, o2
        if k1 == "d" and k2 == "a":
            return G(x, y)
        if k1 == "a" and k2 == "d":
            return (1 if x == y else 0) - G(y, x)
        return K(x, y) if k1 == "a" else K(y, x)

    def wick4(ops):
        o1, o2, o3, o4 = ops
        normal = anomalous = 0
        for (x, y), (u, w), s in (((o1, o2), (o3, o4), 1), ((o1, o3), (o2, o4), -1),
                                  ((o1, o4), (o2, o3), 1)):
            val = s * two(x, y) * two(u, w)
            if x[0] == y[0]:
                anomalous += val
            else:
                normal += val
        return normal, anomalous

    def d(i, a):
        return ("d", (i, a))

    def a_(i, a):
        return ("a", (i, a))

    def two_body(O, i1, i2, j1, j2):
        """<sum O[a',b',a,b] f+_{i1 a'} f+_{i2 b'} f_{j2 b} f_{j1 a}> as (normal, anomalous)."""
        normal = anomalous = 0
        for idx in zip(*np.nonzero(np.abs(O) > 1e-14)):
            a2, b2, a, b = (SC_FLAVOURS[i] for i in idx)
            o = sp.nsimplify(round(float(O[idx]), 12))
            x, y = wick4([d(i1, a2), d(i2, b2), a_(j2, b), a_(j1, a)])
            normal += o * x
            anomalous += o * y
        return normal, anomalous

    b1 = beta / sp.sqrt(N)
    T = {}
    T["hopping"] = sum(t / 2 * (two(d(0, f), a_(1, f)) + two(d(1, f), a_(0, f))) for f in SC_FLAVOURS)
    T["exchange"] = sum(-t * beta ** 2 / N * (two(d(0, f), a_(1, f)) + two(d(1, f), a_(0, f)))
                        for f in SC_FLAVOURS)
    rec = 0
    for i, j in ((0, 1), (1, 0)):
        for mu, s in SC_FLAVOURS:
            f1, f2 = (mu, s), (1 - mu, 1 - s)
            rec += -t / sp.sqrt(2) * (-1) ** s * b1 * (two(d(i, f1), d(j, f2)) + two(a_(j, f2), a_(i, f1)))
    T["recombination"] = rec
    eye = np.eye(16).reshape(4, 4, 4, 4)
    rn, ra = two_body(eye, 0, 1, 0, 1)
    T["repulsion_normal"] = sp.Rational(3, 2) * t ** 2 / J * rn
    T["repulsion_pairing"] = sp.Rational(3, 2) * t ** 2 / J * ra
    tn, ta = two_body(_triplet_matrix().reshape(4, 4, 4, 4), 0, 1, 0, 1)
    T["triplet_normal"] = -4 * t ** 2 / V * tn
    T["triplet_pairing"] = -4 * t ** 2 / V * ta
    M = three_site_tensor()
    xn, xa = two_body(M, 1, 2, 0, 1)
    yn, ya = two_body(np.transpose(M, (2, 3, 0, 1)), 0, 1, 1, 2)       # the h.c.
    T["three_site"] = t ** 2 / J * (xn + xa + yn + ya)
    # sc next to a cc on either side: <n^f_i n^b_j> = n_sc * beta^2/N exactly (product state)
    T["sc_cc_repulsion"] = sp.Rational(3, 4) * t ** 2 / J * 2 * (4 * g[0]) * beta ** 2 / N
    # three-site terms with a cc: <b+_{j+2} b_j> = beta^2/N, <b+_j> = beta/sqrt N
    W = cc_three_site_tensors()

    def wick(ops):
        return sum(wick4(ops))

    hop = conv = 0
    for idx in zip(*np.nonzero(W["A"])):
        a2, b2, a, b = (SC_FLAVOURS[i] for i in idx)
        w = sp.nsimplify(round(float(W["A"][idx]), 12))
        hop += w * (wick([d(0, a2), d(1, b2), a_(2, b), a_(1, a)]) + wick([d(1, a), d(2, b), a_(1, b2), a_(0, a2)]))
    for key in ("B", "Bm"):
        for idx in zip(*np.nonzero(W[key])):
            dd, a, b, c = (SC_FLAVOURS[i] for i in idx)
            w = sp.nsimplify(round(float(W[key][idx]), 12), [sp.sqrt(2)])
            conv += w * (wick([d(1, dd), a_(2, c), a_(1, b), a_(0, a)]) + wick([d(0, a), d(1, b), d(2, c), a_(1, dd)]))
    T["cc_hop"] = t ** 2 / V * beta ** 2 / N * hop
    T["cc_conversion"] = t ** 2 * (1 / J + 1 / V) * b1 * conv
    return {k: sp.expand(sp.simplify(v)) for k, v in T.items()}

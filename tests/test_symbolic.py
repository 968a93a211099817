"""Tests of nickelates.symbolic: the SymPy derivations of chapters 2 and 3 against the printed forms."""
import numpy as np
import pytest
import sympy as sp

from nickelates import clusters, couplings
from nickelates import symbolic as S


# ------------------------------------------------------------- package layout
def test_package_reexports_and_old_path():
    import nickelates.symbolic_pairing as old

    from nickelates.symbolic import pairing

    assert S.hubbard_dimer_sw is S.couplings.hubbard_dimer_sw
    assert S.t_c is S.couplings.t_c and S.E_rem_a.name == "E^-_a"
    for name in ("symbols", "kernel_expansion", "kappa_linear_dropout", "log_approximation", "gap_ratio",
                 "bcs_ratio"):
        assert getattr(old, name) is getattr(pairing, name)
    assert set(old.__all__) == set(pairing.__all__)


# ------------------------------------------------------------------ chapter 2
def test_dimer_exchange_symbolic():
    d = S.hubbard_dimer_sw()
    assert sp.simplify(d["J"] - S.printed()["J_c"]) == 0
    # H_eff = J (S1.S2 - 1/4) on the covalent states
    b = S.bond_operators()
    s1s2 = sum((b["S1"][m] * b["S2"][m] for m in range(3)), sp.zeros(4, 4))
    assert sp.simplify(d["H_eff"] - S.printed()["J_c"] * (s1s2 - sp.eye(4) / 4)) == sp.zeros(4, 4)
    assert sp.simplify(d["gap_series"] - (4 * S.t_c**2 / S.U - 16 * S.t_c**4 / S.U**3)) == 0
    # the exact gap is the textbook two-site result
    assert sp.simplify(d["gap_exact"] - (sp.sqrt(S.U**2 + 16 * S.t_c**2) - S.U) / 2) == 0


def test_eq7_holds_on_dimer_space():
    res = S.eq7_residual()
    assert len(res) == 6 and all(r == sp.zeros(4, 4) for r in res)
    b = S.bond_operators()
    # hard-core: T^+ T^+ vanishes on the 4-dim space (outside it, Eq. 7 has no meaning)
    assert all((b["Tdag"][m] * b["Tdag"][n]) == sp.zeros(4, 4) for m in range(3) for n in range(3))
    # the states are those of clusters.dimer_spin_basis (Sachdev-Bhatt phases)
    B = clusters.dimer_spin_basis()
    vecs = [b["s"], *b["t"]]
    for m in range(4):
        assert np.allclose(np.array(vecs[m].evalf(), dtype=complex).ravel(), B[m])


def test_hund_linear_part_is_eq8():
    h = S.hund_coupling()
    assert sp.simplify(h["H_lin"] - h["rhs"]) == sp.zeros(64, 64)
    for a, b in zip(h["s1_minus_s2"], h["s_ab_plus_s_ba"]):
        assert sp.simplify(a - b) == sp.zeros(16, 16)


def test_channel_sw_forms():
    r = S.channel_sw()
    g, ma, mb, pa, pb = S.g, S.E_rem_a, S.E_rem_b, S.E_add_a, S.E_add_b
    assert sp.simplify(r["shift_alpha"] - g**2 / 2 * (1 / ma - 1 / pa)) == 0
    assert sp.simplify(r["shift_beta"] - g**2 / 2 * (1 / mb - 1 / pb)) == 0
    assert sp.simplify(r["J_K_a"] - g**2 * (1 / ma + 1 / pb)) == 0
    assert sp.simplify(r["J_K_b"] - g**2 * (1 / mb + 1 / pa)) == 0
    # printed Eq. (10) with E^-_a = E_a, E^+_b = E_a + U, E^-_b = E_b, E^+_a = E_b + U, g = 2 t_xz
    ident = {g: 2 * S.t_xz, ma: S.E_a, pb: S.E_a + S.U, mb: S.E_b, pa: S.E_b + S.U}
    pr = S.printed()
    assert sp.simplify(r["J_K_a"].subs(ident) - pr["J_K_a"]) == 0
    assert sp.simplify(r["J_K_b"].subs(ident) - pr["J_K_b"]) == 0
    # printed Eq. (3) is twice the derived shift when E^+_a = E_a + U
    ident3 = {g: 2 * S.t_xz, ma: S.E_a, pa: S.E_a + S.U}
    assert sp.simplify(pr["eps_alpha"] - 2 * r["shift_alpha"].subs(ident3)) == 0
    # structure coefficients: weight 1/2 per spin in the density channel, 1 in the spin-flip channel
    assert r["coefficients"]["rem_a"] == {"shift_alpha": sp.Rational(1, 2), "shift_beta": 0, "J_K_a": 1, "J_K_b": 0}


def test_triplon_pairing_V():
    r = S.triplon_pairing()
    pr = S.printed()
    assert sp.simplify(r["V"] - pr["V"] * S.f_a * S.f_b) == 0
    assert r["V_triplet"] == 0
    assert r["spin_structure"] == sp.Rational(-3, 2)
    assert r["per_polarization"] == [sp.Rational(-1, 2)] * 3
    # generic vertex: V = 3 A_ab A_ba / (2 J_c), only the product of the two coefficients enters
    A_ab, A_ba = r["A_symbols"]
    assert sp.simplify(r["V_generic"] - 3 * A_ab * A_ba / (2 * S.J_c)) == 0
    # with the cluster's vertex and the identification of Eq. (10): the printed Eq. (13)
    ident = {S.E_rem_a: S.E_a, S.E_add_b: S.E_a + S.U, S.E_rem_b: S.E_b, S.E_add_a: S.E_b + S.U}
    kap = {S.kappa_a: pr["J_K_a"] / S.J_H, S.kappa_b: pr["J_K_b"] / S.J_H}
    assert sp.simplify(r["V_kk"].subs(ident) - pr["V_kk"].subs(kap)) == 0
    # the swapped (v1) assignment of the Kondo couplings gives the same V_kk (the product is symmetric) ...
    kap_v1 = {S.kappa_a: pr["J_K_b"] / S.J_H, S.kappa_b: pr["J_K_a"] / S.J_H}
    assert sp.simplify(r["V_kk"].subs(ident) - pr["V_kk"].subs(kap_v1)) == 0
    # ... but a Kondo term of the same sign as Hund's would not (f = 1 + kappa eta eta')
    wrong = pr["V_kk"].subs({S.kappa_a: -pr["J_K_a"] / S.J_H, S.kappa_b: -pr["J_K_b"] / S.J_H})
    assert sp.simplify(r["V_kk"].subs(ident) - wrong) != 0


def test_interaction_vertex_eq11():
    v = S.interaction_vertex()
    assert all(res.is_zero_matrix for res in v["residual"])            # A_mu = c_ab s_ab + c_ba s_ba
    ch = S.channel_sw()
    jka = ch["J_K_a"].subs(S.g, 2 * S.t_xz)
    jkb = ch["J_K_b"].subs(S.g, 2 * S.t_xz)
    ee = S.eta_k * S.eta_kp
    for mu in range(3):
        assert sp.simplify(v["c_ab"][mu] - (-S.J_H + ee * jka)) == 0    # -J_H f^a
        assert sp.simplify(v["c_ba"][mu] - (-S.J_H + ee * jkb)) == 0    # -J_H f^b
    # the coefficient of T^+ . s_ab carries E^-_a (J_K^a, as in v3), that of T . s_ab carries E^-_b
    assert sp.simplify(S.g**2 * v["kondo_Tdag_s_ab"] - ch["J_K_a"]) == 0
    assert sp.simplify(S.g**2 * v["kondo_T_s_ab"] - ch["J_K_b"]) == 0
    assert sp.simplify(v["kondo_Tdag_s_ab"] - v["kondo_T_s_ab"]) != 0
    # the Hund part alone: A_mu = -J_H (s_ab + s_ba)
    assert sp.simplify(v["c_ab"][0].subs(S.t_xz, 0) + S.J_H) == 0


def test_contact_interactions_band_basis():
    ci = S.contact_interactions()
    U, Vp = ci["U_x"], ci["V_perp"]
    # on-site U: intraband U/2 and an interband pair hopping of the same size (hand derivation)
    assert ci["intra_alpha"] == U / 2 + Vp / 2 and ci["intra_beta"] == U / 2 + Vp / 2
    assert ci["pair_hopping"] == U / 2 - Vp / 2
    # the operator conserves the particle number and is Hermitian
    assert (ci["H"] - ci["H"].T).is_zero_matrix
    # total: the doubly occupied rung (all four modes) costs 2 U_x + 4 V_perp
    assert ci["H"][15, 15] == 2 * U + 4 * Vp


def test_numeric_functions_match_symbolic(rng):
    pr = S.printed()
    for _ in range(5):
        t, Ea, Eb, U, tc = rng.uniform(0.1, 2.0, 5)
        sub = {S.t_xz: t, S.E_a: Ea, S.E_b: Eb, S.U: U, S.t_c: tc}
        ea, eb = couplings.band_shifts(t, Ea, Eb, U)
        ja, jb = couplings.kondo_couplings(t, Ea, Eb, U)
        assert ea == pytest.approx(float(pr["eps_alpha"].subs(sub)), rel=1e-12)
        assert eb == pytest.approx(float(pr["eps_beta"].subs(sub)), rel=1e-12)
        assert ja == pytest.approx(float(pr["J_K_a"].subs(sub)), rel=1e-12)
        assert jb == pytest.approx(float(pr["J_K_b"].subs(sub)), rel=1e-12)
        assert couplings.dimer_exchange(tc, U) == pytest.approx(float(pr["J_c"].subs(sub)), rel=1e-12)
    J_H, J_c = 0.37, 0.29
    assert couplings.pairing_strength(J_H, J_c) == pytest.approx(float(pr["V"].subs({S.J_H: J_H, S.J_c: J_c})))
    vkk = pr["V_kk"].subs({S.J_H: J_H, S.J_c: J_c, S.kappa_a: 1.2, S.kappa_b: 0.4, S.eta_k: 0.7, S.eta_kp: -1.1})
    V = couplings.pairing_strength(J_H, J_c)
    assert couplings.pairing_matrix_element(0.7, -1.1, V, 1.2, 0.4) == pytest.approx(float(vkk), rel=1e-12)


def test_channel_sw_numbers_match_closed_form():
    r = S.channel_sw()
    args = (0.7, 1.9, 5.5, 4.1)
    sub = dict(zip((S.E_rem_a, S.E_rem_b, S.E_add_a, S.E_add_b), args)) | {S.g: 0.4}
    num = couplings.channel_couplings(0.2, *args)
    for f in clusters.CHANNEL_FIELDS:
        assert getattr(num, f) == pytest.approx(float(r[f].subs(sub)), rel=1e-12)


def test_channel_sw_against_pymablock():
    from pymablock import block_diagonalize

    args = (0.7, 1.9, 5.5, 4.1)
    H0, Vm, low, _ = clusters.channel_cluster_hamiltonian(1.0, *args)
    sub = np.ones(256, int)
    sub[low] = 0
    Ht, *_ = block_diagonalize([H0, Vm], subspace_indices=sub)
    ref = clusters.effective_channel_couplings(np.asarray(Ht[0, 0, 2]))
    sw = clusters.channel_cluster_couplings_sw(1.0, *args)
    for f in clusters.CHANNEL_FIELDS:
        assert getattr(ref, f) == pytest.approx(getattr(sw, f), rel=1e-9)


def test_kondo_operator_form_eq9():
    """Singlet-triplet blocks of the SW Hamiltonian = J^a T+.s_ab + J^b T.s_ab + h.c. (all components)."""
    args = (0.7, 1.9, 5.5, 4.1)
    H0, Vm, low, _ = clusters.channel_cluster_hamiltonian(1.0, *args)
    e = np.diag(H0)
    high = np.setdiff1d(np.arange(256), low)
    Vlh = Vm[np.ix_(low, high)]
    heff = -(Vlh / e[high]) @ Vlh.T
    d = couplings.channel_couplings(0.5, *args)                      # g = 2 t_xz = 1
    b = S.bond_operators()

    def to_np(m):
        return np.array(m.tolist(), dtype=complex)

    cd = list(clusters.fermion_creation_operators(4))
    c = [o.T for o in cd]
    pauli = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1, -1])]
    s_ab = [0.5 * sum(m[i, j] * cd[i] @ c[2 + j] for i in range(2) for j in range(2)) for m in pauli]
    HK = sum(np.kron(d.J_K_a * to_np(b["Tdag"][mu]) + d.J_K_b * to_np(b["T"][mu]), s_ab[mu]) for mu in range(3))
    HK = HK + HK.conj().T
    Ps = np.kron(to_np(b["s"] * b["s"].H), np.eye(16))
    Pt = np.eye(64) - Ps
    lin = Ps @ heff @ Pt + Pt @ heff @ Ps
    assert np.allclose(lin, HK, atol=1e-12)
    assert np.abs(HK).max() > 0.1                               # the comparison is not 0 == 0


# ------------------------------------------------------------------ chapter 3
def test_pairing_derivations_keys():
    from nickelates.symbolic import pairing

    s = pairing.symbols()
    assert pairing.kernel_expansion()["kappa2"] == s["ka"] * s["kb"]
    assert pairing.kappa_linear_dropout()["orbit_sum_eta"] == 0
    la = pairing.log_approximation()
    assert sp.simplify(la["Delta_alpha_k"].subs(s["e"], 0) - la["eq17_rhs"]) == 0
    gr = pairing.gap_ratio()
    assert {"ratio", "Delta", "Delta_alpha", "Delta_beta", "validity", "r"} <= set(gr)
    # v1 ratio (N_beta/N_alpha)^(1/(2 - lambda)) at N_beta/N_alpha = 4, lambda = 0.4
    val = float(gr["ratio"].subs({s["Na"]: 1.0, s["Nb"]: 4.0, s["lam"]: 0.4}))
    assert val == pytest.approx(4.0 ** (1 / 1.6), rel=1e-12)
    assert pairing.bcs_ratio()["value"] == pytest.approx(2 * np.pi * np.exp(-np.euler_gamma), rel=1e-12)


def test_singlet_channel_sw_weighted_forms_and_ed():
    """SymPy second order from the exact singlet: weights n in the shifts, sqrt(2 n) in the Kondo terms."""
    from nickelates import clusters

    r = S.singlet_channel_sw()
    g, na, nb = S.g, S.n_a, S.n_b
    ma, mb, pa, pb = S.E_rem_a, S.E_rem_b, S.E_add_a, S.E_add_b
    assert sp.simplify(r["J_K_a"] - sp.sqrt(2 * na) * g**2 * (1 / ma + 1 / pb)) == 0
    assert sp.simplify(r["J_K_b"] - sp.sqrt(2 * nb) * g**2 * (1 / mb + 1 / pa)) == 0
    assert sp.simplify(r["shift_alpha"] - g**2 * (na / ma - nb / pa)) == 0
    assert sp.simplify(r["shift_beta"] - g**2 * (nb / mb - na / pb)) == 0
    assert sp.simplify(r["hund_factor"] - (sp.sqrt(na) + sp.sqrt(nb)) / sp.sqrt(2)) == 0
    # covalent singlet (n = 1/2): the local-moment channel cluster
    half = {na: sp.Rational(1, 2), nb: sp.Rational(1, 2)}
    chan = S.channel_sw()
    for key in ("J_K_a", "J_K_b", "shift_alpha", "shift_beta"):
        assert sp.simplify(r[key].subs(half) - chan[key]) == 0
    # numbers: the ED of the full dimer at the paper's t_c/U
    ed = clusters.singlet_channel_couplings(0.6, 5.0, -2.0)
    num = {na: ed.n_a, nb: ed.n_b, ma: ed.E_rem_a, mb: ed.E_rem_b, pa: ed.E_add_a, pb: ed.E_add_b, g: 1}
    assert float(r["J_K_a"].subs(num)) == pytest.approx(ed.J_K_a, rel=1e-10)
    assert float(r["J_K_b"].subs(num)) == pytest.approx(ed.J_K_b, rel=1e-10)
    assert float(r["hund_factor"].subs(num)) == pytest.approx(ed.hund_factor, rel=1e-10)

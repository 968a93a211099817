"""Tests of chapter 2: symbolic derivations, numeric couplings, cluster ED, widget."""
import math

import numpy as np
import pytest
import sympy as sp

from nickelates import clusters as C
from nickelates import couplings as K
from nickelates import symbolic as S

T_XZ = math.sqrt(3) / 4 * 0.6


# ------------------------------------------------------------------ symbolic
def test_dimer_exchange_symbolic():
    d = S.hubbard_dimer_sw()
    assert sp.simplify(d["J"] - S.printed()["J_c"]) == 0
    # H_eff = J (S1.S2 - 1/4) on the covalent states
    b = S.bond_operators()
    s1s2 = sum((b["S1"][m] * b["S2"][m] for m in range(3)), sp.zeros(4, 4))
    assert sp.simplify(d["H_eff"] - S.printed()["J_c"] * (s1s2 - sp.eye(4) / 4)) == sp.zeros(4, 4)
    assert sp.simplify(d["gap_series"] - (4 * S.t_c**2 / S.U - 16 * S.t_c**4 / S.U**3)) == 0


def test_eq7_holds_on_dimer_space():
    for r in S.eq7_residual():
        assert r == sp.zeros(4, 4)
    b = S.bond_operators()
    # hard-core: T^+ T^+ vanishes on the 4-dim space (outside it, Eq. 7 has no meaning)
    assert all((b["Tdag"][m] * b["Tdag"][n]) == sp.zeros(4, 4) for m in range(3) for n in range(3))


def test_hund_linear_part_is_eq8():
    h = S.hund_coupling()
    assert sp.simplify(h["H_lin"] - h["rhs"]) == sp.zeros(64, 64)
    for a, b in zip(h["s1_minus_s2"], h["s_ab_plus_s_ba"]):
        assert sp.simplify(a - b) == sp.zeros(16, 16)


def test_channel_sw_forms():
    r = S.channel_sw()
    g, ma, mb, pa, pb = S.g, S.Em_a, S.Em_b, S.Ep_a, S.Ep_b
    assert sp.simplify(r["shift_alpha"] - g**2 / 2 * (1 / ma - 1 / pa)) == 0
    assert sp.simplify(r["shift_beta"] - g**2 / 2 * (1 / mb - 1 / pb)) == 0
    assert sp.simplify(r["K_a"] - g**2 * (1 / ma + 1 / pb)) == 0
    assert sp.simplify(r["K_b"] - g**2 * (1 / mb + 1 / pa)) == 0
    # printed Eq. (10) with E^-_a = E_a, E^+_b = E_a + U, E^-_b = E_b, E^+_a = E_b + U, g = 2 t_xz
    ident = {g: 2 * S.t_xz, ma: S.E_a, pb: S.E_a + S.U, mb: S.E_b, pa: S.E_b + S.U}
    pr = S.printed()
    assert sp.simplify(r["K_a"].subs(ident) - pr["J_K_a"]) == 0
    assert sp.simplify(r["K_b"].subs(ident) - pr["J_K_b"]) == 0
    # printed Eq. (3) is twice the derived shift when E^+_a = E_a + U
    ident3 = {g: 2 * S.t_xz, ma: S.E_a, pa: S.E_a + S.U}
    assert sp.simplify(pr["eps_alpha"] - 2 * r["shift_alpha"].subs(ident3)) == 0


def test_triplon_pairing_V():
    r = S.triplon_pairing()
    pr = S.printed()
    assert sp.simplify(r["V"] - pr["V"] * S.f_a * S.f_b) == 0
    assert r["V_triplet"] == 0
    assert r["spin_structure"] == sp.Rational(-3, 2)


# ------------------------------------------------------- numeric vs symbolic
def test_numeric_functions_match_symbolic():
    pr = S.printed()
    rng = np.random.default_rng(3)
    for _ in range(5):
        t, Ea, Eb, U, tc = rng.uniform(0.1, 2.0, 5)
        sub = {S.t_xz: t, S.E_a: Ea, S.E_b: Eb, S.U: U, S.t_c: tc}
        ea, eb = K.band_shifts(t, Ea, Eb, U)
        ja, jb = K.kondo_couplings(t, Ea, Eb, U)
        assert ea == pytest.approx(float(pr["eps_alpha"].subs(sub)), rel=1e-12)
        assert eb == pytest.approx(float(pr["eps_beta"].subs(sub)), rel=1e-12)
        assert ja == pytest.approx(float(pr["J_K_a"].subs(sub)), rel=1e-12)
        assert jb == pytest.approx(float(pr["J_K_b"].subs(sub)), rel=1e-12)
        assert K.dimer_exchange(tc, U) == pytest.approx(float(pr["J_c"].subs(sub)), rel=1e-12)
    J_H, J_c = 0.37, 0.29
    assert K.pairing_strength(J_H, J_c) == pytest.approx(float(pr["V"].subs({S.J_H: J_H, S.J_c: J_c})))


def test_channel_couplings_function_matches_sw_cluster():
    args = (0.7, 1.9, 5.5, 4.1)
    d = K.channel_couplings(0.2, *args)
    sw = C.channel_cluster_couplings_sw(0.4, *args)
    assert d["eps_alpha"] == pytest.approx(sw.shift_alpha, rel=1e-10)
    assert d["eps_beta"] == pytest.approx(sw.shift_beta, rel=1e-10)
    assert d["J_K_a"] == pytest.approx(sw.K_a, rel=1e-10)
    assert d["J_K_b"] == pytest.approx(sw.K_b, rel=1e-10)


def test_channel_sw_against_pymablock():
    from pymablock import block_diagonalize

    args = (0.7, 1.9, 5.5, 4.1)
    H0, Vm, low, _ = C.channel_cluster_hamiltonian(1.0, *args)
    sub = np.ones(256, int)
    sub[low] = 0
    Ht, *_ = block_diagonalize([H0, Vm], subspace_indices=sub)
    h2 = np.asarray(Ht[0, 0, 2])
    ref = C._extract(h2, C._vacuum_energy(h2), low)
    sw = C.channel_cluster_couplings_sw(1.0, *args)
    for f in ("shift_alpha", "shift_beta", "K_a", "K_b"):
        assert getattr(ref, f) == pytest.approx(getattr(sw, f), rel=1e-9)


# ------------------------------------------------------------------- ED
def test_dimer_ed_gap_and_error_order():
    sp_ = C.dimer_spectrum(0.6, 5.0)
    assert sp_.gap == pytest.approx(K.singlet_triplet_gap(0.6, 5.0, exact=True), rel=1e-12)
    assert abs(sp_.triplet) < 1e-12
    assert sp_.gap == pytest.approx(K.dimer_exchange(0.6, 5.0), rel=0.06)   # 0.273 vs 0.288
    ts = np.geomspace(0.03, 0.3, 6)
    err = [C.dimer_spectrum(t, 5.0).gap - K.dimer_exchange(t, 5.0) for t in ts]
    assert C.loglog_slope(ts, err) == pytest.approx(4.0, abs=0.05)


def test_channel_ed_error_is_fourth_order():
    Ea = K.E_a_for_eps_alpha(0.4, T_XZ, 5.0)
    args = (Ea, Ea + 1.2, Ea + 1.2 + 5.0, Ea + 5.0)
    gs = np.geomspace(0.01, 0.08, 5)
    for f in ("shift_alpha", "K_a", "K_b"):
        err = [getattr(C.channel_cluster_couplings_ed(g, *args), f)
               - getattr(C.channel_cluster_couplings_sw(g, *args), f) for g in gs]
        assert C.loglog_slope(gs, err) == pytest.approx(4.0, abs=0.1)
    # tiny g: agreement
    ed = C.channel_cluster_couplings_ed(0.01, *args)
    sw = C.channel_cluster_couplings_sw(0.01, *args)
    assert ed.K_a == pytest.approx(sw.K_a, rel=2e-3)


def test_hubbard_dimer_excitations():
    tc, U = 0.6, 5.0
    for ez in (-2.0, -1.0):
        x = C.hubbard_dimer_excitations(tc, U, ez)
        # in the Mott dimer the bonding channel is the cheaper one to empty
        assert x["E_rem_b"] == pytest.approx(x["E_rem_a"] - 2 * tc, abs=1e-10)
        assert x["E_add_a"] == pytest.approx(x["E_add_b"] - 2 * tc, abs=1e-10)
        assert x["E_rem_a"] + x["E_add_b"] == pytest.approx(U + 2 * tc + 2 * C.dimer_spectrum(tc, U).gap, abs=1e-10)
        # removal weight through a: (1 - 4 t_c / sqrt(U^2 + 16 t_c^2))/2 -> 1/2 for U >> t_c
        assert x["w_rem_a"] == pytest.approx(0.5 * (1 - 4 * tc / math.hypot(U, 4 * tc)), abs=1e-12)


# -------------------------------------------------------------- the chain
def test_chain_reproduces_fig2_shifts():
    c = K.from_band_shifts(0.4, J_H=0.4, dos=(0.2859, 0.7215))
    assert c.E_a == pytest.approx(0.6024, abs=1e-3)
    assert c.E_b == pytest.approx(c.E_a + 1.2)
    assert c.eps_alpha == pytest.approx(0.4, rel=1e-12)
    assert c.eps_beta == pytest.approx(0.1, abs=0.015)          # 0.110
    assert c.J_K_a == pytest.approx(0.4964, abs=1e-3)
    assert c.J_K_b == pytest.approx(0.1895, abs=1e-3)
    assert c.J_K_a > c.J_K_b
    assert c.J_c == pytest.approx(0.288)
    assert c.V == pytest.approx(0.8333, abs=1e-3)
    assert c.kappa == pytest.approx(0.767, abs=2e-3)
    assert c.lam == pytest.approx(0.378, abs=2e-3)
    assert K.J_H_for_lambda(c.lam, c.J_c, 0.2859, 0.7215) == pytest.approx(0.4)


def test_lambda_with_band_dos():
    from nickelates import bands as B

    dos = B.fermi_level_dos(B.PAPER_V3)
    c = K.from_band_shifts(0.4, J_H=0.4, dos=dos)
    assert 0.3 < c.lam < 0.45


@pytest.mark.parametrize("call, name", [
    (lambda: K.dimer_exchange(0.6, 0.0), "U"),
    (lambda: K.dimer_exchange(-0.6, 5.0), "t_c"),
    (lambda: K.band_shifts(0.26, -0.1, 1.0, 5.0), "E_a"),
    (lambda: K.band_shifts(0.26, 0.6, float("nan"), 5.0), "E_b"),
    (lambda: K.kondo_couplings(-0.1, 0.6, 1.8, 5.0), "t_xz"),
    (lambda: K.pairing_strength(0.4, 0.0), "J_c"),
    (lambda: K.kappas(0.5, 0.2, 0.0), "J_H"),
    (lambda: K.from_microscopic(J_H=-1.0), "J_H"),
    (lambda: K.from_microscopic(dos=(0.3,)), "dos"),
    (lambda: K.E_a_for_eps_alpha(0.0, 0.26, 5.0), "eps_alpha"),
    (lambda: C.channel_cluster_couplings_ed(0.1, 0.6, 1.8, 0.0, 5.6), "E_add_a"),
    (lambda: C.loglog_slope([1, 2], [0, 1]), "non-zero"),
])
def test_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_couplings_frozen():
    c = K.from_microscopic()
    with pytest.raises(Exception):
        c.V = 1.0
    assert c.E_b == pytest.approx(c.E_a + 2 * c.t_c)


# ----------------------------------------------------------------- widget
def test_widget_redraws():
    import matplotlib

    matplotlib.use("Agg")
    from nickelates.viz import couplings as VC

    w = VC.explorer()
    d0 = w.data
    assert d0["couplings"]["eps_alpha"] == pytest.approx(K.band_shifts(T_XZ, 0.6, 1.8, 5.0)[0])
    w.sliders["E_a"].value = 1.2
    d1 = w.data
    assert d1["couplings"]["E_a"] == pytest.approx(1.2)
    assert d1["couplings"]["eps_alpha"] < d0["couplings"]["eps_alpha"]
    assert d1["splitting_X"] < d0["splitting_X"]
    assert d1["splitting_X"] == pytest.approx(4 * (d1["couplings"]["eps_alpha"] - d1["couplings"]["eps_beta"]), rel=1e-9)
    w.sliders["J_H"].value = 0.6
    assert w.data["couplings"]["V"] == pytest.approx(1.5 * 0.36 / K.dimer_exchange(0.6, 5.0))
    fr = VC.static_frames([0.5, 1.0])
    assert len(fr.images) == 2


def test_kondo_operator_form_eq9():
    """Singlet-triplet blocks of the SW Hamiltonian = J^a T+.s_ab + J^b T.s_ab + h.c. (all components)."""
    args = (0.7, 1.9, 5.5, 4.1)
    H0, Vm, low, _ = C.channel_cluster_hamiltonian(1.0, *args)
    e = np.diag(H0)
    high = np.setdiff1d(np.arange(256), low)
    Vlh = Vm[np.ix_(low, high)]
    heff = -(Vlh / e[high]) @ Vlh.T
    d = K.channel_couplings(0.5, *args)                      # g = 2 t_xz = 1
    b = S.bond_operators()
    to_np = lambda m: np.array(m.tolist(), dtype=complex)
    cd = [to_np(sp.Matrix(o.astype(int))) for o in C.fermion_creation_operators(4)]
    c = [o.conj().T for o in cd]
    pauli = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1, -1])]
    s_ab = [0.5 * sum(m[i, j] * cd[i] @ c[2 + j] for i in range(2) for j in range(2)) for m in pauli]
    HK = sum(np.kron(d["J_K_a"] * to_np(b["Tdag"][mu]) + d["J_K_b"] * to_np(b["T"][mu]), s_ab[mu]) for mu in range(3))
    HK = HK + HK.conj().T
    Ps = np.kron(to_np(b["s"] * b["s"].H), np.eye(16))
    Pt = np.eye(64) - Ps
    lin = Ps @ heff @ Pt + Pt @ heff @ Ps
    assert np.allclose(lin, HK, atol=1e-12)


def test_hubbard_dimer_orders_channels_opposite_to_paper():
    """Microscopic dimer: delta xi_beta > delta xi_alpha for every stable level position."""
    n = 0
    for ez in np.linspace(-4.4, -0.6, 9):
        x = C.hubbard_dimer_excitations(0.6, 5.0, ez)
        if min(v for k, v in x.items() if k.startswith("E_")) <= 0:
            continue
        da = x["w_rem_a"] / x["E_rem_a"] - x["w_add_a"] / x["E_add_a"]
        db = x["w_rem_b"] / x["E_rem_b"] - x["w_add_b"] / x["E_add_b"]
        assert db > da
        n += 1
    assert n >= 7


def test_derived_shift_alternative_chain():
    """Notes on the source: with the derived (weight-1/2) shift, eps_alpha = 0.4 needs E_a ~ 0.32 eV."""
    from scipy.optimize import brentq

    U = 5.0
    f = lambda E: K.channel_couplings(T_XZ, E, E + 1.2, E + U, E + 1.2 + U)["eps_alpha"] - 0.4
    E = brentq(f, 0.05, 2.0)
    assert E == pytest.approx(0.32, abs=0.005)
    eb = K.channel_couplings(T_XZ, E, E + 1.2, E + U, E + 1.2 + U)["eps_beta"]
    assert eb == pytest.approx(0.07, abs=0.005)

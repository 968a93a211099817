"""Tests of nickelates.couplings: the printed chain, its limits, the band summary and the input checks.

The symbolic derivations are in test_symbolic.py, the cluster ED in test_clusters.py.
"""
import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nickelates import bands, couplings

T_XZ = math.sqrt(3) / 4 * 0.6

#: the documented box, restricted to physically sensible eV scales for the properties
energy = st.floats(1e-3, 1e3)
hopping = st.floats(-1e3, 1e3)


# ------------------------------------------------------------- hand values
def test_hand_values():
    assert couplings.dimer_exchange(0.6, 5.0) == pytest.approx(0.288, rel=1e-15)
    assert couplings.singlet_triplet_gap(0.6, 5.0, exact=True) == pytest.approx((math.sqrt(30.76) - 5) / 2, rel=1e-14)
    ea, eb = couplings.band_shifts(0.5, 1.0, 4.0, 4.0)           # 4 t^2 = 1
    assert (ea, eb) == pytest.approx((1 - 1 / 5, 1 / 4 - 1 / 8), rel=1e-15)
    ja, jb = couplings.kondo_couplings(0.5, 1.0, 4.0, 4.0)
    assert (ja, jb) == pytest.approx((1 + 1 / 5, 1 / 4 + 1 / 8), rel=1e-15)
    assert couplings.kappas(0.5, 0.2, 0.4) == pytest.approx((1.25, 0.5, math.sqrt(0.625)), rel=1e-15)
    assert couplings.pairing_strength(0.4, 0.3) == pytest.approx(0.8, rel=1e-15)
    c = couplings.channel_couplings(0.5, 1.0, 2.0, 4.0, 5.0)     # g^2 = 1
    assert c.as_tuple() == pytest.approx((0.5 * (1 - 1 / 4), 0.5 * (1 / 2 - 1 / 5), 1 + 1 / 5, 1 / 2 + 1 / 4), rel=1e-15)
    assert couplings.lambda_coupling(0.5, 0.25, 1.0) == pytest.approx(0.25, rel=1e-15)
    fa, fb = couplings.form_factors([0.0, 1.0, -2.0], 2.0, 0.5, 0.25)
    assert fa.tolist() == [1.0, 0.0, 3.0] and fb.tolist() == [1.0, 0.5, 2.0]


def test_chain_reproduces_fig2_shifts():
    c = couplings.from_band_shifts(0.4, J_H=0.4, dos=(0.2859, 0.7215))
    assert c.E_a == pytest.approx(0.6024, abs=1e-3)
    assert c.E_b == pytest.approx(c.E_a + 1.2)
    assert c.eps_alpha == pytest.approx(0.4, rel=1e-12)
    assert c.eps_beta == pytest.approx(0.1, abs=0.015)          # 0.110
    assert c.J_K_a == pytest.approx(0.4964, abs=1e-3)
    assert c.J_K_b == pytest.approx(0.1895, abs=1e-3)
    assert c.J_c == pytest.approx(0.288)
    assert c.V == pytest.approx(0.8333, abs=1e-3)
    assert c.kappa == pytest.approx(0.767, abs=2e-3)
    assert c.lam == pytest.approx(0.378, abs=2e-3)
    assert couplings.J_H_for_lambda(c.lam, c.J_c, 0.2859, 0.7215) == pytest.approx(0.4)
    # U -> infinity (exercise of chapter 2): the addition channel drops out, eps_alpha = J_K^a
    big = couplings.from_microscopic(U=1e8, E_a=0.6)
    assert big.eps_alpha == pytest.approx(big.J_K_a, rel=1e-7)


def test_lambda_with_band_dos():
    dos = bands.fermi_level_dos(bands.PAPER_V3)
    c = couplings.from_band_shifts(0.4, J_H=0.4, dos=dos)
    assert 0.3 < c.lam < 0.45
    assert c.N_alpha == dos.N_alpha and c.N_beta == dos.N_beta


def test_couplings_frozen_and_defaults():
    c = couplings.from_microscopic()
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.V = 1.0
    assert c.E_b == pytest.approx(c.E_a + 2 * c.t_c)
    assert c.t_xz == pytest.approx(couplings.T_XZ_PAPER)
    assert c.lam is None and c.as_dict()["V"] == c.V


def test_band_params_and_chain_summary(bands_045):
    c = couplings.from_band_shifts(0.4)
    p = c.band_params()
    assert (p.eps_a, p.eps_b) == (c.eps_alpha, c.eps_beta)
    assert (p.t1, p.t2, p.t3) == (bands.PAPER_V3.t1, bands.PAPER_V3.t2, bands.PAPER_V3.t3)
    assert c.band_params(bands.PAPER_V1).t2 == bands.PAPER_V1.t2
    s = couplings.chain_summary(c)
    assert sum(s["fillings"]) == pytest.approx(0.45, rel=1e-8)
    # eta_X^2 = 4: the splitting at X is 4 (eps_alpha - eps_beta)
    assert s["splitting_X"] == pytest.approx(4 * (c.eps_alpha - c.eps_beta), rel=1e-9)
    assert s["lam"] == pytest.approx(couplings.lambda_coupling(c.V, s["dos"][0], s["dos"][1]), rel=1e-14)
    # the chain's eps_beta = 0.110 is close to Fig. 2's 0.1, so mu is close to that of the paper's bands
    assert s["mu"] == pytest.approx(bands_045.mu, abs=0.02)
    s3 = couplings.chain_summary(c, n_c=0.3)
    assert sum(s3["fillings"]) == pytest.approx(0.3, rel=1e-8) and s3["mu"] < s["mu"]


# ---------------------------------------------------------- properties
@given(hopping, energy)
def test_dimer_exchange_properties(t_c, U):
    J = couplings.dimer_exchange(t_c, U)
    gap = couplings.singlet_triplet_gap(t_c, U, exact=True)
    assert J == couplings.dimer_exchange(-t_c, U) and gap == couplings.singlet_triplet_gap(-t_c, U, exact=True)
    assert math.isfinite(J) and J >= 0 and 0 <= gap <= J
    assert J == couplings.singlet_triplet_gap(t_c, U)
    x = abs(t_c) / U
    if x < 1e-2:                 # exact gap / J_c = 1 - 4 x^2 + 32 x^4 - ...
        assert abs(gap / J - (1 - 4 * x**2)) <= 33 * x**4 + 1e-14 if J > 0 else gap == 0


@given(st.floats(1e-12, 1e-6), energy)
def test_exact_gap_has_no_cancellation_at_small_hopping(ratio, U):
    # (sqrt(U^2 + 16 t^2) - U)/2 evaluated naively gives 0 here
    t_c = ratio * U
    assert couplings.singlet_triplet_gap(t_c, U, exact=True) == pytest.approx(4 * t_c**2 / U, rel=1e-10)


@given(st.floats(0, 1e2), energy, energy, energy)
def test_shift_and_kondo_properties(t_xz, E_a, E_b, U):
    ea, eb = couplings.band_shifts(t_xz, E_a, E_b, U)
    ja, jb = couplings.kondo_couplings(t_xz, E_a, E_b, U)
    assert 0 <= ea <= ja and 0 <= eb <= jb
    if t_xz > 1e-6:
        # (1/E - 1/(E+U)) / (1/E + 1/(E+U)) = U / (2E + U)
        assert ea / ja == pytest.approx(U / (2 * E_a + U), rel=1e-12)
        assert eb / jb == pytest.approx(U / (2 * E_b + U), rel=1e-12)
        # Eq. (10) is the derived channel form with the identification of chapter 2
        c = couplings.channel_couplings(t_xz, E_a, E_b, E_b + U, E_a + U)
        assert (c.J_K_a, c.J_K_b) == pytest.approx((ja, jb), rel=1e-12)


@given(energy, st.floats(1e-3, 10), energy)
def test_E_a_for_eps_alpha_inverts_eq3(eps_alpha, t_xz, U):
    E = couplings.E_a_for_eps_alpha(eps_alpha, t_xz, U)
    assert E > 0
    assert couplings.band_shifts(t_xz, E, E, U)[0] == pytest.approx(eps_alpha, rel=1e-11)


@given(energy, energy, st.floats(1e-3, 1e2), st.floats(1e-3, 1e2), st.floats(1e-3, 10))
def test_lambda_and_J_H_for_lambda_invert(J_H, J_c, N_alpha, N_beta, lam):
    V = couplings.pairing_strength(J_H, J_c)
    assert V * J_c / J_H**2 == pytest.approx(1.5, rel=1e-14)
    J = couplings.J_H_for_lambda(lam, J_c, N_alpha, N_beta)
    assert couplings.lambda_coupling(couplings.pairing_strength(J, J_c), N_alpha, N_beta) == pytest.approx(lam, rel=1e-12)


@given(st.lists(st.floats(-2, 2), min_size=1, max_size=5), st.floats(-2, 2), st.floats(0, 5), st.floats(0, 5))
def test_pairing_matrix_element_properties(eta_k, eta_kp, kappa_a, kappa_b):
    v = couplings.pairing_matrix_element(eta_k, eta_kp, 0.8, kappa_a, kappa_b)
    assert np.all(np.isfinite(v)) and v.shape == (len(eta_k),)
    assert np.allclose(v, couplings.pairing_matrix_element(eta_kp, eta_k, 0.8, kappa_a, kappa_b), rtol=1e-14)
    # V_kk' = V (1 - (ka + kb) x + ka kb x^2) with x = eta eta'
    x = np.asarray(eta_k) * eta_kp
    assert np.allclose(v, 0.8 * (1 - (kappa_a + kappa_b) * x + kappa_a * kappa_b * x**2), rtol=1e-12, atol=1e-12)


@given(st.floats(0.1, 2), st.floats(1, 10), st.floats(0.05, 0.5), st.floats(0.1, 2), st.floats(0.1, 1))
def test_from_microscopic_finite_and_consistent(t_c, U, t_xz, E_a, J_H):
    c = couplings.from_microscopic(t_c=t_c, U=U, t_xz=t_xz, E_a=E_a, J_H=J_H, dos=(0.3, 0.7))
    values = [v for v in c.as_dict().values()]
    assert all(math.isfinite(v) and v > 0 for v in values)
    assert c.kappa**2 == pytest.approx(c.kappa_a * c.kappa_b, rel=1e-12)
    assert c.J_K_a > c.J_K_b and c.eps_alpha > c.eps_beta          # E_a < E_b = E_a + 2 t_c


# ------------------------------------------------------------ bad input
@pytest.mark.parametrize("call", [
    lambda: couplings.dimer_exchange("0.6", 5.0),
    lambda: couplings.dimer_exchange(True, 5.0),
    lambda: couplings.dimer_exchange(0.6 + 0j, 5.0),
    lambda: couplings.band_shifts(None, 0.6, 1.8, 5.0),
    lambda: couplings.singlet_triplet_gap(0.6, 5.0, exact=1),
    lambda: couplings.form_factors(np.array([1j]), 1.0, 1.0, 1.0),
    lambda: couplings.form_factors(["a"], 1.0, 1.0, 1.0),
    lambda: couplings.form_factors([True], 1.0, 1.0, 1.0),
    lambda: couplings.from_microscopic(dos="ab"),
    lambda: couplings.from_microscopic(dos=0.3),
    lambda: couplings.chain_summary("chain"),
    lambda: couplings.from_microscopic().band_params("v3"),
    lambda: couplings.check_energy("U", 1.0, allow_zero="yes"),
])
def test_wrong_types(call):
    with pytest.raises(TypeError):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: couplings.dimer_exchange(0.6, 0.0), r"U must lie in \[1e-30, 1e\+30\] eV, got 0.0"),
    (lambda: couplings.dimer_exchange(0.6, 5e-324), r"U must lie in \[1e-30, 1e\+30\] eV"),      # subnormal
    (lambda: couplings.dimer_exchange(0.6, 1e300), r"U must lie in \[1e-30, 1e\+30\] eV"),
    (lambda: couplings.dimer_exchange(1e200, 1.0), r"t_c must lie in 0 or magnitude in \[1e-30, 1e\+30\]"),
    (lambda: couplings.dimer_exchange(math.inf, 5.0), "t_c must be a finite"),
    (lambda: couplings.band_shifts(0.26, -0.1, 1.0, 5.0), r"E_a must lie in \[1e-30"),
    (lambda: couplings.band_shifts(0.26, 0.6, math.nan, 5.0), "E_b must be a finite"),
    (lambda: couplings.band_shifts(1e160, 1e-160, 1.0, 1.0), "t_xz must lie in 0 or"),
    (lambda: couplings.kondo_couplings(-0.1, 0.6, 1.8, 5.0), r"t_xz must lie in 0 or \[1e-30"),
    (lambda: couplings.pairing_strength(0.4, 0.0), "J_c must lie"),
    (lambda: couplings.kappas(0.5, 0.2, 0.0), "J_H must lie"),
    (lambda: couplings.from_microscopic(J_H=-1.0), "J_H must lie"),
    (lambda: couplings.from_microscopic(dos=(0.3,)), "dos must hold at least"),
    (lambda: couplings.from_microscopic(dos=(0.3, 0.0)), r"N_beta \(dos\[1\]\) must lie in \[1e-30, 1e\+30\] 1/eV"),
    (lambda: couplings.E_a_for_eps_alpha(0.0, 0.26, 5.0), "eps_alpha must lie"),
    (lambda: couplings.form_factors([3.0], 1.0, 1.0, 1.0), r"eta_k must lie in \[-2, 2\]"),
    (lambda: couplings.form_factors([], 1.0, 1.0, 1.0), "eta_k must have at least 1"),
    (lambda: couplings.form_factors([1.0, 1.0], [1.0, 1.0, 1.0], 1.0, 1.0), "must broadcast"),
    (lambda: couplings.form_factors(1.0, 1.0, -1.0, 1.0), "kappa_a must lie"),
    (lambda: couplings.pairing_matrix_element(1.0, 1.0, 0.0, 1.0, 1.0), "V must lie"),
    (lambda: couplings.lambda_coupling(-0.5, 0.3, 0.7), "V must lie in 0 or"),
    (lambda: couplings.J_H_for_lambda(0.0, 0.288, 0.3, 0.7), "lam must lie"),
    (lambda: couplings.chain_summary(couplings.from_microscopic(), n_c=2.5), r"n_c must lie in \(0.0, 2.0\)"),
])
def test_bad_values(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------- widget
def test_widget_redraws():
    from nickelates.viz import couplings as viz_couplings

    w = viz_couplings.explorer()
    d0 = w.data
    assert d0["couplings"]["eps_alpha"] == pytest.approx(couplings.band_shifts(T_XZ, 0.6, 1.8, 5.0)[0])
    w.sliders["E_a"].value = 1.2
    d1 = w.data
    assert d1["couplings"]["E_a"] == pytest.approx(1.2)
    assert d1["couplings"]["eps_alpha"] < d0["couplings"]["eps_alpha"]
    assert d1["splitting_X"] < d0["splitting_X"]
    assert d1["splitting_X"] == pytest.approx(4 * (d1["couplings"]["eps_alpha"] - d1["couplings"]["eps_beta"]), rel=1e-9)
    w.sliders["J_H"].value = 0.6
    assert w.data["couplings"]["V"] == pytest.approx(1.5 * 0.36 / couplings.dimer_exchange(0.6, 5.0))
    assert "λ" in w.status.value
    fr = viz_couplings.static_frames([0.5, 1.0])
    assert len(fr.images) == 2


def test_viz_old_names_still_importable():
    from nickelates import clusters
    from nickelates.viz import couplings as viz_couplings

    assert viz_couplings.chain_summary is couplings.chain_summary
    for name in ("sw_error_scaling", "channel_cluster_args", "channel_relative_deviation", "dimer_channel_shifts",
                 "CHANNEL_FIELDS"):
        assert getattr(viz_couplings, name) is getattr(clusters, name)


def test_figures_take_results():
    import matplotlib.pyplot as plt

    from nickelates import clusters
    from nickelates.viz import couplings as viz_couplings

    c = couplings.from_band_shifts(0.4)
    fig = viz_couplings.figure_chain(c, couplings.chain_summary(c))
    assert len(fig.axes) == 2 and "1.16 eV" in fig.axes[1].get_title()
    data = clusters.sw_error_scaling(0.6, g_values=[0.01, 0.02], t_values=[0.03, 0.06])
    fig2 = viz_couplings.figure_error_scaling(data)
    assert len(fig2.axes[1].get_lines()) == 4
    with pytest.raises(TypeError):
        viz_couplings.figure_chain(c.as_dict())
    plt.close("all")


# ------------------------------------------------------------- gap of a chain
def test_chain_gap_matches_solver_and_sign_structure():
    from nickelates import pairing

    c = couplings.from_band_shifts(0.4)
    sol = couplings.chain_gap(c, n_k=64)
    p = bands.with_density(c.band_params(), 0.45)
    ref = pairing.solve_gap(p, V=c.V, kappa_a=c.kappa_a, kappa_b=c.kappa_b, Omega=0.3, n_k=64)
    assert sol.channel == "s" and sol.coef_alpha[0] > 0 > sol.coef_beta[0]          # s+-
    assert sol.ratio == pytest.approx(ref.ratio, rel=1e-12)
    # the printed chain puts the larger gap on alpha, the band with the smaller DOS (chapter 3)
    assert sol.ratio > 1.5
    with pytest.raises(TypeError):
        couplings.chain_gap(c.as_dict())
    with pytest.raises(ValueError, match="n_c must lie"):
        couplings.chain_gap(c, n_c=0.0)

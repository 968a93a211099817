"""Tests of nickelates.eliashberg (chapter 8): analytic limits, Allen-Dynes, sum rules, s+-, Pade, bad input."""
import math

import numpy as np
import pytest
import sympy as sp

from nickelates import couplings as C
from nickelates import eliashberg as E
from nickelates.errors import ConvergenceError
from nickelates.symbolic import couplings as SC

#: the chapter's two-band triplon couplings (lambda = 0.4, N_beta / N_alpha = 2.5)
NA, NB = 0.2859, 0.7156
V04 = 0.4 / math.sqrt(NA * NB)
LZ, LD = E.triplon_coupling_matrices(V04, NA, NB)


# ---------------------------------------------------------------- derivation


def test_spin_factors_and_static_limit_match_chapter2():
    """Normal and singlet spin factors are +3/4 and -3/4; the static pairing amplitude is chapter 2's V."""
    s = E.triplon_spin_factors()
    assert s["normal"] == sp.Rational(3, 4) and s["pairing"] == -sp.Rational(3, 4)
    v2 = SC.printed()["V"].subs({SC.J_H: s["J_H"], SC.J_c: s["omega_t"]})   # = chapter 2's 8-mode result
    assert sp.simplify(s["V_static"] - v2) == 0
    assert float(s["V_static"].subs({s["J_H"]: 0.4, s["omega_t"]: 0.288})) == pytest.approx(
        C.pairing_strength(0.4, 0.288), rel=1e-12)
    assert sp.simplify(s["lam_Z"] + s["lam_Delta"]) == 0               # |lam^Delta| = lam^Z, opposite sign


def test_triplon_matrices_eigenvalue_is_lambda():
    lz, ld = E.triplon_coupling_matrices(V04, NA, NB)
    ev = np.linalg.eigvals(ld)
    assert abs(ev.max() - 0.4) < 1e-12 and abs(ev.min() + 0.4) < 1e-12
    assert lz[0, 1] == pytest.approx(V04 * NB) and lz[0, 0] == 0.0


# ---------------------------------------------------------------- one band


LAMS_AD = (0.3, 0.5, 1.0, 1.5, 2.0)


@pytest.fixture(scope="module")
def tc_one_band():
    return {lam: E.critical_temperature(lam, lam, 1.0) for lam in LAMS_AD}


def test_allen_dynes_einstein(tc_one_band):
    """Within 8 % of Allen-Dynes (mu* = 0, f2 = 1) for lambda = 0.3-2; McMillan (no f1) is worse at lambda = 2."""
    dev = {lam: tc / E.allen_dynes(lam, 1.0) - 1 for lam, tc in tc_one_band.items()}
    assert max(abs(d) for d in dev.values()) < 0.08, dev
    mcm = tc_one_band[2.0] / E.allen_dynes(2.0, 1.0, corrections=False) - 1
    assert abs(mcm) > 3 * abs(dev[2.0])


def test_weak_coupling_limit():
    """T_c / [1.13 omega e^(-1/2) e^(-(1+lam)/lam)] extrapolates to 1 as lambda -> 0 (quadratic fit)."""
    lams = np.array([0.25, 0.3, 0.35, 0.4, 0.45])
    r = [E.critical_temperature(x, x, 1.0, matsubara_cutoff=10) / E.weak_coupling_tc(x, 1.0) for x in lams]
    c = np.polyfit(lams, r, 2)
    assert abs(c[-1] - 1) < 0.02
    assert np.all(np.diff(r) > 0)


def test_tc_vanishes_smoothly():
    tcs = [E.critical_temperature(x, x, 1.0, matsubara_cutoff=10) for x in (0.25, 0.3, 0.4, 0.6)]
    assert np.all(np.diff(tcs) > 0) and tcs[0] < 0.006
    assert E.critical_temperature(0.0, 0.0, 1.0) == 0.0
    r = E.critical_temperature(0.05, 0.05, 1.0, full_output=True)      # far below T_min
    assert r.Tc == 0.0 and r.gap is None


def test_mass_enhancement_sum_rule():
    """Normal state at T << omega: Z_i(i w_0) = 1 + sum_j lam^Z_ij per band."""
    s = E.solve(LZ, np.zeros((2, 2)), 1.0, 0.002)
    assert not s.superconducting
    assert np.allclose(s.Z[:, 0], 1 + LZ.sum(axis=1), rtol=2e-4)
    s1 = E.solve(1.3, 0.0, 1.0, 0.003)
    assert abs(s1.Z[0, 0] - 2.3) < 1e-3


def test_matsubara_cutoff_convergence():
    t = [E.critical_temperature(1.0, 1.0, 1.0, matsubara_cutoff=c) for c in (12.0, 24.0, 48.0)]
    assert abs(t[1] / t[2] - 1) < 1e-5 < abs(t[0] / t[2] - 1)
    s24 = E.solve(1.0, 1.0, 1.0, 0.02)
    s96 = E.solve(1.0, 1.0, 1.0, 0.02, matsubara_cutoff=96.0)
    true_err = abs(s24.delta[0, 0] / s96.delta[0, 0] - 1)
    assert true_err < s24.error_estimate < 1e-3


def test_reference_solver_agrees():
    s = E.solve(LZ, LD, 1.0, 0.005, matsubara_cutoff=12.0)
    wn, Z, D = E.solve_reference(LZ, LD, 1.0, 0.005, n_matsubara=s.wn.size)
    assert np.allclose(D[:, :50], s.delta[:, :50], rtol=1e-5, atol=1e-7)
    assert np.allclose(Z[:, :50], s.Z[:, :50], rtol=1e-6)


def test_gap_ratio_strong_coupling():
    """2 Delta_0 / T_c -> 3.53 at weak coupling and follows 3.53 [1 + 12.5 t^2 ln(1/2t)] within 5 % (t = T_c/omega)."""
    w = np.linspace(0.0, 4.0, 2001)
    for lam in (0.5, 1.0, 2.0):
        tc = E.critical_temperature(lam, lam, 1.0)
        d0 = E.continue_to_real_axis(E.solve(lam, lam, 1.0, tc / 5), w).gap_edge()[0]
        fit = 3.53 * (1 + 12.5 * tc**2 * math.log(1 / (2 * tc)))
        assert abs(2 * d0 / tc / fit - 1) < 0.05
    assert abs(2 * d0 / tc / 3.53 - 1) > 0.3                              # lambda = 2 is far from BCS


# ---------------------------------------------------------------- static limit


def test_static_limit_approaches_bcs():
    """Band |xi| < Omega, omega_t -> inf at fixed lambda: T_c -> 1.13 Omega e^(-1/lambda), deviation ~ 1/omega_t."""
    lam = 0.4
    bcs = 2 * math.exp(E.EULER_GAMMA) / math.pi * math.exp(-1 / lam)
    dev = [E.critical_temperature(lam, lam, w, band_cutoff=1.0) / bcs - 1 for w in (3.0, 10.0, 30.0)]
    assert dev[0] < dev[1] < dev[2] < 0 and abs(dev[2]) < 0.1
    assert 2.5 < dev[1] / dev[2] < 3.5                                   # ~ 1/omega_t
    # the weak-coupling cutoff mapping captures it to within 2 % of T_c
    for w, d in zip((3.0, 10.0, 30.0), dev):
        assert abs((1 + d) / (E.weak_coupling_tc(lam, w, 1.0) / bcs) - 1) < 0.04


# ---------------------------------------------------------------- two bands


def test_s_pm_eigenvector_and_band_swap():
    g = E.linearized_gap(LZ, LD, 1.0, 0.03)
    assert g.delta[0, 0] > 0 > g.delta[1, 0]
    s = E.solve(LZ, LD, 1.0, 0.005)
    P = np.array([[0, 1], [1, 0]])
    sw = E.solve(P @ LZ @ P, P @ LD @ P, 1.0, 0.005)
    assert np.allclose(sw.delta[::-1], s.delta * np.sign(s.delta[1, 0] / sw.delta[0, 0]), rtol=1e-6, atol=1e-10)
    assert np.allclose(sw.Z[::-1], s.Z, rtol=1e-8)
    assert s.Z[0, 0] > s.Z[1, 0]                                         # alpha (small DOS) is heavier
    tc = E.critical_temperature(LZ, LD, 1.0)
    assert tc == pytest.approx(E.critical_temperature(P @ LZ @ P, P @ LD @ P, 1.0), rel=1e-6)


def test_phonon_like_two_band_equals_one_band():
    """Two identical bands with lam_ij = lam/2 (attractive) have the one-band T_c of lam."""
    m = np.full((2, 2), 0.5)
    assert E.critical_temperature(m, m, 1.0) == pytest.approx(E.critical_temperature(1.0, 1.0, 1.0), rel=1e-6)
    # purely interband: s+- (lam_Delta = -lam_Z) and s++ (+lam_Z) are one problem (gauge Delta_2 -> -Delta_2),
    # the nu = 0 term included, and equal to the one-band T_c of lam = 1
    lz = np.array([[0.0, 1.0], [1.0, 0.0]])
    tc_pm = E.critical_temperature(lz, -lz, 1.0)
    tc_pp = E.critical_temperature(lz, lz, 1.0)
    assert tc_pm == pytest.approx(tc_pp, rel=1e-7) and tc_pm == pytest.approx(E.critical_temperature(1.0, 1.0, 1.0),
                                                                                 rel=1e-6)


def test_strong_coupling_solution_does_not_collapse():
    """lambda = 8 at T_c/5: the first start falls back to Delta = 0; the solver retries (2 Delta/T_c ~ 7.6)."""
    tc = E.critical_temperature(8.0, 8.0, 1.0)
    s = E.solve(8.0, 8.0, 1.0, tc / 5)
    d0 = E.continue_to_real_axis(s, np.linspace(0.0, 8.0, 4001)).gap_edge()[0]
    assert s.superconducting and 7.2 < 2 * d0 / tc < 8.0


# ---------------------------------------------------------------- real axis


def test_pade_normal_self_energy_against_exact():
    T = 0.02
    g = E.linearized_gap(1.0, 1.0, 1.0, T)
    w = np.linspace(0.0, 3.0, 301)
    exact = E.einstein_normal_self_energy(w + 0j, 1.0, 1.0, T)
    assert np.allclose(1j * g.wn * (1 - g.Z[0]), E.einstein_normal_self_energy(1j * g.wn, 1.0, 1.0, T), atol=1e-10)
    far = np.abs(w - 1.0) > 0.1
    errs = []
    for n in (32, 64, 128):
        sig = w * (1 - E.pade(1j * g.wn[:n], g.Z[0, :n], w + 0j))
        errs.append(np.max(np.abs(sig - exact)[far]))
    assert max(errs[1:]) < 0.01 and errs[0] < 0.05


def test_gap_edge_stable_in_pade_points():
    s = E.solve(1.0, 1.0, 1.0, 0.02)
    w = np.linspace(0.0, 3.0, 601)
    edges = [E.continue_to_real_axis(s, w, n_points=n).gap_edge()[0] for n in (32, 64, 128)]
    assert np.ptp(edges) < 1e-4 and 0.2 < edges[0] < 0.3


def test_tunneling_conductance_dip_hump():
    """The DOS has the gap edge at Delta_0 and a dip just above Delta_0 + omega (one band, lambda = 1)."""
    s = E.solve(1.0, 1.0, 1.0, 0.02)
    w = np.linspace(0.0, 3.0, 1501)
    r = E.continue_to_real_axis(s, w, n_points=64)
    d0 = r.gap_edge()[0]
    n = r.dos(1e-4)[0]
    win = (w > d0 + 1.0) & (w < d0 + 1.4)
    dip = w[win][np.argmin(n[win])]
    assert d0 + 1.0 < dip < d0 + 1.3 and n[win].min() < 1.0
    g = E.tunneling_conductance(r, np.array([0.0, d0 + 0.02, 2.9]), 0.005)
    assert g[0] < 0.01 and g[1] > 1.5


# ---------------------------------------------------------------- bad input


def test_bad_input():
    with pytest.raises(TypeError, match="lam_Z"):
        E.critical_temperature("1", 1.0, 1.0)
    with pytest.raises(ValueError, match="lam_Delta"):
        E.critical_temperature(np.eye(2), np.eye(3), 1.0)
    with pytest.raises(ValueError, match="lam_Delta"):
        E.critical_temperature(0.5, 0.8, 1.0)
    with pytest.raises(ValueError, match="omega_boson"):
        E.critical_temperature(1.0, 1.0, -1.0)
    with pytest.raises(ValueError, match="mu_star"):
        E.critical_temperature(1.0, 1.0, 1.0, mu_star=2.0)
    with pytest.raises(ValueError, match="T = "):
        E.solve(1.0, 1.0, 1.0, 1e-5)
    with pytest.raises(ValueError, match="matsubara_cutoff"):
        E.solve(1.0, 1.0, 1.0, 0.1, matsubara_cutoff=1.0)
    with pytest.raises(ValueError, match="band_cutoff"):
        E.solve(1.0, 1.0, 1.0, 0.1, band_cutoff=[1.0, 2.0])
    with pytest.raises(ConvergenceError) as exc:
        E.solve(1.0, 1.0, 1.0, 0.02, max_iter=2)
    assert exc.value.iterations == 2 and exc.value.residual > 0
    with pytest.raises(ValueError, match="z_in"):
        E.pade([1j, 1j], [1.0, 2.0], [0.0])
    with pytest.raises(TypeError, match="solution"):
        E.continue_to_real_axis(None, [0.0])


def test_mu_star_lowers_tc():
    t0 = E.critical_temperature(1.0, 1.0, 1.0)
    t1 = E.critical_temperature(1.0, 1.0, 1.0, mu_star=0.1, matsubara_cutoff=10.0)
    ad = E.allen_dynes(1.0, 1.0, mu_star=0.1)
    assert t1 < t0 and abs(t1 / ad - 1) < 0.15


# ---------------------------------------------------------------- kappa anisotropy (separable a + c eta^2)


@pytest.fixture(scope="module")
def p45():
    from nickelates import bands as B
    return B.with_density(B.PAPER_V3, 0.45)


def _toy(g=0.0, nb=2):
    return E.separable_anisotropy(g, g, [[0.0, 0.7, 2.0]] * nb, [[1.0, 2.0, 1.0]] * nb)


def test_form_factors_of_the_vertex():
    """Pairing carries f^a f^b (Eq. 13), the mass channel (f^a^2 + f^b^2)/2; the x-linear terms agree (B1g)."""
    f = E.triplon_form_factors()
    ka, kb, x = f["kappa_a"], f["kappa_b"], f["x"]
    assert sp.expand(f["pairing"] - (1 - ka * x) * (1 - kb * x)) == 0
    assert sp.expand(f["normal"] - ((1 - ka * x) ** 2 + (1 - kb * x) ** 2) / 2) == 0
    assert sp.expand(f["odd"] - ((1 - ka * x) ** 2 - (1 - kb * x) ** 2) / 2) == 0
    assert sp.simplify(f["g_Z"] - f["g_Delta"] - (ka - kb) ** 2 / 2) == 0      # g_Z >= |g_Delta|
    assert sp.expand(f["linear"] + ka + kb) == 0


def test_separable_kappa0_reproduces_isotropic(p45):
    """g = 0: T_c and Z, Delta equal the isotropic solution to 1e-10, at any eta^2."""
    tc = E.critical_temperature(LZ, LD, 1.0, rtol=1e-13)
    for an in (_toy(0.0), E.triplon_anisotropy(p45, 0.0, 0.0, n_nodes=16)):
        assert abs(E.critical_temperature_separable(LZ, LD, 1.0, an, rtol=1e-13) / tc - 1) < 1e-10
    iso = E.solve(LZ, LD, 1.0, tc / 3, tol=1e-13)
    sep = E.solve_separable(LZ, LD, 1.0, tc / 3, _toy(0.0), tol=1e-13)
    for s in (0.0, 1.3):
        cut = sep.at(s)
        assert np.max(np.abs(cut.delta - iso.delta)) < 1e-10 * np.max(np.abs(iso.delta))
        assert np.max(np.abs(cut.Z - iso.Z)) < 1e-10
    assert np.all(sep.coef_ratio == 0.0)


def test_separable_normal_state_mass_sum_rule():
    """T << omega, normal state: Z_i(s, i w_0) = 1 + sum_j lam^Z_ij (1 + g_Z s <s'>_j)."""
    an = _toy(0.5)
    sn = E.solve_separable(LZ, np.zeros((2, 2)), 1.0, 0.002, an)
    mom = an.moments()[:, 0]
    for s in (0.0, 2.0):
        want = 1 + (LZ * (1 + an.g_Z * s * mom[None, :])).sum(axis=1)
        assert np.allclose(sn.at(s).Z[:, 0], want, rtol=3e-4)
    assert np.all(sn.phi == 0.0)


def test_separable_static_limit_is_flat_band_bcs(p45):
    """omega_t -> inf with a band edge Omega: T_c -> 1.13 Omega exp(-1/lam_eff), c/a -> the log-model eigenvector."""
    from nickelates import bands as B
    from nickelates import pairing as P

    dos = B.fermi_level_dos(p45)
    V = P.V_for_lambda(p45, 0.4)
    lz, ld = E.triplon_coupling_matrices(V, dos.N_alpha, dos.N_beta)
    an = E.triplon_anisotropy(p45, 0.75, 0.75)
    bcs = 2 * math.exp(E.EULER_GAMMA) / math.pi * math.exp(-1 / P.effective_coupling(p45, V, 0.75, 0.75))
    ca_bcs = P.log_model_anisotropy(p45, 0.75, 0.75)
    dev, dca = [], []
    for w in (4.0, 16.0, 64.0):
        r = E.critical_temperature_separable(lz, ld, w, an, band_cutoff=1.0, full_output=True)
        dev.append(r.Tc / bcs - 1)
        dca.append(max(abs(r.gap.phi[i, 1, 0] / r.gap.phi[i, 0, 0] / ca_bcs[i] - 1) for i in (0, 1)))
    assert dev[0] < dev[1] < dev[2] < 0 and abs(dev[2]) < 0.06
    assert dca[0] > dca[1] > dca[2] and dca[2] < 3e-3


def test_tc_rises_with_kappa_like_bcs(p45):
    """T_c(kappa)/T_c(0) follows the BCS factor exp(1/lam - 1/lam_eff) of chapter 3 within 3 %."""
    from nickelates import bands as B
    from nickelates import pairing as P

    dos = B.fermi_level_dos(p45)
    V = P.V_for_lambda(p45, 0.4)
    lz, ld = E.triplon_coupling_matrices(V, dos.N_alpha, dos.N_beta)
    t0 = E.critical_temperature(lz, ld, 0.288)
    prev = t0
    for k in (0.3, 0.75):
        tk = E.critical_temperature_separable(lz, ld, 0.288, E.triplon_anisotropy(p45, k, k, n_nodes=32))
        bcs_factor = math.exp(1 / 0.4 - 1 / P.effective_coupling(p45, V, k, k))
        assert tk > prev and abs(tk / t0 / bcs_factor - 1) < 0.03
        prev = tk


def test_separable_s_pm_anisotropic_gap(p45):
    """g = 0.5 below T_c: s+- on the isotropic parts, c/a > 0 on both sheets, heavier at the antinodes; band swap."""
    an = _toy(0.5)
    tc = E.critical_temperature_separable(LZ, LD, 1.0, an)
    sol = E.solve_separable(LZ, LD, 1.0, tc / 4, an)
    assert sol.phi[0, 0, 0] > 0 > sol.phi[1, 0, 0] and np.all(sol.coef_ratio > 0)
    assert np.all(sol.at(2.0).Z[:, 0] > sol.at(0.0).Z[:, 0]) and sol.error_estimate < 1e-3
    P_ = np.array([[0, 1], [1, 0]])
    sw = E.solve_separable(P_ @ LZ @ P_, P_ @ LD @ P_, 1.0, tc / 4, an)
    assert np.allclose(np.abs(sw.phi[::-1]), np.abs(sol.phi), rtol=1e-6, atol=1e-10)


def test_separable_bad_input():
    with pytest.raises(ValueError, match="g_Delta"):
        E.separable_anisotropy(0.1, 0.5, [[0.0, 1.0]], [[1.0, 1.0]])
    with pytest.raises(ValueError, match="s and w"):
        E.separable_anisotropy(0.5, 0.5, [[0.0, 1.0]], [[1.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match="distinct"):
        E.separable_anisotropy(0.5, 0.5, [[1.0, 1.0]], [[1.0, 1.0]])
    with pytest.raises(ValueError, match="anisotropy"):
        E.critical_temperature_separable(LZ, LD, 1.0, _toy(0.5, nb=1))
    with pytest.raises(TypeError, match="anisotropy"):
        E.solve_separable(LZ, LD, 1.0, 0.01, None)
    with pytest.raises(ValueError, match="kappa_a"):
        from nickelates import bands as B
        E.triplon_anisotropy(B.PAPER_V3, 20.0, 0.0)


# ---------------------------------------------------------------- tabulated boson spectrum


def test_spectrum_of_identical_modes_is_einstein():
    tc = E.critical_temperature(LZ, LD, 1.0)
    assert E.critical_temperature(LZ, LD, E.boson_spectrum([1.0, 1.0], [0.3, 0.7])) == pytest.approx(tc, rel=1e-12)
    s0 = E.solve(1.0, 1.0, 1.0, 0.02)
    s1 = E.solve(1.0, 1.0, E.boson_spectrum([1.0], [1.0]), 0.02)
    assert np.allclose(s1.delta, s0.delta, rtol=1e-12, atol=0)


def test_two_mode_spectrum_between_its_einstein_limits():
    """lam(nu) of two modes lies between those of its modes: T_c between the Einstein T_c at each energy."""
    spec = E.boson_spectrum([0.5, 2.0], [0.5, 0.5])
    tc = E.critical_temperature(1.0, 1.0, spec)
    assert E.critical_temperature(1.0, 1.0, 0.5) < tc < E.critical_temperature(1.0, 1.0, 2.0)
    # Allen-Dynes with the spectrum's omega_log and omega_2 describes it as well as an Einstein boson
    w2 = math.sqrt(float(np.sum(spec.weights * spec.energies**2)))
    assert abs(tc / E.allen_dynes(1.0, spec.omega_log, omega_2=w2) - 1) < 0.08


def test_triplon_dispersion_is_a_small_correction():
    spec, f = E.triplon_spectrum(1.0, n_bins=16)
    assert 1.0 < f < 1.01 and spec.omega_log < 1.0 and abs(spec.weights.sum() - 1) < 1e-12
    tc0 = E.critical_temperature(LZ, LD, 1.0)
    tcd = E.critical_temperature(LZ * f, LD * f, spec)
    assert 0 < tcd / tc0 - 1 < 0.01
    flat, f0 = E.triplon_spectrum(1.0, hopping=0.0)
    assert f0 == 1.0 and E.critical_temperature(LZ, LD, flat) == pytest.approx(tc0, rel=1e-12)
    with pytest.raises(ValueError, match="energies"):
        E.boson_spectrum([1.0, -1.0], [1.0, 1.0])
    with pytest.raises(TypeError, match="omega_boson"):
        E.solve_reference(1.0, 1.0, spec, 0.02, n_matsubara=64)


# ---------------------------------------------------------------- real axis without Pade (Marsiglio-Schossmann-Carbotte)


def test_real_axis_normal_state_is_the_exact_self_energy():
    """lam_Delta = 0: the real-axis iteration reproduces the digamma self-energy of an Einstein boson."""
    T = 0.02
    w = np.linspace(0.0, 3.0, 301)
    r = E.solve_real_axis(1.0, 0.0, 1.0, T, w, eta=1e-6, n_grid=4001)
    exact = E.einstein_normal_self_energy(w + 0j, 1.0, 1.0, T)
    assert np.max(np.abs(w * (1 - r.Z[0]) - exact)) < 1e-3


def test_real_axis_weak_coupling_is_bcs_with_the_matsubara_gap():
    """One band, Einstein, lambda = 0.3: N(w) = Re w / sqrt(w^2 - Delta^2) with Delta = Delta(i w_0)."""
    lam = 0.3
    T = E.critical_temperature(lam, lam, 1.0) / 8
    s = E.solve(lam, lam, 1.0, T, matsubara_cutoff=12.0)
    d0 = float(s.delta[0, 0])
    w = np.linspace(0.0, 0.2, 2001)
    n = E.real_axis_dos(lam, lam, 1.0, T, w, solution=s, eta=1e-6)
    assert n.shape == (1, w.size)
    bcs = np.real(w / np.sqrt(w**2 - d0**2 + 0j))
    above = w > 1.05 * d0
    assert np.max(np.abs(n[0, above] / bcs[above] - 1)) < 5e-3
    assert n[0, w < 0.95 * d0].max() < 2e-3
    edge = E.solve_real_axis(lam, lam, 1.0, T, w, solution=s, eta=1e-6).gap_edge()[0]
    assert abs(edge / d0 - 1) < 1e-3


def test_real_axis_gap_edges_equal_pade():
    """Gap edges of the direct solution and of the Pade continuation agree (one band and the s+- triplon)."""
    w = np.linspace(0.0, 3.0, 1501)
    s = E.solve(1.0, 1.0, 1.0, 0.02)
    e_r = E.solve_real_axis(1.0, 1.0, 1.0, 0.02, w, solution=s).gap_edge()
    e_p = E.continue_to_real_axis(s, w, n_points=64).gap_edge()
    assert abs(e_r[0] / e_p[0] - 1) < 1e-5
    T = E.critical_temperature(LZ, LD, 1.0) / 5
    s2 = E.solve(LZ, LD, 1.0, T)
    w2 = np.linspace(0.0, 0.5, 2001)
    e_r = E.solve_real_axis(LZ, LD, 1.0, T, w2, solution=s2).gap_edge()
    e_p = E.continue_to_real_axis(s2, w2).gap_edge()
    assert np.all(np.abs(e_r / e_p - 1) < 1e-4) and e_r[0] > e_r[1] > 0


@pytest.mark.slow
def test_real_axis_against_the_zero_temperature_reference():
    """Lambda = 1: the DOS agrees with Eliashberg's T = 0 real-axis equations (no Matsubara input) to 2e-3
    away from the singular points Delta_0 and Delta_0 + omega; Pade misses by ten times more above Delta_0 + omega."""
    w = np.unique(np.concatenate([np.arange(0.0025, 0.2, 0.005), np.arange(0.2, 0.32, 2e-4),
                                  np.arange(0.32, 1.1, 0.004), np.arange(1.1, 1.4, 0.001),
                                  np.arange(1.4, 3.0, 0.004)]))
    ref = E.real_axis_reference(1.0, 1.0, w, eta=1e-3)
    s = E.solve(1.0, 1.0, 1.0, 0.01)
    r = E.solve_real_axis(1.0, 1.0, 1.0, 0.01, w, solution=s, eta=1e-3, n_grid=12001)
    p = E.continue_to_real_axis(s, w, n_points=128)
    assert abs(r.gap_edge()[0] / ref.gap_edge()[0] - 1) < 3e-3
    nf, nr, npd = ref.dos(1e-3)[0], r.dos(1e-3)[0], p.dos(1e-3)[0]
    for a, b in ((0.3, 1.0), (1.0, 1.2), (1.3, 1.5)):
        win = (w > a) & (w < b)
        assert np.max(np.abs(nr[win] - nf[win])) < 6e-3, (a, b)
    win = (w > 1.3) & (w < 1.5)
    assert np.max(np.abs(npd[win] - nf[win])) > 10 * np.max(np.abs(nr[win] - nf[win]))


def test_real_axis_accepts_a_spectrum_and_is_even():
    spec, fac = E.triplon_spectrum(1.0, n_bins=8)
    T = E.critical_temperature(LZ * fac, LD * fac, spec) / 5
    w = np.linspace(-1.5, 1.5, 61)
    n = E.real_axis_dos(LZ * fac, LD * fac, spec, T, w, n_grid=2001)
    assert n.shape == (2, 61) and np.allclose(n, n[:, ::-1], atol=1e-12) and np.all(n > -1e-9)


def test_real_axis_bad_input():
    s = E.solve(1.0, 1.0, 1.0, 0.02)
    with pytest.raises(ValueError, match="solution is at T"):
        E.solve_real_axis(1.0, 1.0, 1.0, 0.03, [0.1], solution=s)
    with pytest.raises(ValueError, match="omega must be >= 0"):
        E.solve_real_axis(1.0, 1.0, 1.0, 0.02, [-0.1], solution=s)
    with pytest.raises(TypeError, match="solution"):
        E.real_axis_dos(1.0, 1.0, 1.0, 0.02, [0.1], solution="s")
    with pytest.raises(ValueError, match="infinite bands"):
        E.real_axis_dos(1.0, 1.0, 1.0, 0.02, [0.1], solution=E.solve(1.0, 1.0, 1.0, 0.02, band_cutoff=2.0))
    with pytest.raises(ValueError, match="eta"):
        E.real_axis_dos(1.0, 1.0, 1.0, 0.02, [0.1], solution=s, eta=-1.0)
    with pytest.raises(ValueError, match="omega must be strictly increasing"):
        E.real_axis_reference(1.0, 1.0, np.linspace(0.0, 1.0, 20))


# ---------------------------------------------------------------- mu*, finite bands, the chapter's setting


def test_morel_anderson_makes_tc_cutoff_independent():
    """One band, lambda = 1, mu* = 0.1 at 6 omega: T_c/omega 0.0790 -> 0.0835 unscaled from 6 to 48 omega;
    rescaled (1/mu* + ln) it stays within 1 %."""
    raw = [E.critical_temperature(1.0, 1.0, 1.0, mu_star=0.1, matsubara_cutoff=wc) for wc in (6.0, 48.0)]
    assert raw[0] == pytest.approx(0.0790, abs=6e-5) and raw[1] == pytest.approx(0.0835, abs=6e-5)
    scaled = [E.critical_temperature(1.0, 1.0, 1.0, mu_star=E.morel_anderson(0.1, 6.0, wc), matsubara_cutoff=wc)
              for wc in (6.0, 12.0, 24.0, 48.0)]
    assert np.ptp(scaled) / np.mean(scaled) < 0.01
    m = E.coulomb_matrix(0.1, [NA, NB])
    assert np.allclose(E.morel_anderson(m, 6.0, 24.0), m / (1 + math.log(6 / 24) * np.trace(m)), rtol=1e-12)
    with pytest.raises(ValueError, match="cannot be rescaled"):
        E.morel_anderson(0.9, 1.0, 1e3)


def test_uniform_coulomb_repulsion_spares_s_pm():
    """mu*_ij = mu* N_j/(N_a + N_b) acts on the averaged gap only: s+- keeps most of T_c, a diagonal mu* does not."""
    t0 = E.critical_temperature(LZ, LD, 1.0)
    t_diag = E.critical_temperature(LZ, LD, 1.0, mu_star=0.1)
    t_unif = E.critical_temperature(LZ, LD, 1.0, mu_star=E.coulomb_matrix(0.1, [NA, NB]))
    assert t_diag < 0.4 * t0 and 0.85 * t0 < t_unif < t0


def test_finite_flat_band_equals_band_cutoff_and_has_no_shift():
    e = np.linspace(-2.0, 2.0, 801)
    fb = E.finite_band_tc(LZ, LD, 1.0, e, np.ones((2, e.size)), matsubara_cutoff=12.0)
    ref = E.critical_temperature(LZ, LD, 1.0, band_cutoff=2.0, matsubara_cutoff=12.0)
    assert abs(fb.Tc / ref - 1) < 1e-4 and np.max(np.abs(fb.chi)) < 1e-12


def test_asymmetric_dos_shifts_the_band():
    """A DOS rising linearly through E_F: chi != 0, but T_c moves only at second order in the slope."""
    e = np.linspace(-2.0, 2.0, 801)
    dos = np.ones((1, e.size)) * (1.0 + 0.3 * e)[None, :]
    fb = E.finite_band_tc(0.8, 0.8, 1.0, e, dos, matsubara_cutoff=12.0)
    flat = E.finite_band_tc(0.8, 0.8, 1.0, e, np.ones((1, e.size)), matsubara_cutoff=12.0)
    assert np.max(np.abs(fb.chi)) > 0.1 and abs(fb.Tc / flat.Tc - 1) < 3e-3
    with pytest.raises(ValueError, match="enclose the Fermi level"):
        E.finite_band_tc(0.8, 0.8, 1.0, e + 3.0, dos)
    with pytest.raises(ValueError, match="lam_odd"):
        E.finite_band_tc(0.8, 0.8, 1.0, e, dos, lam_odd=2.0)


def test_setting_matches_the_fig5_constant():
    from nickelates import tunneling
    assert E.SETTINGS["kappa"] == tunneling.FIG5["kappa"] and E.SETTINGS["n_c"] == tunneling.FIG5["n_c"]
    assert E.SETTINGS["lam"] == tunneling.FIG5["lam"]


@pytest.mark.slow
def test_stm_script_small_and_the_stored_file(tmp_path):
    """scripts/eliashberg_stm.py --small runs; the stored file holds the chapter's setting and ranges:
    the dispersive triplon shrinks the 260-400 mV structure well below the Einstein one."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "stm.json"
    r = subprocess.run([sys.executable, str(root / "scripts" / "eliashberg_stm.py"), str(out), "--small"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    small = json.loads(out.read_text())
    assert small["settings"]["small"] and len(small["einstein"]["didv"]) == len(small["bias_mV"])
    d = json.loads((root / "data" / "eliashberg_stm.json").read_text())
    assert not d["settings"]["small"] and d["settings"]["lam"] == E.SETTINGS["lam"]
    e_lo, e_hi = d["einstein"]["range"]
    s_lo, s_hi = d["dispersive"]["range"]
    assert 0.93 < e_lo < 0.95 and 1.06 < e_hi < 1.08 and s_hi - s_lo < 0.3 * (e_hi - e_lo)

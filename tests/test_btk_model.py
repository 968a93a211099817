"""Tests of the BTK conductance model (nickelates.btk.model): limits, quadrature, smearing, hardening."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.constants import e as E_CHARGE
from scipy.constants import k as K_BOLTZMANN
from scipy.integrate import quad

from nickelates import btk


# ------------------------------------------------------------------ analytic limits
@pytest.mark.parametrize("angle_resolved", [True, False])
def test_andreev_doubling_in_gap_at_Z0(angle_resolved):
    e = np.linspace(-0.99, 0.99, 41)
    g = btk.intrinsic_conductance(e, 1.0, 0.0, 0.0, angle_resolved=angle_resolved)
    assert np.allclose(g, 2.0, atol=1e-12)
    assert np.allclose(btk.conductance(e, 1.0, 0.0, 0.0, 0.0), 2.0, atol=1e-12)


@pytest.mark.parametrize("Z", [0.0, 0.3, 1.0, 4.0])
def test_probability_conservation_below_gap(Z):
    e = np.linspace(-0.999, 0.999, 51)
    A, B = btk.btk_coefficients(e, 1.0, Z)
    assert np.allclose(A + B, 1.0, atol=1e-12)
    assert np.allclose(A, 1.0 / (e ** 2 + (1 - e ** 2) * (1 + 2 * Z ** 2) ** 2), atol=1e-12)


@pytest.mark.parametrize("Z", [0.0, 0.43, 1.5])
def test_textbook_forms_above_gap_and_sigma(Z):
    e = np.linspace(1.001, 4.0, 40)
    A, B = btk.btk_coefficients(e, 1.0, Z)
    u2 = 0.5 * (1 + np.sqrt(e ** 2 - 1) / e)
    v2 = 1 - u2
    gam = u2 + Z ** 2 * (u2 - v2)
    assert np.allclose(A, u2 * v2 / gam ** 2, atol=1e-12)
    assert np.allclose(B, (u2 - v2) ** 2 * Z ** 2 * (1 + Z ** 2) / gam ** 2, atol=1e-12)
    allE = np.concatenate([-e, np.linspace(-0.99, 0.99, 11), e])
    A, B = btk.btk_coefficients(allE, 1.0, Z)
    g = btk.intrinsic_conductance(allE, 1.0, Z, 0.0, angle_resolved=False)
    assert np.allclose(g, (1 + Z ** 2) * (1 + A - B), atol=1e-12)


def test_andreev_amplitude_branch_at_negative_energy():
    # gamma(z) = Delta / (z + sqrt(z - Delta) sqrt(z + Delta)) at z = E + i0, E = -0.6 Delta:
    # sqrt(z - Delta) = i sqrt(1.6), sqrt(z + Delta) = sqrt(0.4)  =>  a = 1 / (-0.6 + 0.8 i) at Z = 0
    a, b = btk.btk_amplitudes([-0.6], 1.0, 0.0)
    assert complex(a[0]) == pytest.approx(1 / complex(-0.6, 0.8), abs=1e-14)
    assert complex(b[0]) == 0


@pytest.mark.parametrize("gamma", [0.05, 0.3])
def test_tunneling_limit_gives_dynes_dos(gamma):
    e = np.linspace(-3, 3, 61)
    dos = btk.dynes_dos(e, 1.0, gamma)
    for ar in (True, False):
        g = btk.intrinsic_conductance(e, 1.0, 2000.0, gamma, angle_resolved=ar)
        assert np.max(np.abs(g - dos)) < 5e-5
    # complex-energy BTK at Z = 0: sigma = 1 + |gamma(i Gamma)|^2 < 2
    g0 = btk.intrinsic_conductance(np.array([0.0]), 1.0, 0.0, gamma, angle_resolved=False)[0]
    gam0 = 1.0 / (1j * gamma + np.sqrt(1j * gamma - 1) * np.sqrt(1j * gamma + 1))
    assert g0 == pytest.approx(1 + abs(gam0) ** 2, rel=1e-12)
    assert g0 < 2.0


def test_dynes_dos_values_and_bcs_edge():
    # BCS (gamma = 0): 0 in the gap, E / sqrt(E^2 - Delta^2) above it
    e = np.array([0.0, 0.5, 1.25, 3.0])
    assert np.allclose(btk.dynes_dos(e, 1.0, 0.0), [0, 0, 1.25 / 0.75, 3 / math.sqrt(8)], atol=1e-14)
    # Dynes at E = 0: Re[i G / sqrt(-G^2 - 1)] = G / sqrt(1 + G^2)
    assert btk.dynes_dos([0.0], 1.0, 0.5)[0] == pytest.approx(0.5 / math.sqrt(1.25), rel=1e-13)
    # the gap edge at gamma = 0 is an (integrable) infinity: a ValueError that says so, not inf
    with pytest.raises(ValueError, match="infinite at"):
        btk.dynes_dos([0.5, 1.0], 1.0, 0.0)
    assert np.isfinite(btk.dynes_dos([1.0], 1.0, 1e-3)[0])


def test_dwave_zbcp_at_110_and_not_at_100():
    e = np.linspace(0, 1.5, 151)
    g110 = btk.intrinsic_conductance(e, 1.0, 3.0, 0.01, symmetry="d", alpha=math.pi / 4)
    g100 = btk.intrinsic_conductance(e, 1.0, 3.0, 0.01, symmetry="d", alpha=0.0)
    assert np.argmax(g110) == 0 and g110[0] > 5.0
    assert g100[0] < 0.3
    gs = btk.intrinsic_conductance(e, 1.0, 3.0, 0.01)
    assert gs[0] < 0.1 and np.argmax(gs) > 0


def _tau_cos(Z):
    return quad(lambda t: math.cos(t) ** 3 / (math.cos(t) ** 2 + Z ** 2), -math.pi / 2, math.pi / 2,
                epsabs=1e-13)[0]


@pytest.mark.parametrize("Z", [0.0, 0.5, 2.0])
def test_dwave_gamma0_zero_bias_hand_derived(Z):
    """Gamma = 0 (raised OverflowError before): at E = 0, gamma_+- = -i on every trajectory.

    (110): Delta_+ Delta_- < 0 everywhere, sigma_S = 2 / tau_N, so G(0) = 2 int cos / int tau cos.
    (100): sigma_S = 2 tau / (2 - tau)^2, as for s-wave at normal incidence.
    """
    g110 = btk.intrinsic_conductance([0.0], 1.0, Z, 0.0, "d", math.pi / 4)[0]
    assert g110 == pytest.approx(4.0 / _tau_cos(Z), rel=1e-10)

    def tau(t):
        return math.cos(t) ** 2 / (math.cos(t) ** 2 + Z ** 2)
    num = quad(lambda t: 2 * tau(t) ** 2 / (2 - tau(t)) ** 2 * math.cos(t), -math.pi / 2, math.pi / 2,
               epsabs=1e-13)[0]
    for sym in ("d", "s"):
        g100 = btk.intrinsic_conductance([0.0], 1.0, Z, 0.0, sym, 0.0)[0]
        assert g100 == pytest.approx(num / _tau_cos(Z), rel=1e-9)
    # the smeared one is finite too (18 of 120 random calls overflowed before)
    G = btk.conductance(np.linspace(-3, 3, 31), 1.0, Z, 0.0, 3.0, "d", 0.3)
    assert np.all(np.isfinite(G)) and np.all(G > 0)


def _sigma_theta(E, theta, delta_p, delta_m, Z, gamma):
    z = E + 1j * gamma

    def gam(d):
        d = abs(d)
        return 0j if d == 0 else d / (z + np.sqrt(z - d) * np.sqrt(z + d))
    tau = math.cos(theta) ** 2 / (math.cos(theta) ** 2 + Z ** 2)
    gp, gm = gam(delta_p), gam(delta_m)
    ph = -1.0 if delta_p * delta_m < 0 else 1.0
    num = 1 + tau * abs(gp) ** 2 + (tau - 1) * abs(gp * gm) ** 2
    return tau * num / abs(1 + (tau - 1) * gp * gm * ph) ** 2, tau


def _adaptive(E, sym, alpha, Z, gamma, delta=1.0):
    def dp(t):
        return delta if sym == "s" else delta * math.cos(2 * (t - alpha))

    def dm(t):
        return delta if sym == "s" else delta * math.cos(2 * (t + alpha))
    pts = sorted({s * alpha + c + k * math.pi / 2 for s in (1, -1) for k in range(-3, 4)
                  for c in ([math.pi / 4] + ([math.acos(E / delta) / 2, -math.acos(E / delta) / 2] if E < delta else []))
                  if -math.pi / 2 < s * alpha + c + k * math.pi / 2 < math.pi / 2})
    num = quad(lambda t: _sigma_theta(E, t, dp(t), dm(t), Z, gamma)[0] * math.cos(t),
               -math.pi / 2, math.pi / 2, points=pts, limit=400, epsabs=1e-12)[0]
    return num / _tau_cos(Z)


@pytest.mark.parametrize("sym,alpha", [("s", 0.0), ("d", 0.0), ("d", 0.35), ("d", math.pi / 4)])
def test_angle_integral_against_adaptive_quadrature(sym, alpha):
    for E in (0.0, 0.6, 1.05, 2.0):
        g = btk.intrinsic_conductance(np.array([E]), 1.0, 0.5, 0.2, sym, alpha)[0]
        assert g == pytest.approx(_adaptive(E, sym, alpha, 0.5, 0.2), abs=2e-6)


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("alpha", [0.0, 0.35, math.pi / 4])
def test_dwave_gamma0_against_adaptive_quadrature(alpha):
    # Gamma = 0: square-root kinks where |Delta(theta)| = E; 256 nodes per panel give ~1e-4
    for E in (0.3, 0.6, 0.95, 1.05, 2.0):
        g = btk.intrinsic_conductance([E], 1.0, 0.5, 0.0, "d", alpha)[0]
        assert g == pytest.approx(_adaptive(E, "d", alpha, 0.5, 0.0), abs=5e-4)


def test_thermal_smearing_against_quadrature_and_grid_convergence():
    gaps = (btk.Gap(1.5, 0.43, 1.42, 1.0, "s"),)
    T = 3.0
    kt = btk.K_B_MEV_PER_K * T
    bias = np.array([-2.5, 0.0, 0.7, 1.6, 4.0])
    g = btk.conductance_multi(bias, gaps, T)
    for v, gv in zip(bias, g):
        def f(e, v=v):
            x = (e - v) / (2 * kt)
            return btk.intrinsic_conductance(np.array([e]), 1.5, 0.43, 1.42)[0] / (4 * kt * math.cosh(x) ** 2)
        ref = quad(f, v - 40 * kt, v + 40 * kt, limit=200, epsabs=1e-11)[0]
        assert gv == pytest.approx(ref, abs=2e-6)
    dense = np.linspace(-5, 5, 1001)
    gd = btk.conductance_multi(dense, gaps, T)
    assert np.interp(0.7, dense, gd) == pytest.approx(g[2], abs=1e-4)
    gf = btk.conductance_multi(bias, gaps, T, points_per_width=12)
    assert np.max(np.abs(gf - g)) < 1e-5


def test_numba_matches_numpy_reference():
    bias = np.linspace(-60, 60, 121)
    for gaps in (btk.table3_gaps(3.0),
                 (btk.Gap(23, 0.58, 6.6, 0.5, "s"), btk.Gap(6, 0.4, 4.0, 0.5, "d", 0.3))):
        for T in (0.0, 3.0, 20.0):
            a = btk.conductance_multi(bias, gaps, T)
            b = btk.conductance_reference(bias, gaps, T)
            assert np.max(np.abs(a - b)) < 1e-12
    b0 = btk.conductance_reference(bias, btk.table3_gaps(3.0), 3.0, angle_resolved=False)
    assert np.max(np.abs(b0 - btk.conductance_multi(bias, btk.table3_gaps(3.0), 3.0, False))) < 1e-12


def test_multigap_sum_sign_and_normal_state():
    bias = np.linspace(-100, 100, 201)
    gaps = btk.table3_gaps(10.0, w1=0.3)
    G, comps = btk.conductance_multi(bias, gaps, 10.0, return_components=True)
    assert np.allclose(G, 0.3 * comps[0] + 0.7 * comps[1], atol=1e-13)
    flipped = (gaps[0], btk.Gap(gaps[1].delta, gaps[1].Z, gaps[1].gamma, gaps[1].weight, "s", 0.0, -1))
    assert np.allclose(btk.conductance_multi(bias, flipped, 10.0), G, atol=1e-14)
    assert np.allclose(G, G[::-1], atol=1e-13)
    far = btk.conductance(np.array([-5000.0, 5000.0]), 1.0, 0.5, 0.01, 3.0)
    assert np.allclose(far, 1.0, atol=1e-6)


def test_boltzmann_constant_and_grid_step():
    assert btk.K_B_MEV_PER_K == pytest.approx(K_BOLTZMANN / E_CHARGE * 1e3, rel=1e-10)  # CODATA, 10 digits
    kt = btk.K_B_MEV_PER_K * 3.0
    assert btk.energy_grid_step(3.0, [6.6, 4.0]) == pytest.approx(math.pi * kt / 3)
    assert btk.energy_grid_step(40.0, [6.6, 0.0, 4.3], 2.0) == pytest.approx(4.3 / 2)
    assert btk.energy_grid_step(0.0, [0.5]) == pytest.approx(0.5 / 3)
    egrid, h, kt3, cutoff = btk.smearing_grid(80.0, 3.0, [6.6, 4.0])
    assert egrid[0] == 0 and egrid[-1] >= 80.0 + cutoff and cutoff == pytest.approx(40 * kt)
    assert np.allclose(np.diff(egrid), h)


# ------------------------------------------------------------------ chapter model spectra
def test_nb_calibration_and_dwave_orientation_numbers():
    nb = btk.nb_calibration_spectra(np.linspace(-6, 6, 1201), sharp_gamma=0.1)
    v_pk, g_pk = nb.peak()
    assert 1.04 < nb.zero_bias() < 1.06 and 1.07 < g_pk < 1.085 and 1.6 < v_pk < 1.85
    v_s, g_s = nb.peak(sharp=True)
    assert g_s > 1.45 and abs(v_s - 1.42) < 0.05
    o = btk.dwave_orientation((0.0, np.pi / 8, np.pi / 4), Z=2.0, gamma=0.02, energy_max=2.5, n=501)
    zb = o.zero_bias
    assert zb[np.pi / 4] > 5 and zb[0.0] < 0.3 and zb[np.pi / 4] > zb[np.pi / 8] > zb[0.0]
    assert np.allclose(o.G_s, btk.intrinsic_conductance(o.energy, 1.0, 2.0, 0.02))


# ------------------------------------------------------------------ properties over the valid box
gap_params = st.fixed_dictionaries({
    "delta": st.floats(0.1, 50.0),
    "Z": st.one_of(st.just(0.0), st.floats(0.0, 10.0)),
    "gamma": st.one_of(st.just(0.0), st.floats(0.05, 20.0)),
    "T": st.one_of(st.just(0.0), st.floats(1.0, 50.0)),
    "symmetry": st.sampled_from(["s", "d"]),
    "alpha": st.floats(0.0, math.pi / 2),
    "angle_resolved": st.booleans(),
})


@given(gap_params)
def test_property_finite_nonnegative_even(p):
    half = np.linspace(0.0, 3 * p["delta"], 7)
    bias = np.concatenate([-half[::-1], half])          # exactly symmetric
    G = btk.conductance(bias, p["delta"], p["Z"], p["gamma"], p["T"], p["symmetry"], p["alpha"],
                        p["angle_resolved"])
    assert np.all(np.isfinite(G)) and np.all(G >= 0)
    assert np.allclose(G, G[::-1], rtol=1e-12, atol=1e-12)
    # a clean s-wave contact: Andreev reflection at most doubles the conductance
    # (up to the documented smearing-grid error, ~1e-6 at 3 points per width)
    if p["symmetry"] == "s" and p["Z"] == 0:
        assert np.all(G <= 2.0 + 2e-6)


@given(gap_params)
def test_property_normal_state_at_large_bias(p):
    scale = max(p["delta"], p["gamma"])
    G = btk.conductance([-2000 * scale, 3000 * scale], p["delta"], p["Z"], p["gamma"], 0.0,
                        p["symmetry"], p["alpha"], p["angle_resolved"])
    assert np.allclose(G, 1.0, atol=1e-3)


@given(st.floats(0.1, 50.0), st.floats(-0.9, 0.9), st.booleans())
def test_property_andreev_doubling_small_gamma(delta, x, angle_resolved):
    g = btk.conductance([x * delta], delta, 0.0, 1e-7 * delta, 0.0, angle_resolved=angle_resolved)[0]
    assert g == pytest.approx(2.0, abs=1e-5)


@given(st.floats(0.1, 50.0), st.floats(0.05, 2.0), st.floats(0.0, 4.0))
def test_property_tunneling_limit_is_dynes(delta, gamma_rel, x):
    gamma = gamma_rel * delta
    g = btk.conductance([x * delta], delta, 1e4, gamma, 0.0)[0]
    assert g == pytest.approx(btk.dynes_dos([x * delta], delta, gamma)[0], rel=1e-5, abs=1e-7)


@given(gap_params)
def test_property_requested_symmetry(p):
    """s-wave does not depend on alpha; d-wave is periodic in alpha with pi/2 and even in alpha."""
    e = np.linspace(0, 2.5 * p["delta"], 7)
    args = (p["delta"], p["Z"], p["gamma"], p["symmetry"])
    g = btk.intrinsic_conductance(e, *args, p["alpha"], p["angle_resolved"])
    g_shift = btk.intrinsic_conductance(e, *args, p["alpha"] + math.pi / 2, p["angle_resolved"])
    g_mirror = btk.intrinsic_conductance(e, *args, -p["alpha"], p["angle_resolved"])
    assert np.allclose(g, g_shift, rtol=1e-9, atol=1e-9)
    assert np.allclose(g, g_mirror, rtol=1e-9, atol=1e-9)
    if p["symmetry"] == "s":
        g0 = btk.intrinsic_conductance(e, *args, 0.0, p["angle_resolved"])
        assert np.array_equal(g, g0)


@given(st.floats(0.1, 50.0), st.floats(0.0, 20.0), st.floats(-100.0, 100.0))
def test_property_dynes_dos_finite_nonnegative(delta, gamma, energy):
    if gamma < 2.3e-308 and abs(energy) == delta:     # subnormal gamma counts as 0: the BCS edge
        with pytest.raises(ValueError, match="infinite"):
            btk.dynes_dos([energy], delta, gamma)
        return
    d = btk.dynes_dos([energy], delta, gamma)[0]
    assert np.isfinite(d) and d >= 0


# ------------------------------------------------------------------ bad input
ARGS = dict(bias_mV=np.linspace(-5, 5, 11), delta=1.0, Z=0.5, gamma=0.1, T=3.0)


@pytest.mark.parametrize("kwargs,word", [
    (dict(delta=-1.0), "delta"), (dict(Z=-0.1), "Z"), (dict(gamma=-1.0), "gamma"),
    (dict(T=-3.0), "T"), (dict(symmetry="p"), "symmetry"), (dict(bias_mV=[0.0, np.nan]), "bias_mV"),
    (dict(delta=float("inf")), "delta"), (dict(n_angles=1), "n_angles"),
    (dict(points_per_width=0.0), "points_per_width"), (dict(bias_mV=[]), "bias_mV"),
    (dict(delta=1e-310), "delta"), (dict(delta=1e300), "delta"), (dict(gamma=1e300), "gamma"),
    (dict(T=1e300), "T"), (dict(Z=1e300), "Z"),
])
def test_bad_values_raise_value_error_naming_argument(kwargs, word):
    args = dict(ARGS, **kwargs)
    with pytest.raises(ValueError, match=word):
        btk.conductance(**args)


@pytest.mark.parametrize("kwargs,word", [
    (dict(bias_mV=np.array([1.0 + 1j, 2.0])), "complex"), (dict(bias_mV=np.array([True, False])), "boolean"),
    (dict(bias_mV=["a", "b"]), "bias_mV"), (dict(bias_mV="0.5"), "bias_mV"), (dict(delta="1"), "delta"),
    (dict(symmetry=1), "symmetry"), (dict(angle_resolved=1), "angle_resolved"), (dict(n_angles=12.0), "n_angles"),
    (dict(T=True), "T"), (dict(Z=1j), "Z"),
])
def test_bad_types_raise_type_error(kwargs, word):
    args = dict(ARGS, **kwargs)
    with pytest.raises(TypeError, match=word):
        btk.conductance(**args)


def test_gap_validation_and_conversion():
    g = btk.Gap(np.float32(2.0), 1, 0, sign=-1)
    assert type(g.delta) is float and g.Z == 1.0 and g.sign == -1
    with pytest.raises(ValueError, match="sign must be"):
        btk.Gap(1.0, 0.5, 0.1, sign=2)
    with pytest.raises(TypeError, match="sign"):
        btk.Gap(1.0, 0.5, 0.1, sign=1.5)
    with pytest.raises(ValueError, match="weight"):
        btk.Gap(1.0, 0.5, 0.1, weight=1.5)
    with pytest.raises(ValueError, match="alpha"):
        btk.Gap(1.0, 0.5, 0.1, alpha=float("nan"))


def test_multigap_and_grid_errors():
    with pytest.raises(ValueError, match="weights"):
        btk.conductance_multi([0.0, 1.0], (btk.Gap(1, 0.5, 0.1, 0.6), btk.Gap(2, 0.5, 0.1, 0.6)), 3.0)
    with pytest.raises(TypeError, match="single Gap"):
        btk.conductance_multi([0.0], btk.Gap(1, 0.5, 0.1), 3.0)
    with pytest.raises(TypeError, match="Gap"):
        btk.check_gaps([btk.Gap(1, 0.5, 0.1, 0.5), (1, 0.5, 0.1, 0.5)])
    with pytest.raises(ValueError, match="at least one"):
        btk.check_gaps([])
    with pytest.raises(TypeError, match="return_components"):
        btk.conductance_multi([0.0], (btk.Gap(1, 0.5, 0.1),), 3.0, return_components="yes")
    # grids beyond the limit: a ValueError with the remedy, never an OverflowError
    with pytest.raises(ValueError, match="smearing grid"):
        btk.conductance([0.0, 1e5], 1.0, 0.5, 0.0, 1e-4)
    with pytest.raises(ValueError, match="smearing grid"):
        btk.conductance([0.0, 1e300], 1.0, 0.5, 0.1, 3.0)
    with pytest.raises(ValueError, match="smearing grid"):
        btk.smearing_grid(1e308, 3.0, [0.1])
    with pytest.raises(ValueError, match="T must lie in"):
        btk.smearing_grid(10.0, 0.0, [0.1])
    with pytest.raises(ValueError, match="no smoothing width"):
        btk.energy_grid_step(0.0, [0.0])
    with pytest.raises(ValueError, match="gammas"):
        btk.energy_grid_step(3.0, [-1.0])
    with pytest.raises(TypeError, match="complex"):
        btk.energy_grid_step(3.0, np.array([1j]))
    with pytest.raises(ValueError, match="points_per_width"):
        btk.smearing_grid(10.0, 3.0, [0.1], points_per_width=1e3)
    # the plain-NumPy reference refuses arrays beyond ~1 GB instead of swapping
    with pytest.raises(ValueError, match="reference"):
        btk.conductance_reference(np.linspace(-1e4, 1e4, 11), (btk.Gap(1.0, 0.5, 0.0, 1.0, "d", 0.3),), 1.0)


def test_energy_keyword_alias_and_huge_inputs():
    e = np.array([0.0, 0.5, 2.0])
    assert np.array_equal(btk.dynes_dos(energy_mV=e, delta=1.0, gamma=0.1), btk.dynes_dos(e, 1.0, 0.1))
    assert np.array_equal(btk.intrinsic_conductance(energy_mV=e, delta=1.0, Z=0.5, gamma=0.1),
                          btk.intrinsic_conductance(e, 1.0, 0.5, 0.1))
    assert np.array_equal(btk.btk_coefficients(energy_mV=e, delta=1.0, Z=0.5)[0],
                          btk.btk_coefficients(e, 1.0, 0.5)[0])
    with pytest.raises(TypeError, match="old name"):
        btk.dynes_dos(energy_meV=e, delta=1.0, gamma=0.1, energy_mV=e)
    # extreme but valid numbers give finite, correct limits
    assert btk.intrinsic_conductance([1e300], 1.0, 0.5, 0.1)[0] == pytest.approx(1.0)
    assert btk.intrinsic_conductance([0.0], 1e6, 0.0, 1e-300, "d", math.pi / 4)[0] == pytest.approx(2.0)
    assert btk.dynes_dos([1e300], 1.0, 1e6)[0] == pytest.approx(1.0)
    assert btk.conductance([0.0], 1.0, 1e6, 1e6, 1e5)[0] == pytest.approx(1.0, abs=1e-6)


# ------------------------------------------------------------------ spin polarization (Mazin / Strijkers)
def _matching_polarized(E, delta, Z, gamma=0.0):
    """1 - |b|^2 of a fully polarized trajectory at normal incidence, from the 4x4 matching equations.

    Electron e^{ikx} + b e^{-ikx}, evanescent hole a e^{kx} (decay constant k_F) on the normal side,
    quasiparticles c (1, g) e^{ikx} + d (g, 1) e^{-ikx} in S, a delta barrier of strength Z.
    """
    z = E + 1j * gamma
    g = delta / (z + np.sqrt(z - delta) * np.sqrt(z + delta))
    # unknowns (a, b, c, d)
    M = np.array([[0, -1, 1, g], [0, 1j - 2 * Z, 1j, -1j * g], [1, 0, -g, -1], [1 + 2 * Z, 0, -1j * g, 1j]])
    rhs = np.array([1, 1j + 2 * Z, 0, 0])
    a, b, c, d = np.linalg.solve(M, rhs)
    return 1 - abs(b) ** 2


@pytest.mark.parametrize("Z", [0.0, 0.3, 1.0, 3.0])
def test_polarized_conductance_against_matching_equations(Z):
    for E in (0.0, 0.4, 0.99, 1.01, 1.5, 3.0):
        for gamma in (0.0, 0.1):
            if gamma == 0.0 and abs(E - 1.0) < 0.02:
                continue
            g = btk.intrinsic_conductance([E], 1.0, Z, gamma, angle_resolved=False, polarization=1.0)[0]
            assert g == pytest.approx(_matching_polarized(E, 1.0, Z, gamma) * (1 + Z ** 2), abs=1e-12)


def test_polarization_limits():
    e = np.linspace(-4, 4, 81)
    for sym, alpha in (("s", 0.0), ("d", 0.3)):
        for ar in (True, False):
            g0 = btk.intrinsic_conductance(e, 1.0, 0.4, 0.05, sym, alpha, ar)
            assert np.array_equal(btk.intrinsic_conductance(e, 1.0, 0.4, 0.05, sym, alpha, ar, polarization=0.0), g0)
            g1 = btk.intrinsic_conductance(e, 1.0, 0.4, 0.05, sym, alpha, ar, polarization=1.0)
            gh = btk.intrinsic_conductance(e, 1.0, 0.4, 0.05, sym, alpha, ar, polarization=0.3)
            assert np.allclose(gh, 0.7 * g0 + 0.3 * g1, atol=1e-13)       # linear in P
    # P = 1, Z = 0, Gamma -> 0, T = 0: no sub-gap conductance (the Andreev hole is evanescent)
    sub = np.linspace(-0.98, 0.98, 41)
    for ar in (True, False):
        assert np.max(np.abs(btk.conductance(sub, 1.0, 0.0, 1e-9, 0.0, angle_resolved=ar, polarization=1.0))) < 1e-7
    # Mazin's Z = 0 result above the gap: G_p = 4 E s / (E + s)^2, s = sqrt(E^2 - Delta^2)
    E = np.array([1.2, 2.0, 5.0])
    s = np.sqrt(E ** 2 - 1)
    assert np.allclose(btk.intrinsic_conductance(E, 1.0, 0.0, 0.0, polarization=1.0), 4 * E * s / (E + s) ** 2,
                       atol=1e-13)
    # the normal state at large bias, for every P and both symmetries
    for P in (0.0, 0.5, 1.0):
        for sym in ("s", "d"):
            far = btk.conductance([-3000.0, 3000.0], 1.0, 0.7, 0.1, 0.0, sym, 0.2, polarization=P)
            assert np.allclose(far, 1.0, atol=1e-4)


@given(st.floats(0.1, 20.0), st.floats(0.0, 10.0), st.floats(0.0, 5.0), st.floats(0.0, 1.0),
       st.sampled_from(["s", "d"]), st.floats(0.0, 3.0))
def test_property_polarized_finite_bounded(delta, Z, gamma, P, sym, x):
    g = btk.intrinsic_conductance([x * delta], delta, Z, gamma, sym, 0.3, polarization=P)[0]
    assert np.isfinite(g) and g >= 0
    if sym == "s":
        # 1 + A - B <= 2 at every angle, normalized by the cos-weighted normal transmission
        # <sigma_N> = int cos^3/(cos^2 + Z^2) / int cos (Z/cos(theta) per angle): at E = Delta
        # the bound is reached (1D: 2 (1 + Z^2)), so a bound of 2 holds only at Z = 0
        from scipy.integrate import quad

        sigma_n = quad(lambda t: math.cos(t) ** 3 / (math.cos(t) ** 2 + Z**2), 0, math.pi / 2)[0]
        assert g <= 2.0 / sigma_n * (1 + 1e-9)


# ------------------------------------------------------------------ tunnel (Dynes) model
def test_dynes_model_is_the_large_Z_limit():
    b = np.linspace(-30, 30, 121)
    assert np.allclose(btk.conductance(b, 5.0, 0.7, 0.4, 0.0, model="dynes"), btk.dynes_dos(b, 5.0, 0.4), atol=1e-13)
    for sym, alpha in (("s", 0.0), ("d", 0.0), ("d", 0.35), ("d", math.pi / 4)):
        gd = btk.conductance(b, 5.0, 0.0, 0.4, 3.0, sym, alpha, model="dynes")
        gz = btk.conductance(b, 5.0, 1e4, 0.4, 3.0, sym, alpha)
        assert np.max(np.abs(gd - gz)) < 1e-6                      # corrections O(1/Z^2)
        gz20 = btk.conductance(b, 5.0, 20.0, 0.4, 3.0, sym, alpha)
        assert 1e-5 < np.max(np.abs(gd - gz20)) < 0.1               # ... visible at Z = 20
    with pytest.raises(ValueError, match="dynes"):
        btk.conductance(b, 5.0, 0.0, 0.0, 3.0, "d", 0.3, model="dynes")
    with pytest.raises(ValueError, match="model"):
        btk.conductance(b, 5.0, 0.0, 0.4, 3.0, model="bcs")


def test_new_models_numba_matches_numpy_reference():
    bias = np.linspace(-60, 60, 121)
    gaps = (btk.Gap(23, 0.58, 6.6, 0.5, "s"), btk.Gap(6, 0.4, 4.0, 0.5, "d", 0.3))
    for kw in (dict(polarization=0.4), dict(model="dynes"), dict(series_resistance=0.2, bias_offset=0.5)):
        a = btk.conductance_multi(bias, gaps, 3.0, **kw)
        b = btk.conductance_reference(bias, gaps, 3.0, **kw)
        assert np.max(np.abs(a - b)) < 1e-12


# ------------------------------------------------------------------ Gamma = 0 at T > 0
def _smeared_reference(V, delta, Z, T, **kw):
    """Adaptive quadrature of G(E) against the Fermi window, with the gap edges as breakpoints."""
    kt = btk.K_B_MEV_PER_K * T

    def f(E):
        return btk.intrinsic_conductance([E], delta, Z, 0.0, **kw)[0] / (4 * kt * math.cosh((E - V) / (2 * kt)) ** 2)
    pts = [p for p in (-delta, delta) if V - 40 * kt < p < V + 40 * kt]
    return quad(f, V - 40 * kt, V + 40 * kt, points=pts or None, limit=500, epsabs=1e-11, epsrel=1e-11)[0]


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("Z,kw", [(0.43, {}), (0.0, {}), (3.0, {}), (0.0, {"model": "dynes"}),
                                  (0.5, {"polarization": 0.6})])
def test_gamma0_smearing_against_adaptive_quadrature(Z, kw):
    """Gamma = 0, T = 3 K: the gap-edge-aware panels agree with adaptive quadrature to 1e-6 (was 1-3e-2)."""
    V = np.array([-2.5, 0.0, 0.7, 1.3, 1.5, 1.6, 2.0, 4.0])
    g = btk.conductance(V, 1.5, Z, 0.0, 3.0, **kw)
    ref = np.array([_smeared_reference(v, 1.5, Z, 3.0, **kw) for v in V])
    assert np.max(np.abs(g - ref)) < 1e-6
    # two bands, one with Gamma = 0
    gaps = (btk.Gap(1.5, Z, 0.0, 0.6), btk.Gap(0.6, 0.3, 0.2, 0.4))
    G = btk.conductance_multi(V, gaps, 3.0, **kw)
    G2 = btk.conductance(V, 0.6, 0.3, 0.2, 3.0, points_per_width=12, **kw)
    assert np.max(np.abs(G - (0.6 * ref + 0.4 * G2))) < 1e-6


# ------------------------------------------------------------------ series resistance and bias offset
def test_series_resistance_against_direct_construction():
    from scipy.integrate import cumulative_trapezoid
    r = 0.4
    vj = np.linspace(-10, 10, 40001)
    g = btk.conductance(vj, 1.5, 0.43, 0.3, 1.8)
    current = cumulative_trapezoid(g, vj, initial=0.0)
    current -= np.interp(0.0, vj, current)
    V = vj + r * current                                  # the measured bias of each junction voltage
    pick = np.searchsorted(V, [-5.0, -1.9, -0.5, 0.0, 0.8, 1.7, 2.5, 6.0])
    G = btk.conductance(V[pick], 1.5, 0.43, 0.3, 1.8, series_resistance=r)
    assert np.allclose(G, (1 + r) * g[pick] / (1 + r * g[pick]), atol=2e-5)
    assert btk.conductance([400.0], 1.5, 0.43, 0.3, 1.8, series_resistance=r)[0] == pytest.approx(1.0, abs=1e-4)
    b = np.linspace(-5, 5, 51)
    assert np.array_equal(btk.conductance(b, 1.5, 0.43, 0.3, 1.8, series_resistance=0.0),
                          btk.conductance(b, 1.5, 0.43, 0.3, 1.8))
    assert np.allclose(btk.conductance(b, 1.5, 0.43, 0.3, 1.8, bias_offset=0.3),
                       btk.conductance(b - 0.3, 1.5, 0.43, 0.3, 1.8), atol=1e-14)


@pytest.mark.parametrize("kwargs,word", [
    (dict(polarization=1.5), "polarization"), (dict(polarization=float("nan")), "polarization"),
    (dict(series_resistance=-0.1), "series_resistance"), (dict(bias_offset=float("inf")), "bias_offset"),
    (dict(model="tunnel"), "model"),
])
def test_new_options_bad_values(kwargs, word):
    with pytest.raises(ValueError, match=word):
        btk.conductance(**dict(ARGS, **kwargs))

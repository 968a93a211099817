"""Issue 25's library defects, each pinned: a named error or a correct finite result.

Every case came from a fuzz of the public API (a hang, a ZeroDivisionError, an
OverflowError, an AttributeError, a silent inf/NaN, a raw NumPy error or a
ValueError for a wrong type); the expected answer is stated next to each.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from nickelates import bands, btk, clusters, gapmap, mixd_exact, tunneling


# ---------------------------------------------------------------- clusters, bands
def test_fermion_operators_huge_n_is_refused_at_once():
    # the size check used to compute n 4^n for n = 2^40 (a hang); n is bounded first
    with pytest.raises(ValueError, match=r"n_modes must be an integer in \[1, 10\]"):
        clusters.fermion_creation_operators(2**40)


def test_channel_admixture_subnormal_weight_is_refused():
    with pytest.raises(ValueError, match=r"w_rem must lie in \[1e-12, 1.0\]"):
        bands.channel_admixture(0.4, 0.2598, 5e-324, 1.0, 5.0)


def test_channel_admixture_small_weight_is_finite_and_analytic():
    # small w_rem: E_rem -> g^2 w_rem U / (eps U + g^2 w_add) (the quadratic's small root), R -> w_rem / E_rem^2 / (eps/g^2)^2
    eps, txz, w, U = 0.4, 0.2598, 1e-12, 5.0
    g2 = 4 * txz**2
    c = bands.channel_admixture(eps, txz, w, 1.0, U)
    E = g2 * w * U / (eps * U + g2)
    assert c.E_rem == pytest.approx(E, rel=1e-6)
    assert math.isfinite(c.residue_factor)
    assert c.residue_factor == pytest.approx(w / E**2 / (eps / g2) ** 2, rel=1e-6)


def test_band_energy_mismatched_momenta_name_both_shapes():
    with pytest.raises(ValueError, match=r"kx and ky .* kx \(3,\) and ky \(4,\)"):
        bands.band_energy(np.zeros(3), np.zeros(4), bands.PAPER_V3, "alpha")
    # broadcastable shapes still work: a column against a row
    e = bands.band_energy(np.zeros((3, 1)), np.zeros((1, 4)), bands.PAPER_V3, "alpha")
    assert e.shape == (3, 4) and np.allclose(e, -0.51)


# ---------------------------------------------------------------- gapmap
BIAS = np.linspace(-5, 5, 121)


def test_spectrum_model_huge_bias_is_refused():
    with pytest.raises(ValueError, match=r"bias_mV must lie in \[-1e\+06, 1e\+06\] mV"):
        gapmap.spectrum_model(BIAS * 1e300, 2.0)


def test_spectrum_model_bias_below_the_grid_step_is_refused():
    with pytest.raises(ValueError, match="bias_mV spans"):
        gapmap.spectrum_model(BIAS * 1e-300, 2.0)


def test_fit_spectrum_huge_scale_is_refused_and_moderate_scale_is_fitted():
    m = gapmap.spectrum_model(BIAS, 2.0)
    g = m([1.1, 0.08, 1.0])
    with pytest.raises(ValueError, match="g has a normal-state level .* rescale g"):
        gapmap.fit_spectrum(m, g * 1e300)
    r = gapmap.fit_spectrum(m, g * 1e100)           # inside LEVEL_RANGE: scale-free, the same gap
    assert r.ok and r.values["delta1"] == pytest.approx(1.1, abs=1e-4)
    assert r.values["scale"] == pytest.approx(1e100, rel=1e-4)


def test_fit_rows_flags_an_out_of_range_pixel_as_bad_data():
    m = gapmap.spectrum_model(BIAS, 2.0)
    g = m([1.1, 0.08, 1.0])
    out = gapmap.fit_rows(np.stack([[g, g * 1e300]]), BIAS, 2.0)
    assert out["reason"].tolist() == [[0, 1]]
    assert out["delta1"][0, 0] == pytest.approx(1.1, abs=1e-4)


@pytest.mark.parametrize("call, match", [
    (lambda m, g: gapmap.initial_guess(m, None), "g_norm must be an array of real numbers"),
    (lambda m, g: gapmap.initial_guess({}, g), "smodel must be a SpectrumModel"),
    (lambda m, g: gapmap.fit_spectrum({}, g), "smodel must be a SpectrumModel"),
    (lambda m, g: gapmap.fit_spectrum(m, None), "g must be an array of real numbers"),
    (lambda m, g: gapmap.fit_rows(np.stack([[g]]), BIAS, 2.0, warm_start="False"), "warm_start must be True or False"),
])
def test_gapmap_wrong_types_are_type_errors(call, match):
    m = gapmap.spectrum_model(BIAS, 2.0)
    with pytest.raises(TypeError, match=match):
        call(m, m([1.1, 0.08, 1.0]))


# ---------------------------------------------------------------- btk
T_SERIES = np.array([3, 5, 10, 14, 20, 26, 30, 35, 40.0])
D_SERIES = np.array([23.0, 22.9, 23.0, 22.8, 22.9, 22.2, 22.1, 21.5, 20.5])


def test_fit_gap_temperature_huge_sigma_is_refused():
    with pytest.raises(ValueError, match=r"sigma must lie in \[1e-09, 1e\+06\] meV"):
        btk.fit_gap_temperature(T_SERIES, D_SERIES, sigma=1e300)


def test_fit_gap_temperature_large_sigma_gives_finite_errors():
    # errors scale with sigma when the covariance is not rescaled: sigma x 1e4 -> stderr x 1e4
    r1 = btk.fit_gap_temperature(T_SERIES, D_SERIES, sigma=0.1)
    r2 = btk.fit_gap_temperature(T_SERIES, D_SERIES, sigma=1e3)
    assert math.isfinite(r2.Tc_err) and r2.Tc_err == pytest.approx(1e4 * r1.Tc_err, rel=1e-3)


def _one_gap_spectrum():
    b = np.linspace(-80, 80, 321)
    return b, btk.conductance_multi(b, (btk.Gap(23.0, 0.58, 6.6, 1.0),), 3.0)


def test_fit_huge_normalized_conductance_is_refused():
    b, y = _one_gap_spectrum()
    with pytest.raises(ValueError, match="G is the normalized conductance"):
        btk.fit(b, y * 1e300, n_gaps=1, starts=1)
    with pytest.raises(ValueError, match=r"median \|G\| .* outside \[1e-15, 1e\+12\]"):
        btk.fit(b, y * 1e300, n_gaps=1, starts=1, background_degree=2)
    with pytest.raises(ValueError, match="sigma must be positive and lie in"):
        btk.fit(b, y, n_gaps=1, starts=1, sigma=1e300)


@pytest.mark.slow
@pytest.mark.parametrize("scale", [1e-9, 1e-15])   # STM: pA/mV = 1e-9 S; a current derivative ~1e-12 S
def test_fit_raw_conductance_in_siemens_is_scale_free(scale):
    b, y = _one_gap_spectrum()
    r = btk.fit(b, y * scale, n_gaps=1, starts=1, background_degree=2)
    assert r.values["delta1"] == pytest.approx(23.0, abs=1e-3)
    assert r.values["bg0"] == pytest.approx(scale, rel=1e-4)


@pytest.mark.slow
def test_fit_series_per_spectrum_information_criteria_are_finite():
    T = np.array([3.0, 30.0, 45.0])
    b = np.linspace(-60, 60, 121)
    spectra = [(b, btk.conductance_multi(b, (btk.Gap(float(btk.gap_bcs([t], 20.0, 60.0)[0]), 0.5, 5.0),), t))
               for t in T]
    r = btk.fit_series(spectra, T, n_gaps=1, starts=1)
    for f in r.fits:
        # lmfit's definitions with this spectrum's chi^2, n and the free parameters entering it
        n, k = f.ndata, f.nvarys
        lnl = n * math.log(max(f.chisqr, 1e-250) / n)
        assert k >= 3
        assert f.aic == pytest.approx(lnl + 2 * k, rel=1e-12)
        assert f.bic == pytest.approx(lnl + math.log(n) * k, rel=1e-12)


@pytest.mark.slow
def test_fit_series_lockin_is_folded_into_every_model():
    # spectra broadened by a 2 mV peak lock-in; the joint fit with lockin_mV=2 recovers the gap
    T = np.array([3.0, 30.0, 45.0])
    b = np.linspace(-60, 60, 121)
    spectra = [(b, btk.conductance_multi(b, (btk.Gap(float(btk.gap_bcs([t], 20.0, 60.0)[0]), 0.5, 2.0),), t,
                                         lockin_mV=2.0)) for t in T]
    r = btk.fit_series(spectra, T, n_gaps=1, starts=1, lockin_mV=2.0)
    assert r.values["delta1_0"] == pytest.approx(20.0, abs=0.05)
    with pytest.raises(ValueError, match="lockin_mV must be one number or one per spectrum"):
        btk.fit_series(spectra, T, n_gaps=1, starts=1, lockin_mV=[1.0, 2.0])
    with pytest.raises(TypeError, match="lockin_mV"):
        btk.fit_series(spectra, T, n_gaps=1, starts=1, lockin_mV="2")


# ---------------------------------------------------------------- tunneling, mixd_exact
def test_triplon_gaps_checks_T_and_n_k_for_every_source():
    with pytest.raises(ValueError, match="T must be a finite real number"):
        tunneling.triplon_gaps(0.45, 0.4, 0.3, 0.3, source="eq18", T=math.nan)
    with pytest.raises(TypeError, match="n_k must be an integer"):
        tunneling.triplon_gaps(0.45, 0.4, 0.3, 0.3, source="eq18", n_k={})


def test_apparent_gap_map_checks_lam_bounds_with_a_fixed_lam():
    with pytest.raises(TypeError, match="lam_bounds must be an array of real numbers"):
        tunneling.apparent_gap_map([0.45], [0.0], lam=0.4, lam_bounds="abc", source="eq18")


def test_binding_energies_checks_chi_max_for_ed():
    pts = mixd_exact.load_data()
    with pytest.raises(TypeError, match="chi_max must be an integer"):
        mixd_exact.binding_energies(pts, kind="ed", L=8, n_holes=4, chi_max={})
    with pytest.raises(ValueError, match="kind must be one of"):
        mixd_exact.binding_energies(pts, kind="exact", L=8, n_holes=4)


# ---------------------------------------------------------------- wrong types are TypeErrors naming the argument
def _trust_assess(**bad):
    from nickelates import trust
    b = np.linspace(-4, 4, 81)
    kw = dict(gaps=[1.0], gammas=[0.05], chisqr=b.size * 0.02**2, n_params=3) | bad
    return trust.assess(b, np.ones_like(b), **kw)


@pytest.mark.parametrize("call, match", [
    (lambda: __import__("nickelates.eliashberg").eliashberg.pade(None, [1.0], [2.0]), "z_in must be an array of complex"),
    (lambda: __import__("nickelates.eliashberg").eliashberg.pade([1j, 2j], [1.0, None], [2.0]),
     "f_in must be an array of complex numbers, got an element NoneType"),
    (lambda: __import__("nickelates.eliashberg").eliashberg.einstein_normal_self_energy([None], 1.0, 1.0, 0.1),
     "z must be an array of complex"),
    (lambda: _trust_assess(gaps=None), "gaps must be an array of real numbers"),
    (lambda: _trust_assess(gammas={}), "gammas must be an array of real numbers"),
    (lambda: __import__("nickelates.pairing").pairing.compare_gap_cases(None), "cases must be a sequence"),
    (lambda: tunneling.fig5_spectra(np.linspace(-100, 100, 41), sources={}), "sources must be a tuple"),
    (lambda: clusters.effective_channel_couplings(None), "h_eff must be a numeric 64x64 array"),
    (lambda: clusters.channel_relative_deviation([0.1], {}), "cluster_args must be a sequence"),
    (lambda: clusters.channel_relative_deviation([0.1], (0.6, None, 6.8, 5.6)), r"E_rem_b \(cluster_args\[1\]\)"),
    (lambda: __import__("nickelates.couplings").couplings.from_microscopic(dos={}), "dos must be None or a sequence"),
    (lambda: __import__("nickelates.mixd").mixd.brillouin_zone({}), "shape must be"),
    (lambda: __import__("nickelates.mixd").mixd.a1g_content(None), "sol_or_delta must be an array"),
])
def test_wrong_types_are_type_errors_naming_the_argument(call, match):
    with pytest.raises(TypeError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda: btk.conductance_multi(np.linspace(-5, 5, 11), {}, 3.0), "gaps must be a sequence of Gap"),
    (lambda: btk.multistart(lambda p: np.zeros(2), None), "starts must be a sequence of lmfit.Parameters"),
    (lambda: btk.parameter_names(2, {}), "symmetry must be a string like"),
    (lambda: btk.parameter_names(2, [None, None]), "symmetry must be one of"),
    (lambda: btk.fit_series({}, [3.0, 4.0]), "spectra must be a sequence"),
    (lambda: btk.fit_series([None, None], [3.0, 4.0]), r"spectra\[0\] must be a pair"),
    (lambda: btk.table3_refits(rows={}), "rows must be a sequence of row indices"),
    (lambda: btk.fit_contact(np.linspace(-5, 5, 41), np.ones(41), T=4.2, superconductor={}),
     "superconductor must be one of"),
])
def test_btk_wrong_types_are_type_errors_naming_the_argument(call, match):
    with pytest.raises(TypeError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda r: r.read_grid(None), "path must be a file path"),
    (lambda r: r.read_3ds({}), "path must be a file path"),
    (lambda r: r.default_channel(None), "channels must be a sequence of channel names"),
    (lambda r: r.default_channel([None]), r"channels\[i\] must be a channel name"),
    (lambda r: r.savgol_derivative(None, np.zeros(11)), "bias_mV must be an array of real numbers"),
    (lambda r: r.savgol_derivative(np.linspace(-1, 1, 11), None), "current must be an array of currents"),
    (lambda r: r.temperature_from_header(None), "meta must be a header dict"),
    (lambda r: r.lockin_from_header([], "LI Demod 1 X (A)"), "meta must be a header dict"),
    (lambda r: r.lockin_from_header({}, {}), "channel must be a channel name"),
])
def test_readers_wrong_types_are_type_errors_naming_the_argument(call, match):
    from nickelates import readers
    with pytest.raises(TypeError, match=match):
        call(readers)


def test_savgol_derivative_mismatched_axis_is_a_named_value_error():
    from nickelates import readers
    with pytest.raises(ValueError, match="current must have the 11 bias points"):
        readers.savgol_derivative(np.linspace(-1, 1, 11), np.zeros(12))


# ---------------------------------------------------------------- eliashberg without attraction (fuzz F-07, 08, 10, 11)
def test_eliashberg_without_attraction_has_no_gap_at_once():
    from nickelates import eliashberg as el
    # repulsive or vanishing lam_Delta: no Cooper logarithm, T_c = 0 (these used to search for minutes)
    assert el.critical_temperature(1.0, -1.0, 1.0) == 0.0
    assert el.critical_temperature(1.0, 1e-300, 1.0) == 0.0
    e = np.linspace(-2, 2, 201)
    assert el.finite_band_tc(1.0, -0.5, 1.0, e, np.ones((1, e.size)), matsubara_cutoff=12.0).Tc == 0.0
    # solve: Delta = 0 and Z the normal-state Z (Z(i w_0) -> 1 + lam for w_0 << w_E), compared
    # with the lam_Delta = 0 solution computed independently of the repulsive input
    s_rep = el.solve(0.3, -0.3, 1.0, 0.002)
    s_norm = el.solve(0.3, 0.0, 1.0, 0.002)
    assert not np.any(s_rep.delta) and np.allclose(s_rep.Z, s_norm.Z, rtol=1e-12)
    assert s_rep.Z[0, 0] == pytest.approx(1.3, rel=0.01)          # Z(i w_0 -> 0) = 1 + lam
    # a positive coupling still superconducts (the cut is not too eager): the one-band T_c of the docstring
    assert el.critical_temperature(1.0, 1.0, 1.0) > 0.1


def test_residue_factor_subnormal_weight_is_a_named_error_and_small_weights_are_exact():
    with pytest.raises(ValueError, match="vanishes"):
        bands.residue_factor(5e-324, 0.5, 0.0, 5.0)          # fuzz F-01 (was ZeroDivisionError)
    # one level: R = (w/E^2) / (w/E)^2 = 1/w, exactly, down to tiny weights
    assert bands.residue_factor(1e-200, 1.0, 0.0, 5.0) == pytest.approx(1e200, rel=1e-12)


# ---------------------------------------------------------------- readers (fuzz F-24..F-29, F-32..F-38)
@pytest.mark.parametrize("call, exc, match", [
    (lambda c, n, v: c.group_sweeps(["LockIn (V)"], 1.0), TypeError, "base must be a channel base name"),
    (lambda c, n, v: c.fwd_bwd_rms(None, [1.0]), TypeError, "fwd must be an array of real numbers"),
    (lambda c, n, v: c.fwd_bwd_rms(np.ones((2, 2)), np.ones(2)), ValueError, "fwd and bwd must have the same shape"),
    (lambda c, n, v: c.savgol_derivative(np.zeros(11), np.zeros(11)), ValueError, "bias_mV must span a range"),
    (lambda c, n, v: c.savgol_derivative(np.linspace(-1, 1, 11), np.zeros(11), window_mV=np.inf), ValueError,
     "window_mV must be a finite real number"),
    (lambda c, n, v: n.dat_table("x.dat", "abc", None), TypeError, "raw must be a list of str lines"),
    (lambda c, n, v: n.dat_table("x.dat", ["a", "b"], None), __import__("nickelates.readers.formats").readers.formats
     .SpectrumFileError, r"no \[DATA\] section"),
    (lambda c, n, v: n.parse_3ds_header(None, "g.3ds"), TypeError, "raw must be the file's bytes"),
    (lambda c, n, v: n.mls_segments(None), TypeError, "meta must be a header dict"),
    (lambda c, n, v: v.vert_table("a.VERT", np.zeros((2, 2))), TypeError, "raw must be a list of str lines"),
])
def test_readers_bad_inputs_are_named_errors(call, exc, match):
    from nickelates.readers import channels, nanonis, vendors
    with pytest.raises(exc, match=match):
        call(channels, nanonis, vendors)


def test_fwd_bwd_rms_is_scale_free():
    from nickelates.readers import channels
    # rms(f - b) / rms((f + b)/2) = 0.1 / sqrt(1.0025) for f = (1, 1), b = (0.9, 1.1), at any scale (was inf at 1e300)
    ref = 0.1 / math.sqrt(1.0025)
    for s in (1.0, 1e300, 1e-300):
        assert channels.fwd_bwd_rms(np.array([1.0, 1.0]) * s, np.array([0.9, 1.1]) * s) == pytest.approx(ref, rel=1e-9)


def test_solve_real_axis_at_a_subnormal_frequency_is_the_zero_frequency_limit():
    from nickelates import eliashberg as el
    # fuzz F-09: omega = 5e-324 gave NaN; below the first grid point Z is Z(0) -> 1 + lam for T << omega_E
    r = el.solve_real_axis(0.3, 0.3, 1.0, 0.002, np.array([0.0, 5e-324, 0.1]), eta=1e-5)
    assert np.all(np.isfinite(r.Z)) and np.all(np.isfinite(r.delta))
    assert r.Z[0, 1] == r.Z[0, 0] and r.Z[0, 0].real == pytest.approx(1.3, rel=2e-3)


def test_sample_posterior_refuses_a_conductance_that_is_not_normalized():
    b = np.linspace(-5, 5, 41)
    with pytest.raises(ValueError, match="G is the normalized conductance"):     # fuzz F-04 (was inf)
        btk.sample_posterior(b, np.ones(41) * 1e300, T=4.2, sigma=0.01, start={"delta1": 1.0})
    with pytest.raises(ValueError, match=r"sigma must lie in \[1e-12, 1000.0\]"):
        btk.sample_posterior(b, np.ones(41), T=4.2, sigma=1e300, start={"delta1": 1.0})


def test_symmetry_entries_are_type_checked_before_their_number():
    with pytest.raises(TypeError, match="symmetry must be one of"):
        btk.gaps_from_values({"delta1": 1.0, "Z1": 0.5, "gamma1": 0.1}, 1, [None, None])

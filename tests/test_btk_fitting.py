"""Tests of the BTK fits, normalization, gap(T) fits, Table 3 analyses and SI estimates (nickelates.btk)."""
import math

import lmfit
import numpy as np
import pytest

from nickelates import btk, paths
from nickelates.errors import ConvergenceError


@pytest.fixture(scope="module")
def nb_spectrum():
    """Nb calibration spectrum (241 points, +-8 mV) with 0.2 % noise."""
    b = np.linspace(-8, 8, 241)
    nb = btk.NB_CALIBRATION
    y = btk.conductance(b, nb["delta"], nb["Z"], nb["gamma"], nb["T"])
    return b, y + np.random.default_rng(5).normal(0, 0.002, b.size)


@pytest.fixture(scope="module")
def refits3():
    """The chapter's Table 3 refits (all nine rows, 4 starts)."""
    return btk.table3_refits(np.linspace(-80, 80, 321), noise=0.004, seed=2025, starts=4)


# ------------------------------------------------------------------ fits
def test_table3_round_trip():
    bias = np.linspace(-80, 80, 321)
    noise = 0.004
    rng = np.random.default_rng(11)
    for T in (3.0, 20.0, 40.0):
        gaps = btk.table3_gaps(T, w1=0.5)
        y = btk.conductance_multi(bias, gaps, T) + rng.normal(0, noise, bias.size)
        r = btk.fit(bias, y, T=T, sigma=noise, starts=4)
        assert 0.6 < r.redchi < 1.4
        for i, g in enumerate(gaps, 1):
            d, e = r.values[f"delta{i}"], r.stderr[f"delta{i}"]
            assert e is not None and abs(d - g.delta) < 3.5 * e
            if T == 3.0:
                assert e < 0.1 * g.delta
        assert abs(r.correlations["delta2,Z2"]) > 0.5
    assert r.stderr["delta2"] > 0.3 * gaps[1].delta


def test_table3_refits_pinned_numbers(refits3):
    """The chapter's numbers: every pull < 3.5, strong Delta2-Z2 and Z1-Z2 correlations at 3 K."""
    assert refits3.T.tolist() == btk.TABLE3[:, 0].tolist()
    pulls = refits3.pulls()
    assert pulls.shape == (9, 2) and np.all(np.abs(pulls) < 3.5)
    r3 = refits3.fits[3.0]
    assert abs(r3.correlations["delta2,Z2"]) > 0.8 and abs(r3.correlations["Z1,Z2"]) > 0.8
    assert refits3.fits[40.0].stderr["delta2"] > 5 * r3.stderr["delta2"]
    assert r3.values["delta1"] == pytest.approx(23.0, abs=3 * r3.stderr["delta1"])
    # the old dict-style access keeps working
    assert refits3["fits"] is refits3.fits
    names, C = btk.correlation_matrix(r3)
    i, j = names.index("delta2"), names.index("Z2")
    assert C[i, j] == C[j, i] == r3.correlations["delta2,Z2"] and np.all(np.diag(C) == 1)


def test_normalize_and_joint_background_fit():
    bias = np.linspace(-150, 150, 601)
    G = btk.conductance_multi(bias, btk.table3_gaps(3.0), 3.0)
    bg = 2.0 * (1 + 1e-4 * bias + 3e-5 * bias ** 2)
    raw = bg * G
    ns = btk.normalize(bias, raw, degree=2, outer_fraction=0.3)
    assert np.max(np.abs(ns.G - G)) > 3e-3          # normalizing first is biased ...
    r = btk.fit(bias, raw, T=3.0, starts=3, background_degree=2)
    assert r.values["delta1"] == pytest.approx(23.0, abs=0.05)   # ... the joint fit is not
    assert r.values["delta2"] == pytest.approx(6.0, abs=0.05)
    assert np.allclose(r.background, bg, rtol=1e-4)


def test_normalize_recovers_polynomial_exactly():
    v = np.linspace(-100, 100, 201)
    ns = btk.normalize(v, 3.0 * (1 + 2e-3 * v + 1e-4 * v ** 2), degree=2, v_min=50.0)
    assert np.allclose(ns.coefficients, [3.0, 6e-3, 3e-4], rtol=1e-10, atol=1e-14)
    assert np.allclose(ns.G, 1.0) and ns.v_min == 50.0


def test_sample_fit_outer_vs_joint():
    """Chapter 4: the sample CSV; the joint background fit returns the true gaps, the paper's route does worse."""
    spec = btk.read_spectrum(paths.data_file("btk_sample_spectrum.csv"))
    ns = btk.normalize(spec.bias_mV, spec.didv, degree=2, outer_fraction=0.3)
    r_outer = btk.fit(spec.bias_mV, ns.G, T=3.0, starts=4)
    r_joint = btk.fit(spec.bias_mV, spec.didv, T=3.0, starts=4, background_degree=2)
    assert abs(r_joint.values["delta1"] - 23) < 0.5 and abs(r_joint.values["delta2"] - 6) < 0.6
    assert r_outer.rms > 1.3 * r_joint.rms


def test_fit_one_gap_nb_and_parameter_at_bound(nb_spectrum):
    b, y = nb_spectrum
    r = btk.fit(b, y, n_gaps=1, symmetry="s", T=3.0, sigma=0.002, starts=2)
    assert r.values["delta1"] == pytest.approx(1.5, abs=4 * r.stderr["delta1"])
    assert r.values["gamma1"] == pytest.approx(1.42, abs=4 * r.stderr["gamma1"])
    assert r.at_bounds == () and 0.7 < r.redchi < 1.3
    rb = btk.fit(b, y, n_gaps=1, symmetry="s", T=3.0, sigma=0.002, starts=1, bounds={"Z1": (0.6, 2.0)})
    assert "Z1" in rb.at_bounds and rb.stderr["Z1"] is None and "at a bound" in rb.report()
    d = rb.to_dict()
    assert d["parameters"]["delta1"]["unit"] == "meV" and d["at_bounds"] == ["Z1"] and d["T_K"] == 3.0
    rf = btk.fit(b, y, n_gaps=1, T=3.0, sigma=0.002, starts=1, fixed={"Z1": 0.43})
    assert rf.values["Z1"] == 0.43 and rf.nvarys == 2


def test_fit_s_plus_d_recovers_parameters():
    bias = np.linspace(-60, 60, 121)
    truth = (btk.Gap(23, 0.58, 6.6, 0.5, "s"), btk.Gap(6, 0.4, 4.0, 0.5, "d", 0.3))
    y = btk.conductance_multi(bias, truth, 3.0)
    r = btk.fit(bias, y, symmetry="s,d", T=3.0, starts=2)
    assert r.values["delta1"] == pytest.approx(23.0, abs=0.05) and r.rms < 1e-4
    assert btk.parameter_names(2, "s,d") == list(r.values)


def test_multistart_picks_the_global_minimum():
    # chi^2 = (x^2 - 4)^2 (x - 3)^2 + 1 - exp(-(x - 3)^2): local minima near x = -2 and 2, zero only at 3
    def res(p):
        x = p["x"].value
        return np.array([(x * x - 4.0) * (x - 3.0), math.sqrt(1 - math.exp(-(x - 3.0) ** 2))])
    starts = []
    for x0 in (-3.0, 1.5, 3.4):
        p = lmfit.Parameters()
        p.add("x", value=x0, min=-5, max=5)
        starts.append(p)
    best = btk.multistart(res, starts)
    assert best.params["x"].value == pytest.approx(3.0, abs=1e-5)
    with pytest.raises(ValueError, match="at least one"):
        btk.multistart(res, [])
    with pytest.raises(TypeError, match="callable"):
        btk.multistart(None, starts)
    with pytest.raises(TypeError, match="starts"):
        btk.multistart(res, [{"x": 1.0}])
    with pytest.raises(ValueError, match="max_nfev"):
        btk.multistart(res, starts, max_nfev=0)
    with pytest.raises(ValueError, match="xtol"):
        btk.multistart(res, starts, xtol=float("nan"))


def test_initial_guess_finds_both_gaps():
    b = np.linspace(-80, 80, 321)
    G = btk.conductance_multi(b, (btk.Gap(23.0, 1.5, 0.5, 0.5), btk.Gap(6.0, 1.5, 0.3, 0.5)), 3.0)
    g1, g2 = btk.initial_guess(b, G)
    assert abs(g1 - 23.0) < 2.0 and abs(g2 - 6.0) < 1.0          # coherence peaks at ~Delta
    (g,) = btk.initial_guess(b[b >= 0], G[b >= 0], n_gaps=1)       # one-sided spectrum
    assert abs(g - 23.0) < 2.0


def test_gaps_from_values():
    vals = {"delta1": 23.0, "Z1": 0.6, "gamma1": 6.6, "delta2": 6.0, "Z2": 0.4, "gamma2": 4.0,
            "alpha2": 0.3, "w1": 0.7, "bg0": 1.0}
    g1, g2 = btk.gaps_from_values(vals, 2, "s,d")
    assert (g1.weight, g2.weight) == (0.7, pytest.approx(0.3)) and g2.symmetry == "d" and g2.alpha == 0.3
    with pytest.raises(ValueError, match="alpha2"):
        btk.gaps_from_values({k: v for k, v in vals.items() if k != "alpha2"}, 2, "s,d")
    with pytest.raises(TypeError, match="values"):
        btk.gaps_from_values([1.0, 2.0], 1, "s")


# ------------------------------------------------------------------ bad input of the fits
@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(n_gaps=3), ValueError, "n_gaps"),
    (dict(starts=0), ValueError, "starts"),
    (dict(starts=2.0), TypeError, "starts"),
    (dict(starts=10**6), ValueError, "starts"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(sigma=-0.1), ValueError, "sigma"),
    (dict(sigma=np.ones(7)), ValueError, "sigma"),
    (dict(symmetry="s,p"), ValueError, "symmetry"),
    (dict(symmetry=("s", "s", "s")), ValueError, "symmetry"),
    (dict(T=-1.0), ValueError, "T must"),
    (dict(initial={"delta3": 1.0}), ValueError, "unknown parameter"),
    (dict(bounds={"Z1": (2.0, 1.0)}), ValueError, "min < max"),
    (dict(bounds={"Z1": 2.0}), TypeError, "pair"),
    (dict(fixed={"Z1": float("nan")}), ValueError, "fixed"),
    (dict(initial=[1.0]), TypeError, "initial"),
    (dict(background_degree=9), ValueError, "background_degree"),
    (dict(angle_resolved=None), TypeError, "angle_resolved"),
    (dict(bg_outer_fraction=0.0), ValueError, "bg_outer_fraction"),
])
def test_fit_rejects_bad_arguments(nb_spectrum, kwargs, exc, word):
    b, y = nb_spectrum
    with pytest.raises(exc, match=word):
        btk.fit(b, y, **dict(dict(n_gaps=1, T=3.0, starts=1), **kwargs))


def test_fit_rejects_bad_arrays(nb_spectrum):
    b, y = nb_spectrum
    with pytest.raises(ValueError, match="same length"):
        btk.fit(b, y[:-1], n_gaps=1)
    with pytest.raises(TypeError, match="complex"):
        btk.fit(b + 0j, y, n_gaps=1)
    with pytest.raises(TypeError, match="boolean"):
        btk.fit(b, y > 1, n_gaps=1)
    with pytest.raises(ValueError, match="at least 21"):
        btk.fit(np.linspace(-1, 1, 10), np.ones(10), n_gaps=2)
    with pytest.raises(ValueError, match="all zero"):
        btk.fit(np.zeros(50), np.ones(50), n_gaps=1)
    with pytest.raises(ValueError, match="same length"):
        btk.initial_guess(b, y[:5])
    with pytest.raises(ValueError, match="at least 5"):
        btk.initial_guess([1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="same length"):
        btk.normalize(b, y[:-3])
    with pytest.raises(TypeError, match="degree"):
        btk.normalize(b, y, degree=True)
    with pytest.raises(ValueError, match="need at least"):
        btk.normalize(b, y, degree=8, outer_fraction=0.01)
    with pytest.raises(TypeError, match="BTKFit"):
        btk.correlation_matrix({"values": {}})


# ------------------------------------------------------------------ gap vs temperature
def test_gap_temperature_fit_and_paper_arithmetic():
    T = btk.TABLE3[:, 0]
    r1 = btk.fit_gap_temperature(T, btk.TABLE3[:, 5])
    assert r1.delta0 == pytest.approx(22.96, abs=0.05)
    assert r1.Tc == pytest.approx(67.6, abs=0.5)
    assert r1.ratio == pytest.approx(7.88, abs=0.05)
    assert r1.ratio == pytest.approx(2 * r1.delta0 / (btk.K_B_MEV_PER_K * r1.Tc), rel=1e-12)
    d1, d2 = btk.table3_gap_temperature()
    assert d1 == r1 and abs(d2.Tc - 67.0) < 0.7 and 1.5 < d2.ratio < 2.5
    # weak-coupling BCS: tanh(1.74 sqrt(Tc/T - 1)) at T = Tc/2 is tanh(1.74) = 0.9403
    assert btk.gap_bcs([35.0], 20.0, 70.0)[0] == pytest.approx(20 * math.tanh(1.74), rel=1e-14)
    assert btk.gap_bcs([0.0, 70.0, 80.0, 1e-310], 20.0, 70.0).tolist() == [20.0, 0.0, 0.0, 20.0]


def test_gap_temperature_recovers_synthetic_curve_with_errors():
    T = np.linspace(4, 40, 10)
    d = btk.gap_bcs(T, 20.0, 60.0) + np.random.default_rng(3).normal(0, 0.05, T.size)
    r = btk.fit_gap_temperature(T, d, sigma=0.05)
    assert abs(r.delta0 - 20.0) < 3 * r.delta0_err and abs(r.Tc - 60.0) < 3 * r.Tc_err
    assert -1 < r.correlation < 1 and r.ratio_err > 0


def test_gap_temperature_bad_input():
    T = btk.TABLE3[:, 0]
    with pytest.raises(ValueError, match="same length"):
        btk.fit_gap_temperature(T, btk.TABLE3[:-1, 5])
    with pytest.raises(ValueError, match="at least 3"):
        btk.fit_gap_temperature([1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="sigma"):
        btk.fit_gap_temperature(T, btk.TABLE3[:, 5], sigma=-1.0)
    with pytest.raises(ValueError, match="Tc_guess"):
        btk.fit_gap_temperature(T, btk.TABLE3[:, 5], Tc_guess=30.0)
    with pytest.raises(ValueError, match="T must"):
        btk.gap_bcs([-1.0], 20.0, 70.0)
    with pytest.raises(TypeError, match="complex"):
        btk.gap_bcs(np.array([1j]), 20.0, 70.0)
    with pytest.raises(ValueError, match="Tc"):
        btk.gap_bcs([1.0], 20.0, 0.0)
    # a flat curve has no Tc: the fit ends with what it reached, or in a result
    try:
        r = btk.fit_gap_temperature([1.0, 2.0, 3.0], [5.0, 5.0, 5.0])
        assert np.isfinite(r.Tc)
    except ConvergenceError as exc:
        assert exc.last is not None


def test_table3_gaps_and_alias():
    g1, g2 = btk.table3_gaps(20.0, w1=0.3)
    assert (g1.delta, g1.Z, g1.gamma, g1.weight) == (22.9, 0.515, 6.4, 0.3) and g2.gamma == 3.5
    assert btk.table3_gaps(T_K=20.0) == btk.table3_gaps(20.0)
    with pytest.raises(ValueError, match="Table 3 temperatures"):
        btk.table3_gaps(4.0)
    with pytest.raises(ValueError, match="w1"):
        btk.table3_gaps(3.0, w1=1.5)
    with pytest.raises(ValueError, match="rows"):
        btk.table3_refits(rows=[12])


# ------------------------------------------------------------------ SI side estimates
def test_side_estimates():
    assert btk.coherence_length_from_hc2(97.7) * 1e10 == pytest.approx(18.35, abs=0.05)
    kF = 0.5 * math.pi / 3.7e-10
    l = btk.mean_free_path(kF, 9e-6, 1.25e27)
    assert l * 1e9 == pytest.approx(1.55, abs=0.01)
    R = btk.sharvin_resistance(7.33e-9, 9e-6, l)
    assert 100 < R < 120
    assert btk.sharvin_radius(R, 9e-6, l) == pytest.approx(7.33e-9, rel=1e-12)
    # hand-derived: R_S = 4 rho l / (3 pi a^2) with rho l = 1e-15 Ohm m^2, a = 1 nm
    assert btk.sharvin_resistance(1e-9, 1e-6, 1e-9) == pytest.approx(4e-15 / (3 * math.pi * 1e-18), rel=1e-14)
    with pytest.raises(ValueError, match="mu0_hc2_T"):
        btk.coherence_length_from_hc2(-1.0)
    with pytest.raises(ValueError, match="rho"):
        btk.mean_free_path(kF, 1e-70, 1.25e27)
    with pytest.raises(TypeError, match="n"):
        btk.mean_free_path(kF, 9e-6, True)
    with pytest.raises(ValueError, match="R"):
        btk.sharvin_radius(float("inf"), 9e-6, l)


# ------------------------------------------------------------------ the models and options of issue 13
B6 = np.linspace(-6, 6, 241)
S6 = 0.003


def _pulls(r, truth):
    out = {}
    for k, v in truth.items():
        e = r.stderr[k]
        assert e is not None, (k, r.problems)
        out[k] = (r.values[k] - v) / e
    return out


ROUND_TRIPS = {
    # name: (conductance keywords, true parameters, fit keywords)
    "polarized": (dict(delta=1.5, Z=0.2, gamma=0.1, T=1.8, polarization=0.45),
                  dict(delta1=1.5, Z1=0.2, gamma1=0.1, P=0.45), dict(polarization=True)),
    "dynes": (dict(delta=1.5, Z=0.0, gamma=0.15, T=1.8, model="dynes"),
              dict(delta1=1.5, gamma1=0.15), dict(model="dynes")),
    "tunnel-btk": (dict(delta=1.5, Z=3.0, gamma=0.1, T=1.8), dict(delta1=1.5, Z1=3.0, gamma1=0.1), {}),
    "temperature": (dict(delta=1.5, Z=0.43, gamma=0.3, T=2.5), dict(delta1=1.5, Z1=0.43, gamma1=0.3, T=2.5),
                    dict(fit_temperature=True, T=1.5)),
    "offset": (dict(delta=1.5, Z=0.43, gamma=0.3, T=1.8, bias_offset=0.12),
               dict(delta1=1.5, Z1=0.43, gamma1=0.3, V0=0.12), dict(bias_offset=True)),
    "series": (dict(delta=1.5, Z=0.43, gamma=0.3, T=1.8, series_resistance=0.3),
               dict(delta1=1.5, Z1=0.43, gamma1=0.3, Rs=0.3), dict(series_resistance=True)),
}


@pytest.mark.parametrize("name", list(ROUND_TRIPS))
@pytest.mark.parametrize("seed", [1, 2])
def test_round_trip_of_every_model(name, seed):
    """Synthetic spectrum made for the model -> recovered within 3.5 stated uncertainties, determined."""
    ckw, truth, fkw = ROUND_TRIPS[name]
    ckw = dict(ckw)
    T = ckw.pop("T")
    y = btk.conductance(B6, ckw.pop("delta"), ckw.pop("Z"), ckw.pop("gamma"), T, **ckw)
    y = y + np.random.default_rng(seed).normal(0, S6, B6.size)
    r = btk.fit(B6, y, n_gaps=1, sigma=S6, **dict(dict(T=T), **fkw))
    assert r.determined, r.problems
    assert all(abs(p) < 3.5 for p in _pulls(r, truth).values()), _pulls(r, truth)
    assert 0.7 < r.redchi < 1.4 and r.sigma_source == "given" and r.model == fkw.get("model", "btk")
    assert list(r.values) == btk.parameter_names(1, "s", **{k: v for k, v in fkw.items() if k != "T"})


def test_tunnel_spectrum_with_btk_says_use_dynes():
    y = btk.conductance(B6, 1.5, 0.0, 0.15, 1.8, model="dynes") + np.random.default_rng(3).normal(0, S6, B6.size)
    r = btk.fit(B6, y, n_gaps=1, T=1.8, sigma=S6)
    assert r.values["Z1"] > 5 and not r.determined          # Z is no longer capped at 5 ...
    assert any("model='dynes'" in p for p in r.problems)     # ... and the report points to the tunnel model
    assert r.values["delta1"] == pytest.approx(1.5, abs=0.01)
    assert "NOT DETERMINED" in r.report() and r.to_dict()["determined"] is False


def test_auto_gaps_by_bic_and_undetermined_second_gap():
    y = btk.conductance(B6, 1.5, 0.43, 0.3, 1.8) + np.random.default_rng(4).normal(0, S6, B6.size)
    r = btk.fit(B6, y, n_gaps="auto", T=1.8, sigma=S6, starts=4)
    assert len(r.gaps) == 1 and set(r.bic_by_n_gaps) == {1, 2} and r.bic_by_n_gaps[1] < r.bic_by_n_gaps[2]
    assert r.bic == r.bic_by_n_gaps[1] and "BIC by number of gaps" in r.report()
    assert r.to_dict()["bic_by_n_gaps"].keys() == {"1", "2"}
    r2 = btk.fit(B6, y, n_gaps=2, T=1.8, sigma=S6, starts=4)
    assert not r2.determined and "do not determine two gaps" in r2.problems[0]
    assert r2.bic_by_n_gaps == {2: r2.bic}


@pytest.mark.slow
def test_auto_gaps_keeps_two_on_table3():
    bias = np.linspace(-80, 80, 321)
    y = btk.conductance_multi(bias, btk.table3_gaps(3.0), 3.0) + np.random.default_rng(5).normal(0, 0.004, bias.size)
    r = btk.fit(bias, y, n_gaps="auto", T=3.0, sigma=0.004, starts=4)
    assert len(r.gaps) == 2 and r.bic_by_n_gaps[2] < r.bic_by_n_gaps[1] - 100 and r.determined


def test_stderr_scales_with_sigma_in_the_units_of_G(nb_spectrum):
    b, y = nb_spectrum
    r1 = btk.fit(b, y, n_gaps=1, T=3.0, sigma=0.002, starts=1)
    r2 = btk.fit(b, y, n_gaps=1, T=3.0, sigma=0.004, starts=1)
    for k in r1.values:
        assert r2.stderr[k] == pytest.approx(2 * r1.stderr[k], rel=1e-5)
    assert r2.chisqr == pytest.approx(r1.chisqr / 4, rel=1e-6)
    rr = btk.fit(b, y, n_gaps=1, T=3.0, starts=1)
    assert rr.sigma_source == "residuals" and r1.sigma_source == "given"
    assert rr.stderr["delta1"] == pytest.approx(r1.stderr["delta1"] * math.sqrt(r1.redchi), rel=1e-3)
    # raw dI/dV (3 mS x G) with its own noise (3 x 0.002) and a fitted background: the same gap errors
    n1 = btk.fit(b, y, n_gaps=1, T=3.0, sigma=0.002, starts=1, background_degree=0)
    raw = btk.fit(b, 3.0 * y, n_gaps=1, T=3.0, sigma=0.006, starts=1, background_degree=0)
    assert raw.stderr["delta1"] == pytest.approx(n1.stderr["delta1"], rel=1e-3)
    assert raw.stderr["bg0"] == pytest.approx(3 * n1.stderr["bg0"], rel=1e-3)
    assert raw.redchi == pytest.approx(n1.redchi, rel=1e-4)


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(model="bcs"), ValueError, "model"),
    (dict(model="dynes", polarization=True), ValueError, "polarization"),
    (dict(n_gaps="three"), ValueError, "n_gaps"),
    (dict(n_gaps="auto", symmetry="s,d"), ValueError, "symmetry"),
    (dict(fit_temperature=True, T=0.0), ValueError, "fit_temperature"),
    (dict(polarization="yes"), TypeError, "polarization"),
    (dict(series_resistance=1), TypeError, "series_resistance"),
    (dict(fixed={"P": 0.2}), ValueError, "unknown parameter"),
])
def test_fit_rejects_bad_new_arguments(nb_spectrum, kwargs, exc, word):
    b, y = nb_spectrum
    with pytest.raises(exc, match=word):
        btk.fit(b, y, **dict(dict(n_gaps=1, T=3.0, starts=1), **kwargs))


def test_new_result_fields_and_names():
    assert btk.parameter_names(2, "s", polarization=True, fit_temperature=True, series_resistance=True,
                               bias_offset=True)[-4:] == ["P", "T", "Rs", "V0"]
    assert btk.parameter_names(2, "s,d", model="dynes") == ["delta1", "gamma1", "delta2", "gamma2", "alpha2", "w1"]
    g = btk.gaps_from_values({"delta1": 2.0, "gamma1": 0.1}, 1, "s", model="dynes")
    assert g[0].Z == 0.0
    y = btk.conductance(B6, 1.5, 0.3, 0.2, 1.8, polarization=0.3)
    r = btk.fit(B6, y, n_gaps=1, T=1.8, starts=1, polarization=True, fixed={"Z1": 0.3})
    d = r.to_dict()
    assert d["parameters"]["P"]["value"] == pytest.approx(0.3, abs=1e-3) and d["model"] == "btk"
    assert d["options"]["polarization"] and d["sigma_source"] == "residuals" and d["n_gaps"] == 1
    assert "Z1" not in "".join(r.problems)          # a fixed parameter is not a free one


def test_background_start_is_normalize_in_reduced_bias():
    # the one background of btk.fit and gapmap: normalize()'s polynomial, expressed in x = V / max|V|
    rng = np.random.default_rng(4)
    b = np.linspace(-30.0, 25.0, 301)
    y = 2.0 + 0.01 * b + 1e-3 * b ** 2 + rng.normal(0, 0.01, b.size)
    c, gn = btk.background_start(b, y, 2, 0.3)
    ns = btk.normalize(b, y, degree=2, outer_fraction=0.3)
    assert np.allclose(gn, ns.G, atol=1e-12)
    assert np.allclose(c, np.asarray(ns.coefficients) * 30.0 ** np.arange(3), rtol=1e-10)
    with pytest.raises(ValueError, match="degree"):
        btk.background_start(b, y, 7)

"""Tests of nickelates.btk, its CLI and its widget (chapter 4)."""
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import quad

from nickelates import btk
from nickelates.__main__ import main as cli_main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "btk_sample_spectrum.csv"


# ------------------------------------------------------------------ limits
@pytest.mark.parametrize("angle_resolved", [True, False])
def test_andreev_doubling_in_gap_at_Z0(angle_resolved):
    e = np.linspace(-0.99, 0.99, 41)
    g = btk.intrinsic_conductance(e, 1.0, 0.0, 0.0, angle_resolved=angle_resolved)
    assert np.allclose(g, 2.0, atol=1e-12)
    # and the full conductance at T = 0
    g0 = btk.conductance(e, 1.0, 0.0, 0.0, 0.0)
    assert np.allclose(g0, 2.0, atol=1e-12)


@pytest.mark.parametrize("Z", [0.0, 0.3, 1.0, 4.0])
def test_probability_conservation_below_gap(Z):
    e = np.linspace(-0.999, 0.999, 51)
    A, B = btk.btk_coefficients(e, 1.0, Z)
    assert np.allclose(A + B, 1.0, atol=1e-12)
    # textbook BTK form of A below the gap
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


@pytest.mark.parametrize("gamma", [0.05, 0.3])
def test_tunneling_limit_gives_dynes_dos(gamma):
    e = np.linspace(-3, 3, 61)
    dos = btk.dynes_dos(e, 1.0, gamma)
    for ar in (True, False):
        g = btk.intrinsic_conductance(e, 1.0, 2000.0, gamma, angle_resolved=ar)
        assert np.max(np.abs(g - dos)) < 5e-5
    # the "take the real part" recipe would not give the Dynes DOS at finite Z;
    # here the same formula holds at Z = 0: sigma = 1 + |gamma|^2 with complex E
    g0 = btk.intrinsic_conductance(np.array([0.0]), 1.0, 0.0, gamma, angle_resolved=False)[0]
    gam0 = 1.0 / (1j * gamma + np.sqrt(1j * gamma - 1) * np.sqrt(1j * gamma + 1))
    assert g0 == pytest.approx(1 + abs(gam0) ** 2, rel=1e-12)
    assert g0 < 2.0


def test_dwave_zbcp_at_110_and_not_at_100():
    e = np.linspace(0, 1.5, 151)
    g110 = btk.intrinsic_conductance(e, 1.0, 3.0, 0.01, symmetry="d", alpha=math.pi / 4)
    g100 = btk.intrinsic_conductance(e, 1.0, 3.0, 0.01, symmetry="d", alpha=0.0)
    assert np.argmax(g110) == 0 and g110[0] > 5.0
    assert g100[0] < 0.3  # V-shaped tunneling gap without bound states
    # s-wave with Delta_+ = Delta_- never has a zero-bias peak at large Z
    gs = btk.intrinsic_conductance(e, 1.0, 3.0, 0.01)
    assert gs[0] < 0.1 and np.argmax(gs) > 0


def test_dwave_alpha0_equals_angle_average_of_anisotropic_gap():
    # at alpha = 0, Delta_+ = Delta_-: the ZBCP is absent and G is even in alpha
    e = np.array([0.0, 0.4, 1.1])
    ga = btk.intrinsic_conductance(e, 1.0, 0.8, 0.05, symmetry="d", alpha=0.2)
    gb = btk.intrinsic_conductance(e, 1.0, 0.8, 0.05, symmetry="d", alpha=-0.2)
    assert np.allclose(ga, gb, atol=1e-10)


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


@pytest.mark.parametrize("sym,alpha", [("s", 0.0), ("d", 0.0), ("d", 0.35), ("d", math.pi / 4)])
def test_angle_integral_against_adaptive_quadrature(sym, alpha):
    Z, gamma, delta = 0.5, 0.2, 1.0
    for E in (0.0, 0.6, 1.05, 2.0):
        def dp(t):
            return delta if sym == "s" else delta * math.cos(2 * (t - alpha))

        def dm(t):
            return delta if sym == "s" else delta * math.cos(2 * (t + alpha))
        num = quad(lambda t: _sigma_theta(E, t, dp(t), dm(t), Z, gamma)[0] * math.cos(t),
                   -math.pi / 2, math.pi / 2, limit=200, epsabs=1e-12)[0]
        den = quad(lambda t: _sigma_theta(E, t, 1.0, 1.0, Z, 0.0)[1] * math.cos(t),
                   -math.pi / 2, math.pi / 2, epsabs=1e-12)[0]
        g = btk.intrinsic_conductance(np.array([E]), delta, Z, gamma, sym, alpha)[0]
        assert g == pytest.approx(num / den, abs=2e-6)


def test_thermal_smearing_against_quadrature_and_grid_convergence():
    gaps = (btk.Gap(1.5, 0.43, 1.42, 1.0, "s"),)
    T = 3.0
    kt = btk.K_B_MEV_PER_K * T
    bias = np.array([-2.5, 0.0, 0.7, 1.6, 4.0])
    g = btk.conductance_multi(bias, gaps, T)
    for v, gv in zip(bias, g):
        def f(e):
            x = (e - v) / (2 * kt)
            return btk.intrinsic_conductance(np.array([e]), 1.5, 0.43, 1.42)[0] / (4 * kt * math.cosh(x) ** 2)
        ref = quad(f, v - 40 * kt, v + 40 * kt, limit=200, epsabs=1e-11)[0]
        assert gv == pytest.approx(ref, abs=2e-6)
    # independent of the data grid: the same bias evaluated alone or in a dense grid
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
            b = btk._conductance_numpy(bias, gaps, T)
            assert np.max(np.abs(a - b)) < 1e-12


def test_multigap_sum_sign_and_normal_state():
    bias = np.linspace(-100, 100, 201)
    gaps = btk.table3_gaps(10.0, w1=0.3)
    G, comps = btk.conductance_multi(bias, gaps, 10.0, return_components=True)
    assert np.allclose(G, 0.3 * comps[0] + 0.7 * comps[1], atol=1e-13)
    flipped = (gaps[0], btk.Gap(gaps[1].delta, gaps[1].Z, gaps[1].gamma, gaps[1].weight, "s", 0.0, -1))
    assert np.allclose(btk.conductance_multi(bias, flipped, 10.0), G, atol=1e-14)
    assert np.allclose(G, G[::-1], atol=1e-13)  # even in bias
    far = btk.conductance(np.array([-5000.0, 5000.0]), 1.0, 0.5, 0.01, 3.0)
    assert np.allclose(far, 1.0, atol=1e-6)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("kwargs,word", [
    (dict(delta=-1.0), "delta"), (dict(Z=-0.1), "Z"), (dict(gamma=-1.0), "gamma"),
    (dict(T=-3.0), "T"), (dict(symmetry="p"), "symmetry"), (dict(bias_mV=[0.0, np.nan]), "bias_mV"),
    (dict(delta=float("inf")), "delta"), (dict(n_angles=1), "n_angles"),
    (dict(points_per_width=0.0), "points_per_width"),
])
def test_bad_input_names_argument(kwargs, word):
    args = dict(bias_mV=np.linspace(-5, 5, 11), delta=1.0, Z=0.5, gamma=0.1, T=3.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=word):
        btk.conductance(**args)


def test_bad_multigap_and_grid_limits():
    with pytest.raises(ValueError, match="weights"):
        btk.conductance_multi([0.0, 1.0], (btk.Gap(1, 0.5, 0.1, 0.6), btk.Gap(2, 0.5, 0.1, 0.6)), 3.0)
    with pytest.raises(ValueError, match="T"):
        btk.conductance([0.0, 1e5], 1.0, 0.5, 0.0, 1e-4)
    with pytest.raises(ValueError, match="n_gaps"):
        btk.fit(np.linspace(-1, 1, 50), np.ones(50), n_gaps=3)
    with pytest.raises(ValueError, match="at least"):
        btk.fit(np.linspace(-1, 1, 10), np.ones(10), n_gaps=2)
    with pytest.raises(ValueError, match="T_K"):
        btk.table3_gaps(4.0)


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
    # at 40 K the small gap is not pinned: kT and Gamma2 exceed a good part of Delta2
    assert r.stderr["delta2"] > 0.3 * gaps[1].delta


def test_normalize_and_joint_background_fit():
    bias = np.linspace(-150, 150, 601)
    G = btk.conductance_multi(bias, btk.table3_gaps(3.0), 3.0)
    bg = 2.0 * (1 + 1e-4 * bias + 3e-5 * bias ** 2)
    raw = bg * G
    ns = btk.normalize(bias, raw, degree=2, outer_fraction=0.3)
    # normalizing first is biased when the BTK tails have not reached 1 ...
    assert np.max(np.abs(ns.G - G)) > 3e-3
    # ... fitting the background jointly is not
    r = btk.fit(bias, raw, T=3.0, starts=3, background_degree=2)
    assert r.values["delta1"] == pytest.approx(23.0, abs=0.05)
    assert r.values["delta2"] == pytest.approx(6.0, abs=0.05)
    assert np.allclose(r.background, bg, rtol=1e-4)


def test_gap_temperature_fit_and_paper_arithmetic():
    T = btk.TABLE3[:, 0]
    r1 = btk.fit_gap_temperature(T, btk.TABLE3[:, 5])
    assert r1.delta0 == pytest.approx(22.96, abs=0.05)
    assert r1.Tc == pytest.approx(67.6, abs=0.5)
    assert r1.ratio == pytest.approx(7.88, abs=0.05)
    # the paper's 7.61 with 2 Delta = 46 meV implies Tc = 70.1 K, not 72 K
    assert 46.0 / (7.61 * btk.K_B_MEV_PER_K) == pytest.approx(70.1, abs=0.05)
    assert 46.0 / (btk.K_B_MEV_PER_K * 72.0) == pytest.approx(7.41, abs=0.01)
    assert btk.gap_bcs(np.array([0.0, 80.0]), 20.0, 70.0).tolist() == [20.0, 0.0]


def test_side_estimates():
    assert btk.coherence_length_from_hc2(97.7) * 1e10 == pytest.approx(18.35, abs=0.05)
    kF = 0.5 * math.pi / 3.7e-10
    l = btk.mean_free_path(kF, 9e-6, 1.25e27)
    assert l * 1e9 == pytest.approx(1.55, abs=0.01)
    R = btk.sharvin_resistance(7.33e-9, 9e-6, l)
    assert btk.sharvin_radius(R, 9e-6, l) == pytest.approx(7.33e-9, rel=1e-12)
    with pytest.raises(ValueError, match="mu0_hc2_T"):
        btk.coherence_length_from_hc2(-1.0)


# ------------------------------------------------------------------ CLI
def _write(path, text):
    path.write_text(text)
    return str(path)


def test_cli_fits_sample_and_refuses_overwrite(tmp_path, capsys):
    csv = tmp_path / "spec.csv"
    csv.write_text(SAMPLE.read_text())
    rc = cli_main(["fit-btk", str(csv), "--gaps", "2", "--symmetry", "s,s", "--temperature", "3",
                   "--starts", "3"])
    out = capsys.readouterr().out
    assert rc == 0, out
    res = json.loads((tmp_path / "spec_btk.json").read_text())
    p = res["fit"]["parameters"]
    assert p["delta1"]["value"] == pytest.approx(23.0, abs=0.5)
    assert p["delta2"]["value"] == pytest.approx(6.0, abs=0.6)
    assert p["delta1"]["stderr"] > 0 and p["delta1"]["unit"] == "meV"
    assert (tmp_path / "spec_btk.png").stat().st_size > 1000
    assert "delta1" in out and "+/-" in out
    mtime = (tmp_path / "spec_btk.json").stat().st_mtime_ns
    rc = cli_main(["fit-btk", str(csv), "--temperature", "3"])
    err = capsys.readouterr().err
    assert rc == 2 and "--force" in err
    assert (tmp_path / "spec_btk.json").stat().st_mtime_ns == mtime


def _good_lines(n=40, sep=","):
    v = np.linspace(-50, 50, n)
    return [f"{x:.3f}{sep}{1 + 0.1 * math.exp(-x * x / 200):.5f}" for x in v]


@pytest.mark.parametrize("name,lines,pattern", [
    ("missing_column", ["bias (mV),dI/dV"] + _good_lines()[:10] + ["1.0"] + _good_lines()[10:],
     r"line 12: expected at least 2 columns"),
    ("non_numeric", ["bias,G"] + _good_lines()[:5] + ["0.5,abc"] + _good_lines()[5:],
     r"line 7, column 2 \(G\): cannot read 'abc'"),
    ("too_few", ["bias,G"] + _good_lines(10), r"only 10 data points"),
    ("non_monotonic", ["# comment", "bias,G"] + _good_lines()[:20] + ["-45.0,1.0"] + _good_lines()[20:],
     r"line 23: bias is not monotonic"),
    ("duplicated", _good_lines()[:15] + [_good_lines()[14]] + _good_lines()[15:],
     r"line 16: bias .* repeats the value of line 15"),
    ("nan_cell", _good_lines()[:3] + ["1.0,nan"] + _good_lines()[3:], r"line 4, column 2 .* not finite"),
    ("no_columns_named", ["time,current"] + _good_lines(), r"cannot tell which column is the bias"),
])
def test_cli_rejects_malformed_files(tmp_path, capsys, name, lines, pattern):
    path = _write(tmp_path / f"{name}.csv", "\n".join(lines) + "\n")
    rc = cli_main(["fit-btk", path, "--temperature", "3"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("error: ")
    import re
    assert re.search(pattern, err), err
    assert not (tmp_path / f"{name}_btk.json").exists()


def test_read_spectrum_units_delimiters_and_order(tmp_path):
    from nickelates.cli_btk import read_spectrum
    v = np.linspace(0.05, -0.05, 30)  # volts, decreasing
    txt = "V [V]\tdI/dV [uS]\n" + "\n".join(f"{x:.5f}\t{2 + x:.4f}" for x in v)
    s = read_spectrum(_write(tmp_path / "a.tsv", txt))
    assert s.bias_unit == "V" and s.bias_unit_source == "header"
    assert s.bias_mV[0] == pytest.approx(-50.0) and np.all(np.diff(s.bias_mV) > 0)
    s2 = read_spectrum(_write(tmp_path / "b.txt", "\n".join(f"{x * 1e3:.3f} {2 + x:.4f}" for x in v)))
    assert s2.header is None and s2.bias_unit == "mV" and s2.bias_unit_source.startswith("default")


def test_python_dash_m_entry_point(tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, "-m", "nickelates", "fit-btk", "--help"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0 and "--temperature" in r.stdout
    r = subprocess.run([sys.executable, "-m", "nickelates", "fit-btk", str(tmp_path / "nope.csv"), "-T", "3"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2 and "no such file" in r.stderr


# ------------------------------------------------------------------ scripts and widget
def test_sample_script_reproduces_shipped_file(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_btk_sample
        out = make_btk_sample.make(tmp_path / "s.csv")
    finally:
        sys.path.pop(0)
    assert Path(out).read_text() == SAMPLE.read_text()


def test_model_comparison_script_small_instance():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import btk_model_comparison as mc
        res = mc.run(n_points=121, bias_max=60.0, starts=1, models=("s,s", "s,d"))
    finally:
        sys.path.pop(0)
    assert set(res["fits"]) == {"s,s", "s,d"}
    assert res["fits"]["s,s"]["redchi"] < 1.6
    stored = json.loads((ROOT / "data" / "btk_model_comparison.json").read_text())
    assert set(stored["fits"]) == {"s,s", "s,d", "d,s", "d,d"}
    chi2 = {m: f["chisqr"] for m, f in stored["fits"].items()}
    assert abs(chi2["s,d"] - chi2["s,s"]) < 5
    assert min(chi2["d,s"], chi2["d,d"]) - chi2["s,s"] > 30
    for f in stored["fits"].values():
        assert f["values"]["delta1"] >= f["values"]["delta2"]


def test_widget_sliders_redraw():
    from nickelates.viz import btk as vb
    w = vb.explorer()
    g0 = w.data["G"].copy()
    assert w.data["bias"].shape == g0.shape
    w.sliders["Z"].value = 2.0
    assert not np.allclose(w.data["G"], g0)
    assert w.data["values"]["Z"] == 2.0
    # a (110) d-wave interface gives a zero-bias peak
    w.sliders["gamma"].value = 0.5
    w.sliders["T"].value = 0.0
    w.sliders["symmetry"].value = "d+d"
    w.sliders["alpha"].value = float(np.pi / 4)
    G = w.data["G"]
    i0 = np.argmin(np.abs(w.data["bias"]))
    assert G[i0] == pytest.approx(G.max()) and G[i0] > 2.0
    expect = btk.conductance_multi(w.bias, w.gaps(), 0.0)
    assert np.allclose(G, expect)


def test_cli_output_dir_and_bad_symmetry(tmp_path, capsys):
    csv = tmp_path / "spec.csv"
    csv.write_text(SAMPLE.read_text())
    rc = cli_main(["fit-btk", str(csv), "-T", "3", "-o", str(tmp_path / "nodir" / "x")])
    assert rc == 2 and "does not exist" in capsys.readouterr().err
    rc = cli_main(["fit-btk", str(csv), "-T", "3", "--symmetry", "s,p"])
    assert rc == 2 and "--symmetry" in capsys.readouterr().err
    rc = cli_main(["fit-btk", str(csv), "-T", "-3"])
    assert rc == 2 and "T must" in capsys.readouterr().err


def test_fit_one_gap_nb_and_parameter_at_bound():
    b = np.linspace(-8, 8, 241)
    nb = btk.NB_CALIBRATION
    y = btk.conductance(b, nb["delta"], nb["Z"], nb["gamma"], nb["T"])
    y = y + np.random.default_rng(5).normal(0, 0.002, b.size)
    r = btk.fit(b, y, n_gaps=1, symmetry="s", T=3.0, sigma=0.002, starts=2)
    assert r.values["delta1"] == pytest.approx(1.5, abs=4 * r.stderr["delta1"])
    assert r.values["gamma1"] == pytest.approx(1.42, abs=4 * r.stderr["gamma1"])
    assert r.at_bounds == ()
    rb = btk.fit(b, y, n_gaps=1, symmetry="s", T=3.0, sigma=0.002, starts=1, bounds={"Z1": (0.6, 2.0)})
    assert "Z1" in rb.at_bounds and rb.stderr["Z1"] is None and "at a bound" in rb.report()
    with pytest.raises(ValueError, match="unknown parameter"):
        btk.fit(b, y, n_gaps=1, symmetry="s", initial={"delta2": 1.0})

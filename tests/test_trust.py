"""The trust gates (nickelates.trust): each gate on a spectrum built to trip it, and the calibration."""
from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from nickelates import btk, gapmap, paths, trust

B = np.linspace(-6.0, 6.0, 241)


def dynes(delta=1.0, gamma=0.05, T=1.0, bias=B):
    return btk.conductance(bias, delta, 0.0, gamma, T, model="dynes", angle_resolved=False)


def test_noise_level_matches_the_noise_put_in(rng):
    for sigma in (0.01, 0.05):
        g = dynes() + sigma * rng.standard_normal(B.size)
        assert trust.noise_level(g) == pytest.approx(sigma, rel=0.2)       # 241 points: ~10 % scatter
    assert trust.noise_level(np.linspace(0, 1, 50) ** 2) < 1e-12               # smooth: second differences const


def test_bic_by_hand():
    # n ln(chi2/n) + k ln n with chi2 = 2, n = 10, k = 3
    assert trust.bic(2.0, 10, 3) == pytest.approx(10 * math.log(0.2) + 3 * math.log(10))
    assert trust.bic(0.0, 10, 1) < -6000                                       # floored, finite
    with pytest.raises(ValueError, match="chisqr"):
        trust.bic(-1.0, 10, 1)


def test_gapless_fit_reproduces_its_own_family_exactly():
    x = B / 6.0
    g = 0.3 + 0.2 * x - 0.1 * x ** 3 + 0.05 * x ** 4 + 0.7 * np.abs(x)
    gl = trust.gapless_fit(B, g)
    assert gl.n_params == trust.GAPLESS_DEGREE + 2 and gl.chisqr < 1e-20     # needs all six terms
    flat = trust.gapless_fit(B, np.full(B.size, 2.0) + 1e-3 * np.cos(7 * B))
    assert flat.n_params == 1 and np.allclose(flat.curve, 2.0, atol=1e-4)   # BIC picks the constant
    assert trust.gapless_fit(B, dynes()).chisqr > 0.5                        # a gap is not in the family


@pytest.mark.parametrize("name,current", [
    ("Current (A)", True), ("Input 3 (A)", True), ("ADC0-I (nA)", True), ("I (A)", True),
    ("LI Demod 1 X (A)", False), ("LIX 1 omega (A)", False), ("LI X (V)", False), ("LockinX (V)", False),
    ("LockIn [AVG] (V)", False), ("dI/dV (S)", False), ("lockin_6_CondX", False), ("Bias (V)", False)])
def test_current_channels_are_recognised(name, current):
    assert trust.is_current_channel(name) is current


def test_is_current_channel_type():
    with pytest.raises(TypeError, match="name"):
        trust.is_current_channel(3)


def test_clipped_lockin_is_flagged_and_rounded_tables_are_not(rng):
    raw = 12.0 * dynes(gamma=0.02, T=0.3) + 0.05 * rng.standard_normal(B.size)   # volts of a lock-in output
    sat = np.minimum(raw, 10.0).astype(np.float32).astype(float)
    v = trust.data_flags(B, sat)
    assert v.reasons == ("clipped",) and v.codes == (12,)
    assert "10" in v.messages[0]
    rounded = np.round(np.minimum(dynes(gamma=0.3) * 1.0, 1.3), 3)          # a published table, 3 decimals
    assert "clipped" not in trust.data_flags(B, rounded).reasons
    assert trust.data_flags(B, raw).ok


def test_negative_conductance_beyond_the_noise(rng):
    deep = dynes(gamma=0.001, T=0.2) + 0.05 * rng.standard_normal(B.size)   # G(0) ~ 0 with noise: fine
    assert np.min(deep) < 0 and trust.data_flags(B, deep).ok
    phase = dynes() - 0.4                                                   # lock-in phase/offset
    assert trust.data_flags(B, phase).reasons == ("negative_conductance",)
    assert trust.data_flags(B, -dynes()).codes == (11,)                      # sign error: normal level < 0


def test_assess_passes_a_gap_and_each_gate_trips(rng):
    noise = 0.02
    g = dynes() + noise * rng.standard_normal(B.size)
    chi = B.size * noise ** 2
    ok = trust.assess(B, g, gaps=[1.0], gammas=[0.05], chisqr=chi, n_params=3)
    assert ok.ok and ok.code == 0 and ok.metrics["delta_bic"] > 100
    assert ok.metrics["rms_norm"] == pytest.approx(noise / ok.metrics["level"], rel=1e-9)
    assert ok.metrics["level"] == pytest.approx(float(np.mean(dynes()[np.abs(B) >= 5.4])), abs=0.012)
    flat = 1 + noise * rng.standard_normal(B.size)
    best = trust.gapless_fit(B, flat).chisqr             # a gap model does no better than the flat line
    assert trust.assess(B, flat, gaps=[1.0], gammas=[0.05], chisqr=best, n_params=3).reasons == ("no_gap",)
    edge = trust.assess(B, g, gaps=[4.5], gammas=[0.05], chisqr=chi, n_params=3)
    assert edge.reasons == ("gap_at_edge",) and edge.metrics["edge_fraction"] == pytest.approx(0.75)
    assert trust.assess(B, g, gaps=[1.0], gammas=[1.2], chisqr=chi, n_params=3).reasons == ("gamma_exceeds_gap",)
    high = trust.assess(B, g, gaps=[1.0], gammas=[0.05], chisqr=B.size * 0.15 ** 2, n_params=3)
    assert "high_rms" in high.reasons
    # the spin-split / SIS feature energy moves the edge
    assert trust.assess(B, g, gaps=[1.0], gammas=[0.05], chisqr=chi, n_params=3, edge_mV=4.2).reasons == (
        "gap_at_edge",)
    # an asymmetric window counts its shorter side
    asym = np.linspace(-3.0, 9.0, 241)
    ga = dynes(bias=asym) + noise * rng.standard_normal(asym.size)
    assert trust.assess(asym, ga, gaps=[2.5], gammas=[0.05], chisqr=chi, n_params=3).reasons == ("gap_at_edge",)


def test_channel_and_measured_gates(rng):
    g = dynes() + 0.02 * rng.standard_normal(B.size)
    kw = dict(gaps=[1.0], gammas=[0.05], chisqr=B.size * 0.02 ** 2, n_params=3)
    cur = trust.assess(B, g, channel="Current (A)", **kw)
    assert cur.reasons == ("not_a_conductance",) and cur.code == 13 and "--from-current" in cur.messages[0]
    assert trust.assess(B, g, channel="Current (A)", from_current=True, **kw).ok
    nm = trust.assess(B, g, measured=False, **kw)
    assert nm.reasons == ("not_measured",) and nm.code == 7
    with pytest.raises(ValueError, match="gaps"):
        trust.assess(B, g, gaps=[], chisqr=1.0, n_params=3)
    with pytest.raises(ValueError, match="same length"):
        trust.assess(B[:-1], g, gaps=[1.0], chisqr=1.0, n_params=3)


def test_reason_codes_are_the_maps_codes():
    names = {v: k for k, v in gapmap.REASONS.items()}
    assert trust.REASON_CODES["no_gap"] == names["no_gap"] == 5
    for name, code in trust.REASON_CODES.items():
        if code in gapmap.REASONS:                   # codes 7..13 come with issue 22's map reasons
            assert gapmap.REASONS[code] == name
    v = trust.Verdict(False, ("clipped",), (12,), ("x",), {"noise": float("nan")})
    d = v.to_dict()
    assert d["metrics"]["noise"] is None and d["thresholds"] == trust.thresholds() and v.code == 12


def test_assess_fit_on_real_fits(rng):
    g = dynes(delta=1.0, gamma=0.05, T=1.0) * (1 + 0.02 * B / 6) + 0.03 * rng.standard_normal(B.size)
    r = btk.fit(B, g, n_gaps=1, model="dynes", T=1.0, starts=2, background_degree=2)
    v = trust.assess_fit(r)
    assert v.ok and r.values["delta1"] == pytest.approx(1.0, abs=0.03)
    graphene = 0.2 + np.abs(B / 6 - 0.1) + 0.03 * rng.standard_normal(B.size)
    r2 = btk.fit(B, graphene, n_gaps=1, model="dynes", T=1.0, starts=2, background_degree=2)
    assert not trust.assess_fit(r2).ok
    with pytest.raises(TypeError, match="BTKFit"):
        trust.assess_fit(object())


def test_committed_calibration_meets_the_requirement():
    cal = json.loads(paths.data_file("gate_calibration.json").read_text())
    assert cal["thresholds"] == trust.thresholds()            # calibrated with the constants in force
    assert cal["settings"]["snr"] == 20.0
    for path in ("single", "map"):
        frr = cal["gapped"][f"{path}/all"]["false_rejection_by_gates"]
        assert frr["n"] >= 200 and frr["rate"] <= 0.02
    for key, entry in cal["gapless"].items():
        assert entry["false_acceptance"]["n"] > 0, key


@pytest.mark.slow
def test_calibration_script_small_rerun(tmp_path):
    out = tmp_path / "cal.json"
    cp = subprocess.run([sys.executable, str(paths.repo_root() / "scripts" / "calibrate_gates.py"), "--small",
                         "--out", str(out)], capture_output=True, text=True, timeout=900,
                        env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"})
    assert cp.returncode == 0, cp.stderr
    cal = json.loads(out.read_text())
    assert cal["settings"]["n_gapped_per_model_and_path"] == 4
    assert cal["gapped"]["single/all"]["false_rejection_by_gates"]["n"] == 8
    assert set(k.split("/")[1] for k in cal["gapless"]) == {*("metallic", "v_shape", "u_shape", "graphene",
                                                              "noise_constant", "noise_zero_mean"), "all"}

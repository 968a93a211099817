"""Tests of nickelates.btk.polarization: known superconductors, constrained fits, profile likelihood,
Z -> 0 extrapolation, emcee posterior, the study script, and the real Co/Nb contact."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nickelates import btk
from nickelates.btk import polarization as pol
from nickelates.btk.polarization import (SUPERCONDUCTORS, extrapolate_polarization, fit_contact,
                                         profile_likelihood, sample_posterior, superconductor,
                                         synthetic_contacts)

ROOT = Path(__file__).resolve().parents[1]
B6 = np.linspace(-6, 6, 121)


def _spectrum(P=0.4, Z=0.15, gamma=0.2, T=4.2, noise=0.003, seed=3):
    d = SUPERCONDUCTORS["Nb"].gap(T)
    y = btk.conductance(B6, d, Z, gamma, T, polarization=P, angle_resolved=False)
    return y + np.random.default_rng(seed).normal(0, noise, B6.size)


# ------------------------------------------------------------------ table of superconductors
def test_table_ratios_against_bcs():
    # weak-coupling BCS: 2 Delta / k_B Tc = 3.528 (Al), Pb strong coupling ~4.3-4.4
    assert abs(SUPERCONDUCTORS["Al"].ratio - 3.528) < 0.05
    assert 4.2 < SUPERCONDUCTORS["Pb"].ratio < 4.5
    assert 3.5 < SUPERCONDUCTORS["Nb"].ratio < 3.9


def test_gap_limits_and_bcs_midpoint():
    nb = superconductor("Nb")
    assert nb.gap(0.0) == pytest.approx(1.5, abs=1e-12)
    assert nb.gap(nb.Tc_K) == 0.0 and nb.gap(20.0) == 0.0
    # exact BCS: Delta(Tc/2)/Delta(0) = 0.9490 (Muehlschlegel table); the tanh form is within 1 %
    assert abs(nb.gap(nb.Tc_K / 2) / 1.5 - 0.9490) < 0.01


def test_superconductor_bad_input():
    with pytest.raises(ValueError, match="name"):
        superconductor("Hg")
    with pytest.raises(TypeError):
        superconductor(3)
    with pytest.raises(ValueError):
        SUPERCONDUCTORS["Nb"].gap(-1.0)


# ------------------------------------------------------------------ constrained fits
@pytest.mark.slow
def test_fit_contact_fixed_gap_recovers_truth():
    y = _spectrum()
    r = fit_contact(B6, y, T=4.2, superconductor="Nb", sigma=0.003, starts=3)
    assert r.values["delta1"] == pytest.approx(SUPERCONDUCTORS["Nb"].gap(4.2))
    assert r.stderr["delta1"] is None
    for k, v in {"P": 0.4, "Z1": 0.15, "gamma1": 0.2}.items():
        assert abs(r.values[k] - v) < 3.5 * r.stderr[k]


def test_fit_contact_series_resistance_stretches_free_gap():
    """A spreading resistance R_s = 0.45 R_N makes a free fit return a gap ~(1 + r) too large."""
    d = SUPERCONDUCTORS["Nb"].gap(4.2)
    b = np.linspace(-12, 12, 161)
    y = btk.conductance(b, d, 0.2, 0.15, 4.2, polarization=0.45, series_resistance=0.45,
                        angle_resolved=False)
    free = fit_contact(b, y, T=4.2, starts=3)
    assert free.values["delta1"] > 1.25 * d                        # the stretched bias axis
    fixed = fit_contact(b, y, T=4.2, superconductor="Nb", series_resistance=True, starts=3)
    assert abs(fixed.values["P"] - 0.45) < 0.01 and abs(fixed.values["Rs"] - 0.45) < 0.02


def test_fit_contact_bad_input():
    y = _spectrum()
    with pytest.raises(ValueError, match="either"):
        fit_contact(B6, y, T=4.2, superconductor="Nb", delta=1.4)
    with pytest.raises(ValueError, match="above T_c"):
        fit_contact(B6, y, T=10.0, superconductor="Nb")
    with pytest.raises(ValueError):
        fit_contact(B6, y, T=4.2, superconductor="Xx")
    with pytest.raises(TypeError):
        fit_contact(B6, y, T=4.2, fit_temperature="yes")


# ------------------------------------------------------------------ profile likelihood
@pytest.mark.slow
def test_profile_interval_matches_covariance_for_a_quadratic_valley():
    """With Delta fixed the P valley is nearly parabolic: the Delta chi^2 = 1 half-width equals the
    covariance standard error (independent route) within 25 %, and the interval holds the truth."""
    y = _spectrum(noise=0.004, seed=5)
    r = fit_contact(B6, y, T=4.2, superconductor="Nb", sigma=0.004, starts=3)
    e = r.stderr["P"]
    grid = np.linspace(r.values["P"] - 3 * e, r.values["P"] + 3 * e, 13)
    pr = profile_likelihood(B6, y, "P", grid, T=4.2, superconductor="Nb", sigma=0.004)
    half = 0.5 * (pr.interval68[1] - pr.interval68[0])
    assert abs(half / e - 1) < 0.25
    assert pr.interval68[0] < 0.4 < pr.interval68[1] or abs(r.values["P"] - 0.4) < 2 * e
    assert pr.open_sides == () and pr.sigma_source == "given"
    assert abs(np.min(pr.delta_chi2)) < 1e-6 + 0.05
    # the trade-off: along the P profile Z moves (P-Z correlation of the polarized model)
    assert np.ptp(pr.others["Z1"]) > 0


@pytest.mark.slow
def test_profile_with_estimated_sigma_and_open_side():
    y = _spectrum(P=0.0, noise=0.003)          # P at its bound: the lower side is open
    pr = profile_likelihood(B6, y, "P", np.linspace(0.0, 0.3, 7), T=4.2, superconductor="Nb")
    assert pr.sigma_source == "residuals" and 0.001 < pr.sigma < 0.01
    assert "lower68" in pr.open_sides and pr.interval68[0] == 0.0
    d = pr.to_dict()
    assert json.loads(json.dumps(d))["parameter"] == "P"


def test_profile_bad_input():
    y = _spectrum()
    with pytest.raises(ValueError, match="increasing"):
        profile_likelihood(B6, y, "P", [0.3, 0.2, 0.4], T=4.2)
    with pytest.raises(ValueError, match="fixed"):
        profile_likelihood(B6, y, "delta1", [1.0, 1.2, 1.4], T=4.2, superconductor="Nb")
    with pytest.raises(ValueError):
        profile_likelihood(B6, y, "Rs", [0.1, 0.2, 0.3], T=4.2)


# ------------------------------------------------------------------ Z -> 0 extrapolation
def test_extrapolation_exact_forms():
    z = np.array([0.0, 0.1, 0.3, 0.5, 0.8])
    q = extrapolate_polarization(z, 0.5 - 0.1 * z - 0.2 * z ** 2, form="quadratic")
    assert q.P0 == pytest.approx(0.5, abs=1e-9) and q.coefficients["b"] == pytest.approx(-0.2, abs=1e-8)
    x = extrapolate_polarization(z, 0.45 * np.exp(-0.7 * z ** 2), form="exponential")
    assert x.P0 == pytest.approx(0.45, abs=1e-7) and x.coefficients["a"] == pytest.approx(0.7, abs=1e-6)
    assert x(0.0)[()] == pytest.approx(0.45, abs=1e-7)
    # hand-derived least squares line through (0.1, .40), (0.3, .36), (0.5, .30): P0 = 0.42833
    lin = extrapolate_polarization([0.1, 0.3, 0.5], [0.40, 0.36, 0.30], form="linear")
    assert lin.P0 == pytest.approx(0.428333, abs=1e-5) and lin.coefficients["a"] == pytest.approx(-0.25)


def test_extrapolation_bad_input():
    with pytest.raises(ValueError, match="at least 4"):
        extrapolate_polarization([0.1, 0.2, 0.3], [0.4, 0.3, 0.2], form="quadratic")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        extrapolate_polarization([0.1, 0.2, 0.3], [0.4, 1.3, 0.2], form="linear")
    with pytest.raises(ValueError, match=">= 0"):
        extrapolate_polarization([-0.1, 0.2, 0.3], [0.4, 0.3, 0.2], form="linear")
    with pytest.raises(ValueError, match="P_err"):
        extrapolate_polarization([0.1, 0.2, 0.3], [0.4, 0.3, 0.2], [0.1, 0.0, 0.1], form="linear")
    with pytest.raises(ValueError, match="form"):
        extrapolate_polarization([0.1, 0.2, 0.3], [0.4, 0.3, 0.2], form="cubic")


@pytest.mark.slow
def test_synthetic_contacts_extrapolate_to_known_polarization():
    P0, a = 0.42, 0.8
    zs = [0.05, 0.2, 0.35, 0.5, 0.65]
    cs = synthetic_contacts(P0, zs, spin_flip=a, noise=0.004, seed=1)
    assert [c["P"] for c in cs] == pytest.approx([P0 * math.exp(-a * z * z) for z in zs])
    fits = [fit_contact(c["bias_mV"], c["G"], T=4.2, superconductor="Nb", sigma=0.004, starts=2) for c in cs]
    z = np.array([f.values["Z1"] for f in fits])
    p = np.array([f.values["P"] for f in fits])
    e = np.array([f.stderr["P"] for f in fits])
    ex = extrapolate_polarization(z, p, e, form="exponential")
    assert abs(ex.P0 - P0) < 3 * ex.P0_err + 0.005
    naive = float(np.mean(p))                      # averaging contacts instead: biased low
    assert P0 - naive > 0.05


def test_synthetic_contacts_bad_input():
    with pytest.raises(ValueError):
        synthetic_contacts(1.2, [0.1])
    with pytest.raises(ValueError, match="Z"):
        synthetic_contacts(0.4, [6.0])


# ------------------------------------------------------------------ emcee
def test_series_model_matches_library():
    b = np.linspace(-20, 20, 97)
    p = {"delta1": 1.44, "Z1": 0.2, "gamma1": 0.3, "P": 0.4, "Rs": 0.5}
    ref = btk.conductance(b, 1.44, 0.2, 0.3, 4.2, polarization=0.4, series_resistance=0.5,
                          angle_resolved=False)
    assert np.max(np.abs(pol._model(b, p, 4.2, False) - ref)) < 5e-4


@pytest.mark.slow
def test_sample_posterior_small_run():
    y = _spectrum(noise=0.004, seed=9)
    kw = dict(T=4.2, sigma=0.004, fixed={"delta1": SUPERCONDUCTORS["Nb"].gap(4.2)},
              start={"Z1": 0.15, "gamma1": 0.2, "P": 0.4}, nwalkers=12, nsteps=400, burn=150, seed=4)
    ps = sample_posterior(B6, y, **kw)
    assert ps.names == ("Z1", "gamma1", "P")
    assert 0.15 < ps.acceptance < 0.9
    r = fit_contact(B6, y, T=4.2, superconductor="Nb", sigma=0.004, starts=3)
    # posterior median near the least-squares value, 68 % width near the covariance error
    assert abs(ps.median["P"] - r.values["P"]) < r.stderr["P"]
    width = 0.5 * (ps.q84["P"] - ps.q16["P"])
    assert 0.5 < width / r.stderr["P"] < 2.0
    assert all(np.isfinite(v) and v < 1.5 for v in ps.rhat.values())
    assert ps.samples.shape[1] == 3 and json.dumps(ps.summary())
    again = sample_posterior(B6, y, **kw)                    # seeded: the same chain
    assert again.median == ps.median


def test_sample_posterior_bad_input():
    y = _spectrum()
    with pytest.raises(ValueError, match="outside"):
        sample_posterior(B6, y, T=4.2, sigma=0.01, start={"delta1": 1.4, "Z1": 0.1, "gamma1": 0.1, "P": 1.5})
    with pytest.raises(ValueError, match="lacks"):
        sample_posterior(B6, y, T=4.2, sigma=0.01, start={"delta1": 1.4})
    with pytest.raises(ValueError, match="unknown"):
        sample_posterior(B6, y, T=4.2, sigma=0.01, start={"x": 1.0})
    with pytest.raises(ValueError):
        sample_posterior(B6, y, T=4.2, sigma=-1.0, start={"delta1": 1.4, "Z1": 0.1, "gamma1": 0.1, "P": 0.4})


# ------------------------------------------------------------------ real files and the study script
@pytest.mark.slow
def test_real_co_nb_contact(real_files):
    """The free fit reproduces the issue (Delta ~ 2.2 meV, P ~ 0.54); with Nb's BCS gap fixed and a
    series resistance the contact gives P inside 0.35-0.50 (Co by PCAR: ~0.37-0.45) and
    (1 + Rs) Delta_Nb close to the free gap (the stretched bias axis)."""
    s = btk.read_spectrum(real_files / "stoner_PCAR_Co.csv")
    free = fit_contact(s.bias_mV, s.didv, T=4.2, starts=4)
    assert 2.0 < free.values["delta1"] < 2.4 and 0.50 < free.values["P"] < 0.58
    ar = fit_contact(s.bias_mV, s.didv, T=4.2, starts=4, angle_resolved=True)
    for k in ("delta1", "P"):
        assert abs(ar.values[k] - free.values[k]) < 2 * free.stderr[k]
    rs = fit_contact(s.bias_mV, s.didv, T=4.2, superconductor="Nb", series_resistance=True, starts=4)
    assert 0.35 < rs.values["P"] < 0.50
    assert abs((1 + rs.values["Rs"]) * rs.values["delta1"] / free.values["delta1"] - 1) < 0.15
    assert rs.rms < free.rms


@pytest.mark.slow
def test_study_script_small(real_files, tmp_path):
    out = tmp_path / "p.json"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "polarization_study.py"), "--small",
                           "--out", str(out), "--real-files", str(real_files)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    d = json.loads(out.read_text())
    co = d["contacts"][0]
    assert co["file"] == "stoner_PCAR_Co.csv" and set(co["fits"]) >= {"free", "delta_bcs", "delta_bcs_rs"}
    m = co["mcmc"]["free"]
    assert set(m) >= {"median", "q16", "q84", "acceptance", "tau", "rhat", "settings"}
    assert d["synthetic"]["extrapolations"]["exponential"]["P0"] == pytest.approx(0.42, abs=0.03)


def test_study_script_refuses_missing_folder(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "polarization_study.py"), "--small",
                           "--out", str(tmp_path / "x.json"), "--real-files", str(tmp_path / "none")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "error:" in proc.stderr


def test_committed_study_json():
    """The chapter reads data/polarization_study.json: it must be the full run with every contact."""
    d = json.loads((ROOT / "data" / "polarization_study.json").read_text())
    assert not d["settings"]["small"] and len(d["contacts"]) == 7
    co = d["contacts"][0]
    rs = co["fits"]["delta_bcs_rs"]["values"]
    assert 0.35 < rs["P"] < 0.50
    for run in co["mcmc"].values():
        assert 0.1 < run["acceptance"] < 0.9

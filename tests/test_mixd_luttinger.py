"""Luttinger-liquid fits of open chains (nickelates.mixd_luttinger; issue 24 item 3).

Independent numbers: free fermions on an open chain (exact one-body correlations
G_ij = sum_k phi_k(i) phi_k(j), phi_k(x) = sqrt(2/(L+1)) sin(pi k x/(L+1)): the XX chain by
Jordan-Wigner, c = 1 and K = 1 analytically), synthetic power laws with known exponents,
exact diagonalization of the ladder (mixd_exact.ground_state) for the gaps, and the
stored L = 8 points of data/mixd_correlations.json.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nickelates import mixd_exact as mx
from nickelates import mixd_luttinger as ml
from nickelates import paths

ROOT = Path(__file__).resolve().parents[1]


def free_fermions(L, N):
    """One-body correlation matrix <c+_i c_j> of N spinless fermions on an open chain of L sites."""
    x, k = np.arange(1, L + 1), np.arange(1, N + 1)
    phi = np.sqrt(2 / (L + 1)) * np.sin(np.pi * np.outer(x, k) / (L + 1))
    return phi @ phi.T


def density_correlations(G):
    """<n_i n_j> - <n_i><n_j> = delta_ij n_i - G_ij^2 (Wick)."""
    C = -G**2
    C[np.diag_indices_from(C)] += np.diag(G)
    return C


def entanglement(G):
    """Von Neumann entropy of the first l sites, l = 1 ... L - 1 (Peschel's formula)."""
    out = []
    for l in range(1, G.shape[0]):
        w = np.clip(np.linalg.eigvalsh(G[:l, :l]), 1e-15, 1 - 1e-15)
        out.append(float(-np.sum(w * np.log(w) + (1 - w) * np.log(1 - w))))
    return np.array(out)


# ----------------------------------------------------------------------------- free fermions: c = 1, K = 1
def test_central_charge_of_free_fermions_is_one():
    L = 200
    S = entanglement(free_fermions(L, 50))
    c = ml.central_charge(S, L)
    assert abs(c.value - 1.0) < 0.03 and c.error < 0.03        # measured 0.986 +- 0.011
    assert len(c.windows) >= 3
    # averaging over the Friedel period (4 sites at quarter filling) removes the oscillation
    ca = ml.central_charge(S, L, average_period=4)
    assert abs(ca.value - 1.0) < 0.02 and ca.error < 0.01                # 0.987 +- 0.001
    # a wrong length in the conformal distance is seen: L/2 instead of L gives a c far from 1
    with pytest.raises(ValueError, match="L - 1"):
        ml.central_charge(S, L // 2)


def test_luttinger_parameter_of_free_fermions_is_one():
    for L, N in ((64, 16), (200, 50)):
        G = free_fermions(L, N)
        q, Nq = ml.open_structure_factor(density_correlations(G))
        K = ml.luttinger_parameter(q, Nq, flavours=1, profile=np.diag(G), wavevector=2 * np.pi * N / (L + 1),
                                   friedel_factor=1.0)
        single, q0, fr = (K.estimators[k] for k in ("single_q", "q_to_0", "friedel"))
        assert abs(single[0] - 1) < 1.2 / L and abs(q0[0] - 1) < 1.2 / L     # 1 + O(1/L): 1.015 at L = 64
        assert abs(fr[0] - 1) < max(2 * fr[1], 0.05)                          # 0.969 +- 0.11 at L = 200
        assert abs(K.value - 1) < 0.05 and K.error >= abs(single[0] - fr[0]) / 2 - 1e-12
    # the plane-wave transform on an open chain is biased: the reason for the cosine transform
    L, N = 200, 50
    C = density_correlations(free_fermions(L, N))
    qp = 2 * np.pi / L
    Np = np.real(np.exp(1j * qp * np.arange(L)) @ C @ np.exp(-1j * qp * np.arange(L))) / L
    assert 0.85 < 2 * np.pi * Np / qp < 0.95


def test_green_function_exponent_of_free_fermions():
    """<c+_i0 c_i0+r> ~ cos(k_F r + phi) r^-1 for free fermions (K = 1: exponent (K + 1/K)/2 = 1)."""
    L, N = 200, 50
    G = free_fermions(L, N)
    i0 = L // 4
    r = np.arange(2, L // 2)
    f = ml.fit_power_law(r, G[i0, i0 + r], 2 * L, wavevector=np.pi * N / (L + 1))
    assert abs(f.value - 1.0) < max(2 * f.error, 0.03) and f.error < 0.1      # 0.995 +- 0.068


# ----------------------------------------------------------------------------- synthetic data
def test_power_law_fits_recover_known_exponents():
    rng = np.random.default_rng(7)
    L = 80
    r = np.arange(2, 40, dtype=float)
    d = ml.conformal_distance(r, L)
    f = ml.fit_power_law(r, 0.2 * d ** -1.3, L)
    assert f.value == pytest.approx(1.3, abs=1e-10) and f.amplitude == pytest.approx(0.2, rel=1e-10)
    q0 = np.pi / 2
    C = 0.5 * np.cos(q0 * r + 0.3) * d ** -0.8 - 0.1 * d ** -2.0
    f = ml.fit_power_law(r, C, L, wavevector=q0, background=2.0)
    assert f.value == pytest.approx(0.8, abs=1e-6) and f.error < 1e-6
    assert f.amplitude == pytest.approx(0.5, rel=1e-5)
    # 1 % noise: the window spread is what carries it
    noisy = C * (1 + 0.01 * rng.standard_normal(r.size))
    f = ml.fit_power_law(r, noisy, L, wavevector=q0, background=2.0)
    assert abs(f.value - 0.8) < 0.1 and f.error > 1e-4
    # the exponent of a sign-changing series without its wave vector is refused
    with pytest.raises(ValueError, match="one sign"):
        ml.fit_power_law(r, C, L)


def test_extrapolate_gap_known_intercept_and_spread():
    L = np.array([16.0, 32.0, 64.0])
    e = ml.extrapolate_gap(L, 0.05 + 1.0 / L)
    assert e.value == pytest.approx(0.05, abs=1e-12) and e.error < 1e-12
    # curvature in 1/L: the 2- and 3-point intercepts differ, and the error covers the truth
    g = 0.05 + 1.0 / L + 8.0 / L**2
    e = ml.extrapolate_gap(L, g)
    three = [f for f in e.fits if len(f[0]) == 3][0][1]
    assert e.value == pytest.approx(0.05 - 8.0 / (32 * 64), abs=1e-12)    # hand-derived 2-point intercept
    assert abs(e.value - 0.05) < e.error and e.error >= abs(three - e.value)
    # input errors: a two-point fit's standard error is the propagated one
    e = ml.extrapolate_gap([20, 40], [0.1, 0.075], errors=[0.01, 0.01])
    assert e.value == pytest.approx(0.05) and e.error == pytest.approx(0.01 * np.hypot(1, 2), rel=1e-9)


# ----------------------------------------------------------------------------- the ladder
def test_stored_L8_structure_factor_convention():
    """K_rho stored by mixd_exact (pi N(q)/q) equals the single-q estimator with flavours = 2."""
    recs = json.loads(paths.data_file("mixd_correlations.json").read_text())["points"]
    r8 = [r for r in recs if r["L"] == 8]
    assert r8
    for r in r8:
        K = ml.luttinger_parameter(r["q"], r["structure_factor"], flavours=2)
        assert K.estimators["single_q"][0] == pytest.approx(r["K_rho"], rel=1e-12)
        # L = 8 holds too few cuts for a central charge with a varied window: refused with a reason
        with pytest.raises(ValueError, match="margin"):
            ml.central_charge(r["entropy"], 8, margins=[3])


def test_stored_L40_central_charge_one_gapless_mode():
    """The stored L = 40 ladders (chi = 128): entropy averaged over the Friedel period 2L/N_h gives c = 1
    (one gapless charge mode of a Luther-Emery liquid) within 0.2 at every J, window error < 0.3."""
    recs = [r for r in json.loads(paths.data_file("mixd_correlations.json").read_text())["points"] if r["L"] == 40]
    assert len(recs) >= 3
    for r in recs:
        P = round(2 * r["L"] / r["n_holes"])
        c = ml.central_charge(r["entropy"], r["L"], average_period=P, margins=[1, 2, 3, 4, 5, 6])
        assert abs(c.value - 1) < 0.2 and c.error < 0.3, (r["J_perp"], c)     # 1.06-1.15 +- 0.14-0.28


@pytest.mark.slow
def test_luttinger_point_gaps_against_ed():
    """Spin and relative-charge gaps at L = 6 from DMRG (TeNPy) against our sector ED; warm start agrees."""
    L, nh, J = 6, 2, 1.1
    a = ml.dmrg_luttinger_point(L, nh, J, chi_max=32, max_sweeps=40, min_sweeps=10, max_E_err=1e-9)
    E0 = mx.ground_state(L, nh, J).energy
    gap_s = mx.ground_state(L, nh, J, two_sz=2).energy - E0
    gap_r = mx.ground_state(L, nh, J, holes_leg=(2, 0)).energy - E0
    rec = a.record
    assert rec["energy"] == pytest.approx(E0, abs=1e-6)           # chi = 32 truncates: 4e-8 measured
    assert rec["spin_gap"] == pytest.approx(gap_s, abs=2e-6)
    assert rec["relative_charge_gap"] == pytest.approx(gap_r, abs=2e-6)
    assert rec["relative_holes_leg"] == [2, 0] and len(rec["structure_factor_relative"]) == L // 2
    assert len(rec["structure_factor_open"]) == len(rec["q_open"]) == L // 2
    # N_-(q) of decoupled-leg fluctuations would equal N_+(q); here the relative channel is suppressed
    assert rec["structure_factor_relative"][0] < rec["structure_factor"][0]
    b = ml.dmrg_luttinger_point(L, nh, J, chi_max=64, warm=a.states, warm_chi=32, max_sweeps=40,
                                min_sweeps=10, max_E_err=1e-9)
    assert b.record["warm_start"] == 32 and b.record["energy"] == pytest.approx(E0, abs=1e-8)
    assert b.record["relative_charge_gap"] == pytest.approx(gap_r, abs=1e-7)
    assert b.record["spin_gap"] == pytest.approx(gap_s, abs=1e-7)


@pytest.mark.slow
def test_correlations_script_chi_series_small(tmp_path):
    """scripts/mixd_correlations.py at test size: one (L, J) at chi 32 and 64 (the second warm-started)."""
    out = tmp_path / "c.json"
    cmd = [sys.executable, str(ROOT / "scripts" / "mixd_correlations.py"), "--small", "--L", "8", "--chis", "32",
           "64", "--J", "2.0", "-o", str(out), "--workers", "0", "--cache-dir", str(tmp_path / "cache")]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    pts = json.loads(out.read_text())["points"]
    assert sorted(p["chi_max"] for p in pts) == [32, 64]
    warm = {p["chi_max"]: p["warm_start"] for p in pts}
    assert warm == {32: None, 64: 32}
    E0 = mx.ground_state(8, 2, 2.0).energy
    for p in pts:
        assert p["energy"] == pytest.approx(E0, abs=1e-7)
        assert p["relative_charge_gap"] > 0.1 and p["delta"] == 0.25
    # stored points are skipped: a second call computes nothing and leaves the file as it was
    before = out.read_text()
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0 and out.read_text() == before
    plan = subprocess.run(cmd + ["--plan"], capture_output=True, text=True, timeout=600)
    assert plan.returncode == 0 and "0 points" in plan.stdout


# ----------------------------------------------------------------------------- bad input
def test_bad_input():
    with pytest.raises(ValueError, match="x must lie"):
        ml.conformal_distance([0.0, 1.0], 10)
    with pytest.raises(TypeError):
        ml.conformal_distance("a", 10)
    with pytest.raises(ValueError, match="same length"):
        ml.fit_power_law([1, 2, 3, 4, 5], [1, 2, 3, 4], 10)
    with pytest.raises(ValueError, match="background needs"):
        ml.fit_power_law([1, 2, 3, 4], [1, 2, 3, 4], 10, background=2.0)
    with pytest.raises(ValueError, match="flavours"):
        ml.luttinger_parameter([0.1, 0.2], [0.1, 0.2], flavours=3)
    with pytest.raises(ValueError, match="wavevector"):
        ml.luttinger_parameter([0.1, 0.2], [0.1, 0.2], profile=np.ones(20))
    with pytest.raises(ValueError, match="distinct"):
        ml.extrapolate_gap([10, 10], [0.1, 0.2])
    with pytest.raises(ValueError, match="square"):
        ml.open_structure_factor(np.ones((4, 5)))
    with pytest.raises(ValueError, match="n_holes"):
        ml.dmrg_luttinger_point(8, 0, 1.0)
    with pytest.raises(ValueError, match="dmrg_kw"):
        ml.dmrg_luttinger_point(8, 2, 1.0, chi=3)


def test_extrapolate_gap_refuses_gaps_it_would_overflow():
    """Fuzz F-124: gaps x 1e300 gave OverflowError from the weighted least squares."""
    from nickelates import mixd_luttinger as ml

    with pytest.raises(ValueError, match="gaps and L"):
        ml.extrapolate_gap([20, 40, 80], [1.5e299, 1e299, 7.5e298])
    with pytest.raises(ValueError, match="errors"):
        ml.extrapolate_gap([20, 40], [0.1, 0.2], errors=[1e300, 0.1])
    e = ml.extrapolate_gap([20, 40, 80], [1.5e90, 1e90, 7.5e89])   # large but fine: 5e89 + 2e91/L
    assert abs(e.value / 5e89 - 1) < 1e-9

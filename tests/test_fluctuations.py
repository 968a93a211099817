"""Tests of nickelates.fluctuations (chapter 3, "The T_c problem"): limits, hand values, independent sums, bad input."""
import dataclasses
import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

from nickelates import bands as B
from nickelates import fluctuations as F
from nickelates import pairing as P

K_B = P.K_B
EG = 0.5772156649015329


# ---------------------------------------------------------------- (i) Z and retardation
def test_mass_renormalization_hand_values():
    m = F.mass_renormalization(0.3, 0.75, 0.8)
    assert m.Z_alpha == pytest.approx(1 + 0.8 * 0.75) and m.Z_beta == pytest.approx(1 + 0.8 * 0.3)
    assert m.lam == pytest.approx(0.8 * math.sqrt(0.3 * 0.75))
    assert m.lam_Z == pytest.approx(m.lam / math.sqrt(1.6 * 1.24))
    e = F.mass_renormalization(1.0, 1.0, 0.5)                    # equal DOS: McMillan's lambda / (1 + lambda)
    assert e.lam_Z == pytest.approx(0.5 / 1.5, rel=1e-14)
    assert F.mass_renormalization(1.0, 2.0, 0.0).lam_Z == 0.0


def test_allen_dynes_hand_value_and_threshold():
    # (omega / 1.2 k_B) exp(-1.04 (1 + lam) / lam), lam = 0.5, omega = 0.1 eV
    mcm = 0.1 / 1.2 / K_B * math.exp(-1.04 * 3.0)
    assert F.allen_dynes_tc(0.5, 0.1, corrections=False) == pytest.approx(mcm, rel=1e-12)
    f1 = (1 + (0.5 / 2.46) ** 1.5) ** (1 / 3)                   # Allen-Dynes strong-coupling factor, mu* = 0
    assert F.allen_dynes_tc(0.5, 0.1) == pytest.approx(f1 * mcm, rel=1e-12)
    assert F.allen_dynes_tc(0.1, 0.1, mu_star=0.2) == 0.0        # lam below mu* (1 + 0.62 lam)
    assert F.allen_dynes_tc(0.5, 0.1, 0.1) < F.allen_dynes_tc(0.5, 0.1)


# ---------------------------------------------------------------- (ii) impurities
def test_abrikosov_gorkov_limits():
    Tc0 = 200.0
    crit = math.pi * K_B * Tc0 / (2 * math.exp(EG))
    assert crit / (K_B * Tc0) == pytest.approx(0.8819, abs=1e-4)
    assert F.abrikosov_gorkov_tc(0.0, Tc0) == Tc0
    assert F.abrikosov_gorkov_tc(1.0001 * crit, Tc0) == 0.0
    assert 0 < F.abrikosov_gorkov_tc(0.999 * crit, Tc0) < 0.2 * Tc0
    # weak scattering: ln(Tc0/Tc) ~ psi'(1/2) Gamma / (2 pi k_B Tc) = pi Gamma / (4 k_B Tc)
    g = 1e-5 * K_B * Tc0
    dT = Tc0 - F.abrikosov_gorkov_tc(g, Tc0)
    assert dT == pytest.approx(math.pi * g / (4 * K_B), rel=1e-3)
    Ts = [F.abrikosov_gorkov_tc(x * crit, Tc0) for x in (0.1, 0.3, 0.6, 0.9)]
    assert np.all(np.diff(Ts) < 0)


def test_interband_equal_dos_is_abrikosov_gorkov():
    for g in (0.001, 0.004, 0.008):
        assert F.interband_impurity_tc(g, 120.0, 0.35, 1.0) == pytest.approx(F.abrikosov_gorkov_tc(g, 120.0),
                                                                                rel=1e-9)


def test_interband_unequal_dos_critical_rate():
    """T_c vanishes at Gamma_c = 0.882 k_B T_c0 exp[(1 - 2 sqrt(w_a w_b)) / lam] (T -> 0 asymptotics)."""
    Tc0, lam, r = 300.0, 0.4, 2.5
    wa = 1 / (1 + r)
    crit = math.pi * K_B * Tc0 / (2 * math.exp(EG)) * math.exp((1 - 2 * math.sqrt(wa * (1 - wa))) / lam)
    assert F.interband_impurity_tc(0.97 * crit, Tc0, lam, r) > 0
    assert F.interband_impurity_tc(1.03 * crit, Tc0, lam, r) == 0.0
    # slower than AG at the same rate
    g = 0.6 * math.pi * K_B * Tc0 / (2 * math.exp(EG))
    assert F.interband_impurity_tc(g, Tc0, lam, r) > F.abrikosov_gorkov_tc(g, Tc0)


def _matsubara_tc(lam, r, Omega, Gab_over_gamma, gamma, G_intra):
    """T_c of the two-band model summed over Matsubara frequencies (independent of the formula).

    A soft cutoff Omega^2 / (omega^2 + Omega^2) on the interaction (a hard one makes L jump with T)."""
    Na, Nb = 1.0, r
    V = lam / math.sqrt(Na * Nb)
    Gab, Gba = gamma * Nb, gamma * Na

    def mu(T):
        kT = K_B * T
        n = int(100 * Omega / (2 * math.pi * kT))
        w = math.pi * kT * (2 * np.arange(n) + 1)
        soft = Omega ** 2 / (w ** 2 + Omega ** 2)
        # x = M^-1 Delta with M = [[w + Gaa + Gab - Gaa, -Gab], [-Gba, w + Gbb + Gba - Gbb]] (intraband cancels)
        a11 = w + G_intra + Gab - G_intra
        a22 = w + G_intra + Gba - G_intra
        det = a11 * a22 - Gab * Gba
        inv = soft * np.array([[a22, Gab * np.ones_like(w)], [Gba * np.ones_like(w), a11]]) / det
        S = 2 * math.pi * kT * inv.sum(axis=2)
        K = -np.array([[0, V * Nb], [V * Na, 0]]) @ S
        return max(np.linalg.eigvals(K).real) - 1

    est = Omega / K_B * math.exp(-1 / lam)
    return brentq(mu, 0.02 * est, 3 * est, xtol=1e-9)


def test_interband_formula_against_matsubara_sums():
    lam, r, Omega = 0.15, 2.5, 1.0
    Tc0 = _matsubara_tc(lam, r, Omega, 1, 0.0, 0.0)
    assert Tc0 == pytest.approx(2 * math.exp(EG) / math.pi * Omega / K_B * math.exp(-1 / lam), rel=0.2)
    for x in (0.2, 0.7):                                         # Gamma_t / k_B T_c0
        Gt = x * K_B * Tc0
        gamma = Gt / (1 + r)
        num = _matsubara_tc(lam, r, Omega, 1, gamma, 0.05)       # a large intraband rate changes nothing
        assert F.interband_impurity_tc(Gt, Tc0, lam, r) == pytest.approx(num, rel=5e-3)


def test_rate_for_tc_inverts():
    g = F.rate_for_tc(80.0, 370.0, 0.42, 2.5)
    assert F.interband_impurity_tc(g, 370.0, 0.42, 2.5) == pytest.approx(80.0, rel=1e-8)
    assert F.rate_for_tc(300.0, 370.0, 0.42, 2.5) < g


# ---------------------------------------------------------------- (iii) stiffness and BKT
def test_superfluid_fraction_limits():
    D = 0.02
    assert float(F.superfluid_fraction(D)) == pytest.approx(1.0, abs=1e-12)
    for G in (0.02, 0.2):
        ref = quad(lambda w, G=G: D * D / ((w * w + D * D) * (math.sqrt(w * w + D * D) + G)), 0, np.inf)[0]
        assert float(F.superfluid_fraction(D, 0.0, G)) == pytest.approx(ref, rel=1e-9)
    assert float(F.superfluid_fraction(1e-4, 0.0, 1.0)) == pytest.approx(math.pi * 1e-4 / 2, rel=1e-3)
    for T in (20.0, 100.0, 200.0):                               # clean: 1 - Yosida
        kT = K_B * T
        y = quad(lambda x, kT=kT: 1 / (4 * kT) / np.cosh(min(math.sqrt(x * x + D * D) / (2 * kT), 300)) ** 2,
                 -np.inf, np.inf, limit=200)[0]
        assert float(F.superfluid_fraction(D, T)) == pytest.approx(1 - y, rel=1e-7, abs=1e-12)
    assert F.superfluid_fraction([0.0, D]).tolist()[0] == 0.0


@pytest.fixture(scope="module")
def sol075(bands_045):
    V = P.V_for_lambda(bands_045, 0.4)
    return P.solve_gap(bands_045, V=V, kappa_a=0.75, kappa_b=0.75, Omega=0.3, n_k=128)


def test_stiffness_normal_value_is_the_diamagnetic_sum(bands_045, sol075):
    """rho_normal = (1/4) (1/N) sum_k 2 d^2 xi / dk_x^2 theta(-xi), summed on a fine grid."""
    st = F.superfluid_stiffness(sol075)
    assert st.rho_bilayer == pytest.approx(st.rho_normal, rel=1e-12)   # clean, T = 0: gap-independent
    p = bands_045
    n = 1024
    k = (np.arange(n) + 0.5) * 2 * np.pi / n - np.pi
    kx, ky = np.meshgrid(k, k, indexing="ij")
    cx, cy, sx = np.cos(kx), np.cos(ky), np.sin(kx)
    total = 0.0
    for band in ("alpha", "beta"):
        t1, t2, t3, eps, _ = p.band(band)
        xi = B.band_energy(kx, ky, p, band)
        d2 = 2 * t1 * cx + 4 * t2 * cx * cy + 8 * t3 * np.cos(2 * kx) + eps * (-2 * cx * (cx - cy) + 2 * sx ** 2)
        total += 0.25 * 2 * np.mean(d2 * (xi < 0))
    assert st.rho_normal == pytest.approx(total, rel=2e-3)


def test_stiffness_falls_with_T_and_scattering(bands_045, sol075):
    st0 = F.superfluid_stiffness(sol075)
    hot = dataclasses.replace(sol075, T=300.0)                   # same gaps, thermal depletion only
    assert F.superfluid_stiffness(hot).rho_bilayer < st0.rho_bilayer
    dirty = F.superfluid_stiffness(sol075, Gamma=0.5)
    assert dirty.rho_alpha < st0.rho_alpha and dirty.rho_layer == pytest.approx(dirty.rho_bilayer / 2)


def test_dirty_stiffness_scales_with_the_gap(bands_045, sol075):
    """Dirty limit: n_s/n -> pi Delta / 2 Gamma, so halving the gaps at 2 Gamma leaves rho unchanged."""
    a = F.superfluid_stiffness(sol075, Gamma=2.0, n_theta=256)
    b = F.superfluid_stiffness(sol075, Gamma=1.0, n_theta=256, gap_scale=(0.5, 0.5))
    assert b.rho_bilayer == pytest.approx(a.rho_bilayer, rel=0.01)
    c = F.superfluid_stiffness(sol075, Gamma=2.0, n_theta=256, gap_scale=(1.0, 0.0))
    assert c.rho_beta == 0.0 and c.rho_alpha == pytest.approx(a.rho_alpha, rel=1e-12)
    with pytest.raises(ValueError, match="gap_scale"):
        F.superfluid_stiffness(sol075, gap_scale=(1.0, -1.0))


def test_bkt_temperature(bands_045):
    V = P.V_for_lambda(bands_045, 0.3)
    e = F.bkt_temperature(bands_045, V=V, kappa_a=0.3, kappa_b=0.3, n_k=64, n_theta=128)
    el = F.bkt_temperature(bands_045, V=V, kappa_a=0.3, kappa_b=0.3, n_k=64, n_theta=128, layers="layer")
    assert el.T_bkt < e.T_bkt < e.Tc_mf < e.bound0
    assert el.bound0 == pytest.approx(e.bound0 / 2)
    # Ginzburg-Landau near T_c: rho ~ rho0 * 2 (1 - t) * g with g ~ 1 (clean), so 1 - t ~ k_B Tc / (pi rho0 g)
    x = 1 - e.T_bkt / e.Tc_mf
    assert 0.3 < x / (K_B * e.Tc_mf / (math.pi * e.rho0)) < 3


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("call", [
    lambda: F.mass_renormalization(-1.0, 1.0, 0.1),
    lambda: F.allen_dynes_tc(0.0, 0.1),
    lambda: F.abrikosov_gorkov_tc(-0.1, 100.0),
    lambda: F.interband_impurity_tc(0.01, 100.0, 0.4, 0.0),
    lambda: F.rate_for_tc(120.0, 100.0, 0.4, 2.0),
    lambda: F.superfluid_fraction(20.0),
    lambda: F.superfluid_fraction(0.01, T=-1.0),
])
def test_bad_values_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_bad_types_raise_type_error(bands_045):
    with pytest.raises(TypeError):
        F.abrikosov_gorkov_tc("0.1", 100.0)
    with pytest.raises(TypeError):
        F.superfluid_stiffness("not a solution")
    with pytest.raises(ValueError, match="layers"):
        F.bkt_temperature(bands_045, V=1.0, kappa_a=0, kappa_b=0, layers="trilayer")
    with pytest.raises(ValueError, match="n_k"):
        F.bkt_temperature(bands_045, V=1.0, kappa_a=0, kappa_b=0, n_k=66)


_CALLS = {
    "mass_renormalization": (F.mass_renormalization, dict(N_alpha=0.3, N_beta=0.7, V=0.9)),
    "allen_dynes_tc": (F.allen_dynes_tc, dict(lam=0.4, omega_log=0.3, mu_star=0.1)),
    "abrikosov_gorkov_tc": (F.abrikosov_gorkov_tc, dict(Gamma_t=0.01, Tc0=100.0)),
    "interband_impurity_tc": (F.interband_impurity_tc, dict(Gamma_t=0.01, Tc0=100.0, lam=0.4, dos_ratio=2.5)),
    "rate_for_tc": (F.rate_for_tc, dict(Tc=50.0, Tc0=100.0, lam=0.4, dos_ratio=2.5)),
    "superfluid_fraction": (F.superfluid_fraction, dict(Delta=0.01, T=10.0, Gamma=0.0)),
}
_BAD = {"str": "0.5", "complex": 0.5 + 0.5j, "bool": True, "nan": math.nan, "inf": math.inf,
        "-inf": -math.inf, "subnormal": 5e-324, "huge": 1e300, "-huge": -1e300}


@pytest.mark.parametrize("name,param,label", [(n, p, b) for n, (_, kw) in _CALLS.items() for p in kw for b in _BAD])
def test_malformed_numbers_are_rejected_or_harmless(name, param, label):
    fn, kw = _CALLS[name]
    try:
        out = fn(**{**kw, param: _BAD[label]})
    except (TypeError, ValueError) as exc:
        assert param in str(exc), f"{name}({param}={_BAD[label]!r}): {exc}"
        return
    vals = np.atleast_1d(np.asarray(dataclasses.astuple(out) if dataclasses.is_dataclass(out) else out, float))
    assert np.all(np.isfinite(vals))

"""The lock-in instrument function (issue 22): btk.lockin_nodes, conductance(..., lockin_mV), the gap-map window."""
import numpy as np
import pytest
from scipy.integrate import cumulative_simpson
from scipy.interpolate import CubicSpline

from nickelates import btk
from nickelates.gapmap import fit as F


def simulated_lockin(current, bias, vm, n_t=4096):
    """Brute-force lock-in: X(V) = (1 / (pi V_m)) int_0^{2 pi} I(V + V_m cos t) cos t dt (periodic trapezoid)."""
    t = 2 * np.pi * np.arange(n_t) / n_t
    c = np.cos(t)
    return np.array([np.mean(current(v + vm * c) * c) * 2.0 / vm for v in bias])


def test_kernel_moments_and_analytic_case():
    v, w = btk.lockin_nodes(0.8, 0.1)
    assert w.sum() == pytest.approx(1.0, abs=1e-14)
    assert w @ v == pytest.approx(0.0, abs=1e-14)
    assert w @ v ** 2 == pytest.approx(0.8 ** 2 / 4, rel=1e-12)        # variance of W: V_m^2 / 4
    assert w @ v ** 4 == pytest.approx(0.8 ** 4 / 8, rel=1e-12)        # 4th moment: V_m^4 / 8
    assert np.all(np.abs(v) < 0.8)
    # I = V^3 / 3 -> G = V^2: the lock-in reads V^2 + V_m^2 / 4 (first harmonic of (V + V_m cos t)^3 / 3)
    bias = np.linspace(-2, 2, 9)
    x = simulated_lockin(lambda u: u ** 3 / 3, bias, 0.8)
    assert np.allclose(x, bias ** 2 + 0.16, atol=1e-12)
    assert np.allclose([w @ (b + v) ** 2 for b in bias], x, atol=1e-12)


@pytest.mark.parametrize("model,kw", [("dynes", {}), ("btk", {}), ("zeeman", {"h": 0.25}),
                                      ("sis", {"tip_gap": 0.7})])
def test_conductance_against_simulated_lockin(model, kw):
    # I(V) by integrating the unbroadened conductance on a fine grid; the lock-in simulated in time
    vm, T, gamma = 0.4, 0.5, 0.06
    fine = np.linspace(-5, 5, 20001)
    g = btk.conductance(fine, 1.0, 0.5, gamma, T, model=model, **kw)
    current = CubicSpline(fine, cumulative_simpson(g, x=fine, initial=0.0))
    bias = np.linspace(-3, 3, 61)
    want = simulated_lockin(current, bias, vm)
    got = btk.conductance(bias, 1.0, 0.5, gamma, T, model=model, lockin_mV=vm, **kw)
    assert np.max(np.abs(got - want)) < 2e-5
    plain = btk.conductance(bias, 1.0, 0.5, gamma, T, model=model, **kw)
    assert np.max(np.abs(got - plain)) > 0.05              # the broadening is visible


def test_lockin_multi_components_and_reference():
    gaps = (btk.Gap(2.0, 0.4, 0.3, 0.6), btk.Gap(0.8, 0.4, 0.2, 0.4))
    b = np.linspace(-6, 6, 31)
    G, parts = btk.conductance_multi(b, gaps, 2.0, return_components=True, lockin_mV=0.5)
    assert np.allclose(G, 0.6 * parts[0] + 0.4 * parts[1], atol=1e-13)
    assert np.allclose(btk.conductance_reference(b, gaps, 2.0, lockin_mV=0.5), G, atol=1e-8)   # lattice spline
    assert np.array_equal(btk.conductance_multi(b, gaps, 2.0, lockin_mV=0.0), btk.conductance_multi(b, gaps, 2.0))
    with pytest.raises(ValueError, match="lockin_mV"):
        btk.conductance(b, 1.0, 0.5, 0.1, 1.0, lockin_mV=-0.1)
    with pytest.raises(TypeError):
        btk.lockin_nodes("1")


def test_gapmap_window_matches_btk_lockin():
    b = np.linspace(-5, 5, 121)
    for T, gamma, vm in ((2.0, 0.1, 0.5), (0.3, 0.05, 1.5)):
        m = F.spectrum_model(b, T, lockin_mV=vm)
        assert m.lockin_mV == vm
        ref = btk.conductance(b, 1.0, 0.0, gamma, T, model="dynes", lockin_mV=vm)
        assert np.max(np.abs(m([1.0, gamma, 1.0]) - ref)) < 5e-4
    # 10 mK with a 50 uV modulation on a 0.2 meV gap
    b = np.linspace(-1, 1, 201)
    m = F.spectrum_model(b, 0.01, lockin_mV=0.05)
    ref = btk.conductance(b, 0.2, 0.0, 0.005, 0.01, model="dynes", lockin_mV=0.05)
    assert np.max(np.abs(m([0.2, 0.005, 1.0]) - ref)) < 5e-4


def test_gapmap_fit_with_lockin_recovers_gap():
    b = np.linspace(-5, 5, 121)
    m = F.spectrum_model(b, 1.0, lockin_mV=1.0)
    y = 3.0 * btk.conductance(b, 1.4, 0.0, 0.08, 1.0, model="dynes", lockin_mV=1.0)
    r = F.fit_spectrum(m, y)
    assert r.ok and r.values["delta1"] == pytest.approx(1.4, rel=2e-3)
    r0 = F.fit_spectrum(F.spectrum_model(b, 1.0), y)       # ignoring the modulation biases gamma up
    assert r0.values["gamma1"] > 2 * r.values["gamma1"]


@pytest.mark.parametrize("model", ["dynes", "zeeman"])
def test_btk_fit_with_lockin(model):
    rng = np.random.default_rng(2)
    b = np.linspace(-4, 4, 161)
    kw = {"h": 0.3} if model == "zeeman" else {}
    y = btk.conductance(b, 1.2, 0.0, 0.05, 0.5, model=model, lockin_mV=0.4, **kw) + 0.003 * rng.standard_normal(b.size)
    r = btk.fit(b, y, n_gaps=1, T=0.5, model=model, lockin_mV=0.4, starts=3)
    assert r.values["delta1"] == pytest.approx(1.2, rel=0.01)
    assert r.values["gamma1"] == pytest.approx(0.05, abs=0.02)
    assert r.settings["lockin_mV"] == 0.4 and "lock-in" in r.report()

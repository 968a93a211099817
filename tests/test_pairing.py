"""Tests of nickelates.pairing (chapter 3): limits, symmetry, convergence, paper numbers, bad input."""
import dataclasses
import math

import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from nickelates import bands as B
from nickelates import pairing as P
from nickelates.errors import ConvergenceError
from nickelates.symbolic import pairing as S

P3 = B.PAPER_V3
OM = 0.3


@pytest.fixture(scope="module")
def p45(bands_045):
    """The conftest bands at n_c = 0.45 under the short name of this file."""
    return bands_045


@pytest.fixture(scope="module")
def single_band():
    """eps_a = eps_b: identical bands, the interband problem is single-band BCS."""
    return dataclasses.replace(P3, eps_a=P3.eps_b)


# ---------------------------------------------------------------- symbolic


def test_symbolic_derivations_match_the_library():
    """The SymPy forms of Eq. (18) and the BCS ratio, evaluated, equal the library's numbers."""
    sym = S.symbols()
    k = S.kernel_expansion()
    assert k["kappa2"] == sym["ka"] * sym["kb"]
    assert S.kappa_linear_dropout()["orbit_sum_eta"] == 0
    g = S.gap_ratio()
    vals = {sym["Na"]: 0.2859, sym["Nb"]: 0.7215, sym["lam"]: 0.4, sym["Om"]: 0.3}
    assert float(g["ratio"].subs(vals)) == pytest.approx(float(P.gap_ratio_eq18(0.7215 / 0.2859, 0.4)), rel=1e-14)
    assert float(g["Delta_alpha"].subs(vals) * g["Delta_beta"].subs(vals)) == pytest.approx(
        (2 * 0.3 * math.exp(-1 / 0.4)) ** 2, rel=1e-14)
    assert float(sp.N(S.bcs_ratio()["ratio"])) == pytest.approx(P.BCS_RATIO, rel=1e-14)


# ---------------------------------------------------------------- analytic formulas


def test_eq18_forms_agree(bands_045):
    x = np.array([1.0, 2.0, 3.5])
    for lam in (0.0, 0.3, 0.6):
        r = P.gap_ratio_eq18(x, lam)
        assert np.allclose(r, x ** (1 / (2 - lam)))
    # v3's individual gaps reproduce v1's ratio
    q = bands_045
    V = P.V_for_lambda(q, 0.4)
    assert P.coupling_lambda(q, V) == pytest.approx(0.4, rel=1e-12)
    a = P.analytic_gaps(q, V=V, kappa_a=0, kappa_b=0, Omega=OM)
    d = B.fermi_level_dos(q)
    assert a.ratio == pytest.approx((d.N_beta / d.N_alpha) ** (1 / 1.6), rel=1e-12)
    assert math.sqrt(a.gap_alpha * a.gap_beta) == pytest.approx(2 * OM * math.exp(-1 / 0.4), rel=1e-12)
    assert a.Delta_alpha == a.gap_alpha and a.Delta_beta == a.gap_beta          # read-only old names
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.gap_alpha = 1.0


def test_log_equations_exact_solution():
    Na, Nb, V, Om = 0.3, 0.75, 0.9, 0.3
    Da, Db = P.solve_log_equations(Na, Nb, V, Om)
    assert Da == pytest.approx(V * Nb * Db * math.log(2 * Om / Db), rel=1e-10)
    assert Db == pytest.approx(V * Na * Da * math.log(2 * Om / Da), rel=1e-10)
    lam = V * math.sqrt(Na * Nb)
    # Eq. (18) is the small-lambda limit of the exact log solution
    assert Da / Db == pytest.approx((Nb / Na) ** (1 / (2 - lam)), rel=0.03)


# ---------------------------------------------------------------- exact solver: limits


def test_kappa0_matches_log_formulas_at_small_lambda(p45):
    """kappa = 0, lambda = 0.2: exact diagonal gaps vs the log equations (17) within 1 %.

    With the per-band effective cutoffs (energy dependence of the DOS inside the
    shell) the agreement is ~1e-4; with the bare Omega the log formulas are ~3 % low,
    and the ratio of Eq. (18) is within 1 %.
    """
    V = P.V_for_lambda(p45, 0.2)
    sol = P.solve_gap(p45, V=V, kappa_a=0.0, kappa_b=0.0, Omega=OM)
    d = B.fermi_level_dos(p45)
    Da, Db = P.solve_log_equations(d.N_alpha, d.N_beta, V, P.effective_cutoffs(p45, OM))
    assert sol.channel == "s"
    assert sol.gap_alpha == pytest.approx(Da, rel=1e-3)
    assert sol.gap_beta == pytest.approx(Db, rel=1e-3)
    Da0, Db0 = P.solve_log_equations(d.N_alpha, d.N_beta, V, OM)
    assert 0.01 < 1 - Da0 / sol.gap_alpha < 0.05          # bare-Omega log formula: a few % low
    a18 = P.analytic_gaps(p45, V=V, kappa_a=0, kappa_b=0, Omega=OM)
    assert sol.ratio == pytest.approx(a18.ratio, rel=0.01)
    # kappa = 0: isotropic gaps
    assert sol.coef_alpha[1:] == (0.0, 0.0) and sol.coef_beta[1:] == (0.0, 0.0)


def test_bcs_ratio_single_band_limit(single_band):
    V = P.V_for_lambda(single_band, 0.2)
    sol = P.solve_gap(single_band, V=V, kappa_a=0, kappa_b=0, Omega=OM)
    Tc = P.critical_temperature(single_band, V=V, kappa_a=0, kappa_b=0, Omega=OM)
    assert sol.gap_alpha == pytest.approx(sol.gap_beta, rel=1e-10)     # Delta_a = -Delta_b
    assert sol.coef_alpha[0] * sol.coef_beta[0] < 0
    ratio = 2 * sol.gap_alpha / (P.K_B * Tc)
    assert ratio == pytest.approx(P.BCS_RATIO, rel=2e-3)
    # weak coupling: Delta = Omega / sinh(1/lambda) up to the energy dependence of the DOS
    assert sol.gap_alpha == pytest.approx(OM / math.sinh(1 / 0.2), rel=0.05)


def test_s_pm_comes_out_and_same_sign_start(p45):
    V = P.V_for_lambda(p45, 0.4)
    ref = P.solve_gap(p45, V=V, kappa_a=0.75, kappa_b=0.75, Omega=OM)
    assert ref.channel == "s"
    assert ref.coef_alpha[0] > 0 > ref.coef_beta[0]       # s+- (sign convention Delta_alpha > 0)
    # a same-sign start (s++) must end in the same s+- solution, not at Delta = 0
    sol = P.solve_gap(p45, V=V, kappa_a=0.75, kappa_b=0.75, Omega=OM, guess=(0.05, 0.05))
    assert np.allclose(sol.coef_alpha, ref.coef_alpha, rtol=1e-8)
    assert np.allclose(sol.coef_beta, ref.coef_beta, rtol=1e-8)
    ev = P.linearized_eigenvalues(p45, V=V, kappa_a=0.75, kappa_b=0.75, Omega=OM, T=300.0)
    assert ev["s"] > ev["d"] > 0 > ev["s++"]
    v = ev["s_vector"]
    assert v[0] * v[2] < 0                                  # eigenvector is s+-


def test_symmetry_of_solution(p45, rng):
    V = P.V_for_lambda(p45, 0.4)
    sol = P.solve_gap(p45, V=V, kappa_a=0.75, kappa_b=0.75, Omega=OM)
    kx, ky = rng.uniform(-math.pi, math.pi, (2, 50))
    for f in (sol.delta_alpha, sol.delta_beta):
        d = f(kx, ky)
        assert np.allclose(f(ky, kx), d)            # mirror kx <-> ky
        assert np.allclose(f(-ky, kx), d)           # C4
        assert np.allclose(f(-kx, ky), d)           # mirror x
        assert np.allclose(f(kx + 2 * math.pi, ky), d)
    # gap minimum on the diagonal (theta = pi/4), Delta_alpha > Delta_beta there
    for band in ("alpha", "beta"):
        th, d = sol.on_fermi_surface(band, 360)
        i = np.argmin(np.abs(d[th <= math.pi / 2]))
        assert th[i] == pytest.approx(math.pi / 4, abs=2 * math.pi / 360)
    assert sol.gap_alpha > sol.gap_beta


def test_d_channel_wins_only_for_large_kappa_sum(p45):
    V = P.V_for_lambda(p45, 0.4)
    # kappa_a = -kappa_b: kappa^2 < 0 weakens s, kappa_a + kappa_b = 0 kills d
    ev = P.linearized_eigenvalues(p45, V=V, kappa_a=0.5, kappa_b=-0.5, Omega=OM, T=100.0)
    assert ev["d"] == 0.0
    d = P.solve_gap(p45, V=V, kappa_a=3.0, kappa_b=0.0, Omega=OM)   # kappa^2 = 0, strong eta eta' term
    assert d.channel == "d"
    assert d.coef_alpha[0] == 0.0 and d.coef_alpha[1] > 0 and d.coef_beta[1] > 0   # same-sign d on both sheets
    assert np.allclose(d.delta_alpha(0.3, 0.3), 0.0)                                # node on the diagonal


# ---------------------------------------------------------------- accuracy and convergence


def test_convergence_and_error_estimate(p45):
    V = P.V_for_lambda(p45, 0.4)
    kw = dict(V=V, kappa_a=0.75, kappa_b=0.75, Omega=OM)
    ref = P.solve_gap(p45, n_k=1024, **kw)
    c_ref = np.array(ref.coef_alpha + ref.coef_beta)
    errs = {}
    for n_k in (128, 256, 512):
        sol = P.solve_gap(p45, n_k=n_k, **kw)
        err = np.max(np.abs(np.array(sol.coef_alpha + sol.coef_beta) - c_ref)) / np.max(np.abs(c_ref))
        assert err <= 1.5 * sol.error_estimate + 1e-7      # the reported estimate bounds the error
        assert sol.residual < 1e-12
        errs[n_k] = err
    assert errs[256] < 2e-5 and errs[512] < 5e-6
    assert errs[512] < errs[128]
    assert ref.error_estimate < 2e-6


def test_tc_converges_and_gap_closes(p45):
    V = P.V_for_lambda(p45, 0.3)
    kw = dict(V=V, kappa_a=0.5, kappa_b=0.5, Omega=OM)
    out = P.critical_temperature(p45, full_output=True, **kw)
    fine = P.critical_temperature(p45, n_k=512, **kw)
    assert out.channel == "s"
    assert out.Tc == pytest.approx(fine, rel=1e-5)
    assert P.solve_gap(p45, T=out.Tc * 1.001, **kw).channel == "normal"
    below = P.solve_gap(p45, T=out.Tc * 0.99, **kw)
    assert below.channel == "s" and below.gap_alpha > 0
    # mean-field onset: Delta^2 linear in (Tc - T) near Tc
    d1 = P.solve_gap(p45, T=out.Tc * 0.995, **kw).gap_alpha
    assert (below.gap_alpha / d1) ** 2 == pytest.approx(2.0, rel=0.02)
    ev = P.linearized_eigenvalues(p45, T=out.Tc, **kw)
    assert ev["s"] == pytest.approx(1.0, abs=1e-4)   # single grid vs extrapolated T_c


def test_gap_vs_temperature_curve(p45):
    V = P.V_for_lambda(p45, 0.3)
    kw = dict(V=V, kappa_a=0.5, kappa_b=0.5, Omega=OM)
    Tc = P.critical_temperature(p45, **kw)
    T = np.linspace(0, 1.1 * Tc, 12)
    c = P.gap_vs_temperature(p45, temperatures=T, **kw)
    assert c.Tc == pytest.approx(Tc, rel=1e-6)
    assert np.all(np.diff(c.gap_alpha) <= 1e-12) and np.all(np.diff(c.gap_beta) <= 1e-12)
    assert c.gap_alpha[-1] == 0.0
    s0 = P.solve_gap(p45, T=0.0, **kw)
    assert c.gap_alpha[0] == pytest.approx(s0.gap_alpha, rel=1e-8)


def test_naive_reference_agrees_roughly(p45):
    V = P.V_for_lambda(p45, 0.4)
    ca, cb, it = P.naive_solve_gap(p45, V=V, kappa_a=0.75, kappa_b=0.75, Omega=OM, n_grid=256, start=0.05)
    sol = P.solve_gap(p45, V=V, kappa_a=0.75, kappa_b=0.75, Omega=OM)
    assert abs(ca[0]) == pytest.approx(sol.gap_alpha, rel=5e-3)
    assert abs(cb[0]) == pytest.approx(sol.gap_beta, rel=5e-3)


def test_kappa_raises_effective_coupling(p45):
    V = P.V_for_lambda(p45, 0.4)
    assert P.effective_coupling(p45, V, 0.0, 0.0) == pytest.approx(0.4, rel=1e-6)
    assert P.effective_coupling(p45, V, 0.75, 0.75) > 0.5
    s0 = P.solve_gap(p45, V=V, kappa_a=0, kappa_b=0, Omega=OM)
    s1 = P.solve_gap(p45, V=V, kappa_a=0.75, kappa_b=0.75, Omega=OM)
    assert s1.gap_alpha > 1.3 * s0.gap_alpha
    # only kappa_a kappa_b enters the s channel
    s2 = P.solve_gap(p45, V=V, kappa_a=1.125, kappa_b=0.5, Omega=OM)
    assert np.allclose(s2.coef_alpha, s1.coef_alpha, rtol=1e-9)


# ---------------------------------------------------------------- bad input


def test_bad_input(p45):
    V = 0.9
    with pytest.raises(ValueError, match="V"):
        P.solve_gap(p45, V=-1.0, kappa_a=0, kappa_b=0)
    with pytest.raises(ValueError, match="Omega"):
        P.solve_gap(p45, V=V, kappa_a=0, kappa_b=0, Omega=0.0)
    with pytest.raises(ValueError, match="T"):
        P.solve_gap(p45, V=V, kappa_a=0, kappa_b=0, T=-1.0)
    with pytest.raises(ValueError, match="kappa_a"):
        P.solve_gap(p45, V=V, kappa_a=float("nan"), kappa_b=0)
    with pytest.raises(ValueError, match="n_k"):
        P.solve_gap(p45, V=V, kappa_a=0, kappa_b=0, n_k=101)
    with pytest.raises(TypeError, match="p must"):
        P.solve_gap((0.45, -0.23, 0.07, 0.4, 0.1, -0.65), V=V, kappa_a=0, kappa_b=0)
    with pytest.raises(ValueError, match="Fermi surface"):
        P.solve_gap(dataclasses.replace(p45, mu=-3.0), V=V, kappa_a=0, kappa_b=0)
    with pytest.raises(ValueError, match="channel"):
        P.critical_temperature(p45, V=V, kappa_a=0, kappa_b=0, Omega=OM, channel="p")
    with pytest.raises(ValueError, match="guess"):
        P.solve_gap(p45, V=V, kappa_a=0, kappa_b=0, guess=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="lam"):
        P.gap_ratio_eq18(2.0, 2.5)
    with pytest.raises(ValueError, match="N_ratio"):
        P.gap_ratio_eq18(-1.0, 0.3)


def test_nonconvergence_raises_with_state(p45):
    V = P.V_for_lambda(p45, 0.4)
    t0 = time.perf_counter()
    with pytest.raises(ConvergenceError, match="did not converge in 1 iterations") as exc:
        P.solve_gap(p45, V=V, kappa_a=0.75, kappa_b=0.75, Omega=OM, maxiter=1, rtol=1e-14)
    assert time.perf_counter() - t0 < 10.0                          # bounded
    assert exc.value.iterations == 1 and exc.value.residual > 0
    # the last iterate is a step towards the solution: s+- signs and the right scale
    ref = P.solve_gap(p45, V=V, kappa_a=0.75, kappa_b=0.75, Omega=OM, n_k=64)
    last = np.abs(np.asarray(exc.value.last))
    assert last[0] == pytest.approx(ref.gap_alpha, rel=0.5)
    with pytest.raises(ConvergenceError, match="linear mixing did not converge in 3 iterations"):
        P.naive_solve_gap(p45, V=V, kappa_a=0, kappa_b=0, n_grid=32, maxiter=3)


# ---------------------------------------------------------------- widget


def test_explorer_redraws_on_slider_change():
    pytest.importorskip("ipywidgets")
    from nickelates.viz import pairing as vp

    e = vp.explorer(lam=0.4, kappa_a=0.75, kappa_b=0.75, n_c=0.45, Omega=0.3, n_k=64)
    r0, ga0 = e.data["ratio"], e.data["gap_alpha"]
    assert e.data["channel"] == "s" and r0 > 1
    e.sliders["lam"].value = 0.3
    assert e.data["lam"] == pytest.approx(0.3)
    assert e.data["gap_alpha"] < ga0
    e.sliders["n_c"].value = 0.6               # smaller N_beta/N_alpha -> smaller ratio
    assert sum(B.fillings(B.BandParams(**e.data["params"]))) == pytest.approx(0.6, abs=1e-8)
    assert e.data["ratio"] < r0
    e.sliders["kappa_a"].value = 0.0           # kappa^2 = 0: isotropic gaps
    th, d = e.data["curves"]["alpha"]
    assert np.ptp(d) < 1e-12
    e.sliders["Omega"].value = 0.4
    assert e.data["solution"].Omega == pytest.approx(0.4)
    assert e.data["comparison"].ratio == e.data["ratio"]
    from nickelates.viz import pairing as vp_old     # the old computing names still import from viz
    assert vp_old.ratio_sweep is P.ratio_sweep and vp_old.fig4_solutions is P.compare_gap_cases
    assert vp_old.fs_gap_curves is P.fermi_surface_gaps and vp_old.FIG4_CASES is P.FIG4_CASES
    assert vp_old.gap_state(0.4, 0.0, 0.0, n_k=64).ratio == pytest.approx(
        P.compare_gaps(B.with_density(P3, 0.45), lam=0.4, kappa_a=0.0, kappa_b=0.0, n_k=64).ratio)


# ---------------------------------------------------------------- numbers that pin the chapter's figures


def test_fig4_numbers(p45, bands_v1_045):
    """Fig. 4 (right), v3, lambda = 0.4: diagonal gaps, maxima, anisotropy vs Eq. (16)."""
    V = P.V_for_lambda(p45, 0.4)
    ex = P.solve_gap(p45, V=V, kappa_a=0.75, kappa_b=0.75, Omega=OM)
    an = P.analytic_gaps(p45, V=V, kappa_a=0.75, kappa_b=0.75, Omega=OM)
    assert ex.gap_alpha == pytest.approx(0.09363, rel=1e-3)
    assert ex.gap_beta == pytest.approx(0.05110, rel=1e-3)
    assert ex.fermi_surface_extrema("alpha")[1] == pytest.approx(0.1571, rel=2e-3)
    assert ex.coef_alpha[2] / ex.coef_alpha[0] == pytest.approx(1.047, rel=2e-3)
    assert an.anis_alpha == pytest.approx(1.012, rel=2e-3)
    assert an.Delta_alpha == pytest.approx(0.06560, rel=1e-3) and an.ratio == pytest.approx(1.774, rel=1e-3)
    assert ex.fermi_surface_extrema("alpha")[0] > ex.fermi_surface_extrema("beta")[1]
    Tc = P.critical_temperature(p45, V=V, kappa_a=0.75, kappa_b=0.75, Omega=OM)
    assert Tc == pytest.approx(647.49, rel=1e-4)
    # v1 bands, kappa = 0.75, lambda = 0.5
    q1 = bands_v1_045
    s1 = P.solve_gap(q1, V=P.V_for_lambda(q1, 0.5), kappa_a=0.75, kappa_b=0.75, Omega=OM)
    assert s1.gap_alpha == pytest.approx(0.1371, rel=1e-3) and s1.gap_beta == pytest.approx(0.0755, rel=2e-3)


def test_fig3_numbers():
    """Fig. 3 (right): exact ratios against Eq. (18) at two fillings."""
    q = B.with_density(P3, 0.433)
    d = B.fermi_level_dos(q)
    assert d.N_beta / d.N_alpha == pytest.approx(2.670, rel=1e-3)
    s = P.solve_gap(q, V=P.V_for_lambda(q, 0.3), kappa_a=0, kappa_b=0, Omega=OM)
    assert s.ratio == pytest.approx(1.7625, rel=1e-3)
    assert s.ratio == pytest.approx(float(P.gap_ratio_eq18(2.670, 0.3)), rel=0.02)
    q = B.with_density(P3, 0.36)
    s = P.solve_gap(q, V=P.V_for_lambda(q, 0.6), kappa_a=0, kappa_b=0, Omega=OM)
    assert s.ratio == pytest.approx(1.954, rel=2e-3)      # Eq. (18) gives 2.64 next to the van Hove filling


# ---------------------------------------------------------------- moved from viz: sweeps and comparisons


def test_ratio_sweep_against_eq18_and_solve_gap(p45):
    sw = P.ratio_sweep([0.45, 0.6], lams=(0.3,), n_k=128)
    d = B.fermi_level_dos(p45)
    assert sw.dos_ratio[0] == pytest.approx(d.N_beta / d.N_alpha, rel=1e-12)
    assert sw.dos_ratio[1] < sw.dos_ratio[0]                       # N_beta/N_alpha falls with filling
    x, y = sw.curve(0.3)
    assert np.all(np.abs(y / P.gap_ratio_eq18(x, 0.3) - 1) < 0.08)  # Eq. (18) within the chapter's 8 %
    direct = P.solve_gap(p45, V=P.V_for_lambda(p45, 0.3), kappa_a=0, kappa_b=0, Omega=OM, n_k=128)
    assert y[0] == pytest.approx(direct.ratio, rel=1e-12)
    with pytest.raises(ValueError, match="lam"):
        sw.curve(0.6)
    with pytest.raises(ValueError, match="n_c"):
        P.ratio_sweep([2.5], lams=(0.3,))
    with pytest.raises(TypeError, match="lams"):
        P.ratio_sweep([0.45], lams=("0.3",))


def test_compare_gaps_and_cases(p45):
    cs = P.compare_gap_cases(P.FIG4_CASES[1:2], n_c=0.45, n_k=256)
    c = cs[0]
    assert c.label == "v3, κ = 0.75" and c.lam == 0.4 and c.channel == "s"
    assert c.exact.gap_alpha == pytest.approx(0.09363, rel=1e-3)        # same as test_fig4_numbers
    assert c.analytic.gap_alpha == pytest.approx(0.06560, rel=1e-3)
    assert c.ratio_eq18 == pytest.approx(1.774, rel=1e-3) and c.V == pytest.approx(P.V_for_lambda(p45, 0.4))
    label, lam, ex, an = c                                             # still unpacks like the old tuples
    assert ex is c.exact and an is c.analytic and c.p == p45
    curves = P.fermi_surface_gaps(ex, 720)
    th, da = curves["alpha"]
    assert np.all(da >= 0) and da.min() == pytest.approx(ex.gap_alpha, rel=1e-4)   # minimum on the diagonal
    with pytest.raises(TypeError, match="solution"):
        P.fermi_surface_gaps({"alpha": 1.0})
    with pytest.raises(TypeError, match="cases"):
        P.compare_gap_cases([("v3", P3, 0.4)])
    with pytest.raises(TypeError, match="label"):
        P.compare_gaps(p45, lam=0.4, kappa_a=0, kappa_b=0, label=3)


# ---------------------------------------------------------------- domains and hardening


def test_analytic_gaps_domain(p45):
    """lambda = 2 used to divide by zero; the validity condition of Eq. (18) is now a ValueError."""
    V2 = P.V_for_lambda(p45, 2.0)
    with pytest.raises(ValueError, match="Eq. \\(18\\) holds for lambda"):
        P.analytic_gaps(p45, V=V2, kappa_a=0, kappa_b=0, Omega=OM)
    # lambda |ln N_beta/N_alpha| / (2 - lambda) < 2 is violated already below lambda = 2
    lam_max = 4 / (2 + math.log(B.fermi_level_dos(p45).N_beta / B.fermi_level_dos(p45).N_alpha))
    with pytest.raises(ValueError, match="lambda"):
        P.analytic_gaps(p45, V=P.V_for_lambda(p45, lam_max * 1.001), kappa_a=0, kappa_b=0, Omega=OM)
    ok = P.analytic_gaps(p45, V=P.V_for_lambda(p45, lam_max * 0.999), kappa_a=0, kappa_b=0, Omega=OM)
    assert ok.valid and math.isfinite(ok.gap_alpha)
    with pytest.raises(ValueError, match="1/700"):
        P.analytic_gaps(p45, V=1e-4, kappa_a=0, kappa_b=0, Omega=OM)
    with pytest.raises(ValueError, match="lam"):
        P.gap_ratio_eq18(2.0, 2.0)
    with pytest.raises(ValueError, match="Eq. \\(18\\) needs"):
        P.gap_ratio_eq18(1e300, 1.9)
    assert float(P.gap_ratio_eq18(1e300, 0.0)) == pytest.approx(1e150)


def test_solve_log_equations_domain():
    with pytest.raises(ValueError, match="1/700"):
        P.solve_log_equations(0.3, 0.7, 1e-5, 0.3)
    with pytest.raises(ValueError, match="N_alpha"):
        P.solve_log_equations(1e300, 0.7, 1.0, 0.3)
    with pytest.raises(ValueError, match="V"):
        P.solve_log_equations(0.3, 0.7, 5e-324, 0.3)                      # subnormal
    with pytest.raises(TypeError, match="Omega"):
        P.solve_log_equations(0.3, 0.7, 1.0, "0.3")
    Da, Db = P.solve_log_equations(0.01, 100.0, 0.8, 0.3)        # extreme DOS ratio: both logs stay positive
    assert 0 < Db < Da < 2 * 0.3


@settings(max_examples=30)
@given(Na=st.floats(0.05, 5.0), Nb=st.floats(0.05, 5.0), lam=st.floats(0.05, 0.8), Om=st.floats(0.01, 1.0))
def test_log_equations_property(Na, Nb, lam, Om):
    """Eq. (17) holds at the returned gaps; the larger gap is on the band with the smaller DOS."""
    V = lam / math.sqrt(Na * Nb)
    try:
        Da, Db = P.solve_log_equations(Na, Nb, V, Om)
    except ValueError as exc:                          # only the documented domain may refuse
        assert "double precision" in str(exc)
        return
    assert Da == pytest.approx(V * Nb * Db * math.log(2 * Om / Db), rel=1e-8)
    assert Db == pytest.approx(V * Na * Da * math.log(2 * Om / Da), rel=1e-8)
    assert (Da - Db) * (Nb - Na) >= -1e-300


def test_bad_sizes_iterations_and_tolerances(p45):
    kw = dict(V=1.0, kappa_a=0.5, kappa_b=0.5)
    with pytest.raises(ValueError, match="maxiter"):
        P.solve_gap(p45, maxiter=0, **kw)
    with pytest.raises(TypeError, match="maxiter"):
        P.solve_gap(p45, maxiter=2.5, **kw)
    with pytest.raises(ValueError, match="rtol"):
        P.solve_gap(p45, rtol=float("nan"), **kw)
    with pytest.raises(ValueError, match="rtol"):
        P.gap_vs_temperature(p45, temperatures=[0.0], rtol=float("inf"), **kw)
    with pytest.raises(ValueError, match="tol"):
        P.naive_solve_gap(p45, tol=float("nan"), **kw)
    with pytest.raises(ValueError, match="mixing"):
        P.naive_solve_gap(p45, mixing=0.0, **kw)
    with pytest.raises(ValueError, match="n_k"):
        P.solve_gap(p45, n_k=8192, **kw)
    with pytest.raises(ValueError, match="24 GB"):
        P.shell_quadrature(p45, OM, n_k=4096, n_gauss=20)
    with pytest.raises(ValueError, match="n_theta"):
        P.shell_quadrature(p45, OM, n_theta=10 ** 6)
    with pytest.raises(ValueError, match="n_grid"):
        P.naive_solve_gap(p45, n_grid=10 ** 5, **kw)
    with pytest.raises(ValueError, match="temperatures"):
        P.gap_vs_temperature(p45, temperatures=[], **kw)
    with pytest.raises(ValueError, match="temperatures"):
        P.gap_vs_temperature(p45, temperatures=[-1.0, 10.0], **kw)
    with pytest.raises(TypeError, match="temperatures"):
        P.gap_vs_temperature(p45, temperatures=[1 + 1j], **kw)
    with pytest.raises(TypeError, match="guess"):
        P.solve_gap(p45, guess=(True, False), **kw)
    with pytest.raises(ValueError, match="bracket"):
        P.omega_for_critical_temperature(p45, Tc=72.0, bracket=(0.5, 0.1), **kw)
    with pytest.raises(TypeError, match="extrapolate"):
        P.solve_gap(p45, extrapolate="no", **kw)


def test_public_helpers_validate(p45):
    with pytest.raises(TypeError, match="p must"):
        P.fermi_surface_moments("p45")
    with pytest.raises(ValueError, match="n_theta"):
        P.fermi_surface_moments(p45, 4)
    with pytest.raises(ValueError, match="kappa_a"):
        P.effective_coupling(p45, 1.0, 11.0, 0.0)
    with pytest.raises(ValueError, match="V"):
        P.effective_coupling(p45, -1.0, 0.5, 0.5)
    with pytest.raises(ValueError, match="lam"):
        P.V_for_lambda(p45, 0.0)
    with pytest.raises(ValueError, match="V"):
        P.coupling_lambda(p45, float("inf"))
    with pytest.raises(ValueError, match="T"):
        P.linearized_eigenvalues(p45, V=1.0, kappa_a=0, kappa_b=0, Omega=OM, T=0.0)
    with pytest.raises(ValueError, match="Fermi surface"):
        P.effective_cutoffs(dataclasses.replace(p45, mu=-3.0), OM)
    # moments: N is the Fermi-level DOS, Nt/N the eta^2 average, Nt2 >= Nt^2/N (Cauchy-Schwarz)
    m = P.fermi_surface_moments(p45)
    d = B.fermi_level_dos(p45)
    for band, N, Nt in (("alpha", d.N_alpha, d.Nt_alpha), ("beta", d.N_beta, d.Nt_beta)):
        assert m[band][0] == pytest.approx(N, rel=1e-8) and m[band][1] == pytest.approx(Nt, rel=1e-8)
        assert m[band][2] >= m[band][1] ** 2 / m[band][0]


def test_clear_cache_rebuilds_identical_quadrature(p45):
    q1 = P.shell_quadrature(p45, OM, n_k=32)
    assert P.shell_quadrature(p45, OM, n_k=32) is q1
    P.clear_cache()
    q2 = P.shell_quadrature(p45, OM, n_k=32)
    assert q2 is not q1 and np.array_equal(q2.w["beta"], q1.w["beta"])
    assert q2.size == q1.size


@settings(max_examples=12)
@given(lam=st.floats(0.25, 0.6), kappa=st.floats(0.0, 1.0), n_c=st.floats(0.4, 0.8))
def test_gap_solution_has_s_pm_structure(lam, kappa, n_c):
    """Over the paper's box: s+- (opposite signs), C4 symmetric, minimum on the diagonal, |Delta_alpha| larger."""
    q = B.with_density(P3, round(n_c, 3))
    sol = P.solve_gap(q, V=P.V_for_lambda(q, lam), kappa_a=kappa, kappa_b=kappa, Omega=OM, n_k=64,
                      extrapolate=False)
    assert sol.channel == "s"
    assert sol.coef_alpha[0] > 0 > sol.coef_beta[0]
    assert sol.coef_alpha[1] == sol.coef_beta[1] == 0.0
    # c/a has the sign of kappa^2 (>= 0): the gap grows away from the diagonal
    assert sol.coef_alpha[2] / sol.coef_alpha[0] >= -1e-12 and sol.coef_beta[2] / sol.coef_beta[0] >= -1e-12
    assert sol.gap_alpha > sol.gap_beta
    kx, ky = 0.3, 1.1
    assert float(sol.delta_alpha(kx, ky)) == pytest.approx(float(sol.delta_alpha(-ky, kx)), rel=1e-12)


def test_single_band_kappa0_matches_bcs_formula(single_band):
    """Identical bands, kappa = 0, lambda = 0.2: the log equations with the effective cutoffs give the exact gap."""
    V = P.V_for_lambda(single_band, 0.2)
    sol = P.solve_gap(single_band, V=V, kappa_a=0, kappa_b=0, Omega=OM)
    Om_a, Om_b = P.effective_cutoffs(single_band, OM)
    assert Om_a == pytest.approx(Om_b, rel=1e-10)                      # the bands coincide
    Da, Db = P.solve_log_equations(*B.fermi_level_dos(single_band)[:2], V, (Om_a, Om_b))
    assert Da == pytest.approx(Db, rel=1e-12)
    assert sol.gap_alpha == pytest.approx(Da, rel=1e-3)


def test_figure_impurity_tc_draws_and_checks_input():
    import matplotlib.pyplot as plt

    from nickelates import fluctuations as F
    from nickelates.viz import pairing as vp

    g = np.linspace(0.0, 30.0, 7)
    tu = [F.interband_impurity_tc(x * 1e-3, 370.0, 0.42, 2.5) for x in g]
    te = [F.abrikosov_gorkov_tc(x * 1e-3, 370.0) for x in g]
    fig = vp.figure_impurity_tc(g, tu, te)
    lines = fig.axes[0].get_lines()
    assert np.allclose(lines[0].get_ydata(), tu) and np.allclose(lines[1].get_ydata(), te)
    plt.close(fig)
    with pytest.raises(ValueError, match="same length"):
        vp.figure_impurity_tc(g, tu[:-1], te)


def test_ratio_sweep_names_lams():
    """Issue 25: a bad coupling in ``lams`` is blamed on ``lams`` (the argument given), not ``lam``."""
    with pytest.raises(ValueError, match=r"^lams: every coupling must lie in \(0, 10\]"):
        P.ratio_sweep([0.45], lams=np.zeros(1), n_k=64)

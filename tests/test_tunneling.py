"""Tests of nickelates.tunneling (chapter 5): STM and Andreev spectra of the triplon gaps."""
import importlib.util

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nickelates import bands, btk, paths, tunneling
from nickelates.errors import ConvergenceError

W = np.linspace(-200.0, 200.0, 4001)       # meV, the chapter's grid
BIAS = np.linspace(-150.0, 150.0, 301)     # mV


@pytest.fixture(scope="module")
def fig5():
    return tunneling.fig5_spectra(W)


def _eta2(kx, ky):
    return (np.cos(kx) - np.cos(ky)) ** 2


def _anisotropic(delta_eV, a):
    """Delta (1 + a eta^2): the form of Eq. (16), no sign change on a sheet for a >= 0."""
    return lambda kx, ky: delta_eV * (1.0 + a * _eta2(kx, ky))


gaps_eV = st.floats(0.0, 0.1)
anis = st.floats(0.0, 1.0)
signs = st.sampled_from([1.0, -1.0])


# ------------------------------------------------------------------ STM
def test_stm_weights_and_bcs_tail(bands_045, fig5):
    ex = fig5.exact
    w = np.array([-3000.0, -2000.0, 2000.0, 3000.0])
    s = tunneling.stm_spectrum(w, bands_045, ex.delta_alpha, ex.delta_beta)
    # BCS tail of every point of the sheet: 1 + Delta^2/(2 omega^2), between the min and max gap
    lo = 1 + (min(ex.extrema["beta"][0], ex.extrema["alpha"][0]) / w) ** 2 / 2
    hi = 1 + (max(ex.extrema["beta"][1], ex.extrema["alpha"][1]) / w) ** 2 / 2
    assert np.all(s.total > lo - 1e-5) and np.all(s.total < hi + 1e-5)
    # band weights from the hand formula (p^z + r p^x) N with the default p^z
    pz = bands.orbital_content(bands_045, tunneling.T_XZ_PAPER)
    dos = bands.fermi_level_dos(bands_045)
    wa, wb = (pz[0] + 0.7 * (1 - pz[0])) * dos.N_alpha, (pz[1] + 0.7 * (1 - pz[1])) * dos.N_beta
    assert s.weights[0] == pytest.approx(wa / (wa + wb), rel=1e-12)
    assert s.weights[1] > 2 * s.weights[0]       # the beta band dominates (chapter 5)


def test_stm_isotropic_equals_dynes(bands_045):
    s = tunneling.stm_spectrum(W, bands_045, 0.04, -0.02, gamma_alpha=2.0, gamma_beta=1.0)
    ref = s.weights[0] * btk.dynes_dos(W, 40.0, 2.0) + s.weights[1] * btk.dynes_dos(W, 20.0, 1.0)
    assert np.max(np.abs(s.total - ref)) < 1e-12


def test_stm_one_orbital_channel_is_enough(bands_045):
    """r = 0 with p^z = (0.1, 0): only alpha is seen (its weight is 1)."""
    s = tunneling.stm_spectrum(W, bands_045, 0.04, 0.02, r=0.0, pz=(0.1, 0.0))
    assert s.weights == (1.0, 0.0)
    assert np.allclose(s.total, btk.dynes_dos(W, 40.0, 2.0), atol=1e-12)


def test_stm_zero_orbital_weights_raise(bands_045):
    """Old behaviour: NaN spectrum. The tip couples to nothing: a ValueError says so."""
    with pytest.raises(ValueError, match="orbital weights must not all be zero"):
        tunneling.stm_spectrum(W, bands_045, 0.04, 0.02, r=0.0, pz=(0.0, 0.0))


@given(da=gaps_eV, db=gaps_eV, aa=anis, ab=anis, sb=signs, r=st.floats(0.0, 1.0),
       ga=st.floats(0.05, 20.0), gb=st.floats(0.05, 20.0),
       omega=st.lists(st.floats(-500.0, 500.0), min_size=1, max_size=30))
def test_stm_properties(bands_045, da, db, aa, ab, sb, r, ga, gb, omega):
    """Finite, >= 0, symmetric in bias, the normal value far from the gaps."""
    w = np.concatenate([omega, [5e4]])
    s = tunneling.stm_spectrum(w, bands_045, _anisotropic(da, aa), _anisotropic(sb * db, ab), r=r,
                               gamma_alpha=ga, gamma_beta=gb, pz=(0.15, 0.06), n_theta=32)
    m = tunneling.stm_spectrum(-w, bands_045, _anisotropic(da, aa), _anisotropic(sb * db, ab), r=r,
                               gamma_alpha=ga, gamma_beta=gb, pz=(0.15, 0.06), n_theta=32)
    assert np.all(np.isfinite(s.total)) and np.all(s.total >= 0)
    assert np.array_equal(s.total, m.total)                       # particle-hole symmetric model
    assert s.total[-1] == pytest.approx(1.0, abs=1e-5)           # |omega| >> Delta, Gamma
    assert np.allclose(s.total, s.alpha + s.beta, rtol=0, atol=1e-14)


def test_fig5_peaks_analytic_gaps(fig5):
    """Fig. 5 (v3): beta peak near 40 meV, weaker alpha peak near 70 meV (Eq. 16+18 gaps, kappa = 0.3)."""
    an, s = fig5.analytic, fig5.stm_analytic
    (wb, hb, _), (wa, ha, _) = sorted(tunneling.peak_positions(W, s.total)[:2])
    assert 37.0 <= wb <= 43.0
    assert 66.0 <= wa <= 74.0
    assert hb > ha                      # the beta peak dominates
    # peaks sit at the gap maxima on the sheets (log singularity) ...
    assert abs(wb - an.extrema["beta"][1]) < 1.0
    assert abs(wa - an.extrema["alpha"][1]) < 1.0
    # ... and the shoulders (steepest rise) at the gap minima (step of the averaged DOS)
    slopes = np.array([x[0] for x in tunneling.slope_maxima(W, s.total)])
    for band in ("beta", "alpha"):
        assert min(abs(slopes - an.extrema[band][0])) < 1.5


def test_fig5_peaks_exact_gaps(fig5):
    wb, wa = sorted(x[0] for x in tunneling.peak_positions(W, fig5.stm_exact.total)[:2])
    assert wb == pytest.approx(44.7, abs=1.0)
    assert wa == pytest.approx(78.6, abs=1.0)
    assert fig5.setting == tunneling.FIG5


def test_kappa_zero_has_no_shoulder(fig5):
    mg = fig5.kappa0
    assert mg.kappa == 0.0
    assert mg.extrema["alpha"][0] == pytest.approx(mg.extrema["alpha"][1], rel=1e-12)
    wb, wa = sorted(x[0] for x in tunneling.peak_positions(W, fig5.stm_kappa0.total)[:2])
    assert wb == pytest.approx(37.6, abs=0.3) and wa == pytest.approx(66.8, abs=0.3)


def test_fermi_surface_dos_averages(bands_045):
    """A two-valued gap: the DOS is the weighted mean of the two Dynes DOS (weights from the sheet)."""
    fs = bands.fermi_surface(bands_045, "alpha", n_theta=64)
    gap = np.where(np.arange(64) % 2 == 0, 10.0, 30.0)
    wts = fs.weight / fs.weight.sum()
    f = wts[::2].sum()
    ref = f * btk.dynes_dos(W, 10.0, 1.0) + (1 - f) * btk.dynes_dos(W, 30.0, 1.0)
    assert np.allclose(tunneling.fermi_surface_dos(W, fs, gap, 1.0), ref, atol=1e-12)
    ref_angle = 0.5 * (btk.dynes_dos(W, 10.0, 1.0) + btk.dynes_dos(W, 30.0, 1.0))
    assert np.allclose(tunneling.fermi_surface_dos(W, fs, gap, 1.0, average="angle"), ref_angle, atol=1e-12)
    assert np.allclose(tunneling.fermi_surface_dos(W, fs, np.zeros(64), 1.0), 1.0, rtol=0, atol=1e-12)


def test_gap_on_sheet_and_extrema(bands_045):
    fs = bands.fermi_surface(bands_045, "beta", n_theta=64)
    g = tunneling.gap_on_sheet(lambda kx, ky: 0.01 * _eta2(kx, ky), fs)
    assert np.allclose(g, 0.01 * _eta2(fs.kx, fs.ky))
    lo, hi = tunneling.gap_extrema(bands_045, lambda kx, ky: 0.01 * (1 + _eta2(kx, ky)), "beta", n_theta=64)
    assert lo == pytest.approx(10.0, abs=1e-6)    # eta = 0 on the diagonal point of the sheet
    assert hi == pytest.approx(10.0 * (1 + np.max(_eta2(fs.kx, fs.ky))), rel=1e-12)


# ------------------------------------------------------------------ Andreev
def test_andreev_normalized_far_from_gaps(bands_045, fig5):
    ex = fig5.exact
    s = tunneling.andreev_spectrum(np.linspace(-800, 800, 81), bands_045, ex.delta_alpha, ex.delta_beta)
    assert np.allclose(s.total[[0, -1]], 1.0, atol=0.01)
    assert np.allclose(s.total, s.alpha + s.beta)


def test_andreev_isotropic_c_axis_equals_btk(bands_045):
    s = tunneling.andreev_spectrum(BIAS, bands_045, 0.023, 0.006, interface="c")
    dos = bands.fermi_level_dos(bands_045)
    ga, gb = dos.N_alpha / (1 + 0.58 ** 2), dos.N_beta / (1 + 0.40 ** 2)   # normal-state conductances
    assert s.weights[0] == pytest.approx(ga / (ga + gb), rel=1e-12)
    gaps = [btk.Gap(23.0, 0.58, 6.6, s.weights[0]), btk.Gap(6.0, 0.40, 4.0, s.weights[1])]
    ref = btk.conductance_multi(BIAS, gaps, 3.0, angle_resolved=False)
    assert np.max(np.abs(s.total - ref)) < 1e-9


def test_andreev_tunnel_limit_is_dynes(bands_045):
    """Z -> infinity at T = 0: every trajectory reduces to the Dynes DOS of its gap."""
    s = tunneling.andreev_spectrum(BIAS, bands_045, 0.03, 0.01, T=0.0, Z_alpha=300.0, Z_beta=300.0,
                                   gamma_alpha=2.0, gamma_beta=1.0, weights=(0.5, 0.5))
    ref = 0.5 * btk.dynes_dos(BIAS, 30.0, 2.0) + 0.5 * btk.dynes_dos(BIAS, 10.0, 1.0)
    assert np.max(np.abs(s.total - ref)) < 2e-3


@given(da=st.floats(0.002, 0.05), db=st.floats(0.002, 0.05), aa=anis, ab=anis, sb=signs)
def test_andreev_perfect_andreev_reflection_inside_the_gap(bands_045, da, db, aa, ab, sb):
    """Z = 0, T = 0, no sign change on a sheet: G = 2 below the smallest gap, whatever the anisotropy."""
    e = np.linspace(-0.9, 0.9, 7) * 1e3 * min(da, db)
    s = tunneling.andreev_spectrum(e, bands_045, _anisotropic(da, aa), _anisotropic(sb * db, ab), T=0.0,
                                   Z_alpha=0.0, Z_beta=0.0, gamma_alpha=1e-6, gamma_beta=1e-6, n_theta=32)
    assert np.allclose(s.total, 2.0, atol=1e-4)


@given(da=gaps_eV, db=gaps_eV, aa=anis, ab=anis, sb=signs, dwave=st.booleans(),
       za=st.floats(0.0, 5.0), zb=st.floats(0.0, 5.0), ga=st.floats(0.1, 10.0), gb=st.floats(0.1, 10.0),
       T=st.one_of(st.just(0.0), st.floats(0.5, 20.0)), interface=st.sampled_from(tunneling.INTERFACES),
       bias=st.lists(st.floats(-100.0, 100.0), min_size=1, max_size=20))
def test_andreev_properties(bands_045, da, db, aa, ab, sb, dwave, za, zb, ga, gb, T, interface, bias):
    """G finite and >= 0, symmetric in bias; a d-wave gap on alpha is allowed (sign change on the sheet)."""
    ga_fun = (lambda kx, ky: da * (np.cos(kx) - np.cos(ky))) if dwave else _anisotropic(da, aa)
    kw = dict(T=T, Z_alpha=za, Z_beta=zb, gamma_alpha=ga, gamma_beta=gb, interface=interface, n_theta=32)
    b = np.asarray(bias)
    s = tunneling.andreev_spectrum(b, bands_045, ga_fun, _anisotropic(sb * db, ab), **kw)
    m = tunneling.andreev_spectrum(-b, bands_045, ga_fun, _anisotropic(sb * db, ab), **kw)
    assert np.all(np.isfinite(s.total)) and np.all(s.total >= 0)
    assert np.allclose(s.total, m.total, rtol=0, atol=1e-12)
    assert sum(s.weights) == pytest.approx(1.0)


@given(da=st.floats(0.0, 0.05), db=st.floats(0.0, 0.05), za=st.floats(0.0, 3.0), g=st.floats(0.1, 5.0))
def test_andreev_normal_value_at_large_bias(bands_045, da, db, za, g):
    s = tunneling.andreev_spectrum([-20000.0, 20000.0], bands_045, da, db, T=0.0, Z_alpha=za, Z_beta=za,
                                   gamma_alpha=g, gamma_beta=g, n_theta=32)
    assert np.allclose(s.total, 1.0, atol=1e-3)


def test_interband_sign_drops_out_intraband_sign_does_not(bands_045):
    ga = _anisotropic(0.03, 0.0)
    s1 = tunneling.andreev_spectrum(BIAS, bands_045, ga, 0.01)
    s2 = tunneling.andreev_spectrum(BIAS, bands_045, ga, -0.01)
    assert np.max(np.abs(s1.total - s2.total)) < 1e-12      # s+- == s++ for incoherent bands

    def dw(kx, ky):
        return 0.03 * (np.cos(kx) - np.cos(ky))

    kw = dict(T=0.5, Z_alpha=2.0, gamma_alpha=0.5, weights=(1.0, 0.0), interface="110")
    sd = tunneling.andreev_spectrum(BIAS, bands_045, dw, 0.01, **kw)
    sa = tunneling.andreev_spectrum(BIAS, bands_045, lambda kx, ky: np.abs(dw(kx, ky)), 0.01, **kw)
    i0 = np.argmin(np.abs(BIAS))
    assert sd.total[i0] > 1.5 and sd.total[i0] > 2 * sa.total[i0]   # (110) zero-bias peak of a sign-changing gap


def test_sheet_nodes_measure(bands_045):
    """(100) nodes: only v_x > 0 points, weights dl cos(theta), tau = cos^2/(cos^2 + Z^2)."""
    n = tunneling.sheet_nodes(bands_045, "beta", 0.01, 0.5, n_theta=64)
    fs = bands.fermi_surface(bands_045, "beta", n_theta=64)
    vx, vy = bands.velocity(fs.kx, fs.ky, bands_045, "beta")
    keep = vx / np.hypot(vx, vy) > 1e-12
    cos_t = (vx / np.hypot(vx, vy))[keep]
    assert np.allclose(n.weight, fs.arc[keep] * cos_t)
    assert np.allclose(n.tau, cos_t ** 2 / (cos_t ** 2 + 0.25))
    assert np.all(n.dplus == 10.0) and np.all(n.dminus == 10.0)


# ------------------------------------------------------------------ experimentalists' lens
def test_apparent_gaps_paper_parameters(fig5):
    an = fig5.analytic
    ap = tunneling.apparent_gaps(an.p, an.delta_alpha, an.delta_beta, starts=3)
    assert ap.delta1 == pytest.approx(69.1, abs=1.5)
    assert ap.delta2 == pytest.approx(38.4, abs=1.5)
    assert ap.ratio == pytest.approx(ap.delta1 / ap.delta2, rel=1e-12) and 1.6 < ap.ratio < 2.0
    assert ap.redchi < 1e-4


def test_apparent_gaps_isotropic_recovers_the_gaps(bands_045):
    """Isotropic gaps on a c-axis contact: the angle-resolved two-gap fit returns them to ~1 %
    (normal incidence vs the fit's cos(theta) average of a circular sheet is the only difference)."""
    ap = tunneling.apparent_gaps(bands_045, 0.023, -0.006, starts=2, interface="c")
    assert ap.delta1 == pytest.approx(23.0, rel=0.015) and ap.delta2 == pytest.approx(6.0, rel=0.03)


def test_lambda_for_gap_hits_target():
    lam = tunneling.lambda_for_gap(23.0, 0.45, 0.3, 0.3)
    assert 0.2 < lam < 0.3
    mg = tunneling.triplon_gaps(0.45, lam, 0.3, 0.3)
    assert max(mg.extrema["alpha"][1], mg.extrema["beta"][1]) == pytest.approx(23.0, abs=0.05)
    with pytest.raises(ValueError, match="target_meV = 5000.0 is not reached"):
        tunneling.lambda_for_gap(5000.0, 0.45, 0.3, 0.3, lam_bounds=(0.1, 0.5))


def test_lambda_for_gap_iteration_cap_raises_convergence_error():
    with pytest.raises(ConvergenceError, match="no root within 1 iterations") as info:
        tunneling.lambda_for_gap(30.0, 0.45, 0.0, source="eq18", maxiter=1, xtol=1e-12, lam_bounds=(0.1, 0.6))
    assert 0.1 < info.value.last < 0.6


def test_eq18_gap_ratio_matches_pairing():
    """triplon_gaps("eq18") at kappa = 0: ratio of the diagonal gaps = (N_beta/N_alpha)^(1/(2 - lambda))."""
    from nickelates import pairing

    mg = tunneling.triplon_gaps(0.45, 0.4, 0.0, 0.3, source="eq18")
    dos = bands.fermi_level_dos(mg.p)
    ref = float(pairing.gap_ratio_eq18(dos.N_beta / dos.N_alpha, 0.4))
    assert mg.extrema["alpha"][0] / mg.extrema["beta"][0] == pytest.approx(ref, rel=1e-9)


# ------------------------------------------------------------------ maps: validation before, failures reported
def test_apparent_gap_map_reports_failed_points():
    m = tunneling.apparent_gap_map([0.25, 0.45], [0.0], source="eq18", starts=1, n_bias=61, progress=False,
                                   n_theta=64)
    assert m.ok.tolist() == [[False], [True]]
    assert m.n_failed == 1 and m.failures[0].n_c == 0.25 and "star-shaped" in m.failures[0].reason
    assert np.isnan(m.ratio[0, 0]) and m.masked("ratio").count() == 1
    assert m.summary().splitlines()[0] == "2 points, 1 ok, 1 failed"
    assert "n_c = 0.25" in m.summary()
    with pytest.raises(ValueError, match="star-shaped"):
        tunneling.apparent_gap_map([0.25, 0.45], [0.0], source="eq18", progress=False, on_failure="raise")


def test_apparent_gap_map_records_convergence_errors(monkeypatch):
    real = tunneling.apparent_gaps

    def flaky(p, da, db, **kw):
        if abs(p.mu - bands.with_density(bands.PAPER_V3, 0.45).mu) < 1e-9:
            raise ConvergenceError("fit did not converge (test)")
        return real(p, da, db, **kw)

    monkeypatch.setattr(tunneling, "apparent_gaps", flaky)
    m = tunneling.apparent_gap_map([0.40, 0.45], [0.0], source="eq18", starts=1, n_bias=41, progress=False,
                                   n_theta=32)
    assert m.ok.tolist() == [[True], [False]]
    assert m.failures[0].reason.startswith("ConvergenceError: fit did not converge")


BAD_MAP_CALLS = [
    (dict(n_c_values=[0.4, 2.5]), ValueError, r"n_c_values\[1\] must lie in \(0.0, 2.0\)"),
    (dict(kappa_values=[-0.1]), ValueError, r"kappa_values\[0\] must lie in \[0.0, 3.0\]"),
    (dict(n_c_values=[]), ValueError, "n_c_values must have at least 1 entries"),
    (dict(n_c_values=[0.4 + 0j]), TypeError, "n_c_values must be real"),
    (dict(n_c_values=np.linspace(0.3, 1.0, 1000), kappa_values=np.linspace(0, 1, 1000)), ValueError,
     "map points"),
    (dict(starts=0), ValueError, r"starts must be an integer in \[1, 200\]"),
    (dict(progress="yes"), TypeError, "progress must be True or False"),
    (dict(on_failure="ignore"), ValueError, "on_failure must be one of"),
    (dict(T=-1.0), ValueError, r"T must lie in \[0.0, 1000.0\]"),
    (dict(gamma_beta=1e-310), ValueError, "gamma_beta must be a positive normal number"),
    (dict(Z_alpha=1e200), ValueError, "Z_alpha must lie in"),
    (dict(nonsense=1), TypeError, "unknown andreev_spectrum keywords"),
    (dict(lam=2.0), ValueError, r"lam must lie in \(0.0, 2.0\)"),
    (dict(Omega=1e-320), ValueError, r"Omega must lie in \[0.001, 2.0\]"),
    (dict(lam=0.3, target_meV=(23.0, 6.0)), ValueError, "either lam .* or target_meV"),
    (dict(target_meV=(23.0, 0.0)), ValueError, r"target_meV\[1\] must lie in"),
    (dict(target_meV=23.0), ValueError, "target_meV must be a 1-dimensional array"),
]


@pytest.mark.parametrize("bad,exc,match", BAD_MAP_CALLS)
def test_apparent_gap_map_rejects_bad_arguments_before_the_sweep(monkeypatch, bad, exc, match):
    calls = []
    monkeypatch.setattr(tunneling, "triplon_gaps", lambda *a, **k: calls.append(a))
    kw = dict(n_c_values=[0.45], kappa_values=[0.0], progress=False) | bad
    with pytest.raises(exc, match=match):
        tunneling.apparent_gap_map(**kw)
    assert calls == []


def test_magnitude_matched_map_and_distance():
    m = tunneling.apparent_gap_map([0.45, 0.25], [0.0], target_meV=(23.0, 6.0), lam_bounds=(0.1, 0.6),
                                   source="eq18", starts=1, n_bias=61, progress=False, n_theta=64)
    assert m.target_meV == (23.0, 6.0) and m.ok.tolist() == [[True], [False]]
    assert max(m.alpha_max[0, 0], m.beta_max[0, 0]) == pytest.approx(23.0, abs=0.01)
    d = m.distance()
    assert d[0, 0] == pytest.approx(np.hypot(np.log(m.delta1[0, 0] / 23.0), np.log(m.delta2[0, 0] / 6.0)))
    assert np.isnan(d[1, 0])
    with pytest.raises(ValueError, match="target_meV must be given"):
        tunneling.apparent_gap_map([0.45], [0.0], source="eq18", starts=1, n_bias=41, progress=False,
                                   n_theta=32).distance()


def test_map_arrays_round_trip(tmp_path):
    m = tunneling.apparent_gap_map([0.25, 0.45], [0.0, 0.3], source="eq18", starts=1, n_bias=41,
                                   progress=False, n_theta=32)
    np.savez(tmp_path / "m.npz", **m.to_arrays("match_"))
    back = tunneling.load_apparent_gap_map(tmp_path / "m.npz", prefix="match_")
    assert back.failures == m.failures and np.array_equal(back.ok, m.ok)
    assert np.array_equal(back.ratio, m.ratio, equal_nan=True) and np.array_equal(back.lam, m.lam, equal_nan=True)
    assert back.Omega == 0.3 and back.source == "eq18"


def test_stored_map_is_read_with_its_failures():
    """The committed file is read; its failed points are listed; both maps reach kappa = 2."""
    m = tunneling.load_apparent_gap_map()
    assert m.ratio.shape == (11, 11) and m.n_failed == 0 and np.all(np.isfinite(m.ratio))
    assert m.kappa.max() >= 1.6
    mm = tunneling.load_apparent_gap_map(prefix="match_")
    assert mm.kappa.max() >= 1.6
    with np.load(paths.data_file("apparent_gap_map.npz")) as raw:
        assert mm.n_failed == int(np.sum(~np.isfinite(raw["match_ratio"])))
        assert np.allclose(mm.redchi, raw["match_rms"] ** 2, equal_nan=True)
        assert np.allclose(mm.distance((23.0, 6.0)), raw["match_distance"], equal_nan=True)
        # the derived arrays stored beside ratio, for readers without the library
        for pre, mp in (("", m), ("match_", mm)):
            big = np.fmax(raw[pre + "alpha_max"], raw[pre + "beta_max"])
            assert np.allclose(raw[pre + "gap_over_Omega"], big / 300.0, equal_nan=True)
            assert np.allclose(raw[pre + "rms"], np.sqrt(raw[pre + "redchi"]), equal_nan=True)
            assert np.array_equal(mp.valid(), mp.ok & (big / 300.0 < 0.5) & (raw[pre + "rms"] < 1e-3))


def test_stored_map_beyond_kappa_one_against_the_review():
    """The review's numbers at n_c = 0.45 (issue 23): fixed lambda 3.40/3.69/4.24, matched 17.5/5.2 meV."""
    m = tunneling.load_apparent_gap_map()
    mm = tunneling.load_apparent_gap_map(prefix="match_")
    i = int(np.argmin(np.abs(m.n_c - 0.45)))
    cols = [int(np.argmin(np.abs(m.kappa - k))) for k in (1.1, 1.3, 1.6)]
    assert m.ratio[i, cols] == pytest.approx([3.40, 3.69, 4.24], rel=0.04)
    assert not m.valid()[i, cols].any()          # gaps near Omega, two-gap fits with rms > 1e-3
    assert m.gap_over_Omega[i, cols[-1]] > 1.0
    k = int(np.argmin(np.abs(mm.kappa - 1.3)))
    j = int(np.argmin(np.abs(mm.n_c - 0.45)))
    assert (mm.delta1[j, k], mm.delta2[j, k]) == pytest.approx((17.5, 5.2), abs=0.2)
    assert 5e-4 < mm.rms[j, k] < 1e-3 and mm.valid()[j, k]


def test_map_validity_cut_checks_its_bounds():
    m = tunneling.load_apparent_gap_map()
    assert not m.valid(max_gap_over_Omega=1e-3).any()
    with pytest.raises(ValueError, match="max_rms"):
        m.valid(max_rms=0.0)
    with pytest.raises(TypeError):
        m.valid(max_gap_over_Omega="0.5")
    assert m.masked("rms").mask.sum() == 0


# ------------------------------------------------------------------ bad input: type and value errors
stm, andreev = tunneling.stm_spectrum, tunneling.andreev_spectrum
BAD_CALLS = [
    (lambda p: stm(W + 0j, p, 0.04, 0.02), TypeError, "omega_meV must be real"),
    (lambda p: stm(W > 0, p, 0.04, 0.02), TypeError, "boolean array"),
    (lambda p: stm("1 2 3", p, 0.04, 0.02), TypeError, "omega_meV must be an array of real numbers"),
    (lambda p: stm([], p, 0.04, 0.02), ValueError, "omega_meV must have at least 1 entries"),
    (lambda p: stm([1e6], p, 0.04, 0.02), ValueError, r"omega_meV must lie in \[-100000, 100000\]"),
    (lambda p: stm(np.zeros(tunneling.MAX_ENERGY_POINTS + 1), p, 0.04, 0.02), ValueError, "more than the"),
    (lambda p: stm(W, p, 0.04, 0.02, r=1.5), ValueError, r"r must lie in \[0.0, 1.0\]"),
    (lambda p: stm(W, p, 0.04, 0.02, gamma_beta=0.0), ValueError, r"gamma_beta must lie in \(0.0, 1000.0\]"),
    (lambda p: stm(W, p, 0.04, 0.02, gamma_beta=1e-310), ValueError, "positive normal number"),
    (lambda p: stm(W, p, 0.04, 0.02, gamma_alpha=1e300), ValueError, "gamma_alpha must lie in"),
    (lambda p: stm(W, p, 0.04, 0.02, pz=(0.1, 0.2, 0.3)), ValueError, "pz must be a pair"),
    (lambda p: stm(W, p, 0.04, 0.02, pz="ab"), TypeError, "pz must be an array of real numbers"),
    (lambda p: stm(W, p, 0.04, 0.02, pz=(0.1, 1.2)), ValueError, r"pz\[1\] must lie in \[0.0, 1.0\]"),
    (lambda p: stm(W, "p", 0.04, 0.02), TypeError, "p must be a bands.BandParams"),
    (lambda p: stm(W, p, "big", 0.02), TypeError, "delta_alpha must be a real number"),
    (lambda p: stm(W, p, 0.04, 0.02, n_theta=720.0), TypeError, "n_theta must be an integer"),
    (lambda p: stm(W, p, 0.04, 0.02, average="length"), ValueError, "average must be one of"),
    (lambda p: andreev(BIAS, p, 0.04, 0.02, T=1e-308), ValueError, "T must be 0 .no thermal smearing."),
    (lambda p: andreev(BIAS, p, 0.04, 0.02, T=float("nan")), ValueError, "T must be a finite real number"),
    (lambda p: andreev(BIAS, p, 0.04, 0.02, interface="111"), ValueError, "interface must be one of"),
    (lambda p: andreev(BIAS, p, 0.04, 0.02, interface=100), TypeError, "interface must be one of"),
    (lambda p: andreev(BIAS, p, 0.04, 0.02, weights=(0.5, 0.6)), ValueError, "weights must sum to 1"),
    (lambda p: andreev(BIAS, p, 0.04, 0.02, weights="ab"), TypeError, "weights must be an array"),
    (lambda p: andreev(BIAS, p, 0.04, 0.02, Z_alpha=-1), ValueError, r"Z_alpha must lie in \[0.0, 10000.0\]"),
    (lambda p: andreev(BIAS, p, lambda kx, ky: np.nan * kx, 0.02), ValueError, "finite numbers on the Fermi"),
    (lambda p: andreev(BIAS, p, lambda kx, ky: 0j * kx, 0.02), TypeError, "gap must return real numbers"),
    (lambda p: andreev(BIAS, p, lambda kx, ky: np.ones(3), 0.02), ValueError, "not broadcastable"),
    (lambda p: andreev(BIAS, p, 0.04, 0.02, points_per_width=0.1), ValueError, "points_per_width"),
    (lambda p: andreev(BIAS + 1j, p, 0.04, 0.02), TypeError, "bias_mV must be real"),
    (lambda p: tunneling.triplon_gaps(2.5), ValueError, r"n_c must lie in \(0.0, 2.0\)"),
    (lambda p: tunneling.triplon_gaps(0.45, source="eq19"), ValueError, "source must be one of"),
    (lambda p: tunneling.triplon_gaps(0.45, source=18), TypeError, "source must be one of"),
    (lambda p: tunneling.triplon_gaps(0.45, lam=True), TypeError, "lam must be a real number"),
    (lambda p: tunneling.triplon_gaps(0.45, Omega=1e-320), ValueError, "Omega must lie in"),
    (lambda p: tunneling.triplon_gaps(0.25, source="eq18"), ValueError, "not star-shaped"),
    (lambda p: tunneling.slope_maxima([1, 2, 3], [1, 2]), ValueError, "must have the same length"),
    (lambda p: tunneling.slope_maxima([1, 2, 2, 3, 4], [1, 2, 3, 4, 5]), ValueError, "strictly increasing"),
    (lambda p: tunneling.peak_positions([[1, 2]], [[1, 2]]), ValueError, "1-dimensional"),
    (lambda p: tunneling.peak_positions(W, W, min_prominence=-1), ValueError, "min_prominence"),
    (lambda p: tunneling.default_bias(30.0, 10), ValueError, r"n must be an integer in \[21, 100001\]"),
    (lambda p: tunneling.default_bias(30.0, 100.0), TypeError, "n must be an integer"),
    (lambda p: tunneling.default_bias(1e-320), ValueError, "gmax_meV"),
    (lambda p: tunneling.apparent_gaps(p, 0.03, 0.01, starts=0), ValueError, "starts must be an integer"),
    (lambda p: tunneling.apparent_gaps(p, 0.03, 0.01, starts=1.5), TypeError, "starts must be an integer"),
    (lambda p: tunneling.apparent_gaps(p, 0.03, 0.01, nonsense=1), TypeError, "nonsense"),
    (lambda p: tunneling.lambda_for_gap(23.0, 0.45, 0.3, maxiter=0), ValueError, "maxiter must be an integer"),
    (lambda p: tunneling.lambda_for_gap(23.0, 0.45, 0.3, xtol=float("nan")), ValueError, "xtol"),
    (lambda p: tunneling.lambda_for_gap(23.0, 0.45, 0.3, lam_bounds=(0.5, 0.1)), ValueError, "increasing"),
    (lambda p: tunneling.fig5_spectra(W, {"n_c": 0.45}), ValueError, "setting must have exactly the keys"),
    (lambda p: tunneling.fig5_spectra(W, [0.45, 0.4, 0.3, 0.3]), TypeError, "setting must be a dict"),
    (lambda p: tunneling.fig5_spectra(W, sources="eq18"), TypeError, "sources must be a tuple"),
    (lambda p: tunneling.gap_on_sheet(0.01, "fs"), TypeError, "fs must be a FermiSurface"),
    (lambda p: tunneling.fermi_surface_dos(W, bands.fermi_surface(p, "beta", n_theta=16), np.ones(3), 1.0),
     ValueError, "one value per Fermi-surface point"),
    (lambda p: tunneling.model_spectra(gamma_beta=-1.0), ValueError, "gamma_beta must lie in"),
    (lambda p: tunneling.model_spectra(fit=1), TypeError, "fit must be True or False"),
]


@pytest.mark.parametrize("call,exc,match", BAD_CALLS, ids=[f"{i:02d}-{m[:40]}" for i, (_, _, m) in enumerate(BAD_CALLS)])
def test_bad_input(bands_045, call, exc, match):
    """Wrong types raise TypeError, bad values ValueError naming the argument and its range."""
    with pytest.raises(exc, match=match):
        call(bands_045)


# ------------------------------------------------------------------ spectra of the explorer and the figures
def test_model_spectra_gamma_ratios_and_fit():
    s = tunneling.model_spectra(0.4, 0.3, 0.7, 2.0, source="eq18", fit=True, n_theta=64,
                                omega_meV=W, bias_mV=np.linspace(-150, 150, 121))
    assert s.stm.gamma_alpha == pytest.approx(tunneling.STM_GAMMA_RATIO * 2.0)
    assert s.andreev.gamma == pytest.approx((tunneling.ANDREEV_GAMMA_RATIO * 2.0, 2.0))
    assert s.andreev.T == tunneling.GUO_T3["T"] and s.apparent.spectrum is s.andreev
    assert s.stm_peaks[0] == pytest.approx(s.gaps.extrema["beta"][1], abs=1.5)


def test_old_viz_import_path_reexports_the_science_functions():
    from nickelates.viz import tunneling as viz_tunneling

    assert viz_tunneling.fig5_data is tunneling.fig5_spectra
    assert viz_tunneling.compute_spectra is tunneling.model_spectra
    assert viz_tunneling.FIG5 is tunneling.FIG5


def test_figures_take_results(fig5, bands_045):
    from nickelates.viz import tunneling as viz_tunneling

    fig = viz_tunneling.figure_fig5(fig5)
    assert len(fig.axes) == 2 and fig.axes[0].get_xlim() == (0.0, 120.0)
    plt.close(fig)
    with pytest.raises(ValueError, match="needs the analytic and the exact"):
        viz_tunneling.figure_fig5(tunneling.fig5_spectra(W, sources=("eq18",)))
    with pytest.raises(TypeError, match="spectra must be a Fig5Spectra"):
        viz_tunneling.figure_fig5({"omega": W})
    ap = tunneling.apparent_gaps(bands_045, 0.03, 0.01, bias_mV=np.linspace(-80, 80, 81), starts=1, n_theta=32)
    fig = viz_tunneling.figure_predicted_andreev(ap, kappa=0.3)
    assert "κ = 0.3" in fig.axes[0].get_title()
    plt.close(fig)
    m = tunneling.load_apparent_gap_map()
    fig = viz_tunneling.figure_gap_maps(m)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    n_out = int((m.ok & ~m.valid()).sum())
    assert labels == [f"outside the validity cut ({n_out} of {m.ok.size})"]     # no failed point
    assert "not reached by a valid point" in fig.axes[0].get_title()        # fixed lambda: 3.8 only outside
    plt.close(fig)
    mm = tunneling.load_apparent_gap_map(prefix="match_")
    fig = viz_tunneling.figure_gap_maps(mm)
    assert "in red" in fig.axes[0].get_title() and "max|Δ| = 23 meV" in fig.axes[0].get_title()
    assert fig.axes[0].get_legend().get_texts()[0].get_text().startswith("failed (8 of 63)")
    plt.close(fig)


def test_gap_map_figure_marks_failed_points():
    from nickelates.viz import tunneling as viz_tunneling

    m = tunneling.apparent_gap_map([0.25, 0.40, 0.45], [0.0, 0.3], source="eq18", starts=1, n_bias=41,
                                   progress=False, n_theta=32)
    fig = viz_tunneling.plot_gap_map(m, "gap_max_ratio")
    marks = [ln for ln in fig.axes[0].lines if ln.get_marker() == "x"]
    assert len(marks) == 1 and list(marks[0].get_ydata()) == [0.25, 0.25]
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "failed (2 of 6)"
    plt.close(fig)


def test_explorer_redraws_on_slider_change():
    pytest.importorskip("ipywidgets")
    from nickelates.viz import tunneling as viz_tunneling

    ex = viz_tunneling.explorer(source="eq18")
    assert ex.data.stm_peaks[0] == pytest.approx(41.0, abs=1.0)
    ex.sliders["kappa"].value = 0.0
    assert ex.data.kappa == 0.0
    assert ex.data.stm_peaks[0] == pytest.approx(37.6, abs=0.5)
    ex.sliders["gamma_beta"].value = 3.0
    assert ex.data.stm.gamma_beta == 3.0 and ex.data.stm.gamma_alpha == 6.0
    assert ex.data.andreev.gamma == pytest.approx((3.0 * 6.6 / 4.0, 3.0))
    ex.sliders["lam"].value = 0.3
    assert ex.data.gaps.extrema["alpha"][1] < 40.0
    fig = ex.figure()
    assert len(fig.axes) == 2
    plt.close(fig)


# ------------------------------------------------------------------ the map script
def test_apparent_gap_map_tiny_rerun(tmp_path):
    spec = importlib.util.spec_from_file_location("agm", paths.repo_root() / "scripts" / "apparent_gap_map.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    res = mod.run(**mod.TINY, progress=False)
    out = tmp_path / "tiny.npz"
    mod.save(res, out)
    tiny = tunneling.load_apparent_gap_map(out)
    assert tiny.ratio.shape == (2, 2) and tiny.n_failed == 0
    saved = tunneling.load_apparent_gap_map()
    for i, nc in enumerate(tiny.n_c):
        for j, k in enumerate(tiny.kappa):
            a = int(np.argmin(np.abs(saved.n_c - nc)))
            b = int(np.argmin(np.abs(saved.kappa - k)))
            assert saved.n_c[a] == pytest.approx(nc) and saved.kappa[b] == pytest.approx(k)
            assert tiny.ratio[i, j] == pytest.approx(saved.ratio[a, b], rel=0.03)
            assert tiny.delta1[i, j] == pytest.approx(saved.delta1[a, b], rel=0.03)
    matched = tunneling.load_apparent_gap_map(out, prefix="match_")
    stored = tunneling.load_apparent_gap_map(prefix="match_")
    a, b = int(np.argmin(np.abs(stored.n_c - 0.45))), int(np.argmin(np.abs(stored.kappa - 0.3)))
    assert matched.lam[0, 0] == pytest.approx(stored.lam[a, b], rel=1e-3)
    assert matched.delta2[0, 0] == pytest.approx(stored.delta2[a, b], rel=0.01)


def test_apparent_gap_map_script_resumes_from_its_rows(tmp_path, monkeypatch):
    """Finished rows are kept in --scratch; a rerun reads them and computes nothing."""
    spec = importlib.util.spec_from_file_location("agm", paths.repo_root() / "scripts" / "apparent_gap_map.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    kw = dict(lam=0.4, Omega=0.3, starts=1, n_bias=61, n_k=64, source="eq18", n_theta=32)
    first = mod._sweep([0.40, 0.45], [0.0, 0.3], kw, 0, None, False, tmp_path)
    assert len(list(tmp_path.glob("row_*.npz"))) == 2

    def boom(*args, **kwargs):
        raise AssertionError("a stored row was recomputed")

    monkeypatch.setattr(mod.tunneling, "apparent_gap_map", boom)
    again = mod._sweep([0.40, 0.45], [0.0, 0.3], kw, 0, None, False, tmp_path)
    assert np.array_equal(again.ratio, first.ratio) and np.array_equal(again.n_c, first.n_c)
    with pytest.raises(RuntimeError, match="a stored row was recomputed"):   # another grid is not stored
        mod._sweep([0.40], [0.0, 0.15], kw, 0, None, False, tmp_path)


@pytest.mark.slow
def test_apparent_gap_map_rows_on_dask_equal_the_serial_map():
    """The script's n_c rows as Dask tasks (2 worker processes), joined, equal the in-process sweep."""
    spec = importlib.util.spec_from_file_location("agm", paths.repo_root() / "scripts" / "apparent_gap_map.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    kw = dict(lam=0.4, Omega=0.3, starts=2, n_bias=121, n_k=64)
    serial = tunneling.apparent_gap_map([0.40, 0.45], [0.0, 0.3], progress=False, **kw)
    dask = mod._sweep([0.40, 0.45], [0.0, 0.3], kw, 2, None, False)
    assert dask.n_c.tolist() == serial.n_c.tolist() and dask.n_failed == serial.n_failed == 0
    assert np.allclose(dask.ratio, serial.ratio, rtol=1e-9) and np.allclose(dask.delta1, serial.delta1, rtol=1e-9)


def test_apparent_gap_map_concatenate_checks_blocks():
    cells = {k: [[1.0]] for k in ("lam", "delta1", "delta2", "ratio", "w1", "redchi",
                                  "alpha_min", "alpha_max", "beta_min", "beta_max")}
    a = tunneling.ApparentGapMap.from_arrays({"n_c": [0.4], "kappa": [0.0], "Omega": 0.3, "source": "exact",
                                              **cells, "ok": [[False]], "failed_i": [0], "failed_j": [0],
                                              "failed_reason": ["ValueError: x"]})
    b = tunneling.ApparentGapMap.from_arrays({"n_c": [0.5], "kappa": [0.3], "Omega": 0.3, "source": "exact", **cells})
    j = tunneling.ApparentGapMap.concatenate([a, a])
    assert [f.i for f in j.failures] == [0, 1] and j.n_failed == 2
    with pytest.raises(ValueError, match="share kappa"):
        tunneling.ApparentGapMap.concatenate([a, b])
    with pytest.raises(ValueError, match="at least one"):
        tunneling.ApparentGapMap.concatenate([])
    with pytest.raises(TypeError, match="ApparentGapMap"):
        tunneling.ApparentGapMap.concatenate([a, 3])


# ------------------------------------------------------------------ kappa of Fig. 5
@pytest.fixture(scope="module")
def kscan():
    return tunneling.kappa_scan([0.0, 0.15, 0.3, 0.36, 0.5], omega_meV=W)


def test_kappa_scan_peaks_and_splitting_follow_the_gap_extrema(kscan):
    """Peaks at the gap maxima; the splitting at large kappa is the gap anisotropy max - min."""
    for band, gamma in (("alpha", 2.0), ("beta", 1.0)):
        aniso = kscan.gap_max[band] - kscan.gap_min[band]
        big = aniso > 4.0
        assert np.all(np.abs(kscan.peak[band] - kscan.gap_max[band])[big] < 0.3)
        assert np.all((kscan.peak[band] - kscan.gap_max[band] > -0.3) & (kscan.peak[band] - kscan.gap_max[band] < gamma))
        assert np.all(np.abs(kscan.splitting(band)[big] - aniso[big]) < 0.6)
        assert np.all(np.diff(kscan.splitting(band)) > 0)
    # at kappa = 0 (isotropic gaps) the "shoulder" is only the Dynes flank of the peak, below Gamma
    assert kscan.splitting("beta")[0] < 1.0 and kscan.splitting("alpha")[0] < 2.0
    assert kscan.gap_min["beta"][0] == pytest.approx(kscan.gap_max["beta"][0], abs=1e-6)


def test_kappa_scan_compatible_range(kscan):
    """The paper's 40 / 70 meV windows hold at kappa <= 0.3 and fail at 0.36 (analytic gaps; chapter 5: 0.33)."""
    assert kscan.compatible().tolist() == [True, True, True, False, False]
    assert kscan.kappa_range() == (0.0, 0.3)
    wide = {"beta": (30.0, 60.0), "alpha": (60.0, 100.0)}
    assert kscan.compatible(wide).all()
    assert kscan.resolved["alpha"].tolist() == [False, False, False, True, True]
    with pytest.raises(ValueError, match="no scanned kappa"):
        kscan.kappa_range({"beta": (1.0, 2.0), "alpha": (3.0, 4.0)})


def test_kappa_scan_bad_input(kscan):
    with pytest.raises(ValueError, match="lo < hi"):
        kscan.compatible({"beta": (43.0, 37.0), "alpha": (66.0, 74.0)})
    with pytest.raises(ValueError, match="keys"):
        kscan.compatible({"beta": (37.0, 43.0)})
    with pytest.raises(TypeError, match="pair"):
        kscan.compatible({"beta": 40.0, "alpha": (66.0, 74.0)})
    with pytest.raises(ValueError, match="band"):
        kscan.splitting("gamma")
    with pytest.raises(ValueError, match="source"):
        tunneling.kappa_scan([0.0], source="eq17")
    with pytest.raises(ValueError, match="kappa"):
        tunneling.kappa_scan([5.0])
    with pytest.raises(TypeError):
        tunneling.kappa_scan("0.3")


def test_sheet_nodes_flux_weight_is_the_projected_width(bands_045):
    """sum dl cos(theta) over v_n > 0 = extent of a sheet perpendicular to the normal (2 k_F for a circle)."""
    fs = bands.fermi_surface(bands_045, "alpha")
    for iface, proj in (("100", fs.ky), ("110", (fs.kx - fs.ky) / np.sqrt(2))):
        n = tunneling.sheet_nodes(bands_045, "alpha", 0.02, 0.0, interface=iface)
        assert n.weight.sum() == pytest.approx(proj.max() - proj.min(), rel=1e-4)

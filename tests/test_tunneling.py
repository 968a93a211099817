"""Tests of nickelates.tunneling (chapter 5): STM and Andreev spectra of the triplon gaps."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from nickelates import bands as B
from nickelates import btk
from nickelates import tunneling as T

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def p45():
    return B.with_density(B.PAPER_V3, 0.45)


@pytest.fixture(scope="module")
def fig5_eq18():
    return T.triplon_gaps(0.45, 0.4, 0.3, 0.3, source="eq18")


@pytest.fixture(scope="module")
def fig5_exact():
    return T.triplon_gaps(0.45, 0.4, 0.3, 0.3, source="exact")


W = np.linspace(-200.0, 200.0, 4001)


# ------------------------------------------------------------------ STM
def test_stm_normalized_far_from_gaps(p45, fig5_exact):
    w = np.array([-3000.0, -2000.0, 2000.0, 3000.0])
    s = T.stm_spectrum(w, p45, fig5_exact.delta_alpha, fig5_exact.delta_beta)
    # BCS tail: 1 + <Delta^2>/(2 omega^2) ~ 1 + 1e-3 at 2 eV
    assert np.allclose(s.total, 1.0, atol=2e-3) and np.all(s.total > 1.0)
    s = T.stm_spectrum(W, p45, fig5_exact.delta_alpha, fig5_exact.delta_beta)
    assert np.allclose(s.total, s.alpha + s.beta)
    assert abs(sum(s.weights) - 1) < 1e-12


def test_stm_isotropic_equals_dynes(p45):
    s = T.stm_spectrum(W, p45, 0.04, -0.02, gamma_alpha=2.0, gamma_beta=1.0)
    ref = s.weights[0] * btk.dynes_dos(W, 40.0, 2.0) + s.weights[1] * btk.dynes_dos(W, 20.0, 1.0)
    assert np.max(np.abs(s.total - ref)) < 1e-12


def test_fig5_peaks_analytic_gaps(p45, fig5_eq18):
    """Fig. 5 (v3): beta peak near 40 meV, weaker alpha peak near 70 meV (Eq. 16+18 gaps, kappa = 0.3)."""
    s = T.stm_spectrum(W, p45, fig5_eq18.delta_alpha, fig5_eq18.delta_beta)
    pk = T.peak_positions(W, s.total)
    (wb, hb, _), (wa, ha, _) = sorted(pk[:2])
    assert 37.0 <= wb <= 43.0
    assert 66.0 <= wa <= 74.0
    assert hb > ha                      # the beta peak dominates
    # peaks sit at the gap maxima on the sheets (log singularity) ...
    assert abs(wb - fig5_eq18.extrema["beta"][1]) < 1.0
    assert abs(wa - fig5_eq18.extrema["alpha"][1]) < 1.0
    # ... and the shoulders (steepest rise) at the gap minima (step of the averaged DOS)
    slopes = [x[0] for x in T.slope_maxima(W, s.total)]
    for band in ("beta", "alpha"):
        lo = fig5_eq18.extrema[band][0]
        assert min(abs(np.array(slopes) - lo)) < 1.5


def test_fig5_peaks_exact_gaps(p45, fig5_exact):
    s = T.stm_spectrum(W, p45, fig5_exact.delta_alpha, fig5_exact.delta_beta)
    wb, wa = sorted(x[0] for x in T.peak_positions(W, s.total)[:2])
    assert wb == pytest.approx(44.7, abs=1.0)
    assert wa == pytest.approx(78.6, abs=1.0)


def test_kappa_zero_has_no_shoulder(p45):
    mg = T.triplon_gaps(0.45, 0.4, 0.0, 0.3, source="eq18")
    assert mg.extrema["alpha"][0] == pytest.approx(mg.extrema["alpha"][1], rel=1e-12)
    s = T.stm_spectrum(W, p45, mg.delta_alpha, mg.delta_beta)
    wb, wa = sorted(x[0] for x in T.peak_positions(W, s.total)[:2])
    assert wb == pytest.approx(37.6, abs=0.3) and wa == pytest.approx(66.8, abs=0.3)


# ------------------------------------------------------------------ Andreev
B_ = np.linspace(-150.0, 150.0, 301)


def test_andreev_normalized_far_from_gaps(p45, fig5_exact):
    s = T.andreev_spectrum(np.linspace(-800, 800, 81), p45, fig5_exact.delta_alpha, fig5_exact.delta_beta)
    assert np.allclose(s.total[[0, -1]], 1.0, atol=0.01)
    assert abs(sum(s.weights) - 1) < 1e-12


def test_andreev_isotropic_c_axis_equals_btk(p45):
    s = T.andreev_spectrum(B_, p45, 0.023, 0.006, interface="c")
    gaps = [btk.Gap(23.0, 0.58, 6.6, s.weights[0]), btk.Gap(6.0, 0.40, 4.0, s.weights[1])]
    ref = btk.conductance_multi(B_, gaps, 3.0, angle_resolved=False)
    assert np.max(np.abs(s.total - ref)) < 1e-9


def test_andreev_tunnel_limit_is_dynes(p45):
    """Z -> infinity at T = 0: every trajectory reduces to the Dynes DOS of its gap."""
    s = T.andreev_spectrum(B_, p45, 0.03, 0.01, T=0.0, Z_alpha=300.0, Z_beta=300.0,
                           gamma_alpha=2.0, gamma_beta=1.0, weights=(0.5, 0.5))
    ref = 0.5 * btk.dynes_dos(B_, 30.0, 2.0) + 0.5 * btk.dynes_dos(B_, 10.0, 1.0)
    assert np.max(np.abs(s.total - ref)) < 2e-3


def test_interband_sign_drops_out_intraband_sign_does_not(p45):
    ga = lambda kx, ky: 0.03 + 0 * kx                       # noqa: E731
    gb = lambda kx, ky: 0.01 + 0 * kx                       # noqa: E731
    gbm = lambda kx, ky: -0.01 + 0 * kx                     # noqa: E731
    s1 = T.andreev_spectrum(B_, p45, ga, gb)
    s2 = T.andreev_spectrum(B_, p45, ga, gbm)
    assert np.max(np.abs(s1.total - s2.total)) < 1e-12      # s+- == s++ for incoherent bands
    dw = lambda kx, ky: 0.03 * (np.cos(kx) - np.cos(ky))    # noqa: E731
    adw = lambda kx, ky: np.abs(dw(kx, ky))                  # noqa: E731
    kw = dict(T=0.5, Z_alpha=2.0, gamma_alpha=0.5, weights=(1.0, 0.0), interface="110")
    sd = T.andreev_spectrum(B_, p45, dw, gb, **kw)
    sa = T.andreev_spectrum(B_, p45, adw, gb, **kw)
    i0 = np.argmin(np.abs(B_))
    assert sd.total[i0] > 1.5 and sd.total[i0] > 2 * sa.total[i0]   # (110) zero-bias peak of a sign-changing gap


def test_apparent_gaps_paper_parameters(fig5_eq18):
    ap = T.apparent_gaps(fig5_eq18.p, fig5_eq18.delta_alpha, fig5_eq18.delta_beta, starts=3)
    assert ap.delta1 == pytest.approx(69.1, abs=1.5)
    assert ap.delta2 == pytest.approx(38.4, abs=1.5)
    assert 1.6 < ap.ratio < 2.0
    assert ap.redchi < 1e-4


def test_lambda_for_gap_hits_target():
    lam = T.lambda_for_gap(23.0, 0.45, 0.3, 0.3)
    assert 0.2 < lam < 0.3
    mg = T.triplon_gaps(0.45, lam, 0.3, 0.3)
    assert max(mg.extrema["alpha"][1], mg.extrema["beta"][1]) == pytest.approx(23.0, abs=0.05)
    with pytest.raises(ValueError, match="target_meV"):
        T.lambda_for_gap(5000.0, 0.45, 0.3, 0.3, lam_bounds=(0.1, 0.5))


# ------------------------------------------------------------------ bad input
def test_bad_input(p45):
    with pytest.raises(ValueError, match="r must lie"):
        T.stm_spectrum(W, p45, 0.04, 0.02, r=1.5)
    with pytest.raises(ValueError, match="gamma_beta"):
        T.stm_spectrum(W, p45, 0.04, 0.02, gamma_beta=0.0)
    with pytest.raises(ValueError, match="interface"):
        T.andreev_spectrum(B_, p45, 0.04, 0.02, interface="111")
    with pytest.raises(ValueError, match="weights must sum"):
        T.andreev_spectrum(B_, p45, 0.04, 0.02, weights=(0.5, 0.6))
    with pytest.raises(ValueError, match="Z_alpha"):
        T.andreev_spectrum(B_, p45, 0.04, 0.02, Z_alpha=-1)
    with pytest.raises(ValueError, match="finite"):
        T.andreev_spectrum(B_, p45, lambda kx, ky: np.nan * kx, 0.02)
    with pytest.raises(ValueError, match="n_c"):
        T.triplon_gaps(2.5)
    with pytest.raises(ValueError, match="source"):
        T.triplon_gaps(0.45, source="eq19")
    with pytest.raises(ValueError, match="omega_meV and g"):
        T.slope_maxima([1, 2, 3], [1, 2])


# ------------------------------------------------------------------ widget
def test_explorer_redraws_on_slider_change():
    pytest.importorskip("ipywidgets")
    from nickelates.viz import tunneling as VT

    ex = VT.explorer(source="eq18")
    first = ex.data["stm_peaks"]
    assert first[0] == pytest.approx(41.0, abs=1.0)
    ex.sliders["kappa"].value = 0.0
    assert ex.data["values"]["kappa"] == 0.0
    assert ex.data["stm_peaks"][0] == pytest.approx(37.6, abs=0.5)
    ex.sliders["gamma"].value = 3.0
    assert ex.data["stm"].gamma_beta == 3.0 and ex.data["stm"].gamma_alpha == 6.0
    assert ex.data["andreev"].gamma == pytest.approx((3.0 * 6.6 / 4.0, 3.0))
    ex.sliders["lam"].value = 0.3
    assert ex.data["gaps"].extrema["alpha"][1] < 40.0


# ------------------------------------------------------------------ the map script
def test_apparent_gap_map_tiny_rerun(tmp_path):
    spec = importlib.util.spec_from_file_location("agm", ROOT / "scripts" / "apparent_gap_map.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    res = mod.run(**mod.TINY, progress=False)
    out = tmp_path / "tiny.npz"
    mod.save(res, out)
    tiny = np.load(out)
    assert tiny["ratio"].shape == (2, 2) and not np.any(np.isnan(tiny["ratio"]))
    saved = np.load(ROOT / "data" / "apparent_gap_map.npz")
    for i, nc in enumerate(tiny["n_c"]):
        for j, k in enumerate(tiny["kappa"]):
            I = int(np.argmin(np.abs(saved["n_c"] - nc)))
            J = int(np.argmin(np.abs(saved["kappa"] - k)))
            assert saved["n_c"][I] == pytest.approx(nc) and saved["kappa"][J] == pytest.approx(k)
            assert tiny["ratio"][i, j] == pytest.approx(saved["ratio"][I, J], rel=0.03)
            assert tiny["delta1"][i, j] == pytest.approx(saved["delta1"][I, J], rel=0.03)

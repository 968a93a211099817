"""Synthetic films from the triplon model, the map figures and the pixel view (nickelates.gapmap, viz.gapmap)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

from nickelates import gapmap, tunneling
from nickelates.gapmap import synthetic
from nickelates.viz import gapmap as vg


def test_smooth_field_spans_range_and_is_smooth():
    f = synthetic.smooth_field(16, 16, 0.4, 0.5, length=3.0, seed=2)
    assert f.min() == pytest.approx(0.4) and f.max() == pytest.approx(0.5)
    # neighbours are strongly correlated (white noise: ~0); a Gaussian filter of width 3 gives ~exp(-1/36)
    lag1 = np.corrcoef(f[:, :-1].ravel(), f[:, 1:].ravel())[0, 1]
    assert lag1 > 0.8
    with pytest.raises(ValueError, match="hi must exceed lo"):
        synthetic.smooth_field(4, 4, 0.5, 0.4)


def test_synthetic_film_matches_model_gaps_and_peaks():
    bias = np.linspace(-120, 120, 241)
    film = synthetic.synthetic_film(np.array([[0.40, 0.50]]), bias, T=4.0, noise=0.0)
    for j, nc in enumerate((0.40, 0.50)):
        mg = tunneling.triplon_gaps(nc, 0.4, 0.3, 0.3, source="eq18")
        assert float(film.truth.delta_alpha_max[0, j]) == pytest.approx(mg.extrema["alpha"][1])
        assert float(film.truth.delta_beta_min[0, j]) == pytest.approx(mg.extrema["beta"][0])
        g = film.grid.values[0, j]
        assert np.mean(g[np.abs(bias) > 110]) == pytest.approx(1.0, abs=0.02)       # normalised
        peaks = [p[0] for p in tunneling.peak_positions(bias, g)]
        # the beta coherence peak lies inside the beta gap's range on the sheet (within one bias step)
        lo, hi = mg.extrema["beta"]
        assert any(lo - 1.0 <= p <= hi + 1.0 for p in peaks)


def test_two_gap_dynes_map_follows_model_variation():
    ncm = np.array([[0.40, 0.45, 0.50]])
    film = synthetic.synthetic_film(ncm, np.linspace(-120, 120, 121), T=4.0, noise=0.0)
    maps = gapmap.fit_map(film.grid, temperature=4.0, n_gaps=2, workers=0)
    assert bool(maps["ok"].all())
    big = np.fmax(maps.delta1.values, maps.delta2.values)[0]
    t = film.truth.delta_alpha_max.values[0]
    assert np.all(np.diff(big) < 0) and np.all(np.diff(t) < 0)                 # both fall with n_c
    assert np.all(big > film.truth.delta_alpha_min.values[0] - 6) and np.all(big < t + 1)


@pytest.fixture(scope="module")
def small_map():
    m = gapmap.spectrum_model(np.linspace(-5, 5, 61), 2.0)
    cube = np.stack([np.stack([m([d, 0.1, 1.0]) for d in (0.9, 1.0, 1.1)]) for _ in range(2)])
    cube[1, 2] = np.nan
    grid = xr.DataArray(cube, dims=("y", "x", "bias"), coords={"bias": m.bias, "x": [0, 1e-9, 2e-9],
                                                                "y": [0, 1e-9]})
    return grid, gapmap.fit_map(grid, temperature=2.0, workers=0)


def test_pixel_curve_reproduces_data_and_nan_for_failed(small_map):
    grid, maps = small_map
    assert np.allclose(gapmap.pixel_curve(maps, grid.bias.values, 0, 1), grid.values[0, 1], atol=1e-6)
    assert np.all(np.isnan(gapmap.pixel_curve(maps, grid.bias.values, 1, 2)))
    with pytest.raises(ValueError, match="ix"):
        gapmap.pixel_curve(maps, grid.bias.values, 0, 3)


def test_figures_and_pixel_view(small_map):
    grid, maps = small_map
    fig = vg.map_figure(maps, truth=np.array([[0.9, 1.0, 1.1]] * 2), pixel=(0, 1))
    assert len(fig.axes) == 4                      # map, truth, colour bar, histogram
    hx = next(ax for ax in fig.axes if ax.get_title() == "histogram")
    hist_counts = sum(p.get_height() for p in hx.patches[:30])
    assert hist_counts == int(maps.ok.sum())       # the histogram counts the ok pixels only
    plt.close(fig)
    fig = vg.pixel_figure(grid, maps, 1, 2)        # a flagged pixel draws, with its flag
    assert "flag 1" in fig.axes[0].get_title()
    plt.close(fig)
    fr = vg.pixel_frames(grid, maps, [(0, 0), (1, 1)])
    assert len(fr.images) == 2
    ex = vg.PixelExplorer(grid, maps)
    ex.sliders["ix"].value = 2
    assert ex.data["values"]["delta1"] == pytest.approx(1.1, abs=1e-4)


def test_lockin_film_is_the_plain_film_convolved_with_the_lockin_kernel():
    # independent route: the film without lock-in on a fine bias grid, convolved numerically with
    # W(v) = 2 sqrt(Vm^2 - v^2) / (pi Vm^2) and read at the coarse bias points
    vm, step = 4.0, 0.02
    fine = np.arange(-130.0, 130.0 + step / 2, step)
    coarse = np.linspace(-100.0, 100.0, 41)
    ncm = np.full((1, 1), 0.45)
    plain = synthetic.synthetic_film(ncm, fine, noise=0.0).grid.values[0, 0]
    v = np.arange(-vm, vm + step / 2, step)
    w = 2 * np.sqrt(np.clip(vm**2 - v**2, 0, None)) / (np.pi * vm**2)
    smeared = np.convolve(plain, w / w.sum(), mode="same")
    expected = np.interp(coarse, fine, smeared)
    film = synthetic.synthetic_film(ncm, coarse, noise=0.0, lockin_mV=vm)
    assert film.settings["lockin_mV"] == vm
    # each film is normalised by its own far-bias mean (which depends on the bias range):
    # compare the shapes, i.e. a ratio constant across the bias to 2e-3
    ratio = film.grid.values[0, 0] / expected
    assert np.ptp(ratio) / ratio.mean() < 2e-3
    # and the lock-in visibly lowers the coherence peak (more than the 2e-3 above)
    no_lockin = synthetic.synthetic_film(ncm, coarse, noise=0.0).grid.values[0, 0]
    assert no_lockin.max() - film.grid.values[0, 0].max() > 0.02


def test_broadening_maps_give_each_pixel_its_own_gamma():
    bias = np.linspace(-120, 120, 61)
    ncm = np.full((1, 2), 0.45)
    ga = np.array([[1.5, 3.02]])                           # rounded to the 0.05 meV step: 3.0
    film = synthetic.synthetic_film(ncm, bias, noise=0.0, gamma_alpha=ga, gamma_beta=1.0)
    assert film.truth["gamma_alpha"].values.tolist() == [[1.5, 3.0]]
    assert film.settings["gamma_alpha"] == "map" and film.settings["gamma_beta"] == 1.0
    for j, g in enumerate((1.5, 3.0)):
        one = synthetic.synthetic_film(np.full((1, 1), 0.45), bias, noise=0.0, gamma_alpha=g)
        assert np.allclose(film.grid.values[0, j], one.grid.values[0, 0], atol=1e-12)
    # the two broadenings give visibly different spectra
    assert np.max(np.abs(film.grid.values[0, 1] - film.grid.values[0, 0])) > 0.01
    with pytest.raises(ValueError, match="gamma_alpha"):
        synthetic.synthetic_film(ncm, bias, gamma_alpha=np.ones((2, 2)))
    with pytest.raises(ValueError, match="lockin_mV"):
        synthetic.synthetic_film(ncm, bias, lockin_mV=-1.0)


def test_gap_recovery_against_maxima_and_minima_by_hand():
    # truth: minima linear in the maxima, min = 2 max - 80, so a fit equal to the maxima has slope 1
    # against the maxima and slope 1/2 against the minima; offsets are the mean of max - min = 80 - max
    mx = np.array([[70.0, 71.0, 72.5], [73.0, 74.0, 76.0]])
    truth = xr.Dataset({"delta_alpha_max": (("y", "x"), mx), "delta_alpha_min": (("y", "x"), 2 * mx - 80),
                        "delta_beta_max": (("y", "x"), mx - 30), "delta_beta_min": (("y", "x"), mx - 34)})
    ok = np.ones(mx.shape, bool)
    ok[1, 2] = False                                   # a flagged pixel is left out
    maps = xr.Dataset({"delta1": (("y", "x"), mx - 29.0), "delta2": (("y", "x"), mx.copy()),
                       "ok": (("y", "x"), ok)})
    rec = synthetic.gap_recovery(maps, truth)
    large, small = rec["large"], rec["small"]
    used = mx[ok]
    assert large.pixels == 5
    assert large.slope_max == pytest.approx(1.0) and large.offset_max == pytest.approx(0.0, abs=1e-12)
    assert large.slope_min == pytest.approx(0.5) and large.offset_min == pytest.approx(np.mean(80 - used))
    assert large.corr_min == pytest.approx(1.0) and large.spread_min == pytest.approx(2 * used.std())
    assert large.anisotropy == pytest.approx((80 - used.max(), 80 - used.min()))
    assert small.offset_max == pytest.approx(1.0) and small.offset_min == pytest.approx(5.0)
    with pytest.raises(ValueError, match="lacks"):
        synthetic.gap_recovery(maps.drop_vars("ok"), truth)
    with pytest.raises(ValueError, match="same"):
        synthetic.gap_recovery(maps.isel(x=slice(0, 2)), truth)

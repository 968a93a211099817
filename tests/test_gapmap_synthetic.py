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

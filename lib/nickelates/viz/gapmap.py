"""Figures of gap maps (chapter 5): the map, the histogram of Delta, one pixel's spectrum and fit.

They draw results of :func:`nickelates.gapmap.fit_map` and compute no physics
(the fitted curve comes from :func:`nickelates.gapmap.pixel_curve`).
``pixel_frames`` gives the click-free "pick a pixel" view of the HTML book
(static frames); ``PixelExplorer`` the live one in Jupyter.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import _check
from .. import _validate as check
from .explorer import Explorer

__all__ = ["map_figure", "pixel_figure", "pixel_frames", "figure_gap_recovery", "PixelExplorer"]


_ANY = object()  # no variable to check


def _maps(maps, name=_ANY, more=()):
    """Check a Dataset of maps (``ok`` and ``name``, 2-D over y, x); return it."""
    _check.dataset("maps", maps, ("ok",) + tuple(more))
    if name is not _ANY:
        _check.variable("name", name, maps)
    if maps["ok"].ndim != 2:
        raise ValueError(f"maps['ok'] must be a 2-D map (y, x), got dims {maps['ok'].dims!r}")
    return maps


def _grid_maps(grid, maps, name=_ANY):
    """Check a fitted grid (y, x, bias) and its maps (same y, x); return their (ny, nx)."""
    _check.dataarray("grid", grid, ("y", "x", "bias"))
    if "bias" not in grid.coords:
        raise ValueError("grid must have a 'bias' coordinate (mV)")
    _maps(maps, name)
    shape = (grid.sizes["y"], grid.sizes["x"])
    if tuple(maps["ok"].shape) != shape:
        raise ValueError(f"maps must have the grid's (y, x) shape {shape}, got {tuple(maps['ok'].shape)}")
    return shape


def _extent(maps):
    x = maps["x"].values * 1e9 if "x" in maps.coords else np.arange(maps.sizes["x"])
    y = maps["y"].values * 1e9 if "y" in maps.coords else np.arange(maps.sizes["y"])
    dx = (x[1] - x[0]) if x.size > 1 else 1.0
    dy = (y[1] - y[0]) if y.size > 1 else 1.0
    return [x[0] - dx / 2, x[-1] + dx / 2, y[0] - dy / 2, y[-1] + dy / 2]


def map_figure(maps, name="delta1", *, truth=None, truth_label="truth", bins=30, pixel=None):
    """Gap map (failed pixels blank), optional truth map, and the histogram of the fitted values.

    Parameters
    ----------
    maps : xarray.Dataset
        From :func:`nickelates.gapmap.fit_map`.
    name : str
        Variable to show (default ``delta1``, meV).
    truth : array_like or xarray.DataArray, optional
        A map of the same shape drawn beside it with the same colour scale.
    truth_label : str
        Title of the truth panel.
    bins : int
        Histogram bins.
    pixel : tuple of int, optional
        (iy, ix) marked on the maps.

    Returns
    -------
    matplotlib.figure.Figure
        Panels: map, [truth], histogram (ok pixels, and the truth's if given).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> ds = xr.Dataset({"delta1": (("y", "x"), np.ones((3, 3))), "ok": (("y", "x"), np.ones((3, 3), bool))})
    >>> len(map_figure(ds).axes)
    3
    """
    _maps(maps, name)
    val = np.asarray(maps[name].values, float)
    ok = np.asarray(maps["ok"].values, bool)
    if val.shape != ok.shape:
        raise ValueError(f"maps[{name!r}] must be a map of the shape of maps['ok'] {ok.shape}, got {val.shape}")
    check.integer("bins", bins, 1, 10_000)
    if pixel is not None:
        pixel = _check.pixel("pixel", pixel, val.shape)
    shown = np.where(ok, val, np.nan)
    tv = None if truth is None else np.asarray(getattr(truth, "values", truth), float)
    both = shown[np.isfinite(shown)] if tv is None else np.concatenate([shown[np.isfinite(shown)], tv.ravel()])
    vmin, vmax = (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)
    npan = 3 if tv is not None else 2
    fig, axes = plt.subplots(1, npan, figsize=(4.2 * npan, 3.6), constrained_layout=True)
    ext = _extent(maps)
    im = axes[0].imshow(shown, origin="lower", extent=ext, vmin=vmin, vmax=vmax, cmap="viridis")
    axes[0].set(title=f"fitted {name} ({int(ok.sum())}/{ok.size} ok)", xlabel="x (nm)", ylabel="y (nm)")
    if tv is not None:
        axes[1].imshow(tv, origin="lower", extent=ext, vmin=vmin, vmax=vmax, cmap="viridis")
        axes[1].set(title=truth_label, xlabel="x (nm)")
    units = maps[name].attrs.get("units", "")
    fig.colorbar(im, ax=axes[:npan - 1], label=f"{name} ({units})" if units else name, shrink=0.9)
    if pixel is not None:
        xs = np.linspace(ext[0], ext[1], val.shape[1] + 1)
        ys = np.linspace(ext[2], ext[3], val.shape[0] + 1)
        for ax in axes[:npan - 1]:
            ax.plot((xs[pixel[1]] + xs[pixel[1] + 1]) / 2, (ys[pixel[0]] + ys[pixel[0] + 1]) / 2, "r+", ms=12, mew=2)
    hx = axes[-1]
    hx.hist(val[ok], bins=bins, color="C0", alpha=0.7, label="fitted")
    if tv is not None:
        hx.hist(tv.ravel(), bins=bins, color="C3", alpha=0.5, label=truth_label)
        hx.legend(frameon=False)
    hx.set(xlabel=f"{name} ({units})" if units else name, ylabel="pixels", title="histogram")
    return fig


def pixel_figure(grid, maps, iy, ix):
    """One pixel: measured spectrum, fitted model and residual.

    Parameters
    ----------
    grid : xarray.DataArray
        The fitted grid (y, x, bias in mV).
    maps : xarray.Dataset
        Its maps from :func:`nickelates.gapmap.fit_map`.
    iy, ix : int
        Pixel indices.

    Returns
    -------
    matplotlib.figure.Figure
        Data and fit (top), residual (bottom), fitted parameters in the title.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from nickelates import gapmap
    >>> m = gapmap.spectrum_model(np.linspace(-5, 5, 61), 2.0)
    >>> grid = xr.DataArray(m([1.0, 0.1, 1.0])[None, None], dims=("y", "x", "bias"), coords={"bias": m.bias})
    >>> maps = gapmap.fit_map(grid, temperature=2.0, workers=0)
    >>> len(pixel_figure(grid, maps, 0, 0).axes)
    2
    """
    from .. import gapmap
    shape = _grid_maps(grid, maps)
    iy, ix = _check.pixel("(iy, ix)", (iy, ix), shape)
    bias = np.asarray(grid["bias"].values, float)
    data = np.asarray(grid.values[iy, ix], float)
    curve = gapmap.pixel_curve(maps, bias, iy, ix)
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(5.5, 4.2), sharex=True, height_ratios=(3, 1),
                                 constrained_layout=True)
    a1.plot(bias, data, ".", ms=3, color="0.3", label="data")
    a1.plot(bias, curve, "C3", lw=1.5, label=f"{maps.attrs.get('model', '')} fit")
    a1.legend(frameon=False)
    a1.set(ylabel="dI/dV")
    a2.plot(bias, data - curve, ".", ms=3, color="C0")
    a2.axhline(0, color="0.5", lw=0.8)
    a2.set(xlabel="bias (mV)", ylabel="residual")
    gaps = [n for n in maps.data_vars if n.startswith("delta") and not n.endswith("_stderr")]
    text = ", ".join(f"{n} = {float(maps[n].values[iy, ix]):.2f}±{float(maps[n + '_stderr'].values[iy, ix]):.2f}"
                     for n in gaps)
    reason = int(maps["reason"].values[iy, ix]) if "reason" in maps else 0
    a1.set_title(f"pixel ({iy}, {ix}): {text} meV" + ("" if reason == 0 else f" [flag {reason}]"), fontsize=9)
    return fig


def pixel_frames(grid, maps, pixels, *, name="delta1", title="pick a pixel", dpi=100):
    """Static "pick a pixel" frames for the HTML book: map with the pixel marked, and its spectrum.

    Parameters
    ----------
    grid : xarray.DataArray
        The fitted grid.
    maps : xarray.Dataset
        Its maps.
    pixels : sequence of (int, int)
        Pixels (iy, ix), one frame each (keep to ~10).
    name : str
        Map variable shown.
    title : str
        Heading above the slider.
    dpi : int
        Resolution of the frames (100: 850 pixels wide).

    Returns
    -------
    nickelates.viz.frames.FrameSlider
        Displays as HTML with a slider over the pixels.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from nickelates import gapmap
    >>> m = gapmap.spectrum_model(np.linspace(-5, 5, 61), 2.0)
    >>> grid = xr.DataArray(np.stack([[m([d, 0.1, 1.0]) for d in (0.9, 1.1)]]), dims=("y", "x", "bias"),
    ...                     coords={"bias": m.bias})
    >>> maps = gapmap.fit_map(grid, temperature=2.0, workers=0)
    >>> len(pixel_frames(grid, maps, [(0, 0), (0, 1)]).images)
    2
    """
    from .frames import slider_frames
    shape = _grid_maps(grid, maps, name)
    check.not_missing("pixels", pixels, "a sequence of pixels (iy, ix)")
    if isinstance(pixels, np.ndarray) and pixels.ndim != 2:
        raise ValueError(f"pixels must be a sequence of pairs (iy, ix), got an array of shape {pixels.shape}")
    if len(pixels) == 0:
        raise ValueError("pixels must name at least one pixel (iy, ix)")
    pixels = [_check.pixel(f"pixels[{k}]", p, shape) for k, p in enumerate(pixels)]
    return slider_frames(lambda p: _pixel_panel(grid, maps, p, name), pixels, label="pixel {}", title=title,
                         dpi=dpi)


def figure_gap_recovery(cases):
    """Fitted gaps against the model's gap maxima (filled) and minima (open), one panel per gap.

    Parameters
    ----------
    cases : dict
        ``{label: (maps, truth)}``: two-gap maps (``delta1``, ``delta2``, ``ok``) and the film's
        truth (``delta_alpha_max/min``, ``delta_beta_max/min``, meV), one colour per case.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels (large gap against alpha, small gap against beta), with the diagonal.

    Raises
    ------
    ValueError
        If ``cases`` is empty.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> mx = np.array([[70.0, 72.0]])
    >>> truth = xr.Dataset({"delta_alpha_max": (("y", "x"), mx), "delta_alpha_min": (("y", "x"), mx - 6),
    ...                     "delta_beta_max": (("y", "x"), mx - 30), "delta_beta_min": (("y", "x"), mx - 33)})
    >>> maps = xr.Dataset({"delta1": (("y", "x"), mx - 3), "delta2": (("y", "x"), mx - 31),
    ...                    "ok": (("y", "x"), np.ones((1, 2), bool))})
    >>> len(figure_gap_recovery({"demo": (maps, truth)}).axes)
    2
    """
    _check.mapping("cases", cases, what="a dict {label: (maps, truth)}")
    if not cases:
        raise ValueError("cases must name at least one (maps, truth) pair")
    for label, pair in cases.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            check._reject_type(f"cases[{label!r}]", pair, "a pair (maps, truth)")
        _maps(pair[0], more=("delta1", "delta2"))
        _check.dataset(f"cases[{label!r}] truth", pair[1],
                       tuple(f"delta_{b}_{e}" for b in ("alpha", "beta") for e in ("max", "min")))
    fig, axs = plt.subplots(1, 2, figsize=(9.0, 3.8), constrained_layout=True)
    for k, (label, (maps, truth)) in enumerate(cases.items()):
        d1, d2 = np.asarray(maps["delta1"].values, float), np.asarray(maps["delta2"].values, float)
        ok = np.asarray(maps["ok"].values, bool)
        for ax, fitted, band in ((axs[0], np.fmax(d1, d2), "alpha"), (axs[1], np.fmin(d1, d2), "beta")):
            tmax = np.asarray(truth[f"delta_{band}_max"].values, float)
            tmin = np.asarray(truth[f"delta_{band}_min"].values, float)
            ax.plot(tmax[ok], fitted[ok], "o", ms=3, color=f"C{k}", label=f"{label}: vs max")
            ax.plot(tmin[ok], fitted[ok], "o", ms=3, mfc="none", color=f"C{k}", alpha=0.7,
                    label=f"{label}: vs min")
    for ax, name in zip(axs, ("large gap against |Δα|", "small gap against |Δβ|")):
        lo, hi = ax.get_xlim()
        ax.plot([lo, hi], [lo, hi], "--", color="0.5", lw=0.8)
        ax.set(xlabel="model gap on the sheet (meV)", ylabel="fitted gap (meV)", title=name)
    axs[0].legend(frameon=False, fontsize=7)
    return fig


def _pixel_panel(grid, maps, pixel, name):
    from .. import gapmap
    iy, ix = pixel
    bias = np.asarray(grid["bias"].values, float)
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(8.5, 3.2), constrained_layout=True)
    ok = np.asarray(maps["ok"].values, bool)
    a0.imshow(np.where(ok, maps[name].values, np.nan), origin="lower", cmap="viridis")
    a0.plot(ix, iy, "r+", ms=12, mew=2)
    a0.set(title=f"{name} map", xlabel="x (pixel)", ylabel="y (pixel)")
    a1.plot(bias, grid.values[iy, ix], ".", ms=3, color="0.3", label="data")
    a1.plot(bias, gapmap.pixel_curve(maps, bias, iy, ix), "C3", label="fit")
    a1.set(xlabel="bias (mV)", ylabel="dI/dV", title=f"{name} = {float(maps[name].values[iy, ix]):.2f} meV")
    a1.legend(frameon=False)
    return fig


class PixelExplorer(Explorer):
    """Live "pick a pixel" view: two sliders choose (iy, ix), the figure shows the map and the fit.

    ``data`` holds ``iy``, ``ix`` and the fitted ``values`` of that pixel.

    Parameters
    ----------
    grid : xarray.DataArray
        The fitted grid.
    maps : xarray.Dataset
        Its maps from :func:`nickelates.gapmap.fit_map`.
    name : str
        Map variable shown.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from nickelates import gapmap
    >>> m = gapmap.spectrum_model(np.linspace(-5, 5, 61), 2.0)
    >>> grid = xr.DataArray(np.stack([[m([d, 0.1, 1.0]) for d in (0.9, 1.1)]]), dims=("y", "x", "bias"),
    ...                     coords={"bias": m.bias})
    >>> ex = PixelExplorer(grid, gapmap.fit_map(grid, temperature=2.0, workers=0))
    >>> ex.sliders["ix"].value = 1
    >>> round(ex.data["values"]["delta1"], 3)
    1.1
    """

    def __init__(self, grid, maps, name="delta1"):
        import ipywidgets as W
        _grid_maps(grid, maps, name)
        self.grid, self.maps, self.name = grid, maps, name
        self.sliders = {"iy": W.IntSlider(value=0, min=0, max=maps.sizes["y"] - 1, description="iy"),
                        "ix": W.IntSlider(value=0, min=0, max=maps.sizes["x"] - 1, description="ix")}
        self._build(self.sliders.values(), lambda status, out: W.VBox([W.HBox(list(self.sliders.values())), out]))

    def compute(self):
        """Return the selected pixel and its fitted values.

        Returns
        -------
        dict
            ``iy``, ``ix`` and ``values`` (parameter name -> value).
        """
        iy, ix = self.sliders["iy"].value, self.sliders["ix"].value
        names = [n for n in self.maps.data_vars if not n.endswith("_stderr") and self.maps[n].dims == ("y", "x")]
        return {"iy": iy, "ix": ix, "values": {n: float(self.maps[n].values[iy, ix]) for n in names}}

    def figure(self, data):
        """Return the map-and-spectrum figure of the selected pixel.

        Parameters
        ----------
        data : dict
            From :meth:`compute`.

        Returns
        -------
        matplotlib.figure.Figure
            Map with the pixel marked, and its spectrum with the fit.
        """
        return _pixel_panel(self.grid, self.maps, (data["iy"], data["ix"]), self.name)

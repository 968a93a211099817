"""Figures and the interactive explorer for chapter 1 (bands and Fermi surfaces).

Nothing here computes physics: band energies, Fermi sheets and the density-of-
states sweep come from :mod:`nickelates.bands` (:func:`~nickelates.bands.dos_vs_filling`,
which used to live here, is still importable from this module).
"""
from __future__ import annotations

import dataclasses
import math

import matplotlib.pyplot as plt
import numpy as np

from .. import _validate as check
from .. import bands
from ..bands import dos_vs_filling as dos_vs_filling  # moved to nickelates.bands
from . import _check
from .explorer import Explorer

__all__ = ["COLORS", "LABELS", "plot_bands", "fermi_sheet_folded", "plot_fermi_surfaces",
           "figure_bands_and_fs", "figure_fig2", "plot_dos_ratio", "plot_weighted_dos",
           "figure_dos_ratios", "BandExplorer", "explorer", "dos_vs_filling"]

#: line colours of the two bands
COLORS = {"alpha": "tab:blue", "beta": "tab:red"}
#: legend labels of the two bands
LABELS = {"alpha": r"$\alpha$ (antibonding)", "beta": r"$\beta$ (bonding)"}


def plot_bands(p: bands.BandParams, ax=None, *, n: int = 200, style="-", label=True):
    """Draw xi_alpha, xi_beta (eV) along Gamma-X-M-Gamma.

    Parameters
    ----------
    p : nickelates.bands.BandParams
        Band parameters (eV).
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: the current axes).
    n : int, optional
        Points per segment of the path.
    style : str, optional
        Matplotlib line style.
    label : bool, optional
        Label the lines for a legend.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_bands(bands.PAPER_V3, plt.figure().gca(), n=20)
    >>> len(ax.lines) >= 2
    True
    """
    ax = _check.axes("ax", ax) or plt.gca()
    kx, ky, s, ticks = bands.high_symmetry_path(n)
    xa, xb = bands.dispersion(kx, ky, p)
    ax.plot(s, xa, style, color=COLORS["alpha"], label=LABELS["alpha"] if label else None)
    ax.plot(s, xb, style, color=COLORS["beta"], label=LABELS["beta"] if label else None)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(ticks, [r"$\Gamma$", "X", "M", r"$\Gamma$"])
    for t in ticks:
        ax.axvline(t, color="0.8", lw=0.6)
    ax.set_xlim(ticks[0], ticks[-1])
    ax.set_ylabel(r"$\xi_{\mathbf{k}}$ (eV)")
    return ax


def fermi_sheet_folded(fs: bands.FermiSurface):
    """Points of a sheet and its periodic images inside [-pi, pi]^2, for drawing.

    Parameters
    ----------
    fs : nickelates.bands.FermiSurface
        One Fermi sheet (momenta in 1/a).

    Returns
    -------
    list of (numpy.ndarray, numpy.ndarray)
        (kx, ky) pieces; points outside the zone are NaN (breaks in the line).

    Raises
    ------
    TypeError
        If ``fs`` is not a ``FermiSurface``.

    Examples
    --------
    >>> pieces = fermi_sheet_folded(bands.fermi_surface(bands.PAPER_V3, "beta", n_theta=32))
    >>> len(pieces)                  # the sheet around M shows up in the four corners
    4
    """
    check.instance("fs", fs, bands.FermiSurface)
    pieces = []
    for sx in (-2 * math.pi, 0.0, 2 * math.pi):
        for sy in (-2 * math.pi, 0.0, 2 * math.pi):
            x = np.append(fs.kx, fs.kx[0]) + sx
            y = np.append(fs.ky, fs.ky[0]) + sy
            inside = (np.abs(x) <= math.pi + 1e-9) & (np.abs(y) <= math.pi + 1e-9)
            if inside.any():
                pieces.append((np.where(inside, x, np.nan), np.where(inside, y, np.nan)))
    return pieces


def plot_fermi_surfaces(p: bands.BandParams, ax=None, *, style="-", label=True):
    """Draw both Fermi sheets in the zone [-pi, pi]^2.

    Parameters
    ----------
    p : nickelates.bands.BandParams
        Band parameters (eV); a band without a star-shaped sheet is skipped.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: the current axes).
    style : str, optional
        Matplotlib line style.
    label : bool, optional
        Label the lines for a legend.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> ax = plot_fermi_surfaces(bands.PAPER_V3, plt.figure().gca())
    >>> ax.get_xlim() == (-math.pi, math.pi)
    True
    """
    ax = _check.axes("ax", ax) or plt.gca()
    for band in bands.BAND_NAMES:
        try:
            fs = bands.fermi_surface(p, band)
        except ValueError:
            continue
        for i, (x, y) in enumerate(fermi_sheet_folded(fs)):
            ax.plot(x, y, style, color=COLORS[band], label=LABELS[band] if (label and i == 0) else None)
    ax.set_xlim(-math.pi, math.pi)
    ax.set_ylim(-math.pi, math.pi)
    ax.set_aspect("equal")
    ax.set_xticks([-math.pi, 0, math.pi], [r"$-\pi$", "0", r"$\pi$"])
    ax.set_yticks([-math.pi, 0, math.pi], [r"$-\pi$", "0", r"$\pi$"])
    ax.set_xlabel(r"$k_x$")
    ax.set_ylabel(r"$k_y$")
    return ax


def figure_bands_and_fs(p: bands.BandParams, title: str = ""):
    """Two-panel figure (bands, Fermi surfaces) in the layout of the paper's Fig. 2.

    Parameters
    ----------
    p : nickelates.bands.BandParams
        Band parameters (eV).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure.

    Examples
    --------
    >>> len(figure_bands_and_fs(bands.PAPER_V3, "v3").axes)
    2
    """
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.8), gridspec_kw={"width_ratios": [1.5, 1]})
    plot_bands(p, a1)
    a1.legend(loc="upper left", fontsize=8)
    plot_fermi_surfaces(p, a2, label=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def figure_fig2(params=(bands.PAPER_V3, bands.PAPER_V1), styles=("-", "--")):
    """The paper's Fig. 2: bands (left) and Fermi surfaces (right) for several parameter sets.

    The first set is drawn with labels, the others without.

    Parameters
    ----------
    params : sequence of nickelates.bands.BandParams, optional
        Band parameter sets (eV); default v3 and v1.
    styles : sequence of str, optional
        One line style per set.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure.

    Examples
    --------
    >>> len(figure_fig2().axes)
    2
    """
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.5, 3.9), gridspec_kw={"width_ratios": [1.5, 1]})
    for i, (p, st) in enumerate(zip(params, styles)):
        plot_bands(p, a1, style=st, label=i == 0)
        plot_fermi_surfaces(p, a2, style=st, label=i == 0)
    a1.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def _mark_fillings(ax, d, n_c_mark):
    if d.n_c_vh is not None:
        ax.axvline(d.n_c_vh, ls=":", color="0.4")
    ax.axvline(d.n_c_X, ls=":", color="0.7")
    if n_c_mark is not None:
        ax.axvline(n_c_mark, ls="--", color="0.7")
    ax.set_xlabel(r"$n_c$ (electrons per Ni)")


def plot_dos_ratio(d: bands.DOSSweep, ax=None, *, n_c_mark: float = 0.45):
    """The paper's Fig. 3 (left): N_beta/N_alpha vs n_c.

    Parameters
    ----------
    d : nickelates.bands.DOSSweep
        From :func:`nickelates.bands.dos_vs_filling`.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: the current axes).
    n_c_mark : float or None, optional
        Filling marked with a dashed line.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    TypeError
        If ``d`` is not a ``DOSSweep``.

    Examples
    --------
    >>> ax = plot_dos_ratio(bands.dos_vs_filling([0.4, 0.5]), plt.figure().gca())
    >>> [float(y) for y in ax.get_ylim()]
    [0.0, 8.0]
    """
    check.instance("d", d, bands.DOSSweep)
    ax = _check.axes("ax", ax) or plt.gca()
    ax.plot(d.n_c, d.N_beta / d.N_alpha, "k")
    ax.set_ylabel(r"$N_\beta/N_\alpha$")
    ax.set_ylim(0, 8)
    _mark_fillings(ax, d, n_c_mark)
    return ax


def plot_weighted_dos(d: bands.DOSSweep, ax=None, *, n_c_mark: float = 0.45):
    """The paper's Fig. 4 (left): eta^2-weighted over plain DOS per band vs n_c.

    Parameters
    ----------
    d : nickelates.bands.DOSSweep
        From :func:`nickelates.bands.dos_vs_filling`.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: the current axes).
    n_c_mark : float or None, optional
        Filling marked with a dashed line.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    TypeError
        If ``d`` is not a ``DOSSweep``.

    Examples
    --------
    >>> ax = plot_weighted_dos(bands.dos_vs_filling([0.4, 0.5]), plt.figure().gca())
    >>> len(ax.get_legend().get_texts())
    2
    """
    check.instance("d", d, bands.DOSSweep)
    ax = _check.axes("ax", ax) or plt.gca()
    ax.plot(d.n_c, d.Nt_alpha / d.N_alpha, color=COLORS["alpha"], label=r"$\widetilde N_\alpha/N_\alpha$")
    ax.plot(d.n_c, d.Nt_beta / d.N_beta, color=COLORS["beta"], label=r"$\widetilde N_\beta/N_\beta$")
    ax.legend(fontsize=8)
    _mark_fillings(ax, d, n_c_mark)
    return ax


def figure_dos_ratios(d: bands.DOSSweep):
    """Fig. 3 (left) and Fig. 4 (left) side by side.

    Parameters
    ----------
    d : nickelates.bands.DOSSweep
        From :func:`nickelates.bands.dos_vs_filling`.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure.

    Examples
    --------
    >>> len(figure_dos_ratios(bands.dos_vs_filling([0.4, 0.5])).axes)
    2
    """
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.5, 3.5))
    plot_dos_ratio(d, a1)
    plot_weighted_dos(d, a2)
    fig.tight_layout()
    return fig


#: explorer sliders: name -> (min, max, step, description)
_SLIDERS = {"t1": (0.2, 0.7, 0.01, "t1"), "t2": (-0.4, 0.1, 0.01, "t2"), "t3": (-0.1, 0.2, 0.01, "t3"),
            "eps_a": (0.0, 0.8, 0.02, "εα"), "eps_b": (0.0, 0.8, 0.02, "εβ"),
            "n_c": (0.1, 1.5, 0.01, "n_c"), "mu": (-1.2, 0.8, 0.01, "μ")}


class BandExplorer(Explorer):
    """ipywidgets explorer: sliders for t1, t2, t3, eps_a, eps_b (eV) and n_c or mu (eV).

    ``sliders`` maps names to the FloatSlider widgets; ``control`` chooses
    whether the density ``n_c`` or the chemical potential ``mu`` is held.
    Each redraw stores what it drew in ``data`` (parameters, fillings, DOS,
    band energies at Gamma/X/M, Fermi-surface points) so tests and readers can
    inspect the numbers. Display it in Jupyter with ``display(explorer.widget)``
    or just by leaving the object as the last expression of a cell.

    Parameters
    ----------
    p : nickelates.bands.BandParams, optional
        Starting band parameters (eV).
    n_c : float, optional
        Starting filling (electrons per Ni).

    Examples
    --------
    >>> e = BandExplorer(bands.PAPER_V3, n_c=0.45)
    >>> round(sum(e.data["fillings"]), 6)
    0.45
    """

    errors = (ValueError, RuntimeError)   # e.g. n_c outside the band range

    def __init__(self, p: bands.BandParams = bands.PAPER_V3, n_c: float = 0.45):
        import ipywidgets as W

        n_c = _check.start("n_c", n_c, *_SLIDERS["n_c"][:2])
        start = {**dataclasses.asdict(bands.check_params(p)), "n_c": n_c}
        fs = dict(continuous_update=False, readout_format=".3f", style={"description_width": "3em"})
        self.sliders = {name: W.FloatSlider(value=start[name], min=lo, max=hi, step=step, description=desc, **fs)
                        for name, (lo, hi, step, desc) in _SLIDERS.items()}
        self.control = W.ToggleButtons(options=["n_c", "mu"], value="n_c", description="hold")
        self._build([*self.sliders.values(), self.control],
                    lambda status, out: W.HBox([W.VBox([self.control] + list(self.sliders.values())
                                                       + [status]), out]), status=True)

    def params(self) -> bands.BandParams:
        """Return the band parameters of the current slider values.

        Returns
        -------
        nickelates.bands.BandParams
            With mu from the ``n_c`` slider when ``control`` holds the density.
        """
        v = self.values()
        p = bands.BandParams(v["t1"], v["t2"], v["t3"], v["eps_a"], v["eps_b"], v["mu"])
        if self.control.value == "n_c":
            p = bands.with_density(p, v["n_c"])
        return p

    def compute(self) -> dict:
        """Return the numbers of the current state.

        Returns
        -------
        dict
            "params" (dict, eV), "fillings", "dos" (``FermiLevelDOS``), "energies"
            at Gamma/X/M (eV) and "fermi_surface" points per band (or None).
        """
        p = self.params()
        na, nb = bands.fillings(p)
        dos = bands.fermi_level_dos(p)
        pts = {"Gamma": (0.0, 0.0), "X": (math.pi, 0.0), "M": (math.pi, math.pi)}
        energies = {k: tuple(float(e) for e in bands.dispersion(*v, p)) for k, v in pts.items()}
        sheets = {}
        for band in bands.BAND_NAMES:
            try:
                f = bands.fermi_surface(p, band, n_theta=360)
                sheets[band] = (f.kx, f.ky)
            except ValueError:
                sheets[band] = None
        return {"params": dataclasses.asdict(p), "fillings": (na, nb), "dos": dos,
                "energies": energies, "fermi_surface": sheets}

    def status_html(self, data) -> str:
        """Mu, fillings and DOS ratio (HTML; full docstring from the base class)."""
        (na, nb), dos = data["fillings"], data["dos"]
        return (f"μ = {data['params']['mu']:.4f} eV, n<sub>α</sub> = {na:.4f}, n<sub>β</sub> = {nb:.4f}, "
                f"N<sub>β</sub>/N<sub>α</sub> = {dos.N_beta / dos.N_alpha:.3f}")

    def figure(self, data):
        """Bands and Fermi surfaces (full docstring from the base class)."""
        return figure_bands_and_fs(bands.BandParams(**data["params"]))



for _name in ("status_html", "figure"):           # same contract as the base class
    getattr(BandExplorer, _name).__doc__ = getattr(Explorer, _name).__doc__

def explorer(p: bands.BandParams = bands.PAPER_V3, n_c: float = 0.45) -> BandExplorer:
    """Live explorer of bands and Fermi surfaces (see :class:`BandExplorer`).

    Parameters
    ----------
    p : nickelates.bands.BandParams, optional
        Starting band parameters (eV).
    n_c : float, optional
        Starting filling (electrons per Ni).

    Returns
    -------
    BandExplorer
        The explorer (its ``widget`` displays in Jupyter).

    Examples
    --------
    >>> explorer().control.value
    'n_c'
    """
    return BandExplorer(p, n_c)

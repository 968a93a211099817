"""Figures and the ipywidgets explorer of chapter 5 (STM and Andreev spectra of the triplon gaps).

Everything here draws results computed by :mod:`nickelates.tunneling`
(``STMSpectrum``, ``AndreevSpectrum``, ``ApparentGaps``, ``ApparentGapMap``,
``Fig5Spectra``, ``ModelSpectra``) and returns a matplotlib Figure. Units as
in :mod:`nickelates.tunneling`: bias energies in meV (voltages in mV), gaps
shown in meV, T in K.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import _validate as check
from .. import tunneling
# moved to nickelates.tunneling (re-exported for the old import path)
from ..tunneling import ANDREEV_GAMMA_RATIO, FIG5, STM_GAMMA_RATIO, fig5_spectra, model_spectra
from . import _check
from .explorer import Explorer

__all__ = ["plot_stm", "plot_andreev", "plot_gap_map", "render_spectra", "figure_fig5",
           "figure_predicted_andreev", "figure_gap_maps", "FIG5", "SpectraExplorer", "explorer",
           "ANDREEV_GAMMA_RATIO", "STM_GAMMA_RATIO", "fig5_spectra", "model_spectra", "fig5_data",
           "compute_spectra", "figure_kappa_scan"]

#: old names of :func:`nickelates.tunneling.fig5_spectra` and :func:`nickelates.tunneling.model_spectra`
fig5_data = fig5_spectra
compute_spectra = model_spectra


def _axes(ax, figsize):
    _check.axes("ax", ax)
    if ax is None:
        return plt.subplots(figsize=figsize)
    return ax.figure, ax


def plot_stm(spec, ax=None, extrema=None, title=None):
    """Draw an STM spectrum with its band contributions.

    Parameters
    ----------
    spec : tunneling.STMSpectrum
        The spectrum (bias in meV).
    ax : matplotlib.axes.Axes, optional
        Where to draw the three curves (default: a new 5.5 x 3.5 inch figure).
    extrema : dict, optional
        band -> (min, max) |gap| in meV (``ModelGaps.extrema``): dotted and dashed marks.
    title : str, optional
        Panel title (9 pt).

    Returns
    -------
    matplotlib.figure.Figure
        The figure of the STM panel.

    Raises
    ------
    TypeError
        If ``spec`` is not an ``STMSpectrum``.

    Examples
    --------
    >>> from nickelates import bands, tunneling
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> s = tunneling.stm_spectrum(np.linspace(-60, 60, 121), p, 0.04, 0.02, n_theta=16)
    >>> fig = plot_stm(s, extrema={"alpha": (40, 40), "beta": (20, 20)})
    >>> len(fig.axes[0].lines)
    7
    """
    check.instance("spec", spec, tunneling.STMSpectrum)
    fig, ax = _axes(ax, (5.5, 3.5))
    w = spec.omega_meV
    ax.plot(w, spec.total, "k", lw=1.8, label="dI/dV (total)")
    ax.plot(w, spec.beta, color="tab:red", lw=1, label=f"β band (weight {spec.weights[1]:.2f})")
    ax.plot(w, spec.alpha, color="tab:blue", lw=1, label=f"α band (weight {spec.weights[0]:.2f})")
    if extrema:
        for band, col in (("alpha", "tab:blue"), ("beta", "tab:red")):
            lo, hi = extrema[band]
            ax.axvline(lo, color=col, ls=":", lw=0.8)
            ax.axvline(hi, color=col, ls="--", lw=0.8)
    ax.set_xlabel("bias (mV)")
    ax.set_ylabel("normalized dI/dV")
    ax.set_xlim(0, w.max())
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    return fig


def plot_andreev(spec, ax=None, fit=None, title=None):
    """Draw a predicted Andreev spectrum and, if given, its two-isotropic-gap fit.

    Parameters
    ----------
    spec : tunneling.AndreevSpectrum
        The spectrum (bias in mV).
    ax : matplotlib.axes.Axes, optional
        Where to draw the conductance curves (default: a new figure).
    fit : tunneling.ApparentGaps, optional
        The s+s fit of ``spec`` (gaps in meV).
    title : str, optional
        Text above the panel.

    Returns
    -------
    matplotlib.figure.Figure
        The figure the Andreev panel belongs to.

    Raises
    ------
    TypeError
        If ``spec`` or ``fit`` have the wrong type.

    Examples
    --------
    >>> from nickelates import bands, tunneling
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> s = tunneling.andreev_spectrum(np.linspace(-60, 60, 61), p, 0.023, 0.006, n_theta=16)
    >>> len(plot_andreev(s).axes[0].lines)
    3
    """
    check.instance("spec", spec, tunneling.AndreevSpectrum)
    if fit is not None:
        check.instance("fit", fit, tunneling.ApparentGaps)
    fig, ax = _axes(ax, (5.5, 3.5))
    b = spec.bias_mV
    ax.plot(b, spec.total, "k", lw=1.8, label="model (anisotropic s±)")
    ax.plot(b, spec.alpha + spec.weights[1], color="tab:blue", lw=0.8, label="α part (+ w_β)")
    ax.plot(b, spec.beta + spec.weights[0], color="tab:red", lw=0.8, label="β part (+ w_α)")
    if fit is not None:
        ax.plot(b, fit.fit.best_fit, "--", color="tab:orange", lw=1.5,
                label=f"s+s fit: Δ1={fit.delta1:.1f}, Δ2={fit.delta2:.1f} meV")
    ax.set_xlabel("bias (mV)")
    ax.set_ylabel("normalized dI/dV")
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    return fig


_MAP_LABELS = {"gap_max_ratio": "max|Δα| / max|Δβ|", "ratio": "apparent Δ1/Δ2"}


def plot_gap_map(gap_map, key="ratio", ax=None, target=None, title=None, mark_invalid=False):
    """Colour map of one quantity of an apparent-gap map over (kappa, n_c); failed points marked.

    Points that failed (``gap_map.ok`` False) are left blank and marked with a
    red cross, and the legend counts them, so no unconverged point is shown silently.
    With ``mark_invalid`` the points outside the validity cut
    (:meth:`nickelates.tunneling.ApparentGapMap.valid`: gaps above Omega/2 or a two-gap fit with
    rms >= 1e-3) carry a white circle, counted in the legend.

    Parameters
    ----------
    gap_map : tunneling.ApparentGapMap
        The map (``tunneling.apparent_gap_map`` or ``ApparentGapMap.from_arrays``).
    key : str
        A value field ("ratio", "delta1", ... in meV where they are gaps) or "gap_max_ratio".
    ax : matplotlib.axes.Axes, optional
        Where to draw the colour map (default: a new 5.5 x 3.8 inch figure).
    target : float, optional
        Draw this contour in red (e.g. the measured 3.8), if inside the range.
    title : str, optional
        Title above the map.
    mark_invalid : bool, optional
        Mark the points that fail the validity cut.

    Returns
    -------
    matplotlib.figure.Figure
        The figure with the map and its colour bar.

    Raises
    ------
    TypeError
        If ``gap_map`` is not an ``ApparentGapMap``.
    ValueError
        If ``key`` is not a field of the map.

    Examples
    --------
    >>> from nickelates import tunneling
    >>> m = tunneling.apparent_gap_map([0.25, 0.4, 0.45], [0.0, 0.3], source="eq18", starts=1,
    ...                                n_bias=41, progress=False, n_theta=16)
    >>> fig = plot_gap_map(m)
    >>> fig.axes[0].get_legend().get_texts()[0].get_text()
    'failed (2 of 6)'
    """
    check.instance("gap_map", gap_map, tunneling.ApparentGapMap)
    z = gap_map.masked(key)
    fig, ax = _axes(ax, (5.5, 3.8))
    k, n = gap_map.kappa, gap_map.n_c
    pc = ax.pcolormesh(k, n, z, shading="nearest", cmap="viridis")
    fig.colorbar(pc, ax=ax, label=_MAP_LABELS.get(key, key))
    if z.count() >= 4 and min(k.size, n.size) >= 2:
        cs = ax.contour(k, n, z, colors="w", linewidths=0.7)
        ax.clabel(cs, fontsize=7, fmt="%.2g")
        if target is not None and z.min() < target < z.max():
            ax.contour(k, n, z, levels=[target], colors="r", linewidths=1.5)
    if gap_map.n_failed:
        bad_n, bad_k = np.nonzero(~gap_map.ok)
        ax.plot(k[bad_k], n[bad_n], "x", color="tab:red", ms=7,
                label=f"failed ({gap_map.n_failed} of {gap_map.ok.size})")
    invalid = gap_map.ok & ~gap_map.valid()
    if check.boolean("mark_invalid", mark_invalid) and invalid.any():
        out_n, out_k = np.nonzero(invalid)
        ax.plot(k[out_k], n[out_n], "o", mfc="none", mec="w", ms=5, mew=0.8,
                label=f"outside the validity cut ({int(invalid.sum())} of {gap_map.ok.size})")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper right", framealpha=0.6)
    ax.set_xlabel("κ (= κa = κb)")
    ax.set_ylabel("n_c (electrons per Ni)")
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def figure_fig5(spectra=None, xmax=120.0):
    """The paper's Fig. 5 (v3): STM spectra of the analytic (left) and exact (right) gaps.

    Band contributions are drawn, gap minima dotted and maxima dashed; the
    kappa = 0 spectrum is dash-dotted on the left.

    Parameters
    ----------
    spectra : tunneling.Fig5Spectra, optional
        The spectra (``tunneling.fig5_spectra()``, computed with its defaults if None).
    xmax : float
        Upper bias limit of the axes (mV).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels.

    Raises
    ------
    TypeError
        If ``spectra`` is not a ``Fig5Spectra``.
    ValueError
        If ``spectra`` lacks the analytic or the exact gaps.

    Examples
    --------
    >>> from nickelates import tunneling
    >>> f = tunneling.fig5_spectra(np.linspace(-120, 120, 241))
    >>> len(figure_fig5(f).axes)
    2
    """
    d = fig5_spectra() if spectra is None else check.instance("spectra", spectra, tunneling.Fig5Spectra)
    if d.analytic is None or d.exact is None:
        raise ValueError("figure_fig5 needs the analytic and the exact spectra: fig5_spectra(sources=('eq18', 'exact'))")
    xmax = check.positive("xmax", xmax, hi=1e5)
    s = d.setting
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    panels = ((axs[0], d.analytic, d.stm_analytic, "analytic gaps, Eq. (16)+(18)"),
              (axs[1], d.exact, d.stm_exact, "exact gaps, Eq. (14)"))
    for ax, mg, spec, name in panels:
        plot_stm(spec, ax=ax, extrema=mg.extrema,
                 title=f"{name}; κ = {s['kappa']:g}, λ = {s['lam']:g}, Ω = {s['Omega']:g} eV")
        ax.set_xlim(0, xmax)
    axs[0].plot(d.omega_meV, d.stm_kappa0.total, color="0.6", lw=1, ls="-.", label="κ = 0 (no anisotropy)")
    axs[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def figure_kappa_scan(scans, windows=None):
    """STM peak positions (left) and shoulder-to-peak splittings (right) versus kappa.

    Parameters
    ----------
    scans : sequence of tunneling.KappaScan
        One scan per gap source (``tunneling.kappa_scan``); solid lines for the
        first, dashed for the second, dotted for further ones.
    windows : dict, optional
        ``{"beta": (lo, hi), "alpha": (lo, hi)}`` in meV, shaded on the left;
        default ``tunneling.FIG5_PEAK_WINDOWS``.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels.

    Raises
    ------
    TypeError
        If an entry of ``scans`` is not a ``KappaScan``.
    ValueError
        If ``scans`` is empty.

    Examples
    --------
    >>> from nickelates import tunneling
    >>> sc = tunneling.kappa_scan([0.0, 0.2], omega_meV=np.linspace(-100, 100, 2001))
    >>> len(figure_kappa_scan([sc]).axes)
    2
    """
    scans = [check.instance("scans[...]", x, tunneling.KappaScan) for x in scans]
    if not scans:
        raise ValueError("scans must contain at least one KappaScan")
    win = tunneling.FIG5_PEAK_WINDOWS if windows is None else windows
    _check.mapping("windows", win, what='a dict {"alpha"|"beta": (lo, hi) meV} or None')
    for band, pair in win.items():
        check.choice("windows key", band, ("alpha", "beta"))
        lo_hi = check.real_array(f"windows[{band!r}]", pair, ndim=1)
        if lo_hi.size != 2:
            raise ValueError(f"windows[{band!r}] must be a window (lo, hi) in meV, got {lo_hi.size} numbers")
    colors = {"alpha": "tab:blue", "beta": "tab:red"}
    styles = ["-", "--", ":"]
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(10, 3.4))
    for band, (lo, hi) in win.items():
        a0.axhspan(lo, hi, color=colors[band], alpha=0.12, lw=0)
    for i, sc in enumerate(scans):
        ls = styles[min(i, len(styles) - 1)]
        for band in ("beta", "alpha"):
            a0.plot(sc.kappa, sc.peak[band], color=colors[band], ls=ls, label=f"{band} peak ({sc.source} gaps)")
            a1.plot(sc.kappa, sc.splitting(band), color=colors[band], ls=ls, label=f"{band} ({sc.source})")
            res = sc.resolved[band]
            a1.plot(sc.kappa[res], sc.splitting(band)[res], "o", ms=2.5, color=colors[band])
    a0.set_xlabel("κ")
    a0.set_ylabel("STM peak (meV)")
    a0.set_title("peak positions; shaded: the paper's 40 / 70 meV read as windows", fontsize=9)
    a0.legend(fontsize=7)
    a1.set_xlabel("κ")
    a1.set_ylabel("peak − shoulder (meV)")
    a1.set_title("shoulder-to-peak splitting (dots: shoulder resolved)", fontsize=9)
    a1.legend(fontsize=7)
    fig.tight_layout()
    return fig


def figure_predicted_andreev(apparent, kappa=None):
    """Predicted Andreev spectrum with Guo et al.'s two-gap s+s fit.

    Parameters
    ----------
    apparent : tunneling.ApparentGaps
        The fit of the predicted spectrum, e.g.
        ``tunneling.apparent_gaps(ex.p, ex.delta_alpha, ex.delta_beta)`` of the
        exact Fig. 5 gaps ``ex = tunneling.triplon_gaps(**tunneling.FIG5)``.
    kappa : float, optional
        kappa of the gaps, for the title.

    Returns
    -------
    matplotlib.figure.Figure
        One panel.

    Raises
    ------
    TypeError
        If ``apparent`` is not an ``ApparentGaps``.

    Examples
    --------
    >>> from nickelates import bands, tunneling
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> ap = tunneling.apparent_gaps(p, 0.03, 0.01, bias_mV=np.linspace(-60, 60, 61), starts=1, n_theta=16)
    >>> len(figure_predicted_andreev(ap, kappa=0.0).axes[0].lines)
    4
    """
    check.instance("apparent", apparent, tunneling.ApparentGaps)
    which = "" if kappa is None else f", κ = {check.finite('kappa', kappa):g}"
    return plot_andreev(apparent.spectrum, fit=apparent,
                        title=f"Predicted Andreev spectrum (model gaps{which}) and Guo et al.'s s+s fit")


def figure_gap_maps(gap_map, target_ratio=23 / 6):
    """Apparent Delta1/Delta2 (left, the measured ratio in red) and the ratio of the gap maxima (right).

    Points outside the validity cut are circled on the left; the title says whether a
    point inside it reaches ``target_ratio``.

    Parameters
    ----------
    gap_map : tunneling.ApparentGapMap
        The map, e.g. ``ApparentGapMap.from_arrays(numpy.load(paths.data_file("apparent_gap_map.npz")))``.
    target_ratio : float
        Measured Delta1/Delta2 (Guo et al.: 23/6).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels; failed points are marked (see :func:`plot_gap_map`).

    Raises
    ------
    TypeError
        If ``gap_map`` is not an ``ApparentGapMap``.

    Examples
    --------
    >>> from nickelates import tunneling
    >>> m = tunneling.apparent_gap_map([0.4, 0.45], [0.0, 0.3], source="eq18", starts=1, n_bias=41,
    ...                                progress=False, n_theta=16)
    >>> len(figure_gap_maps(m).axes)
    4
    """
    check.instance("gap_map", gap_map, tunneling.ApparentGapMap)
    target_ratio = check.positive("target_ratio", target_ratio)
    fig, axs = plt.subplots(1, 2, figsize=(10.5, 3.8))
    ratio = np.ma.masked_array(gap_map.ratio, mask=~gap_map.valid())
    reached = ratio.count() > 0 and ratio.max() >= target_ratio
    lam = (f"λ = {np.nanmax(gap_map.lam):g}" if gap_map.target_meV is None
           else f"λ for max|Δ| = {gap_map.target_meV[0]:g} meV")
    plot_gap_map(gap_map, "ratio", ax=axs[0], target=target_ratio, mark_invalid=True,
                 title=f"apparent Δ1/Δ2 ({lam}, Ω = {gap_map.Omega:g} eV); measured "
                       f"{target_ratio:.2g} " + ("in red" if reached else "not reached by a valid point"))
    plot_gap_map(gap_map, "gap_max_ratio", ax=axs[1], title="model: ratio of the gap maxima on the sheets")
    fig.tight_layout()
    return fig


def render_spectra(spectra):
    """Two-panel figure (STM | Andreev) of one explorer setting.

    Parameters
    ----------
    spectra : tunneling.ModelSpectra
        Output of ``tunneling.model_spectra`` (gamma_beta in meV).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels.

    Raises
    ------
    TypeError
        If ``spectra`` is not a ``ModelSpectra``.

    Examples
    --------
    >>> from nickelates import tunneling
    >>> s = tunneling.model_spectra(0.4, 0.3, 0.7, 1.0, source="eq18", n_theta=32,
    ...                             omega_meV=np.linspace(-100, 100, 201), bias_mV=np.linspace(-100, 100, 41))
    >>> len(render_spectra(s).axes)
    2
    """
    check.instance("spectra", spectra, tunneling.ModelSpectra)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6))
    mg = spectra.gaps
    plot_stm(spectra.stm, ax=a1, extrema=mg.extrema,
             title=f"STM: λ={spectra.lam:.2f}, κ={spectra.kappa:.2f}, r={spectra.r:.2f}, "
                   f"Γβ={spectra.gamma_beta:.2f} meV ({mg.source} gaps)")
    plot_andreev(spectra.andreev, ax=a2, fit=spectra.apparent,
                 title=f"Andreev (100 contact), T = {spectra.andreev.T:g} K")
    fig.tight_layout()
    return fig


class SpectraExplorer(Explorer):
    """Live explorer of the triplon model's STM and Andreev spectra.

    ``sliders``: dict name -> widget (lam, kappa, r, gamma_beta in meV);
    ``data``: the ``tunneling.ModelSpectra`` of the last redraw.

    Parameters
    ----------
    lam, kappa, r : float
        Initial coupling lambda, kappa_a = kappa_b and orbital weight r (dimensionless).
    gamma_beta : float
        Initial Dynes Gamma_beta (meV).
    n_c : float
        Electrons per Ni (fixed).
    Omega : float
        Cutoff (eV, fixed).
    source : {"exact", "eq18", "eq17"}
        Gap source.
    fit : bool
        Also fit the Andreev spectrum at each redraw (slower).

    Examples
    --------
    >>> ex = SpectraExplorer(source="eq18", kappa=0.0)
    >>> [round(x) for x in ex.data.stm_peaks]
    [38, 67]
    """

    def __init__(self, lam=0.4, kappa=0.3, r=0.7, gamma_beta=1.0, *, n_c=0.45, Omega=0.3, source="exact",
                 fit=False):
        import ipywidgets as widgets

        fs = dict(continuous_update=False, readout_format=".2f")
        self.n_c, self.Omega = check.finite("n_c", n_c), check.finite("Omega", Omega)
        lam = _check.start("lam", lam, 0.2, 0.6)
        kappa = _check.start("kappa", kappa, 0.0, 0.8)
        r = _check.start("r", r, 0.0, 1.0)
        gamma_beta = _check.start("gamma_beta", gamma_beta, 0.2, 8.0)
        self.source = check.choice("source", source, tunneling.GAP_SOURCES)
        self.fit = check.boolean("fit", fit)
        self.sliders = {
            "lam": widgets.FloatSlider(value=lam, min=0.2, max=0.6, step=0.02, description="λ", **fs),
            "kappa": widgets.FloatSlider(value=kappa, min=0.0, max=0.8, step=0.05, description="κ", **fs),
            "r": widgets.FloatSlider(value=r, min=0.0, max=1.0, step=0.05, description="r", **fs),
            "gamma_beta": widgets.FloatSlider(value=gamma_beta, min=0.2, max=8.0, step=0.1,
                                              description="Γβ (meV)", **fs),
        }
        ctl = list(self.sliders.values())
        self._build(ctl, lambda status, out: widgets.VBox([widgets.HBox(ctl[:2]), widgets.HBox(ctl[2:]), out]))

    def compute(self):
        """Return the spectra of the current slider values.

        Returns
        -------
        tunneling.ModelSpectra
            Gaps, STM and Andreev spectra.
        """
        return model_spectra(**self.values(), n_c=self.n_c, Omega=self.Omega, source=self.source, fit=self.fit)

    def figure(self, data=None):
        """Return the two-panel figure of ``data`` (default: the last redraw).

        Parameters
        ----------
        data : tunneling.ModelSpectra, optional
            Spectra to draw.

        Returns
        -------
        matplotlib.figure.Figure
            See :func:`render_spectra`.
        """
        return render_spectra(self.data if data is None else data)


def explorer(**kw):
    """Return a :class:`SpectraExplorer` (display it, or its ``.widget``, in Jupyter).

    Parameters
    ----------
    **kw
        Keywords of :class:`SpectraExplorer`.

    Returns
    -------
    SpectraExplorer
        The explorer.

    Examples
    --------
    >>> explorer(source="eq18").sliders["gamma_beta"].value
    1.0
    """
    return SpectraExplorer(**kw)

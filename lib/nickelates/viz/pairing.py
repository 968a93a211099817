"""Figures and the interactive explorer for chapter 3 (triplon-mediated s+- pairing).

Nothing here computes physics: the sweeps and comparisons behind the figures
are in :mod:`nickelates.pairing` (``ratio_sweep``, ``compare_gaps``,
``compare_gap_cases``, ``fermi_surface_gaps``, ``FIG4_CASES``); the old names
``ratio_sweep``, ``fig4_solutions``, ``fs_gap_curves``, ``gap_state`` and
``FIG4_CASES`` are still importable from here.
"""
from __future__ import annotations

import dataclasses
import math

import matplotlib.pyplot as plt
import numpy as np

from .. import _validate as check
from .. import bands
from .. import pairing
from ..pairing import FIG4_CASES as FIG4_CASES  # moved to nickelates.pairing
from ..pairing import compare_gap_cases as fig4_solutions  # moved: nickelates.pairing.compare_gap_cases
from ..pairing import fermi_surface_gaps as fs_gap_curves  # moved: nickelates.pairing.fermi_surface_gaps
from ..pairing import ratio_sweep as ratio_sweep  # moved to nickelates.pairing
from . import bands as viz_bands
from . import _check
from .explorer import Explorer

__all__ = ["COLORS", "plot_fs_gaps", "plot_ratio_vs_dos", "plot_gap_vs_T", "figure_fig4_right",
           "figure_fig3", "figure_fig3_right", "figure_gap_vs_T", "figure_fig4", "figure_gap_state",
           "figure_impurity_tc",
           "gap_state", "PairingExplorer", "explorer",
           "ratio_sweep", "fig4_solutions", "fs_gap_curves", "FIG4_CASES"]

#: line colours of the two bands
COLORS = {"alpha": "tab:blue", "beta": "tab:red"}
_QUARTER = math.pi / 2 + 1e-12


def _gap_lines(ax, curves, scale, style, label):
    """Draw {band: (theta, |Delta|)} on theta in [0, pi/2], divided by ``scale``."""
    for band in bands.BAND_NAMES:
        th, d = curves[band]
        m = th <= _QUARTER
        ax.plot(th[m], d[m] / scale, style, color=COLORS[band], label=label.format(band=band))


def plot_fs_gaps(exact, analytic=None, ax=None, *, n_theta: int = 360, normalize: bool = True,
                 title: str = ""):
    """Fig. 4 (right): |Delta(theta)| on the alpha and beta sheets, theta in [0, pi/2].

    Normalized to Delta_alpha(theta = 0) of the exact solution (as in the paper),
    analytic Eq. (16) curves dashed, each normalized to its own Delta_alpha(0).

    Parameters
    ----------
    exact : nickelates.pairing.GapSolution or nickelates.pairing.AnalyticGaps
        The solid curves.
    analytic : nickelates.pairing.AnalyticGaps, optional
        The dashed curves.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: the current axes).
    n_theta : int, optional
        Points per sheet.
    normalize : bool, optional
        Divide by Delta_alpha(0) (else |Delta| in eV).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> p = bands.with_density(bands.PAPER_V3, 0.45)
    >>> an = pairing.analytic_gaps(p, V=1.4, kappa_a=0.75, kappa_b=0.75, Omega=0.3)
    >>> len(plot_fs_gaps(an, an, plt.figure().gca(), n_theta=64).lines)
    5
    """
    ax = _check.axes("ax", ax) or plt.gca()
    cur = pairing.fermi_surface_gaps(exact, n_theta)
    _gap_lines(ax, cur, cur["alpha"][1][0] if normalize else 1.0, "-", r"$\Delta_\{band}$ exact")
    if analytic is not None:
        acur = pairing.fermi_surface_gaps(analytic, n_theta)
        _gap_lines(ax, acur, acur["alpha"][1][0] if normalize else 1.0, "--", r"$\Delta_\{band}$ paper Eq. (16)")
    ax.axvline(math.pi / 4, color="0.7", lw=0.6)
    ax.set_xticks([0, math.pi / 8, math.pi / 4, 3 * math.pi / 8, math.pi / 2],
                  ["0", r"$\pi/8$", r"$\pi/4$", r"$3\pi/8$", r"$\pi/2$"])
    ax.set_xlim(0, math.pi / 2)
    ax.set_xlabel(r"$\theta$")
    ax.set_ylabel(r"$\Delta(\theta)/\Delta_\alpha(0)$" if normalize else r"$|\Delta(\theta)|$ (eV)")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_ratio_vs_dos(sweep=None, ax=None, lams=(0.6, 0.3), x=None):
    """Fig. 3 (right): Delta_alpha/Delta_beta vs N_beta/N_alpha from Eq. (18), exact points overlaid.

    Parameters
    ----------
    sweep : nickelates.pairing.RatioSweep, optional
        Exact ratios (:func:`nickelates.pairing.ratio_sweep`), drawn as circles
        for the couplings it shares with ``lams``.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: the current axes).
    lams : sequence of float, optional
        Couplings of the Eq. (18) lines.
    x : array_like, optional
        N_beta/N_alpha values of the lines (default 1 to 4).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    TypeError
        If ``sweep`` is not a ``RatioSweep``.

    Examples
    --------
    >>> len(plot_ratio_vs_dos(None, plt.figure().gca()).lines)
    3
    """
    if sweep is not None:
        check.instance("sweep", sweep, pairing.RatioSweep)
    ax = _check.axes("ax", ax) or plt.gca()
    x = np.linspace(1.0, 4.0, 200) if x is None else x
    styles = {0.6: "tab:purple", 0.3: "tab:green"}
    for lam in lams:
        c = styles.get(lam)
        ax.plot(x, pairing.gap_ratio_eq18(x, lam), color=c, label=rf"paper Eq. (18), $\lambda={lam}$")
        if sweep is not None and lam in sweep.lams:
            xr, yr = sweep.curve(lam)
            ax.plot(xr, yr, "o", ms=4, color=c, mfc="none", label=rf"exact, $\lambda={lam}$")
    ax.plot(x, np.sqrt(x), "k--", lw=1, label=r"$\lambda\to 0$: $\sqrt{N_\beta/N_\alpha}$")
    ax.set_xlabel(r"$N_\beta/N_\alpha$")
    ax.set_ylabel(r"$\Delta_\alpha/\Delta_\beta$")
    ax.legend(fontsize=7)
    return ax


def plot_gap_vs_T(curve, ax=None):
    """Draw Delta_alpha(T), Delta_beta(T) (meV) of a gap curve; the gaps close at T_c.

    Parameters
    ----------
    curve : nickelates.pairing.GapCurve
        From :func:`nickelates.pairing.gap_vs_temperature`.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: the current axes).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    TypeError
        If ``curve`` is not a ``GapCurve``.

    Examples
    --------
    >>> c = pairing.GapCurve(np.array([0.0, 5.0]), np.array([[0.1, 0, 0], [0.05, 0, 0]]),
    ...                      np.array([[-0.05, 0, 0], [-0.02, 0, 0]]), 6.0, "s", 0.0)
    >>> plot_gap_vs_T(c, plt.figure().gca()).get_xlabel()
    'T (K)'
    """
    check.instance("curve", curve, pairing.GapCurve)
    ax = _check.axes("ax", ax) or plt.gca()
    m = curve.T < curve.Tc
    T = np.append(curve.T[m], curve.Tc)          # the gaps close at T_c
    ax.plot(T, 1e3 * np.append(curve.gap_alpha[m], 0.0), "o-", ms=3, color=COLORS["alpha"],
            label=r"$\Delta_\alpha(\pi/4)$")
    ax.plot(T, 1e3 * np.append(curve.gap_beta[m], 0.0), "s-", ms=3, color=COLORS["beta"],
            label=r"$\Delta_\beta(\pi/4)$")
    ax.axvline(curve.Tc, color="0.5", lw=0.8, ls=":")
    ax.set_xlabel("T (K)")
    ax.set_ylabel(r"gap on the diagonal (meV)")
    ax.legend(fontsize=8)
    return ax


def _comparisons(comparisons):
    """A non-empty sequence of ``pairing.GapComparison``; return it as a list."""
    check.not_missing("comparisons", comparisons, "a sequence of nickelates.pairing.GapComparison")
    if isinstance(comparisons, pairing.GapComparison) or not hasattr(comparisons, "__len__"):
        check._reject_type("comparisons", comparisons, "a sequence of nickelates.pairing.GapComparison")
    comparisons = list(comparisons)
    if not comparisons:
        raise ValueError("comparisons must hold at least one GapComparison")
    for c in comparisons:
        check.instance("comparisons[i]", c, pairing.GapComparison)
    return comparisons


def figure_fig4_right(comparisons, axs=None):
    """|Delta(theta)| panels (exact solid, Eq. (16) dashed), one per comparison.

    Parameters
    ----------
    comparisons : sequence of nickelates.pairing.GapComparison
        From :func:`nickelates.pairing.compare_gap_cases`.
    axs : array of matplotlib.axes.Axes, optional
        One axes per comparison (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.

    Examples
    --------
    >>> cs = pairing.compare_gap_cases(pairing.FIG4_CASES[:1], n_k=64)
    >>> len(figure_fig4_right(cs).axes)
    1
    """
    comparisons = _comparisons(comparisons)
    if axs is not None:
        import matplotlib.axes
        axs = _check.axes_sequence("axs", [axs] if isinstance(axs, matplotlib.axes.Axes) else axs,
                                   len(comparisons))
    if axs is None:
        fig, axs = plt.subplots(1, len(comparisons), figsize=(3.7 * len(comparisons), 3.4), sharey=True)
    else:
        fig = np.atleast_1d(axs)[0].figure
    axs = np.atleast_1d(axs)
    for ax, c in zip(axs, comparisons):
        check.instance("comparisons[i]", c, pairing.GapComparison)
        plot_fs_gaps(c.exact, c.analytic, ax, title=f"{c.label}, λ = {c.lam}")
    axs[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def figure_fig3(dos_sweep, sweep):
    """The paper's Fig. 3: N_beta/N_alpha vs n_c (left) and the gap ratio vs N_beta/N_alpha (right).

    Parameters
    ----------
    dos_sweep : nickelates.bands.DOSSweep
        From :func:`nickelates.bands.dos_vs_filling` (left panel).
    sweep : nickelates.pairing.RatioSweep
        From :func:`nickelates.pairing.ratio_sweep` (markers of the right panel).

    Returns
    -------
    matplotlib.figure.Figure
        The new figure.

    Examples
    --------
    >>> s = pairing.RatioSweep(np.array([0.45]), (0.3,), np.array([2.5]), np.array([[1.76]]), 0.3)
    >>> len(figure_fig3(bands.dos_vs_filling([0.4, 0.5]), s).axes)
    2
    """
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.5, 3.6))
    viz_bands.plot_dos_ratio(dos_sweep, a1)
    plot_ratio_vs_dos(sweep, a2, x=np.linspace(1.0, 4.0, 200))
    a2.set_xlim(1, 4)
    fig.tight_layout()
    return fig


def figure_fig3_right(sweep, x=None):
    """Fig. 3 (right) alone: Eq. (18) lines and the exact markers.

    Parameters
    ----------
    sweep : nickelates.pairing.RatioSweep
        From :func:`nickelates.pairing.ratio_sweep`.
    x : array_like, optional
        N_beta/N_alpha values of the lines (default 1 to 4).

    Returns
    -------
    matplotlib.figure.Figure
        The new figure.

    Examples
    --------
    >>> s = pairing.RatioSweep(np.array([0.45]), (0.3,), np.array([2.5]), np.array([[1.76]]), 0.3)
    >>> len(figure_fig3_right(s).axes[0].lines)
    4
    """
    fig, ax = plt.subplots(figsize=(5, 3.6))
    plot_ratio_vs_dos(sweep, ax, x=np.linspace(1.0, 4.0, 200) if x is None else x)
    ax.set_xlim(1, 4)
    fig.tight_layout()
    return fig


def figure_gap_vs_T(curve):
    """Delta_alpha(T), Delta_beta(T) on the zone diagonal (meV), one panel.

    Parameters
    ----------
    curve : nickelates.pairing.GapCurve
        From :func:`nickelates.pairing.gap_vs_temperature`.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure.

    Examples
    --------
    >>> c = pairing.GapCurve(np.array([0.0, 5.0]), np.array([[0.1, 0, 0], [0.05, 0, 0]]),
    ...                      np.array([[-0.05, 0, 0], [-0.02, 0, 0]]), 6.0, "s", 0.0)
    >>> len(figure_gap_vs_T(c).axes)
    1
    """
    fig, ax = plt.subplots(figsize=(5, 3.4))
    plot_gap_vs_T(curve, ax)
    fig.tight_layout()
    return fig


def figure_impurity_tc(rates_meV, tc_unequal, tc_equal, targets=(80.0, 40.0)):
    """T_c versus the interband pair-breaking rate: the two-band s+- result and Abrikosov-Gor'kov.

    Draws only; the temperatures come from :func:`nickelates.fluctuations.interband_impurity_tc`
    and :func:`nickelates.fluctuations.abrikosov_gorkov_tc`.

    Parameters
    ----------
    rates_meV : array_like of float
        Pair-breaking rates Gamma_t (meV), non-empty.
    tc_unequal, tc_equal : array_like of float
        T_c (K) at those rates for the bands' DOS ratio and for equal DOS; same length as ``rates_meV``.
    targets : tuple of float, optional
        Temperatures (K) marked by dotted lines (the measured range).

    Returns
    -------
    matplotlib.figure.Figure
        The new figure.

    Raises
    ------
    TypeError
        If an array is not real.
    ValueError
        If the arrays are empty, non-finite or of different lengths.

    Examples
    --------
    >>> fig = figure_impurity_tc([0.0, 10.0, 20.0], [300.0, 250.0, 150.0], [300.0, 240.0, 120.0])
    >>> len(fig.axes)
    1
    """
    g = check.real_array("rates_meV", rates_meV, ndim=1)
    tu = check.real_array("tc_unequal", tc_unequal, ndim=1)
    te = check.real_array("tc_equal", tc_equal, ndim=1)
    check.same_length(rates_meV=g, tc_unequal=tu, tc_equal=te)
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.plot(g, tu, "k-", label="two bands, $N_\\beta/N_\\alpha$ of the model")
    ax.plot(g, te, "k--", label="equal DOS (Abrikosov–Gor'kov)")
    for t in targets:
        ax.axhline(t, color="0.6", ls=":", lw=1)
    ax.set_xlabel("interband pair-breaking rate $\\Gamma_t$ (meV)")
    ax.set_ylabel("$T_c$ (K)")
    ax.set_ylim(0, None)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def figure_fig4(dos_sweep, comparisons):
    """The paper's Fig. 4: weighted DOS ratios vs n_c (left) and Delta(theta) on the sheets (right).

    Parameters
    ----------
    dos_sweep : nickelates.bands.DOSSweep
        From :func:`nickelates.bands.dos_vs_filling` (left panel).
    comparisons : sequence of nickelates.pairing.GapComparison
        From :func:`nickelates.pairing.compare_gap_cases` (one right panel each).

    Returns
    -------
    matplotlib.figure.Figure
        The new figure.

    Examples
    --------
    >>> cs = pairing.compare_gap_cases(pairing.FIG4_CASES[:1], n_k=64)
    >>> len(figure_fig4(bands.dos_vs_filling([0.4, 0.5]), cs).axes)
    2
    """
    comparisons = _comparisons(comparisons)
    n = len(comparisons)
    fig = plt.figure(figsize=(3.6 * (n + 1), 3.4))
    gs = fig.add_gridspec(1, n + 1)
    a0 = fig.add_subplot(gs[0, 0])
    viz_bands.plot_weighted_dos(dos_sweep, a0)
    axs = [fig.add_subplot(gs[0, 1])]
    axs += [fig.add_subplot(gs[0, k], sharey=axs[0]) for k in range(2, n + 1)]
    figure_fig4_right(comparisons, np.array(axs))
    return fig


def gap_state(lam=0.4, kappa_a=0.75, kappa_b=0.75, n_c=0.45, Omega=0.3, p=bands.PAPER_V3, n_k=128):
    """Exact and analytic gaps of one explorer state (old name; use ``pairing.compare_gaps``).

    Parameters
    ----------
    lam : float, optional
        Coupling lambda = V sqrt(N_a N_b) (V follows from the bands at ``n_c``).
    kappa_a, kappa_b : float, optional
        Kondo/Hund ratios (dimensionless).
    n_c : float, optional
        Filling (electrons per Ni).
    Omega : float, optional
        Cutoff (eV).
    p : nickelates.bands.BandParams, optional
        Band parameters (eV); mu is set from ``n_c``.
    n_k : int, optional
        Cells per axis of the finest grid.

    Returns
    -------
    nickelates.pairing.GapComparison
        ``pairing.compare_gaps(bands.with_density(p, n_c), ...)``.

    Examples
    --------
    >>> gap_state(0.4, 0.0, 0.0, n_k=64).channel
    's'
    """
    return pairing.compare_gaps(bands.with_density(p, n_c), lam=lam, kappa_a=kappa_a, kappa_b=kappa_b,
                                Omega=Omega, n_k=n_k)


def figure_gap_state(comparison, title=""):
    """Figure of one explorer state: Delta(theta) on both sheets (meV), exact vs Eq. (16).

    Parameters
    ----------
    comparison : nickelates.pairing.GapComparison
        From :func:`nickelates.pairing.compare_gaps`.
    title : str, optional
        Axes title (default: lambda and both ratios).

    Returns
    -------
    matplotlib.figure.Figure
        The new figure.

    Raises
    ------
    TypeError
        If ``comparison`` is not a ``GapComparison``.

    Examples
    --------
    >>> c = pairing.compare_gaps(bands.with_density(bands.PAPER_V3, 0.45), lam=0.4, kappa_a=0.5,
    ...                          kappa_b=0.5, n_k=64)
    >>> len(figure_gap_state(c).axes[0].lines)
    4
    """
    check.instance("comparison", comparison, pairing.GapComparison)
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    if comparison.channel == "s":
        _gap_lines(ax, pairing.fermi_surface_gaps(comparison.exact, 180), 1e-3, "-", r"$|\Delta_\{band}|$ exact")
        _gap_lines(ax, pairing.fermi_surface_gaps(comparison.analytic, 180), 1e-3, "--", "paper Eqs. (16)+(18)")
        ax.set_xticks([0, math.pi / 4, math.pi / 2], ["0", r"$\pi/4$", r"$\pi/2$"])
        ax.set_xlim(0, math.pi / 2)
        ax.set_xlabel(r"$\theta$")
        ax.set_ylabel(r"$|\Delta(\theta)|$ (meV)")
        ax.legend(fontsize=7, ncol=2)
        ax.set_title(title or (rf"$\lambda={comparison.lam:.2f}$: $\Delta_\alpha/\Delta_\beta$ = "
                               rf"{comparison.ratio:.2f} (exact), {comparison.ratio_eq18:.2f} (Eq. 18)"),
                     fontsize=9)
    else:
        ax.text(0.5, 0.5, f"leading channel: {comparison.channel}", ha="center", transform=ax.transAxes)
    fig.tight_layout()
    return fig


#: explorer sliders: name -> (min, max, step, description)
_SLIDERS = {"lam": (0.15, 0.7, 0.01, "λ"), "kappa_a": (0.0, 1.5, 0.05, "κa"),
            "kappa_b": (0.0, 1.5, 0.05, "κb"), "n_c": (0.2, 0.9, 0.01, "filling"), "Omega": (0.05, 0.6, 0.01, "Ω")}


class PairingExplorer(Explorer):
    """ipywidgets explorer: lambda, kappa_a, kappa_b, n_c, Omega (eV) -> Delta(theta) on both sheets.

    ``sliders`` maps names ("lam", "kappa_a", "kappa_b", "n_c", "Omega") to the
    FloatSlider widgets; every redraw stores its numbers in ``data`` (gaps on the
    diagonal in eV, exact and Eq. (18) ratios, channel, Fermi-surface curves,
    and the ``pairing.GapComparison`` as "comparison").

    Parameters
    ----------
    lam : float, optional
        Coupling lambda.
    kappa_a, kappa_b : float, optional
        Kondo/Hund ratios.
    n_c : float, optional
        Filling (electrons per Ni).
    Omega : float, optional
        Cutoff (eV).
    p : nickelates.bands.BandParams, optional
        Band parameters (eV); mu follows ``n_c``.
    n_k : int, optional
        Cells per axis of the finest grid.

    Examples
    --------
    >>> e = PairingExplorer(kappa_a=0.0, kappa_b=0.0, n_k=64)
    >>> e.data["channel"], round(e.data["ratio"], 2)
    ('s', 1.77)
    """

    errors = (ValueError, RuntimeError)

    def __init__(self, lam=0.4, kappa_a=0.75, kappa_b=0.75, n_c=0.45, Omega=0.3, p=bands.PAPER_V3, n_k=128):
        import ipywidgets as W

        self.p = bands.check_params(p)
        self.n_k = check.integer("n_k", n_k, 8, 4096)
        lam, kappa_a, kappa_b, n_c, Omega = (_check.start(name, value, _SLIDERS[name][0], _SLIDERS[name][1])
                                             for name, value in (("lam", lam), ("kappa_a", kappa_a),
                                                                 ("kappa_b", kappa_b), ("n_c", n_c),
                                                                 ("Omega", Omega)))
        start = {"lam": lam, "kappa_a": kappa_a, "kappa_b": kappa_b, "n_c": n_c, "Omega": Omega}
        fs = dict(continuous_update=False, readout_format=".2f", style={"description_width": "3em"})
        self.sliders = {name: W.FloatSlider(value=start[name], min=lo, max=hi, step=step, description=desc, **fs)
                        for name, (lo, hi, step, desc) in _SLIDERS.items()}
        self._build(self.sliders.values(),
                    lambda status, out: W.HBox([W.VBox(list(self.sliders.values()) + [status]), out]),
                    status=True)

    def compute(self) -> dict:
        """Return the numbers of the current state.

        Returns
        -------
        dict
            "comparison" (``pairing.GapComparison``), "params" (dict, eV), "V" (eV),
            "lam", "channel", "solution", "analytic", "gap_alpha", "gap_beta" (eV),
            "ratio" (NaN unless s channel), "ratio_eq18" and, in the s channel,
            "curves" (``pairing.fermi_surface_gaps`` of the exact solution).
        """
        v = self.values()
        c = pairing.compare_gaps(bands.with_density(self.p, v["n_c"]), lam=v["lam"], kappa_a=v["kappa_a"],
                                 kappa_b=v["kappa_b"], Omega=v["Omega"], n_k=self.n_k)
        data = {"comparison": c, "params": dataclasses.asdict(c.p), "V": c.V, "lam": c.lam, "channel": c.channel,
                "solution": c.exact, "analytic": c.analytic,
                "gap_alpha": c.exact.gap_alpha, "gap_beta": c.exact.gap_beta,
                "ratio": c.ratio if c.channel == "s" else float("nan"), "ratio_eq18": c.ratio_eq18}
        if c.channel == "s":
            data["curves"] = pairing.fermi_surface_gaps(c.exact, 180)
        return data

    def status_html(self, data) -> str:
        """Channel, diagonal gaps (meV) and ratios (HTML; full docstring from the base class)."""
        return (f"channel {data['channel']}; Δα(π/4) = {1e3 * data['gap_alpha']:.2f} meV, "
                f"Δβ(π/4) = {1e3 * data['gap_beta']:.2f} meV; ratio {data['ratio']:.3f} "
                f"(Eq. 18: {data['ratio_eq18']:.3f})")

    def figure(self, data):
        """:func:`figure_gap_state` of the comparison (full docstring from the base class)."""
        return figure_gap_state(data["comparison"])



for _name in ("status_html", "figure"):           # same contract as the base class
    getattr(PairingExplorer, _name).__doc__ = getattr(Explorer, _name).__doc__

def explorer(**kw) -> PairingExplorer:
    """Live explorer of the exact gaps (see :class:`PairingExplorer`).

    Parameters
    ----------
    **kw
        Passed to :class:`PairingExplorer` (lam, kappa_a, kappa_b, n_c, Omega in eV, p, n_k).

    Returns
    -------
    PairingExplorer
        The explorer (its ``widget`` displays in Jupyter).

    Examples
    --------
    >>> sorted(explorer(n_k=64).sliders)
    ['Omega', 'kappa_a', 'kappa_b', 'lam', 'n_c']
    """
    return PairingExplorer(**kw)

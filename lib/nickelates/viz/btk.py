"""Figures and the ipywidgets explorer of chapter 4 (Andreev reflection, BTK).

Units as in :mod:`nickelates.btk`: meV, mV, K. The figure functions draw
results computed by :mod:`nickelates.btk` (:func:`~nickelates.btk.table3_refits`,
:func:`~nickelates.btk.nb_calibration_spectra`,
:func:`~nickelates.btk.table3_gap_temperature`,
:func:`~nickelates.btk.dwave_orientation`,
:func:`~nickelates.btk.correlation_matrix`) and return a matplotlib Figure.
``table3_refits`` and ``correlation_matrix`` used to live here and are
re-exported for the old import path.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import _validate as check
from .. import btk
from ..btk import correlation_matrix, table3_refits  # moved to nickelates.btk; old path kept
from . import _check
from .explorer import Explorer

__all__ = ["plot_classic_btk", "plot_fit", "plot_spectrum", "BTKExplorer", "explorer",
           "SYMMETRY_PAIRS", "figure_nb_calibration", "table3_refits", "figure_table3",
           "figure_gap_temperature", "figure_model_comparison", "figure_table3_correlations",
           "plot_table3_gaps", "figure_dwave_orientation", "correlation_matrix", "figure_series",
           "figure_polarization_contact", "figure_z_extrapolation"]

SYMMETRY_PAIRS = ("s+s", "s+d", "d+s", "d+d")
"""Symmetry pairs offered by the explorer."""


def plot_classic_btk(Zs=(0.0, 0.3, 1.0, 3.0), emax=3.0, n=601):
    """The classic BTK figure: A(E), B(E) and sigma = (1+Z^2)(1+A-B) vs E/Delta (T = 0, Gamma = 0).

    Parameters
    ----------
    Zs : sequence of float, optional
        Barrier strengths (dimensionless), one panel each.
    emax : float, optional
        Largest E/Delta shown (dimensionless, > 0).
    n : int, optional
        Number of energies (>= 2).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per Z.

    Examples
    --------
    >>> fig = plot_classic_btk(Zs=(0.0, 1.0), n=11)
    >>> len(fig.axes)
    2
    """
    Zs = check.real_array("Zs", Zs, ndim=1)
    emax = check.positive("emax", emax, btk.DELTA_MAX)
    n = check.integer("n", n, 2, 1_000_000)
    e = np.linspace(0.0, emax, n)
    fig, axs = plt.subplots(1, len(Zs), figsize=(3.0 * len(Zs), 3.0), sharey=True)
    for ax, Z in zip(np.atleast_1d(axs), Zs):
        A, B = btk.btk_coefficients(e, 1.0, Z)
        ax.plot(e, A, label="A (Andreev)")
        ax.plot(e, B, label="B (normal)")
        ax.plot(e, (1 + Z ** 2) * (1 + A - B), "k", label=r"$\sigma=(1+Z^2)(1+A-B)$")
        ax.set_title(f"Z = {Z:g}")
        ax.set_xlabel(r"$E/\Delta$")
        ax.set_ylim(0, 2.2)
    np.atleast_1d(axs)[0].legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


def _draw_spectrum(ax, bias, G, comps, gaps, title=None):
    ax.plot(bias, G, "k", lw=2, label=r"$G = \sum_i w_i G_i$")
    for i, (g, c) in enumerate(zip(gaps, comps)):
        ax.plot(bias, c, "--", lw=1, label=f"$G_{{{i + 1}}}$: {g.symmetry}, Δ={g.delta:.3g} meV, w={g.weight:.2f}")
    ax.set_xlabel("bias (mV)")
    ax.set_ylabel("normalized dI/dV")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=7)


def plot_spectrum(bias, gaps, T, ax=None, angle_resolved=True, title=None):
    """Total and component conductances of a multi-gap model (:func:`nickelates.btk.conductance_multi`).

    Parameters
    ----------
    bias : array_like of float
        Bias in mV.
    gaps : sequence of nickelates.btk.Gap
        The bands (meV).
    T : float
        Temperature in K.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (default: a new figure).
    angle_resolved : bool, optional
        Angle-resolved or normal-incidence model.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure of ``ax``.

    Examples
    --------
    >>> fig = plot_spectrum(np.linspace(-80, 80, 41), btk.table3_gaps(3.0), 3.0)
    >>> len(fig.axes[0].lines)
    3
    """
    _check.axes("ax", ax)
    G, comps = btk.conductance_multi(bias, gaps, T, angle_resolved, return_components=True)
    fig, ax = plt.subplots(figsize=(5.5, 3.5)) if ax is None else (ax.figure, ax)
    _draw_spectrum(ax, np.asarray(bias, float), G, comps, tuple(gaps), title)
    return fig


def plot_fit(result, title=None):
    """Data, fit, weighted components and residuals of a :class:`nickelates.btk.BTKFit`.

    Parameters
    ----------
    result : nickelates.btk.BTKFit
        A fit (bias in mV).
    title : str, optional
        Title of the upper panel (default: T and fit quality).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: spectrum with fit, residuals.

    Examples
    --------
    >>> b = np.linspace(-8, 8, 121)
    >>> r = btk.fit(b, btk.conductance(b, 1.5, 0.43, 1.42, 3.0), n_gaps=1, T=3.0, starts=1)
    >>> len(plot_fit(r).axes)
    2
    """
    check.instance("result", result, btk.BTKFit)
    fig, (ax, axr) = plt.subplots(2, 1, figsize=(6, 5), sharex=True,
                                  gridspec_kw={"height_ratios": [3, 1]})
    b = result.bias
    ax.plot(b, result.data, ".", ms=2, color="0.5", label="data")
    ax.plot(b, result.best_fit, "r", lw=1.5, label=f"fit ({'+'.join(result.symmetry)})")
    for i, (g, c) in enumerate(zip(result.gaps, result.components)):
        zlab = "" if result.model == "dynes" else f", Z={g.Z:.2f}"
        ax.plot(b, c, "--", lw=1, label=f"band {i + 1}: Δ={g.delta:.3g} meV{zlab}, "
                                        f"Γ={g.gamma:.2g} meV, w={g.weight:.2f}")
    ax.set_ylabel("normalized dI/dV")
    ax.legend(fontsize=7)
    quality = (f"reduced χ² = {result.redchi:.3g}" if result.sigma is not None else f"rms = {result.rms:.2g}")
    extra = "".join(f", {k} = {result.values[k]:.3g}" for k in ("P", "Rs", "V0") if k in result.values)
    name = "Dynes (tunnel) fit" if result.model == "dynes" else "BTK fit"
    ax.set_title(title or f"{name}, T = {result.T:.3g} K{extra}, {quality}", fontsize=9)
    axr.plot(b, result.data - result.best_fit, ".", ms=2, color="0.3")
    axr.axhline(0, color="r", lw=1)
    axr.set_xlabel("bias (mV)")
    axr.set_ylabel("residual")
    fig.tight_layout()
    return fig


def figure_nb_calibration(calibration=None):
    """Guo et al.'s Nb calibration (Extended Data Fig. 1): the quoted spectrum and a sharp-Gamma one.

    The quoted parameters are Delta = 1.5 meV, Z = 0.43, Gamma = 1.42 meV, 3 K.

    Parameters
    ----------
    calibration : nickelates.btk.NbCalibration, optional
        The spectra (:func:`nickelates.btk.nb_calibration_spectra`; computed with
        its defaults if None).

    Returns
    -------
    matplotlib.figure.Figure
        Both spectra vs bias (mV).

    Examples
    --------
    >>> fig = figure_nb_calibration(btk.nb_calibration_spectra(np.linspace(-6, 6, 61)))
    >>> len(fig.axes[0].lines)
    2
    """
    nbc = btk.nb_calibration_spectra() if calibration is None else check.instance(
        "calibration", calibration, btk.NbCalibration)
    nb = btk.NB_CALIBRATION
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    ax.plot(nbc.bias, nbc.G, "k",
            label=f"Δ = {nb['delta']:g} meV, Z = {nb['Z']:g}, Γ = {nb['gamma']:g} meV, {nb['T']:g} K (paper)")
    ax.plot(nbc.bias, nbc.G_sharp, "C0--", label=f"same with Γ = {nbc.gamma_sharp:g} meV")
    ax.set_xlabel("bias (mV)")
    ax.set_ylabel("normalized dI/dV")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _nan_if_none(x):
    return float("nan") if x is None else x


def figure_table3(refits, offset=0.06):
    """Guo et al.'s Fig. 3a-b from Extended Data Table 3: synthesized spectra with their s+s fits.

    Left: the spectra and fits, offset for clarity; right: :func:`plot_table3_gaps`.

    Parameters
    ----------
    refits : nickelates.btk.Table3Refits
        Output of :func:`nickelates.btk.table3_refits`.
    offset : float, optional
        Vertical offset between spectra (units of normalized G).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels.

    Examples
    --------
    >>> fig = figure_table3(btk.table3_refits(np.linspace(-80, 80, 161), starts=1, rows=[0]))
    >>> len(fig.axes)
    2
    """
    check.instance("refits", refits, btk.Table3Refits)
    offset = check.finite("offset", offset)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1.2, 1]})
    b = refits.bias
    for i, T in enumerate(refits.T):
        a1.plot(b, refits.spectra[T] + i * offset, ".", ms=1.5, color="0.55")
        a1.plot(b, refits.fits[T].best_fit + i * offset, "r", lw=1)
        a1.text(b[-1], refits.fits[T].best_fit[-1] + i * offset, f" {T:g} K", fontsize=7, va="center")
    a1.set_xlabel("bias (mV)")
    a1.set_ylabel(f"normalized dI/dV (offset {offset:g})")
    a1.set_title("Table 3 spectra (synthesized) and s+s fits", fontsize=9)
    plot_table3_gaps(refits, a2)
    fig.tight_layout()
    return fig


def plot_table3_gaps(refits, ax):
    """Table 3 gaps (open circles) and the refitted gaps with 1-sigma errors vs T (meV, K).

    Parameters
    ----------
    refits : nickelates.btk.Table3Refits
        Output of :func:`nickelates.btk.table3_refits`.
    ax : matplotlib.axes.Axes
        Axes to draw into.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> _ = plot_table3_gaps(btk.table3_refits(np.linspace(-80, 80, 161), starts=1, rows=[0]), ax)
    """
    check.instance("refits", refits, btk.Table3Refits)
    _check.axes("ax", ax, optional=False)
    Ts = refits.T
    rows = {float(r[0]): r for r in btk.TABLE3}
    for k, lab in enumerate(("Δ1", "Δ2")):
        ax.plot(Ts, [rows[T][5 + k] for T in Ts], "o", mfc="none", color=f"C{k}", label=f"{lab} table")
        ax.errorbar(Ts, [refits.fits[T].values[f"delta{k + 1}"] for T in Ts],
                    [_nan_if_none(refits.fits[T].stderr.get(f"delta{k + 1}")) for T in Ts], fmt=".",
                    color=f"C{k}", capsize=2, label=f"{lab} refitted")
    ax.set_xlabel("T (K)")
    ax.set_ylabel("gap (meV)")
    ax.set_ylim(0, 30)
    ax.legend(fontsize=7)
    return ax


def figure_table3_correlations(refits, T=3.0):
    """Left: the parameter correlation matrix of the ``T`` refit; right: :func:`plot_table3_gaps`.

    Parameters
    ----------
    refits : nickelates.btk.Table3Refits
        Output of :func:`nickelates.btk.table3_refits`.
    T : float, optional
        Temperature in K of the fit whose correlations are shown (one of ``refits.T``).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels (and a colour bar).

    Raises
    ------
    ValueError
        If ``T`` was not refitted.

    Examples
    --------
    >>> fig = figure_table3_correlations(btk.table3_refits(np.linspace(-80, 80, 161), starts=1, rows=[0]))
    >>> len(fig.axes)
    3
    """
    check.instance("refits", refits, btk.Table3Refits)
    T = check.finite("T", T)
    if T not in refits.fits:
        raise ValueError(f"T must be one of the refitted temperatures {refits.T.tolist()} K, got {T}")
    names, C = btk.correlation_matrix(refits.fits[T])
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.6))
    im = axs[0].imshow(C, cmap="RdBu_r", vmin=-1, vmax=1)
    axs[0].set_xticks(range(len(names)), names, rotation=45)
    axs[0].set_yticks(range(len(names)), names)
    for i in range(len(names)):
        for j in range(len(names)):
            axs[0].text(j, i, f"{C[i, j]:.2f}", ha="center", va="center", fontsize=6)
    axs[0].set_title(f"correlations, {T:g} K fit")
    fig.colorbar(im, ax=axs[0])
    plot_table3_gaps(refits, axs[1])
    fig.tight_layout()
    return fig


def figure_dwave_orientation(orientation=None):
    """Angle-resolved T = 0 conductance of a d-wave gap for several lobe orientations, against s-wave.

    Parameters
    ----------
    orientation : nickelates.btk.DwaveOrientation, optional
        Output of :func:`nickelates.btk.dwave_orientation` (energies and Gamma in
        units of Delta_0; computed with its defaults if None).

    Returns
    -------
    matplotlib.figure.Figure
        G(E) on a log scale.

    Examples
    --------
    >>> fig = figure_dwave_orientation(btk.dwave_orientation((0.0, np.pi / 4), n=21))
    >>> len(fig.axes[0].lines)
    3
    """
    o = btk.dwave_orientation() if orientation is None else check.instance(
        "orientation", orientation, btk.DwaveOrientation)
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    for al, G in o.G.items():
        ax.plot(o.energy, G, label=f"d-wave, α = {al / np.pi:.3g}π")
    ax.plot(o.energy, o.G_s, "k--", label="s-wave")
    ax.set_xlabel("E/Δ₀")
    ax.set_ylabel("G(E)")
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    ax.set_title(f"Z = {o.Z:g}, Γ = {o.gamma:g} Δ₀, T = 0")
    return fig


def figure_gap_temperature(fits=None, T_max=75.0, Tc_paper=72.0):
    """Table 3 gaps vs T with BCS-like fits Delta0 tanh(1.74 sqrt(Tc/T - 1)) (Guo et al. Fig. 3b).

    Parameters
    ----------
    fits : tuple of nickelates.btk.GapTemperatureFit, optional
        The fits of Delta1 and Delta2 (:func:`nickelates.btk.table3_gap_temperature`;
        computed if None).
    T_max : float, optional
        Largest temperature plotted in K (> 0).
    Tc_paper : float, optional
        The paper's Tc in K, marked by a dotted line.

    Returns
    -------
    matplotlib.figure.Figure
        Gaps (meV) vs T (K).

    Examples
    --------
    >>> fig = figure_gap_temperature(btk.table3_gap_temperature())
    >>> len(fig.axes[0].lines)
    5
    """
    fits = btk.table3_gap_temperature() if fits is None else tuple(fits)
    if len(fits) != 2:
        raise ValueError(f"fits must hold the two fits of Delta1 and Delta2, got {len(fits)}")
    for f in fits:
        check.instance("fits[i]", f, btk.GapTemperatureFit)
    T_max = check.positive("T_max", T_max, btk.T_MAX)
    Tc_paper = check.positive("Tc_paper", Tc_paper, btk.T_MAX)
    T_tab = btk.TABLE3[:, 0]
    Tplot = np.linspace(0.5, T_max, 300)
    fig, ax = plt.subplots(figsize=(5, 3.2))
    for k, (col, r) in enumerate(zip((5, 6), fits)):
        ax.plot(T_tab, btk.TABLE3[:, col], "o", color=f"C{k}", label=f"Δ{k + 1} (Table 3)")
        ax.plot(Tplot, btk.gap_bcs(Tplot, r.delta0, r.Tc), "-", color=f"C{k}",
                label=f"BCS-like fit, Tc = {r.Tc:.1f} K, 2Δ/kTc = {r.ratio:.2f}")
    ax.axvline(Tc_paper, color="0.5", ls=":", label=f"paper: Tc ≈ {Tc_paper:g} K")
    ax.set_xlabel("T (K)")
    ax.set_ylabel("gap (meV)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def figure_series(result, offset=None, T_max=None):
    """All spectra of a temperature series with the joint fit, and Delta(T) (:func:`nickelates.btk.fit_series`).

    Parameters
    ----------
    result : nickelates.btk.SeriesFit
        The joint fit.
    offset : float, optional
        Vertical offset between successive spectra (units of G; default 0.06 x the
        largest span of the normalized data, at least 0.05).
    T_max : float, optional
        Largest temperature of the Delta(T) panel in K (default 1.1 Tc).

    Returns
    -------
    matplotlib.figure.Figure
        Left: normalized data (dots) and model (lines) by temperature, offset; right:
        the gaps at each T with error bars and the BCS-like curves Delta_i(0) tanh(a sqrt(Tc/T - 1)).

    Raises
    ------
    TypeError
        If ``result`` is not a :class:`nickelates.btk.SeriesFit`.
    ValueError
        For a negative offset or a non-positive ``T_max``.

    Examples
    --------
    >>> T = np.array([3.0, 30.0, 45.0])
    >>> b = np.linspace(-60, 60, 121)
    >>> sp = [(b, btk.conductance(b, float(btk.gap_bcs([t], 20.0, 60.0)[0]), 0.5, 5.0, t)) for t in T]
    >>> fig = figure_series(btk.fit_series(sp, T, n_gaps=1, starts=1))
    >>> len(fig.axes)
    2
    """
    check.instance("result", result, btk.SeriesFit)
    T, gaps, errs = result.gaps_vs_temperature()
    tc = result.values["Tc"]
    T_max = 1.1 * tc if T_max is None else check.positive("T_max", T_max, btk.T_MAX)
    if offset is None:
        span = max(float(np.ptp(f.data)) for f in result.fits)
        offset = max(0.06 * span, 0.05)
    else:
        offset = check.nonnegative("offset", offset)
    fig, (ax, axd) = plt.subplots(1, 2, figsize=(8, 3.8), gridspec_kw={"width_ratios": [1.3, 1]})
    order = np.argsort(T)
    for j, k in enumerate(order):
        f = result.fits[k]
        srt = np.argsort(f.bias)
        ax.plot(f.bias, f.data + j * offset, ".", ms=2, color=f"C{j % 10}")
        ax.plot(f.bias[srt], f.best_fit[srt] + j * offset, "-", lw=1, color="k")
        ax.text(f.bias.max(), f.best_fit[srt][-1] + j * offset, f" {T[k]:g} K", fontsize=7, va="center")
    ax.set_xlabel("bias (mV)")
    ax.set_ylabel("normalized G (offset)")
    ax.set_title(f"joint fit, reduced χ² = {result.redchi:.3g}", fontsize=9)
    Tplot = np.linspace(min(0.5, float(T.min())), T_max, 300)
    for i in range(result.n_gaps):
        ax_label = f"Δ{i + 1}"
        axd.errorbar(T, gaps[:, i], yerr=np.nan_to_num(errs[:, i]), fmt="o", ms=4, color=f"C{i}",
                     label=f"{ax_label}(T) of the fit")
        d0, e0 = result.values[f"delta{i + 1}_0"], result.stderr.get(f"delta{i + 1}_0")
        axd.plot(Tplot, btk.gap_bcs(Tplot, d0, tc, result.a), "-", color=f"C{i}",
                 label=f"{ax_label}(0) = {d0:.2f}" + (f" ± {e0:.2f}" if e0 else "") + " meV")
    etc = result.stderr.get("Tc")
    axd.axvline(tc, color="0.5", ls=":", label=f"Tc = {tc:.1f}" + (f" ± {etc:.1f}" if etc else "") + " K")
    axd.set_xlabel("T (K)")
    axd.set_ylabel("gap (meV)")
    axd.legend(fontsize=7)
    if not result.determined:
        axd.set_title("not determined: see problems", fontsize=8, color="C3")
    fig.tight_layout()
    return fig


def figure_model_comparison(mc):
    """s+s / s+d / d+s / d+d fits of one spectrum (Guo et al. Fig. 2b-e).

    Parameters
    ----------
    mc : dict
        The content of ``data/btk_model_comparison.json`` (keys bias_mV (mV),
        G, T_K (K), fits {model "s,d": {values, redchi}}), written by
        ``scripts/btk_model_comparison.py``.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per model: data, fit, components.

    Raises
    ------
    TypeError
        If ``mc`` is not a dict.

    Examples
    --------
    >>> b = np.linspace(-80, 80, 41)
    >>> vals = {"delta1": 23.0, "Z1": 0.6, "gamma1": 6.6, "delta2": 6.0, "Z2": 0.4, "gamma2": 4.0, "w1": 0.5}
    >>> mc = {"bias_mV": b, "G": np.ones(41), "T_K": 3.0, "fits": {"s,s": {"values": vals, "redchi": 1.0}}}
    >>> len(figure_model_comparison(mc).axes)
    1
    """
    _check.mapping("mc", mc, ("bias_mV", "G", "T_K", "fits"))
    _check.mapping("mc['fits']", mc["fits"], what='a dict {model "s,d": {values, redchi}}')
    if not mc["fits"]:
        raise ValueError("mc['fits'] must hold at least one model")
    for m, f in mc["fits"].items():
        _check.mapping(f"mc['fits'][{m!r}]", f, ("values", "redchi"))
    bmc, ymc = np.asarray(mc["bias_mV"], float), np.asarray(mc["G"], float)
    fits = mc["fits"]
    fig, axs = plt.subplots(1, len(fits), figsize=(3 * len(fits), 3), sharey=True)
    for ax, (m, f) in zip(np.atleast_1d(axs), fits.items()):
        gaps = btk.gaps_from_values(f["values"], 2, m)
        G, comps = btk.conductance_multi(bmc, gaps, mc["T_K"], return_components=True)
        ax.plot(bmc, ymc, ".", ms=2, color="0.6")
        ax.plot(bmc, G, "r")
        for c in comps:
            ax.plot(bmc, c, "--", lw=0.8)
        ax.set_title(f"{m.replace(',', '+')}: red. χ² = {f['redchi']:.2f}", fontsize=8)
        ax.set_xlabel("bias (mV)")
    np.atleast_1d(axs)[0].set_ylabel("normalized dI/dV")
    fig.tight_layout()
    return fig


_FIT_LABELS = {"free": "free Δ", "delta_bcs": r"$\Delta = \Delta_{\rm BCS}(T)$",
               "delta_bcs_rs": r"$\Delta = \Delta_{\rm BCS}(T)$, $R_s$ free"}


def figure_polarization_contact(contact, literature_P=None):
    """Polarization study of one contact (an entry of ``data/polarization_study.json``).

    Panels: (a) profile likelihood Delta chi^2 of P for each constrained fit, with the
    68 / 95 % levels; (b) Gamma (meV) along those profiles (the Gamma-P trade-off);
    (c) the emcee posterior of P (histograms of the stored samples).

    Parameters
    ----------
    contact : dict
        One element of ``study["contacts"]`` (keys ``profiles``, ``mcmc``, ``file``).
    literature_P : sequence of two float, optional
        Range of P from the literature, shaded in (a) and (c).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        If ``contact`` is not a dict.

    Examples
    --------
    >>> prof = {"values": [0.3, 0.4, 0.5], "delta_chi2": [4.0, 0.0, 4.0], "others": {"gamma1": [1, 2, 3]}}
    >>> c = {"file": "x.csv", "profiles": {"free:P": prof}, "mcmc": {"free": {"samples": {"P": [0.4, 0.41]}}}}
    >>> len(figure_polarization_contact(c, (0.37, 0.45)).axes)
    3
    """
    check.instance("contact", contact, dict)
    if literature_P is not None:
        literature_P = check.real_array("literature_P", literature_P, ndim=1)
        if literature_P.size != 2:
            raise ValueError(f"literature_P must be a range (lo, hi), got {literature_P.size} numbers")
    fig, axs = plt.subplots(1, 3, figsize=(11, 3.3), constrained_layout=True)
    colors = {"free": "C0", "delta_bcs": "C3", "delta_bcs_rs": "C2"}
    for key, pr in contact.get("profiles", {}).items():
        label, par = key.split(":")
        if par != "P":
            continue
        x = np.asarray(pr["values"])
        axs[0].plot(x, pr["delta_chi2"], "o-", ms=3, color=colors.get(label), label=_FIT_LABELS.get(label, label))
        if "gamma1" in pr.get("others", {}):
            axs[1].plot(x, pr["others"]["gamma1"], "o-", ms=3, color=colors.get(label),
                        label=_FIT_LABELS.get(label, label))
    for lev, ls in ((1.0, "--"), (4.0, ":")):
        axs[0].axhline(lev, color="0.4", ls=ls, lw=0.8)
    axs[0].set_yscale("symlog", linthresh=1.0)
    axs[0].set(xlabel="P (fixed)", ylabel="Δχ² (profile)", title="(a) profile likelihood of P")
    axs[1].set(xlabel="P (fixed)", ylabel="Γ of the refit (meV)", title="(b) Γ along the P profile")
    for label, run in contact.get("mcmc", {}).items():
        if "P" in run.get("samples", {}):
            axs[2].hist(run["samples"]["P"], bins=30, density=True, alpha=0.6, color=colors.get(label),
                        label=_FIT_LABELS.get(label, label))
    axs[2].set(xlabel="P", ylabel="posterior density", title="(c) emcee posterior of P")
    if literature_P is not None:
        for ax in (axs[0], axs[2]):
            ax.axvspan(literature_P[0], literature_P[1], color="0.85", zorder=0, label="literature")
    for ax in axs:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    fig.suptitle(contact.get("file", ""), fontsize=9)
    return fig


def figure_z_extrapolation(synthetic):
    """The Z -> 0 extrapolation on synthetic contacts (``study["synthetic"]`` of the polarization study).

    Parameters
    ----------
    synthetic : dict
        Keys ``contacts`` (rows with Z, P, P_err, Z_true, P_true), ``extrapolations`` (form ->
        {P0, coefficients}), ``P0_true``, ``spin_flip``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        If ``synthetic`` is not a dict.

    Examples
    --------
    >>> rows = [{"Z": z, "P": 0.4 - 0.1 * z, "P_err": 0.01, "Z_true": z, "P_true": 0.4 - 0.1 * z}
    ...         for z in (0.1, 0.3, 0.5)]
    >>> ex = {"linear": {"P0": 0.4, "coefficients": {"P0": 0.4, "a": -0.1}}}
    >>> len(figure_z_extrapolation({"contacts": rows, "extrapolations": ex, "P0_true": 0.4,
    ...                             "spin_flip": 0.8}).axes)
    1
    """
    _check.mapping("synthetic", synthetic, ("contacts", "extrapolations", "P0_true", "spin_flip"))
    rows = synthetic["contacts"]
    check.not_missing("synthetic['contacts']", rows, "a list of dicts (Z, P, P_err)")
    if len(rows) == 0:
        raise ValueError("synthetic['contacts'] must hold at least one contact")
    for k, r in enumerate(rows):
        _check.mapping(f"synthetic['contacts'][{k}]", r, ("Z", "P", "P_err"))
    _check.mapping("synthetic['extrapolations']", synthetic["extrapolations"])
    fig, ax = plt.subplots(figsize=(5.5, 3.5), constrained_layout=True)
    z = np.array([r["Z"] for r in rows])
    p = np.array([r["P"] for r in rows])
    e = np.array([r["P_err"] or 0.0 for r in rows])
    ax.errorbar(z, p, yerr=e, fmt="o", color="k", ms=4, label="fitted contacts (Δ = Δ_Nb)")
    zz = np.linspace(0, max(z.max(), 0.1) * 1.05, 200)
    ax.plot(zz, synthetic["P0_true"] * np.exp(-synthetic["spin_flip"] * zz ** 2), color="0.6", lw=3,
            alpha=0.5, label="true P(Z)")
    for i, (form, x) in enumerate(synthetic["extrapolations"].items()):
        c = x["coefficients"]
        if form == "exponential":
            y = c["P0"] * np.exp(-c["a"] * zz ** 2)
        else:
            y = c["P0"] + c["a"] * zz + c.get("b", 0.0) * zz ** 2
        ax.plot(zz, y, ls=("--", "-.", ":")[i % 3], label=f"{form}: P(0) = {x['P0']:.3f}")
    ax.plot([0], [synthetic["P0_true"]], "*", color="C3", ms=12, label=f"true P = {synthetic['P0_true']}")
    ax.set(xlabel="fitted Z", ylabel="fitted P")
    ax.legend(fontsize=7)
    return fig


class BTKExplorer(Explorer):
    """Live two-gap explorer. ``sliders``: dict name -> widget; ``data``: last redraw.

    Parameters
    ----------
    bias : array_like of float, optional
        Bias in mV (default 401 points in [-80, 80]).
    delta1, delta2 : float, optional
        Gaps in meV.
    Z : float, optional
        Barrier strength (dimensionless; shared by both bands).
    gamma : float, optional
        Dynes broadening in meV (shared by both bands).
    T : float, optional
        Temperature in K.
    w : float, optional
        Weight of gap 1 (dimensionless).
    symmetry : {"s+s", "s+d", "d+s", "d+d"}, optional
        Symmetry pair.
    alpha : float, optional
        Interface angle in rad of the d-wave gaps.

    Examples
    --------
    >>> w = BTKExplorer(bias=np.linspace(-40, 40, 21))
    >>> w.sliders["Z"].value = 2.0
    >>> w.data["values"]["Z"]
    2.0
    """

    def __init__(self, bias=None, delta1=23.0, delta2=6.0, Z=0.5, gamma=5.0, T=3.0, w=0.5,
                 symmetry="s+s", alpha=0.0):
        import ipywidgets as W

        self.bias = np.linspace(-80, 80, 401) if bias is None else check.real_array("bias", bias, ndim=1)
        check.choice("symmetry", symmetry, SYMMETRY_PAIRS)
        delta1 = _check.start("delta1", delta1, 0.5, 40.0)
        delta2 = _check.start("delta2", delta2, 0.5, 40.0)
        Z = _check.start("Z", Z, 0.0, 3.0)
        gamma = _check.start("gamma", gamma, 0.05, 15.0)
        T = _check.start("T", T, 0.0, 80.0)
        w = _check.start("w", w, 0.0, 1.0)
        alpha = _check.start("alpha", alpha, 0.0, float(np.pi / 4))
        fs = dict(continuous_update=False, readout_format=".2f")
        self.sliders = {
            "delta1": W.FloatSlider(value=delta1, min=0.5, max=40, step=0.5, description="Δ1 (meV)", **fs),
            "delta2": W.FloatSlider(value=delta2, min=0.5, max=40, step=0.5, description="Δ2 (meV)", **fs),
            "Z": W.FloatSlider(value=Z, min=0.0, max=3.0, step=0.05, description="Z", **fs),
            "gamma": W.FloatSlider(value=gamma, min=0.05, max=15, step=0.05, description="Γ (meV)", **fs),
            "T": W.FloatSlider(value=T, min=0.0, max=80, step=1.0, description="T (K)", **fs),
            "w": W.FloatSlider(value=w, min=0.0, max=1.0, step=0.05, description="w1", **fs),
            "symmetry": W.Dropdown(options=list(SYMMETRY_PAIRS), value=symmetry, description="symmetry"),
            "alpha": W.FloatSlider(value=alpha, min=0.0, max=float(np.pi / 4), step=float(np.pi / 40),
                                   description="α (rad)", **fs),
        }
        ctl = list(self.sliders.values())
        self._build(ctl, lambda status, out: W.VBox([W.HBox([W.VBox(ctl[:4]), W.VBox(ctl[4:])]), out]))

    def gaps(self):
        """The two :class:`nickelates.btk.Gap` of the current slider values.

        Returns
        -------
        tuple of nickelates.btk.Gap
            Gap 1 (weight w) and gap 2 (weight 1 - w).
        """
        v = self.values()
        s1, s2 = v["symmetry"].split("+")
        return (btk.Gap(v["delta1"], v["Z"], v["gamma"], v["w"], s1, v["alpha"]),
                btk.Gap(v["delta2"], v["Z"], v["gamma"], 1.0 - v["w"], s2, v["alpha"]))

    def compute(self):
        """Conductance of the current model.

        Returns
        -------
        dict
            bias (mV), G, components (the G_i), values (slider values), gaps.
        """
        v = self.values()
        gaps = self.gaps()
        G, comps = btk.conductance_multi(self.bias, gaps, v["T"], return_components=True)
        return {"bias": self.bias, "G": G, "components": comps, "values": v, "gaps": gaps}

    def figure(self, data):
        """Draw ``data`` (from :meth:`compute`).

        Parameters
        ----------
        data : dict
            The last :meth:`compute` result.

        Returns
        -------
        matplotlib.figure.Figure
            Total and component conductances.
        """
        v = data["values"]
        fig, ax = plt.subplots(figsize=(5.5, 3.5))
        _draw_spectrum(ax, data["bias"], data["G"], data["components"], data["gaps"],
                       title=f"{v['symmetry']}, Z={v['Z']:.2f}, Γ={v['gamma']:.2f} meV, T={v['T']:g} K")
        return fig


def explorer(**kw):
    """Return a :class:`BTKExplorer` (display it, or its ``.widget``, in Jupyter).

    Parameters
    ----------
    **kw
        Keyword arguments of :class:`BTKExplorer` (bias in mV, gaps and gamma in
        meV, T in K, alpha in rad).

    Returns
    -------
    BTKExplorer
        The explorer.

    Examples
    --------
    >>> explorer(bias=np.linspace(-40, 40, 11), symmetry="s+d").data["values"]["symmetry"]
    's+d'
    """
    return BTKExplorer(**kw)

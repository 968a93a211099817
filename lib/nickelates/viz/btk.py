"""Figures and the ipywidgets explorer of chapter 4 (Andreev reflection, BTK).

Units as in :mod:`nickelates.btk`: meV, mV, K.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

from .. import btk
from .explorer import Explorer

__all__ = ["plot_classic_btk", "plot_fit", "plot_spectrum", "BTKExplorer", "explorer",
           "SYMMETRY_PAIRS", "figure_nb_calibration", "table3_refits", "figure_table3",
           "figure_gap_temperature", "figure_model_comparison", "figure_table3_correlations",
           "plot_table3_gaps", "figure_dwave_orientation"]

SYMMETRY_PAIRS = ("s+s", "s+d", "d+s", "d+d")


def plot_classic_btk(Zs=(0.0, 0.3, 1.0, 3.0), emax=3.0, n=601):
    """The classic BTK figure: A(E), B(E) and sigma = (1+Z^2)(1+A-B) vs E/Delta (T=0, Gamma=0)."""
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


def plot_spectrum(bias, gaps, T, ax=None, angle_resolved=True, title=None):
    """Total and component conductances of a multi-gap model (bias in mV, T in K)."""
    G, comps = btk.conductance_multi(bias, gaps, T, angle_resolved, return_components=True)
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 3.5))
    else:
        fig = ax.figure
    ax.plot(bias, G, "k", lw=2, label="G = Σ w_i G_i")
    for i, (g, c) in enumerate(zip(gaps, comps)):
        ax.plot(bias, c, "--", lw=1,
                label=f"G_{i + 1}: {g.symmetry}, Δ={g.delta:.3g} meV, w={g.weight:.2f}")
    ax.set_xlabel("bias (mV)")
    ax.set_ylabel("normalized dI/dV")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=7)
    return fig


def plot_fit(result, title=None):
    """Data, fit, weighted components and residuals of a :class:`nickelates.btk.BTKFit`."""
    fig, (ax, axr) = plt.subplots(2, 1, figsize=(6, 5), sharex=True,
                                  gridspec_kw={"height_ratios": [3, 1]})
    b = result.bias
    ax.plot(b, result.data, ".", ms=2, color="0.5", label="data")
    ax.plot(b, result.best_fit, "r", lw=1.5, label=f"fit ({'+'.join(result.symmetry)})")
    for i, (g, c) in enumerate(zip(result.gaps, result.components)):
        ax.plot(b, c, "--", lw=1, label=f"band {i + 1}: Δ={g.delta:.3g} meV, Z={g.Z:.2f}, "
                                        f"Γ={g.gamma:.2g} meV, w={g.weight:.2f}")
    ax.set_ylabel("normalized dI/dV")
    ax.legend(fontsize=7)
    quality = (f"reduced χ² = {result.redchi:.3g}" if result.sigma is not None else f"rms = {result.rms:.2g}")
    ax.set_title(title or f"BTK fit, T = {result.T:g} K, {quality}")
    axr.plot(b, result.data - result.best_fit, ".", ms=2, color="0.3")
    axr.axhline(0, color="r", lw=1)
    axr.set_xlabel("bias (mV)")
    axr.set_ylabel("residual")
    fig.tight_layout()
    return fig


def figure_nb_calibration(v=None, sharp_gamma=0.1, *, return_data=False):
    """Guo et al.'s Nb calibration (Extended Data Fig. 1): the BTK spectrum of the quoted
    parameters (Delta = 1.5 meV, Z = 0.43, Gamma = 1.42 meV, 3 K) and the same with a sharp Gamma.

    With ``return_data=True`` returns ``(fig, {"bias", "G", "G_sharp"})`` (bias in mV).
    """
    nb = btk.NB_CALIBRATION
    v = np.linspace(-6, 6, 1201) if v is None else np.asarray(v, float)
    G = btk.conductance(v, nb["delta"], nb["Z"], nb["gamma"], nb["T"])
    G_sharp = btk.conductance(v, nb["delta"], nb["Z"], sharp_gamma, nb["T"])
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    ax.plot(v, G, "k",
            label=f"Δ = {nb['delta']:g} meV, Z = {nb['Z']:g}, Γ = {nb['gamma']:g} meV, {nb['T']:g} K (paper)")
    ax.plot(v, G_sharp, "C0--", label=f"same with Γ = {sharp_gamma:g} meV")
    ax.set_xlabel("bias (mV)")
    ax.set_ylabel("normalized dI/dV")
    ax.legend(fontsize=7)
    fig.tight_layout()
    if return_data:
        return fig, {"bias": v, "G": G, "G_sharp": G_sharp}
    return fig


def table3_refits(bias=None, noise=0.004, seed=2025, starts=4, rows=None):
    """Synthesize a two-s-wave spectrum for each row of Extended Data Table 3 (w1 = 0.5,
    Gaussian noise ``noise``) and refit it with :func:`nickelates.btk.fit`.

    Returns {"bias", "T", "spectra" {T: G}, "fits" {T: BTKFit}}; bias in mV.
    """
    bias = np.linspace(-80, 80, 321) if bias is None else np.asarray(bias, float)
    rng = np.random.default_rng(seed)
    table = btk.TABLE3 if rows is None else btk.TABLE3[list(rows)]
    spectra, fits = {}, {}
    for row in table:
        T = float(row[0])
        y = btk.conductance_multi(bias, btk.table3_gaps(T, w1=0.5), T) + rng.normal(0, noise, bias.size)
        spectra[T] = y
        fits[T] = btk.fit(bias, y, T=T, sigma=noise, starts=starts)
    return {"bias": bias, "T": np.array(sorted(spectra)), "spectra": spectra, "fits": fits}


def _nan_if_none(x):
    return float("nan") if x is None else x


def figure_table3(refits, offset=0.06):
    """Guo et al.'s Fig. 3a-b from Extended Data Table 3: synthesized spectra with their s+s
    fits (offset for clarity, left) and the refitted gaps with uncertainties vs T (right)."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1.2, 1]})
    b = refits["bias"]
    Ts = refits["T"]
    for i, T in enumerate(Ts):
        a1.plot(b, refits["spectra"][T] + i * offset, ".", ms=1.5, color="0.55")
        a1.plot(b, refits["fits"][T].best_fit + i * offset, "r", lw=1)
        a1.text(b[-1], refits["fits"][T].best_fit[-1] + i * offset, f" {T:g} K", fontsize=7, va="center")
    a1.set_xlabel("bias (mV)")
    a1.set_ylabel(f"normalized dI/dV (offset {offset:g})")
    a1.set_title("Table 3 spectra (synthesized) and s+s fits", fontsize=9)
    plot_table3_gaps(refits, a2)
    fig.tight_layout()
    return fig


def plot_table3_gaps(refits, ax):
    """Table 3 gaps (open circles) and the refitted gaps with 1-sigma errors vs T (meV, K)."""
    Ts = refits["T"]
    rows = {float(r[0]): r for r in btk.TABLE3}
    for k, lab in enumerate(("Δ1", "Δ2")):
        ax.plot(Ts, [rows[T][5 + k] for T in Ts], "o", mfc="none", color=f"C{k}", label=f"{lab} table")
        ax.errorbar(Ts, [refits["fits"][T].values[f"delta{k + 1}"] for T in Ts],
                    [_nan_if_none(refits["fits"][T].stderr.get(f"delta{k + 1}")) for T in Ts], fmt=".", color=f"C{k}",
                    capsize=2, label=f"{lab} refitted")
    ax.set_xlabel("T (K)")
    ax.set_ylabel("gap (meV)")
    ax.set_ylim(0, 30)
    ax.legend(fontsize=7)
    return ax


def correlation_matrix(result):
    """(names, C): the parameter correlation matrix of a :class:`nickelates.btk.BTKFit` (1 on the diagonal)."""
    names = list(result.values)
    C = np.eye(len(names))
    for k, cval in result.correlations.items():
        i, j = (names.index(p) for p in k.split(","))
        C[i, j] = C[j, i] = cval
    return names, C


def figure_table3_correlations(refits, T=3.0):
    """Left: the parameter correlation matrix of the ``T`` refit; right: :func:`plot_table3_gaps`.

    ``refits`` is the output of :func:`table3_refits`.
    """
    names, C = correlation_matrix(refits["fits"][float(T)])
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


def figure_dwave_orientation(alphas=(0.0, np.pi / 8, np.pi / 4), Z=2.0, gamma=0.02, emax=2.5, n=501,
                             *, return_data=False):
    """Angle-resolved conductance of a d-wave gap for lobe orientations ``alphas`` (rad) against
    s-wave, energies in units of Delta_0 (gamma too), T = 0, log scale.

    With ``return_data=True`` returns ``(fig, {alpha: G(E = 0)})``.
    """
    e = np.linspace(-emax, emax, n)
    i0 = int(np.argmin(np.abs(e)))
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    g0 = {}
    for al in alphas:
        G = btk.intrinsic_conductance(e, 1.0, Z, gamma, "d", al)
        g0[al] = G[i0]
        ax.plot(e, G, label=f"d-wave, α = {al / np.pi:.3g}π")
    ax.plot(e, btk.intrinsic_conductance(e, 1.0, Z, gamma), "k--", label="s-wave")
    ax.set_xlabel("E/Δ₀")
    ax.set_ylabel("G(E)")
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    ax.set_title(f"Z = {Z:g}, Γ = {gamma:g} Δ₀, T = 0")
    if return_data:
        return fig, g0
    return fig


def figure_gap_temperature(T_max=75.0, Tc_paper=72.0, *, return_data=False):
    """Table 3 gaps vs T with BCS-like fits Delta0 tanh(1.74 sqrt(Tc/T - 1)) (Guo et al. Fig. 3b).

    With ``return_data=True`` returns ``(fig, (fit of Delta1, fit of Delta2))``, the
    :func:`nickelates.btk.fit_gap_temperature` results.
    """
    T_tab = btk.TABLE3[:, 0]
    Tplot = np.linspace(0.5, T_max, 300)
    fig, ax = plt.subplots(figsize=(5, 3.2))
    fits = []
    for k, col in enumerate((5, 6)):
        r = btk.fit_gap_temperature(T_tab, btk.TABLE3[:, col])
        fits.append(r)
        ax.plot(T_tab, btk.TABLE3[:, col], "o", color=f"C{k}", label=f"Δ{k + 1} (Table 3)")
        ax.plot(Tplot, btk.gap_bcs(Tplot, r.delta0, r.Tc), "-", color=f"C{k}",
                label=f"BCS-like fit, Tc = {r.Tc:.1f} K, 2Δ/kTc = {r.ratio:.2f}")
    ax.axvline(Tc_paper, color="0.5", ls=":", label=f"paper: Tc ≈ {Tc_paper:g} K")
    ax.set_xlabel("T (K)")
    ax.set_ylabel("gap (meV)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    if return_data:
        return fig, tuple(fits)
    return fig


def figure_model_comparison(mc):
    """s+s / s+d / d+s / d+d fits of one spectrum (Guo et al. Fig. 2b-e), from the dict stored in
    ``data/btk_model_comparison.json`` (keys bias_mV, G, T_K, fits{model: {values, redchi}})."""
    bmc, ymc = np.asarray(mc["bias_mV"], float), np.asarray(mc["G"], float)
    fits = mc["fits"]
    fig, axs = plt.subplots(1, len(fits), figsize=(3 * len(fits), 3), sharey=True)
    for ax, (m, f) in zip(np.atleast_1d(axs), fits.items()):
        gaps = btk._gaps_from(f["values"], 2, tuple(m.split(",")))
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


class BTKExplorer(Explorer):
    """Live two-gap explorer. ``sliders``: dict name -> widget; ``data``: last redraw.

    Controls: delta1, delta2 (meV), Z, gamma (meV; shared by both bands), T (K),
    w (weight of gap 1), symmetry ("s+s", "s+d", "d+s", "d+d"), alpha (rad, d-wave gaps).
    """

    def __init__(self, bias=None, delta1=23.0, delta2=6.0, Z=0.5, gamma=5.0, T=3.0, w=0.5,
                 symmetry="s+s", alpha=0.0):
        import ipywidgets as W

        self.bias = np.linspace(-80, 80, 401) if bias is None else np.asarray(bias, float)
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
        v = self.values()
        s1, s2 = v["symmetry"].split("+")
        return (btk.Gap(v["delta1"], v["Z"], v["gamma"], v["w"], s1, v["alpha"]),
                btk.Gap(v["delta2"], v["Z"], v["gamma"], 1.0 - v["w"], s2, v["alpha"]))

    def compute(self):
        v = self.values()
        G, comps = btk.conductance_multi(self.bias, self.gaps(), v["T"], return_components=True)
        return {"bias": self.bias, "G": G, "components": comps, "values": v}

    def figure(self, data=None):
        v = self.values()
        return plot_spectrum(self.bias, self.gaps(), v["T"],
                             title=f"{v['symmetry']}, Z={v['Z']:.2f}, Γ={v['gamma']:.2f} meV, T={v['T']:g} K")


def explorer(**kw):
    """Return a :class:`BTKExplorer` (display it, or its ``.widget``, in Jupyter)."""
    return BTKExplorer(**kw)

"""Figures and the ipywidgets explorer of chapter 5 (STM and Andreev spectra of the triplon gaps).

Units as in :mod:`nickelates.tunneling`: bias and energies in meV (mV),
gaps returned by the model in eV and shown in meV, T in K.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

from .. import tunneling as T
from .explorer import Explorer

__all__ = ["plot_stm", "plot_andreev", "plot_gap_map", "render_spectra", "figure_fig5", "fig5_data",
           "figure_predicted_andreev", "figure_gap_maps", "FIG5", "SpectraExplorer", "explorer",
           "ANDREEV_GAMMA_RATIO", "STM_GAMMA_RATIO"]

#: Gamma_alpha / Gamma_beta of the paper's Fig. 5 (2 meV / 1 meV).
STM_GAMMA_RATIO = 2.0
#: Gamma_1 / Gamma_2 of Guo et al.'s T = 3 K fit (6.6 / 4.0 meV).
ANDREEV_GAMMA_RATIO = 6.6 / 4.0


def plot_stm(spec, ax=None, extrema=None, title=None):
    """STM spectrum (``tunneling.STMSpectrum``) with band contributions; ``extrema``
    (dict band -> (min, max) meV) marks the gap extrema on the sheets."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 3.5))
    else:
        fig = ax.figure
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
    """Predicted Andreev spectrum (``tunneling.AndreevSpectrum``) and, if given, the
    two-isotropic-gap fit (``tunneling.ApparentGaps``)."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 3.5))
    else:
        fig = ax.figure
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


def plot_gap_map(m, key="ratio", ax=None, target=None, title=None):
    """Colour map of ``m[key]`` over (kappa, n_c) from ``tunneling.apparent_gap_map``
    (or the saved npz); ``target`` draws that contour (e.g. 3.8)."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 3.8))
    else:
        fig = ax.figure
    z = np.asarray(m[key], float)
    k = np.asarray(m["kappa"], float)
    n = np.asarray(m["n_c"], float)
    pc = ax.pcolormesh(k, n, z, shading="nearest", cmap="viridis")
    fig.colorbar(pc, ax=ax, label=key)
    cs = ax.contour(k, n, z, colors="w", linewidths=0.7)
    ax.clabel(cs, fontsize=7, fmt="%.2g")
    if target is not None and np.nanmin(z) < target < np.nanmax(z):
        ax.contour(k, n, z, levels=[target], colors="r", linewidths=1.5)
    ax.set_xlabel("κ (= κa = κb)")
    ax.set_ylabel("n_c (electrons per Ni)")
    if title:
        ax.set_title(title, fontsize=9)
    return fig


#: the book's Fig. 5 setting (kappa = 0.3 is inferred: the paper does not print it)
FIG5 = dict(n_c=0.45, lam=0.4, kappa=0.3, Omega=0.3)


def fig5_data(omega=None, setting=FIG5):
    """Gaps and STM spectra behind :func:`figure_fig5`.

    Returns {"omega": meV grid, "setting", "eq18": (gaps, spectrum), "exact": (gaps, spectrum),
    "kappa0": (gaps, spectrum)} with gaps from ``tunneling.triplon_gaps`` and spectra from
    ``tunneling.stm_spectrum``; "kappa0" is the analytic kappa = 0 reference.
    """
    w = np.linspace(-200.0, 200.0, 4001) if omega is None else np.asarray(omega, float)
    out = {"omega": w, "setting": dict(setting)}
    for key, kw, src in (("eq18", setting, "eq18"), ("exact", setting, "exact"),
                         ("kappa0", {**setting, "kappa": 0.0}, "eq18")):
        mg = T.triplon_gaps(**kw, source=src)
        out[key] = (mg, T.stm_spectrum(w, mg.p, mg.delta_alpha, mg.delta_beta))
    return out


def figure_fig5(omega=None, setting=FIG5, xmax=120.0, *, data=None):
    """The paper's Fig. 5 (v3): STM spectra of the analytic (Eq. (16)+(18), left) and exact
    (Eq. (14), right) gaps with band contributions; the kappa = 0 spectrum dash-dotted.

    omega : bias grid in meV (default -200..200 meV, 0.1 meV step).
    data : optional :func:`fig5_data` output (then ``omega`` and ``setting`` are taken from it).
    """
    d = fig5_data(omega, setting) if data is None else data
    w, setting = d["omega"], d["setting"]
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, src, name in ((axs[0], "eq18", "analytic gaps, Eq. (16)+(18)"), (axs[1], "exact", "exact gaps, Eq. (14)")):
        mg, s = d[src]
        plot_stm(s, ax=ax, extrema=mg.extrema,
                 title=f"{name}; κ = {setting['kappa']:g}, λ = {setting['lam']:g}, Ω = {setting['Omega']:g} eV")
        ax.set_xlim(0, xmax)
    axs[0].plot(w, d["kappa0"][1].total, color="0.6", lw=1, ls="-.", label="κ = 0 (no anisotropy)")
    axs[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def figure_predicted_andreev(setting=FIG5, starts=4, *, gaps=None, return_data=False):
    """Predicted Andreev spectrum of the exact Fig. 5 gaps with Guo et al.'s two-gap s+s fit.

    gaps : optional ``tunneling.triplon_gaps`` result to use instead of solving ``setting``.
    With ``return_data=True`` returns ``(fig, apparent)``, the ``tunneling.apparent_gaps`` result.
    """
    ex = T.triplon_gaps(**setting, source="exact") if gaps is None else gaps
    ap = T.apparent_gaps(ex.p, ex.delta_alpha, ex.delta_beta, starts=starts)
    fig = plot_andreev(ap.spectrum, fit=ap,
                       title=f"Predicted Andreev spectrum (exact gaps, κ = {setting['kappa']:g}) "
                             "and Guo et al.'s s+s fit")
    if return_data:
        return fig, ap
    return fig


def figure_gap_maps(m):
    """Apparent Delta1/Delta2 (left, measured 3.8 in red) and the ratio of the gap maxima (right)
    over (kappa, n_c) from ``data/apparent_gap_map.npz``."""
    fig, axs = plt.subplots(1, 2, figsize=(10.5, 3.8))
    reached = np.nanmax(m["ratio"]) >= 23 / 6
    plot_gap_map(m, "ratio", ax=axs[0], target=23 / 6,
                 title="apparent Δ1/Δ2 (λ = 0.4, Ω = 0.3 eV); measured 3.8 "
                       + ("in red" if reached else "not reached"))
    plot_gap_map({**m, "max|Δα| / max|Δβ|": m["alpha_max"] / m["beta_max"]}, "max|Δα| / max|Δβ|",
                 ax=axs[1], title="model: ratio of the gap maxima on the sheets")
    fig.tight_layout()
    return fig


def compute_spectra(lam=0.4, kappa=0.3, r=0.7, gamma=1.0, *, n_c=0.45, Omega=0.3, source="exact",
                    fit=False, omega=None, bias=None):
    """STM and Andreev spectra (and optionally the apparent gaps) at one slider setting.

    gamma : Dynes Gamma_beta (meV); Gamma_alpha = 2 gamma in the STM spectrum (Fig. 5 ratio),
    and in the Andreev spectrum Gamma_beta = gamma, Gamma_alpha = 1.65 gamma (Guo et al.'s ratio),
    at Guo et al.'s T = 3 K and Z.
    """
    mg = T.triplon_gaps(n_c, lam, kappa, Omega, source=source)
    gmax = max(mg.extrema["alpha"][1], mg.extrema["beta"][1])
    w = np.linspace(-1.6 * gmax, 1.6 * gmax, 1601) if omega is None else np.asarray(omega, float)
    stm = T.stm_spectrum(w, mg.p, mg.delta_alpha, mg.delta_beta, r=r, gamma_alpha=STM_GAMMA_RATIO * gamma,
                         gamma_beta=gamma)
    b = T.default_bias(gmax, 241) if bias is None else np.asarray(bias, float)
    akw = dict(T=T.GUO_T3["T"], Z_alpha=T.GUO_T3["Z_alpha"], Z_beta=T.GUO_T3["Z_beta"],
               gamma_alpha=ANDREEV_GAMMA_RATIO * gamma, gamma_beta=gamma)
    if fit:
        ap = T.apparent_gaps(mg.p, mg.delta_alpha, mg.delta_beta, bias_mV=b, starts=3, **akw)
        andreev = ap.spectrum
    else:
        ap = None
        andreev = T.andreev_spectrum(b, mg.p, mg.delta_alpha, mg.delta_beta, **akw)
    peaks = [pk[0] for pk in T.peak_positions(w, stm.total)][:2]
    return {"gaps": mg, "stm": stm, "andreev": andreev, "apparent": ap, "stm_peaks": sorted(peaks),
            "values": dict(lam=lam, kappa=kappa, r=r, gamma=gamma)}



def render_spectra(data):
    """Two-panel figure (STM | Andreev) from ``compute_spectra`` output."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6))
    v = data["values"]
    mg = data["gaps"]
    plot_stm(data["stm"], ax=a1, extrema=mg.extrema,
             title=f"STM: λ={v['lam']:.2f}, κ={v['kappa']:.2f}, r={v['r']:.2f}, Γβ={v['gamma']:.2f} meV "
                   f"({mg.source} gaps)")
    plot_andreev(data["andreev"], ax=a2, fit=data["apparent"],
                 title=f"Andreev (100 contact), T = {data['andreev'].T:g} K")
    fig.tight_layout()
    return fig


class SpectraExplorer(Explorer):
    """Live explorer of the triplon model's STM and Andreev spectra.

    ``sliders``: dict name -> widget (lam, kappa, r, gamma; gamma is Gamma_beta in meV);
    ``data``: the output of :func:`compute_spectra` at the last redraw.
    """

    def __init__(self, lam=0.4, kappa=0.3, r=0.7, gamma=1.0, *, n_c=0.45, Omega=0.3, source="exact",
                 fit=False):
        import ipywidgets as W

        fs = dict(continuous_update=False, readout_format=".2f")
        self.n_c, self.Omega, self.source, self.fit = n_c, Omega, source, fit
        self.sliders = {
            "lam": W.FloatSlider(value=lam, min=0.2, max=0.6, step=0.02, description="λ", **fs),
            "kappa": W.FloatSlider(value=kappa, min=0.0, max=0.8, step=0.05, description="κ", **fs),
            "r": W.FloatSlider(value=r, min=0.0, max=1.0, step=0.05, description="r", **fs),
            "gamma": W.FloatSlider(value=gamma, min=0.2, max=8.0, step=0.1, description="Γβ (meV)", **fs),
        }
        ctl = list(self.sliders.values())
        self._build(ctl, lambda status, out: W.VBox([W.HBox(ctl[:2]), W.HBox(ctl[2:]), out]))

    def compute(self):
        return compute_spectra(**self.values(), n_c=self.n_c, Omega=self.Omega, source=self.source,
                               fit=self.fit)

    def figure(self, data=None):
        return render_spectra(self.data if data is None else data)


def explorer(**kw):
    """Return a :class:`SpectraExplorer` (display it, or its ``.widget``, in Jupyter)."""
    return SpectraExplorer(**kw)

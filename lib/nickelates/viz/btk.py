"""Figures and the ipywidgets explorer of chapter 4 (Andreev reflection, BTK).

Units as in :mod:`nickelates.btk`: meV, mV, K.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

from .. import btk

__all__ = ["plot_classic_btk", "plot_fit", "plot_spectrum", "BTKExplorer", "explorer",
           "SYMMETRY_PAIRS"]

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


class BTKExplorer:
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
        self.out = W.Output()
        self.data = {}
        for s in self.sliders.values():
            s.observe(self._on_change, names="value")
        self.widget = W.VBox([W.HBox([W.VBox(list(self.sliders.values())[:4]),
                                      W.VBox(list(self.sliders.values())[4:])]), self.out])
        self.update()

    def values(self):
        return {k: s.value for k, s in self.sliders.items()}

    def gaps(self):
        v = self.values()
        s1, s2 = v["symmetry"].split("+")
        return (btk.Gap(v["delta1"], v["Z"], v["gamma"], v["w"], s1, v["alpha"]),
                btk.Gap(v["delta2"], v["Z"], v["gamma"], 1.0 - v["w"], s2, v["alpha"]))

    def compute(self):
        v = self.values()
        G, comps = btk.conductance_multi(self.bias, self.gaps(), v["T"], return_components=True)
        return {"bias": self.bias, "G": G, "components": comps, "values": v}

    def figure(self):
        v = self.values()
        return plot_spectrum(self.bias, self.gaps(), v["T"],
                             title=f"{v['symmetry']}, Z={v['Z']:.2f}, Γ={v['gamma']:.2f} meV, T={v['T']:g} K")

    def _on_change(self, change):
        self.update()

    def update(self):
        self.data = self.compute()
        self.out.clear_output(wait=True)
        fig = self.figure()
        try:
            from IPython import get_ipython
            shell = get_ipython()
        except ImportError:  # pragma: no cover
            shell = None
        if shell is not None:
            from IPython.display import display
            with self.out:
                display(fig)
        plt.close(fig)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)


def explorer(**kw):
    """Return a :class:`BTKExplorer` (display it, or its ``.widget``, in Jupyter)."""
    return BTKExplorer(**kw)

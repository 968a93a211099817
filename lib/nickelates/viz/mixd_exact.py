"""Figures and the live explorer of the exact MixD+V ladder chapter (chapter 7).

Energies in units of V; densities per rung.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import mixd_exact as mx
from .explorer import Explorer

__all__ = ["plot_profiles", "render_profile_frame", "explorer", "ExactLadderExplorer"]


def plot_profiles(cc, sc, ax=None, *, title=None, label_suffix=""):
    """Rung-resolved <n_cc(j)> and <n_sc(j)> against the rung index."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 3.0))
    j = np.arange(len(cc))
    ax.plot(j, sc, "o-", ms=3, color="C0", label=r"$\langle n_{sc}(j)\rangle$" + label_suffix)
    ax.plot(j, cc, "s-", ms=3, color="C3", label=r"$\langle n_{cc}(j)\rangle$" + label_suffix)
    ax.set_xlabel("rung $j$")
    ax.set_ylabel("density per rung")
    ax.set_ylim(0, 1.0)
    ax.legend(frameon=False, fontsize=8)
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def render_profile_frame(J_perp, points, *, L=30, n_holes=8, chi_max=64):
    """Figure for one stored DMRG point: rung profiles and the sc/cc balance."""
    p = mx.select(points, kind="dmrg", L=L, n_holes=n_holes, J_perp=J_perp, chi_max=chi_max)
    if not p:
        raise ValueError(f"J_perp={J_perp} has no stored DMRG point at L={L}, n_holes={n_holes}")
    p = p[0]
    cc = np.asarray(p["cc_profile"])
    # the stored data keep the cc profile; N_sc / L is drawn as a flat reference
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.0), gridspec_kw={"width_ratios": [2, 1]})
    j = np.arange(L)
    a1.plot(j, cc, "s-", ms=3, color="C3", label=r"$\langle n^h_{j0} n^h_{j1}\rangle$ (cc)")
    a1.axhline(p["n_sc"], color="C0", ls="--", label=r"$N_{sc}/L$")
    a1.set_ylim(0, max(0.3, 1.1 * cc.max()))
    a1.set_xlabel("rung $j$")
    a1.set_ylabel("density per rung")
    a1.legend(frameon=False, fontsize=8)
    a1.set_title(rf"DMRG $L={L}$, $N_h={n_holes}$, $J_\perp/V={J_perp:.2f}$, $\chi={p['chi']}$",
                 fontsize=9)
    ratio = mx.crossover_ratio(p["n_sc"], p["n_cc"], L, n_holes)
    a2.bar([0, 1], [p["n_sc"] * L, 2 * p["n_cc"] * L], color=["C0", "C3"])
    a2.set_xticks([0, 1], [r"$N_{sc}$", r"$2N_{cc}$"])
    a2.set_ylim(0, n_holes)
    a2.set_title(rf"$(N_{{sc}}-2N_{{cc}})/N_h = {ratio:+.2f}$", fontsize=9)
    fig.tight_layout()
    return fig


class ExactLadderExplorer(Explorer):
    """Live ED of a short ladder: sliders J_perp/V, N_h, t_par/V -> rung profiles.

    Attributes: ``sliders`` (dict of ipywidgets sliders), ``data`` (numbers of the
    last redraw: energy, n_cc, n_sc, ratio, profiles), ``widget`` (VBox to display).
    """

    def __init__(self, L=6, V=1.0):
        import ipywidgets as W

        self.L, self.V = int(L), float(V)
        self.sliders = {
            "J_perp": W.FloatSlider(value=1.0, min=0.2, max=2.5, step=0.05,
                                    description="J⊥/V", continuous_update=False),
            "n_holes": W.IntSlider(value=2, min=1, max=self.L, step=1,
                                   description="N_h", continuous_update=False),
            "t_par": W.FloatSlider(value=0.1, min=0.0, max=0.5, step=0.02,
                                   description="t∥/V", continuous_update=False),
        }
        ctl = list(self.sliders.values())
        self._build(ctl, lambda status, out: W.VBox([W.HBox(ctl), out]))

    def compute(self):
        J = self.sliders["J_perp"].value
        nh = self.sliders["n_holes"].value
        t = self.sliders["t_par"].value
        r = mx.ground_state(L=self.L, n_holes=nh, J_perp=J, V=self.V, t_par=t)
        return {"J_perp": J, "n_holes": nh, "t_par": t, "energy": r.energy,
                "n_cc": r.n_cc, "n_sc": r.n_sc, "ratio": r.ratio,
                "cc_profile": r.cc_profile, "sc_profile": r.sc_profile, "dim": r.dim}

    def figure(self, data):
        fig, ax = plt.subplots(figsize=(5.0, 3.0))
        plot_profiles(data["cc_profile"], data["sc_profile"], ax,
                      title=(rf"ED $L={self.L}$, $N_h={data['n_holes']}$, dim={data['dim']}: "
                             rf"$E={data['energy']:.4f}$, $(N_{{sc}}-2N_{{cc}})/N_h={data['ratio']:+.2f}$"))
        return fig


def explorer(L=6, V=1.0):
    """Return an :class:`ExactLadderExplorer` (display it in Jupyter)."""
    return ExactLadderExplorer(L=L, V=V)

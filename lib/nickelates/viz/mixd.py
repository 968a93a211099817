"""Figures and the interactive explorer of the MixD+V mean-field chapter (chapter 6).

Energies in units of V (the solver's inputs), momenta in units of pi.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

from .. import mixd

__all__ = ["plot_delta_k", "render_state", "explorer", "MixdExplorer"]


def plot_delta_k(sol, ax=None, *, vmax=None, cmap="RdBu_r", colorbar=True):
    """Delta_k of a :class:`~nickelates.mixd.MeanFieldSolution` on the BZ.

    2D: colour map centred at zero with the nodal line Delta_k = 0 drawn;
    1D: Delta_k and E_k against k.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.6))
    if len(sol.shape) == 1:
        k = sol.k[0] / np.pi
        ax.plot(k, sol.delta_k, "o-", ms=3, label=r"$\Delta_k$")
        ax.plot(k, sol.E_k, "s--", ms=3, label=r"$E_k$")
        ax.axhline(0, color="k", lw=0.5)
        ax.set_xlabel(r"$k/\pi$")
        ax.set_ylabel("energy / V")
        ax.legend(frameon=False)
        return ax
    kx, ky = sol.k[0] / np.pi, sol.k[1] / np.pi
    d = sol.delta_k
    vmax = float(np.max(np.abs(d))) if vmax is None else vmax
    dkx = kx[1] - kx[0]
    dky = ky[1] - ky[0]
    im = ax.imshow(d.T, origin="lower", cmap=cmap, vmin=-vmax, vmax=vmax,
                   extent=(kx[0] - dkx / 2, kx[-1] + dkx / 2, ky[0] - dky / 2, ky[-1] + dky / 2),
                   interpolation="nearest")
    X, Y = np.meshgrid(kx, ky, indexing="ij")
    if np.nanmin(d) < 0 < np.nanmax(d):
        ax.contour(X, Y, d, levels=[0.0], colors="k", linewidths=0.8)
    ax.set_xlabel(r"$k_x/\pi$")
    ax.set_ylabel(r"$k_y/\pi$")
    ax.set_aspect("equal")
    if colorbar:
        plt.colorbar(im, ax=ax, label=r"$\Delta_k$ / V", shrink=0.85)
    return ax


def _solve(shape, J_perp, doping, eps_diag, t_par, V):
    N = int(np.prod(shape))
    nh = max(1, int(round(doping * N)))
    return mixd.solve_mean_field(shape=shape, n_holes=nh, J_perp=J_perp, V=V,
                                 t_par=t_par, eps_diag=eps_diag)


def render_state(J_perp=1.0, doping=12 / 256, eps_diag=0.0, *, shape=(16, 16), t_par=0.1,
                 V=1.0, sol=None):
    """Figure: Delta_k map and the order parameters for one parameter set.

    ``sol`` may pass an already solved :class:`~nickelates.mixd.MeanFieldSolution`.
    """
    if sol is None:
        sol = _solve(shape, J_perp, doping, eps_diag, t_par, V)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.3),
                                 gridspec_kw={"width_ratios": [1.35, 1]})
    plot_delta_k(sol, a1)
    a1.set_title(rf"$J_\perp/V={J_perp:.2f}$, $\delta={sol.doping:.3f}$, $\epsilon={eps_diag:.2f}$",
                 fontsize=9)
    names = [r"$\mathcal{O}_{BEC}$", r"$\mathcal{O}_{BCS}$", r"$\frac{N_{sc}-2N_{cc}}{N_h}$",
             r"$E_B$/V"]
    vals = [sol.order_bec, sol.order_bcs, sol.imbalance, sol.binding_energy]
    a2.bar(range(4), vals, color=["C0", "C3", "C2", "C1"])
    a2.set_xticks(range(4), names)
    a2.axhline(0, color="k", lw=0.5)
    a2.set_ylim(-1.05, 1.05)
    fig.tight_layout()
    return fig


class MixdExplorer:
    """Live explorer: sliders J_perp/V, doping and eps -> Delta_k map + order parameters.

    Attributes: ``sliders`` (dict of ipywidgets sliders), ``data`` (dict with the
    last solution's numbers and Delta_k), ``widget`` (the VBox to display).
    """

    def __init__(self, shape=(16, 16), t_par=0.1, V=1.0):
        import ipywidgets as W
        self.shape, self.t_par, self.V = tuple(shape), t_par, V
        self.sliders = {
            "J_perp": W.FloatSlider(value=1.0, min=0.5, max=2.0, step=0.05,
                                    description="J⊥/V", continuous_update=False),
            "doping": W.FloatSlider(value=12 / 256, min=0.02, max=0.45, step=0.01,
                                    description="δ", continuous_update=False),
            "eps_diag": W.FloatSlider(value=0.0, min=0.0, max=2.0, step=0.1,
                                      description="ε", continuous_update=False),
        }
        self.out = W.Output()
        self.data = {}
        for s in self.sliders.values():
            s.observe(lambda change: self.update(), names="value")
        self.widget = W.VBox([W.HBox(list(self.sliders.values())), self.out])
        self.update()

    def update(self):
        J = self.sliders["J_perp"].value
        dop = self.sliders["doping"].value
        eps = self.sliders["eps_diag"].value
        sol = _solve(self.shape, J, dop, eps, self.t_par, self.V)
        self.data = {"J_perp": J, "doping": sol.doping, "eps_diag": eps,
                     "order_bec": sol.order_bec, "order_bcs": sol.order_bcs,
                     "imbalance": sol.imbalance, "binding_energy": sol.binding_energy,
                     "delta_k": sol.delta_k, "solution": sol}
        with self.out:
            self.out.clear_output(wait=True)
            from IPython.display import display
            fig = render_state(J, dop, eps, shape=self.shape, t_par=self.t_par, V=self.V, sol=sol)
            display(fig)
            plt.close(fig)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)


def explorer(shape=(16, 16), t_par=0.1, V=1.0):
    """Return a :class:`MixdExplorer` (display it in Jupyter)."""
    return MixdExplorer(shape=shape, t_par=t_par, V=V)

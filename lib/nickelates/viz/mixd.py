"""Figures and the interactive explorer of the MixD+V mean-field chapter (chapter 6).

Energies in units of V (the solver's inputs), momenta in units of pi.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

from .. import mixd
from .explorer import Explorer

__all__ = ["plot_delta_k", "render_state", "explorer", "MixdExplorer", "figure_fig3", "figure_fig45",
           "figure_fig6", "figure_fig27", "figure_phase_map_2d", "crossing", "figure_sw_scaling",
           "finite_size_crossover", "figure_finite_size"]


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


def _crossing(x, y):
    """First zero of y(x) by linear interpolation (None if y keeps its sign)."""
    i = np.where(np.diff(np.sign(y)) != 0)[0]
    if i.size == 0:
        return None
    i = i[0]
    return float(x[i] - y[i] * (x[i + 1] - x[i]) / (y[i + 1] - y[i]))


def crossing(x, y):
    """First zero of y(x) by linear interpolation; ``ValueError`` if y keeps its sign."""
    c = _crossing(np.asarray(x, float), np.asarray(y, float))
    if c is None:
        raise ValueError("crossing: y has no sign change on the given x range")
    return c


def figure_fig3(J_values=None, n_holes=None, L=30, cut_holes=8, t_par=0.1, *, return_data=False):
    """The paper's Fig. 3 (mean field): imbalance (N_sc - 2 N_cc)/N_h of the L-rung ladder over
    J_perp/V and delta = N_h/L (left, zero line black) and the cut at N_h = ``cut_holes`` (right).

    With ``return_data=True`` returns ``(fig, data)``, data = {"J", "n_holes", "imbalance"
    (J x N_h), "cut" (imbalance at ``cut_holes``), "J_cross" (its zero, None if none)}.
    """
    J = np.linspace(0.5, 2.0, 41) if J_values is None else np.asarray(J_values, float)
    nhs = np.arange(1, L // 2 + 1) if n_holes is None else np.asarray(n_holes, int)
    pm = mixd.phase_map((L,), J, nhs / L, t_par=t_par)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.2, 3.5), gridspec_kw={"width_ratios": [1.4, 1]})
    im = a1.pcolormesh(J, nhs / L, pm["imbalance"].T, cmap="coolwarm", vmin=-1, vmax=1, shading="nearest")
    a1.contour(J, nhs / L, pm["imbalance"].T, levels=[0], colors="k")
    a1.axhline(cut_holes / L, color="0.3", ls="--", lw=0.8)
    plt.colorbar(im, ax=a1, label=r"$(N_{sc}-2N_{cc})/N_h$")
    a1.set_xlabel(r"$J_\perp/V$")
    a1.set_ylabel(r"$\delta$")
    cut = pm["imbalance"][:, int(np.argmin(np.abs(nhs - cut_holes)))]
    a2.plot(J, cut, "k")
    a2.axhline(0, color="0.5", lw=0.5)
    a2.set_xlabel(r"$J_\perp/V$")
    a2.set_title(rf"$\delta = {cut_holes}/{L}$", fontsize=10)
    fig.tight_layout()
    if return_data:
        return fig, {"J": J, "n_holes": nhs, "imbalance": pm["imbalance"], "cut": cut,
                     "J_cross": _crossing(J, cut)}
    return fig


def figure_fig45(J_values=None, L=30, low_holes=(2, 4, 6), eb_holes=14, *, return_data=False):
    """The paper's Fig. 4 (E and E - E_bg at low doping) and Fig. 5 (binding energy E_B = 2 min E_k
    and 2|Delta_k*| at N_h = ``eb_holes``) for the L-rung ladder, t_par/V = 0.1.

    With ``return_data=True`` returns ``(fig, data)``, data = {"J", "energy" {N_h: E},
    "energy_minus_bg" {N_h: E - E_bg}, "binding_energy" E_B, "delta_kstar" |Delta_k*|} (units of V).
    """
    J = np.linspace(0.5, 2.0, 25) if J_values is None else np.asarray(J_values, float)
    fig, axs = plt.subplots(1, 3, figsize=(11, 3.2))
    energy, energy_bg = {}, {}
    for nh in low_holes:
        ss = [mixd.solve_mean_field(shape=(L,), n_holes=nh, J_perp=float(Jv)) for Jv in J]
        energy[nh] = np.array([s.energy for s in ss])
        energy_bg[nh] = np.array([s.energy_minus_bg for s in ss])
        axs[0].plot(J, energy[nh], label=f"$N_h$ = {nh}")
        axs[1].plot(J, energy_bg[nh])
    axs[0].set_ylabel("E / V")
    axs[1].set_ylabel(r"$(E-E_{bg})$ / V")
    axs[0].legend(frameon=False)
    ss = [mixd.solve_mean_field(shape=(L,), n_holes=eb_holes, J_perp=float(Jv)) for Jv in J]
    EB = np.array([s.binding_energy for s in ss])
    Dk = np.array([abs(s.delta_at_kstar) for s in ss])
    axs[2].plot(J, EB, "k", label=r"$E_B$")
    axs[2].plot(J, 2 * Dk, "k--", label=r"$2|\Delta_{k^*}|$")
    axs[2].legend(frameon=False)
    axs[2].set_ylabel("energy / V")
    axs[2].set_title(rf"$\delta = {eb_holes}/{L}$", fontsize=10)
    for a in axs:
        a.set_xlabel(r"$J_\perp/V$")
    fig.tight_layout()
    if return_data:
        return fig, {"J": J, "energy": energy, "energy_minus_bg": energy_bg, "binding_energy": EB,
                     "delta_kstar": Dk}
    return fig


def figure_fig6(J_values=None, L=30, n_holes=8, *, J_imbalance=None, return_data=False):
    """The paper's Fig. 6: O_BEC and O_BCS of the L-rung ladder vs J_perp/V; vertical lines at the
    steepest descent of O_BCS (solid), imbalance = 0 (dotted) and O_BEC = O_BCS (dashed).

    J_imbalance : optional position of the dotted line (default: zero of the imbalance on this grid).
    With ``return_data=True`` returns ``(fig, data)``, data = {"J", "order_bec", "order_bcs",
    "imbalance", "J_steep", "J_imbalance", "J_cross"} (crossings None if absent).
    """
    J = np.linspace(0.5, 2.0, 81) if J_values is None else np.asarray(J_values, float)
    sf = [mixd.solve_mean_field(shape=(L,), n_holes=n_holes, J_perp=float(Jv)) for Jv in J]
    obec = np.array([s.order_bec for s in sf])
    obcs = np.array([s.order_bcs for s in sf])
    imb = np.array([s.imbalance for s in sf])
    fig, ax = plt.subplots(figsize=(5, 3.3))
    ax.plot(J, obec, label=r"$\mathcal{O}_{BEC}$")
    ax.plot(J, obcs, label=r"$\mathcal{O}_{BCS}$")
    marks = (float(J[np.argmin(np.gradient(obcs, J))]),
             _crossing(J, imb) if J_imbalance is None else float(J_imbalance), _crossing(J, obec - obcs))
    for x, ls in zip(marks, ("-", ":", "--")):
        if x is not None:
            ax.axvline(x, color="0.4", ls=ls, lw=0.8)
    ax.set_xlabel(r"$J_\perp/V$")
    ax.set_title(rf"$L = {L}$, $N_h = {n_holes}$", fontsize=10)
    ax.legend(frameon=False)
    fig.tight_layout()
    if return_data:
        return fig, {"J": J, "order_bec": obec, "order_bcs": obcs, "imbalance": imb, "J_steep": marks[0],
                     "J_imbalance": marks[1], "J_cross": marks[2]}
    return fig


def figure_fig27(shape=(16, 16), n_holes=12, J_perp=1.0, t_par=0.1, eps_values=(0.0, 1.5), *,
                 return_data=False):
    """The paper's Fig. 2 (eps = 0) and Fig. 7 (diagonal recombination eps = 1.5): Delta_k on the
    16 x 16 bilayer with its nodal lines.

    With ``return_data=True`` returns ``(fig, solutions)``, one ``MeanFieldSolution`` per eps.
    """
    fig, axs = plt.subplots(1, len(eps_values), figsize=(4.5 * len(eps_values), 3.6))
    sols = []
    for ax, eps in zip(np.atleast_1d(axs), eps_values):
        sol = mixd.solve_mean_field(shape=tuple(shape), n_holes=n_holes, J_perp=J_perp, t_par=t_par,
                                    eps_diag=eps)
        sols.append(sol)
        plot_delta_k(sol, ax)
        ax.set_title(rf"$\epsilon = {eps:g}$", fontsize=10)
    fig.tight_layout()
    if return_data:
        return fig, sols
    return fig


def figure_phase_map_2d(dmap):
    """Imbalance (left) and binding energy (right) of the 2D bilayer over (J_perp/V, delta) from
    ``data/mixd_phase_map_2d.npz``; black: imbalance = 0, white dashed: O_BEC = O_BCS."""
    Jm, dm = np.asarray(dmap["J_values"]), np.asarray(dmap["dopings"])
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.5, 3.5))
    im = a1.pcolormesh(Jm, dm, np.asarray(dmap["imbalance"]).T, cmap="coolwarm", vmin=-1, vmax=1,
                       shading="nearest")
    plt.colorbar(im, ax=a1, label=r"$(N_{sc}-2N_{cc})/N_h$")
    im2 = a2.pcolormesh(Jm, dm, np.asarray(dmap["binding_energy"]).T, cmap="viridis", shading="nearest")
    plt.colorbar(im2, ax=a2, label=r"$E_B$ / V")
    for a in (a1, a2):
        a.contour(Jm, dm, np.asarray(dmap["imbalance"]).T, levels=[0], colors="k")
        a.contour(Jm, dm, (np.asarray(dmap["order_bec"]) - np.asarray(dmap["order_bcs"])).T, levels=[0],
                  colors="w", linestyles="--")
        a.set_xlabel(r"$J_\perp/V$")
        a.set_ylabel(r"$\delta$")
    fig.tight_layout()
    return fig


def figure_sw_scaling(t_values=None, J_perp=1.2, V=1.0, n_fit=4):
    """Largest deviation between the exact two-rung cluster spectrum and its second-order
    Schrieffer-Wolff spectrum (``mixd.cluster_check``) vs t_par/V for 1, 2 and 3 holes, log-log,
    with t^3 and t^4 guides. Energies in units of V.

    Returns ``(fig, data)``, data = {"t", "errors" {N_h: array}, "slopes" {1: ..., 2: ...}} with the
    slopes fitted to the ``n_fit`` smallest t.
    """
    t = np.geomspace(0.005, 0.08, 8) if t_values is None else np.asarray(t_values, float)
    fig, ax = plt.subplots(figsize=(4.6, 3.2))
    errors, slopes = {}, {}
    for nh, m in ((1, "o"), (2, "s")):
        errors[nh] = mixd.cluster_check(2, nh, J_perp, V, t)
        slopes[nh] = float(np.polyfit(np.log(t[:n_fit]), np.log(errors[nh][:n_fit]), 1)[0])
        ax.loglog(t, errors[nh], m + "-", label=f"{nh} hole(s): slope {slopes[nh]:.2f}")
    errors[3] = mixd.cluster_check(2, 3, J_perp, V, t)
    ax.loglog(t, 3e-1 * t**3, "k--", lw=0.7)
    ax.loglog(t, 3e0 * t**4, "k:", lw=0.7)
    ax.set_xlabel(r"$t_\parallel/V$")
    ax.set_ylabel("max |E_ED − E_SW| / V")
    ax.legend(frameon=False)
    return fig, {"t": t, "errors": errors, "slopes": slopes}


def finite_size_crossover(sizes, dim=1, doping_holes=(8, 30), J_brackets=((0.8, 1.6), (1.0, 2.0)),
                          J_ref=1.0, xtol=1e-9):
    """Crossover couplings of the mean field vs system size at fixed doping (t_par/V = 0.1, eps = 0).

    sizes : L values (ladder of L rungs for ``dim=1``, L x L bilayer for ``dim=2``);
    doping_holes : (a, b) with N_h = a * N // b (N the number of rungs);
    J_brackets : brentq brackets for the imbalance zero and for O_BEC = O_BCS.
    Returns an array of rows (L, J_c from imbalance = 0, J_x from O_BEC = O_BCS, O_BCS at J_ref).
    """
    from scipy.optimize import brentq

    if dim not in (1, 2):
        raise ValueError(f"dim must be 1 or 2, got {dim!r}")
    a, b = doping_holes
    rows = []
    for L in sizes:
        shape = (int(L),) if dim == 1 else (int(L), int(L))
        N = int(np.prod(shape))

        def f(Jv, shape=shape, N=N):
            return mixd.solve_mean_field(shape=shape, n_holes=a * N // b, J_perp=Jv)

        rows.append((L, brentq(lambda Jv: f(Jv).imbalance, *J_brackets[0], xtol=xtol),
                     brentq(lambda Jv: f(Jv).order_bec - f(Jv).order_bcs, *J_brackets[1], xtol=xtol),
                     f(J_ref).order_bcs))
    return np.array(rows, float)


def figure_finite_size(results):
    """Left: crossover couplings (imbalance zero, circles; O_BEC = O_BCS, squares) vs 1/L; right:
    |O_BCS(L) - O_BCS(L_max)| with an L^-2 guide. ``results``: {label: :func:`finite_size_crossover`}."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.3))
    for (key, r), col in zip(results.items(), ("C0", "C3", "C2", "C1")):
        a1.plot(1 / r[:, 0], r[:, 1], "o-", color=col, label=f"{key}: imbalance = 0")
        a1.plot(1 / r[:, 0], r[:, 2], "s--", color=col, label=f"{key}: O_BEC = O_BCS")
        a2.loglog(1 / r[:-1, 0], abs(r[:-1, 3] - r[-1, 3]), "o-", color=col, label=key)
    a1.set_xlabel("1/L")
    a1.set_ylabel(r"$J_\perp/V$")
    a1.legend(frameon=False, fontsize=8)
    x_ = np.array([1e-3, 1e-1])
    a2.loglog(x_, 0.3 * x_**2, "k:", lw=0.8, label=r"$\propto L^{-2}$")
    a2.set_xlabel("1/L")
    a2.set_ylabel(r"$|\mathcal{O}_{BCS}(L)-\mathcal{O}_{BCS}(L_{max})|$")
    a2.legend(frameon=False)
    fig.tight_layout()
    return fig


class MixdExplorer(Explorer):
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
        ctl = list(self.sliders.values())
        self._build(ctl, lambda status, out: W.VBox([W.HBox(ctl), out]))

    def compute(self):
        J = self.sliders["J_perp"].value
        dop = self.sliders["doping"].value
        eps = self.sliders["eps_diag"].value
        sol = _solve(self.shape, J, dop, eps, self.t_par, self.V)
        return {"J_perp": J, "doping": sol.doping, "eps_diag": eps,
                "order_bec": sol.order_bec, "order_bcs": sol.order_bcs,
                "imbalance": sol.imbalance, "binding_energy": sol.binding_energy,
                "delta_k": sol.delta_k, "solution": sol}

    def figure(self, data):
        return render_state(data["J_perp"], self.sliders["doping"].value, data["eps_diag"],
                            shape=self.shape, t_par=self.t_par, V=self.V, sol=data["solution"])


def explorer(shape=(16, 16), t_par=0.1, V=1.0):
    """Return a :class:`MixdExplorer` (display it in Jupyter)."""
    return MixdExplorer(shape=shape, t_par=t_par, V=V)

"""Figures and the interactive explorer for chapter 3 (triplon-mediated s+- pairing)."""
from __future__ import annotations

import dataclasses
import math
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np

from .. import bands as B
from .. import pairing as P
from .explorer import Explorer

COLORS = {"alpha": "tab:blue", "beta": "tab:red"}


def fs_gap_curves(sol, n_theta: int = 360):
    """{band: (theta, |Delta(theta)|)} on both Fermi sheets for a solution (exact or analytic), eV."""
    out = {}
    for band in B.BAND_NAMES:
        th, d = sol.on_fermi_surface(band, n_theta)
        out[band] = (th, np.abs(d))
    return out


def plot_fs_gaps(exact, analytic=None, ax=None, *, n_theta: int = 360, normalize: bool = True,
                 title: str = ""):
    """Fig. 4 (right): |Delta(theta)| on the alpha and beta sheets, theta in [0, pi/2].

    Normalized to Delta_alpha(theta = 0) of the exact solution (as in the paper),
    analytic Eq. (16) curves dashed, each normalized to its own Delta_alpha(0).
    Returns (ax, data) with data = {"exact": curves, "analytic": curves or None, "norm": eV}.
    """
    ax = ax or plt.gca()
    cur = fs_gap_curves(exact, n_theta)
    norm = cur["alpha"][1][0] if normalize else 1.0
    for band in B.BAND_NAMES:
        th, d = cur[band]
        m = th <= math.pi / 2 + 1e-12
        ax.plot(th[m], d[m] / norm, color=COLORS[band], label=rf"$\Delta_\{band}$ exact")
    acur = None
    if analytic is not None:
        acur = fs_gap_curves(analytic, n_theta)
        anorm = acur["alpha"][1][0] if normalize else 1.0
        for band in B.BAND_NAMES:
            th, d = acur[band]
            m = th <= math.pi / 2 + 1e-12
            ax.plot(th[m], d[m] / anorm, "--", color=COLORS[band], label=rf"$\Delta_\{band}$ Eq. (16)")
    ax.axvline(math.pi / 4, color="0.7", lw=0.6)
    ax.set_xticks([0, math.pi / 8, math.pi / 4, 3 * math.pi / 8, math.pi / 2],
                  ["0", r"$\pi/8$", r"$\pi/4$", r"$3\pi/8$", r"$\pi/2$"])
    ax.set_xlim(0, math.pi / 2)
    ax.set_xlabel(r"$\theta$")
    ax.set_ylabel(r"$\Delta(\theta)/\Delta_\alpha(0)$" if normalize else r"$|\Delta(\theta)|$ (eV)")
    if title:
        ax.set_title(title, fontsize=9)
    return ax, {"exact": cur, "analytic": acur, "norm": norm}


def plot_ratio_vs_dos(ratios_exact=None, ax=None, lams=(0.6, 0.3), x=None):
    """Fig. 3 (right): Delta_alpha/Delta_beta vs N_beta/N_alpha from Eq. (18).

    ratios_exact : optional {lam: (N_ratio array, exact gap ratio array)} overlaid as markers.
    """
    ax = ax or plt.gca()
    x = np.linspace(1.0, 4.0, 200) if x is None else x
    styles = {0.6: "tab:purple", 0.3: "tab:green"}
    for lam in lams:
        c = styles.get(lam)
        ax.plot(x, P.gap_ratio_eq18(x, lam), color=c, label=rf"Eq. (18), $\lambda={lam}$")
        if ratios_exact and lam in ratios_exact:
            xr, yr = ratios_exact[lam]
            ax.plot(xr, yr, "o", ms=4, color=c, mfc="none", label=rf"exact, $\lambda={lam}$")
    ax.plot(x, np.sqrt(x), "k--", lw=1, label=r"$\lambda\to 0$: $\sqrt{N_\beta/N_\alpha}$")
    ax.set_xlabel(r"$N_\beta/N_\alpha$")
    ax.set_ylabel(r"$\Delta_\alpha/\Delta_\beta$")
    ax.legend(fontsize=7)
    return ax


def plot_gap_vs_T(curve, ax=None):
    """Delta_alpha(T), Delta_beta(T) (meV) of a ``pairing.GapCurve``."""
    ax = ax or plt.gca()
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


def ratio_sweep(n_c_values, lams=(0.6, 0.3), Omega=0.3, p=B.PAPER_V3, n_k=256):
    """Exact gap ratios on the diagonal over the filling (kappa = 0), for Fig. 3 (right).

    Returns {lam: (N_beta/N_alpha array, exact Delta_alpha/Delta_beta array)}, the
    ``ratios_exact`` argument of :func:`plot_ratio_vs_dos`. Omega in eV.
    """
    out = {lam: ([], []) for lam in lams}
    for nc in n_c_values:
        q = B.with_density(p, float(nc))
        d = B.fermi_level_dos(q)
        for lam in lams:
            s = P.solve_gap(q, V=P.V_for_lambda(q, lam), kappa_a=0, kappa_b=0, Omega=Omega, n_k=n_k)
            out[lam][0].append(d.N_beta / d.N_alpha)
            out[lam][1].append(s.ratio)
    return {k: (np.array(a), np.array(b)) for k, (a, b) in out.items()}


#: the three panels of Fig. 4 (right) in the book: (label, bands, lambda, kappa_a = kappa_b)
FIG4_CASES = (("v3, κ = 0.5", B.PAPER_V3, 0.4, 0.5), ("v3, κ = 0.75", B.PAPER_V3, 0.4, 0.75),
              ("v1, κ = 0.75", B.PAPER_V1, 0.5, 0.75))


def fig4_solutions(cases=FIG4_CASES, n_c=0.45, Omega=0.3, n_k=256):
    """Exact and analytic gaps of each Fig. 4 case: list of (label, lam, exact, analytic)."""
    out = []
    for label, base, lam, kap in cases:
        q = B.with_density(base, n_c)
        V = P.V_for_lambda(q, lam)
        ex = P.solve_gap(q, V=V, kappa_a=kap, kappa_b=kap, Omega=Omega, n_k=n_k)
        an = P.analytic_gaps(q, V=V, kappa_a=kap, kappa_b=kap, Omega=Omega)
        out.append((label, lam, ex, an))
    return out


def figure_fig4_right(solutions, axs=None):
    """|Delta(theta)| panels (exact solid, Eq. (16) dashed) for :func:`fig4_solutions` output."""
    if axs is None:
        fig, axs = plt.subplots(1, len(solutions), figsize=(3.7 * len(solutions), 3.4), sharey=True)
    else:
        fig = np.atleast_1d(axs)[0].figure
    axs = np.atleast_1d(axs)
    for ax, (label, lam, ex, an) in zip(axs, solutions):
        plot_fs_gaps(ex, an, ax, title=f"{label}, λ = {lam}")
    axs[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def figure_fig3(dos_data, sweep):
    """The paper's Fig. 3: N_beta/N_alpha vs n_c (left, from ``viz.bands.dos_vs_filling``) and
    the gap ratio vs N_beta/N_alpha (right, Eq. (18) lines, exact ``sweep`` markers)."""
    from . import bands as vb

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.5, 3.6))
    vb.plot_dos_ratio(dos_data, a1)
    plot_ratio_vs_dos(sweep, a2, x=np.linspace(1.0, 4.0, 200))
    a2.set_xlim(1, 4)
    fig.tight_layout()
    return fig


def figure_fig3_right(sweep, x=None):
    """Fig. 3 (right) alone: Eq. (18) lines and the exact ``sweep`` markers (:func:`ratio_sweep`)."""
    fig, ax = plt.subplots(figsize=(5, 3.6))
    plot_ratio_vs_dos(sweep, ax, x=np.linspace(1.0, 4.0, 200) if x is None else x)
    ax.set_xlim(1, 4)
    fig.tight_layout()
    return fig


def figure_gap_vs_T(curve):
    """Delta_alpha(T), Delta_beta(T) on the zone diagonal (meV) of a ``pairing.GapCurve``, one panel."""
    fig, ax = plt.subplots(figsize=(5, 3.4))
    plot_gap_vs_T(curve, ax)
    fig.tight_layout()
    return fig


def figure_fig4(dos_data, solutions):
    """The paper's Fig. 4: weighted DOS ratios vs n_c (left) and Delta(theta) on the sheets (right)."""
    from . import bands as vb

    n = len(solutions)
    fig = plt.figure(figsize=(3.6 * (n + 1), 3.4))
    gs = fig.add_gridspec(1, n + 1)
    a0 = fig.add_subplot(gs[0, 0])
    vb.plot_weighted_dos(dos_data, a0)
    axs = [fig.add_subplot(gs[0, 1])]
    axs += [fig.add_subplot(gs[0, k], sharey=axs[0]) for k in range(2, n + 1)]
    figure_fig4_right(solutions, np.array(axs))
    return fig


@lru_cache(maxsize=64)
def _with_density(p, n_c):
    return B.with_density(p, n_c)


def gap_state(lam=0.4, kappa_a=0.75, kappa_b=0.75, n_c=0.45, Omega=0.3, p=B.PAPER_V3, n_k=128):
    """Solve exact and analytic gaps for one set of explorer parameters; returns a dict.

    lam : coupling lambda = V sqrt(N_a N_b) (V follows from the bands at n_c);
    kappa_a, kappa_b : Kondo/Hund ratios; n_c : electrons per Ni; Omega : cutoff (eV).
    """
    q = _with_density(p, float(n_c))
    V = P.V_for_lambda(q, lam)
    sol = P.solve_gap(q, V=V, kappa_a=kappa_a, kappa_b=kappa_b, Omega=Omega, n_k=n_k)
    ana = P.analytic_gaps(q, V=V, kappa_a=kappa_a, kappa_b=kappa_b, Omega=Omega)
    data = {"params": dataclasses.asdict(q), "V": V, "lam": lam, "channel": sol.channel,
            "solution": sol, "analytic": ana,
            "gap_alpha": sol.gap_alpha, "gap_beta": sol.gap_beta,
            "ratio": sol.ratio if sol.channel == "s" else float("nan"),
            "ratio_eq18": ana.ratio}
    if sol.channel == "s":
        data["curves"] = fs_gap_curves(sol, 180)
    return data


def figure_gap_state(data, title=""):
    """Figure of one explorer state: Delta(theta) on both sheets (meV), exact vs Eq. (16)."""
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    sol, ana = data["solution"], data["analytic"]
    if sol.channel == "s":
        for band in B.BAND_NAMES:
            th, d = fs_gap_curves(sol, 180)[band]
            m = th <= math.pi / 2 + 1e-12
            ax.plot(th[m], 1e3 * d[m], color=COLORS[band], label=rf"$|\Delta_\{band}|$ exact")
            th, d = fs_gap_curves(ana, 180)[band]
            ax.plot(th[m], 1e3 * d[m], "--", color=COLORS[band], label="Eq. (16)+(18)")
        ax.set_xticks([0, math.pi / 4, math.pi / 2], ["0", r"$\pi/4$", r"$\pi/2$"])
        ax.set_xlim(0, math.pi / 2)
        ax.set_xlabel(r"$\theta$")
        ax.set_ylabel(r"$|\Delta(\theta)|$ (meV)")
        ax.legend(fontsize=7, ncol=2)
        ax.set_title(title or (rf"$\lambda={data['lam']:.2f}$: $\Delta_\alpha/\Delta_\beta$ = "
                               rf"{data['ratio']:.2f} (exact), {data['ratio_eq18']:.2f} (Eq. 18)"), fontsize=9)
    else:
        ax.text(0.5, 0.5, f"leading channel: {sol.channel}", ha="center", transform=ax.transAxes)
    fig.tight_layout()
    return fig


class PairingExplorer(Explorer):
    """ipywidgets explorer: lambda, kappa_a, kappa_b, n_c, Omega -> Delta(theta) on both sheets.

    ``sliders`` maps names ("lam", "kappa_a", "kappa_b", "n_c", "Omega") to the
    FloatSlider widgets; every redraw stores its numbers in ``data`` (gaps on the
    diagonal in eV, exact and Eq. (18) ratios, channel, Fermi-surface curves).
    """

    errors = (ValueError, RuntimeError)

    def __init__(self, lam=0.4, kappa_a=0.75, kappa_b=0.75, n_c=0.45, Omega=0.3, p=B.PAPER_V3, n_k=128):
        import ipywidgets as W

        self.p = p
        self.n_k = n_k
        fs = dict(continuous_update=False, readout_format=".2f", style={"description_width": "3em"})
        self.sliders = {
            "lam": W.FloatSlider(value=lam, min=0.15, max=0.7, step=0.01, description="λ", **fs),
            "kappa_a": W.FloatSlider(value=kappa_a, min=0.0, max=1.5, step=0.05, description="κa", **fs),
            "kappa_b": W.FloatSlider(value=kappa_b, min=0.0, max=1.5, step=0.05, description="κb", **fs),
            "n_c": W.FloatSlider(value=n_c, min=0.2, max=0.9, step=0.01, description="n_c", **fs),
            "Omega": W.FloatSlider(value=Omega, min=0.05, max=0.6, step=0.01, description="Ω", **fs),
        }
        self._build(self.sliders.values(),
                    lambda status, out: W.HBox([W.VBox(list(self.sliders.values()) + [status]), out]),
                    status=True)

    def compute(self) -> dict:
        v = self.values()
        return gap_state(v["lam"], v["kappa_a"], v["kappa_b"], v["n_c"], v["Omega"], self.p, self.n_k)

    def status_html(self, d) -> str:
        return (f"channel {d['channel']}; Δα(π/4) = {1e3 * d['gap_alpha']:.2f} meV, "
                f"Δβ(π/4) = {1e3 * d['gap_beta']:.2f} meV; ratio {d['ratio']:.3f} "
                f"(Eq. 18: {d['ratio_eq18']:.3f})")

    def figure(self, d):
        return figure_gap_state(d)


def explorer(**kw) -> PairingExplorer:
    """Live explorer of the exact gaps (see :class:`PairingExplorer`)."""
    return PairingExplorer(**kw)

"""Figures and the live explorer of the exact MixD+V ladder chapter (chapter 7).

Energies in units of V; densities per rung.  The numbers come from
:mod:`nickelates.mixd_exact` (stored points: :func:`~nickelates.mixd_exact.stored_point`).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import _validate as check
from .. import mixd_exact as mx
from . import _check
from .explorer import Explorer

__all__ = ["plot_profiles", "render_profile_frame", "figure_correlations", "explorer", "ExactLadderExplorer"]


def plot_profiles(cc, sc, ax=None, *, title=None, label_suffix=""):
    """Draw the rung-resolved <n_cc(j)> and <n_sc(j)> against the rung index.

    Parameters
    ----------
    cc, sc : array_like
        cc and sc densities per rung (same length L).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (a new figure if None).
    title : str, optional
        Axes title.
    label_suffix : str, optional
        Appended to the legend labels.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into.

    Raises
    ------
    TypeError
        If a profile is not a real array.
    ValueError
        If the profiles differ in length.

    Examples
    --------
    >>> r = mx.ground_state(L=4, n_holes=2, J_perp=1.0)
    >>> len(plot_profiles(r.cc_profile, r.sc_profile).lines)
    2
    """
    cc = check.real_array("cc", cc, ndim=1)
    sc = check.real_array("sc", sc, ndim=1)
    check.same_length(cc=cc, sc=sc)
    _check.axes("ax", ax)
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


def render_profile_frame(point):
    """Draw one stored DMRG point: the cc rung profile and the sc/cc balance.

    Parameters
    ----------
    point : dict
        A stored point (:func:`nickelates.mixd_exact.stored_point`) with
        ``L``, ``n_holes``, ``J_perp`` (units of V), ``chi``, ``n_sc``,
        ``n_cc`` and ``cc_profile``.

    Returns
    -------
    matplotlib.figure.Figure
        Profile (left) and bars N_sc, 2 N_cc (right).

    Raises
    ------
    TypeError
        If ``point`` is not a dict.
    ValueError
        If its densities are out of range (see :func:`nickelates.mixd_exact.crossover_ratio`).

    Examples
    --------
    >>> p = mx.stored_point(mx.load_data(), kind="dmrg", L=30, n_holes=8, J_perp=1.0, chi_max=128)
    >>> len(render_profile_frame(p).axes)
    2
    """
    check.instance("point", point, dict)
    _check.mapping("point", point, ("L", "n_holes", "J_perp", "n_sc", "n_cc", "cc_profile"),
                   "a dict from mixd_exact.stored_point")
    L, n_holes, J_perp = point["L"], point["n_holes"], point["J_perp"]
    ratio = mx.crossover_ratio(point["n_sc"], point["n_cc"], L, n_holes)
    cc = check.real_array("point['cc_profile']", point["cc_profile"], ndim=1)
    # the stored data keep the cc profile; N_sc / L is drawn as a flat reference
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.0), gridspec_kw={"width_ratios": [2, 1]})
    a1.plot(np.arange(L), cc, "s-", ms=3, color="C3", label=r"$\langle n^h_{j0} n^h_{j1}\rangle$ (cc)")
    a1.axhline(point["n_sc"], color="C0", ls="--", label=r"$N_{sc}/L$")
    a1.set_ylim(0, max(0.3, 1.1 * cc.max()))
    a1.set_xlabel("rung $j$")
    a1.set_ylabel("density per rung")
    a1.legend(frameon=False, fontsize=8)
    a1.set_title(rf"DMRG $L={L}$, $N_h={n_holes}$, $J_\perp/V={J_perp:.2f}$, $\chi={point['chi']}$",
                 fontsize=9)
    a2.bar([0, 1], [point["n_sc"] * L, 2 * point["n_cc"] * L], color=["C0", "C3"])
    a2.set_xticks([0, 1], [r"$N_{sc}$", r"$2N_{cc}$"])
    a2.set_ylim(0, n_holes)
    a2.set_title(rf"$(N_{{sc}}-2N_{{cc}})/N_h = {ratio:+.2f}$", fontsize=9)
    fig.tight_layout()
    return fig


class ExactLadderExplorer(Explorer):
    """Live ED of a short ladder: sliders J_perp/V, N_h, t_par/V -> rung profiles.

    Parameters
    ----------
    L : int, optional
        Number of rungs (small: every redraw diagonalizes a sector).
    V : float, optional
        Rung repulsion (the unit of energy).

    Attributes
    ----------
    sliders : dict
        ipywidgets sliders ``J_perp``, ``n_holes``, ``t_par``.
    data : dict
        Numbers of the last redraw: ``energy`` (units of V), ``n_cc``, ``n_sc``,
        ``imbalance``, the profiles and ``dim``.
    widget : ipywidgets.VBox
        The widget to display.

    Examples
    --------
    >>> w = ExactLadderExplorer(L=4)
    >>> w.sliders["J_perp"].value = 2.0
    >>> w.data["imbalance"] < 0
    True
    """

    def __init__(self, L=6, V=1.0):
        import ipywidgets as W

        self.L = check.integer("L", L, 2, mx.ED_MAX_L)
        self.V = check.nonnegative("V", V, hi=1e6)
        float_slider = dict(continuous_update=False)
        self.sliders = {
            "J_perp": W.FloatSlider(value=1.0, min=0.2, max=2.5, step=0.05, description="J⊥/V", **float_slider),
            "n_holes": W.IntSlider(value=2, min=1, max=self.L, step=1, description="N_h", **float_slider),
            "t_par": W.FloatSlider(value=0.1, min=0.0, max=0.5, step=0.02, description="t∥/V", **float_slider),
        }
        ctl = list(self.sliders.values())
        self._build(ctl, lambda status, out: W.VBox([W.HBox(ctl), out]))

    def compute(self):
        """Diagonalize the sector of the current slider values.

        Returns
        -------
        dict
            The numbers stored in :attr:`data`.
        """
        J = self.sliders["J_perp"].value
        nh = self.sliders["n_holes"].value
        t = self.sliders["t_par"].value
        r = mx.ground_state(L=self.L, n_holes=nh, J_perp=J, V=self.V, t_par=t)
        return {"J_perp": J, "n_holes": nh, "t_par": t, "energy": r.energy,
                "n_cc": r.n_cc, "n_sc": r.n_sc, "imbalance": r.imbalance,
                "cc_profile": r.cc_profile, "sc_profile": r.sc_profile, "dim": r.dim}

    def figure(self, data):
        """Draw the profiles of :meth:`compute`.

        Parameters
        ----------
        data : dict
            As returned by :meth:`compute`.

        Returns
        -------
        matplotlib.figure.Figure
            :func:`plot_profiles` with energy and imbalance in the title.
        """
        fig, ax = plt.subplots(figsize=(5.0, 3.0))
        plot_profiles(data["cc_profile"], data["sc_profile"], ax,
                      title=(rf"ED $L={self.L}$, $N_h={data['n_holes']}$, dim={data['dim']}: "
                             rf"$E={data['energy']:.4f}$, "
                             rf"$(N_{{sc}}-2N_{{cc}})/N_h={data['imbalance']:+.2f}$"))
        return fig


def explorer(L=6, V=1.0):
    """Return an :class:`ExactLadderExplorer` (display it in Jupyter).

    Parameters
    ----------
    L : int, optional
        Number of rungs, in [2, 14] (keep it small: 6 redraws in ~0.1 s).
    V : float, optional
        Rung repulsion (the unit of energy).

    Returns
    -------
    ExactLadderExplorer
        The explorer (``.widget`` to display).

    Examples
    --------
    >>> explorer(L=4).data["dim"]
    320
    """
    return ExactLadderExplorer(L=L, V=V)


def figure_correlations(records):
    """Draw stored ladder correlations: cc and sc^2 pair correlations, K_rho(q) and the spin gap.

    Parameters
    ----------
    records : list of dict
        Points of ``data/mixd_correlations.json`` (``LadderCorrelations.to_dict()``),
        one per J_perp, all of one (L, N_h).

    Returns
    -------
    matplotlib.figure.Figure
        Four panels: |P_cc(r)| and |P_sc2(r)| on log-log axes, pi N(q)/q against q
        (its q -> 0 limit is K_rho), and the spin gap (units of V) against J_perp / V:
        filled where the S^z = 1 run converged (``converged_S1``), open where it did not
        (an estimate only); with error bars where a record has ``spin_gap_error`` (V).

    Raises
    ------
    TypeError
        If ``records`` is not a list of dicts.
    ValueError
        If it is empty.

    Examples
    --------
    >>> rec = dict(L=8, n_holes=2, J_perp=1.0, distance=[2, 3], pair_cc=[0.1, 0.05],
    ...            pair_sc2=[0.02, 0.01], q=[0.785, 1.571], structure_factor=[0.3, 0.5], spin_gap=0.1)
    >>> len(figure_correlations([rec]).axes)
    4
    """
    if not isinstance(records, (list, tuple)) or not all(isinstance(r, dict) for r in records):
        raise TypeError("records must be a list of dicts (points of data/mixd_correlations.json)")
    if not records:
        raise ValueError("records must not be empty")
    recs = sorted(records, key=lambda r: r["J_perp"])
    fig, axes = plt.subplots(1, 4, figsize=(12.0, 3.0))
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(recs)))
    for rec, c in zip(recs, colors):
        lab = rf"$J_\perp/V={rec['J_perp']:g}$"
        r = np.asarray(rec["distance"])
        axes[0].loglog(r, np.abs(rec["pair_cc"]), "o-", ms=3, color=c, label=lab)
        axes[1].loglog(r, np.abs(rec["pair_sc2"]), "o-", ms=3, color=c, label=lab)
        q = np.asarray(rec["q"])
        axes[2].plot(q, np.pi * np.asarray(rec["structure_factor"]) / q, "o-", ms=3, color=c, label=lab)
    axes[0].set_title(r"cc (on-rung) pair $|P_{cc}(r)|$", fontsize=9)
    axes[1].set_title(r"sc$^2$ (diagonal) pair $|P_{sc^2}(r)|$", fontsize=9)
    axes[2].set_title(r"$\pi N(q)/q \to K_\rho$", fontsize=9)
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    for ax in axes[:2]:
        ax.set_xlabel("distance $r$ (rungs)")
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xticks([2, 5, 10, 20])
    axes[2].set_xlabel("$q$")
    axes[2].set_xlim(0, 1.6)
    axes[0].legend(frameon=False, fontsize=7)
    for conv, style in ((True, dict(mfc="k", label="converged")),
                        (False, dict(mfc="none", label="$S^z=1$ not converged"))):
        pts = [(r["J_perp"], r["spin_gap"], r.get("spin_gap_error") or 0.0) for r in recs
               if r.get("spin_gap") is not None and (r.get("converged_S1", True) is True) == conv]
        if pts:
            J, gap, err = zip(*pts)
            axes[3].errorbar(J, gap, yerr=err, fmt="o", color="k", capsize=2, **style)
    axes[3].legend(frameon=False, fontsize=7)
    axes[3].set_xlabel(r"$J_\perp/V$")
    axes[3].set_title(r"spin gap $E(S{=}1)-E(S{=}0)$ / V", fontsize=9)
    fig.tight_layout()
    return fig

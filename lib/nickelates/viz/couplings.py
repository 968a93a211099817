"""Figures and the interactive explorer for chapter 2 (couplings).

Nothing here computes physics: the chain and its band data come from
:func:`nickelates.couplings.chain_summary`, the SW-versus-ED comparisons from
:mod:`nickelates.clusters` (``sw_error_scaling``, ``channel_relative_deviation``,
``dimer_channel_shifts``, ``channel_cluster_args``, ``CHANNEL_FIELDS``; those
names are still importable from here, their old place).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import bands
from .. import couplings
from .. import _validate as check
from ..clusters import CHANNEL_FIELDS as CHANNEL_FIELDS  # moved to nickelates.clusters
from ..clusters import channel_cluster_args as channel_cluster_args  # moved to nickelates.clusters
from ..clusters import channel_relative_deviation as channel_relative_deviation  # moved to nickelates.clusters
from ..clusters import dimer_channel_shifts as dimer_channel_shifts  # moved to nickelates.clusters
from ..clusters import sw_error_scaling as sw_error_scaling  # moved to nickelates.clusters
from ..couplings import N_C as N_C  # moved to nickelates.couplings
from ..couplings import chain_summary as chain_summary  # moved to nickelates.couplings
from . import _check
from .explorer import Explorer

__all__ = ["COLORS", "figure_chain", "figure_error_scaling", "CouplingsExplorer", "explorer", "static_frames"]

#: line colours of the two bands
COLORS = {"alpha": "tab:blue", "beta": "tab:red"}
_FIELD_LABELS = {"shift_alpha": r"$\delta\xi_\alpha$", "shift_beta": r"$\delta\xi_\beta$",
                 "J_K_a": "$J_K^a$", "J_K_b": "$J_K^b$"}


def figure_chain(c: couplings.Couplings, summary: dict | None = None):
    """Draw the couplings as bars (eV) and the resulting alpha/beta bands.

    Parameters
    ----------
    c : nickelates.couplings.Couplings
        The coupling chain (energies in eV).
    summary : dict, optional
        ``couplings.chain_summary(c)`` (computed when not given).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: bars of J_c, eps_alpha, eps_beta, J_K^a, J_K^b, J_H, V (eV), and the
        bands along Gamma-X-M-Gamma at the filling of ``summary``.

    Raises
    ------
    TypeError
        If ``c`` is not a ``Couplings`` or ``summary`` not a dict.

    Examples
    --------
    >>> c = couplings.from_band_shifts(0.4)
    >>> fig = figure_chain(c, couplings.chain_summary(c))
    >>> len(fig.axes)
    2
    """
    check.instance("c", c, couplings.Couplings)
    s = couplings.chain_summary(c) if summary is None else \
        _check.mapping("summary", summary, ("band_params", "fillings"), "a dict from couplings.chain_summary")
    p = s["band_params"]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.5, 3.6), gridspec_kw={"width_ratios": [1, 1.4]})
    names = [r"$J_c$", r"$\epsilon_\alpha$", r"$\epsilon_\beta$", r"$J_K^a$", r"$J_K^b$", r"$J_H$", r"$V$"]
    vals = [c.J_c, c.eps_alpha, c.eps_beta, c.J_K_a, c.J_K_b, c.J_H, c.V]
    cols = ["0.5", COLORS["alpha"], COLORS["beta"], COLORS["alpha"], COLORS["beta"], "0.3", "tab:green"]
    a1.bar(range(len(vals)), vals, color=cols)
    a1.set_xticks(range(len(vals)), names)
    a1.set_ylabel("energy (eV)")
    a1.set_ylim(0, max(1.2, 1.1 * max(vals)))
    a1.set_title(rf"$\kappa$ = {c.kappa:.2f},  $\lambda$ = {s['lam']:.2f}", fontsize=10)
    kx, ky, path, ticks = bands.high_symmetry_path(150)
    xa, xb = bands.dispersion(kx, ky, p)
    a2.plot(path, xa, color=COLORS["alpha"], label=r"$\alpha$")
    a2.plot(path, xb, color=COLORS["beta"], label=r"$\beta$")
    a2.axhline(0, color="k", lw=0.6)
    a2.set_xticks(ticks, [r"$\Gamma$", "X", "M", r"$\Gamma$"])
    for t in ticks:
        a2.axvline(t, color="0.85", lw=0.6)
    a2.set_xlim(ticks[0], ticks[-1])
    a2.set_ylim(-2.0, 3.5)
    a2.set_ylabel(r"$\xi_{\mathbf{k}}$ (eV)")
    n_c = sum(s["fillings"])
    a2.set_title(rf"$n_c$ = {n_c:.2f}: splitting at X = {s['splitting_X']:.2f} eV", fontsize=10)
    a2.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def figure_error_scaling(data: dict):
    """Draw the SW errors of :func:`nickelates.clusters.sw_error_scaling` on log-log axes.

    Parameters
    ----------
    data : dict
        The result of ``clusters.sw_error_scaling`` (energies in eV).

    Returns
    -------
    matplotlib.figure.Figure
        Left: dimer gap error vs t_c/U with the leading 16 t^4/U^3; right: channel-cluster
        couplings ED - SW vs t_xz = g/2 at eta = 1, with the fitted slopes.

    Raises
    ------
    TypeError
        If ``data`` is not a dict.

    Examples
    --------
    >>> from nickelates import clusters
    >>> fig = figure_error_scaling(clusters.sw_error_scaling(0.6, g_values=[0.01, 0.02], t_values=[0.03, 0.06]))
    >>> len(fig.axes)
    2
    """
    check.instance("data", data, dict)
    _check.mapping("data", data, ("t", "U", "dimer_errors", "g", "errors"), "a dict from clusters.sw_error_scaling")
    ts, U = data["t"], data["U"]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4))
    a1.loglog(ts / U, np.abs(data["dimer_errors"]), "o-", label="ED gap $-$ $4t_c^2/U$")
    a1.loglog(ts / U, 16 * ts**4 / U**3, "k--", lw=0.8, label=r"$16t_c^4/U^3$")
    a1.set_xlabel("$t_c/U$")
    a1.set_ylabel("|error| (eV)")
    a1.legend(fontsize=8)
    a1.set_title(f"dimer: slope {data['dimer_slope']:.2f} in $t_c$", fontsize=10)
    for f in data["errors"]:
        a2.loglog(data["g"] / 2, np.abs(data["errors"][f]), "o-", ms=4,
                  label=f"{_FIELD_LABELS.get(f, f)}: {data['slopes'][f]:.2f}")
    a2.set_xlabel(r"$t_{xz}$ (eV), $\eta_{\bf k}=1$")
    a2.set_ylabel("|ED $-$ SW| (eV)")
    a2.legend(fontsize=8, title="slope")
    a2.set_title("channel cluster", fontsize=10)
    for ax in (a1, a2):
        ax.xaxis.set_minor_formatter(plt.NullFormatter())
    fig.tight_layout()
    return fig


class CouplingsExplorer(Explorer):
    """ipywidgets explorer of the coupling chain: sliders t_c, U, t_xz, E_a, J_H (eV); E_b = E_a + 2 t_c.

    ``sliders`` maps names to FloatSlider widgets; each redraw stores
    :func:`nickelates.couplings.chain_summary` of the chain in ``data``, so a test
    can set slider values and read what was drawn.

    Parameters
    ----------
    t_c : float, optional
        Initial interlayer hopping (eV).
    U : float, optional
        Initial on-site repulsion (eV).
    t_xz : float, optional
        Initial interorbital hopping (eV).
    E_a : float, optional
        Initial excitation energy of the a channel (eV).
    J_H : float, optional
        Initial Hund coupling (eV).

    Examples
    --------
    >>> ex = CouplingsExplorer()
    >>> ex.sliders["J_H"].value = 0.6
    >>> round(ex.data["couplings"]["V"], 4)
    1.875
    """

    errors = (ValueError, RuntimeError)

    def __init__(self, t_c=couplings.T_C, U=couplings.U_PAPER, t_xz=couplings.T_XZ_PAPER, E_a=0.6, J_H=0.4):
        import ipywidgets as W

        t_c = _check.start("t_c", t_c, 0.3, 0.9)
        U = _check.start("U", U, 3.0, 8.0)
        t_xz = _check.start("t_xz", t_xz, 0.05, 0.4)
        E_a = _check.start("E_a", E_a, 0.3, 2.0)
        J_H = _check.start("J_H", J_H, 0.1, 0.8)
        fs = dict(continuous_update=False, readout_format=".3f", style={"description_width": "3em"})
        self.sliders = {
            "t_c": W.FloatSlider(value=t_c, min=0.3, max=0.9, step=0.01, description="t_c", **fs),
            "U": W.FloatSlider(value=U, min=3.0, max=8.0, step=0.1, description="U", **fs),
            "t_xz": W.FloatSlider(value=t_xz, min=0.05, max=0.4, step=0.005, description="t_xz", **fs),
            "E_a": W.FloatSlider(value=E_a, min=0.3, max=2.0, step=0.01, description="E_a", **fs),
            "J_H": W.FloatSlider(value=J_H, min=0.1, max=0.8, step=0.01, description="J_H", **fs),
        }
        self._build(self.sliders.values(),
                    lambda status, out: W.HBox([W.VBox(list(self.sliders.values()) + [status]), out]),
                    status=True)

    def couplings(self) -> couplings.Couplings:
        """Return the chain at the current slider values.

        Returns
        -------
        nickelates.couplings.Couplings
            ``couplings.from_microscopic`` of the sliders (eV).
        """
        v = self.values()
        return couplings.from_microscopic(t_c=v["t_c"], U=v["U"], t_xz=v["t_xz"], E_a=v["E_a"], J_H=v["J_H"])

    def compute(self) -> dict:
        """Return the chain summary of the current slider values.

        Returns
        -------
        dict
            ``couplings.chain_summary`` of :meth:`couplings`.
        """
        self._chain = self.couplings()
        return couplings.chain_summary(self._chain)

    def status_html(self, data) -> str:
        """Return the couplings of the last redraw as an HTML line.

        Parameters
        ----------
        data : dict
            What :meth:`compute` returned.

        Returns
        -------
        str
            HTML with J_c, eps, J_K (eV), kappa, V (eV) and lambda.
        """
        c = self._chain
        return (
            f"J<sub>c</sub> = {c.J_c:.3f}, ε<sub>α</sub> = {c.eps_alpha:.3f}, ε<sub>β</sub> = {c.eps_beta:.3f}, "
            f"J<sub>K</sub><sup>a</sup> = {c.J_K_a:.3f}, J<sub>K</sub><sup>b</sup> = {c.J_K_b:.3f} eV<br>"
            f"κ<sub>a</sub> = {c.kappa_a:.2f}, κ<sub>b</sub> = {c.kappa_b:.2f}, V = {c.V:.3f} eV, "
            f"λ = {data['lam']:.3f}")

    def figure(self, data):
        """Return :func:`figure_chain` of the last chain.

        Parameters
        ----------
        data : dict
            What :meth:`compute` returned.

        Returns
        -------
        matplotlib.figure.Figure
            The two-panel chain figure.
        """
        return figure_chain(self._chain, data)


def explorer(**kw) -> CouplingsExplorer:
    """Return a live explorer of the coupling chain (see :class:`CouplingsExplorer`).

    Parameters
    ----------
    **kw
        Initial slider values t_c, U, t_xz, E_a, J_H (eV).

    Returns
    -------
    CouplingsExplorer
        The explorer (displays as its widget).

    Examples
    --------
    >>> explorer(E_a=1.0).data["couplings"]["E_a"]
    1.0
    """
    return CouplingsExplorer(**kw)


def static_frames(E_a_values=None, **kw):
    """Return precomputed frames of :func:`figure_chain` over E_a.

    Parameters
    ----------
    E_a_values : sequence of float, optional
        Channel energies E_a in eV (default 10 values from 0.4 to 1.3).
    **kw
        Other arguments of ``couplings.from_microscopic`` (eV); default the paper's scales.

    Returns
    -------
    nickelates.viz.frames.FrameSlider
        HTML slider over the frames.

    Examples
    --------
    >>> len(static_frames([0.6]).images)
    1
    """
    from .frames import slider_frames

    vals = np.round(np.linspace(0.4, 1.3, 10), 3) if E_a_values is None else E_a_values
    base = dict(t_c=couplings.T_C, U=couplings.U_PAPER, t_xz=couplings.T_XZ_PAPER, J_H=0.4)
    base.update(kw)
    return slider_frames(lambda e: figure_chain(couplings.from_microscopic(E_a=float(e), **base)), vals,
                         label="channel energy Eₐ = {:.2f} eV (channel b 2tc higher)",
                         title="Couplings and band splitting vs the channel energy Eₐ")

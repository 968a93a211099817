"""Figures and the interactive explorer of the MixD+V mean-field chapter (chapter 6).

Energies in units of V (the solver's inputs), momenta in units of pi.  Every
figure function takes a result of :mod:`nickelates.mixd` (or, for the
one-state views, calls the solver) and returns a matplotlib Figure; the
numbers live in the science module:

===========================  ==========================================
figure                       result it draws
===========================  ==========================================
:func:`figure_fig3`          :func:`nickelates.mixd.ladder_imbalance_map`
:func:`figure_fig45`         :func:`nickelates.mixd.ladder_energy_sweep`
:func:`figure_fig6`          :func:`nickelates.mixd.order_parameter_sweep`
:func:`figure_fig27`         :func:`nickelates.mixd.solve_eps_series`
:func:`figure_sw_scaling`    :func:`nickelates.mixd.sw_error_scaling`
:func:`figure_finite_size`   :func:`nickelates.mixd.finite_size_crossover`
:func:`figure_phase_map_2d`  ``data/mixd_phase_map_2d.npz`` (:func:`nickelates.mixd.phase_map`)
===========================  ==========================================
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import _validate as check
from .. import mixd
from ..mixd import crossing_point as crossing  # moved to nickelates.mixd (old name kept)
from ..mixd import finite_size_crossover  # moved to nickelates.mixd
from . import _check
from .explorer import Explorer

__all__ = ["plot_delta_k", "render_state", "explorer", "MixdExplorer", "figure_fig3", "figure_fig45",
           "figure_fig6", "figure_fig27", "figure_phase_map_2d", "crossing", "figure_sw_scaling",
           "finite_size_crossover", "figure_finite_size"]


def plot_delta_k(sol, ax=None, *, vmax=None, cmap="RdBu_r", colorbar=True, occupation=False):
    """Draw Delta_k of a mean-field solution on the Brillouin zone.

    2D: colour map centred at zero with the nodal line Delta_k = 0 drawn;
    1D: Delta_k and E_k against k.

    Parameters
    ----------
    sol : nickelates.mixd.MeanFieldSolution
        The solution (energies in units of V).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (a new figure if None).
    vmax : float, optional
        Colour-scale limit (units of V); default max |Delta_k|.
    cmap : str, optional
        matplotlib colour map of the 2D view.
    colorbar : bool, optional
        Add a colour bar (2D).
    occupation : bool, optional
        2D: overlay contours of the sc pair occupation
        v_k^2 = (1 - xi_k/E_k)/2 (grey lines at 10, 30, 50, 70, 90 % of its maximum),
        to show where in the zone the pairs sit relative to the sign change of Delta_k.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into.

    Raises
    ------
    TypeError
        If ``sol`` is not a :class:`~nickelates.mixd.MeanFieldSolution`.

    Examples
    --------
    >>> ax = plot_delta_k(mixd.solve_mean_field(shape=(8, 8), n_holes=3, J_perp=1.0), occupation=True)
    >>> len(ax.images), len(ax.collections) >= 2
    (1, True)
    """
    occupation = check.boolean("occupation", occupation)
    check.instance("sol", sol, mixd.MeanFieldSolution)
    _check.axes("ax", ax)
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
    if occupation:
        v2 = 0.5 * (1.0 - sol.xi_k / sol.E_k)
        cs = ax.contour(X, Y, v2, levels=float(v2.max()) * np.array([0.1, 0.3, 0.5, 0.7, 0.9]),
                        colors="0.35", linewidths=0.7, linestyles="--")
        ax.clabel(cs, fmt=lambda x: f"{x:.2g}", fontsize=6)
    ax.set_xlabel(r"$k_x/\pi$")
    ax.set_ylabel(r"$k_y/\pi$")
    ax.set_aspect("equal")
    if colorbar:
        plt.colorbar(im, ax=ax, label=r"$\Delta_k$ / V", shrink=0.85)
    return ax


def render_state(J_perp=1.0, doping=12 / 256, eps_diag=0.0, *, shape=(16, 16), t_par=0.1,
                 V=1.0, sol=None):
    """Draw Delta_k and the order parameters for one parameter set.

    Parameters
    ----------
    J_perp : float, optional
        Rung exchange (units of V).
    doping : float, optional
        Holes per rung in (0, 1] (see :func:`nickelates.mixd.solve_at_doping`).
    eps_diag : float, optional
        Diagonal recombination strength (dimensionless).
    shape : tuple of int, optional
        Lattice ``(Lx, Ly)`` or ``(L,)``.
    t_par : float, optional
        Leg hopping (units of V).
    V : float, optional
        Rung repulsion (the unit of energy).
    sol : nickelates.mixd.MeanFieldSolution, optional
        An already solved state (then the other arguments only label the plot).

    Returns
    -------
    matplotlib.figure.Figure
        Delta_k map (left) and a bar chart of O_BEC, O_BCS, the imbalance and E_B (right).

    Raises
    ------
    TypeError, ValueError
        As :func:`nickelates.mixd.solve_at_doping`.

    Examples
    --------
    >>> fig = render_state(1.0, 3 / 64, shape=(8, 8))
    >>> len(fig.axes) >= 2
    True
    """
    if sol is None:
        sol = mixd.solve_at_doping(shape, J_perp, doping, eps_diag, t_par=t_par, V=V)
    check.instance("sol", sol, mixd.MeanFieldSolution)
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


def figure_fig3(imbalance_map=None):
    """Draw the paper's Fig. 3 (mean field): the imbalance map of the ladder and its cut.

    Left: (N_sc - 2 N_cc)/N_h over J_perp/V and delta = N_h/L (zero line
    black); right: the cut at N_h = ``cut_holes``.

    Parameters
    ----------
    imbalance_map : nickelates.mixd.LadderImbalanceMap, optional
        From :func:`nickelates.mixd.ladder_imbalance_map`; default that
        function's defaults (L = 30, 41 x 15 points).

    Returns
    -------
    matplotlib.figure.Figure
        The two panels.

    Raises
    ------
    TypeError
        If ``imbalance_map`` is not a :class:`~nickelates.mixd.LadderImbalanceMap`.

    Examples
    --------
    >>> fig = figure_fig3(mixd.ladder_imbalance_map([0.8, 1.2, 1.6], [4, 8], L=30))
    >>> len(fig.axes)
    3
    """
    m = mixd.ladder_imbalance_map() if imbalance_map is None else imbalance_map
    check.instance("imbalance_map", m, mixd.LadderImbalanceMap)
    J, dop = m.J_values, m.dopings
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.2, 3.5), gridspec_kw={"width_ratios": [1.4, 1]})
    im = a1.pcolormesh(J, dop, m.imbalance.T, cmap="coolwarm", vmin=-1, vmax=1, shading="nearest")
    if m.imbalance.shape[0] > 1 and m.imbalance.shape[1] > 1 and np.ptp(np.sign(m.imbalance)) > 0:
        a1.contour(J, dop, m.imbalance.T, levels=[0], colors="k")
    a1.axhline(m.cut_holes / m.L, color="0.3", ls="--", lw=0.8)
    plt.colorbar(im, ax=a1, label=r"$(N_{sc}-2N_{cc})/N_h$")
    a1.set_xlabel(r"$J_\perp/V$")
    a1.set_ylabel(r"$\delta$")
    a2.plot(J, m.cut, "k")
    a2.axhline(0, color="0.5", lw=0.5)
    a2.set_xlabel(r"$J_\perp/V$")
    a2.set_title(rf"$\delta = {m.cut_holes}/{m.L}$", fontsize=10)
    fig.tight_layout()
    return fig


def figure_fig45(sweep=None):
    """Draw the paper's Fig. 4 (E and E - E_bg at low doping) and Fig. 5 (E_B and 2|Delta_k*|).

    Parameters
    ----------
    sweep : nickelates.mixd.LadderEnergySweep, optional
        From :func:`nickelates.mixd.ladder_energy_sweep`; default that
        function's defaults (L = 30, 25 values of J_perp).

    Returns
    -------
    matplotlib.figure.Figure
        Three panels: E, E - E_bg, and E_B with 2|Delta_k*| (units of V).

    Raises
    ------
    TypeError
        If ``sweep`` is not a :class:`~nickelates.mixd.LadderEnergySweep`.

    Examples
    --------
    >>> fig = figure_fig45(mixd.ladder_energy_sweep([1.0, 1.5], low_holes=(2,)))
    >>> len(fig.axes)
    3
    """
    e = mixd.ladder_energy_sweep() if sweep is None else sweep
    check.instance("sweep", e, mixd.LadderEnergySweep)
    J = e.J_values
    fig, axs = plt.subplots(1, 3, figsize=(11, 3.2))
    for nh in e.energy:
        axs[0].plot(J, e.energy[nh], label=f"$N_h$ = {nh}")
        axs[1].plot(J, e.energy_minus_bg[nh])
    axs[0].set_ylabel("E / V")
    axs[1].set_ylabel(r"$(E-E_{bg})$ / V")
    axs[0].legend(frameon=False)
    axs[2].plot(J, e.binding_energy, "k", label=r"$E_B$")
    axs[2].plot(J, 2 * e.abs_delta_at_kstar, "k--", label=r"$2|\Delta_{k^*}|$")
    axs[2].legend(frameon=False)
    axs[2].set_ylabel("energy / V")
    axs[2].set_title(rf"$\delta = {e.eb_holes}/{e.L}$", fontsize=10)
    for a in axs:
        a.set_xlabel(r"$J_\perp/V$")
    fig.tight_layout()
    return fig


def figure_fig6(sweep=None, *, J_imbalance=None, J_leggett=None):
    """Draw the paper's Fig. 6: O_BEC and O_BCS of the ladder vs J_perp/V with the crossover marks.

    Vertical lines: steepest descent of O_BCS (solid), imbalance = 0
    (dotted) and O_BEC = O_BCS (dashed); a mark is left out if absent.

    Parameters
    ----------
    sweep : nickelates.mixd.OrderParameterSweep, optional
        From :func:`nickelates.mixd.order_parameter_sweep`; default that
        function's defaults (L = 30, N_h = 8, 81 values of J_perp).
    J_imbalance : float, optional
        Position of the dotted line (units of V); default ``sweep.J_imbalance``.
    J_leggett : float, optional
        Leggett point (:func:`nickelates.mixd.leggett_point`, units of V),
        drawn as a dash-dotted red line and shaded below; default none.

    Returns
    -------
    matplotlib.figure.Figure
        One panel.

    Raises
    ------
    TypeError
        If ``sweep`` is not a :class:`~nickelates.mixd.OrderParameterSweep`.
    ValueError
        If ``J_imbalance`` or ``J_leggett`` is not finite.

    Examples
    --------
    >>> fig = figure_fig6(mixd.order_parameter_sweep([1.0, 1.2, 1.4]), J_leggett=1.05)
    >>> len(fig.axes[0].lines) >= 2
    True
    """
    o = mixd.order_parameter_sweep() if sweep is None else sweep
    check.instance("sweep", o, mixd.OrderParameterSweep)
    marks = (o.J_steep, o.J_imbalance if J_imbalance is None else check.finite("J_imbalance", J_imbalance),
             o.J_cross)
    fig, ax = plt.subplots(figsize=(5, 3.3))
    ax.plot(o.J_values, o.order_bec, label=r"$\mathcal{O}_{BEC}$")
    ax.plot(o.J_values, o.order_bcs, label=r"$\mathcal{O}_{BCS}$")
    for x, ls in zip(marks, ("-", ":", "--")):
        if x is not None:
            ax.axvline(x, color="0.4", ls=ls, lw=0.8)
    if J_leggett is not None:
        xl = check.finite("J_leggett", J_leggett)
        ax.axvline(xl, color="tab:red", ls="-.", lw=0.9)
        ax.axvspan(min(o.J_values[0], xl), xl, color="tab:red", alpha=0.07, lw=0)
        ax.text(xl, 0.97, " Leggett", color="tab:red", fontsize=7, va="top",
                transform=ax.get_xaxis_transform())
    ax.set_xlabel(r"$J_\perp/V$")
    ax.set_title(rf"$L = {o.L}$, $N_h = {o.n_holes}$", fontsize=10)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def figure_fig27(solutions=None, *, occupation=False):
    """Draw the paper's Fig. 2 (eps = 0) and Fig. 7 (eps = 1.5): Delta_k on the bilayer with its nodal lines.

    Parameters
    ----------
    solutions : sequence of nickelates.mixd.MeanFieldSolution, optional
        One panel per solution (e.g. :func:`nickelates.mixd.solve_eps_series`);
        default ``solve_eps_series()`` (16 x 16, N_h = 12, J_perp = V, eps = 0 and 1.5).
    occupation : bool, optional
        Overlay contours of v_k^2 (see :func:`plot_delta_k`).

    Returns
    -------
    matplotlib.figure.Figure
        One Delta_k map per solution.

    Raises
    ------
    TypeError
        If an entry is not a :class:`~nickelates.mixd.MeanFieldSolution`.
    ValueError
        If ``solutions`` is empty.

    Examples
    --------
    >>> fig = figure_fig27(mixd.solve_eps_series((8, 8), n_holes=3))
    >>> len(fig.axes)                  # two maps and their colour bars
    4
    """
    sols = mixd.solve_eps_series() if solutions is None else tuple(solutions)
    if not sols:
        raise ValueError("solutions must hold at least one MeanFieldSolution")
    for i, s in enumerate(sols):
        check.instance(f"solutions[{i}]", s, mixd.MeanFieldSolution)
    fig, axs = plt.subplots(1, len(sols), figsize=(4.5 * len(sols), 3.6))
    for ax, sol in zip(np.atleast_1d(axs), sols):
        plot_delta_k(sol, ax, occupation=occupation)
        ax.set_title(rf"$\epsilon = {sol.eps_diag:g}$", fontsize=10)
    fig.tight_layout()
    return fig


def figure_phase_map_2d(dmap):
    """Draw the imbalance and the binding energy of the 2D bilayer over (J_perp/V, delta).

    Black: imbalance = 0; white dashed: O_BEC = O_BCS.

    Parameters
    ----------
    dmap : mapping
        ``data/mixd_phase_map_2d.npz`` (``numpy.load``) or a
        :func:`nickelates.mixd.phase_map` dict: ``J_values``, ``dopings``,
        ``imbalance``, ``binding_energy`` (units of V), ``order_bec``, ``order_bcs``.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels.

    Raises
    ------
    TypeError
        If ``dmap`` is not a mapping.
    ValueError
        If a key is missing or an array has the wrong shape.

    Examples
    --------
    >>> pm = mixd.phase_map((8, 8), [0.8, 1.4, 2.0], [0.05, 0.2, 0.3])
    >>> len(figure_phase_map_2d(pm).axes)
    4
    """
    keys = ("J_values", "dopings", "imbalance", "binding_energy", "order_bec", "order_bcs")
    if hasattr(dmap, "files") and hasattr(dmap, "__getitem__"):     # numpy.load of an .npz
        dmap = {k: dmap[k] for k in dmap.files}
    _check.mapping("dmap", dmap, keys, "a mapping (mixd.phase_map dict or numpy.load of an .npz)")
    Jm = check.real_array("dmap['J_values']", dmap["J_values"], ndim=1)
    dm = check.real_array("dmap['dopings']", dmap["dopings"], ndim=1)
    for k in keys[2:]:
        arr = _check.curve(f"dmap[{k!r}]", dmap[k], ndim=2)
        if arr.shape != (Jm.size, dm.size):
            raise ValueError(f"dmap[{k!r}] must have the shape (len(J_values), len(dopings)) = "
                             f"({Jm.size}, {dm.size}), got {arr.shape}")
    imb = np.asarray(dmap["imbalance"])
    orders = np.asarray(dmap["order_bec"]) - np.asarray(dmap["order_bcs"])
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.5, 3.5))
    im = a1.pcolormesh(Jm, dm, imb.T, cmap="coolwarm", vmin=-1, vmax=1, shading="nearest")
    plt.colorbar(im, ax=a1, label=r"$(N_{sc}-2N_{cc})/N_h$")
    im2 = a2.pcolormesh(Jm, dm, np.asarray(dmap["binding_energy"]).T, cmap="viridis", shading="nearest")
    plt.colorbar(im2, ax=a2, label=r"$E_B$ / V")
    for a in (a1, a2):
        for field_, style in ((imb, dict(colors="k")), (orders, dict(colors="w", linestyles="--"))):
            if np.min(field_) < 0 < np.max(field_):
                a.contour(Jm, dm, field_.T, levels=[0], **style)
        a.set_xlabel(r"$J_\perp/V$")
        a.set_ylabel(r"$\delta$")
    fig.tight_layout()
    return fig


def figure_sw_scaling(scaling=None):
    """Draw the deviation of the exact two-rung spectrum from second-order Schrieffer-Wolff, log-log.

    One curve per hole number (1, 2) with its fitted slope, and t^3, t^4 guides.

    Parameters
    ----------
    scaling : nickelates.mixd.SWScaling, optional
        From :func:`nickelates.mixd.sw_error_scaling`; default that function's
        defaults (J_perp = 1.2, V = 1, 8 hoppings).

    Returns
    -------
    matplotlib.figure.Figure
        One log-log panel (errors in units of V against t_par / V).

    Raises
    ------
    TypeError
        If ``scaling`` is not a :class:`~nickelates.mixd.SWScaling`.

    Examples
    --------
    >>> fig = figure_sw_scaling(mixd.sw_error_scaling([0.01, 0.02], n_fit=2))
    >>> fig.axes[0].get_xscale()
    'log'
    """
    s = mixd.sw_error_scaling() if scaling is None else scaling
    check.instance("scaling", s, mixd.SWScaling)
    t = s.t_values
    fig, ax = plt.subplots(figsize=(4.6, 3.2))
    for nh, m in ((1, "o"), (2, "s")):
        ax.loglog(t, s.errors[nh], m + "-", label=f"{nh} hole(s): slope {s.slopes[nh]:.2f}")
    ax.loglog(t, 3e-1 * t**3, "k--", lw=0.7)
    ax.loglog(t, 3e0 * t**4, "k:", lw=0.7)
    ax.set_xlabel(r"$t_\parallel/V$")
    ax.set_ylabel("max |E_ED − E_SW| / V")
    ax.legend(frameon=False)
    return fig


def figure_finite_size(results):
    """Draw the finite-size drift of the crossover couplings and of O_BCS.

    Left: crossover couplings (imbalance zero, circles; O_BEC = O_BCS,
    squares) vs 1/L; right: |O_BCS(L) - O_BCS(L_max)| with an L^-2 guide.

    Parameters
    ----------
    results : dict
        {label: array} of :func:`nickelates.mixd.finite_size_crossover` results
        (at most four; rows (L, J_c, J_x, O_BCS), J in units of V).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels.

    Raises
    ------
    TypeError
        If ``results`` is not a dict.
    ValueError
        If a result is not an array of rows with 4 columns, or there are more than four.

    Examples
    --------
    >>> r = np.array([[30, 1.10, 1.35, 0.20], [60, 1.10, 1.36, 0.21]])
    >>> len(figure_finite_size({"1D": r}).axes)
    2
    """
    check.instance("results", results, dict)
    if not 1 <= len(results) <= 4:
        raise ValueError(f"results must hold 1 to 4 curves, got {len(results)}")
    rows = {key: check.real_array(f"results[{key!r}]", r, ndim=2) for key, r in results.items()}
    for key, r in rows.items():
        if r.shape[1] != 4:
            raise ValueError(f"results[{key!r}] must have 4 columns (L, J_c, J_x, O_BCS), got {r.shape}")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.3))
    for (key, r), col in zip(rows.items(), ("C0", "C3", "C2", "C1")):
        a1.plot(1 / r[:, 0], r[:, 1], "o-", color=col, label=f"{key}: imbalance = 0")
        a1.plot(1 / r[:, 0], r[:, 2], "s--", color=col, label=f"{key}: " + r"$\mathcal{O}_{BEC} = \mathcal{O}_{BCS}$")
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


#: (name, initial value, min, max, step, label) of the mean-field explorer's sliders
_SLIDERS = (("J_perp", 1.0, 0.5, 2.0, 0.05, "J⊥/V"), ("doping", 12 / 256, 0.02, 0.45, 0.01, "δ"),
            ("eps_diag", 0.0, 0.0, 2.0, 0.1, "ε"))


class MixdExplorer(Explorer):
    """Live explorer: sliders J_perp/V, doping and eps -> Delta_k map + order parameters.

    Parameters
    ----------
    shape : tuple of int, optional
        Lattice ``(Lx, Ly)`` solved live.
    t_par : float, optional
        Leg hopping (units of V).
    V : float, optional
        Rung repulsion (the unit of energy).

    Attributes
    ----------
    sliders : dict
        ipywidgets sliders ``J_perp``, ``doping``, ``eps_diag``.
    data : dict
        The last solution's numbers (``order_bec``, ``order_bcs``, ``imbalance``,
        ``binding_energy`` in units of V, ``delta_k``) and the ``solution``.
    widget : ipywidgets.VBox
        The widget to display.

    Examples
    --------
    >>> w = MixdExplorer(shape=(8, 8))
    >>> w.sliders["J_perp"].value = 1.8
    >>> w.data["J_perp"]
    1.8
    """

    def __init__(self, shape=(16, 16), t_par=0.1, V=1.0):
        import ipywidgets as W
        self.shape, self.t_par, self.V = tuple(shape), t_par, V
        self.sliders = {name: W.FloatSlider(value=v, min=lo, max=hi, step=st, description=label,
                                            continuous_update=False)
                        for name, v, lo, hi, st, label in _SLIDERS}
        ctl = list(self.sliders.values())
        self._build(ctl, lambda status, out: W.VBox([W.HBox(ctl), out]))

    def compute(self):
        """Solve the state of the current slider values.

        Returns
        -------
        dict
            The numbers stored in :attr:`data`.
        """
        J = self.sliders["J_perp"].value
        eps = self.sliders["eps_diag"].value
        sol = mixd.solve_at_doping(self.shape, J, self.sliders["doping"].value, eps,
                                   t_par=self.t_par, V=self.V)
        return {"J_perp": J, "doping": sol.doping, "eps_diag": eps,
                "order_bec": sol.order_bec, "order_bcs": sol.order_bcs,
                "imbalance": sol.imbalance, "binding_energy": sol.binding_energy,
                "delta_k": sol.delta_k, "solution": sol}

    def figure(self, data):
        """Draw the state of :meth:`compute`.

        Parameters
        ----------
        data : dict
            As returned by :meth:`compute`.

        Returns
        -------
        matplotlib.figure.Figure
            :func:`render_state` of the solution.
        """
        return render_state(data["J_perp"], self.sliders["doping"].value, data["eps_diag"],
                            shape=self.shape, t_par=self.t_par, V=self.V, sol=data["solution"])


def explorer(shape=(16, 16), t_par=0.1, V=1.0):
    """Return a :class:`MixdExplorer` (display it in Jupyter).

    Parameters
    ----------
    shape : tuple of int, optional
        Lattice ``(Lx, Ly)`` solved live.
    t_par : float, optional
        Leg hopping (units of V).
    V : float, optional
        Rung repulsion (the unit of energy).

    Returns
    -------
    MixdExplorer
        The explorer (``.widget`` to display).

    Examples
    --------
    >>> explorer(shape=(8, 8)).data["imbalance"] > 0
    True
    """
    return MixdExplorer(shape=shape, t_par=t_par, V=V)

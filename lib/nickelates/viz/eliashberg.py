"""Figures and the interactive explorer of chapter 8 (Eliashberg theory of triplon exchange).

Nothing here computes physics: the states come from :func:`nickelates.eliashberg.triplon_state`
and the spectra from :func:`nickelates.eliashberg.tunneling_conductance`.
Energies are drawn in meV, temperatures in K.
"""
from __future__ import annotations

import dataclasses

import matplotlib.pyplot as plt
import numpy as np

from .. import _validate as check
from .. import eliashberg as E
from . import _check
from .explorer import Explorer

__all__ = ["COLORS", "K_B", "figure_tc_comparison", "figure_gap_functions", "figure_stm", "figure_gap_vs_T",
           "figure_state", "figure_anisotropy", "EliashbergExplorer", "explorer"]

#: line colours of the two bands
COLORS = ("tab:blue", "tab:red")
#: Boltzmann constant (eV/K)
K_B = 8.617333262e-5
_BANDS = ("α", "β")


def figure_tc_comparison(lams, tc_bcs, tc_eliashberg):
    """T_c versus lambda: static BCS next to Eliashberg curves.

    Parameters
    ----------
    lams : array_like of float
        Couplings lambda.
    tc_bcs : array_like of float
        BCS T_c (K) at each lambda.
    tc_eliashberg : dict
        label -> array of Eliashberg T_c (K) at each lambda.

    Returns
    -------
    matplotlib.figure.Figure
        One panel, logarithmic T_c axis.

    Examples
    --------
    >>> fig = figure_tc_comparison([0.3, 0.4], [100, 300], {"ω_t = J_c": [20, 70]})
    >>> len(fig.axes[0].lines)
    2
    """
    lams = check.real_array("lams", lams, ndim=1)
    tc_bcs = check.real_array("tc_bcs", tc_bcs, ndim=1)
    check.same_length(lams=lams, tc_bcs=tc_bcs)
    _check.mapping("tc_eliashberg", tc_eliashberg, what="a dict {label: T_c array (K)}")
    tc_eliashberg = {label: check.real_array(f"tc_eliashberg[{label!r}]", tc, ndim=1)
                     for label, tc in tc_eliashberg.items()}
    for label, tc in tc_eliashberg.items():
        check.same_length(lams=lams, **{f"tc_eliashberg[{label!r}]": tc})
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    ax.semilogy(lams, tc_bcs, "k--", label="static BCS (chapter 3)")
    for label, tc in tc_eliashberg.items():
        ax.semilogy(lams, tc, "o-", ms=3, label=f"Eliashberg, {label}")
    ax.set_xlabel("λ")
    ax.set_ylabel("$T_c$ (K)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def figure_gap_functions(state, direct=None):
    """Delta_i(i w_n), Z_i(i w_n) on the Matsubara axis and Delta_i(w) on the real axis.

    Parameters
    ----------
    state : nickelates.eliashberg.TriplonState
        A solved state (its Pade continuation ``state.real``).
    direct : nickelates.eliashberg.RealAxisGap, optional
        The direct real-axis solution; drawn solid, Pade then thin grey.

    Returns
    -------
    matplotlib.figure.Figure
        Three panels (meV).

    Examples
    --------
    >>> st = E.triplon_state(0.4, 0.288, 0.286, 0.716, n_omega=201)
    >>> len(figure_gap_functions(st).axes)
    3
    """
    check.instance("state", state, E.TriplonState, "a nickelates.eliashberg.TriplonState")
    if direct is not None:
        check.instance("direct", direct, E.RealAxisGap, "a nickelates.eliashberg.RealAxisGap or None")
    s, r = state.solution, state.real
    fig, axs = plt.subplots(1, 3, figsize=(11, 3.4))
    m = s.wn < 4 * state.omega_t
    for b in range(2):
        axs[0].plot(1e3 * s.wn[m], 1e3 * s.delta[b, m], ".-", ms=2, color=COLORS[b], label=f"Δ_{_BANDS[b]}")
        axs[1].plot(1e3 * s.wn[m], s.Z[b, m], ".-", ms=2, color=COLORS[b], label=f"Z_{_BANDS[b]}")
        if direct is None:
            axs[2].plot(1e3 * r.omega, 1e3 * r.delta[b].real, color=COLORS[b], label=f"Re Δ_{_BANDS[b]}")
            axs[2].plot(1e3 * r.omega, 1e3 * r.delta[b].imag, "--", color=COLORS[b], label=f"Im Δ_{_BANDS[b]}")
            continue
        axs[2].plot(1e3 * r.omega, 1e3 * r.delta[b].real, color="0.6", lw=0.7,
                    label="Padé" if b == 0 else None)
        axs[2].plot(1e3 * direct.omega, 1e3 * direct.delta[b].real, color=COLORS[b], label=f"Re Δ_{_BANDS[b]}")
        axs[2].plot(1e3 * direct.omega, 1e3 * direct.delta[b].imag, "--", color=COLORS[b],
                    label=f"Im Δ_{_BANDS[b]}")
    for ax in axs[:2]:
        ax.set_xlabel("$\\omega_n$ (meV)")
        ax.axvline(1e3 * state.omega_t, color="0.6", lw=0.8, ls=":")
    axs[0].set_ylabel("Δ(iω_n) (meV)")
    axs[1].set_ylabel("Z(iω_n)")
    axs[2].set_xlabel("ω (meV)")
    axs[2].set_ylabel("Δ(ω) (meV)")
    for ax in axs:
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def figure_stm(state, bias_meV, conductance, fig5=None, zoom=None):
    """Predicted STM spectrum with the boson features, next to the static Fig. 5 spectrum.

    Parameters
    ----------
    state : nickelates.eliashberg.TriplonState
        The solved state (marks at Delta_i and Delta_i + omega_t).
    bias_meV : array_like of float
        Bias (mV) of ``conductance``.
    conductance : array_like of float or dict
        Normalized dI/dV of the Eliashberg state, or label -> dI/dV for several curves (the first is drawn
        black and solid).
    fig5 : nickelates.tunneling.STMSpectrum, optional
        The static (BCS) spectrum of the paper's Fig. 5 for the left panel.
    zoom : tuple of float, optional
        (lo, hi) bias window (mV, positive) of an extra panel that magnifies the boson structure.

    Returns
    -------
    matplotlib.figure.Figure
        One to three panels.

    Examples
    --------
    >>> st = E.triplon_state(0.4, 0.288, 0.286, 0.716, n_omega=201)
    >>> v = np.linspace(-400, 400, 81)
    >>> len(figure_stm(st, v, E.tunneling_conductance(st.real, 1e-3 * v, 1e-4)).axes)
    1
    >>> g = E.tunneling_conductance(st.real, 1e-3 * v, 1e-4)
    >>> len(figure_stm(st, v, {"a": g, "b": g}, zoom=(250, 400)).axes)
    2
    """
    from .. import tunneling
    check.instance("state", state, E.TriplonState, "a nickelates.eliashberg.TriplonState")
    bias_meV = check.real_array("bias_meV", bias_meV, ndim=1)
    curves = conductance if isinstance(conductance, dict) else {None: conductance}
    if not curves:
        raise ValueError("conductance must hold at least one curve")
    curves = {label: _check.curve("conductance" if label is None else f"conductance[{label!r}]", g)
              for label, g in curves.items()}
    for g in curves.values():
        check.same_length(bias_meV=bias_meV, conductance=g)
    if fig5 is not None:
        check.instance("fig5", fig5, tunneling.STMSpectrum, "a nickelates.tunneling.STMSpectrum or None")
    if zoom is not None:
        zoom = check.real_array("zoom", zoom, ndim=1)
        if zoom.size != 2 or not zoom[0] < zoom[1]:
            raise ValueError(f"zoom must be a window (lo, hi) in mV with lo < hi, got {zoom.tolist()!r}")
    n = 1 + (fig5 is not None) + (zoom is not None)
    fig, axs = plt.subplots(1, n, figsize=(4.6 * n, 3.6), squeeze=False)
    axs = axs[0]
    if fig5 is not None:
        axs[0].plot(fig5.omega_meV, fig5.total, "k")
        axs[0].set_title("static gaps (Fig. 5 setting, chapter 5)", fontsize=9)
        axs[0].set_xlabel("bias (mV)")
        axs[0].set_ylabel("dI/dV (normalized)")
    ax = axs[1] if fig5 is not None else axs[0]
    styles = [dict(color="k", lw=1.2), dict(color="tab:green", lw=1.0, ls="--"),
              dict(color="tab:orange", lw=1.0, ls="-."), dict(color="tab:purple", lw=0.9, ls=":")]
    targets = [ax] + ([axs[-1]] if zoom is not None else [])
    for k, (label, g) in enumerate(curves.items()):
        for a in targets:
            a.plot(bias_meV, g, label=label, **styles[k % len(styles)])
    for a in targets:
        for b in range(2):
            for x in (state.gaps[b], state.gaps[b] + state.omega_t):
                a.axvline(1e3 * x, color=COLORS[b], lw=0.8, ls=":")
                a.axvline(-1e3 * x, color=COLORS[b], lw=0.8, ls=":")
        a.set_xlabel("bias (mV)")
        a.set_ylabel("dI/dV (normalized)")
    ax.set_title(f"Eliashberg, λ = {state.lam:.2f}, ω_t = {1e3 * state.omega_t:.0f} meV "
                 "(dotted: Δ_i, Δ_i + ω_t)", fontsize=9)
    if zoom is not None:
        lo, hi = zoom
        z = axs[-1]
        sel = (np.asarray(bias_meV) >= lo) & (np.asarray(bias_meV) <= hi)
        vals = np.concatenate([np.asarray(g)[sel] for g in curves.values()])
        z.set_xlim(lo, hi)
        z.set_ylim(vals.min() - 0.02, vals.max() + 0.02)
        z.set_title(f"zoom {lo:.0f}–{hi:.0f} mV", fontsize=9)
    if None not in curves:
        ax.legend(fontsize=7)
    for a in axs:
        a.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def figure_gap_vs_T(T_K, gaps_meV, Tc_K, table3=None):
    """Delta_i(T)/Delta_i(0) versus T/T_c, with Guo et al.'s Table 3 gaps.

    Parameters
    ----------
    T_K : array_like of float
        Temperatures (K).
    gaps_meV : array_like
        (len(T_K), 2) gap edges (meV).
    Tc_K : float
        Eliashberg T_c (K).
    table3 : numpy.ndarray, optional
        Rows (T in K, ..., Delta1, Delta2) as in ``nickelates.btk.TABLE3`` (last two columns used).

    Returns
    -------
    matplotlib.figure.Figure
        One panel.

    Examples
    --------
    >>> fig = figure_gap_vs_T([10, 50], [[10, 5], [6, 3]], 70.0)
    >>> len(fig.axes[0].lines)
    2
    """
    T = check.real_array("T_K", T_K, ndim=1)
    g = _check.curve("gaps_meV", gaps_meV, ndim=2)
    if g.shape != (T.size, 2):
        raise ValueError(f"gaps_meV must have the shape (len(T_K), 2) = ({T.size}, 2), got {g.shape}")
    if np.any(g[0] == 0):
        raise ValueError(f"gaps_meV[0] (the reference gaps) must be nonzero, got {g[0].tolist()!r}")
    Tc_K = check.positive("Tc_K", Tc_K)
    if table3 is not None:
        t3 = check.real_array("table3", table3, ndim=2)
        if t3.shape[1] < 3:
            raise ValueError(f"table3 must have rows (T, ..., Delta1, Delta2) of >= 3 columns, got {t3.shape}")
        if np.any(t3[0, -2:] == 0):
            raise ValueError("table3's first row must have nonzero gaps Delta1, Delta2")
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    for b in range(2):
        ax.plot(T / Tc_K, g[:, b] / g[0, b], "-", color=COLORS[b], label=f"Eliashberg Δ_{_BANDS[b]}(T)/Δ_{_BANDS[b]}(0)")
    if table3 is not None:
        t3 = np.asarray(table3, float)
        tc_exp = 72.0
        ax.plot(t3[:, 0] / tc_exp, t3[:, -2] / t3[0, -2], "s", mfc="none", color="k", label="Guo Δ1 (Table 3)")
        ax.plot(t3[:, 0] / tc_exp, t3[:, -1] / t3[0, -1], "o", mfc="none", color="0.5", label="Guo Δ2 (Table 3)")
    ax.set_xlabel("$T/T_c$ (Guo: $T_c$ = 72 K)")
    ax.set_ylabel("Δ(T)/Δ(0)")
    ax.set_xlim(0, 1.05)
    ax.set_ylim(0, 1.1)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def figure_anisotropy(kappas, tc_bcs, tc_eliashberg, sheets, kappa_label=0.75):
    """T_c versus kappa (BCS and Eliashberg, each over its kappa = 0 value) and the gaps along the sheets.

    Parameters
    ----------
    kappas : array_like of float
        kappa = kappa_a = kappa_b values (the first is 0).
    tc_bcs, tc_eliashberg : array_like of float
        T_c (K) at each kappa.
    sheets : list of dict
        One per band: ``theta`` (deg), ``bcs`` and ``eliashberg`` (gap along the sheet divided by
        its zone-diagonal value), optional ``edge`` = (theta_deg, ratio) of the real-axis gap edges.
    kappa_label : float, optional
        kappa of the right panel (for the title).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels.

    Examples
    --------
    >>> sh = [dict(theta=[0, 45], bcs=[1.5, 1.0], eliashberg=[1.3, 1.0], edge=(0, 1.25))]
    >>> fig = figure_anisotropy([0, 0.75], [300, 600], [70, 140], sh)
    >>> len(fig.axes), len(fig.axes[1].lines)
    (2, 3)
    """
    k = check.real_array("kappas", kappas, ndim=1)
    tb = check.real_array("tc_bcs", tc_bcs, ndim=1)
    te = check.real_array("tc_eliashberg", tc_eliashberg, ndim=1)
    check.same_length(kappas=k, tc_bcs=tb, tc_eliashberg=te)
    if tb[0] == 0 or te[0] == 0:
        raise ValueError("tc_bcs[0] and tc_eliashberg[0] (the kappa = 0 reference) must be nonzero")
    check.not_missing("sheets", sheets, "a list of dicts (one per band)")
    if isinstance(sheets, np.ndarray) or not hasattr(sheets, "__len__"):
        check._reject_type("sheets", sheets, "a list of dicts (one per band)")
    if not 1 <= len(sheets) <= 2:
        raise ValueError(f"sheets must hold one or two dicts (one per band), got {len(sheets)}")
    for b, sh in enumerate(sheets):
        _check.mapping(f"sheets[{b}]", sh, ("theta", "bcs", "eliashberg"), "a dict (theta, bcs, eliashberg)")
        th = check.real_array(f"sheets[{b}]['theta']", sh["theta"], ndim=1)
        for key in ("bcs", "eliashberg"):
            check.same_length(theta=th, **{key: check.real_array(f"sheets[{b}][{key!r}]", sh[key], ndim=1)})
        if sh.get("edge") is not None:
            edge = check.real_array(f"sheets[{b}]['edge']", sh["edge"], ndim=1)
            if edge.size != 2:
                raise ValueError(f"sheets[{b}]['edge'] must be (theta_deg, ratio), got {edge.size} numbers")
    kappa_label = check.finite("kappa_label", kappa_label)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9.0, 3.6))
    ax.plot(k, tb / tb[0], "k--o", ms=3, label=f"static BCS (chapter 3), $T_c(0)$ = {tb[0]:.0f} K")
    ax.plot(k, te / te[0], "-o", color="tab:green", ms=3, label=f"Eliashberg, $T_c(0)$ = {te[0]:.0f} K")
    ax.set_xlabel("κ = κ_a = κ_b")
    ax.set_ylabel("$T_c(κ)/T_c(0)$")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    for b, sh in enumerate(sheets):
        th = np.asarray(sh["theta"], float)
        bx.plot(th, sh["bcs"], "--", color=COLORS[b], label=f"BCS, {_BANDS[b]}")
        bx.plot(th, sh["eliashberg"], "-", color=COLORS[b], label=f"Eliashberg Δ(iω_0), {_BANDS[b]}")
        if sh.get("edge") is not None:
            bx.plot([sh["edge"][0]], [sh["edge"][1]], "*", ms=9, color=COLORS[b], label=f"gap edge (Padé), {_BANDS[b]}")
    bx.set_xlabel("θ on the sheet (deg)")
    bx.set_ylabel("Δ(θ)/Δ(diagonal)")
    bx.set_title(f"κ = {kappa_label:g}", fontsize=9)
    bx.legend(fontsize=6, ncol=2)
    bx.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def figure_state(state, bias_meV, conductance, bcs=None, omega_max_meV=None):
    """One explorer/frame view: STM spectrum (left) and Re Delta_i(w) (right), with the numbers in the title.

    Parameters
    ----------
    state : nickelates.eliashberg.TriplonState
        The solved state.
    bias_meV : array_like of float
        Bias (mV).
    conductance : array_like of float
        Normalized dI/dV.
    bcs : dict, optional
        {"Tc": K, "ratio": Delta_alpha/Delta_beta} of static BCS for the title.
    omega_max_meV : float, optional
        Draw Delta(w) only up to this frequency (meV), e.g. below the boson threshold where a Pade
        continuation is reliable; default the whole grid of ``state.real``.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels.

    Examples
    --------
    >>> st = E.triplon_state(0.4, 0.288, 0.286, 0.716, n_omega=201)
    >>> v = np.linspace(-400, 400, 81)
    >>> len(figure_state(st, v, E.tunneling_conductance(st.real, 1e-3 * v, 1e-4), omega_max_meV=250).axes)
    2
    """
    check.instance("state", state, E.TriplonState, "a nickelates.eliashberg.TriplonState")
    bias_meV = check.real_array("bias_meV", bias_meV, ndim=1)
    conductance = _check.curve("conductance", conductance)
    check.same_length(bias_meV=bias_meV, conductance=conductance)
    if bcs is not None:
        _check.mapping("bcs", bcs, ("Tc", "ratio"), 'a dict {"Tc": K, "ratio": number} or None')
        bcs = {"Tc": check.finite("bcs['Tc']", bcs["Tc"]), "ratio": check.finite("bcs['ratio']", bcs["ratio"])}
    if omega_max_meV is not None:
        omega_max_meV = check.positive("omega_max_meV", omega_max_meV)
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.5))
    axs[0].plot(bias_meV, conductance, "k")
    axs[0].set_xlabel("bias (mV)")
    axs[0].set_ylabel("dI/dV (normalized)")
    axs[0].set_ylim(0, max(3.0, float(np.max(conductance)) * 1.05))
    r = state.real
    keep = np.ones(r.omega.size, bool) if omega_max_meV is None else 1e3 * r.omega <= omega_max_meV
    for b in range(2):
        axs[1].plot(1e3 * r.omega[keep], 1e3 * r.delta[b].real[keep], color=COLORS[b],
                    label=f"Re Δ_{_BANDS[b]}(ω)")
        axs[1].plot(1e3 * r.omega[keep], 1e3 * r.delta[b].imag[keep], "--", color=COLORS[b],
                    label=f"Im Δ_{_BANDS[b]}(ω)")
        if 1e3 * (state.gaps[b] + state.omega_t) <= float(np.max(np.abs(bias_meV))):
            axs[0].axvline(1e3 * (state.gaps[b] + state.omega_t), color=COLORS[b], lw=0.8, ls=":")
    axs[1].set_xlabel("ω (meV)")
    axs[1].set_ylabel("Δ(ω) (meV)")
    axs[1].legend(fontsize=7)
    tc = state.Tc / K_B
    ra, rb = state.gap_ratios
    title = (f"λ = {state.lam:.2f}, ω_t = {1e3 * state.omega_t:.0f} meV: T_c = {tc:.0f} K, "
             f"2Δ/k_BT_c = {ra:.2f} (α), {rb:.2f} (β), Δα/Δβ = {state.ratio:.2f}")
    if bcs is not None:
        title += f"   [BCS: T_c = {bcs['Tc']:.0f} K, Δα/Δβ = {bcs['ratio']:.2f}]"
    fig.suptitle(title, fontsize=9)
    for a in axs:
        a.grid(alpha=0.3)
    fig.tight_layout()
    return fig


class EliashbergExplorer(Explorer):
    """ipywidgets explorer: lambda and omega_t (meV) -> T_c, gaps, STM spectrum and Delta(w) (real-axis equations).

    Parameters
    ----------
    lam : float, optional
        s+- coupling lambda.
    omega_t_meV : float, optional
        Triplon energy (meV).
    N_alpha, N_beta : float, optional
        Fermi-level densities of states (1/eV); default the chapter's v3 bands at n_c = 0.45.
    T_smear_K : float, optional
        Temperature of the STM smearing (K).

    Examples
    --------
    >>> e = EliashbergExplorer()
    >>> round(e.data["Tc_K"])
    73
    """

    errors = (ValueError, RuntimeError)

    def __init__(self, lam=0.4, omega_t_meV=288.0, N_alpha=0.28597, N_beta=0.71560, T_smear_K=4.0):
        import ipywidgets as W

        lam = _check.start("lam", lam, 0.3, 1.5)
        omega_t_meV = _check.start("omega_t_meV", omega_t_meV, 50.0, 600.0)
        self.N = (check.positive("N_alpha", N_alpha), check.positive("N_beta", N_beta))
        self.T_smear = check.positive("T_smear_K", T_smear_K) * K_B
        fs = dict(continuous_update=False, style={"description_width": "4em"})
        self.sliders = {"lam": W.FloatSlider(value=lam, min=0.3, max=1.5, step=0.05, description="λ",
                                             readout_format=".2f", **fs),
                        "omega_t": W.FloatSlider(value=omega_t_meV, min=50.0, max=600.0, step=10.0,
                                                 description="ω_t (meV)", readout_format=".0f", **fs)}
        self._build(self.sliders.values(),
                    lambda status, out: W.VBox([W.HBox(list(self.sliders.values())), status, out]), status=True)

    def compute(self) -> dict:
        """Return the numbers of the current state.

        Returns
        -------
        dict
            "state" (``TriplonState``), "Tc_K", "gaps_meV", "gap_ratios", "ratio", "bias_meV", "didv".
        """
        v = self.values()
        w = 1e-3 * v["omega_t"]
        st = E.triplon_state(v["lam"], w, *self.N, omega_max=max(0.6, 2.2 * w), n_omega=1501)
        lz, ld = E.triplon_coupling_matrices(v["lam"] / np.sqrt(self.N[0] * self.N[1]), *self.N)
        direct = E.solve_real_axis(lz, ld, w, st.solution.T, st.real.omega, solution=st.solution, n_grid=4001)
        st = dataclasses.replace(st, real=direct)          # real-axis equations, no Pade
        bias = np.linspace(-1e3 * (st.gaps.max() + 1.4 * w), 1e3 * (st.gaps.max() + 1.4 * w), 401)
        didv = E.tunneling_conductance(st.real, 1e-3 * bias, self.T_smear, weights=self.N)
        return {"state": st, "Tc_K": st.Tc / K_B, "gaps_meV": 1e3 * st.gaps, "gap_ratios": st.gap_ratios,
                "ratio": st.ratio, "bias_meV": bias, "didv": didv}

    def figure(self, data):
        """Return the figure of ``data`` (:func:`figure_state`).

        Parameters
        ----------
        data : dict
            What :meth:`compute` returned.

        Returns
        -------
        matplotlib.figure.Figure
            The explorer view.
        """
        return figure_state(data["state"], data["bias_meV"], data["didv"])


def explorer(**kw) -> EliashbergExplorer:
    """Live explorer over lambda and omega_t (see :class:`EliashbergExplorer`).

    Parameters
    ----------
    **kw
        Passed to :class:`EliashbergExplorer`.

    Returns
    -------
    EliashbergExplorer
        The explorer (its ``widget`` displays in Jupyter).

    Examples
    --------
    >>> sorted(explorer().sliders)
    ['lam', 'omega_t']
    """
    return EliashbergExplorer(**kw)

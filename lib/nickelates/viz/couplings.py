"""Figures and the interactive explorer for chapter 2 (couplings)."""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from .. import bands as B
from .. import couplings as C
from .explorer import Explorer

COLORS = {"alpha": "tab:blue", "beta": "tab:red"}
N_C = 0.45   # electrons per Ni held fixed when the band shifts change (Fig. 2)


def chain_summary(c: C.Couplings) -> dict:
    """Numbers a redraw shows: the chain plus band data at n_c = 0.45.

    Returns a dict with the couplings (eV), the alpha-beta splitting at
    X = (pi, 0) (eV; eta_X^2 = 4 so it equals 4 (eps_alpha - eps_beta)), the
    chemical potential, fillings and densities of states of the resulting
    bands, and lambda.
    """
    p = B.with_density(c.band_params(), N_C)
    dos = B.fermi_level_dos(p)
    na, nb = B.fillings(p)
    lam = C.lambda_coupling(c.V, dos.N_alpha, dos.N_beta)
    xa, xb = B.dispersion(math.pi, 0.0, p)
    return {"couplings": c.as_dict(), "splitting_X": float(xa - xb), "mu": p.mu,
            "fillings": (na, nb), "dos": tuple(dos), "lam": lam, "band_params": p}


def figure_chain(c: C.Couplings, summary: dict | None = None):
    """Two panels: couplings as bars (eV) and the resulting alpha/beta bands."""
    s = chain_summary(c) if summary is None else summary
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
    kx, ky, sp_, ticks = B.high_symmetry_path(150)
    xa, xb = B.dispersion(kx, ky, p)
    a2.plot(sp_, xa, color=COLORS["alpha"], label=r"$\alpha$")
    a2.plot(sp_, xb, color=COLORS["beta"], label=r"$\beta$")
    a2.axhline(0, color="k", lw=0.6)
    a2.set_xticks(ticks, [r"$\Gamma$", "X", "M", r"$\Gamma$"])
    for t in ticks:
        a2.axvline(t, color="0.85", lw=0.6)
    a2.set_xlim(ticks[0], ticks[-1])
    a2.set_ylim(-2.0, 3.5)
    a2.set_ylabel(r"$\xi_{\mathbf{k}}$ (eV)")
    a2.set_title(rf"$n_c$ = {N_C}: splitting at X = {s['splitting_X']:.2f} eV", fontsize=10)
    a2.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


#: the four couplings of the channel cluster compared between ED and second-order SW
CHANNEL_FIELDS = ("shift_alpha", "shift_beta", "K_a", "K_b")
_FIELD_LABELS = (r"$\delta\xi_\alpha$", r"$\delta\xi_\beta$", "$J_K^a$", "$J_K^b$")


def channel_cluster_args(E_a: float, t_c: float = C.T_C, U: float = C.U_PAPER) -> tuple:
    """(E^-_a, E^-_b, E^+_a, E^+_b) of the channel cluster for E_b = E_a + 2 t_c (eV)."""
    E_b = E_a + 2 * t_c
    return (E_a, E_b, E_b + U, E_a + U)


def sw_error_scaling(E_a: float, t_c: float = C.T_C, U: float = C.U_PAPER, g_values=None,
                     t_values=None) -> dict:
    """Error of second-order Schrieffer-Wolff against exact diagonalization (eV).

    Channel cluster (:func:`channel_cluster_args` of ``E_a``, ``t_c``, ``U``): ED minus SW of each
    of :data:`CHANNEL_FIELDS` for the hybridizations ``g_values``; Hubbard dimer: ED gap minus
    4 t^2/U for the hoppings ``t_values`` at this ``U``. Returns {"g", "errors" {field: array},
    "slopes" {field: log-log slope}, "t", "dimer_errors", "dimer_slope", "U", "cluster_args"}.
    """
    from .. import clusters as CL

    g = np.geomspace(0.01, 0.1, 6) if g_values is None else np.asarray(g_values, float)
    t = np.geomspace(0.03, 0.3, 6) if t_values is None else np.asarray(t_values, float)
    args = channel_cluster_args(E_a, t_c, U)
    errors = {f: [] for f in CHANNEL_FIELDS}
    for gg in g:
        e, s = CL.channel_cluster_couplings_ed(gg, *args), CL.channel_cluster_couplings_sw(gg, *args)
        for f in CHANNEL_FIELDS:
            errors[f].append(getattr(e, f) - getattr(s, f))
    errors = {f: np.array(v) for f, v in errors.items()}
    dimer = np.array([CL.dimer_spectrum(tt, U).gap - C.dimer_exchange(tt, U) for tt in t])
    return {"g": g, "errors": errors, "slopes": {f: CL.loglog_slope(g, errors[f]) for f in CHANNEL_FIELDS},
            "t": t, "dimer_errors": dimer, "dimer_slope": CL.loglog_slope(t, dimer), "U": U,
            "cluster_args": args}


def figure_error_scaling(data: dict):
    """Two log-log panels from :func:`sw_error_scaling`: dimer gap error vs t_c/U with the leading
    16 t^4/U^3 (left); channel-cluster couplings ED - SW vs t_xz = g/2 at eta = 1 (right)."""
    ts, U = data["t"], data["U"]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4))
    a1.loglog(ts / U, np.abs(data["dimer_errors"]), "o-", label="ED gap $-$ $4t_c^2/U$")
    a1.loglog(ts / U, 16 * ts**4 / U**3, "k--", lw=0.8, label=r"$16t_c^4/U^3$")
    a1.set_xlabel("$t_c/U$")
    a1.set_ylabel("|error| (eV)")
    a1.legend(fontsize=8)
    a1.set_title(f"dimer: slope {data['dimer_slope']:.2f} in $t_c$", fontsize=10)
    for f, lab in zip(CHANNEL_FIELDS, _FIELD_LABELS):
        a2.loglog(data["g"] / 2, np.abs(data["errors"][f]), "o-", ms=4, label=f"{lab}: {data['slopes'][f]:.2f}")
    a2.set_xlabel(r"$t_{xz}$ (eV), $\eta_{\bf k}=1$")
    a2.set_ylabel("|ED $-$ SW| (eV)")
    a2.legend(fontsize=8, title="slope")
    a2.set_title("channel cluster", fontsize=10)
    for ax in (a1, a2):
        ax.xaxis.set_minor_formatter(plt.NullFormatter())
    fig.tight_layout()
    return fig


def channel_relative_deviation(eta_values, cluster_args, t_xz: float = C.T_XZ_PAPER) -> list:
    """Rows (eta, g = 2 t_xz eta, ED/SW - 1 for each of :data:`CHANNEL_FIELDS`) of the channel
    cluster at form factors ``eta_values`` (energies in eV)."""
    from .. import clusters as CL

    rows = []
    for eta in eta_values:
        gg = 2 * t_xz * eta
        e, s = CL.channel_cluster_couplings_ed(gg, *cluster_args), CL.channel_cluster_couplings_sw(gg, *cluster_args)
        rows.append((eta, gg, *[getattr(e, f) / getattr(s, f) - 1 for f in CHANNEL_FIELDS]))
    return rows


def dimer_channel_shifts(t_c: float, U: float, eps_z_values) -> list:
    """Rows (eps_z, E^-_a, E^-_b, delta xi_alpha/g^2, delta xi_beta/g^2) of the Hubbard dimer
    (``clusters.hubbard_dimer_excitations``, eV) for the level energies ``eps_z_values``; levels
    with a non-positive excitation energy (dimer not in its two-electron ground state) are skipped."""
    from .. import clusters as CL

    rows = []
    for ez in eps_z_values:
        x = CL.hubbard_dimer_excitations(t_c, U, ez)
        if min(v for k, v in x.items() if k.startswith("E_")) <= 0:
            continue
        da = x["w_rem_a"] / x["E_rem_a"] - x["w_add_a"] / x["E_add_a"]
        db = x["w_rem_b"] / x["E_rem_b"] - x["w_add_b"] / x["E_add_b"]
        rows.append((float(ez), x["E_rem_a"], x["E_rem_b"], da, db))
    return rows


class CouplingsExplorer(Explorer):
    """ipywidgets explorer: sliders t_c, U, t_xz, E_a, J_H (eV); E_b = E_a + 2 t_c.

    ``sliders`` maps names to FloatSlider widgets; each redraw stores the
    chain and band numbers in ``data`` (see :func:`chain_summary`), so a test
    can set slider values and read what was drawn.
    """

    errors = (ValueError, RuntimeError)

    def __init__(self, t_c=C.T_C, U=C.U_PAPER, t_xz=C.T_XZ_PAPER, E_a=0.6, J_H=0.4):
        import ipywidgets as W

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

    def couplings(self) -> C.Couplings:
        v = self.values()
        return C.from_microscopic(t_c=v["t_c"], U=v["U"], t_xz=v["t_xz"], E_a=v["E_a"], J_H=v["J_H"])

    def compute(self) -> dict:
        self._c = self.couplings()
        return chain_summary(self._c)

    def status_html(self, s) -> str:
        c = self._c
        return (
            f"J<sub>c</sub> = {c.J_c:.3f}, ε<sub>α</sub> = {c.eps_alpha:.3f}, ε<sub>β</sub> = {c.eps_beta:.3f}, "
            f"J<sub>K</sub><sup>a</sup> = {c.J_K_a:.3f}, J<sub>K</sub><sup>b</sup> = {c.J_K_b:.3f} eV<br>"
            f"κ<sub>a</sub> = {c.kappa_a:.2f}, κ<sub>b</sub> = {c.kappa_b:.2f}, V = {c.V:.3f} eV, λ = {s['lam']:.3f}")

    def figure(self, s):
        return figure_chain(self._c, s)


def explorer(**kw) -> CouplingsExplorer:
    """Live explorer of the coupling chain (see :class:`CouplingsExplorer`)."""
    return CouplingsExplorer(**kw)


def static_frames(E_a_values=None, **kw):
    """Precomputed frames over E_a (other parameters at the paper's scales)."""
    from .frames import slider_frames

    vals = np.round(np.linspace(0.4, 1.3, 10), 3) if E_a_values is None else E_a_values
    base = dict(t_c=C.T_C, U=C.U_PAPER, t_xz=C.T_XZ_PAPER, J_H=0.4)
    base.update(kw)
    return slider_frames(lambda e: figure_chain(C.from_microscopic(E_a=float(e), **base)), vals,
                         label="E_a = {:.2f} eV (E_b = E_a + 2 t_c)",
                         title="Couplings and band splitting vs the channel energy E_a")

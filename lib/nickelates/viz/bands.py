"""Figures and the interactive explorer for chapter 1 (bands and Fermi surfaces)."""
from __future__ import annotations

import dataclasses
import math

import matplotlib.pyplot as plt
import numpy as np

from .. import bands as B
from .explorer import Explorer

COLORS = {"alpha": "tab:blue", "beta": "tab:red"}
LABELS = {"alpha": r"$\alpha$ (antibonding)", "beta": r"$\beta$ (bonding)"}


def plot_bands(p: B.BandParams, ax=None, *, n: int = 200, style="-", label=True):
    """xi_alpha, xi_beta along Gamma-X-M-Gamma (eV); returns the axis."""
    ax = ax or plt.gca()
    kx, ky, s, ticks = B.high_symmetry_path(n)
    xa, xb = B.dispersion(kx, ky, p)
    ax.plot(s, xa, style, color=COLORS["alpha"], label=LABELS["alpha"] if label else None)
    ax.plot(s, xb, style, color=COLORS["beta"], label=LABELS["beta"] if label else None)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(ticks, [r"$\Gamma$", "X", "M", r"$\Gamma$"])
    for t in ticks:
        ax.axvline(t, color="0.8", lw=0.6)
    ax.set_xlim(ticks[0], ticks[-1])
    ax.set_ylabel(r"$\xi_{\mathbf{k}}$ (eV)")
    return ax


def fermi_sheet_folded(fs: B.FermiSurface):
    """Points of a sheet and its periodic images inside [-pi, pi]^2, as a list of (kx, ky) pieces."""
    pieces = []
    for sx in (-2 * math.pi, 0.0, 2 * math.pi):
        for sy in (-2 * math.pi, 0.0, 2 * math.pi):
            x = np.append(fs.kx, fs.kx[0]) + sx
            y = np.append(fs.ky, fs.ky[0]) + sy
            inside = (np.abs(x) <= math.pi + 1e-9) & (np.abs(y) <= math.pi + 1e-9)
            if inside.any():
                pieces.append((np.where(inside, x, np.nan), np.where(inside, y, np.nan)))
    return pieces


def plot_fermi_surfaces(p: B.BandParams, ax=None, *, style="-", label=True):
    """Both Fermi sheets in the zone [-pi, pi]^2; returns the axis."""
    ax = ax or plt.gca()
    for band in B.BAND_NAMES:
        try:
            fs = B.fermi_surface(p, band)
        except ValueError:
            continue
        for i, (x, y) in enumerate(fermi_sheet_folded(fs)):
            ax.plot(x, y, style, color=COLORS[band], label=LABELS[band] if (label and i == 0) else None)
    ax.set_xlim(-math.pi, math.pi)
    ax.set_ylim(-math.pi, math.pi)
    ax.set_aspect("equal")
    ax.set_xticks([-math.pi, 0, math.pi], [r"$-\pi$", "0", r"$\pi$"])
    ax.set_yticks([-math.pi, 0, math.pi], [r"$-\pi$", "0", r"$\pi$"])
    ax.set_xlabel(r"$k_x$")
    ax.set_ylabel(r"$k_y$")
    return ax


def figure_bands_and_fs(p: B.BandParams, title: str = ""):
    """Two-panel figure in the layout of the paper's Fig. 2."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.8), gridspec_kw={"width_ratios": [1.5, 1]})
    plot_bands(p, a1)
    a1.legend(loc="upper left", fontsize=8)
    plot_fermi_surfaces(p, a2, label=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def figure_fig2(params=(B.PAPER_V3, B.PAPER_V1), styles=("-", "--")):
    """The paper's Fig. 2: bands (left) and Fermi surfaces (right) for several parameter sets.

    The first set is drawn with labels (solid), the others dashed without labels.
    """
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.5, 3.9), gridspec_kw={"width_ratios": [1.5, 1]})
    for i, (p, st) in enumerate(zip(params, styles)):
        plot_bands(p, a1, style=st, label=i == 0)
        plot_fermi_surfaces(p, a2, style=st, label=i == 0)
    a1.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def dos_vs_filling(nc_grid, p: B.BandParams = B.PAPER_V3) -> dict:
    """Fermi-level densities of states (1/eV) over the filling ``nc_grid`` (electrons per Ni).

    Returns a dict of arrays ``n_c, mu, N_alpha, N_beta, Nt_alpha, Nt_beta, error`` and the
    fillings of the beta saddle point (``n_c_vh``) and of the beta pocket at X (``n_c_X``).
    """
    rows = []
    for nc in np.asarray(nc_grid, float):
        q = B.with_density(p, float(nc))
        d, err, _ = B.fermi_level_dos(q, return_error=True)
        rows.append((nc, q.mu, d.N_alpha, d.N_beta, d.Nt_alpha, d.Nt_beta, err))
    r = np.array(rows)
    out = dict(zip(("n_c", "mu", "N_alpha", "N_beta", "Nt_alpha", "Nt_beta", "error"), r.T))
    saddle = [c for c in B.critical_points(p, "beta") if c[2] == "saddle"]
    mu_X = 4 * p.t2 - 4 * p.t3 + 4 * p.eps_b                    # beta minimum at X
    for key, mu in (("n_c_vh", saddle[0][0] if saddle else None), ("n_c_X", mu_X)):
        out[key] = None if mu is None else float(sum(B.fillings(dataclasses.replace(p, mu=mu))))
    return out


def plot_dos_ratio(d: dict, ax=None, *, n_c_mark: float = 0.45):
    """The paper's Fig. 3 (left): N_beta/N_alpha vs n_c from :func:`dos_vs_filling`."""
    ax = ax or plt.gca()
    ax.plot(d["n_c"], d["N_beta"] / d["N_alpha"], "k")
    ax.set_ylabel(r"$N_\beta/N_\alpha$")
    ax.set_ylim(0, 8)
    _mark_fillings(ax, d, n_c_mark)
    return ax


def plot_weighted_dos(d: dict, ax=None, *, n_c_mark: float = 0.45):
    """The paper's Fig. 4 (left): eta^2-weighted over plain DOS per band vs n_c."""
    ax = ax or plt.gca()
    ax.plot(d["n_c"], d["Nt_alpha"] / d["N_alpha"], color=COLORS["alpha"], label=r"$\widetilde N_\alpha/N_\alpha$")
    ax.plot(d["n_c"], d["Nt_beta"] / d["N_beta"], color=COLORS["beta"], label=r"$\widetilde N_\beta/N_\beta$")
    ax.legend(fontsize=8)
    _mark_fillings(ax, d, n_c_mark)
    return ax


def _mark_fillings(ax, d, n_c_mark):
    if d.get("n_c_vh") is not None:
        ax.axvline(d["n_c_vh"], ls=":", color="0.4")
    if d.get("n_c_X") is not None:
        ax.axvline(d["n_c_X"], ls=":", color="0.7")
    if n_c_mark is not None:
        ax.axvline(n_c_mark, ls="--", color="0.7")
    ax.set_xlabel(r"$n_c$ (electrons per Ni)")


def figure_dos_ratios(d: dict):
    """Fig. 3 (left) and Fig. 4 (left) side by side, from :func:`dos_vs_filling`."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.5, 3.5))
    plot_dos_ratio(d, a1)
    plot_weighted_dos(d, a2)
    fig.tight_layout()
    return fig


class BandExplorer(Explorer):
    """ipywidgets explorer: sliders for t1, t2, t3, eps_a, eps_b and n_c or mu.

    ``sliders`` maps names to the FloatSlider widgets; ``control`` chooses
    whether the density ``n_c`` or the chemical potential ``mu`` is held.
    Each redraw stores what it drew in ``data`` (parameters, fillings, DOS,
    band energies at Gamma/X/M, Fermi-surface points) so tests and readers can
    inspect the numbers. Display it in Jupyter with ``display(explorer.widget)``
    or just by leaving the object as the last expression of a cell.
    """

    errors = (ValueError, RuntimeError)   # e.g. n_c outside the band range

    def __init__(self, p: B.BandParams = B.PAPER_V3, n_c: float = 0.45):
        import ipywidgets as W

        self._W = W
        fs = dict(continuous_update=False, readout_format=".3f", style={"description_width": "3em"})
        self.sliders = {
            "t1": W.FloatSlider(value=p.t1, min=0.2, max=0.7, step=0.01, description="t1", **fs),
            "t2": W.FloatSlider(value=p.t2, min=-0.4, max=0.1, step=0.01, description="t2", **fs),
            "t3": W.FloatSlider(value=p.t3, min=-0.1, max=0.2, step=0.01, description="t3", **fs),
            "eps_a": W.FloatSlider(value=p.eps_a, min=0.0, max=0.8, step=0.02, description="εα", **fs),
            "eps_b": W.FloatSlider(value=p.eps_b, min=0.0, max=0.8, step=0.02, description="εβ", **fs),
            "n_c": W.FloatSlider(value=n_c, min=0.1, max=1.5, step=0.01, description="n_c", **fs),
            "mu": W.FloatSlider(value=p.mu, min=-1.2, max=0.8, step=0.01, description="μ", **fs),
        }
        self.control = W.ToggleButtons(options=["n_c", "mu"], value="n_c", description="hold")
        self._build([*self.sliders.values(), self.control],
                    lambda status, out: W.HBox([W.VBox([self.control] + list(self.sliders.values())
                                                       + [status]), out]), status=True)

    def params(self) -> B.BandParams:
        v = self.values()
        p = B.BandParams(v["t1"], v["t2"], v["t3"], v["eps_a"], v["eps_b"], v["mu"])
        if self.control.value == "n_c":
            p = B.with_density(p, v["n_c"])
        return p

    def compute(self) -> dict:
        p = self.params()
        na, nb = B.fillings(p)
        dos = B.fermi_level_dos(p)
        pts = {"Gamma": (0.0, 0.0), "X": (math.pi, 0.0), "M": (math.pi, math.pi)}
        energies = {k: tuple(float(e) for e in B.dispersion(*v, p)) for k, v in pts.items()}
        sheets = {}
        for band in B.BAND_NAMES:
            try:
                f = B.fermi_surface(p, band, n_theta=360)
                sheets[band] = (f.kx, f.ky)
            except ValueError:
                sheets[band] = None
        return {"params": dataclasses.asdict(p), "fillings": (na, nb), "dos": dos,
                "energies": energies, "fermi_surface": sheets}

    def status_html(self, data) -> str:
        (na, nb), dos = data["fillings"], data["dos"]
        return (f"μ = {data['params']['mu']:.4f} eV, n<sub>α</sub> = {na:.4f}, n<sub>β</sub> = {nb:.4f}, "
                f"N<sub>β</sub>/N<sub>α</sub> = {dos.N_beta / dos.N_alpha:.3f}")

    def figure(self, data):
        return figure_bands_and_fs(B.BandParams(**data["params"]))


def explorer(p: B.BandParams = B.PAPER_V3, n_c: float = 0.45) -> BandExplorer:
    """Live explorer of bands and Fermi surfaces (see :class:`BandExplorer`)."""
    return BandExplorer(p, n_c)

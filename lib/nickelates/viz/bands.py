"""Figures and the interactive explorer for chapter 1 (bands and Fermi surfaces)."""
from __future__ import annotations

import dataclasses
import math

import matplotlib.pyplot as plt
import numpy as np

from .. import bands as B

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


class BandExplorer:
    """ipywidgets explorer: sliders for t1, t2, t3, eps_a, eps_b and n_c or mu.

    ``sliders`` maps names to the FloatSlider widgets; ``control`` chooses
    whether the density ``n_c`` or the chemical potential ``mu`` is held.
    Each redraw stores what it drew in ``data`` (parameters, fillings, DOS,
    band energies at Gamma/X/M, Fermi-surface points) so tests and readers can
    inspect the numbers. Display it in Jupyter with ``display(explorer.widget)``
    or just by leaving the object as the last expression of a cell.
    """

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
        self.status = W.HTML()
        self.out = W.Output()
        self.data: dict = {}
        for s in self.sliders.values():
            s.observe(self._on_change, names="value")
        self.control.observe(self._on_change, names="value")
        left = W.VBox([self.control] + list(self.sliders.values()) + [self.status])
        self.widget = W.HBox([left, self.out])
        self.redraw()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def _on_change(self, _change):
        self.redraw()

    def params(self) -> B.BandParams:
        v = {k: s.value for k, s in self.sliders.items()}
        p = B.BandParams(v["t1"], v["t2"], v["t3"], v["eps_a"], v["eps_b"], v["mu"])
        if self.control.value == "n_c":
            p = B.with_density(p, v["n_c"])
        return p

    def redraw(self):
        try:
            p = self.params()
            na, nb = B.fillings(p)
            dos = B.fermi_level_dos(p)
        except (ValueError, RuntimeError) as exc:  # e.g. n_c outside the band range
            self.status.value = f"<span style='color:#b00'>{exc}</span>"
            self.data = {"error": str(exc)}
            return
        pts = {"Gamma": (0.0, 0.0), "X": (math.pi, 0.0), "M": (math.pi, math.pi)}
        energies = {k: tuple(float(e) for e in B.dispersion(*v, p)) for k, v in pts.items()}
        sheets = {}
        for band in B.BAND_NAMES:
            try:
                f = B.fermi_surface(p, band, n_theta=360)
                sheets[band] = (f.kx, f.ky)
            except ValueError:
                sheets[band] = None
        self.data = {"params": dataclasses.asdict(p), "fillings": (na, nb), "dos": dos,
                     "energies": energies, "fermi_surface": sheets}
        self.status.value = (f"μ = {p.mu:.4f} eV, n<sub>α</sub> = {na:.4f}, n<sub>β</sub> = {nb:.4f}, "
                             f"N<sub>β</sub>/N<sub>α</sub> = {dos.N_beta / dos.N_alpha:.3f}")
        self.out.clear_output(wait=True)
        with self.out:
            fig = figure_bands_and_fs(p)
            plt.show()
            plt.close(fig)


def explorer(p: B.BandParams = B.PAPER_V3, n_c: float = 0.45) -> BandExplorer:
    """Live explorer of bands and Fermi surfaces (see :class:`BandExplorer`)."""
    return BandExplorer(p, n_c)

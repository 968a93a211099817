"""Registry of the reproduced paper figures (``python -m nickelates figures``).

Each entry maps a short name to a function ``build(fast) -> matplotlib Figure``
made from the plotting helpers in :mod:`nickelates.viz`, with the source it
reproduces (``"liu2026triplon Fig. 2"``), a one-line description, and the book
section that derives it (a label: ``chap-...`` or a figure label). ``fast=True``
uses coarser grids (same physics, fewer points) for thumbnails and tests.

>>> from nickelates import figures
>>> sorted(figures.REGISTRY)[:2]
['borchia-fig2-7', 'borchia-fig3']
>>> fig = figures.build("guo-nb-calibration")
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import paths

__all__ = ["FigureSpec", "REGISTRY", "names", "select", "build", "targets", "write_figures", "DATA"]

#: data files written by scripts/ (repository checkout; ``nickelates.paths.data_dir()``)
DATA = paths.data_dir()


@dataclass(frozen=True)
class FigureSpec:
    """One reproduced figure: ``build(fast)`` returns a new matplotlib Figure.

    Attributes
    ----------
    name : str
        Short name, e.g. ``"liu-fig2"`` (the output file stem).
    source : str
        What it reproduces, e.g. ``"liu2026triplon Fig. 2"``.
    description : str
        One line.
    chapter : str
        Label of the chapter that derives it (``chap-...``).
    refs : tuple of str
        Preferred labels inside the chapter (figure or section labels), best first.
    build : callable
        ``build(fast: bool) -> matplotlib.figure.Figure``.
    heavy : bool
        True if it takes more than a second or two.

    Examples
    --------
    >>> REGISTRY["liu-fig2"].source
    'liu2026triplon Fig. 2'
    """

    name: str
    source: str          # what it reproduces, e.g. "liu2026triplon Fig. 2"
    description: str     # one line
    chapter: str         # label of the chapter (chap-...)
    refs: tuple = ()     # preferred labels inside the chapter (figure or section labels), best first
    build: Callable = field(repr=False, default=None)
    heavy: bool = False  # takes more than a second or two


#: the reproduced paper figures: name -> :class:`FigureSpec` (filled by the ``_register`` calls below)
REGISTRY: dict[str, FigureSpec] = {}


def _register(name, source, description, chapter, refs=(), heavy=False):
    def deco(f):
        if name in REGISTRY:
            raise ValueError(f"figure {name!r} registered twice")
        REGISTRY[name] = FigureSpec(name, source, description, chapter, tuple(refs), f, heavy)
        return f
    return deco


def names() -> list[str]:
    """Return the registered figure names, in registry order.

    Returns
    -------
    list of str
        One name per reproduced figure.

    Examples
    --------
    >>> "guo-nb-calibration" in names()
    True
    """
    return list(REGISTRY)


def select(only=None) -> list[FigureSpec]:
    """Return the specs named in ``only`` (all if None or empty), in the order given.

    Parameters
    ----------
    only : sequence of str, optional
        Figure names (see :func:`names`); repeats are dropped.

    Returns
    -------
    list of FigureSpec
        The selected specs.

    Raises
    ------
    TypeError
        If ``only`` is a single string instead of a sequence of names.
    ValueError
        If a name is not registered (the message lists the available ones).

    Examples
    --------
    >>> [s.name for s in select(["liu-fig2", "liu-fig2"])]
    ['liu-fig2']
    """
    if isinstance(only, str):
        raise TypeError("only must be a sequence of figure names, not a single string")
    if not only:
        return list(REGISTRY.values())
    unknown = [n for n in only if n not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown figure name(s) {', '.join(map(repr, unknown))}; "
                         f"available: {', '.join(REGISTRY)}")
    seen = dict.fromkeys(only)          # keep order, drop repeats
    return [REGISTRY[n] for n in seen]


def build(name: str, fast: bool = False):
    """Build one registered figure.

    Parameters
    ----------
    name : str
        A registered name (see :func:`names`).
    fast : bool, optional
        Coarser grids (same physics, fewer points), for thumbnails and tests.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure; close it when done.

    Raises
    ------
    ValueError
        If ``name`` is not registered.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig = build("btk-classic", fast=True)
    >>> plt.close(fig)
    """
    return select([name])[0].build(fast)


# ------------------------------------------------------------------ shared computations
@lru_cache(maxsize=2)
def _dos_sweep(fast: bool):
    from . import bands
    return bands.dos_vs_filling(np.linspace(0.2, 0.8, 25 if fast else 61))


def _data_path(name) -> Path:
    path = DATA / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing (it is written by scripts/; see the chapter)")
    return path


def _load_json(name):
    return json.loads(_data_path(name).read_text())


def _load_npz(name):
    with np.load(_data_path(name), allow_pickle=False) as f:
        return dict(f)


# ------------------------------------------------------------------ Liu & Khaliullin (triplons)
@_register("liu-fig2", "liu2026triplon Fig. 2",
           "bands along Γ–X–M–Γ and Fermi surfaces, v3 (solid) and v1 (dashed) parameters",
           "chap-bands", ("fig-bands-fig2", "src-liu2026triplon-fig-2"))
def _liu_fig2(fast):
    from .viz import bands as vb
    return vb.figure_fig2()


@_register("liu-fig3", "liu2026triplon Fig. 3",
           "left: N_β/N_α vs filling; right: gap ratio Δα/Δβ vs N_β/N_α, Eq. (18) and exact solutions",
           "chap-pairing", ("fig-pairing-fig3", "src-liu2026triplon-fig-3"), heavy=True)
def _liu_fig3(fast):
    from . import pairing
    from .viz import pairing as vp
    ncs = np.round(np.linspace(0.36, 0.80, 4 if fast else 7), 3)
    return vp.figure_fig3(_dos_sweep(fast), pairing.ratio_sweep(ncs, n_k=64 if fast else 256))


@_register("liu-fig4", "liu2026triplon Fig. 4",
           "left: η²-weighted DOS ratios vs filling; right: |Δ(θ)| on both Fermi sheets, exact vs Eq. (16)",
           "chap-pairing", ("fig-pairing-fig4", "src-liu2026triplon-fig-4"), heavy=True)
def _liu_fig4(fast):
    from . import pairing
    from .viz import pairing as vp
    return vp.figure_fig4(_dos_sweep(fast), pairing.compare_gap_cases(n_k=64 if fast else 256))


@_register("liu-fig5", "liu2026triplon Fig. 5",
           "STM spectra of the anisotropic s± gaps (analytic and exact), κ = 0.3, λ = 0.4",
           "chap-spectra", ("src-liu2026triplon-fig-5",))
def _liu_fig5(fast):
    from . import tunneling
    from .viz import tunneling as vt
    w = np.linspace(-200.0, 200.0, 1601 if fast else 4001)
    return vt.figure_fig5(tunneling.fig5_spectra(w))


@_register("liu-gap-temperature", "book (beyond liu2026triplon)",
           "exact gaps on the zone diagonal vs temperature up to the common T_c (v3, λ = 0.4, κ = 0.75)",
           "chap-pairing", ("fig-pairing-gapT",), heavy=True)
def _liu_gap_T(fast):
    from . import bands, pairing
    from .viz import pairing as vp
    p45 = bands.with_density(bands.PAPER_V3, 0.45)
    kw = dict(V=pairing.V_for_lambda(p45, 0.4), kappa_a=0.75, kappa_b=0.75, Omega=0.3)
    tc = pairing.critical_temperature(p45, **kw)
    curve = pairing.gap_vs_temperature(p45, temperatures=np.linspace(0, 1.05 * tc, 8 if fast else 15), **kw)
    return vp.figure_gap_vs_T(curve)


@_register("liu-predicted-andreev", "book (liu2026triplon gaps through guo2025andreev's fit)",
           "Andreev spectrum predicted from the exact Fig. 5 gaps, with a two-isotropic-gap s+s fit",
           "chap-spectra", (), heavy=True)
def _liu_andreev(fast):
    from . import tunneling
    from .viz import tunneling as vt
    ex = tunneling.triplon_gaps(**tunneling.FIG5, source="exact")
    apparent = tunneling.apparent_gaps(ex.p, ex.delta_alpha, ex.delta_beta, starts=2 if fast else 4)
    return vt.figure_predicted_andreev(apparent, kappa=tunneling.FIG5["kappa"])


@_register("liu-apparent-gap-map", "book (beyond liu2026triplon)",
           "apparent Andreev gap ratio over (κ, n_c) vs the measured 3.8 (data/apparent_gap_map.npz)",
           "chap-spectra")
def _liu_gap_map(fast):
    from . import tunneling
    from .viz import tunneling as vt
    return vt.figure_gap_maps(tunneling.load_apparent_gap_map(_data_path("apparent_gap_map.npz")))


# ------------------------------------------------------------------ Guo et al. (Andreev / BTK)
@_register("btk-classic", "btk1982 (classic BTK figure)",
           "Andreev and normal reflection A, B and the conductance vs E/Δ for Z = 0, 0.3, 1, 3",
           "chap-andreev")
def _btk_classic(fast):
    from .viz import btk as vbtk
    return vbtk.plot_classic_btk(n=301 if fast else 601)


@_register("guo-nb-calibration", "guo2025andreev Extended Data Fig. 1",
           "Nb calibration: BTK spectrum of Δ = 1.5 meV, Z = 0.43, Γ = 1.42 meV at 3 K",
           "chap-andreev", ("src-guo2025andreev-fig-ed1",))
def _guo_nb(fast):
    from . import btk
    from .viz import btk as vbtk
    return vbtk.figure_nb_calibration(btk.nb_calibration_spectra(np.linspace(-6, 6, 401 if fast else 1201)))


@_register("guo-table3-fits", "guo2025andreev Fig. 3a–b / Extended Data Table 3",
           "two-gap spectra synthesized from Extended Data Table 3, refitted; gaps with errors vs T",
           "chap-andreev", ("src-guo2025andreev-tab-ed3", "src-guo2025andreev-fig-3"), heavy=True)
def _guo_table3(fast):
    from . import btk
    from .viz import btk as vbtk
    # fast: every other row of the table (fewer starts or points make the fits slower, not faster)
    rows = range(0, len(btk.TABLE3), 2) if fast else None
    return vbtk.figure_table3(btk.table3_refits(np.linspace(-80, 80, 321), starts=4, rows=rows))


@_register("guo-gap-temperature", "guo2025andreev Fig. 3b",
           "Table 3 gaps vs T with BCS-like Δ(T) fits: T_c and 2Δ(0)/k_BT_c",
           "chap-andreev", ("src-guo2025andreev-fig-3",))
def _guo_gap_T(fast):
    from . import btk
    from .viz import btk as vbtk
    return vbtk.figure_gap_temperature(btk.table3_gap_temperature())


@_register("guo-model-comparison", "guo2025andreev Fig. 2b–e",
           "s+s, s+d, d+s and d+d BTK fits of one two-gap spectrum (data/btk_model_comparison.json)",
           "chap-andreev", ("src-guo2025andreev-fig-2",))
def _guo_models(fast):
    from .viz import btk as vbtk
    return vbtk.figure_model_comparison(_load_json("btk_model_comparison.json"))


# ------------------------------------------------------------------ Borchia, Lange & Grusdt (MixD+V)
@_register("borchia-fig2-7", "borchia2025mixd Figs. 2 and 7",
           "extended s-wave Δ_k on the 16 × 16 bilayer without and with diagonal recombination (ε = 1.5)",
           "chap-mixd", ("fig-mixd-fig27", "src-borchia2025mixd-fig-2"))
def _borchia_27(fast):
    from . import mixd
    from .viz import mixd as vm
    return vm.figure_fig27(mixd.solve_eps_series())


@_register("borchia-fig3", "borchia2025mixd Fig. 3",
           "imbalance (N_sc − 2N_cc)/N_h of the L = 30 ladder over J⊥/V and doping (mean field)",
           "chap-mixd", ("fig-mixd-fig3", "src-borchia2025mixd-fig-3"))
def _borchia_3(fast):
    from . import mixd
    from .viz import mixd as vm
    return vm.figure_fig3(mixd.ladder_imbalance_map(np.linspace(0.5, 2.0, 21 if fast else 41)))


@_register("borchia-fig4-5", "borchia2025mixd Figs. 4 and 5",
           "ground-state energies of the L = 30 ladder and the binding energy E_B vs 2|Δ_k*|",
           "chap-mixd", ("fig-mixd-fig45", "src-borchia2025mixd-fig-4"))
def _borchia_45(fast):
    from . import mixd
    from .viz import mixd as vm
    return vm.figure_fig45(mixd.ladder_energy_sweep(np.linspace(0.5, 2.0, 13 if fast else 25)))


@_register("borchia-fig6", "borchia2025mixd Fig. 6",
           "BEC and BCS order parameters of the L = 30 ladder across the BCS–BEC crossover",
           "chap-mixd", ("fig-mixd-fig6", "src-borchia2025mixd-fig-6"))
def _borchia_6(fast):
    from . import mixd
    from .viz import mixd as vm
    return vm.figure_fig6(mixd.order_parameter_sweep(np.linspace(0.5, 2.0, 41 if fast else 81)))


@_register("borchia-phase-map-2d", "book (borchia2025mixd Fig. 3 extended to 2D)",
           "imbalance and binding energy of the 64 × 64 bilayer over J⊥/V and doping "
           "(data/mixd_phase_map_2d.npz)", "chap-mixd", ("fig-mixd-map2d",))
def _borchia_map2d(fast):
    from .viz import mixd as vm
    return vm.figure_phase_map_2d(_load_npz("mixd_phase_map_2d.npz"))


# ------------------------------------------------------------------ writing
def targets(specs, out, formats) -> list[Path]:
    """Return the output paths ``out/NAME.FORMAT`` for the given specs and formats.

    Parameters
    ----------
    specs : sequence of FigureSpec
        Figures to write.
    out : str or pathlib.Path
        Output directory.
    formats : sequence of str
        File formats (``png``, ``pdf``, ``svg``).

    Returns
    -------
    list of pathlib.Path
        One path per spec and format.

    Raises
    ------
    TypeError
        If ``specs`` is not a sequence of :class:`FigureSpec` or ``out`` not a path.

    Examples
    --------
    >>> [p.name for p in targets(select(["liu-fig2"]), "out", ["png"])]
    ['liu-fig2.png']
    """
    specs = _specs(specs)
    if isinstance(out, bool) or not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a str or path, got {type(out).__name__}")
    if isinstance(formats, str) or not all(isinstance(f, str) for f in formats):
        raise TypeError(f"formats must be a sequence of str, got {formats!r:.60}")
    out = Path(out)
    return [out / f"{s.name}.{fmt}" for s in specs for fmt in formats]


def _specs(specs):
    """A list of :class:`FigureSpec` (``TypeError`` naming ``specs`` otherwise)."""
    if isinstance(specs, (str, bytes)) or not hasattr(specs, "__iter__"):
        raise TypeError(f"specs must be a sequence of FigureSpec (see select()), got {type(specs).__name__}")
    specs = list(specs)
    for s in specs:
        if not isinstance(s, FigureSpec):
            raise TypeError(f"specs must be a sequence of FigureSpec (see select()), got an item "
                            f"{type(s).__name__} {s!r:.40}")
    return specs


def write_figures(specs, out, formats=("png", "pdf"), *, fast=False, force=False, dpi=150,
                  progress=True, log=print):
    """Build each spec and save it as ``out/NAME.FORMAT``.

    Each file is written to a temporary name in ``out`` and renamed into place,
    so an interrupted run never leaves a truncated figure behind.

    Parameters
    ----------
    specs : sequence of FigureSpec
        Figures to build (see :func:`select`).
    out : str or pathlib.Path
        Output directory (created if missing; must be writable).
    formats : sequence of str, optional
        Among ``png``, ``pdf``, ``svg``.
    fast : bool, optional
        Coarser grids (see :func:`build`).
    force : bool, optional
        Overwrite existing files.
    dpi : int, optional
        Resolution of raster formats, dots per inch (10 to 1200).
    progress : bool, optional
        Show a tqdm progress bar.
    log : callable or None, optional
        Called with one summary line per figure (``print`` by default).

    Returns
    -------
    dict
        ``{name: (list of paths written, seconds)}``.

    Raises
    ------
    ValueError
        Before building anything: unknown format, files that exist without
        ``force``, an output directory that cannot be written, a bad ``dpi``.
    TypeError
        If ``fast``, ``force`` or ``progress`` is not a bool, ``specs`` not a sequence of
        :class:`FigureSpec`, ``out`` not a path or ``log`` not callable.
    OSError
        If a file cannot be written (full disk): its temporary is removed, an
        earlier file of that name is unchanged, the files written before stay.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     done = write_figures(select(["btk-classic"]), d, ["png"], fast=True, progress=False, log=None)
    ...     sorted(p.name for p in done["btk-classic"][0])
    ['btk-classic.png']
    """
    from . import _atomic
    from . import _validate as check

    dpi = check.integer("dpi", dpi, 10, 1200)
    fast = check.boolean("fast", fast)
    force = check.boolean("force", force)
    progress = check.boolean("progress", progress)
    import time

    import matplotlib.pyplot as plt

    specs = _specs(specs)
    if isinstance(out, bool) or not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a str or path, got {type(out).__name__}")
    if isinstance(formats, str) or not all(isinstance(f, str) for f in formats):
        raise TypeError(f"formats must be a sequence of str, got {formats!r:.60}")
    if log is not None and not callable(log):
        raise TypeError(f"log must be callable or None, got {type(log).__name__}")
    out = Path(out)
    bad = [f for f in formats if f not in ("png", "pdf", "svg")]
    if bad or not formats:
        raise ValueError(f"--format must list png, pdf and/or svg separated by commas, got {list(formats)}")
    existing = [p for p in targets(specs, out, formats) if p.exists()]
    if existing and not force:
        raise ValueError(f"refusing to overwrite {', '.join(map(str, existing))} (use --force)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"cannot create the output directory {out}: {exc}") from exc
    try:                                   # a real probe: os.access is wrong for root and on some mounts
        _atomic.check_targets([out / "probe"], True, flag="--out")
    except ValueError:
        raise ValueError(f"the output directory {out} is not writable") from None
    it = specs
    bar = None
    if progress:
        from tqdm.auto import tqdm
        it = bar = tqdm(specs, desc="figures", unit="fig")
    done = {}
    for spec in it:
        if bar is not None:
            bar.set_postfix_str(spec.name)
        t0 = time.perf_counter()
        fig = spec.build(fast)
        written = []
        try:
            for fmt in formats:
                path = out / f"{spec.name}.{fmt}"
                with _atomic.atomic_path(path, force=force) as tmp:    # a full disk leaves no temporary
                    fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format=fmt)
                written.append(path)
        finally:
            plt.close(fig)
        done[spec.name] = (written, time.perf_counter() - t0)
    if log is not None:
        for name, (_written, dt) in done.items():
            log(f"{name:24s} {dt:6.1f} s  {REGISTRY[name].source}")
    return done

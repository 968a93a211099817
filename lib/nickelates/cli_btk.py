"""``python -m nickelates fit-btk``: fit a point-contact Andreev spectrum with BTK.

Reads a CSV of (bias, dI/dV), normalizes it by a polynomial normal-state
background (fitted jointly by default), fits a one- or two-gap BTK / Tanaka-Kashiwaya model
(:func:`nickelates.btk.fit`), prints the parameters with uncertainties and
writes ``PREFIX.json`` (results) and ``PREFIX.png`` (data, fit, components,
residuals).

Input format
------------
* Comma-, semicolon-, tab- or whitespace-separated text; lines starting with
  ``#`` and blank lines are ignored.
* An optional header line (detected when a cell of the first line is not a
  number). With a header the bias column is the one whose name contains
  "bias", "volt" or is "V"/"U", and the conductance column the one containing
  "dI/dV", "didv", "cond" or "G"; otherwise the first two columns.
* Bias unit: taken from the header ("bias (mV)", "V [V]", "bias_uV" ...) or
  ``--bias-unit``; default mV. dI/dV in any unit (it is normalized).
* The bias must be strictly monotonic (increasing or decreasing) without
  repeats; at least 20 points (and 3 per free parameter).
"""
from __future__ import annotations

import json
import math
import os
import re
import sys
from dataclasses import dataclass

HELP = "fit a point-contact Andreev (BTK) spectrum from a CSV file"
DESCRIPTION = __doc__.split("\n", 1)[1]

_UNITS = {"mv": 1.0, "v": 1000.0, "uv": 1e-3, "µv": 1e-3, "μv": 1e-3}
_MIN_POINTS = 20


class SpectrumFileError(ValueError):
    """A spectrum file that cannot be used; the message names the line."""


@dataclass(frozen=True)
class Spectrum:
    """bias in mV (increasing), didv as read; header (tuple or None), units found."""
    bias_mV: object
    didv: object
    header: tuple | None
    bias_unit: str
    bias_unit_source: str
    columns: tuple
    delimiter: str
    path: str


def _split(line, delim):
    if delim is None:
        return line.split()
    return [c.strip() for c in line.split(delim)]


def _is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def _unit_from_name(name):
    m = re.search(r"[\(\[]\s*([a-zA-Zµμ]+)\s*[\)\]]", name) or re.search(r"[_ ]([muµμ]?V)\s*$", name)
    if m and m.group(1).lower() in _UNITS:
        return m.group(1)
    return None


def _pick_column(header, spec, patterns, default, what, path):
    if spec is not None:
        if re.fullmatch(r"\d+", str(spec)):
            k = int(spec) - 1
            ncol = len(header) if header else None
            if k < 0 or (ncol is not None and k >= ncol):
                raise SpectrumFileError(f"{path}: --{what}-column {spec} is outside 1..{ncol}")
            return k
        if header is None:
            raise SpectrumFileError(f"{path}: --{what}-column {spec!r} given by name but the file has no header")
        names = [h.lower() for h in header]
        if spec.lower() not in names:
            raise SpectrumFileError(f"{path} line 1: no column named {spec!r} (header: {list(header)})")
        return names.index(spec.lower())
    if header is None:
        return default
    for i, h in enumerate(header):
        if any(re.search(p, h, re.IGNORECASE) for p in patterns):
            return i
    raise SpectrumFileError(
        f"{path} line 1: cannot tell which column is the {what} (header: {list(header)}); "
        f"use --{what}-column NAME_OR_NUMBER")


def read_spectrum(path, bias_column=None, didv_column=None, bias_unit=None, min_points=_MIN_POINTS):
    """Read and check a spectrum file; raise :class:`SpectrumFileError` naming the line."""
    import numpy as np

    if not os.path.isfile(path):
        raise SpectrumFileError(f"{path}: no such file")
    try:
        with open(path, encoding="utf-8-sig") as fh:
            raw = fh.read().splitlines()
    except UnicodeDecodeError as exc:
        raise SpectrumFileError(f"{path}: not a text file ({exc})") from None
    rows = [(i + 1, ln) for i, ln in enumerate(raw) if ln.strip() and not ln.lstrip().startswith("#")]
    if not rows:
        raise SpectrumFileError(f"{path}: the file has no data lines")
    first = rows[0][1]
    delim = next((d for d in (",", ";", "\t") if d in first), None)
    cells0 = _split(first, delim)
    header = None
    if not all(_is_number(c) for c in cells0 if c != ""):
        header = tuple(c.strip().strip('"').strip("'") for c in cells0)
        hline = rows[0][0]
        rows = rows[1:]
    ib = _pick_column(header, bias_column, [r"bias", r"volt", r"^\s*[vu]\b", r"^\s*[vu]\s*[\(\[_]"],
                      0, "bias", path)
    ig = _pick_column(header, didv_column, [r"di\s*/\s*dv", r"didv", r"cond", r"^\s*g\b", r"^\s*g\s*[\(\[_]"],
                      1, "didv", path)
    if ib == ig:
        raise SpectrumFileError(f"{path}: the bias and dI/dV columns are the same (column {ib + 1})")
    if header is not None and max(ib, ig) >= len(header):
        raise SpectrumFileError(f"{path} line {hline}: the header has {len(header)} columns, "
                                f"need column {max(ib, ig) + 1}")
    unit_src = "--bias-unit"
    if bias_unit is None:
        bias_unit = _unit_from_name(header[ib]) if header else None
        unit_src = "header" if bias_unit else "default (no unit found; assumed mV)"
        bias_unit = bias_unit or "mV"
    if bias_unit.lower() not in _UNITS:
        raise SpectrumFileError(f"bias unit must be one of mV, V, uV; got {bias_unit!r}")
    scale = _UNITS[bias_unit.lower()]
    names = (header[ib] if header else f"column {ib + 1}", header[ig] if header else f"column {ig + 1}")
    b, g, lines = [], [], []
    need = max(ib, ig) + 1
    for lineno, ln in rows:
        cells = _split(ln, delim)
        if len(cells) < need:
            raise SpectrumFileError(f"{path} line {lineno}: expected at least {need} columns, "
                                    f"found {len(cells)}: {ln.strip()!r}")
        vals = []
        for k, nm in ((ib, names[0]), (ig, names[1])):
            c = cells[k].strip().strip('"')
            try:
                v = float(c)
            except ValueError:
                raise SpectrumFileError(f"{path} line {lineno}, column {k + 1} ({nm}): "
                                        f"cannot read {c!r} as a number") from None
            if not math.isfinite(v):
                raise SpectrumFileError(f"{path} line {lineno}, column {k + 1} ({nm}): "
                                        f"value {c!r} is not finite")
            vals.append(v)
        b.append(vals[0] * scale)
        g.append(vals[1])
        lines.append(lineno)
    if len(b) < min_points:
        raise SpectrumFileError(f"{path}: only {len(b)} data points, need at least {min_points}")
    b = np.array(b)
    g = np.array(g)
    d = np.diff(b)
    for k in range(d.size):
        if d[k] == 0:
            raise SpectrumFileError(f"{path} line {lines[k + 1]}: bias {b[k + 1] / scale:g} {bias_unit} "
                                    f"repeats the value of line {lines[k]} (duplicated bias)")
    sgn = np.sign(d[0])
    bad = np.nonzero(np.sign(d) != sgn)[0]
    if bad.size:
        k = bad[0]
        raise SpectrumFileError(
            f"{path} line {lines[k + 1]}: bias is not monotonic ({b[k + 1] / scale:g} after "
            f"{b[k] / scale:g} {bias_unit} on line {lines[k]}); split up/down sweeps into separate files")
    if sgn < 0:
        b, g = b[::-1], g[::-1]
    return Spectrum(b, g, header, bias_unit, unit_src, names, delim or "whitespace", str(path))


def add_arguments(p):
    p.add_argument("csv", help="spectrum file: bias and dI/dV columns")
    p.add_argument("--gaps", type=int, choices=(1, 2), default=2, help="number of gaps (default 2)")
    p.add_argument("--symmetry", default=None,
                   help="gap symmetries, one per gap, e.g. 's,s', 's,d' or 's' (default all s)")
    p.add_argument("--temperature", "-T", type=float, required=True, help="temperature in K")
    p.add_argument("--bias-unit", choices=("mV", "V", "uV"), default=None,
                   help="unit of the bias column (default: from the header, else mV)")
    p.add_argument("--bias-column", default=None, help="bias column (name or 1-based number)")
    p.add_argument("--didv-column", default=None, help="dI/dV column (name or 1-based number)")
    p.add_argument("--normalize", choices=("joint", "outer", "none"), default="joint",
                   help="normal-state background: 'joint' = polynomial fitted together with the "
                        "BTK model (default); 'outer' = divide first by a polynomial fitted to the "
                        "outer bias range (the paper's procedure); 'none' = data already normalized")
    p.add_argument("--bg-degree", type=int, default=2, help="degree of the background polynomial (default 2)")
    p.add_argument("--bg-fraction", type=float, default=0.3,
                   help="outer fraction of the bias range used for the background (default 0.3)")
    p.add_argument("--starts", type=int, default=6, help="multi-start count (default 6)")
    p.add_argument("--sigma", type=float, default=None,
                   help="noise of the normalized G (default: estimated from the fit residuals)")
    p.add_argument("--normal-incidence", action="store_true",
                   help="1D BTK (no angular average)")
    p.add_argument("--output", "-o", default=None,
                   help="output prefix (default: input path without extension + '_btk')")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument("--no-figure", action="store_true", help="write only the JSON")


def run(args) -> int:
    try:
        return _run(args)
    except (SpectrumFileError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write output: {exc}", file=sys.stderr)
        return 2


def _run(args) -> int:
    sym = args.symmetry or ",".join(["s"] * args.gaps)
    symmetry = tuple(s.strip() for s in sym.split(","))
    if len(symmetry) == 1:
        symmetry = symmetry * args.gaps
    if len(symmetry) != args.gaps or any(s not in ("s", "d") for s in symmetry):
        raise ValueError(f"--symmetry must list {args.gaps} of 's'/'d' separated by commas, got {sym!r}")
    prefix = args.output or os.path.splitext(args.csv)[0] + "_btk"
    outs = [prefix + ".json"] + ([] if args.no_figure else [prefix + ".png"])
    outdir = os.path.dirname(os.path.abspath(prefix))
    if not os.path.isdir(outdir):
        raise ValueError(f"output directory {outdir} does not exist")
    existing = [o for o in outs if os.path.exists(o)]
    if existing and not args.force:
        raise ValueError(f"refusing to overwrite {', '.join(existing)} (use --force)")

    spec = read_spectrum(args.csv, args.bias_column, args.didv_column, args.bias_unit)
    from . import btk

    print(f"read {spec.path}: {spec.bias_mV.size} points, bias {spec.bias_mV.min():g} .. "
          f"{spec.bias_mV.max():g} mV (column {spec.columns[0]!r}, unit {spec.bias_unit} from "
          f"{spec.bias_unit_source}); dI/dV column {spec.columns[1]!r} (arbitrary units)")
    norm_info = None
    bgdeg = None
    if args.normalize == "none":
        G = spec.didv
        print("normalization: none (data taken as normalized)")
    elif args.normalize == "outer":
        ns = btk.normalize(spec.bias_mV, spec.didv, degree=args.bg_degree, outer_fraction=args.bg_fraction)
        G = ns.G
        norm_info = {"method": "outer: polynomial fitted to the outer bias range, then divided",
                     "degree": ns.degree, "fit_region_abs_bias_min_mV": ns.v_min,
                     "coefficients_low_order_first_per_mV": list(ns.coefficients)}
        print(f"normalization: degree-{ns.degree} polynomial fitted on |V| >= {ns.v_min:.4g} mV, then divided")
    else:
        G = spec.didv
        bgdeg = args.bg_degree
        norm_info = {"method": "joint: raw dI/dV = P(V) * G_BTK(V), P fitted with the BTK parameters",
                     "degree": bgdeg, "variable": "V / max|V|",
                     "coefficients": "bg0.. in fit.parameters"}
        print(f"normalization: degree-{bgdeg} polynomial background fitted jointly with the BTK model")
    res = btk.fit(spec.bias_mV, G, n_gaps=args.gaps, symmetry=symmetry, T=args.temperature,
                  sigma=args.sigma, starts=args.starts, angle_resolved=not args.normal_incidence,
                  background_degree=bgdeg, bg_outer_fraction=args.bg_fraction)
    print(res.report())
    out = {"input": os.path.abspath(spec.path), "n_points": int(spec.bias_mV.size),
           "bias_unit_in_file": spec.bias_unit, "bias_unit_source": spec.bias_unit_source,
           "columns": list(spec.columns), "units": {"bias": "mV", "energies": "meV", "T": "K"},
           "normalization": norm_info, "model": {"angle_resolved": not args.normal_incidence,
                                                 "dynes": "E + i*Gamma inside gamma_+-"},
           "fit": res.to_dict()}
    with open(prefix + ".json", "w") as fh:
        json.dump(out, fh, indent=2)
    print(f"wrote {prefix}.json")
    if not args.no_figure:
        import matplotlib
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        from .viz.btk import plot_fit
        quality = (f"red. χ² = {res.redchi:.3g}" if res.sigma is not None else f"rms = {res.rms:.2g}")
        fig = plot_fit(res, title=f"{os.path.basename(spec.path)}: {'+'.join(symmetry)} fit, "
                                  f"T = {args.temperature:g} K, {quality}")
        fig.savefig(prefix + ".png", dpi=120)
        plt.close(fig)
        print(f"wrote {prefix}.png")
    return 0

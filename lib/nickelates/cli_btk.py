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
import os
import sys

__all__ = ["HELP", "DESCRIPTION", "add_arguments", "run"]

HELP = "fit a point-contact Andreev (BTK) spectrum from a CSV file"
DESCRIPTION = __doc__.split("\n", 1)[1]

_COMPAT = ("read_spectrum", "Spectrum", "SpectrumFileError")


def __getattr__(name):
    """Old import path: ``nickelates.cli_btk.read_spectrum`` etc. now live in :mod:`nickelates.btk.io`.

    Imported lazily so that building the argument parser does not load numba.
    """
    if name in _COMPAT:
        from .btk import io
        return getattr(io, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def add_arguments(p):
    """Add the ``fit-btk`` options to the argparse parser ``p``."""
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
    """Run ``fit-btk``; return the exit code (0, or 2 with a message on stderr)."""
    try:
        return _run(args)
    except ValueError as exc:      # includes btk.SpectrumFileError
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

    from . import btk

    spec = btk.read_spectrum(args.csv, args.bias_column, args.didv_column, args.bias_unit)

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
